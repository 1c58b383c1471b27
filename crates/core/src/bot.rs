//! The bots one groupcart instance serves.
//!
//! A seller may run one bot per market (say a Spanish and an Indonesian bot) over one catalog
//! and one team. Each bot has its own key, default language, currency, market and send limits;
//! a Telegram user is one customer across all of them.

use serde::{Deserialize, Serialize};
use std::fmt;

/// The stable key a bot is configured under (`[[bots]] key = "es"`). Rows that belong to a
/// bot (inbox, outbox, events) carry it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct BotKey(pub String);

impl BotKey {
    pub fn new(key: impl Into<String>) -> Self {
        BotKey(key.into())
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for BotKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// What the use cases need to know about the bot an update arrived on.
#[derive(Debug, Clone)]
pub struct BotProfile {
    pub key: BotKey,
    /// Language used when the customer's is unknown or unsupported (a supported tag).
    pub default_language: String,
    /// ISO 4217 code (or `XTR` for Telegram Stars) prices are shown in.
    pub currency: String,
    /// Market label (e.g. `es`, `id`, `eu`), used for per-market defaults and reports.
    pub market: String,
    /// The privacy policy version customers consent to.
    pub policy_version: String,
    /// Flat shipping fee of physical orders, in minor units of `currency`; used when there
    /// is no rate table.
    pub shipping_fee: i64,
    /// Shipping options by destination country. When set, physical orders ask Telegram for
    /// the address first and the customer picks an option (a flexible invoice).
    pub shipping_rates: Vec<crate::shipping::ShippingRate>,
    /// The chat where staff get order notices and run orders, if any.
    pub staff_chat: Option<i64>,
    /// Paying by bank transfer or on delivery, when the seller offers it.
    pub manual_payment: Option<ManualPayment>,
    /// The bot's Telegram username (for `t.me` links), set once `getMe` answered; shared by
    /// every clone of the profile.
    pub username: std::sync::Arc<std::sync::OnceLock<String>>,
}

impl BotProfile {
    /// Whether physical orders are charged by the rate table rather than the flat fee.
    pub fn quotes_shipping(&self) -> bool {
        !self.shipping_rates.is_empty()
    }
}

/// A way to pay outside Telegram that staff confirm by hand.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ManualPayment {
    /// What the customer must do, in the seller's words (account, reference, cash on
    /// delivery terms).
    pub instructions: String,
    /// How long such an order holds its stock.
    pub reservation: chrono::Duration,
}
