-- groupcart coupons, SQLite dialect: promotions with their limits and what was used of
-- them, single-use codes, the discounts orders were placed with, and the code on each cart.
--
-- Same conventions as before: times are INTEGER unix milliseconds (UTC), JSON is TEXT,
-- booleans are INTEGER 0/1, ids use AUTOINCREMENT (a promotion id is never given twice).
-- Amounts are integers in a currency's minor unit. Codes are stored normalized (trimmed,
-- upper case). A code is unique across promotions' shared codes and single-use codes: the
-- store checks the other table in the writing transaction (which holds the write lock),
-- each table's key does the rest.
-- Keep this file parallel to the PostgreSQL one.

-- definition is a JSON object with what the pricing needs besides the name and the code:
-- benefit, min_spend, scope, starts_at, ends_at, combinable. code is NULL for an automatic
-- promotion. uses and spent are what orders holding the promotion took (given-back uses are
-- not counted); spent is counted in the budget's currency, and only while there is a budget.
CREATE TABLE promotions (
    id                    INTEGER PRIMARY KEY AUTOINCREMENT,
    name                  TEXT    NOT NULL,
    code                  TEXT    UNIQUE,
    definition            TEXT    NOT NULL,
    max_uses              INTEGER CHECK (max_uses >= 0),
    max_uses_per_customer INTEGER CHECK (max_uses_per_customer >= 0),
    budget_currency       TEXT    CHECK (length(budget_currency) = 3),
    budget_amount         INTEGER CHECK (budget_amount >= 0),
    give_back_on_cancel   INTEGER NOT NULL CHECK (give_back_on_cancel IN (0, 1)),
    status                TEXT    NOT NULL CHECK (status IN ('active', 'paused', 'archived')),
    listed                INTEGER NOT NULL CHECK (listed IN (0, 1)),
    source                TEXT,
    uses                  INTEGER NOT NULL DEFAULT 0 CHECK (uses >= 0),
    spent                 INTEGER NOT NULL DEFAULT 0 CHECK (spent >= 0),
    created_at            INTEGER NOT NULL,
    updated_at            INTEGER NOT NULL,
    CHECK ((budget_currency IS NULL) = (budget_amount IS NULL))
) STRICT;

CREATE INDEX promotions_by_status ON promotions (status, id);

-- Single-use codes. order_id is the order that used the code (NULL: unused, or given back);
-- assigned_to, when set, is the only customer who may use it.
CREATE TABLE promotion_codes (
    code         TEXT    PRIMARY KEY,
    promotion_id INTEGER NOT NULL REFERENCES promotions (id),
    assigned_to  INTEGER REFERENCES customers (id),
    order_id     INTEGER REFERENCES orders (id),
    created_at   INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

-- A promotion's codes in code order (listing, and whether it has any).
CREATE INDEX promotion_codes_by_promotion ON promotion_codes (promotion_id, code);
-- A customer's unused codes, oldest first.
CREATE INDEX promotion_codes_unused_by_customer ON promotion_codes (assigned_to, created_at)
    WHERE order_id IS NULL;

-- The discount an order takes off its subtotal plus shipping cost.
ALTER TABLE orders ADD COLUMN discount INTEGER NOT NULL DEFAULT 0 CHECK (discount >= 0);

-- The promotions an order was placed with, in the order they were given. counted is what
-- placing the order added to the promotion's spent (0 without a budget), so that giving it
-- back takes off exactly that. released_at is set when a cancel or refund gave it back.
CREATE TABLE order_discounts (
    order_id        INTEGER NOT NULL REFERENCES orders (id),
    position        INTEGER NOT NULL,
    promotion_id    INTEGER NOT NULL REFERENCES promotions (id),
    customer_id     INTEGER NOT NULL REFERENCES customers (id),
    code            TEXT,
    unique_code     INTEGER NOT NULL CHECK (unique_code IN (0, 1)),
    amount          INTEGER NOT NULL CHECK (amount >= 0),
    shipping_amount INTEGER NOT NULL CHECK (shipping_amount >= 0),
    currency        TEXT    NOT NULL CHECK (length(currency) = 3),
    counted         INTEGER NOT NULL CHECK (counted >= 0),
    released_at     INTEGER,
    PRIMARY KEY (order_id, position)
) STRICT, WITHOUT ROWID;

-- A customer's uses of a promotion (the per-customer limit), and a promotion's orders (ROI
-- reports) by its leading column.
CREATE INDEX order_discounts_by_promotion ON order_discounts (promotion_id, customer_id);

-- The code a customer put on their cart (one per customer); cleared with the cart.
CREATE TABLE cart_codes (
    customer_id INTEGER PRIMARY KEY REFERENCES customers (id),
    code        TEXT    NOT NULL,
    set_at      INTEGER NOT NULL
) STRICT;
