//! `/api/posts`: the content calendar. Posts scheduled for the seller's channels and groups,
//! with a category each (news, education, interaction, promotion) and the mix of a period,
//! interaction polls with their latest results;
//! a post can be edited or cancelled until it goes out.

use super::{ApiJson, ApiPath, ApiQuery};
use crate::{ApiError, AppState};
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use chrono::{DateTime, Utc};
use groupcart_core::calendar::{self, Content, PostDraft, PostId, PostQuery, ScheduledPost};
use groupcart_core::Error;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

pub async fn create(
    State(state): State<AppState>,
    ApiJson(draft): ApiJson<PostDraft>,
) -> Result<(StatusCode, Json<ScheduledPost>), ApiError> {
    let bot = super::named_bot(&state, draft.bot.as_deref(), "posts it")?;
    let post =
        calendar::schedule(state.store.as_ref(), &bot.profile.key.0, &draft, Utc::now()).await?;
    Ok((StatusCode::CREATED, Json(post)))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    bot: Option<String>,
    chat_id: Option<i64>,
    /// Posts to go out at or after this time.
    from: Option<DateTime<Utc>>,
    /// Posts to go out before this time.
    to: Option<DateTime<Utc>>,
    limit: Option<i64>,
}

/// How many posts of a category, and its share of the period in basis points.
#[derive(Debug, Serialize)]
pub struct Share {
    count: i64,
    share_bp: i64,
}

#[derive(Debug, Serialize)]
pub struct Calendar {
    posts: Vec<ScheduledPost>,
    /// Per category, over the posts listed (cancelled ones not counted).
    mix: BTreeMap<&'static str, Share>,
}

pub async fn list(
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> Result<Json<Calendar>, ApiError> {
    let limit = super::page_limit(query.limit)?;
    let posts = state
        .store
        .scheduled_posts(&PostQuery {
            bot: query.bot,
            chat_id: query.chat_id,
            from: query.from,
            to: query.to,
            limit,
        })
        .await?;
    let mix = calendar::mix(&posts)
        .into_iter()
        .map(|(category, count, share_bp)| (category.as_str(), Share { count, share_bp }))
        .collect();
    Ok(Json(Calendar { posts, mix }))
}

pub async fn show(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<ScheduledPost>, ApiError> {
    let post = state.store.scheduled_post(PostId(id)).await?;
    post.map(Json)
        .ok_or_else(|| Error::NotFound(format!("post {id}")).into())
}

/// Replaces a scheduled post's text, buttons, poll, category and time.
pub async fn edit(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(content): ApiJson<Content>,
) -> Result<Json<ScheduledPost>, ApiError> {
    let post = calendar::edit(state.store.as_ref(), PostId(id), &content, Utc::now()).await?;
    Ok(Json(post))
}

pub async fn cancel(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<ScheduledPost>, ApiError> {
    let post = calendar::cancel(state.store.as_ref(), PostId(id), Utc::now()).await?;
    Ok(Json(post))
}
