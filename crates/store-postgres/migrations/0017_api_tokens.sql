-- groupcart admin API tokens, PostgreSQL dialect: scoped, revocable; only a SHA-256 of
-- each token is stored.
--
-- Same conventions as before: times are TIMESTAMPTZ.
-- Keep this file parallel to the SQLite one.

CREATE TABLE api_tokens (
    id         BIGINT      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name       TEXT        NOT NULL UNIQUE,
    scope      TEXT        NOT NULL CHECK (scope IN ('read_only', 'orders', 'catalog', 'full')),
    hash       TEXT        NOT NULL UNIQUE,
    created_at TIMESTAMPTZ NOT NULL,
    revoked_at TIMESTAMPTZ
);
