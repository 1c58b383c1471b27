//! [`PointsStore`] and [`PointsTx`] on SQLite: the points ledger, check-ins and the points
//! settings (the tables of `migrations/0029_points.sql`).
//!
//! Writes in a [`SqliteTx`] run on the writer, whose `BEGIN IMMEDIATE` serialises them, so
//! [`PointsTx::lock_points`] only needs to check the customer exists and sum their ledger:
//! no other transaction can change it before this one ends.

use crate::query::{self, get, get_time, limit, ms, time};
use crate::tx::SqliteTx;
use crate::{db, SqliteStore};
use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use groupcart_core::customer::CustomerId;
use groupcart_core::points::{
    Checkin, NewPointsEntry, PointsEntry, PointsEntryId, PointsKind, PointsSettings, PointsStore,
    PointsTx,
};
use groupcart_core::{Error, Result};
use sqlx::sqlite::SqliteRow;

const COLUMNS: &str = "id, customer_id, delta, kind, reference, note, expires_at, at";

fn entry_row(row: &SqliteRow) -> Result<PointsEntry> {
    let kind: String = get(row, "kind")?;
    let expires_at: Option<i64> = get(row, "expires_at")?;
    Ok(PointsEntry {
        id: PointsEntryId(get(row, "id")?),
        customer_id: CustomerId(get(row, "customer_id")?),
        delta: get(row, "delta")?,
        kind: PointsKind::parse(&kind)
            .ok_or_else(|| Error::Storage(format!("unknown points kind {kind}")))?,
        reference: get(row, "reference")?,
        note: get(row, "note")?,
        expires_at: expires_at.map(time).transpose()?,
        at: get_time(row, "at")?,
    })
}

fn parse_day(day: &str) -> Result<NaiveDate> {
    NaiveDate::parse_from_str(day, "%Y-%m-%d")
        .map_err(|e| Error::Storage(format!("bad check-in day {day}: {e}")))
}

#[async_trait]
impl PointsStore for SqliteStore {
    async fn points_settings(&self) -> Result<PointsSettings> {
        query::load_settings(&self.reader, "points_settings").await
    }

    async fn set_points_settings(
        &self,
        settings: &PointsSettings,
        at: DateTime<Utc>,
    ) -> Result<()> {
        query::save_settings(&self.writer, "points_settings", settings, at).await
    }

    async fn points_balance(&self, customer: CustomerId) -> Result<i64> {
        let row = sqlx::query(
            "SELECT COALESCE(SUM(delta), 0) AS balance FROM points_ledger WHERE customer_id = ?",
        )
        .bind(customer.0)
        .fetch_one(&self.reader)
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
            "SELECT {COLUMNS} FROM points_ledger WHERE customer_id = ? AND id < ?
             ORDER BY id DESC LIMIT ?"
        );
        let rows = sqlx::query(&sql)
            .bind(customer.0)
            .bind(before.map_or(i64::MAX, |b| b.0))
            .bind(limit(limit_))
            .fetch_all(&self.reader)
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
             WHERE expires_at IS NOT NULL AND expires_at > ? AND expires_at <= ?
               AND customer_id > ?
             ORDER BY customer_id LIMIT ?",
        )
        .bind(since.map_or(i64::MIN, ms))
        .bind(ms(until))
        .bind(after.0)
        .bind(limit(limit_))
        .fetch_all(&self.reader)
        .await
        .map_err(db)?;
        rows.iter()
            .map(|r| get(r, "customer_id").map(CustomerId))
            .collect()
    }
}

#[async_trait]
impl PointsTx for SqliteTx {
    async fn current_points_settings(&mut self) -> Result<PointsSettings> {
        query::load_settings(self.conn(), "points_settings").await
    }

    async fn lock_points(&mut self, customer: CustomerId) -> Result<i64> {
        // The writer's transaction already excludes every other writer.
        let row = sqlx::query(
            "SELECT (SELECT COALESCE(SUM(delta), 0) FROM points_ledger
                     WHERE customer_id = customers.id) AS balance
             FROM customers WHERE id = ?",
        )
        .bind(customer.0)
        .fetch_optional(self.conn())
        .await
        .map_err(db)?
        .ok_or_else(|| Error::NotFound(format!("customer {}", customer.0)))?;
        get(&row, "balance")
    }

    async fn add_points_entry(&mut self, e: &NewPointsEntry) -> Result<Option<PointsEntry>> {
        let sql = format!(
            "INSERT INTO points_ledger (customer_id, delta, kind, reference, note, expires_at, at)
             VALUES (?, ?, ?, ?, ?, ?, ?)
             ON CONFLICT DO NOTHING RETURNING {COLUMNS}"
        );
        let row = sqlx::query(&sql)
            .bind(e.customer_id.0)
            .bind(e.delta)
            .bind(e.kind.as_str())
            .bind(&e.reference)
            .bind(&e.note)
            .bind(e.expires_at.map(ms))
            .bind(ms(e.at))
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
             WHERE customer_id = ? AND kind = ? AND reference = ?"
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
        let sql = format!("SELECT {COLUMNS} FROM points_ledger WHERE customer_id = ? ORDER BY id");
        let rows = sqlx::query(&sql)
            .bind(customer.0)
            .fetch_all(self.conn())
            .await
            .map_err(db)?;
        rows.iter().map(entry_row).collect()
    }

    async fn last_checkin(&mut self, customer: CustomerId) -> Result<Option<Checkin>> {
        let row = sqlx::query(
            "SELECT day, streak FROM points_checkins WHERE customer_id = ?
             ORDER BY day DESC LIMIT 1",
        )
        .bind(customer.0)
        .fetch_optional(self.conn())
        .await
        .map_err(db)?;
        row.map(|r| {
            Ok(Checkin {
                day: parse_day(&get::<String>(&r, "day")?)?,
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
            "INSERT INTO points_checkins (customer_id, day, streak, at) VALUES (?, ?, ?, ?)
             ON CONFLICT DO NOTHING",
        )
        .bind(customer.0)
        .bind(checkin.day.format("%Y-%m-%d").to_string())
        .bind(checkin.streak)
        .bind(ms(at))
        .execute(self.conn())
        .await
        .map_err(db)?;
        Ok(done.rows_affected() == 1)
    }

    async fn customer_time_zone(&mut self, customer: CustomerId) -> Result<Option<String>> {
        let row = sqlx::query("SELECT time_zone FROM customers WHERE id = ?")
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
