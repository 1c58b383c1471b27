//! The `groupcart` command line.

use anyhow::{bail, Context, Result};
use clap::{Parser, Subcommand};
use groupcart::app::App;
use groupcart::config::{Config, DatabaseKind, LogFormat, Overrides};
use groupcart_core::money::Currency;
use std::net::SocketAddr;
use std::path::PathBuf;

/// Sell through Telegram: one self-hosted binary.
#[derive(Parser, Debug)]
#[command(name = "groupcart", version, about)]
struct Cli {
    /// A TOML configuration file.
    #[arg(long, global = true, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Database URL: sqlite://path or postgres://user@host/db.
    #[arg(long, global = true, value_name = "URL")]
    database_url: Option<String>,
    /// Address the HTTP server listens on.
    #[arg(long, global = true, value_name = "ADDR")]
    listen: Option<SocketAddr>,
    /// Public base URL Telegram reaches this instance at; enables webhooks.
    #[arg(long, global = true, value_name = "URL")]
    public_url: Option<String>,
    /// Bot token (one bot). Without any token groupcart runs in sandbox mode.
    #[arg(long, global = true, value_name = "TOKEN")]
    token: Option<String>,
    /// Bot API server URL (Telegram's, a local Bot API server, or a simulator).
    #[arg(long, global = true, value_name = "URL")]
    telegram_api_url: Option<String>,
    /// Log format.
    #[arg(long, global = true, value_enum)]
    log_format: Option<LogFormat>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Run groupcart: bots, HTTP server and background work.
    Serve,
    /// Apply pending database migrations and exit.
    Migrate,
    /// Write a consistent copy of the SQLite database to FILE.
    Backup { file: PathBuf },
    /// Inspect the configuration.
    Config {
        #[command(subcommand)]
        command: ConfigCommand,
    },
    /// Import or export the catalog as a Shopify product CSV.
    Catalog {
        #[command(subcommand)]
        command: CatalogCommand,
    },
    /// Measure throughput and print the figures.
    Bench {
        #[command(subcommand)]
        which: BenchCommand,
    },
    /// Manage the operator console's users.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Check the audit log.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// Manage the keys that seal personal data at rest.
    Keys {
        #[command(subcommand)]
        command: KeysCommand,
    },
    /// Run the Telegram simulator on its own.
    Sim {
        /// Address the simulator listens on.
        #[arg(long = "sim-listen", default_value = "127.0.0.1:8081")]
        sim_listen: SocketAddr,
    },
}

#[derive(Subcommand, Debug)]
enum UserCommand {
    /// Add a console user. The password is read from standard input when piped, else
    /// generated and printed once.
    Add {
        #[arg(long)]
        username: String,
        /// owner, admin, agent or analyst.
        #[arg(long)]
        role: String,
        /// The name shown in the console and to customers in replies (default: username).
        #[arg(long)]
        display_name: Option<String>,
    },
    /// List the console users.
    List,
    /// Disable a user: no more logins, and their sessions end.
    Disable { username: String },
    /// Set a new password (piped, or generated and printed); their sessions end.
    Password { username: String },
    /// Turn on TOTP two-factor login and print the otpauth:// URI.
    Totp { username: String },
    /// Give a user another role (owner, admin, agent or analyst); their sessions end.
    Role { username: String, role: String },
}

#[derive(Subcommand, Debug)]
enum KeysCommand {
    /// Print a new key (`id:base64`) for encryption.keys.
    Generate,
    /// Put a new key first in the key file; the old ones stay to open older values.
    Add,
    /// Re-seal every value with the first key, in batches (safe to stop and run again),
    /// and name the keys no longer used. Restart every instance with the new keys first.
    Rotate {
        /// Values re-sealed per transaction.
        #[arg(long, default_value_t = 500)]
        batch: i64,
    },
}

#[derive(Subcommand, Debug)]
enum AuditCommand {
    /// Walk the hash chain of the audit log; exits with 1 at the first entry that was
    /// changed, removed or inserted.
    Verify,
}

#[derive(Subcommand, Debug)]
enum CatalogCommand {
    /// Create or update products from a Shopify product CSV, all or nothing.
    Import {
        file: PathBuf,
        /// Import the valid products and report the invalid rows instead of importing nothing.
        #[arg(long)]
        skip_invalid: bool,
        /// Currency the file's prices are in.
        #[arg(long, default_value = "USD")]
        currency: Currency,
        /// Language of the file's titles and descriptions.
        #[arg(long, default_value = "en")]
        language: String,
    },
    /// Write every product to a new Shopify product CSV.
    Export {
        file: PathBuf,
        /// Currency of the prices to write.
        #[arg(long, default_value = "USD")]
        currency: Currency,
        /// Language of the titles and descriptions to write.
        #[arg(long, default_value = "en")]
        language: String,
    },
}

#[derive(Subcommand, Debug)]
enum BenchCommand {
    /// Webhook updates durably acknowledged per second and `/start` conversations handled per
    /// second, beside a bare parse-and-200 server.
    Ingest {
        /// Webhook requests per measurement.
        #[arg(long, default_value_t = 20_000)]
        requests: u64,
        /// Requests in flight at once.
        #[arg(long, default_value_t = 64)]
        concurrency: usize,
        /// `/start` conversations per measurement.
        #[arg(long, default_value_t = 20_000)]
        conversations: u64,
        /// Also measure this PostgreSQL database (its tables are created if missing).
        #[arg(long, value_name = "URL")]
        postgres: Option<String>,
    },
    /// Flash-sale buy attempts per second, confirmed orders per second, latency and
    /// oversell, beside a naive single-row conditional update measured in the same run.
    FlashSale {
        /// Simulated buyers; each tries once.
        #[arg(long, default_value_t = 50_000)]
        buyers: u64,
        /// Units for sale.
        #[arg(long, default_value_t = 1000)]
        units: i64,
        /// Buyers in flight at once (16: the dispatcher's lanes, the most updates a
        /// server handles at once).
        #[arg(long, default_value_t = 16)]
        concurrency: usize,
        /// Also measure this PostgreSQL database (its tables are created if missing).
        #[arg(long, value_name = "URL")]
        postgres: Option<String>,
    },
    /// A full recompute of every customer's lifecycle stage and RFM scores over synthetic
    /// customers and orders (on a fresh SQLite database, and a scratch PostgreSQL one).
    Rfm {
        #[arg(long, default_value_t = 1_000_000)]
        customers: i64,
        #[arg(long, default_value_t = 10_000_000)]
        orders: i64,
        /// Also measure on this PostgreSQL server (a scratch database is created on it and
        /// dropped afterwards).
        #[arg(long, value_name = "URL")]
        postgres: Option<String>,
    },
    /// The dashboard's analytics (funnel, retention cohorts, growth by source) over
    /// synthetic customers and events (on a fresh SQLite database, and a scratch PostgreSQL
    /// one).
    Analytics {
        #[arg(long, default_value_t = 1_000_000)]
        customers: i64,
        #[arg(long, default_value_t = 10_000_000)]
        events: i64,
        /// Also measure on this PostgreSQL server (a scratch database is created on it and
        /// dropped afterwards).
        #[arg(long, value_name = "URL")]
        postgres: Option<String>,
    },
    /// Planning a broadcast to a segment of synthetic customers: rule evaluation over all
    /// of them and storing the recipients.
    Broadcast {
        #[arg(long, default_value_t = 1_000_000)]
        customers: i64,
        /// Seconds of each sending run (free and paid lane).
        #[arg(long, default_value_t = 20)]
        send_seconds: u64,
        /// Also measure on this PostgreSQL server (a scratch database is created on it and
        /// dropped afterwards).
        #[arg(long, value_name = "URL")]
        postgres: Option<String>,
    },
    /// The job queue through the real job runner: jobs per second (all due at once) and
    /// how late jobs due over a few seconds run, with the runner's defaults and tuned
    /// settings (on a fresh SQLite database, and a scratch PostgreSQL one).
    Jobs {
        /// Jobs of the throughput measurement.
        #[arg(long, default_value_t = 100_000)]
        jobs: u64,
        /// Jobs of the lateness measurement.
        #[arg(long, default_value_t = 20_000)]
        late_jobs: u64,
        /// Seconds over which the lateness jobs fall due.
        #[arg(long, default_value_t = 5.0)]
        spread_seconds: f64,
        /// Seconds from the start of the lateness measurement to its first due job.
        #[arg(long, default_value_t = 2.0)]
        lead_seconds: f64,
        /// Tuned setting: most jobs claimed per step.
        #[arg(long, default_value_t = 500)]
        batch: i64,
        /// Tuned setting: milliseconds between looks for due jobs.
        #[arg(long, default_value_t = 20)]
        poll_ms: u64,
        /// On PostgreSQL, also measure the tuned settings with this many runners working the
        /// queue at once, as several instances would (1: no such row). SQLite has one writer.
        #[arg(long, default_value_t = 8)]
        postgres_runners: usize,
        /// Seconds after which a measurement is stopped and reported as it stands.
        #[arg(long, default_value_t = 15)]
        limit_seconds: u64,
        /// Also measure on this PostgreSQL server (a scratch database is created on it and
        /// dropped afterwards).
        #[arg(long, value_name = "URL")]
        postgres: Option<String>,
    },
    /// Resident memory of an idle `serve` (sandbox mode, SQLite).
    Memory,
    /// Import a generated Shopify CSV into a fresh SQLite database.
    Import {
        /// Variant rows in the file.
        #[arg(long, default_value_t = 10_000)]
        rows: usize,
    },
    /// Group messages checked per second against a sensitive-word list (one core).
    Filter {
        /// Words in the list.
        #[arg(long, default_value_t = 100_000)]
        words: usize,
        /// Chat messages checked.
        #[arg(long, default_value_t = 200_000)]
        messages: usize,
    },
}

#[derive(Subcommand, Debug)]
enum ConfigCommand {
    /// Print the effective configuration with secrets redacted.
    Print,
}

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    let overrides = Overrides {
        database_url: cli.database_url.clone(),
        listen: cli.listen,
        public_url: cli.public_url.clone(),
        token: cli.token.clone(),
        telegram_api_url: cli.telegram_api_url.clone(),
        log_format: cli.log_format,
    };
    let config = match Config::load(cli.config.as_deref(), &overrides) {
        Ok(config) => config,
        Err(message) => {
            eprintln!("groupcart: invalid configuration: {message}");
            return std::process::ExitCode::from(2);
        }
    };
    init_logging(&config);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("groupcart: could not start the runtime: {error}");
            return std::process::ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli.command, config)) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("groupcart: {error:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

fn init_logging(config: &Config) {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_default_env()
        .or_else(|_| EnvFilter::try_new(&config.log.level))
        .unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter);
    match config.log.format {
        LogFormat::Json => builder.json().init(),
        LogFormat::Text => builder.init(),
    }
}

async fn run(command: Command, config: Config) -> Result<()> {
    match command {
        Command::Serve => serve(config).await,
        Command::Migrate => {
            groupcart::storage::open(&config).await?;
            println!("migrations applied");
            Ok(())
        }
        Command::Backup { file } => backup(&config, &file).await,
        Command::Audit {
            command: AuditCommand::Verify,
        } => {
            let store = groupcart::storage::open(&config).await?;
            let verification = groupcart_core::audit::verify(store.as_ref()).await?;
            match verification.broken {
                None => {
                    println!(
                        "audit log intact: {} entries verified",
                        verification.entries
                    );
                    Ok(())
                }
                Some(broken) => bail!(
                    "audit log TAMPERED at entry {}: {} ({} entries before it verified)",
                    broken.seq,
                    broken.reason,
                    verification.entries
                ),
            }
        }
        Command::Keys { command } => match command {
            KeysCommand::Generate => {
                println!("{}", groupcart::keys::generate()?);
                Ok(())
            }
            KeysCommand::Add => {
                let id = groupcart::keys::add(&config)?;
                println!(
                    "key {id:?} added first; restart groupcart, then run `groupcart keys rotate`"
                );
                Ok(())
            }
            KeysCommand::Rotate { batch } => groupcart::keys::rotate(&config, batch).await,
        },
        Command::User { command } => match command {
            UserCommand::Add {
                username,
                role,
                display_name,
            } => groupcart::user_cli::add(&config, &username, &role, display_name.as_deref()).await,
            UserCommand::List => groupcart::user_cli::list(&config).await,
            UserCommand::Disable { username } => {
                groupcart::user_cli::disable(&config, &username).await
            }
            UserCommand::Password { username } => {
                groupcart::user_cli::password(&config, &username).await
            }
            UserCommand::Totp { username } => groupcart::user_cli::totp(&config, &username).await,
            UserCommand::Role { username, role } => {
                groupcart::user_cli::role(&config, &username, &role).await
            }
        },
        Command::Config {
            command: ConfigCommand::Print,
        } => {
            print!("{}", config.to_redacted_toml());
            Ok(())
        }
        Command::Bench {
            which:
                BenchCommand::Ingest {
                    requests,
                    concurrency,
                    conversations,
                    postgres,
                },
        } => {
            let dir = std::env::temp_dir().join(format!("groupcart-bench-{}", std::process::id()));
            std::fs::create_dir_all(&dir)?;
            let mut databases = vec![format!("sqlite://{}", dir.join("bench.db").display())];
            databases.extend(postgres);
            let result = groupcart::bench::ingest(groupcart::bench::IngestBench {
                databases,
                requests,
                concurrency,
                conversations,
            })
            .await;
            let _ = std::fs::remove_dir_all(&dir);
            result
        }
        Command::Bench {
            which:
                BenchCommand::FlashSale {
                    buyers,
                    units,
                    concurrency,
                    postgres,
                },
        } => {
            let dir =
                std::env::temp_dir().join(format!("groupcart-bench-flash-{}", std::process::id()));
            std::fs::create_dir_all(&dir)?;
            let mut databases = vec![format!("sqlite://{}", dir.join("flash.db").display())];
            databases.extend(postgres);
            let result = groupcart::bench::flash_sale(groupcart::bench::FlashSaleBench {
                databases,
                buyers,
                units,
                concurrency,
            })
            .await;
            let _ = std::fs::remove_dir_all(&dir);
            result
        }
        Command::Bench {
            which:
                BenchCommand::Rfm {
                    customers,
                    orders,
                    postgres,
                },
        } => {
            groupcart::bench_crm::rfm(groupcart::bench_crm::CrmBench {
                customers,
                orders,
                postgres,
                send_seconds: 0,
            })
            .await
        }
        Command::Bench {
            which:
                BenchCommand::Analytics {
                    customers,
                    events,
                    postgres,
                },
        } => {
            groupcart::bench_analytics::run(groupcart::bench_analytics::AnalyticsBench {
                customers,
                events,
                postgres,
            })
            .await
        }
        Command::Bench {
            which:
                BenchCommand::Broadcast {
                    customers,
                    send_seconds,
                    postgres,
                },
        } => {
            groupcart::bench_crm::broadcast(groupcart::bench_crm::CrmBench {
                customers,
                orders: 0,
                postgres,
                send_seconds: send_seconds.max(2),
            })
            .await
        }
        Command::Bench {
            which:
                BenchCommand::Jobs {
                    jobs,
                    late_jobs,
                    spread_seconds,
                    lead_seconds,
                    batch,
                    poll_ms,
                    postgres_runners,
                    limit_seconds,
                    postgres,
                },
        } => {
            use groupcart::bench_jobs::JobsBench;
            let seconds = |s: f64| std::time::Duration::from_secs_f64(s.max(0.0));
            groupcart::bench_jobs::jobs(JobsBench {
                jobs,
                late_jobs,
                spread: seconds(spread_seconds),
                lead: seconds(lead_seconds),
                tuned: groupcart_worker::jobs::JobsConfig {
                    batch: batch.max(1),
                    poll: std::time::Duration::from_millis(poll_ms),
                    ..Default::default()
                },
                postgres_runners,
                limit: std::time::Duration::from_secs(limit_seconds),
                postgres,
            })
            .await
        }
        Command::Bench {
            which: BenchCommand::Memory,
        } => groupcart::bench::memory().await,
        Command::Bench {
            which: BenchCommand::Import { rows },
        } => groupcart::bench::import(rows).await,
        Command::Bench {
            which: BenchCommand::Filter { words, messages },
        } => {
            let report = groupcart_wordfilter::bench::bench_report(words, messages)?;
            println!("{report}");
            Ok(())
        }
        Command::Catalog {
            command:
                CatalogCommand::Import {
                    file,
                    skip_invalid,
                    currency,
                    language,
                },
        } => {
            groupcart::catalog_cli::import(&config, &file, currency, &language, skip_invalid).await
        }
        Command::Catalog {
            command:
                CatalogCommand::Export {
                    file,
                    currency,
                    language,
                },
        } => groupcart::catalog_cli::export(&config, &file, currency, &language).await,
        Command::Sim { sim_listen } => {
            let listener = tokio::net::TcpListener::bind(sim_listen)
                .await
                .with_context(|| format!("could not listen on {sim_listen}"))?;
            let simulator = groupcart_simulator::Simulator::new(Default::default());
            tracing::info!(
                "Telegram simulator on http://{sim_listen} (page: http://{sim_listen}/sim)"
            );
            axum::serve(listener, simulator.router())
                .with_graceful_shutdown(shutdown_signal())
                .await?;
            Ok(())
        }
    }
}

async fn serve(config: Config) -> Result<()> {
    let sandbox = config.is_sandbox();
    let app = App::start(config).await?;
    let base = format!("http://{}", app.addr);
    if sandbox {
        tracing::info!("SANDBOX MODE: no bot token is set, so the demo bot talks to the built-in Telegram simulator");
        tracing::info!("simulator (chat with the demo bot): {base}/sim");
        if let Some((username, password)) = &app.demo_login {
            // On standard output, not in the log: the password is shown once.
            println!("console: {base}/login  username: {username}  password: {password}");
        }
    }
    tracing::info!("console: {base}/  metrics: {base}/metrics");
    shutdown_signal().await;
    tracing::info!("shutting down: finishing work in flight");
    app.shutdown();
    app.stopped().await;
    tracing::info!("stopped");
    Ok(())
}

async fn backup(config: &Config, file: &std::path::Path) -> Result<()> {
    match config.database.kind().map_err(anyhow::Error::msg)? {
        DatabaseKind::Sqlite => {
            if file.exists() {
                bail!("{} exists already; choose a new file", file.display());
            }
            let sealer = groupcart::keys::sealer(&config.database, &config.encryption)?;
            let store =
                groupcart_store_sqlite::SqliteStore::open(&config.database.url, sealer).await?;
            store.backup_into(file).await?;
            println!("backup written to {}", file.display());
            println!(
                "its personal data opens only with the encryption keys: keep a copy of them apart"
            );
        }
        DatabaseKind::Postgres => {
            println!("For PostgreSQL, use pg_dump (a consistent snapshot while groupcart runs):");
            println!(
                "  pg_dump --format=custom --file={} '<your database.url>'",
                file.display()
            );
        }
    }
    Ok(())
}

/// Resolves on Ctrl-C or SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {}
        _ = terminate => {}
    }
}
