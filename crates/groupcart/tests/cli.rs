//! The command line as an operator meets it.

use std::process::{Command, Output};

fn groupcart(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_groupcart"));
    command
        .args(args)
        .env_remove(groupcart_store_contract::POSTGRES_URL_VAR);
    for (key, value) in env {
        command.env(key, value);
    }
    command.output().expect("groupcart runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn config_print_redacts_secrets() {
    let token = "123456:averysecrettokenvalue";
    let out = groupcart(
        &["config", "print"],
        &[("GROUPCART_TELEGRAM__TOKEN", token)],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let printed = text(&out.stdout);
    assert!(printed.contains("[database]"), "{printed}");
    assert!(printed.contains("[redacted]"), "{printed}");
    assert!(!printed.contains("averysecrettokenvalue"), "{printed}");
}

#[test]
fn invalid_configuration_names_the_key_and_exits_2() {
    let out = groupcart(&["config", "print"], &[("GROUPCART_HTTP__LISTNE", "x")]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("listne"),
        "{}",
        text(&out.stderr)
    );

    let out = groupcart(&["--database-url", "mysql://db", "migrate"], &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("database.url"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn migrate_then_backup_a_sqlite_database() {
    let db = groupcart_store_contract::sqlite_path();
    let url = format!("sqlite://{}", db.display());
    let out = groupcart(&["--database-url", &url, "migrate"], &[]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let backup = db.with_extension("backup.db");
    let out = groupcart(
        &["--database-url", &url, "backup", backup.to_str().unwrap()],
        &[],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(std::fs::metadata(&backup).unwrap().len() > 0);
    // A backup never overwrites a file.
    let out = groupcart(
        &["--database-url", &url, "backup", backup.to_str().unwrap()],
        &[],
    );
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("exists"),
        "{}",
        text(&out.stderr)
    );
    let _ = std::fs::remove_file(backup);
}

fn fixture(name: &str) -> String {
    let dir = env!("CARGO_MANIFEST_DIR");
    format!("{dir}/../catalog-csv/tests/fixtures/{name}")
}

/// `groupcart --database-url URL catalog VERB FILE`.
fn catalog(url: &str, verb: &str, file: &str) -> Output {
    groupcart(&["--database-url", url, "catalog", verb, file], &[])
}

/// A malformed file imports nothing and names each bad line; a good one imports, re-imports
/// as updates, and exports to a file that imports again.
#[test]
fn catalog_import_and_export() {
    let db = groupcart_store_contract::sqlite_path();
    let url = format!("sqlite://{}", db.display());

    let out = catalog(&url, "import", &fixture("malformed.csv"));
    assert!(!out.status.success());
    let stderr = text(&out.stderr);
    let bad_price = "line 6 (handle story-tee): Variant Price \"abc\"";
    assert!(stderr.contains(bad_price), "{stderr}");
    assert!(stderr.contains("nothing was imported"), "{stderr}");

    let out = catalog(&url, "import", &fixture("shopify_export.csv"));
    assert!(out.status.success(), "{}", text(&out.stderr));
    let first = text(&out.stdout);
    assert!(first.contains("new, 0 updated"), "{first}");
    let again = text(&catalog(&url, "import", &fixture("shopify_export.csv")).stdout);
    assert!(again.contains("(0 new,"), "{again}");

    let exported = db.with_extension("export.csv");
    let out = catalog(&url, "export", exported.to_str().unwrap());
    assert!(out.status.success(), "{}", text(&out.stderr));
    let csv = std::fs::read_to_string(&exported).unwrap();
    assert!(csv.starts_with("Handle,"), "{csv}");
    assert!(csv.contains("basic-tee"));

    let other = format!(
        "sqlite://{}",
        groupcart_store_contract::sqlite_path().display()
    );
    let out = catalog(&other, "import", exported.to_str().unwrap());
    assert!(out.status.success(), "{}", text(&out.stderr));
    let _ = std::fs::remove_file(exported);
}

/// `groupcart bench jobs` with tiny sizes, so that the benchmark cannot rot.
#[test]
fn bench_jobs_runs_with_tiny_sizes() {
    let out = groupcart(
        &[
            "bench",
            "jobs",
            "--jobs",
            "200",
            "--late-jobs",
            "100",
            "--spread-seconds",
            "0.3",
            "--lead-seconds",
            "0.3",
            "--limit-seconds",
            "20",
        ],
        &[],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let printed = text(&out.stdout);
    for row in [
        "sqlite: defaults (batch 100, poll 500 ms, 1 runner)",
        "sqlite: tuned (batch 500, poll 20 ms, 1 runner)",
    ] {
        let line = printed
            .lines()
            .find(|l| l.starts_with(row))
            .unwrap_or_else(|| panic!("no row {row:?}:\n{printed}"));
        assert!(
            line.contains("met") || line.contains("missed"),
            "{line}\n{printed}"
        );
    }
    assert!(
        printed.contains("200 of them completed"),
        "not every job ran:\n{printed}"
    );
    assert!(!printed.contains("lateness jobs ran before"), "{printed}");
}

/// `groupcart serve` on `url` (sandbox mode), once it has started: it has written to the
/// database, so it holds the file.
struct Serving(std::process::Child);

impl Serving {
    fn start(url: &str) -> Serving {
        use std::io::BufRead;
        let mut child = Command::new(env!("CARGO_BIN_EXE_groupcart"))
            .args(["--database-url", url, "--listen", "127.0.0.1:0", "serve"])
            .env_remove(groupcart_store_contract::POSTGRES_URL_VAR)
            .env("RUST_LOG", "info")
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("groupcart starts");
        // The log lines of both streams; read to the end, so that the server never blocks on
        // a full pipe.
        let (lines, log) = std::sync::mpsc::channel();
        let stdout = std::io::BufReader::new(child.stdout.take().unwrap());
        let stderr = std::io::BufReader::new(child.stderr.take().unwrap());
        let out = lines.clone();
        std::thread::spawn(move || {
            stdout
                .lines()
                .map_while(Result::ok)
                .for_each(|l| drop(out.send(l)))
        });
        std::thread::spawn(move || {
            stderr
                .lines()
                .map_while(Result::ok)
                .for_each(|l| drop(lines.send(l)))
        });
        let mut seen = String::new();
        loop {
            match log.recv_timeout(std::time::Duration::from_secs(60)) {
                Ok(line) if line.contains("console:") => break,
                Ok(line) => {
                    seen.push_str(&line);
                    seen.push('\n');
                }
                Err(_) => {
                    let _ = child.kill();
                    panic!("serve did not start:\n{seen}");
                }
            }
        }
        Serving(child)
    }
}

impl Drop for Serving {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Runs `groupcart ARGS` to its end, failing the test if it takes longer than `limit` (a
/// second server that is not refused would run for ever).
fn finishes(args: &[&str], limit: std::time::Duration) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_groupcart"))
        .args(args)
        .env_remove(groupcart_store_contract::POSTGRES_URL_VAR)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("groupcart runs");
    let deadline = std::time::Instant::now() + limit;
    while child.try_wait().unwrap().is_none() {
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            let out = child.wait_with_output().unwrap();
            panic!(
                "groupcart {args:?} still running after {limit:?}:\n{}",
                text(&out.stdout)
            );
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    child.wait_with_output().unwrap()
}

/// SQLite is single-instance: a second `serve` on a file a running one uses is refused with
/// a message naming the file and the other process; once that one is gone, the file opens.
#[test]
fn a_second_instance_on_one_sqlite_file_is_refused() {
    let db = groupcart_store_contract::sqlite_path();
    let url = format!("sqlite://{}", db.display());
    let first = Serving::start(&url);
    let limit = std::time::Duration::from_secs(60);

    let out = finishes(
        &["--database-url", &url, "--listen", "127.0.0.1:0", "serve"],
        limit,
    );
    assert!(!out.status.success());
    let stderr = text(&out.stderr);
    let expected = format!(
        "the database file {} is in use by another groupcart instance (pid {}); SQLite \
         supports one instance — use PostgreSQL to run several",
        db.display(),
        first.0.id()
    );
    assert!(stderr.contains(&expected), "{stderr}");
    // Tools that read or copy the file still work beside the server.
    let out = finishes(&["--database-url", &url, "audit", "verify"], limit);
    assert!(out.status.success(), "{}", text(&out.stderr));

    drop(first);
    let second = Serving::start(&url);
    drop(second);
}

/// The lock itself: one holder per file (a second taker in the same process is refused
/// too, with the holder's pid); released when dropped.
#[test]
fn the_sqlite_instance_lock_has_one_holder() {
    use groupcart_store_sqlite::SqliteStore;
    let db = groupcart_store_contract::sqlite_path();
    let url = format!("sqlite://{}", db.display());
    let first = SqliteStore::lock_instance(&url).unwrap();
    let refused = SqliteStore::lock_instance(&url).unwrap_err();
    let expected = format!(
        "the database file {} is in use by another groupcart instance (pid {}); SQLite \
         supports one instance — use PostgreSQL to run several",
        db.display(),
        std::process::id()
    );
    assert!(
        matches!(&refused, groupcart_core::Error::Conflict(m) if *m == expected),
        "{refused}"
    );
    drop(first);
    let again = SqliteStore::lock_instance(&url).unwrap();
    drop(again);
}

/// SQLite needs no key setup: the first start writes a key file beside the database. A new
/// key goes first with `keys add`; `keys rotate` re-seals and names the old key as unused.
/// PostgreSQL, shared by instances, refuses to start without configured keys.
#[test]
fn keys_are_made_added_and_rotated() {
    let db = groupcart_store_contract::sqlite_path();
    let url = format!("sqlite://{}", db.display());
    let key_file = format!("{}.keys", db.display());
    let key_lines = || {
        std::fs::read_to_string(&key_file)
            .unwrap()
            .lines()
            .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
            .map(|l| l.split(':').next().unwrap().to_owned())
            .collect::<Vec<_>>()
    };
    let out = groupcart(&["--database-url", &url, "migrate"], &[]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let first = key_lines();
    assert_eq!(first.len(), 1, "{first:?}");

    let out = groupcart(&["--database-url", &url, "keys", "add"], &[]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let both = key_lines();
    assert_eq!(both.len(), 2);
    assert_eq!(both[1], first[0], "the old key stays, after the new one");

    let out = groupcart(&["--database-url", &url, "keys", "rotate"], &[]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let said = text(&out.stdout);
    assert!(
        said.contains(&format!("re-sealing with key {:?}", both[0])),
        "{said}"
    );
    assert!(
        said.contains(&format!("key {:?} is no longer used", first[0])),
        "{said}"
    );

    let out = groupcart(&["keys", "generate"], &[]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let printed = text(&out.stdout);
    let (id, key) = printed.trim().split_once(':').unwrap();
    assert!(id.starts_with('k') && key.len() == 44, "{printed}");

    let out = groupcart(
        &["--database-url", "postgres://127.0.0.1:1/none", "migrate"],
        &[],
    );
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("encryption.keys"),
        "{}",
        text(&out.stderr)
    );
    let _ = std::fs::remove_file(key_file);
}
