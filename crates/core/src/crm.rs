//! Customer relationship data: the profile staff see of a person (time zone, country, tags,
//! whether they blocked the bot, marketing consent), their lifecycle stage and RFM scores,
//! and the storage ports for them.
//!
//! The lifecycle stage is computed by [`stage`] from a customer's [`LifecycleFacts`] with
//! thresholds from [`LifecycleRules`]. It is refreshed for one customer by the
//! [`REFRESH_JOB`] after each payment or refund of theirs, and for everyone by the daily
//! [`RECOMPUTE_JOB`] (stages also change by time passing alone: a silent customer becomes
//! churned). RFM scores rank customers against each other, so only the full recompute sets
//! them. Every stage change is a `lifecycle_changed` event, written with the change.

use crate::customer::{Customer, CustomerId};
use crate::event::{Event, NewEvent};
use crate::job::NewJob;
use crate::store::{Store, Tx};
use crate::{Error, FieldError, Result};
use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::collections::HashMap;

/// The job that refreshes one customer's stage (after a payment or refund of theirs).
pub const REFRESH_JOB: &str = "crm.refresh_customer";
/// The daily job that recomputes every customer's stage and RFM scores.
pub const RECOMPUTE_JOB: &str = "crm.recompute";
/// The event a stage change is recorded as.
pub const STAGE_CHANGED: &str = "lifecycle_changed";

/// Where a customer is in their life with the shop.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// First interaction recently, no order yet.
    New,
    /// Around for a while without an order, but still interacting.
    Potential,
    /// Bought recently.
    Active,
    /// Buys often and above the shop's average order value.
    Loyal,
    /// None of the above and not yet churned: bought before but not recently, or came long
    /// ago and went quiet. The stage a win-back campaign aims at before it is too late.
    Lapsed,
    /// No interaction for a long time.
    Churned,
}

impl Stage {
    pub const ALL: [Stage; 6] = [
        Stage::New,
        Stage::Potential,
        Stage::Active,
        Stage::Loyal,
        Stage::Lapsed,
        Stage::Churned,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Stage::New => "new",
            Stage::Potential => "potential",
            Stage::Active => "active",
            Stage::Loyal => "loyal",
            Stage::Lapsed => "lapsed",
            Stage::Churned => "churned",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Stage::ALL.into_iter().find(|stage| stage.as_str() == s)
    }
}

/// The thresholds of the lifecycle stages, in days and orders.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LifecycleRules {
    /// `new`: first interaction within this many days and no order yet.
    pub new_days: i64,
    /// `potential`: first interaction up to this many days ago, no order, and an interaction
    /// within `recent_days`.
    pub potential_days: i64,
    pub recent_days: i64,
    /// `active`: at least `active_min_orders` paid orders within `active_days`.
    pub active_days: i64,
    pub active_min_orders: i64,
    /// `loyal`: at least `loyal_min_orders` paid orders within `loyal_days` and an average
    /// order value above the shop's over the same days.
    pub loyal_days: i64,
    pub loyal_min_orders: i64,
    /// `churned`: no interaction for this many days.
    pub churn_days: i64,
}

impl Default for LifecycleRules {
    fn default() -> Self {
        LifecycleRules {
            new_days: 30,
            potential_days: 90,
            recent_days: 30,
            active_days: 90,
            active_min_orders: 1,
            loyal_days: 365,
            loyal_min_orders: 4,
            churn_days: 180,
        }
    }
}

impl LifecycleRules {
    /// Every rule the thresholds must meet, all problems at once.
    pub fn validate(&self) -> std::result::Result<(), Vec<FieldError>> {
        let mut errors = Vec::new();
        for (field, days) in [
            ("new_days", self.new_days),
            ("potential_days", self.potential_days),
            ("recent_days", self.recent_days),
            ("active_days", self.active_days),
            ("loyal_days", self.loyal_days),
            ("churn_days", self.churn_days),
        ] {
            if !(1..=3650).contains(&days) {
                errors.push(FieldError::new(field, "must be 1-3650 days"));
            }
        }
        if self.potential_days < self.new_days {
            errors.push(FieldError::new(
                "potential_days",
                "must be at least new_days",
            ));
        }
        for (field, orders) in [
            ("active_min_orders", self.active_min_orders),
            ("loyal_min_orders", self.loyal_min_orders),
        ] {
            if !(1..=1000).contains(&orders) {
                errors.push(FieldError::new(field, "must be 1-1000 orders"));
            }
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }

    /// The windows a store counts orders in, ending at `now`.
    pub fn windows(&self, now: DateTime<Utc>) -> Windows {
        Windows {
            active_since: now - Duration::days(self.active_days),
            loyal_since: now - Duration::days(self.loyal_days),
        }
    }
}

/// Where the order-count windows start.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Windows {
    pub active_since: DateTime<Utc>,
    pub loyal_since: DateTime<Utc>,
}

/// Paid orders in one currency: how many and their total, in minor units.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CurrencyTotal {
    pub currency: String,
    pub orders: i64,
    pub total: i64,
}

/// Recency, frequency and monetary scores, 1 (lowest) to 5 (highest), by quintile among
/// the customers with a paid order in the loyalty window.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rfm {
    pub r: u8,
    pub f: u8,
    pub m: u8,
}

/// What a customer's stage is computed from. "Paid" orders are those paid and not
/// refunded or cancelled since (`paid`, `shipped`, `delivered`, `completed`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LifecycleFacts {
    pub customer: CustomerId,
    pub first_seen_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    /// Paid orders ever, and when the last was paid.
    pub orders_paid: i64,
    pub last_order_at: Option<DateTime<Utc>>,
    /// Paid orders since [`Windows::active_since`].
    pub active_orders: i64,
    /// Paid orders since [`Windows::loyal_since`], per currency.
    pub loyal_totals: Vec<CurrencyTotal>,
    /// What the customer's record says now.
    pub stored: Stored,
}

/// The lifecycle columns of a customer's record as they are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stored {
    pub stage: Stage,
    pub rfm: Option<Rfm>,
    pub orders_paid: i64,
    pub last_order_at: Option<DateTime<Utc>>,
}

impl LifecycleFacts {
    /// Paid orders in the loyalty window, all currencies.
    pub fn loyal_orders(&self) -> i64 {
        self.loyal_totals.iter().map(|t| t.orders).sum()
    }

    /// The currency most of the customer's orders in the loyalty window are in (the first
    /// by name on a tie), with its total.
    pub fn main_currency(&self) -> Option<&CurrencyTotal> {
        self.loyal_totals
            .iter()
            .max_by(|a, b| a.orders.cmp(&b.orders).then(b.currency.cmp(&a.currency)))
    }
}

/// The shop's paid orders per currency over the loyalty window; what "above the shop
/// average" means.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ShopAverages(HashMap<String, CurrencyTotal>);

impl ShopAverages {
    /// The shop's totals as the sum of its customers' totals over the loyalty window.
    pub fn of_customers(all: &[LifecycleFacts]) -> Self {
        let mut shop: HashMap<String, CurrencyTotal> = HashMap::new();
        for total in all.iter().flat_map(|facts| &facts.loyal_totals) {
            let sum = shop
                .entry(total.currency.clone())
                .or_insert_with(|| CurrencyTotal {
                    currency: total.currency.clone(),
                    orders: 0,
                    total: 0,
                });
            sum.orders += total.orders;
            sum.total += total.total;
        }
        ShopAverages(shop)
    }

    pub fn new(totals: Vec<CurrencyTotal>) -> Self {
        ShopAverages(
            totals
                .into_iter()
                .map(|t| (t.currency.clone(), t))
                .collect(),
        )
    }

    /// Whether `mine`'s average order value is above the shop's in its currency, compared
    /// exactly (cross-multiplied, no division).
    fn below(&self, mine: &CurrencyTotal) -> bool {
        match self.0.get(&mine.currency) {
            None => false,
            Some(shop) if shop.orders == 0 || mine.orders == 0 => true,
            Some(shop) => {
                i128::from(mine.total) * i128::from(shop.orders)
                    <= i128::from(shop.total) * i128::from(mine.orders)
            }
        }
    }
}

/// The stage `facts` put a customer in at `now`. The first rule that holds wins, in this
/// order: churned, loyal, active, new, potential, lapsed.
pub fn stage(
    facts: &LifecycleFacts,
    rules: &LifecycleRules,
    shop: &ShopAverages,
    now: DateTime<Utc>,
) -> Stage {
    let days_since = |t: DateTime<Utc>| (now - t).num_days();
    if days_since(facts.last_seen_at) >= rules.churn_days {
        return Stage::Churned;
    }
    if facts.loyal_orders() >= rules.loyal_min_orders
        && facts.main_currency().is_some_and(|main| !shop.below(main))
    {
        return Stage::Loyal;
    }
    if facts.active_orders >= rules.active_min_orders {
        return Stage::Active;
    }
    if facts.orders_paid == 0 {
        let age = days_since(facts.first_seen_at);
        if age < rules.new_days {
            return Stage::New;
        }
        if age < rules.potential_days && days_since(facts.last_seen_at) < rules.recent_days {
            return Stage::Potential;
        }
    }
    Stage::Lapsed
}

/// The quintile (1-5) of each value, ascending: the lowest fifth gets 1. Equal values get
/// the same score (the score of the first of them in sorted order).
pub fn quintiles(values: &[i64]) -> Vec<u8> {
    let mut order: Vec<usize> = (0..values.len()).collect();
    order.sort_unstable_by_key(|&i| values[i]);
    let n = values.len();
    let mut scores = vec![0u8; n];
    let mut rank = 0;
    while rank < n {
        let value = values[order[rank]];
        // 5 * rank / n is below 5 for every rank below n.
        let score = (5 * rank / n) as u8 + 1;
        while rank < n && values[order[rank]] == value {
            scores[order[rank]] = score;
            rank += 1;
        }
    }
    scores
}

/// What a recompute writes for one customer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LifecycleUpdate {
    pub customer: CustomerId,
    pub stage: Stage,
    /// The stage before, when it changed (the event to write).
    pub previous: Option<Stage>,
    pub rfm: Option<Rfm>,
    /// Leave the stored scores as they are (a one-customer refresh cannot rank).
    pub keep_rfm: bool,
    pub orders_paid: i64,
    pub last_order_at: Option<DateTime<Utc>>,
}

/// A customer's record as staff see it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Profile {
    #[serde(flatten)]
    pub customer: Customer,
    /// An IANA zone such as `Asia/Jakarta`; `None` means the shop's default.
    pub time_zone: Option<String>,
    /// ISO 3166-1 alpha-2, upper case.
    pub country: Option<String>,
    /// Set when the customer blocked the bot (seen from Telegram), cleared when unblocked.
    pub bot_blocked_at: Option<DateTime<Utc>>,
    /// The current marketing consent.
    pub marketing: bool,
    pub stage: Stage,
    pub stage_since: DateTime<Utc>,
    pub rfm: Option<Rfm>,
    pub orders_paid: i64,
    pub last_order_at: Option<DateTime<Utc>>,
    /// Paid orders ever, per currency.
    pub lifetime_value: Vec<CurrencyTotal>,
    pub tags: Vec<String>,
    pub notes: Option<String>,
    /// When the customer's personal data was erased ([`crate::privacy`]).
    pub erased_at: Option<DateTime<Utc>>,
}

/// What a segment rule can look at, for one customer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SegmentRow {
    pub customer: CustomerId,
    pub telegram_user_id: i64,
    pub first_name: String,
    /// The language the bot speaks to them in, else the one their Telegram reports.
    pub language: Option<String>,
    pub country: Option<String>,
    pub time_zone: Option<String>,
    pub stage: Stage,
    pub rfm: Option<Rfm>,
    pub first_source: Option<String>,
    pub first_bot: String,
    pub first_seen_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    pub orders_paid: i64,
    pub last_order_at: Option<DateTime<Utc>>,
    pub marketing: bool,
    pub blocked: bool,
    /// Sorted.
    pub tags: Vec<String>,
}

/// Changes staff make to a profile; fields left out stay as they are.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProfileChange {
    /// An IANA zone; an empty string clears it.
    #[serde(default)]
    pub time_zone: Option<String>,
    /// ISO 3166-1 alpha-2; an empty string clears it.
    #[serde(default)]
    pub country: Option<String>,
    #[serde(default)]
    pub tags: Option<Vec<String>>,
    /// Free text for staff, up to 2,000 characters; an empty string clears it.
    #[serde(default)]
    pub notes: Option<String>,
}

/// Event kinds a customer's profile timeline leaves out: every bot reply is a
/// `message_sent`, and they would bury what the customer and staff did.
pub const TIMELINE_HIDDEN_KINDS: &[&str] = &[crate::event::kind::MESSAGE_SENT];

/// CRM reads outside any transaction.
#[async_trait]
pub trait CrmStore: Send + Sync {
    /// The customer's profile; `None` if unknown.
    async fn profile(&self, id: CustomerId) -> Result<Option<Profile>>;

    /// The lowest and the highest customer id; `None` without customers.
    async fn customer_id_bounds(&self) -> Result<Option<(CustomerId, CustomerId)>>;

    /// Lifecycle facts of the customers with ids in `first..=last`, by id.
    async fn lifecycle_facts_between(
        &self,
        first: CustomerId,
        last: CustomerId,
        windows: Windows,
    ) -> Result<Vec<LifecycleFacts>>;

    /// The shop's paid orders since `since`, per currency.
    async fn order_totals_since(&self, since: DateTime<Utc>) -> Result<Vec<CurrencyTotal>>;

    /// What segment rules look at, for the customers with ids in `first..=last`, by id.
    async fn segment_rows(&self, first: CustomerId, last: CustomerId) -> Result<Vec<SegmentRow>>;

    /// Customers per stage, every stage listed (zero if none).
    async fn stage_counts(&self) -> Result<Vec<(Stage, i64)>>;

    /// The customer's events newest first (by time, then id), at most `limit`, leaving out
    /// [`TIMELINE_HIDDEN_KINDS`]. With `before`, only those after that event of theirs in
    /// this order (the next page); an event id that is not theirs gives nothing.
    async fn customer_timeline(
        &self,
        customer: CustomerId,
        before: Option<i64>,
        limit: i64,
    ) -> Result<Vec<Event>>;
}

/// CRM writes inside a [`crate::store::Tx`].
#[async_trait]
pub trait CrmTx: Send {
    /// One customer's lifecycle facts as this transaction sees them.
    async fn lifecycle_facts(
        &mut self,
        customer: CustomerId,
        windows: Windows,
    ) -> Result<Option<LifecycleFacts>>;

    /// Writes stages (and `stage_since` where it changed), order counts and, unless
    /// `keep_rfm`, RFM scores.
    async fn save_lifecycle(
        &mut self,
        updates: &[LifecycleUpdate],
        at: DateTime<Utc>,
    ) -> Result<()>;

    /// Applies staff's changes (already validated); `false` if the customer is unknown.
    async fn change_profile(&mut self, id: CustomerId, change: &ProfileChange) -> Result<bool>;

    /// Sets the customer's country and time zone where they are not set yet (inferred
    /// from a shipping address).
    async fn infer_locale(
        &mut self,
        id: CustomerId,
        country: &str,
        time_zone: Option<&str>,
    ) -> Result<()>;

    /// Records that the customer blocked the bot (`Some(when)`) or unblocked it (`None`).
    async fn set_bot_blocked(
        &mut self,
        id: CustomerId,
        blocked_at: Option<DateTime<Utc>>,
    ) -> Result<()>;

    /// The shipping country of the customer's latest paid order that has an address.
    async fn latest_shipping_country(&mut self, id: CustomerId) -> Result<Option<String>>;
}

// --- use cases ---

/// The refresh job of one customer (deduplicated while one is waiting).
pub fn refresh_job(customer: CustomerId, at: DateTime<Utc>) -> NewJob {
    NewJob::new(REFRESH_JOB, json!({ "customer": customer.0 }), at)
        .dedup_key(format!("crm:refresh:{}", customer.0))
}

/// The customer a refresh job is about.
pub fn job_customer(payload: &serde_json::Value) -> Result<CustomerId> {
    payload["customer"]
        .as_i64()
        .map(CustomerId)
        .ok_or_else(|| Error::Invalid("refresh job without a customer".into()))
}

/// The next daily recompute, at `at`.
pub fn recompute_job(at: DateTime<Utc>) -> NewJob {
    NewJob::new(RECOMPUTE_JOB, json!({}), at).dedup_key("crm:recompute".to_owned())
}

fn changed_event(update: &LifecycleUpdate, at: DateTime<Utc>) -> Option<NewEvent> {
    let previous = update.previous?;
    Some(
        NewEvent::new(STAGE_CHANGED, at)
            .customer(update.customer)
            .data(json!({ "from": previous.as_str(), "to": update.stage.as_str() })),
    )
}

/// Refreshes one customer's stage and order counts in `tx` (their RFM scores wait for the
/// next full recompute) and fills in their country and time zone from their latest
/// shipping address if unknown. Returns the stage.
pub async fn refresh_customer(
    tx: &mut dyn Tx,
    store: &dyn Store,
    rules: &LifecycleRules,
    customer: CustomerId,
    now: DateTime<Utc>,
) -> Result<Option<Stage>> {
    let windows = rules.windows(now);
    let Some(facts) = tx.lifecycle_facts(customer, windows).await? else {
        return Ok(None);
    };
    let shop = ShopAverages::new(store.order_totals_since(windows.loyal_since).await?);
    let update = LifecycleUpdate {
        keep_rfm: true,
        ..update_for(&facts, rules, &shop, facts.stored.rfm, now)
    };
    if let Some(event) = changed_event(&update, now) {
        tx.append_event(&event).await?;
    }
    tx.save_lifecycle(std::slice::from_ref(&update), now)
        .await?;
    if let Some(country) = tx.latest_shipping_country(customer).await? {
        let zone = crate::time_zone::of_country(&country);
        tx.infer_locale(customer, &country, zone).await?;
    }
    Ok(Some(update.stage))
}

fn update_for(
    facts: &LifecycleFacts,
    rules: &LifecycleRules,
    shop: &ShopAverages,
    rfm: Option<Rfm>,
    now: DateTime<Utc>,
) -> LifecycleUpdate {
    let new_stage = stage(facts, rules, shop, now);
    LifecycleUpdate {
        customer: facts.customer,
        stage: new_stage,
        previous: (new_stage != facts.stored.stage).then_some(facts.stored.stage),
        rfm,
        keep_rfm: false,
        orders_paid: facts.orders_paid,
        last_order_at: facts.last_order_at,
    }
}

/// What a full recompute did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Recomputed {
    pub customers: usize,
    pub stage_changes: usize,
    /// Customers whose stage, order counts or scores were written.
    pub written: usize,
}

/// Customer ids read per page by the full recompute.
const PAGE: i64 = 20_000;
/// Updates written per transaction by the full recompute.
const WRITE_BATCH: usize = 5_000;

/// Recomputes every customer's stage and RFM scores. Reads page by page through `store`
/// (outside the transaction, so a long read holds no locks), then writes what changed
/// through `tx` in batches, each with its stage-change events; the caller commits. A
/// customer changed by a refresh meanwhile is overwritten with what this run read, and
/// corrected by their next refresh or recompute.
pub async fn recompute_all(
    store: &dyn Store,
    tx: &mut dyn Tx,
    rules: &LifecycleRules,
    now: DateTime<Utc>,
) -> Result<Recomputed> {
    let windows = rules.windows(now);
    let Some((lowest, highest)) = store.customer_id_bounds().await? else {
        return Ok(Recomputed::default());
    };
    let mut all = Vec::new();
    let read = |first, last| store.lifecycle_facts_between(first, last, windows);
    read_pages(lowest, highest, PAGE, read, |page| all.extend(page)).await?;
    // Every paid order in the window belongs to exactly one customer, so their sum is the
    // shop's total: no second pass over the orders.
    let shop = ShopAverages::of_customers(&all);
    let scores = rfm_scores(&all, now);
    let mut report = Recomputed {
        customers: all.len(),
        ..Recomputed::default()
    };
    let mut batch = Vec::with_capacity(WRITE_BATCH);
    for (facts, rfm) in all.iter().zip(scores) {
        let update = update_for(facts, rules, &shop, rfm, now);
        let unchanged = Stored {
            stage: update.stage,
            rfm,
            orders_paid: update.orders_paid,
            last_order_at: update.last_order_at,
        } == facts.stored;
        if unchanged {
            continue;
        }
        report.stage_changes += usize::from(update.previous.is_some());
        batch.push(update);
        if batch.len() == WRITE_BATCH {
            write_batch(tx, &batch, now).await?;
            report.written += batch.len();
            batch.clear();
        }
    }
    if !batch.is_empty() {
        write_batch(tx, &batch, now).await?;
        report.written += batch.len();
    }
    Ok(report)
}

/// Reads the customer ids `lowest..=highest` in pages of `page` ids with `read` and hands
/// each page to `each`, in id order. Two pages are read at a time, so that the database
/// works on one while the other is decoded (on SQLite, both on threads of their own).
pub async fn read_pages<T, F, Fut>(
    lowest: CustomerId,
    highest: CustomerId,
    page: i64,
    read: F,
    mut each: impl FnMut(T),
) -> Result<()>
where
    F: Fn(CustomerId, CustomerId) -> Fut,
    Fut: std::future::Future<Output = Result<T>>,
{
    let range = |first: i64| {
        (
            CustomerId(first),
            CustomerId((first + page - 1).min(highest.0)),
        )
    };
    let mut first = lowest.0;
    while first <= highest.0 {
        let (a, b) = range(first);
        if b == highest {
            each(read(a, b).await?);
            break;
        }
        let (c, d) = range(b.0 + 1);
        let (one, two) = futures_util::future::try_join(read(a, b), read(c, d)).await?;
        each(one);
        each(two);
        first = d.0 + 1;
    }
    Ok(())
}

async fn write_batch(tx: &mut dyn Tx, batch: &[LifecycleUpdate], now: DateTime<Utc>) -> Result<()> {
    for event in batch.iter().filter_map(|u| changed_event(u, now)) {
        tx.append_event(&event).await?;
    }
    tx.save_lifecycle(batch, now).await
}

/// RFM scores for the customers with a paid order in the loyalty window (`None` for the
/// rest): R by days since the last order (more recent scores higher), F by orders in the
/// window, M by spend in the window, ranked among customers with the same main currency.
pub fn rfm_scores(all: &[LifecycleFacts], now: DateTime<Utc>) -> Vec<Option<Rfm>> {
    let ranked: Vec<usize> = (0..all.len())
        .filter(|&i| all[i].loyal_orders() > 0)
        .collect();
    // Recency: the later the last order, the higher the score.
    let recency: Vec<i64> = ranked
        .iter()
        .map(|&i| {
            all[i]
                .last_order_at
                .map_or(i64::MIN, |t| t.timestamp() - now.timestamp())
        })
        .collect();
    let frequency: Vec<i64> = ranked.iter().map(|&i| all[i].loyal_orders()).collect();
    let r = quintiles(&recency);
    let f = quintiles(&frequency);
    let mut m = vec![1u8; ranked.len()];
    let mut by_currency: HashMap<&str, Vec<usize>> = HashMap::new();
    for (k, &i) in ranked.iter().enumerate() {
        if let Some(main) = all[i].main_currency() {
            by_currency
                .entry(main.currency.as_str())
                .or_default()
                .push(k);
        }
    }
    for members in by_currency.values() {
        let spend: Vec<i64> = members
            .iter()
            .map(|&k| all[ranked[k]].main_currency().map_or(0, |t| t.total))
            .collect();
        for (&k, score) in members.iter().zip(quintiles(&spend)) {
            m[k] = score;
        }
    }
    let mut scores = vec![None; all.len()];
    for (k, &i) in ranked.iter().enumerate() {
        scores[i] = Some(Rfm {
            r: r[k],
            f: f[k],
            m: m[k],
        });
    }
    scores
}

/// Most tags a customer may have, and their longest length.
const MAX_TAGS: usize = 50;
const MAX_TAG_CHARS: usize = 40;

impl ProfileChange {
    /// Checks staff's change and normalizes it (tags trimmed, lower-cased, sorted and
    /// deduplicated; the country upper-cased). All problems at once.
    pub fn validated(mut self) -> std::result::Result<Self, Vec<FieldError>> {
        let mut errors = Vec::new();
        if let Some(zone) = &self.time_zone {
            if !zone.is_empty() && !crate::time_zone::is_valid(zone) {
                errors.push(FieldError::new(
                    "time_zone",
                    "must be an IANA time zone such as Asia/Jakarta",
                ));
            }
        }
        if let Some(country) = &mut self.country {
            *country = country.trim().to_ascii_uppercase();
            let two_letters = country.len() == 2 && country.chars().all(|c| c.is_ascii_uppercase());
            if !country.is_empty() && !two_letters {
                errors.push(FieldError::new(
                    "country",
                    "must be a two-letter ISO country code",
                ));
            }
        }
        if let Some(tags) = &mut self.tags {
            let mut clean: Vec<String> = tags.iter().map(|t| t.trim().to_lowercase()).collect();
            clean.sort();
            clean.dedup();
            if clean.len() > MAX_TAGS
                || clean.iter().any(|t| {
                    t.is_empty()
                        || t.chars().count() > MAX_TAG_CHARS
                        || t.chars().any(|c| c.is_whitespace() || c == ',' || c == '"')
                })
            {
                errors.push(FieldError::new(
                    "tags",
                    "at most 50 tags of 1-40 characters, without spaces, commas or quotes",
                ));
            }
            *tags = clean;
        }
        if let Some(notes) = &self.notes {
            if notes.chars().count() > 2000 {
                errors.push(FieldError::new("notes", "must be at most 2000 characters"));
            }
        }
        if errors.is_empty() {
            Ok(self)
        } else {
            Err(errors)
        }
    }
}

/// Applies staff's change to a customer's profile and returns the profile.
pub async fn change_profile(
    store: &dyn Store,
    id: CustomerId,
    change: ProfileChange,
    at: DateTime<Utc>,
) -> Result<Profile> {
    let change = change.validated().map_err(Error::Fields)?;
    let mut tx = store.begin().await?;
    if !tx.change_profile(id, &change).await? {
        return Err(Error::NotFound(format!("customer {}", id.0)));
    }
    tx.append_event(
        &NewEvent::new("profile_changed", at)
            .customer(id)
            .source(Some("api".into()))
            .data(json!({
                "time_zone": change.time_zone,
                "country": change.country,
                "tags": change.tags,
            })),
    )
    .await?;
    tx.commit().await?;
    store
        .profile(id)
        .await?
        .ok_or_else(|| Error::NotFound(format!("customer {}", id.0)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 6, 1, 12, 0, 0).unwrap()
    }

    fn facts(first_seen_days: i64, last_seen_days: i64) -> LifecycleFacts {
        LifecycleFacts {
            customer: CustomerId(1),
            first_seen_at: now() - Duration::days(first_seen_days),
            last_seen_at: now() - Duration::days(last_seen_days),
            orders_paid: 0,
            last_order_at: None,
            active_orders: 0,
            loyal_totals: Vec::new(),
            stored: Stored {
                stage: Stage::New,
                rfm: None,
                orders_paid: 0,
                last_order_at: None,
            },
        }
    }

    fn with_orders(mut f: LifecycleFacts, active: i64, loyal: i64, total: i64) -> LifecycleFacts {
        f.orders_paid = loyal;
        f.active_orders = active;
        f.last_order_at = Some(now() - Duration::days(1));
        f.loyal_totals = vec![CurrencyTotal {
            currency: "USD".into(),
            orders: loyal,
            total,
        }];
        f
    }

    fn shop(orders: i64, total: i64) -> ShopAverages {
        ShopAverages::new(vec![CurrencyTotal {
            currency: "USD".into(),
            orders,
            total,
        }])
    }

    #[test]
    fn default_rules_put_customers_where_the_issue_says() {
        let rules = LifecycleRules::default();
        let avg = shop(100, 100 * 5_000);
        let at = now();
        assert_eq!(stage(&facts(3, 0), &rules, &avg, at), Stage::New);
        assert_eq!(stage(&facts(29, 29), &rules, &avg, at), Stage::New);
        assert_eq!(stage(&facts(45, 2), &rules, &avg, at), Stage::Potential);
        // Came 45 days ago and silent for 40: not potential any more.
        assert_eq!(stage(&facts(45, 40), &rules, &avg, at), Stage::Lapsed);
        assert_eq!(stage(&facts(100, 5), &rules, &avg, at), Stage::Lapsed);
        assert_eq!(stage(&facts(400, 180), &rules, &avg, at), Stage::Churned);
        let buyer = with_orders(facts(100, 1), 1, 1, 3_000);
        assert_eq!(stage(&buyer, &rules, &avg, at), Stage::Active);
        let buyer = with_orders(facts(100, 1), 2, 2, 6_000);
        assert_eq!(stage(&buyer, &rules, &avg, at), Stage::Active);
        // Four orders above the average: loyal; at or below it: still active.
        let big = with_orders(facts(300, 1), 2, 4, 4 * 6_000);
        assert_eq!(stage(&big, &rules, &avg, at), Stage::Loyal);
        let small = with_orders(facts(300, 1), 2, 4, 4 * 5_000);
        assert_eq!(stage(&small, &rules, &avg, at), Stage::Active);
        // Three orders are not "more than three".
        let three = with_orders(facts(300, 1), 3, 3, 3 * 9_000);
        assert_eq!(stage(&three, &rules, &avg, at), Stage::Active);
        // Bought long ago, nothing recent: lapsed.
        let old = with_orders(facts(300, 10), 0, 1, 3_000);
        assert_eq!(stage(&old, &rules, &avg, at), Stage::Lapsed);
        // Churn wins over everything.
        let gone = with_orders(facts(700, 200), 0, 4, 4 * 9_000);
        assert_eq!(stage(&gone, &rules, &avg, at), Stage::Churned);
    }

    #[test]
    fn quintiles_split_in_fifths_and_keep_ties_together() {
        let values: Vec<i64> = (1..=10).collect();
        assert_eq!(quintiles(&values), vec![1, 1, 2, 2, 3, 3, 4, 4, 5, 5]);
        assert_eq!(quintiles(&[7, 7, 7]), vec![1, 1, 1]);
        assert_eq!(quintiles(&[3, 1, 2]), vec![4, 1, 2]);
        assert!(quintiles(&[]).is_empty());
    }

    #[test]
    fn rfm_ranks_buyers_only_and_money_within_a_currency() {
        let at = now();
        let mut a = with_orders(facts(100, 1), 1, 1, 1_000);
        a.last_order_at = Some(at - Duration::days(50));
        let b = with_orders(facts(100, 1), 5, 5, 50_000);
        let c = facts(10, 1);
        let mut d = with_orders(facts(100, 1), 1, 1, 100);
        d.loyal_totals[0].currency = "IDR".into();
        let scores = rfm_scores(&[a, b, c, d], at);
        assert_eq!(scores[2], None);
        let (a, b, d) = (scores[0].unwrap(), scores[1].unwrap(), scores[3].unwrap());
        assert!(a.r < b.r);
        assert!(a.f < b.f);
        assert!(a.m < b.m);
        // Alone in its currency: the lowest fifth of one.
        assert_eq!(d.m, 1);
    }

    #[test]
    fn profile_changes_are_normalized_and_checked() {
        let change = ProfileChange {
            time_zone: Some("Asia/Jakarta".into()),
            country: Some(" id ".into()),
            tags: Some(vec!["VIP".into(), "vip".into(), " baby ".into()]),
            notes: None,
        }
        .validated()
        .unwrap();
        assert_eq!(change.country.as_deref(), Some("ID"));
        assert_eq!(change.tags.unwrap(), vec!["baby", "vip"]);
        let errors = ProfileChange {
            time_zone: Some("Mars/Olympus".into()),
            country: Some("Indonesia".into()),
            tags: Some(vec!["two words".into()]),
            notes: Some("x".repeat(2001)),
        }
        .validated()
        .unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["time_zone", "country", "tags", "notes"]);
    }

    #[test]
    fn rules_are_checked() {
        assert!(LifecycleRules::default().validate().is_ok());
        let bad = LifecycleRules {
            new_days: 0,
            potential_days: 10,
            loyal_min_orders: 0,
            ..LifecycleRules::default()
        };
        let errors = bad.validate().unwrap_err();
        assert_eq!(errors.len(), 2);
    }
}
