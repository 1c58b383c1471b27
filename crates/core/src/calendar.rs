//! The content calendar: posts staff schedule for the seller's channels and groups, with a
//! category each (news, education, interaction, promotion) so the mix can be seen, editable
//! or cancellable until they go out, and the storage ports for them.
//!
//! A scheduled post is not in the outbox until its time: a message waiting there would hold
//! back everything else for that chat, which is delivered in order. The [`SEND_JOB`] (one per
//! post and time) puts it in the outbox and marks it sent in one transaction, so a post goes
//! out once however often the process restarts. A post moved to another time leaves its
//! earlier job behind, which finds the post not due and does nothing.
//!
//! An interaction post may be a native poll ([`Poll`], sent with `sendPoll`). When Telegram
//! confirms it, the sender records the poll's id on the post ([`CalendarStore::post_poll_sent`]);
//! the `poll` updates Telegram then sends after votes are stored as the post's results
//! ([`poll_state`]), newest update first.

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

/// The content of a post: its text and link buttons, or a poll.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Content {
    /// The message's text; empty (or left out) for a poll, whose question says it all.
    #[serde(default)]
    pub text: String,
    /// Rows of link buttons (a product's deep link, a coupon's).
    #[serde(default)]
    pub buttons: Vec<Vec<LinkButton>>,
    /// A native poll (`sendPoll`) instead of a text message; interaction posts only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub poll: Option<Poll>,
    pub category: Category,
    pub send_at: DateTime<Utc>,
}

/// A poll a post asks the chat (Telegram's `sendPoll`, a regular poll).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Poll {
    /// 1-300 characters.
    pub question: String,
    /// 2-12 answers of 1-100 characters each.
    pub options: Vec<String>,
    #[serde(default)]
    pub allows_multiple_answers: bool,
    /// Telegram's default; polls in channels are always anonymous.
    #[serde(default = "anonymous_by_default")]
    pub is_anonymous: bool,
}

fn anonymous_by_default() -> bool {
    true
}

/// The latest state Telegram reported of a post's poll.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PollResults {
    /// Every answer with its votes, in the poll's order.
    pub options: Vec<PollOptionCount>,
    /// People who voted (with several answers allowed, less than the sum of the options).
    pub total_voter_count: i64,
    pub is_closed: bool,
    /// When the state was received.
    pub updated_at: DateTime<Utc>,
}

/// One answer of a poll and its votes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PollOptionCount {
    pub text: String,
    pub voter_count: i64,
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
    /// A poll's id at Telegram, once Telegram confirmed it (how its results find the post).
    pub poll_id: Option<String>,
    /// A poll's latest results, once Telegram reported any.
    pub poll_results: Option<PollResults>,
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

    /// Remembers that the post sent as outbox message `outbox_id` became Telegram's poll
    /// `poll_id` (the sender calls it when Telegram confirms a `sendPoll`, before it settles
    /// the message); a later call for the same message (a resend after a crash) replaces it.
    /// `false` if no post was sent as that message.
    async fn post_poll_sent(&self, outbox_id: i64, poll_id: &str) -> Result<bool>;
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

    /// Stores `results` (received at `results.updated_at` in update `update_id`) as the latest
    /// state of `bot`'s poll `poll_id`, unless the state stored already came in an update
    /// with an id at or above `update_id` and was received after `stale_before`. Returns the
    /// post if it changed; `None` for a poll of no post, or an older (or repeated) state.
    async fn record_poll_results(
        &mut self,
        bot: &str,
        poll_id: &str,
        results: &PollResults,
        update_id: i64,
        stale_before: DateTime<Utc>,
    ) -> Result<Option<PostId>>;
}

// --- use cases ---

/// Most rows of buttons, and buttons in a row, a post may have.
const MAX_BUTTON_ROWS: usize = 8;
const MAX_BUTTONS_PER_ROW: usize = 4;

impl Content {
    /// Every rule a post's content must meet, all problems at once.
    pub fn validate(&self, at: DateTime<Utc>) -> std::result::Result<(), Vec<FieldError>> {
        let mut errors = Vec::new();
        if self.poll.is_some() {
            // `sendPoll` has no message text: the question is the text.
            if !self.text.is_empty() {
                errors.push(FieldError::new(
                    "text",
                    "must be empty for a poll (the question is its text)",
                ));
            }
        // Telegram's limit for a message's text.
        } else if self.text.trim().is_empty() || self.text.chars().count() > 4096 {
            errors.push(FieldError::new("text", "must be 1-4096 characters"));
        }
        errors.extend(button_errors(&self.buttons));
        if let Some(poll) = &self.poll {
            errors.extend(poll.errors());
            if self.category != Category::Interaction {
                errors.push(FieldError::new("category", "a poll is an interaction post"));
            }
        }
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

/// Telegram's limits for a poll (`sendPoll`, `InputPollOption`); Telegram takes a single
/// answer too, but a poll of one answer asks nothing.
const MAX_QUESTION_CHARS: usize = 300;
const MIN_POLL_OPTIONS: usize = 2;
const MAX_POLL_OPTIONS: usize = 12;
const MAX_OPTION_CHARS: usize = 100;

impl Poll {
    /// What is wrong with the poll (nothing: empty).
    pub fn errors(&self) -> Vec<FieldError> {
        let mut errors = Vec::new();
        let fits = |s: &str, max: usize| !s.trim().is_empty() && s.chars().count() <= max;
        if !fits(&self.question, MAX_QUESTION_CHARS) {
            errors.push(FieldError::new("poll.question", "must be 1-300 characters"));
        }
        if !(MIN_POLL_OPTIONS..=MAX_POLL_OPTIONS).contains(&self.options.len())
            || !self.options.iter().all(|o| fits(o, MAX_OPTION_CHARS))
        {
            errors.push(FieldError::new(
                "poll.options",
                "must be 2-12 answers of 1-100 characters each",
            ));
        }
        errors
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
    match store.chat(bot, draft.chat_id).await? {
        None => errors.push(FieldError::new(
            "chat_id",
            "not a chat of this bot (add the bot to it first)",
        )),
        // Telegram refuses a poll in a channel that shows who voted.
        Some(chat)
            if chat.seen.kind == "channel"
                && draft.content.poll.as_ref().is_some_and(|p| !p.is_anonymous) =>
        {
            errors.push(FieldError::new(
                "poll.is_anonymous",
                "polls in channels are always anonymous",
            ))
        }
        Some(_) => {}
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
    let action = match &post.content.poll {
        Some(poll) => Action::SendPoll {
            question: poll.question.clone(),
            options: poll.options.clone(),
            allows_multiple_answers: poll.allows_multiple_answers,
            is_anonymous: poll.is_anonymous,
            buttons: post.content.keyboard(),
        },
        None => Action::SendText {
            text: post.content.text.clone(),
            buttons: post.content.keyboard(),
        },
    };
    let outbox_id = tx
        .enqueue(&NewOutbound::now(&post.bot, post.chat_id, action, now))
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

/// How long Telegram keeps an update it could not deliver. A poll's state received this long
/// after the one stored cannot be an older one arriving late, whatever its update id says
/// (Telegram picks update ids at random after a week without updates).
const UPDATE_LIFETIME_HOURS: i64 = 24;

/// Stores the state Telegram reported of a poll bot `bot` sent (a `poll` update), as the
/// results of the post it belongs to.
///
/// Telegram reports the whole state each time, so storing it is idempotent. Counts are not
/// monotonic (a voter may retract or change their vote in a regular poll), so the newest
/// state wins by update order: a state from an update with a lower id than the stored one
/// is a late, older one and is left out. Updates without a chat are processed concurrently
/// here, so this matters even when Telegram delivers in order. `Ok(None)` for a poll of no
/// post or a state already superseded.
pub async fn poll_state(
    tx: &mut dyn Tx,
    bot: &str,
    state: &crate::incoming::PollState,
    at: DateTime<Utc>,
) -> Result<Option<PostId>> {
    let results = PollResults {
        options: state
            .options
            .iter()
            .map(|(text, voter_count)| PollOptionCount {
                text: text.clone(),
                voter_count: *voter_count,
            })
            .collect(),
        total_voter_count: state.total_voter_count,
        is_closed: state.is_closed,
        updated_at: at,
    };
    let stale_before = at - chrono::Duration::hours(UPDATE_LIFETIME_HOURS);
    tx.record_poll_results(bot, &state.poll_id, &results, state.update_id, stale_before)
        .await
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
            poll: None,
            category: Category::News,
            send_at: at() + chrono::Duration::hours(1),
        }
    }

    fn poll() -> Content {
        Content {
            text: String::new(),
            buttons: Vec::new(),
            poll: Some(Poll {
                question: "Which tea next?".into(),
                options: vec!["Longjing".into(), "Pu-erh".into()],
                allows_multiple_answers: false,
                is_anonymous: true,
            }),
            category: Category::Interaction,
            send_at: at() + chrono::Duration::hours(1),
        }
    }

    fn fields(content: &Content) -> Vec<String> {
        content
            .validate(at())
            .err()
            .unwrap_or_default()
            .into_iter()
            .map(|e| e.field)
            .collect()
    }

    #[test]
    fn a_poll_is_checked() {
        assert!(poll().validate(at()).is_ok());
        // Defaults: anonymous, one answer; the text may be left out.
        let parsed: Content = serde_json::from_value(json!({
            "poll": {"question": "Which tea next?", "options": ["Longjing", "Pu-erh"]},
            "category": "interaction",
            "send_at": at() + chrono::Duration::hours(1),
        }))
        .unwrap();
        assert_eq!(parsed, poll());

        let mut bad = poll();
        bad.text = "Vote!".into();
        bad.category = Category::News;
        let p = bad.poll.as_mut().unwrap();
        p.question = "q".repeat(301);
        p.options = vec!["only one".into()];
        assert_eq!(
            fields(&bad),
            ["text", "poll.question", "poll.options", "category"]
        );

        let mut limits = poll();
        let p = limits.poll.as_mut().unwrap();
        p.question = "q".repeat(300);
        p.options = (b'a'..b'm')
            .map(|c| char::from(c).to_string().repeat(100))
            .collect();
        assert!(fields(&limits).is_empty());
        limits.poll.as_mut().unwrap().options.push("13".into());
        assert_eq!(fields(&limits), ["poll.options"]);
        let mut long = poll();
        long.poll.as_mut().unwrap().options[1] = "x".repeat(101);
        assert_eq!(fields(&long), ["poll.options"]);
        let mut blank = poll();
        blank.poll.as_mut().unwrap().options[0] = " ".into();
        blank.poll.as_mut().unwrap().question = " ".into();
        assert_eq!(fields(&blank), ["poll.question", "poll.options"]);
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
            poll_id: None,
            poll_results: None,
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
