//! Job handlers of rule-based tags: the evaluation of the rules over every customer
//! ([`groupcart_core::tag_rules::EVALUATE_JOB`], hourly, or for one rule after it changed)
//! and the follow job that re-evaluates them for the customers named in new events
//! ([`groupcart_core::tag_rules::FOLLOW_JOB`]). The work is in the core.

use crate::jobs::JobHandler;
use async_trait::async_trait;
use groupcart_core::clock::SharedClock;
use groupcart_core::job::Job;
use groupcart_core::store::{SharedStore, Tx};
use groupcart_core::tag_rules::{self, Plan, EVALUATE_JOB, FOLLOW_JOB};
use groupcart_core::Result;
use std::collections::HashMap;
use std::sync::Mutex;

/// Evaluates the tag rules over every customer. The scan runs before the job's
/// transaction (on SQLite a transaction holds the only write lock, which a scan of every
/// customer must not keep); the transaction writes what the scan found still differs. The
/// scheduled run (no rule in the payload) schedules the next one.
pub struct Evaluate {
    pub store: SharedStore,
    pub clock: SharedClock,
    /// The plans made before the transaction, by job id.
    plans: Mutex<HashMap<i64, Plan>>,
}

impl Evaluate {
    pub fn new(store: SharedStore, clock: SharedClock) -> Self {
        Evaluate {
            store,
            clock,
            plans: Mutex::new(HashMap::new()),
        }
    }

    fn take_plan(&self, job: i64) -> Option<Plan> {
        self.plans
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(&job)
    }
}

#[async_trait]
impl JobHandler for Evaluate {
    fn kind(&self) -> &'static str {
        EVALUATE_JOB
    }

    async fn before_transaction(&self, job: &Job) -> Result<()> {
        let only = tag_rules::job_rule(&job.payload);
        let plan = tag_rules::plan(self.store.as_ref(), only, self.clock.now()).await?;
        self.plans
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(job.id, plan);
        Ok(())
    }

    async fn run(&self, job: &Job, tx: &mut dyn Tx) -> Result<()> {
        let now = self.clock.now();
        let only = tag_rules::job_rule(&job.payload);
        let plan = match self.take_plan(job.id) {
            Some(plan) => plan,
            // Planned by nobody (a runner that skips the first step): plan now.
            None => tag_rules::plan(self.store.as_ref(), only, now).await?,
        };
        let applied = tag_rules::apply(tx, &plan, now).await?;
        tracing::info!(
            rule = only.map(|r| r.0),
            added = applied.added,
            removed = applied.removed,
            "tag rules evaluated"
        );
        if only.is_none() {
            tx.schedule_job(&tag_rules::evaluate_job(now + tag_rules::EVALUATE_EVERY))
                .await?;
        }
        Ok(())
    }
}

/// Re-evaluates the tag rules for the customers named in the events after the job's
/// cursor, and schedules its next step.
pub struct Follow {
    pub store: SharedStore,
    pub clock: SharedClock,
}

#[async_trait]
impl JobHandler for Follow {
    fn kind(&self) -> &'static str {
        FOLLOW_JOB
    }

    async fn run(&self, job: &Job, tx: &mut dyn Tx) -> Result<()> {
        let now = self.clock.now();
        let applied = tag_rules::follow(tx, self.store.as_ref(), &job.payload, now).await?;
        if applied.added + applied.removed > 0 {
            tracing::debug!(
                added = applied.added,
                removed = applied.removed,
                "tag rules followed events"
            );
        }
        Ok(())
    }
}
