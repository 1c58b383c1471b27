//! The crash harness: three instances of the real binary on one PostgreSQL database and the
//! simulator, while customers start the bot, buy from the shop (checkout, Stars payment,
//! half of them with a coupon that has fewer uses than takers), rush a flash sale and ask
//! for a person, a broadcast goes out, and a random instance is killed with SIGKILL and
//! restarted, again and again (`CHAOS_KILLS`, 50 by default; CI runs this form). Afterwards
//! every invariant is checked and printed with its counts: no update processed twice, no
//! paid order lost, every paid order with exactly one payment, stock + sold = initial, no
//! coupon over its cap, one ticket per customer who asked, every broadcast recipient
//! reached, duplicate sends within the in-flight window, no 429 from Telegram, no failed or
//! stranded job.

use groupcart_core::shop::{OrderQuery, OrderStatus};
use groupcart_core::store::SharedStore;
use groupcart_simulator::client::SimClient;
use groupcart_simulator::types::{
    ChatType, MemberStatus, PaymentStatus, SentMessage, SimChat, SimUser,
};
use groupcart_simulator::{SimConfig, Simulator};
use serde_json::{json, Value};
use std::collections::{HashMap, HashSet};
use std::process::{Child, Command};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::Mutex;

const TOKEN: &str = "5000000003:chaos-test-bot-token";
const BOT_ID: i64 = 5000000003;
const API_TOKEN: &str = "chaos-api-token";
const BUYERS: i64 = 24;
const STOCK: i64 = 100;
const FLASH_BUYERS: i64 = 10;
const FLASH_UNITS: i64 = 5;
/// Customers who put the coupon on their cart (every other one), and its cap.
const COUPON: &str = "CHAOS5";
const COUPON_USES: i64 = 6;
const COUPON_OFF: i64 = 5;
const FORUM: i64 = -1_005_000_000_001;
/// The two forms of the harness take turns.
static ONE_AT_A_TIME: Mutex<()> = Mutex::const_new(());
/// Payments made again because the bot missed Telegram's 10 seconds while instances died.
static PAYMENTS_RETRIED: AtomicUsize = AtomicUsize::new(0);
/// How long a customer waits for an answer while instances die around them.
const PATIENCE: Duration = Duration::from_secs(90);

fn kills() -> usize {
    std::env::var("CHAOS_KILLS")
        .ok()
        .and_then(|k| k.parse().ok())
        .unwrap_or(50)
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// The instances, each running or being restarted.
struct Fleet {
    config: std::path::PathBuf,
    database_url: String,
    sim_url: String,
    log: std::path::PathBuf,
    children: Vec<(Child, u16)>,
}

impl Fleet {
    fn spawn(&self) -> (Child, u16) {
        let port = free_port();
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.log)
            .unwrap();
        let child = Command::new(env!("CARGO_BIN_EXE_groupcart"))
            .arg("serve")
            .arg("--config")
            .arg(&self.config)
            .env("GROUPCART_TELEGRAM__API_URL", &self.sim_url)
            .env("GROUPCART_TELEGRAM__POLL_TIMEOUT", "1")
            .env("GROUPCART_DATABASE__URL", &self.database_url)
            .env(
                "GROUPCART_ENCRYPTION__KEYS",
                groupcart_store_contract::TEST_KEYS,
            )
            .env("GROUPCART_HTTP__LISTEN", format!("127.0.0.1:{port}"))
            .env("RUST_LOG", "info")
            .env_remove(groupcart_store_contract::POSTGRES_URL_VAR)
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .expect("groupcart starts");
        (child, port)
    }

    fn kill_and_restart(&mut self, which: usize) {
        let (child, _) = &mut self.children[which];
        let _ = child.kill();
        let _ = child.wait();
        self.children[which] = self.spawn();
    }

    fn ports(&self) -> Vec<u16> {
        self.children.iter().map(|(_, port)| *port).collect()
    }
}

impl Drop for Fleet {
    fn drop(&mut self) {
        for (child, _) in &mut self.children {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// Calls the admin API on whichever instance answers (instances come and go).
async fn api(fleet: &Mutex<Fleet>, method: reqwest::Method, path: &str, body: Value) -> Value {
    let http = reqwest::Client::new();
    let deadline = Instant::now() + PATIENCE;
    loop {
        for port in fleet.lock().await.ports() {
            let request = http
                .request(method.clone(), format!("http://127.0.0.1:{port}/api{path}"))
                .bearer_auth(API_TOKEN)
                .timeout(Duration::from_secs(5));
            let request = if body.is_null() {
                request
            } else {
                request.json(&body)
            };
            if let Ok(response) = request.send().await {
                let status = response.status();
                let answer: Value = response.json().await.unwrap_or(Value::Null);
                assert!(status.is_success(), "{path}: {status} {answer}");
                return answer;
            }
        }
        assert!(Instant::now() < deadline, "no instance answered {path}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

fn buttons(message: &SentMessage) -> Vec<String> {
    message
        .reply_markup
        .as_ref()
        .and_then(|m| m["inline_keyboard"].as_array().cloned())
        .unwrap_or_default()
        .iter()
        .flat_map(|row| row.as_array().cloned().unwrap_or_default())
        .filter_map(|b| b["callback_data"].as_str().map(str::to_owned))
        .collect()
}

/// The bot's messages to `user` once one after the first `skip` satisfies `find`.
async fn wait_for(
    sim: &SimClient,
    user: i64,
    skip: usize,
    what: &str,
    find: impl Fn(&SentMessage) -> bool,
) -> SentMessage {
    let deadline = Instant::now() + PATIENCE;
    loop {
        let messages: Vec<SentMessage> = sim
            .messages(BOT_ID, user)
            .await
            .unwrap()
            .into_iter()
            .filter(|m| m.from_bot)
            .collect();
        if let Some(found) = messages.iter().skip(skip).rev().find(|m| find(m)) {
            return found.clone();
        }
        assert!(
            Instant::now() < deadline,
            "user {user}: no {what}: {messages:#?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn sent_count(sim: &SimClient, user: i64) -> usize {
    sim.messages(BOT_ID, user)
        .await
        .unwrap()
        .iter()
        .filter(|m| m.from_bot)
        .count()
}

fn text(m: &SentMessage) -> &str {
    m.text.as_deref().unwrap_or("")
}

/// One customer: the welcome and consent, a mug bought with Stars (for some with the capped
/// coupon, which may run out under them), and for some a question for a person.
async fn customer(sim: SimClient, id: i64, coupon: bool, asks: bool) {
    let user = SimUser {
        id,
        first_name: format!("Buyer{id}"),
        last_name: None,
        username: None,
        language_code: Some("en".into()),
    };
    sim.send_text(BOT_ID, &user, "/start chaos").await.unwrap();
    let notice = wait_for(&sim, id, 0, "privacy notice", |m| {
        buttons(m).iter().any(|b| b == "consent:all")
    })
    .await;
    sim.press_button(BOT_ID, &user, id, notice.message_id, "consent:all")
        .await
        .unwrap();
    wait_for(&sim, id, 0, "consent confirmation", |m| {
        text(m).contains("You will get service messages")
    })
    .await;

    let skip = sent_count(&sim, id).await;
    sim.send_text(BOT_ID, &user, "/start p-chaos-mug")
        .await
        .unwrap();
    let card = wait_for(&sim, id, skip, "product card", |m| {
        buttons(m).iter().any(|b| b.starts_with("c:add:"))
    })
    .await;
    let add = buttons(&card)
        .into_iter()
        .find(|b| b.starts_with("c:add:"))
        .unwrap();
    sim.press_button(BOT_ID, &user, id, card.message_id, &add)
        .await
        .unwrap();
    if coupon {
        let skip = sent_count(&sim, id).await;
        sim.send_text(BOT_ID, &user, &format!("/coupon {COUPON}"))
            .await
            .unwrap();
        // Taken ("5 off" or "saved" before the mug is in) or, once others took every
        // use, refused: either way the customer goes on to pay.
        wait_for(&sim, id, skip, "the coupon's answer", |m| {
            text(m).contains(COUPON)
        })
        .await;
    }
    // Checks out until an invoice comes: the checkout is refused (and the code taken off)
    // when the coupon's last use went to someone else in the meantime.
    let deadline = Instant::now() + PATIENCE;
    let invoice = loop {
        // The cart, with its checkout button, once the mug is in it (the press may still be
        // on its way through a dying instance: ask again until it shows).
        let cart = loop {
            let skip = sent_count(&sim, id).await;
            sim.send_text(BOT_ID, &user, "/cart").await.unwrap();
            let cart = wait_for(&sim, id, skip, "cart", |m| {
                text(m).contains("Chaos mug") || text(m).contains("empty")
            })
            .await;
            if buttons(&cart).iter().any(|b| b == "c:pay") {
                break cart;
            }
            assert!(
                Instant::now() < deadline,
                "user {id}: the mug never reached the cart"
            );
            tokio::time::sleep(Duration::from_millis(500)).await;
        };
        let skip = sent_count(&sim, id).await;
        sim.press_button(BOT_ID, &user, id, cart.message_id, "c:pay")
            .await
            .unwrap();
        let answer = wait_for(&sim, id, skip, "invoice", |m| {
            m.invoice.is_some() || text(m).contains("we did not create your order")
        })
        .await;
        if answer.invoice.is_some() {
            break answer;
        }
        assert!(
            Instant::now() < deadline,
            "user {id}: the checkout keeps being refused"
        );
    };
    // Telegram gives the bot 10 seconds to confirm a payment; an instance dying then can
    // make it miss them, and the customer simply pays again (as real customers do).
    let deadline = Instant::now() + PATIENCE;
    loop {
        let started = sim
            .pay(BOT_ID, &user, id, invoice.message_id)
            .await
            .unwrap();
        let status = loop {
            let payment = sim
                .payments(BOT_ID)
                .await
                .unwrap()
                .into_iter()
                .find(|p| p.pre_checkout_query_id == started.pre_checkout_query_id)
                .expect("the payment");
            if !matches!(payment.status, PaymentStatus::Pending) {
                break payment.status;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        };
        match status {
            PaymentStatus::Paid => break,
            PaymentStatus::Failed { .. } => {
                assert!(
                    Instant::now() < deadline,
                    "user {id}: payments keep failing"
                );
                PAYMENTS_RETRIED.fetch_add(1, Ordering::SeqCst);
            }
            other => panic!("user {id}: payment {other:?}"),
        }
    }
    wait_for(&sim, id, 0, "payment thanks", |m| {
        text(m).contains("We received your payment")
    })
    .await;

    if asks {
        sim.send_text(BOT_ID, &user, "/agent Can I get a gift wrap?")
            .await
            .unwrap();
        wait_for(&sim, id, 0, "ticket", |m| text(m).contains("(ticket #")).await;
    }
}

/// A customer who taps "buy" on the flash sale the moment it opens (without paying).
async fn flash_buyer(sim: SimClient, id: i64, sale: i64) {
    let user = SimUser {
        id,
        first_name: format!("Flash{id}"),
        last_name: None,
        username: None,
        language_code: Some("en".into()),
    };
    sim.send_text(BOT_ID, &user, &format!("/start fs-{sale}"))
        .await
        .unwrap();
    let buy = format!("fs:b:{sale}");
    let card = wait_for(&sim, id, 0, "the sale's card", |m| {
        buttons(m).contains(&buy)
    })
    .await;
    sim.press_button(BOT_ID, &user, id, card.message_id, &buy)
        .await
        .unwrap();
}

/// Several instances on PostgreSQL, one killed every 150-500 ms.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chaos_postgres() {
    let database_url = groupcart_store_contract::postgres_url_for_new_db().await;
    let store: SharedStore = groupcart_store_postgres::PostgresStore::connect(
        &database_url,
        2,
        groupcart_store_contract::test_keys_sealer(),
    )
    .await
    .unwrap()
    .into_shared();
    chaos(database_url, store, 3, kills(), 150..500).await;
}

/// The single instance SQLite allows, killed every 0.6-1.2 s (each kill is an outage until
/// it restarts), half as often.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chaos_sqlite() {
    let path = groupcart_store_contract::sqlite_path();
    let database_url = format!("sqlite://{}", path.display());
    let store = groupcart_store_sqlite::SqliteStore::open(
        &database_url,
        groupcart_store_contract::test_keys_sealer(),
    )
    .await
    .unwrap()
    .into_shared();
    chaos(database_url, store, 1, kills() / 2, 600..1200).await;
}

async fn chaos(
    database_url: String,
    store: SharedStore,
    instances: usize,
    kills: usize,
    kill_every_ms: std::ops::Range<u64>,
) {
    let sim_server = Simulator::new(SimConfig::default())
        .spawn_local()
        .await
        .unwrap();
    let sim = sim_server.client();
    // One harness at a time: they would fight over two cores.
    let _turn = ONE_AT_A_TIME.lock().await;
    PAYMENTS_RETRIED.store(0, Ordering::SeqCst);
    let dir = std::env::temp_dir().join(format!(
        "groupcart-chaos-{}-{}",
        store_kind(&database_url),
        std::process::id()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let config = dir.join("groupcart.toml");
    std::fs::write(
        &config,
        format!(
            r#"
[api]
token = "{API_TOKEN}"

[[bots]]
key = "main"
token = "{TOKEN}"
currency = "XTR"

[[support.groups]]
key = "all"
chat_id = {FORUM}
"#
        ),
    )
    .unwrap();
    sim.register_chat(&SimChat {
        id: FORUM,
        kind: ChatType::Supergroup,
        title: "Support".into(),
        username: None,
        is_forum: true,
    })
    .await
    .unwrap();
    sim.add_bot(FORUM, BOT_ID, MemberStatus::Administrator)
        .await
        .unwrap();

    let mut fleet = Fleet {
        config,
        database_url: database_url.clone(),
        sim_url: sim_server.url(),
        log: dir.join("serve.log"),
        children: Vec::new(),
    };
    for _ in 0..instances {
        let child = fleet.spawn();
        fleet.children.push(child);
    }
    let log = fleet.log.clone();
    let fleet = Arc::new(Mutex::new(fleet));

    let product = api(
        &fleet,
        reqwest::Method::POST,
        "/products",
        json!({
            "handle": "chaos-mug",
            "status": "active",
            "fulfilment": "digital",
            "texts": [{"language": "en", "title": "Chaos mug"}],
            "variants": [{"sku": "MUG", "option_values": [], "stock": STOCK,
                          "prices": [{"currency": "XTR", "amount": 25}]}]
        }),
    )
    .await;
    let variant = product["variants"][0]["id"].as_i64().unwrap();
    // A flash sale of a few mugs, for a burst of buyers at its start.
    let sale = api(
        &fleet,
        reqwest::Method::POST,
        "/flash-sales",
        json!({"variant_id": variant, "price": 10, "units": FLASH_UNITS, "per_customer": 1,
               "starts_at": chrono::Utc::now() + chrono::Duration::seconds(2),
               "ends_at": chrono::Utc::now() + chrono::Duration::hours(1)}),
    )
    .await;
    let sale_id = sale["id"].as_i64().unwrap();
    // A coupon with fewer uses than the customers who try it.
    let promotion = api(
        &fleet,
        reqwest::Method::POST,
        "/promotions",
        json!({"name": "Chaos coupon", "trigger": {"code": COUPON},
               "benefit": {"type": "fixed", "amounts": {"XTR": COUPON_OFF}},
               "status": "active", "limits": {"max_uses": COUPON_USES}}),
    )
    .await;
    let promotion_id = promotion["id"].as_i64().unwrap();

    // The killer: a random instance, every so often, restarted at once.
    let killer = {
        let fleet = fleet.clone();
        tokio::spawn(async move {
            let mut seed = 0x2545_F491_4F6C_DD1Du64 ^ u64::from(std::process::id());
            for _ in 0..kills {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                let pause = kill_every_ms.start + seed % (kill_every_ms.end - kill_every_ms.start);
                tokio::time::sleep(Duration::from_millis(pause)).await;
                fleet
                    .lock()
                    .await
                    .kill_and_restart((seed % instances as u64) as usize);
            }
        })
    };
    let mut customers = tokio::task::JoinSet::new();
    for i in 0..BUYERS {
        let sim = sim.clone();
        customers.spawn(async move {
            // Arrivals spread over the kills.
            tokio::time::sleep(Duration::from_millis(400 * i as u64)).await;
            customer(sim, 40_000 + i, i % 2 == 1, i % 4 == 0).await
        });
    }
    for i in 0..FLASH_BUYERS {
        let sim = sim.clone();
        customers.spawn(async move {
            tokio::time::sleep(Duration::from_secs(3)).await;
            flash_buyer(sim, 41_000 + i, sale_id).await
        });
    }
    // A broadcast to everyone who accepted news by then, planned while instances die.
    tokio::time::sleep(Duration::from_secs(6)).await;
    let broadcast = api(
        &fleet,
        reqwest::Method::POST,
        "/broadcasts",
        json!({"name": "Chaos news", "rule": "",
               "variants": [{"texts": {"en": "Chaos news for {name}"}}]}),
    )
    .await;
    let broadcast_id = broadcast["broadcast"]["id"].clone();
    let recipients = broadcast["recipients"].as_i64().unwrap();
    while let Some(done) = customers.join_next().await {
        if let Err(error) = done {
            panic!(
                "a customer's journey failed: {error} (log: {})",
                log.display()
            );
        }
    }
    killer.await.unwrap();

    // The broadcast finishes: nobody left planned or waiting.
    let deadline = Instant::now() + PATIENCE;
    let states = loop {
        let progress = api(
            &fleet,
            reqwest::Method::GET,
            &format!("/broadcasts/{broadcast_id}"),
            Value::Null,
        )
        .await;
        let states = progress["states"].clone();
        let open =
            states["planned"].as_i64().unwrap_or(0) + states["waiting"].as_i64().unwrap_or(0);
        if open == 0 {
            break states;
        }
        assert!(
            Instant::now() < deadline,
            "the broadcast never finished: {progress}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    while store.outbox_stats().await.unwrap().pending > 0 {
        assert!(Instant::now() < deadline, "the outbox never drained");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }

    println!(
        "chaos ({}): {kills} kills of {instances} instance(s), {BUYERS} customers, \
         {FLASH_BUYERS} flash-sale buyers",
        store_kind(&database_url)
    );

    // 0. The broadcast reached each recipient, at most once beyond the in-flight window.
    let mut news = HashMap::new();
    for i in 0..BUYERS {
        let got = sim
            .messages(BOT_ID, 40_000 + i)
            .await
            .unwrap()
            .iter()
            .filter(|m| text(m).starts_with("Chaos news for"))
            .count();
        if got > 0 {
            news.insert(40_000 + i, got);
        }
    }
    let extra: usize = news.values().map(|n| n - 1).sum();
    println!(
        "broadcast: {recipients} recipients, states {states}; {} customers got it, {extra} \
         extra copies (at most one per kill)",
        news.len()
    );
    assert_eq!(
        states["delivered"].as_i64().unwrap_or(0),
        recipients,
        "{states}"
    );
    assert_eq!(news.len() as i64, recipients);
    assert!(extra <= kills);

    // 1. Every update processed once.
    let received = store
        .recent_events(Some("update_received"), 100_000)
        .await
        .unwrap();
    let distinct: HashSet<_> = received
        .iter()
        .map(|e| e.event.data["update_id"].as_i64())
        .collect();
    println!(
        "updates processed: {} ({} distinct update ids)",
        received.len(),
        distinct.len()
    );
    assert_eq!(
        received.len(),
        distinct.len(),
        "an update was processed twice"
    );

    // 2. No paid order lost, each with exactly one payment.
    let payments: Vec<_> = sim
        .payments(BOT_ID)
        .await
        .unwrap()
        .into_iter()
        .filter(|p| p.telegram_payment_charge_id.is_some())
        .collect();
    let orders = store
        .orders(&OrderQuery {
            limit: 10_000,
            ..OrderQuery::default()
        })
        .await
        .unwrap();
    let paid: Vec<_> = orders
        .iter()
        .filter(|o| o.status == OrderStatus::Paid)
        .collect();
    let charges: HashSet<String> = orders
        .iter()
        .flat_map(|o| o.payments.iter().map(|p| p.charge_id.clone()))
        .collect();
    let lost = payments
        .iter()
        .filter(|p| !charges.contains(p.telegram_payment_charge_id.as_deref().unwrap()))
        .count();
    println!(
        "payments at Telegram: {}; paid orders: {}; payments without an order: {lost}; \
         payments made again after the bot missed the 10 s: {}",
        payments.len(),
        paid.len(),
        PAYMENTS_RETRIED.load(Ordering::SeqCst)
    );
    assert_eq!(lost, 0, "a payment has no order");
    assert_eq!(paid.len() as i64, BUYERS, "every buyer has a paid order");
    let wrong = paid.iter().filter(|o| o.payments.len() != 1).count();
    println!("paid orders without exactly one payment: {wrong}");
    assert_eq!(wrong, 0);

    // 3. Stock + sold = initial.
    let product = api(
        &fleet,
        reqwest::Method::GET,
        &format!("/products/{}", product["id"]),
        Value::Null,
    )
    .await;
    let stock = product["variants"][0]["stock"].as_i64().unwrap();
    let held: i64 = orders
        .iter()
        .filter(|o| !matches!(o.status, OrderStatus::Cancelled | OrderStatus::Refunded))
        .flat_map(|o| o.lines.iter())
        .filter(|l| l.variant_id.0 == variant)
        .map(|l| l.quantity)
        .sum();
    println!(
        "stock {stock} + sold {held} = {} (initial {STOCK})",
        stock + held
    );
    assert_eq!(stock + held, STOCK);

    // The flash sale never sold more than its units, and its count matches the orders.
    let sale = api(
        &fleet,
        reqwest::Method::GET,
        &format!("/flash-sales/{sale_id}"),
        Value::Null,
    )
    .await;
    let sold = sale["sold"].as_i64().unwrap();
    let at_sale_price: i64 = orders
        .iter()
        .filter(|o| !matches!(o.status, OrderStatus::Cancelled | OrderStatus::Refunded))
        .flat_map(|o| o.lines.iter())
        .filter(|l| l.variant_id.0 == variant && l.unit_price == 10)
        .map(|l| l.quantity)
        .sum();
    println!(
        "flash sale: {FLASH_BUYERS} buyers for {FLASH_UNITS} units; sold {sold}, orders at \
         the sale price hold {at_sale_price}"
    );
    assert!(sold <= FLASH_UNITS);
    assert_eq!(sold, at_sale_price);
    assert!(sold > 0, "nobody got a flash-sale unit");

    // The coupon never went beyond its cap; its count matches the orders holding it, and
    // every paid order with it took exactly its amount off.
    let promotion = api(
        &fleet,
        reqwest::Method::GET,
        &format!("/promotions/{promotion_id}"),
        Value::Null,
    )
    .await;
    let uses = promotion["uses"].as_i64().unwrap();
    let holding: Vec<_> = orders
        .iter()
        .filter(|o| {
            o.discounts
                .iter()
                .any(|d| d.promotion_id.0 == promotion_id && d.released_at.is_none())
        })
        .collect();
    let paid_with_it = holding
        .iter()
        .filter(|o| o.status == OrderStatus::Paid)
        .count();
    let wrong_amount = holding
        .iter()
        .filter(|o| o.discount != COUPON_OFF || o.total != o.subtotal - COUPON_OFF)
        .count();
    println!(
        "coupon {COUPON}: {} customers tried it for {COUPON_USES} uses; uses counted {uses}, \
         orders holding it {} ({paid_with_it} paid), with a wrong discount {wrong_amount}",
        BUYERS / 2,
        holding.len()
    );
    assert!(uses <= COUPON_USES, "the coupon went over its cap");
    assert_eq!(uses, holding.len() as i64);
    assert_eq!(wrong_amount, 0);
    assert!(paid_with_it > 0, "nobody paid with the coupon");

    // 4. One ticket per customer who asked.
    let tickets = api(&fleet, reqwest::Method::GET, "/tickets", Value::Null).await;
    let per_customer: HashMap<i64, usize> =
        tickets["tickets"]
            .as_array()
            .unwrap()
            .iter()
            .fold(HashMap::new(), |mut m, t| {
                *m.entry(t["customer_id"].as_i64().unwrap()).or_default() += 1;
                m
            });
    let askers = (0..BUYERS).filter(|i| i % 4 == 0).count();
    let topics = sim.topics(BOT_ID, FORUM).await.unwrap().len();
    println!(
        "tickets: {} for {askers} customers who asked; forum topics: {topics}",
        per_customer.len()
    );
    assert_eq!(per_customer.len(), askers);
    assert!(per_customer.values().all(|n| *n == 1));

    // 5. Sends: duplicates only within the in-flight window, never a 429.
    let stats = sim.stats(BOT_ID).await.unwrap();
    println!(
        "messages sent: {}; duplicate sends: {} (at most one per kill: {kills}); 429s: {}",
        stats.sent_messages, stats.duplicate_sends, stats.too_many_requests
    );
    assert!(stats.duplicate_sends as usize <= kills);
    assert!(
        topics <= askers + kills,
        "{topics} topics for {askers} tickets"
    );
    assert_eq!(
        stats.too_many_requests, 0,
        "Telegram's limits were exceeded"
    );

    // 6. Jobs: none failed, none stranded past its time.
    let (failed, stranded) = failed_and_stranded_jobs(&database_url).await;
    println!("jobs failed: {failed}; jobs overdue by more than a lease: {stranded}");
    assert_eq!((failed, stranded), (0, 0));

    drop(fleet);
    let _ = std::fs::remove_dir_all(&dir);
}

fn store_kind(database_url: &str) -> &'static str {
    if database_url.starts_with("sqlite:") {
        "SQLite"
    } else {
        "PostgreSQL"
    }
}

/// Jobs that failed, and jobs still queued more than a lease after they were due.
async fn failed_and_stranded_jobs(database_url: &str) -> (i64, i64) {
    let failed = "SELECT count(*) FROM jobs WHERE status = 'failed'";
    if database_url.starts_with("sqlite:") {
        let pool = sqlx::SqlitePool::connect(database_url).await.unwrap();
        let before = chrono::Utc::now().timestamp_millis() - 90_000;
        let failed: i64 = sqlx::query_scalar(failed).fetch_one(&pool).await.unwrap();
        let stranded: i64 =
            sqlx::query_scalar("SELECT count(*) FROM jobs WHERE status = 'queued' AND run_at < ?")
                .bind(before)
                .fetch_one(&pool)
                .await
                .unwrap();
        pool.close().await;
        (failed, stranded)
    } else {
        let pool = sqlx::PgPool::connect(database_url).await.unwrap();
        let failed: i64 = sqlx::query_scalar(failed).fetch_one(&pool).await.unwrap();
        let stranded: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM jobs
             WHERE status = 'queued' AND run_at < now() - interval '90 seconds'",
        )
        .fetch_one(&pool)
        .await
        .unwrap();
        (failed, stranded)
    }
}
