//! Membership tiers: the shop's tier ladder ([`TierSettings`], default member, silver, gold,
//! black), each customer's tier computed from their rolling 12-month paid spend, the
//! benefits a tier gives at checkout, the VIP gating of chats by tier, and the storage ports.
//!
//! How it runs:
//! - A customer's tier is the highest tier whose threshold they reach in *any* currency:
//!   thresholds are per currency in minor units, compared with the customer's paid orders
//!   (paid and not refunded or cancelled since, so a refund takes its order out) paid within
//!   the last [`WINDOW_DAYS`] days. The first tier is the base everyone has.
//! - It is recomputed for one customer whenever the CRM refresh runs for them (after a
//!   payment or a refund, [`refresh_customer`]) and for everyone by the daily CRM recompute
//!   ([`recompute_all`]): spend rolls out of the window by time alone. A change writes a
//!   [`TIER_CHANGED`] event; a move down tells the customer in their language through the
//!   outbox in the same transaction (a neutral note), a move up is congratulated with the
//!   new benefits by the tier-up automation ([`crate::automation`]), which tails the event.
//! - Benefits at checkout are ordinary automatic promotions kept in step with the settings by
//!   [`save_settings`]: one `Percent` promotion for a tier's `discount_percent` and one
//!   `FreeShipping` promotion for `free_shipping`, each scoped to the customer segment
//!   [`segment_of`] (`tier:<key>`) and combinable. The checkout prices a basket with the
//!   customer's tier segment ([`customer_segments`]), so the promotion engine applies them
//!   by its usual rules (see [`crate::promotion`]: item discounts stack before shipping ones;
//!   a percentage is taken over the eligible lines together and rounded as the engine
//!   documents) and the order records them as discount lines, like any promotion, so
//!   analytics and ROI see them (their `source` is `tier:<key>`).
//! - Points-based thresholds are not built: when points exist, a tier gains a points
//!   threshold next to [`Tier::min_spend`] and [`tier_for`] takes the customer's points too;
//!   that is the one place the decision is made.
//! - A chat's [`crate::community::ChatSettings::min_tier`] declines join requests of
//!   customers below it ([`below`]), with a localized explanation naming the tier. With
//!   `remove_below_tier_after_days`, the daily recompute queues the removal of members who
//!   dropped below it longer ago than that ([`queue_removals`]).
//! - Changing the settings does not recompute anyone at once: the next payment, refund,
//!   daily run or `POST /api/crm/recompute` does.

use crate::customer::{Customer, CustomerId};
use crate::event::NewEvent;
use crate::i18n::Texts;
use crate::money::Currency;
use crate::outbox::{Action, NewOutbound};
use crate::promotion::{Benefit, PerCurrency, Promotion, PromotionId, Scope, Trigger};
use crate::store::{Store, Tx};
use crate::{Error, FieldError, Result};
use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::collections::{BTreeMap, HashMap};

/// The event a tier change is recorded as.
pub const TIER_CHANGED: &str = "tier_changed";
/// Days of paid spend a tier counts (rolling 12 months).
pub const WINDOW_DAYS: i64 = 365;
/// Most tiers a shop may define.
const MAX_TIERS: usize = 10;
/// The largest tier discount, in percent.
const MAX_DISCOUNT_PERCENT: u32 = 50;
/// The most early access a tier can give to flash sales: a day.
const MAX_EARLY_ACCESS_MINUTES: u32 = 1440;
/// The keys of the default tiers, which have localized names (`tier-name-<key>`).
pub const DEFAULT_KEYS: [&str; 4] = ["member", "silver", "gold", "black"];

/// One rung of the ladder.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tier {
    /// `a-z0-9_-`, 1-32 characters; what chats and segments name it by.
    pub key: String,
    /// The name per language (`en`, `zh-CN`...). The default tiers need none: their names
    /// are bot texts. Others fall back to `en`, then to the key.
    #[serde(default)]
    pub names: BTreeMap<String, String>,
    /// Paid spend in the window, per currency in minor units, that reaches this tier. Empty
    /// for the first (base) tier; every other tier needs at least one currency.
    #[serde(default)]
    pub min_spend: PerCurrency,
    /// Points earned in the window that reach this tier too (earning counts; spending or
    /// expiry does not lower it). `None`: spend alone decides.
    #[serde(default)]
    pub min_points: Option<i64>,
    /// Percent off the goods (0-50).
    #[serde(default)]
    pub discount_percent: u32,
    #[serde(default)]
    pub free_shipping: bool,
    /// Minutes before a flash sale's start this tier's customers may buy (0-1440).
    #[serde(default)]
    pub early_access_minutes: u32,
    /// The promotions that carry the benefits; kept by [`save_settings`], whatever a
    /// request says.
    #[serde(default)]
    pub promotions: TierPromotions,
}

/// The promotions behind a tier's benefits.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TierPromotions {
    #[serde(default)]
    pub discount: Option<PromotionId>,
    #[serde(default)]
    pub free_shipping: Option<PromotionId>,
}

/// The shop's tiers, lowest first; one set per instance, stored in the database.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TierSettings {
    pub tiers: Vec<Tier>,
}

impl Default for TierSettings {
    fn default() -> Self {
        let usd = |amount: i64| -> PerCurrency {
            let mut spend = PerCurrency::new();
            if let Ok(currency) = "USD".parse::<Currency>() {
                spend.insert(currency, amount);
            }
            spend
        };
        let tier = |key: &str, min_spend: PerCurrency, discount_percent: u32, free_shipping| Tier {
            key: key.to_owned(),
            names: BTreeMap::new(),
            min_spend,
            min_points: None,
            discount_percent,
            free_shipping,
            early_access_minutes: 0,
            promotions: TierPromotions::default(),
        };
        TierSettings {
            tiers: vec![
                tier("member", PerCurrency::new(), 0, false),
                tier("silver", usd(20_000), 5, false),
                tier("gold", usd(100_000), 10, true),
                tier("black", usd(500_000), 15, true),
            ],
        }
    }
}

impl TierSettings {
    /// Every rule the ladder must meet, all problems at once (fields named `tiers[i].x`).
    pub fn validate(&self) -> std::result::Result<(), Vec<FieldError>> {
        let mut errors = Vec::new();
        if self.tiers.is_empty() || self.tiers.len() > MAX_TIERS {
            errors.push(FieldError::new("tiers", "must list 1-10 tiers"));
        }
        for (i, tier) in self.tiers.iter().enumerate() {
            let field = |name: &str| format!("tiers[{i}].{name}");
            let key_ok = !tier.key.is_empty()
                && tier.key.len() <= 32
                && tier
                    .key
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-');
            if !key_ok {
                errors.push(FieldError::new(field("key"), "must be 1-32 of a-z0-9_-"));
            } else if self.tiers[..i].iter().any(|t| t.key == tier.key) {
                errors.push(FieldError::new(field("key"), "is used by another tier"));
            }
            if tier.names.iter().any(|(language, name)| {
                language.is_empty()
                    || language.len() > 10
                    || name.trim().is_empty()
                    || name.chars().count() > 64
            }) {
                errors.push(FieldError::new(
                    field("names"),
                    "each name must be 1-64 characters under a language tag",
                ));
            }
            if i == 0 && !tier.min_spend.is_empty() {
                errors.push(FieldError::new(
                    field("min_spend"),
                    "the first tier is everyone's: it has no threshold",
                ));
            }
            if i == 0 && tier.min_points.is_some() {
                errors.push(FieldError::new(
                    field("min_points"),
                    "the first tier is everyone's: it has no threshold",
                ));
            }
            if i > 0 && tier.min_spend.is_empty() && tier.min_points.is_none() {
                errors.push(FieldError::new(
                    field("min_spend"),
                    "needs a threshold in at least one currency, or min_points",
                ));
            }
            if let Some(points) = tier.min_points {
                let lower = i.checked_sub(1).and_then(|l| self.tiers[l].min_points);
                if points <= 0 {
                    errors.push(FieldError::new(field("min_points"), "must be above 0"));
                } else if lower.is_some_and(|l| points <= l) {
                    errors.push(FieldError::new(
                        field("min_points"),
                        "must be above the tier below",
                    ));
                }
            }
            if tier.min_spend.values().any(|&amount| amount <= 0) {
                errors.push(FieldError::new(field("min_spend"), "must be above 0"));
            } else if i > 0 {
                // A higher tier must be harder to reach in every currency both name.
                let lower = &self.tiers[i - 1].min_spend;
                let climbs = tier
                    .min_spend
                    .iter()
                    .all(|(currency, amount)| lower.get(currency).is_none_or(|l| amount > l));
                if !climbs {
                    errors.push(FieldError::new(
                        field("min_spend"),
                        "must be above the tier below in each currency",
                    ));
                }
            }
            if tier.discount_percent > MAX_DISCOUNT_PERCENT {
                errors.push(FieldError::new(field("discount_percent"), "must be 0-50"));
            }
            if tier.early_access_minutes > MAX_EARLY_ACCESS_MINUTES {
                errors.push(FieldError::new(
                    field("early_access_minutes"),
                    "must be 0-1440 (a day at most)",
                ));
            }
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }

    /// The tier with `key`.
    pub fn tier(&self, key: &str) -> Option<&Tier> {
        self.tiers.iter().find(|t| t.key == key)
    }

    /// Where `key` is on the ladder (0 is the base); unknown keys count as the base.
    pub fn rank(&self, key: &str) -> usize {
        self.tiers.iter().position(|t| t.key == key).unwrap_or(0)
    }

    /// The base tier's key.
    pub fn base(&self) -> &str {
        self.tiers.first().map_or("member", |t| t.key.as_str())
    }
}

/// The tier a customer with `spend` (paid in the window, per currency) and `points`
/// (earned in the window) has: the highest whose spend threshold they reach in any
/// currency, or whose points threshold they reach.
pub fn tier_for<'a>(settings: &'a TierSettings, spend: &[CurrencyTotal], points: i64) -> &'a str {
    let reached = |tier: &Tier| {
        tier.min_points.is_some_and(|min| points >= min)
            || tier.min_spend.iter().any(|(currency, min)| {
                spend
                    .iter()
                    .any(|s| s.currency == currency.code() && s.total >= *min)
            })
    };
    settings
        .tiers
        .iter()
        .skip(1)
        .rev()
        .find(|t| reached(t))
        .map_or(settings.base(), |t| t.key.as_str())
}

/// The name of `tier` in `language`.
pub fn tier_name(texts: &Texts, tier: &Tier, language: &str) -> String {
    if let Some(name) = tier.names.get(language).or_else(|| tier.names.get("en")) {
        return name.clone();
    }
    if DEFAULT_KEYS.contains(&tier.key.as_str()) {
        return texts.get(language, &format!("tier-name-{}", tier.key), &[]);
    }
    tier.key.clone()
}

/// The customer segment a tier's customers are in, for promotion scopes.
pub fn segment_of(key: &str) -> String {
    format!("tier:{key}")
}

/// Paid orders in one currency: their total, in minor units.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CurrencyTotal {
    pub currency: String,
    pub total: i64,
}

/// A customer's stored tier.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerTier {
    pub customer: CustomerId,
    pub tier: String,
    /// When they got this tier.
    pub since: DateTime<Utc>,
    /// The spend it was computed from.
    pub spend: Vec<CurrencyTotal>,
    pub updated_at: DateTime<Utc>,
}

/// Tiers outside any transaction.
#[async_trait]
pub trait TierStore: Send + Sync {
    /// The stored settings, or the defaults.
    async fn tier_settings(&self) -> Result<TierSettings>;

    async fn set_tier_settings(&self, settings: &TierSettings, at: DateTime<Utc>) -> Result<()>;

    /// The customer's stored tier; `None` if never computed.
    async fn customer_tier(&self, customer: CustomerId) -> Result<Option<CustomerTier>>;

    /// Every stored tier, by customer id.
    async fn customer_tiers(&self) -> Result<Vec<CustomerTier>>;

    /// Paid spend since `since` per customer and currency, for every customer with some.
    async fn tier_spends_since(
        &self,
        since: DateTime<Utc>,
    ) -> Result<Vec<(CustomerId, CurrencyTotal)>>;

    /// Points earned since `since` (as [`TierTx::tier_points`] counts them) per customer,
    /// for every customer with more than 0.
    async fn tier_points_since(&self, since: DateTime<Utc>) -> Result<Vec<(CustomerId, i64)>>;
}

/// Tier writes inside a [`crate::store::Tx`].
#[async_trait]
pub trait TierTx: Send {
    /// The stored settings, or the defaults.
    async fn current_tier_settings(&mut self) -> Result<TierSettings>;

    async fn customer_tier_in_tx(&mut self, customer: CustomerId) -> Result<Option<CustomerTier>>;

    /// The customer's paid spend since `since`, per currency (by currency code).
    async fn tier_spend(
        &mut self,
        customer: CustomerId,
        since: DateTime<Utc>,
    ) -> Result<Vec<CurrencyTotal>>;

    /// The points the customer earned since `since`: every ledger entry but redemptions
    /// and expiries (a refund's reversal counts against them), at least 0.
    async fn tier_points(&mut self, customer: CustomerId, since: DateTime<Utc>) -> Result<i64>;

    /// Inserts or replaces the customer's tier.
    async fn save_customer_tier(&mut self, tier: &CustomerTier) -> Result<()>;
}

/// What a recompute found for one customer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TierChange {
    pub customer: CustomerId,
    pub from: String,
    pub to: String,
}

/// Recomputes one customer's tier in `tx` (after a payment or refund of theirs) and, if it
/// changed, records and announces the change. Returns the change.
pub async fn refresh_customer(
    tx: &mut dyn Tx,
    texts: &Texts,
    customer: CustomerId,
    now: DateTime<Utc>,
) -> Result<Option<TierChange>> {
    let settings = tx.current_tier_settings().await?;
    let since = now - Duration::days(WINDOW_DAYS);
    let spend = tx.tier_spend(customer, since).await?;
    let points = tx.tier_points(customer, since).await?;
    let stored = tx.customer_tier_in_tx(customer).await?;
    apply(
        tx,
        texts,
        &settings,
        customer,
        stored.as_ref(),
        (spend, points),
        now,
    )
    .await
}

/// What the daily recompute did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Recomputed {
    pub customers: usize,
    pub changes: usize,
}

/// Recomputes every customer who has spend or points in the window or a stored tier: reads
/// outside the transaction, writes changes (with their events and messages) through `tx`.
pub async fn recompute_all(
    store: &dyn Store,
    tx: &mut dyn Tx,
    texts: &Texts,
    now: DateTime<Utc>,
) -> Result<Recomputed> {
    let settings = store.tier_settings().await?;
    let since = now - Duration::days(WINDOW_DAYS);
    let mut spends: BTreeMap<CustomerId, Vec<CurrencyTotal>> = BTreeMap::new();
    for (customer, total) in store.tier_spends_since(since).await? {
        spends.entry(customer).or_default().push(total);
    }
    // Points matter only to a ladder with a points threshold.
    let points: HashMap<CustomerId, i64> = if settings.tiers.iter().any(|t| t.min_points.is_some())
    {
        store.tier_points_since(since).await?.into_iter().collect()
    } else {
        HashMap::new()
    };
    for customer in points.keys() {
        spends.entry(*customer).or_default();
    }
    let stored: HashMap<CustomerId, CustomerTier> = store
        .customer_tiers()
        .await?
        .into_iter()
        .map(|t| (t.customer, t))
        .collect();
    for customer in stored.keys() {
        spends.entry(*customer).or_default();
    }
    let mut report = Recomputed::default();
    for (customer, spend) in spends {
        report.customers += 1;
        let previous = stored.get(&customer);
        let earned = points.get(&customer).copied().unwrap_or(0);
        let unchanged = previous.is_some_and(|p| p.spend == spend)
            && previous.is_some_and(|p| p.tier == tier_for(&settings, &spend, earned));
        if unchanged {
            continue;
        }
        let changed = apply(
            tx,
            texts,
            &settings,
            customer,
            previous,
            (spend, earned),
            now,
        )
        .await?;
        report.changes += usize::from(changed.is_some());
    }
    Ok(report)
}

/// Saves the customer's tier for their spend and points earned in the window, with the
/// event and message of a change.
async fn apply(
    tx: &mut dyn Tx,
    texts: &Texts,
    settings: &TierSettings,
    customer: CustomerId,
    stored: Option<&CustomerTier>,
    (spend, points): (Vec<CurrencyTotal>, i64),
    now: DateTime<Utc>,
) -> Result<Option<TierChange>> {
    let tier = tier_for(settings, &spend, points).to_owned();
    let from = stored
        .map_or(settings.base(), |s| s.tier.as_str())
        .to_owned();
    let changed = from != tier;
    if stored.is_none() && !changed {
        // Nothing to remember: the base tier with no row is the same thing.
        return Ok(None);
    }
    let since = match stored {
        Some(s) if !changed => s.since,
        _ => now,
    };
    tx.save_customer_tier(&CustomerTier {
        customer,
        tier: tier.clone(),
        since,
        spend,
        updated_at: now,
    })
    .await?;
    if !changed {
        return Ok(None);
    }
    tx.append_event(
        &NewEvent::new(TIER_CHANGED, now)
            .customer(customer)
            .data(json!({ "from": from, "to": tier })),
    )
    .await?;
    if let Some(person) = tx.customer(customer).await? {
        let up = settings.rank(&tier) > settings.rank(&from);
        // An upgrade is congratulated by the tier-up automation (`crate::automation`), which
        // heeds consent, quiet hours and the frequency cap; the downgrade note stays here.
        if !up {
            notify(tx, texts, settings, &person, &tier, now).await?;
        }
    }
    Ok(Some(TierChange {
        customer,
        from,
        to: tier,
    }))
}

/// Tells the customer of their lower tier, in their language, on the bot they first used.
async fn notify(
    tx: &mut dyn Tx,
    texts: &Texts,
    settings: &TierSettings,
    person: &Customer,
    key: &str,
    at: DateTime<Utc>,
) -> Result<()> {
    let Some(tier) = settings.tier(key) else {
        return Ok(());
    };
    // No conversation here (a job): English is the last resort.
    let language = crate::referral::language_of(texts, person, "en");
    let name = tier_name(texts, tier, &language);
    let text = texts.get(&language, "tier-down", &[("tier", &name)]);
    tx.enqueue(&NewOutbound {
        customer_id: Some(person.id),
        ..NewOutbound::now(
            &person.first_bot,
            // A private chat's id is the user's id.
            person.telegram_user_id,
            Action::SendText {
                text,
                buttons: Vec::new(),
            },
            at,
        )
    })
    .await
    .map(|_| ())
}

/// A tier's benefits, one line each, in `language`.
pub fn benefit_lines(texts: &Texts, tier: &Tier, language: &str) -> Vec<String> {
    let mut lines = Vec::new();
    if tier.discount_percent > 0 {
        let percent = tier.discount_percent.to_string();
        lines.push(texts.get(language, "tier-benefit-discount", &[("percent", &percent)]));
    }
    if tier.free_shipping {
        lines.push(texts.get(language, "tier-benefit-free-shipping", &[]));
    }
    if tier.early_access_minutes > 0 {
        let minutes = tier.early_access_minutes.to_string();
        lines.push(texts.get(
            language,
            "tier-benefit-early-access",
            &[("minutes", &minutes)],
        ));
    }
    lines
}

/// How long before a flash sale's start the customer may buy: their stored tier's early
/// access (nothing for a customer without one, or whose tier is no longer on the ladder).
pub async fn early_access(tx: &mut dyn Tx, customer: CustomerId) -> Result<Duration> {
    let Some(stored) = tx.customer_tier_in_tx(customer).await? else {
        return Ok(Duration::zero());
    };
    let settings = tx.current_tier_settings().await?;
    Ok(settings
        .tier(&stored.tier)
        .map_or(Duration::zero(), |tier| {
            Duration::minutes(i64::from(tier.early_access_minutes))
        }))
}

/// The customer segments a customer is in for promotion scopes: their tier's.
pub async fn customer_segments(store: &dyn Store, customer: CustomerId) -> Result<Vec<String>> {
    let settings = store.tier_settings().await?;
    let key = store
        .customer_tier(customer)
        .await?
        .map_or_else(|| settings.base().to_owned(), |t| t.tier);
    Ok(vec![segment_of(&key)])
}

/// Whether `customer` is below the tier `needed` (an unknown tier key gates nobody out).
/// Returns the needed tier when they are.
pub async fn below(tx: &mut dyn Tx, customer: CustomerId, needed: &str) -> Result<Option<Tier>> {
    let settings = tx.current_tier_settings().await?;
    let Some(tier) = settings.tier(needed) else {
        return Ok(None);
    };
    let mine = tx
        .customer_tier_in_tx(customer)
        .await?
        .map_or_else(|| settings.base().to_owned(), |t| t.tier);
    Ok((settings.rank(&mine) < settings.rank(needed)).then(|| tier.clone()))
}

/// Who removals of members below a chat's tier are logged as.
pub const REMOVAL_ACTOR: &str = "tiers";
/// Most members of one chat looked at per run.
const MEMBERS_PER_CHAT: i64 = 10_000;

/// Queues the removal of present members of the chats of `bots` that remove members below
/// their tier ([`crate::community::ChatSettings::remove_below_tier_after_days`]): a customer
/// whose stored tier is below the chat's `min_tier` and has not changed for longer than the
/// grace gets a [`crate::membership::PURGE_MEMBER_JOB`], whose handler asks Telegram whether
/// they are staff (never removed), kicks them and logs a moderation `kick`. The grace counts
/// from the customer's last tier change, so a further drop restarts it; members who never
/// had a tier above the base (no stored tier) are left alone: they did not drop. Run daily
/// with the tier recompute; returns how many removals were queued.
pub async fn queue_removals(
    store: &dyn Store,
    tx: &mut dyn Tx,
    bots: &[String],
    now: DateTime<Utc>,
) -> Result<usize> {
    use crate::membership::{PurgeMember, PurgeQuery, PurgeReason, PURGE_MEMBER_JOB};
    let settings = store.tier_settings().await?;
    let mut tiers: Option<HashMap<CustomerId, CustomerTier>> = None;
    let mut queued = 0;
    for bot in bots {
        for chat in store.chats(bot).await? {
            let (Some(needed), Some(days)) = (
                chat.settings.min_tier.as_deref(),
                chat.settings.remove_below_tier_after_days,
            ) else {
                continue;
            };
            if settings.tier(needed).is_none() {
                continue;
            }
            let tiers = match &mut tiers {
                Some(tiers) => tiers,
                None => tiers.insert(
                    store
                        .customer_tiers()
                        .await?
                        .into_iter()
                        .map(|t| (t.customer, t))
                        .collect(),
                ),
            };
            // Every present member: all were last active before a moment still to come.
            let query = PurgeQuery {
                inactive_before: Some(now + Duration::days(1)),
                flagged: false,
                include_customers: true,
                only: None,
                limit: MEMBERS_PER_CHAT,
            };
            let grace_ends = now - Duration::days(i64::from(days));
            for member in store
                .purge_candidates(bot, chat.seen.chat_id, &query)
                .await?
            {
                let Some(tier) = member.customer_id.and_then(|c| tiers.get(&c)) else {
                    continue;
                };
                if settings.rank(&tier.tier) >= settings.rank(needed) || tier.since > grace_ends {
                    continue;
                }
                let job = PurgeMember {
                    bot: bot.clone(),
                    chat_id: chat.seen.chat_id,
                    user_id: member.user_id,
                    actor: REMOVAL_ACTOR.to_owned(),
                    reason: PurgeReason::BelowTier { days },
                    confirmed_at: now,
                };
                let payload =
                    serde_json::to_value(&job).map_err(|e| Error::Invalid(e.to_string()))?;
                // The same key as a staff purge: one removal per member at a time.
                let scheduled = tx
                    .schedule_job(
                        &crate::job::NewJob::new(PURGE_MEMBER_JOB, payload, now).dedup_key(
                            format!(
                                "purge-member:{bot}:{}:{}",
                                chat.seen.chat_id, member.user_id
                            ),
                        ),
                    )
                    .await?;
                queued += usize::from(scheduled.is_some());
            }
        }
    }
    Ok(queued)
}

/// Saves new tier settings after checking them, and brings the promotions behind the
/// benefits in step: a benefit gets an active promotion (created once, updated after), a
/// benefit taken away pauses its promotion (kept for the orders that used it). Promotions
/// are written before the settings; a failure between leaves an unused promotion at worst.
pub async fn save_settings(
    store: &dyn Store,
    mut settings: TierSettings,
    at: DateTime<Utc>,
) -> Result<TierSettings> {
    settings.validate().map_err(Error::Fields)?;
    let stored = store.tier_settings().await?;
    for tier in &mut settings.tiers {
        let previous = stored
            .tier(&tier.key)
            .map(|t| t.promotions.clone())
            .unwrap_or_default();
        let percent = Benefit::Percent {
            basis_points: tier.discount_percent * 100,
        };
        let free = Benefit::FreeShipping { max: None };
        tier.promotions = TierPromotions {
            discount: sync_promotion(
                store,
                &tier.key,
                previous.discount,
                percent,
                tier.discount_percent > 0,
                at,
            )
            .await?,
            free_shipping: sync_promotion(
                store,
                &tier.key,
                previous.free_shipping,
                free,
                tier.free_shipping,
                at,
            )
            .await?,
        };
    }
    // Tiers removed from the ladder: their promotions stop.
    for old in &stored.tiers {
        if settings.tier(&old.key).is_none() {
            for id in [old.promotions.discount, old.promotions.free_shipping]
                .into_iter()
                .flatten()
            {
                pause_promotion(store, id, at).await?;
            }
        }
    }
    store.set_tier_settings(&settings, at).await?;
    Ok(settings)
}

/// The promotion of one benefit of tier `key`: created or updated when `on`, paused when not.
async fn sync_promotion(
    store: &dyn Store,
    key: &str,
    existing: Option<PromotionId>,
    benefit: Benefit,
    on: bool,
    at: DateTime<Utc>,
) -> Result<Option<PromotionId>> {
    use crate::coupon::{Limits, PromotionDraft, PromotionStatus};
    if !on {
        if let Some(id) = existing {
            pause_promotion(store, id, at).await?;
        }
        return Ok(existing);
    }
    let what = match benefit {
        Benefit::FreeShipping { .. } => "free shipping",
        _ => "discount",
    };
    let draft = PromotionDraft {
        promotion: Promotion {
            id: PromotionId::default(),
            name: format!("Tier {key}: {what}"),
            trigger: Trigger::Automatic,
            benefit,
            min_spend: PerCurrency::new(),
            scope: Scope {
                segments: vec![segment_of(key)],
                ..Scope::default()
            },
            starts_at: None,
            ends_at: None,
            // Tier benefits stack with the shop's other combinable promotions.
            combinable: true,
        },
        limits: Limits {
            give_back_on_cancel: true,
            ..Limits::default()
        },
        status: PromotionStatus::Active,
        listed: false,
        source: Some(segment_of(key)),
    };
    let saved = match existing {
        Some(id) if store.promotion(id).await?.is_some() => {
            store.update_promotion(id, &draft, at).await?
        }
        _ => store.create_promotion(&draft, at).await?,
    };
    Ok(Some(saved.promotion.id))
}

/// Pauses promotion `id` if it is active (a benefit taken away; kept for the orders that
/// used it).
pub(crate) async fn pause_promotion(
    store: &dyn Store,
    id: PromotionId,
    at: DateTime<Utc>,
) -> Result<()> {
    use crate::coupon::{PromotionDraft, PromotionStatus};
    let Some(found) = store.promotion(id).await? else {
        return Ok(());
    };
    if found.status != PromotionStatus::Active {
        return Ok(());
    }
    let draft = PromotionDraft {
        promotion: found.promotion,
        limits: found.limits,
        status: PromotionStatus::Paused,
        listed: found.listed,
        source: found.source,
    };
    store.update_promotion(id, &draft, at).await.map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spend(currency: &str, total: i64) -> Vec<CurrencyTotal> {
        vec![CurrencyTotal {
            currency: currency.into(),
            total,
        }]
    }

    #[test]
    fn the_highest_tier_reached_in_any_currency_wins() {
        let settings = TierSettings::default();
        assert!(settings.validate().is_ok());
        assert_eq!(tier_for(&settings, &[], 0), "member");
        assert_eq!(tier_for(&settings, &spend("USD", 19_999), 0), "member");
        assert_eq!(tier_for(&settings, &spend("USD", 20_000), 0), "silver");
        assert_eq!(tier_for(&settings, &spend("USD", 100_000), 0), "gold");
        assert_eq!(tier_for(&settings, &spend("USD", 900_000), 0), "black");
        // A currency the ladder does not name reaches nothing.
        assert_eq!(tier_for(&settings, &spend("EUR", 900_000), 0), "member");
        // Points reach nothing on a ladder without points thresholds.
        assert_eq!(tier_for(&settings, &[], 1_000_000), "member");
    }

    #[test]
    fn points_reach_a_tier_as_spend_does() {
        let mut settings = TierSettings::default();
        settings.tiers[1].min_points = Some(500);
        settings.tiers[2].min_points = Some(2_000);
        assert!(settings.validate().is_ok());
        assert_eq!(tier_for(&settings, &[], 499), "member");
        assert_eq!(tier_for(&settings, &[], 500), "silver");
        assert_eq!(tier_for(&settings, &spend("USD", 20_000), 2_000), "gold");
        // Spend still counts: the higher of the two wins.
        assert_eq!(tier_for(&settings, &spend("USD", 900_000), 600), "black");
        // A tier may have points alone.
        settings.tiers[2].min_spend = PerCurrency::new();
        assert!(settings.validate().is_ok());
        assert_eq!(tier_for(&settings, &spend("USD", 100_000), 0), "silver");
    }

    #[test]
    fn bad_ladders_are_refused_with_every_problem() {
        let mut settings = TierSettings::default();
        settings.tiers[1].key = "Silver!".into();
        settings.tiers[2].discount_percent = 51;
        settings.tiers[3].min_spend = settings.tiers[2].min_spend.clone();
        settings.tiers[0].min_spend = PerCurrency::from([("USD".parse().unwrap(), 1)]);
        settings.tiers[1].min_points = Some(100);
        settings.tiers[2].min_points = Some(100);
        settings.tiers[3].min_points = Some(0);
        let errors = settings.validate().unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "tiers[0].min_spend",
                "tiers[1].key",
                "tiers[2].min_points",
                "tiers[2].discount_percent",
                "tiers[3].min_points",
                "tiers[3].min_spend"
            ]
        );
    }
}
