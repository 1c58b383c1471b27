//! Customer data rights and the audit log end to end through the simulator, on SQLite and
//! PostgreSQL: `/privacy` exports a file with the customer's orders and support tickets
//! (their messages and the agents' notes); erasure leaves none of a customer's distinctive
//! values anywhere in the database (every table, and on SQLite the database file itself),
//! support tickets included, while the order's amounts stay, and nothing reaches them
//! afterwards; `groupcart audit verify` finds a modified audit row; scoped API tokens do only
//! what their scope allows and stop working when revoked.

#[macro_use]
mod shop_harness;

use shop_harness::*;

use groupcart::config::{AgentGroupConfig, Config, Secret};
use groupcart_core::sealing::DataKey;
use groupcart_simulator::types::{
    ChatType, MemberStatus, OrderInfo, PayDetails, PayTarget, SentMessage, SimChat, SimUser,
};
use serde_json::{json, Value};
use std::sync::Arc;
use std::time::{Duration, Instant};

on_both_databases!(
    export_sends_a_file_with_the_orders,
    erasure_leaves_no_trace_but_the_amounts,
    a_key_rotation_keeps_every_order_readable,
    audit_verify_finds_a_modified_entry,
    scoped_tokens_limit_what_they_do_and_can_be_revoked,
);

/// Opens `/privacy` and presses one of its buttons; returns the messages after the press.
async fn privacy_button(shop: &Shop, who: &SimUser, data: &str) {
    let before = shop.sim.messages(shop.bot, who.id).await.unwrap().len();
    shop.sim.send_text(shop.bot, who, "/privacy").await.unwrap();
    let messages = shop
        .wait_for(who.id, "the privacy overview", |m| {
            m.len() > before && has_text(&m[before..], "Your data with us")
        })
        .await;
    let overview = messages.last().unwrap().clone();
    assert!(
        text(&overview).contains("Policy version you accepted"),
        "{overview:?}"
    );
    shop.press(who, &overview, data).await;
}

fn document(message: &SentMessage) -> Option<&Value> {
    message.document.as_ref()
}

/// The agents' forum, where tickets become topics.
const FORUM: i64 = -1_003_100_000_001;

/// One agent group for every language and topic, open around the clock (the defaults of
/// `[[support.groups]]`).
fn agent_group(config: &mut Config) {
    let group: AgentGroupConfig =
        serde_json::from_value(json!({ "key": "en", "chat_id": FORUM })).unwrap();
    config.support.groups = vec![group];
}

/// Registers the agents' forum with the bot as its admin.
async fn forum_with_the_bot(shop: &Shop) {
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
}

/// Asks a question the FAQ cannot answer: it is recorded as unanswered and opens a ticket
/// with the question; returns the ticket's id.
async fn open_ticket(shop: &Shop, who: &SimUser, customer: i64, question: &str) -> i64 {
    let before = shop.sim.messages(shop.bot, who.id).await.unwrap().len();
    shop.sim.send_text(shop.bot, who, question).await.unwrap();
    shop.wait_for(who.id, "the ticket confirmation", |m| {
        m.len() > before && has_text(&m[before..], "(ticket #")
    })
    .await;
    let (status, tickets) = shop.api_get(&format!("/tickets?customer={customer}")).await;
    assert_eq!(status, 200, "{tickets}");
    let tickets = tickets["tickets"].as_array().unwrap();
    assert_eq!(tickets.len(), 1, "{tickets:#?}");
    tickets[0]["id"].as_i64().unwrap()
}

async fn export_sends_a_file_with_the_orders(database_url: String) {
    let shop = start_with(database_url, agent_group).await;
    forum_with_the_bot(&shop).await;
    restock_scarves(&shop, 10).await;
    let ana = customer(8101, "Ana");
    welcome(&shop, &ana).await;
    buy_scarves(&shop, &ana, 2).await;
    let id = customer_id(&shop, &ana).await;

    // A question for the agents, and an agent's internal note about her; someone else's
    // question stays out of her export.
    const QUESTION: &str = "Where is the invoice for my scarf?";
    const NOTE: &str = "Ana asked twice, send the invoice by mail";
    let ticket = open_ticket(&shop, &ana, id, QUESTION).await;
    let ben = customer(8102, "Ben");
    welcome(&shop, &ben).await;
    let ben_id = customer_id(&shop, &ben).await;
    open_ticket(&shop, &ben, ben_id, "Do you sell mittens too?").await;
    let (status, noted) = shop
        .api(
            &format!("/tickets/{ticket}/note"),
            json!({ "text": NOTE, "agent": "Maria" }),
        )
        .await;
    assert_eq!(status, 200, "{noted}");

    privacy_button(&shop, &ana, "privacy:export").await;
    let messages = shop
        .wait_for(ana.id, "the export file", |m| {
            m.iter().any(|m| document(m).is_some())
        })
        .await;
    assert!(has_text(&messages, "Preparing your data"), "{messages:#?}");
    let file = messages.iter().find(|m| document(m).is_some()).unwrap();
    let caption = text(file);
    assert!(caption.contains("1 orders"), "{caption}");
    let doc = document(file).unwrap();
    assert_eq!(doc["mime_type"], "application/json");
    assert!(
        doc["file_name"]
            .as_str()
            .unwrap()
            .starts_with(&format!("personal-data-{id}-")),
        "{doc}"
    );
    let content = shop
        .sim
        .document_content(doc["file_id"].as_str().unwrap())
        .await
        .unwrap();
    let export: Value = serde_json::from_slice(&content).expect("the file is JSON");
    assert_eq!(export["profile"]["first_name"], "Ana");
    assert_eq!(export["profile"]["id"], id);
    let orders = export["orders"].as_array().unwrap();
    assert_eq!(orders.len(), 1, "{export:#}");
    assert_eq!(orders[0]["status"], "paid");
    assert_eq!(orders[0]["lines"].as_array().unwrap().len(), 2);
    assert_eq!(orders[0]["payments"].as_array().unwrap().len(), 1);
    let (status, order) = shop.api_get(&format!("/orders/{}", orders[0]["id"])).await;
    assert_eq!(status, 200);
    assert_eq!(orders[0]["total"], order["total"]);
    let messages = export["messages"].as_array().unwrap();
    assert!(
        messages
            .iter()
            .any(|m| m["direction"] == "from_customer" && m["text"] == "/privacy"),
        "{messages:#?}"
    );
    assert!(
        messages.iter().any(|m| m["direction"] == "to_customer"
            && m["text"]
                .as_str()
                .unwrap()
                .contains("We received your payment")),
        "{messages:#?}"
    );
    let consents = export["consents"].as_array().unwrap();
    assert_eq!(consents.len(), 2, "service and marketing: {consents:#?}");
    assert!(export["events"].as_array().unwrap().len() > 3);
    // The ticket with its conversation, oldest first, the note marked as one.
    let tickets = export["tickets"].as_array().unwrap();
    assert_eq!(tickets.len(), 1, "{export:#}");
    assert_eq!(tickets[0]["id"], ticket);
    assert_eq!(tickets[0]["customer_id"], id);
    assert_eq!(tickets[0]["status"], "open");
    let said: Vec<(&str, &str)> = tickets[0]["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| (m["author"].as_str().unwrap(), m["text"].as_str().unwrap()))
        .collect();
    assert_eq!(said, [("customer", QUESTION), ("note", NOTE)], "{export:#}");
    assert_eq!(tickets[0]["messages"][1]["agent_name"], "Maria");
    let unanswered = export["unanswered_questions"].as_array().unwrap();
    assert_eq!(unanswered.len(), 1, "{export:#}");
    assert_eq!(unanswered[0]["question"], QUESTION);
    assert_eq!(unanswered[0]["customer_id"], id);

    // Staff can get the same data over the API.
    let (status, api_export) = shop.api_get(&format!("/customers/{id}/export")).await;
    assert_eq!(status, 200);
    assert_eq!(api_export["orders"].as_array().unwrap().len(), 1);
    assert_eq!(api_export["tickets"], export["tickets"]);
    assert_eq!(
        api_export["unanswered_questions"],
        export["unanswered_questions"]
    );
    let (status, body) = shop.api_get("/customers/999999/export").await;
    assert_eq!((status, &body["error"]["code"]), (404, &json!("not_found")));
    shop.stop().await;
}

/// Values nobody else has: after the erasure none may be left anywhere.
const FIRST_NAME: &str = "Zebulonius";
const LAST_NAME: &str = "Quaxleworth";
const USERNAME: &str = "zq_tester_81";
const TELEGRAM_ID: i64 = 7_708_813_579;
const STREET: &str = "77 Quokka Lane";
const CITY: &str = "Wombatville";
const PHONE: &str = "99912345678";
const ORDER_NAME: &str = "Zeb Q. Receiver";
const PRIVATE_TEXT: &str = "my secret word is marmalade-kumquat";
const GROUP_TEXT: &str = "greetings from the kumquat parade";
const TICKET_TEXT: &str = "my locker code is pomelo-tangerine-4417";
const GROUP: i64 = -1_001_234_500_001;

fn distinctive_values() -> Vec<String> {
    [
        FIRST_NAME,
        LAST_NAME,
        USERNAME,
        STREET,
        CITY,
        PHONE,
        ORDER_NAME,
        "marmalade-kumquat",
        "kumquat parade",
        "pomelo-tangerine",
    ]
    .iter()
    .map(|v| v.to_string())
    .chain([TELEGRAM_ID.to_string()])
    .collect()
}

/// Two scarves bought and paid by `who` (customer `customer`) with the distinctive name,
/// phone and address; returns the order as the API shows it.
async fn paid_with_address(shop: &Shop, who: &SimUser, customer: i64) -> Value {
    let cart = scarves_in_cart(shop, who, 2).await;
    let before = shop.sim.messages(shop.bot, who.id).await.unwrap().len();
    shop.press(who, &cart, "c:pay").await;
    let messages = shop
        .wait_for(who.id, "the invoice", |m| {
            m[before.min(m.len())..].iter().any(|m| m.invoice.is_some())
        })
        .await;
    let invoice = messages[before..]
        .iter()
        .find(|m| m.invoice.is_some())
        .unwrap();
    let mut details = PayDetails::sample();
    let info: &mut OrderInfo = details.order_info.as_mut().unwrap();
    info.name = Some(ORDER_NAME.into());
    info.phone_number = Some(PHONE.into());
    let address = info.shipping_address.as_mut().unwrap();
    address.street_line1 = STREET.into();
    address.city = CITY.into();
    shop.sim
        .pay_with(
            shop.bot,
            who,
            PayTarget::Message {
                chat_id: who.id,
                message_id: invoice.message_id,
            },
            details,
        )
        .await
        .unwrap();
    shop.wait_for(who.id, "the payment thanks", |m| {
        has_text(m, "We received your payment")
    })
    .await;
    let (status, orders) = shop.api_get(&format!("/orders?customer={customer}")).await;
    assert_eq!(status, 200, "{orders}");
    let order = orders["orders"][0].clone();
    assert!(
        order["shipping_address"].to_string().contains(STREET),
        "{order}"
    );
    order
}

async fn erasure_leaves_no_trace_but_the_amounts(database_url: String) {
    let clock = Arc::new(AheadClock::default());
    let shop = start_at_with(database_url.clone(), clock.clone(), agent_group).await;
    forum_with_the_bot(&shop).await;
    restock_scarves(&shop, 10).await;
    let zeb = SimUser {
        id: TELEGRAM_ID,
        first_name: FIRST_NAME.into(),
        last_name: Some(LAST_NAME.into()),
        username: Some(USERNAME.into()),
        language_code: Some("en".into()),
    };
    welcome(&shop, &zeb).await;
    let id = customer_id(&shop, &zeb).await;
    let (status, _) = shop
        .api_send(
            reqwest::Method::PATCH,
            &format!("/customers/{id}"),
            json!({ "tags": ["vip"], "notes": format!("{FIRST_NAME} prefers evening calls") }),
        )
        .await;
    assert_eq!(status, 200);

    // An order paid with a distinctive address and phone.
    let order = paid_with_address(&shop, &zeb, id).await;
    let order_id = order["id"].as_i64().unwrap();

    // Words in private: with agents configured, a question the FAQ cannot answer is
    // recorded as unanswered and opens a ticket, whose topic in the agents' forum is named
    // after them and opens with their name and username.
    let ticket = open_ticket(&shop, &zeb, id, PRIVATE_TEXT).await;
    // What they send next goes to the agents; an agent's note names them.
    shop.sim
        .send_text(shop.bot, &zeb, TICKET_TEXT)
        .await
        .unwrap();
    let (status, noted) = shop
        .api(
            &format!("/tickets/{ticket}/note"),
            json!({ "text": format!("{FIRST_NAME} wants a call"), "agent": "Maria" }),
        )
        .await;
    assert_eq!(status, 200, "{noted}");
    let deadline = Instant::now() + WAIT;
    loop {
        let topics = shop.sim.topics(shop.bot, FORUM).await.unwrap();
        let relayed = shop.sim.transcript(shop.bot, FORUM).await.unwrap();
        if topics.iter().any(|t| t.name.contains(FIRST_NAME))
            && relayed.iter().any(|m| text(m).contains(USERNAME))
            && relayed
                .iter()
                .any(|m| text(m).contains("marmalade-kumquat"))
            && relayed.iter().any(|m| text(m).contains("pomelo-tangerine"))
        {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "not in the forum: {topics:#?} {relayed:#?}"
        );
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    let stored = places_holding_any(&shop).await;
    let stored_in = |value: &str, table: &str| {
        stored.iter().any(|(v, places)| {
            v == value && places.iter().any(|p| p.starts_with(&format!("{table}.")))
        })
    };
    for (value, table) in [
        ("marmalade-kumquat", "faq_unanswered"),
        ("marmalade-kumquat", "support_messages"),
        ("pomelo-tangerine", "support_messages"),
        (FIRST_NAME, "support_messages"),
    ] {
        assert!(
            stored_in(value, table),
            "`{value}` not in {table}: {stored:#?}"
        );
    }

    // At rest, the address, the phone and the words are sealed: the stored data alone,
    // without the keys, does not show them.
    for value in [STREET, CITY, PHONE, "marmalade-kumquat", "pomelo-tangerine"] {
        let readable = shop.app.store.find_raw_text(value).await.unwrap();
        assert!(readable.is_empty(), "`{value}` readable in {readable:?}");
    }

    // Words in a group.
    group_with_the_bot(&shop, GROUP, "Kumquat lovers").await;
    shop.sim
        .add_user(GROUP, zeb.clone(), MemberStatus::Member)
        .await
        .unwrap();
    shop.sim
        .send_text_in(shop.bot, &zeb, GROUP, GROUP_TEXT)
        .await
        .unwrap();

    // Erase, confirmed.
    privacy_button(&shop, &zeb, "privacy:erase").await;
    let messages = shop
        .wait_for(zeb.id, "the confirmation question", |m| {
            has_text(m, "Delete all your data?")
        })
        .await;
    let question = messages.last().unwrap().clone();
    shop.press(&zeb, &question, "privacy:erase-confirmed").await;
    shop.wait_for(zeb.id, "the goodbye", |m| {
        has_text(m, "Your data has been deleted")
    })
    .await;
    // The goodbye is emptied by a job half a minute later.
    clock.advance(chrono::Duration::minutes(2));
    let deadline = Instant::now() + WAIT;
    loop {
        let left = places_holding_any(&shop).await;
        if left.is_empty() {
            break;
        }
        assert!(Instant::now() < deadline, "still stored: {left:#?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    // The profile is a husk; the order keeps its amounts, lines and payment.
    let (status, profile) = shop.api_get(&format!("/customers/{id}")).await;
    assert_eq!(status, 200);
    assert_eq!(profile["first_name"], "[erased]");
    assert!(profile["erased_at"].is_string(), "{profile}");
    assert_eq!(profile["marketing"], false);
    assert_eq!(profile["tags"], json!([]));
    let (status, kept) = shop.api_get(&format!("/orders/{order_id}")).await;
    assert_eq!(status, 200);
    for field in [
        "total",
        "subtotal",
        "currency",
        "status",
        "lines",
        "payments",
        "customer_id",
    ] {
        assert_eq!(kept[field], order[field], "{field}: {kept}");
    }
    assert!(kept["shipping_address"].is_null(), "{kept}");

    // Nothing reaches them any more, even a staff action on their order.
    let seen = shop.sim.messages(shop.bot, zeb.id).await.unwrap().len();
    let (status, body) = shop
        .api(
            &format!("/orders/{order_id}/ship"),
            json!({"carrier": "DHL", "tracking_number": "JD0001"}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(
        shop.sim.messages(shop.bot, zeb.id).await.unwrap().len(),
        seen,
        "a message reached an erased customer"
    );
    // Erasing again changes nothing; the audit log holds the erasure and verifies.
    let (status, report) = shop.api(&format!("/customers/{id}/erase"), json!({})).await;
    assert_eq!(status, 200);
    assert_eq!(report["orders"], 0, "{report}");
    let (status, audit) = shop.api_get("/audit").await;
    assert_eq!(status, 200);
    let entries = audit["entries"].as_array().unwrap();
    assert!(
        entries.iter().any(|e| e["action"] == "customer.erase"
            && e["actor"] == format!("customer:{id}")
            && e["target"] == format!("customer:{id}")),
        "{audit:#}"
    );
    let (_, verified) = shop.api_get("/audit/verify").await;
    assert!(verified["broken"].is_null(), "{verified}");
    shop.stop().await;

    // With the app stopped, the SQLite file itself (and its WAL, if any is left).
    if let Some(path) = database_url.strip_prefix("sqlite://") {
        for file in [path.to_owned(), format!("{path}-wal")] {
            let Ok(bytes) = std::fs::read(&file) else {
                continue;
            };
            for value in distinctive_values() {
                assert!(
                    !contains(&bytes, value.as_bytes()),
                    "`{value}` is still in {file}"
                );
            }
        }
    }
}

/// `keys` as `encryption.keys` takes them, the first sealing.
fn key_ring(keys: &[&DataKey]) -> String {
    let keys: Vec<String> = keys
        .iter()
        .map(|k| format!("{}:{}", k.id(), k.to_base64()))
        .collect();
    keys.join(",")
}

async fn a_key_rotation_keeps_every_order_readable(database_url: String) {
    let old = DataKey::generate("old").unwrap();
    let new = DataKey::generate("new").unwrap();
    let sealing_with = |ring: String| {
        move |config: &mut Config| {
            config.encryption.keys = Secret::new(ring);
        }
    };
    let shop = start_with(database_url.clone(), sealing_with(key_ring(&[&old]))).await;
    restock_scarves(&shop, 10).await;
    let ada = SimUser {
        id: 7_708_900_001,
        first_name: "Ada".into(),
        last_name: None,
        username: None,
        language_code: Some("en".into()),
    };
    welcome(&shop, &ada).await;
    let id = customer_id(&shop, &ada).await;
    let order = paid_with_address(&shop, &ada, id).await;
    let order_id = order["id"].as_i64().unwrap();
    let (status, _) = shop
        .api_send(
            reqwest::Method::PATCH,
            &format!("/customers/{id}"),
            json!({ "notes": "rings twice, kumquat-saffron" }),
        )
        .await;
    assert_eq!(status, 200);
    shop.stop().await;

    // The new key first, the old one after it: rotation re-seals everything with the new.
    let mut both = Config::default();
    both.database.url = database_url.clone();
    both.encryption.keys = Secret::new(key_ring(&[&new, &old]));
    groupcart::keys::rotate(&both, 7).await.unwrap();

    // The old key alone no longer fits the database; the new one alone reads everything.
    let mut only_old = both.clone();
    only_old.encryption.keys = Secret::new(key_ring(&[&old]));
    let refused = groupcart::storage::open(&only_old).await.err().unwrap();
    let refused = format!("{refused:#}");
    assert!(
        refused.contains("\"new\"") && refused.contains("not configured"),
        "{refused}"
    );
    assert!(!refused.contains(&old.to_base64()), "{refused}");

    let shop = start_with(database_url, sealing_with(key_ring(&[&new]))).await;
    let (status, kept) = shop.api_get(&format!("/orders/{order_id}")).await;
    assert_eq!(status, 200, "{kept}");
    assert_eq!(kept["shipping_address"], order["shipping_address"]);
    let (status, profile) = shop.api_get(&format!("/customers/{id}")).await;
    assert_eq!(status, 200);
    assert_eq!(profile["notes"], "rings twice, kumquat-saffron");
    for value in [STREET, PHONE, "kumquat-saffron"] {
        let readable = shop.app.store.find_raw_text(value).await.unwrap();
        assert!(readable.is_empty(), "`{value}` readable in {readable:?}");
    }
    // And the bot still talks with them: the stored conversation opens with the new key.
    shop.sim
        .send_text(shop.bot, &ada, "/privacy")
        .await
        .unwrap();
    shop.wait_for(ada.id, "the privacy overview", |m| {
        has_text(m, "Your data with us")
    })
    .await;
    shop.stop().await;
}

/// Every `table.column` still holding one of the distinctive values.
async fn places_holding_any(shop: &Shop) -> Vec<(String, Vec<String>)> {
    let mut left = Vec::new();
    for value in distinctive_values() {
        let places = shop.app.store.find_text(&value).await.unwrap();
        if !places.is_empty() {
            left.push((value, places));
        }
    }
    left
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

async fn audit_verify_finds_a_modified_entry(database_url: String) {
    let shop = start(database_url.clone()).await;
    // Three staff actions, each a new entry.
    restock_scarves(&shop, 3).await;
    let (status, audit) = shop.api_get("/audit").await;
    assert_eq!(status, 200);
    let entries = audit["entries"].as_array().unwrap().clone();
    assert!(entries.len() >= 2, "{audit:#}");
    let first = &entries[0];
    assert_eq!(first["seq"], 1);
    assert_eq!(first["actor"], "api");
    assert!(
        first["action"]
            .as_str()
            .unwrap()
            .starts_with("POST /api/variants/"),
        "{first}"
    );
    assert_eq!(first["details"]["status"], 200);
    assert_eq!(first["ip"], "127.0.0.1");
    let (_, verified) = shop.api_get("/audit/verify").await;
    assert_eq!(verified["entries"], entries.len());
    assert!(verified["broken"].is_null());
    shop.stop().await;

    let out = groupcart_cli(&database_url, &["audit", "verify"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("intact"));

    // Someone with database access rewrites what entry 2 says.
    tamper(&database_url).await;
    let out = groupcart_cli(&database_url, &["audit", "verify"]);
    assert_eq!(out.status.code(), Some(1));
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(said.contains("TAMPERED at entry 2"), "{said}");
}

fn groupcart_cli(database_url: &str, args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_groupcart"))
        .arg("--database-url")
        .arg(database_url)
        .args(args)
        .env_remove(groupcart_store_contract::POSTGRES_URL_VAR)
        .env(
            "GROUPCART_ENCRYPTION__KEYS",
            groupcart_store_contract::TEST_KEYS,
        )
        .output()
        .expect("groupcart runs")
}

/// Drops the append-only trigger (as an attacker with database access could) and changes
/// entry 2's action.
async fn tamper(database_url: &str) {
    const CHANGE: &str = "UPDATE audit_log SET action = 'GET /api/nothing' WHERE seq = 2";
    if database_url.starts_with("sqlite:") {
        use sqlx::Connection;
        let mut db = sqlx::SqliteConnection::connect(database_url).await.unwrap();
        let triggers: Vec<(String,)> = sqlx::query_as(
            "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'audit_log'",
        )
        .fetch_all(&mut db)
        .await
        .unwrap();
        assert!(!triggers.is_empty(), "the log has no append-only trigger");
        assert!(
            sqlx::query(CHANGE).execute(&mut db).await.is_err(),
            "the trigger lets it"
        );
        for (name,) in triggers {
            sqlx::query(&format!("DROP TRIGGER \"{name}\""))
                .execute(&mut db)
                .await
                .unwrap();
        }
        sqlx::query(CHANGE).execute(&mut db).await.unwrap();
    } else {
        use sqlx::Connection;
        let mut db = sqlx::PgConnection::connect(database_url).await.unwrap();
        assert!(
            sqlx::query(CHANGE).execute(&mut db).await.is_err(),
            "the trigger lets it"
        );
        let triggers: Vec<(String,)> = sqlx::query_as(
            "SELECT tgname::text FROM pg_trigger WHERE tgrelid = 'audit_log'::regclass AND NOT tgisinternal",
        )
        .fetch_all(&mut db)
        .await
        .unwrap();
        for (name,) in triggers {
            sqlx::query(&format!("DROP TRIGGER \"{name}\" ON audit_log"))
                .execute(&mut db)
                .await
                .unwrap();
        }
        sqlx::query(CHANGE).execute(&mut db).await.unwrap();
    }
}

async fn scoped_tokens_limit_what_they_do_and_can_be_revoked(database_url: String) {
    let shop = start(database_url).await;
    let (status, created) = shop
        .api("/tokens", json!({ "name": "erp", "scope": "orders" }))
        .await;
    assert_eq!(status, 201, "{created}");
    let secret = created["secret"].as_str().unwrap().to_owned();
    assert!(secret.starts_with("gct_"));
    let (_, listed) = shop.api_get("/tokens").await;
    assert_eq!(listed["tokens"][0]["name"], "erp");
    assert!(
        !listed.to_string().contains(&secret),
        "the secret is shown once"
    );
    let (status, _) = shop
        .api("/tokens", json!({ "name": "erp", "scope": "full" }))
        .await;
    assert_eq!(status, 409);

    let call = |method: reqwest::Method, path: &str, body: Option<Value>| {
        let mut request = shop
            .http
            .request(method, format!("http://{}/api{path}", shop.app.addr))
            .bearer_auth(&secret);
        if let Some(body) = body {
            request = request.json(&body);
        }
        async move {
            let response = request.send().await.unwrap();
            let status = response.status().as_u16();
            (
                status,
                response.json::<Value>().await.unwrap_or(Value::Null),
            )
        }
    };
    let (status, _) = call(reqwest::Method::GET, "/orders", None).await;
    assert_eq!(status, 200, "reads are allowed");
    // An order change reaches the handler (no such order), a catalog change does not.
    let (status, body) = call(
        reqwest::Method::POST,
        "/orders/999999/deliver",
        Some(json!({})),
    )
    .await;
    assert_eq!(status, 404, "{body}");
    let (status, body) = call(
        reqwest::Method::POST,
        "/variants/1/stock",
        Some(json!({"delta": 1, "reason": "recount"})),
    )
    .await;
    assert_eq!((status, &body["error"]["code"]), (403, &json!("forbidden")));
    for path in ["/tokens", "/customers/1/export"] {
        let (status, _) = call(reqwest::Method::GET, path, None).await;
        assert_eq!(status, 403, "{path}");
    }
    // Its changes are audited under its name.
    let (_, audit) = shop.api_get("/audit").await;
    assert!(
        audit["entries"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["actor"] == "token:erp" && e["target"] == "/api/orders/999999/deliver"),
        "{audit:#}"
    );

    let id = created["id"].as_i64().unwrap();
    let (status, revoked) = shop
        .api_send(reqwest::Method::DELETE, &format!("/tokens/{id}"), json!({}))
        .await;
    assert_eq!(status, 200, "{revoked}");
    assert!(revoked["revoked_at"].is_string());
    let (status, _) = call(reqwest::Method::GET, "/orders", None).await;
    assert_eq!(status, 401, "a revoked token is refused at once");
    shop.stop().await;
}
