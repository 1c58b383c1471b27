//! [`SimClient`]: a small HTTP client for the control API, for tests in other crates that run
//! the simulator as a server (in-process tests can call [`crate::Simulator`] directly).

use std::time::Duration;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::types::{
    BotSummary, CallbackRecord, CallbackSent, JoinResult, MemberSpec, MemberStatus, MessageExtras,
    MessageSent, PayDetails, PayStarted, PayTarget, Payment, SentMessage, SimChat, SimFile,
    SimTopic, SimUser, Stats, UserSpec, VoteSent,
};

/// A control API failure.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// The request did not get an answer (connection, decoding).
    #[error("simulator request failed: {0}")]
    Http(#[from] reqwest::Error),
    /// The simulator answered with an error.
    #[error("simulator refused ({status}): {message}")]
    Refused {
        /// HTTP status.
        status: u16,
        /// The simulator's `error` text.
        message: String,
    },
}

#[derive(Deserialize)]
struct ErrorBody {
    error: String,
}

#[derive(Deserialize)]
struct UpdateIdBody {
    update_id: Option<i64>,
}

/// Client for `<base_url>/sim/...`.
#[derive(Debug, Clone)]
pub struct SimClient {
    base_url: String,
    http: reqwest::Client,
}

impl SimClient {
    /// A client for the simulator at `base_url` (e.g. `http://127.0.0.1:8081`, without `/sim`).
    pub fn new(base_url: impl Into<String>) -> Self {
        let http = reqwest::Client::builder()
            .no_proxy()
            .build()
            .unwrap_or_else(|_| reqwest::Client::new());
        Self {
            base_url: base_url.into().trim_end_matches('/').to_string(),
            http,
        }
    }

    /// The base URL.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// `<base>/bot<token>/<method>`, for pointing a bot at the simulator.
    pub fn bot_api_url(&self, token: &str, method: &str) -> String {
        format!("{}/bot{token}/{method}", self.base_url)
    }

    async fn decode<T: DeserializeOwned>(response: reqwest::Response) -> Result<T, ClientError> {
        let status = response.status();
        if status.is_success() {
            return Ok(response.json().await?);
        }
        let message = match response.json::<ErrorBody>().await {
            Ok(body) => body.error,
            Err(_) => status.to_string(),
        };
        Err(ClientError::Refused {
            status: status.as_u16(),
            message,
        })
    }

    async fn get<T: DeserializeOwned>(&self, path: &str) -> Result<T, ClientError> {
        let response = self
            .http
            .get(format!("{}/sim{path}", self.base_url))
            .send()
            .await?;
        Self::decode(response).await
    }

    async fn post<T: DeserializeOwned>(
        &self,
        path: &str,
        body: &impl Serialize,
    ) -> Result<T, ClientError> {
        let response = self
            .http
            .post(format!("{}/sim{path}", self.base_url))
            .json(body)
            .send()
            .await?;
        Self::decode(response).await
    }

    /// Registers or updates a user.
    pub async fn register_user(&self, user: &SimUser) -> Result<SimUser, ClientError> {
        self.post("/users", user).await
    }

    /// Registers a group, supergroup or channel.
    pub async fn register_chat(&self, chat: &SimChat) -> Result<SimChat, ClientError> {
        self.post("/chats", chat).await
    }

    /// Sets a member's status in a chat.
    pub async fn set_member(&self, chat_id: i64, spec: &MemberSpec) -> Result<(), ClientError> {
        let _: Value = self
            .post(&format!("/chats/{chat_id}/members"), spec)
            .await?;
        Ok(())
    }

    /// Adds a bot to a chat with a status (produces `my_chat_member`).
    pub async fn add_bot(
        &self,
        chat_id: i64,
        bot_id: i64,
        status: MemberStatus,
    ) -> Result<(), ClientError> {
        let spec = MemberSpec {
            bot_id: Some(bot_id),
            user: None,
            status,
            by: None,
        };
        self.set_member(chat_id, &spec).await
    }

    /// Adds a user to a chat with a status.
    pub async fn add_user(
        &self,
        chat_id: i64,
        user: impl Into<UserSpec>,
        status: MemberStatus,
    ) -> Result<(), ClientError> {
        let spec = MemberSpec {
            bot_id: None,
            user: Some(user.into()),
            status,
            by: None,
        };
        self.set_member(chat_id, &spec).await
    }

    /// The user writes `text` to the bot in their private chat.
    pub async fn send_text(
        &self,
        bot_id: i64,
        user: impl Into<UserSpec>,
        text: &str,
    ) -> Result<MessageSent, ClientError> {
        let body = json!({"from": user.into(), "text": text});
        self.post(&format!("/bots/{bot_id}/messages"), &body).await
    }

    /// The user writes `text` in a group the bot is in.
    pub async fn send_text_in(
        &self,
        bot_id: i64,
        user: impl Into<UserSpec>,
        chat_id: i64,
        text: &str,
    ) -> Result<MessageSent, ClientError> {
        let body = json!({"from": user.into(), "chat_id": chat_id, "text": text});
        self.post(&format!("/bots/{bot_id}/messages"), &body).await
    }

    /// The user writes `text` in a group, replying to a message of it or forwarding a
    /// channel's post (`extras`).
    pub async fn send_text_with(
        &self,
        bot_id: i64,
        user: impl Into<UserSpec>,
        chat_id: i64,
        text: &str,
        extras: MessageExtras,
    ) -> Result<MessageSent, ClientError> {
        let mut body = json!({"from": user.into(), "chat_id": chat_id, "text": text});
        if let (Some(object), Value::Object(more)) = (body.as_object_mut(), json!(extras)) {
            object.extend(more);
        }
        self.post(&format!("/bots/{bot_id}/messages"), &body).await
    }

    /// The user writes `text` in forum topic `thread_id` of the forum supergroup `chat_id`
    /// (a topic the bot created with `createForumTopic`).
    pub async fn send_text_in_thread(
        &self,
        bot_id: i64,
        user: impl Into<UserSpec>,
        chat_id: i64,
        thread_id: i64,
        text: &str,
    ) -> Result<MessageSent, ClientError> {
        let body = json!({
            "from": user.into(),
            "chat_id": chat_id,
            "message_thread_id": thread_id,
            "text": text,
        });
        self.post(&format!("/bots/{bot_id}/messages"), &body).await
    }

    /// The user sends a photo with an optional caption: in their private chat (`chat_id` =
    /// the user's id), a group, or a forum topic (`thread_id`).
    pub async fn send_photo(
        &self,
        bot_id: i64,
        user: impl Into<UserSpec>,
        chat_id: i64,
        caption: Option<&str>,
        thread_id: Option<i64>,
    ) -> Result<MessageSent, ClientError> {
        let body = json!({
            "from": user.into(),
            "chat_id": chat_id,
            "message_thread_id": thread_id,
            "caption": caption,
        });
        self.post(&format!("/bots/{bot_id}/photos"), &body).await
    }

    /// The user sends `file` as a document with an optional caption: in their private chat
    /// (`chat_id` = the user's id), a group, or a forum topic (`thread_id`). The content is
    /// then served by [`SimClient::document_content`] under the message's `document.file_id`.
    pub async fn send_document(
        &self,
        bot_id: i64,
        user: impl Into<UserSpec>,
        chat_id: i64,
        file: &SimFile,
        caption: Option<&str>,
        thread_id: Option<i64>,
    ) -> Result<MessageSent, ClientError> {
        let body = json!({
            "from": user.into(),
            "chat_id": chat_id,
            "message_thread_id": thread_id,
            "caption": caption,
            "file_name": file.file_name,
            "mime_type": file.mime_type,
            "content": file.content,
        });
        self.post(&format!("/bots/{bot_id}/documents"), &body).await
    }

    /// Forum topics the bot created in the chat, oldest first.
    pub async fn topics(&self, bot_id: i64, chat_id: i64) -> Result<Vec<SimTopic>, ClientError> {
        self.get(&format!("/bots/{bot_id}/chats/{chat_id}/topics"))
            .await
    }

    /// The user presses the inline button with `data` under the bot's message.
    pub async fn press_button(
        &self,
        bot_id: i64,
        user: impl Into<UserSpec>,
        chat_id: i64,
        message_id: i64,
        data: &str,
    ) -> Result<CallbackSent, ClientError> {
        let body = json!({
            "from": user.into(),
            "chat_id": chat_id,
            "message_id": message_id,
            "data": data,
        });
        self.post(&format!("/bots/{bot_id}/callbacks"), &body).await
    }

    /// The user votes in the bot's poll (message `message_id`) for the answers `option_ids`
    /// (0-based; none retracts their vote).
    pub async fn vote(
        &self,
        bot_id: i64,
        user: impl Into<UserSpec>,
        chat_id: i64,
        message_id: i64,
        option_ids: &[usize],
    ) -> Result<VoteSent, ClientError> {
        let body = json!({
            "from": user.into(),
            "chat_id": chat_id,
            "message_id": message_id,
            "option_ids": option_ids,
        });
        self.post(&format!("/bots/{bot_id}/votes"), &body).await
    }

    /// The user follows an invite link (joins, or asks to join).
    pub async fn join(
        &self,
        bot_id: i64,
        user: impl Into<UserSpec>,
        invite_link: &str,
    ) -> Result<JoinResult, ClientError> {
        let body = json!({"from": user.into(), "invite_link": invite_link});
        self.post(&format!("/bots/{bot_id}/join"), &body).await
    }

    /// Like [`SimClient::join`], but fails unless the link produced a join request.
    pub async fn request_join(
        &self,
        bot_id: i64,
        user: impl Into<UserSpec>,
        invite_link: &str,
    ) -> Result<JoinResult, ClientError> {
        let result = self.join(bot_id, user, invite_link).await?;
        if result.kind != "chat_join_request" {
            return Err(ClientError::Refused {
                status: 400,
                message: format!("the link does not create join requests ({})", result.kind),
            });
        }
        Ok(result)
    }

    /// The user blocks the bot; returns the `my_chat_member` update id.
    pub async fn block(
        &self,
        bot_id: i64,
        user: impl Into<UserSpec>,
    ) -> Result<Option<i64>, ClientError> {
        let body = json!({"from": user.into(), "blocked": true});
        let reply: UpdateIdBody = self.post(&format!("/bots/{bot_id}/block"), &body).await?;
        Ok(reply.update_id)
    }

    /// The user unblocks the bot.
    pub async fn unblock(
        &self,
        bot_id: i64,
        user: impl Into<UserSpec>,
    ) -> Result<Option<i64>, ClientError> {
        let body = json!({"from": user.into(), "blocked": false});
        let reply: UpdateIdBody = self.post(&format!("/bots/{bot_id}/block"), &body).await?;
        Ok(reply.update_id)
    }

    /// The user pays an invoice message, filling the payment form with
    /// [`PayDetails::sample`] (see [`SimClient::pay_with`]).
    pub async fn pay(
        &self,
        bot_id: i64,
        user: impl Into<UserSpec>,
        chat_id: i64,
        message_id: i64,
    ) -> Result<PayStarted, ClientError> {
        let target = PayTarget::Message {
            chat_id,
            message_id,
        };
        self.pay_with(bot_id, user, target, PayDetails::sample())
            .await
    }

    /// The user pays through an invoice link, filling the payment form with
    /// [`PayDetails::sample`] (see [`SimClient::pay_with`]).
    pub async fn pay_link(
        &self,
        bot_id: i64,
        user: impl Into<UserSpec>,
        invoice_link: &str,
    ) -> Result<PayStarted, ClientError> {
        let target = PayTarget::Link {
            invoice_link: invoice_link.to_string(),
        };
        self.pay_with(bot_id, user, target, PayDetails::sample())
            .await
    }

    /// The user pays an invoice message or link with the order info they entered and the
    /// shipping option they pick. Refused (400) when the form lacks what the invoice asks for.
    /// Flexible invoices start with a `shipping_query` (see [`PayStarted`]).
    pub async fn pay_with(
        &self,
        bot_id: i64,
        user: impl Into<UserSpec>,
        target: PayTarget,
        details: PayDetails,
    ) -> Result<PayStarted, ClientError> {
        #[derive(Serialize)]
        struct PayBody {
            from: UserSpec,
            #[serde(flatten)]
            target: PayTarget,
            #[serde(flatten)]
            details: PayDetails,
        }
        let body = PayBody {
            from: user.into(),
            target,
            details,
        };
        self.post(&format!("/bots/{bot_id}/pay"), &body).await
    }

    /// Queues a raw update; `None` if the bot's `allowed_updates` drops it.
    pub async fn raw_update(
        &self,
        bot_id: i64,
        update: &Value,
    ) -> Result<Option<i64>, ClientError> {
        let reply: UpdateIdBody = self
            .post(&format!("/bots/{bot_id}/raw-update"), update)
            .await?;
        Ok(reply.update_id)
    }

    /// What the bot sent to the chat, oldest first.
    pub async fn messages(
        &self,
        bot_id: i64,
        chat_id: i64,
    ) -> Result<Vec<SentMessage>, ClientError> {
        self.get(&format!("/bots/{bot_id}/chats/{chat_id}/messages"))
            .await
    }

    /// The content of a file a bot uploaded (a document message's `file_id`).
    pub async fn document_content(&self, file_id: &str) -> Result<Vec<u8>, ClientError> {
        let response = self
            .http
            .get(format!("{}/sim/files/{file_id}", self.base_url))
            .send()
            .await?;
        if !response.status().is_success() {
            return Self::decode(response).await;
        }
        Ok(response.bytes().await?.to_vec())
    }

    /// The whole conversation in a chat as the bot sees it: users' messages too, with
    /// whether each was deleted.
    pub async fn transcript(
        &self,
        bot_id: i64,
        chat_id: i64,
    ) -> Result<Vec<SentMessage>, ClientError> {
        self.get(&format!("/bots/{bot_id}/chats/{chat_id}/messages?all=true"))
            .await
    }

    /// Waits (server-side) until the bot has sent at least `count` messages to the chat.
    pub async fn wait_for_messages(
        &self,
        bot_id: i64,
        chat_id: i64,
        count: usize,
        timeout: Duration,
    ) -> Result<Vec<SentMessage>, ClientError> {
        self.get(&format!(
            "/bots/{bot_id}/chats/{chat_id}/messages?wait_for={count}&timeout_ms={}",
            timeout.as_millis()
        ))
        .await
    }

    /// The bot's counters.
    pub async fn stats(&self, bot_id: i64) -> Result<Stats, ClientError> {
        self.get(&format!("/bots/{bot_id}/stats")).await
    }

    /// A button press and the bot's answer.
    pub async fn callback(
        &self,
        bot_id: i64,
        callback_query_id: &str,
    ) -> Result<CallbackRecord, ClientError> {
        self.get(&format!("/bots/{bot_id}/callbacks/{callback_query_id}"))
            .await
    }

    /// The bot's payments.
    pub async fn payments(&self, bot_id: i64) -> Result<Vec<Payment>, ClientError> {
        self.get(&format!("/bots/{bot_id}/payments")).await
    }

    /// Every bot seen, with webhook state.
    pub async fn bots(&self) -> Result<Vec<BotSummary>, ClientError> {
        self.get("/bots").await
    }
}
