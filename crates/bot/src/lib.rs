//! The Telegram driver of groupcart.
//!
//! Updates come in by webhook (through the HTTP driver) or by [`poller`]; [`intake`] stores
//! each one in the inbox, deduplicated by `update_id`, before it is acknowledged;
//! [`dispatch`] reads the inbox and hands updates to [`handler`], in order per chat and
//! concurrently across chats; the handler turns an update into the core's
//! [`groupcart_core::incoming::Incoming`] ([`translate`]) and runs the use case in one
//! transaction with everything it causes.

pub mod dispatch;
pub mod handler;
pub mod intake;
pub mod invoice;
pub mod poller;
pub mod setup;
pub mod translate;

use std::collections::HashMap;
use std::sync::Arc;
use tokio::sync::Notify;

/// Wakes each bot's outbox sender when new messages were committed, keyed by bot key.
#[derive(Debug, Clone, Default)]
pub struct SenderWakers(HashMap<String, Arc<Notify>>);

impl SenderWakers {
    pub fn new(bots: impl IntoIterator<Item = String>) -> Self {
        SenderWakers(
            bots.into_iter()
                .map(|b| (b, Arc::new(Notify::new())))
                .collect(),
        )
    }

    /// The waker of one bot's sender.
    pub fn get(&self, bot: &str) -> Option<Arc<Notify>> {
        self.0.get(bot).cloned()
    }

    pub fn wake(&self, bot: &str) {
        if let Some(n) = self.0.get(bot) {
            n.notify_one();
        }
    }
}
