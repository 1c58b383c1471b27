//! [`AuditStore`] and [`AuditTx`] on PostgreSQL: the hash-chained audit log (`audit_log` in
//! `migrations/0016_privacy.sql`, append-only by trigger).
//!
//! Several instances may append at once: a transaction takes an advisory lock before it
//! reads the chain's head, so appends extend one chain one after another. (A row lock on
//! the newest entry would not do: under READ COMMITTED a waiter would re-read that same
//! row after the first commit, not the entry that commit added.)

use crate::query::{get, get_time, limit};
use crate::tx::PostgresTx;
use crate::{db, PostgresStore};
use async_trait::async_trait;
use groupcart_core::audit::{AuditEntry, AuditStore, AuditTx, ChainHead, NewAuditEntry};
use groupcart_core::{Error, Result};
use sqlx::postgres::PgRow;

/// The advisory lock key of the audit chain's head ("audit" in ASCII).
const HEAD_LOCK: i64 = 0x61_75_64_69_74;

pub(crate) fn entry_row(row: &PgRow) -> Result<AuditEntry> {
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
impl AuditStore for PostgresStore {
    async fn audit_entries(&self, after: i64, max: i64) -> Result<Vec<AuditEntry>> {
        let rows = sqlx::query(
            "SELECT seq, at, actor, action, target, details, ip, prev_hash, hash
             FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT $2",
        )
        .bind(after)
        .bind(limit(max))
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        rows.iter().map(entry_row).collect()
    }
}

#[async_trait]
impl AuditTx for PostgresTx {
    async fn lock_audit_head(&mut self) -> Result<Option<ChainHead>> {
        sqlx::query("SELECT pg_advisory_xact_lock($1)")
            .bind(HEAD_LOCK)
            .execute(self.conn())
            .await
            .map_err(db)?;
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
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(entry.seq)
        .bind(entry.entry.at)
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
