//! The outbox sender against a scripted Telegram, on SQLite and PostgreSQL.

use async_trait::async_trait;
use chrono::Utc;
use groupcart_core::clock::{SharedClock, SystemClock};
use groupcart_core::metrics::Metrics;
use groupcart_core::outbox::{Action, NewOutbound, OutboundMessage};
use groupcart_core::store::SharedStore;
use groupcart_worker::deliver::{Deliver, DeliveryError};
use groupcart_worker::sender::{Sender, SenderConfig};
use groupcart_worker::throttle::Limits;
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// A fake Telegram that records every call and answers from a script.
#[derive(Default)]
struct Scripted {
    /// (chat, text) of every call, in call order.
    calls: Mutex<Vec<(i64, String)>>,
    /// Chats with a call in progress right now.
    busy: Mutex<HashSet<i64>>,
    /// Set if two calls to one chat ever overlapped.
    overlapped: Mutex<bool>,
    /// Text → answers to give, first one first; then success.
    script: Mutex<HashMap<String, Vec<DeliveryError>>>,
}

#[async_trait]
impl Deliver for Scripted {
    async fn deliver(
        &self,
        m: &OutboundMessage,
        _paid: bool,
    ) -> Result<Option<i64>, DeliveryError> {
        let Action::SendText { text, .. } = &m.action else {
            panic!("only text is sent in these tests");
        };
        if !self.busy.lock().unwrap().insert(m.chat_id) {
            *self.overlapped.lock().unwrap() = true;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
        self.busy.lock().unwrap().remove(&m.chat_id);
        self.calls.lock().unwrap().push((m.chat_id, text.clone()));
        let scripted = self
            .script
            .lock()
            .unwrap()
            .get_mut(text)
            .and_then(|answers| (!answers.is_empty()).then(|| answers.remove(0)));
        match scripted {
            Some(error) => Err(error),
            None => Ok(Some(1)),
        }
    }
}

async fn enqueue(store: &SharedStore, chat_id: i64, text: &str) {
    let mut tx = store.begin().await.expect("begin");
    tx.enqueue(&NewOutbound {
        bot: "b".into(),
        chat_id,
        customer_id: None,
        action: Action::SendText {
            text: text.into(),
            buttons: Vec::new(),
        },
        broadcast: false,
        not_before: Utc::now(),
        created_at: Utc::now(),
    })
    .await
    .expect("enqueue");
    tx.commit().await.expect("commit");
}

fn sender(store: &SharedStore, deliver: Arc<Scripted>) -> Sender {
    let clock: SharedClock = Arc::new(SystemClock);
    let fast = Limits {
        private_per_sec: 1000.0,
        private_burst: 1000,
        group_per_min: 60_000.0,
        group_burst: 1000,
        global_per_sec: 1000.0,
        paid_per_sec: 0.0,
    };
    Sender::new(
        "b",
        store.clone(),
        deliver,
        clock,
        Arc::new(Metrics::default()),
        SenderConfig {
            limits: fast,
            ..SenderConfig::default()
        },
    )
}

/// Steps until nothing is pending or in flight, or `limit` passes.
async fn run_until_settled(sender: &mut Sender, store: &SharedStore, limit: Duration) {
    let deadline = Instant::now() + limit;
    loop {
        sender.step().await.expect("step");
        let pending = store.outbox_stats().await.expect("stats").pending;
        if pending == 0 && sender.in_flight() == 0 {
            return;
        }
        assert!(Instant::now() < deadline, "still {pending} pending");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

async fn keeps_order_per_chat_with_one_in_flight(store: SharedStore) {
    let deliver = Arc::new(Scripted::default());
    for i in 0..5 {
        enqueue(&store, 1, &format!("a{i}")).await;
        enqueue(&store, 2, &format!("b{i}")).await;
    }
    let mut sender = sender(&store, deliver.clone());
    run_until_settled(&mut sender, &store, Duration::from_secs(20)).await;
    let calls = deliver.calls.lock().unwrap().clone();
    for (chat, prefix) in [(1, "a"), (2, "b")] {
        let texts: Vec<_> = calls
            .iter()
            .filter(|(c, _)| *c == chat)
            .map(|(_, t)| t.clone())
            .collect();
        let expected: Vec<_> = (0..5).map(|i| format!("{prefix}{i}")).collect();
        assert_eq!(texts, expected);
    }
    assert!(
        !*deliver.overlapped.lock().unwrap(),
        "two sends to one chat overlapped"
    );
    assert_eq!(store.outbox_stats().await.unwrap().sent, 10);
}

async fn rate_limit_parks_only_its_chat_and_is_retried(store: SharedStore) {
    let deliver = Arc::new(Scripted::default());
    deliver.script.lock().unwrap().insert(
        "slow".into(),
        vec![DeliveryError::RateLimited(Duration::from_secs(1))],
    );
    enqueue(&store, 1, "slow").await;
    enqueue(&store, 1, "after slow").await;
    enqueue(&store, 2, "other chat").await;
    let mut sender = sender(&store, deliver.clone());
    let start = Instant::now();
    run_until_settled(&mut sender, &store, Duration::from_secs(20)).await;
    let calls = deliver.calls.lock().unwrap().clone();
    let texts: Vec<_> = calls.iter().map(|(_, t)| t.as_str()).collect();
    let other = texts.iter().position(|t| *t == "other chat").unwrap();
    let retried = texts.iter().rposition(|t| *t == "slow").unwrap();
    assert!(
        other < retried,
        "the other chat waited for the parked one: {texts:?}"
    );
    assert_eq!(texts.iter().filter(|t| **t == "slow").count(), 2);
    assert_eq!(
        texts.last(),
        Some(&"after slow"),
        "order kept after the retry"
    );
    assert!(
        start.elapsed() >= Duration::from_secs(1),
        "retry_after honoured"
    );
    assert_eq!(store.outbox_stats().await.unwrap().sent, 3);
}

async fn permanent_failure_is_recorded_and_not_retried(store: SharedStore) {
    let deliver = Arc::new(Scripted::default());
    deliver.script.lock().unwrap().insert(
        "to blocked".into(),
        vec![DeliveryError::Permanent(
            "Forbidden: bot was blocked by the user".into(),
        )],
    );
    enqueue(&store, 3, "to blocked").await;
    let mut sender = sender(&store, deliver.clone());
    run_until_settled(&mut sender, &store, Duration::from_secs(10)).await;
    assert_eq!(deliver.calls.lock().unwrap().len(), 1);
    let stats = store.outbox_stats().await.unwrap();
    assert_eq!((stats.sent, stats.failed), (0, 1));
    let failed = store
        .recent_events(Some("message_failed"), 10)
        .await
        .unwrap();
    assert_eq!(failed.len(), 1);
    assert!(failed[0].event.data["reason"]
        .as_str()
        .unwrap()
        .contains("blocked"));
}

async fn transient_failures_back_off_then_succeed(store: SharedStore) {
    let deliver = Arc::new(Scripted::default());
    deliver.script.lock().unwrap().insert(
        "flaky".into(),
        vec![DeliveryError::Transient("502 Bad Gateway".into())],
    );
    enqueue(&store, 4, "flaky").await;
    let mut sender = sender(&store, deliver.clone());
    run_until_settled(&mut sender, &store, Duration::from_secs(20)).await;
    assert_eq!(deliver.calls.lock().unwrap().len(), 2);
    assert_eq!(store.outbox_stats().await.unwrap().sent, 1);
    assert_eq!(
        store
            .recent_events(Some("message_sent"), 10)
            .await
            .unwrap()
            .len(),
        1
    );
}

groupcart_store_contract::backend_tests!(
    keeps_order_per_chat_with_one_in_flight,
    rate_limit_parks_only_its_chat_and_is_retried,
    permanent_failure_is_recorded_and_not_retried,
    transient_failures_back_off_then_succeed,
);
