-- Shipments with no news for too long are flagged to staff once.
ALTER TABLE orders ADD COLUMN stuck_alerted_at INTEGER;
CREATE INDEX orders_shipped_updated ON orders (status, updated_at, id);
