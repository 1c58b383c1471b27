//! Job handlers of group-buys: a team's deadline ([`groupcart_core::group_buy::EXPIRE_JOB`]:
//! a team that did not fill fails, its orders refunded or cancelled) and the hourly tick that
//! keeps the "time left" of its posts current ([`groupcart_core::group_buy::TICK_JOB`]). The
//! work is in [`groupcart_core::group_buy`]; these run it at the time the job is claimed.

use crate::jobs::JobHandler;
use async_trait::async_trait;
use groupcart_core::bot::BotProfile;
use groupcart_core::clock::SharedClock;
use groupcart_core::group_buy::{self, job_team, EXPIRE_JOB, TICK_JOB};
use groupcart_core::i18n::Texts;
use groupcart_core::job::Job;
use groupcart_core::shop::ShopSettings;
use groupcart_core::store::{SharedStore, Tx};
use groupcart_core::{Error, Result};
use std::collections::HashMap;
use std::sync::Arc;

/// Closes a team at its deadline if it did not fill.
pub struct ExpireTeam {
    pub store: SharedStore,
    pub texts: Arc<Texts>,
    pub clock: SharedClock,
    /// The bots' profiles by key: a team's invoices are its bot's.
    pub bots: HashMap<String, BotProfile>,
    pub shop: ShopSettings,
}

#[async_trait]
impl JobHandler for ExpireTeam {
    fn kind(&self) -> &'static str {
        EXPIRE_JOB
    }

    async fn run(&self, job: &Job, tx: &mut dyn Tx) -> Result<()> {
        let id = job_team(&job.payload)?;
        let Some(team) = self.store.group_buy_team(id).await? else {
            return Ok(());
        };
        let bot = self.bots.get(&team.bot).ok_or_else(|| {
            Error::Invalid(format!(
                "team {} belongs to bot {}, which is not configured",
                id.0, team.bot
            ))
        })?;
        let failed = group_buy::expire_team(
            tx,
            self.store.as_ref(),
            &self.texts,
            bot,
            &self.shop,
            id,
            self.clock.now(),
        )
        .await?;
        if let Some(team) = failed {
            tracing::info!(
                team = id.0,
                members = team.members,
                size = team.size,
                "group-buy team failed"
            );
        }
        Ok(())
    }
}

/// Refreshes an open team's posts, hourly.
pub struct TeamTick {
    pub store: SharedStore,
    pub texts: Arc<Texts>,
    pub clock: SharedClock,
}

#[async_trait]
impl JobHandler for TeamTick {
    fn kind(&self) -> &'static str {
        TICK_JOB
    }

    async fn run(&self, job: &Job, tx: &mut dyn Tx) -> Result<()> {
        let id = job_team(&job.payload)?;
        group_buy::tick(tx, self.store.as_ref(), &self.texts, id, self.clock.now()).await
    }
}
