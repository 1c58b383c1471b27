//! The console's broadcast form and page for photos, chat targets and the winner, end to end
//! on SQLite and PostgreSQL: the form offers the bot's groups as checkboxes, a photo per
//! variant and the winner's settings; a post composed for a group with a photo arrives there
//! as a photo with its caption and its page shows the chat's result; an A/B test with the
//! winner's auto-send shows when the winner is due, and staff pick it from the page, which
//! sends it to the rest and is in the audit log.

#[macro_use]
mod shop_harness;

use shop_harness::console::*;
use shop_harness::*;

use groupcart_simulator::types::SimUser;
use std::time::{Duration, Instant};

on_both_databases!(
    a_photo_post_to_a_group_from_the_console,
    staff_pick_the_winner_from_the_page,
);

const GROUP: i64 = -1_008_001;

async fn owner(shop: &Shop) -> (Browser, String) {
    let (user, password) = demo(shop);
    (Browser::logged_in(shop, &user, &password).await, user)
}

/// The broadcast page once `done` holds for it.
async fn page_until(browser: &mut Browser, id: i64, done: impl Fn(&Page) -> bool) -> Page {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let page = browser.get(&format!("/broadcasts/{id}")).await;
        assert_eq!(page.status, 200, "{}", page.body);
        if done(&page) {
            return page;
        }
        assert!(Instant::now() < deadline, "never got there: {}", page.body);
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn a_photo_post_to_a_group_from_the_console(database_url: String) {
    let shop = start(database_url).await;
    group_with_the_bot(&shop, GROUP, "Tea friends").await;
    let (mut browser, _) = owner(&shop).await;
    let csrf = browser.csrf().await;
    let compose = browser.get("/broadcasts/new").await;
    assert_eq!(compose.status, 200, "{}", compose.body);
    for field in [
        format!("data-testid=\"chat-{GROUP}\""),
        "name=\"photo.0\"".to_owned(),
        "name=\"winner\"".to_owned(),
        "name=\"metric\"".to_owned(),
    ] {
        assert!(compose.body.contains(&field), "{field}: {}", compose.body);
    }

    // Chats with a holdout: refused, the ticked chat still ticked.
    let refused = browser
        .post(
            "/broadcasts/new",
            &[
                ("csrf", &csrf),
                ("name", "Group post"),
                ("audience", "chats"),
                ("chat", &GROUP.to_string()),
                ("text.0.en", "Fresh oolong for {name}"),
                ("holdout_percent", "10"),
                ("when", "now"),
            ],
        )
        .await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert!(refused.body.contains("holdout_percent"), "{}", refused.body);
    assert!(refused.body.contains(&format!(
        "name=\"chat\" value=\"{GROUP}\" data-testid=\"chat-{GROUP}\" checked"
    )));

    let planned = browser
        .post(
            "/broadcasts/new",
            &[
                ("csrf", &csrf),
                ("name", "Group post"),
                ("audience", "chats"),
                ("chat", &GROUP.to_string()),
                ("text.0.en", "Fresh oolong for {name}"),
                ("photo.0", "https://example.com/oolong.jpg"),
                ("holdout_percent", "0"),
                ("when", "now"),
            ],
        )
        .await;
    assert_eq!(planned.status, 303, "{}", planned.body);
    let b = shop.app.store.broadcasts(1).await.unwrap()[0].clone();
    assert_eq!(b.chats, vec![GROUP]);
    let deadline = Instant::now() + WAIT;
    loop {
        let posts = shop.sim.transcript(shop.bot, GROUP).await.unwrap();
        if let Some(post) = posts
            .iter()
            .find(|m| text(m).contains("Fresh oolong for Tea friends"))
        {
            assert!(post.photo.is_some(), "{post:?}");
            break;
        }
        assert!(Instant::now() < deadline, "never posted: {posts:#?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let page = page_until(&mut browser, b.id.0, |p| {
        p.testid(&format!("chat-state-{GROUP}")).as_deref() == Some("delivered")
    })
    .await;
    assert!(page.body.contains("Tea friends"));
    assert!(page.body.contains("https://example.com/oolong.jpg"));
    shop.stop().await;
}

async fn staff_pick_the_winner_from_the_page(database_url: String) {
    let shop = start(database_url).await;
    let guests: Vec<SimUser> = (0..8)
        .map(|i| customer(8201 + i, &format!("Guest{i}")))
        .collect();
    for guest in &guests {
        welcome(&shop, guest).await;
    }
    let (mut browser, user) = owner(&shop).await;
    let csrf = browser.csrf().await;
    let planned = browser
        .post(
            "/broadcasts/new",
            &[
                ("csrf", &csrf),
                ("name", "Tea test"),
                ("audience", "rule"),
                ("rule", "marketing"),
                ("text.0.en", "Alpha tea for {name}"),
                ("text.1.en", "Beta tea for {name}"),
                ("winner", "on"),
                ("test_percent", "50"),
                ("after_hours", "6"),
                ("metric", "buyers"),
                ("when", "now"),
            ],
        )
        .await;
    assert_eq!(planned.status, 303, "{}", planned.body);
    let b = shop.app.store.broadcasts(1).await.unwrap()[0].clone();
    assert_eq!(b.winner.map(|w| w.test_percent), Some(50));
    let page = browser.get(&format!("/broadcasts/{}", b.id.0)).await;
    assert!(page.testid("winner-due").is_some(), "{}", page.body);
    assert!(page.body.contains("data-testid=\"pick-winner-1\""));

    let picked = browser
        .post(
            &format!("/broadcasts/{}/winner", b.id.0),
            &[("csrf", &csrf), ("variant", "1")],
        )
        .await;
    assert_eq!(picked.status, 303, "{}", picked.body);
    assert_eq!(
        picked.location.as_deref(),
        Some(format!("/broadcasts/{}?ok=winner", b.id.0).as_str())
    );
    let page = page_until(&mut browser, b.id.0, |p| {
        p.testid("state-delivered").as_deref() == Some("8")
    })
    .await;
    assert_eq!(
        page.testid("winner-variant").as_deref(),
        Some("Winner: Variant B")
    );
    assert_eq!(page.testid("state-awaiting_winner").as_deref(), Some("0"));
    // Picked once: a second pick is refused on the page.
    let again = browser
        .post(
            &format!("/broadcasts/{}/winner", b.id.0),
            &[("csrf", &csrf), ("variant", "0")],
        )
        .await;
    assert_eq!(again.status, 409, "{}", again.body);
    for guest in &guests {
        let messages = shop.sim.messages(shop.bot, guest.id).await.unwrap();
        assert_eq!(count(&messages, "tea for"), 1, "{}", guest.first_name);
    }
    assert!(audited(&shop, &user)
        .await
        .contains(&"console.broadcast.winner".to_owned()));
    shop.stop().await;
}
