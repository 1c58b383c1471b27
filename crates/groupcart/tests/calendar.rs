//! The content calendar end to end through the simulator, on SQLite and PostgreSQL: posts
//! scheduled for a group go out at their time with their buttons, an edited post goes out as
//! edited, a cancelled one never; the mix of categories is reported; and a post scheduled
//! before a restart is sent once by the restarted process, and not again after another.

#[macro_use]
mod shop_harness;

use shop_harness::*;

use chrono::Utc;
use groupcart_simulator::types::SentMessage;
use serde_json::{json, Value};
use std::time::Duration;

const GROUP: i64 = -1_002_000_000_111;

async fn schedule(shop: &Shop, text: &str, category: &str, in_ms: i64) -> Value {
    let (status, post) = shop
        .api(
            "/posts",
            json!({"chat_id": GROUP, "text": text, "category": category,
                   "send_at": Utc::now() + chrono::Duration::milliseconds(in_ms),
                   "buttons": [[{"text": "Shop now", "url": "https://t.me/demo_bot?start=shop"}]]}),
        )
        .await;
    assert_eq!(status, 201, "{post}");
    post
}

fn with_text<'m>(messages: &'m [SentMessage], needle: &str) -> Vec<&'m SentMessage> {
    messages
        .iter()
        .filter(|m| text(m).contains(needle))
        .collect()
}

async fn posts_go_out_once_at_their_time(database_url: String) {
    let shop = start(database_url).await;
    group_with_the_bot(&shop, GROUP, "Tea lovers").await;
    // Only the bot's chats.
    let (status, refused) = shop
        .api(
            "/posts",
            json!({"chat_id": -100_999, "text": "hi", "category": "news",
                   "send_at": Utc::now() + chrono::Duration::hours(1)}),
        )
        .await;
    assert_eq!(status, 422, "{refused}");
    assert_eq!(refused["error"]["fields"][0]["field"], "chat_id");

    let news = schedule(&shop, "Spring tea has landed", "news", 2000).await;
    let promo = schedule(&shop, "Draft promo", "promotion", 60_000).await;
    let quiz = schedule(&shop, "Quiz time", "interaction", 2000).await;
    // The promotion is rewritten and brought forward; the quiz is called off.
    let (status, edited) = shop
        .api_send(
            reqwest::Method::PUT,
            &format!("/posts/{}", promo["id"]),
            json!({"text": "20% off all tea today", "category": "promotion",
                   "send_at": Utc::now() + chrono::Duration::milliseconds(2500)}),
        )
        .await;
    assert_eq!(status, 200, "{edited}");
    let (status, cancelled) = shop
        .api(&format!("/posts/{}/cancel", quiz["id"]), json!({}))
        .await;
    assert_eq!((status, &cancelled["status"]), (200, &json!("cancelled")));
    let early = shop.sim.messages(shop.bot, GROUP).await.unwrap();
    assert!(
        with_text(&early, "Spring tea").is_empty(),
        "not before its time"
    );

    let messages = shop
        .wait_for(GROUP, "both posts", |m| {
            !with_text(m, "Spring tea has landed").is_empty()
                && !with_text(m, "20% off all tea today").is_empty()
        })
        .await;
    let post = with_text(&messages, "Spring tea has landed")[0];
    assert!(
        post.date
            >= news["send_at"].as_str().map_or(0, |s| {
                chrono::DateTime::parse_from_rfc3339(s).unwrap().timestamp()
            }),
        "sent at or after its time"
    );
    let buttons = post.reply_markup.as_ref().unwrap()["inline_keyboard"][0][0].clone();
    assert_eq!(buttons["url"], "https://t.me/demo_bot?start=shop");
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let messages = shop.sim.messages(shop.bot, GROUP).await.unwrap();
    assert_eq!(with_text(&messages, "Spring tea has landed").len(), 1);
    assert!(with_text(&messages, "Quiz time").is_empty());
    assert!(with_text(&messages, "Draft promo").is_empty());

    // A sent post cannot be changed; the calendar shows what went out and the mix.
    let (status, _) = shop
        .api(&format!("/posts/{}/cancel", news["id"]), json!({}))
        .await;
    assert_eq!(status, 409);
    let (status, calendar) = shop.api_get(&format!("/posts?chat_id={GROUP}")).await;
    assert_eq!(status, 200, "{calendar}");
    let statuses: Vec<&str> = calendar["posts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, ["sent", "cancelled", "sent"]);
    assert_eq!(calendar["mix"]["news"]["share_bp"], 5000);
    assert_eq!(calendar["mix"]["promotion"]["share_bp"], 5000);
    assert_eq!(calendar["mix"]["interaction"]["count"], 0);
    shop.stop().await;
}

async fn a_restart_sends_nothing_twice(database_url: String) {
    let shop = start(database_url.clone()).await;
    group_with_the_bot(&shop, GROUP, "Tea lovers").await;
    let post = schedule(&shop, "Education: how to brew Longjing", "education", 2500).await;
    // The process stops before the post's time...
    shop.stop().await;

    // ...and the next one sends it, once.
    let shop = start(database_url.clone()).await;
    group_with_the_bot(&shop, GROUP, "Tea lovers").await;
    shop.wait_for(GROUP, "the post", |m| {
        !with_text(m, "how to brew Longjing").is_empty()
    })
    .await;
    let (_, stored) = shop.api_get(&format!("/posts/{}", post["id"])).await;
    assert_eq!(stored["status"], "sent", "{stored}");
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let messages = shop.sim.messages(shop.bot, GROUP).await.unwrap();
    assert_eq!(with_text(&messages, "how to brew Longjing").len(), 1);
    shop.stop().await;

    // Another restart after it went out sends nothing.
    let shop = start(database_url).await;
    group_with_the_bot(&shop, GROUP, "Tea lovers").await;
    tokio::time::sleep(Duration::from_millis(2500)).await;
    let messages = shop.sim.messages(shop.bot, GROUP).await.unwrap();
    assert!(
        with_text(&messages, "how to brew Longjing").is_empty(),
        "{messages:#?}"
    );
    shop.stop().await;
}

on_both_databases!(
    posts_go_out_once_at_their_time,
    a_restart_sends_nothing_twice
);
