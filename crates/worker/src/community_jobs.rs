//! Job handlers of the community: closing join requests nobody answered in time, starting
//! the group check of members who joined directly (once Telegram said they are not staff)
//! and removing those who did not pass it in time, removing the members staff confirmed for
//! a purge (once Telegram said they are not staff), and drawing giveaways (asking Telegram,
//! for a giveaway with required chats, whether the winners are in them).

use crate::jobs::JobHandler;
use async_trait::async_trait;
use groupcart_core::clock::SharedClock;
use groupcart_core::community::JOIN_TIMEOUT_JOB;
use groupcart_core::community_chat::{join_timed_out, JoinTimeout};
use groupcart_core::giveaway::MembershipCheck;
use groupcart_core::i18n::Texts;
use groupcart_core::job::Job;
use groupcart_core::store::Tx;
use groupcart_core::{Error, Result};
use groupcart_telegram::methods::GetChatMember;
use groupcart_telegram::types::ChatTarget;
use groupcart_telegram::Client;
use std::collections::HashMap;
use std::sync::Arc;

/// Declines a join request still open when its check's time is up, and tells the person.
pub struct CloseJoinRequest {
    pub texts: Arc<Texts>,
    pub clock: SharedClock,
}

#[async_trait]
impl JobHandler for CloseJoinRequest {
    fn kind(&self) -> &'static str {
        JOIN_TIMEOUT_JOB
    }

    fn shares_transaction(&self) -> bool {
        true
    }

    async fn run(&self, job: &Job, tx: &mut dyn Tx) -> Result<()> {
        let timeout: JoinTimeout = serde_json::from_value(job.payload.clone())
            .map_err(|e| Error::Invalid(format!("join timeout job: {e}")))?;
        join_timed_out(tx, &self.texts, &timeout, self.clock.now()).await
    }
}

/// Starts the group check of someone who joined a group directly: staff are only
/// welcomed, anyone else is restricted and gets the check (see
/// [`groupcart_core::community_chat::start_member_check`]).
pub struct StartMemberCheck {
    pub store: Arc<dyn groupcart_core::store::Store>,
    pub texts: Arc<Texts>,
    pub clock: SharedClock,
    /// The bots' profiles by key.
    pub bots: HashMap<String, groupcart_core::bot::BotProfile>,
    pub staff: Arc<dyn groupcart_core::moderation::StaffCheck>,
}

#[async_trait]
impl JobHandler for StartMemberCheck {
    fn kind(&self) -> &'static str {
        groupcart_core::community::MEMBER_CHECK_JOB
    }

    async fn run(&self, job: &Job, tx: &mut dyn Tx) -> Result<()> {
        let start: groupcart_core::community_chat::MemberCheckStart =
            serde_json::from_value(job.payload.clone())
                .map_err(|e| Error::Invalid(format!("member check job: {e}")))?;
        let Some(bot) = self.bots.get(&start.bot) else {
            return Err(Error::Invalid(format!(
                "bot {} is not configured",
                start.bot
            )));
        };
        let is_staff = self
            .staff
            .is_staff(
                &start.bot,
                start.chat_id,
                start.member.user_id,
                bot.staff_chat,
            )
            .await?;
        groupcart_core::community_chat::start_member_check(
            tx,
            &self.texts,
            self.store.as_ref(),
            bot,
            &start,
            is_staff,
            self.clock.now(),
        )
        .await
    }
}

/// Removes a member confirmed for a purge: asks Telegram whether they are staff first (staff
/// and administrators are never removed), then kicks them (see
/// [`groupcart_core::membership::remove_member`]).
pub struct PurgeMember {
    pub store: Arc<dyn groupcart_core::store::Store>,
    pub texts: Arc<Texts>,
    pub clock: SharedClock,
    /// The bots' profiles by key.
    pub bots: HashMap<String, groupcart_core::bot::BotProfile>,
    pub staff: Arc<dyn groupcart_core::moderation::StaffCheck>,
}

#[async_trait]
impl JobHandler for PurgeMember {
    fn kind(&self) -> &'static str {
        groupcart_core::membership::PURGE_MEMBER_JOB
    }

    async fn run(&self, job: &Job, tx: &mut dyn Tx) -> Result<()> {
        let purge: groupcart_core::membership::PurgeMember =
            serde_json::from_value(job.payload.clone())
                .map_err(|e| Error::Invalid(format!("purge member job: {e}")))?;
        let Some(bot) = self.bots.get(&purge.bot) else {
            return Err(Error::Invalid(format!(
                "bot {} is not configured",
                purge.bot
            )));
        };
        let is_staff = self
            .staff
            .is_staff(&purge.bot, purge.chat_id, purge.user_id, bot.staff_chat)
            .await?;
        // The kick is logged in the chat's language, like the chat's other sanctions.
        let language =
            groupcart_core::community::chat_language(self.store.as_ref(), bot, purge.chat_id)
                .await?;
        groupcart_core::membership::remove_member(
            tx,
            &self.texts,
            &language,
            &purge,
            is_staff,
            self.clock.now(),
        )
        .await
        .map(drop)
    }
}

/// Removes a member who did not pass the group check in time (if it is still open).
pub struct CloseMemberCheck {
    pub clock: SharedClock,
}

#[async_trait]
impl JobHandler for CloseMemberCheck {
    fn kind(&self) -> &'static str {
        groupcart_core::community::MEMBER_CHECK_TIMEOUT_JOB
    }

    fn shares_transaction(&self) -> bool {
        true
    }

    async fn run(&self, job: &Job, tx: &mut dyn Tx) -> Result<()> {
        let timeout: groupcart_core::community_chat::MemberCheckTimeout =
            serde_json::from_value(job.payload.clone())
                .map_err(|e| Error::Invalid(format!("member check timeout job: {e}")))?;
        groupcart_core::community_chat::member_check_timed_out(tx, &timeout, self.clock.now()).await
    }
}

/// Draws a giveaway's winners when it ends (or when the host ends it).
pub struct DrawGiveaway {
    pub store: Arc<dyn groupcart_core::store::Store>,
    pub texts: Arc<Texts>,
    pub clock: SharedClock,
    /// The bots' profiles by key: a giveaway is run by its bot.
    pub bots: std::collections::HashMap<String, groupcart_core::bot::BotProfile>,
    /// Asks Telegram whether winners are in the chats a giveaway requires.
    pub members: Arc<dyn MembershipCheck>,
}

/// [`MembershipCheck`] with `getChatMember` through each bot's Telegram client.
pub struct TelegramMembership {
    /// The bots' clients by key.
    pub clients: HashMap<String, Client>,
}

#[async_trait]
impl MembershipCheck for TelegramMembership {
    async fn is_member(&self, bot: &str, chat_id: i64, user_id: i64) -> Result<bool> {
        let client = self
            .clients
            .get(bot)
            .ok_or_else(|| Error::Invalid(format!("bot {bot} is not configured")))?;
        let member = client
            .call(&GetChatMember {
                chat_id: ChatTarget::Id(chat_id),
                user_id,
            })
            .await
            // Kept for the job's retry; the message names no secret (the client redacts).
            .map_err(|e| Error::Storage(format!("getChatMember in {chat_id}: {e}")))?;
        Ok(member.is_member())
    }
}

#[async_trait]
impl JobHandler for DrawGiveaway {
    fn kind(&self) -> &'static str {
        groupcart_core::giveaway::DRAW_JOB
    }

    async fn run(&self, job: &Job, tx: &mut dyn Tx) -> Result<()> {
        let id = job.payload["giveaway"]
            .as_i64()
            .map(groupcart_core::giveaway::GiveawayId)
            .ok_or_else(|| Error::Invalid("draw job without a giveaway".into()))?;
        let Some(giveaway) = tx.giveaway_for_update(id).await? else {
            return Ok(());
        };
        let Some(bot) = self.bots.get(&giveaway.setup.bot) else {
            return Err(Error::Invalid(format!(
                "giveaway {} belongs to bot {}, which is not configured",
                id.0, giveaway.setup.bot
            )));
        };
        let language = groupcart_core::community::chat_language(
            self.store.as_ref(),
            bot,
            giveaway.setup.chat_id,
        )
        .await?;
        groupcart_core::giveaway_chat::draw_winners(
            tx,
            &self.texts,
            bot,
            &language,
            self.members.as_ref(),
            id,
            self.clock.now(),
        )
        .await
    }
}
