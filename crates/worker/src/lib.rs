//! Background work of groupcart: delivering the outbox within Telegram's limits
//! ([`sender`]) and running durable jobs ([`jobs`]).
//!
//! Both are written as a testable single step (`step`) plus a loop (`run`) that repeats it
//! until shutdown.

pub mod analytics_jobs;
pub mod automation_jobs;
pub mod calendar_jobs;
pub mod community_jobs;
pub mod crm_jobs;
pub mod deliver;
pub mod flash_sale_jobs;
pub mod group_buy_jobs;
pub mod jobs;
pub mod lease;
pub mod moderation_jobs;
pub mod points_jobs;
pub mod privacy_jobs;
pub mod recommend_jobs;
pub mod sender;
pub mod shop_jobs;
pub mod support_jobs;
pub mod tag_rules_jobs;
pub mod throttle;
pub mod webhook_jobs;
