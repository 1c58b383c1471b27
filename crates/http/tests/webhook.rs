//! The HTTP driver on SQLite and PostgreSQL: the webhook stores each update once before
//! answering 200, refuses a wrong secret and malformed bodies, and the operations endpoints
//! answer.

mod support;

use groupcart_core::metrics::Metrics;
use groupcart_core::store::SharedStore;
use serde_json::{json, Value};
use std::sync::Arc;
use support::SECRET;

struct TestApp {
    base: String,
    store: SharedStore,
    metrics: Arc<Metrics>,
    http: reqwest::Client,
}

/// Serves the router on a fresh port, in the manner of production.
async fn spawn_app(store: SharedStore) -> TestApp {
    let (base, metrics) = support::serve(store.clone()).await;
    TestApp {
        base,
        store,
        metrics,
        http: reqwest::Client::new(),
    }
}

impl TestApp {
    async fn post_update(&self, bot: &str, secret: Option<&str>, body: String) -> (u16, Value) {
        let mut request = self
            .http
            .post(format!("{}/telegram/{bot}", self.base))
            .header("content-type", "application/json")
            .body(body);
        if let Some(secret) = secret {
            request = request.header("X-Telegram-Bot-Api-Secret-Token", secret);
        }
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        let text = response.text().await.unwrap();
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    async fn stored(&self) -> Vec<i64> {
        let pending = self.store.inbox_pending(0, 100).await.unwrap();
        pending.iter().map(|u| u.update_id).collect()
    }
}

fn text_update(update_id: i64) -> String {
    json!({
        "update_id": update_id,
        "message": {
            "message_id": 5, "date": 1_790_000_000,
            "chat": {"id": 42, "type": "private", "first_name": "Ana"},
            "from": {"id": 42, "is_bot": false, "first_name": "Ana"},
            "text": "hello"
        }
    })
    .to_string()
}

async fn stores_each_update_once(store: SharedStore) {
    let app = spawn_app(store).await;
    let (status, _) = app.post_update("shop", Some(SECRET), text_update(7)).await;
    assert_eq!(status, 200);
    assert_eq!(app.stored().await, vec![7]);
    let pending = app.store.inbox_pending(0, 10).await.unwrap();
    assert_eq!(pending[0].chat_id, Some(42));
    assert_eq!(pending[0].bot, "shop");

    // Telegram redelivers when it missed our answer: acknowledged, not stored again.
    let (status, _) = app.post_update("shop", Some(SECRET), text_update(7)).await;
    assert_eq!(status, 200);
    assert_eq!(app.stored().await, vec![7]);
    assert_eq!(Metrics::get(&app.metrics.updates_duplicate), 1);
}

async fn keeps_updates_of_unknown_kinds(store: SharedStore) {
    let app = spawn_app(store).await;
    let future =
        json!({"update_id": 8, "some_future_kind": {"chat": {"id": -100, "type": "supergroup"}}});
    let (status, _) = app
        .post_update("shop", Some(SECRET), future.to_string())
        .await;
    assert_eq!(status, 200);
    assert_eq!(app.stored().await, vec![8]);
}

async fn refuses_a_wrong_or_missing_secret(store: SharedStore) {
    let app = spawn_app(store).await;
    for secret in [Some("wrong"), Some(""), None] {
        let (status, body) = app.post_update("shop", secret, text_update(9)).await;
        assert_eq!(status, 401);
        assert_eq!(body["error"]["code"], "bad_secret");
    }
    assert!(app.stored().await.is_empty());
    assert_eq!(Metrics::get(&app.metrics.updates_rejected), 3);
}

async fn refuses_malformed_bodies(store: SharedStore) {
    let app = spawn_app(store).await;
    for body in [
        "{not json",
        "",
        "[]",
        "{\"message\": {}}",
        "{\"update_id\": \"seven\"}",
    ] {
        let (status, reply) = app.post_update("shop", Some(SECRET), body.to_owned()).await;
        assert_eq!(status, 400, "body {body:?}");
        assert_eq!(reply["error"]["code"], "malformed_update");
        let message = reply["error"]["message"].as_str().unwrap();
        assert!(
            !message.contains("line") && !message.contains("column"),
            "no parser internals: {message}"
        );
    }
    assert!(app.stored().await.is_empty());
}

async fn unknown_bot_is_not_found(store: SharedStore) {
    let app = spawn_app(store).await;
    let (status, body) = app.post_update("nope", Some(SECRET), text_update(1)).await;
    assert_eq!(status, 404);
    assert_eq!(body["error"]["code"], "unknown_bot");
}

async fn operations_endpoints_answer(store: SharedStore) {
    let app = spawn_app(store).await;
    app.post_update("shop", Some(SECRET), text_update(1)).await;
    let get = |path: &str| app.http.get(format!("{}{path}", app.base)).send();
    assert_eq!(get("/healthz").await.unwrap().status(), 200);
    assert_eq!(get("/readyz").await.unwrap().text().await.unwrap(), "ready");
    let metrics = get("/metrics").await.unwrap().text().await.unwrap();
    assert!(
        metrics.contains("groupcart_updates_received_total 1"),
        "{metrics}"
    );
    assert!(metrics.contains("groupcart_outbox_depth 0"), "{metrics}");
    assert!(metrics.contains("groupcart_job_lag_seconds"), "{metrics}");
    let missing = get("/no/such/page").await.unwrap();
    assert_eq!(missing.status(), 404);
    let body: Value = missing.json().await.unwrap();
    assert_eq!(body["error"]["code"], "not_found");
}

groupcart_store_contract::backend_tests!(
    stores_each_update_once,
    keeps_updates_of_unknown_kinds,
    refuses_a_wrong_or_missing_secret,
    refuses_malformed_bodies,
    unknown_bot_is_not_found,
    operations_endpoints_answer,
);
