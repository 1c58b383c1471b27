-- groupcart privacy schema, PostgreSQL dialect: when a customer was erased, and the audit
-- log.
--
-- Same conventions as before: times are TIMESTAMPTZ.
-- Keep this file parallel to the SQLite one.

ALTER TABLE customers ADD COLUMN erased_at TIMESTAMPTZ;

-- Append-only and hash-chained (see groupcart_core::audit): seq is given by the writer,
-- 1, 2, 3, ... without gaps; hash covers the entry and prev_hash. details is TEXT, not
-- JSONB: the chain hashes what was written.
CREATE TABLE audit_log (
    seq       BIGINT      PRIMARY KEY,
    at        TIMESTAMPTZ NOT NULL,
    actor     TEXT        NOT NULL,
    action    TEXT        NOT NULL,
    target    TEXT,
    details   TEXT        NOT NULL,
    ip        TEXT,
    prev_hash TEXT        NOT NULL,
    hash      TEXT        NOT NULL
);

CREATE FUNCTION audit_log_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit log is append-only';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
