-- Membership tiers (crates/core/src/tiers.rs): the shop's tier ladder (one row of JSON)
-- and each customer's computed tier.
CREATE TABLE tier_settings (
    id         INTEGER     PRIMARY KEY CHECK (id = 1),
    settings   JSONB       NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);

-- A customer's tier, since when they have it, and the paid spend (JSON, per currency) it
-- was computed from. No row: the base tier.
CREATE TABLE customer_tiers (
    customer_id BIGINT      PRIMARY KEY REFERENCES customers (id),
    tier        TEXT        NOT NULL,
    since       TIMESTAMPTZ NOT NULL,
    spend       JSONB       NOT NULL,
    updated_at  TIMESTAMPTZ NOT NULL
);

