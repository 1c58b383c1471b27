-- groupcart loyalty points, PostgreSQL dialect: the ledger of every change of a customer's
-- points, their daily check-ins (for streaks) and the instance's points settings.
--
-- Same conventions as before: times are TIMESTAMPTZ, JSON is JSONB.
-- Keep this file parallel to the SQLite one.

CREATE TABLE points_ledger (
    id          BIGSERIAL   PRIMARY KEY,
    customer_id BIGINT      NOT NULL REFERENCES customers (id),
    delta       BIGINT      NOT NULL CHECK (delta <> 0),
    kind        TEXT        NOT NULL
        CHECK (kind IN ('order', 'refund', 'checkin', 'referral', 'staff', 'redeem', 'expire')),
    reference   TEXT,
    note        TEXT,
    -- Credits only: when their points expire (NULL: never).
    expires_at  TIMESTAMPTZ,
    at          TIMESTAMPTZ NOT NULL
);

-- Nothing is counted twice: one entry per (customer, kind, reference) where there is one.
CREATE UNIQUE INDEX points_ledger_once ON points_ledger (customer_id, kind, reference)
    WHERE reference IS NOT NULL;
-- A customer's balance and ledger, newest first.
CREATE INDEX points_ledger_by_customer ON points_ledger (customer_id, id);
-- The expiry job's candidates.
CREATE INDEX points_ledger_expiring ON points_ledger (expires_at) WHERE expires_at IS NOT NULL;

-- One row per customer and local calendar day they checked in on.
CREATE TABLE points_checkins (
    customer_id BIGINT      NOT NULL REFERENCES customers (id),
    day         DATE        NOT NULL,
    streak      BIGINT      NOT NULL CHECK (streak >= 1),
    at          TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (customer_id, day)
);

-- One row (id = 1): PointsSettings as JSON.
CREATE TABLE points_settings (
    id         INTEGER     PRIMARY KEY CHECK (id = 1),
    settings   JSONB       NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);
