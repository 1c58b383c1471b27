-- groupcart giveaways, PostgreSQL dialect: giveaways with their committed seed, and the
-- entries numbered in joining order.
--
-- Same conventions as before: times are TIMESTAMPTZ, JSON is JSONB.
-- Keep this file parallel to the SQLite one.

-- seed stays secret until status is 'drawn' (the store never shows it before: the core
-- decides what is published). winning_entries is a JSON array of entry numbers.
CREATE TABLE giveaways (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    bot             TEXT    NOT NULL,
    chat_id         BIGINT NOT NULL,
    prize           TEXT    NOT NULL,
    winners         BIGINT NOT NULL CHECK (winners BETWEEN 1 AND 1000),
    ends_at         TIMESTAMPTZ NOT NULL,
    promotion_id    BIGINT REFERENCES promotions (id),
    status          TEXT    NOT NULL CHECK (status IN ('open', 'drawn')),
    seed            TEXT    NOT NULL,
    commitment      TEXT    NOT NULL,
    entries         BIGINT NOT NULL DEFAULT 0 CHECK (entries >= 0),
    winning_entries JSONB   NOT NULL,
    created_at      TIMESTAMPTZ NOT NULL,
    drawn_at        TIMESTAMPTZ
);

CREATE TABLE giveaway_entries (
    giveaway_id BIGINT NOT NULL REFERENCES giveaways (id),
    number      BIGINT NOT NULL CHECK (number >= 1),
    customer_id BIGINT NOT NULL REFERENCES customers (id),
    code        TEXT    REFERENCES promotion_codes (code),
    at          TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (giveaway_id, number)
);

-- One entry per person.
CREATE UNIQUE INDEX giveaway_entries_by_customer ON giveaway_entries (giveaway_id, customer_id);
