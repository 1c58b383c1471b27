//! Community events as the bot handles them: registering the chats it is added to,
//! attributing joins to invite links, verifying join requests in the private chat (`j:`
//! buttons) or by staff (`js:` buttons in the staff chat), and checking people who join a
//! group directly in the group itself (restricted until they pass, `jg:` buttons), with the
//! welcome coupon once per person and chat. See [`crate::community`] for the flow.

use crate::community::{
    ChatSighting, JoinRequest, JoinStatus, MemberChange, MemberCheck, MemberCheckStatus, Raid,
    Verification, WelcomeDelete, JOIN_CHECK_SECONDS, JOIN_TIMEOUT_JOB, MEMBER_CHECK_JOB,
    MEMBER_CHECK_TIMEOUT_JOB, WELCOME_DELETE_JOB,
};
use crate::conversation::{event, see_customer, Context, Turn};
use crate::i18n::Texts;
use crate::incoming::{ChatKind, Incoming, IncomingKind, Person};
use crate::job::NewJob;
use crate::moderation_chat;
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
    let language = crate::community::chat_language(ctx.store, ctx.bot, staff_chat).await?;
    let language = language.as_str();
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
            let seen = crate::membership::MemberSighting {
                bot: change.bot.clone(),
                chat_id: change.chat_id,
                user_id: change.user_id,
                customer_id: change.customer_id,
                first_name: member.first_name.clone(),
                username: member.username.clone(),
                at: change.at,
            };
            crate::membership::track_membership(tx, &seen, *joined).await?;
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
            let mut raid = None;
            if *joined && !*via_join_request {
                // Requests were counted when they were made.
                raid = watch_for_raid(tx, ctx, incoming.chat_id, incoming.at).await?;
            }
            // Someone who came in without a join request is checked in the group (only
            // supergroups have restricted members); the welcome waits until they pass.
            if *joined
                && !*via_join_request
                && incoming.chat_kind == ChatKind::Supergroup
                && check_in_group(tx, ctx, incoming, member, raid.as_ref()).await?
            {
                return Ok(());
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
                    let language =
                        crate::community::chat_language(ctx.store, ctx.bot, staff_chat).await?;
                    let text = ctx.texts.get(
                        &language,
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
    send_welcome(
        tx,
        ctx.store,
        ctx.bot,
        incoming.chat_id,
        member.language_code.as_deref(),
        &member.first_name,
        incoming.at,
    )
    .await
}

/// The chat's welcome for a member (in their language, with their name), and its deletion.
async fn send_welcome(
    tx: &mut dyn Tx,
    store: &dyn crate::store::Store,
    profile: &crate::bot::BotProfile,
    chat_id: i64,
    language: Option<&str>,
    first_name: &str,
    at: DateTime<Utc>,
) -> Result<()> {
    let bot = profile.key.0.as_str();
    let Some(chat) = store.chat(bot, chat_id).await? else {
        return Ok(());
    };
    let welcome = &chat.settings.welcome;
    // The member's language first, then the chat's, then the bot's.
    let fallbacks = [chat.language(profile), profile.default_language.as_str()];
    let Some(text) = welcome.text_for(language, &fallbacks, first_name) else {
        return Ok(());
    };
    let message = Action::SendText {
        text,
        buttons: Vec::new(),
    };
    let outbox_id = tx
        .enqueue(&NewOutbound::now(bot, chat_id, message, at))
        .await?;
    if welcome.delete_after_minutes == 0 {
        return Ok(());
    }
    let job = WelcomeDelete {
        bot: bot.to_owned(),
        chat_id,
        outbox_id,
    };
    let payload = serde_json::to_value(&job).map_err(|e| Error::Invalid(e.to_string()))?;
    let due = at + Duration::minutes(i64::from(welcome.delete_after_minutes));
    tx.schedule_job(
        &NewJob::new(WELCOME_DELETE_JOB, payload, due)
            .dedup_key(format!("welcome:{bot}:{chat_id}:{outbox_id}")),
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
    let check = with_staff_chat(ctx.bot, settings.check(incoming.chat_id, raid.as_ref()));
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
    // A VIP chat turns away people below its tier before any check.
    if let Some(needed) = settings.min_tier.as_deref() {
        let customer_id = turn.customer.id;
        if let Some(tier) = crate::tiers::below(turn.tx, customer_id, needed).await? {
            let language = turn.speaking().to_owned();
            let tier_name = crate::tiers::tier_name(ctx.texts, &tier, &language);
            let text = ctx.texts.get(
                &language,
                "join-declined-tier",
                &[("chat", chat_title), ("tier", &tier_name)],
            );
            let (user, at) = (person.telegram_user_id, incoming.at);
            decline_saying(turn.tx, &bot, chat, user, user_chat_id, text, at).await?;
            let e = event(ctx, incoming, &turn.customer, "join_declined")
                .data(json!({ "chat": chat, "reason": "below_tier", "tier": needed }));
            return turn.tx.append_event(&e).await;
        }
    }
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
        Verification::Staff => {
            // Staff decide whenever they can: no time limit (Telegram keeps the request).
            turn.say("join-review", &args).await?;
            let applicant = Applicant::of(person);
            return ask_staff(
                turn.tx,
                ctx,
                &applicant,
                chat,
                chat_title,
                false,
                incoming.at,
            )
            .await;
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
        // Nothing to press under staff approval: a leftover button does not let anyone in.
        (Verification::Staff, _) => false,
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
    let text = texts.get(language, message, &[("chat", title)]);
    decline_saying(tx, bot, chat, user, user_chat, text, at).await
}

/// Turns the request down (if still open) and sends the person `text` first.
async fn decline_saying(
    tx: &mut dyn Tx,
    bot: &str,
    chat: i64,
    user: i64,
    user_chat: i64,
    text: String,
    at: DateTime<Utc>,
) -> Result<bool> {
    if !tx
        .decide_join_request(bot, chat, user, JoinStatus::Declined, at)
        .await?
    {
        return Ok(false);
    }
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

// --- approval by staff ---

/// Buttons under a staff review: `js:ok:<chat>:<user>` (approve), `js:no:<chat>:<user>`.
const STAFF_REVIEW_BUTTON: &str = "js:";

/// Whether `data` is an Approve / Decline button of a staff review (in the staff chat).
pub(crate) fn is_staff_review_button(data: &str) -> bool {
    data.starts_with(STAFF_REVIEW_BUTTON)
}

/// Staff approval needs somewhere to ask staff: without a staff chat (the bot's
/// configuration changed after the settings were saved) the button check is used instead.
fn with_staff_chat(profile: &crate::bot::BotProfile, check: Verification) -> Verification {
    match check {
        Verification::Staff if profile.staff_chat.is_none() => Verification::Button,
        other => other,
    }
}

/// Who staff are asked about, as Telegram showed them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Applicant {
    pub user_id: i64,
    pub first_name: String,
    pub username: Option<String>,
    pub language: Option<String>,
}

impl Applicant {
    fn of(person: &Person) -> Self {
        Applicant {
            user_id: person.telegram_user_id,
            first_name: person.first_name.clone(),
            username: person.username.clone(),
            language: person.language_code.clone(),
        }
    }

    /// `Ana (@ana, id 42)` for staff.
    fn label(&self) -> String {
        match &self.username {
            Some(username) => format!("{} (@{username}, id {})", self.first_name, self.user_id),
            None => format!("{} (id {})", self.first_name, self.user_id),
        }
    }
}

/// Posts the review of `applicant` (a join request, or a member who joined directly and is
/// restricted until staff decide) in the staff chat, with Approve / Decline buttons.
async fn ask_staff(
    tx: &mut dyn Tx,
    ctx: &Context<'_>,
    applicant: &Applicant,
    chat_id: i64,
    chat_title: &str,
    joined: bool,
    at: DateTime<Utc>,
) -> Result<()> {
    ask_staff_with(
        tx, ctx.texts, ctx.store, ctx.bot, applicant, chat_id, chat_title, joined, at,
    )
    .await
}

#[allow(clippy::too_many_arguments)]
async fn ask_staff_with(
    tx: &mut dyn Tx,
    texts: &Texts,
    store: &dyn crate::store::Store,
    profile: &crate::bot::BotProfile,
    applicant: &Applicant,
    chat_id: i64,
    chat_title: &str,
    joined: bool,
    at: DateTime<Utc>,
) -> Result<()> {
    let Some(staff_chat) = profile.staff_chat else {
        return Ok(());
    };
    let language = crate::community::chat_language(store, profile, staff_chat).await?;
    let language = language.as_str();
    let person = applicant.label();
    let text = texts.get(
        language,
        if joined {
            "join-review-staff-member"
        } else {
            "join-review-staff"
        },
        &[("person", &person), ("chat", chat_title)],
    );
    let user = applicant.user_id;
    let buttons = vec![vec![
        Button::callback(
            texts.get(language, "join-review-approve", &[]),
            format!("{STAFF_REVIEW_BUTTON}ok:{chat_id}:{user}"),
        ),
        Button::callback(
            texts.get(language, "join-review-decline", &[]),
            format!("{STAFF_REVIEW_BUTTON}no:{chat_id}:{user}"),
        ),
    ]];
    let notice = Action::SendText { text, buttons };
    tx.enqueue(&NewOutbound::now(&profile.key.0, staff_chat, notice, at))
        .await
        .map(|_| ())
}

/// Approve or Decline pressed under a review in the staff chat. The request (or the group
/// check) is decided once: a second press, by anyone, only gets a short answer.
pub(crate) async fn staff_button(
    tx: &mut dyn Tx,
    ctx: &Context<'_>,
    incoming: &Incoming,
    staff: &Person,
    callback_id: &str,
    data: &str,
    message_id: Option<i64>,
) -> Result<()> {
    let bot = ctx.bot.key.0.clone();
    let at = incoming.at;
    // Said in the staff chat, where the button was pressed.
    let language = crate::community::chat_language(ctx.store, ctx.bot, incoming.chat_id).await?;
    let parts: Vec<&str> = data.split(':').collect();
    let (approved, chat_id, user_id) = match (
        parts.get(1).copied(),
        parts.get(2).and_then(|c| c.parse::<i64>().ok()),
        parts.get(3).and_then(|u| u.parse::<i64>().ok()),
    ) {
        (Some(d @ ("ok" | "no")), Some(chat), Some(user)) => (d == "ok", chat, user),
        _ => return moderation_chat::answer(tx, &bot, incoming, callback_id, None).await,
    };
    let request = tx
        .join_request_for_update(&bot, chat_id, user_id)
        .await?
        .filter(|r| r.status == JoinStatus::Pending);
    let member_check = match request {
        Some(_) => None,
        None => tx
            .member_check_for_update(&bot, chat_id, user_id)
            .await?
            .filter(|c| {
                c.status == MemberCheckStatus::Pending && c.verification == Verification::Staff
            }),
    };
    if request.is_none() && member_check.is_none() {
        let toast = ctx.texts.get(&language, "join-review-decided", &[]);
        return moderation_chat::answer(tx, &bot, incoming, callback_id, Some(toast)).await;
    }
    moderation_chat::answer(tx, &bot, incoming, callback_id, None).await?;
    let record = ctx.store.chat(&bot, chat_id).await?;
    let title = record
        .as_ref()
        .map_or_else(|| chat_id.to_string(), |c| c.seen.title.clone());
    let settings = record.map(|c| c.settings).unwrap_or_default();
    let customer = tx.customer_by_telegram_id(user_id).await?;
    let applicant = match (&customer, &member_check) {
        (Some(c), _) => Applicant {
            user_id,
            first_name: c.first_name.clone(),
            username: c.username.clone(),
            language: c.language.clone().or_else(|| c.telegram_language.clone()),
        },
        (None, Some(check)) => Applicant {
            user_id,
            first_name: check.first_name.clone(),
            username: None,
            language: check.language.clone(),
        },
        (None, None) => Applicant {
            user_id,
            first_name: user_id.to_string(),
            username: None,
            language: None,
        },
    };
    let actor = crate::staff::staff_name(staff);
    if request.is_some() {
        let customer = customer.ok_or_else(|| {
            Error::Storage(format!("join request of {user_id} without its customer"))
        })?;
        if approved {
            // The person's side of the approval, as if they had passed the check.
            let person = Person {
                telegram_user_id: user_id,
                first_name: customer.first_name.clone(),
                last_name: customer.last_name.clone(),
                username: customer.username.clone(),
                language_code: customer.telegram_language.clone(),
                is_bot: false,
            };
            let private = Incoming {
                chat_id: user_id,
                chat_kind: ChatKind::Private,
                thread_id: None,
                from: Some(person.clone()),
                ..incoming.clone()
            };
            let mut turn = Turn::new(tx, ctx, &private, customer, &person);
            approve(&mut turn, chat_id, &title, settings.join_promotion).await?;
        } else {
            // A private message: the person's language, else the language of the chat they
            // asked to join.
            let member_language = applicant
                .language
                .clone()
                .or_else(|| settings.language.clone())
                .unwrap_or_else(|| ctx.bot.default_language.clone());
            let message = "join-declined-staff";
            decline(
                tx,
                ctx.texts,
                &bot,
                chat_id,
                user_id,
                user_id,
                &title,
                &member_language,
                message,
                at,
            )
            .await?;
            let e = crate::event::NewEvent::new("join_declined", at)
                .bot(&bot)
                .chat(chat_id)
                .customer(customer.id)
                .data(json!({ "user": user_id, "reason": "staff", "actor": actor }));
            tx.append_event(&e).await?;
        }
    } else if let Some(check) = &member_check {
        if approved {
            pass_member(tx, ctx.store, ctx.bot, check, "staff", at).await?;
        } else {
            fail_member(tx, &bot, check, "staff", at).await?;
        }
    }
    if let Some(message_id) = message_id {
        let line = ctx.texts.get(
            &language,
            if approved {
                "join-review-approved"
            } else {
                "join-review-declined"
            },
            &[
                ("person", &applicant.label()),
                ("chat", &title),
                ("staff", &actor),
            ],
        );
        let edit = Action::EditText {
            message_id,
            text: line,
            buttons: Vec::new(),
        };
        tx.enqueue(&NewOutbound::now(&bot, incoming.chat_id, edit, at))
            .await?;
    }
    crate::audit::append(
        tx,
        crate::audit::NewAuditEntry {
            at,
            actor,
            action: if approved {
                "join.approve"
            } else {
                "join.decline"
            }
            .to_owned(),
            target: Some(format!("chat:{chat_id}:user:{user_id}")),
            details: json!({
                "via": "telegram",
                "kind": if request.is_some() { "join_request" } else { "member" },
            }),
            ip: None,
        },
    )
    .await
    .map(drop)
}

// --- the check in the group, for members who joined directly ---

/// Buttons of the check in the group: `jg:<user>:<answer>` (`ok` for the single button, the
/// answer's index for a question). Only the member named may answer.
const GROUP_CHECK_BUTTON: &str = "jg:";

/// Whether `data` is a button of the check in a group.
pub(crate) fn is_group_check_button(data: &str) -> bool {
    data.starts_with(GROUP_CHECK_BUTTON)
}

/// What the job needs to start the check of a member who joined a group directly.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberCheckStart {
    pub bot: String,
    pub chat_id: i64,
    pub chat_title: String,
    pub member: Applicant,
    /// The check chosen when they joined (a raid's if one was running).
    pub verification: Verification,
    pub timeout_minutes: u32,
    pub joined_at: DateTime<Utc>,
}

/// What the timeout job needs to remove a member who did not pass in time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberCheckTimeout {
    pub bot: String,
    pub chat_id: i64,
    pub user_id: i64,
    /// The check this job belongs to: a later check of the same person is not ended by it.
    pub started_at: DateTime<Utc>,
}

/// Whether a member who just joined the group directly gets checked there: if the chat
/// checks direct joins and asks for a check, a job is queued that (once Telegram said they are not staff) restricts
/// them and posts the check. `false`: no check, welcome them now.
async fn check_in_group(
    tx: &mut dyn Tx,
    ctx: &Context<'_>,
    incoming: &Incoming,
    member: &Person,
    raid: Option<&Raid>,
) -> Result<bool> {
    let bot = ctx.bot.key.0.as_str();
    let Some(chat) = ctx
        .store
        .chat(bot, incoming.chat_id)
        .await?
        .filter(|c| c.settings.verify_direct_joins)
    else {
        return Ok(false);
    };
    let verification = with_staff_chat(ctx.bot, chat.settings.check(incoming.chat_id, raid));
    if verification == Verification::None {
        return Ok(false);
    }
    let start = MemberCheckStart {
        bot: bot.to_owned(),
        chat_id: incoming.chat_id,
        chat_title: chat.seen.title.clone(),
        member: Applicant::of(member),
        verification,
        timeout_minutes: chat.settings.verification_timeout_minutes,
        joined_at: incoming.at,
    };
    let payload = serde_json::to_value(&start).map_err(|e| Error::Invalid(e.to_string()))?;
    tx.schedule_job(
        &NewJob::new(MEMBER_CHECK_JOB, payload, incoming.at).dedup_key(format!(
            "member-check:{bot}:{}:{}:{}",
            incoming.chat_id,
            member.telegram_user_id,
            incoming.at.timestamp_millis()
        )),
    )
    .await?;
    Ok(true)
}

/// Run by the job once Telegram said whether the member is staff: staff (and the bot's own
/// kind) are only welcomed; anyone else is restricted (nothing may be sent) and gets the
/// check in the group, with a timeout job, or, under staff approval, staff are asked.
pub async fn start_member_check(
    tx: &mut dyn Tx,
    texts: &Texts,
    store: &dyn crate::store::Store,
    profile: &crate::bot::BotProfile,
    start: &MemberCheckStart,
    is_staff: bool,
    at: DateTime<Utc>,
) -> Result<()> {
    let member = &start.member;
    let language = member.language.as_deref();
    if is_staff {
        return send_welcome(
            tx,
            store,
            profile,
            start.chat_id,
            language,
            &member.first_name,
            at,
        )
        .await;
    }
    let bot = start.bot.as_str();
    let (chat, user) = (start.chat_id, member.user_id);
    // Telegram treats a restriction of more than 366 days as forever: until they pass.
    let restrict = Action::Restrict {
        user_id: user,
        until: at + Duration::days(400),
    };
    tx.enqueue(&NewOutbound::now(bot, chat, restrict, at))
        .await?;
    // Posted in the group for the member: their language if groupcart speaks it, else the
    // chat's.
    let speaking = match language.and_then(|l| texts.negotiate(l)) {
        Some(supported) => supported.to_owned(),
        None => crate::community::chat_language(store, profile, chat).await?,
    };
    let name = match &member.username {
        Some(username) => format!("{} (@{username})", member.first_name),
        None => member.first_name.clone(),
    };
    let minutes = start.timeout_minutes.max(1);
    let args = [("name", name.as_str()), ("minutes", &minutes.to_string())];
    let message = match &start.verification {
        Verification::Staff => None,
        Verification::Question {
            question, answers, ..
        } => {
            let mut text = texts.get(&speaking, "group-check-question", &args);
            text.push_str("\n\n");
            text.push_str(question);
            let buttons = answers
                .iter()
                .enumerate()
                .map(|(i, answer)| {
                    vec![Button::callback(
                        answer.clone(),
                        format!("{GROUP_CHECK_BUTTON}{user}:{i}"),
                    )]
                })
                .collect();
            Some(Action::SendText { text, buttons })
        }
        Verification::Button | Verification::None => {
            let text = texts.get(&speaking, "group-check-button", &args);
            let label = texts.get(&speaking, "join-check-button-label", &[]);
            let buttons = vec![vec![Button::callback(
                label,
                format!("{GROUP_CHECK_BUTTON}{user}:ok"),
            )]];
            Some(Action::SendText { text, buttons })
        }
    };
    let message_outbox_id = match message {
        Some(message) => Some(
            tx.enqueue(&NewOutbound::now(bot, chat, message, at))
                .await?,
        ),
        None => None,
    };
    let deadline = message_outbox_id
        .is_some()
        .then(|| at + Duration::minutes(i64::from(minutes)));
    tx.open_member_check(&MemberCheck {
        bot: bot.to_owned(),
        chat_id: chat,
        user_id: user,
        verification: start.verification.clone(),
        message_outbox_id,
        first_name: member.first_name.clone(),
        language: member.language.clone(),
        status: MemberCheckStatus::Pending,
        started_at: at,
        deadline,
        decided_at: None,
    })
    .await?;
    let e = crate::event::NewEvent::new("member_check_started", at)
        .bot(bot)
        .chat(chat)
        .data(json!({
            "user": user,
            "mode": match &start.verification {
                Verification::Staff => "staff",
                Verification::Question { .. } => "question",
                _ => "button",
            },
        }));
    tx.append_event(&e).await?;
    match deadline {
        Some(deadline) => {
            let timeout = MemberCheckTimeout {
                bot: bot.to_owned(),
                chat_id: chat,
                user_id: user,
                started_at: at,
            };
            let payload =
                serde_json::to_value(&timeout).map_err(|e| Error::Invalid(e.to_string()))?;
            tx.schedule_job(
                &NewJob::new(MEMBER_CHECK_TIMEOUT_JOB, payload, deadline).dedup_key(format!(
                    "member-check-timeout:{bot}:{chat}:{user}:{}",
                    at.timestamp_millis()
                )),
            )
            .await
            .map(|_| ())
        }
        // Staff decide whenever they can; the member stays restricted until then.
        None => {
            ask_staff_with(
                tx,
                texts,
                store,
                profile,
                member,
                chat,
                &start.chat_title,
                true,
                at,
            )
            .await
        }
    }
}

/// A press on the check's button in the group: only the member it names may answer.
pub(crate) async fn group_button(
    tx: &mut dyn Tx,
    ctx: &Context<'_>,
    incoming: &Incoming,
    person: &Person,
    callback_id: &str,
    data: &str,
) -> Result<()> {
    let bot = ctx.bot.key.0.clone();
    // A toast only the presser sees: their language, else the chat's.
    let language = match person
        .language_code
        .as_deref()
        .and_then(|l| ctx.texts.negotiate(l))
    {
        Some(supported) => supported.to_owned(),
        None => crate::community::chat_language(ctx.store, ctx.bot, incoming.chat_id).await?,
    };
    let mut parts = data[GROUP_CHECK_BUTTON.len()..].split(':');
    let (Some(user), Some(answer)) = (
        parts.next().and_then(|u| u.parse::<i64>().ok()),
        parts.next(),
    ) else {
        return moderation_chat::answer(tx, &bot, incoming, callback_id, None).await;
    };
    if user != person.telegram_user_id {
        let toast = ctx.texts.get(&language, "group-check-not-yours", &[]);
        return moderation_chat::answer(tx, &bot, incoming, callback_id, Some(toast)).await;
    }
    let pending = tx
        .member_check_for_update(&bot, incoming.chat_id, user)
        .await?
        .filter(|c| c.status == MemberCheckStatus::Pending);
    let Some(check) = pending else {
        let toast = ctx.texts.get(&language, "group-check-closed", &[]);
        return moderation_chat::answer(tx, &bot, incoming, callback_id, Some(toast)).await;
    };
    // Past its time the check fails, even if the timeout job has not run yet.
    let in_time = check.deadline.is_none_or(|d| incoming.at <= d);
    let passed = in_time
        && match &check.verification {
            Verification::Question { correct, .. } => {
                answer.parse::<usize>().ok() == Some(*correct)
            }
            Verification::Button | Verification::None => answer == "ok",
            Verification::Staff => false,
        };
    moderation_chat::answer(tx, &bot, incoming, callback_id, None).await?;
    if passed {
        pass_member(tx, ctx.store, ctx.bot, &check, "answered", incoming.at)
            .await
            .map(drop)
    } else {
        let reason = if in_time { "wrong_answer" } else { "timeout" };
        fail_member(tx, &bot, &check, reason, incoming.at)
            .await
            .map(drop)
    }
}

/// Lifts the restriction of a member who passed (or whom staff approved), deletes the
/// check, and welcomes them. `false` if the check was no longer pending.
async fn pass_member(
    tx: &mut dyn Tx,
    store: &dyn crate::store::Store,
    profile: &crate::bot::BotProfile,
    check: &MemberCheck,
    how: &str,
    at: DateTime<Utc>,
) -> Result<bool> {
    let (bot, chat, user) = (check.bot.as_str(), check.chat_id, check.user_id);
    if !tx
        .decide_member_check(bot, chat, user, MemberCheckStatus::Passed, at)
        .await?
    {
        return Ok(false);
    }
    let mut actions = vec![Action::Unrestrict { user_id: user }];
    if let Some(outbox_id) = check.message_outbox_id {
        actions.push(Action::DeleteSent { outbox_id });
    }
    for action in actions {
        tx.enqueue(&NewOutbound::now(bot, chat, action, at)).await?;
    }
    let e = crate::event::NewEvent::new("member_check_passed", at)
        .bot(bot)
        .chat(chat)
        .data(json!({ "user": user, "how": how }));
    tx.append_event(&e).await?;
    send_welcome(
        tx,
        store,
        profile,
        chat,
        check.language.as_deref(),
        &check.first_name,
        at,
    )
    .await?;
    Ok(true)
}

/// Removes a member who failed the check (ban, then unban so they may come back later)
/// and deletes the check. `false` if the check was no longer pending.
async fn fail_member(
    tx: &mut dyn Tx,
    bot: &str,
    check: &MemberCheck,
    reason: &str,
    at: DateTime<Utc>,
) -> Result<bool> {
    let (chat, user) = (check.chat_id, check.user_id);
    if !tx
        .decide_member_check(bot, chat, user, MemberCheckStatus::Failed, at)
        .await?
    {
        return Ok(false);
    }
    let mut actions = vec![
        Action::Ban { user_id: user },
        Action::Unban { user_id: user },
    ];
    if let Some(outbox_id) = check.message_outbox_id {
        actions.push(Action::DeleteSent { outbox_id });
    }
    for action in actions {
        tx.enqueue(&NewOutbound::now(bot, chat, action, at)).await?;
    }
    let e = crate::event::NewEvent::new("member_check_failed", at)
        .bot(bot)
        .chat(chat)
        .data(json!({ "user": user, "reason": reason }));
    tx.append_event(&e).await?;
    Ok(true)
}

/// Run by the timeout job: removes the member if the check it belongs to is still open.
pub async fn member_check_timed_out(
    tx: &mut dyn Tx,
    timeout: &MemberCheckTimeout,
    at: DateTime<Utc>,
) -> Result<()> {
    let check = tx
        .member_check_for_update(&timeout.bot, timeout.chat_id, timeout.user_id)
        .await?
        // Stores keep milliseconds at least.
        .filter(|c| {
            c.status == MemberCheckStatus::Pending
                && c.started_at.timestamp_millis() == timeout.started_at.timestamp_millis()
        });
    if let Some(check) = check {
        fail_member(tx, &timeout.bot, &check, "timeout", at).await?;
    }
    Ok(())
}
