-- groupcart moderation, second part, SQLite dialect: staff lift mutes and bans (`unmute`,
-- `unban` in the log), and chats lock forwards, media kinds and mentions of other bots
-- (their rules), and a chat under a join raid is remembered. SQLite cannot change a CHECK in place: the log is copied to a new table.
-- Keep this file parallel to the PostgreSQL one.

CREATE TABLE moderation_actions_new (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    bot         TEXT    NOT NULL,
    chat_id     INTEGER NOT NULL,
    user_id     INTEGER NOT NULL,
    customer_id INTEGER REFERENCES customers (id),
    sanction    TEXT    NOT NULL
        CHECK (sanction IN ('warn', 'mute', 'ban', 'unmute', 'unban')),
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

-- The last raid per chat (many joins at once): join requests get a stricter check until
-- `until`; `started_at` seeds the sum asked.
CREATE TABLE chat_raids (
    bot        TEXT    NOT NULL,
    chat_id    INTEGER NOT NULL,
    started_at INTEGER NOT NULL,
    until      INTEGER NOT NULL,
    PRIMARY KEY (bot, chat_id)
) STRICT, WITHOUT ROWID;

-- Join requests per chat and time, to count a raid.
CREATE INDEX join_requests_by_time ON join_requests (bot, chat_id, requested_at);
