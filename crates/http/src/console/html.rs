//! The console's HTML: the one escaping helper every dynamic value goes through, the page
//! frame (navigation by permission, language switch, logout), the stylesheet, and the
//! friendly error pages.

use super::i18n::{t, Lang};
use super::Me;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use groupcart_core::console::Permission;

/// The stylesheet, served at `/console.css` (one file, no build step).
pub const CSS: &str = include_str!("console.css");

/// `GET /console.css`.
pub async fn css() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        CSS,
    )
        .into_response()
}

/// Escapes text for HTML element content and double-quoted attribute values.
pub fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Percent-encodes a query parameter value.
pub fn url_param(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// A time as the console shows it (UTC, to the minute).
pub fn when(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%d %H:%M UTC").to_string()
}

/// The hidden CSRF field of a form.
pub fn csrf_field(token: &str) -> String {
    format!(
        "<input type=\"hidden\" name=\"csrf\" value=\"{}\">",
        esc(token)
    )
}

/// A success or problem banner.
pub fn flash(ok: bool, text: &str) -> String {
    let class = if ok { "ok" } else { "bad" };
    format!(
        "<div class=\"flash {class}\" role=\"status\" data-testid=\"flash\">{}</div>",
        esc(text)
    )
}

fn document(lang: Lang, title: &str, header: &str, body: &str) -> String {
    document_refreshing(lang, title, header, body, None)
}

/// The HTML document; with `refresh`, the browser reloads it every so many seconds (live
/// figures without a script).
fn document_refreshing(
    lang: Lang,
    title: &str,
    header: &str,
    body: &str,
    refresh: Option<u32>,
) -> String {
    let refresh = refresh
        .map(|seconds| format!("<meta http-equiv=\"refresh\" content=\"{seconds}\">"))
        .unwrap_or_default();
    format!(
        "<!doctype html><html lang=\"{}\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\
         <meta name=\"color-scheme\" content=\"light dark\">{refresh}\
         <title>{} · groupcart</title><link rel=\"icon\" href=\"data:,\"><link rel=\"stylesheet\" href=\"/console.css\"></head>\
         <body>{header}<main>{body}</main></body></html>",
        lang.html_tag(),
        esc(title)
    )
}

/// The links of the language switch, back to `path`.
fn language_links(lang: Lang, path: &str) -> String {
    let back = url_param(path);
    let link = |to: Lang, label: &str| {
        if to == lang {
            format!("<strong>{label}</strong>")
        } else {
            format!(
                "<a href=\"/lang/{}?back={back}\" data-testid=\"lang-{}\">{label}</a>",
                to.code(),
                to.code()
            )
        }
    };
    format!(
        "<span class=\"lang\">{}{}</span>",
        link(Lang::En, "EN"),
        link(Lang::Zh, "中文")
    )
}

/// The navigation entries: (path, label key, permission).
const NAV: &[(&str, &str, Permission)] = &[
    ("/", "nav.dashboard", Permission::ViewDashboard),
    ("/catalog", "nav.catalog", Permission::ManageCatalog),
    ("/orders", "nav.orders", Permission::ManageOrders),
    ("/inbox", "nav.inbox", Permission::AnswerTickets),
    ("/customers", "nav.customers", Permission::ViewCustomers),
    ("/segments", "nav.segments", Permission::ViewCustomers),
    (
        "/broadcasts",
        "nav.broadcasts",
        Permission::ManageBroadcasts,
    ),
    (
        "/automations",
        "nav.automations",
        Permission::ManageBroadcasts,
    ),
    (
        "/promotions",
        "nav.promotions",
        Permission::ManagePromotions,
    ),
    ("/referrals", "nav.referrals", Permission::ManagePromotions),
    (
        "/group-buys",
        "nav.group_buys",
        Permission::ManagePromotions,
    ),
    (
        "/flash-sales",
        "nav.flash_sales",
        Permission::ManagePromotions,
    ),
    ("/giveaways", "nav.giveaways", Permission::ManagePromotions),
    ("/analytics", "nav.analytics", Permission::ViewAnalytics),
    ("/chats", "nav.chats", Permission::ManageChats),
    ("/faq", "nav.faq", Permission::ManageFaq),
    ("/audit", "nav.audit", Permission::ViewAudit),
    ("/users", "nav.users", Permission::ManageUsers),
];

/// A console page for a logged-in user; `path` is the page's own path (for the active
/// navigation entry and the language switch).
pub fn page(me: &Me, path: &str, title: &str, body: &str) -> Response {
    page_with(me, StatusCode::OK, path, title, body)
}

/// [`page`] with another status (a form shown again with its problem).
pub fn page_with(me: &Me, status: StatusCode, path: &str, title: &str, body: &str) -> Response {
    framed(me, status, path, title, body, None)
}

/// [`page_with`] that the browser reloads every `refresh` seconds, if given (a broadcast's
/// progress while it sends).
pub fn page_live(
    me: &Me,
    status: StatusCode,
    path: &str,
    title: &str,
    body: &str,
    refresh: Option<u32>,
) -> Response {
    framed(me, status, path, title, body, refresh)
}

fn framed(
    me: &Me,
    status: StatusCode,
    path: &str,
    title: &str,
    body: &str,
    refresh: Option<u32>,
) -> Response {
    let lang = me.lang;
    let nav: String = NAV
        .iter()
        .filter(|(_, _, permission)| me.user.can(*permission))
        .map(|(href, key, _)| {
            let active = if *href == "/" {
                path == "/"
            } else {
                path.starts_with(href)
            };
            format!(
                "<a href=\"{href}\"{}>{}</a>",
                if active { " class=\"active\"" } else { "" },
                t(lang, key)
            )
        })
        .collect();
    // The phone panel exists only where the simulator runs (sandbox mode).
    let phone = if me.sandbox {
        format!(
            "<a href=\"/phone\"{} data-testid=\"nav-phone\">{}</a>",
            if path.starts_with("/phone") {
                " class=\"active\""
            } else {
                ""
            },
            t(lang, "nav.phone")
        )
    } else {
        String::new()
    };
    // Every user's own account (password, two-step login).
    let settings = format!(
        "<a href=\"/settings\"{} data-testid=\"nav-settings\">{}</a>",
        if path.starts_with("/settings") {
            " class=\"active\""
        } else {
            ""
        },
        t(lang, "nav.settings")
    );
    let header = format!(
        "<header><a class=\"brand\" href=\"/\">groupcart</a><nav>{nav}{phone}{settings}</nav>\
         <div class=\"who\"><a href=\"/settings\" data-testid=\"whoami\" title=\"{}\">{}</a>{}\
         <form method=\"post\" action=\"/logout\">{}<button class=\"quiet\" data-testid=\"logout\">{}</button></form>\
         </div></header>",
        t(lang, "nav.settings"),
        esc(&me.user.display_name),
        language_links(lang, path),
        csrf_field(&me.session.csrf_token),
        t(lang, "nav.logout")
    );
    let html = document_refreshing(lang, title, &header, body, refresh);
    (status, axum::response::Html(html)).into_response()
}

/// A page without the logged-in frame (login, errors before login).
pub fn bare(lang: Lang, status: StatusCode, path: &str, title: &str, body: &str) -> Response {
    let header = format!(
        "<header><a class=\"brand\" href=\"/\">groupcart</a><nav></nav><div class=\"who\">{}</div></header>",
        language_links(lang, path)
    );
    (
        status,
        axum::response::Html(document(lang, title, &header, body)),
    )
        .into_response()
}

/// A friendly error page: what happened, and a way back.
pub fn error_page(lang: Lang, status: StatusCode, key: &str) -> Response {
    let body = format!(
        "<div class=\"card\"><h1 data-testid=\"error-title\">{}</h1><p>{}</p><p><a href=\"/\">{}</a></p></div>",
        esc(t(lang, &format!("error.{key}.title"))),
        esc(t(lang, &format!("error.{key}.text"))),
        t(lang, "error.back")
    );
    bare(
        lang,
        status,
        "/",
        t(lang, &format!("error.{key}.title")),
        &body,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_covers_markup_and_quotes() {
        assert_eq!(
            esc("<script>alert('x')</script> & \"q\""),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;"
        );
        assert_eq!(esc("普通文本"), "普通文本");
        assert_eq!(
            url_param("/orders?status=paid"),
            "%2Forders%3Fstatus%3Dpaid"
        );
    }
}
