-- groupcart referral schema, PostgreSQL dialect: each customer's referral code, every use of
-- a referral link with its decision, and the instance's referral settings.
--
-- Same conventions as before: times are TIMESTAMPTZ, JSON is JSONB.
-- Keep this file parallel to the SQLite one.

-- One stable code per customer.
CREATE TABLE referral_codes (
    customer_id BIGINT      PRIMARY KEY REFERENCES customers (id),
    code        TEXT        NOT NULL UNIQUE,
    created_at  TIMESTAMPTZ NOT NULL
);

CREATE TABLE referrals (
    id                   BIGSERIAL   PRIMARY KEY,
    bot                  TEXT        NOT NULL,
    code                 TEXT        NOT NULL,
    referrer_id          BIGINT      NOT NULL REFERENCES customers (id),
    referee_id           BIGINT      NOT NULL REFERENCES customers (id),
    referee_has_username BOOLEAN     NOT NULL,
    status               TEXT        NOT NULL
        CHECK (status IN ('pending', 'held', 'credited', 'refused', 'rejected')),
    reason               TEXT,
    qualifying_order     BIGINT REFERENCES orders (id),
    reward_code          TEXT REFERENCES promotion_codes (code),
    created_at           TIMESTAMPTZ NOT NULL,
    decided_at           TIMESTAMPTZ
);

-- A person is referred (accepted or held) at most once; refusals are any number.
CREATE UNIQUE INDEX referrals_one_per_referee ON referrals (referee_id)
    WHERE status IN ('pending', 'held', 'credited', 'rejected');
-- Per referrer: stats, the cap and bulk detection.
CREATE INDEX referrals_by_referrer ON referrals (referrer_id, created_at);
-- Staff's list by status.
CREATE INDEX referrals_by_status ON referrals (status, id);

-- One row (id = 1): ReferralSettings as JSON.
CREATE TABLE referral_settings (
    id         INTEGER     PRIMARY KEY CHECK (id = 1),
    settings   JSONB       NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);
