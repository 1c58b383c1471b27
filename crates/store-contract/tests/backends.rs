//! What only one backend has: opening and migrating, SQLite file handling and backups, and
//! the harness itself.

use groupcart_core::customer::CustomerSighting;
use groupcart_core::store::{Backend, Store};
use groupcart_core::Error;
use groupcart_store_contract as harness;
use groupcart_store_contract::test_sealer;
use groupcart_store_postgres::PostgresStore;
use groupcart_store_sqlite::SqliteStore;
use sqlx::{Connection, Row};

fn sighting(telegram_user_id: i64) -> CustomerSighting {
    CustomerSighting {
        telegram_user_id,
        first_name: "Grace".into(),
        last_name: None,
        username: None,
        telegram_language: None,
        source: Some("test".into()),
        bot: "bot".into(),
        at: chrono::DateTime::from_timestamp_millis(1_700_000_000_000).unwrap(),
    }
}

async fn add_customer(store: &dyn Store, telegram_user_id: i64) {
    let mut tx = store.begin().await.unwrap();
    tx.upsert_customer(&sighting(telegram_user_id))
        .await
        .unwrap();
    tx.commit().await.unwrap();
}

// --- SQLite ---

#[tokio::test]
async fn sqlite_opening_twice_is_idempotent() {
    let path = harness::sqlite_path();
    let path = path.to_str().unwrap();
    let first = SqliteStore::open(path, test_sealer()).await.unwrap();
    add_customer(&first, 1).await;
    // Again while the first is open, then again after it closed.
    let second = SqliteStore::open(path, test_sealer()).await.unwrap();
    assert!(second.customer_by_telegram_id(1).await.unwrap().is_some());
    first.close().await;
    second.close().await;
    let third = SqliteStore::open(path, test_sealer()).await.unwrap();
    assert!(third.customer_by_telegram_id(1).await.unwrap().is_some());
    assert_eq!(third.backend(), Backend::Sqlite);

    let mut conn = sqlx::SqliteConnection::connect(&format!("sqlite://{path}"))
        .await
        .unwrap();
    let versions: Vec<i64> =
        sqlx::query("SELECT version FROM groupcart_migrations ORDER BY version")
            .fetch_all(&mut conn)
            .await
            .unwrap()
            .iter()
            .map(|r| r.get("version"))
            .collect();
    assert_eq!(versions, (1..=38).collect::<Vec<i64>>());
    let mode: String = sqlx::query("PRAGMA journal_mode")
        .fetch_one(&mut conn)
        .await
        .unwrap()
        .get(0);
    assert_eq!(mode, "wal");
}

#[tokio::test]
async fn sqlite_refuses_a_newer_schema() {
    let path = harness::sqlite_path();
    let path = path.to_str().unwrap();
    SqliteStore::open(path, test_sealer())
        .await
        .unwrap()
        .close()
        .await;
    let mut conn = sqlx::SqliteConnection::connect(&format!("sqlite://{path}"))
        .await
        .unwrap();
    sqlx::query("INSERT INTO groupcart_migrations VALUES (999, 'from_the_future', 0)")
        .execute(&mut conn)
        .await
        .unwrap();
    conn.close().await.unwrap();
    let err = SqliteStore::open(path, test_sealer()).await.unwrap_err();
    assert!(
        matches!(&err, Error::Storage(m) if m.contains("newer than this binary")),
        "{err}"
    );
}

#[tokio::test]
async fn sqlite_open_accepts_urls_and_paths_and_creates_directories() {
    let dir = harness::sqlite_path().with_extension("dir");
    let nested = dir.join("a").join("b").join("gc.db");
    let nested = nested.to_str().unwrap();
    for url in [
        nested.to_owned(),
        format!("sqlite:{nested}"),
        format!("sqlite://{nested}"),
    ] {
        let store = SqliteStore::open(&url, test_sealer()).await.unwrap();
        store.ping().await.unwrap();
        store.close().await;
    }
    assert!(std::path::Path::new(nested).exists());
    std::fs::remove_dir_all(&dir).unwrap();

    for memory in ["sqlite::memory:", "sqlite://?mode=memory"] {
        assert!(matches!(
            SqliteStore::open(memory, test_sealer()).await,
            Err(Error::Invalid(_))
        ));
    }
}

#[tokio::test]
async fn sqlite_backup_is_a_working_copy() {
    let store = harness::sqlite_store().await;
    add_customer(&store, 5).await;
    let target = harness::sqlite_path();
    store.backup_into(&target).await.unwrap();
    // The live store keeps working; the copy has what was committed before.
    add_customer(&store, 6).await;
    let copy = SqliteStore::open(target.to_str().unwrap(), test_sealer())
        .await
        .unwrap();
    assert!(copy.customer_by_telegram_id(5).await.unwrap().is_some());
    assert!(copy.customer_by_telegram_id(6).await.unwrap().is_none());
    // A backup never overwrites.
    assert!(store.backup_into(&target).await.is_err());
}

// --- PostgreSQL ---

#[tokio::test]
async fn postgres_connecting_twice_is_idempotent() {
    let url = harness::postgres_url_for_new_db().await;
    // Two instances starting at once: the advisory lock makes one wait for the other.
    let (a, b) = tokio::join!(
        PostgresStore::connect(&url, 2, test_sealer()),
        PostgresStore::connect(&url, 2, test_sealer())
    );
    let (a, b) = (a.unwrap(), b.unwrap());
    add_customer(&a, 1).await;
    assert!(b.customer_by_telegram_id(1).await.unwrap().is_some());
    let c = PostgresStore::connect(&url, 2, test_sealer())
        .await
        .unwrap();
    assert!(c.customer_by_telegram_id(1).await.unwrap().is_some());
    assert_eq!(c.backend(), Backend::Postgres);

    let mut conn = sqlx::PgConnection::connect(&url).await.unwrap();
    let versions: Vec<i64> =
        sqlx::query("SELECT version FROM groupcart_migrations ORDER BY version")
            .fetch_all(&mut conn)
            .await
            .unwrap()
            .iter()
            .map(|r| r.get("version"))
            .collect();
    assert_eq!(versions, (1..=38).collect::<Vec<i64>>());
}

#[tokio::test]
async fn postgres_refuses_a_newer_schema() {
    let url = harness::postgres_url_for_new_db().await;
    PostgresStore::connect(&url, 1, test_sealer())
        .await
        .unwrap()
        .close()
        .await;
    let mut conn = sqlx::PgConnection::connect(&url).await.unwrap();
    sqlx::query("INSERT INTO groupcart_migrations (version, name) VALUES (999, 'from_the_future')")
        .execute(&mut conn)
        .await
        .unwrap();
    let err = PostgresStore::connect(&url, 1, test_sealer())
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Storage(m) if m.contains("newer than this binary")),
        "{err}"
    );
}

#[tokio::test]
async fn postgres_new_db_url_is_an_empty_database() {
    let url = harness::postgres_url_for_new_db().await;
    assert_ne!(url, harness::postgres_server_url());
    let mut conn = sqlx::PgConnection::connect(&url).await.unwrap();
    let tables: i64 =
        sqlx::query("SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = 'public'")
            .fetch_one(&mut conn)
            .await
            .unwrap()
            .get(0);
    assert_eq!(tables, 0);
}

#[tokio::test]
#[should_panic(expected = "did not answer")]
async fn postgres_harness_fails_loudly_when_the_server_is_unreachable() {
    harness::postgres_url_for_new_db_on("postgres://postgres@127.0.0.1:1/test").await;
}

#[tokio::test]
async fn each_backend_gives_both() {
    let stores = harness::each_backend().await;
    let kinds: Vec<(&str, Backend)> = stores.iter().map(|(n, s)| (*n, s.backend())).collect();
    assert_eq!(
        kinds,
        vec![("sqlite", Backend::Sqlite), ("postgres", Backend::Postgres)]
    );
}
