//! Storage ports: what the use cases and drivers need from a database.
//!
//! One implementation per database (`groupcart-store-sqlite`, `groupcart-store-postgres`),
//! both checked by the same contract suite (`groupcart-store-contract`).
//!
//! Changes that must be atomic go through a [`Tx`]: a use case begins one, reads and writes,
//! enqueues the messages its change causes, marks the update it handled as processed, and
//! commits. Dropping a `Tx` without committing rolls it back.

use crate::catalog::CatalogStore;
use crate::community::{CommunityStore, CommunityTx};
use crate::consent::ConsentRecord;
use crate::coupon::{PromotionStore, PromotionTx};
use crate::customer::{Customer, CustomerId, CustomerSighting, Upserted};
use crate::event::{Event, NewEvent};
use crate::inbox::{InboxUpdate, NewInboxUpdate};
use crate::job::{Job, NewJob};
use crate::outbox::{NewOutbound, OutboundMessage, OutboxStats, Settlement};
use crate::shop::{ShopStore, ShopTx};
use crate::Result;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use std::sync::Arc;
use std::time::Duration;

/// Which database a store runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A shared store handle.
pub type SharedStore = Arc<dyn Store>;

/// The database, outside any transaction.
#[async_trait]
pub trait Store:
    CatalogStore
    + ShopStore
    + PromotionStore
    + CommunityStore
    + crate::flash_sale::FlashSaleStore
    + crate::giveaway::GiveawayStore
    + crate::group_buy::GroupBuyStore
    + crate::moderation::ModerationStore
    + crate::calendar::CalendarStore
    + crate::referral::ReferralStore
    + crate::crm::CrmStore
    + crate::segment::SegmentStore
    + crate::tag_rules::TagRuleStore
    + crate::broadcast::BroadcastStore
    + crate::privacy::PrivacyStore
    + crate::audit::AuditStore
    + crate::api_token::ApiTokenStore
    + crate::faq::FaqStore
    + crate::support::SupportStore
    + crate::lease::LeaseStore
    + crate::analytics::AnalyticsStore
    + crate::console::ConsoleStore
    + crate::sealing::SealingStore
    + crate::membership::MembershipStore
    + crate::tiers::TierStore
    + crate::points::PointsStore
    + crate::automation::AutomationStore
    + crate::customer_import::CustomerImportStore
    + crate::recommend::RecommendationStore
    + Send
    + Sync
    + 'static
{
    fn backend(&self) -> Backend;

    /// Checks that the database answers (for `/readyz`).
    async fn ping(&self) -> Result<()>;

    /// Starts a transaction.
    async fn begin(&self) -> Result<Box<dyn Tx>>;

    // --- inbox ---

    /// Stores updates durably in one commit. Returns, per update and in order, `true` if it
    /// was new and `false` if `(bot, update_id)` was already stored (a duplicate).
    async fn inbox_insert(&self, updates: &[NewInboxUpdate]) -> Result<Vec<bool>>;

    /// Unprocessed updates with `seq > after_seq`, oldest first.
    async fn inbox_pending(&self, after_seq: i64, limit: i64) -> Result<Vec<InboxUpdate>>;

    /// Records a failed processing attempt; with `give_up` the update is set aside as failed
    /// and never offered again.
    async fn inbox_failed(&self, seq: i64, error: &str, give_up: bool) -> Result<()>;

    // --- outbox ---

    /// The oldest pending message of each chat of `bot`, for the chats where that message
    /// is due at `now`; oldest first. Only a chat's oldest message may be sent (order per
    /// chat), and one chat's backlog never hides another chat's messages.
    async fn outbox_due(
        &self,
        bot: &str,
        now: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<OutboundMessage>>;

    /// Records how a delivery attempt ended, and `event` with it, in one commit. A message
    /// already settled as sent or failed is left as it is.
    async fn outbox_settle(
        &self,
        id: i64,
        settlement: &Settlement,
        event: Option<&NewEvent>,
    ) -> Result<()>;

    async fn outbox_stats(&self) -> Result<OutboxStats>;

    /// The chats the bot's outbox delivered to since `since`, with when, oldest first: a
    /// sender that starts (after a restart, or taking over from another instance) counts
    /// them against Telegram's per-chat limits, which do not start over with it.
    async fn recent_sends(
        &self,
        bot: &str,
        since: DateTime<Utc>,
    ) -> Result<Vec<(i64, DateTime<Utc>)>>;

    /// What became of outbox message `id` (`None` if there is none): how a message into a
    /// forum topic finds the thread its topic-creating message made.
    async fn outbox_state(&self, id: i64) -> Result<Option<crate::outbox::OutboxState>>;

    // --- jobs ---

    /// Claims up to `limit` due jobs for `lease`: each is invisible to other claimers until
    /// completed, retried or the lease runs out. Increments `attempts`.
    async fn jobs_claim(
        &self,
        worker: &str,
        now: DateTime<Utc>,
        lease: Duration,
        limit: i64,
    ) -> Result<Vec<Job>>;

    /// Releases a claimed job to run again at `run_at` after a failure.
    async fn job_retry(&self, id: i64, run_at: DateTime<Utc>, error: &str) -> Result<()>;

    /// Sets a job aside as failed for good.
    async fn job_fail(&self, id: i64, error: &str) -> Result<()>;

    /// How long the oldest due, unclaimed job has been waiting at `now` (zero if none).
    async fn job_lag(&self, now: DateTime<Utc>) -> Result<Duration>;

    // --- reads ---

    async fn customer_by_telegram_id(&self, telegram_user_id: i64) -> Result<Option<Customer>>;

    /// All consent records of a customer, oldest first.
    async fn consent_history(&self, customer: CustomerId) -> Result<Vec<ConsentRecord>>;

    /// Events with an id above `after` that happened at or before `until`, by id, at most
    /// `limit` (what the webhook dispatcher tails).
    async fn events_after(
        &self,
        after: i64,
        until: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<Event>>;

    /// The newest events, newest first, optionally only of one kind.
    async fn recent_events(&self, kind: Option<&str>, limit: i64) -> Result<Vec<Event>>;
}

/// One transaction. Methods take `&mut self`; [`Tx::commit`] consumes it.
#[async_trait]
pub trait Tx:
    ShopTx
    + PromotionTx
    + CommunityTx
    + crate::flash_sale::FlashSaleTx
    + crate::giveaway::GiveawayTx
    + crate::group_buy::GroupBuyTx
    + crate::moderation::ModerationTx
    + crate::calendar::CalendarTx
    + crate::referral::ReferralTx
    + crate::crm::CrmTx
    + crate::segment::SegmentTx
    + crate::tag_rules::TagRuleTx
    + crate::broadcast::BroadcastTx
    + crate::privacy::PrivacyTx
    + crate::audit::AuditTx
    + crate::faq::FaqTx
    + crate::support::SupportTx
    + crate::membership::MembershipTx
    + crate::tiers::TierTx
    + crate::points::PointsTx
    + crate::automation::AutomationTx
    + crate::customer_import::CustomerImportTx
    + crate::recommend::RecommendationTx
    + Send
{
    // --- customers ---

    /// Creates the customer or refreshes their name, username and Telegram language and
    /// `last_seen_at`. The first source and first bot are kept once set.
    async fn upsert_customer(&mut self, sighting: &CustomerSighting) -> Result<Upserted>;

    async fn customer_by_telegram_id(&mut self, telegram_user_id: i64) -> Result<Option<Customer>>;

    async fn customer(&mut self, id: CustomerId) -> Result<Option<Customer>>;

    async fn set_customer_language(&mut self, customer: CustomerId, language: &str) -> Result<()>;

    /// Appends a consent record.
    async fn record_consent(&mut self, record: &ConsentRecord) -> Result<()>;

    /// The latest record per purpose.
    async fn current_consents(&mut self, customer: CustomerId) -> Result<Vec<ConsentRecord>>;

    // --- effects ---

    async fn append_event(&mut self, event: &NewEvent) -> Result<()>;

    /// Enqueues an outbound message; returns its id.
    async fn enqueue(&mut self, message: &NewOutbound) -> Result<i64>;

    /// Schedules a job; returns its id, or `None` if an unfinished job has the same dedup key.
    async fn schedule_job(&mut self, job: &NewJob) -> Result<Option<i64>>;

    /// Marks a claimed job done (its row is removed).
    async fn complete_job(&mut self, id: i64) -> Result<()>;

    /// Marks several claimed jobs done at once (one statement where the database allows).
    async fn complete_jobs(&mut self, ids: &[i64]) -> Result<()> {
        for &id in ids {
            self.complete_job(id).await?;
        }
        Ok(())
    }

    /// Marks an inbox update processed. If it is not pending (it was processed or set aside
    /// meanwhile) this call or, at the latest, [`Tx::commit`] fails with
    /// [`crate::Error::Conflict`] and nothing commits, so an update is never processed twice.
    async fn inbox_done(&mut self, seq: i64) -> Result<()>;

    async fn commit(self: Box<Self>) -> Result<()>;
}
