//! Imported customers end to end through the simulator, on SQLite and PostgreSQL: a Shopify
//! customer export imported through the API (a bad file is refused by line, nothing
//! written); a customer shares their own phone with the contact button offered by
//! `/settings` and is linked to the contact imported with it (tags applied, an event under
//! the import's source, the profile showing the imported totals apart from the lifetime
//! value); someone else's contact is refused kindly; a claim link links another contact
//! once, and a reused link gets a friendly answer; the claim links download as CSV; the
//! data export carries the link and an erasure removes it; and the console's import form
//! works with its CSRF token.

mod common;
#[macro_use]
mod shop_harness;

use common::buttons;
use shop_harness::*;

use groupcart_simulator::types::{SentMessage, SimUser};
use serde_json::{json, Value};

on_both_databases!(
    imported_customers_are_linked_by_phone_and_by_claim_link,
    the_console_imports_customers,
);

const SOURCE: &str = "shopify-2026-12";

fn export() -> String {
    [
        "Customer ID,First Name,Last Name,Email,Accepts Email Marketing,Default Address Country Code,Phone,Total Spent,Total Orders,Tags",
        "'101,Ana,Silva,ana@example.com,yes,BR,+1 415 555 0101,1234.50,7,\"VIP, Wholesale\"",
        "'102,Bo,,bo@example.com,no,US,,99.00,2,returning",
        "'103,Cy,,cy@example.com,no,US,+14155550103,0.00,0,",
    ]
    .join("\n")
}

async fn post_csv(shop: &Shop, query: &str, csv: String) -> (u16, Value) {
    let response = shop
        .http
        .post(format!(
            "http://{}/api/customer-imports?{query}",
            shop.app.addr
        ))
        .bearer_auth(API_TOKEN)
        .header("content-type", "text/csv")
        .body(csv)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// The bot's messages to `who` after the first `before`, once one contains `expect`.
async fn reply(shop: &Shop, who: &SimUser, before: usize, expect: &str) -> SentMessage {
    let messages = shop
        .wait_for(who.id, expect, |m| {
            m.len() > before && has_text(&m[before..], expect)
        })
        .await;
    messages[before..]
        .iter()
        .find(|m| text(m).contains(expect))
        .unwrap()
        .clone()
}

async fn sent(shop: &Shop, who: &SimUser) -> usize {
    shop.sim
        .messages(shop.bot, who.id)
        .await
        .unwrap()
        .iter()
        .filter(|m| m.from_bot)
        .count()
}

/// `who` shares the contact of `owner` (their own when `owner` is `who`).
async fn share_contact(shop: &Shop, who: &SimUser, owner: i64, phone: &str) {
    let now = chrono::Utc::now().timestamp();
    let update = json!({"message": {
        "message_id": 900_000 + now % 1000, "date": now,
        "chat": {"id": who.id, "type": "private", "first_name": who.first_name},
        "from": {"id": who.id, "is_bot": false, "first_name": who.first_name, "language_code": "en"},
        "contact": {"phone_number": phone, "first_name": "Someone", "user_id": owner}
    }});
    shop.sim.raw_update(shop.bot, &update).await.unwrap();
}

async fn imported_customers_are_linked_by_phone_and_by_claim_link(database_url: String) {
    let shop = start(database_url).await;

    // A bad file is refused line by line and nothing is imported.
    let bad = format!("{}\n'104,Dee,,not-an-email,,,,12.345,1,", export());
    let (status, body) = post_csv(&shop, &format!("source={SOURCE}&currency=USD"), bad).await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["error"]["code"], "invalid_csv", "{body}");
    let fields: Vec<&str> = body["error"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["line 5: Email", "line 5: Total Spent"], "{body}");
    let (status, page) = shop.api_get("/customer-imports").await;
    assert_eq!(status, 200, "{page}");
    assert_eq!(page["contacts"], json!([]));
    let (status, body) = post_csv(&shop, "source=bad%20label&currency=USD", export()).await;
    assert_eq!(status, 422, "{body}");

    let (status, report) =
        post_csv(&shop, &format!("source={SOURCE}&currency=USD"), export()).await;
    assert_eq!(status, 200, "{report}");
    assert_eq!(
        (&report["created"], &report["updated"], &report["linked"]),
        (&json!(3), &json!(0), &json!(0)),
        "{report}"
    );

    // Ana shares her own number from /settings: she is linked to the contact with it.
    let ana = customer(7801, "Ana");
    welcome(&shop, &ana).await;
    let before = sent(&shop, &ana).await;
    shop.sim
        .send_text(shop.bot, &ana, "/settings")
        .await
        .unwrap();
    let settings = reply(&shop, &ana, before, "News and offers").await;
    assert!(
        buttons(&settings)
            .iter()
            .any(|(_, data)| data == "phone:ask"),
        "{settings:#?}"
    );
    let before = sent(&shop, &ana).await;
    shop.press(&ana, &settings, "phone:ask").await;
    let ask = reply(&shop, &ana, before, "share your phone number").await;
    let markup = ask.reply_markup.clone().expect("a reply keyboard");
    assert_eq!(
        markup["keyboard"][0][0]["request_contact"], true,
        "{markup}"
    );
    let before = sent(&shop, &ana).await;
    share_contact(&shop, &ana, ana.id, "14155550101").await;
    let linked = reply(&shop, &ana, before, "Welcome back!").await;
    assert_eq!(
        linked
            .reply_markup
            .as_ref()
            .map(|m| m["remove_keyboard"].clone()),
        Some(json!(true)),
        "{linked:#?}"
    );
    let ana_id = customer_id(&shop, &ana).await;
    let (status, profile) = shop.api_get(&format!("/customers/{ana_id}")).await;
    assert_eq!(status, 200, "{profile}");
    assert_eq!(profile["tags"], json!(["vip", "wholesale"]), "{profile}");
    assert_eq!(profile["verified_phone"], "+14155550101", "{profile}");
    assert_eq!(profile["imported"][0]["source"], SOURCE, "{profile}");
    assert_eq!(profile["imported"][0]["total_spent"], 123_450, "{profile}");
    assert_eq!(profile["imported"][0]["link_method"], "phone", "{profile}");
    assert_eq!(
        profile["lifetime_value"],
        json!([]),
        "imported totals stay apart"
    );
    let events = shop
        .app
        .store
        .recent_events(Some("customer_linked"), 10)
        .await
        .unwrap();
    assert_eq!(events.len(), 1, "{events:#?}");
    assert_eq!(events[0].event.source.as_deref(), Some(SOURCE));
    assert_eq!(events[0].event.data["method"], "phone");

    // Mallory shares Cy's contact card: refused kindly, nothing linked or stored.
    let mallory = customer(7802, "Mallory");
    welcome(&shop, &mallory).await;
    let before = sent(&shop, &mallory).await;
    shop.sim
        .send_text(shop.bot, &mallory, "/phone")
        .await
        .unwrap();
    reply(&shop, &mallory, before, "share your phone number").await;
    let before = sent(&shop, &mallory).await;
    share_contact(&shop, &mallory, 7899, "14155550103").await;
    reply(&shop, &mallory, before, "someone else's contact").await;
    let mallory_id = customer_id(&shop, &mallory).await;
    let (_, profile) = shop.api_get(&format!("/customers/{mallory_id}")).await;
    assert_eq!(profile["verified_phone"], Value::Null, "{profile}");
    assert_eq!(profile["imported"], json!([]), "{profile}");

    // Bo gets his personal claim link (by email, say) and opens it.
    let (status, page) = shop
        .api_get(&format!("/customer-imports?source={SOURCE}&linked=false"))
        .await;
    assert_eq!(status, 200, "{page}");
    let contacts = page["contacts"].as_array().unwrap();
    assert_eq!(contacts.len(), 2, "{page}");
    let bo = contacts
        .iter()
        .find(|c| c["email"] == "bo@example.com")
        .unwrap();
    let link = bo["claim_link"].as_str().unwrap();
    let payload = link.split("?start=").nth(1).expect("a deep link");
    assert!(link.starts_with("https://t.me/"), "{link}");
    let bo_user = customer(7803, "Bo");
    let before = sent(&shop, &bo_user).await;
    shop.sim
        .send_text(shop.bot, &bo_user, &format!("/start {payload}"))
        .await
        .unwrap();
    reply(&shop, &bo_user, before, "Welcome back!").await;
    let bo_id = customer_id(&shop, &bo_user).await;
    let (_, profile) = shop.api_get(&format!("/customers/{bo_id}")).await;
    assert_eq!(profile["imported"][0]["link_method"], "claim", "{profile}");
    assert_eq!(profile["tags"], json!(["returning"]), "{profile}");
    assert_eq!(
        profile["first_source"],
        Value::Null,
        "the claim token is no source"
    );

    // Mallory tries the same link: used, and nothing of Bo's is shown.
    let before = sent(&shop, &mallory).await;
    shop.sim
        .send_text(shop.bot, &mallory, &format!("/start {payload}"))
        .await
        .unwrap();
    let used = reply(&shop, &mallory, before, "already been used").await;
    assert!(!text(&used).contains("bo@example.com") && !text(&used).contains("Bo"));
    let before = sent(&shop, &mallory).await;
    shop.sim
        .send_text(
            shop.bot,
            &mallory,
            &format!("/start claim-{}", "0".repeat(32)),
        )
        .await
        .unwrap();
    reply(&shop, &mallory, before, "link is not valid").await;
    let (_, profile) = shop.api_get(&format!("/customers/{mallory_id}")).await;
    assert_eq!(profile["imported"], json!([]), "{profile}");

    // The seller downloads the claim links to mail them.
    let response = shop
        .http
        .get(format!(
            "http://{}/api/customer-imports?source={SOURCE}&format=csv",
            shop.app.addr
        ))
        .bearer_auth(API_TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let csv = response.text().await.unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(
        lines[0],
        "source,email,phone,first_name,last_name,claim_link,linked"
    );
    assert_eq!(lines.len(), 4, "{csv}");
    assert!(
        csv.contains(&format!("bo@example.com,,Bo,,{link},yes")),
        "{csv}"
    );

    // A re-import updates by email and phone instead of duplicating.
    let (status, report) =
        post_csv(&shop, &format!("source={SOURCE}&currency=USD"), export()).await;
    assert_eq!(status, 200, "{report}");
    assert_eq!(
        (&report["created"], &report["updated"]),
        (&json!(0), &json!(3))
    );

    // The data export carries the link and the phone; an erasure removes them.
    let (status, data) = shop.api_get(&format!("/customers/{ana_id}/export")).await;
    assert_eq!(status, 200, "{data}");
    assert_eq!(data["verified_phone"]["phone"], "+14155550101", "{data}");
    assert_eq!(data["imported_contacts"][0]["source"], SOURCE, "{data}");
    let (status, erased) = shop
        .api(&format!("/customers/{ana_id}/erase"), json!({}))
        .await;
    assert_eq!(status, 200, "{erased}");
    let (_, page) = shop
        .api_get(&format!("/customer-imports?source={SOURCE}"))
        .await;
    let emails: Vec<&str> = page["contacts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["email"].as_str().unwrap())
        .collect();
    assert_eq!(emails, ["bo@example.com", "cy@example.com"], "{page}");
    assert_eq!(
        shop.app
            .store
            .verified_phone(groupcart_core::customer::CustomerId(ana_id))
            .await
            .unwrap(),
        None
    );
    shop.stop().await;
}

async fn the_console_imports_customers(database_url: String) {
    use shop_harness::console::*;
    let shop = start(database_url).await;
    let (user, password) = demo(&shop);
    let mut owner = Browser::logged_in(&shop, &user, &password).await;
    let list = owner.get("/customers").await;
    assert_eq!(list.status, 200, "{}", list.body);
    assert!(list.body.contains("href=\"/customers/import\""));
    let form = owner.get("/customers/import").await;
    assert_eq!(form.status, 200, "{}", form.body);
    let csrf = form.csrf();
    let multipart = |csrf: &str, source: &str, csv: String| {
        reqwest::multipart::Form::new()
            .text("csrf", csrf.to_owned())
            .text("source", source.to_owned())
            .text("currency", "usd")
            .text("csv", csv)
    };

    // Without the form's token nothing happens.
    let forged = owner
        .post_multipart(
            "/customers/import",
            multipart("forged", "console", export()),
        )
        .await;
    assert_eq!(forged.status, 403, "{}", forged.body);

    // A bad file comes back with its problems by line, and the pasted text kept.
    let bad = format!("{}\n'104,Dee,,dee@example.com,,,12345,1.00,1,", export());
    let refused = owner
        .post_multipart("/customers/import", multipart(&csrf, "console", bad))
        .await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert!(
        refused
            .testid("import-problem")
            .is_some_and(|p| p.starts_with("line 5: Phone")),
        "{}",
        refused.body
    );
    assert!(refused.body.contains("dee@example.com"), "the text is kept");

    let done = owner
        .post_multipart("/customers/import", multipart(&csrf, "console", export()))
        .await;
    assert_eq!(done.status, 200, "{}", done.body);
    assert!(done.body.contains("data-created=\"3\""), "{}", done.body);
    assert_eq!(
        done.body
            .matches("data-testid=\"imported-contact\"")
            .count(),
        3
    );
    assert!(done.body.contains("claim-"), "{}", done.body);
    let (_, page) = shop.api_get("/customer-imports?source=console").await;
    assert_eq!(page["contacts"].as_array().unwrap().len(), 3, "{page}");
    assert_eq!(page["contacts"][0]["currency"], "USD", "{page}");
    let audit = audited(&shop, &user).await;
    assert!(
        audit.iter().any(|a| a == "console.customers.import"),
        "{audit:?}"
    );
    shop.stop().await;
}
