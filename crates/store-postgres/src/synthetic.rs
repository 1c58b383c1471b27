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
        // What autovacuum does on a live server soon after a bulk load: statistics, and the
        // visibility map that lets index-only scans skip the table.
        sqlx::raw_sql("VACUUM (ANALYZE) customers")
            .execute(&self.pool)
            .await
            .map_err(db)?;
        sqlx::raw_sql("VACUUM (ANALYZE) orders")
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

/// What `migrations/0022_analytics.sql` fills the analytics rollups with from the rows
/// already there; the analytics seeding runs it after a load with the triggers off.
const ANALYTICS_BACKFILL: &str = "
INSERT INTO analytics_milestones (user_id, step, first_at)
SELECT user_id, 1, MIN(at) FROM member_changes WHERE joined GROUP BY user_id;

INSERT INTO analytics_milestones (user_id, step, first_at)
SELECT c.telegram_user_id, analytics_step(e.kind), MIN(e.at)
FROM events AS e JOIN customers AS c ON c.id = e.customer_id
WHERE analytics_step(e.kind) IS NOT NULL
GROUP BY c.telegram_user_id, analytics_step(e.kind)
ON CONFLICT DO NOTHING;

INSERT INTO analytics_activity (customer_id, day)
SELECT DISTINCT customer_id, analytics_day(at) FROM events
WHERE customer_id IS NOT NULL AND analytics_is_activity(kind)
ON CONFLICT DO NOTHING;
INSERT INTO analytics_customers (customer_id, first_day, last_active_day)
SELECT a.customer_id, analytics_day(MIN(c.first_seen_at)), MAX(a.day)
FROM analytics_activity AS a JOIN customers AS c ON c.id = a.customer_id
GROUP BY a.customer_id;

INSERT INTO analytics_cohort_weeks (customer_id, week_offset, first_day)
SELECT DISTINCT a.customer_id, (a.day - ((c.first_day + 3) / 7 * 7 - 3)) / 7, c.first_day
FROM analytics_activity AS a
JOIN (SELECT id, analytics_day(first_seen_at) AS first_day FROM customers) AS c
    ON c.id = a.customer_id
WHERE a.day >= (c.first_day + 3) / 7 * 7 - 3;
";

impl PostgresStore {
    /// Adds what `groupcart bench analytics` reads: `customers` customers first seen over
    /// the 180 days before `now` (six first sources, four languages, three countries), five
    /// invite links of five chats with `customers / 2` member changes (one in ten a leave),
    /// `events` events of the customers (funnel steps, active and passive kinds, one in
    /// ten a message update without a customer) over their first 60 days, and a paid order
    /// for one customer in ten. The rollups are filled set-based after the load, with the
    /// triggers off, as the migration fills them. Meant for an empty benchmark database.
    pub async fn seed_synthetic_analytics(
        &self,
        customers: i64,
        events: i64,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let mut tx = self.pool.begin().await.map_err(db)?;
        sqlx::raw_sql(
            "ALTER TABLE events DISABLE TRIGGER analytics_events;
             ALTER TABLE member_changes DISABLE TRIGGER analytics_joins;",
        )
        .execute(&mut *tx)
        .await
        .map_err(db)?;
        sqlx::query(
            "INSERT INTO customers (telegram_user_id, first_name, first_bot, first_seen_at,
                                    last_seen_at, language, first_source, country)
             SELECT 9000000000 + x, 'Customer ' || x, 'bench',
                    $2 - ((x * 7919) % 180) * interval '1 day' - (x % 86400) * interval '1 second',
                    $2,
                    CASE x % 4 WHEN 0 THEN 'en' WHEN 1 THEN 'es' WHEN 2 THEN 'id' ELSE 'zh-CN' END,
                    CASE x % 6 WHEN 0 THEN NULL WHEN 1 THEN 'ad-fb' WHEN 2 THEN 'kol-anna'
                        WHEN 3 THEN 'poster-bkk' WHEN 4 THEN 'ref' ELSE 'ad-ig' END,
                    CASE x % 3 WHEN 0 THEN 'TH' WHEN 1 THEN 'ID' ELSE 'MY' END
             FROM generate_series(1::bigint, $1) AS x",
        )
        .bind(customers)
        .bind(now)
        .execute(&mut *tx)
        .await
        .map_err(db)?;
        let first: i64 = sqlx::query_scalar("SELECT COALESCE(min(id), 1) FROM customers")
            .fetch_one(&mut *tx)
            .await
            .map_err(db)?;
        sqlx::query(
            "INSERT INTO invite_links (link, bot, chat_id, name, source, creates_join_request,
                                       created_at)
             SELECT 'https://t.me/+bench' || x, 'bench', -1000 - x, 'Link ' || x,
                    CASE x WHEN 0 THEN 'ad-fb' WHEN 1 THEN 'kol-anna' WHEN 2 THEN 'poster-bkk'
                        WHEN 3 THEN 'ad-ig' ELSE 'kol-ben' END, false,
                    $1 - interval '200 days'
             FROM generate_series(0, 4) AS x",
        )
        .bind(now)
        .execute(&mut *tx)
        .await
        .map_err(db)?;
        sqlx::query(
            "INSERT INTO member_changes (bot, chat_id, user_id, customer_id, joined,
                                         invite_link, via_join_request, at)
             SELECT 'bench', -1000 - (x % 5), 9000000001 + (x * 3) % $3, NULL, x % 10 <> 0,
                    CASE x % 4 WHEN 0 THEN NULL ELSE 'https://t.me/+bench' || (x % 5) END, false,
                    $2 - ((x * 613) % 180) * interval '1 day' - (x % 86400) * interval '1 second'
             FROM generate_series(1::bigint, $1) AS x",
        )
        .bind(customers / 2)
        .bind(now)
        .bind(customers.max(1))
        .execute(&mut *tx)
        .await
        .map_err(db)?;
        // Events in customer order (index inserts stay mostly sequential).
        sqlx::query(
            "INSERT INTO events (kind, at, bot, customer_id, chat_id, source, data)
             SELECT g.kind,
                    LEAST($2, c.first_seen_at + ((g.x * 7919) % 5184000) * interval '1 second'),
                    'bench', CASE WHEN g.kind = 'update_received' THEN NULL ELSE c.id END,
                    c.telegram_user_id, NULL,
                    CASE WHEN g.kind = 'update_received' THEN '{\"kind\":\"message\"}'::jsonb
                        ELSE '{}'::jsonb END
             FROM (SELECT x, $3 + ((x - 1) * $4) / $1 AS customer,
                          CASE x % 20 WHEN 0 THEN 'conversation_started'
                              WHEN 1 THEN 'product_viewed' WHEN 2 THEN 'product_viewed'
                              WHEN 3 THEN 'product_viewed' WHEN 4 THEN 'cart_added'
                              WHEN 5 THEN 'cart_added' WHEN 6 THEN 'checkout_started'
                              WHEN 7 THEN 'order_paid' WHEN 8 THEN 'message_sent'
                              WHEN 9 THEN 'message_sent' WHEN 10 THEN 'message_sent'
                              WHEN 11 THEN 'update_received' WHEN 12 THEN 'update_received'
                              WHEN 13 THEN 'giveaway_entered' WHEN 14 THEN 'faq_answered'
                              WHEN 15 THEN 'language_chosen' WHEN 16 THEN 'consent_given'
                              WHEN 17 THEN 'ticket_opened' WHEN 18 THEN 'lifecycle_changed'
                              ELSE 'coupon_claimed' END AS kind
                   FROM generate_series(1::bigint, $1) AS x) AS g
             JOIN customers AS c ON c.id = g.customer",
        )
        .bind(events)
        .bind(now)
        .bind(first)
        .bind(customers)
        .execute(&mut *tx)
        .await
        .map_err(db)?;
        sqlx::query(
            "INSERT INTO orders (customer_id, bot, currency, subtotal, shipping_cost, total,
                                 status, reservation_expires_at, created_at, updated_at, paid_at)
             SELECT g.id, 'bench', CASE WHEN g.x % 5 = 0 THEN 'EUR' ELSE 'USD' END,
                    1000 + (g.x * 31) % 20000, 0, 1000 + (g.x * 31) % 20000,
                    CASE g.x % 10 WHEN 0 THEN 'refunded' ELSE 'paid' END, g.t, g.t, g.t, g.t
             FROM (SELECT x, c.id,
                          LEAST($2, c.first_seen_at
                                    + ((x * 6151) % 2592000) * interval '1 second') AS t
                   FROM generate_series(1::bigint, $1) AS x
                   JOIN customers AS c ON c.id = $3 + (x - 1) * 10) AS g",
        )
        .bind(customers / 10)
        .bind(now)
        .bind(first)
        .execute(&mut *tx)
        .await
        .map_err(db)?;
        sqlx::raw_sql(ANALYTICS_BACKFILL)
            .execute(&mut *tx)
            .await
            .map_err(db)?;
        sqlx::raw_sql(
            "ALTER TABLE events ENABLE TRIGGER analytics_events;
             ALTER TABLE member_changes ENABLE TRIGGER analytics_joins;",
        )
        .execute(&mut *tx)
        .await
        .map_err(db)?;
        tx.commit().await.map_err(db)?;
        // As autovacuum would have by then: index-only scans need the visibility map.
        sqlx::raw_sql("VACUUM ANALYZE")
            .execute(&self.pool)
            .await
            .map_err(db)?;
        Ok(())
    }
}
