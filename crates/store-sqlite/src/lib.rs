//! SQLite implementation of groupcart's storage ports ([`groupcart_core::store`]).
//!
//! This crate owns the SQLite schema (`migrations/`), its embedded migrator, and
//! [`SqliteStore`], which implements [`Store`], [`Tx`], the catalog port
//! ([`groupcart_core::catalog::CatalogStore`], in `catalog.rs`) and the shop ports
//! ([`groupcart_core::shop::ShopStore`] and [`groupcart_core::shop::ShopTx`], in `shop.rs`:
//! carts, orders with their stock reservations, payments) and the coupon ports
//! ([`groupcart_core::coupon::PromotionStore`] and [`groupcart_core::coupon::PromotionTx`],
//! in `coupon.rs`: promotions, single-use codes, cart codes, the uses orders take), and the
//! flash-sale ports ([`groupcart_core::flash_sale::FlashSaleStore`] and
//! [`groupcart_core::flash_sale::FlashSaleTx`], in `flash_sale.rs`: sales, the buys holding
//! their units, reminders, announcements), and the CRM ports
//! ([`groupcart_core::crm::CrmStore`] and [`groupcart_core::crm::CrmTx`] in `crm.rs`: profiles,
//! lifecycle stages; the segment ports in `segment.rs`; the broadcast ports in
//! `broadcast.rs`), and the key management of encryption at rest
//! ([`groupcart_core::sealing::SealingStore`], in `sealing.rs`). Its
//! behaviour is pinned down by the contract suite in `groupcart-store-contract`, which runs
//! the same tests against PostgreSQL; `groupcart-store-postgres` is written to be read side
//! by side with this crate.
//!
//! # Representation
//!
//! - Times are `INTEGER` unix **milliseconds** (UTC). Sub-millisecond precision is dropped on
//!   write, so a time round-trips exactly if it has whole milliseconds; comparisons are plain
//!   integer comparisons.
//! - JSON (outbox actions, event data, job payloads, a product's texts, tags and images, a
//!   variant's option values, an order's shipping address, a promotion's definition) is
//!   `TEXT`; the inbox payload is kept exactly as received (once opened).
//! - Personal fields the database never searches are stored sealed
//!   ([`groupcart_core::sealing`]) with the store's [`Sealer`]: `orders.shipping_address`
//!   (its JSON), `order_events.note`, `customers.notes`, `inbox.payload`, `outbox.action`
//!   (its JSON), `support_messages.text`, `faq_unanswered.question`,
//!   `moderation_actions.excerpt` and `console_users.totp_secret`. Every write seals them,
//!   every read opens them; values written before sealing read as they are. No statement
//!   looks inside them: what is still searched is stored plain beside them
//!   (`orders.shipping_country`, the `refs` of `inbox` and `outbox`). Emptied values stay
//!   plain (`''`, an update reduced to its id, the blank action of `privacy.rs`).
//! - Tables are `STRICT` and ids `AUTOINCREMENT`, so an id is never reused after a delete.
//!
//! # Durability
//!
//! The database runs in WAL mode with `synchronous = NORMAL`: a committed transaction
//! survives the process crashing, but an operating-system crash or power loss may lose the
//! last few transactions committed before it (the database itself stays consistent). That
//! is the usual trade for SQLite's write throughput; run PostgreSQL where that matters.
//!
//! # Concurrency
//!
//! SQLite allows one writer at a time. Instead of letting several connections race for the
//! write lock (and hit `SQLITE_BUSY` when a deferred transaction tries to upgrade from read to
//! write, which the busy timeout cannot resolve), the store keeps:
//!
//! - **one writer connection** (a pool of exactly one) for every write and every transaction:
//!   [`Store::begin`], `inbox_insert`, `inbox_failed`, `outbox_settle`, `jobs_claim`,
//!   `job_retry`, `job_fail`, the catalog's `save_products`, `set_product_status` and
//!   `adjust_stock`, and the coupon port's `create_promotion`, `update_promotion` and
//!   `add_codes`, and the sealing port's `check_keys`, `reseal` and `retire_keys` (shop
//!   writes all happen inside a [`Tx`]). Writers queue for that
//!   connection in order, inside the process, instead of spinning on the file lock. Multi-statement transactions still start with
//!   `BEGIN IMMEDIATE`, so another process on the same file (a backup tool, a second binary
//!   by mistake) waits on the busy timeout (5 s) rather than deadlocking.
//! - **a read pool** of a few `query_only` connections for the pure reads (`inbox_pending`,
//!   `outbox_due`, `outbox_stats`, `job_lag`, customer, consent, event, product, stock
//!   movement, order, promotion and code reads). In WAL mode
//!   readers never block the writer nor each other, and always see every committed write.
//! - **bulk reads** of whole pages of customers (the lifecycle recompute, segment scans)
//!   open a short-lived `query_only` connection of their own on a blocking thread
//!   (`bulk.rs`), where rows are read without sqlx's per-row hand-off between threads.
//!
//! The consequence for callers: while a [`Tx`] is open it holds the writer, so a task must
//! not call a writing [`Store`] method while it holds a `Tx` (that call would wait for the
//! `Tx` to end, and fail after the pool's acquire timeout). Keep transactions short.
//!
//! # Single instance
//!
//! One serving process per database file: several instances sharing a database need
//! PostgreSQL. `groupcart serve` takes [`SqliteStore::lock_instance`] before it opens the
//! store and holds it until it stops; a second one is refused with a message that says so.
//! Tools that only read or copy the file (`backup`, `audit verify`) do not take it. The
//! operating system releases the lock when a process dies, so a killed instance never
//! leaves it behind.

#[macro_use]
mod query;
mod bulk;
// Before the modules that use its macros (`paid_statuses!`).
#[macro_use]
mod crm;
mod analytics;
mod api_token;
mod audit;
mod automation;
mod broadcast;
mod calendar;
mod catalog;
mod community;
mod console;
mod coupon;
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
mod synthetic;
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
use query::{ms, time};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use sqlx::{ConnectOptions, Row};
use std::collections::HashSet;
use std::path::Path;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

/// The single-instance lock of a database file (see [`SqliteStore::lock_instance`]);
/// released when dropped.
#[derive(Debug)]
pub struct InstanceLock {
    _file: std::fs::File,
}

/// Connections in the read pool. Reads are short; two cores do not need more.
const READ_CONNECTIONS: u32 = 4;

/// How long SQLite waits for a lock held by another process before failing.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// Most rows per multi-row `INSERT` in [`Store::inbox_insert`]: 6 parameters a row stays far
/// below SQLite's parameter limit, and a statement this size amortises the per-statement cost.
/// A power of two: see [`chunk_sizes`].
const INBOX_CHUNK: usize = 128;

/// Splits `n` rows into full chunks and then powers of two (300 = 128 + 128 + 32 + 8 + 4),
/// so that batches of any size use one of only eight statement texts and the prepared
/// statement cache is not flooded with one statement per batch size.
pub(crate) fn chunk_sizes(mut n: usize) -> impl Iterator<Item = usize> {
    std::iter::from_fn(move || {
        let size = match n {
            0 => return None,
            n if n >= INBOX_CHUNK => INBOX_CHUNK,
            n => 1 << n.ilog2(),
        };
        n -= size;
        Some(size)
    })
}

/// A groupcart store on one SQLite database file.
#[derive(Debug, Clone)]
pub struct SqliteStore {
    /// Exactly one connection: every write goes through it.
    writer: SqlitePool,
    /// `query_only` connections for pure reads.
    reader: SqlitePool,
    /// How to open another connection (for backups).
    options: SqliteConnectOptions,
    /// Seals and opens the personal fields (see the crate docs).
    sealer: Arc<Sealer>,
}

impl SqliteStore {
    /// Opens (creating if needed) the database at `url_or_path` and applies pending
    /// migrations. Personal fields are sealed and opened with `sealer`; whether its keys
    /// fit the database is [`groupcart_core::sealing::SealingStore::check_keys`]'s to say.
    ///
    /// Accepts `sqlite://path`, `sqlite:path` or a plain file path; `sqlite:///abs/path` is
    /// absolute. The parent directory is created if missing. In-memory databases are refused:
    /// the writer and the readers would not share one.
    pub async fn open(url_or_path: &str, sealer: Arc<Sealer>) -> Result<SqliteStore> {
        let base = if url_or_path.starts_with("sqlite:") {
            if url_or_path.contains(":memory:") || url_or_path.contains("mode=memory") {
                return Err(Error::Invalid(
                    "in-memory SQLite databases are not supported; give a file path".into(),
                ));
            }
            SqliteConnectOptions::from_str(url_or_path)
                .map_err(|e| Error::Invalid(format!("bad SQLite URL: {e}")))?
        } else {
            SqliteConnectOptions::new().filename(url_or_path)
        };
        if base.get_filename().as_os_str().is_empty() {
            return Err(Error::Invalid("SQLite database path is empty".into()));
        }
        if let Some(parent) = base.get_filename().parent() {
            if !parent.as_os_str().is_empty() {
                std::fs::create_dir_all(parent).map_err(|e| {
                    Error::Storage(format!(
                        "cannot create directory {} for the database: {e}",
                        parent.display()
                    ))
                })?;
            }
        }
        let options = base
            .create_if_missing(true)
            .foreign_keys(true)
            .busy_timeout(BUSY_TIMEOUT)
            .synchronous(SqliteSynchronous::Normal)
            // Freed space is zeroed, so deleted or overwritten personal data does not linger
            // in the file after an erasure (see `privacy.rs`).
            .pragma("secure_delete", "ON");

        // The writer connects first: switching to WAL needs a lock the busy timeout cannot
        // wait for, so it is done once, before any reader exists. WAL is a persistent setting
        // of the file, so readers need not repeat it.
        // Another process using the file (a command beside a running server) can hold that
        // lock for a moment: a busy answer is tried again for up to the busy timeout.
        let mut waited = Duration::ZERO;
        let writer = loop {
            let connected = SqlitePoolOptions::new()
                .min_connections(1)
                .max_connections(1)
                // Never retire the writer: its prepared statements are the hot path.
                .idle_timeout(None)
                .max_lifetime(None)
                .connect_with(options.clone().journal_mode(SqliteJournalMode::Wal))
                .await
                .map_err(db);
            match connected {
                Ok(writer) => break writer,
                Err(Error::Conflict(_)) if waited < BUSY_TIMEOUT => {
                    let pause = Duration::from_millis(50);
                    tokio::time::sleep(pause).await;
                    waited += pause;
                }
                Err(e) => return Err(e),
            }
        };
        migrate::run(&writer).await?;

        let reader = SqlitePoolOptions::new()
            .max_connections(READ_CONNECTIONS)
            .connect_with(options.clone().pragma("query_only", "ON"))
            .await
            .map_err(db)?;

        Ok(SqliteStore {
            writer,
            reader,
            options,
            sealer,
        })
    }

    /// Takes the single-instance lock of the database file `url` names: an exclusive lock on
    /// `<file>.lock` beside it, which holds the id of the process that has it. `Conflict`,
    /// naming the file and that process, while another instance holds it. Held until the
    /// returned value is dropped (or the process ends).
    pub fn lock_instance(url: &str) -> Result<InstanceLock> {
        let options = SqliteConnectOptions::from_str(url)
            .map_err(|e| Error::Invalid(format!("not a SQLite database URL: {e}")))?;
        let database = options.get_filename().to_owned();
        let mut name = database.file_name().unwrap_or_default().to_owned();
        name.push(".lock");
        let path = database.with_file_name(name);
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| {
                Error::Storage(format!("cannot create directory {}: {e}", dir.display()))
            })?;
        }
        // Not truncated on open: until the lock is ours, the file names its holder.
        let mut file = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(|e| {
                Error::Storage(format!("cannot open the lock file {}: {e}", path.display()))
            })?;
        match file.try_lock() {
            Ok(()) => {
                use std::io::Write;
                // Best effort: only the message of a refused instance reads it.
                let _ = file
                    .set_len(0)
                    .and_then(|()| writeln!(file, "{}", std::process::id()));
            }
            Err(std::fs::TryLockError::WouldBlock) => {
                use std::io::Read;
                let mut holder = String::new();
                let _ = file.read_to_string(&mut holder);
                let pid = holder
                    .trim()
                    .parse::<u32>()
                    .map(|pid| format!(" (pid {pid})"))
                    .unwrap_or_default();
                return Err(Error::Conflict(format!(
                    "the database file {} is in use by another groupcart instance{pid}; SQLite \
                     supports one instance — use PostgreSQL to run several",
                    database.display()
                )));
            }
            Err(std::fs::TryLockError::Error(error)) => {
                // A file system without locks (some network mounts): run unguarded rather
                // than refuse to start.
                tracing::warn!(
                    lock_file = %path.display(),
                    %error,
                    "cannot lock the database's lock file; a second instance would not be refused"
                );
            }
        }
        Ok(InstanceLock { _file: file })
    }

    /// Wraps the store for sharing: `Arc<dyn Store>`.
    pub fn into_shared(self) -> SharedStore {
        Arc::new(self)
    }

    /// Writes a consistent copy of the whole database to `path` with `VACUUM INTO`, while
    /// the store keeps running (it reads one snapshot and does not block writers). `path`
    /// must not exist yet.
    pub async fn backup_into(&self, path: impl AsRef<Path>) -> Result<()> {
        let path = path.as_ref();
        let target = path
            .to_str()
            .ok_or_else(|| Error::Invalid("backup path is not valid UTF-8".into()))?;
        // A connection of its own: the readers are query_only and the writer must stay free.
        let mut conn = self.options.connect().await.map_err(db)?;
        sqlx::query("VACUUM INTO ?")
            .bind(target)
            .execute(&mut conn)
            .await
            .map_err(|e| Error::Storage(format!("backup to {} failed: {e}", path.display())))?;
        Ok(())
    }

    /// Closes every connection, waiting for the ones in use to be returned.
    pub async fn close(&self) {
        self.reader.close().await;
        self.writer.close().await;
    }
}

/// Maps an sqlx error to the core's error. Lock contention that outlasted the busy timeout
/// becomes [`Error::Conflict`] (the caller may retry); everything else is storage failure.
pub(crate) fn db(e: sqlx::Error) -> Error {
    if let sqlx::Error::Database(d) = &e {
        // SQLITE_BUSY (5) and SQLITE_LOCKED (6), with any extended code.
        if let Some(code) = d.code().and_then(|c| c.parse::<i32>().ok()) {
            if matches!(code & 0xff, 5 | 6) {
                return Error::Conflict(format!("database is busy: {}", d.message()));
            }
        }
    }
    Error::storage(e)
}

#[async_trait]
impl Store for SqliteStore {
    fn backend(&self) -> Backend {
        Backend::Sqlite
    }

    async fn ping(&self) -> Result<()> {
        sqlx::query("SELECT 1")
            .execute(&self.reader)
            .await
            .map_err(db)?;
        Ok(())
    }

    async fn begin(&self) -> Result<Box<dyn Tx>> {
        let tx = self
            .writer
            .begin_with("BEGIN IMMEDIATE")
            .await
            .map_err(db)?;
        Ok(Box::new(tx::SqliteTx::new(tx, self.sealer.clone())))
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

        let mut inserted: HashSet<(String, i64)> = HashSet::with_capacity(unique.len());
        let mut tx = self
            .writer
            .begin_with("BEGIN IMMEDIATE")
            .await
            .map_err(db)?;
        let mut rest = unique.as_slice();
        for size in chunk_sizes(unique.len()) {
            let (chunk, tail) = rest.split_at(size);
            rest = tail;
            let sql = query::inbox_insert_sql(size);
            let mut q = sqlx::query(&sql);
            for u in chunk {
                q = q
                    .bind(&u.bot)
                    .bind(u.update_id)
                    .bind(u.chat_id)
                    .bind(self.sealer.seal(Field::Update, &u.payload))
                    .bind(search_refs(&u.payload))
                    .bind(ms(u.received_at));
            }
            for row in q.fetch_all(&mut *tx).await.map_err(db)? {
                inserted.insert((
                    row.try_get("bot").map_err(db)?,
                    row.try_get("update_id").map_err(db)?,
                ));
            }
        }
        tx.commit().await.map_err(db)?;

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
             WHERE status = 'pending' AND seq > ?
             ORDER BY seq
             LIMIT ?",
        )
        .bind(after_seq)
        .bind(query::limit(limit))
        .fetch_all(&self.reader)
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
                 SET status = 'failed', attempts = attempts + 1, last_error = ?, processed_at = ?
                 WHERE seq = ? AND status = 'pending'",
            )
            .bind(error)
            .bind(ms(Utc::now()))
        } else {
            sqlx::query(
                "UPDATE inbox
                 SET attempts = attempts + 1, last_error = ?
                 WHERE seq = ? AND status = 'pending'",
            )
            .bind(error)
        };
        q.bind(seq).execute(&self.writer).await.map_err(db)?;
        Ok(())
    }

    // --- outbox ---

    async fn outbox_due(
        &self,
        bot: &str,
        now: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<OutboundMessage>> {
        let rows = sqlx::query(concat!(
            "SELECT ",
            outbox_columns!(),
            " FROM outbox o
             WHERE o.bot = ? AND o.status = 'pending' AND o.next_attempt_at <= ?
               AND NOT EXISTS (
                   SELECT 1 FROM outbox earlier
                   WHERE earlier.bot = o.bot AND earlier.chat_id = o.chat_id
                     AND earlier.status = 'pending' AND earlier.id < o.id)
             ORDER BY o.id
             LIMIT ?"
        ))
        .bind(bot)
        .bind(ms(now))
        .bind(query::limit(limit))
        .fetch_all(&self.reader)
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
        let mut tx = self
            .writer
            .begin_with("BEGIN IMMEDIATE")
            .await
            .map_err(db)?;
        // `status = 'pending'` guards a message already settled: it is left as it is.
        let q = match settlement {
            Settlement::Sent {
                at,
                remote_message_id,
            } => sqlx::query(
                "UPDATE outbox
                 SET status = 'sent', settled_at = ?, remote_message_id = ?
                 WHERE id = ? AND status = 'pending'",
            )
            .bind(ms(*at))
            .bind(*remote_message_id),
            Settlement::Retry {
                at: _,
                next_attempt_at,
                error,
            } => sqlx::query(
                "UPDATE outbox
                 SET attempts = attempts + 1, next_attempt_at = ?, last_error = ?
                 WHERE id = ? AND status = 'pending'",
            )
            .bind(ms(*next_attempt_at))
            .bind(error.as_str()),
            Settlement::Failed { at, reason } => sqlx::query(
                "UPDATE outbox
                 SET status = 'failed', settled_at = ?, last_error = ?, attempts = attempts + 1
                 WHERE id = ? AND status = 'pending'",
            )
            .bind(ms(*at))
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
            .fetch_all(&self.reader)
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
             WHERE bot = ? AND status = 'sent' AND settled_at >= ?
             ORDER BY settled_at, id LIMIT 100000",
        )
        .bind(bot)
        .bind(ms(since))
        .fetch_all(&self.reader)
        .await
        .map_err(db)?;
        rows.iter()
            .map(|row| {
                Ok((
                    query::get(row, "chat_id")?,
                    query::get_time(row, "settled_at")?,
                ))
            })
            .collect()
    }

    async fn outbox_state(&self, id: i64) -> Result<Option<groupcart_core::outbox::OutboxState>> {
        use groupcart_core::outbox::OutboxState;
        let row = sqlx::query("SELECT status, remote_message_id FROM outbox WHERE id = ?")
            .bind(id)
            .fetch_optional(&self.reader)
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
        // One statement on the single writer: a lone write statement takes the write lock
        // when it starts (as BEGIN IMMEDIATE would), so selecting and locking are atomic.
        let rows = sqlx::query(concat!(
            "UPDATE jobs
             SET locked_by = ?, locked_until = ?, attempts = attempts + 1
             WHERE id IN (
                 SELECT id FROM jobs
                 WHERE status = 'queued' AND run_at <= ?
                   AND (locked_until IS NULL OR locked_until <= ?)
                 ORDER BY run_at, id
                 LIMIT ?
             )
             RETURNING ",
            job_columns!()
        ))
        .bind(worker)
        .bind(ms(until))
        .bind(ms(now))
        .bind(ms(now))
        .bind(query::limit(limit))
        .fetch_all(&self.writer)
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
             SET run_at = ?, last_error = ?, locked_by = NULL, locked_until = NULL
             WHERE id = ? AND status = 'queued'",
        )
        .bind(ms(run_at))
        .bind(error)
        .bind(id)
        .execute(&self.writer)
        .await
        .map_err(db)?;
        Ok(())
    }

    async fn job_fail(&self, id: i64, error: &str) -> Result<()> {
        sqlx::query(
            "UPDATE jobs
             SET status = 'failed', last_error = ?, locked_by = NULL, locked_until = NULL
             WHERE id = ? AND status = 'queued'",
        )
        .bind(error)
        .bind(id)
        .execute(&self.writer)
        .await
        .map_err(db)?;
        Ok(())
    }

    async fn job_lag(&self, now: DateTime<Utc>) -> Result<Duration> {
        let oldest: Option<i64> = sqlx::query(
            "SELECT MIN(run_at) AS oldest FROM jobs
             WHERE status = 'queued' AND run_at <= ?
               AND (locked_until IS NULL OR locked_until <= ?)",
        )
        .bind(ms(now))
        .bind(ms(now))
        .fetch_one(&self.reader)
        .await
        .map_err(db)?
        .try_get("oldest")
        .map_err(db)?;
        match oldest {
            Some(oldest) => Ok((now - time(oldest)?).to_std().unwrap_or(Duration::ZERO)),
            None => Ok(Duration::ZERO),
        }
    }

    // --- reads ---

    async fn customer_by_telegram_id(&self, telegram_user_id: i64) -> Result<Option<Customer>> {
        query::customer_by_telegram_id(&self.reader, telegram_user_id).await
    }

    async fn consent_history(&self, customer: CustomerId) -> Result<Vec<ConsentRecord>> {
        let rows = sqlx::query(concat!(
            "SELECT ",
            consent_columns!(),
            " FROM consents WHERE customer_id = ? ORDER BY at, id"
        ))
        .bind(customer.0)
        .fetch_all(&self.reader)
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
            " FROM events WHERE id > ? AND at <= ? ORDER BY id LIMIT ?"
        ))
        .bind(after)
        .bind(query::ms(until))
        .bind(query::limit(limit))
        .fetch_all(&self.reader)
        .await
        .map_err(db)?;
        rows.iter().map(query::event).collect()
    }

    async fn recent_events(&self, kind: Option<&str>, limit: i64) -> Result<Vec<Event>> {
        let q = match kind {
            Some(kind) => sqlx::query(concat!(
                "SELECT ",
                event_columns!(),
                " FROM events WHERE kind = ? ORDER BY at DESC, id DESC LIMIT ?"
            ))
            .bind(kind),
            None => sqlx::query(concat!(
                "SELECT ",
                event_columns!(),
                " FROM events ORDER BY at DESC, id DESC LIMIT ?"
            )),
        };
        let rows = q
            .bind(query::limit(limit))
            .fetch_all(&self.reader)
            .await
            .map_err(db)?;
        rows.iter().map(query::event).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_cover_every_row_with_few_sizes() {
        let mut sizes = HashSet::new();
        for n in 0..1000 {
            let chunks: Vec<usize> = chunk_sizes(n).collect();
            assert_eq!(chunks.iter().sum::<usize>(), n);
            assert!(chunks.iter().all(|&c| c > 0 && c <= INBOX_CHUNK));
            sizes.extend(chunks);
        }
        assert_eq!(sizes.len(), 8);
        assert_eq!(
            chunk_sizes(300).collect::<Vec<_>>(),
            vec![128, 128, 32, 8, 4]
        );
    }
}
