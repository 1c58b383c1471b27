//! Fuzz target: decoding updates as they come from outside.
//!
//! Inputs are the real fixtures mutated structurally and as text (see
//! `support/mutate.rs`), arbitrary strings and arbitrary bytes. Checked: decoding an
//! [`Update`] and [`peek_update`] never panic, nor do the accessors the bot calls on a
//! decoded update (kind, chat, sender, command, entity text); when an update decodes,
//! re-serializing it and decoding again gives an equal update, the re-serialized JSON only
//! keeps (never alters) what was sent (a struct sent as an array
//! of its fields is the one exception, see [`is_subset`]), and `peek_update` agrees with the full decode.
//!
//! `PROPTEST_CASES` sets the number of cases and `FUZZ_SECONDS` bounds a long run
//! (`scripts/fuzz.sh`); failing inputs are kept in `proptest-regressions/`.

#[path = "support/mutate.rs"]
mod mutate;

use groupcart_telegram::types::{peek_update, Message, Update};
use proptest::prelude::*;
use proptest::test_runner::FileFailurePersistence;
use serde_json::{Map, Number, Value};
use std::sync::OnceLock;
use std::time::Instant;

/// The fuzz cases of a normal test run, per property.
const CASES: u32 = 300;

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: mutate::cases(CASES),
        failure_persistence: Some(Box::new(FileFailurePersistence::Direct(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/proptest-regressions/fuzz_updates.txt"
        )))),
        ..ProptestConfig::default()
    }
}

/// See `is_subset` in `parse.rs`: `sub` has no key or value `full` lacks.
///
/// One exception: serde's derived structs also accept their fields as a JSON array, in
/// declaration order, and serialize them back as an object; that object stands for the
/// array it came from.
fn is_subset(sub: &Value, full: &Value) -> bool {
    match (sub, full) {
        (Value::Object(s), Value::Array(f)) => s.len() <= f.len(),
        (Value::Object(s), Value::Object(f)) => s
            .iter()
            .all(|(k, v)| f.get(k).is_some_and(|fv| is_subset(v, fv))),
        (Value::Array(s), Value::Array(f)) => {
            s.len() == f.len() && s.iter().zip(f).all(|(a, b)| is_subset(a, b))
        }
        (Value::Number(s), Value::Number(f)) => same_number(s, f),
        _ => sub == full,
    }
}

/// Equal, except that floats only need to be within a few units in the last place:
/// serde_json's default float parser (without its `float_roundtrip` feature) may read the
/// shortest printed form of a float back one unit off.
fn same_number(a: &Number, b: &Number) -> bool {
    match (a.is_f64(), b.is_f64(), a.as_f64(), b.as_f64()) {
        (true, _, Some(x), Some(y)) | (_, true, Some(x), Some(y)) => {
            x == y || (x - y).abs() <= x.abs().max(y.abs()) * 1e-15
        }
        _ => a == b,
    }
}

/// `a` and `b` are the same JSON, with floats compared as in [`same_number`].
fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Object(a), Value::Object(b)) => {
            a.len() == b.len() && a.iter().all(|(k, v)| b.get(k).is_some_and(|w| same(v, w)))
        }
        (Value::Array(a), Value::Array(b)) => {
            a.len() == b.len() && a.iter().zip(b).all(|(v, w)| same(v, w))
        }
        (Value::Number(a), Value::Number(b)) => same_number(a, b),
        _ => a == b,
    }
}

/// Everything the bot reads off a message.
fn touch_message(message: &Message) {
    let _ = message.command();
    for (text, entities) in [
        (&message.text, &message.entities),
        (&message.caption, &message.caption_entities),
    ] {
        if let (Some(text), Some(entities)) = (text, entities) {
            for entity in entities {
                if let Some(part) = entity.extract(text) {
                    assert!(text.contains(part));
                }
            }
        }
    }
    if let Some(reply) = &message.reply_to_message {
        touch_message(reply);
    }
}

/// Decodes `bytes` as Telegram's webhook and poller do and checks the properties.
fn check(bytes: &[u8]) -> Result<(), TestCaseError> {
    let head = peek_update(bytes);
    let Ok(update) = serde_json::from_slice::<Update>(bytes) else {
        return Ok(());
    };
    let _ = (update.kind_name(), update.from());
    if let Some(message) = update.any_message() {
        touch_message(message);
    }
    if let Some(message) = update
        .callback_query
        .as_ref()
        .and_then(|q| q.message.as_ref())
    {
        touch_message(message);
    }
    let head = head.map_err(|e| TestCaseError::fail(format!("peek failed: {e}")))?;
    prop_assert_eq!(head.update_id, update.update_id);
    prop_assert_eq!(head.chat_id, update.chat_id());

    let reserialized = serde_json::to_vec(&update).expect("an update serializes");
    let again: Update = serde_json::from_slice(&reserialized).map_err(|e| {
        TestCaseError::fail(format!(
            "re-serialized update does not decode: {e}: {}",
            String::from_utf8_lossy(&reserialized)
        ))
    })?;
    // Modelled fields hold no floats and must be equal; unmodelled ones are kept as JSON.
    let (other, again_other) = (
        Value::from(update.other.clone()),
        Value::from(again.other.clone()),
    );
    prop_assert!(same(&again_other, &other), "{} != {}", again_other, other);
    let modelled = |u: &Update| Update {
        other: Map::new(),
        ..u.clone()
    };
    prop_assert_eq!(modelled(&again), modelled(&update));

    // Fields the types do not model are skipped without serde_json's nesting limit, so an
    // update may decode where a `Value` of it would be too deep.
    let Ok(original) = serde_json::from_slice::<Value>(bytes) else {
        return Ok(());
    };
    let reserialized: Value = serde_json::from_slice(&reserialized).expect("JSON");
    prop_assert!(
        is_subset(&reserialized, &original),
        "re-serialization changed data: {}",
        reserialized
    );
    Ok(())
}

#[test]
fn every_fixture_is_a_starting_point() {
    let dir = format!("{}/tests/fixtures", env!("CARGO_MANIFEST_DIR"));
    let mut on_disk: Vec<String> = std::fs::read_dir(&dir)
        .expect("fixtures")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    on_disk.sort();
    let listed: Vec<&str> = mutate::FIXTURES.iter().map(|(name, _)| *name).collect();
    assert_eq!(on_disk, listed, "list new fixtures in support/mutate.rs");
    for (index, _) in mutate::FIXTURES.iter().enumerate() {
        let bytes = serde_json::to_vec(&mutate::fixture(index)).expect("serializes");
        serde_json::from_slice::<Update>(&bytes).expect("fixture decodes");
        check(&bytes).expect("fixture passes");
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn mutated_updates_decode_without_panic(choices in prop::collection::vec(any::<u64>(), 0..48)) {
        static START: OnceLock<Instant> = OnceLock::new();
        if mutate::out_of_time(*START.get_or_init(Instant::now)) {
            return Ok(());
        }
        check(&mutate::mutated_update(&choices))?;
    }

    #[test]
    fn arbitrary_bytes_decode_without_panic(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        static START: OnceLock<Instant> = OnceLock::new();
        if mutate::out_of_time(*START.get_or_init(Instant::now)) {
            return Ok(());
        }
        check(&bytes)?;
    }

    #[test]
    fn arbitrary_text_decodes_without_panic(text in any::<String>()) {
        static START: OnceLock<Instant> = OnceLock::new();
        if mutate::out_of_time(*START.get_or_init(Instant::now)) {
            return Ok(());
        }
        check(text.as_bytes())?;
    }
}
