//! Referrals in the chat: `/invite` (the customer's personal link with a share button and
//! what it brought) and `/start r-<code>` (recording the decision on the person who arrived,
//! and the referee's welcome code). See [`crate::referral`] for the rules.

use crate::conversation::{event, Turn};
use crate::outbox::{Action, Button};
use crate::referral::{self, reason, NewReferral, ReferralStatus, Trigger, START_PREFIX};
use crate::Result;
use serde_json::json;

/// The referral code a `/start` payload carries, if it is a referral link.
pub(crate) fn start_code(args: &str) -> Option<String> {
    args.trim()
        .strip_prefix(START_PREFIX)
        .filter(|code| referral::is_valid_code(code))
        .map(str::to_owned)
}

/// `/invite`: the link, a share button and the stats.
pub(crate) async fn invite(turn: &mut Turn<'_, '_>) -> Result<()> {
    let customer = turn.customer.id;
    let code = referral::code_of(turn.tx, customer, turn.incoming.at).await?;
    let stats = turn.ctx.store.referral_stats(customer).await?;
    // The username comes from `getMe`; until the bot answered it, the payload is all we have.
    let link = match turn.ctx.bot.username.get() {
        Some(username) => referral::link(username, &code),
        None => format!("/start {START_PREFIX}{code}"),
    };
    let numbers = [
        stats.starts.to_string(),
        stats.joins.to_string(),
        stats.first_orders.to_string(),
        stats.rewards.to_string(),
    ];
    let text = turn.text(
        "invite",
        &[
            ("link", &link),
            ("starts", &numbers[0]),
            ("joins", &numbers[1]),
            ("orders", &numbers[2]),
            ("rewards", &numbers[3]),
        ],
    );
    let mut buttons = Vec::new();
    if link.starts_with("https://") {
        let message = turn.text("invite-share-text", &[]);
        let share = format!(
            "https://t.me/share/url?url={}&text={}",
            percent_encode(&link),
            percent_encode(&message)
        );
        buttons.push(vec![Button::url(turn.text("invite-share", &[]), share)]);
    }
    turn.send(Action::SendText { text, buttons }).await
}

/// `/start r-<code>`: records the decision (and the welcome code); the usual start follows.
pub(crate) async fn arrived(turn: &mut Turn<'_, '_>, code: &str) -> Result<()> {
    let at = turn.incoming.at;
    let Some(referrer) = turn.tx.referrer_by_code(code).await? else {
        let e = event(
            turn.ctx,
            turn.incoming,
            &turn.customer,
            "referral_unknown_code",
        )
        .data(json!({ "code": code }));
        return turn.tx.append_event(&e).await;
    };
    let settings = turn.tx.current_referral_settings().await?;
    let referee = turn.customer.clone();
    let has_username = referee.username.as_deref().is_some_and(|u| !u.is_empty());
    // Created by this very update: the customer row was made with this update's time
    // (Telegram's whole seconds; an earlier message within the same second would pass, but
    // such a customer cannot have ordered yet, and a person is referred only once).
    let is_new = referee.first_seen_at == at;
    let (status, why) = if referrer == referee.id {
        (ReferralStatus::Refused, Some(reason::SELF_REFERRAL))
    } else if !is_new
        || turn
            .tx
            .open_referral_for_update(referee.id)
            .await?
            .is_some()
    {
        (ReferralStatus::Refused, Some(reason::EXISTING_CUSTOMER))
    } else {
        let since = referral::bulk_window_start(&settings, at);
        let previous = turn.tx.anonymous_referees_since(referrer, since).await?;
        if referral::looks_bulk(&settings, has_username, previous) {
            (ReferralStatus::Held, Some(reason::BULK_SUSPECTED))
        } else {
            (ReferralStatus::Pending, None)
        }
    };
    let recorded = turn
        .tx
        .record_referral(&NewReferral {
            bot: turn.ctx.bot.key.0.clone(),
            code: code.to_owned(),
            referrer_id: referrer,
            referee_id: referee.id,
            referee_has_username: has_username,
            status,
            reason: why.map(str::to_owned),
            at,
        })
        .await?;
    let kind = match status {
        ReferralStatus::Refused => "referral_refused",
        ReferralStatus::Held => "referral_held",
        _ => "referral_recorded",
    };
    let e = event(turn.ctx, turn.incoming, &turn.customer, kind).data(json!({
        "referral": recorded.id.0,
        "referrer": referrer.0,
        "reason": why,
    }));
    turn.tx.append_event(&e).await?;
    match status {
        ReferralStatus::Refused if why == Some(reason::SELF_REFERRAL) => {
            turn.say("referral-self", &[]).await
        }
        ReferralStatus::Pending => {
            if settings.trigger == Trigger::FirstStart {
                referral::credit(turn.tx, turn.ctx.texts, &recorded, &settings, None, at).await?;
            }
            welcome(turn, settings.referee_promotion).await
        }
        _ => Ok(()),
    }
}

/// The referee's welcome code, on their cart.
async fn welcome(
    turn: &mut Turn<'_, '_>,
    promotion: Option<crate::promotion::PromotionId>,
) -> Result<()> {
    let Some(promotion) = promotion else {
        return Ok(());
    };
    if turn.ctx.store.promotion(promotion).await?.is_none() {
        return Ok(());
    }
    let at = turn.incoming.at;
    let customer = turn.customer.id;
    let code = referral::reward_code("WELCOME-")?;
    turn.tx
        .insert_reward_code(promotion, customer, &code, at)
        .await?;
    turn.tx.set_cart_code(customer, Some(&code), at).await?;
    let e = event(
        turn.ctx,
        turn.incoming,
        &turn.customer,
        "referral_welcome_issued",
    )
    .data(json!({ "promotion": promotion.0, "code": code }));
    turn.tx.append_event(&e).await?;
    turn.say("referral-welcome", &[("code", &code)]).await
}

/// Percent-encodes everything but RFC 3986's unreserved characters.
fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 3);
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn start_codes() {
        assert_eq!(start_code("r-abcdefghij"), Some("abcdefghij".into()));
        assert_eq!(start_code("r-short"), None);
        assert_eq!(start_code("campaign42"), None);
    }

    #[test]
    fn encoding() {
        assert_eq!(
            percent_encode("https://t.me/b?start=r-x y"),
            "https%3A%2F%2Ft.me%2Fb%3Fstart%3Dr-x%20y"
        );
    }
}
