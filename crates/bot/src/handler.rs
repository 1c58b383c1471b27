//! Processing one stored update: the use case, the event that records it and the inbox
//! mark commit in one transaction, so an update is processed exactly once even if the
//! process dies at any point.

use crate::translate::to_incoming;
use crate::SenderWakers;
use groupcart_core::bot::BotProfile;
use groupcart_core::conversation::{self, Context};
use groupcart_core::event::{kind, NewEvent};
use groupcart_core::faq::FaqCache;
use groupcart_core::flash_sale::FlashSaleGate;
use groupcart_core::i18n::Texts;
use groupcart_core::inbox::InboxUpdate;
use groupcart_core::metrics::Metrics;
use groupcart_core::moderation::FilterCache;
use groupcart_core::shop::ShopSettings;
use groupcart_core::store::{SharedStore, Tx};
use groupcart_core::support::SupportSettings;
use groupcart_core::{Error, Result};
use groupcart_telegram::types::Update;
use serde_json::json;
use std::collections::HashMap;
use std::sync::Arc;

/// Runs stored updates through the use cases.
pub struct UpdateHandler {
    store: SharedStore,
    bots: HashMap<String, BotProfile>,
    texts: Arc<Texts>,
    shop: ShopSettings,
    wakers: SenderWakers,
    metrics: Arc<Metrics>,
    /// The process's one flash-sale gate, made at startup.
    flash_sales: Arc<FlashSaleGate>,
    /// The chats' compiled word filters, kept for the life of the handler.
    filters: FilterCache,
    /// Customer service settings; no agent groups unless [`UpdateHandler::with_support`].
    support: Arc<SupportSettings>,
    /// The FAQ index, rebuilt when the entries change.
    faq: FaqCache,
    /// For customers without a time zone; UTC unless [`UpdateHandler::with_default_time_zone`].
    default_time_zone: String,
}

impl UpdateHandler {
    pub fn new(
        store: SharedStore,
        bots: impl IntoIterator<Item = BotProfile>,
        texts: Arc<Texts>,
        shop: ShopSettings,
        wakers: SenderWakers,
        metrics: Arc<Metrics>,
        flash_sales: Arc<FlashSaleGate>,
    ) -> Self {
        UpdateHandler {
            store,
            bots: bots.into_iter().map(|b| (b.key.0.clone(), b)).collect(),
            texts,
            shop,
            wakers,
            metrics,
            flash_sales,
            filters: FilterCache::default(),
            support: Arc::new(SupportSettings::default()),
            faq: FaqCache::default(),
            default_time_zone: "UTC".into(),
        }
    }

    /// Hands questions the FAQ cannot answer to these agent groups, with these targets.
    pub fn with_support(mut self, support: Arc<SupportSettings>) -> Self {
        self.support = support;
        self
    }

    /// Takes `zone` (an IANA name) as the time zone of customers without their own.
    pub fn with_default_time_zone(mut self, zone: impl Into<String>) -> Self {
        self.default_time_zone = zone.into();
        self
    }

    pub fn store(&self) -> &SharedStore {
        &self.store
    }

    /// Processes one update. `Err(Error::Invalid)` means it can never succeed (its payload
    /// does not parse, or its bot is no longer configured); other errors are worth a retry.
    pub async fn process(&self, stored: &InboxUpdate) -> Result<()> {
        self.process_batch(std::slice::from_ref(stored)).await
    }

    /// Processes several updates, in order, in one transaction: all of them or none. Under
    /// load this turns many small commits into one, which is what bounds throughput on a
    /// single-writer database. On `Err` nothing was processed; the caller retries them one
    /// by one to find the update at fault.
    pub async fn process_batch(&self, batch: &[InboxUpdate]) -> Result<()> {
        let mut tx = self.store.begin().await?;
        for stored in batch {
            self.apply(tx.as_mut(), stored).await?;
        }
        tx.commit().await?;
        for stored in batch {
            Metrics::incr(&self.metrics.updates_processed);
            self.wakers.wake(&stored.bot);
        }
        Ok(())
    }

    /// Runs one update's use case inside `tx` and marks it processed there.
    async fn apply(&self, tx: &mut dyn Tx, stored: &InboxUpdate) -> Result<()> {
        let update: Update = serde_json::from_str(&stored.payload)
            .map_err(|e| Error::Invalid(format!("update does not parse: {e}")))?;
        let bot = self
            .bots
            .get(&stored.bot)
            .ok_or_else(|| Error::Invalid(format!("bot `{}` is not configured", stored.bot)))?;
        let mut received = NewEvent::new(kind::UPDATE_RECEIVED, stored.received_at)
            .bot(&stored.bot)
            .data(json!({ "update_id": stored.update_id, "kind": update.kind_name() }));
        received.chat_id = stored.chat_id;
        tx.append_event(&received).await?;
        if let Some(incoming) = to_incoming(&update, stored.received_at) {
            let ctx = Context {
                bot,
                texts: &self.texts,
                store: self.store.as_ref(),
                shop: &self.shop,
                flash_sales: &self.flash_sales,
                filters: &self.filters,
                support: &self.support,
                faq: &self.faq,
                default_time_zone: &self.default_time_zone,
            };
            conversation::handle(tx, &ctx, &incoming).await?;
        }
        tx.inbox_done(stored.seq).await
    }
}
