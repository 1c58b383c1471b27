//! What the webhook tests share: the HTTP driver served on a fresh port with one webhook
//! bot, `shop`, in the manner of production.

use groupcart_bot::intake::Intake;
use groupcart_core::metrics::Metrics;
use groupcart_core::store::SharedStore;
use groupcart_http::{AppState, WebhookBot};
use std::collections::HashMap;
use std::sync::Arc;
use tokio::sync::Notify;

/// The secret token of the `shop` bot's webhook.
pub const SECRET: &str = "s3cret-token_1";

/// Serves the router on a fresh port; returns its base URL and its metrics.
pub async fn serve(store: SharedStore) -> (String, Arc<Metrics>) {
    let metrics = Arc::new(Metrics::default());
    let state = AppState {
        store: store.clone(),
        intake: Intake::start(store, metrics.clone(), Arc::new(Notify::new())),
        metrics: metrics.clone(),
        webhooks: Arc::new(HashMap::from([(
            "shop".to_owned(),
            WebhookBot {
                secret: SECRET.into(),
            },
        )])),
        landing: Arc::new(Vec::new()),
        console: Default::default(),
        api_token: None,
        texts: Arc::new(groupcart_core::i18n::Texts::builtin()),
        wakers: groupcart_bot::SenderWakers::default(),
        shop: groupcart_core::shop::ShopSettings::default(),
        webapp: Arc::new(HashMap::new()),
        crm: groupcart_http::CrmSettings::default(),
        support: Default::default(),
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, groupcart_http::router(state)).await });
    (base, metrics)
}
