//! The operator console in a real browser: headless Chromium, driven over WebDriver by
//! ChromeDriver, logs in as the sandbox's demo owner, opens the dashboard (in a desktop and a
//! phone-sized window), answers a customer's ticket from the inbox and ships a paid order;
//! the customer gets both messages in the simulator. Then it makes a segment (previewing its
//! count first) and composes and schedules a broadcast to it, which the customer receives,
//! and opens the analytics page with its charts. Screenshots of the login page, the
//! dashboard, the segments, the broadcast's page and the analytics (funnel) page land
//! in `target/console-artifacts/`, and the page must log no errors (a
//! Content-Security-Policy violation would be one).
//!
//! Needs `chromium` and `chromedriver` on the PATH (Debian: `apt-get install chromium
//! chromium-driver`; `.ci/run` installs them). Without them the test fails, it never skips.
//! The WebDriver calls are the plain W3C endpoints of `webdriver/` (shared with the Mini App).

// Only its helpers: the scenario macro is for the two-database tests.
#[allow(unused_macros)]
mod shop_harness;

mod webdriver;

use groupcart::config::{AgentGroupConfig, Config};
use groupcart_core::shop::{OrderId, OrderQuery, OrderStatus};
use groupcart_core::support::TicketFilter;
use groupcart_simulator::types::{ChatType, MemberStatus, SimChat};
use serde_json::{json, Value};
use shop_harness::*;
use webdriver::*;

/// Where the screenshots go, under `target/`.
const ARTIFACTS: &str = "console-artifacts";
const FORUM: i64 = -1_004_000_000_002;

fn support_group(config: &mut Config) {
    config.support.groups = vec![AgentGroupConfig {
        key: "en".into(),
        chat_id: FORUM,
        languages: Vec::new(),
        topics: Vec::new(),
        language: "en".into(),
        time_zone: "UTC".into(),
        days: "daily".into(),
        hours: "00:00-00:00".into(),
        supervisor_chat_id: None,
        translate_to: None,
    }];
}

#[tokio::test]
async fn console_login_dashboard_ticket_and_shipping() {
    let chromium = on_path("chromium");
    let chromedriver = on_path("chromedriver");

    let shop = start_with(sqlite_url(), support_group).await;
    let (username, password) = shop.app.demo_login.clone().expect("the demo owner");
    shop.sim
        .register_chat(&SimChat {
            id: FORUM,
            kind: ChatType::Supergroup,
            title: "Support".into(),
            username: None,
            is_forum: true,
        })
        .await
        .unwrap();
    shop.sim
        .add_bot(FORUM, shop.bot, MemberStatus::Administrator)
        .await
        .unwrap();

    // A customer buys a scarf and asks a question the FAQ cannot answer.
    let buyer = customer(9501, "Grace");
    welcome(&shop, &buyer).await;
    buy_scarves(&shop, &buyer, 1).await;
    shop.sim
        .send_text(shop.bot, &buyer, "Can you gift-wrap my scarf?")
        .await
        .unwrap();
    shop.wait_for(buyer.id, "the ticket", |m| has_text(m, "(ticket #"))
        .await;
    let customer_id = groupcart_core::customer::CustomerId(customer_id(&shop, &buyer).await);
    let order = shop
        .app
        .store
        .orders(&OrderQuery {
            customer: Some(customer_id),
            status: Some(OrderStatus::Paid),
            limit: 1,
            ..Default::default()
        })
        .await
        .unwrap()[0]
        .id;
    let ticket = shop
        .app
        .store
        .tickets(&TicketFilter {
            limit: 1,
            ..Default::default()
        })
        .await
        .unwrap()[0]
        .id;
    let origin = format!("http://{}", shop.app.addr);

    let driver = ChromeDriver::start(&chromedriver);
    let browser = Browser::open(&driver, &chromium, PageLoad::Normal, ARTIFACTS).await;
    browser
        .call(
            "POST",
            "/window/rect",
            json!({"width": 1280, "height": 900}),
        )
        .await;
    browser.goto(&format!("{origin}/")).await;
    let user_field = browser.wait_for("#username").await;
    browser.save_screenshot("login.png").await;
    browser.type_into(&user_field, &username).await;
    let password_field = browser.wait_for("#password").await;
    browser.type_into(&password_field, &password).await;
    let submit = browser.wait_for(&testid("login")).await;
    browser.click(&submit).await;

    browser.wait_text(&testid("today-orders"), "1").await;
    browser.wait_text(&testid("open-tickets"), "1").await;
    browser.save_screenshot("dashboard.png").await;
    browser
        .call("POST", "/window/rect", json!({"width": 412, "height": 860}))
        .await;
    browser.save_screenshot("dashboard-phone.png").await;
    browser
        .call(
            "POST",
            "/window/rect",
            json!({"width": 1280, "height": 900}),
        )
        .await;

    // The inbox: answer the ticket.
    browser.goto(&format!("{origin}/inbox")).await;
    let row = browser
        .wait_for(&format!(
            "{} a",
            testid(&format!("ticket-row-{}", ticket.0))
        ))
        .await;
    browser.click(&row).await;
    let text = browser.wait_for("#text").await;
    browser
        .type_into(&text, "Yes, we gift-wrap for free. Happy holidays!")
        .await;
    let reply = browser.wait_for(&testid("reply")).await;
    browser.click(&reply).await;
    browser
        .wait_until("the reply confirmation", || async {
            let flash = browser.text_of(&testid("flash")).await?;
            flash.contains("Reply sent").then_some(())
        })
        .await;
    shop.wait_for(buyer.id, "the reply from the console", |m| {
        has_text(m, "Yes, we gift-wrap for free. Happy holidays!")
    })
    .await;

    // Orders: ship the paid one.
    browser.goto(&format!("{origin}/orders")).await;
    let link = browser
        .wait_for(&format!("{} a", testid(&format!("order-row-{}", order.0))))
        .await;
    browser.click(&link).await;
    let carrier = browser.wait_for("#carrier").await;
    browser.type_into(&carrier, "DHL").await;
    let tracking = browser.wait_for("#tracking").await;
    browser.type_into(&tracking, "JD7788").await;
    let ship = browser.wait_for(&testid("ship")).await;
    browser.click(&ship).await;
    browser.wait_text(&testid("order-status"), "shipped").await;
    browser.save_screenshot("order-shipped.png").await;
    shop.wait_for(buyer.id, "the shipping message", |m| {
        has_text(m, "is on its way with DHL. Tracking number: JD7788")
    })
    .await;
    let shipped = shop
        .app
        .store
        .order(OrderId(order.0))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(shipped.status, OrderStatus::Shipped);

    // Segments: preview a rule's count, save it, see it on the list.
    browser.goto(&format!("{origin}/segments/new")).await;
    let name = browser.wait_for("#name").await;
    browser.type_into(&name, "Subscribers").await;
    let rule = browser.wait_for("#rule").await;
    browser.type_into(&rule, "marketing and orders >= 1").await;
    let preview = browser.wait_for(&testid("preview-segment")).await;
    browser.click(&preview).await;
    browser.wait_text(&testid("preview-count"), "1").await;
    let save = browser.wait_for(&testid("save-segment")).await;
    browser.click(&save).await;
    browser
        .wait_until("the saved segment", || async {
            let flash = browser.text_of(&testid("flash")).await?;
            flash.contains("Segment saved").then_some(())
        })
        .await;
    browser.wait_text(&testid("preview-count"), "1").await;
    let segment = shop.app.store.segments().await.unwrap()[0].id.0;
    browser.goto(&format!("{origin}/segments")).await;
    browser
        .wait_text(&testid(&format!("segment-count-{segment}")), "1")
        .await;
    browser.save_screenshot("segments.png").await;

    // Broadcasts: compose one for the segment and schedule it now.
    browser.goto(&format!("{origin}/broadcasts/new")).await;
    let name = browser.wait_for("#name").await;
    browser.type_into(&name, "Thank-you note").await;
    let option = browser
        .wait_for(&format!("#segment_id option[value=\"{segment}\"]"))
        .await;
    browser.click(&option).await;
    let text = browser.wait_for("#text-0-en").await;
    browser
        .type_into(&text, "Thank you {name}, here is 10% off your next scarf")
        .await;
    browser.save_screenshot("broadcast-compose.png").await;
    let schedule = browser.wait_for(&testid("schedule")).await;
    browser.click(&schedule).await;
    browser
        .wait_until("the scheduled broadcast", || async {
            let flash = browser.text_of(&testid("flash")).await?;
            flash.contains("Broadcast scheduled").then_some(())
        })
        .await;
    shop.wait_for(buyer.id, "the broadcast", |m| {
        has_text(m, "Thank you Grace, here is 10% off your next scarf")
    })
    .await;
    let planned = shop.app.store.broadcasts(1).await.unwrap()[0].id.0;
    browser
        .wait_until("the delivered broadcast", || async {
            browser
                .goto(&format!("{origin}/broadcasts/{planned}"))
                .await;
            let delivered = browser.text_of(&testid("state-delivered")).await?;
            (delivered.trim() == "1").then_some(())
        })
        .await;
    browser.save_screenshot("broadcast.png").await;

    // The analytics page: Grace started, viewed, added to the cart and paid.
    browser.goto(&format!("{origin}/analytics")).await;
    browser.wait_for(&testid("funnel")).await;
    browser.wait_for("svg.chart").await;
    browser.save_screenshot("analytics-funnel.png").await;

    let problems: Vec<Value> = browser
        .call("POST", "/se/log", json!({"type": "browser"}))
        .await
        .as_array()
        .cloned()
        .unwrap_or_default()
        .into_iter()
        .filter(|entry| entry["level"] == "SEVERE")
        .collect();
    assert!(problems.is_empty(), "browser console errors: {problems:#?}");

    browser.quit().await;
    eprintln!("screenshots in {}", artifacts(ARTIFACTS).display());
    shop.stop().await;
}
