-- groupcart, SQLite dialect: finds what the outbox sent lately, so that a sender that
-- starts (a restart, a takeover) keeps to Telegram's per-chat limits from the first message.
-- Keep this file parallel to the PostgreSQL one.

CREATE INDEX outbox_recent_sends ON outbox (bot, settled_at) WHERE status = 'sent';
