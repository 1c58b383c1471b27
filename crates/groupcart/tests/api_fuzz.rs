//! The admin API under a property-based fuzzer: schemathesis generates requests from the
//! OpenAPI document (valid and invalid bodies, paths and queries) against a running
//! groupcart in sandbox mode, and fails on any 5xx answer.
//!
//! `scripts/test.sh` installs schemathesis into `target/tools` and names it in
//! `SCHEMATHESIS_BIN`; without it the test looks for `schemathesis` on the PATH.
//! The run is bounded by the number of examples per operation and a fixed seed, so it is
//! repeatable; `API_FUZZ_EXAMPLES` raises the count for a longer run.

// The scenarios' harness; this file runs on SQLite only (no store behaviour of its own).
#[allow(unused_macros)]
mod shop_harness;

use shop_harness::*;
use std::process::Command;
use std::time::Duration;

/// Generated requests per operation in the normal test run.
const EXAMPLES: &str = "25";
/// The whole run's upper bound; schemathesis is killed past it.
const TIME_LIMIT: Duration = Duration::from_secs(600);

fn schemathesis() -> String {
    std::env::var("SCHEMATHESIS_BIN").unwrap_or_else(|_| "schemathesis".to_owned())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_generated_request_gets_a_server_error() {
    let program = schemathesis();
    let installed = Command::new(&program).arg("--version").output();
    assert!(
        installed.is_ok_and(|out| out.status.success()),
        "`{program}` does not run: run the tests with ./scripts/test.sh, which installs \
         schemathesis, or set SCHEMATHESIS_BIN"
    );
    let shop = start(sqlite_url()).await;
    let base = format!("http://{}", shop.app.addr);
    let examples = std::env::var("API_FUZZ_EXAMPLES").unwrap_or_else(|_| EXAMPLES.to_owned());
    let mut command = tokio::process::Command::new(&program);
    command
        .arg("run")
        .arg(format!("{base}/api/openapi.json"))
        .args(["--url", &format!("{base}/api")])
        .args(["--header", &format!("Authorization: Bearer {API_TOKEN}")])
        .args(["--checks", "not_a_server_error"])
        .args(["--max-examples", &examples])
        .args(["--seed", "20261122"])
        .args(["--request-timeout", "10"])
        .args(["--workers", "2"])
        .kill_on_drop(true);
    let out = tokio::time::timeout(TIME_LIMIT, command.output())
        .await
        .expect("schemathesis finished within its time limit")
        .expect("schemathesis runs");
    let report = String::from_utf8_lossy(&out.stdout);
    shop.stop().await;
    // The run's verdict covers the tool's own trouble too (a schema it cannot generate
    // from, an internal error); this test is about the server: no 5xx, and requests made.
    assert!(
        !report.contains("Server error"),
        "server errors found:\n{report}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // The summary says "Test cases:" then "  5650 generated, 5650 passed".
    let generated = report
        .lines()
        .filter_map(|line| line.trim().split_once(" generated"))
        .find_map(|(count, _)| count.parse::<u64>().ok())
        .unwrap_or(0);
    assert!(generated > 1_000, "too few requests were made:\n{report}");
    if !out.status.success() {
        eprintln!("schemathesis reported problems of its own (no server error):\n{report}");
    }
}
