//! Analytics: the funnel, retention, growth, commerce and engagement figures of a date range,
//! computed from the events, member changes, customers and orders.
//!
//! Every figure is defined here; `docs/analytics.md` says the same for operators.
//!
//! # The query
//! An [`AnalyticsQuery`] covers the UTC days `from..=to`: from `from` 00:00 UTC up to, not
//! including, the day after `to` 00:00 UTC. Its optional filters narrow the *customers*
//! counted: `source` (the customer's first source: the invite link's source, deep-link
//! payload or referral they first came with), `language` (the language they chose),
//! `country` (their profile's country, the market) and `chat` (people who joined that chat at
//! some time). Figures about people who never wrote to the bot (joins) keep to the filters
//! they can answer: with a `source`, `language`, `country` or `segment` filter, people
//! without a customer row are left out.
//!
//! `segment` keeps the customers of a saved segment (`crate::segment`): its rule is evaluated
//! once, when the report is made ([`resolve_segment`], the same evaluation as a broadcast's
//! audience), and the customers it picks then are the filter, wherever the other customer
//! filters apply.
//!
//! # Activity
//! A customer is *active* on a UTC day when an event of theirs that they caused happened on
//! it: any event with their customer id except the [`PASSIVE_KINDS`] (what the shop did to
//! them, such as a message sent or a stage change). The stores keep one row per customer and
//! active day (`analytics_activity`), filled by a trigger on `events`.
//!
//! # Funnel
//! The steps are [`FunnelStep::ALL`]: joined a chat (`member_joined`, counted per Telegram
//! user, customer or not), started the bot (`conversation_started`), viewed a product
//! (`product_viewed`), added to the cart (`cart_added`), started a checkout
//! (`checkout_started`) and paid (`order_paid`). A step's count is the number of people whose
//! *first* time at that step fell in the range (the stores keep each person's first time per
//! step in `analytics_milestones`). Conversion from the previous step is
//! `count / previous count`, from the first `count / first count` (`None` when the
//! denominator is 0); drop-off is `previous count - count` (negative when people skipped the
//! previous step, say bought without joining a chat).
//!
//! # Retention
//! Cohorts are the customers first seen (their `first_seen_at`) in the range, grouped by the
//! ISO week (Monday 00:00 UTC) of that first sighting. For week offset `k` in `0..=weeks`, a
//! cohort's *active* count is its customers active on some day of the week starting
//! `cohort week + 7k days`, its *purchasing* count its customers with an order paid
//! (`paid_at`, refunded later or not) in that week. Shares divide by the cohort's size.
//!
//! *N-day retention* (N = 7 and 30): of the customers first seen in the range whose first
//! day plus N days is not after `to` (the *eligible*), the share that was active on some day
//! at least N days after their first day (at any time, also after `to`).
//!
//! # Growth
//! Per bucket (UTC day, ISO week starting Monday, or calendar month; a bucket is named by its
//! first day) and source: *new customers* (first seen in the bucket, by first source). Per
//! bucket, chat and source (the invite link's source, `None` without a link): *joins*,
//! *leaves* and *net* (`joins - leaves`). Invite-link conversion per link source: the
//! distinct people who joined through a link of that source in the range, and of them the
//! *converted*: those who (as a customer) have an order paid at or after such a join.
//!
//! # Commerce
//! Orders count when they were paid (`paid_at`) in the range, refunded later or not, per
//! currency (money is never added across currencies): *orders*, *GMV* (the sum of their
//! totals, integer minor units), *AOV* (`GMV / orders`, rounded down), *refunded orders*
//! (now in status `refunded`) and their *refunded amount*, *refund rate*
//! (`refunded orders / orders`), *net* (`GMV - refunded amount`), *buyers* (distinct
//! customers), *repeat-purchase rate* (buyers with two or more of these orders / buyers), and
//! the *median days between orders* (over every gap between a buyer's consecutive orders in
//! the currency, in days as fractions; the mean of the two middle gaps for an even count).
//! Per promotion, code and currency: the orders that used it, their *revenue* (the sum of
//! their totals: an order with two promotions counts for both), the *discount* given (line
//! and shipping amounts) and *ROI* = `revenue / discount` (`None` without a discount).
//!
//! # Source costs
//! Operators enter what they spent on a source (an ad, a KOL post): a source, a currency, an
//! amount (integer minor units, more than 0) and the UTC day it was spent (`spent_on`). The
//! growth report gains, per link source and currency with a cost in the range: the *cost*
//! (the sum of the amounts with `spent_on` in `from..=to`), the *joined* and *converted*
//! people of that source's invite links (as in invite-link conversion above, filters
//! included), *cost per join* = `cost / joined` and *cost per converted* =
//! `cost / converted`, rounded down (`None` when the divisor is 0), the *revenue* of the
//! customers whose first source is that source (their orders paid in the range, in that
//! currency, less those now refunded or cancelled; customer filters apply) and *ROI* =
//! `revenue / cost` (`None` without a cost), so a KOL's spend compares with what their
//! people bought. Costs themselves are not narrowed by the customer filters. A customer's
//! first source is the first one they brought to the bot: someone who joined through a
//! KOL's link but first started the bot from another deep link counts in the KOL's
//! `joined`, not in its revenue.
//!
//! # LTV by source
//! Per first source: the customers first seen in the range (`customers`); per currency, the
//! *buyers* among them (with an order paid at any time up to now, refunded later or not),
//! their *revenue* (the totals of those orders, less those now refunded or cancelled), *LTV
//! per customer* = `revenue / customers` and *LTV per buyer* = `revenue / buyers` (integer
//! minor units, rounded down; `None` without buyers).
//!
//! # LTV by tier
//! The same figures of the same customers, grouped by their membership tier *now* (the
//! stored tier of `customer_tiers`, see [`crate::tiers`]; customers without one are under
//! the base tier's key, the first of the tier settings, `member` by default). Tiers come in
//! ladder order; a stored key no longer on the ladder (a tier removed since the last
//! recompute) keeps its own row after them, by key. Only tiers with customers are listed.
//!
//! # Best posting hours
//! Per market (the customer's profile country; customers without one under `unknown`) and
//! local hour of day (0-23): the customers' *activity events* (those that make a customer
//! active, see Activity) in the range. Each UTC hour's events are counted in the local hour
//! that UTC hour starts at in the market's zone ([`crate::time_zone::of_country`]; UTC for
//! `unknown` and countries without one), daylight saving included; in a zone with a
//! half-hour offset the whole UTC hour goes to the local hour it starts in. The *top hours*
//! are the [`TOP_HOURS`] hours with the most events (ties to the earlier hour; hours without
//! events are never top). Markets come by events, most first.
//!
//! # Engagement
//! *DAU* per day of the range (active customers). *MAU*: distinct customers active in the
//! last 30 days of the range (the range itself when shorter); *mean DAU* over the same days;
//! *stickiness* = `mean DAU / MAU`. *Messages per day*: updates received that were messages
//! (private and group chats; the customer filters do not apply, the chat filter does).
//! *FAQ deflection* = `faq answered / (faq answered + tickets opened)`, over the events of
//! the range.
//!
//! # Members and interactions
//! Per group (bot and chat), from what groupcart saw of its members (`chat_members`,
//! [`crate::membership`]: the Bot API cannot list a chat's members, so people who never
//! joined or spoke since the bot came are not known):
//! - *Known members*: people first seen in the chat (joining or speaking) before the end of
//!   the range whose latest join or leave seen before the end (`member_changes`) is not a
//!   leave: the members at the end of the range as far as groupcart knows.
//! - *Members who spoke*: the known members who sent a message in the chat on a day of the
//!   range (the stores keep one row per chat, member and UTC day spoken, with the messages,
//!   in `chat_member_days`, written with each message since migration 0031; earlier days
//!   are not known). *Silent members* = `known - spoke`; *share who spoke* =
//!   `spoke / known` (`None` without known members).
//! - *Messages*: the messages members sent in the chat in the range, whoever sent them
//!   (people who left since, or were erased, included).
//!
//! With a `source`, `language`, `country` or `segment` filter only members who are such
//! customers count (and their messages); the `chat` filter keeps that chat. Chats with
//! neither known members nor messages are left out; chats come by bot, then chat id.
//!
//! *Content interactions* per day of the range: *button presses* (updates received that
//! were callback queries, any chat), *deep-link starts* (`conversation_started` events with
//! a source: a `/start <payload>`), and *poll votes* (calendar polls: each time a poll's new
//! state is stored a [`POLL_UPDATED`] event keeps its total voters; a day's votes are, per
//! poll, the change in total voters from the state stored before to each state stored that
//! day, so a retracted vote counts -1). The customer filters narrow deep-link starts only
//! (button presses and poll votes name no customer: anonymous polls); the `chat` filter
//! keeps the presses and votes of that chat and the starts of people who joined it.

use crate::segment::SegmentId;
use crate::store::Store;
use crate::{Error, FieldError, Result};
use async_trait::async_trait;
use chrono::{DateTime, Datelike, Duration, NaiveDate, Timelike, Utc};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

/// Event kinds that happen *to* a customer rather than by them: they do not make a
/// customer active. Keep in step with the triggers of `migrations/0022_analytics.sql` in both
/// stores.
pub const PASSIVE_KINDS: &[&str] = &[
    "message_sent",
    "message_failed",
    "lifecycle_changed",
    "profile_changed",
    "data_exported",
    "customer_erased",
    "sla_breached",
    "referral_reviewed",
    "order_shipped",
    "order_delivered",
    "order_completed",
    "order_cancelled",
    "order_refunded",
    "shipment_stuck",
    "flash_sale_reminder",
];

/// Whether an event of `kind` makes its customer active that day.
pub fn is_activity(kind: &str) -> bool {
    !PASSIVE_KINDS.contains(&kind)
}

/// The longest range a query may cover, in days.
pub const MAX_DAYS: i64 = 3700;

/// The most week offsets a retention report shows after week 0.
pub const MAX_WEEKS: u32 = 52;

/// A step of the funnel, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FunnelStep {
    Joined,
    StartedBot,
    ViewedProduct,
    AddedToCart,
    Checkout,
    Paid,
}

impl FunnelStep {
    /// Every step, in funnel order.
    pub const ALL: [FunnelStep; 6] = [
        FunnelStep::Joined,
        FunnelStep::StartedBot,
        FunnelStep::ViewedProduct,
        FunnelStep::AddedToCart,
        FunnelStep::Checkout,
        FunnelStep::Paid,
    ];

    /// The step's number as stored (1 to 6).
    pub fn number(self) -> i64 {
        self as i64 + 1
    }

    /// The step's name in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            FunnelStep::Joined => "joined",
            FunnelStep::StartedBot => "started_bot",
            FunnelStep::ViewedProduct => "viewed_product",
            FunnelStep::AddedToCart => "added_to_cart",
            FunnelStep::Checkout => "checkout",
            FunnelStep::Paid => "paid",
        }
    }

    /// The event kind that reaches the step.
    pub fn event_kind(self) -> &'static str {
        match self {
            FunnelStep::Joined => "member_joined",
            FunnelStep::StartedBot => crate::event::kind::CONVERSATION_STARTED,
            FunnelStep::ViewedProduct => crate::event::kind::PRODUCT_VIEWED,
            FunnelStep::AddedToCart => crate::event::kind::CART_ADDED,
            FunnelStep::Checkout => crate::event::kind::CHECKOUT_STARTED,
            FunnelStep::Paid => crate::event::kind::ORDER_PAID,
        }
    }

    /// The step an event of `kind` reaches, if any.
    pub fn of_kind(kind: &str) -> Option<FunnelStep> {
        FunnelStep::ALL.into_iter().find(|s| s.event_kind() == kind)
    }
}

/// Time buckets of growth series.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Bucket {
    #[default]
    Day,
    Week,
    Month,
}

impl Bucket {
    /// Parses `day`, `week` or `month`.
    pub fn parse(s: &str) -> Option<Bucket> {
        match s {
            "day" => Some(Bucket::Day),
            "week" => Some(Bucket::Week),
            "month" => Some(Bucket::Month),
            _ => None,
        }
    }

    /// The first day of the bucket holding `day`.
    pub fn start(self, day: NaiveDate) -> NaiveDate {
        match self {
            Bucket::Day => day,
            Bucket::Week => week_start(day),
            Bucket::Month => day.with_day(1).unwrap_or(day),
        }
    }
}

/// The Monday of `day`'s ISO week.
pub fn week_start(day: NaiveDate) -> NaiveDate {
    day - Duration::days(i64::from(day.weekday().num_days_from_monday()))
}

/// The UTC day as days since 1970-01-01 (what the stores' day columns hold).
pub fn day_number(day: NaiveDate) -> i64 {
    (day - epoch()).num_days()
}

/// The UTC day of a day number.
pub fn day_of_number(n: i64) -> NaiveDate {
    epoch() + Duration::days(n)
}

/// The UTC day of an instant.
pub fn day_of(at: DateTime<Utc>) -> NaiveDate {
    at.date_naive()
}

fn epoch() -> NaiveDate {
    NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or_default()
}

/// What a report covers: UTC days `from..=to` and optional filters on the customers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnalyticsQuery {
    pub from: NaiveDate,
    /// The last day, included.
    pub to: NaiveDate,
    /// People who joined this chat (at any time).
    pub chat: Option<i64>,
    /// The customer's first source.
    pub source: Option<String>,
    /// The customer's chosen language.
    pub language: Option<String>,
    /// The customer's country (profile), the market.
    pub country: Option<String>,
    /// Customers in this saved segment.
    #[serde(default)]
    pub segment: Option<SegmentId>,
    /// The customer ids `segment` picks, sorted, as [`resolve_segment`] found them: the
    /// stores filter on these, never on the rule.
    #[serde(skip)]
    pub segment_customers: Option<Arc<[i64]>>,
}

impl AnalyticsQuery {
    /// A query of `from..=to` without filters.
    pub fn new(from: NaiveDate, to: NaiveDate) -> Self {
        AnalyticsQuery {
            from,
            to,
            chat: None,
            source: None,
            language: None,
            country: None,
            segment: None,
            segment_customers: None,
        }
    }

    /// Checks the range: `from` not after `to`, at most [`MAX_DAYS`] days.
    pub fn validate(&self) -> Result<()> {
        let mut problems = Vec::new();
        if self.from > self.to {
            problems.push(FieldError::new("from", "must not be after `to`"));
        } else if self.days() > MAX_DAYS {
            problems.push(FieldError::new(
                "to",
                format!("a range covers at most {MAX_DAYS} days"),
            ));
        }
        if day_number(self.from) < 0 {
            problems.push(FieldError::new("from", "must be 1970-01-01 or later"));
        }
        if self.to.year() > 9999 {
            problems.push(FieldError::new("to", "must be in the year 9999 or earlier"));
        }
        for (field, value) in [
            ("source", &self.source),
            ("language", &self.language),
            ("country", &self.country),
        ] {
            // Control characters (NUL among them, which PostgreSQL refuses in text) are in
            // no source, language or country.
            let bad = |v: &String| v.is_empty() || v.len() > 200 || v.chars().any(char::is_control);
            if value.as_ref().is_some_and(bad) {
                problems.push(FieldError::new(
                    field,
                    "must be 1 to 200 characters, none of them control characters",
                ));
            }
        }
        if !problems.is_empty() {
            return Err(Error::Fields(problems));
        }
        if self.segment.is_some() && self.segment_customers.is_none() {
            // A programming slip, not the caller's input: the segment filter would be lost.
            return Err(Error::Invalid(
                "the segment's customers were not resolved".to_owned(),
            ));
        }
        Ok(())
    }

    /// Days covered.
    pub fn days(&self) -> i64 {
        (self.to - self.from).num_days() + 1
    }

    /// The first instant covered.
    pub fn start(&self) -> DateTime<Utc> {
        self.from.and_time(chrono::NaiveTime::MIN).and_utc()
    }

    /// The first instant after the range.
    pub fn end(&self) -> DateTime<Utc> {
        (self.to + Duration::days(1))
            .and_time(chrono::NaiveTime::MIN)
            .and_utc()
    }

    /// Whether any filter on customers' attributes (not the chat) is set.
    pub fn filters_customers(&self) -> bool {
        self.source.is_some()
            || self.language.is_some()
            || self.country.is_some()
            || self.segment_customers.is_some()
    }
}

// --- what the stores answer ---

/// Retention counts as a store answers them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CohortCounts {
    /// Cohort week (Monday) → customers.
    pub sizes: Vec<(NaiveDate, i64)>,
    /// (cohort week, week offset, active customers, purchasing customers), offsets
    /// `0..=weeks`; missing cells are zero.
    pub cells: Vec<(NaiveDate, u32, i64, i64)>,
}

/// Growth counts per UTC day as a store answers them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GrowthDays {
    /// (day, first source, new customers).
    pub new_customers: Vec<(NaiveDate, Option<String>, i64)>,
    /// (day, chat, link source, joins, leaves).
    pub members: Vec<(NaiveDate, i64, Option<String>, i64, i64)>,
    /// (link source, people who joined through a link of it, of them converted).
    pub invite_links: Vec<(String, i64, i64)>,
    /// (first source, currency, revenue net of refunds) of the orders paid in the range by
    /// customers with a first source.
    pub source_revenue: Vec<(String, String, i64)>,
}

/// An order paid in the range, as a store answers it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaidOrderRow {
    pub order_id: i64,
    pub customer_id: i64,
    pub currency: String,
    pub total: i64,
    pub paid_at: DateTime<Utc>,
    /// Now in status `refunded`.
    pub refunded: bool,
}

/// A promotion used by an order paid in the range.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CouponUseRow {
    pub order_id: i64,
    pub promotion_id: i64,
    pub promotion: String,
    pub code: Option<String>,
    pub currency: String,
    pub order_total: i64,
    /// Line and shipping discount.
    pub discount: i64,
}

/// Engagement counts as a store answers them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EngagementDays {
    /// (day, active customers), days with any.
    pub dau: Vec<(NaiveDate, i64)>,
    /// Distinct customers active in the MAU window (see the module docs).
    pub mau: i64,
    /// (day, message updates), days with any.
    pub messages: Vec<(NaiveDate, i64)>,
    pub faq_answered: i64,
    pub tickets_opened: i64,
}

/// The event recorded each time a calendar poll's newer state is stored (data: `post_id`,
/// `poll_id` and the poll's `voters` then): what poll votes are counted from.
pub const POLL_UPDATED: &str = "poll_updated";

/// Known members, members who spoke and messages of one chat, as a store answers them (see
/// the module docs).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChatMemberCounts {
    pub bot: String,
    pub chat_id: i64,
    pub known: i64,
    pub spoke: i64,
    pub messages: i64,
}

/// Content interactions per UTC day as a store answers them: (day, count), days with any.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InteractionDays {
    pub button_presses: Vec<(NaiveDate, i64)>,
    pub deep_link_starts: Vec<(NaiveDate, i64)>,
    /// Net change of voters (negative when more retracted than voted).
    pub poll_votes: Vec<(NaiveDate, i64)>,
}

/// The analytics reads a store answers. Implementations read the `analytics_*` rollups the
/// database keeps by trigger, and the customers, member changes, orders and events.
#[async_trait]
pub trait AnalyticsStore: Send + Sync {
    /// People whose first time at each step fell in the range, in [`FunnelStep::ALL`] order
    /// (six counts).
    async fn analytics_funnel(&self, q: &AnalyticsQuery) -> Result<Vec<i64>>;

    /// Cohort sizes and cells for week offsets `0..=weeks`.
    async fn analytics_cohorts(&self, q: &AnalyticsQuery, weeks: u32) -> Result<CohortCounts>;

    /// N-day retention counts: (eligible, returned) for `days`.
    async fn analytics_returning(&self, q: &AnalyticsQuery, days: i64) -> Result<(i64, i64)>;

    async fn analytics_growth(&self, q: &AnalyticsQuery) -> Result<GrowthDays>;

    /// Orders paid in the range, by paid time then id.
    async fn analytics_orders(&self, q: &AnalyticsQuery) -> Result<Vec<PaidOrderRow>>;

    /// Promotions used by orders paid in the range.
    async fn analytics_coupon_uses(&self, q: &AnalyticsQuery) -> Result<Vec<CouponUseRow>>;

    async fn analytics_engagement(&self, q: &AnalyticsQuery) -> Result<EngagementDays>;

    /// Per first source and per stored tier (`None`: no `customer_tiers` row): customers
    /// first seen in the range; per group and currency: buyers among them and their revenue
    /// net of refunds (see the module docs).
    async fn analytics_ltv(&self, q: &AnalyticsQuery) -> Result<LtvCounts>;

    /// Activity events of the range per customer country and UTC hour (hours since
    /// 1970-01-01 00:00 UTC): (country, hour, events), hours with any.
    async fn analytics_activity_hours(
        &self,
        q: &AnalyticsQuery,
    ) -> Result<Vec<(Option<String>, i64, i64)>>;

    /// Saves a cost (already validated).
    async fn add_source_cost(
        &self,
        draft: &SourceCostDraft,
        at: DateTime<Utc>,
    ) -> Result<SourceCost>;

    /// `false` if unknown.
    async fn delete_source_cost(&self, id: SourceCostId) -> Result<bool>;

    /// Costs with `spent_on` in `from..=to`, by `spent_on` then id.
    async fn source_costs(&self, from: NaiveDate, to: NaiveDate) -> Result<Vec<SourceCost>>;

    /// Per chat: known members at the end of the range, of them those who spoke in it, and
    /// the messages of the range (see the module docs), chats with any, by bot then chat.
    async fn analytics_chat_members(&self, q: &AnalyticsQuery) -> Result<Vec<ChatMemberCounts>>;

    /// Button presses, deep-link starts and poll votes per day of the range.
    async fn analytics_interactions(&self, q: &AnalyticsQuery) -> Result<InteractionDays>;

    /// Events of `kinds` with `from <= at < to`, counted per kind, bot and chat.
    async fn event_counts(
        &self,
        kinds: &[&str],
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<EventCount>>;
}

/// How many events of a kind a bot recorded in a chat (either may be absent).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventCount {
    pub kind: String,
    pub bot: Option<String>,
    pub chat_id: Option<i64>,
    pub count: i64,
}

// --- reports ---

/// `n / d`, `None` when `d` is 0.
pub fn ratio(n: i64, d: i64) -> Option<f64> {
    (d != 0).then(|| n as f64 / d as f64)
}

/// One step of the funnel report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FunnelRow {
    pub step: FunnelStep,
    pub count: i64,
    pub from_previous: Option<f64>,
    pub from_first: Option<f64>,
    /// Previous count minus this one (0 for the first step).
    pub drop_off: i64,
}

/// The funnel report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Funnel {
    pub steps: Vec<FunnelRow>,
}

impl Funnel {
    /// The report of six step counts.
    pub fn of_counts(counts: &[i64]) -> Funnel {
        let first = counts.first().copied().unwrap_or(0);
        let steps = FunnelStep::ALL
            .iter()
            .enumerate()
            .map(|(i, &step)| {
                let count = counts.get(i).copied().unwrap_or(0);
                let previous = if i == 0 {
                    None
                } else {
                    counts.get(i - 1).copied()
                };
                FunnelRow {
                    step,
                    count,
                    from_previous: previous.and_then(|p| ratio(count, p)),
                    from_first: ratio(count, first),
                    drop_off: previous.map_or(0, |p| p - count),
                }
            })
            .collect();
        Funnel { steps }
    }
}

/// One week offset of a cohort.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CohortWeek {
    pub offset: u32,
    pub active: i64,
    pub purchasing: i64,
    pub active_share: Option<f64>,
    pub purchasing_share: Option<f64>,
}

/// One cohort.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Cohort {
    /// The Monday of the cohort's week.
    pub week: NaiveDate,
    pub size: i64,
    pub weeks: Vec<CohortWeek>,
}

/// N-day retention.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DayRetention {
    pub days: i64,
    pub eligible: i64,
    pub returned: i64,
    pub share: Option<f64>,
}

/// The retention report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Retention {
    pub cohorts: Vec<Cohort>,
    pub day_7: DayRetention,
    pub day_30: DayRetention,
}

impl Retention {
    /// The report of a store's counts.
    pub fn of_counts(
        counts: &CohortCounts,
        weeks: u32,
        day_7: (i64, i64),
        day_30: (i64, i64),
    ) -> Retention {
        let cells: BTreeMap<(NaiveDate, u32), (i64, i64)> = counts
            .cells
            .iter()
            .map(|&(w, o, a, p)| ((w, o), (a, p)))
            .collect();
        let mut sizes = counts.sizes.clone();
        sizes.sort();
        let cohorts = sizes
            .into_iter()
            .map(|(week, size)| Cohort {
                week,
                size,
                weeks: (0..=weeks)
                    .map(|offset| {
                        let (active, purchasing) =
                            cells.get(&(week, offset)).copied().unwrap_or((0, 0));
                        CohortWeek {
                            offset,
                            active,
                            purchasing,
                            active_share: ratio(active, size),
                            purchasing_share: ratio(purchasing, size),
                        }
                    })
                    .collect(),
            })
            .collect();
        let day = |days, (eligible, returned)| DayRetention {
            days,
            eligible,
            returned,
            share: ratio(returned, eligible),
        };
        Retention {
            cohorts,
            day_7: day(7, day_7),
            day_30: day(30, day_30),
        }
    }
}

/// New customers of a bucket and source.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewCustomers {
    pub bucket: NaiveDate,
    pub source: Option<String>,
    pub customers: i64,
}

/// Member changes of a bucket, chat and link source.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberGrowth {
    pub bucket: NaiveDate,
    pub chat: i64,
    pub source: Option<String>,
    pub joins: i64,
    pub leaves: i64,
    pub net: i64,
}

/// Invite-link conversion of a link source.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LinkConversion {
    pub source: String,
    pub joined: i64,
    pub converted: i64,
    pub rate: Option<f64>,
}

/// What was spent on a link source in one currency, and what it bought.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SourceCostFigures {
    pub source: String,
    pub currency: String,
    /// Costs with `spent_on` in the range, integer minor units.
    pub cost: i64,
    /// People who joined through the source's invite links (as in [`LinkConversion`]).
    pub joined: i64,
    pub converted: i64,
    /// `cost / joined`, rounded down.
    pub cost_per_join: Option<i64>,
    /// `cost / converted`, rounded down.
    pub cost_per_converted: Option<i64>,
    /// Paid in the range, in this currency, by the customers whose first source this is,
    /// less refunds; integer minor units.
    pub revenue: i64,
    /// `revenue / cost`.
    pub roi: Option<f64>,
}

/// The growth report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Growth {
    pub bucket: Bucket,
    pub new_customers: Vec<NewCustomers>,
    pub members: Vec<MemberGrowth>,
    pub invite_links: Vec<LinkConversion>,
    /// Per source and currency with a cost in the range, by source then currency.
    pub costs: Vec<SourceCostFigures>,
}

impl Growth {
    /// The report of a store's per-day counts, in `bucket`s.
    pub fn of_days(days: &GrowthDays, bucket: Bucket) -> Growth {
        let mut new: BTreeMap<(NaiveDate, Option<String>), i64> = BTreeMap::new();
        for (day, source, n) in &days.new_customers {
            *new.entry((bucket.start(*day), source.clone())).or_default() += n;
        }
        let mut members: BTreeMap<(NaiveDate, i64, Option<String>), (i64, i64)> = BTreeMap::new();
        for (day, chat, source, joins, leaves) in &days.members {
            let e = members
                .entry((bucket.start(*day), *chat, source.clone()))
                .or_default();
            e.0 += joins;
            e.1 += leaves;
        }
        let mut links = days.invite_links.clone();
        links.sort();
        Growth {
            bucket,
            new_customers: new
                .into_iter()
                .map(|((bucket, source), customers)| NewCustomers {
                    bucket,
                    source,
                    customers,
                })
                .collect(),
            members: members
                .into_iter()
                .map(|((bucket, chat, source), (joins, leaves))| MemberGrowth {
                    bucket,
                    chat,
                    source,
                    joins,
                    leaves,
                    net: joins - leaves,
                })
                .collect(),
            invite_links: links
                .into_iter()
                .map(|(source, joined, converted)| LinkConversion {
                    source,
                    joined,
                    converted,
                    rate: ratio(converted, joined),
                })
                .collect(),
            costs: Vec::new(),
        }
    }

    /// The report with the figures of `costs` (those of the range) per source and currency,
    /// and the revenue of each source's customers: (first source, currency, revenue) rows
    /// as in [`GrowthDays::source_revenue`].
    pub fn with_costs(mut self, costs: &[SourceCost], revenue: &[(String, String, i64)]) -> Growth {
        let mut earned: BTreeMap<(&str, &str), i64> = BTreeMap::new();
        for (source, currency, amount) in revenue {
            *earned.entry((source, currency)).or_default() += amount;
        }
        let mut spent: BTreeMap<(&str, &str), i64> = BTreeMap::new();
        for c in costs {
            let sum = spent.entry((&c.source, &c.currency)).or_default();
            // Amounts are capped (MAX_COST_AMOUNT); saturating keeps a silly total finite.
            *sum = sum.saturating_add(c.amount);
        }
        let links: BTreeMap<&str, &LinkConversion> = self
            .invite_links
            .iter()
            .map(|l| (l.source.as_str(), l))
            .collect();
        let per = |cost: i64, n: i64| (n > 0).then(|| cost.div_euclid(n));
        self.costs = spent
            .into_iter()
            .map(|((source, currency), cost)| {
                let (joined, converted) = links
                    .get(source)
                    .map_or((0, 0), |l| (l.joined, l.converted));
                let revenue = earned.get(&(source, currency)).copied().unwrap_or(0);
                SourceCostFigures {
                    source: source.to_owned(),
                    currency: currency.to_owned(),
                    cost,
                    joined,
                    converted,
                    cost_per_join: per(cost, joined),
                    cost_per_converted: per(cost, converted),
                    revenue,
                    roi: ratio(revenue, cost),
                }
            })
            .collect();
        self
    }
}

/// Sales figures of one currency.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CurrencyFigures {
    pub currency: String,
    pub orders: i64,
    pub gmv: i64,
    pub aov: i64,
    pub refunded_orders: i64,
    pub refunded_amount: i64,
    pub refund_rate: Option<f64>,
    pub net: i64,
    pub buyers: i64,
    pub repeat_buyers: i64,
    pub repeat_purchase_rate: Option<f64>,
    pub median_days_between_orders: Option<f64>,
}

/// Revenue and discount of one promotion, code and currency.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CouponFigures {
    pub promotion_id: i64,
    pub promotion: String,
    pub code: Option<String>,
    pub currency: String,
    pub orders: i64,
    pub revenue: i64,
    pub discount: i64,
    pub roi: Option<f64>,
}

/// The commerce report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Commerce {
    pub currencies: Vec<CurrencyFigures>,
    pub coupons: Vec<CouponFigures>,
}

/// The median of `values` (sorted here); the mean of the two middle ones for an even count.
pub fn median(values: &mut [f64]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    values.sort_by(f64::total_cmp);
    let mid = values.len() / 2;
    Some(if values.len() % 2 == 1 {
        values[mid]
    } else {
        (values[mid - 1] + values[mid]) / 2.0
    })
}

const MS_PER_DAY: f64 = 86_400_000.0;

impl Commerce {
    /// The report of the paid orders and promotion uses of the range.
    pub fn of_rows(orders: &[PaidOrderRow], uses: &[CouponUseRow]) -> Commerce {
        let mut by_currency: BTreeMap<&str, Vec<&PaidOrderRow>> = BTreeMap::new();
        for o in orders {
            by_currency.entry(&o.currency).or_default().push(o);
        }
        let currencies = by_currency
            .into_iter()
            .map(|(currency, mut list)| {
                list.sort_by_key(|o| (o.paid_at, o.order_id));
                let n = list.len() as i64;
                let gmv: i64 = list.iter().map(|o| o.total).sum();
                let refunded: Vec<_> = list.iter().filter(|o| o.refunded).collect();
                let refunded_amount: i64 = refunded.iter().map(|o| o.total).sum();
                let mut per_buyer: BTreeMap<i64, Vec<DateTime<Utc>>> = BTreeMap::new();
                for o in &list {
                    per_buyer.entry(o.customer_id).or_default().push(o.paid_at);
                }
                let buyers = per_buyer.len() as i64;
                let repeat = per_buyer.values().filter(|v| v.len() >= 2).count() as i64;
                let mut gaps: Vec<f64> = per_buyer
                    .values()
                    .flat_map(|times| {
                        times
                            .windows(2)
                            .map(|w| (w[1] - w[0]).num_milliseconds() as f64 / MS_PER_DAY)
                    })
                    .collect();
                CurrencyFigures {
                    currency: currency.to_owned(),
                    orders: n,
                    gmv,
                    aov: if n == 0 { 0 } else { gmv.div_euclid(n) },
                    refunded_orders: refunded.len() as i64,
                    refunded_amount,
                    refund_rate: ratio(refunded.len() as i64, n),
                    net: gmv - refunded_amount,
                    buyers,
                    repeat_buyers: repeat,
                    repeat_purchase_rate: ratio(repeat, buyers),
                    median_days_between_orders: median(&mut gaps),
                }
            })
            .collect();
        type Key = (i64, Option<String>, String);
        let mut coupons: BTreeMap<Key, (String, BTreeSet<i64>, i64, i64)> = BTreeMap::new();
        for u in uses {
            let e = coupons
                .entry((u.promotion_id, u.code.clone(), u.currency.clone()))
                .or_insert_with(|| (u.promotion.clone(), BTreeSet::new(), 0, 0));
            if e.1.insert(u.order_id) {
                e.2 += u.order_total;
            }
            e.3 += u.discount;
        }
        let coupons = coupons
            .into_iter()
            .map(
                |((promotion_id, code, currency), (promotion, orders, revenue, discount))| {
                    CouponFigures {
                        promotion_id,
                        promotion,
                        code,
                        currency,
                        orders: orders.len() as i64,
                        revenue,
                        discount,
                        roi: ratio(revenue, discount),
                    }
                },
            )
            .collect();
        Commerce {
            currencies,
            coupons,
        }
    }
}

/// Active customers and messages of one day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EngagementDay {
    pub day: NaiveDate,
    pub active: i64,
    pub messages: i64,
}

/// The engagement report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Engagement {
    /// Every day of the range, oldest first.
    pub days: Vec<EngagementDay>,
    /// The first day of the MAU window.
    pub mau_from: NaiveDate,
    pub mau: i64,
    pub mean_dau: f64,
    pub stickiness: Option<f64>,
    pub faq_answered: i64,
    pub tickets_opened: i64,
    pub faq_deflection: Option<f64>,
}

/// The first day of the MAU window of `q`: 30 days ending at `to`, not before `from`.
pub fn mau_from(q: &AnalyticsQuery) -> NaiveDate {
    (q.to - Duration::days(29)).max(q.from)
}

impl Engagement {
    /// The report of a store's counts.
    pub fn of_days(q: &AnalyticsQuery, e: &EngagementDays) -> Engagement {
        let dau: BTreeMap<NaiveDate, i64> = e.dau.iter().copied().collect();
        let messages: BTreeMap<NaiveDate, i64> = e.messages.iter().copied().collect();
        let days: Vec<EngagementDay> = q
            .from
            .iter_days()
            .take_while(|d| *d <= q.to)
            .map(|day| EngagementDay {
                day,
                active: dau.get(&day).copied().unwrap_or(0),
                messages: messages.get(&day).copied().unwrap_or(0),
            })
            .collect();
        let window = mau_from(q);
        let window_days = (q.to - window).num_days() + 1;
        let window_sum: i64 = days
            .iter()
            .filter(|d| d.day >= window)
            .map(|d| d.active)
            .sum();
        let mean_dau = window_sum as f64 / window_days as f64;
        Engagement {
            days,
            mau_from: window,
            mau: e.mau,
            mean_dau,
            stickiness: (e.mau != 0).then(|| mean_dau / e.mau as f64),
            faq_answered: e.faq_answered,
            tickets_opened: e.tickets_opened,
            faq_deflection: ratio(e.faq_answered, e.faq_answered + e.tickets_opened),
        }
    }
}

/// Members and speaking in one chat.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChatEngagement {
    pub bot: String,
    pub chat_id: i64,
    pub known_members: i64,
    pub spoke: i64,
    pub silent: i64,
    /// `spoke / known_members`.
    pub spoke_share: Option<f64>,
    pub messages: i64,
}

/// Content interactions of one day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InteractionDay {
    pub day: NaiveDate,
    pub button_presses: i64,
    pub deep_link_starts: i64,
    pub poll_votes: i64,
}

/// The members report: who spoke in each chat, and content interactions per day.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Members {
    /// By bot, then chat id.
    pub chats: Vec<ChatEngagement>,
    /// Every day of the range, oldest first.
    pub interactions: Vec<InteractionDay>,
    /// Sums over the range.
    pub button_presses: i64,
    pub deep_link_starts: i64,
    pub poll_votes: i64,
}

impl Members {
    /// The report of a store's counts.
    pub fn of_counts(
        q: &AnalyticsQuery,
        chats: &[ChatMemberCounts],
        interactions: &InteractionDays,
    ) -> Members {
        let mut chats: Vec<ChatEngagement> = chats
            .iter()
            .map(|c| ChatEngagement {
                bot: c.bot.clone(),
                chat_id: c.chat_id,
                known_members: c.known,
                spoke: c.spoke,
                silent: c.known - c.spoke,
                spoke_share: ratio(c.spoke, c.known),
                messages: c.messages,
            })
            .collect();
        chats.sort_by(|a, b| (&a.bot, a.chat_id).cmp(&(&b.bot, b.chat_id)));
        let by_day = |rows: &[(NaiveDate, i64)]| -> BTreeMap<NaiveDate, i64> {
            let mut map = BTreeMap::new();
            for (day, n) in rows {
                *map.entry(*day).or_default() += n;
            }
            map
        };
        let presses = by_day(&interactions.button_presses);
        let starts = by_day(&interactions.deep_link_starts);
        let votes = by_day(&interactions.poll_votes);
        let on = |map: &BTreeMap<NaiveDate, i64>, day| map.get(&day).copied().unwrap_or(0);
        let interactions: Vec<InteractionDay> = q
            .from
            .iter_days()
            .take_while(|d| *d <= q.to)
            .map(|day| InteractionDay {
                day,
                button_presses: on(&presses, day),
                deep_link_starts: on(&starts, day),
                poll_votes: on(&votes, day),
            })
            .collect();
        Members {
            button_presses: interactions.iter().map(|d| d.button_presses).sum(),
            deep_link_starts: interactions.iter().map(|d| d.deep_link_starts).sum(),
            poll_votes: interactions.iter().map(|d| d.poll_votes).sum(),
            chats,
            interactions,
        }
    }
}

// --- use cases ---

/// The funnel of `q`.
pub async fn funnel(store: &dyn AnalyticsStore, q: &AnalyticsQuery) -> Result<Funnel> {
    q.validate()?;
    Ok(Funnel::of_counts(&store.analytics_funnel(q).await?))
}

/// Weekly cohorts of `q` with offsets `0..=weeks`, and 7- and 30-day retention.
pub async fn retention(
    store: &dyn AnalyticsStore,
    q: &AnalyticsQuery,
    weeks: u32,
) -> Result<Retention> {
    q.validate()?;
    if weeks > MAX_WEEKS {
        return Err(Error::Fields(vec![FieldError::new(
            "weeks",
            format!("must be at most {MAX_WEEKS}"),
        )]));
    }
    let counts = store.analytics_cohorts(q, weeks).await?;
    let day_7 = store.analytics_returning(q, 7).await?;
    let day_30 = store.analytics_returning(q, 30).await?;
    Ok(Retention::of_counts(&counts, weeks, day_7, day_30))
}

/// Growth of `q` in `bucket`s, with the source costs of the range.
pub async fn growth(
    store: &dyn AnalyticsStore,
    q: &AnalyticsQuery,
    bucket: Bucket,
) -> Result<Growth> {
    q.validate()?;
    let costs = store.source_costs(q.from, q.to).await?;
    let days = store.analytics_growth(q).await?;
    Ok(Growth::of_days(&days, bucket).with_costs(&costs, &days.source_revenue))
}

/// Commerce figures of `q`.
pub async fn commerce(store: &dyn AnalyticsStore, q: &AnalyticsQuery) -> Result<Commerce> {
    q.validate()?;
    let orders = store.analytics_orders(q).await?;
    let uses = store.analytics_coupon_uses(q).await?;
    Ok(Commerce::of_rows(&orders, &uses))
}

/// Engagement figures of `q`.
pub async fn engagement(store: &dyn AnalyticsStore, q: &AnalyticsQuery) -> Result<Engagement> {
    q.validate()?;
    Ok(Engagement::of_days(
        q,
        &store.analytics_engagement(q).await?,
    ))
}

/// Members who spoke, silent members and content interactions of `q`.
pub async fn members(store: &dyn AnalyticsStore, q: &AnalyticsQuery) -> Result<Members> {
    q.validate()?;
    let chats = store.analytics_chat_members(q).await?;
    let interactions = store.analytics_interactions(q).await?;
    Ok(Members::of_counts(q, &chats, &interactions))
}

/// Records a [`POLL_UPDATED`] event for the state of `poll_id` just stored as the results of
/// `post` (in the chat of the post), in the same transaction: poll votes are counted from
/// these.
pub async fn record_poll_state(
    tx: &mut dyn crate::store::Tx,
    bot: &str,
    post: crate::calendar::PostId,
    poll_id: &str,
    voters: i64,
    at: DateTime<Utc>,
) -> Result<()> {
    let mut event = crate::event::NewEvent::new(POLL_UPDATED, at)
        .bot(bot)
        .data(serde_json::json!({ "post_id": post.0, "poll_id": poll_id, "voters": voters }));
    event.chat_id = tx.post_for_update(post).await?.map(|p| p.chat_id);
    tx.append_event(&event).await
}

// --- segment filter ---

/// Resolves `q.segment` to the customers its rule picks at `now` (clears them without a
/// segment). An unknown segment is `NotFound`.
pub async fn resolve_segment(
    store: &dyn Store,
    q: &mut AnalyticsQuery,
    now: DateTime<Utc>,
) -> Result<()> {
    let Some(id) = q.segment else {
        q.segment_customers = None;
        return Ok(());
    };
    let segment = store
        .segment(id)
        .await?
        .ok_or_else(|| Error::NotFound(format!("segment {}", id.0)))?;
    let rule = crate::segment::parse_field("segment", &segment.rule)?;
    let mut customers = Vec::new();
    crate::segment::scan(store, &rule, now, |row| customers.push(row.customer.0)).await?;
    customers.sort_unstable();
    q.segment_customers = Some(customers.into());
    Ok(())
}

// --- source costs ---

/// The store's id of a source cost.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct SourceCostId(pub i64);

/// The largest amount one cost may have, in minor units (sums of many stay far from
/// `i64::MAX`).
pub const MAX_COST_AMOUNT: i64 = 1_000_000_000_000_000;

/// The longest note, in characters.
pub const MAX_COST_NOTE_CHARS: usize = 500;

/// A cost as staff enter it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SourceCostDraft {
    /// The source it was spent on: an invite link's source.
    pub source: String,
    /// ISO 4217 code (or `XTR`); stored upper-case.
    pub currency: String,
    /// Integer minor units, more than 0.
    pub amount: i64,
    /// The UTC day it was spent.
    pub spent_on: NaiveDate,
    #[serde(default)]
    pub note: String,
}

impl SourceCostDraft {
    /// The draft with its text trimmed and its currency upper-case, or every problem.
    pub fn normalized(&self) -> Result<SourceCostDraft> {
        let mut problems = Vec::new();
        let source = self.source.trim();
        if source.is_empty() || source.chars().count() > 200 || source.chars().any(char::is_control)
        {
            problems.push(FieldError::new(
                "source",
                "must be 1 to 200 characters, none of them control characters",
            ));
        }
        let currency = match self.currency.parse::<crate::money::Currency>() {
            Ok(c) => c.code().to_owned(),
            Err(_) => {
                problems.push(FieldError::new(
                    "currency",
                    "a three-letter currency code such as USD",
                ));
                String::new()
            }
        };
        if !(1..=MAX_COST_AMOUNT).contains(&self.amount) {
            problems.push(FieldError::new(
                "amount",
                format!("whole minor units from 1 to {MAX_COST_AMOUNT}"),
            ));
        }
        if !(1970..=9999).contains(&self.spent_on.year()) {
            problems.push(FieldError::new("spent_on", "a date in the years 1970-9999"));
        }
        let note = self.note.trim();
        if note.chars().count() > MAX_COST_NOTE_CHARS
            || note.chars().any(|c| c.is_control() && c != '\n')
        {
            problems.push(FieldError::new(
                "note",
                format!("at most {MAX_COST_NOTE_CHARS} characters, no control characters"),
            ));
        }
        if !problems.is_empty() {
            return Err(Error::Fields(problems));
        }
        Ok(SourceCostDraft {
            source: source.to_owned(),
            currency,
            amount: self.amount,
            spent_on: self.spent_on,
            note: note.to_owned(),
        })
    }
}

/// A saved cost.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceCost {
    pub id: SourceCostId,
    pub source: String,
    pub currency: String,
    pub amount: i64,
    pub spent_on: NaiveDate,
    pub note: String,
    pub created_at: DateTime<Utc>,
}

/// Saves a cost after checking it.
pub async fn add_source_cost(
    store: &dyn AnalyticsStore,
    draft: &SourceCostDraft,
    now: DateTime<Utc>,
) -> Result<SourceCost> {
    let draft = draft.normalized()?;
    store.add_source_cost(&draft, now).await
}

/// Deletes a cost; `NotFound` if there is none.
pub async fn delete_source_cost(store: &dyn AnalyticsStore, id: SourceCostId) -> Result<()> {
    if store.delete_source_cost(id).await? {
        Ok(())
    } else {
        Err(Error::NotFound(format!("source cost {}", id.0)))
    }
}

/// The costs spent on the days of `q`'s range (its filters do not apply to costs).
pub async fn source_costs(
    store: &dyn AnalyticsStore,
    q: &AnalyticsQuery,
) -> Result<Vec<SourceCost>> {
    q.validate()?;
    store.source_costs(q.from, q.to).await
}

// --- LTV by source and tier ---

/// A paid row of [`LtvCounts`]: (group, currency, buyers, revenue net of refunds).
pub type LtvPaidRow = (Option<String>, String, i64, i64);

/// LTV counts as a store answers them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LtvCounts {
    /// (first source, customers first seen in the range).
    pub customers: Vec<(Option<String>, i64)>,
    /// (first source, currency, buyers, revenue net of refunds).
    pub paid: Vec<LtvPaidRow>,
    /// (stored tier, `None` without a `customer_tiers` row; customers first seen in the
    /// range).
    pub tier_customers: Vec<(Option<String>, i64)>,
    /// (stored tier or `None`, currency, buyers, revenue net of refunds).
    pub tier_paid: Vec<LtvPaidRow>,
}

/// LTV of a source's customers in one currency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CurrencyLtv {
    pub currency: String,
    pub buyers: i64,
    /// Paid totals less refunded ones, integer minor units.
    pub revenue: i64,
    /// `revenue / customers`, rounded down.
    pub per_customer: i64,
    /// `revenue / buyers`, rounded down.
    pub per_buyer: Option<i64>,
}

/// The customers first seen in the range with one first source, and their LTV.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceLtv {
    pub source: Option<String>,
    pub customers: i64,
    /// By currency code.
    pub currencies: Vec<CurrencyLtv>,
}

/// The customers first seen in the range with one tier now, and their LTV.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TierLtv {
    /// The tier's key (customers without a stored tier: the base tier's).
    pub tier: String,
    pub customers: i64,
    /// By currency code.
    pub currencies: Vec<CurrencyLtv>,
}

/// The LTV report: one row per first source (no source first), by source; one row per
/// current tier, in ladder order (see the module docs).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ltv {
    pub sources: Vec<SourceLtv>,
    pub tiers: Vec<TierLtv>,
}

/// Customers and per-currency LTV of each group, by group.
fn ltv_groups<K: Ord + Clone>(
    customers: &[(K, i64)],
    paid: &[(K, String, i64, i64)],
) -> BTreeMap<K, (i64, Vec<CurrencyLtv>)> {
    // Group → (customers, currency → (buyers, revenue)).
    type Sums = BTreeMap<String, (i64, i64)>;
    let mut groups: BTreeMap<K, (i64, Sums)> = BTreeMap::new();
    for (key, n) in customers {
        groups.entry(key.clone()).or_default().0 += n;
    }
    for (key, currency, buyers, revenue) in paid {
        // A group without customers cannot have buyers; the stores answer both from the
        // same customers.
        let Some(group) = groups.get_mut(key) else {
            continue;
        };
        // Rows of one group and currency add up: the tiers fold customers without a
        // stored tier into the base tier's key, and such customers are distinct.
        let sum = group.1.entry(currency.clone()).or_default();
        sum.0 += buyers;
        sum.1 += revenue;
    }
    groups
        .into_iter()
        .map(|(key, (customers, currencies))| {
            let currencies = currencies
                .into_iter()
                .map(|(currency, (buyers, revenue))| CurrencyLtv {
                    currency,
                    buyers,
                    revenue,
                    per_customer: if customers > 0 {
                        revenue.div_euclid(customers)
                    } else {
                        0
                    },
                    per_buyer: (buyers > 0).then(|| revenue.div_euclid(buyers)),
                })
                .collect();
            (key, (customers, currencies))
        })
        .collect()
}

impl Ltv {
    /// The report of a store's counts; `tiers` names the base tier (for customers without
    /// a stored one) and orders the tier rows.
    pub fn of_counts(counts: &LtvCounts, tiers: &crate::tiers::TierSettings) -> Ltv {
        let sources = ltv_groups(&counts.customers, &counts.paid)
            .into_iter()
            .map(|(source, (customers, currencies))| SourceLtv {
                source,
                customers,
                currencies,
            })
            .collect();
        let base = tiers.base();
        let key = |tier: &Option<String>| tier.clone().unwrap_or_else(|| base.to_owned());
        let tier_customers: Vec<(String, i64)> = counts
            .tier_customers
            .iter()
            .map(|(tier, n)| (key(tier), *n))
            .collect();
        let tier_paid: Vec<(String, String, i64, i64)> = counts
            .tier_paid
            .iter()
            .map(|(tier, currency, buyers, revenue)| {
                (key(tier), currency.clone(), *buyers, *revenue)
            })
            .collect();
        let mut tier_rows: Vec<TierLtv> = ltv_groups(&tier_customers, &tier_paid)
            .into_iter()
            .map(|(tier, (customers, currencies))| TierLtv {
                tier,
                customers,
                currencies,
            })
            .collect();
        // Ladder order; keys no longer on the ladder after it (the sort is stable, so those
        // stay by key).
        let place = |tier: &str| {
            tiers
                .tiers
                .iter()
                .position(|t| t.key == tier)
                .unwrap_or(usize::MAX)
        };
        tier_rows.sort_by_key(|row| place(&row.tier));
        Ltv {
            sources,
            tiers: tier_rows,
        }
    }
}

/// LTV by first source and by current tier of the customers first seen in `q`'s range.
pub async fn ltv(store: &dyn Store, q: &AnalyticsQuery) -> Result<Ltv> {
    q.validate()?;
    let counts = store.analytics_ltv(q).await?;
    let tiers = store.tier_settings().await?;
    Ok(Ltv::of_counts(&counts, &tiers))
}

// --- best posting hours ---

/// The market of customers without a country.
pub const UNKNOWN_MARKET: &str = "unknown";

/// Top hours reported per market.
pub const TOP_HOURS: usize = 3;

/// Activity per local hour of one market.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MarketHours {
    /// The country code, or [`UNKNOWN_MARKET`].
    pub market: String,
    /// The IANA zone its hours are in.
    pub zone: String,
    /// All activity events of the market in the range.
    pub events: i64,
    /// Events per local hour, 24 entries (hour 0 first).
    pub hours: Vec<i64>,
    /// The busiest hours, busiest first.
    pub top: Vec<u32>,
}

/// The best-posting-hours report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PostingHours {
    pub markets: Vec<MarketHours>,
}

/// The zone of a market: its country's usual zone, else UTC.
pub fn market_zone(market: &str) -> &'static str {
    crate::time_zone::of_country(&market.to_ascii_uppercase()).unwrap_or("UTC")
}

/// The local hour of day in `zone` at which the UTC hour number `hour` (hours since
/// 1970-01-01 00:00 UTC) starts.
pub fn local_hour(hour: i64, zone: chrono_tz::Tz) -> u32 {
    DateTime::<Utc>::from_timestamp(hour.saturating_mul(3600), 0)
        .map_or(0, |at| at.with_timezone(&zone).hour())
}

impl PostingHours {
    /// The report of a store's (country, UTC hour, events) rows.
    pub fn of_rows(rows: &[(Option<String>, i64, i64)]) -> PostingHours {
        let mut markets: BTreeMap<String, Vec<i64>> = BTreeMap::new();
        for (country, hour, events) in rows {
            let market = country
                .as_deref()
                .filter(|c| !c.trim().is_empty())
                .unwrap_or(UNKNOWN_MARKET)
                .to_owned();
            let zone: chrono_tz::Tz = market_zone(&market).parse().unwrap_or(chrono_tz::UTC);
            let local = local_hour(*hour, zone) as usize;
            markets.entry(market).or_insert_with(|| vec![0; 24])[local] += events;
        }
        let mut markets: Vec<MarketHours> = markets
            .into_iter()
            .map(|(market, hours)| {
                let mut ranked: Vec<u32> = (0..24).filter(|&h| hours[h as usize] > 0).collect();
                ranked.sort_by(|a, b| hours[*b as usize].cmp(&hours[*a as usize]).then(a.cmp(b)));
                ranked.truncate(TOP_HOURS);
                MarketHours {
                    zone: market_zone(&market).to_owned(),
                    market,
                    events: hours.iter().sum(),
                    hours,
                    top: ranked,
                }
            })
            .collect();
        markets.sort_by(|a, b| {
            b.events
                .cmp(&a.events)
                .then_with(|| a.market.cmp(&b.market))
        });
        PostingHours { markets }
    }
}

/// Best posting hours of `q`.
pub async fn posting_hours(store: &dyn AnalyticsStore, q: &AnalyticsQuery) -> Result<PostingHours> {
    q.validate()?;
    Ok(PostingHours::of_rows(
        &store.analytics_activity_hours(q).await?,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn buckets_start_on_mondays_and_firsts() {
        // 2025-09-03 is a Wednesday.
        assert_eq!(Bucket::Week.start(d(2025, 9, 3)), d(2025, 9, 1));
        assert_eq!(Bucket::Week.start(d(2025, 9, 1)), d(2025, 9, 1));
        assert_eq!(Bucket::Month.start(d(2025, 9, 30)), d(2025, 9, 1));
        assert_eq!(day_of_number(day_number(d(2025, 9, 3))), d(2025, 9, 3));
        // Day numbers and the SQL week formula `(day + 3) / 7 * 7 - 3` agree.
        let n = day_number(d(2025, 9, 3));
        assert_eq!(day_of_number((n + 3) / 7 * 7 - 3), d(2025, 9, 1));
    }

    #[test]
    fn funnel_ratios_and_drop_off() {
        let f = Funnel::of_counts(&[10, 8, 4, 0, 0, 1]);
        assert_eq!(f.steps[0].from_previous, None);
        assert_eq!(f.steps[1].from_previous, Some(0.8));
        assert_eq!(f.steps[1].drop_off, 2);
        assert_eq!(f.steps[4].from_previous, None);
        assert_eq!(f.steps[5].drop_off, -1);
        assert_eq!(f.steps[5].from_first, Some(0.1));
    }

    #[test]
    fn ranges_are_checked() {
        let q = AnalyticsQuery::new(d(2025, 9, 2), d(2025, 9, 1));
        assert!(q.validate().is_err());
        let q = AnalyticsQuery::new(d(2025, 9, 1), d(2025, 9, 1));
        assert_eq!(q.days(), 1);
        assert_eq!((q.end() - q.start()).num_hours(), 24);
        assert!(AnalyticsQuery::new(d(1900, 1, 1), d(1900, 1, 2))
            .validate()
            .is_err());
    }

    #[test]
    fn costs_divide_by_the_link_people_rounding_down() {
        let days = GrowthDays {
            invite_links: vec![("ad".into(), 3, 0)],
            ..GrowthDays::default()
        };
        let cost = |source: &str, currency: &str, amount| SourceCost {
            id: SourceCostId(1),
            source: source.into(),
            currency: currency.into(),
            amount,
            spent_on: d(2025, 9, 1),
            note: String::new(),
            created_at: Utc::now(),
        };
        let g = Growth::of_days(&days, Bucket::Day).with_costs(
            &[
                cost("ad", "USD", 600),
                cost("ad", "USD", 400),
                cost("kol", "EUR", 5),
            ],
            &[
                ("ad".into(), "USD".into(), 2500),
                ("ad".into(), "EUR".into(), 9),
            ],
        );
        assert_eq!(g.costs.len(), 2);
        assert_eq!(
            (g.costs[0].cost, g.costs[0].cost_per_join),
            (1000, Some(333))
        );
        assert_eq!(g.costs[0].cost_per_converted, None);
        assert_eq!((g.costs[0].revenue, g.costs[0].roi), (2500, Some(2.5)));
        assert_eq!((g.costs[1].source.as_str(), g.costs[1].joined), ("kol", 0));
        assert_eq!(g.costs[1].cost_per_join, None);
        assert_eq!((g.costs[1].revenue, g.costs[1].roi), (0, Some(0.0)));
    }

    #[test]
    fn cost_drafts_are_checked_and_normalized() {
        let draft = SourceCostDraft {
            source: " ad-fb ".into(),
            currency: "usd".into(),
            amount: 100,
            spent_on: d(2025, 9, 1),
            note: String::new(),
        };
        let ok = draft.normalized().unwrap();
        assert_eq!((ok.source.as_str(), ok.currency.as_str()), ("ad-fb", "USD"));
        let bad = SourceCostDraft {
            source: " ".into(),
            currency: "dollars".into(),
            amount: 0,
            ..draft
        };
        let Err(Error::Fields(fields)) = bad.normalized() else {
            panic!("accepted");
        };
        let names: Vec<&str> = fields.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(names, ["source", "currency", "amount"]);
    }

    #[test]
    fn local_hours_follow_daylight_saving() {
        let berlin: chrono_tz::Tz = "Europe/Berlin".parse().unwrap();
        let hour = |y, m, day, h| {
            Utc.with_ymd_and_hms(y, m, day, h, 0, 0)
                .unwrap()
                .timestamp()
                / 3600
        };
        // 12:00 UTC is 13:00 in Berlin's winter, 14:00 in its summer.
        assert_eq!(local_hour(hour(2025, 1, 15, 12), berlin), 13);
        assert_eq!(local_hour(hour(2025, 7, 15, 12), berlin), 14);
        let report = PostingHours::of_rows(&[
            (Some("DE".into()), hour(2025, 1, 15, 12), 2),
            (Some("DE".into()), hour(2025, 7, 15, 11), 3),
            (None, hour(2025, 7, 15, 23), 1),
        ]);
        assert_eq!(report.markets[0].market, "DE");
        assert_eq!(report.markets[0].hours[13], 5);
        assert_eq!(report.markets[0].top, vec![13]);
        assert_eq!(report.markets[1].market, UNKNOWN_MARKET);
        assert_eq!(
            (report.markets[1].zone.as_str(), report.markets[1].top[0]),
            ("UTC", 23)
        );
    }

    #[test]
    fn ltv_divides_revenue_by_customers_and_buyers() {
        let ltv = Ltv::of_counts(
            &LtvCounts {
                customers: vec![(None, 4), (Some("ad".into()), 3)],
                paid: vec![(Some("ad".into()), "USD".into(), 2, 1001)],
                ..LtvCounts::default()
            },
            &crate::tiers::TierSettings::default(),
        );
        assert_eq!(ltv.sources[0].source, None);
        assert!(ltv.sources[0].currencies.is_empty());
        let usd = &ltv.sources[1].currencies[0];
        assert_eq!((usd.per_customer, usd.per_buyer), (333, Some(500)));
    }

    #[test]
    fn ltv_tiers_fold_the_unstored_into_the_base_and_follow_the_ladder() {
        let tier = |t: &str| Some(t.to_owned());
        let ltv = Ltv::of_counts(
            &LtvCounts {
                tier_customers: vec![
                    (tier("retired"), 1),
                    (tier("gold"), 2),
                    (None, 5),
                    (tier("member"), 1),
                ],
                tier_paid: vec![
                    (None, "USD".into(), 1, 700),
                    (tier("member"), "USD".into(), 1, 200),
                    (tier("gold"), "EUR".into(), 2, 5001),
                ],
                ..LtvCounts::default()
            },
            &crate::tiers::TierSettings::default(),
        );
        let keys: Vec<&str> = ltv.tiers.iter().map(|t| t.tier.as_str()).collect();
        assert_eq!(keys, ["member", "gold", "retired"]);
        let member = &ltv.tiers[0];
        assert_eq!(member.customers, 6);
        assert_eq!(
            member.currencies,
            [CurrencyLtv {
                currency: "USD".into(),
                buyers: 2,
                revenue: 900,
                per_customer: 150,
                per_buyer: Some(450),
            }]
        );
        assert_eq!(ltv.tiers[1].currencies[0].per_buyer, Some(2500));
        assert!(ltv.sources.is_empty());
    }

    #[test]
    fn medians() {
        assert_eq!(median(&mut []), None);
        assert_eq!(median(&mut [3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median(&mut [4.0, 1.0, 2.0, 3.0]), Some(2.5));
    }

    #[test]
    fn members_report_every_day_and_the_silent() {
        let q = AnalyticsQuery::new(d(2025, 9, 1), d(2025, 9, 3));
        let chat = |bot: &str, chat_id, known, spoke, messages| ChatMemberCounts {
            bot: bot.into(),
            chat_id,
            known,
            spoke,
            messages,
        };
        let report = Members::of_counts(
            &q,
            &[chat("b", -2, 4, 1, 7), chat("a", -1, 0, 0, 3)],
            &InteractionDays {
                button_presses: vec![(d(2025, 9, 2), 5)],
                deep_link_starts: vec![(d(2025, 9, 1), 1), (d(2025, 9, 3), 2)],
                poll_votes: vec![(d(2025, 9, 3), -1)],
            },
        );
        assert_eq!(report.chats[0].bot, "a", "by bot, then chat");
        assert_eq!(report.chats[0].spoke_share, None, "no known members");
        assert_eq!(
            (report.chats[1].silent, report.chats[1].spoke_share),
            (3, Some(0.25))
        );
        let days: Vec<(i64, i64, i64)> = report
            .interactions
            .iter()
            .map(|d| (d.button_presses, d.deep_link_starts, d.poll_votes))
            .collect();
        assert_eq!(days, [(0, 1, 0), (5, 0, 0), (0, 2, -1)]);
        assert_eq!(
            (
                report.button_presses,
                report.deep_link_starts,
                report.poll_votes
            ),
            (5, 3, -1)
        );
    }
}
