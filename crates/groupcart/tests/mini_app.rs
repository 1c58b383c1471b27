//! The Mini App storefront's API end to end in sandbox mode, on SQLite and PostgreSQL:
//! init data signed like Telegram's, the catalog, the cart, checkout into an invoice link,
//! and payment through the simulator; tampered init data is refused.

use groupcart::app::App;
use groupcart::config::{Config, Secret};
use groupcart_core::shop::{OrderQuery, OrderStatus};
use serde_json::{json, Value};
use std::time::{Duration, Instant};
use tokio::net::TcpListener;

const BOT_ID: i64 = 1000000001;

struct MiniApp {
    app: App,
    http: reqwest::Client,
    init_data: String,
}

impl MiniApp {
    async fn start(database_url: String, user: i64) -> MiniApp {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let mut config = Config::default();
        config.database.url = database_url;
        config.encryption.keys = Secret::new(groupcart_store_contract::TEST_KEYS);
        config.http.listen = listener.local_addr().unwrap();
        config.telegram.poll_timeout = 1;
        let app = App::start_on(config, listener).await.expect("app starts");
        let http = reqwest::Client::new();
        let signed: Value = http
            .get(format!(
                "http://{}/sim/bots/{BOT_ID}/webapp-init-data?user={user}",
                app.addr
            ))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let init_data = signed["init_data"].as_str().unwrap().to_owned();
        MiniApp {
            app,
            http,
            init_data,
        }
    }

    async fn call(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> (u16, Value) {
        let mut request = self
            .http
            .request(
                method,
                format!("http://{}/app/demo/api{path}", self.app.addr),
            )
            .header("Authorization", format!("tma {}", self.init_data));
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Value::Null))
    }
}

async fn browse_buy_and_pay(database_url: String) {
    let shop = MiniApp::start(database_url, 8101).await;
    let (status, page) = shop.call(reqwest::Method::GET, "/catalog", None).await;
    assert_eq!(status, 200, "{page}");
    assert_eq!(page["sandbox"], true);
    let products = page["products"].as_array().unwrap();
    let tea = products
        .iter()
        .find(|p| p["handle"] == "green-tea")
        .expect("demo tea");
    let variant = tea["variants"][0]["id"].as_i64().unwrap();
    assert_eq!(tea["variants"][0]["price_text"], "22.00 USD");

    let (status, cart) = shop
        .call(
            reqwest::Method::PUT,
            &format!("/cart/{variant}"),
            Some(json!({"quantity": 2})),
        )
        .await;
    assert_eq!(status, 200, "{cart}");
    assert_eq!(cart["total_text"], "44.00 USD");
    let (status, body) = shop
        .call(
            reqwest::Method::PUT,
            &format!("/cart/{variant}"),
            Some(json!({"quantity": 999})),
        )
        .await;
    assert_eq!(status, 409, "{body}");
    assert_eq!(body["error"]["code"], "insufficient_stock");

    // A coupon code: refused with the reason, or shown with what it takes off.
    let (status, body) = shop
        .call(
            reqwest::Method::PUT,
            "/cart/code",
            Some(json!({"code": "nope"})),
        )
        .await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["error"]["code"], "coupon_rejected");
    assert_eq!(
        body["error"]["message"],
        "Sorry, code NOPE does not exist. Please check it and try again."
    );
    let draft = serde_json::from_value(json!({
        "name": "App", "trigger": {"code": "APP5"},
        "benefit": {"type": "fixed", "amounts": {"USD": 500}}, "status": "active"
    }))
    .unwrap();
    groupcart_core::coupon::create_promotion(shop.app.store.as_ref(), &draft, chrono::Utc::now())
        .await
        .unwrap();
    let (status, cart) = shop
        .call(
            reqwest::Method::PUT,
            "/cart/code",
            Some(json!({"code": "app5"})),
        )
        .await;
    assert_eq!(status, 200, "{cart}");
    assert_eq!(cart["code"], "APP5");
    assert_eq!(cart["discounts"][0], "🏷 App (APP5): −5.00 USD");
    assert_eq!(cart["total_text"], "39.00 USD");

    let (status, placed) = shop
        .call(reqwest::Method::POST, "/checkout", Some(json!({})))
        .await;
    assert_eq!(status, 200, "{placed}");
    assert_eq!(
        placed["total_text"], "39.00 USD",
        "two teas less 5.00; shipping is chosen with the address"
    );
    let link = placed["invoice_link"].as_str().unwrap();
    let (_, cart) = shop.call(reqwest::Method::GET, "/cart", None).await;
    assert_eq!(cart["count"], 0, "the cart is emptied by checkout");

    let paid = shop
        .http
        .post(format!("http://{}/sim/bots/{BOT_ID}/pay", shop.app.addr))
        .json(&json!({
            "from": 8101,
            "invoice_link": link,
            "order_info": {"name": "Dewi", "phone_number": "+62 812 0000 0000",
                "shipping_address": {"country_code": "ID", "state": "DKI Jakarta",
                    "city": "Jakarta", "street_line1": "Jl. Sudirman 1", "street_line2": "",
                    "post_code": "10220"}},
            "shipping_option_id": "express",
        }))
        .send()
        .await
        .unwrap();
    assert!(paid.status().is_success(), "{}", paid.text().await.unwrap());
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let orders = shop
            .app
            .store
            .orders(&OrderQuery {
                limit: 5,
                ..OrderQuery::default()
            })
            .await
            .unwrap();
        if let Some(order) = orders.first().filter(|o| o.status == OrderStatus::Paid) {
            assert_eq!(order.shipping_option.as_deref(), Some("express"));
            assert_eq!(
                order.total, 5400,
                "44.00 less 5.00, and 15.00 express to Indonesia"
            );
            break;
        }
        assert!(Instant::now() < deadline, "never paid: {orders:?}");
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    shop.app.shutdown();
    shop.app.stopped().await;
}

#[tokio::test]
async fn browse_buy_and_pay_sqlite() {
    browse_buy_and_pay(format!(
        "sqlite://{}",
        groupcart_store_contract::sqlite_path().display()
    ))
    .await;
}

#[tokio::test]
async fn browse_buy_and_pay_postgres() {
    browse_buy_and_pay(groupcart_store_contract::postgres_url_for_new_db().await).await;
}

/// A person trying the sandbox opens the storefront from the console's login page (where the
/// old landing page's links are).
#[tokio::test]
async fn sandbox_opens_the_storefront_in_a_browser() {
    let shop = MiniApp::start(
        format!(
            "sqlite://{}",
            groupcart_store_contract::sqlite_path().display()
        ),
        8104,
    )
    .await;
    let no_redirects = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let landing = no_redirects
        .get(format!("http://{}/login", shop.app.addr))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(landing.contains("/sandbox/mini-app?user=42"), "{landing}");
    let response = no_redirects
        .get(format!(
            "http://{}/sandbox/mini-app?user=8104",
            shop.app.addr
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 303);
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    let init_data = location
        .strip_prefix("/app/demo#tgWebAppData=")
        .expect("the storefront with init data in the hash");
    let init_data: Vec<(String, String)> =
        serde_urlencoded::from_str(&format!("d={init_data}")).unwrap();
    let opened = MiniApp {
        init_data: init_data[0].1.clone(),
        ..shop
    };
    let (status, _) = opened.call(reqwest::Method::GET, "/cart", None).await;
    assert_eq!(status, 200, "the signed init data is accepted");
    opened.app.shutdown();
    opened.app.stopped().await;
}

#[tokio::test]
async fn init_data_must_be_telegrams() {
    let mut shop = MiniApp::start(
        format!(
            "sqlite://{}",
            groupcart_store_contract::sqlite_path().display()
        ),
        8102,
    )
    .await;
    shop.init_data = shop.init_data.replace("8102", "8103");
    let (status, body) = shop.call(reqwest::Method::GET, "/cart", None).await;
    assert_eq!(status, 401);
    assert_eq!(body["error"]["code"], "unauthorized");
    shop.init_data = String::new();
    let (status, _) = shop.call(reqwest::Method::GET, "/catalog", None).await;
    assert_eq!(status, 401);
    let page = shop
        .http
        .get(format!("http://{}/app/demo", shop.app.addr))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    assert!(page.text().await.unwrap().contains("<html"));
    shop.app.shutdown();
    shop.app.stopped().await;
}
