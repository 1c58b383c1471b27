//! The embedded migrator: applies `migrations/*.sql` in version order, each in its own
//! transaction, and records them in `groupcart_migrations`.

use crate::db;
use groupcart_core::{Error, Result};
use sqlx::{PgPool, Row};

/// One schema step, compiled into the binary.
pub(crate) struct Migration {
    pub version: i64,
    pub name: &'static str,
    pub sql: &'static str,
}

/// Every migration this binary knows, oldest first. Append only; never edit a shipped one.
pub(crate) const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        name: "foundation",
        sql: include_str!("../migrations/0001_foundation.sql"),
    },
    Migration {
        version: 2,
        name: "catalog",
        sql: include_str!("../migrations/0002_catalog.sql"),
    },
    Migration {
        version: 3,
        name: "shop",
        sql: include_str!("../migrations/0003_shop.sql"),
    },
    Migration {
        version: 4,
        name: "stuck_alerts",
        sql: include_str!("../migrations/0004_stuck_alerts.sql"),
    },
    Migration {
        version: 5,
        name: "cart_prices",
        sql: include_str!("../migrations/0005_cart_prices.sql"),
    },
    Migration {
        version: 6,
        name: "promotions",
        sql: include_str!("../migrations/0006_promotions.sql"),
    },
    Migration {
        version: 7,
        name: "flash_sales",
        sql: include_str!("../migrations/0007_flash_sales.sql"),
    },
    Migration {
        version: 8,
        name: "community",
        sql: include_str!("../migrations/0008_community.sql"),
    },
    Migration {
        version: 9,
        name: "referrals",
        sql: include_str!("../migrations/0009_referrals.sql"),
    },
    Migration {
        version: 10,
        name: "giveaways",
        sql: include_str!("../migrations/0010_giveaways.sql"),
    },
    Migration {
        version: 11,
        name: "group_buys",
        sql: include_str!("../migrations/0011_group_buys.sql"),
    },
    Migration {
        version: 12,
        name: "giveaway_requirements",
        sql: include_str!("../migrations/0012_giveaway_requirements.sql"),
    },
    Migration {
        version: 13,
        name: "moderation",
        sql: include_str!("../migrations/0013_moderation.sql"),
    },
    Migration {
        version: 14,
        name: "calendar",
        sql: include_str!("../migrations/0014_calendar.sql"),
    },
    Migration {
        version: 15,
        name: "crm",
        sql: include_str!("../migrations/0015_crm.sql"),
    },
    Migration {
        version: 16,
        name: "privacy",
        sql: include_str!("../migrations/0016_privacy.sql"),
    },
    Migration {
        version: 17,
        name: "api_tokens",
        sql: include_str!("../migrations/0017_api_tokens.sql"),
    },
    Migration {
        version: 18,
        name: "support",
        sql: include_str!("../migrations/0018_support.sql"),
    },
    Migration {
        version: 19,
        name: "leases",
        sql: include_str!("../migrations/0019_leases.sql"),
    },
    Migration {
        version: 20,
        name: "recent_sends",
        sql: include_str!("../migrations/0020_recent_sends.sql"),
    },
    Migration {
        version: 21,
        name: "console",
        sql: include_str!("../migrations/0021_console.sql"),
    },
    Migration {
        version: 22,
        name: "analytics",
        sql: include_str!("../migrations/0022_analytics.sql"),
    },
    Migration {
        version: 23,
        name: "moderation_staff",
        sql: include_str!("../migrations/0023_moderation_staff.sql"),
    },
    Migration {
        version: 24,
        name: "sealing",
        sql: include_str!("../migrations/0024_sealing.sql"),
    },
    Migration {
        version: 25,
        name: "member_checks",
        sql: include_str!("../migrations/0025_member_checks.sql"),
    },
    Migration {
        version: 26,
        name: "calendar_polls",
        sql: include_str!("../migrations/0026_calendar_polls.sql"),
    },
    Migration {
        version: 27,
        name: "chat_members",
        sql: include_str!("../migrations/0027_chat_members.sql"),
    },
    Migration {
        version: 28,
        name: "source_costs",
        sql: include_str!("../migrations/0028_source_costs.sql"),
    },
    Migration {
        version: 29,
        name: "points",
        sql: include_str!("../migrations/0029_points.sql"),
    },
    Migration {
        version: 30,
        name: "tiers",
        sql: include_str!("../migrations/0030_tiers.sql"),
    },
    Migration {
        version: 31,
        name: "chat_activity",
        sql: include_str!("../migrations/0031_chat_activity.sql"),
    },
    Migration {
        version: 32,
        name: "tag_rules",
        sql: include_str!("../migrations/0032_tag_rules.sql"),
    },
    Migration {
        version: 33,
        name: "customer_import",
        sql: include_str!("../migrations/0033_customer_import.sql"),
    },
    Migration {
        version: 34,
        name: "broadcast_targets",
        sql: include_str!("../migrations/0034_broadcast_targets.sql"),
    },
    Migration {
        version: 35,
        name: "automations",
        sql: include_str!("../migrations/0035_automations.sql"),
    },
    Migration {
        version: 36,
        name: "recommendations",
        sql: include_str!("../migrations/0036_recommendations.sql"),
    },
    Migration {
        version: 37,
        name: "lifecycle_index",
        sql: include_str!("../migrations/0037_lifecycle_index.sql"),
    },
    Migration {
        version: 38,
        name: "automation_outbox",
        sql: include_str!("../migrations/0038_automation_outbox.sql"),
    },
];

/// Key of the advisory lock that serialises migrations across instances sharing a database
/// (an arbitrary constant: "groupcrt" in ASCII).
const LOCK_KEY: i64 = 0x6772_6f75_7063_7274;

/// Brings the schema up to date. Safe to run on every start, from several instances at once.
pub(crate) async fn run(pool: &PgPool) -> Result<()> {
    for migration in MIGRATIONS {
        let mut tx = pool.begin().await.map_err(db)?;
        // Held until this transaction ends: a second instance starting at the same time waits
        // here, then sees the step as applied.
        sqlx::query("SELECT pg_advisory_xact_lock($1)")
            .bind(LOCK_KEY)
            .execute(&mut *tx)
            .await
            .map_err(db)?;
        sqlx::raw_sql(
            "CREATE TABLE IF NOT EXISTS groupcart_migrations (
                 version    BIGINT      PRIMARY KEY,
                 name       TEXT        NOT NULL,
                 applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
             )",
        )
        .execute(&mut *tx)
        .await
        .map_err(db)?;
        let applied =
            sqlx::query("SELECT version, name FROM groupcart_migrations ORDER BY version")
                .fetch_all(&mut *tx)
                .await
                .map_err(db)?;
        let mut already = false;
        for row in &applied {
            let version: i64 = row.try_get("version").map_err(db)?;
            let name: String = row.try_get("name").map_err(db)?;
            check_known(version, &name)?;
            already |= version == migration.version;
        }
        if already {
            // Ends the transaction now (and with it any lock) rather than on drop.
            tx.commit().await.map_err(db)?;
            continue;
        }
        sqlx::raw_sql(migration.sql)
            .execute(&mut *tx)
            .await
            .map_err(|e| Error::Storage(format!("migration {} failed: {e}", migration.version)))?;
        sqlx::query("INSERT INTO groupcart_migrations (version, name) VALUES ($1, $2)")
            .bind(migration.version)
            .bind(migration.name)
            .execute(&mut *tx)
            .await
            .map_err(db)?;
        tx.commit().await.map_err(db)?;
        tracing::info!(
            version = migration.version,
            name = migration.name,
            "applied migration"
        );
    }
    Ok(())
}

/// Refuses a database migrated by a newer binary (or by a different migration set): running
/// old code on a newer schema could corrupt data.
fn check_known(version: i64, name: &str) -> Result<()> {
    match MIGRATIONS.iter().find(|m| m.version == version) {
        Some(m) if m.name == name => Ok(()),
        Some(m) => Err(Error::Storage(format!(
            "database migration {version} is named `{name}` but this binary calls it `{}`; \
             refusing to start on a schema it does not know",
            m.name
        ))),
        None => Err(Error::Storage(format!(
            "database has migration {version} (`{name}`), newer than this binary knows \
             (latest {}); refusing to start: run a newer groupcart or restore a backup",
            MIGRATIONS.last().map_or(0, |m| m.version)
        ))),
    }
}
