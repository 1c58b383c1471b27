//! Job handler of customer service: the SLA checks ([`groupcart_core::support::SLA_JOB`])
//! that warn a ticket's assignee before a target is missed and escalate when it is. The
//! work is in the core.

use crate::jobs::JobHandler;
use async_trait::async_trait;
use groupcart_core::clock::SharedClock;
use groupcart_core::i18n::Texts;
use groupcart_core::job::Job;
use groupcart_core::store::Tx;
use groupcart_core::support::{self, SupportSettings, SLA_JOB};
use groupcart_core::Result;
use std::sync::Arc;

/// Checks one SLA target of one ticket.
pub struct SlaCheck {
    pub settings: Arc<SupportSettings>,
    pub texts: Arc<Texts>,
    pub clock: SharedClock,
}

#[async_trait]
impl JobHandler for SlaCheck {
    fn kind(&self) -> &'static str {
        SLA_JOB
    }

    async fn run(&self, job: &Job, tx: &mut dyn Tx) -> Result<()> {
        let outcome = support::run_sla_check(
            tx,
            &self.settings,
            &self.texts,
            &job.payload,
            self.clock.now(),
        )
        .await?;
        tracing::debug!(?outcome, job = job.id, "SLA check");
        Ok(())
    }
}
