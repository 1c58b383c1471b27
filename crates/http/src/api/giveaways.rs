//! `/api/giveaways`: live draws in a group or channel, announced with a join button and drawn
//! at their end (or now, by the host); `/giveaways/{id}` (public, no token) shows a
//! giveaway with its seed once drawn, so anyone can check the winners.

use super::{ApiJson, ApiPath};
use crate::{ApiError, AppState};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use chrono::Utc;
use groupcart_core::giveaway::{hex, Giveaway, GiveawayId, NewGiveaway};
use groupcart_core::{giveaway_chat, Error};

pub async fn create(
    State(state): State<AppState>,
    ApiJson(new): ApiJson<NewGiveaway>,
) -> Result<(StatusCode, Json<Giveaway>), ApiError> {
    let Some(app) = state.webapp.get(&new.bot) else {
        return Err(Error::NotFound(format!("bot {}", new.bot)).into());
    };
    // The secret the draw is made from: from the operating system's generator, never shown
    // before the draw.
    let seed = hex(&rand::random::<[u8; 32]>());
    let giveaway = giveaway_chat::start_giveaway(
        state.store.as_ref(),
        &state.texts,
        &app.profile,
        &new,
        &seed,
        Utc::now(),
    )
    .await?;
    state.wakers.wake(&new.bot);
    Ok((StatusCode::CREATED, Json(giveaway.public())))
}

pub async fn show(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<Giveaway>, ApiError> {
    public(&state, id).await.map(Json)
}

/// Ends the giveaway now: the draw runs within moments.
pub async fn end(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<Giveaway>, ApiError> {
    let giveaway = giveaway_chat::end_now(state.store.as_ref(), GiveawayId(id), Utc::now()).await?;
    Ok(Json(giveaway.public()))
}

/// The giveaway as anyone may see it (the seed only once drawn), for checking the draw.
pub async fn public_view(
    State(state): State<AppState>,
    Path(id): Path<i64>,
) -> Result<Json<Giveaway>, ApiError> {
    public(&state, id).await.map(Json)
}

async fn public(state: &AppState, id: i64) -> Result<Giveaway, ApiError> {
    let giveaway = state.store.giveaway(GiveawayId(id)).await?;
    giveaway
        .map(|g| g.public())
        .ok_or_else(|| Error::NotFound(format!("giveaway {id}")).into())
}
