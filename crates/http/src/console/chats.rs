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
//!
//! The page's "Members to remove" section lists the purge candidates of a filter (inactive
//! days, flagged, customers included) with a checkbox each, like `GET /api/chats/{bot}/
//! {chat_id}/purge-candidates`; confirming runs `membership::confirm_purge`, the use case of
//! `POST /api/chats/{bot}/{chat_id}/purge`, audited as `chat.purge`.

use super::html::{csrf_field, esc, flash, page, page_with, when};
use super::i18n::{t, Lang};
use super::{audit_alone, respond, see_other, Fail, Form, Me};
use crate::AppState;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use groupcart_core::community::{ChatRecord, Right};
use groupcart_core::console::Permission;
use groupcart_core::membership::{self, PurgeFilter, PurgeList, MAX_INACTIVE_DAYS};
use groupcart_core::moderation::{self, ActionRecord, Lift, Sanction};
use groupcart_core::{Error, FieldError};
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
        Sanction::Kick => t(lang, "chats.sanction.kick"),
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
    /// After a purge: how many removals were queued and how many members skipped.
    queued: Option<u32>,
    skipped: Option<u32>,
    /// The purge form was sent (`1`), with its fields as typed.
    purge: Option<String>,
    inactive_days: Option<String>,
    flagged: Option<String>,
    include_customers: Option<String>,
}

/// The purge form as typed (its filter is checked when it is used).
#[derive(Debug, Clone, Default)]
struct PurgeForm {
    /// Candidates are listed (the form was sent).
    asked: bool,
    inactive_days: String,
    flagged: bool,
    include_customers: bool,
}

impl PurgeForm {
    fn from_query(query: &ShowQuery) -> PurgeForm {
        PurgeForm {
            asked: query.purge.is_some(),
            inactive_days: query.inactive_days.clone().unwrap_or_default(),
            flagged: query.flagged.is_some(),
            include_customers: query.include_customers.is_some(),
        }
    }

    fn from_form(form: &Form) -> PurgeForm {
        PurgeForm {
            asked: true,
            inactive_days: form.get("inactive_days").unwrap_or("").to_owned(),
            flagged: form.get("flagged").is_some(),
            include_customers: form.get("include_customers").is_some(),
        }
    }

    /// The filter typed, or every problem with it.
    fn filter(&self) -> Result<PurgeFilter, Vec<FieldError>> {
        let inactive_days = match self.inactive_days.trim() {
            "" => None,
            raw => Some(raw.parse::<u32>().map_err(|_| {
                vec![FieldError::new(
                    "inactive_days",
                    format!("must be a whole number of days, 1-{MAX_INACTIVE_DAYS}"),
                )]
            })?),
        };
        let filter = PurgeFilter {
            inactive_days,
            flagged: self.flagged,
            include_customers: self.include_customers,
        };
        filter.validate().map(|()| filter)
    }
}

/// Every problem, one per line, in a banner.
fn problems_banner(lang: Lang, errors: &[FieldError]) -> String {
    let items: String = errors
        .iter()
        .map(|e| {
            format!(
                "<li data-testid=\"problem-{field}\">{field}: {message}</li>",
                field = esc(&e.field),
                message = esc(&e.message)
            )
        })
        .collect();
    format!(
        "<div class=\"flash bad\" role=\"status\" data-testid=\"flash\">{}<ul>{items}</ul></div>",
        esc(t(lang, "chats.purge.problems"))
    )
}

/// The "Members to remove" section: the filter form and, once sent, the candidates with a
/// checkbox each (checked) in the form that confirms their removal. Returns the section and
/// whether it holds problems.
async fn purge_section(
    state: &AppState,
    me: &Me,
    bot: &str,
    chat_id: i64,
    form: &PurgeForm,
    mut problems: Vec<FieldError>,
) -> Result<(String, bool), Fail> {
    let lang = me.lang;
    let path = chat_path(bot, chat_id);
    let mut list = String::new();
    if form.asked {
        match form.filter() {
            Ok(filter) => {
                let found = membership::purge_candidates(
                    state.store.as_ref(),
                    bot,
                    chat_id,
                    &filter,
                    state.crm.clock.now(),
                )
                .await?;
                list = candidates_form(me, &path, form, &found);
            }
            Err(errors) => problems.extend(errors),
        }
    }
    let checked = |on: bool| if on { " checked" } else { "" };
    let section = format!(
        "<h2 id=\"purge\">{title}</h2><p class=\"muted\">{intro}</p>{problems}\
         <form method=\"get\" action=\"{path}\" class=\"card row\" data-testid=\"purge-filter\">\
         <input type=\"hidden\" name=\"purge\" value=\"1\">\
         <div><label for=\"inactive_days\">{days_label}</label><input type=\"number\" id=\"inactive_days\" name=\"inactive_days\" min=\"1\" max=\"{max}\" value=\"{days}\"></div>\
         <div><label><input type=\"checkbox\" name=\"flagged\" value=\"on\" data-testid=\"purge-flagged\"{flagged}> {flagged_label}</label></div>\
         <div><label><input type=\"checkbox\" name=\"include_customers\" value=\"on\" data-testid=\"purge-customers\"{customers}> {customers_label}</label></div>\
         <div><button type=\"submit\" data-testid=\"purge-list\">{list_label}</button></div></form>{list}",
        title = t(lang, "chats.purge.title"),
        intro = t(lang, "chats.purge.intro"),
        problems = if problems.is_empty() {
            String::new()
        } else {
            problems_banner(lang, &problems)
        },
        days_label = t(lang, "chats.purge.inactive_days"),
        max = MAX_INACTIVE_DAYS,
        days = esc(&form.inactive_days),
        flagged = checked(form.flagged),
        flagged_label = t(lang, "chats.purge.flagged"),
        customers = checked(form.include_customers),
        customers_label = t(lang, "chats.purge.include_customers"),
        list_label = t(lang, "chats.purge.list"),
    );
    Ok((section, !problems.is_empty()))
}

/// The candidates, each with a checked box, in the form that confirms their removal (the
/// filter goes along, to check each member again under it).
fn candidates_form(me: &Me, path: &str, form: &PurgeForm, found: &PurgeList) -> String {
    let lang = me.lang;
    if found.candidates.is_empty() {
        return format!(
            "<p class=\"muted\" data-testid=\"purge-none\">{}</p>",
            t(lang, "chats.purge.none")
        );
    }
    let rows: String = found
        .candidates
        .iter()
        .map(|c| {
            format!(
                "<tr data-testid=\"candidate-{user}\"><td><input type=\"checkbox\" name=\"user_id\" value=\"{user}\" data-testid=\"pick-{user}\" checked></td>\
                 <td>{name}{username}<div class=\"muted\">{user}{customer}</div></td><td>{joined}</td><td>{active}</td>\
                 <td>{messages}</td><td>{warnings} / {mutes}</td><td>{paid}</td></tr>",
                user = c.user_id,
                name = esc(&c.first_name),
                username = c
                    .username
                    .as_deref()
                    .map(|u| format!(" <span class=\"muted\">@{}</span>", esc(u)))
                    .unwrap_or_default(),
                customer = c
                    .customer_id
                    .map(|id| format!(" · <a href=\"/customers/{}\">#{}</a>", id.0, id.0))
                    .unwrap_or_default(),
                joined = c.joined_at.map(|at| esc(&when(at))).unwrap_or_default(),
                active = esc(&when(c.last_active_at)),
                messages = c.messages,
                warnings = c.warnings,
                mutes = c.mutes,
                paid = c.paid_orders,
            )
        })
        .collect();
    let hidden = |name: &str, on: bool| {
        if on {
            format!("<input type=\"hidden\" name=\"{name}\" value=\"on\">")
        } else {
            String::new()
        }
    };
    format!(
        "<form method=\"post\" action=\"{path}/purge\" data-testid=\"purge-form\">{csrf}\
         <input type=\"hidden\" name=\"inactive_days\" value=\"{days}\">{flagged}{customers}\
         <div class=\"scroll\"><table><thead><tr><th></th><th>{member}</th><th>{joined}</th><th>{active}</th><th>{messages}</th><th>{flags}</th><th>{paid}</th></tr></thead>\
         <tbody>{rows}</tbody></table></div>{truncated}\
         <p><button type=\"submit\" data-testid=\"purge-confirm\">{confirm}</button></p></form>",
        csrf = csrf_field(&me.session.csrf_token),
        days = esc(form.inactive_days.trim()),
        flagged = hidden("flagged", form.flagged),
        customers = hidden("include_customers", form.include_customers),
        member = t(lang, "chats.purge.member"),
        joined = t(lang, "chats.purge.joined"),
        active = t(lang, "chats.purge.last_active"),
        messages = t(lang, "chats.purge.messages"),
        flags = t(lang, "chats.purge.flags"),
        paid = t(lang, "chats.purge.paid_orders"),
        truncated = if found.truncated {
            format!(
                "<p class=\"muted\" data-testid=\"purge-truncated\">{}</p>",
                t(lang, "chats.purge.truncated")
            )
        } else {
            String::new()
        },
        confirm = t(lang, "chats.purge.confirm"),
    )
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

/// `GET /chats/{bot}/{chat_id}?user_id=` (and the purge form's fields).
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
        let user_id = match query.user_id.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(raw) => Some(raw.parse::<i64>().map_err(|_| Fail::BadRequest)?),
        };
        let banner = match query.ok.as_deref() {
            Some("unban") => flash(true, t(lang, "chats.done_unban")),
            Some("unmute") => flash(true, t(lang, "chats.done_unmute")),
            Some("purge") => flash(
                true,
                &t(lang, "chats.purge.done")
                    .replace("{queued}", &query.queued.unwrap_or(0).to_string())
                    .replace("{skipped}", &query.skipped.unwrap_or(0).to_string()),
            ),
            _ => String::new(),
        };
        let purge = PurgeForm::from_query(&query);
        render_chat(
            &state,
            &me,
            &bot,
            chat_id,
            user_id,
            &banner,
            &purge,
            Vec::new(),
        )
        .await
    }
    .await;
    respond(lang, outcome)
}

/// A chat's page: its status, the moderation log (only `user_id`'s if given) and the purge
/// section with `problems` (422 when there are any).
#[allow(clippy::too_many_arguments)]
async fn render_chat(
    state: &AppState,
    me: &Me,
    bot: &str,
    chat_id: i64,
    user_id: Option<i64>,
    banner: &str,
    purge: &PurgeForm,
    problems: Vec<FieldError>,
) -> Result<Response, Fail> {
    let lang = me.lang;
    let chat = state
        .store
        .chat(bot, chat_id)
        .await?
        .ok_or(Fail::NotFound)?;
    let log = state
        .store
        .moderation_log(bot, chat_id, user_id, LOG_LIMIT)
        .await?;
    let path = chat_path(bot, chat_id);
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
            log_rows(me, &log, &path, now),
        )
    };
    let (purge_section, bad) = purge_section(state, me, bot, chat_id, purge, problems).await?;
    let s = &chat.seen;
    let body = format!(
        "<h1>{title}</h1>{banner}<div class=\"card\"><p>{kind} · {bot} · {id} · {status_label}: \
         <span class=\"badge\">{status}</span></p>{missing}\
         <p><a href=\"{path}/settings\" data-testid=\"chat-settings-link\">{settings_link}</a></p></div>\
         <h2>{log_title}</h2><form method=\"get\" action=\"{path}\" class=\"card row\">\
         <div><label for=\"user_id\">{user_label}</label><input type=\"text\" id=\"user_id\" name=\"user_id\" inputmode=\"numeric\" value=\"{user}\"></div>\
         <div><button type=\"submit\">{filter}</button></div></form>{table}{purge_section}\
         <p><a href=\"/chats\">← {back}</a></p>",
        title = esc(&s.title),
        kind = esc(&s.kind),
        bot = esc(&s.bot),
        id = s.chat_id,
        status_label = t(lang, "chats.bot_status"),
        status = esc(&s.bot_status),
        missing = missing(lang, &chat),
        settings_link = t(lang, "chat_settings.link"),
        log_title = t(lang, "chats.log"),
        user_label = t(lang, "chats.member_id"),
        user = user_id.map(|u| u.to_string()).unwrap_or_default(),
        filter = t(lang, "common.filter"),
        back = t(lang, "chats.title"),
    );
    let status = if bad {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    Ok(page_with(me, status, &path, &s.title, &body))
}

/// `POST /chats/{bot}/{chat_id}/purge`: removes the members checked (see
/// `membership::confirm_purge`, the use case of `POST /api/chats/{bot}/{chat_id}/purge`),
/// audited as `chat.purge`; bad input comes back 422 with the list and every problem.
pub async fn purge(
    State(state): State<AppState>,
    me: Me,
    Path((bot, chat_id)): Path<(String, String)>,
    body: Bytes,
) -> Response {
    let lang = me.lang;
    let outcome = async {
        me.require(Permission::ManageChats)?;
        let chat_id: i64 = chat_id.parse().map_err(|_| Fail::NotFound)?;
        let form = Form::parse(&body)?;
        me.check_csrf(&form)?;
        if !state.webapp.contains_key(&bot) {
            return Err(Fail::NotFound);
        }
        let typed = PurgeForm::from_form(&form);
        let mut problems = Vec::new();
        let mut user_ids = Vec::new();
        for raw in form.all("user_id") {
            match raw.trim().parse::<i64>() {
                Ok(id) => user_ids.push(id),
                Err(_) => {
                    problems.push(FieldError::new("user_ids", "must be Telegram user ids"));
                    break;
                }
            }
        }
        let filter = match typed.filter() {
            Ok(filter) if problems.is_empty() => filter,
            // The section adds the filter's own problems to these.
            _ => return render_chat(&state, &me, &bot, chat_id, None, "", &typed, problems).await,
        };
        let outcome = membership::confirm_purge(
            state.store.as_ref(),
            &bot,
            chat_id,
            &user_ids,
            &filter,
            &me.user.actor(),
            state.crm.clock.now(),
        )
        .await;
        let outcome = match outcome {
            Ok(outcome) => outcome,
            Err(Error::Fields(errors)) => {
                return render_chat(&state, &me, &bot, chat_id, None, "", &typed, errors).await
            }
            Err(error) => return Err(error.into()),
        };
        let entry = me.audit(
            "chat.purge",
            format!("chat:{bot}:{chat_id}"),
            serde_json::json!({
                "queued": outcome.queued,
                "skipped": outcome.skipped,
                "inactive_days": filter.inactive_days,
                "flagged": filter.flagged,
                "include_customers": filter.include_customers,
            }),
        );
        audit_alone(&state, entry).await?;
        Ok::<_, Fail>(see_other(&format!(
            "{}?ok=purge&queued={}&skipped={}",
            chat_path(&bot, chat_id),
            outcome.queued.len(),
            outcome.skipped.len()
        )))
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
