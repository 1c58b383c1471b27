//! Payment methods: sendInvoice, createInvoiceLink, answerPreCheckoutQuery (which turns an
//! accepted query into a `successful_payment` message) and refundStarPayment.

use serde_json::{json, Value};

use super::messages::{reply_markup, send};
use super::Ctx;
use crate::error::{ApiError, ApiOk};
use crate::params::Params;
use crate::state::InvoiceData;
use crate::types::PaymentStatus;

const STARS: &str = "XTR";

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
    let items = prices
        .as_array()
        .ok_or_else(|| ApiError::bad_request("Expected an Array of labeled prices"))?;
    if items.is_empty() {
        return Err(ApiError::bad_request("There must be at least one price"));
    }
    let mut total: i64 = 0;
    for item in items {
        let label = item.get("label").and_then(Value::as_str).unwrap_or("");
        if label.is_empty() {
            return Err(ApiError::bad_request(
                "Can't parse labeled price: LabeledPrice label must be non-empty",
            ));
        }
        let amount = item.get("amount").and_then(Value::as_i64).ok_or_else(|| {
            ApiError::bad_request(
                "Can't parse labeled price: Field \"amount\" must be a valid Number",
            )
        })?;
        total = total.saturating_add(amount);
    }
    if total <= 0 {
        return Err(ApiError::bad_request("CURRENCY_TOTAL_AMOUNT_INVALID"));
    }
    if currency == STARS {
        if !provider_token.is_empty() {
            return Err(ApiError::bad_request(
                "provider_token must be empty for payments in Telegram Stars",
            ));
        }
        if items.len() != 1 {
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
    Ok(InvoiceData {
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
    let message = json!({
        "from": ctx.world.user_json(payment.user_id),
        "chat": ctx.world.chat_json(payment.chat_id),
        "successful_payment": {
            "currency": payment.currency,
            "total_amount": payment.total_amount,
            "invoice_payload": payment.invoice_payload,
            "telegram_payment_charge_id": charge_id,
            "provider_payment_charge_id": provider_charge_id,
        },
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
