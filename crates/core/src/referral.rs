//! Referral rewards ("invite friends, earn rewards"): each customer's personal referral code,
//! the decision recorded every time someone arrives through one, the reward on the referee's
//! first paid order, and the storage ports for all of it.
//!
//! How it runs:
//! - A customer's code is made on first `/invite` (10 characters of a 32-letter alphabet,
//!   about 50 random bits) and never changes; their link is
//!   `https://t.me/<bot username>?start=r-<code>`.
//! - `/start r-<code>` records a [`Referral`] with a decision, always: `refused` for one's own
//!   code (`self_referral`) or when the person was a customer before this very start
//!   (`existing_customer`; this also refuses cycles: if A brought B, B's link can only reach
//!   A as an existing customer), `held` for staff review when the referrer already brought
//!   [`ReferralSettings::bulk_threshold`] referees without a Telegram username within
//!   [`ReferralSettings::bulk_window_minutes`] (accounts made in bulk rarely have one), and
//!   `pending` otherwise. An unknown code records nothing (there is no referrer to name).
//! - When an order becomes paid ([`order_paid`], called by both the Telegram payment and the
//!   staff's manual confirmation, in their transaction), a `pending` referral of the buyer is
//!   settled: `credited` with a single-use code of [`ReferralSettings::referrer_promotion`]
//!   for the referrer, who is told through the outbox, or `refused` with `cap_reached` once
//!   the referrer has [`ReferralSettings::max_rewards_per_referrer`] credited referrals. A
//!   referral is settled once, so later orders credit nothing. A `held` referral only notes
//!   the qualifying order; staff approve it (credited at once if it qualified, else
//!   `pending`) or reject it (`rejected`).
//! - With [`Trigger::FirstStart`] the referrer is credited at the start instead.
//! - The referee may get a welcome code of [`ReferralSettings::referee_promotion`] on their
//!   cart when their referral is accepted (`pending` or `credited`).
//!
//! Rewards are coupons, and points if [`crate::points::PointsSettings::referral_points`]
//! is set (store credit does not exist yet). Settings are stored
//! in the database and set with `PUT /api/referral-settings`.

use crate::customer::{Customer, CustomerId};
use crate::event::NewEvent;
use crate::i18n::Texts;
use crate::outbox::{Action, NewOutbound};
use crate::promotion::PromotionId;
use crate::shop::{Order, OrderId};
use crate::store::{Store, Tx};
use crate::{Error, FieldError, Result};
use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;

/// The `/start` payload prefix of referral links.
pub const START_PREFIX: &str = "r-";

/// Letters of referral codes: lowercase and digits without look-alikes (`l`, `o`, `0`, `1`).
const CODE_ALPHABET: &[u8; 32] = b"abcdefghijkmnpqrstuvwxyz23456789";

/// Characters of a referral code (50 random bits).
pub const CODE_CHARS: usize = 10;

/// The store's id of a referral.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ReferralId(pub i64);

/// Where a referral stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReferralStatus {
    /// Accepted; waits for the referee's first paid order.
    Pending,
    /// Looks like bulk accounts; waits for staff.
    Held,
    /// The referrer got their reward.
    Credited,
    /// Refused by a rule (see [`Referral::reason`]).
    Refused,
    /// Refused by staff after review.
    Rejected,
}

impl ReferralStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ReferralStatus::Pending => "pending",
            ReferralStatus::Held => "held",
            ReferralStatus::Credited => "credited",
            ReferralStatus::Refused => "refused",
            ReferralStatus::Rejected => "rejected",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "pending" => Some(ReferralStatus::Pending),
            "held" => Some(ReferralStatus::Held),
            "credited" => Some(ReferralStatus::Credited),
            "refused" => Some(ReferralStatus::Refused),
            "rejected" => Some(ReferralStatus::Rejected),
            _ => None,
        }
    }
}

/// Why a referral was refused, held or rejected (stored as [`Referral::reason`]).
pub mod reason {
    pub const SELF_REFERRAL: &str = "self_referral";
    pub const EXISTING_CUSTOMER: &str = "existing_customer";
    pub const BULK_SUSPECTED: &str = "bulk_suspected";
    pub const CAP_REACHED: &str = "cap_reached";
    pub const REJECTED_BY_STAFF: &str = "rejected_by_staff";
}

/// When the referrer is credited.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Trigger {
    /// On the referee's first paid order (the default).
    #[default]
    FirstOrder,
    /// As soon as the referee starts the bot through the link.
    FirstStart,
}

/// How referrals are rewarded; one set per instance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReferralSettings {
    #[serde(default)]
    pub trigger: Trigger,
    /// The promotion whose single-use code the referrer gets; without it referrals are
    /// recorded and credited but nothing is handed out.
    #[serde(default)]
    pub referrer_promotion: Option<PromotionId>,
    /// The promotion whose single-use code a referee gets on their cart (welcome reward).
    #[serde(default)]
    pub referee_promotion: Option<PromotionId>,
    /// Credited referrals per referrer; later ones are refused with `cap_reached`.
    #[serde(default = "default_max_rewards")]
    pub max_rewards_per_referrer: i64,
    /// Referees without a username one referrer may bring within the window before the next
    /// one is held for review.
    #[serde(default = "default_bulk_threshold")]
    pub bulk_threshold: i64,
    #[serde(default = "default_bulk_window")]
    pub bulk_window_minutes: i64,
}

fn default_max_rewards() -> i64 {
    20
}
fn default_bulk_threshold() -> i64 {
    3
}
fn default_bulk_window() -> i64 {
    10
}

impl Default for ReferralSettings {
    fn default() -> Self {
        ReferralSettings {
            trigger: Trigger::FirstOrder,
            referrer_promotion: None,
            referee_promotion: None,
            max_rewards_per_referrer: default_max_rewards(),
            bulk_threshold: default_bulk_threshold(),
            bulk_window_minutes: default_bulk_window(),
        }
    }
}

impl ReferralSettings {
    /// Every rule settings must meet, all problems at once.
    pub fn validate(&self) -> std::result::Result<(), Vec<FieldError>> {
        let mut errors = Vec::new();
        if !(0..=1_000_000).contains(&self.max_rewards_per_referrer) {
            errors.push(FieldError::new(
                "max_rewards_per_referrer",
                "must be 0-1000000",
            ));
        }
        if !(0..=10_000).contains(&self.bulk_threshold) {
            errors.push(FieldError::new("bulk_threshold", "must be 0-10000"));
        }
        if !(1..=10_080).contains(&self.bulk_window_minutes) {
            errors.push(FieldError::new(
                "bulk_window_minutes",
                "must be 1-10080 (a week)",
            ));
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }
}

/// One use of a referral link and its decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Referral {
    pub id: ReferralId,
    /// The bot the link was used on (the referrer is told there).
    pub bot: String,
    pub code: String,
    pub referrer_id: CustomerId,
    pub referee_id: CustomerId,
    pub referee_has_username: bool,
    pub status: ReferralStatus,
    /// See [`reason`].
    pub reason: Option<String>,
    /// The referee's order that qualified the referral.
    pub qualifying_order: Option<OrderId>,
    /// The code the referrer got.
    pub reward_code: Option<String>,
    pub created_at: DateTime<Utc>,
    pub decided_at: Option<DateTime<Utc>>,
}

/// A referral to record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewReferral {
    pub bot: String,
    pub code: String,
    pub referrer_id: CustomerId,
    pub referee_id: CustomerId,
    pub referee_has_username: bool,
    pub status: ReferralStatus,
    pub reason: Option<String>,
    pub at: DateTime<Utc>,
}

/// A change to a recorded referral; `None` fields stay as they are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReferralUpdate {
    pub status: ReferralStatus,
    pub reason: Option<String>,
    pub qualifying_order: Option<OrderId>,
    pub reward_code: Option<String>,
    pub at: DateTime<Utc>,
}

/// What a referrer's link brought (clicks are invisible to bots, so they are not counted).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ReferralStats {
    /// Starts through the link by others, whatever the decision.
    pub starts: i64,
    /// New customers it brought (accepted, held or later decided).
    pub joins: i64,
    /// Of those, how many paid a first order.
    pub first_orders: i64,
    /// Credited referrals.
    pub rewards: i64,
}

/// Referrals outside any transaction.
#[async_trait]
pub trait ReferralStore: Send + Sync {
    /// The stored settings, or the defaults.
    async fn referral_settings(&self) -> Result<ReferralSettings>;

    async fn set_referral_settings(
        &self,
        settings: &ReferralSettings,
        at: DateTime<Utc>,
    ) -> Result<()>;

    /// Referrals with `id > after`, optionally of one status, oldest first.
    async fn referrals(
        &self,
        status: Option<ReferralStatus>,
        after: Option<ReferralId>,
        limit: i64,
    ) -> Result<Vec<Referral>>;

    async fn referral_stats(&self, referrer: CustomerId) -> Result<ReferralStats>;

    /// The newest referrals, whatever their status, newest first, at most `limit`.
    async fn latest_referrals(&self, limit: i64) -> Result<Vec<Referral>>;
}

/// Referral writes inside a [`crate::store::Tx`].
#[async_trait]
pub trait ReferralTx: Send {
    /// The stored settings, or the defaults.
    async fn current_referral_settings(&mut self) -> Result<ReferralSettings>;

    /// The customer's code, saving `candidate` as it if they have none. `Conflict` if
    /// `candidate` belongs to someone else (then try another).
    async fn ensure_referral_code(
        &mut self,
        customer: CustomerId,
        candidate: &str,
        at: DateTime<Utc>,
    ) -> Result<String>;

    async fn referrer_by_code(&mut self, code: &str) -> Result<Option<CustomerId>>;

    /// Records a decision. `Conflict` if the referee already has an accepted referral.
    async fn record_referral(&mut self, referral: &NewReferral) -> Result<Referral>;

    /// Referrals of `referrer` to referees without a username since `since`, not refused.
    async fn anonymous_referees_since(
        &mut self,
        referrer: CustomerId,
        since: DateTime<Utc>,
    ) -> Result<i64>;

    /// The referee's `pending` or `held` referral, locked until the transaction ends.
    async fn open_referral_for_update(&mut self, referee: CustomerId) -> Result<Option<Referral>>;

    /// A referral, locked until the transaction ends.
    async fn referral_for_update(&mut self, id: ReferralId) -> Result<Option<Referral>>;

    /// How many referrals of `referrer` are credited.
    async fn credited_referrals(&mut self, referrer: CustomerId) -> Result<i64>;

    /// Applies `update`; `decided_at` is set when the status is final. `NotFound` if absent.
    async fn update_referral(
        &mut self,
        id: ReferralId,
        update: &ReferralUpdate,
    ) -> Result<Referral>;

    /// Saves `code` as a single-use code of `promotion` for `customer`.
    async fn insert_reward_code(
        &mut self,
        promotion: PromotionId,
        customer: CustomerId,
        code: &str,
        at: DateTime<Utc>,
    ) -> Result<()>;
}

/// Whether `code` looks like a referral code.
pub fn is_valid_code(code: &str) -> bool {
    code.len() == CODE_CHARS && code.bytes().all(|b| CODE_ALPHABET.contains(&b))
}

/// 64 unpredictable bits: std's `RandomState` is keyed from the operating system's random
/// source, so no new dependency is needed; the counter keeps calls in one instant apart.
pub(crate) fn random_bits() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u64(COUNTER.fetch_add(1, Ordering::Relaxed));
    hasher.write_i64(Utc::now().timestamp_nanos_opt().unwrap_or_default());
    hasher.finish()
}

/// A fresh random referral code.
pub fn new_code(random: &mut dyn FnMut() -> u64) -> String {
    let bits = random();
    (0..CODE_CHARS)
        .map(|i| char::from(CODE_ALPHABET[((bits >> (i * 5)) & 31) as usize]))
        .collect()
}

/// A customer's deep link on a bot called `bot_username`.
pub fn link(bot_username: &str, code: &str) -> String {
    format!("https://t.me/{bot_username}?start={START_PREFIX}{code}")
}

/// A customer's code, made on first use.
pub async fn code_of(tx: &mut dyn Tx, customer: CustomerId, at: DateTime<Utc>) -> Result<String> {
    // A collision needs two equal 50-bit draws; one retry is plenty.
    let mut last = None;
    for _ in 0..3 {
        match tx
            .ensure_referral_code(customer, &new_code(&mut random_bits), at)
            .await
        {
            Err(Error::Conflict(e)) => last = Some(e),
            other => return other,
        }
    }
    Err(Error::Conflict(last.unwrap_or_default()))
}

/// The language to tell `customer` something in, without the conversation around.
pub(crate) fn language_of(texts: &Texts, customer: &Customer, fallback: &str) -> String {
    customer
        .language
        .as_deref()
        .filter(|l| texts.is_supported(l))
        .or_else(|| {
            customer
                .telegram_language
                .as_deref()
                .and_then(|l| texts.negotiate(l))
        })
        .unwrap_or(fallback)
        .to_owned()
}

/// Called in the transaction that makes `order` paid (chat payment or staff confirmation):
/// settles the buyer's open referral as described in the module docs.
pub async fn order_paid(
    tx: &mut dyn Tx,
    texts: &Texts,
    order: &Order,
    at: DateTime<Utc>,
) -> Result<()> {
    let Some(referral) = tx.open_referral_for_update(order.customer_id).await? else {
        return Ok(());
    };
    if referral.qualifying_order.is_some() {
        return Ok(());
    }
    let settings = tx.current_referral_settings().await?;
    match referral.status {
        ReferralStatus::Held => {
            // Staff decide; the order is noted so approving credits at once.
            let update = ReferralUpdate {
                status: ReferralStatus::Held,
                reason: referral.reason.clone(),
                qualifying_order: Some(order.id),
                reward_code: None,
                at,
            };
            tx.update_referral(referral.id, &update).await?;
            Ok(())
        }
        ReferralStatus::Pending if settings.trigger == Trigger::FirstOrder => {
            credit(tx, texts, &referral, &settings, Some(order.id), at).await
        }
        _ => Ok(()),
    }
}

/// Credits the referrer of `referral` (or refuses it at the cap) and tells them.
pub(crate) async fn credit(
    tx: &mut dyn Tx,
    texts: &Texts,
    referral: &Referral,
    settings: &ReferralSettings,
    order: Option<OrderId>,
    at: DateTime<Utc>,
) -> Result<()> {
    let event = |kind: &str| {
        NewEvent::new(kind, at)
            .bot(&referral.bot)
            .customer(referral.referrer_id)
    };
    if tx.credited_referrals(referral.referrer_id).await? >= settings.max_rewards_per_referrer {
        let update = ReferralUpdate {
            status: ReferralStatus::Refused,
            reason: Some(reason::CAP_REACHED.into()),
            qualifying_order: order,
            reward_code: None,
            at,
        };
        tx.update_referral(referral.id, &update).await?;
        let e = event("referral_refused")
            .data(json!({ "referral": referral.id.0, "reason": reason::CAP_REACHED }));
        return tx.append_event(&e).await;
    }
    let reward_code = match settings.referrer_promotion {
        Some(promotion) => {
            let code = reward_code("REF-")?;
            tx.insert_reward_code(promotion, referral.referrer_id, &code, at)
                .await?;
            Some(code)
        }
        None => None,
    };
    let update = ReferralUpdate {
        status: ReferralStatus::Credited,
        reason: None,
        qualifying_order: order,
        reward_code: reward_code.clone(),
        at,
    };
    tx.update_referral(referral.id, &update).await?;
    let e = event("referral_credited").data(json!({
        "referral": referral.id.0,
        "referee": referral.referee_id.0,
        "order": order.map(|o| o.0),
        "code": reward_code,
    }));
    tx.append_event(&e).await?;
    crate::points::referral_credited(tx, referral.referrer_id, referral.id, at).await?;
    let (Some(code), Some(referrer)) = (reward_code, tx.customer(referral.referrer_id).await?)
    else {
        return Ok(());
    };
    // No bot profile here (staff confirmations come from the API): English is the last resort.
    let language = language_of(texts, &referrer, "en");
    let text = texts.get(&language, "referral-rewarded", &[("code", &code)]);
    tx.enqueue(&NewOutbound {
        bot: referral.bot.clone(),
        // A private chat's id is the user's id.
        chat_id: referrer.telegram_user_id,
        customer_id: Some(referrer.id),
        action: Action::SendText {
            text,
            buttons: Vec::new(),
        },
        broadcast: false,
        not_before: at,
        created_at: at,
    })
    .await
    .map(|_| ())
}

/// A single-use reward code with `prefix`.
pub(crate) fn reward_code(prefix: &str) -> Result<String> {
    crate::coupon::make_codes(prefix, 1, &mut random_bits)
        .map_err(Error::Fields)?
        .pop()
        .ok_or_else(|| Error::Invalid("no code made".into()))
}

/// Saves new referral settings: every rule of [`ReferralSettings::validate`], and the reward
/// promotions must exist; all problems at once as `Fields`.
pub async fn save_settings(
    store: &dyn Store,
    settings: &ReferralSettings,
    at: DateTime<Utc>,
) -> Result<()> {
    let mut problems = settings.validate().err().unwrap_or_default();
    for (field, id) in [
        ("referrer_promotion", settings.referrer_promotion),
        ("referee_promotion", settings.referee_promotion),
    ] {
        if let Some(id) = id {
            if store.promotion(id).await?.is_none() {
                problems.push(FieldError::new(field, "no such promotion"));
            }
        }
    }
    if !problems.is_empty() {
        return Err(Error::Fields(problems));
    }
    store.set_referral_settings(settings, at).await
}

/// A staff decision on a held referral.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Review {
    Approve,
    Reject,
}

/// Approves (credited at once if it qualified, else `pending`) or rejects a held referral.
/// `Conflict` if it is not held.
pub async fn review(
    tx: &mut dyn Tx,
    texts: &Texts,
    id: ReferralId,
    decision: Review,
    staff: &str,
    at: DateTime<Utc>,
) -> Result<Referral> {
    let referral = tx
        .referral_for_update(id)
        .await?
        .ok_or_else(|| Error::NotFound(format!("referral {}", id.0)))?;
    if referral.status != ReferralStatus::Held {
        return Err(Error::Conflict(format!(
            "referral {} is {}, not held",
            id.0,
            referral.status.as_str()
        )));
    }
    let settings = tx.current_referral_settings().await?;
    let e = NewEvent::new("referral_reviewed", at)
        .bot(&referral.bot)
        .customer(referral.referrer_id)
        .data(json!({
            "referral": id.0,
            "decision": if decision == Review::Approve { "approve" } else { "reject" },
            "staff": staff,
        }));
    tx.append_event(&e).await?;
    match decision {
        Review::Reject => {
            let update = ReferralUpdate {
                status: ReferralStatus::Rejected,
                reason: Some(reason::REJECTED_BY_STAFF.into()),
                qualifying_order: referral.qualifying_order,
                reward_code: None,
                at,
            };
            tx.update_referral(id, &update).await?;
        }
        Review::Approve
            if referral.qualifying_order.is_some() || settings.trigger == Trigger::FirstStart =>
        {
            credit(
                tx,
                texts,
                &referral,
                &settings,
                referral.qualifying_order,
                at,
            )
            .await?;
        }
        Review::Approve => {
            let update = ReferralUpdate {
                status: ReferralStatus::Pending,
                reason: None,
                qualifying_order: None,
                reward_code: None,
                at,
            };
            tx.update_referral(id, &update).await?;
        }
    }
    tx.referral_for_update(id)
        .await?
        .ok_or_else(|| Error::NotFound(format!("referral {}", id.0)))
}

/// Whether a referee arriving now is held: `previous` referees without a username came for
/// the same referrer within the window.
pub fn looks_bulk(settings: &ReferralSettings, has_username: bool, previous: i64) -> bool {
    !has_username && previous >= settings.bulk_threshold
}

/// The start of the bulk-detection window ending at `at`.
pub fn bulk_window_start(settings: &ReferralSettings, at: DateTime<Utc>) -> DateTime<Utc> {
    at - Duration::minutes(settings.bulk_window_minutes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_short_valid_payloads() {
        let mut n = 0u64;
        let mut random = || {
            n = n.wrapping_add(0x9E37_79B9_7F4A_7C15);
            n
        };
        let a = new_code(&mut random);
        let b = new_code(&mut random);
        assert_ne!(a, b);
        assert!(is_valid_code(&a));
        assert!(crate::conversation::is_valid_start_payload(&format!(
            "{START_PREFIX}{a}"
        )));
        assert!(!is_valid_code("short"));
        assert!(!is_valid_code("abcdefghi0"));
        assert_eq!(link("shopbot", "abc"), "https://t.me/shopbot?start=r-abc");
    }

    #[test]
    fn bulk_needs_no_username_and_enough_previous() {
        let s = ReferralSettings::default();
        assert!(!looks_bulk(&s, false, 2));
        assert!(looks_bulk(&s, false, 3));
        assert!(!looks_bulk(&s, true, 30));
    }

    #[test]
    fn settings_defaults_and_validation() {
        let s: ReferralSettings = serde_json::from_str("{}").expect("defaults");
        assert_eq!(s, ReferralSettings::default());
        assert!(s.validate().is_ok());
        let bad = ReferralSettings {
            bulk_window_minutes: 0,
            max_rewards_per_referrer: -1,
            ..ReferralSettings::default()
        };
        assert_eq!(bad.validate().map_err(|e| e.len()), Err(2));
    }
}
