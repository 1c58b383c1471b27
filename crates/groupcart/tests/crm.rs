//! Customer relationships end to end through the simulator, on SQLite and PostgreSQL: a
//! customer moves new → active → loyal as orders are paid and to churned when the clock
//! moves 180 days on; segment previews match a brute-force count over the profiles; staff
//! change a profile's tags and time zone; `/settings` turns marketing off.

#[macro_use]
mod shop_harness;

use shop_harness::*;

use groupcart_simulator::types::SimUser;
use serde_json::{json, Value};
use std::sync::Arc;
use std::time::{Duration, Instant};

on_both_databases!(
    stages_follow_orders_and_time,
    segment_previews_match_a_brute_force_count,
    settings_turn_marketing_off_in_one_tap,
);

async fn profile(shop: &Shop, id: i64) -> Value {
    let (status, profile) = shop.api_get(&format!("/customers/{id}")).await;
    assert_eq!(status, 200, "{profile}");
    profile
}

/// Waits until the customer's stage is `stage`.
async fn wait_for_stage(shop: &Shop, id: i64, stage: &str) -> Value {
    let deadline = Instant::now() + WAIT;
    loop {
        let p = profile(shop, id).await;
        if p["stage"] == stage {
            return p;
        }
        assert!(
            Instant::now() < deadline,
            "customer {id} never became {stage}: {p}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn stage_changes(shop: &Shop, id: i64) -> Vec<(String, String)> {
    let events = shop
        .app
        .store
        .recent_events(Some("lifecycle_changed"), 100)
        .await
        .unwrap();
    let mut changes: Vec<(String, String)> = events
        .iter()
        .rev()
        .filter(|e| e.event.customer_id.map(|c| c.0) == Some(id))
        .map(|e| {
            (
                e.event.data["from"].as_str().unwrap().to_owned(),
                e.event.data["to"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    changes.dedup();
    changes
}

async fn stages_follow_orders_and_time(database_url: String) {
    let clock = Arc::new(AheadClock::default());
    let shop = start_at(database_url, clock.clone()).await;
    restock_scarves(&shop, 20).await;
    let ana = customer(7101, "Ana");
    let bob = customer(7102, "Bob");
    welcome(&shop, &ana).await;
    let ana_id = customer_id(&shop, &ana).await;
    let p = profile(&shop, ana_id).await;
    assert_eq!((&p["stage"], &p["orders_paid"]), (&json!("new"), &json!(0)));
    assert_eq!(p["marketing"], true);

    // One paid order: active.
    buy_scarves(&shop, &ana, 2).await;
    let p = wait_for_stage(&shop, ana_id, "active").await;
    assert_eq!(p["orders_paid"], 1);
    assert_eq!(p["lifetime_value"][0]["orders"], 1);

    // Bob's single cheaper order keeps the shop's average below Ana's; her fourth order
    // makes her loyal ("more than 3 paid orders and above the average").
    buy_scarves(&shop, &bob, 1).await;
    for _ in 0..2 {
        buy_scarves(&shop, &ana, 2).await;
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(profile(&shop, ana_id).await["stage"], "active", "3 orders");
    buy_scarves(&shop, &ana, 2).await;
    let p = wait_for_stage(&shop, ana_id, "loyal").await;
    assert_eq!(p["orders_paid"], 4);
    assert_eq!(p["lifetime_value"][0]["currency"], "USD");
    assert_eq!(p["lifetime_value"][0]["orders"], 4);

    // Half a year of silence: the daily recompute finds her churned.
    clock.advance(chrono::Duration::days(181));
    let p = wait_for_stage(&shop, ana_id, "churned").await;
    assert!(p["rfm"].is_object(), "scored by the recompute: {p}");
    assert_eq!(
        stage_changes(&shop, ana_id).await,
        [
            ("new".to_owned(), "active".to_owned()),
            ("active".to_owned(), "loyal".to_owned()),
            ("loyal".to_owned(), "churned".to_owned()),
        ]
    );
    let (status, stages) = shop.api_get("/crm/stages").await;
    assert_eq!(status, 200);
    assert_eq!(stages["churned"], 2, "{stages}");
    assert_eq!(stages["loyal"], 0, "{stages}");
    shop.stop().await;
}

struct Person {
    user: SimUser,
    /// Accepts marketing (else only service messages).
    marketing: bool,
    tags: &'static [&'static str],
    country: Option<&'static str>,
}

fn person(id: i64, name: &str, language: &str, marketing: bool) -> Person {
    Person {
        user: SimUser {
            id,
            first_name: name.into(),
            last_name: None,
            username: None,
            language_code: Some(language.into()),
        },
        marketing,
        tags: &[],
        country: None,
    }
}

/// `/start` and the consent choice (all, or service only), in the customer's language.
async fn onboard(shop: &Shop, who: &Person) {
    shop.sim
        .send_text(shop.bot, &who.user, "/start")
        .await
        .unwrap();
    let wanted = if who.marketing {
        "consent:all"
    } else {
        "consent:service"
    };
    let messages = shop
        .wait_for(who.user.id, "the privacy notice", |m| {
            m.iter().any(|m| {
                m.reply_markup
                    .as_ref()
                    .is_some_and(|k| k.to_string().contains(wanted))
            })
        })
        .await;
    let notice = messages.last().unwrap().clone();
    shop.press(&who.user, &notice, wanted).await;
    shop.wait_for(who.user.id, "the confirmation", |m| {
        m.last().is_some_and(|m| m.edited)
    })
    .await;
}

async fn preview(shop: &Shop, rule: &str) -> Value {
    let (status, preview) = shop.api("/segments/preview", json!({ "rule": rule })).await;
    assert_eq!(status, 200, "{rule}: {preview}");
    preview
}

async fn segment_previews_match_a_brute_force_count(database_url: String) {
    let shop = start(database_url).await;
    let mut people = vec![
        person(7201, "Ana", "es", true),
        person(7202, "Ben", "en", true),
        person(7203, "Chen", "ru", false),
        person(7204, "Dara", "id", true),
        person(7205, "Eva", "es", false),
        person(7206, "Femi", "en", true),
        person(7207, "Gus", "ar", true),
    ];
    people[0].tags = &["vip", "baby"];
    people[2].tags = &["vip"];
    people[3].country = Some("ID");
    people[3].tags = &["baby"];
    people[5].country = Some("NG");
    for p in &people {
        onboard(&shop, p).await;
    }
    for p in &people {
        let id = customer_id(&shop, &p.user).await;
        let mut change = json!({ "tags": p.tags });
        if let Some(country) = p.country {
            change["country"] = json!(country);
        }
        let (status, body) = shop
            .api_send(reqwest::Method::PATCH, &format!("/customers/{id}"), change)
            .await;
        assert_eq!(status, 200, "{body}");
    }
    // Ben buys (a paid order, and the stage that goes with it).
    buy_scarves(&shop, &people[1].user, 1).await;
    let ben = customer_id(&shop, &people[1].user).await;
    wait_for_stage(&shop, ben, "active").await;

    let mut profiles = Vec::new();
    for p in &people {
        profiles.push(profile(&shop, customer_id(&shop, &p.user).await).await);
    }
    let has_tag = |p: &Value, tag: &str| p["tags"].as_array().unwrap().iter().any(|t| t == tag);
    let language = |p: &Value| {
        p["language"]
            .as_str()
            .or(p["telegram_language"].as_str())
            .unwrap_or_default()
            .to_lowercase()
    };
    type Check<'a> = Box<dyn Fn(&Value) -> bool + 'a>;
    let cases: Vec<(&str, Check)> = vec![
        ("language = es", Box::new(|p| language(p) == "es")),
        (
            "tag = vip and marketing",
            Box::new(|p| has_tag(p, "vip") && p["marketing"] == true),
        ),
        (
            "orders >= 1 or country = ID",
            Box::new(|p| p["orders_paid"].as_i64().unwrap() >= 1 || p["country"] == "ID"),
        ),
        (
            "not (language in (en, es)) and tag != baby",
            Box::new(|p| !["en", "es"].contains(&language(p).as_str()) && !has_tag(p, "baby")),
        ),
        (
            "stage in (new, active) and days_since_joined < 1 and not blocked",
            Box::new(|p| ["new", "active"].contains(&p["stage"].as_str().unwrap())),
        ),
        ("stage = active", Box::new(|p| p["stage"] == "active")),
        ("", Box::new(|_| true)),
    ];
    for (rule, check) in &cases {
        let expected = profiles.iter().filter(|p| check(p)).count();
        let reachable = profiles
            .iter()
            .filter(|p| check(p) && p["marketing"] == true)
            .count();
        let got = preview(&shop, rule).await;
        assert_eq!(got["count"], expected, "{rule}: {got}");
        assert_eq!(got["reachable"], reachable, "{rule}: {got}");
        assert_eq!(
            got["sample"].as_array().unwrap().len(),
            expected.min(10),
            "{rule}"
        );
    }
    // Rules that do not parse say where.
    let (status, refused) = shop
        .api(
            "/segments/preview",
            json!({"rule": "language = es and colour = red"}),
        )
        .await;
    assert_eq!(status, 422, "{refused}");
    assert_eq!(refused["error"]["fields"][0]["field"], "rule");
    assert!(
        refused["error"]["fields"][0]["message"]
            .as_str()
            .unwrap()
            .contains("unknown field `colour`"),
        "{refused}"
    );

    // A saved segment previews the same; names are unique.
    let (status, saved) = shop
        .api(
            "/segments",
            json!({"name": "Spanish speakers", "rule": "language = es"}),
        )
        .await;
    assert_eq!(status, 201, "{saved}");
    let (status, again) = shop
        .api(
            "/segments",
            json!({"name": "Spanish speakers", "rule": "language = en"}),
        )
        .await;
    assert_eq!(status, 409, "{again}");
    let (status, shown) = shop.api_get(&format!("/segments/{}", saved["id"])).await;
    assert_eq!(status, 200);
    assert_eq!(shown["preview"]["count"], 2, "{shown}");
    shop.stop().await;
}

async fn settings_turn_marketing_off_in_one_tap(database_url: String) {
    let shop = start(database_url).await;
    let ana = customer(7301, "Ana");
    welcome(&shop, &ana).await;
    let id = customer_id(&shop, &ana).await;
    assert_eq!(profile(&shop, id).await["marketing"], true);
    shop.sim
        .send_text(shop.bot, &ana, "/settings")
        .await
        .unwrap();
    let messages = shop
        .wait_for(ana.id, "the settings", |m| {
            has_text(m, "News and offers: on")
        })
        .await;
    shop.press(&ana, messages.last().unwrap(), "marketing:off")
        .await;
    shop.wait_for(ana.id, "the confirmation", |m| {
        has_text(m, "no more news and offers")
    })
    .await;
    assert_eq!(profile(&shop, id).await["marketing"], false);
    let preview = preview(&shop, "marketing").await;
    assert_eq!(preview["count"], 0);
    shop.stop().await;
}
