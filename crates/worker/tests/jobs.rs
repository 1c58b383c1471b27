//! The job runner on SQLite and PostgreSQL.

use async_trait::async_trait;
use chrono::Utc;
use groupcart_core::clock::{SharedClock, SystemClock};
use groupcart_core::job::{Job, NewJob};
use groupcart_core::metrics::Metrics;
use groupcart_core::outbox::{Action, NewOutbound};
use groupcart_core::store::{SharedStore, Tx};
use groupcart_core::{Error, Result};
use groupcart_worker::jobs::{JobRunner, JobsConfig};
use serde_json::json;
use std::sync::Arc;

/// Enqueues a message to the chat in its payload; fails if the payload says so, after
/// having enqueued (to prove the rollback).
struct Remind;

#[async_trait]
impl groupcart_worker::jobs::JobHandler for Remind {
    fn kind(&self) -> &'static str {
        "remind"
    }
    async fn run(&self, job: &Job, tx: &mut dyn Tx) -> Result<()> {
        tx.enqueue(&NewOutbound {
            bot: "b".into(),
            chat_id: job.payload["chat"].as_i64().unwrap_or_default(),
            customer_id: None,
            action: Action::SendText {
                text: "reminder".into(),
                buttons: Vec::new(),
            },
            broadcast: false,
            not_before: Utc::now(),
            created_at: Utc::now(),
        })
        .await?;
        if job.payload["fail"].as_bool().unwrap_or(false) {
            return Err(Error::Invalid("asked to fail".into()));
        }
        Ok(())
    }
}

/// [`Remind`] for jobs of kind `remind-together`, run in one transaction with the others
/// of a step; counts its runs (including those rolled back).
#[derive(Default)]
struct RemindTogether {
    runs: std::sync::atomic::AtomicUsize,
}

#[async_trait]
impl groupcart_worker::jobs::JobHandler for RemindTogether {
    fn kind(&self) -> &'static str {
        "remind-together"
    }
    fn shares_transaction(&self) -> bool {
        true
    }
    async fn run(&self, job: &Job, tx: &mut dyn Tx) -> Result<()> {
        self.runs.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        Remind.run(job, tx).await
    }
}

fn runner(store: &SharedStore, metrics: Arc<Metrics>) -> JobRunner {
    let clock: SharedClock = Arc::new(SystemClock);
    let mut runner = JobRunner::new("test", store.clone(), clock, metrics, JobsConfig::default());
    runner.register(Arc::new(Remind));
    runner
}

fn runner_together(store: &SharedStore, metrics: Arc<Metrics>) -> (JobRunner, Arc<RemindTogether>) {
    let mut runner = runner(store, metrics);
    let together = Arc::new(RemindTogether::default());
    runner.register(together.clone());
    (runner, together)
}

async fn schedule(store: &SharedStore, job: NewJob) -> Option<i64> {
    let mut tx = store.begin().await.unwrap();
    let id = tx.schedule_job(&job).await.unwrap();
    tx.commit().await.unwrap();
    id
}

async fn a_job_and_its_effects_commit_together(store: SharedStore) {
    let metrics = Arc::new(Metrics::default());
    let runner = runner(&store, metrics.clone());
    schedule(
        &store,
        NewJob::new("remind", json!({"chat": 7}), Utc::now()),
    )
    .await;
    assert_eq!(runner.step().await.unwrap(), 1);
    assert_eq!(store.outbox_stats().await.unwrap().pending, 1);
    assert_eq!(runner.step().await.unwrap(), 0, "a completed job is gone");
    assert_eq!(Metrics::get(&metrics.jobs_completed), 1);
}

async fn a_failing_job_rolls_back_and_is_retried_later(store: SharedStore) {
    let metrics = Arc::new(Metrics::default());
    let runner = runner(&store, metrics.clone());
    schedule(
        &store,
        NewJob::new("remind", json!({"chat": 7, "fail": true}), Utc::now()),
    )
    .await;
    assert_eq!(runner.step().await.unwrap(), 1);
    assert_eq!(
        store.outbox_stats().await.unwrap().pending,
        0,
        "effects rolled back"
    );
    assert_eq!(Metrics::get(&metrics.jobs_failed), 1);
    assert_eq!(
        runner.step().await.unwrap(),
        0,
        "retry waits for its backoff"
    );
}

async fn a_job_is_given_up_after_its_last_attempt(store: SharedStore) {
    let runner = runner(&store, Arc::new(Metrics::default()));
    let mut job =
        NewJob::new("remind", json!({"chat": 7, "fail": true}), Utc::now()).dedup_key("k");
    job.max_attempts = 1;
    schedule(&store, job.clone()).await;
    assert_eq!(runner.step().await.unwrap(), 1);
    // Given up: its dedup key is free again.
    assert!(schedule(&store, job).await.is_some());
}

async fn an_unknown_kind_fails_without_blocking_others(store: SharedStore) {
    let runner = runner(&store, Arc::new(Metrics::default()));
    schedule(
        &store,
        NewJob::new("nobody-runs-this", json!({}), Utc::now()),
    )
    .await;
    schedule(
        &store,
        NewJob::new("remind", json!({"chat": 1}), Utc::now()),
    )
    .await;
    assert_eq!(runner.step().await.unwrap(), 2);
    assert_eq!(store.outbox_stats().await.unwrap().pending, 1);
    assert_eq!(runner.step().await.unwrap(), 0);
}

async fn jobs_sharing_a_transaction_commit_together(store: SharedStore) {
    let metrics = Arc::new(Metrics::default());
    let (runner, together) = runner_together(&store, metrics.clone());
    for chat in 1..=5 {
        schedule(
            &store,
            NewJob::new("remind-together", json!({"chat": chat}), Utc::now()),
        )
        .await;
    }
    schedule(
        &store,
        NewJob::new("remind", json!({"chat": 9}), Utc::now()),
    )
    .await;
    assert_eq!(runner.step().await.unwrap(), 6);
    assert_eq!(store.outbox_stats().await.unwrap().pending, 6);
    assert_eq!(Metrics::get(&metrics.jobs_completed), 6);
    assert_eq!(together.runs.load(std::sync::atomic::Ordering::SeqCst), 5);
    assert_eq!(runner.step().await.unwrap(), 0, "every job is gone");
}

async fn a_failing_job_does_not_hold_back_those_sharing_its_transaction(store: SharedStore) {
    let metrics = Arc::new(Metrics::default());
    let (runner, together) = runner_together(&store, metrics.clone());
    for (chat, fail) in [(1, false), (2, true), (3, false)] {
        schedule(
            &store,
            NewJob::new(
                "remind-together",
                json!({"chat": chat, "fail": fail}),
                Utc::now(),
            ),
        )
        .await;
    }
    assert_eq!(runner.step().await.unwrap(), 3);
    // The shared transaction (two runs, up to the failure) was rolled back; then each ran
    // alone: two committed, the failing one rolled back and waits for its retry.
    assert_eq!(together.runs.load(std::sync::atomic::Ordering::SeqCst), 5);
    assert_eq!(store.outbox_stats().await.unwrap().pending, 2);
    assert_eq!(Metrics::get(&metrics.jobs_completed), 2);
    assert_eq!(Metrics::get(&metrics.jobs_failed), 1);
    assert_eq!(
        runner.step().await.unwrap(),
        0,
        "the retry waits for its backoff"
    );
}

groupcart_store_contract::backend_tests!(
    jobs_sharing_a_transaction_commit_together,
    a_failing_job_does_not_hold_back_those_sharing_its_transaction,
    a_job_and_its_effects_commit_together,
    a_failing_job_rolls_back_and_is_retried_later,
    a_job_is_given_up_after_its_last_attempt,
    an_unknown_kind_fails_without_blocking_others,
);
