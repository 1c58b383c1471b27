-- groupcart analytics rollups, SQLite dialect (see groupcart_core::analytics).
--
-- Both tables are kept by triggers, so every way an event or a member change is written
-- (a transaction's events, a sender's settlement, synthetic data) keeps them current.
-- They hold counts keyed by pseudonymous ids and days: an erasure rewrites the Telegram user
-- id of analytics_milestones like the other tables that hold it.
-- Keep this file parallel to the PostgreSQL one.

-- Each person's first time at each funnel step (1 joined, 2 started the bot, 3 viewed a
-- product, 4 added to the cart, 5 started a checkout, 6 paid). Keyed by Telegram user id so
-- that a join counts before the person ever writes to the bot.
CREATE TABLE analytics_milestones (
    user_id  INTEGER NOT NULL,
    step     INTEGER NOT NULL CHECK (step BETWEEN 1 AND 6),
    first_at INTEGER NOT NULL,
    PRIMARY KEY (user_id, step)
) STRICT, WITHOUT ROWID;

CREATE INDEX analytics_milestones_by_step ON analytics_milestones (step, first_at, user_id);

-- One row per customer and UTC day (days since 1970-01-01) they were active: an event of
-- theirs of a kind not in groupcart_core::analytics::PASSIVE_KINDS.
CREATE TABLE analytics_activity (
    customer_id INTEGER NOT NULL,
    day         INTEGER NOT NULL,
    PRIMARY KEY (customer_id, day)
) STRICT, WITHOUT ROWID;

CREATE INDEX analytics_activity_by_day ON analytics_activity (day, customer_id);

-- Per customer with any activity: the first day (as customers.first_seen_at) and the last
-- active day, so that N-day retention is one range read.
CREATE TABLE analytics_customers (
    customer_id     INTEGER PRIMARY KEY,
    first_day       INTEGER NOT NULL,
    last_active_day INTEGER NOT NULL
) STRICT;

CREATE INDEX analytics_customers_by_first_day ON analytics_customers (first_day, last_active_day);

-- The weeks a customer was active, as offsets from the Monday of their first day's week
-- (their cohort), so that cohort cells are counted without a join.
CREATE TABLE analytics_cohort_weeks (
    customer_id INTEGER NOT NULL,
    week_offset INTEGER NOT NULL CHECK (week_offset >= 0),
    first_day   INTEGER NOT NULL,
    PRIMARY KEY (customer_id, week_offset)
) STRICT, WITHOUT ROWID;

CREATE INDEX analytics_cohort_weeks_by_first_day
    ON analytics_cohort_weeks (first_day, week_offset, customer_id);

-- Cohorts and new customers by first sighting; joins per person (chat filter, conversion).
CREATE INDEX customers_by_first_seen ON customers (first_seen_at, first_source);
CREATE INDEX member_changes_by_user ON member_changes (user_id, chat_id, joined, at);

CREATE TRIGGER analytics_events AFTER INSERT ON events
WHEN NEW.customer_id IS NOT NULL
BEGIN
    INSERT INTO analytics_milestones (user_id, step, first_at)
    SELECT c.telegram_user_id,
           CASE NEW.kind
               WHEN 'conversation_started' THEN 2
               WHEN 'product_viewed' THEN 3
               WHEN 'cart_added' THEN 4
               WHEN 'checkout_started' THEN 5
               ELSE 6
           END,
           NEW.at
    FROM customers AS c
    WHERE c.id = NEW.customer_id
      AND NEW.kind IN ('conversation_started', 'product_viewed', 'cart_added',
                       'checkout_started', 'order_paid')
    ON CONFLICT (user_id, step) DO UPDATE SET first_at = MIN(first_at, excluded.first_at);

    INSERT OR IGNORE INTO analytics_activity (customer_id, day)
    SELECT NEW.customer_id, NEW.at / 86400000
    WHERE NEW.kind NOT IN ('message_sent', 'message_failed', 'lifecycle_changed',
        'profile_changed', 'data_exported', 'customer_erased', 'sla_breached',
        'referral_reviewed', 'order_shipped', 'order_delivered', 'order_completed',
        'order_cancelled', 'order_refunded', 'shipment_stuck', 'flash_sale_reminder');

    INSERT INTO analytics_customers (customer_id, first_day, last_active_day)
    SELECT c.id, c.first_seen_at / 86400000, NEW.at / 86400000
    FROM customers AS c
    WHERE c.id = NEW.customer_id
      AND NEW.kind NOT IN ('message_sent', 'message_failed', 'lifecycle_changed',
        'profile_changed', 'data_exported', 'customer_erased', 'sla_breached',
        'referral_reviewed', 'order_shipped', 'order_delivered', 'order_completed',
        'order_cancelled', 'order_refunded', 'shipment_stuck', 'flash_sale_reminder')
    ON CONFLICT (customer_id) DO UPDATE
        SET last_active_day = MAX(last_active_day, excluded.last_active_day);

    INSERT OR IGNORE INTO analytics_cohort_weeks (customer_id, week_offset, first_day)
    SELECT c.id, (NEW.at / 86400000 - ((c.first_seen_at / 86400000 + 3) / 7 * 7 - 3)) / 7,
           c.first_seen_at / 86400000
    FROM customers AS c
    WHERE c.id = NEW.customer_id
      AND NEW.at / 86400000 >= (c.first_seen_at / 86400000 + 3) / 7 * 7 - 3
      AND NEW.kind NOT IN ('message_sent', 'message_failed', 'lifecycle_changed',
        'profile_changed', 'data_exported', 'customer_erased', 'sla_breached',
        'referral_reviewed', 'order_shipped', 'order_delivered', 'order_completed',
        'order_cancelled', 'order_refunded', 'shipment_stuck', 'flash_sale_reminder');
END;

CREATE TRIGGER analytics_joins AFTER INSERT ON member_changes
WHEN NEW.joined = 1
BEGIN
    INSERT INTO analytics_milestones (user_id, step, first_at)
    VALUES (NEW.user_id, 1, NEW.at)
    ON CONFLICT (user_id, step) DO UPDATE SET first_at = MIN(first_at, excluded.first_at);
END;

-- What happened before the rollups existed.
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
