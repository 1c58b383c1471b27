//! Broadcasts: marketing messages to a segment's customers in their language, at one time
//! or at a local time in each recipient's time zone, with A/B variants (text or photo with
//! a caption) and a holdout, optionally sending the test's winner to the rest; or posts in
//! the bot's groups and channels, each in the chat's language; and the storage ports for
//! them.
//!
//! Planning ([`plan`]) evaluates the rule once, keeps only the customers marketing may
//! reach ([`crate::segment::marketing_may_reach`]), assigns each a variant at random (or the
//! holdout) and a send time, and stores them as recipients. From then on the
//! [`RELEASE_JOB`] moves due recipients into the outbox a few seconds' worth at a time,
//! marking each queued in the same transaction, so a restart resumes where it stopped and
//! sends nobody twice (beyond the outbox's one in-flight message per chat). Consent and the
//! blocked flag are checked again at release, and withdrawing consent takes the customer's
//! waiting broadcast messages back out of the outbox: an opt-out is honoured for
//! broadcasts already under way.
//!
//! Results are per variant: delivered, failed, blocked, clicked (deep-link starts within
//! the attribution window after the message was released) and orders paid within it. The
//! holdout gets no message; its orders in the same window are the baseline.
//!
//! With a [`WinnerRule`], planning gives a variant to only the test share of the audience;
//! the rest are stored `awaiting_winner`. The [`WINNER_JOB`] (or staff, earlier, through
//! [`pick_winner`]) picks the variant that did best by the rule's metric, records it on the
//! broadcast and hands it to the awaiting recipients, who are then released like the
//! others. Recording the winner is conditional on there being none yet, so a job run twice
//! (or racing staff) changes nothing the second time.
//!
//! Chat targets ([`BroadcastDraft::chats`]) go through the same recipient rows, keyed by
//! chat without a customer: no consent applies to a group, and each chat gets the text in
//! its own language ([`crate::community::ChatRecord::language`]).

use crate::calendar::LinkButton;
use crate::crm::CurrencyTotal;
use crate::customer::CustomerId;
use crate::event::NewEvent;
use crate::job::NewJob;
use crate::outbox::{Action, NewOutbound};
use crate::segment::{marketing_may_reach, parse_field, scan, Rule, SegmentId};
use crate::store::{Store, Tx};
use crate::{Error, FieldError, Result};
use async_trait::async_trait;
use chrono::{DateTime, Duration, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::collections::BTreeMap;

/// The job that releases a broadcast's due recipients into the outbox.
pub const RELEASE_JOB: &str = "broadcast.release";

/// The job that picks an A/B test's winner and sends it to the rest of the audience.
pub const WINNER_JOB: &str = "broadcast.winner";

/// The store's id of a broadcast.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct BroadcastId(pub i64);

/// Where a broadcast is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BroadcastStatus {
    /// Planned; recipients are released as their send times come.
    Sending,
    /// Staff paused it: nothing more is released until it is resumed.
    Paused,
    /// Every recipient was released, skipped or cancelled.
    Done,
    Cancelled,
}

impl BroadcastStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            BroadcastStatus::Sending => "sending",
            BroadcastStatus::Paused => "paused",
            BroadcastStatus::Done => "done",
            BroadcastStatus::Cancelled => "cancelled",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "sending" => Some(BroadcastStatus::Sending),
            "paused" => Some(BroadcastStatus::Paused),
            "done" => Some(BroadcastStatus::Done),
            "cancelled" => Some(BroadcastStatus::Cancelled),
            _ => None,
        }
    }
}

/// A text message: its text per language and its link buttons (an automation step's
/// message; see [`BroadcastVariant`] for a broadcast's, which may have a photo).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Variant {
    /// Text per language tag (`en`, `es`, `zh-CN`); a customer whose language has none gets
    /// the bot's default language, else the first listed. `{name}` becomes their first name.
    pub texts: BTreeMap<String, String>,
    /// Rows of link buttons (a product's deep link, a coupon's).
    #[serde(default)]
    pub buttons: Vec<Vec<LinkButton>>,
}

/// One variant of a broadcast: its text per language, an optional photo and its link
/// buttons.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BroadcastVariant {
    /// Text per language tag (`en`, `es`, `zh-CN`); a customer whose language has none gets
    /// the bot's default language, else the first listed. `{name}` becomes their first name
    /// (a chat's title in a chat).
    pub texts: BTreeMap<String, String>,
    /// A photo (an `https://` URL or a Telegram file id): the message is the photo with the
    /// text as its caption. Stored broadcasts from before photos read as without one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub photo: Option<String>,
    /// Rows of link buttons (a product's deep link, a coupon's).
    #[serde(default)]
    pub buttons: Vec<Vec<LinkButton>>,
}

/// What an A/B test's winner is judged by, per recipient of each variant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WinnerMetric {
    /// Recipients who started the bot through a deep link within the window.
    Clicks,
    /// Recipients who paid an order within the window.
    Buyers,
    /// What those orders came to in the bot's currency.
    Revenue,
}

/// Auto-send of an A/B test's winner: only `test_percent` of the audience gets a variant;
/// `after_hours` after the send time (for a local time, the earliest zone's) the best
/// variant by `metric` goes to the rest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WinnerRule {
    /// 5-50.
    pub test_percent: u8,
    /// 1-168.
    pub after_hours: u32,
    pub metric: WinnerMetric,
}

/// A broadcast as staff ask for it. Exactly one of `rule`, `segment_id` and `chats` picks
/// the audience; at most one of `send_at` and `local_time` sets the time (neither: now).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BroadcastDraft {
    /// The bot that sends it (its key); may be left out when there is one bot.
    #[serde(default)]
    pub bot: Option<String>,
    pub name: String,
    #[serde(default)]
    pub rule: Option<String>,
    #[serde(default)]
    pub segment_id: Option<SegmentId>,
    /// Chats of the bot (groups, channels) to post in instead of messaging customers: one
    /// variant, no holdout, no local time.
    #[serde(default)]
    pub chats: Option<Vec<i64>>,
    /// One to four; with more than one, recipients are split evenly at random.
    pub variants: Vec<BroadcastVariant>,
    /// Share of the audience (0-50 %) that gets nothing, as a baseline.
    #[serde(default)]
    pub holdout_percent: u8,
    #[serde(default)]
    pub send_at: Option<DateTime<Utc>>,
    /// A wall-clock time (`2026-12-01T10:00:00`) in each recipient's time zone.
    #[serde(default)]
    pub local_time: Option<NaiveDateTime>,
    /// How long after a message clicks and orders count for it (hours, 1-720).
    #[serde(default = "default_attribution_hours")]
    pub attribution_hours: u32,
    /// Send only to a test share, then the winner to the rest (2-4 variants).
    #[serde(default)]
    pub winner: Option<WinnerRule>,
}

fn default_attribution_hours() -> u32 {
    72
}

/// A broadcast about to be stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewBroadcast {
    pub bot: String,
    pub name: String,
    /// The rule as evaluated (a saved segment's at the time).
    pub rule: String,
    pub segment_id: Option<SegmentId>,
    /// The chats it posts in (empty: it goes to customers).
    pub chats: Vec<i64>,
    pub variants: Vec<BroadcastVariant>,
    pub holdout_percent: u8,
    pub send_at: Option<DateTime<Utc>>,
    pub local_time: Option<NaiveDateTime>,
    pub attribution_hours: u32,
    pub winner: Option<WinnerRule>,
    pub at: DateTime<Utc>,
}

/// A broadcast as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Broadcast {
    pub id: BroadcastId,
    pub bot: String,
    pub name: String,
    pub rule: String,
    pub segment_id: Option<SegmentId>,
    pub variants: Vec<BroadcastVariant>,
    pub holdout_percent: u8,
    pub send_at: Option<DateTime<Utc>>,
    pub local_time: Option<NaiveDateTime>,
    pub attribution_hours: u32,
    pub status: BroadcastStatus,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// The chats it posts in (empty: it goes to customers).
    #[serde(default)]
    pub chats: Vec<i64>,
    /// Its auto-send rule, if it tests variants on a share first.
    #[serde(default)]
    pub winner: Option<WinnerRule>,
    /// The variant picked as the winner (and sent to the rest), once picked.
    #[serde(default)]
    pub winner_variant: Option<u8>,
    #[serde(default)]
    pub winner_at: Option<DateTime<Utc>>,
}

/// What a recipient is planned to get.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Assignment {
    /// The variant of this index, stored `planned`.
    Variant(u8),
    /// Nothing: stored held out, released at its send time without a message.
    HeldOut,
    /// The winner of the test, once picked: stored `awaiting_winner`.
    AwaitingWinner,
}

/// A recipient about to be stored: a customer in their private chat, or (`customer: None`)
/// a chat the broadcast posts in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewRecipient {
    pub customer: Option<CustomerId>,
    pub chat_id: i64,
    pub assignment: Assignment,
    pub send_at: DateTime<Utc>,
}

/// Where a recipient is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RecipientState {
    /// Not released yet.
    Planned,
    /// In the outbox, not sent yet.
    Waiting,
    Delivered,
    /// The outbox gave up on it (blocked, chat not found...).
    Failed,
    /// Not sent: no marketing consent or the bot blocked when it was due, or the consent
    /// was withdrawn while it waited.
    Skipped,
    /// In the holdout.
    HeldOut,
    /// The broadcast was cancelled before it went.
    Cancelled,
    /// Outside the test share: gets the winner once it is picked.
    AwaitingWinner,
}

impl RecipientState {
    pub const ALL: [RecipientState; 8] = [
        RecipientState::Planned,
        RecipientState::Waiting,
        RecipientState::Delivered,
        RecipientState::Failed,
        RecipientState::Skipped,
        RecipientState::HeldOut,
        RecipientState::Cancelled,
        RecipientState::AwaitingWinner,
    ];
}

/// A due recipient as the release step sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DueRecipient {
    /// The recipient row's id.
    pub id: i64,
    /// `None` for a chat.
    pub customer: Option<CustomerId>,
    pub chat_id: i64,
    pub variant: u8,
    /// The customer's first name, or the chat's title.
    pub first_name: String,
    /// The bot's language for them, else their Telegram's; a chat's language setting.
    pub language: Option<String>,
    /// Marketing consent now and the bot not blocked (always for a chat).
    pub reachable: bool,
}

/// Where a chat target's post is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChatDelivery {
    pub chat_id: i64,
    pub state: RecipientState,
}

/// How many recipients of a variant (`None`: the holdout) are in a state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Tally {
    pub variant: Option<u8>,
    pub state: RecipientState,
    pub count: i64,
}

/// A variant's results (`variant: None`: the holdout).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Outcome {
    pub variant: Option<u8>,
    pub recipients: i64,
    pub delivered: i64,
    pub failed: i64,
    /// Recipients who have blocked the bot since it was planned.
    pub blocked: i64,
    /// Recipients who started the bot through a deep link within the window after their
    /// release.
    pub clicked: i64,
    /// Recipients with an order paid within the window after their release.
    pub buyers: i64,
    /// Those orders per currency (still paid: refunded orders do not count).
    pub orders: Vec<CurrencyTotal>,
}

/// Broadcasts outside any transaction.
#[async_trait]
pub trait BroadcastStore: Send + Sync {
    async fn broadcast(&self, id: BroadcastId) -> Result<Option<Broadcast>>;
    /// Newest first, at most `limit`.
    async fn broadcasts(&self, limit: i64) -> Result<Vec<Broadcast>>;
    /// Recipients per variant and state (only non-zero counts).
    async fn broadcast_tally(&self, id: BroadcastId) -> Result<Vec<Tally>>;
    /// Results per variant (and the holdout, if any), attributing clicks and orders within
    /// the broadcast's window after each recipient's release. Variants without recipients
    /// are left out.
    async fn broadcast_outcomes(&self, id: BroadcastId) -> Result<Vec<Outcome>>;
    /// A recipient's variant (`Some(None)` for the holdout, or while awaiting the winner);
    /// `None` if not a recipient.
    async fn broadcast_assignment(
        &self,
        id: BroadcastId,
        customer: CustomerId,
    ) -> Result<Option<Option<u8>>>;
    /// The state of each chat a broadcast posts in, by chat id.
    async fn broadcast_chat_deliveries(&self, id: BroadcastId) -> Result<Vec<ChatDelivery>>;
}

/// Broadcast writes inside a [`crate::store::Tx`].
#[async_trait]
pub trait BroadcastTx: Send {
    /// Stores a new broadcast, `sending`.
    async fn create_broadcast(&mut self, broadcast: &NewBroadcast) -> Result<Broadcast>;
    /// Stores recipients (one statement per few hundred rows).
    async fn add_recipients(&mut self, id: BroadcastId, recipients: &[NewRecipient]) -> Result<()>;
    /// The broadcast as this transaction sees it, its row locked on PostgreSQL.
    async fn broadcast_for_update(&mut self, id: BroadcastId) -> Result<Option<Broadcast>>;
    async fn set_broadcast_status(
        &mut self,
        id: BroadcastId,
        status: BroadcastStatus,
        at: DateTime<Utc>,
    ) -> Result<()>;
    /// Planned recipients with `send_at <= now`, by send time then id, at most `limit`,
    /// locked on PostgreSQL (`SKIP LOCKED`).
    async fn due_recipients(
        &mut self,
        id: BroadcastId,
        now: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<DueRecipient>>;
    /// Marks recipients queued as outbox messages `(recipient id, outbox id)`.
    async fn mark_queued(&mut self, queued: &[(i64, i64)], at: DateTime<Utc>) -> Result<()>;
    /// Marks recipients skipped for `reason` (`unreachable`: no marketing consent or the
    /// bot blocked when they were due).
    async fn mark_skipped(&mut self, ids: &[i64], reason: &str, at: DateTime<Utc>) -> Result<()>;
    /// Broadcast messages of bot `bot` (of any broadcast) waiting in the outbox, this
    /// transaction's included.
    async fn pending_broadcast_messages(&mut self, bot: &str) -> Result<i64>;
    /// The earliest send time of a planned recipient.
    async fn next_planned_at(&mut self, id: BroadcastId) -> Result<Option<DateTime<Utc>>>;
    /// Cancels what has not gone yet: planned recipients, those awaiting the winner, and
    /// queued ones whose outbox message is still pending (the message is given up with
    /// `cancelled`). Returns how many recipients were cancelled.
    async fn cancel_unsent(&mut self, id: BroadcastId, at: DateTime<Utc>) -> Result<i64>;
    /// Records `variant` as the broadcast's winner, only if it has none yet; `false` (and
    /// nothing changed) if it had one.
    async fn set_broadcast_winner(
        &mut self,
        id: BroadcastId,
        variant: u8,
        at: DateTime<Utc>,
    ) -> Result<bool>;
    /// The time zones of the customers of the recipients awaiting the winner of broadcast
    /// `id`, each once (customers without one are left out).
    async fn awaiting_winner_zones(&mut self, id: BroadcastId) -> Result<Vec<String>>;
    /// Gives `variant` to every recipient awaiting the winner and plans them: due at the
    /// time `by_zone` gives their customer's time zone, or at `otherwise` (no time zone, or
    /// one not listed). Returns how many.
    async fn assign_winner(
        &mut self,
        id: BroadcastId,
        variant: u8,
        by_zone: &[(String, DateTime<Utc>)],
        otherwise: DateTime<Utc>,
    ) -> Result<i64>;
    /// Takes the customer's waiting broadcast messages (of any broadcast) back out of the
    /// outbox (given up with `opted out`) and marks those recipients skipped
    /// (`opted_out`); gives up their waiting marketing automation messages the same way.
    /// Returns how many broadcast messages.
    async fn withdraw_marketing(&mut self, customer: CustomerId, at: DateTime<Utc>) -> Result<i64>;
}

// --- use cases ---

/// Most variants a broadcast may have.
pub const MAX_VARIANTS: usize = 4;
/// Most chats one broadcast may post in.
pub const MAX_CHATS: usize = 100;
/// Telegram's limit on a photo's caption (UTF-16 code units, as Telegram counts).
pub const MAX_CAPTION: usize = 1024;
/// What `{name}` may grow to: Telegram's longest first name (a chat's title is longer, but
/// a chat post rarely greets by name).
const NAME_ALLOWANCE: usize = 64;
/// Recipients stored per call while planning.
const PLAN_BATCH: usize = 1_000;

impl BroadcastDraft {
    /// Every rule a draft must meet on its own, all problems at once. `default_language`
    /// is the bot's: every variant needs a text in it, for customers whose language has
    /// none.
    pub fn validate(
        &self,
        default_language: &str,
        now: DateTime<Utc>,
    ) -> std::result::Result<(), Vec<FieldError>> {
        let mut errors = Vec::new();
        if self.name.trim().is_empty() || self.name.chars().count() > 100 {
            errors.push(FieldError::new("name", "must be 1-100 characters"));
        }
        match (&self.rule, self.segment_id, &self.chats) {
            (Some(rule), None, None) => {
                if let Err(e) = Rule::parse(rule) {
                    errors.push(FieldError::new("rule", e.to_string()));
                }
            }
            (None, Some(_), None) => {}
            (None, None, Some(chats)) => self.check_chat_target(chats, &mut errors),
            _ => errors.push(FieldError::new(
                "rule",
                "give exactly one of a rule, a segment_id or chats",
            )),
        }
        if self.variants.is_empty() || self.variants.len() > MAX_VARIANTS {
            errors.push(FieldError::new("variants", "give 1-4 variants"));
        }
        for (i, variant) in self.variants.iter().enumerate() {
            let field = format!("variants[{i}]");
            if !variant.texts.contains_key(default_language) {
                errors.push(FieldError::new(
                    format!("{field}.texts"),
                    format!("needs a text in the bot's default language `{default_language}`"),
                ));
            }
            if variant.texts.iter().any(|(language, text)| {
                language.is_empty()
                    || language.len() > 10
                    || text.trim().is_empty()
                    || text.chars().count() > 4096
            }) {
                errors.push(FieldError::new(
                    format!("{field}.texts"),
                    "each text needs a language tag and 1-4096 characters",
                ));
            }
            for e in crate::calendar::button_errors(&variant.buttons) {
                errors.push(FieldError::new(
                    format!("{field}.buttons"),
                    e.message.clone(),
                ));
            }
            if let Some(photo) = &variant.photo {
                if !is_photo_reference(photo) {
                    errors.push(FieldError::new(
                        format!("{field}.photo"),
                        "give an https:// URL or a Telegram file id",
                    ));
                }
                for (language, text) in &variant.texts {
                    let length = caption_length(text);
                    if length > MAX_CAPTION {
                        errors.push(FieldError::new(
                            format!("{field}.texts.{language}"),
                            format!(
                                "a photo's caption is at most {MAX_CAPTION} characters \
                                 ({{name}} counted as {NAME_ALLOWANCE}); this one is {length}"
                            ),
                        ));
                    }
                }
            }
        }
        if let Some(winner) = &self.winner {
            if !(2..=MAX_VARIANTS).contains(&self.variants.len()) {
                errors.push(FieldError::new(
                    "winner",
                    "sending the winner needs 2-4 variants",
                ));
            }
            if !(5..=50).contains(&winner.test_percent) {
                errors.push(FieldError::new("winner.test_percent", "must be 5-50"));
            }
            if !(1..=168).contains(&winner.after_hours) {
                errors.push(FieldError::new("winner.after_hours", "must be 1-168"));
            }
        }
        if self.holdout_percent > 50 {
            errors.push(FieldError::new("holdout_percent", "must be 0-50"));
        }
        match (self.send_at, self.local_time) {
            (Some(_), Some(_)) => errors.push(FieldError::new(
                "send_at",
                "give either send_at or local_time, not both",
            )),
            (Some(at), None) if at <= now => {
                errors.push(FieldError::new("send_at", "must be in the future"));
            }
            (None, Some(local)) if local < now.naive_utc() - Duration::hours(14) => {
                // Past in every time zone (the furthest ahead is UTC+14).
                errors.push(FieldError::new("local_time", "has passed everywhere"));
            }
            _ => {}
        }
        if !(1..=720).contains(&self.attribution_hours) {
            errors.push(FieldError::new("attribution_hours", "must be 1-720"));
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }

    /// What a post in chats cannot have: a chat is not a person with a time zone, and one
    /// post per chat leaves nothing to test.
    fn check_chat_target(&self, chats: &[i64], errors: &mut Vec<FieldError>) {
        if chats.is_empty() || chats.len() > MAX_CHATS {
            errors.push(FieldError::new(
                "chats",
                format!("give 1-{MAX_CHATS} chats"),
            ));
        }
        let mut seen = std::collections::BTreeSet::new();
        if let Some(twice) = chats.iter().find(|c| !seen.insert(**c)) {
            errors.push(FieldError::new(
                "chats",
                format!("chat {twice} is listed twice"),
            ));
        }
        if self.local_time.is_some() {
            errors.push(FieldError::new(
                "local_time",
                "a chat has no time zone: give send_at for chats",
            ));
        }
        if self.variants.len() > 1 {
            errors.push(FieldError::new(
                "variants",
                "a post in chats has one variant (A/B tests are for customers)",
            ));
        }
        if self.holdout_percent > 0 {
            errors.push(FieldError::new(
                "holdout_percent",
                "must be 0 for a post in chats",
            ));
        }
        if self.winner.is_some() {
            errors.push(FieldError::new("winner", "a post in chats has no A/B test"));
        }
    }
}

/// An `https://` URL or what a Telegram file id looks like (URL-safe base64).
fn is_photo_reference(photo: &str) -> bool {
    if let Some(rest) = photo.strip_prefix("https://") {
        return !rest.is_empty()
            && photo.len() <= 2048
            && !photo.chars().any(|c| c.is_whitespace() || c.is_control());
    }
    (1..=255).contains(&photo.len())
        && photo
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

/// A caption's length as Telegram counts it (UTF-16 code units), `{name}` taken at its
/// longest.
fn caption_length(text: &str) -> usize {
    let names = text.matches("{name}").count();
    text.encode_utf16().count() - names * "{name}".len() + names * NAME_ALLOWANCE
}

/// The release job of a broadcast, due at `at` (one waiting per broadcast).
pub fn release_job(id: BroadcastId, at: DateTime<Utc>) -> NewJob {
    NewJob::new(RELEASE_JOB, json!({ "broadcast": id.0 }), at)
        .dedup_key(format!("broadcast:{}:release", id.0))
}

/// The winner job of a broadcast, due at `at` (one per broadcast).
pub fn winner_job(id: BroadcastId, at: DateTime<Utc>) -> NewJob {
    NewJob::new(WINNER_JOB, json!({ "broadcast": id.0 }), at)
        .dedup_key(format!("broadcast:{}:winner", id.0))
}

/// The broadcast a release or winner job is about.
pub fn job_broadcast(payload: &serde_json::Value) -> Result<BroadcastId> {
    payload["broadcast"]
        .as_i64()
        .map(BroadcastId)
        .ok_or_else(|| Error::Invalid("broadcast job without a broadcast".into()))
}

/// Who a plan reaches and when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Planned {
    pub broadcast: Broadcast,
    /// Customers the rule matched (chats named, for a post in chats).
    pub matched: u64,
    /// Of them, those marketing may reach: the recipients.
    pub recipients: u64,
    pub held_out: u64,
    /// Recipients outside the test share, who get the winner later.
    pub awaiting_winner: u64,
    /// How long evaluating the rule and assigning took, in milliseconds.
    pub planning_ms: u64,
}

/// Plans a broadcast by bot `bot` (whose default language is `default_language`): stores
/// it with its recipients and schedules its first release (and the pick of its winner).
/// Customers without a time zone are taken to be in `default_time_zone`.
pub async fn plan(
    store: &dyn Store,
    bot: &str,
    default_language: &str,
    default_time_zone: &str,
    draft: &BroadcastDraft,
    now: DateTime<Utc>,
) -> Result<Planned> {
    draft
        .validate(default_language, now)
        .map_err(Error::Fields)?;
    if let Some(chats) = &draft.chats {
        return plan_chats(store, bot, draft, chats, now).await;
    }
    let rule_text = match (&draft.rule, draft.segment_id) {
        (Some(rule), _) => rule.clone(),
        (None, Some(id)) => match store.segment(id).await? {
            Some(segment) => segment.rule,
            None => {
                return Err(Error::Fields(vec![FieldError::new(
                    "segment_id",
                    format!("no segment {}", id.0),
                )]))
            }
        },
        (None, None) => unreachable_rule()?,
    };
    let rule = parse_field("rule", &rule_text)?;
    let started = std::time::Instant::now();
    let mut matched = 0u64;
    let mut audience: Vec<(CustomerId, i64, DateTime<Utc>)> = Vec::new();
    scan(store, &rule, now, |row| {
        matched += 1;
        if marketing_may_reach(row) {
            let send_at = match (draft.send_at, draft.local_time) {
                (Some(at), _) => at,
                (None, Some(local)) => {
                    let zone = row.time_zone.as_deref().unwrap_or(default_time_zone);
                    crate::time_zone::local_to_utc(local, zone).max(now)
                }
                (None, None) => now,
            };
            audience.push((row.customer, row.telegram_user_id, send_at));
        }
    })
    .await?;
    let recipients = assign(
        &audience,
        draft.variants.len(),
        draft.holdout_percent,
        draft.winner.map(|w| w.test_percent),
    );
    let planning_ms = started.elapsed().as_millis() as u64;
    store_plan(
        store,
        bot,
        draft,
        rule_text,
        &recipients,
        matched,
        planning_ms,
        now,
    )
    .await
}

/// Plans a post in chats: each must be a chat the bot is in.
async fn plan_chats(
    store: &dyn Store,
    bot: &str,
    draft: &BroadcastDraft,
    chats: &[i64],
    now: DateTime<Utc>,
) -> Result<Planned> {
    let known: BTreeMap<i64, String> = store
        .chats(bot)
        .await?
        .into_iter()
        .map(|c| (c.seen.chat_id, c.seen.bot_status))
        .collect();
    let mut errors = Vec::new();
    for chat in chats {
        match known.get(chat).map(String::as_str) {
            None => errors.push(FieldError::new(
                "chats",
                format!("the bot knows no chat {chat}"),
            )),
            Some("left" | "kicked") => errors.push(FieldError::new(
                "chats",
                format!("the bot is no longer in chat {chat}"),
            )),
            Some(_) => {}
        }
    }
    if !errors.is_empty() {
        return Err(Error::Fields(errors));
    }
    let send_at = draft.send_at.unwrap_or(now);
    let recipients: Vec<NewRecipient> = chats
        .iter()
        .map(|&chat_id| NewRecipient {
            customer: None,
            chat_id,
            assignment: Assignment::Variant(0),
            send_at,
        })
        .collect();
    store_plan(
        store,
        bot,
        draft,
        String::new(),
        &recipients,
        chats.len() as u64,
        0,
        now,
    )
    .await
}

/// Stores a planned broadcast with its recipients, its first release and its winner's pick,
/// in one transaction.
#[allow(clippy::too_many_arguments)]
async fn store_plan(
    store: &dyn Store,
    bot: &str,
    draft: &BroadcastDraft,
    rule_text: String,
    recipients: &[NewRecipient],
    matched: u64,
    planning_ms: u64,
    now: DateTime<Utc>,
) -> Result<Planned> {
    let held_out = recipients
        .iter()
        .filter(|r| r.assignment == Assignment::HeldOut)
        .count() as u64;
    let awaiting_winner = recipients
        .iter()
        .filter(|r| r.assignment == Assignment::AwaitingWinner)
        .count() as u64;
    let mut tx = store.begin().await?;
    let broadcast = tx
        .create_broadcast(&NewBroadcast {
            bot: bot.to_owned(),
            name: draft.name.trim().to_owned(),
            rule: rule_text,
            segment_id: draft.segment_id,
            chats: draft.chats.clone().unwrap_or_default(),
            variants: draft.variants.clone(),
            holdout_percent: draft.holdout_percent,
            send_at: draft.send_at,
            local_time: draft.local_time,
            attribution_hours: draft.attribution_hours,
            winner: draft.winner,
            at: now,
        })
        .await?;
    for chunk in recipients.chunks(PLAN_BATCH) {
        tx.add_recipients(broadcast.id, chunk).await?;
    }
    let first = recipients
        .iter()
        .filter(|r| matches!(r.assignment, Assignment::Variant(_)))
        .map(|r| r.send_at)
        .min()
        .unwrap_or(now);
    tx.schedule_job(&release_job(broadcast.id, first)).await?;
    if let Some(winner) = draft.winner {
        // Counted from the earliest send: for a local time, the first zone's.
        let earliest = recipients.iter().map(|r| r.send_at).min().unwrap_or(now);
        let at = earliest + Duration::hours(i64::from(winner.after_hours));
        tx.schedule_job(&winner_job(broadcast.id, at)).await?;
    }
    tx.append_event(
        &NewEvent::new("broadcast_planned", now)
            .bot(bot)
            .source(Some("api".into()))
            .data(json!({
                "broadcast": broadcast.id.0,
                "matched": matched,
                "recipients": recipients.len(),
                "held_out": held_out,
                "awaiting_winner": awaiting_winner,
            })),
    )
    .await?;
    tx.commit().await?;
    Ok(Planned {
        broadcast,
        matched,
        recipients: recipients.len() as u64,
        held_out,
        awaiting_winner,
        planning_ms,
    })
}

fn unreachable_rule() -> Result<String> {
    Err(Error::Fields(vec![FieldError::new(
        "rule",
        "give either a rule or a segment_id",
    )]))
}

/// Assigns each of the audience a variant at random, or with `holdout_percent` chance the
/// holdout; with a `test_percent`, only that share gets a variant and the rest await the
/// winner.
fn assign(
    audience: &[(CustomerId, i64, DateTime<Utc>)],
    variants: usize,
    holdout_percent: u8,
    test_percent: Option<u8>,
) -> Vec<NewRecipient> {
    use rand::Rng;
    let mut rng = rand::rng();
    let tested = test_percent.map_or(100, |p| holdout_percent.saturating_add(p));
    audience
        .iter()
        .map(|&(customer, chat_id, send_at)| {
            let draw = rng.random_range(0..100u8);
            let assignment = if draw < holdout_percent {
                Assignment::HeldOut
            } else if draw < tested {
                Assignment::Variant(rng.random_range(0..variants) as u8)
            } else {
                Assignment::AwaitingWinner
            };
            NewRecipient {
                customer: Some(customer),
                chat_id,
                assignment,
                send_at,
            }
        })
        .collect()
}

/// The text of `variant` for a customer speaking `language`: that language, else its
/// primary subtag (`es` for `es-MX`), else the bot's default. `{name}` becomes the first
/// name.
pub fn text_for(
    variant: &Variant,
    language: Option<&str>,
    default_language: &str,
    first_name: &str,
) -> String {
    text_in(&variant.texts, language, default_language, first_name)
}

/// Of `texts` by language, the one for someone speaking `language`, as [`text_for`] picks
/// it.
pub fn text_in(
    texts: &BTreeMap<String, String>,
    language: Option<&str>,
    default_language: &str,
    first_name: &str,
) -> String {
    let pick = language
        .and_then(|l| {
            texts.get(l).or_else(|| {
                let primary = l.split('-').next().unwrap_or(l);
                texts.get(primary)
            })
        })
        .or_else(|| texts.get(default_language))
        .or_else(|| texts.values().next())
        .map_or("", String::as_str);
    pick.replace("{name}", first_name)
}

/// What one release step did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Released {
    pub queued: usize,
    pub skipped: usize,
    /// When to run again; `None` when there is nothing left to release (or the broadcast is
    /// paused or cancelled).
    pub next: Option<DateTime<Utc>>,
}

/// How soon to look again while recipients are due but the outbox holds enough.
const RELEASE_INTERVAL: Duration = Duration::seconds(1);

/// Releases due recipients of broadcast `id` into the outbox, so that at most `window`
/// broadcast messages of its bot wait there (what the sender gets through in a few
/// seconds): an opt-out or a pause takes effect within that window, and broadcasts running
/// at once share it. Recipients who withdrew consent or blocked
/// the bot meanwhile are skipped.
pub async fn release(
    tx: &mut dyn Tx,
    id: BroadcastId,
    default_language: &str,
    window: i64,
    now: DateTime<Utc>,
) -> Result<Released> {
    let mut released = Released::default();
    let Some(broadcast) = tx.broadcast_for_update(id).await? else {
        return Ok(released);
    };
    if broadcast.status != BroadcastStatus::Sending {
        return Ok(released);
    }
    let room = window - tx.pending_broadcast_messages(&broadcast.bot).await?;
    if room <= 0 {
        released.next = Some(now + RELEASE_INTERVAL);
        return Ok(released);
    }
    let due = tx.due_recipients(id, now, room).await?;
    let mut queued = Vec::with_capacity(due.len());
    let mut skipped = Vec::new();
    for recipient in &due {
        if !recipient.reachable {
            skipped.push(recipient.id);
            continue;
        }
        let Some(variant) = broadcast.variants.get(usize::from(recipient.variant)) else {
            skipped.push(recipient.id);
            continue;
        };
        let text = text_in(
            &variant.texts,
            recipient.language.as_deref(),
            default_language,
            &recipient.first_name,
        );
        let buttons = crate::calendar::keyboard(&variant.buttons);
        let action = match &variant.photo {
            Some(photo) => Action::SendPhoto {
                photo: photo.clone(),
                caption: text,
                buttons,
            },
            None => Action::SendText { text, buttons },
        };
        let outbox_id = tx
            .enqueue(&NewOutbound {
                bot: broadcast.bot.clone(),
                chat_id: recipient.chat_id,
                customer_id: recipient.customer,
                action,
                broadcast: true,
                not_before: now,
                created_at: now,
            })
            .await?;
        queued.push((recipient.id, outbox_id));
    }
    tx.mark_queued(&queued, now).await?;
    tx.mark_skipped(&skipped, "unreachable", now).await?;
    released.queued = queued.len();
    released.skipped = skipped.len();
    released.next = if (due.len() as i64) < room {
        // Everything due now is out; the next send time, if any.
        match tx.next_planned_at(id).await? {
            Some(at) => Some(at.max(now)),
            // The rest await the winner: its pick schedules the next release.
            None if broadcast.winner.is_some() && broadcast.winner_variant.is_none() => None,
            None => {
                tx.set_broadcast_status(id, BroadcastStatus::Done, now)
                    .await?;
                tx.append_event(
                    &NewEvent::new("broadcast_done", now)
                        .bot(&broadcast.bot)
                        .data(json!({ "broadcast": id.0 })),
                )
                .await?;
                None
            }
        }
    } else {
        Some(now + RELEASE_INTERVAL)
    };
    Ok(released)
}

/// The variant that did best by `metric` among `variants` variants (ties: the lowest
/// index). Revenue counts orders in `currency` only: amounts in different currencies do
/// not compare.
pub fn choose_winner(
    outcomes: &[Outcome],
    variants: usize,
    metric: WinnerMetric,
    currency: &str,
) -> u8 {
    let score = |variant: u8| -> i64 {
        outcomes
            .iter()
            .find(|o| o.variant == Some(variant))
            .map_or(0, |o| match metric {
                WinnerMetric::Clicks => o.clicked,
                WinnerMetric::Buyers => o.buyers,
                WinnerMetric::Revenue => o
                    .orders
                    .iter()
                    .filter(|t| t.currency == currency)
                    .map(|t| t.total)
                    .sum(),
            })
    };
    let mut best = 0u8;
    for variant in 1..variants.min(MAX_VARIANTS) as u8 {
        if score(variant) > score(best) {
            best = variant;
        }
    }
    best
}

/// The [`WINNER_JOB`]'s work: picks the winner of broadcast `id` by its rule's metric from
/// `outcomes` (its results, read before) and sends it to the rest. Does nothing if the
/// broadcast has no rule, was cancelled or is done, or has its winner already (staff picked
/// it, or this ran before). `currency` is the bot's, for the revenue metric; customers
/// without a time zone are taken to be in `default_time_zone`.
pub async fn pick_winner_when_due(
    tx: &mut dyn Tx,
    id: BroadcastId,
    outcomes: &[Outcome],
    currency: &str,
    default_time_zone: &str,
    now: DateTime<Utc>,
) -> Result<Option<u8>> {
    let Some(broadcast) = tx.broadcast_for_update(id).await? else {
        return Ok(None);
    };
    let Some(rule) = broadcast.winner else {
        return Ok(None);
    };
    if broadcast.winner_variant.is_some() || !broadcast_open(broadcast.status) {
        return Ok(None);
    }
    let variant = choose_winner(outcomes, broadcast.variants.len(), rule.metric, currency);
    Ok(
        settle_winner(tx, &broadcast, variant, "auto", default_time_zone, now)
            .await?
            .then_some(variant),
    )
}

/// Staff pick the winner of broadcast `id` by hand, before the job would: it goes to the
/// rest now, and the job later finds the winner picked and does nothing. Customers without
/// a time zone are taken to be in `default_time_zone`.
pub async fn pick_winner(
    store: &dyn Store,
    id: BroadcastId,
    variant: u8,
    default_time_zone: &str,
    now: DateTime<Utc>,
) -> Result<Broadcast> {
    let mut tx = store.begin().await?;
    let Some(broadcast) = tx.broadcast_for_update(id).await? else {
        return Err(Error::NotFound(format!("broadcast {}", id.0)));
    };
    if broadcast.winner.is_none() {
        return Err(Error::Conflict(format!(
            "broadcast {} does not send a winner",
            id.0
        )));
    }
    if let Some(picked) = broadcast.winner_variant {
        return Err(Error::Conflict(format!(
            "broadcast {} has its winner already (variant {picked})",
            id.0
        )));
    }
    if !broadcast_open(broadcast.status) {
        return Err(Error::Conflict(format!(
            "broadcast {} is {}",
            id.0,
            broadcast.status.as_str()
        )));
    }
    if usize::from(variant) >= broadcast.variants.len() {
        return Err(Error::Fields(vec![FieldError::new(
            "variant",
            format!(
                "must be the index of one of the {} variants",
                broadcast.variants.len()
            ),
        )]));
    }
    settle_winner(
        tx.as_mut(),
        &broadcast,
        variant,
        "staff",
        default_time_zone,
        now,
    )
    .await?;
    tx.commit().await?;
    store
        .broadcast(id)
        .await?
        .ok_or_else(|| Error::NotFound(format!("broadcast {}", id.0)))
}

fn broadcast_open(status: BroadcastStatus) -> bool {
    matches!(status, BroadcastStatus::Sending | BroadcastStatus::Paused)
}

/// Records `variant` as the winner (if none is yet), plans the awaiting recipients with it
/// and schedules their release. `false` if a winner was recorded before.
async fn settle_winner(
    tx: &mut dyn Tx,
    broadcast: &Broadcast,
    variant: u8,
    by: &str,
    default_time_zone: &str,
    now: DateTime<Utc>,
) -> Result<bool> {
    if !tx.set_broadcast_winner(broadcast.id, variant, now).await? {
        return Ok(false);
    }
    // A local-time broadcast sends the rest at the same local time a day or more later
    // (the next at or after now) in each one's time zone, not all at once.
    let (by_zone, otherwise) = match broadcast.local_time {
        Some(local) => {
            let by_zone: Vec<(String, DateTime<Utc>)> = tx
                .awaiting_winner_zones(broadcast.id)
                .await?
                .into_iter()
                .map(|zone| {
                    let at = crate::time_zone::same_local_time_from(local, &zone, now);
                    (zone, at)
                })
                .collect();
            let otherwise = crate::time_zone::same_local_time_from(local, default_time_zone, now);
            (by_zone, otherwise)
        }
        None => (Vec::new(), now),
    };
    let assigned = tx
        .assign_winner(broadcast.id, variant, &by_zone, otherwise)
        .await?;
    let next = tx
        .next_planned_at(broadcast.id)
        .await?
        .map_or(now, |at| at.max(now));
    tx.schedule_job(&release_job(broadcast.id, next)).await?;
    tx.append_event(
        &NewEvent::new("broadcast_winner", now)
            .bot(&broadcast.bot)
            .source(Some(by.to_owned()))
            .data(json!({
                "broadcast": broadcast.id.0,
                "variant": variant,
                "recipients": assigned,
            })),
    )
    .await?;
    Ok(true)
}

/// What staff can do to a broadcast under way.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Control {
    Pause,
    Resume,
    Cancel,
}

/// Pauses, resumes or cancels a broadcast. Pausing stops releases (messages already in the
/// outbox, at most a few seconds' worth, still go); cancelling also takes waiting messages
/// back out of the outbox.
pub async fn control(
    store: &dyn Store,
    id: BroadcastId,
    control: Control,
    now: DateTime<Utc>,
) -> Result<Broadcast> {
    let mut tx = store.begin().await?;
    let Some(broadcast) = tx.broadcast_for_update(id).await? else {
        return Err(Error::NotFound(format!("broadcast {}", id.0)));
    };
    let (allowed, to) = match control {
        Control::Pause => (
            broadcast.status == BroadcastStatus::Sending,
            BroadcastStatus::Paused,
        ),
        Control::Resume => (
            broadcast.status == BroadcastStatus::Paused,
            BroadcastStatus::Sending,
        ),
        Control::Cancel => (
            matches!(
                broadcast.status,
                BroadcastStatus::Sending | BroadcastStatus::Paused
            ),
            BroadcastStatus::Cancelled,
        ),
    };
    if !allowed {
        return Err(Error::Conflict(format!(
            "broadcast {} is {}",
            id.0,
            broadcast.status.as_str()
        )));
    }
    tx.set_broadcast_status(id, to, now).await?;
    match control {
        Control::Resume => {
            tx.schedule_job(&release_job(id, now)).await?;
        }
        Control::Cancel => {
            tx.cancel_unsent(id, now).await?;
        }
        Control::Pause => {}
    }
    tx.append_event(
        &NewEvent::new(&format!("broadcast_{}", to.as_str()), now)
            .bot(&broadcast.bot)
            .source(Some("api".into()))
            .data(json!({ "broadcast": id.0 })),
    )
    .await?;
    tx.commit().await?;
    store
        .broadcast(id)
        .await?
        .ok_or_else(|| Error::NotFound(format!("broadcast {}", id.0)))
}

/// Where a broadcast stands: its recipients by state and variant, and when the rest will
/// have been released at the sender's rate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Progress {
    pub broadcast: Broadcast,
    /// Per state, all variants together.
    pub states: BTreeMap<String, i64>,
    pub tally: Vec<Tally>,
    /// Planned recipients due already plus those waiting in the outbox, over `rate` per
    /// second; `None` when nothing is due.
    pub eta_seconds: Option<i64>,
}

/// The progress of broadcast `id`, estimating with the sender's `rate` per second.
pub async fn progress(
    store: &dyn Store,
    id: BroadcastId,
    rate: i64,
    now: DateTime<Utc>,
) -> Result<Progress> {
    let Some(broadcast) = store.broadcast(id).await? else {
        return Err(Error::NotFound(format!("broadcast {}", id.0)));
    };
    let tally = store.broadcast_tally(id).await?;
    let mut states: BTreeMap<String, i64> = RecipientState::ALL
        .iter()
        .map(|s| (state_name(*s).to_owned(), 0))
        .collect();
    for t in &tally {
        *states.entry(state_name(t.state).to_owned()).or_default() += t.count;
    }
    let left = states["planned"] + states["waiting"] + states["awaiting_winner"];
    let eta_seconds = (broadcast.status == BroadcastStatus::Sending && left > 0).then(|| {
        let by_rate = left / rate.max(1);
        // A local-time broadcast also waits for the last time zone's hour.
        let last_local = broadcast
            .local_time
            .map(|local| (local + Duration::hours(12)).and_utc() - now)
            .map_or(0, |d| d.num_seconds().max(0));
        by_rate.max(last_local.min(by_rate + 26 * 3600))
    });
    Ok(Progress {
        broadcast,
        states,
        tally,
        eta_seconds,
    })
}

fn state_name(state: RecipientState) -> &'static str {
    match state {
        RecipientState::Planned => "planned",
        RecipientState::Waiting => "waiting",
        RecipientState::Delivered => "delivered",
        RecipientState::Failed => "failed",
        RecipientState::Skipped => "skipped",
        RecipientState::HeldOut => "held_out",
        RecipientState::Cancelled => "cancelled",
        RecipientState::AwaitingWinner => "awaiting_winner",
    }
}

/// A customer withdrew marketing consent: their broadcast messages still waiting in the
/// outbox are taken back (in the same transaction as the consent record).
pub async fn marketing_withdrawn(
    tx: &mut dyn Tx,
    customer: CustomerId,
    now: DateTime<Utc>,
) -> Result<()> {
    let withdrawn = tx.withdraw_marketing(customer, now).await?;
    if withdrawn > 0 {
        tx.append_event(
            &NewEvent::new("broadcast_withdrawn", now)
                .customer(customer)
                .data(json!({ "messages": withdrawn })),
        )
        .await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn variant(texts: &[(&str, &str)]) -> BroadcastVariant {
        BroadcastVariant {
            texts: texts
                .iter()
                .map(|(l, t)| ((*l).to_owned(), (*t).to_owned()))
                .collect(),
            photo: None,
            buttons: Vec::new(),
        }
    }

    fn draft() -> BroadcastDraft {
        BroadcastDraft {
            bot: None,
            name: "Winter sale".into(),
            rule: Some("stage = active".into()),
            segment_id: None,
            chats: None,
            variants: vec![variant(&[("en", "Hi {name}"), ("es", "Hola {name}")])],
            holdout_percent: 0,
            send_at: None,
            local_time: None,
            attribution_hours: 72,
            winner: None,
        }
    }

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, 1, 0, 0, 0).unwrap()
    }

    #[test]
    fn texts_fall_back_from_region_to_language_to_default() {
        let v = Variant {
            texts: variant(&[
                ("en", "Hi {name}"),
                ("es", "Hola {name}"),
                ("zh-CN", "你好 {name}"),
            ])
            .texts,
            buttons: Vec::new(),
        };
        assert_eq!(text_for(&v, Some("es-MX"), "en", "Ana"), "Hola Ana");
        assert_eq!(text_for(&v, Some("zh-CN"), "en", "Li"), "你好 Li");
        assert_eq!(text_for(&v, Some("id"), "en", "Budi"), "Hi Budi");
        assert_eq!(text_for(&v, None, "en", "X"), "Hi X");
    }

    #[test]
    fn drafts_are_checked_field_by_field() {
        assert!(draft().validate("en", now()).is_ok());
        let bad = BroadcastDraft {
            name: String::new(),
            rule: Some("stage = sleepy".into()),
            variants: vec![variant(&[("es", "Hola")]); 5],
            holdout_percent: 60,
            send_at: Some(now()),
            attribution_hours: 0,
            ..draft()
        };
        let errors = bad.validate("en", now()).unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert!(fields.contains(&"name"));
        assert!(fields.contains(&"rule"));
        assert!(fields.contains(&"variants"));
        assert!(fields.contains(&"variants[0].texts"));
        assert!(fields.contains(&"holdout_percent"));
        assert!(fields.contains(&"send_at"));
        assert!(fields.contains(&"attribution_hours"));
        let both = BroadcastDraft {
            segment_id: Some(SegmentId(1)),
            ..draft()
        };
        assert!(both.validate("en", now()).is_err());
    }

    #[test]
    fn assignment_covers_every_variant_and_roughly_the_holdout() {
        let audience: Vec<_> = (0..4000).map(|i| (CustomerId(i), i, now())).collect();
        let recipients = assign(&audience, 3, 20, None);
        let held = recipients
            .iter()
            .filter(|r| r.assignment == Assignment::HeldOut)
            .count();
        assert!((600..1000).contains(&held), "{held}");
        for v in 0..3u8 {
            let n = recipients
                .iter()
                .filter(|r| r.assignment == Assignment::Variant(v))
                .count();
            assert!((900..1250).contains(&n), "variant {v}: {n}");
        }
        assert!(recipients
            .iter()
            .all(|r| r.assignment != Assignment::AwaitingWinner));
    }

    #[test]
    fn a_winner_test_assigns_only_its_share() {
        let audience: Vec<_> = (0..4000).map(|i| (CustomerId(i), i, now())).collect();
        let recipients = assign(&audience, 2, 10, Some(20));
        let count = |a: Assignment| recipients.iter().filter(|r| r.assignment == a).count();
        let held = count(Assignment::HeldOut);
        let tested = count(Assignment::Variant(0)) + count(Assignment::Variant(1));
        let awaiting = count(Assignment::AwaitingWinner);
        assert!((300..500).contains(&held), "{held}");
        assert!((680..920).contains(&tested), "{tested}");
        assert!((2650..2950).contains(&awaiting), "{awaiting}");
        assert!(count(Assignment::Variant(0)) > 250 && count(Assignment::Variant(1)) > 250);
    }

    fn outcome(variant: u8, clicked: i64, buyers: i64, orders: &[(&str, i64)]) -> Outcome {
        Outcome {
            variant: Some(variant),
            recipients: 10,
            delivered: 10,
            failed: 0,
            blocked: 0,
            clicked,
            buyers,
            orders: orders
                .iter()
                .map(|(currency, total)| CurrencyTotal {
                    currency: (*currency).to_owned(),
                    orders: 1,
                    total: *total,
                })
                .collect(),
        }
    }

    #[test]
    fn the_winner_is_the_best_by_the_metric_ties_to_the_lowest() {
        let outcomes = vec![
            outcome(0, 3, 1, &[("USD", 500)]),
            outcome(1, 5, 1, &[("USD", 400), ("EUR", 10_000)]),
            outcome(2, 5, 0, &[]),
        ];
        assert_eq!(choose_winner(&outcomes, 3, WinnerMetric::Clicks, "USD"), 1);
        assert_eq!(choose_winner(&outcomes, 3, WinnerMetric::Buyers, "USD"), 0);
        // Euros do not count for a dollar shop.
        assert_eq!(choose_winner(&outcomes, 3, WinnerMetric::Revenue, "USD"), 0);
        assert_eq!(choose_winner(&outcomes, 3, WinnerMetric::Revenue, "EUR"), 1);
        // A variant nobody got scores nothing; all equal: the first.
        assert_eq!(choose_winner(&[], 4, WinnerMetric::Clicks, "USD"), 0);
        // The holdout is never a candidate.
        let mut with_holdout = outcomes.clone();
        with_holdout.push(Outcome {
            variant: None,
            ..outcome(0, 99, 99, &[])
        });
        assert_eq!(
            choose_winner(&with_holdout, 3, WinnerMetric::Clicks, "USD"),
            1
        );
    }

    #[test]
    fn photos_chats_and_winners_are_checked() {
        let mut photo = variant(&[("en", "Hi {name}"), ("es", &"x".repeat(1000))]);
        photo.photo = Some("https://example.com/tea.jpg".into());
        let ok = BroadcastDraft {
            variants: vec![photo.clone()],
            ..draft()
        };
        assert!(ok.validate("en", now()).is_ok());
        // 1000 characters fit a caption; with `{name}` taken at its longest they do not.
        let mut long = photo.clone();
        long.texts
            .insert("es".into(), format!("{} {{name}}", "x".repeat(960)));
        long.photo = Some("AgACAgIAAxkBAAIB".into());
        let mut bad_photo = photo.clone();
        bad_photo.photo = Some("http://plain.example/tea.jpg".into());
        let errors = BroadcastDraft {
            variants: vec![photo.clone(), long, bad_photo],
            ..draft()
        }
        .validate("en", now())
        .unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["variants[1].texts.es", "variants[2].photo"]);

        let chats = BroadcastDraft {
            rule: None,
            chats: Some(vec![-1001, -1002]),
            ..draft()
        };
        assert!(chats.validate("en", now()).is_ok());
        let errors = BroadcastDraft {
            chats: Some(vec![-1001, -1001]),
            variants: vec![variant(&[("en", "A")]), variant(&[("en", "B")])],
            holdout_percent: 10,
            send_at: None,
            local_time: Some(now().naive_utc() + Duration::days(1)),
            winner: Some(WinnerRule {
                test_percent: 20,
                after_hours: 4,
                metric: WinnerMetric::Clicks,
            }),
            ..chats.clone()
        }
        .validate("en", now())
        .unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        for field in [
            "chats",
            "local_time",
            "variants",
            "holdout_percent",
            "winner",
        ] {
            assert!(fields.contains(&field), "{field}: {errors:?}");
        }
        let both = BroadcastDraft {
            chats: Some(vec![-1001]),
            ..draft()
        };
        assert_eq!(both.validate("en", now()).unwrap_err()[0].field, "rule");

        let winner = |test_percent, after_hours, variants: usize| BroadcastDraft {
            variants: vec![variant(&[("en", "A")]); variants],
            winner: Some(WinnerRule {
                test_percent,
                after_hours,
                metric: WinnerMetric::Revenue,
            }),
            ..draft()
        };
        assert!(winner(20, 24, 2).validate("en", now()).is_ok());
        let errors = winner(60, 200, 1).validate("en", now()).unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            ["winner", "winner.test_percent", "winner.after_hours"]
        );
    }
}
