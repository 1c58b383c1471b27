//! The inbox: every incoming update is stored, keyed by bot and update id, before it is
//! acknowledged, and processed from here exactly once.
//!
//! The core treats an update's payload as opaque text; the bot driver parses it.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// An update about to be stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewInboxUpdate {
    pub bot: String,
    pub update_id: i64,
    /// The chat whose order this update must keep, if it has one.
    pub chat_id: Option<i64>,
    /// The update exactly as received (JSON text).
    pub payload: String,
    pub received_at: DateTime<Utc>,
}

/// A stored update waiting to be processed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InboxUpdate {
    /// Arrival order across all bots, assigned by the store.
    pub seq: i64,
    pub bot: String,
    pub update_id: i64,
    pub chat_id: Option<i64>,
    pub payload: String,
    pub received_at: DateTime<Utc>,
    /// How many times processing was tried and failed.
    pub attempts: i32,
}
