-- groupcart foundation schema, PostgreSQL dialect.
--
-- Times are TIMESTAMPTZ, JSON is JSONB (the inbox payload stays TEXT: it is kept exactly as
-- received). Ids are identity columns, never reused.
-- Keep this file parallel to the SQLite one.

CREATE TABLE customers (
    id                BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    telegram_user_id  BIGINT      NOT NULL UNIQUE,
    first_name        TEXT        NOT NULL,
    last_name         TEXT,
    username          TEXT,
    telegram_language TEXT,
    language          TEXT,
    first_source      TEXT,
    first_bot         TEXT        NOT NULL,
    first_seen_at     TIMESTAMPTZ NOT NULL,
    last_seen_at      TIMESTAMPTZ NOT NULL
);

-- Append-only: the latest record per purpose wins, the history is the proof.
CREATE TABLE consents (
    id             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    customer_id    BIGINT      NOT NULL REFERENCES customers (id),
    purpose        TEXT        NOT NULL CHECK (purpose IN ('service', 'marketing')),
    granted        BOOLEAN     NOT NULL,
    policy_version TEXT        NOT NULL,
    bot            TEXT        NOT NULL,
    at             TIMESTAMPTZ NOT NULL
);

CREATE INDEX consents_by_customer ON consents (customer_id, purpose, at, id);

-- Append-only analytics. No foreign key on customer_id: events outlive what they mention.
CREATE TABLE events (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind        TEXT        NOT NULL,
    at          TIMESTAMPTZ NOT NULL,
    bot         TEXT,
    customer_id BIGINT,
    chat_id     BIGINT,
    source      TEXT,
    data        JSONB       NOT NULL
);

CREATE INDEX events_by_kind ON events (kind, at);
CREATE INDEX events_by_customer ON events (customer_id, at);
CREATE INDEX events_by_at ON events (at);

-- seq is the arrival order across all bots. It is taken at insert, not at commit: two
-- concurrent writers may commit out of seq order.
CREATE TABLE inbox (
    seq          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    bot          TEXT        NOT NULL,
    update_id    BIGINT      NOT NULL,
    chat_id      BIGINT,
    payload      TEXT        NOT NULL,
    received_at  TIMESTAMPTZ NOT NULL,
    status       TEXT        NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'done', 'failed')),
    attempts     INTEGER     NOT NULL DEFAULT 0,
    last_error   TEXT,
    processed_at TIMESTAMPTZ,
    UNIQUE (bot, update_id)
);

CREATE INDEX inbox_pending ON inbox (seq) WHERE status = 'pending';

CREATE TABLE outbox (
    id                BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    bot               TEXT        NOT NULL,
    chat_id           BIGINT      NOT NULL,
    customer_id       BIGINT,
    action            JSONB       NOT NULL,
    broadcast         BOOLEAN     NOT NULL,
    status            TEXT        NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed')),
    attempts          INTEGER     NOT NULL DEFAULT 0,
    next_attempt_at   TIMESTAMPTZ NOT NULL,
    created_at        TIMESTAMPTZ NOT NULL,
    settled_at        TIMESTAMPTZ,
    remote_message_id BIGINT,
    last_error        TEXT
);

CREATE INDEX outbox_due ON outbox (bot, status, next_attempt_at, id);
-- The oldest pending message of each chat (what the sender may send next).
CREATE INDEX outbox_pending_per_chat ON outbox (bot, chat_id, id) WHERE status = 'pending';

-- Completed jobs are deleted; failed ones stay with status 'failed'.
CREATE TABLE jobs (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind         TEXT        NOT NULL,
    payload      JSONB       NOT NULL,
    run_at       TIMESTAMPTZ NOT NULL,
    dedup_key    TEXT,
    attempts     INTEGER     NOT NULL DEFAULT 0,
    max_attempts INTEGER     NOT NULL,
    locked_by    TEXT,
    locked_until TIMESTAMPTZ,
    last_error   TEXT,
    status       TEXT        NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'failed'))
);

-- At most one unfinished job per dedup key; failed jobs do not block a new one.
CREATE UNIQUE INDEX jobs_dedup_key ON jobs (dedup_key) WHERE status = 'queued';
CREATE INDEX jobs_due ON jobs (run_at, id) WHERE status = 'queued';
