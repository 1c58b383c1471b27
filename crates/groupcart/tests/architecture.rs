//! The layering rules of ARCHITECTURE.md, checked against the resolved dependency graph in
//! `Cargo.lock`: a crate that starts depending on what its layer must not know fails here.

use std::collections::{BTreeSet, HashMap};

/// Package name → names of its direct normal dependencies. Workspace crates are read from
/// their manifests (so dev-dependencies, such as the test harness, do not count); external
/// crates from Cargo.lock, which lists no dev-dependencies for them.
fn graph() -> HashMap<String, Vec<String>> {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");
    let lock: toml::Value = std::fs::read_to_string(format!("{root}/Cargo.lock"))
        .expect("Cargo.lock is committed")
        .parse()
        .expect("Cargo.lock is TOML");
    let mut graph: HashMap<String, Vec<String>> = lock["package"]
        .as_array()
        .expect("packages")
        .iter()
        .map(|p| {
            let name = p["name"].as_str().expect("name").to_owned();
            let deps = p
                .get("dependencies")
                .and_then(|d| d.as_array())
                .map(|d| {
                    d.iter()
                        .filter_map(|d| d.as_str())
                        // Entries read "name" or "name version" when several versions exist.
                        .map(|d| d.split(' ').next().unwrap_or(d).to_owned())
                        .collect()
                })
                .unwrap_or_default();
            (name, deps)
        })
        .collect();
    let crates = std::fs::read_dir(format!("{root}/crates")).expect("crates directory");
    for entry in crates {
        let manifest = entry.expect("entry").path().join("Cargo.toml");
        let Ok(text) = std::fs::read_to_string(&manifest) else {
            continue;
        };
        let manifest: toml::Value = text.parse().expect("manifest is TOML");
        let name = manifest["package"]["name"]
            .as_str()
            .expect("name")
            .to_owned();
        let deps = manifest
            .get("dependencies")
            .and_then(|d| d.as_table())
            .map(|t| t.keys().cloned().collect())
            .unwrap_or_default();
        graph.insert(name, deps);
    }
    graph
}

/// Every package `root` depends on, directly or not.
fn closure(graph: &HashMap<String, Vec<String>>, root: &str) -> BTreeSet<String> {
    let mut seen = BTreeSet::new();
    let mut stack = vec![root.to_owned()];
    while let Some(name) = stack.pop() {
        for dep in graph.get(&name).into_iter().flatten() {
            if seen.insert(dep.clone()) {
                stack.push(dep.clone());
            }
        }
    }
    seen
}

fn assert_free_of(crate_name: &str, forbidden: &[&str]) {
    let graph = graph();
    assert!(
        graph.contains_key(crate_name),
        "{crate_name} is not in Cargo.lock"
    );
    let deps = closure(&graph, crate_name);
    let found: Vec<_> = forbidden.iter().filter(|f| deps.contains(**f)).collect();
    assert!(
        found.is_empty(),
        "{crate_name} must not depend on {found:?}"
    );
}

#[test]
fn core_knows_nothing_of_sql_http_or_telegram() {
    assert_free_of(
        "groupcart-core",
        &[
            "sqlx",
            "rusqlite",
            "axum",
            "hyper",
            "reqwest",
            "groupcart-telegram",
            "groupcart-store-sqlite",
            "groupcart-store-postgres",
        ],
    );
}

#[test]
fn stores_know_nothing_of_http_or_telegram() {
    for store in ["groupcart-store-sqlite", "groupcart-store-postgres"] {
        assert_free_of(
            store,
            &[
                "axum",
                "hyper",
                "reqwest",
                "groupcart-telegram",
                "groupcart-bot",
            ],
        );
    }
}

#[test]
fn telegram_client_and_simulator_stand_alone() {
    assert_free_of("groupcart-telegram", &["groupcart-core", "sqlx"]);
    assert_free_of(
        "groupcart-simulator",
        &["groupcart-core", "groupcart-telegram", "sqlx"],
    );
}

#[test]
fn drivers_reach_the_database_only_through_the_ports() {
    for driver in ["groupcart-bot", "groupcart-http", "groupcart-worker"] {
        assert_free_of(
            driver,
            &[
                "sqlx",
                "rusqlite",
                "groupcart-store-sqlite",
                "groupcart-store-postgres",
            ],
        );
    }
}
