//! `groupcart bench jobs`: the durable job queue ([`groupcart_core::job`]) run by the real
//! [`JobRunner`] with a trivial handler, on a fresh SQLite database and, if given, a scratch
//! PostgreSQL database on the given server. Two figures, each with the runner's default
//! settings and with tuned ones passed explicitly:
//!
//! - **throughput**: N jobs, all due, are scheduled in transactions of
//!   [`SCHEDULE_BATCH`]; then the runner starts and the jobs per second from its start until
//!   the last job's completion is committed (claim, run, completion and commit of every job)
//!   are printed;
//! - **lateness**: with the runner already running, M jobs are scheduled to fall due evenly
//!   over a few seconds starting a little later; the handler records, for every job, how late
//!   it runs (the clock's now minus the job's `run_at`); p50, p99 and max are printed.
//!
//! Each measurement gets a database of its own, so that nothing left by one (a run stopped at
//! the time limit) is claimed by the next. Targets are printed beside the figures ("met" or
//! "missed"); a missed target does not fail the command.

use anyhow::{Context, Result};
use chrono::{DateTime, Utc};
use groupcart_core::clock::{SharedClock, SystemClock};
use groupcart_core::job::{Job, NewJob};
use groupcart_core::metrics::Metrics;
use groupcart_core::store::{SharedStore, Tx};
use groupcart_store_postgres::PostgresStore;
use groupcart_store_sqlite::SqliteStore;
use groupcart_worker::jobs::{JobHandler, JobRunner, JobsConfig};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio_util::sync::CancellationToken;

/// What to measure.
#[derive(Debug, Clone)]
pub struct JobsBench {
    /// Jobs of the throughput measurement (all due at once).
    pub jobs: u64,
    /// Jobs of the lateness measurement.
    pub late_jobs: u64,
    /// Over how long the lateness jobs fall due.
    pub spread: Duration,
    /// How long after the lateness measurement starts its first job falls due (time to
    /// schedule them all).
    pub lead: Duration,
    /// The tuned runner settings measured beside the defaults.
    pub tuned: JobsConfig,
    /// Runners working the queue at once in an extra tuned measurement on PostgreSQL (as
    /// several instances would); 1 for none. SQLite has one writer: one runner.
    pub postgres_runners: usize,
    /// A measurement that has not finished after this long is stopped and reported as is.
    pub limit: Duration,
    /// A PostgreSQL server URL; a scratch database is created on it and dropped after.
    pub postgres: Option<String>,
}

/// Jobs scheduled per transaction.
pub const SCHEDULE_BATCH: usize = 1000;
const KIND: &str = "bench.noop";
const SCRATCH: &str = "groupcart_bench_jobs";
const SQLITE_TARGET: f64 = 20_000.0;
const POSTGRES_TARGET: f64 = 10_000.0;
const LATENESS_TARGET: Duration = Duration::from_secs(1);

/// Does nothing inside the runner's transaction; when measuring lateness, notes how late
/// each job runs.
struct Noop {
    clock: SharedClock,
    /// Lateness of each job run, in microseconds.
    lateness: Option<Arc<Mutex<Vec<i64>>>>,
}

#[async_trait::async_trait]
impl JobHandler for Noop {
    fn kind(&self) -> &'static str {
        KIND
    }

    fn shares_transaction(&self) -> bool {
        true
    }

    async fn run(&self, job: &Job, _tx: &mut dyn Tx) -> groupcart_core::Result<()> {
        if let Some(lateness) = &self.lateness {
            let late = self.clock.now() - job.run_at;
            let micros = late.num_microseconds().unwrap_or(i64::MAX);
            lateness
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner())
                .push(micros);
        }
        Ok(())
    }
}

/// A database to measure on: every measurement opens a fresh one.
enum Database {
    Sqlite { dir: PathBuf },
    Postgres { server: String },
}

impl Database {
    fn label(&self) -> &'static str {
        match self {
            Database::Sqlite { .. } => "sqlite",
            Database::Postgres { .. } => "postgres",
        }
    }

    async fn fresh(&self, n: usize, connections: u32) -> Result<Fresh> {
        Ok(match self {
            Database::Sqlite { dir } => {
                let path = dir.join(format!("jobs-{n}.db"));
                Fresh::Sqlite(Box::new(
                    SqliteStore::open(&path.to_string_lossy(), crate::bench::bench_sealer())
                        .await
                        .context("opening the SQLite database")?,
                ))
            }
            Database::Postgres { server } => {
                let url =
                    groupcart_store_postgres::synthetic::create_scratch_database(server, SCRATCH)
                        .await
                        .context("creating the scratch PostgreSQL database")?;
                Fresh::Postgres(
                    PostgresStore::connect(&url, connections, crate::bench::bench_sealer())
                        .await
                        .context("connecting to the scratch PostgreSQL database")?,
                )
            }
        })
    }
}

enum Fresh {
    Sqlite(Box<SqliteStore>),
    Postgres(PostgresStore),
}

impl Fresh {
    fn shared(&self) -> SharedStore {
        match self {
            Fresh::Sqlite(store) => Arc::new(SqliteStore::clone(store)),
            Fresh::Postgres(store) => Arc::new(store.clone()),
        }
    }

    async fn close(self) {
        match self {
            Fresh::Sqlite(store) => store.close().await,
            Fresh::Postgres(store) => store.close().await,
        }
    }
}

/// Runner settings of one row.
struct Settings {
    name: &'static str,
    config: JobsConfig,
    runners: usize,
}

impl Settings {
    fn short(&self) -> String {
        match self.runners {
            1 => self.name.to_owned(),
            n => format!("{}, {n} runners", self.name),
        }
    }

    fn describe(&self) -> String {
        format!(
            "{} (batch {}, poll {} ms, {} runner{})",
            self.name,
            self.config.batch,
            self.config.poll.as_millis(),
            self.runners,
            if self.runners == 1 { "" } else { "s" }
        )
    }
}

/// Schedules one job due at `run_at(i)` for each `i` in `0..n`, [`SCHEDULE_BATCH`] to a
/// transaction; returns how long it took.
async fn schedule(
    store: &SharedStore,
    n: u64,
    run_at: impl Fn(u64) -> DateTime<Utc>,
) -> Result<Duration> {
    let started = Instant::now();
    let mut i = 0;
    while i < n {
        let end = (i + SCHEDULE_BATCH as u64).min(n);
        let mut tx = store.begin().await?;
        for j in i..end {
            tx.schedule_job(&NewJob::new(KIND, serde_json::json!({ "n": j }), run_at(j)))
                .await?;
        }
        tx.commit().await?;
        i = end;
    }
    Ok(started.elapsed())
}

/// Runners working the queue of `store` until the token is cancelled.
struct Runners {
    metrics: Arc<Metrics>,
    stop: CancellationToken,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

impl Runners {
    fn start(store: &SharedStore, settings: &Settings, handler: Arc<Noop>) -> Runners {
        let metrics = Arc::new(Metrics::default());
        let stop = CancellationToken::new();
        let clock: SharedClock = Arc::new(SystemClock);
        let tasks = (0..settings.runners.max(1))
            .map(|i| {
                let mut runner = JobRunner::new(
                    format!("bench-{i}"),
                    store.clone(),
                    clock.clone(),
                    metrics.clone(),
                    settings.config.clone(),
                );
                runner.register(handler.clone());
                tokio::spawn(runner.run(stop.clone()))
            })
            .collect();
        Runners {
            metrics,
            stop,
            tasks,
        }
    }

    /// Waits until `n` jobs are completed (committed) or `deadline`; returns how many were.
    async fn wait(&self, n: u64, deadline: Instant) -> Result<u64> {
        loop {
            let done = Metrics::get(&self.metrics.jobs_completed);
            anyhow::ensure!(
                Metrics::get(&self.metrics.jobs_failed) == 0,
                "a job failed during the benchmark"
            );
            if done >= n || Instant::now() >= deadline {
                return Ok(done);
            }
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
    }

    async fn stop(self) {
        self.stop.cancel();
        for task in self.tasks {
            let _ = task.await;
        }
    }
}

/// One throughput measurement: jobs completed per second, and how many of `n` finished.
struct Throughput {
    scheduling: Duration,
    done: u64,
    elapsed: Duration,
}

async fn throughput(
    store: &SharedStore,
    settings: &Settings,
    n: u64,
    limit: Duration,
) -> Result<Throughput> {
    let now = Utc::now();
    let scheduling = schedule(store, n, |_| now).await?;
    let handler = Arc::new(Noop {
        clock: Arc::new(SystemClock),
        lateness: None,
    });
    let started = Instant::now();
    let runners = Runners::start(store, settings, handler);
    let done = runners.wait(n, started + limit).await?;
    let elapsed = started.elapsed();
    runners.stop().await;
    Ok(Throughput {
        scheduling,
        done,
        elapsed,
    })
}

/// One lateness measurement: every run job's lateness (sorted, microseconds), how long the
/// scheduling took and whether it outlasted the lead.
struct Lateness {
    scheduling: Duration,
    late: Vec<i64>,
}

impl Lateness {
    fn percentile_ms(&self, p: f64) -> f64 {
        let last = self.late.len().saturating_sub(1);
        let i = ((last as f64) * p).round() as usize;
        self.late.get(i).copied().unwrap_or_default() as f64 / 1000.0
    }
}

async fn lateness(store: &SharedStore, settings: &Settings, bench: &JobsBench) -> Result<Lateness> {
    let n = bench.late_jobs;
    let late = Arc::new(Mutex::new(Vec::with_capacity(n as usize)));
    let handler = Arc::new(Noop {
        clock: Arc::new(SystemClock),
        lateness: Some(late.clone()),
    });
    // The runner is already polling when the jobs are scheduled, as in a running server.
    let runners = Runners::start(store, settings, handler);
    let first = Utc::now() + chrono::Duration::from_std(bench.lead)?;
    let spread = bench.spread.as_micros() as i64;
    let started = Instant::now();
    let scheduling = schedule(store, n, |i| {
        first + chrono::Duration::microseconds(spread * i as i64 / n.max(1) as i64)
    })
    .await?;
    let done = runners
        .wait(n, started + bench.lead + bench.spread + bench.limit)
        .await?;
    runners.stop().await;
    let mut late = std::mem::take(&mut *late.lock().unwrap_or_else(|p| p.into_inner()));
    anyhow::ensure!(
        late.len() as u64 >= done,
        "the handler saw fewer jobs than were completed"
    );
    late.sort_unstable();
    Ok(Lateness { scheduling, late })
}

fn verdict(met: bool) -> &'static str {
    if met {
        "met"
    } else {
        "missed"
    }
}

/// Runs the benchmark on each database and prints a table.
pub async fn jobs(bench: JobsBench) -> Result<()> {
    println!(
        "jobs benchmark: throughput over {} jobs due at once; lateness over {} jobs falling due \
         over {} s ({:.0} jobs/s); on {} cores",
        bench.jobs,
        bench.late_jobs,
        bench.spread.as_secs_f64(),
        bench.late_jobs as f64 / bench.spread.as_secs_f64().max(0.001),
        std::thread::available_parallelism().map_or(1, |n| n.get())
    );
    println!(
        "targets: throughput ≥ {SQLITE_TARGET:.0} jobs/s on SQLite, ≥ {POSTGRES_TARGET:.0} jobs/s \
         on PostgreSQL; lateness p99 < {} ms",
        LATENESS_TARGET.as_millis()
    );
    println!(
        "{:<58} {:>9} {:>7} {:>8} {:>8} {:>8} {:>7}",
        "", "jobs/s", "target", "p50 ms", "p99 ms", "max ms", "target"
    );
    let dir = std::env::temp_dir().join(format!("groupcart-bench-jobs-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let mut databases = vec![Database::Sqlite { dir: dir.clone() }];
    if let Some(server) = &bench.postgres {
        databases.push(Database::Postgres {
            server: server.clone(),
        });
    }
    let mut notes = Vec::new();
    let mut result = Ok(());
    for database in &databases {
        result = on_database(database, &bench, &mut notes).await;
        if result.is_err() {
            break;
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
    if let Some(server) = &bench.postgres {
        if let Err(error) =
            groupcart_store_postgres::synthetic::drop_scratch_database(server, SCRATCH).await
        {
            notes.push(format!("could not drop the scratch database: {error}"));
        }
    }
    for note in notes {
        println!("  {note}");
    }
    result
}

async fn on_database(
    database: &Database,
    bench: &JobsBench,
    notes: &mut Vec<String>,
) -> Result<()> {
    let label = database.label();
    let target = match database {
        Database::Sqlite { .. } => SQLITE_TARGET,
        Database::Postgres { .. } => POSTGRES_TARGET,
    };
    let mut rows = vec![
        Settings {
            name: "defaults",
            config: JobsConfig::default(),
            runners: 1,
        },
        Settings {
            name: "tuned",
            config: bench.tuned.clone(),
            runners: 1,
        },
    ];
    // SQLite has one writer: more runners only queue for it.
    if matches!(database, Database::Postgres { .. }) && bench.postgres_runners > 1 {
        rows.push(Settings {
            name: "tuned",
            config: bench.tuned.clone(),
            runners: bench.postgres_runners,
        });
    }
    let mut fresh_count = 0;
    for settings in &rows {
        let connections = (settings.runners as u32 + 2).max(4);
        let mut rate = None;
        if bench.jobs > 0 {
            fresh_count += 1;
            let fresh = database.fresh(fresh_count, connections).await?;
            let measured = throughput(&fresh.shared(), settings, bench.jobs, bench.limit).await;
            fresh.close().await;
            let measured = measured?;
            let jobs_per_sec = measured.done as f64 / measured.elapsed.as_secs_f64();
            notes.push(format!(
                "{label}, {}: {} jobs scheduled in {:.2} s ({:.0} jobs/s, {SCHEDULE_BATCH} per \
                 transaction); {} of them completed in {:.2} s{}",
                settings.short(),
                bench.jobs,
                measured.scheduling.as_secs_f64(),
                bench.jobs as f64 / measured.scheduling.as_secs_f64(),
                measured.done,
                measured.elapsed.as_secs_f64(),
                if measured.done < bench.jobs {
                    format!(" (stopped at the {} s limit)", bench.limit.as_secs())
                } else {
                    String::new()
                }
            ));
            rate = Some(jobs_per_sec);
        }
        let mut late = None;
        if bench.late_jobs > 0 {
            fresh_count += 1;
            let fresh = database.fresh(fresh_count, connections).await?;
            let measured = lateness(&fresh.shared(), settings, bench).await;
            fresh.close().await;
            let measured = measured?;
            if measured.scheduling > bench.lead {
                notes.push(format!(
                    "{label}, {}: scheduling the lateness jobs took {:.2} s, longer than the \
                     {:.1} s before the first falls due: the first ones ran late for that",
                    settings.short(),
                    measured.scheduling.as_secs_f64(),
                    bench.lead.as_secs_f64()
                ));
            }
            if (measured.late.len() as u64) < bench.late_jobs {
                notes.push(format!(
                    "{label}, {}: only {} of {} lateness jobs ran before the limit",
                    settings.short(),
                    measured.late.len(),
                    bench.late_jobs
                ));
            }
            late = Some(measured);
        }
        let rate_cells = match rate {
            Some(rate) => format!("{rate:>9.0} {:>7}", verdict(rate >= target)),
            None => format!("{:>9} {:>7}", "-", "-"),
        };
        let late_cells = match &late {
            Some(late) => {
                let p99 = late.percentile_ms(0.99);
                let complete = late.late.len() as u64 >= bench.late_jobs;
                format!(
                    "{:>8.1} {p99:>8.1} {:>8.1} {:>7}",
                    late.percentile_ms(0.50),
                    late.percentile_ms(1.0),
                    verdict(complete && p99 < LATENESS_TARGET.as_secs_f64() * 1000.0)
                )
            }
            None => format!("{:>8} {:>8} {:>8} {:>7}", "-", "-", "-", "-"),
        };
        println!(
            "{:<58} {rate_cells} {late_cells}",
            format!("{label}: {}", settings.describe())
        );
    }
    Ok(())
}
