-- The unit price a customer saw when putting a line in the cart, so checkout can tell them
-- when it changed instead of charging the new price silently. NULL for lines from before.
ALTER TABLE carts ADD COLUMN seen_price BIGINT CHECK (seen_price >= 0);
