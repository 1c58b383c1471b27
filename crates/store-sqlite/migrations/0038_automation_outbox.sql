-- The outbox message each automation send became (no foreign key, as with broadcast
-- recipients), so that a marketing opt-out takes a message still waiting back out of the
-- outbox as it does a broadcast's. NULL for sends made before this column.
ALTER TABLE automation_sends ADD COLUMN outbox_id INTEGER;
CREATE INDEX automation_sends_by_outbox ON automation_sends (customer_id, outbox_id)
    WHERE marketing = 1 AND outbox_id IS NOT NULL;
