//! The operator console as a test drives it: a browser-like client that keeps cookies and
//! does not follow redirects, logging in with the sandbox's demo owner or a user made for
//! the test; shared by the console scenarios.

use super::Shop;
use groupcart_core::console::{self, Role, UserDraft};
use reqwest::header::{HeaderMap, COOKIE, LOCATION, SET_COOKIE};
use std::collections::BTreeMap;

/// A browser as far as the console cares: it keeps cookies and does not follow redirects.
pub struct Browser {
    pub http: reqwest::Client,
    pub base: String,
    pub cookies: BTreeMap<String, String>,
}

/// A response, read.
pub struct Page {
    pub status: u16,
    pub location: Option<String>,
    pub headers: HeaderMap,
    pub body: String,
}

impl Page {
    /// The first CSRF token in the page's forms.
    pub fn csrf(&self) -> String {
        let marker = "name=\"csrf\" value=\"";
        let start = self
            .body
            .find(marker)
            .unwrap_or_else(|| panic!("no CSRF field in {}", self.body))
            + marker.len();
        self.body[start..]
            .split('"')
            .next()
            .unwrap_or_default()
            .to_owned()
    }

    /// The text of the element with this `data-testid` (up to the next tag).
    pub fn testid(&self, id: &str) -> Option<String> {
        let marker = format!("data-testid=\"{id}\"");
        let start = self.body.find(&marker)? + marker.len();
        let rest = &self.body[start..];
        let text = &rest[rest.find('>')? + 1..];
        Some(text[..text.find('<')?].to_owned())
    }
}

impl Browser {
    pub fn new(shop: &Shop) -> Browser {
        Browser {
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            base: format!("http://{}", shop.app.addr),
            cookies: BTreeMap::new(),
        }
    }

    pub fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    pub async fn read(&mut self, response: reqwest::Response) -> Page {
        for value in response.headers().get_all(SET_COOKIE) {
            let text = value.to_str().unwrap();
            let pair = text.split(';').next().unwrap();
            let (name, value) = pair.split_once('=').unwrap();
            if value.is_empty() || text.contains("Max-Age=0") {
                self.cookies.remove(name);
            } else {
                self.cookies.insert(name.to_owned(), value.to_owned());
            }
        }
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let location = headers
            .get(LOCATION)
            .map(|l| l.to_str().unwrap().to_owned());
        Page {
            status,
            location,
            headers,
            body: response.text().await.unwrap(),
        }
    }

    pub async fn get(&mut self, path: &str) -> Page {
        let response = self
            .http
            .get(format!("{}{path}", self.base))
            .header(COOKIE, self.cookie_header())
            .send()
            .await
            .unwrap();
        self.read(response).await
    }

    pub async fn post(&mut self, path: &str, form: &[(&str, &str)]) -> Page {
        let response = self
            .http
            .post(format!("{}{path}", self.base))
            .header(COOKIE, self.cookie_header())
            .form(form)
            .send()
            .await
            .unwrap();
        self.read(response).await
    }

    pub async fn post_multipart(&mut self, path: &str, form: reqwest::multipart::Form) -> Page {
        let response = self
            .http
            .post(format!("{}{path}", self.base))
            .header(COOKIE, self.cookie_header())
            .multipart(form)
            .send()
            .await
            .unwrap();
        self.read(response).await
    }

    /// Submits the login form as a browser would (it carries the form's token).
    pub async fn login(&mut self, username: &str, password: &str, code: &str) -> Page {
        let form = self.get("/login").await;
        assert_eq!(form.status, 200, "{}", form.body);
        let csrf = form.csrf();
        self.post(
            "/login",
            &[
                ("csrf", &csrf),
                ("username", username),
                ("password", password),
                ("code", code),
            ],
        )
        .await
    }

    /// Logs in and checks the dashboard opens.
    pub async fn logged_in(shop: &Shop, username: &str, password: &str) -> Browser {
        let mut browser = Browser::new(shop);
        let done = browser.login(username, password, "").await;
        assert_eq!(done.status, 303, "{}", done.body);
        assert_eq!(done.location.as_deref(), Some("/"));
        browser
    }

    /// The CSRF token of the session (from the logout form every page has).
    pub async fn csrf(&mut self) -> String {
        self.get("/").await.csrf()
    }
}

pub fn demo(shop: &Shop) -> (String, String) {
    shop.app
        .demo_login
        .clone()
        .expect("the sandbox made its demo owner")
}

pub async fn add_user(shop: &Shop, username: &str, role: Role, password: &str) {
    let draft = UserDraft {
        username: username.into(),
        display_name: format!("{username} (test)"),
        role,
        permissions: Vec::new(),
        password: password.into(),
    };
    console::add_user(shop.app.store.as_ref(), None, draft, chrono::Utc::now())
        .await
        .unwrap();
}

/// The console actions `actor` is recorded with in the audit log.
pub async fn audited(shop: &Shop, actor: &str) -> Vec<String> {
    shop.app
        .store
        .audit_entries_before(None, 200)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.entry.actor == format!("console:{actor}"))
        .map(|e| e.entry.action)
        .collect()
}
