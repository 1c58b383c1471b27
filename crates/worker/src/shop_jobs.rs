//! Job handlers of the shop.

use crate::jobs::JobHandler;
use async_trait::async_trait;
use groupcart_core::checkout::EXPIRE_ORDER_JOB;
use groupcart_core::clock::SharedClock;
use groupcart_core::i18n::Texts;
use groupcart_core::job::Job;
use groupcart_core::shop::OrderId;
use groupcart_core::shop_admin;
use groupcart_core::store::Tx;
use groupcart_core::{Error, Result};
use std::sync::Arc;

/// Cancels an order still unpaid when its reservation runs out, giving its stock back.
pub struct ExpireOrder {
    pub texts: Arc<Texts>,
    pub clock: SharedClock,
}

#[async_trait]
impl JobHandler for ExpireOrder {
    fn kind(&self) -> &'static str {
        EXPIRE_ORDER_JOB
    }

    fn shares_transaction(&self) -> bool {
        true
    }

    async fn run(&self, job: &Job, tx: &mut dyn Tx) -> Result<()> {
        let id = job.payload["order"]
            .as_i64()
            .ok_or_else(|| Error::Invalid("expiry job without an order".into()))?;
        let again = shop_admin::expire(tx, &self.texts, OrderId(id), self.clock.now()).await?;
        if let Some(at) = again {
            // The reservation was extended: look again then (this job is already completed,
            // so its dedup key is free).
            let next = groupcart_core::job::NewJob::new(EXPIRE_ORDER_JOB, job.payload.clone(), at)
                .dedup_key(format!("order-expiry:{id}"));
            tx.schedule_job(&next).await?;
        }
        Ok(())
    }
}

/// The recurring job that looks for stuck shipments.
pub const STUCK_SHIPMENTS_JOB: &str = "shop.stuck_shipments";

/// Every `every`, tells staff about shipped orders with no change for `after`.
pub struct StuckShipments {
    pub store: groupcart_core::store::SharedStore,
    pub texts: Arc<Texts>,
    pub clock: SharedClock,
    pub staff: std::collections::HashMap<String, groupcart_core::staff::StaffChat>,
    pub after: chrono::Duration,
    pub every: chrono::Duration,
}

impl StuckShipments {
    /// The next run of this job (scheduling it twice is harmless: one per dedup key).
    pub fn next_run(at: chrono::DateTime<chrono::Utc>) -> groupcart_core::job::NewJob {
        groupcart_core::job::NewJob::new(STUCK_SHIPMENTS_JOB, serde_json::json!({}), at)
            .dedup_key(STUCK_SHIPMENTS_JOB)
    }
}

#[async_trait]
impl JobHandler for StuckShipments {
    fn kind(&self) -> &'static str {
        STUCK_SHIPMENTS_JOB
    }

    async fn run(&self, _job: &Job, tx: &mut dyn Tx) -> Result<()> {
        let now = self.clock.now();
        groupcart_core::staff::alert_stuck_shipments(
            tx,
            self.store.as_ref(),
            &self.texts,
            &self.staff,
            now - self.after,
            now,
        )
        .await?;
        tx.schedule_job(&Self::next_run(now + self.every)).await?;
        Ok(())
    }
}
