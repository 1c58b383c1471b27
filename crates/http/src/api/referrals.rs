//! `/api/referral-settings` and `/api/referrals`: how referrals are rewarded, every referral
//! decision with its reason, and staff's review of held ones (approve or reject). The rules
//! live in `groupcart_core::referral`.

use super::{ApiJson, ApiPath, ApiQuery};
use crate::{ApiError, AppState};
use axum::extract::State;
use axum::Json;
use chrono::Utc;
use groupcart_core::referral::{
    self, Referral, ReferralId, ReferralSettings, ReferralStatus, Review,
};
use serde::{Deserialize, Serialize};

/// Who staff decisions made through the API are recorded as.
const ACTOR: &str = "api";

pub async fn settings(State(state): State<AppState>) -> Result<Json<ReferralSettings>, ApiError> {
    Ok(Json(state.store.referral_settings().await?))
}

pub async fn set_settings(
    State(state): State<AppState>,
    ApiJson(settings): ApiJson<ReferralSettings>,
) -> Result<Json<ReferralSettings>, ApiError> {
    referral::save_settings(state.store.as_ref(), &settings, Utc::now()).await?;
    Ok(Json(settings))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    status: Option<String>,
    after: Option<i64>,
    limit: Option<i64>,
}

#[derive(Debug, Serialize)]
pub struct Page {
    referrals: Vec<Referral>,
    /// Pass as `after` for the next page; absent on the last page.
    #[serde(skip_serializing_if = "Option::is_none")]
    next_after: Option<i64>,
}

pub async fn list(
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> Result<Json<Page>, ApiError> {
    let limit = super::page_limit(query.limit)?;
    let status = match query.status.as_deref() {
        None => None,
        Some(s) => Some(ReferralStatus::parse(s).ok_or_else(|| {
            ApiError::unprocessable(
                "invalid_query",
                "status must be pending, held, credited, refused or rejected",
            )
        })?),
    };
    let referrals = state
        .store
        .referrals(status, query.after.map(ReferralId), limit + 1)
        .await?;
    let more = referrals.len() as i64 > limit;
    let referrals: Vec<Referral> = referrals.into_iter().take(limit as usize).collect();
    let next_after = more.then(|| referrals.last().map(|r| r.id.0)).flatten();
    Ok(Json(Page {
        referrals,
        next_after,
    }))
}

async fn decide(state: &AppState, id: i64, decision: Review) -> Result<Json<Referral>, ApiError> {
    let mut tx = state.store.begin().await?;
    let decided = referral::review(
        tx.as_mut(),
        &state.texts,
        ReferralId(id),
        decision,
        ACTOR,
        Utc::now(),
    )
    .await?;
    tx.commit().await?;
    state.wakers.wake(&decided.bot);
    Ok(Json(decided))
}

pub async fn approve(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<Referral>, ApiError> {
    decide(&state, id, Review::Approve).await
}

pub async fn reject(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<Referral>, ApiError> {
    decide(&state, id, Review::Reject).await
}
