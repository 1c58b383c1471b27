//! `/api/chats/{bot}/{chat_id}/purge-candidates` and `/purge`: the members of a group to
//! remove (inactive for some days, or flagged by moderation), and the staff's confirmation
//! that queues their removal. Only members groupcart has seen (joining or speaking since the
//! bot joined) are known; see [`groupcart_core::membership`].

use super::{ApiJson, ApiPath, ApiQuery};
use crate::{ApiError, AppState};
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use groupcart_core::membership::{self, PurgeFilter, PurgeList, PurgeOutcome};
use groupcart_core::Error;
use serde::Deserialize;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CandidatesQuery {
    /// Members whose last activity is older than this many days (1-3650).
    inactive_days: Option<u32>,
    /// Members with warnings or mutes in the chat's moderation log.
    #[serde(default)]
    flagged: bool,
    /// List customers with a paid order too.
    #[serde(default)]
    include_customers: bool,
}

/// The chat's members a purge would remove, least recently active first, at most
/// [`membership::MAX_PURGE_CANDIDATES`] (`truncated` says when there are more).
pub async fn candidates(
    State(state): State<AppState>,
    ApiPath((bot, chat_id)): ApiPath<(String, i64)>,
    ApiQuery(query): ApiQuery<CandidatesQuery>,
) -> Result<Json<PurgeList>, ApiError> {
    let filter = PurgeFilter {
        inactive_days: query.inactive_days,
        flagged: query.flagged,
        include_customers: query.include_customers,
    };
    let list = membership::purge_candidates(
        state.store.as_ref(),
        &bot,
        chat_id,
        &filter,
        state.crm.clock.now(),
    )
    .await?;
    Ok(Json(list))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PurgeRequest {
    /// The members to remove (1-500), as listed.
    user_ids: Vec<i64>,
    /// The filter they were listed with: each is checked again under it.
    inactive_days: Option<u32>,
    #[serde(default)]
    flagged: bool,
    #[serde(default)]
    include_customers: bool,
}

/// Queues the removal of the members given that are still candidates under the filter; the
/// others are skipped with the reason. Each removal is logged as a `kick` naming the caller.
pub async fn purge(
    State(state): State<AppState>,
    axum::Extension(caller): axum::Extension<super::Caller>,
    ApiPath((bot, chat_id)): ApiPath<(String, i64)>,
    ApiJson(request): ApiJson<PurgeRequest>,
) -> Result<(StatusCode, Json<PurgeOutcome>), ApiError> {
    if !state.webapp.contains_key(&bot) {
        return Err(Error::NotFound(format!("bot {bot}")).into());
    }
    let outcome = membership::confirm_purge(
        state.store.as_ref(),
        &bot,
        chat_id,
        &request.user_ids,
        &PurgeFilter {
            inactive_days: request.inactive_days,
            flagged: request.flagged,
            include_customers: request.include_customers,
        },
        &caller.actor,
        state.crm.clock.now(),
    )
    .await?;
    Ok((StatusCode::ACCEPTED, Json(outcome)))
}
