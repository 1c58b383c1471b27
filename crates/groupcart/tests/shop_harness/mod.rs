//! The shop as a test drives it: groupcart in sandbox mode on a free port with a fresh
//! database, the simulator's client, and the admin API; shared by the shop and coupon
//! scenarios.

// Each scenario file uses its own part of this.
#![allow(dead_code)]

pub mod console;

use groupcart::app::App;
use groupcart::config::{Config, Secret};
use groupcart::sandbox::DEMO_TOKEN;
use groupcart_core::clock::{Clock, SharedClock, SystemClock};
use groupcart_simulator::client::SimClient;
use groupcart_simulator::types::{ChatType, MemberStatus, SentMessage, SimChat, SimUser};
use serde_json::Value;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::net::TcpListener;

pub const WAIT: Duration = Duration::from_secs(15);
pub const API_TOKEN: &str = "shop-test-token";

pub struct Shop {
    pub app: App,
    pub sim: SimClient,
    pub bot: i64,
    pub http: reqwest::Client,
}

pub async fn start(database_url: String) -> Shop {
    start_with(database_url, |_| {}).await
}

/// Like [`start`], with the configuration changed by `configure` first.
pub async fn start_with(database_url: String, configure: impl FnOnce(&mut Config)) -> Shop {
    launch(database_url, configure, Arc::new(SystemClock)).await
}

/// Like [`start`], with jobs and the outbox going by `clock`.
pub async fn start_at(database_url: String, clock: Arc<AheadClock>) -> Shop {
    launch(database_url, |_| {}, clock).await
}

/// Like [`start_at`], with the configuration changed by `configure` first.
pub async fn start_at_with(
    database_url: String,
    clock: Arc<AheadClock>,
    configure: impl FnOnce(&mut Config),
) -> Shop {
    launch(database_url, configure, clock).await
}

/// The token of the bot [`start_outside`] runs.
pub const OUTSIDE_TOKEN: &str = "4000000001:outside-simulator-bot";

/// groupcart with one bot (key `main`, no demo shop) against the simulator at `sim_url`,
/// which outlives the app: for scenarios that restart it.
pub async fn start_outside(
    database_url: String,
    sim_url: &str,
    configure: impl FnOnce(&mut Config),
) -> Shop {
    let sim_url = sim_url.to_owned();
    launch(
        database_url,
        move |config| {
            config.telegram.api_url = sim_url;
            config.telegram.token = Secret::new(OUTSIDE_TOKEN);
            configure(config);
        },
        Arc::new(SystemClock),
    )
    .await
}

/// The wall clock moved forward by what a test asked: deadlines come without waiting.
#[derive(Debug, Default)]
pub struct AheadClock {
    ahead_ms: AtomicI64,
}

impl AheadClock {
    pub fn advance(&self, by: chrono::Duration) {
        self.ahead_ms
            .fetch_add(by.num_milliseconds(), Ordering::SeqCst);
    }
}

impl Clock for AheadClock {
    fn now(&self) -> chrono::DateTime<chrono::Utc> {
        chrono::Utc::now() + chrono::Duration::milliseconds(self.ahead_ms.load(Ordering::SeqCst))
    }
}

async fn launch(
    database_url: String,
    configure: impl FnOnce(&mut Config),
    clock: SharedClock,
) -> Shop {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let mut config = Config::default();
    config.database.url = database_url;
    config.http.listen = listener.local_addr().unwrap();
    config.telegram.poll_timeout = 1;
    config.api.token = Secret::new(API_TOKEN);
    config.encryption.keys = Secret::new(groupcart_store_contract::TEST_KEYS);
    configure(&mut config);
    // Sandbox mode serves its own simulator; with a token, the simulator is elsewhere.
    let outside = (!config.telegram.token.is_empty()).then(|| {
        (
            config.telegram.api_url.clone(),
            config.telegram.token.expose().to_owned(),
        )
    });
    let app = App::start_with_clock(config, listener, clock)
        .await
        .expect("app starts");
    let (sim_url, token) =
        outside.unwrap_or_else(|| (format!("http://{}", app.addr), DEMO_TOKEN.to_owned()));
    let sim = SimClient::new(sim_url);
    let bot = token.split(':').next().unwrap().parse().unwrap();
    Shop {
        app,
        sim,
        bot,
        http: reqwest::Client::new(),
    }
}

impl Shop {
    pub async fn wait_for(
        &self,
        chat: i64,
        what: &str,
        done: impl Fn(&[SentMessage]) -> bool,
    ) -> Vec<SentMessage> {
        let deadline = Instant::now() + WAIT;
        loop {
            let messages: Vec<SentMessage> = self
                .sim
                .messages(self.bot, chat)
                .await
                .unwrap()
                .into_iter()
                .filter(|m| m.from_bot)
                .collect();
            if done(&messages) {
                return messages;
            }
            assert!(
                Instant::now() < deadline,
                "timed out waiting for {what}: {messages:#?}"
            );
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }

    pub async fn press(&self, user: &SimUser, message: &SentMessage, data: &str) {
        self.sim
            .press_button(self.bot, user, user.id, message.message_id, data)
            .await
            .unwrap_or_else(|e| panic!("press {data}: {e}"));
    }

    pub async fn api(&self, path: &str, body: Value) -> (u16, Value) {
        self.api_send(reqwest::Method::POST, path, body).await
    }

    pub async fn api_send(&self, method: reqwest::Method, path: &str, body: Value) -> (u16, Value) {
        let response = self
            .http
            .request(method, format!("http://{}/api{path}", self.app.addr))
            .bearer_auth(API_TOKEN)
            .json(&body)
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    pub async fn api_get(&self, path: &str) -> (u16, Value) {
        let response = self
            .http
            .get(format!("http://{}/api{path}", self.app.addr))
            .bearer_auth(API_TOKEN)
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    pub async fn stop(self) {
        self.app.shutdown();
        self.app.stopped().await;
    }
}

pub fn text(message: &SentMessage) -> String {
    message.text.clone().unwrap_or_default()
}

pub fn has_text(messages: &[SentMessage], needle: &str) -> bool {
    messages.iter().any(|m| text(m).contains(needle))
}

pub fn sqlite_url() -> String {
    format!(
        "sqlite://{}",
        groupcart_store_contract::sqlite_path().display()
    )
}

/// A customer writing in English.
pub fn customer(id: i64, first_name: &str) -> SimUser {
    SimUser {
        id,
        first_name: first_name.into(),
        last_name: None,
        username: None,
        language_code: Some("en".into()),
    }
}

/// A member of the staff group.
pub fn staff_member(id: i64, first_name: &str, username: &str, language: Option<&str>) -> SimUser {
    SimUser {
        id,
        first_name: first_name.into(),
        last_name: None,
        username: Some(username.into()),
        language_code: language.map(Into::into),
    }
}

/// Runs each scenario once on a fresh SQLite database and once on a fresh PostgreSQL one.
macro_rules! on_both_databases {
    ($($scenario:ident),* $(,)?) => {
        mod sqlite {
            $(#[tokio::test]
            async fn $scenario() {
                super::$scenario(super::sqlite_url()).await;
            })*
        }
        mod postgres {
            $(#[tokio::test]
            async fn $scenario() {
                super::$scenario(groupcart_store_contract::postgres_url_for_new_db().await).await;
            })*
        }
    };
}

/// Registers a group in the simulator with the bot as its admin; returns when groupcart
/// has registered it too.
pub async fn group_with_the_bot(shop: &Shop, group: i64, title: &str) {
    shop.sim
        .register_chat(&SimChat {
            id: group,
            kind: ChatType::Supergroup,
            title: title.into(),
            username: None,
            is_forum: false,
        })
        .await
        .unwrap();
    shop.sim
        .add_bot(group, shop.bot, MemberStatus::Administrator)
        .await
        .unwrap();
    let deadline = Instant::now() + WAIT;
    while shop.app.store.chat("demo", group).await.unwrap().is_none() {
        assert!(Instant::now() < deadline, "the group was never registered");
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

/// The callback data of the inline buttons under a message, row by row.
fn callback_data(message: &SentMessage) -> Vec<String> {
    let rows = message
        .reply_markup
        .as_ref()
        .and_then(|m| m["inline_keyboard"].as_array().cloned())
        .unwrap_or_default();
    rows.iter()
        .flat_map(|row| row.as_array().cloned().unwrap_or_default())
        .filter_map(|b| b["callback_data"].as_str().map(str::to_owned))
        .collect()
}

/// How many of the messages contain `needle`.
pub fn count(messages: &[SentMessage], needle: &str) -> usize {
    messages.iter().filter(|m| text(m).contains(needle)).count()
}

/// `/start` and "accept all" on the privacy notice (service and marketing).
pub async fn welcome(shop: &Shop, who: &SimUser) {
    shop.sim.send_text(shop.bot, who, "/start").await.unwrap();
    let messages = shop
        .wait_for(who.id, "the privacy notice", |m| {
            m.iter()
                .any(|m| callback_data(m).iter().any(|d| d == "consent:all"))
        })
        .await;
    let notice = messages
        .iter()
        .rev()
        .find(|m| callback_data(m).iter().any(|d| d == "consent:all"))
        .unwrap();
    shop.press(who, notice, "consent:all").await;
    shop.wait_for(who.id, "the consent confirmation", |m| {
        has_text(m, "You will get service messages and our news")
    })
    .await;
}

/// Puts `colours` silk scarves (one of each of the first colours, 1 or 2) in the cart
/// from the product card; returns the cart.
pub async fn scarves_in_cart(shop: &Shop, who: &SimUser, colours: usize) -> SentMessage {
    shop.sim
        .send_text(shop.bot, who, "/start p-silk-scarf")
        .await
        .unwrap();
    let card = shop
        .wait_for(who.id, "the product card", |m| {
            m.iter().any(|m| m.photo.is_some())
        })
        .await
        .into_iter()
        .rev()
        .find(|m| m.photo.is_some())
        .unwrap();
    for data in callback_data(&card)
        .into_iter()
        .filter(|data| data.starts_with("c:add:"))
        .take(colours)
    {
        shop.press(who, &card, &data).await;
    }
    let before = shop.sim.messages(shop.bot, who.id).await.unwrap().len();
    shop.sim.send_text(shop.bot, who, "/cart").await.unwrap();
    let expected = ["(Red)", "(Blue)"];
    let messages = shop
        .wait_for(who.id, "the cart with the scarves", |m| {
            m.len() > before
                && expected[..colours]
                    .iter()
                    .all(|colour| text(m.last().unwrap()).contains(colour))
        })
        .await;
    messages.last().unwrap().clone()
}

/// Buys `colours` scarves (1 or 2): cart, checkout, invoice, payment; waits for the thanks.
pub async fn buy_scarves(shop: &Shop, who: &SimUser, colours: usize) {
    let cart = scarves_in_cart(shop, who, colours).await;
    let before = shop.sim.messages(shop.bot, who.id).await.unwrap().len();
    shop.press(who, &cart, "c:pay").await;
    let messages = shop
        .wait_for(who.id, "the invoice", |m| {
            m[before.min(m.len())..].iter().any(|m| m.invoice.is_some())
        })
        .await;
    let invoice = messages[before..]
        .iter()
        .find(|m| m.invoice.is_some())
        .unwrap()
        .message_id;
    let paid_before = count(&messages, "We received your payment");
    shop.sim.pay(shop.bot, who, who.id, invoice).await.unwrap();
    shop.wait_for(who.id, "the payment thanks", |m| {
        count(m, "We received your payment") > paid_before
    })
    .await;
}

/// Adds `delta` units to each silk scarf variant (the demo shop has few blue ones).
pub async fn restock_scarves(shop: &Shop, delta: i64) {
    let (status, page) = shop.api_get("/products").await;
    assert_eq!(status, 200, "{page}");
    let scarf = page["products"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["handle"] == "silk-scarf")
        .expect("the scarf")
        .clone();
    for variant in scarf["variants"].as_array().unwrap() {
        let (status, body) = shop
            .api(
                &format!("/variants/{}/stock", variant["id"]),
                serde_json::json!({"delta": delta, "reason": "restock"}),
            )
            .await;
        assert_eq!(status, 200, "{body}");
    }
}

/// The store's id of the customer with this Telegram id (they must have written).
pub async fn customer_id(shop: &Shop, who: &SimUser) -> i64 {
    shop.app
        .store
        .customer_by_telegram_id(who.id)
        .await
        .unwrap()
        .expect("a known customer")
        .id
        .0
}

/// Gives `who` (a customer already) a paid order of the demo tea, written to the store
/// directly.
pub async fn paid_order(shop: &Shop, who: &SimUser) {
    let customer = shop
        .app
        .store
        .customer_by_telegram_id(who.id)
        .await
        .unwrap()
        .unwrap();
    paid_order_of(shop, customer.id, &["green-tea"], 2200, chrono::Utc::now()).await;
}

/// Gives `customer` a paid order of one unit of the first variant of each demo product in
/// `handles` at `unit_price` USD cents, placed and paid at `at`, written to the store
/// directly.
pub async fn paid_order_of(
    shop: &Shop,
    customer: groupcart_core::customer::CustomerId,
    handles: &[&str],
    unit_price: i64,
    at: chrono::DateTime<chrono::Utc>,
) {
    let store = shop.app.store.clone();
    let mut lines = Vec::new();
    for handle in handles {
        let product = store.product_by_handle(handle).await.unwrap().unwrap();
        lines.push(groupcart_core::shop::OrderLine {
            variant_id: product.variants[0].id,
            product_id: product.id,
            sku: None,
            title: product.text("en").map_or(*handle, |t| &t.title).to_owned(),
            quantity: 1,
            unit_price,
        });
    }
    let mut tx = store.begin().await.unwrap();
    let order = tx
        .place_order(&groupcart_core::shop::NewOrder {
            customer_id: customer,
            bot: "demo".into(),
            currency: "USD".parse().unwrap(),
            lines,
            shipping_cost: 0,
            discount: 0,
            discounts: vec![],
            shipping_address: None,
            shipping_option: None,
            source: None,
            reservation_expires_at: at + chrono::Duration::minutes(15),
            at,
        })
        .await
        .unwrap();
    tx.transition_order(
        order.id,
        &groupcart_core::shop::Transition {
            from: groupcart_core::shop::OrderStatus::PendingPayment,
            to: groupcart_core::shop::OrderStatus::Paid,
            actor: "test".into(),
            note: None,
            at,
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
}
