//! Synthetic data for benchmarks: many customers with many paid orders, written with a few
//! set-based statements (no use case runs), so that `groupcart bench rfm` can measure a
//! full lifecycle recompute over millions of rows.

use crate::query::ms;
use crate::{db, SqliteStore};
use chrono::{DateTime, Utc};
use groupcart_core::Result;

/// Milliseconds in a day.
const DAY_MS: i64 = 86_400_000;

impl SqliteStore {
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
        let now = ms(now);
        let mut conn = self.writer.acquire().await.map_err(db)?;
        sqlx::query("BEGIN IMMEDIATE")
            .execute(&mut *conn)
            .await
            .map_err(db)?;
        // Deterministic pseudo-random spreads from the row number (no RNG in SQL).
        sqlx::query(
            "WITH RECURSIVE seq(x) AS (SELECT 1 WHERE ?1 > 0 UNION ALL SELECT x + 1 FROM seq WHERE x < ?1)
             INSERT INTO customers (telegram_user_id, first_name, first_bot, first_seen_at,
                                    last_seen_at, language, marketing_consent)
             SELECT 9000000000 + x, 'Customer ' || x, 'bench',
                    ?2 - ((x * 7919) % 730) * ?3,
                    ?2 - ((x * 104729) % 365) * ?3,
                    CASE x % 4 WHEN 0 THEN 'en' WHEN 1 THEN 'es' WHEN 2 THEN 'id' ELSE 'zh-CN' END,
                    x % 3 <> 0
             FROM seq",
        )
        .bind(customers)
        .bind(now)
        .bind(DAY_MS)
        .execute(&mut *conn)
        .await
        .map_err(db)?;
        let first: i64 = sqlx::query_scalar("SELECT min(id) FROM customers")
            .fetch_one(&mut *conn)
            .await
            .map_err(db)?;
        sqlx::query(
            "WITH RECURSIVE seq(x) AS (SELECT 1 WHERE ?1 > 0 UNION ALL SELECT x + 1 FROM seq WHERE x < ?1)
             INSERT INTO orders (customer_id, bot, currency, subtotal, shipping_cost, total,
                                 status, reservation_expires_at, created_at, updated_at, paid_at)
             SELECT ?4 + ((x - 1) * ?5 / ?1) * (x - 1) / ?1, 'bench',
                    CASE WHEN x % 5 = 0 THEN 'EUR' ELSE 'USD' END,
                    1000 + (x * 31) % 20000, 0, 1000 + (x * 31) % 20000,
                    CASE x % 10 WHEN 0 THEN 'refunded' WHEN 1 THEN 'shipped' ELSE 'paid' END,
                    t, t, t, t
             FROM (SELECT x, ?2 - ((x * 6151) % 730) * ?3 - (x % 86400) * 1000 AS t FROM seq)",
        )
        .bind(orders)
        .bind(now)
        .bind(DAY_MS)
        .bind(first)
        .bind(customers)
        .execute(&mut *conn)
        .await
        .map_err(db)?;
        sqlx::query("COMMIT")
            .execute(&mut *conn)
            .await
            .map_err(db)?;
        sqlx::query("ANALYZE")
            .execute(&mut *conn)
            .await
            .map_err(db)?;
        Ok(())
    }
}
