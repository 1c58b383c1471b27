-- groupcart group-buys, PostgreSQL dialect: offers ("N people within T hours each get price
-- P" on one variant), the teams customers open and join, their members (one order each),
-- and the posts that show a team's progress.
--
-- Same conventions as before: times are TIMESTAMPTZ, ids are identity columns, amounts are
-- integers in the currency's minor unit. No foreign keys to the catalog: an offer outlives a
-- variant removed from it, as order lines do.
-- Keep this file parallel to the SQLite one.

-- regular_price is the variant's price when the offer was made (shown struck through); the
-- group price must be below it.
-- on_expiry is what a team that does not fill gets: 'refund' (members paid when they joined)
-- or 'full_price' (members reserved, and are offered their unit at the regular price).
CREATE TABLE group_buy_offers (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    bot           TEXT        NOT NULL,
    variant_id    BIGINT      NOT NULL,
    product_id    BIGINT      NOT NULL,
    currency      TEXT        NOT NULL CHECK (length(currency) = 3),
    price         BIGINT      NOT NULL,
    regular_price BIGINT      NOT NULL,
    team_size     BIGINT      NOT NULL CHECK (team_size >= 2),
    hours         BIGINT      NOT NULL CHECK (hours >= 1),
    on_expiry     TEXT        NOT NULL DEFAULT 'refund'
                              CHECK (on_expiry IN ('refund', 'full_price')),
    status        TEXT        NOT NULL CHECK (status IN ('active', 'ended')),
    created_at    TIMESTAMPTZ NOT NULL,
    updated_at    TIMESTAMPTZ NOT NULL,
    CHECK (price >= 1 AND price < regular_price)
);

-- members counts the places taken by an order still on, paid those of them paid for; held is
-- the units taken off the shelf for the free places (size - members while open, 0 once
-- closed). The CHECKs are the last line against overfilling: a join's guarded update never
-- gets that far. A join locks this row before the variant's; a cancel frees its place here
-- before the variant's stock moves: one lock order (order, team, variant), so the two never
-- deadlock.
CREATE TABLE group_buy_teams (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    offer_id   BIGINT      NOT NULL REFERENCES group_buy_offers (id),
    bot        TEXT        NOT NULL,
    leader_id  BIGINT      NOT NULL REFERENCES customers (id),
    size       BIGINT      NOT NULL CHECK (size >= 2),
    members    BIGINT      NOT NULL CHECK (members >= 0),
    paid       BIGINT      NOT NULL CHECK (paid >= 0),
    held       BIGINT      NOT NULL CHECK (held >= 0),
    status     TEXT        NOT NULL CHECK (status IN ('open', 'full', 'failed')),
    expires_at TIMESTAMPTZ NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    closed_at  TIMESTAMPTZ,
    CHECK (members <= size),
    CHECK (paid <= members),
    CHECK (expires_at > created_at)
);

-- An offer's teams, newest first.
CREATE INDEX group_buy_teams_by_offer ON group_buy_teams (offer_id, id);

-- One row per order that took a place. left_at is set, once, when the order's cancel,
-- expiry or refund freed the place; the customer may then join again with a new order.
CREATE TABLE group_buy_members (
    order_id    BIGINT      PRIMARY KEY REFERENCES orders (id),
    team_id     BIGINT      NOT NULL REFERENCES group_buy_teams (id),
    customer_id BIGINT      NOT NULL REFERENCES customers (id),
    joined_at   TIMESTAMPTZ NOT NULL,
    paid_at     TIMESTAMPTZ,
    left_at     TIMESTAMPTZ
);

-- A customer holds at most one place of a team at a time.
CREATE UNIQUE INDEX group_buy_members_current ON group_buy_members (team_id, customer_id)
    WHERE left_at IS NULL;
-- A team's members in the order they joined.
CREATE INDEX group_buy_members_by_team ON group_buy_members (team_id, order_id);

-- A post is an outbox message (a member's team message or a card in a group); its Telegram
-- message id is the one the sender recorded on that outbox row (no foreign key: SQLite
-- writes a transaction's outbox rows at its commit). link is the team's deep link, for the
-- buttons of edits; text is what it shows (or will, once its last edit is sent).
CREATE TABLE group_buy_posts (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    team_id    BIGINT      NOT NULL REFERENCES group_buy_teams (id),
    bot        TEXT        NOT NULL,
    chat_id    BIGINT      NOT NULL,
    outbox_id  BIGINT      NOT NULL,
    language   TEXT        NOT NULL,
    link       TEXT        NOT NULL,
    text       TEXT        NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    edited_at  TIMESTAMPTZ
);

CREATE INDEX group_buy_posts_by_team ON group_buy_posts (team_id, id);
