//! [`ApiTokenStore`] on PostgreSQL: scoped admin API tokens (`api_tokens` in
//! `migrations/0017_api_tokens.sql`), stored as hashes. Parallel to the SQLite module.

use crate::query::{get, get_time};
use crate::{db, PostgresStore};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use groupcart_core::api_token::{ApiToken, ApiTokenStore, NewApiToken, Scope};
use groupcart_core::{Error, Result};
use sqlx::postgres::PgRow;

const COLUMNS: &str = "id, name, scope, created_at, revoked_at";

fn token_row(row: &PgRow) -> Result<ApiToken> {
    let scope: String = get(row, "scope")?;
    Ok(ApiToken {
        id: get(row, "id")?,
        name: get(row, "name")?,
        scope: Scope::parse(&scope)
            .ok_or_else(|| Error::Storage(format!("unknown token scope {scope}")))?,
        created_at: get_time(row, "created_at")?,
        revoked_at: get(row, "revoked_at")?,
    })
}

#[async_trait]
impl ApiTokenStore for PostgresStore {
    async fn create_api_token(&self, token: &NewApiToken) -> Result<ApiToken> {
        let row = sqlx::query(&format!(
            "INSERT INTO api_tokens (name, scope, hash, created_at) VALUES ($1, $2, $3, $4)
             RETURNING {COLUMNS}"
        ))
        .bind(&token.name)
        .bind(token.scope.as_str())
        .bind(&token.hash)
        .bind(token.at)
        .fetch_one(&self.pool)
        .await
        .map_err(|e| match &e {
            sqlx::Error::Database(d) if d.is_unique_violation() => {
                Error::Conflict(format!("a token named `{}` exists", token.name))
            }
            _ => db(e),
        })?;
        token_row(&row)
    }

    async fn api_tokens(&self) -> Result<Vec<ApiToken>> {
        let rows = sqlx::query(&format!("SELECT {COLUMNS} FROM api_tokens ORDER BY id"))
            .fetch_all(&self.pool)
            .await
            .map_err(db)?;
        rows.iter().map(token_row).collect()
    }

    async fn revoke_api_token(&self, id: i64, at: DateTime<Utc>) -> Result<Option<ApiToken>> {
        let row = sqlx::query(&format!(
            "UPDATE api_tokens SET revoked_at = COALESCE(revoked_at, $1) WHERE id = $2
             RETURNING {COLUMNS}"
        ))
        .bind(at)
        .bind(id)
        .fetch_optional(&self.pool)
        .await
        .map_err(db)?;
        row.as_ref().map(token_row).transpose()
    }

    async fn live_api_token(&self, hash: &str) -> Result<Option<ApiToken>> {
        let row = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM api_tokens WHERE hash = $1 AND revoked_at IS NULL"
        ))
        .bind(hash)
        .fetch_optional(&self.pool)
        .await
        .map_err(db)?;
        row.as_ref().map(token_row).transpose()
    }
}
