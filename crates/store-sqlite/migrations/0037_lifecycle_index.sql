-- The index the full lifecycle recompute (core::crm::recompute_all) aggregates paid orders
-- through: paid orders only, in (customer, currency) order, so `GROUP BY customer_id,
-- currency` streams without a temporary B-tree and never reads the table or an unpaid or
-- refunded order. orders_paid_by_customer stays for the one-customer reads.
CREATE INDEX orders_paid_by_customer_currency ON orders (customer_id, currency, paid_at, total)
    WHERE paid_at IS NOT NULL AND status IN ('paid', 'shipped', 'delivered', 'completed');
