//! What staff (and the shop's own jobs) do to orders: ship with a tracking number, mark
//! delivered, cancel, and expire unpaid orders. Each change is one transaction with the
//! message that tells the customer, in their language.

use crate::event::NewEvent;
use crate::i18n::Texts;
use crate::outbox::{Action, NewOutbound};
use crate::shop::{Order, OrderId, OrderStatus, Transition};
use crate::shop_chat::price_text;
use crate::store::Tx;
use crate::{Error, FieldError, Result};
use chrono::{DateTime, Utc};
use serde_json::json;

/// Who did it and when.
#[derive(Debug, Clone)]
pub struct Actor<'a> {
    pub name: &'a str,
    pub at: DateTime<Utc>,
}

async fn order(tx: &mut dyn Tx, id: OrderId) -> Result<Order> {
    tx.order_for_update(id)
        .await?
        .ok_or_else(|| Error::NotFound(format!("order {}", id.0)))
}

/// The message that tells the customer: its id and arguments (the order number is added).
type Notice<'a> = (&'a str, &'a [(&'a str, &'a str)]);

/// Moves the order and tells the customer.
async fn transition(
    tx: &mut dyn Tx,
    texts: &Texts,
    order: &Order,
    to: OrderStatus,
    actor: &Actor<'_>,
    note: Option<String>,
    (message_id, args): Notice<'_>,
) -> Result<Order> {
    if !order.status.can_become(to) {
        return Err(Error::Conflict(format!(
            "order {} is {} and cannot become {}",
            order.id.0,
            order.status.as_str(),
            to.as_str()
        )));
    }
    let moved = tx
        .transition_order(
            order.id,
            &Transition {
                from: order.status,
                to,
                actor: actor.name.to_owned(),
                note,
                at: actor.at,
            },
        )
        .await?;
    if to == OrderStatus::Paid
        || (matches!(to, OrderStatus::Cancelled | OrderStatus::Refunded)
            && order.status != OrderStatus::PendingPayment)
    {
        // Paid orders decide the customer's lifecycle stage.
        tx.schedule_job(&crate::crm::refresh_job(order.customer_id, actor.at))
            .await?;
    }
    if matches!(to, OrderStatus::Cancelled | OrderStatus::Refunded) {
        // A group-buy member's place was freed: the team's posts show it soon, not at the
        // next hourly tick.
        if let Some(team) = tx.group_buy_team_of_order(order.id).await? {
            tx.schedule_job(&crate::group_buy::refresh_job(team, actor.at))
                .await?;
        }
    }
    let mut e = NewEvent::new(&format!("order_{}", to.as_str()), actor.at)
        .bot(&order.bot)
        .customer(order.customer_id)
        .data(json!({ "order": order.id.0, "actor": actor.name }));
    if let Some(customer) = tx.customer(order.customer_id).await? {
        e.chat_id = Some(customer.telegram_user_id);
        let language = customer
            .language
            .as_deref()
            .unwrap_or(crate::i18n::FALLBACK);
        let number = order.id.0.to_string();
        let mut all_args = vec![("order", number.as_str())];
        all_args.extend_from_slice(args);
        tx.enqueue(&NewOutbound {
            bot: order.bot.clone(),
            chat_id: customer.telegram_user_id,
            customer_id: Some(customer.id),
            action: Action::SendText {
                text: texts.get(language, message_id, &all_args),
                buttons: Vec::new(),
            },
            broadcast: false,
            not_before: actor.at,
            created_at: actor.at,
        })
        .await?;
    }
    tx.append_event(&e).await?;
    Ok(moved)
}

/// Hands a paid order to a carrier.
pub async fn ship(
    tx: &mut dyn Tx,
    texts: &Texts,
    id: OrderId,
    carrier: &str,
    tracking_number: &str,
    actor: &Actor<'_>,
) -> Result<Order> {
    let (carrier, tracking_number) = (carrier.trim(), tracking_number.trim());
    let mut errors = Vec::new();
    if carrier.is_empty() || carrier.chars().count() > 64 {
        errors.push(FieldError::new("carrier", "1-64 characters"));
    }
    if tracking_number.is_empty() || tracking_number.chars().count() > 64 {
        errors.push(FieldError::new("tracking_number", "1-64 characters"));
    }
    if !errors.is_empty() {
        return Err(Error::Fields(errors));
    }
    let current = order(tx, id).await?;
    // Checked before the tracking is written, so a refused shipment changes nothing.
    if !current.status.can_become(OrderStatus::Shipped) {
        return Err(Error::Conflict(format!(
            "order {} is {} and cannot be shipped",
            id.0,
            current.status.as_str()
        )));
    }
    tx.set_tracking(id, carrier, tracking_number).await?;
    transition(
        tx,
        texts,
        &current,
        OrderStatus::Shipped,
        actor,
        Some(format!("{carrier} {tracking_number}")),
        (
            "order-shipped",
            &[("carrier", carrier), ("tracking", tracking_number)],
        ),
    )
    .await
}

/// Marks a shipped (or, for goods handed over in person, paid) order delivered.
pub async fn deliver(
    tx: &mut dyn Tx,
    texts: &Texts,
    id: OrderId,
    actor: &Actor<'_>,
) -> Result<Order> {
    let current = order(tx, id).await?;
    let notice = ("order-delivered", &[][..]);
    transition(
        tx,
        texts,
        &current,
        OrderStatus::Delivered,
        actor,
        None,
        notice,
    )
    .await
}

/// Cancels an unpaid or paid order; its stock goes back on the shelf. A paid order's money
/// must be refunded by staff.
pub async fn cancel(
    tx: &mut dyn Tx,
    texts: &Texts,
    id: OrderId,
    actor: &Actor<'_>,
) -> Result<Order> {
    let current = order(tx, id).await?;
    let notice = ("order-cancelled", &[][..]);
    let cancelled = transition(
        tx,
        texts,
        &current,
        OrderStatus::Cancelled,
        actor,
        None,
        notice,
    )
    .await?;
    // A paid order's points go back with it (nothing happens for an unpaid one).
    crate::points::order_reversed(tx, &cancelled, actor.at).await?;
    Ok(cancelled)
}

/// Refunds a paid order: Telegram Stars payments go back to the customer automatically;
/// card payments are refunded by staff at the payment provider, and this records it. The
/// stock goes back on the shelf and the customer is told.
pub async fn refund(
    tx: &mut dyn Tx,
    texts: &Texts,
    id: OrderId,
    actor: &Actor<'_>,
) -> Result<Order> {
    let current = order(tx, id).await?;
    let notice = ("order-refunded", &[][..]);
    let refunded = transition(
        tx,
        texts,
        &current,
        OrderStatus::Refunded,
        actor,
        None,
        notice,
    )
    .await?;
    // What the order earned goes back with the money (as far as it is not spent).
    crate::points::order_reversed(tx, &refunded, actor.at).await?;
    let stars: Vec<_> = current
        .payments
        .iter()
        .filter(|p| p.method == crate::shop::PaymentMethod::Stars)
        .collect();
    if !stars.is_empty() {
        let customer = tx
            .customer(current.customer_id)
            .await?
            .ok_or_else(|| Error::NotFound(format!("customer {}", current.customer_id.0)))?;
        for payment in stars {
            tx.enqueue(&NewOutbound {
                bot: current.bot.clone(),
                chat_id: customer.telegram_user_id,
                customer_id: Some(customer.id),
                action: Action::RefundStars {
                    user_id: customer.telegram_user_id,
                    charge_id: payment.charge_id.clone(),
                },
                broadcast: false,
                not_before: actor.at,
                created_at: actor.at,
            })
            .await?;
        }
    }
    Ok(refunded)
}

/// Cancels an order whose reservation ran out unpaid; does nothing if it was paid or
/// cancelled meanwhile. Run by the expiry job. Returns when to look again if the reservation
/// was extended meanwhile (the customer chose to pay by hand).
pub async fn expire(
    tx: &mut dyn Tx,
    texts: &Texts,
    id: OrderId,
    at: DateTime<Utc>,
) -> Result<Option<DateTime<Utc>>> {
    let Some(current) = tx.order_for_update(id).await? else {
        return Ok(None);
    };
    if current.status != OrderStatus::PendingPayment {
        return Ok(None);
    }
    if current.reservation_expires_at > at {
        return Ok(Some(current.reservation_expires_at));
    }
    let actor = Actor { name: "system", at };
    let total = price_text(current.currency, current.total);
    transition(
        tx,
        texts,
        &current,
        OrderStatus::Cancelled,
        &actor,
        Some(format!("not paid in time ({total})")),
        ("order-expired", &[]),
    )
    .await?;
    Ok(None)
}

/// Staff confirm that an order paid by hand (bank transfer, cash on delivery) was paid: the
/// payment is recorded once and the order becomes paid; the customer is told.
pub async fn confirm_payment(
    tx: &mut dyn Tx,
    store: &dyn crate::store::Store,
    texts: &Texts,
    id: OrderId,
    actor: &Actor<'_>,
) -> Result<Order> {
    let current = order(tx, id).await?;
    if current.status != OrderStatus::PendingPayment {
        return Err(Error::Conflict(format!(
            "order {} is {}, not waiting for payment",
            id.0,
            current.status.as_str()
        )));
    }
    tx.record_payment(&crate::shop::Payment {
        order_id: id,
        method: crate::shop::PaymentMethod::Manual,
        currency: current.currency,
        amount: current.total,
        charge_id: format!("manual:{}", id.0),
        provider_charge_id: Some(actor.name.to_owned()),
        at: actor.at,
    })
    .await?;
    let total = price_text(current.currency, current.total);
    let paid = transition(
        tx,
        texts,
        &current,
        OrderStatus::Paid,
        actor,
        Some("payment confirmed by hand".into()),
        ("order-paid", &[("total", total.as_str())]),
    )
    .await?;
    crate::referral::order_paid(tx, texts, &paid, actor.at).await?;
    crate::points::order_paid(tx, &paid, actor.at).await?;
    // Staff confirmed it themselves: a group-buy member's payment only needs counting.
    crate::group_buy::order_paid(tx, store, texts, &paid, actor.at).await?;
    Ok(paid)
}
