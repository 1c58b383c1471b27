//! Webhook delivery. One dispatcher task per set webhook POSTs pending updates to the URL:
//! updates of one chat strictly one after another and in order, different chats concurrently
//! up to `max_connections`. A failed delivery (non-2xx or connection error) is retried with
//! exponential backoff and recorded as the webhook's last error. A JSON reply carrying
//! `"method"` is executed as a Bot API call, as Telegram does.

use std::collections::HashSet;
use std::sync::{Arc, Weak};
use std::time::{Duration, Instant};

use serde_json::Value;
use tokio::sync::Notify;

use crate::params::Params;
use crate::state::{now_unix, BotState, Webhook};
use crate::Inner;

/// Longest sleep of an idle dispatcher: it rechecks that the simulator still exists.
const IDLE: Duration = Duration::from_secs(1);

/// One update to POST.
struct Job {
    update_id: i64,
    url: String,
    secret: Option<String>,
    body: Value,
}

/// Starts the dispatcher for the bot's webhook `generation`; it stops by itself when the
/// webhook is changed or deleted, or the simulator is dropped.
pub(crate) fn spawn(inner: &Arc<Inner>, bot_id: i64, generation: u64) {
    let notify = inner.world().bot(bot_id).notify.clone();
    tokio::spawn(run(Arc::downgrade(inner), notify, bot_id, generation));
}

async fn run(weak: Weak<Inner>, notify: Arc<Notify>, bot_id: i64, generation: u64) {
    loop {
        let notified = notify.notified();
        tokio::pin!(notified);
        notified.as_mut().enable();
        let Some(inner) = weak.upgrade() else {
            return;
        };
        let (jobs, next_retry) = {
            let mut world = inner.world();
            let bot = world.bot(bot_id);
            if bot.webhook_generation != generation {
                return;
            }
            let Some(webhook) = bot.webhook.clone() else {
                return;
            };
            plan(bot, &webhook, Instant::now())
        };
        for job in jobs {
            tokio::spawn(deliver(
                inner.clone(),
                notify.clone(),
                bot_id,
                generation,
                job,
            ));
        }
        drop(inner);
        let wait = next_retry
            .map(|at| at.saturating_duration_since(Instant::now()))
            .unwrap_or(IDLE)
            .min(IDLE);
        tokio::select! {
            _ = &mut notified => {}
            _ = tokio::time::sleep(wait) => {}
        }
    }
}

/// Picks the updates to send now and marks them in flight. Returns them and the earliest
/// time a waiting retry becomes due.
fn plan(bot: &mut BotState, webhook: &Webhook, now: Instant) -> (Vec<Job>, Option<Instant>) {
    let mut in_flight = bot.updates.iter().filter(|u| u.in_flight).count();
    let mut chats_seen = HashSet::new();
    let mut jobs = Vec::new();
    let mut next_retry: Option<Instant> = None;
    for update in bot.updates.iter_mut() {
        // Only the oldest pending update of each chat may go; later ones wait their turn.
        if let Some(key) = update.key {
            if !chats_seen.insert(key) {
                continue;
            }
        }
        if update.in_flight {
            continue;
        }
        if let Some(at) = update.not_before.filter(|at| *at > now) {
            next_retry = Some(next_retry.map_or(at, |n| n.min(at)));
            continue;
        }
        if in_flight >= webhook.max_connections {
            break;
        }
        update.in_flight = true;
        in_flight += 1;
        jobs.push(Job {
            update_id: update.id,
            url: webhook.url.clone(),
            secret: webhook.secret.clone(),
            body: update.body.clone(),
        });
    }
    (jobs, next_retry)
}

fn backoff(base: Duration, max: Duration, attempts: u32) -> Duration {
    let factor = 1u32 << attempts.saturating_sub(1).min(16);
    base.saturating_mul(factor).min(max)
}

async fn deliver(inner: Arc<Inner>, notify: Arc<Notify>, bot_id: i64, generation: u64, job: Job) {
    let mut request = inner
        .http
        .post(&job.url)
        .json(&job.body)
        .timeout(inner.config.webhook_timeout);
    if let Some(secret) = &job.secret {
        request = request.header("X-Telegram-Bot-Api-Secret-Token", secret);
    }
    let outcome = match request.send().await {
        Ok(response) if response.status().is_success() => {
            Ok(response.bytes().await.unwrap_or_default())
        }
        Ok(response) => {
            let status = response.status();
            Err(format!(
                "Wrong response from the webhook: {} {}",
                status.as_u16(),
                status.canonical_reason().unwrap_or("")
            )
            .trim_end()
            .to_string())
        }
        Err(err) if err.is_timeout() => Err("Read timeout expired".to_string()),
        Err(err) if err.is_connect() => Err("Connection refused".to_string()),
        Err(err) => Err(format!("Webhook request failed: {err}")),
    };

    let reply = {
        let mut world = inner.world();
        let bot = world.bot(bot_id);
        let position = bot.updates.iter().position(|u| u.id == job.update_id);
        match outcome {
            Ok(body) => {
                if let Some(position) = position {
                    bot.updates.remove(position);
                }
                bot.stats.webhook_deliveries += 1;
                Some(body)
            }
            Err(message) => {
                tracing::debug!(bot_id, update_id = job.update_id, %message, "webhook delivery failed");
                bot.stats.webhook_errors += 1;
                bot.last_error = Some((now_unix(), message));
                // After a webhook change the update belongs to the new dispatcher.
                if bot.webhook_generation == generation {
                    if let Some(update) = position.and_then(|p| bot.updates.get_mut(p)) {
                        update.in_flight = false;
                        update.attempts += 1;
                        update.not_before = Some(
                            Instant::now()
                                + backoff(
                                    inner.config.webhook_retry,
                                    inner.config.webhook_max_retry,
                                    update.attempts,
                                ),
                        );
                    }
                }
                None
            }
        }
    };
    notify.notify_waiters();

    if let Some(body) = reply {
        run_reply_method(&inner, bot_id, &body).await;
    }
}

/// Executes a method call returned as the webhook's response body.
async fn run_reply_method(inner: &Arc<Inner>, bot_id: i64, body: &[u8]) {
    let Ok(Value::Object(mut object)) = serde_json::from_slice::<Value>(body) else {
        return;
    };
    let Some(Value::String(method)) = object.remove("method") else {
        return;
    };
    let Ok(params) = Params::from_json(Value::Object(object)) else {
        return;
    };
    // Boxed: this future is part of the dispatcher's, which a Bot API call can start.
    let call: std::pin::Pin<Box<dyn std::future::Future<Output = _> + Send + '_>> =
        Box::pin(crate::bot_api::call(inner, bot_id, &method, params));
    if let Err(err) = call.await {
        tracing::debug!(bot_id, %method, description = %err.description, "webhook reply method failed");
    }
}

#[cfg(test)]
mod tests {
    use super::backoff;
    use std::time::Duration;

    #[test]
    fn backoff_doubles_up_to_the_cap() {
        let base = Duration::from_millis(100);
        let max = Duration::from_secs(1);
        assert_eq!(backoff(base, max, 1), Duration::from_millis(100));
        assert_eq!(backoff(base, max, 2), Duration::from_millis(200));
        assert_eq!(backoff(base, max, 4), Duration::from_millis(800));
        assert_eq!(backoff(base, max, 5), max);
        assert_eq!(backoff(base, max, 60), max);
    }
}
