-- groupcart CRM schema, PostgreSQL dialect: the profile columns of a customer (locale, notes,
-- blocked bot, current marketing consent, lifecycle stage, RFM scores, stored order counts),
-- when an order was paid, customer tags, saved segments, and broadcasts with their
-- recipients.
--
-- Same conventions as before: times are TIMESTAMPTZ, JSON is JSONB, ids are identity
-- columns. Amounts are integers in the currency's minor unit.
-- Keep this file parallel to the SQLite one.

-- marketing_consent is the latest marketing consent record, kept up to date by every new
-- record. stage_since NULL means since first_seen_at. The RFM scores are all set or all
-- NULL. orders_paid and last_order_at are the copies the last lifecycle refresh wrote.
ALTER TABLE customers
    ADD COLUMN time_zone         TEXT,
    ADD COLUMN country           TEXT,
    ADD COLUMN notes             TEXT,
    ADD COLUMN bot_blocked_at    TIMESTAMPTZ,
    ADD COLUMN marketing_consent BOOLEAN     NOT NULL DEFAULT false,
    ADD COLUMN stage             TEXT        NOT NULL DEFAULT 'new'
        CHECK (stage IN ('new', 'potential', 'active', 'loyal', 'lapsed', 'churned')),
    ADD COLUMN stage_since       TIMESTAMPTZ,
    ADD COLUMN rfm_r             SMALLINT    CHECK (rfm_r BETWEEN 1 AND 5),
    ADD COLUMN rfm_f             SMALLINT    CHECK (rfm_f BETWEEN 1 AND 5),
    ADD COLUMN rfm_m             SMALLINT    CHECK (rfm_m BETWEEN 1 AND 5),
    ADD COLUMN orders_paid       INTEGER     NOT NULL DEFAULT 0 CHECK (orders_paid >= 0),
    ADD COLUMN last_order_at     TIMESTAMPTZ,
    ADD CONSTRAINT customers_rfm_all_or_none
        CHECK ((rfm_r IS NULL) = (rfm_f IS NULL) AND (rfm_r IS NULL) = (rfm_m IS NULL));

UPDATE customers c
SET marketing_consent = latest.granted
FROM (
    SELECT DISTINCT ON (customer_id) customer_id, granted
    FROM consents
    WHERE purpose = 'marketing'
    ORDER BY customer_id, at DESC, id DESC
) AS latest
WHERE latest.customer_id = c.id;

-- When the order was paid (its first move to 'paid'); set by that transition from now on.
ALTER TABLE orders ADD COLUMN paid_at TIMESTAMPTZ;

UPDATE orders o
SET paid_at = paid.at
FROM (
    SELECT order_id, MIN(at) AS at FROM order_events WHERE status = 'paid' GROUP BY order_id
) AS paid
WHERE paid.order_id = o.id;

-- Only paid orders are ever looked up by paid_at, so both indexes leave the others out, and
-- they carry what the lifecycle and revenue aggregates read (index-only scans).
CREATE INDEX orders_paid_by_customer ON orders (customer_id, paid_at)
    INCLUDE (status, currency, total) WHERE paid_at IS NOT NULL;
CREATE INDEX orders_by_paid_at ON orders (paid_at)
    INCLUDE (status, currency, total) WHERE paid_at IS NOT NULL;

CREATE TABLE customer_tags (
    customer_id BIGINT NOT NULL REFERENCES customers (id),
    tag         TEXT   NOT NULL,
    PRIMARY KEY (customer_id, tag)
);

CREATE TABLE segments (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name       TEXT        NOT NULL UNIQUE,
    rule       TEXT        NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);

-- rule is the rule as evaluated when planned; segment_id names the saved segment it came
-- from (no foreign key: a segment may be deleted, the broadcast stays). variants is the
-- JSON list of variants; local_time a wall-clock time as "YYYY-MM-DDTHH:MM:SS".
CREATE TABLE broadcasts (
    id                BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    bot               TEXT        NOT NULL,
    name              TEXT        NOT NULL,
    rule              TEXT        NOT NULL,
    segment_id        BIGINT,
    variants          JSONB       NOT NULL,
    holdout_percent   SMALLINT    NOT NULL CHECK (holdout_percent BETWEEN 0 AND 100),
    send_at           TIMESTAMPTZ,
    local_time        TEXT,
    attribution_hours INTEGER     NOT NULL CHECK (attribution_hours > 0),
    status            TEXT        NOT NULL DEFAULT 'sending'
        CHECK (status IN ('sending', 'paused', 'done', 'cancelled')),
    created_at        TIMESTAMPTZ NOT NULL,
    updated_at        TIMESTAMPTZ NOT NULL
);

-- One row per customer a broadcast was planned for. variant NULL is the holdout (stored
-- 'held_out', released at its send time without a message). outbox_id is the message a
-- queued recipient became (no foreign key, like the posts'); released_at when it was queued.
CREATE TABLE broadcast_recipients (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    broadcast_id BIGINT      NOT NULL REFERENCES broadcasts (id),
    customer_id  BIGINT      NOT NULL,
    chat_id      BIGINT      NOT NULL,
    variant      SMALLINT    CHECK (variant >= 0),
    send_at      TIMESTAMPTZ NOT NULL,
    status       TEXT        NOT NULL
        CHECK (status IN ('planned', 'queued', 'skipped', 'held_out', 'cancelled')),
    reason       TEXT,
    outbox_id    BIGINT,
    released_at  TIMESTAMPTZ,
    UNIQUE (broadcast_id, customer_id)
);

CREATE INDEX broadcast_recipients_due ON broadcast_recipients (broadcast_id, status, send_at, id);
-- Only released rows are looked up by customer (an opt-out's waiting messages) or by
-- message; partial, so that storing a million planned recipients does not fill them.
CREATE INDEX broadcast_recipients_by_customer ON broadcast_recipients (customer_id, status)
    WHERE status = 'queued';
CREATE INDEX broadcast_recipients_by_outbox ON broadcast_recipients (outbox_id)
    WHERE outbox_id IS NOT NULL;
