//! The Mini App storefront in a real browser: headless Chromium, driven over WebDriver by
//! ChromeDriver, opens `/app/demo` with simulator-signed init data in the URL hash (as
//! Telegram passes it), adds two products to the cart, sees what the cart suggests with them
//! (another customer bought the scarf with a phone case), checks out and pays in the sandbox.
//! Screenshots land in `target/webapp-artifacts/`.
//!
//! Needs `chromium` and `chromedriver` on the PATH (Debian: `apt-get install chromium
//! chromium-driver`; `.ci/run` installs them). Without them the test fails, it never skips.
//! The WebDriver calls are the plain W3C endpoints of `webdriver/` (shared with the console).

mod webdriver;

use chrono::{Duration, Utc};
use groupcart::app::App;
use groupcart::config::Config;
use groupcart_core::customer::CustomerSighting;
use groupcart_core::shop::{NewOrder, OrderId, OrderLine, OrderQuery, OrderStatus, Transition};
use serde_json::{json, Value};
use std::time::Instant;
use tokio::net::TcpListener;
use webdriver::*;

/// Where the screenshots go, under `target/`.
const ARTIFACTS: &str = "webapp-artifacts";
const BOT: i64 = 1_000_000_001;
const USER: i64 = 8001;

#[tokio::test]
async fn storefront_add_to_cart_check_out_and_pay() {
    let chromium = on_path("chromium");
    let chromedriver = on_path("chromedriver");

    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let mut config = Config::default();
    config.database.url = format!(
        "sqlite://{}",
        groupcart_store_contract::sqlite_path().display()
    );
    config.http.listen = listener.local_addr().unwrap();
    config.telegram.poll_timeout = 1;
    let app = App::start_on(config, listener).await.expect("app starts");
    let origin = format!("http://{}", app.addr);
    let http = reqwest::Client::new();

    // Init data signed by the simulator, as Telegram would sign it for this user.
    let signed: Value = http
        .get(format!(
            "{origin}/sim/bots/{BOT}/webapp-init-data?user={USER}"
        ))
        .send()
        .await
        .unwrap()
        .error_for_status()
        .expect("the simulator signs init data")
        .json()
        .await
        .unwrap();
    let init_data = signed["init_data"].as_str().expect("init_data").to_owned();

    // The variant ids the page will show, from the API the page uses.
    let catalog: Value = http
        .get(format!("{origin}/app/demo/api/catalog"))
        .header("Authorization", format!("tma {init_data}"))
        .send()
        .await
        .unwrap()
        .error_for_status()
        .expect("the catalog answers")
        .json()
        .await
        .unwrap();
    scarf_bought_with_a_case(&app).await;
    let case_product = catalog["products"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["handle"] == "phone-case")
        .expect("the phone case")["id"]
        .as_i64()
        .unwrap();
    let scarf_red = variant(&catalog, "silk-scarf", "Red");
    let tea_100 = variant(&catalog, "green-tea", "100 g");
    let case_16 = variant(&catalog, "phone-case", "16");

    let driver = ChromeDriver::start(&chromedriver);
    let browser = Browser::open(&driver, &chromium, PageLoad::Eager, ARTIFACTS).await;
    browser
        .call("POST", "/window/rect", json!({"width": 412, "height": 860}))
        .await;
    let started = Instant::now();
    browser
        .goto(&format!(
            "{origin}/app/demo#tgWebAppData={}",
            percent_encode(&init_data)
        ))
        .await;

    let add_red = browser.wait_for(&testid(&format!("add-{scarf_red}"))).await;
    let loaded = started.elapsed();
    browser.save_screenshot("catalog.png").await;
    let sold_out = browser.wait_for(&testid(&format!("add-{case_16}"))).await;
    assert!(
        !browser.enabled(&sold_out).await,
        "the sold-out variant's Add button is disabled"
    );

    browser.click(&add_red).await;
    browser.wait_text(&testid("cart-count"), "1").await;
    let add_tea = browser.wait_for(&testid(&format!("add-{tea_100}"))).await;
    browser.click(&add_tea).await;
    browser.wait_text(&testid("cart-count"), "2").await;

    let open = browser.wait_for(&testid("cart-open")).await;
    browser.click(&open).await;
    browser.wait_text(&testid("cart-total"), "61.00 USD").await;
    let suggestion = browser
        .wait_until("the suggested phone case", || async {
            let text = browser
                .text_of(&testid(&format!("suggestion-{case_product}")))
                .await?;
            text.contains("USD").then_some(text)
        })
        .await;
    assert!(suggestion.contains("Add"), "{suggestion:?}");
    browser.save_screenshot("cart.png").await;

    let checkout = browser.wait_for(&testid("checkout")).await;
    browser.click(&checkout).await;
    let paid = browser
        .wait_until("the paid state", || async {
            let text = browser.text_of(&testid("paid")).await?;
            text.contains("Paid").then_some(text)
        })
        .await;
    browser.save_screenshot("checkout.png").await;
    let number: i64 = paid
        .split_once('#')
        .and_then(|(_, rest)| {
            let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
            digits.parse().ok()
        })
        .unwrap_or_else(|| panic!("an order number in {paid:?}"));
    // After paying, the page refreshes the cart, which checkout emptied.
    browser.wait_text(&testid("cart-count"), "0").await;

    let customer = app
        .store
        .customer_by_telegram_id(USER)
        .await
        .unwrap()
        .expect("the Mini App user is a customer");
    let query = OrderQuery {
        customer: Some(customer.id),
        limit: 10,
        ..Default::default()
    };
    let orders = app.store.orders(&query).await.unwrap();
    assert_eq!(orders.len(), 1, "{orders:#?}");
    let order = &orders[0];
    assert_eq!(order.id, OrderId(number));
    assert_eq!(order.status, OrderStatus::Paid);
    assert_eq!(order.subtotal, 6100);
    assert_eq!(order.shipping_option.as_deref(), Some("standard"));
    assert_eq!(
        order.total, 6100,
        "standard shipping is free from 50.00 USD"
    );
    let address = order
        .shipping_address
        .as_ref()
        .expect("the sandbox form's address");
    assert_eq!(address.country_code, "SG");

    // Nothing in the page itself went wrong; off-machine loads (Telegram's script, product
    // images) fail here by design and are left out.
    let problems: Vec<Value> = browser
        .call("POST", "/se/log", json!({"type": "browser"}))
        .await
        .as_array()
        .cloned()
        .unwrap_or_default()
        .into_iter()
        .filter(|entry| entry["level"] == "SEVERE")
        .filter(|entry| {
            entry["source"] != "network"
                || entry["message"].as_str().unwrap_or("").contains(&origin)
        })
        .collect();
    assert!(problems.is_empty(), "browser console errors: {problems:#?}");

    browser.quit().await;
    eprintln!(
        "storefront shown {} ms after navigation; screenshots in {}",
        loaded.as_millis(),
        artifacts(ARTIFACTS).display()
    );
    app.shutdown();
    app.stopped().await;
}

/// The id of a product's variant with this label, from the catalog JSON.
/// Another customer's paid order of the scarf with a phone case, three days ago, learned
/// from: what the cart suggests with the scarf.
async fn scarf_bought_with_a_case(app: &App) {
    let store = &app.store;
    let at = Utc::now() - Duration::days(3);
    let mut lines = Vec::new();
    for handle in ["silk-scarf", "phone-case"] {
        let product = store.product_by_handle(handle).await.unwrap().unwrap();
        let variant = product.variants.iter().find(|v| v.stock > 0).unwrap();
        lines.push(OrderLine {
            variant_id: variant.id,
            product_id: product.id,
            sku: None,
            title: handle.into(),
            quantity: 1,
            unit_price: 1000,
        });
    }
    let mut tx = store.begin().await.unwrap();
    let buyer = tx
        .upsert_customer(&CustomerSighting {
            telegram_user_id: USER + 1,
            first_name: "Past".into(),
            last_name: None,
            username: None,
            telegram_language: Some("en".into()),
            source: None,
            bot: "demo".into(),
            at,
        })
        .await
        .unwrap()
        .customer;
    let order = tx
        .place_order(&NewOrder {
            customer_id: buyer.id,
            bot: "demo".into(),
            currency: "USD".parse().unwrap(),
            lines,
            shipping_cost: 0,
            discount: 0,
            discounts: vec![],
            shipping_address: None,
            shipping_option: None,
            source: None,
            reservation_expires_at: at + Duration::minutes(15),
            at,
        })
        .await
        .unwrap();
    let paid = Transition {
        from: OrderStatus::PendingPayment,
        to: OrderStatus::Paid,
        actor: "test".into(),
        note: None,
        at,
    };
    tx.transition_order(order.id, &paid).await.unwrap();
    tx.commit().await.unwrap();
    let mut tx = store.begin().await.unwrap();
    groupcart_core::recommend::recompute(store.as_ref(), tx.as_mut(), Utc::now())
        .await
        .unwrap();
    tx.commit().await.unwrap();
}

fn variant(catalog: &Value, handle: &str, label: &str) -> i64 {
    let product = catalog["products"]
        .as_array()
        .and_then(|p| p.iter().find(|p| p["handle"] == handle))
        .unwrap_or_else(|| panic!("product {handle} in {catalog:#}"));
    product["variants"]
        .as_array()
        .and_then(|v| v.iter().find(|v| v["label"] == label))
        .and_then(|v| v["id"].as_i64())
        .unwrap_or_else(|| panic!("variant {label} of {handle} in {product:#}"))
}

/// Everything but unreserved characters escaped, so `&` and `=` inside the init data survive
/// the hash being read as URL parameters.
fn percent_encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}
