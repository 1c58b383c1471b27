//! The content calendar end to end through the simulator, on SQLite and PostgreSQL: posts
//! scheduled for a group go out at their time with their buttons, an edited post goes out as
//! edited, a cancelled one never; the mix of categories is reported; and a post scheduled
//! before a restart is sent once by the restarted process, and not again after another. An
//! interaction post may be a poll: it goes out as a real poll, and the votes Telegram reports
//! show as the post's results.

#[macro_use]
mod shop_harness;

use shop_harness::*;

use chrono::Utc;
use groupcart_simulator::types::{MemberSpec, MemberStatus, SentMessage};
use serde_json::{json, Value};
use std::time::Duration;
use std::time::Instant;

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

async fn schedule_poll(shop: &Shop, question: &str, in_ms: i64) -> Value {
    let (status, post) = shop
        .api(
            "/posts",
            json!({"chat_id": GROUP, "category": "interaction",
                   "send_at": Utc::now() + chrono::Duration::milliseconds(in_ms),
                   "poll": {"question": question,
                            "options": ["Longjing", "Pu-erh", "Oolong"],
                            "allows_multiple_answers": true}}),
        )
        .await;
    assert_eq!(status, 201, "{post}");
    post
}

/// The bot's polls in the group with this question.
fn polls<'m>(messages: &'m [SentMessage], question: &str) -> Vec<&'m SentMessage> {
    messages
        .iter()
        .filter(|m| m.poll.as_ref().is_some_and(|p| p["question"] == question))
        .collect()
}

/// Reads post `id` until `done` holds for it.
async fn wait_for_post(
    shop: &Shop,
    id: &Value,
    what: &str,
    done: impl Fn(&Value) -> bool,
) -> Value {
    let deadline = Instant::now() + WAIT;
    loop {
        let (status, post) = shop.api_get(&format!("/posts/{id}")).await;
        assert_eq!(status, 200, "{post}");
        if done(&post) {
            return post;
        }
        assert!(
            Instant::now() < deadline,
            "timed out waiting for {what}: {post:#}"
        );
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
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

async fn a_poll_goes_out_and_collects_votes(database_url: String) {
    let shop = start(database_url).await;
    group_with_the_bot(&shop, GROUP, "Tea lovers").await;
    // Checked like any content, all problems at once.
    let (status, refused) = shop
        .api(
            "/posts",
            json!({"chat_id": GROUP, "category": "news",
                   "send_at": Utc::now() + chrono::Duration::hours(1),
                   "poll": {"question": "Which tea?", "options": ["Only one"]}}),
        )
        .await;
    assert_eq!(status, 422, "{refused}");
    let fields: Vec<&str> = refused["error"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["poll.options", "category"]);

    let post = schedule_poll(&shop, "Which tea should we stock next?", 1500).await;
    assert_eq!(post["poll"]["is_anonymous"], true, "{post}");
    assert_eq!(post["poll_results"], Value::Null);
    let messages = shop
        .wait_for(GROUP, "the poll", |m| {
            !polls(m, "Which tea should we stock next?").is_empty()
        })
        .await;
    let sent = polls(&messages, "Which tea should we stock next?")[0].clone();
    let poll = sent.poll.clone().unwrap();
    assert_eq!(poll["type"], "regular");
    assert_eq!(poll["allows_multiple_answers"], true);
    assert_eq!(poll["is_anonymous"], true);
    let options: Vec<&str> = poll["options"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["text"].as_str().unwrap())
        .collect();
    assert_eq!(options, ["Longjing", "Pu-erh", "Oolong"]);
    // The post knows the poll Telegram made of it (recorded when the send was confirmed).
    let stored = wait_for_post(&shop, &post["id"], "the poll id", |p| {
        p["poll_id"] == poll["id"]
    })
    .await;
    assert_eq!(stored["status"], "sent");

    // Two members vote; Telegram (the simulator) tells the bot the poll's new state.
    let (ann, bo) = (customer(7101, "Ann"), customer(7102, "Bo"));
    for who in [&ann, &bo] {
        shop.sim
            .set_member(
                GROUP,
                &MemberSpec {
                    bot_id: None,
                    user: Some(who.into()),
                    status: MemberStatus::Member,
                    by: None,
                },
            )
            .await
            .unwrap();
    }
    let voted = shop
        .sim
        .vote(shop.bot, &ann, GROUP, sent.message_id, &[0])
        .await
        .unwrap();
    assert!(voted.update_id.is_some(), "the bot asked for poll updates");
    shop.sim
        .vote(shop.bot, &bo, GROUP, sent.message_id, &[0, 1])
        .await
        .unwrap();
    let counted = wait_for_post(&shop, &post["id"], "both votes", |p| {
        p["poll_results"]["total_voter_count"] == 2
    })
    .await;
    let results = &counted["poll_results"];
    let counts: Vec<(&str, i64)> = results["options"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| {
            (
                o["text"].as_str().unwrap(),
                o["voter_count"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(counts, [("Longjing", 2), ("Pu-erh", 1), ("Oolong", 0)]);
    assert_eq!(results["is_closed"], false);

    // The calendar lists it with its results, as an interaction post.
    let (_, calendar) = shop.api_get(&format!("/posts?chat_id={GROUP}")).await;
    assert_eq!(calendar["posts"][0]["poll_results"], *results, "{calendar}");
    assert_eq!(calendar["mix"]["interaction"]["count"], 1);
    // Sent once.
    let messages = shop.sim.messages(shop.bot, GROUP).await.unwrap();
    assert_eq!(polls(&messages, "Which tea should we stock next?").len(), 1);
    shop.stop().await;
}

async fn a_restart_sends_nothing_twice(database_url: String) {
    let shop = start(database_url.clone()).await;
    group_with_the_bot(&shop, GROUP, "Tea lovers").await;
    let post = schedule(&shop, "Education: how to brew Longjing", "education", 2500).await;
    schedule_poll(&shop, "Green or black?", 2500).await;
    // The process stops before the post's time...
    shop.stop().await;

    // ...and the next one sends it, once.
    let shop = start(database_url.clone()).await;
    group_with_the_bot(&shop, GROUP, "Tea lovers").await;
    shop.wait_for(GROUP, "the post and the poll", |m| {
        !with_text(m, "how to brew Longjing").is_empty() && !polls(m, "Green or black?").is_empty()
    })
    .await;
    let (_, stored) = shop.api_get(&format!("/posts/{}", post["id"])).await;
    assert_eq!(stored["status"], "sent", "{stored}");
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let messages = shop.sim.messages(shop.bot, GROUP).await.unwrap();
    assert_eq!(with_text(&messages, "how to brew Longjing").len(), 1);
    assert_eq!(polls(&messages, "Green or black?").len(), 1);
    shop.stop().await;

    // Another restart after it went out sends nothing.
    let shop = start(database_url).await;
    group_with_the_bot(&shop, GROUP, "Tea lovers").await;
    tokio::time::sleep(Duration::from_millis(2500)).await;
    let messages = shop.sim.messages(shop.bot, GROUP).await.unwrap();
    assert!(
        with_text(&messages, "how to brew Longjing").is_empty()
            && polls(&messages, "Green or black?").is_empty(),
        "{messages:#?}"
    );
    shop.stop().await;
}

on_both_databases!(
    posts_go_out_once_at_their_time,
    a_poll_goes_out_and_collects_votes,
    a_restart_sends_nothing_twice
);
