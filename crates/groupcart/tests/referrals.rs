//! Referral rewards end to end through the simulator, on SQLite and PostgreSQL: a customer's
//! `/invite` link brings a friend, who gets a welcome code; the referrer is credited (a code
//! in a message) only once the friend pays a first order, and never again for later orders;
//! using one's own link or a link as an existing customer is refused; many referees without
//! a username within minutes are held for staff, who see and approve them through the API.

mod common;
#[macro_use]
mod shop_harness;

use common::buttons;
use shop_harness::*;

use groupcart_simulator::types::{SentMessage, SimUser};
use serde_json::{json, Value};
use std::time::{Duration, Instant};

on_both_databases!(
    credited_after_the_first_paid_order_and_refused_for_oneself,
    bulk_referees_are_held_for_review,
);

/// Creates a promotion handed out only through its single-use codes; returns its id.
async fn reward_promotion(shop: &Shop, name: &str) -> i64 {
    let (status, created) = shop
        .api(
            "/promotions",
            json!({
                "name": name, "trigger": "automatic",
                "benefit": {"type": "percent", "basis_points": 1000},
                "status": "active", "listed": false
            }),
        )
        .await;
    assert_eq!(status, 201, "{created}");
    created["id"].as_i64().expect("an id")
}

async fn put_settings(shop: &Shop, body: Value) {
    let response = shop
        .http
        .put(format!("http://{}/api/referral-settings", shop.app.addr))
        .bearer_auth(API_TOKEN)
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let saved: Value = response.json().await.unwrap();
    assert_eq!(status, 200, "{saved}");
}

/// `/invite` for `who`: the message and the code in its link.
async fn invite(shop: &Shop, who: &SimUser) -> (SentMessage, String) {
    let before = shop.sim.messages(shop.bot, who.id).await.unwrap().len();
    shop.sim.send_text(shop.bot, who, "/invite").await.unwrap();
    let messages = shop
        .wait_for(who.id, "the invite link", |m| {
            m.len() > before && has_text(&m[before..], "start=r-")
        })
        .await;
    let message = messages.last().unwrap().clone();
    let body = text(&message);
    let code: String = body
        .split("start=r-")
        .nth(1)
        .unwrap()
        .chars()
        .take(10)
        .collect();
    (message, code)
}

/// The referrals the API lists, optionally of one status.
async fn referrals(shop: &Shop, status: &str) -> Vec<Value> {
    let path = if status.is_empty() {
        "/referrals".to_owned()
    } else {
        format!("/referrals?status={status}")
    };
    let (code, page) = shop.api_get(&path).await;
    assert_eq!(code, 200, "{page}");
    page["referrals"].as_array().unwrap().clone()
}

/// Waits until the API lists `count` referrals.
async fn wait_for_referrals(shop: &Shop, count: usize) -> Vec<Value> {
    let deadline = Instant::now() + WAIT;
    loop {
        let all = referrals(shop, "").await;
        if all.len() >= count {
            return all;
        }
        assert!(Instant::now() < deadline, "timed out: {all:#?}");
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

async fn credited_after_the_first_paid_order_and_refused_for_oneself(database_url: String) {
    let shop = start(database_url).await;
    let for_referrer = reward_promotion(&shop, "Thanks for your friend").await;
    let for_referee = reward_promotion(&shop, "Welcome, friend").await;
    put_settings(
        &shop,
        json!({"referrer_promotion": for_referrer, "referee_promotion": for_referee}),
    )
    .await;

    let ana = customer(7301, "Ana");
    let (message, code) = invite(&shop, &ana).await;
    let body = text(&message);
    assert!(
        body.contains("https://t.me/") && body.contains(&format!("?start=r-{code}")),
        "{body}"
    );
    assert!(body.contains("Starts: 0"), "{body}");
    let share = buttons(&message);
    assert_eq!(share.len(), 1, "{share:?}");
    let markup = message.reply_markup.clone().unwrap_or_default().to_string();
    assert!(markup.contains("https://t.me/share/url?url="), "{markup}");
    // The code is stable.
    let (_, again) = invite(&shop, &ana).await;
    assert_eq!(again, code);

    // Ben is new and comes through Ana's link: welcomed, but Ana is not credited yet.
    let ben = customer(7302, "Ben");
    shop.sim
        .send_text(shop.bot, &ben, &format!("/start r-{code}"))
        .await
        .unwrap();
    shop.wait_for(ben.id, "the welcome code", |m| {
        has_text(m, "A friend invited you. Your welcome code WELCOME-")
    })
    .await;
    let recorded = wait_for_referrals(&shop, 1).await;
    assert_eq!(recorded[0]["status"], "pending", "{recorded:#?}");
    assert!(!has_text(
        &shop.sim.messages(shop.bot, ana.id).await.unwrap(),
        "Your reward code"
    ));

    // Ben pays his first order: Ana gets her code.
    buy_scarves(&shop, &ben, 2).await;
    let messages = shop
        .wait_for(ana.id, "the reward", |m| {
            has_text(m, "Your reward code: REF-")
        })
        .await;
    assert_eq!(count(&messages, "Your reward code"), 1);
    let credited = referrals(&shop, "credited").await;
    assert_eq!(credited.len(), 1, "{credited:#?}");
    let reward = credited[0]["reward_code"].as_str().unwrap().to_owned();
    assert!(has_text(&messages, &reward));

    // Ben's second order credits nothing.
    buy_scarves(&shop, &ben, 2).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let messages = shop.sim.messages(shop.bot, ana.id).await.unwrap();
    assert_eq!(count(&messages, "Your reward code"), 1);

    // Ana using her own link is refused, and told.
    shop.sim
        .send_text(shop.bot, &ana, &format!("/start r-{code}"))
        .await
        .unwrap();
    shop.wait_for(ana.id, "the refusal", |m| {
        has_text(m, "That is your own invite link")
    })
    .await;
    // Cy was a customer before: refused too (this also refuses cycles: Ben's link to Ana).
    let cy = customer(7303, "Cy");
    shop.sim.send_text(shop.bot, &cy, "/start").await.unwrap();
    shop.wait_for(cy.id, "the first welcome", |m| !m.is_empty())
        .await;
    shop.sim
        .send_text(shop.bot, &cy, &format!("/start r-{code}"))
        .await
        .unwrap();
    let (_, ben_code) = invite(&shop, &ben).await;
    shop.sim
        .send_text(shop.bot, &ana, &format!("/start r-{ben_code}"))
        .await
        .unwrap();
    let all = wait_for_referrals(&shop, 4).await;
    let refused = referrals(&shop, "refused").await;
    let reasons: Vec<&str> = refused
        .iter()
        .map(|r| r["reason"].as_str().unwrap())
        .collect();
    assert_eq!(
        reasons,
        ["self_referral", "existing_customer", "existing_customer"],
        "{all:#?}"
    );
    // Nobody else got a reward; Ana's stats say what happened.
    assert_eq!(referrals(&shop, "credited").await.len(), 1);
    let (message, _) = invite(&shop, &ana).await;
    let body = text(&message);
    assert!(body.contains("Starts: 2"), "{body}");
    assert!(body.contains("New customers: 1"), "{body}");
    assert!(body.contains("First orders: 1"), "{body}");
    assert!(body.contains("Rewards: 1"), "{body}");
    shop.stop().await;
}

async fn bulk_referees_are_held_for_review(database_url: String) {
    let shop = start(database_url).await;
    let for_referrer = reward_promotion(&shop, "Thanks for your friends").await;
    put_settings(
        &shop,
        json!({"referrer_promotion": for_referrer, "bulk_threshold": 2, "bulk_window_minutes": 10}),
    )
    .await;
    let dora = customer(7401, "Dora");
    let (_, code) = invite(&shop, &dora).await;
    // Four accounts without a username arrive within seconds: the third and fourth are held.
    for id in 7402..7406 {
        let who = customer(id, "Bot-ish");
        shop.sim
            .send_text(shop.bot, &who, &format!("/start r-{code}"))
            .await
            .unwrap();
        wait_for_referrals(&shop, (id - 7401) as usize).await;
    }
    let all = referrals(&shop, "").await;
    let statuses: Vec<&str> = all.iter().map(|r| r["status"].as_str().unwrap()).collect();
    assert_eq!(statuses, ["pending", "pending", "held", "held"], "{all:#?}");
    let held = referrals(&shop, "held").await;
    assert_eq!(held.len(), 2);
    assert_eq!(held[0]["reason"], "bulk_suspected");

    // A held referee who pays credits nothing until staff approve.
    let held_user = customer(7404, "Bot-ish");
    buy_scarves(&shop, &held_user, 2).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(!has_text(
        &shop.sim.messages(shop.bot, dora.id).await.unwrap(),
        "Your reward code"
    ));
    let (status, approved) = shop
        .api(&format!("/referrals/{}/approve", held[0]["id"]), json!({}))
        .await;
    assert_eq!(status, 200, "{approved}");
    assert_eq!(approved["status"], "credited");
    shop.wait_for(dora.id, "the reward after review", |m| {
        has_text(m, "Your reward code: REF-")
    })
    .await;
    let (status, rejected) = shop
        .api(&format!("/referrals/{}/reject", held[1]["id"]), json!({}))
        .await;
    assert_eq!(status, 200, "{rejected}");
    assert_eq!(rejected["status"], "rejected");
    assert_eq!(rejected["reason"], "rejected_by_staff");
    // Deciding twice is a conflict.
    let (status, _) = shop
        .api(&format!("/referrals/{}/reject", held[1]["id"]), json!({}))
        .await;
    assert_eq!(status, 409);
    shop.stop().await;
}
