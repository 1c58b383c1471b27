//! Broadcasts with photos, to chats, and with the auto-send of an A/B test's winner, end to
//! end through the simulator on SQLite and PostgreSQL: a photo variant arrives as a photo
//! with its caption (and a caption too long is refused, naming the variant and language); a
//! post to two groups arrives in each in the group's language, with each chat's result; an
//! A/B test sends to about its test share, and once the clock passes its hours the variant
//! that got the click goes to the rest, nobody getting two messages, even when the winner's
//! job runs again; staff can pick the winner early, and the job then changes nothing; the
//! winner of a local-time test reaches the rest at 10:00 in each zone the next day, on the
//! day Madrid's clocks go forward too.

#[macro_use]
mod shop_harness;

use shop_harness::*;

use groupcart_core::broadcast::{self, BroadcastId};
use groupcart_core::clock::Clock;
use groupcart_core::customer::CustomerId;
use groupcart_simulator::types::{SentMessage, SimUser};
use serde_json::{json, Value};
use std::sync::Arc;
use std::time::{Duration, Instant};

on_both_databases!(
    a_photo_variant_arrives_as_a_photo_with_its_caption,
    a_post_reaches_each_group_in_its_language,
    the_winner_goes_to_the_rest_once,
    staff_pick_the_winner_early,
    a_local_winner_keeps_ten_oclock_across_daylight_saving,
);

async fn plan(shop: &Shop, body: Value) -> Value {
    let (status, planned) = shop.api("/broadcasts", body).await;
    assert_eq!(status, 201, "{planned}");
    planned
}

/// Waits until the broadcast's recipients are in these states.
async fn wait_for_states(shop: &Shop, id: &Value, wanted: &[(&str, i64)]) -> Value {
    let deadline = Instant::now() + Duration::from_secs(40);
    loop {
        let (status, p) = shop.api_get(&format!("/broadcasts/{id}")).await;
        assert_eq!(status, 200, "{p}");
        if wanted.iter().all(|(state, n)| p["states"][state] == *n) {
            return p;
        }
        assert!(Instant::now() < deadline, "never reached {wanted:?}: {p}");
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

async fn a_photo_variant_arrives_as_a_photo_with_its_caption(database_url: String) {
    let shop = start(database_url).await;
    let guests = people(7901, 2);
    for guest in &guests {
        welcome(&shop, guest).await;
    }
    // Telegram's caption limit, checked per language when the broadcast is planned.
    let (status, body) = shop
        .api(
            "/broadcasts",
            json!({"name": "Too long", "rule": "marketing",
                   "variants": [{"texts": {"en": "Short", "es": "x".repeat(1100)},
                                 "photo": "https://example.com/tea.jpg"}]}),
        )
        .await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(
        body["error"]["fields"][0]["field"], "variants[0].texts.es",
        "{body}"
    );

    let planned = plan(
        &shop,
        json!({"name": "Tea picture", "rule": "marketing",
               "variants": [{"texts": {"en": "Fresh oolong for {name}"},
                             "photo": "https://example.com/oolong.jpg",
                             "buttons": [[{"text": "See it", "url": "https://t.me/demo_shop_bot?start=p-silk-scarf"}]]}]}),
    )
    .await;
    assert_eq!(
        planned["broadcast"]["variants"][0]["photo"],
        "https://example.com/oolong.jpg"
    );
    let id = planned["broadcast"]["id"].clone();
    wait_for_states(&shop, &id, &[("delivered", 2)]).await;
    for guest in &guests {
        let messages = bot_messages(&shop, guest).await;
        let caption = format!("Fresh oolong for {}", guest.first_name);
        let posts: Vec<&SentMessage> = messages
            .iter()
            .filter(|m| text(m).contains("Fresh oolong"))
            .collect();
        assert_eq!(posts.len(), 1, "{messages:#?}");
        assert!(posts[0].photo.is_some(), "not a photo: {:?}", posts[0]);
        assert_eq!(text(posts[0]), caption);
        assert!(posts[0].reply_markup.is_some());
    }
    shop.stop().await;
}

async fn a_post_reaches_each_group_in_its_language(database_url: String) {
    const SPANISH: i64 = -1_007_001;
    const ENGLISH: i64 = -1_007_002;
    let shop = start(database_url).await;
    group_with_the_bot(&shop, SPANISH, "Amigos del té").await;
    group_with_the_bot(&shop, ENGLISH, "Tea friends").await;
    let (status, body) = shop
        .api_send(
            reqwest::Method::PUT,
            &format!("/chats/demo/{SPANISH}/settings"),
            json!({"role": "topic_group", "language": "es"}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let texts = json!({"en": "New teas are in, {name}", "es": "Llegaron tés nuevos, {name}"});

    // Chats are not people: no local time, no A/B test; and only chats the bot knows.
    for (bad, field) in [
        (json!({"chats": [SPANISH, -1_007_999]}), "chats"),
        (
            json!({"chats": [SPANISH], "local_time": "2030-01-01T10:00:00"}),
            "local_time",
        ),
        (
            json!({"chats": [SPANISH], "holdout_percent": 10}),
            "holdout_percent",
        ),
        (json!({"chats": [SPANISH], "rule": "marketing"}), "rule"),
    ] {
        let mut draft = json!({"name": "Bad post", "variants": [{"texts": texts}]});
        for (key, value) in bad.as_object().unwrap() {
            draft[key] = value.clone();
        }
        let (status, body) = shop.api("/broadcasts", draft).await;
        assert_eq!(status, 422, "{body}");
        let fields: Vec<&str> = body["error"]["fields"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["field"].as_str().unwrap())
            .collect();
        assert!(fields.contains(&field), "{field}: {body}");
    }

    let planned = plan(
        &shop,
        json!({"name": "Group post", "chats": [SPANISH, ENGLISH], "variants": [{"texts": texts}]}),
    )
    .await;
    assert_eq!(planned["recipients"], 2, "{planned}");
    let id = planned["broadcast"]["id"].clone();
    wait_for_states(&shop, &id, &[("delivered", 2)]).await;
    let spanish = shop.sim.transcript(shop.bot, SPANISH).await.unwrap();
    let english = shop.sim.transcript(shop.bot, ENGLISH).await.unwrap();
    assert_eq!(count(&spanish, "Llegaron tés nuevos, Amigos del té"), 1);
    assert_eq!(count(&spanish, "New teas"), 0);
    assert_eq!(count(&english, "New teas are in, Tea friends"), 1);
    assert_eq!(count(&english, "Llegaron"), 0);

    let (status, results) = shop.api_get(&format!("/broadcasts/{id}/results")).await;
    assert_eq!(status, 200, "{results}");
    let mut chats = results["chats"].as_array().unwrap().clone();
    chats.sort_by_key(|c| c["chat_id"].as_i64());
    assert_eq!(
        json!(chats),
        json!([
            {"chat_id": ENGLISH, "title": "Tea friends", "state": "delivered"},
            {"chat_id": SPANISH, "title": "Amigos del té", "state": "delivered"},
        ]),
        "{results}"
    );
    shop.stop().await;
}

/// Each guest's stored assignment: `Some(v)` in the test, `None` awaiting the winner.
async fn assignments(shop: &Shop, id: BroadcastId, guests: &[SimUser]) -> Vec<Option<u8>> {
    let mut out = Vec::new();
    for guest in guests {
        let customer = CustomerId(customer_id(shop, guest).await);
        let assigned = shop
            .app
            .store
            .broadcast_assignment(id, customer)
            .await
            .unwrap()
            .expect("a recipient");
        out.push(assigned);
    }
    out
}

const LETTERS: [&str; 2] = ["Alpha", "Beta"];

fn ab_draft(test_percent: u8) -> Value {
    json!({"name": "Tea test", "rule": "marketing",
           "variants": [
               {"texts": {"en": "Alpha tea for {name}"}},
               {"texts": {"en": "Beta tea for {name}"}}
           ],
           "winner": {"test_percent": test_percent, "after_hours": 6, "metric": "clicks"}})
}

async fn the_winner_goes_to_the_rest_once(database_url: String) {
    let clock = Arc::new(AheadClock::default());
    let shop = start_at(database_url, clock.clone()).await;
    let guests = people(8001, 40);
    for guest in &guests {
        welcome(&shop, guest).await;
    }
    let planned = plan(&shop, ab_draft(20)).await;
    let tested = 40 - planned["awaiting_winner"].as_i64().unwrap();
    // About a fifth (binomial: 8 expected).
    assert!((1..=18).contains(&tested), "{planned}");
    let id = planned["broadcast"]["id"].clone();
    let broadcast_id = BroadcastId(id.as_i64().unwrap());
    wait_for_states(
        &shop,
        &id,
        &[("delivered", tested), ("awaiting_winner", 40 - tested)],
    )
    .await;
    let assigned = assignments(&shop, broadcast_id, &guests).await;
    for (guest, variant) in guests.iter().zip(&assigned) {
        let expected = usize::from(variant.is_some());
        assert_eq!(received(&shop, guest, "tea for").await, expected);
    }

    // The first tested guest follows a deep link: their variant gets the only click.
    let (clicker, winner) = guests
        .iter()
        .zip(&assigned)
        .find_map(|(g, v)| v.map(|v| (g, v)))
        .unwrap();
    shop.sim
        .send_text(shop.bot, clicker, "/start p-silk-scarf")
        .await
        .unwrap();
    shop.wait_for(clicker.id, "the product card", |m| {
        m.iter().any(|m| m.photo.is_some())
    })
    .await;
    let deadline = Instant::now() + WAIT;
    loop {
        let (_, results) = shop.api_get(&format!("/broadcasts/{id}/results")).await;
        let clicks: Vec<i64> = results["variants"]
            .as_array()
            .unwrap()
            .iter()
            .map(|o| o["clicked"].as_i64().unwrap())
            .collect();
        if clicks.iter().sum::<i64>() == 1 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the click never counted: {results}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    // Not before its hours.
    clock.advance(chrono::Duration::hours(5));
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let (_, p) = shop.api_get(&format!("/broadcasts/{id}")).await;
    assert_eq!(p["states"]["awaiting_winner"], 40 - tested, "{p}");
    assert!(p["broadcast"]["winner_variant"].is_null(), "{p}");

    clock.advance(chrono::Duration::hours(1) + chrono::Duration::minutes(1));
    let p = wait_for_states(
        &shop,
        &id,
        &[("delivered", 40), ("awaiting_winner", 0), ("planned", 0)],
    )
    .await;
    assert_eq!(p["broadcast"]["winner_variant"], winner, "{p}");
    assert_eq!(p["broadcast"]["status"], "done", "{p}");
    let (_, results) = shop.api_get(&format!("/broadcasts/{id}/results")).await;
    assert_eq!(results["winner_variant"], winner, "{results}");

    // The job run again (a crash before it was marked done) sends nothing more.
    let outcomes = shop
        .app
        .store
        .broadcast_outcomes(broadcast_id)
        .await
        .unwrap();
    let mut tx = shop.app.store.begin().await.unwrap();
    let again = broadcast::pick_winner_when_due(
        tx.as_mut(),
        broadcast_id,
        &outcomes,
        "USD",
        "UTC",
        clock.now(),
    )
    .await
    .unwrap();
    assert_eq!(again, None);
    tx.schedule_job(&broadcast::winner_job(broadcast_id, clock.now()))
        .await
        .unwrap()
        .expect("the first run is done");
    tx.commit().await.unwrap();
    tokio::time::sleep(Duration::from_millis(2000)).await;

    // Everyone got one message: their test variant, or the winner.
    for (guest, variant) in guests.iter().zip(&assigned) {
        assert_eq!(
            received(&shop, guest, "tea for").await,
            1,
            "{} got two",
            guest.first_name
        );
        let letter = LETTERS[usize::from(variant.unwrap_or(winner))];
        assert_eq!(
            received(
                &shop,
                guest,
                &format!("{letter} tea for {}", guest.first_name)
            )
            .await,
            1
        );
    }
    let (_, p) = shop.api_get(&format!("/broadcasts/{id}")).await;
    assert_eq!(p["states"]["delivered"], 40, "{p}");
    shop.stop().await;
}

async fn staff_pick_the_winner_early(database_url: String) {
    let clock = Arc::new(AheadClock::default());
    let shop = start_at(database_url, clock.clone()).await;
    let guests = people(8101, 12);
    for guest in &guests {
        welcome(&shop, guest).await;
    }
    let planned = plan(&shop, ab_draft(50)).await;
    let awaiting = planned["awaiting_winner"].as_i64().unwrap();
    let id = planned["broadcast"]["id"].clone();
    wait_for_states(
        &shop,
        &id,
        &[("delivered", 12 - awaiting), ("awaiting_winner", awaiting)],
    )
    .await;

    let pick = |variant: Value| {
        let shop = &shop;
        let id = id.clone();
        async move {
            shop.api(
                &format!("/broadcasts/{id}/winner"),
                json!({ "variant": variant }),
            )
            .await
        }
    };
    let (status, body) = pick(json!(2)).await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["error"]["fields"][0]["field"], "variant", "{body}");
    let (status, body) = pick(json!(1)).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["winner_variant"], 1, "{body}");
    let (status, body) = pick(json!(0)).await;
    assert_eq!(status, 409, "{body}");

    wait_for_states(
        &shop,
        &id,
        &[("delivered", 12), ("awaiting_winner", 0), ("planned", 0)],
    )
    .await;
    // The job's time comes: the staff's choice stands and nobody hears twice.
    clock.advance(chrono::Duration::hours(7));
    tokio::time::sleep(Duration::from_millis(2000)).await;
    let assigned = assignments(&shop, BroadcastId(id.as_i64().unwrap()), &guests).await;
    for (guest, variant) in guests.iter().zip(&assigned) {
        assert_eq!(received(&shop, guest, "tea for").await, 1);
        let letter = LETTERS[usize::from(variant.expect("everyone has a variant now"))];
        assert_eq!(received(&shop, guest, &format!("{letter} tea")).await, 1);
    }
    let (_, p) = shop.api_get(&format!("/broadcasts/{id}")).await;
    assert_eq!(p["broadcast"]["winner_variant"], 1, "{p}");
    shop.stop().await;
}

async fn a_local_winner_keeps_ten_oclock_across_daylight_saving(database_url: String) {
    use chrono::{TimeZone, Utc};
    let clock = Arc::new(AheadClock::default());
    let shop = start_at(database_url, clock.clone()).await;
    let zones = ["Asia/Tokyo", "Europe/Madrid"];
    let guests = people(8201, 12);
    for (i, guest) in guests.iter().enumerate() {
        welcome(&shop, guest).await;
        let id = customer_id(&shop, guest).await;
        let (status, body) = shop
            .api_send(
                reqwest::Method::PATCH,
                &format!("/customers/{id}"),
                json!({ "time_zone": zones[i % 2] }),
            )
            .await;
        assert_eq!(status, 200, "{body}");
    }
    // Friday evening before Madrid's clocks go forward (Sunday 2027-03-28, 02:00 CET).
    let friday = Utc.with_ymd_and_hms(2027, 3, 26, 20, 0, 0).unwrap();
    clock.advance(friday - clock.now());
    let mut draft = ab_draft(10);
    draft["local_time"] = json!("2027-03-27T10:00:00");
    draft["winner"]["after_hours"] = json!(12);
    let planned = plan(&shop, draft).await;
    let id = planned["broadcast"]["id"].clone();
    let assigned = assignments(&shop, BroadcastId(id.as_i64().unwrap()), &guests).await;
    let tested = assigned.iter().filter(|a| a.is_some()).count() as i64;
    let waiting_in = |zone: usize| {
        (0..guests.len())
            .filter(|&i| i % 2 == zone && assigned[i].is_none())
            .collect::<Vec<_>>()
    };
    let (tokyo, madrid) = (waiting_in(0), waiting_in(1));
    assert!(!tokyo.is_empty() && !madrid.is_empty(), "{assigned:?}");

    // Saturday 10:00 in Tokyo is 01:00 UTC; the winner is picked 12 hours after that.
    clock.advance(Utc.with_ymd_and_hms(2027, 3, 27, 13, 1, 0).unwrap() - clock.now());
    let p = wait_for_states(&shop, &id, &[("delivered", tested), ("awaiting_winner", 0)]).await;
    assert!(!p["broadcast"]["winner_variant"].is_null(), "{p}");

    // Sunday 10:00 in Tokyo (01:00 UTC): Tokyo's rest, nobody in Madrid.
    clock.advance(Utc.with_ymd_and_hms(2027, 3, 28, 1, 0, 1).unwrap() - clock.now());
    wait_for_states(&shop, &id, &[("delivered", tested + tokyo.len() as i64)]).await;
    for &i in &madrid {
        assert_eq!(received(&shop, &guests[i], "tea for").await, 0);
    }
    // Sunday 10:00 in Madrid is 08:00 UTC in summer time (not 09:00, a day of 24 hours on).
    clock.advance(Utc.with_ymd_and_hms(2027, 3, 28, 7, 58, 0).unwrap() - clock.now());
    tokio::time::sleep(Duration::from_millis(1500)).await;
    for &i in &madrid {
        assert_eq!(
            received(&shop, &guests[i], "tea for").await,
            0,
            "before 10:00"
        );
    }
    clock.advance(Utc.with_ymd_and_hms(2027, 3, 28, 8, 0, 1).unwrap() - clock.now());
    let p = wait_for_states(&shop, &id, &[("delivered", 12), ("planned", 0)]).await;
    assert_eq!(p["broadcast"]["status"], "done", "{p}");
    for guest in &guests {
        assert_eq!(received(&shop, guest, "tea for").await, 1);
    }
    shop.stop().await;
}
