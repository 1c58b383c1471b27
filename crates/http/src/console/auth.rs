//! Login, logout and the language switch.

use super::html::{bare, esc, flash};
use super::i18n::{t, Lang};
use super::{
    cookie, see_other, set_cookie, Ctx, Fail, Form, Me, LANG_COOKIE, LOGIN_CSRF_COOKIE,
    SESSION_COOKIE,
};
use crate::AppState;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use groupcart_core::audit::{self, NewAuditEntry};
use groupcart_core::console::{self, LoginAttempt, LoginRefused};
use serde::Deserialize;

/// The sandbox's and operations' links (the old landing page's lines).
pub(crate) fn landing_links(state: &AppState) -> String {
    if state.landing.is_empty() {
        return String::new();
    }
    let items: String = state
        .landing
        .iter()
        .map(|(label, href)| format!("<li><a href=\"{}\">{}</a></li>", esc(href), esc(label)))
        .collect();
    format!("<ul class=\"muted\" data-testid=\"landing\">{items}</ul>")
}

/// The login form, with a fresh double-submit token in a cookie and the form.
fn login_page(
    state: &AppState,
    ctx: &Ctx,
    status: StatusCode,
    username: &str,
    problem: Option<&str>,
) -> Response {
    let lang = ctx.lang;
    let token = console::random_token();
    let problem = problem.map(|p| flash(false, p)).unwrap_or_default();
    let body = format!(
        "<div class=\"login\"><div class=\"card\"><h1>{title}</h1>{problem}\
         <form method=\"post\" action=\"/login\">\
         <input type=\"hidden\" name=\"csrf\" value=\"{token}\">\
         <label for=\"username\">{user}</label>\
         <input type=\"text\" id=\"username\" name=\"username\" value=\"{username}\" autocomplete=\"username\" autocapitalize=\"none\" required autofocus>\
         <label for=\"password\">{password}</label>\
         <input type=\"password\" id=\"password\" name=\"password\" autocomplete=\"current-password\" required>\
         <label for=\"code\">{code}</label>\
         <input type=\"text\" id=\"code\" name=\"code\" inputmode=\"numeric\" autocomplete=\"one-time-code\" pattern=\"[0-9 ]*\" maxlength=\"8\">\
         <div><button type=\"submit\" data-testid=\"login\">{submit}</button></div></form></div>{links}</div>",
        title = t(lang, "login.title"),
        user = t(lang, "login.username"),
        password = t(lang, "login.password"),
        code = t(lang, "login.code"),
        submit = t(lang, "login.submit"),
        username = esc(username),
        links = landing_links(state),
    );
    let mut response = bare(lang, status, "/login", t(lang, "login.title"), &body);
    let cookie = set_cookie(LOGIN_CSRF_COOKIE, &token, 3600, ctx.https, true);
    if let Ok(value) = cookie.parse() {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    response
}

/// `GET /login`: the form, or the dashboard for someone logged in already.
pub async fn form(State(state): State<AppState>, ctx: Ctx) -> Response {
    if let Some(token) = cookie(&ctx.headers, SESSION_COOKIE) {
        let now = state.crm.clock.now();
        if let Ok(Some(_)) =
            console::authenticate(state.store.as_ref(), &state.console.settings, token, now).await
        {
            return see_other("/");
        }
    }
    login_page(&state, &ctx, StatusCode::OK, "", None)
}

/// `POST /login`.
pub async fn submit(State(state): State<AppState>, ctx: Ctx, body: Bytes) -> Response {
    let lang = ctx.lang;
    let form = match Form::parse(&body) {
        Ok(form) => form,
        Err(fail) => return fail.render(lang),
    };
    let username = form.get("username").unwrap_or_default().trim().to_owned();
    let expected = cookie(&ctx.headers, LOGIN_CSRF_COOKIE).unwrap_or_default();
    let given = form.get("csrf").unwrap_or_default();
    if expected.is_empty() || !console::same_secret(given.as_bytes(), expected.as_bytes()) {
        let problem = t(lang, "login.expired");
        return login_page(
            &state,
            &ctx,
            StatusCode::FORBIDDEN,
            &username,
            Some(problem),
        );
    }
    let now = state.crm.clock.now();
    let attempt = LoginAttempt {
        username: &username,
        password: form.get("password").unwrap_or_default(),
        code: form.get("code"),
        ip: ctx.ip.as_deref(),
        at: now,
    };
    match console::login(state.store.as_ref(), &state.console.settings, attempt).await {
        Ok(logged_in) => {
            let entry = NewAuditEntry {
                at: now,
                actor: logged_in.user.actor(),
                action: "console.login".into(),
                target: Some(format!("console_user:{}", logged_in.user.id)),
                details: serde_json::json!({}),
                ip: ctx.ip.clone(),
            };
            if let Err(error) = audit::record(&state.store, entry).await {
                tracing::error!(%error, "could not append the login to the audit log");
            }
            let max_age = state.console.settings.lifetime.num_seconds();
            let session = set_cookie(SESSION_COOKIE, &logged_in.token, max_age, ctx.https, true);
            let clear = set_cookie(LOGIN_CSRF_COOKIE, "", 0, ctx.https, true);
            let mut response = see_other("/");
            for value in [session, clear] {
                if let Ok(value) = value.parse() {
                    response.headers_mut().append(header::SET_COOKIE, value);
                }
            }
            response
        }
        Err(refused) => {
            let (status, key) = match refused {
                LoginRefused::Wrong => (StatusCode::UNAUTHORIZED, "login.wrong"),
                LoginRefused::CodeNeeded => (StatusCode::UNAUTHORIZED, "login.code_needed"),
                LoginRefused::TooMany => (StatusCode::TOO_MANY_REQUESTS, "login.too_many"),
                LoginRefused::Unavailable => {
                    (StatusCode::SERVICE_UNAVAILABLE, "error.internal.text")
                }
            };
            login_page(&state, &ctx, status, &username, Some(t(lang, key)))
        }
    }
}

/// `POST /logout`: ends the session (with the session's CSRF token).
pub async fn logout(State(state): State<AppState>, ctx: Ctx, me: Me, body: Bytes) -> Response {
    let outcome = async {
        let form = Form::parse(&body)?;
        me.check_csrf(&form)?;
        console::logout(state.store.as_ref(), &me.token).await?;
        let entry = me.audit(
            "console.logout",
            format!("console_user:{}", me.user.id),
            serde_json::json!({}),
        );
        let entry = NewAuditEntry {
            at: state.crm.clock.now(),
            ..entry
        };
        if let Err(error) = audit::record(&state.store, entry).await {
            tracing::error!(%error, "could not append the logout to the audit log");
        }
        let mut response = see_other("/login");
        let clear = set_cookie(SESSION_COOKIE, "", 0, ctx.https, true);
        if let Ok(value) = clear.parse() {
            response.headers_mut().append(header::SET_COOKIE, value);
        }
        Ok::<_, Fail>(response)
    }
    .await;
    super::respond(me.lang, outcome)
}

#[derive(Debug, Deserialize)]
pub struct Back {
    back: Option<String>,
}

/// `GET /lang/{en|zh}?back=/path`: remembers the language in a cookie and goes back.
pub async fn language(ctx: Ctx, Path(code): Path<String>, Query(back): Query<Back>) -> Response {
    let Some(lang) = Lang::parse(&code) else {
        return Fail::NotFound.render(ctx.lang);
    };
    // Only a path on this site: never an open redirect.
    let back = back
        .back
        .filter(|b| b.starts_with('/') && !b.starts_with("//") && !b.contains('\\'))
        .unwrap_or_else(|| "/".into());
    let mut response = see_other(&back);
    let value = set_cookie(LANG_COOKIE, lang.code(), 365 * 24 * 3600, ctx.https, false);
    if let Ok(value) = value.parse() {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    response.into_response()
}
