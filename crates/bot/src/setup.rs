//! What a bot is told at start: who it is, its command menu in every language, and where
//! its updates go (webhook or long polling).

use crate::poller::ALLOWED_UPDATES;
use groupcart_core::bot::BotProfile;
use groupcart_core::conversation::COMMANDS;
use groupcart_core::i18n::Texts;
use groupcart_telegram::methods::{GetMe, SetChatMenuButton, SetMyCommands, SetWebhook};
use groupcart_telegram::types::{BotCommand, MenuButton, User, WebAppInfo};
use groupcart_telegram::{ApiError, Client};

/// How a bot receives updates.
#[derive(Debug, Clone)]
pub enum Delivery {
    LongPolling,
    Webhook { url: String, secret: String },
}

/// Identifies the bot, sets its command menu for each supported language (the bot's default
/// language also serves clients in other languages), makes the menu button open the Mini App
/// storefront when it is served, and points Telegram at the webhook when one is used.
pub async fn prepare(
    client: &Client,
    profile: &BotProfile,
    texts: &Texts,
    delivery: &Delivery,
    mini_app_url: Option<&str>,
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
    if let Some(url) = mini_app_url {
        // The menu button opens the storefront; its label is in the bot's default language.
        // Without it the shop still works in chat, so a refusal is reported, not fatal.
        let menu = SetChatMenuButton {
            chat_id: None,
            menu_button: Some(MenuButton::WebApp {
                text: texts.get(&profile.default_language, "cmd-shop", &[]),
                web_app: WebAppInfo {
                    url: url.to_owned(),
                },
            }),
        };
        if let Err(error) = client.call(&menu).await {
            tracing::warn!(%error, bot = %profile.key, url, "could not set the Mini App menu button");
        }
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
