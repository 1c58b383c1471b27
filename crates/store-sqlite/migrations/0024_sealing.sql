-- groupcart encryption at rest, SQLite dialect. Personal fields the database never
-- searches are stored sealed (`groupcart_core::sealing`): orders.shipping_address,
-- order_events.note, customers.notes, inbox.payload, outbox.action, support_messages.text,
-- faq_unanswered.question, moderation_actions.excerpt, console_users.totp_secret. Their
-- columns are TEXT already; what is still searched moves beside them, in plain:
-- - orders.shipping_country: the country of the address (upper case), for the market.
-- - inbox.refs, outbox.refs: ` term term `, the ids and button data the update or action
--   names (`sealing::search_refs`), for erasure. NULL on rows written before this
--   migration, which are still plain and searched as they are.
-- Existing values stay plain until `groupcart keys rotate` seals them.
-- Keep this file parallel to the PostgreSQL one.

ALTER TABLE orders ADD COLUMN shipping_country TEXT;
UPDATE orders SET shipping_country = upper(json_extract(shipping_address, '$.country_code'))
WHERE shipping_address IS NOT NULL;

ALTER TABLE inbox ADD COLUMN refs TEXT;
ALTER TABLE outbox ADD COLUMN refs TEXT;

-- The keys values were sealed with: a check value sealed with each (the key's id as
-- text) proves a configured key of that id is the same key.
CREATE TABLE sealing_keys (
    key_id      TEXT    PRIMARY KEY,
    check_value TEXT    NOT NULL,
    added_at    INTEGER NOT NULL
) STRICT;
