//! Chats: the groups and channels each bot is registered in, with the bot's status and the
//! rights it lacks; a chat's page with its moderation log (newest first, optionally one
//! member's) and, for a member whose latest entry is a ban or a running mute, a button that
//! lifts it.
//!
//! The list reads the store's `chats` like `GET /api/chats`, the log the store's
//! `moderation_log` like `GET /api/chats/{bot}/{chat_id}/moderation-log`, and lifting runs
//! `moderation::lift_member`, the use case of `POST /api/chats/{bot}/{chat_id}/members/
//! {user_id}/unban|unmute` (Telegram is told through the outbox and the log names the console
//! user). It commits on its own, so the audit entry is appended right after.

use super::html::{csrf_field, esc, flash, page, when};
use super::i18n::{t, Lang};
use super::{audit_alone, respond, see_other, Fail, Form, Me};
use crate::AppState;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use groupcart_core::community::{ChatRecord, Right};
use groupcart_core::console::Permission;
use groupcart_core::moderation::{self, ActionRecord, Lift, Sanction};
use serde::Deserialize;
use std::collections::BTreeSet;

/// Log entries shown on a chat's page.
const LOG_LIMIT: i64 = 200;

fn right_label(lang: Lang, right: Right) -> &'static str {
    match right {
        Right::Admin => t(lang, "chats.right.admin"),
        Right::InviteUsers => t(lang, "chats.right.invite"),
        Right::DeleteMessages => t(lang, "chats.right.delete"),
        Right::RestrictMembers => t(lang, "chats.right.restrict"),
    }
}

fn missing(lang: Lang, chat: &ChatRecord) -> String {
    let missing = chat.missing();
    if missing.is_empty() {
        format!(
            "<span class=\"muted\">{}</span>",
            t(lang, "chats.rights_ok")
        )
    } else {
        let items: String = missing
            .into_iter()
            .map(|r| format!("<li>{}</li>", esc(right_label(lang, r))))
            .collect();
        format!("<ul class=\"bad\">{items}</ul>")
    }
}

fn sanction_label(lang: Lang, sanction: Sanction) -> &'static str {
    match sanction {
        Sanction::Warn => t(lang, "chats.sanction.warn"),
        Sanction::Mute => t(lang, "chats.sanction.mute"),
        Sanction::Ban => t(lang, "chats.sanction.ban"),
        Sanction::Unmute => t(lang, "chats.sanction.unmute"),
        Sanction::Unban => t(lang, "chats.sanction.unban"),
    }
}

/// The chat's path on the console.
fn chat_path(bot: &str, chat_id: i64) -> String {
    format!("/chats/{}/{chat_id}", super::html::url_param(bot))
}

/// `GET /chats`.
pub async fn list(State(state): State<AppState>, me: Me) -> Response {
    let lang = me.lang;
    let outcome = async {
        me.require(Permission::ManageChats)?;
        let mut bots: Vec<&String> = state.webapp.keys().collect();
        bots.sort();
        let mut chats = Vec::new();
        for bot in bots {
            chats.extend(state.store.chats(bot).await?);
        }
        let rows: String = chats
            .iter()
            .map(|c| {
                let s = &c.seen;
                format!(
                    "<tr data-testid=\"chat-row-{id}\"><td><a href=\"{href}\">{title}</a>\
                     <div class=\"muted\">{username}{bot} · {id}</div></td><td>{kind}</td>\
                     <td><span class=\"badge\">{status}</span></td><td>{missing}</td></tr>",
                    id = s.chat_id,
                    href = chat_path(&s.bot, s.chat_id),
                    title = esc(&s.title),
                    username = s
                        .username
                        .as_deref()
                        .map(|u| format!("@{} · ", esc(u)))
                        .unwrap_or_default(),
                    bot = esc(&s.bot),
                    kind = esc(&s.kind),
                    status = esc(&s.bot_status),
                    missing = missing(lang, c),
                )
            })
            .collect();
        let table = if chats.is_empty() {
            format!("<p class=\"muted\">{}</p>", t(lang, "chats.none"))
        } else {
            format!(
                "<div class=\"scroll\"><table><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>{rows}</tbody></table></div>",
                t(lang, "chats.chat"),
                t(lang, "chats.kind"),
                t(lang, "chats.bot_status"),
                t(lang, "chats.missing"),
            )
        };
        let body = format!(
            "<h1>{}</h1><p class=\"muted\">{}</p>{table}",
            t(lang, "chats.title"),
            t(lang, "chats.intro"),
        );
        Ok::<_, Fail>(page(&me, "/chats", t(lang, "chats.title"), &body))
    }
    .await;
    respond(lang, outcome)
}

#[derive(Debug, Deserialize, Default)]
pub struct ShowQuery {
    user_id: Option<String>,
    ok: Option<String>,
}

/// The log's rows; the latest entry of a banned member or a member whose mute still runs
/// gets the button that lifts it.
fn log_rows(
    me: &Me,
    log: &[ActionRecord],
    path: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> String {
    let lang = me.lang;
    let csrf = csrf_field(&me.session.csrf_token);
    let mut seen = BTreeSet::new();
    log.iter()
        .map(|r| {
            let latest = seen.insert(r.user_id);
            let lift = match r.sanction {
                Sanction::Ban if latest => Some(("unban", t(lang, "chats.unban"))),
                Sanction::Mute if latest && r.until.is_none_or(|until| until > now) => {
                    Some(("unmute", t(lang, "chats.unmute")))
                }
                _ => None,
            };
            let button = lift
                .map(|(action, label)| {
                    format!(
                        "<form method=\"post\" action=\"{path}/members/{user}/{action}\">{csrf}\
                         <button type=\"submit\" data-testid=\"{action}-{user}\">{label}</button></form>",
                        user = r.user_id,
                    )
                })
                .unwrap_or_default();
            let until = r
                .until
                .map(|u| format!("<div class=\"muted\">{} {}</div>", t(lang, "chats.until"), esc(&when(u))))
                .unwrap_or_default();
            format!(
                "<tr data-testid=\"log-{id}\"><td>{at}</td><td><a href=\"{path}?user_id={user}\">{user}</a>{customer}</td>\
                 <td><span class=\"badge\" data-testid=\"sanction-{id}\">{sanction}</span>{until}</td>\
                 <td>{rule}<div>{reason}</div></td><td>{excerpt}</td><td>{actor}</td><td>{button}</td></tr>",
                id = r.id,
                at = esc(&when(r.at)),
                user = r.user_id,
                customer = r
                    .customer_id
                    .map(|c| format!(" <a class=\"muted\" href=\"/customers/{}\">#{}</a>", c.0, c.0))
                    .unwrap_or_default(),
                sanction = sanction_label(lang, r.sanction),
                rule = r
                    .rule
                    .map(|rule| format!("<span class=\"muted\">{}</span>", esc(rule.as_str())))
                    .unwrap_or_default(),
                reason = esc(&r.reason),
                excerpt = esc(r.excerpt.as_deref().unwrap_or("")),
                actor = esc(&r.actor),
            )
        })
        .collect()
}

/// `GET /chats/{bot}/{chat_id}?user_id=`.
pub async fn show(
    State(state): State<AppState>,
    me: Me,
    Path((bot, chat_id)): Path<(String, String)>,
    Query(query): Query<ShowQuery>,
) -> Response {
    let lang = me.lang;
    let outcome = async {
        me.require(Permission::ManageChats)?;
        let chat_id: i64 = chat_id.parse().map_err(|_| Fail::NotFound)?;
        let chat = state
            .store
            .chat(&bot, chat_id)
            .await?
            .ok_or(Fail::NotFound)?;
        let user_id = match query.user_id.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(raw) => Some(raw.parse::<i64>().map_err(|_| Fail::BadRequest)?),
        };
        let log = state
            .store
            .moderation_log(&bot, chat_id, user_id, LOG_LIMIT)
            .await?;
        let path = chat_path(&bot, chat_id);
        let banner = match query.ok.as_deref() {
            Some("unban") => flash(true, t(lang, "chats.done_unban")),
            Some("unmute") => flash(true, t(lang, "chats.done_unmute")),
            _ => String::new(),
        };
        let now = state.crm.clock.now();
        let table = if log.is_empty() {
            format!("<p class=\"muted\">{}</p>", t(lang, "chats.log_empty"))
        } else {
            format!(
                "<div class=\"scroll\"><table><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th></th></tr></thead><tbody>{}</tbody></table></div>",
                t(lang, "chats.at"),
                t(lang, "chats.member"),
                t(lang, "chats.sanction"),
                t(lang, "chats.rule"),
                t(lang, "chats.excerpt"),
                t(lang, "chats.actor"),
                log_rows(&me, &log, &path, now),
            )
        };
        let s = &chat.seen;
        let body = format!(
            "<h1>{title}</h1>{banner}<div class=\"card\"><p>{kind} · {bot} · {id} · {status_label}: \
             <span class=\"badge\">{status}</span></p>{missing}</div>\
             <h2>{log_title}</h2><form method=\"get\" action=\"{path}\" class=\"card row\">\
             <div><label for=\"user_id\">{user_label}</label><input type=\"text\" id=\"user_id\" name=\"user_id\" inputmode=\"numeric\" value=\"{user}\"></div>\
             <div><button type=\"submit\">{filter}</button></div></form>{table}\
             <p><a href=\"/chats\">← {back}</a></p>",
            title = esc(&s.title),
            kind = esc(&s.kind),
            bot = esc(&s.bot),
            id = s.chat_id,
            status_label = t(lang, "chats.bot_status"),
            status = esc(&s.bot_status),
            missing = missing(lang, &chat),
            log_title = t(lang, "chats.log"),
            user_label = t(lang, "chats.member_id"),
            user = user_id.map(|u| u.to_string()).unwrap_or_default(),
            filter = t(lang, "common.filter"),
            back = t(lang, "chats.title"),
        );
        Ok::<_, Fail>(page(&me, &path, &s.title, &body))
    }
    .await;
    respond(lang, outcome)
}

/// `POST /chats/{bot}/{chat_id}/members/{user_id}/{unban|unmute}`.
pub async fn lift(
    State(state): State<AppState>,
    me: Me,
    Path((bot, chat_id, user_id, action)): Path<(String, String, String, String)>,
    body: Bytes,
) -> Response {
    let lang = me.lang;
    let outcome = async {
        me.require(Permission::ManageChats)?;
        let chat_id: i64 = chat_id.parse().map_err(|_| Fail::NotFound)?;
        let user_id: i64 = user_id.parse().map_err(|_| Fail::NotFound)?;
        let what = match action.as_str() {
            "unban" => Lift::Unban,
            "unmute" => Lift::Unmute,
            _ => return Err(Fail::NotFound),
        };
        let form = Form::parse(&body)?;
        me.check_csrf(&form)?;
        if user_id <= 0 {
            return Err(Fail::BadRequest);
        }
        let app = state.webapp.get(&bot).ok_or(Fail::NotFound)?;
        let record = moderation::lift_member(
            state.store.as_ref(),
            &state.texts,
            &app.profile,
            chat_id,
            user_id,
            what,
            &me.user.actor(),
            state.crm.clock.now(),
        )
        .await?;
        state.wakers.wake(&bot);
        let entry = me.audit(
            &format!("console.member.{action}"),
            format!("chat:{bot}:{chat_id}"),
            serde_json::json!({ "user_id": user_id, "log": record.id }),
        );
        audit_alone(&state, entry).await?;
        Ok::<_, Fail>(see_other(&format!(
            "{}?ok={action}",
            chat_path(&bot, chat_id)
        )))
    }
    .await;
    respond(lang, outcome)
}
