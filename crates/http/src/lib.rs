//! The HTTP driver of groupcart: the Telegram webhook (`POST /telegram/{bot}`), operations
//! endpoints (`/healthz`, `/readyz`, `/metrics`) and the operator console at `/` (`console`).
//!
//! Handlers are thin: they check and translate the request and call the intake or the store.
//! Every error answers with a stable code and a message that reveals no internals.

mod analytics_csv;
mod api;
pub mod console;
mod error;
mod metrics;
pub mod webapp;
mod webhook;

pub use error::ApiError;

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::Router;
use groupcart_bot::intake::Intake;
use groupcart_core::metrics::Metrics;
use groupcart_core::store::SharedStore;
use std::collections::HashMap;
use std::sync::Arc;

/// What the webhook needs to know about one bot.
#[derive(Debug, Clone)]
pub struct WebhookBot {
    /// Expected in `X-Telegram-Bot-Api-Secret-Token`.
    pub secret: String,
}

/// Shared state of the HTTP handlers.
#[derive(Clone)]
pub struct AppState {
    pub store: SharedStore,
    pub intake: Intake,
    pub metrics: Arc<Metrics>,
    /// Bots that receive updates by webhook, by bot key.
    pub webhooks: Arc<HashMap<String, WebhookBot>>,
    /// Lines shown on the console's login page and dashboard (e.g. where the sandbox
    /// simulator is).
    pub landing: Arc<Vec<(String, String)>>,
    /// The operator console's settings.
    pub console: console::ConsoleConfig,
    /// The admin API's bearer token; `None` turns the admin API off.
    pub api_token: Option<Arc<str>>,
    /// Customer-facing text, for the messages staff actions send.
    pub texts: Arc<groupcart_core::i18n::Texts>,
    /// Wakes the senders after a staff action enqueued a message.
    pub wakers: groupcart_bot::SenderWakers,
    /// How the shop sells (reservations), for checkouts from the Mini App.
    pub shop: groupcart_core::shop::ShopSettings,
    /// The bots whose Mini App storefront is served, by bot key.
    pub webapp: Arc<HashMap<String, webapp::WebAppBot>>,
    /// Customer relationship settings and the clock the API goes by.
    pub crm: CrmSettings,
    /// Agent groups and SLA targets, for the ticket endpoints.
    pub support: Arc<groupcart_core::support::SupportSettings>,
}

/// What the CRM and broadcast endpoints need besides the store.
#[derive(Clone)]
pub struct CrmSettings {
    /// For customers without a time zone of their own (an IANA name).
    pub default_time_zone: Arc<str>,
    pub lifecycle: groupcart_core::crm::LifecycleRules,
    /// Broadcast messages sent per second, for progress estimates.
    pub send_rate: i64,
    /// The time the API goes by (the jobs' clock).
    pub clock: groupcart_core::clock::SharedClock,
}

impl Default for CrmSettings {
    fn default() -> Self {
        CrmSettings {
            default_time_zone: Arc::from("UTC"),
            lifecycle: groupcart_core::crm::LifecycleRules::default(),
            send_rate: 30,
            clock: Arc::new(groupcart_core::clock::SystemClock),
        }
    }
}

/// The router of every groupcart endpoint.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics::render))
        .route("/telegram/{bot}", post(webhook::receive))
        .route("/giveaways/{id}", get(api::public_giveaway))
        .nest("/api", api::routes(state.clone()))
        .merge(webapp::routes())
        .merge(console::routes())
        .fallback(not_found)
        .with_state(state)
}

/// Compares without an early exit, so the time taken tells nothing about the secret.
pub(crate) fn same_secret(given: &[u8], expected: &[u8]) -> bool {
    given.len() == expected.len()
        && given
            .iter()
            .zip(expected)
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0
}

async fn healthz() -> &'static str {
    "ok"
}

async fn readyz(State(state): State<AppState>) -> Result<&'static str, ApiError> {
    state.store.ping().await.map_err(|error| {
        tracing::warn!(%error, "readiness check failed");
        ApiError::unavailable("database_unreachable", "the database does not answer")
    })?;
    Ok("ready")
}

async fn not_found() -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, "not_found", "no such endpoint")
}

#[cfg(test)]
mod tests {
    use super::same_secret;

    #[test]
    fn secret_comparison() {
        assert!(same_secret(b"abc", b"abc"));
        assert!(!same_secret(b"abd", b"abc"));
        assert!(!same_secret(b"ab", b"abc"));
        assert!(!same_secret(b"", b"abc"));
    }
}
