//! Points in the private chat: `/checkin` (the daily check-in with its streak), `/points`
//! (the balance and the rewards as buttons) and those buttons (redeeming a reward puts its
//! code on the cart). See [`crate::points`] for the rules.

use crate::conversation::{event, Turn};
use crate::outbox::{Action, Button};
use crate::points::{self, CheckinOutcome, Redemption};
use crate::Result;
use serde_json::json;

/// Whether `name` is a command of this module.
pub(crate) fn is_points_command(name: &str) -> bool {
    matches!(name, "checkin" | "points")
}

/// Whether a button's data belongs to this module.
pub(crate) fn is_points_button(data: &str) -> bool {
    data.starts_with(points::BUTTON_PREFIX)
}

/// `/checkin` or `/points`.
pub(crate) async fn command(turn: &mut Turn<'_, '_>, name: &str) -> Result<()> {
    match name {
        "checkin" => checkin(turn).await,
        _ => overview(turn).await,
    }
}

async fn checkin(turn: &mut Turn<'_, '_>) -> Result<()> {
    let outcome = points::checkin(
        turn.tx,
        turn.customer.id,
        turn.ctx.default_time_zone,
        turn.incoming.at,
    )
    .await?;
    match outcome {
        CheckinOutcome::Counted {
            points,
            streak,
            balance,
        } => {
            let e = event(turn.ctx, turn.incoming, &turn.customer, "points_checkin")
                .data(json!({ "points": points, "streak": streak }));
            turn.tx.append_event(&e).await?;
            let (points, streak, balance) =
                (points.to_string(), streak.to_string(), balance.to_string());
            turn.say(
                "points-checkin",
                &[
                    ("points", &points),
                    ("streak", &streak),
                    ("balance", &balance),
                ],
            )
            .await
        }
        CheckinOutcome::Already { streak, balance } => {
            let (streak, balance) = (streak.to_string(), balance.to_string());
            turn.say(
                "points-checkin-already",
                &[("streak", &streak), ("balance", &balance)],
            )
            .await
        }
    }
}

/// The balance and one button per reward whose promotion still exists.
async fn overview(turn: &mut Turn<'_, '_>) -> Result<()> {
    let settings = turn.tx.current_points_settings().await?;
    let balance = turn.tx.lock_points(turn.customer.id).await?;
    let currency = crate::checkout::bot_currency(turn.ctx.bot)?;
    let mut buttons = Vec::new();
    for reward in &settings.rewards {
        let Some(promotion) = turn.ctx.store.promotion(reward.promotion_id).await? else {
            continue;
        };
        let benefit =
            crate::coupon_chat::benefit_text(turn, &promotion.promotion.benefit, currency);
        let label = turn.text(
            "points-reward-button",
            &[
                ("benefit", &benefit),
                ("points", &reward.points.to_string()),
            ],
        );
        buttons.push(vec![Button::callback(label, points::button_data(reward))]);
    }
    let key = if buttons.is_empty() {
        "points-balance"
    } else {
        "points-balance-rewards"
    };
    let text = turn.text(key, &[("balance", &balance.to_string())]);
    turn.send(Action::SendText { text, buttons }).await
}

/// A reward's button: redeems it, or explains why not.
pub(crate) async fn button(
    turn: &mut Turn<'_, '_>,
    callback_id: &str,
    data: &str,
    _message_id: Option<i64>,
) -> Result<()> {
    let Some(reward) = points::parse_button(data) else {
        return turn.expired(callback_id).await;
    };
    let outcome = match points::redeem(turn.tx, turn.customer.id, &reward, turn.incoming.at).await {
        Ok(outcome) => outcome,
        // The reward was changed or removed since the buttons were sent.
        Err(crate::Error::NotFound(_)) => return turn.expired(callback_id).await,
        Err(e) => return Err(e),
    };
    turn.answer(callback_id, None).await?;
    match outcome {
        Redemption::Redeemed { code, balance, .. } => {
            turn.say(
                "points-redeemed",
                &[
                    ("code", &code),
                    ("points", &reward.points.to_string()),
                    ("balance", &balance.to_string()),
                ],
            )
            .await
        }
        Redemption::NotEnough { needed, balance } => {
            turn.say(
                "points-not-enough",
                &[
                    ("needed", &needed.to_string()),
                    ("balance", &balance.to_string()),
                ],
            )
            .await
        }
    }
}
