//! Automations in the private chat: `/birthday` (share, show or clear the birthday the
//! birthday greeting needs) and the chat shop's "🔔 Notify me" button on a sold-out item
//! (a restock request, answered with a toast). See [`crate::automation`] for the flows.

use crate::automation::{self, BirthdayReply, RestockRequest, NOTIFY_BUTTON_PREFIX};
use crate::catalog::VariantId;
use crate::conversation::Turn;
use crate::outbox::Button;
use crate::Result;

/// Whether `name` is a command of this module.
pub(crate) fn is_automation_command(name: &str) -> bool {
    name == "birthday"
}

/// `/birthday [date | clear]`.
pub(crate) async fn birthday(turn: &mut Turn<'_, '_>, args: &str) -> Result<()> {
    let customer = turn.customer.clone();
    let reply = automation::birthday_command(turn.tx, &customer, args, turn.incoming.at).await?;
    match reply {
        BirthdayReply::Saved(birthday) => {
            turn.say("birthday-saved", &[("date", &birthday.display())])
                .await
        }
        BirthdayReply::Cleared => turn.say("birthday-cleared", &[]).await,
        BirthdayReply::Current(Some(birthday)) => {
            turn.say("birthday-current", &[("date", &birthday.display())])
                .await
        }
        BirthdayReply::Current(None) => turn.say("birthday-usage", &[]).await,
        BirthdayReply::Invalid => turn.say("birthday-invalid", &[]).await,
    }
}

/// The "notify me" button of a sold-out variant on a product card.
pub(crate) fn notify_button(turn: &Turn<'_, '_>, variant: VariantId) -> Button {
    Button::callback(
        turn.text("automation-notify-me", &[]),
        format!("{NOTIFY_BUTTON_PREFIX}{}", variant.0),
    )
}

/// "Notify me" pressed: stores the request (once per customer and variant) and answers
/// with a toast. A variant that is gone or back in stock answers as an expired button.
pub(crate) async fn notify_me(
    turn: &mut Turn<'_, '_>,
    callback_id: &str,
    variant: VariantId,
) -> Result<()> {
    let products = turn.ctx.store.products_of_variants(&[variant]).await?;
    let found = products
        .iter()
        .find_map(|p| p.variants.iter().find(|v| v.id == variant).map(|v| (p, v)));
    let Some((product, found)) = found else {
        return turn.expired(callback_id).await;
    };
    if found.stock > 0 {
        let text = turn.text("automation-notify-in-stock", &[]);
        return turn.answer(callback_id, Some(text)).await;
    }
    let request = RestockRequest {
        customer: turn.customer.id,
        product: product.id,
        variant,
        bot: turn.ctx.bot.key.0.clone(),
        requested_at: turn.incoming.at,
    };
    automation::request_restock(turn.tx, &request).await?;
    let text = turn.text("automation-notify-saved", &[]);
    turn.answer(callback_id, Some(text)).await
}
