//! `/api/group-buys`: group-buy offers (拼团: N people within T hours each get price P), the
//! teams customers opened and who is in them. Customers open and join teams in the bot
//! (`t.me/<bot>?start=gb-<offer>`); the seller makes offers, ends them and watches teams.

use super::{ApiJson, ApiPath, ApiQuery};
use crate::{ApiError, AppState};
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use chrono::Utc;
use groupcart_core::group_buy::{
    self, Member, Offer, OfferDraft, OfferId, OfferQuery, Team, TeamId,
};
use groupcart_core::Error;
use serde::{Deserialize, Serialize};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    after: Option<i64>,
    limit: Option<i64>,
}

#[derive(Debug, Serialize)]
pub struct Page {
    group_buys: Vec<Offer>,
    /// Pass as `after` for the next page; absent on the last page.
    #[serde(skip_serializing_if = "Option::is_none")]
    next_after: Option<i64>,
}

pub async fn list(
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> Result<Json<Page>, ApiError> {
    let limit = super::page_limit(query.limit)?;
    let offers = state
        .store
        .group_buy_offers(&OfferQuery {
            after: query.after.map(OfferId),
            limit,
        })
        .await?;
    let next_after = (offers.len() as i64 == limit)
        .then(|| offers.last().map(|o| o.id.0))
        .flatten();
    Ok(Json(Page {
        group_buys: offers,
        next_after,
    }))
}

pub async fn create(
    State(state): State<AppState>,
    ApiJson(draft): ApiJson<OfferDraft>,
) -> Result<(StatusCode, Json<Offer>), ApiError> {
    let bot = super::named_bot(&state, draft.bot.as_deref(), "sells it")?;
    let offer =
        group_buy::create_offer(state.store.as_ref(), &bot.profile, &draft, Utc::now()).await?;
    Ok((StatusCode::CREATED, Json(offer)))
}

/// An offer with its newest teams.
#[derive(Debug, Serialize)]
pub struct OfferView {
    #[serde(flatten)]
    offer: Offer,
    /// The newest 100 teams, newest first.
    teams: Vec<Team>,
}

pub async fn show(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<OfferView>, ApiError> {
    let id = OfferId(id);
    let Some(offer) = state.store.group_buy_offer(id).await? else {
        return Err(Error::NotFound(format!("group-buy offer {}", id.0)).into());
    };
    let teams = state.store.group_buy_teams(id, 100).await?;
    Ok(Json(OfferView { offer, teams }))
}

/// Stops the offer taking new teams.
pub async fn end(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<Offer>, ApiError> {
    let offer = group_buy::end_offer(state.store.as_ref(), OfferId(id), Utc::now()).await?;
    Ok(Json(offer))
}

/// A team with its members.
#[derive(Debug, Serialize)]
pub struct TeamView {
    #[serde(flatten)]
    team: Team,
    /// Everyone who joined, in the order they joined (those who left too).
    roster: Vec<Member>,
}

pub async fn team(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<TeamView>, ApiError> {
    let id = TeamId(id);
    let Some(team) = state.store.group_buy_team(id).await? else {
        return Err(Error::NotFound(format!("group-buy team {}", id.0)).into());
    };
    let roster = state.store.group_buy_members(id).await?;
    Ok(Json(TeamView { team, roster }))
}
