//! Staff in Telegram: the bot's staff chat gets a notice for every paid order, with buttons,
//! and staff run orders from there with `/ship ORDER CARRIER TRACKING`, `/delivered ORDER`
//! and `/cancel ORDER`, and confirm payments made by hand with `/paid ORDER`. Anyone who can
//! write in the staff chat is staff: keep it private.

use crate::conversation::Context;
use crate::incoming::{Incoming, IncomingKind, Person};
use crate::outbox::{Action, Button, NewOutbound};
use crate::shop::{Order, OrderId};
use crate::shop_admin::{self, Actor};
use crate::shop_chat::price_text;
use crate::store::Tx;
use crate::{Error, Result};

/// Button data of the staff notices, followed by the order id.
const SHIP_BUTTON: &str = "st:ship:";
const CANCEL_BUTTON: &str = "st:cancel:";
const PAID_BUTTON: &str = "st:paid:";

/// What marks a staff notice about an order (its buttons' data, before the order id): an
/// erasure empties the notices about the erased customer's orders, which name them.
pub const ORDER_NOTICE_MARKERS: &[&str] = &[SHIP_BUTTON, CANCEL_BUTTON, PAID_BUTTON];

/// The message that tells staff about a newly paid order.
pub(crate) async fn order_paid_notice(
    tx: &mut dyn Tx,
    ctx: &Context<'_>,
    order: &Order,
    customer_name: &str,
    at: chrono::DateTime<chrono::Utc>,
) -> Result<()> {
    let Some(staff_chat) = ctx.bot.staff_chat else {
        return Ok(());
    };
    let language = crate::community::chat_language(ctx.store, ctx.bot, staff_chat).await?;
    let language = language.as_str();
    let number = order.id.0.to_string();
    let total = price_text(order.currency, order.total);
    let mut text = ctx.texts.get(
        language,
        "staff-new-order",
        &[
            ("order", &number),
            ("total", &total),
            ("customer", customer_name),
        ],
    );
    for line in &order.lines {
        text.push_str(&format!("\n• {} × {}", line.quantity, line.title));
    }
    if let Some(a) = &order.shipping_address {
        let parts = [
            a.name.as_deref(),
            a.phone.as_deref(),
            Some(a.street_line1.as_str()),
            a.street_line2.as_deref(),
            Some(a.city.as_str()),
            a.state.as_deref(),
            a.post_code.as_deref(),
            Some(a.country_code.as_str()),
        ];
        let address: Vec<&str> = parts
            .into_iter()
            .flatten()
            .filter(|p| !p.is_empty())
            .collect();
        text.push('\n');
        text.push_str(&ctx.texts.get(
            language,
            "staff-ship-to",
            &[("address", &address.join(", "))],
        ));
    }
    let buttons = vec![vec![
        Button::callback(
            ctx.texts.get(language, "staff-button-ship", &[]),
            format!("{SHIP_BUTTON}{}", order.id.0),
        ),
        Button::callback(
            ctx.texts.get(language, "staff-button-cancel", &[]),
            format!("{CANCEL_BUTTON}{}", order.id.0),
        ),
    ]];
    tx.enqueue(&NewOutbound {
        bot: ctx.bot.key.0.clone(),
        chat_id: staff_chat,
        customer_id: None,
        action: Action::SendText { text, buttons },
        broadcast: false,
        not_before: at,
        created_at: at,
    })
    .await
    .map(|_| ())
}

/// The message that asks staff to confirm a payment made by hand.
pub(crate) async fn manual_payment_notice(
    tx: &mut dyn Tx,
    ctx: &Context<'_>,
    order: &Order,
    customer_name: &str,
    at: chrono::DateTime<chrono::Utc>,
) -> Result<()> {
    let Some(staff_chat) = ctx.bot.staff_chat else {
        return Ok(());
    };
    let language = crate::community::chat_language(ctx.store, ctx.bot, staff_chat).await?;
    let language = language.as_str();
    let number = order.id.0.to_string();
    let total = price_text(order.currency, order.total);
    let text = ctx.texts.get(
        language,
        "staff-manual-order",
        &[
            ("order", &number),
            ("total", &total),
            ("customer", customer_name),
        ],
    );
    let confirm = Button::callback(
        ctx.texts.get(language, "staff-button-confirm", &[]),
        format!("{PAID_BUTTON}{}", order.id.0),
    );
    tx.enqueue(&NewOutbound {
        bot: ctx.bot.key.0.clone(),
        chat_id: staff_chat,
        customer_id: None,
        action: Action::SendText {
            text,
            buttons: vec![vec![confirm]],
        },
        broadcast: false,
        not_before: at,
        created_at: at,
    })
    .await
    .map(|_| ())
}

/// Whether an interaction happened in the bot's staff chat.
pub(crate) fn is_staff_chat(ctx: &Context<'_>, incoming: &Incoming) -> bool {
    ctx.bot.staff_chat == Some(incoming.chat_id)
}

pub(crate) fn staff_name(person: &Person) -> String {
    match &person.username {
        Some(username) => format!("staff:@{username}"),
        None => format!("staff:{}", person.telegram_user_id),
    }
}

/// Handles a command or button in the staff chat.
pub(crate) async fn handle(tx: &mut dyn Tx, ctx: &Context<'_>, incoming: &Incoming) -> Result<()> {
    let Some(person) = incoming.from.as_ref().filter(|p| !p.is_bot) else {
        return Ok(());
    };
    if let IncomingKind::Button {
        callback_id,
        data,
        message_id,
    } = &incoming.kind
    {
        if crate::moderation_chat::is_appeal_button(data) {
            return crate::moderation_chat::button(
                tx,
                ctx,
                incoming,
                person,
                callback_id,
                data,
                *message_id,
            )
            .await;
        }
        if crate::community_chat::is_staff_review_button(data) {
            return crate::community_chat::staff_button(
                tx,
                ctx,
                incoming,
                person,
                callback_id,
                data,
                *message_id,
            )
            .await;
        }
    }
    let actor_name = staff_name(person);
    let actor = Actor {
        name: &actor_name,
        at: incoming.at,
    };
    // Replies go to the staff chat: its language.
    let language = crate::community::chat_language(ctx.store, ctx.bot, incoming.chat_id).await?;
    let say = |id: &str, args: &[(&str, &str)]| ctx.texts.get(&language, id, args);
    let reply = match &incoming.kind {
        IncomingKind::Command { name, args } => {
            let words: Vec<&str> = args.split_whitespace().collect();
            let order = words
                .first()
                .and_then(|w| w.trim_start_matches('#').parse::<i64>().ok());
            match (name.as_str(), order, words.len()) {
                ("ship", Some(order), n) if n >= 3 => {
                    let carrier = words[1];
                    let tracking = words[2..].join(" ");
                    let result =
                        shop_admin::ship(tx, ctx.texts, OrderId(order), carrier, &tracking, &actor)
                            .await;
                    {
                        audited(tx, &actor, "order.ship", order, &result).await?;
                        outcome(result, &say, "staff-shipped", order)?
                    }
                }
                ("delivered", Some(order), 1) => {
                    let result = shop_admin::deliver(tx, ctx.texts, OrderId(order), &actor).await;
                    {
                        audited(tx, &actor, "order.deliver", order, &result).await?;
                        outcome(result, &say, "staff-delivered", order)?
                    }
                }
                ("cancel", Some(order), 1) => {
                    let result = shop_admin::cancel(tx, ctx.texts, OrderId(order), &actor).await;
                    {
                        audited(tx, &actor, "order.cancel", order, &result).await?;
                        outcome(result, &say, "staff-cancelled", order)?
                    }
                }
                ("paid", Some(order), 1) => {
                    let result = shop_admin::confirm_payment(
                        tx,
                        ctx.store,
                        ctx.texts,
                        OrderId(order),
                        &actor,
                    )
                    .await;
                    {
                        audited(tx, &actor, "order.confirm_payment", order, &result).await?;
                        outcome(result, &say, "staff-payment-confirmed", order)?
                    }
                }
                ("ship" | "delivered" | "cancel" | "paid", ..) => say("staff-usage", &[]),
                _ => return Ok(()),
            }
        }
        IncomingKind::Button {
            callback_id, data, ..
        } => {
            let parts: Vec<&str> = data.split(':').collect();
            let order = parts.get(2).and_then(|p| p.parse::<i64>().ok());
            let toast = match (parts.get(1).copied(), order) {
                (Some("cancel"), Some(order)) => {
                    let result = shop_admin::cancel(tx, ctx.texts, OrderId(order), &actor).await;
                    Some({
                        audited(tx, &actor, "order.cancel", order, &result).await?;
                        outcome(result, &say, "staff-cancelled", order)?
                    })
                }
                (Some("ship"), Some(order)) => {
                    Some(say("staff-ship-hint", &[("order", &order.to_string())]))
                }
                (Some("paid"), Some(order)) => {
                    let result = shop_admin::confirm_payment(
                        tx,
                        ctx.store,
                        ctx.texts,
                        OrderId(order),
                        &actor,
                    )
                    .await;
                    Some({
                        audited(tx, &actor, "order.confirm_payment", order, &result).await?;
                        outcome(result, &say, "staff-payment-confirmed", order)?
                    })
                }
                _ => None,
            };
            tx.enqueue(&NewOutbound {
                bot: ctx.bot.key.0.clone(),
                chat_id: incoming.chat_id,
                customer_id: None,
                action: Action::AnswerButton {
                    callback_id: callback_id.clone(),
                    text: toast.clone(),
                },
                broadcast: false,
                not_before: incoming.at,
                created_at: incoming.at,
            })
            .await?;
            match toast {
                Some(text) => text,
                None => return Ok(()),
            }
        }
        _ => return Ok(()),
    };
    tx.enqueue(&NewOutbound {
        bot: ctx.bot.key.0.clone(),
        chat_id: incoming.chat_id,
        customer_id: None,
        action: Action::SendText {
            text: reply,
            buttons: Vec::new(),
        },
        broadcast: false,
        not_before: incoming.at,
        created_at: incoming.at,
    })
    .await
    .map(|_| ())
}

/// Appends a staff action that succeeded to the audit log, in the action's transaction.
async fn audited(
    tx: &mut dyn Tx,
    actor: &Actor<'_>,
    action: &str,
    order: i64,
    result: &Result<Order>,
) -> Result<()> {
    let Ok(order_now) = result else {
        return Ok(());
    };
    crate::audit::append(
        tx,
        crate::audit::NewAuditEntry {
            at: actor.at,
            actor: actor.name.to_owned(),
            action: action.to_owned(),
            target: Some(format!("order:{order}")),
            details: serde_json::json!({
                "via": "telegram",
                "status": order_now.status.as_str(),
            }),
            ip: None,
        },
    )
    .await
    .map(drop)
}

/// Formats a staff message by id with arguments.
type Say<'a> = &'a dyn Fn(&str, &[(&str, &str)]) -> String;

/// Turns the result of a staff action into the reply: done, or why not. Only storage
/// failures are errors (the update is then retried).
fn outcome(result: Result<Order>, say: Say<'_>, done: &str, order: i64) -> Result<String> {
    let number = order.to_string();
    match result {
        Ok(_) => Ok(say(done, &[("order", &number)])),
        Err(Error::NotFound(_)) => Ok(say("staff-no-order", &[("order", &number)])),
        Err(Error::Conflict(reason)) | Err(Error::Invalid(reason)) => Ok(say(
            "staff-refused",
            &[("order", &number), ("reason", &reason)],
        )),
        Err(Error::Fields(fields)) => {
            let reason = fields
                .iter()
                .map(|f| format!("{}: {}", f.field, f.message))
                .collect::<Vec<_>>()
                .join("; ");
            Ok(say(
                "staff-refused",
                &[("order", &number), ("reason", &reason)],
            ))
        }
        Err(other) => Err(other),
    }
}

/// Where a bot's staff are told things, and in which language (the bot's default; a
/// language staff set for the chat wins, see [`crate::community::chat_language`]).
#[derive(Debug, Clone)]
pub struct StaffChat {
    pub chat_id: i64,
    pub language: String,
}

/// Tells staff about shipped orders with no news since `changed_before`, once per order;
/// returns how many were found. Orders of a bot without a staff chat are only recorded as
/// events.
pub async fn alert_stuck_shipments(
    tx: &mut dyn Tx,
    store: &dyn crate::store::Store,
    texts: &crate::i18n::Texts,
    staff: &std::collections::HashMap<String, StaffChat>,
    changed_before: chrono::DateTime<chrono::Utc>,
    at: chrono::DateTime<chrono::Utc>,
) -> Result<usize> {
    let stuck = store.stuck_shipments(changed_before, 200).await?;
    // The language staff set for each staff chat, read once per bot.
    let mut languages: std::collections::HashMap<&str, String> = Default::default();
    for order in &stuck {
        let days = (at - order.updated_at).num_days().to_string();
        let number = order.id.0.to_string();
        if let Some(chat) = staff.get(&order.bot) {
            if !languages.contains_key(order.bot.as_str()) {
                let language = store
                    .chat(&order.bot, chat.chat_id)
                    .await?
                    .and_then(|c| c.settings.language)
                    .unwrap_or_else(|| chat.language.clone());
                languages.insert(order.bot.as_str(), language);
            }
            let language = languages
                .get(order.bot.as_str())
                .map_or(chat.language.as_str(), String::as_str);
            let text = texts.get(
                language,
                "staff-stuck-parcel",
                &[
                    ("order", &number),
                    ("days", &days),
                    ("carrier", order.carrier.as_deref().unwrap_or("-")),
                    ("tracking", order.tracking_number.as_deref().unwrap_or("-")),
                ],
            );
            tx.enqueue(&NewOutbound {
                bot: order.bot.clone(),
                chat_id: chat.chat_id,
                customer_id: None,
                action: Action::SendText {
                    text,
                    buttons: Vec::new(),
                },
                broadcast: false,
                not_before: at,
                created_at: at,
            })
            .await?;
        }
        let e = crate::event::NewEvent::new("shipment_stuck", at)
            .bot(&order.bot)
            .customer(order.customer_id)
            .data(serde_json::json!({ "order": order.id.0, "days": days }));
        tx.append_event(&e).await?;
        tx.mark_stuck_alerted(order.id, at).await?;
    }
    Ok(stuck.len())
}
