//! Customer service over the API: the FAQ knowledge base (`/faq`, with a CSV import, the
//! unanswered questions and the answers' ratings), tickets (`/tickets`: read, reply, note,
//! resolve, close), canned replies (`/canned-replies`) and the service report
//! (`/support/report`). Agents who work in Telegram use the same use cases
//! (`groupcart_core::support_chat`).

use super::{ApiJson, ApiPath, ApiQuery, Caller};
use crate::{ApiError, AppState};
use axum::extract::State;
use axum::http::StatusCode;
use axum::{Extension, Json};
use chrono::{DateTime, Datelike, Duration, Utc};
use groupcart_core::customer::CustomerId;
use groupcart_core::faq::{FaqEntry, FaqRating, NewFaqEntry, Unanswered};
use groupcart_core::support::{
    CannedReply, ServiceReport, Ticket, TicketFilter, TicketId, TicketMessage, TicketStatus,
};
use groupcart_core::support_chat::{self, Agent, DeskAction, ServiceDesk};
use groupcart_core::{Error, FieldError};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The largest FAQ import file.
pub const MAX_FAQ_IMPORT_BYTES: usize = 8 * 1024 * 1024;

// --- FAQ ---

#[derive(Debug, Serialize)]
pub struct Entries {
    entries: Vec<FaqEntry>,
}

pub async fn list_faq(State(state): State<AppState>) -> Result<Json<Entries>, ApiError> {
    Ok(Json(Entries {
        entries: state.store.faq_entries().await?,
    }))
}

pub async fn create_faq(
    State(state): State<AppState>,
    ApiJson(entry): ApiJson<NewFaqEntry>,
) -> Result<(StatusCode, Json<FaqEntry>), ApiError> {
    let entry = entry.validated()?;
    let now = state.crm.clock.now();
    let stored = state.store.create_faq_entry(&entry, now).await?;
    Ok((StatusCode::CREATED, Json(stored)))
}

pub async fn replace_faq(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(entry): ApiJson<NewFaqEntry>,
) -> Result<Json<FaqEntry>, ApiError> {
    let entry = entry.validated()?;
    let now = state.crm.clock.now();
    match state.store.update_faq_entry(id, &entry, now).await? {
        Some(stored) => Ok(Json(stored)),
        None => Err(Error::NotFound(format!("FAQ entry {id}")).into()),
    }
}

pub async fn delete_faq(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
) -> Result<StatusCode, ApiError> {
    if state.store.delete_faq_entry(id).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(Error::NotFound(format!("FAQ entry {id}")).into())
    }
}

#[derive(Debug, Serialize)]
pub struct ImportReport {
    created: usize,
    updated: usize,
}

/// One row of an FAQ import file.
#[derive(Debug, Deserialize)]
struct ImportRow {
    key: String,
    #[serde(default)]
    topic: String,
    language: String,
    /// Question variants separated by `|`.
    questions: String,
    answer: String,
    /// Keywords separated by `|`.
    #[serde(default)]
    keywords: String,
}

/// Reads an import file: UTF-8 CSV with the header `key,topic,language,questions,answer,
/// keywords`, one row per entry and language. Every problem is listed by line; nothing is
/// imported unless the whole file is right.
fn read_import(body: &[u8]) -> Result<Vec<NewFaqEntry>, ApiError> {
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(body);
    let mut entries: BTreeMap<String, NewFaqEntry> = BTreeMap::new();
    let mut problems = Vec::new();
    for (i, row) in reader.deserialize::<ImportRow>().enumerate() {
        // Line 1 is the header.
        let line = format!("line {}", i + 2);
        let row = match row {
            Ok(row) => row,
            Err(e) => {
                let message = match e.kind() {
                    csv::ErrorKind::Utf8 { .. } => "not UTF-8 text".to_owned(),
                    csv::ErrorKind::Deserialize { err, .. } => err.to_string(),
                    csv::ErrorKind::UnequalLengths { .. } => {
                        "a different number of columns than the header".to_owned()
                    }
                    _ => "cannot be read".to_owned(),
                };
                problems.push(FieldError::new(line, message));
                continue;
            }
        };
        let split = |s: &str| -> Vec<String> {
            s.split('|')
                .map(str::trim)
                .filter(|p| !p.is_empty())
                .map(str::to_owned)
                .collect()
        };
        let entry = entries
            .entry(row.key.clone())
            .or_insert_with(|| NewFaqEntry {
                key: row.key.clone(),
                topic: "general".into(),
                questions: BTreeMap::new(),
                answers: BTreeMap::new(),
                keywords: Vec::new(),
            });
        if !row.topic.is_empty() {
            entry.topic = row.topic.clone();
        }
        entry
            .questions
            .entry(row.language.clone())
            .or_default()
            .extend(split(&row.questions));
        entry
            .answers
            .insert(row.language.clone(), row.answer.clone());
        for k in split(&row.keywords) {
            if !entry.keywords.contains(&k) {
                entry.keywords.push(k);
            }
        }
    }
    checked(
        entries.into_values(),
        problems,
        "invalid_csv",
        "the file has no entries (header: key,topic,language,questions,answer,keywords)",
    )
}

/// The entries of an import file, each validated, or every problem found (those of the
/// reading first), by line or entry: nothing is imported unless the whole file is right.
fn checked(
    entries: impl IntoIterator<Item = NewFaqEntry>,
    mut problems: Vec<FieldError>,
    code: &'static str,
    when_empty: &'static str,
) -> Result<Vec<NewFaqEntry>, ApiError> {
    let mut checked = Vec::new();
    for entry in entries {
        let key = entry.key.clone();
        match entry.validated() {
            Ok(entry) => checked.push(entry),
            Err(Error::Invalid(message)) => {
                problems.push(FieldError::new(format!("entry {key}"), message))
            }
            Err(other) => return Err(other.into()),
        }
    }
    if !problems.is_empty() {
        let mut error = ApiError::unprocessable(
            code,
            format!(
                "{} problem(s) in the file; nothing was imported",
                problems.len()
            ),
        );
        error.fields = problems.into_iter().take(100).collect();
        return Err(error);
    }
    if checked.is_empty() {
        return Err(ApiError::unprocessable(code, when_empty));
    }
    Ok(checked)
}

/// Reads a Markdown import file: `# key` starts an entry, optionally followed by
/// `topic: ...` and `keywords: a, b` lines; `## language` starts a language, whose `- `
/// list items are the question variants and whose other text is the answer.
fn read_markdown(body: &[u8]) -> Result<Vec<NewFaqEntry>, ApiError> {
    let text = std::str::from_utf8(body)
        .map_err(|_| ApiError::unprocessable("invalid_markdown", "the file is not UTF-8 text"))?;
    let mut entries: Vec<NewFaqEntry> = Vec::new();
    let mut language: Option<String> = None;
    let mut answer: Vec<&str> = Vec::new();
    let mut problems = Vec::new();
    // Ends the language being read: its answer lines become the answer.
    let finish =
        |entries: &mut Vec<NewFaqEntry>, language: &mut Option<String>, answer: &mut Vec<&str>| {
            if let (Some(entry), Some(language)) = (entries.last_mut(), language.take()) {
                let text = answer.join("\n").trim().to_owned();
                entry.answers.insert(language, text);
            }
            answer.clear();
        };
    for (i, line) in text.lines().enumerate() {
        let trimmed = line.trim();
        if let Some(key) = trimmed.strip_prefix("## ") {
            finish(&mut entries, &mut language, &mut answer);
            if entries.is_empty() {
                problems.push(FieldError::new(
                    format!("line {}", i + 1),
                    "a language heading before any `# key`",
                ));
                continue;
            }
            language = Some(key.trim().to_owned());
        } else if let Some(key) = trimmed.strip_prefix("# ") {
            finish(&mut entries, &mut language, &mut answer);
            entries.push(NewFaqEntry {
                key: key.trim().to_owned(),
                topic: "general".into(),
                questions: BTreeMap::new(),
                answers: BTreeMap::new(),
                keywords: Vec::new(),
            });
        } else if let Some(lang) = &language {
            let question = trimmed
                .strip_prefix("- ")
                .or_else(|| trimmed.strip_prefix("* "));
            match (question, answer.is_empty()) {
                (Some(q), true) => {
                    let entry = entries.last_mut().expect("a language belongs to an entry");
                    entry
                        .questions
                        .entry(lang.clone())
                        .or_default()
                        .push(q.to_owned());
                }
                _ if answer.is_empty() && trimmed.is_empty() => {}
                _ => answer.push(line.trim_end()),
            }
        } else if let Some(entry) = entries.last_mut() {
            let list = |v: &str| -> Vec<String> {
                v.split([',', '|'])
                    .map(str::trim)
                    .filter(|k| !k.is_empty())
                    .map(str::to_owned)
                    .collect()
            };
            if let Some(topic) = trimmed.strip_prefix("topic:") {
                entry.topic = topic.trim().to_owned();
            } else if let Some(keywords) = trimmed.strip_prefix("keywords:") {
                entry.keywords = list(keywords);
            } else if !trimmed.is_empty() {
                problems.push(FieldError::new(
                    format!("line {}", i + 1),
                    "expected `topic:`, `keywords:` or a `## language` heading",
                ));
            }
        } else if !trimmed.is_empty() {
            problems.push(FieldError::new(
                format!("line {}", i + 1),
                "text before the first `# key` heading",
            ));
        }
    }
    finish(&mut entries, &mut language, &mut answer);
    checked(
        entries,
        problems,
        "invalid_markdown",
        "the file has no entries (each starts with a `# key` heading)",
    )
}

/// Reads an FAQ import, Markdown when `markdown` else CSV: every entry validated, or every
/// problem by line (shared with the console's import form, so both read files alike).
pub(crate) fn read_faq_import(body: &[u8], markdown: bool) -> Result<Vec<NewFaqEntry>, ApiError> {
    if markdown {
        read_markdown(body)
    } else {
        read_import(body)
    }
}

/// Creates or updates (by key) every entry of a CSV file, or of a Markdown file when sent
/// as `text/markdown`.
pub async fn import_faq(
    State(state): State<AppState>,
    headers: axum::http::HeaderMap,
    body: axum::body::Bytes,
) -> Result<Json<ImportReport>, ApiError> {
    let markdown = headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim_start().starts_with("text/markdown"));
    let entries = read_faq_import(&body, markdown)?;
    let now = state.crm.clock.now();
    let mut report = ImportReport {
        created: 0,
        updated: 0,
    };
    for entry in &entries {
        if state.store.upsert_faq_entry(entry, now).await? {
            report.created += 1;
        } else {
            report.updated += 1;
        }
    }
    Ok(Json(report))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Limit {
    #[serde(default = "hundred")]
    limit: i64,
}

fn hundred() -> i64 {
    100
}

fn check_limit(limit: i64) -> Result<(), ApiError> {
    if (1..=1000).contains(&limit) {
        Ok(())
    } else {
        Err(Error::Fields(vec![FieldError::new("limit", "must be 1-1000")]).into())
    }
}

#[derive(Debug, Serialize)]
pub struct UnansweredList {
    questions: Vec<Unanswered>,
}

/// What customers asked that the FAQ could not answer, newest first.
pub async fn unanswered(
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<Limit>,
) -> Result<Json<UnansweredList>, ApiError> {
    check_limit(q.limit)?;
    Ok(Json(UnansweredList {
        questions: state.store.unanswered_questions(q.limit).await?,
    }))
}

#[derive(Debug, Serialize)]
pub struct Ratings {
    ratings: Vec<FaqRating>,
}

pub async fn ratings(State(state): State<AppState>) -> Result<Json<Ratings>, ApiError> {
    Ok(Json(Ratings {
        ratings: state.store.faq_ratings().await?,
    }))
}

// --- tickets ---

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TicketQuery {
    status: Option<String>,
    group: Option<String>,
    customer: Option<i64>,
    #[serde(default = "hundred")]
    limit: i64,
}

#[derive(Debug, Serialize)]
pub struct Tickets {
    tickets: Vec<Ticket>,
}

pub async fn list_tickets(
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<TicketQuery>,
) -> Result<Json<Tickets>, ApiError> {
    check_limit(q.limit)?;
    let status = match q.status.as_deref() {
        None => None,
        Some(s) => Some(TicketStatus::parse(s).ok_or_else(|| {
            Error::Fields(vec![FieldError::new(
                "status",
                "one of open, pending, resolved, closed",
            )])
        })?),
    };
    let tickets = state
        .store
        .tickets(&TicketFilter {
            status,
            group: q.group,
            customer_id: q.customer.map(CustomerId),
            limit: q.limit,
        })
        .await?;
    Ok(Json(Tickets { tickets }))
}

#[derive(Debug, Serialize)]
pub struct TicketView {
    #[serde(flatten)]
    ticket: Ticket,
    messages: Vec<TicketMessage>,
}

pub async fn show_ticket(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<TicketView>, ApiError> {
    let ticket = state
        .store
        .ticket(TicketId(id))
        .await?
        .ok_or_else(|| Error::NotFound(format!("ticket {id}")))?;
    let messages = state.store.ticket_messages(TicketId(id)).await?;
    Ok(Json(TicketView { ticket, messages }))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AgentText {
    text: String,
    /// The agent's name as the customer and the other agents see it; the caller's otherwise.
    agent: Option<String>,
}

/// `?agent=NAME`: who acts, as the other agents see it; the caller otherwise.
#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct AgentOnly {
    agent: Option<String>,
}

fn agent_of(caller: &Caller, name: Option<String>) -> Result<Agent, ApiError> {
    let name = name.map(|n| n.trim().to_owned()).filter(|n| !n.is_empty());
    if name.as_ref().is_some_and(|n| n.chars().count() > 64) {
        return Err(Error::Fields(vec![FieldError::new("agent", "at most 64 characters")]).into());
    }
    Ok(Agent {
        telegram_user_id: None,
        name: name.unwrap_or_else(|| caller.actor.clone()),
    })
}

async fn act(
    state: &AppState,
    id: i64,
    agent: Agent,
    action: DeskAction,
) -> Result<Json<Ticket>, ApiError> {
    let now = state.crm.clock.now();
    let mut tx = state.store.begin().await?;
    let desk = ServiceDesk {
        texts: &state.texts,
        support: &state.support,
        store: state.store.as_ref(),
    };
    let ticket = support_chat::act(tx.as_mut(), desk, TicketId(id), agent, action, now).await?;
    tx.commit().await?;
    state.wakers.wake(&ticket.bot);
    Ok(Json(ticket))
}

fn checked_text(text: &str) -> Result<String, ApiError> {
    let text = text.trim();
    if text.is_empty() || text.chars().count() > 4096 {
        return Err(Error::Fields(vec![FieldError::new("text", "1-4096 characters")]).into());
    }
    Ok(text.to_owned())
}

/// Sends the customer an agent's reply (the first one stops the first-response clock).
pub async fn reply(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<AgentText>,
) -> Result<Json<Ticket>, ApiError> {
    let text = checked_text(&body.text)?;
    let agent = agent_of(&caller, body.agent)?;
    act(&state, id, agent, DeskAction::Reply(text)).await
}

/// Adds an internal note (never sent to the customer).
pub async fn note(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<AgentText>,
) -> Result<Json<Ticket>, ApiError> {
    let text = checked_text(&body.text)?;
    let agent = agent_of(&caller, body.agent)?;
    act(&state, id, agent, DeskAction::Note(text)).await
}

/// Marks the ticket solved and asks the customer for a score.
pub async fn resolve(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(query): ApiQuery<AgentOnly>,
) -> Result<Json<Ticket>, ApiError> {
    let agent = agent_of(&caller, query.agent)?;
    act(&state, id, agent, DeskAction::Resolve).await
}

/// Closes the ticket without asking for a score.
pub async fn close(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(query): ApiQuery<AgentOnly>,
) -> Result<Json<Ticket>, ApiError> {
    let agent = agent_of(&caller, query.agent)?;
    act(&state, id, agent, DeskAction::Close).await
}

// --- canned replies ---

#[derive(Debug, Serialize)]
pub struct CannedList {
    replies: Vec<CannedReply>,
}

pub async fn list_canned(State(state): State<AppState>) -> Result<Json<CannedList>, ApiError> {
    Ok(Json(CannedList {
        replies: state.store.canned_replies().await?,
    }))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CannedText {
    text: String,
}

/// Creates or replaces the canned reply `name` in `language`.
pub async fn set_canned(
    State(state): State<AppState>,
    ApiPath((name, language)): ApiPath<(String, String)>,
    ApiJson(body): ApiJson<CannedText>,
) -> Result<Json<CannedReply>, ApiError> {
    let mut problems = Vec::new();
    let name_ok = (1..=32).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if !name_ok {
        problems.push(FieldError::new("name", "1-32 letters, digits, `-` or `_`"));
    }
    let language_ok = (2..=12).contains(&language.len())
        && language
            .bytes()
            .all(|b| b.is_ascii_alphabetic() || b == b'-');
    if !language_ok {
        problems.push(FieldError::new(
            "language",
            "a language tag such as en or zh-CN",
        ));
    }
    let text = body.text.trim();
    if text.is_empty() || text.chars().count() > 4096 {
        problems.push(FieldError::new("text", "1-4096 characters"));
    }
    if !problems.is_empty() {
        return Err(Error::Fields(problems).into());
    }
    let reply = CannedReply {
        name,
        language,
        text: text.to_owned(),
    };
    state.store.set_canned_reply(&reply).await?;
    Ok(Json(reply))
}

pub async fn delete_canned(
    State(state): State<AppState>,
    ApiPath(name): ApiPath<String>,
) -> Result<StatusCode, ApiError> {
    if state.store.delete_canned_reply(&name).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(Error::NotFound(format!("canned reply `{name}`")).into())
    }
}

// --- report ---

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Period {
    from: Option<DateTime<Utc>>,
    to: Option<DateTime<Utc>>,
}

/// First-response time, resolution time, SLA breach rate and CSAT/NPS per agent and group,
/// of the tickets opened in `[from, to)` (the last 30 days by default).
pub async fn report(
    State(state): State<AppState>,
    ApiQuery(period): ApiQuery<Period>,
) -> Result<Json<ServiceReport>, ApiError> {
    // chrono reads years far outside RFC 3339's 0000-9999 (down to -262143, where
    // `to - 30 days` overflows and panics; PostgreSQL holds none before 4713 BC). From
    // year 1 on, the default `from` is a year RFC 3339 can write too.
    let out_of_range = [("from", period.from), ("to", period.to)]
        .into_iter()
        .filter(|(_, at)| at.is_some_and(|at| !(1..=9999).contains(&at.year())))
        .map(|(field, _)| FieldError::new(field, "a date-time in the years 0001-9999"))
        .collect::<Vec<_>>();
    if !out_of_range.is_empty() {
        return Err(Error::Fields(out_of_range).into());
    }
    let to = period.to.unwrap_or_else(|| state.crm.clock.now());
    let from = period.from.unwrap_or(to - Duration::days(30));
    if from >= to || to - from > Duration::days(3660) {
        return Err(Error::Fields(vec![FieldError::new(
            "from",
            "must be before `to`, at most ten years apart",
        )])
        .into());
    }
    let tickets = state.store.tickets_opened_between(from, to).await?;
    Ok(Json(groupcart_core::support::report(&tickets, from, to)))
}

#[cfg(test)]
mod tests {
    use super::*;

    const FAQ: &str = "# returns\ntopic: returns\nkeywords: return, 退货\n\n## en\n- What is your return policy?\n- Can I return an item?\n\nFree returns within 30 days.\n\nWrite to us first.\n\n## zh-CN\n* 怎么退货\n收货后30天内可以免费退货。\n\n# hours\n## en\n- When are you open?\nWe answer {hours}.\n";

    #[test]
    fn markdown_entries() {
        let entries = read_markdown(FAQ.as_bytes()).unwrap();
        assert_eq!(entries.len(), 2);
        let returns = &entries[0];
        assert_eq!(
            (returns.key.as_str(), returns.topic.as_str()),
            ("returns", "returns")
        );
        assert_eq!(returns.keywords, ["return", "退货"]);
        assert_eq!(
            returns.questions["en"],
            ["What is your return policy?", "Can I return an item?"]
        );
        assert_eq!(
            returns.answers["en"],
            "Free returns within 30 days.\n\nWrite to us first."
        );
        assert_eq!(returns.questions["zh-CN"], ["怎么退货"]);
        assert_eq!(returns.answers["zh-CN"], "收货后30天内可以免费退货。");
        assert_eq!(entries[1].answers["en"], "We answer {hours}.");
        assert_eq!(entries[1].topic, "general");
    }

    #[test]
    fn markdown_problems_are_listed_by_line() {
        let error = read_markdown(b"stray text\n# ok\nnonsense\n## en\n- q?\n").unwrap_err();
        let fields: Vec<String> = error.fields.iter().map(|f| f.field.clone()).collect();
        assert_eq!(fields, ["line 1", "line 3", "entry ok"]);
        assert!(read_markdown(b"").is_err());
        assert!(read_markdown(&[0xff, 0xfe]).is_err());
    }
}
