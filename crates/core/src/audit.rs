//! The audit log: an append-only record of what staff (and the system on their behalf) did,
//! hash-chained so that a changed, removed or inserted entry is detectable.
//!
//! Entry `seq` carries `hash = SHA-256(prev_hash ‖ canonical(entry))`, where `prev_hash` is
//! the previous entry's hash (the first entry's is [`GENESIS`]). [`append`] takes the chain's
//! head under the store's lock, so concurrent writers (several instances on one PostgreSQL)
//! extend one chain; [`verify`] walks it from the start.

use crate::store::{SharedStore, Tx};
use crate::Result;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The `prev_hash` of the first entry.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// What happened, before it is chained.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewAuditEntry {
    pub at: DateTime<Utc>,
    /// Who: `api` (the admin API token), `customer:<id>`, `system`, ...
    pub actor: String,
    /// What, as a stable dotted name or `METHOD /api/route/{param}`.
    pub action: String,
    /// On what, e.g. `/api/orders/42` or `customer:7`.
    pub target: Option<String>,
    /// Details such as the response status, or before/after values; never secrets.
    pub details: serde_json::Value,
    /// The client's address, for requests.
    pub ip: Option<String>,
}

/// An entry as stored: its place in the chain and its hashes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    /// 1, 2, 3, ... without gaps.
    pub seq: i64,
    #[serde(flatten)]
    pub entry: NewAuditEntry,
    pub prev_hash: String,
    pub hash: String,
}

/// The newest entry's place and hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainHead {
    pub seq: i64,
    pub hash: String,
}

/// Audit reads.
#[async_trait]
pub trait AuditStore: Send + Sync {
    /// Entries with `seq > after`, in seq order.
    async fn audit_entries(&self, after: i64, limit: i64) -> Result<Vec<AuditEntry>>;
}

/// Audit writes, inside a [`Tx`].
#[async_trait]
pub trait AuditTx: Send {
    /// The newest entry, locking the chain's head until the transaction ends (so that two
    /// writers cannot both extend the same entry). `None` for an empty log.
    async fn lock_audit_head(&mut self) -> Result<Option<ChainHead>>;

    /// Stores an entry; `Conflict` if its seq is taken.
    async fn insert_audit(&mut self, entry: &AuditEntry) -> Result<()>;
}

/// The hash of `entry` chained after `prev_hash`.
pub fn chain_hash(seq: i64, prev_hash: &str, entry: &NewAuditEntry) -> String {
    // A fixed field order with length prefixes: no two entries share a byte string, and
    // nothing depends on how a database round-trips JSON key order.
    let details = canonical_json(&entry.details);
    let fields: [&str; 6] = [
        &entry.actor,
        &entry.action,
        entry.target.as_deref().unwrap_or("\u{0}"),
        &details,
        entry.ip.as_deref().unwrap_or("\u{0}"),
        prev_hash,
    ];
    let mut hasher = Sha256::new();
    hasher.update(seq.to_be_bytes());
    hasher.update(entry.at.timestamp_millis().to_be_bytes());
    for field in fields {
        hasher.update((field.len() as u64).to_be_bytes());
        hasher.update(field.as_bytes());
    }
    hex(&hasher.finalize())
}

/// JSON with object keys sorted at every level (serde_json's default map is sorted, so a
/// parse and re-serialization is enough).
fn canonical_json(value: &serde_json::Value) -> String {
    serde_json::to_string(value).unwrap_or_default()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Appends `entry` to the chain inside `tx`: it commits or rolls back with the change it
/// records.
pub async fn append(tx: &mut dyn Tx, entry: NewAuditEntry) -> Result<AuditEntry> {
    let head = tx.lock_audit_head().await?;
    let (seq, prev_hash) = match head {
        Some(head) => (head.seq + 1, head.hash),
        None => (1, GENESIS.to_string()),
    };
    let hash = chain_hash(seq, &prev_hash, &entry);
    let stored = AuditEntry {
        seq,
        entry,
        prev_hash,
        hash,
    };
    tx.insert_audit(&stored).await?;
    Ok(stored)
}

/// Appends `entry` in a transaction of its own.
pub async fn record(store: &SharedStore, entry: NewAuditEntry) -> Result<AuditEntry> {
    let mut tx = store.begin().await?;
    let stored = append(tx.as_mut(), entry).await?;
    tx.commit().await?;
    Ok(stored)
}

/// What [`verify`] found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Verification {
    /// Entries checked.
    pub entries: i64,
    /// The first entry that breaks the chain, if any.
    pub broken: Option<Break>,
}

/// Where and how the chain breaks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Break {
    pub seq: i64,
    pub reason: String,
}

/// Walks the whole log and checks every link: seqs follow each other from 1, each entry
/// names its predecessor's hash, and each hash matches the entry's content.
pub async fn verify(store: &dyn AuditStore) -> Result<Verification> {
    const PAGE: i64 = 1_000;
    let mut expected_seq = 1;
    let mut prev_hash = GENESIS.to_string();
    let mut entries = 0;
    loop {
        let page = store.audit_entries(expected_seq - 1, PAGE).await?;
        if page.is_empty() {
            return Ok(Verification {
                entries,
                broken: None,
            });
        }
        for stored in &page {
            let broken = |reason: String| {
                Ok(Verification {
                    entries,
                    broken: Some(Break {
                        seq: stored.seq,
                        reason,
                    }),
                })
            };
            if stored.seq != expected_seq {
                return broken(format!(
                    "entry {expected_seq} is missing (the next one is {})",
                    stored.seq
                ));
            }
            if stored.prev_hash != prev_hash {
                return broken("it does not follow the entry before it".into());
            }
            if chain_hash(stored.seq, &stored.prev_hash, &stored.entry) != stored.hash {
                return broken("its content does not match its hash".into());
            }
            entries += 1;
            expected_seq += 1;
            prev_hash = stored.hash.clone();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn entry(action: &str) -> NewAuditEntry {
        NewAuditEntry {
            at: Utc.with_ymd_and_hms(2026, 11, 22, 10, 0, 0).unwrap(),
            actor: "api".into(),
            action: action.into(),
            target: Some("/api/orders/1".into()),
            details: serde_json::json!({"status": 200, "b": [1, 2], "a": null}),
            ip: Some("127.0.0.1".into()),
        }
    }

    #[test]
    fn hash_depends_on_every_field_and_the_link() {
        let base = chain_hash(1, GENESIS, &entry("x"));
        assert_eq!(base.len(), 64);
        assert_eq!(base, chain_hash(1, GENESIS, &entry("x")));
        assert_ne!(base, chain_hash(2, GENESIS, &entry("x")));
        assert_ne!(base, chain_hash(1, &"1".repeat(64), &entry("x")));
        assert_ne!(base, chain_hash(1, GENESIS, &entry("y")));
        let mut other = entry("x");
        other.ip = None;
        assert_ne!(base, chain_hash(1, GENESIS, &other));
        let mut other = entry("x");
        other.details = serde_json::json!({"status": 500});
        assert_ne!(base, chain_hash(1, GENESIS, &other));
        let mut other = entry("x");
        other.at += chrono::Duration::milliseconds(1);
        assert_ne!(base, chain_hash(1, GENESIS, &other));
    }

    #[test]
    fn field_boundaries_are_not_ambiguous() {
        let mut a = entry("x");
        a.actor = "ab".into();
        a.action = "c".into();
        let mut b = entry("x");
        b.actor = "a".into();
        b.action = "bc".into();
        assert_ne!(chain_hash(1, GENESIS, &a), chain_hash(1, GENESIS, &b));
    }

    #[test]
    fn details_key_order_does_not_matter() {
        let mut a = entry("x");
        a.details = serde_json::from_str(r#"{"b":1,"a":2}"#).unwrap();
        let mut b = entry("x");
        b.details = serde_json::from_str(r#"{"a":2,"b":1}"#).unwrap();
        assert_eq!(chain_hash(1, GENESIS, &a), chain_hash(1, GENESIS, &b));
    }
}
