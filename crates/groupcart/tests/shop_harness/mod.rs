//! The shop as a test drives it: groupcart in sandbox mode on a free port with a fresh
//! database, the simulator's client, and the admin API; shared by the shop and coupon
//! scenarios.

// Each scenario file uses its own part of this.
#![allow(dead_code)]

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
    configure(&mut config);
    let app = App::start_with_clock(config, listener, clock)
        .await
        .expect("app starts");
    let sim = SimClient::new(format!("http://{}", app.addr));
    let bot = DEMO_TOKEN.split(':').next().unwrap().parse().unwrap();
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
