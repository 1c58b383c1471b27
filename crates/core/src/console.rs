//! The operator console's people and doors: console users (username, display name, role or
//! custom permission set, argon2id password hash, optional TOTP secret, disabled flag),
//! the permissions each role grants, login with per-account and per-address rate limits
//! kept in the database (so they hold across instances), TOTP (RFC 6238) second factors
//! whose codes work once, and browser sessions (a random token of which only the SHA-256 is
//! stored, a per-session CSRF token, an idle timeout and an absolute lifetime).
//!
//! The console's pages live in the HTTP driver; what is decided here (who may log in, who
//! may do what) holds for every driver, the `groupcart user` commands included.

use crate::audit::AuditEntry;
use crate::customer::Customer;
use crate::{Error, FieldError, Result};
use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};
use hmac::{Hmac, Mac};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// Shortest password accepted.
pub const MIN_PASSWORD_CHARS: usize = 10;
/// Longest password accepted (hashing a huge one would be a cheap way to burn CPU).
pub const MAX_PASSWORD_CHARS: usize = 256;

/// Something a console user may do; each page and action checks one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Permission {
    ViewDashboard,
    ViewAnalytics,
    ManageCatalog,
    ManageOrders,
    ViewCustomers,
    ManageCustomers,
    ManageBroadcasts,
    ManagePromotions,
    AnswerTickets,
    ManageChats,
    ManageFaq,
    ManageSettings,
    ManageUsers,
    ViewAudit,
}

impl Permission {
    /// Every permission, in display order.
    pub const ALL: [Permission; 14] = [
        Permission::ViewDashboard,
        Permission::ViewAnalytics,
        Permission::ManageCatalog,
        Permission::ManageOrders,
        Permission::ViewCustomers,
        Permission::ManageCustomers,
        Permission::ManageBroadcasts,
        Permission::ManagePromotions,
        Permission::AnswerTickets,
        Permission::ManageChats,
        Permission::ManageFaq,
        Permission::ManageSettings,
        Permission::ManageUsers,
        Permission::ViewAudit,
    ];

    /// The stored and displayed name (`manage_orders`).
    pub fn as_str(self) -> &'static str {
        match self {
            Permission::ViewDashboard => "view_dashboard",
            Permission::ViewAnalytics => "view_analytics",
            Permission::ManageCatalog => "manage_catalog",
            Permission::ManageOrders => "manage_orders",
            Permission::ViewCustomers => "view_customers",
            Permission::ManageCustomers => "manage_customers",
            Permission::ManageBroadcasts => "manage_broadcasts",
            Permission::ManagePromotions => "manage_promotions",
            Permission::AnswerTickets => "answer_tickets",
            Permission::ManageChats => "manage_chats",
            Permission::ManageFaq => "manage_faq",
            Permission::ManageSettings => "manage_settings",
            Permission::ManageUsers => "manage_users",
            Permission::ViewAudit => "view_audit",
        }
    }

    pub fn parse(s: &str) -> Option<Permission> {
        Permission::ALL.into_iter().find(|p| p.as_str() == s)
    }
}

/// A built-in role, or `Custom` for a user who carries an explicit permission list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Everything, including managing other owners.
    Owner,
    /// Everything, but owners are out of their reach.
    Admin,
    /// Daily work: orders, tickets, customers, the FAQ.
    Agent,
    /// Reads figures, customers and the audit log; changes nothing.
    Analyst,
    /// The permissions listed on the user.
    Custom,
}

impl Role {
    /// The built-in roles, for forms.
    pub const BUILT_IN: [Role; 4] = [Role::Owner, Role::Admin, Role::Agent, Role::Analyst];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Owner => "owner",
            Role::Admin => "admin",
            Role::Agent => "agent",
            Role::Analyst => "analyst",
            Role::Custom => "custom",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        match s {
            "owner" => Some(Role::Owner),
            "admin" => Some(Role::Admin),
            "agent" => Some(Role::Agent),
            "analyst" => Some(Role::Analyst),
            "custom" => Some(Role::Custom),
            _ => None,
        }
    }

    /// What the role grants (`Custom` grants nothing by itself).
    pub fn permissions(self) -> &'static [Permission] {
        use Permission::*;
        match self {
            Role::Owner | Role::Admin => &Permission::ALL,
            Role::Agent => &[
                ViewDashboard,
                ManageOrders,
                ViewCustomers,
                AnswerTickets,
                ManageFaq,
            ],
            Role::Analyst => &[ViewDashboard, ViewAnalytics, ViewCustomers, ViewAudit],
            Role::Custom => &[],
        }
    }
}

/// A console user as stored. `Debug` leaves the password hash and the TOTP secret out.
#[derive(Clone, PartialEq, Eq)]
pub struct ConsoleUser {
    pub id: i64,
    /// Lower case, `[a-z0-9._-]`, 2–32 characters; unique.
    pub username: String,
    pub display_name: String,
    pub role: Role,
    /// The permissions of a `Custom` user (empty for built-in roles).
    pub permissions: Vec<Permission>,
    /// PHC string of an argon2id hash.
    pub password_hash: String,
    /// Base32 TOTP secret; `None` while TOTP is off.
    pub totp_secret: Option<String>,
    /// The last TOTP time step a login used (a code works once).
    pub totp_last_step: Option<i64>,
    pub disabled: bool,
    pub created_at: DateTime<Utc>,
    pub password_changed_at: DateTime<Utc>,
}

impl std::fmt::Debug for ConsoleUser {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ConsoleUser")
            .field("id", &self.id)
            .field("username", &self.username)
            .field("display_name", &self.display_name)
            .field("role", &self.role)
            .field("permissions", &self.permissions)
            .field("totp", &self.totp_secret.is_some())
            .field("disabled", &self.disabled)
            .field("created_at", &self.created_at)
            .finish_non_exhaustive()
    }
}

impl ConsoleUser {
    /// Whether the user may do `permission` (a disabled user may do nothing).
    pub fn can(&self, permission: Permission) -> bool {
        !self.disabled && self.granted().contains(&permission)
    }

    /// The permissions the user's role or custom list grants.
    pub fn granted(&self) -> Vec<Permission> {
        match self.role {
            Role::Custom => self.permissions.clone(),
            role => role.permissions().to_vec(),
        }
    }

    /// The actor of the user's actions in the audit log and order timelines.
    pub fn actor(&self) -> String {
        format!("console:{}", self.username)
    }

    pub fn totp_enabled(&self) -> bool {
        self.totp_secret.is_some()
    }
}

/// A user about to be stored.
#[derive(Clone, PartialEq, Eq)]
pub struct NewConsoleUser {
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub permissions: Vec<Permission>,
    pub password_hash: String,
    pub at: DateTime<Utc>,
}

/// A browser session. The browser holds the token; only its hash is here.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsoleSession {
    /// SHA-256 of the token, hex.
    pub token_hash: String,
    pub user_id: i64,
    /// Sent back in every form; a POST without it is refused.
    pub csrf_token: String,
    pub created_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
}

/// What a failed-login counter is kept for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limited {
    /// Failures naming one username (known or not).
    Account,
    /// Failures from one client address.
    Ip,
}

impl Limited {
    pub fn as_str(self) -> &'static str {
        match self {
            Limited::Account => "account",
            Limited::Ip => "ip",
        }
    }
}

/// Counts for the dashboard since a time.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ConsoleFigures {
    /// Customers first seen since then.
    pub new_customers: i64,
    /// Orders placed since then (any status).
    pub orders: i64,
    /// Tickets open or pending now.
    pub open_tickets: i64,
    /// Tickets that breached a first-response or resolution target since then.
    pub sla_breaches: i64,
}

/// Console storage: users, sessions, failed logins, and the few reads the console's pages
/// need that no other port offers.
#[async_trait]
pub trait ConsoleStore: Send + Sync {
    /// Stores a user; `Conflict` if the username is taken.
    async fn create_console_user(&self, user: &NewConsoleUser) -> Result<ConsoleUser>;
    /// Every user, by id.
    async fn console_users(&self) -> Result<Vec<ConsoleUser>>;
    async fn console_user(&self, id: i64) -> Result<Option<ConsoleUser>>;
    async fn console_user_by_name(&self, username: &str) -> Result<Option<ConsoleUser>>;
    /// Replaces the password hash and ends every session of the user; `false` for an
    /// unknown user.
    async fn set_console_password(&self, id: i64, hash: &str, at: DateTime<Utc>) -> Result<bool>;
    /// Disables (ending every session) or enables a user; `false` for an unknown user.
    async fn set_console_disabled(&self, id: i64, disabled: bool) -> Result<bool>;
    /// Gives a user a role and permission list (stored as given) and ends every session of
    /// the user; `false` for an unknown user. `Conflict` ([`LAST_OWNER`]) when the user is
    /// the last enabled owner and `role` is not `Owner`: checked in the same transaction as
    /// the change, so concurrent demotions cannot leave no owner.
    async fn set_console_access(
        &self,
        id: i64,
        role: Role,
        permissions: &[Permission],
    ) -> Result<bool>;
    /// Sets or clears the TOTP secret (and forgets the last used step).
    async fn set_console_totp(&self, id: i64, secret: Option<&str>) -> Result<bool>;
    /// Records that a login used TOTP step `step`, if no later or equal step was used
    /// before; `false` means the code was used already (one atomic update: two instances
    /// cannot both accept it).
    async fn use_totp_step(&self, id: i64, step: i64) -> Result<bool>;

    async fn create_console_session(&self, session: &ConsoleSession) -> Result<()>;
    async fn console_session(&self, token_hash: &str) -> Result<Option<ConsoleSession>>;
    async fn touch_console_session(&self, token_hash: &str, at: DateTime<Utc>) -> Result<()>;
    /// Ends a session; `false` if there was none.
    async fn delete_console_session(&self, token_hash: &str) -> Result<bool>;
    /// Removes sessions idle since before `idle_before` or created before `created_before`,
    /// and failed logins from before `failures_before`.
    async fn prune_console(
        &self,
        idle_before: DateTime<Utc>,
        created_before: DateTime<Utc>,
        failures_before: DateTime<Utc>,
    ) -> Result<()>;

    async fn record_login_failure(&self, kind: Limited, key: &str, at: DateTime<Utc>)
        -> Result<()>;
    /// Failures of `kind` for `key` at or after `since`.
    async fn login_failures_since(
        &self,
        kind: Limited,
        key: &str,
        since: DateTime<Utc>,
    ) -> Result<i64>;
    async fn clear_login_failures(&self, kind: Limited, key: &str) -> Result<()>;

    /// The dashboard's counts since `since`.
    async fn console_figures(&self, since: DateTime<Utc>) -> Result<ConsoleFigures>;
    /// Customers whose name or username contains `query` (case-insensitive), or whose id
    /// or Telegram id is `query`; newest first, at most `limit`.
    async fn search_customers(&self, query: &str, limit: i64) -> Result<Vec<Customer>>;
    /// Audit entries with `seq < before` (all when `None`), newest first, at most `limit`.
    async fn audit_entries_before(
        &self,
        before: Option<i64>,
        limit: i64,
    ) -> Result<Vec<AuditEntry>>;
}

/// Session lengths and login limits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsoleSettings {
    /// A session unused for this long ends.
    pub idle_timeout: Duration,
    /// A session ends this long after login, used or not.
    pub lifetime: Duration,
    /// Failures naming one account within [`Self::window`] after which it refuses logins.
    pub account_failures: i64,
    /// Failures from one address within [`Self::window`] after which it is refused.
    pub ip_failures: i64,
    pub window: Duration,
}

impl Default for ConsoleSettings {
    fn default() -> Self {
        ConsoleSettings {
            idle_timeout: Duration::hours(12),
            lifetime: Duration::days(7),
            account_failures: 5,
            ip_failures: 20,
            window: Duration::minutes(15),
        }
    }
}

// --- passwords ---

/// Hashes a password with argon2id (the crate's defaults: 19 MiB, 2 passes); refuses one
/// shorter than [`MIN_PASSWORD_CHARS`].
pub fn hash_password(password: &str) -> Result<String> {
    use argon2::password_hash::{PasswordHasher, SaltString};
    let chars = password.chars().count();
    if !(MIN_PASSWORD_CHARS..=MAX_PASSWORD_CHARS).contains(&chars) {
        return Err(Error::Fields(vec![FieldError::new(
            "password",
            format!("{MIN_PASSWORD_CHARS}-{MAX_PASSWORD_CHARS} characters"),
        )]));
    }
    let mut salt = [0u8; 16];
    rand::rng().fill_bytes(&mut salt);
    let salt = SaltString::encode_b64(&salt).map_err(|e| Error::Invalid(e.to_string()))?;
    argon2::Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|e| Error::Invalid(format!("cannot hash the password: {e}")))
}

/// Whether `password` matches the stored hash (a malformed hash matches nothing).
pub fn verify_password(hash: &str, password: &str) -> bool {
    use argon2::password_hash::{PasswordHash, PasswordVerifier};
    if password.chars().count() > MAX_PASSWORD_CHARS {
        return false;
    }
    PasswordHash::new(hash).is_ok_and(|parsed| {
        argon2::Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok()
    })
}

/// A hash no password matches, verified against for unknown usernames so that a login for
/// a name that does not exist takes as long as one that does.
fn decoy_hash() -> &'static str {
    static DECOY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DECOY.get_or_init(|| hash_password(&random_token()).unwrap_or_default())
}

/// A new random password: 20 characters from an alphabet without look-alikes.
pub fn generate_password() -> String {
    const ALPHABET: &[u8] = b"abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut rng = rand::rng();
    (0..20)
        .map(|_| ALPHABET[(rng.next_u32() as usize) % ALPHABET.len()] as char)
        .collect()
}

// --- tokens ---

/// 32 random bytes, hex: a session or CSRF token.
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    hex(&bytes)
}

/// The stored form of a session token.
pub fn token_hash(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Compares without an early exit.
pub fn same_secret(given: &[u8], expected: &[u8]) -> bool {
    given.len() == expected.len()
        && given
            .iter()
            .zip(expected)
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0
}

// --- TOTP (RFC 6238 over RFC 4226: HMAC-SHA-1, 6 digits, 30 s steps) ---

const TOTP_STEP_SECONDS: i64 = 30;
const BASE32: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/// RFC 4648 base32 without padding.
pub fn base32_encode(bytes: &[u8]) -> String {
    let mut out = String::new();
    let (mut buffer, mut bits) = (0u32, 0u32);
    for &byte in bytes {
        buffer = (buffer << 8) | u32::from(byte);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(BASE32[((buffer >> bits) & 31) as usize] as char);
        }
    }
    if bits > 0 {
        out.push(BASE32[((buffer << (5 - bits)) & 31) as usize] as char);
    }
    out
}

/// Decodes base32 (case and spaces ignored, padding allowed); `None` if malformed.
pub fn base32_decode(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    let (mut buffer, mut bits) = (0u32, 0u32);
    for c in text.chars().filter(|c| !c.is_whitespace() && *c != '=') {
        let value = BASE32
            .iter()
            .position(|&b| b as char == c.to_ascii_uppercase())?;
        buffer = (buffer << 5) | value as u32;
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            out.push(((buffer >> bits) & 0xff) as u8);
        }
    }
    Some(out)
}

/// A new TOTP secret (160 bits, base32).
pub fn generate_totp_secret() -> String {
    let mut bytes = [0u8; 20];
    rand::rng().fill_bytes(&mut bytes);
    base32_encode(&bytes)
}

/// The time step `at` falls in.
pub fn totp_step(at: DateTime<Utc>) -> i64 {
    at.timestamp().div_euclid(TOTP_STEP_SECONDS)
}

/// The 6-digit code of `secret` (raw bytes) for time step `step`.
pub fn totp_code(secret: &[u8], step: i64) -> u32 {
    // HMAC accepts keys of any length, so this cannot fail.
    let Ok(mut mac) = Hmac::<sha1::Sha1>::new_from_slice(secret) else {
        return 0;
    };
    mac.update(&step.to_be_bytes());
    let digest = mac.finalize().into_bytes();
    let offset = (digest[19] & 0x0f) as usize;
    let binary = (u32::from(digest[offset]) & 0x7f) << 24
        | u32::from(digest[offset + 1]) << 16
        | u32::from(digest[offset + 2]) << 8
        | u32::from(digest[offset + 3]);
    binary % 1_000_000
}

/// The step whose code `code` is, within one step of `at`; `None` if none matches.
pub fn totp_match(secret_base32: &str, code: &str, at: DateTime<Utc>) -> Option<i64> {
    let code = code.trim().replace(' ', "");
    if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let given: u32 = code.parse().ok()?;
    let secret = base32_decode(secret_base32)?;
    let now = totp_step(at);
    [now - 1, now, now + 1]
        .into_iter()
        .find(|&step| totp_code(&secret, step) == given)
}

/// The `otpauth://` URI authenticator apps read (usually from a QR code).
pub fn totp_uri(issuer: &str, username: &str, secret_base32: &str) -> String {
    let enc = |s: &str| -> String {
        s.bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                    (b as char).to_string()
                }
                _ => format!("%{b:02X}"),
            })
            .collect()
    };
    format!(
        "otpauth://totp/{}:{}?secret={secret_base32}&issuer={}&algorithm=SHA1&digits=6&period=30",
        enc(issuer),
        enc(username),
        enc(issuer)
    )
}

// --- users ---

/// Checks and normalizes a username (lower case).
pub fn checked_username(username: &str) -> Result<String> {
    let name = username.trim().to_lowercase();
    let ok = (2..=32).contains(&name.chars().count())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "._-".contains(c));
    if ok {
        Ok(name)
    } else {
        Err(Error::Fields(vec![FieldError::new(
            "username",
            "2-32 characters: a-z, 0-9, dot, dash, underscore",
        )]))
    }
}

/// What a new user is made of.
#[derive(Clone)]
pub struct UserDraft {
    pub username: String,
    /// Defaults to the username when empty.
    pub display_name: String,
    pub role: Role,
    /// For `Role::Custom`: at least one.
    pub permissions: Vec<Permission>,
    pub password: String,
}

/// The role and permission list a user may be given by `by` (`None`: the command line,
/// which may grant anything): a custom role needs at least one permission (returned sorted,
/// without repeats); a built-in role carries none (any given are dropped, the role decides);
/// only an owner may grant `owner`. Adding a user and changing one's access share these
/// rules.
fn checked_access(
    by: Option<&ConsoleUser>,
    role: Role,
    permissions: &[Permission],
) -> Result<Vec<Permission>> {
    let mut problems = Vec::new();
    let mut kept = Vec::new();
    if role == Role::Custom {
        kept = permissions.to_vec();
        kept.sort();
        kept.dedup();
        if kept.is_empty() {
            problems.push(FieldError::new(
                "permissions",
                "a custom user needs at least one permission",
            ));
        }
    }
    if role == Role::Owner && by.is_some_and(|by| by.role != Role::Owner) {
        problems.push(FieldError::new(
            "role",
            "only an owner may grant the owner role",
        ));
    }
    if problems.is_empty() {
        Ok(kept)
    } else {
        Err(Error::Fields(problems))
    }
}

/// Creates a user. `by` is who does it (`None`: the command line, which may do anything);
/// only an owner may create an owner.
pub async fn add_user(
    store: &dyn ConsoleStore,
    by: Option<&ConsoleUser>,
    draft: UserDraft,
    at: DateTime<Utc>,
) -> Result<ConsoleUser> {
    let mut problems = Vec::new();
    let username = checked_username(&draft.username).map_err(|e| problems.push(e));
    let display_name = draft.display_name.trim();
    if display_name.chars().count() > 64 {
        problems.push(Error::Fields(vec![FieldError::new(
            "display_name",
            "at most 64 characters",
        )]));
    }
    let permissions =
        checked_access(by, draft.role, &draft.permissions).map_err(|e| problems.push(e));
    let hash = hash_password(&draft.password).map_err(|e| problems.push(e));
    if let Some(by) = by {
        if !by.can(Permission::ManageUsers) {
            return Err(Error::Invalid("you may not manage users".into()));
        }
    }
    if !problems.is_empty() {
        return Err(Error::Fields(
            problems
                .into_iter()
                .flat_map(|e| match e {
                    Error::Fields(f) => f,
                    other => vec![FieldError::new("user", other.to_string())],
                })
                .collect(),
        ));
    }
    let (Ok(username), Ok(password_hash), Ok(permissions)) = (username, hash, permissions) else {
        return Err(Error::Invalid("invalid user".into()));
    };
    let display_name = if display_name.is_empty() {
        username.clone()
    } else {
        display_name.to_owned()
    };
    store
        .create_console_user(&NewConsoleUser {
            username,
            display_name,
            role: draft.role,
            permissions,
            password_hash,
            at,
        })
        .await
}

/// Whether `by` may change `target` (disable it, reset its password): only owners touch
/// owners, and nobody disables themselves by mistake.
pub fn may_change(by: &ConsoleUser, target: &ConsoleUser) -> bool {
    by.can(Permission::ManageUsers)
        && by.id != target.id
        && (target.role != Role::Owner || by.role == Role::Owner)
}

/// Why [`change_access`] refuses to take the owner role from someone.
pub const LAST_OWNER: &str = "the last enabled owner cannot lose the owner role";

/// Gives console user `target_id` a new role (and, for `Role::Custom`, permission list);
/// every session of the user ends, so the new rights apply from their next login. `by` is
/// who does it (`None`: the command line, which may do anything). Returns the user before
/// and after the change.
///
/// Refused when `by` may not change the target ([`may_change`]: `Invalid`), when the role
/// and permissions break the rules a new user is held to (`Fields`), and when the target is
/// the last enabled owner and would stop being one (`Conflict`, [`LAST_OWNER`]; the store
/// re-checks this atomically, so two owners demoting each other cannot both win).
pub async fn change_access(
    store: &dyn ConsoleStore,
    by: Option<&ConsoleUser>,
    target_id: i64,
    role: Role,
    permissions: &[Permission],
) -> Result<(ConsoleUser, ConsoleUser)> {
    let Some(before) = store.console_user(target_id).await? else {
        return Err(Error::NotFound(format!("console user {target_id}")));
    };
    if let Some(by) = by {
        if !may_change(by, &before) {
            return Err(Error::Invalid(format!(
                "you may not change the access of {}",
                before.username
            )));
        }
    }
    let permissions = checked_access(by, role, permissions)?;
    if !store
        .set_console_access(target_id, role, &permissions)
        .await?
    {
        return Err(Error::NotFound(format!("console user {target_id}")));
    }
    let after = ConsoleUser {
        role,
        permissions,
        ..before.clone()
    };
    Ok((before, after))
}

/// Sets a new password; every session of the user ends.
pub async fn set_password(
    store: &dyn ConsoleStore,
    id: i64,
    password: &str,
    at: DateTime<Utc>,
) -> Result<()> {
    let hash = hash_password(password)?;
    if store.set_console_password(id, &hash, at).await? {
        Ok(())
    } else {
        Err(Error::NotFound(format!("console user {id}")))
    }
}

/// Turns TOTP on with a fresh secret; returns the secret (base32) to show once.
pub async fn enable_totp(store: &dyn ConsoleStore, id: i64) -> Result<String> {
    let secret = generate_totp_secret();
    if store.set_console_totp(id, Some(&secret)).await? {
        Ok(secret)
    } else {
        Err(Error::NotFound(format!("console user {id}")))
    }
}

// --- login and sessions ---

/// A login form as submitted.
pub struct LoginAttempt<'a> {
    pub username: &'a str,
    pub password: &'a str,
    /// The TOTP code, if the form had one.
    pub code: Option<&'a str>,
    /// The client's address, for the per-address limit.
    pub ip: Option<&'a str>,
    pub at: DateTime<Utc>,
}

/// Why a login was refused. The messages never tell whether the username exists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoginRefused {
    /// Wrong username, password or code (or a disabled user).
    Wrong,
    /// The password was right and the account needs its TOTP code.
    CodeNeeded,
    /// Too many failures for this account or address; try again later.
    TooMany,
    /// The store failed (details were logged).
    Unavailable,
}

/// A started session: the token for the browser (shown once, never stored) and the rest.
pub struct LoggedIn {
    pub user: ConsoleUser,
    pub token: String,
    pub session: ConsoleSession,
}

impl std::fmt::Debug for LoggedIn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LoggedIn")
            .field("user", &self.user)
            .finish_non_exhaustive()
    }
}

fn unavailable(error: Error) -> LoginRefused {
    tracing::error!(%error, "console login could not reach the store");
    LoginRefused::Unavailable
}

/// Checks a login and starts a session. Failures count against the account (by the name
/// given, whether or not it exists) and the address; past the limits, logins are refused
/// before the password is even looked at.
pub async fn login(
    store: &dyn ConsoleStore,
    settings: &ConsoleSettings,
    attempt: LoginAttempt<'_>,
) -> std::result::Result<LoggedIn, LoginRefused> {
    let account = attempt.username.trim().to_lowercase();
    let since = attempt.at - settings.window;
    let account_failures = store
        .login_failures_since(Limited::Account, &account, since)
        .await
        .map_err(unavailable)?;
    let ip_failures = match attempt.ip {
        Some(ip) => store
            .login_failures_since(Limited::Ip, ip, since)
            .await
            .map_err(unavailable)?,
        None => 0,
    };
    if account_failures >= settings.account_failures || ip_failures >= settings.ip_failures {
        return Err(LoginRefused::TooMany);
    }
    let user = if account.is_empty() || account.chars().count() > 64 {
        None
    } else {
        store
            .console_user_by_name(&account)
            .await
            .map_err(unavailable)?
    };
    let password_ok = match &user {
        Some(user) => verify_password(&user.password_hash, attempt.password),
        None => {
            // Same work as for a real account.
            let _ = verify_password(decoy_hash(), attempt.password);
            false
        }
    };
    let user = match user {
        Some(user) if password_ok && !user.disabled => user,
        _ => return fail(store, &account, attempt.ip, attempt.at, LoginRefused::Wrong).await,
    };
    if let Some(secret) = &user.totp_secret {
        let code = attempt.code.map(str::trim).filter(|c| !c.is_empty());
        let Some(code) = code else {
            // Not a failure: the form asks for the code next.
            return Err(LoginRefused::CodeNeeded);
        };
        let Some(step) = totp_match(secret, code, attempt.at) else {
            return fail(store, &account, attempt.ip, attempt.at, LoginRefused::Wrong).await;
        };
        if !store
            .use_totp_step(user.id, step)
            .await
            .map_err(unavailable)?
        {
            // A code already used (seen over a shoulder, or replayed).
            return fail(store, &account, attempt.ip, attempt.at, LoginRefused::Wrong).await;
        }
    }
    store
        .clear_login_failures(Limited::Account, &account)
        .await
        .map_err(unavailable)?;
    let _ = store
        .prune_console(
            attempt.at - settings.idle_timeout,
            attempt.at - settings.lifetime,
            attempt.at - settings.window * 4,
        )
        .await
        .map_err(|error| tracing::warn!(%error, "could not prune old console sessions"));
    let token = random_token();
    let session = ConsoleSession {
        token_hash: token_hash(&token),
        user_id: user.id,
        csrf_token: random_token(),
        created_at: attempt.at,
        last_seen_at: attempt.at,
    };
    store
        .create_console_session(&session)
        .await
        .map_err(unavailable)?;
    Ok(LoggedIn {
        user,
        token,
        session,
    })
}

/// Counts a failed login against the account and the address.
async fn fail<T>(
    store: &dyn ConsoleStore,
    account: &str,
    ip: Option<&str>,
    at: DateTime<Utc>,
    refusal: LoginRefused,
) -> std::result::Result<T, LoginRefused> {
    let key: String = account.chars().take(64).collect();
    store
        .record_login_failure(Limited::Account, &key, at)
        .await
        .map_err(unavailable)?;
    if let Some(ip) = ip {
        store
            .record_login_failure(Limited::Ip, ip, at)
            .await
            .map_err(unavailable)?;
    }
    Err(refusal)
}

/// The session and user behind a browser's token, if the session is live and the user is
/// enabled. Refreshes the idle clock (at most once a minute, to spare the database).
pub async fn authenticate(
    store: &dyn ConsoleStore,
    settings: &ConsoleSettings,
    token: &str,
    at: DateTime<Utc>,
) -> Result<Option<(ConsoleUser, ConsoleSession)>> {
    if token.len() != 64 {
        return Ok(None);
    }
    let hash = token_hash(token);
    let Some(session) = store.console_session(&hash).await? else {
        return Ok(None);
    };
    if at - session.last_seen_at > settings.idle_timeout
        || at - session.created_at > settings.lifetime
    {
        store.delete_console_session(&hash).await?;
        return Ok(None);
    }
    let Some(user) = store.console_user(session.user_id).await? else {
        return Ok(None);
    };
    if user.disabled {
        return Ok(None);
    }
    if at - session.last_seen_at > Duration::minutes(1) {
        store.touch_console_session(&hash, at).await?;
    }
    Ok(Some((user, session)))
}

/// Ends the session of `token`.
pub async fn logout(store: &dyn ConsoleStore, token: &str) -> Result<bool> {
    store.delete_console_session(&token_hash(token)).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn totp_matches_the_rfc_6238_vectors() {
        // RFC 6238 appendix B, SHA-1 key "12345678901234567890", last 6 of the 8 digits.
        let key = b"12345678901234567890";
        for (seconds, expected) in [
            (59, 287_082),
            (1_111_111_109, 81_804),
            (1_111_111_111, 50_471),
            (1_234_567_890, 5_924),
            (2_000_000_000, 279_037),
        ] {
            let at = Utc.timestamp_opt(seconds, 0).unwrap();
            assert_eq!(totp_code(key, totp_step(at)), expected, "at {seconds}");
        }
        let secret = base32_encode(key);
        assert_eq!(secret, "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
        let at = Utc.timestamp_opt(59, 0).unwrap();
        assert_eq!(totp_match(&secret, "287082", at), Some(1));
        assert_eq!(totp_match(&secret, "287 082", at), Some(1));
        // One step either side is accepted, two are not.
        let later = Utc.timestamp_opt(59 + 30, 0).unwrap();
        assert_eq!(totp_match(&secret, "287082", later), Some(1));
        let much_later = Utc.timestamp_opt(59 + 60, 0).unwrap();
        assert_eq!(totp_match(&secret, "287082", much_later), None);
        assert_eq!(totp_match(&secret, "28708", at), None);
        assert_eq!(totp_match(&secret, "abcdef", at), None);
    }

    #[test]
    fn base32_round_trips() {
        for bytes in [&b""[..], b"f", b"fo", b"foo", b"foob", b"fooba", b"foobar"] {
            assert_eq!(base32_decode(&base32_encode(bytes)).unwrap(), bytes);
        }
        assert_eq!(base32_encode(b"foobar"), "MZXW6YTBOI");
        assert_eq!(base32_decode("mzxw 6ytb oi======").unwrap(), b"foobar");
        assert_eq!(base32_decode("M1"), None);
    }

    #[test]
    fn passwords_are_argon2id_and_checked() {
        assert!(hash_password("short").is_err());
        let hash = hash_password("correct horse battery").unwrap();
        assert!(hash.starts_with("$argon2id$"), "{hash}");
        assert!(verify_password(&hash, "correct horse battery"));
        assert!(!verify_password(&hash, "correct horse battery!"));
        assert!(!verify_password("not a hash", "whatever"));
        assert_ne!(generate_password(), generate_password());
        assert_eq!(generate_password().len(), 20);
    }

    #[test]
    fn roles_grant_their_permissions() {
        let user = |role: Role, permissions: Vec<Permission>| ConsoleUser {
            id: 1,
            username: "u".into(),
            display_name: "U".into(),
            role,
            permissions,
            password_hash: String::new(),
            totp_secret: None,
            totp_last_step: None,
            disabled: false,
            created_at: Utc::now(),
            password_changed_at: Utc::now(),
        };
        assert!(user(Role::Owner, vec![]).can(Permission::ManageUsers));
        assert!(user(Role::Admin, vec![]).can(Permission::ManageSettings));
        assert!(user(Role::Agent, vec![]).can(Permission::AnswerTickets));
        assert!(!user(Role::Agent, vec![]).can(Permission::ManageUsers));
        assert!(!user(Role::Analyst, vec![]).can(Permission::ManageOrders));
        assert!(user(Role::Analyst, vec![]).can(Permission::ViewAudit));
        let custom = user(Role::Custom, vec![Permission::ViewAudit]);
        assert!(custom.can(Permission::ViewAudit) && !custom.can(Permission::ViewDashboard));
        let mut disabled = user(Role::Owner, vec![]);
        disabled.disabled = true;
        assert!(!disabled.can(Permission::ViewDashboard));
        for p in Permission::ALL {
            assert_eq!(Permission::parse(p.as_str()), Some(p));
        }
        for r in Role::BUILT_IN.into_iter().chain([Role::Custom]) {
            assert_eq!(Role::parse(r.as_str()), Some(r));
        }
        let debug = format!("{:?}", user(Role::Owner, vec![]));
        assert!(!debug.contains("password_hash"), "{debug}");
    }

    #[test]
    fn access_rules_are_shared_by_adding_and_changing() {
        let actor = |id: i64, role: Role| ConsoleUser {
            id,
            username: format!("u{id}"),
            display_name: "U".into(),
            role,
            permissions: vec![],
            password_hash: String::new(),
            totp_secret: None,
            totp_last_step: None,
            disabled: false,
            created_at: Utc::now(),
            password_changed_at: Utc::now(),
        };
        let (owner, admin) = (actor(1, Role::Owner), actor(2, Role::Admin));
        let fields = |result: Result<Vec<Permission>>| match result {
            Err(Error::Fields(f)) => f.into_iter().map(|f| f.field).collect::<Vec<_>>(),
            other => panic!("expected field errors, got {other:?}"),
        };
        assert_eq!(
            fields(checked_access(Some(&admin), Role::Owner, &[])),
            ["role"]
        );
        assert_eq!(checked_access(Some(&owner), Role::Owner, &[]).unwrap(), []);
        assert_eq!(checked_access(None, Role::Owner, &[]).unwrap(), []);
        assert_eq!(
            fields(checked_access(Some(&owner), Role::Custom, &[])),
            ["permissions"]
        );
        assert_eq!(
            checked_access(
                Some(&admin),
                Role::Custom,
                &[
                    Permission::ViewAudit,
                    Permission::ManageFaq,
                    Permission::ViewAudit
                ]
            )
            .unwrap(),
            [Permission::ManageFaq, Permission::ViewAudit]
        );
        // A built-in role decides its permissions; any given are dropped.
        assert_eq!(
            checked_access(Some(&admin), Role::Agent, &[Permission::ManageUsers]).unwrap(),
            []
        );
        // Owners are out of an admin's reach, and nobody changes themselves.
        assert!(may_change(&owner, &admin) && !may_change(&admin, &owner));
        assert!(!may_change(&owner, &owner));
        assert!(may_change(&owner, &actor(3, Role::Owner)));
        assert!(!may_change(
            &actor(4, Role::Agent),
            &actor(5, Role::Analyst)
        ));
    }

    #[test]
    fn usernames_are_normalized() {
        assert_eq!(checked_username(" Ana.Li ").unwrap(), "ana.li");
        assert!(checked_username("a").is_err());
        assert!(checked_username("ana li").is_err());
        assert!(checked_username("<b>").is_err());
    }

    #[test]
    fn tokens_are_random_and_hashed() {
        let (a, b) = (random_token(), random_token());
        assert_ne!(a, b);
        assert_eq!(a.len(), 64);
        assert_eq!(token_hash(&a), token_hash(&a));
        assert_ne!(token_hash(&a), a);
        assert!(same_secret(b"abc", b"abc") && !same_secret(b"abc", b"abd"));
    }
}
