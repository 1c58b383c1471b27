//! Fuzz target: turning a decoded update into what the core handles ([`to_incoming`]).
//!
//! Inputs are the Telegram fixtures mutated structurally and as text (the generator of
//! `crates/telegram/tests/support/mutate.rs`) and arbitrary bytes; whatever the decoder
//! accepts goes through [`to_incoming`]. Checked: it never panics; it gives an interaction
//! exactly when the update has a chat (or is a poll's state, which has none: chat 0); and for
//! an update of one kind, that interaction belongs to the chat the intake ordered the update
//! by ([`Update::chat_id`]).
//!
//! `PROPTEST_CASES` sets the number of cases and `FUZZ_SECONDS` bounds a long run
//! (`scripts/fuzz.sh`); failing inputs are kept in `proptest-regressions/`.

#[path = "../../telegram/tests/support/mutate.rs"]
mod mutate;

use chrono::{TimeZone, Utc};
use groupcart_bot::translate::to_incoming;
use groupcart_telegram::types::Update;
use proptest::prelude::*;
use proptest::test_runner::FileFailurePersistence;
use std::sync::OnceLock;
use std::time::Instant;

/// The fuzz cases of a normal test run, per property.
const CASES: u32 = 300;

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: mutate::cases(CASES),
        failure_persistence: Some(Box::new(FileFailurePersistence::Direct(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/proptest-regressions/fuzz_translate.txt"
        )))),
        ..ProptestConfig::default()
    }
}

/// How many of the update kinds the bot models are set.
fn modelled_kinds(update: &Update) -> usize {
    [
        update.message.is_some(),
        update.edited_message.is_some(),
        update.channel_post.is_some(),
        update.edited_channel_post.is_some(),
        update.callback_query.is_some(),
        update.my_chat_member.is_some(),
        update.chat_member.is_some(),
        update.chat_join_request.is_some(),
        update.pre_checkout_query.is_some(),
        update.shipping_query.is_some(),
        update.poll.is_some(),
    ]
    .into_iter()
    .filter(|&set| set)
    .count()
}

fn check(bytes: &[u8]) -> Result<(), TestCaseError> {
    let Ok(update) = serde_json::from_slice::<Update>(bytes) else {
        return Ok(());
    };
    let at = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
    let incoming = to_incoming(&update, at);
    if modelled_kinds(&update) <= 1 {
        // A poll's state names no chat: it reaches the core with chat 0.
        let chat_id = if update.poll.is_some() {
            Some(0)
        } else {
            update.chat_id()
        };
        prop_assert_eq!(incoming.as_ref().map(|i| i.chat_id), chat_id);
    }
    if let Some(incoming) = incoming {
        prop_assert_eq!(incoming.at, at);
    }
    Ok(())
}

#[test]
fn every_fixture_translates() {
    for index in 0..mutate::FIXTURES.len() {
        let bytes = serde_json::to_vec(&mutate::fixture(index)).expect("serializes");
        let update: Update = serde_json::from_slice(&bytes).expect("decodes");
        assert!(to_incoming(&update, Utc::now()).is_some());
        check(&bytes).expect("fixture passes");
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn mutated_updates_translate_without_panic(choices in prop::collection::vec(any::<u64>(), 0..48)) {
        static START: OnceLock<Instant> = OnceLock::new();
        if mutate::out_of_time(*START.get_or_init(Instant::now)) {
            return Ok(());
        }
        check(&mutate::mutated_update(&choices))?;
    }

    #[test]
    fn arbitrary_bytes_translate_without_panic(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        static START: OnceLock<Instant> = OnceLock::new();
        if mutate::out_of_time(*START.get_or_init(Instant::now)) {
            return Ok(());
        }
        check(&bytes)?;
    }
}
