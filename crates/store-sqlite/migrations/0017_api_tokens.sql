-- groupcart admin API tokens, SQLite dialect: scoped, revocable; only a SHA-256 of each
-- token is stored.
--
-- Same conventions as before: times are INTEGER unix milliseconds (UTC).
-- Keep this file parallel to the PostgreSQL one.

CREATE TABLE api_tokens (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    name       TEXT    NOT NULL UNIQUE,
    scope      TEXT    NOT NULL CHECK (scope IN ('read_only', 'orders', 'catalog', 'full')),
    hash       TEXT    NOT NULL UNIQUE,
    created_at INTEGER NOT NULL,
    revoked_at INTEGER
) STRICT;
