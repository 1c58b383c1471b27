//! Synthetic data for benchmarks: many customers with many paid orders, written with a few
//! set-based statements (no use case runs), so that `groupcart bench rfm` can measure a
//! full lifecycle recompute over millions of rows.

use crate::{db, PostgresStore};
use chrono::{DateTime, Utc};
use groupcart_core::Result;

impl PostgresStore {
    /// Adds `customers` customers (first seen up to two years before `now`, last seen up
    /// to a year before) and `orders` paid orders spread over them and the last two years,
    /// in USD and EUR. Meant for an empty benchmark database only. Orders are written in
    /// customer order (so index inserts stay sequential), the first customers with the most
    /// orders (customer `c` of `n` gets a share of about `1/sqrt(c/n)`).
    pub async fn seed_synthetic_crm(
        &self,
        customers: i64,
        orders: i64,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let mut tx = self.pool.begin().await.map_err(db)?;
        // Deterministic pseudo-random spreads from the row number (no RNG in SQL).
        sqlx::query(
            "INSERT INTO customers (telegram_user_id, first_name, first_bot, first_seen_at,
                                    last_seen_at, language, marketing_consent)
             SELECT 9000000000 + x, 'Customer ' || x, 'bench',
                    $2 - ((x * 7919) % 730) * interval '1 day',
                    $2 - ((x * 104729) % 365) * interval '1 day',
                    CASE x % 4 WHEN 0 THEN 'en' WHEN 1 THEN 'es' WHEN 2 THEN 'id' ELSE 'zh-CN' END,
                    x % 3 <> 0
             FROM generate_series(1::bigint, $1) AS x",
        )
        .bind(customers)
        .bind(now)
        .execute(&mut *tx)
        .await
        .map_err(db)?;
        let first: i64 = sqlx::query_scalar("SELECT min(id) FROM customers")
            .fetch_one(&mut *tx)
            .await
            .map_err(db)?;
        sqlx::query(
            "INSERT INTO orders (customer_id, bot, currency, subtotal, shipping_cost, total,
                                 status, reservation_expires_at, created_at, updated_at, paid_at)
             SELECT $3 + ((x - 1) * $4 / $1) * (x - 1) / $1, 'bench',
                    CASE WHEN x % 5 = 0 THEN 'EUR' ELSE 'USD' END,
                    1000 + (x * 31) % 20000, 0, 1000 + (x * 31) % 20000,
                    CASE x % 10 WHEN 0 THEN 'refunded' WHEN 1 THEN 'shipped' ELSE 'paid' END,
                    t, t, t, t
             FROM (SELECT x, $2 - ((x * 6151) % 730) * interval '1 day'
                             - (x % 86400) * interval '1 second' AS t
                   FROM generate_series(1::bigint, $1) AS x) AS g",
        )
        .bind(orders)
        .bind(now)
        .bind(first)
        .bind(customers)
        .execute(&mut *tx)
        .await
        .map_err(db)?;
        tx.commit().await.map_err(db)?;
        sqlx::query("ANALYZE customers")
            .execute(&self.pool)
            .await
            .map_err(db)?;
        sqlx::query("ANALYZE orders")
            .execute(&self.pool)
            .await
            .map_err(db)?;
        Ok(())
    }
}

/// Creates an empty database `name` on the server of `url` (dropping one left over by an
/// earlier run) and returns the URL that names it; for benchmarks.
pub async fn create_scratch_database(url: &str, name: &str) -> Result<String> {
    use sqlx::Connection;
    let mut admin = sqlx::PgConnection::connect(url).await.map_err(db)?;
    sqlx::raw_sql(&format!("DROP DATABASE IF EXISTS \"{name}\""))
        .execute(&mut admin)
        .await
        .map_err(db)?;
    sqlx::raw_sql(&format!("CREATE DATABASE \"{name}\""))
        .execute(&mut admin)
        .await
        .map_err(db)?;
    let _ = admin.close().await;
    Ok(with_database(url, name))
}

/// `url` with its database replaced by `database` (query parameters kept).
pub fn with_database(url: &str, database: &str) -> String {
    let (base, query) = match url.find('?') {
        Some(i) => url.split_at(i),
        None => (url, ""),
    };
    let authority_start = base.find("://").map_or(0, |i| i + 3);
    let authority_end = base[authority_start..]
        .find('/')
        .map_or(base.len(), |i| authority_start + i);
    format!("{}/{database}{query}", &base[..authority_end])
}

/// Drops database `name` on the server of `url` (after a benchmark).
pub async fn drop_scratch_database(url: &str, name: &str) -> Result<()> {
    use sqlx::Connection;
    let mut admin = sqlx::PgConnection::connect(url).await.map_err(db)?;
    sqlx::raw_sql(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
        .execute(&mut admin)
        .await
        .map_err(db)?;
    let _ = admin.close().await;
    Ok(())
}
