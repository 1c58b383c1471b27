//! Lifecycle automations end to end through the simulator, on SQLite and PostgreSQL, with a
//! clock the test moves forward: the welcome series' two steps arrive after their delays
//! while a disabled flow sends nothing; the abandoned-cart reminder comes after its hours
//! but not to a customer who ordered meanwhile; a send due at 23:00 local waits for 09:00;
//! a second flow on the same day waits for the frequency cap; a customer without marketing
//! consent gets no marketing but does get the restock notice they asked for with "Notify
//! me"; the win-back message carries a code that works on the cart; `/birthday` is stored
//! and the same send job run twice sends once; invalid settings come back as field errors.

mod common;
#[macro_use]
mod shop_harness;

use chrono::{Duration as Minutes, Timelike, Utc};
use common::buttons;
use groupcart_core::automation::{self, FlowKind, SendContext, SendOutcome, SendPayload};
use groupcart_core::clock::Clock;
use groupcart_core::customer::CustomerId;
use groupcart_core::i18n::Texts;
use groupcart_simulator::types::SimUser;
use serde_json::{json, Value};
use shop_harness::*;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

on_both_databases!(
    the_welcome_series_arrives_step_by_step,
    the_cart_reminder_skips_customers_who_ordered,
    quiet_hours_hold_a_late_send_until_morning,
    the_cap_holds_a_second_flow_for_a_day,
    consent_decides_marketing_but_not_the_restock_notice,
    the_win_back_code_works_on_the_cart,
    birthdays_are_shared_and_a_send_runs_once,
    invalid_settings_are_refused_field_by_field,
);

/// No quiet hours and room for `cap` marketing messages a day.
async fn rules(shop: &Shop, quiet: Value, cap: u32) {
    let (status, body) = shop
        .api_send(
            reqwest::Method::PUT,
            "/automation-settings",
            json!({"quiet_hours": quiet, "cap": {"max_messages": cap, "per_hours": 24}}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
}

/// Enables `flow` with one step per delay (minutes), built-in texts.
async fn enable(shop: &Shop, flow: &str, delays: &[u32], extra: Value) -> Value {
    let steps: Vec<Value> = delays
        .iter()
        .map(|d| json!({"delay_minutes": d, "message": {"texts": {}}}))
        .collect();
    let mut body = json!({"enabled": true, "steps": steps});
    if let (Some(body), Some(extra)) = (body.as_object_mut(), extra.as_object()) {
        body.extend(extra.clone());
    }
    let (status, saved) = shop
        .api_send(reqwest::Method::PUT, &format!("/automations/{flow}"), body)
        .await;
    assert_eq!(status, 200, "{saved}");
    saved
}

async fn messages(shop: &Shop, who: &SimUser) -> Vec<groupcart_simulator::types::SentMessage> {
    shop.sim
        .messages(shop.bot, who.id)
        .await
        .unwrap()
        .into_iter()
        .filter(|m| m.from_bot)
        .collect()
}

/// Gives the job runner a moment to do what is due (nothing should arrive).
async fn settle() {
    tokio::time::sleep(Duration::from_millis(2500)).await;
}

/// Moves the clock and gives the dispatcher (which reads events a few seconds old) time.
async fn advance(clock: &AheadClock, by: Minutes) {
    clock.advance(by);
    tokio::time::sleep(Duration::from_millis(100)).await;
}

const WELCOME_1: &str = "welcome! Tap /shop to see what is new";
const WELCOME_2: &str = "did you find something you like?";
const CART_REMINDER: &str = "you left something in your cart";

async fn sent_events(shop: &Shop, flow: &str) -> Vec<groupcart_core::event::Event> {
    shop.app
        .store
        .recent_events(Some(automation::SENT_EVENT), 500)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.event.data["flow"] == flow)
        .collect()
}

async fn the_welcome_series_arrives_step_by_step(database_url: String) {
    let clock = Arc::new(AheadClock::default());
    let shop = start_at(database_url, clock.clone()).await;
    rules(&shop, Value::Null, 10).await;
    // Day 1, then two days later; the cart reminder stays off (edited, not enabled).
    let saved = enable(&shop, "welcome", &[24 * 60, 2 * 24 * 60], json!({})).await;
    assert_eq!(saved["flow"], "welcome");
    assert_eq!(saved["marketing"], true);
    let (status, body) = shop
        .api_send(
            reqwest::Method::PUT,
            "/automations/abandoned_cart",
            json!({"enabled": false, "steps": [{"delay_minutes": 30, "message": {"texts": {}}}]}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let ana = customer(9101, "Ana");
    welcome(&shop, &ana).await;
    scarves_in_cart(&shop, &ana, 1).await;
    settle().await;
    assert_eq!(count(&messages(&shop, &ana).await, "Ana, welcome"), 0);

    advance(&clock, Minutes::hours(23)).await;
    settle().await;
    assert_eq!(count(&messages(&shop, &ana).await, WELCOME_1), 0, "not yet");
    advance(&clock, Minutes::hours(1) + Minutes::minutes(1)).await;
    shop.wait_for(ana.id, "the first welcome", |m| count(m, WELCOME_1) == 1)
        .await;
    assert_eq!(count(&messages(&shop, &ana).await, WELCOME_2), 0);
    advance(&clock, Minutes::days(2) + Minutes::minutes(1)).await;
    let all = shop
        .wait_for(ana.id, "the second welcome", |m| count(m, WELCOME_2) == 1)
        .await;
    assert_eq!(count(&all, WELCOME_1), 1, "each step once");
    // The disabled cart reminder never came, though the cart waited days.
    settle().await;
    assert_eq!(count(&messages(&shop, &ana).await, CART_REMINDER), 0);
    assert!(sent_events(&shop, "abandoned_cart").await.is_empty());
    let steps: Vec<i64> = sent_events(&shop, "welcome")
        .await
        .iter()
        .map(|e| e.event.data["step"].as_i64().unwrap())
        .collect();
    assert_eq!(steps, [1, 0], "newest first");
    let (status, list) = shop.api_get("/automations").await;
    assert_eq!(status, 200, "{list}");
    let welcome = list["flows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["flow"] == "welcome")
        .unwrap()
        .clone();
    assert_eq!(welcome["results"]["sends"], 2);
    assert_eq!(list["flows"].as_array().unwrap().len(), 7);
    shop.stop().await;
}

async fn the_cart_reminder_skips_customers_who_ordered(database_url: String) {
    let clock = Arc::new(AheadClock::default());
    let shop = start_at(database_url, clock.clone()).await;
    restock_scarves(&shop, 20).await;
    rules(&shop, Value::Null, 10).await;
    enable(&shop, "abandoned_cart", &[4 * 60], json!({})).await;
    let ana = customer(9201, "Ana");
    let bo = customer(9202, "Bo");
    welcome(&shop, &ana).await;
    welcome(&shop, &bo).await;
    scarves_in_cart(&shop, &ana, 2).await;
    // Bo orders what he put in the cart.
    buy_scarves(&shop, &bo, 1).await;
    advance(&clock, Minutes::hours(3)).await;
    settle().await;
    assert_eq!(count(&messages(&shop, &ana).await, CART_REMINDER), 0);
    advance(&clock, Minutes::hours(1) + Minutes::minutes(2)).await;
    let got = shop
        .wait_for(ana.id, "the cart reminder", |m| {
            count(m, CART_REMINDER) == 1
        })
        .await;
    let reminder = got
        .iter()
        .find(|m| text(m).contains(CART_REMINDER))
        .unwrap();
    assert!(
        buttons(reminder).iter().any(|(_, data)| data == "c:view"),
        "a button to the cart"
    );
    settle().await;
    assert_eq!(count(&messages(&shop, &bo).await, CART_REMINDER), 0);
    assert_eq!(count(&messages(&shop, &ana).await, CART_REMINDER), 1);
    shop.stop().await;
}

async fn quiet_hours_hold_a_late_send_until_morning(database_url: String) {
    let clock = Arc::new(AheadClock::default());
    let shop = start_at(database_url, clock.clone()).await;
    // The default rules: quiet 21:00-09:00 in the customer's zone (here the shop's, UTC).
    let (status, defaults) = shop.api_get("/automation-settings").await;
    assert_eq!(status, 200);
    assert_eq!(
        defaults,
        json!({"quiet_hours": {"start": "21:00", "end": "09:00"},
               "cap": {"max_messages": 1, "per_hours": 24}})
    );
    // The welcome falls due just after 23:00 UTC.
    let now = clock.now();
    let today_23 = now.date_naive().and_hms_opt(23, 0, 0).unwrap().and_utc();
    let next_23 = if now < today_23 - Minutes::minutes(10) {
        today_23
    } else {
        today_23 + Minutes::days(1)
    };
    let delay = (next_23 - now).num_minutes() + 1;
    enable(
        &shop,
        "welcome",
        &[u32::try_from(delay).unwrap()],
        json!({}),
    )
    .await;
    let ana = customer(9301, "Ana");
    welcome(&shop, &ana).await;
    advance(&clock, Minutes::minutes(delay + 2)).await;
    settle().await;
    let hour = clock.now().hour();
    assert!(hour == 23, "the test runs the send at 23:xx, not {hour}");
    assert_eq!(count(&messages(&shop, &ana).await, WELCOME_1), 0, "quiet");
    // 09:00 the next morning.
    let morning = (next_23 + Minutes::hours(10)) - clock.now();
    advance(&clock, morning + Minutes::minutes(1)).await;
    shop.wait_for(ana.id, "the morning welcome", |m| count(m, WELCOME_1) == 1)
        .await;
    let sent = sent_events(&shop, "welcome").await;
    assert_eq!(sent.len(), 1);
    let at = sent[0].event.at;
    let nine = next_23 + Minutes::hours(10);
    assert!(
        at >= nine && at < nine + Minutes::minutes(30),
        "sent at {at}, morning is {nine}"
    );
    shop.stop().await;
}

async fn the_cap_holds_a_second_flow_for_a_day(database_url: String) {
    let clock = Arc::new(AheadClock::default());
    let shop = start_at(database_url, clock.clone()).await;
    rules(&shop, Value::Null, 1).await;
    enable(&shop, "welcome", &[1], json!({})).await;
    enable(&shop, "abandoned_cart", &[60], json!({})).await;
    let di = customer(9401, "Di");
    welcome(&shop, &di).await;
    advance(&clock, Minutes::minutes(2)).await;
    shop.wait_for(di.id, "the welcome", |m| count(m, WELCOME_1) == 1)
        .await;
    scarves_in_cart(&shop, &di, 1).await;
    advance(&clock, Minutes::minutes(62)).await;
    settle().await;
    assert_eq!(
        count(&messages(&shop, &di).await, CART_REMINDER),
        0,
        "one marketing message a day"
    );
    // The welcome went some 62 minutes ago: 22 hours on, the day is not over yet.
    advance(&clock, Minutes::hours(22)).await;
    settle().await;
    assert_eq!(count(&messages(&shop, &di).await, CART_REMINDER), 0);
    advance(&clock, Minutes::hours(1)).await;
    shop.wait_for(di.id, "the reminder a day later", |m| {
        count(m, CART_REMINDER) == 1
    })
    .await;
    let welcome_at = sent_events(&shop, "welcome").await[0].event.at;
    let reminder_at = sent_events(&shop, "abandoned_cart").await[0].event.at;
    assert!(reminder_at >= welcome_at + Minutes::hours(24));
    shop.stop().await;
}

/// `/start` and "service only" on the privacy notice: no marketing consent.
async fn service_only(shop: &Shop, who: &SimUser) {
    shop.sim.send_text(shop.bot, who, "/start").await.unwrap();
    let messages = shop
        .wait_for(who.id, "the privacy notice", |m| {
            m.iter()
                .any(|m| buttons(m).iter().any(|(_, d)| d == "consent:service"))
        })
        .await;
    let notice = messages
        .iter()
        .rev()
        .find(|m| buttons(m).iter().any(|(_, d)| d == "consent:service"))
        .unwrap()
        .clone();
    shop.press(who, &notice, "consent:service").await;
    shop.wait_for(who.id, "the consent confirmation", |m| {
        m.last().is_some_and(|m| m.edited)
    })
    .await;
}

/// Sets the stock of every silk scarf variant to zero.
async fn sell_out_scarves(shop: &Shop) -> Vec<i64> {
    let (status, page) = shop.api_get("/products").await;
    assert_eq!(status, 200, "{page}");
    let scarf = page["products"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["handle"] == "silk-scarf")
        .unwrap()
        .clone();
    let mut ids = Vec::new();
    for variant in scarf["variants"].as_array().unwrap() {
        let stock = variant["stock"].as_i64().unwrap();
        if stock > 0 {
            let (status, body) = shop
                .api(
                    &format!("/variants/{}/stock", variant["id"]),
                    json!({"delta": -stock, "reason": "sold out"}),
                )
                .await;
            assert_eq!(status, 200, "{body}");
        }
        ids.push(variant["id"].as_i64().unwrap());
    }
    ids
}

async fn consent_decides_marketing_but_not_the_restock_notice(database_url: String) {
    let clock = Arc::new(AheadClock::default());
    let shop = start_at(database_url, clock.clone()).await;
    rules(&shop, Value::Null, 10).await;
    enable(&shop, "welcome", &[1], json!({})).await;
    let cy = customer(9501, "Cy");
    let ed = customer(9502, "Ed");
    service_only(&shop, &cy).await;
    welcome(&shop, &ed).await;
    let variants = sell_out_scarves(&shop).await;
    shop.sim
        .send_text(shop.bot, &cy, "/start p-silk-scarf")
        .await
        .unwrap();
    let card = shop
        .wait_for(cy.id, "the sold-out card", |m| {
            m.iter().any(|m| m.photo.is_some())
        })
        .await
        .into_iter()
        .rev()
        .find(|m| m.photo.is_some())
        .unwrap();
    let notify = format!("s:n:{}", variants[0]);
    let labels: Vec<(String, String)> = buttons(&card);
    assert!(
        labels
            .iter()
            .any(|(label, data)| *data == notify && label == "🔔 Notify me"),
        "{labels:?}"
    );
    shop.press(&cy, &card, &notify).await;
    // Twice: one request.
    shop.press(&cy, &card, &notify).await;
    advance(&clock, Minutes::minutes(5)).await;
    settle().await;
    assert_eq!(count(&messages(&shop, &cy).await, "back in stock"), 0);
    let (status, body) = shop
        .api(
            &format!("/variants/{}/stock", variants[0]),
            json!({"delta": 3, "reason": "restock"}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    // The restock run (every few minutes) turns the request into a send, taking it away.
    advance(&clock, Minutes::minutes(4)).await;
    let deadline = std::time::Instant::now() + WAIT;
    while !shop.app.store.restock_due(10).await.unwrap().is_empty() {
        assert!(
            std::time::Instant::now() < deadline,
            "the request was never taken"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    advance(&clock, Minutes::minutes(2)).await;
    let got = shop
        .wait_for(cy.id, "the restock notice", |m| {
            count(m, "is back in stock!") == 1
        })
        .await;
    let notice = got
        .iter()
        .find(|m| text(m).contains("is back in stock!"))
        .unwrap();
    assert!(text(notice).contains("Silk scarf") || text(notice).contains("scarf"));
    assert!(buttons(notice).iter().any(|(_, d)| d.starts_with("s:p:")));
    // Ed, with marketing consent, got the welcome; Cy, without, got none.
    shop.wait_for(ed.id, "Ed's welcome", |m| count(m, WELCOME_1) == 1)
        .await;
    advance(&clock, Minutes::minutes(10)).await;
    settle().await;
    assert_eq!(count(&messages(&shop, &cy).await, WELCOME_1), 0);
    assert_eq!(count(&messages(&shop, &cy).await, "is back in stock!"), 1);
    shop.stop().await;
}

async fn the_win_back_code_works_on_the_cart(database_url: String) {
    let clock = Arc::new(AheadClock::default());
    let shop = start_at(database_url, clock.clone()).await;
    restock_scarves(&shop, 20).await;
    rules(&shop, Value::Null, 10).await;
    let saved = enable(
        &shop,
        "win_back",
        &[1],
        json!({"coupon": {"percent_off": 20, "valid_days": 7}}),
    )
    .await;
    let promotion = saved["coupon"]["promotion"].as_i64().expect("a promotion");
    let fay = customer(9601, "Fay");
    welcome(&shop, &fay).await;
    paid_order(&shop, &fay).await;
    // Gil bought tea with a scarf: the scarf goes with the tea Fay bought.
    let gil = customer(9602, "Gil");
    welcome(&shop, &gil).await;
    paid_order(&shop, &gil).await;
    let gil_id = CustomerId(customer_id(&shop, &gil).await);
    paid_order_of(
        &shop,
        gil_id,
        &["green-tea", "silk-scarf"],
        1000,
        Utc::now(),
    )
    .await;
    // Half a year without an order: churned at the recompute.
    advance(&clock, Minutes::days(200)).await;
    let (status, body) = shop.api("/crm/recompute", json!({})).await;
    assert_eq!(status, 200, "{body}");
    let fay_id = customer_id(&shop, &fay).await;
    assert_eq!(
        shop.api_get(&format!("/customers/{fay_id}")).await.1["stage"],
        "churned"
    );
    let (status, body) = shop.api("/recommendations/recompute", json!({})).await;
    assert_eq!(status, 200, "{body}");
    advance(&clock, Minutes::minutes(2)).await;
    let got = shop
        .wait_for(fay.id, "the win-back", |m| {
            count(m, "We miss you, Fay!") == 1
        })
        .await;
    let win_back = got
        .iter()
        .find(|m| text(m).contains("We miss you"))
        .unwrap();
    // It offers what goes with her tea.
    let scarf = shop
        .app
        .store
        .product_by_handle("silk-scarf")
        .await
        .unwrap()
        .unwrap();
    assert!(
        buttons(win_back)
            .iter()
            .any(|(label, data)| label.starts_with('✨') && *data == format!("s:p:{}", scarf.id.0)),
        "{win_back:#?}"
    );
    let message = text(win_back);
    assert!(message.contains("20% off"), "{message}");
    assert!(message.contains("valid for 7 days"), "{message}");
    let code = message
        .split_whitespace()
        .find(|w| w.starts_with("BACK-"))
        .map(|w| w.trim_end_matches([',', '.']).to_owned())
        .expect("a code");
    let codes = shop
        .app
        .store
        .customer_codes(CustomerId(fay_id))
        .await
        .unwrap();
    assert_eq!(codes.len(), 1);
    assert_eq!(codes[0].code, code);
    assert_eq!(codes[0].promotion_id.0, promotion);
    // The code takes 20 % off the scarf on her cart.
    scarves_in_cart(&shop, &fay, 1).await;
    shop.sim
        .send_text(shop.bot, &fay, &format!("/coupon {code}"))
        .await
        .unwrap();
    shop.wait_for(fay.id, "the code on the cart", |m| {
        has_text(m, &format!("Code {code} is on your cart"))
    })
    .await;
    shop.stop().await;
}

async fn birthdays_are_shared_and_a_send_runs_once(database_url: String) {
    let clock = Arc::new(AheadClock::default());
    let shop = start_at(database_url, clock.clone()).await;
    rules(&shop, Value::Null, 10).await;
    enable(&shop, "birthday", &[600], json!({})).await;
    let gus = customer(9701, "Gus");
    welcome(&shop, &gus).await;
    for (command, reply) in [
        ("/birthday 31.02", "that date could not be read"),
        ("/birthday 14.03", "We saved your birthday: 14.03"),
        ("/birthday", "Your birthday is saved as 14.03"),
    ] {
        shop.sim.send_text(shop.bot, &gus, command).await.unwrap();
        shop.wait_for(gus.id, reply, |m| has_text(m, reply)).await;
    }
    let id = CustomerId(customer_id(&shop, &gus).await);
    assert_eq!(
        shop.app.store.customer_birthday(id).await.unwrap(),
        Some(automation::Birthday { month: 3, day: 14 })
    );
    // The same send job twice (a retried or repeated job): one message.
    let payload = serde_json::to_value(SendPayload {
        flow: FlowKind::Birthday,
        customer: id,
        reference: "year-2026".into(),
        step: 0,
        since: Utc::now(),
        data: Value::Null,
    })
    .unwrap();
    let texts = Texts::builtin();
    let languages = BTreeMap::from([("demo".to_owned(), "en".to_owned())]);
    let currencies = BTreeMap::from([("demo".to_owned(), "USD".to_owned())]);
    let ctx = SendContext {
        texts: &texts,
        store: shop.app.store.as_ref(),
        default_zone: "UTC",
        default_languages: &languages,
        currencies: &currencies,
    };
    let mut outcomes = Vec::new();
    for _ in 0..2 {
        let mut tx = shop.app.store.begin().await.unwrap();
        outcomes.push(
            automation::send(tx.as_mut(), &ctx, &payload, clock.now())
                .await
                .unwrap(),
        );
        tx.commit().await.unwrap();
    }
    assert!(matches!(outcomes[0], SendOutcome::Sent(_)), "{outcomes:?}");
    assert_eq!(outcomes[1], SendOutcome::Dropped("sent before"));
    shop.wait_for(gus.id, "the birthday greeting", |m| {
        count(m, "Happy birthday, Gus!") == 1
    })
    .await;
    settle().await;
    assert_eq!(count(&messages(&shop, &gus).await, "Happy birthday"), 1);
    // Clearing it.
    shop.sim
        .send_text(shop.bot, &gus, "/birthday clear")
        .await
        .unwrap();
    shop.wait_for(gus.id, "the removal", |m| {
        has_text(m, "Your birthday is removed")
    })
    .await;
    assert_eq!(shop.app.store.customer_birthday(id).await.unwrap(), None);
    shop.stop().await;
}

async fn invalid_settings_are_refused_field_by_field(database_url: String) {
    let shop = start(database_url).await;
    let (status, body) = shop
        .api_send(
            reqwest::Method::PUT,
            "/automations/abandoned_cart",
            json!({
                "enabled": true,
                "steps": [
                    {"delay_minutes": 0, "message": {"texts": {"xx": "Hi"}}},
                    {"delay_minutes": 10, "message": {"texts": {}}}
                ],
                "condition": "stage = sleepy",
                "coupon": {"percent_off": 10, "valid_days": 3}
            }),
        )
        .await;
    assert_eq!(status, 422, "{body}");
    let fields: Vec<&str> = body["error"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap())
        .collect();
    for field in [
        "steps",
        "steps[0].delay_minutes",
        "steps[0].message.texts",
        "condition",
        "coupon",
    ] {
        assert!(fields.contains(&field), "{field}: {body}");
    }
    let (status, body) = shop
        .api_send(
            reqwest::Method::PUT,
            "/automations/win_back",
            json!({"enabled": true, "steps": [{"delay_minutes": 200000, "message": {"texts": {}}}],
                   "coupon": {"percent_off": 95, "valid_days": 3}}),
        )
        .await;
    assert_eq!(status, 422, "{body}");
    let fields: Vec<&str> = body["error"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["steps[0].delay_minutes", "coupon.percent_off"]);
    let (status, body) = shop
        .api_send(
            reqwest::Method::PUT,
            "/automation-settings",
            json!({"quiet_hours": {"start": "09:00", "end": "09:00"},
                   "cap": {"max_messages": 0, "per_hours": 24}}),
        )
        .await;
    assert_eq!(status, 422, "{body}");
    let (status, body) = shop.api_get("/automations/nope").await;
    assert_eq!(status, 404, "{body}");
    assert_eq!(body["error"]["code"], "not_found");
    shop.stop().await;
}
