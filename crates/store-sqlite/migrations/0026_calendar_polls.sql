-- groupcart calendar polls, SQLite dialect: a scheduled post may be a native poll, and keeps
-- the poll's id at Telegram and its latest results.
--
-- Same conventions as before: times are INTEGER unix milliseconds (UTC), JSON is TEXT.
-- Keep this file parallel to the PostgreSQL one.

-- poll is the poll the post asks (JSON: question, options, allows_multiple_answers,
-- is_anonymous), NULL for a text post. poll_id is Telegram's id of the poll once sent
-- (unique per bot: how a `poll` update finds its post). poll_results is the latest state
-- Telegram reported (JSON: options with voter_count, total_voter_count, is_closed,
-- updated_at), from the update poll_update_id received at poll_updated_at: a state from an
-- older update does not replace it.
ALTER TABLE scheduled_posts ADD COLUMN poll TEXT;
ALTER TABLE scheduled_posts ADD COLUMN poll_id TEXT;
ALTER TABLE scheduled_posts ADD COLUMN poll_results TEXT;
ALTER TABLE scheduled_posts ADD COLUMN poll_update_id INTEGER;
ALTER TABLE scheduled_posts ADD COLUMN poll_updated_at INTEGER;

CREATE UNIQUE INDEX scheduled_posts_by_poll ON scheduled_posts (bot, poll_id);
-- The sender finds the post of an outbox message it delivered.
CREATE INDEX scheduled_posts_by_outbox ON scheduled_posts (outbox_id);
