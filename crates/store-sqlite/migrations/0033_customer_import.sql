-- groupcart imported customers, SQLite dialect: contacts read from another shop's customer
-- export (Shopify), each with a personal claim token and, once the person is known in
-- Telegram, the customer it was linked to; and the phone numbers customers verified by
-- sharing their own contact.
--
-- Same conventions as before: times are INTEGER unix milliseconds (UTC), JSON is TEXT.
-- Keep this file parallel to the PostgreSQL one.

CREATE TABLE imported_contacts (
    id                      INTEGER PRIMARY KEY AUTOINCREMENT,
    -- The import's label given by staff (`shopify-2026-12`).
    source                  TEXT    NOT NULL,
    first_name              TEXT,
    last_name               TEXT,
    -- Lower case.
    email                   TEXT,
    -- E.164.
    phone                   TEXT,
    -- A JSON array of tags.
    tags                    TEXT    NOT NULL,
    -- What they spent at the other shop, in minor units of `currency`; never part of
    -- groupcart's own lifetime value.
    total_spent             INTEGER NOT NULL CHECK (total_spent >= 0),
    currency                TEXT    NOT NULL,
    orders_count            INTEGER NOT NULL CHECK (orders_count >= 0),
    accepts_email_marketing INTEGER CHECK (accepts_email_marketing IN (0, 1)),
    country                 TEXT,
    claim_token             TEXT    NOT NULL UNIQUE,
    imported_at             INTEGER NOT NULL,
    updated_at              INTEGER NOT NULL,
    customer_id             INTEGER REFERENCES customers (id),
    linked_at               INTEGER,
    link_method             TEXT CHECK (link_method IN ('phone', 'claim')),
    CHECK (email IS NOT NULL OR phone IS NOT NULL),
    CHECK ((customer_id IS NULL) = (linked_at IS NULL)
       AND (customer_id IS NULL) = (link_method IS NULL))
) STRICT;

-- A re-import of a source matches its contacts by email or phone.
CREATE UNIQUE INDEX imported_contacts_source_email ON imported_contacts (source, email)
    WHERE email IS NOT NULL;
CREATE UNIQUE INDEX imported_contacts_source_phone ON imported_contacts (source, phone)
    WHERE phone IS NOT NULL;
-- A verified phone finds the contacts waiting for it.
CREATE INDEX imported_contacts_unlinked_phone ON imported_contacts (phone)
    WHERE customer_id IS NULL AND phone IS NOT NULL;
CREATE INDEX imported_contacts_by_customer ON imported_contacts (customer_id)
    WHERE customer_id IS NOT NULL;

-- One row per customer who shared their own phone number through Telegram.
CREATE TABLE customer_phones (
    customer_id INTEGER PRIMARY KEY REFERENCES customers (id),
    phone       TEXT    NOT NULL,
    -- The bot they shared it with.
    bot         TEXT    NOT NULL,
    verified_at INTEGER NOT NULL
) STRICT;

CREATE INDEX customer_phones_by_phone ON customer_phones (phone, verified_at);
