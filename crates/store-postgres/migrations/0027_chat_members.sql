-- groupcart members per chat, PostgreSQL dialect: Telegram's Bot API cannot list a chat's
-- members, so groupcart keeps the people it has seen in each group (joining it, or speaking
-- in it), with their last activity, to list the inactive or flagged ones for a purge. A purge
-- removes members with the new sanction `kick` (ban then unban: they may come back), which
-- the moderation log's CHECK now allows.
-- Keep this file parallel to the SQLite one.

CREATE TABLE chat_members (
    bot           TEXT        NOT NULL,
    chat_id       BIGINT      NOT NULL,
    user_id       BIGINT      NOT NULL,
    -- Set when the person was a customer when last seen.
    customer_id   BIGINT      REFERENCES customers (id),
    first_name    TEXT        NOT NULL,
    username      TEXT,
    -- In the chat as far as groupcart knows (seen joining or speaking, not seen leaving).
    present       BOOLEAN     NOT NULL,
    first_seen_at TIMESTAMPTZ NOT NULL,
    -- The last time they were seen joining (NULL: there before the bot saw them).
    joined_at     TIMESTAMPTZ,
    last_spoke_at TIMESTAMPTZ,
    messages      BIGINT      NOT NULL DEFAULT 0 CHECK (messages >= 0),
    left_at       TIMESTAMPTZ,
    -- The latest of first_seen_at, joined_at and last_spoke_at: what "inactive" is measured
    -- by, kept as a column so the purge query can use an index.
    active_at     TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (bot, chat_id, user_id)
);

-- The purge query: present members of a chat, least recently active first.
CREATE INDEX chat_members_by_activity ON chat_members (bot, chat_id, active_at)
    WHERE present;
-- Export and erasure find a person's rows by Telegram id.
CREATE INDEX chat_members_by_user ON chat_members (user_id);

ALTER TABLE moderation_actions DROP CONSTRAINT moderation_actions_sanction_check;
ALTER TABLE moderation_actions ADD CONSTRAINT moderation_actions_sanction_check
    CHECK (sanction IN ('warn', 'mute', 'ban', 'unmute', 'unban', 'kick'));
