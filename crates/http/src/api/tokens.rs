//! `/api/tokens`: scoped, revocable API tokens for integrations (`groupcart_core::api_token`).
//! Only full-scope callers reach these routes; a new token's secret is in the creation
//! answer and nowhere else.

use super::{ApiJson, ApiPath};
use crate::{ApiError, AppState};
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use groupcart_core::api_token::{self, ApiToken, Scope};
use groupcart_core::Error;
use serde::{Deserialize, Serialize};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewToken {
    name: String,
    scope: Scope,
}

#[derive(Debug, Serialize)]
pub struct Created {
    #[serde(flatten)]
    token: ApiToken,
    /// Send as `Authorization: Bearer <secret>`; shown this once.
    secret: String,
}

pub async fn create(
    State(state): State<AppState>,
    ApiJson(new): ApiJson<NewToken>,
) -> Result<(StatusCode, Json<Created>), ApiError> {
    let now = state.crm.clock.now();
    let (token, secret) =
        api_token::create(state.store.as_ref(), &new.name, new.scope, now).await?;
    Ok((StatusCode::CREATED, Json(Created { token, secret })))
}

#[derive(Debug, Serialize)]
pub struct List {
    tokens: Vec<ApiToken>,
}

pub async fn list(State(state): State<AppState>) -> Result<Json<List>, ApiError> {
    Ok(Json(List {
        tokens: state.store.api_tokens().await?,
    }))
}

/// Revokes a token: the next request with it is refused.
pub async fn revoke(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<ApiToken>, ApiError> {
    let now = state.crm.clock.now();
    match state.store.revoke_api_token(id, now).await? {
        Some(token) => Ok(Json(token)),
        None => Err(Error::NotFound(format!("token {id}")).into()),
    }
}
