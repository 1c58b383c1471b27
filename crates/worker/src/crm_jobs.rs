//! Job handlers of the CRM and broadcasts: a customer's lifecycle refresh after a payment
//! ([`groupcart_core::crm::REFRESH_JOB`]), the daily recompute of every stage and RFM score
//! ([`groupcart_core::crm::RECOMPUTE_JOB`]), and a broadcast's release of due recipients
//! into the outbox ([`groupcart_core::broadcast::RELEASE_JOB`]), and the pick of an A/B
//! test's winner ([`groupcart_core::broadcast::WINNER_JOB`]). The work is in the core.

use crate::jobs::JobHandler;
use async_trait::async_trait;
use groupcart_core::broadcast::{self, job_broadcast, RELEASE_JOB, WINNER_JOB};
use groupcart_core::clock::SharedClock;
use groupcart_core::crm::{self, LifecycleRules, RECOMPUTE_JOB, REFRESH_JOB};
use groupcart_core::job::Job;
use groupcart_core::store::{SharedStore, Tx};
use groupcart_core::Result;
use std::collections::HashMap;

/// Refreshes one customer's stage after a payment or refund of theirs.
pub struct RefreshCustomer {
    pub store: SharedStore,
    pub clock: SharedClock,
    pub rules: LifecycleRules,
    /// For the messages of tier changes.
    pub texts: std::sync::Arc<groupcart_core::i18n::Texts>,
}

#[async_trait]
impl JobHandler for RefreshCustomer {
    fn kind(&self) -> &'static str {
        REFRESH_JOB
    }

    async fn run(&self, job: &Job, tx: &mut dyn Tx) -> Result<()> {
        let customer = crm::job_customer(&job.payload)?;
        let now = self.clock.now();
        crm::refresh_customer(tx, self.store.as_ref(), &self.rules, customer, now).await?;
        // The membership tier follows the same payments and refunds.
        groupcart_core::tiers::refresh_customer(tx, &self.texts, customer, now).await?;
        Ok(())
    }
}

/// Recomputes every stage, RFM score and membership tier, queues the removal of members
/// below their chat's tier, then schedules itself a day later.
pub struct Recompute {
    pub store: SharedStore,
    pub clock: SharedClock,
    pub rules: LifecycleRules,
    /// For the messages of tier changes.
    pub texts: std::sync::Arc<groupcart_core::i18n::Texts>,
    /// The configured bots' keys (whose chats may remove members below their tier).
    pub bots: Vec<String>,
}

#[async_trait]
impl JobHandler for Recompute {
    fn kind(&self) -> &'static str {
        RECOMPUTE_JOB
    }

    async fn run(&self, _job: &Job, tx: &mut dyn Tx) -> Result<()> {
        let now = self.clock.now();
        let report = crm::recompute_all(self.store.as_ref(), tx, &self.rules, now).await?;
        // Spend rolls out of the tiers' 12-month window by time alone.
        let tiers =
            groupcart_core::tiers::recompute_all(self.store.as_ref(), tx, &self.texts, now).await?;
        let removals =
            groupcart_core::tiers::queue_removals(self.store.as_ref(), tx, &self.bots, now).await?;
        tracing::info!(
            customers = tiers.customers,
            changes = tiers.changes,
            removals,
            "membership tiers recomputed"
        );
        tracing::info!(
            customers = report.customers,
            changes = report.stage_changes,
            written = report.written,
            "lifecycle stages recomputed"
        );
        tx.schedule_job(&crm::recompute_job(now + chrono::Duration::days(1)))
            .await?;
        Ok(())
    }
}

/// Releases a broadcast's due recipients into the outbox, then schedules its next step.
pub struct ReleaseBroadcast {
    pub clock: SharedClock,
    /// Each bot's default language by key: the text for customers whose language a
    /// variant has none in.
    pub default_languages: HashMap<String, String>,
    /// Most of a broadcast's messages waiting in the outbox at once: a few seconds of the
    /// sender's rate, so pauses and opt-outs take effect within those seconds.
    pub window: i64,
}

#[async_trait]
impl JobHandler for ReleaseBroadcast {
    fn kind(&self) -> &'static str {
        RELEASE_JOB
    }

    fn shares_transaction(&self) -> bool {
        true
    }

    async fn run(&self, job: &Job, tx: &mut dyn Tx) -> Result<()> {
        let id = job_broadcast(&job.payload)?;
        let now = self.clock.now();
        let bot = match tx.broadcast_for_update(id).await? {
            Some(b) => b.bot,
            None => return Ok(()),
        };
        let language = self
            .default_languages
            .get(&bot)
            .map_or(groupcart_core::i18n::FALLBACK, String::as_str);
        let released = broadcast::release(tx, id, language, self.window, now).await?;
        if released.queued + released.skipped > 0 {
            tracing::debug!(
                broadcast = id.0,
                queued = released.queued,
                skipped = released.skipped,
                "broadcast released"
            );
        }
        if let Some(next) = released.next {
            tx.schedule_job(&broadcast::release_job(id, next)).await?;
        }
        Ok(())
    }
}

/// Picks an A/B test's winner when its time comes and sends it to the rest of the audience
/// (nothing if staff picked it already or the broadcast was cancelled).
pub struct PickBroadcastWinner {
    pub store: SharedStore,
    pub clock: SharedClock,
    /// Each bot's currency by key: revenue is compared in it.
    pub currencies: HashMap<String, String>,
    /// For customers without a time zone: `crm.default_time_zone`.
    pub default_time_zone: String,
}

#[async_trait]
impl JobHandler for PickBroadcastWinner {
    fn kind(&self) -> &'static str {
        WINNER_JOB
    }

    async fn run(&self, job: &Job, tx: &mut dyn Tx) -> Result<()> {
        let id = job_broadcast(&job.payload)?;
        let Some(b) = self.store.broadcast(id).await? else {
            return Ok(());
        };
        let currency = self.currencies.get(&b.bot).map_or("", String::as_str);
        // The results are read before the transaction locks the broadcast; the pick is
        // recorded only if there is none yet, so a rerun changes nothing.
        let outcomes = self.store.broadcast_outcomes(id).await?;
        let now = self.clock.now();
        if let Some(variant) = broadcast::pick_winner_when_due(
            tx,
            id,
            &outcomes,
            currency,
            &self.default_time_zone,
            now,
        )
        .await?
        {
            tracing::info!(broadcast = id.0, variant, "broadcast winner picked");
        }
        Ok(())
    }
}
