-- groupcart giveaways, SQLite dialect: giveaways with their committed seed, and the
-- entries numbered in joining order.
--
-- Same conventions as before: times are INTEGER unix milliseconds (UTC), JSON is TEXT.
-- Keep this file parallel to the PostgreSQL one.

-- seed stays secret until status is 'drawn' (the store never shows it before: the core
-- decides what is published). winning_entries is a JSON array of entry numbers.
CREATE TABLE giveaways (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    bot             TEXT    NOT NULL,
    chat_id         INTEGER NOT NULL,
    prize           TEXT    NOT NULL,
    winners         INTEGER NOT NULL CHECK (winners BETWEEN 1 AND 1000),
    ends_at         INTEGER NOT NULL,
    promotion_id    INTEGER REFERENCES promotions (id),
    status          TEXT    NOT NULL CHECK (status IN ('open', 'drawn')),
    seed            TEXT    NOT NULL,
    commitment      TEXT    NOT NULL,
    entries         INTEGER NOT NULL DEFAULT 0 CHECK (entries >= 0),
    winning_entries TEXT    NOT NULL,
    created_at      INTEGER NOT NULL,
    drawn_at        INTEGER
) STRICT;

CREATE TABLE giveaway_entries (
    giveaway_id INTEGER NOT NULL REFERENCES giveaways (id),
    number      INTEGER NOT NULL CHECK (number >= 1),
    customer_id INTEGER NOT NULL REFERENCES customers (id),
    code        TEXT    REFERENCES promotion_codes (code),
    at          INTEGER NOT NULL,
    PRIMARY KEY (giveaway_id, number)
) STRICT, WITHOUT ROWID;

-- One entry per person.
CREATE UNIQUE INDEX giveaway_entries_by_customer ON giveaway_entries (giveaway_id, customer_id);
