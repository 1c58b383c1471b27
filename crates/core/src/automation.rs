//! Lifecycle automations: messages a customer gets because of something they did or that
//! happened to them (a welcome series after their first contact, an abandoned-cart reminder,
//! a review request after delivery, a birthday greeting, a win-back coupon when they churn,
//! a congratulation when their tier goes up, and the restock notice they asked for), each a
//! [`FlowKind`] with stored, editable settings ([`Flow`]) and the global rules every send
//! obeys ([`AutomationSettings`]: quiet hours and a frequency cap).
//!
//! How it runs (all durable, on the job table):
//! - **Triggers.** The [`DISPATCH_JOB`] tails the events table like the webhook dispatcher
//!   ([`crate::webhook::dispatch`]): its cursor is in its payload and it schedules itself
//!   again in the transaction that schedules the sends, so a restart neither skips nor repeats
//!   an event. Each event that starts an enabled flow becomes an [`SEND_JOB`] due at the
//!   event's time plus the first step's delay, with the dedup key
//!   `automation:<flow>:<customer>:<ref>:<step>` ([`send_job`]):
//!   `customer_created` starts the welcome series (ref `welcome`), `cart_added` the
//!   abandoned-cart reminder (ref `cart`: one waiting reminder per customer), `order_delivered`
//!   the review request (ref: the order), `lifecycle_changed` to `churned` the win-back and an
//!   upward `tier_changed` the tier-up congratulation (ref: the event). Birthdays come from
//!   the hourly [`BIRTHDAYS_JOB`] (ref: the year), restock notices from the [`RESTOCK_JOB`],
//!   which turns the "notify me" requests ([`RestockRequest`]) whose item is back in stock
//!   into sends, deleting each request in the same transaction.
//! - **The send** ([`send`], one step of one job) loads the flow and the customer and drops
//!   the send when the flow is disabled, its `condition` (a [`crate::segment::Rule`]) does
//!   not match, or the flow's own check fails (the cart was emptied or ordered, the order was
//!   refunded or cancelled, the customer is no longer churned); an abandoned cart touched
//!   since waits for its last touch plus the delay. Marketing flows go only to customers
//!   [`crate::segment::marketing_may_reach`] allows (consent, not blocked); the restock
//!   notice is not marketing (the customer asked for it) but still skips blocked customers.
//!   During quiet hours in the customer's time zone (else the shop's default zone) the send
//!   waits for their end; when the customer already got [`Cap::max_messages`] marketing
//!   messages (automation sends and broadcast messages released to them) within
//!   [`Cap::per_hours`], it waits until the oldest of them leaves the window. The restock
//!   notice neither counts towards the cap nor waits for it. Otherwise, in one transaction:
//!   the send is recorded (unique on flow, customer, ref and step, so a job run twice sends
//!   once), the message is enqueued (private chat on the customer's first bot, with
//!   `customer_id`), an `automation_sent` event is appended and a series' next step is
//!   scheduled (a step's delay counts from the step before it; the first step's from the
//!   event).
//! - **Texts.** A step's message is texts per language with `{name}` (as a broadcast
//!   [`Variant`], rendered by [`crate::broadcast::text_for`]) and link buttons; with no texts
//!   the localized built-in text of the flow is used (`automation-*` in the bot's Fluent
//!   files; the tier-up one is the tiers' `tier-up` with the benefits). Custom texts may also
//!   use `{code}`, `{percent}`, `{days}` (win-back), `{order}` (review), `{tier}` and
//!   `{product}`.
//! - **Win-back coupon.** With [`WinBackCoupon`], [`save_flow`] keeps one code-only
//!   promotion of that percentage in step (like the tier promotions); each win-back send
//!   mints a single-use code of it for the customer ([`crate::points::mint_code`], the
//!   same code the points rewards use), and an [`EXPIRE_CODE_JOB`] withdraws the code if it
//!   is still unused after `valid_days`.
//! - **Defaults.** Without stored settings, the tier-up congratulation and the restock
//!   notice are on (they replace messages the shop always sent or the customer asked for);
//!   the marketing flows are off until staff enable them.

use crate::customer::{Customer, CustomerId};
use crate::event::{kind, Event, NewEvent};
use crate::i18n::Texts;
use crate::job::NewJob;
use crate::outbox::{Action, Button, NewOutbound};
use crate::promotion::PromotionId;
use crate::segment::{marketing_may_reach, Rule};
use crate::store::{Store, Tx};
use crate::{Error, FieldError, Result};
use async_trait::async_trait;
use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::collections::BTreeMap;

pub use crate::broadcast::Variant;

/// Tails the events and schedules sends.
pub const DISPATCH_JOB: &str = "automation.dispatch";
/// One step of one flow for one customer.
pub const SEND_JOB: &str = "automation.send";
/// Hourly: schedules the birthday greetings of customers whose birthday it is.
pub const BIRTHDAYS_JOB: &str = "automation.birthdays";
/// Every few minutes: turns restock requests whose item is back into sends.
pub const RESTOCK_JOB: &str = "automation.restock";
/// Withdraws a win-back code left unused for its valid days.
pub const EXPIRE_CODE_JOB: &str = "automation.expire_code";
/// The event a send is recorded as.
pub const SENT_EVENT: &str = "automation_sent";

/// Events younger than this wait for the next dispatch (a transaction committing late
/// cannot be passed over).
pub const DISPATCH_LAG: Duration = Duration::seconds(3);
/// Time between dispatch runs.
pub const DISPATCH_EVERY: Duration = Duration::seconds(2);
/// Events read per dispatch run.
const DISPATCH_BATCH: i64 = 500;
/// Time between birthday runs.
pub const BIRTHDAYS_EVERY: Duration = Duration::hours(1);
/// Time between restock runs.
pub const RESTOCK_EVERY: Duration = Duration::minutes(3);
/// Restock requests handled per run.
const RESTOCK_BATCH: i64 = 500;
/// Most steps of a series.
pub const MAX_STEPS: usize = 5;
/// Longest step delay, in minutes (90 days).
pub const MAX_DELAY_MINUTES: u32 = 90 * 24 * 60;
/// How long after a send a customer's paid orders count for it.
pub const ATTRIBUTION: Duration = Duration::hours(72);
/// The callback data prefix of the "notify me" button (`s:n:<variant>`), handled by the
/// chat shop.
pub const NOTIFY_BUTTON_PREFIX: &str = "s:n:";

/// The kinds of flow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FlowKind {
    Welcome,
    AbandonedCart,
    ReviewRequest,
    Birthday,
    WinBack,
    TierUp,
    Restock,
}

impl FlowKind {
    pub const ALL: [FlowKind; 7] = [
        FlowKind::Welcome,
        FlowKind::AbandonedCart,
        FlowKind::ReviewRequest,
        FlowKind::Birthday,
        FlowKind::WinBack,
        FlowKind::TierUp,
        FlowKind::Restock,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            FlowKind::Welcome => "welcome",
            FlowKind::AbandonedCart => "abandoned_cart",
            FlowKind::ReviewRequest => "review_request",
            FlowKind::Birthday => "birthday",
            FlowKind::WinBack => "win_back",
            FlowKind::TierUp => "tier_up",
            FlowKind::Restock => "restock",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        FlowKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// Whether its sends are marketing (consent needed, counted by the cap). Only the
    /// restock notice is not: the customer asked for it.
    pub fn marketing(self) -> bool {
        self != FlowKind::Restock
    }

    /// Most steps it may have: a series for the welcome, one for the others.
    pub fn max_steps(self) -> usize {
        if self == FlowKind::Welcome {
            MAX_STEPS
        } else {
            1
        }
    }

    /// The settings used while none are stored.
    pub fn default_flow(self) -> Flow {
        let step = |delay_minutes| Step {
            delay_minutes,
            message: Variant {
                texts: BTreeMap::new(),
                buttons: Vec::new(),
            },
        };
        let (enabled, delays): (bool, &[u32]) = match self {
            // Day 1, then day 3.
            FlowKind::Welcome => (false, &[24 * 60, 2 * 24 * 60]),
            FlowKind::AbandonedCart => (false, &[4 * 60]),
            FlowKind::ReviewRequest => (false, &[3 * 24 * 60]),
            // From local midnight: 10:00 on the day.
            FlowKind::Birthday => (false, &[10 * 60]),
            FlowKind::WinBack => (false, &[60]),
            FlowKind::TierUp => (true, &[1]),
            FlowKind::Restock => (true, &[1]),
        };
        Flow {
            enabled,
            steps: delays.iter().map(|d| step(*d)).collect(),
            condition: None,
            coupon: (self == FlowKind::WinBack).then_some(WinBackCoupon {
                percent_off: 15,
                valid_days: 14,
                promotion: None,
            }),
        }
    }

    /// The built-in text of step `step` (0-based), when the step has no texts.
    fn builtin_key(self, step: usize) -> &'static str {
        match (self, step) {
            (FlowKind::Welcome, 0) => "automation-welcome-1",
            (FlowKind::Welcome, _) => "automation-welcome-2",
            (FlowKind::AbandonedCart, _) => "automation-abandoned-cart",
            (FlowKind::ReviewRequest, _) => "automation-review-request",
            (FlowKind::Birthday, _) => "automation-birthday",
            (FlowKind::WinBack, _) => "automation-win-back",
            (FlowKind::TierUp, _) => "tier-up",
            (FlowKind::Restock, _) => "automation-restock",
        }
    }
}

/// One message of a flow.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Step {
    /// Minutes after the event (first step) or the step before (1 minute to 90 days).
    pub delay_minutes: u32,
    /// Texts per language and link buttons; no texts: the built-in localized text.
    pub message: Variant,
}

/// The win-back flow's coupon.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WinBackCoupon {
    /// Percent off the order (1-90).
    pub percent_off: u32,
    /// Days the code may be used (1-365).
    pub valid_days: u32,
    /// The promotion the codes belong to; kept by [`save_flow`], whatever a request says.
    #[serde(default)]
    pub promotion: Option<PromotionId>,
}

/// One flow's settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Flow {
    pub enabled: bool,
    /// 1-5 for the welcome series, exactly 1 for the others.
    pub steps: Vec<Step>,
    /// A segment rule the customer must match when the message is due.
    #[serde(default)]
    pub condition: Option<String>,
    /// Win-back only: the coupon each message carries.
    #[serde(default)]
    pub coupon: Option<WinBackCoupon>,
}

impl Flow {
    /// Every rule the flow must meet, all problems at once. `languages` are the bot's.
    pub fn validate(
        &self,
        kind: FlowKind,
        languages: &[&str],
    ) -> std::result::Result<(), Vec<FieldError>> {
        let mut errors = Vec::new();
        if self.steps.is_empty() || self.steps.len() > kind.max_steps() {
            let wanted = if kind.max_steps() == 1 {
                "must have exactly 1 step".to_owned()
            } else {
                format!("must have 1-{} steps", kind.max_steps())
            };
            errors.push(FieldError::new("steps", wanted));
        }
        for (i, step) in self.steps.iter().enumerate() {
            let field = |name: &str| format!("steps[{i}].{name}");
            if !(1..=MAX_DELAY_MINUTES).contains(&step.delay_minutes) {
                errors.push(FieldError::new(
                    field("delay_minutes"),
                    "must be 1 minute to 90 days (1-129600)",
                ));
            }
            let texts = &step.message.texts;
            if let Some((language, _)) =
                texts.iter().find(|(l, _)| !languages.contains(&l.as_str()))
            {
                errors.push(FieldError::new(
                    field("message.texts"),
                    format!("`{language}` is not one of the bot's languages"),
                ));
            }
            if texts
                .values()
                .any(|t| t.trim().is_empty() || t.chars().count() > 4096)
            {
                errors.push(FieldError::new(
                    field("message.texts"),
                    "each text needs 1-4096 characters",
                ));
            }
            if texts.is_empty() && kind == FlowKind::Welcome && i >= 2 {
                errors.push(FieldError::new(
                    field("message.texts"),
                    "steps after the second have no built-in text: give one",
                ));
            }
            for e in crate::calendar::button_errors(&step.message.buttons) {
                errors.push(FieldError::new(field("message.buttons"), e.message));
            }
        }
        if let Some(rule) = &self.condition {
            if let Err(e) = Rule::parse(rule) {
                errors.push(FieldError::new("condition", e.to_string()));
            }
        }
        match (&self.coupon, kind) {
            (Some(coupon), FlowKind::WinBack) => {
                if !(1..=90).contains(&coupon.percent_off) {
                    errors.push(FieldError::new("coupon.percent_off", "must be 1-90"));
                }
                if !(1..=365).contains(&coupon.valid_days) {
                    errors.push(FieldError::new("coupon.valid_days", "must be 1-365"));
                }
            }
            (Some(_), _) => errors.push(FieldError::new(
                "coupon",
                "only the win_back flow carries a coupon",
            )),
            (None, _) => {}
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }
}

/// Quiet hours: local wall-clock times between which no automation message goes out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QuietHours {
    /// `21:00`; when `start` is after `end` the quiet time spans midnight.
    #[serde(with = "hh_mm")]
    pub start: NaiveTime,
    #[serde(with = "hh_mm")]
    pub end: NaiveTime,
}

/// `HH:MM` times.
mod hh_mm {
    use chrono::NaiveTime;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(t: &NaiveTime, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&t.format("%H:%M").to_string())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<NaiveTime, D::Error> {
        let text = String::deserialize(d)?;
        NaiveTime::parse_from_str(&text, "%H:%M")
            .map_err(|_| serde::de::Error::custom(format!("`{text}` is not a time (HH:MM)")))
    }
}

/// The frequency cap on marketing messages per customer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Cap {
    /// Most marketing messages (automation sends and broadcast messages) in the window (1-50).
    pub max_messages: u32,
    /// The window, in hours (1-720).
    pub per_hours: u32,
}

/// The rules every send obeys.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AutomationSettings {
    /// `None`: messages go at any hour.
    pub quiet_hours: Option<QuietHours>,
    pub cap: Cap,
}

impl Default for AutomationSettings {
    fn default() -> Self {
        AutomationSettings {
            quiet_hours: Some(QuietHours {
                start: NaiveTime::from_hms_opt(21, 0, 0).expect("a valid time"),
                end: NaiveTime::from_hms_opt(9, 0, 0).expect("a valid time"),
            }),
            cap: Cap {
                max_messages: 1,
                per_hours: 24,
            },
        }
    }
}

impl AutomationSettings {
    pub fn validate(&self) -> std::result::Result<(), Vec<FieldError>> {
        let mut errors = Vec::new();
        if self.quiet_hours.is_some_and(|q| q.start == q.end) {
            errors.push(FieldError::new(
                "quiet_hours",
                "start and end must differ (leave quiet_hours out for none)",
            ));
        }
        if !(1..=50).contains(&self.cap.max_messages) {
            errors.push(FieldError::new("cap.max_messages", "must be 1-50"));
        }
        if !(1..=720).contains(&self.cap.per_hours) {
            errors.push(FieldError::new("cap.per_hours", "must be 1-720"));
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }
}

/// When the quiet hours around `now` end in `zone` (an unknown zone counts as UTC), or
/// `None` if it is not quiet there now. Wall-clock times skipped or repeated by a daylight
/// saving change are resolved as [`crate::time_zone::local_to_utc`] does.
pub fn quiet_until(quiet: &QuietHours, zone: &str, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    let tz: chrono_tz::Tz = zone.parse().unwrap_or(chrono_tz::UTC);
    let local = now.with_timezone(&tz).naive_local();
    let (date, time) = (local.date(), local.time());
    let end_date = if quiet.start > quiet.end {
        // Across midnight: quiet from `start` today to `end` tomorrow, or until `end` today.
        if time >= quiet.start {
            date.succ_opt()?
        } else if time < quiet.end {
            date
        } else {
            return None;
        }
    } else if quiet.start <= time && time < quiet.end {
        date
    } else {
        return None;
    };
    let end = crate::time_zone::local_to_utc_in(end_date.and_time(quiet.end), tz);
    // A daylight saving change can put the end at or before now: go at once then.
    Some(end.max(now))
}

/// When a customer with marketing messages at `sends` may get another under `cap`, or
/// `None` if they may now.
pub fn cap_frees_at(
    cap: &Cap,
    sends: &[DateTime<Utc>],
    now: DateTime<Utc>,
) -> Option<DateTime<Utc>> {
    let window = Duration::hours(i64::from(cap.per_hours));
    let mut recent: Vec<DateTime<Utc>> = sends
        .iter()
        .copied()
        .filter(|t| *t > now - window)
        .collect();
    let max = cap.max_messages as usize;
    if recent.len() < max {
        return None;
    }
    recent.sort_unstable();
    // The window must lose `len - max + 1` sends: the oldest that many have to leave it.
    Some(recent[recent.len() - max] + window)
}

/// A birthday: month and day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Birthday {
    pub month: u32,
    pub day: u32,
}

impl Birthday {
    /// `14.03` or `14/03` (day first), `03-14` (month first) or `1990-03-14`; a date that
    /// exists in a leap year (29.02 is fine).
    pub fn parse(text: &str) -> Option<Birthday> {
        let text = text.trim();
        let numbers = |sep: char| -> Option<Vec<u32>> {
            text.split(sep)
                .map(|p| p.trim().parse::<u32>().ok())
                .collect()
        };
        let (month, day) = if let Some(parts) = numbers('.').filter(|_| text.contains('.')) {
            match parts.as_slice() {
                [d, m] => (*m, *d),
                _ => return None,
            }
        } else if let Some(parts) = numbers('/').filter(|_| text.contains('/')) {
            match parts.as_slice() {
                [d, m] => (*m, *d),
                _ => return None,
            }
        } else if let Some(parts) = numbers('-').filter(|_| text.contains('-')) {
            match parts.as_slice() {
                [m, d] => (*m, *d),
                [_, m, d] => (*m, *d),
                _ => return None,
            }
        } else {
            return None;
        };
        // 2024 is a leap year: every real birthday exists in it.
        NaiveDate::from_ymd_opt(2024, month, day)?;
        Some(Birthday { month, day })
    }

    /// Whether `date` is this birthday (a 29 February birthday is on 28 February in other
    /// years).
    pub fn is_on(&self, date: NaiveDate) -> bool {
        let leap = NaiveDate::from_ymd_opt(date.year(), 2, 29).is_some();
        if self.month == 2 && self.day == 29 && !leap {
            return date.month() == 2 && date.day() == 28;
        }
        date.month() == self.month && date.day() == self.day
    }

    /// `14.03`.
    pub fn display(&self) -> String {
        format!("{:02}.{:02}", self.day, self.month)
    }
}

/// A "notify me" request for a sold-out item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RestockRequest {
    pub customer: CustomerId,
    pub product: crate::catalog::ProductId,
    pub variant: crate::catalog::VariantId,
    pub bot: String,
    pub requested_at: DateTime<Utc>,
}

/// A send about to be recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSend {
    pub flow: FlowKind,
    pub customer: CustomerId,
    pub reference: String,
    pub step: u32,
    pub marketing: bool,
    pub at: DateTime<Utc>,
}

/// Paid orders in one currency within [`ATTRIBUTION`] of a flow's sends.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attributed {
    pub currency: String,
    /// Customers with such an order.
    pub buyers: i64,
    /// Their totals, in minor units.
    pub revenue: i64,
}

/// One flow's results since a moment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FlowStats {
    pub sends: i64,
    pub attributed: Vec<Attributed>,
}

/// A customer whose birthday falls on one of the dates asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BirthdayCustomer {
    pub customer: CustomerId,
    pub birthday: Birthday,
    pub time_zone: Option<String>,
}

/// Automations outside any transaction.
#[async_trait]
pub trait AutomationStore: Send + Sync {
    /// The flows staff saved (flows not listed use [`FlowKind::default_flow`]).
    async fn automation_flows(&self) -> Result<Vec<(FlowKind, Flow)>>;

    async fn set_automation_flow(
        &self,
        kind: FlowKind,
        flow: &Flow,
        at: DateTime<Utc>,
    ) -> Result<()>;

    /// The stored settings, or the defaults.
    async fn automation_settings(&self) -> Result<AutomationSettings>;

    async fn set_automation_settings(
        &self,
        settings: &AutomationSettings,
        at: DateTime<Utc>,
    ) -> Result<()>;

    /// Sends of `flow` since `since`, and the paid orders of their customers within
    /// [`ATTRIBUTION`] after one of them, per currency (an order counts once).
    async fn automation_stats(&self, flow: FlowKind, since: DateTime<Utc>) -> Result<FlowStats>;

    /// Customers (not erased) whose stored birthday is one of `dates` (month, day).
    async fn birthdays_on(&self, dates: &[(u32, u32)]) -> Result<Vec<BirthdayCustomer>>;

    /// Restock requests whose variant has stock, oldest first, at most `limit`.
    async fn restock_due(&self, limit: i64) -> Result<Vec<RestockRequest>>;

    /// The birthday the customer shared, if any.
    async fn customer_birthday(&self, customer: CustomerId) -> Result<Option<Birthday>>;
}

/// Automation writes inside a [`crate::store::Tx`].
#[async_trait]
pub trait AutomationTx: Send {
    /// The flow's stored settings, or its defaults.
    async fn automation_flow_in_tx(&mut self, kind: FlowKind) -> Result<Flow>;

    async fn automation_settings_in_tx(&mut self) -> Result<AutomationSettings>;

    /// What segment rules look at, for one customer.
    async fn automation_segment_row(
        &mut self,
        customer: CustomerId,
    ) -> Result<Option<crate::crm::SegmentRow>>;

    /// Records a send; `false` (and nothing written) if this flow, customer, reference and
    /// step were sent before.
    async fn record_automation_send(&mut self, send: &NewSend) -> Result<bool>;

    /// Notes the outbox message a recorded send became, so that a marketing opt-out can take
    /// it back while it waits ([`crate::broadcast::BroadcastTx::withdraw_marketing`]).
    async fn link_automation_send(&mut self, send: &NewSend, outbox_id: i64) -> Result<()>;

    /// When the customer got marketing messages since `since`: marketing automation sends
    /// and broadcast messages released to them.
    async fn marketing_sends_since(
        &mut self,
        customer: CustomerId,
        since: DateTime<Utc>,
    ) -> Result<Vec<DateTime<Utc>>>;

    /// Orders the customer placed since `since`.
    async fn orders_placed_since(
        &mut self,
        customer: CustomerId,
        since: DateTime<Utc>,
    ) -> Result<i64>;

    async fn birthday(&mut self, customer: CustomerId) -> Result<Option<Birthday>>;

    /// Stores or (with `None`) clears the customer's birthday.
    async fn set_birthday(
        &mut self,
        customer: CustomerId,
        birthday: Option<Birthday>,
    ) -> Result<()>;

    /// Stores a request; `false` if the customer already asked for this variant.
    async fn add_restock_request(&mut self, request: &RestockRequest) -> Result<bool>;

    /// Deletes a request; `false` if it was not there (another run took it).
    async fn delete_restock_request(
        &mut self,
        customer: CustomerId,
        variant: crate::catalog::VariantId,
    ) -> Result<bool>;

    /// Withdraws a single-use code if no order used it; `true` if it was withdrawn.
    async fn withdraw_unused_code(&mut self, code: &str) -> Result<bool>;
}

// --- jobs ---

/// The dispatch job reading events after `after`, at `at` (one at a time).
pub fn dispatch_job(after: i64, at: DateTime<Utc>) -> NewJob {
    NewJob::new(DISPATCH_JOB, json!({ "after": after }), at).dedup_key("automation:dispatch")
}

/// The next birthday run.
pub fn birthdays_job(at: DateTime<Utc>) -> NewJob {
    NewJob::new(BIRTHDAYS_JOB, json!({}), at).dedup_key("automation:birthdays")
}

/// The next restock run.
pub fn restock_job(at: DateTime<Utc>) -> NewJob {
    NewJob::new(RESTOCK_JOB, json!({}), at).dedup_key("automation:restock")
}

/// What a send job carries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SendPayload {
    pub flow: FlowKind,
    pub customer: CustomerId,
    /// What the send is about (`welcome`, `cart`, an order or event id, a year...).
    #[serde(rename = "ref")]
    pub reference: String,
    /// 0-based.
    pub step: u32,
    /// When the trigger happened (abandoned cart: orders since then cancel the reminder).
    pub since: DateTime<Utc>,
    /// Flow-specific details: `order`, `tier`, `product`, `variant`.
    #[serde(default)]
    pub data: serde_json::Value,
}

/// The send job of `payload`, due at `at`.
pub fn send_job(payload: &SendPayload, at: DateTime<Utc>) -> Result<NewJob> {
    let key = format!(
        "automation:{}:{}:{}:{}",
        payload.flow.as_str(),
        payload.customer.0,
        payload.reference,
        payload.step
    );
    let value = serde_json::to_value(payload).map_err(|e| Error::Invalid(e.to_string()))?;
    Ok(NewJob::new(SEND_JOB, value, at).dedup_key(key))
}

fn expire_code_job(code: &str, at: DateTime<Utc>) -> NewJob {
    NewJob::new(EXPIRE_CODE_JOB, json!({ "code": code }), at)
        .dedup_key(format!("automation:expire-code:{code}"))
}

/// Withdraws the code of an expire job if it is still unused.
pub async fn expire_code(tx: &mut dyn Tx, payload: &serde_json::Value) -> Result<bool> {
    let code = payload["code"]
        .as_str()
        .ok_or_else(|| Error::Invalid("expire job without a code".into()))?;
    tx.withdraw_unused_code(code).await
}

fn minutes(m: u32) -> Duration {
    Duration::minutes(i64::from(m))
}

/// What one dispatch step did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Dispatched {
    pub events: usize,
    pub scheduled: usize,
}

/// One dispatch step: schedules the sends the events after the job's cursor start, and the
/// next step.
pub async fn dispatch(
    tx: &mut dyn Tx,
    store: &dyn Store,
    payload: &serde_json::Value,
    now: DateTime<Utc>,
) -> Result<Dispatched> {
    let after = payload["after"]
        .as_i64()
        .ok_or_else(|| Error::Invalid("dispatch job without a cursor".into()))?;
    let events = store
        .events_after(after, now - DISPATCH_LAG, DISPATCH_BATCH)
        .await?;
    let mut flows: BTreeMap<FlowKind, Flow> = BTreeMap::new();
    let mut report = Dispatched {
        events: events.len(),
        scheduled: 0,
    };
    let mut cursor = after;
    for event in &events {
        cursor = cursor.max(event.id);
        let Some(payload) = trigger(tx, event).await? else {
            continue;
        };
        let flow = match flows.get(&payload.flow) {
            Some(flow) => flow.clone(),
            None => {
                let flow = tx.automation_flow_in_tx(payload.flow).await?;
                flows.insert(payload.flow, flow.clone());
                flow
            }
        };
        let Some(first) = flow.steps.first().filter(|_| flow.enabled) else {
            continue;
        };
        let at = event.event.at + minutes(first.delay_minutes);
        if tx.schedule_job(&send_job(&payload, at)?).await?.is_some() {
            report.scheduled += 1;
        }
    }
    let next = if events.len() as i64 >= DISPATCH_BATCH {
        now
    } else {
        now + DISPATCH_EVERY
    };
    tx.schedule_job(&dispatch_job(cursor, next)).await?;
    Ok(report)
}

/// The send an event starts, if any.
async fn trigger(tx: &mut dyn Tx, event: &Event) -> Result<Option<SendPayload>> {
    let Some(customer) = event.event.customer_id else {
        return Ok(None);
    };
    let data = &event.event.data;
    let payload = |flow, reference: String, data| SendPayload {
        flow,
        customer,
        reference,
        step: 0,
        since: event.event.at,
        data,
    };
    let kind_name = event.event.kind.as_str();
    Ok(match kind_name {
        kind::CUSTOMER_CREATED => Some(payload(
            FlowKind::Welcome,
            "welcome".into(),
            serde_json::Value::Null,
        )),
        kind::CART_ADDED => Some(payload(
            FlowKind::AbandonedCart,
            "cart".into(),
            serde_json::Value::Null,
        )),
        "order_delivered" => data["order"].as_i64().map(|order| {
            payload(
                FlowKind::ReviewRequest,
                format!("order-{order}"),
                json!({ "order": order }),
            )
        }),
        crate::crm::STAGE_CHANGED if data["to"] == "churned" => Some(payload(
            FlowKind::WinBack,
            format!("event-{}", event.id),
            serde_json::Value::Null,
        )),
        crate::tiers::TIER_CHANGED => {
            let (Some(from), Some(to)) = (data["from"].as_str(), data["to"].as_str()) else {
                return Ok(None);
            };
            let settings = tx.current_tier_settings().await?;
            (settings.rank(to) > settings.rank(from)).then(|| {
                payload(
                    FlowKind::TierUp,
                    format!("event-{}", event.id),
                    json!({ "tier": to }),
                )
            })
        }
        _ => None,
    })
}

/// Schedules the birthday sends of customers whose birthday it is now in their zone (else
/// `default_zone`): at local midnight plus the step's delay. The send's reference is the
/// year, so a customer is greeted once a year however often this runs.
pub async fn schedule_birthdays(
    tx: &mut dyn Tx,
    store: &dyn Store,
    default_zone: &str,
    now: DateTime<Utc>,
) -> Result<usize> {
    let flow = tx.automation_flow_in_tx(FlowKind::Birthday).await?;
    let Some(step) = flow.steps.first().filter(|_| flow.enabled) else {
        return Ok(0);
    };
    // Every zone's date is within a day of UTC's.
    let today = now.date_naive();
    let mut dates = Vec::new();
    for date in [today.pred_opt(), Some(today), today.succ_opt()]
        .into_iter()
        .flatten()
    {
        dates.push((date.month(), date.day()));
        if date.month() == 2 && date.day() == 28 {
            dates.push((2, 29));
        }
    }
    let mut scheduled = 0;
    for found in store.birthdays_on(&dates).await? {
        let zone = found.time_zone.as_deref().unwrap_or(default_zone);
        let tz: chrono_tz::Tz = zone.parse().unwrap_or(chrono_tz::UTC);
        let local_date = now.with_timezone(&tz).date_naive();
        if !found.birthday.is_on(local_date) {
            continue;
        }
        let midnight = crate::time_zone::local_to_utc_in(local_date.and_time(NaiveTime::MIN), tz);
        let payload = SendPayload {
            flow: FlowKind::Birthday,
            customer: found.customer,
            reference: format!("year-{}", local_date.year()),
            step: 0,
            since: now,
            data: serde_json::Value::Null,
        };
        let at = (midnight + minutes(step.delay_minutes)).max(now);
        if tx.schedule_job(&send_job(&payload, at)?).await?.is_some() {
            scheduled += 1;
        }
    }
    Ok(scheduled)
}

/// Turns restock requests whose item is back into sends (each request deleted in this
/// transaction, so it is notified once). Requests are kept while the flow is disabled.
pub async fn schedule_restocks(
    tx: &mut dyn Tx,
    store: &dyn Store,
    now: DateTime<Utc>,
) -> Result<usize> {
    let flow = tx.automation_flow_in_tx(FlowKind::Restock).await?;
    let Some(step) = flow.steps.first().filter(|_| flow.enabled) else {
        return Ok(0);
    };
    let mut scheduled = 0;
    for request in store.restock_due(RESTOCK_BATCH).await? {
        if !tx
            .delete_restock_request(request.customer, request.variant)
            .await?
        {
            continue;
        }
        let payload = SendPayload {
            flow: FlowKind::Restock,
            customer: request.customer,
            reference: format!(
                "variant-{}-{}",
                request.variant.0,
                request.requested_at.timestamp_millis()
            ),
            step: 0,
            since: request.requested_at,
            data: json!({ "product": request.product.0, "variant": request.variant.0 }),
        };
        tx.schedule_job(&send_job(&payload, now + minutes(step.delay_minutes))?)
            .await?;
        scheduled += 1;
    }
    Ok(scheduled)
}

/// Stores a "notify me" request of `customer` for a sold-out variant. `false` if they had
/// asked already.
pub async fn request_restock(tx: &mut dyn Tx, request: &RestockRequest) -> Result<bool> {
    let added = tx.add_restock_request(request).await?;
    if added {
        tx.append_event(
            &NewEvent::new("restock_requested", request.requested_at)
                .bot(&request.bot)
                .customer(request.customer)
                .data(json!({ "product": request.product.0, "variant": request.variant.0 })),
        )
        .await?;
    }
    Ok(added)
}

/// What became of one send job.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SendOutcome {
    /// Enqueued; the outbox message's id.
    Sent(i64),
    /// Not sent and never will be (the reason, for logs and tests).
    Dropped(&'static str),
    /// Scheduled again for this time (quiet hours, the cap, a cart touched since).
    Postponed(DateTime<Utc>),
}

/// What [`send`] needs besides the transaction.
pub struct SendContext<'a> {
    pub texts: &'a Texts,
    /// For reads outside the transaction (the catalog).
    pub store: &'a dyn Store,
    /// The zone of customers without one (`crm.default_time_zone`).
    pub default_zone: &'a str,
    /// The default language of each bot, by key.
    pub default_languages: &'a BTreeMap<String, String>,
    /// The currency of each bot, by key (what suggested products must be priced in).
    pub currencies: &'a BTreeMap<String, String>,
}

/// Runs one send job (see the module docs).
pub async fn send(
    tx: &mut dyn Tx,
    ctx: &SendContext<'_>,
    payload: &serde_json::Value,
    now: DateTime<Utc>,
) -> Result<SendOutcome> {
    let payload: SendPayload = serde_json::from_value(payload.clone())
        .map_err(|e| Error::Invalid(format!("bad automation send: {e}")))?;
    let kind = payload.flow;
    let flow = tx.automation_flow_in_tx(kind).await?;
    if !flow.enabled {
        return Ok(SendOutcome::Dropped("disabled"));
    }
    let Some(step) = flow.steps.get(payload.step as usize).cloned() else {
        return Ok(SendOutcome::Dropped("no such step"));
    };
    let Some(row) = tx.automation_segment_row(payload.customer).await? else {
        return Ok(SendOutcome::Dropped("no such customer"));
    };
    let Some(customer) = tx.customer(payload.customer).await? else {
        return Ok(SendOutcome::Dropped("no such customer"));
    };
    if let Some(condition) = &flow.condition {
        let rule = Rule::parse(condition).map_err(|e| Error::Invalid(e.to_string()))?;
        if !rule.matches(&row, now) {
            return Ok(SendOutcome::Dropped("condition"));
        }
    }
    let mut reference = payload.reference.clone();
    match kind {
        FlowKind::AbandonedCart => {
            let cart = tx.cart(payload.customer).await?;
            let Some(touched) = cart.iter().map(|l| l.added_at).max() else {
                return Ok(SendOutcome::Dropped("cart empty"));
            };
            if tx
                .orders_placed_since(payload.customer, payload.since)
                .await?
                > 0
            {
                return Ok(SendOutcome::Dropped("ordered"));
            }
            let due = touched + minutes(step.delay_minutes);
            if due > now {
                return postpone(tx, &payload, due).await;
            }
            // One reminder per state of the cart.
            reference = format!("cart-{}", touched.timestamp_millis());
        }
        FlowKind::ReviewRequest => {
            let order = payload.data["order"].as_i64().map(crate::shop::OrderId);
            let Some(order) = order else {
                return Ok(SendOutcome::Dropped("no order"));
            };
            match tx.order_for_update(order).await? {
                Some(o)
                    if !matches!(
                        o.status,
                        crate::shop::OrderStatus::Cancelled | crate::shop::OrderStatus::Refunded
                    ) => {}
                _ => return Ok(SendOutcome::Dropped("order cancelled or refunded")),
            }
        }
        FlowKind::WinBack if row.stage != crate::crm::Stage::Churned => {
            return Ok(SendOutcome::Dropped("no longer churned"));
        }
        _ => {}
    }
    let reachable = if kind.marketing() {
        marketing_may_reach(&row)
    } else {
        !row.blocked
    };
    if !reachable {
        return Ok(SendOutcome::Dropped("unreachable"));
    }
    let settings = tx.automation_settings_in_tx().await?;
    let zone = row.time_zone.as_deref().unwrap_or(ctx.default_zone);
    if let Some(until) = settings
        .quiet_hours
        .as_ref()
        .and_then(|q| quiet_until(q, zone, now))
    {
        return postpone(tx, &payload, until).await;
    }
    if kind.marketing() {
        let window = Duration::hours(i64::from(settings.cap.per_hours));
        let sends = tx
            .marketing_sends_since(payload.customer, now - window)
            .await?;
        if let Some(at) = cap_frees_at(&settings.cap, &sends, now) {
            return postpone(tx, &payload, at).await;
        }
    }
    let record = NewSend {
        flow: kind,
        customer: payload.customer,
        reference: reference.clone(),
        step: payload.step,
        marketing: kind.marketing(),
        at: now,
    };
    let recorded = tx.record_automation_send(&record).await?;
    if !recorded {
        return Ok(SendOutcome::Dropped("sent before"));
    }
    let default_language = ctx
        .default_languages
        .get(&customer.first_bot)
        .map_or(crate::i18n::FALLBACK, String::as_str);
    let language = crate::referral::language_of(ctx.texts, &customer, default_language);
    let mut args: Vec<(&str, String)> = vec![("name", customer.first_name.clone())];
    let mut buttons: Vec<Vec<Button>> = crate::calendar::keyboard(&step.message.buttons);
    let mut extra_line = None;
    match kind {
        FlowKind::WinBack => {
            if let Some(coupon) = &flow.coupon {
                let Some(promotion) = coupon.promotion else {
                    return Err(Error::Invalid(
                        "the win-back coupon has no promotion: save the flow again".into(),
                    ));
                };
                let code =
                    crate::points::mint_code(tx, "BACK-", promotion, payload.customer, now).await?;
                tx.schedule_job(&expire_code_job(
                    &code,
                    now + Duration::days(i64::from(coupon.valid_days)),
                ))
                .await?;
                args.push(("percent", coupon.percent_off.to_string()));
                args.push(("days", coupon.valid_days.to_string()));
                args.push(("code", code));
            }
            // Something to come back for: what goes with what they bought before.
            if let Some(currency) = ctx
                .currencies
                .get(&customer.first_bot)
                .and_then(|c| c.parse::<crate::money::Currency>().ok())
            {
                let offers = crate::recommend::for_customer(
                    ctx.store,
                    customer.id,
                    currency,
                    now,
                    WIN_BACK_OFFERS,
                )
                .await?;
                for product in offers {
                    let title = product
                        .text(&language)
                        .map_or(product.handle.as_str(), |t| t.title.as_str());
                    let title: String = title.chars().take(40).collect();
                    buttons.push(vec![Button::callback(
                        format!("✨ {title}"),
                        format!("s:p:{}", product.id.0),
                    )]);
                }
            }
        }
        FlowKind::ReviewRequest => {
            let order = payload.data["order"].as_i64().unwrap_or_default();
            args.push(("order", order.to_string()));
        }
        FlowKind::TierUp => {
            let tiers = tx.current_tier_settings().await?;
            let key = payload.data["tier"].as_str().unwrap_or_default();
            if let Some(tier) = tiers.tier(key) {
                let name = crate::tiers::tier_name(ctx.texts, tier, &language);
                args.push(("tier", name));
                let lines = crate::tiers::benefit_lines(ctx.texts, tier, &language);
                if !lines.is_empty() {
                    extra_line = Some(
                        lines
                            .iter()
                            .map(|l| format!("• {l}"))
                            .collect::<Vec<_>>()
                            .join("\n"),
                    );
                }
            }
        }
        FlowKind::Restock => {
            let product_id = payload.data["product"].as_i64().unwrap_or_default();
            let product = ctx
                .store
                .product(crate::catalog::ProductId(product_id))
                .await?;
            let title = product
                .as_ref()
                .and_then(|p| p.text(&language).map(|t| t.title.clone()))
                .or_else(|| product.as_ref().map(|p| p.handle.clone()))
                .unwrap_or_default();
            args.push(("product", title));
            buttons.push(vec![Button::callback(
                ctx.texts.get(&language, "automation-restock-button", &[]),
                format!("s:p:{product_id}"),
            )]);
        }
        FlowKind::AbandonedCart => {
            buttons.push(vec![Button::callback(
                ctx.texts.get(&language, "automation-cart-button", &[]),
                "c:view",
            )]);
        }
        FlowKind::Welcome | FlowKind::Birthday => {}
    }
    let mut text = if step.message.texts.is_empty() {
        let borrowed: Vec<(&str, &str)> = args.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let key = kind.builtin_key(payload.step as usize);
        let key = if kind == FlowKind::WinBack && flow.coupon.is_none() {
            "automation-win-back-plain"
        } else {
            key
        };
        ctx.texts.get(&language, key, &borrowed)
    } else {
        let mut text = crate::broadcast::text_for(
            &step.message,
            Some(&language),
            default_language,
            &customer.first_name,
        );
        let mut has_code = false;
        for (key, value) in &args {
            let placeholder = format!("{{{key}}}");
            has_code |= *key == "code" && text.contains(&placeholder);
            text = text.replace(&placeholder, value);
        }
        if let Some((_, code)) = args
            .iter()
            .find(|(k, _)| *k == "code")
            .filter(|_| !has_code)
        {
            // A custom text that forgot the code still gives it.
            text.push_str("\n\n");
            text.push_str(
                &ctx.texts
                    .get(&language, "automation-win-back-code", &[("code", code)]),
            );
        }
        text
    };
    if let Some(line) = extra_line {
        text.push('\n');
        text.push_str(&line);
    }
    let outbox_id = tx
        .enqueue(&NewOutbound {
            customer_id: Some(customer.id),
            ..NewOutbound::now(
                &customer.first_bot,
                // A private chat's id is the user's id.
                customer.telegram_user_id,
                Action::SendText { text, buttons },
                now,
            )
        })
        .await?;
    tx.link_automation_send(&record, outbox_id).await?;
    tx.append_event(
        &NewEvent::new(SENT_EVENT, now)
            .bot(&customer.first_bot)
            .customer(customer.id)
            .chat(customer.telegram_user_id)
            .data(json!({
                "flow": kind.as_str(),
                "ref": reference,
                "step": payload.step,
                "outbox": outbox_id,
            })),
    )
    .await?;
    if let Some(next) = flow.steps.get(payload.step as usize + 1) {
        let next_payload = SendPayload {
            step: payload.step + 1,
            since: now,
            ..payload.clone()
        };
        tx.schedule_job(&send_job(&next_payload, now + minutes(next.delay_minutes))?)
            .await?;
    }
    Ok(SendOutcome::Sent(outbox_id))
}

/// Products a win-back message offers (see [`crate::recommend::for_customer`]).
const WIN_BACK_OFFERS: usize = 2;

/// Schedules the same send again for `at` (the running job is already completed, so its
/// dedup key is free).
async fn postpone(
    tx: &mut dyn Tx,
    payload: &SendPayload,
    at: DateTime<Utc>,
) -> Result<SendOutcome> {
    tx.schedule_job(&send_job(payload, at)?).await?;
    Ok(SendOutcome::Postponed(at))
}

// --- settings ---

/// Saves a flow after checking it; with a win-back coupon, keeps its promotion in step
/// first (created once, updated after; paused when the coupon is taken away). A failure
/// between the two leaves an unused promotion at worst.
pub async fn save_flow(
    store: &dyn Store,
    kind: FlowKind,
    mut flow: Flow,
    languages: &[&str],
    at: DateTime<Utc>,
) -> Result<Flow> {
    flow.validate(kind, languages).map_err(Error::Fields)?;
    let stored = current_flow(store, kind).await?;
    let previous = stored.coupon.as_ref().and_then(|c| c.promotion);
    if let Some(coupon) = &mut flow.coupon {
        coupon.promotion = Some(sync_promotion(store, previous, coupon.percent_off, at).await?);
    } else if let Some(id) = previous {
        crate::tiers::pause_promotion(store, id, at).await?;
    }
    store.set_automation_flow(kind, &flow, at).await?;
    Ok(flow)
}

/// The flow as stored, else its defaults.
pub async fn current_flow(store: &dyn Store, kind: FlowKind) -> Result<Flow> {
    Ok(store
        .automation_flows()
        .await?
        .into_iter()
        .find(|(k, _)| *k == kind)
        .map_or_else(|| kind.default_flow(), |(_, f)| f))
}

/// Every flow, stored or default, in [`FlowKind::ALL`] order.
pub async fn all_flows(store: &dyn Store) -> Result<Vec<(FlowKind, Flow)>> {
    let stored: BTreeMap<FlowKind, Flow> = store.automation_flows().await?.into_iter().collect();
    Ok(FlowKind::ALL
        .into_iter()
        .map(|k| {
            (
                k,
                stored.get(&k).cloned().unwrap_or_else(|| k.default_flow()),
            )
        })
        .collect())
}

async fn sync_promotion(
    store: &dyn Store,
    existing: Option<PromotionId>,
    percent_off: u32,
    at: DateTime<Utc>,
) -> Result<PromotionId> {
    use crate::coupon::{Limits, PromotionDraft, PromotionStatus};
    use crate::promotion::{Benefit, PerCurrency, Promotion, Scope, Trigger};
    let found = match existing {
        Some(id) => store.promotion(id).await?,
        None => None,
    };
    // The promotion's own code is never told to anyone: customers get single-use codes.
    let trigger = match &found {
        Some(p) => p.promotion.trigger.clone(),
        None => Trigger::code(&crate::referral::reward_code("WINBACK-")?),
    };
    let draft = PromotionDraft {
        promotion: Promotion {
            id: PromotionId::default(),
            name: format!("Win-back: {percent_off}% off"),
            trigger,
            benefit: Benefit::Percent {
                basis_points: percent_off * 100,
            },
            min_spend: PerCurrency::new(),
            scope: Scope::default(),
            starts_at: None,
            ends_at: None,
            combinable: false,
        },
        limits: Limits {
            max_uses_per_customer: Some(1),
            give_back_on_cancel: true,
            ..Limits::default()
        },
        status: PromotionStatus::Active,
        listed: false,
        source: Some("automation:win_back".into()),
    };
    let saved = match found {
        Some(p) => store.update_promotion(p.promotion.id, &draft, at).await?,
        None => store.create_promotion(&draft, at).await?,
    };
    Ok(saved.promotion.id)
}

/// Saves the global settings after checking them.
pub async fn save_settings(
    store: &dyn Store,
    settings: &AutomationSettings,
    at: DateTime<Utc>,
) -> Result<()> {
    settings.validate().map_err(Error::Fields)?;
    store.set_automation_settings(settings, at).await
}

/// `/birthday` with `args`: what to answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BirthdayReply {
    Saved(Birthday),
    Cleared,
    Current(Option<Birthday>),
    Invalid,
}

/// `/birthday 14.03` stores, `/birthday clear` (or `-`, `off`) clears, `/birthday` shows.
pub async fn birthday_command(
    tx: &mut dyn Tx,
    customer: &Customer,
    args: &str,
    at: DateTime<Utc>,
) -> Result<BirthdayReply> {
    let args = args.trim();
    if args.is_empty() {
        return Ok(BirthdayReply::Current(tx.birthday(customer.id).await?));
    }
    if matches!(
        args.to_lowercase().as_str(),
        "clear" | "off" | "-" | "delete"
    ) {
        tx.set_birthday(customer.id, None).await?;
        tx.append_event(&NewEvent::new("birthday_cleared", at).customer(customer.id))
            .await?;
        return Ok(BirthdayReply::Cleared);
    }
    let Some(birthday) = Birthday::parse(args) else {
        return Ok(BirthdayReply::Invalid);
    };
    tx.set_birthday(customer.id, Some(birthday)).await?;
    tx.append_event(&NewEvent::new("birthday_shared", at).customer(customer.id))
        .await?;
    Ok(BirthdayReply::Saved(birthday))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn utc(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, d, h, min, 0).unwrap()
    }

    fn quiet() -> QuietHours {
        AutomationSettings::default().quiet_hours.unwrap()
    }

    #[test]
    fn quiet_hours_span_midnight_in_the_customers_zone() {
        // Jakarta is UTC+7 all year: 23:00 local is 16:00 UTC.
        let at = utc(2026, 6, 1, 16, 0);
        assert_eq!(
            quiet_until(&quiet(), "Asia/Jakarta", at),
            Some(utc(2026, 6, 2, 2, 0)),
            "09:00 the next morning"
        );
        // 03:00 local (20:00 UTC the day before): until 09:00 the same local day.
        assert_eq!(
            quiet_until(&quiet(), "Asia/Jakarta", utc(2026, 6, 1, 20, 0)),
            Some(utc(2026, 6, 2, 2, 0))
        );
        // 12:00 local: not quiet.
        assert_eq!(
            quiet_until(&quiet(), "Asia/Jakarta", utc(2026, 6, 1, 5, 0)),
            None
        );
        // Exactly 09:00 is no longer quiet; 21:00 is.
        assert_eq!(quiet_until(&quiet(), "UTC", utc(2026, 6, 1, 9, 0)), None);
        assert_eq!(
            quiet_until(&quiet(), "UTC", utc(2026, 6, 1, 21, 0)),
            Some(utc(2026, 6, 2, 9, 0))
        );
        // An unknown zone is UTC.
        assert_eq!(
            quiet_until(&quiet(), "Mars/Olympus", utc(2026, 6, 1, 22, 0)),
            Some(utc(2026, 6, 2, 9, 0))
        );
    }

    #[test]
    fn quiet_hours_within_a_day_and_across_daylight_saving() {
        let lunch = QuietHours {
            start: NaiveTime::from_hms_opt(12, 0, 0).unwrap(),
            end: NaiveTime::from_hms_opt(14, 0, 0).unwrap(),
        };
        assert_eq!(
            quiet_until(&lunch, "UTC", utc(2026, 6, 1, 13, 0)),
            Some(utc(2026, 6, 1, 14, 0))
        );
        assert_eq!(quiet_until(&lunch, "UTC", utc(2026, 6, 1, 14, 0)), None);
        // Berlin moves from UTC+1 to UTC+2 on 29 March 2026 at 02:00. At 23:00 local on
        // the 28th (22:00 UTC) the quiet night ends at 09:00 CEST = 07:00 UTC.
        assert_eq!(
            quiet_until(&quiet(), "Europe/Berlin", utc(2026, 3, 28, 22, 0)),
            Some(utc(2026, 3, 29, 7, 0))
        );
        // And back on 25 October: 09:00 CET = 08:00 UTC.
        assert_eq!(
            quiet_until(&quiet(), "Europe/Berlin", utc(2026, 10, 24, 22, 0)),
            Some(utc(2026, 10, 25, 8, 0))
        );
        // New York, 8 March 2026 (UTC-5 → UTC-4): 22:00 EST is 03:00 UTC; 09:00 EDT is 13:00.
        assert_eq!(
            quiet_until(&quiet(), "America/New_York", utc(2026, 3, 8, 3, 0)),
            Some(utc(2026, 3, 8, 13, 0))
        );
    }

    #[test]
    fn the_cap_frees_when_the_oldest_send_leaves_the_window() {
        let now = utc(2026, 6, 1, 12, 0);
        let one_a_day = Cap {
            max_messages: 1,
            per_hours: 24,
        };
        assert_eq!(cap_frees_at(&one_a_day, &[], now), None);
        let sent = utc(2026, 6, 1, 8, 0);
        assert_eq!(
            cap_frees_at(&one_a_day, &[sent], now),
            Some(utc(2026, 6, 2, 8, 0))
        );
        // A send older than the window does not count.
        assert_eq!(
            cap_frees_at(&one_a_day, &[utc(2026, 5, 31, 11, 0)], now),
            None
        );
        let two = Cap {
            max_messages: 2,
            per_hours: 24,
        };
        let sends = [utc(2026, 6, 1, 10, 0), utc(2026, 5, 31, 20, 0)];
        assert_eq!(cap_frees_at(&two, &sends[..1], now), None);
        // Two in the window: the older must leave it.
        assert_eq!(
            cap_frees_at(&two, &sends, now),
            Some(utc(2026, 6, 1, 20, 0))
        );
        // Three in the window with room for two: the two oldest must leave.
        let three = [
            utc(2026, 6, 1, 11, 0),
            utc(2026, 6, 1, 1, 0),
            utc(2026, 6, 1, 6, 0),
        ];
        assert_eq!(cap_frees_at(&two, &three, now), Some(utc(2026, 6, 2, 6, 0)));
    }

    #[test]
    fn birthdays_parse_in_the_usual_ways() {
        let march = Some(Birthday { month: 3, day: 14 });
        assert_eq!(Birthday::parse("14.03"), march);
        assert_eq!(Birthday::parse("14/3"), march);
        assert_eq!(Birthday::parse("03-14"), march);
        assert_eq!(Birthday::parse("1990-03-14"), march);
        assert_eq!(
            Birthday::parse(" 29.02 "),
            Some(Birthday { month: 2, day: 29 })
        );
        for bad in ["", "31.02", "13-14", "14", "tomorrow", "1.2.3", "00.01"] {
            assert_eq!(Birthday::parse(bad), None, "{bad}");
        }
        let leap_day = Birthday { month: 2, day: 29 };
        assert!(leap_day.is_on(NaiveDate::from_ymd_opt(2027, 2, 28).unwrap()));
        assert!(!leap_day.is_on(NaiveDate::from_ymd_opt(2028, 2, 28).unwrap()));
        assert!(leap_day.is_on(NaiveDate::from_ymd_opt(2028, 2, 29).unwrap()));
    }

    #[test]
    fn flows_are_checked_field_by_field() {
        let langs = ["en", "es"];
        for kind in FlowKind::ALL {
            assert!(
                kind.default_flow().validate(kind, &langs).is_ok(),
                "{kind:?}"
            );
            assert_eq!(FlowKind::parse(kind.as_str()), Some(kind));
        }
        let mut flow = FlowKind::AbandonedCart.default_flow();
        flow.steps.push(flow.steps[0].clone());
        flow.steps[0].delay_minutes = 0;
        flow.steps[0].message.texts.insert("xx".into(), "Hi".into());
        flow.condition = Some("stage = sleepy".into());
        flow.coupon = FlowKind::WinBack.default_flow().coupon;
        let fields: Vec<String> = flow
            .validate(FlowKind::AbandonedCart, &langs)
            .unwrap_err()
            .into_iter()
            .map(|e| e.field)
            .collect();
        for field in [
            "steps",
            "steps[0].delay_minutes",
            "steps[0].message.texts",
            "condition",
            "coupon",
        ] {
            assert!(fields.iter().any(|f| f == field), "{field}: {fields:?}");
        }
        let mut win_back = FlowKind::WinBack.default_flow();
        win_back.coupon.as_mut().unwrap().percent_off = 91;
        win_back.steps[0].delay_minutes = MAX_DELAY_MINUTES + 1;
        let fields: Vec<String> = win_back
            .validate(FlowKind::WinBack, &langs)
            .unwrap_err()
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(fields, ["steps[0].delay_minutes", "coupon.percent_off"]);
        let mut settings = AutomationSettings::default();
        assert!(settings.validate().is_ok());
        settings.cap.max_messages = 0;
        assert!(settings.validate().is_err());
        let json = serde_json::to_value(AutomationSettings::default()).unwrap();
        assert_eq!(
            json["quiet_hours"],
            json!({"start": "21:00", "end": "09:00"})
        );
        let back: AutomationSettings = serde_json::from_value(json).unwrap();
        assert_eq!(back, AutomationSettings::default());
    }
}
