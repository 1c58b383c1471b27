//! Forum topics: createForumTopic. A topic is the thread of the `forum_topic_created` service
//! message that opens it, so its id is that message's id; sends with `message_thread_id`
//! (checked in the shared send path) and user messages in the topic reply to that message.

use serde_json::json;

use super::Ctx;
use crate::error::{ApiError, ApiOk};
use crate::params::Params;
use crate::state::bot_user_json;
use crate::types::SimTopic;

/// The icon colors `createForumTopic` accepts (Bot API docs); the first is the default.
const ICON_COLORS: [i64; 6] = [
    0x6F_B9_F0, 0xFF_D6_7E, 0xCB_86_DB, 0x8E_EE_98, 0xFF_93_B2, 0xFB_6F_5F,
];

/// Telegram's limit on topic names, in characters.
const MAX_TOPIC_NAME: usize = 128;

pub(super) fn create_forum_topic(ctx: &mut Ctx<'_>, params: &Params) -> Result<ApiOk, ApiError> {
    let chat_id = ctx.world.resolve_chat(params)?;
    let name = params.str("name")?.unwrap_or_default();
    let icon_color = params.i64("icon_color")?;
    let icon_custom_emoji_id = params.str("icon_custom_emoji_id")?;
    if chat_id < 0 && !ctx.world.chats.contains_key(&chat_id) {
        return Err(ApiError::bad_request("chat not found"));
    }
    if !ctx.world.is_forum(chat_id) {
        return Err(ApiError::bad_request("the chat is not a forum"));
    }
    // The simulator grants administrators every right, can_manage_topics included.
    ctx.world.check_admin(ctx.bot_id, chat_id).map_err(|err| {
        if err.code == 400 && err.description.ends_with("not enough rights") {
            ApiError::bad_request("not enough rights to create a topic")
        } else {
            err
        }
    })?;
    let name = name.trim();
    if name.is_empty() {
        return Err(ApiError::bad_request("title must be non-empty"));
    }
    // Telegram (TDLib) cuts longer names to 128 characters; the simulator refuses them so a
    // bot notices that it has to shorten names itself.
    if name.chars().count() > MAX_TOPIC_NAME {
        return Err(ApiError::bad_request(
            "topic name must be at most 128 characters",
        ));
    }
    if icon_color.is_some_and(|color| !ICON_COLORS.contains(&color)) {
        return Err(ApiError::bad_request(
            "invalid icon_color specified: must be one of 7322096, 16766590, 13338331, 9367192, 16749490, 16478047",
        ));
    }
    let icon_color = icon_color.unwrap_or(ICON_COLORS[0]);

    let mut created = json!({"name": name, "icon_color": icon_color});
    if let Some(emoji) = &icon_custom_emoji_id {
        created["icon_custom_emoji_id"] = json!(emoji);
    }
    let service = json!({
        "from": bot_user_json(ctx.bot_id),
        "chat": ctx.world.chat_json(chat_id),
        "is_topic_message": true,
        "forum_topic_created": created,
    });
    // The service message is the chat's, not a message the bot sent: it is listed with the
    // users' messages (transcript) and costs no flood budget. Bots get no update for it.
    let (thread_id, _) = ctx
        .world
        .append_message(ctx.bot_id, chat_id, false, service, None, None);
    let bot = ctx.world.bot(ctx.bot_id);
    if let Some(entry) = bot.entry_mut(chat_id, thread_id) {
        entry.message["message_thread_id"] = json!(thread_id);
    }
    let topic = SimTopic {
        message_thread_id: thread_id,
        name: name.to_string(),
        icon_color,
        icon_custom_emoji_id,
    };
    bot.topics.entry(chat_id).or_default().push(topic.clone());
    Ok(ApiOk::new(json!(topic)))
}
