//! The cart and checkout as use cases shared by every storefront: the chat shop and the
//! Mini App call these, so a price, a stock check or a reservation works the same in both.

use crate::bot::BotProfile;
use crate::catalog::{Fulfilment, Product, ProductQuery, ProductStatus, Variant, VariantId};
use crate::customer::Customer;
use crate::discounts::{price_cart, rejection_text, Shipping};
use crate::event::NewEvent;
use crate::i18n::Texts;
use crate::job::NewJob;
use crate::money::Currency;
use crate::outbox::Invoice;
use crate::promotion::{BasketLine, CodeRejection};
use crate::shop::{NewOrder, Order, OrderLine, ShopSettings};
use crate::shop_chat::price_text;
use crate::store::{Store, Tx};
use crate::{Error, Result};
use chrono::{DateTime, Utc};
use serde_json::json;

/// The job that cancels an order whose reservation ran out.
pub const EXPIRE_ORDER_JOB: &str = "shop.expire_order";

/// Most products a storefront lists at once.
const MAX_LISTED: i64 = 500;

/// The currency a bot sells in.
pub fn bot_currency(bot: &BotProfile) -> Result<Currency> {
    bot.currency
        .parse()
        .map_err(|e| Error::Invalid(format!("bot currency: {e}")))
}

/// Active products with at least one variant priced in `currency`, by id.
pub async fn products_for_sale(
    store: &dyn Store,
    currency: Currency,
    category: Option<String>,
) -> Result<Vec<Product>> {
    let products = store
        .products(&ProductQuery {
            status: Some(ProductStatus::Active),
            category,
            after: None,
            limit: MAX_LISTED,
        })
        .await?;
    Ok(products
        .into_iter()
        .filter(|p| p.variants.iter().any(|v| v.price(currency).is_some()))
        .collect())
}

/// `Title (S / Red)`, in `language`.
pub fn item_name(product: &Product, variant: &Variant, language: &str) -> String {
    let title = product
        .text(language)
        .map_or(product.handle.as_str(), |t| t.title.as_str());
    if variant.option_values.is_empty() {
        title.to_owned()
    } else {
        format!("{title} ({})", variant.option_values.join(" / "))
    }
}

/// One line of a cart as a customer sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CartItem {
    pub variant_id: VariantId,
    pub quantity: i64,
    /// The unit price the customer last saw for it, if known.
    pub seen_price: Option<i64>,
    /// The product and variant as they are now; `None` if the variant is gone.
    pub current: Option<(Product, Variant)>,
}

/// The cart lines that can be sold in `currency`, as the promotions see them: a product's
/// categories are its category and its tags.
pub fn basket_lines(items: &[CartItem], currency: Currency) -> Vec<BasketLine> {
    items
        .iter()
        .filter_map(|item| {
            let (product, variant) = item.current.as_ref()?;
            let price = variant.price(currency)?;
            let categories = product.category.iter().chain(&product.tags).cloned();
            Some(BasketLine {
                variant_id: variant.id,
                product_id: product.id,
                categories: categories.collect(),
                unit_price: price.amount,
                quantity: item.quantity,
            })
        })
        .collect()
}

/// Whether a `place_order` conflict came from a promotion rather than stock.
fn is_promotion_conflict(message: &str) -> bool {
    message.starts_with("promotion ") || message.starts_with("code ")
}

/// The customer's cart with the products as they are now, in cart order.
pub async fn cart_items(
    tx: &mut dyn Tx,
    store: &dyn Store,
    customer: &Customer,
) -> Result<Vec<CartItem>> {
    let lines = tx.cart(customer.id).await?;
    let ids: Vec<VariantId> = lines.iter().map(|l| l.variant_id).collect();
    let products = if ids.is_empty() {
        Vec::new()
    } else {
        store.products_of_variants(&ids).await?
    };
    Ok(lines
        .into_iter()
        .map(|line| CartItem {
            variant_id: line.variant_id,
            quantity: line.quantity,
            seen_price: line.seen_price,
            current: products.iter().find_map(|p| {
                p.variants
                    .iter()
                    .find(|v| v.id == line.variant_id)
                    .map(|v| (p.clone(), v.clone()))
            }),
        })
        .collect())
}

/// Sets how many of a variant the cart holds (0 removes it), at the price the customer sees
/// now in `currency`. `NotFound` if the variant is not for sale; `Conflict` if more are asked
/// for than are in stock (fewer is always fine).
pub async fn set_quantity(
    tx: &mut dyn Tx,
    store: &dyn Store,
    customer: &Customer,
    currency: Currency,
    variant_id: VariantId,
    quantity: i64,
    at: DateTime<Utc>,
) -> Result<()> {
    if quantity < 0 {
        return Err(Error::Invalid("a quantity cannot be negative".into()));
    }
    let mut seen_price = None;
    let mut added = 0;
    if quantity > 0 {
        let products = store.products_of_variants(&[variant_id]).await?;
        let variant = products
            .iter()
            .filter(|p| p.status == ProductStatus::Active)
            .find_map(|p| p.variants.iter().find(|v| v.id == variant_id));
        let Some(variant) = variant else {
            return Err(Error::NotFound(format!("variant {}", variant_id.0)));
        };
        let current = tx
            .cart(customer.id)
            .await?
            .iter()
            .find(|l| l.variant_id == variant_id)
            .map_or(0, |l| l.quantity);
        if quantity > variant.stock && quantity > current {
            return Err(Error::Conflict(format!("only {} in stock", variant.stock)));
        }
        seen_price = variant.price(currency).map(|p| p.amount);
        added = quantity - current;
    }
    tx.set_cart_quantity(customer.id, variant_id, quantity, seen_price, at)
        .await?;
    if added > 0 {
        // The funnel's "added to cart" step, for the chat shop and the Mini App alike.
        let e = NewEvent::new(crate::event::kind::CART_ADDED, at)
            .customer(customer.id)
            .chat(customer.telegram_user_id)
            .data(json!({ "variant": variant_id.0, "quantity": added }));
        tx.append_event(&e).await?;
    }
    Ok(())
}

/// Records that `customer` looked at `product` (`None`: the whole catalog, as the Mini App
/// shows it), the funnel's "viewed product" step.
pub async fn product_viewed(
    tx: &mut dyn Tx,
    bot: &BotProfile,
    customer: &Customer,
    product: Option<crate::catalog::ProductId>,
    at: DateTime<Utc>,
) -> Result<()> {
    let e = NewEvent::new(crate::event::kind::PRODUCT_VIEWED, at)
        .bot(&bot.key.0)
        .customer(customer.id)
        .chat(customer.telegram_user_id)
        .data(json!({ "product": product.map(|p| p.0) }));
    tx.append_event(&e).await
}

/// Why a cart cannot be checked out as it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CartProblem {
    /// The item is no longer sold (or not in this bot's currency).
    Unavailable { item: String },
    /// Fewer are left than the cart holds.
    Short {
        item: String,
        available: i64,
        quantity: i64,
    },
    /// The code on the cart does not apply; it has been taken off the cart.
    CodeRejected { code: String, reason: CodeRejection },
    /// A promotion (the code's, if `code`) ran out while checking out.
    PromotionEnded { code: Option<String> },
    /// The unit price is not the one the customer saw when adding it. The cart now shows
    /// the new price; checking out again accepts it.
    PriceChanged {
        item: String,
        currency: Currency,
        was: i64,
        now: i64,
    },
}

impl CartProblem {
    /// One line telling the customer what changed, in `language`.
    pub fn describe(&self, texts: &Texts, language: &str) -> String {
        match self {
            CartProblem::Unavailable { item } => {
                texts.get(language, "checkout-unavailable", &[("item", item)])
            }
            CartProblem::Short {
                item,
                available,
                quantity,
            } => texts.get(
                language,
                "checkout-short",
                &[
                    ("item", item),
                    ("available", &available.to_string()),
                    ("quantity", &quantity.to_string()),
                ],
            ),
            CartProblem::CodeRejected { code, reason } => {
                format!("• {}", rejection_text(texts, language, code, reason))
            }
            CartProblem::PromotionEnded { code } => texts.get(
                language,
                "checkout-promotion-ended",
                &[("code", code.as_deref().unwrap_or("—"))],
            ),
            CartProblem::PriceChanged {
                item,
                currency,
                was,
                now,
            } => texts.get(
                language,
                "checkout-price-changed",
                &[
                    ("item", item),
                    ("was", &price_text(*currency, *was)),
                    ("now", &price_text(*currency, *now)),
                ],
            ),
        }
    }

    /// The item or code it is about.
    pub fn item(&self) -> &str {
        match self {
            CartProblem::Unavailable { item }
            | CartProblem::Short { item, .. }
            | CartProblem::PriceChanged { item, .. } => item,
            CartProblem::CodeRejected { code, .. } => code,
            CartProblem::PromotionEnded { code } => code.as_deref().unwrap_or("promotion"),
        }
    }
}

/// What a checkout did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Checkout {
    /// The order is placed, its stock reserved, the cart emptied.
    Placed {
        order: Box<Order>,
        physical: bool,
    },
    /// Nothing was placed; the customer must fix the cart.
    Problems(Vec<CartProblem>),
    Empty,
}

/// The order lines a cart would make at today's prices, and what stands in the way.
struct Review {
    lines: Vec<OrderLine>,
    problems: Vec<CartProblem>,
    physical: bool,
}

fn review(items: &[CartItem], currency: Currency, language: &str) -> Review {
    let mut review = Review {
        lines: Vec::new(),
        problems: Vec::new(),
        physical: false,
    };
    for item in items {
        let Some((product, variant)) = &item.current else {
            review
                .problems
                .push(CartProblem::Unavailable { item: "?".into() });
            continue;
        };
        let name = item_name(product, variant, language);
        match variant.price(currency) {
            Some(price) if product.status == ProductStatus::Active => {
                if let Some(was) = item.seen_price.filter(|was| *was != price.amount) {
                    review.problems.push(CartProblem::PriceChanged {
                        item: name.clone(),
                        currency,
                        was,
                        now: price.amount,
                    });
                }
                if variant.stock < item.quantity {
                    review.problems.push(CartProblem::Short {
                        item: name.clone(),
                        available: variant.stock,
                        quantity: item.quantity,
                    });
                }
                review.physical |= product.fulfilment == Fulfilment::Physical;
                review.lines.push(OrderLine {
                    variant_id: variant.id,
                    product_id: product.id,
                    sku: variant.sku.clone(),
                    title: name,
                    quantity: item.quantity,
                    unit_price: price.amount,
                });
            }
            _ => review
                .problems
                .push(CartProblem::Unavailable { item: name }),
        }
    }
    review
}

/// Turns the customer's cart into an order at today's prices: checks every line, reserves
/// the stock, empties the cart and schedules the order's expiry. Changes since the items
/// were added are reported, never applied silently.
pub async fn checkout(
    tx: &mut dyn Tx,
    store: &dyn Store,
    bot: &BotProfile,
    shop: &ShopSettings,
    customer: &Customer,
    language: &str,
    at: DateTime<Utc>,
) -> Result<Checkout> {
    let currency = bot_currency(bot)?;
    let items = cart_items(tx, store, customer).await?;
    if items.is_empty() {
        return Ok(Checkout::Empty);
    }
    let started = NewEvent::new(crate::event::kind::CHECKOUT_STARTED, at)
        .bot(&bot.key.0)
        .customer(customer.id)
        .chat(customer.telegram_user_id)
        .data(json!({ "lines": items.len() }));
    tx.append_event(&started).await?;
    let Review {
        lines,
        problems,
        physical,
    } = review(&items, currency, language);
    if !problems.is_empty() {
        // The customer has now been shown today's prices: the next checkout takes them.
        for line in &lines {
            let seen = items.iter().find(|i| i.variant_id == line.variant_id);
            if let Some(item) = seen.filter(|i| i.seen_price != Some(line.unit_price)) {
                tx.set_cart_quantity(
                    customer.id,
                    line.variant_id,
                    item.quantity,
                    Some(line.unit_price),
                    at,
                )
                .await?;
            }
        }
        return Ok(Checkout::Problems(problems));
    }
    // With a rate table the customer picks the shipping option when paying.
    let shipping = Shipping::of(bot, physical);
    let code = tx.cart_code(customer.id).await?;
    let basket = basket_lines(&items, currency);
    let priced = price_cart(store, bot, customer, basket, shipping, code.as_deref(), at).await?;
    if let (Some(code), Some(reason)) = (&priced.code, priced.code_rejection()) {
        // Said once; the next checkout goes ahead without the code.
        tx.set_cart_code(customer.id, None, at).await?;
        return Ok(Checkout::Problems(vec![CartProblem::CodeRejected {
            code: code.clone(),
            reason: reason.clone(),
        }]));
    }
    let new_order = NewOrder {
        customer_id: customer.id,
        bot: bot.key.0.clone(),
        currency,
        shipping_cost: match shipping {
            Shipping::Known(cost) => cost,
            Shipping::Later => 0,
        },
        discount: priced.discount,
        discounts: priced.discounts.clone(),
        lines,
        shipping_address: None,
        shipping_option: None,
        source: customer.first_source.clone(),
        reservation_expires_at: at + shop.reservation,
        at,
    };
    let order = match tx.place_order(&new_order).await {
        Ok(order) => order,
        // A promotion ran out between pricing and placing (its last use, its budget, or a
        // single-use code taken by another order): nothing was placed.
        Err(Error::Conflict(message)) if is_promotion_conflict(&message) => {
            let code_promotion = priced.discounts.iter().find(|d| d.code.is_some());
            let code_ran_out = code_promotion.is_some_and(|d| {
                let id = format!("promotion {}", d.promotion_id.0);
                message.starts_with("code ")
                    || message.starts_with(&format!("{id} "))
                    || message.starts_with(&format!("{id}:"))
            });
            if code_ran_out {
                tx.set_cart_code(customer.id, None, at).await?;
            }
            return Ok(Checkout::Problems(vec![CartProblem::PromotionEnded {
                code: priced.code.clone().filter(|_| code_ran_out),
            }]));
        }
        // Someone bought the last units between our look and the reservation: look again
        // and tell the customer what is left.
        Err(Error::Conflict(_)) => {
            let items = cart_items(tx, store, customer).await?;
            let mut problems = review(&items, currency, language).problems;
            if problems.is_empty() {
                let names = items.iter().filter_map(|i| i.current.as_ref());
                problems = names
                    .map(|(p, v)| CartProblem::Unavailable {
                        item: item_name(p, v, language),
                    })
                    .collect();
            }
            return Ok(Checkout::Problems(problems));
        }
        Err(other) => return Err(other),
    };
    tx.clear_cart(customer.id).await?;
    tx.schedule_job(
        &NewJob::new(
            EXPIRE_ORDER_JOB,
            json!({ "order": order.id.0 }),
            order.reservation_expires_at,
        )
        .dedup_key(format!("order-expiry:{}", order.id.0)),
    )
    .await?;
    let placed = NewEvent::new("order_placed", at)
        .bot(&bot.key.0)
        .customer(customer.id)
        .chat(customer.telegram_user_id)
        .data(json!({
            "order": order.id.0,
            "total": order.total,
            "currency": order.currency.code(),
        }));
    tx.append_event(&placed).await?;
    Ok(Checkout::Placed {
        order: Box::new(order),
        physical,
    })
}

/// The invoice of an order, in `language`. Stars invoices take exactly one price; others show
/// each line and the shipping. Physical goods sold by a bot with a rate table get a flexible
/// invoice: Telegram asks for the address and the shipping options before the payment.
pub fn invoice(
    texts: &Texts,
    bot: &BotProfile,
    language: &str,
    order: &Order,
    physical: bool,
) -> Invoice {
    let number = order.id.0.to_string();
    let prices = if order.currency == Currency::STARS {
        vec![(texts.get(language, "invoice-total", &[]), order.total)]
    } else {
        let mut prices: Vec<(String, i64)> = order
            .lines
            .iter()
            .map(|l| (format!("{} × {}", l.quantity, l.title), l.total()))
            .collect();
        if order.shipping_cost > 0 {
            prices.push((
                texts.get(language, "invoice-shipping", &[]),
                order.shipping_cost,
            ));
        }
        // Telegram adds the parts up: a discount is a negative part.
        if order.discount > 0 {
            prices.push((
                texts.get(language, "invoice-discount", &[]),
                -order.discount,
            ));
        }
        prices
    };
    let count: i64 = order.lines.iter().map(|l| l.quantity).sum();
    // Telegram's limits: title 1-32, description 1-255 characters.
    let title = texts.get(language, "invoice-title", &[("order", &number)]);
    let description = texts.get(
        language,
        "invoice-description",
        &[("count", &count.to_string())],
    );
    Invoice {
        title: title.chars().take(32).collect(),
        description: description.chars().take(255).collect(),
        payload: format!("order:{}", order.id.0),
        currency: order.currency,
        prices: prices
            .into_iter()
            .map(|(label, amount)| (label.chars().take(60).collect(), amount))
            .collect(),
        need_name: physical,
        need_phone_number: physical,
        need_shipping_address: physical,
        is_flexible: physical && bot.quotes_shipping() && order.currency != Currency::STARS,
        photo_url: None,
    }
}
