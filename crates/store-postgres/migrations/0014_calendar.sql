-- groupcart calendar schema, PostgreSQL dialect: the posts staff schedule for the seller's
-- channels and groups.
--
-- Same conventions as before: times are TIMESTAMPTZ, JSON is JSONB.
-- Keep this file parallel to the SQLite one.

-- buttons holds the rows of link buttons as JSON. outbox_id is the message the post became
-- once sent, a plain id like the announcements' (no foreign key: a transaction may write its
-- outbox messages only when it commits, after the post is marked sent).
CREATE TABLE scheduled_posts (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    bot        TEXT        NOT NULL,
    chat_id    BIGINT      NOT NULL,
    text       TEXT        NOT NULL,
    buttons    JSONB       NOT NULL,
    category   TEXT        NOT NULL
        CHECK (category IN ('news', 'education', 'interaction', 'promotion')),
    send_at    TIMESTAMPTZ NOT NULL,
    status     TEXT        NOT NULL DEFAULT 'scheduled'
        CHECK (status IN ('scheduled', 'sent', 'cancelled')),
    outbox_id  BIGINT,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    sent_at    TIMESTAMPTZ
);

CREATE INDEX scheduled_posts_by_chat ON scheduled_posts (bot, chat_id, send_at);
CREATE INDEX scheduled_posts_by_time ON scheduled_posts (send_at);
