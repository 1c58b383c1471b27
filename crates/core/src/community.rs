//! The seller's chats and who comes into them: groups and channels the bot is in (registered
//! from `my_chat_member`, with the rights the bot has there), named invite links per source,
//! join requests verified in the private chat Telegram opens for five minutes, joins
//! attributed to the link they came through, and the welcome coupon a person gets once per
//! chat, and the storage ports for all of it.
//!
//! A join request runs like this: the request is stored and the person gets a private
//! message with a check (a button, or a question with a few answers as buttons) in their
//! language; the right answer approves the request and hands out the chat's join coupon (a
//! single-use code for this person, already on their cart), a wrong answer declines it, and a
//! job declines what is still open when the time is up. The timeline stays inside the five
//! minutes in which Telegram lets the bot write to someone who never started it.

use crate::customer::CustomerId;
use crate::promotion::PromotionId;
use crate::Result;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The job that declines a join request nobody answered in time.
pub const JOIN_TIMEOUT_JOB: &str = "community.join_timeout";

/// How long a person has to pass the check; under Telegram's five-minute window so the
/// "time is up" message still reaches them.
pub const JOIN_CHECK_SECONDS: i64 = 240;

/// What a chat is for in the seller's community.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChatRole {
    BrandChannel,
    TopicGroup,
    VipGroup,
    StaffGroup,
    #[default]
    Other,
}

/// How a person asking to join is checked.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(tag = "mode", rename_all = "snake_case")]
pub enum Verification {
    /// Approved at once.
    None,
    /// One button to press.
    #[default]
    Button,
    /// A question with answers as buttons; `correct` is the index of the right one.
    Question {
        question: String,
        answers: Vec<String>,
        correct: usize,
    },
}

/// What staff set for a chat.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChatSettings {
    #[serde(default)]
    pub role: ChatRole,
    #[serde(default)]
    pub verification: Verification,
    /// The promotion whose single-use code a person gets when they join, once per chat.
    #[serde(default)]
    pub join_promotion: Option<PromotionId>,
    /// Rules for messages in the chat (groups only).
    #[serde(default)]
    pub moderation: crate::moderation::Moderation,
}

impl ChatSettings {
    /// Every rule settings must meet, all problems at once.
    pub fn validate(&self) -> std::result::Result<(), Vec<crate::FieldError>> {
        use crate::FieldError;
        let mut errors = Vec::new();
        if let Verification::Question {
            question,
            answers,
            correct,
        } = &self.verification
        {
            if question.trim().is_empty() || question.chars().count() > 300 {
                errors.push(FieldError::new(
                    "verification.question",
                    "must be 1-300 characters",
                ));
            }
            if !(2..=6).contains(&answers.len()) {
                errors.push(FieldError::new("verification.answers", "must be 2 to 6"));
            }
            // A button label: Telegram shows up to 64 bytes of callback data, labels are free,
            // but long answers do not fit a phone screen.
            if answers
                .iter()
                .any(|a| a.trim().is_empty() || a.chars().count() > 40)
            {
                errors.push(FieldError::new(
                    "verification.answers",
                    "each must be 1-40 characters",
                ));
            }
            if *correct >= answers.len() {
                errors.push(FieldError::new(
                    "verification.correct",
                    "must be the index of one of the answers",
                ));
            }
        }
        if let Err(more) = self.moderation.validate() {
            errors.extend(more);
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }
}

/// A chat as Telegram last showed it to the bot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChatSighting {
    pub bot: String,
    pub chat_id: i64,
    /// `group`, `supergroup` or `channel`.
    pub kind: String,
    pub title: String,
    pub username: Option<String>,
    /// The bot's status there: `administrator`, `member`, `left`, `kicked`...
    pub bot_status: String,
    pub can_invite_users: bool,
    pub can_restrict_members: bool,
    pub can_delete_messages: bool,
    pub at: DateTime<Utc>,
}

/// A registered chat.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChatRecord {
    #[serde(flatten)]
    pub seen: ChatSighting,
    pub settings: ChatSettings,
    pub created_at: DateTime<Utc>,
}

impl ChatRecord {
    /// What the bot cannot do there that the chat's settings need, in plain words for staff.
    pub fn missing_rights(&self) -> Vec<&'static str> {
        self.missing().into_iter().map(Right::as_str).collect()
    }

    /// The rights the bot lacks for what the chat is set to do.
    pub fn missing(&self) -> Vec<Right> {
        if self.seen.bot_status != "administrator" {
            return vec![Right::Admin];
        }
        let mut missing = Vec::new();
        if !self.seen.can_invite_users {
            missing.push(Right::InviteUsers);
        }
        if self.settings.moderation.is_on() {
            if !self.seen.can_delete_messages {
                missing.push(Right::DeleteMessages);
            }
            if !self.seen.can_restrict_members {
                missing.push(Right::RestrictMembers);
            }
        }
        missing
    }
}

/// A right the bot needs in a chat.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Right {
    Admin,
    InviteUsers,
    DeleteMessages,
    RestrictMembers,
}

impl Right {
    /// In plain words, for the API.
    pub fn as_str(self) -> &'static str {
        match self {
            Right::Admin => "the bot is not an administrator",
            Right::InviteUsers => {
                "the bot may not invite users (needed for invite links and join requests)"
            }
            Right::DeleteMessages => "the bot may not delete messages (needed for moderation)",
            Right::RestrictMembers => "the bot may not restrict members (needed to mute and ban)",
        }
    }

    /// The message that says it, for staff in Telegram.
    pub fn message_id(self) -> &'static str {
        match self {
            Right::Admin => "right-admin",
            Right::InviteUsers => "right-invite",
            Right::DeleteMessages => "right-delete",
            Right::RestrictMembers => "right-restrict",
        }
    }
}

/// An invite link made by groupcart for one source.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InviteLink {
    pub link: String,
    pub bot: String,
    pub chat_id: i64,
    /// Shown in Telegram's link list (up to 32 characters).
    pub name: String,
    /// Where people with this link come from (`ad-fb-0611`, `kol-anna`, `poster-bkk`).
    pub source: String,
    pub creates_join_request: bool,
    pub expire_date: Option<DateTime<Utc>>,
    pub member_limit: Option<i64>,
    pub created_at: DateTime<Utc>,
}

/// An invite link with what it brought.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InviteLinkStats {
    #[serde(flatten)]
    pub link: InviteLink,
    /// People who joined through it.
    pub joins: i64,
    /// Join requests made through it (any outcome).
    pub requests: i64,
}

/// Where a join request stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JoinStatus {
    Pending,
    Approved,
    Declined,
}

impl JoinStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            JoinStatus::Pending => "pending",
            JoinStatus::Approved => "approved",
            JoinStatus::Declined => "declined",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "pending" => Some(JoinStatus::Pending),
            "approved" => Some(JoinStatus::Approved),
            "declined" => Some(JoinStatus::Declined),
            _ => None,
        }
    }
}

/// A person's request to join a chat.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JoinRequest {
    pub bot: String,
    pub chat_id: i64,
    /// Telegram user id.
    pub user_id: i64,
    pub customer_id: CustomerId,
    pub invite_link: Option<String>,
    pub status: JoinStatus,
    pub requested_at: DateTime<Utc>,
    pub decided_at: Option<DateTime<Utc>>,
}

/// Someone coming into or leaving a chat.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberChange {
    pub bot: String,
    pub chat_id: i64,
    pub user_id: i64,
    /// Set when the person is a customer (they wrote to the bot or asked to join).
    pub customer_id: Option<CustomerId>,
    pub joined: bool,
    pub invite_link: Option<String>,
    pub via_join_request: bool,
    pub at: DateTime<Utc>,
}

/// Chats and links, outside any transaction.
#[async_trait]
pub trait CommunityStore: Send + Sync {
    async fn chat(&self, bot: &str, chat_id: i64) -> Result<Option<ChatRecord>>;

    /// The bot's chats, by chat id.
    async fn chats(&self, bot: &str) -> Result<Vec<ChatRecord>>;

    /// Replaces a registered chat's settings. `NotFound` for a chat the bot never saw.
    async fn set_chat_settings(
        &self,
        bot: &str,
        chat_id: i64,
        settings: &ChatSettings,
        at: DateTime<Utc>,
    ) -> Result<ChatRecord>;

    /// Saves a link Telegram made. `Conflict` if it is already saved.
    async fn save_invite_link(&self, link: &InviteLink) -> Result<()>;

    async fn invite_link(&self, link: &str) -> Result<Option<InviteLink>>;

    /// A chat's links with their joins and requests, newest first.
    async fn invite_links(&self, bot: &str, chat_id: i64) -> Result<Vec<InviteLinkStats>>;
}

/// Community writes inside a [`crate::store::Tx`].
#[async_trait]
pub trait CommunityTx: Send {
    /// Registers a chat or updates what Telegram showed of it; settings stay.
    async fn upsert_chat(&mut self, seen: &ChatSighting) -> Result<ChatRecord>;

    /// Opens a request (or opens it again after an earlier one was decided).
    async fn open_join_request(&mut self, request: &JoinRequest) -> Result<()>;

    /// The request of `user_id` to join `chat_id`, locked until the transaction ends.
    async fn join_request_for_update(
        &mut self,
        bot: &str,
        chat_id: i64,
        user_id: i64,
    ) -> Result<Option<JoinRequest>>;

    /// Decides a pending request. `false` (and nothing changed) if it is not pending.
    async fn decide_join_request(
        &mut self,
        bot: &str,
        chat_id: i64,
        user_id: i64,
        status: JoinStatus,
        at: DateTime<Utc>,
    ) -> Result<bool>;

    async fn record_member_change(&mut self, change: &MemberChange) -> Result<()>;

    /// Gives `customer` the chat's join coupon: saves `code` as a single-use code of
    /// `promotion` for them, unless they already got one for this chat (`false`).
    async fn claim_join_reward(
        &mut self,
        bot: &str,
        chat_id: i64,
        customer: CustomerId,
        promotion: PromotionId,
        code: &str,
        at: DateTime<Utc>,
    ) -> Result<bool>;
}
