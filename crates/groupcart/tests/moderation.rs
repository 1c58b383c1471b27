//! Group moderation end to end through the simulator, on SQLite and PostgreSQL: a seller
//! sets a group's rules with the admin API; a blocked Chinese word written with spaces
//! between its characters is deleted and its author warned; the third warning mutes; ten
//! identical messages in a few seconds mute at once; a customer with a paid order may post a
//! link the lock keeps from everyone else. Every action is in the chat's log.

#[macro_use]
mod shop_harness;

use shop_harness::*;

use groupcart::sandbox::DEMO_TOKEN;
use groupcart_core::moderation::Sanction;
use groupcart_simulator::types::{MemberStatus, SentMessage, SimUser};
use groupcart_telegram::methods::GetChatMember;
use groupcart_telegram::types::{ChatMemberStatus, ChatTarget};
use groupcart_telegram::Client;
use serde_json::json;

const GROUP: i64 = -1_002_000_000_099;

async fn rules(shop: &Shop) {
    let (status, body) = shop
        .api_send(
            reqwest::Method::PUT,
            &format!("/chats/demo/{GROUP}/settings"),
            json!({"moderation": {
                "blocked_words": ["敏感词", "casino"],
                "links": {"locked": true, "allowed_domains": ["example.com"]},
                "flood": {"identical": 5, "seconds": 10},
                "ladder": {"warnings_before_mute": 3, "mute_minutes": 60, "mutes_before_ban": 3},
                "exempt_customers": ["links"],
            }}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    // Bad rules are refused with the fields named.
    let (status, refused) = shop
        .api_send(
            reqwest::Method::PUT,
            &format!("/chats/demo/{GROUP}/settings"),
            json!({"moderation": {"flood": {"messages": 5}}}),
        )
        .await;
    assert_eq!(status, 422, "{refused}");
    assert_eq!(
        refused["error"]["fields"][0]["field"],
        "moderation.flood.seconds"
    );
}

async fn member(shop: &Shop, who: &SimUser) {
    shop.sim
        .add_user(GROUP, who.clone(), MemberStatus::Member)
        .await
        .unwrap();
}

/// `who` writes `text` in the group; returns the message id.
async fn say(shop: &Shop, who: &SimUser, text: &str) -> i64 {
    shop.sim
        .send_text_in(shop.bot, who, GROUP, text)
        .await
        .unwrap()
        .message_id
}

/// The group's messages once `done` holds for them (any author).
async fn group_until(
    shop: &Shop,
    what: &str,
    done: impl Fn(&[SentMessage]) -> bool,
) -> Vec<SentMessage> {
    let deadline = std::time::Instant::now() + WAIT;
    loop {
        let messages = shop.sim.transcript(shop.bot, GROUP).await.unwrap();
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

fn deleted(messages: &[SentMessage], id: i64) -> bool {
    messages.iter().any(|m| m.message_id == id && m.deleted)
}

async fn status_in_group(shop: &Shop, who: &SimUser) -> (ChatMemberStatus, Option<i64>) {
    let client = Client::new(&format!("http://{}", shop.app.addr), DEMO_TOKEN).unwrap();
    let member = client
        .call(&GetChatMember {
            chat_id: ChatTarget::Id(GROUP),
            user_id: who.id,
        })
        .await
        .unwrap();
    (member.status, member.until_date)
}

async fn words_warn_and_the_third_warning_mutes(database_url: String) {
    let shop = start(database_url).await;
    group_with_the_bot(&shop, GROUP, "Tea lovers").await;
    rules(&shop).await;
    let mei = customer(7801, "Mei");
    member(&shop, &mei).await;

    // Ordinary talk stays.
    let fine = say(&shop, &mei, "这款茶很好喝 https://shop.example.com/tea").await;
    // The blocked word, spread out with spaces, does not.
    let first = say(&shop, &mei, "这是 敏 感 词 吗").await;
    let messages = group_until(&shop, "the first warning", |m| {
        has_text(m, "warning 1 of 3") && deleted(m, first)
    })
    .await;
    assert!(!deleted(&messages, fine), "allowed messages stay");
    let second = say(&shop, &mei, "best CASINO in town").await;
    let third = say(&shop, &mei, "join us at https://spam.example.net/win").await;
    let messages = group_until(&shop, "the mute", |m| has_text(m, "is muted for 1 h")).await;
    assert!(has_text(&messages, "warning 2 of 3"));
    assert!(deleted(&messages, second) && deleted(&messages, third));
    let (status, until) = status_in_group(&shop, &mei).await;
    assert_eq!(status, ChatMemberStatus::Restricted);
    let until = until.unwrap();
    let expected = chrono::Utc::now().timestamp() + 3600;
    assert!((expected - 60..=expected + 5).contains(&until), "{until}");

    // The log has every step, newest first.
    let log = shop
        .app
        .store
        .moderation_log("demo", GROUP, Some(mei.id), 10)
        .await
        .unwrap();
    let steps: Vec<Sanction> = log.iter().map(|a| a.sanction).collect();
    assert_eq!(steps, [Sanction::Mute, Sanction::Warn, Sanction::Warn]);
    assert_eq!(log[2].excerpt.as_deref(), Some("敏 感 词"));
    assert_eq!(log[0].actor, "system");
    let (status, listed) = shop
        .api_get(&format!(
            "/chats/demo/{GROUP}/moderation-log?user_id={}",
            mei.id
        ))
        .await;
    assert_eq!(status, 200, "{listed}");
    assert_eq!(listed[0]["sanction"], "mute");
    assert_eq!(listed[0]["rule"], "links");
    assert_eq!(listed.as_array().unwrap().len(), 3);
    shop.stop().await;
}

async fn a_flood_mutes_at_once_and_buyers_may_post_links(database_url: String) {
    let shop = start(database_url).await;
    group_with_the_bot(&shop, GROUP, "Tea lovers").await;
    rules(&shop).await;
    let (bo, ana) = (customer(7802, "Bo"), customer(7803, "Ana"));
    member(&shop, &bo).await;
    member(&shop, &ana).await;

    // Ten identical messages in a few seconds: the sixth is one too many.
    let mut ids = Vec::new();
    for _ in 0..10 {
        ids.push(say(&shop, &bo, "BUY FOLLOWERS NOW").await);
    }
    let messages = group_until(&shop, "the flood mute", |m| has_text(m, "Bo is muted")).await;
    assert!(ids[..5].iter().all(|id| !deleted(&messages, *id)));
    assert!(deleted(&messages, ids[5]));
    assert_eq!(
        status_in_group(&shop, &bo).await.0,
        ChatMemberStatus::Restricted
    );

    // Ana has a paid order: her link stays. Before it, the same link was deleted.
    shop.sim.send_text(shop.bot, &ana, "/start").await.unwrap();
    shop.wait_for(ana.id, "the greeting", |m| !m.is_empty())
        .await;
    let early = say(&shop, &ana, "my parcel: https://track.carrier.example/123").await;
    group_until(&shop, "Ana's first warning", |m| deleted(m, early)).await;
    paid_order(&shop, &ana).await;
    let later = say(&shop, &ana, "my parcel: https://track.carrier.example/123").await;
    let marker = say(&shop, &ana, "casino").await;
    let messages = group_until(&shop, "the word after the link", |m| deleted(m, marker)).await;
    assert!(!deleted(&messages, later), "a buyer's link stays");
    shop.stop().await;
}

on_both_databases!(
    words_warn_and_the_third_warning_mutes,
    a_flood_mutes_at_once_and_buyers_may_post_links
);
