//! A giveaway end to end through the simulator, on SQLite and PostgreSQL: announced in a
//! group with its seed's commitment, joined with a button (one entry per person, numbered),
//! ended by the host, the result posted with the seed, the winners recomputed from the
//! published seed exactly as the announcement says, and each winner given a prize code.

#[macro_use]
mod shop_harness;

use shop_harness::*;

use groupcart_simulator::types::{ChatType, MemberStatus, SimChat, SimUser};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use std::time::{Duration, Instant};

const GROUP: i64 = -1_001_555_000_002;
const CHANNEL: i64 = -1_001_555_000_003;

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

async fn answer_of(shop: &Shop, callback_id: &str) -> String {
    let deadline = Instant::now() + WAIT;
    loop {
        let record = shop.sim.callback(shop.bot, callback_id).await.unwrap();
        if let Some(answer) = record.answer {
            return answer.text.unwrap_or_default();
        }
        assert!(Instant::now() < deadline, "the button was never answered");
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

async fn a_live_draw_anyone_can_check(database_url: String) {
    let shop = start(database_url).await;
    group_with_the_bot(&shop, GROUP, "Live room").await;
    let (status, prize) = shop
        .api(
            "/promotions",
            json!({"name": "Giveaway prize", "trigger": "automatic",
                "benefit": {"type": "fixed", "amounts": {"USD": 3900}}, "status": "active"}),
        )
        .await;
    assert_eq!(status, 201, "{prize}");
    let ends_at = chrono::Utc::now() + chrono::Duration::hours(1);
    let (status, created) = shop
        .api(
            "/giveaways",
            json!({"bot": "demo", "chat_id": GROUP, "prize": "a silk scarf", "winners": 2,
                "ends_at": ends_at, "promotion_id": prize["id"]}),
        )
        .await;
    assert_eq!(status, 201, "{created}");
    assert!(
        created.get("seed").is_none(),
        "the seed stays secret: {created}"
    );
    let id = created["id"].as_i64().unwrap();
    let commitment = created["commitment"].as_str().unwrap().to_owned();
    let announcement = shop
        .wait_for(GROUP, "the announcement", |m| has_text(m, "a silk scarf"))
        .await
        .into_iter()
        .find(|m| text(m).contains("a silk scarf"))
        .unwrap();
    assert!(text(&announcement).contains(&commitment));

    // Five people join (and have talked to the bot, so it can tell the winners).
    let people: Vec<SimUser> = (0..5)
        .map(|i| customer(7300 + i, &format!("Fan{i}")))
        .collect();
    for (i, person) in people.iter().enumerate() {
        shop.sim
            .send_text(shop.bot, person, "/start")
            .await
            .unwrap();
        shop.sim
            .add_user(GROUP, person, MemberStatus::Member)
            .await
            .unwrap();
        let pressed = shop
            .sim
            .press_button(
                shop.bot,
                person,
                GROUP,
                announcement.message_id,
                &format!("g:{id}"),
            )
            .await
            .unwrap();
        let answer = answer_of(&shop, &pressed.callback_query_id).await;
        assert!(answer.contains(&format!("#{}", i + 1)), "{answer}");
    }
    // Pressing again keeps the same number.
    let again = shop
        .sim
        .press_button(
            shop.bot,
            &people[0],
            GROUP,
            announcement.message_id,
            &format!("g:{id}"),
        )
        .await
        .unwrap();
    assert!(answer_of(&shop, &again.callback_query_id)
        .await
        .contains("already in, with number #1"));

    let (status, ended) = shop.api(&format!("/giveaways/{id}/end"), json!({})).await;
    assert_eq!(status, 200, "{ended}");
    let result = shop
        .wait_for(GROUP, "the result", |m| has_text(m, "Giveaway results"))
        .await
        .into_iter()
        .find(|m| text(m).contains("Giveaway results"))
        .unwrap();

    // Anyone can check: the public page has the seed; recompute the winners from it.
    let public: Value = shop
        .http
        .get(format!("http://{}/giveaways/{id}", shop.app.addr))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let seed = public["seed"]
        .as_str()
        .expect("the seed once drawn")
        .to_owned();
    assert!(text(&result).contains(&seed));
    assert_eq!(
        hex(&Sha256::digest(seed.as_bytes())),
        commitment,
        "the seed matches"
    );
    let entries = public["entries"].as_i64().unwrap();
    assert_eq!(entries, 5);
    let recomputed: Vec<i64> = draw_order(&seed, entries).into_iter().take(2).collect();
    let published: Vec<i64> = public["winning_entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n.as_i64().unwrap())
        .collect();
    assert_eq!(published, recomputed);

    // Each winner gets a prize code in a private message; the others get nothing.
    for (i, person) in people.iter().enumerate() {
        let number = i as i64 + 1;
        if published.contains(&number) {
            shop.wait_for(person.id, "the prize", |m| {
                has_text(m, "Your prize code is GIFT-")
            })
            .await;
            assert!(
                text(&result).contains(&format!("#{number} Fan{i}")),
                "{}",
                text(&result)
            );
        }
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    for (i, person) in people.iter().enumerate() {
        if !published.contains(&(i as i64 + 1)) {
            let messages = shop.sim.messages(shop.bot, person.id).await.unwrap();
            assert!(!has_text(&messages, "You won"), "{messages:#?}");
        }
    }
    // Ending again is refused.
    let (status, _) = shop.api(&format!("/giveaways/{id}/end"), json!({})).await;
    assert_eq!(status, 409);
    shop.stop().await;
}

/// The order of entries `1..=entries` in the draw of `seed`, as anyone can compute it.
fn draw_order(seed: &str, entries: i64) -> Vec<i64> {
    let mut tickets: Vec<(String, i64)> = (1..=entries)
        .map(|n| (hex(&Sha256::digest(format!("{seed}:{n}").as_bytes())), n))
        .collect();
    tickets.sort();
    tickets.into_iter().map(|(_, n)| n).collect()
}

async fn winners_must_be_in_the_brand_channel(database_url: String) {
    let shop = start(database_url).await;
    group_with_the_bot(&shop, GROUP, "Live room").await;
    shop.sim
        .register_chat(&SimChat {
            id: CHANNEL,
            kind: ChatType::Channel,
            title: "Brand news".into(),
            username: Some("brand_news".into()),
            is_forum: false,
        })
        .await
        .unwrap();
    shop.sim
        .add_bot(CHANNEL, shop.bot, MemberStatus::Administrator)
        .await
        .unwrap();
    let deadline = Instant::now() + WAIT;
    while shop
        .app
        .store
        .chat("demo", CHANNEL)
        .await
        .unwrap()
        .is_none()
    {
        assert!(
            Instant::now() < deadline,
            "the channel was never registered"
        );
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    let ends_at = chrono::Utc::now() + chrono::Duration::hours(1);
    let giveaway = |required: i64| {
        json!({"bot": "demo", "chat_id": GROUP, "prize": "a tea set", "winners": 2,
            "ends_at": ends_at, "required_chats": [required]})
    };
    // Membership can only be asked where the bot is an administrator.
    let (status, refused) = shop.api("/giveaways", giveaway(-1_009_999)).await;
    assert_eq!(status, 422, "{refused}");
    assert_eq!(refused["error"]["fields"][0]["field"], "required_chats");
    let (status, created) = shop.api("/giveaways", giveaway(CHANNEL)).await;
    assert_eq!(status, 201, "{created}");
    let id = created["id"].as_i64().unwrap();
    let announcement = shop
        .wait_for(GROUP, "the announcement", |m| has_text(m, "a tea set"))
        .await
        .into_iter()
        .find(|m| text(m).contains("a tea set"))
        .unwrap();
    assert!(
        text(&announcement).contains("be a member of @brand_news"),
        "{}",
        text(&announcement)
    );

    // Four people join; only the third follows the channel.
    let people: Vec<SimUser> = (0..4)
        .map(|i| customer(7400 + i, &format!("Fan{i}")))
        .collect();
    for person in &people {
        shop.sim
            .send_text(shop.bot, person, "/start")
            .await
            .unwrap();
        shop.sim
            .add_user(GROUP, person, MemberStatus::Member)
            .await
            .unwrap();
        let pressed = shop
            .sim
            .press_button(
                shop.bot,
                person,
                GROUP,
                announcement.message_id,
                &format!("g:{id}"),
            )
            .await
            .unwrap();
        answer_of(&shop, &pressed.callback_query_id).await;
    }
    shop.sim
        .add_user(CHANNEL, &people[2], MemberStatus::Member)
        .await
        .unwrap();

    let (status, ended) = shop.api(&format!("/giveaways/{id}/end"), json!({})).await;
    assert_eq!(status, 200, "{ended}");
    let result = shop
        .wait_for(GROUP, "the result", |m| has_text(m, "Giveaway results"))
        .await
        .into_iter()
        .find(|m| text(m).contains("Giveaway results"))
        .unwrap();
    assert!(text(&result).contains("#3 Fan2"), "{}", text(&result));
    assert!(text(&result).contains("Passed over"), "{}", text(&result));

    // Anyone can check: in draw order, the entries of people outside the channel are passed
    // over and the first in it wins (only one is, so there is one winner of two).
    let public: Value = shop
        .http
        .get(format!("http://{}/giveaways/{id}", shop.app.addr))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let seed = public["seed"].as_str().unwrap();
    let numbers = |key: &str| -> Vec<i64> {
        public[key]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n.as_i64().unwrap())
            .collect()
    };
    let order = draw_order(seed, 4);
    let expected_skipped: Vec<i64> = order.iter().copied().filter(|n| *n != 3).collect();
    assert_eq!(numbers("winning_entries"), [3]);
    assert_eq!(numbers("skipped_entries"), expected_skipped);
    shop.wait_for(people[2].id, "the winner's message", |m| {
        has_text(m, "You won")
    })
    .await;
    shop.stop().await;
}

on_both_databases!(
    a_live_draw_anyone_can_check,
    winners_must_be_in_the_brand_channel
);
