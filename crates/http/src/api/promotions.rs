//! `/api/promotions`: coupon codes and automatic promotions, with their limits and what has
//! been used of them, and single-use codes made in bulk (for a KOL or a poster campaign) and
//! exported as CSV.

use super::{ApiJson, ApiPath, ApiQuery};
use crate::{ApiError, AppState};
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use axum::Json;
use chrono::Utc;
use groupcart_core::coupon::{
    self, PromotionDraft, PromotionQuery, PromotionStatus, StoredPromotion,
};
use groupcart_core::customer::CustomerId;
use groupcart_core::promotion::PromotionId;
use serde::{Deserialize, Serialize};
use std::fmt::Write as _;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    status: Option<PromotionStatus>,
    after: Option<i64>,
    limit: Option<i64>,
}

#[derive(Debug, Serialize)]
pub struct Page {
    promotions: Vec<StoredPromotion>,
    /// Pass as `after` for the next page; absent on the last page.
    #[serde(skip_serializing_if = "Option::is_none")]
    next_after: Option<i64>,
}

pub async fn list(
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> Result<Json<Page>, ApiError> {
    let limit = super::page_limit(query.limit)?;
    let promotions = state
        .store
        .promotions(&PromotionQuery {
            status: query.status,
            after: query.after.map(PromotionId),
            limit,
        })
        .await?;
    let next_after = (promotions.len() as i64 == limit)
        .then(|| promotions.last().map(|p| p.promotion.id.0))
        .flatten();
    Ok(Json(Page {
        promotions,
        next_after,
    }))
}

pub async fn create(
    State(state): State<AppState>,
    ApiJson(draft): ApiJson<PromotionDraft>,
) -> Result<(StatusCode, Json<StoredPromotion>), ApiError> {
    let stored = coupon::create_promotion(state.store.as_ref(), &draft, Utc::now()).await?;
    Ok((StatusCode::CREATED, Json(stored)))
}

pub async fn show(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<StoredPromotion>, ApiError> {
    let stored = state.store.promotion(PromotionId(id)).await?;
    stored
        .map(Json)
        .ok_or_else(|| groupcart_core::Error::NotFound(format!("promotion {id}")).into())
}

pub async fn replace(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(draft): ApiJson<PromotionDraft>,
) -> Result<Json<StoredPromotion>, ApiError> {
    let stored =
        coupon::update_promotion(state.store.as_ref(), PromotionId(id), &draft, Utc::now()).await?;
    Ok(Json(stored))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CodeBatch {
    /// How many codes to make (1-100000).
    count: usize,
    /// Put before each code (`KOL-ANNA-`); up to 24 of A-Z, 0-9, - and _.
    #[serde(default)]
    prefix: String,
    /// Only this customer may use the codes.
    #[serde(default)]
    customer_id: Option<i64>,
}

#[derive(Debug, Serialize)]
pub struct Made {
    created: usize,
    /// The first codes made (all of them up to 100), to try one right away.
    sample: Vec<String>,
}

pub async fn make_codes(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(batch): ApiJson<CodeBatch>,
) -> Result<(StatusCode, Json<Made>), ApiError> {
    let mut random = rand::random::<u64>;
    let codes = coupon::generate_codes(
        state.store.as_ref(),
        PromotionId(id),
        &batch.prefix,
        batch.count,
        batch.customer_id.map(CustomerId),
        &mut random,
        Utc::now(),
    )
    .await?;
    let made = Made {
        created: codes.len(),
        sample: codes.into_iter().take(100).collect(),
    };
    Ok((StatusCode::CREATED, Json(made)))
}

/// The promotion's single-use codes as CSV: `code,customer_id,order_id,created_at`.
pub async fn export_codes(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
) -> Result<impl IntoResponse, ApiError> {
    let id = PromotionId(id);
    if state.store.promotion(id).await?.is_none() {
        return Err(groupcart_core::Error::NotFound(format!("promotion {}", id.0)).into());
    }
    let mut csv = String::from("code,customer_id,order_id,created_at\n");
    let mut after: Option<String> = None;
    loop {
        let page = state.store.unique_codes(id, after.as_deref(), 1000).await?;
        for code in &page {
            let customer = code
                .assigned_to
                .map(|c| c.0.to_string())
                .unwrap_or_default();
            let order = code.order_id.map(|o| o.0.to_string()).unwrap_or_default();
            // Codes are A-Z, 0-9, - and _: nothing to quote.
            let _ = writeln!(
                csv,
                "{},{customer},{order},{}",
                code.code,
                code.created_at.to_rfc3339()
            );
        }
        match page.last() {
            Some(last) if page.len() == 1000 => after = Some(last.code.clone()),
            _ => break,
        }
    }
    let disposition = format!("attachment; filename=\"promotion-{}-codes.csv\"", id.0);
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        csv,
    ))
}
