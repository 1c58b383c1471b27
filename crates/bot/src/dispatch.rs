//! The dispatcher: reads unprocessed updates from the inbox and hands them to a fixed set
//! of lanes. All updates of one chat go to the same lane, which processes them one after
//! the other, so a chat's updates are handled in arrival order while different chats are
//! handled concurrently.

use crate::handler::UpdateHandler;
use groupcart_core::inbox::InboxUpdate;
use groupcart_core::metrics::Metrics;
use groupcart_core::Error;
use std::collections::hash_map::DefaultHasher;
use std::collections::HashSet;
use std::hash::{Hash, Hasher};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{mpsc, Notify};
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

/// Attempts at an update before it is set aside as failed.
const MAX_ATTEMPTS: i32 = 5;

/// Most updates a lane processes in one transaction.
const MAX_BATCH: usize = 64;

/// Tuning of the dispatcher.
#[derive(Debug, Clone)]
pub struct DispatchConfig {
    /// Concurrent lanes.
    pub lanes: usize,
    /// Updates read from the inbox at once.
    pub batch: i64,
    /// How often to look at the inbox when nothing wakes the dispatcher.
    pub idle_poll: Duration,
}

impl Default for DispatchConfig {
    fn default() -> Self {
        DispatchConfig {
            lanes: 16,
            batch: 512,
            idle_poll: Duration::from_millis(500),
        }
    }
}

fn lane_of(update: &InboxUpdate, lanes: usize) -> usize {
    let mut hasher = DefaultHasher::new();
    update.bot.hash(&mut hasher);
    // Updates without a chat have no order to keep; spread them by id.
    update.chat_id.unwrap_or(update.update_id).hash(&mut hasher);
    (hasher.finish() % lanes as u64) as usize
}

/// Processes one update with retries; a failure that can never succeed, or the last
/// attempt, sets it aside as failed so that the chat moves on.
async fn process_with_retries(handler: &UpdateHandler, update: InboxUpdate, metrics: &Metrics) {
    let mut attempts = update.attempts;
    loop {
        let error = match handler.process(&update).await {
            Ok(()) => return,
            Err(error) => error,
        };
        attempts += 1;
        Metrics::incr(&metrics.updates_failed);
        let give_up = matches!(error, Error::Invalid(_)) || attempts >= MAX_ATTEMPTS;
        tracing::warn!(seq = update.seq, bot = %update.bot, %error, give_up, "update processing failed");
        if let Err(store_error) = handler
            .store()
            .inbox_failed(update.seq, &error.to_string(), give_up)
            .await
        {
            // The update stays pending and is retried after a restart.
            tracing::error!(%store_error, seq = update.seq, "could not record the failure");
            return;
        }
        if give_up {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50 << attempts)).await;
    }
}

/// Runs the dispatcher until `shutdown`. Updates already handed to a lane are finished
/// before it returns; the rest stay in the inbox for the next start.
pub async fn run(
    handler: Arc<UpdateHandler>,
    metrics: Arc<Metrics>,
    config: DispatchConfig,
    stored: Arc<Notify>,
    shutdown: CancellationToken,
) {
    // Updates handed to a lane and not yet finished.
    let in_flight = Arc::new(Mutex::new(HashSet::new()));
    let mut lanes = Vec::with_capacity(config.lanes);
    let mut workers = JoinSet::new();
    for _ in 0..config.lanes.max(1) {
        let (sender, mut receiver) = mpsc::channel::<InboxUpdate>(64);
        lanes.push(sender);
        let handler = handler.clone();
        let metrics = metrics.clone();
        let in_flight = in_flight.clone();
        workers.spawn(async move {
            let mut batch = Vec::with_capacity(MAX_BATCH);
            while receiver.recv_many(&mut batch, MAX_BATCH).await > 0 {
                let seqs: Vec<i64> = batch.iter().map(|u| u.seq).collect();
                // What queued up while the last batch ran goes in one transaction; if it
                // fails, each update is tried on its own so one bad update cannot hold
                // back the others.
                let together = batch.len() > 1 && handler.process_batch(&batch).await.is_ok();
                if together {
                    batch.clear();
                }
                for update in batch.drain(..) {
                    process_with_retries(&handler, update, &metrics).await;
                }
                let mut in_flight = lock(&in_flight);
                for seq in seqs {
                    in_flight.remove(&seq);
                }
            }
        });
    }
    // Reads continue after the newest update handed out. An update can commit after a newer
    // one (concurrent writers on PostgreSQL), so whenever a read finds nothing new the next
    // one starts over from the beginning, skipping what is in flight.
    let mut cursor = 0i64;
    'read: loop {
        let pending = match handler.store().inbox_pending(cursor, config.batch).await {
            Ok(pending) => pending,
            Err(error) => {
                tracing::warn!(%error, "could not read the inbox");
                Vec::new()
            }
        };
        let full = pending.len() as i64 == config.batch;
        let mut handed_out = 0;
        for update in pending {
            cursor = cursor.max(update.seq);
            if !lock(&in_flight).insert(update.seq) {
                continue;
            }
            handed_out += 1;
            let lane = &lanes[lane_of(&update, lanes.len())];
            tokio::select! {
                _ = shutdown.cancelled() => break 'read,
                sent = lane.send(update) => if sent.is_err() { break 'read },
            }
        }
        if full {
            continue;
        }
        if handed_out == 0 {
            cursor = 0;
        }
        tokio::select! {
            _ = shutdown.cancelled() => break,
            _ = stored.notified() => {}
            _ = tokio::time::sleep(config.idle_poll) => {}
        }
    }
    drop(lanes);
    while workers.join_next().await.is_some() {}
    tracing::info!("dispatcher stopped");
}

fn lock(set: &Mutex<HashSet<i64>>) -> std::sync::MutexGuard<'_, HashSet<i64>> {
    // The set holds plain integers; a panic while holding it cannot leave it inconsistent.
    set.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}
