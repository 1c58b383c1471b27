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
    pub from: Option<Person>,
    pub kind: IncomingKind,
}

/// What happened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IncomingKind {
    /// `/name args`, with any `@botname` suffix already removed.
    Command { name: String, args: String },
    /// Plain text.
    Text { text: String },
    /// An inline button was pressed on one of the bot's messages.
    Button {
        callback_id: String,
        data: String,
        message_id: Option<i64>,
    },
    /// The person blocked (`false`) or unblocked (`true`) the bot in a private chat.
    BotAccess { allowed: bool },
    /// Telegram asks whether a payment may go ahead; answer within 10 seconds.
    PreCheckout {
        query_id: String,
        currency: String,
        total_amount: i64,
        payload: String,
        shipping_address: Option<crate::shop::ShippingAddress>,
    },
    /// A payment went through.
    PaymentReceived {
        currency: String,
        total_amount: i64,
        payload: String,
        telegram_charge_id: String,
        provider_charge_id: Option<String>,
        shipping_address: Option<crate::shop::ShippingAddress>,
    },
    /// Anything the core does not handle yet, by its kind name; recorded, not acted on.
    Other { kind: String },
}
