//! Bot API object types: what the bot receives in updates and the objects it
//! sends inside requests.
//!
//! Parsing is lenient on purpose: unknown fields are ignored, unknown update
//! kinds are kept in [`Update::other`], and string enums fall back to `Other`.
//! Every type also serializes back to Telegram's shape (absent options are
//! skipped), so the simulator can produce the same JSON Telegram would.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// Defines a string-backed enum whose unknown values land in `Other(String)`,
/// so a new value from Telegram never fails a parse.
macro_rules! string_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $s:literal,)* }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(from = "String", into = "String")]
        pub enum $name {
            $($(#[$vmeta])* $variant,)*
            /// A value this crate does not know (yet).
            Other(String),
        }

        impl $name {
            /// The wire value.
            pub fn as_str(&self) -> &str {
                match self {
                    $(Self::$variant => $s,)*
                    Self::Other(s) => s,
                }
            }
        }

        impl From<String> for $name {
            fn from(s: String) -> Self {
                match s.as_str() {
                    $($s => Self::$variant,)*
                    _ => Self::Other(s),
                }
            }
        }

        impl From<$name> for String {
            fn from(v: $name) -> String {
                match v {
                    $name::Other(s) => s,
                    known => known.as_str().to_owned(),
                }
            }
        }
    };
}

/// One incoming update. Exactly one of the optional fields is normally set;
/// kinds this crate does not model are kept raw in [`Update::other`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Update {
    /// Update identifier; not guaranteed to be monotonic over long gaps.
    pub update_id: i64,
    /// New incoming message of any kind.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<Message>,
    /// New version of a message that is known to the bot and was edited.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub edited_message: Option<Message>,
    /// New incoming channel post.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub channel_post: Option<Message>,
    /// New version of an edited channel post.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub edited_channel_post: Option<Message>,
    /// Inline keyboard button press.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub callback_query: Option<CallbackQuery>,
    /// The bot's own membership changed (in private chats: blocked/unblocked).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub my_chat_member: Option<ChatMemberUpdated>,
    /// Another member's status changed (only if requested in `allowed_updates`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub chat_member: Option<ChatMemberUpdated>,
    /// Request to join a chat the bot administers.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub chat_join_request: Option<ChatJoinRequest>,
    /// Checkout about to happen; must be answered within 10 seconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pre_checkout_query: Option<PreCheckoutQuery>,
    /// Shipping query for flexible-price invoices.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shipping_query: Option<ShippingQuery>,
    /// New state of a poll the bot sent (or of one stopped manually); no chat.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub poll: Option<Poll>,
    /// Every other top-level field, e.g. update kinds this crate does not model.
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

impl Update {
    /// The kind of this update: `"message"`, `"callback_query"`, ..., or the
    /// key of an unmodelled kind (`"unknown"` if there is none at all).
    pub fn kind_name(&self) -> &str {
        let known = [
            ("message", self.message.is_some()),
            ("edited_message", self.edited_message.is_some()),
            ("channel_post", self.channel_post.is_some()),
            ("edited_channel_post", self.edited_channel_post.is_some()),
            ("callback_query", self.callback_query.is_some()),
            ("my_chat_member", self.my_chat_member.is_some()),
            ("chat_member", self.chat_member.is_some()),
            ("chat_join_request", self.chat_join_request.is_some()),
            ("pre_checkout_query", self.pre_checkout_query.is_some()),
            ("shipping_query", self.shipping_query.is_some()),
            ("poll", self.poll.is_some()),
        ];
        known
            .iter()
            .find(|(_, present)| *present)
            .map(|(name, _)| *name)
            .or_else(|| self.other.keys().next().map(String::as_str))
            .unwrap_or("unknown")
    }

    /// The message carried by a message-like update (new or edited, chat or channel).
    pub fn any_message(&self) -> Option<&Message> {
        self.message
            .as_ref()
            .or(self.edited_message.as_ref())
            .or(self.channel_post.as_ref())
            .or(self.edited_channel_post.as_ref())
    }

    /// The chat whose processing order this update belongs to.
    ///
    /// Callback queries without a message (inline messages) and payment
    /// queries map to the user's private chat, whose id is the user id.
    /// Unmodelled kinds are looked up by their `chat.id`, then `from.id`.
    pub fn chat_id(&self) -> Option<i64> {
        if let Some(m) = self.any_message() {
            return Some(m.chat.id);
        }
        if let Some(q) = &self.callback_query {
            return Some(q.message.as_ref().map_or(q.from.id, |m| m.chat.id));
        }
        if let Some(c) = self.my_chat_member.as_ref().or(self.chat_member.as_ref()) {
            return Some(c.chat.id);
        }
        if let Some(r) = &self.chat_join_request {
            return Some(r.chat.id);
        }
        if let Some(q) = &self.pre_checkout_query {
            return Some(q.from.id);
        }
        if let Some(q) = &self.shipping_query {
            return Some(q.from.id);
        }
        self.other.values().find_map(|v| {
            v.pointer("/chat/id")
                .or_else(|| v.pointer("/from/id"))
                .and_then(Value::as_i64)
        })
    }

    /// The user who caused this update, if the update kind has one.
    pub fn from(&self) -> Option<&User> {
        if let Some(m) = self.any_message() {
            return m.from.as_ref();
        }
        self.callback_query
            .as_ref()
            .map(|q| &q.from)
            .or(self.my_chat_member.as_ref().map(|c| &c.from))
            .or(self.chat_member.as_ref().map(|c| &c.from))
            .or(self.chat_join_request.as_ref().map(|r| &r.from))
            .or(self.pre_checkout_query.as_ref().map(|q| &q.from))
            .or(self.shipping_query.as_ref().map(|q| &q.from))
    }
}

/// What the intake needs before storing a raw update.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UpdateHead {
    /// The update's `update_id`.
    pub update_id: i64,
    /// See [`Update::chat_id`]; `None` if unknown or the update did not fully parse.
    pub chat_id: Option<i64>,
}

/// Extracts `update_id` and the ordering chat from a raw update.
///
/// An update that has an `update_id` but does not parse as [`Update`] still
/// yields a head (with no chat), so the intake can store and acknowledge it
/// instead of receiving it again forever.
pub fn peek_update(raw: &[u8]) -> Result<UpdateHead, serde_json::Error> {
    #[derive(Deserialize)]
    struct IdOnly {
        update_id: i64,
    }
    match serde_json::from_slice::<Update>(raw) {
        Ok(u) => Ok(UpdateHead {
            update_id: u.update_id,
            chat_id: u.chat_id(),
        }),
        Err(_) => serde_json::from_slice::<IdOnly>(raw).map(|h| UpdateHead {
            update_id: h.update_id,
            chat_id: None,
        }),
    }
}

/// A Telegram user or bot.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct User {
    /// User id; equals the id of the private chat with the bot.
    pub id: i64,
    /// True if this user is a bot.
    pub is_bot: bool,
    /// First name.
    pub first_name: String,
    /// Last name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_name: Option<String>,
    /// Username, without `@`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    /// IETF language tag of the user's client.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub language_code: Option<String>,
    /// True if the user has Telegram Premium.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub is_premium: Option<bool>,
}

string_enum! {
    /// Type of a chat.
    ChatType {
        /// One-to-one chat with a user.
        Private = "private",
        /// Basic group.
        Group = "group",
        /// Supergroup.
        Supergroup = "supergroup",
        /// Channel.
        Channel = "channel",
    }
}

/// A chat.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Chat {
    /// Chat id (negative for groups and channels).
    pub id: i64,
    /// Type of the chat.
    #[serde(rename = "type")]
    pub kind: ChatType,
    /// Title, for groups and channels.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Username, without `@`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    /// First name of the other party in a private chat.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_name: Option<String>,
    /// Last name of the other party in a private chat.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_name: Option<String>,
    /// True if the supergroup has topics enabled.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub is_forum: Option<bool>,
}

/// A message. Also used for `InaccessibleMessage` (then `date` is 0 and
/// only `chat` and `message_id` are meaningful).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Message {
    /// Message id, unique inside its chat.
    pub message_id: i64,
    /// Forum topic the message belongs to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message_thread_id: Option<i64>,
    /// Sender; absent for channel posts.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from: Option<User>,
    /// Sender when sent on behalf of a chat (channels, anonymous admins).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sender_chat: Option<Chat>,
    /// Unix time the message was sent; 0 for inaccessible messages.
    pub date: i64,
    /// The chat the message belongs to.
    pub chat: Chat,
    /// True if the message is sent to a forum topic.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub is_topic_message: Option<bool>,
    /// The message this one replies to (itself without further replies).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reply_to_message: Option<Box<Message>>,
    /// Unix time of the last edit.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub edit_date: Option<i64>,
    /// Where a forwarded message came from.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub forward_origin: Option<MessageOrigin>,
    /// Text of a text message.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// Special entities in `text` (commands, links, ...).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entities: Option<Vec<MessageEntity>>,
    /// Photo sizes of a photo message.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub photo: Option<Vec<PhotoSize>>,
    /// The file of a document (general file) message.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub document: Option<Document>,
    /// A video message (`Video`; only its presence matters here).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub video: Option<serde_json::Value>,
    /// An animation (GIF) message (`Animation`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub animation: Option<serde_json::Value>,
    /// A sticker message (`Sticker`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sticker: Option<serde_json::Value>,
    /// A voice message (`Voice`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub voice: Option<serde_json::Value>,
    /// Caption of a media message.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub caption: Option<String>,
    /// Special entities in `caption`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub caption_entities: Option<Vec<MessageEntity>>,
    /// Members added to the group (the bot may be one of them).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub new_chat_members: Option<Vec<User>>,
    /// Member removed from the group.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub left_chat_member: Option<User>,
    /// The group was migrated to the supergroup with this id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub migrate_to_chat_id: Option<i64>,
    /// The supergroup was migrated from the group with this id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub migrate_from_chat_id: Option<i64>,
    /// The message is an invoice.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub invoice: Option<Invoice>,
    /// Service message: a payment succeeded.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub successful_payment: Option<SuccessfulPayment>,
    /// Service message: a payment was refunded.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refunded_payment: Option<RefundedPayment>,
    /// Service message: data sent by a Mini App (not authenticated).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub web_app_data: Option<WebAppData>,
    /// Service message: a forum topic was created. Its `message_id` is the topic's
    /// `message_thread_id`, and messages in the topic carry it as `reply_to_message`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub forum_topic_created: Option<ForumTopicCreated>,
    /// The message is a native poll.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub poll: Option<Poll>,
    /// The message is a shared contact.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact: Option<Contact>,
    /// Inline keyboard attached to the message.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reply_markup: Option<InlineKeyboardMarkup>,
}

string_enum! {
    /// The kind of a poll.
    PollType {
        /// An ordinary poll.
        Regular = "regular",
        /// A quiz with correct answers.
        Quiz = "quiz",
    }
}

/// A native poll (`Poll`): in a message, and as the `poll` update with its current counts.
/// Media of the description, explanation and options are not modelled (ignored on parse).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Poll {
    /// Unique poll identifier.
    pub id: String,
    /// Question, 1-300 characters.
    pub question: String,
    /// Custom emoji entities in the question.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub question_entities: Option<Vec<MessageEntity>>,
    /// The answer options.
    pub options: Vec<PollOption>,
    /// How many users voted.
    pub total_voter_count: i64,
    /// Whether the poll is closed.
    pub is_closed: bool,
    /// Whether the poll is anonymous.
    pub is_anonymous: bool,
    /// `regular` or `quiz`.
    #[serde(rename = "type")]
    pub kind: PollType,
    /// Whether several answers may be chosen.
    pub allows_multiple_answers: bool,
    /// Whether chosen answers may be changed (Bot API 10). `None` when a sender older than
    /// Bot API 10 left it out (read it as `false`); kept apart so that an update is written
    /// out again as it came.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allows_revoting: Option<bool>,
    /// Whether only members of 24 hours and more may vote (Bot API 10; `None` as above).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub members_only: Option<bool>,
    /// Countries users may vote from.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub country_codes: Option<Vec<String>>,
    /// Quiz: the correct options, 0-based.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub correct_option_ids: Option<Vec<i64>>,
    /// Quiz: shown after a wrong answer.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub explanation: Option<String>,
    /// Entities of `explanation`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub explanation_entities: Option<Vec<MessageEntity>>,
    /// Seconds the poll is open after its creation.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub open_period: Option<i64>,
    /// Unix time the poll closes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub close_date: Option<i64>,
    /// Description (polls inside a message only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Entities of `description`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description_entities: Option<Vec<MessageEntity>>,
}

/// One answer of a poll with its votes (`PollOption`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PollOption {
    /// Identifier that survives options being added or removed (Bot API 10; `None` when a
    /// sender older than that left it out).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub persistent_id: Option<String>,
    /// Option text, 1-100 characters.
    pub text: String,
    /// Custom emoji entities in the text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text_entities: Option<Vec<MessageEntity>>,
    /// Users who voted for it; may be 0 if unknown.
    pub voter_count: i64,
    /// The user who added it after the poll was created.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub added_by_user: Option<User>,
    /// The chat that added it after the poll was created.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub added_by_chat: Option<Chat>,
    /// Unix time it was added, if added later.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub addition_date: Option<i64>,
}

/// Where a forwarded message came from (`MessageOrigin`: `user`, `hidden_user`, `chat` or
/// `channel`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MessageOrigin {
    /// `user`, `hidden_user`, `chat` or `channel`.
    #[serde(rename = "type")]
    pub kind: String,
    /// Unix time the message was sent originally.
    pub date: i64,
    /// The user who sent it (`user`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sender_user: Option<User>,
    /// The name of the user who sent it (`hidden_user`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sender_user_name: Option<String>,
    /// The chat that sent it (`chat`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sender_chat: Option<Chat>,
    /// The channel it was posted in (`channel`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub chat: Option<Chat>,
    /// Its id in the channel (`channel`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message_id: Option<i64>,
    /// The author's signature (`chat`, `channel`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub author_signature: Option<String>,
}

/// A bot command at the start of a message, as returned by [`Message::command`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Command<'a> {
    /// Command name without `/` and without the `@bot` suffix, e.g. `start`.
    pub name: &'a str,
    /// The `@bot` suffix without `@`, used in groups to address one bot.
    pub bot_username: Option<&'a str>,
    /// The rest of the text, trimmed, e.g. the deep-link payload of `/start`.
    pub args: &'a str,
}

impl Message {
    /// The bot command this message starts with, if any.
    pub fn command(&self) -> Option<Command<'_>> {
        let text = self.text.as_deref()?;
        let entity = self
            .entities
            .as_deref()?
            .iter()
            .find(|e| e.offset == 0 && e.kind == "bot_command")?;
        let raw = entity.extract(text)?;
        let body = raw.strip_prefix('/')?;
        let (name, bot_username) = match body.split_once('@') {
            Some((name, bot)) => (name, Some(bot)),
            None => (body, None),
        };
        Some(Command {
            name,
            bot_username,
            args: text[raw.len()..].trim(),
        })
    }
}

/// A special entity in a text (command, mention, link, formatting, ...).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MessageEntity {
    /// Entity type, e.g. `bot_command`, `url`, `bold`.
    #[serde(rename = "type")]
    pub kind: String,
    /// Offset in UTF-16 code units.
    pub offset: u32,
    /// Length in UTF-16 code units.
    pub length: u32,
    /// URL opened on tap, for `text_link`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// Mentioned user, for `text_mention`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user: Option<User>,
    /// Programming language, for `pre`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
    /// Custom emoji id, for `custom_emoji`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub custom_emoji_id: Option<String>,
}

impl MessageEntity {
    /// An entity of `kind` covering the given UTF-16 range.
    pub fn new(kind: impl Into<String>, offset: u32, length: u32) -> Self {
        Self {
            kind: kind.into(),
            offset,
            length,
            url: None,
            user: None,
            language: None,
            custom_emoji_id: None,
        }
    }

    /// The part of `text` this entity covers; `None` if the range does not
    /// fall on character boundaries of `text`.
    pub fn extract<'a>(&self, text: &'a str) -> Option<&'a str> {
        // Telegram counts UTF-16 code units, Rust slices by UTF-8 bytes.
        let start = utf16_to_byte(text, self.offset as usize)?;
        let len = utf16_to_byte(&text[start..], self.length as usize)?;
        Some(&text[start..start + len])
    }
}

/// Byte index of the position `units` UTF-16 code units into `text`.
fn utf16_to_byte(text: &str, units: usize) -> Option<usize> {
    let mut seen = 0;
    for (i, c) in text.char_indices() {
        if seen == units {
            return Some(i);
        }
        seen += c.len_utf16();
        if seen > units {
            return None;
        }
    }
    (seen == units).then_some(text.len())
}

/// One size of a photo.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PhotoSize {
    /// File id, usable to send the photo again.
    pub file_id: String,
    /// Stable id across bots; cannot be used to download.
    pub file_unique_id: String,
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// File size in bytes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file_size: Option<u64>,
}

/// A general file (not a photo, voice message or audio file).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Document {
    /// File id, usable to send the file again.
    pub file_id: String,
    /// Stable id across bots; cannot be used to download.
    pub file_unique_id: String,
    /// Thumbnail as defined by the sender.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub thumbnail: Option<PhotoSize>,
    /// Original file name as defined by the sender.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file_name: Option<String>,
    /// MIME type as defined by the sender.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mime_type: Option<String>,
    /// File size in bytes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file_size: Option<u64>,
}

/// A forum topic, as returned by `createForumTopic`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ForumTopic {
    /// The topic's id: pass it as `message_thread_id` to send into the topic.
    pub message_thread_id: i64,
    /// Topic name.
    pub name: String,
    /// Color of the topic icon in RGB format.
    pub icon_color: i64,
    /// Custom emoji shown as the topic icon.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub icon_custom_emoji_id: Option<String>,
    /// True if the creator did not name the topic explicitly.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub is_name_implicit: Option<bool>,
}

/// Service message content: a forum topic was created.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ForumTopicCreated {
    /// Topic name.
    pub name: String,
    /// Color of the topic icon in RGB format.
    pub icon_color: i64,
    /// Custom emoji shown as the topic icon.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub icon_custom_emoji_id: Option<String>,
    /// True if the creator did not name the topic explicitly.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub is_name_implicit: Option<bool>,
}

/// The id of a message, as returned by `copyMessage`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct MessageId {
    /// Message id, unique inside its chat.
    pub message_id: i64,
}

/// A press on an inline keyboard button.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CallbackQuery {
    /// Query id, for `answerCallbackQuery`.
    pub id: String,
    /// Who pressed the button.
    pub from: User,
    /// The message with the button; absent for inline-mode messages.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<Box<Message>>,
    /// Id of the inline-mode message with the button.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub inline_message_id: Option<String>,
    /// Identifier of the chat the message was in (stable, opaque).
    pub chat_instance: String,
    /// The button's `callback_data`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data: Option<String>,
}

/// A change of a chat member's status.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChatMemberUpdated {
    /// The chat.
    pub chat: Chat,
    /// Who performed the change.
    pub from: User,
    /// Unix time of the change.
    pub date: i64,
    /// Previous membership.
    pub old_chat_member: ChatMember,
    /// New membership.
    pub new_chat_member: ChatMember,
    /// The invite link used to join, for link joins only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub invite_link: Option<ChatInviteLink>,
    /// True if the user joined after a join request was approved.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub via_join_request: Option<bool>,
    /// True if the user joined through a chat folder invite link.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub via_chat_folder_invite_link: Option<bool>,
}

string_enum! {
    /// A chat member's status.
    ChatMemberStatus {
        /// Owner of the chat.
        Creator = "creator",
        /// Administrator.
        Administrator = "administrator",
        /// Regular member.
        Member = "member",
        /// Restricted; may or may not still be a member.
        Restricted = "restricted",
        /// Not a member (left, or never joined).
        Left = "left",
        /// Banned; in private chats: the user blocked the bot.
        Kicked = "kicked",
    }
}

/// A chat member in any status. The Bot API's six `ChatMember*` variants are
/// flattened into one lenient struct: flags absent from a variant are `None`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChatMember {
    /// Status; determines which of the other fields Telegram sends.
    pub status: ChatMemberStatus,
    /// The member.
    pub user: User,
    /// Restricted: whether the user is still a member of the chat.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub is_member: Option<bool>,
    /// Restricted, banned, member: Unix time restrictions end (0 = forever).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub until_date: Option<i64>,
    /// Owner, administrator: whether the presence in the chat is hidden.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub is_anonymous: Option<bool>,
    /// Owner, administrator: custom title.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub custom_title: Option<String>,
    /// Administrator: whether the bot may edit this administrator.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub can_be_edited: Option<bool>,
    /// Administrator permission.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub can_manage_chat: Option<bool>,
    /// Administrator permission.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub can_delete_messages: Option<bool>,
    /// Administrator permission.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub can_manage_video_chats: Option<bool>,
    /// Administrator permission.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub can_restrict_members: Option<bool>,
    /// Administrator permission.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub can_promote_members: Option<bool>,
    /// Administrator or restricted permission.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub can_change_info: Option<bool>,
    /// Administrator or restricted permission; needed to create invite links.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub can_invite_users: Option<bool>,
    /// Administrator permission.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub can_post_stories: Option<bool>,
    /// Administrator permission.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub can_edit_stories: Option<bool>,
    /// Administrator permission.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub can_delete_stories: Option<bool>,
    /// Administrator permission (channels).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub can_post_messages: Option<bool>,
    /// Administrator permission (channels).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub can_edit_messages: Option<bool>,
    /// Administrator or restricted permission.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub can_pin_messages: Option<bool>,
    /// Administrator or restricted permission.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub can_manage_topics: Option<bool>,
    /// Restricted permission.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub can_send_messages: Option<bool>,
    /// Restricted permission.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub can_send_audios: Option<bool>,
    /// Restricted permission.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub can_send_documents: Option<bool>,
    /// Restricted permission.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub can_send_photos: Option<bool>,
    /// Restricted permission.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub can_send_videos: Option<bool>,
    /// Restricted permission.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub can_send_video_notes: Option<bool>,
    /// Restricted permission.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub can_send_voice_notes: Option<bool>,
    /// Restricted permission.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub can_send_polls: Option<bool>,
    /// Restricted permission.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub can_send_other_messages: Option<bool>,
    /// Restricted permission.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub can_add_web_page_previews: Option<bool>,
    /// Restricted permission.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub can_react_to_messages: Option<bool>,
    /// Restricted permission.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub can_edit_tag: Option<bool>,
}

impl ChatMember {
    /// Whether the user is currently in the chat (for private chats with the
    /// bot: whether the user has not blocked it).
    pub fn is_member(&self) -> bool {
        match self.status {
            ChatMemberStatus::Creator
            | ChatMemberStatus::Administrator
            | ChatMemberStatus::Member => true,
            ChatMemberStatus::Restricted => self.is_member.unwrap_or(false),
            ChatMemberStatus::Left | ChatMemberStatus::Kicked | ChatMemberStatus::Other(_) => false,
        }
    }
}

/// An invite link of a chat.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChatInviteLink {
    /// The link; links of other admins have their tail replaced by "…".
    pub invite_link: String,
    /// Creator of the link.
    pub creator: User,
    /// True if users joining via the link need an admin's approval.
    pub creates_join_request: bool,
    /// True if this is the chat's primary link.
    pub is_primary: bool,
    /// True if the link is revoked.
    pub is_revoked: bool,
    /// Name given at creation.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Unix time the link expires.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expire_date: Option<i64>,
    /// Maximum number of members joining via this link.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub member_limit: Option<u32>,
    /// Number of pending join requests created via this link.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pending_join_request_count: Option<u32>,
}

/// A request to join a chat.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChatJoinRequest {
    /// The chat to join.
    pub chat: Chat,
    /// The user asking to join.
    pub from: User,
    /// Private chat with the user; the bot may message it for 5 minutes.
    pub user_chat_id: i64,
    /// Unix time of the request.
    pub date: i64,
    /// The user's bio.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bio: Option<String>,
    /// The invite link the request came through.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub invite_link: Option<ChatInviteLink>,
}

/// An incoming pre-checkout query.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PreCheckoutQuery {
    /// Query id, for `answerPreCheckoutQuery`.
    pub id: String,
    /// The paying user.
    pub from: User,
    /// ISO 4217 currency, or `XTR` for Telegram Stars.
    pub currency: String,
    /// Total in the currency's smallest unit.
    pub total_amount: i64,
    /// The bot's invoice payload.
    pub invoice_payload: String,
    /// Chosen shipping option.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shipping_option_id: Option<String>,
    /// Order information given by the user.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub order_info: Option<OrderInfo>,
}

/// An incoming shipping query (flexible invoices only).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ShippingQuery {
    /// Query id.
    pub id: String,
    /// The user.
    pub from: User,
    /// The bot's invoice payload.
    pub invoice_payload: String,
    /// Where to ship.
    pub shipping_address: ShippingAddress,
}

/// Order information given by the payer.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct OrderInfo {
    /// Name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Phone number.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone_number: Option<String>,
    /// Email.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Shipping address.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shipping_address: Option<ShippingAddress>,
}

/// A shipping address.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ShippingAddress {
    /// Two-letter ISO 3166-1 alpha-2 country code.
    pub country_code: String,
    /// State, if applicable (else empty).
    pub state: String,
    /// City.
    pub city: String,
    /// First line.
    pub street_line1: String,
    /// Second line (may be empty).
    pub street_line2: String,
    /// Post code.
    pub post_code: String,
}

/// An invoice message's invoice.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Invoice {
    /// Product name.
    pub title: String,
    /// Product description.
    pub description: String,
    /// Deep-linking parameter of the invoice.
    pub start_parameter: String,
    /// ISO 4217 currency, or `XTR`.
    pub currency: String,
    /// Total in the currency's smallest unit.
    pub total_amount: i64,
}

/// A successful payment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SuccessfulPayment {
    /// ISO 4217 currency, or `XTR`.
    pub currency: String,
    /// Total in the currency's smallest unit.
    pub total_amount: i64,
    /// The bot's invoice payload.
    pub invoice_payload: String,
    /// Subscriptions: Unix time the subscription expires.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subscription_expiration_date: Option<i64>,
    /// Subscriptions: true for recurring payments.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub is_recurring: Option<bool>,
    /// Subscriptions: true for the first recurring payment.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub is_first_recurring: Option<bool>,
    /// Chosen shipping option.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shipping_option_id: Option<String>,
    /// Order information given by the user.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub order_info: Option<OrderInfo>,
    /// Telegram's charge id; needed for `refundStarPayment`.
    pub telegram_payment_charge_id: String,
    /// The provider's charge id (empty for Stars).
    pub provider_payment_charge_id: String,
}

/// A refunded payment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RefundedPayment {
    /// Currency; currently always `XTR`.
    pub currency: String,
    /// Refunded total in the currency's smallest unit.
    pub total_amount: i64,
    /// The bot's invoice payload.
    pub invoice_payload: String,
    /// Telegram's charge id.
    pub telegram_payment_charge_id: String,
    /// The provider's charge id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub provider_payment_charge_id: Option<String>,
}

/// Data sent from a Mini App via a keyboard button. Not authenticated:
/// a modified client can send anything.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WebAppData {
    /// The data.
    pub data: String,
    /// Text of the button the Mini App was opened from.
    pub button_text: String,
}

/// An inline keyboard.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct InlineKeyboardMarkup {
    /// Rows of buttons.
    pub inline_keyboard: Vec<Vec<InlineKeyboardButton>>,
}

/// An inline keyboard button; exactly one of the optional actions must be set.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct InlineKeyboardButton {
    /// Label.
    pub text: String,
    /// URL to open.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// Data sent back in a callback query, 1-64 bytes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub callback_data: Option<String>,
    /// Mini App to open (private chats only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub web_app: Option<WebAppInfo>,
    /// Inline query to insert after choosing a chat.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub switch_inline_query: Option<String>,
    /// Text to copy to the clipboard.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub copy_text: Option<CopyTextButton>,
    /// Pay button; must be the first button of an invoice's keyboard.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pay: Option<bool>,
}

impl InlineKeyboardButton {
    /// A button that sends `data` back as a callback query.
    pub fn callback(text: impl Into<String>, data: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            callback_data: Some(data.into()),
            ..Self::default()
        }
    }

    /// A button that opens `url`.
    pub fn url(text: impl Into<String>, url: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            url: Some(url.into()),
            ..Self::default()
        }
    }

    /// A button that opens the Mini App at `url`.
    pub fn web_app(text: impl Into<String>, url: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            web_app: Some(WebAppInfo { url: url.into() }),
            ..Self::default()
        }
    }
}

/// A Mini App to open.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WebAppInfo {
    /// HTTPS URL of the Mini App.
    pub url: String,
}

/// A button action that copies text to the clipboard.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CopyTextButton {
    /// Text to copy, 1-256 characters.
    pub text: String,
}

/// A phone contact (`Contact`), as shared in a message.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Contact {
    /// The phone number, in international form (with or without `+`).
    pub phone_number: String,
    /// The contact's first name.
    pub first_name: String,
    /// The contact's last name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_name: Option<String>,
    /// The Telegram user the contact is, if known: a user's own number shared with a
    /// `request_contact` button carries their id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_id: Option<i64>,
    /// More about the contact, as a vCard.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vcard: Option<String>,
}

/// A custom keyboard replacing the client's (`ReplyKeyboardMarkup`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReplyKeyboardMarkup {
    /// Rows of buttons.
    pub keyboard: Vec<Vec<KeyboardButton>>,
    /// Fit the keyboard's height to its buttons.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resize_keyboard: Option<bool>,
    /// Hide the keyboard once a button was used.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub one_time_keyboard: Option<bool>,
    /// Placeholder in the input field, 1-64 characters.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub input_field_placeholder: Option<String>,
}

/// A button of a [`ReplyKeyboardMarkup`] (`KeyboardButton`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KeyboardButton {
    /// Its label; sent as a message when pressed, unless it requests something.
    pub text: String,
    /// Pressing it shares the user's own phone number as a contact.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_contact: Option<bool>,
}

/// Takes a custom keyboard away (`ReplyKeyboardRemove`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReplyKeyboardRemove {
    /// Always true.
    pub remove_keyboard: bool,
}

/// Forces the client to show a reply interface for the bot's message.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ForceReply {
    /// Always true.
    pub force_reply: bool,
    /// Placeholder in the input field, 1-64 characters.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub input_field_placeholder: Option<String>,
    /// Force reply only from mentioned users / the replied-to sender.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub selective: Option<bool>,
}

/// A `reply_markup` parameter of methods that accept more than inline keyboards.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum ReplyMarkup {
    /// Inline keyboard under the message.
    InlineKeyboard(InlineKeyboardMarkup),
    /// Ask the user to reply.
    ForceReply(ForceReply),
    /// A custom keyboard (e.g. the button that shares one's phone number).
    ReplyKeyboard(ReplyKeyboardMarkup),
    /// Take a custom keyboard away.
    RemoveKeyboard(ReplyKeyboardRemove),
}

impl From<InlineKeyboardMarkup> for ReplyMarkup {
    fn from(markup: InlineKeyboardMarkup) -> Self {
        Self::InlineKeyboard(markup)
    }
}

/// Link preview options of a message.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct LinkPreviewOptions {
    /// Disable the preview.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub is_disabled: Option<bool>,
    /// URL to preview instead of the first one in the text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// Shrink the preview's media.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub prefer_small_media: Option<bool>,
    /// Enlarge the preview's media.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub prefer_large_media: Option<bool>,
    /// Show the preview above the text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub show_above_text: Option<bool>,
}

/// What a sent message replies to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReplyParameters {
    /// The message to reply to.
    pub message_id: i64,
    /// Its chat, if different from the target chat.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub chat_id: Option<ChatTarget>,
    /// Send even if the replied-to message is gone.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allow_sending_without_reply: Option<bool>,
}

/// The target of a request: a chat id or a public `@username`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(untagged)]
pub enum ChatTarget {
    /// Numeric chat id.
    Id(i64),
    /// `@username` of a public group or channel.
    Username(String),
}

impl From<i64> for ChatTarget {
    fn from(id: i64) -> Self {
        Self::Id(id)
    }
}

impl From<String> for ChatTarget {
    fn from(username: String) -> Self {
        Self::Username(username)
    }
}

impl From<&str> for ChatTarget {
    fn from(username: &str) -> Self {
        Self::Username(username.to_owned())
    }
}

/// A bot command shown in the client's menu.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BotCommand {
    /// Command without `/`, 1-32 of `a-z0-9_`.
    pub command: String,
    /// Description, 1-256 characters.
    pub description: String,
}

/// Where a command list applies.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum BotCommandScope {
    /// Fallback for every chat.
    Default,
    /// All private chats.
    AllPrivateChats,
    /// All group and supergroup chats.
    AllGroupChats,
    /// Administrators of all groups.
    AllChatAdministrators,
    /// One chat.
    Chat {
        /// The chat.
        chat_id: ChatTarget,
    },
    /// Administrators of one chat.
    ChatAdministrators {
        /// The chat.
        chat_id: ChatTarget,
    },
    /// One member of one chat.
    ChatMember {
        /// The chat.
        chat_id: ChatTarget,
        /// The member.
        user_id: i64,
    },
}

/// The bot's menu button in a private chat.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum MenuButton {
    /// Opens the command list.
    Commands,
    /// Opens a Mini App.
    WebApp {
        /// Button text.
        text: String,
        /// The Mini App.
        web_app: WebAppInfo,
    },
    /// No specific button; the default applies.
    Default,
}

/// One price item of an invoice.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LabeledPrice {
    /// Label.
    pub label: String,
    /// Amount in the currency's smallest unit.
    pub amount: i64,
}

/// A shipping option offered in `answerShippingQuery`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ShippingOption {
    /// Option id; comes back as `shipping_option_id`.
    pub id: String,
    /// Title shown to the user.
    pub title: String,
    /// Price items added to the invoice total.
    pub prices: Vec<LabeledPrice>,
}

/// What non-administrators may do in a chat.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ChatPermissions {
    /// Send text messages and the like.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub can_send_messages: Option<bool>,
    /// Send audios.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub can_send_audios: Option<bool>,
    /// Send documents.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub can_send_documents: Option<bool>,
    /// Send photos.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub can_send_photos: Option<bool>,
    /// Send videos.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub can_send_videos: Option<bool>,
    /// Send video notes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub can_send_video_notes: Option<bool>,
    /// Send voice notes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub can_send_voice_notes: Option<bool>,
    /// Send polls.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub can_send_polls: Option<bool>,
    /// Send stickers, GIFs, games, inline results.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub can_send_other_messages: Option<bool>,
    /// Add link previews.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub can_add_web_page_previews: Option<bool>,
    /// React to messages.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub can_react_to_messages: Option<bool>,
    /// Change chat info.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub can_change_info: Option<bool>,
    /// Invite users.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub can_invite_users: Option<bool>,
    /// Pin messages.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub can_pin_messages: Option<bool>,
    /// Create forum topics.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub can_manage_topics: Option<bool>,
    /// Edit their own tag.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub can_edit_tag: Option<bool>,
}

/// The current webhook status.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WebhookInfo {
    /// Webhook URL; empty when not set.
    pub url: String,
    /// True if a custom certificate was provided.
    pub has_custom_certificate: bool,
    /// Updates awaiting delivery.
    pub pending_update_count: u32,
    /// IP address in use.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ip_address: Option<String>,
    /// Unix time of the last delivery error.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_error_date: Option<i64>,
    /// The last delivery error.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_error_message: Option<String>,
    /// Maximum simultaneous connections.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_connections: Option<u32>,
    /// Update kinds subscribed to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allowed_updates: Option<Vec<String>>,
}

/// Extra information in a failed response.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ResponseParameters {
    /// The group moved to this supergroup id; repeat the request there.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub migrate_to_chat_id: Option<i64>,
    /// Seconds to wait before repeating the request.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retry_after: Option<u64>,
}
