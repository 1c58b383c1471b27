//! Sandbox mode: with no bot token configured, groupcart runs the Telegram simulator inside
//! the same process and port, and one demo bot talks to it. Anyone can try the bot from the
//! simulator's page without a Telegram account.

use crate::config::{BotConfig, Secret};

/// The demo bot's token. It is only ever accepted by the built-in simulator.
pub const DEMO_TOKEN: &str = "1000000001:groupcart-sandbox-demo";

/// The bot the sandbox runs.
pub fn demo_bot() -> BotConfig {
    BotConfig {
        key: "demo".into(),
        token: Secret::new(DEMO_TOKEN),
        default_language: "en".into(),
        currency: "USD".into(),
        market: "global".into(),
        limits: None,
    }
}

/// A fresh random admin API token for this sandbox run.
pub fn api_token() -> String {
    rand::random::<[u8; 16]>()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}
