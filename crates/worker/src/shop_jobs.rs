//! Job handlers of the shop.

use crate::jobs::JobHandler;
use async_trait::async_trait;
use groupcart_core::clock::SharedClock;
use groupcart_core::i18n::Texts;
use groupcart_core::job::Job;
use groupcart_core::shop::OrderId;
use groupcart_core::shop_admin;
use groupcart_core::shop_chat::EXPIRE_ORDER_JOB;
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

    async fn run(&self, job: &Job, tx: &mut dyn Tx) -> Result<()> {
        let id = job.payload["order"]
            .as_i64()
            .ok_or_else(|| Error::Invalid("expiry job without an order".into()))?;
        shop_admin::expire(tx, &self.texts, OrderId(id), self.clock.now()).await
    }
}
