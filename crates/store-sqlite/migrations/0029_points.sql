-- groupcart loyalty points, SQLite dialect: the ledger of every change of a customer's
-- points, their daily check-ins (for streaks) and the instance's points settings.
--
-- Same conventions as before: times are INTEGER unix milliseconds (UTC), JSON is TEXT.
-- Keep this file parallel to the PostgreSQL one.

CREATE TABLE points_ledger (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    customer_id INTEGER NOT NULL REFERENCES customers (id),
    delta       INTEGER NOT NULL CHECK (delta <> 0),
    kind        TEXT    NOT NULL
        CHECK (kind IN ('order', 'refund', 'checkin', 'referral', 'staff', 'redeem', 'expire')),
    reference   TEXT,
    note        TEXT,
    -- Credits only: when their points expire (NULL: never).
    expires_at  INTEGER,
    at          INTEGER NOT NULL
) STRICT;

-- Nothing is counted twice: one entry per (customer, kind, reference) where there is one.
CREATE UNIQUE INDEX points_ledger_once ON points_ledger (customer_id, kind, reference)
    WHERE reference IS NOT NULL;
-- A customer's balance and ledger, newest first.
CREATE INDEX points_ledger_by_customer ON points_ledger (customer_id, id);
-- The expiry job's candidates.
CREATE INDEX points_ledger_expiring ON points_ledger (expires_at) WHERE expires_at IS NOT NULL;

-- One row per customer and local calendar day they checked in on (`YYYY-MM-DD`).
CREATE TABLE points_checkins (
    customer_id INTEGER NOT NULL REFERENCES customers (id),
    day         TEXT    NOT NULL,
    streak      INTEGER NOT NULL CHECK (streak >= 1),
    at          INTEGER NOT NULL,
    PRIMARY KEY (customer_id, day)
) STRICT;

-- One row (id = 1): PointsSettings as JSON.
CREATE TABLE points_settings (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    settings   TEXT    NOT NULL,
    updated_at INTEGER NOT NULL
) STRICT;
