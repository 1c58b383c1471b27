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
