//! Broadcasts end to end through the simulator, on SQLite and PostgreSQL: a local-time
//! broadcast reaches customers in three time zones at 10:00 each; an A/B broadcast stores
//! each recipient's variant and attributes an order to the right one; opting out in
//! `/settings` mid-broadcast stops delivery to that person, whether their message was
//! waiting in the outbox or not yet released; and a restart mid-broadcast resumes without
//! sending anyone the message twice.

#[macro_use]
mod shop_harness;

use shop_harness::*;

use groupcart_core::broadcast::BroadcastId;
use groupcart_core::clock::Clock;
use groupcart_core::customer::CustomerId;
use groupcart_simulator::types::{SentMessage, SimUser};
use groupcart_simulator::{RunningSim, SimConfig, Simulator};
use serde_json::{json, Value};
use std::sync::Arc;
use std::time::{Duration, Instant};

on_both_databases!(
    a_local_time_reaches_each_zone_at_ten,
    ab_variants_are_stored_and_orders_attributed,
    opting_out_mid_broadcast_stops_delivery,
    a_restart_mid_broadcast_sends_nothing_twice,
);

async fn plan(shop: &Shop, body: Value) -> Value {
    let (status, planned) = shop.api("/broadcasts", body).await;
    assert_eq!(status, 201, "{planned}");
    planned
}

async fn progress(shop: &Shop, id: &Value) -> Value {
    let (status, progress) = shop.api_get(&format!("/broadcasts/{id}")).await;
    assert_eq!(status, 200, "{progress}");
    progress
}

/// Waits until the broadcast's recipients are in these states (others zero).
async fn wait_for_states(shop: &Shop, id: &Value, wanted: &[(&str, i64)]) -> Value {
    let deadline = Instant::now() + Duration::from_secs(40);
    loop {
        let p = progress(shop, id).await;
        if wanted.iter().all(|(state, n)| p["states"][state] == *n) {
            return p;
        }
        assert!(Instant::now() < deadline, "never reached {wanted:?}: {p}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Waits until the broadcast is done (its last release finds nothing left to send).
async fn wait_until_done(shop: &Shop, id: &Value) -> Value {
    let deadline = Instant::now() + Duration::from_secs(40);
    loop {
        let p = progress(shop, id).await;
        if p["broadcast"]["status"] == "done" {
            return p;
        }
        assert!(Instant::now() < deadline, "never done: {p}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn bot_messages(shop: &Shop, who: &SimUser) -> Vec<SentMessage> {
    shop.sim
        .messages(shop.bot, who.id)
        .await
        .unwrap()
        .into_iter()
        .filter(|m| m.from_bot)
        .collect()
}

async fn received(shop: &Shop, who: &SimUser, needle: &str) -> usize {
    count(&bot_messages(shop, who).await, needle)
}

fn people(first_id: i64, n: i64) -> Vec<SimUser> {
    (0..n)
        .map(|i| customer(first_id + i, &format!("Guest{i}")))
        .collect()
}

async fn a_local_time_reaches_each_zone_at_ten(database_url: String) {
    let clock = Arc::new(AheadClock::default());
    let shop = start_at(database_url, clock.clone()).await;
    let zones = ["Asia/Tokyo", "Europe/Madrid", "America/Sao_Paulo"];
    let guests = people(7401, 3);
    for (guest, zone) in guests.iter().zip(zones) {
        welcome(&shop, guest).await;
        let id = customer_id(&shop, guest).await;
        let (status, body) = shop
            .api_send(
                reqwest::Method::PATCH,
                &format!("/customers/{id}"),
                json!({ "time_zone": zone }),
            )
            .await;
        assert_eq!(status, 200, "{body}");
    }
    let day = (clock.now() + chrono::Duration::days(2)).date_naive();
    let ten = day.and_hms_opt(10, 0, 0).unwrap();
    let planned = plan(
        &shop,
        json!({"name": "Morning drop", "rule": "", "local_time": ten,
               "variants": [{"texts": {"en": "Good morning {name}, new tea is in"}}]}),
    )
    .await;
    assert_eq!(planned["recipients"], 3, "{planned}");
    let id = &planned["broadcast"]["id"];

    // Tokyo's 10:00 comes first, then Madrid's, then São Paulo's.
    for (i, zone) in zones.iter().enumerate() {
        let at = groupcart_core::time_zone::local_to_utc(ten, zone);
        clock.advance(at - chrono::Duration::minutes(2) - clock.now());
        tokio::time::sleep(Duration::from_millis(1500)).await;
        assert_eq!(
            received(&shop, &guests[i], "Good morning").await,
            0,
            "not before 10:00 in {zone}"
        );
        clock.advance(at + chrono::Duration::seconds(1) - clock.now());
        shop.wait_for(guests[i].id, &format!("10:00 in {zone}"), |m| {
            has_text(m, &format!("Good morning Guest{i}, new tea is in"))
        })
        .await;
        for later in &guests[i + 1..] {
            assert_eq!(received(&shop, later, "Good morning").await, 0);
        }
    }
    let p = wait_for_states(&shop, id, &[("delivered", 3), ("planned", 0)]).await;
    assert_eq!(p["broadcast"]["status"], "done", "{p}");
    shop.stop().await;
}

async fn ab_variants_are_stored_and_orders_attributed(database_url: String) {
    let shop = start(database_url).await;
    let guests = people(7501, 8);
    for guest in &guests {
        welcome(&shop, guest).await;
    }
    // One who blocked the bot is matched but not reached.
    let blocker = customer(7599, "Blocker");
    welcome(&shop, &blocker).await;
    shop.sim.block(shop.bot, &blocker).await.unwrap();
    let blocker_id = customer_id(&shop, &blocker).await;
    let deadline = Instant::now() + WAIT;
    while shop.api_get(&format!("/customers/{blocker_id}")).await.1["bot_blocked_at"].is_null() {
        assert!(Instant::now() < deadline, "the block was never recorded");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    let planned = plan(
        &shop,
        json!({"name": "Scarf offer", "rule": "marketing",
               "variants": [
                   {"texts": {"en": "Offer A for {name}: silk scarves"}},
                   {"texts": {"en": "Offer B for {name}: silk scarves"}}
               ],
               "attribution_hours": 24}),
    )
    .await;
    assert_eq!(
        (&planned["matched"], &planned["recipients"]),
        (&json!(9), &json!(8))
    );
    let id = planned["broadcast"]["id"].clone();
    wait_for_states(&shop, &id, &[("delivered", 8)]).await;

    // Each got the text of the variant stored for them, once.
    let mut variant_of = Vec::new();
    for guest in &guests {
        let cid = CustomerId(customer_id(&shop, guest).await);
        let stored = shop
            .app
            .store
            .broadcast_assignment(BroadcastId(id.as_i64().unwrap()), cid)
            .await
            .unwrap()
            .expect("a recipient")
            .expect("not held out");
        let letter = ["A", "B"][usize::from(stored)];
        let needle = format!("Offer {letter} for {}", guest.first_name);
        assert_eq!(received(&shop, guest, &needle).await, 1, "{needle}");
        assert_eq!(received(&shop, guest, "Offer ").await, 1);
        variant_of.push(stored);
    }
    assert_eq!(received(&shop, &blocker, "Offer ").await, 0);

    // The first guest follows the offer and buys: the order counts for their variant only.
    buy_scarves(&shop, &guests[0], 1).await;
    let (status, results) = shop.api_get(&format!("/broadcasts/{id}/results")).await;
    assert_eq!(status, 200, "{results}");
    let outcomes = results["variants"].as_array().unwrap();
    let delivered: i64 = outcomes
        .iter()
        .map(|o| o["delivered"].as_i64().unwrap())
        .sum();
    assert_eq!(delivered, 8, "{results}");
    for outcome in outcomes {
        let mine = outcome["variant"] == json!(variant_of[0]);
        assert_eq!(outcome["buyers"], i64::from(mine), "{results}");
        assert_eq!(outcome["clicked"], i64::from(mine), "{results}");
        if mine {
            assert_eq!(outcome["orders"][0]["currency"], "USD");
            assert_eq!(outcome["orders"][0]["orders"], 1);
        } else {
            assert_eq!(outcome["orders"], json!([]));
        }
    }
    shop.stop().await;
}

/// Welcomes the guests and opens `/settings` for each (its button is what they tap later);
/// returns each one's settings message.
async fn onboard_with_settings(shop: &Shop, guests: &[SimUser]) -> Vec<SentMessage> {
    let mut settings = Vec::new();
    for guest in guests {
        welcome(shop, guest).await;
        shop.sim
            .send_text(shop.bot, guest, "/settings")
            .await
            .unwrap();
        let messages = shop
            .wait_for(guest.id, "the settings", |m| {
                has_text(m, "News and offers: on")
            })
            .await;
        settings.push(messages.last().unwrap().clone());
    }
    settings
}

/// A simulator that outlives the app's restarts.
async fn outside_simulator() -> RunningSim {
    Simulator::new(SimConfig::default())
        .spawn_local()
        .await
        .unwrap()
}

async fn opting_out_mid_broadcast_stops_delivery(database_url: String) {
    let sim = outside_simulator().await;
    let shop = start_outside(database_url.clone(), &sim.url(), |_| {}).await;
    let guests = people(7601, 8);
    let settings = onboard_with_settings(&shop, &guests).await;
    shop.stop().await;

    // One message a second: two are released into the outbox at once (two seconds' worth),
    // the rest wait.
    let shop = start_outside(database_url, &sim.url(), |c| {
        c.telegram.limits.global_per_sec = 1.0
    })
    .await;
    let planned = plan(
        &shop,
        json!({"name": "Slow news", "rule": "marketing",
               "variants": [{"texts": {"en": "Slow news for {name}"}}]}),
    )
    .await;
    let id = planned["broadcast"]["id"].clone();
    // The fifth guest's message is waiting in the outbox, the eighth's is not released.
    wait_for_states(&shop, &id, &[("planned", 3)]).await;
    for i in [4, 7] {
        shop.press(&guests[i], &settings[i], "marketing:off").await;
    }
    wait_for_states(
        &shop,
        &id,
        &[
            ("delivered", 6),
            ("skipped", 2),
            ("planned", 0),
            ("waiting", 0),
        ],
    )
    .await;
    wait_until_done(&shop, &id).await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    for (i, guest) in guests.iter().enumerate() {
        let expected = usize::from(![4, 7].contains(&i));
        assert_eq!(
            received(&shop, guest, "Slow news for").await,
            expected,
            "guest {i}"
        );
    }
    shop.stop().await;
}

async fn a_restart_mid_broadcast_sends_nothing_twice(database_url: String) {
    let sim = outside_simulator().await;
    let shop = start_outside(database_url.clone(), &sim.url(), |_| {}).await;
    let guests = people(7701, 10);
    for guest in &guests {
        welcome(&shop, guest).await;
    }
    shop.stop().await;

    let shop = start_outside(database_url.clone(), &sim.url(), |c| {
        c.telegram.limits.global_per_sec = 2.0
    })
    .await;
    let planned = plan(
        &shop,
        json!({"name": "Restart-proof", "rule": "",
               "variants": [{"texts": {"en": "Once only, {name}"}}]}),
    )
    .await;
    let id = planned["broadcast"]["id"].clone();
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let p = progress(&shop, &id).await;
        if p["states"]["delivered"].as_i64().unwrap() >= 3 {
            break;
        }
        assert!(Instant::now() < deadline, "no progress: {p}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    shop.stop().await;

    let shop = start_outside(database_url, &sim.url(), |_| {}).await;
    wait_for_states(
        &shop,
        &id,
        &[("delivered", 10), ("planned", 0), ("waiting", 0)],
    )
    .await;
    tokio::time::sleep(Duration::from_millis(1000)).await;
    for guest in &guests {
        assert_eq!(received(&shop, guest, "Once only").await, 1, "{}", guest.id);
    }
    shop.stop().await;
}
