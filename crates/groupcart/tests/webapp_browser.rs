//! The Mini App storefront in a real browser: headless Chromium, driven over WebDriver by
//! ChromeDriver, opens `/app/demo` with simulator-signed init data in the URL hash (as
//! Telegram passes it), adds two products to the cart, checks out and pays in the sandbox.
//! Screenshots land in `target/webapp-artifacts/`.
//!
//! Needs `chromium` and `chromedriver` on the PATH (Debian: `apt-get install chromium
//! chromium-driver`; `.ci/run` installs them). Without them the test fails, it never skips.
//! The WebDriver calls are the few plain W3C endpoints below, over the `reqwest` we have.

use base64::Engine as _;
use groupcart::app::App;
use groupcart::config::Config;
use groupcart_core::shop::{OrderId, OrderQuery, OrderStatus};
use serde_json::{json, Value};
use std::os::unix::process::CommandExt as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use tokio::net::TcpListener;

const WAIT: Duration = Duration::from_secs(20);
const BOT: i64 = 1_000_000_001;
const USER: i64 = 8001;
/// How WebDriver names an element reference in JSON.
const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

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
    let scarf_red = variant(&catalog, "silk-scarf", "Red");
    let tea_100 = variant(&catalog, "green-tea", "100 g");
    let case_16 = variant(&catalog, "phone-case", "16");

    let driver = ChromeDriver::start(&chromedriver);
    let browser = Browser::open(&driver, &chromium).await;
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
        artifacts().display()
    );
    app.shutdown();
    app.stopped().await;
}

/// The id of a product's variant with this label, from the catalog JSON.
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

fn testid(id: &str) -> String {
    format!("[data-testid=\"{id}\"]")
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

fn on_path(name: &str) -> PathBuf {
    std::env::var_os("PATH")
        .iter()
        .flat_map(std::env::split_paths)
        .map(|dir| dir.join(name))
        .find(|path| path.is_file())
        .unwrap_or_else(|| {
            panic!(
                "`{name}` is not installed; this browser test needs Chromium and ChromeDriver \
                 (Debian: apt-get install chromium chromium-driver; .ci/run installs them)"
            )
        })
}

fn artifacts() -> PathBuf {
    // The workspace's target, two levels above this crate, unless moved.
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).ancestors().nth(2);
            workspace.expect("the workspace root").join("target")
        });
    target.join("webapp-artifacts")
}

/// A `chromedriver` child process on a free port, in a process group of its own so that
/// dropping it also ends the Chromium it started, even when the test fails half way.
struct ChromeDriver {
    child: Child,
    url: String,
}

impl ChromeDriver {
    fn start(binary: &Path) -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new(binary)
            .arg(format!("--port={port}"))
            .process_group(0)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", binary.display()));
        ChromeDriver {
            child,
            url: format!("http://127.0.0.1:{port}"),
        }
    }
}

impl Drop for ChromeDriver {
    fn drop(&mut self) {
        let group = format!("-{}", self.child.id());
        let _ = Command::new("kill").args(["-KILL", "--", &group]).status();
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One WebDriver session.
struct Browser {
    http: reqwest::Client,
    session: String,
    _profile: TempDir,
}

impl Browser {
    async fn open(driver: &ChromeDriver, chromium: &Path) -> Self {
        let http = reqwest::Client::new();
        let deadline = Instant::now() + WAIT;
        loop {
            let ready = match http.get(format!("{}/status", driver.url)).send().await {
                Ok(response) => response.json::<Value>().await.ok(),
                Err(_) => None,
            };
            if ready.is_some_and(|s| s["value"]["ready"] == true) {
                break;
            }
            assert!(Instant::now() < deadline, "chromedriver did not start");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let profile = TempDir::new();
        let capabilities = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            // Return at DOMContentLoaded: the page must not wait for Telegram's script,
            // which cannot load here, and neither should navigation.
            "pageLoadStrategy": "eager",
            "goog:loggingPrefs": {"browser": "ALL"},
            "goog:chromeOptions": {
                "binary": chromium,
                "args": [
                    "--headless",
                    "--no-sandbox",
                    "--disable-gpu",
                    "--disable-background-networking",
                    "--disable-component-update",
                    "--disable-dev-shm-usage",
                    format!("--user-data-dir={}", profile.0.display()),
                ],
            },
        }}});
        let response: Value = http
            .post(format!("{}/session", driver.url))
            .json(&capabilities)
            .send()
            .await
            .expect("chromedriver answers")
            .json()
            .await
            .unwrap();
        let session = response["value"]["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no WebDriver session: {response:#}"))
            .to_owned();
        Browser {
            http,
            session: format!("{}/session/{session}", driver.url),
            _profile: profile,
        }
    }

    /// Calls a session endpoint; `Err` carries WebDriver's error code.
    async fn try_call(&self, method: &str, path: &str, body: Value) -> Result<Value, String> {
        let url = format!("{}{path}", self.session);
        let request = match method {
            "GET" => self.http.get(url),
            "DELETE" => self.http.delete(url),
            _ => self.http.post(url).json(&body),
        };
        let response = request
            .timeout(WAIT)
            .send()
            .await
            .map_err(|e| e.to_string())?;
        let ok = response.status().is_success();
        let reply: Value = response.json().await.map_err(|e| e.to_string())?;
        if ok {
            Ok(reply["value"].clone())
        } else {
            Err(format!(
                "{}: {}",
                reply["value"]["error"], reply["value"]["message"]
            ))
        }
    }

    async fn call(&self, method: &str, path: &str, body: Value) -> Value {
        self.try_call(method, path, body)
            .await
            .unwrap_or_else(|e| panic!("WebDriver {method} {path}: {e}"))
    }

    async fn goto(&self, url: &str) {
        self.call("POST", "/url", json!({ "url": url })).await;
    }

    async fn find(&self, css: &str) -> Option<String> {
        let found = self
            .try_call(
                "POST",
                "/element",
                json!({"using": "css selector", "value": css}),
            )
            .await
            .ok()?;
        found[ELEMENT].as_str().map(str::to_owned)
    }

    /// The element's rendered text, if it is there and shown.
    async fn text_of(&self, css: &str) -> Option<String> {
        let element = self.find(css).await?;
        let text = self
            .try_call("GET", &format!("/element/{element}/text"), Value::Null)
            .await
            .ok()?;
        text.as_str().map(str::to_owned)
    }

    async fn enabled(&self, element: &str) -> bool {
        self.call("GET", &format!("/element/{element}/enabled"), Value::Null)
            .await
            == true
    }

    async fn click(&self, element: &str) {
        self.call("POST", &format!("/element/{element}/click"), json!({}))
            .await;
    }

    async fn wait_until<T, F, Fut>(&self, what: &str, mut probe: F) -> T
    where
        F: FnMut() -> Fut,
        Fut: std::future::Future<Output = Option<T>>,
    {
        let deadline = Instant::now() + WAIT;
        loop {
            if let Some(found) = probe().await {
                return found;
            }
            if Instant::now() >= deadline {
                self.save_screenshot("timeout.png").await;
                let banner = self.text_of(&testid("error")).await.unwrap_or_default();
                panic!("timed out waiting for {what}; error banner: {banner:?}; see timeout.png");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    async fn wait_for(&self, css: &str) -> String {
        self.wait_until(css, || self.find(css)).await
    }

    async fn wait_text(&self, css: &str, expected: &str) {
        let what = format!("{css} to read {expected:?}");
        self.wait_until(&what, || async {
            (self.text_of(css).await?.trim() == expected).then_some(())
        })
        .await
    }

    async fn save_screenshot(&self, name: &str) {
        let data = self.call("GET", "/screenshot", Value::Null).await;
        let png = base64::engine::general_purpose::STANDARD
            .decode(data.as_str().expect("base64 PNG"))
            .expect("a valid screenshot");
        let dir = artifacts();
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(name), png).unwrap();
    }

    async fn quit(self) {
        let _ = self.try_call("DELETE", "", Value::Null).await;
    }
}

/// A fresh Chromium profile directory, removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new() -> Self {
        let path = std::env::temp_dir().join(format!(
            "groupcart-chromium-{}-{}",
            std::process::id(),
            rand::random::<u64>()
        ));
        std::fs::create_dir_all(&path).unwrap();
        TempDir(path)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
