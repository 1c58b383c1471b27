//! The first conversation end to end, through the Telegram simulator's control API: on
//! SQLite and PostgreSQL, with long polling and with webhooks, in sandbox mode and against a
//! separately running simulator with two bots.

mod common;

use common::buttons;

use groupcart::app::App;
use groupcart::config::{BotConfig, Config, Secret};
use groupcart::sandbox::DEMO_TOKEN;
use groupcart_core::consent::ConsentPurpose;
use groupcart_simulator::client::SimClient;
use groupcart_simulator::types::{SentMessage, SimUser};
use groupcart_simulator::{SimConfig, Simulator};
use std::time::{Duration, Instant};
use tokio::net::TcpListener;

const WAIT: Duration = Duration::from_secs(15);

fn bot_id(token: &str) -> i64 {
    token.split(':').next().unwrap().parse().unwrap()
}

fn user(id: i64, first_name: &str, language: &str) -> SimUser {
    SimUser {
        id,
        first_name: first_name.into(),
        last_name: None,
        username: Some(format!("user{id}")),
        language_code: Some(language.into()),
    }
}

/// Starts an app on a fresh port; with `webhook`, Telegram (the simulator) delivers updates
/// to the app's own address.
async fn start(mut config: Config, webhook: bool) -> App {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    config.http.listen = addr;
    if webhook {
        config.http.public_url = Some(format!("http://{addr}"));
    }
    config.telegram.poll_timeout = 1;
    App::start_on(config, listener).await.expect("app starts")
}

fn config_for(database_url: String) -> Config {
    let mut config = Config::default();
    config.database.url = database_url;
    config.encryption.keys = Secret::new(groupcart_store_contract::TEST_KEYS);
    config
}

/// Polls the chat until `done` holds for the bot's messages.
async fn wait_until(
    sim: &SimClient,
    bot: i64,
    chat: i64,
    what: &str,
    done: impl Fn(&[SentMessage]) -> bool,
) -> Vec<SentMessage> {
    let deadline = Instant::now() + WAIT;
    loop {
        let messages = sim.messages(bot, chat).await.expect("messages");
        if done(&messages) {
            return messages;
        }
        assert!(
            Instant::now() < deadline,
            "timed out waiting for {what}: {messages:#?}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// `/start campaign42` → privacy notice in the user's language → accept → the customer has
/// the source and the consent records, and the notice turned into a confirmation.
async fn start_and_consent(
    app: &App,
    sim: &SimClient,
    bot: i64,
    who: SimUser,
    expect_notice: &str,
    expect_done: &str,
) {
    let chat = who.id;
    sim.send_text(bot, &who, "/start campaign42")
        .await
        .expect("send /start");
    let messages = wait_until(sim, bot, chat, "the privacy notice", |m| !m.is_empty()).await;
    let notice = &messages[0];
    let text = notice.text.clone().unwrap_or_default();
    assert!(
        text.contains(expect_notice),
        "notice in the user's language: {text}"
    );
    let choices = buttons(notice);
    assert_eq!(choices.len(), 3, "three consent choices: {choices:?}");
    let (_, data) = choices
        .iter()
        .find(|(_, d)| d == "consent:all")
        .expect("accept-all button");

    let pressed = sim
        .press_button(bot, &who, chat, notice.message_id, data)
        .await
        .expect("press");
    let messages = wait_until(sim, bot, chat, "the confirmation", |m| m[0].edited).await;
    let confirmation = messages[0].text.clone().unwrap_or_default();
    assert!(
        confirmation.contains(expect_done),
        "confirmation: {confirmation}"
    );
    assert!(buttons(&messages[0]).is_empty(), "buttons removed");
    let deadline = Instant::now() + WAIT;
    while sim
        .callback(bot, &pressed.callback_query_id)
        .await
        .expect("callback")
        .answer
        .is_none()
    {
        assert!(Instant::now() < deadline, "button press never answered");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }

    let customer = app
        .store
        .customer_by_telegram_id(who.id)
        .await
        .expect("read")
        .expect("customer exists");
    assert_eq!(customer.first_source.as_deref(), Some("campaign42"));
    assert_eq!(customer.first_name, who.first_name);
    let consents = app
        .store
        .consent_history(customer.id)
        .await
        .expect("consents");
    assert_eq!(consents.len(), 2, "{consents:?}");
    for purpose in [ConsentPurpose::Service, ConsentPurpose::Marketing] {
        let record = consents
            .iter()
            .find(|c| c.purpose == purpose)
            .expect("record per purpose");
        assert!(record.granted);
        assert_eq!(record.policy_version, "1");
    }
}

async fn sandbox_scenario(database_url: String, webhook: bool) {
    let app = start(config_for(database_url), webhook).await;
    let sim = SimClient::new(format!("http://{}", app.addr));
    let bot = bot_id(DEMO_TOKEN);
    start_and_consent(
        &app,
        &sim,
        bot,
        user(42, "Ana", "en-US"),
        "Hi Ana",
        "service messages and our news",
    )
    .await;
    start_and_consent(
        &app,
        &sim,
        bot,
        user(43, "小明", "zh-hans"),
        "小明",
        "服务消息",
    )
    .await;

    // The command menu was set for every language.
    let calls = sim.stats(bot).await.expect("stats").method_calls;
    assert!(
        calls.get("setMyCommands").copied().unwrap_or_default() >= 3,
        "{calls:?}"
    );
    let stats = sim.stats(bot).await.expect("stats");
    assert_eq!(stats.too_many_requests, 0);
    assert_eq!(stats.duplicate_sends, 0);
    app.shutdown();
    app.stopped().await;
}

#[tokio::test]
async fn sandbox_long_polling_sqlite() {
    sandbox_scenario(sqlite_url(), false).await;
}

#[tokio::test]
async fn sandbox_webhook_sqlite() {
    sandbox_scenario(sqlite_url(), true).await;
}

#[tokio::test]
async fn sandbox_long_polling_postgres() {
    sandbox_scenario(
        groupcart_store_contract::postgres_url_for_new_db().await,
        false,
    )
    .await;
}

#[tokio::test]
async fn sandbox_webhook_postgres() {
    sandbox_scenario(
        groupcart_store_contract::postgres_url_for_new_db().await,
        true,
    )
    .await;
}

fn sqlite_url() -> String {
    format!(
        "sqlite://{}",
        groupcart_store_contract::sqlite_path().display()
    )
}

/// A user whose language the bot does not speak is asked first; the choice sticks.
#[tokio::test]
async fn unsupported_language_is_asked_first() {
    let app = start(config_for(sqlite_url()), false).await;
    let sim = SimClient::new(format!("http://{}", app.addr));
    let bot = bot_id(DEMO_TOKEN);
    let who = user(77, "Lena", "de");
    sim.send_text(bot, &who, "/start").await.unwrap();
    let messages = wait_until(&sim, bot, who.id, "the language question", |m| {
        !m.is_empty()
    })
    .await;
    let choices = buttons(&messages[0]);
    assert_eq!(
        choices.iter().map(|(_, d)| d.as_str()).collect::<Vec<_>>(),
        [
            "lang:en",
            "lang:zh-CN",
            "lang:es",
            "lang:pt-BR",
            "lang:id",
            "lang:ru",
            "lang:ar"
        ]
    );
    assert_eq!(
        choices.iter().map(|(t, _)| t.as_str()).collect::<Vec<_>>(),
        [
            "English",
            "简体中文",
            "Español",
            "Português (Brasil)",
            "Bahasa Indonesia",
            "Русский",
            "العربية"
        ],
        "each language is offered by its own name"
    );
    sim.press_button(bot, &who, who.id, messages[0].message_id, "lang:zh-CN")
        .await
        .unwrap();
    let messages = wait_until(&sim, bot, who.id, "the notice in Chinese", |m| m[0].edited).await;
    assert!(messages[0]
        .text
        .as_deref()
        .unwrap_or_default()
        .contains("隐私政策"));
    let customer = app
        .store
        .customer_by_telegram_id(who.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(customer.language.as_deref(), Some("zh-CN"));
    assert_eq!(customer.first_source, None, "no payload, no source");
    app.shutdown();
    app.stopped().await;
}

/// A payload outside Telegram's alphabet is ignored, not stored.
#[tokio::test]
async fn invalid_start_payload_is_ignored() {
    let app = start(config_for(sqlite_url()), false).await;
    let sim = SimClient::new(format!("http://{}", app.addr));
    let bot = bot_id(DEMO_TOKEN);
    let who = user(78, "Eve", "en");
    sim.send_text(bot, &who, "/start <script>").await.unwrap();
    wait_until(&sim, bot, who.id, "the notice", |m| !m.is_empty()).await;
    let customer = app
        .store
        .customer_by_telegram_id(who.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(customer.first_source, None);
    app.shutdown();
    app.stopped().await;
}

/// Two bots (two markets) in one instance against a separately running simulator: each
/// answers its own users, and a person who talks to both is one customer.
#[tokio::test]
async fn two_bots_one_instance_one_customer() {
    let sim_server = Simulator::new(SimConfig::default())
        .spawn_local()
        .await
        .unwrap();
    let sim = sim_server.client();
    let (es, id) = (
        "2000000001:spanish-market-bot",
        "3000000001:indonesia-market-bot",
    );
    let mut config = config_for(sqlite_url());
    config.telegram.api_url = sim_server.url();
    config.bots = vec![
        BotConfig {
            key: "es".into(),
            token: Secret::new(es),
            default_language: "en".into(),
            currency: "EUR".into(),
            market: "es".into(),
            limits: None,
            payment_provider_token: Secret::default(),
            shipping_fee: 0,
            shipping_rates: Vec::new(),
            staff_chat_id: None,
            manual_payment: None,
            manual_payment_days: 3,
        },
        BotConfig {
            key: "id".into(),
            token: Secret::new(id),
            default_language: "en".into(),
            currency: "IDR".into(),
            market: "id".into(),
            limits: None,
            payment_provider_token: Secret::default(),
            shipping_fee: 0,
            shipping_rates: Vec::new(),
            staff_chat_id: None,
            manual_payment: None,
            manual_payment_days: 3,
        },
    ];
    let app = start(config, false).await;
    let who = user(500, "Budi", "en");
    sim.send_text(bot_id(es), &who, "/start es_ad")
        .await
        .unwrap();
    wait_until(&sim, bot_id(es), who.id, "the es notice", |m| !m.is_empty()).await;
    sim.send_text(bot_id(id), &who, "/start id_ad")
        .await
        .unwrap();
    wait_until(&sim, bot_id(id), who.id, "the id notice", |m| !m.is_empty()).await;
    let customer = app
        .store
        .customer_by_telegram_id(who.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        customer.first_source.as_deref(),
        Some("es_ad"),
        "first source kept"
    );
    assert_eq!(customer.first_bot, "es");
    let created = app
        .store
        .recent_events(Some("customer_created"), 10)
        .await
        .unwrap();
    assert_eq!(created.len(), 1, "one customer across both bots");
    app.shutdown();
    app.stopped().await;
}

/// A chat's messages are answered in the order they were sent, even when they arrive
/// faster than the bot may reply.
#[tokio::test]
async fn replies_keep_the_order_of_a_chats_messages() {
    let app = start(config_for(sqlite_url()), false).await;
    let sim = SimClient::new(format!("http://{}", app.addr));
    let bot = bot_id(DEMO_TOKEN);
    let who = user(90, "Ana", "en");
    let commands = ["/help", "/privacy", "/help", "/nonsense", "/help"];
    for command in commands {
        sim.send_text(bot, &who, command).await.unwrap();
    }
    let messages = wait_until(&sim, bot, who.id, "five replies", |m| m.len() >= 5).await;
    let kinds: Vec<&str> = messages
        .iter()
        .map(|m| {
            let text = m.text.as_deref().unwrap_or_default();
            if text.starts_with("Here is what I can do") {
                "help"
            } else if text.starts_with("Your data with us") {
                "privacy"
            } else if text.starts_with("I do not know that command") {
                "unknown"
            } else {
                "other"
            }
        })
        .collect();
    assert_eq!(kinds, ["help", "privacy", "help", "unknown", "help"]);
    app.shutdown();
    app.stopped().await;
}

/// Blocking the bot is recorded as an event of the customer.
#[tokio::test]
async fn blocking_the_bot_is_recorded() {
    let app = start(config_for(sqlite_url()), false).await;
    let sim = SimClient::new(format!("http://{}", app.addr));
    let bot = bot_id(DEMO_TOKEN);
    let who = user(91, "Bo", "en");
    sim.send_text(bot, &who, "/start").await.unwrap();
    wait_until(&sim, bot, who.id, "the notice", |m| !m.is_empty()).await;
    sim.block(bot, &who).await.unwrap();
    let deadline = Instant::now() + WAIT;
    loop {
        let blocked = app
            .store
            .recent_events(Some("bot_blocked"), 10)
            .await
            .unwrap();
        if let Some(event) = blocked.first() {
            let customer = app
                .store
                .customer_by_telegram_id(who.id)
                .await
                .unwrap()
                .unwrap();
            assert_eq!(event.event.customer_id, Some(customer.id));
            break;
        }
        assert!(Instant::now() < deadline, "block never recorded");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    app.shutdown();
    app.stopped().await;
}
