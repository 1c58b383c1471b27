//! Moderation of the seller's groups: the rules a chat sets (blocked words, a link lock with
//! the seller's own domains allowed, locks on forwards from other channels, media kinds and
//! mentions of other bots, flood limits), what breaking them brings (the message deleted, a
//! warning, a mute, a ban, on a ladder), staff commands in the group (`/warn`, `/mute 1h`,
//! `/ban`, `/unmute`, `/unban`, carried out by a job once Telegram said the author is staff),
//! lifting a mute or ban, the log of every action, and the storage ports for the counts
//! behind them. Appeals are in [`crate::moderation_chat`].
//!
//! # The ladder
//!
//! A blocked word, a locked link or locked content deletes the message and gives its author
//! a warning (so does a staff member's `/warn`). The
//! `warnings_before_mute`-th warning mutes them for `mute_minutes` instead (and starts the
//! count again); the `mutes_before_ban`-th mute is a ban. A flood (too many messages, or the
//! same message repeated, within a window) mutes at once. Each step is one row of the log,
//! with the rule, an excerpt of the message and who acted (`system` for rules).
//!
//! # Who is exempt
//!
//! Customers with a paid order can be exempted from chosen rules (`exempt_customers`): a
//! buyer posting a link to their parcel's tracking page is not a spammer. The bot's own
//! messages and other bots' are never moderated here.
//!
//! Words are matched by [`groupcart_wordfilter`]: case, full-width forms and letters spread
//! out with spaces or symbols ("敏 感 词", "s.p.a.m") are seen through, in any script.

use crate::conversation::Context;
use crate::customer::CustomerId;
use crate::incoming::{Incoming, Person};
use crate::outbox::{Action, NewOutbound};
use crate::shop::{OrderQuery, OrderStatus};
use crate::store::Tx;
use crate::{FieldError, Result};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use groupcart_wordfilter::{Entry, Filter};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::hash_map::DefaultHasher;
use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::sync::{Arc, Mutex};

/// A rule a message can break.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Rule {
    Words,
    Links,
    Flood,
    /// Forwards from channels that are not the seller's.
    Forwards,
    /// Media of a locked kind.
    Media,
    /// @mentions of other bots.
    BotMentions,
}

impl Rule {
    pub fn as_str(self) -> &'static str {
        match self {
            Rule::Words => "words",
            Rule::Links => "links",
            Rule::Flood => "flood",
            Rule::Forwards => "forwards",
            Rule::Media => "media",
            Rule::BotMentions => "bot_mentions",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [
            Rule::Words,
            Rule::Links,
            Rule::Flood,
            Rule::Forwards,
            Rule::Media,
            Rule::BotMentions,
        ]
        .into_iter()
        .find(|r| r.as_str() == s)
    }
}

/// A kind of media a chat may lock.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MediaKind {
    Photo,
    Video,
    Document,
    Sticker,
    Animation,
    Voice,
}

impl MediaKind {
    pub fn as_str(self) -> &'static str {
        match self {
            MediaKind::Photo => "photo",
            MediaKind::Video => "video",
            MediaKind::Document => "document",
            MediaKind::Sticker => "sticker",
            MediaKind::Animation => "animation",
            MediaKind::Voice => "voice",
        }
    }
}

/// What may not be posted at all, whatever it says.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Locks {
    /// Media kinds not allowed.
    #[serde(default)]
    pub media: Vec<MediaKind>,
    /// No forwards from channels other than the seller's own registered chats.
    #[serde(default)]
    pub forwards: bool,
    /// No @mentions of other bots (usernames ending in `bot`).
    #[serde(default)]
    pub bot_mentions: bool,
}

impl Locks {
    fn is_on(&self) -> bool {
        !self.media.is_empty() || self.forwards || self.bot_mentions
    }
}

/// Links in messages.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LinkLock {
    /// Links are not allowed, but to `allowed_domains`.
    #[serde(default)]
    pub locked: bool,
    /// The seller's own domains (and their subdomains), e.g. `shop.example.com`.
    #[serde(default)]
    pub allowed_domains: Vec<String>,
}

/// Too many messages from one person.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Flood {
    /// At most this many messages within `seconds` (0: no limit).
    #[serde(default)]
    pub messages: u32,
    /// The same text at most this many times within `seconds` (0: no limit).
    #[serde(default)]
    pub identical: u32,
    /// The window, in seconds.
    #[serde(default)]
    pub seconds: u32,
}

/// What repeated breaking brings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Ladder {
    pub warnings_before_mute: u32,
    pub mute_minutes: u32,
    pub mutes_before_ban: u32,
}

impl Default for Ladder {
    fn default() -> Self {
        Ladder {
            warnings_before_mute: 3,
            mute_minutes: 24 * 60,
            mutes_before_ban: 3,
        }
    }
}

/// A chat's moderation rules (part of its settings). All off by default.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Moderation {
    /// Words and phrases not allowed, in any language.
    #[serde(default)]
    pub blocked_words: Vec<String>,
    #[serde(default)]
    pub links: LinkLock,
    #[serde(default)]
    pub flood: Flood,
    #[serde(default)]
    pub locks: Locks,
    #[serde(default)]
    pub ladder: Ladder,
    /// Rules customers with a paid order are exempt from.
    #[serde(default)]
    pub exempt_customers: Vec<Rule>,
}

/// A step of the ladder, as logged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sanction {
    Warn,
    Mute,
    Ban,
    /// A mute lifted by staff.
    Unmute,
    /// A ban lifted by staff.
    Unban,
    /// Removed by a purge (banned and unbanned at once: they may come back).
    Kick,
}

impl Sanction {
    pub fn as_str(self) -> &'static str {
        match self {
            Sanction::Warn => "warn",
            Sanction::Mute => "mute",
            Sanction::Ban => "ban",
            Sanction::Unmute => "unmute",
            Sanction::Unban => "unban",
            Sanction::Kick => "kick",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "warn" => Some(Sanction::Warn),
            "mute" => Some(Sanction::Mute),
            "ban" => Some(Sanction::Ban),
            "unmute" => Some(Sanction::Unmute),
            "unban" => Some(Sanction::Unban),
            "kick" => Some(Sanction::Kick),
            _ => None,
        }
    }
}

/// A person's standing in a chat.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Strikes {
    /// Warnings since the last mute.
    pub warnings: i64,
    /// Mutes so far.
    pub mutes: i64,
}

/// What the store counted of a person's recent messages in a chat, this one included.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Recent {
    pub messages: i64,
    /// Messages with the same text.
    pub identical: i64,
}

/// A group message to count.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Posted {
    pub bot: String,
    pub chat_id: i64,
    pub user_id: i64,
    /// A digest of the text, to count repeats.
    pub digest: String,
    pub at: DateTime<Utc>,
    /// How far back to count; older messages of this person in this chat are forgotten.
    pub window: chrono::Duration,
}

/// A moderation action about to be logged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAction {
    pub bot: String,
    pub chat_id: i64,
    pub user_id: i64,
    pub customer_id: Option<CustomerId>,
    pub sanction: Sanction,
    pub rule: Option<Rule>,
    pub reason: String,
    /// A short piece of the message (at most 200 characters).
    pub excerpt: Option<String>,
    /// `system` for rules, else the staff member.
    pub actor: String,
    /// The end of a mute.
    pub until: Option<DateTime<Utc>>,
    pub at: DateTime<Utc>,
}

/// A logged moderation action.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActionRecord {
    pub id: i64,
    pub bot: String,
    pub chat_id: i64,
    pub user_id: i64,
    pub customer_id: Option<CustomerId>,
    pub sanction: Sanction,
    pub rule: Option<Rule>,
    pub reason: String,
    pub excerpt: Option<String>,
    pub actor: String,
    pub until: Option<DateTime<Utc>>,
    pub at: DateTime<Utc>,
}

/// Moderation records, outside any transaction.
#[async_trait]
pub trait ModerationStore: Send + Sync {
    /// A chat's log, newest first, at most `limit`; only `user_id`'s if given.
    async fn moderation_log(
        &self,
        bot: &str,
        chat_id: i64,
        user_id: Option<i64>,
        limit: i64,
    ) -> Result<Vec<ActionRecord>>;
}

/// Moderation writes inside a [`crate::store::Tx`].
#[async_trait]
pub trait ModerationTx: Send {
    /// Counts a group message and returns how many messages (and how many with the same
    /// digest) the person posted in the chat within `posted.window` up to `posted.at`, this
    /// one included. Forgets this person's messages in this chat older than the window.
    async fn count_group_message(&mut self, posted: &Posted) -> Result<Recent>;

    /// The person's standing in the chat (zero if none).
    async fn strikes(&mut self, bot: &str, chat_id: i64, user_id: i64) -> Result<Strikes>;

    /// Sets the person's standing in the chat.
    async fn set_strikes(
        &mut self,
        bot: &str,
        chat_id: i64,
        user_id: i64,
        strikes: Strikes,
        at: DateTime<Utc>,
    ) -> Result<()>;

    /// Logs an action.
    async fn log_moderation(&mut self, action: &NewAction) -> Result<ActionRecord>;
}

// --- settings ---

/// Most blocked words a chat may have.
pub const MAX_BLOCKED_WORDS: usize = 10_000;

impl Moderation {
    /// Every rule the settings must meet, all problems at once.
    pub fn validate(&self) -> std::result::Result<(), Vec<FieldError>> {
        let mut errors = Vec::new();
        if self.blocked_words.len() > MAX_BLOCKED_WORDS {
            errors.push(FieldError::new(
                "moderation.blocked_words",
                format!("at most {MAX_BLOCKED_WORDS} words"),
            ));
        }
        if self
            .blocked_words
            .iter()
            .any(|w| w.trim().is_empty() || w.chars().count() > 100)
        {
            errors.push(FieldError::new(
                "moderation.blocked_words",
                "each word must be 1-100 characters",
            ));
        }
        if self.links.allowed_domains.iter().any(|d| {
            d.is_empty() || d.len() > 253 || d.contains(['/', ' ', ':']) || d.starts_with('.')
        }) {
            errors.push(FieldError::new(
                "moderation.links.allowed_domains",
                "domains like shop.example.com, without scheme or path",
            ));
        }
        let flood = self.flood;
        if (flood.messages > 0 || flood.identical > 0) && !(1..=3600).contains(&flood.seconds) {
            errors.push(FieldError::new(
                "moderation.flood.seconds",
                "must be 1-3600 when a flood limit is set",
            ));
        }
        let ladder = self.ladder;
        if ladder.warnings_before_mute == 0 || ladder.mutes_before_ban == 0 {
            errors.push(FieldError::new(
                "moderation.ladder",
                "warnings_before_mute and mutes_before_ban must be at least 1",
            ));
        }
        let mut kinds = self.locks.media.clone();
        kinds.sort_by_key(|k| k.as_str());
        kinds.dedup();
        if kinds.len() != self.locks.media.len() {
            errors.push(FieldError::new(
                "moderation.locks.media",
                "each media kind at most once",
            ));
        }
        if !(1..=366 * 24 * 60).contains(&ladder.mute_minutes) {
            errors.push(FieldError::new(
                "moderation.ladder.mute_minutes",
                "must be 1 minute to 366 days",
            ));
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }

    /// Whether any rule is set.
    pub fn is_on(&self) -> bool {
        !self.blocked_words.is_empty()
            || self.links.locked
            || self.flood.messages > 0
            || self.flood.identical > 0
            || self.locks.is_on()
    }
}

// --- the word filters ---

/// The compiled word filters of the chats, rebuilt when a chat's list changes. One per
/// process, made at startup and passed down (see [`Context`]).
#[derive(Default)]
pub struct FilterCache {
    filters: Mutex<HashMap<ChatKey, Compiled>>,
}

/// A chat: its bot's key and its id.
type ChatKey = (String, i64);

/// A compiled list and the hash of the words it was compiled from.
type Compiled = (u64, Arc<Filter<()>>);

impl std::fmt::Debug for FilterCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FilterCache").finish_non_exhaustive()
    }
}

impl FilterCache {
    /// The filter of `words` for the chat, compiled once per list.
    fn get(&self, bot: &str, chat_id: i64, words: &[String]) -> Option<Arc<Filter<()>>> {
        let mut hasher = DefaultHasher::new();
        words.hash(&mut hasher);
        let version = hasher.finish();
        let key = (bot.to_owned(), chat_id);
        if let Some((known, filter)) = self.lock().get(&key) {
            if *known == version {
                return Some(filter.clone());
            }
        }
        let entries = words.iter().map(|w| Entry::parse(w, ()));
        let filter = match Filter::builder().entries(entries).build_lenient() {
            Ok((filter, skipped)) => {
                if !skipped.is_empty() {
                    tracing::warn!(
                        chat_id,
                        skipped = skipped.len(),
                        "blocked words that cannot be matched were left out"
                    );
                }
                Arc::new(filter)
            }
            Err(error) => {
                tracing::warn!(chat_id, %error, "the chat's blocked words do not build a filter");
                return None;
            }
        };
        self.lock().insert(key, (version, filter.clone()));
        Some(filter)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<ChatKey, Compiled>> {
        // Plain values: a panic while holding the lock cannot leave them half-changed.
        self.filters
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

// --- the pipeline ---

/// A broken rule, with what to show of it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Breach {
    rule: Rule,
    excerpt: String,
}

/// The hosts of the links in `text` (`http(s)://host/...`, `www.host`, `t.me/...`), lower case.
pub fn link_hosts(text: &str) -> Vec<String> {
    let mut hosts = Vec::new();
    for word in text.split(|c: char| c.is_whitespace() || "()<>\"'".contains(c)) {
        let lower = word.to_lowercase();
        let rest = if let Some(rest) = lower.strip_prefix("https://") {
            rest
        } else if let Some(rest) = lower.strip_prefix("http://") {
            rest
        } else if lower.starts_with("www.") || lower.starts_with("t.me/") {
            lower.as_str()
        } else {
            continue;
        };
        let host: String = rest
            .split(['/', '?', '#', ':'])
            .next()
            .unwrap_or_default()
            .trim_end_matches(['.', ',', '!'])
            .to_owned();
        if !host.is_empty() {
            hosts.push(host);
        }
    }
    hosts
}

/// Whether `host` is one of `allowed` or under one of them.
fn allowed_host(host: &str, allowed: &[String]) -> bool {
    let host = host.strip_prefix("www.").unwrap_or(host);
    allowed.iter().any(|domain| {
        let domain = domain.to_lowercase();
        host == domain || host.ends_with(&format!(".{domain}"))
    })
}

/// The bots `text` mentions: `@username`s ending in `bot`, any case.
pub fn bot_mentions(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut rest = text;
    while let Some(at) = rest.find('@') {
        let after = &rest[at + 1..];
        let end = after
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(after.len());
        let name = &after[..end];
        // Telegram usernames are 5-32 characters; an e-mail's @ follows a letter.
        let in_word = rest[..at]
            .chars()
            .next_back()
            .is_some_and(|c| c.is_alphanumeric() || c == '_');
        if !in_word && (5..=32).contains(&name.len()) && name.to_lowercase().ends_with("bot") {
            found.push(name.to_owned());
        }
        rest = &after[end..];
    }
    found
}

fn excerpt(text: &str) -> String {
    text.chars().take(200).collect()
}

/// Checks a message in a group against the chat's rules and, when it breaks one, deletes it
/// and applies the ladder. Returns whether it acted (the message is then not looked at for
/// anything else).
pub(crate) async fn moderate(
    tx: &mut dyn Tx,
    ctx: &Context<'_>,
    incoming: &Incoming,
    person: &Person,
    text: &str,
    message_id: i64,
) -> Result<bool> {
    let Some(chat) = ctx.store.chat(&ctx.bot.key.0, incoming.chat_id).await? else {
        return Ok(false);
    };
    let rules = &chat.settings.moderation;
    if !rules.is_on() {
        return Ok(false);
    }
    let at = incoming.at;
    let mut breaches = Vec::new();
    if !rules.blocked_words.is_empty() {
        if let Some(filter) =
            ctx.filters
                .get(&ctx.bot.key.0, incoming.chat_id, &rules.blocked_words)
        {
            if let Some(found) = filter.find_all(text).first() {
                breaches.push(Breach {
                    rule: Rule::Words,
                    excerpt: found.excerpt(text).to_owned(),
                });
            }
        }
    }
    if rules.links.locked {
        if let Some(host) = link_hosts(text)
            .into_iter()
            .find(|h| !allowed_host(h, &rules.links.allowed_domains))
        {
            breaches.push(Breach {
                rule: Rule::Links,
                excerpt: host,
            });
        }
    }
    let locks = &rules.locks;
    if locks.forwards {
        if let Some(channel) = incoming.meta.forwarded_from_channel {
            // The seller's own channels may be forwarded.
            if ctx.store.chat(&ctx.bot.key.0, channel).await?.is_none() {
                breaches.push(Breach {
                    rule: Rule::Forwards,
                    excerpt: excerpt(text),
                });
            }
        }
    }
    if let Some(media) = &incoming.meta.media {
        if locks.media.iter().any(|k| k.as_str() == media) {
            breaches.push(Breach {
                rule: Rule::Media,
                excerpt: if text.is_empty() {
                    media.clone()
                } else {
                    excerpt(text)
                },
            });
        }
    }
    if locks.bot_mentions {
        let ours = ctx.bot.username.get().map(|u| u.to_lowercase());
        if let Some(mention) = bot_mentions(text)
            .into_iter()
            .find(|m| Some(m.to_lowercase()) != ours)
        {
            breaches.push(Breach {
                rule: Rule::BotMentions,
                excerpt: format!("@{mention}"),
            });
        }
    }
    let flood = rules.flood;
    if flood.messages > 0 || flood.identical > 0 {
        let normalized: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
        let digest = Sha256::digest(normalized.to_lowercase().as_bytes());
        let recent = tx
            .count_group_message(&Posted {
                bot: ctx.bot.key.0.clone(),
                chat_id: incoming.chat_id,
                user_id: person.telegram_user_id,
                digest: crate::giveaway::hex(&digest[..16]),
                at,
                window: chrono::Duration::seconds(i64::from(flood.seconds)),
            })
            .await?;
        let too_many = flood.messages > 0 && recent.messages > i64::from(flood.messages);
        let repeated = flood.identical > 0 && recent.identical > i64::from(flood.identical);
        if too_many || repeated {
            breaches.push(Breach {
                rule: Rule::Flood,
                excerpt: excerpt(text),
            });
        }
    }
    if breaches.is_empty() {
        return Ok(false);
    }
    let customer = tx.customer_by_telegram_id(person.telegram_user_id).await?;
    if !rules.exempt_customers.is_empty() {
        if let Some(c) = &customer {
            if has_paid(ctx, c.id).await? {
                breaches.retain(|b| !rules.exempt_customers.contains(&b.rule));
            }
        }
    }
    // The harshest first: a flood mutes, a word or link warns.
    breaches.sort_by_key(|b| b.rule != Rule::Flood);
    let Some(breach) = breaches.into_iter().next() else {
        return Ok(false);
    };
    let bot = ctx.bot.key.0.as_str();
    let last = ctx
        .store
        .moderation_log(bot, incoming.chat_id, Some(person.telegram_user_id), 1)
        .await?;
    if last
        .first()
        .is_some_and(|a| a.sanction == Sanction::Mute && a.until.is_some_and(|u| u > at))
    {
        // Sent before the mute reached Telegram: gone, but the mute already answered it.
        let delete = Action::DeleteMessage { message_id };
        tx.enqueue(&NewOutbound::now(bot, incoming.chat_id, delete, at))
            .await?;
        return Ok(true);
    }
    // The warning is posted in the group: the chat's language.
    let language = chat.language(ctx.bot);
    let reason = ctx.texts.get(
        language,
        &format!("moderation-rule-{}", breach.rule.as_str()),
        &[],
    );
    let step = Step {
        texts: ctx.texts,
        bot,
        chat_id: incoming.chat_id,
        language,
        rule: Some(breach.rule),
        reason,
        excerpt: Some(excerpt(&breach.excerpt)),
        actor: "system".into(),
        delete: vec![message_id],
        at,
    };
    let target = Target {
        user_id: person.telegram_user_id,
        name: display_name(person),
        customer_id: customer.map(|c| c.id),
    };
    let trigger = if breach.rule == Rule::Flood {
        Trigger::Flood
    } else {
        Trigger::Warning
    };
    climb(tx, &step, &target, rules.ladder, trigger).await?;
    Ok(true)
}

/// How a person is named in the group: `@username`, else their first name.
fn display_name(person: &Person) -> String {
    match &person.username {
        Some(username) => format!("@{username}"),
        None => person.first_name.clone(),
    }
}

async fn has_paid(ctx: &Context<'_>, customer: CustomerId) -> Result<bool> {
    let orders = ctx
        .store
        .orders(&OrderQuery {
            customer: Some(customer),
            limit: 50,
            ..OrderQuery::default()
        })
        .await?;
    Ok(orders.iter().any(|o| {
        matches!(
            o.status,
            OrderStatus::Paid
                | OrderStatus::Shipped
                | OrderStatus::Delivered
                | OrderStatus::Completed
        )
    }))
}

/// Who is acted on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Target {
    /// Telegram user id.
    pub user_id: i64,
    /// As shown in the group's notices.
    pub name: String,
    pub customer_id: Option<CustomerId>,
}

/// What moves a person on the ladder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Trigger {
    /// A warning; the last one before the limit mutes.
    Warning,
    /// A mute for the ladder's time at once (a flood).
    Flood,
    /// A staff member's mute for this many minutes.
    Mute(u32),
    /// A staff member's ban.
    Ban,
}

/// One action, with what to log and where.
struct Step<'a> {
    texts: &'a crate::i18n::Texts,
    bot: &'a str,
    chat_id: i64,
    /// Of the notices in the group.
    language: &'a str,
    rule: Option<Rule>,
    reason: String,
    excerpt: Option<String>,
    /// `system` for rules, else the staff member.
    actor: String,
    /// Messages to delete (the one that broke a rule, a staff command).
    delete: Vec<i64>,
    at: DateTime<Utc>,
}

/// Deletes the messages, moves the person up the ladder, logs it and tells the chat.
async fn climb(
    tx: &mut dyn Tx,
    step: &Step<'_>,
    target: &Target,
    ladder: Ladder,
    trigger: Trigger,
) -> Result<Sanction> {
    let (bot, chat_id, at) = (step.bot, step.chat_id, step.at);
    let mut strikes = tx.strikes(bot, chat_id, target.user_id).await?;
    let mut minutes = ladder.mute_minutes;
    let sanction = match trigger {
        Trigger::Ban => Sanction::Ban,
        Trigger::Mute(staff_minutes) => {
            // A staff member's mute counts, but is not turned into a ban.
            strikes.warnings = 0;
            strikes.mutes += 1;
            minutes = staff_minutes;
            Sanction::Mute
        }
        Trigger::Warning | Trigger::Flood => {
            let mute = trigger == Trigger::Flood || {
                strikes.warnings += 1;
                strikes.warnings >= i64::from(ladder.warnings_before_mute)
            };
            if mute {
                strikes.warnings = 0;
                strikes.mutes += 1;
                if strikes.mutes >= i64::from(ladder.mutes_before_ban) {
                    Sanction::Ban
                } else {
                    Sanction::Mute
                }
            } else {
                Sanction::Warn
            }
        }
    };
    tx.set_strikes(bot, chat_id, target.user_id, strikes, at)
        .await?;
    let until =
        (sanction == Sanction::Mute).then(|| at + chrono::Duration::minutes(i64::from(minutes)));
    tx.log_moderation(&NewAction {
        bot: bot.to_owned(),
        chat_id,
        user_id: target.user_id,
        customer_id: target.customer_id,
        sanction,
        rule: step.rule,
        reason: step.reason.clone(),
        excerpt: step.excerpt.clone(),
        actor: step.actor.clone(),
        until,
        at,
    })
    .await?;
    let (texts, language, name) = (step.texts, step.language, target.name.as_str());
    let reason = step.reason.as_str();
    let notice = match sanction {
        Sanction::Warn => texts.get(
            language,
            "moderation-warned",
            &[
                ("name", name),
                ("count", &strikes.warnings.to_string()),
                ("limit", &ladder.warnings_before_mute.to_string()),
                ("reason", reason),
            ],
        ),
        Sanction::Mute if !minutes.is_multiple_of(60) => texts.get(
            language,
            "moderation-muted-minutes",
            &[
                ("name", name),
                ("minutes", &minutes.to_string()),
                ("reason", reason),
            ],
        ),
        Sanction::Mute => texts.get(
            language,
            "moderation-muted",
            &[
                ("name", name),
                ("hours", &minutes.div_ceil(60).to_string()),
                ("reason", reason),
            ],
        ),
        _ => texts.get(
            language,
            "moderation-banned",
            &[("name", name), ("reason", reason)],
        ),
    };
    let user_id = target.user_id;
    let mut actions: Vec<Action> = step
        .delete
        .iter()
        .map(|&message_id| Action::DeleteMessage { message_id })
        .collect();
    match sanction {
        Sanction::Mute => actions.push(Action::Restrict {
            user_id,
            until: until.unwrap_or(at),
        }),
        Sanction::Ban => actions.push(Action::Ban { user_id }),
        _ => {}
    }
    actions.push(Action::SendText {
        text: notice,
        buttons: Vec::new(),
    });
    for action in actions {
        tx.enqueue(&NewOutbound::now(bot, chat_id, action, at))
            .await?;
    }
    tx.append_event(
        &crate::event::NewEvent::new("moderation_action", at)
            .bot(bot)
            .chat(chat_id)
            .data(serde_json::json!({
                "user_id": user_id,
                "sanction": sanction.as_str(),
                "rule": step.rule.map(Rule::as_str),
                "actor": step.actor,
            })),
    )
    .await?;
    Ok(sanction)
}

// --- lifting a mute or a ban ---

/// What staff lift.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Lift {
    Unmute,
    Unban,
}

/// Lifts a person's mute or ban in a chat: tells Telegram (through the outbox), logs it with
/// `actor`, and says so in the group. A lifted ban starts the person's ladder again.
#[allow(clippy::too_many_arguments)]
pub async fn lift(
    tx: &mut dyn Tx,
    texts: &crate::i18n::Texts,
    bot: &str,
    language: &str,
    chat_id: i64,
    target: &Target,
    lift: Lift,
    actor: &str,
    reason: &str,
    delete: &[i64],
    at: DateTime<Utc>,
) -> Result<ActionRecord> {
    let user_id = target.user_id;
    let (sanction, action, message) = match lift {
        Lift::Unmute => (
            Sanction::Unmute,
            Action::Unrestrict { user_id },
            "moderation-unmuted",
        ),
        Lift::Unban => (
            Sanction::Unban,
            Action::Unban { user_id },
            "moderation-unbanned",
        ),
    };
    if lift == Lift::Unban {
        tx.set_strikes(bot, chat_id, user_id, Strikes::default(), at)
            .await?;
    }
    let record = tx
        .log_moderation(&NewAction {
            bot: bot.to_owned(),
            chat_id,
            user_id,
            customer_id: target.customer_id,
            sanction,
            rule: None,
            reason: reason.to_owned(),
            excerpt: None,
            actor: actor.to_owned(),
            until: None,
            at,
        })
        .await?;
    let mut actions: Vec<Action> = delete
        .iter()
        .map(|&message_id| Action::DeleteMessage { message_id })
        .collect();
    actions.push(action);
    actions.push(Action::SendText {
        text: texts.get(language, message, &[("name", &target.name)]),
        buttons: Vec::new(),
    });
    for action in actions {
        tx.enqueue(&NewOutbound::now(bot, chat_id, action, at))
            .await?;
    }
    tx.append_event(
        &crate::event::NewEvent::new("moderation_action", at)
            .bot(bot)
            .chat(chat_id)
            .data(serde_json::json!({
                "user_id": user_id,
                "sanction": sanction.as_str(),
                "actor": actor,
            })),
    )
    .await?;
    Ok(record)
}

/// Lifts a member's mute or ban from outside Telegram (the admin API), in one transaction
/// with the messages it sends. `NotFound` for a chat the bot does not know.
#[allow(clippy::too_many_arguments)]
pub async fn lift_member(
    store: &dyn crate::store::Store,
    texts: &crate::i18n::Texts,
    bot: &crate::bot::BotProfile,
    chat_id: i64,
    user_id: i64,
    what: Lift,
    actor: &str,
    at: DateTime<Utc>,
) -> Result<ActionRecord> {
    let key = bot.key.0.as_str();
    let Some(chat) = store.chat(key, chat_id).await? else {
        return Err(crate::Error::NotFound(format!("chat {chat_id}")));
    };
    let mut tx = store.begin().await?;
    let customer = tx.customer_by_telegram_id(user_id).await?;
    let target = Target {
        user_id,
        name: customer
            .as_ref()
            .map_or_else(|| user_id.to_string(), |c| c.first_name.clone()),
        customer_id: customer.map(|c| c.id),
    };
    // What is lifted is said in the group: the chat's language.
    let language = chat.language(bot);
    let reason = texts.get(language, "moderation-rule-staff", &[]);
    let record = lift(
        tx.as_mut(),
        texts,
        key,
        language,
        chat_id,
        &target,
        what,
        actor,
        &reason,
        &[],
        at,
    )
    .await?;
    tx.commit().await?;
    Ok(record)
}

// --- staff commands in the group ---

/// The job that checks a staff command's author with Telegram and carries it out.
pub const STAFF_COMMAND_JOB: &str = "moderation.staff_command";

/// Longest mute a staff member may give (Telegram treats longer ones as forever).
pub const MAX_STAFF_MUTE_MINUTES: u32 = 366 * 24 * 60;

/// Whether `name` is one of the staff commands in groups.
pub(crate) fn is_staff_command(name: &str) -> bool {
    matches!(name, "warn" | "mute" | "ban" | "unban" | "unmute")
}

/// A staff command written in a group, waiting for its author to be checked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffCommand {
    pub bot: String,
    pub chat_id: i64,
    /// Who wrote it (Telegram user id) and how the log names them.
    pub author_id: i64,
    pub actor: String,
    /// `warn`, `mute`, `ban`, `unban` or `unmute`.
    pub command: String,
    pub args: String,
    /// The command's own message, deleted either way.
    pub message_id: i64,
    /// The person it is about: the author of the message it replies to, or a user id given.
    pub target: Option<Target>,
    /// The message replied to, deleted for `/warn`, `/mute` and `/ban`, with its excerpt.
    pub target_message: Option<(i64, String)>,
    pub at: DateTime<Utc>,
}

/// Asks Telegram whether someone may run staff commands in a chat: an administrator of the
/// chat, or a member of the bot's staff chat. Implemented by the worker.
#[async_trait]
pub trait StaffCheck: Send + Sync {
    async fn is_staff(
        &self,
        bot: &str,
        chat_id: i64,
        user_id: i64,
        staff_chat: Option<i64>,
    ) -> Result<bool>;
}

/// `30m`, `2h`, `1d` (or bare minutes) as minutes, within the bounds.
pub fn parse_duration(s: &str) -> Option<u32> {
    let s = s.trim().to_ascii_lowercase();
    let (number, unit) = match s.find(|c: char| !c.is_ascii_digit()) {
        Some(i) => s.split_at(i),
        None => (s.as_str(), "m"),
    };
    let n: u32 = number.parse().ok()?;
    let minutes = match unit {
        "m" | "min" => n,
        "h" => n.checked_mul(60)?,
        "d" => n.checked_mul(24 * 60)?,
        _ => return None,
    };
    (1..=MAX_STAFF_MUTE_MINUTES)
        .contains(&minutes)
        .then_some(minutes)
}

/// A command from a group: queued for the staff check (a job asks Telegram who its author
/// is). Commands in chats the bot does not know are left alone.
pub(crate) async fn staff_command_seen(
    tx: &mut dyn Tx,
    ctx: &Context<'_>,
    incoming: &Incoming,
    person: &Person,
    name: &str,
    args: &str,
) -> Result<()> {
    let bot = ctx.bot.key.0.as_str();
    let Some(message_id) = incoming.meta.message_id else {
        return Ok(());
    };
    if ctx.store.chat(bot, incoming.chat_id).await?.is_none() {
        return Ok(());
    }
    let replied = incoming
        .meta
        .reply_to
        .as_ref()
        .and_then(|r| r.from.as_ref().filter(|p| !p.is_bot).map(|p| (r, p)));
    let mut target = None;
    let mut target_message = None;
    if let Some((replied, author)) = replied {
        let customer = tx.customer_by_telegram_id(author.telegram_user_id).await?;
        target = Some(Target {
            user_id: author.telegram_user_id,
            name: display_name(author),
            customer_id: customer.map(|c| c.id),
        });
        target_message = Some((replied.message_id, excerpt(&replied.text)));
    } else if matches!(name, "unban" | "unmute") {
        if let Some(user_id) = args
            .split_whitespace()
            .next()
            .and_then(|a| a.parse::<i64>().ok())
        {
            let customer = tx.customer_by_telegram_id(user_id).await?;
            target = Some(Target {
                user_id,
                name: customer
                    .as_ref()
                    .map_or_else(|| user_id.to_string(), |c| c.first_name.clone()),
                customer_id: customer.map(|c| c.id),
            });
        }
    }
    let command = StaffCommand {
        bot: bot.to_owned(),
        chat_id: incoming.chat_id,
        author_id: person.telegram_user_id,
        actor: crate::staff::staff_name(person),
        command: name.to_owned(),
        args: args.to_owned(),
        message_id,
        target,
        target_message,
        at: incoming.at,
    };
    let payload =
        serde_json::to_value(&command).map_err(|e| crate::Error::Invalid(e.to_string()))?;
    tx.schedule_job(
        &crate::job::NewJob::new(STAFF_COMMAND_JOB, payload, incoming.at).dedup_key(format!(
            "staff-command:{bot}:{}:{message_id}",
            incoming.chat_id
        )),
    )
    .await
    .map(|_| ())
}

/// Carries out a staff command once Telegram said whether its author is staff. Someone
/// else's command is deleted without a word. Replies are in the chat's language, else in
/// `language` (the bot's default).
pub async fn run_staff_command(
    tx: &mut dyn Tx,
    texts: &crate::i18n::Texts,
    store: &dyn crate::store::Store,
    language: &str,
    command: &StaffCommand,
    is_staff: bool,
    at: DateTime<Utc>,
) -> Result<()> {
    let (bot, chat_id) = (command.bot.as_str(), command.chat_id);
    let delete_command = Action::DeleteMessage {
        message_id: command.message_id,
    };
    if !is_staff {
        return tx
            .enqueue(&NewOutbound::now(bot, chat_id, delete_command, at))
            .await
            .map(|_| ());
    }
    let chat = store.chat(bot, chat_id).await?;
    // Replies go to the group: its own language beats the bot's default (`language`).
    let language = chat
        .as_ref()
        .and_then(|c| c.settings.language.as_deref())
        .unwrap_or(language);
    let ladder = chat
        .as_ref()
        .map(|c| c.settings.moderation.ladder)
        .unwrap_or_default();
    // `/mute 1h reason`: the first word is the time.
    let mut words = command.args.split_whitespace();
    let mut minutes = None;
    let lifts = matches!(command.command.as_str(), "unban" | "unmute");
    if command.command == "mute" {
        minutes = words.next().and_then(parse_duration);
    } else if lifts && command.target_message.is_none() {
        words.next(); // the user id
    }
    let given: Vec<&str> = words.collect();
    let usable = command.target.is_some() && (command.command != "mute" || minutes.is_some());
    let Some(target) = command.target.as_ref().filter(|_| usable) else {
        let usage = Action::SendText {
            text: texts.get(language, "moderation-command-usage", &[]),
            buttons: Vec::new(),
        };
        for action in [delete_command, usage] {
            tx.enqueue(&NewOutbound::now(bot, chat_id, action, at))
                .await?;
        }
        return Ok(());
    };
    let reason = if given.is_empty() {
        texts.get(language, "moderation-rule-staff", &[])
    } else {
        excerpt(&given.join(" "))
    };
    if lifts {
        let what = if command.command == "unban" {
            Lift::Unban
        } else {
            Lift::Unmute
        };
        lift(
            tx,
            texts,
            bot,
            language,
            chat_id,
            target,
            what,
            &command.actor,
            &reason,
            &[command.message_id],
            at,
        )
        .await?;
        return Ok(());
    }
    let trigger = match (command.command.as_str(), minutes) {
        ("mute", Some(minutes)) => Trigger::Mute(minutes),
        ("ban", _) => Trigger::Ban,
        _ => Trigger::Warning,
    };
    let mut delete = vec![command.message_id];
    delete.extend(command.target_message.as_ref().map(|(id, _)| *id));
    let step = Step {
        texts,
        bot,
        chat_id,
        language,
        rule: None,
        reason,
        excerpt: command
            .target_message
            .as_ref()
            .map(|(_, text)| text.clone())
            .filter(|t| !t.is_empty()),
        actor: command.actor.clone(),
        delete,
        at,
    };
    climb(tx, &step, target, ladder, trigger).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_are_found_and_own_domains_allowed() {
        let text = "see https://Shop.Example.com/p/1 and www.spam.io, or t.me/other_channel!";
        assert_eq!(
            link_hosts(text),
            ["shop.example.com", "www.spam.io", "t.me"]
        );
        let allowed = vec!["example.com".to_owned()];
        assert!(allowed_host("shop.example.com", &allowed));
        assert!(allowed_host("example.com", &allowed));
        assert!(!allowed_host("badexample.com", &allowed));
        assert!(!allowed_host("www.spam.io", &allowed));
        assert!(link_hosts("no links here, just example.com").is_empty());
    }

    #[test]
    fn settings_are_checked() {
        assert!(Moderation::default().validate().is_ok());
        let bad = Moderation {
            blocked_words: vec![" ".into()],
            links: LinkLock {
                locked: true,
                allowed_domains: vec!["https://x.com".into()],
            },
            flood: Flood {
                messages: 5,
                identical: 0,
                seconds: 0,
            },
            locks: Locks {
                media: vec![MediaKind::Photo, MediaKind::Photo],
                ..Locks::default()
            },
            ladder: Ladder {
                warnings_before_mute: 0,
                mute_minutes: 0,
                mutes_before_ban: 1,
            },
            exempt_customers: vec![],
        };
        let fields: Vec<String> = bad
            .validate()
            .unwrap_err()
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(
            fields,
            [
                "moderation.blocked_words",
                "moderation.links.allowed_domains",
                "moderation.flood.seconds",
                "moderation.ladder",
                "moderation.locks.media",
                "moderation.ladder.mute_minutes"
            ]
        );
    }

    #[test]
    fn bot_mentions_and_durations_are_read() {
        assert_eq!(
            bot_mentions("try @FreeCoinsBot or @spam_bot, mail me@somebot.com, @anna"),
            ["FreeCoinsBot", "spam_bot"]
        );
        assert_eq!(parse_duration("30m"), Some(30));
        assert_eq!(parse_duration("1h"), Some(60));
        assert_eq!(parse_duration("2D"), Some(2880));
        assert_eq!(parse_duration("45"), Some(45));
        assert_eq!(parse_duration("0m"), None);
        assert_eq!(parse_duration("400d"), None);
        assert_eq!(parse_duration("soon"), None);
    }

    #[test]
    fn word_filters_are_compiled_once_per_list() {
        let cache = FilterCache::default();
        let words = vec!["敏感词".to_owned()];
        let first = cache.get("bot", -1, &words).unwrap();
        let again = cache.get("bot", -1, &words).unwrap();
        assert!(Arc::ptr_eq(&first, &again));
        assert!(first.is_match("这是 敏 感 词 吗"));
        let other = cache.get("bot", -1, &["spam".to_owned()]).unwrap();
        assert!(!Arc::ptr_eq(&first, &other));
        assert!(other.is_match("S P A M"));
    }
}
