//! Customer data rights: a copy of everything stored about a person (export) and forgetting
//! them (erasure), plus the storage ports these need.
//!
//! Erasure removes or irreversibly replaces personal data everywhere it is stored (profile,
//! addresses, messages in and out, events, tags and notes, group moderation records, waiting
//! jobs' targets) while orders and payments keep what accounting needs: amounts, currency,
//! dates, lines, statuses and the customer's (now pseudonymous) id. The Telegram user id is
//! replaced by [`pseudonym`], a number no Telegram chat can have, so nothing can reach the
//! person again; if they come back they start over as a new customer.

use crate::consent::ConsentRecord;
use crate::crm::Profile;
use crate::customer::CustomerId;
use crate::event::Event;
use crate::event::{kind, NewEvent};
use crate::faq::Unanswered;
use crate::i18n::Texts;
use crate::job::NewJob;
use crate::outbox::{Action, NewOutbound};
use crate::referral::Referral;
use crate::shop::{Order, OrderQuery};
use crate::store::{Store, Tx};
use crate::support::{Ticket, TicketFilter, TicketMessage};
use crate::{Error, Result};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;

/// The first name an erased customer is left with.
pub const ERASED_NAME: &str = "[erased]";

/// Telegram ids have at most 52 significant bits; pseudonyms lie below all of them.
const PSEUDONYM_BASE: i64 = -(1 << 53);

/// The Telegram user id (and private chat id) an erased customer is left with: unique per
/// customer and not the id of any Telegram user or chat.
pub fn pseudonym(customer: CustomerId) -> i64 {
    PSEUDONYM_BASE - customer.0
}

/// Whether `telegram_id` is an erased customer's pseudonym.
pub fn is_pseudonym(telegram_id: i64) -> bool {
    telegram_id <= PSEUDONYM_BASE
}

/// Which way a message went.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    FromCustomer,
    ToCustomer,
}

/// A message of the private chat between a bot and the customer, as stored: the Telegram
/// update the customer sent (`Direction::FromCustomer`, the update's JSON) or the outbox
/// action the bot sent (`Direction::ToCustomer`, the action's JSON).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredExchange {
    pub at: DateTime<Utc>,
    pub bot: String,
    pub direction: Direction,
    pub json: String,
}

/// A message of the export, in readable form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExchangedMessage {
    pub at: DateTime<Utc>,
    pub bot: String,
    pub direction: Direction,
    pub text: String,
}

/// A customer-service ticket of the export: the ticket as stored (its fields at the top
/// level) and its whole conversation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExportedTicket {
    #[serde(flatten)]
    pub ticket: Ticket,
    /// Oldest first: the customer's messages, the agents' replies and the agents' internal
    /// notes about them (personal data too, though never shown in the chat), each marked
    /// by its `author` (`customer`, `agent` or `note`).
    pub messages: Vec<TicketMessage>,
}

/// Everything stored about one customer.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PersonalData {
    pub generated_at: DateTime<Utc>,
    pub profile: Profile,
    /// Every consent choice, oldest first.
    pub consents: Vec<ConsentRecord>,
    /// Newest first.
    pub orders: Vec<Order>,
    /// Oldest first.
    pub messages: Vec<ExchangedMessage>,
    /// What the customer did and what happened to them, oldest first.
    pub events: Vec<Event>,
    /// Referrals where they invited someone or were invited.
    pub referrals: Vec<Referral>,
    /// Their customer-service tickets, newest first, each with its conversation.
    pub tickets: Vec<ExportedTicket>,
    /// Questions they asked that the FAQ could not answer, oldest first.
    pub unanswered_questions: Vec<Unanswered>,
    /// The groups they were seen in, with when they joined, spoke and left.
    pub chat_memberships: Vec<crate::membership::ChatMember>,
    /// Their points balance and every change to it, newest first.
    pub points_balance: i64,
    pub points: Vec<crate::points::PointsEntry>,
    /// Their membership tier, if one was ever computed.
    pub tier: Option<crate::tiers::CustomerTier>,
    /// The phone number they shared through Telegram, if any.
    pub verified_phone: Option<crate::customer_import::VerifiedPhone>,
    /// Records imported from another shop that were linked to them.
    pub imported_contacts: Vec<crate::customer_import::ImportedContact>,
    /// The birthday they shared with `/birthday`, if any.
    pub birthday: Option<crate::automation::Birthday>,
}

/// What an erasure changed, per kind of record (for the audit log and the operator).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErasureReport {
    /// Orders whose address, tracking and notes were removed (their amounts stay).
    pub orders: i64,
    /// Stored Telegram updates from the customer whose content was removed.
    pub updates: i64,
    /// Outbox messages to the customer: waiting ones cancelled, sent ones emptied.
    pub messages: i64,
    /// Events whose details were removed.
    pub events: i64,
    /// Other records (group moderation, join requests, member changes, tags, cart, jobs)
    /// removed or emptied.
    pub other: i64,
}

/// Privacy reads.
#[async_trait]
pub trait PrivacyStore: Send + Sync {
    /// The private-chat messages between the bots and the customer, oldest first, at most
    /// `limit`: updates from `telegram_user_id` in their private chat, and outbox messages
    /// to that chat that were sent.
    async fn exchanged_messages(
        &self,
        telegram_user_id: i64,
        limit: i64,
    ) -> Result<Vec<StoredExchange>>;

    /// The customer's events, oldest first, at most `limit`.
    async fn customer_events(&self, customer: CustomerId, limit: i64) -> Result<Vec<Event>>;

    /// Referrals where the customer is referrer or referee, oldest first.
    async fn referral_records(&self, customer: CustomerId) -> Result<Vec<Referral>>;

    /// Every `table.column` of the database holding `needle` in its text form (numbers
    /// included), sealed values ([`crate::sealing`]) searched opened, sorted. Scans
    /// everything: for proving an erasure, not for daily use.
    async fn find_text(&self, needle: &str) -> Result<Vec<String>>;

    /// Like [`PrivacyStore::find_text`], but sealed values are searched as stored: what
    /// somebody holding the database without the keys can read.
    async fn find_raw_text(&self, needle: &str) -> Result<Vec<String>>;

    /// Removes what the database file may still hold of overwritten rows after an
    /// erasure's commit (SQLite: writes the WAL back into the database, whose freed space
    /// is zeroed, and truncates it). Nothing to do on PostgreSQL, where the tables are the
    /// unit of the guarantee.
    async fn purge_erased_remnants(&self) -> Result<()>;
}

/// Privacy writes, inside a [`crate::store::Tx`].
#[async_trait]
pub trait PrivacyTx: Send {
    /// Erases the customer as the module docs say, in this transaction. Messages to
    /// others about the customer's orders are emptied too: those whose action holds
    /// `"<marker><order id>"` for a marker of `order_markers` (staff notices, which carry
    /// the name and address). `NotFound` for an unknown customer; erasing an erased
    /// customer again changes nothing.
    async fn erase_customer(
        &mut self,
        customer: CustomerId,
        at: DateTime<Utc>,
        order_markers: &[&str],
    ) -> Result<ErasureReport>;

    /// Empties a sent outbox message (its chat becomes `pseudonym`, its action a blank
    /// text). `false`, changing nothing, while the message is still waiting to be sent.
    async fn forget_sent_message(&mut self, outbox_id: i64, pseudonym: i64) -> Result<bool>;

    /// Stops marketing to customers whose latest marketing consent was given under another
    /// policy version than `current` (their consent records stay as they are); they get it
    /// back by accepting the current version. Returns how many were stopped.
    async fn suspend_outdated_marketing(&mut self, current: &str) -> Result<i64>;

    /// Retention of messages: deletes up to `limit` processed updates received before
    /// `before`, and empties (as [`PrivacyTx::forget_sent_message`] does, keeping the chat)
    /// up to `limit` settled outbox messages created before it (not yet emptied), and up to
    /// `limit` messages of support tickets resolved or closed before it. Returns the number
    /// of rows deleted or emptied.
    async fn expire_messages(&mut self, before: DateTime<Utc>, limit: i64) -> Result<i64>;

    /// Retention of events: deletes up to `limit` events that happened before `before`.
    async fn expire_events(&mut self, before: DateTime<Utc>, limit: i64) -> Result<i64>;
}

/// Builds and sends a customer's data export through the bot.
pub const EXPORT_JOB: &str = "privacy.export";

/// Empties the last message an erased customer was sent, once it is sent.
pub const FORGET_MESSAGE_JOB: &str = "privacy.forget_message";

/// Most messages an export lists (the newest).
const EXPORT_MESSAGES: i64 = 10_000;
/// Most events an export lists (the oldest; a person has far fewer in practice).
const EXPORT_EVENTS: i64 = 10_000;
/// Most tickets an export lists (the newest): the most one [`SupportStore::tickets`] read
/// returns, far more than a person opens.
///
/// [`SupportStore::tickets`]: crate::support::SupportStore::tickets
const EXPORT_TICKETS: i64 = 1_000;

/// Everything stored about `customer`, as of `now`. `NotFound` for an unknown customer.
pub async fn personal_data(
    store: &dyn Store,
    customer: CustomerId,
    now: DateTime<Utc>,
) -> Result<PersonalData> {
    let profile = store
        .profile(customer)
        .await?
        .ok_or_else(|| Error::NotFound(format!("customer {}", customer.0)))?;
    let mut orders = Vec::new();
    let mut before = None;
    loop {
        let page = store
            .orders(&OrderQuery {
                customer: Some(customer),
                status: None,
                before,
                limit: 200,
            })
            .await?;
        let Some(last) = page.last() else { break };
        before = Some(last.id);
        orders.extend(page);
    }
    let messages = store
        .exchanged_messages(profile.customer.telegram_user_id, EXPORT_MESSAGES)
        .await?
        .into_iter()
        .filter_map(|stored| {
            Some(ExchangedMessage {
                text: readable_text(stored.direction, &stored.json)?,
                at: stored.at,
                bot: stored.bot,
                direction: stored.direction,
            })
        })
        .collect();
    let mut tickets = Vec::new();
    for ticket in store
        .tickets(&TicketFilter {
            customer_id: Some(customer),
            limit: EXPORT_TICKETS,
            ..TicketFilter::default()
        })
        .await?
    {
        tickets.push(ExportedTicket {
            messages: store.ticket_messages(ticket.id).await?,
            ticket,
        });
    }
    let unanswered_questions: Vec<Unanswered> = store.customer_unanswered(customer).await?;
    let chat_memberships = store
        .chat_memberships(profile.customer.telegram_user_id)
        .await?;
    let mut points = Vec::new();
    let mut before = None;
    loop {
        let page = store.points_ledger(customer, before, 500).await?;
        let Some(last) = page.last() else { break };
        before = Some(last.id);
        points.extend(page);
    }
    Ok(PersonalData {
        generated_at: now,
        consents: store.consent_history(customer).await?,
        orders,
        messages,
        events: store.customer_events(customer, EXPORT_EVENTS).await?,
        referrals: store.referral_records(customer).await?,
        tickets,
        unanswered_questions,
        chat_memberships,
        points_balance: store.points_balance(customer).await?,
        points,
        tier: store.customer_tier(customer).await?,
        verified_phone: store.verified_phone(customer).await?,
        imported_contacts: store.imported_contacts_of(customer).await?,
        birthday: store.customer_birthday(customer).await?,
        profile,
    })
}

/// What a stored message said, for a person to read: the text, caption or button of an
/// update from the customer, or the text, caption, file or invoice the bot sent. `None`
/// for what says nothing readable (acknowledgements, payment handshakes, group actions).
pub fn readable_text(direction: Direction, json: &str) -> Option<String> {
    match direction {
        Direction::FromCustomer => {
            let update: serde_json::Value = serde_json::from_str(json).ok()?;
            let message = update
                .get("message")
                .or_else(|| update.get("edited_message"));
            if let Some(message) = message {
                let text = message.get("text").or_else(|| message.get("caption"))?;
                return text.as_str().map(str::to_owned);
            }
            let data = update.get("callback_query")?.get("data")?.as_str()?;
            Some(format!("[button] {data}"))
        }
        Direction::ToCustomer => match serde_json::from_str::<Action>(json).ok()? {
            Action::SendText { text, .. }
            | Action::EditText { text, .. }
            | Action::AskContact { text, .. }
            | Action::SendTextRemoveKeyboard { text } => (!text.is_empty()).then_some(text),
            Action::SendPhoto { caption, .. } => Some(caption),
            Action::SendDocument { file_name, .. } => Some(format!("[file] {file_name}")),
            Action::SendInvoice(invoice) => Some(format!(
                "[invoice] {}: {}",
                invoice.title, invoice.description
            )),
            _ => None,
        },
    }
}

/// The export as a file: pretty JSON, named after the customer's id and the day.
pub fn export_file(data: &PersonalData) -> Result<(String, String)> {
    let name = format!(
        "personal-data-{}-{}.json",
        data.profile.customer.id.0,
        data.generated_at.format("%Y-%m-%d")
    );
    let content = serde_json::to_string_pretty(data).map_err(Error::storage)?;
    Ok((name, content))
}

/// A readable summary of the export in `language` (the file's caption).
pub fn summary(texts: &Texts, language: &str, data: &PersonalData) -> String {
    let count = |n: usize| n.to_string();
    texts.get(
        language,
        "privacy-export-caption",
        &[
            ("orders", &count(data.orders.len())),
            ("messages", &count(data.messages.len())),
            ("events", &count(data.events.len())),
            ("consents", &count(data.consents.len())),
            ("referrals", &count(data.referrals.len())),
            ("tags", &count(data.profile.tags.len())),
            // For locales that name it; the others leave it out.
            ("tickets", &count(data.tickets.len())),
        ],
    )
}

/// Schedules the export of `customer`'s data, sent through `bot`. `false` when one is
/// already on its way (the customer pressed twice).
pub async fn request_export(
    tx: &mut dyn Tx,
    customer: CustomerId,
    bot: &str,
    at: DateTime<Utc>,
) -> Result<bool> {
    let job = NewJob::new(
        EXPORT_JOB,
        json!({ "customer": customer.0, "bot": bot }),
        at,
    )
    .dedup_key(format!("privacy:export:{}", customer.0));
    Ok(tx.schedule_job(&job).await?.is_some())
}

/// Runs an export job: builds the data and puts the file in the outbox to the customer's
/// private chat with `bot`. An erased customer gets nothing.
pub async fn run_export(
    tx: &mut dyn Tx,
    store: &dyn Store,
    texts: &Texts,
    payload: &serde_json::Value,
    now: DateTime<Utc>,
) -> Result<()> {
    let (Some(customer), Some(bot)) = (payload["customer"].as_i64(), payload["bot"].as_str())
    else {
        return Err(Error::Invalid("export job without customer and bot".into()));
    };
    let customer = CustomerId(customer);
    let data = personal_data(store, customer, now).await?;
    if data.profile.erased_at.is_some() {
        return Ok(());
    }
    let language = data
        .profile
        .customer
        .language
        .as_deref()
        .unwrap_or(crate::i18n::FALLBACK)
        .to_owned();
    let (file_name, content) = export_file(&data)?;
    let chat_id = data.profile.customer.telegram_user_id;
    tx.enqueue(&NewOutbound {
        bot: bot.to_owned(),
        chat_id,
        customer_id: Some(customer),
        action: Action::SendDocument {
            file_name,
            mime_type: "application/json".into(),
            caption: summary(texts, &language, &data),
            content,
        },
        broadcast: false,
        not_before: now,
        created_at: now,
    })
    .await?;
    tx.append_event(
        &NewEvent::new(kind::DATA_EXPORTED, now)
            .bot(bot)
            .customer(customer)
            .data(json!({
                "orders": data.orders.len(),
                "messages": data.messages.len(),
                "tickets": data.tickets.len(),
            })),
    )
    .await
}

/// Erases `customer` (see the module docs) and records it in the audit log as done by
/// `actor`, all in `tx`.
pub async fn erase(
    tx: &mut dyn Tx,
    customer: CustomerId,
    actor: &str,
    ip: Option<String>,
    at: DateTime<Utc>,
) -> Result<ErasureReport> {
    let report = tx
        .erase_customer(customer, at, crate::staff::ORDER_NOTICE_MARKERS)
        .await?;
    crate::broadcast::marketing_withdrawn(tx, customer, at).await?;
    crate::audit::append(
        tx,
        crate::audit::NewAuditEntry {
            at,
            actor: actor.to_owned(),
            action: "customer.erase".into(),
            target: Some(format!("customer:{}", customer.0)),
            details: serde_json::to_value(&report).unwrap_or_default(),
            ip,
        },
    )
    .await?;
    tx.append_event(
        &NewEvent::new(kind::CUSTOMER_ERASED, at)
            .customer(customer)
            .source(Some(actor.to_owned())),
    )
    .await?;
    Ok(report)
}

/// Stops marketing under older policy versions; run at every start.
pub const POLICY_JOB: &str = "privacy.policy_version";

/// Applies the retention periods; runs daily.
pub const RETENTION_JOB: &str = "privacy.retention";

/// How long what is kept may be kept; `None` keeps it for good.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Retention {
    /// Stored Telegram updates and the texts of sent messages.
    pub messages: Option<chrono::Duration>,
    /// Events (analytics loses what is older).
    pub events: Option<chrono::Duration>,
}

/// Rows changed per retention step: each job run is one bounded transaction.
const RETENTION_BATCH: i64 = 5_000;

/// The policy check, now (once per start: a later start schedules it again).
pub fn policy_job(at: DateTime<Utc>) -> NewJob {
    NewJob::new(POLICY_JOB, json!({}), at).dedup_key("privacy:policy")
}

/// The next retention run at `at`.
pub fn retention_job(at: DateTime<Utc>) -> NewJob {
    NewJob::new(RETENTION_JOB, json!({}), at).dedup_key("privacy:retention")
}

/// Runs one retention step: expires a batch of what is past its period, then schedules
/// the next step right away while batches come back full, else a day later. Returns how
/// many rows changed.
pub async fn run_retention(
    tx: &mut dyn Tx,
    retention: &Retention,
    now: DateTime<Utc>,
) -> Result<i64> {
    let mut changed = 0;
    let mut full = false;
    if let Some(period) = retention.messages {
        let n = tx.expire_messages(now - period, RETENTION_BATCH).await?;
        full |= n >= RETENTION_BATCH;
        changed += n;
    }
    if let Some(period) = retention.events {
        let n = tx.expire_events(now - period, RETENTION_BATCH).await?;
        full |= n >= RETENTION_BATCH;
        changed += n;
    }
    let next = if full {
        now
    } else {
        now + chrono::Duration::days(1)
    };
    tx.schedule_job(&retention_job(next)).await?;
    Ok(changed)
}

/// Schedules the emptying of outbox message `outbox_id` (the goodbye sent after an
/// erasure) once it is sent.
pub fn forget_message_job(outbox_id: i64, customer: CustomerId, at: DateTime<Utc>) -> NewJob {
    NewJob::new(
        FORGET_MESSAGE_JOB,
        json!({ "outbox": outbox_id, "customer": customer.0 }),
        at,
    )
}

/// Runs a forget job: empties the message if it was sent, else tries again a minute
/// later. Returns whether it was emptied.
pub async fn run_forget_message(
    tx: &mut dyn Tx,
    payload: &serde_json::Value,
    now: DateTime<Utc>,
) -> Result<bool> {
    let (Some(outbox_id), Some(customer)) =
        (payload["outbox"].as_i64(), payload["customer"].as_i64())
    else {
        return Err(Error::Invalid(
            "forget job without outbox and customer".into(),
        ));
    };
    let customer = CustomerId(customer);
    if tx
        .forget_sent_message(outbox_id, pseudonym(customer))
        .await?
    {
        return Ok(true);
    }
    tx.schedule_job(&forget_message_job(
        outbox_id,
        customer,
        now + chrono::Duration::minutes(1),
    ))
    .await?;
    Ok(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pseudonyms_are_unique_and_no_telegram_id() {
        assert_ne!(pseudonym(CustomerId(1)), pseudonym(CustomerId(2)));
        assert!(is_pseudonym(pseudonym(CustomerId(1))));
        // The largest user ids and the smallest chat ids Telegram can give.
        assert!(!is_pseudonym((1 << 52) - 1));
        assert!(!is_pseudonym(-1_009_999_999_999_999));
        assert!(!is_pseudonym(-(1 << 52)));
    }

    #[test]
    fn readable_text_of_updates() {
        let text = r#"{"update_id":1,"message":{"message_id":5,"text":"where is my parcel?"}}"#;
        assert_eq!(
            readable_text(Direction::FromCustomer, text).as_deref(),
            Some("where is my parcel?")
        );
        let photo = r#"{"update_id":1,"message":{"message_id":5,"caption":"this one"}}"#;
        assert_eq!(
            readable_text(Direction::FromCustomer, photo).as_deref(),
            Some("this one")
        );
        let button = r#"{"update_id":1,"callback_query":{"id":"9","data":"cart:add:3"}}"#;
        assert_eq!(
            readable_text(Direction::FromCustomer, button).as_deref(),
            Some("[button] cart:add:3")
        );
        let member = r#"{"update_id":1,"my_chat_member":{}}"#;
        assert_eq!(readable_text(Direction::FromCustomer, member), None);
        assert_eq!(readable_text(Direction::FromCustomer, "not json"), None);
    }

    #[test]
    fn readable_text_of_actions() {
        let sent = serde_json::to_string(&Action::SendText {
            text: "Your order shipped".into(),
            buttons: Vec::new(),
        })
        .unwrap();
        assert_eq!(
            readable_text(Direction::ToCustomer, &sent).as_deref(),
            Some("Your order shipped")
        );
        let erased = r#"{"type":"send_text","text":""}"#;
        assert_eq!(readable_text(Direction::ToCustomer, erased), None);
        let answer = serde_json::to_string(&Action::AnswerButton {
            callback_id: "1".into(),
            text: None,
        })
        .unwrap();
        assert_eq!(readable_text(Direction::ToCustomer, &answer), None);
    }

    #[test]
    fn exported_tickets_hold_their_conversation_with_notes_marked() {
        use crate::support::{Author, TicketId};
        let at = DateTime::parse_from_rfc3339("2025-03-01T10:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let message = |id: i64, author: Author, agent: Option<&str>, text: &str| TicketMessage {
            id,
            ticket_id: TicketId(7),
            at: at + chrono::Duration::minutes(id),
            author,
            agent_id: agent.map(|_| 42),
            agent_name: agent.map(str::to_owned),
            text: text.into(),
        };
        // From JSON, so that fields the ticket gains later (optional ones) need no change.
        let ticket: Ticket = serde_json::from_value(json!({
            "id": 7,
            "customer_id": 3,
            "bot": "main",
            "status": "pending",
            "priority": "normal",
            "group": "en",
            "staff_chat": -100,
            "topic_outbox_id": 9,
            "topic": "general",
            "language": "en",
            "assignee_id": 42,
            "assignee_name": "@maria",
            "opened_at": at,
            "first_response_at": at,
            "first_response_due": at,
            "resolution_due": at,
        }))
        .unwrap();
        let ticket = ExportedTicket {
            ticket,
            messages: vec![
                message(1, Author::Customer, None, "where is my invoice?"),
                message(2, Author::Note, Some("@maria"), "asked twice"),
                message(3, Author::Agent, Some("@maria"), "sent it by mail"),
            ],
        };
        let json = serde_json::to_value(&ticket).unwrap();
        // The ticket's fields at the top level, as the API shows a ticket.
        assert_eq!(json["id"], 7);
        assert_eq!(json["customer_id"], 3);
        assert_eq!(json["status"], "pending");
        let authors: Vec<&str> = json["messages"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["author"].as_str().unwrap())
            .collect();
        assert_eq!(authors, ["customer", "note", "agent"]);
        assert_eq!(json["messages"][1]["text"], "asked twice");
        assert_eq!(json["messages"][1]["agent_name"], "@maria");
    }
}
