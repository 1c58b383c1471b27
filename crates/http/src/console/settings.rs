//! Settings: every signed-in user's own account (changing the password, turning the TOTP
//! second factor on and off) and, for those who may manage settings (owners and admins), a
//! read-only summary of how this instance runs: its bots, the store, sandbox mode. The
//! summary never shows a secret (bot tokens, payment provider tokens, the API token).
//!
//! The rules are `groupcart_core::console`'s, as for `groupcart user password` and `user
//! totp`: argon2id hashes of 10-256 characters, a new password ends every session of the
//! user (this browser gets a fresh one), TOTP per RFC 6238 whose codes work once. Turning
//! TOTP on counts only after the user typed a current code of the new secret: until then the
//! secret travels with the form, sealed with the session's CSRF token so that only a secret
//! this page made can be confirmed (no schema change needed). Wrong current passwords and
//! codes count against the account like failed logins, so a stolen session cannot guess
//! them. Each change is audited as `console.user.password` or `console.user.totp`.

use super::html::{csrf_field, esc, flash, page_with};
use super::i18n::{t, Lang};
use super::{audit_alone, respond, see_other, set_cookie, Ctx, Fail, Form, Me, SESSION_COOKIE};
use crate::AppState;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{header, StatusCode};
use axum::response::Response;
use groupcart_core::console::{self, ConsoleSession, Limited, Permission};
use groupcart_core::store::Backend;
use hmac::{Hmac, Mac};
use serde::Deserialize;
use sha2::Sha256;

/// The issuer authenticator apps show next to the account.
const TOTP_ISSUER: &str = "groupcart";

#[derive(Debug, Deserialize, Default)]
pub struct Done {
    ok: Option<String>,
}

/// What the page shows besides the forms: a banner, or the TOTP setup in progress.
#[derive(Default)]
struct Shown {
    banner: String,
    /// A new secret waiting for its first code.
    setup: Option<String>,
}

/// A problem list as a banner.
fn problems_banner(lang: Lang, problems: &[String]) -> String {
    let items: String = problems
        .iter()
        .map(|p| format!("<li>{}</li>", esc(p)))
        .collect();
    format!(
        "<div class=\"flash bad\" role=\"status\" data-testid=\"flash\">{}<ul>{items}</ul></div>",
        t(lang, "settings.problems")
    )
}

/// The seal of a TOTP secret waiting for confirmation: only this session can confirm a
/// secret this page made for this user.
fn seal(me: &Me, secret: &str) -> String {
    // HMAC accepts keys of any length, so this cannot fail.
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(me.session.csrf_token.as_bytes()) else {
        return String::new();
    };
    mac.update(format!("totp-setup:{}:{secret}", me.user.id).as_bytes());
    mac.finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The QR code of `text` as inline SVG (the markup from `<svg` on), if it fits in one.
fn qr_svg(text: &str) -> Option<String> {
    let code = qrcode::QrCode::with_error_correction_level(text, qrcode::EcLevel::M).ok()?;
    let svg = code
        .render::<qrcode::render::svg::Color<'_>>()
        .min_dimensions(200, 200)
        .quiet_zone(true)
        .build();
    svg.find("<svg").map(|start| svg[start..].to_owned())
}

/// The secret in groups of four, easier to type into an app.
fn grouped(secret: &str) -> String {
    secret
        .as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

fn totp_section(me: &Me, setup: Option<&str>) -> String {
    let lang = me.lang;
    let csrf = csrf_field(&me.session.csrf_token);
    let code_input = |id: &str| {
        format!(
            "<label for=\"{id}\">{}</label><input type=\"text\" id=\"{id}\" name=\"code\" inputmode=\"numeric\" autocomplete=\"one-time-code\" pattern=\"[0-9 ]*\" maxlength=\"8\" required>",
            t(lang, "settings.totp_code")
        )
    };
    if me.user.totp_enabled() {
        return format!(
            "<div class=\"card\" data-testid=\"totp\"><h2>{title}</h2><p data-testid=\"totp-state\">{on}</p>\
             <form method=\"post\" action=\"/settings/totp/off\">{csrf}{code}\
             <div><button type=\"submit\" class=\"quiet\" data-testid=\"totp-off\">{off}</button></div></form></div>",
            title = t(lang, "settings.totp"),
            on = t(lang, "settings.totp_on"),
            code = code_input("totp-off-code"),
            off = t(lang, "settings.totp_turn_off"),
        );
    }
    match setup {
        Some(secret) => {
            let uri = console::totp_uri(TOTP_ISSUER, &me.user.username, secret);
            let qr = qr_svg(&uri)
                .map(|svg| format!("<div class=\"qr\" data-testid=\"totp-qr\">{svg}</div>"))
                .unwrap_or_default();
            format!(
                "<div class=\"card\" data-testid=\"totp\"><h2>{title}</h2><p>{scan}</p>{qr}\
                 <p>{secret_label}: <code data-testid=\"totp-secret\">{grouped}</code></p>\
                 <p class=\"muted\">{uri_label}: <code data-testid=\"totp-uri\">{uri}</code></p>\
                 <form method=\"post\" action=\"/settings/totp/confirm\">{csrf}\
                 <input type=\"hidden\" name=\"secret\" value=\"{secret}\">\
                 <input type=\"hidden\" name=\"seal\" value=\"{seal}\">{code}\
                 <div><button type=\"submit\" data-testid=\"totp-confirm\">{confirm}</button> <a href=\"/settings\">{cancel}</a></div></form></div>",
                title = t(lang, "settings.totp"),
                scan = t(lang, "settings.totp_scan"),
                secret_label = t(lang, "settings.totp_secret"),
                grouped = esc(&grouped(secret)),
                uri_label = t(lang, "settings.totp_uri"),
                uri = esc(&uri),
                secret = esc(secret),
                seal = esc(&seal(me, secret)),
                code = code_input("totp-confirm-code"),
                confirm = t(lang, "settings.totp_confirm"),
                cancel = t(lang, "settings.cancel"),
            )
        }
        None => format!(
            "<div class=\"card\" data-testid=\"totp\"><h2>{title}</h2><p data-testid=\"totp-state\">{off}</p>\
             <form method=\"post\" action=\"/settings/totp/start\">{csrf}\
             <div><button type=\"submit\" data-testid=\"totp-start\">{start}</button></div></form></div>",
            title = t(lang, "settings.totp"),
            off = t(lang, "settings.totp_off"),
            start = t(lang, "settings.totp_turn_on"),
        ),
    }
}

/// The running configuration, for those who may manage settings. Only what `AppState`
/// holds, and never a secret.
fn configuration_section(state: &AppState, me: &Me) -> String {
    let lang = me.lang;
    if !me.user.can(Permission::ManageSettings) {
        return String::new();
    }
    let yes_no = |yes: bool| t(lang, if yes { "common.yes" } else { "common.no" });
    let mut bots: Vec<_> = state.webapp.values().collect();
    bots.sort_by(|a, b| a.profile.key.as_str().cmp(b.profile.key.as_str()));
    let rows: String = bots
        .iter()
        .map(|bot| {
            let profile = &bot.profile;
            let username = profile
                .username
                .get()
                .map(|u| format!(" (@{})", esc(u)))
                .unwrap_or_default();
            let delivery = if state.webhooks.contains_key(profile.key.as_str()) {
                t(lang, "settings.webhook")
            } else {
                t(lang, "settings.long_polling")
            };
            format!(
                "<tr data-testid=\"config-bot-{key}\"><td><code>{key}</code>{username}</td><td>{market}</td><td>{currency}</td><td>{language}</td><td>{staff}</td><td>{cards}</td><td>{manual}</td><td>{delivery}</td></tr>",
                key = esc(profile.key.as_str()),
                market = esc(&profile.market),
                currency = esc(&profile.currency),
                language = esc(&profile.default_language),
                staff = profile
                    .staff_chat
                    .map(|chat| chat.to_string())
                    .unwrap_or_else(|| "—".to_owned()),
                cards = yes_no(bot.provider_token.is_some()),
                manual = yes_no(profile.manual_payment.is_some()),
            )
        })
        .collect();
    let backend = match state.store.backend() {
        Backend::Sqlite => "SQLite",
        Backend::Postgres => "PostgreSQL",
    };
    format!(
        "<div class=\"card\" data-testid=\"configuration\"><h2>{title}</h2><p class=\"muted\">{help}</p>\
         <div class=\"scroll\"><table><thead><tr><th>{bot}</th><th>{market}</th><th>{currency}</th><th>{language}</th><th>{staff}</th><th>{cards}</th><th>{manual}</th><th>{delivery}</th></tr></thead><tbody>{rows}</tbody></table></div>\
         <table><tbody>\
         <tr><th>{store_label}</th><td data-testid=\"config-store\">{backend}</td></tr>\
         <tr><th>{sandbox_label}</th><td data-testid=\"config-sandbox\">{sandbox}</td></tr>\
         <tr><th>{api_label}</th><td data-testid=\"config-api\">{api}</td></tr>\
         </tbody></table></div>",
        title = t(lang, "settings.configuration"),
        help = t(lang, "settings.configuration_help"),
        bot = t(lang, "settings.bot"),
        market = t(lang, "settings.market"),
        currency = t(lang, "settings.currency"),
        language = t(lang, "settings.default_language"),
        staff = t(lang, "settings.staff_chat"),
        cards = t(lang, "settings.card_payments"),
        manual = t(lang, "settings.manual_payments"),
        delivery = t(lang, "settings.delivery"),
        store_label = t(lang, "settings.store"),
        sandbox_label = t(lang, "settings.sandbox"),
        sandbox = yes_no(state.console.sandbox),
        api_label = t(lang, "settings.admin_api"),
        api = yes_no(state.api_token.is_some()),
    )
}

fn settings_page(state: &AppState, me: &Me, status: StatusCode, shown: &Shown) -> Response {
    let lang = me.lang;
    let password_input = |id: &str, name: &str, label: &str, autocomplete: &str| {
        format!(
            "<label for=\"{id}\">{label}</label><input type=\"password\" id=\"{id}\" name=\"{name}\" autocomplete=\"{autocomplete}\" required>"
        )
    };
    let body = format!(
        "<h1>{title}</h1>{banner}\
         <p class=\"muted\">{signed_in} <strong>{username}</strong> · {role}</p>\
         <form method=\"post\" action=\"/settings/password\" class=\"card\"><h2>{password_title}</h2>{csrf}\
         {current}{new}{repeat}<p class=\"muted\">{password_help}</p>\
         <div><button type=\"submit\" data-testid=\"change-password\">{change}</button></div></form>\
         {totp}{configuration}",
        title = t(lang, "settings.title"),
        banner = shown.banner,
        signed_in = t(lang, "settings.signed_in_as"),
        username = esc(&me.user.username),
        role = t(lang, &format!("role.{}", me.user.role.as_str())),
        password_title = t(lang, "settings.password"),
        csrf = csrf_field(&me.session.csrf_token),
        current = password_input(
            "current-password",
            "current",
            t(lang, "settings.current_password"),
            "current-password"
        ),
        new = password_input(
            "new-password",
            "new",
            t(lang, "settings.new_password"),
            "new-password"
        ),
        repeat = password_input(
            "repeat-password",
            "repeat",
            t(lang, "settings.repeat_password"),
            "new-password"
        ),
        password_help = t(lang, "settings.password_help"),
        change = t(lang, "settings.change_password"),
        totp = totp_section(me, shown.setup.as_deref()),
        configuration = configuration_section(state, me),
    );
    page_with(me, status, "/settings", t(lang, "settings.title"), &body)
}

/// `GET /settings`.
pub async fn show(State(state): State<AppState>, me: Me, Query(done): Query<Done>) -> Response {
    let lang = me.lang;
    let banner = match done.ok.as_deref() {
        Some(key @ ("password" | "totp_on" | "totp_off")) => {
            flash(true, t(lang, &format!("settings.done_{key}")))
        }
        _ => String::new(),
    };
    let shown = Shown {
        banner,
        setup: None,
    };
    settings_page(&state, &me, StatusCode::OK, &shown)
}

// --- guessing limits ---

/// Whether the account is locked out by failed logins (or wrong passwords and codes typed
/// here) within the login window.
async fn locked_out(state: &AppState, me: &Me) -> Result<bool, Fail> {
    let settings = &state.console.settings;
    let since = state.crm.clock.now() - settings.window;
    let failures = state
        .store
        .login_failures_since(Limited::Account, &me.user.username, since)
        .await?;
    Ok(failures >= settings.account_failures)
}

/// Counts a wrong password or code against the account, as a failed login does.
async fn count_failure(state: &AppState, me: &Me) -> Result<(), Fail> {
    let now = state.crm.clock.now();
    state
        .store
        .record_login_failure(Limited::Account, &me.user.username, now)
        .await?;
    Ok(())
}

// --- password ---

/// `POST /settings/password` (form: current, new, repeat).
pub async fn password(State(state): State<AppState>, ctx: Ctx, me: Me, body: Bytes) -> Response {
    let lang = me.lang;
    let outcome = async {
        let form = Form::parse(&body)?;
        me.check_csrf(&form)?;
        let current = form.get("current").unwrap_or_default();
        let new = form.get("new").unwrap_or_default();
        let repeat = form.get("repeat").unwrap_or_default();
        let refuse = |status: StatusCode, problems: Vec<String>| {
            let shown = Shown {
                banner: problems_banner(lang, &problems),
                setup: None,
            };
            settings_page(&state, &me, status, &shown)
        };
        if locked_out(&state, &me).await? {
            let problems = vec![t(lang, "login.too_many").to_owned()];
            return Ok(refuse(StatusCode::TOO_MANY_REQUESTS, problems));
        }
        let mut problems = Vec::new();
        if !console::verify_password(&me.user.password_hash, current) {
            count_failure(&state, &me).await?;
            problems.push(t(lang, "settings.wrong_password").to_owned());
        }
        let chars = new.chars().count();
        if !(console::MIN_PASSWORD_CHARS..=console::MAX_PASSWORD_CHARS).contains(&chars) {
            problems.push(t(lang, "settings.password_length").to_owned());
        }
        if new != repeat {
            problems.push(t(lang, "settings.password_mismatch").to_owned());
        }
        if problems.is_empty() && new == current {
            problems.push(t(lang, "settings.password_same").to_owned());
        }
        if !problems.is_empty() {
            return Ok(refuse(StatusCode::UNPROCESSABLE_ENTITY, problems));
        }
        let now = state.crm.clock.now();
        // Ends every session of the user, this one included.
        console::set_password(state.store.as_ref(), me.user.id, new, now).await?;
        state
            .store
            .clear_login_failures(Limited::Account, &me.user.username)
            .await?;
        // This browser goes on with a fresh session; every other one has to log in again.
        let token = console::random_token();
        state
            .store
            .create_console_session(&ConsoleSession {
                token_hash: console::token_hash(&token),
                user_id: me.user.id,
                csrf_token: console::random_token(),
                created_at: now,
                last_seen_at: now,
            })
            .await?;
        let entry = me.audit(
            "console.user.password",
            format!("console_user:{}", me.user.id),
            serde_json::json!({ "username": me.user.username, "sessions_ended": true }),
        );
        audit_alone(&state, entry).await?;
        let mut response = see_other("/settings?ok=password");
        let max_age = state.console.settings.lifetime.num_seconds();
        let cookie = set_cookie(SESSION_COOKIE, &token, max_age, ctx.https, true);
        if let Ok(value) = cookie.parse() {
            response.headers_mut().append(header::SET_COOKIE, value);
        }
        Ok::<_, Fail>(response)
    }
    .await;
    respond(lang, outcome)
}

// --- TOTP ---

/// `POST /settings/totp/start`: a new secret to scan, not yet in force.
pub async fn totp_start(State(state): State<AppState>, me: Me, body: Bytes) -> Response {
    let lang = me.lang;
    let outcome = async {
        let form = Form::parse(&body)?;
        me.check_csrf(&form)?;
        if me.user.totp_enabled() {
            return Ok(see_other("/settings"));
        }
        let shown = Shown {
            banner: String::new(),
            setup: Some(console::generate_totp_secret()),
        };
        Ok::<_, Fail>(settings_page(&state, &me, StatusCode::OK, &shown))
    }
    .await;
    respond(lang, outcome)
}

/// `POST /settings/totp/confirm` (form: secret, seal, code): turns TOTP on once the code
/// shows the user's app has the secret.
pub async fn totp_confirm(State(state): State<AppState>, me: Me, body: Bytes) -> Response {
    let lang = me.lang;
    let outcome = async {
        let form = Form::parse(&body)?;
        me.check_csrf(&form)?;
        let secret = form.get("secret").unwrap_or_default().to_owned();
        let given_seal = form.get("seal").unwrap_or_default();
        if secret.is_empty()
            || !console::same_secret(given_seal.as_bytes(), seal(&me, &secret).as_bytes())
        {
            return Err(Fail::BadRequest);
        }
        if me.user.totp_enabled() {
            return Ok(see_other("/settings"));
        }
        let refuse = |status: StatusCode, problem: &str| {
            let shown = Shown {
                banner: problems_banner(lang, &[problem.to_owned()]),
                setup: Some(secret.clone()),
            };
            settings_page(&state, &me, status, &shown)
        };
        if locked_out(&state, &me).await? {
            return Ok(refuse(
                StatusCode::TOO_MANY_REQUESTS,
                t(lang, "login.too_many"),
            ));
        }
        let now = state.crm.clock.now();
        let code = form.get("code").unwrap_or_default();
        let Some(step) = console::totp_match(&secret, code, now) else {
            count_failure(&state, &me).await?;
            return Ok(refuse(
                StatusCode::UNPROCESSABLE_ENTITY,
                t(lang, "settings.wrong_code"),
            ));
        };
        if !state
            .store
            .set_console_totp(me.user.id, Some(&secret))
            .await?
        {
            return Err(Fail::NotFound);
        }
        // The code just typed may not log anyone in afterwards.
        state.store.use_totp_step(me.user.id, step).await?;
        let entry = me.audit(
            "console.user.totp",
            format!("console_user:{}", me.user.id),
            serde_json::json!({ "username": me.user.username, "enabled": true }),
        );
        audit_alone(&state, entry).await?;
        Ok(see_other("/settings?ok=totp_on"))
    }
    .await;
    respond(lang, outcome)
}

/// `POST /settings/totp/off` (form: code): turns TOTP off with a current code.
pub async fn totp_off(State(state): State<AppState>, me: Me, body: Bytes) -> Response {
    let lang = me.lang;
    let outcome = async {
        let form = Form::parse(&body)?;
        me.check_csrf(&form)?;
        let Some(secret) = me.user.totp_secret.clone() else {
            return Ok(see_other("/settings"));
        };
        let refuse = |status: StatusCode, problem: &str| {
            let shown = Shown {
                banner: problems_banner(lang, &[problem.to_owned()]),
                setup: None,
            };
            settings_page(&state, &me, status, &shown)
        };
        if locked_out(&state, &me).await? {
            return Ok(refuse(
                StatusCode::TOO_MANY_REQUESTS,
                t(lang, "login.too_many"),
            ));
        }
        let now = state.crm.clock.now();
        let code = form.get("code").unwrap_or_default();
        let matched = console::totp_match(&secret, code, now);
        let fresh = match matched {
            Some(step) => state.store.use_totp_step(me.user.id, step).await?,
            None => false,
        };
        if !fresh {
            count_failure(&state, &me).await?;
            return Ok(refuse(
                StatusCode::UNPROCESSABLE_ENTITY,
                t(lang, "settings.wrong_code"),
            ));
        }
        state.store.set_console_totp(me.user.id, None).await?;
        let entry = me.audit(
            "console.user.totp",
            format!("console_user:{}", me.user.id),
            serde_json::json!({ "username": me.user.username, "enabled": false }),
        );
        audit_alone(&state, entry).await?;
        Ok::<_, Fail>(see_other("/settings?ok=totp_off"))
    }
    .await;
    respond(lang, outcome)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_grouped_by_four() {
        assert_eq!(grouped("ABCDEFGHIJ"), "ABCD EFGH IJ");
    }

    #[test]
    fn the_qr_code_is_inline_svg() {
        let svg = qr_svg("otpauth://totp/groupcart:ana?secret=GEZDGNBV").unwrap();
        assert!(
            svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"),
            "{svg}"
        );
        assert!(!svg.contains("<?xml"));
    }
}
