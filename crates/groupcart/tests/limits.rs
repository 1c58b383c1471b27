//! The sender against the simulator at Telegram's default limits: a flooded private chat, a
//! flooded group and a broadcast to many chats all arrive without a single 429.

use chrono::Utc;
use groupcart_core::clock::{SharedClock, SystemClock};
use groupcart_core::metrics::Metrics;
use groupcart_core::outbox::{Action, NewOutbound};
use groupcart_core::store::SharedStore;
use groupcart_simulator::types::{ChatType, MemberStatus, SimChat};
use groupcart_simulator::{SimConfig, Simulator};
use groupcart_telegram::Client;
use groupcart_worker::deliver::TelegramDeliver;
use groupcart_worker::sender::{Sender, SenderConfig};
use std::sync::Arc;
use std::time::{Duration, Instant};

const TOKEN: &str = "4000000001:flood-test-bot-token";
const BOT_ID: i64 = 4000000001;
const GROUP: i64 = -1_000_000_000_777;

async fn enqueue_all(store: &SharedStore, messages: &[(i64, String, bool)]) {
    let mut tx = store.begin().await.unwrap();
    for (chat_id, text, broadcast) in messages {
        tx.enqueue(&NewOutbound {
            bot: "flood".into(),
            chat_id: *chat_id,
            customer_id: None,
            action: Action::SendText {
                text: text.clone(),
                buttons: Vec::new(),
            },
            broadcast: *broadcast,
            not_before: Utc::now(),
            created_at: Utc::now(),
        })
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
}

async fn flood_without_429s(store: SharedStore) {
    let sim_server = Simulator::new(SimConfig::default())
        .spawn_local()
        .await
        .unwrap();
    let sim = sim_server.client();
    // Telegram only lets a bot write to users who wrote to it first, and to groups it is in.
    let broadcast_users: Vec<i64> = (1..=100).map(|i| 10_000 + i).collect();
    for user in broadcast_users.iter().chain([&1]) {
        sim.send_text(BOT_ID, *user, "hi").await.unwrap();
    }
    sim.register_chat(&SimChat {
        id: GROUP,
        kind: ChatType::Supergroup,
        title: "Fans".into(),
        username: None,
        is_forum: false,
    })
    .await
    .unwrap();
    sim.add_bot(GROUP, BOT_ID, MemberStatus::Administrator)
        .await
        .unwrap();

    let mut messages = Vec::new();
    messages.extend((0..8).map(|i| (1, format!("flood {i}"), false)));
    messages.extend((0..3).map(|i| (GROUP, format!("group {i}"), false)));
    messages.extend(
        broadcast_users
            .iter()
            .map(|u| (*u, "news".to_owned(), true)),
    );
    enqueue_all(&store, &messages).await;

    let metrics = Arc::new(Metrics::default());
    let clock: SharedClock = Arc::new(SystemClock);
    let client = Client::new(&sim_server.url(), TOKEN).unwrap();
    let mut sender = Sender::new(
        "flood",
        store.clone(),
        Arc::new(TelegramDeliver::new(client, None)),
        clock,
        metrics.clone(),
        SenderConfig::default(),
    );
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let next = sender.step().await.unwrap();
        if store.outbox_stats().await.unwrap().pending == 0 && sender.in_flight() == 0 {
            break;
        }
        assert!(Instant::now() < deadline, "flood not delivered in time");
        let wait = next.map_or(Duration::from_millis(5), |n| {
            n.saturating_duration_since(Instant::now())
        });
        tokio::time::sleep(wait.min(Duration::from_millis(50))).await;
    }

    let stats = sim.stats(BOT_ID).await.unwrap();
    assert_eq!(stats.too_many_requests, 0, "the simulator answered 429");
    assert_eq!(Metrics::get(&metrics.rate_limited), 0);
    assert_eq!(stats.sent_messages, messages.len() as u64);
    assert_eq!(
        store.outbox_stats().await.unwrap().sent,
        messages.len() as i64
    );
    let flooded = sim.messages(BOT_ID, 1).await.unwrap();
    let texts: Vec<_> = flooded
        .iter()
        .filter(|m| m.from_bot)
        .filter_map(|m| m.text.clone())
        .collect();
    assert_eq!(
        texts,
        (0..8).map(|i| format!("flood {i}")).collect::<Vec<_>>(),
        "in order"
    );
}

groupcart_store_contract::backend_tests!(flood_without_429s);
