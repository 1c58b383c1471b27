//! The content calendar: posts staff schedule for the seller's channels and groups, with a
//! category each (news, education, interaction, promotion) so the mix can be seen, editable
//! or cancellable until they go out, and the storage ports for them.
//!
//! A scheduled post is not in the outbox until its time: a message waiting there would hold
//! back everything else for that chat, which is delivered in order. The [`SEND_JOB`] (one per
//! post and time) puts it in the outbox and marks it sent in one transaction, so a post goes
//! out once however often the process restarts. A post moved to another time leaves its
//! earlier job behind, which finds the post not due and does nothing.

use crate::event::NewEvent;
use crate::job::NewJob;
use crate::outbox::{Action, Button, Keyboard, NewOutbound};
use crate::store::{Store, Tx};
use crate::{Error, FieldError, Result};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;

/// The job that sends a scheduled post.
pub const SEND_JOB: &str = "calendar.send";

/// The store's id of a scheduled post.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct PostId(pub i64);

/// What a post is for, to keep the mix right.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    News,
    Education,
    Interaction,
    Promotion,
}

impl Category {
    pub const ALL: [Category; 4] = [
        Category::News,
        Category::Education,
        Category::Interaction,
        Category::Promotion,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Category::News => "news",
            Category::Education => "education",
            Category::Interaction => "interaction",
            Category::Promotion => "promotion",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Category::ALL.into_iter().find(|c| c.as_str() == s)
    }
}

/// Where a post is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PostStatus {
    Scheduled,
    /// In the outbox (and so, soon or already, in the chat).
    Sent,
    Cancelled,
}

impl PostStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            PostStatus::Scheduled => "scheduled",
            PostStatus::Sent => "sent",
            PostStatus::Cancelled => "cancelled",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "scheduled" => Some(PostStatus::Scheduled),
            "sent" => Some(PostStatus::Sent),
            "cancelled" => Some(PostStatus::Cancelled),
            _ => None,
        }
    }
}

/// The content of a post: its text and link buttons.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Content {
    pub text: String,
    /// Rows of link buttons (a product's deep link, a coupon's).
    #[serde(default)]
    pub buttons: Vec<Vec<LinkButton>>,
    pub category: Category,
    pub send_at: DateTime<Utc>,
}

/// A button that opens a link.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LinkButton {
    pub text: String,
    pub url: String,
}

/// A post as a seller asks for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PostDraft {
    /// The bot that posts it (its key); may be left out when there is one bot.
    #[serde(default)]
    pub bot: Option<String>,
    pub chat_id: i64,
    #[serde(flatten)]
    pub content: Content,
}

/// A post about to be stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPost {
    pub bot: String,
    pub chat_id: i64,
    pub content: Content,
    pub at: DateTime<Utc>,
}

/// A post as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScheduledPost {
    pub id: PostId,
    pub bot: String,
    pub chat_id: i64,
    #[serde(flatten)]
    pub content: Content,
    pub status: PostStatus,
    /// Its outbox message, once sent.
    pub outbox_id: Option<i64>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
}

/// Which posts to list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PostQuery {
    pub bot: Option<String>,
    pub chat_id: Option<i64>,
    /// `send_at` at or after this.
    pub from: Option<DateTime<Utc>>,
    /// `send_at` before this.
    pub to: Option<DateTime<Utc>>,
    pub limit: i64,
}

/// Scheduled posts, outside any transaction.
#[async_trait]
pub trait CalendarStore: Send + Sync {
    async fn scheduled_post(&self, id: PostId) -> Result<Option<ScheduledPost>>;

    /// By `send_at`, then id, at most `query.limit`.
    async fn scheduled_posts(&self, query: &PostQuery) -> Result<Vec<ScheduledPost>>;
}

/// Scheduled-post writes inside a [`crate::store::Tx`].
#[async_trait]
pub trait CalendarTx: Send {
    /// Stores a new post, `scheduled`.
    async fn create_post(&mut self, post: &NewPost) -> Result<ScheduledPost>;

    /// The post as this transaction sees it, its row locked on PostgreSQL.
    async fn post_for_update(&mut self, id: PostId) -> Result<Option<ScheduledPost>>;

    /// Replaces the content of a `scheduled` post; `None` if it is not scheduled (sent or
    /// cancelled meanwhile) or unknown.
    async fn update_post(
        &mut self,
        id: PostId,
        content: &Content,
        at: DateTime<Utc>,
    ) -> Result<Option<ScheduledPost>>;

    /// Cancels a `scheduled` post; `None` if it is not scheduled or unknown.
    async fn cancel_post(&mut self, id: PostId, at: DateTime<Utc>)
        -> Result<Option<ScheduledPost>>;

    /// Marks a `scheduled` post sent as outbox message `outbox_id`; `false` if it was not
    /// scheduled.
    async fn mark_post_sent(
        &mut self,
        id: PostId,
        outbox_id: i64,
        at: DateTime<Utc>,
    ) -> Result<bool>;
}

// --- use cases ---

/// Most rows of buttons, and buttons in a row, a post may have.
const MAX_BUTTON_ROWS: usize = 8;
const MAX_BUTTONS_PER_ROW: usize = 4;

impl Content {
    /// Every rule a post's content must meet, all problems at once.
    pub fn validate(&self, at: DateTime<Utc>) -> std::result::Result<(), Vec<FieldError>> {
        let mut errors = Vec::new();
        // Telegram's limit for a message's text.
        if self.text.trim().is_empty() || self.text.chars().count() > 4096 {
            errors.push(FieldError::new("text", "must be 1-4096 characters"));
        }
        errors.extend(button_errors(&self.buttons));
        if self.send_at <= at {
            errors.push(FieldError::new("send_at", "must be in the future"));
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }

    fn keyboard(&self) -> Keyboard {
        keyboard(&self.buttons)
    }
}

/// What is wrong with rows of link buttons (nothing: empty).
pub(crate) fn button_errors(buttons: &[Vec<LinkButton>]) -> Vec<FieldError> {
    let mut errors = Vec::new();
    if buttons.len() > MAX_BUTTON_ROWS
        || buttons
            .iter()
            .any(|row| row.is_empty() || row.len() > MAX_BUTTONS_PER_ROW)
    {
        errors.push(FieldError::new("buttons", "at most 8 rows of 1-4 buttons"));
    }
    if buttons.iter().flatten().any(|b| {
        b.text.trim().is_empty()
            || b.text.chars().count() > 64
            || !(b.url.starts_with("https://") || b.url.starts_with("tg://"))
    }) {
        errors.push(FieldError::new(
            "buttons",
            "each button needs a 1-64 character text and an https:// or tg:// link",
        ));
    }
    errors
}

/// The keyboard of rows of link buttons.
pub(crate) fn keyboard(buttons: &[Vec<LinkButton>]) -> Keyboard {
    buttons
        .iter()
        .map(|row| {
            row.iter()
                .map(|b| Button::url(b.text.clone(), b.url.clone()))
                .collect()
        })
        .collect()
}

/// The send job of post `id` at `at` (one per post and time: its dedup key).
fn send_job(id: PostId, at: DateTime<Utc>) -> NewJob {
    NewJob::new(SEND_JOB, json!({ "post": id.0 }), at).dedup_key(format!(
        "post:{}:{}",
        id.0,
        at.timestamp_millis()
    ))
}

/// The post a job is about.
pub fn job_post(payload: &serde_json::Value) -> Result<PostId> {
    payload["post"]
        .as_i64()
        .map(PostId)
        .ok_or_else(|| Error::Invalid("send job without a post".into()))
}

/// Schedules a post by bot `bot` in one of its registered groups or channels.
pub async fn schedule(
    store: &dyn Store,
    bot: &str,
    draft: &PostDraft,
    at: DateTime<Utc>,
) -> Result<ScheduledPost> {
    let mut errors = draft.content.validate(at).err().unwrap_or_default();
    if store.chat(bot, draft.chat_id).await?.is_none() {
        errors.push(FieldError::new(
            "chat_id",
            "not a chat of this bot (add the bot to it first)",
        ));
    }
    if !errors.is_empty() {
        return Err(Error::Fields(errors));
    }
    let mut tx = store.begin().await?;
    let post = tx
        .create_post(&NewPost {
            bot: bot.to_owned(),
            chat_id: draft.chat_id,
            content: draft.content.clone(),
            at,
        })
        .await?;
    tx.schedule_job(&send_job(post.id, post.content.send_at))
        .await?;
    tx.append_event(
        &NewEvent::new("post_scheduled", at)
            .bot(bot)
            .chat(post.chat_id)
            .data(json!({ "post": post.id.0, "category": post.content.category.as_str() })),
    )
    .await?;
    tx.commit().await?;
    Ok(post)
}

fn not_scheduled(id: PostId, post: Option<ScheduledPost>) -> Error {
    match post {
        None => Error::NotFound(format!("post {}", id.0)),
        Some(post) => Error::Conflict(format!(
            "post {} is {}: only a scheduled post can be changed",
            id.0,
            post.status.as_str()
        )),
    }
}

/// Replaces a scheduled post's content (its time too).
pub async fn edit(
    store: &dyn Store,
    id: PostId,
    content: &Content,
    at: DateTime<Utc>,
) -> Result<ScheduledPost> {
    content.validate(at).map_err(Error::Fields)?;
    let mut tx = store.begin().await?;
    let Some(post) = tx.update_post(id, content, at).await? else {
        let current = tx.post_for_update(id).await?;
        return Err(not_scheduled(id, current));
    };
    tx.schedule_job(&send_job(id, post.content.send_at)).await?;
    tx.commit().await?;
    Ok(post)
}

/// Cancels a scheduled post.
pub async fn cancel(store: &dyn Store, id: PostId, at: DateTime<Utc>) -> Result<ScheduledPost> {
    let mut tx = store.begin().await?;
    let Some(post) = tx.cancel_post(id, at).await? else {
        let current = tx.post_for_update(id).await?;
        return Err(not_scheduled(id, current));
    };
    tx.append_event(
        &NewEvent::new("post_cancelled", at)
            .bot(&post.bot)
            .chat(post.chat_id)
            .data(json!({ "post": id.0 })),
    )
    .await?;
    tx.commit().await?;
    Ok(post)
}

/// The [`SEND_JOB`]: puts a post that is due in the outbox and marks it sent, in the job's
/// transaction. A post that was edited to a later time, cancelled or sent is left alone.
pub async fn send_due(tx: &mut dyn Tx, id: PostId, now: DateTime<Utc>) -> Result<bool> {
    let Some(post) = tx.post_for_update(id).await? else {
        return Ok(false);
    };
    if post.status != PostStatus::Scheduled || post.content.send_at > now {
        return Ok(false);
    }
    let outbox_id = tx
        .enqueue(&NewOutbound::now(
            &post.bot,
            post.chat_id,
            Action::SendText {
                text: post.content.text.clone(),
                buttons: post.content.keyboard(),
            },
            now,
        ))
        .await?;
    let sent = tx.mark_post_sent(id, outbox_id, now).await?;
    tx.append_event(
        &NewEvent::new("post_sent", now)
            .bot(&post.bot)
            .chat(post.chat_id)
            .data(json!({ "post": id.0, "category": post.content.category.as_str() })),
    )
    .await?;
    Ok(sent)
}

/// How many posts of each category, and each one's share in basis points (the mix staff
/// compare with the one they aim for). Cancelled posts do not count.
pub fn mix(posts: &[ScheduledPost]) -> Vec<(Category, i64, i64)> {
    let counted: Vec<&ScheduledPost> = posts
        .iter()
        .filter(|p| p.status != PostStatus::Cancelled)
        .collect();
    let total = counted.len() as i64;
    Category::ALL
        .into_iter()
        .map(|category| {
            let count = counted
                .iter()
                .filter(|p| p.content.category == category)
                .count() as i64;
            let share = if total == 0 {
                0
            } else {
                count * 10_000 / total
            };
            (category, count, share)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 1, 1, 9, 0, 0).unwrap()
    }

    fn content() -> Content {
        Content {
            text: "New spring tea is in!".into(),
            buttons: vec![vec![LinkButton {
                text: "Shop".into(),
                url: "https://t.me/shop_bot?start=p-tea".into(),
            }]],
            category: Category::News,
            send_at: at() + chrono::Duration::hours(1),
        }
    }

    #[test]
    fn content_is_checked() {
        assert!(content().validate(at()).is_ok());
        let mut bad = content();
        bad.text = " ".into();
        bad.buttons = vec![vec![LinkButton {
            text: "x".into(),
            url: "javascript:alert(1)".into(),
        }]];
        bad.send_at = at();
        let fields: Vec<String> = bad
            .validate(at())
            .unwrap_err()
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(fields, ["text", "buttons", "send_at"]);
    }

    #[test]
    fn the_mix_counts_what_goes_out() {
        let post = |category, status| ScheduledPost {
            id: PostId(1),
            bot: "b".into(),
            chat_id: -1,
            content: Content {
                category,
                ..content()
            },
            status,
            outbox_id: None,
            created_at: at(),
            updated_at: at(),
            sent_at: None,
        };
        let posts = [
            post(Category::News, PostStatus::Sent),
            post(Category::Promotion, PostStatus::Scheduled),
            post(Category::Promotion, PostStatus::Scheduled),
            post(Category::Education, PostStatus::Scheduled),
            post(Category::Interaction, PostStatus::Cancelled),
        ];
        assert_eq!(
            mix(&posts),
            [
                (Category::News, 1, 2500),
                (Category::Education, 1, 2500),
                (Category::Interaction, 0, 0),
                (Category::Promotion, 2, 5000),
            ]
        );
    }
}
