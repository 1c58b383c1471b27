//! Job handlers of moderation: a welcome message deleted when its time is up, and a staff
//! command written in a group is carried out once
//! Telegram has said that its author is staff (an administrator of the chat, or a member of
//! the bot's staff chat).

use crate::community_jobs::TelegramMembership;
use crate::jobs::JobHandler;
use async_trait::async_trait;
use groupcart_core::bot::BotProfile;
use groupcart_core::clock::SharedClock;
use groupcart_core::community::{WelcomeDelete, WELCOME_DELETE_JOB};
use groupcart_core::community_chat::delete_welcome;
use groupcart_core::i18n::Texts;
use groupcart_core::job::Job;
use groupcart_core::moderation::{run_staff_command, StaffCheck, StaffCommand, STAFF_COMMAND_JOB};
use groupcart_core::store::{Store, Tx};
use groupcart_core::{Error, Result};
use groupcart_telegram::methods::GetChatMember;
use groupcart_telegram::types::{ChatMemberStatus, ChatTarget};
use groupcart_telegram::ApiError;
use std::collections::HashMap;
use std::sync::Arc;

/// Deletes a welcome message when its time is up (see `welcome.delete_after_minutes`).
pub struct DeleteWelcome {
    pub clock: SharedClock,
}

#[async_trait]
impl JobHandler for DeleteWelcome {
    fn kind(&self) -> &'static str {
        WELCOME_DELETE_JOB
    }

    fn shares_transaction(&self) -> bool {
        true
    }

    async fn run(&self, job: &Job, tx: &mut dyn Tx) -> Result<()> {
        let welcome: WelcomeDelete = serde_json::from_value(job.payload.clone())
            .map_err(|e| Error::Invalid(format!("welcome delete job: {e}")))?;
        delete_welcome(tx, &welcome, self.clock.now()).await
    }
}

/// Checks a staff command's author and carries the command out (or deletes it).
pub struct RunStaffCommand {
    pub store: Arc<dyn Store>,
    pub texts: Arc<Texts>,
    pub clock: SharedClock,
    /// The bots' profiles by key.
    pub bots: HashMap<String, BotProfile>,
    pub staff: Arc<dyn StaffCheck>,
}

#[async_trait]
impl JobHandler for RunStaffCommand {
    fn kind(&self) -> &'static str {
        STAFF_COMMAND_JOB
    }

    async fn run(&self, job: &Job, tx: &mut dyn Tx) -> Result<()> {
        let command: StaffCommand = serde_json::from_value(job.payload.clone())
            .map_err(|e| Error::Invalid(format!("staff command job: {e}")))?;
        let Some(bot) = self.bots.get(&command.bot) else {
            return Err(Error::Invalid(format!(
                "bot {} is not configured",
                command.bot
            )));
        };
        let is_staff = self
            .staff
            .is_staff(
                &command.bot,
                command.chat_id,
                command.author_id,
                bot.staff_chat,
            )
            .await?;
        run_staff_command(
            tx,
            &self.texts,
            self.store.as_ref(),
            &bot.default_language,
            &command,
            is_staff,
            self.clock.now(),
        )
        .await
    }
}

#[async_trait]
impl StaffCheck for TelegramMembership {
    async fn is_staff(
        &self,
        bot: &str,
        chat_id: i64,
        user_id: i64,
        staff_chat: Option<i64>,
    ) -> Result<bool> {
        let client = self
            .clients
            .get(bot)
            .ok_or_else(|| Error::Invalid(format!("bot {bot} is not configured")))?;
        let ask = |chat: i64| GetChatMember {
            chat_id: ChatTarget::Id(chat),
            user_id,
        };
        let member = match client.call(&ask(chat_id)).await {
            Ok(member) => member,
            // Telegram's own refusal (no such user there): not staff.
            Err(ApiError::Api { .. }) => return Ok(false),
            // Kept for the job's retry; the message names no secret (the client redacts).
            Err(e) => return Err(Error::Storage(format!("getChatMember in {chat_id}: {e}"))),
        };
        if matches!(
            member.status,
            ChatMemberStatus::Creator | ChatMemberStatus::Administrator
        ) {
            return Ok(true);
        }
        // Anyone who can write in the staff chat is staff.
        match staff_chat {
            Some(staff_chat) if staff_chat != chat_id => {
                match client.call(&ask(staff_chat)).await {
                    Ok(member) => Ok(member.is_member()),
                    Err(ApiError::Api { .. }) => Ok(false),
                    Err(e) => Err(Error::Storage(format!(
                        "getChatMember in {staff_chat}: {e}"
                    ))),
                }
            }
            _ => Ok(false),
        }
    }
}
