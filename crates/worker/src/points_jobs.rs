//! The job handler of loyalty points: the daily expiry
//! ([`groupcart_core::points::EXPIRE_JOB`]). The work is in the core.

use crate::jobs::JobHandler;
use async_trait::async_trait;
use groupcart_core::clock::SharedClock;
use groupcart_core::job::Job;
use groupcart_core::points::{self, EXPIRE_JOB};
use groupcart_core::store::{SharedStore, Tx};
use groupcart_core::Result;

/// Expires the points whose time came since the last run, then schedules itself a day
/// later (looking from now on).
pub struct ExpirePoints {
    pub store: SharedStore,
    pub clock: SharedClock,
}

#[async_trait]
impl JobHandler for ExpirePoints {
    fn kind(&self) -> &'static str {
        EXPIRE_JOB
    }

    async fn run(&self, job: &Job, tx: &mut dyn Tx) -> Result<()> {
        let now = self.clock.now();
        let since = points::job_since(&job.payload);
        let expired = points::expire_all(self.store.as_ref(), tx, since, now).await?;
        tracing::info!(points = expired, "points expired");
        tx.schedule_job(&points::expire_job(
            Some(now),
            now + chrono::Duration::days(1),
        ))
        .await?;
        Ok(())
    }
}
