//! Per-chat language and market end to end through the simulator, on SQLite and
//! PostgreSQL: a group set to Spanish (the bot speaks English by default) gets its moderation
//! warnings in Spanish while a group without a language still gets English; a member whose
//! language has no welcome text is welcomed in the chat's language; a staff chat registered
//! as Chinese hears the rights report and a raid alert (on a Spanish group) in Chinese. The admin API refuses an unsupported
//! language and a bad market with the fields named, normalises `pt-br`, and lists chats by
//! market and role.

#[macro_use]
mod shop_harness;

use shop_harness::*;

use groupcart_simulator::types::{ChatType, MemberStatus, SentMessage, SimChat};
use serde_json::{json, Value};

const SPANISH: i64 = -1_002_000_000_501;
const ENGLISH: i64 = -1_002_000_000_502;

on_both_databases!(
    a_group_speaks_its_own_language,
    the_staff_chat_hears_staff_notices_in_its_language,
    the_api_checks_and_filters_language_and_market,
);

async fn put_settings(shop: &Shop, chat: i64, settings: Value) -> (u16, Value) {
    shop.api_send(
        reqwest::Method::PUT,
        &format!("/chats/demo/{chat}/settings"),
        settings,
    )
    .await
}

/// The chat's messages once `done` holds for them.
async fn chat_until(
    shop: &Shop,
    chat: i64,
    what: &str,
    done: impl Fn(&[SentMessage]) -> bool,
) -> Vec<SentMessage> {
    let deadline = std::time::Instant::now() + WAIT;
    loop {
        let messages = shop.sim.transcript(shop.bot, chat).await.unwrap();
        if done(&messages) {
            return messages;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "timed out waiting for {what}: {messages:#?}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
}

fn rules(language: Option<&str>) -> Value {
    json!({
        "role": "topic_group",
        "language": language,
        "moderation": {"blocked_words": ["casino"]},
        "welcome": {"texts": {
            "en": "Welcome, {name}!",
            "es": "¡Bienvenido, {name}!",
        }},
    })
}

async fn a_group_speaks_its_own_language(database_url: String) {
    let shop = start(database_url).await;
    group_with_the_bot(&shop, SPANISH, "Grupo de té").await;
    group_with_the_bot(&shop, ENGLISH, "Tea group").await;
    let (status, body) = put_settings(&shop, SPANISH, rules(Some("es"))).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["settings"]["language"], "es");
    assert_eq!(body["language"], "es");
    let (status, body) = put_settings(&shop, ENGLISH, rules(None)).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["language"], "en");

    // A member speaking Russian (no welcome text in Russian) joins each group: the Spanish
    // group welcomes them in Spanish, the other in the bot's English.
    let ivan = staff_member(7_501, "Ivan", "ivan_ru", Some("ru"));
    for chat in [SPANISH, ENGLISH] {
        shop.sim
            .add_user(chat, ivan.clone(), MemberStatus::Member)
            .await
            .unwrap();
    }
    chat_until(&shop, SPANISH, "the Spanish welcome", |m| {
        has_text(m, "¡Bienvenido, Ivan!")
    })
    .await;
    let english = chat_until(&shop, ENGLISH, "the English welcome", |m| {
        has_text(m, "Welcome, Ivan!")
    })
    .await;
    assert!(!has_text(&english, "Bienvenido"), "{english:#?}");

    // The same blocked word in both groups: a Spanish warning and an English one.
    for chat in [SPANISH, ENGLISH] {
        shop.sim
            .send_text_in(shop.bot, &ivan, chat, "best casino in town")
            .await
            .unwrap();
    }
    let spanish = chat_until(&shop, SPANISH, "the Spanish warning", |m| {
        has_text(m, "aviso 1 de 3: una palabra que no se permite aquí")
    })
    .await;
    assert!(!has_text(&spanish, "warning 1 of"), "{spanish:#?}");
    let english = chat_until(&shop, ENGLISH, "the English warning", |m| {
        has_text(m, "warning 1 of 3: a word that is not allowed here")
    })
    .await;
    assert!(!has_text(&english, "aviso"), "{english:#?}");
    shop.stop().await;
}

async fn the_staff_chat_hears_staff_notices_in_its_language(database_url: String) {
    let shop = start(database_url).await;
    let staff_chat = groupcart::sandbox::DEMO_STAFF_CHAT;
    // The staff chat is a chat like any other: registered once the bot is seen there.
    shop.sim
        .add_bot(staff_chat, shop.bot, MemberStatus::Administrator)
        .await
        .unwrap();
    let deadline = std::time::Instant::now() + WAIT;
    while shop
        .app
        .store
        .chat("demo", staff_chat)
        .await
        .unwrap()
        .is_none()
    {
        assert!(
            std::time::Instant::now() < deadline,
            "the staff chat was never registered"
        );
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    let (status, body) = put_settings(
        &shop,
        staff_chat,
        json!({"role": "staff_group", "language": "zh-cn"}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["settings"]["language"], "zh-CN");

    // The bot is added to a chat without the rights it needs: staff hear it in Chinese.
    let side = -1_001_555_000_501;
    shop.sim
        .register_chat(&SimChat {
            id: side,
            kind: ChatType::Supergroup,
            title: "Side chat".into(),
            username: None,
            is_forum: false,
        })
        .await
        .unwrap();
    shop.sim
        .add_bot(side, shop.bot, MemberStatus::Member)
        .await
        .unwrap();
    let reports = chat_until(&shop, staff_chat, "the rights report", |m| {
        has_text(m, "机器人在「Side chat」中缺少权限：设为管理员")
    })
    .await;
    assert!(!has_text(&reports, "needs more rights"), "{reports:#?}");

    // A join raid on a Spanish group: staff are alerted in Chinese all the same.
    group_with_the_bot(&shop, SPANISH, "Grupo de té").await;
    let (status, body) = put_settings(
        &shop,
        SPANISH,
        json!({"language": "es", "raid": {"joins": 2, "seconds": 60, "minutes": 5}}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    for (id, name) in [(7_511, "Ana"), (7_512, "Beto")] {
        shop.sim
            .add_user(SPANISH, customer(id, name), MemberStatus::Member)
            .await
            .unwrap();
    }
    let alerts = chat_until(&shop, staff_chat, "the raid alert", |m| {
        has_text(m, "“Grupo de té”疑似遭遇批量加群")
    })
    .await;
    assert!(!has_text(&alerts, "Join raid"), "{alerts:#?}");
    shop.stop().await;
}

async fn the_api_checks_and_filters_language_and_market(database_url: String) {
    let shop = start(database_url).await;
    group_with_the_bot(&shop, SPANISH, "Grupo de té").await;
    group_with_the_bot(&shop, ENGLISH, "Tea group").await;

    // An unsupported language and a bad market: refused, both named, nothing saved.
    let (status, refused) = put_settings(
        &shop,
        SPANISH,
        json!({"language": "klingon", "market": "Spain!"}),
    )
    .await;
    assert_eq!(status, 422, "{refused}");
    let fields: Vec<&str> = refused["error"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap())
        .collect();
    assert!(fields.contains(&"language"), "{refused}");
    assert!(fields.contains(&"market"), "{refused}");
    let stored = shop.app.store.chat("demo", SPANISH).await.unwrap().unwrap();
    assert_eq!(stored.settings.language, None);
    // An unknown chat is not found.
    let (status, _) = put_settings(&shop, -1_002_000_999_999, json!({})).await;
    assert_eq!(status, 404);

    let (status, body) = put_settings(
        &shop,
        SPANISH,
        json!({"role": "topic_group", "language": "pt-br", "market": "es"}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["settings"]["language"], "pt-BR");
    assert_eq!(
        (&body["language"], &body["market"]),
        (&json!("pt-BR"), &json!("es"))
    );

    let ids = |chats: &Value| -> Vec<i64> {
        chats
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["chat_id"].as_i64().unwrap())
            .collect()
    };
    let (status, chats) = shop.api_get("/chats?market=es").await;
    assert_eq!(status, 200, "{chats}");
    assert_eq!(ids(&chats), vec![SPANISH]);
    // A chat without a market serves the bot's.
    let (_, chats) = shop.api_get("/chats?market=global").await;
    assert!(ids(&chats).contains(&ENGLISH) && !ids(&chats).contains(&SPANISH));
    let english = chats
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["chat_id"] == ENGLISH)
        .unwrap();
    assert_eq!(
        (&english["language"], &english["market"]),
        (&json!("en"), &json!("global"))
    );
    let (_, chats) = shop.api_get("/chats?role=topic_group").await;
    assert_eq!(ids(&chats), vec![SPANISH]);
    let (_, chats) = shop.api_get("/chats?market=id").await;
    assert!(ids(&chats).is_empty(), "{chats}");
    let (status, _) = shop.api_get("/chats?role=boss").await;
    assert!((400..500).contains(&status), "{status}");
    shop.stop().await;
}
