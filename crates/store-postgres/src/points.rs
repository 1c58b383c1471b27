//! [`PointsStore`] and [`PointsTx`] on PostgreSQL: the points ledger, check-ins and the
//! points settings (the tables of `migrations/0029_points.sql`).
//!
//! [`PointsTx::lock_points`] locks the customer's row (`FOR UPDATE`), so every change of one
//! customer's points (a redemption, a check-in, an expiry) waits for the one before it to
//! commit and then sees its balance: two redemptions at once cannot overspend.

use crate::query::{self, get, get_time, limit};
use crate::tx::PostgresTx;
use crate::{db, PostgresStore};
use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use groupcart_core::customer::CustomerId;
use groupcart_core::points::{
    Checkin, NewPointsEntry, PointsEntry, PointsEntryId, PointsKind, PointsSettings, PointsStore,
    PointsTx,
};
use groupcart_core::{Error, Result};
use sqlx::postgres::PgRow;

const COLUMNS: &str = "id, customer_id, delta, kind, reference, note, expires_at, at";

fn entry_row(row: &PgRow) -> Result<PointsEntry> {
    let kind: String = get(row, "kind")?;
    Ok(PointsEntry {
        id: PointsEntryId(get(row, "id")?),
        customer_id: CustomerId(get(row, "customer_id")?),
        delta: get(row, "delta")?,
        kind: PointsKind::parse(&kind)
            .ok_or_else(|| Error::Storage(format!("unknown points kind {kind}")))?,
        reference: get(row, "reference")?,
        note: get(row, "note")?,
        expires_at: get(row, "expires_at")?,
        at: get_time(row, "at")?,
    })
}

#[async_trait]
impl PointsStore for PostgresStore {
    async fn points_settings(&self) -> Result<PointsSettings> {
        query::load_settings(&self.pool, "points_settings").await
    }

    async fn set_points_settings(
        &self,
        settings: &PointsSettings,
        at: DateTime<Utc>,
    ) -> Result<()> {
        query::save_settings(&self.pool, "points_settings", settings, at).await
    }

    async fn points_balance(&self, customer: CustomerId) -> Result<i64> {
        let row = sqlx::query(
            "SELECT COALESCE(SUM(delta), 0)::BIGINT AS balance FROM points_ledger
             WHERE customer_id = $1",
        )
        .bind(customer.0)
        .fetch_one(&self.pool)
        .await
        .map_err(db)?;
        get(&row, "balance")
    }

    async fn points_ledger(
        &self,
        customer: CustomerId,
        before: Option<PointsEntryId>,
        limit_: i64,
    ) -> Result<Vec<PointsEntry>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM points_ledger WHERE customer_id = $1 AND id < $2
             ORDER BY id DESC LIMIT $3"
        );
        let rows = sqlx::query(&sql)
            .bind(customer.0)
            .bind(before.map_or(i64::MAX, |b| b.0))
            .bind(limit(limit_))
            .fetch_all(&self.pool)
            .await
            .map_err(db)?;
        rows.iter().map(entry_row).collect()
    }

    async fn customers_with_expiring_points(
        &self,
        since: Option<DateTime<Utc>>,
        until: DateTime<Utc>,
        after: CustomerId,
        limit_: i64,
    ) -> Result<Vec<CustomerId>> {
        let rows = sqlx::query(
            "SELECT DISTINCT customer_id FROM points_ledger
             WHERE expires_at IS NOT NULL AND ($1::TIMESTAMPTZ IS NULL OR expires_at > $1)
               AND expires_at <= $2 AND customer_id > $3
             ORDER BY customer_id LIMIT $4",
        )
        .bind(since)
        .bind(until)
        .bind(after.0)
        .bind(limit(limit_))
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        rows.iter()
            .map(|r| get(r, "customer_id").map(CustomerId))
            .collect()
    }
}

#[async_trait]
impl PointsTx for PostgresTx {
    async fn current_points_settings(&mut self) -> Result<PointsSettings> {
        query::load_settings(self.conn(), "points_settings").await
    }

    async fn lock_points(&mut self, customer: CustomerId) -> Result<i64> {
        // The customer's row is the lock: held until this transaction ends.
        sqlx::query("SELECT id FROM customers WHERE id = $1 FOR UPDATE")
            .bind(customer.0)
            .fetch_optional(self.conn())
            .await
            .map_err(db)?
            .ok_or_else(|| Error::NotFound(format!("customer {}", customer.0)))?;
        let row = sqlx::query(
            "SELECT COALESCE(SUM(delta), 0)::BIGINT AS balance FROM points_ledger
             WHERE customer_id = $1",
        )
        .bind(customer.0)
        .fetch_one(self.conn())
        .await
        .map_err(db)?;
        get(&row, "balance")
    }

    async fn add_points_entry(&mut self, e: &NewPointsEntry) -> Result<Option<PointsEntry>> {
        // A duplicate inserts nothing (no failed statement, which would spoil the
        // transaction).
        let sql = format!(
            "INSERT INTO points_ledger (customer_id, delta, kind, reference, note, expires_at, at)
             VALUES ($1, $2, $3, $4, $5, $6, $7)
             ON CONFLICT DO NOTHING RETURNING {COLUMNS}"
        );
        let row = sqlx::query(&sql)
            .bind(e.customer_id.0)
            .bind(e.delta)
            .bind(e.kind.as_str())
            .bind(&e.reference)
            .bind(&e.note)
            .bind(e.expires_at)
            .bind(e.at)
            .fetch_optional(self.conn())
            .await
            .map_err(|err| match &err {
                sqlx::Error::Database(d) if d.is_foreign_key_violation() => {
                    Error::NotFound(format!("customer {}", e.customer_id.0))
                }
                sqlx::Error::Database(d) if d.is_check_violation() => {
                    Error::Invalid("a points entry must move a non-zero amount".into())
                }
                _ => db(err),
            })?;
        row.as_ref().map(entry_row).transpose()
    }

    async fn points_entry(
        &mut self,
        customer: CustomerId,
        kind: PointsKind,
        reference: &str,
    ) -> Result<Option<PointsEntry>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM points_ledger
             WHERE customer_id = $1 AND kind = $2 AND reference = $3"
        );
        let row = sqlx::query(&sql)
            .bind(customer.0)
            .bind(kind.as_str())
            .bind(reference)
            .fetch_optional(self.conn())
            .await
            .map_err(db)?;
        row.as_ref().map(entry_row).transpose()
    }

    async fn points_entries(&mut self, customer: CustomerId) -> Result<Vec<PointsEntry>> {
        let sql = format!("SELECT {COLUMNS} FROM points_ledger WHERE customer_id = $1 ORDER BY id");
        let rows = sqlx::query(&sql)
            .bind(customer.0)
            .fetch_all(self.conn())
            .await
            .map_err(db)?;
        rows.iter().map(entry_row).collect()
    }

    async fn last_checkin(&mut self, customer: CustomerId) -> Result<Option<Checkin>> {
        let row = sqlx::query(
            "SELECT day, streak FROM points_checkins WHERE customer_id = $1
             ORDER BY day DESC LIMIT 1",
        )
        .bind(customer.0)
        .fetch_optional(self.conn())
        .await
        .map_err(db)?;
        row.map(|r| {
            Ok(Checkin {
                day: get::<NaiveDate>(&r, "day")?,
                streak: get(&r, "streak")?,
            })
        })
        .transpose()
    }

    async fn record_checkin(
        &mut self,
        customer: CustomerId,
        checkin: Checkin,
        at: DateTime<Utc>,
    ) -> Result<bool> {
        let done = sqlx::query(
            "INSERT INTO points_checkins (customer_id, day, streak, at) VALUES ($1, $2, $3, $4)
             ON CONFLICT DO NOTHING",
        )
        .bind(customer.0)
        .bind(checkin.day)
        .bind(checkin.streak)
        .bind(at)
        .execute(self.conn())
        .await
        .map_err(db)?;
        Ok(done.rows_affected() == 1)
    }

    async fn customer_time_zone(&mut self, customer: CustomerId) -> Result<Option<String>> {
        let row = sqlx::query("SELECT time_zone FROM customers WHERE id = $1")
            .bind(customer.0)
            .fetch_optional(self.conn())
            .await
            .map_err(db)?;
        Ok(match row {
            Some(r) => get(&r, "time_zone")?,
            None => None,
        })
    }
}
