//! The support inbox: tickets with their SLA due times, a ticket's conversation, and the
//! agent's actions (reply, canned reply, internal note, resolve). The actions run
//! `support_chat::act`, as the admin API and the agents' forum topics do, with the audit
//! entry in the same transaction.

use super::html::{csrf_field, esc, flash, page, page_with, when};
use super::i18n::{t, Lang};
use super::{audit_in, path_id, problem, respond, see_other, Fail, Form, Me};
use crate::AppState;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::{DateTime, Utc};
use groupcart_core::console::Permission;
use groupcart_core::support::{Author, Ticket, TicketFilter, TicketId, TicketStatus};
use groupcart_core::support_chat::{self, Agent, DeskAction, ServiceDesk};
use groupcart_core::Error;
use serde::Deserialize;

#[derive(Debug, Deserialize, Default)]
pub struct ListQuery {
    status: Option<String>,
}

/// The deadline the ticket runs against now: first response until answered, then
/// resolution; `None` once it is resolved or closed.
fn due(ticket: &Ticket) -> Option<DateTime<Utc>> {
    if !ticket.status.is_active() {
        return None;
    }
    Some(match ticket.first_response_at {
        None => ticket.first_response_due,
        Some(_) => ticket.resolution_due,
    })
}

fn due_cell(lang: Lang, ticket: &Ticket, now: DateTime<Utc>) -> String {
    match due(ticket) {
        None => "—".into(),
        Some(at) if at < now => format!(
            "<span class=\"late\">{} · {}</span>",
            esc(&when(at)),
            t(lang, "inbox.overdue")
        ),
        Some(at) => esc(&when(at)),
    }
}

fn status_label(lang: Lang, status: TicketStatus) -> &'static str {
    t(lang, &format!("ticket.{}", status.as_str()))
}

/// `GET /inbox?status=open|pending|resolved|closed|all`.
pub async fn list(
    State(state): State<AppState>,
    me: Me,
    Query(query): Query<ListQuery>,
) -> Response {
    let lang = me.lang;
    let outcome = async {
        me.require(Permission::AnswerTickets)?;
        let chosen = query.status.as_deref().unwrap_or("open");
        let status = TicketStatus::parse(chosen);
        let tickets = state
            .store
            .tickets(&TicketFilter {
                status,
                limit: 200,
                ..Default::default()
            })
            .await?;
        let now = state.crm.clock.now();
        let rows: String = tickets
            .iter()
            .map(|ticket| {
                format!(
                    "<tr data-testid=\"ticket-row-{id}\"><td><a href=\"/inbox/{id}\">#{id}</a></td><td>{status}</td><td>{topic}</td>\
                     <td><a href=\"/customers/{customer}\">{customer}</a></td><td>{group}</td><td>{opened}</td><td>{due}</td></tr>",
                    id = ticket.id.0,
                    status = status_label(lang, ticket.status),
                    topic = esc(&ticket.topic),
                    customer = ticket.customer_id.0,
                    group = esc(&ticket.group),
                    opened = esc(&when(ticket.opened_at)),
                    due = due_cell(lang, ticket, now),
                )
            })
            .collect();
        let table = if tickets.is_empty() {
            format!("<p class=\"muted\">{}</p>", t(lang, "inbox.none"))
        } else {
            format!(
                "<div class=\"scroll\"><table><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>{rows}</tbody></table></div>",
                t(lang, "inbox.ticket"),
                t(lang, "orders.status"),
                t(lang, "inbox.topic"),
                t(lang, "orders.customer"),
                t(lang, "inbox.group"),
                t(lang, "inbox.opened"),
                t(lang, "inbox.due"),
            )
        };
        let filters: String = ["open", "pending", "resolved", "closed", "all"]
            .iter()
            .map(|s| {
                let label = if *s == "all" {
                    t(lang, "inbox.all")
                } else {
                    TicketStatus::parse(s).map_or("", |st| status_label(lang, st))
                };
                if *s == chosen {
                    format!("<strong>{label}</strong>")
                } else {
                    format!("<a href=\"/inbox?status={s}\">{label}</a>")
                }
            })
            .collect::<Vec<_>>()
            .join(" · ");
        let body = format!(
            "<h1>{}</h1><p>{filters}</p>{table}",
            t(lang, "inbox.title")
        );
        Ok::<_, Fail>(page(&me, "/inbox", t(lang, "inbox.title"), &body))
    }
    .await;
    respond(lang, outcome)
}

#[derive(Debug, Deserialize, Default)]
pub struct Done {
    ok: Option<String>,
}

async fn ticket_page(
    state: &AppState,
    me: &Me,
    id: i64,
    status: StatusCode,
    banner: &str,
) -> Result<Response, Fail> {
    let lang = me.lang;
    let ticket = state
        .store
        .ticket(TicketId(id))
        .await?
        .ok_or(Fail::NotFound)?;
    let messages = state.store.ticket_messages(TicketId(id)).await?;
    let now = state.crm.clock.now();
    let conversation: String = messages
        .iter()
        .map(|m| {
            let (class, who) = match m.author {
                Author::Customer => ("customer", t(lang, "inbox.customer").to_owned()),
                Author::Agent => (
                    "agent",
                    m.agent_name.clone().unwrap_or_else(|| t(lang, "inbox.agent").to_owned()),
                ),
                Author::Note => (
                    "note",
                    format!(
                        "{} · {}",
                        t(lang, "inbox.note"),
                        m.agent_name.clone().unwrap_or_default()
                    ),
                ),
            };
            format!(
                "<div class=\"msg {class}\" data-testid=\"msg-{class}\"><div class=\"muted\">{} · {}</div><pre>{}</pre></div>",
                esc(&who),
                esc(&when(m.at)),
                esc(&m.text)
            )
        })
        .collect();
    let actions = if ticket.status.is_active() {
        // One entry per name: the reply goes out in the customer's language.
        let names: std::collections::BTreeSet<String> = state
            .store
            .canned_replies()
            .await?
            .into_iter()
            .map(|c| c.name)
            .collect();
        let canned = if names.is_empty() {
            String::new()
        } else {
            let options: String = names
                .iter()
                .map(|n| format!("<option value=\"{0}\">{0}</option>", esc(n)))
                .collect();
            format!(
                "<form method=\"post\" action=\"/inbox/{id}/canned\" class=\"card\">{csrf}\
                 <label for=\"canned\">{label}</label><select id=\"canned\" name=\"name\">{options}</select>\
                 <div><button type=\"submit\" data-testid=\"send-canned\">{send}</button></div></form>",
                csrf = csrf_field(&me.session.csrf_token),
                label = t(lang, "inbox.canned_label"),
                send = t(lang, "inbox.canned_send"),
            )
        };
        format!(
            "<form method=\"post\" action=\"/inbox/{id}/reply\" class=\"card\">{csrf}\
             <label for=\"text\">{reply_label}</label><textarea id=\"text\" name=\"text\" required maxlength=\"4096\"></textarea>\
             <div><button type=\"submit\" data-testid=\"reply\">{reply}</button>\
             <button type=\"submit\" class=\"quiet\" formaction=\"/inbox/{id}/note\" data-testid=\"note\">{note}</button></div></form>\
             {canned}\
             <form method=\"post\" action=\"/inbox/{id}/resolve\">{csrf}<button type=\"submit\" class=\"quiet\" data-testid=\"resolve\">{resolve}</button></form>",
            csrf = csrf_field(&me.session.csrf_token),
            reply_label = t(lang, "inbox.reply_label"),
            reply = t(lang, "inbox.reply"),
            note = t(lang, "inbox.add_note"),
            resolve = t(lang, "inbox.resolve"),
        )
    } else {
        String::new()
    };
    let body = format!(
        "<h1>{title} #{id} <span class=\"badge\" data-testid=\"ticket-status\">{status}</span></h1>{banner}\
         <div class=\"card\"><p>{customer_label}: <a href=\"/customers/{customer}\">{customer}</a> · {topic_label}: {topic} · {group_label}: {group} · {lang_label}: {language}</p>\
         <p>{due_label}: {due}</p></div>\
         <div class=\"card\" data-testid=\"conversation\">{conversation}</div>{actions}",
        title = t(lang, "inbox.ticket"),
        status = status_label(lang, ticket.status),
        customer_label = t(lang, "orders.customer"),
        customer = ticket.customer_id.0,
        topic_label = t(lang, "inbox.topic"),
        topic = esc(&ticket.topic),
        group_label = t(lang, "inbox.group"),
        group = esc(&ticket.group),
        lang_label = t(lang, "inbox.language"),
        language = esc(&ticket.language),
        due_label = t(lang, "inbox.due"),
        due = due_cell(lang, &ticket, now),
    );
    let path = format!("/inbox/{id}");
    Ok(page_with(
        me,
        status,
        &path,
        &format!("{} #{id}", t(lang, "inbox.ticket")),
        &body,
    ))
}

/// `GET /inbox/{id}`.
pub async fn show(
    State(state): State<AppState>,
    me: Me,
    Path(id): Path<String>,
    Query(done): Query<Done>,
) -> Response {
    let lang = me.lang;
    let outcome = async {
        me.require(Permission::AnswerTickets)?;
        let id = path_id(&id)?;
        let banner = match done.ok.as_deref() {
            Some(key @ ("replied" | "noted" | "resolved")) => {
                flash(true, t(lang, &format!("inbox.done_{key}")))
            }
            _ => String::new(),
        };
        ticket_page(&state, &me, id, StatusCode::OK, &banner).await
    }
    .await;
    respond(lang, outcome)
}

/// `POST /inbox/{id}/{reply|canned|note|resolve}` (form: text for reply and note, name for
/// a canned reply).
pub async fn act(
    State(state): State<AppState>,
    me: Me,
    Path((id, action)): Path<(String, String)>,
    body: Bytes,
) -> Response {
    let lang = me.lang;
    let outcome = async {
        me.require(Permission::AnswerTickets)?;
        let id = path_id(&id)?;
        let form = Form::parse(&body)?;
        me.check_csrf(&form)?;
        let text = form.get("text").unwrap_or_default().trim().to_owned();
        let (desk_action, done) = match action.as_str() {
            "reply" | "note" if text.is_empty() || text.chars().count() > 4096 => {
                let banner = flash(false, t(lang, "inbox.text_needed"));
                return ticket_page(&state, &me, id, StatusCode::UNPROCESSABLE_ENTITY, &banner)
                    .await;
            }
            "reply" => (DeskAction::Reply(text.clone()), "replied"),
            "canned" => {
                let name = form.get("name").unwrap_or_default().trim().to_owned();
                (DeskAction::Canned(name), "replied")
            }
            "note" => (DeskAction::Note(text.clone()), "noted"),
            "resolve" => (DeskAction::Resolve, "resolved"),
            _ => return Err(Fail::NotFound),
        };
        match run(&state, &me, id, &action, desk_action).await {
            Ok(()) => Ok(see_other(&format!("/inbox/{id}?ok={done}"))),
            Err(error @ (Error::Invalid(_) | Error::Fields(_) | Error::Conflict(_))) => {
                let banner = flash(false, &problem(lang, &error));
                ticket_page(&state, &me, id, StatusCode::CONFLICT, &banner).await
            }
            Err(error) => Err(Fail::from(error)),
        }
    }
    .await;
    respond(lang, outcome)
}

async fn run(
    state: &AppState,
    me: &Me,
    id: i64,
    action: &str,
    desk_action: DeskAction,
) -> Result<(), Error> {
    let now = state.crm.clock.now();
    let agent = Agent {
        telegram_user_id: None,
        name: me.user.display_name.clone(),
    };
    let mut tx = state.store.begin().await?;
    let desk = ServiceDesk {
        texts: &state.texts,
        support: &state.support,
        store: state.store.as_ref(),
    };
    let ticket =
        support_chat::act(tx.as_mut(), desk, TicketId(id), agent, desk_action, now).await?;
    // The text is not recorded: it may hold personal data the log must not outlive.
    let entry = me.audit(
        &format!("console.ticket.{action}"),
        format!("ticket:{id}"),
        serde_json::json!({}),
    );
    audit_in(state, tx.as_mut(), entry).await?;
    tx.commit().await?;
    state.wakers.wake(&ticket.bot);
    Ok(())
}
