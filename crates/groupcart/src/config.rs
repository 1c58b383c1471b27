//! Configuration: defaults, then an optional TOML file (`--config`), then `GROUPCART_*`
//! environment variables (`__` separates levels: `GROUPCART_TELEGRAM__TOKEN`), then
//! command-line flags. Loaded once at start and passed down.
//!
//! Unknown keys and invalid values are rejected with a message naming the key. Secrets are
//! [`Secret`]s: they print as `[redacted]` in logs and in `groupcart config print`.

use figment::providers::{Env, Format, Serialized, Toml};
use figment::Figment;
use groupcart_worker::throttle::Limits;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::net::SocketAddr;
use std::path::Path;

/// A value that must never be printed.
#[derive(Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }
    /// The secret itself, for the one place that needs it.
    pub fn expose(&self) -> &str {
        &self.0
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.0.is_empty() {
            "\"\""
        } else {
            "[redacted]"
        })
    }
}

impl Serialize for Secret {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(if self.0.is_empty() { "" } else { "[redacted]" })
    }
}

/// The whole configuration.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    pub database: DatabaseConfig,
    pub http: HttpConfig,
    pub telegram: TelegramConfig,
    /// The bots this instance serves. Empty with `telegram.token` set: one bot `main`;
    /// empty without a token: sandbox mode.
    pub bots: Vec<BotConfig>,
    pub api: ApiConfig,
    pub console: ConsoleConfig,
    pub shop: ShopConfig,
    pub privacy: PrivacyConfig,
    pub encryption: EncryptionConfig,
    pub crm: CrmConfig,
    pub support: SupportConfig,
    pub analytics: AnalyticsConfig,
    /// Where events are sent (signed) as they happen.
    pub webhooks: Vec<WebhookConfig>,
    pub log: LogConfig,
}

/// Customer service (`[support]`): FAQ thresholds, SLA targets and the agent groups.
/// Without groups the bot answers from the FAQ only.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct SupportConfig {
    /// An FAQ answer is given at this confidence (0-1000) or more.
    pub answer_confidence: u16,
    /// Below it, entries this confident are offered as choices.
    pub suggest_confidence: u16,
    /// Ask the NPS question (0-10) after the CSAT one.
    pub ask_nps: bool,
    /// Agent messages starting with this are internal notes.
    pub note_prefix: String,
    /// The assignee is warned when this share of a target has passed.
    pub warn_at_percent: u8,
    pub sla: SlaConfig,
    pub groups: Vec<AgentGroupConfig>,
    /// A LibreTranslate-compatible service for agent-side translation; off when unset.
    pub translation: Option<TranslationConfig>,
}

/// `[support.translation]`: where messages between customers and agents are translated.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct TranslationConfig {
    /// The service's base URL (`POST <url>/translate`).
    pub url: String,
    #[serde(default)]
    pub api_key: Secret,
}

impl Default for SupportConfig {
    fn default() -> Self {
        let d = groupcart_core::support::SupportSettings::default();
        SupportConfig {
            answer_confidence: d.answer_confidence,
            suggest_confidence: d.suggest_confidence,
            ask_nps: d.ask_nps,
            note_prefix: d.note_prefix,
            warn_at_percent: 80,
            sla: SlaConfig::default(),
            groups: Vec::new(),
            translation: None,
        }
    }
}

/// SLA targets per priority, counted in the group's business hours.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct SlaConfig {
    pub low: SlaTargetConfig,
    pub normal: SlaTargetConfig,
    pub high: SlaTargetConfig,
}

impl Default for SlaConfig {
    fn default() -> Self {
        let d = groupcart_core::support::SupportSettings::default();
        let of = |t: groupcart_core::support::SlaTarget| SlaTargetConfig {
            first_response_minutes: t.first_response.num_minutes() as u32,
            resolution_hours: t.resolution.num_hours() as u32,
        };
        SlaConfig {
            low: of(d.low),
            normal: of(d.normal),
            high: of(d.high),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct SlaTargetConfig {
    pub first_response_minutes: u32,
    pub resolution_hours: u32,
}

/// An agent group (`[[support.groups]]`): a forum supergroup where each ticket gets a topic.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct AgentGroupConfig {
    pub key: String,
    /// The forum supergroup (the bot must be an admin that can manage topics).
    pub chat_id: i64,
    /// Customer languages served; empty for any.
    #[serde(default)]
    pub languages: Vec<String>,
    /// Topics served (`pre-sales`, `orders`, `returns`, ...); empty for any.
    #[serde(default)]
    pub topics: Vec<String>,
    /// The language the bot speaks to the agents.
    #[serde(default = "english")]
    pub language: String,
    #[serde(default = "utc")]
    pub time_zone: String,
    /// `mon-fri`, `daily`, `mon,wed,fri`...
    #[serde(default = "daily")]
    pub days: String,
    /// `09:00-18:00`; `00:00-00:00` is around the clock.
    #[serde(default = "all_day")]
    pub hours: String,
    /// Where SLA breaches are escalated; the ticket's topic when unset.
    #[serde(default)]
    pub supervisor_chat_id: Option<i64>,
    /// With `[support.translation]`: customers' messages in other languages are shown
    /// translated into this one, and `/tr` sends replies translated back.
    #[serde(default)]
    pub translate_to: Option<String>,
}

fn english() -> String {
    "en".into()
}
fn utc() -> String {
    "UTC".into()
}
fn daily() -> String {
    "daily".into()
}
fn all_day() -> String {
    "00:00-00:00".into()
}

impl SupportConfig {
    /// The settings the core runs with; a message naming the field when one is wrong.
    pub fn settings(&self) -> Result<groupcart_core::support::SupportSettings, String> {
        use groupcart_core::support::{AgentGroup, BusinessHours, SlaTarget, SupportSettings};
        let target = |t: &SlaTargetConfig, name: &str| {
            if t.first_response_minutes == 0 || t.resolution_hours == 0 {
                return Err(format!("support.sla.{name}: targets must be positive"));
            }
            Ok(SlaTarget {
                first_response: chrono::Duration::minutes(i64::from(t.first_response_minutes)),
                resolution: chrono::Duration::hours(i64::from(t.resolution_hours)),
            })
        };
        if self.suggest_confidence > self.answer_confidence || self.answer_confidence > 1000 {
            return Err("support: need suggest_confidence <= answer_confidence <= 1000".into());
        }
        if !(1..=100).contains(&self.warn_at_percent) {
            return Err("support.warn_at_percent must be between 1 and 100".into());
        }
        if let Some(t) = &self.translation {
            if !(t.url.starts_with("https://") || t.url.starts_with("http://")) {
                return Err("support.translation.url must be an http(s):// URL".into());
            }
        }
        let mut groups: Vec<AgentGroup> = Vec::new();
        for (i, g) in self.groups.iter().enumerate() {
            let at = format!("support.groups[{i}]");
            if g.key.is_empty() || groups.iter().any(|other| other.key == g.key) {
                return Err(format!("{at}.key must be set and unique"));
            }
            let hours = BusinessHours::parse(&g.time_zone, &g.days, &g.hours)
                .map_err(|e| format!("{at}: {e}"))?;
            groups.push(AgentGroup {
                key: g.key.clone(),
                chat_id: g.chat_id,
                languages: g.languages.clone(),
                topics: g.topics.clone(),
                language: g.language.clone(),
                hours,
                supervisor_chat: g.supervisor_chat_id,
                translate_to: g.translate_to.clone(),
            });
        }
        Ok(SupportSettings {
            groups,
            low: target(&self.sla.low, "low")?,
            normal: target(&self.sla.normal, "normal")?,
            high: target(&self.sla.high, "high")?,
            warn_at_per_mille: i64::from(self.warn_at_percent) * 10,
            answer_confidence: self.answer_confidence,
            suggest_confidence: self.suggest_confidence,
            ask_nps: self.ask_nps,
            note_prefix: self.note_prefix.clone(),
            translator: self.translation.is_some(),
        })
    }
}

/// An outgoing webhook endpoint (`[[webhooks]]`).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct WebhookConfig {
    /// Where events are POSTed.
    pub url: String,
    /// The HMAC-SHA256 key of the `X-Groupcart-Signature` header (at least 16 characters).
    pub secret: Secret,
    /// Event names to send (`order.paid`, ...); empty sends all of them.
    pub events: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct DatabaseConfig {
    /// `sqlite://path` (the file is created) or `postgres://user@host/db`.
    pub url: String,
    /// PostgreSQL pool size.
    pub max_connections: u32,
}

impl Default for DatabaseConfig {
    fn default() -> Self {
        DatabaseConfig {
            url: "sqlite://data/groupcart.db".into(),
            max_connections: 10,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct HttpConfig {
    pub listen: SocketAddr,
    /// The public HTTPS base URL Telegram reaches this instance at. When set, bots receive
    /// updates by webhook at `<public_url>/telegram/<bot key>`; otherwise by long polling.
    pub public_url: Option<String>,
}

impl Default for HttpConfig {
    fn default() -> Self {
        HttpConfig {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            public_url: None,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct TelegramConfig {
    /// The Bot API server: Telegram's, a local Bot API server, or a simulator.
    pub api_url: String,
    /// Shorthand for a single bot (`GROUPCART_TELEGRAM__TOKEN`).
    pub token: Secret,
    /// Long-polling timeout in seconds.
    pub poll_timeout: u32,
    /// Default send limits of every bot.
    pub limits: Limits,
}

impl Default for TelegramConfig {
    fn default() -> Self {
        TelegramConfig {
            api_url: "https://api.telegram.org".into(),
            token: Secret::default(),
            poll_timeout: 25,
            limits: Limits::default(),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct BotConfig {
    /// A short stable key (`es`, `id`, `main`): rows and webhook paths carry it.
    pub key: String,
    pub token: Secret,
    #[serde(default = "default_language")]
    pub default_language: String,
    #[serde(default = "default_currency")]
    pub currency: String,
    #[serde(default = "default_market")]
    pub market: String,
    /// Overrides `telegram.limits` for this bot.
    #[serde(default)]
    pub limits: Option<Limits>,
    /// Payment provider token (from @BotFather) for card payments; Telegram Stars need none.
    #[serde(default)]
    pub payment_provider_token: Secret,
    /// Flat shipping fee of physical orders, in minor units of `currency`, when there is no
    /// rate table.
    #[serde(default)]
    pub shipping_fee: i64,
    /// Shipping options by destination country (`[[bots.shipping_rates]]`). When set,
    /// Telegram asks customers for their address first and they pick one of the options
    /// that serve their country.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub shipping_rates: Vec<groupcart_core::shipping::ShippingRate>,
    /// The (private) group where staff get order notices and run orders with `/ship`,
    /// `/delivered` and `/cancel`.
    #[serde(default)]
    pub staff_chat_id: Option<i64>,
    /// Instructions for paying by bank transfer or on delivery, in the seller's words; when
    /// set, customers may choose it at checkout and staff confirm the payment.
    #[serde(default)]
    pub manual_payment: Option<String>,
    /// Days an order paid by hand holds its stock.
    #[serde(default = "default_manual_payment_days")]
    pub manual_payment_days: u32,
}

fn default_manual_payment_days() -> u32 {
    3
}

impl BotConfig {
    /// The payment provider token, if one is configured.
    pub fn provider_token(&self) -> Option<String> {
        Some(self.payment_provider_token.expose().to_owned()).filter(|t| !t.is_empty())
    }
}

fn default_language() -> String {
    "en".into()
}
fn default_currency() -> String {
    "USD".into()
}
fn default_market() -> String {
    "global".into()
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct ShopConfig {
    /// Minutes an unpaid order holds its stock before it is cancelled.
    pub reservation_minutes: u32,
    /// Products per page when customers browse in chat.
    pub page_size: u32,
    /// Days without news after which a shipped order is flagged to staff.
    pub stuck_after_days: u32,
}

impl Default for ShopConfig {
    fn default() -> Self {
        ShopConfig {
            reservation_minutes: 15,
            page_size: 6,
            stuck_after_days: 10,
        }
    }
}

/// `[analytics]`: what the figures watch for.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct AnalyticsConfig {
    pub alerts: AlertsConfig,
}

/// `[analytics.alerts]`: the daily anomaly check, posted to each bot's staff chat (see
/// `groupcart_core::anomaly`).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct AlertsConfig {
    pub enabled: bool,
    /// A week-over-week drop of at least this many percent is news.
    pub drop_percent: u32,
    /// ...when the week before had at least this many.
    pub min_baseline: i64,
    /// At least this share (percent) of the last day's sends failed...
    pub failed_sends_percent: u32,
    /// ...and at least this many.
    pub min_failed_sends: i64,
}

impl Default for AlertsConfig {
    fn default() -> Self {
        let rules = groupcart_core::anomaly::AnomalyRules::default();
        AlertsConfig {
            enabled: true,
            drop_percent: rules.drop_percent,
            min_baseline: rules.min_baseline,
            failed_sends_percent: rules.failed_sends_percent,
            min_failed_sends: rules.min_failed_sends,
        }
    }
}

impl AlertsConfig {
    /// The rules of the check.
    pub fn rules(&self) -> groupcart_core::anomaly::AnomalyRules {
        groupcart_core::anomaly::AnomalyRules {
            drop_percent: self.drop_percent,
            min_baseline: self.min_baseline,
            failed_sends_percent: self.failed_sends_percent,
            min_failed_sends: self.min_failed_sends,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct CrmConfig {
    /// The time zone of customers whose own is unknown (an IANA name), for local-time
    /// broadcasts.
    pub default_time_zone: String,
    /// Thresholds of the lifecycle stages (days and paid orders).
    pub lifecycle: groupcart_core::crm::LifecycleRules,
}

impl Default for CrmConfig {
    fn default() -> Self {
        CrmConfig {
            default_time_zone: "UTC".into(),
            lifecycle: groupcart_core::crm::LifecycleRules::default(),
        }
    }
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct ApiConfig {
    /// Bearer token of the admin API (`/api`). Empty: the admin API is off, except in
    /// sandbox mode, where a token is made up at start and logged.
    pub token: Secret,
}

/// The operator console (`[console]`): sessions and cookies. Users are made with
/// `groupcart user add`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct ConsoleConfig {
    /// Mark the console's cookies `Secure` always (they are anyway when a proxy sends
    /// `X-Forwarded-Proto: https`). Turn on when the console is only reached over HTTPS.
    pub secure_cookies: bool,
    /// Take the client's address, for the per-address login limit and the audit log, from
    /// the last `X-Forwarded-For` entry. Only behind a proxy that sets that header.
    pub trust_forwarded_for: bool,
    /// A session unused for this many hours ends.
    pub idle_timeout_hours: u32,
    /// A session ends this many days after login, used or not.
    pub session_days: u32,
}

impl Default for ConsoleConfig {
    fn default() -> Self {
        ConsoleConfig {
            secure_cookies: false,
            trust_forwarded_for: false,
            idle_timeout_hours: 12,
            session_days: 7,
        }
    }
}

impl ConsoleConfig {
    /// The core's session settings (login limits stay at their defaults).
    pub fn settings(&self) -> groupcart_core::console::ConsoleSettings {
        groupcart_core::console::ConsoleSettings {
            idle_timeout: chrono::Duration::hours(i64::from(self.idle_timeout_hours)),
            lifetime: chrono::Duration::days(i64::from(self.session_days)),
            ..Default::default()
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct PrivacyConfig {
    /// The version of the privacy policy customers consent to; changing it asks again, and
    /// marketing stops for everyone until they accept the new version.
    pub policy_version: String,
    /// How long personal data is kept.
    pub retention: RetentionConfig,
}

impl Default for PrivacyConfig {
    fn default() -> Self {
        PrivacyConfig {
            policy_version: "1".into(),
            retention: RetentionConfig::default(),
        }
    }
}

/// Encryption at rest of personal fields (`[encryption]`, see `crate::keys`).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct EncryptionConfig {
    /// Keys as `id:base64`, comma-separated; the first seals new values. Empty: the key
    /// file.
    pub keys: Secret,
    /// A file of keys, one per line. Default with SQLite: `<database file>.keys`, created
    /// on first start. PostgreSQL needs `keys` or this.
    pub key_file: Option<std::path::PathBuf>,
}

/// Retention periods in days; 0 keeps for good.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, default)]
pub struct RetentionConfig {
    /// Stored Telegram updates and the texts of sent messages (at least 2: Telegram may
    /// send an update again within a day, and the stored one is what recognizes it).
    pub messages_days: u32,
    /// Events (analytics looks no further back).
    pub events_days: u32,
}

impl Default for RetentionConfig {
    fn default() -> Self {
        RetentionConfig {
            messages_days: 365,
            events_days: 0,
        }
    }
}

impl RetentionConfig {
    /// The periods as the core takes them.
    pub fn periods(&self) -> groupcart_core::privacy::Retention {
        let days = |d: u32| (d > 0).then(|| chrono::Duration::days(i64::from(d)));
        groupcart_core::privacy::Retention {
            messages: days(self.messages_days),
            events: days(self.events_days),
        }
    }
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Default, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    #[default]
    Text,
    Json,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct LogConfig {
    pub format: LogFormat,
    /// A `tracing` filter such as `info` or `groupcart=debug,info`.
    pub level: String,
}

impl Default for LogConfig {
    fn default() -> Self {
        LogConfig {
            format: LogFormat::Text,
            level: "info".into(),
        }
    }
}

/// Which database a URL names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DatabaseKind {
    Sqlite,
    Postgres,
}

impl DatabaseConfig {
    pub fn kind(&self) -> Result<DatabaseKind, String> {
        let url = self.url.as_str();
        if url.starts_with("sqlite:") {
            Ok(DatabaseKind::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(DatabaseKind::Postgres)
        } else {
            Err("database.url must start with sqlite:// or postgres://".into())
        }
    }
}

/// Values given as command-line flags; they override everything else.
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    pub database_url: Option<String>,
    pub listen: Option<SocketAddr>,
    pub public_url: Option<String>,
    pub token: Option<String>,
    pub telegram_api_url: Option<String>,
    pub log_format: Option<LogFormat>,
}

impl Config {
    /// Loads defaults, the TOML file, the environment and the flags, in that order, and
    /// validates the result.
    pub fn load(file: Option<&Path>, overrides: &Overrides) -> Result<Config, String> {
        Self::load_from(file, Env::prefixed("GROUPCART_").split("__"), overrides)
    }

    fn load_from(file: Option<&Path>, env: Env, overrides: &Overrides) -> Result<Config, String> {
        let mut figment = Figment::from(Serialized::defaults(Config::default()));
        if let Some(file) = file {
            if !file.exists() {
                return Err(format!("config file {} does not exist", file.display()));
            }
            figment = figment.merge(Toml::file_exact(file));
        }
        figment = figment.merge(env);
        // Flags are merged key by key so that secrets never pass through `Serialize`.
        let o = overrides;
        if let Some(v) = &o.database_url {
            figment = figment.merge(("database.url", v));
        }
        if let Some(v) = &o.listen {
            figment = figment.merge(("http.listen", v.to_string()));
        }
        if let Some(v) = &o.public_url {
            figment = figment.merge(("http.public_url", v));
        }
        if let Some(v) = &o.token {
            figment = figment.merge(("telegram.token", v));
        }
        if let Some(v) = &o.telegram_api_url {
            figment = figment.merge(("telegram.api_url", v));
        }
        if let Some(v) = o.log_format {
            figment = figment.merge(("log.format", v));
        }
        let config: Config = figment.extract().map_err(describe)?;
        config.validate()?;
        Ok(config)
    }

    fn validate(&self) -> Result<(), String> {
        self.database.kind()?;
        if !(self.telegram.api_url.starts_with("http://")
            || self.telegram.api_url.starts_with("https://"))
        {
            return Err("telegram.api_url must be an http:// or https:// URL".into());
        }
        if let Some(url) = &self.http.public_url {
            if !url.starts_with("https://") && !url.starts_with("http://") {
                return Err(
                    "http.public_url must be an https:// (or, for tests, http://) URL".into(),
                );
            }
        }
        if !(1..=10_080).contains(&self.shop.reservation_minutes) {
            return Err("shop.reservation_minutes must be between 1 and 10080 (a week)".into());
        }
        if !(1..=365).contains(&self.shop.stuck_after_days) {
            return Err("shop.stuck_after_days must be between 1 and 365".into());
        }
        let alerts = &self.analytics.alerts;
        if !(1..=100).contains(&alerts.drop_percent) {
            return Err("analytics.alerts.drop_percent must be between 1 and 100".into());
        }
        if !(1..=100).contains(&alerts.failed_sends_percent) {
            return Err("analytics.alerts.failed_sends_percent must be between 1 and 100".into());
        }
        if alerts.min_baseline < 1 || alerts.min_failed_sends < 1 {
            return Err(
                "analytics.alerts.min_baseline and min_failed_sends must be at least 1".into(),
            );
        }
        if !(1..=720).contains(&self.console.idle_timeout_hours) {
            return Err("console.idle_timeout_hours must be between 1 and 720".into());
        }
        if !(1..=90).contains(&self.console.session_days) {
            return Err("console.session_days must be between 1 and 90".into());
        }
        if !(1..=20).contains(&self.shop.page_size) {
            return Err("shop.page_size must be between 1 and 20".into());
        }
        for (i, hook) in self.webhooks.iter().enumerate() {
            if !(hook.url.starts_with("https://") || hook.url.starts_with("http://")) {
                return Err(format!(
                    "webhooks[{i}].url must be an https:// (or http://) URL"
                ));
            }
            if hook.secret.expose().chars().count() < 16 {
                return Err(format!(
                    "webhooks[{i}].secret must be at least 16 characters"
                ));
            }
            let known: Vec<&str> = groupcart_core::webhook::PUBLISHED
                .iter()
                .map(|(_, name)| *name)
                .collect();
            if let Some(unknown) = hook.events.iter().find(|e| !known.contains(&e.as_str())) {
                return Err(format!(
                    "webhooks[{i}].events: unknown event `{unknown}` (events: {})",
                    known.join(", ")
                ));
            }
        }
        self.support.settings()?;
        if self.privacy.retention.messages_days == 1 {
            return Err("privacy.retention.messages_days must be 0 (keep) or at least 2".into());
        }
        if self.privacy.policy_version.trim().is_empty() {
            return Err("privacy.policy_version must not be empty".into());
        }
        if !groupcart_core::time_zone::is_valid(&self.crm.default_time_zone) {
            return Err(format!(
                "crm.default_time_zone `{}` is not an IANA time zone (such as Asia/Jakarta)",
                self.crm.default_time_zone
            ));
        }
        if let Err(errors) = self.crm.lifecycle.validate() {
            let first = &errors[0];
            return Err(format!("crm.lifecycle.{} {}", first.field, first.message));
        }
        if !(1..=50).contains(&self.telegram.poll_timeout) {
            return Err("telegram.poll_timeout must be between 1 and 50 seconds".into());
        }
        self.telegram
            .limits
            .validate()
            .map_err(|e| format!("telegram.limits.{e}"))?;
        if !self.bots.is_empty() && !self.telegram.token.is_empty() {
            return Err("set either telegram.token (one bot) or [[bots]], not both".into());
        }
        let mut keys = std::collections::HashSet::new();
        for (i, bot) in self.bots.iter().enumerate() {
            let at = format!("bots[{i}]");
            let key_ok = (1..=32).contains(&bot.key.len())
                && bot
                    .key
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
            if !key_ok {
                return Err(format!("{at}.key must be 1-32 of A-Z a-z 0-9 _ -"));
            }
            if !keys.insert(bot.key.as_str()) {
                return Err(format!("{at}.key `{}` is used twice", bot.key));
            }
            if !is_token(bot.token.expose()) {
                return Err(format!("{at}.token is not a bot token (<digits>:<secret>)"));
            }
            if let Err(e) = bot.currency.parse::<groupcart_core::money::Currency>() {
                return Err(format!("{at}.currency: {e}"));
            }
            if !(1..=60).contains(&bot.manual_payment_days) {
                return Err(format!("{at}.manual_payment_days must be between 1 and 60"));
            }
            if bot.shipping_fee < 0 {
                return Err(format!("{at}.shipping_fee must not be negative"));
            }
            groupcart_core::shipping::validate(&bot.shipping_rates)
                .map_err(|e| format!("{at}.shipping_rates: {e}"))?;
            if let Some(limits) = &bot.limits {
                limits.validate().map_err(|e| format!("{at}.limits.{e}"))?;
            }
        }
        if !self.telegram.token.is_empty() && !is_token(self.telegram.token.expose()) {
            return Err("telegram.token is not a bot token (<digits>:<secret>)".into());
        }
        Ok(())
    }

    /// Sandbox mode: no bot token anywhere.
    pub fn is_sandbox(&self) -> bool {
        self.bots.is_empty() && self.telegram.token.is_empty()
    }

    /// The bots to run: the configured list, or the single `telegram.token` bot as `main`.
    /// Empty in sandbox mode (the sandbox adds its own).
    pub fn effective_bots(&self) -> Vec<BotConfig> {
        if !self.bots.is_empty() {
            return self.bots.clone();
        }
        if self.telegram.token.is_empty() {
            return Vec::new();
        }
        vec![BotConfig {
            key: "main".into(),
            token: self.telegram.token.clone(),
            default_language: default_language(),
            currency: default_currency(),
            market: default_market(),
            limits: None,
            payment_provider_token: Secret::default(),
            shipping_fee: 0,
            shipping_rates: Vec::new(),
            staff_chat_id: None,
            manual_payment: None,
            manual_payment_days: default_manual_payment_days(),
        }]
    }

    /// The effective configuration as TOML, secrets (tokens, database password) redacted.
    pub fn to_redacted_toml(&self) -> String {
        let mut printable = self.clone();
        printable.database.url = redact_url(&self.database.url);
        toml::to_string_pretty(&printable).unwrap_or_else(|e| format!("# unprintable config: {e}"))
    }
}

/// A URL with the password of its user info replaced (`postgres://u:[redacted]@h/db`).
pub fn redact_url(url: &str) -> String {
    let Some(scheme_end) = url.find("://").map(|i| i + 3) else {
        return url.to_owned();
    };
    let Some(at) = url[scheme_end..].rfind('@').map(|i| i + scheme_end) else {
        return url.to_owned();
    };
    match url[scheme_end..at].split_once(':') {
        Some((user, _password)) => format!("{}{user}:[redacted]{}", &url[..scheme_end], &url[at..]),
        None => url.to_owned(),
    }
}

fn is_token(token: &str) -> bool {
    match token.split_once(':') {
        Some((id, secret)) => {
            !id.is_empty()
                && id.bytes().all(|b| b.is_ascii_digit())
                && secret.len() >= 10
                && secret
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
        }
        None => false,
    }
}

/// Turns figment's error into one line per problem, naming the key.
fn describe(error: figment::Error) -> String {
    error
        .into_iter()
        .map(|e| {
            let key = e.path.join(".");
            let source = e
                .metadata
                .as_ref()
                .map(|m| format!(" (from {})", m.name))
                .unwrap_or_default();
            if key.is_empty() {
                format!("{}{source}", e.kind)
            } else {
                format!("{key}: {}{source}", e.kind)
            }
        })
        .collect::<Vec<_>>()
        .join("; ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn no_env() -> Env {
        Env::prefixed("GROUPCART_TEST_NEVER_SET_")
    }

    fn write_toml(body: &str) -> std::path::PathBuf {
        let path = std::env::temp_dir().join(format!(
            "groupcart-config-{}-{}.toml",
            std::process::id(),
            body.len()
        ));
        let mut f = std::fs::File::create(&path).expect("temp file");
        f.write_all(body.as_bytes()).expect("write");
        path
    }

    #[test]
    fn defaults_are_sandbox_on_sqlite() {
        let c = Config::load_from(None, no_env(), &Overrides::default()).expect("defaults load");
        assert!(c.is_sandbox());
        assert_eq!(c.database.kind(), Ok(DatabaseKind::Sqlite));
        assert_eq!(c.http.listen.to_string(), "127.0.0.1:8080");
    }

    #[test]
    fn file_then_flags_override() {
        let path = write_toml(
            "[database]\nurl = \"postgres://u@h/db\"\n[http]\nlisten = \"127.0.0.1:9000\"\n",
        );
        let flags = Overrides {
            listen: Some("127.0.0.1:9100".parse().expect("addr")),
            ..Overrides::default()
        };
        let c = Config::load_from(Some(&path), no_env(), &flags).expect("loads");
        assert_eq!(c.database.kind(), Ok(DatabaseKind::Postgres));
        assert_eq!(c.http.listen.port(), 9100);
    }

    #[test]
    fn unknown_keys_are_rejected_by_name() {
        let path = write_toml("[database]\nurll = \"sqlite://x\"\n");
        let err = Config::load_from(Some(&path), no_env(), &Overrides::default()).unwrap_err();
        assert!(err.contains("urll"), "{err}");
    }

    #[test]
    fn invalid_values_name_the_key() {
        let path = write_toml("[telegram]\npoll_timeout = \"soon\"\n");
        let err = Config::load_from(Some(&path), no_env(), &Overrides::default()).unwrap_err();
        assert!(err.contains("telegram.poll_timeout"), "{err}");
        let bad_db = Overrides {
            database_url: Some("mysql://x".into()),
            ..Overrides::default()
        };
        let err = Config::load_from(None, no_env(), &bad_db).unwrap_err();
        assert!(err.contains("database.url"), "{err}");
    }

    #[test]
    fn webhooks_are_checked_and_their_secrets_redacted() {
        let hook = |url: &str, secret: &str, events: &str| {
            format!("[[webhooks]]\nurl = \"{url}\"\nsecret = \"{secret}\"\nevents = {events}\n")
        };
        let good = hook(
            "https://erp.example/h",
            "0123456789abcdefXYZ",
            "[\"order.paid\"]",
        );
        let c = Config::load_from(Some(&write_toml(&good)), no_env(), &Overrides::default())
            .expect("loads");
        assert_eq!(c.webhooks[0].events, ["order.paid"]);
        let printed = c.to_redacted_toml();
        assert!(!printed.contains("0123456789abcdefXYZ"), "{printed}");
        for (bad, key) in [
            (
                hook("ftp://x", "0123456789abcdefXYZ", "[]"),
                "webhooks[0].url",
            ),
            (hook("https://x", "short", "[]"), "webhooks[0].secret"),
            (
                hook("https://x", "0123456789abcdefXYZ", "[\"order.eaten\"]"),
                "order.eaten",
            ),
        ] {
            let err = Config::load_from(Some(&write_toml(&bad)), no_env(), &Overrides::default())
                .unwrap_err();
            assert!(err.contains(key), "{err}");
        }
    }

    #[test]
    fn token_flag_makes_one_bot_and_is_redacted() {
        let flags = Overrides {
            token: Some("123456:abcdefghijklmnop".into()),
            ..Overrides::default()
        };
        let c = Config::load_from(None, no_env(), &flags).expect("loads");
        assert!(!c.is_sandbox());
        assert_eq!(c.effective_bots()[0].key, "main");
        let printed = c.to_redacted_toml();
        assert!(!printed.contains("abcdefghijklmnop"), "{printed}");
        assert!(printed.contains("[redacted]"));
        assert!(!format!("{c:?}").contains("abcdefghijklmnop"));
    }

    #[test]
    fn database_password_is_redacted() {
        assert_eq!(
            redact_url("postgres://gc:p@ss@db:5432/x"),
            "postgres://gc:[redacted]@db:5432/x"
        );
        assert_eq!(redact_url("postgres://gc@db/x"), "postgres://gc@db/x");
        assert_eq!(
            redact_url("sqlite://data/groupcart.db"),
            "sqlite://data/groupcart.db"
        );
        let flags = Overrides {
            database_url: Some("postgres://gc:hunter2@db/x".into()),
            ..Overrides::default()
        };
        let c = Config::load_from(None, no_env(), &flags).expect("loads");
        assert!(!c.to_redacted_toml().contains("hunter2"));
    }

    #[test]
    fn several_bots_from_file() {
        let path = write_toml(
            "[[bots]]\nkey = \"es\"\ntoken = \"1:aaaaaaaaaaaa\"\ndefault_language = \"en\"\ncurrency = \"EUR\"\nmarket = \"es\"\n\
             [[bots]]\nkey = \"id\"\ntoken = \"2:bbbbbbbbbbbb\"\ncurrency = \"IDR\"\nmarket = \"id\"\n",
        );
        let c = Config::load_from(Some(&path), no_env(), &Overrides::default()).expect("loads");
        assert_eq!(c.effective_bots().len(), 2);
        let dup = write_toml("[[bots]]\nkey = \"x\"\ntoken = \"1:aaaaaaaaaaaa\"\n[[bots]]\nkey = \"x\"\ntoken = \"2:bbbbbbbbbbbb\"\n");
        let err = Config::load_from(Some(&dup), no_env(), &Overrides::default()).unwrap_err();
        assert!(err.contains("bots[1].key"), "{err}");
    }
}
