//! What the logs must never hold: the bot token, the admin API token, Mini App init data,
//! addresses, phone numbers or message bodies. A customer chats, pays with an address and
//! uses the Mini App (with good and forged init data) while every groupcart crate logs at
//! `trace`; then the captured log is searched for each secret.
//!
//! A file of its own: the capturing subscriber is process-wide.

// The scenarios' harness; this file runs on SQLite only (no store behaviour of its own).
#[allow(unused_macros)]
mod shop_harness;

use shop_harness::*;

use groupcart::sandbox::DEMO_TOKEN;
use groupcart_simulator::types::{PayDetails, PayTarget, SimUser};
use std::io::Write;
use std::sync::{Arc, Mutex};

const BOT_ID: i64 = 1000000001;
const STREET: &str = "12 Secret Orchard Road";
const PHONE: &str = "99955501234";
const BODY: &str = "please call me about the pangolin-umbrella";

/// Everything logged, in memory.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logs_hold_no_secrets_or_personal_data() {
    let captured = Captured::default();
    let writer = captured.clone();
    let crates = [
        "groupcart",
        "groupcart_core",
        "groupcart_bot",
        "groupcart_http",
        "groupcart_worker",
        "groupcart_telegram",
        "groupcart_store_sqlite",
        "groupcart_store_postgres",
    ];
    let filter = crates
        .iter()
        .fold(String::from("info"), |f, c| format!("{f},{c}=trace"));
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::new(filter))
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .init();

    let shop = start(sqlite_url()).await;
    restock_scarves(&shop, 5).await;
    let lee = customer(8801, "Lee");
    welcome(&shop, &lee).await;
    shop.sim.send_text(shop.bot, &lee, BODY).await.unwrap();

    // Paid with an address and phone of its own.
    let cart = scarves_in_cart(&shop, &lee, 1).await;
    shop.press(&lee, &cart, "c:pay").await;
    let messages = shop
        .wait_for(lee.id, "the invoice", |m| {
            m.iter().any(|m| m.invoice.is_some())
        })
        .await;
    let invoice = messages.iter().find(|m| m.invoice.is_some()).unwrap();
    let mut details = PayDetails::sample();
    let info = details.order_info.as_mut().unwrap();
    info.phone_number = Some(PHONE.into());
    info.shipping_address.as_mut().unwrap().street_line1 = STREET.into();
    pay(&shop, &lee, invoice.message_id, details).await;
    shop.wait_for(lee.id, "the payment thanks", |m| {
        has_text(m, "We received your payment")
    })
    .await;

    // The Mini App, signed and forged.
    let http = reqwest::Client::new();
    let signed: serde_json::Value = http
        .get(format!(
            "http://{}/sim/bots/{BOT_ID}/webapp-init-data?user={}",
            shop.app.addr, lee.id
        ))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let init_data = signed["init_data"].as_str().unwrap().to_owned();
    let forged = init_data.replace("hash=", "hash=00");
    for data in [&init_data, &forged] {
        let status = http
            .get(format!("http://{}/app/demo/api/cart", shop.app.addr))
            .header("Authorization", format!("tma {data}"))
            .send()
            .await
            .unwrap()
            .status();
        assert!(status.is_success() == (data == &init_data), "{status}");
    }
    // A wrong API token.
    let status = http
        .get(format!("http://{}/api/orders", shop.app.addr))
        .bearer_auth("not-the-token")
        .send()
        .await
        .unwrap()
        .status();
    assert_eq!(status, 401);
    shop.stop().await;

    let log = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    // The capture works and saw the traffic.
    assert!(log.contains("groupcart"), "nothing was captured");
    assert!(
        log.lines().count() > 20,
        "too little was logged to judge:\n{log}"
    );
    let hash = init_data
        .split('&')
        .find_map(|p| p.strip_prefix("hash="))
        .unwrap()
        .to_owned();
    let token_secret = DEMO_TOKEN.split_once(':').unwrap().1;
    let secrets = [
        ("the bot token", token_secret),
        ("the admin API token", API_TOKEN),
        ("the street", STREET),
        ("the phone", PHONE),
        ("a message body", BODY),
        ("the init data's hash", &hash),
        ("the init data", &init_data),
    ];
    for (what, secret) in secrets {
        let line = log.lines().find(|l| l.contains(secret));
        assert!(line.is_none(), "{what} was logged: {}", line.unwrap());
    }
}

async fn pay(shop: &Shop, who: &SimUser, invoice: i64, details: PayDetails) {
    shop.sim
        .pay_with(
            shop.bot,
            who,
            PayTarget::Message {
                chat_id: who.id,
                message_id: invoice,
            },
            details,
        )
        .await
        .unwrap();
}
