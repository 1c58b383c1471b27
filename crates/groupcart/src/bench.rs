//! `groupcart bench ingest`: how many webhook updates per second are durably acknowledged,
//! and how many `/start` conversations per second are handled end to end, on each database,
//! printed beside a bare server that only parses an update and answers 200, measured in the
//! same run on the same machine.
//!
//! The load generator runs in the same process over loopback and shares the CPU with the
//! server, so the figures are lower bounds of what a separate load balancer would see.

use crate::config::{redact_url, DatabaseConfig};
use crate::storage;
use anyhow::{Context, Result};
use axum::body::Bytes;
use axum::http::StatusCode;
use axum::routing::post;
use axum::Router;
use groupcart_bot::dispatch::{self, DispatchConfig};
use groupcart_bot::handler::UpdateHandler;
use groupcart_bot::intake::Intake;
use groupcart_bot::SenderWakers;
use groupcart_core::bot::{BotKey, BotProfile};
use groupcart_core::i18n::Texts;
use groupcart_core::inbox::NewInboxUpdate;
use groupcart_core::metrics::Metrics;
use groupcart_core::store::SharedStore;
use groupcart_http::{AppState, WebhookBot};
use groupcart_telegram::types::Update;
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

/// What to measure.
#[derive(Debug, Clone)]
pub struct IngestBench {
    /// Databases to measure, as URLs.
    pub databases: Vec<String>,
    /// Webhook requests per measurement.
    pub requests: u64,
    /// Requests in flight at once.
    pub concurrency: usize,
    /// `/start` conversations per measurement.
    pub conversations: u64,
}

const BOT: &str = "bench";
const SECRET: &str = "bench-secret";

/// A realistic private `/start` update from user `user`.
fn start_update(update_id: i64, user: i64) -> String {
    serde_json::json!({
        "update_id": update_id,
        "message": {
            "message_id": 1,
            "date": 1_790_000_000,
            "chat": {"id": user, "type": "private", "first_name": "Ana", "username": format!("u{user}")},
            "from": {"id": user, "is_bot": false, "first_name": "Ana", "username": format!("u{user}"), "language_code": "en"},
            "text": "/start campaign42",
            "entities": [{"offset": 0, "length": 6, "type": "bot_command"}]
        }
    })
    .to_string()
}

/// A base for update and user ids that does not collide with earlier runs on the same
/// database.
fn id_base() -> i64 {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    ((nanos / 1_000) % 1_000_000_000_000) as i64 * 100
}

async fn serve(router: Router) -> Result<(SocketAddr, CancellationToken)> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let stop = CancellationToken::new();
    let stopped = stop.clone();
    tokio::spawn(async move {
        let _ = axum::serve(listener, router)
            .with_graceful_shutdown(async move { stopped.cancelled().await })
            .await;
    });
    Ok((addr, stop))
}

/// Posts `requests` distinct updates to `url` with `concurrency` workers; returns
/// acknowledged requests per second.
async fn load(url: String, requests: u64, concurrency: usize) -> Result<f64> {
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(concurrency)
        .build()?;
    let next = Arc::new(AtomicU64::new(0));
    let base = id_base();
    let start = Instant::now();
    let mut workers = tokio::task::JoinSet::new();
    for _ in 0..concurrency {
        let (client, next, url) = (client.clone(), next.clone(), url.clone());
        workers.spawn(async move {
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= requests {
                    return Ok::<(), anyhow::Error>(());
                }
                let body = start_update(base + i as i64, 1_000_000 + i as i64);
                let response = client
                    .post(&url)
                    .header("content-type", "application/json")
                    .header("x-telegram-bot-api-secret-token", SECRET)
                    .body(body)
                    .send()
                    .await?;
                anyhow::ensure!(
                    response.status() == StatusCode::OK,
                    "status {}",
                    response.status()
                );
            }
        });
    }
    while let Some(result) = workers.join_next().await {
        result??;
    }
    Ok(requests as f64 / start.elapsed().as_secs_f64())
}

/// The ceiling: parse the update, answer 200, store nothing.
async fn bare(requests: u64, concurrency: usize) -> Result<f64> {
    let router = Router::new().route(
        "/telegram/bench",
        post(|body: Bytes| async move {
            match serde_json::from_slice::<Update>(&body) {
                Ok(_) => StatusCode::OK,
                Err(_) => StatusCode::BAD_REQUEST,
            }
        }),
    );
    let (addr, stop) = serve(router).await?;
    let rate = load(
        format!("http://{addr}/telegram/bench"),
        requests,
        concurrency,
    )
    .await;
    stop.cancel();
    rate
}

/// The real webhook endpoint, each update stored durably before the 200.
async fn webhook(store: SharedStore, requests: u64, concurrency: usize) -> Result<f64> {
    let metrics = Arc::new(Metrics::default());
    let intake = Intake::start(store.clone(), metrics.clone(), Arc::new(Notify::new()));
    let state = AppState {
        store,
        intake,
        metrics,
        webhooks: Arc::new(HashMap::from([(
            BOT.to_owned(),
            WebhookBot {
                secret: SECRET.into(),
            },
        )])),
        landing: Arc::new(Vec::new()),
        api_token: None,
        texts: Arc::new(groupcart_core::i18n::Texts::builtin()),
        wakers: groupcart_bot::SenderWakers::default(),
        shop: groupcart_core::shop::ShopSettings::default(),
        webapp: Arc::new(HashMap::new()),
    };
    let (addr, stop) = serve(groupcart_http::router(state)).await?;
    let rate = load(
        format!("http://{addr}/telegram/{BOT}"),
        requests,
        concurrency,
    )
    .await;
    stop.cancel();
    rate
}

/// Stores `n` `/start` updates from distinct users, then measures how fast the dispatcher
/// runs them through the use case (customer, consent notice, events, outbox) to done.
async fn conversations(store: SharedStore, n: u64) -> Result<f64> {
    let base = id_base();
    let received_at = chrono::Utc::now();
    for chunk in (0..n).collect::<Vec<_>>().chunks(1000) {
        let updates: Vec<NewInboxUpdate> = chunk
            .iter()
            .map(|i| NewInboxUpdate {
                bot: BOT.into(),
                update_id: base + *i as i64,
                chat_id: Some(5_000_000 + base + *i as i64),
                payload: start_update(base + *i as i64, 5_000_000 + base + *i as i64),
                received_at,
            })
            .collect();
        store.inbox_insert(&updates).await?;
    }
    let metrics = Arc::new(Metrics::default());
    let profile = BotProfile {
        key: BotKey::new(BOT),
        default_language: "en".into(),
        currency: "USD".into(),
        market: "global".into(),
        policy_version: "1".into(),
        shipping_fee: 0,
        staff_chat: None,
        manual_payment: None,
    };
    let handler = Arc::new(UpdateHandler::new(
        store.clone(),
        [profile],
        Arc::new(Texts::builtin()),
        groupcart_core::shop::ShopSettings::default(),
        SenderWakers::default(),
        metrics.clone(),
    ));
    let stop = CancellationToken::new();
    let start = Instant::now();
    let task = tokio::spawn(dispatch::run(
        handler,
        metrics.clone(),
        DispatchConfig::default(),
        Arc::new(Notify::new()),
        stop.clone(),
    ));
    while Metrics::get(&metrics.updates_processed) < n {
        anyhow::ensure!(
            Metrics::get(&metrics.updates_failed) == 0,
            "processing failed during the benchmark"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let rate = n as f64 / start.elapsed().as_secs_f64();
    stop.cancel();
    task.await?;
    Ok(rate)
}

/// Runs the benchmark and prints a table.
pub async fn ingest(bench: IngestBench) -> Result<()> {
    println!(
        "ingest benchmark: {} webhook requests at concurrency {}, {} /start conversations",
        bench.requests, bench.concurrency, bench.conversations
    );
    let ceiling = bare(bench.requests, bench.concurrency).await?;
    println!(
        "{:<44} {:>12.0} updates/s",
        "bare parse-and-200 server (no storage)", ceiling
    );
    for url in &bench.databases {
        let store = storage::open(&DatabaseConfig {
            url: url.clone(),
            max_connections: 16,
        })
        .await
        .with_context(|| format!("opening {}", redact_url(url)))?;
        let label = if url.starts_with("sqlite") {
            "sqlite"
        } else {
            "postgres"
        };
        let acked = webhook(store.clone(), bench.requests, bench.concurrency).await?;
        println!(
            "{:<44} {:>12.0} updates/s ({:.0}% of bare)",
            format!("{label}: webhook, durably stored before 200"),
            acked,
            100.0 * acked / ceiling
        );
        let handled = conversations(store, bench.conversations).await?;
        println!(
            "{:<44} {:>12.0} conversations/s",
            format!("{label}: /start handled end to end"),
            handled
        );
    }
    Ok(())
}

/// Starts a sandbox groupcart in this process, lets it settle, and prints its resident
/// memory: what `groupcart serve` costs while idle.
pub async fn memory() -> Result<()> {
    let dir = std::env::temp_dir().join(format!("groupcart-bench-memory-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let mut config = crate::config::Config::default();
    config.database.url = format!("sqlite://{}", dir.join("memory.db").display());
    config.http.listen = SocketAddr::from(([127, 0, 0, 1], 0));
    let app = crate::app::App::start(config).await?;
    tokio::time::sleep(Duration::from_secs(3)).await;
    let rss = resident_kib();
    app.shutdown();
    app.stopped().await;
    let _ = std::fs::remove_dir_all(&dir);
    match rss {
        Some(kib) => println!(
            "idle resident memory of serve (sandbox, SQLite): {:.1} MiB",
            kib as f64 / 1024.0
        ),
        None => println!("resident memory is only measured on Linux"),
    }
    Ok(())
}

/// `VmRSS` of this process in KiB, from `/proc`.
fn resident_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Parses and imports a generated Shopify CSV of `rows` variant rows into a fresh SQLite
/// database, and prints how long each half took.
pub async fn import(rows: usize) -> Result<()> {
    use groupcart_catalog_csv::{read_products, synthetic_csv, ImportOptions};
    let dir = std::env::temp_dir().join(format!("groupcart-bench-import-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let store = storage::open(&DatabaseConfig {
        url: format!("sqlite://{}", dir.join("import.db").display()),
        max_connections: 1,
    })
    .await?;
    let csv = synthetic_csv(rows);
    let options = ImportOptions {
        currency: "USD".parse()?,
        language: "en".into(),
        skip_invalid: false,
    };
    let start = Instant::now();
    let parsed = read_products(csv.as_bytes(), &options, |_| {})?;
    let parse = start.elapsed();
    anyhow::ensure!(
        parsed.errors.is_empty(),
        "generated file has errors: {:?}",
        parsed.errors.first()
    );
    let start = Instant::now();
    let saved = groupcart_core::catalog::import_products(
        store.as_ref(),
        &parsed.products,
        "bench",
        chrono::Utc::now(),
    )
    .await?;
    let save = start.elapsed();
    let _ = std::fs::remove_dir_all(&dir);
    println!(
        "import of {rows} Shopify CSV rows ({} products, {:.1} MiB): parse {:.2} s, save to SQLite {:.2} s, total {:.2} s",
        saved.len(),
        csv.len() as f64 / 1_048_576.0,
        parse.as_secs_f64(),
        save.as_secs_f64(),
        (parse + save).as_secs_f64()
    );
    Ok(())
}
