//! The operator console at `/`: server-rendered HTML pages (no script needed) for the daily
//! work of the shop's staff: dashboard, catalog and stock, orders (and shipping them, one by
//! one or from a CSV), the support inbox, customers, segments, broadcasts, analytics, chats and their
//! moderation log, the FAQ, the audit log and console users; each user's own settings, and
//! in sandbox mode a phone panel framing the simulator's chat.
//!
//! Who may do what is decided in `groupcart_core::console` (users, roles, sessions, login
//! limits); the pages call the same use cases as the admin API (`shop_admin::ship`,
//! `support_chat::act`, ...) and append every change to the audit log as
//! `console:<username>`, in the change's transaction. Every POST carries the session's CSRF
//! token; cookies are `HttpOnly`, `SameSite=Strict` and `Secure` over HTTPS; every response
//! has a strict Content-Security-Policy (no scripts at all) and anti-framing headers.

mod analytics;
mod audit;
mod auth;
mod automations;
mod broadcasts;
mod catalog;
mod charts;
mod chat_settings;
mod chats;
mod customer_import;
mod customers;
mod dashboard;
mod faq;
mod flash_sales;
mod giveaways;
mod group_buys;
mod html;
mod i18n;
mod inbox;
mod link_buttons;
mod orders;
mod phone;
mod points;
mod promotions;
mod referrals;
mod segments;
mod settings;
mod tag_rules;
mod users;

use crate::AppState;
use axum::body::Bytes;
use axum::extract::{ConnectInfo, DefaultBodyLimit, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::middleware;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use groupcart_core::audit::NewAuditEntry;
use groupcart_core::console::{self, ConsoleSession, ConsoleSettings, ConsoleUser, Permission};
use groupcart_core::store::Tx;
use groupcart_core::Error;
use i18n::Lang;
use std::net::SocketAddr;

/// The session cookie.
const SESSION_COOKIE: &str = "gc_session";
/// The language the user picked.
const LANG_COOKIE: &str = "gc_lang";
/// The login form's CSRF token (double submit: cookie and form field must match).
const LOGIN_CSRF_COOKIE: &str = "gc_login_csrf";

/// Largest bulk-shipping CSV.
const MAX_CSV_BYTES: usize = 2 * 1024 * 1024;

/// How the console runs, besides the core's session and login settings.
#[derive(Debug, Clone, Default)]
pub struct ConsoleConfig {
    pub settings: ConsoleSettings,
    /// Always mark cookies `Secure` (they are anyway when a proxy says the request came
    /// over HTTPS with `X-Forwarded-Proto: https`).
    pub secure_cookies: bool,
    /// Take the client's address from the last `X-Forwarded-For` entry (set only behind a
    /// proxy that writes it; otherwise anyone could pick their address).
    pub trust_forwarded_for: bool,
    /// Sandbox mode: the built-in Telegram simulator answers on the same port, so the
    /// console offers its phone panel (`/phone`).
    pub sandbox: bool,
}

/// The console's routes (merged at the root of the app's router).
pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(dashboard::show))
        .route("/login", get(auth::form).post(auth::submit))
        .route("/logout", post(auth::logout))
        .route("/lang/{lang}", get(auth::language))
        .route("/console.css", get(html::css))
        .route("/orders", get(orders::list))
        .route(
            "/orders/bulk-ship",
            get(orders::bulk_form)
                .post(orders::bulk_ship)
                .layer(DefaultBodyLimit::max(MAX_CSV_BYTES)),
        )
        .route("/orders/{id}", get(orders::show))
        .route("/orders/{id}/ship", post(orders::ship))
        .route("/inbox", get(inbox::list))
        .route("/inbox/{id}", get(inbox::show))
        .route("/inbox/{id}/{action}", post(inbox::act))
        .route("/customers", get(customers::list))
        .route(
            "/customers/import",
            get(customer_import::show)
                .post(customer_import::import)
                .layer(DefaultBodyLimit::max(customer_import::MAX_IMPORT_BYTES)),
        )
        .route("/customers/{id}", get(customers::show))
        .route("/customers/{id}/points", post(points::adjust))
        .route("/segments", get(segments::list))
        .route("/segments/new", get(segments::new).post(segments::create))
        .route("/segments/{id}", get(segments::show).post(segments::update))
        .route("/segments/{id}/delete", post(segments::delete))
        .route("/segments/tag-rules", post(tag_rules::create))
        .route("/segments/tag-rules/{id}/delete", post(tag_rules::delete))
        .route("/broadcasts", get(broadcasts::list))
        .route(
            "/broadcasts/new",
            get(broadcasts::new).post(broadcasts::create),
        )
        .route("/automations", get(automations::list))
        .route("/automations/settings", post(automations::save_settings))
        .route(
            "/automations/{flow}",
            get(automations::show).post(automations::save),
        )
        .route("/broadcasts/{id}", get(broadcasts::show))
        .route("/broadcasts/{id}/{action}", post(broadcasts::control))
        .route(
            "/promotions",
            get(promotions::list).post(promotions::create),
        )
        .route("/promotions/{id}", get(promotions::show))
        .route("/promotions/{id}/status", post(promotions::set_status))
        .route("/referrals", get(referrals::show))
        .route("/referrals/settings", post(referrals::save_settings))
        .route("/referrals/{id}/{action}", post(referrals::review))
        .route(
            "/group-buys",
            get(group_buys::list).post(group_buys::create),
        )
        .route("/group-buys/{id}", get(group_buys::show))
        .route("/group-buys/{id}/end", post(group_buys::end))
        .route(
            "/flash-sales",
            get(flash_sales::list).post(flash_sales::create),
        )
        .route("/flash-sales/{id}", get(flash_sales::show))
        .route("/flash-sales/{id}/announce", post(flash_sales::announce))
        .route("/flash-sales/{id}/cancel", post(flash_sales::cancel))
        .route("/giveaways", get(giveaways::list).post(giveaways::create))
        // `/giveaways/{id}` itself is the public, checkable view of a draw (JSON, no login).
        .route("/giveaways/{id}/manage", get(giveaways::show))
        .route("/giveaways/{id}/end", post(giveaways::end))
        .route("/catalog", get(catalog::list))
        .route("/catalog/new", get(catalog::new).post(catalog::create))
        .route(
            "/catalog/import",
            get(catalog::import_form)
                .post(catalog::import)
                .layer(DefaultBodyLimit::max(catalog::MAX_IMPORT_BYTES)),
        )
        .route(
            "/catalog/{id}/edit",
            get(catalog::edit).post(catalog::update),
        )
        .route("/catalog/{id}", get(catalog::show))
        .route("/catalog/{id}/status", post(catalog::set_status))
        .route(
            "/catalog/{product}/variants/{variant}/stock",
            post(catalog::adjust),
        )
        .route("/chats", get(chats::list))
        .route("/chats/{bot}/{chat_id}", get(chats::show))
        .route("/chats/{bot}/{chat_id}/purge", post(chats::purge))
        .route(
            "/chats/{bot}/{chat_id}/settings",
            get(chat_settings::show).post(chat_settings::save),
        )
        .route(
            "/chats/{bot}/{chat_id}/members/{user_id}/{action}",
            post(chats::lift),
        )
        .route("/faq", get(faq::show))
        .route("/faq/new", get(faq::new).post(faq::create))
        .route(
            "/faq/import",
            post(faq::import).layer(DefaultBodyLimit::max(faq::MAX_IMPORT_FORM_BYTES)),
        )
        .route("/faq/{id}", get(faq::edit).post(faq::update))
        .route(
            "/faq/{id}/delete",
            get(faq::confirm_delete).post(faq::delete),
        )
        .route("/settings", get(settings::show))
        .route("/settings/password", post(settings::password))
        .route("/settings/totp/start", post(settings::totp_start))
        .route("/settings/totp/confirm", post(settings::totp_confirm))
        .route("/settings/totp/off", post(settings::totp_off))
        .route("/phone", get(phone::show))
        .route("/analytics", get(analytics::show))
        .route("/analytics/csv/{report}", get(analytics::csv))
        .route("/analytics/costs", post(analytics::add_cost))
        .route("/audit", get(audit::list))
        .route("/users", get(users::list).post(users::add))
        .route("/users/{id}/access", post(users::access))
        .route("/users/{id}/{action}", post(users::change))
        .layer(middleware::map_response(security_headers))
}

/// Marks a console response that frames a page of this same site (the sandbox's phone
/// panel): its policy allows `frame-src 'self'`, which every other page forbids.
#[derive(Debug, Clone, Copy)]
pub(crate) struct FramesSameOrigin;

/// Headers on every console response.
async fn security_headers(mut response: Response) -> Response {
    let frames_same_origin = response.extensions().get::<FramesSameOrigin>().is_some();
    let headers = response.headers_mut();
    let set = |headers: &mut HeaderMap, name: &'static str, value: &'static str| {
        headers.insert(name, HeaderValue::from_static(value));
    };
    set(
        headers,
        "content-security-policy",
        "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; \
         frame-ancestors 'none'; base-uri 'none'",
    );
    if frames_same_origin {
        set(
            headers,
            "content-security-policy",
            "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; \
             frame-src 'self'; frame-ancestors 'none'; base-uri 'none'",
        );
    }
    set(headers, "x-frame-options", "DENY");
    set(headers, "referrer-policy", "same-origin");
    set(headers, "x-content-type-options", "nosniff");
    if !headers.contains_key(header::CACHE_CONTROL) {
        set(headers, "cache-control", "no-store");
    }
    response
}

// --- the request's context ---

/// A cookie's value from the request.
fn cookie<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value)
}

/// The language: the switch's cookie, else the browser's `Accept-Language`.
fn lang_of(headers: &HeaderMap) -> Lang {
    if let Some(lang) = cookie(headers, LANG_COOKIE).and_then(Lang::parse) {
        return lang;
    }
    let accept = headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    Lang::from_accept_language(accept)
}

/// Whether the browser reached the console over HTTPS (directly or through a proxy).
fn is_https(parts: &Parts, config: &ConsoleConfig) -> bool {
    config.secure_cookies
        || parts
            .headers
            .get("x-forwarded-proto")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.trim().eq_ignore_ascii_case("https"))
}

fn client_ip(parts: &Parts, config: &ConsoleConfig) -> Option<String> {
    if config.trust_forwarded_for {
        let forwarded = parts
            .headers
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.rsplit(',').next())
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty() && v.len() <= 64);
        if forwarded.is_some() {
            return forwarded;
        }
    }
    parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| addr.ip().to_string())
}

/// What every console handler knows about the request, logged in or not.
pub(crate) struct Ctx {
    pub lang: Lang,
    pub https: bool,
    pub ip: Option<String>,
    pub headers: HeaderMap,
}

impl FromRequestParts<AppState> for Ctx {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        Ok(Ctx {
            lang: lang_of(&parts.headers),
            https: is_https(parts, &state.console),
            ip: client_ip(parts, &state.console),
            headers: parts.headers.clone(),
        })
    }
}

/// The logged-in user of a request. Extracting it sends anyone without a live session to
/// the login page.
pub(crate) struct Me {
    pub user: ConsoleUser,
    pub session: ConsoleSession,
    /// The session token (to end the session at logout).
    pub token: String,
    pub lang: Lang,
    pub ip: Option<String>,
    /// Whether the console runs in sandbox mode (the phone panel's menu entry).
    pub sandbox: bool,
}

impl FromRequestParts<AppState> for Me {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let lang = lang_of(&parts.headers);
        let Some(token) = cookie(&parts.headers, SESSION_COOKIE).map(str::to_owned) else {
            return Err(Redirect::to("/login").into_response());
        };
        let now = state.crm.clock.now();
        match console::authenticate(state.store.as_ref(), &state.console.settings, &token, now)
            .await
        {
            Ok(Some((user, session))) => Ok(Me {
                user,
                session,
                token,
                lang,
                ip: client_ip(parts, &state.console),
                sandbox: state.console.sandbox,
            }),
            Ok(None) => Err(Redirect::to("/login").into_response()),
            Err(error) => Err(Fail::from_error(error).render(lang)),
        }
    }
}

impl Me {
    /// `Forbidden` unless the user has `permission`.
    pub fn require(&self, permission: Permission) -> Result<(), Fail> {
        if self.user.can(permission) {
            Ok(())
        } else {
            Err(Fail::Forbidden)
        }
    }

    /// Checks a POST's CSRF token against the session's.
    pub fn check_csrf(&self, form: &Form) -> Result<(), Fail> {
        let given = form.get("csrf").unwrap_or_default();
        if console::same_secret(given.as_bytes(), self.session.csrf_token.as_bytes()) {
            Ok(())
        } else {
            Err(Fail::Csrf)
        }
    }

    /// An audit entry for a change this user made.
    pub fn audit(&self, action: &str, target: String, details: serde_json::Value) -> NewAuditEntry {
        NewAuditEntry {
            at: chrono::Utc::now(),
            actor: self.user.actor(),
            action: action.to_owned(),
            target: Some(target),
            details,
            ip: self.ip.clone(),
        }
    }
}

/// Appends `entry` (timed by the app's clock) in `tx`.
async fn audit_in(
    state: &AppState,
    tx: &mut dyn Tx,
    mut entry: NewAuditEntry,
) -> groupcart_core::Result<()> {
    entry.at = state.crm.clock.now();
    groupcart_core::audit::append(tx, entry).await.map(|_| ())
}

/// Appends `entry` in a transaction of its own, for a change whose use case commits by
/// itself (the entry follows right after it).
async fn audit_alone(state: &AppState, entry: NewAuditEntry) -> groupcart_core::Result<()> {
    let mut tx = state.store.begin().await?;
    audit_in(state, tx.as_mut(), entry).await?;
    tx.commit().await
}

// --- forms ---

/// An `application/x-www-form-urlencoded` body, as name-value pairs (names may repeat).
pub(crate) struct Form(Vec<(String, String)>);

impl Form {
    pub fn parse(body: &Bytes) -> Result<Form, Fail> {
        serde_urlencoded::from_bytes::<Vec<(String, String)>>(body)
            .map(Form)
            .map_err(|_| Fail::BadRequest)
    }

    /// The first value of `name`.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }

    /// Every value of `name`.
    pub fn all(&self, name: &str) -> Vec<&str> {
        self.0
            .iter()
            .filter(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
            .collect()
    }
}

/// A path id: a whole number, or the page does not exist.
fn path_id(raw: &str) -> Result<i64, Fail> {
    raw.parse().map_err(|_| Fail::NotFound)
}

// --- failures ---

/// Why a console request could not be served; each renders as a friendly page.
#[derive(Debug)]
pub(crate) enum Fail {
    Forbidden,
    NotFound,
    Csrf,
    BadRequest,
    /// The store failed (details are logged, never shown).
    Internal,
}

impl Fail {
    /// A core error that a page did not handle itself.
    pub fn from_error(error: Error) -> Fail {
        match error {
            Error::NotFound(_) => Fail::NotFound,
            Error::Invalid(_) | Error::Fields(_) | Error::Conflict(_) => Fail::BadRequest,
            Error::Storage(detail) => {
                tracing::error!(%detail, "storage error while serving the console");
                Fail::Internal
            }
        }
    }

    pub fn render(&self, lang: Lang) -> Response {
        let (status, key) = match self {
            Fail::Forbidden => (StatusCode::FORBIDDEN, "forbidden"),
            Fail::NotFound => (StatusCode::NOT_FOUND, "not_found"),
            Fail::Csrf => (StatusCode::FORBIDDEN, "csrf"),
            Fail::BadRequest => (StatusCode::BAD_REQUEST, "bad_request"),
            Fail::Internal => (StatusCode::INTERNAL_SERVER_ERROR, "internal"),
        };
        html::error_page(lang, status, key)
    }
}

impl From<Error> for Fail {
    fn from(error: Error) -> Self {
        Fail::from_error(error)
    }
}

/// A page's outcome: the page, or a failure rendered in the user's language.
pub(crate) fn respond(lang: Lang, outcome: Result<Response, Fail>) -> Response {
    outcome.unwrap_or_else(|fail| fail.render(lang))
}

/// A message for a core error a form caused, safe to show (no storage details).
pub(crate) fn problem(lang: Lang, error: &Error) -> String {
    match error {
        Error::Invalid(message) | Error::Conflict(message) => message.clone(),
        Error::Fields(fields) => fields
            .iter()
            .map(|f| format!("{}: {}", f.field, f.message))
            .collect::<Vec<_>>()
            .join("; "),
        Error::NotFound(what) => format!("{what} {}", i18n::t(lang, "common.does_not_exist")),
        Error::Storage(detail) => {
            tracing::error!(%detail, "storage error while serving the console");
            i18n::t(lang, "error.internal.text").to_owned()
        }
    }
}

/// The `Set-Cookie` value of a console cookie.
fn set_cookie(name: &str, value: &str, max_age: i64, https: bool, http_only: bool) -> String {
    format!(
        "{name}={value}; Path=/; SameSite=Strict; Max-Age={max_age}{}{}",
        if http_only { "; HttpOnly" } else { "" },
        if https { "; Secure" } else { "" }
    )
}

/// Redirects after a POST (303: the browser follows with a GET).
fn see_other(to: &str) -> Response {
    Redirect::to(to).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookies_are_read_by_name() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::COOKIE,
            HeaderValue::from_static("a=1; gc_session=abc; gc_lang=zh"),
        );
        assert_eq!(cookie(&headers, SESSION_COOKIE), Some("abc"));
        assert_eq!(cookie(&headers, "missing"), None);
        assert_eq!(lang_of(&headers), Lang::Zh);
    }

    #[test]
    fn cookies_are_strict_and_secure_over_https() {
        let c = set_cookie("gc_session", "t", 60, true, true);
        assert!(c.contains("HttpOnly") && c.contains("SameSite=Strict"));
        assert!(c.contains("Path=/") && c.contains("Secure"));
        assert!(!set_cookie("gc_session", "t", 60, false, true).contains("Secure"));
    }
}
