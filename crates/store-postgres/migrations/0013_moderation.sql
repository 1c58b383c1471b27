-- groupcart moderation schema, PostgreSQL dialect: each person's recent messages per chat
-- (to count floods), their standing on the ladder, and the log of every moderation action.
--
-- Same conventions as before: times are TIMESTAMPTZ.
-- Keep this file parallel to the SQLite one.

-- Only the messages inside a chat's flood window: counting a message forgets this
-- person's older ones in the same chat.
CREATE TABLE moderation_messages (
    bot     TEXT        NOT NULL,
    chat_id BIGINT      NOT NULL,
    user_id BIGINT      NOT NULL,
    digest  TEXT        NOT NULL,
    at      TIMESTAMPTZ NOT NULL
);

CREATE INDEX moderation_messages_by_person ON moderation_messages (bot, chat_id, user_id, at);

-- Warnings since the last mute and mutes so far, per person and chat (no row: none).
CREATE TABLE moderation_strikes (
    bot        TEXT        NOT NULL,
    chat_id    BIGINT      NOT NULL,
    user_id    BIGINT      NOT NULL,
    warnings   BIGINT      NOT NULL CHECK (warnings >= 0),
    mutes      BIGINT      NOT NULL CHECK (mutes >= 0),
    updated_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (bot, chat_id, user_id)
);

-- Every warning, mute and ban; rule is NULL for a staff member's own action, until is the
-- end of a mute.
CREATE TABLE moderation_actions (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    bot         TEXT        NOT NULL,
    chat_id     BIGINT      NOT NULL,
    user_id     BIGINT      NOT NULL,
    customer_id BIGINT      REFERENCES customers (id),
    sanction    TEXT        NOT NULL CHECK (sanction IN ('warn', 'mute', 'ban')),
    rule        TEXT        CHECK (rule IN ('words', 'links', 'flood')),
    reason      TEXT        NOT NULL,
    excerpt     TEXT,
    actor       TEXT        NOT NULL,
    until       TIMESTAMPTZ,
    at          TIMESTAMPTZ NOT NULL
);

CREATE INDEX moderation_actions_by_chat ON moderation_actions (bot, chat_id, at);
CREATE INDEX moderation_actions_by_person ON moderation_actions (bot, chat_id, user_id, at);
