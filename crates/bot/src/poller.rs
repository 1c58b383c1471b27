//! Long polling: fetches updates with `getUpdates`, stores them, and only then confirms
//! them to Telegram by asking for the next offset. A crash between the two makes Telegram
//! deliver the batch again, and the inbox drops the duplicates.

use crate::intake::Intake;
use chrono::Utc;
use groupcart_core::inbox::NewInboxUpdate;
use groupcart_telegram::methods::{DeleteWebhook, GetUpdates};
use groupcart_telegram::types::peek_update;
use groupcart_telegram::{ApiError, Client};
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// The update kinds groupcart asks Telegram for. `chat_member` must be listed explicitly.
pub const ALLOWED_UPDATES: &[&str] = &[
    "message",
    "edited_message",
    "channel_post",
    "callback_query",
    "my_chat_member",
    "chat_member",
    "chat_join_request",
    "pre_checkout_query",
    "shipping_query",
    // The state of polls the bot sent (calendar polls' results).
    "poll",
];

/// Polls one bot until `shutdown`.
pub async fn run(
    bot: String,
    client: Client,
    intake: Intake,
    timeout_secs: u32,
    shutdown: CancellationToken,
) {
    // A webhook left over from another deployment makes getUpdates fail with 409.
    let delete = DeleteWebhook {
        drop_pending_updates: Some(false),
    };
    if let Err(error) = client.call(&delete).await {
        tracing::warn!(%error, %bot, "could not delete the webhook before polling");
    }
    let mut offset: Option<i64> = None;
    let mut failures = 0u32;
    loop {
        let request = GetUpdates {
            offset,
            limit: Some(100),
            timeout: Some(timeout_secs),
            allowed_updates: Some(ALLOWED_UPDATES.iter().map(|s| s.to_string()).collect()),
        };
        let answer = tokio::select! {
            _ = shutdown.cancelled() => break,
            answer = client.call(&request) => answer,
        };
        let raw = match answer {
            Ok(raw) => {
                failures = 0;
                raw
            }
            Err(error) => {
                failures += 1;
                let wait = error
                    .retry_after()
                    .unwrap_or(Duration::from_millis(500 << failures.min(6)));
                log_poll_error(&bot, &error, failures);
                tokio::select! {
                    _ = shutdown.cancelled() => break,
                    _ = tokio::time::sleep(wait) => continue,
                }
            }
        };
        if raw.is_empty() {
            continue;
        }
        let received_at = Utc::now();
        let mut batch = Vec::with_capacity(raw.len());
        // From this batch alone: after a week without updates Telegram picks the next
        // update_id at random, possibly below an earlier one.
        let mut next = i64::MIN;
        // Each update is stored exactly as Telegram sent it, fields unknown to this version
        // included.
        for raw_update in raw {
            let Ok(head) = peek_update(raw_update.get().as_bytes()) else {
                tracing::warn!(%bot, "skipping an update without update_id");
                continue;
            };
            next = next.max(head.update_id + 1);
            batch.push(NewInboxUpdate {
                bot: bot.clone(),
                update_id: head.update_id,
                chat_id: head.chat_id,
                payload: raw_update.get().to_owned(),
                received_at,
            });
        }
        // Only a durable store lets us confirm; otherwise ask for the same updates again.
        match intake.submit_batch(&batch).await {
            Ok(_) => offset = Some(next),
            Err(error) => {
                tracing::error!(%error, %bot, "could not store polled updates");
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        }
    }
    tracing::info!(%bot, "long polling stopped");
}

fn log_poll_error(bot: &str, error: &ApiError, failures: u32) {
    if failures == 1 || failures.is_multiple_of(20) {
        tracing::warn!(%error, %bot, failures, "getUpdates failed");
    }
}
