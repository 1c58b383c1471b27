//! The outbox sender: delivers each bot's pending messages in order per chat, within
//! Telegram's limits, and records how every attempt ended.
//!
//! Guarantees:
//! - A chat's messages go out in the order they were enqueued: a chat has at most one
//!   message in flight, and a message waiting for a retry holds back the ones after it.
//! - A message Telegram confirmed is settled as sent and never sent again.
//! - If the process dies after Telegram accepted a message but before that was recorded,
//!   the message is sent again after the restart. Because a chat has at most one message in
//!   flight, this ambiguity is bounded to one message per chat.
//! - 429 answers park only the chat concerned, for the `retry_after` Telegram gave; other
//!   transient failures back off exponentially; permanent ones (bot blocked, chat not found)
//!   are settled as failed with the reason and never retried.
//! - The id of a poll Telegram created is recorded on its calendar post before the message
//!   is settled, so the poll's results can find the post.

use crate::deliver::{Deliver, Delivered, DeliveryError};
use crate::throttle::{Limits, Throttle};
use groupcart_core::clock::SharedClock;
use groupcart_core::event::{kind, NewEvent};
use groupcart_core::metrics::Metrics;
use groupcart_core::outbox::{Action, OutboundMessage, OutboxState, Settlement, TopicRef};
use groupcart_core::store::SharedStore;
use groupcart_core::Result;
use serde_json::json;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::Notify;
use tokio::task::{JoinError, JoinSet};
use tokio_util::sync::CancellationToken;

/// Tuning of one bot's sender.
#[derive(Debug, Clone)]
pub struct SenderConfig {
    pub limits: Limits,
    /// Most messages fetched from the outbox per step.
    pub batch: i64,
    /// Most requests in flight at once (each to a different chat).
    pub max_in_flight: usize,
    /// How often to look at the outbox when nothing wakes the sender.
    pub idle_poll: Duration,
    /// Attempts after which a transiently failing message is given up.
    pub max_attempts: i32,
}

impl Default for SenderConfig {
    fn default() -> Self {
        SenderConfig {
            limits: Limits::default(),
            batch: 500,
            max_in_flight: 32,
            idle_poll: Duration::from_millis(500),
            max_attempts: 12,
        }
    }
}

/// What a finished send reports back to the step loop.
struct Finished {
    /// Telegram's `retry_after`, if it answered 429.
    rate_limited: Option<Duration>,
}

/// Delivers the outbox of one bot.
pub struct Sender {
    bot: String,
    store: SharedStore,
    deliver: Arc<dyn Deliver>,
    clock: SharedClock,
    metrics: Arc<Metrics>,
    config: SenderConfig,
    throttle: Throttle,
    /// Bulk (broadcast) messages wait until a second after the start: a process before this
    /// one may have used this second's budget just before it stopped.
    bulk_from: Instant,
    /// Chats with a message in flight.
    in_flight: HashSet<i64>,
    /// The chat each running send task delivers to, so a task that panics frees its chat.
    task_chats: HashMap<tokio::task::Id, i64>,
    tasks: JoinSet<Finished>,
}

impl Sender {
    pub fn new(
        bot: impl Into<String>,
        store: SharedStore,
        deliver: Arc<dyn Deliver>,
        clock: SharedClock,
        metrics: Arc<Metrics>,
        config: SenderConfig,
    ) -> Self {
        Sender {
            bot: bot.into(),
            store,
            deliver,
            clock,
            metrics,
            throttle: Throttle::new(config.limits, Instant::now()),
            bulk_from: Instant::now() + Duration::from_secs(1),
            config,
            in_flight: HashSet::new(),
            task_chats: HashMap::new(),
            tasks: JoinSet::new(),
        }
    }

    /// Counts what the outbox sent in the last minute (Telegram's longest per-chat window)
    /// against the chats' limits: a sender that starts after a restart or a takeover must not
    /// send a chat what its predecessor already used up.
    pub async fn remember_recent_sends(&mut self) -> Result<()> {
        let now = self.clock.now();
        let instant = Instant::now();
        let sends = self
            .store
            .recent_sends(&self.bot, now - chrono::Duration::seconds(60))
            .await?;
        for (chat_id, at) in sends {
            let ago = (now - at).to_std().unwrap_or_default();
            self.throttle
                .remember(chat_id, instant.checked_sub(ago).unwrap_or(instant));
        }
        Ok(())
    }

    /// Messages currently being delivered.
    pub fn in_flight(&self) -> usize {
        self.in_flight.len()
    }

    /// One pass: takes note of finished sends, then starts every due message the limits
    /// allow. Returns when a held-back message could go next, if any is held back.
    pub async fn step(&mut self) -> Result<Option<Instant>> {
        while let Some(done) = self.tasks.try_join_next_with_id() {
            self.finished(done);
        }
        let now = Instant::now();
        let due = self
            .store
            .outbox_due(&self.bot, self.clock.now(), self.config.batch)
            .await?;
        let mut held_back: Option<Instant> = None;
        // Chats seen in this pass: only a chat's oldest due message may start.
        let mut seen = HashSet::new();
        for message in due {
            if !seen.insert(message.chat_id) || self.in_flight.contains(&message.chat_id) {
                continue;
            }
            if self.in_flight.len() >= self.config.max_in_flight {
                break;
            }
            if message.broadcast && now < self.bulk_from {
                held_back = Some(held_back.map_or(self.bulk_from, |h| h.min(self.bulk_from)));
                continue;
            }
            let lane = self.throttle.lane_for(message.broadcast);
            if message.action.is_throttled() {
                if let Err(ready) = self.throttle.try_acquire(message.chat_id, lane, now) {
                    held_back = Some(held_back.map_or(ready, |h| h.min(ready)));
                    continue;
                }
            }
            let paid = lane == crate::throttle::Lane::PaidBroadcast;
            self.start(message, paid);
        }
        if self.throttle.tracked_chats() > 10_000 {
            self.throttle.forget_idle(now);
        }
        Ok(held_back)
    }

    fn finished(&mut self, done: std::result::Result<(tokio::task::Id, Finished), JoinError>) {
        let (task, rate_limited) = match done {
            Ok((task, done)) => (task, done.rate_limited),
            Err(error) => {
                // Only a bug makes a send task panic; its message stays pending and is
                // retried, so nothing is lost.
                tracing::error!(%error, "send task failed");
                (error.id(), None)
            }
        };
        if let Some(chat_id) = self.task_chats.remove(&task) {
            self.in_flight.remove(&chat_id);
            if let Some(wait) = rate_limited {
                self.throttle.park(chat_id, Instant::now() + wait);
            }
        }
    }

    fn start(&mut self, message: OutboundMessage, paid: bool) {
        self.in_flight.insert(message.chat_id);
        let deliver = self.deliver.clone();
        let store = self.store.clone();
        let clock = self.clock.clone();
        let metrics = self.metrics.clone();
        let max_attempts = self.config.max_attempts;
        let chat_id = message.chat_id;
        let task = self.tasks.spawn(async move {
            let result = if groupcart_core::privacy::is_pseudonym(message.chat_id) {
                // An erased customer's chat: nobody to send to.
                Err(DeliveryError::Permanent(
                    "the customer's data was erased".into(),
                ))
            } else {
                match resolve_topic(store.as_ref(), &message).await {
                    Ok(Some(resolved)) => deliver.deliver_full(&resolved, paid).await,
                    Ok(None) => deliver.deliver_full(&message, paid).await,
                    Err(error) => Err(error),
                }
            };
            if let Ok(Delivered {
                poll_id: Some(poll_id),
                ..
            }) = &result
            {
                // Before the settlement: once the message is settled the poll's votes may
                // come in. If this fails, the poll is out but its results will not find
                // the post; sending it again would put a second poll in the chat.
                if let Err(error) = store.post_poll_sent(message.id, poll_id).await {
                    tracing::error!(%error, id = message.id, "could not record a sent poll");
                }
            }
            let result = result.map(|delivered| delivered.message_id);
            let rate_limited = match &result {
                Err(DeliveryError::RateLimited(wait)) => Some(*wait),
                _ => None,
            };
            let (settlement, event) = settle(&message, result, clock.now(), max_attempts, &metrics);
            // If recording fails the message stays pending and is tried again: a possible
            // duplicate is better than a lost message.
            if let Err(error) = store
                .outbox_settle(message.id, &settlement, event.as_ref())
                .await
            {
                tracing::error!(%error, id = message.id, "could not record a delivery");
            }
            if let (Settlement::Failed { at, reason }, Some(customer)) =
                (&settlement, message.customer_id)
            {
                if is_blocked(reason) {
                    // Marketing skips them from now on (see `segment::marketing_may_reach`).
                    if let Err(error) = mark_blocked(store.as_ref(), customer, *at).await {
                        tracing::warn!(%error, customer = customer.0, "could not mark blocked");
                    }
                }
            }
            Finished { rate_limited }
        });
        self.task_chats.insert(task.id(), chat_id);
    }

    /// Waits for every send in flight to finish and be recorded.
    pub async fn drain(&mut self) {
        while let Some(done) = self.tasks.join_next_with_id().await {
            self.finished(done);
        }
    }

    /// Repeats [`Sender::step`] until `shutdown`, waking on `wake` (new messages), on a
    /// finished send, when a held-back message may go, or every `idle_poll`. Sends in flight
    /// are finished before it returns.
    pub async fn run(mut self, wake: Arc<Notify>, shutdown: CancellationToken) {
        if let Err(error) = self.remember_recent_sends().await {
            tracing::warn!(%error, bot = %self.bot, "could not read the recent sends");
        }
        let mut failures = 0u32;
        loop {
            let next = match self.step().await {
                Ok(next) => {
                    failures = 0;
                    next
                }
                Err(error) => {
                    failures += 1;
                    tracing::warn!(%error, bot = %self.bot, "outbox step failed");
                    Some(Instant::now() + backoff(failures.min(6) as i32))
                }
            };
            let poll = Instant::now() + self.config.idle_poll;
            let deadline = next.map_or(poll, |n| n.min(poll));
            tokio::select! {
                _ = shutdown.cancelled() => break,
                _ = wake.notified() => {}
                Some(done) = self.tasks.join_next_with_id(), if !self.tasks.is_empty() => self.finished(done),
                _ = tokio::time::sleep_until(deadline.into()) => {}
            }
        }
        self.drain().await;
        tracing::info!(bot = %self.bot, "outbox sender stopped");
    }
}

/// A copy of `message` with its forum topic's thread id filled in, when it goes into a
/// topic created by an earlier outbox message; `None` when there is nothing to resolve.
/// Messages of a chat are delivered in order, so the topic's message is settled by now.
async fn resolve_topic(
    store: &dyn groupcart_core::store::Store,
    message: &OutboundMessage,
) -> std::result::Result<Option<OutboundMessage>, DeliveryError> {
    if let Action::DeleteSent { outbox_id } = &message.action {
        return resolve_sent(store, message, *outbox_id).await.map(Some);
    }
    let created_by = match &message.action {
        Action::SendToTopic {
            topic: TopicRef::CreatedBy(id),
            ..
        }
        | Action::CopyMessage {
            topic: Some(TopicRef::CreatedBy(id)),
            ..
        } => *id,
        _ => return Ok(None),
    };
    let state = store
        .outbox_state(created_by)
        .await
        .map_err(|e| DeliveryError::Transient(format!("looking up the topic: {e}")))?;
    let thread = match state {
        Some(OutboxState::Sent {
            remote_message_id: Some(thread),
        }) => thread,
        Some(OutboxState::Pending) => {
            return Err(DeliveryError::Transient(
                "the forum topic is not created yet".into(),
            ))
        }
        _ => {
            return Err(DeliveryError::Permanent(
                "the forum topic could not be created".into(),
            ))
        }
    };
    let mut resolved = message.clone();
    match &mut resolved.action {
        Action::SendToTopic { topic, .. } => *topic = TopicRef::Thread(thread),
        Action::CopyMessage { topic, .. } => *topic = Some(TopicRef::Thread(thread)),
        _ => {}
    }
    Ok(Some(resolved))
}

/// A [`Action::DeleteSent`] as the `deleteMessage` of the message its row became.
async fn resolve_sent(
    store: &dyn groupcart_core::store::Store,
    message: &OutboundMessage,
    outbox_id: i64,
) -> std::result::Result<OutboundMessage, DeliveryError> {
    let state = store
        .outbox_state(outbox_id)
        .await
        .map_err(|e| DeliveryError::Transient(format!("looking up the message: {e}")))?;
    let message_id = match state {
        Some(OutboxState::Sent {
            remote_message_id: Some(id),
        }) => id,
        Some(OutboxState::Pending) => {
            return Err(DeliveryError::Transient(
                "the message to delete is not sent yet".into(),
            ))
        }
        _ => {
            return Err(DeliveryError::Permanent(
                "the message to delete was never sent".into(),
            ))
        }
    };
    let mut resolved = message.clone();
    resolved.action = Action::DeleteMessage { message_id };
    Ok(resolved)
}

/// Whether a permanent failure says the person blocked the bot (Telegram's 403
/// "bot was blocked by the user").
fn is_blocked(reason: &str) -> bool {
    reason.contains("bot was blocked by the user")
}

async fn mark_blocked(
    store: &dyn groupcart_core::store::Store,
    customer: groupcart_core::customer::CustomerId,
    at: chrono::DateTime<chrono::Utc>,
) -> groupcart_core::Result<()> {
    let mut tx = store.begin().await?;
    tx.set_bot_blocked(customer, Some(at)).await?;
    tx.commit().await
}

/// Exponential backoff: 1 s, 2 s, 4 s ... capped at 5 minutes.
fn backoff(attempt: i32) -> Duration {
    Duration::from_secs(1u64 << attempt.clamp(0, 8) as u32).min(Duration::from_secs(300))
}

/// Decides how an attempt is recorded and which event goes with it.
fn settle(
    message: &OutboundMessage,
    result: std::result::Result<Option<i64>, DeliveryError>,
    now: chrono::DateTime<chrono::Utc>,
    max_attempts: i32,
    metrics: &Metrics,
) -> (Settlement, Option<NewEvent>) {
    let event = |kind: &str, data: serde_json::Value| {
        let mut e = NewEvent::new(kind, now)
            .bot(&message.bot)
            .chat(message.chat_id)
            .data(data);
        e.customer_id = message.customer_id;
        e
    };
    let to_chrono = |d: Duration| chrono::Duration::from_std(d).unwrap_or(chrono::Duration::MAX);
    match result {
        Ok(remote_message_id) => {
            Metrics::incr(&metrics.sends);
            let sent = Settlement::Sent {
                at: now,
                remote_message_id,
            };
            // Button answers are acknowledgements, not messages the customer reads.
            let e = message
                .action
                .is_throttled()
                .then(|| event(kind::MESSAGE_SENT, json!({ "outbox_id": message.id })));
            (sent, e)
        }
        Err(DeliveryError::RateLimited(wait)) => {
            Metrics::incr(&metrics.rate_limited);
            Metrics::incr(&metrics.send_retries);
            let retry = Settlement::Retry {
                at: now,
                next_attempt_at: now + to_chrono(wait),
                error: format!("rate limited for {}s", wait.as_secs()),
            };
            (retry, None)
        }
        Err(DeliveryError::Transient(error)) if message.attempts + 1 < max_attempts => {
            Metrics::incr(&metrics.send_retries);
            let retry = Settlement::Retry {
                at: now,
                next_attempt_at: now + to_chrono(backoff(message.attempts)),
                error,
            };
            (retry, None)
        }
        Err(DeliveryError::Transient(reason)) | Err(DeliveryError::Permanent(reason)) => {
            Metrics::incr(&metrics.send_failures);
            tracing::info!(id = message.id, chat = message.chat_id, %reason, "message given up");
            let e = event(
                kind::MESSAGE_FAILED,
                json!({ "outbox_id": message.id, "reason": reason }),
            );
            (Settlement::Failed { at: now, reason }, Some(e))
        }
    }
}
