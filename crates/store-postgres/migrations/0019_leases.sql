-- groupcart leases, PostgreSQL dialect: roles one instance plays at a time (a bot's sender
-- and poller, the inbox dispatcher), held until `expires_at` and renewed by the holder.
--
-- Same conventions as before: times are TIMESTAMPTZ.
-- Keep this file parallel to the SQLite one.

CREATE TABLE leases (
    name       TEXT    NOT NULL PRIMARY KEY,
    holder     TEXT    NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL
);
