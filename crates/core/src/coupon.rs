//! Coupons as the shop runs them: promotions stored with their limits and what was used of
//! them, single-use codes handed out in bulk or to one customer, the code a customer put on
//! their cart, and the storage ports for all of it.
//!
//! What a promotion takes off a basket is [`crate::promotion::price`], a pure function; this
//! module keeps the state around it. Uses and budget are taken when an order is placed, by
//! the store, inside [`crate::shop::ShopTx::place_order`]: each [`NewDiscount`] of the order
//! is checked against its promotion's limits and counted in the same statement-level lock, so
//! 100 customers racing for the last 10 uses of a code get exactly 10 orders with it. A
//! cancelled or refunded order gives its uses (and any single-use code) back when the
//! promotion says so.

use crate::customer::CustomerId;
use crate::money::Currency;
use crate::promotion::{normalize_code, Promotion, PromotionId, Usage, MAX_CODE_CHARS};
use crate::shop::OrderId;
use crate::{Error, FieldError, Result};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::HashSet;

/// Whether customers can use a promotion now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PromotionStatus {
    Active,
    /// Stopped for now; codes are refused as unknown.
    Paused,
    /// Finished for good; kept for reports.
    Archived,
}

impl PromotionStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            PromotionStatus::Active => "active",
            PromotionStatus::Paused => "paused",
            PromotionStatus::Archived => "archived",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "active" => Some(PromotionStatus::Active),
            "paused" => Some(PromotionStatus::Paused),
            "archived" => Some(PromotionStatus::Archived),
            _ => None,
        }
    }
}

/// An amount in one currency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Money {
    pub currency: Currency,
    /// Minor units.
    pub amount: i64,
}

/// How much of a promotion may be used.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Limits {
    /// Orders that may use it, in all.
    #[serde(default)]
    pub max_uses: Option<i64>,
    /// Orders one customer may use it for.
    #[serde(default)]
    pub max_uses_per_customer: Option<i64>,
    /// Most discount it may give in all. Orders in another currency cannot use a promotion
    /// with a budget.
    #[serde(default)]
    pub budget: Option<Money>,
    /// Whether a cancelled or refunded order gives its use, budget and single-use code back.
    #[serde(default = "yes")]
    pub give_back_on_cancel: bool,
}

fn yes() -> bool {
    true
}

/// A promotion as a seller creates or edits it. The promotion's `id` is ignored on create.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PromotionDraft {
    #[serde(flatten)]
    pub promotion: Promotion,
    #[serde(default)]
    pub limits: Limits,
    pub status: PromotionStatus,
    /// Shown to every customer in `/coupons` (a public code); otherwise only people who got
    /// the code know it.
    #[serde(default)]
    pub listed: bool,
    /// Who or what the promotion is for (`kol-anna`, `poster-bkk`), for ROI reports.
    #[serde(default)]
    pub source: Option<String>,
}

/// A promotion as stored, with what has been used of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredPromotion {
    #[serde(flatten)]
    pub promotion: Promotion,
    pub limits: Limits,
    pub status: PromotionStatus,
    pub listed: bool,
    pub source: Option<String>,
    /// Orders using it now (given-back uses are not counted).
    pub uses: i64,
    /// Discount given so far in the budget's currency (given-back discounts are not counted).
    pub spent: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl StoredPromotion {
    /// What is left of it for a customer who has used it `customer_uses` times, for a basket
    /// in `currency`.
    pub fn usage(&self, customer_uses: i64, currency: Currency) -> Usage {
        let left = |max: Option<i64>, used: i64| max.map(|m| (m - used).max(0) as u64);
        Usage {
            remaining_uses: left(self.limits.max_uses, self.uses),
            remaining_for_customer: left(self.limits.max_uses_per_customer, customer_uses),
            remaining_budget: self.limits.budget.map(|b| {
                if b.currency == currency {
                    (b.amount - self.spent).max(0)
                } else {
                    0
                }
            }),
        }
    }
}

/// A single-use code of a promotion.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UniqueCode {
    /// Normalized ([`crate::promotion::normalize_code`]).
    pub code: String,
    pub promotion_id: PromotionId,
    /// Only this customer may use it (a join or referral reward); anyone with the code if
    /// `None`.
    pub assigned_to: Option<CustomerId>,
    /// The order that used it, if any.
    pub order_id: Option<OrderId>,
    pub created_at: DateTime<Utc>,
}

/// What an entered code belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeLookup {
    pub promotion: StoredPromotion,
    /// Set when the code is one of the promotion's single-use codes rather than its shared
    /// code.
    pub unique: Option<UniqueCode>,
}

/// A discount an order is placed with: the store takes a use (and the budget) of the
/// promotion, or refuses the whole order with `Conflict`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewDiscount {
    pub promotion_id: PromotionId,
    /// The code entered, normalized; `None` for automatic promotions.
    pub code: Option<String>,
    /// Whether `code` is a single-use code, which the store marks used by the order.
    pub unique_code: bool,
    /// Taken off the lines.
    pub amount: i64,
    /// Taken off shipping. For orders whose shipping is chosen later (a rate table), the
    /// most it may take off the option the customer picks.
    pub shipping_amount: i64,
}

/// A discount as kept on an order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderDiscount {
    pub promotion_id: PromotionId,
    pub code: Option<String>,
    pub amount: i64,
    pub shipping_amount: i64,
    /// When a cancel or refund gave it back.
    pub released_at: Option<DateTime<Utc>>,
}

/// Which promotions to list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PromotionQuery {
    pub status: Option<PromotionStatus>,
    /// Promotions with a higher id than this (oldest first, keyset pagination).
    pub after: Option<PromotionId>,
    pub limit: i64,
}

/// Promotions and codes, outside any transaction.
#[async_trait]
pub trait PromotionStore: Send + Sync {
    /// Saves a new promotion. `Conflict` if its code is already a promotion's code or a
    /// single-use code.
    async fn create_promotion(
        &self,
        draft: &PromotionDraft,
        at: DateTime<Utc>,
    ) -> Result<StoredPromotion>;

    /// Replaces what the seller set of promotion `id` (its uses and spent budget stay).
    /// `NotFound`, or `Conflict` as for create.
    async fn update_promotion(
        &self,
        id: PromotionId,
        draft: &PromotionDraft,
        at: DateTime<Utc>,
    ) -> Result<StoredPromotion>;

    async fn promotion(&self, id: PromotionId) -> Result<Option<StoredPromotion>>;

    /// Oldest first.
    async fn promotions(&self, query: &PromotionQuery) -> Result<Vec<StoredPromotion>>;

    /// Active promotions without a code, by id.
    async fn automatic_promotions(&self) -> Result<Vec<StoredPromotion>>;

    /// The promotion a normalized code belongs to, as its shared code or one of its
    /// single-use codes, whatever the promotion's status.
    async fn promotion_by_code(&self, code: &str) -> Result<Option<CodeLookup>>;

    /// Adds single-use codes (normalized) to promotion `id`, all or none: `Conflict` if any
    /// is already a code, `NotFound` for an unknown promotion.
    async fn add_codes(
        &self,
        id: PromotionId,
        codes: &[String],
        assigned_to: Option<CustomerId>,
        at: DateTime<Utc>,
    ) -> Result<()>;

    /// Promotion `id`'s single-use codes in code order, after `after`.
    async fn unique_codes(
        &self,
        id: PromotionId,
        after: Option<&str>,
        limit: i64,
    ) -> Result<Vec<UniqueCode>>;

    /// Unused single-use codes assigned to a customer, oldest first.
    async fn customer_codes(&self, customer: CustomerId) -> Result<Vec<UniqueCode>>;

    /// How many orders (not given back) of a customer used each of `ids`; promotions they
    /// never used are left out.
    async fn customer_uses(
        &self,
        customer: CustomerId,
        ids: &[PromotionId],
    ) -> Result<Vec<(PromotionId, i64)>>;
}

/// Coupon writes inside a [`crate::store::Tx`].
#[async_trait]
pub trait PromotionTx: Send {
    /// The code a customer put on their cart, if any.
    async fn cart_code(&mut self, customer: CustomerId) -> Result<Option<String>>;

    /// Puts a code (normalized) on a customer's cart, or takes it off with `None`.
    async fn set_cart_code(
        &mut self,
        customer: CustomerId,
        code: Option<&str>,
        at: DateTime<Utc>,
    ) -> Result<()>;
}

/// Most single-use codes made in one request.
pub const MAX_CODES_PER_BATCH: usize = 100_000;

/// Letters and digits a made-up code uses: no 0/O, 1/I/L, so a code read aloud or off a
/// poster is typed right.
const CODE_ALPHABET: &[u8] = b"ABCDEFGHJKMNPQRSTUVWXYZ23456789";

/// Characters of randomness in a made-up code: 31^8 ≈ 8.5 × 10^11 codes, so guessing one of
/// 10,000 takes some 85 million tries.
const CODE_RANDOM_CHARS: usize = 8;

impl PromotionDraft {
    /// Every rule a draft must meet, all problems at once.
    pub fn validate(&self) -> std::result::Result<(), Vec<FieldError>> {
        let mut errors = self.promotion.validate().err().unwrap_or_default();
        let limits = &self.limits;
        if limits.max_uses.is_some_and(|m| m < 1) {
            errors.push(FieldError::new("limits.max_uses", "must be at least 1"));
        }
        if limits.max_uses_per_customer.is_some_and(|m| m < 1) {
            errors.push(FieldError::new(
                "limits.max_uses_per_customer",
                "must be at least 1",
            ));
        }
        if limits.budget.is_some_and(|b| b.amount < 1) {
            errors.push(FieldError::new("limits.budget.amount", "must be above 0"));
        }
        if let Some(source) = &self.source {
            if source.trim().is_empty() || source.chars().count() > 64 {
                errors.push(FieldError::new("source", "must be 1-64 characters"));
            }
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }
}

/// Saves a new promotion after checking it.
pub async fn create_promotion(
    store: &dyn PromotionStore,
    draft: &PromotionDraft,
    at: DateTime<Utc>,
) -> Result<StoredPromotion> {
    draft.validate().map_err(Error::Fields)?;
    store.create_promotion(draft, at).await
}

/// Replaces what the seller set of a promotion after checking it.
pub async fn update_promotion(
    store: &dyn PromotionStore,
    id: PromotionId,
    draft: &PromotionDraft,
    at: DateTime<Utc>,
) -> Result<StoredPromotion> {
    draft.validate().map_err(Error::Fields)?;
    store.update_promotion(id, draft, at).await
}

/// `count` distinct codes `PREFIX` + 8 random characters, drawing randomness from `random`
/// (the caller's secure generator: core knows no randomness of its own).
pub fn make_codes(
    prefix: &str,
    count: usize,
    random: &mut dyn FnMut() -> u64,
) -> std::result::Result<Vec<String>, Vec<FieldError>> {
    let prefix = normalize_code(prefix);
    let mut errors = Vec::new();
    let allowed = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_';
    if prefix.chars().count() + CODE_RANDOM_CHARS > MAX_CODE_CHARS || !prefix.chars().all(allowed) {
        errors.push(FieldError::new(
            "prefix",
            "must be at most 24 of A-Z, 0-9, - and _",
        ));
    }
    if !(1..=MAX_CODES_PER_BATCH).contains(&count) {
        errors.push(FieldError::new("count", "must be 1-100000"));
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let mut seen = HashSet::with_capacity(count);
    let mut codes = Vec::with_capacity(count);
    while codes.len() < count {
        let mut bits = random();
        let mut code = prefix.clone();
        for _ in 0..CODE_RANDOM_CHARS {
            // 64 random bits give 12 characters of 5 bits; 31 of 32 values are kept.
            let index = loop {
                if bits < 32 {
                    bits = random();
                }
                let value = (bits & 31) as usize;
                bits >>= 5;
                if value < CODE_ALPHABET.len() {
                    break value;
                }
            };
            code.push(char::from(CODE_ALPHABET[index]));
        }
        if seen.insert(code.clone()) {
            codes.push(code);
        }
    }
    Ok(codes)
}

/// Makes and saves `count` single-use codes for promotion `id` (for one customer if
/// `assigned_to`); returns them. A clash with an existing code (very unlikely) makes a new
/// batch, up to three times.
pub async fn generate_codes(
    store: &dyn PromotionStore,
    id: PromotionId,
    prefix: &str,
    count: usize,
    assigned_to: Option<CustomerId>,
    random: &mut (dyn FnMut() -> u64 + Send),
    at: DateTime<Utc>,
) -> Result<Vec<String>> {
    let mut attempts = 0;
    loop {
        let codes = make_codes(prefix, count, random).map_err(Error::Fields)?;
        match store.add_codes(id, &codes, assigned_to, at).await {
            Ok(()) => return Ok(codes),
            Err(Error::Conflict(_)) if attempts < 2 => attempts += 1,
            Err(other) => return Err(other),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn counter() -> impl FnMut() -> u64 {
        let mut state = 0x9E37_79B9_7F4A_7C15u64;
        move || {
            // xorshift: deterministic, good enough to exercise the alphabet.
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        }
    }

    #[test]
    fn codes_are_distinct_prefixed_and_unambiguous() {
        let codes = make_codes("kol-anna-", 10_000, &mut counter()).unwrap();
        assert_eq!(codes.len(), 10_000);
        assert_eq!(codes.iter().collect::<HashSet<_>>().len(), 10_000);
        for code in &codes {
            let tail = code.strip_prefix("KOL-ANNA-").expect("normalized prefix");
            assert_eq!(tail.len(), CODE_RANDOM_CHARS);
            assert!(tail.bytes().all(|b| CODE_ALPHABET.contains(&b)), "{code}");
        }
    }

    #[test]
    fn bad_batches_are_refused() {
        let errors = make_codes("no spaces", 0, &mut counter()).unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["prefix", "count"]);
        assert!(make_codes(&"P".repeat(25), 1, &mut counter()).is_err());
        assert!(make_codes(&"P".repeat(24), 1, &mut counter()).is_ok());
    }

    #[test]
    fn usage_follows_limits_and_budget_currency() {
        let usd = "USD".parse::<Currency>().unwrap();
        let eur = "EUR".parse::<Currency>().unwrap();
        let stored = StoredPromotion {
            promotion: serde_json::from_value(serde_json::json!({
                "name": "Spring", "trigger": {"code": "SPRING"},
                "benefit": {"type": "percent", "basis_points": 1000}
            }))
            .unwrap(),
            limits: Limits {
                max_uses: Some(10),
                max_uses_per_customer: Some(1),
                budget: Some(Money {
                    currency: usd,
                    amount: 5000,
                }),
                give_back_on_cancel: true,
            },
            status: PromotionStatus::Active,
            listed: false,
            source: None,
            uses: 4,
            spent: 1200,
            created_at: Utc::now(),
            updated_at: Utc::now(),
        };
        let usage = stored.usage(1, usd);
        assert_eq!(usage.remaining_uses, Some(6));
        assert_eq!(usage.remaining_for_customer, Some(0));
        assert_eq!(usage.remaining_budget, Some(3800));
        assert_eq!(stored.usage(0, eur).remaining_budget, Some(0));
    }
}
