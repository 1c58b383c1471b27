-- groupcart coupons, PostgreSQL dialect: promotions with their limits and what was used of
-- them, single-use codes, the discounts orders were placed with, and the code on each cart.
--
-- Same conventions as before: times are TIMESTAMPTZ, JSON is JSONB, ids are identity columns
-- (a promotion id is never given twice). Amounts are integers in a currency's minor unit.
-- Codes are stored normalized (trimmed, upper case). A code is unique across promotions'
-- shared codes and single-use codes: the store checks the other table in the writing
-- transaction (code writers take an advisory lock), each table's key does the rest.
-- Keep this file parallel to the SQLite one.

-- definition is a JSON object with what the pricing needs besides the name and the code:
-- benefit, min_spend, scope, starts_at, ends_at, combinable. code is NULL for an automatic
-- promotion. uses and spent are what orders holding the promotion took (given-back uses are
-- not counted); spent is counted in the budget's currency, and only while there is a budget.
CREATE TABLE promotions (
    id                    BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name                  TEXT        NOT NULL,
    code                  TEXT        UNIQUE,
    definition            JSONB       NOT NULL,
    max_uses              BIGINT      CHECK (max_uses >= 0),
    max_uses_per_customer BIGINT      CHECK (max_uses_per_customer >= 0),
    budget_currency       TEXT        CHECK (length(budget_currency) = 3),
    budget_amount         BIGINT      CHECK (budget_amount >= 0),
    give_back_on_cancel   BOOLEAN     NOT NULL,
    status                TEXT        NOT NULL CHECK (status IN ('active', 'paused', 'archived')),
    listed                BOOLEAN     NOT NULL,
    source                TEXT,
    uses                  BIGINT      NOT NULL DEFAULT 0 CHECK (uses >= 0),
    spent                 BIGINT      NOT NULL DEFAULT 0 CHECK (spent >= 0),
    created_at            TIMESTAMPTZ NOT NULL,
    updated_at            TIMESTAMPTZ NOT NULL,
    CHECK ((budget_currency IS NULL) = (budget_amount IS NULL))
);

CREATE INDEX promotions_by_status ON promotions (status, id);

-- Single-use codes. order_id is the order that used the code (NULL: unused, or given back);
-- assigned_to, when set, is the only customer who may use it.
CREATE TABLE promotion_codes (
    code         TEXT        PRIMARY KEY,
    promotion_id BIGINT      NOT NULL REFERENCES promotions (id),
    assigned_to  BIGINT      REFERENCES customers (id),
    order_id     BIGINT      REFERENCES orders (id),
    created_at   TIMESTAMPTZ NOT NULL
);

-- A promotion's codes in code order (listing, and whether it has any).
CREATE INDEX promotion_codes_by_promotion ON promotion_codes (promotion_id, code);
-- A customer's unused codes, oldest first.
CREATE INDEX promotion_codes_unused_by_customer ON promotion_codes (assigned_to, created_at)
    WHERE order_id IS NULL;

-- The discount an order takes off its subtotal plus shipping cost.
ALTER TABLE orders ADD COLUMN discount BIGINT NOT NULL DEFAULT 0 CHECK (discount >= 0);

-- The promotions an order was placed with, in the order they were given. counted is what
-- placing the order added to the promotion's spent (0 without a budget), so that giving it
-- back takes off exactly that. released_at is set when a cancel or refund gave it back.
CREATE TABLE order_discounts (
    order_id        BIGINT      NOT NULL REFERENCES orders (id),
    position        INTEGER     NOT NULL,
    promotion_id    BIGINT      NOT NULL REFERENCES promotions (id),
    customer_id     BIGINT      NOT NULL REFERENCES customers (id),
    code            TEXT,
    unique_code     BOOLEAN     NOT NULL,
    amount          BIGINT      NOT NULL CHECK (amount >= 0),
    shipping_amount BIGINT      NOT NULL CHECK (shipping_amount >= 0),
    currency        TEXT        NOT NULL CHECK (length(currency) = 3),
    counted         BIGINT      NOT NULL CHECK (counted >= 0),
    released_at     TIMESTAMPTZ,
    PRIMARY KEY (order_id, position)
);

-- A customer's uses of a promotion (the per-customer limit), and a promotion's orders (ROI
-- reports) by its leading column.
CREATE INDEX order_discounts_by_promotion ON order_discounts (promotion_id, customer_id);

-- The code a customer put on their cart (one per customer); cleared with the cart.
CREATE TABLE cart_codes (
    customer_id BIGINT      PRIMARY KEY REFERENCES customers (id),
    code        TEXT        NOT NULL,
    set_at      TIMESTAMPTZ NOT NULL
);
