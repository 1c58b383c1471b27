//! Loyalty points: the ledger every change of a customer's points is written to, the
//! settings (how many points a purchase, a check-in or a referral earns, when points
//! expire, which coupons they buy), and the use cases that write the ledger: earning on a
//! paid order and reversing it on a refund, the daily `/checkin` with its streak, referral
//! and staff credits, redeeming a reward and the daily expiry.
//!
//! Rules:
//! - A customer's balance is the sum of their ledger. It is never negative: a debit (a
//!   redemption, a refund's reversal, an expiry, a staff debit) takes at most the balance.
//!   So a refund of an order whose points were already spent reverses only what is left;
//!   the points spent stay spent (the coupon bought with them is not taken back).
//! - Every debit and credit of one customer happens with their balance locked
//!   ([`PointsTx::lock_points`]), so concurrent redemptions cannot overspend.
//! - An entry with a reference (`order:42`, `checkin:2026-12-05`, `referral:7`, or a
//!   staff-given one such as `ugc:99`) is written at most once per (customer, kind,
//!   reference): nothing is counted twice.
//! - An order earns on what the customer paid for goods: `subtotal - discount` (shipping is
//!   a cost passed on, not a purchase), in [`PointsSettings::points_per_unit`] points per
//!   whole currency unit (1.00 of a two-decimal currency, 1 of a zero-decimal one, by the
//!   currency's ISO 4217 exponent), rounded down.
//! - Earned points expire [`PointsSettings::expiry_months`] after they were earned (0:
//!   never). Debits use up the oldest earned points first (FIFO), and the daily
//!   [`EXPIRE_JOB`] writes an `expire` entry for what is left of each expired credit.
//! - `/checkin` counts once per calendar day in the customer's time zone (else the
//!   configured default zone, `crm.default_time_zone`); consecutive days grow a streak that adds
//!   [`PointsSettings::streak_bonus`] per day after the first, up to
//!   [`PointsSettings::streak_cap_days`].

use crate::customer::CustomerId;
use crate::event::NewEvent;
use crate::job::NewJob;
use crate::promotion::PromotionId;
use crate::shop::Order;
use crate::store::{Store, Tx};
use crate::{Error, FieldError, Result};
use async_trait::async_trait;
use chrono::{DateTime, Months, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::collections::{BTreeMap, VecDeque};

/// The daily job that expires points (see [`expire_all`]).
pub const EXPIRE_JOB: &str = "points.expire";

/// The callback data prefix of the reward buttons of `/points`.
pub const BUTTON_PREFIX: &str = "pts:";

/// Most points one entry may move (keeps sums far from overflowing).
pub const MAX_DELTA: i64 = 1_000_000_000;

/// The store's id of a ledger entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct PointsEntryId(pub i64);

/// Why a customer's points changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PointsKind {
    /// Earned by a paid order.
    Order,
    /// An order's points taken back when it was refunded or cancelled.
    Refund,
    /// The daily check-in.
    Checkin,
    /// A referral of theirs was credited.
    Referral,
    /// Given or taken by staff (an approved review or photo, a correction).
    Staff,
    /// Spent on a reward.
    Redeem,
    /// Expired.
    Expire,
}

impl PointsKind {
    pub const ALL: [PointsKind; 7] = [
        PointsKind::Order,
        PointsKind::Refund,
        PointsKind::Checkin,
        PointsKind::Referral,
        PointsKind::Staff,
        PointsKind::Redeem,
        PointsKind::Expire,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            PointsKind::Order => "order",
            PointsKind::Refund => "refund",
            PointsKind::Checkin => "checkin",
            PointsKind::Referral => "referral",
            PointsKind::Staff => "staff",
            PointsKind::Redeem => "redeem",
            PointsKind::Expire => "expire",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        PointsKind::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// One change of a customer's points.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PointsEntry {
    pub id: PointsEntryId,
    pub customer_id: CustomerId,
    /// Never zero: positive credits, negative debits.
    pub delta: i64,
    pub kind: PointsKind,
    /// What the entry is for (`order:42`); unique per (customer, kind) when present.
    pub reference: Option<String>,
    pub note: Option<String>,
    /// When a credit's points expire; `None` for debits and points that never expire.
    pub expires_at: Option<DateTime<Utc>>,
    pub at: DateTime<Utc>,
}

/// A ledger entry to write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPointsEntry {
    pub customer_id: CustomerId,
    pub delta: i64,
    pub kind: PointsKind,
    pub reference: Option<String>,
    pub note: Option<String>,
    pub expires_at: Option<DateTime<Utc>>,
    pub at: DateTime<Utc>,
}

/// A coupon customers can buy with points.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Reward {
    /// What it costs.
    pub points: i64,
    /// Redeeming makes a single-use code of this promotion for the customer.
    pub promotion_id: PromotionId,
}

/// How points are earned, kept and spent; one set per instance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PointsSettings {
    /// Points per whole unit of a currency spent, by ISO 4217 code; currencies not listed
    /// earn [`PointsSettings::default_points_per_unit`].
    pub points_per_unit: BTreeMap<String, i64>,
    pub default_points_per_unit: i64,
    /// Points of a check-in (0: check-ins earn nothing).
    pub checkin_points: i64,
    /// Added per consecutive day after the first.
    pub streak_bonus: i64,
    /// The streak day from which the bonus stops growing.
    pub streak_cap_days: i64,
    /// Points a referrer gets when a referral of theirs is credited (0: none).
    pub referral_points: i64,
    /// Months until earned points expire (0: never).
    pub expiry_months: i64,
    /// What points buy, shown as buttons under `/points`.
    pub rewards: Vec<Reward>,
}

impl Default for PointsSettings {
    fn default() -> Self {
        PointsSettings {
            points_per_unit: BTreeMap::new(),
            default_points_per_unit: 1,
            checkin_points: 10,
            streak_bonus: 5,
            streak_cap_days: 7,
            referral_points: 0,
            expiry_months: 12,
            rewards: Vec::new(),
        }
    }
}

impl PointsSettings {
    /// Every rule settings must meet, all problems at once.
    pub fn validate(&self) -> std::result::Result<(), Vec<FieldError>> {
        let mut errors = Vec::new();
        for (currency, points) in &self.points_per_unit {
            // Stored upper case, as orders carry them.
            if currency.parse::<crate::money::Currency>().is_err()
                || *currency != currency.to_ascii_uppercase()
            {
                errors.push(FieldError::new(
                    format!("points_per_unit.{currency}"),
                    "not an ISO 4217 currency code",
                ));
            } else if !(0..=10_000).contains(points) {
                errors.push(FieldError::new(
                    format!("points_per_unit.{currency}"),
                    "must be 0-10000",
                ));
            }
        }
        for (field, value, max) in [
            (
                "default_points_per_unit",
                self.default_points_per_unit,
                10_000,
            ),
            ("checkin_points", self.checkin_points, 1_000_000),
            ("streak_bonus", self.streak_bonus, 1_000_000),
            ("referral_points", self.referral_points, 1_000_000),
            ("expiry_months", self.expiry_months, 120),
        ] {
            if !(0..=max).contains(&value) {
                errors.push(FieldError::new(field, format!("must be 0-{max}")));
            }
        }
        if !(1..=365).contains(&self.streak_cap_days) {
            errors.push(FieldError::new("streak_cap_days", "must be 1-365"));
        }
        if self.rewards.len() > 10 {
            errors.push(FieldError::new("rewards", "at most 10 rewards"));
        }
        for (i, reward) in self.rewards.iter().enumerate() {
            if !(1..=MAX_DELTA).contains(&reward.points) {
                errors.push(FieldError::new(
                    format!("rewards[{i}].points"),
                    format!("must be 1-{MAX_DELTA}"),
                ));
            }
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }

    /// Points `order` earns: see the module docs.
    pub fn points_for_order(&self, order: &Order) -> i64 {
        let per_unit = self
            .points_per_unit
            .get(order.currency.code())
            .copied()
            .unwrap_or(self.default_points_per_unit);
        let spent = (order.subtotal - order.discount).max(0);
        let unit = 10_i128.pow(order.currency.exponent());
        let points = i128::from(spent) * i128::from(per_unit) / unit;
        i64::try_from(points).unwrap_or(MAX_DELTA).min(MAX_DELTA)
    }

    /// Points of a check-in on day `streak` of a streak (the first day is 1).
    pub fn checkin_points_on(&self, streak: i64) -> i64 {
        if self.checkin_points == 0 {
            return 0;
        }
        let bonus_days = streak.clamp(1, self.streak_cap_days.max(1)) - 1;
        self.checkin_points + self.streak_bonus * bonus_days
    }

    /// When points earned at `at` expire.
    pub fn expiry_of(&self, at: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let months = u32::try_from(self.expiry_months).ok().filter(|m| *m > 0)?;
        at.checked_add_months(Months::new(months))
    }
}

/// A customer's check-in on one local day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Checkin {
    pub day: NaiveDate,
    /// Consecutive days up to and including `day`.
    pub streak: i64,
}

/// Points reads outside any transaction.
#[async_trait]
pub trait PointsStore: Send + Sync {
    /// The stored settings, or the defaults.
    async fn points_settings(&self) -> Result<PointsSettings>;

    async fn set_points_settings(&self, settings: &PointsSettings, at: DateTime<Utc>)
        -> Result<()>;

    /// The customer's balance (0 if they have no entries).
    async fn points_balance(&self, customer: CustomerId) -> Result<i64>;

    /// The customer's entries with `id < before` (all if `None`), newest first.
    async fn points_ledger(
        &self,
        customer: CustomerId,
        before: Option<PointsEntryId>,
        limit: i64,
    ) -> Result<Vec<PointsEntry>>;

    /// Customers with a credit expiring in `(since, until]` and an id above `after`, by id.
    async fn customers_with_expiring_points(
        &self,
        since: Option<DateTime<Utc>>,
        until: DateTime<Utc>,
        after: CustomerId,
        limit: i64,
    ) -> Result<Vec<CustomerId>>;
}

/// Points writes inside a [`crate::store::Tx`].
#[async_trait]
pub trait PointsTx: Send {
    /// The stored settings, or the defaults.
    async fn current_points_settings(&mut self) -> Result<PointsSettings>;

    /// Locks the customer's points until the transaction ends and returns their balance.
    /// `NotFound` if the customer is unknown.
    async fn lock_points(&mut self, customer: CustomerId) -> Result<i64>;

    /// Writes an entry; `None` (and nothing written) if one of the same customer, kind and
    /// reference exists.
    async fn add_points_entry(&mut self, entry: &NewPointsEntry) -> Result<Option<PointsEntry>>;

    /// The entry of `customer` with `kind` and `reference`.
    async fn points_entry(
        &mut self,
        customer: CustomerId,
        kind: PointsKind,
        reference: &str,
    ) -> Result<Option<PointsEntry>>;

    /// Every entry of the customer, oldest first.
    async fn points_entries(&mut self, customer: CustomerId) -> Result<Vec<PointsEntry>>;

    /// The customer's latest check-in.
    async fn last_checkin(&mut self, customer: CustomerId) -> Result<Option<Checkin>>;

    /// Records a check-in; `false` (nothing written) if they checked in on that day.
    async fn record_checkin(
        &mut self,
        customer: CustomerId,
        checkin: Checkin,
        at: DateTime<Utc>,
    ) -> Result<bool>;

    /// The customer's own time zone, if known.
    async fn customer_time_zone(&mut self, customer: CustomerId) -> Result<Option<String>>;
}

// --- use cases ---

/// Credits `points` (if positive) with `kind` and `reference`, expiring per `settings`.
/// Returns the entry, or `None` if nothing was written (zero, or counted before).
#[allow(clippy::too_many_arguments)]
async fn credit(
    tx: &mut dyn Tx,
    settings: &PointsSettings,
    customer: CustomerId,
    points: i64,
    kind: PointsKind,
    reference: Option<String>,
    note: Option<String>,
    at: DateTime<Utc>,
) -> Result<Option<PointsEntry>> {
    if points <= 0 {
        return Ok(None);
    }
    tx.lock_points(customer).await?;
    tx.add_points_entry(&NewPointsEntry {
        customer_id: customer,
        delta: points.min(MAX_DELTA),
        kind,
        reference,
        note,
        expires_at: settings.expiry_of(at),
        at,
    })
    .await
}

/// Debits up to `points` (never below zero). Returns the entry, or `None` if nothing was
/// written (nothing to take, or counted before).
async fn debit(
    tx: &mut dyn Tx,
    customer: CustomerId,
    points: i64,
    kind: PointsKind,
    reference: Option<String>,
    note: Option<String>,
    at: DateTime<Utc>,
) -> Result<Option<PointsEntry>> {
    let balance = tx.lock_points(customer).await?;
    let taken = points.min(balance);
    if taken <= 0 {
        return Ok(None);
    }
    tx.add_points_entry(&NewPointsEntry {
        customer_id: customer,
        delta: -taken,
        kind,
        reference,
        note,
        expires_at: None,
        at,
    })
    .await
}

fn order_reference(order: &Order) -> String {
    format!("order:{}", order.id.0)
}

/// Called in the transaction that makes `order` paid: credits its points once.
pub async fn order_paid(tx: &mut dyn Tx, order: &Order, at: DateTime<Utc>) -> Result<()> {
    let settings = tx.current_points_settings().await?;
    let points = settings.points_for_order(order);
    if let Some(entry) = credit(
        tx,
        &settings,
        order.customer_id,
        points,
        PointsKind::Order,
        Some(order_reference(order)),
        None,
        at,
    )
    .await?
    {
        let e = NewEvent::new("points_earned", at)
            .bot(&order.bot)
            .customer(order.customer_id)
            .data(json!({ "order": order.id.0, "points": entry.delta }));
        tx.append_event(&e).await?;
    }
    Ok(())
}

/// Called in the transaction that refunds or cancels a paid `order`: takes back what it
/// earned, as far as the balance allows (points already spent stay spent), once.
pub async fn order_reversed(tx: &mut dyn Tx, order: &Order, at: DateTime<Utc>) -> Result<()> {
    let reference = order_reference(order);
    let Some(earned) = tx
        .points_entry(order.customer_id, PointsKind::Order, &reference)
        .await?
    else {
        return Ok(());
    };
    if tx
        .points_entry(order.customer_id, PointsKind::Refund, &reference)
        .await?
        .is_some()
    {
        return Ok(());
    }
    debit(
        tx,
        order.customer_id,
        earned.delta,
        PointsKind::Refund,
        Some(reference),
        None,
        at,
    )
    .await?;
    Ok(())
}

/// Called when a referral of `referrer` is credited: their referral points, once.
pub async fn referral_credited(
    tx: &mut dyn Tx,
    referrer: CustomerId,
    referral: crate::referral::ReferralId,
    at: DateTime<Utc>,
) -> Result<()> {
    let settings = tx.current_points_settings().await?;
    credit(
        tx,
        &settings,
        referrer,
        settings.referral_points,
        PointsKind::Referral,
        Some(format!("referral:{}", referral.0)),
        None,
        at,
    )
    .await?;
    Ok(())
}

/// What a check-in did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CheckinOutcome {
    /// Counted: `points` earned (0 if check-ins earn nothing), on day `streak`.
    Counted {
        points: i64,
        streak: i64,
        balance: i64,
    },
    /// They checked in on this local day already.
    Already { streak: i64, balance: i64 },
}

/// `/checkin` at `at`: counts once per calendar day in the customer's zone, else in
/// `default_zone`.
pub async fn checkin(
    tx: &mut dyn Tx,
    customer: CustomerId,
    default_zone: &str,
    at: DateTime<Utc>,
) -> Result<CheckinOutcome> {
    let settings = tx.current_points_settings().await?;
    let zone = tx
        .customer_time_zone(customer)
        .await?
        .filter(|z| crate::time_zone::is_valid(z))
        .unwrap_or_else(|| default_zone.to_owned());
    let day = crate::time_zone::local_date(at, &zone);
    // Locked first, so two check-ins at once are decided one after the other.
    let balance = tx.lock_points(customer).await?;
    let last = tx.last_checkin(customer).await?;
    if let Some(last) = last.filter(|l| l.day >= day) {
        return Ok(CheckinOutcome::Already {
            streak: last.streak,
            balance,
        });
    }
    let streak = match last {
        Some(last) if day.pred_opt() == Some(last.day) => last.streak + 1,
        _ => 1,
    };
    if !tx
        .record_checkin(customer, Checkin { day, streak }, at)
        .await?
    {
        return Ok(CheckinOutcome::Already { streak, balance });
    }
    let points = settings.checkin_points_on(streak);
    let written = credit(
        tx,
        &settings,
        customer,
        points,
        PointsKind::Checkin,
        Some(format!("checkin:{day}")),
        None,
        at,
    )
    .await?;
    let earned = written.map_or(0, |e| e.delta);
    Ok(CheckinOutcome::Counted {
        points: earned,
        streak,
        balance: balance + earned,
    })
}

/// Mints a single-use code of `promotion` with `prefix` for `customer` (points rewards,
/// win-back coupons): a random code assigned to them in `tx`.
pub async fn mint_code(
    tx: &mut dyn Tx,
    prefix: &str,
    promotion: PromotionId,
    customer: CustomerId,
    at: DateTime<Utc>,
) -> Result<String> {
    let code = crate::referral::reward_code(prefix)?;
    tx.insert_reward_code(promotion, customer, &code, at)
        .await?;
    Ok(code)
}

/// What a redemption did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Redemption {
    /// The code is on the customer's cart; `balance` is what is left.
    Redeemed {
        code: String,
        promotion_id: PromotionId,
        balance: i64,
    },
    /// The balance is below the reward's price.
    NotEnough { needed: i64, balance: i64 },
}

/// Buys `reward` with the customer's points: a single-use code of its promotion for them,
/// put on their cart. `NotFound` if it is not (any more) one of the settings' rewards.
pub async fn redeem(
    tx: &mut dyn Tx,
    customer: CustomerId,
    reward: &Reward,
    at: DateTime<Utc>,
) -> Result<Redemption> {
    let settings = tx.current_points_settings().await?;
    if !settings.rewards.contains(reward) {
        return Err(Error::NotFound("no such reward".into()));
    }
    let balance = tx.lock_points(customer).await?;
    if balance < reward.points {
        return Ok(Redemption::NotEnough {
            needed: reward.points,
            balance,
        });
    }
    let code = mint_code(tx, "PTS-", reward.promotion_id, customer, at).await?;
    let entry = tx
        .add_points_entry(&NewPointsEntry {
            customer_id: customer,
            delta: -reward.points,
            kind: PointsKind::Redeem,
            reference: Some(format!("code:{code}")),
            note: None,
            expires_at: None,
            at,
        })
        .await?
        .ok_or_else(|| Error::Conflict(format!("code {code} redeemed before")))?;
    tx.set_cart_code(customer, Some(&code), at).await?;
    let e = NewEvent::new("points_redeemed", at)
        .customer(customer)
        .data(json!({
            "points": reward.points,
            "promotion": reward.promotion_id.0,
            "code": code,
            "entry": entry.id.0,
        }));
    tx.append_event(&e).await?;
    Ok(Redemption::Redeemed {
        code,
        promotion_id: reward.promotion_id,
        balance: balance - reward.points,
    })
}

/// A staff credit or debit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Adjustment {
    /// Positive credits, negative debits (a debit takes at most the balance).
    pub delta: i64,
    /// Why, for the ledger and the audit log (an approved review, a correction).
    pub reason: String,
    /// Makes it count once, such as `ugc:<id>`; absent, every request counts.
    #[serde(default)]
    pub reference: Option<String>,
}

impl Adjustment {
    /// Every rule an adjustment must meet, all problems at once.
    pub fn validate(&self) -> std::result::Result<(), Vec<FieldError>> {
        let mut errors = Vec::new();
        if self.delta == 0 || !(-MAX_DELTA..=MAX_DELTA).contains(&self.delta) {
            errors.push(FieldError::new(
                "delta",
                format!("must be non-zero, at most {MAX_DELTA} either way"),
            ));
        }
        let reason = self.reason.trim();
        if reason.is_empty() || reason.chars().count() > 500 {
            errors.push(FieldError::new("reason", "must be 1-500 characters"));
        }
        if let Some(reference) = &self.reference {
            if reference.is_empty()
                || reference.len() > 100
                || reference
                    .chars()
                    .any(|c| c.is_whitespace() || c.is_control())
            {
                errors.push(FieldError::new(
                    "reference",
                    "must be 1-100 characters without spaces",
                ));
            }
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }
}

/// Applies a staff adjustment (already validated by the caller or here). Returns the
/// entry; `Conflict` if its reference was used before; `None` if a debit found nothing.
pub async fn adjust(
    tx: &mut dyn Tx,
    customer: CustomerId,
    adjustment: &Adjustment,
    staff: &str,
    at: DateTime<Utc>,
) -> Result<Option<PointsEntry>> {
    adjustment.validate().map_err(Error::Fields)?;
    if tx.customer(customer).await?.is_none() {
        return Err(Error::NotFound(format!("customer {}", customer.0)));
    }
    if let Some(reference) = &adjustment.reference {
        if tx
            .points_entry(customer, PointsKind::Staff, reference)
            .await?
            .is_some()
        {
            return Err(Error::Conflict(format!(
                "points for {reference} were given before"
            )));
        }
    }
    let settings = tx.current_points_settings().await?;
    let note = Some(format!("{} ({staff})", adjustment.reason.trim()));
    let entry = if adjustment.delta > 0 {
        credit(
            tx,
            &settings,
            customer,
            adjustment.delta,
            PointsKind::Staff,
            adjustment.reference.clone(),
            note,
            at,
        )
        .await?
    } else {
        debit(
            tx,
            customer,
            -adjustment.delta,
            PointsKind::Staff,
            adjustment.reference.clone(),
            note,
            at,
        )
        .await?
    };
    Ok(entry)
}

/// What is left of each credit after the debits used up the oldest first, as
/// (entry, points left). Credits are consumed in the order they were written.
pub fn remaining_credits(entries: &[PointsEntry]) -> Vec<(&PointsEntry, i64)> {
    let mut lots: VecDeque<(&PointsEntry, i64)> = VecDeque::new();
    let mut done = Vec::new();
    for entry in entries {
        if entry.delta > 0 {
            lots.push_back((entry, entry.delta));
            continue;
        }
        let mut owed = -entry.delta;
        while owed > 0 {
            let Some(front) = lots.front_mut() else {
                break;
            };
            let used = owed.min(front.1);
            front.1 -= used;
            owed -= used;
            if front.1 == 0 {
                if let Some(lot) = lots.pop_front() {
                    done.push(lot);
                }
            }
        }
    }
    done.extend(lots);
    done.retain(|(_, left)| *left > 0);
    done
}

/// Writes an `expire` entry for what is left of each of the customer's credits expired by
/// `now` (once per credit). Returns the points expired.
pub async fn expire_customer(
    tx: &mut dyn Tx,
    customer: CustomerId,
    now: DateTime<Utc>,
) -> Result<i64> {
    let mut balance = tx.lock_points(customer).await?;
    let entries = tx.points_entries(customer).await?;
    let due: Vec<(PointsEntryId, i64)> = remaining_credits(&entries)
        .into_iter()
        .filter(|(e, _)| e.expires_at.is_some_and(|t| t <= now))
        .map(|(e, left)| (e.id, left))
        .collect();
    let mut expired = 0;
    for (credit_id, left) in due {
        let taken = left.min(balance);
        if taken <= 0 {
            break;
        }
        let written = tx
            .add_points_entry(&NewPointsEntry {
                customer_id: customer,
                delta: -taken,
                kind: PointsKind::Expire,
                reference: Some(format!("entry:{}", credit_id.0)),
                note: None,
                expires_at: None,
                at: now,
            })
            .await?;
        if written.is_some() {
            balance -= taken;
            expired += taken;
        }
    }
    Ok(expired)
}

/// The expiry job (deduplicated), at `at`, looking at credits expiring after `since`.
pub fn expire_job(since: Option<DateTime<Utc>>, at: DateTime<Utc>) -> NewJob {
    NewJob::new(
        EXPIRE_JOB,
        json!({ "since": since.map(|s| s.timestamp_millis()) }),
        at,
    )
    .dedup_key("points:expire".to_owned())
}

/// Where an expiry job's window starts.
pub fn job_since(payload: &serde_json::Value) -> Option<DateTime<Utc>> {
    payload["since"]
        .as_i64()
        .and_then(DateTime::<Utc>::from_timestamp_millis)
}

/// Expires the points of every customer with a credit expiring in `(since, now]`, in
/// `tx`. Returns the points expired.
pub async fn expire_all(
    store: &dyn Store,
    tx: &mut dyn Tx,
    since: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Result<i64> {
    let mut after = CustomerId(0);
    let mut total = 0;
    loop {
        let page = store
            .customers_with_expiring_points(since, now, after, 500)
            .await?;
        let Some(last) = page.last().copied() else {
            break;
        };
        for customer in page {
            total += expire_customer(tx, customer, now).await?;
        }
        after = last;
    }
    Ok(total)
}

/// Saves new settings: every rule of [`PointsSettings::validate`], and the rewards'
/// promotions must exist; all problems at once as `Fields`.
pub async fn save_settings(
    store: &dyn Store,
    settings: &PointsSettings,
    at: DateTime<Utc>,
) -> Result<()> {
    let mut problems = settings.validate().err().unwrap_or_default();
    for (i, reward) in settings.rewards.iter().enumerate() {
        if store.promotion(reward.promotion_id).await?.is_none() {
            problems.push(FieldError::new(
                format!("rewards[{i}].promotion_id"),
                "no such promotion",
            ));
        }
    }
    if !problems.is_empty() {
        return Err(Error::Fields(problems));
    }
    store.set_points_settings(settings, at).await
}

/// The callback data of a reward's button.
pub fn button_data(reward: &Reward) -> String {
    format!("{BUTTON_PREFIX}{}:{}", reward.points, reward.promotion_id.0)
}

/// The reward a button's data names.
pub fn parse_button(data: &str) -> Option<Reward> {
    let (points, promotion) = data.strip_prefix(BUTTON_PREFIX)?.split_once(':')?;
    Some(Reward {
        points: points.parse().ok()?,
        promotion_id: PromotionId(promotion.parse().ok()?),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn entry(id: i64, delta: i64) -> PointsEntry {
        PointsEntry {
            id: PointsEntryId(id),
            customer_id: CustomerId(1),
            delta,
            kind: if delta > 0 {
                PointsKind::Order
            } else {
                PointsKind::Redeem
            },
            reference: None,
            note: None,
            expires_at: None,
            at: Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap(),
        }
    }

    #[test]
    fn debits_use_the_oldest_credits_first() {
        let entries = [entry(1, 10), entry(2, 20), entry(3, -15), entry(4, 5)];
        let left: Vec<(i64, i64)> = remaining_credits(&entries)
            .into_iter()
            .map(|(e, n)| (e.id.0, n))
            .collect();
        assert_eq!(left, [(2, 15), (4, 5)]);
    }

    #[test]
    fn streaks_grow_up_to_the_cap() {
        let s = PointsSettings::default();
        assert_eq!(s.checkin_points_on(1), 10);
        assert_eq!(s.checkin_points_on(2), 15);
        assert_eq!(s.checkin_points_on(7), 40);
        assert_eq!(s.checkin_points_on(30), 40);
    }

    #[test]
    fn settings_defaults_and_validation() {
        let s: PointsSettings = serde_json::from_str("{}").expect("defaults");
        assert_eq!(s, PointsSettings::default());
        assert!(s.validate().is_ok());
        let bad = PointsSettings {
            checkin_points: -1,
            points_per_unit: [("usd".to_owned(), 1)].into(),
            ..PointsSettings::default()
        };
        assert_eq!(bad.validate().map_err(|e| e.len()), Err(2));
    }

    #[test]
    fn adjustments_need_a_bounded_delta_a_reason_and_a_plain_reference() {
        let fields = |delta: i64, reason: &str, reference: Option<&str>| {
            Adjustment {
                delta,
                reason: reason.into(),
                reference: reference.map(str::to_owned),
            }
            .validate()
            .err()
            .unwrap_or_default()
            .into_iter()
            .map(|f| f.field)
            .collect::<Vec<_>>()
        };
        assert!(fields(-5, "correction", Some("ugc:1")).is_empty());
        assert_eq!(
            fields(i64::MIN, " ", Some("a b")),
            ["delta", "reason", "reference"]
        );
        assert_eq!(fields(0, "x", None), ["delta"]);
    }

    #[test]
    fn buttons_round_trip() {
        let reward = Reward {
            points: 100,
            promotion_id: PromotionId(7),
        };
        assert_eq!(parse_button(&button_data(&reward)), Some(reward));
        assert_eq!(parse_button("pts:x:1"), None);
    }
}
