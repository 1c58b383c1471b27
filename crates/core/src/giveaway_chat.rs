//! Giveaways as the bot runs them: the announcement with its join button in a group or
//! channel (`g:<id>` buttons, answered with the entry number), and the draw (a job) that
//! posts the result with the seed and sends each winner their prize code. See
//! [`crate::giveaway`] for how the draw can be checked.

use crate::bot::BotProfile;
use crate::conversation::{see_customer, Context};
use crate::giveaway::{
    draw, Giveaway, GiveawayId, GiveawayStatus, MembershipCheck, NewGiveaway, DRAW_JOB,
};
use crate::i18n::Texts;
use crate::incoming::{Incoming, IncomingKind};
use crate::job::NewJob;
use crate::outbox::{Action, Button, NewOutbound};
use crate::store::{Store, Tx};
use crate::{Error, Result};
use chrono::{DateTime, Utc};
use serde_json::json;

/// Join buttons: `g:<giveaway id>`.
pub(crate) fn is_giveaway_button(kind: &IncomingKind) -> bool {
    matches!(kind, IncomingKind::Button { data, .. } if data.starts_with("g:"))
}

/// Makes a giveaway with a fresh seed, announces it in its chat and schedules its draw, in
/// one transaction. `seed_hex` is 64 hex characters from a secure generator.
pub async fn start_giveaway(
    store: &dyn Store,
    texts: &Texts,
    bot: &BotProfile,
    new: &NewGiveaway,
    seed_hex: &str,
    at: DateTime<Utc>,
) -> Result<Giveaway> {
    new.validate(at).map_err(Error::Fields)?;
    if new.bot != bot.key.0 {
        return Err(Error::Invalid(format!(
            "giveaway of bot {} run by {}",
            new.bot, bot.key
        )));
    }
    if let Some(id) = new.promotion_id {
        if store.promotion(id).await?.is_none() {
            return Err(Error::Fields(vec![crate::FieldError::new(
                "promotion_id",
                "no such promotion",
            )]));
        }
    }
    // Membership is asked of Telegram at the draw, which answers only in chats where the bot
    // is an administrator.
    let mut required = Vec::new();
    for chat_id in &new.required_chats {
        match store.chat(&bot.key.0, *chat_id).await? {
            Some(chat) if chat.seen.bot_status == "administrator" => {
                required.push(match &chat.seen.username {
                    Some(username) => format!("@{username}"),
                    None => chat.seen.title.clone(),
                });
            }
            _ => {
                return Err(Error::Fields(vec![crate::FieldError::new(
                    "required_chats",
                    format!("the bot must be an administrator of chat {chat_id}"),
                )]))
            }
        }
    }
    let giveaway = store.create_giveaway(new, seed_hex, at).await?;
    // Posted in the chat: its language.
    let language = crate::community::chat_language(store, bot, new.chat_id).await?;
    let language = language.as_str();
    let mut text = texts.get(
        language,
        "giveaway-announcement",
        &[
            ("prize", &new.prize),
            ("winners", &new.winners.to_string()),
            (
                "ends",
                &new.ends_at.format("%Y-%m-%d %H:%M UTC").to_string(),
            ),
            ("commitment", &giveaway.commitment),
        ],
    );
    if !required.is_empty() {
        text.push_str("\n\n");
        text.push_str(&texts.get(
            language,
            "giveaway-requires",
            &[("chats", &required.join(", "))],
        ));
    }
    let join = Button::callback(
        texts.get(language, "giveaway-join", &[]),
        format!("g:{}", giveaway.id.0),
    );
    let mut tx = store.begin().await?;
    tx.enqueue(&NewOutbound::now(
        &new.bot,
        new.chat_id,
        Action::SendText {
            text,
            buttons: vec![vec![join]],
        },
        at,
    ))
    .await?;
    tx.schedule_job(
        &NewJob::new(DRAW_JOB, json!({ "giveaway": giveaway.id.0 }), new.ends_at)
            .dedup_key(format!("giveaway-draw:{}", giveaway.id.0)),
    )
    .await?;
    tx.commit().await?;
    Ok(giveaway)
}

/// Ends a giveaway now: its draw runs at once.
pub async fn end_now(store: &dyn Store, id: GiveawayId, at: DateTime<Utc>) -> Result<Giveaway> {
    let giveaway = store
        .giveaway(id)
        .await?
        .ok_or_else(|| Error::NotFound(format!("giveaway {}", id.0)))?;
    if giveaway.status == GiveawayStatus::Drawn {
        return Err(Error::Conflict(format!("giveaway {} is drawn", id.0)));
    }
    let mut tx = store.begin().await?;
    // Another key than the scheduled draw's: whichever runs first draws, the other finds it
    // drawn.
    tx.schedule_job(
        &NewJob::new(DRAW_JOB, json!({ "giveaway": id.0 }), at)
            .dedup_key(format!("giveaway-end:{}", id.0)),
    )
    .await?;
    tx.commit().await?;
    Ok(giveaway)
}

/// A press on a giveaway's join button: enters the person, and tells them their number.
pub(crate) async fn button(tx: &mut dyn Tx, ctx: &Context<'_>, incoming: &Incoming) -> Result<()> {
    let (
        IncomingKind::Button {
            callback_id, data, ..
        },
        Some(person),
    ) = (&incoming.kind, incoming.from.as_ref().filter(|p| !p.is_bot))
    else {
        return Ok(());
    };
    let Some(id) = data
        .strip_prefix("g:")
        .and_then(|id| id.parse().ok())
        .map(GiveawayId)
    else {
        return Ok(());
    };
    let customer = see_customer(
        tx,
        ctx,
        incoming,
        person,
        Some(format!("giveaway-{}", id.0)),
    )
    .await?;
    let known = customer.language.clone().or_else(|| {
        person
            .language_code
            .as_deref()
            .and_then(|l| ctx.texts.negotiate(l))
            .map(str::to_owned)
    });
    // A toast for the presser: their language, else the chat's.
    let language = match known {
        Some(language) => language,
        None => crate::community::chat_language(ctx.store, ctx.bot, incoming.chat_id).await?,
    };
    let text = match tx.enter_giveaway(id, customer.id, incoming.at).await {
        Ok((entry, true)) => {
            let e = crate::event::NewEvent::new("giveaway_entered", incoming.at)
                .bot(ctx.bot.key.as_str())
                .customer(customer.id)
                .chat(incoming.chat_id)
                .data(json!({ "giveaway": id.0, "entry": entry.number }));
            tx.append_event(&e).await?;
            ctx.texts.get(
                &language,
                "giveaway-entered",
                &[("number", &entry.number.to_string())],
            )
        }
        Ok((entry, false)) => ctx.texts.get(
            &language,
            "giveaway-already-in",
            &[("number", &entry.number.to_string())],
        ),
        Err(Error::Conflict(_) | Error::NotFound(_)) => {
            ctx.texts.get(&language, "giveaway-closed", &[])
        }
        Err(other) => return Err(other),
    };
    tx.enqueue(&NewOutbound::now(
        &ctx.bot.key.0,
        incoming.chat_id,
        Action::AnswerButton {
            callback_id: callback_id.clone(),
            text: Some(text),
        },
        incoming.at,
    ))
    .await
    .map(|_| ())
}

/// Most people asked about before a draw gives up on finding more eligible winners: a
/// bound on the Telegram calls one draw makes.
const MAX_CHECKS_PER_WINNER: usize = 20;

/// Winners of a giveaway with required chats: entries in draw order, each person checked
/// with Telegram, the first `winners` who are in every required chat; and the entries
/// passed over on the way.
async fn eligible_winners(
    tx: &mut dyn Tx,
    members: &dyn MembershipCheck,
    giveaway: &Giveaway,
    seed: &str,
) -> Result<(Vec<i64>, Vec<i64>)> {
    let wanted = giveaway.setup.winners.max(0) as usize;
    let order = draw(seed, giveaway.entries, giveaway.entries);
    let budget = wanted.saturating_mul(MAX_CHECKS_PER_WINNER);
    let (mut winners, mut skipped) = (Vec::new(), Vec::new());
    for page in order.chunks(50).take(budget.div_ceil(50)) {
        let entries = tx.giveaway_entries(giveaway.id, page).await?;
        for number in page {
            if winners.len() == wanted || winners.len() + skipped.len() == budget {
                return Ok((winners, skipped));
            }
            let Some(entry) = entries.iter().find(|e| e.number == *number) else {
                continue;
            };
            let Some(customer) = tx.customer(entry.customer_id).await? else {
                continue;
            };
            let mut eligible = true;
            for chat in &giveaway.setup.required_chats {
                if !members
                    .is_member(&giveaway.setup.bot, *chat, customer.telegram_user_id)
                    .await?
                {
                    eligible = false;
                    break;
                }
            }
            if eligible {
                winners.push(*number);
            } else {
                skipped.push(*number);
            }
        }
    }
    Ok((winners, skipped))
}

/// The draw, run by its job: picks the winners from the seed, posts the result with the
/// seed in the chat (in `language`, the chat's) and sends each winner their prize (in
/// theirs). Drawing twice does nothing.
pub async fn draw_winners(
    tx: &mut dyn Tx,
    texts: &Texts,
    bot: &BotProfile,
    language: &str,
    members: &dyn MembershipCheck,
    id: GiveawayId,
    at: DateTime<Utc>,
) -> Result<()> {
    let Some(giveaway) = tx.giveaway_for_update(id).await? else {
        return Ok(());
    };
    if giveaway.status == GiveawayStatus::Drawn {
        return Ok(());
    }
    let seed = giveaway
        .seed
        .clone()
        .ok_or_else(|| Error::Storage(format!("giveaway {} has no seed", id.0)))?;
    let (numbers, skipped) = if giveaway.setup.required_chats.is_empty() {
        let numbers = draw(&seed, giveaway.entries, giveaway.setup.winners);
        (numbers, Vec::new())
    } else {
        eligible_winners(tx, members, &giveaway, &seed).await?
    };
    tx.record_draw(id, &numbers, &skipped, at).await?;
    let entries = tx.giveaway_entries(id, &numbers).await?;
    let mut names = Vec::new();
    for number in &numbers {
        let Some(entry) = entries.iter().find(|e| e.number == *number) else {
            continue;
        };
        let Some(customer) = tx.customer(entry.customer_id).await? else {
            continue;
        };
        names.push(format!("#{number} {}", customer.first_name));
        let speaks = customer
            .language
            .clone()
            .unwrap_or_else(|| language.to_owned());
        let mut text = texts.get(&speaks, "giveaway-won", &[("prize", &giveaway.setup.prize)]);
        if let Some(promotion) = giveaway.setup.promotion_id {
            // Unique per winner and giveaway; for the winner alone, so it need not be secret.
            let digest = crate::giveaway::commitment(&format!("{seed}:prize:{number}"));
            let code = format!("GIFT-{}", &digest[..10].to_uppercase());
            tx.award_prize(id, *number, promotion, customer.id, &code, at)
                .await?;
            tx.set_cart_code(customer.id, Some(&code), at).await?;
            text.push('\n');
            text.push_str(&texts.get(&speaks, "giveaway-prize-code", &[("code", &code)]));
        }
        let dm = Action::SendText {
            text,
            buttons: Vec::new(),
        };
        tx.enqueue(&NewOutbound {
            customer_id: Some(customer.id),
            ..NewOutbound::now(&bot.key.0, customer.telegram_user_id, dm, at)
        })
        .await?;
    }
    let mut winners = if names.is_empty() {
        texts.get(language, "giveaway-no-entries", &[])
    } else {
        names.join(", ")
    };
    if !skipped.is_empty() {
        let numbers: Vec<String> = skipped.iter().map(|n| format!("#{n}")).collect();
        winners.push('\n');
        winners.push_str(&texts.get(
            language,
            "giveaway-skipped",
            &[("entries", &numbers.join(", "))],
        ));
    }
    let result = texts.get(
        language,
        "giveaway-result",
        &[
            ("prize", &giveaway.setup.prize),
            ("winners", &winners),
            ("entries", &giveaway.entries.to_string()),
            ("seed", &seed),
            ("commitment", &giveaway.commitment),
        ],
    );
    tx.enqueue(&NewOutbound::now(
        &bot.key.0,
        giveaway.setup.chat_id,
        Action::SendText {
            text: result,
            buttons: Vec::new(),
        },
        at,
    ))
    .await?;
    let e = crate::event::NewEvent::new("giveaway_drawn", at)
        .bot(bot.key.as_str())
        .chat(giveaway.setup.chat_id)
        .data(json!({ "giveaway": id.0, "entries": giveaway.entries, "winners": numbers }));
    tx.append_event(&e).await
}
