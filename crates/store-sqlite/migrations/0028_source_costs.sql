-- What operators spent on a source (an ad, a KOL post), for cost per join and cost per
-- converted person in the growth report (see groupcart_core::analytics). SQLite dialect;
-- keep this file parallel to the PostgreSQL one.

-- One row per cost entered: amount in integer minor units of `currency`, `spent_on` the
-- UTC day the money was spent (days since 1970-01-01).
CREATE TABLE source_costs (
    id         INTEGER PRIMARY KEY,
    source     TEXT    NOT NULL,
    currency   TEXT    NOT NULL,
    amount     INTEGER NOT NULL CHECK (amount > 0),
    spent_on   INTEGER NOT NULL,
    note       TEXT    NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL
) STRICT;

-- Costs of a range of days, per source.
CREATE INDEX source_costs_by_day ON source_costs (spent_on, source);
