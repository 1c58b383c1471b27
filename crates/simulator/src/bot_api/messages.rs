//! Message methods: sendMessage, sendPhoto, sendDocument, sendPoll, copyMessage,
//! sendChatAction, editMessageText, editMessageReplyMarkup, deleteMessage, answerCallbackQuery,
//! and the shared send path that every message-creating method goes through (access check,
//! forum topic, flood limit, logging, stats, duplicate detection).

use serde_json::{json, Value};

use super::Ctx;
use crate::error::{ApiError, ApiOk};
use crate::params::Params;
use crate::state::{bot_user_json, now_unix, InvoiceData};
use crate::text::{self, utf16_len};
use crate::types::{CallbackAnswer, ChatType};

const MAX_TEXT: usize = 4096;
const MAX_CAPTION: usize = 1024;

/// `reply_markup`, validated.
pub(super) fn reply_markup(params: &Params, inline_only: bool) -> Result<Option<Value>, ApiError> {
    let markup = params.json(
        "reply_markup",
        "can't parse reply keyboard markup JSON object",
    )?;
    if let Some(markup) = &markup {
        text::validate_reply_markup(markup, inline_only).map_err(ApiError::bad_request)?;
    }
    Ok(markup)
}

/// Formats `text`-like content with the call's parse mode and explicit entities.
fn formatted(
    params: &Params,
    raw: &str,
    entities_field: &str,
) -> Result<text::Formatted, ApiError> {
    let parse_mode = params.str("parse_mode")?;
    let entities = params.json(entities_field, "can't parse entities JSON object")?;
    text::format(raw, parse_mode.as_deref(), entities).map_err(ApiError::bad_request)
}

/// The message a send replies to (`reply_parameters` or the older `reply_to_message_id`).
fn reply_target(
    ctx: &mut Ctx<'_>,
    params: &Params,
    chat_id: i64,
) -> Result<Option<Value>, ApiError> {
    let reply = params.json(
        "reply_parameters",
        "can't parse reply parameters JSON object",
    )?;
    let (message_id, allow_missing) = match &reply {
        Some(reply) => (
            reply.get("message_id").and_then(Value::as_i64),
            reply
                .get("allow_sending_without_reply")
                .and_then(Value::as_bool)
                .unwrap_or(false),
        ),
        None => (
            params.i64("reply_to_message_id")?,
            params.bool("allow_sending_without_reply")?,
        ),
    };
    let Some(message_id) = message_id else {
        return Ok(None);
    };
    let target = ctx
        .world
        .bot(ctx.bot_id)
        .entry_mut(chat_id, message_id)
        .map(|entry| entry.message.clone());
    match target {
        Some(mut message) => {
            if let Some(object) = message.as_object_mut() {
                object.remove("reply_to_message");
            }
            Ok(Some(message))
        }
        None if allow_missing => Ok(None),
        None => Err(ApiError::bad_request("message to be replied not found")),
    }
}

/// Counts a flood-limited request or refuses it with 429 (counted in stats, nothing else).
pub(super) fn acquire(ctx: &mut Ctx<'_>, chat_id: i64, paid: bool) -> Result<(), ApiError> {
    let now = ctx.now;
    let limits = &ctx.config.limits;
    let bot = ctx.world.bot(ctx.bot_id);
    match bot.limiter.try_acquire(limits, chat_id, paid, now) {
        Ok(()) => Ok(()),
        Err(retry_after) => {
            bot.stats.too_many_requests += 1;
            Err(ApiError::too_many_requests(retry_after))
        }
    }
}

/// The forum topic a send goes to, with the topic's root service message: the
/// `message_thread_id` parameter (which must name a topic of a forum the bot created), or else
/// the topic of the message replied to, as Telegram keeps replies in their topic.
fn thread_target(
    ctx: &Ctx<'_>,
    params: &Params,
    chat_id: i64,
    reply: Option<&Value>,
) -> Result<Option<(i64, Value)>, ApiError> {
    match params.i64("message_thread_id")? {
        Some(thread_id) => ctx
            .world
            .thread_root(ctx.bot_id, chat_id, thread_id)
            .map(|root| Some((thread_id, root)))
            .ok_or_else(|| ApiError::bad_request("message thread not found")),
        None => Ok(reply
            .filter(|r| r.get("is_topic_message") == Some(&json!(true)))
            .and_then(|r| r.get("message_thread_id").and_then(Value::as_i64))
            .and_then(|thread_id| {
                ctx.world
                    .thread_root(ctx.bot_id, chat_id, thread_id)
                    .map(|root| (thread_id, root))
            })),
    }
}

/// The shared tail of every send method. `content` holds the method's own fields.
pub(super) fn send(
    ctx: &mut Ctx<'_>,
    params: &Params,
    method: &str,
    chat_id: i64,
    message: Value,
    markup: Option<Value>,
    invoice: Option<InvoiceData>,
) -> Result<ApiOk, ApiError> {
    send_logged(ctx, params, method, chat_id, message, markup, invoice).map(ApiOk::new)
}

/// [`send`], returning the logged `Message`.
fn send_logged(
    ctx: &mut Ctx<'_>,
    params: &Params,
    method: &str,
    chat_id: i64,
    mut message: Value,
    markup: Option<Value>,
    invoice: Option<InvoiceData>,
) -> Result<Value, ApiError> {
    let paid = params.bool("allow_paid_broadcast")?;
    let protect = params.bool("protect_content")?;
    ctx.world.check_writable(ctx.bot_id, chat_id, ctx.now)?;
    let reply = reply_target(ctx, params, chat_id)?;
    let thread = thread_target(ctx, params, chat_id, reply.as_ref())?;
    acquire(ctx, chat_id, paid)?;

    let chat = ctx.world.chat_json(chat_id);
    let is_channel = ctx
        .world
        .chats
        .get(&chat_id)
        .is_some_and(|c| c.info.kind == ChatType::Channel);
    if is_channel {
        message["sender_chat"] = chat.clone();
    } else {
        message["from"] = bot_user_json(ctx.bot_id);
    }
    message["chat"] = chat;
    if let Some((thread_id, root)) = thread {
        message["message_thread_id"] = json!(thread_id);
        message["is_topic_message"] = json!(true);
        // In a topic, a message that replies to nothing replies to the topic's root.
        message["reply_to_message"] = root;
    }
    if let Some(reply) = reply {
        message["reply_to_message"] = reply;
    }
    if protect {
        message["has_protected_content"] = json!(true);
    }
    // Only inline keyboards are part of a Message; reply keyboards live on the client.
    if let Some(inline) = markup
        .as_ref()
        .filter(|m| m.get("inline_keyboard").is_some())
    {
        message["reply_markup"] = inline.clone();
    }
    let (_, message) = ctx
        .world
        .append_message(ctx.bot_id, chat_id, true, message, markup, invoice);
    let bot = ctx.world.bot(ctx.bot_id);
    bot.stats.sent_messages += 1;
    let key = format!("{method}|{chat_id}|{}", params.canonical());
    if !bot.accepted_sends.insert(key) {
        bot.stats.duplicate_sends += 1;
    }
    Ok(message)
}

fn text_fields(formatted: text::Formatted, text_field: &str, entities_field: &str) -> Value {
    let mut content = json!({});
    content[text_field] = json!(formatted.text);
    if !formatted.entities.is_empty() {
        content[entities_field] = Value::Array(formatted.entities);
    }
    content
}

pub(super) fn send_message(ctx: &mut Ctx<'_>, params: &Params) -> Result<ApiOk, ApiError> {
    let chat_id = ctx.world.resolve_chat(params)?;
    let raw = params.str("text")?.unwrap_or_default();
    if raw.trim().is_empty() {
        return Err(ApiError::bad_request("message text is empty"));
    }
    let formatted = formatted(params, &raw, "entities")?;
    if formatted.text.is_empty() {
        return Err(ApiError::bad_request("text must be non-empty"));
    }
    if utf16_len(&formatted.text) > MAX_TEXT {
        return Err(ApiError::bad_request("message is too long"));
    }
    let markup = reply_markup(params, false)?;
    let content = text_fields(formatted, "text", "entities");
    send(ctx, params, "sendMessage", chat_id, content, markup, None)
}

/// A boolean parameter with Telegram's default when absent.
fn bool_or(params: &Params, name: &str, default: bool) -> Result<bool, ApiError> {
    match params.get(name) {
        None => Ok(default),
        Some(_) => params.bool(name),
    }
}

/// `sendPoll`: a regular poll or a quiz, without media. The poll gets an id and its counts
/// live on the message; users vote through the control API ([`crate::Simulator::vote`]).
pub(super) fn send_poll(ctx: &mut Ctx<'_>, params: &Params) -> Result<ApiOk, ApiError> {
    let chat_id = ctx.world.resolve_chat(params)?;
    let question = params.required_str("question")?;
    let question_len = question.trim().chars().count();
    if question_len == 0 || question.chars().count() > 300 {
        return Err(ApiError::bad_request(
            "poll question must be 1-300 characters",
        ));
    }
    let options = params
        .json("options", "can't parse options JSON object")?
        .ok_or_else(|| ApiError::bad_request("parameter \"options\" is required"))?;
    let options = options
        .as_array()
        .ok_or_else(|| ApiError::bad_request("options must be an Array of InputPollOption"))?;
    if options.is_empty() || options.len() > 12 {
        return Err(ApiError::bad_request("poll must have 1-12 options"));
    }
    let mut poll_options = Vec::with_capacity(options.len());
    for (n, option) in options.iter().enumerate() {
        let text = option
            .get("text")
            .and_then(Value::as_str)
            .ok_or_else(|| ApiError::bad_request("options must be an Array of InputPollOption"))?;
        if text.trim().is_empty() || text.chars().count() > 100 {
            return Err(ApiError::bad_request(
                "poll options must be 1-100 characters",
            ));
        }
        poll_options.push(json!({
            "persistent_id": n.to_string(),
            "text": text,
            "voter_count": 0,
        }));
    }
    let kind = params.str("type")?.unwrap_or_else(|| "regular".into());
    let quiz = match kind.as_str() {
        "regular" => false,
        "quiz" => true,
        _ => return Err(ApiError::bad_request("wrong poll type specified")),
    };
    let correct = params.json(
        "correct_option_ids",
        "can't parse correct_option_ids JSON object",
    )?;
    if quiz && correct.is_none() {
        return Err(ApiError::bad_request(
            "correct_option_ids must be specified for quizzes",
        ));
    }
    let is_anonymous = bool_or(params, "is_anonymous", true)?;
    let is_channel = ctx
        .world
        .chats
        .get(&chat_id)
        .is_some_and(|c| c.info.kind == ChatType::Channel);
    if is_channel && !is_anonymous {
        return Err(ApiError::bad_request(
            "non-anonymous polls can't be sent to channel chats",
        ));
    }
    let allows_multiple = params.bool("allows_multiple_answers")?;
    if quiz && allows_multiple {
        return Err(ApiError::bad_request(
            "quizzes can't allow multiple answers",
        ));
    }
    let markup = reply_markup(params, true)?;
    let id = ctx.world.random_digits();
    let mut poll = json!({
        "id": id,
        "question": question,
        "options": poll_options,
        "total_voter_count": 0,
        "is_closed": params.bool("is_closed")?,
        "is_anonymous": is_anonymous,
        "type": kind,
        "allows_multiple_answers": allows_multiple,
        "allows_revoting": bool_or(params, "allows_revoting", !quiz)?,
        "members_only": params.bool("members_only")?,
    });
    if let Some(correct) = correct {
        poll["correct_option_ids"] = correct;
    }
    if let Some(explanation) = params.str("explanation")? {
        poll["explanation"] = json!(explanation);
    }
    if let Some(description) = params.str("description")? {
        poll["description"] = json!(description);
    }
    for field in ["open_period", "close_date"] {
        if let Some(value) = params.i64(field)? {
            poll[field] = json!(value);
        }
    }
    let message = send_logged(
        ctx,
        params,
        "sendPoll",
        chat_id,
        json!({ "poll": poll }),
        markup,
        None,
    )?;
    let message_id = message["message_id"].as_i64().unwrap_or(0);
    ctx.world.bot(ctx.bot_id).polls.insert(
        id,
        crate::state::SimPoll {
            chat_id,
            message_id,
            votes: Default::default(),
        },
    );
    Ok(ApiOk::new(message))
}

pub(super) fn send_photo(ctx: &mut Ctx<'_>, params: &Params) -> Result<ApiOk, ApiError> {
    let chat_id = ctx.world.resolve_chat(params)?;
    let photo = params
        .str("photo")?
        .ok_or_else(|| ApiError::bad_request("there is no photo in the request"))?;
    let caption = params.str("caption")?.unwrap_or_default();
    let formatted = formatted(params, &caption, "caption_entities")?;
    if utf16_len(&formatted.text) > MAX_CAPTION {
        return Err(ApiError::bad_request("message caption is too long"));
    }
    let markup = reply_markup(params, false)?;
    let mut content = if formatted.text.is_empty() {
        json!({})
    } else {
        text_fields(formatted, "caption", "caption_entities")
    };
    content["photo"] = ctx.world.photo_sizes(Some(photo));
    if params.bool("has_spoiler")? {
        content["has_media_spoiler"] = json!(true);
    }
    send(ctx, params, "sendPhoto", chat_id, content, markup, None)
}

/// Telegram's limit on files bots upload.
const MAX_UPLOAD_BYTES: usize = 50 * 1024 * 1024;

/// `sendDocument`: an uploaded file (kept, for `GET /sim/files/{file_id}`) or one sent
/// before by `file_id`, with a caption.
pub(super) fn send_document(ctx: &mut Ctx<'_>, params: &Params) -> Result<ApiOk, ApiError> {
    let chat_id = ctx.world.resolve_chat(params)?;
    let caption = params.str("caption")?.unwrap_or_default();
    let formatted = formatted(params, &caption, "caption_entities")?;
    if utf16_len(&formatted.text) > MAX_CAPTION {
        return Err(ApiError::bad_request("message caption is too long"));
    }
    let markup = reply_markup(params, false)?;
    let document = match params.file("document") {
        Some(upload) => {
            if upload.bytes.len() > MAX_UPLOAD_BYTES {
                return Err(ApiError::too_large());
            }
            let mime_type = upload
                .mime_type
                .as_deref()
                .unwrap_or("application/octet-stream");
            ctx.world
                .store_document(&upload.file_name, mime_type, upload.bytes.clone())
        }
        None => {
            let unique = ctx.world.random_token(16);
            let file_id = params
                .str("document")?
                .ok_or_else(|| ApiError::bad_request("there is no document in the request"))?;
            let Some(bytes) = ctx.world.documents.get(&file_id) else {
                return Err(ApiError::bad_request(
                    "wrong file identifier/HTTP URL specified",
                ));
            };
            json!({
                "file_id": file_id,
                "file_unique_id": format!("AgAD{unique}"),
                "file_size": bytes.len(),
            })
        }
    };
    let mut content = if formatted.text.is_empty() {
        json!({})
    } else {
        text_fields(formatted, "caption", "caption_entities")
    };
    content["document"] = document;
    send(ctx, params, "sendDocument", chat_id, content, markup, None)
}

/// `copyMessage`: a new message from the bot with the content of a message in one of its
/// chats (its own or a user's): text with entities, or a photo or document with its caption
/// (replaced by `caption` if given). Returns the new `MessageId`.
pub(super) fn copy_message(ctx: &mut Ctx<'_>, params: &Params) -> Result<ApiOk, ApiError> {
    let chat_id = ctx.world.resolve_chat(params)?;
    let from_chat_id = ctx.world.resolve_chat_param(params, "from_chat_id")?;
    let message_id = params
        .i64("message_id")?
        .ok_or_else(|| ApiError::bad_request("message identifier is not specified"))?;
    let new_caption = match params.str("caption")? {
        Some(caption) => {
            let formatted = formatted(params, &caption, "caption_entities")?;
            if utf16_len(&formatted.text) > MAX_CAPTION {
                return Err(ApiError::bad_request("message caption is too long"));
            }
            Some(formatted)
        }
        None => None,
    };
    let markup = reply_markup(params, false)?;
    if let Some(chat) = ctx.world.chats.get(&from_chat_id) {
        if !chat.member(ctx.bot_id).present() {
            let kind = chat.info.kind.as_str();
            return Err(ApiError::forbidden(format!(
                "bot is not a member of the {kind} chat"
            )));
        }
    }
    let source = ctx
        .world
        .bot(ctx.bot_id)
        .entry_mut(from_chat_id, message_id)
        .map(|entry| entry.message.clone())
        .ok_or_else(|| ApiError::bad_request("message to copy not found"))?;
    if source.get("has_protected_content") == Some(&json!(true)) {
        return Err(ApiError::bad_request(
            "message has protected content and can't be forwarded",
        ));
    }
    let copied = |field: &str| source.get(field).cloned();
    let mut content = json!({});
    if let Some(text) = copied("text") {
        content["text"] = text;
        if let Some(entities) = copied("entities") {
            content["entities"] = entities;
        }
    } else if let Some(kind) = ["photo", "document"]
        .into_iter()
        .find(|kind| source.get(*kind).is_some())
    {
        content[kind] = copied(kind).unwrap_or_default();
        if let Some(spoiler) = copied("has_media_spoiler") {
            content["has_media_spoiler"] = spoiler;
        }
        match new_caption {
            Some(formatted) if !formatted.text.is_empty() => {
                if params.bool("show_caption_above_media")? {
                    content["show_caption_above_media"] = json!(true);
                }
                let caption = text_fields(formatted, "caption", "caption_entities");
                if let (Some(content), Some(caption)) =
                    (content.as_object_mut(), caption.as_object())
                {
                    content.extend(caption.clone());
                }
            }
            Some(_) => {}
            None => {
                for field in ["caption", "caption_entities", "show_caption_above_media"] {
                    if let Some(value) = copied(field) {
                        content[field] = value;
                    }
                }
            }
        }
    } else {
        // Service messages, invoices and the like.
        return Err(ApiError::bad_request("message can't be copied"));
    }
    let message = send_logged(ctx, params, "copyMessage", chat_id, content, markup, None)?;
    Ok(ApiOk::new(json!({ "message_id": message["message_id"] })))
}

const CHAT_ACTIONS: [&str; 11] = [
    "typing",
    "upload_photo",
    "record_video",
    "upload_video",
    "record_voice",
    "upload_voice",
    "upload_document",
    "choose_sticker",
    "find_location",
    "record_video_note",
    "upload_video_note",
];

pub(super) fn send_chat_action(ctx: &mut Ctx<'_>, params: &Params) -> Result<ApiOk, ApiError> {
    let chat_id = ctx.world.resolve_chat(params)?;
    let action = params.str("action")?.unwrap_or_default();
    if !CHAT_ACTIONS.contains(&action.as_str()) {
        return Err(ApiError::bad_request("wrong parameter action in request"));
    }
    ctx.world.check_writable(ctx.bot_id, chat_id, ctx.now)?;
    Ok(ApiOk::new(json!(true)))
}

/// Chat and message of an edit; inline messages do not exist in the simulator.
fn edit_target(ctx: &Ctx<'_>, params: &Params) -> Result<(i64, i64), ApiError> {
    if params.get("inline_message_id").is_some() {
        return Err(ApiError::bad_request("MESSAGE_ID_INVALID"));
    }
    let chat_id = ctx.world.resolve_chat(params)?;
    let message_id = params
        .i64("message_id")?
        .ok_or_else(|| ApiError::bad_request("message identifier is not specified"))?;
    Ok((chat_id, message_id))
}

const NOT_MODIFIED: &str = "message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message";

/// Applies an edit to a bot's own live message after the access and flood checks.
fn apply_edit(
    ctx: &mut Ctx<'_>,
    chat_id: i64,
    message_id: i64,
    edit: impl FnOnce(&mut Value) -> Result<(), ApiError>,
    markup: Option<Value>,
) -> Result<ApiOk, ApiError> {
    ctx.world.check_writable(ctx.bot_id, chat_id, ctx.now)?;
    let bot_id = ctx.bot_id;
    let current = ctx
        .world
        .bot(bot_id)
        .entry_mut(chat_id, message_id)
        .filter(|entry| entry.from_bot)
        .map(|entry| entry.message.clone())
        .ok_or_else(|| ApiError::bad_request("message to edit not found"))?;
    let mut updated = current.clone();
    edit(&mut updated)?;
    match &markup {
        Some(markup) => updated["reply_markup"] = markup.clone(),
        None => {
            if let Some(object) = updated.as_object_mut() {
                object.remove("reply_markup");
            }
        }
    }
    if updated == current {
        return Err(ApiError::bad_request(NOT_MODIFIED));
    }
    acquire(ctx, chat_id, false)?;
    updated["edit_date"] = json!(now_unix());
    let bot = ctx.world.bot(bot_id);
    if let Some(entry) = bot.entry_mut(chat_id, message_id) {
        entry.message = updated.clone();
        entry.edited = true;
        entry.markup = markup;
    }
    bot.stats.edited_messages += 1;
    Ok(ApiOk::new(updated))
}

pub(super) fn edit_message_text(ctx: &mut Ctx<'_>, params: &Params) -> Result<ApiOk, ApiError> {
    let (chat_id, message_id) = edit_target(ctx, params)?;
    let raw = params.str("text")?.unwrap_or_default();
    if raw.trim().is_empty() {
        return Err(ApiError::bad_request("message text is empty"));
    }
    let formatted = formatted(params, &raw, "entities")?;
    if formatted.text.is_empty() {
        return Err(ApiError::bad_request("text must be non-empty"));
    }
    if utf16_len(&formatted.text) > MAX_TEXT {
        return Err(ApiError::bad_request("message is too long"));
    }
    let markup = reply_markup(params, true)?;
    let edit = move |message: &mut Value| {
        if message.get("text").is_none() {
            return Err(ApiError::bad_request(
                "there is no text in the message to edit",
            ));
        }
        message["text"] = json!(formatted.text);
        if !formatted.entities.is_empty() {
            message["entities"] = Value::Array(formatted.entities);
        } else if let Some(object) = message.as_object_mut() {
            object.remove("entities");
        }
        Ok(())
    };
    apply_edit(ctx, chat_id, message_id, edit, markup)
}

pub(super) fn edit_message_reply_markup(
    ctx: &mut Ctx<'_>,
    params: &Params,
) -> Result<ApiOk, ApiError> {
    let (chat_id, message_id) = edit_target(ctx, params)?;
    let markup = reply_markup(params, true)?;
    apply_edit(ctx, chat_id, message_id, |_| Ok(()), markup)
}

pub(super) fn delete_message(ctx: &mut Ctx<'_>, params: &Params) -> Result<ApiOk, ApiError> {
    let chat_id = ctx.world.resolve_chat(params)?;
    let message_id = params
        .i64("message_id")?
        .ok_or_else(|| ApiError::bad_request("message identifier is not specified"))?;
    // Users' messages can be deleted in private chats, and in groups by admins.
    let may_delete_others = chat_id > 0 || ctx.world.member(chat_id, ctx.bot_id).status.is_admin();
    let bot = ctx.world.bot(ctx.bot_id);
    let entry = bot
        .entry_mut(chat_id, message_id)
        .ok_or_else(|| ApiError::bad_request("message to delete not found"))?;
    if !entry.from_bot && !may_delete_others {
        return Err(ApiError::bad_request("message can't be deleted"));
    }
    entry.deleted = true;
    bot.stats.deleted_messages += 1;
    Ok(ApiOk::new(json!(true)))
}

pub(super) fn answer_callback_query(ctx: &mut Ctx<'_>, params: &Params) -> Result<ApiOk, ApiError> {
    let id = params.str("callback_query_id")?.unwrap_or_default();
    let text = params.str("text")?;
    if text.as_ref().is_some_and(|t| t.chars().count() > 200) {
        return Err(ApiError::bad_request("MESSAGE_TOO_LONG"));
    }
    let answer = CallbackAnswer {
        text,
        show_alert: params.bool("show_alert")?,
        url: params.str("url")?,
        cache_time: params.i64("cache_time")?.unwrap_or(0).max(0),
    };
    let record = ctx
        .world
        .bot(ctx.bot_id)
        .callbacks
        .get_mut(&id)
        .filter(|record| record.answer.is_none())
        .ok_or_else(|| {
            ApiError::bad_request(
                "query is too old and response timeout expired or query ID is invalid",
            )
        })?;
    record.answer = Some(answer);
    Ok(ApiOk::new(json!(true)))
}
