//! [`AuditStore`] and [`AuditTx`] on SQLite: the hash-chained audit log (`audit_log` in
//! `migrations/0016_privacy.sql`, append-only by trigger).
//!
//! A [`SqliteTx`] holds the only writer connection under `BEGIN IMMEDIATE`, so reading the
//! chain's head inside it already excludes every other writer until the commit.

use crate::query::{get, get_time, limit, ms};
use crate::tx::SqliteTx;
use crate::{db, SqliteStore};
use async_trait::async_trait;
use groupcart_core::audit::{AuditEntry, AuditStore, AuditTx, ChainHead, NewAuditEntry};
use groupcart_core::{Error, Result};
use sqlx::sqlite::SqliteRow;

pub(crate) fn entry_row(row: &SqliteRow) -> Result<AuditEntry> {
    let details: String = get(row, "details")?;
    Ok(AuditEntry {
        seq: get(row, "seq")?,
        entry: NewAuditEntry {
            at: get_time(row, "at")?,
            actor: get(row, "actor")?,
            action: get(row, "action")?,
            target: get(row, "target")?,
            // Unreadable details stay visible as text: verification reports the mismatch
            // instead of failing to read the log.
            details: serde_json::from_str(&details).unwrap_or(serde_json::Value::String(details)),
            ip: get(row, "ip")?,
        },
        prev_hash: get(row, "prev_hash")?,
        hash: get(row, "hash")?,
    })
}

#[async_trait]
impl AuditStore for SqliteStore {
    async fn audit_entries(&self, after: i64, max: i64) -> Result<Vec<AuditEntry>> {
        let rows = sqlx::query(
            "SELECT seq, at, actor, action, target, details, ip, prev_hash, hash
             FROM audit_log WHERE seq > ? ORDER BY seq LIMIT ?",
        )
        .bind(after)
        .bind(limit(max))
        .fetch_all(&self.reader)
        .await
        .map_err(db)?;
        rows.iter().map(entry_row).collect()
    }
}

#[async_trait]
impl AuditTx for SqliteTx {
    async fn lock_audit_head(&mut self) -> Result<Option<ChainHead>> {
        let row = sqlx::query("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1")
            .fetch_optional(self.conn())
            .await
            .map_err(db)?;
        row.map(|row| {
            Ok(ChainHead {
                seq: get(&row, "seq")?,
                hash: get(&row, "hash")?,
            })
        })
        .transpose()
    }

    async fn insert_audit(&mut self, entry: &AuditEntry) -> Result<()> {
        let details = serde_json::to_string(&entry.entry.details)
            .map_err(|e| Error::Storage(format!("cannot encode JSON: {e}")))?;
        sqlx::query(
            "INSERT INTO audit_log (seq, at, actor, action, target, details, ip, prev_hash, hash)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(entry.seq)
        .bind(ms(entry.entry.at))
        .bind(&entry.entry.actor)
        .bind(&entry.entry.action)
        .bind(&entry.entry.target)
        .bind(details)
        .bind(&entry.entry.ip)
        .bind(&entry.prev_hash)
        .bind(&entry.hash)
        .execute(self.conn())
        .await
        .map_err(|e| match &e {
            sqlx::Error::Database(d) if d.is_unique_violation() => {
                Error::Conflict(format!("audit entry {} exists", entry.seq))
            }
            _ => db(e),
        })?;
        Ok(())
    }
}
