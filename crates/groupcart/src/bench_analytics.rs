//! `groupcart bench analytics`: the dashboard's analytics reads over synthetic data
//! (customers, member changes, events and paid orders; see the stores'
//! `seed_synthetic_analytics`), on a fresh SQLite database and, if given, a scratch
//! PostgreSQL database on the given server. Printed per database: the time to load the data
//! (not part of the target), then the funnel, the retention cohorts (with 7- and 30-day
//! retention) and growth by source, each over the dashboard's default range (the last 30
//! days) and over the whole 180 days of data, against the target of 2 s each. A missed
//! target is printed, not an error.

use anyhow::{Context, Result};
use chrono::{Duration, Utc};
use groupcart_core::analytics::{self, AnalyticsQuery, Bucket};
use groupcart_core::store::SharedStore;
use groupcart_store_postgres::PostgresStore;
use groupcart_store_sqlite::SqliteStore;
use std::sync::Arc;
use std::time::Instant;

/// What to measure.
#[derive(Debug, Clone)]
pub struct AnalyticsBench {
    pub customers: i64,
    pub events: i64,
    /// A PostgreSQL server URL; a scratch database is created on it and dropped after.
    pub postgres: Option<String>,
}

const SCRATCH: &str = "groupcart_bench_analytics";

/// Seconds each figure should take at most.
const TARGET_SECONDS: f64 = 2.0;

/// Runs the benchmark and prints its figures.
pub async fn run(bench: AnalyticsBench) -> Result<()> {
    anyhow::ensure!(
        bench.customers > 0 && bench.events >= 0,
        "--customers must be positive and --events not negative"
    );
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    println!(
        "analytics benchmark: {} customers, {} events, {} member changes, {} paid orders; \
         {cores} cores (target: each figure under {TARGET_SECONDS} s on 2 cores)",
        bench.customers,
        bench.events,
        bench.customers / 2,
        bench.customers / 10,
    );
    let now = Utc::now();
    let dir =
        std::env::temp_dir().join(format!("groupcart-bench-analytics-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let result = async {
        let sqlite = SqliteStore::open(
            &dir.join("bench.db").to_string_lossy(),
            crate::bench::bench_sealer(),
        )
        .await
        .context("opening the SQLite database")?;
        let started = Instant::now();
        sqlite
            .seed_synthetic_analytics(bench.customers, bench.events, now)
            .await?;
        println!("sqlite: loaded in {:.1} s", started.elapsed().as_secs_f64());
        measure("sqlite", Arc::new(sqlite)).await
    }
    .await;
    let _ = std::fs::remove_dir_all(&dir);
    result?;
    if let Some(server) = &bench.postgres {
        let url = groupcart_store_postgres::synthetic::create_scratch_database(server, SCRATCH)
            .await
            .context("creating the scratch PostgreSQL database")?;
        let result = async {
            let pg = PostgresStore::connect(&url, 8, crate::bench::bench_sealer()).await?;
            let started = Instant::now();
            pg.seed_synthetic_analytics(bench.customers, bench.events, now)
                .await?;
            println!(
                "postgres: loaded in {:.1} s",
                started.elapsed().as_secs_f64()
            );
            let pg = Arc::new(pg);
            let measured = measure("postgres", pg.clone()).await;
            pg.close().await;
            measured
        }
        .await;
        groupcart_store_postgres::synthetic::drop_scratch_database(server, SCRATCH).await?;
        result?;
    }
    Ok(())
}

/// Prints one figure against the target.
fn report(label: &str, what: &str, seconds: f64, detail: &str) {
    let verdict = if seconds < TARGET_SECONDS {
        "met"
    } else {
        "MISSED"
    };
    println!("{label}: {what}: {seconds:.3} s ({verdict}; {detail})");
}

async fn measure(label: &str, store: SharedStore) -> Result<()> {
    let to = Utc::now().date_naive();
    for (range, from) in [
        ("last 30 days", to - Duration::days(29)),
        ("all 180 days", to - Duration::days(179)),
    ] {
        let q = AnalyticsQuery::new(from, to);
        let started = Instant::now();
        let funnel = analytics::funnel(store.as_ref(), &q).await?;
        let counts: Vec<String> = funnel.steps.iter().map(|s| s.count.to_string()).collect();
        report(
            label,
            &format!("funnel, {range}"),
            started.elapsed().as_secs_f64(),
            &format!("steps {}", counts.join(" > ")),
        );

        let started = Instant::now();
        let retention = analytics::retention(store.as_ref(), &q, 8).await?;
        report(
            label,
            &format!("retention cohorts (8 weeks, 7/30-day), {range}"),
            started.elapsed().as_secs_f64(),
            &format!(
                "{} cohorts, 30-day retention {}",
                retention.cohorts.len(),
                // None: nobody first seen in the range is 30 days old by its end.
                retention
                    .day_30
                    .share
                    .map_or("none".to_owned(), |s| format!("{s:.3}"))
            ),
        );

        let started = Instant::now();
        let growth = analytics::growth(store.as_ref(), &q, Bucket::Day).await?;
        let new: i64 = growth.new_customers.iter().map(|n| n.customers).sum();
        report(
            label,
            &format!("growth by source and day, {range}"),
            started.elapsed().as_secs_f64(),
            &format!(
                "{new} new customers, {} member rows, {} link sources",
                growth.members.len(),
                growth.invite_links.len()
            ),
        );
    }
    Ok(())
}
