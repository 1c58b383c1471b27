//! What a bot is told at start: who it is, its command menu in every language, and where
//! its updates go (webhook or long polling).

use crate::poller::ALLOWED_UPDATES;
use groupcart_core::bot::BotProfile;
use groupcart_core::conversation::COMMANDS;
use groupcart_core::i18n::Texts;
use groupcart_telegram::methods::{GetMe, SetMyCommands, SetWebhook};
use groupcart_telegram::types::{BotCommand, User};
use groupcart_telegram::{ApiError, Client};

/// How a bot receives updates.
#[derive(Debug, Clone)]
pub enum Delivery {
    LongPolling,
    Webhook { url: String, secret: String },
}

/// Identifies the bot, sets its command menu for each supported language (the bot's default
/// language also serves clients in other languages) and points Telegram at the webhook when
/// one is used.
pub async fn prepare(
    client: &Client,
    profile: &BotProfile,
    texts: &Texts,
    delivery: &Delivery,
) -> Result<User, ApiError> {
    let me = client.call(&GetMe {}).await?;
    let commands = |lang: &str| -> Vec<BotCommand> {
        COMMANDS
            .iter()
            .map(|(command, description)| BotCommand {
                command: (*command).to_owned(),
                description: texts.get(lang, description, &[]),
            })
            .collect()
    };
    client
        .call(&SetMyCommands {
            commands: commands(&profile.default_language),
            scope: None,
            language_code: None,
        })
        .await?;
    for lang in texts.languages() {
        // Telegram scopes menus by two-letter ISO 639-1 codes.
        let code = lang.split('-').next().unwrap_or(lang).to_owned();
        let request = SetMyCommands {
            commands: commands(lang),
            scope: None,
            language_code: Some(code),
        };
        client.call(&request).await?;
    }
    match delivery {
        Delivery::LongPolling => {}
        Delivery::Webhook { url, secret } => {
            let mut request = SetWebhook::new(url.clone());
            request.secret_token = Some(secret.clone());
            request.allowed_updates = Some(ALLOWED_UPDATES.iter().map(|s| s.to_string()).collect());
            client.call(&request).await?;
        }
    }
    Ok(me)
}
