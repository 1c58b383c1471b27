//! Typed, lenient client for the Telegram Bot API, used by the bot driver and
//! the outbox sender.
//!
//! - [`types`]: what the bot receives ([`Update`] and friends) and the objects
//!   it sends; unknown fields and update kinds never fail a parse.
//! - [`methods`]: one request struct per supported method, tied to its name
//!   and result by [`Method`]; [`ALL_METHOD_NAMES`] lists them all.
//! - [`client`]: [`Client::call`] over a shared `reqwest` pool, with
//!   [`ApiError`] telling transient failures from permanent ones. The bot
//!   token never appears in errors or `Debug` output.
//!
//! ```no_run
//! # async fn demo() -> Result<(), groupcart_telegram::ApiError> {
//! use groupcart_telegram::{Client, SendMessage};
//! let client = Client::new("https://api.telegram.org", "123:token")?;
//! let sent = client.call(&SendMessage::new(42, "Hello")).await?;
//! # let _ = sent; Ok(()) }
//! ```

#![warn(missing_docs)]

pub mod client;
pub mod methods;
pub mod types;

pub use client::{ApiError, Client};
pub use methods::*;
pub use types::*;
