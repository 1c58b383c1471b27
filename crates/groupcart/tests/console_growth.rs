//! The console's growth pages end to end, on SQLite and PostgreSQL: referrals (the program's
//! settings as a form, a held referral approved so the referrer gets their reward code),
//! group-buys (listed with their teams, made from a form, ended), flash sales (made from a
//! form, announced in a group, cancelled) and giveaways (started from a form and announced,
//! joined in the group, ended so the winners are drawn). On each page a form with mistakes
//! comes back 422 with every problem and what was typed, a POST without the session's CSRF
//! token changes nothing, an agent is kept out, and the audit log names the console user.

mod common;
#[macro_use]
mod shop_harness;

use shop_harness::console::*;
use shop_harness::*;

use groupcart_core::console::Role;
use groupcart_core::giveaway::{GiveawayId, GiveawayStatus};
use groupcart_simulator::types::{MemberStatus, SimUser};
use serde_json::{json, Value};
use std::time::{Duration, Instant};

on_both_databases!(
    a_held_referral_is_approved_in_the_console,
    group_buys_are_listed_made_and_ended,
    a_flash_sale_is_made_announced_and_cancelled,
    a_giveaway_is_started_and_drawn_from_the_console,
);

const GROUP: i64 = -1_002_000_000_099;

/// A promotion handed out only through single-use codes; returns its id.
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

/// The demo shop's 100 g Longjing tea variant (22.00 USD, 50 in stock).
async fn tea(shop: &Shop) -> i64 {
    let product = shop
        .app
        .store
        .product_by_handle("green-tea")
        .await
        .unwrap()
        .expect("the demo shop sells tea");
    product.variants[0].id.0
}

/// A `datetime-local` value `minutes` from now (UTC).
fn in_minutes(minutes: i64) -> String {
    (chrono::Utc::now() + chrono::Duration::minutes(minutes))
        .format("%Y-%m-%dT%H:%M")
        .to_string()
}

/// The owner, logged in, and an agent, logged in.
async fn owner_and_agent(shop: &Shop) -> (String, Browser, Browser) {
    let (user, password) = demo(shop);
    let owner = Browser::logged_in(shop, &user, &password).await;
    add_user(shop, "agent", Role::Agent, "agent-password-1").await;
    let agent = Browser::logged_in(shop, "agent", "agent-password-1").await;
    (user, owner, agent)
}

async fn a_held_referral_is_approved_in_the_console(database_url: String) {
    let shop = start(database_url).await;
    let reward = reward_promotion(&shop, "Thanks for your friend").await;
    let (user, mut owner, mut agent) = owner_and_agent(&shop).await;
    assert!(owner.get("/").await.body.contains("href=\"/referrals\""));
    let page = owner.get("/referrals").await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(
        page.body.contains("Thanks for your friend"),
        "the promotion picker"
    );
    let csrf = page.csrf();

    // Mistakes: every problem named, what was typed kept.
    let reward_id = reward.to_string();
    let refused = owner
        .post(
            "/referrals/settings",
            &[
                ("csrf", &csrf),
                ("trigger", "first_start"),
                ("referrer_promotion", &reward_id),
                ("max_rewards_per_referrer", "-4"),
                ("bulk_threshold", "0"),
                ("bulk_window_minutes", "0"),
            ],
        )
        .await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert!(refused
        .body
        .contains("max_rewards_per_referrer: must be 0-1000000"));
    assert!(refused
        .body
        .contains("bulk_window_minutes: must be 1-10080"));
    assert!(refused.body.contains("value=\"-4\""), "{}", refused.body);
    let missing = owner
        .post(
            "/referrals/settings",
            &[
                ("csrf", &csrf),
                ("trigger", "first_start"),
                ("referrer_promotion", "999999"),
                ("max_rewards_per_referrer", "5"),
                ("bulk_threshold", "0"),
                ("bulk_window_minutes", "10"),
            ],
        )
        .await;
    assert_eq!(missing.status, 422);
    assert!(missing
        .body
        .contains("referrer_promotion: no such promotion"));
    let (_, unchanged) = shop.api_get("/referral-settings").await;
    assert_eq!(unchanged["referrer_promotion"], Value::Null);

    // Valid: every referee without a username is held, and credited at the start once
    // approved.
    let saved = owner
        .post(
            "/referrals/settings",
            &[
                ("csrf", &csrf),
                ("trigger", "first_start"),
                ("referrer_promotion", &reward_id),
                ("max_rewards_per_referrer", "5"),
                ("bulk_threshold", "0"),
                ("bulk_window_minutes", "10"),
            ],
        )
        .await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    assert_eq!(saved.location.as_deref(), Some("/referrals?ok=settings"));
    let (_, settings) = shop.api_get("/referral-settings").await;
    assert_eq!(settings["referrer_promotion"], reward);
    assert_eq!(settings["trigger"], "first_start");
    assert_eq!(settings["bulk_threshold"], 0);

    let dora = customer(7501, "Dora");
    shop.sim
        .send_text(shop.bot, &dora, "/invite")
        .await
        .unwrap();
    let invite = shop
        .wait_for(dora.id, "the invite link", |m| has_text(m, "start=r-"))
        .await;
    let code: String = invite
        .iter()
        .map(text)
        .find(|t| t.contains("start=r-"))
        .unwrap()
        .split("start=r-")
        .nth(1)
        .unwrap()
        .chars()
        .take(10)
        .collect();
    for id in [7502, 7503] {
        let friend = customer(id, "Friend");
        shop.sim
            .send_text(shop.bot, &friend, &format!("/start r-{code}"))
            .await
            .unwrap();
    }
    let held = wait_for_held(&shop, 2).await;
    let page = owner.get("/referrals").await;
    for referral in &held {
        assert!(
            page.body
                .contains(&format!("data-testid=\"approve-{}\"", referral["id"])),
            "{}",
            page.body
        );
    }
    assert!(page.body.contains(">Held<"));

    // A forged token and an agent change nothing.
    let first = held[0]["id"].as_i64().unwrap();
    let second = held[1]["id"].as_i64().unwrap();
    let forged = owner
        .post(
            &format!("/referrals/{first}/approve"),
            &[("csrf", "forged")],
        )
        .await;
    assert_eq!(forged.status, 403);
    assert_eq!(agent.get("/referrals").await.status, 403);
    assert!(!agent.get("/").await.body.contains("href=\"/referrals\""));
    let agent_csrf = agent.csrf().await;
    let post = agent
        .post(
            &format!("/referrals/{first}/approve"),
            &[("csrf", &agent_csrf)],
        )
        .await;
    assert_eq!(post.status, 403);
    assert_eq!(wait_for_held(&shop, 2).await.len(), 2, "still held");

    // Approved: credited at once, the referrer gets their code; rejected: never.
    let csrf = page.csrf();
    let approved = owner
        .post(&format!("/referrals/{first}/approve"), &[("csrf", &csrf)])
        .await;
    assert_eq!(approved.status, 303, "{}", approved.body);
    assert_eq!(approved.location.as_deref(), Some("/referrals?ok=approve"));
    shop.wait_for(dora.id, "the reward after review", |m| {
        has_text(m, "Your reward code: REF-")
    })
    .await;
    let rejected = owner
        .post(&format!("/referrals/{second}/reject"), &[("csrf", &csrf)])
        .await;
    assert_eq!(rejected.status, 303);
    let page = owner.get("/referrals?ok=reject").await;
    assert!(page.body.contains("The referral was rejected."));
    assert!(page.body.contains(">Credited<") && page.body.contains(">Rejected<"));
    assert!(!page.body.contains("data-testid=\"approve-"), "none left");
    let (_, all) = shop.api_get("/referrals").await;
    let statuses: Vec<&str> = all["referrals"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, ["credited", "rejected"]);
    // Deciding again is shown as a problem.
    let again = owner
        .post(&format!("/referrals/{second}/approve"), &[("csrf", &csrf)])
        .await;
    assert_eq!(again.status, 422);
    assert!(again.body.contains("not held"), "{}", again.body);

    let actions = audited(&shop, &user).await;
    for action in [
        "console.referral.settings",
        "console.referral.approve",
        "console.referral.reject",
    ] {
        assert!(actions.iter().any(|a| a == action), "{actions:?}");
    }
    shop.stop().await;
}

/// Waits until the API lists `count` held referrals; returns them.
async fn wait_for_held(shop: &Shop, count: usize) -> Vec<Value> {
    let deadline = Instant::now() + WAIT;
    loop {
        let (_, page) = shop.api_get("/referrals?status=held").await;
        let held = page["referrals"].as_array().cloned().unwrap_or_default();
        if held.len() >= count {
            return held;
        }
        assert!(Instant::now() < deadline, "timed out: {page}");
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

async fn group_buys_are_listed_made_and_ended(database_url: String) {
    let shop = start(database_url).await;
    let variant = tea(&shop).await;
    let (status, offer) = shop
        .api(
            "/group-buys",
            json!({"variant_id": variant, "price": 1540, "team_size": 3, "hours": 24}),
        )
        .await;
    assert_eq!(status, 201, "{offer}");
    let id = offer["id"].as_i64().unwrap();
    let (user, mut owner, mut agent) = owner_and_agent(&shop).await;
    let list = owner.get("/group-buys").await;
    assert_eq!(list.status, 200, "{}", list.body);
    assert!(list
        .body
        .contains(&format!("data-testid=\"group-buy-{id}\"")));
    assert!(list.body.contains("15.40 USD (22.00 USD)"), "{}", list.body);
    assert!(list.body.contains("Longjing"), "the product is named");
    assert_eq!(
        list.testid(&format!("teams-{id}")).as_deref(),
        Some("0 / 0")
    );
    let csrf = list.csrf();

    // Mistakes, then a valid offer.
    let variant_value = variant.to_string();
    let refused = owner
        .post(
            "/group-buys",
            &[
                ("csrf", &csrf),
                ("variant", &variant_value),
                ("price", "22.00"),
                ("team_size", "1"),
                ("hours", "12"),
                ("on_expiry", "refund"),
            ],
        )
        .await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert!(
        refused.body.contains("team_size: must be 2-50"),
        "{}",
        refused.body
    );
    assert!(refused
        .body
        .contains("price: must be below the regular price"));
    assert!(refused.body.contains("value=\"22.00\""));
    let made = owner
        .post(
            "/group-buys",
            &[
                ("csrf", &csrf),
                ("variant", &variant_value),
                ("price", "18.00"),
                ("team_size", "2"),
                ("hours", "12"),
                ("on_expiry", "full_price"),
            ],
        )
        .await;
    assert_eq!(made.status, 303, "{}", made.body);
    assert_eq!(made.location.as_deref(), Some("/group-buys?ok=created"));
    let (_, offers) = shop.api_get("/group-buys").await;
    let new = offers["group_buys"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["price"] == 1800)
        .expect("made in the console")
        .clone();
    assert_eq!(
        (new["team_size"].as_i64(), new["hours"].as_i64()),
        (Some(2), Some(12))
    );
    assert_eq!(new["on_expiry"], "full_price");

    // A customer opens a team in the bot: the list counts it and the offer's page shows it.
    let ana = customer(7601, "Ana");
    shop.sim
        .send_text(shop.bot, &ana, &format!("/start gb-{id}"))
        .await
        .unwrap();
    let open = format!("gb:o:{id}");
    let cards = shop
        .wait_for(ana.id, "the offer card", |m| {
            m.iter()
                .any(|m| common::buttons(m).iter().any(|(_, d)| *d == open))
        })
        .await;
    let card = cards
        .iter()
        .rev()
        .find(|m| common::buttons(m).iter().any(|(_, d)| *d == open))
        .unwrap()
        .clone();
    shop.press(&ana, &card, &open).await;
    shop.wait_for(ana.id, "the invoice", |m| {
        m.iter().any(|m| m.invoice.is_some())
    })
    .await;
    let deadline = Instant::now() + WAIT;
    let team = loop {
        let teams = shop
            .app
            .store
            .group_buy_teams(groupcart_core::group_buy::OfferId(id), 10)
            .await
            .unwrap();
        if let Some(team) = teams.first() {
            break team.clone();
        }
        assert!(Instant::now() < deadline, "the team was never opened");
        tokio::time::sleep(Duration::from_millis(25)).await;
    };
    let list = owner.get("/group-buys").await;
    assert_eq!(
        list.testid(&format!("teams-{id}")).as_deref(),
        Some("1 / 0")
    );
    let page = owner.get(&format!("/group-buys/{id}")).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(
        page.body
            .contains(&format!("data-testid=\"team-{}\"", team.id.0)),
        "{}",
        page.body
    );
    assert!(page.body.contains("1 / 3"), "members of the team's size");
    assert!(page.body.contains(">Active<"));

    // A forged token and an agent change nothing; the owner ends it.
    let forged = owner
        .post(&format!("/group-buys/{id}/end"), &[("csrf", "forged")])
        .await;
    assert_eq!(forged.status, 403);
    assert_eq!(agent.get("/group-buys").await.status, 403);
    assert_eq!(agent.get(&format!("/group-buys/{id}")).await.status, 403);
    let agent_csrf = agent.csrf().await;
    assert_eq!(
        agent
            .post(&format!("/group-buys/{id}/end"), &[("csrf", &agent_csrf)])
            .await
            .status,
        403
    );
    let (_, still) = shop.api_get(&format!("/group-buys/{id}")).await;
    assert_eq!(still["status"], "active");
    let csrf = page.csrf();
    let ended = owner
        .post(&format!("/group-buys/{id}/end"), &[("csrf", &csrf)])
        .await;
    assert_eq!(ended.status, 303, "{}", ended.body);
    let (_, stored) = shop.api_get(&format!("/group-buys/{id}")).await;
    assert_eq!(stored["status"], "ended");
    let page = owner.get(&format!("/group-buys/{id}?ok=ended")).await;
    assert!(page.body.contains(">Ended<"));
    assert!(!page.body.contains("data-testid=\"end\""));
    assert_eq!(owner.get("/group-buys/999999").await.status, 404);

    let actions = audited(&shop, &user).await;
    for action in ["console.group_buy.create", "console.group_buy.end"] {
        assert!(actions.iter().any(|a| a == action), "{actions:?}");
    }
    shop.stop().await;
}

async fn a_flash_sale_is_made_announced_and_cancelled(database_url: String) {
    let shop = start(database_url).await;
    group_with_the_bot(&shop, GROUP, "Tea lovers").await;
    let (user, mut owner, mut agent) = owner_and_agent(&shop).await;
    let list = owner.get("/flash-sales").await;
    assert_eq!(list.status, 200, "{}", list.body);
    assert!(list.body.contains("Longjing"), "the variant picker");
    let csrf = list.csrf();
    let variant = tea(&shop).await.to_string();
    let (starts, ends) = (in_minutes(60), in_minutes(120));

    let refused = owner
        .post(
            "/flash-sales",
            &[
                ("csrf", &csrf),
                ("variant", &variant),
                ("price", "cheap"),
                ("units", "500"),
                ("starts_at", &starts),
                ("ends_at", "tomorrow"),
            ],
        )
        .await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert!(
        refused.body.contains("price: an amount in USD"),
        "{}",
        refused.body
    );
    assert!(refused.body.contains("ends_at: a date and time (UTC)"));
    assert!(refused.body.contains("value=\"cheap\"") && refused.body.contains("value=\"500\""));
    let too_many = owner
        .post(
            "/flash-sales",
            &[
                ("csrf", &csrf),
                ("variant", &variant),
                ("price", "9.90"),
                ("units", "500"),
                ("starts_at", &starts),
                ("ends_at", &ends),
            ],
        )
        .await;
    assert_eq!(too_many.status, 422);
    assert!(
        too_many.body.contains("units: only 50 in stock"),
        "{}",
        too_many.body
    );
    let (_, none) = shop.api_get("/flash-sales").await;
    assert!(none["flash_sales"].as_array().unwrap().is_empty());

    let made = owner
        .post(
            "/flash-sales",
            &[
                ("csrf", &csrf),
                ("variant", &variant),
                ("price", "9.90"),
                ("units", "5"),
                ("per_customer", "1"),
                ("starts_at", &starts),
                ("ends_at", &ends),
            ],
        )
        .await;
    assert_eq!(made.status, 303, "{}", made.body);
    assert_eq!(made.location.as_deref(), Some("/flash-sales?ok=created"));
    let (_, sales) = shop.api_get("/flash-sales").await;
    let sale = sales["flash_sales"][0].clone();
    let id = sale["id"].as_i64().unwrap();
    assert_eq!(
        (sale["price"].as_i64(), sale["units"].as_i64()),
        (Some(990), Some(5))
    );
    let list = owner.get("/flash-sales?ok=created").await;
    assert!(list.body.contains("The flash sale was created."));
    assert!(list
        .body
        .contains(&format!("data-testid=\"flash-sale-{id}\"")));
    assert!(list.body.contains("9.90 USD") && list.body.contains("0 / 5"));
    assert!(list.body.contains(">Upcoming<"));

    // Announced in the group from the sale's page.
    let page = owner.get(&format!("/flash-sales/{id}")).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("Tea lovers"), "the chat list");
    let csrf = page.csrf();
    let group = GROUP.to_string();
    let announced = owner
        .post(
            &format!("/flash-sales/{id}/announce"),
            &[("csrf", &csrf), ("chat_id", &group), ("language", "")],
        )
        .await;
    assert_eq!(announced.status, 303, "{}", announced.body);
    shop.wait_for(GROUP, "the announcement", |m| {
        has_text(m, "Flash sale: Longjing green tea")
    })
    .await;
    let page = owner.get(&format!("/flash-sales/{id}?ok=announced")).await;
    assert!(
        page.body.contains("data-testid=\"announcements\""),
        "{}",
        page.body
    );
    assert!(page.body.contains(&format!("<code>{GROUP}</code>")));

    // A forged token and an agent change nothing; the owner cancels it.
    let forged = owner
        .post(&format!("/flash-sales/{id}/cancel"), &[("csrf", "forged")])
        .await;
    assert_eq!(forged.status, 403);
    assert_eq!(agent.get("/flash-sales").await.status, 403);
    let agent_csrf = agent.csrf().await;
    assert_eq!(
        agent
            .post(
                &format!("/flash-sales/{id}/cancel"),
                &[("csrf", &agent_csrf)]
            )
            .await
            .status,
        403
    );
    let (_, still) = shop.api_get(&format!("/flash-sales/{id}")).await;
    assert_eq!(still["status"], "active");
    let cancelled = owner
        .post(&format!("/flash-sales/{id}/cancel"), &[("csrf", &csrf)])
        .await;
    assert_eq!(cancelled.status, 303, "{}", cancelled.body);
    let (_, stored) = shop.api_get(&format!("/flash-sales/{id}")).await;
    assert_eq!(
        (&stored["status"], &stored["phase"]),
        (&json!("cancelled"), &json!("cancelled"))
    );
    let page = owner.get(&format!("/flash-sales/{id}?ok=cancelled")).await;
    assert!(page.body.contains("The flash sale was cancelled."));
    assert_eq!(page.testid("phase").as_deref(), Some("Cancelled"));
    assert!(!page.body.contains("data-testid=\"announce\""));
    // Announcing a cancelled sale is refused and shown.
    let late = owner
        .post(
            &format!("/flash-sales/{id}/announce"),
            &[("csrf", &csrf), ("chat_id", &group)],
        )
        .await;
    assert_eq!(late.status, 422, "{}", late.body);

    let actions = audited(&shop, &user).await;
    for action in [
        "console.flash_sale.create",
        "console.flash_sale.announce",
        "console.flash_sale.cancel",
    ] {
        assert!(actions.iter().any(|a| a == action), "{actions:?}");
    }
    shop.stop().await;
}

async fn a_giveaway_is_started_and_drawn_from_the_console(database_url: String) {
    let shop = start(database_url).await;
    group_with_the_bot(&shop, GROUP, "Live room").await;
    let prize = reward_promotion(&shop, "Giveaway prize").await;
    let (user, mut owner, mut agent) = owner_and_agent(&shop).await;
    let list = owner.get("/giveaways").await;
    assert_eq!(list.status, 200, "{}", list.body);
    let csrf = list.csrf();
    let group = GROUP.to_string();
    let prize_id = prize.to_string();
    let ends = in_minutes(60);

    let refused = owner
        .post(
            "/giveaways",
            &[
                ("csrf", &csrf),
                ("chat_id", &group),
                ("prize", "a silk scarf"),
                ("winners", "0"),
                ("ends_at", &in_minutes(-60)),
                ("promotion_id", &prize_id),
            ],
        )
        .await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert!(
        refused.body.contains("winners: must be 1-1000"),
        "{}",
        refused.body
    );
    assert!(refused.body.contains("ends_at: must be in the future"));
    assert!(refused.body.contains("value=\"a silk scarf\""));
    assert!(shop.app.store.giveaways(None, 10).await.unwrap().is_empty());

    let made = owner
        .post(
            "/giveaways",
            &[
                ("csrf", &csrf),
                ("chat_id", &group),
                ("prize", "a silk scarf"),
                ("winners", "1"),
                ("ends_at", &ends),
                ("promotion_id", &prize_id),
            ],
        )
        .await;
    assert_eq!(made.status, 303, "{}", made.body);
    assert_eq!(made.location.as_deref(), Some("/giveaways?ok=created"));
    let giveaway = shop.app.store.giveaways(None, 10).await.unwrap()[0].clone();
    let id = giveaway.id.0;
    let list = owner.get("/giveaways?ok=created").await;
    assert!(list
        .body
        .contains(&format!("data-testid=\"giveaway-{id}\"")));
    assert!(list.body.contains("a silk scarf") && list.body.contains(">Open<"));
    let announcement = shop
        .wait_for(GROUP, "the announcement", |m| has_text(m, "a silk scarf"))
        .await
        .into_iter()
        .find(|m| text(m).contains("a silk scarf"))
        .unwrap();

    // Two people join in the group.
    let people: Vec<SimUser> = (0..2)
        .map(|i| customer(7700 + i, &format!("Fan{i}")))
        .collect();
    for person in &people {
        shop.sim
            .send_text(shop.bot, person, "/start")
            .await
            .unwrap();
        shop.sim
            .add_user(GROUP, person, MemberStatus::Member)
            .await
            .unwrap();
        shop.sim
            .press_button(
                shop.bot,
                person,
                GROUP,
                announcement.message_id,
                &format!("g:{id}"),
            )
            .await
            .unwrap();
    }
    let deadline = Instant::now() + WAIT;
    while shop
        .app
        .store
        .giveaway(GiveawayId(id))
        .await
        .unwrap()
        .unwrap()
        .entries
        < 2
    {
        assert!(Instant::now() < deadline, "the entries never arrived");
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    let page = owner.get(&format!("/giveaways/{id}/manage")).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert_eq!(page.testid("entries").as_deref(), Some("2"));
    assert!(page.body.contains(&giveaway.commitment));
    assert!(page.body.contains("No winners drawn yet."));

    // A forged token and an agent change nothing; the owner ends it and the draw runs.
    let forged = owner
        .post(&format!("/giveaways/{id}/end"), &[("csrf", "forged")])
        .await;
    assert_eq!(forged.status, 403);
    assert_eq!(agent.get("/giveaways").await.status, 403);
    let agent_csrf = agent.csrf().await;
    assert_eq!(
        agent
            .post(&format!("/giveaways/{id}/end"), &[("csrf", &agent_csrf)])
            .await
            .status,
        403
    );
    tokio::time::sleep(Duration::from_millis(200)).await;
    let open = shop
        .app
        .store
        .giveaway(GiveawayId(id))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(open.status, GiveawayStatus::Open);
    let csrf = page.csrf();
    let ended = owner
        .post(&format!("/giveaways/{id}/end"), &[("csrf", &csrf)])
        .await;
    assert_eq!(ended.status, 303, "{}", ended.body);
    assert_eq!(
        ended.location,
        Some(format!("/giveaways/{id}/manage?ok=ended"))
    );
    shop.wait_for(GROUP, "the result", |m| has_text(m, "Giveaway results"))
        .await;
    let drawn = shop
        .app
        .store
        .giveaway(GiveawayId(id))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(drawn.status, GiveawayStatus::Drawn);
    assert_eq!(drawn.winning_entries.len(), 1);
    let winner = drawn.winning_entries[0];
    let page = owner.get(&format!("/giveaways/{id}/manage")).await;
    assert!(page.body.contains(">Drawn<"));
    assert!(
        page.body
            .contains(&format!("data-testid=\"winner-{winner}\"")),
        "{}",
        page.body
    );
    assert!(
        page.body.contains(drawn.seed.as_deref().unwrap()),
        "the seed once drawn"
    );
    assert!(!page.body.contains("data-testid=\"end\""));
    assert_eq!(owner.get("/giveaways/999999/manage").await.status, 404);

    let actions = audited(&shop, &user).await;
    for action in ["console.giveaway.create", "console.giveaway.end"] {
        assert!(actions.iter().any(|a| a == action), "{actions:?}");
    }
    shop.stop().await;
}
