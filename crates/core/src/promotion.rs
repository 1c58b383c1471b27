//! Coupon codes and automatic promotions: the pure discount computation.
//!
//! [`price`] takes a [`Basket`], the customer's segments, the time, the code the customer
//! entered (if any) and the candidate promotions with their [`Usage`] so far, and returns a
//! [`Pricing`]: the discount on every line and on shipping, what is left to pay, which
//! promotions gave how much, and for an entered code whether it applied or why not
//! ([`CodeRejection`]). It reads and writes nothing: the caller loads the candidates and their
//! usage, and records a use (and the spent budget) of each promotion in [`Pricing::applied`]
//! when the order is placed. The same input always gives the same output, whatever the order
//! of the candidates (promotion ids are unique).
//!
//! All amounts are minor units of the basket's currency (see [`crate::money`]); negative
//! prices, quantities or shipping costs count as zero.
//!
//! # When a promotion applies
//! A promotion is judged alone, against the basket before any discount. The checks run in
//! this order; for an entered code, the first that fails is the reason the customer is given,
//! so reasons they cannot fix come before the ones they can ("add 12.00 USD more"):
//!
//! 1. **Time**: from `starts_at` (inclusive) until `ends_at` (exclusive); either may be open.
//!    → [`CodeRejection::NotStarted`], [`CodeRejection::Expired`].
//! 2. **Customer**: `scope.segments` is empty, or the customer has one of them.
//!    → [`CodeRejection::NotForCustomer`].
//! 3. **Currency**: an amount given per currency (a fixed discount, a free-shipping cap, a
//!    minimum spend) must be given for the basket's currency; the seller has not said what the
//!    promotion is worth in any other. → [`CodeRejection::CurrencyNotSupported`].
//! 4. **Usage**: uses left in total, uses left for this customer, budget left.
//!    → [`CodeRejection::UsedUp`], [`CodeRejection::CustomerLimitReached`],
//!    [`CodeRejection::BudgetExhausted`].
//! 5. **Something to discount**: at least one eligible line; for free shipping also a
//!    shipping cost. → [`CodeRejection::NothingEligible`].
//! 6. **Minimum spend**: the *eligible* subtotal (the eligible lines' totals, before any
//!    discount) reaches the minimum. "Spend 50 on shoes" counts only shoes, and a discount from
//!    another promotion never pushes a basket below a minimum it had reached.
//!    → [`CodeRejection::MinimumSpend`] with the amount missing.
//! 7. **Quantity**: buy-x-get-y needs at least `buy + get` eligible units.
//!    → [`CodeRejection::MinimumQuantity`] with the units missing.
//! 8. **It gives something**: a discount that rounds to nothing (1 % of 0.50 USD) does not
//!    apply. → [`CodeRejection::NothingEligible`].
//!
//! A line is *eligible* when it costs something and the scope names neither products nor
//! categories, or names its product, or one of its categories. Category and segment names
//! compare case-insensitively, ignoring surrounding spaces. Codes compare case-insensitively:
//! they are normalized with [`normalize_code`] (trimmed, upper-case); a blank entered code
//! counts as no code.
//!
//! # What each benefit gives
//! - [`Benefit::Percent`]: `basis_points / 10000` of the eligible lines' total, taken over
//!   those lines together (not line by line), then allocated to them.
//! - [`Benefit::Fixed`]: the amount for the basket's currency off the eligible lines
//!   together, at most their total (it never reaches shipping), allocated to them.
//! - [`Benefit::FreeShipping`]: the shipping cost, at most `max` for the currency if a cap is
//!   set.
//! - [`Benefit::BuyXGetY`]: eligible units are counted across lines; for every full group of
//!   `buy + get` units, `get` units get `percent_off_bp` off, and those are always the
//!   *cheapest* eligible units (on equal prices, the earlier line's). Buy 2 get 1 free with 7
//!   units makes the 2 cheapest free. The discount is rounded down per line.
//!
//! # Rounding
//! Amounts are integers of the currency's minor unit, so a fixed amount needs no rounding. A
//! percentage of an amount is rounded *down* to the minor unit (1 cent in USD, 1 yen in JPY,
//! 1 Star in XTR, 1 fils in KWD): the shop never gives more than the percentage it states.
//! 15 % of 9.99 USD is 1.49 USD, 15 % of 999 JPY is 149 JPY, 10 % of 15 XTR is 1 XTR.
//!
//! # Allocation to lines
//! A discount taken off several lines together (a percentage, a fixed amount, a discount cut
//! down to a budget) is split over them in proportion to what is left of each line, by the
//! largest-remainder method: each line gets its rounded-down share, and the units left over go
//! one each to the lines with the largest remainders (the earlier line on a tie). So the line
//! discounts add up exactly to the discount, and no line's discount exceeds what was left of
//! it. Refunding one line later refunds its total less its discount.
//!
//! # Stacking
//! At most one code is entered. The sets of promotions considered are:
//! - with an accepted code: the code alone; and, if the code is combinable, the code together
//!   with every applicable combinable automatic promotion. A valid code always applies, even
//!   when a non-combinable automatic promotion would have given more: the customer expects
//!   their code to work, and can remove it;
//! - without one: every applicable combinable automatic promotion together, and each
//!   applicable non-combinable automatic promotion alone (by id).
//!
//! The set with the largest total discount wins; on a tie, the earlier in that list. Within a
//! set, promotions apply one after another, each on what the earlier ones left, so nothing
//! goes below zero: buy-x-get-y, then percentages, then fixed amounts (all on the lines), then
//! free shipping; promotions of the same kind by id. Two percentages therefore compound
//! (10 % then 20 % is 28 % off), and a percentage is taken before a fixed amount, the order
//! that gives the customer more.
//!
//! An accepted code is listed in [`Pricing::applied`] even in the rare case where stacking
//! left it nothing to give (amount 0), so the caller can tell the customer it was accepted;
//! automatic promotions that gave nothing are not listed.
//!
//! # Usage and budget
//! The caller passes what is left of each promotion ([`Usage`]); a promotion with no use left
//! in total or for this customer, or no budget left, does not apply. A promotion's discount is
//! cut down to its remaining budget (allocated over its lines and shipping as above), so one
//! pricing never exceeds a budget. Two orders priced at once can still both spend the last of
//! a budget or the last use: the store must take uses and budget atomically when it places the
//! order, and price again if that fails.

use crate::catalog::{ProductId, VariantId};
use crate::error::FieldError;
use crate::money::Currency;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::cmp::Reverse;
use std::collections::BTreeMap;

#[cfg(test)]
mod tests;

/// Amounts in minor units, one per currency.
pub type PerCurrency = BTreeMap<Currency, i64>;

/// 100 % in basis points.
pub const FULL_BASIS_POINTS: u32 = 10_000;

/// Longest code a seller may set, in characters.
pub const MAX_CODE_CHARS: usize = 32;

/// The store's id of a promotion.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct PromotionId(pub i64);

/// How a promotion is set off.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Trigger {
    /// The customer enters this code; matched case-insensitively (see [`normalize_code`]).
    Code(String),
    /// Applies by itself to every basket that qualifies.
    Automatic,
}

impl Trigger {
    /// A code trigger with the code normalized.
    pub fn code(code: &str) -> Trigger {
        Trigger::Code(normalize_code(code))
    }

    /// Whether an entered code, already normalized, sets this off.
    fn matches(&self, normalized: &str) -> bool {
        matches!(self, Trigger::Code(code) if normalize_code(code) == normalized)
    }
}

/// A code as it is stored and compared: without surrounding spaces, in upper case.
pub fn normalize_code(code: &str) -> String {
    code.trim().to_uppercase()
}

/// What a promotion gives.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Benefit {
    /// A percentage off the eligible lines; 10000 basis points are 100 %.
    Percent { basis_points: u32 },
    /// An amount off the eligible lines together, per currency. A basket in a currency that
    /// has no amount gets nothing ([`CodeRejection::CurrencyNotSupported`]).
    Fixed { amounts: PerCurrency },
    /// Shipping for free; with `max`, at most that much of it per currency (and nothing in a
    /// currency without a cap).
    FreeShipping { max: Option<PerCurrency> },
    /// For every `buy + get` eligible units, the `get` cheapest get `percent_off_bp` off
    /// (10000 = free).
    BuyXGetY {
        buy: u32,
        get: u32,
        percent_off_bp: u32,
    },
}

impl Benefit {
    /// Where a promotion of this kind comes in a stack: item-level first, shipping last.
    fn stack_rank(&self) -> u8 {
        match self {
            Benefit::BuyXGetY { .. } => 0,
            Benefit::Percent { .. } => 1,
            Benefit::Fixed { .. } => 2,
            Benefit::FreeShipping { .. } => 3,
        }
    }
}

/// What and whom a promotion is for. Empty lists mean everything and everyone.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Scope {
    /// Products whose lines are eligible.
    #[serde(default)]
    pub products: Vec<ProductId>,
    /// Categories whose lines are eligible (in addition to `products`).
    #[serde(default)]
    pub categories: Vec<String>,
    /// Customer segments or tiers (tags) of which the customer must have one.
    #[serde(default)]
    pub segments: Vec<String>,
}

impl Scope {
    /// Whether a line is in scope (whatever its price).
    pub fn covers(&self, line: &BasketLine) -> bool {
        (self.products.is_empty() && self.categories.is_empty())
            || self.products.contains(&line.product_id)
            || self
                .categories
                .iter()
                .any(|c| line.categories.iter().any(|l| same_name(c, l)))
    }

    /// Whether a customer with these segments may use the promotion.
    pub fn admits(&self, customer_segments: &[String]) -> bool {
        self.segments.is_empty()
            || self
                .segments
                .iter()
                .any(|s| customer_segments.iter().any(|c| same_name(s, c)))
    }
}

fn same_name(a: &str, b: &str) -> bool {
    a.trim().to_lowercase() == b.trim().to_lowercase()
}

/// A promotion as the seller set it up.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Promotion {
    /// Given by the store; ignored when a seller creates or edits one.
    #[serde(default)]
    pub id: PromotionId,
    /// Shown to the customer next to the discount ("Summer sale").
    pub name: String,
    pub trigger: Trigger,
    pub benefit: Benefit,
    /// Least eligible subtotal per currency, before discounts. Empty: no minimum, in any
    /// currency; otherwise the basket's currency must be listed (0 for no minimum in it).
    #[serde(default)]
    pub min_spend: PerCurrency,
    #[serde(default)]
    pub scope: Scope,
    /// First moment it applies.
    #[serde(default)]
    pub starts_at: Option<DateTime<Utc>>,
    /// First moment it no longer applies.
    #[serde(default)]
    pub ends_at: Option<DateTime<Utc>>,
    /// Whether it combines with other combinable promotions (see the module docs).
    #[serde(default)]
    pub combinable: bool,
}

impl Promotion {
    /// Every rule a promotion must meet, all problems at once. [`price`] copes with any
    /// promotion (it clamps percentages to 100 % and ignores amounts ≤ 0), but sellers
    /// should be told.
    pub fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut errors = Vec::new();
        if self.name.trim().is_empty() || self.name.chars().count() > 255 {
            errors.push(FieldError::new("name", "must be 1-255 characters"));
        }
        if let Trigger::Code(code) = &self.trigger {
            let code = normalize_code(code);
            let allowed = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_';
            if code.is_empty()
                || code.chars().count() > MAX_CODE_CHARS
                || !code.chars().all(allowed)
            {
                errors.push(FieldError::new(
                    "trigger.code",
                    "must be 1-32 of A-Z, 0-9, - and _",
                ));
            }
        }
        let percent = |bp: u32| (1..=FULL_BASIS_POINTS).contains(&bp);
        let amounts_ok =
            |amounts: &PerCurrency| !amounts.is_empty() && amounts.values().all(|a| *a > 0);
        match &self.benefit {
            Benefit::Percent { basis_points } if !percent(*basis_points) => errors.push(
                FieldError::new("benefit.basis_points", "must be 1-10000 (0.01 % to 100 %)"),
            ),
            Benefit::Fixed { amounts } if !amounts_ok(amounts) => errors.push(FieldError::new(
                "benefit.amounts",
                "needs an amount above 0 for at least one currency, and no other",
            )),
            Benefit::FreeShipping { max: Some(max) } if !amounts_ok(max) => {
                errors.push(FieldError::new(
                    "benefit.max",
                    "needs a cap above 0 for at least one currency, and no other",
                ))
            }
            Benefit::BuyXGetY {
                buy,
                get,
                percent_off_bp,
            } => {
                if *buy == 0 {
                    errors.push(FieldError::new("benefit.buy", "must be at least 1"));
                }
                if *get == 0 {
                    errors.push(FieldError::new("benefit.get", "must be at least 1"));
                }
                if !percent(*percent_off_bp) {
                    errors.push(FieldError::new(
                        "benefit.percent_off_bp",
                        "must be 1-10000 (0.01 % to 100 %)",
                    ));
                }
            }
            _ => {}
        }
        if self.min_spend.values().any(|a| *a < 0) {
            errors.push(FieldError::new("min_spend", "must not be negative"));
        }
        if let (Some(start), Some(end)) = (self.starts_at, self.ends_at) {
            if end <= start {
                errors.push(FieldError::new("ends_at", "must be after starts_at"));
            }
        }
        for (field, names) in [
            ("scope.categories", &self.scope.categories),
            ("scope.segments", &self.scope.segments),
        ] {
            if names.iter().any(|n| n.trim().is_empty()) {
                errors.push(FieldError::new(field, "must not contain blank names"));
            }
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }
}

/// What is left of a promotion's limits, as the store counts them. `None`: no limit.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Usage {
    /// Uses left in total.
    pub remaining_uses: Option<u64>,
    /// Uses left for this customer.
    pub remaining_for_customer: Option<u64>,
    /// Discount left to give, in minor units of the basket's currency.
    pub remaining_budget: Option<i64>,
}

impl Usage {
    /// No limits.
    pub const UNLIMITED: Usage = Usage {
        remaining_uses: None,
        remaining_for_customer: None,
        remaining_budget: None,
    };
}

/// A promotion that may apply, with what is left of its limits.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Candidate {
    pub promotion: Promotion,
    pub usage: Usage,
}

/// One line of the basket being priced.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BasketLine {
    pub variant_id: VariantId,
    pub product_id: ProductId,
    /// The product's categories.
    pub categories: Vec<String>,
    /// Minor units of the basket's currency.
    pub unit_price: i64,
    pub quantity: i64,
}

impl BasketLine {
    /// Unit price × quantity, before discounts (negatives count as zero).
    pub fn total(&self) -> i64 {
        to_i64(i128::from(self.unit_price.max(0)) * i128::from(self.quantity.max(0)))
    }
}

/// What the customer is about to buy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Basket {
    pub currency: Currency,
    pub lines: Vec<BasketLine>,
    /// Shipping cost before discounts, in minor units.
    pub shipping: i64,
}

/// A basket line's price after discounts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinePricing {
    pub variant_id: VariantId,
    /// Before discounts.
    pub total: i64,
    /// All promotions' discount on this line, at most `total`.
    pub discount: i64,
}

/// What one promotion gave.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Applied {
    pub promotion_id: PromotionId,
    /// `line_discounts` and `shipping_discount` added up.
    pub amount: i64,
    /// Per basket line, in basket order.
    pub line_discounts: Vec<i64>,
    pub shipping_discount: i64,
}

/// What became of the code the customer entered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CodeOutcome {
    /// The code applies; it is in [`Pricing::applied`].
    Applied(PromotionId),
    Rejected(CodeRejection),
}

/// Why an entered code does not apply, precisely enough to tell the customer what to do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum CodeRejection {
    /// No promotion has this code.
    Unknown,
    /// The promotion has not started yet.
    NotStarted { starts_at: DateTime<Utc> },
    /// The promotion is over.
    Expired { ended_at: DateTime<Utc> },
    /// The customer is in none of the promotion's segments.
    NotForCustomer,
    /// The promotion says nothing for the basket's currency.
    CurrencyNotSupported { currency: Currency },
    /// No use of the promotion is left.
    UsedUp,
    /// This customer has used it as often as they may.
    CustomerLimitReached,
    /// The promotion's budget is spent.
    BudgetExhausted,
    /// Nothing in the basket is discounted by it.
    NothingEligible,
    /// The eligible lines add up to less than the minimum: `missing` more is needed.
    MinimumSpend { missing: i64, currency: Currency },
    /// Buy-x-get-y needs `missing` more eligible units.
    MinimumQuantity { missing: i64 },
}

impl CodeRejection {
    /// A stable name for the reason (`minimum_spend`), for events, API errors and message ids.
    pub fn as_str(&self) -> &'static str {
        match self {
            CodeRejection::Unknown => "unknown",
            CodeRejection::NotStarted { .. } => "not_started",
            CodeRejection::Expired { .. } => "expired",
            CodeRejection::NotForCustomer => "not_for_customer",
            CodeRejection::CurrencyNotSupported { .. } => "currency_not_supported",
            CodeRejection::UsedUp => "used_up",
            CodeRejection::CustomerLimitReached => "customer_limit_reached",
            CodeRejection::BudgetExhausted => "budget_exhausted",
            CodeRejection::NothingEligible => "nothing_eligible",
            CodeRejection::MinimumSpend { .. } => "minimum_spend",
            CodeRejection::MinimumQuantity { .. } => "minimum_quantity",
        }
    }

    /// How close to applying the code is: when several promotions share a code and none
    /// applies, the customer hears about the one they are closest to.
    fn closeness(&self) -> u8 {
        match self {
            CodeRejection::Unknown => 0,
            CodeRejection::NotStarted { .. } | CodeRejection::Expired { .. } => 1,
            CodeRejection::NotForCustomer => 2,
            CodeRejection::CurrencyNotSupported { .. } => 3,
            CodeRejection::UsedUp => 4,
            CodeRejection::CustomerLimitReached => 5,
            CodeRejection::BudgetExhausted => 6,
            CodeRejection::NothingEligible => 7,
            CodeRejection::MinimumSpend { .. } => 8,
            CodeRejection::MinimumQuantity { .. } => 9,
        }
    }
}

/// A basket's price after promotions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pricing {
    pub currency: Currency,
    /// Per basket line, in basket order.
    pub lines: Vec<LinePricing>,
    /// The lines' totals before discounts.
    pub subtotal: i64,
    /// Shipping before discounts.
    pub shipping: i64,
    /// At most `shipping`.
    pub shipping_discount: i64,
    /// The line discounts and the shipping discount added up; at most `subtotal + shipping`.
    pub total_discount: i64,
    /// `subtotal + shipping - total_discount`, never below zero.
    pub payable: i64,
    /// The promotions that apply, in the order they were applied.
    pub applied: Vec<Applied>,
    /// What became of the entered code; `None` if none was entered.
    pub code: Option<CodeOutcome>,
}

/// Prices `basket` for a customer in `customer_segments` at `now`, with the code they entered
/// (if any) and the promotions that may apply. The rules are in the module docs.
pub fn price(
    basket: &Basket,
    customer_segments: &[String],
    now: DateTime<Utc>,
    code: Option<&str>,
    candidates: &[Candidate],
) -> Pricing {
    let ctx = Context {
        basket,
        totals: basket.lines.iter().map(BasketLine::total).collect(),
        shipping: basket.shipping.max(0),
        segments: customer_segments,
        now,
    };

    let entered = code.map(normalize_code).filter(|c| !c.is_empty());
    let (code_outcome, accepted) = match &entered {
        Some(entered) => {
            let (outcome, accepted) = ctx.judge_code(entered, candidates);
            (Some(outcome), accepted)
        }
        None => (None, None),
    };

    let mut automatic: Vec<&Candidate> = candidates
        .iter()
        .filter(|c| c.promotion.trigger == Trigger::Automatic && ctx.alone(c).is_ok())
        .collect();
    automatic.sort_by_key(|c| c.promotion.id);
    let combinable: Vec<&Candidate> = automatic
        .iter()
        .copied()
        .filter(|c| c.promotion.combinable)
        .collect();

    let mut sets: Vec<Vec<&Candidate>> = Vec::new();
    match accepted {
        Some(code) => {
            sets.push(vec![code]);
            if code.promotion.combinable && !combinable.is_empty() {
                sets.push(std::iter::once(code).chain(combinable).collect());
            }
        }
        None => {
            if !combinable.is_empty() {
                sets.push(combinable);
            }
            sets.extend(
                automatic
                    .iter()
                    .filter(|c| !c.promotion.combinable)
                    .map(|c| vec![*c]),
            );
        }
    }

    let code_id = accepted.map(|c| c.promotion.id);
    let mut best: Option<Stack> = None;
    for set in sets {
        let stack = ctx.stack(set, code_id);
        if best
            .as_ref()
            .is_none_or(|b| stack.discount.total() > b.discount.total())
        {
            best = Some(stack);
        }
    }
    let Stack { discount, applied } = best.unwrap_or_else(|| Stack {
        discount: Amounts {
            lines: vec![0; basket.lines.len()],
            shipping: 0,
        },
        applied: Vec::new(),
    });

    let subtotal = to_i64(ctx.totals.iter().map(|t| i128::from(*t)).sum());
    let total_discount = discount.total();
    Pricing {
        currency: basket.currency,
        lines: basket
            .lines
            .iter()
            .zip(&ctx.totals)
            .zip(&discount.lines)
            .map(|((line, total), discount)| LinePricing {
                variant_id: line.variant_id,
                total: *total,
                discount: *discount,
            })
            .collect(),
        subtotal,
        shipping: ctx.shipping,
        shipping_discount: discount.shipping,
        total_discount,
        payable: to_i64(
            i128::from(subtotal) + i128::from(ctx.shipping) - i128::from(total_discount),
        ),
        applied,
        code: code_outcome,
    }
}

/// The basket as the computation sees it.
struct Context<'a> {
    basket: &'a Basket,
    /// Line totals before discounts.
    totals: Vec<i64>,
    shipping: i64,
    segments: &'a [String],
    now: DateTime<Utc>,
}

/// Discounts: what is left of the lines and shipping, or what a promotion takes off them.
#[derive(Debug, Clone)]
struct Amounts {
    lines: Vec<i64>,
    shipping: i64,
}

impl Amounts {
    fn total(&self) -> i64 {
        to_i64(self.lines.iter().map(|a| i128::from(*a)).sum::<i128>() + i128::from(self.shipping))
    }
}

/// The outcome of applying a set of promotions.
struct Stack {
    discount: Amounts,
    applied: Vec<Applied>,
}

impl Context<'_> {
    fn full(&self) -> Amounts {
        Amounts {
            lines: self.totals.clone(),
            shipping: self.shipping,
        }
    }

    /// The lines a promotion may discount: in scope and costing something.
    fn eligible(&self, promotion: &Promotion) -> Vec<usize> {
        (0..self.totals.len())
            .filter(|&i| self.totals[i] > 0 && promotion.scope.covers(&self.basket.lines[i]))
            .collect()
    }

    /// Whether the promotion applies to the undiscounted basket, and if so what it gives
    /// there. The order of the checks is the order of the module docs.
    fn alone(&self, candidate: &Candidate) -> Result<i64, CodeRejection> {
        let promotion = &candidate.promotion;
        let usage = &candidate.usage;
        let currency = self.basket.currency;
        if let Some(starts_at) = promotion.starts_at.filter(|s| self.now < *s) {
            return Err(CodeRejection::NotStarted { starts_at });
        }
        if let Some(ended_at) = promotion.ends_at.filter(|e| self.now >= *e) {
            return Err(CodeRejection::Expired { ended_at });
        }
        if !promotion.scope.admits(self.segments) {
            return Err(CodeRejection::NotForCustomer);
        }
        let priced = match &promotion.benefit {
            Benefit::Fixed { amounts } => positive(amounts, currency).is_some(),
            Benefit::FreeShipping { max: Some(max) } => positive(max, currency).is_some(),
            _ => true,
        };
        if !priced
            || (!promotion.min_spend.is_empty() && !promotion.min_spend.contains_key(&currency))
        {
            return Err(CodeRejection::CurrencyNotSupported { currency });
        }
        if usage.remaining_uses == Some(0) {
            return Err(CodeRejection::UsedUp);
        }
        if usage.remaining_for_customer == Some(0) {
            return Err(CodeRejection::CustomerLimitReached);
        }
        if usage.remaining_budget.is_some_and(|b| b <= 0) {
            return Err(CodeRejection::BudgetExhausted);
        }
        let eligible = self.eligible(promotion);
        let ships = !matches!(promotion.benefit, Benefit::FreeShipping { .. }) || self.shipping > 0;
        if eligible.is_empty() || !ships {
            return Err(CodeRejection::NothingEligible);
        }
        let spent: i128 = eligible.iter().map(|&i| i128::from(self.totals[i])).sum();
        let minimum = promotion.min_spend.get(&currency).copied().unwrap_or(0);
        if spent < i128::from(minimum) {
            return Err(CodeRejection::MinimumSpend {
                missing: to_i64(i128::from(minimum) - spent),
                currency,
            });
        }
        if let Benefit::BuyXGetY { buy, get, .. } = promotion.benefit {
            let needed = i128::from(buy) + i128::from(get);
            let units: i128 = eligible
                .iter()
                .map(|&i| i128::from(self.basket.lines[i].quantity))
                .sum();
            if units < needed {
                return Err(CodeRejection::MinimumQuantity {
                    missing: to_i64(needed - units),
                });
            }
        }
        match self.take(candidate, &self.full()).total() {
            0 => Err(CodeRejection::NothingEligible),
            amount => Ok(amount),
        }
    }

    /// Of the promotions with the entered code, the one that gives most (then the lowest id);
    /// if none applies, the reason of the one the customer is closest to.
    fn judge_code<'c>(
        &self,
        entered: &str,
        candidates: &'c [Candidate],
    ) -> (CodeOutcome, Option<&'c Candidate>) {
        let judged: Vec<(&Candidate, Result<i64, CodeRejection>)> = candidates
            .iter()
            .filter(|c| c.promotion.trigger.matches(entered))
            .map(|c| (c, self.alone(c)))
            .collect();
        let best = judged
            .iter()
            .filter_map(|(c, judgement)| judgement.as_ref().ok().map(|amount| (*amount, *c)))
            .max_by_key(|(amount, c)| (*amount, Reverse(c.promotion.id)));
        if let Some((_, candidate)) = best {
            return (
                CodeOutcome::Applied(candidate.promotion.id),
                Some(candidate),
            );
        }
        let reason = judged
            .into_iter()
            .filter_map(|(c, judgement)| judgement.err().map(|reason| (reason, c.promotion.id)))
            .max_by_key(|(reason, id)| (reason.closeness(), Reverse(*id)))
            .map_or(CodeRejection::Unknown, |(reason, _)| reason);
        (CodeOutcome::Rejected(reason), None)
    }

    /// What a promotion takes off `left`, within its budget. Does not re-check whether it
    /// applies.
    fn take(&self, candidate: &Candidate, left: &Amounts) -> Amounts {
        let promotion = &candidate.promotion;
        let currency = self.basket.currency;
        let eligible = self.eligible(promotion);
        let mut taken = Amounts {
            lines: vec![0; left.lines.len()],
            shipping: 0,
        };
        // What is left of the eligible lines, the others weighing nothing.
        let weights: Vec<i64> = (0..left.lines.len())
            .map(|i| {
                if eligible.contains(&i) {
                    left.lines[i]
                } else {
                    0
                }
            })
            .collect();
        let base = to_i64(weights.iter().map(|w| i128::from(*w)).sum());
        match &promotion.benefit {
            Benefit::Percent { basis_points } => {
                taken.lines = allocate(percent_of(base, *basis_points), &weights);
            }
            Benefit::Fixed { amounts } => {
                let amount = positive(amounts, currency).unwrap_or(0);
                taken.lines = allocate(amount.min(base), &weights);
            }
            Benefit::FreeShipping { max } => {
                let cap = match max {
                    Some(max) => positive(max, currency).unwrap_or(0),
                    None => i64::MAX,
                };
                if !eligible.is_empty() {
                    taken.shipping = left.shipping.min(cap);
                }
            }
            Benefit::BuyXGetY {
                buy,
                get,
                percent_off_bp,
            } => {
                let group = i128::from(*buy) + i128::from(*get);
                if group > 0 {
                    let lines = &self.basket.lines;
                    let units: i128 = eligible
                        .iter()
                        .map(|&i| i128::from(lines[i].quantity))
                        .sum();
                    let mut discounted = units / group * i128::from(*get);
                    let mut cheapest = eligible.clone();
                    cheapest.sort_by_key(|&i| (lines[i].unit_price, i));
                    for i in cheapest {
                        if discounted == 0 {
                            break;
                        }
                        let count = discounted.min(i128::from(lines[i].quantity));
                        discounted -= count;
                        let value = to_i64(count * i128::from(lines[i].unit_price));
                        taken.lines[i] = percent_of(value, *percent_off_bp).min(left.lines[i]);
                    }
                }
            }
        }
        if let Some(budget) = candidate.usage.remaining_budget {
            if taken.total() > budget {
                let mut weights = taken.lines.clone();
                weights.push(taken.shipping);
                let mut capped = allocate(budget, &weights);
                taken.shipping = capped.pop().unwrap_or(0);
                taken.lines = capped;
            }
        }
        taken
    }

    /// Applies a set of promotions one after another in stacking order.
    fn stack(&self, mut set: Vec<&Candidate>, code: Option<PromotionId>) -> Stack {
        set.sort_by_key(|c| (c.promotion.benefit.stack_rank(), c.promotion.id));
        let mut left = self.full();
        let mut applied = Vec::new();
        for candidate in set {
            let taken = self.take(candidate, &left);
            for (l, t) in left.lines.iter_mut().zip(&taken.lines) {
                *l -= t;
            }
            left.shipping -= taken.shipping;
            let amount = taken.total();
            if amount > 0 || Some(candidate.promotion.id) == code {
                applied.push(Applied {
                    promotion_id: candidate.promotion.id,
                    amount,
                    line_discounts: taken.lines,
                    shipping_discount: taken.shipping,
                });
            }
        }
        let discount = Amounts {
            lines: self
                .totals
                .iter()
                .zip(&left.lines)
                .map(|(total, l)| total - l)
                .collect(),
            shipping: self.shipping - left.shipping,
        };
        Stack { discount, applied }
    }
}

/// The amount for `currency`, if there is one above zero.
fn positive(amounts: &PerCurrency, currency: Currency) -> Option<i64> {
    amounts.get(&currency).copied().filter(|a| *a > 0)
}

/// `basis_points` of `amount`, rounded down to the minor unit; at most 100 %.
fn percent_of(amount: i64, basis_points: u32) -> i64 {
    let bp = i128::from(basis_points.min(FULL_BASIS_POINTS));
    to_i64(i128::from(amount.max(0)) * bp / i128::from(FULL_BASIS_POINTS))
}

/// Splits `total` (at most the weights' sum) over `weights` in proportion to them by the
/// largest-remainder method: the shares add up to `total` exactly and none exceeds its weight.
fn allocate(total: i64, weights: &[i64]) -> Vec<i64> {
    let mut shares = vec![0; weights.len()];
    let sum: i128 = weights.iter().map(|w| i128::from((*w).max(0))).sum();
    if total <= 0 || sum == 0 {
        return shares;
    }
    let total = i128::from(total).min(sum);
    let mut given = 0;
    let mut remainders = Vec::with_capacity(weights.len());
    for (i, weight) in weights.iter().enumerate() {
        let exact = total * i128::from((*weight).max(0));
        let share = exact / sum;
        shares[i] = to_i64(share);
        given += share;
        remainders.push((exact % sum, i));
    }
    // The leftover is the sum of the fractions, so it is smaller than the number of lines
    // with a fraction: only those get a unit, and a share rounded up stays within its weight.
    remainders.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    let leftover = usize::try_from(total - given).unwrap_or(0);
    for (_, i) in remainders.into_iter().take(leftover) {
        shares[i] += 1;
    }
    shares
}

/// Clamps a wide intermediate into `i64`.
fn to_i64(value: i128) -> i64 {
    i64::try_from(value).unwrap_or(if value < 0 { i64::MIN } else { i64::MAX })
}
