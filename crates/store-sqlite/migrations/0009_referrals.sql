-- groupcart referral schema, SQLite dialect: each customer's referral code, every use of a
-- referral link with its decision, and the instance's referral settings.
--
-- Same conventions as before: times are INTEGER unix milliseconds (UTC), JSON is TEXT.
-- Keep this file parallel to the PostgreSQL one.

-- One stable code per customer.
CREATE TABLE referral_codes (
    customer_id INTEGER PRIMARY KEY REFERENCES customers (id),
    code        TEXT    NOT NULL UNIQUE,
    created_at  INTEGER NOT NULL
) STRICT;

CREATE TABLE referrals (
    id                   INTEGER PRIMARY KEY AUTOINCREMENT,
    bot                  TEXT    NOT NULL,
    code                 TEXT    NOT NULL,
    referrer_id          INTEGER NOT NULL REFERENCES customers (id),
    referee_id           INTEGER NOT NULL REFERENCES customers (id),
    referee_has_username INTEGER NOT NULL CHECK (referee_has_username IN (0, 1)),
    status               TEXT    NOT NULL
        CHECK (status IN ('pending', 'held', 'credited', 'refused', 'rejected')),
    reason               TEXT,
    qualifying_order     INTEGER REFERENCES orders (id),
    reward_code          TEXT REFERENCES promotion_codes (code),
    created_at           INTEGER NOT NULL,
    decided_at           INTEGER
) STRICT;

-- A person is referred (accepted or held) at most once; refusals are any number.
CREATE UNIQUE INDEX referrals_one_per_referee ON referrals (referee_id)
    WHERE status IN ('pending', 'held', 'credited', 'rejected');
-- Per referrer: stats, the cap and bulk detection.
CREATE INDEX referrals_by_referrer ON referrals (referrer_id, created_at);
-- Staff's list by status.
CREATE INDEX referrals_by_status ON referrals (status, id);

-- One row (id = 1): ReferralSettings as JSON.
CREATE TABLE referral_settings (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    settings   TEXT    NOT NULL,
    updated_at INTEGER NOT NULL
) STRICT;
