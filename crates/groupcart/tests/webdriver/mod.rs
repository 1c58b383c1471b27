//! A browser as the browser tests drive it: headless Chromium through ChromeDriver, over
//! the few plain W3C WebDriver endpoints they need (on the `reqwest` the tests already have).
//!
//! Needs `chromium` and `chromedriver` on the PATH (Debian: `apt-get install chromium
//! chromium-driver`; `.ci/run` installs them). Without them a test fails, it never skips.

// Each browser test uses its own part of this.
#![allow(dead_code)]

use base64::Engine as _;
use serde_json::{json, Value};
use std::os::unix::process::CommandExt as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// How long a wait for the page lasts.
pub const WAIT: Duration = Duration::from_secs(20);
/// How WebDriver names an element reference in JSON.
const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

/// The CSS selector of the element with this `data-testid`.
pub fn testid(id: &str) -> String {
    format!("[data-testid=\"{id}\"]")
}

pub fn on_path(name: &str) -> PathBuf {
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

/// Where a browser test's screenshots go: `target/<name>/`.
pub fn artifacts(name: &str) -> PathBuf {
    // The workspace's target, two levels above this crate, unless moved.
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).ancestors().nth(2);
            workspace.expect("the workspace root").join("target")
        });
    target.join(name)
}

/// A `chromedriver` child process on a free port, in a process group of its own so that
/// dropping it also ends the Chromium it started, even when the test fails half way.
pub struct ChromeDriver {
    child: Child,
    url: String,
}

impl ChromeDriver {
    pub fn start(binary: &Path) -> Self {
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
pub struct Browser {
    http: reqwest::Client,
    session: String,
    artifacts: PathBuf,
    _profile: TempDir,
}

/// When navigation returns.
pub enum PageLoad {
    /// At DOMContentLoaded (a page that waits for a script that cannot load here).
    Eager,
    /// Once the page and its stylesheets loaded, so screenshots show the styled page.
    Normal,
}

impl Browser {
    /// A session on `driver`; screenshots go to [`artifacts`]`(artifacts)`.
    pub async fn open(
        driver: &ChromeDriver,
        chromium: &Path,
        page_load: PageLoad,
        artifacts: &str,
    ) -> Self {
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
            "pageLoadStrategy": match page_load {
                PageLoad::Eager => "eager",
                PageLoad::Normal => "normal",
            },
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
            artifacts: self::artifacts(artifacts),
            _profile: profile,
        }
    }

    /// Calls a session endpoint; `Err` carries WebDriver's error code.
    pub async fn try_call(&self, method: &str, path: &str, body: Value) -> Result<Value, String> {
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

    pub async fn call(&self, method: &str, path: &str, body: Value) -> Value {
        self.try_call(method, path, body)
            .await
            .unwrap_or_else(|e| panic!("WebDriver {method} {path}: {e}"))
    }

    pub async fn goto(&self, url: &str) {
        self.call("POST", "/url", json!({ "url": url })).await;
    }

    pub async fn find(&self, css: &str) -> Option<String> {
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
    pub async fn text_of(&self, css: &str) -> Option<String> {
        let element = self.find(css).await?;
        let text = self
            .try_call("GET", &format!("/element/{element}/text"), Value::Null)
            .await
            .ok()?;
        text.as_str().map(str::to_owned)
    }

    pub async fn type_into(&self, element: &str, text: &str) {
        self.call(
            "POST",
            &format!("/element/{element}/value"),
            json!({ "text": text }),
        )
        .await;
    }

    pub async fn enabled(&self, element: &str) -> bool {
        self.call("GET", &format!("/element/{element}/enabled"), Value::Null)
            .await
            == true
    }

    pub async fn click(&self, element: &str) {
        self.call("POST", &format!("/element/{element}/click"), json!({}))
            .await;
    }

    pub async fn wait_until<T, F, Fut>(&self, what: &str, mut probe: F) -> T
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

    pub async fn wait_for(&self, css: &str) -> String {
        self.wait_until(css, || self.find(css)).await
    }

    pub async fn wait_text(&self, css: &str, expected: &str) {
        let what = format!("{css} to read {expected:?}");
        self.wait_until(&what, || async {
            (self.text_of(css).await?.trim() == expected).then_some(())
        })
        .await
    }

    pub async fn save_screenshot(&self, name: &str) {
        let data = self.call("GET", "/screenshot", Value::Null).await;
        let png = base64::engine::general_purpose::STANDARD
            .decode(data.as_str().expect("base64 PNG"))
            .expect("a valid screenshot");
        std::fs::create_dir_all(&self.artifacts).unwrap();
        std::fs::write(self.artifacts.join(name), png).unwrap();
    }

    pub async fn quit(self) {
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
