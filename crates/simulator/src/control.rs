//! The control API under `/sim` (JSON in, JSON out; errors as `{"error": "..."}`) and the
//! small HTML page at `/sim`. Each endpoint is a thin wrapper over the in-process methods in
//! `actions`.

use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::header::{CONTENT_SECURITY_POLICY, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::error::SimError;
use crate::params::parse_urlencoded;
use crate::types::{
    MemberSpec, MessageExtras, PayDetails, PayTarget, SimChat, SimFile, SimUser, UserSpec,
};
use crate::Simulator;

const PAGE: &str = include_str!("page.html");

/// Longest server-side wait of `GET .../messages?wait_for=N`.
const MAX_WAIT: Duration = Duration::from_secs(60);

pub(crate) fn routes(sim: Simulator) -> Router {
    Router::new()
        .route("/sim", get(page))
        .route("/sim/users", get(list_users).post(post_user))
        .route("/sim/chats", get(list_chats).post(post_chat))
        .route("/sim/chats/{chat_id}/members", post(post_member))
        .route("/sim/bots", get(list_bots))
        .route("/sim/bots/{bot_id}/messages", post(post_message))
        .route("/sim/bots/{bot_id}/photos", post(post_photo))
        .route("/sim/bots/{bot_id}/documents", post(post_document))
        .route("/sim/bots/{bot_id}/callbacks", post(post_callback))
        .route("/sim/bots/{bot_id}/callbacks/{id}", get(get_callback))
        .route("/sim/bots/{bot_id}/votes", post(post_vote))
        .route("/sim/bots/{bot_id}/join", post(post_join))
        .route("/sim/bots/{bot_id}/block", post(post_block))
        .route("/sim/bots/{bot_id}/pay", post(post_pay))
        .route("/sim/bots/{bot_id}/payments", get(get_payments))
        .route(
            "/sim/bots/{bot_id}/webapp-init-data",
            get(get_webapp_init_data),
        )
        .route("/sim/bots/{bot_id}/raw-update", post(post_raw_update))
        .route("/sim/bots/{bot_id}/updates", get(get_pending_updates))
        .route("/sim/bots/{bot_id}/stats", get(get_stats))
        .route("/sim/files/{file_id}", get(get_file))
        .route(
            "/sim/bots/{bot_id}/chats/{chat_id}/messages",
            get(get_messages),
        )
        .route("/sim/bots/{bot_id}/chats/{chat_id}/topics", get(get_topics))
        .with_state(sim)
}

type Reply = Result<Json<Value>, SimError>;

fn parse_body<T: DeserializeOwned>(body: &Bytes) -> Result<T, SimError> {
    serde_json::from_slice(body)
        .map_err(|e| SimError::bad_request(format!("invalid JSON body: {e}")))
}

fn parse_id(raw: &str) -> Result<i64, SimError> {
    raw.parse()
        .map_err(|_| SimError::bad_request(format!("not an integer id: {raw}")))
}

fn to_json<T: serde::Serialize>(value: T) -> Reply {
    serde_json::to_value(value)
        .map(Json)
        .map_err(|e| SimError::bad_request(e.to_string()))
}

/// The chat page. Pages of the same site may frame it (the console's phone panel does, with
/// `?embed=phone`); other sites may not.
async fn page() -> Response {
    (
        [
            (CONTENT_TYPE, "text/html; charset=utf-8"),
            (CONTENT_SECURITY_POLICY, "frame-ancestors 'self'"),
        ],
        PAGE,
    )
        .into_response()
}

async fn list_users(State(sim): State<Simulator>) -> Reply {
    to_json(sim.users())
}

async fn post_user(State(sim): State<Simulator>, body: Bytes) -> Reply {
    let user: SimUser = parse_body(&body)?;
    to_json(sim.register_user(user)?)
}

async fn list_chats(State(sim): State<Simulator>) -> Reply {
    to_json(sim.chats())
}

async fn post_chat(State(sim): State<Simulator>, body: Bytes) -> Reply {
    let chat: SimChat = parse_body(&body)?;
    to_json(sim.register_chat(chat)?)
}

async fn post_member(
    State(sim): State<Simulator>,
    Path(chat_id): Path<String>,
    body: Bytes,
) -> Reply {
    let spec: MemberSpec = parse_body(&body)?;
    sim.set_member(parse_id(&chat_id)?, spec)?;
    Ok(Json(json!({"ok": true})))
}

async fn list_bots(State(sim): State<Simulator>) -> Reply {
    to_json(sim.bots())
}

/// `POST /sim/bots/{bot_id}/messages`: a text, in the private chat (no `chat_id`), a group,
/// or a forum topic (`message_thread_id`).
#[derive(Deserialize)]
struct MessageBody {
    from: UserSpec,
    #[serde(default)]
    chat_id: Option<i64>,
    #[serde(default)]
    message_thread_id: Option<i64>,
    text: String,
    /// A reply (`reply_to_message_id`) or a forward from a channel (`forward_from_chat_id`).
    #[serde(flatten)]
    extras: MessageExtras,
}

async fn post_message(
    State(sim): State<Simulator>,
    Path(bot_id): Path<String>,
    body: Bytes,
) -> Reply {
    let body: MessageBody = parse_body(&body)?;
    let bot_id = parse_id(&bot_id)?;
    let sent = match (body.chat_id, body.message_thread_id) {
        (Some(chat_id), Some(thread_id)) => {
            sim.send_message_in_thread(bot_id, body.from, chat_id, thread_id, &body.text)?
        }
        (None, Some(_)) => {
            return Err(SimError::bad_request(
                "message_thread_id needs the chat_id of a forum supergroup",
            ))
        }
        (Some(chat_id), None) if body.extras != MessageExtras::default() => {
            sim.send_message_with(bot_id, body.from, chat_id, &body.text, body.extras)?
        }
        (None, None) if body.extras != MessageExtras::default() => {
            return Err(SimError::bad_request(
                "replies and forwards are simulated in groups (give chat_id)",
            ))
        }
        (chat_id, None) => sim.send_message(bot_id, body.from, chat_id, &body.text)?,
    };
    to_json(sent)
}

/// `POST /sim/bots/{bot_id}/photos`: a photo with an optional caption.
#[derive(Deserialize)]
struct PhotoBody {
    from: UserSpec,
    #[serde(default)]
    chat_id: Option<i64>,
    #[serde(default)]
    message_thread_id: Option<i64>,
    #[serde(default)]
    caption: Option<String>,
}

async fn post_photo(
    State(sim): State<Simulator>,
    Path(bot_id): Path<String>,
    body: Bytes,
) -> Reply {
    let body: PhotoBody = parse_body(&body)?;
    to_json(sim.send_photo(
        parse_id(&bot_id)?,
        body.from,
        body.chat_id,
        body.caption.as_deref(),
        body.message_thread_id,
    )?)
}

/// `POST /sim/bots/{bot_id}/documents`: a file (`file_name`, `mime_type`, `content` as an
/// array of bytes or a string) with an optional caption.
#[derive(Deserialize)]
struct DocumentBody {
    from: UserSpec,
    #[serde(default)]
    chat_id: Option<i64>,
    #[serde(default)]
    message_thread_id: Option<i64>,
    #[serde(default)]
    caption: Option<String>,
    #[serde(flatten)]
    file: SimFile,
}

async fn post_document(
    State(sim): State<Simulator>,
    Path(bot_id): Path<String>,
    body: Bytes,
) -> Reply {
    let body: DocumentBody = parse_body(&body)?;
    to_json(sim.send_document(
        parse_id(&bot_id)?,
        body.from,
        body.chat_id,
        body.file,
        body.caption.as_deref(),
        body.message_thread_id,
    )?)
}

async fn get_topics(
    State(sim): State<Simulator>,
    Path((bot_id, chat_id)): Path<(String, String)>,
) -> Reply {
    to_json(sim.topics(parse_id(&bot_id)?, parse_id(&chat_id)?))
}

#[derive(Deserialize)]
struct CallbackBody {
    from: UserSpec,
    chat_id: i64,
    message_id: i64,
    data: String,
}

async fn post_callback(
    State(sim): State<Simulator>,
    Path(bot_id): Path<String>,
    body: Bytes,
) -> Reply {
    let body: CallbackBody = parse_body(&body)?;
    to_json(sim.press_button(
        parse_id(&bot_id)?,
        body.from,
        body.chat_id,
        body.message_id,
        &body.data,
    )?)
}

#[derive(Deserialize)]
struct VoteBody {
    from: UserSpec,
    chat_id: i64,
    message_id: i64,
    option_ids: Vec<usize>,
}

async fn post_vote(State(sim): State<Simulator>, Path(bot_id): Path<String>, body: Bytes) -> Reply {
    let body: VoteBody = parse_body(&body)?;
    to_json(sim.vote(
        parse_id(&bot_id)?,
        body.from,
        body.chat_id,
        body.message_id,
        &body.option_ids,
    )?)
}

async fn get_callback(
    State(sim): State<Simulator>,
    Path((bot_id, id)): Path<(String, String)>,
) -> Reply {
    let record = sim
        .callback(parse_id(&bot_id)?, &id)
        .ok_or_else(|| SimError::not_found("unknown callback query"))?;
    to_json(record)
}

#[derive(Deserialize)]
struct JoinBody {
    from: UserSpec,
    invite_link: String,
}

async fn post_join(State(sim): State<Simulator>, Path(bot_id): Path<String>, body: Bytes) -> Reply {
    let body: JoinBody = parse_body(&body)?;
    to_json(sim.join(parse_id(&bot_id)?, body.from, &body.invite_link)?)
}

fn default_true() -> bool {
    true
}

#[derive(Deserialize)]
struct BlockBody {
    from: UserSpec,
    #[serde(default = "default_true")]
    blocked: bool,
}

async fn post_block(
    State(sim): State<Simulator>,
    Path(bot_id): Path<String>,
    body: Bytes,
) -> Reply {
    let body: BlockBody = parse_body(&body)?;
    let update_id = sim.block(parse_id(&bot_id)?, body.from, body.blocked)?;
    Ok(Json(json!({ "update_id": update_id })))
}

#[derive(Deserialize)]
struct PayBody {
    from: UserSpec,
    #[serde(default)]
    chat_id: Option<i64>,
    #[serde(default)]
    message_id: Option<i64>,
    #[serde(default)]
    invoice_link: Option<String>,
    #[serde(flatten)]
    details: PayDetails,
}

async fn post_pay(State(sim): State<Simulator>, Path(bot_id): Path<String>, body: Bytes) -> Reply {
    let body: PayBody = parse_body(&body)?;
    let target = match (body.chat_id, body.message_id, body.invoice_link) {
        (Some(chat_id), Some(message_id), None) => PayTarget::Message {
            chat_id,
            message_id,
        },
        (None, None, Some(invoice_link)) => PayTarget::Link { invoice_link },
        _ => {
            return Err(SimError::bad_request(
                "give either chat_id and message_id, or invoice_link",
            ))
        }
    };
    to_json(sim.pay_with(parse_id(&bot_id)?, body.from, target, body.details)?)
}

async fn get_payments(State(sim): State<Simulator>, Path(bot_id): Path<String>) -> Reply {
    to_json(sim.payments(parse_id(&bot_id)?))
}

#[derive(serde::Deserialize)]
struct WebAppQuery {
    user: i64,
}

async fn get_webapp_init_data(
    State(sim): State<Simulator>,
    Path(bot_id): Path<String>,
    axum::extract::Query(query): axum::extract::Query<WebAppQuery>,
) -> Reply {
    let init_data = sim.webapp_init_data(parse_id(&bot_id)?, query.user)?;
    Ok(Json(json!({ "init_data": init_data })))
}

async fn post_raw_update(
    State(sim): State<Simulator>,
    Path(bot_id): Path<String>,
    body: Bytes,
) -> Reply {
    let update: Value = parse_body(&body)?;
    let update_id = sim.raw_update(parse_id(&bot_id)?, update)?;
    Ok(Json(json!({ "update_id": update_id })))
}

async fn get_pending_updates(State(sim): State<Simulator>, Path(bot_id): Path<String>) -> Reply {
    to_json(sim.pending_updates(parse_id(&bot_id)?))
}

async fn get_stats(State(sim): State<Simulator>, Path(bot_id): Path<String>) -> Reply {
    to_json(sim.stats(parse_id(&bot_id)?))
}

/// The bytes of a file a bot uploaded.
async fn get_file(
    State(sim): State<Simulator>,
    Path(file_id): Path<String>,
) -> Result<Vec<u8>, SimError> {
    sim.document_content(&file_id)
        .ok_or_else(|| SimError::not_found(format!("no file {file_id}")))
}

/// `?all=true` adds the users' messages; `?wait_for=N&timeout_ms=M` waits for N bot messages.
async fn get_messages(
    State(sim): State<Simulator>,
    Path((bot_id, chat_id)): Path<(String, String)>,
    RawQuery(query): RawQuery,
) -> Reply {
    let bot_id = parse_id(&bot_id)?;
    let chat_id = parse_id(&chat_id)?;
    let query = parse_urlencoded(query.as_deref().unwrap_or(""));
    let arg = |name: &str| {
        query
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    };
    if let Some(count) = arg("wait_for") {
        let count: usize = count
            .parse()
            .map_err(|_| SimError::bad_request("wait_for is a count"))?;
        let timeout = match arg("timeout_ms") {
            Some(ms) => Duration::from_millis(
                ms.parse()
                    .map_err(|_| SimError::bad_request("timeout_ms is a number"))?,
            ),
            None => Duration::from_secs(5),
        };
        sim.wait_for_messages(bot_id, chat_id, count, timeout.min(MAX_WAIT))
            .await?;
    }
    let all = matches!(arg("all"), Some("true" | "1"));
    if all {
        to_json(sim.transcript(bot_id, chat_id))
    } else {
        to_json(sim.messages(bot_id, chat_id))
    }
}
