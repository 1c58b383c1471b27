//! Join verification end to end through the simulator, on SQLite and PostgreSQL: approval
//! by staff (a join request waits for Approve / Decline in the staff chat, decided once),
//! and the check in the group for people who join directly (restricted until they answer;
//! a wrong answer or the timeout removes them; the right answer lets them post and
//! welcomes them).

mod common;
#[macro_use]
mod shop_harness;

use common::buttons;
use shop_harness::*;

use groupcart_simulator::types::{MemberStatus, SentMessage, SimUser};
use serde_json::{json, Value};
use std::sync::Arc;
use std::time::{Duration, Instant};

const GROUP: i64 = -1_001_555_000_101;

async fn set_settings(shop: &Shop, settings: Value) -> (u16, Value) {
    shop.api_send(
        reqwest::Method::PUT,
        &format!("/chats/demo/{GROUP}/settings"),
        settings,
    )
    .await
}

async fn link(shop: &Shop, creates_join_request: bool) -> String {
    let (status, link) = shop
        .api(
            &format!("/chats/demo/{GROUP}/invite-links"),
            json!({"name": "Poster", "source": "poster", "creates_join_request": creates_join_request}),
        )
        .await;
    assert_eq!(status, 201, "{link}");
    link["link"].as_str().unwrap().to_owned()
}

async fn member_status(shop: &Shop, who: &SimUser) -> Value {
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
        .map(|c| c["members"][who.id.to_string()].clone())
        .unwrap_or(Value::Null)
}

async fn wait_member(shop: &Shop, who: &SimUser, status: &str) {
    let deadline = Instant::now() + WAIT;
    loop {
        let now = member_status(shop, who).await;
        if now == status {
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

/// The latest message in `chat` whose buttons carry data starting with `prefix`.
async fn message_with_button(shop: &Shop, chat: i64, prefix: &str, what: &str) -> SentMessage {
    let messages = shop
        .wait_for(chat, what, |m| {
            m.iter()
                .any(|m| !m.deleted && buttons(m).iter().any(|(_, d)| d.starts_with(prefix)))
        })
        .await;
    messages
        .iter()
        .rev()
        .find(|m| !m.deleted && buttons(m).iter().any(|(_, d)| d.starts_with(prefix)))
        .unwrap()
        .clone()
}

async fn press_in_group(shop: &Shop, who: &SimUser, message: &SentMessage, data: &str) {
    shop.sim
        .press_button(shop.bot, who, GROUP, message.message_id, data)
        .await
        .unwrap_or_else(|e| panic!("press {data}: {e}"));
}

/// The answer a press got (waits for it).
async fn answer_of(shop: &Shop, callback_id: &str) -> Option<String> {
    let deadline = Instant::now() + WAIT;
    loop {
        let record = shop.sim.callback(shop.bot, callback_id).await.unwrap();
        if let Some(answer) = record.answer {
            return answer.text;
        }
        assert!(Instant::now() < deadline, "the press was never answered");
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

async fn staff_approve_and_decline_join_requests(database_url: String) {
    let shop = start(database_url).await;
    group_with_the_bot(&shop, GROUP, "Silk Lovers").await;
    let (status, body) = set_settings(&shop, json!({"verification": {"mode": "staff"}})).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["settings"]["verification"]["mode"], "staff");
    let link = link(&shop, true).await;
    let staff_chat = groupcart::sandbox::DEMO_STAFF_CHAT;
    let kai = staff_member(9101, "Kai", "kai_ops", None);
    let lee = staff_member(9102, "Lee", "lee_ops", None);
    for staff in [&kai, &lee] {
        shop.sim
            .add_user(staff_chat, staff, MemberStatus::Member)
            .await
            .unwrap();
    }

    let ana = SimUser {
        username: Some("ana_b".into()),
        ..customer(7301, "Ana")
    };
    shop.sim.request_join(shop.bot, &ana, &link).await.unwrap();
    shop.wait_for(ana.id, "the review notice", |m| {
        has_text(m, "will be reviewed by our team")
    })
    .await;
    let review = message_with_button(&shop, staff_chat, "js:", "the staff review").await;
    assert!(
        text(&review).contains("Ana (@ana_b, id 7301) asks to join Silk Lovers"),
        "{}",
        text(&review)
    );
    let approve = format!("js:ok:{GROUP}:{}", ana.id);
    assert!(buttons(&review).iter().any(|(_, d)| *d == approve));
    // Not decided by the bot: Ana waits.
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_ne!(member_status(&shop, &ana).await, "member");

    // Two staff members press at once: Kai's approval counts, Lee's decline only gets a
    // short answer, and nothing is sent twice.
    let decline = format!("js:no:{GROUP}:{}", ana.id);
    let first = shop
        .sim
        .press_button(shop.bot, &kai, staff_chat, review.message_id, &approve)
        .await
        .unwrap();
    let second = shop
        .sim
        .press_button(shop.bot, &lee, staff_chat, review.message_id, &decline)
        .await
        .unwrap();
    wait_member(&shop, &ana, "member").await;
    shop.wait_for(staff_chat, "who decided", |m| {
        has_text(
            m,
            "Ana (@ana_b, id 7301) in Silk Lovers: approved by staff:@kai_ops",
        )
    })
    .await;
    assert_eq!(answer_of(&shop, &first.callback_query_id).await, None);
    assert_eq!(
        answer_of(&shop, &second.callback_query_id).await.as_deref(),
        Some("This was already decided.")
    );
    // The buttons are gone: it cannot be pressed again.
    assert!(shop
        .sim
        .press_button(shop.bot, &lee, staff_chat, review.message_id, &approve)
        .await
        .is_err());
    assert_eq!(member_status(&shop, &ana).await, "member");
    let welcomed = shop.sim.messages(shop.bot, ana.id).await.unwrap();
    assert_eq!(
        count(&welcomed, "Welcome to Silk Lovers"),
        1,
        "{welcomed:#?}"
    );
    let edits = shop.sim.messages(shop.bot, staff_chat).await.unwrap();
    assert_eq!(count(&edits, "approved by"), 1, "{edits:#?}");
    assert_eq!(count(&edits, "declined by"), 0, "{edits:#?}");

    // Declined: Bob is told and stays out.
    let bob = customer(7302, "Bob");
    shop.sim.request_join(shop.bot, &bob, &link).await.unwrap();
    let review = message_with_button(
        &shop,
        staff_chat,
        &format!("js:no:{GROUP}:{}", bob.id),
        "Bob's review",
    )
    .await;
    assert!(text(&review).contains("Bob (id 7302)"), "{}", text(&review));
    shop.sim
        .press_button(
            shop.bot,
            &lee,
            staff_chat,
            review.message_id,
            &format!("js:no:{GROUP}:{}", bob.id),
        )
        .await
        .unwrap();
    shop.wait_for(bob.id, "the refusal", |m| {
        has_text(m, "your request to join Silk Lovers was not approved")
    })
    .await;
    shop.wait_for(staff_chat, "who declined", |m| {
        has_text(
            m,
            "Bob (id 7302) in Silk Lovers: declined by staff:@lee_ops",
        )
    })
    .await;
    assert_ne!(member_status(&shop, &bob).await, "member");

    // Both decisions are in the audit log with who made them.
    let deadline = Instant::now() + WAIT;
    loop {
        let entries = shop.app.store.audit_entries(0, 1000).await.unwrap();
        let actions: Vec<(String, String)> = entries
            .iter()
            .filter(|e| e.entry.action.starts_with("join."))
            .map(|e| (e.entry.action.clone(), e.entry.actor.clone()))
            .collect();
        if actions.len() == 2 {
            assert!(actions.contains(&("join.approve".into(), "staff:@kai_ops".into())));
            assert!(actions.contains(&("join.decline".into(), "staff:@lee_ops".into())));
            break;
        }
        assert!(Instant::now() < deadline, "{actions:?}");
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    shop.stop().await;
}

async fn direct_joins_are_checked_in_the_group(database_url: String) {
    let clock = Arc::new(AheadClock::default());
    let shop = start_at(database_url, clock.clone()).await;
    group_with_the_bot(&shop, GROUP, "Silk Lovers").await;
    let (status, body) = set_settings(
        &shop,
        json!({
            "verification": {"mode": "question", "question": "What is our scarf made of?",
                "answers": ["Cotton", "Silk", "Paper"], "correct": 1},
            "welcome": {"texts": {"en": "Welcome to the group, {name}!"}},
            "verification_timeout_minutes": 5,
            "verify_direct_joins": true,
        }),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let link = link(&shop, false).await;
    let dana = customer(7402, "Dana");
    shop.sim
        .add_user(GROUP, &dana, MemberStatus::Member)
        .await
        .unwrap();

    // Carl joins directly: restricted, with the question in the group.
    let carl = customer(7401, "Carl");
    shop.sim.join(shop.bot, &carl, &link).await.unwrap();
    let check = message_with_button(&shop, GROUP, &format!("jg:{}:", carl.id), "the check").await;
    assert!(text(&check).contains("Carl"), "{}", text(&check));
    assert!(text(&check).contains("What is our scarf made of?"));
    wait_member(&shop, &carl, "restricted").await;
    assert!(shop
        .sim
        .send_text_in(shop.bot, &carl, GROUP, "buy cheap followers")
        .await
        .is_err());
    // Only Carl's presses count.
    let other = shop
        .sim
        .press_button(
            shop.bot,
            &dana,
            GROUP,
            check.message_id,
            &format!("jg:{}:1", carl.id),
        )
        .await
        .unwrap();
    assert_eq!(
        answer_of(&shop, &other.callback_query_id).await.as_deref(),
        Some("This check is for someone else.")
    );
    assert_eq!(member_status(&shop, &carl).await, "restricted");
    // A wrong answer removes him (he may come back) and the check goes.
    press_in_group(&shop, &carl, &check, &format!("jg:{}:0", carl.id)).await;
    wait_member(&shop, &carl, "left").await;
    shop.wait_for(GROUP, "the check deleted", |m| {
        m.iter()
            .any(|m| m.message_id == check.message_id && m.deleted)
    })
    .await;

    // Back again, the right answer: he can post, and is welcomed.
    shop.sim.join(shop.bot, &carl, &link).await.unwrap();
    let check =
        message_with_button(&shop, GROUP, &format!("jg:{}:", carl.id), "the new check").await;
    wait_member(&shop, &carl, "restricted").await;
    press_in_group(&shop, &carl, &check, &format!("jg:{}:1", carl.id)).await;
    wait_member(&shop, &carl, "member").await;
    shop.wait_for(GROUP, "the welcome", |m| {
        has_text(m, "Welcome to the group, Carl!")
    })
    .await;
    shop.wait_for(GROUP, "the check deleted", |m| {
        m.iter()
            .any(|m| m.message_id == check.message_id && m.deleted)
    })
    .await;
    shop.sim
        .send_text_in(shop.bot, &carl, GROUP, "hello everyone")
        .await
        .unwrap();
    let welcomes = shop.sim.messages(shop.bot, GROUP).await.unwrap();
    assert_eq!(count(&welcomes, "Welcome to the group, Carl!"), 1);

    // Erin never answers: removed when the time is up.
    let erin = customer(7403, "Erin");
    shop.sim.join(shop.bot, &erin, &link).await.unwrap();
    let check =
        message_with_button(&shop, GROUP, &format!("jg:{}:", erin.id), "Erin's check").await;
    wait_member(&shop, &erin, "restricted").await;
    clock.advance(chrono::Duration::minutes(6));
    wait_member(&shop, &erin, "left").await;
    shop.wait_for(GROUP, "Erin's check deleted", |m| {
        m.iter()
            .any(|m| m.message_id == check.message_id && m.deleted)
    })
    .await;
    let messages = shop.sim.messages(shop.bot, GROUP).await.unwrap();
    assert_eq!(
        count(&messages, "Welcome to the group, Erin!"),
        0,
        "no welcome: {messages:#?}"
    );
    shop.stop().await;
}

on_both_databases!(
    staff_approve_and_decline_join_requests,
    direct_joins_are_checked_in_the_group,
);
