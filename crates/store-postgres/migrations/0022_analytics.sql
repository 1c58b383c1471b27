-- groupcart analytics rollups, PostgreSQL dialect (see groupcart_core::analytics).
--
-- Both tables are kept by triggers, so every way an event or a member change is written
-- (a transaction's events, a sender's settlement, synthetic data) keeps them current.
-- They hold counts keyed by pseudonymous ids and days: an erasure rewrites the Telegram user
-- id of analytics_milestones like the other tables that hold it.
-- Keep this file parallel to the SQLite one.

-- Each person's first time at each funnel step (1 joined, 2 started the bot, 3 viewed a
-- product, 4 added to the cart, 5 started a checkout, 6 paid). Keyed by Telegram user id so
-- that a join counts before the person ever writes to the bot.
CREATE TABLE analytics_milestones (
    user_id  BIGINT      NOT NULL,
    step     SMALLINT    NOT NULL CHECK (step BETWEEN 1 AND 6),
    first_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (user_id, step)
);

CREATE INDEX analytics_milestones_by_step ON analytics_milestones (step, first_at, user_id);

-- One row per customer and UTC day (days since 1970-01-01) they were active: an event of
-- theirs of a kind not in groupcart_core::analytics::PASSIVE_KINDS.
CREATE TABLE analytics_activity (
    customer_id BIGINT NOT NULL,
    day         BIGINT NOT NULL,
    PRIMARY KEY (customer_id, day)
);

CREATE INDEX analytics_activity_by_day ON analytics_activity (day, customer_id);

-- Per customer with any activity: the first day (as customers.first_seen_at) and the last
-- active day, so that N-day retention is one range read.
CREATE TABLE analytics_customers (
    customer_id     BIGINT PRIMARY KEY,
    first_day       BIGINT NOT NULL,
    last_active_day BIGINT NOT NULL
);

CREATE INDEX analytics_customers_by_first_day ON analytics_customers (first_day, last_active_day);

-- The weeks a customer was active, as offsets from the Monday of their first day's week
-- (their cohort), so that cohort cells are counted without a join.
CREATE TABLE analytics_cohort_weeks (
    customer_id BIGINT NOT NULL,
    week_offset BIGINT NOT NULL CHECK (week_offset >= 0),
    first_day   BIGINT NOT NULL,
    PRIMARY KEY (customer_id, week_offset)
);

CREATE INDEX analytics_cohort_weeks_by_first_day
    ON analytics_cohort_weeks (first_day, week_offset, customer_id);

-- Cohorts and new customers by first sighting; joins per person (chat filter, conversion).
CREATE INDEX customers_by_first_seen ON customers (first_seen_at, first_source);
CREATE INDEX member_changes_by_user ON member_changes (user_id, chat_id, joined, at);

-- The UTC day number of an instant (date arithmetic: extract(epoch) is a slow numeric).
CREATE FUNCTION analytics_day(at TIMESTAMPTZ) RETURNS BIGINT
LANGUAGE SQL IMMUTABLE PARALLEL SAFE
AS $$ SELECT ((at AT TIME ZONE 'UTC')::DATE - DATE '1970-01-01')::BIGINT $$;

CREATE FUNCTION analytics_step(kind TEXT) RETURNS SMALLINT
LANGUAGE SQL IMMUTABLE PARALLEL SAFE
AS $$ SELECT CASE kind
    WHEN 'conversation_started' THEN 2
    WHEN 'product_viewed' THEN 3
    WHEN 'cart_added' THEN 4
    WHEN 'checkout_started' THEN 5
    WHEN 'order_paid' THEN 6
END::SMALLINT $$;

CREATE FUNCTION analytics_is_activity(kind TEXT) RETURNS BOOLEAN
LANGUAGE SQL IMMUTABLE PARALLEL SAFE
AS $$ SELECT kind NOT IN ('message_sent', 'message_failed', 'lifecycle_changed',
    'profile_changed', 'data_exported', 'customer_erased', 'sla_breached',
    'referral_reviewed', 'order_shipped', 'order_delivered', 'order_completed',
    'order_cancelled', 'order_refunded', 'shipment_stuck', 'flash_sale_reminder') $$;

CREATE FUNCTION analytics_events() RETURNS TRIGGER
LANGUAGE plpgsql
AS $$
BEGIN
    IF NEW.customer_id IS NULL THEN
        RETURN NULL;
    END IF;
    IF analytics_step(NEW.kind) IS NOT NULL THEN
        INSERT INTO analytics_milestones (user_id, step, first_at)
        SELECT c.telegram_user_id, analytics_step(NEW.kind), NEW.at
        FROM customers AS c WHERE c.id = NEW.customer_id
        ON CONFLICT (user_id, step) DO UPDATE
            SET first_at = LEAST(analytics_milestones.first_at, EXCLUDED.first_at)
            WHERE EXCLUDED.first_at < analytics_milestones.first_at;
    END IF;
    IF analytics_is_activity(NEW.kind) THEN
        INSERT INTO analytics_activity (customer_id, day)
        VALUES (NEW.customer_id, analytics_day(NEW.at))
        ON CONFLICT DO NOTHING;
        INSERT INTO analytics_customers (customer_id, first_day, last_active_day)
        SELECT c.id, analytics_day(c.first_seen_at), analytics_day(NEW.at)
        FROM customers AS c WHERE c.id = NEW.customer_id
        ON CONFLICT (customer_id) DO UPDATE
            SET last_active_day = EXCLUDED.last_active_day
            WHERE EXCLUDED.last_active_day > analytics_customers.last_active_day;
        INSERT INTO analytics_cohort_weeks (customer_id, week_offset, first_day)
        SELECT c.id, (analytics_day(NEW.at) - f.week) / 7, f.first_day
        FROM customers AS c,
             LATERAL (SELECT analytics_day(c.first_seen_at) AS first_day,
                             (analytics_day(c.first_seen_at) + 3) / 7 * 7 - 3 AS week) AS f
        WHERE c.id = NEW.customer_id AND analytics_day(NEW.at) >= f.week
        ON CONFLICT DO NOTHING;
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER analytics_events AFTER INSERT ON events
FOR EACH ROW EXECUTE FUNCTION analytics_events();

CREATE FUNCTION analytics_joins() RETURNS TRIGGER
LANGUAGE plpgsql
AS $$
BEGIN
    IF NEW.joined THEN
        INSERT INTO analytics_milestones (user_id, step, first_at)
        VALUES (NEW.user_id, 1, NEW.at)
        ON CONFLICT (user_id, step) DO UPDATE
            SET first_at = LEAST(analytics_milestones.first_at, EXCLUDED.first_at)
            WHERE EXCLUDED.first_at < analytics_milestones.first_at;
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER analytics_joins AFTER INSERT ON member_changes
FOR EACH ROW EXECUTE FUNCTION analytics_joins();

-- What happened before the rollups existed.
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
