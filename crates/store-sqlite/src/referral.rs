//! [`ReferralStore`] and [`ReferralTx`] on SQLite: referral codes, referrals and their
//! decisions, and the referral settings (the tables of `migrations/0009_referrals.sql`).
//!
//! Writes in a [`SqliteTx`] run on the writer, whose `BEGIN IMMEDIATE` serialises them, so
//! settling a referral needs no further locking; the partial unique index on `referee_id`
//! keeps a person from being referred twice.

use crate::query::{self, get, get_time, limit, ms, time};
use crate::tx::SqliteTx;
use crate::{db, SqliteStore};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use groupcart_core::customer::CustomerId;
use groupcart_core::promotion::PromotionId;
use groupcart_core::referral::{
    NewReferral, Referral, ReferralId, ReferralSettings, ReferralStats, ReferralStatus,
    ReferralStore, ReferralTx, ReferralUpdate,
};
use groupcart_core::shop::OrderId;
use groupcart_core::{Error, Result};
use sqlx::sqlite::SqliteRow;

pub(crate) const COLUMNS: &str =
    "id, bot, code, referrer_id, referee_id, referee_has_username, status, \
     reason, qualifying_order, reward_code, created_at, decided_at";

pub(crate) fn referral_row(row: &SqliteRow) -> Result<Referral> {
    let status: String = get(row, "status")?;
    let decided_at: Option<i64> = get(row, "decided_at")?;
    Ok(Referral {
        id: ReferralId(get(row, "id")?),
        bot: get(row, "bot")?,
        code: get(row, "code")?,
        referrer_id: CustomerId(get(row, "referrer_id")?),
        referee_id: CustomerId(get(row, "referee_id")?),
        referee_has_username: get::<i64>(row, "referee_has_username")? != 0,
        status: ReferralStatus::parse(&status)
            .ok_or_else(|| Error::Storage(format!("unknown referral status {status}")))?,
        reason: get(row, "reason")?,
        qualifying_order: get::<Option<i64>>(row, "qualifying_order")?.map(OrderId),
        reward_code: get(row, "reward_code")?,
        created_at: get_time(row, "created_at")?,
        decided_at: decided_at.map(time).transpose()?,
    })
}

#[async_trait]
impl ReferralStore for SqliteStore {
    async fn referral_settings(&self) -> Result<ReferralSettings> {
        query::load_settings(&self.reader, "referral_settings").await
    }

    async fn set_referral_settings(
        &self,
        settings: &ReferralSettings,
        at: DateTime<Utc>,
    ) -> Result<()> {
        query::save_settings(&self.writer, "referral_settings", settings, at).await
    }

    async fn referrals(
        &self,
        status: Option<ReferralStatus>,
        after: Option<ReferralId>,
        limit_: i64,
    ) -> Result<Vec<Referral>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM referrals
             WHERE (? IS NULL OR status = ?) AND id > ? ORDER BY id LIMIT ?"
        );
        let status = status.map(|s| s.as_str());
        let rows = sqlx::query(&sql)
            .bind(status)
            .bind(status)
            .bind(after.map_or(0, |a| a.0))
            .bind(limit(limit_))
            .fetch_all(&self.reader)
            .await
            .map_err(db)?;
        rows.iter().map(referral_row).collect()
    }

    async fn latest_referrals(&self, limit_: i64) -> Result<Vec<Referral>> {
        let sql = format!("SELECT {COLUMNS} FROM referrals ORDER BY id DESC LIMIT ?");
        let rows = sqlx::query(&sql)
            .bind(limit(limit_))
            .fetch_all(&self.reader)
            .await
            .map_err(db)?;
        rows.iter().map(referral_row).collect()
    }

    async fn referral_stats(&self, referrer: CustomerId) -> Result<ReferralStats> {
        let row = sqlx::query(
            "SELECT COUNT(*) AS starts,
                    COALESCE(SUM(CASE WHEN status <> 'refused'
                        OR reason = 'cap_reached' THEN 1 ELSE 0 END), 0) AS joins,
                    COALESCE(SUM(CASE WHEN qualifying_order IS NOT NULL THEN 1 ELSE 0 END), 0)
                        AS first_orders,
                    COALESCE(SUM(CASE WHEN status = 'credited' THEN 1 ELSE 0 END), 0)
                        AS rewards
             FROM referrals WHERE referrer_id = ? AND referee_id <> referrer_id",
        )
        .bind(referrer.0)
        .fetch_one(&self.reader)
        .await
        .map_err(db)?;
        Ok(ReferralStats {
            starts: get(&row, "starts")?,
            joins: get(&row, "joins")?,
            first_orders: get(&row, "first_orders")?,
            rewards: get(&row, "rewards")?,
        })
    }
}

#[async_trait]
impl ReferralTx for SqliteTx {
    async fn current_referral_settings(&mut self) -> Result<ReferralSettings> {
        query::load_settings(self.conn(), "referral_settings").await
    }

    async fn ensure_referral_code(
        &mut self,
        customer: CustomerId,
        candidate: &str,
        at: DateTime<Utc>,
    ) -> Result<String> {
        let existing = sqlx::query("SELECT code FROM referral_codes WHERE customer_id = ?")
            .bind(customer.0)
            .fetch_optional(self.conn())
            .await
            .map_err(db)?;
        if let Some(row) = existing {
            return get(&row, "code");
        }
        // A code taken by someone else inserts nothing (no failed statement, which would
        // spoil a PostgreSQL transaction), and the caller tries another.
        sqlx::query(
            "INSERT INTO referral_codes (customer_id, code, created_at) VALUES (?, ?, ?)
             ON CONFLICT DO NOTHING",
        )
        .bind(customer.0)
        .bind(candidate)
        .bind(ms(at))
        .execute(self.conn())
        .await
        .map_err(|e| match &e {
            sqlx::Error::Database(d) if d.is_foreign_key_violation() => {
                Error::NotFound(format!("customer {}", customer.0))
            }
            _ => db(e),
        })?;
        let saved = sqlx::query("SELECT code FROM referral_codes WHERE customer_id = ?")
            .bind(customer.0)
            .fetch_optional(self.conn())
            .await
            .map_err(db)?;
        match saved {
            Some(row) => get(&row, "code"),
            None => Err(Error::Conflict("referral code taken".into())),
        }
    }

    async fn referrer_by_code(&mut self, code: &str) -> Result<Option<CustomerId>> {
        let row = sqlx::query("SELECT customer_id FROM referral_codes WHERE code = ?")
            .bind(code)
            .fetch_optional(self.conn())
            .await
            .map_err(db)?;
        row.map(|r| get(&r, "customer_id").map(CustomerId))
            .transpose()
    }

    async fn record_referral(&mut self, r: &NewReferral) -> Result<Referral> {
        let sql = format!(
            "INSERT INTO referrals (bot, code, referrer_id, referee_id, referee_has_username,
                 status, reason, created_at, decided_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING {COLUMNS}"
        );
        let decided = matches!(r.status, ReferralStatus::Refused).then(|| ms(r.at));
        let row = sqlx::query(&sql)
            .bind(&r.bot)
            .bind(&r.code)
            .bind(r.referrer_id.0)
            .bind(r.referee_id.0)
            .bind(i64::from(r.referee_has_username))
            .bind(r.status.as_str())
            .bind(&r.reason)
            .bind(ms(r.at))
            .bind(decided)
            .fetch_one(self.conn())
            .await
            .map_err(|e| match &e {
                sqlx::Error::Database(d) if d.is_unique_violation() => {
                    Error::Conflict(format!("customer {} was referred before", r.referee_id.0))
                }
                sqlx::Error::Database(d) if d.is_foreign_key_violation() => {
                    Error::NotFound("referrer or referee".into())
                }
                _ => db(e),
            })?;
        referral_row(&row)
    }

    async fn anonymous_referees_since(
        &mut self,
        referrer: CustomerId,
        since: DateTime<Utc>,
    ) -> Result<i64> {
        let row = sqlx::query(
            "SELECT COUNT(*) AS n FROM referrals
             WHERE referrer_id = ? AND referee_has_username = 0 AND status <> 'refused'
               AND created_at >= ?",
        )
        .bind(referrer.0)
        .bind(ms(since))
        .fetch_one(self.conn())
        .await
        .map_err(db)?;
        get(&row, "n")
    }

    async fn open_referral_for_update(&mut self, referee: CustomerId) -> Result<Option<Referral>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM referrals
             WHERE referee_id = ? AND status IN ('pending', 'held')"
        );
        let row = sqlx::query(&sql)
            .bind(referee.0)
            .fetch_optional(self.conn())
            .await
            .map_err(db)?;
        row.as_ref().map(referral_row).transpose()
    }

    async fn referral_for_update(&mut self, id: ReferralId) -> Result<Option<Referral>> {
        let sql = format!("SELECT {COLUMNS} FROM referrals WHERE id = ?");
        let row = sqlx::query(&sql)
            .bind(id.0)
            .fetch_optional(self.conn())
            .await
            .map_err(db)?;
        row.as_ref().map(referral_row).transpose()
    }

    async fn credited_referrals(&mut self, referrer: CustomerId) -> Result<i64> {
        let row = sqlx::query(
            "SELECT COUNT(*) AS n FROM referrals WHERE referrer_id = ? AND status = 'credited'",
        )
        .bind(referrer.0)
        .fetch_one(self.conn())
        .await
        .map_err(db)?;
        get(&row, "n")
    }

    async fn update_referral(
        &mut self,
        id: ReferralId,
        update: &ReferralUpdate,
    ) -> Result<Referral> {
        let open = matches!(
            update.status,
            ReferralStatus::Pending | ReferralStatus::Held
        );
        let sql = format!(
            "UPDATE referrals SET status = ?, reason = ?,
                 qualifying_order = COALESCE(?, qualifying_order),
                 reward_code = COALESCE(?, reward_code),
                 decided_at = CASE WHEN ? THEN NULL ELSE ? END
             WHERE id = ? RETURNING {COLUMNS}"
        );
        let row = sqlx::query(&sql)
            .bind(update.status.as_str())
            .bind(&update.reason)
            .bind(update.qualifying_order.map(|o| o.0))
            .bind(&update.reward_code)
            .bind(open)
            .bind(ms(update.at))
            .bind(id.0)
            .fetch_optional(self.conn())
            .await
            .map_err(db)?
            .ok_or_else(|| Error::NotFound(format!("referral {}", id.0)))?;
        referral_row(&row)
    }

    async fn insert_reward_code(
        &mut self,
        promotion: PromotionId,
        customer: CustomerId,
        code: &str,
        at: DateTime<Utc>,
    ) -> Result<()> {
        crate::coupon::assign_code(self.conn(), code, promotion, customer, at).await
    }
}
