//! Wiring: builds the store, the drivers and the background workers from a [`Config`] and
//! runs them until shutdown.
//!
//! [`App::start`] returns once the HTTP listener is bound and every bot is prepared, so a
//! test can start an app on port 0 and talk to it at once.

use crate::config::{BotConfig, Config};
use crate::sandbox;
use crate::storage;
use anyhow::{Context, Result};
use groupcart_bot::dispatch::{self, DispatchConfig};
use groupcart_bot::handler::UpdateHandler;
use groupcart_bot::intake::Intake;
use groupcart_bot::setup::{self, Delivery};
use groupcart_bot::{poller, SenderWakers};
use groupcart_core::bot::{BotKey, BotProfile, ManualPayment};
use groupcart_core::clock::{SharedClock, SystemClock};
use groupcart_core::flash_sale::FlashSaleGate;
use groupcart_core::i18n::Texts;
use groupcart_core::lease;
use groupcart_core::metrics::Metrics;
use groupcart_core::shop::ShopSettings;
use groupcart_core::staff::StaffChat;
use groupcart_core::store::Backend;
use groupcart_core::store::SharedStore;
use groupcart_http::webapp::WebAppBot;
use groupcart_http::{AppState, WebhookBot};
use groupcart_simulator::{SimConfig, Simulator};
use groupcart_telegram::Client;
use groupcart_worker::analytics_jobs::AnomalyCheck;
use groupcart_worker::calendar_jobs::SendPost;
use groupcart_worker::community_jobs::{
    CloseJoinRequest, CloseMemberCheck, DrawGiveaway, PurgeMember, StartMemberCheck,
    TelegramMembership,
};
use groupcart_worker::crm_jobs::{
    PickBroadcastWinner, Recompute, RefreshCustomer, ReleaseBroadcast,
};
use groupcart_worker::deliver::TelegramDeliver;
use groupcart_worker::flash_sale_jobs::{FlashSaleTick, StartFlashSale};
use groupcart_worker::group_buy_jobs::{ExpireTeam, TeamTick};
use groupcart_worker::jobs::{JobRunner, JobsConfig};
use groupcart_worker::moderation_jobs::{DeleteWelcome, RunStaffCommand};
use groupcart_worker::privacy_jobs::{ApplyRetention, Export, ForgetMessage, PolicyCheck};
use groupcart_worker::sender::{Sender, SenderConfig};
use groupcart_worker::shop_jobs::{ExpireOrder, StuckShipments};
use groupcart_worker::support_jobs::{SlaCheck, Translate, Translator};
use groupcart_worker::webhook_jobs::{Deliver, Dispatch};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::Notify;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

/// A running groupcart.
pub struct App {
    /// Where the HTTP server listens.
    pub addr: SocketAddr,
    /// The store, for tests and commands that look inside.
    pub store: SharedStore,
    pub metrics: Arc<Metrics>,
    /// The built-in simulator, in sandbox mode.
    pub simulator: Option<Simulator>,
    /// In sandbox mode, the console's demo owner (username, password) when this start made
    /// it (the first start on a database without console users).
    pub demo_login: Option<(String, String)>,
    shutdown: CancellationToken,
    tasks: JoinSet<()>,
    /// Keeps other instances off a SQLite file until every task has stopped.
    instance_lock: Option<groupcart_store_sqlite::InstanceLock>,
}

/// The webhook secret of a bot: derived from its token, so every instance of a deployment
/// agrees on it without another setting, and nobody without the token can compute it.
pub fn webhook_secret(token: &str) -> String {
    let digest = Sha256::digest(format!("groupcart-webhook:{token}").as_bytes());
    digest.iter().take(24).map(|b| format!("{b:02x}")).collect()
}

fn profile(bot: &BotConfig, config: &Config) -> BotProfile {
    BotProfile {
        key: BotKey::new(&bot.key),
        default_language: bot.default_language.clone(),
        currency: bot.currency.clone(),
        market: bot.market.clone(),
        policy_version: config.privacy.policy_version.clone(),
        shipping_fee: bot.shipping_fee,
        shipping_rates: bot.shipping_rates.clone(),
        staff_chat: bot.staff_chat_id,
        manual_payment: bot
            .manual_payment
            .clone()
            .map(|instructions| ManualPayment {
                instructions,
                reservation: chrono::Duration::days(i64::from(bot.manual_payment_days)),
            }),
        username: Default::default(),
    }
}

impl App {
    /// Starts everything the configuration asks for.
    pub async fn start(config: Config) -> Result<App> {
        let listener = TcpListener::bind(config.http.listen)
            .await
            .with_context(|| format!("could not listen on {}", config.http.listen))?;
        Self::start_on(config, listener).await
    }

    /// Like [`App::start`], on a listener bound by the caller (whose address a test may need
    /// to know before the app starts, e.g. as its webhook URL).
    pub async fn start_on(config: Config, listener: TcpListener) -> Result<App> {
        Self::start_with_clock(config, listener, Arc::new(SystemClock)).await
    }

    /// [`App::start_on`] with the time the jobs and the outbox sender go by: tests move it
    /// forward to reach deadlines without waiting for them.
    pub async fn start_with_clock(
        config: Config,
        listener: TcpListener,
        clock: SharedClock,
    ) -> Result<App> {
        let addr = listener.local_addr()?;
        // SQLite serves one instance: the file's lock is held until every task has stopped.
        let instance_lock = match config.database.kind().map_err(anyhow::Error::msg)? {
            crate::config::DatabaseKind::Sqlite => Some(
                groupcart_store_sqlite::SqliteStore::lock_instance(&config.database.url)?,
            ),
            crate::config::DatabaseKind::Postgres => None,
        };
        let store = storage::open(&config).await?;
        let metrics = Arc::new(Metrics::default());
        let texts = Arc::new(Texts::builtin());
        let shutdown = CancellationToken::new();
        let mut tasks = JoinSet::new();

        let sandbox = config.is_sandbox();
        let (bots, api_url) = if sandbox {
            (vec![sandbox::demo_bot()], format!("http://{addr}"))
        } else {
            (config.effective_bots(), config.telegram.api_url.clone())
        };
        let simulator = sandbox.then(|| Simulator::new(SimConfig::default()));
        if let Some(simulator) = &simulator {
            sandbox::prepare_simulator(simulator)?;
        }
        let mut demo_login = None;
        if sandbox {
            sandbox::seed_demo_shop(store.as_ref())
                .await
                .context("could not create the demo shop")?;
            demo_login = sandbox::demo_console_user(store.as_ref(), clock.now())
                .await
                .context("could not create the console's demo user")?;
        }

        let delivery = |bot: &BotConfig| match &config.http.public_url {
            Some(url) => Delivery::Webhook {
                url: format!("{}/telegram/{}", url.trim_end_matches('/'), bot.key),
                secret: webhook_secret(bot.token.expose()),
            },
            None => Delivery::LongPolling,
        };

        let clients = bots
            .iter()
            .map(|bot| {
                Client::new(&api_url, bot.token.expose()).with_context(|| {
                    format!("could not create the Telegram client of bot {}", bot.key)
                })
            })
            .collect::<Result<Vec<_>>>()?;

        let stored = Arc::new(Notify::new());
        let intake = Intake::start(store.clone(), metrics.clone(), stored.clone());
        let wakers = SenderWakers::new(bots.iter().map(|b| b.key.clone()));
        let profiles: Vec<BotProfile> = bots.iter().map(|b| profile(b, &config)).collect();
        let shop = shop_settings(&config);
        let handler = Arc::new(
            UpdateHandler::new(
                store.clone(),
                profiles.clone(),
                texts.clone(),
                shop.clone(),
                wakers.clone(),
                metrics.clone(),
                // One gate per process, made here and handed down: no global state.
                Arc::new(FlashSaleGate::default()),
            )
            .with_support(support_settings(&config))
            .with_default_time_zone(config.crm.default_time_zone.as_str()),
        );

        // HTTP first: in sandbox mode the bots' own API calls go to it.
        let webhooks: HashMap<String, WebhookBot> = bots
            .iter()
            .filter_map(|b| match delivery(b) {
                Delivery::Webhook { secret, .. } => Some((b.key.clone(), WebhookBot { secret })),
                Delivery::LongPolling => None,
            })
            .collect();
        // Telegram opens Mini Apps over HTTPS only, so the menu button is set only with an
        // HTTPS public URL; in the sandbox the page is opened from the simulator instead.
        let mini_app_base = config
            .http
            .public_url
            .as_deref()
            .filter(|url| url.starts_with("https://"))
            .map(|url| url.trim_end_matches('/').to_owned());
        let webapp = bots
            .iter()
            .zip(&profiles)
            .zip(&clients)
            .map(|((bot, profile), client)| {
                let webapp_bot = WebAppBot {
                    profile: profile.clone(),
                    bot_id: client.bot_id().unwrap_or_default(),
                    token: Arc::from(bot.token.expose()),
                    client: client.clone(),
                    provider_token: bot.provider_token(),
                    sandbox,
                };
                (bot.key.clone(), webapp_bot)
            })
            .collect();
        let state = AppState {
            store: store.clone(),
            intake: intake.clone(),
            metrics: metrics.clone(),
            webhooks: Arc::new(webhooks),
            landing: Arc::new(landing(sandbox)),
            console: groupcart_http::console::ConsoleConfig {
                settings: config.console.settings(),
                secure_cookies: config.console.secure_cookies,
                trust_forwarded_for: config.console.trust_forwarded_for,
                sandbox,
            },
            api_token: api_token(&config, sandbox),
            texts: texts.clone(),
            wakers: wakers.clone(),
            shop: shop.clone(),
            webapp: Arc::new(webapp),
            crm: groupcart_http::CrmSettings {
                default_time_zone: Arc::from(config.crm.default_time_zone.as_str()),
                lifecycle: config.crm.lifecycle.clone(),
                send_rate: send_rate(&config.telegram.limits),
                clock: clock.clone(),
            },
            support: support_settings(&config),
        };
        let mut router = groupcart_http::router(state);
        if let Some(sim) = &simulator {
            // The simulator answers everything groupcart's own routes do not (`/bot<token>/…`
            // and `/sim/…`).
            router = router
                .merge(sandbox::mini_app_route(sim.clone()))
                .fallback_service(sim.router());
        }
        let http_shutdown = shutdown.clone();
        tasks.spawn(async move {
            // With the client's address: the audit log records it.
            let router = router.into_make_service_with_connect_info::<std::net::SocketAddr>();
            let server = axum::serve(listener, router)
                .with_graceful_shutdown(async move { http_shutdown.cancelled().await });
            if let Err(error) = server.await {
                tracing::error!(%error, "HTTP server failed");
            }
        });

        // Roles one instance plays at a time. SQLite runs one instance (its file is locked);
        // on PostgreSQL several instances share the database and hold these by lease.
        let roles = Roles {
            store: store.clone(),
            clock: clock.clone(),
            holder: instance_id(),
            leased: store.backend() == Backend::Postgres,
        };
        {
            let metrics = metrics.clone();
            roles.spawn(
                &mut tasks,
                lease::DISPATCHER.into(),
                shutdown.clone(),
                move |role| {
                    dispatch::run(
                        handler.clone(),
                        metrics.clone(),
                        DispatchConfig::default(),
                        stored.clone(),
                        role,
                    )
                },
            );
        }

        let members = Arc::new(TelegramMembership {
            clients: bots
                .iter()
                .zip(&clients)
                .map(|(bot, client)| (bot.key.clone(), client.clone()))
                .collect(),
        });
        for ((bot, profile), client) in bots.iter().zip(&profiles).zip(clients) {
            let limits = bot.limits.unwrap_or(config.telegram.limits);
            let deliver = Arc::new(TelegramDeliver::new(client.clone(), bot.provider_token()));
            let wake = wakers.get(&bot.key).unwrap_or_default();
            let (key, store, clock, metrics) = (
                bot.key.clone(),
                store.clone(),
                clock.clone(),
                metrics.clone(),
            );
            roles.spawn(
                &mut tasks,
                lease::sender(&bot.key),
                shutdown.clone(),
                move |role| {
                    let sender = Sender::new(
                        key.clone(),
                        store.clone(),
                        deliver.clone(),
                        clock.clone(),
                        metrics.clone(),
                        SenderConfig {
                            limits,
                            ..SenderConfig::default()
                        },
                    );
                    sender.run(wake.clone(), role)
                },
            );

            let delivery = delivery(bot);
            let mini_app = mini_app_base
                .as_ref()
                .map(|base| format!("{base}/app/{}", bot.key));
            prepare_with_retries(&client, profile, &texts, &delivery, mini_app, &shutdown).await;
            if let Delivery::LongPolling = delivery {
                let (key, intake, timeout) = (
                    bot.key.clone(),
                    intake.clone(),
                    config.telegram.poll_timeout,
                );
                roles.spawn(
                    &mut tasks,
                    lease::poller(&bot.key),
                    shutdown.clone(),
                    move |role| {
                        poller::run(key.clone(), client.clone(), intake.clone(), timeout, role)
                    },
                );
            }
        }

        let jobs = job_runner(
            &config, &profiles, &store, &texts, &clock, &metrics, members,
        );
        // The recurring check keeps itself going; this makes sure it exists (its dedup key
        // makes a second one a no-op).
        let mut tx = store.begin().await?;
        tx.schedule_job(&StuckShipments::next_run(clock.now()))
            .await?;
        if config.analytics.alerts.enabled {
            // The first check an hour after the first start; then daily.
            tx.schedule_job(&groupcart_core::anomaly::check_job(
                clock.now() + chrono::Duration::hours(1),
            ))
            .await?;
        }
        tx.schedule_job(&groupcart_core::crm::recompute_job(
            clock.now() + chrono::Duration::days(1),
        ))
        .await?;
        // Tag rules: evaluated hourly, and kept up with events from the newest one on (a
        // follower already scheduled keeps its cursor: same dedup key).
        tx.schedule_job(&groupcart_core::tag_rules::evaluate_job(
            clock.now() + groupcart_core::tag_rules::EVALUATE_EVERY,
        ))
        .await?;
        let newest = store.recent_events(None, 1).await?;
        tx.schedule_job(&groupcart_core::tag_rules::follow_job(
            newest.first().map_or(0, |e| e.id),
            clock.now(),
        ))
        .await?;
        // Points expiry: the first run looks at every credit, later ones since the last.
        tx.schedule_job(&groupcart_core::points::expire_job(
            None,
            clock.now() + chrono::Duration::hours(1),
        ))
        .await?;
        // Automations tail the events from the newest on at the first start; a dispatcher
        // already scheduled keeps its cursor (same dedup key).
        let newest = store.recent_events(None, 1).await?;
        tx.schedule_job(&groupcart_core::automation::dispatch_job(
            newest.first().map_or(0, |e| e.id),
            clock.now(),
        ))
        .await?;
        tx.schedule_job(&groupcart_core::automation::birthdays_job(clock.now()))
            .await?;
        tx.schedule_job(&groupcart_core::automation::restock_job(clock.now()))
            .await?;
        // Related products: learned soon after the first start (a shop with history gets
        // suggestions the same day), then nightly.
        tx.schedule_job(&groupcart_core::recommend::recompute_job(
            clock.now() + chrono::Duration::minutes(10),
        ))
        .await?;
        // The policy version may have changed since the last start.
        tx.schedule_job(&groupcart_core::privacy::policy_job(clock.now()))
            .await?;
        tx.schedule_job(&groupcart_core::privacy::retention_job(
            clock.now() + chrono::Duration::hours(1),
        ))
        .await?;
        if !config.webhooks.is_empty() {
            // From the newest event on; a dispatcher already scheduled keeps its cursor
            // (same dedup key), so nothing is sent twice or skipped across restarts.
            let newest = store.recent_events(None, 1).await?;
            let after = newest.first().map_or(0, |e| e.id);
            tx.schedule_job(&groupcart_core::webhook::dispatch_job(after, clock.now()))
                .await?;
        }
        tx.commit().await?;
        tasks.spawn(jobs.run(shutdown.clone()));

        Ok(App {
            addr,
            store,
            metrics,
            simulator,
            demo_login,
            shutdown,
            tasks,
            instance_lock,
        })
    }

    /// Asks everything to stop: the listener closes, polling ends, work in flight finishes.
    pub fn shutdown(&self) {
        self.shutdown.cancel();
    }

    /// Waits until every task has stopped (after [`App::shutdown`]).
    pub async fn stopped(mut self) {
        while self.tasks.join_next().await.is_some() {}
        // Only now may another instance take the file.
        drop(self.instance_lock.take());
    }
}

/// The links on the console's login page and dashboard.
fn landing(sandbox: bool) -> Vec<(String, String)> {
    let mut landing = Vec::new();
    if sandbox {
        let sim = "Telegram simulator: chat with the demo bot";
        landing.push((sim.to_owned(), "/sim".to_owned()));
        let app = "Mini App storefront, as customer 42";
        landing.push((app.to_owned(), "/sandbox/mini-app?user=42".to_owned()));
    }
    landing.push(("Health".to_owned(), "/healthz".to_owned()));
    landing.push(("Metrics".to_owned(), "/metrics".to_owned()));
    landing
}

/// The admin API's token: the configured one; in the sandbox, a fresh one that is logged;
/// otherwise none, which turns the admin API off.
fn api_token(config: &Config, sandbox: bool) -> Option<Arc<str>> {
    if !config.api.token.is_empty() {
        return Some(Arc::from(config.api.token.expose()));
    }
    sandbox.then(|| {
        let token = sandbox::api_token();
        tracing::info!("sandbox admin API token (send as `Authorization: Bearer …`): {token}");
        Arc::from(token.as_str())
    })
}

/// The shop's settings as the core takes them.
fn shop_settings(config: &Config) -> ShopSettings {
    ShopSettings {
        reservation: chrono::Duration::minutes(i64::from(config.shop.reservation_minutes)),
        page_size: config.shop.page_size as usize,
    }
}

/// Broadcast messages sent per second: the paid rate when enabled, else the free one.
fn send_rate(limits: &groupcart_worker::throttle::Limits) -> i64 {
    limits.global_per_sec.max(limits.paid_per_sec).ceil() as i64
}

/// How many of a broadcast's messages may wait in the outbox: two seconds of sending. (More
/// makes the sender's read of the due messages, which goes over all of them, the limit of
/// the paid lane on PostgreSQL: 0.61 of 1,000/s with five seconds, 0.97 with two.)
fn broadcast_window(limits: &groupcart_worker::throttle::Limits) -> i64 {
    2 * send_rate(limits)
}

/// The job runner with every job groupcart runs.
fn job_runner(
    config: &Config,
    profiles: &[BotProfile],
    store: &SharedStore,
    texts: &Arc<Texts>,
    clock: &SharedClock,
    metrics: &Arc<Metrics>,
    members: Arc<TelegramMembership>,
) -> JobRunner {
    let mut jobs = JobRunner::new(
        format!("{}:{}", hostname(), std::process::id()),
        store.clone(),
        clock.clone(),
        metrics.clone(),
        JobsConfig::default(),
    );
    jobs.register(Arc::new(StartFlashSale {
        store: store.clone(),
        texts: texts.clone(),
        clock: clock.clone(),
        bots: profiles
            .iter()
            .map(|p| (p.key.0.clone(), p.clone()))
            .collect(),
    }));
    jobs.register(Arc::new(FlashSaleTick {
        store: store.clone(),
        texts: texts.clone(),
        clock: clock.clone(),
    }));
    jobs.register(Arc::new(ExpireTeam {
        store: store.clone(),
        texts: texts.clone(),
        clock: clock.clone(),
        bots: profiles
            .iter()
            .map(|p| (p.key.0.clone(), p.clone()))
            .collect(),
        shop: shop_settings(config),
    }));
    jobs.register(Arc::new(TeamTick {
        store: store.clone(),
        texts: texts.clone(),
        clock: clock.clone(),
    }));
    jobs.register(Arc::new(SendPost {
        clock: clock.clone(),
    }));
    jobs.register(Arc::new(ExpireOrder {
        texts: texts.clone(),
        clock: clock.clone(),
    }));
    jobs.register(Arc::new(CloseJoinRequest {
        texts: texts.clone(),
        clock: clock.clone(),
    }));
    jobs.register(Arc::new(DeleteWelcome {
        clock: clock.clone(),
    }));
    jobs.register(Arc::new(StartMemberCheck {
        store: store.clone(),
        texts: texts.clone(),
        clock: clock.clone(),
        bots: profiles
            .iter()
            .map(|p| (p.key.0.clone(), p.clone()))
            .collect(),
        staff: members.clone(),
    }));
    jobs.register(Arc::new(CloseMemberCheck {
        clock: clock.clone(),
    }));
    jobs.register(Arc::new(PurgeMember {
        store: store.clone(),
        texts: texts.clone(),
        clock: clock.clone(),
        bots: profiles
            .iter()
            .map(|p| (p.key.0.clone(), p.clone()))
            .collect(),
        staff: members.clone(),
    }));
    jobs.register(Arc::new(RunStaffCommand {
        store: store.clone(),
        texts: texts.clone(),
        clock: clock.clone(),
        bots: profiles
            .iter()
            .map(|p| (p.key.0.clone(), p.clone()))
            .collect(),
        staff: members.clone(),
    }));
    jobs.register(Arc::new(DrawGiveaway {
        store: store.clone(),
        texts: texts.clone(),
        clock: clock.clone(),
        bots: profiles
            .iter()
            .map(|p| (p.key.0.clone(), p.clone()))
            .collect(),
        members,
    }));
    let staff: HashMap<String, StaffChat> = profiles
        .iter()
        .filter_map(|p| {
            let chat = StaffChat {
                chat_id: p.staff_chat?,
                language: p.default_language.clone(),
            };
            Some((p.key.0.clone(), chat))
        })
        .collect();
    jobs.register(Arc::new(RefreshCustomer {
        store: store.clone(),
        clock: clock.clone(),
        rules: config.crm.lifecycle.clone(),
        texts: texts.clone(),
    }));
    jobs.register(Arc::new(groupcart_worker::tag_rules_jobs::Evaluate::new(
        store.clone(),
        clock.clone(),
    )));
    jobs.register(Arc::new(groupcart_worker::tag_rules_jobs::Follow {
        store: store.clone(),
        clock: clock.clone(),
    }));
    jobs.register(Arc::new(Recompute {
        store: store.clone(),
        clock: clock.clone(),
        rules: config.crm.lifecycle.clone(),
        texts: texts.clone(),
        bots: profiles.iter().map(|p| p.key.0.clone()).collect(),
    }));
    jobs.register(Arc::new(groupcart_worker::points_jobs::ExpirePoints {
        store: store.clone(),
        clock: clock.clone(),
    }));
    jobs.register(Arc::new(
        groupcart_worker::recommend_jobs::RecomputeRecommendations {
            store: store.clone(),
            clock: clock.clone(),
        },
    ));
    {
        use groupcart_worker::automation_jobs as automation;
        let zone: Arc<str> = Arc::from(config.crm.default_time_zone.as_str());
        jobs.register(Arc::new(automation::Dispatch {
            store: store.clone(),
            clock: clock.clone(),
        }));
        jobs.register(Arc::new(automation::Send {
            store: store.clone(),
            texts: texts.clone(),
            clock: clock.clone(),
            default_zone: zone.clone(),
            default_languages: profiles
                .iter()
                .map(|p| (p.key.0.clone(), p.default_language.clone()))
                .collect(),
            currencies: profiles
                .iter()
                .map(|p| (p.key.0.clone(), p.currency.clone()))
                .collect(),
        }));
        jobs.register(Arc::new(automation::Birthdays {
            store: store.clone(),
            clock: clock.clone(),
            default_zone: zone,
        }));
        jobs.register(Arc::new(automation::Restock {
            store: store.clone(),
            clock: clock.clone(),
        }));
        jobs.register(Arc::new(automation::ExpireCode));
    }
    jobs.register(Arc::new(ReleaseBroadcast {
        clock: clock.clone(),
        default_languages: profiles
            .iter()
            .map(|p| (p.key.0.clone(), p.default_language.clone()))
            .collect(),
        // Two seconds of sending at the configured rate (the paid rate when enabled).
        window: broadcast_window(&config.telegram.limits),
    }));
    jobs.register(Arc::new(PickBroadcastWinner {
        store: store.clone(),
        clock: clock.clone(),
        currencies: profiles
            .iter()
            .map(|p| (p.key.0.clone(), p.currency.clone()))
            .collect(),
        default_time_zone: config.crm.default_time_zone.clone(),
    }));
    jobs.register(Arc::new(AnomalyCheck {
        store: store.clone(),
        texts: texts.clone(),
        clock: clock.clone(),
        staff: staff.clone(),
        rules: config.analytics.alerts.rules(),
        enabled: config.analytics.alerts.enabled,
    }));
    jobs.register(Arc::new(StuckShipments {
        store: store.clone(),
        texts: texts.clone(),
        clock: clock.clone(),
        staff,
        after: chrono::Duration::days(i64::from(config.shop.stuck_after_days)),
        every: chrono::Duration::hours(1),
    }));
    jobs.register(Arc::new(Export {
        store: store.clone(),
        texts: texts.clone(),
        clock: clock.clone(),
    }));
    jobs.register(Arc::new(ForgetMessage {
        store: store.clone(),
        clock: clock.clone(),
    }));
    jobs.register(Arc::new(SlaCheck {
        settings: support_settings(config),
        texts: texts.clone(),
        clock: clock.clone(),
    }));
    jobs.register(Arc::new(Translate::new(
        support_settings(config),
        texts.clone(),
        clock.clone(),
        config.support.translation.as_ref().map(|t| Translator {
            url: t.url.clone(),
            api_key: Some(t.api_key.expose().to_owned()).filter(|k| !k.is_empty()),
        }),
    )));
    jobs.register(Arc::new(PolicyCheck {
        version: config.privacy.policy_version.clone(),
    }));
    jobs.register(Arc::new(ApplyRetention {
        retention: config.privacy.retention.periods(),
        clock: clock.clone(),
    }));
    let endpoints = Arc::new(webhook_endpoints(config));
    jobs.register(Arc::new(Dispatch {
        store: store.clone(),
        clock: clock.clone(),
        endpoints: endpoints.clone(),
    }));
    jobs.register(Arc::new(Deliver::new(clock.clone(), endpoints)));
    jobs
}

/// The configured webhook endpoints, as the core takes them.
fn webhook_endpoints(config: &Config) -> Vec<groupcart_core::webhook::Endpoint> {
    config
        .webhooks
        .iter()
        .map(|hook| groupcart_core::webhook::Endpoint {
            url: hook.url.clone(),
            secret: hook.secret.expose().to_owned(),
            events: hook.events.clone(),
        })
        .collect()
}

/// Prepares a bot (getMe, command menus, webhook). A bot whose API does not answer yet is
/// retried in the background rather than failing the start: Telegram outages pass.
async fn prepare_with_retries(
    client: &Client,
    profile: &BotProfile,
    texts: &Arc<Texts>,
    delivery: &Delivery,
    mini_app: Option<String>,
    shutdown: &CancellationToken,
) {
    match setup::prepare(client, profile, texts, delivery, mini_app.as_deref()).await {
        Ok(me) => {
            if let Some(username) = me.username.clone() {
                let _ = profile.username.set(username);
            }
            tracing::info!(bot = %profile.key, username = me.username.as_deref().unwrap_or(""), "bot ready");
        }
        Err(error) => {
            tracing::warn!(bot = %profile.key, %error, "could not prepare the bot; retrying in the background");
            let (client, profile, texts, delivery, shutdown) = (
                client.clone(),
                profile.clone(),
                texts.clone(),
                delivery.clone(),
                shutdown.clone(),
            );
            tokio::spawn(async move {
                let mut wait = Duration::from_secs(1);
                loop {
                    tokio::select! {
                        _ = shutdown.cancelled() => return,
                        _ = tokio::time::sleep(wait) => {}
                    }
                    match setup::prepare(&client, &profile, &texts, &delivery, mini_app.as_deref())
                        .await
                    {
                        Ok(me) => {
                            if let Some(username) = me.username {
                                let _ = profile.username.set(username);
                            }
                            tracing::info!(bot = %profile.key, "bot ready");
                            return;
                        }
                        Err(error) => {
                            tracing::debug!(bot = %profile.key, %error, "bot not ready yet")
                        }
                    }
                    wait = (wait * 2).min(Duration::from_secs(60));
                }
            });
        }
    }
}

fn hostname() -> String {
    std::env::var("HOSTNAME").unwrap_or_else(|_| "groupcart".into())
}

/// The customer service settings (checked when the configuration was loaded).
fn support_settings(config: &Config) -> Arc<groupcart_core::support::SupportSettings> {
    Arc::new(config.support.settings().unwrap_or_default())
}

/// Starts the roles one instance plays at a time (see [`groupcart_core::lease`]).
struct Roles {
    store: SharedStore,
    clock: SharedClock,
    /// This instance, as lease holders are named.
    holder: String,
    /// Whether roles are held by lease (several instances may share the database).
    leased: bool,
}

impl Roles {
    fn spawn<F, Fut>(
        &self,
        tasks: &mut tokio::task::JoinSet<()>,
        name: String,
        shutdown: CancellationToken,
        mut start: F,
    ) where
        F: FnMut(CancellationToken) -> Fut + Send + 'static,
        Fut: std::future::Future<Output = ()> + Send + 'static,
    {
        if self.leased {
            tasks.spawn(groupcart_worker::lease::run_while_holding(
                self.store.clone(),
                self.clock.clone(),
                name,
                self.holder.clone(),
                shutdown,
                start,
            ));
        } else {
            tasks.spawn(start(shutdown));
        }
    }
}

/// A name for this instance, unique across machines and restarts: host, process and a
/// random part.
fn instance_id() -> String {
    let host = std::env::var("HOSTNAME").unwrap_or_else(|_| "groupcart".into());
    format!(
        "{host}-{}-{:08x}",
        std::process::id(),
        rand::random::<u32>()
    )
}
