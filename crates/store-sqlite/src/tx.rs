//! [`Tx`] on SQLite: a `BEGIN IMMEDIATE` transaction on the writer connection.

use crate::db;
use crate::query::{self, json, ms};
use async_trait::async_trait;
use chrono::Utc;
use groupcart_core::consent::ConsentRecord;
use groupcart_core::customer::{Customer, CustomerId, CustomerSighting, Upserted};
use groupcart_core::event::NewEvent;
use groupcart_core::job::NewJob;
use groupcart_core::outbox::NewOutbound;
use groupcart_core::store::Tx;
use groupcart_core::{Error, Result};
use sqlx::{Row, Sqlite, Transaction};

/// One open transaction. Dropping it without [`Tx::commit`] rolls it back (sqlx rolls back
/// a dropped transaction before the connection is used again).
pub(crate) struct SqliteTx {
    tx: Transaction<'static, Sqlite>,
}

impl SqliteTx {
    pub(crate) fn new(tx: Transaction<'static, Sqlite>) -> Self {
        SqliteTx { tx }
    }
}

#[async_trait]
impl Tx for SqliteTx {
    // --- customers ---

    async fn upsert_customer(&mut self, s: &CustomerSighting) -> Result<Upserted> {
        // Two statements instead of PostgreSQL's `xmax = 0` trick: this transaction holds the
        // write lock, so nothing can come between the insert attempt and the update.
        let inserted = sqlx::query(concat!(
            "INSERT INTO customers (telegram_user_id, first_name, last_name, username,
                 telegram_language, first_source, first_bot, first_seen_at, last_seen_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
             ON CONFLICT (telegram_user_id) DO NOTHING
             RETURNING ",
            customer_columns!()
        ))
        .bind(s.telegram_user_id)
        .bind(&s.first_name)
        .bind(&s.last_name)
        .bind(&s.username)
        .bind(&s.telegram_language)
        .bind(&s.source)
        .bind(&s.bot)
        .bind(ms(s.at))
        .bind(ms(s.at))
        .fetch_optional(&mut *self.tx)
        .await
        .map_err(db)?;
        if let Some(row) = inserted {
            return Ok(Upserted {
                customer: query::customer(&row)?,
                created: true,
            });
        }
        // An unknown Telegram language keeps the known one; the first source is filled only
        // if still empty; last_seen_at never goes back (sightings may arrive out of order).
        let row = sqlx::query(concat!(
            "UPDATE customers
             SET first_name = ?, last_name = ?, username = ?,
                 telegram_language = COALESCE(?, telegram_language),
                 first_source = COALESCE(first_source, ?),
                 last_seen_at = MAX(last_seen_at, ?)
             WHERE telegram_user_id = ?
             RETURNING ",
            customer_columns!()
        ))
        .bind(&s.first_name)
        .bind(&s.last_name)
        .bind(&s.username)
        .bind(&s.telegram_language)
        .bind(&s.source)
        .bind(ms(s.at))
        .bind(s.telegram_user_id)
        .fetch_one(&mut *self.tx)
        .await
        .map_err(db)?;
        Ok(Upserted {
            customer: query::customer(&row)?,
            created: false,
        })
    }

    async fn customer_by_telegram_id(&mut self, telegram_user_id: i64) -> Result<Option<Customer>> {
        query::customer_by_telegram_id(&mut *self.tx, telegram_user_id).await
    }

    async fn set_customer_language(&mut self, customer: CustomerId, language: &str) -> Result<()> {
        let changed = sqlx::query("UPDATE customers SET language = ? WHERE id = ?")
            .bind(language)
            .bind(customer.0)
            .execute(&mut *self.tx)
            .await
            .map_err(db)?
            .rows_affected();
        if changed == 0 {
            return Err(Error::NotFound(format!("customer {}", customer.0)));
        }
        Ok(())
    }

    async fn record_consent(&mut self, r: &ConsentRecord) -> Result<()> {
        sqlx::query(
            "INSERT INTO consents (customer_id, purpose, granted, policy_version, bot, at)
             VALUES (?, ?, ?, ?, ?, ?)",
        )
        .bind(r.customer_id.0)
        .bind(r.purpose.as_str())
        .bind(r.granted)
        .bind(&r.policy_version)
        .bind(&r.bot)
        .bind(ms(r.at))
        .execute(&mut *self.tx)
        .await
        .map_err(|e| match &e {
            sqlx::Error::Database(d) if d.is_foreign_key_violation() => {
                Error::NotFound(format!("customer {}", r.customer_id.0))
            }
            _ => db(e),
        })?;
        Ok(())
    }

    async fn current_consents(&mut self, customer: CustomerId) -> Result<Vec<ConsentRecord>> {
        let rows = sqlx::query(concat!(
            "SELECT ",
            consent_columns!(),
            " FROM (
                 SELECT *, ROW_NUMBER() OVER (PARTITION BY purpose ORDER BY at DESC, id DESC) AS n
                 FROM consents
                 WHERE customer_id = ?
             ) AS latest
             WHERE n = 1
             ORDER BY purpose"
        ))
        .bind(customer.0)
        .fetch_all(&mut *self.tx)
        .await
        .map_err(db)?;
        rows.iter().map(query::consent).collect()
    }

    // --- effects ---

    async fn append_event(&mut self, event: &NewEvent) -> Result<()> {
        query::append_event(&mut *self.tx, event).await
    }

    async fn enqueue(&mut self, m: &NewOutbound) -> Result<i64> {
        let row = sqlx::query(
            "INSERT INTO outbox (bot, chat_id, customer_id, action, broadcast,
                 next_attempt_at, created_at)
             VALUES (?, ?, ?, ?, ?, ?, ?)
             RETURNING id",
        )
        .bind(&m.bot)
        .bind(m.chat_id)
        .bind(m.customer_id.map(|c| c.0))
        .bind(json(&m.action)?)
        .bind(m.broadcast)
        .bind(ms(m.not_before))
        .bind(ms(m.created_at))
        .fetch_one(&mut *self.tx)
        .await
        .map_err(db)?;
        row.try_get("id").map_err(db)
    }

    async fn schedule_job(&mut self, job: &NewJob) -> Result<Option<i64>> {
        // The conflict target names the partial unique index: only a queued job with the
        // same key blocks; a failed one does not.
        let row = sqlx::query(
            "INSERT INTO jobs (kind, payload, run_at, dedup_key, max_attempts)
             VALUES (?, ?, ?, ?, ?)
             ON CONFLICT (dedup_key) WHERE status = 'queued' DO NOTHING
             RETURNING id",
        )
        .bind(&job.kind)
        .bind(json(&job.payload)?)
        .bind(ms(job.run_at))
        .bind(&job.dedup_key)
        .bind(job.max_attempts)
        .fetch_optional(&mut *self.tx)
        .await
        .map_err(db)?;
        row.map(|r| r.try_get("id").map_err(db)).transpose()
    }

    async fn complete_job(&mut self, id: i64) -> Result<()> {
        sqlx::query("DELETE FROM jobs WHERE id = ?")
            .bind(id)
            .execute(&mut *self.tx)
            .await
            .map_err(db)?;
        Ok(())
    }

    async fn inbox_done(&mut self, seq: i64) -> Result<()> {
        let done = sqlx::query(
            "UPDATE inbox SET status = 'done', processed_at = ?
             WHERE seq = ? AND status = 'pending'",
        )
        .bind(ms(Utc::now()))
        .bind(seq)
        .execute(&mut *self.tx)
        .await
        .map_err(db)?;
        if done.rows_affected() == 0 {
            return Err(Error::Conflict(format!(
                "inbox update {seq} is not pending"
            )));
        }
        Ok(())
    }

    async fn commit(self: Box<Self>) -> Result<()> {
        self.tx.commit().await.map_err(db)
    }
}
