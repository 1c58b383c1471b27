-- The index the full lifecycle recompute (core::crm::recompute_all) aggregates paid orders
-- through: paid orders only, in (customer, currency) order, so `GROUP BY customer_id,
-- currency` is an index-only scan with no sort and no filter. orders_paid_by_customer stays
-- for the one-customer reads.
CREATE INDEX orders_paid_by_customer_currency ON orders (customer_id, currency, paid_at)
    INCLUDE (total)
    WHERE paid_at IS NOT NULL AND status IN ('paid', 'shipped', 'delivered', 'completed');
