//! The contract every groupcart store must meet, and the harness that gives tests a store.
//!
//! The contract itself is `tests/contract.rs` (the foundation ports), `tests/catalog.rs` (the
//! catalog port), `tests/shop.rs` (the shop ports) and `tests/coupons.rs` (the coupon ports
//! and the discounts orders are placed with): one set of tests, run against SQLite and
//! PostgreSQL. This library is the harness those tests use, and that other crates' tests
//! use as a dev-dependency to get a fresh, migrated store of either kind:
//!
//! - [`sqlite`]: a new database file under the system temp directory.
//! - [`postgres`]: a new database on the server at `GROUPCART_TEST_POSTGRES_URL` (default
//!   [`DEFAULT_POSTGRES_URL`]). If the server cannot be reached the harness **panics**: a
//!   PostgreSQL test never silently passes by skipping.
//! - [`each_backend`]: both, labelled.
//! - [`backend_tests!`]: turns `async fn name(store: SharedStore)` functions into one
//!   `#[tokio::test]` per backend, `sqlite::name` and `postgres::name`.
//!
//! ```no_run
//! use groupcart_core::store::SharedStore;
//!
//! async fn remembers_customers(store: SharedStore) {
//!     store.ping().await.unwrap();
//! }
//!
//! // In a test file: generates `sqlite::remembers_customers` and
//! // `postgres::remembers_customers` (the calling crate needs tokio as a dev-dependency).
//! groupcart_store_contract::backend_tests!(remembers_customers);
//! # fn main() {}
//! ```
//!
//! Every store the harness opens seals personal fields with a new random key
//! ([`test_sealer`]) whose check value is registered, as `groupcart serve` does at start, so
//! every contract test also proves that what is written sealed reads back the same.
//!
//! Test databases and files are named `gc_test_<pid>_<unix nanos>_<counter>`. They are not
//! dropped when a test ends (a test may fail mid-way and its data helps); instead, whenever
//! the harness creates one, it removes the `gc_test_*` ones older than an hour, best effort.

use groupcart_core::sealing::{Sealer, SealingStore};
use groupcart_core::store::SharedStore;
use groupcart_store_postgres::PostgresStore;
use groupcart_store_sqlite::SqliteStore;
use sqlx::{Connection, PgConnection, Row};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Once};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// The environment variable naming the PostgreSQL server tests use. Its database is only
/// connected to, to create the per-test databases.
pub const POSTGRES_URL_VAR: &str = "GROUPCART_TEST_POSTGRES_URL";

/// The server used when [`POSTGRES_URL_VAR`] is unset.
pub const DEFAULT_POSTGRES_URL: &str = "postgres://postgres@127.0.0.1:5432/test";

/// Connections in a test store's PostgreSQL pool.
const TEST_POOL_SIZE: u32 = 5;

/// Test databases and files older than this are removed when a new one is made.
const MAX_AGE: Duration = Duration::from_secs(3600);

const PREFIX: &str = "gc_test_";

static COUNTER: AtomicU64 = AtomicU64::new(0);

/// A name no other test, in this process or another, uses: `gc_test_<pid>_<nanos>_<n>`.
pub fn unique_name() -> String {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    format!("{PREFIX}{}_{nanos}_{n}", std::process::id())
}

/// When a `gc_test_*` name was made, from the nanoseconds in it.
fn created_at(name: &str) -> Option<SystemTime> {
    let nanos: u64 = name.strip_prefix(PREFIX)?.split('_').nth(1)?.parse().ok()?;
    Some(UNIX_EPOCH + Duration::from_nanos(nanos))
}

fn is_stale(name: &str) -> bool {
    created_at(name)
        .and_then(|t| SystemTime::now().duration_since(t).ok())
        .is_some_and(|age| age > MAX_AGE)
}

// --- SQLite ---

/// The path of a new, not yet existing SQLite database file under the temp directory.
pub fn sqlite_path() -> PathBuf {
    static SWEEP: Once = Once::new();
    SWEEP.call_once(sweep_sqlite_files);
    std::env::temp_dir().join(format!("{}.db", unique_name()))
}

/// Removes stale test database files (and their `-wal`/`-shm` companions).
fn sweep_sqlite_files() {
    let Ok(entries) = std::fs::read_dir(std::env::temp_dir()) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        if let Some(name) = name.to_str() {
            if name.starts_with(PREFIX) && is_stale(name) {
                let _ = std::fs::remove_file(entry.path());
            }
        }
    }
}

/// A fresh, migrated SQLite store in its own file.
pub async fn sqlite() -> SharedStore {
    sqlite_store().await.into_shared()
}

/// The encryption keys (`encryption.keys`, `GROUPCART_ENCRYPTION__KEYS`) end-to-end tests
/// give groupcart, so that a test can open the database it wrote. Never for real data.
pub const TEST_KEYS: &str = "test:dGVzdC1vbmx5LWtleS1ub3QtYS1zZWNyZXQtMDAwMDA=";

/// The key ring [`TEST_KEYS`] describes.
pub fn test_keys_sealer() -> Arc<Sealer> {
    let (id, key) = TEST_KEYS.split_once(':').expect("id:base64");
    let key = groupcart_core::sealing::DataKey::parse(id, key).expect("a valid key");
    Arc::new(Sealer::new(&[key], id).expect("the key is in the ring"))
}

/// A ring of one new random key, as test stores seal with.
pub fn test_sealer() -> Arc<Sealer> {
    Arc::new(Sealer::ephemeral())
}

/// Like [`sqlite`], as the concrete type (for SQLite-only tests such as backups).
pub async fn sqlite_store() -> SqliteStore {
    sqlite_store_at(&sqlite_path(), test_sealer()).await
}

/// The SQLite store in the file at `path` (created and migrated if new), sealing with
/// `sealer`, its keys checked and registered.
pub async fn sqlite_store_at(path: &std::path::Path, sealer: Arc<Sealer>) -> SqliteStore {
    let store = match SqliteStore::open(&path.to_string_lossy(), sealer).await {
        Ok(store) => store,
        Err(e) => panic!("cannot open test SQLite database {}: {e}", path.display()),
    };
    if let Err(e) = store.check_keys().await {
        panic!("the test key does not fit {}: {e}", path.display());
    }
    store
}

// --- PostgreSQL ---

/// The URL of the PostgreSQL server tests use ([`POSTGRES_URL_VAR`] or the default).
pub fn postgres_server_url() -> String {
    std::env::var(POSTGRES_URL_VAR).unwrap_or_else(|_| DEFAULT_POSTGRES_URL.to_owned())
}

/// `url` with its database name replaced by `database` (query parameters kept).
pub fn with_database(url: &str, database: &str) -> String {
    groupcart_store_postgres::synthetic::with_database(url, database)
}

/// `url` without a password, for messages.
fn redacted(url: &str) -> String {
    let Some(scheme_end) = url.find("://").map(|i| i + 3) else {
        return url.to_owned();
    };
    let rest = &url[scheme_end..];
    let authority = rest.split('/').next().unwrap_or(rest);
    match authority.rfind('@') {
        Some(at) => {
            let user = authority[..at].split(':').next().unwrap_or("");
            format!("{}{user}@{}", &url[..scheme_end], &rest[at + 1..])
        }
        None => url.to_owned(),
    }
}

async fn admin_connection(server: &str) -> PgConnection {
    match PgConnection::connect(server).await {
        Ok(conn) => conn,
        Err(e) => panic!(
            "PostgreSQL tests need a server, and {} did not answer: {e}. \
             Start PostgreSQL or set {POSTGRES_URL_VAR}.",
            redacted(server)
        ),
    }
}

/// Drops the stale `gc_test_*` databases, best effort (another process may be dropping them
/// too, or a test may still be connected).
async fn sweep_databases(admin: &mut PgConnection) {
    let Ok(rows) =
        sqlx::query("SELECT datname FROM pg_database WHERE datname LIKE 'gc\\_test\\_%'")
            .fetch_all(&mut *admin)
            .await
    else {
        return;
    };
    for row in rows {
        let Ok(name) = row.try_get::<String, _>("datname") else {
            continue;
        };
        if is_stale(&name) && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
            let drop = format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)");
            let _ = sqlx::raw_sql(&drop).execute(&mut *admin).await;
        }
    }
}

/// Creates a new, empty PostgreSQL database and returns its URL. Nothing is migrated: this
/// is what an end-to-end test hands to the real binary. Panics if the server is unreachable.
pub async fn postgres_url_for_new_db() -> String {
    postgres_url_for_new_db_on(&postgres_server_url()).await
}

/// Like [`postgres_url_for_new_db`], on the server at `server` (a URL whose database is only
/// connected to). Panics if the server is unreachable.
pub async fn postgres_url_for_new_db_on(server: &str) -> String {
    let mut admin = admin_connection(server).await;
    sweep_databases(&mut admin).await;
    let name = unique_name();
    let create = format!("CREATE DATABASE \"{name}\"");
    if let Err(e) = sqlx::raw_sql(&create).execute(&mut admin).await {
        panic!(
            "cannot create test database {name} on {}: {e}",
            redacted(server)
        );
    }
    let _ = admin.close().await;
    with_database(server, &name)
}

/// A fresh, migrated PostgreSQL store on its own new database. Panics if the server is
/// unreachable.
pub async fn postgres() -> SharedStore {
    postgres_store().await.into_shared()
}

/// Like [`postgres`], as the concrete type.
pub async fn postgres_store() -> PostgresStore {
    postgres_store_at(&postgres_url_for_new_db().await, test_sealer()).await
}

/// The PostgreSQL store on the database at `url` (migrated if new), sealing with `sealer`,
/// its keys checked and registered.
pub async fn postgres_store_at(url: &str, sealer: Arc<Sealer>) -> PostgresStore {
    let store = match PostgresStore::connect(url, TEST_POOL_SIZE, sealer).await {
        Ok(store) => store,
        Err(e) => panic!("cannot connect to test database {}: {e}", redacted(url)),
    };
    if let Err(e) = store.check_keys().await {
        panic!("the test key does not fit {}: {e}", redacted(url));
    }
    store
}

// --- both ---

/// Generates, for each named `async fn(SharedStore)`, a test on a fresh SQLite store
/// (`sqlite::<name>`) and one on a fresh PostgreSQL store (`postgres::<name>`). Use it once per
/// test file, at the top level; the calling crate needs `tokio` (with `macros` and
/// `rt-multi-thread`) as a dev-dependency.
#[macro_export]
macro_rules! backend_tests {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name($crate::sqlite().await).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name($crate::postgres().await).await;
                }
            )*
        }
    };
}

/// One fresh store per backend, labelled `"sqlite"` and `"postgres"`.
pub async fn each_backend() -> Vec<(&'static str, SharedStore)> {
    vec![("sqlite", sqlite().await), ("postgres", postgres().await)]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_the_database_in_a_url() {
        assert_eq!(
            with_database("postgres://u:p@h:5432/test", "x"),
            "postgres://u:p@h:5432/x"
        );
        assert_eq!(
            with_database("postgres://h/test?sslmode=disable", "x"),
            "postgres://h/x?sslmode=disable"
        );
        assert_eq!(
            with_database("postgres://h:5432", "x"),
            "postgres://h:5432/x"
        );
    }

    #[test]
    fn redacts_passwords() {
        assert_eq!(redacted("postgres://u:secret@h/db"), "postgres://u@h/db");
        assert_eq!(redacted("postgres://h/db"), "postgres://h/db");
    }

    #[test]
    fn names_are_unique_and_dated() {
        let a = unique_name();
        let b = unique_name();
        assert_ne!(a, b);
        assert!(!is_stale(&a));
        assert!(created_at(&a).is_some());
        assert!(is_stale("gc_test_1_1000_0"));
        assert!(!is_stale("gc_test_garbage"));
    }
}

/// Fixtures the contract suites share.
pub mod fixtures {
    use chrono::{DateTime, Duration, TimeZone, Utc};
    use groupcart_core::catalog::{
        Fulfilment, LocalizedText, NewProduct, NewVariant, Price, ProductId, ProductStatus,
        VariantId,
    };
    use groupcart_core::customer::{CustomerId, CustomerSighting};
    use groupcart_core::money::Currency;
    use groupcart_core::shop::{
        NewOrder, Order, OrderId, OrderLine, OrderQuery, OrderStatus, ShippingAddress, Transition,
    };
    use groupcart_core::store::SharedStore;
    use groupcart_core::Result;

    /// A fixed, whole-second instant plus `secs` seconds.
    pub fn t(secs: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2025, 9, 1, 10, 0, 0).unwrap() + Duration::seconds(secs)
    }

    /// The ids of `bot`'s outbox messages due by a far-off time (the oldest waiting message
    /// of each chat), sorted.
    pub async fn due_outbox_ids(store: &SharedStore, bot: &str) -> Vec<i64> {
        let mut ids: Vec<i64> = store
            .outbox_due(bot, t(100_000), 100)
            .await
            .unwrap()
            .iter()
            .map(|m| m.id)
            .collect();
        ids.sort_unstable();
        ids
    }

    /// Places `order` in a transaction of its own; on an error the transaction is dropped.
    pub async fn place(store: &SharedStore, order: &NewOrder) -> Result<Order> {
        let mut tx = store.begin().await?;
        let placed = tx.place_order(order).await?;
        tx.commit().await?;
        Ok(placed)
    }

    /// Moves an order from `from` to `to` in a transaction of its own.
    pub async fn transition(
        store: &SharedStore,
        id: OrderId,
        from: OrderStatus,
        to: OrderStatus,
        actor: &str,
        at: DateTime<Utc>,
    ) -> Result<Order> {
        let mut tx = store.begin().await?;
        let order = tx
            .transition_order(
                id,
                &Transition {
                    from,
                    to,
                    actor: actor.to_owned(),
                    note: None,
                    at,
                },
            )
            .await?;
        tx.commit().await?;
        Ok(order)
    }

    /// Every order, newest first.
    pub async fn all_orders(store: &SharedStore) -> Vec<Order> {
        store
            .orders(&OrderQuery {
                limit: 10_000,
                ..OrderQuery::default()
            })
            .await
            .unwrap()
    }

    pub fn usd() -> Currency {
        "USD".parse().unwrap()
    }

    /// A product `handle` with one variant of `stock` units at 22.00 USD.
    pub async fn shelf(store: &SharedStore, handle: &str, stock: i64) -> (ProductId, VariantId) {
        let product = NewProduct {
            handle: handle.to_owned(),
            status: ProductStatus::Active,
            fulfilment: Fulfilment::Physical,
            vendor: None,
            category: None,
            tags: vec![],
            option_names: vec![],
            texts: vec![LocalizedText {
                language: "en".into(),
                title: "Longjing green tea".into(),
                description_html: String::new(),
            }],
            images: vec![],
            variants: vec![NewVariant {
                sku: Some(format!("{handle}-1")),
                option_values: vec![],
                prices: vec![Price {
                    currency: usd(),
                    amount: 2200,
                    compare_at: None,
                }],
                weight_grams: None,
                stock,
                image: None,
            }],
        };
        let saved = store
            .save_products(&[product], "import", "import", t(-1000))
            .await
            .unwrap();
        let product = store.product(saved[0].id).await.unwrap().unwrap();
        (product.id, product.variants[0].id)
    }

    /// The stock of `variant` now.
    pub async fn stock(store: &SharedStore, variant: VariantId) -> i64 {
        let products = store.products_of_variants(&[variant]).await.unwrap();
        products[0].variants[0].stock
    }

    /// Places an order of `customer` for one unit of `variant` of `product` at `amount`
    /// minor units of `currency`, shipped to `country` if given, at `at`.
    pub async fn order_of(
        store: &SharedStore,
        customer: CustomerId,
        (product, variant): (ProductId, VariantId),
        currency: &str,
        amount: i64,
        country: Option<&str>,
        at: DateTime<Utc>,
    ) -> Order {
        let order = NewOrder {
            customer_id: customer,
            bot: "shop_bot".into(),
            currency: currency.parse().unwrap(),
            lines: vec![OrderLine {
                variant_id: variant,
                product_id: product,
                sku: None,
                title: "Longjing green tea".into(),
                quantity: 1,
                unit_price: amount,
            }],
            shipping_cost: 0,
            discount: 0,
            discounts: vec![],
            shipping_address: country.map(|country| ShippingAddress {
                name: None,
                phone: None,
                country_code: country.to_owned(),
                state: None,
                city: "Hangzhou".into(),
                street_line1: "1 Longjing Road".into(),
                street_line2: None,
                post_code: None,
            }),
            shipping_option: None,
            source: None,
            reservation_expires_at: at + Duration::minutes(15),
            at,
        };
        place(store, &order).await.unwrap()
    }

    /// Like [`order_of`] without an address, then paid at `paid_at`.
    pub async fn paid_order(
        store: &SharedStore,
        customer: CustomerId,
        shelf: (ProductId, VariantId),
        currency: &str,
        amount: i64,
        paid_at: DateTime<Utc>,
    ) -> Order {
        let order = order_of(store, customer, shelf, currency, amount, None, paid_at).await;
        let (from, to) = (OrderStatus::PendingPayment, OrderStatus::Paid);
        transition(store, order.id, from, to, "test", paid_at)
            .await
            .unwrap()
    }

    /// A customer of bot `shop_bot`, created (or found) by Telegram user id.
    pub async fn customer(store: &SharedStore, telegram_user_id: i64) -> CustomerId {
        customers(store, &[telegram_user_id]).await.remove(0)
    }

    /// Customers by Telegram user id, created in one transaction, in the order given.
    pub async fn customers(store: &SharedStore, telegram_user_ids: &[i64]) -> Vec<CustomerId> {
        let mut tx = store.begin().await.unwrap();
        let mut ids = Vec::new();
        for &telegram_user_id in telegram_user_ids {
            let upserted = tx
                .upsert_customer(&CustomerSighting {
                    telegram_user_id,
                    first_name: "Ada".into(),
                    last_name: None,
                    username: None,
                    telegram_language: Some("en".into()),
                    source: None,
                    bot: "shop_bot".into(),
                    at: t(0),
                })
                .await
                .unwrap();
            ids.push(upserted.customer.id);
        }
        tx.commit().await.unwrap();
        ids
    }
}
