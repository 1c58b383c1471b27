-- groupcart shop schema, SQLite dialect: carts, orders with their lines and timeline, and
-- payments.
--
-- Same conventions as 0001 and 0002: times are INTEGER unix milliseconds (UTC), JSON is
-- TEXT, ids use AUTOINCREMENT (an order number is never given twice). Amounts are integers
-- in the order's currency's minor unit.
-- Keep this file parallel to the PostgreSQL one.

-- One row per cart line. A variant removed from the catalog leaves every cart with it.
CREATE TABLE carts (
    customer_id INTEGER NOT NULL REFERENCES customers (id),
    variant_id  INTEGER NOT NULL REFERENCES variants (id) ON DELETE CASCADE,
    quantity    INTEGER NOT NULL CHECK (quantity > 0),
    added_at    INTEGER NOT NULL,
    PRIMARY KEY (customer_id, variant_id)
) STRICT, WITHOUT ROWID;

-- Serves the cascade when a variant is removed.
CREATE INDEX carts_by_variant ON carts (variant_id);

-- shipping_address is a JSON object (or NULL). status follows OrderStatus::can_become; the
-- store enforces the moves, the CHECK only the names.
CREATE TABLE orders (
    id                     INTEGER PRIMARY KEY AUTOINCREMENT,
    customer_id            INTEGER NOT NULL REFERENCES customers (id),
    bot                    TEXT    NOT NULL,
    currency               TEXT    NOT NULL CHECK (length(currency) = 3),
    subtotal               INTEGER NOT NULL CHECK (subtotal >= 0),
    shipping_cost          INTEGER NOT NULL CHECK (shipping_cost >= 0),
    total                  INTEGER NOT NULL CHECK (total >= 0),
    status                 TEXT    NOT NULL CHECK (status IN ('pending_payment', 'paid',
                               'shipped', 'delivered', 'completed', 'cancelled', 'refunded')),
    shipping_address       TEXT,
    shipping_option        TEXT,
    carrier                TEXT,
    tracking_number        TEXT,
    source                 TEXT,
    reservation_expires_at INTEGER NOT NULL,
    created_at             INTEGER NOT NULL,
    updated_at             INTEGER NOT NULL
) STRICT;

CREATE INDEX orders_by_customer ON orders (customer_id, id);
CREATE INDEX orders_by_status ON orders (status, id);
-- Unpaid orders by when their reservation runs out (what the expiry job looks for).
CREATE INDEX orders_by_reservation ON orders (status, reservation_expires_at);

-- What was bought, as it was when it was bought. No foreign keys on variant_id and
-- product_id: orders outlive the catalog entries they name.
CREATE TABLE order_lines (
    order_id   INTEGER NOT NULL REFERENCES orders (id),
    position   INTEGER NOT NULL,
    variant_id INTEGER NOT NULL,
    product_id INTEGER NOT NULL,
    sku        TEXT,
    title      TEXT    NOT NULL,
    quantity   INTEGER NOT NULL CHECK (quantity > 0),
    unit_price INTEGER NOT NULL CHECK (unit_price >= 0),
    PRIMARY KEY (order_id, position)
) STRICT, WITHOUT ROWID;

-- Append-only: an order's timeline, in id order.
CREATE TABLE order_events (
    id       INTEGER PRIMARY KEY AUTOINCREMENT,
    order_id INTEGER NOT NULL REFERENCES orders (id),
    status   TEXT    NOT NULL,
    at       INTEGER NOT NULL,
    actor    TEXT    NOT NULL,
    note     TEXT
) STRICT;

CREATE INDEX order_events_by_order ON order_events (order_id, id);

-- One row per charge: the unique charge_id is what makes recording a payment idempotent.
CREATE TABLE payments (
    id                 INTEGER PRIMARY KEY AUTOINCREMENT,
    order_id           INTEGER NOT NULL REFERENCES orders (id),
    method             TEXT    NOT NULL CHECK (method IN ('telegram', 'stars', 'manual')),
    currency           TEXT    NOT NULL CHECK (length(currency) = 3),
    amount             INTEGER NOT NULL,
    charge_id          TEXT    NOT NULL UNIQUE,
    provider_charge_id TEXT,
    at                 INTEGER NOT NULL
) STRICT;

CREATE INDEX payments_by_order ON payments (order_id, id);
