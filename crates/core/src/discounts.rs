//! Promotions applied to a cart: gathers the promotions that could apply (the running
//! automatic ones and the code on the cart), with what is left of them for this customer,
//! prices the basket with [`crate::promotion::price`], and turns the result into the
//! discounts an order is placed with.
//!
//! Shipping needs care: with a flat fee the shipping cost is known at checkout; with a rate
//! table it is chosen later, with the address. Then the basket is priced with the dearest
//! rate as its shipping, and a free-shipping discount becomes an allowance taken off the
//! option the customer picks (see [`shipping_allowance`]).

use crate::bot::BotProfile;
use crate::checkout::{basket_lines, CartItem};
use crate::coupon::{NewDiscount, PromotionStatus};
use crate::customer::Customer;
use crate::promotion::{
    normalize_code, price, Basket, BasketLine, Candidate, CodeOutcome, CodeRejection, Pricing,
    PromotionId, Trigger, MAX_CODE_CHARS,
};
use crate::shop::Order;
use crate::store::{Store, Tx};
use crate::Result;
use chrono::{DateTime, Utc};

/// A cart priced with its promotions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Priced {
    pub pricing: Pricing,
    /// The code on the cart, normalized, if any.
    pub code: Option<String>,
    /// What the order takes off at placement: line discounts, plus shipping discounts when
    /// the shipping cost is known.
    pub discount: i64,
    /// One per promotion applied, for [`crate::shop::NewOrder::discounts`].
    pub discounts: Vec<NewDiscount>,
    /// The names of the promotions considered, for showing what applied.
    pub names: Vec<(PromotionId, String)>,
}

impl Priced {
    /// The name of a promotion considered (its code for a code promotion).
    pub fn name_of(&self, id: PromotionId) -> &str {
        self.names
            .iter()
            .find(|(p, _)| *p == id)
            .map_or("", |(_, name)| name.as_str())
    }

    /// Why the code on the cart does not apply, if it does not.
    pub fn code_rejection(&self) -> Option<&crate::promotion::CodeRejection> {
        match &self.pricing.code {
            Some(CodeOutcome::Rejected(reason)) => Some(reason),
            _ => None,
        }
    }
}

/// Where a physical basket's shipping cost comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shipping {
    /// Known now (the flat fee, or 0 for digital goods).
    Known(i64),
    /// Chosen with the address from the bot's rate table.
    Later,
}

impl Shipping {
    /// The shipping of a basket sold by `bot`.
    pub fn of(bot: &BotProfile, physical: bool) -> Shipping {
        match (physical, bot.quotes_shipping()) {
            (false, _) => Shipping::Known(0),
            (true, false) => Shipping::Known(bot.shipping_fee),
            (true, true) => Shipping::Later,
        }
    }
}

/// Prices `lines` for `customer` with the running automatic promotions and `code` (as the
/// customer typed it; blank counts as none).
pub async fn price_cart(
    store: &dyn Store,
    bot: &BotProfile,
    customer: &Customer,
    lines: Vec<BasketLine>,
    shipping: Shipping,
    code: Option<&str>,
    now: DateTime<Utc>,
) -> Result<Priced> {
    let currency = crate::checkout::bot_currency(bot)?;
    let code = code.map(normalize_code).filter(|c| !c.is_empty());
    let mut promotions = store.automatic_promotions().await?;
    promotions.retain(|p| p.status == PromotionStatus::Active);
    // The promotion behind the code, if it can be used: a paused or archived promotion, or
    // a single-use code given to someone else, is as good as unknown.
    let mut unique_code = None;
    if let Some(code) = &code {
        if let Some(found) = store.promotion_by_code(code).await? {
            let foreign = found
                .unique
                .as_ref()
                .is_some_and(|u| u.assigned_to.is_some_and(|c| c != customer.id));
            if found.promotion.status == PromotionStatus::Active && !foreign {
                let mut promotion = found.promotion;
                if let Some(unique) = found.unique {
                    // The pricing matches the entered code against the promotion's trigger.
                    promotion.promotion.trigger = Trigger::Code(code.clone());
                    unique_code = Some(unique);
                }
                promotions.push(promotion);
            }
        }
    }
    let ids: Vec<_> = promotions.iter().map(|p| p.promotion.id).collect();
    let names = promotions
        .iter()
        .map(|p| {
            let name = match &p.promotion.trigger {
                Trigger::Code(code) => format!("{} ({code})", p.promotion.name),
                Trigger::Automatic => p.promotion.name.clone(),
            };
            (p.promotion.id, name)
        })
        .collect();
    let used = store.customer_uses(customer.id, &ids).await?;
    let candidates: Vec<Candidate> = promotions
        .into_iter()
        .map(|p| {
            let customer_uses = used
                .iter()
                .find(|(id, _)| *id == p.promotion.id)
                .map_or(0, |(_, n)| *n);
            let mut usage = p.usage(customer_uses, currency);
            let spent_code = unique_code
                .as_ref()
                .is_some_and(|u| u.promotion_id == p.promotion.id && u.order_id.is_some());
            if spent_code {
                usage.remaining_uses = Some(0);
            }
            Candidate {
                promotion: p.promotion,
                usage,
            }
        })
        .collect();
    let basket = Basket {
        currency,
        lines,
        shipping: match shipping {
            Shipping::Known(cost) => cost,
            Shipping::Later => bot
                .shipping_rates
                .iter()
                .map(|r| r.amount)
                .max()
                .unwrap_or(0),
        },
    };
    // The customer's membership tier is their segment: tier benefits are promotions
    // scoped to it ([`crate::tiers`]).
    let segments = crate::tiers::customer_segments(store, customer.id).await?;
    let pricing = price(&basket, &segments, now, code.as_deref(), &candidates);
    let code_promotion = match &pricing.code {
        Some(CodeOutcome::Applied(id)) => Some(*id),
        _ => None,
    };
    let discounts: Vec<NewDiscount> = pricing
        .applied
        .iter()
        .map(|a| {
            let by_code = code_promotion == Some(a.promotion_id);
            let unique = by_code && unique_code.is_some();
            NewDiscount {
                promotion_id: a.promotion_id,
                code: if by_code { code.clone() } else { None },
                unique_code: unique,
                amount: a.line_discounts.iter().sum(),
                shipping_amount: a.shipping_discount,
            }
        })
        .collect();
    let discount = discounts
        .iter()
        .map(|d| match shipping {
            Shipping::Known(_) => d.amount + d.shipping_amount,
            Shipping::Later => d.amount,
        })
        .sum();
    Ok(Priced {
        pricing,
        code,
        discount,
        discounts,
        names,
    })
}

/// A customer's cart priced with its promotions and the code on it, as a storefront shows it.
pub async fn price_customer_cart(
    tx: &mut dyn Tx,
    store: &dyn Store,
    bot: &BotProfile,
    customer: &Customer,
    items: &[CartItem],
    at: DateTime<Utc>,
) -> Result<Priced> {
    let code = tx.cart_code(customer.id).await?;
    price_items(store, bot, customer, items, code.as_deref(), at).await
}

/// `items` priced with the promotions and `code`.
pub async fn price_items(
    store: &dyn Store,
    bot: &BotProfile,
    customer: &Customer,
    items: &[CartItem],
    code: Option<&str>,
    at: DateTime<Utc>,
) -> Result<Priced> {
    let currency = crate::checkout::bot_currency(bot)?;
    let physical = items.iter().any(|i| {
        i.current
            .as_ref()
            .is_some_and(|(p, _)| p.fulfilment == crate::catalog::Fulfilment::Physical)
    });
    price_cart(
        store,
        bot,
        customer,
        basket_lines(items, currency),
        Shipping::of(bot, physical),
        code,
        at,
    )
    .await
}

/// What putting a code on a cart did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CodeOnCart {
    /// It is on the cart and takes `saving` off it now.
    Applied { code: String, saving: i64 },
    /// The cart is empty: the code waits on it for checkout.
    Saved { code: String },
    /// Refused; the cart keeps the code it had.
    Rejected { code: String, reason: CodeRejection },
}

/// Puts the code a customer typed on their cart if it can be used, the same in chat and in
/// the Mini App.
pub async fn put_code_on_cart(
    tx: &mut dyn Tx,
    store: &dyn Store,
    bot: &BotProfile,
    customer: &Customer,
    typed: &str,
    at: DateTime<Utc>,
) -> Result<CodeOnCart> {
    let code = normalize_code(typed);
    if code.is_empty() || code.chars().count() > MAX_CODE_CHARS {
        return Ok(CodeOnCart::Rejected {
            code,
            reason: CodeRejection::Unknown,
        });
    }
    let items = crate::checkout::cart_items(tx, store, customer).await?;
    let priced = price_items(store, bot, customer, &items, Some(&code), at).await?;
    let outcome = match priced.code_rejection().cloned() {
        // An empty cart has nothing to discount yet: keep a code that exists for later.
        Some(
            CodeRejection::NothingEligible
            | CodeRejection::MinimumSpend { .. }
            | CodeRejection::MinimumQuantity { .. },
        ) if items.is_empty() => CodeOnCart::Saved { code },
        Some(reason) => CodeOnCart::Rejected { code, reason },
        None => CodeOnCart::Applied {
            code,
            saving: priced.pricing.total_discount,
        },
    };
    if let CodeOnCart::Applied { code, .. } | CodeOnCart::Saved { code } = &outcome {
        tx.set_cart_code(customer.id, Some(code), at).await?;
    }
    Ok(outcome)
}

/// The lines a cart shows under its items, in `language`: one per promotion applied, and
/// why the code on the cart does not apply, if it does not.
pub fn cart_lines(
    texts: &crate::i18n::Texts,
    language: &str,
    currency: crate::money::Currency,
    priced: &Priced,
) -> Vec<String> {
    use crate::shop_chat::price_text;
    let mut lines = Vec::new();
    for applied in &priced.pricing.applied {
        let off_lines: i64 = applied.line_discounts.iter().sum();
        let amount = if off_lines == 0 && applied.shipping_discount > 0 {
            texts.get(language, "benefit-free-shipping", &[])
        } else {
            format!("−{}", price_text(currency, off_lines))
        };
        let name = priced.name_of(applied.promotion_id);
        lines.push(texts.get(
            language,
            "cart-discount",
            &[("name", name), ("amount", &amount)],
        ));
    }
    if let (Some(code), Some(reason)) = (&priced.code, priced.code_rejection()) {
        lines.push(rejection_text(texts, language, code, reason));
    }
    lines
}

/// How much of the shipping option a customer picks its discounts still take off: the sum of
/// their shipping amounts, for orders whose shipping was chosen after placement.
pub fn shipping_allowance(order: &Order) -> i64 {
    order
        .discounts
        .iter()
        .filter(|d| d.released_at.is_none())
        .map(|d| d.shipping_amount)
        .sum()
}

/// Why a code does not apply, in `language`, naming the code.
pub fn rejection_text(
    texts: &crate::i18n::Texts,
    language: &str,
    code: &str,
    reason: &CodeRejection,
) -> String {
    use crate::shop_chat::price_text;
    let date = |at: &DateTime<Utc>| at.format("%Y-%m-%d %H:%M UTC").to_string();
    let (id, extra): (&str, Option<(&str, String)>) = match reason {
        CodeRejection::Unknown => ("coupon-unknown", None),
        CodeRejection::NotStarted { starts_at } => {
            ("coupon-not-started", Some(("date", date(starts_at))))
        }
        CodeRejection::Expired { .. } => ("coupon-expired", None),
        CodeRejection::NotForCustomer => ("coupon-not-for-you", None),
        CodeRejection::CurrencyNotSupported { .. } => ("coupon-currency", None),
        CodeRejection::UsedUp | CodeRejection::BudgetExhausted => ("coupon-used-up", None),
        CodeRejection::CustomerLimitReached => ("coupon-customer-limit", None),
        CodeRejection::NothingEligible => ("coupon-nothing-eligible", None),
        CodeRejection::MinimumSpend { missing, currency } => (
            "coupon-minimum-spend",
            Some(("missing", price_text(*currency, *missing))),
        ),
        CodeRejection::MinimumQuantity { missing } => (
            "coupon-minimum-quantity",
            Some(("missing", missing.to_string())),
        ),
    };
    let mut args = vec![("code", code)];
    if let Some((name, value)) = &extra {
        args.push((name, value.as_str()));
    }
    texts.get(language, id, &args)
}
