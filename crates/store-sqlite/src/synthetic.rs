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

/// What `migrations/0022_analytics.sql` fills the analytics rollups with from the rows
/// already there; the analytics seeding runs it after a load with the triggers off.
const ANALYTICS_BACKFILL: &str = "
INSERT INTO analytics_milestones (user_id, step, first_at)
SELECT user_id, 1, MIN(at) FROM member_changes WHERE joined = 1 GROUP BY user_id;

INSERT OR IGNORE INTO analytics_milestones (user_id, step, first_at)
SELECT c.telegram_user_id,
       CASE e.kind
           WHEN 'conversation_started' THEN 2
           WHEN 'product_viewed' THEN 3
           WHEN 'cart_added' THEN 4
           WHEN 'checkout_started' THEN 5
           ELSE 6
       END,
       MIN(e.at)
FROM events AS e JOIN customers AS c ON c.id = e.customer_id
WHERE e.kind IN ('conversation_started', 'product_viewed', 'cart_added', 'checkout_started',
                 'order_paid')
GROUP BY c.telegram_user_id, e.kind;

INSERT OR IGNORE INTO analytics_activity (customer_id, day)
SELECT DISTINCT customer_id, at / 86400000 FROM events
WHERE customer_id IS NOT NULL
  AND kind NOT IN ('message_sent', 'message_failed', 'lifecycle_changed',
      'profile_changed', 'data_exported', 'customer_erased', 'sla_breached',
      'referral_reviewed', 'order_shipped', 'order_delivered', 'order_completed',
      'order_cancelled', 'order_refunded', 'shipment_stuck', 'flash_sale_reminder');
INSERT INTO analytics_customers (customer_id, first_day, last_active_day)
SELECT a.customer_id, c.first_seen_at / 86400000, MAX(a.day)
FROM analytics_activity AS a JOIN customers AS c ON c.id = a.customer_id
GROUP BY a.customer_id;

INSERT OR IGNORE INTO analytics_cohort_weeks (customer_id, week_offset, first_day)
SELECT a.customer_id, (a.day - ((c.first_day + 3) / 7 * 7 - 3)) / 7, c.first_day
FROM analytics_activity AS a
JOIN (SELECT id, first_seen_at / 86400000 AS first_day FROM customers) AS c
    ON c.id = a.customer_id
WHERE a.day >= (c.first_day + 3) / 7 * 7 - 3;
";

impl SqliteStore {
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
        let now = ms(now);
        let mut conn = self.writer.acquire().await.map_err(db)?;
        let triggers: Vec<String> = sqlx::query_scalar(
            "SELECT sql FROM sqlite_master WHERE type = 'trigger'
               AND name IN ('analytics_events', 'analytics_joins')",
        )
        .fetch_all(&mut *conn)
        .await
        .map_err(db)?;
        sqlx::raw_sql(
            "PRAGMA cache_size = -262144;
             BEGIN IMMEDIATE;
             DROP TRIGGER analytics_events;
             DROP TRIGGER analytics_joins;",
        )
        .execute(&mut *conn)
        .await
        .map_err(db)?;
        sqlx::query(
            "WITH RECURSIVE seq(x) AS (SELECT 1 WHERE ?1 > 0 UNION ALL SELECT x + 1 FROM seq WHERE x < ?1)
             INSERT INTO customers (telegram_user_id, first_name, first_bot, first_seen_at,
                                    last_seen_at, language, first_source, country)
             SELECT 9000000000 + x, 'Customer ' || x, 'bench',
                    ?2 - ((x * 7919) % 180) * ?3 - (x % 86400) * 1000, ?2,
                    CASE x % 4 WHEN 0 THEN 'en' WHEN 1 THEN 'es' WHEN 2 THEN 'id' ELSE 'zh-CN' END,
                    CASE x % 6 WHEN 0 THEN NULL WHEN 1 THEN 'ad-fb' WHEN 2 THEN 'kol-anna'
                        WHEN 3 THEN 'poster-bkk' WHEN 4 THEN 'ref' ELSE 'ad-ig' END,
                    CASE x % 3 WHEN 0 THEN 'TH' WHEN 1 THEN 'ID' ELSE 'MY' END
             FROM seq",
        )
        .bind(customers)
        .bind(now)
        .bind(DAY_MS)
        .execute(&mut *conn)
        .await
        .map_err(db)?;
        let first: i64 = sqlx::query_scalar("SELECT COALESCE(min(id), 1) FROM customers")
            .fetch_one(&mut *conn)
            .await
            .map_err(db)?;
        sqlx::query(
            "WITH RECURSIVE seq(x) AS (SELECT 0 UNION ALL SELECT x + 1 FROM seq WHERE x < 4)
             INSERT INTO invite_links (link, bot, chat_id, name, source, creates_join_request,
                                       created_at)
             SELECT 'https://t.me/+bench' || x, 'bench', -1000 - x, 'Link ' || x,
                    CASE x WHEN 0 THEN 'ad-fb' WHEN 1 THEN 'kol-anna' WHEN 2 THEN 'poster-bkk'
                        WHEN 3 THEN 'ad-ig' ELSE 'kol-ben' END, 0, ?1
             FROM seq",
        )
        .bind(now - 200 * DAY_MS)
        .execute(&mut *conn)
        .await
        .map_err(db)?;
        sqlx::query(
            "WITH RECURSIVE seq(x) AS (SELECT 1 WHERE ?1 > 0 UNION ALL SELECT x + 1 FROM seq WHERE x < ?1)
             INSERT INTO member_changes (bot, chat_id, user_id, customer_id, joined,
                                         invite_link, via_join_request, at)
             SELECT 'bench', -1000 - (x % 5), 9000000001 + (x * 3) % ?4, NULL, x % 10 <> 0,
                    CASE x % 4 WHEN 0 THEN NULL ELSE 'https://t.me/+bench' || (x % 5) END, 0,
                    ?2 - ((x * 613) % 180) * ?3 - (x % 86400) * 1000
             FROM seq",
        )
        .bind(customers / 2)
        .bind(now)
        .bind(DAY_MS)
        .bind(customers.max(1))
        .execute(&mut *conn)
        .await
        .map_err(db)?;
        // Events in customer order (index inserts stay mostly sequential).
        sqlx::query(
            "WITH RECURSIVE seq(x) AS (SELECT 1 WHERE ?1 > 0 UNION ALL SELECT x + 1 FROM seq WHERE x < ?1)
             INSERT INTO events (kind, at, bot, customer_id, chat_id, source, data)
             SELECT g.kind, MIN(?2, c.first_seen_at + ((g.x * 7919) % 5184000) * 1000), 'bench',
                    CASE WHEN g.kind = 'update_received' THEN NULL ELSE c.id END,
                    c.telegram_user_id, NULL,
                    CASE WHEN g.kind = 'update_received' THEN '{\"kind\":\"message\"}'
                        ELSE '{}' END
             FROM (SELECT x, ?3 + ((x - 1) * ?4) / ?1 AS customer,
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
                   FROM seq) AS g
             JOIN customers AS c ON c.id = g.customer",
        )
        .bind(events)
        .bind(now)
        .bind(first)
        .bind(customers)
        .execute(&mut *conn)
        .await
        .map_err(db)?;
        sqlx::query(
            "WITH RECURSIVE seq(x) AS (SELECT 1 WHERE ?1 > 0 UNION ALL SELECT x + 1 FROM seq WHERE x < ?1)
             INSERT INTO orders (customer_id, bot, currency, subtotal, shipping_cost, total,
                                 status, reservation_expires_at, created_at, updated_at, paid_at)
             SELECT c.id, 'bench', CASE WHEN x % 5 = 0 THEN 'EUR' ELSE 'USD' END,
                    1000 + (x * 31) % 20000, 0, 1000 + (x * 31) % 20000,
                    CASE x % 10 WHEN 0 THEN 'refunded' ELSE 'paid' END, t, t, t, t
             FROM (SELECT x, c.id AS id,
                          MIN(?2, c.first_seen_at + ((x * 6151) % 2592000) * 1000) AS t
                   FROM seq JOIN customers AS c ON c.id = ?3 + (x - 1) * 10) AS c",
        )
        .bind(customers / 10)
        .bind(now)
        .bind(first)
        .execute(&mut *conn)
        .await
        .map_err(db)?;
        sqlx::raw_sql(ANALYTICS_BACKFILL)
            .execute(&mut *conn)
            .await
            .map_err(db)?;
        for trigger in &triggers {
            sqlx::raw_sql(trigger)
                .execute(&mut *conn)
                .await
                .map_err(db)?;
        }
        sqlx::raw_sql("COMMIT; ANALYZE;")
            .execute(&mut *conn)
            .await
            .map_err(db)?;
        Ok(())
    }
}
