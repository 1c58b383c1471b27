//! `/api/points-settings` and `/api/customers/{id}/points`: how loyalty points are earned,
//! kept and spent, a customer's balance with their ledger, and staff's credits and debits
//! (an approved review or photo, a correction). The rules live in `groupcart_core::points`.

use super::{ApiJson, ApiPath, ApiQuery};
use crate::{ApiError, AppState};
use axum::extract::State;
use axum::{Extension, Json};
use groupcart_core::audit::{self, NewAuditEntry};
use groupcart_core::customer::CustomerId;
use groupcart_core::points::{self, Adjustment, PointsEntry, PointsEntryId, PointsSettings};
use serde::{Deserialize, Serialize};
use serde_json::json;

pub async fn settings(State(state): State<AppState>) -> Result<Json<PointsSettings>, ApiError> {
    Ok(Json(state.store.points_settings().await?))
}

pub async fn set_settings(
    State(state): State<AppState>,
    ApiJson(settings): ApiJson<PointsSettings>,
) -> Result<Json<PointsSettings>, ApiError> {
    let now = state.crm.clock.now();
    points::save_settings(state.store.as_ref(), &settings, now).await?;
    Ok(Json(settings))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LedgerQuery {
    /// Entries older than this id (the previous page's `next_before`).
    before: Option<i64>,
    limit: Option<i64>,
}

/// A customer's balance and one page of their ledger, newest first.
#[derive(Debug, Serialize)]
pub struct Ledger {
    customer_id: CustomerId,
    balance: i64,
    entries: Vec<PointsEntry>,
    /// Pass as `before` for the next page; absent on the last page.
    #[serde(skip_serializing_if = "Option::is_none")]
    next_before: Option<i64>,
}

async fn known_customer(state: &AppState, id: CustomerId) -> Result<(), ApiError> {
    if state.store.profile(id).await?.is_none() {
        return Err(groupcart_core::Error::NotFound(format!("customer {}", id.0)).into());
    }
    Ok(())
}

pub async fn ledger(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(query): ApiQuery<LedgerQuery>,
) -> Result<Json<Ledger>, ApiError> {
    let customer = CustomerId(id);
    known_customer(&state, customer).await?;
    let limit = super::page_limit(query.limit)?;
    let mut entries = state
        .store
        .points_ledger(customer, query.before.map(PointsEntryId), limit + 1)
        .await?;
    let more = entries.len() as i64 > limit;
    entries.truncate(limit as usize);
    let next_before = more.then(|| entries.last().map(|e| e.id.0)).flatten();
    Ok(Json(Ledger {
        customer_id: customer,
        balance: state.store.points_balance(customer).await?,
        entries,
        next_before,
    }))
}

/// What a staff adjustment wrote.
#[derive(Debug, Serialize)]
pub struct Adjusted {
    /// `None` when a debit found no points to take.
    entry: Option<PointsEntry>,
    balance: i64,
}

/// A staff credit or debit, written with its audit entry (who, how much, the reference;
/// the reason is free text that may name a person, so it stays in the ledger only).
pub async fn adjust(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
    caller: Option<Extension<super::Caller>>,
    ApiJson(adjustment): ApiJson<Adjustment>,
) -> Result<Json<Adjusted>, ApiError> {
    let customer = CustomerId(id);
    let actor = caller.map_or_else(|| super::audit::API_ACTOR.to_owned(), |c| c.0.actor);
    let now = state.crm.clock.now();
    let mut tx = state.store.begin().await?;
    let entry = points::adjust(tx.as_mut(), customer, &adjustment, &actor, now).await?;
    audit::append(
        tx.as_mut(),
        NewAuditEntry {
            at: now,
            actor,
            action: "points.adjust".into(),
            target: Some(format!("customer:{id}")),
            details: json!({
                "delta": adjustment.delta,
                "applied": entry.as_ref().map(|e| e.delta),
                "reference": adjustment.reference,
            }),
            ip: None,
        },
    )
    .await?;
    let balance = tx.lock_points(customer).await?;
    tx.commit().await?;
    Ok(Json(Adjusted { entry, balance }))
}
