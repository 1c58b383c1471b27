//! Runs the client against a local server that answers like Telegram.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Router;
use groupcart_telegram::*;
use serde_json::{json, Value};

const SECRET: &str = "SECRET-abcDEF_ghi";

fn token() -> String {
    format!("123456:{SECRET}")
}

/// Requests the fake server saw: (path, content type, JSON body).
type Seen = Arc<Mutex<Vec<(String, String, Value)>>>;

fn reply(status: StatusCode, body: Value) -> Response {
    (status, axum::Json(body)).into_response()
}

fn message(chat_id: i64, text: &str) -> Value {
    json!({
        "message_id": 77,
        "from": {"id": 123456, "is_bot": true, "first_name": "GroupCart", "username": "groupcart_bot"},
        "chat": {"id": chat_id, "type": "private", "first_name": "Olena"},
        "date": 1732222800,
        "text": text
    })
}

async fn telegram(State(seen): State<Seen>, uri: Uri, headers: HeaderMap, body: Bytes) -> Response {
    let path = uri.path().to_owned();
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let body: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    seen.lock()
        .expect("lock")
        .push((path.clone(), content_type, body.clone()));

    let Some(method) = path.strip_prefix(&format!("/bot{}/", token())) else {
        return reply(
            StatusCode::NOT_FOUND,
            json!({"ok": false, "error_code": 404, "description": "Not Found"}),
        );
    };
    match method {
        "getMe" => reply(
            StatusCode::OK,
            json!({"ok": true, "result": {
                "id": 123456, "is_bot": true, "first_name": "GroupCart",
                "username": "groupcart_bot", "can_join_groups": true,
                "supports_inline_queries": false
            }}),
        ),
        "editMessageText" => reply(StatusCode::OK, json!({"ok": true, "result": true})),
        "getUpdates" => {
            // Hold the long poll longer than `timeout` itself allows.
            tokio::time::sleep(Duration::from_millis(1500)).await;
            reply(
                StatusCode::OK,
                json!({"ok": true, "result": [
                    {"update_id": 10, "message": message(5, "hi")},
                    {"update_id": 11, "message": {"message_id": 1}}
                ]}),
            )
        }
        "sendMessage" => send_message(&body),
        _ => reply(
            StatusCode::NOT_FOUND,
            json!({"ok": false, "error_code": 404, "description": "Not Found: method not found"}),
        ),
    }
}

/// `sendMessage` picks a behaviour by `chat_id`.
fn send_message(body: &Value) -> Response {
    let text = body["text"].as_str().unwrap_or_default();
    match body["chat_id"].as_i64().unwrap_or_default() {
        429 => reply(
            StatusCode::TOO_MANY_REQUESTS,
            json!({"ok": false, "error_code": 429,
                   "description": "Too Many Requests: retry after 9",
                   "parameters": {"retry_after": 9}}),
        ),
        403 => reply(
            StatusCode::FORBIDDEN,
            json!({"ok": false, "error_code": 403,
                   "description": "Forbidden: bot was blocked by the user"}),
        ),
        400 => reply(
            StatusCode::BAD_REQUEST,
            json!({"ok": false, "error_code": 400,
                   "description": "Bad Request: group chat was upgraded to a supergroup chat",
                   "parameters": {"migrate_to_chat_id": -1001987654321_i64}}),
        ),
        502 => (
            StatusCode::BAD_GATEWAY,
            [(header::CONTENT_TYPE, "text/html")],
            "<html><body><h1>502 Bad Gateway</h1></body></html>",
        )
            .into_response(),
        // A proxy that echoes the request path, token included.
        9 => (
            StatusCode::OK,
            format!("upstream said: no route for /bot{}/sendMessage", token()),
        )
            .into_response(),
        7 => (StatusCode::OK, r#"{"ok":true,"result":{"message_id":"#).into_response(),
        8 => reply(StatusCode::OK, json!({"ok": true, "result": "yes"})),
        chat_id => reply(
            StatusCode::OK,
            json!({"ok": true, "result": message(chat_id, text)}),
        ),
    }
}

async fn server() -> (String, Seen) {
    let seen = Seen::default();
    let app = Router::new().fallback(telegram).with_state(seen.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move { axum::serve(listener, app).await.expect("serve") });
    // Trailing slash: the client must not produce `//bot...`.
    (format!("http://{addr}/"), seen)
}

fn assert_no_token(err: &ApiError) {
    for text in [err.to_string(), format!("{err:?}")] {
        assert!(!text.contains(SECRET), "token leaked: {text}");
    }
}

async fn send_to(client: &Client, chat_id: i64) -> ApiError {
    let err = client
        .call(&SendMessage::new(chat_id, "hi"))
        .await
        .expect_err("should fail");
    assert_no_token(&err);
    err
}

#[tokio::test]
async fn successful_calls_and_request_shape() {
    let (url, seen) = server().await;
    let client = Client::new(&url, token()).expect("client");
    assert_eq!(client.api_url(), url.trim_end_matches('/'));
    assert_eq!(client.bot_id(), Some(123456));
    assert!(!format!("{client:?}").contains(SECRET));

    let me = client.call(&GetMe {}).await.expect("getMe");
    assert_eq!(me.username.as_deref(), Some("groupcart_bot"));

    let sent = client
        .call(&SendMessage::new(1, "Hello"))
        .await
        .expect("sendMessage");
    assert_eq!((sent.chat.id, sent.text.as_deref()), (1, Some("Hello")));

    let edited = client
        .call(&EditMessageText::new(1, 77, "Edited"))
        .await
        .expect("editMessageText");
    assert_eq!(edited, MessageOrTrue::True(true));

    let seen = seen.lock().expect("lock");
    let (path, content_type, body) = &seen[1];
    assert_eq!(path, &format!("/bot{}/sendMessage", token()));
    assert_eq!(content_type, "application/json");
    assert_eq!(body, &json!({"chat_id": 1, "text": "Hello"}));
    assert_eq!(seen[0].2, json!({}), "getMe sends an empty object");
}

#[tokio::test]
async fn long_poll_outlives_its_timeout_and_keeps_updates_raw() {
    let (url, _) = server().await;
    let client = Client::new(&url, token()).expect("client");
    let req = GetUpdates {
        timeout: Some(1),
        ..GetUpdates::default()
    };
    assert_eq!(req.http_timeout(), Duration::from_secs(11));
    assert_eq!(
        SendMessage::new(1, "x").http_timeout(),
        DEFAULT_HTTP_TIMEOUT
    );

    let updates = client.call(&req).await.expect("getUpdates");
    assert_eq!(updates.len(), 2);
    let heads: Vec<UpdateHead> = updates
        .iter()
        .map(|raw| peek_update(raw.get().as_bytes()).expect("peek"))
        .collect();
    assert_eq!(heads[0].update_id, 10);
    assert_eq!(heads[0].chat_id, Some(5));
    // The malformed one is still identifiable, so it can be acknowledged.
    assert_eq!(heads[1].update_id, 11);
    assert_eq!(heads[1].chat_id, None);
}

#[tokio::test]
async fn flood_control_is_transient_with_retry_after() {
    let (url, _) = server().await;
    let client = Client::new(&url, token()).expect("client");
    let err = send_to(&client, 429).await;
    assert!(matches!(err, ApiError::Api { code: 429, .. }), "{err:?}");
    assert_eq!(err.retry_after(), Some(Duration::from_secs(9)));
    assert!(!err.is_permanent());
}

#[tokio::test]
async fn blocked_by_user_is_permanent() {
    let (url, _) = server().await;
    let client = Client::new(&url, token()).expect("client");
    let err = send_to(&client, 403).await;
    assert_eq!(
        err,
        ApiError::Api {
            code: 403,
            description: "Forbidden: bot was blocked by the user".into(),
            retry_after: None,
            migrate_to_chat_id: None,
        }
    );
    assert!(err.is_permanent());
    assert_eq!(err.retry_after(), None);
}

#[tokio::test]
async fn group_migration_reports_the_new_chat() {
    let (url, _) = server().await;
    let client = Client::new(&url, token()).expect("client");
    let err = send_to(&client, 400).await;
    assert!(matches!(
        err,
        ApiError::Api {
            code: 400,
            migrate_to_chat_id: Some(-1001987654321),
            ..
        }
    ));
    assert!(err.is_permanent());
}

#[tokio::test]
async fn gateway_error_page_is_transient() {
    let (url, _) = server().await;
    let client = Client::new(&url, token()).expect("client");
    let err = send_to(&client, 502).await;
    assert!(matches!(err, ApiError::Api { code: 502, .. }), "{err:?}");
    assert!(!err.is_permanent());
}

#[tokio::test]
async fn malformed_bodies_are_permanent_decode_errors() {
    let (url, _) = server().await;
    let client = Client::new(&url, token()).expect("client");
    for chat_id in [7, 8, 9] {
        let err = send_to(&client, chat_id).await;
        assert!(matches!(err, ApiError::Decode(_)), "{chat_id}: {err:?}");
        assert!(err.is_permanent());
    }
    // The echoed path was redacted rather than dropped.
    let err = send_to(&client, 9).await;
    assert!(
        err.to_string().contains("/bot<redacted>/sendMessage"),
        "{err}"
    );
}

#[tokio::test]
async fn wrong_token_is_a_permanent_api_error() {
    let (url, _) = server().await;
    let client = Client::new(&url, "999:wrong").expect("client");
    let err = client.call(&GetMe {}).await.expect_err("not found");
    assert!(matches!(err, ApiError::Api { code: 404, .. }), "{err:?}");
    assert!(err.is_permanent());
}

#[tokio::test]
async fn connection_failure_is_transient_and_hides_the_token() {
    // Reserve a port, then free it so that nothing listens there.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("port")
        .port();
    let client = Client::new(&format!("http://127.0.0.1:{port}"), token()).expect("client");
    let err = send_to(&client, 1).await;
    assert!(matches!(err, ApiError::Network(_)), "{err:?}");
    assert!(!err.is_permanent());
    assert_eq!(err.retry_after(), None);
}
