//! Imported customers in the private chat: `/phone` (and the `/settings` button) asks the
//! customer to share their own phone number with Telegram's contact button; a shared
//! contact verifies the phone and links the contacts imported with it; `/start claim-<token>`
//! links the contact of a personal claim link. See [`crate::customer_import`] for the rules.

use crate::conversation::{event, Turn};
use crate::customer_import::{self, Claim, CLAIM_PREFIX};
use crate::outbox::Action;
use crate::Result;
use serde_json::json;

/// The callback data of the `/settings` button that asks for the phone.
pub(crate) const PHONE_BUTTON: &str = "phone:ask";

/// The claim token a `/start` payload carries, if it is a claim link.
pub(crate) fn start_token(args: &str) -> Option<String> {
    args.trim().strip_prefix(CLAIM_PREFIX).map(str::to_owned)
}

/// `/phone`: a one-button keyboard that shares the customer's own number.
pub(crate) async fn ask_phone(turn: &mut Turn<'_, '_>) -> Result<()> {
    let text = turn.text("phone-ask", &[]);
    let button = turn.text("phone-button", &[]);
    turn.send(Action::AskContact { text, button }).await
}

/// A contact was shared. Only the sender's own contact (Telegram says whose it is) verifies
/// a phone; anyone else's is refused without being stored.
pub(crate) async fn contact_shared(
    turn: &mut Turn<'_, '_>,
    user_id: Option<i64>,
    phone: &str,
) -> Result<()> {
    if user_id != Some(turn.customer.telegram_user_id) {
        let e = event(turn.ctx, turn.incoming, &turn.customer, "phone_refused")
            .data(json!({ "reason": "not_own_contact" }));
        turn.tx.append_event(&e).await?;
        return turn.say("phone-not-yours", &[]).await;
    }
    let Some(phone) = customer_import::normalize_shared_phone(phone) else {
        let e = event(turn.ctx, turn.incoming, &turn.customer, "phone_refused")
            .data(json!({ "reason": "invalid" }));
        turn.tx.append_event(&e).await?;
        return turn.say("phone-invalid", &[]).await;
    };
    let verified = customer_import::verify_phone(
        turn.tx,
        &turn.customer,
        &phone,
        turn.ctx.bot.key.as_str(),
        turn.incoming.chat_id,
        turn.incoming.at,
    )
    .await?;
    let id = if verified.linked.is_empty() {
        "phone-verified"
    } else {
        "import-linked"
    };
    let text = turn.text(id, &[]);
    turn.send(Action::SendTextRemoveKeyboard { text }).await
}

/// `/start claim-<token>`: links the claim link's contact, once; a used or unknown link
/// gets a friendly answer that tells nothing about anyone.
pub(crate) async fn claim(turn: &mut Turn<'_, '_>, token: &str) -> Result<()> {
    let outcome = customer_import::claim(
        turn.tx,
        &turn.customer,
        token,
        turn.ctx.bot.key.as_str(),
        turn.incoming.chat_id,
        turn.incoming.at,
    )
    .await?;
    let (reply, refused) = match outcome {
        Claim::Linked(_) => ("import-linked", None),
        Claim::AlreadyYours => ("claim-already-yours", None),
        Claim::Taken => ("claim-used", Some("used")),
        Claim::Unknown => ("claim-unknown", Some("unknown")),
    };
    if let Some(reason) = refused {
        let e = event(turn.ctx, turn.incoming, &turn.customer, "claim_refused")
            .data(json!({ "reason": reason }));
        turn.tx.append_event(&e).await?;
    }
    turn.say(reply, &[]).await
}
