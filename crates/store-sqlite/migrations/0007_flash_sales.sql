-- groupcart flash sales, SQLite dialect: sales of one variant at a sale price with limited
-- units, the buys that hold those units, the customers who asked to be reminded, and the
-- announcements posted in groups and channels.
--
-- Same conventions as before: times are INTEGER unix milliseconds (UTC), ids use
-- AUTOINCREMENT, amounts are integers in the currency's minor unit. No foreign keys to the
-- catalog: a sale outlives a variant removed from it, as order lines do.
-- Keep this file parallel to the PostgreSQL one.

-- sold is the units held by orders (a given-back unit is subtracted again). The CHECK is the
-- last line against an oversell: the buy's guarded update never gets that far.
CREATE TABLE flash_sales (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    bot          TEXT    NOT NULL,
    variant_id   INTEGER NOT NULL,
    product_id   INTEGER NOT NULL,
    currency     TEXT    NOT NULL CHECK (length(currency) = 3),
    price        INTEGER NOT NULL CHECK (price >= 0),
    compare_at   INTEGER CHECK (compare_at >= 0),
    units        INTEGER NOT NULL CHECK (units > 0),
    per_customer INTEGER NOT NULL CHECK (per_customer > 0),
    sold         INTEGER NOT NULL DEFAULT 0 CHECK (sold >= 0 AND sold <= units),
    starts_at    INTEGER NOT NULL,
    ends_at      INTEGER NOT NULL,
    status       TEXT    NOT NULL CHECK (status IN ('active', 'cancelled')),
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL,
    CHECK (ends_at > starts_at)
) STRICT;

-- One row per order that bought a unit. released_at is set, once, when the order's cancel,
-- expiry or refund gave the unit back.
CREATE TABLE flash_sale_buys (
    order_id    INTEGER PRIMARY KEY REFERENCES orders (id),
    sale_id     INTEGER NOT NULL REFERENCES flash_sales (id),
    customer_id INTEGER NOT NULL REFERENCES customers (id),
    at          INTEGER NOT NULL,
    released_at INTEGER
) STRICT;

-- The units a customer holds of a sale (the per-customer limit).
CREATE INDEX flash_sale_buys_held ON flash_sale_buys (sale_id, customer_id)
    WHERE released_at IS NULL;

-- Who asked to be reminded, and when the reminder went out.
CREATE TABLE flash_sale_reminders (
    sale_id     INTEGER NOT NULL REFERENCES flash_sales (id),
    customer_id INTEGER NOT NULL REFERENCES customers (id),
    created_at  INTEGER NOT NULL,
    notified_at INTEGER,
    PRIMARY KEY (sale_id, customer_id)
) STRICT, WITHOUT ROWID;

-- The reminders still to send, in the order they were asked for.
CREATE INDEX flash_sale_reminders_due ON flash_sale_reminders (sale_id, created_at)
    WHERE notified_at IS NULL;

-- An announcement is an outbox message; its Telegram message id is the one the sender
-- recorded on that outbox row (no foreign key: SQLite writes a transaction's outbox rows at
-- its commit). text is what it shows (or will, once its last edit is sent).
CREATE TABLE flash_sale_announcements (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    sale_id    INTEGER NOT NULL REFERENCES flash_sales (id),
    bot        TEXT    NOT NULL,
    chat_id    INTEGER NOT NULL,
    outbox_id  INTEGER NOT NULL,
    language   TEXT    NOT NULL,
    link       TEXT    NOT NULL,
    text       TEXT    NOT NULL,
    created_at INTEGER NOT NULL,
    edited_at  INTEGER
) STRICT;

CREATE INDEX flash_sale_announcements_by_sale ON flash_sale_announcements (sale_id, id);
-- The last flash-sale edit in a chat (at most one every 20 s).
CREATE INDEX flash_sale_announcements_by_chat ON flash_sale_announcements (bot, chat_id, edited_at);
