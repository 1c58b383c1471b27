//! The job handler of recommendations: the daily relearning of related products
//! ([`groupcart_core::recommend::RECOMPUTE_JOB`]). The work is in the core.

use crate::jobs::JobHandler;
use async_trait::async_trait;
use groupcart_core::clock::SharedClock;
use groupcart_core::job::Job;
use groupcart_core::recommend::{self, RECOMPUTE_JOB};
use groupcart_core::store::{SharedStore, Tx};
use groupcart_core::Result;

/// Relearns the related products from orders and views, then schedules itself for the next
/// night.
pub struct RecomputeRecommendations {
    pub store: SharedStore,
    pub clock: SharedClock,
}

#[async_trait]
impl JobHandler for RecomputeRecommendations {
    fn kind(&self) -> &'static str {
        RECOMPUTE_JOB
    }

    async fn run(&self, _job: &Job, tx: &mut dyn Tx) -> Result<()> {
        let now = self.clock.now();
        let pairs = recommend::recompute(self.store.as_ref(), tx, now).await?;
        tracing::info!(pairs, "related products relearned");
        tx.schedule_job(&recommend::recompute_job(recommend::next_run(now)))
            .await?;
        Ok(())
    }
}
