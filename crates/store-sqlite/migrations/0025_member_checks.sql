-- groupcart join verification in the group, SQLite dialect: someone who joins a group
-- directly (not through a join request) is restricted until they pass the chat's check
-- there (or staff approve them), and removed on a wrong answer or when `deadline` passes.
-- One row per person and chat: a later join opens the row again.
-- Keep this file parallel to the PostgreSQL one.

CREATE TABLE member_checks (
    bot               TEXT    NOT NULL,
    chat_id           INTEGER NOT NULL,
    user_id           INTEGER NOT NULL,
    -- The check asked (`community::Verification` as JSON).
    verification      TEXT    NOT NULL,
    -- The outbox row of the check posted in the group, deleted once decided.
    message_outbox_id INTEGER,
    first_name        TEXT    NOT NULL,
    language          TEXT,
    status            TEXT    NOT NULL CHECK (status IN ('pending', 'passed', 'failed')),
    started_at        INTEGER NOT NULL,
    deadline          INTEGER,
    decided_at        INTEGER,
    PRIMARY KEY (bot, chat_id, user_id)
) STRICT, WITHOUT ROWID;
