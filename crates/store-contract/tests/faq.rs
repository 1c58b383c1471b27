//! The FAQ contract ([`FaqStore`], [`FaqTx`]): entries round-trip with their questions,
//! answers and keywords, keys are unique, an upsert says whether it created, the revision
//! changes with every change, unanswered questions are listed newest first, and a
//! customer's rating of an entry replaces their earlier one and goes with the entry.
//! Every test here runs once on SQLite and once on PostgreSQL, each on a fresh database.
//!
//! [`FaqStore`]: groupcart_core::faq::FaqStore
//! [`FaqTx`]: groupcart_core::faq::FaqTx

use groupcart_core::customer::CustomerId;
use groupcart_core::faq::{FaqRating, NewFaqEntry, NewUnanswered};
use groupcart_core::store::SharedStore;
use groupcart_core::Error;
use groupcart_store_contract::fixtures::{customers, t};
use std::collections::BTreeMap;

groupcart_store_contract::backend_tests!(
    entries_round_trip_and_keys_are_unique,
    updating_replaces_an_entry_or_finds_none,
    upsert_creates_then_replaces_by_key,
    revision_changes_with_every_change,
    unanswered_questions_newest_first,
    ratings_are_replaced_counted_and_go_with_the_entry,
    a_nul_character_is_kept_or_refused_as_bad_input,
);

/// Regression: PostgreSQL text cannot hold NUL, and the API answered such input with a 500.
/// Either database may refuse it, but only as bad input.
async fn a_nul_character_is_kept_or_refused_as_bad_input(store: SharedStore) {
    let mut e = entry("nul", "before\0after");
    e.keywords = vec!["a\0b".into()];
    match store.create_faq_entry(&e, t(1)).await {
        Ok(stored) => assert_eq!(stored.entry.answers["en"], "before\0after"),
        Err(Error::Invalid(message)) => assert!(message.contains("NUL"), "{message}"),
        Err(other) => panic!("a NUL character failed the store: {other:?}"),
    }
}

fn entry(key: &str, answer: &str) -> NewFaqEntry {
    let questions: BTreeMap<String, Vec<String>> = [
        (
            "en".to_string(),
            vec![
                "How long does shipping take?".to_string(),
                "When will my order arrive?".to_string(),
            ],
        ),
        ("zh".to_string(), vec!["发货要多久？".to_string()]),
    ]
    .into_iter()
    .collect();
    NewFaqEntry {
        key: key.into(),
        topic: "orders".into(),
        questions,
        answers: [
            ("en".to_string(), answer.to_string()),
            ("zh".to_string(), "五到十天".to_string()),
        ]
        .into_iter()
        .collect(),
        keywords: vec!["shipping".into(), "delivery".into(), "发货".into()],
    }
}

async fn entries_round_trip_and_keys_are_unique(store: SharedStore) {
    assert!(store.faq_entries().await.unwrap().is_empty());
    let shipping = store
        .create_faq_entry(&entry("shipping-time", "5-10 days"), t(1))
        .await
        .unwrap();
    assert_eq!(shipping.entry, entry("shipping-time", "5-10 days"));
    assert_eq!(shipping.updated_at, t(1));
    let mut returns = entry("returns", "Within 30 days");
    returns.topic = "returns".into();
    returns.keywords.clear();
    let returns = store.create_faq_entry(&returns, t(2)).await.unwrap();
    assert!(returns.id > shipping.id);
    assert_eq!(
        store.faq_entries().await.unwrap(),
        vec![shipping.clone(), returns.clone()]
    );

    let twice = store
        .create_faq_entry(&entry("shipping-time", "other"), t(3))
        .await;
    assert!(matches!(twice, Err(Error::Conflict(_))), "{twice:?}");
    assert_eq!(store.faq_entries().await.unwrap().len(), 2);
}

async fn updating_replaces_an_entry_or_finds_none(store: SharedStore) {
    let a = store
        .create_faq_entry(&entry("a", "first"), t(1))
        .await
        .unwrap();
    let b = store
        .create_faq_entry(&entry("b", "second"), t(1))
        .await
        .unwrap();

    let mut changed = entry("a-renamed", "changed");
    changed.topic = "pre-sales".into();
    changed.questions.remove("zh");
    let updated = store
        .update_faq_entry(a.id, &changed, t(5))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (updated.id, &updated.entry, updated.updated_at),
        (a.id, &changed, t(5))
    );
    assert_eq!(
        store.faq_entries().await.unwrap(),
        vec![updated.clone(), b.clone()]
    );

    assert_eq!(
        store
            .update_faq_entry(b.id + 100, &entry("c", "x"), t(6))
            .await
            .unwrap(),
        None
    );
    let taken = store
        .update_faq_entry(b.id, &entry("a-renamed", "x"), t(6))
        .await;
    assert!(matches!(taken, Err(Error::Conflict(_))), "{taken:?}");
    // Keeping its own key is no conflict.
    let same_key = store
        .update_faq_entry(b.id, &entry("b", "second, again"), t(7))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(same_key.entry.answers["en"], "second, again");
    assert_eq!(store.faq_entries().await.unwrap(), vec![updated, same_key]);
}

async fn upsert_creates_then_replaces_by_key(store: SharedStore) {
    assert!(store
        .upsert_faq_entry(&entry("shipping", "5-10 days"), t(1))
        .await
        .unwrap());
    let created = store.faq_entries().await.unwrap();
    assert_eq!(created.len(), 1);
    assert_eq!(created[0].entry, entry("shipping", "5-10 days"));

    let mut replacement = entry("shipping", "3-7 days");
    replacement.keywords = vec!["post".into()];
    assert!(!store.upsert_faq_entry(&replacement, t(2)).await.unwrap());
    let replaced = store.faq_entries().await.unwrap();
    assert_eq!(replaced.len(), 1);
    assert_eq!(replaced[0].id, created[0].id, "the same entry, replaced");
    assert_eq!(replaced[0].entry, replacement);
    assert_eq!(replaced[0].updated_at, t(2));

    assert!(store
        .upsert_faq_entry(&entry("payment", "Cards and Stars"), t(3))
        .await
        .unwrap());
    assert_eq!(store.faq_entries().await.unwrap().len(), 2);
}

async fn revision_changes_with_every_change(store: SharedStore) {
    let mut seen = vec![store.faq_revision().await.unwrap()];
    // Reading does not change it.
    assert_eq!(store.faq_revision().await.unwrap(), seen[0]);
    let mut changed = |revision: String, what: &str| {
        assert!(
            !seen.contains(&revision),
            "{what} kept the revision {revision}"
        );
        seen.push(revision);
    };

    let a = store
        .create_faq_entry(&entry("a", "1"), t(1))
        .await
        .unwrap();
    changed(store.faq_revision().await.unwrap(), "creating");
    // An update at the very same time as the entry's last change.
    store
        .update_faq_entry(a.id, &entry("a", "2"), t(1))
        .await
        .unwrap();
    changed(store.faq_revision().await.unwrap(), "updating");
    store
        .upsert_faq_entry(&entry("a", "3"), t(1))
        .await
        .unwrap();
    changed(
        store.faq_revision().await.unwrap(),
        "upserting an existing key",
    );
    store
        .upsert_faq_entry(&entry("b", "1"), t(1))
        .await
        .unwrap();
    changed(store.faq_revision().await.unwrap(), "upserting a new key");
    // One entry less and one more, in the same millisecond: as many entries as before.
    assert!(store.delete_faq_entry(a.id).await.unwrap());
    let between = store.faq_revision().await.unwrap();
    store
        .create_faq_entry(&entry("c", "1"), t(1))
        .await
        .unwrap();
    changed(between, "deleting");
    changed(
        store.faq_revision().await.unwrap(),
        "creating after deleting",
    );

    // What changes nothing may keep it.
    let before = store.faq_revision().await.unwrap();
    assert!(!store.delete_faq_entry(a.id).await.unwrap());
    let failed = store.create_faq_entry(&entry("c", "again"), t(2)).await;
    assert!(matches!(failed, Err(Error::Conflict(_))), "{failed:?}");
    assert_eq!(store.faq_revision().await.unwrap(), before);
}

fn question(customer: Option<CustomerId>, text: &str, secs: i64) -> NewUnanswered {
    NewUnanswered {
        customer_id: customer,
        language: "en".into(),
        question: text.into(),
        best_entry: None,
        best_confidence: None,
        at: t(secs),
    }
}

async fn unanswered_questions_newest_first(store: SharedStore) {
    let ids = customers(&store, &[101, 102]).await;
    let shipping = store
        .create_faq_entry(&entry("shipping", "5-10 days"), t(0))
        .await
        .unwrap();
    let mut tx = store.begin().await.unwrap();
    let first = tx
        .record_unanswered(&question(Some(ids[0]), "do you ship to Mars?", 10))
        .await
        .unwrap();
    let close = NewUnanswered {
        best_entry: Some(shipping.id),
        best_confidence: Some(420),
        language: "zh".into(),
        ..question(Some(ids[1]), "能寄到火星吗", 20)
    };
    let second = tx.record_unanswered(&close).await.unwrap();
    let anonymous = tx
        .record_unanswered(&question(None, "what about Venus?", 30))
        .await
        .unwrap();
    let read = tx.unanswered(second).await.unwrap().unwrap();
    assert_eq!(read.id, second);
    assert_eq!(read.customer_id, Some(ids[1]));
    assert_eq!(
        (read.language.as_str(), read.question.as_str()),
        ("zh", "能寄到火星吗")
    );
    assert_eq!(
        (read.best_entry, read.best_confidence),
        (Some(shipping.id), Some(420))
    );
    assert_eq!(read.at, t(20));
    assert_eq!(tx.unanswered(anonymous + 100).await.unwrap(), None);
    tx.commit().await.unwrap();

    let newest = store.unanswered_questions(10).await.unwrap();
    assert_eq!(
        newest.iter().map(|q| q.id).collect::<Vec<_>>(),
        vec![anonymous, second, first]
    );
    assert_eq!(newest[0].customer_id, None);
    assert_eq!(newest[2].best_entry, None);
    assert_eq!(newest[1], read);
    let two = store.unanswered_questions(2).await.unwrap();
    assert_eq!(
        two.iter().map(|q| q.id).collect::<Vec<_>>(),
        vec![anonymous, second]
    );
    // One customer's, oldest first (their data export).
    let mut tx = store.begin().await.unwrap();
    let later = tx
        .record_unanswered(&question(Some(ids[0]), "and to the Moon?", 40))
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let theirs = store.customer_unanswered(ids[0]).await.unwrap();
    assert_eq!(
        theirs.iter().map(|q| q.id).collect::<Vec<_>>(),
        vec![first, later]
    );
    assert_eq!(store.customer_unanswered(ids[1]).await.unwrap().len(), 1);
}

async fn rate(store: &SharedStore, entry: i64, customer: CustomerId, helpful: bool, secs: i64) {
    let mut tx = store.begin().await.unwrap();
    tx.rate_faq_answer(entry, customer, helpful, t(secs))
        .await
        .unwrap();
    tx.commit().await.unwrap();
}

async fn ratings_are_replaced_counted_and_go_with_the_entry(store: SharedStore) {
    let ids = customers(&store, &[201, 202, 203]).await;
    let a = store
        .create_faq_entry(&entry("a", "1"), t(0))
        .await
        .unwrap();
    let b = store
        .create_faq_entry(&entry("b", "1"), t(0))
        .await
        .unwrap();
    let unrated = store
        .create_faq_entry(&entry("c", "1"), t(0))
        .await
        .unwrap();
    assert!(store.faq_ratings().await.unwrap().is_empty());

    rate(&store, b.id, ids[0], true, 1).await;
    rate(&store, a.id, ids[0], true, 2).await;
    // The same customer changes their mind: the second rating replaces the first.
    rate(&store, a.id, ids[0], false, 3).await;
    rate(&store, a.id, ids[1], true, 4).await;
    rate(&store, a.id, ids[2], true, 5).await;
    assert_eq!(
        store.faq_ratings().await.unwrap(),
        vec![
            FaqRating {
                entry_id: a.id,
                helpful: 2,
                not_helpful: 1,
            },
            FaqRating {
                entry_id: b.id,
                helpful: 1,
                not_helpful: 0,
            },
        ]
    );

    let mut tx = store.begin().await.unwrap();
    let unknown = tx
        .rate_faq_answer(unrated.id + 100, ids[0], true, t(6))
        .await;
    assert!(unknown.is_err(), "{unknown:?}");
    drop(tx);

    // Deleting an entry deletes its ratings.
    assert!(store.delete_faq_entry(a.id).await.unwrap());
    assert_eq!(
        store.faq_ratings().await.unwrap(),
        vec![FaqRating {
            entry_id: b.id,
            helpful: 1,
            not_helpful: 0,
        }]
    );
    assert_eq!(store.faq_entries().await.unwrap().len(), 2);
}
