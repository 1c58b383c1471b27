//! The daily anomaly check on SQLite and PostgreSQL: a group whose activity halved and a
//! bot whose sends started failing are posted to the staff chat in one message, recorded
//! as events, and the next check is scheduled a day later; a bot without a staff chat
//! only gets the events; a quiet week with nothing to compare sends nothing.

use chrono::{DateTime, Duration, TimeZone, Utc};
use groupcart_core::anomaly::{self, AnomalyRules, CHECK_JOB, DETECTED};
use groupcart_core::clock::{Clock, SharedClock};
use groupcart_core::event::NewEvent;
use groupcart_core::i18n::Texts;
use groupcart_core::metrics::Metrics;
use groupcart_core::outbox::Action;
use groupcart_core::staff::StaffChat;
use groupcart_core::store::SharedStore;
use groupcart_worker::analytics_jobs::AnomalyCheck;
use groupcart_worker::jobs::{JobRunner, JobsConfig};
use std::collections::HashMap;
use std::sync::Arc;

const STAFF: i64 = -1_009_000_000_001;
const GROUP: i64 = -1_009_000_000_002;

struct Fixed(DateTime<Utc>);

impl Clock for Fixed {
    fn now(&self) -> DateTime<Utc> {
        self.0
    }
}

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 21, 9, 0, 0).unwrap()
}

async fn events(
    store: &SharedStore,
    kind: &str,
    bot: &str,
    chat: i64,
    n: usize,
    at: DateTime<Utc>,
) {
    let mut tx = store.begin().await.unwrap();
    for i in 0..n {
        let mut e = NewEvent::new(kind, at + Duration::seconds(i as i64)).bot(bot);
        e.chat_id = Some(chat);
        tx.append_event(&e).await.unwrap();
    }
    tx.commit().await.unwrap();
}

fn runner(store: &SharedStore) -> JobRunner {
    let clock: SharedClock = Arc::new(Fixed(now()));
    let mut runner = JobRunner::new(
        "test",
        store.clone(),
        clock.clone(),
        Arc::new(Metrics::default()),
        JobsConfig::default(),
    );
    runner.register(Arc::new(AnomalyCheck {
        store: store.clone(),
        texts: Arc::new(Texts::builtin()),
        clock,
        staff: HashMap::from([(
            "main".to_owned(),
            StaffChat {
                chat_id: STAFF,
                language: "en".into(),
            },
        )]),
        rules: AnomalyRules::default(),
        enabled: true,
    }));
    runner
}

async fn schedule_check(store: &SharedStore) {
    let mut tx = store.begin().await.unwrap();
    tx.schedule_job(&anomaly::check_job(now())).await.unwrap();
    tx.commit().await.unwrap();
}

/// The texts of the messages waiting for `chat`.
async fn waiting(store: &SharedStore, chat: i64) -> Vec<String> {
    store
        .outbox_due("main", now() + Duration::days(30), 100)
        .await
        .unwrap()
        .into_iter()
        .filter(|m| m.chat_id == chat)
        .filter_map(|m| match m.action {
            Action::SendText { text, .. } => Some(text),
            _ => None,
        })
        .collect()
}

async fn drops_and_failures_reach_the_staff_chat(store: SharedStore) {
    let last_week = now() - Duration::days(10);
    let this_week = now() - Duration::days(3);
    events(&store, "update_received", "main", GROUP, 40, last_week).await;
    events(&store, "update_received", "main", GROUP, 20, this_week).await;
    // Steady: not news.
    events(&store, "member_joined", "main", GROUP, 25, last_week).await;
    events(&store, "member_joined", "main", GROUP, 24, this_week).await;
    // The other bot's group went quiet too, but it has no staff chat.
    events(&store, "update_received", "shop2", GROUP - 1, 30, last_week).await;
    // Sends of the last day: 8 failed of 48.
    let yesterday = now() - Duration::hours(5);
    events(&store, "message_sent", "main", 42, 40, yesterday).await;
    events(&store, "message_failed", "main", 42, 8, yesterday).await;
    schedule_check(&store).await;

    assert_eq!(runner(&store).step().await.unwrap(), 1);
    let texts = waiting(&store, STAFF).await;
    assert_eq!(texts.len(), 1, "{texts:?}");
    let text = &texts[0];
    assert!(
        text.starts_with("📉 This week compared with the week before:"),
        "{text}"
    );
    assert!(
        text.contains(&format!("{GROUP}: activity down 50% (40 → 20 updates)")),
        "{text}"
    );
    assert!(
        text.contains("8 messages could not be sent in the last day (16.6% of sends)"),
        "{text}"
    );
    assert!(!text.contains("joins"), "{text}");

    let recorded = store.recent_events(Some(DETECTED), 10).await.unwrap();
    let mut metrics: Vec<(String, String)> = recorded
        .iter()
        .map(|e| {
            (
                e.event.bot.clone().unwrap_or_default(),
                e.event.data["metric"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned(),
            )
        })
        .collect();
    metrics.sort();
    assert_eq!(
        metrics,
        [
            ("main".to_owned(), "chat_activity".to_owned()),
            ("main".to_owned(), "failed_sends".to_owned()),
            ("shop2".to_owned(), "chat_activity".to_owned()),
        ]
    );
    // The next check is due a day later.
    let next = store
        .jobs_claim(
            "peek",
            now() + Duration::days(1),
            std::time::Duration::from_secs(1),
            10,
        )
        .await
        .unwrap();
    assert_eq!(next.len(), 1);
    assert_eq!(next[0].kind, CHECK_JOB);
    assert_eq!(next[0].run_at, now() + Duration::days(1));
}

async fn a_quiet_shop_gets_no_message(store: SharedStore) {
    events(
        &store,
        "update_received",
        "main",
        GROUP,
        3,
        now() - Duration::days(10),
    )
    .await;
    schedule_check(&store).await;
    assert_eq!(runner(&store).step().await.unwrap(), 1);
    assert!(waiting(&store, STAFF).await.is_empty());
    assert!(store
        .recent_events(Some(DETECTED), 10)
        .await
        .unwrap()
        .is_empty());
}

groupcart_store_contract::backend_tests!(
    drops_and_failures_reach_the_staff_chat,
    a_quiet_shop_gets_no_message,
);
