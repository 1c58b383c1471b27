-- groupcart join verification in the group, PostgreSQL dialect: someone who joins a group
-- directly (not through a join request) is restricted until they pass the chat's check
-- there (or staff approve them), and removed on a wrong answer or when `deadline` passes.
-- One row per person and chat: a later join opens the row again.
-- Keep this file parallel to the SQLite one.

CREATE TABLE member_checks (
    bot               TEXT        NOT NULL,
    chat_id           BIGINT      NOT NULL,
    user_id           BIGINT      NOT NULL,
    -- The check asked (`community::Verification` as JSON).
    verification      JSONB       NOT NULL,
    -- The outbox row of the check posted in the group, deleted once decided.
    message_outbox_id BIGINT,
    first_name        TEXT        NOT NULL,
    language          TEXT,
    status            TEXT        NOT NULL CHECK (status IN ('pending', 'passed', 'failed')),
    started_at        TIMESTAMPTZ NOT NULL,
    deadline          TIMESTAMPTZ,
    decided_at        TIMESTAMPTZ,
    PRIMARY KEY (bot, chat_id, user_id)
);
