-- groupcart moderation schema, SQLite dialect: each person's recent messages per chat (to
-- count floods), their standing on the ladder, and the log of every moderation action.
--
-- Same conventions as before: times are INTEGER unix milliseconds (UTC).
-- Keep this file parallel to the PostgreSQL one.

-- Only the messages inside a chat's flood window: counting a message forgets this
-- person's older ones in the same chat.
CREATE TABLE moderation_messages (
    bot     TEXT    NOT NULL,
    chat_id INTEGER NOT NULL,
    user_id INTEGER NOT NULL,
    digest  TEXT    NOT NULL,
    at      INTEGER NOT NULL
) STRICT;

CREATE INDEX moderation_messages_by_person ON moderation_messages (bot, chat_id, user_id, at);

-- Warnings since the last mute and mutes so far, per person and chat (no row: none).
CREATE TABLE moderation_strikes (
    bot        TEXT    NOT NULL,
    chat_id    INTEGER NOT NULL,
    user_id    INTEGER NOT NULL,
    warnings   INTEGER NOT NULL CHECK (warnings >= 0),
    mutes      INTEGER NOT NULL CHECK (mutes >= 0),
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (bot, chat_id, user_id)
) STRICT, WITHOUT ROWID;

-- Every warning, mute and ban; rule is NULL for a staff member's own action, until is the
-- end of a mute.
CREATE TABLE moderation_actions (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    bot         TEXT    NOT NULL,
    chat_id     INTEGER NOT NULL,
    user_id     INTEGER NOT NULL,
    customer_id INTEGER REFERENCES customers (id),
    sanction    TEXT    NOT NULL CHECK (sanction IN ('warn', 'mute', 'ban')),
    rule        TEXT    CHECK (rule IN ('words', 'links', 'flood')),
    reason      TEXT    NOT NULL,
    excerpt     TEXT,
    actor       TEXT    NOT NULL,
    until       INTEGER,
    at          INTEGER NOT NULL
) STRICT;

CREATE INDEX moderation_actions_by_chat ON moderation_actions (bot, chat_id, at);
CREATE INDEX moderation_actions_by_person ON moderation_actions (bot, chat_id, user_id, at);
