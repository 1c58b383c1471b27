-- groupcart community schema, SQLite dialect: the chats the bot is in, invite links per
-- source, join requests, who came and went (with the link they used), and the join coupon
-- each person got once per chat.
--
-- Same conventions as before: times are INTEGER unix milliseconds (UTC), JSON is TEXT.
-- Keep this file parallel to the PostgreSQL one.

-- settings is a JSON object (ChatSettings).
CREATE TABLE chats (
    bot                  TEXT    NOT NULL,
    chat_id              INTEGER NOT NULL,
    kind                 TEXT    NOT NULL,
    title                TEXT    NOT NULL,
    username             TEXT,
    bot_status           TEXT    NOT NULL,
    can_invite_users     INTEGER NOT NULL CHECK (can_invite_users IN (0, 1)),
    can_restrict_members INTEGER NOT NULL CHECK (can_restrict_members IN (0, 1)),
    can_delete_messages  INTEGER NOT NULL CHECK (can_delete_messages IN (0, 1)),
    settings             TEXT    NOT NULL,
    created_at           INTEGER NOT NULL,
    updated_at           INTEGER NOT NULL,
    PRIMARY KEY (bot, chat_id)
) STRICT, WITHOUT ROWID;

CREATE TABLE invite_links (
    link                 TEXT    PRIMARY KEY,
    bot                  TEXT    NOT NULL,
    chat_id              INTEGER NOT NULL,
    name                 TEXT    NOT NULL,
    source               TEXT    NOT NULL,
    creates_join_request INTEGER NOT NULL CHECK (creates_join_request IN (0, 1)),
    expire_date          INTEGER,
    member_limit         INTEGER,
    created_at           INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

CREATE INDEX invite_links_by_chat ON invite_links (bot, chat_id, created_at);

-- One row per person and chat: a new request after a decided one opens the row again.
CREATE TABLE join_requests (
    bot          TEXT    NOT NULL,
    chat_id      INTEGER NOT NULL,
    user_id      INTEGER NOT NULL,
    customer_id  INTEGER NOT NULL REFERENCES customers (id),
    invite_link  TEXT,
    status       TEXT    NOT NULL CHECK (status IN ('pending', 'approved', 'declined')),
    requested_at INTEGER NOT NULL,
    decided_at   INTEGER,
    PRIMARY KEY (bot, chat_id, user_id)
) STRICT, WITHOUT ROWID;

-- Requests per link, for the link list.
CREATE INDEX join_requests_by_link ON join_requests (invite_link) WHERE invite_link IS NOT NULL;

-- Every join and leave, for growth by source and net members.
CREATE TABLE member_changes (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    bot              TEXT    NOT NULL,
    chat_id          INTEGER NOT NULL,
    user_id          INTEGER NOT NULL,
    customer_id      INTEGER REFERENCES customers (id),
    joined           INTEGER NOT NULL CHECK (joined IN (0, 1)),
    invite_link      TEXT,
    via_join_request INTEGER NOT NULL CHECK (via_join_request IN (0, 1)),
    at               INTEGER NOT NULL
) STRICT;

CREATE INDEX member_changes_by_chat ON member_changes (bot, chat_id, at);
CREATE INDEX member_changes_by_link ON member_changes (invite_link) WHERE invite_link IS NOT NULL;

-- The join coupon, once per person and chat (rejoining gives none).
CREATE TABLE join_rewards (
    bot          TEXT    NOT NULL,
    chat_id      INTEGER NOT NULL,
    customer_id  INTEGER NOT NULL REFERENCES customers (id),
    promotion_id INTEGER NOT NULL REFERENCES promotions (id),
    code         TEXT    NOT NULL REFERENCES promotion_codes (code),
    at           INTEGER NOT NULL,
    PRIMARY KEY (bot, chat_id, customer_id)
) STRICT, WITHOUT ROWID;
