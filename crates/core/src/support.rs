//! Customer service: tickets that hand a customer's question to human agents, the agent
//! groups they are routed to (by language and topic), business hours, SLA targets and the
//! jobs that warn and escalate before and at a breach, satisfaction scores (CSAT, NPS) and
//! the service report.
//!
//! Agents work in Telegram: every agent group is a forum supergroup, and each ticket gets a
//! topic there (see [`crate::support_chat`]). The FAQ the bot answers from first is in
//! [`crate::faq`].

use crate::customer::CustomerId;
use crate::job::NewJob;
use crate::outbox::{Action, NewOutbound, TopicRef};
use crate::store::Tx;
use crate::{Error, Result};
use async_trait::async_trait;
use chrono::{DateTime, Datelike, Duration, NaiveTime, Utc, Weekday};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use serde_json::json;

/// The job that checks one SLA target of one ticket when its warning or breach time comes.
pub const SLA_JOB: &str = "support.sla";

/// The job that translates a message between a customer and the agents (the call to the
/// translation service happens outside any transaction), then relays it.
pub const TRANSLATE_JOB: &str = "support.translate";

/// The store's id of a ticket; agents and customers see it as the ticket number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct TicketId(pub i64);

/// Where a ticket stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TicketStatus {
    /// Waiting for an agent.
    Open,
    /// An agent answered; waiting for the customer.
    Pending,
    /// Solved; the customer was asked for a score. A new question opens a new ticket.
    Resolved,
    /// Closed without asking for a score.
    Closed,
}

impl TicketStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            TicketStatus::Open => "open",
            TicketStatus::Pending => "pending",
            TicketStatus::Resolved => "resolved",
            TicketStatus::Closed => "closed",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "open" => Some(TicketStatus::Open),
            "pending" => Some(TicketStatus::Pending),
            "resolved" => Some(TicketStatus::Resolved),
            "closed" => Some(TicketStatus::Closed),
            _ => None,
        }
    }
    /// Whether the conversation is still going (the customer's messages reach the agents).
    pub fn is_active(self) -> bool {
        matches!(self, TicketStatus::Open | TicketStatus::Pending)
    }
}

/// How urgent a ticket is; each has its own SLA targets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Priority {
    Low,
    Normal,
    High,
}

impl Priority {
    pub fn as_str(self) -> &'static str {
        match self {
            Priority::Low => "low",
            Priority::Normal => "normal",
            Priority::High => "high",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "low" => Some(Priority::Low),
            "normal" => Some(Priority::Normal),
            "high" => Some(Priority::High),
            _ => None,
        }
    }
}

/// A ticket: one customer's conversation with the agents.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ticket {
    pub id: TicketId,
    pub customer_id: CustomerId,
    pub bot: String,
    pub status: TicketStatus,
    pub priority: Priority,
    /// The agent group's key (see [`AgentGroup::key`]).
    pub group: String,
    /// The group's forum chat, where the ticket's topic is.
    pub staff_chat: i64,
    /// The outbox message that creates the ticket's topic; the topic's thread id is its
    /// result once sent.
    pub topic_outbox_id: Option<i64>,
    /// What the question is about (`pre-sales`, `orders`, `returns`, ...), for routing.
    pub topic: String,
    /// The customer's language when the ticket opened.
    pub language: String,
    pub assignee_id: Option<i64>,
    pub assignee_name: Option<String>,
    pub opened_at: DateTime<Utc>,
    pub first_response_at: Option<DateTime<Utc>>,
    pub resolved_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
    pub first_response_due: DateTime<Utc>,
    pub resolution_due: DateTime<Utc>,
    pub first_response_breached_at: Option<DateTime<Utc>>,
    pub resolution_breached_at: Option<DateTime<Utc>>,
    /// Customer satisfaction, 1–5.
    pub csat: Option<i16>,
    /// Net promoter score answer, 0–10.
    pub nps: Option<i16>,
}

impl Ticket {
    /// Where messages into the ticket's topic go.
    pub fn topic_ref(&self) -> Option<TopicRef> {
        self.topic_outbox_id.map(TopicRef::CreatedBy)
    }
}

/// A ticket about to be stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewTicket {
    pub customer_id: CustomerId,
    pub bot: String,
    pub priority: Priority,
    pub group: String,
    pub staff_chat: i64,
    pub topic: String,
    pub language: String,
    pub opened_at: DateTime<Utc>,
    pub first_response_due: DateTime<Utc>,
    pub resolution_due: DateTime<Utc>,
}

/// Who wrote a message of a ticket.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Author {
    Customer,
    Agent,
    /// An agent's internal note: never shown to the customer.
    Note,
}

impl Author {
    pub fn as_str(self) -> &'static str {
        match self {
            Author::Customer => "customer",
            Author::Agent => "agent",
            Author::Note => "note",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "customer" => Some(Author::Customer),
            "agent" => Some(Author::Agent),
            "note" => Some(Author::Note),
            _ => None,
        }
    }
}

/// One message of a ticket's conversation, as stored (media are stored by their caption
/// and a marker; the file stays in Telegram).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TicketMessage {
    pub id: i64,
    pub ticket_id: TicketId,
    pub at: DateTime<Utc>,
    pub author: Author,
    /// The agent's Telegram user id and name, for agent messages and notes.
    pub agent_id: Option<i64>,
    pub agent_name: Option<String>,
    pub text: String,
}

/// A message about to be added to a ticket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewTicketMessage {
    pub ticket_id: TicketId,
    pub at: DateTime<Utc>,
    pub author: Author,
    pub agent_id: Option<i64>,
    pub agent_name: Option<String>,
    pub text: String,
}

/// A canned reply: a prepared answer agents insert by name, per language, with
/// placeholders `{name}`, `{order}` and `{tracking}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CannedReply {
    pub name: String,
    pub language: String,
    pub text: String,
}

/// Which tickets to list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TicketFilter {
    pub status: Option<TicketStatus>,
    pub group: Option<String>,
    pub customer_id: Option<CustomerId>,
    pub limit: i64,
}

/// Tickets and canned replies, outside a transaction (API reads and staff edits).
#[async_trait]
pub trait SupportStore: Send + Sync {
    async fn tickets(&self, filter: &TicketFilter) -> Result<Vec<Ticket>>;
    async fn ticket(&self, id: TicketId) -> Result<Option<Ticket>>;
    async fn ticket_messages(&self, id: TicketId) -> Result<Vec<TicketMessage>>;
    /// Tickets opened in `[from, to)`, oldest first (for the report).
    async fn tickets_opened_between(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<Ticket>>;

    async fn canned_replies(&self) -> Result<Vec<CannedReply>>;
    /// Creates or replaces the reply of that name and language.
    async fn set_canned_reply(&self, reply: &CannedReply) -> Result<()>;
    /// Deletes the reply of that name in every language; whether there was one.
    async fn delete_canned_reply(&self, name: &str) -> Result<bool>;
}

/// Tickets inside a transaction (the bot's conversation and the jobs).
#[async_trait]
pub trait SupportTx: Send {
    /// Stores a new ticket; `Conflict` if the customer already has an active one.
    async fn insert_ticket(&mut self, ticket: &NewTicket) -> Result<Ticket>;
    /// The ticket, locked for update until the transaction ends.
    async fn ticket_for_update(&mut self, id: TicketId) -> Result<Option<Ticket>>;
    /// The customer's active (open or pending) ticket, locked.
    async fn active_ticket(&mut self, customer: CustomerId) -> Result<Option<Ticket>>;
    /// The ticket whose topic in `staff_chat` has thread id `thread_id` (the result of the
    /// ticket's topic-creating outbox message), locked.
    async fn ticket_by_thread(&mut self, staff_chat: i64, thread_id: i64)
        -> Result<Option<Ticket>>;
    /// Writes every changeable field of `ticket` (status, priority, group, chat, topic
    /// message, assignee, times, breaches, scores).
    async fn update_ticket(&mut self, ticket: &Ticket) -> Result<()>;
    async fn add_ticket_message(&mut self, message: &NewTicketMessage) -> Result<i64>;
    /// The ticket's messages, oldest first.
    async fn ticket_messages_tx(&mut self, id: TicketId) -> Result<Vec<TicketMessage>>;
    /// The canned reply `name` in `language`, else in any language (the first by name).
    async fn canned_reply(&mut self, name: &str, language: &str) -> Result<Option<CannedReply>>;
}

// --- settings ---

/// Opening hours of an agent group, in its time zone: per weekday (Monday first) the
/// open interval, or none when closed. Always open when `always` is set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BusinessHours {
    pub time_zone: Tz,
    pub days: [Option<(NaiveTime, NaiveTime)>; 7],
}

impl BusinessHours {
    /// Open around the clock, every day.
    pub fn always() -> Self {
        let all_day = (NaiveTime::MIN, NaiveTime::MIN);
        BusinessHours {
            time_zone: Tz::UTC,
            days: [Some(all_day); 7],
        }
    }

    /// Open `open`–`close` on `days` (e.g. `mon-fri`, `mon,wed,sat`, `daily`), in `zone`.
    /// `close` of `00:00` means midnight.
    pub fn parse(zone: &str, days: &str, hours: &str) -> std::result::Result<Self, String> {
        let time_zone: Tz = zone
            .parse()
            .map_err(|_| format!("`{zone}` is not an IANA time zone"))?;
        let (open, close) = hours
            .split_once('-')
            .ok_or_else(|| format!("hours `{hours}` must look like 09:00-18:00"))?;
        let time = |t: &str| {
            NaiveTime::parse_from_str(t.trim(), "%H:%M")
                .map_err(|_| format!("`{t}` is not a time like 09:00"))
        };
        let (open, close) = (time(open)?, time(close)?);
        if close != NaiveTime::MIN && close <= open {
            return Err(format!("hours `{hours}` close before they open"));
        }
        let mut open_days = [false; 7];
        for part in days.split(',').map(str::trim) {
            if part == "daily" {
                open_days = [true; 7];
                continue;
            }
            let day = |d: &str| {
                d.trim()
                    .parse::<Weekday>()
                    .map_err(|_| format!("`{d}` is not a weekday (mon, tue, ...)"))
            };
            match part.split_once('-') {
                Some((from, to)) => {
                    let (from, to) = (day(from)?, day(to)?);
                    let mut d = from;
                    loop {
                        open_days[d.num_days_from_monday() as usize] = true;
                        if d == to {
                            break;
                        }
                        d = d.succ();
                    }
                }
                None => open_days[day(part)?.num_days_from_monday() as usize] = true,
            }
        }
        let mut result = [None; 7];
        for (i, open_day) in open_days.iter().enumerate() {
            if *open_day {
                result[i] = Some((open, close));
            }
        }
        Ok(BusinessHours {
            time_zone,
            days: result,
        })
    }

    /// The open intervals (UTC) of the local day that contains `at`, and of the days after.
    fn intervals_from(
        &self,
        at: DateTime<Utc>,
    ) -> impl Iterator<Item = (DateTime<Utc>, DateTime<Utc>)> + '_ {
        let first_day = at.with_timezone(&self.time_zone).date_naive();
        // Two weeks is enough to find any open time of a week with an open day.
        (0..15).filter_map(move |offset| {
            let day = first_day + Duration::days(offset);
            let (open, close) = self.days[day.weekday().num_days_from_monday() as usize]?;
            let start = crate::time_zone::local_to_utc_in(day.and_time(open), self.time_zone);
            let end = if close == NaiveTime::MIN {
                crate::time_zone::local_to_utc_in(
                    (day + Duration::days(1)).and_time(NaiveTime::MIN),
                    self.time_zone,
                )
            } else {
                crate::time_zone::local_to_utc_in(day.and_time(close), self.time_zone)
            };
            (start < end).then_some((start, end))
        })
    }

    /// The hours as people read them: `Mon-Fri 09:00-18:00, Sat 10:00-14:00 (Asia/Shanghai)`;
    /// `24/7` when always open.
    pub fn describe(&self) -> String {
        const NAMES: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
        let all_day = Some((NaiveTime::MIN, NaiveTime::MIN));
        if self.days.iter().all(|d| *d == all_day) {
            return "24/7".into();
        }
        let mut parts = Vec::new();
        let mut day = 0;
        while day < 7 {
            let Some((open, close)) = self.days[day] else {
                day += 1;
                continue;
            };
            let mut last = day;
            while last + 1 < 7 && self.days[last + 1] == self.days[day] {
                last += 1;
            }
            let days = if last == day {
                NAMES[day].to_owned()
            } else {
                format!("{}-{}", NAMES[day], NAMES[last])
            };
            let close = if close == NaiveTime::MIN {
                "24:00".to_owned()
            } else {
                close.format("%H:%M").to_string()
            };
            parts.push(format!("{days} {}-{close}", open.format("%H:%M")));
            day = last + 1;
        }
        if parts.is_empty() {
            return "—".into();
        }
        format!("{} ({})", parts.join(", "), self.time_zone.name())
    }

    /// Whether the group is open at `at`.
    pub fn is_open(&self, at: DateTime<Utc>) -> bool {
        self.intervals_from(at - Duration::days(1))
            .take_while(|(start, _)| *start <= at)
            .any(|(start, end)| start <= at && at < end)
    }

    /// When the group next opens at or after `at` (`at` itself when open); `None` when it
    /// never opens.
    pub fn next_open(&self, at: DateTime<Utc>) -> Option<DateTime<Utc>> {
        if self.is_open(at) {
            return Some(at);
        }
        self.intervals_from(at)
            .find(|(_, end)| *end > at)
            .map(|(start, _)| start.max(at))
    }

    /// The instant `work` of open time after `start`: SLA clocks only run while the group
    /// is open. Falls back to wall-clock time when the group never opens.
    pub fn add_open_time(&self, start: DateTime<Utc>, work: Duration) -> DateTime<Utc> {
        let mut left = work;
        let mut from = start;
        // Loop over fortnights: a long target spans many.
        for _ in 0..1000 {
            let mut any = false;
            for (open, close) in self.intervals_from(from) {
                any = true;
                if close <= from {
                    continue;
                }
                let begin = open.max(from);
                let available = close - begin;
                if available >= left {
                    return begin + left;
                }
                left -= available;
                from = close;
            }
            if !any {
                break;
            }
        }
        start + work
    }
}

/// First-response and resolution targets, in open time of the ticket's group.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SlaTarget {
    pub first_response: Duration,
    pub resolution: Duration,
}

/// A group of agents: a forum supergroup where each of its tickets gets a topic.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgentGroup {
    /// Short name (`sales-zh`), used by `/transfer` and in reports.
    pub key: String,
    /// The forum supergroup's chat id.
    pub chat_id: i64,
    /// Customer languages this group serves; empty for any.
    pub languages: Vec<String>,
    /// Topics this group serves (`pre-sales`, `orders`, `returns`, ...); empty for any.
    pub topics: Vec<String>,
    /// The language the bot speaks to the agents in.
    pub language: String,
    pub hours: BusinessHours,
    /// Where SLA breaches are escalated; the ticket's own topic when unset.
    pub supervisor_chat: Option<i64>,
    /// When set (and a translator is configured), customers' messages in another language
    /// are shown with a translation into this one, and `/tr` translates replies back.
    pub translate_to: Option<String>,
}

/// How customer service runs; empty groups turn human handoff off.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SupportSettings {
    pub groups: Vec<AgentGroup>,
    /// SLA targets per priority.
    pub low: SlaTarget,
    pub normal: SlaTarget,
    pub high: SlaTarget,
    /// Share of a target after which the assignee is warned, in per-mille (800 = 80 %).
    pub warn_at_per_mille: i64,
    /// An FAQ answer is given when its confidence (0–1000) is at least this.
    pub answer_confidence: u16,
    /// Below the answer threshold, entries at least this confident are offered as choices.
    pub suggest_confidence: u16,
    /// Whether resolving also asks the NPS question (0–10) after the CSAT one.
    pub ask_nps: bool,
    /// Agent messages that start with this are internal notes (also `/note text`).
    pub note_prefix: String,
    /// Whether a translation service is configured (see [`TRANSLATE_JOB`]).
    pub translator: bool,
}

impl Default for SupportSettings {
    fn default() -> Self {
        let target = |first_minutes, resolution_hours| SlaTarget {
            first_response: Duration::minutes(first_minutes),
            resolution: Duration::hours(resolution_hours),
        };
        SupportSettings {
            groups: Vec::new(),
            low: target(240, 72),
            normal: target(60, 24),
            high: target(15, 4),
            warn_at_per_mille: 800,
            answer_confidence: 600,
            suggest_confidence: 250,
            ask_nps: false,
            note_prefix: "//".into(),
            translator: false,
        }
    }
}

impl SupportSettings {
    /// Whether tickets can be opened.
    pub fn handoff_enabled(&self) -> bool {
        !self.groups.is_empty()
    }

    pub fn target(&self, priority: Priority) -> SlaTarget {
        match priority {
            Priority::Low => self.low,
            Priority::Normal => self.normal,
            Priority::High => self.high,
        }
    }

    pub fn group(&self, key: &str) -> Option<&AgentGroup> {
        self.groups.iter().find(|g| g.key == key)
    }

    pub fn group_of_chat(&self, chat_id: i64) -> Option<&AgentGroup> {
        self.groups.iter().find(|g| g.chat_id == chat_id)
    }

    /// The group a question goes to: the first serving both the language and the topic,
    /// else the first serving the language, else the first serving the topic, else the
    /// first group.
    pub fn route(&self, language: &str, topic: &str) -> Option<&AgentGroup> {
        let speaks =
            |g: &&AgentGroup| g.languages.is_empty() || g.languages.iter().any(|l| l == language);
        let covers = |g: &&AgentGroup| g.topics.is_empty() || g.topics.iter().any(|t| t == topic);
        self.groups
            .iter()
            .find(|g| speaks(g) && covers(g))
            .or_else(|| self.groups.iter().find(speaks))
            .or_else(|| self.groups.iter().find(covers))
            .or_else(|| self.groups.first())
    }

    /// The due times of a ticket opened (or re-prioritized) at `from`.
    pub fn due_times(
        &self,
        group: &AgentGroup,
        priority: Priority,
        from: DateTime<Utc>,
    ) -> (DateTime<Utc>, DateTime<Utc>) {
        let target = self.target(priority);
        (
            group.hours.add_open_time(from, target.first_response),
            group.hours.add_open_time(from, target.resolution),
        )
    }

    /// The time the assignee is warned about a target due at `due` for a ticket opened at
    /// `from`: `warn_at_per_mille` of the open time between them.
    fn warning_time(
        &self,
        group: &AgentGroup,
        target: Duration,
        from: DateTime<Utc>,
    ) -> DateTime<Utc> {
        let share = target * self.warn_at_per_mille.clamp(0, 1000) as i32 / 1000;
        group.hours.add_open_time(from, share)
    }
}

// --- SLA ---

/// Which SLA check a job makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SlaStage {
    FirstResponseWarning,
    FirstResponseBreach,
    ResolutionWarning,
    ResolutionBreach,
}

/// Schedules the four SLA checks of `ticket` (from `from`: its opening or the last change
/// of priority). A job whose due time no longer matches the ticket's does nothing, so
/// rescheduling after a change needs no cancellation.
pub async fn schedule_sla_checks(
    tx: &mut dyn Tx,
    settings: &SupportSettings,
    ticket: &Ticket,
    from: DateTime<Utc>,
) -> Result<()> {
    let Some(group) = settings.group(&ticket.group) else {
        return Ok(());
    };
    let target = settings.target(ticket.priority);
    let checks = [
        (
            SlaStage::FirstResponseWarning,
            settings.warning_time(group, target.first_response, from),
            ticket.first_response_due,
        ),
        (
            SlaStage::FirstResponseBreach,
            ticket.first_response_due,
            ticket.first_response_due,
        ),
        (
            SlaStage::ResolutionWarning,
            settings.warning_time(group, target.resolution, from),
            ticket.resolution_due,
        ),
        (
            SlaStage::ResolutionBreach,
            ticket.resolution_due,
            ticket.resolution_due,
        ),
    ];
    for (stage, run_at, due) in checks {
        let payload = json!({ "ticket": ticket.id.0, "stage": stage, "due": due });
        tx.schedule_job(&NewJob::new(SLA_JOB, payload, run_at))
            .await?;
    }
    Ok(())
}

#[derive(Deserialize)]
struct SlaPayload {
    ticket: i64,
    stage: SlaStage,
    due: DateTime<Utc>,
}

/// What an SLA check found (for the job's log and tests).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SlaOutcome {
    /// Met, moot (the ticket moved on) or outdated (its due time changed).
    Nothing,
    Warned,
    Breached,
}

/// Runs one SLA check: warns the assignee in the ticket's topic, or records the breach and
/// escalates to the group's supervisor chat.
pub async fn run_sla_check(
    tx: &mut dyn Tx,
    settings: &SupportSettings,
    texts: &crate::i18n::Texts,
    payload: &serde_json::Value,
    now: DateTime<Utc>,
) -> Result<SlaOutcome> {
    let payload: SlaPayload = serde_json::from_value(payload.clone())
        .map_err(|e| Error::Invalid(format!("bad SLA job payload: {e}")))?;
    let Some(mut ticket) = tx.ticket_for_update(TicketId(payload.ticket)).await? else {
        return Ok(SlaOutcome::Nothing);
    };
    let first_response = matches!(
        payload.stage,
        SlaStage::FirstResponseWarning | SlaStage::FirstResponseBreach
    );
    let (due, done) = if first_response {
        (
            ticket.first_response_due,
            ticket.first_response_at.is_some(),
        )
    } else {
        (ticket.resolution_due, ticket.resolved_at.is_some())
    };
    if done || !ticket.status.is_active() || due != payload.due {
        return Ok(SlaOutcome::Nothing);
    }
    let group = settings.group(&ticket.group);
    let language = group.map_or("en", |g| g.language.as_str());
    let number = ticket.id.0.to_string();
    let assignee = ticket
        .assignee_name
        .clone()
        .unwrap_or_else(|| texts.get(language, "support-unassigned", &[]));
    let target_name = texts.get(
        language,
        if first_response {
            "support-target-first-response"
        } else {
            "support-target-resolution"
        },
        &[],
    );
    let minutes_left = (due - now).num_minutes().max(0).to_string();
    match payload.stage {
        SlaStage::FirstResponseWarning | SlaStage::ResolutionWarning => {
            let text = texts.get(
                language,
                "support-sla-warning",
                &[
                    ("ticket", &number),
                    ("assignee", &assignee),
                    ("target", &target_name),
                    ("minutes", &minutes_left),
                ],
            );
            to_topic(tx, &ticket, text, now).await?;
            Ok(SlaOutcome::Warned)
        }
        SlaStage::FirstResponseBreach | SlaStage::ResolutionBreach => {
            if first_response {
                ticket.first_response_breached_at.get_or_insert(now);
            } else {
                ticket.resolution_breached_at.get_or_insert(now);
            }
            tx.update_ticket(&ticket).await?;
            let text = texts.get(
                language,
                "support-sla-breach",
                &[
                    ("ticket", &number),
                    ("assignee", &assignee),
                    ("target", &target_name),
                    ("group", &ticket.group),
                ],
            );
            match group.and_then(|g| g.supervisor_chat) {
                Some(chat) => {
                    tx.enqueue(&NewOutbound {
                        bot: ticket.bot.clone(),
                        chat_id: chat,
                        customer_id: None,
                        action: Action::SendText {
                            text,
                            buttons: Vec::new(),
                        },
                        broadcast: false,
                        not_before: now,
                        created_at: now,
                    })
                    .await?;
                }
                None => to_topic(tx, &ticket, text, now).await?,
            }
            let e = crate::event::NewEvent::new(crate::event::kind::SLA_BREACHED, now)
                .bot(&ticket.bot)
                .customer(ticket.customer_id)
                .data(json!({
                    "ticket": ticket.id.0,
                    "target": if first_response { "first_response" } else { "resolution" },
                    "group": ticket.group,
                    "assignee": ticket.assignee_id,
                }));
            tx.append_event(&e).await?;
            Ok(SlaOutcome::Breached)
        }
    }
}

/// Queues `text` into the ticket's topic.
pub(crate) async fn to_topic(
    tx: &mut dyn Tx,
    ticket: &Ticket,
    text: String,
    at: DateTime<Utc>,
) -> Result<()> {
    let Some(topic) = ticket.topic_ref() else {
        return Ok(());
    };
    tx.enqueue(&NewOutbound {
        bot: ticket.bot.clone(),
        chat_id: ticket.staff_chat,
        // The topic's messages are about the customer: an erasure empties them.
        customer_id: Some(ticket.customer_id),
        action: Action::SendToTopic {
            topic,
            text,
            buttons: Vec::new(),
        },
        broadcast: false,
        not_before: at,
        created_at: at,
    })
    .await
    .map(drop)
}

// --- translation ---

/// Which way a translated message goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// A customer's message, shown to the agents with its translation.
    ToAgents,
    /// An agent's reply (`/tr`), sent to the customer translated.
    ToCustomer,
}

/// A message waiting for its translation: the [`TRANSLATE_JOB`]'s payload.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Translation {
    pub ticket: i64,
    pub direction: Direction,
    pub text: String,
    /// Language tags as the translation service takes them (`zh`, `es`, `en`).
    pub source: String,
    pub target: String,
    /// Who wrote it, as the topic shows it.
    pub author: String,
}

/// The language as translation services name it: its primary subtag (`zh-CN` → `zh`).
pub fn service_language(tag: &str) -> String {
    tag.split(['-', '_'])
        .next()
        .unwrap_or(tag)
        .to_ascii_lowercase()
}

/// Whether a message between `customer_language` and `group` needs a translation.
pub fn needs_translation(
    settings: &SupportSettings,
    group: &AgentGroup,
    customer_language: &str,
) -> Option<String> {
    let agents = group.translate_to.as_deref()?;
    (settings.translator && service_language(agents) != service_language(customer_language))
        .then(|| service_language(agents))
}

/// Schedules `translation`; the job relays it once translated (or as written, when the
/// service keeps failing).
pub async fn schedule_translation(
    tx: &mut dyn Tx,
    translation: &Translation,
    at: DateTime<Utc>,
) -> Result<()> {
    let payload = serde_json::to_value(translation)
        .map_err(|e| Error::Storage(format!("translation payload: {e}")))?;
    tx.schedule_job(&NewJob::new(TRANSLATE_JOB, payload, at))
        .await
        .map(drop)
}

/// Relays a message once translated (`None`: the service could not, so as written): a
/// customer's message goes into the ticket's topic with its translation under it; an
/// agent's reply goes to the customer translated, and the topic shows what was sent.
pub async fn relay_translated(
    tx: &mut dyn Tx,
    settings: &SupportSettings,
    texts: &crate::i18n::Texts,
    translation: &Translation,
    translated: Option<&str>,
    now: DateTime<Utc>,
) -> Result<()> {
    let Some(ticket) = tx.ticket_for_update(TicketId(translation.ticket)).await? else {
        return Ok(());
    };
    let agents = settings
        .group(&ticket.group)
        .map_or("en", |g| g.language.as_str());
    let unavailable = || texts.get(agents, "support-translation-unavailable", &[]);
    match translation.direction {
        Direction::ToAgents => {
            let under = match translated {
                Some(t) => format!("🌐 {t}"),
                None => unavailable(),
            };
            let line = format!("💬 {}: {}\n{under}", translation.author, translation.text);
            to_topic(tx, &ticket, clip_message(&line), now).await
        }
        Direction::ToCustomer => {
            let Some(customer) = tx.customer(ticket.customer_id).await? else {
                return Ok(());
            };
            let sent = translated.unwrap_or(&translation.text);
            tx.enqueue(&NewOutbound {
                bot: ticket.bot.clone(),
                chat_id: customer.telegram_user_id,
                customer_id: Some(customer.id),
                action: Action::SendText {
                    text: clip_message(sent),
                    buttons: Vec::new(),
                },
                broadcast: false,
                not_before: now,
                created_at: now,
            })
            .await?;
            let shown = match translated {
                Some(t) => format!("🌐 → {t}"),
                None => unavailable(),
            };
            to_topic(tx, &ticket, clip_message(&shown), now).await
        }
    }
}

/// At most Telegram's 4096 characters.
fn clip_message(text: &str) -> String {
    const MAX: usize = 4096;
    if text.chars().count() <= MAX {
        return text.to_owned();
    }
    let mut cut: String = text.chars().take(MAX - 1).collect();
    cut.push('…');
    cut
}

// --- report ---

/// Service figures of one agent or group over a period.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceFigures {
    pub tickets: i64,
    /// Tickets with a first response.
    pub responded: i64,
    /// Mean seconds from opening to the first response, of responded tickets.
    pub first_response_seconds_avg: Option<i64>,
    /// Median of the same.
    pub first_response_seconds_median: Option<i64>,
    pub resolved: i64,
    /// Mean seconds from opening to resolution, of resolved tickets.
    pub resolution_seconds_avg: Option<i64>,
    /// Tickets that breached at least one target.
    pub breached: i64,
    /// `breached / tickets` in per-mille.
    pub breach_rate_per_mille: Option<i64>,
    pub csat_responses: i64,
    /// Mean CSAT × 100 (e.g. 460 = 4.6).
    pub csat_avg_x100: Option<i64>,
    pub nps_responses: i64,
    /// Net promoter score, −100..100: % promoters (9–10) − % detractors (0–6).
    pub nps: Option<i64>,
}

impl ServiceFigures {
    fn of<'a>(tickets: impl IntoIterator<Item = &'a Ticket>) -> Self {
        let mut f = ServiceFigures::default();
        let mut first = Vec::new();
        let mut resolution = Vec::new();
        let (mut csat_sum, mut promoters, mut detractors) = (0i64, 0i64, 0i64);
        for t in tickets {
            f.tickets += 1;
            if let Some(at) = t.first_response_at {
                first.push((at - t.opened_at).num_seconds().max(0));
            }
            if let Some(at) = t.resolved_at {
                resolution.push((at - t.opened_at).num_seconds().max(0));
            }
            if t.first_response_breached_at.is_some() || t.resolution_breached_at.is_some() {
                f.breached += 1;
            }
            if let Some(score) = t.csat {
                f.csat_responses += 1;
                csat_sum += i64::from(score);
            }
            if let Some(score) = t.nps {
                f.nps_responses += 1;
                match score {
                    9..=10 => promoters += 1,
                    0..=6 => detractors += 1,
                    _ => {}
                }
            }
        }
        let mean = |v: &[i64]| (!v.is_empty()).then(|| v.iter().sum::<i64>() / v.len() as i64);
        f.responded = first.len() as i64;
        f.resolved = resolution.len() as i64;
        f.first_response_seconds_avg = mean(&first);
        first.sort_unstable();
        f.first_response_seconds_median = first.get(first.len() / 2).copied();
        f.resolution_seconds_avg = mean(&resolution);
        f.breach_rate_per_mille = (f.tickets > 0).then(|| f.breached * 1000 / f.tickets);
        f.csat_avg_x100 = (f.csat_responses > 0).then(|| csat_sum * 100 / f.csat_responses);
        f.nps = (f.nps_responses > 0).then(|| (promoters - detractors) * 100 / f.nps_responses);
        f
    }
}

/// One row of the report: an agent or a group, with its figures.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportRow {
    /// The group's key, or the agent's Telegram user id as text (`unassigned` for
    /// tickets nobody took).
    pub key: String,
    /// The agent's name, for agent rows.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(flatten)]
    pub figures: ServiceFigures,
}

/// First-response time, resolution time, SLA breach rate and CSAT/NPS per agent and per
/// group, of the tickets opened in the period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceReport {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub total: ServiceFigures,
    pub groups: Vec<ReportRow>,
    pub agents: Vec<ReportRow>,
}

/// Builds the report from the tickets opened in `[from, to)`.
pub fn report(tickets: &[Ticket], from: DateTime<Utc>, to: DateTime<Utc>) -> ServiceReport {
    use std::collections::BTreeMap;
    let mut groups: BTreeMap<&str, Vec<&Ticket>> = BTreeMap::new();
    let mut agents: BTreeMap<Option<i64>, Vec<&Ticket>> = BTreeMap::new();
    for t in tickets {
        groups.entry(&t.group).or_default().push(t);
        agents.entry(t.assignee_id).or_default().push(t);
    }
    ServiceReport {
        from,
        to,
        total: ServiceFigures::of(tickets),
        groups: groups
            .into_iter()
            .map(|(key, ts)| ReportRow {
                key: key.to_owned(),
                name: None,
                figures: ServiceFigures::of(ts),
            })
            .collect(),
        agents: agents
            .into_iter()
            .map(|(id, ts)| ReportRow {
                key: id.map_or_else(|| "unassigned".into(), |id| id.to_string()),
                name: ts.iter().rev().find_map(|t| t.assignee_name.clone()),
                figures: ServiceFigures::of(ts),
            })
            .collect(),
    }
}

/// Fills a canned reply's placeholders: `{name}` (the customer's first name), `{order}`
/// (their latest order number) and `{tracking}` (its tracking number); unknown values
/// become empty.
pub fn fill_placeholders(
    text: &str,
    name: &str,
    order: Option<&str>,
    tracking: Option<&str>,
) -> String {
    text.replace("{name}", name)
        .replace("{order}", order.unwrap_or(""))
        .replace("{tracking}", tracking.unwrap_or(""))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn shanghai_office() -> BusinessHours {
        BusinessHours::parse("Asia/Shanghai", "mon-fri", "09:00-18:00").unwrap()
    }

    fn at(tz: Tz, y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
        tz.with_ymd_and_hms(y, m, d, h, min, 0)
            .single()
            .unwrap()
            .with_timezone(&Utc)
    }

    #[test]
    fn hours_parse_and_reject() {
        assert!(BusinessHours::parse("Mars/Base", "mon-fri", "09:00-18:00").is_err());
        assert!(BusinessHours::parse("UTC", "mon-fri", "18:00-09:00").is_err());
        assert!(BusinessHours::parse("UTC", "someday", "09:00-18:00").is_err());
        assert!(BusinessHours::parse("UTC", "mon-fri", "9am").is_err());
        let h = BusinessHours::parse("UTC", "sat,sun", "10:00-00:00").unwrap();
        assert!(h.days[5].is_some() && h.days[6].is_some() && h.days[0].is_none());
        let wrap = BusinessHours::parse("UTC", "fri-mon", "10:00-12:00").unwrap();
        let open: Vec<bool> = wrap.days.iter().map(Option::is_some).collect();
        assert_eq!(open, [true, false, false, false, true, true, true]);
    }

    #[test]
    fn open_time_skips_nights_and_weekends() {
        let tz: Tz = "Asia/Shanghai".parse().unwrap();
        let h = shanghai_office();
        // 2026-12-04 is a Friday. 17:30 + 60 open minutes = Monday 09:30.
        let friday = at(tz, 2026, 12, 4, 17, 30);
        assert!(h.is_open(friday));
        assert_eq!(
            h.add_open_time(friday, Duration::minutes(60)),
            at(tz, 2026, 12, 7, 9, 30)
        );
        // Saturday: closed; opens Monday 09:00.
        let saturday = at(tz, 2026, 12, 5, 11, 0);
        assert!(!h.is_open(saturday));
        assert_eq!(h.next_open(saturday), Some(at(tz, 2026, 12, 7, 9, 0)));
        assert_eq!(
            h.add_open_time(saturday, Duration::minutes(30)),
            at(tz, 2026, 12, 7, 9, 30)
        );
        // Early morning: the clock starts at 09:00 the same day.
        let dawn = at(tz, 2026, 12, 8, 6, 0);
        assert_eq!(
            h.add_open_time(dawn, Duration::hours(10)),
            at(tz, 2026, 12, 9, 10, 0)
        );
    }

    #[test]
    fn hours_are_described() {
        assert_eq!(
            shanghai_office().describe(),
            "Mon-Fri 09:00-18:00 (Asia/Shanghai)"
        );
        assert_eq!(BusinessHours::always().describe(), "24/7");
        let mut h = BusinessHours::parse("UTC", "mon,wed-thu,sun", "10:00-00:00").unwrap();
        assert_eq!(
            h.describe(),
            "Mon 10:00-24:00, Wed-Thu 10:00-24:00, Sun 10:00-24:00 (UTC)"
        );
        h.days = [None; 7];
        assert_eq!(h.describe(), "—");
    }

    #[test]
    fn always_open_is_wall_clock() {
        let h = BusinessHours::always();
        let t = Utc.with_ymd_and_hms(2026, 12, 5, 23, 50, 0).unwrap();
        assert!(h.is_open(t));
        assert_eq!(h.next_open(t), Some(t));
        assert_eq!(
            h.add_open_time(t, Duration::minutes(20)),
            t + Duration::minutes(20)
        );
        assert_eq!(
            h.add_open_time(t, Duration::days(40)),
            t + Duration::days(40)
        );
    }

    #[test]
    fn never_open_falls_back_to_wall_clock() {
        let h = BusinessHours {
            time_zone: Tz::UTC,
            days: [None; 7],
        };
        let t = Utc.with_ymd_and_hms(2026, 12, 5, 12, 0, 0).unwrap();
        assert!(!h.is_open(t));
        assert_eq!(h.next_open(t), None);
        assert_eq!(
            h.add_open_time(t, Duration::hours(1)),
            t + Duration::hours(1)
        );
    }

    fn group(key: &str, languages: &[&str], topics: &[&str]) -> AgentGroup {
        AgentGroup {
            key: key.into(),
            chat_id: -100,
            languages: languages.iter().map(|s| s.to_string()).collect(),
            topics: topics.iter().map(|s| s.to_string()).collect(),
            language: "en".into(),
            hours: BusinessHours::always(),
            supervisor_chat: None,
            translate_to: None,
        }
    }

    #[test]
    fn routing_prefers_language_and_topic() {
        let settings = SupportSettings {
            groups: vec![
                group("en-sales", &["en"], &["pre-sales"]),
                group("zh-all", &["zh"], &[]),
                group("returns", &[], &["returns"]),
            ],
            ..SupportSettings::default()
        };
        assert_eq!(settings.route("en", "pre-sales").unwrap().key, "en-sales");
        assert_eq!(settings.route("zh", "returns").unwrap().key, "zh-all");
        assert_eq!(settings.route("en", "returns").unwrap().key, "returns");
        // English but no English group for orders: the English group still speaks it.
        assert_eq!(settings.route("en", "orders").unwrap().key, "en-sales");
        assert_eq!(settings.route("es", "orders").unwrap().key, "returns");
        assert!(SupportSettings::default().route("en", "x").is_none());
    }

    fn ticket(id: i64, group: &str, agent: Option<i64>) -> Ticket {
        let opened = Utc.with_ymd_and_hms(2026, 12, 1, 10, 0, 0).unwrap();
        Ticket {
            id: TicketId(id),
            customer_id: CustomerId(id),
            bot: "main".into(),
            status: TicketStatus::Open,
            priority: Priority::Normal,
            group: group.into(),
            staff_chat: -100,
            topic_outbox_id: None,
            topic: "general".into(),
            language: "en".into(),
            assignee_id: agent,
            assignee_name: agent.map(|a| format!("agent{a}")),
            opened_at: opened,
            first_response_at: None,
            resolved_at: None,
            closed_at: None,
            first_response_due: opened + Duration::hours(1),
            resolution_due: opened + Duration::hours(24),
            first_response_breached_at: None,
            resolution_breached_at: None,
            csat: None,
            nps: None,
        }
    }

    #[test]
    fn report_figures() {
        let mut a = ticket(1, "zh", Some(7));
        a.first_response_at = Some(a.opened_at + Duration::minutes(10));
        a.resolved_at = Some(a.opened_at + Duration::hours(2));
        a.csat = Some(5);
        a.nps = Some(10);
        let mut b = ticket(2, "zh", Some(7));
        b.first_response_at = Some(b.opened_at + Duration::minutes(90));
        b.first_response_breached_at = b.first_response_at;
        b.csat = Some(2);
        b.nps = Some(3);
        let c = ticket(3, "en", None);
        let from = Utc.with_ymd_and_hms(2026, 12, 1, 0, 0, 0).unwrap();
        let r = report(&[a, b, c], from, from + Duration::days(7));
        assert_eq!(r.total.tickets, 3);
        assert_eq!(r.total.responded, 2);
        assert_eq!(r.total.first_response_seconds_avg, Some(50 * 60));
        assert_eq!(r.total.breach_rate_per_mille, Some(333));
        let zh = r.groups.iter().find(|g| g.key == "zh").unwrap();
        assert_eq!(zh.figures.csat_avg_x100, Some(350));
        assert_eq!(zh.figures.nps, Some(0));
        assert_eq!(zh.figures.resolution_seconds_avg, Some(7200));
        let agent = r.agents.iter().find(|g| g.key == "7").unwrap();
        assert_eq!(agent.name.as_deref(), Some("agent7"));
        assert_eq!(agent.figures.tickets, 2);
        let nobody = r.agents.iter().find(|g| g.key == "unassigned").unwrap();
        assert_eq!(nobody.figures.first_response_seconds_avg, None);
        assert_eq!(nobody.figures.breach_rate_per_mille, Some(0));
    }

    #[test]
    fn placeholders() {
        assert_eq!(
            fill_placeholders(
                "Hi {name}, order {order}: {tracking}",
                "Ana",
                Some("12"),
                None
            ),
            "Hi Ana, order 12: "
        );
    }
}
