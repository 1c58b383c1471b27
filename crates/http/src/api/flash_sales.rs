//! `/api/flash-sales`: flash sales (限时秒杀) of one variant at a sale price with limited
//! units, what is sold and left of them, and their announcements in groups and channels.
//! Creating a sale schedules its start; announcing one posts it through the outbox with a
//! "remind me" button and a button that opens the bot on the sale.

use super::{ApiJson, ApiPath, ApiQuery};
use crate::webapp::WebAppBot;
use crate::{ApiError, AppState};
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use chrono::Utc;
use groupcart_core::flash_sale::{
    self, Announcement, FlashSale, FlashSaleDraft, FlashSaleId, FlashSaleQuery, Phase, Post,
    Reschedule,
};
use groupcart_core::Error;
use groupcart_telegram::methods::GetMe;
use serde::{Deserialize, Serialize};

/// A sale as the API shows it.
#[derive(Debug, Serialize)]
pub struct SaleView {
    #[serde(flatten)]
    sale: FlashSale,
    /// Units not held by any order.
    left: i64,
    phase: Phase,
    /// Only on `GET /api/flash-sales/{id}`.
    #[serde(skip_serializing_if = "Option::is_none")]
    announcements: Option<Vec<Announcement>>,
}

fn view(sale: FlashSale, announcements: Option<Vec<Announcement>>) -> SaleView {
    SaleView {
        left: sale.left(),
        phase: sale.phase(Utc::now()),
        sale,
        announcements,
    }
}

/// The bot a sale is sold by: the one named, or the only one.
fn bot<'s>(state: &'s AppState, key: Option<&str>) -> Result<&'s WebAppBot, ApiError> {
    super::named_bot(state, key, "sells it")
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    after: Option<i64>,
    limit: Option<i64>,
}

#[derive(Debug, Serialize)]
pub struct Page {
    flash_sales: Vec<SaleView>,
    /// Pass as `after` for the next page; absent on the last page.
    #[serde(skip_serializing_if = "Option::is_none")]
    next_after: Option<i64>,
}

pub async fn list(
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> Result<Json<Page>, ApiError> {
    let limit = super::page_limit(query.limit)?;
    let sales = state
        .store
        .flash_sales(&FlashSaleQuery {
            after: query.after.map(FlashSaleId),
            limit,
        })
        .await?;
    let next_after = (sales.len() as i64 == limit)
        .then(|| sales.last().map(|s| s.id.0))
        .flatten();
    Ok(Json(Page {
        flash_sales: sales.into_iter().map(|s| view(s, None)).collect(),
        next_after,
    }))
}

pub async fn create(
    State(state): State<AppState>,
    ApiJson(draft): ApiJson<FlashSaleDraft>,
) -> Result<(StatusCode, Json<SaleView>), ApiError> {
    let bot = bot(&state, draft.bot.as_deref())?;
    let sale = flash_sale::create(state.store.as_ref(), &bot.profile, &draft, Utc::now()).await?;
    Ok((StatusCode::CREATED, Json(view(sale, None))))
}

pub async fn show(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<SaleView>, ApiError> {
    let id = FlashSaleId(id);
    let Some(sale) = state.store.flash_sale(id).await? else {
        return Err(Error::NotFound(format!("flash sale {}", id.0)).into());
    };
    let announcements = state.store.flash_sale_announcements(id).await?;
    Ok(Json(view(sale, Some(announcements))))
}

/// Moves a sale that has not started to a new window.
pub async fn reschedule(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(window): ApiJson<Reschedule>,
) -> Result<Json<SaleView>, ApiError> {
    let sale = flash_sale::reschedule(
        state.store.as_ref(),
        &state.texts,
        FlashSaleId(id),
        &window,
        Utc::now(),
    )
    .await?;
    state.wakers.wake(&sale.bot);
    Ok(Json(view(sale, None)))
}

/// Calls off a sale that has not ended.
pub async fn cancel(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<SaleView>, ApiError> {
    let sale = flash_sale::cancel(
        state.store.as_ref(),
        &state.texts,
        FlashSaleId(id),
        Utc::now(),
    )
    .await?;
    state.wakers.wake(&sale.bot);
    Ok(Json(view(sale, None)))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Announce {
    /// The group or channel to post in (the bot must be allowed to post there).
    chat_id: i64,
    /// The language of the post; the bot's default if left out.
    #[serde(default)]
    language: Option<String>,
}

pub async fn announce(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<Announce>,
) -> Result<(StatusCode, Json<Announcement>), ApiError> {
    let id = FlashSaleId(id);
    let Some(sale) = state.store.flash_sale(id).await? else {
        return Err(Error::NotFound(format!("flash sale {}", id.0)).into());
    };
    let bot = bot(&state, Some(&sale.bot))?;
    // The deep link needs the bot's username: known once the bot was prepared, else asked.
    let username = match bot.profile.username.get() {
        Some(username) => username.clone(),
        None => {
            let me = bot.client.call(&GetMe {}).await.map_err(|error| {
                tracing::warn!(%error, bot = %sale.bot, "getMe failed while announcing a flash sale");
                ApiError::new(
                    StatusCode::BAD_GATEWAY,
                    "telegram_unavailable",
                    "Telegram did not answer; try again",
                )
            })?;
            me.username.ok_or_else(|| {
                ApiError::new(
                    StatusCode::BAD_GATEWAY,
                    "telegram_unavailable",
                    "Telegram did not give the bot's username",
                )
            })?
        }
    };
    let link = format!("https://t.me/{username}?start=fs-{}", id.0);
    let announcement = flash_sale::announce(
        state.store.as_ref(),
        &state.texts,
        &bot.profile,
        id,
        Post {
            chat_id: body.chat_id,
            language: body.language.as_deref(),
            link: &link,
        },
        Utc::now(),
    )
    .await?;
    state.wakers.wake(&sale.bot);
    Ok((StatusCode::CREATED, Json(announcement)))
}
