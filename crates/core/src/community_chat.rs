//! Community events as the bot handles them: registering the chats it is added to,
//! attributing joins to invite links, and verifying join requests in the private chat
//! (`j:` buttons), with the welcome coupon once per person and chat. See
//! [`crate::community`] for the flow.

use crate::community::{
    ChatSighting, JoinRequest, JoinStatus, MemberChange, Raid, Verification, WelcomeDelete,
    JOIN_CHECK_SECONDS, JOIN_TIMEOUT_JOB, WELCOME_DELETE_JOB,
};
use crate::conversation::{event, see_customer, Context, Turn};
use crate::i18n::Texts;
use crate::incoming::{ChatKind, Incoming, IncomingKind, Person};
use crate::job::NewJob;
use crate::outbox::{Action, Button, NewOutbound};
use crate::promotion::PromotionId;
use crate::store::Tx;
use crate::{Error, Result};
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;

/// Whether this module handles `kind` (events about groups and channels, not conversations).
pub(crate) fn is_community_event(kind: &IncomingKind) -> bool {
    matches!(
        kind,
        IncomingKind::JoinRequest { .. }
            | IncomingKind::MemberChanged { .. }
            | IncomingKind::BotMembership { .. }
    )
}

/// Tells the staff chat which rights the bot lacks in `chat`, if any.
async fn report_rights(
    tx: &mut dyn Tx,
    ctx: &Context<'_>,
    chat: &crate::community::ChatRecord,
    staff_chat: i64,
    at: DateTime<Utc>,
) -> Result<()> {
    let missing = chat.missing();
    if missing.is_empty() {
        return Ok(());
    }
    let language = ctx.bot.default_language.as_str();
    let rights: Vec<String> = missing
        .iter()
        .map(|r| ctx.texts.get(language, r.message_id(), &[]))
        .collect();
    let text = ctx.texts.get(
        language,
        "staff-chat-rights",
        &[("chat", &chat.seen.title), ("rights", &rights.join("; "))],
    );
    let message = Action::SendText {
        text,
        buttons: Vec::new(),
    };
    tx.enqueue(&NewOutbound::now(&ctx.bot.key.0, staff_chat, message, at))
        .await
        .map(|_| ())
}

/// Join-check buttons: `j:<chat id>:<answer>` (`ok` for the single button).
pub(crate) fn is_join_button(data: &str) -> bool {
    data.starts_with("j:")
}

pub(crate) async fn handle(tx: &mut dyn Tx, ctx: &Context<'_>, incoming: &Incoming) -> Result<()> {
    match &incoming.kind {
        IncomingKind::BotMembership {
            chat_type,
            title,
            username,
            status,
            can_invite_users,
            can_restrict_members,
            can_delete_messages,
        } => {
            let chat = tx
                .upsert_chat(&ChatSighting {
                    bot: ctx.bot.key.0.clone(),
                    chat_id: incoming.chat_id,
                    kind: chat_type.clone(),
                    title: title.clone(),
                    username: username.clone(),
                    bot_status: status.clone(),
                    can_invite_users: *can_invite_users,
                    can_restrict_members: *can_restrict_members,
                    can_delete_messages: *can_delete_messages,
                    at: incoming.at,
                })
                .await?;
            let e = crate::event::NewEvent::new("bot_membership", incoming.at)
                .bot(ctx.bot.key.as_str())
                .chat(incoming.chat_id)
                .data(json!({
                    "status": status,
                    "missing_rights": chat.missing_rights(),
                }));
            tx.append_event(&e).await?;
            let present = matches!(status.as_str(), "administrator" | "member" | "restricted");
            match ctx.bot.staff_chat {
                // Staff learn at once what the bot cannot do where it was just added.
                Some(staff_chat) if present && staff_chat != incoming.chat_id => {
                    report_rights(tx, ctx, &chat, staff_chat, incoming.at).await
                }
                _ => Ok(()),
            }
        }
        IncomingKind::MemberChanged {
            member,
            joined,
            invite_link,
            via_join_request,
        } => {
            if member.is_bot {
                return Ok(());
            }
            let customer = tx.customer_by_telegram_id(member.telegram_user_id).await?;
            let change = MemberChange {
                bot: ctx.bot.key.0.clone(),
                chat_id: incoming.chat_id,
                user_id: member.telegram_user_id,
                customer_id: customer.as_ref().map(|c| c.id),
                joined: *joined,
                invite_link: invite_link.clone(),
                via_join_request: *via_join_request,
                at: incoming.at,
            };
            tx.record_member_change(&change).await?;
            let source = match invite_link {
                Some(link) => ctx.store.invite_link(link).await?.map(|l| l.source),
                None => None,
            };
            let mut e = crate::event::NewEvent::new(
                if *joined {
                    "member_joined"
                } else {
                    "member_left"
                },
                incoming.at,
            )
            .bot(ctx.bot.key.as_str())
            .chat(incoming.chat_id)
            .source(source)
            .data(json!({
                "user": member.telegram_user_id,
                "invite_link": invite_link,
                "via_join_request": via_join_request,
            }));
            if let Some(customer) = &customer {
                e = e.customer(customer.id);
            }
            tx.append_event(&e).await?;
            if *joined && !*via_join_request {
                // Requests were counted when they were made.
                watch_for_raid(tx, ctx, incoming.chat_id, incoming.at).await?;
            }
            if *joined && incoming.chat_kind != ChatKind::Channel {
                welcome(tx, ctx, incoming, member).await?;
            }
            Ok(())
        }
        IncomingKind::JoinRequest {
            chat_title,
            user_chat_id,
            invite_link,
        } => {
            let Some(person) = incoming.from.as_ref().filter(|p| !p.is_bot) else {
                return Ok(());
            };
            join_requested(
                tx,
                ctx,
                incoming,
                person,
                chat_title,
                *user_chat_id,
                invite_link,
            )
            .await
        }
        _ => Ok(()),
    }
}

/// Counts a join (or join request) against the chat's raid guard: when too many came within
/// its window a raid starts (an event, and staff alerted once). Returns the raid running now.
async fn watch_for_raid(
    tx: &mut dyn Tx,
    ctx: &Context<'_>,
    chat_id: i64,
    at: DateTime<Utc>,
) -> Result<Option<Raid>> {
    let bot = ctx.bot.key.0.as_str();
    let Some(chat) = ctx.store.chat(bot, chat_id).await? else {
        return Ok(None);
    };
    let guard = &chat.settings.raid;
    if guard.joins > 0 {
        let since = at - Duration::seconds(i64::from(guard.seconds));
        let joins = tx.recent_joins(bot, chat_id, since).await?;
        if joins >= i64::from(guard.joins) {
            let until = at + Duration::minutes(i64::from(guard.minutes));
            if tx.raise_raid(bot, chat_id, at, until).await? {
                let e = crate::event::NewEvent::new("join_raid", at)
                    .bot(bot)
                    .chat(chat_id)
                    .data(json!({
                        "joins": joins,
                        "seconds": guard.seconds,
                        "until": until,
                    }));
                tx.append_event(&e).await?;
                if let Some(staff_chat) = ctx.bot.staff_chat.filter(|s| *s != chat_id) {
                    let language = ctx.bot.default_language.as_str();
                    let text = ctx.texts.get(
                        language,
                        "raid-alert",
                        &[
                            ("chat", &chat.seen.title),
                            ("joins", &joins.to_string()),
                            ("seconds", &guard.seconds.to_string()),
                            ("minutes", &guard.minutes.to_string()),
                        ],
                    );
                    let alert = Action::SendText {
                        text,
                        buttons: Vec::new(),
                    };
                    tx.enqueue(&NewOutbound::now(bot, staff_chat, alert, at))
                        .await?;
                }
            }
        }
    }
    Ok(tx.raid(bot, chat_id).await?.filter(|r| r.until > at))
}

/// Greets someone who just joined the group with the chat's welcome, if it has one, and
/// schedules its deletion.
async fn welcome(
    tx: &mut dyn Tx,
    ctx: &Context<'_>,
    incoming: &Incoming,
    member: &Person,
) -> Result<()> {
    let bot = ctx.bot.key.0.as_str();
    let Some(chat) = ctx.store.chat(bot, incoming.chat_id).await? else {
        return Ok(());
    };
    let welcome = &chat.settings.welcome;
    let Some(text) = welcome.text_for(
        member.language_code.as_deref(),
        &ctx.bot.default_language,
        &member.first_name,
    ) else {
        return Ok(());
    };
    let message = Action::SendText {
        text,
        buttons: Vec::new(),
    };
    let at = incoming.at;
    let outbox_id = tx
        .enqueue(&NewOutbound::now(bot, incoming.chat_id, message, at))
        .await?;
    if welcome.delete_after_minutes == 0 {
        return Ok(());
    }
    let job = WelcomeDelete {
        bot: bot.to_owned(),
        chat_id: incoming.chat_id,
        outbox_id,
    };
    let payload = serde_json::to_value(&job).map_err(|e| Error::Invalid(e.to_string()))?;
    let due = at + Duration::minutes(i64::from(welcome.delete_after_minutes));
    tx.schedule_job(
        &NewJob::new(WELCOME_DELETE_JOB, payload, due)
            .dedup_key(format!("welcome:{bot}:{}:{outbox_id}", incoming.chat_id)),
    )
    .await
    .map(|_| ())
}

/// Run by the welcome job: deletes the welcome (once Telegram gave it a message id).
pub async fn delete_welcome(tx: &mut dyn Tx, job: &WelcomeDelete, at: DateTime<Utc>) -> Result<()> {
    let delete = Action::DeleteSent {
        outbox_id: job.outbox_id,
    };
    tx.enqueue(&NewOutbound::now(&job.bot, job.chat_id, delete, at))
        .await
        .map(|_| ())
}

/// What the timeout job needs to close a request nobody answered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JoinTimeout {
    pub bot: String,
    pub chat_id: i64,
    pub chat_title: String,
    pub user_id: i64,
    pub user_chat_id: i64,
    pub language: String,
}

async fn join_requested(
    tx: &mut dyn Tx,
    ctx: &Context<'_>,
    incoming: &Incoming,
    person: &Person,
    chat_title: &str,
    user_chat_id: i64,
    invite_link: &Option<String>,
) -> Result<()> {
    let bot = ctx.bot.key.0.clone();
    let link = match invite_link {
        Some(link) => ctx.store.invite_link(link).await?,
        None => None,
    };
    // The person may never have talked to the bot: the link's source is where they came from.
    let source = link.as_ref().map(|l| l.source.clone());
    let customer = see_customer(tx, ctx, incoming, person, source.clone()).await?;
    tx.open_join_request(&JoinRequest {
        bot: bot.clone(),
        chat_id: incoming.chat_id,
        user_id: person.telegram_user_id,
        customer_id: customer.id,
        invite_link: invite_link.clone(),
        status: JoinStatus::Pending,
        requested_at: incoming.at,
        decided_at: None,
    })
    .await?;
    let e = event(ctx, incoming, &customer, "join_requested")
        .source(source)
        .data(json!({ "invite_link": invite_link }));
    tx.append_event(&e).await?;
    let settings = ctx
        .store
        .chat(&bot, incoming.chat_id)
        .await?
        .map(|c| c.settings)
        .unwrap_or_default();
    let raid = watch_for_raid(tx, ctx, incoming.chat_id, incoming.at).await?;
    let check = settings.check(incoming.chat_id, raid.as_ref());
    // From here on the bot talks to the person in the private chat Telegram opened.
    let private = Incoming {
        chat_id: user_chat_id,
        chat_kind: ChatKind::Private,
        ..incoming.clone()
    };
    let mut turn = Turn::new(tx, ctx, &private, customer, person);
    let name = person.first_name.clone();
    let args = [("name", name.as_str()), ("chat", chat_title)];
    let chat = incoming.chat_id;
    match &check {
        Verification::None => {
            return approve(&mut turn, chat, chat_title, settings.join_promotion).await;
        }
        Verification::Button => {
            let text = turn.text("join-check-button", &args);
            let label = turn.text("join-check-button-label", &[]);
            let buttons = vec![vec![Button::callback(label, format!("j:{chat}:ok"))]];
            turn.send(Action::SendText { text, buttons }).await?;
        }
        Verification::Question {
            question, answers, ..
        } => {
            let mut text = turn.text("join-check-question", &args);
            text.push_str("\n\n");
            text.push_str(question);
            // During a raid the answer names the raid's check (`r<i>`), so it is checked
            // against the question asked even if the raid ends before the answer.
            let mark = if raid.is_some() { "r" } else { "" };
            let buttons = answers
                .iter()
                .enumerate()
                .map(|(i, answer)| {
                    vec![Button::callback(
                        answer.clone(),
                        format!("j:{chat}:{mark}{i}"),
                    )]
                })
                .collect();
            turn.send(Action::SendText { text, buttons }).await?;
        }
    }
    let timeout = JoinTimeout {
        bot,
        chat_id: chat,
        chat_title: chat_title.to_owned(),
        user_id: person.telegram_user_id,
        user_chat_id,
        language: turn.speaking().to_owned(),
    };
    let payload = serde_json::to_value(&timeout).map_err(|e| Error::Invalid(e.to_string()))?;
    turn.tx
        .schedule_job(
            &NewJob::new(
                JOIN_TIMEOUT_JOB,
                payload,
                incoming.at + Duration::seconds(JOIN_CHECK_SECONDS),
            )
            .dedup_key(format!(
                "join:{}:{chat}:{}:{}",
                timeout.bot,
                person.telegram_user_id,
                incoming.at.timestamp_millis()
            )),
        )
        .await
        .map(|_| ())
}

/// A press on a join-check button in the private chat.
pub(crate) async fn button(
    turn: &mut Turn<'_, '_>,
    callback_id: &str,
    data: &str,
    message_id: Option<i64>,
) -> Result<()> {
    let mut parts = data.split(':').skip(1);
    let (Some(chat), Some(answer)) = (
        parts.next().and_then(|c| c.parse::<i64>().ok()),
        parts.next(),
    ) else {
        return turn.expired(callback_id).await;
    };
    let bot = turn.ctx.bot.key.0.clone();
    let user = turn.customer.telegram_user_id;
    let pending = turn
        .tx
        .join_request_for_update(&bot, chat, user)
        .await?
        .filter(|r| r.status == JoinStatus::Pending);
    if pending.is_none() {
        let text = turn.text("join-check-closed", &[]);
        return turn.answer(callback_id, Some(text)).await;
    }
    turn.answer(callback_id, None).await?;
    let record = turn.ctx.store.chat(&bot, chat).await?;
    let title = record
        .as_ref()
        .map_or(String::new(), |c| c.seen.title.clone());
    let settings = record.map(|c| c.settings).unwrap_or_default();
    // An answer to a raid's check (`r<i>`) is checked against the raid's question.
    let (check, answer) = match answer.strip_prefix('r') {
        Some(answer) => {
            let raid = turn.tx.raid(&bot, chat).await?;
            let raid = raid.unwrap_or(crate::community::Raid {
                started_at: turn.incoming.at,
                until: turn.incoming.at,
            });
            (settings.check(chat, Some(&raid)), answer)
        }
        None => (settings.verification.clone(), answer),
    };
    let passed = match (&check, answer) {
        (Verification::Question { correct, .. }, answer) => {
            answer.parse::<usize>().ok() == Some(*correct)
        }
        (_, answer) => answer == "ok",
    };
    // The check's buttons go, so it cannot be answered twice.
    if let Some(message_id) = message_id {
        let text = turn.text("join-check-done", &[("chat", &title)]);
        turn.send(Action::EditText {
            message_id,
            text,
            buttons: Vec::new(),
        })
        .await?;
    }
    if passed {
        approve(turn, chat, &title, settings.join_promotion).await
    } else {
        let language = turn.speaking().to_owned();
        let (texts, private, at) = (turn.ctx.texts, turn.incoming.chat_id, turn.incoming.at);
        let message = "join-declined";
        decline(
            turn.tx, texts, &bot, chat, user, private, &title, &language, message, at,
        )
        .await?;
        let e = event(turn.ctx, turn.incoming, &turn.customer, "join_declined")
            .data(json!({ "chat": chat, "reason": "wrong_answer" }));
        turn.tx.append_event(&e).await
    }
}

/// Lets the person in, and gives them the chat's join coupon if they never got it.
async fn approve(
    turn: &mut Turn<'_, '_>,
    chat: i64,
    title: &str,
    join_promotion: Option<PromotionId>,
) -> Result<()> {
    let bot = turn.ctx.bot.key.0.clone();
    let user = turn.customer.telegram_user_id;
    let at = turn.incoming.at;
    if !turn
        .tx
        .decide_join_request(&bot, chat, user, JoinStatus::Approved, at)
        .await?
    {
        return Ok(());
    }
    let e = event(turn.ctx, turn.incoming, &turn.customer, "join_approved")
        .data(json!({ "chat": chat }));
    turn.tx.append_event(&e).await?;
    turn.say("join-approved", &[("chat", title)]).await?;
    give_join_coupon(turn, chat, join_promotion).await?;
    // Last in the private chat: once the request is answered, Telegram no longer lets the
    // bot write to someone who never started it.
    turn.send(Action::ApproveJoinRequest {
        chat_id: chat,
        user_id: user,
    })
    .await
}

/// The chat's join coupon, the first time this person joins it.
async fn give_join_coupon(
    turn: &mut Turn<'_, '_>,
    chat: i64,
    join_promotion: Option<PromotionId>,
) -> Result<()> {
    let Some(promotion_id) = join_promotion else {
        return Ok(());
    };
    let Some(promotion) = turn.ctx.store.promotion(promotion_id).await? else {
        return Ok(());
    };
    let bot = turn.ctx.bot.key.0.clone();
    let at = turn.incoming.at;
    // The code is for this person only, so it needs to be unique rather than secret.
    let mut seed =
        (turn.customer.id.0 as u64) ^ ((chat as u64) << 20) ^ at.timestamp_millis() as u64;
    let mut random = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let code = crate::coupon::make_codes("JOIN-", 1, &mut random)
        .map_err(Error::Fields)?
        .remove(0);
    let customer = turn.customer.id;
    if !turn
        .tx
        .claim_join_reward(&bot, chat, customer, promotion_id, &code, at)
        .await?
    {
        // Joined before: the welcome coupon is given once.
        return Ok(());
    }
    turn.tx.set_cart_code(customer, Some(&code), at).await?;
    let currency = crate::checkout::bot_currency(turn.ctx.bot)?;
    let benefit = crate::coupon_chat::benefit_text(turn, &promotion.promotion.benefit, currency);
    let e = event(
        turn.ctx,
        turn.incoming,
        &turn.customer,
        "join_coupon_issued",
    )
    .data(json!({ "chat": chat, "promotion": promotion_id.0, "code": code }));
    turn.tx.append_event(&e).await?;
    turn.say("join-coupon", &[("code", &code), ("benefit", &benefit)])
        .await
}

/// Turns the request down and tells the person why (`message`), in `language`.
#[allow(clippy::too_many_arguments)]
async fn decline(
    tx: &mut dyn Tx,
    texts: &Texts,
    bot: &str,
    chat: i64,
    user: i64,
    user_chat: i64,
    title: &str,
    language: &str,
    message: &str,
    at: DateTime<Utc>,
) -> Result<bool> {
    if !tx
        .decide_join_request(bot, chat, user, JoinStatus::Declined, at)
        .await?
    {
        return Ok(false);
    }
    let text = texts.get(language, message, &[("chat", title)]);
    let dm = Action::SendText {
        text,
        buttons: Vec::new(),
    };
    tx.enqueue(&NewOutbound::now(bot, user_chat, dm, at))
        .await?;
    // After the message: see `approve`.
    let decline = Action::DeclineJoinRequest {
        chat_id: chat,
        user_id: user,
    };
    tx.enqueue(&NewOutbound::now(bot, user_chat, decline, at))
        .await?;
    Ok(true)
}

/// Run by the timeout job: declines the request if it is still open.
pub async fn join_timed_out(
    tx: &mut dyn Tx,
    texts: &Texts,
    timeout: &JoinTimeout,
    at: DateTime<Utc>,
) -> Result<()> {
    let declined = decline(
        tx,
        texts,
        &timeout.bot,
        timeout.chat_id,
        timeout.user_id,
        timeout.user_chat_id,
        &timeout.chat_title,
        &timeout.language,
        "join-timed-out",
        at,
    )
    .await?;
    if declined {
        let e = crate::event::NewEvent::new("join_declined", at)
            .bot(&timeout.bot)
            .chat(timeout.chat_id)
            .data(json!({ "user": timeout.user_id, "reason": "timeout" }));
        tx.append_event(&e).await?;
    }
    Ok(())
}
