//! Fuzz target: the webhook endpoint, `POST /telegram/{bot}`, on SQLite and PostgreSQL.
//!
//! Each case posts a body (a Telegram fixture mutated structurally and as text by
//! `crates/telegram/tests/support/mutate.rs`, arbitrary bytes, or a valid update) with the
//! right secret header, none, an empty one, a near miss or arbitrary bytes. Checked: no
//! answer is a 5xx; a wrong or missing secret is always 401; with the right secret the
//! answer is 200 or 400; and afterwards the server still stores a valid update and
//! answers its health check.
//!
//! This crate has no proptest, so the cases come from a seeded generator: the seed is
//! printed with any failure and `FUZZ_SEED` replays it. `PROPTEST_CASES` sets the number
//! of cases and `FUZZ_SECONDS` bounds a long run (`scripts/fuzz.sh`).

#[path = "../../telegram/tests/support/mutate.rs"]
mod mutate;
mod support;

use groupcart_core::store::SharedStore;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use reqwest::header::HeaderValue;
use std::time::{Duration, Instant};
use support::SECRET;

/// The fuzz cases of a normal test run, per backend.
const CASES: u32 = 120;

fn text_update(update_id: i64) -> Vec<u8> {
    serde_json::json!({
        "update_id": update_id,
        "message": {
            "message_id": 5, "date": 1_790_000_000,
            "chat": {"id": 42, "type": "private", "first_name": "Ana"},
            "from": {"id": 42, "is_bot": false, "first_name": "Ana"},
            "text": "hello"
        }
    })
    .to_string()
    .into_bytes()
}

fn body(rng: &mut StdRng, case: u32) -> Vec<u8> {
    match rng.random_range(0..6) {
        0 => {
            let len = rng.random_range(0..512);
            (0..len).map(|_| rng.random()).collect()
        }
        1 => text_update(1_000_000 + i64::from(case)),
        _ => {
            let len = rng.random_range(0..40);
            let choices: Vec<u64> = (0..len).map(|_| rng.random()).collect();
            mutate::mutated_update(&choices)
        }
    }
}

/// A secret header value, or none; `true` if it is the right secret.
fn secret(rng: &mut StdRng) -> (Option<HeaderValue>, bool) {
    let wrong = |bytes: &[u8]| {
        // Surrounding whitespace is not part of a header value; keep some byte in it.
        let bytes = bytes.trim_ascii();
        let bytes = if bytes.is_empty() { b"x" } else { bytes };
        (HeaderValue::from_bytes(bytes).ok(), false)
    };
    match rng.random_range(0..10) {
        0 => (None, false),
        1 => (Some(HeaderValue::from_static("")), false),
        2 => wrong(format!("{SECRET}x").as_bytes()),
        3 => wrong(&SECRET.as_bytes()[..rng.random_range(1..SECRET.len())]),
        4 => wrong(SECRET.to_uppercase().as_bytes()),
        5 => {
            let mut near = SECRET.as_bytes().to_vec();
            let at = rng.random_range(0..near.len());
            near[at] ^= 1 << rng.random_range(0..7);
            wrong(&near)
        }
        6 => {
            // Any bytes a header value may hold: tab, visible ASCII and non-ASCII.
            let len = rng.random_range(1..40);
            let bytes: Vec<u8> = (0..len)
                .map(|_| match rng.random_range(0..4) {
                    0 => rng.random_range(0x80..=0xff),
                    _ => rng.random_range(0x20..0x7f),
                })
                .collect();
            wrong(&bytes)
        }
        _ => (Some(HeaderValue::from_static(SECRET)), true),
    }
}

async fn post(
    http: &reqwest::Client,
    base: &str,
    secret: Option<HeaderValue>,
    body: Vec<u8>,
) -> u16 {
    let mut request = http
        .post(format!("{base}/telegram/shop"))
        .header("content-type", "application/json")
        .body(body);
    if let Some(secret) = secret {
        request = request.header("X-Telegram-Bot-Api-Secret-Token", secret);
    }
    request
        .send()
        .await
        .expect("the server answers")
        .status()
        .as_u16()
}

async fn webhook_survives_any_request(store: SharedStore) {
    let (base, _) = support::serve(store.clone()).await;
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(20))
        .build()
        .unwrap();
    let seed = std::env::var("FUZZ_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(rand::random::<u64>);
    let mut rng = StdRng::seed_from_u64(seed);
    let start = Instant::now();
    for case in 0..mutate::cases(CASES) {
        if mutate::out_of_time(start) {
            break;
        }
        let body = body(&mut rng, case);
        let (secret, right) = secret(&mut rng);
        let shown = format!(
            "case {case} of FUZZ_SEED={seed}: secret {:?}, body {:?}",
            secret,
            String::from_utf8_lossy(&body[..body.len().min(2000)])
        );
        let status = post(&http, &base, secret, body).await;
        assert!(status < 500, "{status} for {shown}");
        if right {
            assert!(matches!(status, 200 | 400), "{status} for {shown}");
        } else {
            assert_eq!(status, 401, "{shown}");
        }
    }

    // Still working: a valid update is stored and the health check answers.
    let update_id = 9_000_000_000;
    let status = post(
        &http,
        &base,
        Some(HeaderValue::from_static(SECRET)),
        text_update(update_id),
    )
    .await;
    assert_eq!(status, 200, "FUZZ_SEED={seed}");
    let pending = store.inbox_pending(0, 100_000).await.unwrap();
    assert!(pending.iter().any(|u| u.update_id == update_id));
    let health = http.get(format!("{base}/healthz")).send().await.unwrap();
    assert_eq!(health.status(), 200);
}

groupcart_store_contract::backend_tests!(webhook_survives_any_request);
