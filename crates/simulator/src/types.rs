//! Public value types of the simulator: the users, chats and members that tests register, and
//! the records the control API reports back (sent messages, stats, callback answers, payments).
//! They are plain serde structs shared by the server side and [`crate::SimClient`].

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// A simulated Telegram user (a person, not a bot).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SimUser {
    /// Telegram user id; positive.
    pub id: i64,
    /// First name as shown in `from.first_name`.
    pub first_name: String,
    /// Optional last name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_name: Option<String>,
    /// Optional username, without `@`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    /// Optional IETF language tag, e.g. `en` or `de`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language_code: Option<String>,
}

impl SimUser {
    /// A user with just an id and a first name.
    pub fn new(id: i64, first_name: impl Into<String>) -> Self {
        Self {
            id,
            first_name: first_name.into(),
            last_name: None,
            username: None,
            language_code: None,
        }
    }

    /// Sets the username (without `@`).
    pub fn with_username(mut self, username: impl Into<String>) -> Self {
        self.username = Some(username.into());
        self
    }

    /// Sets the language code.
    pub fn with_language(mut self, language_code: impl Into<String>) -> Self {
        self.language_code = Some(language_code.into());
        self
    }

    /// The user registered automatically when an unknown id acts.
    pub(crate) fn placeholder(id: i64) -> Self {
        Self::new(id, format!("User {id}"))
    }
}

/// Who acts in a control call: a known user id, or a full user (registered or updated first).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum UserSpec {
    /// An id; unknown ids are auto-registered with a default name.
    Id(i64),
    /// A full user description.
    User(SimUser),
}

impl UserSpec {
    /// The user id this spec refers to.
    pub fn id(&self) -> i64 {
        match self {
            UserSpec::Id(id) => *id,
            UserSpec::User(user) => user.id,
        }
    }
}

impl From<i64> for UserSpec {
    fn from(id: i64) -> Self {
        UserSpec::Id(id)
    }
}

impl From<SimUser> for UserSpec {
    fn from(user: SimUser) -> Self {
        UserSpec::User(user)
    }
}

impl From<&SimUser> for UserSpec {
    fn from(user: &SimUser) -> Self {
        UserSpec::User(user.clone())
    }
}

/// Kind of a non-private chat.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ChatType {
    /// A basic group.
    Group,
    /// A supergroup (restrictions and forums only exist here).
    Supergroup,
    /// A channel: only admins post, posts arrive as `channel_post`.
    Channel,
}

impl ChatType {
    /// The Bot API spelling (`group`, `supergroup`, `channel`).
    pub fn as_str(self) -> &'static str {
        match self {
            ChatType::Group => "group",
            ChatType::Supergroup => "supergroup",
            ChatType::Channel => "channel",
        }
    }
}

/// A group, supergroup or channel registered through the control API.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SimChat {
    /// Negative chat id.
    pub id: i64,
    /// Chat type.
    #[serde(rename = "type")]
    pub kind: ChatType,
    /// Title.
    pub title: String,
    /// Optional public username (lets the bot address it as `@username`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    /// Whether the supergroup is a forum.
    #[serde(default)]
    pub is_forum: bool,
}

/// Membership status, spelled as in the Bot API's `ChatMember.status`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MemberStatus {
    /// The chat owner.
    Creator,
    /// An administrator (the simulator grants all usual rights).
    Administrator,
    /// A plain member.
    Member,
    /// A restricted member of a supergroup.
    Restricted,
    /// Not in the chat.
    Left,
    /// Banned.
    Kicked,
}

impl MemberStatus {
    /// The Bot API spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            MemberStatus::Creator => "creator",
            MemberStatus::Administrator => "administrator",
            MemberStatus::Member => "member",
            MemberStatus::Restricted => "restricted",
            MemberStatus::Left => "left",
            MemberStatus::Kicked => "kicked",
        }
    }

    /// Whether this status has administrator rights.
    pub fn is_admin(self) -> bool {
        matches!(self, MemberStatus::Creator | MemberStatus::Administrator)
    }
}

/// Body of `POST /sim/chats/{chat_id}/members`: who gets which status.
///
/// Exactly one of `bot_id` or `user` must be given.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberSpec {
    /// A bot to add or change (produces `my_chat_member` for that bot).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bot_id: Option<i64>,
    /// A user to add or change (produces `chat_member` for admin bots that asked for it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<UserSpec>,
    /// The new status.
    pub status: MemberStatus,
    /// The user who made the change (`from` of the update); defaults to the chat's creator.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by: Option<i64>,
}

/// A message in a bot's chat as the simulator recorded it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SentMessage {
    /// Message id (per chat, increasing).
    pub message_id: i64,
    /// Chat the message is in.
    pub chat_id: i64,
    /// True for messages the bot sent; false for the users' messages (listed with `all=true`).
    pub from_bot: bool,
    /// Unix time of sending.
    pub date: i64,
    /// Text after parse_mode processing (or the caption of a photo or document).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// Entities of the text, as Telegram would report them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entities: Option<Value>,
    /// The reply markup as the bot last sent it (any keyboard type).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reply_markup: Option<Value>,
    /// `file_id` of the photo (largest size) for `sendPhoto`, a copied photo, or a user's photo.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub photo: Option<String>,
    /// The `Document` object for `sendDocument`, a copied document or a user's document
    /// (file_id, file_name, mime_type, file_size); the content is at `GET /sim/files/{file_id}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document: Option<Value>,
    /// The `Invoice` object for `sendInvoice`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invoice: Option<Value>,
    /// The `Poll` object for `sendPoll`, with its current counts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub poll: Option<Value>,
    /// The forum topic the message is in (`message_thread_id`), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message_thread_id: Option<i64>,
    /// Whether the message was edited.
    pub edited: bool,
    /// Whether the message was deleted.
    pub deleted: bool,
    /// The full `Message` object in its current state.
    pub message: Value,
}

/// A forum topic the bot created with `createForumTopic`, as listed by
/// `GET /sim/bots/{bot_id}/chats/{chat_id}/topics`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SimTopic {
    /// The topic id: the message id of its `forum_topic_created` service message.
    pub message_thread_id: i64,
    /// Topic name.
    pub name: String,
    /// Icon color (RGB).
    pub icon_color: i64,
    /// Custom emoji of the icon, if one was given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub icon_custom_emoji_id: Option<String>,
}

/// A file a simulated user sends as a document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SimFile {
    /// File name shown to the bot (`document.file_name`).
    pub file_name: String,
    /// MIME type (`document.mime_type`).
    pub mime_type: String,
    /// The content, served at `GET /sim/files/{file_id}` once sent. In JSON bodies either an
    /// array of byte values or a UTF-8 string.
    #[serde(with = "file_content")]
    pub content: Vec<u8>,
}

impl SimFile {
    /// A file with the given name, type and content.
    pub fn new(
        file_name: impl Into<String>,
        mime_type: impl Into<String>,
        content: impl Into<Vec<u8>>,
    ) -> Self {
        Self {
            file_name: file_name.into(),
            mime_type: mime_type.into(),
            content: content.into(),
        }
    }
}

/// File content as an array of bytes, or (accepted on input) as a UTF-8 string.
mod file_content {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(bytes: &[u8], serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(bytes)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<u8>, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Content {
            Bytes(Vec<u8>),
            Text(String),
        }
        Ok(match Content::deserialize(deserializer)? {
            Content::Bytes(bytes) => bytes,
            Content::Text(text) => text.into_bytes(),
        })
    }
}

/// Per-bot counters.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stats {
    /// The bot.
    pub bot_id: i64,
    /// Accepted sendMessage / sendPhoto / sendDocument / sendInvoice / copyMessage calls.
    pub sent_messages: u64,
    /// Accepted editMessageText / editMessageReplyMarkup calls.
    pub edited_messages: u64,
    /// Accepted deleteMessage calls.
    pub deleted_messages: u64,
    /// Requests answered with 429.
    pub too_many_requests: u64,
    /// Accepted sends identical (method, chat, canonical params) to an earlier accepted send.
    pub duplicate_sends: u64,
    /// Calls per Bot API method (canonical spelling), including failed ones.
    pub method_calls: BTreeMap<String, u64>,
    /// Webhook requests answered 2xx.
    pub webhook_deliveries: u64,
    /// Webhook requests that failed (non-2xx or connection error).
    pub webhook_errors: u64,
    /// Updates not yet confirmed (getUpdates) or delivered (webhook).
    pub pending_updates: u64,
}

/// How the bot answered a callback query.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CallbackAnswer {
    /// Notification text, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// Whether an alert was requested instead of a notification.
    pub show_alert: bool,
    /// URL to open, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// Cache time in seconds.
    pub cache_time: i64,
}

/// A button press and, once given, the bot's answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CallbackRecord {
    /// `callback_query.id`.
    pub id: String,
    /// User who pressed.
    pub from: i64,
    /// Chat of the message.
    pub chat_id: i64,
    /// Message carrying the button.
    pub message_id: i64,
    /// `callback_data` of the button.
    pub data: String,
    /// The answer, once `answerCallbackQuery` was called.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answer: Option<CallbackAnswer>,
}

/// What else a user's message in a group may carry.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessageExtras {
    /// It replies to this message of the chat (one the bot can see).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reply_to_message_id: Option<i64>,
    /// It is forwarded from this registered channel (`forward_origin` of type `channel`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub forward_from_chat_id: Option<i64>,
}

/// Result of a simulated user message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessageSent {
    /// The update produced, or `None` when the bot does not receive it (privacy mode,
    /// `allowed_updates`).
    pub update_id: Option<i64>,
    /// The message id in the chat.
    pub message_id: i64,
}

/// Result of a simulated button press.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CallbackSent {
    /// The `callback_query` update, or `None` when filtered by `allowed_updates`.
    pub update_id: Option<i64>,
    /// `callback_query.id`, to look the answer up.
    pub callback_query_id: String,
}

/// Result of a simulated vote in a poll.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VoteSent {
    /// The `poll` update with the poll's new state, or `None` when filtered by
    /// `allowed_updates`.
    pub update_id: Option<i64>,
    /// The `Poll` object after the vote.
    pub poll: Value,
}

/// Result of following an invite link.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JoinResult {
    /// `chat_join_request` or `chat_member`.
    pub kind: String,
    /// The chat joined (or asked to join).
    pub chat_id: i64,
    /// The update for the addressed bot, or `None` if it does not receive one (e.g. it did not
    /// list `chat_member` in `allowed_updates`).
    pub update_id: Option<i64>,
}

/// What a user pays: an invoice message in a chat, or an invoice link.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum PayTarget {
    /// An invoice message the bot sent.
    Message {
        /// Chat of the invoice message.
        chat_id: i64,
        /// The invoice message.
        message_id: i64,
    },
    /// A link from `createInvoiceLink`.
    Link {
        /// The link.
        invoice_link: String,
    },
}

/// A postal address as the user enters it in the payment form (Bot API `ShippingAddress`).
/// Parts the user leaves out are empty strings, as on Telegram.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShippingAddress {
    /// Two-letter ISO 3166-1 alpha-2 country code.
    pub country_code: String,
    /// State, if applicable.
    #[serde(default)]
    pub state: String,
    /// City.
    pub city: String,
    /// First address line.
    pub street_line1: String,
    /// Second address line.
    #[serde(default)]
    pub street_line2: String,
    /// Post code.
    #[serde(default)]
    pub post_code: String,
}

/// What the user enters in the payment form (Bot API `OrderInfo`). The bot only receives the
/// fields its invoice asked for (`need_name`, `need_phone_number`, `need_email`,
/// `need_shipping_address`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderInfo {
    /// Full name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Phone number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone_number: Option<String>,
    /// Email address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Shipping address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shipping_address: Option<ShippingAddress>,
}

impl OrderInfo {
    /// A completely filled-in form: name, phone, email and an address in San Francisco.
    pub fn sample() -> Self {
        Self {
            name: Some("Jane Doe".into()),
            phone_number: Some("15555550123".into()),
            email: Some("jane.doe@example.com".into()),
            shipping_address: Some(ShippingAddress {
                country_code: "US".into(),
                state: "CA".into(),
                city: "San Francisco".into(),
                street_line1: "1 Market Street".into(),
                street_line2: "Apt 2".into(),
                post_code: "94105".into(),
            }),
        }
    }
}

/// What the user enters and chooses while paying, beyond picking the invoice.
///
/// `Default` is an empty form: paying an invoice that asks for details then fails with 400.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PayDetails {
    /// The payment form; required as far as the invoice asks for it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order_info: Option<OrderInfo>,
    /// For flexible invoices: the shipping option the user picks from the bot's answer to the
    /// `shipping_query`; the first offered option if `None`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shipping_option_id: Option<String>,
}

impl PayDetails {
    /// The form filled in with [`OrderInfo::sample`]; the first shipping option is taken.
    pub fn sample() -> Self {
        Self {
            order_info: Some(OrderInfo::sample()),
            shipping_option_id: None,
        }
    }

    /// The same details with the user picking shipping option `id`.
    pub fn with_shipping_option(mut self, id: impl Into<String>) -> Self {
        self.shipping_option_id = Some(id.into());
        self
    }
}

/// Result of starting a payment.
///
/// A flexible invoice (`is_flexible`) produces a `shipping_query` first; the
/// `pre_checkout_query` follows once the bot answered it with `ok=true`. Its id is fixed at the
/// start, so `pre_checkout_query_id` always names the payment (see [`Payment`]), but the bot
/// only learns it from that later update. Other invoices produce the `pre_checkout_query` at
/// once and have no `shipping_query_id`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PayStarted {
    /// The first update produced (`shipping_query` or `pre_checkout_query`), if delivered.
    pub update_id: Option<i64>,
    /// `shipping_query.id`, for flexible invoices.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shipping_query_id: Option<String>,
    /// `pre_checkout_query.id` (sent later for flexible invoices).
    pub pre_checkout_query_id: String,
}

/// State of a payment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "state")]
pub enum PaymentStatus {
    /// Flexible invoices: waiting for `answerShippingQuery`.
    AwaitingShipping,
    /// Waiting for `answerPreCheckoutQuery`.
    Pending,
    /// Answered ok; `successful_payment` was sent.
    Paid,
    /// The bot refused the shipping address or the checkout.
    Declined {
        /// The bot's `error_message`.
        error_message: String,
    },
    /// Not answered in time, or the user's shipping option was not offered.
    Failed {
        /// Why.
        reason: String,
    },
    /// Refunded with `refundStarPayment`.
    Refunded,
}

/// A payment attempt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Payment {
    /// `pre_checkout_query.id`; identifies the payment from the start (see [`PayStarted`]).
    pub pre_checkout_query_id: String,
    /// `shipping_query.id`, for flexible invoices.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shipping_query_id: Option<String>,
    /// Paying user.
    pub user_id: i64,
    /// Chat the `successful_payment` message goes to.
    pub chat_id: i64,
    /// Currency (`XTR` for Stars).
    pub currency: String,
    /// Amount in the smallest units: the invoice total, plus the chosen shipping option's
    /// prices once one is chosen.
    pub total_amount: i64,
    /// The bot's payload.
    pub invoice_payload: String,
    /// The shipping option chosen from the bot's answer (flexible invoices).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shipping_option_id: Option<String>,
    /// The `order_info` the bot receives: only the fields the invoice asked for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order_info: Option<OrderInfo>,
    /// Where it stands.
    pub status: PaymentStatus,
    /// Set once paid.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub telegram_payment_charge_id: Option<String>,
}

/// A bot as listed by `GET /sim/bots`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BotSummary {
    /// Bot id (the digits of the token).
    pub id: i64,
    /// `sim_<id>_bot`.
    pub username: String,
    /// Whether a token has been seen (the bot called the API).
    pub has_token: bool,
    /// Webhook URL, empty when polling.
    pub webhook_url: String,
    /// Pending updates.
    pub pending_update_count: u64,
    /// Last webhook error, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_error_message: Option<String>,
}

/// A registered group with its members, as listed by `GET /sim/chats`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChatInfo {
    /// The chat.
    #[serde(flatten)]
    pub chat: SimChat,
    /// Member id → status.
    pub members: BTreeMap<i64, MemberStatus>,
}
