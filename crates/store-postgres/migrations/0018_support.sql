-- groupcart customer service, PostgreSQL dialect: the FAQ knowledge base, unanswered
-- questions and answer ratings; tickets, their messages and canned replies.
--
-- Same conventions as before: times are TIMESTAMPTZ.
-- Keep this file parallel to the SQLite one.

CREATE TABLE faq_entries (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    key        TEXT    NOT NULL UNIQUE,
    topic      TEXT    NOT NULL,
    -- JSONB: {"en": ["How long ...", ...], "zh": [...]}
    questions  JSONB    NOT NULL,
    -- JSONB: {"en": "...", "zh": "..."}
    answers    JSONB    NOT NULL,
    -- JSONB: ["shipping", ...]
    keywords   JSONB    NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);

-- A counter every change of faq_entries bumps: the revision the FAQ index cache is keyed
-- by (the entries' times alone miss two changes in the same millisecond).
CREATE TABLE faq_revision (
    id       BIGINT PRIMARY KEY CHECK (id = 1),
    revision BIGINT NOT NULL
);
INSERT INTO faq_revision (id, revision) VALUES (1, 0);

CREATE FUNCTION faq_entries_changed() RETURNS trigger AS $$
BEGIN
    UPDATE faq_revision SET revision = revision + 1 WHERE id = 1;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER faq_entries_changed AFTER INSERT OR UPDATE OR DELETE ON faq_entries
    FOR EACH ROW EXECUTE FUNCTION faq_entries_changed();

CREATE TABLE faq_unanswered (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    customer_id     BIGINT REFERENCES customers (id),
    language        TEXT    NOT NULL,
    question        TEXT    NOT NULL,
    best_entry      BIGINT,
    best_confidence BIGINT,
    at              TIMESTAMPTZ NOT NULL
);
CREATE INDEX faq_unanswered_by_customer ON faq_unanswered (customer_id);

CREATE TABLE faq_ratings (
    entry_id    BIGINT NOT NULL REFERENCES faq_entries (id) ON DELETE CASCADE,
    customer_id BIGINT NOT NULL REFERENCES customers (id),
    helpful     BOOLEAN NOT NULL,
    at          TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (entry_id, customer_id)
);

CREATE TABLE support_tickets (
    id                         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    customer_id                BIGINT NOT NULL REFERENCES customers (id),
    bot                        TEXT    NOT NULL,
    status                     TEXT    NOT NULL
        CHECK (status IN ('open', 'pending', 'resolved', 'closed')),
    priority                   TEXT    NOT NULL CHECK (priority IN ('low', 'normal', 'high')),
    group_key                  TEXT    NOT NULL,
    staff_chat                 BIGINT NOT NULL,
    topic_outbox_id            BIGINT,
    topic                      TEXT    NOT NULL,
    language                   TEXT    NOT NULL,
    assignee_id                BIGINT,
    assignee_name              TEXT,
    opened_at                  TIMESTAMPTZ NOT NULL,
    first_response_at          TIMESTAMPTZ,
    resolved_at                TIMESTAMPTZ,
    closed_at                  TIMESTAMPTZ,
    first_response_due         TIMESTAMPTZ NOT NULL,
    resolution_due             TIMESTAMPTZ NOT NULL,
    first_response_breached_at TIMESTAMPTZ,
    resolution_breached_at     TIMESTAMPTZ,
    csat                       SMALLINT CHECK (csat BETWEEN 1 AND 5),
    nps                        SMALLINT CHECK (nps BETWEEN 0 AND 10)
);
-- At most one conversation with the agents per customer at a time.
CREATE UNIQUE INDEX support_tickets_one_active ON support_tickets (customer_id)
    WHERE status IN ('open', 'pending');
CREATE INDEX support_tickets_by_topic ON support_tickets (staff_chat, topic_outbox_id);
CREATE INDEX support_tickets_by_opening ON support_tickets (opened_at);

CREATE TABLE support_messages (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    ticket_id  BIGINT NOT NULL REFERENCES support_tickets (id),
    at         TIMESTAMPTZ NOT NULL,
    author     TEXT    NOT NULL CHECK (author IN ('customer', 'agent', 'note')),
    agent_id   BIGINT,
    agent_name TEXT,
    text       TEXT    NOT NULL
);
CREATE INDEX support_messages_by_ticket ON support_messages (ticket_id, id);

CREATE TABLE support_canned_replies (
    name     TEXT NOT NULL,
    language TEXT NOT NULL,
    text     TEXT NOT NULL,
    PRIMARY KEY (name, language)
);
