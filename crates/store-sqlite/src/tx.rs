//! [`Tx`] on SQLite: a `BEGIN IMMEDIATE` transaction on the writer connection, with the
//! store's [`Sealer`] for the sealed columns it writes and reads.

use crate::query::{self, json, ms};
use crate::{chunk_sizes, db};
use async_trait::async_trait;
use chrono::Utc;
use groupcart_core::consent::{ConsentPurpose, ConsentRecord};
use groupcart_core::customer::{Customer, CustomerId, CustomerSighting, Upserted};
use groupcart_core::event::NewEvent;
use groupcart_core::job::NewJob;
use groupcart_core::outbox::NewOutbound;
use groupcart_core::sealing::{search_refs, Field, Sealer};
use groupcart_core::store::Tx;
use groupcart_core::{Error, Result};
use sqlx::sqlite::SqliteConnection;
use sqlx::{Row, Sqlite, Transaction};
use std::sync::Arc;

/// One open transaction. Dropping it without [`Tx::commit`] rolls it back (sqlx rolls back
/// a dropped transaction before the connection is used again).
///
/// Writes that nothing in a transaction reads back (events, outbound messages, inbox marks)
/// are kept here and sent as multi-row statements at commit: every statement is a round
/// trip to the connection's own thread, which costs far more than SQLite's work for it.
pub(crate) struct SqliteTx {
    tx: Transaction<'static, Sqlite>,
    events: Vec<NewEvent>,
    outbox: Vec<(i64, NewOutbound)>,
    /// The id the next enqueued message gets, once known.
    next_outbox_id: Option<i64>,
    done: Vec<i64>,
    /// The store's key ring (a clone of its handle).
    sealer: Arc<Sealer>,
}

impl SqliteTx {
    pub(crate) fn new(tx: Transaction<'static, Sqlite>, sealer: Arc<Sealer>) -> Self {
        SqliteTx {
            tx,
            events: Vec::new(),
            outbox: Vec::new(),
            next_outbox_id: None,
            done: Vec::new(),
            sealer,
        }
    }

    /// The store's key ring, as a handle of its own: statements on [`SqliteTx::conn`]
    /// borrow the transaction.
    pub(crate) fn sealer(&self) -> Arc<Sealer> {
        self.sealer.clone()
    }

    /// The transaction's connection, for the shop statements (`shop.rs`), which run at once.
    pub(crate) fn conn(&mut self) -> &mut SqliteConnection {
        &mut self.tx
    }

    pub(crate) async fn flush_events(&mut self) -> Result<()> {
        let events = std::mem::take(&mut self.events);
        let mut rest = events.as_slice();
        for size in chunk_sizes(rest.len()) {
            let (chunk, tail) = rest.split_at(size);
            rest = tail;
            let sql = values_sql(
                "INSERT INTO events (kind, at, bot, customer_id, chat_id, source, data) VALUES ",
                7,
                size,
            );
            let mut q = sqlx::query(&sql);
            for e in chunk {
                q = q
                    .bind(&e.kind)
                    .bind(ms(e.at))
                    .bind(&e.bot)
                    .bind(e.customer_id.map(|c| c.0))
                    .bind(e.chat_id)
                    .bind(&e.source)
                    .bind(json(&e.data)?);
            }
            q.execute(&mut *self.tx).await.map_err(db)?;
        }
        Ok(())
    }

    /// Writes the messages enqueued so far (their ids are already given out), so that
    /// statements reading the outbox see them; [`Tx::commit`] writes the rest.
    pub(crate) async fn flush_outbox(&mut self) -> Result<()> {
        let outbox = std::mem::take(&mut self.outbox);
        let mut rest = outbox.as_slice();
        for size in chunk_sizes(rest.len()) {
            let (chunk, tail) = rest.split_at(size);
            rest = tail;
            let sql = values_sql(
                "INSERT INTO outbox (id, bot, chat_id, customer_id, action, refs, broadcast,
                     next_attempt_at, created_at) VALUES ",
                9,
                size,
            );
            let mut q = sqlx::query(&sql);
            for (id, m) in chunk {
                let action = json(&m.action)?;
                q = q
                    .bind(id)
                    .bind(&m.bot)
                    .bind(m.chat_id)
                    .bind(m.customer_id.map(|c| c.0))
                    .bind(self.sealer.seal(Field::OutboxAction, &action))
                    .bind(search_refs(&action))
                    .bind(m.broadcast)
                    .bind(ms(m.not_before))
                    .bind(ms(m.created_at));
            }
            q.execute(&mut *self.tx).await.map_err(db)?;
        }
        Ok(())
    }

    async fn flush_done(&mut self) -> Result<()> {
        let mut done = std::mem::take(&mut self.done);
        done.sort_unstable();
        done.dedup();
        let now = ms(Utc::now());
        let mut marked = 0;
        let mut rest = done.as_slice();
        for size in chunk_sizes(rest.len()) {
            let (chunk, tail) = rest.split_at(size);
            rest = tail;
            let placeholders = vec!["?"; size].join(", ");
            let sql = format!(
                "UPDATE inbox SET status = 'done', processed_at = ?
                 WHERE status = 'pending' AND seq IN ({placeholders})"
            );
            let mut q = sqlx::query(&sql).bind(now);
            for seq in chunk {
                q = q.bind(seq);
            }
            marked += q.execute(&mut *self.tx).await.map_err(db)?.rows_affected();
        }
        if marked != done.len() as u64 {
            return Err(Error::Conflict(
                "an inbox update was processed or set aside meanwhile".into(),
            ));
        }
        Ok(())
    }
}

/// `prefix` followed by `rows` groups of `columns` placeholders.
fn values_sql(prefix: &str, columns: usize, rows: usize) -> String {
    let group = format!("({})", vec!["?"; columns].join(", "));
    format!("{prefix}{}", vec![group; rows].join(", "))
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

    async fn customer(&mut self, id: CustomerId) -> Result<Option<Customer>> {
        query::customer_by_id(&mut *self.tx, id.0).await
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
        // Records arrive in time order, so the newest marketing record is the current one.
        if r.purpose == ConsentPurpose::Marketing {
            sqlx::query("UPDATE customers SET marketing_consent = ? WHERE id = ?")
                .bind(r.granted)
                .bind(r.customer_id.0)
                .execute(&mut *self.tx)
                .await
                .map_err(db)?;
        }
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
        self.events.push(event.clone());
        Ok(())
    }

    async fn enqueue(&mut self, m: &NewOutbound) -> Result<i64> {
        // This transaction holds the write lock from its start, so nobody else can take the
        // ids after the current highest before it commits.
        let id = match self.next_outbox_id {
            Some(id) => id,
            None => {
                let row = sqlx::query(
                    "SELECT MAX(COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'outbox'), 0),
                                COALESCE((SELECT MAX(id) FROM outbox), 0)) + 1 AS next",
                )
                .fetch_one(&mut *self.tx)
                .await
                .map_err(db)?;
                row.try_get("next").map_err(db)?
            }
        };
        self.next_outbox_id = Some(id + 1);
        self.outbox.push((id, m.clone()));
        Ok(id)
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

    async fn complete_jobs(&mut self, ids: &[i64]) -> Result<()> {
        let mut rest = ids;
        for size in chunk_sizes(rest.len()) {
            let (chunk, tail) = rest.split_at(size);
            rest = tail;
            let sql = format!(
                "DELETE FROM jobs WHERE id IN ({})",
                vec!["?"; size].join(", ")
            );
            let mut q = sqlx::query(&sql);
            for id in chunk {
                q = q.bind(id);
            }
            q.execute(&mut *self.tx).await.map_err(db)?;
        }
        Ok(())
    }

    async fn inbox_done(&mut self, seq: i64) -> Result<()> {
        self.done.push(seq);
        Ok(())
    }

    async fn commit(mut self: Box<Self>) -> Result<()> {
        self.flush_events().await?;
        self.flush_outbox().await?;
        self.flush_done().await?;
        self.tx.commit().await.map_err(db)
    }
}
