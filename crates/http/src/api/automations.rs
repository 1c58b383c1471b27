//! `/api/automations` and `/api/automation-settings`: the lifecycle flows (settings and
//! results) and the rules every send obeys. The rules live in
//! `groupcart_core::automation`.

use super::{ApiJson, ApiPath};
use crate::{ApiError, AppState};
use axum::extract::State;
use axum::Json;
use groupcart_core::automation::{self, AutomationSettings, Flow, FlowKind, FlowStats};
use groupcart_core::Error;
use serde::Serialize;

/// How far back the results look.
const RESULTS_DAYS: i64 = 30;

/// One flow as the API shows it.
#[derive(Debug, Serialize)]
pub struct FlowView {
    pub flow: FlowKind,
    /// Whether its sends need marketing consent and count towards the cap.
    pub marketing: bool,
    #[serde(flatten)]
    pub settings: Flow,
    /// Sends in the last 30 days and paid orders within 72 hours of one, per currency.
    pub results: FlowStats,
}

async fn view(state: &AppState, kind: FlowKind, settings: Flow) -> Result<FlowView, ApiError> {
    let since = state.crm.clock.now() - chrono::Duration::days(RESULTS_DAYS);
    Ok(FlowView {
        flow: kind,
        marketing: kind.marketing(),
        settings,
        results: state.store.automation_stats(kind, since).await?,
    })
}

fn kind_of(name: &str) -> Result<FlowKind, ApiError> {
    FlowKind::parse(name).ok_or_else(|| Error::NotFound(format!("flow {name}")).into())
}

/// Every flow, stored or default.
pub async fn list(State(state): State<AppState>) -> Result<Json<serde_json::Value>, ApiError> {
    let mut flows = Vec::new();
    for (kind, flow) in automation::all_flows(state.store.as_ref()).await? {
        flows.push(view(&state, kind, flow).await?);
    }
    Ok(Json(serde_json::json!({ "flows": flows })))
}

pub async fn show(
    State(state): State<AppState>,
    ApiPath(name): ApiPath<String>,
) -> Result<Json<FlowView>, ApiError> {
    let kind = kind_of(&name)?;
    let flow = automation::current_flow(state.store.as_ref(), kind).await?;
    Ok(Json(view(&state, kind, flow).await?))
}

/// Replaces a flow's settings; the answer carries the win-back promotion kept for it.
pub async fn replace(
    State(state): State<AppState>,
    ApiPath(name): ApiPath<String>,
    ApiJson(flow): ApiJson<Flow>,
) -> Result<Json<FlowView>, ApiError> {
    let kind = kind_of(&name)?;
    let languages: Vec<&str> = state.texts.languages().collect();
    let now = state.crm.clock.now();
    let saved = automation::save_flow(state.store.as_ref(), kind, flow, &languages, now).await?;
    Ok(Json(view(&state, kind, saved).await?))
}

pub async fn settings(State(state): State<AppState>) -> Result<Json<AutomationSettings>, ApiError> {
    Ok(Json(state.store.automation_settings().await?))
}

pub async fn set_settings(
    State(state): State<AppState>,
    ApiJson(settings): ApiJson<AutomationSettings>,
) -> Result<Json<AutomationSettings>, ApiError> {
    let now = state.crm.clock.now();
    automation::save_settings(state.store.as_ref(), &settings, now).await?;
    Ok(Json(settings))
}
