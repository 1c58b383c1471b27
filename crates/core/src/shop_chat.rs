//! The shop in chat: browsing categories and product cards, the cart, checkout into an
//! order with reserved stock and an invoice, and payments.
//!
//! Everything runs inside the update's transaction, like the rest of the conversation:
//! the order, the stock it reserves, the job that releases it if unpaid, and the messages to
//! the customer commit together or not at all.
//!
//! Button data stays within Telegram's 64 bytes: `s:…` browses, `c:…` changes the cart,
//! `o:<id>` shows an order.

use crate::catalog::{Product, ProductId, ProductStatus, Variant, VariantId};
use crate::checkout::{self, bot_currency, item_name, products_for_sale, Checkout};
use crate::conversation::{event, Turn};
use crate::incoming::IncomingKind;
use crate::money::Currency;
use crate::outbox::{Action, Button, Keyboard};
use crate::shipping;
use crate::shop::{Order, OrderId, OrderQuery, OrderStatus, Payment, PaymentMethod, Transition};
use crate::store::Store;
use crate::{Error, Result};
use serde_json::json;

/// Where a `/start` deep link leads in the shop.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// `shop`: the shop's front page.
    Shop,
    /// `p-<handle>`: one product ("tap to buy" links posted in groups and channels).
    Product(String),
}

/// The shop target of a `/start` payload, if it has one.
pub fn start_target(payload: &str) -> Option<Target> {
    let payload = payload.trim();
    if payload == "shop" {
        return Some(Target::Shop);
    }
    payload
        .strip_prefix("p-")
        .filter(|h| crate::catalog::is_valid_handle(h))
        .map(|h| Target::Product(h.to_owned()))
}

pub(crate) fn is_shop_command(name: &str) -> bool {
    matches!(name, "shop" | "cart" | "orders")
}

pub(crate) fn is_shop_button(data: &str) -> bool {
    data.starts_with("s:") || data.starts_with("c:") || data.starts_with("o:")
}

/// `19.99 USD`, or `⭐ 150` for Telegram Stars.
pub fn price_text(currency: Currency, amount: i64) -> String {
    if currency == Currency::STARS {
        format!("⭐ {amount}")
    } else {
        format!("{} {}", currency.format_amount(amount), currency.code())
    }
}

pub(crate) async fn command(turn: &mut Turn<'_, '_>, name: &str) -> Result<()> {
    match name {
        "cart" => show_cart(turn, None).await,
        "orders" => show_orders(turn).await,
        _ => front_page(turn, None).await,
    }
}

pub(crate) async fn open(turn: &mut Turn<'_, '_>, target: Target) -> Result<()> {
    match target {
        Target::Shop => front_page(turn, None).await,
        Target::Product(handle) => match turn.ctx.store.product_by_handle(&handle).await? {
            Some(product) if product.status == ProductStatus::Active => {
                product_card(turn, &product).await
            }
            _ => turn.say("shop-not-available", &[]).await,
        },
    }
}

pub(crate) async fn button(
    turn: &mut Turn<'_, '_>,
    callback_id: &str,
    data: &str,
    message_id: Option<i64>,
) -> Result<()> {
    let parts: Vec<&str> = data.split(':').collect();
    let number = |i: usize| parts.get(i).and_then(|p| p.parse::<i64>().ok());
    match (parts.as_slice(), number(2), number(3)) {
        (["s", "home"], ..) => {
            turn.answer(callback_id, None).await?;
            front_page(turn, message_id).await
        }
        (["s", "all", _], Some(page), _) => {
            turn.answer(callback_id, None).await?;
            product_list(turn, None, page, message_id).await
        }
        (["s", "cat", _, _], Some(category), Some(page)) => {
            turn.answer(callback_id, None).await?;
            product_list(turn, Some(category), page, message_id).await
        }
        (["s", "p", _], Some(id), _) => {
            turn.answer(callback_id, None).await?;
            match turn.ctx.store.product(ProductId(id)).await? {
                Some(product) if product.status == ProductStatus::Active => {
                    product_card(turn, &product).await
                }
                _ => turn.say("shop-not-available", &[]).await,
            }
        }
        (["s", "n", _], Some(variant), _) => {
            crate::automation_chat::notify_me(turn, callback_id, VariantId(variant)).await
        }
        (["s", "x"], ..) => {
            let text = turn.text("shop-sold-out", &[]);
            turn.answer(callback_id, Some(text)).await
        }
        (["c", "view"], ..) => {
            turn.answer(callback_id, None).await?;
            show_cart(turn, None).await
        }
        (["c", "manual", _], Some(order), _) => {
            pay_manually(turn, callback_id, OrderId(order)).await
        }
        (["c", "pay"], ..) => {
            turn.answer(callback_id, None).await?;
            checkout(turn).await
        }
        (["c", verb @ ("add" | "inc" | "dec" | "rm"), _], Some(variant), _) => {
            change_cart(turn, callback_id, verb, VariantId(variant), message_id).await
        }
        (["o", _], ..) => match number(1) {
            Some(order) => {
                turn.answer(callback_id, None).await?;
                show_order(turn, OrderId(order)).await
            }
            None => turn.expired(callback_id).await,
        },
        _ => turn.expired(callback_id).await,
    }
}

fn categories(products: &[Product]) -> Vec<String> {
    let mut categories: Vec<String> = products.iter().filter_map(|p| p.category.clone()).collect();
    categories.sort();
    categories.dedup();
    categories
}

async fn front_page(turn: &mut Turn<'_, '_>, message_id: Option<i64>) -> Result<()> {
    let products = products_for_sale(turn.ctx.store, bot_currency(turn.ctx.bot)?, None).await?;
    if products.is_empty() {
        return turn.say("shop-empty", &[]).await;
    }
    let categories = categories(&products);
    if categories.len() <= 1 {
        // Boxed: the list goes back to this page when its category vanished meanwhile.
        return Box::pin(product_list(turn, None, 1, message_id)).await;
    }
    let mut buttons: Keyboard = categories
        .iter()
        .enumerate()
        .map(|(i, c)| vec![Button::callback(c.clone(), format!("s:cat:{i}:1"))])
        .collect();
    buttons.push(vec![cart_button(turn).await?]);
    let text = turn.text("shop-choose-category", &[]);
    turn.replace_or_send(message_id, text, buttons).await
}

async fn product_list(
    turn: &mut Turn<'_, '_>,
    category: Option<i64>,
    page: i64,
    message_id: Option<i64>,
) -> Result<()> {
    let currency = bot_currency(turn.ctx.bot)?;
    let all = products_for_sale(turn.ctx.store, currency, None).await?;
    let names = categories(&all);
    let (products, title) = match category {
        Some(i) => {
            let Some(name) = usize::try_from(i).ok().and_then(|i| names.get(i)) else {
                return front_page(turn, message_id).await;
            };
            let products: Vec<Product> = all
                .iter()
                .filter(|p| p.category.as_deref() == Some(name.as_str()))
                .cloned()
                .collect();
            (products, Some(name.clone()))
        }
        None => (all, None),
    };
    let size = turn.ctx.shop.page_size.max(1) as i64;
    let pages = ((products.len() as i64 + size - 1) / size).max(1);
    let page = page.clamp(1, pages);
    let language = turn.speaking().to_owned();
    let mut buttons: Keyboard = products
        .iter()
        .skip(((page - 1) * size) as usize)
        .take(size as usize)
        .map(|p| {
            let title = p
                .text(&language)
                .map_or(p.handle.as_str(), |t| t.title.as_str());
            let from = p
                .variants
                .iter()
                .filter_map(|v| v.price(currency))
                .map(|pr| pr.amount)
                .min();
            let label = match from {
                Some(amount) => format!("{title} · {}", price_text(currency, amount)),
                None => title.to_owned(),
            };
            vec![Button::callback(label, format!("s:p:{}", p.id.0))]
        })
        .collect();
    let page_data = |n: i64| match category {
        Some(c) => format!("s:cat:{c}:{n}"),
        None => format!("s:all:{n}"),
    };
    let mut navigation = Vec::new();
    if page > 1 {
        navigation.push(Button::callback(
            turn.text("shop-previous", &[]),
            page_data(page - 1),
        ));
    }
    if page < pages {
        navigation.push(Button::callback(
            turn.text("shop-next", &[]),
            page_data(page + 1),
        ));
    }
    if !navigation.is_empty() {
        buttons.push(navigation);
    }
    let mut last_row = vec![cart_button(turn).await?];
    if names.len() > 1 {
        last_row.insert(0, Button::callback(turn.text("shop-back", &[]), "s:home"));
    }
    buttons.push(last_row);
    let (page, pages) = (page.to_string(), pages.to_string());
    let text = match &title {
        Some(category) => turn.text(
            "shop-category-products",
            &[("category", category), ("page", &page), ("pages", &pages)],
        ),
        None => turn.text("shop-all-products", &[("page", &page), ("pages", &pages)]),
    };
    turn.replace_or_send(message_id, text, buttons).await
}

async fn cart_button(turn: &mut Turn<'_, '_>) -> Result<Button> {
    let count: i64 = turn
        .tx
        .cart(turn.customer.id)
        .await?
        .iter()
        .map(|l| l.quantity)
        .sum();
    Ok(Button::callback(
        turn.text("shop-view-cart", &[("count", &count.to_string())]),
        "c:view",
    ))
}

/// Descriptions are seller HTML; chat and the Mini App show them as plain text.
pub fn plain(html: &str) -> String {
    let mut text = String::with_capacity(html.len());
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    text.replace("&amp;", "&")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Related products shown under a product card.
const SUGGESTIONS_ON_CARD: usize = 2;
/// Related products offered with the thanks for a payment.
const SUGGESTIONS_AFTER_PAYMENT: usize = 3;

/// A button per suggested product, opening its card: `✨ title · from price`.
fn suggestion_buttons(turn: &Turn<'_, '_>, products: &[Product], currency: Currency) -> Keyboard {
    let language = turn.speaking();
    products
        .iter()
        .map(|product| {
            let title = product
                .text(language)
                .map_or(product.handle.as_str(), |t| t.title.as_str());
            let title: String = title.chars().take(40).collect();
            let from = product
                .variants
                .iter()
                .filter(|v| v.stock > 0)
                .filter_map(|v| v.price(currency))
                .map(|p| p.amount)
                .min()
                .unwrap_or(0);
            vec![Button::callback(
                format!("✨ {title} · {}", price_text(currency, from)),
                format!("s:p:{}", product.id.0),
            )]
        })
        .collect()
}

async fn product_card(turn: &mut Turn<'_, '_>, product: &Product) -> Result<()> {
    let currency = bot_currency(turn.ctx.bot)?;
    checkout::product_viewed(
        turn.tx,
        turn.ctx.bot,
        &turn.customer,
        Some(product.id),
        turn.incoming.at,
    )
    .await?;
    let language = turn.speaking().to_owned();
    let text = product.text(&language);
    let title = text.map_or(product.handle.as_str(), |t| t.title.as_str());
    let mut caption = title.to_owned();
    if let Some(description) = text
        .map(|t| plain(&t.description_html))
        .filter(|d| !d.is_empty())
    {
        // Photo captions are limited to 1024 characters.
        let short: String = description.chars().take(600).collect();
        caption.push_str("\n\n");
        caption.push_str(&short);
    }
    let sellable: Vec<&Variant> = product
        .variants
        .iter()
        .filter(|v| v.price(currency).is_some())
        .collect();
    if let Some(price) = sellable
        .iter()
        .filter_map(|v| v.price(currency))
        .min_by_key(|p| p.amount)
    {
        caption.push_str("\n\n");
        caption.push_str(&turn.text(
            "shop-product-price",
            &[("price", &price_text(currency, price.amount))],
        ));
        if let Some(was) = price.compare_at.filter(|w| *w > price.amount) {
            caption.push(' ');
            caption
                .push_str(&turn.text("shop-product-was", &[("price", &price_text(currency, was))]));
        }
    }
    let stock: i64 = sellable.iter().map(|v| v.stock).sum();
    caption.push('\n');
    caption.push_str(&match stock {
        0 => turn.text("shop-sold-out", &[]),
        1..=5 => turn.text("shop-few-left", &[("count", &stock.to_string())]),
        _ => turn.text("shop-in-stock", &[]),
    });
    let mut buttons: Keyboard = sellable
        .iter()
        .map(|v| {
            let name = if v.option_values.is_empty() {
                title.to_owned()
            } else {
                v.option_values.join(" / ")
            };
            let amount = v.price(currency).map_or(0, |p| p.amount);
            if v.stock > 0 {
                let label = format!("🛒 {name} · {}", price_text(currency, amount));
                vec![Button::callback(label, format!("c:add:{}", v.id.0))]
            } else {
                vec![
                    Button::callback(
                        turn.text("shop-variant-sold-out", &[("variant", &name)]),
                        "s:x",
                    ),
                    crate::automation_chat::notify_button(turn, v.id),
                ]
            }
        })
        .collect();
    let suggestions = crate::recommend::for_products(
        turn.ctx.store,
        &[product.id],
        Some(turn.customer.id),
        currency,
        turn.incoming.at,
        SUGGESTIONS_ON_CARD,
    )
    .await?;
    buttons.extend(suggestion_buttons(turn, &suggestions, currency));
    buttons.push(vec![cart_button(turn).await?]);
    let action = match product.images.first() {
        Some(image) => Action::SendPhoto {
            photo: image.src.clone(),
            caption,
            buttons,
        },
        None => Action::SendText {
            text: caption,
            buttons,
        },
    };
    turn.send(action).await
}

async fn change_cart(
    turn: &mut Turn<'_, '_>,
    callback_id: &str,
    verb: &str,
    variant_id: VariantId,
    message_id: Option<i64>,
) -> Result<()> {
    let current = turn
        .tx
        .cart(turn.customer.id)
        .await?
        .iter()
        .find(|l| l.variant_id == variant_id)
        .map_or(0, |l| l.quantity);
    let wanted = match verb {
        "add" | "inc" => current + 1,
        "dec" => current - 1,
        _ => 0,
    }
    .max(0);
    let currency = bot_currency(turn.ctx.bot)?;
    let changed = checkout::set_quantity(
        turn.tx,
        turn.ctx.store,
        &turn.customer,
        currency,
        variant_id,
        wanted,
        turn.incoming.at,
    )
    .await;
    let toast = match changed {
        Ok(()) => None,
        Err(Error::NotFound(_)) => {
            // Gone from the shop: it leaves the cart too.
            turn.tx
                .set_cart_quantity(turn.customer.id, variant_id, 0, None, turn.incoming.at)
                .await?;
            Some(turn.text("shop-not-available", &[]))
        }
        Err(Error::Conflict(_)) => {
            let item = variant_name(turn.ctx.store, turn.speaking(), variant_id).await?;
            Some(turn.text("shop-no-more-stock", &[("item", &item)]))
        }
        Err(other) => return Err(other),
    };
    if toast.is_some() {
        return turn.answer(callback_id, toast).await;
    }
    if verb == "add" {
        let item = variant_name(turn.ctx.store, turn.speaking(), variant_id).await?;
        let text = turn.text("shop-added", &[("item", &item)]);
        turn.answer(callback_id, Some(text)).await
    } else {
        turn.answer(callback_id, None).await?;
        show_cart(turn, message_id).await
    }
}

/// A variant's name in the customer's language, for toasts.
async fn variant_name(store: &dyn Store, language: &str, variant_id: VariantId) -> Result<String> {
    let products = store.products_of_variants(&[variant_id]).await?;
    Ok(products
        .iter()
        .find_map(|p| {
            p.variants
                .iter()
                .find(|v| v.id == variant_id)
                .map(|v| item_name(p, v, language))
        })
        .unwrap_or_default())
}

async fn show_cart(turn: &mut Turn<'_, '_>, message_id: Option<i64>) -> Result<()> {
    let currency = bot_currency(turn.ctx.bot)?;
    let items = checkout::cart_items(turn.tx, turn.ctx.store, &turn.customer).await?;
    if items.is_empty() {
        let text = turn.text("cart-empty", &[]);
        return turn.replace_or_send(message_id, text, Vec::new()).await;
    }
    let language = turn.speaking().to_owned();
    let mut text = turn.text("cart-title", &[]);
    let mut total = 0i64;
    let mut buttons: Keyboard = Vec::new();
    for cart_item in &items {
        let (variant_id, quantity) = (&cart_item.variant_id, &cart_item.quantity);
        let Some((product, variant)) = &cart_item.current else {
            continue;
        };
        let item = item_name(product, variant, &language);
        let unit = variant.price(currency).map_or(0, |p| p.amount);
        let line_total = unit.saturating_mul(*quantity);
        total = total.saturating_add(line_total);
        text.push('\n');
        text.push_str(&turn.text(
            "cart-line",
            &[
                ("quantity", &quantity.to_string()),
                ("item", &item),
                ("total", &price_text(currency, line_total)),
            ],
        ));
        let short: String = item.chars().take(24).collect();
        buttons.push(vec![
            Button::callback("−", format!("c:dec:{}", variant_id.0)),
            Button::callback(
                format!("{short} ×{quantity}"),
                format!("s:p:{}", product.id.0),
            ),
            Button::callback("+", format!("c:inc:{}", variant_id.0)),
            Button::callback(
                turn.text("cart-remove", &[]),
                format!("c:rm:{}", variant_id.0),
            ),
        ]);
    }
    let priced = crate::discounts::price_customer_cart(
        turn.tx,
        turn.ctx.store,
        turn.ctx.bot,
        &turn.customer,
        &items,
        turn.incoming.at,
    )
    .await?;
    for line in crate::discounts::cart_lines(turn.ctx.texts, &language, currency, &priced) {
        text.push('\n');
        text.push_str(&line);
    }
    // Shipping is added at payment; the total is what the goods cost after discounts.
    let line_discounts: i64 = priced.discounts.iter().map(|d| d.amount).sum();
    let total = total.saturating_sub(line_discounts);
    text.push_str("\n\n");
    text.push_str(&turn.text("cart-total", &[("total", &price_text(currency, total))]));
    buttons.push(vec![Button::callback(
        turn.text("cart-checkout", &[]),
        "c:pay",
    )]);
    turn.replace_or_send(message_id, text, buttons).await
}

async fn checkout(turn: &mut Turn<'_, '_>) -> Result<()> {
    let language = turn.speaking().to_owned();
    let outcome = checkout::checkout(
        turn.tx,
        turn.ctx.store,
        turn.ctx.bot,
        turn.ctx.shop,
        &turn.customer,
        &language,
        turn.incoming.at,
    )
    .await?;
    let problems = match outcome {
        Checkout::Placed { order, physical } => return invoice(turn, &order, physical).await,
        Checkout::Empty => return turn.say("cart-empty", &[]).await,
        Checkout::Problems(problems) => problems,
    };
    let mut text = turn.text("checkout-problems", &[]);
    let language = turn.speaking().to_owned();
    for problem in &problems {
        text.push('\n');
        text.push_str(&problem.describe(turn.ctx.texts, &language));
    }
    text.push_str("\n\n");
    text.push_str(&turn.text("checkout-fix", &[]));
    turn.send(Action::SendText {
        text,
        buttons: Vec::new(),
    })
    .await?;
    show_cart(turn, None).await
}

async fn invoice(turn: &mut Turn<'_, '_>, order: &Order, physical: bool) -> Result<()> {
    let number = order.id.0.to_string();
    let minutes = turn.ctx.shop.reservation.num_minutes().to_string();
    turn.say(
        "checkout-created",
        &[("order", &number), ("minutes", &minutes)],
    )
    .await?;
    let language = turn.speaking().to_owned();
    let invoice = checkout::invoice(turn.ctx.texts, turn.ctx.bot, &language, order, physical);
    turn.send(Action::SendInvoice(invoice)).await?;
    // Digital goods must be paid in Stars, so paying by hand is offered only for the rest.
    if turn.ctx.bot.manual_payment.is_some() && order.currency != Currency::STARS {
        let button = Button::callback(
            turn.text("shop-pay-manually", &[]),
            format!("c:manual:{}", order.id.0),
        );
        let text = turn.text("checkout-manual-offer", &[]);
        turn.send(Action::SendText {
            text,
            buttons: vec![vec![button]],
        })
        .await?;
    }
    Ok(())
}

/// The customer will pay by bank transfer or on delivery: the order keeps its stock longer,
/// the customer gets the seller's instructions, and staff are asked to confirm the payment.
async fn pay_manually(turn: &mut Turn<'_, '_>, callback_id: &str, id: OrderId) -> Result<()> {
    let Some(manual) = turn.ctx.bot.manual_payment.clone() else {
        return turn.expired(callback_id).await;
    };
    let order = turn.tx.order_for_update(id).await?;
    let Some(order) = order
        .filter(|o| o.customer_id == turn.customer.id && o.status == OrderStatus::PendingPayment)
    else {
        return turn.expired(callback_id).await;
    };
    turn.answer(callback_id, None).await?;
    turn.tx
        .extend_reservation(id, turn.incoming.at + manual.reservation)
        .await?;
    let e = event(
        turn.ctx,
        turn.incoming,
        &turn.customer,
        "manual_payment_chosen",
    )
    .data(json!({ "order": id.0 }));
    turn.tx.append_event(&e).await?;
    let number = id.0.to_string();
    let days = manual.reservation.num_days().to_string();
    let total = price_text(order.currency, order.total);
    let mut text = turn.text(
        "order-manual-chosen",
        &[("order", &number), ("days", &days), ("total", &total)],
    );
    text.push_str("\n\n");
    text.push_str(&manual.instructions);
    turn.send(Action::SendText {
        text,
        buttons: Vec::new(),
    })
    .await?;
    let name = turn.customer.first_name.clone();
    crate::staff::manual_payment_notice(turn.tx, turn.ctx, &order, &name, turn.incoming.at).await
}

fn order_of_payload(payload: &str) -> Option<OrderId> {
    payload.strip_prefix("order:")?.parse().ok().map(OrderId)
}

pub(crate) async fn payment(turn: &mut Turn<'_, '_>) -> Result<()> {
    match turn.incoming.kind.clone() {
        IncomingKind::ShippingQuery {
            query_id,
            payload,
            shipping_address,
        } => shipping_query(turn, &query_id, &payload, &shipping_address).await,
        IncomingKind::PreCheckout {
            query_id,
            currency,
            total_amount,
            payload,
            shipping_address,
            shipping_option_id,
        } => {
            let asked = Asked {
                currency,
                total_amount,
                payload,
                shipping_address,
                shipping_option_id,
            };
            pre_checkout(turn, &query_id, asked).await
        }
        IncomingKind::PaymentReceived {
            currency,
            total_amount,
            payload,
            telegram_charge_id,
            provider_charge_id,
            shipping_address,
            ..
        } => {
            let received = Received {
                currency,
                total_amount,
                payload,
                telegram_charge_id,
                provider_charge_id,
                shipping_address,
            };
            payment_received(turn, received).await
        }
        _ => Ok(()),
    }
}

/// The unpaid order of this customer that a payment payload names, locked, or the reason
/// (a message id) why it cannot be paid.
async fn payable_order(
    turn: &mut Turn<'_, '_>,
    payload: &str,
) -> Result<std::result::Result<Order, &'static str>> {
    let order = match order_of_payload(payload) {
        Some(id) => turn.tx.order_for_update(id).await?,
        None => None,
    };
    Ok(match order {
        Some(o) if o.customer_id != turn.customer.id => Err("precheckout-mismatch"),
        Some(o) if o.status != OrderStatus::PendingPayment => Err("precheckout-expired"),
        Some(o) => Ok(o),
        None => Err("precheckout-mismatch"),
    })
}

/// Telegram asks which shipping options serve the address the customer typed for a
/// flexible invoice: the bot's rates for that country, or a reason why none.
async fn shipping_query(
    turn: &mut Turn<'_, '_>,
    query_id: &str,
    payload: &str,
    address: &crate::shop::ShippingAddress,
) -> Result<()> {
    let country = address.country_code.to_uppercase();
    let options = match payable_order(turn, payload).await? {
        Ok(order) => {
            // A free-shipping discount of the order comes off every option.
            let allowance = crate::discounts::shipping_allowance(&order);
            let mut options =
                shipping::quotes(&turn.ctx.bot.shipping_rates, &country, order.subtotal);
            for option in &mut options {
                option.amount = (option.amount - allowance).max(0);
            }
            if options.is_empty() {
                Err("shipping-not-available")
            } else {
                Ok((order.id, options))
            }
        }
        Err(reason) => Err(reason),
    };
    let e = event(turn.ctx, turn.incoming, &turn.customer, "shipping_query").data(json!({
        "order": options.as_ref().ok().map(|(id, _)| id.0),
        "country": country,
        "options": options.as_ref().map_or(0, |(_, o)| o.len()),
        "reason": options.as_ref().err(),
    }));
    turn.tx.append_event(&e).await?;
    let action = match options {
        Ok((_, options)) => Action::AnswerShipping {
            query_id: query_id.to_owned(),
            options,
            error_message: None,
        },
        Err(reason) => Action::AnswerShipping {
            query_id: query_id.to_owned(),
            options: Vec::new(),
            error_message: Some(turn.text(reason, &[("country", &country)])),
        },
    };
    turn.send(action).await
}

/// What a pre-checkout query asks to be paid.
struct Asked {
    currency: String,
    total_amount: i64,
    payload: String,
    shipping_address: Option<crate::shop::ShippingAddress>,
    shipping_option_id: Option<String>,
}

/// Telegram's last check before charging: the order must still wait for exactly this
/// payment. A chosen shipping option is priced again and kept on the order, so the payment
/// that follows matches its total. Answered through the outbox, which sends query answers
/// ahead of any limit.
async fn pre_checkout(turn: &mut Turn<'_, '_>, query_id: &str, asked: Asked) -> Result<()> {
    let verdict = match payable_order(turn, &asked.payload).await? {
        Ok(order) if order.currency.code() != asked.currency => Err("precheckout-mismatch"),
        Ok(order) => match (&asked.shipping_option_id, &asked.shipping_address) {
            (Some(option), Some(address)) => {
                let rates = &turn.ctx.bot.shipping_rates;
                let allowance = crate::discounts::shipping_allowance(&order);
                let goods = order.subtotal - order.discount;
                let quote = shipping::quote(rates, option, &address.country_code, order.subtotal);
                match quote.map(|q| (q.id, (q.amount - allowance).max(0))) {
                    Some((id, cost)) if goods + cost == asked.total_amount => {
                        turn.tx.set_shipping_option(order.id, &id, cost).await?;
                        Ok(order.id)
                    }
                    Some(_) => Err("precheckout-mismatch"),
                    None => Err("precheckout-shipping-changed"),
                }
            }
            (Some(_), None) => Err("precheckout-mismatch"),
            (None, _) if order.total == asked.total_amount => Ok(order.id),
            (None, _) => Err("precheckout-mismatch"),
        },
        Err(reason) => Err(reason),
    };
    let e = event(turn.ctx, turn.incoming, &turn.customer, "pre_checkout").data(json!({
        "order": verdict.as_ref().ok().map(|id| id.0),
        "accepted": verdict.is_ok(),
        "reason": verdict.as_ref().err(),
        "shipping_option": asked.shipping_option_id,
    }));
    turn.tx.append_event(&e).await?;
    let error_message = verdict.err().map(|id| turn.text(id, &[]));
    turn.send(Action::AnswerPreCheckout {
        query_id: query_id.to_owned(),
        ok: error_message.is_none(),
        error_message,
    })
    .await
}

struct Received {
    currency: String,
    total_amount: i64,
    payload: String,
    telegram_charge_id: String,
    provider_charge_id: Option<String>,
    shipping_address: Option<crate::shop::ShippingAddress>,
}

async fn payment_received(turn: &mut Turn<'_, '_>, paid: Received) -> Result<()> {
    let Some(order_id) = order_of_payload(&paid.payload) else {
        let e = event(turn.ctx, turn.incoming, &turn.customer, "payment_unmatched")
            .data(json!({ "payload": paid.payload, "charge": paid.telegram_charge_id }));
        return turn.tx.append_event(&e).await;
    };
    let currency: Currency = paid
        .currency
        .parse()
        .map_err(|e| Error::Invalid(format!("payment currency: {e}")))?;
    let payment = Payment {
        order_id,
        method: if currency == Currency::STARS {
            PaymentMethod::Stars
        } else {
            PaymentMethod::Telegram
        },
        currency,
        amount: paid.total_amount,
        charge_id: paid.telegram_charge_id.clone(),
        provider_charge_id: paid.provider_charge_id.clone(),
        at: turn.incoming.at,
    };
    if !turn.tx.record_payment(&payment).await? {
        // Telegram delivered the same payment twice: it was handled the first time.
        let e = event(turn.ctx, turn.incoming, &turn.customer, "payment_duplicate")
            .data(json!({ "order": order_id.0, "charge": payment.charge_id }));
        return turn.tx.append_event(&e).await;
    }
    let order = turn.tx.order_for_update(order_id).await?;
    let number = order_id.0.to_string();
    let matches = order.as_ref().is_some_and(|o| {
        o.status == OrderStatus::PendingPayment
            && o.currency == currency
            && o.total == paid.total_amount
    });
    if !matches {
        let e = event(
            turn.ctx,
            turn.incoming,
            &turn.customer,
            "payment_needs_attention",
        )
        .data(json!({
            "order": order_id.0,
            "status": order.as_ref().map(|o| o.status.as_str()),
            "amount": paid.total_amount,
            "currency": paid.currency,
        }));
        turn.tx.append_event(&e).await?;
        return turn.say("order-paid-late", &[("order", &number)]).await;
    }
    if let Some(address) = &paid.shipping_address {
        turn.tx.set_shipping_address(order_id, address).await?;
    }
    let paid_order = turn
        .tx
        .transition_order(
            order_id,
            &Transition {
                from: OrderStatus::PendingPayment,
                to: OrderStatus::Paid,
                actor: "customer".into(),
                note: None,
                at: turn.incoming.at,
            },
        )
        .await?;
    // Paid orders decide the customer's lifecycle stage.
    turn.tx
        .schedule_job(&crate::crm::refresh_job(
            paid_order.customer_id,
            turn.incoming.at,
        ))
        .await?;
    let name = match &turn.customer.username {
        Some(username) => format!("{} (@{username})", turn.customer.first_name),
        None => turn.customer.first_name.clone(),
    };
    // A group-buy order goes ahead (and to staff) only once its team is full.
    let ready = match crate::group_buy::order_paid(
        turn.tx,
        turn.ctx.store,
        turn.ctx.texts,
        &paid_order,
        turn.incoming.at,
    )
    .await?
    {
        crate::group_buy::TeamPayment::NotGroupBuy => vec![(paid_order.clone(), name)],
        crate::group_buy::TeamPayment::Waiting => Vec::new(),
        crate::group_buy::TeamPayment::Completed(orders) => {
            let mut ready = Vec::new();
            for order in orders {
                let customer = turn.tx.customer(order.customer_id).await?;
                let name = customer.map_or_else(String::new, |c| match c.username {
                    Some(username) => format!("{} (@{username})", c.first_name),
                    None => c.first_name,
                });
                ready.push((order, name));
            }
            ready
        }
    };
    for (order, name) in &ready {
        crate::staff::order_paid_notice(turn.tx, turn.ctx, order, name, turn.incoming.at).await?;
    }
    crate::referral::order_paid(turn.tx, turn.ctx.texts, &paid_order, turn.incoming.at).await?;
    crate::points::order_paid(turn.tx, &paid_order, turn.incoming.at).await?;
    let e = event(turn.ctx, turn.incoming, &turn.customer, "order_paid").data(json!({
        "order": order_id.0,
        "amount": paid.total_amount,
        "currency": paid.currency,
    }));
    turn.tx.append_event(&e).await?;
    let total = price_text(currency, paid.total_amount);
    let mut text = turn.text("order-paid", &[("order", &number), ("total", &total)]);
    let bought: Vec<_> = paid_order.lines.iter().map(|l| l.product_id).collect();
    let suggestions = crate::recommend::for_products(
        turn.ctx.store,
        &bought,
        Some(turn.customer.id),
        currency,
        turn.incoming.at,
        SUGGESTIONS_AFTER_PAYMENT,
    )
    .await?;
    if !suggestions.is_empty() {
        text.push_str("\n\n");
        text.push_str(&turn.text("shop-also-like", &[]));
    }
    let buttons = suggestion_buttons(turn, &suggestions, currency);
    turn.send(Action::SendText { text, buttons }).await
}

async fn show_orders(turn: &mut Turn<'_, '_>) -> Result<()> {
    let orders = turn
        .ctx
        .store
        .orders(&OrderQuery {
            customer: Some(turn.customer.id),
            status: None,
            before: None,
            limit: 10,
        })
        .await?;
    if orders.is_empty() {
        return turn.say("orders-none", &[]).await;
    }
    let mut text = turn.text("orders-title", &[]);
    let mut buttons = Vec::new();
    for order in &orders {
        let status = turn.text(&format!("order-status-{}", order.status.as_str()), &[]);
        text.push('\n');
        text.push_str(&turn.text(
            "orders-line",
            &[
                ("order", &order.id.0.to_string()),
                ("date", &order.created_at.format("%Y-%m-%d").to_string()),
                ("total", &price_text(order.currency, order.total)),
                ("status", &status),
            ],
        ));
        buttons.push(vec![Button::callback(
            format!("#{} · {status}", order.id.0),
            format!("o:{}", order.id.0),
        )]);
    }
    turn.send(Action::SendText { text, buttons }).await
}

/// Answers free text that asks about an order ("where is my order #1042", "1042",
/// "我的订单 1042 到哪了"): the order with that number if it is the customer's, or their
/// recent orders when no number is given. `false` when the text is not about orders.
pub(crate) async fn order_question(turn: &mut Turn<'_, '_>, text: &str) -> Result<bool> {
    let lowered = text.to_lowercase();
    let language = turn.speaking().to_owned();
    let mentions_orders = [language.as_str(), "en"].into_iter().any(|language| {
        turn.ctx
            .texts
            .get(language, "order-words", &[])
            .split(',')
            .map(str::trim)
            .any(|word| !word.is_empty() && lowered.contains(word))
    });
    let bare_number = text.trim().trim_start_matches('#').trim();
    let just_a_number = !bare_number.is_empty() && bare_number.bytes().all(|b| b.is_ascii_digit());
    match order_number(text) {
        Some(id) if mentions_orders || just_a_number => show_order(turn, id).await?,
        None if mentions_orders => show_orders(turn).await?,
        _ => return Ok(false),
    }
    Ok(true)
}

/// The first run of ASCII digits in `text` that could be an order number.
fn order_number(text: &str) -> Option<OrderId> {
    text.split(|c: char| !c.is_ascii_digit())
        .find(|digits| !digits.is_empty())
        .filter(|digits| digits.len() <= 15)
        .and_then(|digits| digits.parse().ok())
        .map(OrderId)
}

async fn show_order(turn: &mut Turn<'_, '_>, id: OrderId) -> Result<()> {
    let order = turn.ctx.store.order(id).await?;
    let Some(order) = order.filter(|o| o.customer_id == turn.customer.id) else {
        return turn
            .say("order-lookup-unknown", &[("order", &id.0.to_string())])
            .await;
    };
    let status = turn.text(&format!("order-status-{}", order.status.as_str()), &[]);
    let mut text = turn.text(
        "order-details",
        &[("order", &id.0.to_string()), ("status", &status)],
    );
    for line in &order.lines {
        text.push('\n');
        text.push_str(&turn.text(
            "cart-line",
            &[
                ("quantity", &line.quantity.to_string()),
                ("item", &line.title),
                ("total", &price_text(order.currency, line.total())),
            ],
        ));
    }
    text.push('\n');
    text.push_str(&turn.text(
        "cart-total",
        &[("total", &price_text(order.currency, order.total))],
    ));
    if let (Some(carrier), Some(tracking)) = (&order.carrier, &order.tracking_number) {
        text.push('\n');
        text.push_str(&turn.text(
            "order-tracking",
            &[("carrier", carrier), ("tracking", tracking)],
        ));
    }
    for step in &order.timeline {
        let status = turn.text(&format!("order-status-{}", step.status.as_str()), &[]);
        text.push('\n');
        text.push_str(&turn.text(
            "order-timeline-line",
            &[
                ("date", &step.at.format("%Y-%m-%d %H:%M UTC").to_string()),
                ("status", &status),
            ],
        ));
    }
    turn.send(Action::SendText {
        text,
        buttons: Vec::new(),
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deep_link_targets() {
        assert_eq!(start_target("shop"), Some(Target::Shop));
        assert_eq!(
            start_target("p-summer-dress"),
            Some(Target::Product("summer-dress".into()))
        );
        assert_eq!(start_target("p-"), None);
        assert_eq!(start_target("p-Bad_Handle"), None);
        assert_eq!(start_target("campaign42"), None);
    }

    #[test]
    fn prices_in_chat() {
        assert_eq!(price_text("USD".parse().unwrap(), 1999), "19.99 USD");
        assert_eq!(price_text("JPY".parse().unwrap(), 1500), "1500 JPY");
        assert_eq!(price_text(Currency::STARS, 150), "⭐ 150");
    }

    #[test]
    fn descriptions_become_plain_text() {
        assert_eq!(
            plain("<p>Light &amp; soft</p>\n<ul><li>cotton</li></ul>"),
            "Light & soft cotton"
        );
    }

    #[test]
    fn order_numbers_in_free_text() {
        assert_eq!(
            order_number("where is my order #1042?"),
            Some(OrderId(1042))
        );
        assert_eq!(order_number("我的订单1042到哪了"), Some(OrderId(1042)));
        assert_eq!(order_number("pedido nº 77"), Some(OrderId(77)));
        assert_eq!(order_number("where is my parcel"), None);
        assert_eq!(order_number("9999999999999999999999"), None);
    }

    #[test]
    fn payloads_name_orders() {
        assert_eq!(order_of_payload("order:42"), Some(OrderId(42)));
        assert_eq!(order_of_payload("order:x"), None);
        assert_eq!(order_of_payload("42"), None);
    }
}
