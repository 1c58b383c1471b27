-- groupcart chat activity per day, PostgreSQL dialect: which members spoke in a group on which
-- UTC day, and how many messages, for the engagement analytics (members who spoke, silent
-- members; `groupcart_core::analytics`). chat_members keeps only each member's last time
-- speaking; this keeps every day. The store writes it with chat_members, in the same
-- transaction, for each message seen in a group. Nothing is backfilled: chat_members cannot
-- tell on which days someone spoke before.
--
-- Same conventions as before: day is days since 1970-01-01 (UTC).
-- Keep this file parallel to the SQLite one.

CREATE TABLE chat_member_days (
    bot      TEXT    NOT NULL,
    chat_id  BIGINT  NOT NULL,
    day      BIGINT  NOT NULL,
    -- Telegram user id (erasure replaces it with the customer's pseudonym).
    user_id  BIGINT  NOT NULL,
    messages BIGINT  NOT NULL CHECK (messages > 0),
    PRIMARY KEY (bot, chat_id, day, user_id)
);

-- A report over every chat reads a range of days.
CREATE INDEX chat_member_days_by_day ON chat_member_days (day);
-- Erasure finds a person's rows by Telegram id.
CREATE INDEX chat_member_days_by_user ON chat_member_days (user_id);
