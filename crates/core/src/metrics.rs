//! Process-wide counters, shared by the drivers and rendered by the HTTP driver.
//!
//! One [`Metrics`] is created at start and passed down; there is no global registry.

use std::sync::atomic::{AtomicU64, Ordering};

/// Monotonic counters since the process started.
#[derive(Debug, Default)]
pub struct Metrics {
    /// Updates received by webhook or long polling (duplicates included).
    pub updates_received: AtomicU64,
    /// Updates that were already stored and were ignored.
    pub updates_duplicate: AtomicU64,
    /// Updates processed to completion.
    pub updates_processed: AtomicU64,
    /// Update processing attempts that failed.
    pub updates_failed: AtomicU64,
    /// Requests rejected before processing (bad secret, malformed JSON).
    pub updates_rejected: AtomicU64,
    /// Outbound messages Telegram confirmed.
    pub sends: AtomicU64,
    /// Outbound messages given up for good.
    pub send_failures: AtomicU64,
    /// Transient send failures that will be retried (429s included).
    pub send_retries: AtomicU64,
    /// 429 answers received from Telegram.
    pub rate_limited: AtomicU64,
    /// Jobs run to completion.
    pub jobs_completed: AtomicU64,
    /// Job attempts that failed.
    pub jobs_failed: AtomicU64,
}

impl Metrics {
    /// Adds one to a counter.
    pub fn incr(counter: &AtomicU64) {
        counter.fetch_add(1, Ordering::Relaxed);
    }

    /// Reads a counter.
    pub fn get(counter: &AtomicU64) -> u64 {
        counter.load(Ordering::Relaxed)
    }
}
