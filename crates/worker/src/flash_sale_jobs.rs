//! Job handlers of flash sales: the start ([`groupcart_core::flash_sale::START_JOB`]:
//! reminded customers are notified, announcements edited) and the ticks that keep
//! announcements current while a sale runs ([`groupcart_core::flash_sale::TICK_JOB`]). The
//! work is in [`groupcart_core::flash_sale`]; these run it at the time the job is claimed.

use crate::jobs::JobHandler;
use async_trait::async_trait;
use groupcart_core::bot::BotProfile;
use groupcart_core::clock::SharedClock;
use groupcart_core::flash_sale::{self, job_sale, START_JOB, TICK_JOB};
use groupcart_core::i18n::Texts;
use groupcart_core::job::Job;
use groupcart_core::store::{SharedStore, Tx};
use groupcart_core::Result;
use std::collections::HashMap;
use std::sync::Arc;

/// Starts a flash sale: notifies a page of reminded customers (and runs again while more
/// wait), edits its announcements and starts its ticks.
pub struct StartFlashSale {
    pub store: SharedStore,
    pub texts: Arc<Texts>,
    pub clock: SharedClock,
    /// The bots, by key: their default language speaks to customers without one.
    pub bots: HashMap<String, BotProfile>,
}

#[async_trait]
impl JobHandler for StartFlashSale {
    fn kind(&self) -> &'static str {
        START_JOB
    }

    async fn run(&self, job: &Job, tx: &mut dyn Tx) -> Result<()> {
        let id = job_sale(&job.payload)?;
        let started = flash_sale::start(
            tx,
            self.store.as_ref(),
            &self.texts,
            &self.bots,
            id,
            self.clock.now(),
        )
        .await?;
        tracing::info!(
            flash_sale = id.0,
            notified = started.notified,
            more = started.more,
            edited = started.edited,
            "flash sale started"
        );
        Ok(())
    }
}

/// Edits a running sale's announcements whose units-left line changed, at most once every
/// 20 s per chat, and schedules the next tick.
pub struct FlashSaleTick {
    pub store: SharedStore,
    pub texts: Arc<Texts>,
    pub clock: SharedClock,
}

#[async_trait]
impl JobHandler for FlashSaleTick {
    fn kind(&self) -> &'static str {
        TICK_JOB
    }

    async fn run(&self, job: &Job, tx: &mut dyn Tx) -> Result<()> {
        let id = job_sale(&job.payload)?;
        flash_sale::tick(tx, self.store.as_ref(), &self.texts, id, self.clock.now()).await?;
        Ok(())
    }
}
