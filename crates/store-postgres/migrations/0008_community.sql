-- groupcart community schema, PostgreSQL dialect: the chats the bot is in, invite links per
-- source, join requests, who came and went (with the link they used), and the join coupon
-- each person got once per chat.
--
-- Same conventions as before: times are TIMESTAMPTZ, JSON is JSONB.
-- Keep this file parallel to the SQLite one.

-- settings is a JSON object (ChatSettings).
CREATE TABLE chats (
    bot                  TEXT    NOT NULL,
    chat_id              BIGINT NOT NULL,
    kind                 TEXT    NOT NULL,
    title                TEXT    NOT NULL,
    username             TEXT,
    bot_status           TEXT    NOT NULL,
    can_invite_users     BOOLEAN NOT NULL,
    can_restrict_members BOOLEAN NOT NULL,
    can_delete_messages  BOOLEAN NOT NULL,
    settings             JSONB   NOT NULL,
    created_at           TIMESTAMPTZ NOT NULL,
    updated_at           TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (bot, chat_id)
);

CREATE TABLE invite_links (
    link                 TEXT    PRIMARY KEY,
    bot                  TEXT    NOT NULL,
    chat_id              BIGINT NOT NULL,
    name                 TEXT    NOT NULL,
    source               TEXT    NOT NULL,
    creates_join_request BOOLEAN NOT NULL,
    expire_date          TIMESTAMPTZ,
    member_limit         BIGINT,
    created_at           TIMESTAMPTZ NOT NULL
);

CREATE INDEX invite_links_by_chat ON invite_links (bot, chat_id, created_at);

-- One row per person and chat: a new request after a decided one opens the row again.
CREATE TABLE join_requests (
    bot          TEXT    NOT NULL,
    chat_id      BIGINT NOT NULL,
    user_id      BIGINT NOT NULL,
    customer_id  BIGINT NOT NULL REFERENCES customers (id),
    invite_link  TEXT,
    status       TEXT    NOT NULL CHECK (status IN ('pending', 'approved', 'declined')),
    requested_at TIMESTAMPTZ NOT NULL,
    decided_at   TIMESTAMPTZ,
    PRIMARY KEY (bot, chat_id, user_id)
);

-- Requests per link, for the link list.
CREATE INDEX join_requests_by_link ON join_requests (invite_link) WHERE invite_link IS NOT NULL;

-- Every join and leave, for growth by source and net members.
CREATE TABLE member_changes (
    id               BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    bot              TEXT    NOT NULL,
    chat_id          BIGINT NOT NULL,
    user_id          BIGINT NOT NULL,
    customer_id      BIGINT REFERENCES customers (id),
    joined           BOOLEAN NOT NULL,
    invite_link      TEXT,
    via_join_request BOOLEAN NOT NULL,
    at               TIMESTAMPTZ NOT NULL
);

CREATE INDEX member_changes_by_chat ON member_changes (bot, chat_id, at);
CREATE INDEX member_changes_by_link ON member_changes (invite_link) WHERE invite_link IS NOT NULL;

-- The join coupon, once per person and chat (rejoining gives none).
CREATE TABLE join_rewards (
    bot          TEXT    NOT NULL,
    chat_id      BIGINT NOT NULL,
    customer_id  BIGINT NOT NULL REFERENCES customers (id),
    promotion_id BIGINT NOT NULL REFERENCES promotions (id),
    code         TEXT    NOT NULL REFERENCES promotion_codes (code),
    at           TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (bot, chat_id, customer_id)
);
