-- groupcart giveaway requirements, SQLite dialect: the chats a winner must be in at the draw
-- and the entries the draw passed over because their person was not.
--
-- Both are JSON arrays (TEXT): chat ids, and entry numbers in draw order.
-- Keep this file parallel to the PostgreSQL one.

ALTER TABLE giveaways ADD COLUMN required_chats TEXT NOT NULL DEFAULT '[]';
ALTER TABLE giveaways ADD COLUMN skipped_entries TEXT NOT NULL DEFAULT '[]';
