//! `POST /telegram/{bot}`: Telegram's webhook. An update is acknowledged with 200 only once
//! it is stored; a wrong secret gets 401 and malformed JSON 400, and neither is processed.

use crate::{ApiError, AppState};
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use chrono::Utc;
use groupcart_core::inbox::NewInboxUpdate;
use groupcart_core::metrics::Metrics;
use groupcart_telegram::types::peek_update;

/// The header Telegram puts the webhook secret in.
pub const SECRET_HEADER: &str = "x-telegram-bot-api-secret-token";

pub async fn receive(
    State(state): State<AppState>,
    Path(bot): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<StatusCode, ApiError> {
    let Some(webhook) = state.webhooks.get(&bot) else {
        return Err(ApiError::new(
            StatusCode::NOT_FOUND,
            "unknown_bot",
            "no bot receives updates here",
        ));
    };
    let given = headers
        .get(SECRET_HEADER)
        .map(|v| v.as_bytes())
        .unwrap_or_default();
    if !crate::same_secret(given, webhook.secret.as_bytes()) {
        Metrics::incr(&state.metrics.updates_rejected);
        tracing::warn!(%bot, "webhook request with a wrong or missing secret");
        return Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            "bad_secret",
            "the secret token is missing or wrong",
        ));
    }
    // An update this version cannot fully parse is still stored (and acknowledged) as long
    // as it has an update_id: a newer Telegram must not make us drop it.
    let head = peek_update(&body).map_err(|_| {
        Metrics::incr(&state.metrics.updates_rejected);
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "malformed_update",
            "the body is not a Telegram update",
        )
    })?;
    let payload = String::from_utf8(body.to_vec()).map_err(|_| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "malformed_update",
            "the body is not UTF-8",
        )
    })?;
    let stored = NewInboxUpdate {
        bot,
        update_id: head.update_id,
        chat_id: head.chat_id,
        payload,
        received_at: Utc::now(),
    };
    state.intake.submit(stored).await.map_err(|error| {
        tracing::error!(%error, "could not store a webhook update");
        // Telegram retries non-2xx answers, so the update is not lost.
        ApiError::unavailable(
            "storage_unavailable",
            "the update could not be stored; retry",
        )
    })?;
    Ok(StatusCode::OK)
}
