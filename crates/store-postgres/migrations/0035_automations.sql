-- Lifecycle automations (crates/core/src/automation.rs): each flow's settings (JSON, one
-- row per flow kind; no row: the defaults), the global rules (one row of JSON), every send
-- made (unique per flow, customer, reference and step: a send is never made twice), the
-- "notify me" requests of sold-out items, and the birthday customers share.
CREATE TABLE automation_flows (
    flow       TEXT        PRIMARY KEY,
    settings   JSONB       NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE automation_settings (
    id         INTEGER     PRIMARY KEY CHECK (id = 1),
    settings   JSONB       NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE automation_sends (
    id          BIGSERIAL   PRIMARY KEY,
    flow        TEXT        NOT NULL,
    customer_id BIGINT      NOT NULL REFERENCES customers (id),
    ref         TEXT        NOT NULL,
    step        INTEGER     NOT NULL CHECK (step >= 0),
    marketing   BOOLEAN     NOT NULL,
    sent_at     TIMESTAMPTZ NOT NULL,
    UNIQUE (flow, customer_id, ref, step)
);

-- The frequency cap: a customer's recent sends.
CREATE INDEX automation_sends_by_customer ON automation_sends (customer_id, sent_at);
-- Results per flow.
CREATE INDEX automation_sends_by_flow ON automation_sends (flow, sent_at);
-- The cap counts broadcast messages released to the customer too.
CREATE INDEX broadcast_recipients_released ON broadcast_recipients (customer_id, released_at)
    WHERE status = 'queued';

CREATE TABLE restock_requests (
    customer_id  BIGINT      NOT NULL REFERENCES customers (id),
    variant_id   BIGINT      NOT NULL REFERENCES variants (id) ON DELETE CASCADE,
    product_id   BIGINT      NOT NULL,
    bot          TEXT        NOT NULL,
    requested_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (customer_id, variant_id)
);

CREATE INDEX restock_requests_by_variant ON restock_requests (variant_id, requested_at);

ALTER TABLE customers ADD COLUMN birthday_month INTEGER CHECK (birthday_month BETWEEN 1 AND 12);
ALTER TABLE customers ADD COLUMN birthday_day INTEGER CHECK (birthday_day BETWEEN 1 AND 31);

CREATE INDEX customers_by_birthday ON customers (birthday_month, birthday_day)
    WHERE birthday_month IS NOT NULL;
