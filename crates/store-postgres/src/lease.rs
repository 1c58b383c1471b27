//! [`LeaseStore`] on PostgreSQL (`leases` in `migrations/0019_leases.sql`): one instance
//! holds each lease at a time; the conditional upsert decides who, atomically.

use crate::{db, PostgresStore};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use groupcart_core::lease::LeaseStore;
use groupcart_core::Result;

#[async_trait]
impl LeaseStore for PostgresStore {
    async fn acquire_lease(
        &self,
        name: &str,
        holder: &str,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Result<bool> {
        let taken: Option<String> = sqlx::query_scalar(
            "INSERT INTO leases (name, holder, expires_at) VALUES ($1, $2, $4)
             ON CONFLICT (name) DO UPDATE SET holder = excluded.holder,
                 expires_at = excluded.expires_at
             WHERE leases.holder = excluded.holder OR leases.expires_at < $3
             RETURNING holder",
        )
        .bind(name)
        .bind(holder)
        .bind(now)
        .bind(until)
        .fetch_optional(&self.pool)
        .await
        .map_err(db)?;
        Ok(taken.as_deref() == Some(holder))
    }

    async fn release_lease(&self, name: &str, holder: &str) -> Result<()> {
        sqlx::query("DELETE FROM leases WHERE name = $1 AND holder = $2")
            .bind(name)
            .bind(holder)
            .execute(&self.pool)
            .await
            .map_err(db)?;
        Ok(())
    }

    async fn lease_holder(&self, name: &str, now: DateTime<Utc>) -> Result<Option<String>> {
        sqlx::query_scalar("SELECT holder FROM leases WHERE name = $1 AND expires_at >= $2")
            .bind(name)
            .bind(now)
            .fetch_optional(&self.pool)
            .await
            .map_err(db)
    }
}
