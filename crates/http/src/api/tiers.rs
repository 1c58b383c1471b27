//! `/api/tier-settings`: the shop's membership tiers (thresholds and benefits). The rules
//! live in `groupcart_core::tiers`.

use super::ApiJson;
use crate::{ApiError, AppState};
use axum::extract::State;
use axum::Json;
use groupcart_core::tiers::{self, TierSettings};

pub async fn settings(State(state): State<AppState>) -> Result<Json<TierSettings>, ApiError> {
    Ok(Json(state.store.tier_settings().await?))
}

/// Saves the ladder; the answer carries the promotions kept for the benefits.
pub async fn set_settings(
    State(state): State<AppState>,
    ApiJson(settings): ApiJson<TierSettings>,
) -> Result<Json<TierSettings>, ApiError> {
    let now = state.crm.clock.now();
    Ok(Json(
        tiers::save_settings(state.store.as_ref(), settings, now).await?,
    ))
}
