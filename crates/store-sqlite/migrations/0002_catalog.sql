-- groupcart catalog schema, SQLite dialect: products, their variants, prices per currency,
-- and the stock ledger.
--
-- Same conventions as 0001: times are INTEGER unix milliseconds (UTC), JSON is TEXT, ids
-- use AUTOINCREMENT so that a removed variant's id is never given to another one (the
-- ledger and old orders still name it). Amounts are integers in the currency's minor unit.
-- Keep this file parallel to the PostgreSQL one.

-- tags, option_names, texts and images are JSON arrays, read and written whole.
CREATE TABLE products (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    handle       TEXT    NOT NULL UNIQUE,
    status       TEXT    NOT NULL CHECK (status IN ('active', 'draft', 'archived')),
    fulfilment   TEXT    NOT NULL CHECK (fulfilment IN ('physical', 'digital')),
    vendor       TEXT,
    category     TEXT,
    tags         TEXT    NOT NULL,
    option_names TEXT    NOT NULL,
    texts        TEXT    NOT NULL,
    images       TEXT    NOT NULL,
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL
) STRICT;

CREATE INDEX products_by_status ON products (status, id);
CREATE INDEX products_by_category ON products (category, id);

-- option_values is a JSON array, one value per product option; a re-saved product's
-- variants are matched by it. The unique (product_id, position) also serves lookups by
-- product.
CREATE TABLE variants (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    product_id    INTEGER NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    position      INTEGER NOT NULL,
    sku           TEXT,
    option_values TEXT    NOT NULL,
    weight_grams  INTEGER CHECK (weight_grams >= 0),
    stock         INTEGER NOT NULL CHECK (stock >= 0),
    image         TEXT,
    UNIQUE (product_id, position)
) STRICT;

CREATE INDEX variants_by_sku ON variants (sku);

CREATE TABLE variant_prices (
    variant_id INTEGER NOT NULL REFERENCES variants (id) ON DELETE CASCADE,
    currency   TEXT    NOT NULL CHECK (length(currency) = 3),
    amount     INTEGER NOT NULL CHECK (amount >= 0),
    compare_at INTEGER CHECK (compare_at >= 0),
    PRIMARY KEY (variant_id, currency)
) STRICT, WITHOUT ROWID;

-- Append-only. No foreign key on variant_id: the ledger outlives the variants it mentions.
CREATE TABLE stock_movements (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    variant_id  INTEGER NOT NULL,
    delta       INTEGER NOT NULL,
    stock_after INTEGER NOT NULL,
    reason      TEXT    NOT NULL,
    actor       TEXT    NOT NULL,
    at          INTEGER NOT NULL
) STRICT;

CREATE INDEX stock_movements_by_variant ON stock_movements (variant_id, id);
