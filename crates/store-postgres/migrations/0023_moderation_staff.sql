-- groupcart moderation, second part, PostgreSQL dialect: staff lift mutes and bans
-- (`unmute`, `unban` in the log), and chats lock forwards, media kinds and mentions of other
-- bots (their rules), and a chat under a join raid is remembered. Keep this file parallel to the SQLite one.

ALTER TABLE moderation_actions DROP CONSTRAINT moderation_actions_sanction_check;
ALTER TABLE moderation_actions ADD CONSTRAINT moderation_actions_sanction_check
    CHECK (sanction IN ('warn', 'mute', 'ban', 'unmute', 'unban'));

ALTER TABLE moderation_actions DROP CONSTRAINT moderation_actions_rule_check;
ALTER TABLE moderation_actions ADD CONSTRAINT moderation_actions_rule_check
    CHECK (rule IN ('words', 'links', 'flood', 'forwards', 'media', 'bot_mentions'));

-- The last raid per chat (many joins at once): join requests get a stricter check until
-- `until`; `started_at` seeds the sum asked.
CREATE TABLE chat_raids (
    bot        TEXT        NOT NULL,
    chat_id    BIGINT      NOT NULL,
    started_at TIMESTAMPTZ NOT NULL,
    until      TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (bot, chat_id)
);

-- Join requests per chat and time, to count a raid.
CREATE INDEX join_requests_by_time ON join_requests (bot, chat_id, requested_at);
