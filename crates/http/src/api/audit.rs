//! `/api/audit` and the audit of the admin API: every request that changes something is
//! appended to the hash-chained audit log (`groupcart_core::audit`) with who, what, on
//! which path, the outcome and the client's address. Bodies are not recorded: they can
//! hold personal data, which the log must not keep beyond an erasure.

use super::ApiQuery;
use crate::{ApiError, AppState};
use axum::extract::{ConnectInfo, MatchedPath, OriginalUri, Request, State};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::Response;
use axum::Json;
use groupcart_core::audit::{self, AuditEntry, NewAuditEntry, Verification};
use serde::{Deserialize, Serialize};
use std::net::SocketAddr;

/// The actor of requests with the configured owner token.
pub const API_ACTOR: &str = "api";

/// The client's address, when the server knows it.
pub fn client_ip(request: &Request) -> Option<String> {
    request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| addr.ip().to_string())
}

/// Who made the request (see [`super::Caller`]).
pub fn caller_actor(request: &Request) -> String {
    request
        .extensions()
        .get::<super::Caller>()
        .map_or_else(|| API_ACTOR.to_owned(), |caller| caller.actor.clone())
}

/// Records every authenticated request that may change something, after it ran.
pub async fn record_changes(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    if matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    ) {
        return next.run(request).await;
    }
    let route = request.extensions().get::<MatchedPath>().map_or_else(
        || request.uri().path().to_owned(),
        |p| p.as_str().to_owned(),
    );
    let action = format!("{} {route}", request.method());
    // The path as the client sent it (`/api/...`; this router is nested under `/api`).
    let target = request
        .extensions()
        .get::<OriginalUri>()
        .map_or_else(|| request.uri().path(), |uri| uri.path())
        .to_owned();
    let ip = client_ip(&request);
    let actor = caller_actor(&request);
    let response = next.run(request).await;
    let entry = NewAuditEntry {
        at: state.crm.clock.now(),
        actor,
        action,
        target: Some(target),
        details: serde_json::json!({ "status": response.status().as_u16() }),
        ip,
    };
    // The change is already committed: a failure to record it is logged loudly rather than
    // turning a done change into an error the caller would retry.
    if let Err(error) = audit::record(&state.store, entry).await {
        tracing::error!(%error, "could not append to the audit log");
    }
    response
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Page {
    #[serde(default)]
    after: i64,
    #[serde(default = "default_limit")]
    limit: i64,
}

fn default_limit() -> i64 {
    100
}

#[derive(Debug, Serialize)]
pub struct Entries {
    entries: Vec<AuditEntry>,
}

/// Entries after `after`, oldest first.
pub async fn list(
    State(state): State<AppState>,
    ApiQuery(page): ApiQuery<Page>,
) -> Result<Json<Entries>, ApiError> {
    if !(1..=1_000).contains(&page.limit) || page.after < 0 {
        return Err(
            groupcart_core::Error::Fields(vec![groupcart_core::FieldError::new(
                "limit",
                "1-1000, with after >= 0",
            )])
            .into(),
        );
    }
    let entries = state.store.audit_entries(page.after, page.limit).await?;
    Ok(Json(Entries { entries }))
}

/// Walks the whole chain.
pub async fn verify(State(state): State<AppState>) -> Result<Json<Verification>, ApiError> {
    Ok(Json(audit::verify(state.store.as_ref()).await?))
}
