-- groupcart tag rules, PostgreSQL dialect: rules that give a tag to the customers a segment
-- rule matches, the tags they gave (apart from the tags staff set, so a rule never removes
-- those), and an index for counting a customer's events of a kind (segment rules'
-- `events(…)` terms). Keep this file parallel to the SQLite one.

CREATE TABLE tag_rules (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tag        TEXT        NOT NULL,
    rule       TEXT        NOT NULL,
    enabled    BOOLEAN     NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);

-- One row per customer and rule that gave them its tag (a copy of the rule's tag, which
-- segment rules read beside customer_tags).
CREATE TABLE customer_rule_tags (
    customer_id BIGINT      NOT NULL REFERENCES customers (id),
    rule_id     BIGINT      NOT NULL REFERENCES tag_rules (id),
    tag         TEXT        NOT NULL,
    added_at    TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (customer_id, rule_id)
);

CREATE INDEX customer_rule_tags_by_rule ON customer_rule_tags (rule_id, customer_id);

-- Counts per customer of one kind (all time, a window, or a few customers) read only this
-- index.
CREATE INDEX events_by_kind_customer ON events (kind, customer_id, at);
