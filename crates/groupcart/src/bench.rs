//! `groupcart bench ingest`: how many webhook updates per second are durably acknowledged,
//! and how many `/start` conversations per second are handled end to end, on each database,
//! printed beside a bare server that only parses an update and answers 200, measured in the
//! same run on the same machine.
//!
//! The load generator runs in the same process over loopback and shares the CPU with the
//! server, so the figures are lower bounds of what a separate load balancer would see.
//!
//! `groupcart bench flash-sale`: N simulated buyers, a fixed number in flight at once, each
//! trying once to buy one of the units of a flash sale through the real buy use case (the
//! gate of [`groupcart_core::flash_sale`], then for the buyers it lets through a transaction
//! with the customer, the buy, the toast and the invoice, as the chat does; no Telegram).
//! Printed beside a naive baseline measured in the same run on the same database: every
//! buyer runs a single-row guarded `UPDATE … WHERE stock > 0` in a transaction of its own.
//! Afterwards the database is checked: orders, units sold and the shelf must agree, and any
//! unit sold beyond the stock is reported as oversell (the command fails if there is any).
//! The buyers share the process and its CPU with the use case, as the ingest load does.
//!
//! `groupcart bench jobs` (in [`crate::bench_jobs`]): job queue throughput and lateness.

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
use groupcart_core::sealing::{DataKey, Sealer};
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

/// The key ring benchmarks seal with: one fixed key, so a benchmark database can be
/// opened again by the next run. Never for real data.
pub fn bench_sealer() -> Arc<Sealer> {
    let key = DataKey::parse("bench", "YmVuY2gtb25seS1ub3QtYS1zZWNyZXQtMDAwMDAwMDA=")
        .expect("a valid key");
    Arc::new(Sealer::new(&[key], "bench").expect("the key is in the ring"))
}

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
        console: Default::default(),
        api_token: None,
        texts: Arc::new(groupcart_core::i18n::Texts::builtin()),
        wakers: groupcart_bot::SenderWakers::default(),
        shop: groupcart_core::shop::ShopSettings::default(),
        webapp: Arc::new(HashMap::new()),
        crm: groupcart_http::CrmSettings::default(),
        support: Default::default(),
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
        shipping_rates: Vec::new(),
        staff_chat: None,
        manual_payment: None,
        username: Default::default(),
    };
    let handler = Arc::new(UpdateHandler::new(
        store.clone(),
        [profile],
        Arc::new(Texts::builtin()),
        groupcart_core::shop::ShopSettings::default(),
        SenderWakers::default(),
        metrics.clone(),
        Arc::new(groupcart_core::flash_sale::FlashSaleGate::default()),
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
        let store = storage::open_sealed(
            &DatabaseConfig {
                url: url.clone(),
                max_connections: 16,
            },
            bench_sealer(),
        )
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
    let store = storage::open_sealed(
        &DatabaseConfig {
            url: format!("sqlite://{}", dir.join("import.db").display()),
            max_connections: 1,
        },
        bench_sealer(),
    )
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

// --- flash sale ---

/// What `groupcart bench flash-sale` measures.
#[derive(Debug, Clone)]
pub struct FlashSaleBench {
    /// Databases to measure, as URLs.
    pub databases: Vec<String>,
    /// Simulated buyers; each tries once.
    pub buyers: u64,
    /// Units for sale.
    pub units: i64,
    /// Buyers whose attempt is in flight at once.
    pub concurrency: usize,
}

/// The figures of one run.
struct Run {
    attempts: u64,
    confirmed: u64,
    refused: u64,
    /// From the first attempt to the last answer.
    elapsed: Duration,
    /// From the first attempt to the last confirmed unit.
    selling: Duration,
    /// Every attempt's latency, sorted.
    latencies: Vec<Duration>,
    /// The confirmed attempts' latencies, sorted.
    winners: Vec<Duration>,
}

impl Run {
    fn attempts_per_sec(&self) -> f64 {
        self.attempts as f64 / self.elapsed.as_secs_f64()
    }

    fn orders_per_sec(&self) -> f64 {
        self.confirmed as f64 / self.selling.as_secs_f64().max(f64::EPSILON)
    }

    fn percentile(&self, p: f64) -> Duration {
        percentile(&self.latencies, p)
    }
}

/// The `p` quantile of sorted `latencies`.
fn percentile(latencies: &[Duration], p: f64) -> Duration {
    let last = latencies.len().saturating_sub(1);
    let i = ((last as f64) * p).round() as usize;
    latencies.get(i).copied().unwrap_or_default()
}

/// How one attempt ended.
enum Answer {
    Confirmed,
    Refused,
}

/// Runs `buyers` attempts, `concurrency` at a time, each with `attempt(buyer index)`.
async fn drive<F, Fut>(buyers: u64, concurrency: usize, attempt: F) -> Result<Run>
where
    F: Fn(u64) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = Result<Answer>> + Send,
{
    let attempt = Arc::new(attempt);
    let next = Arc::new(AtomicU64::new(0));
    let start = Instant::now();
    let mut workers = tokio::task::JoinSet::new();
    for _ in 0..concurrency.max(1) {
        let (attempt, next) = (attempt.clone(), next.clone());
        workers.spawn(async move {
            let (mut latencies, mut winners) = (Vec::new(), Vec::new());
            let (mut confirmed, mut last_confirmed) = (0u64, Duration::ZERO);
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= buyers {
                    return Ok::<_, anyhow::Error>((latencies, winners, confirmed, last_confirmed));
                }
                let began = Instant::now();
                let answer = attempt(i).await?;
                let latency = began.elapsed();
                latencies.push(latency);
                // Each buyer is a request of its own: let the others run, as a server would
                // (an answer from memory never waits, so it would never yield otherwise).
                tokio::task::yield_now().await;
                if let Answer::Confirmed = answer {
                    winners.push(latency);
                    confirmed += 1;
                    last_confirmed = last_confirmed.max(start.elapsed());
                }
            }
        });
    }
    let mut run = Run {
        attempts: buyers,
        confirmed: 0,
        refused: 0,
        elapsed: Duration::ZERO,
        selling: Duration::ZERO,
        latencies: Vec::with_capacity(buyers as usize),
        winners: Vec::new(),
    };
    while let Some(done) = workers.join_next().await {
        let (latencies, winners, confirmed, last_confirmed) = done??;
        run.latencies.extend(latencies);
        run.winners.extend(winners);
        run.confirmed += confirmed;
        run.selling = run.selling.max(last_confirmed);
    }
    run.elapsed = start.elapsed();
    run.refused = run.attempts - run.confirmed;
    run.latencies.sort_unstable();
    run.winners.sort_unstable();
    Ok(run)
}

/// A product with one variant of `stock` units at 22.00 USD; returns the variant's id.
async fn bench_variant(
    store: &SharedStore,
    handle: &str,
    stock: i64,
) -> Result<groupcart_core::catalog::VariantId> {
    use groupcart_core::catalog::{
        Fulfilment, LocalizedText, NewProduct, NewVariant, Price, ProductStatus,
    };
    let product = NewProduct {
        handle: handle.to_owned(),
        status: ProductStatus::Active,
        fulfilment: Fulfilment::Physical,
        vendor: None,
        category: None,
        tags: vec![],
        option_names: vec![],
        texts: vec![LocalizedText {
            language: "en".into(),
            title: "Longjing green tea".into(),
            description_html: String::new(),
        }],
        images: vec![],
        variants: vec![NewVariant {
            sku: Some(handle.to_uppercase()),
            option_values: vec![],
            prices: vec![Price {
                currency: "USD".parse()?,
                amount: 2200,
                compare_at: None,
            }],
            weight_grams: None,
            stock,
            image: None,
        }],
    };
    let saved = store
        .save_products(&[product], "bench", "bench", chrono::Utc::now())
        .await?;
    let id = saved
        .first()
        .map(|s| s.id)
        .context("the product was not saved")?;
    let product = store.product(id).await?.context("the product vanished")?;
    product
        .variants
        .first()
        .map(|v| v.id)
        .context("the product has no variant")
}

fn bench_bot() -> BotProfile {
    BotProfile {
        key: BotKey::new(BOT),
        default_language: "en".into(),
        currency: "USD".into(),
        market: "global".into(),
        policy_version: "1".into(),
        shipping_fee: 0,
        shipping_rates: Vec::new(),
        staff_chat: None,
        manual_payment: None,
        username: Default::default(),
    }
}

/// The real buy use case for `buyers` buyers of a sale of `units`: the gate answers what it
/// can from memory; a buyer it lets through gets a transaction with what the chat does for a
/// button press (the customer, the buy, the toast and the invoice in the outbox). Checks the
/// database afterwards and returns the run and the oversell found.
async fn flash_sale_run(
    store: &SharedStore,
    bench: &FlashSaleBench,
    tag: &str,
) -> Result<(Run, i64)> {
    use groupcart_core::customer::CustomerSighting;
    use groupcart_core::flash_sale::{self, Admission, Bought, FlashSaleDraft, FlashSaleGate};
    use groupcart_core::outbox::{Action, NewOutbound};
    use groupcart_core::shop::ShopSettings;

    let variant = bench_variant(store, &format!("flash-{tag}"), bench.units).await?;
    let bot = Arc::new(bench_bot());
    let now = chrono::Utc::now();
    let sale = flash_sale::create(
        store.as_ref(),
        &bot,
        &FlashSaleDraft {
            bot: None,
            variant_id: variant,
            price: 990,
            units: bench.units,
            per_customer: 1,
            starts_at: now - chrono::Duration::minutes(1),
            ends_at: now + chrono::Duration::hours(1),
        },
        now,
    )
    .await?;
    let gate = Arc::new(FlashSaleGate::default());
    let texts = Arc::new(Texts::builtin());
    let shop = Arc::new(ShopSettings::default());
    let base = id_base();
    let id = sale.id;
    let run = {
        let store = store.clone();
        drive(bench.buyers, bench.concurrency, move |i| {
            let (store, gate, texts, shop, bot) = (
                store.clone(),
                gate.clone(),
                texts.clone(),
                shop.clone(),
                bot.clone(),
            );
            async move {
                let at = chrono::Utc::now();
                let user = 9_000_000_000 + base + i as i64;
                let ticket = match gate
                    .admit(store.as_ref(), None, id, at, chrono::Duration::zero())
                    .await?
                {
                    Admission::Refused(refusal) => {
                        // The answer the buyer reads.
                        let _toast = refusal.text(&texts, "en", shop.reservation);
                        return Ok(Answer::Refused);
                    }
                    Admission::Go(ticket) => ticket,
                };
                let mut tx = store.begin().await?;
                let customer = tx
                    .upsert_customer(&CustomerSighting {
                        telegram_user_id: user,
                        first_name: "Buyer".into(),
                        last_name: None,
                        username: None,
                        telegram_language: Some("en".into()),
                        source: None,
                        bot: BOT.into(),
                        at,
                    })
                    .await?
                    .customer;
                let bought =
                    flash_sale::buy(tx.as_mut(), ticket, &bot, &shop, &customer, "en", at).await?;
                let (toast, invoice, answer) = match bought {
                    Bought::Placed { order, physical } => (
                        texts.get("en", "flash-sale-got-it", &[("minutes", "15")]),
                        Some(groupcart_core::checkout::invoice(
                            &texts, &bot, "en", &order, physical,
                        )),
                        Answer::Confirmed,
                    ),
                    Bought::Refused(refusal) => (
                        refusal.text(&texts, "en", shop.reservation),
                        None,
                        Answer::Refused,
                    ),
                };
                let message = |action| NewOutbound {
                    bot: BOT.into(),
                    chat_id: user,
                    customer_id: Some(customer.id),
                    action,
                    broadcast: false,
                    not_before: at,
                    created_at: at,
                };
                tx.enqueue(&message(Action::AnswerButton {
                    callback_id: format!("bench-{i}"),
                    text: Some(toast),
                }))
                .await?;
                if let Some(invoice) = invoice {
                    tx.enqueue(&message(Action::SendInvoice(invoice))).await?;
                }
                tx.commit().await?;
                Ok(answer)
            }
        })
        .await?
    };
    // What the database says: no more units held than for sale, the shelf never below zero,
    // one order per confirmed buyer.
    let stored = store.flash_sale(id).await?.context("the sale vanished")?;
    let products = store.products_of_variants(&[variant]).await?;
    let stock = products
        .first()
        .and_then(|p| p.variants.first())
        .map_or(0, |v| v.stock);
    let source = format!("fs-{}", id.0);
    let mut orders = 0i64;
    let mut before = None;
    loop {
        let page = store
            .orders(&groupcart_core::shop::OrderQuery {
                customer: None,
                status: None,
                before,
                limit: 1000,
            })
            .await?;
        orders += page
            .iter()
            .filter(|o| o.source.as_deref() == Some(source.as_str()))
            .count() as i64;
        match page.last() {
            Some(last) if page.len() == 1000 => before = Some(last.id),
            _ => break,
        }
    }
    anyhow::ensure!(
        orders == run.confirmed as i64 && stored.sold == orders && stock == bench.units - orders,
        "the database disagrees: {orders} orders, {} sold, {stock} on the shelf, {} confirmed",
        stored.sold,
        run.confirmed
    );
    let oversell =
        (orders - bench.units).max(0) + (stored.sold - bench.units).max(0) + (-stock).max(0);
    Ok((run, oversell))
}

/// The naive baseline: every buyer runs the store's single-row guarded update in a
/// transaction of its own (`adjust_stock`: `UPDATE variants SET stock = stock - 1 WHERE id = ?
/// AND stock - 1 >= 0`, plus its ledger row), with no gate and no order.
async fn naive_run(store: &SharedStore, bench: &FlashSaleBench, tag: &str) -> Result<(Run, i64)> {
    let variant = bench_variant(store, &format!("naive-{tag}"), bench.units).await?;
    let run = {
        let store = store.clone();
        drive(bench.buyers, bench.concurrency, move |_| {
            let store = store.clone();
            async move {
                match store
                    .adjust_stock(variant, -1, "sale", "bench", chrono::Utc::now())
                    .await
                {
                    Ok(_) => Ok(Answer::Confirmed),
                    Err(groupcart_core::Error::Conflict(_)) => Ok(Answer::Refused),
                    Err(other) => Err(other.into()),
                }
            }
        })
        .await?
    };
    let products = store.products_of_variants(&[variant]).await?;
    let stock = products
        .first()
        .and_then(|p| p.variants.first())
        .map_or(0, |v| v.stock);
    let oversell = (run.confirmed as i64 - bench.units).max(0) + (-stock).max(0);
    Ok((run, oversell))
}

fn print_run(label: &str, run: &Run, oversell: i64) {
    println!(
        "{label:<38} {:>11.0} {:>10.0} {:>8.3} {:>8.2} {:>10.2} {:>7} {:>8}",
        run.attempts_per_sec(),
        run.orders_per_sec(),
        run.percentile(0.50).as_secs_f64() * 1000.0,
        run.percentile(0.99).as_secs_f64() * 1000.0,
        percentile(&run.winners, 0.99).as_secs_f64() * 1000.0,
        run.confirmed,
        oversell
    );
}

/// Runs the flash-sale benchmark on each database and prints a table.
pub async fn flash_sale(bench: FlashSaleBench) -> Result<()> {
    println!(
        "flash-sale benchmark: {} buyers ({} in flight at once) for {} units, on {} cores",
        bench.buyers,
        bench.concurrency,
        bench.units,
        std::thread::available_parallelism().map_or(1, |n| n.get())
    );
    println!(
        "{:<38} {:>11} {:>10} {:>8} {:>8} {:>10} {:>7} {:>8}",
        "", "attempts/s", "orders/s", "p50 ms", "p99 ms", "p99 win ms", "sold", "oversell"
    );
    let mut oversold = 0;
    for url in &bench.databases {
        let store = storage::open_sealed(
            &DatabaseConfig {
                url: url.clone(),
                max_connections: 16,
            },
            bench_sealer(),
        )
        .await
        .with_context(|| format!("opening {}", redact_url(url)))?;
        let label = if url.starts_with("sqlite") {
            "sqlite"
        } else {
            "postgres"
        };
        let tag = id_base().to_string();
        let (ours, ours_over) = flash_sale_run(&store, &bench, &tag).await?;
        print_run(&format!("{label}: gate + buy use case"), &ours, ours_over);
        let (naive, naive_over) = naive_run(&store, &bench, &tag).await?;
        print_run(
            &format!("{label}: naive UPDATE … stock > 0"),
            &naive,
            naive_over,
        );
        println!(
            "{:<38} {:>10.1}× attempts/s of the naive baseline, {} refused in {:.2} s",
            format!("{label}: ratio"),
            ours.attempts_per_sec() / naive.attempts_per_sec(),
            ours.refused,
            ours.elapsed.as_secs_f64()
        );
        oversold += ours_over + naive_over;
    }
    anyhow::ensure!(oversold == 0, "{oversold} units oversold");
    Ok(())
}
