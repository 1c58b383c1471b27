//! `/api/orders`: orders and the staff actions on them. Each action commits the order's
//! change together with the message that tells the customer.

use super::{ApiJson, ApiPath, ApiQuery};
use crate::{ApiError, AppState};
use axum::extract::State;
use axum::Json;
use chrono::Utc;
use groupcart_core::customer::CustomerId;
use groupcart_core::shop::{Order, OrderId, OrderQuery, OrderStatus};
use groupcart_core::shop_admin::{self, Actor};
use groupcart_core::store::Tx;
use serde::{Deserialize, Serialize};

const ACTOR: &str = "api";

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    status: Option<OrderStatus>,
    customer: Option<i64>,
    before: Option<i64>,
    limit: Option<i64>,
}

#[derive(Debug, Serialize)]
pub struct Page {
    orders: Vec<Order>,
    /// Pass as `before` for the next page; absent on the last page.
    #[serde(skip_serializing_if = "Option::is_none")]
    next_before: Option<i64>,
}

pub async fn list(
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> Result<Json<Page>, ApiError> {
    let limit = super::page_limit(query.limit)?;
    let orders = state
        .store
        .orders(&OrderQuery {
            customer: query.customer.map(CustomerId),
            status: query.status,
            before: query.before.map(OrderId),
            limit,
        })
        .await?;
    let next_before = (orders.len() as i64 == limit)
        .then(|| orders.last().map(|o| o.id.0))
        .flatten();
    Ok(Json(Page {
        orders,
        next_before,
    }))
}

pub async fn show(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<Order>, ApiError> {
    let order = state.store.order(OrderId(id)).await?;
    order
        .map(Json)
        .ok_or_else(|| groupcart_core::Error::NotFound(format!("order {id}")).into())
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Shipment {
    carrier: String,
    tracking_number: String,
}

fn actor() -> Actor<'static> {
    Actor {
        name: ACTOR,
        at: Utc::now(),
    }
}

/// Commits a staff action and wakes the sender for the customer's message.
async fn finish(state: &AppState, tx: Box<dyn Tx>, order: Order) -> Result<Json<Order>, ApiError> {
    tx.commit().await?;
    state.wakers.wake(&order.bot);
    Ok(Json(order))
}

pub async fn ship(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(shipment): ApiJson<Shipment>,
) -> Result<Json<Order>, ApiError> {
    let mut tx = state.store.begin().await?;
    let (carrier, tracking) = (&shipment.carrier, &shipment.tracking_number);
    let order = shop_admin::ship(
        tx.as_mut(),
        &state.texts,
        OrderId(id),
        carrier,
        tracking,
        &actor(),
    )
    .await?;
    finish(&state, tx, order).await
}

pub async fn deliver(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<Order>, ApiError> {
    let mut tx = state.store.begin().await?;
    let order = shop_admin::deliver(tx.as_mut(), &state.texts, OrderId(id), &actor()).await?;
    finish(&state, tx, order).await
}

pub async fn cancel(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<Order>, ApiError> {
    let mut tx = state.store.begin().await?;
    let order = shop_admin::cancel(tx.as_mut(), &state.texts, OrderId(id), &actor()).await?;
    finish(&state, tx, order).await
}

pub async fn refund(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<Order>, ApiError> {
    let mut tx = state.store.begin().await?;
    let order = shop_admin::refund(tx.as_mut(), &state.texts, OrderId(id), &actor()).await?;
    finish(&state, tx, order).await
}

pub async fn confirm_payment(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<Order>, ApiError> {
    let mut tx = state.store.begin().await?;
    let order = shop_admin::confirm_payment(
        tx.as_mut(),
        state.store.as_ref(),
        &state.texts,
        OrderId(id),
        &actor(),
    )
    .await?;
    finish(&state, tx, order).await
}
