//! [`Tx`] on PostgreSQL: a read-committed transaction on a pooled connection, with the
//! store's [`Sealer`] for the sealed columns it writes and reads.

use crate::db;
use crate::query::{self, json};
use async_trait::async_trait;
use chrono::Utc;
use groupcart_core::consent::ConsentRecord;
use groupcart_core::customer::{Customer, CustomerId, CustomerSighting, Upserted};
use groupcart_core::event::NewEvent;
use groupcart_core::job::NewJob;
use groupcart_core::outbox::NewOutbound;
use groupcart_core::sealing::{search_refs, Field, Sealer};
use groupcart_core::store::Tx;
use groupcart_core::{Error, Result};
use sqlx::postgres::PgConnection;
use sqlx::{Postgres, Row, Transaction};
use std::sync::Arc;

/// One open transaction. Dropping it without [`Tx::commit`] rolls it back (sqlx rolls back
/// a dropped transaction before the connection is used again).
///
/// Events and inbox marks, which nothing in a transaction reads back, are kept here and
/// written with one statement each at commit, saving a round trip per write.
pub(crate) struct PostgresTx {
    tx: Transaction<'static, Postgres>,
    sealer: Arc<Sealer>,
    events: Vec<NewEvent>,
    done: Vec<i64>,
}

impl PostgresTx {
    /// A transaction sealing and opening with `sealer` (the store's).
    pub(crate) fn new(tx: Transaction<'static, Postgres>, sealer: Arc<Sealer>) -> Self {
        PostgresTx {
            tx,
            sealer,
            events: Vec::new(),
            done: Vec::new(),
        }
    }

    /// The transaction's connection, for the shop statements (`shop.rs`).
    pub(crate) fn conn(&mut self) -> &mut PgConnection {
        &mut self.tx
    }

    /// The store's sealer.
    pub(crate) fn sealer(&self) -> &Sealer {
        &self.sealer
    }

    /// The transaction's connection and the store's sealer at once, for statements that
    /// read sealed columns.
    pub(crate) fn parts(&mut self) -> (&mut PgConnection, &Sealer) {
        (&mut self.tx, &self.sealer)
    }

    pub(crate) async fn flush_events(&mut self) -> Result<()> {
        let events = std::mem::take(&mut self.events);
        if events.is_empty() {
            return Ok(());
        }
        // `ORDER BY n` keeps the ids in the order the events were appended.
        sqlx::query(
            "INSERT INTO events (kind, at, bot, customer_id, chat_id, source, data)
             SELECT kind, at, bot, customer_id, chat_id, source, data
             FROM UNNEST($1::text[], $2::timestamptz[], $3::text[], $4::int8[], $5::int8[],
                         $6::text[], $7::jsonb[])
                  WITH ORDINALITY AS e (kind, at, bot, customer_id, chat_id, source, data, n)
             ORDER BY n",
        )
        .bind(events.iter().map(|e| e.kind.as_str()).collect::<Vec<_>>())
        .bind(events.iter().map(|e| e.at).collect::<Vec<_>>())
        .bind(events.iter().map(|e| e.bot.as_deref()).collect::<Vec<_>>())
        .bind(
            events
                .iter()
                .map(|e| e.customer_id.map(|c| c.0))
                .collect::<Vec<_>>(),
        )
        .bind(events.iter().map(|e| e.chat_id).collect::<Vec<_>>())
        .bind(
            events
                .iter()
                .map(|e| e.source.as_deref())
                .collect::<Vec<_>>(),
        )
        .bind(events.iter().map(|e| &e.data).collect::<Vec<_>>())
        .execute(&mut *self.tx)
        .await
        .map_err(db)?;
        Ok(())
    }

    async fn flush_done(&mut self) -> Result<()> {
        let mut done = std::mem::take(&mut self.done);
        if done.is_empty() {
            return Ok(());
        }
        done.sort_unstable();
        done.dedup();
        let marked = sqlx::query(
            "UPDATE inbox SET status = 'done', processed_at = $1
             WHERE status = 'pending' AND seq = ANY($2)",
        )
        .bind(Utc::now())
        .bind(&done)
        .execute(&mut *self.tx)
        .await
        .map_err(db)?
        .rows_affected();
        if marked != done.len() as u64 {
            return Err(Error::Conflict(
                "an inbox update was processed or set aside meanwhile".into(),
            ));
        }
        Ok(())
    }
}

#[async_trait]
impl Tx for PostgresTx {
    // --- customers ---

    async fn upsert_customer(&mut self, s: &CustomerSighting) -> Result<Upserted> {
        // `xmax = 0` holds only for a row this statement inserted; an updated row carries
        // this transaction's id in xmax. An unknown Telegram language keeps the known one; the
        // first source is filled only if still empty; last_seen_at never goes back (sightings
        // may arrive out of order).
        let row = sqlx::query(concat!(
            "INSERT INTO customers (telegram_user_id, first_name, last_name, username,
                 telegram_language, first_source, first_bot, first_seen_at, last_seen_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)
             ON CONFLICT (telegram_user_id) DO UPDATE
             SET first_name = EXCLUDED.first_name, last_name = EXCLUDED.last_name,
                 username = EXCLUDED.username,
                 telegram_language = COALESCE(EXCLUDED.telegram_language, customers.telegram_language),
                 first_source = COALESCE(customers.first_source, EXCLUDED.first_source),
                 last_seen_at = GREATEST(customers.last_seen_at, EXCLUDED.last_seen_at)
             RETURNING (xmax = 0) AS created, ",
            customer_columns!()
        ))
        .bind(s.telegram_user_id)
        .bind(&s.first_name)
        .bind(&s.last_name)
        .bind(&s.username)
        .bind(&s.telegram_language)
        .bind(&s.source)
        .bind(&s.bot)
        .bind(s.at)
        .fetch_one(&mut *self.tx)
        .await
        .map_err(db)?;
        Ok(Upserted {
            customer: query::customer(&row)?,
            created: row.try_get("created").map_err(db)?,
        })
    }

    async fn customer_by_telegram_id(&mut self, telegram_user_id: i64) -> Result<Option<Customer>> {
        query::customer_by_telegram_id(&mut *self.tx, telegram_user_id).await
    }

    async fn customer(&mut self, id: CustomerId) -> Result<Option<Customer>> {
        query::customer_by_id(&mut *self.tx, id.0).await
    }

    async fn set_customer_language(&mut self, customer: CustomerId, language: &str) -> Result<()> {
        let changed = sqlx::query("UPDATE customers SET language = $1 WHERE id = $2")
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
        // Records arrive in time order, so a marketing record is the current marketing
        // consent: the customer's denormalized copy follows it in the same statement.
        sqlx::query(
            "WITH recorded AS (
                 INSERT INTO consents (customer_id, purpose, granted, policy_version, bot, at)
                 VALUES ($1, $2, $3, $4, $5, $6)
                 RETURNING customer_id, purpose, granted
             )
             UPDATE customers SET marketing_consent = recorded.granted
             FROM recorded
             WHERE customers.id = recorded.customer_id AND recorded.purpose = 'marketing'",
        )
        .bind(r.customer_id.0)
        .bind(r.purpose.as_str())
        .bind(r.granted)
        .bind(&r.policy_version)
        .bind(&r.bot)
        .bind(r.at)
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
                 WHERE customer_id = $1
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
        self.events.push(event.clone());
        Ok(())
    }

    async fn enqueue(&mut self, m: &NewOutbound) -> Result<i64> {
        // The action's JSON is stored sealed, with the ids and buttons it names beside it
        // for erasure.
        let action = serde_json::to_string(&m.action)
            .map_err(|e| Error::Storage(format!("cannot encode JSON: {e}")))?;
        let row = sqlx::query(
            "INSERT INTO outbox (bot, chat_id, customer_id, action, refs, broadcast,
                 next_attempt_at, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
             RETURNING id",
        )
        .bind(&m.bot)
        .bind(m.chat_id)
        .bind(m.customer_id.map(|c| c.0))
        .bind(self.sealer.seal(Field::OutboxAction, &action))
        .bind(search_refs(&action))
        .bind(m.broadcast)
        .bind(m.not_before)
        .bind(m.created_at)
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
             VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (dedup_key) WHERE status = 'queued' DO NOTHING
             RETURNING id",
        )
        .bind(&job.kind)
        .bind(json(&job.payload)?)
        .bind(job.run_at)
        .bind(&job.dedup_key)
        .bind(job.max_attempts)
        .fetch_optional(&mut *self.tx)
        .await
        .map_err(db)?;
        row.map(|r| r.try_get("id").map_err(db)).transpose()
    }

    async fn complete_job(&mut self, id: i64) -> Result<()> {
        sqlx::query("DELETE FROM jobs WHERE id = $1")
            .bind(id)
            .execute(&mut *self.tx)
            .await
            .map_err(db)?;
        Ok(())
    }

    async fn complete_jobs(&mut self, ids: &[i64]) -> Result<()> {
        sqlx::query("DELETE FROM jobs WHERE id = ANY($1)")
            .bind(ids)
            .execute(&mut *self.tx)
            .await
            .map_err(db)?;
        Ok(())
    }

    async fn inbox_done(&mut self, seq: i64) -> Result<()> {
        self.done.push(seq);
        Ok(())
    }

    async fn commit(mut self: Box<Self>) -> Result<()> {
        self.flush_events().await?;
        self.flush_done().await?;
        self.tx.commit().await.map_err(db)
    }
}
