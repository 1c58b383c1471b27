//! Join the group, get a coupon, end to end through the simulator on SQLite and PostgreSQL:
//! the bot is added to a group and registers it; staff set a question check and a join
//! coupon and make an invite link for a KOL; a person asking to join through it answers in
//! the private chat, is approved, gets the coupon once (rejoining gives none), and the link
//! counts the join; a wrong answer is declined; an unanswered request is declined when its
//! time is up.

mod common;
#[macro_use]
mod shop_harness;

use common::buttons;
use shop_harness::*;

use groupcart_core::community_chat::{join_timed_out, JoinTimeout};
use groupcart_simulator::types::{MemberStatus, SentMessage, SimUser};
use serde_json::{json, Value};
use std::time::{Duration, Instant};

const GROUP: i64 = -1_001_555_000_001;

/// Staff set the question check and the join coupon, and make a link for a KOL.
async fn set_up_joins(shop: &Shop) -> String {
    let (status, created) = shop
        .api(
            "/promotions",
            json!({
                "name": "Welcome", "trigger": "automatic",
                "benefit": {"type": "percent", "basis_points": 1000}, "status": "active"
            }),
        )
        .await;
    assert_eq!(status, 201, "{created}");
    let settings = json!({
        "role": "topic_group",
        "verification": {"mode": "question", "question": "What is our scarf made of?",
            "answers": ["Cotton", "Silk", "Paper"], "correct": 1},
        "join_promotion": created["id"],
    });
    let response = shop
        .http
        .put(format!(
            "http://{}/api/chats/demo/{GROUP}/settings",
            shop.app.addr
        ))
        .bearer_auth(API_TOKEN)
        .json(&settings)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    let (status, link) = shop
        .api(
            &format!("/chats/demo/{GROUP}/invite-links"),
            json!({"name": "KOL Anna", "source": "kol-anna"}),
        )
        .await;
    assert_eq!(status, 201, "{link}");
    assert_eq!(link["creates_join_request"], true);
    link["link"].as_str().unwrap().to_owned()
}

async fn the_check(shop: &Shop, who: &SimUser, before: usize) -> SentMessage {
    let messages = shop
        .wait_for(who.id, "the join check", |m| {
            m.len() > before && m.last().is_some_and(|m| !buttons(m).is_empty())
        })
        .await;
    messages.last().unwrap().clone()
}

async fn members(shop: &Shop) -> Value {
    let chats: Value = shop
        .http
        .get(format!("http://{}/sim/chats", shop.app.addr))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    chats
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == GROUP)
        .map(|c| c["members"].clone())
        .unwrap_or(Value::Null)
}

async fn wait_member(shop: &Shop, who: &SimUser, status: &str) {
    let deadline = Instant::now() + WAIT;
    loop {
        let now = members(shop).await;
        if now[who.id.to_string()] == status {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "{} never became {status}: {now}",
            who.first_name
        );
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

async fn join_request_question_approve_coupon_once(database_url: String) {
    let shop = start(database_url).await;
    group_with_the_bot(&shop, GROUP, "Silk Lovers").await;
    let link = set_up_joins(&shop).await;

    let lin = SimUser {
        language_code: Some("zh-hans".into()),
        ..customer(7201, "Lin")
    };
    shop.sim.request_join(shop.bot, &lin, &link).await.unwrap();
    let check = the_check(&shop, &lin, 0).await;
    assert!(text(&check).contains("Silk Lovers"), "{}", text(&check));
    assert!(text(&check).contains("What is our scarf made of?"));
    shop.press(&lin, &check, &format!("j:{GROUP}:1")).await;
    wait_member(&shop, &lin, "member").await;
    let messages = shop
        .wait_for(lin.id, "the welcome coupon", |m| has_text(m, "JOIN-"))
        .await;
    assert!(has_text(&messages, "欢迎加入 Silk Lovers"), "{messages:#?}");
    let coupon = text(messages.iter().find(|m| text(m).contains("JOIN-")).unwrap());
    assert!(coupon.contains("立减 10%"), "{coupon}");

    // Attributed to the KOL's link: the customer's first source, and the link's counts.
    let customer = shop
        .app
        .store
        .customer_by_telegram_id(lin.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(customer.first_source.as_deref(), Some("kol-anna"));
    let deadline = Instant::now() + WAIT;
    loop {
        let links = shop.app.store.invite_links("demo", GROUP).await.unwrap();
        if links[0].joins == 1 {
            assert_eq!(links[0].requests, 1);
            break;
        }
        assert!(Instant::now() < deadline, "the join was never counted");
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    // The code is on the cart already.
    shop.sim.send_text(shop.bot, &lin, "/coupon").await.unwrap();
    shop.wait_for(lin.id, "the cart's code", |m| {
        has_text(m, "您的购物车已使用优惠码 JOIN-")
    })
    .await;

    // Leaving and asking again: let in again, but no second coupon.
    shop.sim
        .add_user(GROUP, &lin, MemberStatus::Left)
        .await
        .unwrap();
    wait_member(&shop, &lin, "left").await;
    let before = shop.sim.messages(shop.bot, lin.id).await.unwrap().len();
    shop.sim.request_join(shop.bot, &lin, &link).await.unwrap();
    let check = the_check(&shop, &lin, before).await;
    shop.press(&lin, &check, &format!("j:{GROUP}:1")).await;
    wait_member(&shop, &lin, "member").await;
    shop.wait_for(lin.id, "the second welcome", |m| {
        m.iter().filter(|m| text(m).contains("欢迎加入")).count() == 2
    })
    .await;
    let codes = shop.app.store.customer_codes(customer.id).await.unwrap();
    assert_eq!(codes.len(), 1, "one join coupon per person: {codes:?}");
    shop.stop().await;
}

async fn wrong_answers_and_silence_are_declined(database_url: String) {
    let shop = start(database_url).await;
    group_with_the_bot(&shop, GROUP, "Silk Lovers").await;
    let link = set_up_joins(&shop).await;

    let bob = customer(7202, "Bob");
    shop.sim.request_join(shop.bot, &bob, &link).await.unwrap();
    let check = the_check(&shop, &bob, 0).await;
    shop.press(&bob, &check, &format!("j:{GROUP}:0")).await;
    shop.wait_for(bob.id, "the refusal", |m| {
        has_text(m, "that was not the right answer")
    })
    .await;
    // The check lost its buttons, so it cannot be answered again; Bob stays out.
    let messages = shop.sim.messages(shop.bot, bob.id).await.unwrap();
    let answered = messages
        .iter()
        .find(|m| m.message_id == check.message_id)
        .unwrap();
    assert!(buttons(answered).is_empty(), "{answered:#?}");
    assert_ne!(members(&shop).await[bob.id.to_string()], "member");

    // Nobody answers: when the time is up the request is declined and the person told.
    let eve = customer(7203, "Eve");
    shop.sim.request_join(shop.bot, &eve, &link).await.unwrap();
    let check = the_check(&shop, &eve, 0).await;
    let timeout = JoinTimeout {
        bot: "demo".into(),
        chat_id: GROUP,
        chat_title: "Silk Lovers".into(),
        user_id: eve.id,
        user_chat_id: eve.id,
        language: "en".into(),
    };
    let mut tx = shop.app.store.begin().await.unwrap();
    let texts = groupcart_core::i18n::Texts::builtin();
    join_timed_out(tx.as_mut(), &texts, &timeout, chrono::Utc::now())
        .await
        .unwrap();
    tx.commit().await.unwrap();
    shop.wait_for(eve.id, "the time-out message", |m| {
        has_text(m, "Time is up for joining Silk Lovers")
    })
    .await;
    // A late press finds the request closed.
    shop.press(&eve, &check, &format!("j:{GROUP}:1")).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_ne!(members(&shop).await[eve.id.to_string()], "member");
    shop.stop().await;
}

/// The bot added without the rights it needs: the staff chat hears which, in plain words.
async fn staff_hear_what_rights_the_bot_lacks(database_url: String) {
    let shop = start(database_url).await;
    let side = -1_001_555_000_009;
    shop.sim
        .register_chat(&groupcart_simulator::types::SimChat {
            id: side,
            kind: groupcart_simulator::types::ChatType::Supergroup,
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
    let staff_chat = groupcart::sandbox::DEMO_STAFF_CHAT;
    shop.wait_for(staff_chat, "the rights report", |m| {
        has_text(
            m,
            "The bot needs more rights in “Side chat”: make it an administrator",
        )
    })
    .await;
    // Made an administrator with every right it needs: nothing more to report.
    shop.sim
        .add_bot(side, shop.bot, MemberStatus::Administrator)
        .await
        .unwrap();
    let deadline = Instant::now() + WAIT;
    while shop
        .app
        .store
        .chat("demo", side)
        .await
        .unwrap()
        .is_none_or(|c| c.seen.bot_status != "administrator")
    {
        assert!(Instant::now() < deadline, "the promotion was never seen");
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    let reports = shop.sim.messages(shop.bot, staff_chat).await.unwrap();
    let count = reports
        .iter()
        .filter(|m| text(m).contains("needs more rights"))
        .count();
    assert_eq!(count, 1, "{reports:#?}");
    shop.stop().await;
}

on_both_databases!(
    join_request_question_approve_coupon_once,
    wrong_answers_and_silence_are_declined,
    staff_hear_what_rights_the_bot_lacks,
);

/// Links as QR codes for posters: SVG and PNG, and clear errors for bad requests.
#[tokio::test]
async fn links_as_qr_codes() {
    let shop = start(sqlite_url()).await;
    let get = |query: &str| {
        shop.http
            .get(format!("http://{}/api/qr?{query}", shop.app.addr))
            .bearer_auth(API_TOKEN)
            .send()
    };
    let svg = get("text=https%3A%2F%2Ft.me%2Fsim_1000000001_bot%3Fstart%3Dc-WELCOME10")
        .await
        .unwrap();
    assert_eq!(svg.status().as_u16(), 200);
    assert_eq!(svg.headers()["content-type"], "image/svg+xml");
    assert!(svg.text().await.unwrap().contains("<svg"));
    let png = get("text=https%3A%2F%2Ft.me%2F%2Babc&format=png&scale=4")
        .await
        .unwrap();
    assert_eq!(png.status().as_u16(), 200);
    assert_eq!(png.headers()["content-type"], "image/png");
    let bytes = png.bytes().await.unwrap();
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n");
    for bad in ["text=", "text=x&scale=99", "text=x&format=gif"] {
        let response = get(bad).await.unwrap();
        assert_eq!(response.status().as_u16(), 422, "{bad}");
    }
    shop.stop().await;
}
