-- groupcart customer service, SQLite dialect: the FAQ knowledge base, unanswered
-- questions and answer ratings; tickets, their messages and canned replies.
--
-- Same conventions as before: times are INTEGER unix milliseconds (UTC).
-- Keep this file parallel to the PostgreSQL one.

CREATE TABLE faq_entries (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    key        TEXT    NOT NULL UNIQUE,
    topic      TEXT    NOT NULL,
    -- JSON: {"en": ["How long ...", ...], "zh": [...]}
    questions  TEXT    NOT NULL,
    -- JSON: {"en": "...", "zh": "..."}
    answers    TEXT    NOT NULL,
    -- JSON: ["shipping", ...]
    keywords   TEXT    NOT NULL,
    updated_at INTEGER NOT NULL
) STRICT;

-- A counter every change of faq_entries bumps: the revision the FAQ index cache is keyed
-- by (the entries' times alone miss two changes in the same millisecond).
CREATE TABLE faq_revision (
    id       INTEGER PRIMARY KEY CHECK (id = 1),
    revision INTEGER NOT NULL
) STRICT;
INSERT INTO faq_revision (id, revision) VALUES (1, 0);

CREATE TRIGGER faq_entries_inserted AFTER INSERT ON faq_entries
BEGIN
    UPDATE faq_revision SET revision = revision + 1 WHERE id = 1;
END;

CREATE TRIGGER faq_entries_updated AFTER UPDATE ON faq_entries
BEGIN
    UPDATE faq_revision SET revision = revision + 1 WHERE id = 1;
END;

CREATE TRIGGER faq_entries_deleted AFTER DELETE ON faq_entries
BEGIN
    UPDATE faq_revision SET revision = revision + 1 WHERE id = 1;
END;

CREATE TABLE faq_unanswered (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    customer_id     INTEGER REFERENCES customers (id),
    language        TEXT    NOT NULL,
    question        TEXT    NOT NULL,
    best_entry      INTEGER,
    best_confidence INTEGER,
    at              INTEGER NOT NULL
) STRICT;
CREATE INDEX faq_unanswered_by_customer ON faq_unanswered (customer_id);

CREATE TABLE faq_ratings (
    entry_id    INTEGER NOT NULL REFERENCES faq_entries (id) ON DELETE CASCADE,
    customer_id INTEGER NOT NULL REFERENCES customers (id),
    helpful     INTEGER NOT NULL CHECK (helpful IN (0, 1)),
    at          INTEGER NOT NULL,
    PRIMARY KEY (entry_id, customer_id)
) STRICT;

CREATE TABLE support_tickets (
    id                         INTEGER PRIMARY KEY AUTOINCREMENT,
    customer_id                INTEGER NOT NULL REFERENCES customers (id),
    bot                        TEXT    NOT NULL,
    status                     TEXT    NOT NULL
        CHECK (status IN ('open', 'pending', 'resolved', 'closed')),
    priority                   TEXT    NOT NULL CHECK (priority IN ('low', 'normal', 'high')),
    group_key                  TEXT    NOT NULL,
    staff_chat                 INTEGER NOT NULL,
    topic_outbox_id            INTEGER,
    topic                      TEXT    NOT NULL,
    language                   TEXT    NOT NULL,
    assignee_id                INTEGER,
    assignee_name              TEXT,
    opened_at                  INTEGER NOT NULL,
    first_response_at          INTEGER,
    resolved_at                INTEGER,
    closed_at                  INTEGER,
    first_response_due         INTEGER NOT NULL,
    resolution_due             INTEGER NOT NULL,
    first_response_breached_at INTEGER,
    resolution_breached_at     INTEGER,
    csat                       INTEGER CHECK (csat BETWEEN 1 AND 5),
    nps                        INTEGER CHECK (nps BETWEEN 0 AND 10)
) STRICT;
-- At most one conversation with the agents per customer at a time.
CREATE UNIQUE INDEX support_tickets_one_active ON support_tickets (customer_id)
    WHERE status IN ('open', 'pending');
CREATE INDEX support_tickets_by_topic ON support_tickets (staff_chat, topic_outbox_id);
CREATE INDEX support_tickets_by_opening ON support_tickets (opened_at);

CREATE TABLE support_messages (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    ticket_id  INTEGER NOT NULL REFERENCES support_tickets (id),
    at         INTEGER NOT NULL,
    author     TEXT    NOT NULL CHECK (author IN ('customer', 'agent', 'note')),
    agent_id   INTEGER,
    agent_name TEXT,
    text       TEXT    NOT NULL
) STRICT;
CREATE INDEX support_messages_by_ticket ON support_messages (ticket_id, id);

CREATE TABLE support_canned_replies (
    name     TEXT NOT NULL,
    language TEXT NOT NULL,
    text     TEXT NOT NULL,
    PRIMARY KEY (name, language)
) STRICT;
