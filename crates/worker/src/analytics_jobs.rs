//! The daily anomaly check ([`groupcart_core::anomaly`]): compares the week's figures with
//! the week before and tells each bot's staff chat what dropped.

use crate::jobs::JobHandler;
use async_trait::async_trait;
use groupcart_core::anomaly::{self, AnomalyRules, CHECK_JOB};
use groupcart_core::clock::SharedClock;
use groupcart_core::i18n::Texts;
use groupcart_core::job::Job;
use groupcart_core::staff::StaffChat;
use groupcart_core::store::{SharedStore, Tx};
use groupcart_core::Result;
use std::collections::HashMap;
use std::sync::Arc;

/// Runs the check, then schedules the next one a day later.
pub struct AnomalyCheck {
    pub store: SharedStore,
    pub texts: Arc<Texts>,
    pub clock: SharedClock,
    /// Each bot's staff chat, by bot key.
    pub staff: HashMap<String, StaffChat>,
    pub rules: AnomalyRules,
    /// Off: a check still queued from before does nothing and is not scheduled again.
    pub enabled: bool,
}

#[async_trait]
impl JobHandler for AnomalyCheck {
    fn kind(&self) -> &'static str {
        CHECK_JOB
    }

    async fn run(&self, _job: &Job, tx: &mut dyn Tx) -> Result<()> {
        if !self.enabled {
            return Ok(());
        }
        let now = self.clock.now();
        let found = anomaly::run_check(
            tx,
            self.store.as_ref(),
            &self.texts,
            &self.staff,
            &self.rules,
            now,
        )
        .await?;
        if !found.is_empty() {
            tracing::info!(found = found.len(), "anomalies posted to staff");
        }
        tx.schedule_job(&anomaly::check_job(now + chrono::Duration::days(1)))
            .await?;
        Ok(())
    }
}
