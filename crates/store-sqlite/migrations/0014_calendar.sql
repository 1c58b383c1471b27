-- groupcart calendar schema, SQLite dialect: the posts staff schedule for the seller's
-- channels and groups.
--
-- Same conventions as before: times are INTEGER unix milliseconds (UTC), JSON is TEXT.
-- Keep this file parallel to the PostgreSQL one.

-- buttons holds the rows of link buttons as JSON. outbox_id is the message the post became
-- once sent, a plain id like the announcements' (no foreign key: a transaction may write its
-- outbox messages only when it commits, after the post is marked sent).
CREATE TABLE scheduled_posts (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    bot        TEXT    NOT NULL,
    chat_id    INTEGER NOT NULL,
    text       TEXT    NOT NULL,
    buttons    TEXT    NOT NULL,
    category   TEXT    NOT NULL
        CHECK (category IN ('news', 'education', 'interaction', 'promotion')),
    send_at    INTEGER NOT NULL,
    status     TEXT    NOT NULL DEFAULT 'scheduled'
        CHECK (status IN ('scheduled', 'sent', 'cancelled')),
    outbox_id  INTEGER,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    sent_at    INTEGER
) STRICT;

CREATE INDEX scheduled_posts_by_chat ON scheduled_posts (bot, chat_id, send_at);
CREATE INDEX scheduled_posts_by_time ON scheduled_posts (send_at);
