//! A Telegram Bot API simulator: an HTTP server that answers `/bot<token>/<method>` like
//! Telegram does (updates, webhooks, flood limits, invite links, payments, forum topics and
//! message copies) and a control API under `/sim` through which tests and people act as
//! Telegram users.
//!
//! It is deliberately independent of the rest of groupcart: it speaks JSON only and is meant to
//! be an oracle that the bot's Telegram layer is tested against.
//!
//! Module map:
//! - [`types`] (re-exported): public value types (users, chats, records);
//! - `state`: the simulated world and its shared rules;
//! - `params`: decoding of Bot API request parameters;
//! - `text`: HTML formatting, entity detection, reply markup validation;
//! - `limits`: flood limits;
//! - `bot_api`: the Bot API methods and their HTTP endpoint;
//! - `webhook`: webhook delivery;
//! - `actions`: what simulated users do (in-process API);
//! - `control`: the `/sim` HTTP endpoints and the HTML page;
//! - [`client`] (re-exported): [`SimClient`], a small HTTP client for the control API.

mod actions;
mod bot_api;
pub mod client;
mod control;
mod error;
mod limits;
mod params;
mod state;
mod text;
pub mod types;
mod webhook;

use std::io;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::Router;
use serde_json::Value;
use tokio::sync::Notify;
use tokio::task::JoinHandle;

pub use client::{ClientError, SimClient};
pub use error::SimError;
pub use types::*;

use state::World;

/// Flood limits, per bot. The defaults are Telegram's documented limits.
#[derive(Debug, Clone, PartialEq)]
pub struct Limits {
    /// Messages a private chat accepts at once before the refill rate applies (default 5).
    pub private_burst: u32,
    /// Refill rate of a private chat's bucket, messages per second (default 1.0).
    pub private_per_sec: f64,
    /// Messages per group or channel in any sliding 60 s window (default 20).
    pub group_per_minute: u32,
    /// Messages per bot in any sliding 1 s window (default 30).
    pub global_per_sec: u32,
    /// Messages with `allow_paid_broadcast` per bot in any sliding 1 s window (default 1000).
    pub paid_per_sec: u32,
    /// Whether limits are enforced at all (default true).
    pub enabled: bool,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            private_burst: 5,
            private_per_sec: 1.0,
            group_per_minute: 20,
            global_per_sec: 30,
            paid_per_sec: 1000,
            enabled: true,
        }
    }
}

/// Simulator settings.
#[derive(Debug, Clone, PartialEq)]
pub struct SimConfig {
    /// Flood limits.
    pub limits: Limits,
    /// First webhook retry delay; doubles per failed attempt (default 1 s).
    pub webhook_retry: Duration,
    /// Longest delay between webhook retries (default 60 s).
    pub webhook_max_retry: Duration,
    /// How long a webhook request may take before it counts as failed (default 10 s).
    pub webhook_timeout: Duration,
    /// Time the bot has to answer a pre-checkout query (default 10 s, as on Telegram), and
    /// also a shipping query.
    pub pre_checkout_timeout: Duration,
    /// Longest getUpdates long poll (default 50 s, as on Telegram).
    pub max_long_poll: Duration,
}

impl Default for SimConfig {
    fn default() -> Self {
        Self {
            limits: Limits::default(),
            webhook_retry: Duration::from_secs(1),
            webhook_max_retry: Duration::from_secs(60),
            webhook_timeout: Duration::from_secs(10),
            pre_checkout_timeout: Duration::from_secs(10),
            max_long_poll: Duration::from_secs(50),
        }
    }
}

/// Shared state behind every clone of a [`Simulator`].
#[derive(Debug)]
pub(crate) struct Inner {
    pub config: SimConfig,
    world: Mutex<World>,
    /// Outgoing HTTP for webhooks.
    pub http: reqwest::Client,
    /// Signalled after every change to chat logs, for waiters on sent messages.
    pub changed: Notify,
}

impl Inner {
    /// Locks the world. A panic while holding the lock leaves the data usable (every change is
    /// applied whole), so a poisoned lock is taken over rather than propagated.
    pub fn world(&self) -> MutexGuard<'_, World> {
        self.world
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// The simulator. Cheap to clone; all clones share one world.
///
/// Must be used inside a Tokio runtime (webhook delivery runs as tasks).
#[derive(Debug, Clone)]
pub struct Simulator {
    pub(crate) inner: Arc<Inner>,
}

impl Default for Simulator {
    fn default() -> Self {
        Self::new(SimConfig::default())
    }
}

impl Simulator {
    /// A simulator with an empty world.
    pub fn new(config: SimConfig) -> Self {
        let seed = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(0x5EED);
        let http = reqwest::Client::builder()
            .no_proxy()
            .build()
            .unwrap_or_else(|_| reqwest::Client::new());
        Self {
            inner: Arc::new(Inner {
                config,
                world: Mutex::new(World::new(seed)),
                http,
                changed: Notify::new(),
            }),
        }
    }

    /// The settings in use.
    pub fn config(&self) -> &SimConfig {
        &self.inner.config
    }

    /// All routes: the Bot API at `/bot<token>/<method>` and the control API and page under
    /// `/sim`.
    pub fn router(&self) -> Router {
        control::routes(self.clone())
            .merge(bot_api::routes(self.clone()))
            .fallback(bot_api::not_found)
    }

    /// Only the control API and page (`/sim`, `/sim/...`), for mounting next to other routes.
    pub fn control_router(&self) -> Router {
        control::routes(self.clone())
    }

    /// Only the Bot API (`/{bot<token>}/{method}`), which claims every two-segment path.
    pub fn bot_api_router(&self) -> Router {
        bot_api::routes(self.clone())
    }

    /// Serves [`Simulator::router`] on the listener until the task is dropped.
    pub async fn serve(self, listener: tokio::net::TcpListener) -> io::Result<()> {
        axum::serve(listener, self.router()).await
    }

    /// Binds `127.0.0.1:0` and serves in a background task (for tests).
    pub async fn spawn_local(&self) -> io::Result<RunningSim> {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0)).await?;
        let addr = listener.local_addr()?;
        let sim = self.clone();
        let task = tokio::spawn(async move {
            if let Err(err) = sim.serve(listener).await {
                tracing::warn!(%err, "simulator server stopped");
            }
        });
        Ok(RunningSim { addr, task })
    }

    /// Calls a Bot API method in-process and returns Telegram's JSON envelope
    /// (`{"ok":true,"result":...}` or `{"ok":false,"error_code":...}`).
    pub async fn bot_call(&self, token: &str, method: &str, params: Value) -> Value {
        let outcome = match params::Params::from_json(params) {
            Ok(params) => bot_api::call_with_token(&self.inner, token, method, params).await,
            Err(err) => Err(err),
        };
        error::envelope(&outcome)
    }
}

/// A simulator served on a local port; the server stops when this is dropped.
#[derive(Debug)]
pub struct RunningSim {
    addr: SocketAddr,
    task: JoinHandle<()>,
}

impl RunningSim {
    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:<port>`: the Bot API base (`<url>/bot<token>/<method>`) and the control
    /// API base (`<url>/sim/...`).
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// A control API client for this server.
    pub fn client(&self) -> SimClient {
        SimClient::new(self.url())
    }
}

impl Drop for RunningSim {
    fn drop(&mut self) {
        self.task.abort();
    }
}
