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
