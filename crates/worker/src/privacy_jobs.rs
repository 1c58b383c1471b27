//! Job handlers of customer data rights: building and sending a data export
//! ([`groupcart_core::privacy::EXPORT_JOB`]), emptying the last message an erased customer
//! was sent once it is out ([`groupcart_core::privacy::FORGET_MESSAGE_JOB`]), stopping
//! marketing consented under an older policy ([`groupcart_core::privacy::POLICY_JOB`]) and
//! the retention periods ([`groupcart_core::privacy::RETENTION_JOB`]). The work is in the
//! core.

use crate::jobs::JobHandler;
use async_trait::async_trait;
use groupcart_core::clock::SharedClock;
use groupcart_core::i18n::Texts;
use groupcart_core::job::Job;
use groupcart_core::privacy::{
    self, Retention, EXPORT_JOB, FORGET_MESSAGE_JOB, POLICY_JOB, RETENTION_JOB,
};
use groupcart_core::store::{SharedStore, Tx};
use groupcart_core::Result;
use std::sync::Arc;

/// Builds a customer's export and puts the file in the outbox.
pub struct Export {
    pub store: SharedStore,
    pub texts: Arc<Texts>,
    pub clock: SharedClock,
}

#[async_trait]
impl JobHandler for Export {
    fn kind(&self) -> &'static str {
        EXPORT_JOB
    }

    async fn run(&self, job: &Job, tx: &mut dyn Tx) -> Result<()> {
        privacy::run_export(
            tx,
            self.store.as_ref(),
            &self.texts,
            &job.payload,
            self.clock.now(),
        )
        .await
    }
}

/// Empties a sent goodbye, then has the database drop what it keeps of overwritten rows.
pub struct ForgetMessage {
    pub store: SharedStore,
    pub clock: SharedClock,
}

#[async_trait]
impl JobHandler for ForgetMessage {
    fn kind(&self) -> &'static str {
        FORGET_MESSAGE_JOB
    }

    async fn run(&self, job: &Job, tx: &mut dyn Tx) -> Result<()> {
        privacy::run_forget_message(tx, &job.payload, self.clock.now())
            .await
            .map(drop)
    }

    async fn after_commit(&self, _job: &Job) -> Result<()> {
        // After the commit: SQLite cannot checkpoint the WAL under an open write.
        self.store.purge_erased_remnants().await
    }
}

/// Stops marketing to customers whose consent was given under an older policy version.
pub struct PolicyCheck {
    /// The current policy version.
    pub version: String,
}

#[async_trait]
impl JobHandler for PolicyCheck {
    fn kind(&self) -> &'static str {
        POLICY_JOB
    }

    async fn run(&self, _job: &Job, tx: &mut dyn Tx) -> Result<()> {
        let stopped = tx.suspend_outdated_marketing(&self.version).await?;
        if stopped > 0 {
            tracing::info!(
                stopped,
                version = %self.version,
                "marketing stopped until customers accept the current privacy policy"
            );
        }
        Ok(())
    }
}

/// Deletes or empties what is past its retention period, a batch per run.
pub struct ApplyRetention {
    pub retention: Retention,
    pub clock: SharedClock,
}

#[async_trait]
impl JobHandler for ApplyRetention {
    fn kind(&self) -> &'static str {
        RETENTION_JOB
    }

    async fn run(&self, _job: &Job, tx: &mut dyn Tx) -> Result<()> {
        let changed = privacy::run_retention(tx, &self.retention, self.clock.now()).await?;
        if changed > 0 {
            tracing::info!(changed, "retention periods applied");
        }
        Ok(())
    }
}
