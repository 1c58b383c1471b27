//! Who is in the seller's groups, as far as groupcart has seen, and purging the inactive or
//! flagged ones: the storage ports for it, the tracking of members (seen joining, leaving or
//! speaking), the list of members to remove, the staff's confirmation, and the removal a job
//! carries out once Telegram said the member is not staff.
//!
//! Telegram's Bot API cannot list a chat's members, so only people seen since the bot joined
//! the group are known: someone who has been there all along and never spoke is not.
//!
//! # A purge
//!
//! Staff list the candidates of a chat with a [`PurgeFilter`]: present members whose last
//! activity (speaking, joining, or first being seen) is older than `inactive_days`, or, with
//! `flagged`, who have warnings or mutes in the chat's moderation log; customers with a paid
//! order are left out unless `include_customers`. Staff then confirm the ids they want gone:
//! each is checked again under the same filter (someone who spoke since the list was shown
//! is skipped, with a reason), and each remaining one gets a [`PURGE_MEMBER_JOB`]. The job
//! asks Telegram whether the member is staff (administrators are never removed), then kicks
//! them (ban and unban at once, so they may come back), logs a `kick` naming the staff member
//! who confirmed, and marks them gone.

use crate::customer::CustomerId;
use crate::event::NewEvent;
use crate::incoming::{ChatKind, Incoming, Person};
use crate::job::NewJob;
use crate::moderation::{NewAction, Sanction};
use crate::outbox::{Action, NewOutbound};
use crate::store::{Store, Tx};
use crate::{Error, FieldError, Result};
use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;

/// The job that removes one member a staff member confirmed for a purge.
pub const PURGE_MEMBER_JOB: &str = "membership.purge_member";

/// Most candidates a listing shows (the oldest activity first); the answer says when there
/// are more.
pub const MAX_PURGE_CANDIDATES: i64 = 1000;

/// Most members one confirmation may remove.
pub const MAX_PURGE_CONFIRM: usize = 500;

/// Longest inactivity a filter may ask for (ten years).
pub const MAX_INACTIVE_DAYS: u32 = 3650;

/// A person seen in a chat: joining, leaving or speaking.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberSighting {
    pub bot: String,
    pub chat_id: i64,
    /// Telegram user id.
    pub user_id: i64,
    /// Set when the person is a customer.
    pub customer_id: Option<CustomerId>,
    pub first_name: String,
    pub username: Option<String>,
    pub at: DateTime<Utc>,
}

/// A member of a chat as groupcart has seen them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChatMember {
    pub bot: String,
    pub chat_id: i64,
    /// Telegram user id.
    pub user_id: i64,
    pub customer_id: Option<CustomerId>,
    pub first_name: String,
    pub username: Option<String>,
    /// In the chat as far as groupcart knows (not seen leaving or removed since).
    pub present: bool,
    pub first_seen_at: DateTime<Utc>,
    /// The last time they were seen joining (none: there before the bot saw them).
    pub joined_at: Option<DateTime<Utc>>,
    pub last_spoke_at: Option<DateTime<Utc>>,
    /// Messages seen from them in the chat.
    pub messages: i64,
    pub left_at: Option<DateTime<Utc>>,
    /// The latest of `first_seen_at`, `joined_at` and `last_spoke_at`.
    pub last_active_at: DateTime<Utc>,
}

/// Which members a purge is about.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PurgeFilter {
    /// Members whose last activity is older than this many days (1-3650); none: inactivity
    /// alone is no reason.
    #[serde(default)]
    pub inactive_days: Option<u32>,
    /// Members with warnings or mutes in the chat's moderation log, however active.
    #[serde(default)]
    pub flagged: bool,
    /// Customers with a paid order are listed too (left out by default).
    #[serde(default)]
    pub include_customers: bool,
}

impl PurgeFilter {
    /// Every rule the filter must meet, all problems at once.
    pub fn validate(&self) -> std::result::Result<(), Vec<FieldError>> {
        let mut errors = Vec::new();
        match self.inactive_days {
            Some(days) if !(1..=MAX_INACTIVE_DAYS).contains(&days) => errors.push(FieldError::new(
                "inactive_days",
                format!("must be 1-{MAX_INACTIVE_DAYS}"),
            )),
            None if !self.flagged => errors.push(FieldError::new(
                "inactive_days",
                "give inactive_days (1-3650), or flagged, or both",
            )),
            _ => {}
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }

    /// Activity before this time is inactive, at `now`.
    pub fn inactive_before(&self, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        self.inactive_days
            .map(|days| now - Duration::days(i64::from(days)))
    }

    /// The store's query of this filter at `now`, at most `limit` members, only `only`'s if
    /// given.
    pub fn query(&self, now: DateTime<Utc>, only: Option<Vec<i64>>, limit: i64) -> PurgeQuery {
        PurgeQuery {
            inactive_before: self.inactive_before(now),
            flagged: self.flagged,
            include_customers: self.include_customers,
            only,
            limit,
        }
    }
}

/// What the store selects for a purge: present members of a chat whose `last_active_at` is
/// before `inactive_before` (when set) or, with `flagged`, who have a warning or a mute in
/// the chat's log; without `include_customers` none whose customer has a paid order. Oldest
/// activity first (then by user id), at most `limit`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PurgeQuery {
    pub inactive_before: Option<DateTime<Utc>>,
    pub flagged: bool,
    pub include_customers: bool,
    /// Only these members (a confirmation's check).
    pub only: Option<Vec<i64>>,
    pub limit: i64,
}

/// A member a purge would remove, with what staff need to decide.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PurgeCandidate {
    /// Telegram user id.
    pub user_id: i64,
    pub first_name: String,
    pub username: Option<String>,
    /// Their customer record, if they are one.
    pub customer_id: Option<CustomerId>,
    pub joined_at: Option<DateTime<Utc>>,
    pub last_spoke_at: Option<DateTime<Utc>>,
    pub last_active_at: DateTime<Utc>,
    /// Messages seen from them in the chat.
    pub messages: i64,
    /// Warnings in the chat's moderation log.
    pub warnings: i64,
    /// Mutes in the chat's moderation log.
    pub mutes: i64,
    /// Their paid orders (paid, shipped, delivered or completed).
    pub paid_orders: i64,
}

impl PurgeCandidate {
    /// Whether they have warnings or mutes in the chat.
    pub fn flagged(&self) -> bool {
        self.warnings > 0 || self.mutes > 0
    }
}

/// A chat's candidates.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PurgeList {
    /// Oldest activity first.
    pub candidates: Vec<PurgeCandidate>,
    /// Most candidates listed at once.
    pub limit: i64,
    /// There are more than `limit`: remove these first, then list again.
    pub truncated: bool,
}

/// Why a member staff confirmed is not removed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SkipReason {
    /// Never seen in the chat.
    Unknown,
    /// Left or was removed already.
    Left,
    /// Active since the cutoff (spoke or joined since the list was shown).
    Active,
    /// Only flagged members were asked for and they have no warning or mute.
    NotFlagged,
    /// A customer with a paid order, and customers were not included.
    Customer,
    /// Their removal is already queued.
    AlreadyQueued,
    /// Staff or an administrator of the chat: never removed.
    Staff,
}

impl SkipReason {
    pub fn as_str(self) -> &'static str {
        match self {
            SkipReason::Unknown => "unknown",
            SkipReason::Left => "left",
            SkipReason::Active => "active",
            SkipReason::NotFlagged => "not_flagged",
            SkipReason::Customer => "customer",
            SkipReason::AlreadyQueued => "already_queued",
            SkipReason::Staff => "staff",
        }
    }
}

/// A member left out of a purge, and why.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Skipped {
    pub user_id: i64,
    pub reason: SkipReason,
}

/// What a confirmation did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PurgeOutcome {
    /// Members whose removal is queued, in the order given.
    pub queued: Vec<i64>,
    pub skipped: Vec<Skipped>,
}

/// Why a member is removed, as the log says it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum PurgeReason {
    Inactive {
        days: u32,
    },
    Flagged,
    /// Below the chat's membership tier for more than `days` ([`crate::tiers`]).
    BelowTier {
        days: u32,
    },
}

/// The job's payload: one member to remove.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PurgeMember {
    pub bot: String,
    pub chat_id: i64,
    pub user_id: i64,
    /// The staff member who confirmed, named in the log.
    pub actor: String,
    pub reason: PurgeReason,
    pub confirmed_at: DateTime<Utc>,
}

/// Members, outside any transaction.
#[async_trait]
pub trait MembershipStore: Send + Sync {
    /// The members `query` selects in the chat (see [`PurgeQuery`]).
    async fn purge_candidates(
        &self,
        bot: &str,
        chat_id: i64,
        query: &PurgeQuery,
    ) -> Result<Vec<PurgeCandidate>>;

    /// A member of a chat, present or not.
    async fn chat_member(
        &self,
        bot: &str,
        chat_id: i64,
        user_id: i64,
    ) -> Result<Option<ChatMember>>;

    /// Every chat a person was seen in, by bot and chat (for their data export).
    async fn chat_memberships(&self, user_id: i64) -> Result<Vec<ChatMember>>;
}

/// Member writes inside a [`crate::store::Tx`]; each tracking call is one upsert.
#[async_trait]
pub trait MembershipTx: Send {
    /// Seen joining: present from now, `joined_at` set, names refreshed.
    async fn member_joined(&mut self, seen: &MemberSighting) -> Result<()>;

    /// Seen leaving (or removed): not present, `left_at` set.
    async fn member_left(&mut self, seen: &MemberSighting) -> Result<()>;

    /// Seen speaking: present, `last_spoke_at` moved on (never back), one more message.
    async fn member_spoke(&mut self, seen: &MemberSighting) -> Result<()>;

    /// A member of a chat, present or not.
    async fn chat_member(
        &mut self,
        bot: &str,
        chat_id: i64,
        user_id: i64,
    ) -> Result<Option<ChatMember>>;

    /// [`MembershipStore::purge_candidates`] inside the transaction.
    async fn purge_candidates(
        &mut self,
        bot: &str,
        chat_id: i64,
        query: &PurgeQuery,
    ) -> Result<Vec<PurgeCandidate>>;

    /// Marks a present member removed at `at`. `false` (and nothing changed) if they were not
    /// present.
    async fn mark_member_removed(
        &mut self,
        bot: &str,
        chat_id: i64,
        user_id: i64,
        at: DateTime<Utc>,
    ) -> Result<bool>;
}

// --- tracking ---

/// Records that `seen` joined (`joined`) or left the chat.
pub async fn track_membership(tx: &mut dyn Tx, seen: &MemberSighting, joined: bool) -> Result<()> {
    if joined {
        tx.member_joined(seen).await
    } else {
        tx.member_left(seen).await
    }
}

/// Records that `person` spoke in the group `incoming` came from (channels have no members
/// to track). The customer is not looked up here, to keep a group message at one write: the
/// purge finds customers by Telegram id.
pub(crate) async fn spoke_in_group(
    tx: &mut dyn Tx,
    ctx: &crate::conversation::Context<'_>,
    incoming: &Incoming,
    person: &Person,
) -> Result<()> {
    if !matches!(incoming.chat_kind, ChatKind::Group | ChatKind::Supergroup) {
        return Ok(());
    }
    tx.member_spoke(&MemberSighting {
        bot: ctx.bot.key.0.clone(),
        chat_id: incoming.chat_id,
        user_id: person.telegram_user_id,
        customer_id: None,
        first_name: person.first_name.clone(),
        username: person.username.clone(),
        at: incoming.at,
    })
    .await
}

// --- listing and confirming ---

/// The chat's members a purge under `filter` would remove at `now`, oldest activity first,
/// at most [`MAX_PURGE_CANDIDATES`]. `NotFound` for a chat the bot does not know.
pub async fn purge_candidates(
    store: &dyn Store,
    bot: &str,
    chat_id: i64,
    filter: &PurgeFilter,
    now: DateTime<Utc>,
) -> Result<PurgeList> {
    filter.validate().map_err(Error::Fields)?;
    if store.chat(bot, chat_id).await?.is_none() {
        return Err(Error::NotFound(format!("chat {chat_id}")));
    }
    // One more than shown, to tell whether there are more.
    let mut candidates = store
        .purge_candidates(
            bot,
            chat_id,
            &filter.query(now, None, MAX_PURGE_CANDIDATES + 1),
        )
        .await?;
    let truncated = candidates.len() as i64 > MAX_PURGE_CANDIDATES;
    candidates.truncate(MAX_PURGE_CANDIDATES as usize);
    Ok(PurgeList {
        candidates,
        limit: MAX_PURGE_CANDIDATES,
        truncated,
    })
}

/// Queues the removal of the members staff confirmed (`user_ids`, at most
/// [`MAX_PURGE_CONFIRM`]) in one transaction: each must still be a candidate under `filter`
/// at `now` (who spoke since the list was shown, left, or is unknown is skipped with the
/// reason), and each remaining one gets a [`PURGE_MEMBER_JOB`] naming `actor`. `NotFound`
/// for a chat the bot does not know.
pub async fn confirm_purge(
    store: &dyn Store,
    bot: &str,
    chat_id: i64,
    user_ids: &[i64],
    filter: &PurgeFilter,
    actor: &str,
    now: DateTime<Utc>,
) -> Result<PurgeOutcome> {
    let mut errors = filter.validate().err().unwrap_or_default();
    if user_ids.is_empty() || user_ids.len() > MAX_PURGE_CONFIRM {
        errors.push(FieldError::new(
            "user_ids",
            format!("give 1-{MAX_PURGE_CONFIRM} members"),
        ));
    }
    if user_ids.iter().any(|&id| id <= 0) {
        errors.push(FieldError::new("user_ids", "must be Telegram user ids"));
    }
    if !errors.is_empty() {
        return Err(Error::Fields(errors));
    }
    if store.chat(bot, chat_id).await?.is_none() {
        return Err(Error::NotFound(format!("chat {chat_id}")));
    }
    let mut ids = Vec::with_capacity(user_ids.len());
    for &id in user_ids {
        if !ids.contains(&id) {
            ids.push(id);
        }
    }
    let limit = ids.len() as i64;
    let mut tx = store.begin().await?;
    let still = tx
        .purge_candidates(bot, chat_id, &filter.query(now, Some(ids.clone()), limit))
        .await?;
    let inactive_before = filter.inactive_before(now);
    let mut outcome = PurgeOutcome::default();
    let mut not_candidates = Vec::new();
    for &user_id in &ids {
        let Some(candidate) = still.iter().find(|c| c.user_id == user_id) else {
            not_candidates.push(user_id);
            continue;
        };
        // Inactivity is the reason whenever it holds; flagged only otherwise.
        let reason = match (filter.inactive_days, inactive_before) {
            (Some(days), Some(before)) if candidate.last_active_at < before => {
                PurgeReason::Inactive { days }
            }
            _ => PurgeReason::Flagged,
        };
        let job = PurgeMember {
            bot: bot.to_owned(),
            chat_id,
            user_id,
            actor: actor.to_owned(),
            reason,
            confirmed_at: now,
        };
        let payload = serde_json::to_value(&job).map_err(|e| Error::Invalid(e.to_string()))?;
        let scheduled = tx
            .schedule_job(
                &NewJob::new(PURGE_MEMBER_JOB, payload, now)
                    .dedup_key(format!("purge-member:{bot}:{chat_id}:{user_id}")),
            )
            .await?;
        match scheduled {
            Some(_) => outcome.queued.push(user_id),
            None => outcome.skipped.push(Skipped {
                user_id,
                reason: SkipReason::AlreadyQueued,
            }),
        }
    }
    // Why the others are not candidates (any more): unknown, gone, paid customers, or active.
    let customers = if not_candidates.is_empty() || filter.include_customers {
        Vec::new()
    } else {
        let with_customers = PurgeFilter {
            include_customers: true,
            ..*filter
        };
        let limit = not_candidates.len() as i64;
        tx.purge_candidates(
            bot,
            chat_id,
            &with_customers.query(now, Some(not_candidates.clone()), limit),
        )
        .await?
    };
    for user_id in not_candidates {
        let member = tx.chat_member(bot, chat_id, user_id).await?;
        let reason = match member {
            None => SkipReason::Unknown,
            Some(m) if !m.present => SkipReason::Left,
            Some(_) if customers.iter().any(|c| c.user_id == user_id) => SkipReason::Customer,
            Some(_) if filter.inactive_days.is_none() => SkipReason::NotFlagged,
            Some(_) => SkipReason::Active,
        };
        outcome.skipped.push(Skipped { user_id, reason });
    }
    tx.append_event(
        &NewEvent::new("member_purge_confirmed", now)
            .bot(bot)
            .chat(chat_id)
            .data(json!({
                "actor": actor,
                "queued": outcome.queued.len(),
                "skipped": outcome.skipped.len(),
                "inactive_days": filter.inactive_days,
                "flagged": filter.flagged,
                "include_customers": filter.include_customers,
            })),
    )
    .await?;
    tx.commit().await?;
    Ok(outcome)
}

// --- the removal ---

/// Run by the job once Telegram said whether the member is staff: staff are never removed
/// (the skip is noted as an event); a member still present and not active since the
/// confirmation is kicked (ban, then unban so they may come back), the kick logged with the
/// confirming staff member as actor and the reason in `language` (the chat's), and the member
/// marked gone. Returns the reason when they were skipped.
pub async fn remove_member(
    tx: &mut dyn Tx,
    texts: &crate::i18n::Texts,
    language: &str,
    job: &PurgeMember,
    is_staff: bool,
    at: DateTime<Utc>,
) -> Result<Option<SkipReason>> {
    let (bot, chat_id, user_id) = (job.bot.as_str(), job.chat_id, job.user_id);
    let member = tx.chat_member(bot, chat_id, user_id).await?;
    let skip = match &member {
        _ if is_staff => Some(SkipReason::Staff),
        None => Some(SkipReason::Unknown),
        Some(m) if !m.present => Some(SkipReason::Left),
        // Spoke or joined again between the confirmation and now.
        Some(m) if m.last_active_at > job.confirmed_at => Some(SkipReason::Active),
        Some(_) => None,
    };
    if let Some(reason) = skip {
        tx.append_event(
            &NewEvent::new("member_purge_skipped", at)
                .bot(bot)
                .chat(chat_id)
                .data(json!({ "user": user_id, "reason": reason.as_str() })),
        )
        .await?;
        return Ok(Some(reason));
    }
    for action in [Action::Ban { user_id }, Action::Unban { user_id }] {
        tx.enqueue(&NewOutbound::now(bot, chat_id, action, at))
            .await?;
    }
    let reason = match job.reason {
        PurgeReason::Inactive { days } => texts.get(
            language,
            "purge-reason-inactive",
            &[("days", &days.to_string())],
        ),
        PurgeReason::Flagged => texts.get(language, "purge-reason-flagged", &[]),
        PurgeReason::BelowTier { days } => texts.get(
            language,
            "purge-reason-below-tier",
            &[("days", &days.to_string())],
        ),
    };
    let customer = tx.customer_by_telegram_id(user_id).await?;
    tx.log_moderation(&NewAction {
        bot: bot.to_owned(),
        chat_id,
        user_id,
        customer_id: customer.map(|c| c.id),
        sanction: Sanction::Kick,
        rule: None,
        reason,
        excerpt: None,
        actor: job.actor.clone(),
        until: None,
        at,
    })
    .await?;
    tx.mark_member_removed(bot, chat_id, user_id, at).await?;
    tx.append_event(
        &NewEvent::new("moderation_action", at)
            .bot(bot)
            .chat(chat_id)
            .data(json!({
                "user_id": user_id,
                "sanction": Sanction::Kick.as_str(),
                "actor": job.actor,
            })),
    )
    .await?;
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_filter_needs_a_reason_and_days_in_range() {
        let fields = |f: PurgeFilter| -> Vec<String> {
            f.validate()
                .err()
                .unwrap_or_default()
                .into_iter()
                .map(|e| e.field)
                .collect()
        };
        assert_eq!(fields(PurgeFilter::default()), ["inactive_days"]);
        let flagged = PurgeFilter {
            flagged: true,
            ..PurgeFilter::default()
        };
        assert!(fields(flagged).is_empty());
        for (days, ok) in [(0, false), (1, true), (3650, true), (3651, false)] {
            let filter = PurgeFilter {
                inactive_days: Some(days),
                ..PurgeFilter::default()
            };
            assert_eq!(fields(filter).is_empty(), ok, "{days} days");
        }
    }

    #[test]
    fn the_cutoff_is_days_before_now() {
        let now = DateTime::from_timestamp(1_800_000_000, 0).unwrap();
        let filter = PurgeFilter {
            inactive_days: Some(30),
            ..PurgeFilter::default()
        };
        let query = filter.query(now, Some(vec![7]), 5);
        assert_eq!(query.inactive_before, Some(now - Duration::days(30)));
        assert_eq!(query.only, Some(vec![7]));
        assert_eq!(query.limit, 5);
        assert_eq!(PurgeFilter::default().inactive_before(now), None);
    }
}
