//! Appeals: a member muted or banned in one of the seller's groups writes `/appeal <text>`
//! to the bot; the appeal lands in the staff chat with two buttons, "lift" (the mute or ban
//! is lifted, logged with the staff member, and the member told) and "keep" (the member is
//! told it stays). See [`crate::moderation`] for the sanctions themselves.

use crate::conversation::{Context, Turn};
use crate::incoming::{Incoming, Person};
use crate::moderation::{lift, ActionRecord, Lift, Sanction, Target};
use crate::outbox::{Action, Button, NewOutbound};
use crate::store::Tx;
use crate::Result;
use chrono::{DateTime, Utc};

/// Button data of an appeal in the staff chat: `ap:lift:<chat>:<user>`, `ap:keep:…`.
const APPEAL_BUTTON: &str = "ap:";

/// Longest appeal text kept (Telegram messages hold 4096 characters).
const MAX_APPEAL_CHARS: usize = 1000;

pub(crate) fn is_appeal_button(data: &str) -> bool {
    data.starts_with(APPEAL_BUTTON)
}

/// The sanction still on the person in the chat, if the chat's last word about them is a
/// ban or a running mute.
async fn standing(
    ctx: &Context<'_>,
    chat_id: i64,
    user_id: i64,
    at: DateTime<Utc>,
) -> Result<Option<ActionRecord>> {
    let last = ctx
        .store
        .moderation_log(&ctx.bot.key.0, chat_id, Some(user_id), 1)
        .await?;
    Ok(last.into_iter().next().filter(|a| match a.sanction {
        Sanction::Ban => true,
        Sanction::Mute => a.until.is_some_and(|until| until > at),
        _ => false,
    }))
}

/// `/appeal <text>` in the private chat.
pub(crate) async fn appeal(turn: &mut Turn<'_, '_>, args: &str) -> Result<()> {
    let text: String = args.trim().chars().take(MAX_APPEAL_CHARS).collect();
    if text.is_empty() {
        return turn.say("appeal-usage", &[]).await;
    }
    let Some(staff_chat) = turn.ctx.bot.staff_chat else {
        return turn.say("appeal-unavailable", &[]).await;
    };
    let (ctx, at) = (turn.ctx, turn.incoming.at);
    let user = turn.customer.telegram_user_id;
    let mut found = None;
    for chat in ctx.store.chats(&ctx.bot.key.0).await? {
        if let Some(action) = standing(ctx, chat.seen.chat_id, user, at).await? {
            // The latest sanction is the one to appeal.
            if found
                .as_ref()
                .is_none_or(|(_, a): &(_, ActionRecord)| a.at < action.at)
            {
                found = Some((chat, action));
            }
        }
    }
    let Some((chat, action)) = found else {
        return turn.say("appeal-nothing", &[]).await;
    };
    // The appeal is read in the staff chat: its language.
    let language = crate::community::chat_language(ctx.store, ctx.bot, staff_chat).await?;
    let language = language.as_str();
    let name = turn.customer.first_name.clone();
    let chat_id = chat.seen.chat_id;
    let user_text = user.to_string();
    let staff_text = ctx.texts.get(
        language,
        "appeal-staff",
        &[
            ("name", &name),
            ("user", &user_text),
            ("chat", &chat.seen.title),
            ("reason", &action.reason),
            ("text", &text),
        ],
    );
    let buttons = vec![vec![
        Button::callback(
            ctx.texts.get(language, "appeal-button-lift", &[]),
            format!("{APPEAL_BUTTON}lift:{chat_id}:{user}"),
        ),
        Button::callback(
            ctx.texts.get(language, "appeal-button-keep", &[]),
            format!("{APPEAL_BUTTON}keep:{chat_id}:{user}"),
        ),
    ]];
    let notice = Action::SendText {
        text: staff_text,
        buttons,
    };
    turn.tx
        .enqueue(&NewOutbound::now(&ctx.bot.key.0, staff_chat, notice, at))
        .await?;
    let e = crate::conversation::event(ctx, turn.incoming, &turn.customer, "appeal_sent")
        .chat(chat_id)
        .data(serde_json::json!({ "action": action.id }));
    turn.tx.append_event(&e).await?;
    turn.say("appeal-sent", &[("chat", &chat.seen.title)]).await
}

/// "Lift" or "keep" pressed under an appeal in the staff chat.
pub(crate) async fn button(
    tx: &mut dyn Tx,
    ctx: &Context<'_>,
    incoming: &Incoming,
    staff: &Person,
    callback_id: &str,
    data: &str,
    message_id: Option<i64>,
) -> Result<()> {
    let bot = ctx.bot.key.0.as_str();
    let at = incoming.at;
    // Pressed in the staff chat: toasts and the edited notice in its language.
    let language = crate::community::chat_language(ctx.store, ctx.bot, incoming.chat_id).await?;
    let language = language.as_str();
    let parts: Vec<&str> = data.split(':').collect();
    let (decision, chat_id, user_id) = match (
        parts.get(1).copied(),
        parts.get(2).and_then(|c| c.parse::<i64>().ok()),
        parts.get(3).and_then(|u| u.parse::<i64>().ok()),
    ) {
        (Some(d @ ("lift" | "keep")), Some(chat), Some(user)) => (d, chat, user),
        _ => return answer(tx, bot, incoming, callback_id, None).await,
    };
    let Some(action) = standing(ctx, chat_id, user_id, at).await? else {
        let toast = ctx.texts.get(language, "appeal-decided", &[]);
        return answer(tx, bot, incoming, callback_id, Some(toast)).await;
    };
    answer(tx, bot, incoming, callback_id, None).await?;
    let group = ctx.store.chat(bot, chat_id).await?;
    // What is lifted is said in the group: the group's language.
    let group_language = group
        .as_ref()
        .map_or(ctx.bot.default_language.as_str(), |c| c.language(ctx.bot))
        .to_owned();
    let title = group.map_or_else(|| chat_id.to_string(), |c| c.seen.title);
    let customer = tx.customer_by_telegram_id(user_id).await?;
    let name = customer
        .as_ref()
        .map_or_else(|| user_id.to_string(), |c| c.first_name.clone());
    // A private message: the person's language, else the group's.
    let member_language = customer
        .as_ref()
        .and_then(|c| c.language.clone())
        .unwrap_or_else(|| group_language.clone());
    let actor = crate::staff::staff_name(staff);
    let lifted = decision == "lift";
    if lifted {
        let what = if action.sanction == Sanction::Ban {
            Lift::Unban
        } else {
            Lift::Unmute
        };
        let target = Target {
            user_id,
            name: name.clone(),
            customer_id: customer.as_ref().map(|c| c.id),
        };
        let reason = ctx.texts.get(&group_language, "appeal-reason", &[]);
        lift(
            tx,
            ctx.texts,
            bot,
            &group_language,
            chat_id,
            &target,
            what,
            &actor,
            &reason,
            &[],
            at,
        )
        .await?;
    }
    let user_text = user_id.to_string();
    let staff_line = ctx.texts.get(
        language,
        if lifted {
            "appeal-lifted-staff"
        } else {
            "appeal-kept-staff"
        },
        &[
            ("name", &name),
            ("user", &user_text),
            ("chat", &title),
            ("staff", &actor),
        ],
    );
    let mut actions = Vec::new();
    if let Some(message_id) = message_id {
        actions.push((
            incoming.chat_id,
            Action::EditText {
                message_id,
                text: staff_line,
                buttons: Vec::new(),
            },
        ));
    }
    let told = ctx.texts.get(
        &member_language,
        if lifted {
            "appeal-lifted"
        } else {
            "appeal-kept"
        },
        &[("chat", &title)],
    );
    // The private chat with a person has their user id.
    actions.push((
        user_id,
        Action::SendText {
            text: told,
            buttons: Vec::new(),
        },
    ));
    for (chat, action) in actions {
        tx.enqueue(&NewOutbound::now(bot, chat, action, at)).await?;
    }
    tx.append_event(
        &crate::event::NewEvent::new("appeal_decided", at)
            .bot(bot)
            .chat(chat_id)
            .data(serde_json::json!({
                "user_id": user_id,
                "decision": decision,
                "actor": actor,
            })),
    )
    .await
}

/// Answers a button press (`answerCallbackQuery`), with a short toast if `text` is given.
pub(crate) async fn answer(
    tx: &mut dyn Tx,
    bot: &str,
    incoming: &Incoming,
    callback_id: &str,
    text: Option<String>,
) -> Result<()> {
    let action = Action::AnswerButton {
        callback_id: callback_id.to_owned(),
        text,
    };
    tx.enqueue(&NewOutbound::now(
        bot,
        incoming.chat_id,
        action,
        incoming.at,
    ))
    .await
    .map(|_| ())
}
