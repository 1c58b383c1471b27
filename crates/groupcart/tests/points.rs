//! Loyalty points end to end through the simulator, on SQLite and PostgreSQL: a paid order
//! earns points and its refund takes them back; `/checkin` counts once per calendar day in
//! the customer's own time zone and a streak over consecutive local days grows the bonus;
//! `/points` offers the rewards as buttons, a reward too dear is refused, and redeeming one
//! debits the points and puts a code on the cart that checkout then uses; staff credits
//! through the API are in the ledger, counted once per reference, and audited.
//!
//! Chat updates are timed by the wall clock as they arrive (not by the app's clock), so the
//! streak is set up by writing yesterday's check-in to the store, and the local-day rule is
//! shown with a zone whose date differs from UTC's right now.

mod common;
#[macro_use]
mod shop_harness;

use common::buttons;
use shop_harness::*;

use chrono::{Duration, Utc};
use groupcart_core::customer::CustomerId;
use groupcart_core::points::Checkin;
use groupcart_core::shop::{Order, OrderQuery};
use groupcart_simulator::types::{SentMessage, SimUser};
use serde_json::{json, Value};

on_both_databases!(
    a_paid_order_earns_points_and_its_refund_takes_them_back,
    checkin_counts_once_per_local_day_and_streaks_grow,
    redeeming_a_reward_puts_a_working_code_on_the_cart,
    the_console_shows_points_and_credits_them,
    a_credited_referral_earns_referral_points,
    the_daily_job_expires_old_points,
    points_earned_lift_a_customer_to_a_points_tier,
);

/// The customer's balance and ledger through the API.
async fn points(shop: &Shop, customer: i64) -> (i64, Vec<Value>) {
    let (status, page) = shop.api_get(&format!("/customers/{customer}/points")).await;
    assert_eq!(status, 200, "{page}");
    (
        page["balance"].as_i64().unwrap(),
        page["entries"].as_array().unwrap().clone(),
    )
}

async fn latest_order(shop: &Shop, customer: i64) -> Order {
    let orders = shop
        .app
        .store
        .orders(&OrderQuery {
            customer: Some(CustomerId(customer)),
            limit: 1,
            ..Default::default()
        })
        .await
        .unwrap();
    orders.into_iter().next().expect("an order")
}

/// Sends `command` and returns the bot's first message after it.
async fn ask(shop: &Shop, who: &SimUser, command: &str, expect: &str) -> SentMessage {
    let before = shop
        .sim
        .messages(shop.bot, who.id)
        .await
        .unwrap()
        .iter()
        .filter(|m| m.from_bot)
        .count();
    shop.sim.send_text(shop.bot, who, command).await.unwrap();
    let messages = shop
        .wait_for(who.id, expect, |m| {
            m.len() > before && has_text(&m[before..], expect)
        })
        .await;
    messages[before..]
        .iter()
        .find(|m| text(m).contains(expect))
        .unwrap()
        .clone()
}

async fn a_paid_order_earns_points_and_its_refund_takes_them_back(database_url: String) {
    let shop = start(database_url).await;
    let ana = customer(7501, "Ana");
    welcome(&shop, &ana).await;
    buy_scarves(&shop, &ana, 1).await;
    let id = customer_id(&shop, &ana).await;
    let order = latest_order(&shop, id).await;
    // One point per whole unit of goods paid for; shipping earns nothing.
    let earned = (order.subtotal - order.discount) / 100;
    assert!(earned > 0, "{order:?}");
    let (balance, entries) = points(&shop, id).await;
    assert_eq!(balance, earned, "{entries:#?}");
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0]["kind"], "order");
    assert_eq!(entries[0]["reference"], format!("order:{}", order.id.0));
    assert!(entries[0]["expires_at"].is_string(), "{entries:#?}");

    let (status, refunded) = shop
        .api(&format!("/orders/{}/refund", order.id.0), json!({}))
        .await;
    assert_eq!(status, 200, "{refunded}");
    let (balance, entries) = points(&shop, id).await;
    assert_eq!(balance, 0, "{entries:#?}");
    assert_eq!(entries[0]["kind"], "refund");
    assert_eq!(entries[0]["delta"], -earned);

    // The customer's data export holds the balance and every change to it.
    let (status, export) = shop.api_get(&format!("/customers/{id}/export")).await;
    assert_eq!(status, 200, "{export}");
    assert_eq!(export["points_balance"], 0, "{export}");
    let kinds: Vec<&str> = export["points"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["refund", "order"], "{export}");
    assert!(export.get("tier").is_some(), "{export}");
    shop.stop().await;
}

/// A zone whose calendar date differs from UTC's right now (one of the two always does).
fn zone_ahead_or_behind() -> (&'static str, chrono::NaiveDate) {
    let now = Utc::now();
    for zone in ["Pacific/Kiritimati", "Pacific/Pago_Pago"] {
        let local = groupcart_core::time_zone::local_date(now, zone);
        if local != now.date_naive() {
            return (zone, local);
        }
    }
    unreachable!("UTC+14 or UTC-11 is on another day at any hour")
}

async fn checkin_counts_once_per_local_day_and_streaks_grow(database_url: String) {
    let shop = start(database_url).await;
    let ana = customer(7502, "Ana");
    welcome(&shop, &ana).await;
    let id = customer_id(&shop, &ana).await;

    let first = ask(&shop, &ana, "/checkin", "Checked in!").await;
    assert!(
        text(&first).contains("+10 points (day 1 in a row)"),
        "{}",
        text(&first)
    );
    let again = ask(&shop, &ana, "/checkin", "already checked in today").await;
    assert!(
        text(&again).contains("Come back tomorrow"),
        "{}",
        text(&again)
    );
    assert!(
        text(&again).contains("Your balance: 10 points"),
        "{}",
        text(&again)
    );
    assert_eq!(points(&shop, id).await.0, 10);

    // Bob lives where today is another date than in UTC; he checked in on the day before
    // his local today (which may be UTC's today): his check-in now is his second day.
    let bob = customer(7503, "Bob");
    welcome(&shop, &bob).await;
    let bob_id = customer_id(&shop, &bob).await;
    let (zone, local_today) = zone_ahead_or_behind();
    let (status, profile) = shop
        .api_send(
            reqwest::Method::PATCH,
            &format!("/customers/{bob_id}"),
            json!({"time_zone": zone}),
        )
        .await;
    assert_eq!(status, 200, "{profile}");
    let mut tx = shop.app.store.begin().await.unwrap();
    let yesterday = Checkin {
        day: local_today.pred_opt().unwrap(),
        streak: 3,
    };
    assert!(tx
        .record_checkin(
            CustomerId(bob_id),
            yesterday,
            Utc::now() - Duration::days(1)
        )
        .await
        .unwrap());
    tx.commit().await.unwrap();
    let counted = ask(&shop, &bob, "/checkin", "Checked in!").await;
    // Day 4 of the streak: 10 + 3 × 5.
    assert!(
        text(&counted).contains("+25 points (day 4 in a row)"),
        "{zone}: {}",
        text(&counted)
    );
    let again = ask(&shop, &bob, "/checkin", "already checked in today").await;
    assert!(text(&again).contains("day 4 in a row"), "{}", text(&again));
    let (balance, entries) = points(&shop, bob_id).await;
    assert_eq!(balance, 25);
    assert_eq!(entries[0]["reference"], format!("checkin:{local_today}"));
    shop.stop().await;
}

async fn redeeming_a_reward_puts_a_working_code_on_the_cart(database_url: String) {
    let shop = start(database_url).await;
    let (status, promotion) = shop
        .api(
            "/promotions",
            json!({
                "name": "Points: 10% off", "trigger": "automatic",
                "benefit": {"type": "percent", "basis_points": 1000},
                "status": "active", "listed": false
            }),
        )
        .await;
    assert_eq!(status, 201, "{promotion}");
    let promotion = promotion["id"].as_i64().unwrap();
    let (status, saved) = shop
        .api_send(
            reqwest::Method::PUT,
            "/points-settings",
            json!({"rewards": [
                {"points": 50, "promotion_id": promotion},
                {"points": 5000, "promotion_id": promotion}
            ]}),
        )
        .await;
    assert_eq!(status, 200, "{saved}");
    let (status, refused) = shop
        .api_send(
            reqwest::Method::PUT,
            "/points-settings",
            json!({"rewards": [{"points": 0, "promotion_id": 999_999}]}),
        )
        .await;
    assert_eq!(status, 422, "{refused}");

    let ana = customer(7504, "Ana");
    welcome(&shop, &ana).await;
    let id = customer_id(&shop, &ana).await;

    // Staff give points for an approved photo: in the ledger, once, and audited.
    let credit = json!({"delta": 60, "reason": "approved photo review", "reference": "ugc:1"});
    let (status, given) = shop
        .api(&format!("/customers/{id}/points"), credit.clone())
        .await;
    assert_eq!(status, 200, "{given}");
    assert_eq!(given["balance"], 60);
    assert_eq!(given["entry"]["kind"], "staff");
    let (status, twice) = shop.api(&format!("/customers/{id}/points"), credit).await;
    assert_eq!(status, 409, "{twice}");
    let (status, bad) = shop
        .api(
            &format!("/customers/{id}/points"),
            json!({"delta": 0, "reason": " "}),
        )
        .await;
    assert_eq!(status, 422, "{bad}");
    let (_, audit) = shop.api_get("/audit?limit=200").await;
    let entries = audit["entries"].as_array().unwrap();
    assert!(
        entries.iter().any(|e| e["action"] == "points.adjust"
            && e["target"] == format!("customer:{id}")
            && e["details"]["delta"] == 60),
        "{audit:#}"
    );
    let (balance, ledger) = points(&shop, id).await;
    assert_eq!(balance, 60);
    assert!(ledger[0]["note"]
        .as_str()
        .unwrap()
        .contains("approved photo review"));

    let overview = ask(&shop, &ana, "/points", "You have 60 points").await;
    let offered = buttons(&overview);
    assert_eq!(offered.len(), 2, "{offered:?}");
    assert!(offered[0].0.contains("50 points"), "{offered:?}");
    // Too dear: refused, nothing spent.
    let before = shop.sim.messages(shop.bot, ana.id).await.unwrap().len();
    shop.press(&ana, &overview, &offered[1].1).await;
    shop.wait_for(ana.id, "the refusal", |m| {
        has_text(
            &m[before.min(m.len())..],
            "needs 5000 points and you have 60",
        )
    })
    .await;
    assert_eq!(points(&shop, id).await.0, 60);
    // Affordable: the code goes on the cart and the points are debited.
    shop.press(&ana, &overview, &offered[0].1).await;
    let messages = shop
        .wait_for(ana.id, "the code", |m| has_text(m, "points spent"))
        .await;
    let done = text(
        messages
            .iter()
            .rev()
            .find(|m| text(m).contains("points spent"))
            .unwrap(),
    );
    let code: String = done
        .split("Your code ")
        .nth(1)
        .unwrap()
        .split_whitespace()
        .next()
        .unwrap()
        .to_owned();
    assert!(code.starts_with("PTS-"), "{done}");
    assert!(done.contains("Points left: 10"), "{done}");
    let (balance, ledger) = points(&shop, id).await;
    assert_eq!(balance, 10);
    assert_eq!(ledger[0]["kind"], "redeem");
    assert_eq!(ledger[0]["delta"], -50);

    // Checkout uses the code: the order has its 10 % off, and earns on what was paid.
    buy_scarves(&shop, &ana, 1).await;
    let order = latest_order(&shop, id).await;
    assert_eq!(order.discount, order.subtotal / 10, "{order:?}");
    assert_eq!(
        order.discounts.len(),
        1,
        "the reward's promotion: {:?}",
        order.discounts
    );
    let (balance, _) = points(&shop, id).await;
    assert_eq!(balance, 10 + (order.subtotal - order.discount) / 100);
    shop.stop().await;
}

/// The console's customer page: the balance, the last entries and the staff credit form
/// (CSRF-checked, for users who may manage customers, audited); a form with problems comes
/// back 422 with all of them and what was typed, and changes nothing.
async fn the_console_shows_points_and_credits_them(database_url: String) {
    use shop_harness::console::*;
    let shop = start(database_url).await;
    let ana = customer(7505, "Ana");
    welcome(&shop, &ana).await;
    let id = customer_id(&shop, &ana).await;
    let (user, password) = demo(&shop);
    let mut owner = Browser::logged_in(&shop, &user, &password).await;
    let path = format!("/customers/{id}");
    let page = owner.get(&path).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert_eq!(page.testid("points-balance").as_deref(), Some("0"));
    let csrf = page.csrf();
    let post = format!("/customers/{id}/points");

    let done = owner
        .post(
            &post,
            &[
                ("csrf", &csrf),
                ("delta", "30"),
                ("reason", "approved unboxing video"),
                ("reference", "ugc:7"),
            ],
        )
        .await;
    assert_eq!(done.status, 303, "{}", done.body);
    let page = owner.get(&path).await;
    assert_eq!(page.testid("points-balance").as_deref(), Some("30"));
    assert!(
        page.body.contains("approved unboxing video"),
        "{}",
        page.body
    );
    assert!(audited(&shop, &user)
        .await
        .contains(&"console.points.adjust".to_owned()));

    // Problems: all of them, with what was typed; nothing written.
    let bad = owner
        .post(
            &post,
            &[
                ("csrf", &csrf),
                ("delta", "lots"),
                ("reason", ""),
                ("reference", "a b"),
            ],
        )
        .await;
    assert_eq!(bad.status, 422, "{}", bad.body);
    for problem in ["delta:", "reason:", "reference:"] {
        assert!(bad.body.contains(problem), "{problem}: {}", bad.body);
    }
    assert!(bad.body.contains("value=\"lots\""), "{}", bad.body);
    // The same reference again is refused.
    let twice = owner
        .post(
            &post,
            &[
                ("csrf", &csrf),
                ("delta", "30"),
                ("reason", "again"),
                ("reference", "ugc:7"),
            ],
        )
        .await;
    assert_eq!(twice.status, 422, "{}", twice.body);
    // Without the session's CSRF token nothing happens.
    let forged = owner
        .post(&post, &[("delta", "500"), ("reason", "forged")])
        .await;
    assert_eq!(forged.status, 403, "{}", forged.body);
    assert_eq!(
        shop.app.store.points_balance(CustomerId(id)).await.unwrap(),
        30
    );

    // An analyst sees the points but gets no form and cannot post one.
    add_user(
        &shop,
        "ann",
        groupcart_core::console::Role::Analyst,
        "analyst-password-1",
    )
    .await;
    let mut analyst = Browser::logged_in(&shop, "ann", "analyst-password-1").await;
    let page = analyst.get(&path).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert_eq!(page.testid("points-balance").as_deref(), Some("30"));
    assert!(!page.body.contains("points-form"), "{}", page.body);
    let csrf = analyst.csrf().await;
    let refused = analyst
        .post(
            &post,
            &[("csrf", &csrf), ("delta", "5"), ("reason", "mine")],
        )
        .await;
    assert_eq!(refused.status, 403, "{}", refused.body);
    assert_eq!(
        shop.app.store.points_balance(CustomerId(id)).await.unwrap(),
        30
    );
    shop.stop().await;
}

/// A credited referral gives the referrer the configured referral points, once.
async fn a_credited_referral_earns_referral_points(database_url: String) {
    let shop = start(database_url).await;
    let (status, saved) = shop
        .api_send(
            reqwest::Method::PUT,
            "/referral-settings",
            json!({"trigger": "first_start"}),
        )
        .await;
    assert_eq!(status, 200, "{saved}");
    let (status, saved) = shop
        .api_send(
            reqwest::Method::PUT,
            "/points-settings",
            json!({"referral_points": 20}),
        )
        .await;
    assert_eq!(status, 200, "{saved}");

    let ana = customer(7506, "Ana");
    let invite = ask(&shop, &ana, "/invite", "start=r-").await;
    let code: String = text(&invite)
        .split("start=r-")
        .nth(1)
        .unwrap()
        .chars()
        .take(10)
        .collect();
    let bo = customer(7507, "Bo");
    shop.sim
        .send_text(shop.bot, &bo, &format!("/start r-{code}"))
        .await
        .unwrap();
    let ana_id = customer_id(&shop, &ana).await;
    let deadline = std::time::Instant::now() + WAIT;
    let (balance, entries) = loop {
        let (balance, entries) = points(&shop, ana_id).await;
        if balance > 0 {
            break (balance, entries);
        }
        assert!(std::time::Instant::now() < deadline, "no referral points");
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    };
    assert_eq!(balance, 20);
    assert_eq!(entries[0]["kind"], "referral");
    shop.stop().await;
}

/// The daily expiry job takes what is left of credits older than the expiry (12 months by
/// default) and leaves younger ones.
async fn the_daily_job_expires_old_points(database_url: String) {
    let clock = std::sync::Arc::new(AheadClock::default());
    let shop = start_at(database_url, clock.clone()).await;
    let ana = customer(7508, "Ana");
    welcome(&shop, &ana).await;
    let id = customer_id(&shop, &ana).await;
    let give = |delta: i64, reference: &str| json!({"delta": delta, "reason": "correction", "reference": reference});
    let (status, body) = shop
        .api(&format!("/customers/{id}/points"), give(40, "old"))
        .await;
    assert_eq!(status, 200, "{body}");
    clock.advance(Duration::days(200));
    let (status, body) = shop
        .api(&format!("/customers/{id}/points"), give(15, "young"))
        .await;
    assert_eq!(status, 200, "{body}");
    // Past the first credit's 12 months, not the second's.
    clock.advance(Duration::days(200));
    let deadline = std::time::Instant::now() + WAIT;
    let entries = loop {
        let (balance, entries) = points(&shop, id).await;
        if balance == 15 {
            break entries;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "not expired: {entries:#?}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    };
    assert_eq!(entries[0]["kind"], "expire");
    assert_eq!(entries[0]["delta"], -40);
    shop.stop().await;
}

async fn points_earned_lift_a_customer_to_a_points_tier(database_url: String) {
    let shop = start(database_url).await;
    // Silver by spend or by 15 points earned in the year.
    let (status, saved) = shop
        .api_send(
            reqwest::Method::PUT,
            "/tier-settings",
            json!({"tiers": [
                {"key": "member"},
                {"key": "silver", "min_spend": {"USD": 1_000_000}, "min_points": 15},
            ]}),
        )
        .await;
    assert_eq!(status, 200, "{saved}");
    let ana = customer(7530, "Ana");
    welcome(&shop, &ana).await;
    let id = customer_id(&shop, &ana).await;
    let tier = |profile: Value| profile["tier"]["tier"].as_str().map(str::to_owned);

    // Ten points from a check-in are not enough.
    ask(&shop, &ana, "/checkin", "Checked in!").await;
    let (status, _) = shop.api("/crm/recompute", json!({})).await;
    assert_eq!(status, 200);
    let (_, profile) = shop.api_get(&format!("/customers/{id}")).await;
    assert_ne!(tier(profile.clone()), Some("silver".into()), "{profile}");

    // A staff credit brings the year's points to 15: silver, by points alone.
    let (status, body) = shop
        .api(
            &format!("/customers/{id}/points"),
            json!({"delta": 5, "reason": "photo review", "reference": "ugc:1"}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let (status, _) = shop.api("/crm/recompute", json!({})).await;
    assert_eq!(status, 200);
    let (_, profile) = shop.api_get(&format!("/customers/{id}")).await;
    assert_eq!(tier(profile.clone()), Some("silver".into()), "{profile}");

    // Spending points does not take the tier away.
    let mut tx = shop.app.store.begin().await.unwrap();
    tx.add_points_entry(&groupcart_core::points::NewPointsEntry {
        customer_id: CustomerId(id),
        delta: -15,
        kind: groupcart_core::points::PointsKind::Redeem,
        reference: Some("reward:test".into()),
        note: None,
        expires_at: None,
        at: Utc::now(),
    })
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let (status, _) = shop.api("/crm/recompute", json!({})).await;
    assert_eq!(status, 200);
    let (_, profile) = shop.api_get(&format!("/customers/{id}")).await;
    assert_eq!(tier(profile.clone()), Some("silver".into()), "{profile}");

    // A points threshold that does not climb is a field error.
    let (status, refused) = shop
        .api_send(
            reqwest::Method::PUT,
            "/tier-settings",
            json!({"tiers": [
                {"key": "member"},
                {"key": "silver", "min_points": 15},
                {"key": "gold", "min_points": 15},
            ]}),
        )
        .await;
    assert_eq!(status, 422, "{refused}");
    assert_eq!(
        refused["error"]["fields"][0]["field"],
        "tiers[2].min_points"
    );
    shop.stop().await;
}
