//! Incoming: what a driver hands the use cases, in messaging terms rather than Telegram's.

use chrono::{DateTime, Utc};

/// The person behind an interaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    pub telegram_user_id: i64,
    pub first_name: String,
    pub last_name: Option<String>,
    pub username: Option<String>,
    pub language_code: Option<String>,
    pub is_bot: bool,
}

/// The kind of chat an interaction happened in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChatKind {
    Private,
    Group,
    Supergroup,
    Channel,
}

/// One interaction the bot should react to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Incoming {
    pub at: DateTime<Utc>,
    pub chat_id: i64,
    pub chat_kind: ChatKind,
    /// The forum topic the message was written in, if any.
    pub thread_id: Option<i64>,
    pub from: Option<Person>,
    pub kind: IncomingKind,
    /// What else the message carries (replies, forwards, media), for group moderation.
    pub meta: MessageMeta,
}

/// Details of a message that only some features look at.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MessageMeta {
    /// The message's id in its chat (commands carry none in their kind).
    pub message_id: Option<i64>,
    /// The message this one answers.
    pub reply_to: Option<Replied>,
    /// For a message forwarded from a channel: that channel's chat id.
    pub forwarded_from_channel: Option<i64>,
    /// The kind of media: `photo`, `video`, `document`, `sticker`, `animation` or `voice`.
    pub media: Option<String>,
}

/// The message another one replies to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Replied {
    pub message_id: i64,
    /// Its author (absent for channel posts).
    pub from: Option<Person>,
    /// Its text or caption.
    pub text: String,
}

/// What happened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IncomingKind {
    /// `/name args`, with any `@botname` suffix already removed.
    Command { name: String, args: String },
    /// Plain text, as message `message_id` of the chat.
    Text { text: String, message_id: i64 },
    /// A photo or a document (message `message_id` of the chat), with its caption.
    Media { message_id: i64, caption: String },
    /// An inline button was pressed on one of the bot's messages.
    Button {
        callback_id: String,
        data: String,
        message_id: Option<i64>,
    },
    /// The person blocked (`false`) or unblocked (`true`) the bot in a private chat.
    BotAccess { allowed: bool },
    /// Telegram asks which shipping options serve the address a customer gave for a
    /// flexible invoice.
    ShippingQuery {
        query_id: String,
        payload: String,
        shipping_address: crate::shop::ShippingAddress,
    },
    /// Telegram asks whether a payment may go ahead; answer within 10 seconds.
    PreCheckout {
        query_id: String,
        currency: String,
        total_amount: i64,
        payload: String,
        shipping_address: Option<crate::shop::ShippingAddress>,
        /// The option the customer picked, for flexible invoices.
        shipping_option_id: Option<String>,
    },
    /// A payment went through.
    PaymentReceived {
        currency: String,
        total_amount: i64,
        payload: String,
        telegram_charge_id: String,
        provider_charge_id: Option<String>,
        shipping_address: Option<crate::shop::ShippingAddress>,
        shipping_option_id: Option<String>,
    },
    /// Someone asked to join the group or channel `chat_id` through a link that needs
    /// approval; the bot may write to them in `user_chat_id` for five minutes.
    JoinRequest {
        chat_title: String,
        user_chat_id: i64,
        invite_link: Option<String>,
    },
    /// Someone joined or left the group or channel `chat_id`.
    MemberChanged {
        member: Person,
        joined: bool,
        invite_link: Option<String>,
        via_join_request: bool,
    },
    /// The bot's own membership in the group or channel `chat_id` changed.
    BotMembership {
        /// `group`, `supergroup` or `channel`.
        chat_type: String,
        title: String,
        username: Option<String>,
        /// `administrator`, `member`, `left`, `kicked`...
        status: String,
        can_invite_users: bool,
        can_restrict_members: bool,
        can_delete_messages: bool,
    },
    /// The current state of a poll the bot sent (Telegram sends it after every vote, and
    /// when the poll closes). The chat is not known: `chat_id` is 0.
    PollState(PollState),
    /// A contact card was shared: `user_id` is the Telegram user it belongs to, when Telegram
    /// knows (the sender's own number, shared with the contact button, carries theirs).
    ContactShared { user_id: Option<i64>, phone: String },
    /// Anything the core does not handle yet, by its kind name; recorded, not acted on.
    Other { kind: String },
}

/// A poll's state as Telegram reports it: every answer with its votes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PollState {
    /// Telegram's id of the poll.
    pub poll_id: String,
    /// Each answer's text and votes, in the poll's order.
    pub options: Vec<(String, i64)>,
    pub total_voter_count: i64,
    pub is_closed: bool,
    /// The id of the update that carried it: states of one poll are ordered by it.
    pub update_id: i64,
}
