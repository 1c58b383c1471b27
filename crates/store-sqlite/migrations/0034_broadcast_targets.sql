-- Broadcasts to chats and auto-send of the A/B winner, SQLite dialect.
--
-- broadcasts.chats is the JSON array of the chat ids a broadcast posts in (empty: it goes to
-- customers). winner is the JSON of the auto-send rule (test share, hours, metric), NULL
-- without one; winner_variant and winner_at record the winner once it is picked.
--
-- A recipient row may now be a chat (customer_id NULL; one row per chat and broadcast), and
-- a recipient may be 'awaiting_winner' (no variant yet: it gets the winner). SQLite cannot
-- change a NOT NULL or a CHECK in place, so the recipients are copied to a new table.
--
-- Same conventions as before: times are INTEGER unix milliseconds (UTC).
-- Keep this file parallel to the PostgreSQL one.

ALTER TABLE broadcasts ADD COLUMN chats TEXT NOT NULL DEFAULT '[]';
ALTER TABLE broadcasts ADD COLUMN winner TEXT;
ALTER TABLE broadcasts ADD COLUMN winner_variant INTEGER;
ALTER TABLE broadcasts ADD COLUMN winner_at INTEGER;

CREATE TABLE broadcast_recipients_new (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    broadcast_id INTEGER NOT NULL REFERENCES broadcasts (id),
    -- NULL for a chat (a group or channel the broadcast is posted in).
    customer_id  INTEGER,
    chat_id      INTEGER NOT NULL,
    variant      INTEGER,
    send_at      INTEGER NOT NULL,
    status       TEXT    NOT NULL
        CHECK (status IN ('planned', 'queued', 'skipped', 'held_out', 'cancelled',
                          'awaiting_winner')),
    reason       TEXT,
    outbox_id    INTEGER,
    released_at  INTEGER,
    UNIQUE (broadcast_id, customer_id)
) STRICT;

INSERT INTO broadcast_recipients_new
    (id, broadcast_id, customer_id, chat_id, variant, send_at, status, reason, outbox_id,
     released_at)
SELECT id, broadcast_id, customer_id, chat_id, variant, send_at, status, reason, outbox_id,
       released_at
FROM broadcast_recipients;

DROP TABLE broadcast_recipients;
ALTER TABLE broadcast_recipients_new RENAME TO broadcast_recipients;

CREATE INDEX broadcast_recipients_due ON broadcast_recipients (broadcast_id, status, send_at, id);
CREATE INDEX broadcast_recipients_by_customer ON broadcast_recipients (customer_id, status);
CREATE INDEX broadcast_recipients_by_outbox ON broadcast_recipients (outbox_id);
-- A chat is planned once per broadcast (customers are kept unique by the table's UNIQUE).
CREATE UNIQUE INDEX broadcast_recipients_chat ON broadcast_recipients (broadcast_id, chat_id)
    WHERE customer_id IS NULL;
