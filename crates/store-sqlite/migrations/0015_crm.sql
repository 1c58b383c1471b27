-- groupcart CRM schema, SQLite dialect: the customer profile staff see (time zone, country,
-- notes, tags, a blocked bot, the current marketing consent), lifecycle stages with RFM
-- scores, saved segments, and broadcasts with their recipients.
--
-- Same conventions as before: times are INTEGER unix milliseconds (UTC), JSON is TEXT,
-- booleans are INTEGER 0/1. Keep this file parallel to the PostgreSQL one.

-- The profile. marketing_consent is the latest marketing consent record, kept in step by
-- record_consent; stage_since NULL means since first_seen_at; the RFM scores are all NULL
-- or all set; orders_paid and last_order_at are the copies the last lifecycle save wrote
-- (what segment rules read, without touching orders).
ALTER TABLE customers ADD COLUMN time_zone TEXT;
ALTER TABLE customers ADD COLUMN country TEXT;
ALTER TABLE customers ADD COLUMN notes TEXT;
ALTER TABLE customers ADD COLUMN bot_blocked_at INTEGER;
ALTER TABLE customers ADD COLUMN marketing_consent INTEGER NOT NULL DEFAULT 0
    CHECK (marketing_consent IN (0, 1));
ALTER TABLE customers ADD COLUMN stage TEXT NOT NULL DEFAULT 'new'
    CHECK (stage IN ('new', 'potential', 'active', 'loyal', 'lapsed', 'churned'));
ALTER TABLE customers ADD COLUMN stage_since INTEGER;
ALTER TABLE customers ADD COLUMN rfm_r INTEGER CHECK (rfm_r BETWEEN 1 AND 5);
ALTER TABLE customers ADD COLUMN rfm_f INTEGER CHECK (rfm_f BETWEEN 1 AND 5);
ALTER TABLE customers ADD COLUMN rfm_m INTEGER CHECK (rfm_m BETWEEN 1 AND 5);
ALTER TABLE customers ADD COLUMN orders_paid INTEGER NOT NULL DEFAULT 0;
ALTER TABLE customers ADD COLUMN last_order_at INTEGER;

UPDATE customers
SET marketing_consent = COALESCE((
    SELECT c.granted FROM consents AS c
    WHERE c.customer_id = customers.id AND c.purpose = 'marketing'
    ORDER BY c.at DESC, c.id DESC
    LIMIT 1
), 0);

-- When the order was paid; set by the transition to paid.
ALTER TABLE orders ADD COLUMN paid_at INTEGER;

UPDATE orders
SET paid_at = (
    SELECT MIN(e.at) FROM order_events AS e
    WHERE e.order_id = orders.id AND e.status = 'paid'
);

-- Both indexes carry what the lifecycle and shop-total aggregates read, so those never
-- touch the table itself; unpaid orders are left out.
CREATE INDEX orders_paid_by_customer ON orders (customer_id, paid_at, status, currency, total)
    WHERE paid_at IS NOT NULL;
CREATE INDEX orders_by_paid_at ON orders (paid_at, status, currency, total)
    WHERE paid_at IS NOT NULL;

CREATE TABLE customer_tags (
    customer_id INTEGER NOT NULL REFERENCES customers (id),
    tag         TEXT    NOT NULL,
    PRIMARY KEY (customer_id, tag)
) STRICT, WITHOUT ROWID;

CREATE TABLE segments (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    name       TEXT    NOT NULL UNIQUE,
    rule       TEXT    NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
) STRICT;

-- variants is the JSON of the variants' texts and buttons. rule is the rule as evaluated;
-- segment_id the saved segment it came from, if any (no foreign key: a broadcast outlives
-- its segment). local_time is a wall-clock time as "%Y-%m-%dT%H:%M:%S".
CREATE TABLE broadcasts (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    bot               TEXT    NOT NULL,
    name              TEXT    NOT NULL,
    rule              TEXT    NOT NULL,
    segment_id        INTEGER,
    variants          TEXT    NOT NULL,
    holdout_percent   INTEGER NOT NULL CHECK (holdout_percent BETWEEN 0 AND 100),
    send_at           INTEGER,
    local_time        TEXT,
    attribution_hours INTEGER NOT NULL CHECK (attribution_hours > 0),
    status            TEXT    NOT NULL DEFAULT 'sending'
        CHECK (status IN ('sending', 'paused', 'done', 'cancelled')),
    created_at        INTEGER NOT NULL,
    updated_at        INTEGER NOT NULL
) STRICT;

-- One row per customer a broadcast was planned for. variant NULL is the holdout (stored
-- held_out, released at send_at without a message). outbox_id is the message a queued
-- recipient became (no foreign key: a transaction writes its outbox rows at commit).
-- released_at is when the message went to the outbox (or the holdout's send time): where
-- the attribution window starts.
CREATE TABLE broadcast_recipients (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    broadcast_id INTEGER NOT NULL REFERENCES broadcasts (id),
    customer_id  INTEGER NOT NULL,
    chat_id      INTEGER NOT NULL,
    variant      INTEGER,
    send_at      INTEGER NOT NULL,
    status       TEXT    NOT NULL
        CHECK (status IN ('planned', 'queued', 'skipped', 'held_out', 'cancelled')),
    reason       TEXT,
    outbox_id    INTEGER,
    released_at  INTEGER,
    UNIQUE (broadcast_id, customer_id)
) STRICT;

CREATE INDEX broadcast_recipients_due ON broadcast_recipients (broadcast_id, status, send_at, id);
CREATE INDEX broadcast_recipients_by_customer ON broadcast_recipients (customer_id, status);
CREATE INDEX broadcast_recipients_by_outbox ON broadcast_recipients (outbox_id);
