//! The console's segments, broadcasts and catalog pages end to end, on SQLite and
//! PostgreSQL: groupcart in sandbox mode, customers in the simulator giving their consent,
//! and a browser-like client that keeps cookies.
//!
//! A segment made from a rule counts the right customers (preview and saved); a rule that
//! does not parse is shown with its position and nothing is saved; a broadcast composed for
//! the segment reaches the customers with marketing consent (and not the one without), with
//! its progress on its page; stock adjusted from a product's page (a delta beyond the limit
//! is a clear 422 page, below zero a 409), and the product's status changed; an analyst and
//! an agent are kept out of what their role does not allow; POSTs without the session's CSRF
//! token change nothing; every change is in the audit log as `console:<username>`.
//!
//! A customer's page shows their timeline newest first: starting the bot, viewing the
//! scarf, adding it to the cart, checking out and paying, with the product and the order,
//! and no bot replies; `?before=` pages back.

#[macro_use]
mod shop_harness;

use shop_harness::console::*;
use shop_harness::*;

use groupcart_core::catalog::{ProductStatus, VariantId};
use groupcart_core::console::Role;
use std::time::{Duration, Instant};

on_both_databases!(
    segments_count_and_bad_rules_save_nothing,
    a_broadcast_to_a_segment_reaches_its_customers,
    stock_and_status_from_the_catalog,
    roles_and_csrf_keep_changes_out,
    the_customer_page_shows_the_timeline,
);

async fn owner(shop: &Shop) -> (Browser, String) {
    let (user, password) = demo(shop);
    (Browser::logged_in(shop, &user, &password).await, user)
}

/// Three customers: two with marketing consent (one of them tagged `vip`), one who only
/// said /start.
async fn three_customers(shop: &Shop) -> [i64; 3] {
    let ana = customer(9601, "Ana");
    let bo = customer(9602, "Bo");
    let cy = customer(9603, "Cy");
    welcome(shop, &ana).await;
    welcome(shop, &bo).await;
    shop.sim.send_text(shop.bot, &cy, "/start").await.unwrap();
    shop.wait_for(cy.id, "the privacy notice", |m| !m.is_empty())
        .await;
    let deadline = Instant::now() + WAIT;
    while shop
        .app
        .store
        .customer_by_telegram_id(cy.id)
        .await
        .unwrap()
        .is_none()
    {
        assert!(Instant::now() < deadline, "Cy never became a customer");
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    let ana_id = customer_id(shop, &ana).await;
    let (status, body) = shop
        .api_send(
            reqwest::Method::PATCH,
            &format!("/customers/{ana_id}"),
            serde_json::json!({ "tags": ["vip"] }),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    [
        ana_id,
        customer_id(shop, &bo).await,
        customer_id(shop, &cy).await,
    ]
}

async fn segments_count_and_bad_rules_save_nothing(database_url: String) {
    let shop = start(database_url).await;
    let [ana, _, _] = three_customers(&shop).await;
    let (mut browser, user) = owner(&shop).await;

    let list = browser.get("/segments").await;
    assert_eq!(list.status, 200, "{}", list.body);
    assert!(
        list.body.contains("No saved segments yet."),
        "{}",
        list.body
    );
    let form = browser.get("/segments/new").await;
    assert!(
        form.body.contains("days_since_order &gt;= 30"),
        "the rule help: {}",
        form.body
    );
    let csrf = form.csrf();

    // Preview: counts, saves nothing.
    let preview = browser
        .post(
            "/segments/new",
            &[
                ("csrf", &csrf),
                ("name", "Marketing"),
                ("rule", "marketing"),
                ("action", "preview"),
            ],
        )
        .await;
    assert_eq!(preview.status, 200, "{}", preview.body);
    assert_eq!(preview.testid("preview-count").as_deref(), Some("2"));
    assert!(shop.app.store.segments().await.unwrap().is_empty());
    let everyone = browser
        .post(
            "/segments/new",
            &[("csrf", &csrf), ("rule", ""), ("action", "preview")],
        )
        .await;
    assert_eq!(everyone.testid("preview-count").as_deref(), Some("3"));
    assert_eq!(everyone.testid("preview-reachable").as_deref(), Some("2"));

    // A rule that does not parse: its position, nothing saved.
    let bad = browser
        .post(
            "/segments/new",
            &[
                ("csrf", &csrf),
                ("name", "Broken"),
                ("rule", "tag = vip and and orders > 1"),
                ("action", "save"),
            ],
        )
        .await;
    assert_eq!(bad.status, 422, "{}", bad.body);
    assert!(
        bad.body
            .contains("The rule does not parse, at character 15"),
        "{}",
        bad.body
    );
    assert!(
        bad.body
            .contains("tag = vip and <mark>a</mark>nd orders &gt; 1"),
        "{}",
        bad.body
    );
    assert!(
        bad.body
            .contains("tag = vip and and orders &gt; 1</textarea>"),
        "the rule is kept: {}",
        bad.body
    );
    assert!(shop.app.store.segments().await.unwrap().is_empty());

    // Saved: its page and the list show the live count.
    let saved = browser
        .post(
            "/segments/new",
            &[
                ("csrf", &csrf),
                ("name", "VIPs"),
                ("rule", "tag = vip and marketing"),
                ("action", "save"),
            ],
        )
        .await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    let segments = shop.app.store.segments().await.unwrap();
    assert_eq!(segments.len(), 1);
    let id = segments[0].id.0;
    assert_eq!(
        saved.location.as_deref(),
        Some(format!("/segments/{id}?ok=saved").as_str())
    );
    let page = browser.get(&format!("/segments/{id}")).await;
    assert_eq!(page.testid("preview-count").as_deref(), Some("1"));
    assert!(
        page.body.contains(&format!("href=\"/customers/{ana}\"")),
        "the sample: {}",
        page.body
    );
    let list = browser.get("/segments").await;
    assert_eq!(
        list.testid(&format!("segment-count-{id}")).as_deref(),
        Some("1")
    );
    // The same name twice is refused with the reason.
    let twice = browser
        .post(
            "/segments/new",
            &[
                ("csrf", &csrf),
                ("name", "VIPs"),
                ("rule", ""),
                ("action", "save"),
            ],
        )
        .await;
    assert_eq!(twice.status, 422, "{}", twice.body);
    assert_eq!(shop.app.store.segments().await.unwrap().len(), 1);

    // Edited, then deleted.
    let edited = browser
        .post(
            &format!("/segments/{id}"),
            &[
                ("csrf", &csrf),
                ("name", "Everyone reachable"),
                ("rule", "marketing and not blocked"),
                ("action", "save"),
            ],
        )
        .await;
    assert_eq!(edited.status, 303, "{}", edited.body);
    let page = browser.get(edited.location.as_deref().unwrap()).await;
    assert_eq!(page.testid("preview-count").as_deref(), Some("2"));
    assert!(page.body.contains("Segment saved."));
    let deleted = browser
        .post(&format!("/segments/{id}/delete"), &[("csrf", &csrf)])
        .await;
    assert_eq!(deleted.status, 303, "{}", deleted.body);
    assert!(shop.app.store.segments().await.unwrap().is_empty());
    assert_eq!(browser.get(&format!("/segments/{id}")).await.status, 404);

    // The Chinese page.
    browser.get("/lang/zh?back=/segments").await;
    assert!(browser.get("/segments").await.body.contains("客户分群"));

    let actions = audited(&shop, &user).await;
    for action in [
        "console.segment.create",
        "console.segment.update",
        "console.segment.delete",
    ] {
        assert!(actions.iter().any(|a| a == action), "{actions:?}");
    }
    shop.stop().await;
}

async fn a_broadcast_to_a_segment_reaches_its_customers(database_url: String) {
    let shop = start(database_url).await;
    three_customers(&shop).await;
    let (mut browser, user) = owner(&shop).await;
    let csrf = browser.csrf().await;
    let saved = browser
        .post(
            "/segments/new",
            &[
                ("csrf", &csrf),
                ("name", "Everyone"),
                ("rule", ""),
                ("action", "save"),
            ],
        )
        .await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    let segment = shop.app.store.segments().await.unwrap()[0].id.0.to_string();

    let compose = browser.get("/broadcasts/new").await;
    assert_eq!(compose.status, 200, "{}", compose.body);
    for language in ["en", "zh-CN", "es"] {
        assert!(
            compose
                .body
                .contains(&format!("name=\"text.0.{language}\"")),
            "a text per language: {}",
            compose.body
        );
    }
    assert!(compose
        .body
        .contains(&format!("<option value=\"{segment}\">Everyone</option>")));

    let segment_page = browser.get(&format!("/segments/{segment}")).await;
    assert!(segment_page
        .body
        .contains(&format!("href=\"/broadcasts/new?segment={segment}\"")));
    let chosen = browser
        .get(&format!("/broadcasts/new?segment={segment}"))
        .await;
    assert!(chosen.body.contains(&format!(
        "<option value=\"{segment}\" selected>Everyone</option>"
    )));

    // Without a text in the bot's default language: refused, nothing planned.
    let missing = browser
        .post(
            "/broadcasts/new",
            &[
                ("csrf", &csrf),
                ("name", "Tea"),
                ("audience", "segment"),
                ("segment_id", &segment),
                ("text.0.es", "Hola {name}"),
                ("when", "now"),
            ],
        )
        .await;
    assert_eq!(missing.status, 422, "{}", missing.body);
    assert!(
        missing
            .body
            .contains("needs a text in the bot&#39;s default language"),
        "{}",
        missing.body
    );
    assert!(missing.body.contains("Hola {name}</textarea>"));
    assert!(shop.app.store.broadcasts(10).await.unwrap().is_empty());
    let past = browser
        .post(
            "/broadcasts/new",
            &[
                ("csrf", &csrf),
                ("name", "Tea"),
                ("audience", "segment"),
                ("segment_id", &segment),
                ("text.0.en", "Hi {name}"),
                ("when", "utc"),
                ("send_at", "2020-01-01T10:00"),
            ],
        )
        .await;
    assert_eq!(past.status, 422, "{}", past.body);
    assert!(past.body.contains("send_at: must be in the future"));

    let planned = browser
        .post(
            "/broadcasts/new",
            &[
                ("csrf", &csrf),
                ("name", "New tea"),
                ("audience", "segment"),
                ("segment_id", &segment),
                ("text.0.en", "Hi {name}, new tea is in"),
                ("text.0.zh-CN", "{name}，新茶到了"),
                (
                    "buttons.0",
                    "See it | https://t.me/demo_bot?start=p-silk-scarf",
                ),
                ("holdout_percent", "0"),
                ("attribution_hours", "72"),
                ("when", "now"),
            ],
        )
        .await;
    assert_eq!(planned.status, 303, "{}", planned.body);
    let broadcasts = shop.app.store.broadcasts(10).await.unwrap();
    assert_eq!(broadcasts.len(), 1);
    let id = broadcasts[0].id.0;
    assert_eq!(
        broadcasts[0].segment_id.map(|s| s.0.to_string()),
        Some(segment.clone())
    );
    assert_eq!(
        planned.location.as_deref(),
        Some(format!("/broadcasts/{id}?ok=planned").as_str())
    );

    // The two with marketing consent get it; the one without does not.
    for (tg, name) in [(9601, "Ana"), (9602, "Bo")] {
        let messages = shop
            .wait_for(tg, "the broadcast", |m| {
                has_text(m, &format!("Hi {name}, new tea is in"))
            })
            .await;
        let message = messages
            .iter()
            .find(|m| text(m).contains("new tea"))
            .unwrap();
        assert!(
            message
                .reply_markup
                .as_ref()
                .is_some_and(|k| k.to_string().contains("p-silk-scarf")),
            "{message:?}"
        );
    }
    let deadline = Instant::now() + WAIT;
    let page = loop {
        let page = browser.get(&format!("/broadcasts/{id}")).await;
        assert_eq!(page.status, 200, "{}", page.body);
        if page.testid("state-delivered").as_deref() == Some("2") {
            break page;
        }
        assert!(Instant::now() < deadline, "never delivered: {}", page.body);
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(page.testid("state-failed").as_deref(), Some("0"));
    assert_eq!(page.testid("broadcast-status").as_deref(), Some("done"));
    let cy = shop.sim.messages(shop.bot, 9603).await.unwrap();
    assert!(!has_text(&cy, "new tea"), "no consent, no broadcast");
    let list = browser.get("/broadcasts").await;
    assert!(
        list.body.contains(&format!("broadcast-row-{id}")) && list.body.contains("2 / 2"),
        "{}",
        list.body
    );
    // Done: it cannot be paused any more.
    let pause = browser
        .post(&format!("/broadcasts/{id}/pause"), &[("csrf", &csrf)])
        .await;
    assert_eq!(pause.status, 409, "{}", pause.body);

    // A rule-targeted broadcast for tomorrow, local time, then paused and cancelled.
    let tomorrow = (chrono::Utc::now() + chrono::Duration::days(1))
        .format("%Y-%m-%dT10:00")
        .to_string();
    let later = browser
        .post(
            "/broadcasts/new",
            &[
                ("csrf", &csrf),
                ("name", "Tomorrow"),
                ("audience", "rule"),
                ("rule", "tag = vip"),
                ("text.0.en", "A: good morning {name}"),
                ("text.1.en", "B: morning {name}"),
                ("when", "local"),
                ("local_time", &tomorrow),
            ],
        )
        .await;
    assert_eq!(later.status, 303, "{}", later.body);
    let later_id = shop.app.store.broadcasts(1).await.unwrap()[0].clone();
    assert_eq!(later_id.variants.len(), 2);
    assert_eq!(later_id.rule, "tag = vip");
    let later_page = browser.get(&format!("/broadcasts/{}", later_id.id.0)).await;
    assert_eq!(later_page.testid("state-planned").as_deref(), Some("1"));
    for (action, status) in [("pause", "paused"), ("cancel", "cancelled")] {
        let done = browser
            .post(
                &format!("/broadcasts/{}/{action}", later_id.id.0),
                &[("csrf", &csrf)],
            )
            .await;
        assert_eq!(done.status, 303, "{}", done.body);
        let shown = browser.get(&format!("/broadcasts/{}", later_id.id.0)).await;
        assert_eq!(shown.testid("broadcast-status").as_deref(), Some(status));
    }

    let actions = audited(&shop, &user).await;
    for action in [
        "console.broadcast.plan",
        "console.broadcast.pause",
        "console.broadcast.cancel",
    ] {
        assert!(actions.iter().any(|a| a == action), "{actions:?}");
    }
    shop.stop().await;
}

async fn stock_and_status_from_the_catalog(database_url: String) {
    let shop = start(database_url).await;
    let (mut browser, user) = owner(&shop).await;
    let scarf = shop
        .app
        .store
        .product_by_handle("silk-scarf")
        .await
        .unwrap()
        .expect("the demo shop's scarf");
    let variant = scarf.variants[0].clone();
    let list = browser.get("/catalog").await;
    assert_eq!(list.status, 200, "{}", list.body);
    assert!(
        list.body.contains(&format!("product-row-{}", scarf.id.0))
            && list.body.contains("Silk scarf"),
        "{}",
        list.body
    );
    assert!(list.body.contains("39.00 USD"), "prices: {}", list.body);
    let path = format!("/catalog/{}", scarf.id.0);
    let page = browser.get(&path).await;
    assert_eq!(
        page.testid(&format!("stock-{}", variant.id.0)),
        Some(variant.stock.to_string())
    );
    let csrf = page.csrf();
    let stock_path = format!("{path}/variants/{}/stock", variant.id.0);

    let added = browser
        .post(
            &stock_path,
            &[("csrf", &csrf), ("delta", "+5"), ("reason", "received")],
        )
        .await;
    assert_eq!(added.status, 303, "{}", added.body);
    let page = browser.get(added.location.as_deref().unwrap()).await;
    assert!(page.body.contains("Stock adjusted."));
    assert_eq!(
        page.testid(&format!("stock-{}", variant.id.0)),
        Some((variant.stock + 5).to_string())
    );

    // Beyond the limit: a clear 422 page, and the stock stays.
    let huge = browser
        .post(
            &stock_path,
            &[("csrf", &csrf), ("delta", "1000000001"), ("reason", "typo")],
        )
        .await;
    assert_eq!(huge.status, 422, "{}", huge.body);
    assert!(
        huge.body
            .contains("delta: not zero, between -1000000000 and 1000000000"),
        "{}",
        huge.body
    );
    assert!(
        huge.body.contains("value=\"1000000001\""),
        "kept: {}",
        huge.body
    );
    for (delta, reason) in [("abc", "recount"), ("0", "recount"), ("3", " ")] {
        let bad = browser
            .post(
                &stock_path,
                &[("csrf", &csrf), ("delta", delta), ("reason", reason)],
            )
            .await;
        assert_eq!(bad.status, 422, "{delta}: {}", bad.body);
    }
    let below = browser
        .post(
            &stock_path,
            &[
                ("csrf", &csrf),
                ("delta", "-1000000"),
                ("reason", "damaged"),
            ],
        )
        .await;
    assert_eq!(below.status, 409, "{}", below.body);
    assert!(below.body.contains("below zero"), "{}", below.body);
    let stock = shop
        .app
        .store
        .product(scarf.id)
        .await
        .unwrap()
        .unwrap()
        .variants
        .iter()
        .find(|v| v.id == variant.id)
        .unwrap()
        .stock;
    assert_eq!(stock, variant.stock + 5);
    let movements = shop
        .app
        .store
        .stock_movements(VariantId(variant.id.0))
        .await
        .unwrap();
    let last = movements.last().unwrap();
    assert_eq!(
        (last.delta, last.reason.as_str(), last.actor.clone()),
        (5, "received", format!("console:{user}"))
    );

    // The status: draft, then active again.
    let draft = browser
        .post(
            &format!("{path}/status"),
            &[("csrf", &csrf), ("status", "draft")],
        )
        .await;
    assert_eq!(draft.status, 303, "{}", draft.body);
    let product = shop.app.store.product(scarf.id).await.unwrap().unwrap();
    assert_eq!(product.status, ProductStatus::Draft);
    let page = browser.get(&path).await;
    assert_eq!(page.testid("product-status").as_deref(), Some("draft"));
    let drafts = browser.get("/catalog?status=draft").await;
    assert!(drafts.body.contains(&format!("product-row-{}", scarf.id.0)));
    browser
        .post(
            &format!("{path}/status"),
            &[("csrf", &csrf), ("status", "active")],
        )
        .await;
    assert_eq!(
        shop.app
            .store
            .product(scarf.id)
            .await
            .unwrap()
            .unwrap()
            .status,
        ProductStatus::Active
    );

    let actions = audited(&shop, &user).await;
    assert_eq!(
        actions
            .iter()
            .filter(|a| *a == "console.stock.adjust")
            .count(),
        1,
        "{actions:?}"
    );
    assert_eq!(
        actions
            .iter()
            .filter(|a| *a == "console.product.status")
            .count(),
        2,
        "{actions:?}"
    );
    shop.stop().await;
}

async fn roles_and_csrf_keep_changes_out(database_url: String) {
    let shop = start(database_url).await;
    let scarf = shop
        .app
        .store
        .product_by_handle("silk-scarf")
        .await
        .unwrap()
        .unwrap();
    let variant = scarf.variants[0].clone();
    let stock_path = format!("/catalog/{}/variants/{}/stock", scarf.id.0, variant.id.0);
    let status_path = format!("/catalog/{}/status", scarf.id.0);

    // The analyst may look at segments and preview a rule, nothing more.
    add_user(&shop, "ana", Role::Analyst, "ana's long password").await;
    let mut analyst = Browser::logged_in(&shop, "ana", "ana's long password").await;
    let home = analyst.get("/").await;
    assert!(home.body.contains("href=\"/segments\""), "{}", home.body);
    assert!(
        !home.body.contains("href=\"/broadcasts\"") && !home.body.contains("href=\"/catalog\"")
    );
    for path in [
        "/broadcasts",
        "/broadcasts/new",
        "/catalog",
        &format!("/catalog/{}", scarf.id.0),
    ] {
        let page = analyst.get(path).await;
        assert_eq!(page.status, 403, "{path}: {}", page.body);
        assert!(page.body.contains("Not allowed"));
    }
    assert_eq!(analyst.get("/segments").await.status, 200);
    let form = analyst.get("/segments/new").await;
    assert!(!form.body.contains("data-testid=\"save-segment\""));
    let csrf = analyst.csrf().await;
    let preview = analyst
        .post(
            "/segments/new",
            &[("csrf", &csrf), ("rule", ""), ("action", "preview")],
        )
        .await;
    assert_eq!(preview.status, 200, "{}", preview.body);
    let save = analyst
        .post(
            "/segments/new",
            &[
                ("csrf", &csrf),
                ("name", "Mine"),
                ("rule", ""),
                ("action", "save"),
            ],
        )
        .await;
    assert_eq!(save.status, 403);
    let stock = analyst
        .post(
            &stock_path,
            &[("csrf", &csrf), ("delta", "5"), ("reason", "x")],
        )
        .await;
    assert_eq!(stock.status, 403);
    let broadcast = analyst
        .post(
            "/broadcasts/new",
            &[
                ("csrf", &csrf),
                ("name", "x"),
                ("audience", "rule"),
                ("rule", ""),
                ("text.0.en", "x"),
            ],
        )
        .await;
    assert_eq!(broadcast.status, 403);

    // The agent: no catalog, no broadcasts.
    add_user(&shop, "lin", Role::Agent, "lin's long password").await;
    let mut agent = Browser::logged_in(&shop, "lin", "lin's long password").await;
    assert_eq!(agent.get("/catalog").await.status, 403);
    assert_eq!(agent.get("/broadcasts").await.status, 403);
    let csrf = agent.csrf().await;
    assert_eq!(
        agent
            .post(&status_path, &[("csrf", &csrf), ("status", "archived")])
            .await
            .status,
        403
    );

    // The owner without the token (or with another one): refused, nothing changes.
    let (mut owner, _) = owner(&shop).await;
    let csrf = owner.csrf().await;
    owner
        .post(
            "/segments/new",
            &[
                ("csrf", &csrf),
                ("name", "Kept"),
                ("rule", ""),
                ("action", "save"),
            ],
        )
        .await;
    let kept = shop.app.store.segments().await.unwrap()[0].id.0;
    let wrong = "0".repeat(64);
    let attempts: Vec<(String, Vec<(&str, &str)>)> = vec![
        (
            "/segments/new".into(),
            vec![("name", "Forged"), ("rule", ""), ("action", "save")],
        ),
        (
            format!("/segments/{kept}"),
            vec![("name", "Renamed"), ("rule", "tag = x"), ("action", "save")],
        ),
        (format!("/segments/{kept}/delete"), vec![]),
        (
            "/broadcasts/new".into(),
            vec![
                ("name", "Forged"),
                ("audience", "rule"),
                ("rule", ""),
                ("text.0.en", "Forged"),
                ("when", "now"),
            ],
        ),
        (
            stock_path.clone(),
            vec![("delta", "5"), ("reason", "forged")],
        ),
        (status_path.clone(), vec![("status", "archived")]),
    ];
    for (path, fields) in &attempts {
        for token in [None, Some(wrong.as_str())] {
            let mut form = fields.clone();
            if let Some(token) = token {
                form.push(("csrf", token));
            }
            let page = owner.post(path, &form).await;
            assert_eq!(page.status, 403, "{path}: {}", page.body);
            assert!(page.body.contains("Form expired"), "{}", page.body);
        }
    }
    let segments = shop.app.store.segments().await.unwrap();
    assert_eq!(segments.len(), 1);
    assert_eq!(segments[0].name, "Kept");
    assert!(shop.app.store.broadcasts(10).await.unwrap().is_empty());
    let product = shop.app.store.product(scarf.id).await.unwrap().unwrap();
    assert_eq!(product.status, ProductStatus::Active);
    assert_eq!(product.variants[0].stock, variant.stock);
    shop.stop().await;
}

/// The HTML of the customer page's timeline card.
fn timeline_card(page: &Page) -> String {
    let start = page
        .body
        .find("data-testid=\"timeline\"")
        .unwrap_or_else(|| panic!("no timeline: {}", page.body));
    let card = &page.body[start..];
    card[..card.find("</ul>").expect("the list ends")].to_owned()
}

async fn the_customer_page_shows_the_timeline(database_url: String) {
    let shop = start(database_url).await;
    let lina = customer(9611, "Lina");
    welcome(&shop, &lina).await;
    buy_scarves(&shop, &lina, 1).await;
    let id = customer_id(&shop, &lina).await;
    let store = shop.app.store.clone();
    let events = store
        .customer_timeline(groupcart_core::customer::CustomerId(id), None, 100)
        .await
        .unwrap();
    let paid = events
        .iter()
        .find(|e| e.event.kind == "order_paid")
        .expect("the payment is an event");
    let order = paid.event.data["order"].as_i64().unwrap();
    let scarf = store
        .product_by_handle("silk-scarf")
        .await
        .unwrap()
        .unwrap();
    let title = scarf.text("en").unwrap().title.clone();

    let (mut browser, _) = owner(&shop).await;
    let page = browser.get(&format!("/customers/{id}")).await;
    assert_eq!(page.status, 200, "{}", page.body);
    let card = timeline_card(&page);
    assert!(card.contains("<h2>Timeline</h2>"), "{card}");
    let position = |label: &str| {
        card.find(&format!("<strong>{label}</strong>"))
            .unwrap_or_else(|| panic!("no {label}: {card}"))
    };
    // Newest first: paying, checking out, adding to the cart, viewing, starting.
    let paid_at = position("Paid an order");
    let checkout_at = position("Started checkout");
    let cart_at = position("Added to cart");
    let viewed_at = position("Viewed a product");
    let started_at = card
        .rfind("<strong>Started the bot</strong>")
        .expect("the start");
    assert!(
        paid_at < checkout_at
            && checkout_at < cart_at
            && cart_at < viewed_at
            && viewed_at < started_at,
        "{card}"
    );
    // The important data: the order (linked, with its amount), the product, the source.
    let paid_line = &card[paid_at..card[paid_at..].find("</li>").unwrap() + paid_at];
    assert!(
        paid_line.contains(&format!("<a href=\"/orders/{order}\">#{order}</a>")),
        "{paid_line}"
    );
    assert!(paid_line.contains(" USD"), "{paid_line}");
    let viewed_line = &card[viewed_at..card[viewed_at..].find("</li>").unwrap() + viewed_at];
    assert!(viewed_line.contains(&title), "{viewed_line}");
    let cart_line = &card[cart_at..card[cart_at..].find("</li>").unwrap() + cart_at];
    assert!(
        cart_line.contains(&title) && cart_line.contains("× 1"),
        "{cart_line}"
    );
    // Bot replies are left out.
    assert!(!card.contains("message_sent"), "{card}");
    assert!(!card.contains("timeline-older"), "one page: {card}");

    // The page before the payment starts after it, and still reaches the start.
    let page = browser
        .get(&format!("/customers/{id}?before={}", paid.id))
        .await;
    assert_eq!(page.status, 200, "{}", page.body);
    let older = timeline_card(&page);
    assert!(!older.contains("Paid an order"), "{older}");
    assert!(
        older.contains("<strong>Started the bot</strong>"),
        "{older}"
    );
    let bad = browser.get(&format!("/customers/{id}?before=soon")).await;
    assert_eq!(bad.status, 400, "{}", bad.body);
}
