//! Flash sales in chat: the sale card a `fs-<id>` deep link opens in the bot, its "remind
//! me" and "buy now" buttons (`fs:r:<id>`, `fs:b:<id>`), and "remind me" pressed under an
//! announcement in a group or channel.
//!
//! Buying is a button answered with a toast: a burst of buyers is answered at the rate
//! Telegram takes button answers, which have no flood limit, not at 30 messages a second.
//! The gate ([`crate::flash_sale::FlashSaleGate`]) answers most of a burst without the
//! database; the winners get a toast and their invoice.
//!
//! A "remind me" in a group needs the person to have talked to the bot (a bot cannot start
//! a conversation): someone the shop does not know yet gets a toast that opens the bot on
//! the sale's card (`t.me/<bot>?start=fs-<id>`), where they can ask again. Answers to
//! presses in groups go out in the presser's lane of the outbox rather than the group's, so
//! they never wait behind the group's rate-limited messages.

use crate::checkout;
use crate::conversation::{event, Context, Turn};
use crate::customer::Customer;
use crate::flash_sale::{self, Admission, Bought, FlashSaleId, Phase, SaleView};
use crate::incoming::{Incoming, Person};
use crate::outbox::{Action, NewOutbound};
use crate::store::Tx;
use crate::Result;
use serde_json::json;

/// The sale a `fs-<id>` start payload names.
pub(crate) fn start_sale(payload: &str) -> Option<FlashSaleId> {
    payload
        .trim()
        .strip_prefix("fs-")?
        .parse::<i64>()
        .ok()
        .filter(|id| *id > 0)
        .map(FlashSaleId)
}

/// Buttons this module answers.
pub(crate) fn is_flash_sale_button(data: &str) -> bool {
    data.starts_with("fs:")
}

/// `fs:<verb>:<id>`.
fn parse(data: &str) -> Option<(&str, FlashSaleId)> {
    let mut parts = data.split(':');
    let (Some("fs"), Some(verb), Some(id), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return None;
    };
    id.parse().ok().map(|id| (verb, FlashSaleId(id)))
}

/// The sale and its product as the gate knows them, if it is this bot's. Read through the
/// update's transaction (see [`crate::flash_sale::FlashSaleGate::view`]).
async fn sale_of_bot(
    tx: &mut dyn Tx,
    ctx: &Context<'_>,
    id: FlashSaleId,
) -> Result<Option<SaleView>> {
    let view = ctx.flash_sales.view(ctx.store, Some(tx), id).await?;
    Ok(view.filter(|v| v.sale.bot == ctx.bot.key.0))
}

/// `/start fs-<id>`: the sale's card.
pub(crate) async fn open(turn: &mut Turn<'_, '_>, id: FlashSaleId) -> Result<()> {
    let ctx = turn.ctx;
    let Some(view) = sale_of_bot(turn.tx, ctx, id).await? else {
        return turn.say("flash-sale-unknown", &[]).await;
    };
    let language = turn.speaking().to_owned();
    let early = crate::tiers::early_access(turn.tx, turn.customer.id).await?;
    let (text, buttons) = flash_sale::card(
        ctx.texts,
        &language,
        &view.sale,
        &view.product,
        turn.incoming.at,
        early,
    );
    turn.send(Action::SendText { text, buttons }).await
}

pub(crate) async fn button(
    turn: &mut Turn<'_, '_>,
    callback_id: &str,
    data: &str,
    _message_id: Option<i64>,
) -> Result<()> {
    match parse(data) {
        Some(("r", id)) => remind(turn, callback_id, id).await,
        Some(("b", id)) => buy(turn, callback_id, id).await,
        _ => turn.expired(callback_id).await,
    }
}

/// What "remind me" says for a sale in `phase` when the reminder could be recorded
/// (`Some(added)`), as a message id and arguments.
fn reminder_answer(phase: Option<Phase>, added: Option<bool>) -> &'static str {
    match (phase, added) {
        (None, _) => "flash-sale-unknown",
        (Some(Phase::Upcoming), Some(true)) => "flash-sale-reminder-set",
        (Some(Phase::Upcoming), Some(false)) => "flash-sale-reminder-already",
        (Some(Phase::Upcoming), None) => "flash-sale-start-bot",
        (Some(Phase::Running), _) => "flash-sale-on-now",
        (Some(Phase::SoldOut), _) => "flash-sale-line-sold-out",
        (Some(Phase::Ended), _) => "flash-sale-ended",
        (Some(Phase::Cancelled), _) => "flash-sale-cancelled",
    }
}

/// "Remind me" in the bot.
async fn remind(turn: &mut Turn<'_, '_>, callback_id: &str, id: FlashSaleId) -> Result<()> {
    let at = turn.incoming.at;
    let view = sale_of_bot(turn.tx, turn.ctx, id).await?;
    let phase = view.as_ref().map(|v| v.sale.phase(at));
    let added = match phase {
        Some(Phase::Upcoming) => Some(turn.tx.add_flash_reminder(id, turn.customer.id, at).await?),
        _ => None,
    };
    let answer = reminder_answer(phase, added);
    let e = event(
        turn.ctx,
        turn.incoming,
        &turn.customer,
        "flash_sale_reminder",
    )
    .data(json!({ "flash_sale": id.0, "answer": answer }));
    turn.tx.append_event(&e).await?;
    let text = turn.text(answer, &[]);
    turn.answer(callback_id, Some(text)).await
}

/// "Buy now": the gate, then the database; a toast either way, and the invoice for a win.
async fn buy(turn: &mut Turn<'_, '_>, callback_id: &str, id: FlashSaleId) -> Result<()> {
    let ctx = turn.ctx;
    let at = turn.incoming.at;
    let language = turn.speaking().to_owned();
    // Members of a tier with early access may buy before the start.
    let early = crate::tiers::early_access(turn.tx, turn.customer.id).await?;
    let admission = ctx
        .flash_sales
        .admit(ctx.store, Some(&mut *turn.tx), id, at, early)
        .await?;
    let bought = match admission {
        Admission::Refused(refusal) => Bought::Refused(refusal),
        Admission::Go(ticket) => {
            flash_sale::buy(
                turn.tx,
                ticket,
                ctx.bot,
                ctx.shop,
                &turn.customer,
                &language,
                at,
            )
            .await?
        }
    };
    let (result, order) = match &bought {
        Bought::Placed { order, .. } => ("placed", Some(order.id.0)),
        Bought::Refused(refusal) => (refusal.as_str(), None),
    };
    let e = event(ctx, turn.incoming, &turn.customer, "flash_sale_attempt")
        .data(json!({ "flash_sale": id.0, "result": result, "order": order }));
    turn.tx.append_event(&e).await?;
    match bought {
        Bought::Refused(refusal) => {
            let text = refusal.text(ctx.texts, &language, ctx.shop.reservation);
            turn.answer(callback_id, Some(text)).await
        }
        Bought::Placed { order, physical } => {
            let minutes = ctx.shop.reservation.num_minutes().to_string();
            let text = turn.text("flash-sale-got-it", &[("minutes", &minutes)]);
            turn.answer(callback_id, Some(text)).await?;
            let invoice = checkout::invoice(ctx.texts, ctx.bot, &language, &order, physical);
            turn.send(Action::SendInvoice(invoice)).await
        }
    }
}

/// The language `person` is known to speak: the customer's choice, else their client's.
fn known_language<'c>(
    ctx: &'c Context<'_>,
    person: &Person,
    customer: Option<&'c Customer>,
) -> Option<&'c str> {
    let texts = ctx.texts;
    customer
        .and_then(|c| c.language.as_deref())
        .filter(|l| texts.is_supported(l))
        .or_else(|| {
            person
                .language_code
                .as_deref()
                .and_then(|l| texts.negotiate(l))
        })
}

/// A flash-sale button pressed in a group or channel: "remind me" under an announcement.
pub(crate) async fn group_button(
    tx: &mut dyn Tx,
    ctx: &Context<'_>,
    incoming: &Incoming,
    person: &Person,
    callback_id: &str,
    data: &str,
) -> Result<()> {
    let at = incoming.at;
    let customer = tx.customer_by_telegram_id(person.telegram_user_id).await?;
    // A toast for the presser: their language, else the chat's.
    let language = match known_language(ctx, person, customer.as_ref()) {
        Some(language) => language.to_owned(),
        None => crate::community::chat_language(ctx.store, ctx.bot, incoming.chat_id).await?,
    };
    let (answer, link) = match parse(data) {
        Some(("r", id)) => {
            let view = sale_of_bot(tx, ctx, id).await?;
            let phase = view.as_ref().map(|v| v.sale.phase(at));
            let added = match (phase, &customer) {
                (Some(Phase::Upcoming), Some(c)) => {
                    Some(tx.add_flash_reminder(id, c.id, at).await?)
                }
                _ => None,
            };
            let answer = reminder_answer(phase, added);
            // Someone the bot cannot write to yet, or a sale on now: open the bot on it.
            let link = match answer {
                "flash-sale-start-bot" | "flash-sale-on-now" => tx
                    .flash_announcements_in_tx(id)
                    .await?
                    .into_iter()
                    .find(|a| a.chat_id == incoming.chat_id)
                    .map(|a| a.link),
                _ => None,
            };
            let mut e = crate::event::NewEvent::new("flash_sale_reminder", at)
                .bot(&ctx.bot.key.0)
                .chat(incoming.chat_id)
                .data(json!({
                    "flash_sale": id.0,
                    "answer": answer,
                    "telegram_user_id": person.telegram_user_id,
                }));
            e.customer_id = customer.as_ref().map(|c| c.id);
            tx.append_event(&e).await?;
            (answer, link)
        }
        _ => ("button-expired", None),
    };
    let text = Some(ctx.texts.get(&language, answer, &[]));
    let action = match link {
        Some(url) => Action::AnswerButtonLink {
            callback_id: callback_id.to_owned(),
            url,
            text,
        },
        None => Action::AnswerButton {
            callback_id: callback_id.to_owned(),
            text,
        },
    };
    tx.enqueue(&NewOutbound {
        bot: ctx.bot.key.0.clone(),
        // The presser's lane: a group's lane may hold rate-limited messages.
        chat_id: person.telegram_user_id,
        customer_id: customer.as_ref().map(|c| c.id),
        action,
        broadcast: false,
        not_before: at,
        created_at: at,
    })
    .await
    .map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payloads_and_buttons_name_sales() {
        assert_eq!(start_sale("fs-12"), Some(FlashSaleId(12)));
        assert_eq!(start_sale(" fs-12 "), Some(FlashSaleId(12)));
        assert_eq!(start_sale("fs-"), None);
        assert_eq!(start_sale("fs-0"), None);
        assert_eq!(start_sale("fs-x"), None);
        assert_eq!(start_sale("p-tea"), None);
        assert_eq!(parse("fs:b:7"), Some(("b", FlashSaleId(7))));
        assert_eq!(parse("fs:r:7"), Some(("r", FlashSaleId(7))));
        assert_eq!(parse("fs:r:7:8"), None);
        assert_eq!(parse("fs:r"), None);
        assert_eq!(parse("s:r:7"), None);
        assert!(is_flash_sale_button("fs:b:1"));
        assert!(!is_flash_sale_button("s:p:1"));
    }
}
