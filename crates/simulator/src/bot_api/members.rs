//! Chat administration methods: invite links, join requests, getChat, getChatMember, and the
//! member changes a bot makes (ban, unban, restrict), each emitting the updates Telegram would.

use serde_json::{json, Value};

use super::Ctx;
use crate::error::{ApiError, ApiOk};
use crate::params::Params;
use crate::state::{now_unix, InviteLink, Member, MemberChange};
use crate::types::{ChatType, MemberStatus};

fn user_id(params: &Params) -> Result<i64, ApiError> {
    params
        .i64("user_id")?
        .filter(|id| *id > 0)
        .ok_or_else(|| ApiError::bad_request("invalid user_id specified"))
}

/// The user a method acts on must be known to the simulator.
fn known_user(ctx: &Ctx<'_>, user_id: i64) -> Result<(), ApiError> {
    if ctx.world.users.contains_key(&user_id) || ctx.world.is_bot(user_id) {
        Ok(())
    } else {
        Err(ApiError::bad_request("user not found"))
    }
}

fn invite_rights(ctx: &Ctx<'_>, chat_id: i64) -> Result<(), ApiError> {
    ctx.world
        .check_admin(ctx.bot_id, chat_id)
        .map(|_| ())
        .map_err(|err| {
            if err.code == 400 && err.description.ends_with("not enough rights") {
                ApiError::bad_request("not enough rights to manage chat invite link")
            } else {
                err
            }
        })
}

pub(super) fn create_chat_invite_link(
    ctx: &mut Ctx<'_>,
    params: &Params,
) -> Result<ApiOk, ApiError> {
    let chat_id = ctx.world.resolve_chat(params)?;
    let name = params.str("name")?;
    if name.as_ref().is_some_and(|n| n.chars().count() > 32) {
        return Err(ApiError::bad_request(
            "invite link name must be at most 32 characters",
        ));
    }
    let expire_date = params.i64("expire_date")?.filter(|d| *d != 0);
    let member_limit = params.i64("member_limit")?.filter(|l| *l != 0);
    let creates_join_request = params.bool("creates_join_request")?;
    invite_rights(ctx, chat_id)?;
    if expire_date.is_some_and(|d| d <= now_unix()) {
        return Err(ApiError::bad_request("EXPIRE_DATE_INVALID"));
    }
    if member_limit.is_some_and(|l| !(1..=99_999).contains(&l)) {
        return Err(ApiError::bad_request("USAGE_LIMIT_INVALID"));
    }
    if member_limit.is_some() && creates_join_request {
        return Err(ApiError::bad_request(
            "member_limit can't be specified for links requiring administrator approval",
        ));
    }
    let link = InviteLink {
        link: format!("https://t.me/+{}", ctx.world.random_token(16)),
        creator_bot: ctx.bot_id,
        name,
        expire_date,
        member_limit,
        creates_join_request,
        revoked: false,
        joined: 0,
    };
    let json = ctx.world.invite_json(chat_id, &link, ctx.bot_id);
    if let Some(chat) = ctx.world.chats.get_mut(&chat_id) {
        chat.links.push(link);
    }
    Ok(ApiOk::new(json))
}

pub(super) fn revoke_chat_invite_link(
    ctx: &mut Ctx<'_>,
    params: &Params,
) -> Result<ApiOk, ApiError> {
    let chat_id = ctx.world.resolve_chat(params)?;
    let link = params.required_str("invite_link")?;
    invite_rights(ctx, chat_id)?;
    let revoked = ctx.world.chats.get_mut(&chat_id).and_then(|chat| {
        let found = chat.links.iter_mut().find(|l| l.link == link)?;
        found.revoked = true;
        Some(found.clone())
    });
    let revoked = revoked.ok_or_else(|| ApiError::bad_request("INVITE_HASH_EXPIRED"))?;
    Ok(ApiOk::new(
        ctx.world.invite_json(chat_id, &revoked, ctx.bot_id),
    ))
}

/// approveChatJoinRequest (`approve`) or declineChatJoinRequest.
pub(super) fn answer_join_request(
    ctx: &mut Ctx<'_>,
    params: &Params,
    approve: bool,
) -> Result<ApiOk, ApiError> {
    let chat_id = ctx.world.resolve_chat(params)?;
    let user_id = user_id(params)?;
    ctx.world.check_admin(ctx.bot_id, chat_id).map_err(|err| {
        if err.code == 400 {
            ApiError::bad_request("CHAT_ADMIN_REQUIRED")
        } else {
            err
        }
    })?;
    let request = ctx.world.chats.get_mut(&chat_id).and_then(|chat| {
        let index = chat
            .join_requests
            .iter()
            .position(|r| r.user_id == user_id)?;
        Some(chat.join_requests.remove(index))
    });
    let Some(request) = request else {
        return Err(if ctx.world.member(chat_id, user_id).present() {
            ApiError::bad_request("USER_ALREADY_PARTICIPANT")
        } else {
            ApiError::bad_request("HIDE_REQUESTER_MISSING")
        });
    };
    if approve {
        if let (Some(link), Some(chat)) = (&request.link, ctx.world.chats.get_mut(&chat_id)) {
            if let Some(found) = chat.links.iter_mut().find(|l| &l.link == link) {
                found.joined += 1;
            }
        }
        ctx.world.change_member(MemberChange {
            chat_id,
            user_id,
            new: Member::with_status(MemberStatus::Member),
            actor: ctx.bot_id,
            invite_link: request.link,
            via_join_request: true,
        });
    }
    Ok(ApiOk::new(json!(true)))
}

/// `getChat`: the `ChatFullInfo` of a private chat with a known user or of a group the bot
/// is in (or a public one); `is_forum` marks forum supergroups.
pub(super) fn get_chat(ctx: &mut Ctx<'_>, params: &Params) -> Result<ApiOk, ApiError> {
    let chat_id = ctx.world.resolve_chat(params)?;
    let visible = if chat_id > 0 {
        ctx.world.users.contains_key(&chat_id)
    } else {
        ctx.world
            .chats
            .get(&chat_id)
            .is_some_and(|chat| chat.member(ctx.bot_id).present() || chat.info.username.is_some())
    };
    if !visible {
        return Err(ApiError::bad_request("chat not found"));
    }
    let mut info = ctx.world.chat_json(chat_id);
    info["accent_color_id"] = json!(0);
    info["max_reaction_count"] = json!(11);
    info["accepted_gift_types"] = json!({
        "unlimited_gifts": false,
        "limited_gifts": false,
        "unique_gifts": false,
        "premium_subscription": false,
        "gifts_from_channels": false,
    });
    Ok(ApiOk::new(info))
}

pub(super) fn get_chat_member(ctx: &mut Ctx<'_>, params: &Params) -> Result<ApiOk, ApiError> {
    let chat_id = ctx.world.resolve_chat(params)?;
    let user_id = user_id(params)?;
    if chat_id > 0 {
        // In a private chat only the two participants exist.
        if !ctx.world.users.contains_key(&chat_id) {
            return Err(ApiError::bad_request("chat not found"));
        }
        if user_id != chat_id && user_id != ctx.bot_id {
            return Err(ApiError::bad_request("PARTICIPANT_ID_INVALID"));
        }
        let user = ctx.world.user_json(user_id);
        return Ok(ApiOk::new(json!({"status": "member", "user": user})));
    }
    let chat = ctx
        .world
        .chats
        .get(&chat_id)
        .ok_or_else(|| ApiError::bad_request("chat not found"))?;
    let me = chat.member(ctx.bot_id);
    if !me.present() {
        let kind = chat.info.kind.as_str();
        return Err(ApiError::forbidden(format!(
            "bot is not a member of the {kind} chat"
        )));
    }
    if chat.info.kind == ChatType::Channel && !me.status.is_admin() {
        return Err(ApiError::bad_request("member list is inaccessible"));
    }
    known_user(ctx, user_id)?;
    let member = ctx.world.member(chat_id, user_id);
    Ok(ApiOk::new(ctx.world.member_json(chat_id, user_id, &member)))
}

/// Checks that the bot may change `user_id`'s membership in `chat_id`.
fn check_target(ctx: &Ctx<'_>, chat_id: i64, user_id: i64) -> Result<Member, ApiError> {
    ctx.world.check_admin(ctx.bot_id, chat_id).map_err(|err| {
        if err.code == 400 {
            ApiError::bad_request("not enough rights to restrict/unrestrict chat member")
        } else {
            err
        }
    })?;
    known_user(ctx, user_id)?;
    let current = ctx.world.member(chat_id, user_id);
    match current.status {
        MemberStatus::Creator => Err(ApiError::bad_request("can't remove chat owner")),
        MemberStatus::Administrator => Err(ApiError::bad_request(
            "user is an administrator of the chat",
        )),
        _ => Ok(current),
    }
}

/// Telegram treats bans shorter than 30 s or longer than 366 days as forever (0).
fn normalize_until(until: Option<i64>) -> i64 {
    let now = now_unix();
    match until {
        Some(until) if until >= now + 30 && until <= now + 366 * 86_400 => until,
        _ => 0,
    }
}

pub(super) fn ban_chat_member(ctx: &mut Ctx<'_>, params: &Params) -> Result<ApiOk, ApiError> {
    let chat_id = ctx.world.resolve_chat(params)?;
    let user_id = user_id(params)?;
    let until = params.i64("until_date")?;
    params.bool("revoke_messages")?;
    check_target(ctx, chat_id, user_id)?;
    let new = Member {
        until_date: normalize_until(until),
        ..Member::with_status(MemberStatus::Kicked)
    };
    ctx.world.change_member(MemberChange {
        chat_id,
        user_id,
        new,
        actor: ctx.bot_id,
        invite_link: None,
        via_join_request: false,
    });
    Ok(ApiOk::new(json!(true)))
}

pub(super) fn unban_chat_member(ctx: &mut Ctx<'_>, params: &Params) -> Result<ApiOk, ApiError> {
    let chat_id = ctx.world.resolve_chat(params)?;
    let user_id = user_id(params)?;
    let only_if_banned = params.bool("only_if_banned")?;
    let current = check_target(ctx, chat_id, user_id)?;
    // Without only_if_banned, unbanning a member removes them (they may rejoin), as documented.
    let changes = current.status == MemberStatus::Kicked || (!only_if_banned && current.present());
    if changes {
        ctx.world.change_member(MemberChange {
            chat_id,
            user_id,
            new: Member::left(),
            actor: ctx.bot_id,
            invite_link: None,
            via_join_request: false,
        });
    }
    Ok(ApiOk::new(json!(true)))
}

pub(super) fn restrict_chat_member(ctx: &mut Ctx<'_>, params: &Params) -> Result<ApiOk, ApiError> {
    let chat_id = ctx.world.resolve_chat(params)?;
    let user_id = user_id(params)?;
    let permissions = params
        .json("permissions", "can't parse permissions JSON object")?
        .filter(Value::is_object)
        .ok_or_else(|| ApiError::bad_request("parameter \"permissions\" is required"))?;
    let until = params.i64("until_date")?;
    params.bool("use_independent_chat_permissions")?;
    let kind = ctx.world.chats.get(&chat_id).map(|c| c.info.kind);
    match kind {
        None => return Err(ApiError::bad_request("chat not found")),
        Some(ChatType::Supergroup) => {}
        Some(_) => {
            return Err(ApiError::bad_request(
                "method is available only for supergroups",
            ))
        }
    }
    let current = check_target(ctx, chat_id, user_id)?;
    let everything = permissions
        .as_object()
        .is_some_and(|p| p.len() >= 16 && p.values().all(|v| v.as_bool() == Some(true)));
    let new = if everything && current.present() {
        Member::with_status(MemberStatus::Member)
    } else {
        Member {
            status: MemberStatus::Restricted,
            until_date: normalize_until(until),
            permissions: Some(permissions),
            is_member: current.present(),
        }
    };
    ctx.world.change_member(MemberChange {
        chat_id,
        user_id,
        new,
        actor: ctx.bot_id,
        invite_link: None,
        via_join_request: false,
    });
    Ok(ApiOk::new(json!(true)))
}
