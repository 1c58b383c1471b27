//! Moderation of the seller's groups: the rules a chat sets (blocked words, a link lock with
//! the seller's own domains allowed, flood limits), what breaking them brings (the message
//! deleted, a warning, a mute, a ban, on a ladder), the log of every action, and the storage
//! ports for the counts behind them.
//!
//! # The ladder
//!
//! A blocked word or a locked link deletes the message and gives its author a warning. The
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
}

impl Rule {
    pub fn as_str(self) -> &'static str {
        match self {
            Rule::Words => "words",
            Rule::Links => "links",
            Rule::Flood => "flood",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Rule::Words, Rule::Links, Rule::Flood]
            .into_iter()
            .find(|r| r.as_str() == s)
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
}

impl Sanction {
    pub fn as_str(self) -> &'static str {
        match self {
            Sanction::Warn => "warn",
            Sanction::Mute => "mute",
            Sanction::Ban => "ban",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "warn" => Some(Sanction::Warn),
            "mute" => Some(Sanction::Mute),
            "ban" => Some(Sanction::Ban),
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
    let who = Offender {
        person,
        customer_id: customer.map(|c| c.id),
        message_id,
    };
    sanction(tx, ctx, incoming, &who, rules.ladder, &breach).await?;
    Ok(true)
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

/// Who broke a rule, with which message.
struct Offender<'p> {
    person: &'p Person,
    customer_id: Option<CustomerId>,
    message_id: i64,
}

/// Deletes the message, moves the person up the ladder, logs it and tells the chat.
async fn sanction(
    tx: &mut dyn Tx,
    ctx: &Context<'_>,
    incoming: &Incoming,
    who: &Offender<'_>,
    ladder: Ladder,
    breach: &Breach,
) -> Result<()> {
    let (person, customer_id, message_id) = (who.person, who.customer_id, who.message_id);
    let at = incoming.at;
    let bot = ctx.bot.key.0.as_str();
    let chat_id = incoming.chat_id;
    let mut strikes = tx.strikes(bot, chat_id, person.telegram_user_id).await?;
    let step = if breach.rule == Rule::Flood {
        Sanction::Mute
    } else {
        strikes.warnings += 1;
        if strikes.warnings >= i64::from(ladder.warnings_before_mute) {
            Sanction::Mute
        } else {
            Sanction::Warn
        }
    };
    let step = if step == Sanction::Mute {
        strikes.warnings = 0;
        strikes.mutes += 1;
        if strikes.mutes >= i64::from(ladder.mutes_before_ban) {
            Sanction::Ban
        } else {
            Sanction::Mute
        }
    } else {
        step
    };
    tx.set_strikes(bot, chat_id, person.telegram_user_id, strikes, at)
        .await?;
    let until = (step == Sanction::Mute)
        .then(|| at + chrono::Duration::minutes(i64::from(ladder.mute_minutes)));
    let language = ctx.bot.default_language.as_str();
    let reason = ctx.texts.get(
        language,
        &format!("moderation-rule-{}", breach.rule.as_str()),
        &[],
    );
    tx.log_moderation(&NewAction {
        bot: bot.to_owned(),
        chat_id,
        user_id: person.telegram_user_id,
        customer_id,
        sanction: step,
        rule: Some(breach.rule),
        reason: reason.clone(),
        excerpt: Some(excerpt(&breach.excerpt)),
        actor: "system".into(),
        until,
        at,
    })
    .await?;
    let name = match &person.username {
        Some(username) => format!("@{username}"),
        None => person.first_name.clone(),
    };
    let notice = match step {
        Sanction::Warn => ctx.texts.get(
            language,
            "moderation-warned",
            &[
                ("name", &name),
                ("count", &strikes.warnings.to_string()),
                ("limit", &ladder.warnings_before_mute.to_string()),
                ("reason", &reason),
            ],
        ),
        Sanction::Mute => ctx.texts.get(
            language,
            "moderation-muted",
            &[
                ("name", &name),
                ("hours", &ladder.mute_minutes.div_ceil(60).to_string()),
                ("reason", &reason),
            ],
        ),
        Sanction::Ban => ctx.texts.get(
            language,
            "moderation-banned",
            &[("name", &name), ("reason", &reason)],
        ),
    };
    let user_id = person.telegram_user_id;
    let mut actions = vec![Action::DeleteMessage { message_id }];
    match step {
        Sanction::Warn => {}
        Sanction::Mute => actions.push(Action::Restrict {
            user_id,
            until: until.unwrap_or(at),
        }),
        Sanction::Ban => actions.push(Action::Ban { user_id }),
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
                "sanction": step.as_str(),
                "rule": breach.rule.as_str(),
            })),
    )
    .await
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
                "moderation.ladder.mute_minutes"
            ]
        );
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
