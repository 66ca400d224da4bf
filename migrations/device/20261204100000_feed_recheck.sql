-- A recheck of the whole feed is due: set on every database this migration upgrades (its
-- device may have synced with a server whose feed ordered transaction ids as text and
-- skipped changes) and on every new one (a first full pull is checked once too). Cleared by
-- a verify that found the device holds everything the server has.
ALTER TABLE sync_state ADD COLUMN feed_recheck_due INTEGER NOT NULL DEFAULT 1 CHECK (feed_recheck_due IN (0, 1));
