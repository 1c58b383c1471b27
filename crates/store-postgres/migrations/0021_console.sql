-- groupcart operator console, PostgreSQL dialect: console users (argon2id password hashes,
-- optional TOTP secrets), browser sessions (only a SHA-256 of each token is stored) and
-- failed logins (kept here so the limits hold across instances).
--
-- Same conventions as before: times are TIMESTAMPTZ.
-- Keep this file parallel to the SQLite one.

CREATE TABLE console_users (
    id                  BIGINT      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    username            TEXT        NOT NULL UNIQUE,
    display_name        TEXT        NOT NULL,
    role                TEXT        NOT NULL
        CHECK (role IN ('owner', 'admin', 'agent', 'analyst', 'custom')),
    -- Comma-separated permission names of a custom user; empty otherwise.
    permissions         TEXT        NOT NULL DEFAULT '',
    password_hash       TEXT        NOT NULL,
    totp_secret         TEXT,
    totp_last_step      BIGINT,
    disabled            BOOLEAN     NOT NULL DEFAULT FALSE,
    created_at          TIMESTAMPTZ NOT NULL,
    password_changed_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE console_sessions (
    token_hash   TEXT        NOT NULL PRIMARY KEY,
    user_id      BIGINT      NOT NULL REFERENCES console_users (id),
    csrf_token   TEXT        NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL,
    last_seen_at TIMESTAMPTZ NOT NULL
);

CREATE INDEX console_sessions_by_user ON console_sessions (user_id);

CREATE TABLE console_login_failures (
    id   BIGINT      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind TEXT        NOT NULL CHECK (kind IN ('account', 'ip')),
    key  TEXT        NOT NULL,
    at   TIMESTAMPTZ NOT NULL
);

CREATE INDEX console_login_failures_by_key ON console_login_failures (kind, key, at);
CREATE INDEX console_login_failures_by_time ON console_login_failures (at);
