-- Related products learned from paid orders and product views (core::recommend), replaced
-- as a whole by the daily recompute. No foreign keys: like order lines, the pairs name
-- products that may be archived since.
CREATE TABLE related_products (
    product_id  INTEGER NOT NULL,
    relation    TEXT    NOT NULL CHECK (relation IN ('bought_together', 'viewed_then_bought')),
    related_id  INTEGER NOT NULL,
    score       INTEGER NOT NULL CHECK (score > 0),
    computed_at INTEGER NOT NULL,
    PRIMARY KEY (product_id, relation, related_id)
) STRICT, WITHOUT ROWID;

