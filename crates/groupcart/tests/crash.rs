//! Crash safety of the real binary: `groupcart serve` is killed with SIGKILL at random
//! moments while customers send `/start`, and restarted. Afterwards every update has been
//! processed exactly once, every customer got their notice, a message confirmed before a
//! kill was never sent again, and at most the one message in flight per kill was repeated.

use groupcart_core::store::SharedStore;
use groupcart_simulator::{SimConfig, Simulator};
use std::collections::{HashMap, HashSet};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const TOKEN: &str = "5000000001:crash-test-bot-token";
const BOT_ID: i64 = 5000000001;
const USERS: i64 = 40;
const KILLS: usize = 3;

/// A running `groupcart serve`, killed when dropped so a failing test leaves nothing behind.
struct Serve(Child);

impl Serve {
    fn start(database_url: &str, sim_url: &str, log: &std::path::Path) -> Serve {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(log)
            .unwrap();
        let child = Command::new(env!("CARGO_BIN_EXE_groupcart"))
            .arg("serve")
            .env("GROUPCART_TELEGRAM__TOKEN", TOKEN)
            .env("GROUPCART_TELEGRAM__API_URL", sim_url)
            .env("GROUPCART_TELEGRAM__POLL_TIMEOUT", "1")
            .env("GROUPCART_DATABASE__URL", database_url)
            .env(
                "GROUPCART_ENCRYPTION__KEYS",
                groupcart_store_contract::TEST_KEYS,
            )
            .env("GROUPCART_HTTP__LISTEN", "127.0.0.1:0")
            .env("RUST_LOG", "info")
            // The test harness's own setting is not one of groupcart's, which rejects unknown
            // GROUPCART_ variables.
            .env_remove(groupcart_store_contract::POSTGRES_URL_VAR)
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("groupcart starts");
        Serve(child)
    }

    /// Panics with the log if the process has exited on its own.
    fn assert_running(&mut self, log: &std::path::Path) {
        if let Ok(Some(status)) = self.0.try_wait() {
            let log = std::fs::read_to_string(log).unwrap_or_default();
            panic!("groupcart exited with {status}:\n{log}");
        }
    }

    fn kill(mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Chats whose message Telegram confirmed, by the store's `message_sent` events.
async fn confirmed_chats(store: &SharedStore) -> HashSet<i64> {
    let sent = store
        .recent_events(Some("message_sent"), 10_000)
        .await
        .unwrap();
    sent.iter().filter_map(|e| e.event.chat_id).collect()
}

/// How many messages the bot sent to each user's chat.
async fn delivered(sim: &groupcart_simulator::client::SimClient) -> HashMap<i64, usize> {
    let mut counts = HashMap::new();
    for user in 1..=USERS {
        let chat = 30_000 + user;
        let sent = sim.messages(BOT_ID, chat).await.unwrap();
        counts.insert(chat, sent.iter().filter(|m| m.from_bot).count());
    }
    counts
}

fn pseudo_random(seed: &mut u64) -> u64 {
    // xorshift: reproducible kill times without a dependency.
    *seed ^= *seed << 13;
    *seed ^= *seed >> 7;
    *seed ^= *seed << 17;
    *seed
}

async fn kill_and_restart(database_url: String, store: SharedStore) {
    let sim_server = Simulator::new(SimConfig::default())
        .spawn_local()
        .await
        .unwrap();
    let sim = sim_server.client();
    let log = std::env::temp_dir().join(format!("groupcart-crash-{}.log", std::process::id()));
    let mut seed = 0x9E37_79B9_7F4A_7C15u64 ^ std::process::id() as u64;

    // Customers keep writing while the process is killed and restarted.
    let writer = {
        let sim = sim.clone();
        tokio::spawn(async move {
            for user in 1..=USERS {
                sim.send_text(BOT_ID, 30_000 + user, "/start crash")
                    .await
                    .unwrap();
                tokio::time::sleep(Duration::from_millis(30)).await;
            }
        })
    };

    let mut serve = Serve::start(&database_url, &sim_server.url(), &log);
    // Chat → messages delivered to it when its message had been confirmed before a kill.
    let mut confirmed_before_kill: HashMap<i64, usize> = HashMap::new();
    for _ in 0..KILLS {
        let wait = 150 + pseudo_random(&mut seed) % 600;
        tokio::time::sleep(Duration::from_millis(wait)).await;
        serve.assert_running(&log);
        serve.kill();
        let counts = delivered(&sim).await;
        for chat in confirmed_chats(&store).await {
            confirmed_before_kill.entry(chat).or_insert(counts[&chat]);
        }
        serve = Serve::start(&database_url, &sim_server.url(), &log);
    }
    writer.await.unwrap();

    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let started = store
            .recent_events(Some("conversation_started"), 10_000)
            .await
            .unwrap();
        let pending = store.outbox_stats().await.unwrap().pending;
        let counts = delivered(&sim).await;
        if started.len() as i64 >= USERS && pending == 0 && counts.values().all(|c| *c >= 1) {
            break;
        }
        serve.assert_running(&log);
        assert!(
            Instant::now() < deadline,
            "not settled: {} started, {pending} pending (log: {})",
            started.len(),
            log.display()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    serve.kill();

    // Exactly once: one processed /start per customer, one customer per user.
    let started = store
        .recent_events(Some("conversation_started"), 10_000)
        .await
        .unwrap();
    let mut per_customer: HashMap<_, usize> = HashMap::new();
    for e in &started {
        *per_customer
            .entry(e.event.customer_id.expect("customer"))
            .or_default() += 1;
    }
    assert_eq!(per_customer.len() as i64, USERS, "one customer per user");
    assert!(
        per_customer.values().all(|n| *n == 1),
        "an update was processed twice: {per_customer:?}"
    );
    let received = store
        .recent_events(Some("update_received"), 10_000)
        .await
        .unwrap();
    let ids: HashSet<_> = received
        .iter()
        .map(|e| e.event.data["update_id"].as_i64())
        .collect();
    assert_eq!(
        ids.len(),
        received.len(),
        "an update_id was processed twice"
    );

    // Confirmed messages were never sent again; the ambiguous in-flight ones at most once more.
    let counts = delivered(&sim).await;
    for (chat, before) in &confirmed_before_kill {
        assert_eq!(
            counts[chat], *before,
            "chat {chat}: a confirmed message was sent again"
        );
    }
    let repeats: usize = counts.values().map(|c| c - 1).sum();
    assert!(
        repeats <= KILLS,
        "{repeats} repeated messages for {KILLS} kills"
    );
    let _ = std::fs::remove_file(&log);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_and_restart_sqlite() {
    let path = groupcart_store_contract::sqlite_path();
    let url = format!("sqlite://{}", path.display());
    let store = groupcart_store_sqlite::SqliteStore::open(
        &url,
        groupcart_store_contract::test_keys_sealer(),
    )
    .await
    .unwrap()
    .into_shared();
    kill_and_restart(url, store).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_and_restart_postgres() {
    let url = groupcart_store_contract::postgres_url_for_new_db().await;
    let store = groupcart_store_postgres::PostgresStore::connect(
        &url,
        4,
        groupcart_store_contract::test_keys_sealer(),
    )
    .await
    .unwrap()
    .into_shared();
    kill_and_restart(url, store).await;
}
