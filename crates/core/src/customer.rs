//! Customers: one person across all of a seller's bots, keyed by their Telegram user id.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The store's id of a customer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct CustomerId(pub i64);

/// A customer as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Customer {
    pub id: CustomerId,
    pub telegram_user_id: i64,
    pub first_name: String,
    pub last_name: Option<String>,
    pub username: Option<String>,
    /// The language Telegram reported for the user's client (IETF tag), if any.
    pub telegram_language: Option<String>,
    /// The supported language the bot speaks to them in; `None` until known.
    pub language: Option<String>,
    /// Where they first came from (a deep-link payload such as `campaign42`).
    pub first_source: Option<String>,
    /// The bot they first talked to.
    pub first_bot: String,
    pub first_seen_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
}

/// What an interaction tells us about a person; upserted by Telegram user id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomerSighting {
    pub telegram_user_id: i64,
    pub first_name: String,
    pub last_name: Option<String>,
    pub username: Option<String>,
    pub telegram_language: Option<String>,
    /// Kept only if the customer has no first source yet.
    pub source: Option<String>,
    pub bot: String,
    pub at: DateTime<Utc>,
}

/// The result of an upsert: the customer and whether the row was new.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Upserted {
    pub customer: Customer,
    pub created: bool,
}
