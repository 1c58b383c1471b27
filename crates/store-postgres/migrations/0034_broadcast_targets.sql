-- Broadcasts to chats and auto-send of the A/B winner, PostgreSQL dialect.
--
-- broadcasts.chats is the JSON array of the chat ids a broadcast posts in (empty: it goes to
-- customers). winner is the JSON of the auto-send rule (test share, hours, metric), NULL
-- without one; winner_variant and winner_at record the winner once it is picked.
--
-- A recipient row may now be a chat (customer_id NULL; one row per chat and broadcast), and
-- a recipient may be 'awaiting_winner' (no variant yet: it gets the winner).
-- Keep this file parallel to the SQLite one.

ALTER TABLE broadcasts
    ADD COLUMN chats          JSONB       NOT NULL DEFAULT '[]',
    ADD COLUMN winner         JSONB,
    ADD COLUMN winner_variant SMALLINT    CHECK (winner_variant >= 0),
    ADD COLUMN winner_at      TIMESTAMPTZ;

ALTER TABLE broadcast_recipients ALTER COLUMN customer_id DROP NOT NULL;
ALTER TABLE broadcast_recipients DROP CONSTRAINT broadcast_recipients_status_check;
ALTER TABLE broadcast_recipients ADD CONSTRAINT broadcast_recipients_status_check
    CHECK (status IN ('planned', 'queued', 'skipped', 'held_out', 'cancelled',
                      'awaiting_winner'));

-- A chat is planned once per broadcast (customers are kept unique by the table's UNIQUE).
CREATE UNIQUE INDEX broadcast_recipients_chat ON broadcast_recipients (broadcast_id, chat_id)
    WHERE customer_id IS NULL;
