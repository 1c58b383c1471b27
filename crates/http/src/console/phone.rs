//! The sandbox's phone panel (`/phone`): a phone-sized frame in which the operator chats
//! with a bot as a simulated customer, picked from the customers the shop knows or made up
//! on the spot (a Telegram id and a first name). Only in sandbox mode, where the built-in
//! simulator answers on the same port; anywhere else the page does not exist.
//!
//! The frame is the simulator's own chat page in its compact mode
//! (`/sim?embed=phone&bot=..&user=..&name=..`), which registers the customer in the
//! simulator when needed and hides the developer controls. The console page stays script
//! free; its policy allows framing this same site only.

use super::html::{esc, page};
use super::i18n::t;
use super::{respond, Fail, FramesSameOrigin, Me};
use crate::AppState;
use axum::extract::{Query, State};
use axum::response::Response;
use groupcart_core::console::Permission;
use serde::Deserialize;

/// Known customers offered in the picker.
const KNOWN_CUSTOMERS: i64 = 50;

/// The customer a fresh panel starts with (the sandbox's landing page uses it too).
const DEFAULT_USER: (i64, &str) = (42, "Alex");

#[derive(Debug, Deserialize, Default)]
pub struct Pick {
    /// A bot key.
    bot: Option<String>,
    /// A Telegram user id; `new` with `id` and `name` for a new one.
    user: Option<String>,
    id: Option<String>,
    name: Option<String>,
    language: Option<String>,
}

/// The simulated customer the frame chats as.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Customer {
    id: i64,
    first_name: String,
    language: String,
}

/// Percent-encodes a query value.
fn param(text: &str) -> String {
    super::html::url_param(text)
}

/// `GET /phone`.
pub async fn show(State(state): State<AppState>, me: Me, Query(pick): Query<Pick>) -> Response {
    let lang = me.lang;
    let outcome = async {
        if !state.console.sandbox {
            return Err(Fail::NotFound);
        }
        let mut bots: Vec<_> = state.webapp.values().collect();
        bots.sort_by(|a, b| a.profile.key.as_str().cmp(b.profile.key.as_str()));
        let bot = pick
            .bot
            .as_deref()
            .and_then(|key| bots.iter().find(|b| b.profile.key.as_str() == key))
            .or_else(|| bots.first())
            .copied()
            .ok_or(Fail::NotFound)?;
        // Customer names are customer data: listed only for those who may see customers.
        let known = if me.user.can(Permission::ViewCustomers) {
            state
                .store
                .search_customers("", KNOWN_CUSTOMERS)
                .await?
                .into_iter()
                .filter(|c| c.telegram_user_id > 0)
                .collect()
        } else {
            Vec::new()
        };
        let mut problems = Vec::new();
        let customer = match pick.user.as_deref() {
            Some("new") => {
                let id = pick.id.as_deref().unwrap_or("").trim();
                let name = pick.name.as_deref().unwrap_or("").trim();
                let id = id.parse::<i64>().ok().filter(|id| *id > 0);
                if id.is_none() {
                    problems.push(t(lang, "phone.bad_id"));
                }
                if name.is_empty() || name.chars().count() > 64 {
                    problems.push(t(lang, "phone.bad_name"));
                }
                let language = pick
                    .language
                    .as_deref()
                    .filter(|l| state.texts.is_supported(l))
                    .unwrap_or(groupcart_core::i18n::FALLBACK);
                id.filter(|_| problems.is_empty()).map(|id| Customer {
                    id,
                    first_name: name.to_owned(),
                    language: language.to_owned(),
                })
            }
            Some(raw) => raw.parse::<i64>().ok().and_then(|id| {
                known
                    .iter()
                    .find(|c| c.telegram_user_id == id)
                    .map(|c| Customer {
                        id,
                        first_name: c.first_name.clone(),
                        language: c
                            .telegram_language
                            .clone()
                            .unwrap_or_else(|| "en".to_owned()),
                    })
            }),
            None => None,
        };
        let customer = customer.unwrap_or_else(|| Customer {
            id: DEFAULT_USER.0,
            first_name: DEFAULT_USER.1.to_owned(),
            language: "en".to_owned(),
        });
        let frame = format!(
            "/sim?embed=phone&bot={}&user={}&name={}&language={}",
            bot.bot_id,
            customer.id,
            param(&customer.first_name),
            param(&customer.language)
        );
        let bot_options: String = bots
            .iter()
            .map(|b| {
                let key = b.profile.key.as_str();
                format!(
                    "<option value=\"{key}\"{}>{key}</option>",
                    if key == bot.profile.key.as_str() {
                        " selected"
                    } else {
                        ""
                    },
                    key = esc(key)
                )
            })
            .collect();
        let mut seen = std::collections::BTreeSet::new();
        let user_options: String = std::iter::once((DEFAULT_USER.0, DEFAULT_USER.1.to_owned()))
            .chain(
                known
                    .iter()
                    .map(|c| (c.telegram_user_id, c.first_name.clone())),
            )
            .filter(|(id, _)| seen.insert(*id))
            .map(|(id, name)| {
                format!(
                    "<option value=\"{id}\"{}>{} ({id})</option>",
                    if id == customer.id { " selected" } else { "" },
                    esc(&name)
                )
            })
            .collect();
        // A made-up customer's Telegram app reports one of the bot's languages.
        let language_options: String = state
            .texts
            .languages()
            .map(|l| format!("<option value=\"{l}\">{l}</option>"))
            .collect();
        let banner = if problems.is_empty() {
            String::new()
        } else {
            let items: String = problems
                .iter()
                .map(|p| format!("<li>{}</li>", esc(p)))
                .collect();
            format!("<div class=\"flash bad\" role=\"status\" data-testid=\"flash\"><ul>{items}</ul></div>")
        };
        let body = format!(
            "<h1>{title}</h1>{banner}<p class=\"muted\">{help}</p>\
             <div class=\"phone-panel\"><div class=\"phone-side\">\
             <form method=\"get\" action=\"/phone\" class=\"card\"><h2>{as_label}</h2>\
             <label for=\"phone-bot\">{bot_label}</label><select id=\"phone-bot\" name=\"bot\">{bot_options}</select>\
             <label for=\"phone-user\">{customer_label}</label><select id=\"phone-user\" name=\"user\">{user_options}</select>\
             <div><button type=\"submit\" data-testid=\"phone-pick\">{open}</button></div></form>\
             <form method=\"get\" action=\"/phone\" class=\"card\"><h2>{new_label}</h2>\
             <input type=\"hidden\" name=\"bot\" value=\"{bot_key}\"><input type=\"hidden\" name=\"user\" value=\"new\">\
             <label for=\"phone-id\">{id_label}</label><input type=\"number\" id=\"phone-id\" name=\"id\" min=\"1\" required value=\"{typed_id}\">\
             <label for=\"phone-name\">{name_label}</label><input type=\"text\" id=\"phone-name\" name=\"name\" maxlength=\"64\" required value=\"{typed_name}\">\
             <label for=\"phone-language\">{language_label}</label><select id=\"phone-language\" name=\"language\">{language_options}</select>\
             <div><button type=\"submit\" data-testid=\"phone-new\">{open}</button></div></form></div>\
             <div class=\"phone\"><p class=\"muted\" data-testid=\"phone-customer\">{chatting} {customer_name} ({customer_id})</p>\
             <iframe src=\"{frame}\" title=\"{title}\" data-testid=\"phone-frame\" width=\"375\" height=\"667\"></iframe></div></div>",
            title = t(lang, "phone.title"),
            help = t(lang, "phone.help"),
            as_label = t(lang, "phone.pick"),
            bot_label = t(lang, "phone.bot"),
            customer_label = t(lang, "phone.customer"),
            open = t(lang, "phone.open"),
            new_label = t(lang, "phone.new"),
            bot_key = esc(bot.profile.key.as_str()),
            id_label = t(lang, "phone.id"),
            typed_id = esc(pick.id.as_deref().unwrap_or("")),
            name_label = t(lang, "phone.name"),
            typed_name = esc(pick.name.as_deref().unwrap_or("")),
            language_label = t(lang, "phone.language"),
            chatting = t(lang, "phone.chatting_as"),
            customer_name = esc(&customer.first_name),
            customer_id = customer.id,
            frame = esc(&frame),
        );
        let mut response = page(&me, "/phone", t(lang, "phone.title"), &body);
        if !problems.is_empty() {
            *response.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
        }
        response.extensions_mut().insert(FramesSameOrigin);
        Ok::<_, Fail>(response)
    }
    .await;
    respond(lang, outcome)
}
