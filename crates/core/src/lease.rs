//! Leases: roles that exactly one groupcart instance may play at a time when several share
//! one PostgreSQL database (the outbox sender and the long poller of each bot, the inbox
//! dispatcher). A lease is a row naming its holder and when it runs out; the holder renews
//! it well before, and when an instance dies its leases run out and another takes them over.
//!
//! Times are the instances' clocks: keep them in sync (NTP), since a lease's length bounds
//! how long two instances could overlap after a clock jump.

use crate::Result;
use async_trait::async_trait;
use chrono::{DateTime, Utc};

/// How long a lease lasts without renewal; an instance that dies is replaced within this
/// (plus one retry interval).
pub const TERM: chrono::Duration = chrono::Duration::seconds(6);

/// How often a holder renews its leases and others try to take free ones.
pub const RETRY: std::time::Duration = std::time::Duration::from_secs(2);

/// The lease of a bot's outbox sender.
pub fn sender(bot: &str) -> String {
    format!("sender:{bot}")
}

/// The lease of a bot's long poller.
pub fn poller(bot: &str) -> String {
    format!("poller:{bot}")
}

/// The lease of the inbox dispatcher (one for all bots: it keeps each chat's order).
pub const DISPATCHER: &str = "dispatcher";

/// Storage of leases.
#[async_trait]
pub trait LeaseStore: Send + Sync {
    /// Takes lease `name` for `holder` until `until` if it is free, ran out before `now`,
    /// or is already `holder`'s (a renewal); whether `holder` holds it now.
    async fn acquire_lease(
        &self,
        name: &str,
        holder: &str,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Result<bool>;

    /// Gives lease `name` up if `holder` holds it, so another instance takes over at once.
    async fn release_lease(&self, name: &str, holder: &str) -> Result<()>;

    /// Who holds lease `name` at `now`, if anyone.
    async fn lease_holder(&self, name: &str, now: DateTime<Utc>) -> Result<Option<String>>;
}
