//! The Bot API side: the `/bot<token>/<method>` endpoint, token checks, method dispatch with
//! per-method call counting, and the methods about the bot itself and its updates (getMe,
//! getUpdates long polling, webhook settings, commands, menu button). Message, member,
//! payment and forum topic methods live in the submodules.

mod members;
mod messages;
mod payments;
mod topics;

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::header::CONTENT_TYPE;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use axum::{Json, Router};
use serde_json::{json, Value};

use crate::error::{ApiError, ApiOk};
use crate::params::Params;
use crate::state::{bot_user_json, Webhook, World};
use crate::{Inner, SimConfig, Simulator};

/// The methods the simulator implements, in Telegram's spelling. Anything else is 404.
const METHODS: &[&str] = &[
    "getMe",
    "getUpdates",
    "setWebhook",
    "deleteWebhook",
    "getWebhookInfo",
    "sendMessage",
    "sendPhoto",
    "sendDocument",
    "sendPoll",
    "copyMessage",
    "createForumTopic",
    "sendChatAction",
    "editMessageText",
    "editMessageReplyMarkup",
    "deleteMessage",
    "answerCallbackQuery",
    "setMyCommands",
    "getMyCommands",
    "deleteMyCommands",
    "setChatMenuButton",
    "getChatMenuButton",
    "createChatInviteLink",
    "revokeChatInviteLink",
    "approveChatJoinRequest",
    "declineChatJoinRequest",
    "getChat",
    "getChatMember",
    "banChatMember",
    "unbanChatMember",
    "restrictChatMember",
    "sendInvoice",
    "createInvoiceLink",
    "answerShippingQuery",
    "answerPreCheckoutQuery",
    "refundStarPayment",
];

/// The Bot API route. Every two-segment path is claimed; non-`bot...` ones answer 404.
pub(crate) fn routes(sim: Simulator) -> Router {
    Router::new()
        .route("/{token}/{method}", any(handle))
        .with_state(sim)
}

/// Telegram's answer to paths that are not Bot API calls.
pub(crate) async fn not_found() -> Response {
    ApiError::not_found().into_response()
}

async fn handle(
    State(sim): State<Simulator>,
    Path((token, method)): Path<(String, String)>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let Some(token) = token.strip_prefix("bot") else {
        return ApiError::not_found().into_response();
    };
    let content_type = headers.get(CONTENT_TYPE).and_then(|v| v.to_str().ok());
    let outcome = match authorize(&sim.inner, token) {
        Ok(bot_id) => match Params::from_request(content_type, query.as_deref(), &body) {
            Ok(params) => call(&sim.inner, bot_id, &method, params).await,
            Err(err) => Err(err),
        },
        Err(err) => Err(err),
    };
    match outcome {
        Ok(ok) => Json(ok.to_json()).into_response(),
        Err(err) => err.into_response(),
    }
}

/// The bot id of a well-formed token: `<digits>:<10+ of [A-Za-z0-9_-]>`.
fn parse_token(token: &str) -> Option<i64> {
    let (id, secret) = token.split_once(':')?;
    let id_ok = !id.is_empty() && id.bytes().all(|b| b.is_ascii_digit());
    let secret_ok = secret.len() >= 10
        && secret
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
    if !(id_ok && secret_ok) {
        return None;
    }
    id.parse::<i64>().ok().filter(|id| *id > 0)
}

/// Checks a token; the first token seen for a bot id becomes that bot's token.
pub(crate) fn authorize(inner: &Inner, token: &str) -> Result<i64, ApiError> {
    let bot_id = parse_token(token).ok_or_else(ApiError::unauthorized)?;
    let mut world = inner.world();
    let bot = world.bot(bot_id);
    match &bot.token {
        Some(known) if known != token => Err(ApiError::unauthorized()),
        Some(_) => Ok(bot_id),
        None => {
            bot.token = Some(token.to_string());
            Ok(bot_id)
        }
    }
}

/// Authorizes and calls (used by [`Simulator::bot_call`]).
pub(crate) async fn call_with_token(
    inner: &Arc<Inner>,
    token: &str,
    method: &str,
    params: Params,
) -> Result<ApiOk, ApiError> {
    let bot_id = authorize(inner, token)?;
    call(inner, bot_id, method, params).await
}

/// Context of a synchronous method: the locked world and the calling bot.
pub(crate) struct Ctx<'a> {
    pub world: &'a mut World,
    pub config: &'a SimConfig,
    pub bot_id: i64,
    pub now: Instant,
}

/// Runs one method for an authorized bot. Method names are case-insensitive.
pub(crate) async fn call(
    inner: &Arc<Inner>,
    bot_id: i64,
    method: &str,
    params: Params,
) -> Result<ApiOk, ApiError> {
    let Some(name) = METHODS
        .iter()
        .copied()
        .find(|known| known.eq_ignore_ascii_case(method))
    else {
        return Err(ApiError::method_not_found());
    };
    *inner
        .world()
        .bot(bot_id)
        .stats
        .method_calls
        .entry(name.to_string())
        .or_default() += 1;

    let outcome = match name {
        "getUpdates" => get_updates(inner, bot_id, &params).await,
        _ => {
            let mut spawn_dispatcher = None;
            let outcome = {
                let mut world = inner.world();
                let mut ctx = Ctx {
                    world: &mut world,
                    config: &inner.config,
                    bot_id,
                    now: Instant::now(),
                };
                match name {
                    "setWebhook" => set_webhook(&mut ctx, &params).map(|(ok, generation)| {
                        spawn_dispatcher = generation;
                        ok
                    }),
                    _ => dispatch(&mut ctx, name, &params),
                }
            };
            if let Some(generation) = spawn_dispatcher {
                crate::webhook::spawn(inner, bot_id, generation);
            }
            outcome
        }
    };
    inner.changed.notify_waiters();
    outcome
}

fn dispatch(ctx: &mut Ctx<'_>, name: &str, params: &Params) -> Result<ApiOk, ApiError> {
    match name {
        "getMe" => Ok(ApiOk::new(get_me(ctx.bot_id))),
        "deleteWebhook" => delete_webhook(ctx, params),
        "getWebhookInfo" => Ok(ApiOk::new(webhook_info(ctx))),
        "sendMessage" => messages::send_message(ctx, params),
        "sendPhoto" => messages::send_photo(ctx, params),
        "sendDocument" => messages::send_document(ctx, params),
        "sendPoll" => messages::send_poll(ctx, params),
        "copyMessage" => messages::copy_message(ctx, params),
        "createForumTopic" => topics::create_forum_topic(ctx, params),
        "sendChatAction" => messages::send_chat_action(ctx, params),
        "editMessageText" => messages::edit_message_text(ctx, params),
        "editMessageReplyMarkup" => messages::edit_message_reply_markup(ctx, params),
        "deleteMessage" => messages::delete_message(ctx, params),
        "answerCallbackQuery" => messages::answer_callback_query(ctx, params),
        "setMyCommands" => set_my_commands(ctx, params),
        "getMyCommands" => get_my_commands(ctx, params),
        "deleteMyCommands" => delete_my_commands(ctx, params),
        "setChatMenuButton" => set_chat_menu_button(ctx, params),
        "getChatMenuButton" => get_chat_menu_button(ctx, params),
        "createChatInviteLink" => members::create_chat_invite_link(ctx, params),
        "revokeChatInviteLink" => members::revoke_chat_invite_link(ctx, params),
        "approveChatJoinRequest" => members::answer_join_request(ctx, params, true),
        "declineChatJoinRequest" => members::answer_join_request(ctx, params, false),
        "getChat" => members::get_chat(ctx, params),
        "getChatMember" => members::get_chat_member(ctx, params),
        "banChatMember" => members::ban_chat_member(ctx, params),
        "unbanChatMember" => members::unban_chat_member(ctx, params),
        "restrictChatMember" => members::restrict_chat_member(ctx, params),
        "sendInvoice" => payments::send_invoice(ctx, params),
        "createInvoiceLink" => payments::create_invoice_link(ctx, params),
        "answerShippingQuery" => payments::answer_shipping_query(ctx, params),
        "answerPreCheckoutQuery" => payments::answer_pre_checkout_query(ctx, params),
        "refundStarPayment" => payments::refund_star_payment(ctx, params),
        _ => Err(ApiError::method_not_found()),
    }
}

fn get_me(bot_id: i64) -> Value {
    let mut me = bot_user_json(bot_id);
    me["can_join_groups"] = json!(true);
    me["can_read_all_group_messages"] = json!(false);
    me["supports_inline_queries"] = json!(false);
    me["can_connect_to_business"] = json!(false);
    me["has_main_web_app"] = json!(false);
    me
}

/// `allowed_updates` as a list of strings.
fn allowed_updates(params: &Params) -> Result<Option<Vec<String>>, ApiError> {
    let Some(value) = params.json("allowed_updates", "can't parse allowed_updates JSON object")?
    else {
        return Ok(None);
    };
    value
        .as_array()
        .and_then(|items| {
            items
                .iter()
                .map(|item| item.as_str().map(str::to_string))
                .collect::<Option<Vec<_>>>()
        })
        .map(Some)
        .ok_or_else(|| ApiError::bad_request("allowed_updates must be an Array of String"))
}

/// getUpdates: confirms by offset, then returns at once or waits up to `timeout` seconds for
/// the first update. A newer getUpdates or a setWebhook ends a waiting one with 409.
async fn get_updates(inner: &Arc<Inner>, bot_id: i64, params: &Params) -> Result<ApiOk, ApiError> {
    let offset = params.i64("offset")?.unwrap_or(0);
    let limit = params.i64("limit")?.unwrap_or(100).clamp(1, 100) as usize;
    let max_timeout = inner.config.max_long_poll.as_secs() as i64;
    let timeout = params.i64("timeout")?.unwrap_or(0).clamp(0, max_timeout);
    let allowed = allowed_updates(params)?;

    let (notify, generation) = {
        let mut world = inner.world();
        let bot = world.bot(bot_id);
        if bot.webhook.is_some() {
            return Err(ApiError::conflict(
                "can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first",
            ));
        }
        if let Some(allowed) = allowed {
            bot.allowed_updates = Some(allowed);
        }
        bot.confirm(offset);
        bot.poll_generation += 1;
        // Wakes an older long poll so it can see that it was replaced.
        bot.notify.notify_waiters();
        (bot.notify.clone(), bot.poll_generation)
    };

    let deadline = tokio::time::Instant::now() + Duration::from_secs(timeout as u64);
    loop {
        let notified = notify.notified();
        tokio::pin!(notified);
        notified.as_mut().enable();
        {
            let mut world = inner.world();
            let bot = world.bot(bot_id);
            if bot.poll_generation != generation {
                return Err(if bot.webhook.is_some() {
                    ApiError::conflict("terminated by setWebhook request")
                } else {
                    ApiError::conflict(
                        "terminated by other getUpdates request; make sure that only one bot instance is running",
                    )
                });
            }
            if !bot.updates.is_empty() || tokio::time::Instant::now() >= deadline {
                let updates: Vec<Value> = bot
                    .updates
                    .iter()
                    .take(limit)
                    .map(|u| u.body.clone())
                    .collect();
                return Ok(ApiOk::new(Value::Array(updates)));
            }
        }
        tokio::select! {
            _ = &mut notified => {}
            _ = tokio::time::sleep_until(deadline) => {}
        }
    }
}

/// setWebhook; an empty `url` removes the webhook. Returns the generation of a new webhook
/// whose dispatcher must be started.
fn set_webhook(ctx: &mut Ctx<'_>, params: &Params) -> Result<(ApiOk, Option<u64>), ApiError> {
    let url = params.str("url")?.unwrap_or_default();
    if url.is_empty() {
        return delete_webhook(ctx, params).map(|ok| (ok, None));
    }
    // Telegram wants HTTPS on ports 443/80/88/8443; the simulator accepts any http(s) URL so
    // local test servers can receive.
    let host = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .map(|rest| rest.split(['/', '?', '#']).next().unwrap_or(""));
    if host.is_none_or(str::is_empty) {
        return Err(ApiError::bad_request("invalid webhook URL specified"));
    }
    let secret = params.str("secret_token")?;
    if let Some(secret) = &secret {
        if secret.len() > 256 {
            return Err(ApiError::bad_request("secret token is too long"));
        }
        if !secret
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
        {
            return Err(ApiError::bad_request(
                "secret token contains unallowed characters",
            ));
        }
    }
    let max_connections = params.i64("max_connections")?.unwrap_or(40).clamp(1, 100) as usize;
    let allowed = allowed_updates(params)?;
    let drop_pending = params.bool("drop_pending_updates")?;

    let bot = ctx.world.bot(ctx.bot_id);
    if drop_pending {
        bot.updates.clear();
    }
    if let Some(allowed) = allowed {
        bot.allowed_updates = Some(allowed);
    }
    let webhook = Webhook {
        url,
        secret,
        max_connections,
    };
    if bot.webhook.as_ref() == Some(&webhook) {
        return Ok((
            ApiOk::described(json!(true), "Webhook is already set"),
            None,
        ));
    }
    bot.webhook = Some(webhook);
    bot.webhook_generation += 1;
    bot.last_error = None;
    for update in bot.updates.iter_mut() {
        update.in_flight = false;
        update.not_before = None;
        update.attempts = 0;
    }
    // A long poll in progress ends with 409.
    bot.poll_generation += 1;
    bot.notify.notify_waiters();
    Ok((
        ApiOk::described(json!(true), "Webhook was set"),
        Some(bot.webhook_generation),
    ))
}

fn delete_webhook(ctx: &mut Ctx<'_>, params: &Params) -> Result<ApiOk, ApiError> {
    let drop_pending = params.bool("drop_pending_updates")?;
    let bot = ctx.world.bot(ctx.bot_id);
    if drop_pending {
        bot.updates.clear();
    }
    if bot.webhook.take().is_none() {
        return Ok(ApiOk::described(json!(true), "Webhook is already deleted"));
    }
    bot.webhook_generation += 1;
    for update in bot.updates.iter_mut() {
        update.in_flight = false;
        update.not_before = None;
    }
    bot.notify.notify_waiters();
    Ok(ApiOk::described(json!(true), "Webhook was deleted"))
}

fn webhook_info(ctx: &mut Ctx<'_>) -> Value {
    let bot = ctx.world.bot(ctx.bot_id);
    let mut info = json!({
        "url": bot.webhook.as_ref().map(|w| w.url.clone()).unwrap_or_default(),
        "has_custom_certificate": false,
        "pending_update_count": bot.updates.len(),
    });
    if let Some(webhook) = &bot.webhook {
        info["max_connections"] = json!(webhook.max_connections);
    }
    if let Some((date, message)) = &bot.last_error {
        info["last_error_date"] = json!(date);
        info["last_error_message"] = json!(message);
    }
    if let Some(allowed) = bot.allowed_updates.as_ref().filter(|a| !a.is_empty()) {
        info["allowed_updates"] = json!(allowed);
    }
    info
}

const SCOPES: [&str; 7] = [
    "default",
    "all_private_chats",
    "all_group_chats",
    "all_chat_administrators",
    "chat",
    "chat_administrators",
    "chat_member",
];

/// The storage key of a (scope, language_code) pair.
fn commands_key(params: &Params) -> Result<(String, String), ApiError> {
    let scope = params
        .json("scope", "can't parse BotCommandScope JSON object")?
        .unwrap_or_else(|| json!({"type": "default"}));
    let kind = scope.get("type").and_then(Value::as_str).unwrap_or("");
    if !SCOPES.contains(&kind) {
        return Err(ApiError::bad_request("unsupported bot command scope type"));
    }
    let language = params.str("language_code")?.unwrap_or_default();
    if !(language.is_empty()
        || (language.len() == 2 && language.bytes().all(|b| b.is_ascii_lowercase())))
    {
        return Err(ApiError::bad_request("invalid language code specified"));
    }
    let canonical = Params::from_json(json!({ "scope": scope }))
        .map(|p| p.canonical())
        .unwrap_or_default();
    Ok((canonical, language))
}

fn set_my_commands(ctx: &mut Ctx<'_>, params: &Params) -> Result<ApiOk, ApiError> {
    let commands = params
        .json("commands", "can't parse commands JSON object")?
        .ok_or_else(|| ApiError::bad_request("parameter \"commands\" is required"))?;
    let items = commands
        .as_array()
        .ok_or_else(|| ApiError::bad_request("expected an Array of BotCommand"))?;
    if items.len() > 100 {
        return Err(ApiError::bad_request("too many commands specified"));
    }
    let mut stored = Vec::with_capacity(items.len());
    for item in items {
        let command = item.get("command").and_then(Value::as_str).unwrap_or("");
        let description = item
            .get("description")
            .and_then(Value::as_str)
            .unwrap_or("");
        let command_ok = (1..=32).contains(&command.len())
            && command
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
        if !command_ok {
            return Err(ApiError::bad_request("BOT_COMMAND_INVALID"));
        }
        if !(1..=256).contains(&description.chars().count()) {
            return Err(ApiError::bad_request(
                "command description must be 1-256 characters",
            ));
        }
        stored.push(json!({"command": command, "description": description}));
    }
    let key = commands_key(params)?;
    ctx.world
        .bot(ctx.bot_id)
        .commands
        .insert(key, Value::Array(stored));
    Ok(ApiOk::new(json!(true)))
}

fn get_my_commands(ctx: &mut Ctx<'_>, params: &Params) -> Result<ApiOk, ApiError> {
    let key = commands_key(params)?;
    let commands = ctx
        .world
        .bot(ctx.bot_id)
        .commands
        .get(&key)
        .cloned()
        .unwrap_or_else(|| json!([]));
    Ok(ApiOk::new(commands))
}

fn delete_my_commands(ctx: &mut Ctx<'_>, params: &Params) -> Result<ApiOk, ApiError> {
    let key = commands_key(params)?;
    ctx.world.bot(ctx.bot_id).commands.remove(&key);
    Ok(ApiOk::new(json!(true)))
}

fn set_chat_menu_button(ctx: &mut Ctx<'_>, params: &Params) -> Result<ApiOk, ApiError> {
    let chat_id = params.i64("chat_id")?;
    let button = params
        .json("menu_button", "can't parse menu button JSON object")?
        .unwrap_or_else(|| json!({"type": "default"}));
    match button.get("type").and_then(Value::as_str) {
        Some("default") | Some("commands") => {}
        Some("web_app") => {
            let has_text = button
                .get("text")
                .and_then(Value::as_str)
                .is_some_and(|t| !t.is_empty());
            let has_url = button
                .pointer("/web_app/url")
                .and_then(Value::as_str)
                .is_some_and(|u| u.starts_with("https://"));
            if !(has_text && has_url) {
                return Err(ApiError::bad_request(
                    "can't parse menu button: web_app needs text and an HTTPS web_app.url",
                ));
            }
        }
        _ => return Err(ApiError::bad_request("unsupported menu button type")),
    }
    if let Some(chat_id) = chat_id {
        if !ctx.world.users.contains_key(&chat_id) {
            return Err(ApiError::bad_request("chat not found"));
        }
    }
    ctx.world
        .bot(ctx.bot_id)
        .menu_buttons
        .insert(chat_id, button);
    Ok(ApiOk::new(json!(true)))
}

fn get_chat_menu_button(ctx: &mut Ctx<'_>, params: &Params) -> Result<ApiOk, ApiError> {
    let chat_id = params.i64("chat_id")?;
    let bot = ctx.world.bot(ctx.bot_id);
    let button = bot
        .menu_buttons
        .get(&chat_id)
        .or_else(|| bot.menu_buttons.get(&None))
        .cloned()
        .unwrap_or_else(|| json!({"type": "commands"}));
    Ok(ApiOk::new(button))
}

#[cfg(test)]
mod tests {
    use super::parse_token;

    #[test]
    fn tokens_must_look_like_telegram_tokens() {
        assert_eq!(parse_token("123:abcdefghij"), Some(123));
        assert_eq!(parse_token("123:abc-_XYZ09"), Some(123));
        assert_eq!(parse_token("123:short"), None);
        assert_eq!(parse_token("12a:abcdefghij"), None);
        assert_eq!(parse_token(":abcdefghij"), None);
        assert_eq!(parse_token("123:abcdefghi!"), None);
        assert_eq!(parse_token("0:abcdefghij"), None);
    }
}
