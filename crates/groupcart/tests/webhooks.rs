//! Outgoing webhooks end to end, on SQLite and PostgreSQL: a customer arrives and buys; the
//! configured endpoint receives `customer.created`, `order.created` and `order.paid`, each
//! signed with HMAC-SHA256 over the timestamp and the body, and an event the receiver
//! refused the first time is delivered again.

#[macro_use]
mod shop_harness;

use shop_harness::*;

use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use groupcart::config::{Secret, WebhookConfig};
use serde_json::Value;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

on_both_databases!(signed_events_reach_the_endpoint_and_failures_are_retried);

const SECRET: &str = "whsec-0123456789abcdef";

/// What the receiver saw: (status it answered, event name, timestamp, signature, body).
type Seen = Arc<Mutex<Vec<(u16, String, String, String, String)>>>;

/// A receiver that refuses the first delivery of each event (500) and takes the rest.
async fn receiver() -> (String, Seen) {
    let seen: Seen = Arc::default();
    let log = seen.clone();
    let app = axum::Router::new().route(
        "/hook",
        post(move |headers: HeaderMap, body: Bytes| {
            let log = log.clone();
            async move {
                let header = |name: &str| {
                    headers
                        .get(name)
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or_default()
                        .to_owned()
                };
                let body = String::from_utf8_lossy(&body).into_owned();
                let mut log = log.lock().unwrap();
                let first = !log.iter().any(|(_, _, _, _, b)| *b == body);
                let status = if first { 500 } else { 200 };
                log.push((
                    status,
                    header("x-groupcart-event"),
                    header("x-groupcart-timestamp"),
                    header("x-groupcart-signature"),
                    body,
                ));
                StatusCode::from_u16(status).unwrap()
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, seen)
}

async fn signed_events_reach_the_endpoint_and_failures_are_retried(database_url: String) {
    let (url, seen) = receiver().await;
    let clock = Arc::new(AheadClock::default());
    let shop = start_at_with(database_url, clock.clone(), |config| {
        config.webhooks = vec![WebhookConfig {
            url,
            secret: Secret::new(SECRET),
            events: vec![],
        }];
    })
    .await;
    restock_scarves(&shop, 5).await;
    let lin = customer(8901, "Lin");
    welcome(&shop, &lin).await;
    buy_scarves(&shop, &lin, 1).await;

    // Events wait a few seconds before dispatch, and a refused delivery is retried after
    // a backoff: the clock moves on instead of the test waiting.
    let wanted = ["customer.created", "order.created", "order.paid"];
    let deadline = Instant::now() + WAIT;
    loop {
        clock.advance(chrono::Duration::seconds(10));
        let delivered: Vec<String> = seen
            .lock()
            .unwrap()
            .iter()
            .filter(|(status, ..)| *status == 200)
            .map(|(_, event, ..)| event.clone())
            .collect();
        if wanted.iter().all(|w| delivered.iter().any(|d| d == w)) {
            break;
        }
        assert!(Instant::now() < deadline, "delivered so far: {delivered:?}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    shop.stop().await;

    let seen = seen.lock().unwrap().clone();
    for (_, event, timestamp, signature, body) in &seen {
        let timestamp: i64 = timestamp.parse().expect("a unix timestamp");
        assert_eq!(
            signature,
            &groupcart_core::webhook::signature(SECRET, timestamp, body),
            "{event}"
        );
        let body: Value = serde_json::from_str(body).unwrap();
        assert_eq!(&body["type"], event);
        assert!(body["id"].as_i64().is_some());
        assert!(
            !body.to_string().contains("Lin"),
            "no personal data: {body}"
        );
    }
    let paid = seen
        .iter()
        .filter(|(_, event, ..)| event == "order.paid")
        .collect::<Vec<_>>();
    assert_eq!(
        paid.iter().map(|(status, ..)| *status).collect::<Vec<_>>(),
        [500, 200],
        "refused once, then delivered"
    );
    let body: Value = serde_json::from_str(&paid[1].4).unwrap();
    assert!(body["data"]["order_id"].as_i64().is_some(), "{body}");
    assert!(body["data"]["customer_id"].as_i64().is_some(), "{body}");
}
