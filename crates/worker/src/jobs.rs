//! The job runner: claims due jobs with a lease and runs each with the handler registered
//! for its kind. A job's effects and its completion commit in one transaction, so a job that
//! crashes half-way is simply claimed again when its lease runs out.
//!
//! Jobs whose handler [shares transactions](JobHandler::shares_transaction) run together:
//! the claimed ones of a step are completed and run in one transaction, which turns a
//! commit per job into a commit per step (the queue's throughput on both databases is the
//! rate of commits). If any of them fails, that transaction is rolled back and each is run
//! again in a transaction of its own, so one failing job never holds back another.

use async_trait::async_trait;
use groupcart_core::clock::SharedClock;
use groupcart_core::job::Job;
use groupcart_core::metrics::Metrics;
use groupcart_core::store::{SharedStore, Tx};
use groupcart_core::Result;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// Runs the jobs of one kind.
#[async_trait]
pub trait JobHandler: Send + Sync + 'static {
    /// The kind this handler runs (e.g. `broadcast.send_batch`).
    fn kind(&self) -> &'static str;

    /// Does the work inside `tx`, in which the runner has already completed the job (so a
    /// recurring job may schedule its next run with the same dedup key); the runner commits.
    /// An `Err` rolls everything back and the job is retried with backoff.
    async fn run(&self, job: &Job, tx: &mut dyn Tx) -> Result<()>;

    /// Work done first, outside any transaction: a call to another system, which must not
    /// hold a transaction (on SQLite, the only writer) while it waits. A failure retries
    /// the job like a failed [`JobHandler::run`]; a success is followed by `run` and the
    /// job's completion. A crash between the two repeats the call: at least once.
    async fn before_transaction(&self, _job: &Job) -> Result<()> {
        Ok(())
    }

    /// Work that must follow the commit of [`JobHandler::run`] (e.g. maintenance a
    /// transaction would block). Its failure is logged; the job stays done.
    async fn after_commit(&self, _job: &Job) -> Result<()> {
        Ok(())
    }

    /// Whether this kind's jobs may run in one transaction with other claimed jobs. Only
    /// for handlers that are quick, do all their work through the `tx` they are given (a
    /// read through the store would miss what an earlier job of the same transaction
    /// wrote), and do nothing in [`JobHandler::before_transaction`]; their `run` may be
    /// repeated after a rollback.
    fn shares_transaction(&self) -> bool {
        false
    }
}

/// Tuning of the job runner.
#[derive(Debug, Clone)]
pub struct JobsConfig {
    /// How long a claimed job stays invisible to other workers.
    pub lease: Duration,
    /// Most jobs claimed per step.
    pub batch: i64,
    /// How often to look for due jobs.
    pub poll: Duration,
}

impl Default for JobsConfig {
    fn default() -> Self {
        JobsConfig {
            lease: Duration::from_secs(60),
            // Jobs that share transactions commit a step at a time, so the batch sets the
            // commits per job; the others run one by one within the lease, which 100 quick
            // jobs never come near.
            batch: 100,
            poll: Duration::from_millis(500),
        }
    }
}

/// Claims and runs jobs.
pub struct JobRunner {
    worker: String,
    store: SharedStore,
    clock: SharedClock,
    metrics: Arc<Metrics>,
    config: JobsConfig,
    handlers: HashMap<&'static str, Arc<dyn JobHandler>>,
}

impl JobRunner {
    pub fn new(
        worker: impl Into<String>,
        store: SharedStore,
        clock: SharedClock,
        metrics: Arc<Metrics>,
        config: JobsConfig,
    ) -> Self {
        JobRunner {
            worker: worker.into(),
            store,
            clock,
            metrics,
            config,
            handlers: HashMap::new(),
        }
    }

    /// Registers the handler for its kind, replacing any earlier one.
    pub fn register(&mut self, handler: Arc<dyn JobHandler>) {
        self.handlers.insert(handler.kind(), handler);
    }

    /// Claims one batch of due jobs and runs them: those that share transactions together in
    /// one, the others one after the other. Returns how many were claimed.
    pub async fn step(&self) -> Result<usize> {
        let jobs = self
            .store
            .jobs_claim(
                &self.worker,
                self.clock.now(),
                self.config.lease,
                self.config.batch,
            )
            .await?;
        let claimed = jobs.len();
        let (together, alone): (Vec<Job>, Vec<Job>) = jobs.into_iter().partition(|job| {
            self.handlers
                .get(job.kind.as_str())
                .is_some_and(|h| h.shares_transaction())
        });
        self.run_together(together).await?;
        for job in alone {
            self.run_one(job).await?;
        }
        Ok(claimed)
    }

    /// Runs jobs whose handlers share transactions in one transaction; if that fails, runs
    /// each on its own.
    async fn run_together(&self, jobs: Vec<Job>) -> Result<()> {
        if jobs.len() < 2 {
            for job in jobs {
                self.run_one(job).await?;
            }
            return Ok(());
        }
        let outcome = async {
            let mut tx = self.store.begin().await?;
            let ids: Vec<i64> = jobs.iter().map(|job| job.id).collect();
            // Completed first, as in `run_one`.
            tx.complete_jobs(&ids).await?;
            for job in &jobs {
                if let Some(handler) = self.handlers.get(job.kind.as_str()) {
                    handler.run(job, tx.as_mut()).await?;
                }
            }
            tx.commit().await
        }
        .await;
        match outcome {
            Ok(()) => {
                for job in &jobs {
                    Metrics::incr(&self.metrics.jobs_completed);
                    if let Some(handler) = self.handlers.get(job.kind.as_str()) {
                        if let Err(error) = handler.after_commit(job).await {
                            tracing::warn!(id = job.id, kind = %job.kind, %error, "after-commit step failed");
                        }
                    }
                }
                Ok(())
            }
            Err(error) => {
                tracing::debug!(%error, jobs = jobs.len(), "a shared job transaction failed; running its jobs one by one");
                for job in jobs {
                    self.run_one(job).await?;
                }
                Ok(())
            }
        }
    }

    async fn run_one(&self, job: Job) -> Result<()> {
        let Some(handler) = self.handlers.get(job.kind.as_str()) else {
            tracing::error!(id = job.id, kind = %job.kind, "no handler for job kind");
            Metrics::incr(&self.metrics.jobs_failed);
            return self
                .store
                .job_fail(job.id, "no handler for this kind")
                .await;
        };
        let outcome = async {
            handler.before_transaction(&job).await?;
            let mut tx = self.store.begin().await?;
            // Completed first, so that a recurring job can schedule its next run under the
            // same dedup key; a failure rolls both back.
            tx.complete_job(job.id).await?;
            handler.run(&job, tx.as_mut()).await?;
            tx.commit().await
        }
        .await;
        match outcome {
            Ok(()) => {
                Metrics::incr(&self.metrics.jobs_completed);
                if let Err(error) = handler.after_commit(&job).await {
                    tracing::warn!(id = job.id, kind = %job.kind, %error, "after-commit step failed");
                }
                Ok(())
            }
            Err(error) => {
                Metrics::incr(&self.metrics.jobs_failed);
                let message = error.to_string();
                if job.attempts >= job.max_attempts {
                    tracing::warn!(id = job.id, kind = %job.kind, %message, "job given up");
                    self.store.job_fail(job.id, &message).await
                } else {
                    let delay = Duration::from_secs(5u64 << job.attempts.clamp(0, 10) as u32)
                        .min(Duration::from_secs(3600));
                    let run_at = self.clock.now()
                        + chrono::Duration::from_std(delay).unwrap_or(chrono::Duration::MAX);
                    tracing::info!(id = job.id, kind = %job.kind, %message, "job will be retried");
                    self.store.job_retry(job.id, run_at, &message).await
                }
            }
        }
    }

    /// Repeats [`JobRunner::step`] until `shutdown`; the job being run is finished first.
    pub async fn run(self, shutdown: CancellationToken) {
        loop {
            let busy = match self.step().await {
                Ok(claimed) => claimed as i64 == self.config.batch,
                Err(error) => {
                    tracing::warn!(%error, "job step failed");
                    false
                }
            };
            if busy {
                if shutdown.is_cancelled() {
                    break;
                }
                continue;
            }
            tokio::select! {
                _ = shutdown.cancelled() => break,
                _ = tokio::time::sleep(self.config.poll) => {}
            }
        }
        tracing::info!("job runner stopped");
    }
}
