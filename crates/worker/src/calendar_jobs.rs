//! The job handler of the content calendar: a scheduled post's time
//! ([`groupcart_core::calendar::SEND_JOB`]) puts it in the outbox. The work is in
//! [`groupcart_core::calendar::send_due`].

use crate::jobs::JobHandler;
use async_trait::async_trait;
use groupcart_core::calendar::{self, job_post, SEND_JOB};
use groupcart_core::clock::SharedClock;
use groupcart_core::job::Job;
use groupcart_core::store::Tx;
use groupcart_core::Result;

/// Sends a scheduled post at its time.
pub struct SendPost {
    pub clock: SharedClock,
}

#[async_trait]
impl JobHandler for SendPost {
    fn kind(&self) -> &'static str {
        SEND_JOB
    }

    fn shares_transaction(&self) -> bool {
        true
    }

    async fn run(&self, job: &Job, tx: &mut dyn Tx) -> Result<()> {
        let id = job_post(&job.payload)?;
        if calendar::send_due(tx, id, self.clock.now()).await? {
            tracing::info!(post = id.0, "scheduled post sent");
        }
        Ok(())
    }
}
