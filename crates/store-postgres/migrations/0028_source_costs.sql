-- What operators spent on a source (an ad, a KOL post), for cost per join and cost per
-- converted person in the growth report (see groupcart_core::analytics). PostgreSQL
-- dialect; keep this file parallel to the SQLite one.

-- One row per cost entered: amount in integer minor units of `currency`, `spent_on` the
-- UTC day the money was spent.
CREATE TABLE source_costs (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    source     TEXT        NOT NULL,
    currency   TEXT        NOT NULL,
    amount     BIGINT      NOT NULL CHECK (amount > 0),
    spent_on   DATE        NOT NULL,
    note       TEXT        NOT NULL DEFAULT '',
    created_at TIMESTAMPTZ NOT NULL
);

-- Costs of a range of days, per source.
CREATE INDEX source_costs_by_day ON source_costs (spent_on, source);
