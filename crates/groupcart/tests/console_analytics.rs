//! The console's analytics page end to end, on SQLite and PostgreSQL: customers in the
//! simulator start the bot, look at scarves, put them in the cart and pay; the page then
//! shows them in the funnel, the sales per currency and the new customers, as charts with
//! their figures, and each chart's CSV holds the same numbers as the admin API's. Bad
//! filters get a page that names them; a role without the permission is kept out.
//!
//! The growth section takes a cost for a source (CSRF, audited, for users who manage
//! promotions; bad amounts come back 422 with what was typed) and shows its cost per join;
//! a saved segment is a filter; LTV by source and the best posting hours have their tables
//! and CSVs.
//!
//! The service section shows, per support group and per agent, the figures of the admin
//! API's `/support/report` for the page's days, and its CSVs hold the same rows; an agent
//! is kept out of them.

#[macro_use]
mod shop_harness;

use shop_harness::console::*;
use shop_harness::*;

use groupcart_core::console::Role;
use serde_json::json;

on_both_databases!(
    the_page_shows_the_journey_and_its_csv,
    bad_filters_and_roles,
    costs_segments_ltv_and_hours,
    the_service_tables_are_the_support_report,
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
        ("members", "chats"),
        ("members", "interactions"),
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

    // Content interactions: the buttons they pressed, as the API counts them.
    let (_, members) = shop.api_get("/analytics/members").await;
    let presses = members["button_presses"].as_i64().unwrap();
    assert!(presses >= 2, "{members}");
    assert!(page.body.contains("data-testid=\"members\""));
    assert!(
        page.body.contains(&format!(
            "<div class=\"n\">{presses}</div><div class=\"l\">Button presses</div>"
        )),
        "{}",
        page.body
    );
    assert!(page
        .body
        .contains("href=\"/analytics/csv/members?chart=interactions\""));

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

async fn costs_segments_ltv_and_hours(database_url: String) {
    let shop = start(database_url).await;
    let buyer = customer(9711, "Lina");
    welcome(&shop, &buyer).await;
    buy_scarves(&shop, &buyer, 1).await;
    let (_, engagement) = shop.api_get("/analytics/engagement").await;
    let days = engagement["days"].as_array().unwrap();
    let today = days[days.len() - 1]["day"].as_str().unwrap().to_owned();

    let (user, password) = demo(&shop);
    let mut owner = Browser::logged_in(&shop, &user, &password).await;
    let page = owner.get("/analytics").await;
    assert_eq!(page.status, 200, "{}", page.body);
    for testid in ["cost-form", "source-costs", "ltv", "hours"] {
        assert!(
            page.body.contains(&format!("data-testid=\"{testid}\"")),
            "no {testid}"
        );
    }
    let csrf = page.csrf();

    // A cost in major units; it shows in the growth table.
    let added = owner
        .post(
            "/analytics/costs",
            &[
                ("csrf", &csrf),
                ("source", "kol-anna"),
                ("currency", "USD"),
                ("amount", "12.50"),
                ("spent_on", &today),
                ("note", "Story post"),
            ],
        )
        .await;
    assert_eq!(added.status, 303, "{}", added.body);
    assert_eq!(added.location.as_deref(), Some("/analytics?ok=cost"));
    let page = owner.get("/analytics?ok=cost").await;
    assert!(page.body.contains("The cost was added."));
    let table_start = page.body.find("data-testid=\"source-costs\"").unwrap();
    let table = &page.body[table_start..];
    let table = &table[..table.find("</table>").unwrap()];
    assert!(
        table.contains("<td>kol-anna</td><td class=\"num\">12.50 USD</td><td class=\"num\">0</td>"),
        "{table}"
    );
    let (_, costs) = shop.api_get("/source-costs").await;
    assert_eq!(costs["costs"][0]["amount"], 1250, "{costs}");
    let csv = owner.get("/analytics/csv/growth?chart=costs").await;
    assert_eq!(
        csv.body,
        "source,currency,cost,joined,converted,cost_per_join,cost_per_converted,revenue,roi\r\n\
         kol-anna,USD,1250,0,0,,,0,0\r\n"
    );
    assert!(
        table.contains("<td class=\"num\">0.00 USD</td><td class=\"num\">0.0×</td></tr>"),
        "revenue and ROI of kol-anna: {table}"
    );

    // Bad input: every problem named, what was typed kept, nothing stored.
    let bad = owner
        .post(
            "/analytics/costs",
            &[
                ("csrf", &csrf),
                ("source", "kol-anna"),
                ("currency", "USD"),
                ("amount", "12.345"),
                ("spent_on", "someday"),
                ("note", ""),
            ],
        )
        .await;
    assert_eq!(bad.status, 422, "{}", bad.body);
    for field in ["amount:", "spent_on:"] {
        assert!(bad.body.contains(field), "{field} not named: {}", bad.body);
    }
    assert!(bad.body.contains("value=\"12.345\""), "{}", bad.body);
    let no_csrf = owner
        .post(
            "/analytics/costs",
            &[
                ("source", "x"),
                ("currency", "USD"),
                ("amount", "1"),
                ("spent_on", &today),
            ],
        )
        .await;
    assert_ne!(no_csrf.status, 303);
    let (_, costs) = shop.api_get("/source-costs").await;
    assert_eq!(costs["costs"].as_array().unwrap().len(), 1, "{costs}");
    let actions = audited(&shop, &user).await;
    assert!(
        actions.iter().any(|a| a == "console.source_cost.create"),
        "{actions:?}"
    );

    // A saved segment is a filter; an unknown one is named.
    let (status, segment) = shop
        .api(
            "/segments",
            json!({"name": "Scarf lovers", "rule": "source = p-silk-scarf"}),
        )
        .await;
    assert_eq!(status, 201, "{segment}");
    let id = segment["id"].as_i64().unwrap();
    let filtered = owner.get(&format!("/analytics?segment={id}")).await;
    assert_eq!(filtered.status, 200, "{}", filtered.body);
    assert!(filtered.body.contains(&format!(
        "<option value=\"{id}\" selected>Scarf lovers</option>"
    )));
    assert!(filtered.body.contains(&format!(
        "href=\"/analytics/csv/funnel?chart=steps&amp;segment={id}\""
    )));
    let unknown = owner.get("/analytics?segment=999999").await;
    assert_eq!(unknown.status, 422);
    assert!(unknown.body.contains("segment:"), "{}", unknown.body);

    // LTV and hours: tables and CSVs.
    let ltv = owner.get("/analytics/csv/ltv?chart=sources").await;
    assert_eq!(ltv.status, 200);
    let row = ltv
        .body
        .lines()
        .find(|l| l.starts_with("p-silk-scarf,1,"))
        .unwrap_or_else(|| panic!("no LTV row: {}", ltv.body));
    assert!(row.contains(",1,"), "{row}");
    // By tier: Lina, the one customer, in whatever tier her payment gave her.
    assert!(page.body.contains("data-testid=\"ltv-tiers\""));
    let tiers = owner.get("/analytics/csv/ltv?chart=tiers").await;
    assert_eq!(tiers.status, 200);
    let lines: Vec<&str> = tiers.body.lines().collect();
    assert_eq!(
        lines[0],
        "tier,customers,currency,buyers,revenue,ltv_per_customer,ltv_per_buyer"
    );
    assert_eq!(lines.len(), 2, "{}", tiers.body);
    assert!(
        ["member,1,", "silver,1,", "gold,1,"]
            .iter()
            .any(|p| lines[1].starts_with(p))
            && lines[1].split(',').nth(3) == Some("1"),
        "{}",
        tiers.body
    );
    let hours = owner.get("/analytics/csv/hours").await;
    assert_eq!(hours.status, 200);
    assert_eq!(hours.body.lines().count(), 1 + 24, "{}", hours.body);
    assert!(
        hours.body.contains(",1\r\n"),
        "a top hour is ranked: {}",
        hours.body
    );

    // An analyst sees the figures but may not enter costs.
    add_user(&shop, "ana", Role::Analyst, "analyst-password-1").await;
    let mut analyst = Browser::logged_in(&shop, "ana", "analyst-password-1").await;
    let page = analyst.get("/analytics").await;
    assert_eq!(page.status, 200);
    assert!(!page.body.contains("data-testid=\"cost-form\""));
    let analyst_csrf = analyst.csrf().await;
    let denied = analyst
        .post(
            "/analytics/costs",
            &[
                ("csrf", &analyst_csrf),
                ("source", "x"),
                ("currency", "USD"),
                ("amount", "1"),
                ("spent_on", &today),
            ],
        )
        .await;
    assert_eq!(denied.status, 403);
    shop.stop().await;
}

/// The `data-value`s of the row with `testid`, the report's raw figures in column order.
fn service_values(page: &Page, testid: &str) -> Vec<String> {
    let marker = format!("data-testid=\"{testid}\"");
    let start = page
        .body
        .find(&marker)
        .unwrap_or_else(|| panic!("no row {testid}: {}", page.body));
    let row = &page.body[start..];
    let row = &row[..row.find("</tr>").unwrap()];
    row.split("data-value=\"")
        .skip(1)
        .map(|piece| piece.split('"').next().unwrap().to_owned())
        .collect()
}

/// A report figure as the page and the CSV write it (empty when there is none).
fn figure(row: &serde_json::Value, field: &str) -> String {
    row[field]
        .as_i64()
        .map(|v| v.to_string())
        .unwrap_or_default()
}

async fn the_service_tables_are_the_support_report(database_url: String) {
    use groupcart_core::support::{NewTicket, Priority, TicketStatus};
    let shop = start(database_url).await;
    let ana = customer(9721, "Ana");
    welcome(&shop, &ana).await;
    let ana = groupcart_core::customer::CustomerId(customer_id(&shop, &ana).await);
    // Tickets in two groups, two agents and one nobody took, written as the support flow
    // leaves them; one opened before the page's range.
    let now = chrono::Utc::now();
    let minutes = chrono::Duration::minutes;
    let store = shop.app.store.clone();
    let mut tx = store.begin().await.unwrap();
    let tickets = [
        // group, opened minutes ago, agent, first response after, resolved after,
        // breached, csat, nps; the one nobody took is still open.
        (
            "sales",
            180,
            Some((501, "Mei")),
            Some(4),
            Some(60),
            false,
            Some(5),
            Some(10),
        ),
        (
            "sales",
            120,
            Some((501, "Mei")),
            Some(30),
            None,
            true,
            None,
            Some(3),
        ),
        (
            "returns",
            90,
            Some((502, "Raj")),
            Some(10),
            Some(45),
            false,
            Some(3),
            None,
        ),
        (
            "sales",
            15 * 24 * 60,
            Some((502, "Raj")),
            Some(1),
            Some(2),
            false,
            Some(1),
            Some(0),
        ),
        ("returns", 60, None, None, None, true, None, None),
    ];
    for (group, ago, agent, response, resolution, breached, csat, nps) in tickets {
        let opened_at = now - minutes(ago);
        let mut ticket = tx
            .insert_ticket(&NewTicket {
                customer_id: ana,
                bot: "main".into(),
                priority: Priority::Normal,
                group: group.into(),
                staff_chat: -1_003_000_000_009,
                topic: "orders".into(),
                language: "en".into(),
                opened_at,
                first_response_due: opened_at + minutes(15),
                resolution_due: opened_at + minutes(240),
            })
            .await
            .unwrap();
        ticket.assignee_id = agent.map(|(id, _)| id);
        ticket.assignee_name = agent.map(|(_, name)| name.to_owned());
        ticket.first_response_at = response.map(|m| opened_at + minutes(m));
        ticket.resolved_at = resolution.map(|m| opened_at + minutes(m));
        ticket.first_response_breached_at = breached.then(|| opened_at + minutes(15));
        ticket.csat = csat;
        ticket.nps = nps;
        // A customer has one active ticket at a time: all but the last are closed.
        if agent.is_some() {
            ticket.status = TicketStatus::Closed;
            ticket.closed_at = Some(opened_at + minutes(100));
        }
        tx.update_ticket(&ticket).await.unwrap();
    }
    tx.commit().await.unwrap();

    let first_day = (now - chrono::Duration::days(6)).date_naive();
    let last_day = now.date_naive();
    let (status, report) = shop
        .api_get(&format!(
            "/support/report?from={first_day}T00:00:00Z&to={}T00:00:00Z",
            last_day + chrono::Duration::days(1)
        ))
        .await;
    assert_eq!(status, 200, "{report}");
    assert_eq!(
        report["total"]["tickets"], 4,
        "the old one is out: {report}"
    );

    let (mut owner, _) = {
        let (user, password) = demo(&shop);
        (Browser::logged_in(&shop, &user, &password).await, user)
    };
    let range = format!("from={first_day}&to={last_day}");
    let page = owner.get(&format!("/analytics?{range}")).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(
        page.body.contains("data-testid=\"service\""),
        "{}",
        page.body
    );
    let columns = [
        "tickets",
        "first_response_seconds_avg",
        "first_response_seconds_median",
        "resolved",
        "resolution_seconds_avg",
        "breached",
        "breach_rate_per_mille",
        "csat_avg_x100",
        "nps",
    ];
    let expected = |row: &serde_json::Value| -> Vec<String> {
        columns.iter().map(|field| figure(row, field)).collect()
    };
    assert_eq!(
        service_values(&page, "service-total"),
        expected(&report["total"])
    );
    for (kind, rows, count) in [("group", "groups", 2), ("agent", "agents", 3)] {
        let rows = report[rows].as_array().unwrap();
        assert_eq!(rows.len(), count, "{report}");
        for row in rows {
            let key = row["key"].as_str().unwrap();
            assert_eq!(
                service_values(&page, &format!("service-{kind}-{key}")),
                expected(row),
                "{kind} {key}"
            );
        }
    }
    // Names and the figures as staff read them.
    assert!(page.body.contains("Mei (501)"), "{}", page.body);
    assert!(page.body.contains(">Unassigned<"), "{}", page.body);
    assert!(
        page.body.contains(&format!(
            "href=\"/analytics/csv/service?chart=agents&amp;{}\"",
            range.replace('&', "&amp;")
        )),
        "{}",
        page.body
    );

    // The CSVs hold the same rows, with the report's raw figures.
    for chart in ["groups", "agents"] {
        let csv = owner
            .get(&format!("/analytics/csv/service?chart={chart}&{range}"))
            .await;
        assert_eq!(csv.status, 200, "{}", csv.body);
        let lines: Vec<&str> = csv.body.split("\r\n").filter(|l| !l.is_empty()).collect();
        let rows = report[chart].as_array().unwrap();
        assert_eq!(lines.len(), 1 + rows.len(), "{}", csv.body);
        for (line, row) in lines[1..].iter().zip(rows) {
            let expected: Vec<String> = [
                row["key"].as_str().unwrap().to_owned(),
                row["name"].as_str().unwrap_or("").to_owned(),
            ]
            .into_iter()
            .chain(
                [
                    "tickets",
                    "responded",
                    "first_response_seconds_avg",
                    "first_response_seconds_median",
                    "resolved",
                    "resolution_seconds_avg",
                    "breached",
                    "breach_rate_per_mille",
                    "csat_responses",
                    "csat_avg_x100",
                    "nps_responses",
                    "nps",
                ]
                .iter()
                .map(|field| figure(row, field)),
            )
            .collect();
            assert_eq!(line.split(',').collect::<Vec<_>>(), expected, "{chart}");
        }
    }
    assert_eq!(
        owner
            .get("/analytics/csv/service?chart=nobody")
            .await
            .status,
        404
    );

    add_user(&shop, "agent", Role::Agent, "agent-password-1").await;
    let mut agent = Browser::logged_in(&shop, "agent", "agent-password-1").await;
    assert_eq!(agent.get("/analytics/csv/service").await.status, 403);
    shop.stop().await;
}
