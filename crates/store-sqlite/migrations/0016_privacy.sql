-- groupcart privacy schema, SQLite dialect: when a customer was erased, and the audit log.
--
-- Same conventions as before: times are INTEGER unix milliseconds (UTC), JSON is TEXT.
-- Keep this file parallel to the PostgreSQL one.

ALTER TABLE customers ADD COLUMN erased_at INTEGER;

-- Append-only and hash-chained (see groupcart_core::audit): seq is given by the writer,
-- 1, 2, 3, ... without gaps; hash covers the entry and prev_hash.
CREATE TABLE audit_log (
    seq       INTEGER PRIMARY KEY,
    at        INTEGER NOT NULL,
    actor     TEXT    NOT NULL,
    action    TEXT    NOT NULL,
    target    TEXT,
    details   TEXT    NOT NULL,
    ip        TEXT,
    prev_hash TEXT    NOT NULL,
    hash      TEXT    NOT NULL
) STRICT;

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit log is append-only');
END;

CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit log is append-only');
END;
