//! Opening the store a database URL names.

use crate::config::{DatabaseConfig, DatabaseKind};
use anyhow::{Context, Result};
use groupcart_core::store::SharedStore;
use groupcart_store_postgres::PostgresStore;
use groupcart_store_sqlite::SqliteStore;
use std::sync::Arc;

/// Connects to the configured database and applies pending migrations.
pub async fn open(config: &DatabaseConfig) -> Result<SharedStore> {
    let kind = config.kind().map_err(anyhow::Error::msg)?;
    Ok(match kind {
        DatabaseKind::Sqlite => Arc::new(
            SqliteStore::open(&config.url)
                .await
                .context("could not open the SQLite database")?,
        ),
        DatabaseKind::Postgres => Arc::new(
            PostgresStore::connect(&config.url, config.max_connections)
                .await
                .context("could not connect to PostgreSQL")?,
        ),
    })
}
