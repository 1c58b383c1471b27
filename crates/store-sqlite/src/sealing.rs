//! [`SealingStore`] on SQLite: the register of the keys values were sealed with
//! (`sealing_keys`, `migrations/0024_sealing.sql`), checked against the store's ring at
//! start, and the batches of re-sealing and the retiring of keys `groupcart keys rotate`
//! runs ([`groupcart_core::sealing::rotate`]).
//!
//! Every step is one `BEGIN IMMEDIATE` transaction on the writer, so a rotation interrupted
//! at any point leaves every value readable and can run again. Which values a key sealed is
//! told by their prefix (`gce1:<key id>:`), compared with `substr`, never `LIKE` (key ids
//! may hold `_`).

use crate::privacy::BLANK_ACTION;
use crate::query::{limit as row_limit, ms};
use crate::{db, SqliteStore};
use async_trait::async_trait;
use chrono::Utc;
use groupcart_core::sealing::{search_refs, Field, Resealed, SealingStore, PREFIX};
use groupcart_core::{Error, Result};
use sqlx::Row;
use std::collections::BTreeSet;

/// The primary key of `field`'s table.
pub(crate) fn key_column(field: Field) -> &'static str {
    match field {
        Field::Update => "seq",
        Field::KeyCheck => "key_id",
        _ => "id",
    }
}

/// Whether `field`'s table keeps search refs beside the sealed value (`inbox`, `outbox`).
fn has_refs(field: Field) -> bool {
    matches!(field, Field::Update | Field::OutboxAction)
}

#[async_trait]
impl SealingStore for SqliteStore {
    async fn check_keys(&self) -> Result<()> {
        let mut tx = self
            .writer
            .begin_with("BEGIN IMMEDIATE")
            .await
            .map_err(db)?;
        let rows = sqlx::query("SELECT key_id, check_value FROM sealing_keys ORDER BY key_id")
            .fetch_all(&mut *tx)
            .await
            .map_err(db)?;
        let ring = self.sealer.key_ids();
        let mut known = BTreeSet::new();
        for row in &rows {
            let id: String = row.try_get("key_id").map_err(db)?;
            let check: String = row.try_get("check_value").map_err(db)?;
            if !self.sealer.verifies(&check) {
                return Err(Error::Invalid(if ring.contains(&id.as_str()) {
                    format!(
                        "key {id:?} is configured but is not the key the database was sealed with"
                    )
                } else {
                    format!(
                        "the database holds values sealed with key {id:?}, which is not configured"
                    )
                }));
            }
            known.insert(id);
        }
        let now = ms(Utc::now());
        for id in ring.into_iter().filter(|id| !known.contains(*id)) {
            let check = self.sealer.key_check(id).ok_or_else(|| {
                Error::Storage(format!("key {id} has no check value (not in the ring)"))
            })?;
            sqlx::query(
                "INSERT INTO sealing_keys (key_id, check_value, added_at) VALUES (?, ?, ?)",
            )
            .bind(id)
            .bind(check)
            .bind(now)
            .execute(&mut *tx)
            .await
            .map_err(db)?;
        }
        tx.commit().await.map_err(db)
    }

    async fn reseal(&self, field: Field, after: i64, limit: i64) -> Result<Resealed> {
        if field == Field::KeyCheck {
            return Ok(Resealed::default());
        }
        let (table, column, key) = (field.table(), field.column(), key_column(field));
        let prefix = self.sealer.active_prefix();
        let mut tx = self
            .writer
            .begin_with("BEGIN IMMEDIATE")
            .await
            .map_err(db)?;
        // The blank action is what an emptied message holds: left plain, as retention and
        // erasure look for it.
        let blank = if field == Field::OutboxAction {
            " AND action <> ?4"
        } else {
            ""
        };
        let select = format!(
            "SELECT {key} AS pk, {column} AS value FROM {table}
             WHERE {key} > ?3 AND {column} IS NOT NULL AND {column} <> ''
               AND substr({column}, 1, length(?1)) <> ?1{blank}
             ORDER BY {key}
             LIMIT ?2"
        );
        let limit = row_limit(limit);
        let mut q = sqlx::query(&select).bind(&prefix).bind(limit).bind(after);
        if field == Field::OutboxAction {
            q = q.bind(BLANK_ACTION);
        }
        let rows = q.fetch_all(&mut *tx).await.map_err(db)?;
        let refs = has_refs(field);
        let update = if refs {
            format!(
                "UPDATE {table} SET {column} = ?1, refs = ?2 WHERE {key} = ?3 AND {column} = ?4"
            )
        } else {
            format!("UPDATE {table} SET {column} = ?1 WHERE {key} = ?2 AND {column} = ?3")
        };
        let mut resealed = 0;
        let mut last = None;
        for row in &rows {
            let pk: i64 = row.try_get("pk").map_err(db)?;
            last = Some(pk);
            let stored: String = row.try_get("value").map_err(db)?;
            let plain = self.sealer.open(field, &stored)?;
            let mut q = sqlx::query(&update).bind(self.sealer.seal(field, &plain));
            if refs {
                q = q.bind(search_refs(&plain));
            }
            resealed += q
                .bind(pk)
                .bind(&stored)
                .execute(&mut *tx)
                .await
                .map_err(db)?
                .rows_affected() as i64;
        }
        tx.commit().await.map_err(db)?;
        Ok(Resealed {
            resealed,
            last: last.filter(|_| rows.len() as i64 >= limit),
        })
    }

    async fn retire_keys(&self) -> Result<Vec<String>> {
        let mut tx = self
            .writer
            .begin_with("BEGIN IMMEDIATE")
            .await
            .map_err(db)?;
        let ids: Vec<String> =
            sqlx::query_scalar("SELECT key_id FROM sealing_keys WHERE key_id <> ? ORDER BY key_id")
                .bind(self.sealer.active_key())
                .fetch_all(&mut *tx)
                .await
                .map_err(db)?;
        let mut retired = Vec::new();
        'keys: for id in ids {
            let prefix = format!("{PREFIX}{id}:");
            for field in Field::ALL {
                let (table, column) = (field.table(), field.column());
                let sql = format!(
                    "SELECT EXISTS (SELECT 1 FROM {table}
                                    WHERE substr({column}, 1, length(?1)) = ?1)"
                );
                let used: bool = sqlx::query_scalar(&sql)
                    .bind(&prefix)
                    .fetch_one(&mut *tx)
                    .await
                    .map_err(db)?;
                if used {
                    continue 'keys;
                }
            }
            sqlx::query("DELETE FROM sealing_keys WHERE key_id = ?")
                .bind(&id)
                .execute(&mut *tx)
                .await
                .map_err(db)?;
            retired.push(id);
        }
        tx.commit().await.map_err(db)?;
        retired.sort();
        Ok(retired)
    }
}
