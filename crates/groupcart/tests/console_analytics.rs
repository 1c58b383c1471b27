//! The console's analytics page end to end, on SQLite and PostgreSQL: customers in the
//! simulator start the bot, look at scarves, put them in the cart and pay; the page then
//! shows them in the funnel, the sales per currency and the new customers, as charts with
//! their figures, and each chart's CSV holds the same numbers as the admin API's. Bad
//! filters get a page that names them; a role without the permission is kept out.

#[macro_use]
mod shop_harness;

use shop_harness::console::*;
use shop_harness::*;

use groupcart_core::console::Role;

on_both_databases!(
    the_page_shows_the_journey_and_its_csv,
    bad_filters_and_roles,
);

/// The figure of a funnel step in the page's table (the row whose first cell is `label`).
fn funnel_count(page: &Page, label: &str) -> i64 {
    let row = format!("<tr><td>{label}</td><td class=\"num\">");
    let start = page
        .body
        .find(&row)
        .unwrap_or_else(|| panic!("no funnel row {label}"))
        + row.len();
    page.body[start..]
        .split('<')
        .next()
        .unwrap()
        .parse()
        .unwrap()
}

async fn the_page_shows_the_journey_and_its_csv(database_url: String) {
    let shop = start(database_url).await;
    let buyer = customer(9701, "Lina");
    let browser_only = customer(9702, "Omar");
    welcome(&shop, &buyer).await;
    welcome(&shop, &browser_only).await;
    buy_scarves(&shop, &buyer, 1).await;
    // Omar puts scarves in the cart and leaves.
    scarves_in_cart(&shop, &browser_only, 1).await;

    let (user, password) = demo(&shop);
    let mut owner = Browser::logged_in(&shop, &user, &password).await;
    let page = owner.get("/analytics").await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("<svg class=\"chart\""), "{}", page.body);
    assert_eq!(funnel_count(&page, "Started the bot"), 2);
    assert_eq!(funnel_count(&page, "Added to cart"), 2);
    assert_eq!(funnel_count(&page, "Checked out"), 1);
    assert_eq!(funnel_count(&page, "Paid"), 1);
    assert!(page
        .body
        .contains("href=\"/analytics/csv/funnel?chart=steps\""));

    // The page's CSV is the admin API's CSV, byte for byte.
    let csv = owner.get("/analytics/csv/funnel?chart=steps").await;
    assert_eq!(csv.status, 200);
    assert!(csv
        .body
        .starts_with("step,count,from_previous,from_first,drop_off\r\n"));
    assert!(csv.body.contains("\r\npaid,1,"), "{}", csv.body);
    let api = reqwest::Client::new()
        .get(format!(
            "http://{}/api/analytics/funnel?format=csv",
            shop.app.addr
        ))
        .bearer_auth(API_TOKEN)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(csv.body, api);
    for (report, chart) in [
        ("growth", "new_customers"),
        ("growth", "members"),
        ("growth", "invite_links"),
        ("retention", "cohorts"),
        ("retention", "days"),
        ("commerce", "currencies"),
        ("commerce", "coupons"),
        ("engagement", "days"),
    ] {
        let csv = owner
            .get(&format!(
                "/analytics/csv/{report}?chart={chart}&bucket=week"
            ))
            .await;
        assert_eq!(csv.status, 200, "{report}/{chart}: {}", csv.body);
        assert!(csv.body.contains("\r\n"), "{report}/{chart}");
    }
    let sales = owner.get("/analytics/csv/commerce?chart=currencies").await;
    let usd = sales
        .body
        .lines()
        .find(|l| l.starts_with("USD,"))
        .unwrap_or_else(|| panic!("no USD row: {}", sales.body));
    assert!(usd.starts_with("USD,1,"), "{usd}");

    // A range without the journey shows empty charts, not errors.
    let past = owner.get("/analytics?from=2020-01-01&to=2020-01-31").await;
    assert_eq!(past.status, 200);
    assert_eq!(funnel_count(&past, "Paid"), 0);
    assert!(past.body.contains("No data for this period yet."));
    shop.stop().await;
}

async fn bad_filters_and_roles(database_url: String) {
    let shop = start(database_url).await;
    let (user, password) = demo(&shop);
    let mut owner = Browser::logged_in(&shop, &user, &password).await;

    let bad = owner
        .get("/analytics?from=yesterday&to=2026-11-01&bucket=year&chat=general")
        .await;
    assert_eq!(bad.status, 422, "{}", bad.body);
    for field in ["from:", "bucket:", "chat:"] {
        assert!(bad.body.contains(field), "{field} not named: {}", bad.body);
    }
    let backwards = owner.get("/analytics?from=2026-11-30&to=2026-11-01").await;
    assert_eq!(backwards.status, 422);
    assert_eq!(owner.get("/analytics/csv/nothing").await.status, 404);
    assert_eq!(
        owner
            .get("/analytics/csv/funnel?chart=nothing")
            .await
            .status,
        404
    );
    assert_eq!(
        owner.get("/analytics/csv/funnel?from=someday").await.status,
        400
    );

    add_user(&shop, "ana", Role::Analyst, "analyst-password-1").await;
    add_user(&shop, "agent", Role::Agent, "agent-password-1").await;
    let mut analyst = Browser::logged_in(&shop, "ana", "analyst-password-1").await;
    assert_eq!(analyst.get("/analytics").await.status, 200);
    assert!(analyst.get("/").await.body.contains("href=\"/analytics\""));
    let mut agent = Browser::logged_in(&shop, "agent", "agent-password-1").await;
    assert_eq!(agent.get("/analytics").await.status, 403);
    assert_eq!(agent.get("/analytics/csv/funnel").await.status, 403);
    assert!(!agent.get("/").await.body.contains("href=\"/analytics\""));
    shop.stop().await;
}
