//! Payment methods: sendInvoice, createInvoiceLink, answerShippingQuery (which turns the
//! user's shipping choice into a `pre_checkout_query`), answerPreCheckoutQuery (which turns an
//! accepted query into a `successful_payment` message) and refundStarPayment.

use std::collections::HashSet;

use serde_json::{json, Value};

use super::messages::{reply_markup, send};
use super::Ctx;
use crate::error::{ApiError, ApiOk};
use crate::params::Params;
use crate::state::{add_order_fields, InvoiceData};
use crate::types::PaymentStatus;

const STARS: &str = "XTR";

/// The amounts of a JSON array of `LabeledPrice`, or the Bot API's error text.
fn labeled_amounts(prices: &Value) -> Result<Vec<i64>, String> {
    let items = prices
        .as_array()
        .ok_or("Expected an Array of labeled prices")?;
    if items.is_empty() {
        return Err("There must be at least one price".into());
    }
    items
        .iter()
        .map(|item| {
            let label = item.get("label").and_then(Value::as_str).unwrap_or("");
            if label.is_empty() {
                return Err(
                    "Can't parse labeled price: LabeledPrice label must be non-empty".into(),
                );
            }
            item.get("amount").and_then(Value::as_i64).ok_or_else(|| {
                "Can't parse labeled price: Field \"amount\" must be a valid Number".into()
            })
        })
        .collect()
}

/// The invoice fields shared by sendInvoice and createInvoiceLink.
fn invoice_data(params: &Params) -> Result<InvoiceData, ApiError> {
    let title = params.required_str("title")?;
    let description = params.required_str("description")?;
    let payload = params.required_str("payload")?;
    let currency = params.required_str("currency")?;
    let prices = params
        .json("prices", "Can't parse prices JSON object")?
        .ok_or_else(|| ApiError::bad_request("parameter \"prices\" is required"))?;
    let provider_token = params.str("provider_token")?.unwrap_or_default();
    let start_parameter = params.str("start_parameter")?.unwrap_or_default();

    if title.chars().count() > 32 {
        return Err(ApiError::bad_request(
            "invoice title must be 1-32 characters",
        ));
    }
    if description.chars().count() > 255 {
        return Err(ApiError::bad_request(
            "invoice description must be 1-255 characters",
        ));
    }
    if payload.len() > 128 {
        return Err(ApiError::bad_request("invoice payload must be 1-128 bytes"));
    }
    if currency.len() != 3 || !currency.bytes().all(|b| b.is_ascii_uppercase()) {
        return Err(ApiError::bad_request("CURRENCY_INVALID"));
    }
    let amounts = labeled_amounts(&prices).map_err(ApiError::bad_request)?;
    let total = amounts.iter().fold(0i64, |sum, a| sum.saturating_add(*a));
    if total <= 0 {
        return Err(ApiError::bad_request("CURRENCY_TOTAL_AMOUNT_INVALID"));
    }
    if currency == STARS {
        if !provider_token.is_empty() {
            return Err(ApiError::bad_request(
                "provider_token must be empty for payments in Telegram Stars",
            ));
        }
        if amounts.len() != 1 {
            return Err(ApiError::bad_request(
                "payments in Telegram Stars must have exactly one price",
            ));
        }
        if params.i64("max_tip_amount")?.unwrap_or(0) != 0 {
            return Err(ApiError::bad_request(
                "tips are not allowed in Telegram Stars",
            ));
        }
    } else if provider_token.is_empty() {
        return Err(ApiError::bad_request("PAYMENT_PROVIDER_INVALID"));
    }
    // The form flags are ignored for Stars. Otherwise, as the Bot API server (tdlib) does, a
    // flexible price implies asking for the address, and data sent to the provider implies
    // asking for it.
    let asks = |flags: &[&str]| -> Result<bool, ApiError> {
        if currency == STARS {
            return Ok(false);
        }
        for flag in flags {
            if params.bool(flag)? {
                return Ok(true);
            }
        }
        Ok(false)
    };
    Ok(InvoiceData {
        need_name: asks(&["need_name"])?,
        need_phone_number: asks(&["need_phone_number", "send_phone_number_to_provider"])?,
        need_email: asks(&["need_email", "send_email_to_provider"])?,
        need_shipping_address: asks(&["need_shipping_address", "is_flexible"])?,
        is_flexible: asks(&["is_flexible"])?,
        title,
        description,
        payload,
        currency,
        total_amount: total,
        start_parameter,
    })
}

pub(super) fn send_invoice(ctx: &mut Ctx<'_>, params: &Params) -> Result<ApiOk, ApiError> {
    let chat_id = ctx.world.resolve_chat(params)?;
    let invoice = invoice_data(params)?;
    let markup = reply_markup(params, true)?;
    let content = json!({
        "invoice": {
            "title": invoice.title,
            "description": invoice.description,
            "start_parameter": invoice.start_parameter,
            "currency": invoice.currency,
            "total_amount": invoice.total_amount,
        }
    });
    send(
        ctx,
        params,
        "sendInvoice",
        chat_id,
        content,
        markup,
        Some(invoice),
    )
}

pub(super) fn create_invoice_link(ctx: &mut Ctx<'_>, params: &Params) -> Result<ApiOk, ApiError> {
    let invoice = invoice_data(params)?;
    let link = format!("https://t.me/${}", ctx.world.random_token(22));
    ctx.world
        .bot(ctx.bot_id)
        .invoice_links
        .insert(link.clone(), invoice);
    Ok(ApiOk::new(json!(link)))
}

fn query_invalid() -> ApiError {
    ApiError::bad_request("query is too old and response timeout expired or query ID is invalid")
}

/// One offered shipping option: its id and the sum of its prices.
struct ShippingOffer {
    id: String,
    amount: i64,
}

/// The `shipping_options` of answerShippingQuery, checked like the Bot API does; ids must be
/// unique and amounts non-negative.
fn shipping_offers(options: &Value) -> Result<Vec<ShippingOffer>, ApiError> {
    let items = options
        .as_array()
        .ok_or_else(|| ApiError::bad_request("Expected an Array of shipping options"))?;
    let invalid =
        |what: &str| ApiError::bad_request(format!("Can't parse shipping option: {what}"));
    let mut offers = Vec::with_capacity(items.len());
    let mut ids = HashSet::new();
    for item in items {
        if !item.is_object() {
            return Err(invalid("ShippingOption must be an Object"));
        }
        let id = item.get("id").and_then(Value::as_str).unwrap_or("");
        if id.is_empty() {
            return Err(invalid("ShippingOption identifier must be non-empty"));
        }
        let title = item.get("title").and_then(Value::as_str).unwrap_or("");
        if title.is_empty() {
            return Err(invalid("ShippingOption title must be non-empty"));
        }
        let amounts = labeled_amounts(item.get("prices").unwrap_or(&Value::Null))
            .map_err(|e| invalid(&format!("Can't parse shipping option prices: {e}")))?;
        if amounts.iter().any(|a| *a < 0) {
            return Err(invalid(
                "Can't parse shipping option prices: amounts must not be negative",
            ));
        }
        if !ids.insert(id) {
            return Err(ApiError::bad_request(format!(
                "shipping option identifiers must be unique; \"{id}\" is repeated"
            )));
        }
        offers.push(ShippingOffer {
            id: id.to_string(),
            amount: amounts.iter().fold(0i64, |sum, a| sum.saturating_add(*a)),
        });
    }
    if offers.is_empty() {
        return Err(ApiError::bad_request(
            "There must be at least one shipping option",
        ));
    }
    Ok(offers)
}

/// answerShippingQuery: `ok=false` declines the payment; `ok=true` applies the option the user
/// picks (or the first) and sends the `pre_checkout_query` with the shipping added.
pub(super) fn answer_shipping_query(ctx: &mut Ctx<'_>, params: &Params) -> Result<ApiOk, ApiError> {
    let id = params.str("shipping_query_id")?.unwrap_or_default();
    // Ok: the offered options; Err: the refusal shown to the user.
    let answer = if params.bool("ok")? {
        let options = params
            .json(
                "shipping_options",
                "Can't parse shipping options JSON object",
            )?
            .ok_or_else(|| ApiError::bad_request("parameter \"shipping_options\" is required"))?;
        Ok(shipping_offers(&options)?)
    } else {
        Err(params.required_str("error_message")?)
    };
    let now = ctx.now;
    let timeout = ctx.config.pre_checkout_timeout;
    let record = ctx
        .world
        .bot(ctx.bot_id)
        .payments
        .iter_mut()
        .find(|p| p.payment.shipping_query_id.as_deref() == Some(id.as_str()))
        .ok_or_else(query_invalid)?;
    record.expire(now);
    if record.payment.status != PaymentStatus::AwaitingShipping {
        return Err(query_invalid());
    }
    let offers = match answer {
        Ok(offers) => offers,
        Err(error_message) => {
            record.payment.status = PaymentStatus::Declined { error_message };
            return Ok(ApiOk::new(json!(true)));
        }
    };
    let chosen = match &record.shipping_choice {
        Some(choice) => offers.iter().find(|o| &o.id == choice),
        None => offers.first(),
    };
    let Some(offer) = chosen else {
        // The bot's answer was fine; the user's scripted choice just is not on the list.
        let offered: Vec<&str> = offers.iter().map(|o| o.id.as_str()).collect();
        record.payment.status = PaymentStatus::Failed {
            reason: format!(
                "the user chose shipping option {:?}, which the bot did not offer (offered: {})",
                record.shipping_choice.as_deref().unwrap_or(""),
                offered.join(", ")
            ),
        };
        return Ok(ApiOk::new(json!(true)));
    };
    record.payment.total_amount = record.payment.total_amount.saturating_add(offer.amount);
    record.payment.shipping_option_id = Some(offer.id.clone());
    record.payment.status = PaymentStatus::Pending;
    record.deadline = now + timeout;
    let payment = record.payment.clone();
    let body = ctx.world.pre_checkout_json(&payment);
    ctx.world
        .push_update(ctx.bot_id, "pre_checkout_query", body);
    Ok(ApiOk::new(json!(true)))
}

pub(super) fn answer_pre_checkout_query(
    ctx: &mut Ctx<'_>,
    params: &Params,
) -> Result<ApiOk, ApiError> {
    let id = params.str("pre_checkout_query_id")?.unwrap_or_default();
    let ok = params.bool("ok")?;
    let error_message = if ok {
        None
    } else {
        Some(params.required_str("error_message")?)
    };
    let now = ctx.now;
    let bot = ctx.world.bot(ctx.bot_id);
    let record = bot
        .payments
        .iter_mut()
        .find(|p| p.payment.pre_checkout_query_id == id)
        .ok_or_else(query_invalid)?;
    record.expire(now);
    if record.payment.status != PaymentStatus::Pending {
        return Err(query_invalid());
    }
    let Some(error_message) = error_message else {
        return accept_payment(ctx, &id);
    };
    record.payment.status = PaymentStatus::Declined { error_message };
    Ok(ApiOk::new(json!(true)))
}

/// Marks the payment paid and delivers the `successful_payment` service message.
fn accept_payment(ctx: &mut Ctx<'_>, id: &str) -> Result<ApiOk, ApiError> {
    let charge_id = format!("stxsim{}", ctx.world.random_token(40));
    let provider_charge_id = format!("sim_provider_{}", ctx.world.random_token(12));
    let bot = ctx.world.bot(ctx.bot_id);
    let record = bot
        .payments
        .iter_mut()
        .find(|p| p.payment.pre_checkout_query_id == id)
        .ok_or_else(query_invalid)?;
    record.payment.status = PaymentStatus::Paid;
    record.payment.telegram_payment_charge_id = Some(charge_id.clone());
    let payment = record.payment.clone();
    let mut successful_payment = json!({
        "currency": payment.currency,
        "total_amount": payment.total_amount,
        "invoice_payload": payment.invoice_payload,
        "telegram_payment_charge_id": charge_id,
        "provider_payment_charge_id": provider_charge_id,
    });
    add_order_fields(&mut successful_payment, &payment);
    let message = json!({
        "from": ctx.world.user_json(payment.user_id),
        "chat": ctx.world.chat_json(payment.chat_id),
        "successful_payment": successful_payment,
    });
    let (_, message) =
        ctx.world
            .append_message(ctx.bot_id, payment.chat_id, false, message, None, None);
    ctx.world.push_update(ctx.bot_id, "message", message);
    Ok(ApiOk::new(json!(true)))
}

pub(super) fn refund_star_payment(ctx: &mut Ctx<'_>, params: &Params) -> Result<ApiOk, ApiError> {
    let user_id = params
        .i64("user_id")?
        .filter(|id| *id > 0)
        .ok_or_else(|| ApiError::bad_request("invalid user_id specified"))?;
    let charge_id = params.required_str("telegram_payment_charge_id")?;
    let bot = ctx.world.bot(ctx.bot_id);
    let record = bot
        .payments
        .iter_mut()
        .find(|p| {
            p.payment.telegram_payment_charge_id.as_deref() == Some(charge_id.as_str())
                && p.payment.user_id == user_id
                && p.payment.currency == STARS
        })
        .ok_or_else(|| ApiError::bad_request("CHARGE_NOT_FOUND"))?;
    if record.payment.status == PaymentStatus::Refunded {
        return Err(ApiError::bad_request("CHARGE_ALREADY_REFUNDED"));
    }
    record.payment.status = PaymentStatus::Refunded;
    let payment = record.payment.clone();
    let message = json!({
        "from": ctx.world.user_json(user_id),
        "chat": ctx.world.chat_json(user_id),
        "refunded_payment": {
            "currency": payment.currency,
            "total_amount": payment.total_amount,
            "invoice_payload": payment.invoice_payload,
            "telegram_payment_charge_id": charge_id,
        },
    });
    let (_, message) = ctx
        .world
        .append_message(ctx.bot_id, user_id, false, message, None, None);
    ctx.world.push_update(ctx.bot_id, "message", message);
    Ok(ApiOk::new(json!(true)))
}
