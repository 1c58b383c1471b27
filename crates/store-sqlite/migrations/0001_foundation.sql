-- groupcart foundation schema, SQLite dialect.
--
-- Times are INTEGER unix milliseconds (UTC), JSON is TEXT, booleans are INTEGER 0/1.
-- Ids use AUTOINCREMENT so that an id is never reused, even after its row is deleted
-- (completed jobs are deleted; a late worker must not touch a newer job by a recycled id).
-- Keep this file parallel to the PostgreSQL one.

CREATE TABLE customers (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    telegram_user_id  INTEGER NOT NULL UNIQUE,
    first_name        TEXT    NOT NULL,
    last_name         TEXT,
    username          TEXT,
    telegram_language TEXT,
    language          TEXT,
    first_source      TEXT,
    first_bot         TEXT    NOT NULL,
    first_seen_at     INTEGER NOT NULL,
    last_seen_at      INTEGER NOT NULL
) STRICT;

-- Append-only: the latest record per purpose wins, the history is the proof.
CREATE TABLE consents (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    customer_id    INTEGER NOT NULL REFERENCES customers (id),
    purpose        TEXT    NOT NULL CHECK (purpose IN ('service', 'marketing')),
    granted        INTEGER NOT NULL CHECK (granted IN (0, 1)),
    policy_version TEXT    NOT NULL,
    bot            TEXT    NOT NULL,
    at             INTEGER NOT NULL
) STRICT;

CREATE INDEX consents_by_customer ON consents (customer_id, purpose, at, id);

-- Append-only analytics. No foreign key on customer_id: events outlive what they mention.
CREATE TABLE events (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    kind        TEXT    NOT NULL,
    at          INTEGER NOT NULL,
    bot         TEXT,
    customer_id INTEGER,
    chat_id     INTEGER,
    source      TEXT,
    data        TEXT    NOT NULL
) STRICT;

CREATE INDEX events_by_kind ON events (kind, at);
CREATE INDEX events_by_customer ON events (customer_id, at);
CREATE INDEX events_by_at ON events (at);

-- seq is the arrival order across all bots; AUTOINCREMENT keeps it strictly increasing.
CREATE TABLE inbox (
    seq          INTEGER PRIMARY KEY AUTOINCREMENT,
    bot          TEXT    NOT NULL,
    update_id    INTEGER NOT NULL,
    chat_id      INTEGER,
    payload      TEXT    NOT NULL,
    received_at  INTEGER NOT NULL,
    status       TEXT    NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'done', 'failed')),
    attempts     INTEGER NOT NULL DEFAULT 0,
    last_error   TEXT,
    processed_at INTEGER,
    UNIQUE (bot, update_id)
) STRICT;

CREATE INDEX inbox_pending ON inbox (seq) WHERE status = 'pending';

CREATE TABLE outbox (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    bot               TEXT    NOT NULL,
    chat_id           INTEGER NOT NULL,
    customer_id       INTEGER,
    action            TEXT    NOT NULL,
    broadcast         INTEGER NOT NULL CHECK (broadcast IN (0, 1)),
    status            TEXT    NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed')),
    attempts          INTEGER NOT NULL DEFAULT 0,
    next_attempt_at   INTEGER NOT NULL,
    created_at        INTEGER NOT NULL,
    settled_at        INTEGER,
    remote_message_id INTEGER,
    last_error        TEXT
) STRICT;

CREATE INDEX outbox_due ON outbox (bot, status, next_attempt_at, id);
-- The oldest pending message of each chat (what the sender may send next).
CREATE INDEX outbox_pending_per_chat ON outbox (bot, chat_id, id) WHERE status = 'pending';

-- Completed jobs are deleted; failed ones stay with status 'failed'.
CREATE TABLE jobs (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    kind         TEXT    NOT NULL,
    payload      TEXT    NOT NULL,
    run_at       INTEGER NOT NULL,
    dedup_key    TEXT,
    attempts     INTEGER NOT NULL DEFAULT 0,
    max_attempts INTEGER NOT NULL,
    locked_by    TEXT,
    locked_until INTEGER,
    last_error   TEXT,
    status       TEXT    NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'failed'))
) STRICT;

-- At most one unfinished job per dedup key; failed jobs do not block a new one.
CREATE UNIQUE INDEX jobs_dedup_key ON jobs (dedup_key) WHERE status = 'queued';
CREATE INDEX jobs_due ON jobs (run_at, id) WHERE status = 'queued';
