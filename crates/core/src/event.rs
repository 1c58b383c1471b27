//! Events: an append-only record of every meaningful thing, the raw material of analytics.

use crate::customer::CustomerId;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Event kinds the core emits. Stored as their string form so later kinds need no migration.
pub mod kind {
    pub const UPDATE_RECEIVED: &str = "update_received";
    pub const CUSTOMER_CREATED: &str = "customer_created";
    pub const CONVERSATION_STARTED: &str = "conversation_started";
    pub const LANGUAGE_CHOSEN: &str = "language_chosen";
    pub const CONSENT_GIVEN: &str = "consent_given";
    pub const MESSAGE_SENT: &str = "message_sent";
    pub const MESSAGE_FAILED: &str = "message_failed";
    pub const DATA_EXPORTED: &str = "data_exported";
    pub const CUSTOMER_ERASED: &str = "customer_erased";
    pub const FAQ_ANSWERED: &str = "faq_answered";
    pub const FAQ_UNANSWERED: &str = "faq_unanswered";
    pub const TICKET_OPENED: &str = "ticket_opened";
    pub const TICKET_RESOLVED: &str = "ticket_resolved";
    pub const TICKET_CLOSED: &str = "ticket_closed";
    pub const TICKET_TRANSFERRED: &str = "ticket_transferred";
    pub const SLA_BREACHED: &str = "sla_breached";
    pub const SERVICE_RATED: &str = "service_rated";
    pub const MEMBER_JOINED: &str = "member_joined";
    pub const ORDER_PLACED: &str = "order_placed";
    pub const ORDER_PAID: &str = "order_paid";
    /// A customer looked at a product's card (chat shop) or the catalog (Mini App).
    pub const PRODUCT_VIEWED: &str = "product_viewed";
    /// A customer put a product in the cart or raised its quantity.
    pub const CART_ADDED: &str = "cart_added";
    /// A customer asked to check out a cart with items.
    pub const CHECKOUT_STARTED: &str = "checkout_started";
}

/// An event about to be appended.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewEvent {
    pub kind: String,
    pub at: DateTime<Utc>,
    pub bot: Option<String>,
    pub customer_id: Option<CustomerId>,
    pub chat_id: Option<i64>,
    /// Where it came from: a deep-link payload, an invite link name, `api`, `job`...
    pub source: Option<String>,
    /// Kind-specific details.
    pub data: serde_json::Value,
}

impl NewEvent {
    pub fn new(kind: &str, at: DateTime<Utc>) -> Self {
        NewEvent {
            kind: kind.to_owned(),
            at,
            bot: None,
            customer_id: None,
            chat_id: None,
            source: None,
            data: serde_json::Value::Null,
        }
    }
    pub fn bot(mut self, bot: &str) -> Self {
        self.bot = Some(bot.to_owned());
        self
    }
    pub fn customer(mut self, id: CustomerId) -> Self {
        self.customer_id = Some(id);
        self
    }
    pub fn chat(mut self, chat_id: i64) -> Self {
        self.chat_id = Some(chat_id);
        self
    }
    pub fn source(mut self, source: Option<String>) -> Self {
        self.source = source;
        self
    }
    pub fn data(mut self, data: serde_json::Value) -> Self {
        self.data = data;
        self
    }
}

/// An event as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    pub id: i64,
    #[serde(flatten)]
    pub event: NewEvent,
}
