//! [`LeaseStore`] on SQLite (`leases` in `migrations/0019_leases.sql`). SQLite runs one
//! instance, so its leases are always its own; they are kept for the same code path.

use crate::query::ms;
use crate::{db, SqliteStore};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use groupcart_core::lease::LeaseStore;
use groupcart_core::Result;

#[async_trait]
impl LeaseStore for SqliteStore {
    async fn acquire_lease(
        &self,
        name: &str,
        holder: &str,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Result<bool> {
        let taken: Option<String> = sqlx::query_scalar(
            "INSERT INTO leases (name, holder, expires_at) VALUES (?1, ?2, ?4)
             ON CONFLICT (name) DO UPDATE SET holder = excluded.holder,
                 expires_at = excluded.expires_at
             WHERE leases.holder = excluded.holder OR leases.expires_at < ?3
             RETURNING holder",
        )
        .bind(name)
        .bind(holder)
        .bind(ms(now))
        .bind(ms(until))
        .fetch_optional(&self.writer)
        .await
        .map_err(db)?;
        Ok(taken.as_deref() == Some(holder))
    }

    async fn release_lease(&self, name: &str, holder: &str) -> Result<()> {
        sqlx::query("DELETE FROM leases WHERE name = ? AND holder = ?")
            .bind(name)
            .bind(holder)
            .execute(&self.writer)
            .await
            .map_err(db)?;
        Ok(())
    }

    async fn lease_holder(&self, name: &str, now: DateTime<Utc>) -> Result<Option<String>> {
        sqlx::query_scalar("SELECT holder FROM leases WHERE name = ? AND expires_at >= ?")
            .bind(name)
            .bind(ms(now))
            .fetch_optional(&self.reader)
            .await
            .map_err(db)
    }
}
