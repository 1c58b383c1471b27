//! [`TierStore`] and [`TierTx`] on PostgreSQL: the tier ladder (`tier_settings`, one row of
//! JSON), each customer's tier (`customer_tiers`), and the paid spend tiers are computed
//! from (`migrations/0030_tiers.sql`).
//!
//! "Paid" orders are those with a `paid_at` and a status of `paid`, `shipped`, `delivered`
//! or `completed`, as in the CRM: a refunded or cancelled order no longer counts.

use crate::query::{self, get, get_json, get_time, json};
use crate::tx::PostgresTx;
use crate::{db, PostgresStore};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use groupcart_core::customer::CustomerId;
use groupcart_core::tiers::{CurrencyTotal, CustomerTier, TierSettings, TierStore, TierTx};
use groupcart_core::Result;
use sqlx::postgres::PgRow;

/// Points earned: every ledger entry but redemptions and expiries (a refund's reversal
/// counts against them).
const POINTS_SQL: &str = "SELECT customer_id, SUM(delta)::BIGINT AS points FROM points_ledger
     WHERE at >= $1 AND kind NOT IN ('redeem', 'expire')";

const SPEND_SQL: &str = "SELECT customer_id, currency, SUM(total)::BIGINT AS total FROM orders
     WHERE paid_at >= $1 AND status IN ('paid', 'shipped', 'delivered', 'completed')";

fn tier_row(row: &PgRow) -> Result<CustomerTier> {
    Ok(CustomerTier {
        customer: CustomerId(get(row, "customer_id")?),
        tier: get(row, "tier")?,
        since: get_time(row, "since")?,
        spend: get_json(row, "spend")?,
        updated_at: get_time(row, "updated_at")?,
    })
}

fn total_row(row: &PgRow) -> Result<CurrencyTotal> {
    Ok(CurrencyTotal {
        currency: get(row, "currency")?,
        total: get(row, "total")?,
    })
}

const TIER_COLUMNS: &str = "customer_id, tier, since, spend, updated_at";

#[async_trait]
impl TierStore for PostgresStore {
    async fn tier_settings(&self) -> Result<TierSettings> {
        query::load_settings(&self.pool, "tier_settings").await
    }

    async fn set_tier_settings(&self, settings: &TierSettings, at: DateTime<Utc>) -> Result<()> {
        query::save_settings(&self.pool, "tier_settings", settings, at).await
    }

    async fn customer_tier(&self, customer: CustomerId) -> Result<Option<CustomerTier>> {
        let sql = format!("SELECT {TIER_COLUMNS} FROM customer_tiers WHERE customer_id = $1");
        let row = sqlx::query(&sql)
            .bind(customer.0)
            .fetch_optional(&self.pool)
            .await
            .map_err(db)?;
        row.as_ref().map(tier_row).transpose()
    }

    async fn customer_tiers(&self) -> Result<Vec<CustomerTier>> {
        let sql = format!("SELECT {TIER_COLUMNS} FROM customer_tiers ORDER BY customer_id");
        let rows = sqlx::query(&sql).fetch_all(&self.pool).await.map_err(db)?;
        rows.iter().map(tier_row).collect()
    }

    async fn tier_spends_since(
        &self,
        since: DateTime<Utc>,
    ) -> Result<Vec<(CustomerId, CurrencyTotal)>> {
        let sql = format!("{SPEND_SQL} GROUP BY customer_id, currency ORDER BY customer_id, currency COLLATE \"C\"");
        let rows = sqlx::query(&sql)
            .bind(since)
            .fetch_all(&self.pool)
            .await
            .map_err(db)?;
        rows.iter()
            .map(|row| Ok((CustomerId(get(row, "customer_id")?), total_row(row)?)))
            .collect()
    }

    async fn tier_points_since(&self, since: DateTime<Utc>) -> Result<Vec<(CustomerId, i64)>> {
        let sql =
            format!("{POINTS_SQL} GROUP BY customer_id HAVING SUM(delta) > 0 ORDER BY customer_id");
        let rows = sqlx::query(&sql)
            .bind(since)
            .fetch_all(&self.pool)
            .await
            .map_err(db)?;
        rows.iter()
            .map(|row| Ok((CustomerId(get(row, "customer_id")?), get(row, "points")?)))
            .collect()
    }
}

#[async_trait]
impl TierTx for PostgresTx {
    async fn current_tier_settings(&mut self) -> Result<TierSettings> {
        query::load_settings(self.conn(), "tier_settings").await
    }

    async fn customer_tier_in_tx(&mut self, customer: CustomerId) -> Result<Option<CustomerTier>> {
        let sql = format!("SELECT {TIER_COLUMNS} FROM customer_tiers WHERE customer_id = $1");
        let row = sqlx::query(&sql)
            .bind(customer.0)
            .fetch_optional(self.conn())
            .await
            .map_err(db)?;
        row.as_ref().map(tier_row).transpose()
    }

    async fn tier_spend(
        &mut self,
        customer: CustomerId,
        since: DateTime<Utc>,
    ) -> Result<Vec<CurrencyTotal>> {
        let sql = format!(
            "{SPEND_SQL} AND customer_id = $2 GROUP BY customer_id, currency ORDER BY currency COLLATE \"C\""
        );
        let rows = sqlx::query(&sql)
            .bind(since)
            .bind(customer.0)
            .fetch_all(self.conn())
            .await
            .map_err(db)?;
        rows.iter().map(total_row).collect()
    }

    async fn tier_points(&mut self, customer: CustomerId, since: DateTime<Utc>) -> Result<i64> {
        let sql = format!("{POINTS_SQL} AND customer_id = $2 GROUP BY customer_id");
        let row = sqlx::query(&sql)
            .bind(since)
            .bind(customer.0)
            .fetch_optional(self.conn())
            .await
            .map_err(db)?;
        let points: i64 = row.map(|row| get(&row, "points")).transpose()?.unwrap_or(0);
        Ok(points.max(0))
    }

    async fn save_customer_tier(&mut self, tier: &CustomerTier) -> Result<()> {
        sqlx::query(
            "INSERT INTO customer_tiers (customer_id, tier, since, spend, updated_at)
             VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (customer_id) DO UPDATE SET tier = excluded.tier,
                 since = excluded.since, spend = excluded.spend,
                 updated_at = excluded.updated_at",
        )
        .bind(tier.customer.0)
        .bind(&tier.tier)
        .bind(tier.since)
        .bind(json(&tier.spend)?)
        .bind(tier.updated_at)
        .execute(self.conn())
        .await
        .map_err(db)?;
        Ok(())
    }
}
