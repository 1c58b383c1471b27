//! The store contract: every test here runs once on SQLite and once on PostgreSQL.
//!
//! Each contract is an `async fn(SharedStore)`; `backend_tests!` turns it into the tests
//! `sqlite::<name>` and `postgres::<name>`, each on a fresh database.

use chrono::{DateTime, Duration as TimeSpan, TimeZone, Utc};
use groupcart_core::consent::{ConsentPurpose, ConsentRecord};
use groupcart_core::customer::{CustomerId, CustomerSighting};
use groupcart_core::event::NewEvent;
use groupcart_core::inbox::NewInboxUpdate;
use groupcart_core::job::NewJob;
use groupcart_core::outbox::{Action, Button, NewOutbound, OutboxStats, Settlement};
use groupcart_core::store::SharedStore;
use groupcart_core::Error;
use serde_json::json;
use std::collections::HashSet;
use std::time::Duration;

groupcart_store_contract::backend_tests!(
    ping_answers,
    recent_sends_are_the_bots_sent_messages_since,
    inbox_dedups_across_calls,
    inbox_dedups_within_a_batch,
    inbox_keys_are_per_bot,
    inbox_large_batch_keeps_order,
    inbox_pending_orders_by_seq_after_cursor,
    inbox_round_trips_fields,
    inbox_done_removes_from_pending,
    inbox_done_twice_conflicts,
    inbox_failed_counts_attempts_and_gives_up,
    tx_dropped_rolls_back_everything,
    tx_sees_its_own_writes_others_do_not,
    tx_after_rollback_store_is_usable,
    reads_do_not_wait_for_an_open_tx,
    upsert_creates_then_updates,
    upsert_keeps_first_source_and_bot,
    upsert_fills_a_missing_first_source,
    upsert_never_moves_last_seen_back,
    concurrent_upserts_create_once,
    set_language,
    set_language_of_unknown_customer_is_not_found,
    consent_history_and_current_per_purpose,
    consent_ties_on_time_break_by_insertion,
    consent_for_unknown_customer_fails,
    events_filter_and_order,
    events_round_trip_fields,
    outbox_due_respects_bot_not_before_and_order,
    outbox_due_offers_only_each_chats_oldest,
    enqueue_ids_in_one_tx_are_the_stored_ids,
    outbox_round_trips_actions,
    outbox_settle_sent,
    outbox_settle_retry,
    outbox_settle_failed,
    outbox_settled_message_is_unchanged,
    outbox_settle_writes_event,
    outbox_stats_count_states,
    jobs_schedule_claim_complete,
    jobs_not_due_are_not_claimed,
    jobs_claim_in_run_at_order_up_to_limit,
    jobs_complete_many_at_once,
    jobs_lease_hides_then_expires,
    jobs_retry_releases_until_run_at,
    jobs_fail_for_good,
    jobs_dedup_key,
    jobs_dedup_key_is_free_after_rollback,
    jobs_concurrent_claimers_never_share,
    job_lag_measures_oldest_due_unclaimed,
    zero_and_negative_limits_return_nothing,
    timestamps_round_trip_at_millisecond_precision,
    unicode_round_trips,
);

// --- helpers ---

/// A fixed, whole-millisecond instant plus `secs` seconds.
fn t(secs: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 3, 1, 12, 0, 0).unwrap() + TimeSpan::seconds(secs)
}

fn update(bot: &str, update_id: i64) -> NewInboxUpdate {
    NewInboxUpdate {
        bot: bot.to_owned(),
        update_id,
        chat_id: Some(1000 + update_id),
        payload: format!(r#"{{"update_id":{update_id}}}"#),
        received_at: t(update_id),
    }
}

fn sighting(telegram_user_id: i64, at: DateTime<Utc>) -> CustomerSighting {
    CustomerSighting {
        telegram_user_id,
        first_name: "Ada".into(),
        last_name: Some("Lovelace".into()),
        username: Some("ada".into()),
        telegram_language: Some("en".into()),
        source: None,
        bot: "shop_bot".into(),
        at,
    }
}

fn message(bot: &str, chat_id: i64, not_before: DateTime<Utc>) -> NewOutbound {
    NewOutbound {
        bot: bot.to_owned(),
        chat_id,
        customer_id: None,
        action: Action::SendText {
            text: format!("hello {chat_id}"),
            buttons: vec![],
        },
        broadcast: false,
        not_before,
        created_at: t(0),
    }
}

fn consent(
    customer: CustomerId,
    purpose: ConsentPurpose,
    granted: bool,
    at: DateTime<Utc>,
) -> ConsentRecord {
    ConsentRecord {
        customer_id: customer,
        purpose,
        granted,
        policy_version: "2025-01".into(),
        bot: "shop_bot".into(),
        at,
    }
}

async fn new_customer(store: &SharedStore, telegram_user_id: i64) -> CustomerId {
    let mut tx = store.begin().await.unwrap();
    let id = tx
        .upsert_customer(&sighting(telegram_user_id, t(0)))
        .await
        .unwrap()
        .customer
        .id;
    tx.commit().await.unwrap();
    id
}

async fn enqueue(store: &SharedStore, m: &NewOutbound) -> i64 {
    let mut tx = store.begin().await.unwrap();
    let id = tx.enqueue(m).await.unwrap();
    tx.commit().await.unwrap();
    id
}

async fn schedule(store: &SharedStore, job: &NewJob) -> Option<i64> {
    let mut tx = store.begin().await.unwrap();
    let id = tx.schedule_job(job).await.unwrap();
    tx.commit().await.unwrap();
    id
}

async fn complete(store: &SharedStore, id: i64) {
    let mut tx = store.begin().await.unwrap();
    tx.complete_job(id).await.unwrap();
    tx.commit().await.unwrap();
}

async fn due_ids(store: &SharedStore, bot: &str, now: DateTime<Utc>) -> Vec<i64> {
    store
        .outbox_due(bot, now, 100)
        .await
        .unwrap()
        .iter()
        .map(|m| m.id)
        .collect()
}

async fn pending_ids(store: &SharedStore) -> Vec<i64> {
    store
        .inbox_pending(0, 1000)
        .await
        .unwrap()
        .iter()
        .map(|u| u.update_id)
        .collect()
}

const LEASE: Duration = Duration::from_secs(30);

// --- basics ---

async fn ping_answers(store: SharedStore) {
    store.ping().await.unwrap();
}

// --- inbox ---

async fn inbox_dedups_across_calls(store: SharedStore) {
    let first = store
        .inbox_insert(&[update("a", 1), update("a", 2)])
        .await
        .unwrap();
    assert_eq!(first, vec![true, true]);
    let second = store
        .inbox_insert(&[update("a", 2), update("a", 3)])
        .await
        .unwrap();
    assert_eq!(second, vec![false, true]);
    assert_eq!(store.inbox_insert(&[]).await.unwrap(), Vec::<bool>::new());
    assert_eq!(pending_ids(&store).await, vec![1, 2, 3]);
}

async fn inbox_dedups_within_a_batch(store: SharedStore) {
    let mut again = update("a", 1);
    again.payload = r#"{"second":true}"#.into();
    let result = store
        .inbox_insert(&[update("a", 1), update("a", 2), again, update("a", 2)])
        .await
        .unwrap();
    assert_eq!(result, vec![true, true, false, false]);
    let pending = store.inbox_pending(0, 10).await.unwrap();
    assert_eq!(pending.len(), 2);
    // The first copy is the one kept.
    assert_eq!(pending[0].payload, update("a", 1).payload);
}

async fn inbox_keys_are_per_bot(store: SharedStore) {
    let result = store
        .inbox_insert(&[update("a", 1), update("b", 1)])
        .await
        .unwrap();
    assert_eq!(result, vec![true, true]);
    let bots: Vec<String> = store
        .inbox_pending(0, 10)
        .await
        .unwrap()
        .into_iter()
        .map(|u| u.bot)
        .collect();
    assert_eq!(bots, vec!["a", "b"]);
}

async fn inbox_large_batch_keeps_order(store: SharedStore) {
    // Larger than any internal chunk, with duplicates spread through it.
    let batch: Vec<NewInboxUpdate> = (0..750).map(|i| update("big", i % 500)).collect();
    let result = store.inbox_insert(&batch).await.unwrap();
    for (i, new) in result.iter().enumerate() {
        assert_eq!(*new, i < 500, "update {i}");
    }
    let pending = store.inbox_pending(0, 1000).await.unwrap();
    assert_eq!(pending.len(), 500);
    let ids: Vec<i64> = pending.iter().map(|u| u.update_id).collect();
    assert_eq!(ids, (0..500).collect::<Vec<_>>(), "seq follows batch order");
    assert!(pending.windows(2).all(|w| w[0].seq < w[1].seq));
    // A second batch of the same keys is all duplicates.
    let again = store.inbox_insert(&batch[..500]).await.unwrap();
    assert!(again.iter().all(|new| !new));
}

async fn inbox_pending_orders_by_seq_after_cursor(store: SharedStore) {
    store
        .inbox_insert(&[update("a", 30), update("b", 10), update("a", 20)])
        .await
        .unwrap();
    let all = store.inbox_pending(0, 10).await.unwrap();
    // Arrival order, not update id order.
    let ids: Vec<i64> = all.iter().map(|u| u.update_id).collect();
    assert_eq!(ids, vec![30, 10, 20]);
    let after_first = store.inbox_pending(all[0].seq, 10).await.unwrap();
    assert_eq!(
        after_first.iter().map(|u| u.update_id).collect::<Vec<_>>(),
        vec![10, 20]
    );
    let limited = store.inbox_pending(0, 2).await.unwrap();
    assert_eq!(limited.len(), 2);
    assert!(store
        .inbox_pending(all[2].seq, 10)
        .await
        .unwrap()
        .is_empty());
}

async fn inbox_round_trips_fields(store: SharedStore) {
    let mut u = update("a", 7);
    u.chat_id = None;
    u.payload = r#"{"message":{"text":"héllo 👋"}}"#.into();
    u.received_at = t(0) + TimeSpan::milliseconds(987);
    store.inbox_insert(std::slice::from_ref(&u)).await.unwrap();
    let got = &store.inbox_pending(0, 1).await.unwrap()[0];
    assert!(got.seq > 0);
    assert_eq!(got.bot, u.bot);
    assert_eq!(got.update_id, 7);
    assert_eq!(got.chat_id, None);
    assert_eq!(got.payload, u.payload);
    assert_eq!(got.received_at, u.received_at);
    assert_eq!(got.attempts, 0);
}

async fn inbox_done_removes_from_pending(store: SharedStore) {
    store
        .inbox_insert(&[update("a", 1), update("a", 2)])
        .await
        .unwrap();
    let first = store.inbox_pending(0, 10).await.unwrap()[0].seq;
    let mut tx = store.begin().await.unwrap();
    tx.inbox_done(first).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(pending_ids(&store).await, vec![2]);
    // A processed update stays a duplicate.
    assert_eq!(
        store.inbox_insert(&[update("a", 1)]).await.unwrap(),
        vec![false]
    );
}

async fn inbox_done_twice_conflicts(store: SharedStore) {
    store.inbox_insert(&[update("a", 1)]).await.unwrap();
    let seq = store.inbox_pending(0, 10).await.unwrap()[0].seq;
    let mut first = store.begin().await.unwrap();
    first.inbox_done(seq).await.unwrap();
    first.commit().await.unwrap();
    // A second processing of the same update must not be able to commit.
    let mut second = store.begin().await.unwrap();
    second
        .append_event(&NewEvent::new("processed_again", t(0)))
        .await
        .unwrap();
    let err = match second.inbox_done(seq).await {
        Err(err) => err,
        Ok(()) => second.commit().await.unwrap_err(),
    };
    assert!(matches!(err, Error::Conflict(_)), "{err:?}");
    assert!(store
        .recent_events(Some("processed_again"), 10)
        .await
        .unwrap()
        .is_empty());
}

async fn inbox_failed_counts_attempts_and_gives_up(store: SharedStore) {
    store
        .inbox_insert(&[update("a", 1), update("a", 2)])
        .await
        .unwrap();
    let seq = store.inbox_pending(0, 10).await.unwrap()[0].seq;
    store.inbox_failed(seq, "boom", false).await.unwrap();
    store.inbox_failed(seq, "boom again", false).await.unwrap();
    let pending = store.inbox_pending(0, 10).await.unwrap();
    assert_eq!(pending[0].seq, seq, "still offered");
    assert_eq!(pending[0].attempts, 2);
    store.inbox_failed(seq, "give up", true).await.unwrap();
    assert_eq!(pending_ids(&store).await, vec![2]);
    // Set aside for good: it cannot be marked done, and failing it again changes nothing
    // visible.
    let mut tx = store.begin().await.unwrap();
    let done = match tx.inbox_done(seq).await {
        Ok(()) => tx.commit().await,
        Err(err) => Err(err),
    };
    assert!(matches!(done, Err(Error::Conflict(_))), "{done:?}");
    store.inbox_failed(seq, "again", false).await.unwrap();
    assert_eq!(pending_ids(&store).await, vec![2]);
    assert_eq!(
        store.inbox_insert(&[update("a", 1)]).await.unwrap(),
        vec![false]
    );
}

// --- transactions ---

async fn tx_dropped_rolls_back_everything(store: SharedStore) {
    store.inbox_insert(&[update("a", 1)]).await.unwrap();
    let seq = store.inbox_pending(0, 1).await.unwrap()[0].seq;
    {
        let mut tx = store.begin().await.unwrap();
        let c = tx.upsert_customer(&sighting(42, t(0))).await.unwrap();
        assert!(c.created);
        tx.enqueue(&message("a", 42, t(0))).await.unwrap();
        tx.inbox_done(seq).await.unwrap();
        tx.append_event(&NewEvent::new("dropped", t(0)))
            .await
            .unwrap();
        tx.schedule_job(&NewJob::new("k", json!({}), t(0)))
            .await
            .unwrap();
        // Dropped here without commit.
    }
    assert_eq!(store.customer_by_telegram_id(42).await.unwrap(), None);
    assert!(due_ids(&store, "a", t(10)).await.is_empty());
    assert_eq!(pending_ids(&store).await, vec![1]);
    assert!(store.recent_events(None, 10).await.unwrap().is_empty());
    assert!(store
        .jobs_claim("w", t(10), LEASE, 10)
        .await
        .unwrap()
        .is_empty());
    assert_eq!(store.outbox_stats().await.unwrap(), OutboxStats::default());
}

async fn tx_sees_its_own_writes_others_do_not(store: SharedStore) {
    let mut tx = store.begin().await.unwrap();
    tx.upsert_customer(&sighting(7, t(0))).await.unwrap();
    assert!(tx.customer_by_telegram_id(7).await.unwrap().is_some());
    assert_eq!(store.customer_by_telegram_id(7).await.unwrap(), None);
    tx.commit().await.unwrap();
    assert!(store.customer_by_telegram_id(7).await.unwrap().is_some());
}

async fn tx_after_rollback_store_is_usable(store: SharedStore) {
    for round in 0..3 {
        let mut tx = store.begin().await.unwrap();
        tx.upsert_customer(&sighting(round, t(0))).await.unwrap();
        drop(tx);
    }
    // Writes of every kind still work after dropped transactions.
    assert_eq!(
        store.inbox_insert(&[update("a", 1)]).await.unwrap(),
        vec![true]
    );
    let id = new_customer(&store, 99).await;
    assert_eq!(
        store.customer_by_telegram_id(99).await.unwrap().unwrap().id,
        id
    );
    assert_eq!(store.customer_by_telegram_id(0).await.unwrap(), None);
}

async fn reads_do_not_wait_for_an_open_tx(store: SharedStore) {
    let customer = new_customer(&store, 17).await;
    store.inbox_insert(&[update("a", 1)]).await.unwrap();
    let mut tx = store.begin().await.unwrap();
    tx.upsert_customer(&sighting(18, t(0))).await.unwrap();
    tx.enqueue(&message("a", 1, t(0))).await.unwrap();
    let reads = async {
        store.ping().await.unwrap();
        assert!(store.customer_by_telegram_id(17).await.unwrap().is_some());
        assert!(store.customer_by_telegram_id(18).await.unwrap().is_none());
        assert!(store.consent_history(customer).await.unwrap().is_empty());
        assert_eq!(store.inbox_pending(0, 10).await.unwrap().len(), 1);
        assert!(store.outbox_due("a", t(10), 10).await.unwrap().is_empty());
        assert_eq!(store.outbox_stats().await.unwrap(), OutboxStats::default());
        assert_eq!(store.job_lag(t(0)).await.unwrap(), Duration::ZERO);
        assert!(store.recent_events(None, 10).await.unwrap().is_empty());
    };
    tokio::time::timeout(Duration::from_secs(5), reads)
        .await
        .expect("reads must not wait for the open transaction");
    tx.commit().await.unwrap();
    assert_eq!(store.outbox_stats().await.unwrap().pending, 1);
}

// --- customers ---

async fn upsert_creates_then_updates(store: SharedStore) {
    let mut tx = store.begin().await.unwrap();
    let first = tx.upsert_customer(&sighting(5, t(0))).await.unwrap();
    assert!(first.created);
    let c = &first.customer;
    assert_eq!(c.telegram_user_id, 5);
    assert_eq!(c.first_name, "Ada");
    assert_eq!(c.last_name.as_deref(), Some("Lovelace"));
    assert_eq!(c.username.as_deref(), Some("ada"));
    assert_eq!(c.telegram_language.as_deref(), Some("en"));
    assert_eq!(c.language, None);
    assert_eq!(c.first_bot, "shop_bot");
    assert_eq!(c.first_seen_at, t(0));
    assert_eq!(c.last_seen_at, t(0));

    let mut later = sighting(5, t(60));
    later.first_name = "Augusta".into();
    later.last_name = None;
    later.username = None;
    later.telegram_language = Some("fr".into());
    let second = tx.upsert_customer(&later).await.unwrap();
    assert!(!second.created);
    let c2 = &second.customer;
    assert_eq!(c2.id, c.id);
    assert_eq!(c2.first_name, "Augusta");
    assert_eq!(c2.last_name, None);
    assert_eq!(c2.username, None);
    assert_eq!(c2.telegram_language.as_deref(), Some("fr"));
    assert_eq!(c2.first_seen_at, t(0));
    assert_eq!(c2.last_seen_at, t(60));
    tx.commit().await.unwrap();

    // An unknown Telegram language keeps the known one.
    let mut tx = store.begin().await.unwrap();
    let mut unknown = sighting(5, t(70));
    unknown.telegram_language = None;
    let third = tx.upsert_customer(&unknown).await.unwrap();
    assert!(!third.created);
    assert_eq!(third.customer.telegram_language.as_deref(), Some("fr"));
    tx.commit().await.unwrap();

    let stored = store.customer_by_telegram_id(5).await.unwrap().unwrap();
    assert_eq!(stored, third.customer);
}

async fn upsert_keeps_first_source_and_bot(store: SharedStore) {
    let mut tx = store.begin().await.unwrap();
    let mut s = sighting(8, t(0));
    s.source = Some("campaign1".into());
    s.bot = "bot_a".into();
    tx.upsert_customer(&s).await.unwrap();
    s.source = Some("campaign2".into());
    s.bot = "bot_b".into();
    s.at = t(5);
    let again = tx.upsert_customer(&s).await.unwrap();
    assert!(!again.created);
    assert_eq!(again.customer.first_source.as_deref(), Some("campaign1"));
    assert_eq!(again.customer.first_bot, "bot_a");
    s.source = None;
    let third = tx.upsert_customer(&s).await.unwrap();
    assert_eq!(third.customer.first_source.as_deref(), Some("campaign1"));
    tx.commit().await.unwrap();
}

async fn upsert_fills_a_missing_first_source(store: SharedStore) {
    // "Kept only if the customer has no first source yet": a customer who first came without
    // one gets the first source seen later, and keeps it.
    let mut tx = store.begin().await.unwrap();
    tx.upsert_customer(&sighting(9, t(0))).await.unwrap();
    let mut s = sighting(9, t(1));
    s.source = Some("late".into());
    let c = tx.upsert_customer(&s).await.unwrap().customer;
    assert_eq!(c.first_source.as_deref(), Some("late"));
    s.source = Some("later".into());
    let c = tx.upsert_customer(&s).await.unwrap().customer;
    assert_eq!(c.first_source.as_deref(), Some("late"));
    tx.commit().await.unwrap();
}

async fn upsert_never_moves_last_seen_back(store: SharedStore) {
    let mut tx = store.begin().await.unwrap();
    tx.upsert_customer(&sighting(10, t(100))).await.unwrap();
    let c = tx
        .upsert_customer(&sighting(10, t(50)))
        .await
        .unwrap()
        .customer;
    assert_eq!(c.last_seen_at, t(100));
    assert_eq!(c.first_seen_at, t(100));
    tx.commit().await.unwrap();
}

async fn concurrent_upserts_create_once(store: SharedStore) {
    let mut tasks = Vec::new();
    for i in 0..8 {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            let mut tx = store.begin().await.unwrap();
            let up = tx.upsert_customer(&sighting(11, t(i))).await.unwrap();
            tx.commit().await.unwrap();
            up
        }));
    }
    let mut created = 0;
    let mut ids = HashSet::new();
    for task in tasks {
        let up = task.await.unwrap();
        created += usize::from(up.created);
        ids.insert(up.customer.id);
    }
    assert_eq!(created, 1);
    assert_eq!(ids.len(), 1);
    let c = store.customer_by_telegram_id(11).await.unwrap().unwrap();
    assert_eq!(c.last_seen_at, t(7));
}

async fn set_language(store: SharedStore) {
    let id = new_customer(&store, 12).await;
    let mut tx = store.begin().await.unwrap();
    tx.set_customer_language(id, "uk").await.unwrap();
    assert_eq!(
        tx.customer_by_telegram_id(12)
            .await
            .unwrap()
            .unwrap()
            .language
            .as_deref(),
        Some("uk")
    );
    tx.commit().await.unwrap();
    let c = store.customer_by_telegram_id(12).await.unwrap().unwrap();
    assert_eq!(c.language.as_deref(), Some("uk"));
    // A later sighting does not touch the chosen language.
    let mut tx = store.begin().await.unwrap();
    let c = tx
        .upsert_customer(&sighting(12, t(9)))
        .await
        .unwrap()
        .customer;
    assert_eq!(c.language.as_deref(), Some("uk"));
    tx.commit().await.unwrap();
}

async fn set_language_of_unknown_customer_is_not_found(store: SharedStore) {
    let mut tx = store.begin().await.unwrap();
    let err = tx
        .set_customer_language(CustomerId(123_456), "en")
        .await
        .unwrap_err();
    assert!(matches!(err, Error::NotFound(_)), "{err:?}");
}

// --- consents ---

async fn consent_history_and_current_per_purpose(store: SharedStore) {
    let id = new_customer(&store, 13).await;
    let other = new_customer(&store, 14).await;
    let records = [
        consent(id, ConsentPurpose::Service, true, t(1)),
        consent(id, ConsentPurpose::Marketing, true, t(2)),
        consent(other, ConsentPurpose::Marketing, true, t(3)),
        consent(id, ConsentPurpose::Marketing, false, t(4)),
    ];
    let mut tx = store.begin().await.unwrap();
    assert!(tx.current_consents(id).await.unwrap().is_empty());
    // Recorded out of time order: "latest" is by time, not by insertion.
    for r in [&records[3], &records[0], &records[2], &records[1]] {
        tx.record_consent(r).await.unwrap();
    }
    let mut current = tx.current_consents(id).await.unwrap();
    current.sort_by_key(|r| r.purpose.as_str());
    assert_eq!(current, vec![records[3].clone(), records[0].clone()]);
    tx.commit().await.unwrap();

    let history = store.consent_history(id).await.unwrap();
    assert_eq!(
        history,
        vec![records[0].clone(), records[1].clone(), records[3].clone()]
    );
    assert_eq!(
        store.consent_history(other).await.unwrap(),
        vec![records[2].clone()]
    );
    assert!(store
        .consent_history(CustomerId(999_999))
        .await
        .unwrap()
        .is_empty());
}

async fn consent_ties_on_time_break_by_insertion(store: SharedStore) {
    let id = new_customer(&store, 15).await;
    let mut tx = store.begin().await.unwrap();
    tx.record_consent(&consent(id, ConsentPurpose::Marketing, true, t(5)))
        .await
        .unwrap();
    tx.record_consent(&consent(id, ConsentPurpose::Marketing, false, t(5)))
        .await
        .unwrap();
    let current = tx.current_consents(id).await.unwrap();
    assert_eq!(current.len(), 1);
    assert!(
        !current[0].granted,
        "the later record at the same time wins"
    );
    tx.commit().await.unwrap();
    let history = store.consent_history(id).await.unwrap();
    assert_eq!(
        history.iter().map(|r| r.granted).collect::<Vec<_>>(),
        vec![true, false]
    );
}

async fn consent_for_unknown_customer_fails(store: SharedStore) {
    let mut tx = store.begin().await.unwrap();
    let err = tx
        .record_consent(&consent(
            CustomerId(424_242),
            ConsentPurpose::Service,
            true,
            t(0),
        ))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::NotFound(_)), "{err:?}");
}

// --- events ---

async fn events_filter_and_order(store: SharedStore) {
    let mut tx = store.begin().await.unwrap();
    for (kind, at) in [("a", 1), ("b", 2), ("a", 3), ("a", 3), ("b", 0)] {
        tx.append_event(&NewEvent::new(kind, t(at)).data(json!({ "at": at })))
            .await
            .unwrap();
    }
    tx.commit().await.unwrap();
    let all = store.recent_events(None, 10).await.unwrap();
    let times: Vec<DateTime<Utc>> = all.iter().map(|e| e.event.at).collect();
    assert_eq!(times, vec![t(3), t(3), t(2), t(1), t(0)]);
    // Equal times: the later event first.
    assert!(all[0].id > all[1].id);
    let a = store.recent_events(Some("a"), 2).await.unwrap();
    assert_eq!(a.len(), 2);
    assert!(a.iter().all(|e| e.event.kind == "a" && e.event.at == t(3)));
    let b = store.recent_events(Some("b"), 10).await.unwrap();
    assert_eq!(
        b.iter().map(|e| e.event.at).collect::<Vec<_>>(),
        vec![t(2), t(0)]
    );
    assert!(store
        .recent_events(Some("none"), 10)
        .await
        .unwrap()
        .is_empty());
}

async fn events_round_trip_fields(store: SharedStore) {
    let full = NewEvent::new("customer_created", t(1) + TimeSpan::milliseconds(5))
        .bot("shop_bot")
        .customer(CustomerId(77))
        .chat(-100_123)
        .source(Some("campaign".into()))
        .data(json!({ "nested": { "list": [1, 2.5, "x", null, true] }, "text": "ü" }));
    let bare = NewEvent::new("bare", t(0));
    let mut tx = store.begin().await.unwrap();
    tx.append_event(&full).await.unwrap();
    tx.append_event(&bare).await.unwrap();
    tx.commit().await.unwrap();
    let events = store.recent_events(None, 10).await.unwrap();
    assert_eq!(events.len(), 2);
    assert_eq!(events[0].event, full);
    assert_eq!(events[1].event, bare);
    assert!(events[0].id != events[1].id);
}

// --- outbox ---

async fn outbox_due_respects_bot_not_before_and_order(store: SharedStore) {
    let a1 = enqueue(&store, &message("a", 1, t(0))).await;
    let b1 = enqueue(&store, &message("b", 1, t(0))).await;
    let a_later = enqueue(&store, &message("a", 2, t(60))).await;
    let a2 = enqueue(&store, &message("a", 3, t(0))).await;
    assert_eq!(due_ids(&store, "a", t(0)).await, vec![a1, a2]);
    assert_eq!(due_ids(&store, "b", t(0)).await, vec![b1]);
    assert!(due_ids(&store, "c", t(100)).await.is_empty());
    assert_eq!(due_ids(&store, "a", t(59)).await, vec![a1, a2]);
    assert_eq!(due_ids(&store, "a", t(60)).await, vec![a1, a_later, a2]);
    let limited = store.outbox_due("a", t(60), 2).await.unwrap();
    assert_eq!(
        limited.iter().map(|m| m.id).collect::<Vec<_>>(),
        vec![a1, a_later]
    );
    // One millisecond before not_before is not yet due.
    assert_eq!(
        due_ids(&store, "a", t(60) - TimeSpan::milliseconds(1)).await,
        vec![a1, a2]
    );
}

async fn outbox_due_offers_only_each_chats_oldest(store: SharedStore) {
    let m1 = enqueue(&store, &message("a", 1, t(0))).await;
    let m2 = enqueue(&store, &message("a", 1, t(0))).await;
    let n1 = enqueue(&store, &message("a", 2, t(60))).await;
    let n2 = enqueue(&store, &message("a", 2, t(0))).await;
    let o1 = enqueue(&store, &message("a", 3, t(0))).await;
    // Chat 2's oldest is not due yet and holds back its newer message.
    assert_eq!(due_ids(&store, "a", t(0)).await, vec![m1, o1]);
    assert_eq!(due_ids(&store, "a", t(60)).await, vec![m1, n1, o1]);
    let sent = Settlement::Sent {
        at: t(1),
        remote_message_id: None,
    };
    store.outbox_settle(m1, &sent, None).await.unwrap();
    assert_eq!(due_ids(&store, "a", t(0)).await, vec![m2, o1]);
    let failed = Settlement::Failed {
        at: t(1),
        reason: "blocked".into(),
    };
    store.outbox_settle(n1, &failed, None).await.unwrap();
    // A failed message no longer holds its chat back.
    assert_eq!(due_ids(&store, "a", t(0)).await, vec![m2, n2, o1]);
}

async fn enqueue_ids_in_one_tx_are_the_stored_ids(store: SharedStore) {
    let before = enqueue(&store, &message("a", 1, t(0))).await;
    // A rolled-back transaction's ids are never seen.
    let mut rolled_back = store.begin().await.unwrap();
    rolled_back.enqueue(&message("a", 2, t(0))).await.unwrap();
    drop(rolled_back);
    let mut tx = store.begin().await.unwrap();
    let mut ids = Vec::new();
    for chat in 3..=5 {
        ids.push(tx.enqueue(&message("a", chat, t(0))).await.unwrap());
    }
    tx.commit().await.unwrap();
    assert!(
        ids[0] > before && ids[0] < ids[1] && ids[1] < ids[2],
        "{before} {ids:?}"
    );
    let due = due_ids(&store, "a", t(0)).await;
    assert_eq!(due, [vec![before], ids].concat());
}

async fn outbox_round_trips_actions(store: SharedStore) {
    let customer = new_customer(&store, 16).await;
    let actions = [
        Action::SendText {
            text: "Choose 🌍".into(),
            buttons: vec![
                vec![
                    Button::callback("English", "lang:en"),
                    Button::callback("Українська", "lang:uk"),
                ],
                vec![Button::url("Policy", "https://example.com/p?a=1&b=2")],
            ],
        },
        Action::EditText {
            message_id: 991,
            text: "edited".into(),
            buttons: vec![],
        },
        Action::AnswerButton {
            callback_id: "cb-1".into(),
            text: Some("Done ✓".into()),
        },
        Action::AnswerButton {
            callback_id: "cb-2".into(),
            text: None,
        },
    ];
    let mut ids = Vec::new();
    for (i, action) in actions.iter().enumerate() {
        let m = NewOutbound {
            bot: "a".into(),
            // One chat each: only a chat's oldest message is offered.
            chat_id: -1_001_234_567_890 - i as i64,
            customer_id: (i % 2 == 0).then_some(customer),
            action: action.clone(),
            broadcast: i == 1,
            not_before: t(1),
            created_at: t(0) + TimeSpan::milliseconds(i as i64),
        };
        ids.push(enqueue(&store, &m).await);
    }
    let due = store.outbox_due("a", t(1), 10).await.unwrap();
    assert_eq!(due.len(), actions.len());
    for (i, m) in due.iter().enumerate() {
        assert_eq!(m.id, ids[i]);
        assert_eq!(m.bot, "a");
        assert_eq!(m.chat_id, -1_001_234_567_890 - i as i64);
        assert_eq!(m.customer_id, (i % 2 == 0).then_some(customer));
        assert_eq!(m.action, actions[i]);
        assert_eq!(m.broadcast, i == 1);
        assert_eq!(m.attempts, 0);
        assert_eq!(m.next_attempt_at, t(1));
        assert_eq!(m.created_at, t(0) + TimeSpan::milliseconds(i as i64));
    }
}

async fn outbox_settle_sent(store: SharedStore) {
    let id = enqueue(&store, &message("a", 1, t(0))).await;
    store
        .outbox_settle(
            id,
            &Settlement::Sent {
                at: t(1),
                remote_message_id: Some(555),
            },
            None,
        )
        .await
        .unwrap();
    assert!(due_ids(&store, "a", t(100)).await.is_empty());
    assert_eq!(
        store.outbox_stats().await.unwrap(),
        OutboxStats {
            pending: 0,
            sent: 1,
            failed: 0
        }
    );
}

async fn outbox_settle_retry(store: SharedStore) {
    let id = enqueue(&store, &message("a", 1, t(0))).await;
    store
        .outbox_settle(
            id,
            &Settlement::Retry {
                at: t(1),
                next_attempt_at: t(30),
                error: "429 retry after 29".into(),
            },
            None,
        )
        .await
        .unwrap();
    assert!(due_ids(&store, "a", t(29)).await.is_empty());
    let due = store.outbox_due("a", t(30), 10).await.unwrap();
    assert_eq!(due.len(), 1);
    assert_eq!(due[0].attempts, 1);
    assert_eq!(due[0].next_attempt_at, t(30));
    store
        .outbox_settle(
            id,
            &Settlement::Retry {
                at: t(31),
                next_attempt_at: t(40),
                error: "502".into(),
            },
            None,
        )
        .await
        .unwrap();
    let due = store.outbox_due("a", t(40), 10).await.unwrap();
    assert_eq!(due[0].attempts, 2);
    assert_eq!(store.outbox_stats().await.unwrap().pending, 1);
}

async fn recent_sends_are_the_bots_sent_messages_since(store: SharedStore) {
    let sent = |at| Settlement::Sent {
        at,
        remote_message_id: None,
    };
    let early = enqueue(&store, &message("a", 1, t(0))).await;
    let late = enqueue(&store, &message("a", -100, t(0))).await;
    let later = enqueue(&store, &message("a", 1, t(0))).await;
    let failed = enqueue(&store, &message("a", 2, t(0))).await;
    let other_bot = enqueue(&store, &message("b", 3, t(0))).await;
    let _pending = enqueue(&store, &message("a", 4, t(0))).await;
    store.outbox_settle(early, &sent(t(5)), None).await.unwrap();
    store.outbox_settle(late, &sent(t(12)), None).await.unwrap();
    store
        .outbox_settle(later, &sent(t(11)), None)
        .await
        .unwrap();
    store
        .outbox_settle(other_bot, &sent(t(12)), None)
        .await
        .unwrap();
    let fail = Settlement::Failed {
        at: t(12),
        reason: "400".into(),
    };
    store.outbox_settle(failed, &fail, None).await.unwrap();
    assert_eq!(
        store.recent_sends("a", t(10)).await.unwrap(),
        vec![(1, t(11)), (-100, t(12))]
    );
    assert!(store.recent_sends("a", t(13)).await.unwrap().is_empty());
}

async fn outbox_settle_failed(store: SharedStore) {
    let id = enqueue(&store, &message("a", 1, t(0))).await;
    let other = enqueue(&store, &message("a", 2, t(0))).await;
    store
        .outbox_settle(
            id,
            &Settlement::Failed {
                at: t(1),
                reason: "403 bot was blocked by the user".into(),
            },
            None,
        )
        .await
        .unwrap();
    assert_eq!(due_ids(&store, "a", t(100)).await, vec![other]);
    assert_eq!(
        store.outbox_stats().await.unwrap(),
        OutboxStats {
            pending: 1,
            sent: 0,
            failed: 1
        }
    );
}

async fn outbox_settled_message_is_unchanged(store: SharedStore) {
    let sent = enqueue(&store, &message("a", 1, t(0))).await;
    let failed = enqueue(&store, &message("a", 2, t(0))).await;
    let ok = Settlement::Sent {
        at: t(1),
        remote_message_id: None,
    };
    let fail = Settlement::Failed {
        at: t(1),
        reason: "400".into(),
    };
    let retry = Settlement::Retry {
        at: t(2),
        next_attempt_at: t(3),
        error: "late".into(),
    };
    store.outbox_settle(sent, &ok, None).await.unwrap();
    store.outbox_settle(failed, &fail, None).await.unwrap();
    let late = NewEvent::new("late", t(2));
    for id in [sent, failed] {
        for s in [&ok, &fail, &retry] {
            store.outbox_settle(id, s, Some(&late)).await.unwrap();
        }
    }
    assert!(due_ids(&store, "a", t(100)).await.is_empty());
    assert_eq!(
        store.outbox_stats().await.unwrap(),
        OutboxStats {
            pending: 0,
            sent: 1,
            failed: 1
        }
    );
    // Nothing happened, so nothing was recorded.
    assert!(store.recent_events(None, 10).await.unwrap().is_empty());
    // An unknown id is a no-op too.
    store.outbox_settle(987_654, &ok, None).await.unwrap();
}

async fn outbox_settle_writes_event(store: SharedStore) {
    let id = enqueue(&store, &message("a", 1, t(0))).await;
    let event = NewEvent::new("message_sent", t(1))
        .bot("a")
        .chat(1)
        .data(json!({ "outbox_id": id }));
    store
        .outbox_settle(
            id,
            &Settlement::Sent {
                at: t(1),
                remote_message_id: Some(1),
            },
            Some(&event),
        )
        .await
        .unwrap();
    let events = store.recent_events(Some("message_sent"), 10).await.unwrap();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].event, event);
}

async fn outbox_stats_count_states(store: SharedStore) {
    assert_eq!(store.outbox_stats().await.unwrap(), OutboxStats::default());
    let mut ids = Vec::new();
    for chat in 0..6 {
        ids.push(enqueue(&store, &message("a", chat, t(0))).await);
    }
    for &id in &ids[..3] {
        store
            .outbox_settle(
                id,
                &Settlement::Sent {
                    at: t(1),
                    remote_message_id: None,
                },
                None,
            )
            .await
            .unwrap();
    }
    store
        .outbox_settle(
            ids[3],
            &Settlement::Failed {
                at: t(1),
                reason: "x".into(),
            },
            None,
        )
        .await
        .unwrap();
    store
        .outbox_settle(
            ids[4],
            &Settlement::Retry {
                at: t(1),
                next_attempt_at: t(9),
                error: "x".into(),
            },
            None,
        )
        .await
        .unwrap();
    assert_eq!(
        store.outbox_stats().await.unwrap(),
        OutboxStats {
            pending: 2,
            sent: 3,
            failed: 1
        }
    );
}

// --- jobs ---

async fn jobs_schedule_claim_complete(store: SharedStore) {
    let mut job = NewJob::new("remind", json!({ "order": 7, "text": "ß" }), t(10));
    job.max_attempts = 3;
    let id = schedule(&store, &job).await.unwrap();
    let claimed = store.jobs_claim("w1", t(10), LEASE, 10).await.unwrap();
    assert_eq!(claimed.len(), 1);
    let j = &claimed[0];
    assert_eq!(j.id, id);
    assert_eq!(j.kind, "remind");
    assert_eq!(j.payload, job.payload);
    assert_eq!(j.run_at, t(10));
    assert_eq!(j.attempts, 1);
    assert_eq!(j.max_attempts, 3);
    assert_eq!(j.dedup_key, None);
    complete(&store, id).await;
    assert!(store
        .jobs_claim("w1", t(1000), LEASE, 10)
        .await
        .unwrap()
        .is_empty());
}

async fn jobs_complete_many_at_once(store: SharedStore) {
    // More than one statement's worth on SQLite (128 per chunk), and an odd remainder.
    const JOBS: i64 = 300;
    let mut tx = store.begin().await.unwrap();
    for i in 0..JOBS {
        tx.schedule_job(&NewJob::new("k", json!(i), t(0)).dedup_key(format!("key-{i}")))
            .await
            .unwrap();
    }
    tx.commit().await.unwrap();
    let claimed = store.jobs_claim("w", t(0), LEASE, 1000).await.unwrap();
    assert_eq!(claimed.len() as i64, JOBS);
    let ids: Vec<i64> = claimed.iter().map(|j| j.id).collect();
    let (done, kept) = ids.split_at(257);

    // Rolled back: nothing is completed, so their dedup keys are still taken. (Asked by
    // scheduling rather than claiming: PostgreSQL may finish the rollback of a dropped
    // transaction a moment later, and a claim skips rows still locked until then, where
    // scheduling waits for it.)
    {
        let mut tx = store.begin().await.unwrap();
        tx.complete_jobs(done).await.unwrap();
    }
    for job in [&claimed[0], &claimed[256]] {
        let again = NewJob::new("k", json!(0), t(0)).dedup_key(job.dedup_key.clone().unwrap());
        assert_eq!(schedule(&store, &again).await, None);
    }

    let mut tx = store.begin().await.unwrap();
    tx.complete_jobs(done).await.unwrap();
    tx.complete_jobs(&[]).await.unwrap();
    tx.commit().await.unwrap();
    let left: Vec<i64> = store
        .jobs_claim("w", t(200), LEASE, 1000)
        .await
        .unwrap()
        .iter()
        .map(|j| j.id)
        .collect();
    assert_eq!(left, kept);
    // The completed jobs' dedup keys are free again; the others' are not.
    let first = &claimed[0];
    let again = NewJob::new("k", json!(0), t(0)).dedup_key(first.dedup_key.clone().unwrap());
    assert!(schedule(&store, &again).await.is_some());
    let last = claimed.last().unwrap();
    let blocked = NewJob::new("k", json!(0), t(0)).dedup_key(last.dedup_key.clone().unwrap());
    assert_eq!(schedule(&store, &blocked).await, None);
}

async fn jobs_not_due_are_not_claimed(store: SharedStore) {
    schedule(&store, &NewJob::new("k", json!(null), t(10)))
        .await
        .unwrap();
    assert!(store
        .jobs_claim("w", t(10) - TimeSpan::milliseconds(1), LEASE, 10)
        .await
        .unwrap()
        .is_empty());
    assert_eq!(
        store.jobs_claim("w", t(10), LEASE, 10).await.unwrap().len(),
        1
    );
}

async fn jobs_claim_in_run_at_order_up_to_limit(store: SharedStore) {
    let late = schedule(&store, &NewJob::new("k", json!(1), t(3)))
        .await
        .unwrap();
    let early = schedule(&store, &NewJob::new("k", json!(2), t(1)))
        .await
        .unwrap();
    let middle = schedule(&store, &NewJob::new("k", json!(3), t(2)))
        .await
        .unwrap();
    let first = store.jobs_claim("w", t(5), LEASE, 2).await.unwrap();
    assert_eq!(
        first.iter().map(|j| j.id).collect::<Vec<_>>(),
        vec![early, middle]
    );
    let rest = store.jobs_claim("w", t(5), LEASE, 2).await.unwrap();
    assert_eq!(rest.iter().map(|j| j.id).collect::<Vec<_>>(), vec![late]);
}

async fn jobs_lease_hides_then_expires(store: SharedStore) {
    let id = schedule(&store, &NewJob::new("k", json!({}), t(0)))
        .await
        .unwrap();
    let first = store.jobs_claim("w1", t(0), LEASE, 10).await.unwrap();
    assert_eq!(first[0].attempts, 1);
    assert!(store
        .jobs_claim("w2", t(29), LEASE, 10)
        .await
        .unwrap()
        .is_empty());
    // The lease ran out (the first worker died): another worker takes it.
    let second = store.jobs_claim("w2", t(30), LEASE, 10).await.unwrap();
    assert_eq!(second.len(), 1);
    assert_eq!(second[0].id, id);
    assert_eq!(second[0].attempts, 2);
    assert!(store
        .jobs_claim("w3", t(59), LEASE, 10)
        .await
        .unwrap()
        .is_empty());
}

async fn jobs_retry_releases_until_run_at(store: SharedStore) {
    let id = schedule(&store, &NewJob::new("k", json!({}), t(0)))
        .await
        .unwrap();
    store.jobs_claim("w", t(0), LEASE, 10).await.unwrap();
    store.job_retry(id, t(5), "timeout").await.unwrap();
    // Released before the lease ran out, but not before its new run_at.
    assert!(store
        .jobs_claim("w", t(4), LEASE, 10)
        .await
        .unwrap()
        .is_empty());
    let again = store.jobs_claim("w", t(5), LEASE, 10).await.unwrap();
    assert_eq!(again.len(), 1);
    assert_eq!(again[0].run_at, t(5));
    assert_eq!(again[0].attempts, 2);
}

async fn jobs_fail_for_good(store: SharedStore) {
    let id = schedule(&store, &NewJob::new("k", json!({}), t(0)))
        .await
        .unwrap();
    store.jobs_claim("w", t(0), LEASE, 10).await.unwrap();
    store.job_fail(id, "bad payload").await.unwrap();
    assert!(store
        .jobs_claim("w", t(1000), LEASE, 10)
        .await
        .unwrap()
        .is_empty());
    assert_eq!(store.job_lag(t(1000)).await.unwrap(), Duration::ZERO);
    // A retry after the failure does not revive it.
    store.job_retry(id, t(0), "late").await.unwrap();
    assert!(store
        .jobs_claim("w", t(1000), LEASE, 10)
        .await
        .unwrap()
        .is_empty());
}

async fn jobs_dedup_key(store: SharedStore) {
    let job = NewJob::new("digest", json!({}), t(0)).dedup_key("daily-digest");
    let first = schedule(&store, &job).await.unwrap();
    assert_eq!(schedule(&store, &job).await, None);
    // Claimed is still unfinished.
    store.jobs_claim("w", t(0), LEASE, 10).await.unwrap();
    assert_eq!(schedule(&store, &job).await, None);
    // Completed: the key is free again.
    complete(&store, first).await;
    let second = schedule(&store, &job).await.unwrap();
    assert_ne!(second, first);
    // Failed: does not block a new one either.
    store.job_fail(second, "x").await.unwrap();
    let third = schedule(&store, &job).await.unwrap();
    assert_ne!(third, second);
    assert_eq!(schedule(&store, &job).await, None);
    // Another key, and jobs without a key, never conflict.
    assert!(schedule(&store, &job.clone().dedup_key("other"))
        .await
        .is_some());
    let keyless = NewJob::new("digest", json!({}), t(0));
    assert!(schedule(&store, &keyless).await.is_some());
    assert!(schedule(&store, &keyless).await.is_some());
    // Scheduled and completed in one transaction, in that order: the key is taken until the
    // old job is gone, so a recurring job completes first, then schedules its next run.
    let mut tx = store.begin().await.unwrap();
    tx.complete_job(third).await.unwrap();
    let next = tx.schedule_job(&job).await.unwrap();
    assert!(next.is_some());
    tx.commit().await.unwrap();
    let claimed = store.jobs_claim("w", t(0), LEASE, 10).await.unwrap();
    let keys: Vec<Option<&str>> = claimed.iter().map(|j| j.dedup_key.as_deref()).collect();
    assert_eq!(
        keys.iter().filter(|k| **k == Some("daily-digest")).count(),
        1
    );
}

async fn jobs_dedup_key_is_free_after_rollback(store: SharedStore) {
    let job = NewJob::new("k", json!({}), t(0)).dedup_key("once");
    {
        let mut tx = store.begin().await.unwrap();
        assert!(tx.schedule_job(&job).await.unwrap().is_some());
        assert_eq!(tx.schedule_job(&job).await.unwrap(), None);
    }
    assert!(schedule(&store, &job).await.is_some());
    // A completion that is rolled back leaves the job in place.
    let claimed = store.jobs_claim("w", t(0), LEASE, 10).await.unwrap();
    {
        let mut tx = store.begin().await.unwrap();
        tx.complete_job(claimed[0].id).await.unwrap();
    }
    assert_eq!(schedule(&store, &job).await, None);
    let again = store.jobs_claim("w", t(30), LEASE, 10).await.unwrap();
    assert_eq!(again[0].id, claimed[0].id);
}

async fn jobs_concurrent_claimers_never_share(store: SharedStore) {
    const JOBS: usize = 120;
    let mut tx = store.begin().await.unwrap();
    for i in 0..JOBS {
        tx.schedule_job(&NewJob::new("k", json!(i), t(0)))
            .await
            .unwrap();
    }
    tx.commit().await.unwrap();
    let mut tasks = Vec::new();
    for w in 0..6 {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            let worker = format!("w{w}");
            let mut mine = Vec::new();
            loop {
                let batch = store.jobs_claim(&worker, t(1), LEASE, 4).await.unwrap();
                if batch.is_empty() {
                    break;
                }
                mine.extend(batch.into_iter().map(|j| j.id));
                tokio::task::yield_now().await;
            }
            mine
        }));
    }
    let mut all = Vec::new();
    for task in tasks {
        all.extend(task.await.unwrap());
    }
    let unique: HashSet<i64> = all.iter().copied().collect();
    assert_eq!(all.len(), JOBS, "every job claimed exactly once");
    assert_eq!(unique.len(), JOBS);
}

async fn job_lag_measures_oldest_due_unclaimed(store: SharedStore) {
    assert_eq!(store.job_lag(t(0)).await.unwrap(), Duration::ZERO);
    let old = schedule(&store, &NewJob::new("k", json!({}), t(0)))
        .await
        .unwrap();
    schedule(&store, &NewJob::new("k", json!({}), t(10)))
        .await
        .unwrap();
    schedule(&store, &NewJob::new("k", json!({}), t(100)))
        .await
        .unwrap();
    assert_eq!(store.job_lag(t(20)).await.unwrap(), Duration::from_secs(20));
    assert_eq!(
        store
            .job_lag(t(20) + TimeSpan::milliseconds(250))
            .await
            .unwrap(),
        Duration::from_millis(20_250)
    );
    // Claimed jobs are being worked on: not lag. Claim the oldest one only.
    let claimed = store.jobs_claim("w", t(5), LEASE, 1).await.unwrap();
    assert_eq!(claimed[0].id, old);
    assert_eq!(store.job_lag(t(20)).await.unwrap(), Duration::from_secs(10));
    // Future jobs are not late.
    complete(&store, old).await;
    store.jobs_claim("w", t(20), LEASE, 10).await.unwrap();
    assert_eq!(store.job_lag(t(40)).await.unwrap(), Duration::ZERO);
}

async fn zero_and_negative_limits_return_nothing(store: SharedStore) {
    store.inbox_insert(&[update("a", 1)]).await.unwrap();
    enqueue(&store, &message("a", 1, t(0))).await;
    schedule(&store, &NewJob::new("k", json!({}), t(0))).await;
    let mut tx = store.begin().await.unwrap();
    tx.append_event(&NewEvent::new("e", t(0))).await.unwrap();
    tx.commit().await.unwrap();
    for limit in [0, -1] {
        assert!(store.inbox_pending(0, limit).await.unwrap().is_empty());
        assert!(store.outbox_due("a", t(1), limit).await.unwrap().is_empty());
        assert!(store.recent_events(None, limit).await.unwrap().is_empty());
        assert!(store
            .jobs_claim("w", t(1), LEASE, limit)
            .await
            .unwrap()
            .is_empty());
    }
    // Nothing was claimed by those calls.
    assert_eq!(
        store.jobs_claim("w", t(1), LEASE, 1).await.unwrap().len(),
        1
    );
    // A lease that does not fit in a timestamp is refused, not a panic.
    let err = store
        .jobs_claim("w", t(1), Duration::MAX, 1)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Invalid(_)), "{err:?}");
}

// --- representation ---

async fn timestamps_round_trip_at_millisecond_precision(store: SharedStore) {
    // Far from the fixed test time, with odd milliseconds, and before 1970.
    let times = [
        Utc.with_ymd_and_hms(2031, 12, 31, 23, 59, 59).unwrap() + TimeSpan::milliseconds(999),
        Utc.with_ymd_and_hms(1969, 7, 20, 20, 17, 40).unwrap() + TimeSpan::milliseconds(1),
        DateTime::from_timestamp_millis(1_700_000_000_123).unwrap(),
    ];
    for (i, &at) in times.iter().enumerate() {
        let i = i as i64;
        let mut tx = store.begin().await.unwrap();
        let c = tx
            .upsert_customer(&sighting(100 + i, at))
            .await
            .unwrap()
            .customer;
        assert_eq!((c.first_seen_at, c.last_seen_at), (at, at));
        tx.record_consent(&consent(c.id, ConsentPurpose::Service, true, at))
            .await
            .unwrap();
        tx.append_event(&NewEvent::new(&format!("time{i}"), at))
            .await
            .unwrap();
        let mut m = message(&format!("time{i}"), 1, at);
        m.created_at = at;
        tx.enqueue(&m).await.unwrap();
        tx.schedule_job(&NewJob::new(&format!("time{i}"), json!(i), at))
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let mut u = update(&format!("time{i}"), 1);
        u.received_at = at;
        store.inbox_insert(&[u]).await.unwrap();

        let c = store
            .customer_by_telegram_id(100 + i)
            .await
            .unwrap()
            .unwrap();
        assert_eq!((c.first_seen_at, c.last_seen_at), (at, at));
        assert_eq!(store.consent_history(c.id).await.unwrap()[0].at, at);
        let e = store
            .recent_events(Some(&format!("time{i}")), 1)
            .await
            .unwrap();
        assert_eq!(e[0].event.at, at);
        let due = store.outbox_due(&format!("time{i}"), at, 1).await.unwrap();
        assert_eq!((due[0].next_attempt_at, due[0].created_at), (at, at));
        let pending = store.inbox_pending(0, 100).await.unwrap();
        let got = pending
            .iter()
            .find(|p| p.bot == format!("time{i}"))
            .unwrap();
        assert_eq!(got.received_at, at);
        let jobs = store.jobs_claim("w", at, LEASE, 10).await.unwrap();
        assert_eq!(jobs.len(), 1);
        assert_eq!(jobs[0].run_at, at);
        complete(&store, jobs[0].id).await;
    }
}

async fn unicode_round_trips(store: SharedStore) {
    let texts = [
        "Ñandú café",
        "Привіт, світ",
        "שלום עולם",
        "你好，世界",
        "🛒🎉👩‍👩‍👧‍👦",
        "quote ' double \" backslash \\ percent % underscore _",
    ];
    for (i, text) in texts.iter().enumerate() {
        let i = i as i64;
        let mut s = sighting(200 + i, t(0));
        s.first_name = (*text).into();
        s.last_name = Some(format!("{text}!"));
        s.username = Some(format!("u{i}"));
        s.source = Some((*text).into());
        s.bot = (*text).into();
        let mut tx = store.begin().await.unwrap();
        let created = tx.upsert_customer(&s).await.unwrap().customer;
        tx.set_customer_language(created.id, text).await.unwrap();
        tx.record_consent(&ConsentRecord {
            policy_version: (*text).into(),
            bot: (*text).into(),
            ..consent(created.id, ConsentPurpose::Marketing, true, t(0))
        })
        .await
        .unwrap();
        tx.append_event(
            &NewEvent::new(text, t(0))
                .bot(text)
                .source(Some((*text).into()))
                .data(json!({ "text": text, "list": [text] })),
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();

        let c = store
            .customer_by_telegram_id(200 + i)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(c.first_name, *text);
        assert_eq!(c.last_name, Some(format!("{text}!")));
        assert_eq!(c.first_source.as_deref(), Some(*text));
        assert_eq!(c.first_bot, *text);
        assert_eq!(c.language.as_deref(), Some(*text));
        let consent = &store.consent_history(c.id).await.unwrap()[0];
        assert_eq!(
            (consent.policy_version.as_str(), consent.bot.as_str()),
            (*text, *text)
        );
        let e = &store.recent_events(Some(text), 1).await.unwrap()[0].event;
        assert_eq!(e.bot.as_deref(), Some(*text));
        assert_eq!(e.source.as_deref(), Some(*text));
        assert_eq!(e.data, json!({ "text": text, "list": [text] }));

        let mut u = update(text, i);
        u.payload = format!(r#"{{"text":"{text}"}}"#);
        store.inbox_insert(std::slice::from_ref(&u)).await.unwrap();
        let pending = store.inbox_pending(0, 100).await.unwrap();
        assert!(pending
            .iter()
            .any(|p| p.bot == *text && p.payload == u.payload));
    }
}
