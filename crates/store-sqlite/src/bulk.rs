//! Bulk reads: whole pages of a full pass over the customers (the lifecycle recompute)
//! through a short-lived rusqlite connection on a blocking thread.
//!
//! sqlx's SQLite driver steps statements on a worker thread and hands every row to the
//! async side on its own, about two microseconds a row; a pass over a million customers and
//! their ten million orders spends most of its time there. rusqlite steps the statement on
//! the thread that reads the values, so a page costs what SQLite itself costs, and two pages
//! read at once use two cores. Each read is one read transaction (one snapshot) on a
//! `query_only` connection, which never blocks the writer in WAL mode.

use crate::{SqliteStore, BUSY_TIMEOUT};
use chrono::{DateTime, Utc};
use groupcart_core::crm::{Rfm, Stage};
use groupcart_core::{Error, Result};
use rusqlite::types::Type;
use rusqlite::{Connection, OpenFlags, Row};

/// Runs `read` in a read transaction on a connection of its own to the store's file, on a
/// blocking thread.
pub(crate) async fn read<T, F>(store: &SqliteStore, read: F) -> Result<T>
where
    T: Send + 'static,
    F: FnOnce(&Connection) -> rusqlite::Result<T> + Send + 'static,
{
    let path = store.options.get_filename().to_owned();
    tokio::task::spawn_blocking(move || {
        let conn = Connection::open_with_flags(
            &path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        conn.busy_timeout(BUSY_TIMEOUT)?;
        conn.pragma_update(None, "query_only", true)?;
        let snapshot = conn.unchecked_transaction()?;
        let value = read(&snapshot)?;
        snapshot.finish()?;
        Ok(value)
    })
    .await
    .map_err(|e| Error::Storage(format!("bulk read stopped: {e}")))?
    .map_err(|e: rusqlite::Error| Error::storage(e))
}

/// A stored time (unix milliseconds) of column `i`.
pub(crate) fn time(row: &Row, i: usize) -> rusqlite::Result<DateTime<Utc>> {
    let ms: i64 = row.get(i)?;
    DateTime::from_timestamp_millis(ms)
        .ok_or_else(|| unreadable(i, format!("stored time {ms} is out of range")))
}

/// An optional stored time of column `i`.
pub(crate) fn opt_time(row: &Row, i: usize) -> rusqlite::Result<Option<DateTime<Utc>>> {
    match row.get::<_, Option<i64>>(i)? {
        None => Ok(None),
        Some(_) => time(row, i).map(Some),
    }
}

/// The lifecycle stage of column `i`.
pub(crate) fn stage(row: &Row, i: usize) -> rusqlite::Result<Stage> {
    let stage: String = row.get(i)?;
    Stage::parse(&stage).ok_or_else(|| unreadable(i, format!("unknown stage `{stage}`")))
}

/// The RFM scores of columns `i..i + 3`: all three set, or none.
pub(crate) fn rfm(row: &Row, i: usize) -> rusqlite::Result<Option<Rfm>> {
    let r: Option<u8> = row.get(i)?;
    let f: Option<u8> = row.get(i + 1)?;
    let m: Option<u8> = row.get(i + 2)?;
    Ok(match (r, f, m) {
        (Some(r), Some(f), Some(m)) => Some(Rfm { r, f, m }),
        _ => None,
    })
}

fn unreadable(i: usize, message: String) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(i, Type::Integer, message.into())
}
