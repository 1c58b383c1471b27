//! [`SealingStore`] on PostgreSQL: the database's register of keys (`sealing_keys`, one
//! check value per key id, `migrations/0024_sealing.sql`), checked against the store's ring
//! before serving, and the re-sealing and key retirement of rotation
//! ([`groupcart_core::sealing::rotate`]). Parallel to the SQLite module.
//!
//! The sealed columns themselves are written and read where their tables are (`shop.rs`,
//! `crm.rs`, `lib.rs`, `tx.rs`, `support.rs`, `moderation.rs`, `console.rs`, `privacy.rs`).
//! Writers of the register take a lock on its table until their transaction ends, so two
//! instances starting at once do not both register a key id.

use crate::privacy::BLANK_ACTION;
use crate::query::{get, limit};
use crate::{db, PostgresStore};
use async_trait::async_trait;
use chrono::Utc;
use groupcart_core::sealing::{sealed_with, search_refs, Field, Resealed, SealingStore, PREFIX};
use groupcart_core::{Error, Result};
use sqlx::PgConnection;

/// The primary key (a `BIGINT`) of the table of `field`, one of [`Field::ALL`].
pub(crate) fn key_column(field: Field) -> &'static str {
    match field {
        Field::Update => "seq",
        _ => "id",
    }
}

/// Whether `field`'s table keeps the search terms of its value beside it (`refs`).
fn has_refs(field: Field) -> bool {
    matches!(field, Field::Update | Field::OutboxAction)
}

/// Locks the register until the transaction ends: other writers of it wait, readers do not.
async fn lock_register(conn: &mut PgConnection) -> Result<()> {
    sqlx::query("LOCK TABLE sealing_keys IN SHARE ROW EXCLUSIVE MODE")
        .execute(conn)
        .await
        .map_err(db)?;
    Ok(())
}

#[async_trait]
impl SealingStore for PostgresStore {
    async fn check_keys(&self) -> Result<()> {
        let mut tx = self.pool.begin().await.map_err(db)?;
        lock_register(&mut tx).await?;
        let rows = sqlx::query("SELECT key_id, check_value FROM sealing_keys ORDER BY key_id")
            .fetch_all(&mut *tx)
            .await
            .map_err(db)?;
        let ring = self.sealer.key_ids();
        let mut known = Vec::with_capacity(rows.len());
        for row in &rows {
            let id: String = get(row, "key_id")?;
            let check: String = get(row, "check_value")?;
            let proven = sealed_with(&check) == Some(id.as_str()) && self.sealer.verifies(&check);
            if !proven {
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
            known.push(id);
        }
        let now = Utc::now();
        for id in ring.iter().filter(|id| !known.iter().any(|k| k == *id)) {
            let check = self.sealer.key_check(id).ok_or_else(|| {
                Error::Storage(format!("key {id} is in the ring but has no check value"))
            })?;
            sqlx::query(
                "INSERT INTO sealing_keys (key_id, check_value, added_at) VALUES ($1, $2, $3)",
            )
            .bind(*id)
            .bind(check)
            .bind(now)
            .execute(&mut *tx)
            .await
            .map_err(db)?;
        }
        tx.commit().await.map_err(db)?;
        Ok(())
    }

    async fn reseal(&self, field: Field, after: i64, max: i64) -> Result<Resealed> {
        if field == Field::KeyCheck {
            return Ok(Resealed::default());
        }
        let (table, column, key) = (field.table(), field.column(), key_column(field));
        // `left`, not `LIKE`: a key id may contain `_`.
        let blank = if field == Field::OutboxAction {
            " AND action <> $4"
        } else {
            ""
        };
        let select = format!(
            "SELECT {key} AS key, {column} AS value FROM {table}
             WHERE {key} > $3 AND {column} IS NOT NULL AND {column} <> ''
               AND left({column}, length($1)) <> $1{blank}
             ORDER BY {key}
             LIMIT $2"
        );
        let max = limit(max);
        let mut tx = self.pool.begin().await.map_err(db)?;
        let mut q = sqlx::query(&select)
            .bind(self.sealer.active_prefix())
            .bind(max)
            .bind(after);
        if field == Field::OutboxAction {
            q = q.bind(BLANK_ACTION);
        }
        let rows = q.fetch_all(&mut *tx).await.map_err(db)?;
        if rows.is_empty() {
            return Ok(Resealed::default());
        }
        let mut keys = Vec::with_capacity(rows.len());
        let mut old = Vec::with_capacity(rows.len());
        let mut new = Vec::with_capacity(rows.len());
        let mut refs = Vec::with_capacity(rows.len());
        for row in &rows {
            let value: String = get(row, "value")?;
            let plain = self.sealer.open(field, &value)?;
            keys.push(get::<i64>(row, "key")?);
            new.push(self.sealer.seal(field, &plain));
            refs.push(if has_refs(field) {
                search_refs(&plain)
            } else {
                String::new()
            });
            old.push(value);
        }
        // One statement for the batch; a row is written only if it still holds what was
        // read.
        let set_refs = if has_refs(field) {
            ", refs = u.refs"
        } else {
            ""
        };
        let update = format!(
            "UPDATE {table} AS t SET {column} = u.new{set_refs}
             FROM UNNEST($1::int8[], $2::text[], $3::text[], $4::text[])
                  AS u (key, old, new, refs)
             WHERE t.{key} = u.key AND t.{column} = u.old"
        );
        let updated = sqlx::query(&update)
            .bind(&keys)
            .bind(&old)
            .bind(&new)
            .bind(&refs)
            .execute(&mut *tx)
            .await
            .map_err(db)?
            .rows_affected();
        tx.commit().await.map_err(db)?;
        let resealed = i64::try_from(updated)
            .map_err(|_| Error::Storage(format!("{updated} rows is too many")))?;
        Ok(Resealed {
            resealed,
            last: keys.last().copied().filter(|_| keys.len() as i64 >= max),
        })
    }

    async fn retire_keys(&self) -> Result<Vec<String>> {
        let mut tx = self.pool.begin().await.map_err(db)?;
        lock_register(&mut tx).await?;
        let ids: Vec<String> = sqlx::query_scalar(
            "SELECT key_id FROM sealing_keys WHERE key_id <> $1 ORDER BY key_id",
        )
        .bind(self.sealer.active_key())
        .fetch_all(&mut *tx)
        .await
        .map_err(db)?;
        let mut retired = Vec::new();
        for id in ids {
            let prefix = format!("{PREFIX}{id}:");
            let mut used = false;
            for field in Field::ALL {
                let sql = format!(
                    "SELECT EXISTS (SELECT 1 FROM {table}
                                    WHERE left({column}, length($1)) = $1)",
                    table = field.table(),
                    column = field.column(),
                );
                used = sqlx::query_scalar(&sql)
                    .bind(&prefix)
                    .fetch_one(&mut *tx)
                    .await
                    .map_err(db)?;
                if used {
                    break;
                }
            }
            if !used {
                sqlx::query("DELETE FROM sealing_keys WHERE key_id = $1")
                    .bind(&id)
                    .execute(&mut *tx)
                    .await
                    .map_err(db)?;
                retired.push(id);
            }
        }
        tx.commit().await.map_err(db)?;
        Ok(retired)
    }
}
