//! Bot API methods: one request struct per method, the [`Method`] trait that
//! ties each to its name and result type, and [`ALL_METHOD_NAMES`].
//!
//! Optional parameters are skipped when `None`, so a request serializes to
//! exactly the parameters that were set.

use std::time::Duration;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use crate::types::{
    BotCommand, BotCommandScope, ChatInviteLink, ChatMember, ChatPermissions, ChatTarget,
    ForumTopic, InlineKeyboardMarkup, LabeledPrice, LinkPreviewOptions, MenuButton, Message,
    MessageEntity, MessageId, PollType, ReplyMarkup, ReplyParameters, ShippingOption, User,
    WebhookInfo,
};

/// HTTP timeout of a request unless the method needs longer.
pub const DEFAULT_HTTP_TIMEOUT: Duration = Duration::from_secs(30);

/// Margin added to a long poll's `timeout` so the HTTP request outlives it.
const LONG_POLL_MARGIN: Duration = Duration::from_secs(10);

/// A Bot API method: the request parameters, its name and its result type.
pub trait Method: Serialize + Send + Sync {
    /// Exact Bot API method name, e.g. `"sendMessage"`.
    const NAME: &'static str;
    /// The `result` of a successful response.
    type Response: DeserializeOwned + Send;

    /// How long to wait for the HTTP response.
    fn http_timeout(&self) -> Duration {
        DEFAULT_HTTP_TIMEOUT
    }

    /// A file this request uploads, with the parameter it goes in: such a request is sent
    /// as `multipart/form-data` (JSON cannot carry a file).
    fn upload(&self) -> Option<(&'static str, &InputFile)> {
        None
    }
}

/// A file uploaded with a request: its bytes, the name the recipient sees and its type.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct InputFile {
    /// The name shown to the recipient, e.g. `export.json`.
    pub file_name: String,
    /// The MIME type, e.g. `application/json`.
    pub mime_type: String,
    /// The content.
    pub bytes: Vec<u8>,
}

/// Implements [`Method`] for each request type (with optional extra items for
/// the impl) and lists every name in [`ALL_METHOD_NAMES`], so the list cannot
/// drift from the implementations.
macro_rules! methods {
    ($($ty:ident => $name:literal -> $resp:ty $({ $($extra:tt)* })?;)*) => {
        $(impl Method for $ty {
            const NAME: &'static str = $name;
            type Response = $resp;
            $($($extra)*)?
        })*

        /// Every method this client can send, by Bot API name.
        pub const ALL_METHOD_NAMES: &[&str] = &[$($name),*];
    };
}

methods! {
    GetMe => "getMe" -> User;
    // Updates stay raw so that one update this crate cannot parse does not
    // fail the whole batch (and wedge the poller on it); see `peek_update`.
    GetUpdates => "getUpdates" -> Vec<Box<RawValue>> {
        fn http_timeout(&self) -> Duration {
            Duration::from_secs(self.timeout.unwrap_or(0).into()) + LONG_POLL_MARGIN
        }
    };
    SetWebhook => "setWebhook" -> bool;
    DeleteWebhook => "deleteWebhook" -> bool;
    GetWebhookInfo => "getWebhookInfo" -> WebhookInfo;
    SendMessage => "sendMessage" -> Message;
    EditMessageText => "editMessageText" -> MessageOrTrue;
    EditMessageReplyMarkup => "editMessageReplyMarkup" -> MessageOrTrue;
    DeleteMessage => "deleteMessage" -> bool;
    AnswerCallbackQuery => "answerCallbackQuery" -> bool;
    SetMyCommands => "setMyCommands" -> bool;
    SetChatMenuButton => "setChatMenuButton" -> bool;
    SendPhoto => "sendPhoto" -> Message;
    SendPoll => "sendPoll" -> Message;
    SendDocument => "sendDocument" -> Message {
        fn upload(&self) -> Option<(&'static str, &InputFile)> {
            Some(("document", &self.document))
        }
    };
    CopyMessage => "copyMessage" -> MessageId;
    CreateForumTopic => "createForumTopic" -> ForumTopic;
    CreateChatInviteLink => "createChatInviteLink" -> ChatInviteLink;
    ApproveChatJoinRequest => "approveChatJoinRequest" -> bool;
    DeclineChatJoinRequest => "declineChatJoinRequest" -> bool;
    GetChatMember => "getChatMember" -> ChatMember;
    BanChatMember => "banChatMember" -> bool;
    UnbanChatMember => "unbanChatMember" -> bool;
    RestrictChatMember => "restrictChatMember" -> bool;
    SendInvoice => "sendInvoice" -> Message;
    CreateInvoiceLink => "createInvoiceLink" -> String;
    AnswerShippingQuery => "answerShippingQuery" -> bool;
    AnswerPreCheckoutQuery => "answerPreCheckoutQuery" -> bool;
    RefundStarPayment => "refundStarPayment" -> bool;
}

/// How Telegram parses formatting in a text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ParseMode {
    /// HTML subset: `<b>`, `<i>`, `<a href>`, `<code>`, ...
    #[serde(rename = "HTML")]
    Html,
    /// MarkdownV2; reserved characters must be escaped.
    MarkdownV2,
}

/// Result of edit methods: the edited message, or `true` for inline messages.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum MessageOrTrue {
    /// The edited message.
    Message(Box<Message>),
    /// An inline message was edited (always `true`).
    True(bool),
}

/// `getMe`: the bot's own user.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct GetMe {}

/// `getUpdates`: long-poll for updates.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct GetUpdates {
    /// First update to return; confirms every update below it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub offset: Option<i64>,
    /// Maximum number of updates, 1-100.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
    /// Long-poll timeout in seconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timeout: Option<u32>,
    /// Update kinds to receive; `chat_member` must be listed explicitly.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allowed_updates: Option<Vec<String>>,
}

/// `setWebhook`: deliver updates to an HTTPS URL.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SetWebhook {
    /// HTTPS URL; empty to remove the webhook.
    pub url: String,
    /// Fixed IP address to use instead of DNS.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ip_address: Option<String>,
    /// Maximum simultaneous connections, 1-100.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_connections: Option<u32>,
    /// Update kinds to receive.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allowed_updates: Option<Vec<String>>,
    /// Drop all pending updates.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub drop_pending_updates: Option<bool>,
    /// Sent back in the `X-Telegram-Bot-Api-Secret-Token` header.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret_token: Option<String>,
}

impl SetWebhook {
    /// A webhook at `url` with default settings.
    pub fn new(url: impl Into<String>) -> Self {
        Self {
            url: url.into(),
            ip_address: None,
            max_connections: None,
            allowed_updates: None,
            drop_pending_updates: None,
            secret_token: None,
        }
    }
}

/// `deleteWebhook`: switch back to `getUpdates`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct DeleteWebhook {
    /// Drop all pending updates.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub drop_pending_updates: Option<bool>,
}

/// `getWebhookInfo`: the current webhook status.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct GetWebhookInfo {}

/// `sendMessage`: send a text message.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SendMessage {
    /// Target chat.
    pub chat_id: ChatTarget,
    /// Forum topic.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message_thread_id: Option<i64>,
    /// Text, 1-4096 characters after entity parsing.
    pub text: String,
    /// Formatting of `text`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parse_mode: Option<ParseMode>,
    /// Explicit entities, instead of `parse_mode`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entities: Option<Vec<MessageEntity>>,
    /// Link preview settings.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub link_preview_options: Option<LinkPreviewOptions>,
    /// Send silently.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub disable_notification: Option<bool>,
    /// Forbid forwarding and saving.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub protect_content: Option<bool>,
    /// Exceed broadcast limits for a fee in Stars.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allow_paid_broadcast: Option<bool>,
    /// Message to reply to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reply_parameters: Option<ReplyParameters>,
    /// Keyboard or reply request.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reply_markup: Option<ReplyMarkup>,
}

impl SendMessage {
    /// A plain text message.
    pub fn new(chat_id: impl Into<ChatTarget>, text: impl Into<String>) -> Self {
        Self {
            chat_id: chat_id.into(),
            message_thread_id: None,
            text: text.into(),
            parse_mode: None,
            entities: None,
            link_preview_options: None,
            disable_notification: None,
            protect_content: None,
            allow_paid_broadcast: None,
            reply_parameters: None,
            reply_markup: None,
        }
    }
}

/// `editMessageText`: replace the text of a message sent by the bot.
///
/// Set either `chat_id` and `message_id`, or `inline_message_id`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EditMessageText {
    /// Chat of the message.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub chat_id: Option<ChatTarget>,
    /// The message.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message_id: Option<i64>,
    /// The inline-mode message.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub inline_message_id: Option<String>,
    /// New text.
    pub text: String,
    /// Formatting of `text`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parse_mode: Option<ParseMode>,
    /// Explicit entities, instead of `parse_mode`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entities: Option<Vec<MessageEntity>>,
    /// Link preview settings.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub link_preview_options: Option<LinkPreviewOptions>,
    /// New inline keyboard; omitted removes it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reply_markup: Option<InlineKeyboardMarkup>,
}

impl EditMessageText {
    /// Edit message `message_id` in `chat_id`.
    pub fn new(chat_id: impl Into<ChatTarget>, message_id: i64, text: impl Into<String>) -> Self {
        Self {
            chat_id: Some(chat_id.into()),
            message_id: Some(message_id),
            inline_message_id: None,
            text: text.into(),
            parse_mode: None,
            entities: None,
            link_preview_options: None,
            reply_markup: None,
        }
    }
}

/// `editMessageReplyMarkup`: replace the inline keyboard of a message.
///
/// Set either `chat_id` and `message_id`, or `inline_message_id`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct EditMessageReplyMarkup {
    /// Chat of the message.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub chat_id: Option<ChatTarget>,
    /// The message.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message_id: Option<i64>,
    /// The inline-mode message.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub inline_message_id: Option<String>,
    /// New inline keyboard; `None` removes it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reply_markup: Option<InlineKeyboardMarkup>,
}

/// `deleteMessage`: delete a message (bots: within 48 hours, with limits).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeleteMessage {
    /// Chat of the message.
    pub chat_id: ChatTarget,
    /// The message.
    pub message_id: i64,
}

/// `answerCallbackQuery`: stop the button's loading state, optionally with a notice.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AnswerCallbackQuery {
    /// The query.
    pub callback_query_id: String,
    /// Notification text, 0-200 characters.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// Show an alert instead of a toast.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub show_alert: Option<bool>,
    /// URL to open (games, `t.me/bot?start=` links).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// Seconds the client may cache the answer.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cache_time: Option<u32>,
}

impl AnswerCallbackQuery {
    /// A silent answer.
    pub fn new(callback_query_id: impl Into<String>) -> Self {
        Self {
            callback_query_id: callback_query_id.into(),
            text: None,
            show_alert: None,
            url: None,
            cache_time: None,
        }
    }
}

/// `setMyCommands`: set the command list for a scope and language.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SetMyCommands {
    /// Commands, at most 100.
    pub commands: Vec<BotCommand>,
    /// Scope; default scope if omitted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scope: Option<BotCommandScope>,
    /// Two-letter language code; all languages if omitted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub language_code: Option<String>,
}

/// `setChatMenuButton`: set the menu button of a private chat or the default.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct SetChatMenuButton {
    /// Private chat; the default button if omitted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub chat_id: Option<i64>,
    /// The button; `MenuButton::Default` if omitted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub menu_button: Option<MenuButton>,
}

/// One answer of a poll to send (`InputPollOption`; option media are not supported).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InputPollOption {
    /// Option text, 1-100 characters.
    pub text: String,
    /// Formatting of `text` (only custom emoji entities are allowed).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text_parse_mode: Option<ParseMode>,
    /// Explicit entities of `text`, instead of `text_parse_mode`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text_entities: Option<Vec<MessageEntity>>,
}

impl InputPollOption {
    /// A plain option.
    pub fn new(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            text_parse_mode: None,
            text_entities: None,
        }
    }
}

/// `sendPoll`: send a native poll; the sent message carries it, with its `id`. Media of the
/// description, explanation and options are not supported.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SendPoll {
    /// Target chat (not a channel's direct messages chat).
    pub chat_id: ChatTarget,
    /// Forum topic.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message_thread_id: Option<i64>,
    /// Question, 1-300 characters.
    pub question: String,
    /// Formatting of `question` (only custom emoji entities are allowed).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub question_parse_mode: Option<ParseMode>,
    /// Explicit entities of `question`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub question_entities: Option<Vec<MessageEntity>>,
    /// 1-12 answer options.
    pub options: Vec<InputPollOption>,
    /// Anonymous poll; Telegram's default is true.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub is_anonymous: Option<bool>,
    /// `regular` (default) or `quiz`.
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<PollType>,
    /// Several answers may be chosen (default false).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allows_multiple_answers: Option<bool>,
    /// Answers may be changed (default true for regular polls, false for quizzes).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allows_revoting: Option<bool>,
    /// Show the options in random order.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shuffle_options: Option<bool>,
    /// Voters may add options (not for anonymous polls and quizzes).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allow_adding_options: Option<bool>,
    /// Results are shown only once the poll closes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hide_results_until_closes: Option<bool>,
    /// Channels: only members of more than 24 hours may vote.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub members_only: Option<bool>,
    /// Channels: 0-12 ISO 3166-1 alpha-2 codes of the countries users may vote from.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub country_codes: Option<Vec<String>>,
    /// Quiz: the correct options, 0-based, increasing.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub correct_option_ids: Option<Vec<i64>>,
    /// Quiz: shown after a wrong answer, 0-200 characters.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub explanation: Option<String>,
    /// Formatting of `explanation`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub explanation_parse_mode: Option<ParseMode>,
    /// Explicit entities of `explanation`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub explanation_entities: Option<Vec<MessageEntity>>,
    /// Seconds the poll stays open, 5-2628000 (not with `close_date`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub open_period: Option<i64>,
    /// Unix time the poll closes, 5-2628000 seconds ahead (not with `open_period`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub close_date: Option<i64>,
    /// Send the poll closed (a preview).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub is_closed: Option<bool>,
    /// Description, 0-1024 characters after entity parsing.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Formatting of `description`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description_parse_mode: Option<ParseMode>,
    /// Explicit entities of `description`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description_entities: Option<Vec<MessageEntity>>,
    /// Send silently.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub disable_notification: Option<bool>,
    /// Forbid forwarding and saving.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub protect_content: Option<bool>,
    /// Exceed broadcast limits for a fee in Stars.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allow_paid_broadcast: Option<bool>,
    /// Message effect (private chats only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message_effect_id: Option<String>,
    /// Message to reply to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reply_parameters: Option<ReplyParameters>,
    /// Keyboard or reply request.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reply_markup: Option<ReplyMarkup>,
}

impl SendPoll {
    /// A regular poll with Telegram's defaults (anonymous, one answer).
    pub fn new(
        chat_id: impl Into<ChatTarget>,
        question: impl Into<String>,
        options: Vec<InputPollOption>,
    ) -> Self {
        Self {
            chat_id: chat_id.into(),
            message_thread_id: None,
            question: question.into(),
            question_parse_mode: None,
            question_entities: None,
            options,
            is_anonymous: None,
            kind: None,
            allows_multiple_answers: None,
            allows_revoting: None,
            shuffle_options: None,
            allow_adding_options: None,
            hide_results_until_closes: None,
            members_only: None,
            country_codes: None,
            correct_option_ids: None,
            explanation: None,
            explanation_parse_mode: None,
            explanation_entities: None,
            open_period: None,
            close_date: None,
            is_closed: None,
            description: None,
            description_parse_mode: None,
            description_entities: None,
            disable_notification: None,
            protect_content: None,
            allow_paid_broadcast: None,
            message_effect_id: None,
            reply_parameters: None,
            reply_markup: None,
        }
    }
}

/// `sendPhoto`: send a photo by URL or `file_id` (uploads are not supported).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SendPhoto {
    /// Target chat.
    pub chat_id: ChatTarget,
    /// Forum topic.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message_thread_id: Option<i64>,
    /// HTTP URL or `file_id` of the photo.
    pub photo: String,
    /// Caption, 0-1024 characters after entity parsing.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub caption: Option<String>,
    /// Formatting of `caption`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parse_mode: Option<ParseMode>,
    /// Explicit caption entities, instead of `parse_mode`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub caption_entities: Option<Vec<MessageEntity>>,
    /// Show the caption above the photo.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub show_caption_above_media: Option<bool>,
    /// Cover the photo with a spoiler animation.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub has_spoiler: Option<bool>,
    /// Send silently.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub disable_notification: Option<bool>,
    /// Forbid forwarding and saving.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub protect_content: Option<bool>,
    /// Exceed broadcast limits for a fee in Stars.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allow_paid_broadcast: Option<bool>,
    /// Message to reply to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reply_parameters: Option<ReplyParameters>,
    /// Keyboard or reply request.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reply_markup: Option<ReplyMarkup>,
}

impl SendPhoto {
    /// A photo without caption.
    pub fn new(chat_id: impl Into<ChatTarget>, photo: impl Into<String>) -> Self {
        Self {
            chat_id: chat_id.into(),
            message_thread_id: None,
            photo: photo.into(),
            caption: None,
            parse_mode: None,
            caption_entities: None,
            show_caption_above_media: None,
            has_spoiler: None,
            disable_notification: None,
            protect_content: None,
            allow_paid_broadcast: None,
            reply_parameters: None,
            reply_markup: None,
        }
    }
}

/// `sendDocument`: send a file the bot uploads (a generated export, say), with a caption.
/// Sent as `multipart/form-data`; every other parameter goes as a form field.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SendDocument {
    /// Target chat.
    pub chat_id: ChatTarget,
    /// Forum topic.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message_thread_id: Option<i64>,
    /// The file, uploaded as the `document` part of the form.
    #[serde(skip)]
    pub document: InputFile,
    /// Caption, 0-1024 characters after entity parsing.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub caption: Option<String>,
    /// Formatting of `caption`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parse_mode: Option<ParseMode>,
    /// Send silently.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub disable_notification: Option<bool>,
    /// Forbid forwarding and saving.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub protect_content: Option<bool>,
    /// Keyboard or reply request.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reply_markup: Option<ReplyMarkup>,
}

impl SendDocument {
    /// A file without caption.
    pub fn new(chat_id: impl Into<ChatTarget>, document: InputFile) -> Self {
        Self {
            chat_id: chat_id.into(),
            message_thread_id: None,
            document,
            caption: None,
            parse_mode: None,
            disable_notification: None,
            protect_content: None,
            reply_markup: None,
        }
    }
}

/// `copyMessage`: send a copy of a message (text, photo, document, ...) without a link to the
/// original, e.g. to relay a customer's message into a staff forum topic. Service and invoice
/// messages cannot be copied.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CopyMessage {
    /// Target chat.
    pub chat_id: ChatTarget,
    /// Forum topic in the target chat.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message_thread_id: Option<i64>,
    /// Chat of the original message.
    pub from_chat_id: ChatTarget,
    /// The original message, in `from_chat_id`.
    pub message_id: i64,
    /// New caption for media, 0-1024 characters after entity parsing; the original caption
    /// is kept if omitted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub caption: Option<String>,
    /// Formatting of the new `caption`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parse_mode: Option<ParseMode>,
    /// Explicit entities of the new caption, instead of `parse_mode`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub caption_entities: Option<Vec<MessageEntity>>,
    /// Show the new caption above the media.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub show_caption_above_media: Option<bool>,
    /// Send silently.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub disable_notification: Option<bool>,
    /// Forbid forwarding and saving.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub protect_content: Option<bool>,
    /// Exceed broadcast limits for a fee in Stars.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allow_paid_broadcast: Option<bool>,
    /// Message to reply to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reply_parameters: Option<ReplyParameters>,
    /// Keyboard or reply request.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reply_markup: Option<ReplyMarkup>,
}

impl CopyMessage {
    /// Copy message `message_id` of `from_chat_id` to `chat_id`, keeping its caption.
    pub fn new(
        chat_id: impl Into<ChatTarget>,
        from_chat_id: impl Into<ChatTarget>,
        message_id: i64,
    ) -> Self {
        Self {
            chat_id: chat_id.into(),
            message_thread_id: None,
            from_chat_id: from_chat_id.into(),
            message_id,
            caption: None,
            parse_mode: None,
            caption_entities: None,
            show_caption_above_media: None,
            disable_notification: None,
            protect_content: None,
            allow_paid_broadcast: None,
            reply_parameters: None,
            reply_markup: None,
        }
    }
}

/// `createForumTopic`: open a topic in a forum supergroup (the bot must be an administrator
/// with `can_manage_topics`). The result's `message_thread_id` addresses the topic.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CreateForumTopic {
    /// The forum supergroup.
    pub chat_id: ChatTarget,
    /// Topic name, 1-128 characters.
    pub name: String,
    /// Icon color in RGB: one of 0x6FB9F0, 0xFFD67E, 0xCB86DB, 0x8EEE98, 0xFF93B2, 0xFB6F5F.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub icon_color: Option<i64>,
    /// Custom emoji shown as the topic icon (see `getForumTopicIconStickers`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub icon_custom_emoji_id: Option<String>,
}

impl CreateForumTopic {
    /// A topic named `name` with the default icon.
    pub fn new(chat_id: impl Into<ChatTarget>, name: impl Into<String>) -> Self {
        Self {
            chat_id: chat_id.into(),
            name: name.into(),
            icon_color: None,
            icon_custom_emoji_id: None,
        }
    }
}

/// `createChatInviteLink`: an additional invite link (the bot must be an admin).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CreateChatInviteLink {
    /// The chat.
    pub chat_id: ChatTarget,
    /// Link name, 0-32 characters.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Unix time the link expires.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expire_date: Option<i64>,
    /// Maximum members joining via the link, 1-99999; not with join requests.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub member_limit: Option<u32>,
    /// Joining needs an admin's approval (`chat_join_request` updates).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub creates_join_request: Option<bool>,
}

impl CreateChatInviteLink {
    /// An unnamed, unlimited link.
    pub fn new(chat_id: impl Into<ChatTarget>) -> Self {
        Self {
            chat_id: chat_id.into(),
            name: None,
            expire_date: None,
            member_limit: None,
            creates_join_request: None,
        }
    }
}

/// `approveChatJoinRequest`: let the user in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ApproveChatJoinRequest {
    /// The chat.
    pub chat_id: ChatTarget,
    /// The requesting user.
    pub user_id: i64,
}

/// `declineChatJoinRequest`: refuse the user.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeclineChatJoinRequest {
    /// The chat.
    pub chat_id: ChatTarget,
    /// The requesting user.
    pub user_id: i64,
}

/// `getChatMember`: a user's membership in a chat.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GetChatMember {
    /// The chat.
    pub chat_id: ChatTarget,
    /// The user.
    pub user_id: i64,
}

/// `banChatMember`: remove a user and keep them out until unbanned.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BanChatMember {
    /// The chat.
    pub chat_id: ChatTarget,
    /// The user.
    pub user_id: i64,
    /// Unix time the ban ends; forever if omitted or out of range.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub until_date: Option<i64>,
    /// Delete all the user's messages in the chat.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revoke_messages: Option<bool>,
}

/// `unbanChatMember`: let a banned user join again (they are not added back).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UnbanChatMember {
    /// The chat.
    pub chat_id: ChatTarget,
    /// The user.
    pub user_id: i64,
    /// Do nothing if the user is not banned (else a member is removed).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub only_if_banned: Option<bool>,
}

/// `restrictChatMember`: change what a supergroup member may do.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RestrictChatMember {
    /// The supergroup.
    pub chat_id: ChatTarget,
    /// The user.
    pub user_id: i64,
    /// The new permissions.
    pub permissions: ChatPermissions,
    /// Apply each permission on its own instead of implying related ones.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub use_independent_chat_permissions: Option<bool>,
    /// Unix time the restriction ends; forever if omitted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub until_date: Option<i64>,
}

/// Invoice parameters shared by [`SendInvoice`] and [`CreateInvoiceLink`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InvoiceParams {
    /// Product name, 1-32 characters.
    pub title: String,
    /// Product description, 1-255 characters.
    pub description: String,
    /// Bot-defined payload, 1-128 bytes; not shown to the user.
    pub payload: String,
    /// Payment provider token; omit for Telegram Stars.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub provider_token: Option<String>,
    /// ISO 4217 currency, or `XTR` for Telegram Stars.
    pub currency: String,
    /// Price items (exactly one for Stars).
    pub prices: Vec<LabeledPrice>,
    /// Maximum tip in the currency's smallest unit (not for Stars).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_tip_amount: Option<i64>,
    /// Suggested tips, at most 4, increasing.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suggested_tip_amounts: Option<Vec<i64>>,
    /// JSON data for the payment provider.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub provider_data: Option<String>,
    /// Product photo URL.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub photo_url: Option<String>,
    /// Photo size in bytes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub photo_size: Option<u32>,
    /// Photo width.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub photo_width: Option<u32>,
    /// Photo height.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub photo_height: Option<u32>,
    /// Ask for the full name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub need_name: Option<bool>,
    /// Ask for the phone number.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub need_phone_number: Option<bool>,
    /// Ask for the email.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub need_email: Option<bool>,
    /// Ask for the shipping address.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub need_shipping_address: Option<bool>,
    /// Pass the phone number to the provider.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub send_phone_number_to_provider: Option<bool>,
    /// Pass the email to the provider.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub send_email_to_provider: Option<bool>,
    /// Final price depends on the shipping method (`shipping_query` updates).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub is_flexible: Option<bool>,
}

impl InvoiceParams {
    /// An invoice for `amount` Telegram Stars with a single price item.
    pub fn stars(
        title: impl Into<String>,
        description: impl Into<String>,
        payload: impl Into<String>,
        amount: i64,
    ) -> Self {
        let title = title.into();
        Self {
            prices: vec![LabeledPrice {
                label: title.clone(),
                amount,
            }],
            title,
            description: description.into(),
            payload: payload.into(),
            provider_token: None,
            currency: "XTR".to_owned(),
            max_tip_amount: None,
            suggested_tip_amounts: None,
            provider_data: None,
            photo_url: None,
            photo_size: None,
            photo_width: None,
            photo_height: None,
            need_name: None,
            need_phone_number: None,
            need_email: None,
            need_shipping_address: None,
            send_phone_number_to_provider: None,
            send_email_to_provider: None,
            is_flexible: None,
        }
    }
}

/// `sendInvoice`: send an invoice message.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SendInvoice {
    /// Target chat.
    pub chat_id: ChatTarget,
    /// Forum topic.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message_thread_id: Option<i64>,
    /// The invoice.
    #[serde(flatten)]
    pub invoice: InvoiceParams,
    /// Deep-link parameter for forwarded copies of the invoice.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start_parameter: Option<String>,
    /// Send silently.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub disable_notification: Option<bool>,
    /// Forbid forwarding and saving.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub protect_content: Option<bool>,
    /// Exceed broadcast limits for a fee in Stars.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allow_paid_broadcast: Option<bool>,
    /// Message to reply to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reply_parameters: Option<ReplyParameters>,
    /// Inline keyboard; its first button must be a pay button.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reply_markup: Option<InlineKeyboardMarkup>,
}

impl SendInvoice {
    /// Send `invoice` to `chat_id`.
    pub fn new(chat_id: impl Into<ChatTarget>, invoice: InvoiceParams) -> Self {
        Self {
            chat_id: chat_id.into(),
            message_thread_id: None,
            invoice,
            start_parameter: None,
            disable_notification: None,
            protect_content: None,
            allow_paid_broadcast: None,
            reply_parameters: None,
            reply_markup: None,
        }
    }
}

/// `createInvoiceLink`: a payment link for an invoice.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CreateInvoiceLink {
    /// The invoice.
    #[serde(flatten)]
    pub invoice: InvoiceParams,
    /// Stars subscriptions: billing period in seconds (must be 2592000).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subscription_period: Option<u32>,
}

/// `answerShippingQuery`: offer shipping options for the address in a
/// `shipping_query` (flexible invoices), or refuse to ship there.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AnswerShippingQuery {
    /// The query.
    pub shipping_query_id: String,
    /// Whether delivery to the address is possible.
    pub ok: bool,
    /// The options to choose from; required when `ok` is true.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shipping_options: Option<Vec<ShippingOption>>,
    /// Reason shown to the user; required when `ok` is false.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_message: Option<String>,
}

impl AnswerShippingQuery {
    /// Delivery is possible with these options (at least one).
    pub fn accept(shipping_query_id: impl Into<String>, options: Vec<ShippingOption>) -> Self {
        Self {
            shipping_query_id: shipping_query_id.into(),
            ok: true,
            shipping_options: Some(options),
            error_message: None,
        }
    }

    /// Delivery to the address is not possible, with a reason for the user.
    pub fn reject(shipping_query_id: impl Into<String>, reason: impl Into<String>) -> Self {
        Self {
            shipping_query_id: shipping_query_id.into(),
            ok: false,
            shipping_options: None,
            error_message: Some(reason.into()),
        }
    }
}

/// `answerPreCheckoutQuery`: confirm or refuse a checkout within 10 seconds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AnswerPreCheckoutQuery {
    /// The query.
    pub pre_checkout_query_id: String,
    /// Whether the order can proceed.
    pub ok: bool,
    /// Reason shown to the user; required when `ok` is false.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_message: Option<String>,
}

impl AnswerPreCheckoutQuery {
    /// Let the checkout proceed.
    pub fn accept(pre_checkout_query_id: impl Into<String>) -> Self {
        Self {
            pre_checkout_query_id: pre_checkout_query_id.into(),
            ok: true,
            error_message: None,
        }
    }

    /// Refuse the checkout with a reason for the user.
    pub fn reject(pre_checkout_query_id: impl Into<String>, reason: impl Into<String>) -> Self {
        Self {
            pre_checkout_query_id: pre_checkout_query_id.into(),
            ok: false,
            error_message: Some(reason.into()),
        }
    }
}

/// `refundStarPayment`: refund a Telegram Stars payment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RefundStarPayment {
    /// The payer.
    pub user_id: i64,
    /// `SuccessfulPayment::telegram_payment_charge_id`.
    pub telegram_payment_charge_id: String,
}
