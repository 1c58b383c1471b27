//! Membership tiers end to end through the simulator, on SQLite and PostgreSQL: paid orders
//! lift a Spanish-speaking customer member → silver → gold (told once each, in Spanish, by
//! the tier-up automation);
//! her next checkout carries the gold discount and free shipping as discount lines with
//! exact amounts; refunds and then twelve months of silence bring her down again; a
//! `min_tier: "gold"` chat declines a silver customer's join request with the explanation
//! while a gold one gets the usual check; a member who drops below such a chat's tier is
//! removed once the grace has passed (logged as a kick); invalid settings come back as 422
//! field errors.

mod common;
#[macro_use]
mod shop_harness;

use common::buttons;
use shop_harness::*;

use groupcart_core::customer::CustomerId;
use groupcart_core::promotion::PromotionId;
use groupcart_core::shop::{Order, OrderQuery, OrderStatus};
use groupcart_simulator::types::{
    OrderInfo, PayDetails, PayTarget, ShippingAddress as SimAddress, SimUser,
};
use serde_json::{json, Value};
use std::sync::Arc;
use std::time::{Duration, Instant};

on_both_databases!(
    tiers_follow_spend_and_give_their_benefits,
    vip_chats_decline_customers_below_their_tier,
    members_below_the_tier_are_removed_after_the_grace,
    invalid_settings_are_refused_field_by_field,
);

const GROUP: i64 = -1_001_555_000_505;

/// Member; silver from `silver` (5 % off); gold from `gold` (10 % off, free
/// shipping); black out of reach.
fn ladder(silver: i64, gold: i64) -> Value {
    json!({"tiers": [
        {"key": "member"},
        {"key": "silver", "min_spend": {"USD": silver}, "discount_percent": 5},
        {"key": "gold", "min_spend": {"USD": gold}, "discount_percent": 10, "free_shipping": true},
        {"key": "black", "min_spend": {"USD": 100_000_000}, "discount_percent": 15,
         "free_shipping": true},
    ]})
}

async fn set_ladder(shop: &Shop, ladder: Value) -> Value {
    let (status, saved) = shop
        .api_send(reqwest::Method::PUT, "/tier-settings", ladder)
        .await;
    assert_eq!(status, 200, "{saved}");
    saved
}

async fn profile(shop: &Shop, id: i64) -> Value {
    let (status, profile) = shop.api_get(&format!("/customers/{id}")).await;
    assert_eq!(status, 200, "{profile}");
    profile
}

/// Waits until the customer's tier is `tier`.
async fn wait_for_tier(shop: &Shop, id: i64, tier: &str) -> Value {
    let deadline = Instant::now() + WAIT;
    loop {
        let p = profile(shop, id).await;
        if p["tier"]["tier"] == tier {
            return p;
        }
        assert!(
            Instant::now() < deadline,
            "customer {id} never became {tier}: {}",
            p["tier"]
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn orders_of(shop: &Shop, id: i64) -> Vec<Order> {
    shop.app
        .store
        .orders(&OrderQuery {
            customer: Some(CustomerId(id)),
            status: None,
            before: None,
            limit: 50,
        })
        .await
        .unwrap()
}

/// `/start` and "accept all" on the privacy notice, in any language.
async fn onboard(shop: &Shop, who: &SimUser) {
    shop.sim.send_text(shop.bot, who, "/start").await.unwrap();
    let messages = shop
        .wait_for(who.id, "the privacy notice", |m| {
            m.iter()
                .any(|m| buttons(m).iter().any(|(_, d)| d == "consent:all"))
        })
        .await;
    let notice = messages
        .iter()
        .rev()
        .find(|m| buttons(m).iter().any(|(_, d)| d == "consent:all"))
        .unwrap()
        .clone();
    shop.press(who, &notice, "consent:all").await;
    shop.wait_for(who.id, "the consent confirmation", |m| {
        m.last().is_some_and(|m| m.edited)
    })
    .await;
}

/// Buys two scarves (red and blue) in any language, shipped express to Singapore: cart,
/// checkout, invoice, payment; returns the order once it is paid.
async fn buy_two_scarves(shop: &Shop, who: &SimUser, id: i64) -> Order {
    let paid_before = orders_of(shop, id)
        .await
        .iter()
        .filter(|o| o.status == OrderStatus::Paid)
        .count();
    let cart = scarves_in_cart(shop, who, 2).await;
    let before = shop.sim.messages(shop.bot, who.id).await.unwrap().len();
    shop.press(who, &cart, "c:pay").await;
    let messages = shop
        .wait_for(who.id, "the invoice", |m| {
            m[before.min(m.len())..].iter().any(|m| m.invoice.is_some())
        })
        .await;
    let invoice = messages[before..]
        .iter()
        .find(|m| m.invoice.is_some())
        .unwrap()
        .message_id;
    // A Singapore address and express shipping (15.00 USD, never free by itself).
    let singapore = OrderInfo {
        name: Some("Ana Ruiz".into()),
        phone_number: Some("+65 8123 4567".into()),
        email: None,
        shipping_address: Some(SimAddress {
            country_code: "SG".into(),
            state: String::new(),
            city: "Singapore".into(),
            street_line1: "10 Anson Road #12-01".into(),
            street_line2: String::new(),
            post_code: "079903".into(),
        }),
    };
    let details = PayDetails {
        order_info: Some(singapore),
        shipping_option_id: None,
    }
    .with_shipping_option("express");
    let target = PayTarget::Message {
        chat_id: who.id,
        message_id: invoice,
    };
    shop.sim
        .pay_with(shop.bot, who, target, details)
        .await
        .unwrap();
    let deadline = Instant::now() + WAIT;
    loop {
        let orders = orders_of(shop, id).await;
        let paid: Vec<&Order> = orders
            .iter()
            .filter(|o| o.status == OrderStatus::Paid)
            .collect();
        if paid.len() > paid_before {
            // Newest first.
            return paid[0].clone();
        }
        assert!(Instant::now() < deadline, "the order was never paid");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn tier_changes(shop: &Shop, id: i64) -> Vec<(String, String)> {
    let events = shop
        .app
        .store
        .recent_events(Some("tier_changed"), 100)
        .await
        .unwrap();
    events
        .iter()
        .rev()
        .filter(|e| e.event.customer_id.map(|c| c.0) == Some(id))
        .map(|e| {
            (
                e.event.data["from"].as_str().unwrap().to_owned(),
                e.event.data["to"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

async fn wait_for_count(shop: &Shop, who: &SimUser, needle: &str, n: usize) {
    shop.wait_for(who.id, needle, |m| count(m, needle) == n)
        .await;
}

fn promotion(saved: &Value, tier: usize, benefit: &str) -> PromotionId {
    PromotionId(
        saved["tiers"][tier]["promotions"][benefit]
            .as_i64()
            .unwrap_or_else(|| panic!("tier {tier} has a {benefit} promotion: {saved}")),
    )
}

async fn tiers_follow_spend_and_give_their_benefits(database_url: String) {
    let clock = Arc::new(AheadClock::default());
    let shop = start_at(database_url, clock.clone()).await;
    restock_scarves(&shop, 20).await;
    // The congratulations are the tier-up automation's: any hour, more than one a day.
    let (status, body) = shop
        .api_send(
            reqwest::Method::PUT,
            "/automation-settings",
            json!({"quiet_hours": null, "cap": {"max_messages": 10, "per_hours": 24}}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    // Two scarves are 78.00 USD plus shipping: one order reaches silver, two reach gold.
    let saved = set_ladder(&shop, ladder(7_000, 14_500)).await;
    assert!(saved["tiers"][0]["promotions"]["discount"].is_null());
    let silver_discount = promotion(&saved, 1, "discount");
    let gold_discount = promotion(&saved, 2, "discount");
    let gold_shipping = promotion(&saved, 2, "free_shipping");
    let (status, back) = shop.api_get("/tier-settings").await;
    assert_eq!(status, 200);
    assert_eq!(back, saved);

    let ana = SimUser {
        language_code: Some("es".into()),
        ..customer(7501, "Ana")
    };
    onboard(&shop, &ana).await;
    let ana_id = customer_id(&shop, &ana).await;
    assert!(profile(&shop, ana_id).await["tier"].is_null());

    // First order: silver, told in Spanish with the benefits.
    let first = buy_two_scarves(&shop, &ana, ana_id).await;
    assert!(first.discounts.is_empty(), "{:?}", first.discounts);
    let p = wait_for_tier(&shop, ana_id, "silver").await;
    assert_eq!(
        p["tier"]["spend"],
        json!([{"currency": "USD", "total": first.total}])
    );
    // The automation congratulates a minute after the change.
    clock.advance(chrono::Duration::minutes(2));
    wait_for_count(&shop, &ana, "¡Felicidades! Ahora eres Plata", 1).await;
    let messages = shop.sim.messages(shop.bot, ana.id).await.unwrap();
    assert!(has_text(&messages, "5% de descuento en cada pedido"));

    // Second order: the silver discount, 5 % of 78.00 USD.
    let second = buy_two_scarves(&shop, &ana, ana_id).await;
    assert_eq!(second.subtotal, 7_800);
    let silver_line: Vec<_> = second
        .discounts
        .iter()
        .map(|d| (d.promotion_id, d.amount, d.shipping_amount))
        .collect();
    assert_eq!(silver_line, [(silver_discount, 390, 0)]);
    assert_eq!(second.total, 7_800 - 390 + second.shipping_cost);
    wait_for_tier(&shop, ana_id, "gold").await;
    clock.advance(chrono::Duration::minutes(2));
    wait_for_count(&shop, &ana, "¡Felicidades! Ahora eres Oro", 1).await;
    let messages = shop.sim.messages(shop.bot, ana.id).await.unwrap();
    assert!(has_text(&messages, "Envío gratis"));

    // Third order: 10 % off the goods and the shipping for free. The rate is picked with
    // the address, so the free shipping is an allowance (up to the dearest rate, 15.00 USD)
    // taken off the picked rate, which the silver order still paid.
    assert_eq!(
        second.shipping_cost, 1_500,
        "silver pays shipping: {second:?}"
    );
    let third = buy_two_scarves(&shop, &ana, ana_id).await;
    let mut lines: Vec<_> = third
        .discounts
        .iter()
        .map(|d| (d.promotion_id, d.amount, d.shipping_amount))
        .collect();
    lines.sort();
    let mut expected = vec![(gold_discount, 780, 0), (gold_shipping, 0, 1_500)];
    expected.sort();
    assert_eq!(lines, expected);
    assert_eq!(third.total, 7_800 - 780, "{third:?}");
    assert_eq!(third.payments[0].amount, 7_020);

    // Refunds take the orders out of the spend: back to silver, told neutrally.
    for order in [&third, &second] {
        let (status, body) = shop
            .api(&format!("/orders/{}/refund", order.id.0), json!({}))
            .await;
        assert_eq!(status, 200, "{body}");
    }
    let p = wait_for_tier(&shop, ana_id, "silver").await;
    assert_eq!(
        p["tier"]["spend"],
        json!([{"currency": "USD", "total": first.total}])
    );
    wait_for_count(&shop, &ana, "Tu nivel de membresía ahora es Plata", 1).await;

    // A year on, the first order has left the window: member again.
    clock.advance(chrono::Duration::days(366));
    wait_for_tier(&shop, ana_id, "member").await;
    wait_for_count(&shop, &ana, "Tu nivel de membresía ahora es Miembro", 1).await;
    assert_eq!(
        tier_changes(&shop, ana_id).await,
        [
            ("member".to_owned(), "silver".to_owned()),
            ("silver".to_owned(), "gold".to_owned()),
            ("gold".to_owned(), "silver".to_owned()),
            ("silver".to_owned(), "member".to_owned()),
        ]
    );
    // Once each: no repeated congratulations, sent by the tier-up automation.
    let messages = shop.sim.messages(shop.bot, ana.id).await.unwrap();
    assert_eq!(count(&messages, "¡Felicidades!"), 2);
    let sent = shop
        .app
        .store
        .recent_events(Some("automation_sent"), 100)
        .await
        .unwrap();
    let tier_ups = sent
        .iter()
        .filter(|e| e.event.data["flow"] == "tier_up")
        .filter(|e| e.event.customer_id.map(|c| c.0) == Some(ana_id))
        .count();
    assert_eq!(tier_ups, 2);
    shop.stop().await;
}

async fn vip_chats_decline_customers_below_their_tier(database_url: String) {
    let shop = start(database_url).await;
    set_ladder(&shop, ladder(2_000, 4_000)).await;
    group_with_the_bot(&shop, GROUP, "Gold Lounge").await;
    let sam = customer(7601, "Sam");
    let gil = customer(7602, "Gil");
    for who in [&sam, &gil] {
        welcome(&shop, who).await;
    }
    // Sam one tea order (22.00 USD, silver), Gil two (gold); the on-demand recompute
    // computes their tiers.
    paid_order(&shop, &sam).await;
    paid_order(&shop, &gil).await;
    paid_order(&shop, &gil).await;
    let (status, body) = shop.api("/crm/recompute", json!({})).await;
    assert_eq!(status, 200, "{body}");
    let sam_id = customer_id(&shop, &sam).await;
    let gil_id = customer_id(&shop, &gil).await;
    assert_eq!(profile(&shop, sam_id).await["tier"]["tier"], "silver");
    assert_eq!(profile(&shop, gil_id).await["tier"]["tier"], "gold");
    // Staff see the tier on the customer page too.
    let (user, password) = console::demo(&shop);
    let mut browser = console::Browser::logged_in(&shop, &user, &password).await;
    let page = browser.get(&format!("/customers/{gil_id}")).await;
    assert!(
        page.body
            .contains("<th>Membership tier</th><td>gold (since "),
        "{}",
        page.body
    );
    assert!(page.body.contains("<th>Spend, last 12 months</th><td>"));

    let (status, body) = shop
        .api_send(
            reqwest::Method::PUT,
            &format!("/chats/demo/{GROUP}/settings"),
            json!({"verification": {"mode": "button"}, "min_tier": "gold"}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["settings"]["min_tier"], "gold");
    let (status, link) = shop
        .api(
            &format!("/chats/demo/{GROUP}/invite-links"),
            json!({"name": "VIP", "source": "vip", "creates_join_request": true}),
        )
        .await;
    assert_eq!(status, 201, "{link}");
    let link = link["link"].as_str().unwrap().to_owned();

    shop.sim.request_join(shop.bot, &sam, &link).await.unwrap();
    let messages = shop
        .wait_for(sam.id, "the tier refusal", |m| {
            has_text(m, "Gold Lounge is for Gold members and above")
        })
        .await;
    assert!(
        !has_text(&messages, "please tap the button"),
        "no check for Sam"
    );
    shop.sim.request_join(shop.bot, &gil, &link).await.unwrap();
    shop.wait_for(gil.id, "the usual check", |m| {
        has_text(m, "To join Gold Lounge, please tap the button below")
    })
    .await;
    let messages = shop.sim.messages(shop.bot, gil.id).await.unwrap();
    assert!(!has_text(&messages, "members and above"));
    let declined = shop
        .app
        .store
        .recent_events(Some("join_declined"), 10)
        .await
        .unwrap();
    assert_eq!(declined.len(), 1);
    assert_eq!(declined[0].event.data["reason"], "below_tier");
    assert_eq!(declined[0].event.customer_id, Some(CustomerId(sam_id)));
    shop.stop().await;
}

/// The member's status in the group, as the simulator has it.
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

async fn members_below_the_tier_are_removed_after_the_grace(database_url: String) {
    let clock = Arc::new(AheadClock::default());
    let shop = start_at(database_url, clock.clone()).await;
    set_ladder(&shop, ladder(2_000, 4_000)).await;
    group_with_the_bot(&shop, GROUP, "Gold Lounge").await;
    let gil = customer(7701, "Gil");
    welcome(&shop, &gil).await;
    paid_order(&shop, &gil).await;
    paid_order(&shop, &gil).await;
    let (status, body) = shop.api("/crm/recompute", json!({})).await;
    assert_eq!(status, 200, "{body}");
    let gil_id = customer_id(&shop, &gil).await;
    assert_eq!(profile(&shop, gil_id).await["tier"]["tier"], "gold");
    let (status, body) = shop
        .api_send(
            reqwest::Method::PUT,
            &format!("/chats/demo/{GROUP}/settings"),
            json!({"verification": {"mode": "none"}, "min_tier": "gold",
                   "remove_below_tier_after_days": 3}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let (status, link) = shop
        .api(
            &format!("/chats/demo/{GROUP}/invite-links"),
            json!({"name": "VIP", "source": "vip", "creates_join_request": true}),
        )
        .await;
    assert_eq!(status, 201, "{link}");
    let link = link["link"].as_str().unwrap().to_owned();
    shop.sim.request_join(shop.bot, &gil, &link).await.unwrap();
    wait_member(&shop, &gil, "member").await;

    // A refund drops Gil to silver.
    let orders = orders_of(&shop, gil_id).await;
    let (status, body) = shop
        .api(&format!("/orders/{}/refund", orders[0].id.0), json!({}))
        .await;
    assert_eq!(status, 200, "{body}");
    wait_for_tier(&shop, gil_id, "silver").await;

    // Two days on, within the grace: the daily run leaves him in.
    clock.advance(chrono::Duration::days(2));
    tokio::time::sleep(Duration::from_millis(1_500)).await;
    assert_eq!(member_status(&shop, &gil).await, "member");
    // Past the grace: removed, and the kick is in the moderation log.
    clock.advance(chrono::Duration::days(2));
    wait_member(&shop, &gil, "left").await;
    let deadline = Instant::now() + WAIT;
    loop {
        let actions = shop
            .app
            .store
            .recent_events(Some("moderation_action"), 10)
            .await
            .unwrap();
        if let Some(kick) = actions.iter().find(|e| e.event.data["actor"] == "tiers") {
            assert_eq!(kick.event.data["sanction"], "kick");
            assert_eq!(kick.event.data["user_id"], gil.id);
            break;
        }
        assert!(Instant::now() < deadline, "no kick logged: {actions:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    shop.stop().await;
}

fn fields(body: &Value) -> Vec<String> {
    body["error"]["fields"]
        .as_array()
        .unwrap_or_else(|| panic!("field errors: {body}"))
        .iter()
        .map(|f| f["field"].as_str().unwrap().to_owned())
        .collect()
}

async fn invalid_settings_are_refused_field_by_field(database_url: String) {
    let shop = start(database_url).await;
    let bad = json!({"tiers": [
        {"key": "member", "min_spend": {"USD": 100}},
        {"key": "Silver Plus", "min_spend": {"USD": 500}},
        {"key": "gold", "min_spend": {"USD": 400}, "discount_percent": 60},
    ]});
    let (status, body) = shop
        .api_send(reqwest::Method::PUT, "/tier-settings", bad)
        .await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(
        fields(&body),
        [
            "tiers[0].min_spend",
            "tiers[1].key",
            "tiers[2].min_spend",
            "tiers[2].discount_percent"
        ]
    );
    // Nothing saved.
    let (_, settings) = shop.api_get("/tier-settings").await;
    assert_eq!(settings["tiers"][1]["key"], "silver");

    group_with_the_bot(&shop, GROUP, "Gold Lounge").await;
    let (status, body) = shop
        .api_send(
            reqwest::Method::PUT,
            &format!("/chats/demo/{GROUP}/settings"),
            json!({"min_tier": "platinum", "remove_below_tier_after_days": 0}),
        )
        .await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(fields(&body), ["remove_below_tier_after_days"]);
    let (status, body) = shop
        .api_send(
            reqwest::Method::PUT,
            &format!("/chats/demo/{GROUP}/settings"),
            json!({"min_tier": "platinum"}),
        )
        .await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(fields(&body), ["min_tier"]);
    shop.stop().await;
}
