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
//! minutes in which Telegram lets the bot write to someone who never started it. Under
//! staff approval the request waits instead for Approve / Decline in the staff chat.
//!
//! Someone who joins a group directly (no join request) is checked in the group: restricted
//! (staff excepted), the check posted there for them alone, the restriction lifted when they
//! pass, removed on a wrong answer or when the chat's `verification_timeout_minutes` are up
//! ([`MemberCheck`]).

use crate::bot::BotProfile;
use crate::customer::CustomerId;
use crate::i18n::Texts;
use crate::promotion::PromotionId;
use crate::store::Store;
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
    /// Staff decide: the person is told their request will be reviewed, and the staff chat
    /// gets Approve / Decline buttons. Needs the bot's staff chat.
    Staff,
}

/// The job that starts the group check of someone who joined a group directly (not
/// through a join request): it asks Telegram whether they are staff first, who are never
/// restricted.
pub const MEMBER_CHECK_JOB: &str = "community.member_check";

/// The job that removes a member who did not pass the group check in time.
pub const MEMBER_CHECK_TIMEOUT_JOB: &str = "community.member_check_timeout";

/// Minutes a member who joined directly has to pass the group check, unless set.
pub const DEFAULT_VERIFICATION_TIMEOUT_MINUTES: u32 = 5;

fn default_verification_timeout() -> u32 {
    DEFAULT_VERIFICATION_TIMEOUT_MINUTES
}

/// Where the group check of a member who joined directly stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MemberCheckStatus {
    /// Restricted, waiting for their answer (or for staff).
    Pending,
    /// Passed (or approved by staff): the restriction is lifted.
    Passed,
    /// Wrong answer, time up or declined by staff: removed from the group.
    Failed,
}

impl MemberCheckStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            MemberCheckStatus::Pending => "pending",
            MemberCheckStatus::Passed => "passed",
            MemberCheckStatus::Failed => "failed",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "pending" => Some(MemberCheckStatus::Pending),
            "passed" => Some(MemberCheckStatus::Passed),
            "failed" => Some(MemberCheckStatus::Failed),
            _ => None,
        }
    }
}

/// The check of someone who joined a group directly: restricted until they pass it in the
/// group (or staff approve them), removed on a wrong answer or when `deadline` passes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberCheck {
    pub bot: String,
    pub chat_id: i64,
    /// Telegram user id.
    pub user_id: i64,
    /// The check asked (kept, so an answer is judged against what was asked even if the
    /// settings or a raid changed since).
    pub verification: Verification,
    /// The outbox row of the check message posted in the group (none for staff approval).
    pub message_outbox_id: Option<i64>,
    /// For the welcome once they pass.
    pub first_name: String,
    pub language: Option<String>,
    pub status: MemberCheckStatus,
    pub started_at: DateTime<Utc>,
    /// When the timeout job removes them (none for staff approval).
    pub deadline: Option<DateTime<Utc>>,
    pub decided_at: Option<DateTime<Utc>>,
}

/// The job that deletes a welcome message when its time is up.
pub const WELCOME_DELETE_JOB: &str = "community.welcome_delete";

/// Longest a welcome may stay before it is deleted: Telegram lets bots delete messages only
/// within 48 hours.
pub const MAX_WELCOME_MINUTES: u32 = 48 * 60 - 1;

/// The message a new member gets in the group when they join.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Welcome {
    /// By language (`en`, `zh-CN`...); `{name}` becomes the new member's first name. The
    /// member's language is used if there is a text for it, else the chat's language, else the
    /// bot's default, else the first. No texts: no welcome.
    #[serde(default)]
    pub texts: std::collections::BTreeMap<String, String>,
    /// Deleted this many minutes after it was sent, to keep the group clean (0: kept).
    #[serde(default)]
    pub delete_after_minutes: u32,
}

impl Welcome {
    /// The text for someone speaking `language` (a Telegram language code), with their name;
    /// without a text in their language, the first of `fallbacks` (the chat's language, the
    /// bot's default) that has one.
    pub fn text_for(
        &self,
        language: Option<&str>,
        fallbacks: &[&str],
        name: &str,
    ) -> Option<String> {
        let primary = |code: &str| code.split(['-', '_']).next().unwrap_or(code).to_owned();
        let wanted = |code: &str| {
            let code = code.to_ascii_lowercase();
            // The exact language (`pt-br`), else the same language (`zh-hans` for `zh-CN`).
            self.texts
                .iter()
                .find(|(k, _)| k.to_ascii_lowercase() == code)
                .or_else(|| {
                    self.texts
                        .iter()
                        .find(|(k, _)| primary(&k.to_ascii_lowercase()) == primary(&code))
                })
        };
        let (_, text) = language
            .and_then(wanted)
            .or_else(|| fallbacks.iter().find_map(|code| wanted(code)))
            .or_else(|| self.texts.iter().next())?;
        Some(text.replace("{name}", name))
    }
}

/// What the job needs to delete a welcome: the outbox row it was sent as.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WelcomeDelete {
    pub bot: String,
    pub chat_id: i64,
    pub outbox_id: i64,
}

/// Many joins in a short window (a bot raid): join requests get a stricter check for a while
/// and staff are alerted once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RaidGuard {
    /// This many joins and join requests within `seconds` start a raid (0: never).
    pub joins: u32,
    pub seconds: u32,
    /// How long the stricter check lasts.
    pub minutes: u32,
    /// The check during a raid; by default the chat's own question if it has one, else a
    /// sum to work out ("7 + 5 = ?").
    pub verification: Option<Verification>,
}

impl Default for RaidGuard {
    fn default() -> Self {
        RaidGuard {
            joins: 10,
            seconds: 60,
            minutes: 30,
            verification: None,
        }
    }
}

/// A raid on a chat: when it started (the seed of its sum) and until when it lasts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Raid {
    pub started_at: DateTime<Utc>,
    pub until: DateTime<Utc>,
}

impl Raid {
    /// The sum asked during the raid, the same for every request of it.
    pub fn sum(&self, chat_id: i64) -> Verification {
        let seed = (self.started_at.timestamp_millis() as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15)
            ^ (chat_id as u64);
        let (a, b) = (2 + seed % 8, 2 + (seed >> 8) % 8);
        let shift = (seed >> 16) % 4;
        let answers: Vec<String> = (0..4)
            .map(|i| (a + b + (i + shift) % 4 - 1).to_string())
            .collect();
        // The answer `a + b` is where `(i + shift) % 4 == 1`.
        let correct = ((5 - shift) % 4) as usize;
        Verification::Question {
            question: format!("{a} + {b} = ?"),
            answers,
            correct,
        }
    }
}

impl ChatSettings {
    /// The check a person asking to join gets now: stricter during a raid.
    pub fn check(&self, chat_id: i64, raid: Option<&Raid>) -> Verification {
        match (raid, &self.raid.verification, &self.verification) {
            (None, ..) => self.verification.clone(),
            (Some(_), Some(strict), _) => strict.clone(),
            // The chat's own question or staff approval is strict enough already.
            (Some(_), None, own @ (Verification::Question { .. } | Verification::Staff)) => {
                own.clone()
            }
            (Some(raid), None, _) => raid.sum(chat_id),
        }
    }
}

/// What staff set for a chat.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
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
    /// The message new members get (groups only).
    #[serde(default)]
    pub welcome: Welcome,
    /// What many joins at once bring.
    #[serde(default)]
    pub raid: RaidGuard,
    /// Minutes someone who joined the group directly (not through a join request) has to
    /// pass the check in the group before they are removed (1-1440).
    #[serde(default = "default_verification_timeout")]
    pub verification_timeout_minutes: u32,
    /// Check people who join the group directly too (restricted until they pass the
    /// `verification` in the group). Off by default, so groups set up before this existed
    /// (with the default button check) do not start restricting newcomers unasked.
    #[serde(default)]
    pub verify_direct_joins: bool,
    /// The language the bot speaks in the chat (one of the bot locales: `es`, `zh-CN`...);
    /// the bot's default language if unset.
    #[serde(default)]
    pub language: Option<String>,
    /// The market the chat serves (`es`, `id`, `eu`: 1-16 of `a-z0-9-`); the bot's market if
    /// unset.
    #[serde(default)]
    pub market: Option<String>,
    /// The least membership tier (a key of [`crate::tiers::TierSettings`]) a person needs
    /// for their join request to be considered; below it they are declined with an
    /// explanation. `None`: open to every tier.
    #[serde(default)]
    pub min_tier: Option<String>,
    /// Days a present member may stay below `min_tier` before the daily job removes them
    /// (1-365); `None` (the default): never removed.
    #[serde(default)]
    pub remove_below_tier_after_days: Option<u32>,
}

impl Default for ChatSettings {
    fn default() -> Self {
        ChatSettings {
            role: ChatRole::default(),
            verification: Verification::default(),
            join_promotion: None,
            moderation: Default::default(),
            welcome: Welcome::default(),
            raid: RaidGuard::default(),
            verification_timeout_minutes: DEFAULT_VERIFICATION_TIMEOUT_MINUTES,
            verify_direct_joins: false,
            language: None,
            market: None,
            min_tier: None,
            remove_below_tier_after_days: None,
        }
    }
}

impl ChatSettings {
    /// Every rule settings must meet, all problems at once.
    pub fn validate(&self) -> std::result::Result<(), Vec<crate::FieldError>> {
        use crate::FieldError;
        let mut errors = Vec::new();
        check_verification(&self.verification, "verification", &mut errors);
        if let Some(strict) = &self.raid.verification {
            check_verification(strict, "raid.verification", &mut errors);
        }
        let raid = &self.raid;
        if raid.joins > 0
            && (!(2..=10_000).contains(&raid.joins)
                || !(1..=3600).contains(&raid.seconds)
                || !(1..=7 * 24 * 60).contains(&raid.minutes))
        {
            errors.push(FieldError::new(
                "raid",
                "joins 2-10000 (0: off) within seconds 1-3600, for minutes 1-10080",
            ));
        }
        if self
            .remove_below_tier_after_days
            .is_some_and(|days| !(1..=365).contains(&days))
        {
            errors.push(FieldError::new(
                "remove_below_tier_after_days",
                "must be 1-365 (or unset: never)",
            ));
        }
        if !(1..=24 * 60).contains(&self.verification_timeout_minutes) {
            errors.push(FieldError::new(
                "verification_timeout_minutes",
                "must be 1-1440",
            ));
        }
        let welcome = &self.welcome;
        if welcome.texts.len() > 20
            || welcome.texts.iter().any(|(language, text)| {
                language.is_empty()
                    || language.len() > 10
                    || text.trim().is_empty()
                    || text.chars().count() > 3000
            })
        {
            errors.push(FieldError::new(
                "welcome.texts",
                "up to 20 languages, each text 1-3000 characters",
            ));
        }
        if welcome.delete_after_minutes > MAX_WELCOME_MINUTES {
            errors.push(FieldError::new(
                "welcome.delete_after_minutes",
                format!("at most {MAX_WELCOME_MINUTES} (Telegram deletes only within 48 hours)"),
            ));
        }
        if let Err(more) = self.moderation.validate() {
            errors.extend(more);
        }
        if let Some(market) = &self.market {
            if !is_market_label(market) {
                errors.push(FieldError::new(
                    "market",
                    "1-16 of a-z, 0-9 and - (such as es, id, eu)",
                ));
            }
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }
}

/// Whether `label` can name a market: 1-16 of `a-z0-9-`, like a bot's `market`.
pub fn is_market_label(label: &str) -> bool {
    (1..=16).contains(&label.len())
        && label
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// The supported tag `language` names, whatever its case or separator (`pt-br`, `zh_cn`
/// become `pt-BR`, `zh-CN`); `None` if groupcart has no texts for it.
pub fn supported_language(texts: &Texts, language: &str) -> Option<&'static str> {
    let wanted = language.replace('_', "-");
    texts
        .languages()
        .find(|tag| tag.eq_ignore_ascii_case(&wanted))
}

impl ChatRecord {
    /// The language the bot speaks in this chat: the chat's, else the bot's default.
    pub fn language<'a>(&'a self, profile: &'a BotProfile) -> &'a str {
        self.settings
            .language
            .as_deref()
            .unwrap_or(profile.default_language.as_str())
    }

    /// The market the chat serves: the chat's, else the bot's.
    pub fn market<'a>(&'a self, profile: &'a BotProfile) -> &'a str {
        self.settings
            .market
            .as_deref()
            .unwrap_or(profile.market.as_str())
    }
}

/// The language to speak in `chat_id` (a group, a channel or the staff chat): the language
/// staff set for it, else the bot's default (also for a chat the bot never registered).
pub async fn chat_language<S>(store: &S, profile: &BotProfile, chat_id: i64) -> Result<String>
where
    S: CommunityStore + ?Sized,
{
    Ok(store
        .chat(&profile.key.0, chat_id)
        .await?
        .and_then(|chat| chat.settings.language)
        .unwrap_or_else(|| profile.default_language.clone()))
}

/// The language of the bot's staff chat (see [`chat_language`]); the bot's default if it has
/// none.
pub async fn staff_language<S>(store: &S, profile: &BotProfile) -> Result<String>
where
    S: CommunityStore + ?Sized,
{
    match profile.staff_chat {
        Some(staff_chat) => chat_language(store, profile, staff_chat).await,
        None => Ok(profile.default_language.clone()),
    }
}

/// Every rule settings must meet for the bot `profile`, all problems at once: the rules of
/// [`ChatSettings::validate`], a language groupcart has texts for (normalised to its tag, an
/// empty language or market meaning the bot's), and staff approval only with a staff chat.
pub fn check_chat_settings(
    texts: &Texts,
    profile: &BotProfile,
    mut settings: ChatSettings,
) -> std::result::Result<ChatSettings, Vec<crate::FieldError>> {
    use crate::FieldError;
    if settings.market.as_deref() == Some("") {
        settings.market = None;
    }
    let mut errors = settings.validate().err().unwrap_or_default();
    settings.language = match settings.language.as_deref() {
        None | Some("") => None,
        Some(language) => match supported_language(texts, language) {
            Some(tag) => Some(tag.to_owned()),
            None => {
                let supported: Vec<&str> = texts.languages().collect();
                errors.push(FieldError::new(
                    "language",
                    format!(
                        "`{language}` is not a supported language ({})",
                        supported.join(", ")
                    ),
                ));
                None
            }
        },
    };
    // Approval by staff needs the bot's staff chat, where the review is posted.
    if profile.staff_chat.is_none() {
        let asks_staff = [
            Some(&settings.verification),
            settings.raid.verification.as_ref(),
        ];
        for (field, verification) in ["verification", "raid.verification"].iter().zip(asks_staff) {
            if verification == Some(&Verification::Staff) {
                errors.push(FieldError::new(
                    format!("{field}.mode"),
                    "staff approval needs the bot's staff chat (staff_chat in its configuration)",
                ));
            }
        }
    }
    if errors.is_empty() {
        Ok(settings)
    } else {
        Err(errors)
    }
}

/// Replaces the settings of chat `chat_id` of bot `profile` (the use case of the API and the
/// console): `NotFound` for a chat the bot never registered, `Fields` with every problem
/// (see [`check_chat_settings`]; a join promotion must exist).
pub async fn update_chat_settings(
    store: &dyn Store,
    texts: &Texts,
    profile: &BotProfile,
    chat_id: i64,
    settings: ChatSettings,
    now: DateTime<Utc>,
) -> Result<ChatRecord> {
    let bot = profile.key.0.as_str();
    if store.chat(bot, chat_id).await?.is_none() {
        return Err(crate::Error::NotFound(format!("chat {chat_id}")));
    }
    let mut settings = check_chat_settings(texts, profile, settings);
    if let Some(id) = settings.as_ref().ok().and_then(|s| s.join_promotion) {
        if store.promotion(id).await?.is_none() {
            let problem = crate::FieldError::new("join_promotion", "no such promotion");
            settings = Err(vec![problem]);
        }
    }
    if let Ok(checked) = &mut settings {
        if checked.min_tier.as_deref() == Some("") {
            checked.min_tier = None;
        }
    }
    // The gate must name a tier the shop has.
    if let Some(key) = settings.as_ref().ok().and_then(|s| s.min_tier.clone()) {
        let tiers = store.tier_settings().await?;
        if tiers.tier(&key).is_none() {
            let known: Vec<&str> = tiers.tiers.iter().map(|t| t.key.as_str()).collect();
            let problem = crate::FieldError::new(
                "min_tier",
                format!("no tier `{key}` (tiers: {})", known.join(", ")),
            );
            settings = Err(vec![problem]);
        }
    }
    let settings = settings.map_err(crate::Error::Fields)?;
    store.set_chat_settings(bot, chat_id, &settings, now).await
}

/// The rules of a question check, its problems named under `field`.
fn check_verification(
    verification: &Verification,
    field: &str,
    errors: &mut Vec<crate::FieldError>,
) {
    use crate::FieldError;
    if let Verification::Question {
        question,
        answers,
        correct,
    } = verification
    {
        if question.trim().is_empty() || question.chars().count() > 300 {
            errors.push(FieldError::new(
                format!("{field}.question"),
                "must be 1-300 characters",
            ));
        }
        if !(2..=6).contains(&answers.len()) {
            errors.push(FieldError::new(
                format!("{field}.answers"),
                "must be 2 to 6",
            ));
        }
        // A button label: Telegram shows up to 64 bytes of callback data, labels are free,
        // but long answers do not fit a phone screen.
        if answers
            .iter()
            .any(|a| a.trim().is_empty() || a.chars().count() > 40)
        {
            errors.push(FieldError::new(
                format!("{field}.answers"),
                "each must be 1-40 characters",
            ));
        }
        if *correct >= answers.len() {
            errors.push(FieldError::new(
                format!("{field}.correct"),
                "must be the index of one of the answers",
            ));
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

    /// Join requests made and direct joins (not through a request) in the chat since `since`.
    async fn recent_joins(&mut self, bot: &str, chat_id: i64, since: DateTime<Utc>) -> Result<i64>;

    /// Starts a raid on the chat lasting until `until` (`true`), or, if one is running at
    /// `at`, makes it last until `until` if that is later (`false`).
    async fn raise_raid(
        &mut self,
        bot: &str,
        chat_id: i64,
        at: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Result<bool>;

    /// The chat's last raid, running or over.
    async fn raid(&mut self, bot: &str, chat_id: i64) -> Result<Option<Raid>>;

    /// Opens the group check of a member who joined directly (or opens it again after an
    /// earlier one was decided).
    async fn open_member_check(&mut self, check: &MemberCheck) -> Result<()>;

    /// The group check of `user_id` in `chat_id`, locked until the transaction ends.
    async fn member_check_for_update(
        &mut self,
        bot: &str,
        chat_id: i64,
        user_id: i64,
    ) -> Result<Option<MemberCheck>>;

    /// Decides a pending group check. `false` (and nothing changed) if it is not pending.
    async fn decide_member_check(
        &mut self,
        bot: &str,
        chat_id: i64,
        user_id: i64,
        status: MemberCheckStatus,
        at: DateTime<Utc>,
    ) -> Result<bool>;

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_welcome_is_in_the_members_language() {
        let welcome = Welcome {
            texts: [
                ("en".to_owned(), "Welcome, {name}!".to_owned()),
                ("zh-CN".to_owned(), "欢迎 {name}！".to_owned()),
            ]
            .into(),
            delete_after_minutes: 0,
        };
        assert_eq!(
            welcome.text_for(Some("zh-hans"), &["en"], "Li").as_deref(),
            Some("欢迎 Li！")
        );
        assert_eq!(
            welcome.text_for(Some("ru"), &["en"], "Ivan").as_deref(),
            Some("Welcome, Ivan!")
        );
        assert_eq!(
            Welcome::default().text_for(Some("en"), &["en"], "Ana"),
            None
        );
    }

    fn profile(staff_chat: Option<i64>) -> BotProfile {
        BotProfile {
            key: crate::bot::BotKey("shop".into()),
            default_language: "en".into(),
            currency: "USD".into(),
            market: "eu".into(),
            policy_version: "1".into(),
            shipping_fee: 0,
            shipping_rates: Vec::new(),
            staff_chat,
            manual_payment: None,
            username: Default::default(),
        }
    }

    fn fields(errors: &[crate::FieldError]) -> Vec<&str> {
        errors.iter().map(|e| e.field.as_str()).collect()
    }

    #[test]
    fn a_chat_language_is_normalised_to_a_supported_tag() {
        let texts = Texts::builtin();
        let settings = ChatSettings {
            language: Some("pt-br".into()),
            market: Some("es".into()),
            ..ChatSettings::default()
        };
        let checked = check_chat_settings(&texts, &profile(None), settings).unwrap();
        assert_eq!(checked.language.as_deref(), Some("pt-BR"));
        assert_eq!(checked.market.as_deref(), Some("es"));
        let zh = ChatSettings {
            language: Some("ZH_cn".into()),
            ..ChatSettings::default()
        };
        let checked = check_chat_settings(&texts, &profile(None), zh).unwrap();
        assert_eq!(checked.language.as_deref(), Some("zh-CN"));
        // Empty means the bot's.
        let empty = ChatSettings {
            language: Some(String::new()),
            market: Some(String::new()),
            ..ChatSettings::default()
        };
        let checked = check_chat_settings(&texts, &profile(None), empty).unwrap();
        assert_eq!((checked.language, checked.market), (None, None));
    }

    #[test]
    fn an_unsupported_language_and_a_bad_market_are_field_errors() {
        let texts = Texts::builtin();
        let settings = ChatSettings {
            language: Some("tlh".into()),
            market: Some("Spain!".into()),
            verification: Verification::Staff,
            ..ChatSettings::default()
        };
        let errors = check_chat_settings(&texts, &profile(None), settings.clone()).unwrap_err();
        assert_eq!(
            fields(&errors),
            vec!["market", "language", "verification.mode"]
        );
        // With a staff chat, staff approval is fine; the rest still is not.
        let errors = check_chat_settings(&texts, &profile(Some(-5)), settings).unwrap_err();
        assert_eq!(fields(&errors), vec!["market", "language"]);
        for bad in ["", "x".repeat(17).as_str(), "e s", "ES", "é"] {
            assert!(!is_market_label(bad), "{bad:?}");
        }
        for good in ["es", "id", "eu", "latam-2", &"a".repeat(16)] {
            assert!(is_market_label(good), "{good:?}");
        }
    }

    #[test]
    fn a_chat_speaks_its_language_else_the_bots() {
        let bot = profile(None);
        let seen = ChatSighting {
            bot: "shop".into(),
            chat_id: -100,
            kind: "supergroup".into(),
            title: "Grupo".into(),
            username: None,
            bot_status: "administrator".into(),
            can_invite_users: true,
            can_restrict_members: true,
            can_delete_messages: true,
            at: chrono::DateTime::from_timestamp(1_800_000_000, 0).unwrap(),
        };
        let mut chat = ChatRecord {
            seen: seen.clone(),
            settings: ChatSettings::default(),
            created_at: seen.at,
        };
        assert_eq!((chat.language(&bot), chat.market(&bot)), ("en", "eu"));
        chat.settings.language = Some("es".into());
        chat.settings.market = Some("es".into());
        assert_eq!((chat.language(&bot), chat.market(&bot)), ("es", "es"));
        // Settings stored before language and market existed still load.
        let old: ChatSettings = serde_json::from_str(r#"{"role":"topic_group"}"#).unwrap();
        assert_eq!((old.language, old.market), (None, None));
    }

    #[test]
    fn the_welcome_falls_back_to_the_chats_language() {
        let welcome = Welcome {
            texts: [
                ("en".to_owned(), "Welcome {name}".to_owned()),
                ("es".to_owned(), "Bienvenido {name}".to_owned()),
            ]
            .into(),
            delete_after_minutes: 0,
        };
        assert_eq!(
            welcome
                .text_for(Some("ru"), &["es", "en"], "Ivan")
                .as_deref(),
            Some("Bienvenido Ivan")
        );
        assert_eq!(
            welcome
                .text_for(Some("en-US"), &["es", "en"], "Ann")
                .as_deref(),
            Some("Welcome Ann")
        );
    }

    #[test]
    fn a_raid_asks_a_sum_unless_the_chat_asks_a_question() {
        let at = chrono::DateTime::from_timestamp(1_800_000_000, 0).unwrap();
        let raid = Raid {
            started_at: at,
            until: at,
        };
        let Verification::Question {
            question,
            answers,
            correct,
        } = raid.sum(-100)
        else {
            panic!("a sum is a question");
        };
        let sum: u64 = question
            .trim_end_matches(" = ?")
            .split(" + ")
            .map(|n| n.parse::<u64>().unwrap())
            .sum();
        assert_eq!(answers[correct], sum.to_string());
        assert_eq!(answers.len(), 4);
        let mut settings = ChatSettings::default();
        assert_eq!(settings.check(-100, None), Verification::Button);
        assert_eq!(settings.check(-100, Some(&raid)), raid.sum(-100));
        let own = Verification::Question {
            question: "Our logo's colour?".into(),
            answers: vec!["Red".into(), "Blue".into()],
            correct: 0,
        };
        settings.verification = own.clone();
        assert_eq!(settings.check(-100, Some(&raid)), own);
        settings.raid.verification = Some(Verification::Button);
        assert_eq!(settings.check(-100, Some(&raid)), Verification::Button);
        settings.raid.joins = 1;
        assert!(settings.validate().is_err());
    }
}
