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
use groupcart_core::broadcast::{self, BroadcastDraft, BroadcastVariant};
use groupcart_core::clock::{SharedClock, SystemClock};
use groupcart_core::crm::{self, LifecycleRules};
use groupcart_core::metrics::Metrics;
use groupcart_core::segment::{self, Rule};
use groupcart_core::store::SharedStore;
use groupcart_store_postgres::PostgresStore;
use groupcart_store_sqlite::SqliteStore;
use groupcart_worker::crm_jobs::ReleaseBroadcast;
use groupcart_worker::deliver::TelegramDeliver;
use groupcart_worker::jobs::{JobRunner, JobsConfig};
use groupcart_worker::sender::{Sender, SenderConfig};
use std::sync::Arc;
use std::time::Instant;
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

/// What to measure.
#[derive(Debug, Clone)]
pub struct CrmBench {
    pub customers: i64,
    pub orders: i64,
    /// A PostgreSQL server URL; a scratch database is created on it and dropped after.
    pub postgres: Option<String>,
    /// How long each sending run lasts.
    pub send_seconds: u64,
}

const SCRATCH: &str = "groupcart_bench_crm";
const BENCH_BOT: &str = "bench";

/// A fresh store of each kind asked for, seeded with `customers` and `orders`; calls
/// `measure` with each.
async fn on_each_database<F>(
    bench: &CrmBench,
    customers: i64,
    orders: i64,
    mut measure: F,
) -> Result<()>
where
    F: AsyncFnMut(&str, SharedStore) -> Result<()>,
{
    let now = Utc::now();
    let dir = std::env::temp_dir().join(format!("groupcart-bench-crm-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let result = async {
        let sqlite = SqliteStore::open(
            &dir.join("bench.db").to_string_lossy(),
            crate::bench::bench_sealer(),
        )
        .await
        .context("opening the SQLite database")?;
        let started = Instant::now();
        sqlite.seed_synthetic_crm(customers, orders, now).await?;
        println!(
            "sqlite: loaded {customers} customers and {orders} orders in {:.1} s",
            started.elapsed().as_secs_f64()
        );
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
            pg.seed_synthetic_crm(customers, orders, now).await?;
            println!(
                "postgres: loaded {customers} customers and {orders} orders in {:.1} s",
                started.elapsed().as_secs_f64()
            );
            measure("postgres", Arc::new(pg)).await
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
    on_each_database(
        &bench,
        bench.customers,
        bench.orders,
        async |label, store| {
            let store = store.as_ref();
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
        },
    )
    .await
}

/// Messages per second sent as a share of the simulator's limit: the sender is set just under
/// it, as the default configuration is under Telegram's.
const SEND_MARGIN: f64 = 0.97;

/// Sends a broadcast to `customers` synthetic customers through the simulator for `seconds`
/// with its `lane` limit at `limit` per second; aborts the sender and the job runner in the
/// middle (as a crash would) and starts new ones. Prints the rate reached after the first
/// two seconds as a share of the limit, the 429s and the duplicate sends.
async fn send_run(
    label: &str,
    lane: &str,
    limit: u32,
    paid: bool,
    seconds: u64,
    store: SharedStore,
    customers: i64,
) -> Result<()> {
    use groupcart_simulator::{SimConfig, SimUser, Simulator};
    use groupcart_worker::throttle::Limits;
    let simulator = Simulator::new(SimConfig {
        limits: groupcart_simulator::Limits {
            global_per_sec: if paid { 30 } else { limit },
            paid_per_sec: if paid { limit } else { 1000 },
            ..groupcart_simulator::Limits::default()
        },
        ..SimConfig::default()
    });
    let sim = simulator.spawn_local().await?;
    let bot_id = 5_000_000_001i64;
    let token = format!("{bot_id}:broadcast-bench");
    simulator
        .open_private_chats(
            bot_id,
            (1..=customers).map(|x| SimUser {
                id: 9_000_000_000 + x,
                first_name: format!("Customer {x}"),
                last_name: None,
                username: None,
                language_code: Some("en".into()),
            }),
        )
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let draft = BroadcastDraft {
        bot: None,
        name: format!("{lane} lane"),
        rule: Some("marketing".into()),
        segment_id: None,
        variants: vec![BroadcastVariant {
            photo: None,
            texts: [("en".to_owned(), "News for {name}".to_owned())].into(),
            buttons: Vec::new(),
        }],
        holdout_percent: 0,
        send_at: None,
        local_time: None,
        attribution_hours: 72,
        chats: None,
        winner: None,
    };
    let planned =
        broadcast::plan(store.as_ref(), BENCH_BOT, "en", "UTC", &draft, Utc::now()).await?;
    let limits = Limits {
        global_per_sec: if paid {
            28.0
        } else {
            f64::from(limit) * SEND_MARGIN
        },
        paid_per_sec: if paid {
            f64::from(limit) * SEND_MARGIN
        } else {
            0.0
        },
        ..Limits::default()
    };
    let client = groupcart_telegram::Client::new(&sim.url(), &token)?;
    let clock: SharedClock = Arc::new(SystemClock);
    let metrics = Arc::new(Metrics::default());
    let start_workers = || {
        let shutdown = CancellationToken::new();
        let sender = Sender::new(
            BENCH_BOT,
            store.clone(),
            Arc::new(TelegramDeliver::new(client.clone(), None)),
            clock.clone(),
            metrics.clone(),
            SenderConfig {
                limits,
                max_in_flight: 256,
                ..SenderConfig::default()
            },
        );
        let mut jobs = JobRunner::new(
            "bench",
            store.clone(),
            clock.clone(),
            metrics.clone(),
            JobsConfig {
                poll: std::time::Duration::from_millis(200),
                ..JobsConfig::default()
            },
        );
        jobs.register(Arc::new(ReleaseBroadcast {
            clock: clock.clone(),
            default_languages: [(BENCH_BOT.to_owned(), "en".to_owned())].into(),
            window: 2 * (f64::from(limit) * SEND_MARGIN).ceil() as i64,
        }));
        (
            tokio::spawn(sender.run(Arc::new(Notify::new()), shutdown.clone())),
            tokio::spawn(jobs.run(shutdown.clone())),
        )
    };
    let sent = || async {
        let stats = sim.client().stats(bot_id).await?;
        anyhow::Ok((
            stats.sent_messages,
            stats.too_many_requests,
            stats.duplicate_sends,
        ))
    };
    let warm_up = std::time::Duration::from_secs(2);
    let half = std::time::Duration::from_secs(seconds.div_ceil(2));
    let (first_sender, first_jobs) = start_workers();
    tokio::time::sleep(warm_up).await;
    let (from, _, _) = sent().await?;
    let measured_from = Instant::now();
    tokio::time::sleep(half).await;
    let (to, _, _) = sent().await?;
    let elapsed = measured_from.elapsed().as_secs_f64();
    // Then both stop dead, as in a crash, and new ones take over.
    first_sender.abort();
    first_jobs.abort();
    let _ = first_sender.await;
    let _ = first_jobs.await;
    let (sender, jobs) = start_workers();
    tokio::time::sleep(half).await;
    let (after, too_many, duplicates) = sent().await?;
    sender.abort();
    jobs.abort();
    let rate = (to - from) as f64 / elapsed;
    println!(
        "{label}: {lane} lane, limit {limit}/s: {rate:.1} messages/s steady over {elapsed:.0} s \
         ({:.2} of the limit; the sender is set to {SEND_MARGIN}); after an abort mid-run and \
         a restart, {} more sent in {} s; whole run: 429s {too_many}, duplicate sends \
         {duplicates} ({} recipients planned)",
        rate / f64::from(limit),
        after - to,
        half.as_secs(),
        planned.recipients
    );
    Ok(())
}

pub async fn broadcast(bench: CrmBench) -> Result<()> {
    println!(
        "broadcast planning benchmark: {} customers (target: segment evaluated in under 2 s)",
        bench.customers
    );
    let rule_text = "marketing and language in (en, es)";
    on_each_database(&bench, bench.customers, 0, async |label, store| {
        let store = store.as_ref();
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
                BroadcastVariant {
                    photo: None,
                    texts: [("en".to_owned(), "Hello {name}".to_owned())].into(),
                    buttons: Vec::new(),
                },
                BroadcastVariant {
                    photo: None,
                    texts: [("en".to_owned(), "Hi {name}".to_owned())].into(),
                    buttons: Vec::new(),
                },
            ],
            holdout_percent: 10,
            send_at: None,
            local_time: Some((Utc::now() + chrono::Duration::days(1)).date_naive().and_hms_opt(10, 0, 0).unwrap_or_default()),
            attribution_hours: 72,
            chats: None,
            winner: None,
        };
        let started = Instant::now();
        let planned =
            broadcast::plan(store, BENCH_BOT, "en", "UTC", &draft, Utc::now()).await?;
        println!(
            "{label}: broadcast planned in {:.2} s (segment and assignment {:.2} s): {} recipients, {} held out",
            started.elapsed().as_secs_f64(),
            planned.planning_ms as f64 / 1000.0,
            planned.recipients,
            planned.held_out
        );
        Ok(())
    })
    .await?;
    for (lane, limit, paid) in [("free", 30u32, false), ("paid", 1000, true)] {
        // Enough recipients for the run (a third of the synthetic customers decline
        // marketing), at most the planned audience.
        let needed =
            (i64::from(limit) * (bench.send_seconds as i64 + 3) * 3 / 2 + 100).min(bench.customers);
        on_each_database(&bench, needed, 0, async |label, store| {
            send_run(label, lane, limit, paid, bench.send_seconds, store, needed).await
        })
        .await?;
    }
    Ok(())
}
