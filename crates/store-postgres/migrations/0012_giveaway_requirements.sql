-- groupcart giveaway requirements, PostgreSQL dialect: the chats a winner must be in at the
-- draw and the entries the draw passed over because their person was not.
--
-- Both are JSON arrays: chat ids, and entry numbers in draw order.
-- Keep this file parallel to the SQLite one.

ALTER TABLE giveaways ADD COLUMN required_chats JSONB NOT NULL DEFAULT '[]';
ALTER TABLE giveaways ADD COLUMN skipped_entries JSONB NOT NULL DEFAULT '[]';
