//! End-to-end tests of the simulator over real HTTP on 127.0.0.1: the Bot API as a bot sees
//! it, the control API as tests and people use it, and webhook delivery to a local receiver.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use axum::{Json, Router};
use groupcart_simulator::{
    ChatType, ClientError, Limits, MemberStatus, OrderInfo, PayDetails, PayTarget, PaymentStatus,
    RunningSim, ShippingAddress, SimChat, SimClient, SimConfig, SimUser, Simulator,
};
use serde_json::{json, Value};

const TOKEN: &str = "4242:test_token-ABCDEF";
const BOT: i64 = 4242;

struct Harness {
    sim: Simulator,
    running: RunningSim,
    http: reqwest::Client,
    client: SimClient,
}

impl Harness {
    async fn start(config: SimConfig) -> Self {
        let sim = Simulator::new(config);
        let running = sim.spawn_local().await.expect("bind 127.0.0.1:0");
        let client = running.client();
        let http = reqwest::Client::builder()
            .no_proxy()
            .build()
            .expect("http client");
        Self {
            sim,
            running,
            http,
            client,
        }
    }

    async fn default() -> Self {
        Self::start(SimConfig::default()).await
    }

    fn url(&self, token: &str, method: &str) -> String {
        format!("{}/bot{token}/{method}", self.running.url())
    }

    async fn decode(response: reqwest::Response) -> (u16, Value) {
        let status = response.status().as_u16();
        let body = response.json::<Value>().await.expect("JSON body");
        (status, body)
    }

    /// A JSON-body call as TOKEN.
    async fn call(&self, method: &str, params: Value) -> (u16, Value) {
        self.call_as(TOKEN, method, params).await
    }

    async fn call_as(&self, token: &str, method: &str, params: Value) -> (u16, Value) {
        let response = self
            .http
            .post(self.url(token, method))
            .json(&params)
            .send()
            .await
            .expect("request");
        Self::decode(response).await
    }

    /// A call expected to succeed; returns `result`.
    async fn ok(&self, method: &str, params: Value) -> Value {
        let (status, body) = self.call(method, params.clone()).await;
        assert_eq!(status, 200, "{method} {params} -> {body}");
        assert_eq!(body["ok"], json!(true));
        body["result"].clone()
    }

    /// A call expected to fail; returns (error_code, description).
    async fn err(&self, method: &str, params: Value) -> (u16, String) {
        let (status, body) = self.call(method, params.clone()).await;
        assert_ne!(
            status, 200,
            "{method} {params} unexpectedly succeeded: {body}"
        );
        assert_eq!(body["ok"], json!(false));
        assert_eq!(body["error_code"], json!(status));
        (
            status,
            body["description"].as_str().unwrap_or("").to_string(),
        )
    }

    async fn updates(&self, params: Value) -> Vec<Value> {
        self.ok("getUpdates", params)
            .await
            .as_array()
            .cloned()
            .expect("array of updates")
    }

    /// Registers `user` and has them write /start, confirming all updates so far.
    async fn start_user(&self, user: &SimUser) {
        self.client
            .send_text(BOT, user, "/start")
            .await
            .expect("user writes");
        self.drain().await;
    }

    /// Confirms every pending update.
    async fn drain(&self) -> Vec<Value> {
        let updates = self.updates(json!({})).await;
        if let Some(last) = updates.last() {
            let next = last["update_id"].as_i64().expect("id") + 1;
            self.updates(json!({"offset": next, "timeout": 0})).await;
        }
        updates
    }
}

fn alice() -> SimUser {
    SimUser::new(1001, "Alice")
        .with_username("alice")
        .with_language("en")
}

fn bob() -> SimUser {
    SimUser::new(1002, "Bob")
}

fn limits(f: impl FnOnce(&mut Limits)) -> SimConfig {
    let mut config = SimConfig::default();
    f(&mut config.limits);
    config
}

#[tokio::test]
async fn get_updates_confirms_by_offset_and_forgets_with_negative_offset() {
    let h = Harness::default().await;
    let sent_start = h
        .client
        .send_text(BOT, &alice(), "/start ref_42")
        .await
        .expect("send");
    h.client
        .send_text(BOT, &alice(), "hello")
        .await
        .expect("send");
    h.client
        .send_text(BOT, &alice(), "third")
        .await
        .expect("send");

    let updates = h.updates(json!({})).await;
    assert_eq!(updates.len(), 3);
    let first = updates[0]["update_id"].as_i64().expect("id");
    assert_eq!(Some(first), sent_start.update_id);
    let message = &updates[0]["message"];
    assert_eq!(message["text"], "/start ref_42");
    assert_eq!(message["from"]["username"], "alice");
    assert_eq!(message["from"]["is_bot"], false);
    assert_eq!(message["chat"]["type"], "private");
    assert_eq!(message["chat"]["id"], 1001);
    assert_eq!(
        message["entities"],
        json!([{"type": "bot_command", "offset": 0, "length": 6}])
    );
    assert_eq!(updates[1]["update_id"], first + 1);
    assert!(updates[1]["message"]["message_id"].as_i64() > message["message_id"].as_i64());

    // Without an offset nothing is confirmed.
    assert_eq!(h.updates(json!({})).await.len(), 3);
    // limit caps the answer; offset confirms everything below it (query-string form).
    let response = h
        .http
        .get(format!(
            "{}?offset={}&limit=1",
            h.url(TOKEN, "getUpdates"),
            first + 1
        ))
        .send()
        .await
        .expect("get");
    let (status, body) = Harness::decode(response).await;
    assert_eq!(status, 200);
    assert_eq!(body["result"].as_array().map(Vec::len), Some(1));
    assert_eq!(body["result"][0]["update_id"], first + 1);
    assert_eq!(h.updates(json!({})).await.len(), 2);
    assert_eq!(h.updates(json!({"offset": first + 3})).await.len(), 0);
    assert_eq!(h.sim.stats(BOT).pending_updates, 0);

    // A negative offset keeps only the last -offset updates and forgets the rest.
    for text in ["a", "b", "c"] {
        h.client.send_text(BOT, &alice(), text).await.expect("send");
    }
    let last = h.updates(json!({"offset": -1})).await;
    assert_eq!(last.len(), 1);
    assert_eq!(last[0]["message"]["text"], "c");
    assert_eq!(h.updates(json!({})).await.len(), 1);
}

#[tokio::test]
async fn long_poll_wakes_as_soon_as_an_update_arrives() {
    let h = Arc::new(Harness::default().await);
    let poller = {
        let h = h.clone();
        tokio::spawn(async move {
            let started = Instant::now();
            let updates = h.updates(json!({"timeout": 20})).await;
            (updates, started.elapsed())
        })
    };
    tokio::time::sleep(Duration::from_millis(300)).await;
    h.client
        .send_text(BOT, &bob(), "wake up")
        .await
        .expect("send");
    let (updates, elapsed) = tokio::time::timeout(Duration::from_secs(5), poller)
        .await
        .expect("poll returned before its timeout")
        .expect("task");
    assert_eq!(updates.len(), 1);
    assert_eq!(updates[0]["message"]["text"], "wake up");
    assert!(elapsed < Duration::from_secs(3), "took {elapsed:?}");

    // With nothing to deliver, the poll lasts its timeout and returns [].
    let started = Instant::now();
    let offset = updates[0]["update_id"].as_i64().expect("id") + 1;
    let empty = h.updates(json!({"offset": offset, "timeout": 1})).await;
    assert!(empty.is_empty());
    assert!(started.elapsed() >= Duration::from_millis(900));
}

#[tokio::test]
async fn a_newer_get_updates_terminates_the_waiting_one() {
    let h = Arc::new(Harness::default().await);
    let first = {
        let h = h.clone();
        tokio::spawn(async move { h.call("getUpdates", json!({"timeout": 10})).await })
    };
    tokio::time::sleep(Duration::from_millis(300)).await;
    let second = h.updates(json!({"timeout": 0})).await;
    assert!(second.is_empty());
    let (status, body) = tokio::time::timeout(Duration::from_secs(3), first)
        .await
        .expect("first poll ended")
        .expect("task");
    assert_eq!(status, 409);
    assert_eq!(
        body["description"],
        "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running"
    );
}

#[tokio::test]
async fn get_updates_is_refused_while_a_webhook_is_set() {
    let h = Harness::default().await;
    let (status, body) = h
        .call("setWebhook", json!({"url": "http://127.0.0.1:9/hook"}))
        .await;
    assert_eq!(status, 200);
    assert_eq!(body["description"], "Webhook was set");
    let (code, description) = h.err("getUpdates", json!({})).await;
    assert_eq!(code, 409);
    assert_eq!(
        description,
        "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first"
    );
    let info = h.ok("getWebhookInfo", json!({})).await;
    assert_eq!(info["url"], "http://127.0.0.1:9/hook");
    assert_eq!(info["has_custom_certificate"], false);
    assert_eq!(info["max_connections"], 40);

    h.ok("deleteWebhook", json!({})).await;
    assert!(h.updates(json!({})).await.is_empty());
    assert_eq!(h.ok("getWebhookInfo", json!({})).await["url"], "");

    // Webhook parameters are validated like Telegram does.
    let (_, description) = h
        .err(
            "setWebhook",
            json!({"url": "http://x/h", "secret_token": "bad token!"}),
        )
        .await;
    assert_eq!(
        description,
        "Bad Request: secret token contains unallowed characters"
    );
    let (_, description) = h.err("setWebhook", json!({"url": "ftp://x"})).await;
    assert_eq!(description, "Bad Request: invalid webhook URL specified");
}

/// What a webhook receiver saw.
#[derive(Debug, Clone)]
struct Hit {
    secret: Option<String>,
    body: Value,
    started: Instant,
    ended: Instant,
}

type Behaviour = Arc<dyn Fn(&Value, usize) -> (StatusCode, Duration, Value) + Send + Sync>;

#[derive(Clone)]
struct ReceiverState {
    hits: Arc<Mutex<Vec<Hit>>>,
    behaviour: Behaviour,
}

async fn receive(
    State(state): State<ReceiverState>,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> (StatusCode, Json<Value>) {
    let started = Instant::now();
    let index = state.hits.lock().expect("lock").len();
    let (status, delay, reply) = (state.behaviour)(&body, index);
    tokio::time::sleep(delay).await;
    let secret = headers
        .get("X-Telegram-Bot-Api-Secret-Token")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    state.hits.lock().expect("lock").push(Hit {
        secret,
        body,
        started,
        ended: Instant::now(),
    });
    (status, Json(reply))
}

/// A local webhook receiver; returns its URL and the hits it records.
async fn receiver(behaviour: Behaviour) -> (String, Arc<Mutex<Vec<Hit>>>) {
    let hits = Arc::new(Mutex::new(Vec::new()));
    let state = ReceiverState {
        hits: hits.clone(),
        behaviour,
    };
    let app = Router::new()
        .route("/hook", post(receive))
        .with_state(state);
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0))
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (format!("http://{addr}/hook"), hits)
}

async fn wait_for_hits(hits: &Arc<Mutex<Vec<Hit>>>, count: usize) -> Vec<Hit> {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let snapshot = hits.lock().expect("lock").clone();
        if snapshot.len() >= count {
            return snapshot;
        }
        assert!(
            Instant::now() < deadline,
            "only {} of {count} webhook hits",
            snapshot.len()
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn webhook_delivers_with_secret_and_retries_after_a_500() {
    let config = SimConfig {
        webhook_retry: Duration::from_millis(100),
        ..SimConfig::default()
    };
    let h = Harness::start(config).await;
    let (url, hits) = receiver(Arc::new(|_, index| {
        let status = if index == 0 {
            StatusCode::INTERNAL_SERVER_ERROR
        } else {
            StatusCode::OK
        };
        (status, Duration::ZERO, json!({}))
    }))
    .await;
    h.ok(
        "setWebhook",
        json!({"url": url, "secret_token": "s3cr3t_-X"}),
    )
    .await;
    let sent = h
        .client
        .send_text(BOT, &alice(), "hi hook")
        .await
        .expect("send");

    let hits = wait_for_hits(&hits, 2).await;
    for hit in &hits {
        assert_eq!(hit.secret.as_deref(), Some("s3cr3t_-X"));
        assert_eq!(hit.body["update_id"], json!(sent.update_id));
        assert_eq!(hit.body["message"]["text"], "hi hook");
    }
    assert!(
        hits[1].started >= hits[0].ended + Duration::from_millis(80),
        "retried after backoff"
    );

    tokio::time::sleep(Duration::from_millis(100)).await;
    let info = h.ok("getWebhookInfo", json!({})).await;
    assert_eq!(info["pending_update_count"], 0);
    assert_eq!(
        info["last_error_message"],
        "Wrong response from the webhook: 500 Internal Server Error"
    );
    assert!(info["last_error_date"].as_i64().is_some());
    let stats = h.sim.stats(BOT);
    assert_eq!(stats.webhook_errors, 1);
    assert_eq!(stats.webhook_deliveries, 1);
    // Nothing more is delivered once the update was accepted.
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(hits.len(), 2);
}

#[tokio::test]
async fn webhook_keeps_each_chat_in_order_and_chats_concurrent() {
    let h = Harness::default().await;
    let (url, hits) = receiver(Arc::new(|body, _| {
        // The first message of chat A is slow to handle.
        let slow = body["message"]["text"] == "a1";
        let delay = Duration::from_millis(if slow { 400 } else { 0 });
        (StatusCode::OK, delay, json!({}))
    }))
    .await;
    h.ok("setWebhook", json!({"url": url})).await;
    let a = alice();
    let b = bob();
    h.client.send_text(BOT, &a, "a1").await.expect("send");
    h.client.send_text(BOT, &a, "a2").await.expect("send");
    h.client.send_text(BOT, &b, "b1").await.expect("send");

    let hits = wait_for_hits(&hits, 3).await;
    let find = |text: &str| {
        hits.iter()
            .find(|hit| hit.body["message"]["text"] == text)
            .cloned()
            .expect("delivered")
    };
    let (a1, a2, b1) = (find("a1"), find("a2"), find("b1"));
    assert!(a2.started >= a1.ended, "a2 must wait for a1 to be answered");
    assert!(b1.ended < a1.ended, "chat B must not wait for chat A");
}

#[tokio::test]
async fn webhook_reply_can_carry_a_method_call() {
    let h = Harness::default().await;
    let (url, _hits) = receiver(Arc::new(|body, _| {
        let chat_id = body["message"]["chat"]["id"].clone();
        let reply = json!({"method": "sendMessage", "chat_id": chat_id, "text": "pong"});
        (StatusCode::OK, Duration::ZERO, reply)
    }))
    .await;
    h.ok("setWebhook", json!({"url": url})).await;
    h.client
        .send_text(BOT, &alice(), "ping")
        .await
        .expect("send");
    let messages = h
        .client
        .wait_for_messages(BOT, alice().id, 1, Duration::from_secs(5))
        .await
        .expect("reply sent");
    assert_eq!(messages[0].text.as_deref(), Some("pong"));
}

#[tokio::test]
async fn private_chat_burst_limit_answers_429_and_records_nothing() {
    let h = Harness::start(limits(|l| l.private_burst = 2)).await;
    h.start_user(&alice()).await;
    for n in 0..2 {
        h.ok(
            "sendMessage",
            json!({"chat_id": 1001, "text": format!("m{n}")}),
        )
        .await;
    }
    let (status, body) = h
        .call("sendMessage", json!({"chat_id": 1001, "text": "too fast"}))
        .await;
    assert_eq!(status, 429);
    assert_eq!(body["description"], "Too Many Requests: retry after 1");
    assert_eq!(body["parameters"]["retry_after"], 1);
    assert_eq!(h.sim.messages(BOT, 1001).len(), 2);
    let stats = h.sim.stats(BOT);
    assert_eq!(stats.too_many_requests, 1);
    assert_eq!(stats.sent_messages, 2);

    // answerCallbackQuery is not limited; after retry_after the chat accepts again.
    tokio::time::sleep(Duration::from_millis(1050)).await;
    h.ok("sendMessage", json!({"chat_id": 1001, "text": "later"}))
        .await;
    assert_eq!(h.sim.messages(BOT, 1001).len(), 3);
}

#[tokio::test]
async fn group_limit_is_per_minute() {
    let h = Harness::start(limits(|l| l.group_per_minute = 3)).await;
    h.client
        .register_chat(&SimChat {
            id: -100_777,
            kind: ChatType::Supergroup,
            title: "Buyers".into(),
            username: None,
            is_forum: false,
        })
        .await
        .expect("chat");
    h.client
        .add_bot(-100_777, BOT, MemberStatus::Member)
        .await
        .expect("bot joins");
    for n in 0..3 {
        h.ok(
            "sendMessage",
            json!({"chat_id": -100_777, "text": format!("g{n}")}),
        )
        .await;
    }
    let (status, body) = h
        .call("sendMessage", json!({"chat_id": -100_777, "text": "g3"}))
        .await;
    assert_eq!(status, 429);
    let retry_after = body["parameters"]["retry_after"]
        .as_i64()
        .expect("retry_after");
    assert!(
        (58..=60).contains(&retry_after),
        "retry_after {retry_after}"
    );
    assert_eq!(h.sim.messages(BOT, -100_777).len(), 3);
    // Private chats are not affected by the group's window.
    h.start_user(&alice()).await;
    h.ok("sendMessage", json!({"chat_id": 1001, "text": "dm"}))
        .await;
}

#[tokio::test]
async fn global_limit_and_the_separate_paid_broadcast_budget() {
    let h = Harness::start(limits(|l| {
        l.global_per_sec = 2;
        l.paid_per_sec = 3;
    }))
    .await;
    let users: Vec<SimUser> = (0..6)
        .map(|n| SimUser::new(2000 + n, format!("U{n}")))
        .collect();
    for user in &users {
        h.start_user(user).await;
    }
    h.ok("sendMessage", json!({"chat_id": 2000, "text": "x"}))
        .await;
    h.ok("sendMessage", json!({"chat_id": 2001, "text": "x"}))
        .await;
    let (status, body) = h
        .call("sendMessage", json!({"chat_id": 2002, "text": "x"}))
        .await;
    assert_eq!(status, 429);
    assert_eq!(body["parameters"]["retry_after"], 1);
    assert!(h.sim.messages(BOT, 2002).is_empty());

    for chat in [2002, 2003, 2004] {
        h.ok(
            "sendMessage",
            json!({"chat_id": chat, "text": "paid", "allow_paid_broadcast": true}),
        )
        .await;
    }
    let (status, _) = h
        .call(
            "sendMessage",
            json!({"chat_id": 2005, "text": "paid", "allow_paid_broadcast": true}),
        )
        .await;
    assert_eq!(status, 429);
    assert!(h.sim.messages(BOT, 2005).is_empty());
    let stats = h.sim.stats(BOT);
    assert_eq!(stats.sent_messages, 5);
    assert_eq!(stats.too_many_requests, 2);
}

#[tokio::test]
async fn duplicate_sends_are_counted_however_encoded() {
    let h = Harness::start(limits(|l| l.enabled = false)).await;
    h.start_user(&alice()).await;
    let markup = json!({"inline_keyboard": [[{"text": "Buy", "callback_data": "buy:1"}]]});
    let params = json!({"chat_id": 1001, "text": "Offer", "reply_markup": markup});
    h.ok("sendMessage", params.clone()).await;
    h.ok("sendMessage", json!({"chat_id": 1001, "text": "Other"}))
        .await;
    assert_eq!(h.sim.stats(BOT).duplicate_sends, 0);
    h.ok("sendMessage", params).await;
    assert_eq!(h.sim.stats(BOT).duplicate_sends, 1);
    // The same call form-encoded, with the markup as a JSON string, is the same request.
    let form = [
        ("chat_id", "1001".to_string()),
        ("text", "Offer".to_string()),
        ("reply_markup", markup.to_string()),
    ];
    let response = h
        .http
        .post(h.url(TOKEN, "sendMessage"))
        .form(&form)
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), 200);
    let stats = h.sim.stats(BOT);
    assert_eq!(stats.duplicate_sends, 2);
    assert_eq!(stats.sent_messages, 4);
    assert_eq!(stats.method_calls.get("sendMessage"), Some(&4));
}

#[tokio::test]
async fn form_body_with_json_string_reply_markup() {
    let h = Harness::default().await;
    h.start_user(&alice()).await;
    let markup = json!({"inline_keyboard": [[{"text": "Yes", "callback_data": "y"}, {"text": "Site", "url": "https://example.org"}]]});
    let body = format!(
        "chat_id=1001&text={}&parse_mode=HTML&reply_markup={}",
        "%3Cb%3EPick%3C%2Fb%3E+one",
        urlencode(&markup.to_string())
    );
    let response = h
        .http
        .post(h.url(TOKEN, "sendMessage"))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .expect("request");
    let (status, body) = Harness::decode(response).await;
    assert_eq!(status, 200, "{body}");
    let message = &body["result"];
    assert_eq!(message["text"], "Pick one");
    assert_eq!(
        message["entities"],
        json!([{"type": "bold", "offset": 0, "length": 4}])
    );
    assert_eq!(message["reply_markup"], markup);
    assert_eq!(message["from"]["id"], BOT);
    assert_eq!(message["from"]["is_bot"], true);
    assert_eq!(message["chat"]["id"], 1001);
    let logged = h.client.messages(BOT, 1001).await.expect("messages");
    assert_eq!(logged.len(), 1);
    assert_eq!(logged[0].reply_markup.as_ref(), Some(&markup));

    // A markup that is not JSON is refused.
    let response = h
        .http
        .post(h.url(TOKEN, "sendMessage"))
        .form(&[
            ("chat_id", "1001"),
            ("text", "x"),
            ("reply_markup", "{oops"),
        ])
        .send()
        .await
        .expect("request");
    let (status, body) = Harness::decode(response).await;
    assert_eq!(status, 400);
    assert_eq!(
        body["description"],
        "Bad Request: can't parse reply keyboard markup JSON object"
    );
}

fn urlencode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[tokio::test]
async fn callback_press_and_answer() {
    let h = Harness::default().await;
    h.start_user(&alice()).await;
    let markup = json!({"inline_keyboard": [[{"text": "Add", "callback_data": "add:7"}]]});
    let sent = h
        .ok(
            "sendMessage",
            json!({"chat_id": 1001, "text": "Cheese", "reply_markup": markup}),
        )
        .await;
    let message_id = sent["message_id"].as_i64().expect("id");

    let missing = h
        .client
        .press_button(BOT, &alice(), 1001, message_id, "nope")
        .await;
    assert!(missing.is_err(), "no such button");

    let pressed = h
        .client
        .press_button(BOT, &alice(), 1001, message_id, "add:7")
        .await
        .expect("press");
    let updates = h.updates(json!({})).await;
    assert_eq!(updates.len(), 1);
    let query = &updates[0]["callback_query"];
    assert_eq!(query["id"], json!(pressed.callback_query_id));
    assert_eq!(query["data"], "add:7");
    assert_eq!(query["from"]["id"], 1001);
    assert_eq!(query["message"]["message_id"], message_id);
    assert_eq!(query["message"]["text"], "Cheese");
    assert!(query["chat_instance"].is_string());

    let record = h
        .client
        .callback(BOT, &pressed.callback_query_id)
        .await
        .expect("record");
    assert!(record.answer.is_none());
    h.ok(
        "answerCallbackQuery",
        json!({"callback_query_id": pressed.callback_query_id, "text": "Added"}),
    )
    .await;
    let record = h
        .client
        .callback(BOT, &pressed.callback_query_id)
        .await
        .expect("record");
    let answer = record.answer.expect("answered");
    assert_eq!(answer.text.as_deref(), Some("Added"));
    assert!(!answer.show_alert);
    let (_, description) = h
        .err(
            "answerCallbackQuery",
            json!({"callback_query_id": pressed.callback_query_id}),
        )
        .await;
    assert_eq!(
        description,
        "Bad Request: query is too old and response timeout expired or query ID is invalid"
    );

    // Edits change what later presses carry; an identical edit is refused.
    let edit = json!({"chat_id": 1001, "message_id": message_id, "text": "Cheese ✓", "reply_markup": markup});
    let edited = h.ok("editMessageText", edit.clone()).await;
    assert!(edited["edit_date"].as_i64().is_some());
    let (_, description) = h.err("editMessageText", edit).await;
    assert!(description.starts_with("Bad Request: message is not modified"));
    let logged = h.sim.messages(BOT, 1001);
    assert!(logged[0].edited);
    assert_eq!(logged[0].text.as_deref(), Some("Cheese ✓"));
    h.ok(
        "deleteMessage",
        json!({"chat_id": 1001, "message_id": message_id}),
    )
    .await;
    assert!(h.sim.messages(BOT, 1001)[0].deleted);
    let (_, description) = h
        .err(
            "deleteMessage",
            json!({"chat_id": 1001, "message_id": message_id}),
        )
        .await;
    assert_eq!(description, "Bad Request: message to delete not found");
}

async fn group_with_admin_bot(h: &Harness, chat_id: i64) {
    h.client
        .register_chat(&SimChat {
            id: chat_id,
            kind: ChatType::Supergroup,
            title: "Cheese club".into(),
            username: None,
            is_forum: false,
        })
        .await
        .expect("chat");
    h.client
        .add_user(chat_id, SimUser::new(1, "Owner"), MemberStatus::Creator)
        .await
        .expect("owner");
    h.client
        .add_bot(chat_id, BOT, MemberStatus::Administrator)
        .await
        .expect("bot");
}

#[tokio::test]
async fn join_request_flow() {
    let h = Harness::default().await;
    let chat_id = -100_500;
    group_with_admin_bot(&h, chat_id).await;
    let updates = h
        .updates(json!({"allowed_updates": ["message", "chat_member", "chat_join_request", "my_chat_member"]}))
        .await;
    let mine = updates
        .iter()
        .find(|u| u.get("my_chat_member").is_some())
        .expect("my_chat_member for the bot being added");
    assert_eq!(mine["my_chat_member"]["old_chat_member"]["status"], "left");
    assert_eq!(
        mine["my_chat_member"]["new_chat_member"]["status"],
        "administrator"
    );
    assert_eq!(mine["my_chat_member"]["from"]["id"], 1);
    h.drain().await;

    let (_, description) = h
        .err(
            "createChatInviteLink",
            json!({"chat_id": chat_id, "member_limit": 5, "creates_join_request": true}),
        )
        .await;
    assert!(description.starts_with("Bad Request: "), "{description}");
    let (_, description) = h
        .err(
            "createChatInviteLink",
            json!({"chat_id": chat_id, "name": "x".repeat(33)}),
        )
        .await;
    assert!(description.starts_with("Bad Request: "));
    let link = h
        .ok(
            "createChatInviteLink",
            json!({"chat_id": chat_id, "name": "spring promo", "creates_join_request": true}),
        )
        .await;
    let url = link["invite_link"].as_str().expect("link").to_string();
    assert!(url.starts_with("https://t.me/+"));
    assert_eq!(link["creates_join_request"], true);
    assert_eq!(link["name"], "spring promo");
    assert_eq!(link["creator"]["id"], BOT);

    let joined = h
        .client
        .request_join(BOT, &alice(), &url)
        .await
        .expect("request");
    assert_eq!(joined.chat_id, chat_id);
    let updates = h.drain().await;
    assert_eq!(updates.len(), 1);
    let request = &updates[0]["chat_join_request"];
    assert_eq!(request["from"]["id"], 1001);
    assert_eq!(request["user_chat_id"], 1001);
    assert_eq!(request["invite_link"]["invite_link"], url.as_str());
    assert_eq!(request["invite_link"]["pending_join_request_count"], 1);
    // The request lets the bot write to the user before deciding.
    h.ok(
        "sendMessage",
        json!({"chat_id": 1001, "text": "Tell us about you"}),
    )
    .await;

    h.ok(
        "approveChatJoinRequest",
        json!({"chat_id": chat_id, "user_id": 1001}),
    )
    .await;
    let updates = h.drain().await;
    let member = updates
        .iter()
        .find_map(|u| u.get("chat_member"))
        .expect("chat_member after approval");
    assert_eq!(member["old_chat_member"]["status"], "left");
    assert_eq!(member["new_chat_member"]["status"], "member");
    assert_eq!(member["new_chat_member"]["user"]["id"], 1001);
    assert_eq!(member["via_join_request"], true);
    assert_eq!(member["invite_link"]["invite_link"], url.as_str());
    let status = h
        .ok(
            "getChatMember",
            json!({"chat_id": chat_id, "user_id": 1001}),
        )
        .await;
    assert_eq!(status["status"], "member");
    let (_, description) = h
        .err(
            "approveChatJoinRequest",
            json!({"chat_id": chat_id, "user_id": 1001}),
        )
        .await;
    assert_eq!(description, "Bad Request: USER_ALREADY_PARTICIPANT");

    // Declined: no member update, and the request is gone.
    h.client
        .request_join(BOT, &bob(), &url)
        .await
        .expect("request");
    h.drain().await;
    h.ok(
        "declineChatJoinRequest",
        json!({"chat_id": chat_id, "user_id": 1002}),
    )
    .await;
    assert!(h
        .drain()
        .await
        .iter()
        .all(|u| u.get("chat_member").is_none()));
    let status = h
        .ok(
            "getChatMember",
            json!({"chat_id": chat_id, "user_id": 1002}),
        )
        .await;
    assert_eq!(status["status"], "left");
    let (_, description) = h
        .err(
            "approveChatJoinRequest",
            json!({"chat_id": chat_id, "user_id": 1002}),
        )
        .await;
    assert_eq!(description, "Bad Request: HIDE_REQUESTER_MISSING");

    // A plain link: the user joins at once, and the update names the link.
    let plain = h
        .ok(
            "createChatInviteLink",
            json!({"chat_id": chat_id, "member_limit": 1}),
        )
        .await;
    let plain = plain["invite_link"].as_str().expect("link").to_string();
    let joined = h.client.join(BOT, &bob(), &plain).await.expect("join");
    assert_eq!(joined.kind, "chat_member");
    let updates = h.drain().await;
    let member = updates
        .iter()
        .find_map(|u| u.get("chat_member"))
        .expect("chat_member");
    assert_eq!(member["invite_link"]["invite_link"], plain.as_str());
    assert_eq!(member["new_chat_member"]["status"], "member");
    assert!(updates
        .iter()
        .any(|u| u["message"]["new_chat_members"][0]["id"] == 1002));
    // The member limit is used up.
    let third = SimUser::new(1003, "Carol");
    assert!(h.client.join(BOT, &third, &plain).await.is_err());
}

#[tokio::test]
async fn payment_flow_paid_declined_timed_out_and_refunded() {
    let config = SimConfig {
        pre_checkout_timeout: Duration::from_millis(300),
        ..SimConfig::default()
    };
    let h = Harness::start(config).await;
    h.start_user(&alice()).await;
    let invoice = json!({
        "chat_id": 1001,
        "title": "Brie",
        "description": "200 g of brie",
        "payload": "order-17",
        "currency": "XTR",
        "prices": [{"label": "Brie", "amount": 50}],
    });
    let (_, description) = h
        .err("sendInvoice", json!({"chat_id": 1001, "title": "Brie", "description": "d", "payload": "p", "currency": "XTR", "prices": [{"label": "a", "amount": 1}, {"label": "b", "amount": 1}]}))
        .await;
    assert!(description.starts_with("Bad Request: "));
    let message = h.ok("sendInvoice", invoice.clone()).await;
    assert_eq!(message["invoice"]["total_amount"], 50);
    assert_eq!(message["invoice"]["currency"], "XTR");
    let message_id = message["message_id"].as_i64().expect("id");

    // Paid.
    let started = h
        .client
        .pay(BOT, &alice(), 1001, message_id)
        .await
        .expect("pay");
    let updates = h.drain().await;
    let query = &updates[0]["pre_checkout_query"];
    assert_eq!(query["id"], json!(started.pre_checkout_query_id));
    assert_eq!(query["total_amount"], 50);
    assert_eq!(query["invoice_payload"], "order-17");
    assert_eq!(query["from"]["id"], 1001);
    h.ok(
        "answerPreCheckoutQuery",
        json!({"pre_checkout_query_id": started.pre_checkout_query_id, "ok": true}),
    )
    .await;
    let updates = h.drain().await;
    let payment = &updates[0]["message"]["successful_payment"];
    assert_eq!(payment["currency"], "XTR");
    assert_eq!(payment["total_amount"], 50);
    assert_eq!(payment["invoice_payload"], "order-17");
    assert!(payment["provider_payment_charge_id"].is_string());
    let charge_id = payment["telegram_payment_charge_id"]
        .as_str()
        .expect("charge id")
        .to_string();

    // Declined: error_message is required, and nothing is paid.
    let declined = h
        .client
        .pay(BOT, &alice(), 1001, message_id)
        .await
        .expect("pay");
    h.drain().await;
    let (_, description) = h
        .err(
            "answerPreCheckoutQuery",
            json!({"pre_checkout_query_id": declined.pre_checkout_query_id, "ok": false}),
        )
        .await;
    assert_eq!(
        description,
        "Bad Request: parameter \"error_message\" is required"
    );
    h.ok(
        "answerPreCheckoutQuery",
        json!({"pre_checkout_query_id": declined.pre_checkout_query_id, "ok": false, "error_message": "Sold out"}),
    )
    .await;
    assert!(h.drain().await.is_empty());

    // Not answered in time.
    let late = h
        .client
        .pay(BOT, &alice(), 1001, message_id)
        .await
        .expect("pay");
    h.drain().await;
    tokio::time::sleep(Duration::from_millis(400)).await;
    let (_, description) = h
        .err(
            "answerPreCheckoutQuery",
            json!({"pre_checkout_query_id": late.pre_checkout_query_id, "ok": true}),
        )
        .await;
    assert!(description.contains("query is too old"));

    let payments = h.client.payments(BOT).await.expect("payments");
    assert_eq!(payments.len(), 3);
    assert_eq!(payments[0].status, PaymentStatus::Paid);
    assert_eq!(
        payments[0].telegram_payment_charge_id.as_deref(),
        Some(charge_id.as_str())
    );
    assert_eq!(
        payments[1].status,
        PaymentStatus::Declined {
            error_message: "Sold out".into()
        }
    );
    assert!(matches!(payments[2].status, PaymentStatus::Failed { .. }));

    // Refund once.
    h.ok(
        "refundStarPayment",
        json!({"user_id": 1001, "telegram_payment_charge_id": charge_id}),
    )
    .await;
    let refund = h.drain().await;
    assert_eq!(refund[0]["message"]["refunded_payment"]["total_amount"], 50);
    let (_, description) = h
        .err(
            "refundStarPayment",
            json!({"user_id": 1001, "telegram_payment_charge_id": charge_id}),
        )
        .await;
    assert_eq!(description, "Bad Request: CHARGE_ALREADY_REFUNDED");

    // Invoice links pay into the private chat.
    let link = h
        .ok("createInvoiceLink", {
            let mut params = invoice.clone();
            params.as_object_mut().map(|o| o.remove("chat_id"));
            params
        })
        .await;
    let link = link.as_str().expect("link").to_string();
    let by_link = h.client.pay_link(BOT, &bob(), &link).await.expect("pay");
    h.drain().await;
    h.ok(
        "answerPreCheckoutQuery",
        json!({"pre_checkout_query_id": by_link.pre_checkout_query_id, "ok": true}),
    )
    .await;
    let updates = h.drain().await;
    assert_eq!(updates[0]["message"]["chat"]["id"], 1002);
    assert!(updates[0]["message"]["successful_payment"].is_object());
}

/// A card invoice for physical goods: 4.50 EUR, asking for the name and the address.
fn loaf_invoice(chat_id: i64, is_flexible: bool) -> Value {
    json!({
        "chat_id": chat_id,
        "title": "Sourdough",
        "description": "One loaf, baked this morning",
        "payload": "order-42",
        "provider_token": "284685063:TEST:sim",
        "currency": "EUR",
        "prices": [{"label": "Loaf", "amount": 450}],
        "need_name": true,
        "need_shipping_address": true,
        "is_flexible": is_flexible,
    })
}

fn lisbon() -> ShippingAddress {
    ShippingAddress {
        country_code: "PT".into(),
        state: "".into(),
        city: "Lisboa".into(),
        street_line1: "Rua Augusta 12".into(),
        street_line2: "".into(),
        post_code: "1100-053".into(),
    }
}

/// What Alice types into the payment form: more than any invoice here asks for.
fn alice_form() -> OrderInfo {
    OrderInfo {
        name: Some("Alice Martins".into()),
        phone_number: Some("351912345678".into()),
        email: Some("alice@example.com".into()),
        shipping_address: Some(lisbon()),
    }
}

fn two_options() -> Value {
    json!([
        {"id": "standard", "title": "CTT", "prices": [{"label": "Delivery", "amount": 300}]},
        {"id": "express", "title": "DHL Express", "prices": [
            {"label": "Delivery", "amount": 700},
            {"label": "Insurance", "amount": 90},
        ]},
    ])
}

fn refused_with(result: Result<impl std::fmt::Debug, ClientError>, needle: &str) {
    match result {
        Err(ClientError::Refused { status, message }) => {
            assert_eq!(status, 400, "{message}");
            assert!(message.contains(needle), "{message:?} lacks {needle:?}");
        }
        other => panic!("expected a 400 mentioning {needle:?}, got {other:?}"),
    }
}

#[tokio::test]
async fn flexible_invoice_charges_the_chosen_shipping_option() {
    let h = Harness::default().await;
    h.start_user(&alice()).await;
    let message = h.ok("sendInvoice", loaf_invoice(1001, true)).await;
    let target = PayTarget::Message {
        chat_id: 1001,
        message_id: message["message_id"].as_i64().expect("id"),
    };

    // Flexible prices need the address; the user must give it.
    refused_with(
        h.client
            .pay_with(BOT, &alice(), target.clone(), PayDetails::default())
            .await,
        "shipping address",
    );

    let details = PayDetails {
        order_info: Some(alice_form()),
        shipping_option_id: Some("express".into()),
    };
    let started = h
        .client
        .pay_with(BOT, &alice(), target, details)
        .await
        .expect("pay");
    let shipping_query_id = started.shipping_query_id.clone().expect("shipping query");
    let updates = h.drain().await;
    assert_eq!(
        updates.len(),
        1,
        "only the shipping query so far: {updates:?}"
    );
    assert_eq!(updates[0]["update_id"], json!(started.update_id));
    let query = &updates[0]["shipping_query"];
    assert_eq!(query["id"], json!(shipping_query_id));
    assert_eq!(query["from"]["id"], 1001);
    assert_eq!(query["invoice_payload"], "order-42");
    assert_eq!(query["shipping_address"], json!(lisbon()));
    let payments = h.client.payments(BOT).await.expect("payments");
    assert_eq!(payments[0].status, PaymentStatus::AwaitingShipping);
    assert_eq!(payments[0].total_amount, 450);

    // The pre-checkout query does not exist for the bot yet.
    let (_, description) = h
        .err(
            "answerPreCheckoutQuery",
            json!({"pre_checkout_query_id": started.pre_checkout_query_id, "ok": true}),
        )
        .await;
    assert!(description.contains("query is too old"), "{description}");

    // Malformed answers are refused and leave the query open.
    for (options, needle) in [
        (None, "parameter \"shipping_options\" is required"),
        (
            Some(json!([])),
            "There must be at least one shipping option",
        ),
        (
            Some(json!([{"id": "a", "title": "A", "prices": []}])),
            "There must be at least one price",
        ),
        (
            Some(json!([{"id": "a", "title": "A", "prices": [{"label": "x", "amount": -1}]}])),
            "must not be negative",
        ),
        (
            Some(json!([{"id": "a", "title": "A", "prices": [{"label": "x", "amount": 1.5}]}])),
            "must be a valid Number",
        ),
        (
            Some(json!([
                {"id": "a", "title": "A", "prices": [{"label": "x", "amount": 1}]},
                {"id": "a", "title": "B", "prices": [{"label": "x", "amount": 2}]},
            ])),
            "must be unique",
        ),
        (
            Some(json!([{"id": "", "title": "A", "prices": [{"label": "x", "amount": 1}]}])),
            "identifier must be non-empty",
        ),
    ] {
        let mut params = json!({"shipping_query_id": shipping_query_id, "ok": true});
        if let Some(options) = options {
            params["shipping_options"] = options;
        }
        let (status, description) = h.err("answerShippingQuery", params).await;
        assert_eq!(status, 400);
        assert!(
            description.contains(needle),
            "{description:?} lacks {needle:?}"
        );
    }

    h.ok(
        "answerShippingQuery",
        json!({"shipping_query_id": shipping_query_id, "ok": true, "shipping_options": two_options()}),
    )
    .await;
    let (_, description) = h
        .err(
            "answerShippingQuery",
            json!({"shipping_query_id": shipping_query_id, "ok": true, "shipping_options": two_options()}),
        )
        .await;
    assert!(description.contains("query is too old"), "{description}");

    // Only the asked-for fields reach the bot: name and address, not phone or email.
    let order_info = json!({"name": "Alice Martins", "shipping_address": lisbon()});
    let updates = h.drain().await;
    let query = &updates[0]["pre_checkout_query"];
    assert_eq!(query["id"], json!(started.pre_checkout_query_id));
    assert_eq!(query["currency"], "EUR");
    assert_eq!(query["total_amount"], 450 + 700 + 90);
    assert_eq!(query["shipping_option_id"], "express");
    assert_eq!(query["order_info"], order_info);

    h.ok(
        "answerPreCheckoutQuery",
        json!({"pre_checkout_query_id": started.pre_checkout_query_id, "ok": true}),
    )
    .await;
    let updates = h.drain().await;
    let paid = &updates[0]["message"]["successful_payment"];
    assert_eq!(paid["total_amount"], 1240);
    assert_eq!(paid["shipping_option_id"], "express");
    assert_eq!(paid["order_info"], order_info);

    let payments = h.client.payments(BOT).await.expect("payments");
    let payment = &payments[0];
    assert_eq!(payment.status, PaymentStatus::Paid);
    assert_eq!(payment.shipping_query_id, Some(shipping_query_id));
    assert_eq!(payment.shipping_option_id.as_deref(), Some("express"));
    assert_eq!(payment.total_amount, 1240);
    assert_eq!(
        payment.order_info,
        Some(OrderInfo {
            name: Some("Alice Martins".into()),
            shipping_address: Some(lisbon()),
            ..OrderInfo::default()
        })
    );
}

#[tokio::test]
async fn shipping_query_declined_unanswered_or_without_the_chosen_option() {
    let config = SimConfig {
        pre_checkout_timeout: Duration::from_millis(1000),
        ..SimConfig::default()
    };
    let h = Harness::start(config).await;
    h.start_user(&alice()).await;
    let message = h.ok("sendInvoice", loaf_invoice(1001, true)).await;
    let message_id = message["message_id"].as_i64().expect("id");
    let target = PayTarget::Message {
        chat_id: 1001,
        message_id,
    };

    // Declined: error_message is required, and no pre-checkout follows.
    let declined = h
        .client
        .pay(BOT, &alice(), 1001, message_id)
        .await
        .expect("pay");
    let declined_id = declined.shipping_query_id.expect("shipping query");
    h.drain().await;
    let (_, description) = h
        .err(
            "answerShippingQuery",
            json!({"shipping_query_id": declined_id, "ok": false}),
        )
        .await;
    assert_eq!(
        description,
        "Bad Request: parameter \"error_message\" is required"
    );
    h.ok(
        "answerShippingQuery",
        json!({"shipping_query_id": declined_id, "ok": false, "error_message": "No delivery to Lisbon"}),
    )
    .await;
    assert!(h.drain().await.is_empty());

    // Not answered in time.
    let late = h
        .client
        .pay(BOT, &alice(), 1001, message_id)
        .await
        .expect("pay");
    h.drain().await;
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let (_, description) = h
        .err(
            "answerShippingQuery",
            json!({"shipping_query_id": late.shipping_query_id, "ok": true, "shipping_options": two_options()}),
        )
        .await;
    assert!(description.contains("query is too old"), "{description}");

    // The user wants an option the bot does not offer.
    let details = PayDetails::sample().with_shipping_option("drone");
    let unmatched = h
        .client
        .pay_with(BOT, &alice(), target, details)
        .await
        .expect("pay");
    h.drain().await;
    h.ok(
        "answerShippingQuery",
        json!({"shipping_query_id": unmatched.shipping_query_id, "ok": true, "shipping_options": two_options()}),
    )
    .await;
    assert!(h.drain().await.is_empty());

    // No choice takes the first option; the pre-checkout query gets a fresh deadline.
    let first = h
        .client
        .pay(BOT, &alice(), 1001, message_id)
        .await
        .expect("pay");
    h.drain().await;
    tokio::time::sleep(Duration::from_millis(600)).await;
    h.ok(
        "answerShippingQuery",
        json!({"shipping_query_id": first.shipping_query_id, "ok": true, "shipping_options": two_options()}),
    )
    .await;
    let updates = h.drain().await;
    let query = &updates[0]["pre_checkout_query"];
    assert_eq!(query["shipping_option_id"], "standard");
    assert_eq!(query["total_amount"], 450 + 300);
    tokio::time::sleep(Duration::from_millis(600)).await;
    h.ok(
        "answerPreCheckoutQuery",
        json!({"pre_checkout_query_id": first.pre_checkout_query_id, "ok": true}),
    )
    .await;

    let (_, description) = h
        .err(
            "answerShippingQuery",
            json!({"shipping_query_id": "12345", "ok": false, "error_message": "x"}),
        )
        .await;
    assert!(description.contains("query ID is invalid"), "{description}");

    let payments = h.client.payments(BOT).await.expect("payments");
    assert_eq!(payments.len(), 4);
    assert_eq!(
        payments[0].status,
        PaymentStatus::Declined {
            error_message: "No delivery to Lisbon".into()
        }
    );
    assert_eq!(payments[0].shipping_option_id, None);
    match &payments[1].status {
        PaymentStatus::Failed { reason } => assert!(reason.contains("shipping_query"), "{reason}"),
        other => panic!("not failed: {other:?}"),
    }
    match &payments[2].status {
        PaymentStatus::Failed { reason } => {
            assert!(reason.contains("\"drone\""), "{reason}");
            assert!(reason.contains("standard, express"), "{reason}");
        }
        other => panic!("not failed: {other:?}"),
    }
    assert_eq!(payments[2].total_amount, 450);
    assert_eq!(payments[3].status, PaymentStatus::Paid);
    assert_eq!(payments[3].shipping_option_id.as_deref(), Some("standard"));
    assert_eq!(payments[3].total_amount, 750);
}

#[tokio::test]
async fn fixed_price_invoice_passes_order_info_straight_to_pre_checkout() {
    let h = Harness::default().await;
    h.start_user(&alice()).await;
    let mut invoice = loaf_invoice(1001, false);
    invoice["need_name"] = json!(false);
    invoice["need_email"] = json!(true);
    let message = h.ok("sendInvoice", invoice).await;
    let target = PayTarget::Message {
        chat_id: 1001,
        message_id: message["message_id"].as_i64().expect("id"),
    };

    // The form must hold what the invoice asks for.
    let pay = |details: PayDetails| h.client.pay_with(BOT, alice(), target.clone(), details);
    refused_with(pay(PayDetails::default()).await, "shipping address");
    let mut no_email = alice_form();
    no_email.email = None;
    refused_with(
        pay(PayDetails {
            order_info: Some(no_email),
            shipping_option_id: None,
        })
        .await,
        "email",
    );
    let mut bad_country = alice_form();
    if let Some(address) = bad_country.shipping_address.as_mut() {
        address.country_code = "Portugal".into();
    }
    refused_with(
        pay(PayDetails {
            order_info: Some(bad_country),
            shipping_option_id: None,
        })
        .await,
        "ADDRESS_COUNTRY_INVALID",
    );
    refused_with(
        pay(PayDetails::sample().with_shipping_option("standard")).await,
        "not flexible",
    );
    // The same over the raw control API: no order_info at all.
    let response = h
        .http
        .post(format!("{}/sim/bots/{BOT}/pay", h.running.url()))
        .json(&json!({"from": 1001, "chat_id": 1001, "message_id": message["message_id"]}))
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), 400);
    assert!(h.drain().await.is_empty(), "refused payments send nothing");

    let started = pay(PayDetails {
        order_info: Some(alice_form()),
        shipping_option_id: None,
    })
    .await
    .expect("pay");
    assert_eq!(started.shipping_query_id, None);
    let order_info = json!({"email": "alice@example.com", "shipping_address": lisbon()});
    let updates = h.drain().await;
    assert_eq!(updates[0]["update_id"], json!(started.update_id));
    let query = &updates[0]["pre_checkout_query"];
    assert_eq!(query["id"], json!(started.pre_checkout_query_id));
    assert_eq!(query["total_amount"], 450);
    assert_eq!(query["order_info"], order_info);
    assert!(query.get("shipping_option_id").is_none());
    h.ok(
        "answerPreCheckoutQuery",
        json!({"pre_checkout_query_id": started.pre_checkout_query_id, "ok": true}),
    )
    .await;
    let updates = h.drain().await;
    let paid = &updates[0]["message"]["successful_payment"];
    assert_eq!(paid["order_info"], order_info);
    assert!(paid.get("shipping_option_id").is_none());

    // Stars ignore the form and shipping flags: nothing to fill in, no shipping query.
    let stars = h
        .ok(
            "sendInvoice",
            json!({
                "chat_id": 1001, "title": "Recipe", "description": "A PDF",
                "payload": "recipe-1", "currency": "XTR",
                "prices": [{"label": "Recipe", "amount": 25}],
                "need_name": true, "need_shipping_address": true, "is_flexible": true,
            }),
        )
        .await;
    let started = h
        .client
        .pay_with(
            BOT,
            &alice(),
            PayTarget::Message {
                chat_id: 1001,
                message_id: stars["message_id"].as_i64().expect("id"),
            },
            PayDetails::default(),
        )
        .await
        .expect("pay");
    assert_eq!(started.shipping_query_id, None);
    let updates = h.drain().await;
    let query = &updates[0]["pre_checkout_query"];
    assert_eq!(query["total_amount"], 25);
    assert!(query.get("order_info").is_none());
}

#[tokio::test]
async fn blocked_user_answers_403_until_unblocked() {
    let h = Harness::default().await;
    let (_, description) = h
        .err("sendMessage", json!({"chat_id": 1001, "text": "hi"}))
        .await;
    assert_eq!(description, "Bad Request: chat not found");
    h.start_user(&alice()).await;
    h.client.block(BOT, &alice()).await.expect("block");
    let updates = h.drain().await;
    let change = &updates[0]["my_chat_member"];
    assert_eq!(change["chat"]["id"], 1001);
    assert_eq!(change["old_chat_member"]["status"], "member");
    assert_eq!(change["new_chat_member"]["status"], "kicked");
    assert_eq!(change["new_chat_member"]["user"]["id"], BOT);

    let (code, description) = h
        .err("sendMessage", json!({"chat_id": 1001, "text": "hi"}))
        .await;
    assert_eq!(code, 403);
    assert_eq!(description, "Forbidden: bot was blocked by the user");
    assert!(h.sim.messages(BOT, 1001).is_empty());

    h.client.unblock(BOT, &alice()).await.expect("unblock");
    let updates = h.drain().await;
    assert_eq!(
        updates[0]["my_chat_member"]["new_chat_member"]["status"],
        "member"
    );
    h.ok(
        "sendMessage",
        json!({"chat_id": 1001, "text": "welcome back"}),
    )
    .await;
}

#[tokio::test]
async fn tokens_methods_and_parameters_are_checked() {
    let h = Harness::default().await;
    for token in ["abc", "123:short", "12a:abcdefghijkl", "123:abcdefghij!"] {
        let (status, body) = h.call_as(token, "getMe", json!({})).await;
        assert_eq!(status, 401, "{token}");
        assert_eq!(
            body,
            json!({"ok": false, "error_code": 401, "description": "Unauthorized"})
        );
    }
    let me = h.ok("GETME", json!({})).await;
    assert_eq!(me["id"], BOT);
    assert_eq!(me["username"], "sim_4242_bot");
    assert_eq!(me["first_name"], "Sandbox bot");
    assert_eq!(me["is_bot"], true);
    // Another secret for the same bot id is not that bot.
    let (status, _) = h.call_as("4242:another_secret", "getMe", json!({})).await;
    assert_eq!(status, 401);

    let (status, body) = h.call("sendCheese", json!({})).await;
    assert_eq!(status, 404);
    assert_eq!(body["description"], "Not Found: method not found");

    let (_, description) = h.err("sendMessage", json!({"text": "x"})).await;
    assert_eq!(description, "Bad Request: chat_id is empty");
    let (_, description) = h.err("sendMessage", json!({"chat_id": 1001})).await;
    assert_eq!(description, "Bad Request: message text is empty");
    let (_, description) = h.err("getUpdates", json!({"offset": "soon"})).await;
    assert_eq!(
        description,
        "Bad Request: field \"offset\" must be of type Integer"
    );
    h.start_user(&alice()).await;
    let (_, description) = h
        .err(
            "sendMessage",
            json!({"chat_id": 1001, "text": "a<br>b", "parse_mode": "HTML"}),
        )
        .await;
    assert_eq!(
        description,
        "Bad Request: can't parse entities: Unsupported start tag \"br\" at byte offset 1"
    );
    let (_, description) = h
        .err(
            "sendMessage",
            json!({"chat_id": 1001, "text": "x".repeat(4097)}),
        )
        .await;
    assert_eq!(description, "Bad Request: message is too long");

    h.ok(
        "setMyCommands",
        json!({"commands": [{"command": "start", "description": "Start"}], "language_code": "de"}),
    )
    .await;
    assert_eq!(
        h.ok("getMyCommands", json!({"language_code": "de"})).await,
        json!([{"command": "start", "description": "Start"}])
    );
    assert_eq!(h.ok("getMyCommands", json!({})).await, json!([]));
    let (_, description) = h
        .err(
            "setMyCommands",
            json!({"commands": [{"command": "Start", "description": "x"}]}),
        )
        .await;
    assert_eq!(description, "Bad Request: BOT_COMMAND_INVALID");
    let stats = h.sim.stats(BOT);
    assert_eq!(stats.method_calls.get("getMe"), Some(&1));

    // Paths that are not Bot API calls.
    let response = h
        .http
        .get(format!("{}/nothing/here/at/all", h.running.url()))
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), 404);
}

#[tokio::test]
async fn group_privacy_mode_and_membership_errors() {
    let h = Harness::default().await;
    let chat_id = -100_900;
    h.client
        .register_chat(&SimChat {
            id: chat_id,
            kind: ChatType::Group,
            title: "Neighbours".into(),
            username: Some("neighbours".into()),
            is_forum: false,
        })
        .await
        .expect("chat");
    let (code, description) = h
        .err("sendMessage", json!({"chat_id": chat_id, "text": "hi"}))
        .await;
    assert_eq!(
        (code, description.as_str()),
        (403, "Forbidden: bot is not a member of the group chat")
    );
    h.client
        .add_bot(chat_id, BOT, MemberStatus::Member)
        .await
        .expect("bot");
    h.client
        .add_user(chat_id, &alice(), MemberStatus::Member)
        .await
        .expect("user");
    h.drain().await;
    let plain = h
        .client
        .send_text_in(BOT, &alice(), chat_id, "just chatting")
        .await
        .expect("send");
    assert_eq!(plain.update_id, None, "privacy mode hides plain messages");
    let other = h
        .client
        .send_text_in(BOT, &alice(), chat_id, "/menu@some_other_bot")
        .await
        .expect("send");
    assert_eq!(other.update_id, None);
    let command = h
        .client
        .send_text_in(BOT, &alice(), chat_id, "/menu@sim_4242_bot")
        .await
        .expect("send");
    assert!(command.update_id.is_some());
    let updates = h.drain().await;
    assert_eq!(updates.len(), 1);
    assert_eq!(updates[0]["message"]["chat"]["type"], "group");
    // The chat can be addressed by username.
    h.ok(
        "sendMessage",
        json!({"chat_id": "@neighbours", "text": "hello all"}),
    )
    .await;
    // A user the bot met in a group but who never started it cannot be written to.
    let (code, description) = h
        .err("sendMessage", json!({"chat_id": 1001, "text": "psst"}))
        .await;
    assert_eq!(
        (code, description.as_str()),
        (
            403,
            "Forbidden: bot can't initiate conversation with a user"
        )
    );
}

#[tokio::test]
async fn control_page_and_listing() {
    let h = Harness::default().await;
    h.ok("getMe", json!({})).await;
    let page = h
        .http
        .get(format!("{}/sim", h.running.url()))
        .send()
        .await
        .expect("page");
    assert_eq!(page.status(), 200);
    assert!(page
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html")));
    let html = page.text().await.expect("text");
    assert!(html.contains("<title>Telegram simulator</title>"));
    assert!(!html.contains("src=\"http"), "no external assets");

    let bots = h.client.bots().await.expect("bots");
    assert_eq!(bots.len(), 1);
    assert_eq!(bots[0].id, BOT);
    assert!(bots[0].has_token);
    assert_eq!(bots[0].webhook_url, "");

    // Waiting for messages that never come times out with an error.
    let waited = h
        .client
        .wait_for_messages(BOT, 1001, 1, Duration::from_millis(200))
        .await;
    assert!(waited.is_err());
    let raw = h
        .client
        .raw_update(BOT, &json!({"message": {"message_id": 1, "date": 0, "chat": {"id": 5, "type": "private"}, "text": "raw"}}))
        .await
        .expect("raw");
    let updates = h.updates(json!({})).await;
    assert_eq!(updates[0]["update_id"], json!(raw));
    assert_eq!(updates[0]["message"]["text"], "raw");
}
