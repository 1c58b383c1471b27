//! The domain core of groupcart.
//!
//! It owns the entities (customers, consents, events, outbound messages, jobs), the use cases
//! that change them, and the storage ports the use cases call. It knows nothing of HTTP, SQL
//! or Telegram: drivers translate their inputs into [`incoming::Incoming`] and call the use
//! cases in [`conversation`]; storage crates implement the traits in [`store`].

pub mod analytics;
pub mod anomaly;
pub mod api_token;
pub mod audit;
pub mod automation;
pub mod automation_chat;
pub mod bot;
pub mod broadcast;
pub mod calendar;
pub mod catalog;
pub mod checkout;
pub mod clock;
pub mod community;
pub mod community_chat;
pub mod consent;
pub mod console;
pub mod conversation;
pub mod coupon;
pub mod coupon_chat;
pub mod crm;
pub mod customer;
pub mod customer_import;
pub mod customer_import_chat;
pub mod discounts;
pub mod error;
pub mod event;
pub mod faq;
pub mod flash_sale;
pub mod flash_sale_chat;
pub mod giveaway;
pub mod giveaway_chat;
pub mod group_buy;
pub mod group_buy_chat;
pub mod i18n;
pub mod inbox;
pub mod incoming;
pub mod job;
pub mod lease;
pub mod membership;
pub mod metrics;
pub mod moderation;
pub mod moderation_chat;
pub mod money;
pub mod outbox;
pub mod points;
pub mod points_chat;
pub mod privacy;
pub mod promotion;
pub mod recommend;
pub mod referral;
pub mod referral_chat;
pub mod sealing;
pub mod segment;
pub mod shipping;
pub mod shop;
pub mod shop_admin;
pub mod shop_chat;
pub mod staff;
pub mod store;
pub mod support;
pub mod support_chat;
pub mod tag_rules;
pub mod tiers;
pub mod time_zone;
pub mod webhook;

pub use error::{Error, FieldError, Result};
