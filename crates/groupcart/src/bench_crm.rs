//! `groupcart bench rfm`: a full lifecycle recompute (stage and RFM scores of every
//! customer, [`groupcart_core::crm::recompute_all`]) over synthetic customers and paid
//! orders, on a fresh SQLite database and, if given, a fresh PostgreSQL database on the
//! given server. Printed: the time to load the data (not part of the target), the first
//! recompute (every stage written, with its change events) and a second one over the same
//! data (reads and computes everything, writes only what changed: nothing).
//!
//! `groupcart bench broadcast` plans a broadcast to a segment of synthetic customers and
//! reports how long evaluating the rule over all of them and storing the recipients take.

use anyhow::{Context, Result};
use chrono::Utc;
use groupcart_core::broadcast::{self, BroadcastDraft, Variant};
use groupcart_core::crm::{self, LifecycleRules};
use groupcart_core::segment::{self, Rule};
use groupcart_core::store::Store;
use groupcart_store_postgres::PostgresStore;
use groupcart_store_sqlite::SqliteStore;
use std::time::Instant;

/// What to measure.
#[derive(Debug, Clone)]
pub struct CrmBench {
    pub customers: i64,
    pub orders: i64,
    /// A PostgreSQL server URL; a scratch database is created on it and dropped after.
    pub postgres: Option<String>,
}

const SCRATCH: &str = "groupcart_bench_crm";

/// A fresh store of each kind asked for, seeded; calls `measure` with each.
async fn on_each_database<F>(bench: &CrmBench, mut measure: F) -> Result<()>
where
    F: AsyncFnMut(&str, &dyn Store) -> Result<()>,
{
    let now = Utc::now();
    let dir = std::env::temp_dir().join(format!("groupcart-bench-crm-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let result = async {
        let sqlite = SqliteStore::open(&dir.join("bench.db").to_string_lossy())
            .await
            .context("opening the SQLite database")?;
        let started = Instant::now();
        sqlite
            .seed_synthetic_crm(bench.customers, bench.orders, now)
            .await?;
        println!(
            "sqlite: loaded {} customers and {} orders in {:.1} s",
            bench.customers,
            bench.orders,
            started.elapsed().as_secs_f64()
        );
        measure("sqlite", &sqlite).await
    }
    .await;
    let _ = std::fs::remove_dir_all(&dir);
    result?;
    if let Some(server) = &bench.postgres {
        let url = groupcart_store_postgres::synthetic::create_scratch_database(server, SCRATCH)
            .await
            .context("creating the scratch PostgreSQL database")?;
        let result = async {
            let pg = PostgresStore::connect(&url, 8).await?;
            let started = Instant::now();
            pg.seed_synthetic_crm(bench.customers, bench.orders, now)
                .await?;
            println!(
                "postgres: loaded {} customers and {} orders in {:.1} s",
                bench.customers,
                bench.orders,
                started.elapsed().as_secs_f64()
            );
            measure("postgres", &pg).await
        }
        .await;
        groupcart_store_postgres::synthetic::drop_scratch_database(server, SCRATCH).await?;
        result?;
    }
    Ok(())
}

pub async fn rfm(bench: CrmBench) -> Result<()> {
    println!(
        "rfm benchmark: full lifecycle recompute, {} customers, {} orders (target: under 5 s)",
        bench.customers, bench.orders
    );
    let rules = LifecycleRules::default();
    on_each_database(&bench, async |label, store| {
        for run in ["first (writes every stage)", "second (nothing changed)"] {
            let started = Instant::now();
            let mut tx = store.begin().await?;
            let report = crm::recompute_all(store, tx.as_mut(), &rules, Utc::now()).await?;
            tx.commit().await?;
            println!(
                "{label}: recompute, {run}: {:.2} s ({} customers, {} stage changes, {} written)",
                started.elapsed().as_secs_f64(),
                report.customers,
                report.stage_changes,
                report.written
            );
        }
        Ok(())
    })
    .await
}

pub async fn broadcast(bench: CrmBench) -> Result<()> {
    println!(
        "broadcast planning benchmark: {} customers (target: segment evaluated in under 2 s)",
        bench.customers
    );
    let rule_text = "marketing and language in (en, es)";
    on_each_database(&bench, async |label, store| {
        let rule = Rule::parse(rule_text).map_err(|e| anyhow::anyhow!("{e}"))?;
        let started = Instant::now();
        let preview = segment::preview(store, &rule, Utc::now()).await?;
        println!(
            "{label}: segment `{rule_text}` evaluated over every customer in {:.2} s: {} match",
            started.elapsed().as_secs_f64(),
            preview.count
        );
        let draft = BroadcastDraft {
            bot: None,
            name: "Benchmark".into(),
            rule: Some(rule_text.into()),
            segment_id: None,
            variants: vec![
                Variant {
                    texts: [("en".to_owned(), "Hello {name}".to_owned())].into(),
                    buttons: Vec::new(),
                },
                Variant {
                    texts: [("en".to_owned(), "Hi {name}".to_owned())].into(),
                    buttons: Vec::new(),
                },
            ],
            holdout_percent: 10,
            send_at: None,
            local_time: Some((Utc::now() + chrono::Duration::days(1)).date_naive().and_hms_opt(10, 0, 0).unwrap_or_default()),
            attribution_hours: 72,
        };
        let started = Instant::now();
        let planned = broadcast::plan(store, "bench", "en", "UTC", &draft, Utc::now()).await?;
        println!(
            "{label}: broadcast planned in {:.2} s (segment and assignment {:.2} s): {} recipients, {} held out",
            started.elapsed().as_secs_f64(),
            planned.planning_ms as f64 / 1000.0,
            planned.recipients,
            planned.held_out
        );
        Ok(())
    })
    .await
}
