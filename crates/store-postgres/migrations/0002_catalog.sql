-- groupcart catalog schema, PostgreSQL dialect: products, their variants, prices per
-- currency, and the stock ledger.
--
-- Same conventions as 0001: times are TIMESTAMPTZ, JSON is JSONB, ids are identity columns,
-- never reused (the ledger and old orders still name a removed variant). Amounts are
-- integers in the currency's minor unit.
-- Keep this file parallel to the SQLite one.

-- tags, option_names, texts and images are JSON arrays, read and written whole.
CREATE TABLE products (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    handle       TEXT        NOT NULL UNIQUE,
    status       TEXT        NOT NULL CHECK (status IN ('active', 'draft', 'archived')),
    fulfilment   TEXT        NOT NULL CHECK (fulfilment IN ('physical', 'digital')),
    vendor       TEXT,
    category     TEXT,
    tags         JSONB       NOT NULL,
    option_names JSONB       NOT NULL,
    texts        JSONB       NOT NULL,
    images       JSONB       NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL,
    updated_at   TIMESTAMPTZ NOT NULL
);

CREATE INDEX products_by_status ON products (status, id);
CREATE INDEX products_by_category ON products (category, id);

-- option_values is a JSON array, one value per product option; a re-saved product's
-- variants are matched by it. The unique (product_id, position) also serves lookups by
-- product.
CREATE TABLE variants (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    product_id    BIGINT  NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    position      INTEGER NOT NULL,
    sku           TEXT,
    option_values JSONB   NOT NULL,
    weight_grams  BIGINT  CHECK (weight_grams >= 0),
    stock         BIGINT  NOT NULL CHECK (stock >= 0),
    image         TEXT,
    UNIQUE (product_id, position)
);

CREATE INDEX variants_by_sku ON variants (sku);

CREATE TABLE variant_prices (
    variant_id BIGINT NOT NULL REFERENCES variants (id) ON DELETE CASCADE,
    currency   TEXT   NOT NULL CHECK (length(currency) = 3),
    amount     BIGINT NOT NULL CHECK (amount >= 0),
    compare_at BIGINT CHECK (compare_at >= 0),
    PRIMARY KEY (variant_id, currency)
);

-- Append-only. No foreign key on variant_id: the ledger outlives the variants it mentions.
CREATE TABLE stock_movements (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    variant_id  BIGINT      NOT NULL,
    delta       BIGINT      NOT NULL,
    stock_after BIGINT      NOT NULL,
    reason      TEXT        NOT NULL,
    actor       TEXT        NOT NULL,
    at          TIMESTAMPTZ NOT NULL
);

CREATE INDEX stock_movements_by_variant ON stock_movements (variant_id, id);
