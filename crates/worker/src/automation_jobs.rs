//! Job handlers of lifecycle automations ([`groupcart_core::automation`]): the dispatcher
//! that tails the events, the send of one step, the hourly birthday run, the restock run and
//! the expiry of unused win-back codes. The work is in the core.

use crate::jobs::JobHandler;
use async_trait::async_trait;
use groupcart_core::automation::{
    self, SendContext, SendOutcome, BIRTHDAYS_EVERY, BIRTHDAYS_JOB, DISPATCH_JOB, EXPIRE_CODE_JOB,
    RESTOCK_EVERY, RESTOCK_JOB, SEND_JOB,
};
use groupcart_core::clock::SharedClock;
use groupcart_core::i18n::Texts;
use groupcart_core::job::Job;
use groupcart_core::store::{SharedStore, Tx};
use groupcart_core::Result;
use std::collections::BTreeMap;
use std::sync::Arc;

/// Schedules the sends the events after the job's cursor start.
pub struct Dispatch {
    pub store: SharedStore,
    pub clock: SharedClock,
}

#[async_trait]
impl JobHandler for Dispatch {
    fn kind(&self) -> &'static str {
        DISPATCH_JOB
    }

    async fn run(&self, job: &Job, tx: &mut dyn Tx) -> Result<()> {
        let now = self.clock.now();
        automation::dispatch(tx, self.store.as_ref(), &job.payload, now)
            .await
            .map(drop)
    }
}

/// Sends one step of one flow to one customer (or postpones or drops it).
pub struct Send {
    pub store: SharedStore,
    pub texts: Arc<Texts>,
    pub clock: SharedClock,
    /// `crm.default_time_zone`.
    pub default_zone: Arc<str>,
    /// Each bot's default language, by key.
    pub default_languages: BTreeMap<String, String>,
    /// Each bot's currency, by key.
    pub currencies: BTreeMap<String, String>,
}

#[async_trait]
impl JobHandler for Send {
    fn kind(&self) -> &'static str {
        SEND_JOB
    }

    async fn run(&self, job: &Job, tx: &mut dyn Tx) -> Result<()> {
        let ctx = SendContext {
            texts: &self.texts,
            store: self.store.as_ref(),
            default_zone: &self.default_zone,
            default_languages: &self.default_languages,
            currencies: &self.currencies,
        };
        let outcome = automation::send(tx, &ctx, &job.payload, self.clock.now()).await?;
        match outcome {
            SendOutcome::Sent(outbox) => tracing::debug!(job = job.id, outbox, "automation sent"),
            SendOutcome::Dropped(why) => tracing::debug!(job = job.id, why, "automation dropped"),
            SendOutcome::Postponed(at) => {
                tracing::debug!(job = job.id, %at, "automation postponed")
            }
        }
        Ok(())
    }
}

/// Schedules today's birthday greetings, then itself an hour later.
pub struct Birthdays {
    pub store: SharedStore,
    pub clock: SharedClock,
    pub default_zone: Arc<str>,
}

#[async_trait]
impl JobHandler for Birthdays {
    fn kind(&self) -> &'static str {
        BIRTHDAYS_JOB
    }

    async fn run(&self, _job: &Job, tx: &mut dyn Tx) -> Result<()> {
        let now = self.clock.now();
        let scheduled =
            automation::schedule_birthdays(tx, self.store.as_ref(), &self.default_zone, now)
                .await?;
        if scheduled > 0 {
            tracing::info!(scheduled, "birthday greetings scheduled");
        }
        tx.schedule_job(&automation::birthdays_job(now + BIRTHDAYS_EVERY))
            .await
            .map(drop)
    }
}

/// Turns restock requests whose item is back into sends, then schedules itself again.
pub struct Restock {
    pub store: SharedStore,
    pub clock: SharedClock,
}

#[async_trait]
impl JobHandler for Restock {
    fn kind(&self) -> &'static str {
        RESTOCK_JOB
    }

    async fn run(&self, _job: &Job, tx: &mut dyn Tx) -> Result<()> {
        let now = self.clock.now();
        automation::schedule_restocks(tx, self.store.as_ref(), now).await?;
        tx.schedule_job(&automation::restock_job(now + RESTOCK_EVERY))
            .await
            .map(drop)
    }
}

/// Withdraws a win-back code left unused for its valid days.
pub struct ExpireCode;

#[async_trait]
impl JobHandler for ExpireCode {
    fn kind(&self) -> &'static str {
        EXPIRE_CODE_JOB
    }

    async fn run(&self, job: &Job, tx: &mut dyn Tx) -> Result<()> {
        automation::expire_code(tx, &job.payload).await.map(drop)
    }
}
