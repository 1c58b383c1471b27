//! The outbox: messages a state change causes are written in the same transaction as the
//! change, and a sender delivers them later within Telegram's limits.
//!
//! An [`Action`] says what to do in messaging terms (send text with buttons, edit, answer a
//! button press); the Telegram driver turns it into a Bot API call.

use crate::customer::CustomerId;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// An inline button under a message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Button {
    pub text: String,
    #[serde(flatten)]
    pub target: ButtonTarget,
}

/// What pressing a button does.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ButtonTarget {
    /// Sends this data back to the bot (at most 64 bytes).
    Callback(String),
    /// Opens this URL.
    Url(String),
}

impl Button {
    pub fn callback(text: impl Into<String>, data: impl Into<String>) -> Self {
        Button {
            text: text.into(),
            target: ButtonTarget::Callback(data.into()),
        }
    }
    pub fn url(text: impl Into<String>, url: impl Into<String>) -> Self {
        Button {
            text: text.into(),
            target: ButtonTarget::Url(url.into()),
        }
    }
}

/// Rows of inline buttons.
pub type Keyboard = Vec<Vec<Button>>;

/// One thing to do in a chat.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Action {
    SendText {
        text: String,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        buttons: Keyboard,
    },
    EditText {
        message_id: i64,
        text: String,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        buttons: Keyboard,
    },
    /// Acknowledges a button press (stops the client's spinner), optionally with a toast.
    AnswerButton {
        callback_id: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        text: Option<String>,
    },
    /// Acknowledges a button press by opening `url`, a `t.me/<bot>?start=…` link that lands
    /// the person in the bot (someone who must start the bot first), optionally with a toast.
    AnswerButtonLink {
        callback_id: String,
        url: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        text: Option<String>,
    },
    /// A photo (URL or Telegram file id) with a caption and buttons: a product card.
    SendPhoto {
        photo: String,
        caption: String,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        buttons: Keyboard,
    },
    /// A native poll (`sendPoll`, a regular poll), with buttons: a calendar post's question to
    /// the chat. Telegram's poll id comes back with the sent message.
    SendPoll {
        question: String,
        options: Vec<String>,
        allows_multiple_answers: bool,
        is_anonymous: bool,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        buttons: Keyboard,
    },
    /// A file the bot makes and uploads (e.g. a customer's data export), with a caption.
    SendDocument {
        file_name: String,
        mime_type: String,
        /// The file's content; text files only (JSON, CSV).
        content: String,
        caption: String,
    },
    /// Creates a forum topic in the chat (a forum supergroup); the topic's thread id is the
    /// delivery's result, which later messages refer to with [`TopicRef::CreatedBy`].
    CreateTopic { name: String },
    /// A text message into a forum topic of the chat.
    SendToTopic {
        topic: TopicRef,
        text: String,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        buttons: Keyboard,
    },
    /// Copies message `message_id` of chat `from_chat_id` (a photo, a document, ...) into
    /// the chat, into a forum topic when given: how media are relayed between a customer
    /// and the agents without downloading them.
    CopyMessage {
        from_chat_id: i64,
        message_id: i64,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        topic: Option<TopicRef>,
    },
    /// An invoice the customer pays inside Telegram.
    SendInvoice(Invoice),
    /// Gives a Telegram Stars payment back to the customer.
    RefundStars { user_id: i64, charge_id: String },
    /// Answers Telegram's last check before a payment: `ok`, or refused with a reason the
    /// customer reads. Telegram waits at most 10 seconds for it.
    AnswerPreCheckout {
        query_id: String,
        ok: bool,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        error_message: Option<String>,
    },
    /// Lets `user_id` into `chat_id` (a join request). Queued in the person's private chat,
    /// after the messages that go with it: Telegram lets the bot write to someone who asked
    /// to join only until the request is answered.
    ApproveJoinRequest { chat_id: i64, user_id: i64 },
    /// Turns down `user_id`'s request to join `chat_id`; queued like the approval.
    DeclineJoinRequest { chat_id: i64, user_id: i64 },
    /// Deletes message `message_id` of the chat (a group message that broke a rule).
    DeleteMessage { message_id: i64 },
    /// Mutes `user_id` in the chat (a group) until `until`: they can read but not post.
    Restrict {
        user_id: i64,
        until: chrono::DateTime<chrono::Utc>,
    },
    /// Removes `user_id` from the chat and keeps them out.
    Ban { user_id: i64 },
    /// Deletes the message that outbox row `outbox_id` (to the same chat, sent earlier) became;
    /// the sender looks its Telegram message id up when delivering, as for
    /// [`TopicRef::CreatedBy`].
    DeleteSent { outbox_id: i64 },
    /// Lets a banned `user_id` join the chat again (they are not added back).
    Unban { user_id: i64 },
    /// Gives a muted `user_id` back every right to post in the chat.
    Unrestrict { user_id: i64 },
    /// A text with a one-button reply keyboard that shares the person's own phone number
    /// (`request_contact`); the keyboard hides once used.
    AskContact { text: String, button: String },
    /// A text that also takes away a reply keyboard shown before.
    SendTextRemoveKeyboard { text: String },
    /// Answers Telegram's question which shipping options serve an address: the options, or
    /// none with a reason the customer reads (`error_message`).
    AnswerShipping {
        query_id: String,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        options: Vec<crate::shipping::ShippingQuote>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        error_message: Option<String>,
    },
}

/// A forum topic a message goes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TopicRef {
    /// A known thread id.
    Thread(i64),
    /// The topic created by outbox message `id` (an [`Action::CreateTopic`] to the same
    /// chat, queued earlier); the sender looks its thread id up when delivering.
    CreatedBy(i64),
}

/// An invoice. The payment provider is the bot's (from configuration); Telegram Stars
/// (`XTR`) need none.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Invoice {
    /// 1–32 characters.
    pub title: String,
    /// 1–255 characters.
    pub description: String,
    /// Comes back in the pre-checkout query and the payment: `order:<id>`.
    pub payload: String,
    pub currency: crate::money::Currency,
    /// (label, minor units); Stars invoices have exactly one.
    pub prices: Vec<(String, i64)>,
    pub need_name: bool,
    pub need_phone_number: bool,
    pub need_shipping_address: bool,
    /// The total depends on the address: Telegram asks the bot for shipping options
    /// ([`Action::AnswerShipping`]) before the pre-checkout query.
    #[serde(default)]
    pub is_flexible: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub photo_url: Option<String>,
}

impl Action {
    /// Whether this action counts against Telegram's per-chat and global send limits.
    /// Answers to queries and refunds do not (Telegram does not limit `answerCallbackQuery`,
    /// and a pre-checkout answer must never wait behind other messages).
    pub fn is_throttled(&self) -> bool {
        !matches!(
            self,
            Action::AnswerButton { .. }
                | Action::AnswerButtonLink { .. }
                | Action::AnswerPreCheckout { .. }
                | Action::AnswerShipping { .. }
                | Action::ApproveJoinRequest { .. }
                | Action::DeclineJoinRequest { .. }
                | Action::RefundStars { .. }
                // Moderation is not a message: Telegram's per-chat message limits do not
                // apply, and a spammer must not be able to delay their own mute.
                | Action::DeleteMessage { .. }
                | Action::DeleteSent { .. }
                | Action::Restrict { .. }
                | Action::Ban { .. }
                | Action::Unban { .. }
                | Action::Unrestrict { .. }
        )
    }
}

/// A message about to be enqueued.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewOutbound {
    pub bot: String,
    pub chat_id: i64,
    pub customer_id: Option<CustomerId>,
    pub action: Action,
    /// Bulk sends (broadcasts) may use the paid-broadcast budget and yield to replies.
    pub broadcast: bool,
    /// Not sent before this time.
    pub not_before: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
}

impl NewOutbound {
    /// A message to go now, not part of a broadcast; `customer_id` left for the caller.
    pub fn now(bot: &str, chat_id: i64, action: Action, at: DateTime<Utc>) -> Self {
        NewOutbound {
            bot: bot.to_owned(),
            chat_id,
            customer_id: None,
            action,
            broadcast: false,
            not_before: at,
            created_at: at,
        }
    }
}

/// A message waiting in the outbox.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutboundMessage {
    pub id: i64,
    pub bot: String,
    pub chat_id: i64,
    pub customer_id: Option<CustomerId>,
    pub action: Action,
    pub broadcast: bool,
    pub attempts: i32,
    pub next_attempt_at: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
}

/// How a delivery attempt ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Settlement {
    /// Telegram confirmed it; `remote_message_id` is the message it created, if any.
    Sent {
        at: DateTime<Utc>,
        remote_message_id: Option<i64>,
    },
    /// A transient failure (rate limit, network, server error): try again at `next_attempt_at`.
    Retry {
        at: DateTime<Utc>,
        next_attempt_at: DateTime<Utc>,
        error: String,
    },
    /// A permanent failure (bot blocked, chat not found, bad request): never retried.
    Failed { at: DateTime<Utc>, reason: String },
}

/// What became of one outbox message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutboxState {
    Pending,
    Sent { remote_message_id: Option<i64> },
    Failed,
}

/// Counts of outbox rows by state, for metrics.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutboxStats {
    pub pending: i64,
    pub sent: i64,
    pub failed: i64,
}
