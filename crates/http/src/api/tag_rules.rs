//! `/api/tag-rules`: rules that tag the customers a segment rule matches
//! ([`groupcart_core::tag_rules`]), with a live preview of who matches now.

use super::{ApiJson, ApiPath};
use crate::{ApiError, AppState};
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use groupcart_core::segment::{self, Preview};
use groupcart_core::tag_rules::{self, TagRule, TagRuleDraft, TagRuleId};
use groupcart_core::Error;
use serde::Serialize;

#[derive(Debug, Serialize)]
pub struct TagRuleList {
    tag_rules: Vec<TagRule>,
}

pub async fn list(State(state): State<AppState>) -> Result<Json<TagRuleList>, ApiError> {
    Ok(Json(TagRuleList {
        tag_rules: state.store.tag_rules().await?,
    }))
}

pub async fn create(
    State(state): State<AppState>,
    ApiJson(draft): ApiJson<TagRuleDraft>,
) -> Result<(StatusCode, Json<TagRule>), ApiError> {
    let rule = tag_rules::create(state.store.as_ref(), draft, state.crm.clock.now()).await?;
    Ok((StatusCode::CREATED, Json(rule)))
}

async fn load(state: &AppState, id: i64) -> Result<TagRule, ApiError> {
    match state.store.tag_rule(TagRuleId(id)).await? {
        Some(rule) => Ok(rule),
        None => Err(Error::NotFound(format!("tag rule {id}")).into()),
    }
}

pub async fn show(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<TagRule>, ApiError> {
    Ok(Json(load(&state, id).await?))
}

pub async fn replace(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(draft): ApiJson<TagRuleDraft>,
) -> Result<Json<TagRule>, ApiError> {
    let rule = tag_rules::update(
        state.store.as_ref(),
        TagRuleId(id),
        draft,
        state.crm.clock.now(),
    )
    .await?;
    Ok(Json(rule))
}

pub async fn delete(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
) -> Result<StatusCode, ApiError> {
    tag_rules::delete(state.store.as_ref(), TagRuleId(id), state.crm.clock.now()).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// How many customers the rule matches now (whether or not it is enabled), how many of
/// them marketing may reach, and the first few.
pub async fn preview(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<Preview>, ApiError> {
    let rule = load(&state, id).await?;
    let parsed = segment::parse_field("rule", &rule.rule)?;
    let now = state.crm.clock.now();
    Ok(Json(
        segment::preview(state.store.as_ref(), &parsed, now).await?,
    ))
}
