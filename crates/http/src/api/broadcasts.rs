//! `/api/broadcasts`: plan a broadcast to a segment (now, at a time, or at a local time in
//! each recipient's time zone; A/B variants with photos, a holdout, and auto-send of the
//! winner) or a post in the bot's chats, follow its progress, read its results per variant
//! (and per chat), pick an A/B test's winner by hand, and pause, resume or cancel it.

use super::{ApiJson, ApiPath, ApiQuery};
use crate::{ApiError, AppState};
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use groupcart_core::broadcast::{
    self, Broadcast, BroadcastDraft, BroadcastId, Control, Outcome, Planned, Progress,
    RecipientState,
};
use groupcart_core::error::FieldError;
use groupcart_core::Error;
use serde::{Deserialize, Serialize};

pub async fn create(
    State(state): State<AppState>,
    ApiJson(draft): ApiJson<BroadcastDraft>,
) -> Result<(StatusCode, Json<Planned>), ApiError> {
    let bot = super::named_bot(&state, draft.bot.as_deref(), "sends it")?;
    let planned = broadcast::plan(
        state.store.as_ref(),
        &bot.profile.key.0,
        &bot.profile.default_language,
        &state.crm.default_time_zone,
        &draft,
        state.crm.clock.now(),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(planned)))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    limit: Option<i64>,
}

#[derive(Debug, Serialize)]
pub struct BroadcastList {
    broadcasts: Vec<Broadcast>,
}

pub async fn list(
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> Result<Json<BroadcastList>, ApiError> {
    let limit = query.limit.unwrap_or(50);
    if !(1..=500).contains(&limit) {
        return Err(Error::Fields(vec![FieldError::new("limit", "must be 1-500")]).into());
    }
    Ok(Json(BroadcastList {
        broadcasts: state.store.broadcasts(limit).await?,
    }))
}

/// The broadcast with its progress: recipients per state and variant, and an ETA.
pub async fn show(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<Progress>, ApiError> {
    let progress = broadcast::progress(
        state.store.as_ref(),
        BroadcastId(id),
        state.crm.send_rate,
        state.crm.clock.now(),
    )
    .await?;
    Ok(Json(progress))
}

#[derive(Debug, Serialize)]
pub struct Results {
    broadcast: BroadcastId,
    attribution_hours: u32,
    /// Per variant in order, then the holdout (`variant: null`).
    variants: Vec<Outcome>,
    /// The A/B test's winner once picked.
    winner_variant: Option<u8>,
    /// For a post in chats: each chat's post.
    chats: Vec<ChatResult>,
}

/// Where a broadcast's post in one chat is.
#[derive(Debug, Serialize)]
pub struct ChatResult {
    chat_id: i64,
    /// The chat's title as the bot last saw it.
    title: Option<String>,
    state: RecipientState,
}

pub async fn results(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<Results>, ApiError> {
    let Some(b) = state.store.broadcast(BroadcastId(id)).await? else {
        return Err(Error::NotFound(format!("broadcast {id}")).into());
    };
    let titles: std::collections::HashMap<i64, String> = if b.chats.is_empty() {
        Default::default()
    } else {
        state
            .store
            .chats(&b.bot)
            .await?
            .into_iter()
            .map(|c| (c.seen.chat_id, c.seen.title))
            .collect()
    };
    let chats = state
        .store
        .broadcast_chat_deliveries(b.id)
        .await?
        .into_iter()
        .map(|d| ChatResult {
            chat_id: d.chat_id,
            title: titles.get(&d.chat_id).cloned(),
            state: d.state,
        })
        .collect();
    Ok(Json(Results {
        broadcast: b.id,
        attribution_hours: b.attribution_hours,
        variants: state.store.broadcast_outcomes(b.id).await?,
        winner_variant: b.winner_variant,
        chats,
    }))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WinnerPick {
    /// Index into the broadcast's variants.
    variant: u8,
}

/// Staff pick an A/B test's winner before its time: it goes to the rest now.
pub async fn winner(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(pick): ApiJson<WinnerPick>,
) -> Result<Json<Broadcast>, ApiError> {
    let b = broadcast::pick_winner(
        state.store.as_ref(),
        BroadcastId(id),
        pick.variant,
        &state.crm.default_time_zone,
        state.crm.clock.now(),
    )
    .await?;
    state.wakers.wake(&b.bot);
    Ok(Json(b))
}

async fn control(state: &AppState, id: i64, control: Control) -> Result<Json<Broadcast>, ApiError> {
    let b = broadcast::control(
        state.store.as_ref(),
        BroadcastId(id),
        control,
        state.crm.clock.now(),
    )
    .await?;
    Ok(Json(b))
}

pub async fn pause(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<Broadcast>, ApiError> {
    control(&state, id, Control::Pause).await
}

pub async fn resume(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<Broadcast>, ApiError> {
    control(&state, id, Control::Resume).await
}

pub async fn cancel(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<Broadcast>, ApiError> {
    control(&state, id, Control::Cancel).await
}
