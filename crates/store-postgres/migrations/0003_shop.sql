-- groupcart shop schema, PostgreSQL dialect: carts, orders with their lines and timeline,
-- and payments.
--
-- Same conventions as 0001 and 0002: times are TIMESTAMPTZ, JSON is JSONB, ids are identity
-- columns (an order number is never given twice). Amounts are integers in the order's
-- currency's minor unit.
-- Keep this file parallel to the SQLite one.

-- One row per cart line. A variant removed from the catalog leaves every cart with it.
CREATE TABLE carts (
    customer_id BIGINT      NOT NULL REFERENCES customers (id),
    variant_id  BIGINT      NOT NULL REFERENCES variants (id) ON DELETE CASCADE,
    quantity    BIGINT      NOT NULL CHECK (quantity > 0),
    added_at    TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (customer_id, variant_id)
);

-- Serves the cascade when a variant is removed.
CREATE INDEX carts_by_variant ON carts (variant_id);

-- shipping_address is a JSON object (or NULL). status follows OrderStatus::can_become; the
-- store enforces the moves, the CHECK only the names.
CREATE TABLE orders (
    id                     BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    customer_id            BIGINT      NOT NULL REFERENCES customers (id),
    bot                    TEXT        NOT NULL,
    currency               TEXT        NOT NULL CHECK (length(currency) = 3),
    subtotal               BIGINT      NOT NULL CHECK (subtotal >= 0),
    shipping_cost          BIGINT      NOT NULL CHECK (shipping_cost >= 0),
    total                  BIGINT      NOT NULL CHECK (total >= 0),
    status                 TEXT        NOT NULL CHECK (status IN ('pending_payment', 'paid',
                               'shipped', 'delivered', 'completed', 'cancelled', 'refunded')),
    shipping_address       JSONB,
    shipping_option        TEXT,
    carrier                TEXT,
    tracking_number        TEXT,
    source                 TEXT,
    reservation_expires_at TIMESTAMPTZ NOT NULL,
    created_at             TIMESTAMPTZ NOT NULL,
    updated_at             TIMESTAMPTZ NOT NULL
);

CREATE INDEX orders_by_customer ON orders (customer_id, id);
CREATE INDEX orders_by_status ON orders (status, id);
-- Unpaid orders by when their reservation runs out (what the expiry job looks for).
CREATE INDEX orders_by_reservation ON orders (status, reservation_expires_at);

-- What was bought, as it was when it was bought. No foreign keys on variant_id and
-- product_id: orders outlive the catalog entries they name.
CREATE TABLE order_lines (
    order_id   BIGINT  NOT NULL REFERENCES orders (id),
    position   INTEGER NOT NULL,
    variant_id BIGINT  NOT NULL,
    product_id BIGINT  NOT NULL,
    sku        TEXT,
    title      TEXT    NOT NULL,
    quantity   BIGINT  NOT NULL CHECK (quantity > 0),
    unit_price BIGINT  NOT NULL CHECK (unit_price >= 0),
    PRIMARY KEY (order_id, position)
);

-- Append-only: an order's timeline, in id order.
CREATE TABLE order_events (
    id       BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    order_id BIGINT      NOT NULL REFERENCES orders (id),
    status   TEXT        NOT NULL,
    at       TIMESTAMPTZ NOT NULL,
    actor    TEXT        NOT NULL,
    note     TEXT
);

CREATE INDEX order_events_by_order ON order_events (order_id, id);

-- One row per charge: the unique charge_id is what makes recording a payment idempotent.
CREATE TABLE payments (
    id                 BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    order_id           BIGINT      NOT NULL REFERENCES orders (id),
    method             TEXT        NOT NULL CHECK (method IN ('telegram', 'stars', 'manual')),
    currency           TEXT        NOT NULL CHECK (length(currency) = 3),
    amount             BIGINT      NOT NULL,
    charge_id          TEXT        NOT NULL UNIQUE,
    provider_charge_id TEXT,
    at                 TIMESTAMPTZ NOT NULL
);

CREATE INDEX payments_by_order ON payments (order_id, id);
