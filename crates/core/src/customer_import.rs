//! Imported customers: contacts read from another shop's customer export (Shopify's
//! `customers_export.csv`), kept apart from groupcart's own customers until the person shows
//! up in Telegram and is linked.
//!
//! Rules:
//! - An import is all or nothing: every line is checked first, and any problem (reported per
//!   line and column) leaves the store untouched.
//! - Each import carries a **source** label given by staff (`shopify-2026-12`); every
//!   imported contact, link and event stays attributable to it. Importing the same source
//!   again updates the contacts matched by email or phone instead of adding them twice.
//! - Values are read strictly: `Total Spent` exactly into minor units of the currency the
//!   caller names (by its ISO 4217 exponent; `12.345` in a two-decimal currency is an
//!   error, never rounded), phones into E.164 (`+` and 8 to 15 digits, with the country
//!   code), emails as `local@domain` lower-cased. Columns are found by Shopify's header
//!   names in any order; other columns are ignored.
//! - Each contact gets a random claim token (128 bits) for its personal link
//!   `https://t.me/<bot>?start=claim-<token>`.
//! - A contact is linked to a Telegram customer at most once, in one of two ways:
//!   the customer shares their own phone number through Telegram (a verified phone,
//!   [`LinkMethod::Phone`]), or opens the contact's claim link ([`LinkMethod::Claim`]). A
//!   contact imported after a customer verified its phone is linked by the import.
//! - Linking gives the customer the imported tags (as staff-set tags), appends a
//!   `customer_linked` event whose source is the import's source, and tells the customer.
//!   The imported totals stay on the imported contact: they are never added to groupcart's
//!   own lifetime value.

use crate::customer::{Customer, CustomerId};
use crate::event::NewEvent;
use crate::i18n::Texts;
use crate::money::Currency;
use crate::outbox::{Action, NewOutbound};
use crate::store::Store;
use crate::store::Tx;
use crate::{Error, FieldError, Result};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::collections::{HashMap, HashSet};

/// The `/start` payload prefix of a claim link.
pub const CLAIM_PREFIX: &str = "claim-";

/// The event a link appends.
pub const LINKED_EVENT: &str = "customer_linked";

/// Most contacts one import may carry.
pub const MAX_ROWS: usize = 100_000;

/// Most tags one contact keeps, and their longest length (as for staff's tags).
const MAX_TAGS: usize = 50;
const MAX_TAG_CHARS: usize = 40;

/// The store's id of an imported contact.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ImportId(pub i64);

/// How an imported contact was linked to a customer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LinkMethod {
    /// The customer shared their own, Telegram-verified phone number.
    Phone,
    /// The customer opened the contact's personal claim link.
    Claim,
}

impl LinkMethod {
    pub fn as_str(self) -> &'static str {
        match self {
            LinkMethod::Phone => "phone",
            LinkMethod::Claim => "claim",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "phone" => Some(LinkMethod::Phone),
            "claim" => Some(LinkMethod::Claim),
            _ => None,
        }
    }
}

/// What one line of an export says about a person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContactData {
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    /// Lower case.
    pub email: Option<String>,
    /// E.164: `+` and digits.
    pub phone: Option<String>,
    /// Lower case, sorted, without duplicates; spaces inside a tag become `-`.
    pub tags: Vec<String>,
    /// What they spent at the other shop, in minor units of `currency`.
    pub total_spent: i64,
    pub currency: String,
    pub orders_count: i64,
    pub accepts_email_marketing: Option<bool>,
    /// ISO 3166-1 alpha-2, upper case.
    pub country: Option<String>,
}

/// A line of the export that passed every check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedRow {
    /// Its line in the file (the header is line 1).
    pub line: u64,
    pub data: ContactData,
}

/// A problem with one line of an export.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineError {
    /// The line in the file (the header is line 1; 0 for the file as a whole).
    pub line: u64,
    /// The column at fault, by its header name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<String>,
    pub message: String,
}

impl LineError {
    fn new(line: u64, column: Option<&str>, message: impl Into<String>) -> Self {
        LineError {
            line,
            column: column.map(str::to_owned),
            message: message.into(),
        }
    }

    /// As a field error named `line N` or `line N: Column`, for the API's error shape.
    pub fn to_field_error(&self) -> FieldError {
        let field = match &self.column {
            Some(column) => format!("line {}: {column}", self.line),
            None => format!("line {}", self.line),
        };
        FieldError::new(field, self.message.clone())
    }
}

/// An imported contact as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportedContact {
    pub id: ImportId,
    /// The import's label, e.g. `shopify-2026-12`.
    pub source: String,
    #[serde(flatten)]
    pub data: ContactData,
    /// Secret of the personal claim link.
    pub claim_token: String,
    pub imported_at: DateTime<Utc>,
    /// When a later import of the same source last changed it.
    pub updated_at: DateTime<Utc>,
    pub customer_id: Option<CustomerId>,
    pub linked_at: Option<DateTime<Utc>>,
    pub link_method: Option<LinkMethod>,
}

/// A contact to store for the first time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewImportedContact {
    pub source: String,
    pub data: ContactData,
    pub claim_token: String,
    pub at: DateTime<Utc>,
}

/// A phone number Telegram confirmed belongs to a customer (they shared their own contact).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VerifiedPhone {
    pub customer_id: CustomerId,
    /// E.164.
    pub phone: String,
    /// The bot they shared it with (where messages about it go).
    pub bot: String,
    pub verified_at: DateTime<Utc>,
}

/// Which imported contacts a listing shows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ContactFilter {
    pub source: Option<String>,
    /// `Some(true)`: linked ones only; `Some(false)`: unlinked ones only.
    pub linked: Option<bool>,
    /// Only ids above this one (the next page).
    pub after: Option<ImportId>,
    pub limit: i64,
}

/// What an import did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportReport {
    pub source: String,
    pub created: i64,
    pub updated: i64,
    /// Contacts linked by this import (to customers who had verified their phone).
    pub linked: i64,
    /// Every problem found; when there is any, nothing was imported.
    pub errors: Vec<LineError>,
}

/// Imported-contact reads outside any transaction.
#[async_trait]
pub trait CustomerImportStore: Send + Sync {
    /// Imported contacts by id, matching `filter`.
    async fn imported_contacts(&self, filter: &ContactFilter) -> Result<Vec<ImportedContact>>;

    /// The contacts linked to `customer`, oldest link first.
    async fn imported_contacts_of(&self, customer: CustomerId) -> Result<Vec<ImportedContact>>;

    /// The customer's verified phone, if they shared one.
    async fn verified_phone(&self, customer: CustomerId) -> Result<Option<VerifiedPhone>>;
}

/// Imported-contact writes inside a [`crate::store::Tx`].
#[async_trait]
pub trait CustomerImportTx: Send {
    /// The contact of `source` with this email, else the one with this phone.
    async fn find_imported_contact(
        &mut self,
        source: &str,
        email: Option<&str>,
        phone: Option<&str>,
    ) -> Result<Vec<ImportedContact>>;

    async fn insert_imported_contact(
        &mut self,
        contact: &NewImportedContact,
    ) -> Result<ImportedContact>;

    /// Replaces what the contact says (not its token or link).
    async fn update_imported_contact(
        &mut self,
        id: ImportId,
        data: &ContactData,
        at: DateTime<Utc>,
    ) -> Result<()>;

    /// The contact a claim token belongs to (locked for the rest of the transaction).
    async fn imported_contact_by_token(&mut self, token: &str) -> Result<Option<ImportedContact>>;

    /// Contacts not linked yet whose phone is `phone`.
    async fn unlinked_contacts_with_phone(&mut self, phone: &str) -> Result<Vec<ImportedContact>>;

    /// Links the contact to `customer` if it is not linked yet; `false` if it was.
    async fn link_imported_contact(
        &mut self,
        id: ImportId,
        customer: CustomerId,
        method: LinkMethod,
        at: DateTime<Utc>,
    ) -> Result<bool>;

    /// Sets (or replaces) the customer's verified phone.
    async fn set_verified_phone(&mut self, phone: &VerifiedPhone) -> Result<()>;

    /// The customer who most recently verified `phone`, if any.
    async fn customer_with_verified_phone(&mut self, phone: &str) -> Result<Option<VerifiedPhone>>;

    /// Adds staff-set tags to the customer (keeping theirs).
    async fn add_customer_tags(&mut self, customer: CustomerId, tags: &[String]) -> Result<()>;
}

// --- parsing ---

/// The columns read, by Shopify's header names.
const FIRST_NAME: &str = "First Name";
const LAST_NAME: &str = "Last Name";
const EMAIL: &str = "Email";
const PHONE: &str = "Phone";
const TAGS: &str = "Tags";
const TOTAL_SPENT: &str = "Total Spent";
const TOTAL_ORDERS: &str = "Total Orders";
const ACCEPTS_EMAIL: &str = "Accepts Email Marketing";
const COUNTRY: &str = "Default Address Country Code";

/// Whether `label` can name an import: 1-64 of `A-Z a-z 0-9 . _ -`.
pub fn is_valid_source(label: &str) -> bool {
    (1..=64).contains(&label.len())
        && label
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
}

/// The currency an import's totals are in: an ISO 4217 code other than Telegram Stars.
pub fn import_currency(code: &str) -> Option<Currency> {
    code.parse::<Currency>()
        .ok()
        .filter(|c| *c != Currency::STARS && c.code() == code)
}

/// Normalizes a phone number written by a person or another system to E.164: `+` and 8-15
/// digits. Spaces, dashes, dots and parentheses are dropped, a leading `00` is read as `+`,
/// and a leading `'` (how spreadsheets keep the `+`) is ignored; a number without its
/// country code is refused.
pub fn normalize_phone(text: &str) -> Option<String> {
    let text = text.trim().trim_start_matches('\'').trim();
    let rest = if let Some(rest) = text.strip_prefix('+') {
        rest
    } else {
        text.strip_prefix("00")?
    };
    let mut digits = String::with_capacity(rest.len() + 1);
    digits.push('+');
    for c in rest.chars() {
        match c {
            '0'..='9' => digits.push(c),
            ' ' | '-' | '.' | '(' | ')' => {}
            _ => return None,
        }
    }
    let count = digits.len() - 1;
    ((8..=15).contains(&count) && !digits.starts_with("+0")).then_some(digits)
}

/// The phone number of a Telegram contact: Telegram gives it in international form, with
/// or without the `+`.
pub fn normalize_shared_phone(text: &str) -> Option<String> {
    let text = text.trim();
    if text.starts_with('+') {
        normalize_phone(text)
    } else {
        normalize_phone(&format!("+{text}"))
    }
}

fn normalize_email(text: &str) -> Option<String> {
    let email = text.trim().to_lowercase();
    let (local, domain) = email.split_once('@')?;
    let fine = !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains('@')
        && email.len() <= 254
        && !email.chars().any(|c| c.is_whitespace() || c.is_control());
    fine.then_some(email)
}

/// Shopify's `Tags` (`VIP, Wholesale buyer`) as customer tags (`vip`, `wholesale-buyer`).
fn parse_tags(text: &str) -> std::result::Result<Vec<String>, String> {
    let mut tags: Vec<String> = text
        .split(',')
        .map(|t| {
            t.split_whitespace()
                .collect::<Vec<_>>()
                .join("-")
                .to_lowercase()
        })
        .filter(|t| !t.is_empty())
        .collect();
    tags.sort();
    tags.dedup();
    if let Some(bad) = tags
        .iter()
        .find(|t| t.chars().count() > MAX_TAG_CHARS || t.contains('"'))
    {
        return Err(format!(
            "tag `{bad}` is longer than {MAX_TAG_CHARS} characters or has a quote"
        ));
    }
    if tags.len() > MAX_TAGS {
        return Err(format!("at most {MAX_TAGS} tags"));
    }
    Ok(tags)
}

fn parse_yes_no(text: &str) -> Option<Option<bool>> {
    match text.trim().to_ascii_lowercase().as_str() {
        "" => Some(None),
        "yes" | "true" | "y" | "1" => Some(Some(true)),
        "no" | "false" | "n" | "0" => Some(Some(false)),
        _ => None,
    }
}

fn optional(text: &str) -> Option<String> {
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_owned())
}

/// Reads a Shopify customer export. Every line is checked and every problem reported: the
/// rows are returned only if there is none. Lines that are entirely empty are skipped.
pub fn parse_shopify_csv(
    bytes: &[u8],
    currency: Currency,
) -> std::result::Result<Vec<ParsedRow>, Vec<LineError>> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(false)
        .from_reader(bytes);
    let headers = reader
        .headers()
        .map_err(|e| {
            vec![LineError::new(
                1,
                None,
                format!("the header cannot be read: {e}"),
            )]
        })?
        .clone();
    let column = |name: &str| headers.iter().position(|h| h.trim() == name);
    let columns: HashMap<&str, usize> = [
        FIRST_NAME,
        LAST_NAME,
        EMAIL,
        PHONE,
        TAGS,
        TOTAL_SPENT,
        TOTAL_ORDERS,
        ACCEPTS_EMAIL,
        COUNTRY,
    ]
    .into_iter()
    .filter_map(|name| column(name).map(|i| (name, i)))
    .collect();
    if !columns.contains_key(EMAIL) && !columns.contains_key(PHONE) {
        return Err(vec![LineError::new(
            1,
            None,
            "the header names neither an `Email` nor a `Phone` column",
        )]);
    }
    let mut rows = Vec::new();
    let mut errors = Vec::new();
    let mut emails: HashMap<String, u64> = HashMap::new();
    let mut phones: HashMap<String, u64> = HashMap::new();
    for record in reader.records() {
        let record = match record {
            Ok(record) => record,
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line());
                errors.push(LineError::new(line, None, format!("cannot be read: {e}")));
                continue;
            }
        };
        let line = record.position().map_or(0, |p| p.line());
        if record.iter().all(|v| v.trim().is_empty()) {
            continue;
        }
        if rows.len() >= MAX_ROWS {
            errors.push(LineError::new(
                line,
                None,
                format!("an import takes at most {MAX_ROWS} contacts"),
            ));
            break;
        }
        let get = |name: &str| columns.get(name).and_then(|&i| record.get(i)).unwrap_or("");
        let before = errors.len();
        let mut fail = |name: &str, message: String| {
            errors.push(LineError::new(line, Some(name), message));
        };
        let email = match optional(get(EMAIL)) {
            None => None,
            Some(text) => match normalize_email(&text) {
                Some(email) => Some(email),
                None => {
                    fail(EMAIL, format!("`{text}` is not an email address"));
                    None
                }
            },
        };
        let phone = match optional(get(PHONE)) {
            None => None,
            Some(text) => match normalize_phone(&text) {
                Some(phone) => Some(phone),
                None => {
                    fail(
                        PHONE,
                        format!(
                            "`{text}` is not a phone number with its country code, \
                             such as +14155550100"
                        ),
                    );
                    None
                }
            },
        };
        let total_spent = match get(TOTAL_SPENT).trim() {
            "" => 0,
            text => currency.parse_amount(text).unwrap_or_else(|e| {
                fail(TOTAL_SPENT, e.to_string());
                0
            }),
        };
        let orders_count = match get(TOTAL_ORDERS).trim() {
            "" => 0,
            text => match text.parse::<i64>() {
                Ok(n) if (0..=1_000_000_000).contains(&n) => n,
                _ => {
                    fail(
                        TOTAL_ORDERS,
                        format!("`{text}` is not a whole number of orders"),
                    );
                    0
                }
            },
        };
        let tags = parse_tags(get(TAGS)).unwrap_or_else(|message| {
            fail(TAGS, message);
            Vec::new()
        });
        let accepts_email_marketing = parse_yes_no(get(ACCEPTS_EMAIL)).unwrap_or_else(|| {
            fail(ACCEPTS_EMAIL, "must be yes or no".into());
            None
        });
        let country = match optional(get(COUNTRY)) {
            None => None,
            Some(text) => {
                let upper = text.to_ascii_uppercase();
                if upper.len() == 2 && upper.bytes().all(|b| b.is_ascii_uppercase()) {
                    Some(upper)
                } else {
                    fail(
                        COUNTRY,
                        format!("`{text}` is not a two-letter country code"),
                    );
                    None
                }
            }
        };
        let first_name = optional(get(FIRST_NAME));
        let last_name = optional(get(LAST_NAME));
        for (name, value) in [(FIRST_NAME, &first_name), (LAST_NAME, &last_name)] {
            if value.as_ref().is_some_and(|v| v.chars().count() > 255) {
                fail(name, "longer than 255 characters".into());
            }
        }
        if email.is_none() && phone.is_none() && errors.len() == before {
            errors.push(LineError::new(
                line,
                None,
                "has neither an email nor a phone number to recognize the person by",
            ));
        }
        if let Some(email) = &email {
            if let Some(first) = emails.insert(email.clone(), line) {
                errors.push(LineError::new(
                    line,
                    Some(EMAIL),
                    format!("the same email as line {first}"),
                ));
            }
        }
        if let Some(phone) = &phone {
            if let Some(first) = phones.insert(phone.clone(), line) {
                errors.push(LineError::new(
                    line,
                    Some(PHONE),
                    format!("the same phone as line {first}"),
                ));
            }
        }
        if errors.len() == before {
            rows.push(ParsedRow {
                line,
                data: ContactData {
                    first_name,
                    last_name,
                    email,
                    phone,
                    tags,
                    total_spent,
                    currency: currency.code().to_owned(),
                    orders_count,
                    accepts_email_marketing,
                    country,
                },
            });
        }
    }
    if errors.is_empty() {
        Ok(rows)
    } else {
        Err(errors)
    }
}

/// A fresh claim token: 128 random bits as 32 hex digits.
pub fn new_claim_token() -> String {
    use rand::RngCore;
    let mut bytes = [0u8; 16];
    rand::rng().fill_bytes(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Whether `token` looks like a claim token (so nothing else is looked up).
pub fn is_valid_claim_token(token: &str) -> bool {
    token.len() == 32
        && token
            .bytes()
            .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// The personal claim link of a contact on the bot called `bot_username`.
pub fn claim_link(bot_username: &str, token: &str) -> String {
    format!("https://t.me/{bot_username}?start={CLAIM_PREFIX}{token}")
}

// --- use cases ---

/// Who is told about links an import makes, and in which words.
pub struct Notifier<'a> {
    pub texts: &'a Texts,
    /// The language for customers whose own is not known.
    pub default_language: &'a str,
}

/// What an import is asked to do.
#[derive(Debug, Clone)]
pub struct ImportRequest<'a> {
    pub source: &'a str,
    pub currency: &'a str,
    pub csv: &'a [u8],
    pub at: DateTime<Utc>,
}

/// Imports a customer export (see the module docs), in one transaction. With problems, the
/// report lists them and nothing is written. Invalid `source` or `currency` are field errors.
pub async fn import(
    store: &dyn Store,
    notifier: &Notifier<'_>,
    request: &ImportRequest<'_>,
) -> Result<ImportReport> {
    let mut problems = Vec::new();
    if !is_valid_source(request.source) {
        problems.push(FieldError::new(
            "source",
            "must be 1-64 letters, digits, dots, dashes or underscores",
        ));
    }
    let currency = import_currency(request.currency);
    if currency.is_none() {
        problems.push(FieldError::new(
            "currency",
            "must be an ISO 4217 currency code such as USD",
        ));
    }
    let Some(currency) = currency.filter(|_| problems.is_empty()) else {
        return Err(Error::Fields(problems));
    };
    let mut report = ImportReport {
        source: request.source.to_owned(),
        ..ImportReport::default()
    };
    let rows = match parse_shopify_csv(request.csv, currency) {
        Ok(rows) => rows,
        Err(errors) => {
            report.errors = errors;
            return Ok(report);
        }
    };
    let mut tx = store.begin().await?;
    // First every match, so a conflict anywhere writes nothing.
    let mut plan = Vec::with_capacity(rows.len());
    let mut claimed: HashMap<ImportId, u64> = HashMap::new();
    for row in &rows {
        let found = tx
            .find_imported_contact(
                request.source,
                row.data.email.as_deref(),
                row.data.phone.as_deref(),
            )
            .await?;
        let ids: HashSet<ImportId> = found.iter().map(|c| c.id).collect();
        if ids.len() > 1 {
            report.errors.push(LineError::new(
                row.line,
                None,
                "its email and its phone belong to two different contacts imported before",
            ));
            continue;
        }
        let existing = found.into_iter().next();
        if let Some(existing) = &existing {
            if let Some(first) = claimed.insert(existing.id, row.line) {
                report.errors.push(LineError::new(
                    row.line,
                    None,
                    format!("matches the same contact imported before as line {first}"),
                ));
                continue;
            }
        }
        plan.push((row, existing));
    }
    if !report.errors.is_empty() {
        return Ok(report);
    }
    for (row, existing) in plan {
        let contact = match existing {
            Some(existing) => {
                tx.update_imported_contact(existing.id, &row.data, request.at)
                    .await?;
                report.updated += 1;
                if let Some(customer) = existing.customer_id {
                    // Linked already: tags added at the source since reach the customer too.
                    tx.add_customer_tags(customer, &row.data.tags).await?;
                    continue;
                }
                ImportedContact {
                    data: row.data.clone(),
                    ..existing
                }
            }
            None => {
                report.created += 1;
                tx.insert_imported_contact(&NewImportedContact {
                    source: request.source.to_owned(),
                    data: row.data.clone(),
                    claim_token: new_claim_token(),
                    at: request.at,
                })
                .await?
            }
        };
        let Some(phone) = &contact.data.phone else {
            continue;
        };
        let Some(verified) = tx.customer_with_verified_phone(phone).await? else {
            continue;
        };
        let Some(customer) = tx.customer(verified.customer_id).await? else {
            continue;
        };
        if link(
            tx.as_mut(),
            &contact,
            &customer,
            LinkMethod::Phone,
            &verified.bot,
            None,
            request.at,
        )
        .await?
        {
            report.linked += 1;
            let language =
                crate::referral::language_of(notifier.texts, &customer, notifier.default_language);
            let text = notifier.texts.get(&language, "import-linked", &[]);
            let mut message = NewOutbound::now(
                &verified.bot,
                customer.telegram_user_id,
                Action::SendText {
                    text,
                    buttons: Vec::new(),
                },
                request.at,
            );
            message.customer_id = Some(customer.id);
            tx.enqueue(&message).await?;
        }
    }
    tx.append_event(
        &NewEvent::new("customers_imported", request.at)
            .source(Some(request.source.to_owned()))
            .data(json!({
                "created": report.created,
                "updated": report.updated,
                "linked": report.linked,
                "currency": currency.code(),
            })),
    )
    .await?;
    tx.commit().await?;
    Ok(report)
}

/// Links `contact` to `customer` if it is not linked yet: the imported tags become theirs
/// and a `customer_linked` event records it under the import's source. `false` (and nothing
/// written) if it was linked already. Telling the customer is the caller's.
pub async fn link(
    tx: &mut dyn Tx,
    contact: &ImportedContact,
    customer: &Customer,
    method: LinkMethod,
    bot: &str,
    chat_id: Option<i64>,
    at: DateTime<Utc>,
) -> Result<bool> {
    if !tx
        .link_imported_contact(contact.id, customer.id, method, at)
        .await?
    {
        return Ok(false);
    }
    if !contact.data.tags.is_empty() {
        tx.add_customer_tags(customer.id, &contact.data.tags)
            .await?;
    }
    let mut event = NewEvent::new(LINKED_EVENT, at)
        .bot(bot)
        .customer(customer.id)
        .source(Some(contact.source.clone()))
        .data(json!({ "method": method.as_str(), "import": contact.id.0 }));
    if let Some(chat_id) = chat_id {
        event = event.chat(chat_id);
    }
    tx.append_event(&event).await?;
    Ok(true)
}

/// What a customer's own phone, shared through Telegram, changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PhoneVerified {
    pub phone: String,
    /// The imported contacts it linked.
    pub linked: Vec<ImportedContact>,
}

/// Records `phone` (already normalized) as the customer's verified phone and links every
/// unlinked contact imported with it.
pub async fn verify_phone(
    tx: &mut dyn Tx,
    customer: &Customer,
    phone: &str,
    bot: &str,
    chat_id: i64,
    at: DateTime<Utc>,
) -> Result<PhoneVerified> {
    tx.set_verified_phone(&VerifiedPhone {
        customer_id: customer.id,
        phone: phone.to_owned(),
        bot: bot.to_owned(),
        verified_at: at,
    })
    .await?;
    tx.append_event(
        &NewEvent::new("phone_verified", at)
            .bot(bot)
            .customer(customer.id)
            .chat(chat_id),
    )
    .await?;
    let mut linked = Vec::new();
    for contact in tx.unlinked_contacts_with_phone(phone).await? {
        if link(
            tx,
            &contact,
            customer,
            LinkMethod::Phone,
            bot,
            Some(chat_id),
            at,
        )
        .await?
        {
            linked.push(contact);
        }
    }
    Ok(PhoneVerified {
        phone: phone.to_owned(),
        linked,
    })
}

/// How a claim link was answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claim {
    /// The contact is now the customer's.
    Linked(Box<ImportedContact>),
    /// It was theirs already.
    AlreadyYours,
    /// Someone else claimed it (nothing of theirs is told).
    Taken,
    /// No contact has this token.
    Unknown,
}

/// Links the contact whose claim token is `token` to `customer`, once.
pub async fn claim(
    tx: &mut dyn Tx,
    customer: &Customer,
    token: &str,
    bot: &str,
    chat_id: i64,
    at: DateTime<Utc>,
) -> Result<Claim> {
    if !is_valid_claim_token(token) {
        return Ok(Claim::Unknown);
    }
    let Some(contact) = tx.imported_contact_by_token(token).await? else {
        return Ok(Claim::Unknown);
    };
    match contact.customer_id {
        Some(owner) if owner == customer.id => Ok(Claim::AlreadyYours),
        Some(_) => Ok(Claim::Taken),
        None => {
            if link(
                tx,
                &contact,
                customer,
                LinkMethod::Claim,
                bot,
                Some(chat_id),
                at,
            )
            .await?
            {
                Ok(Claim::Linked(Box::new(contact)))
            } else {
                Ok(Claim::Taken)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn usd() -> Currency {
        "USD".parse().unwrap()
    }

    /// The header Shopify writes in `customers_export.csv`.
    const SHOPIFY_HEADER: &str = "Customer ID,First Name,Last Name,Email,Accepts Email Marketing,\
        Default Address Company,Default Address Address1,Default Address Address2,\
        Default Address City,Default Address Province Code,Default Address Country Code,\
        Default Address Zip,Default Address Phone,Phone,Accepts SMS Marketing,Total Spent,\
        Total Orders,Note,Tax Exempt,Tags";

    fn shopify(lines: &[&str]) -> String {
        let mut csv = SHOPIFY_HEADER.to_owned();
        for line in lines {
            csv.push('\n');
            csv.push_str(line);
        }
        csv
    }

    #[test]
    fn reads_a_real_shopify_export() {
        let csv = shopify(&[
            "'7012345,Ada,Lovelace,Ada@Example.com,yes,,1 Main St,,London,,GB,'01234,,'+44 20 7946 0958,no,1234.50,7,,no,\"VIP, Wholesale buyer\"",
            "'7012346,Bob,,,no,,,,,,us,,,+1 (415) 555-0100,no,0.00,0,,no,",
        ]);
        let rows = parse_shopify_csv(csv.as_bytes(), usd()).unwrap();
        assert_eq!(rows.len(), 2);
        let ada = &rows[0];
        assert_eq!(ada.line, 2);
        assert_eq!(ada.data.first_name.as_deref(), Some("Ada"));
        assert_eq!(ada.data.email.as_deref(), Some("ada@example.com"));
        assert_eq!(ada.data.phone.as_deref(), Some("+442079460958"));
        assert_eq!(ada.data.total_spent, 123_450);
        assert_eq!(ada.data.currency, "USD");
        assert_eq!(ada.data.orders_count, 7);
        assert_eq!(ada.data.accepts_email_marketing, Some(true));
        assert_eq!(ada.data.country.as_deref(), Some("GB"));
        assert_eq!(ada.data.tags, vec!["vip", "wholesale-buyer"]);
        let bob = &rows[1];
        assert_eq!(bob.line, 3);
        assert_eq!(bob.data.email, None);
        assert_eq!(bob.data.last_name, None);
        assert_eq!(bob.data.phone.as_deref(), Some("+14155550100"));
        assert_eq!(bob.data.country.as_deref(), Some("US"));
        assert!(bob.data.tags.is_empty());
    }

    #[test]
    fn columns_in_any_order_with_extras_and_a_bom() {
        let csv = "\u{feff}Tags,Whatever,Phone,Total Orders\nfoo,x,+4915112345678,2\n";
        let rows = parse_shopify_csv(csv.as_bytes(), usd()).unwrap();
        assert_eq!(rows[0].data.phone.as_deref(), Some("+4915112345678"));
        assert_eq!(rows[0].data.total_spent, 0);
        assert_eq!(rows[0].data.tags, vec!["foo"]);
    }

    #[test]
    fn money_is_exact_in_the_currencys_exponent() {
        let parse = |amount: &str, code: &str| {
            let csv = format!("Email,Total Spent\na@b.co,\"{amount}\"\n");
            parse_shopify_csv(csv.as_bytes(), code.parse().unwrap())
                .map(|rows| rows[0].data.total_spent)
        };
        assert_eq!(parse("12.34", "USD"), Ok(1234));
        assert_eq!(parse("12.3", "USD"), Ok(1230));
        assert_eq!(parse("12", "USD"), Ok(1200));
        assert_eq!(parse("12.340", "USD"), Ok(1234));
        assert_eq!(parse("0.10", "USD"), Ok(10));
        assert_eq!(parse("1500", "JPY"), Ok(1500));
        assert_eq!(parse("1.234", "KWD"), Ok(1234));
        for bad in [
            "12.345",
            "-1.00",
            "1,299.50",
            "abc",
            "1e3",
            "99999999999999999999",
        ] {
            let errors = parse(bad, "USD").unwrap_err();
            assert_eq!(errors.len(), 1, "{bad}");
            assert_eq!(errors[0].line, 2);
            assert_eq!(errors[0].column.as_deref(), Some("Total Spent"));
        }
        assert!(parse("1.5", "JPY").is_err());
    }

    #[test]
    fn every_bad_line_is_reported_and_nothing_returned() {
        let csv = shopify(&[
            ",Ok,,ok@example.com,no,,,,,,,,,,,10.00,1,,,",
            ",Bad,,not-an-email,maybe,,,,,,Germany,,,555-0100,,1.001,x,,,",
            ",Dup,,ok@example.com,,,,,,,,,,,,,,,,",
            ",Nobody,,,,,,,,,,,,,,5.00,1,,,",
            ",,,,,,,,,,,,,,,,,,,",
        ]);
        let errors = parse_shopify_csv(csv.as_bytes(), usd()).unwrap_err();
        let at = |line: u64| -> Vec<Option<&str>> {
            errors
                .iter()
                .filter(|e| e.line == line)
                .map(|e| e.column.as_deref())
                .collect()
        };
        assert!(at(2).is_empty());
        assert_eq!(
            at(3),
            vec![
                Some("Email"),
                Some("Phone"),
                Some("Total Spent"),
                Some("Total Orders"),
                Some("Accepts Email Marketing"),
                Some("Default Address Country Code"),
            ]
        );
        assert_eq!(at(4), vec![Some("Email")]);
        assert_eq!(at(5), vec![None]);
        // The empty line 6 is skipped, not an error.
        assert!(at(6).is_empty());
        assert_eq!(errors.len(), 8);
    }

    #[test]
    fn a_file_without_email_or_phone_columns_is_refused() {
        let errors = parse_shopify_csv(b"First Name,Last Name\nA,B\n", usd()).unwrap_err();
        assert_eq!(errors[0].line, 1);
        let errors = parse_shopify_csv(b"Email,Phone\na@b.co\n", usd()).unwrap_err();
        assert_eq!(errors[0].line, 2, "{errors:?}");
    }

    #[test]
    fn phones_become_e164_or_are_refused() {
        assert_eq!(
            normalize_phone("+1 415-555-0100").as_deref(),
            Some("+14155550100")
        );
        assert_eq!(
            normalize_phone("'+44 (20) 7946.0958").as_deref(),
            Some("+442079460958")
        );
        assert_eq!(
            normalize_phone("0049 151 12345678").as_deref(),
            Some("+4915112345678")
        );
        for bad in [
            "415-555-0100",
            "+1",
            "+1234567",
            "+1234567890123456",
            "+0123456789",
            "+1 415 555 01OO",
            "phone",
        ] {
            assert_eq!(normalize_phone(bad), None, "{bad}");
        }
        assert_eq!(
            normalize_shared_phone("14155550100").as_deref(),
            Some("+14155550100")
        );
        assert_eq!(
            normalize_shared_phone("+14155550100").as_deref(),
            Some("+14155550100")
        );
        assert_eq!(normalize_shared_phone("abc"), None);
    }

    #[test]
    fn sources_currencies_and_tokens() {
        assert!(is_valid_source("shopify-2026-12"));
        assert!(is_valid_source("a.b_c"));
        assert!(!is_valid_source(""));
        assert!(!is_valid_source("has space"));
        assert!(!is_valid_source(&"x".repeat(65)));
        assert!(import_currency("USD").is_some());
        assert!(import_currency("usd").is_none());
        assert!(import_currency("XTR").is_none());
        let a = new_claim_token();
        let b = new_claim_token();
        assert_ne!(a, b);
        assert!(is_valid_claim_token(&a));
        assert!(!is_valid_claim_token("../../etc"));
        assert!(!is_valid_claim_token(&a.to_uppercase()));
        let link = claim_link("shopbot", &a);
        let payload = link.split("?start=").nth(1).unwrap();
        assert!(crate::conversation::is_valid_start_payload(payload));
    }

    #[test]
    fn long_or_many_tags_are_refused() {
        assert!(parse_tags(&"x".repeat(41)).is_err());
        let many: Vec<String> = (0..51).map(|i| format!("t{i}")).collect();
        assert!(parse_tags(&many.join(",")).is_err());
        assert_eq!(parse_tags(" A , a ,b").unwrap(), vec!["a", "b"]);
    }
}
