//! Customer service in chat. Customers: a question is answered from the FAQ when the bot
//! is confident, offered the closest entries when it is not, and handed to a person when
//! nothing comes close, on `/agent` or on "talk to a person"; while a ticket is open their
//! messages (text, photos, documents) go to the agents. Agents: each ticket is a topic of
//! their group's forum supergroup, where what they write reaches the customer, except
//! internal notes, and commands run the ticket (`/resolve`, `/close`, `/assign`,
//! `/priority`, `/transfer`, `/canned`, `/note`).

use crate::conversation::{Context, Turn};
use crate::customer::Customer;
use crate::event::{kind, NewEvent};
use crate::faq::{FaqEntry, NewUnanswered};
use crate::incoming::{Incoming, IncomingKind, Person};
use crate::outbox::{Action, Button, Keyboard, NewOutbound};
use crate::store::Tx;
use crate::support::{
    self, Author, NewTicket, NewTicketMessage, Priority, SupportSettings, Ticket, TicketId,
    TicketStatus,
};
use crate::{Error, Result};
use chrono::{DateTime, Utc};
use serde_json::json;

/// Telegram's longest message.
const MAX_MESSAGE_CHARS: usize = 4096;
/// How many earlier messages a transferred ticket's new topic shows.
const HISTORY_ON_TRANSFER: usize = 20;

/// Whether the button belongs to customer service.
pub(crate) fn is_support_button(data: &str) -> bool {
    ["faq:", "support:", "csat:", "nps:"]
        .iter()
        .any(|p| data.starts_with(p))
}

/// Whether the interaction happened in an agent group's forum.
pub(crate) fn is_agent_chat(ctx: &Context<'_>, incoming: &Incoming) -> bool {
    ctx.support.group_of_chat(incoming.chat_id).is_some()
}

/// Whether two language tags name the same language (`zh-CN` and `zh` do).
fn same_language(a: &str, b: &str) -> bool {
    let primary = |t: &str| t.split('-').next().unwrap_or("").to_ascii_lowercase();
    a.eq_ignore_ascii_case(b) || primary(a) == primary(b)
}

/// The entry's answer in the customer's language (or the closest one it has).
fn answer_in<'e>(entry: &'e FaqEntry, language: &str, fallback: &str) -> &'e str {
    let exact = entry
        .entry
        .answers
        .iter()
        .find(|(l, _)| same_language(l, language))
        .map(|(_, a)| a.as_str());
    exact.unwrap_or_else(|| entry.answer(language, fallback))
}

fn title_in<'e>(entry: &'e FaqEntry, language: &str, fallback: &str) -> &'e str {
    let exact = entry
        .entry
        .questions
        .iter()
        .find(|(l, _)| same_language(l, language))
        .and_then(|(_, q)| q.first())
        .map(String::as_str);
    exact.unwrap_or_else(|| entry.title(language, fallback))
}

/// At most `max` characters of `text`, with an ellipsis when cut.
fn clip(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let mut cut: String = text.chars().take(max.saturating_sub(1)).collect();
    cut.push('…');
    cut
}

// --- the customer's side ---

/// Passes a customer's text to the agents when they have an open ticket (before any other
/// feature reads it: they are talking to a person); whether it did.
pub(crate) async fn relay_to_agents(turn: &mut Turn<'_, '_>, text: &str) -> Result<bool> {
    match turn.tx.active_ticket(turn.customer.id).await? {
        Some(ticket) => {
            relay_from_customer(turn, ticket, Some(text), None).await?;
            Ok(true)
        }
        None => Ok(false),
    }
}

/// A customer's text in private chat that no other feature claimed: answered from the FAQ
/// when the bot is confident, else the closest entries are offered, else it goes to a
/// person.
pub(crate) async fn customer_text(turn: &mut Turn<'_, '_>, text: &str) -> Result<()> {
    let knowledge = turn.ctx.faq.knowledge(turn.ctx.store).await?;
    let matches = knowledge.search(text, 3);
    let settings = turn.ctx.support;
    if let Some((entry, confidence)) = matches.first() {
        if *confidence >= settings.answer_confidence {
            let entry = (*entry).clone();
            return send_answer(turn, &entry, *confidence, None).await;
        }
    }
    let language = turn.speaking().to_owned();
    let best = matches.first();
    let unanswered = turn
        .tx
        .record_unanswered(&NewUnanswered {
            customer_id: Some(turn.customer.id),
            language: language.clone(),
            question: clip(text, 1000),
            best_entry: best.map(|(e, _)| e.id),
            best_confidence: best.map(|(_, c)| i32::from(*c)),
            at: turn.incoming.at,
        })
        .await?;
    let e = crate::conversation::event(
        turn.ctx,
        turn.incoming,
        &turn.customer,
        kind::FAQ_UNANSWERED,
    )
    .data(json!({ "unanswered": unanswered, "best_confidence": best.map(|(_, c)| c) }));
    turn.tx.append_event(&e).await?;
    let suggestions: Vec<&FaqEntry> = matches
        .iter()
        .filter(|(_, c)| *c >= settings.suggest_confidence)
        .map(|(e, _)| *e)
        .collect();
    if !suggestions.is_empty() {
        let fallback = turn.ctx.bot.default_language.clone();
        let mut buttons: Keyboard = suggestions
            .iter()
            .map(|e| {
                vec![Button::callback(
                    clip(title_in(e, &language, &fallback), 60),
                    format!("faq:show:{}", e.id),
                )]
            })
            .collect();
        if settings.handoff_enabled() {
            buttons.push(vec![Button::callback(
                turn.text("support-button-agent", &[]),
                format!("support:agent:{unanswered}"),
            )]);
        }
        let text = turn.text("support-did-you-mean", &[]);
        return turn.send(Action::SendText { text, buttons }).await;
    }
    if settings.handoff_enabled() {
        let topic = best.map_or("general".to_owned(), |(e, _)| e.entry.topic.clone());
        return open_ticket(turn, &topic, Some(text), None).await;
    }
    turn.say("not-understood", &[]).await
}

/// A photo or document a customer sent: to the agents when a ticket is open.
pub(crate) async fn customer_media(
    turn: &mut Turn<'_, '_>,
    message_id: i64,
    caption: &str,
) -> Result<()> {
    match turn.tx.active_ticket(turn.customer.id).await? {
        Some(ticket) => {
            let caption = (!caption.is_empty()).then_some(caption);
            relay_from_customer(turn, ticket, caption, Some(message_id)).await
        }
        None if turn.ctx.support.handoff_enabled() => {
            turn.say("support-media-needs-ticket", &[]).await
        }
        None => turn.say("not-understood", &[]).await,
    }
}

/// `/agent`: opens a ticket (or says the open one goes on).
pub(crate) async fn agent_command(turn: &mut Turn<'_, '_>, args: &str) -> Result<()> {
    if !turn.ctx.support.handoff_enabled() {
        return turn.say("support-no-agents", &[]).await;
    }
    let question = Some(args.trim()).filter(|q| !q.is_empty());
    open_ticket(turn, "general", question, None).await
}

/// Sends an FAQ answer with its rating buttons (and "talk to a person").
async fn send_answer(
    turn: &mut Turn<'_, '_>,
    entry: &FaqEntry,
    confidence: u16,
    replace: Option<i64>,
) -> Result<()> {
    let language = turn.speaking().to_owned();
    let text = live_answer(
        turn.ctx,
        &language,
        answer_in(entry, &language, &turn.ctx.bot.default_language),
    );
    let mut buttons = vec![vec![
        Button::callback(
            turn.text("faq-button-helpful", &[]),
            format!("faq:up:{}", entry.id),
        ),
        Button::callback(
            turn.text("faq-button-not-helpful", &[]),
            format!("faq:down:{}", entry.id),
        ),
    ]];
    if turn.ctx.support.handoff_enabled() {
        buttons.push(vec![Button::callback(
            turn.text("support-button-agent", &[]),
            "support:agent",
        )]);
    }
    let e = crate::conversation::event(turn.ctx, turn.incoming, &turn.customer, kind::FAQ_ANSWERED)
        .data(json!({ "entry": entry.id, "key": entry.entry.key, "confidence": confidence }));
    turn.tx.append_event(&e).await?;
    turn.replace_or_send(replace, text, buttons).await
}

/// An answer with its live placeholders filled: `{hours}` (when the agents who speak the
/// customer's language are open) and `{shipping}` (the shipping options and prices).
fn live_answer(ctx: &Context<'_>, language: &str, answer: &str) -> String {
    let mut text = answer.to_owned();
    if text.contains("{hours}") {
        let hours = ctx
            .support
            .route(language, "general")
            .map_or_else(|| "—".to_owned(), |g| g.hours.describe());
        text = text.replace("{hours}", &hours);
    }
    if text.contains("{shipping}") {
        let currency = ctx.bot.currency.parse::<crate::money::Currency>().ok();
        let price = |amount: i64| match currency {
            Some(c) => crate::shop_chat::price_text(c, amount),
            None => amount.to_string(),
        };
        let lines: Vec<String> = if ctx.bot.shipping_rates.is_empty() {
            vec![price(ctx.bot.shipping_fee)]
        } else {
            ctx.bot
                .shipping_rates
                .iter()
                .map(|r| {
                    let mut line = format!(
                        "• {} ({}): {}",
                        r.title,
                        r.countries.join(", "),
                        price(r.amount)
                    );
                    if let Some(free) = r.free_from {
                        line.push_str(&format!(" (0 ≥ {})", price(free)));
                    }
                    line
                })
                .collect()
        };
        text = text.replace("{shipping}", &lines.join("\n"));
    }
    text
}

/// The buttons of FAQ answers, suggestions, handoff and satisfaction questions.
pub(crate) async fn button(
    turn: &mut Turn<'_, '_>,
    callback_id: &str,
    data: &str,
    message_id: Option<i64>,
) -> Result<()> {
    let parts: Vec<&str> = data.split(':').collect();
    let number = |i: usize| parts.get(i).and_then(|p| p.parse::<i64>().ok());
    match parts.as_slice() {
        ["faq", "show", _] => {
            let knowledge = turn.ctx.faq.knowledge(turn.ctx.store).await?;
            let Some(entry) = number(2).and_then(|id| knowledge.entry(id)).cloned() else {
                return turn.expired(callback_id).await;
            };
            turn.answer(callback_id, None).await?;
            send_answer(turn, &entry, 0, message_id).await
        }
        ["faq", verdict @ ("up" | "down"), _] => {
            let Some(entry) = number(2) else {
                return turn.expired(callback_id).await;
            };
            let helpful = *verdict == "up";
            match turn
                .tx
                .rate_faq_answer(entry, turn.customer.id, helpful, turn.incoming.at)
                .await
            {
                // The entry was deleted since.
                Err(Error::NotFound(_)) => return turn.expired(callback_id).await,
                other => other?,
            }
            let thanks = turn.text("faq-thanks", &[]);
            turn.answer(callback_id, Some(thanks)).await?;
            if !helpful && turn.ctx.support.handoff_enabled() {
                let text = turn.text("support-offer-agent", &[]);
                let buttons = vec![vec![Button::callback(
                    turn.text("support-button-agent", &[]),
                    "support:agent",
                )]];
                turn.send(Action::SendText { text, buttons }).await?;
            }
            Ok(())
        }
        ["support", "agent", ..] => {
            if !turn.ctx.support.handoff_enabled() {
                return turn.expired(callback_id).await;
            }
            turn.answer(callback_id, None).await?;
            // The question they asked before, if the button came with one of theirs.
            let question = match number(2) {
                Some(id) => turn
                    .tx
                    .unanswered(id)
                    .await?
                    .filter(|u| u.customer_id == Some(turn.customer.id))
                    .map(|u| (u.question, u.best_entry)),
                None => None,
            };
            let knowledge = turn.ctx.faq.knowledge(turn.ctx.store).await?;
            let topic = question
                .as_ref()
                .and_then(|(_, best)| *best)
                .and_then(|id| knowledge.entry(id))
                .map_or("general".to_owned(), |e| e.entry.topic.clone());
            let text = question.map(|(q, _)| q);
            open_ticket(turn, &topic, text.as_deref(), None).await
        }
        ["csat", _, _] | ["nps", _, _] => {
            let (Some(ticket_id), Some(score)) = (number(1), number(2)) else {
                return turn.expired(callback_id).await;
            };
            rate_service(
                turn,
                callback_id,
                parts[0] == "csat",
                TicketId(ticket_id),
                score,
                message_id,
            )
            .await
        }
        _ => turn.expired(callback_id).await,
    }
}

/// Stores a CSAT (1–5) or NPS (0–10) answer, then asks NPS after CSAT when configured.
async fn rate_service(
    turn: &mut Turn<'_, '_>,
    callback_id: &str,
    csat: bool,
    id: TicketId,
    score: i64,
    message_id: Option<i64>,
) -> Result<()> {
    let range = if csat { 1..=5 } else { 0..=10 };
    let ticket = turn.tx.ticket_for_update(id).await?;
    let Some(mut ticket) =
        ticket.filter(|t| t.customer_id == turn.customer.id && t.status == TicketStatus::Resolved)
    else {
        return turn.expired(callback_id).await;
    };
    if !range.contains(&score) {
        return turn.expired(callback_id).await;
    }
    let score = score as i16;
    if csat {
        ticket.csat = Some(score);
    } else {
        ticket.nps = Some(score);
    }
    turn.tx.update_ticket(&ticket).await?;
    let e =
        crate::conversation::event(turn.ctx, turn.incoming, &turn.customer, kind::SERVICE_RATED)
            .data(json!({
                "ticket": ticket.id.0,
                "question": if csat { "csat" } else { "nps" },
                "score": score,
                "group": ticket.group,
                "agent": ticket.assignee_id,
            }));
    turn.tx.append_event(&e).await?;
    turn.answer(callback_id, None).await?;
    if csat && turn.ctx.support.ask_nps && ticket.nps.is_none() {
        let text = turn.text("support-nps-question", &[]);
        let buttons = score_buttons("nps", ticket.id, 0..=10, 6);
        return turn.replace_or_send(message_id, text, buttons).await;
    }
    let text = turn.text("support-rating-thanks", &[]);
    turn.replace_or_send(message_id, text, Vec::new()).await
}

/// Buttons `prefix:<ticket>:<n>` for every score, `per_row` to a row.
fn score_buttons(
    prefix: &str,
    ticket: TicketId,
    scores: std::ops::RangeInclusive<i64>,
    per_row: usize,
) -> Keyboard {
    let buttons: Vec<Button> = scores
        .map(|n| {
            let label = if prefix == "csat" {
                "⭐".repeat(n as usize)
            } else {
                n.to_string()
            };
            Button::callback(label, format!("{prefix}:{}:{n}", ticket.0))
        })
        .collect();
    buttons.chunks(per_row).map(<[Button]>::to_vec).collect()
}

/// Opens a ticket for the customer (or goes on with the active one), with the question if
/// there is one, and tells them when to expect an answer.
async fn open_ticket(
    turn: &mut Turn<'_, '_>,
    topic: &str,
    question: Option<&str>,
    media: Option<i64>,
) -> Result<()> {
    if let Some(ticket) = turn.tx.active_ticket(turn.customer.id).await? {
        let number = ticket.id.0.to_string();
        turn.say("support-ticket-continues", &[("ticket", &number)])
            .await?;
        if question.is_some() || media.is_some() {
            relay_from_customer(turn, ticket, question, media).await?;
        }
        return Ok(());
    }
    let settings = turn.ctx.support;
    let language = turn.speaking().to_owned();
    let Some(group) = settings.route(&language, topic) else {
        return turn.say("support-no-agents", &[]).await;
    };
    let at = turn.incoming.at;
    let (first_response_due, resolution_due) = settings.due_times(group, Priority::Normal, at);
    let mut ticket = turn
        .tx
        .insert_ticket(&NewTicket {
            customer_id: turn.customer.id,
            bot: turn.ctx.bot.key.0.clone(),
            priority: Priority::Normal,
            group: group.key.clone(),
            staff_chat: group.chat_id,
            topic: topic.to_owned(),
            language: language.clone(),
            opened_at: at,
            first_response_due,
            resolution_due,
        })
        .await?;
    let customer = turn.customer.clone();
    create_topic(
        turn.tx,
        &ServiceDesk::of(turn.ctx),
        &mut ticket,
        &customer,
        at,
    )
    .await?;
    support::schedule_sla_checks(turn.tx, settings, &ticket, at).await?;
    let e =
        crate::conversation::event(turn.ctx, turn.incoming, &turn.customer, kind::TICKET_OPENED)
            .data(json!({ "ticket": ticket.id.0, "group": ticket.group, "topic": topic }));
    turn.tx.append_event(&e).await?;
    let number = ticket.id.0.to_string();
    let mut reply = turn.text("support-ticket-opened", &[("ticket", &number)]);
    if let Some(opens) = group.hours.next_open(at).filter(|o| *o > at) {
        let local = opens
            .with_timezone(&group.hours.time_zone)
            .format("%a %H:%M")
            .to_string();
        let zone = group.hours.time_zone.name();
        reply.push_str("\n\n");
        reply.push_str(&turn.text("support-outside-hours", &[("time", &local), ("zone", zone)]));
    }
    turn.send(Action::SendText {
        text: reply,
        buttons: Vec::new(),
    })
    .await?;
    if question.is_some() || media.is_some() {
        relay_from_customer(turn, ticket, question, media).await?;
    }
    Ok(())
}

/// Queues the ticket's topic in its group's forum and the summary that opens it: who the
/// customer is, their recent orders, and (after a transfer) the conversation so far.
async fn create_topic(
    tx: &mut dyn Tx,
    desk: &ServiceDesk<'_>,
    ticket: &mut Ticket,
    customer: &Customer,
    at: DateTime<Utc>,
) -> Result<()> {
    // Topic names are at most 128 characters.
    let name = clip(
        &format!(
            "#{} {} · {}",
            ticket.id.0, customer.first_name, ticket.language
        ),
        128,
    );
    let topic_message = tx
        .enqueue(&NewOutbound {
            bot: ticket.bot.clone(),
            chat_id: ticket.staff_chat,
            customer_id: Some(customer.id),
            action: Action::CreateTopic { name },
            broadcast: false,
            not_before: at,
            created_at: at,
        })
        .await?;
    ticket.topic_outbox_id = Some(topic_message);
    tx.update_ticket(ticket).await?;

    let agents = agent_language(desk.support, ticket);
    let texts = desk.texts;
    let username = customer
        .username
        .as_deref()
        .map_or_else(|| "—".to_owned(), |u| format!("@{u}"));
    let mut summary = texts.get(
        &agents,
        "support-ticket-summary",
        &[
            ("ticket", &ticket.id.0.to_string()),
            ("name", &customer.first_name),
            ("username", &username),
            ("language", &ticket.language),
            ("topic", &ticket.topic),
            ("priority", ticket.priority.as_str()),
        ],
    );
    let orders = desk
        .store
        .orders(&crate::shop::OrderQuery {
            customer: Some(customer.id),
            status: None,
            before: None,
            limit: 3,
        })
        .await?;
    if orders.is_empty() {
        summary.push('\n');
        summary.push_str(&texts.get(&agents, "support-no-orders", &[]));
    }
    for order in &orders {
        summary.push_str(&format!(
            "\n• #{} {} {} ({})",
            order.id.0,
            order.status.as_str(),
            crate::shop_chat::price_text(order.currency, order.total),
            order.created_at.format("%Y-%m-%d"),
        ));
        if let Some(tracking) = &order.tracking_number {
            summary.push_str(&format!(" {tracking}"));
        }
    }
    summary.push_str("\n\n");
    summary.push_str(&texts.get(&agents, "support-agent-help", &[]));
    support::to_topic(tx, ticket, clip(&summary, MAX_MESSAGE_CHARS), at).await
}

/// The language the bot speaks to the ticket's agents.
fn agent_language(support: &SupportSettings, ticket: &Ticket) -> String {
    support
        .group(&ticket.group)
        .map_or_else(|| ticket.language.clone(), |g| g.language.clone())
}

/// Passes a customer's message to the ticket's topic and records it; an answered ticket
/// becomes open again.
async fn relay_from_customer(
    turn: &mut Turn<'_, '_>,
    mut ticket: Ticket,
    text: Option<&str>,
    media: Option<i64>,
) -> Result<()> {
    let at = turn.incoming.at;
    let stored = match (text, media) {
        (Some(text), None) => text.to_owned(),
        (caption, Some(_)) => format!("[media] {}", caption.unwrap_or(""))
            .trim()
            .to_owned(),
        (None, None) => return Ok(()),
    };
    turn.tx
        .add_ticket_message(&NewTicketMessage {
            ticket_id: ticket.id,
            at,
            author: Author::Customer,
            agent_id: None,
            agent_name: None,
            text: stored,
        })
        .await?;
    match media {
        Some(message_id) => {
            turn.tx
                .enqueue(&NewOutbound {
                    bot: ticket.bot.clone(),
                    chat_id: ticket.staff_chat,
                    customer_id: Some(ticket.customer_id),
                    action: Action::CopyMessage {
                        from_chat_id: turn.incoming.chat_id,
                        message_id,
                        topic: ticket.topic_ref(),
                    },
                    broadcast: false,
                    not_before: at,
                    created_at: at,
                })
                .await?;
        }
        None => {
            let text = text.unwrap_or("");
            let author = turn.customer.first_name.clone();
            let settings = turn.ctx.support;
            let language = turn.speaking().to_owned();
            let translate = settings
                .group(&ticket.group)
                .and_then(|g| support::needs_translation(settings, g, &language));
            match translate {
                Some(target) => {
                    let translation = support::Translation {
                        ticket: ticket.id.0,
                        direction: support::Direction::ToAgents,
                        text: text.to_owned(),
                        source: support::service_language(&language),
                        target,
                        author,
                    };
                    support::schedule_translation(turn.tx, &translation, at).await?;
                }
                None => {
                    let line = format!("💬 {author}: {text}");
                    support::to_topic(turn.tx, &ticket, clip(&line, MAX_MESSAGE_CHARS), at).await?;
                }
            }
        }
    }
    if ticket.status == TicketStatus::Pending {
        ticket.status = TicketStatus::Open;
        turn.tx.update_ticket(&ticket).await?;
    }
    Ok(())
}

// --- the agents' side ---

/// What the agents' side needs besides the transaction (the bot and the HTTP API both
/// have it).
pub struct ServiceDesk<'a> {
    pub texts: &'a crate::i18n::Texts,
    pub support: &'a SupportSettings,
    /// For reads outside the transaction (the customer's orders).
    pub store: &'a dyn crate::store::Store,
}

impl<'a> ServiceDesk<'a> {
    fn of(ctx: &Context<'a>) -> Self {
        ServiceDesk {
            texts: ctx.texts,
            support: ctx.support,
            store: ctx.store,
        }
    }
}

/// The agent acting on a ticket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Agent {
    /// Their Telegram user id, when acting from Telegram.
    pub telegram_user_id: Option<i64>,
    /// `@username`, a first name, or the API caller's name.
    pub name: String,
}

impl Agent {
    fn of(person: &Person) -> Self {
        Agent {
            telegram_user_id: Some(person.telegram_user_id),
            name: match &person.username {
                Some(u) => format!("@{u}"),
                None => person.first_name.clone(),
            },
        }
    }
}

/// Something an agent did in their group's forum: in a ticket's topic, a reply to relay,
/// a note to keep, or a command. Messages outside ticket topics are left alone.
pub(crate) async fn agent(tx: &mut dyn Tx, ctx: &Context<'_>, incoming: &Incoming) -> Result<()> {
    let Some(person) = incoming.from.as_ref().filter(|p| !p.is_bot) else {
        return Ok(());
    };
    let Some(thread) = incoming.thread_id else {
        return Ok(());
    };
    let Some(ticket) = tx.ticket_by_thread(incoming.chat_id, thread).await? else {
        return Ok(());
    };
    let mut desk = Desk {
        tx,
        env: ServiceDesk::of(ctx),
        agent: Agent::of(person),
        at: incoming.at,
        ticket,
    };
    let note_prefix = ctx.support.note_prefix.as_str();
    match &incoming.kind {
        IncomingKind::Command { name, args } => desk.command(name, args.trim()).await,
        IncomingKind::Text { text, .. } => match text.strip_prefix(note_prefix) {
            Some(note) if !note_prefix.is_empty() => desk.note(note.trim()).await,
            _ => desk.reply(Reply::Text(text.clone())).await,
        },
        IncomingKind::Media {
            message_id,
            caption,
        } => {
            if !note_prefix.is_empty() && caption.starts_with(note_prefix) {
                return desk.note(caption[note_prefix.len()..].trim()).await;
            }
            desk.reply(Reply::Media {
                from_chat_id: incoming.chat_id,
                message_id: *message_id,
                caption: caption.clone(),
            })
            .await
        }
        _ => Ok(()),
    }
}

/// What an agent can do to a ticket from outside Telegram (the HTTP API).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeskAction {
    /// A reply the customer gets.
    Reply(String),
    /// The canned reply of this name, in the customer's language (else another) with its
    /// placeholders filled; a field error `name` when there is no reply of that name.
    Canned(String),
    /// An internal note.
    Note(String),
    Resolve,
    Close,
}

/// Runs `action` on ticket `id` for `agent`; the ticket as it is after, or `NotFound`.
/// Replying to a ticket that is no longer open is `Conflict`.
pub async fn act(
    tx: &mut dyn Tx,
    env: ServiceDesk<'_>,
    id: TicketId,
    agent: Agent,
    action: DeskAction,
    at: DateTime<Utc>,
) -> Result<Ticket> {
    let ticket = tx
        .ticket_for_update(id)
        .await?
        .ok_or_else(|| Error::NotFound(format!("ticket {}", id.0)))?;
    let mut desk = Desk {
        tx,
        env,
        agent,
        at,
        ticket,
    };
    let active = desk.ticket.status.is_active();
    match action {
        DeskAction::Reply(_) | DeskAction::Canned(_) | DeskAction::Resolve if !active => {
            return Err(Error::Conflict(format!(
                "ticket {} is {}",
                id.0,
                desk.ticket.status.as_str()
            )))
        }
        DeskAction::Reply(text) => desk.reply(Reply::Text(text)).await?,
        DeskAction::Canned(name) => {
            let Some(text) = desk.canned_text(&name).await? else {
                return Err(Error::Fields(vec![crate::FieldError::new(
                    "name",
                    format!("no canned reply `{name}`"),
                )]));
            };
            desk.reply(Reply::Text(text)).await?
        }
        DeskAction::Note(text) => desk.note(&text).await?,
        DeskAction::Resolve => desk.resolve().await?,
        DeskAction::Close => desk.close().await?,
    }
    Ok(desk.ticket)
}

/// What an agent sends the customer.
enum Reply {
    Text(String),
    /// Text in the agents' language, sent translated into the customer's (`/tr`).
    Translated {
        text: String,
        source: String,
        target: String,
    },
    Media {
        from_chat_id: i64,
        message_id: i64,
        caption: String,
    },
}

/// One agent action on one ticket.
struct Desk<'t, 'c> {
    tx: &'t mut dyn Tx,
    env: ServiceDesk<'c>,
    agent: Agent,
    at: DateTime<Utc>,
    ticket: Ticket,
}

impl Desk<'_, '_> {
    fn agent_name(&self) -> String {
        self.agent.name.clone()
    }

    fn text(&self, id: &str, args: &[(&str, &str)]) -> String {
        self.env
            .texts
            .get(&agent_language(self.env.support, &self.ticket), id, args)
    }

    /// Says something in the ticket's topic.
    async fn say(&mut self, id: &str, args: &[(&str, &str)]) -> Result<()> {
        let text = self.text(id, args);
        support::to_topic(self.tx, &self.ticket, text, self.at).await
    }

    async fn customer(&mut self) -> Result<Customer> {
        self.tx
            .customer(self.ticket.customer_id)
            .await?
            .ok_or_else(|| Error::NotFound(format!("customer {}", self.ticket.customer_id.0)))
    }

    /// The customer's language, for what the bot tells them.
    fn customer_language(&self, customer: &Customer) -> String {
        customer
            .language
            .clone()
            .unwrap_or_else(|| self.ticket.language.clone())
    }

    async fn send_to_customer(&mut self, customer: &Customer, action: Action) -> Result<()> {
        let at = self.at;
        self.tx
            .enqueue(&NewOutbound {
                bot: self.ticket.bot.clone(),
                chat_id: customer.telegram_user_id,
                customer_id: Some(customer.id),
                action,
                broadcast: false,
                not_before: at,
                created_at: at,
            })
            .await
            .map(drop)
    }

    async fn audit(&mut self, action: &str, details: serde_json::Value) -> Result<()> {
        let actor = format!("staff:{}", self.agent_name());
        crate::audit::append(
            self.tx,
            crate::audit::NewAuditEntry {
                at: self.at,
                actor,
                action: action.to_owned(),
                target: Some(format!("ticket:{}", self.ticket.id.0)),
                details,
                ip: None,
            },
        )
        .await
        .map(drop)
    }

    /// Takes the ticket for the acting agent, if nobody has it yet.
    fn take_if_unassigned(&mut self) {
        if self.ticket.assignee_id.is_none() && self.ticket.assignee_name.is_none() {
            self.ticket.assignee_id = self.agent.telegram_user_id;
            self.ticket.assignee_name = Some(self.agent_name());
        }
    }

    async fn command(&mut self, name: &str, args: &str) -> Result<()> {
        match name {
            "note" => self.note(args).await,
            "resolve" => self.resolve().await,
            "close" => self.close().await,
            "assign" => self.assign().await,
            "priority" => self.priority(args).await,
            "transfer" => self.transfer(args).await,
            "canned" => self.canned(args).await,
            "tr" => self.translated_reply(args).await,
            _ => self.say("support-agent-help", &[]).await,
        }
    }

    async fn note(&mut self, text: &str) -> Result<()> {
        if text.is_empty() {
            return Ok(());
        }
        self.tx
            .add_ticket_message(&NewTicketMessage {
                ticket_id: self.ticket.id,
                at: self.at,
                author: Author::Note,
                agent_id: self.agent.telegram_user_id,
                agent_name: Some(self.agent_name()),
                text: text.to_owned(),
            })
            .await
            .map(drop)
    }

    /// Relays the agent's message to the customer: the first answer stops the
    /// first-response clock and assigns the ticket to whoever gave it.
    async fn reply(&mut self, reply: Reply) -> Result<()> {
        if !self.ticket.status.is_active() {
            let number = self.ticket.id.0.to_string();
            return self
                .say("support-ticket-not-active", &[("ticket", &number)])
                .await;
        }
        let customer = self.customer().await?;
        let stored = match &reply {
            Reply::Text(text) | Reply::Translated { text, .. } => text.clone(),
            Reply::Media { caption, .. } => format!("[media] {caption}").trim().to_owned(),
        };
        self.tx
            .add_ticket_message(&NewTicketMessage {
                ticket_id: self.ticket.id,
                at: self.at,
                author: Author::Agent,
                agent_id: self.agent.telegram_user_id,
                agent_name: Some(self.agent_name()),
                text: stored,
            })
            .await?;
        let action = match reply {
            Reply::Text(text) => Some(Action::SendText {
                text: clip(&text, MAX_MESSAGE_CHARS),
                buttons: Vec::new(),
            }),
            Reply::Translated {
                text,
                source,
                target,
            } => {
                let translation = support::Translation {
                    ticket: self.ticket.id.0,
                    direction: support::Direction::ToCustomer,
                    text,
                    source,
                    target,
                    author: self.agent_name(),
                };
                support::schedule_translation(self.tx, &translation, self.at).await?;
                None
            }
            Reply::Media {
                from_chat_id,
                message_id,
                ..
            } => Some(Action::CopyMessage {
                from_chat_id,
                message_id,
                topic: None,
            }),
        };
        if let Some(action) = action {
            self.send_to_customer(&customer, action).await?;
        }
        let at = self.at;
        self.ticket.first_response_at.get_or_insert(at);
        self.take_if_unassigned();
        self.ticket.status = TicketStatus::Pending;
        self.tx.update_ticket(&self.ticket).await
    }

    async fn resolve(&mut self) -> Result<()> {
        if !self.ticket.status.is_active() {
            let number = self.ticket.id.0.to_string();
            return self
                .say("support-ticket-not-active", &[("ticket", &number)])
                .await;
        }
        let at = self.at;
        self.ticket.status = TicketStatus::Resolved;
        self.ticket.resolved_at = Some(at);
        self.take_if_unassigned();
        self.tx.update_ticket(&self.ticket).await?;
        let customer = self.customer().await?;
        let language = self.customer_language(&customer);
        let number = self.ticket.id.0.to_string();
        let text = self
            .env
            .texts
            .get(&language, "support-resolved", &[("ticket", &number)]);
        let buttons = score_buttons("csat", self.ticket.id, 1..=5, 5)
            .into_iter()
            .flat_map(|row| row.into_iter().map(|b| vec![b]))
            .collect();
        self.send_to_customer(&customer, Action::SendText { text, buttons })
            .await?;
        let agent = self.agent_name();
        self.say("support-resolved-by", &[("agent", &agent)])
            .await?;
        self.event(kind::TICKET_RESOLVED, json!({})).await?;
        self.audit("ticket.resolve", json!({ "via": "telegram" }))
            .await
    }

    async fn close(&mut self) -> Result<()> {
        if self.ticket.status == TicketStatus::Closed {
            return Ok(());
        }
        self.ticket.status = TicketStatus::Closed;
        self.ticket.closed_at = Some(self.at);
        self.tx.update_ticket(&self.ticket).await?;
        let agent = self.agent_name();
        self.say("support-closed-by", &[("agent", &agent)]).await?;
        self.event(kind::TICKET_CLOSED, json!({})).await?;
        self.audit("ticket.close", json!({ "via": "telegram" }))
            .await
    }

    async fn assign(&mut self) -> Result<()> {
        self.ticket.assignee_id = self.agent.telegram_user_id;
        self.ticket.assignee_name = Some(self.agent_name());
        self.tx.update_ticket(&self.ticket).await?;
        let agent = self.agent_name();
        self.say("support-assigned", &[("agent", &agent)]).await?;
        self.audit("ticket.assign", json!({ "assignee": agent }))
            .await
    }

    /// `/priority low|normal|high`: new targets counted from the ticket's opening.
    async fn priority(&mut self, args: &str) -> Result<()> {
        let Some(priority) = Priority::parse(&args.to_ascii_lowercase()) else {
            return self.say("support-priority-usage", &[]).await;
        };
        let settings = self.env.support;
        let Some(group) = settings.group(&self.ticket.group) else {
            return Ok(());
        };
        let before = self.ticket.priority;
        let opened = self.ticket.opened_at;
        let (first, resolution) = settings.due_times(group, priority, opened);
        self.ticket.priority = priority;
        self.ticket.first_response_due = first;
        self.ticket.resolution_due = resolution;
        self.tx.update_ticket(&self.ticket).await?;
        support::schedule_sla_checks(self.tx, settings, &self.ticket, opened).await?;
        self.say("support-priority-set", &[("priority", priority.as_str())])
            .await?;
        self.audit(
            "ticket.priority",
            json!({ "before": before.as_str(), "after": priority.as_str() }),
        )
        .await
    }

    /// `/transfer GROUP`: the ticket moves to another group's forum, with its history.
    async fn transfer(&mut self, args: &str) -> Result<()> {
        let settings = self.env.support;
        let Some(target) = settings.group(args).filter(|g| g.key != self.ticket.group) else {
            let groups = settings
                .groups
                .iter()
                .map(|g| g.key.as_str())
                .filter(|k| *k != self.ticket.group)
                .collect::<Vec<_>>()
                .join(", ");
            return self
                .say("support-transfer-usage", &[("groups", &groups)])
                .await;
        };
        let from = self.ticket.group.clone();
        self.say("support-transferred", &[("group", &target.key)])
            .await?;
        self.ticket.group = target.key.clone();
        self.ticket.staff_chat = target.chat_id;
        let customer = self.customer().await?;
        let at = self.at;
        let env = ServiceDesk {
            texts: self.env.texts,
            support: self.env.support,
            store: self.env.store,
        };
        create_topic(self.tx, &env, &mut self.ticket, &customer, at).await?;
        let history = self.tx.ticket_messages_tx(self.ticket.id).await?;
        let skip = history.len().saturating_sub(HISTORY_ON_TRANSFER);
        let mut lines = vec![self.text("support-history", &[("group", &from)])];
        for m in &history[skip..] {
            let who = match m.author {
                Author::Customer => customer.first_name.clone(),
                Author::Agent => m.agent_name.clone().unwrap_or_default(),
                Author::Note => format!("📝 {}", m.agent_name.clone().unwrap_or_default()),
            };
            lines.push(format!("{who}: {}", m.text));
        }
        let history_text = clip(&lines.join("\n"), MAX_MESSAGE_CHARS);
        support::to_topic(self.tx, &self.ticket, history_text, at).await?;
        self.event(
            kind::TICKET_TRANSFERRED,
            json!({ "from": from, "to": target.key }),
        )
        .await?;
        self.audit(
            "ticket.transfer",
            json!({ "before": from, "after": target.key }),
        )
        .await
    }

    /// `/tr TEXT`: sends the reply translated into the customer's language (the original is
    /// what the ticket keeps).
    async fn translated_reply(&mut self, text: &str) -> Result<()> {
        if text.is_empty() {
            return self.say("support-agent-help", &[]).await;
        }
        let settings = self.env.support;
        let source = settings
            .group(&self.ticket.group)
            .and_then(|g| g.translate_to.clone())
            .filter(|_| settings.translator);
        let Some(source) = source else {
            return self.say("support-translation-off", &[]).await;
        };
        let customer = self.customer().await?;
        let target = support::service_language(&self.customer_language(&customer));
        self.reply(Reply::Translated {
            text: text.to_owned(),
            source: support::service_language(&source),
            target,
        })
        .await
    }

    /// `/canned NAME`: sends the canned reply in the customer's language, placeholders
    /// filled.
    async fn canned(&mut self, name: &str) -> Result<()> {
        match self.canned_text(name).await? {
            Some(text) => self.reply(Reply::Text(text)).await,
            None => self.say("support-canned-unknown", &[("name", name)]).await,
        }
    }

    /// The canned reply `name` in the customer's language (else another) with its
    /// placeholders filled, if there is one.
    async fn canned_text(&mut self, name: &str) -> Result<Option<String>> {
        let customer = self.customer().await?;
        let language = self.customer_language(&customer);
        let Some(canned) = self.tx.canned_reply(name, &language).await? else {
            return Ok(None);
        };
        let latest = self
            .env
            .store
            .orders(&crate::shop::OrderQuery {
                customer: Some(customer.id),
                status: None,
                before: None,
                limit: 1,
            })
            .await?
            .into_iter()
            .next();
        let order = latest.as_ref().map(|o| o.id.0.to_string());
        Ok(Some(support::fill_placeholders(
            &canned.text,
            &customer.first_name,
            order.as_deref(),
            latest.as_ref().and_then(|o| o.tracking_number.as_deref()),
        )))
    }

    async fn event(&mut self, kind: &str, data: serde_json::Value) -> Result<()> {
        let mut data = data;
        if let Some(map) = data.as_object_mut() {
            map.insert("ticket".into(), json!(self.ticket.id.0));
            map.insert("group".into(), json!(self.ticket.group));
            map.insert("agent".into(), json!(self.agent.telegram_user_id));
            map.insert("agent_name".into(), json!(self.agent.name));
        }
        let e = NewEvent::new(kind, self.at)
            .bot(&self.ticket.bot)
            .customer(self.ticket.customer_id)
            .chat(self.ticket.staff_chat)
            .data(data);
        self.tx.append_event(&e).await
    }
}
