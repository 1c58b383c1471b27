//! Opening the store a configuration names, sealing with its keys.

use crate::config::{Config, DatabaseConfig, DatabaseKind};
use anyhow::{Context, Result};
use groupcart_core::sealing::Sealer;
use groupcart_core::store::SharedStore;
use groupcart_store_postgres::PostgresStore;
use groupcart_store_sqlite::SqliteStore;
use std::sync::Arc;

/// Connects to the configured database, applies pending migrations and checks the
/// configured encryption keys against the ones the database was written with.
pub async fn open(config: &Config) -> Result<SharedStore> {
    let sealer = crate::keys::sealer(&config.database, &config.encryption)?;
    open_sealed(&config.database, sealer).await
}

/// Like [`open`], with the key ring given (benchmarks seal with a throwaway key).
pub async fn open_sealed(database: &DatabaseConfig, sealer: Arc<Sealer>) -> Result<SharedStore> {
    let kind = database.kind().map_err(anyhow::Error::msg)?;
    let store: SharedStore = match kind {
        DatabaseKind::Sqlite => Arc::new(
            SqliteStore::open(&database.url, sealer)
                .await
                .context("could not open the SQLite database")?,
        ),
        DatabaseKind::Postgres => Arc::new(
            PostgresStore::connect(&database.url, database.max_connections, sealer)
                .await
                .context("could not connect to PostgreSQL")?,
        ),
    };
    store
        .check_keys()
        .await
        .context("the encryption keys do not fit the database")?;
    Ok(store)
}
