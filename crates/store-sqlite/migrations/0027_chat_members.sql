-- groupcart members per chat, SQLite dialect: Telegram's Bot API cannot list a chat's
-- members, so groupcart keeps the people it has seen in each group (joining it, or speaking
-- in it), with their last activity, to list the inactive or flagged ones for a purge. A purge
-- removes members with the new sanction `kick` (ban then unban: they may come back), so the
-- moderation log is copied to a table whose CHECK allows it (SQLite cannot change a CHECK in
-- place).
--
-- Same conventions as before: times are INTEGER unix milliseconds (UTC).
-- Keep this file parallel to the PostgreSQL one.

CREATE TABLE chat_members (
    bot           TEXT    NOT NULL,
    chat_id       INTEGER NOT NULL,
    user_id       INTEGER NOT NULL,
    -- Set when the person was a customer when last seen.
    customer_id   INTEGER REFERENCES customers (id),
    first_name    TEXT    NOT NULL,
    username      TEXT,
    -- In the chat as far as groupcart knows (seen joining or speaking, not seen leaving).
    present       INTEGER NOT NULL CHECK (present IN (0, 1)),
    first_seen_at INTEGER NOT NULL,
    -- The last time they were seen joining (NULL: there before the bot saw them).
    joined_at     INTEGER,
    last_spoke_at INTEGER,
    messages      INTEGER NOT NULL DEFAULT 0 CHECK (messages >= 0),
    left_at       INTEGER,
    -- The latest of first_seen_at, joined_at and last_spoke_at: what "inactive" is measured
    -- by, kept as a column so the purge query can use an index.
    active_at     INTEGER NOT NULL,
    PRIMARY KEY (bot, chat_id, user_id)
) STRICT, WITHOUT ROWID;

-- The purge query: present members of a chat, least recently active first.
CREATE INDEX chat_members_by_activity ON chat_members (bot, chat_id, active_at)
    WHERE present = 1;
-- Export and erasure find a person's rows by Telegram id.
CREATE INDEX chat_members_by_user ON chat_members (user_id);

CREATE TABLE moderation_actions_new (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    bot         TEXT    NOT NULL,
    chat_id     INTEGER NOT NULL,
    user_id     INTEGER NOT NULL,
    customer_id INTEGER REFERENCES customers (id),
    sanction    TEXT    NOT NULL
        CHECK (sanction IN ('warn', 'mute', 'ban', 'unmute', 'unban', 'kick')),
    rule        TEXT
        CHECK (rule IN ('words', 'links', 'flood', 'forwards', 'media', 'bot_mentions')),
    reason      TEXT    NOT NULL,
    excerpt     TEXT,
    actor       TEXT    NOT NULL,
    until       INTEGER,
    at          INTEGER NOT NULL
) STRICT;

INSERT INTO moderation_actions_new
    (id, bot, chat_id, user_id, customer_id, sanction, rule, reason, excerpt, actor, until, at)
SELECT id, bot, chat_id, user_id, customer_id, sanction, rule, reason, excerpt, actor, until, at
FROM moderation_actions;

DROP TABLE moderation_actions;
ALTER TABLE moderation_actions_new RENAME TO moderation_actions;

CREATE INDEX moderation_actions_by_chat ON moderation_actions (bot, chat_id, at);
CREATE INDEX moderation_actions_by_person ON moderation_actions (bot, chat_id, user_id, at);
