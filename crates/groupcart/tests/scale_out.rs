//! Two instances of the real binary on one PostgreSQL database, behind a round-robin proxy
//! that Telegram (the simulator) sends webhooks to: both take updates; one holds the
//! sender's lease; when it is killed with SIGKILL the other takes over sending within 10 s,
//! and every update is processed once and every customer answered.

use groupcart_core::lease;
use groupcart_core::store::SharedStore;
use groupcart_simulator::{SimConfig, Simulator};
use std::collections::HashMap;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

const TOKEN: &str = "5000000002:scale-out-test-bot-token";
const BOT_ID: i64 = 5000000002;
const USERS_PER_PHASE: i64 = 15;

/// A running `groupcart serve`, killed when dropped so a failing test leaves nothing behind.
struct Serve {
    child: Child,
    port: u16,
}

impl Serve {
    fn start(database_url: &str, sim_url: &str, proxy_url: &str, log: &std::path::Path) -> Serve {
        // A free port, known in advance: the proxy needs it.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(log)
            .unwrap();
        let child = Command::new(env!("CARGO_BIN_EXE_groupcart"))
            .arg("serve")
            .env("GROUPCART_TELEGRAM__TOKEN", TOKEN)
            .env("GROUPCART_TELEGRAM__API_URL", sim_url)
            .env("GROUPCART_DATABASE__URL", database_url)
            .env(
                "GROUPCART_ENCRYPTION__KEYS",
                groupcart_store_contract::TEST_KEYS,
            )
            .env("GROUPCART_HTTP__LISTEN", format!("127.0.0.1:{port}"))
            .env("GROUPCART_HTTP__PUBLIC_URL", proxy_url)
            .env("RUST_LOG", "info")
            .env_remove(groupcart_store_contract::POSTGRES_URL_VAR)
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("groupcart starts");
        Serve { child, port }
    }

    fn pid(&self) -> u32 {
        self.child.id()
    }

    fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        self.kill();
    }
}

/// The proxy's backends: instances' ports, set once they are started.
type Backends = Arc<std::sync::RwLock<Vec<u16>>>;

/// Forwards each request to the next live backend in turn (a stand-in for a load
/// balancer); counts what each backend took.
async fn proxy(backends: Backends, served: Arc<Vec<AtomicUsize>>) -> String {
    let next = Arc::new(AtomicUsize::new(0));
    let http = reqwest::Client::new();
    let app = axum::Router::new().fallback(move |request: axum::extract::Request| {
        let (backends, served, next, http) =
            (backends.clone(), served.clone(), next.clone(), http.clone());
        async move {
            let ports = backends.read().unwrap().clone();
            let (parts, body) = request.into_parts();
            let body = axum::body::to_bytes(body, 1 << 20)
                .await
                .unwrap_or_default();
            let first = next.fetch_add(1, Ordering::SeqCst);
            for i in 0..ports.len() {
                let backend = (first + i) % ports.len();
                let url = format!("http://127.0.0.1:{}{}", ports[backend], parts.uri);
                let mut forwarded = http.request(parts.method.clone(), url).body(body.clone());
                for (name, value) in &parts.headers {
                    if name != axum::http::header::HOST {
                        forwarded = forwarded.header(name, value);
                    }
                }
                if let Ok(response) = forwarded.send().await {
                    served[backend].fetch_add(1, Ordering::SeqCst);
                    let status = response.status().as_u16();
                    let bytes = response.bytes().await.unwrap_or_default();
                    return (
                        axum::http::StatusCode::from_u16(status).unwrap(),
                        bytes.to_vec(),
                    );
                }
            }
            (axum::http::StatusCode::BAD_GATEWAY, Vec::new())
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    url
}

/// How many messages the bot sent to each chat of `users`.
async fn delivered(
    sim: &groupcart_simulator::client::SimClient,
    users: std::ops::RangeInclusive<i64>,
) -> HashMap<i64, usize> {
    let mut counts = HashMap::new();
    for user in users {
        let sent = sim.messages(BOT_ID, user).await.unwrap();
        counts.insert(user, sent.iter().filter(|m| m.from_bot).count());
    }
    counts
}

async fn wait_until_answered(
    sim: &groupcart_simulator::client::SimClient,
    users: std::ops::RangeInclusive<i64>,
    within: Duration,
    log: &std::path::Path,
) -> Duration {
    let started = Instant::now();
    loop {
        let counts = delivered(sim, users.clone()).await;
        if counts.values().all(|c| *c >= 1) {
            return started.elapsed();
        }
        assert!(
            started.elapsed() < within,
            "not every customer was answered: {counts:?} (log: {})",
            log.display()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_share_the_work_and_take_over_sending() {
    let database_url = groupcart_store_contract::postgres_url_for_new_db().await;
    let store: SharedStore = groupcart_store_postgres::PostgresStore::connect(
        &database_url,
        2,
        groupcart_store_contract::test_keys_sealer(),
    )
    .await
    .unwrap()
    .into_shared();
    let sim_server = Simulator::new(SimConfig::default())
        .spawn_local()
        .await
        .unwrap();
    let sim = sim_server.client();
    let log = std::env::temp_dir().join(format!("groupcart-scale-{}.log", std::process::id()));

    // The proxy listens first: its address goes into each instance's configuration (the
    // instances tell Telegram to send webhooks there).
    let served = Arc::new(vec![AtomicUsize::new(0), AtomicUsize::new(0)]);
    let backends: Backends = Arc::default();
    let proxy_url = proxy(backends.clone(), served.clone()).await;
    let mut a = Serve::start(&database_url, &sim_server.url(), &proxy_url, &log);
    let mut b = Serve::start(&database_url, &sim_server.url(), &proxy_url, &log);
    *backends.write().unwrap() = vec![a.port, b.port];

    // Phase 1: customers arrive; both instances take webhooks.
    for user in 1..=USERS_PER_PHASE {
        sim.send_text(BOT_ID, user, "/start scale").await.unwrap();
    }
    wait_until_answered(&sim, 1..=USERS_PER_PHASE, Duration::from_secs(60), &log).await;
    assert!(
        served.iter().all(|n| n.load(Ordering::SeqCst) > 0),
        "both instances take webhooks: {:?}",
        served
            .iter()
            .map(|n| n.load(Ordering::SeqCst))
            .collect::<Vec<_>>()
    );

    // Kill the instance that holds the sender's lease.
    let holder = store
        .lease_holder(&lease::sender("main"), chrono::Utc::now())
        .await
        .unwrap()
        .expect("someone sends");
    let (victim, survivor) = if holder.contains(&format!("-{}-", a.pid())) {
        (&mut a, &mut b)
    } else {
        assert!(holder.contains(&format!("-{}-", b.pid())), "{holder}");
        (&mut b, &mut a)
    };
    victim.kill();
    let killed_at = Instant::now();

    // Phase 2: more customers; the survivor takes over and answers them.
    let phase2 = USERS_PER_PHASE + 1..=2 * USERS_PER_PHASE;
    for user in phase2.clone() {
        sim.send_text(BOT_ID, user, "/start scale").await.unwrap();
    }
    let first_answer = {
        loop {
            let counts = delivered(&sim, phase2.clone()).await;
            if counts.values().any(|c| *c >= 1) {
                break killed_at.elapsed();
            }
            assert!(
                killed_at.elapsed() < Duration::from_secs(30),
                "nobody took over sending (log: {})",
                log.display()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    };
    println!(
        "sending taken over {} ms after the kill",
        first_answer.as_millis()
    );
    assert!(
        first_answer < Duration::from_secs(10),
        "took {first_answer:?} to take over"
    );
    wait_until_answered(&sim, phase2.clone(), Duration::from_secs(60), &log).await;
    let new_holder = store
        .lease_holder(&lease::sender("main"), chrono::Utc::now())
        .await
        .unwrap()
        .expect("the survivor sends");
    assert!(
        new_holder.contains(&format!("-{}-", survivor.pid())),
        "{new_holder}"
    );

    // Exactly once: one processed /start per customer and per update.
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
    assert_eq!(per_customer.len() as i64, 2 * USERS_PER_PHASE);
    assert!(per_customer.values().all(|n| *n == 1), "{per_customer:?}");
    survivor.kill();
    let _ = std::fs::remove_file(&log);
}
