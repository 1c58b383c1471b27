//! Encryption at rest of the personal fields the database never needs to search: shipping
//! addresses (with the phone number), staff notes, message bodies in both directions
//! (updates as received, messages as sent, conversations with agents, unanswered FAQ
//! questions, moderated excerpts) and console users' TOTP secrets.
//!
//! A [`Sealer`] holds the key ring: named 256-bit keys, one of them active. A sealed value
//! is text, `gce1:<key id>:<base64 of a 24-byte nonce and the XChaCha20-Poly1305
//! ciphertext>`, with the field's name ([`Field::name`]) as associated data, so a value
//! copied into another column does not open. Values are always sealed with the active key
//! and open with any key of the ring; `groupcart keys rotate` ([`rotate`]) re-seals, in
//! committed batches, every value not sealed with the active key, so it can stop and start
//! again at any time. Text written before encryption existed (no prefix) still reads as it
//! is, and rotation seals it.
//!
//! The stores seal and open; the rest of the core sees plain values. What the stores still
//! need to search stays plain beside the sealed value: the chat and customer columns, the
//! shipping country, and each update's or message's [`search_refs`].

use crate::{Error, Result};
use async_trait::async_trait;
use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use rand::RngCore;
use serde_json::Value;
use std::collections::BTreeSet;
use std::fmt;

/// What every sealed value starts with.
pub const PREFIX: &str = "gce1:";

/// Bytes in a key.
pub const KEY_BYTES: usize = 32;

const NONCE_BYTES: usize = 24;

/// A column holding sealed values. The name is the associated data of every value sealed
/// for it, so it must never change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Field {
    /// `orders.shipping_address`: name, phone and address as JSON.
    ShippingAddress,
    /// `order_events.note`: what staff wrote on an order's timeline.
    OrderNote,
    /// `customers.notes`: staff notes on a customer.
    CustomerNotes,
    /// `inbox.payload`: an update as received.
    Update,
    /// `outbox.action`: a message to send (or sent), as JSON.
    OutboxAction,
    /// `support_messages.text`: a message between a customer and the agents.
    SupportMessage,
    /// `faq_unanswered.question`: a question the FAQ could not answer.
    UnansweredQuestion,
    /// `moderation_actions.excerpt`: the start of a moderated message.
    ModerationExcerpt,
    /// `console_users.totp_secret`: a console user's second-factor secret.
    TotpSecret,
    /// `sealing_keys.check_value`: proof that a configured key is the one the database
    /// knows by its id. Never rotated (not in [`Field::ALL`]).
    KeyCheck,
}

impl Field {
    /// Every sealed column, in the order rotation visits them.
    pub const ALL: [Field; 9] = [
        Field::ShippingAddress,
        Field::OrderNote,
        Field::CustomerNotes,
        Field::Update,
        Field::OutboxAction,
        Field::SupportMessage,
        Field::UnansweredQuestion,
        Field::ModerationExcerpt,
        Field::TotpSecret,
    ];

    /// `table.column`.
    pub fn name(self) -> &'static str {
        match self {
            Field::ShippingAddress => "orders.shipping_address",
            Field::OrderNote => "order_events.note",
            Field::CustomerNotes => "customers.notes",
            Field::Update => "inbox.payload",
            Field::OutboxAction => "outbox.action",
            Field::SupportMessage => "support_messages.text",
            Field::UnansweredQuestion => "faq_unanswered.question",
            Field::ModerationExcerpt => "moderation_actions.excerpt",
            Field::TotpSecret => "console_users.totp_secret",
            Field::KeyCheck => "sealing_keys.check_value",
        }
    }

    /// The table.
    pub fn table(self) -> &'static str {
        self.name().split_once('.').map_or("", |(table, _)| table)
    }

    /// The column.
    pub fn column(self) -> &'static str {
        self.name().split_once('.').map_or("", |(_, column)| column)
    }
}

/// A 256-bit key with its id. The bytes never appear in `Debug` output.
#[derive(Clone)]
pub struct DataKey {
    id: String,
    bytes: [u8; KEY_BYTES],
}

impl DataKey {
    /// A key from its id (1–32 ASCII letters, digits, `-` or `_`) and its base64 text (32
    /// bytes, standard alphabet, padded or not).
    pub fn parse(id: &str, base64: &str) -> Result<DataKey> {
        let valid_id = !id.is_empty()
            && id.len() <= 32
            && id
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if !valid_id {
            return Err(Error::Invalid(format!(
                "key id {id:?}: use 1 to 32 letters, digits, '-' or '_'"
            )));
        }
        let text = base64.trim().trim_end_matches('=');
        let decoded = base64::engine::general_purpose::STANDARD_NO_PAD
            .decode(text)
            .map_err(|_| Error::Invalid(format!("key {id:?} is not base64")))?;
        let bytes: [u8; KEY_BYTES] = decoded.try_into().map_err(|_| {
            Error::Invalid(format!(
                "key {id:?} must be {KEY_BYTES} bytes (44 characters of base64)"
            ))
        })?;
        Ok(DataKey {
            id: id.to_owned(),
            bytes,
        })
    }

    /// A new random key.
    pub fn generate(id: &str) -> Result<DataKey> {
        let mut bytes = [0u8; KEY_BYTES];
        rand::rng().fill_bytes(&mut bytes);
        DataKey::parse(id, &BASE64.encode(bytes))
    }

    pub fn id(&self) -> &str {
        &self.id
    }

    /// The key as base64, for writing it into a key file or printing it once.
    pub fn to_base64(&self) -> String {
        BASE64.encode(self.bytes)
    }
}

impl fmt::Debug for DataKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DataKey({}, [redacted])", self.id)
    }
}

impl Drop for DataKey {
    fn drop(&mut self) {
        // Best effort: the bytes do not outlive the key in this copy.
        self.bytes.iter_mut().for_each(|b| *b = 0);
    }
}

/// The key ring: seals with the active key, opens with any.
pub struct Sealer {
    active: String,
    keys: Vec<(String, XChaCha20Poly1305)>,
}

impl fmt::Debug for Sealer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sealer")
            .field("active", &self.active)
            .field("keys", &self.key_ids())
            .finish()
    }
}

impl Sealer {
    /// A ring of `keys` sealing with the one named `active`. Ids must be unique.
    pub fn new(keys: &[DataKey], active: &str) -> Result<Sealer> {
        let mut ids = BTreeSet::new();
        for key in keys {
            if !ids.insert(key.id.as_str()) {
                return Err(Error::Invalid(format!("key {:?} is given twice", key.id)));
            }
        }
        if !ids.contains(active) {
            return Err(Error::Invalid(format!(
                "the active key {active:?} is not among the keys"
            )));
        }
        Ok(Sealer {
            active: active.to_owned(),
            keys: keys
                .iter()
                .map(|k| (k.id.clone(), XChaCha20Poly1305::new(&k.bytes.into())))
                .collect(),
        })
    }

    /// A ring of one new random key (tests, benchmarks).
    pub fn ephemeral() -> Sealer {
        let key = DataKey::generate("ephemeral").expect("a valid id");
        Sealer::new(&[key], "ephemeral").expect("the key is in the ring")
    }

    /// The id of the key new values are sealed with.
    pub fn active_key(&self) -> &str {
        &self.active
    }

    /// Every key id of the ring, active first.
    pub fn key_ids(&self) -> Vec<&str> {
        let mut ids = vec![self.active.as_str()];
        ids.extend(
            self.keys
                .iter()
                .map(|(id, _)| id.as_str())
                .filter(|id| *id != self.active),
        );
        ids
    }

    /// The prefix of every value sealed with the active key (`gce1:<id>:`).
    pub fn active_prefix(&self) -> String {
        format!("{PREFIX}{}:", self.active)
    }

    /// `plain` sealed for `field` with the active key. The empty text stays empty: it
    /// hides nothing, and emptied values stay recognisable.
    pub fn seal(&self, field: Field, plain: &str) -> String {
        if plain.is_empty() {
            return String::new();
        }
        let cipher = self
            .cipher(&self.active)
            .expect("the active key is in the ring");
        let mut nonce = [0u8; NONCE_BYTES];
        rand::rng().fill_bytes(&mut nonce);
        let sealed = cipher
            .encrypt(
                XNonce::from_slice(&nonce),
                Payload {
                    msg: plain.as_bytes(),
                    aad: field.name().as_bytes(),
                },
            )
            .expect("XChaCha20-Poly1305 seals any text that fits in memory");
        let mut bytes = Vec::with_capacity(NONCE_BYTES + sealed.len());
        bytes.extend_from_slice(&nonce);
        bytes.extend_from_slice(&sealed);
        format!("{PREFIX}{}:{}", self.active, BASE64.encode(bytes))
    }

    /// The check value of key `id` of the ring (its id sealed with it), for the
    /// database's register of keys; `None` if the ring has no such key.
    pub fn key_check(&self, id: &str) -> Option<String> {
        let cipher = self.cipher(id)?;
        let mut nonce = [0u8; NONCE_BYTES];
        rand::rng().fill_bytes(&mut nonce);
        let sealed = cipher
            .encrypt(
                XNonce::from_slice(&nonce),
                Payload {
                    msg: id.as_bytes(),
                    aad: Field::KeyCheck.name().as_bytes(),
                },
            )
            .ok()?;
        let mut bytes = nonce.to_vec();
        bytes.extend_from_slice(&sealed);
        Some(format!("{PREFIX}{id}:{}", BASE64.encode(bytes)))
    }

    /// Whether `check` (from the register) is the check value of a key of this ring with
    /// the same id. `false` when the ring lacks that key or holds another under its id.
    pub fn verifies(&self, check: &str) -> bool {
        match (sealed_with(check), self.open(Field::KeyCheck, check)) {
            (Some(id), Ok(plain)) => plain == id,
            _ => false,
        }
    }

    /// [`Sealer::seal`] of an optional value.
    pub fn seal_opt(&self, field: Field, plain: Option<&str>) -> Option<String> {
        plain.map(|p| self.seal(field, p))
    }

    /// The plain text of a stored value of `field`: opened if sealed, as it is otherwise
    /// (written before encryption). A value sealed with a key not in the ring, or altered,
    /// is a storage error naming the field and the key, never the value.
    pub fn open(&self, field: Field, stored: &str) -> Result<String> {
        let Some(rest) = stored.strip_prefix(PREFIX) else {
            return Ok(stored.to_owned());
        };
        let (key, body) = rest.split_once(':').ok_or_else(|| {
            Error::Storage(format!("{}: a sealed value is malformed", field.name()))
        })?;
        let cipher = self.cipher(key).ok_or_else(|| {
            Error::Storage(format!(
                "{}: a value is sealed with key {key:?}, which is not configured",
                field.name()
            ))
        })?;
        let bytes = BASE64
            .decode(body)
            .ok()
            .filter(|b| b.len() > NONCE_BYTES)
            .ok_or_else(|| {
                Error::Storage(format!("{}: a sealed value is malformed", field.name()))
            })?;
        let (nonce, sealed) = bytes.split_at(NONCE_BYTES);
        let plain = cipher
            .decrypt(
                XNonce::from_slice(nonce),
                Payload {
                    msg: sealed,
                    aad: field.name().as_bytes(),
                },
            )
            .map_err(|_| {
                Error::Storage(format!(
                    "{}: a value sealed with key {key:?} does not open (altered, or another key of that name)",
                    field.name()
                ))
            })?;
        String::from_utf8(plain)
            .map_err(|_| Error::Storage(format!("{}: a sealed value is not text", field.name())))
    }

    /// [`Sealer::open`] of an optional value.
    pub fn open_opt(&self, field: Field, stored: Option<&str>) -> Result<Option<String>> {
        stored.map(|s| self.open(field, s)).transpose()
    }

    /// Whether a stored value is as rotation leaves it: empty, or sealed with the active
    /// key.
    pub fn is_current(&self, stored: &str) -> bool {
        stored.is_empty() || stored.starts_with(&self.active_prefix())
    }

    fn cipher(&self, id: &str) -> Option<&XChaCha20Poly1305> {
        self.keys.iter().find(|(k, _)| k == id).map(|(_, c)| c)
    }
}

/// The key id a stored value is sealed with (`None`: not sealed).
pub fn sealed_with(stored: &str) -> Option<&str> {
    stored
        .strip_prefix(PREFIX)?
        .split_once(':')
        .map(|(id, _)| id)
}

/// The plain search terms of an update or an outgoing action (JSON), so a sealed one can
/// still be found by whom it names: every integer under a key `id` or ending in `_id`
/// (users, chats, the people an action is about) and every button's callback data
/// (`callback` in actions, `callback_data` in updates; staff buttons name orders), each once, as ` term term `. A search for term `t` is then an exact match
/// of ` t ` in the text.
pub fn search_refs(json: &str) -> String {
    let mut terms = BTreeSet::new();
    if let Ok(value) = serde_json::from_str::<Value>(json) {
        collect_refs(&value, None, &mut terms);
    }
    let mut refs = String::from(" ");
    for term in terms {
        refs.push_str(&term);
        refs.push(' ');
    }
    refs
}

fn collect_refs(value: &Value, key: Option<&str>, terms: &mut BTreeSet<String>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                collect_refs(v, Some(k), terms);
            }
        }
        Value::Array(items) => {
            for item in items {
                collect_refs(item, key, terms);
            }
        }
        Value::Number(n) => {
            let is_id = key.is_some_and(|k| k == "id" || k.ends_with("_id"));
            if let (true, Some(n)) = (is_id, n.as_i64()) {
                terms.insert(n.to_string());
            }
        }
        Value::String(s) => {
            let is_button = matches!(key, Some("callback" | "callback_data"));
            if is_button && !s.contains(char::is_whitespace) {
                terms.insert(s.clone());
            }
        }
        _ => {}
    }
}

/// Key management the stores do: checking the ring against the keys the database was
/// written with, and re-sealing for [`rotate`].
#[async_trait]
pub trait SealingStore: Send + Sync {
    /// Checks the store's ring against the database's register of keys, then registers
    /// the ring's keys it did not know (a check value sealed with each). Fails, changing
    /// nothing, when a configured key does not open its check value (another key under the
    /// same id) or when the database holds a key the ring lacks (values sealed with it
    /// would not open).
    async fn check_keys(&self) -> Result<()>;

    /// Re-seals with the active key, in one transaction, up to `limit` values of `field`
    /// that are not current ([`Sealer::is_current`]; plain ones included) in rows whose
    /// primary key is greater than `after`, in key order; each row is written only if it
    /// still holds what was read. A rotation walks the table once, batch after batch, so
    /// its cost grows with the table, not with its square.
    async fn reseal(&self, field: Field, after: i64, limit: i64) -> Result<Resealed>;

    /// Removes from the register every key but the active one; for after a complete
    /// rotation, when no value is sealed with them. Returns their ids.
    async fn retire_keys(&self) -> Result<Vec<String>>;
}

/// One batch of [`SealingStore::reseal`].
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Resealed {
    /// Values re-sealed.
    pub resealed: i64,
    /// The key of the last row the batch took, when it took `limit` rows (more may
    /// follow); `None` once the table holds no more after `after`.
    pub last: Option<i64>,
}

/// What a rotation did per field.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Rotation {
    pub resealed: Vec<(Field, i64)>,
    pub retired: Vec<String>,
}

/// Re-seals every value not sealed with the active key, `batch` rows per transaction,
/// field by field, calling `progress` after each batch with the field and its running
/// count; then retires the other keys. Safe to interrupt and run again.
pub async fn rotate(
    store: &dyn SealingStore,
    batch: i64,
    mut progress: impl FnMut(Field, i64) + Send,
) -> Result<Rotation> {
    let batch = batch.clamp(1, 100_000);
    let mut rotation = Rotation::default();
    for field in Field::ALL {
        let mut total = 0;
        let mut after = i64::MIN;
        loop {
            let step = store.reseal(field, after, batch).await?;
            total += step.resealed;
            if step.resealed > 0 {
                progress(field, total);
            }
            match step.last {
                Some(last) => after = last,
                None => break,
            }
        }
        rotation.resealed.push((field, total));
    }
    rotation.retired = store.retire_keys().await?;
    Ok(rotation)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ring(ids: &[&str], active: &str) -> (Vec<DataKey>, Sealer) {
        let keys: Vec<DataKey> = ids
            .iter()
            .map(|id| DataKey::generate(id).unwrap())
            .collect();
        let sealer = Sealer::new(&keys, active).unwrap();
        (keys, sealer)
    }

    #[test]
    fn a_sealed_value_opens_to_the_same_text_and_hides_it() {
        let (_, sealer) = ring(&["k1"], "k1");
        let plain = "Jalan Sudirman 12, +62 812 5555 0101 — 你好";
        let sealed = sealer.seal(Field::ShippingAddress, plain);
        assert!(sealed.starts_with("gce1:k1:"), "{sealed}");
        assert!(!sealed.contains("Sudirman") && !sealed.contains("5555"));
        assert_eq!(sealer.open(Field::ShippingAddress, &sealed).unwrap(), plain);
        // A fresh nonce each time: equal texts do not give equal values.
        assert_ne!(sealed, sealer.seal(Field::ShippingAddress, plain));
    }

    #[test]
    fn the_empty_text_stays_empty_and_plain_text_reads_as_it_is() {
        let (_, sealer) = ring(&["k1"], "k1");
        assert_eq!(sealer.seal(Field::SupportMessage, ""), "");
        assert_eq!(sealer.open(Field::SupportMessage, "").unwrap(), "");
        assert_eq!(
            sealer.open(Field::OrderNote, "written before").unwrap(),
            "written before"
        );
        assert!(sealer.is_current(""));
        assert!(!sealer.is_current("written before"));
    }

    #[test]
    fn a_value_does_not_open_in_another_field_or_when_altered() {
        let (_, sealer) = ring(&["k1"], "k1");
        let sealed = sealer.seal(Field::CustomerNotes, "VIP, prefers WhatsApp");
        let err = sealer
            .open(Field::OrderNote, &sealed)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("order_events.note") && !err.contains("VIP"),
            "{err}"
        );
        let mut altered = sealed.clone().into_bytes();
        let last = altered.len() - 3;
        altered[last] = if altered[last] == b'A' { b'B' } else { b'A' };
        let altered = String::from_utf8(altered).unwrap();
        assert!(sealer.open(Field::CustomerNotes, &altered).is_err());
        assert!(sealer.open(Field::CustomerNotes, "gce1:k1:!!").is_err());
        assert!(sealer.open(Field::CustomerNotes, "gce1:nocolon").is_err());
    }

    #[test]
    fn after_a_key_change_old_values_open_and_new_ones_use_the_new_key() {
        let (keys, old) = ring(&["2026-01"], "2026-01");
        let before = old.seal(Field::Update, "{\"update_id\":1}");
        let new_key = DataKey::generate("2026-12").unwrap();
        let both = Sealer::new(&[keys[0].clone(), new_key.clone()], "2026-12").unwrap();
        assert_eq!(
            both.open(Field::Update, &before).unwrap(),
            "{\"update_id\":1}"
        );
        assert!(!both.is_current(&before));
        let after = both.seal(Field::Update, "x");
        assert!(both.is_current(&after));
        assert_eq!(sealed_with(&after), Some("2026-12"));
        assert_eq!(both.key_ids(), vec!["2026-12", "2026-01"]);
        // The new key alone no longer opens what the old one sealed.
        let only_new = Sealer::new(&[new_key], "2026-12").unwrap();
        let err = only_new
            .open(Field::Update, &before)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("\"2026-01\"") && err.contains("not configured"),
            "{err}"
        );
    }

    #[test]
    fn a_key_check_proves_the_same_key_under_the_same_id() {
        let (keys, sealer) = ring(&["a", "b"], "a");
        let check_b = sealer.key_check("b").unwrap();
        assert!(sealer.verifies(&check_b));
        assert!(sealer.key_check("c").is_none());
        let only_a = Sealer::new(&keys[..1], "a").unwrap();
        assert!(!only_a.verifies(&check_b));
        let impostor = Sealer::new(&[DataKey::generate("b").unwrap()], "b").unwrap();
        assert!(!impostor.verifies(&check_b));
    }

    #[test]
    fn keys_parse_from_base64_and_bad_ones_are_refused() {
        let key = DataKey::generate("main").unwrap();
        let text = key.to_base64();
        assert_eq!(text.len(), 44);
        let again = DataKey::parse("main", &text).unwrap();
        assert_eq!(again.to_base64(), text);
        assert!(DataKey::parse("main", text.trim_end_matches('=')).is_ok());
        assert!(DataKey::parse("main", "c2hvcnQ=").is_err());
        assert!(DataKey::parse("main", "not base64!").is_err());
        assert!(DataKey::parse("bad id", &text).is_err());
        assert!(DataKey::parse("", &text).is_err());
        assert!(!format!("{key:?}").contains(&text));
        assert!(Sealer::new(&[key.clone(), again], "main").is_err());
        assert!(Sealer::new(&[key], "other").is_err());
    }

    #[test]
    fn search_refs_name_the_ids_and_buttons_but_not_the_text() {
        let update = r#"{"update_id":9,"message":{"message_id":3,"date":1700000000,
            "from":{"id":424242,"first_name":"Ana"},"chat":{"id":-100777,"type":"supergroup"},
            "reply_to_message":{"from":{"id":515151}},"text":"call me 5550101"}}"#;
        let refs = search_refs(update);
        for id in ["424242", "-100777", "515151", "9", "3"] {
            assert!(refs.contains(&format!(" {id} ")), "{id} in {refs}");
        }
        assert!(!refs.contains("1700000000") && !refs.contains("5550101") && !refs.contains("Ana"));
        let action = r#"{"type":"send_text","chat_id":-5,"text":"Order #12 by Ana",
            "buttons":[[{"text":"Ship","callback":"st:ship:12"}]],"user_id":77}"#;
        let refs = search_refs(action);
        assert!(refs.contains(" st:ship:12 ") && refs.contains(" 77 ") && refs.contains(" -5 "));
        assert!(!refs.contains("Ana"));
        assert_eq!(search_refs("not json"), " ");
    }
}
