//! Rule-based tags end to end through the simulator, on SQLite and PostgreSQL: a customer
//! who opens a baby product's card five times in the chat shop gets the tag of the rule
//! `events(product_viewed, 30, category = baby) >= 5` from the event follower within
//! seconds (a `tag_added` event), a `tag = …` segment counts her beside a customer staff
//! tagged by hand, and once the clock has moved past the window the hourly evaluation takes
//! her tag away while the manual one stays. Segment previews with counting terms match a
//! count made by hand from the stored events.

#[macro_use]
mod shop_harness;

use shop_harness::*;

use groupcart_core::customer::CustomerId;
use groupcart_simulator::types::SimUser;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

on_both_databases!(a_rule_tags_baby_product_viewers_and_untags_them_later,);

/// How long the event follower and the hourly run may take.
const TAG_WAIT: Duration = Duration::from_secs(40);

async fn create_product(shop: &Shop, handle: &str, title: &str, category: &str) -> i64 {
    let (status, body) = shop
        .api(
            "/products",
            json!({
                "handle": handle,
                "status": "active",
                "fulfilment": "physical",
                "category": category,
                "texts": [{"language": "en", "title": title}],
                "variants": [{"prices": [{"currency": "USD", "amount": 1500}], "stock": 10}],
            }),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    body["id"].as_i64().unwrap()
}

/// How many product views of `customer` are stored.
async fn views_of(shop: &Shop, customer: i64) -> usize {
    let views = shop
        .app
        .store
        .recent_events(Some("product_viewed"), 1000)
        .await
        .unwrap();
    views
        .iter()
        .filter(|e| e.event.customer_id == Some(CustomerId(customer)))
        .count()
}

/// Opens the product's card by its deep link and waits until the view is recorded.
async fn view(shop: &Shop, who: &SimUser, handle: &str) {
    let customer = customer_id(shop, who).await;
    let before = views_of(shop, customer).await;
    shop.sim
        .send_text(shop.bot, who, &format!("/start p-{handle}"))
        .await
        .unwrap();
    let deadline = Instant::now() + WAIT;
    while views_of(shop, customer).await == before {
        assert!(
            Instant::now() < deadline,
            "the view of {handle} was never recorded"
        );
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

async fn preview(shop: &Shop, rule: &str) -> u64 {
    let (status, body) = shop.api("/segments/preview", json!({ "rule": rule })).await;
    assert_eq!(status, 200, "{rule}: {body}");
    body["count"].as_u64().unwrap()
}

/// Waits for a tag event of `kind` about `customer`.
async fn wait_for_tag_event(shop: &Shop, kind: &str, customer: i64) -> Value {
    let deadline = Instant::now() + TAG_WAIT;
    loop {
        let events = shop.app.store.recent_events(Some(kind), 50).await.unwrap();
        if let Some(e) = events
            .iter()
            .find(|e| e.event.customer_id == Some(CustomerId(customer)))
        {
            return e.event.data.clone();
        }
        assert!(
            Instant::now() < deadline,
            "no {kind} for customer {customer}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn a_rule_tags_baby_product_viewers_and_untags_them_later(database_url: String) {
    let clock = Arc::new(AheadClock::default());
    let shop = start_at(database_url, clock.clone()).await;
    let onesie = create_product(&shop, "onesie", "Cotton onesie", "Apparel > Baby").await;
    let rattle = create_product(&shop, "rattle", "Wooden rattle", "Toys > Baby").await;

    let rule = "events(product_viewed, 30, category = baby) >= 5";
    let (status, created) = shop
        .api("/tag-rules", json!({"tag": "Baby-Fan", "rule": rule}))
        .await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(created["tag"], "baby-fan");
    let rule_id = created["id"].as_i64().unwrap();
    // A rule that does not parse says where.
    let (status, body) = shop
        .api(
            "/tag-rules",
            json!({"tag": "x", "rule": "events(product_viewed, colour = red)"}),
        )
        .await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["error"]["fields"][0]["field"], "rule");
    assert!(
        body["error"]["fields"][0]["message"]
            .as_str()
            .unwrap()
            .starts_with("at character 24: unknown filter `colour`"),
        "{body}"
    );

    let ana = customer(8101, "Ana");
    let bob = customer(8102, "Bob");
    let cy = customer(8103, "Cy");
    for who in [&ana, &bob, &cy] {
        welcome(&shop, who).await;
    }
    let ana_id = customer_id(&shop, &ana).await;
    let bob_id = customer_id(&shop, &bob).await;
    // Staff tag Bob by hand with the same tag.
    let (status, body) = shop
        .api_send(
            reqwest::Method::PATCH,
            &format!("/customers/{bob_id}"),
            json!({"tags": ["baby-fan"]}),
        )
        .await;
    assert_eq!(status, 200, "{body}");

    // Ana: five baby views (three onesie, two rattle). Cy: four, and the scarf (a fifth
    // comes later).
    for handle in ["onesie", "rattle", "onesie", "rattle", "onesie"] {
        view(&shop, &ana, handle).await;
    }
    for _ in 0..4 {
        view(&shop, &cy, "rattle").await;
    }
    view(&shop, &cy, "silk-scarf").await;

    let added = wait_for_tag_event(&shop, "tag_added", ana_id).await;
    assert_eq!(added, json!({"tag": "baby-fan", "rule": rule_id}));
    assert_eq!(preview(&shop, "tag = baby-fan").await, 2);
    // By now the rule's first evaluation (at its creation) has run; Cy's fifth baby view
    // is seen by the event follower alone (the hourly run is an hour away).
    let cy_id = customer_id(&shop, &cy).await;
    let started = Instant::now();
    view(&shop, &cy, "rattle").await;
    wait_for_tag_event(&shop, "tag_added", cy_id).await;
    assert!(
        started.elapsed() >= Duration::from_secs(5),
        "events wait out the lag"
    );
    assert_eq!(preview(&shop, "tag = baby-fan").await, 3);
    let (status, body) = shop
        .api(&format!("/tag-rules/{rule_id}/preview"), json!({}))
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["count"], 2);
    assert_eq!(body["sample"][0]["customer_id"], ana_id);
    assert_eq!(body["sample"][1]["customer_id"], cy_id);

    // Previews with counting terms agree with a count by hand over the stored events.
    let views = shop
        .app
        .store
        .recent_events(Some("product_viewed"), 1000)
        .await
        .unwrap();
    let mut all: HashMap<i64, u64> = HashMap::new();
    let mut baby: HashMap<i64, u64> = HashMap::new();
    for e in &views {
        let customer = e.event.customer_id.unwrap().0;
        *all.entry(customer).or_default() += 1;
        let product = e.event.data["product"].as_i64();
        if product == Some(onesie) || product == Some(rattle) {
            *baby.entry(customer).or_default() += 1;
        }
    }
    let customers = 3;
    for n in 0..=6u64 {
        let at_least = |counts: &HashMap<i64, u64>| {
            let with = counts.values().filter(|&&c| c >= n).count() as u64;
            // Customers without a view have zero.
            if n == 0 {
                customers
            } else {
                with
            }
        };
        assert_eq!(
            preview(&shop, &format!("events(product_viewed, 30) >= {n}")).await,
            at_least(&all),
            ">= {n}"
        );
        assert_eq!(
            preview(
                &shop,
                &format!("events(product_viewed, category = BABY) >= {n}")
            )
            .await,
            at_least(&baby),
            "baby >= {n}"
        );
    }
    assert_eq!(
        preview(&shop, "events(product_viewed, product = rattle) = 5").await,
        1
    );
    assert_eq!(preview(&shop, "events(cart_added) or ordered()").await, 0);

    // Past the window, the hourly run takes Ana's and Cy's tags back; Bob's manual tag stays.
    clock.advance(chrono::Duration::days(31));
    let removed = wait_for_tag_event(&shop, "tag_removed", ana_id).await;
    assert_eq!(removed, json!({"tag": "baby-fan", "rule": rule_id}));
    wait_for_tag_event(&shop, "tag_removed", cy_id).await;
    assert_eq!(preview(&shop, "tag = baby-fan").await, 1);
    let (_, profile) = shop.api_get(&format!("/customers/{bob_id}")).await;
    assert_eq!(profile["tags"], json!(["baby-fan"]));
    let removed_bob = shop
        .app
        .store
        .recent_events(Some("tag_removed"), 50)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.event.customer_id == Some(CustomerId(bob_id)))
        .count();
    assert_eq!(removed_bob, 0);
    assert_eq!(
        preview(&shop, "tag = baby-fan").await,
        1,
        "only Bob's manual tag"
    );

    // The console's segments page lists the rule; a refused rule comes back with its error,
    // a good one is saved, and one is deleted from there.
    let (user, password) = console::demo(&shop);
    let mut browser = console::Browser::logged_in(&shop, &user, &password).await;
    let page = browser.get("/segments").await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page
        .body
        .contains(&format!("data-testid=\"tag-rule-{rule_id}\"")));
    assert!(page.body.contains("<code>baby-fan</code>"), "{}", page.body);
    let csrf = page.csrf();
    let bad = browser
        .post(
            "/segments/tag-rules",
            &[("csrf", &csrf), ("tag", "x"), ("rule", "ordered(,")],
        )
        .await;
    assert_eq!(bad.status, 422, "{}", bad.body);
    assert!(bad.body.contains("at character 9"), "{}", bad.body);
    let saved = browser
        .post(
            "/segments/tag-rules",
            &[("csrf", &csrf), ("tag", "buyer"), ("rule", "ordered()")],
        )
        .await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    let rules = shop.app.store.tag_rules().await.unwrap();
    assert_eq!(rules.len(), 2);
    let buyer = rules[1].id.0;
    let deleted = browser
        .post(
            &format!("/segments/tag-rules/{buyer}/delete"),
            &[("csrf", &csrf)],
        )
        .await;
    assert_eq!(deleted.status, 303, "{}", deleted.body);
    let page = browser.get(deleted.location.as_deref().unwrap()).await;
    assert!(page.body.contains("Tag rule deleted"), "{}", page.body);
    assert_eq!(shop.app.store.tag_rules().await.unwrap().len(), 1);

    // Deleting the rule leaves manual tags alone too.
    let (status, _) = shop
        .api_send(
            reqwest::Method::DELETE,
            &format!("/tag-rules/{rule_id}"),
            json!({}),
        )
        .await;
    assert_eq!(status, 204);
    let (status, _) = shop.api_get(&format!("/tag-rules/{rule_id}")).await;
    assert_eq!(status, 404);
    assert_eq!(preview(&shop, "tag = baby-fan").await, 1);
    shop.stop().await;
}
