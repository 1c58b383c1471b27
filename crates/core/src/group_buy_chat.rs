//! Group-buys in chat: the offer card a `gb-<offer>` deep link opens, the team card of a
//! `gbt-<team>` link, their "start a team" and "join" buttons (`gb:o:<offer>`,
//! `gb:j:<team>`), and the progress card the bot posts in a group when someone shares a
//! team's link there.
//!
//! Opening or joining places the customer's order and sends its invoice, and the customer's
//! team message: the progress line and a button that opens Telegram's share sheet with the
//! team's link. That message and every group card are the team's posts
//! ([`crate::group_buy::refresh_posts`] edits them as the team changes).

use crate::checkout;
use crate::conversation::{event, Context, Turn};
use crate::group_buy::{self, Buyer, Joined, OfferId, Refusal, Team, TeamId, TeamStatus};
use crate::incoming::Incoming;
use crate::outbox::{Action, Button, NewOutbound};
use crate::store::Tx;
use crate::Result;
use serde_json::json;

/// What a start payload names: an offer (`gb-<id>`) or a team (`gbt-<id>`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Target {
    Offer(OfferId),
    Team(TeamId),
}

pub(crate) fn start_target(payload: &str) -> Option<Target> {
    let payload = payload.trim();
    let id = |digits: &str| digits.parse::<i64>().ok().filter(|id| *id > 0);
    if let Some(digits) = payload.strip_prefix("gbt-") {
        return id(digits).map(|id| Target::Team(TeamId(id)));
    }
    payload
        .strip_prefix("gb-")
        .and_then(id)
        .map(|id| Target::Offer(OfferId(id)))
}

/// Buttons this module answers.
pub(crate) fn is_group_buy_button(data: &str) -> bool {
    data.starts_with("gb:")
}

/// `gb:<verb>:<id>`.
fn parse(data: &str) -> Option<(&str, i64)> {
    let mut parts = data.split(':');
    let (Some("gb"), Some(verb), Some(id), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return None;
    };
    id.parse().ok().map(|id| (verb, id))
}

/// `/start gb-<id>` or `/start gbt-<id>`: the offer's or the team's card.
pub(crate) async fn open(turn: &mut Turn<'_, '_>, target: Target) -> Result<()> {
    match target {
        Target::Offer(id) => show_offer(turn, id).await,
        Target::Team(id) => show_team(turn, id).await,
    }
}

async fn show_offer(turn: &mut Turn<'_, '_>, id: OfferId) -> Result<()> {
    let ctx = turn.ctx;
    let Some((offer, product)) = group_buy::offer_of_bot(ctx.store, ctx.bot, id).await? else {
        return turn.say("group-buy-unknown", &[]).await;
    };
    let language = turn.speaking().to_owned();
    let (text, buttons) = group_buy::offer_card(ctx.texts, &language, &offer, &product);
    turn.send(Action::SendText { text, buttons }).await
}

/// The team's card with a "join" button, or where the customer stands if they are in it.
async fn show_team(turn: &mut Turn<'_, '_>, id: TeamId) -> Result<()> {
    let ctx = turn.ctx;
    let Some(team) = ctx.store.group_buy_team(id).await? else {
        return turn.say("group-buy-unknown", &[]).await;
    };
    let Some((offer, product)) = group_buy::offer_of_bot(ctx.store, ctx.bot, team.offer_id).await?
    else {
        return turn.say("group-buy-unknown", &[]).await;
    };
    let language = turn.speaking().to_owned();
    let text = group_buy::team_text(
        ctx.texts,
        &language,
        &team,
        &offer,
        &product,
        turn.incoming.at,
    );
    let member = ctx
        .store
        .group_buy_members(id)
        .await?
        .iter()
        .any(|m| m.customer_id == turn.customer.id && m.left_at.is_none());
    let buttons = if team.status == TeamStatus::Open && team.free() > 0 && !member {
        let price = crate::shop_chat::price_text(offer.currency, offer.price);
        vec![vec![Button::callback(
            ctx.texts.get(
                &language,
                "group-buy-join-price-button",
                &[("price", &price)],
            ),
            format!("gb:j:{}", id.0),
        )]]
    } else {
        Vec::new()
    };
    turn.send(Action::SendText { text, buttons }).await
}

pub(crate) async fn button(
    turn: &mut Turn<'_, '_>,
    callback_id: &str,
    data: &str,
    _message_id: Option<i64>,
) -> Result<()> {
    let ctx = turn.ctx;
    let at = turn.incoming.at;
    let language = turn.speaking().to_owned();
    let buyer = Buyer {
        customer: &turn.customer.clone(),
        language: &language,
    };
    let joined = match parse(data) {
        Some(("o", id)) => {
            group_buy::open_team(
                turn.tx,
                ctx.store,
                ctx.bot,
                ctx.shop,
                &buyer,
                OfferId(id),
                at,
            )
            .await?
        }
        Some(("j", id)) => {
            group_buy::join_team(
                turn.tx,
                ctx.store,
                ctx.texts,
                ctx.bot,
                ctx.shop,
                &buyer,
                TeamId(id),
                at,
            )
            .await?
        }
        _ => return turn.expired(callback_id).await,
    };
    let (result, order) = match &joined {
        Joined::Placed { order, .. } => ("placed", Some(order.id.0)),
        Joined::Refused(refusal) => (refusal.as_str(), None),
    };
    let e = event(ctx, turn.incoming, &turn.customer, "group_buy_attempt")
        .data(json!({ "button": data, "result": result, "order": order }));
    turn.tx.append_event(&e).await?;
    match joined {
        Joined::Refused(refusal) => {
            let text = turn.text(refusal_text(&refusal), &[]);
            turn.answer(callback_id, Some(text)).await
        }
        Joined::Placed {
            team,
            order,
            physical,
            pay_now,
        } => {
            if pay_now {
                let minutes = ctx.shop.reservation.num_minutes().to_string();
                let text = turn.text("group-buy-placed", &[("minutes", &minutes)]);
                turn.answer(callback_id, Some(text)).await?;
                let invoice = checkout::invoice(ctx.texts, ctx.bot, &language, &order, physical);
                turn.send(Action::SendInvoice(invoice)).await?;
            } else {
                let text = turn.text("group-buy-reserved", &[]);
                turn.answer(callback_id, Some(text)).await?;
            }
            team_message(turn, &team, &language).await?;
            group_buy::refresh_posts(turn.tx, ctx.store, ctx.texts, &team, at)
                .await
                .map(|_| ())
        }
    }
}

fn refusal_text(refusal: &Refusal) -> &'static str {
    match refusal {
        Refusal::Unknown => "group-buy-unknown",
        Refusal::OfferEnded => "group-buy-offer-ended",
        Refusal::NotEnoughStock => "group-buy-no-stock",
        Refusal::TeamClosed => "group-buy-team-closed",
        Refusal::NoPlaceLeft => "group-buy-no-place",
        Refusal::AlreadyMember => "group-buy-already-member",
    }
}

/// The member's own team message (a post of the team) with the share button.
async fn team_message(turn: &mut Turn<'_, '_>, team: &Team, language: &str) -> Result<()> {
    let ctx = turn.ctx;
    let Some(link) = group_buy::team_link(ctx.bot, team.id) else {
        // The bot's username is not known yet (it never reached Telegram): no link to share.
        return Ok(());
    };
    let Some((offer, product)) = group_buy::offer_of_bot(ctx.store, ctx.bot, team.offer_id).await?
    else {
        return Ok(());
    };
    let at = turn.incoming.at;
    let text = group_buy::team_text(ctx.texts, language, team, &offer, &product, at);
    let buttons = group_buy::team_buttons(ctx.texts, language, team, Some(&link), false);
    let outbox_id = turn
        .tx
        .enqueue(&NewOutbound {
            bot: ctx.bot.key.0.clone(),
            chat_id: turn.incoming.chat_id,
            customer_id: Some(turn.customer.id),
            action: Action::SendText {
                text: text.clone(),
                buttons,
            },
            broadcast: false,
            not_before: at,
            created_at: at,
        })
        .await?;
    turn.tx
        .add_group_buy_post(&group_buy::NewPost {
            team_id: team.id,
            bot: team.bot.clone(),
            chat_id: turn.incoming.chat_id,
            outbox_id,
            language: language.to_owned(),
            link,
            text,
            at,
        })
        .await
        .map(|_| ())
}

/// A message in a group: if it shares one of this bot's open teams, the bot posts the
/// team's progress card there (once per team and chat), which it keeps current.
pub(crate) async fn group_text(
    tx: &mut dyn Tx,
    ctx: &Context<'_>,
    incoming: &Incoming,
    text: &str,
) -> Result<()> {
    let Some(id) = group_buy::shared_team(text) else {
        return Ok(());
    };
    let Some(link) = group_buy::team_link(ctx.bot, id) else {
        return Ok(());
    };
    if !text.contains(&link) {
        // A link to another bot's team.
        return Ok(());
    }
    let Some(team) = tx.group_buy_team_for_update(id).await? else {
        return Ok(());
    };
    if team.status != TeamStatus::Open || team.bot != ctx.bot.key.0 {
        return Ok(());
    }
    let posts = tx.group_buy_posts_in_tx(id).await?;
    if posts.iter().any(|p| p.chat_id == incoming.chat_id) {
        return Ok(());
    }
    let Some((offer, product)) = group_buy::offer_of_bot(ctx.store, ctx.bot, team.offer_id).await?
    else {
        return Ok(());
    };
    // Posted in the group: its language.
    let language = crate::community::chat_language(ctx.store, ctx.bot, incoming.chat_id).await?;
    let language = language.as_str();
    let at = incoming.at;
    let text = group_buy::team_text(ctx.texts, language, &team, &offer, &product, at);
    let buttons = group_buy::team_buttons(ctx.texts, language, &team, Some(&link), true);
    let outbox_id = tx
        .enqueue(&NewOutbound {
            bot: ctx.bot.key.0.clone(),
            chat_id: incoming.chat_id,
            customer_id: None,
            action: Action::SendText {
                text: text.clone(),
                buttons,
            },
            broadcast: false,
            not_before: at,
            created_at: at,
        })
        .await?;
    tx.add_group_buy_post(&group_buy::NewPost {
        team_id: id,
        bot: team.bot.clone(),
        chat_id: incoming.chat_id,
        outbox_id,
        language: language.to_owned(),
        link,
        text,
        at,
    })
    .await?;
    tx.append_event(
        &crate::event::NewEvent::new("group_buy_team_shared", at)
            .bot(&ctx.bot.key.0)
            .chat(incoming.chat_id)
            .data(json!({ "team": id.0 })),
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payloads_and_buttons_name_offers_and_teams() {
        assert_eq!(start_target("gb-3"), Some(Target::Offer(OfferId(3))));
        assert_eq!(start_target(" gbt-12 "), Some(Target::Team(TeamId(12))));
        assert_eq!(start_target("gbt-0"), None);
        assert_eq!(start_target("gb-x"), None);
        assert_eq!(start_target("fs-3"), None);
        assert_eq!(parse("gb:j:7"), Some(("j", 7)));
        assert_eq!(parse("gb:o:7:1"), None);
        assert_eq!(parse("fs:b:7"), None);
        assert!(is_group_buy_button("gb:o:1"));
        assert!(!is_group_buy_button("g:1"));
    }

    #[test]
    fn shared_links_name_teams() {
        assert_eq!(
            group_buy::shared_team("Join us! https://t.me/shop_bot?start=gbt-42 thanks"),
            Some(TeamId(42))
        );
        assert_eq!(
            group_buy::shared_team("https://t.me/shop_bot?start=gb-42"),
            None
        );
        assert_eq!(group_buy::shared_team("start=gbt-"), None);
    }
}
