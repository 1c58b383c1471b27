//! PostgreSQL implementation of groupcart's storage ports ([`groupcart_core::store`]).
//!
//! This crate owns the PostgreSQL schema (`migrations/`), its embedded migrator, and
//! [`PostgresStore`], which implements [`Store`], [`Tx`], the catalog port
//! ([`groupcart_core::catalog::CatalogStore`], in `catalog.rs`) and the shop ports
//! ([`groupcart_core::shop::ShopStore`] and [`groupcart_core::shop::ShopTx`], in `shop.rs`:
//! carts, orders with their stock reservations, payments) and the coupon ports
//! ([`groupcart_core::coupon::PromotionStore`] and [`groupcart_core::coupon::PromotionTx`],
//! in `coupon.rs`: promotions, single-use codes, cart codes, the uses orders take), and the
//! flash-sale ports ([`groupcart_core::flash_sale::FlashSaleStore`] and
//! [`groupcart_core::flash_sale::FlashSaleTx`], in `flash_sale.rs`: sales, the buys holding
//! their units, reminders, announcements), and the CRM ports
//! ([`groupcart_core::crm::CrmStore`] and [`groupcart_core::crm::CrmTx`] in `crm.rs`: profiles,
//! lifecycle stages, segment rows; [`groupcart_core::segment::SegmentStore`] and
//! [`groupcart_core::segment::SegmentTx`] in `segment.rs`: saved segments;
//! [`groupcart_core::broadcast::BroadcastStore`] and
//! [`groupcart_core::broadcast::BroadcastTx`] in `broadcast.rs`: broadcasts and their
//! recipients), and [`groupcart_core::sealing::SealingStore`] (in `sealing.rs`: the register
//! of keys and the re-sealing of rotation). Its
//! behaviour is pinned down by the contract suite in `groupcart-store-contract`, which runs
//! the same tests against SQLite; `groupcart-store-sqlite` is written to be read side by side
//! with this crate.
//!
//! # Representation
//!
//! - Times are `TIMESTAMPTZ` (microsecond precision; anything finer is dropped).
//! - JSON (event data, job payloads, a product's texts, tags and images, a variant's option
//!   values, a promotion's definition) is `JSONB`.
//! - Personal fields the database never searches are `TEXT` sealed with the store's
//!   [`Sealer`] ([`groupcart_core::sealing`]): written sealed, opened when read, plain values
//!   written before encryption read as they are. They are `orders.shipping_address` (its
//!   JSON, with the upper-cased country beside it in plain, `shipping_country`),
//!   `order_events.note`, `customers.notes`, `inbox.payload` (the update as received),
//!   `outbox.action` (its JSON), `support_messages.text`, `faq_unanswered.question`,
//!   `moderation_actions.excerpt` and `console_users.totp_secret`. No statement looks inside
//!   them: an inbox or outbox row keeps the ids and button data it names in plain in `refs`
//!   ([`groupcart_core::sealing::search_refs`]), which is what erasure searches.
//!
//! # Concurrency
//!
//! Several instances may share one database. Migrations hold an advisory lock, job claims
//! use `FOR UPDATE SKIP LOCKED`, and every guard (`status = 'pending'`, `status = 'queued'`,
//! `stock + delta >= 0`, `stock >= quantity`, an order's `status = from`) is part of the
//! `UPDATE` itself, so concurrent writers never need to read first. A catalog save, which
//! must read what it replaces, locks those rows first. Variant rows are locked in id order
//! (a save's `FOR UPDATE`, an order's reservations and releases), so writers sharing
//! variants do not deadlock; an order then locks its promotions, also in id order, to check
//! and count their uses (`coupon.rs`). Writers of coupon codes hold an advisory lock of
//! their own, so a code is never both a shared and a single-use code.
//!
//! Inbox `seq` values are taken when a row is inserted, not when it commits: with several
//! concurrent writers a smaller `seq` can become visible after a larger one. A consumer that
//! advances an `after_seq` cursor should go back to the start now and then (as it does after
//! a restart) so that such a late row is not left behind.

#[macro_use]
mod query;
mod analytics;
mod api_token;
mod audit;
mod automation;
mod broadcast;
mod calendar;
mod catalog;
mod community;
mod console;
mod copy_out;
mod coupon;
mod crm;
mod customer_import;
mod flash_sale;
mod giveaway;
mod group_buy;
mod lease;
mod membership;
mod migrate;
mod moderation;
mod points;
mod privacy;
mod recommend;
mod referral;
mod sealing;
mod segment;
mod shop;
mod support;
pub mod synthetic;
mod tag_rules;
mod tiers;
mod tx;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use groupcart_core::consent::ConsentRecord;
use groupcart_core::customer::{Customer, CustomerId};
use groupcart_core::event::{Event, NewEvent};
use groupcart_core::inbox::{InboxUpdate, NewInboxUpdate};
use groupcart_core::job::Job;
use groupcart_core::outbox::{OutboundMessage, OutboxStats, Settlement};
use groupcart_core::sealing::{search_refs, Field, Sealer};
use groupcart_core::store::{Backend, SharedStore, Store, Tx};
use groupcart_core::{Error, Result};
use sqlx::postgres::{PgPool, PgPoolOptions};
use sqlx::Row;
use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

/// A groupcart store on a PostgreSQL database.
#[derive(Debug, Clone)]
pub struct PostgresStore {
    pool: PgPool,
    /// Seals what is written to the sealed columns and opens what is read from them.
    sealer: Arc<Sealer>,
}

impl PostgresStore {
    /// Connects to the database at `url` with a pool of at most `max_connections`, and
    /// applies pending migrations (waiting for another instance that is migrating). Sealed
    /// columns are written and read with `sealer`; call
    /// [`groupcart_core::sealing::SealingStore::check_keys`] before serving, to make sure
    /// its keys are the database's.
    pub async fn connect(
        url: &str,
        max_connections: u32,
        sealer: Arc<Sealer>,
    ) -> Result<PostgresStore> {
        let pool = PgPoolOptions::new()
            .max_connections(max_connections.max(1))
            .connect(url)
            .await
            .map_err(db)?;
        migrate::run(&pool).await?;
        Ok(PostgresStore { pool, sealer })
    }

    /// Wraps the store for sharing: `Arc<dyn Store>`.
    pub fn into_shared(self) -> SharedStore {
        Arc::new(self)
    }

    /// Closes every connection, waiting for the ones in use to be returned.
    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// Maps an sqlx error to the core's error. A serialization failure or a deadlock becomes
/// [`Error::Conflict`] (the caller may retry); everything else is storage failure.
pub(crate) fn db(e: sqlx::Error) -> Error {
    if let sqlx::Error::Database(d) = &e {
        match d.code().as_deref() {
            Some("40001" | "40P01") => return Error::Conflict(d.message().to_owned()),
            // PostgreSQL text cannot hold a NUL character (SQLite can): bad input, not a
            // failure of the store.
            Some("22021" | "22P05") => {
                return Error::Invalid("text must not contain NUL characters".into())
            }
            _ => {}
        }
    }
    Error::storage(e)
}

#[async_trait]
impl Store for PostgresStore {
    fn backend(&self) -> Backend {
        Backend::Postgres
    }

    async fn ping(&self) -> Result<()> {
        sqlx::query("SELECT 1")
            .execute(&self.pool)
            .await
            .map_err(db)?;
        Ok(())
    }

    async fn begin(&self) -> Result<Box<dyn Tx>> {
        let tx = self.pool.begin().await.map_err(db)?;
        Ok(Box::new(tx::PostgresTx::new(tx, self.sealer.clone())))
    }

    // --- inbox ---

    async fn inbox_insert(&self, updates: &[NewInboxUpdate]) -> Result<Vec<bool>> {
        if updates.is_empty() {
            return Ok(Vec::new());
        }
        // A later copy of a key in the same batch is a duplicate of the first one; only the
        // first copies are sent to the database.
        let mut first = Vec::with_capacity(updates.len());
        let mut seen = HashSet::with_capacity(updates.len());
        for u in updates {
            first.push(seen.insert((u.bot.as_str(), u.update_id)));
        }
        let unique: Vec<&NewInboxUpdate> = updates
            .iter()
            .zip(&first)
            .filter_map(|(u, &f)| f.then_some(u))
            .collect();

        // One statement for the whole batch, whatever its size: the columns go as arrays.
        // `ORDER BY n` makes `seq` follow the batch order. The payload is stored sealed,
        // with the ids and buttons it names beside it for erasure.
        let rows = sqlx::query(
            "INSERT INTO inbox (bot, update_id, chat_id, payload, refs, received_at)
             SELECT bot, update_id, chat_id, payload, refs, received_at
             FROM UNNEST($1::text[], $2::int8[], $3::int8[], $4::text[], $5::text[],
                         $6::timestamptz[])
                  WITH ORDINALITY AS u (bot, update_id, chat_id, payload, refs, received_at, n)
             ORDER BY n
             ON CONFLICT (bot, update_id) DO NOTHING
             RETURNING bot, update_id",
        )
        .bind(unique.iter().map(|u| u.bot.as_str()).collect::<Vec<_>>())
        .bind(unique.iter().map(|u| u.update_id).collect::<Vec<_>>())
        .bind(unique.iter().map(|u| u.chat_id).collect::<Vec<_>>())
        .bind(
            unique
                .iter()
                .map(|u| self.sealer.seal(Field::Update, &u.payload))
                .collect::<Vec<_>>(),
        )
        .bind(
            unique
                .iter()
                .map(|u| search_refs(&u.payload))
                .collect::<Vec<_>>(),
        )
        .bind(unique.iter().map(|u| u.received_at).collect::<Vec<_>>())
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        let mut inserted: HashSet<(String, i64)> = HashSet::with_capacity(rows.len());
        for row in rows {
            inserted.insert((
                row.try_get("bot").map_err(db)?,
                row.try_get("update_id").map_err(db)?,
            ));
        }

        Ok(updates
            .iter()
            .zip(first)
            .map(|(u, f)| f && inserted.contains(&(u.bot.clone(), u.update_id)))
            .collect())
    }

    async fn inbox_pending(&self, after_seq: i64, limit: i64) -> Result<Vec<InboxUpdate>> {
        let rows = sqlx::query(
            "SELECT seq, bot, update_id, chat_id, payload, received_at, attempts
             FROM inbox
             WHERE status = 'pending' AND seq > $1
             ORDER BY seq
             LIMIT $2",
        )
        .bind(after_seq)
        .bind(query::limit(limit))
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        rows.iter()
            .map(|row| query::inbox_update(row, &self.sealer))
            .collect()
    }

    async fn inbox_failed(&self, seq: i64, error: &str, give_up: bool) -> Result<()> {
        let q = if give_up {
            sqlx::query(
                "UPDATE inbox
                 SET status = 'failed', attempts = attempts + 1, last_error = $1, processed_at = $2
                 WHERE seq = $3 AND status = 'pending'",
            )
            .bind(error)
            .bind(Utc::now())
        } else {
            sqlx::query(
                "UPDATE inbox
                 SET attempts = attempts + 1, last_error = $1
                 WHERE seq = $2 AND status = 'pending'",
            )
            .bind(error)
        };
        q.bind(seq).execute(&self.pool).await.map_err(db)?;
        Ok(())
    }

    // --- outbox ---

    async fn outbox_due(
        &self,
        bot: &str,
        now: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<OutboundMessage>> {
        // Each chat's first pending message is one probe of `outbox_pending_per_chat`. (An
        // anti-join `NOT EXISTS (… earlier.id < o.id)` was planned as a nested loop over all
        // pending rows when the statistics were young: 200 ms a step with 500 pending
        // broadcast messages, against 3 ms for this form.)
        let rows = sqlx::query(concat!(
            "SELECT ",
            outbox_columns!(),
            " FROM outbox o
             WHERE o.bot = $1 AND o.status = 'pending' AND o.next_attempt_at <= $2
               AND o.id = (
                   SELECT first.id FROM outbox first
                   WHERE first.bot = o.bot AND first.chat_id = o.chat_id
                     AND first.status = 'pending'
                   ORDER BY first.id
                   LIMIT 1)
             ORDER BY o.id
             LIMIT $3"
        ))
        .bind(bot)
        .bind(now)
        .bind(query::limit(limit))
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        rows.iter()
            .map(|row| query::outbound(row, &self.sealer))
            .collect()
    }

    async fn outbox_settle(
        &self,
        id: i64,
        settlement: &Settlement,
        event: Option<&NewEvent>,
    ) -> Result<()> {
        let mut tx = self.pool.begin().await.map_err(db)?;
        // `status = 'pending'` guards a message already settled: it is left as it is.
        let q = match settlement {
            Settlement::Sent {
                at,
                remote_message_id,
            } => sqlx::query(
                "UPDATE outbox
                 SET status = 'sent', settled_at = $1, remote_message_id = $2
                 WHERE id = $3 AND status = 'pending'",
            )
            .bind(*at)
            .bind(*remote_message_id),
            Settlement::Retry {
                at: _,
                next_attempt_at,
                error,
            } => sqlx::query(
                "UPDATE outbox
                 SET attempts = attempts + 1, next_attempt_at = $1, last_error = $2
                 WHERE id = $3 AND status = 'pending'",
            )
            .bind(*next_attempt_at)
            .bind(error.as_str()),
            Settlement::Failed { at, reason } => sqlx::query(
                "UPDATE outbox
                 SET status = 'failed', settled_at = $1, last_error = $2, attempts = attempts + 1
                 WHERE id = $3 AND status = 'pending'",
            )
            .bind(*at)
            .bind(reason.as_str()),
        };
        let changed = q
            .bind(id)
            .execute(&mut *tx)
            .await
            .map_err(db)?
            .rows_affected();
        // The event describes this settlement; if the guard left the message alone, nothing
        // happened and no event is written.
        if let (1, Some(event)) = (changed, event) {
            query::append_event(&mut *tx, event).await?;
        }
        tx.commit().await.map_err(db)?;
        Ok(())
    }

    async fn outbox_stats(&self) -> Result<OutboxStats> {
        let rows = sqlx::query("SELECT status, COUNT(*) AS n FROM outbox GROUP BY status")
            .fetch_all(&self.pool)
            .await
            .map_err(db)?;
        let mut stats = OutboxStats::default();
        for row in rows {
            let status: String = row.try_get("status").map_err(db)?;
            let n: i64 = row.try_get("n").map_err(db)?;
            match status.as_str() {
                "pending" => stats.pending = n,
                "sent" => stats.sent = n,
                "failed" => stats.failed = n,
                _ => {}
            }
        }
        Ok(stats)
    }

    async fn recent_sends(
        &self,
        bot: &str,
        since: DateTime<Utc>,
    ) -> Result<Vec<(i64, DateTime<Utc>)>> {
        let rows = sqlx::query(
            "SELECT chat_id, settled_at FROM outbox
             WHERE bot = $1 AND status = 'sent' AND settled_at >= $2
             ORDER BY settled_at, id LIMIT 100000",
        )
        .bind(bot)
        .bind(since)
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        rows.iter()
            .map(|row| {
                Ok((
                    row.try_get("chat_id").map_err(db)?,
                    row.try_get("settled_at").map_err(db)?,
                ))
            })
            .collect()
    }

    async fn outbox_state(&self, id: i64) -> Result<Option<groupcart_core::outbox::OutboxState>> {
        use groupcart_core::outbox::OutboxState;
        let row = sqlx::query("SELECT status, remote_message_id FROM outbox WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await
            .map_err(db)?;
        let Some(row) = row else {
            return Ok(None);
        };
        let status: String = row.try_get("status").map_err(db)?;
        Ok(Some(match status.as_str() {
            "pending" => OutboxState::Pending,
            "sent" => OutboxState::Sent {
                remote_message_id: row.try_get("remote_message_id").map_err(db)?,
            },
            _ => OutboxState::Failed,
        }))
    }

    // --- jobs ---

    async fn jobs_claim(
        &self,
        worker: &str,
        now: DateTime<Utc>,
        lease: Duration,
        limit: i64,
    ) -> Result<Vec<Job>> {
        let until = query::lease_end(now, lease)?;
        // SKIP LOCKED: concurrent claimers (other instances too) pass over the rows another
        // claimer is taking instead of waiting for them or taking them twice.
        let rows = sqlx::query(concat!(
            "UPDATE jobs
             SET locked_by = $1, locked_until = $2, attempts = attempts + 1
             WHERE id IN (
                 SELECT id FROM jobs
                 WHERE status = 'queued' AND run_at <= $3
                   AND (locked_until IS NULL OR locked_until <= $3)
                 ORDER BY run_at, id
                 LIMIT $4
                 FOR UPDATE SKIP LOCKED
             )
             RETURNING ",
            job_columns!()
        ))
        .bind(worker)
        .bind(until)
        .bind(now)
        .bind(query::limit(limit))
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        let mut jobs = rows.iter().map(query::job).collect::<Result<Vec<_>>>()?;
        // RETURNING has no defined order.
        jobs.sort_by_key(|j| (j.run_at, j.id));
        Ok(jobs)
    }

    async fn job_retry(&self, id: i64, run_at: DateTime<Utc>, error: &str) -> Result<()> {
        sqlx::query(
            "UPDATE jobs
             SET run_at = $1, last_error = $2, locked_by = NULL, locked_until = NULL
             WHERE id = $3 AND status = 'queued'",
        )
        .bind(run_at)
        .bind(error)
        .bind(id)
        .execute(&self.pool)
        .await
        .map_err(db)?;
        Ok(())
    }

    async fn job_fail(&self, id: i64, error: &str) -> Result<()> {
        sqlx::query(
            "UPDATE jobs
             SET status = 'failed', last_error = $1, locked_by = NULL, locked_until = NULL
             WHERE id = $2 AND status = 'queued'",
        )
        .bind(error)
        .bind(id)
        .execute(&self.pool)
        .await
        .map_err(db)?;
        Ok(())
    }

    async fn job_lag(&self, now: DateTime<Utc>) -> Result<Duration> {
        let oldest: Option<DateTime<Utc>> = sqlx::query(
            "SELECT MIN(run_at) AS oldest FROM jobs
             WHERE status = 'queued' AND run_at <= $1
               AND (locked_until IS NULL OR locked_until <= $1)",
        )
        .bind(now)
        .fetch_one(&self.pool)
        .await
        .map_err(db)?
        .try_get("oldest")
        .map_err(db)?;
        match oldest {
            Some(oldest) => Ok((now - oldest).to_std().unwrap_or(Duration::ZERO)),
            None => Ok(Duration::ZERO),
        }
    }

    // --- reads ---

    async fn customer_by_telegram_id(&self, telegram_user_id: i64) -> Result<Option<Customer>> {
        query::customer_by_telegram_id(&self.pool, telegram_user_id).await
    }

    async fn consent_history(&self, customer: CustomerId) -> Result<Vec<ConsentRecord>> {
        let rows = sqlx::query(concat!(
            "SELECT ",
            consent_columns!(),
            " FROM consents WHERE customer_id = $1 ORDER BY at, id"
        ))
        .bind(customer.0)
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        rows.iter().map(query::consent).collect()
    }

    async fn events_after(
        &self,
        after: i64,
        until: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<Event>> {
        let rows = sqlx::query(concat!(
            "SELECT ",
            event_columns!(),
            " FROM events WHERE id > $1 AND at <= $2 ORDER BY id LIMIT $3"
        ))
        .bind(after)
        .bind(until)
        .bind(query::limit(limit))
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        rows.iter().map(query::event).collect()
    }

    async fn recent_events(&self, kind: Option<&str>, limit: i64) -> Result<Vec<Event>> {
        let rows = match kind {
            Some(kind) => {
                sqlx::query(concat!(
                    "SELECT ",
                    event_columns!(),
                    " FROM events WHERE kind = $1 ORDER BY at DESC, id DESC LIMIT $2"
                ))
                .bind(kind)
                .bind(query::limit(limit))
                .fetch_all(&self.pool)
                .await
            }
            None => {
                sqlx::query(concat!(
                    "SELECT ",
                    event_columns!(),
                    " FROM events ORDER BY at DESC, id DESC LIMIT $1"
                ))
                .bind(query::limit(limit))
                .fetch_all(&self.pool)
                .await
            }
        }
        .map_err(db)?;
        rows.iter().map(query::event).collect()
    }
}
