//! [`ApiTokenStore`] on SQLite: scoped admin API tokens (`api_tokens` in
//! `migrations/0017_api_tokens.sql`), stored as hashes.

use crate::query::{get, get_time, ms};
use crate::{db, SqliteStore};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use groupcart_core::api_token::{ApiToken, ApiTokenStore, NewApiToken, Scope};
use groupcart_core::{Error, Result};
use sqlx::sqlite::SqliteRow;

const COLUMNS: &str = "id, name, scope, created_at, revoked_at";

fn token_row(row: &SqliteRow) -> Result<ApiToken> {
    let scope: String = get(row, "scope")?;
    let revoked_at: Option<i64> = get(row, "revoked_at")?;
    Ok(ApiToken {
        id: get(row, "id")?,
        name: get(row, "name")?,
        scope: Scope::parse(&scope)
            .ok_or_else(|| Error::Storage(format!("unknown token scope {scope}")))?,
        created_at: get_time(row, "created_at")?,
        revoked_at: revoked_at.map(crate::query::time).transpose()?,
    })
}

#[async_trait]
impl ApiTokenStore for SqliteStore {
    async fn create_api_token(&self, token: &NewApiToken) -> Result<ApiToken> {
        let row = sqlx::query(&format!(
            "INSERT INTO api_tokens (name, scope, hash, created_at) VALUES (?, ?, ?, ?)
             RETURNING {COLUMNS}"
        ))
        .bind(&token.name)
        .bind(token.scope.as_str())
        .bind(&token.hash)
        .bind(ms(token.at))
        .fetch_one(&self.writer)
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
            .fetch_all(&self.reader)
            .await
            .map_err(db)?;
        rows.iter().map(token_row).collect()
    }

    async fn revoke_api_token(&self, id: i64, at: DateTime<Utc>) -> Result<Option<ApiToken>> {
        let row = sqlx::query(&format!(
            "UPDATE api_tokens SET revoked_at = COALESCE(revoked_at, ?) WHERE id = ?
             RETURNING {COLUMNS}"
        ))
        .bind(ms(at))
        .bind(id)
        .fetch_optional(&self.writer)
        .await
        .map_err(db)?;
        row.as_ref().map(token_row).transpose()
    }

    async fn live_api_token(&self, hash: &str) -> Result<Option<ApiToken>> {
        let row = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM api_tokens WHERE hash = ? AND revoked_at IS NULL"
        ))
        .bind(hash)
        .fetch_optional(&self.reader)
        .await
        .map_err(db)?;
        row.as_ref().map(token_row).transpose()
    }
}
