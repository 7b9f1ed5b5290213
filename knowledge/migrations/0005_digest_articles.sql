-- The articles each posted digest covered, one id a line, so that after a
-- restart the bot still answers replies in a digest's thread from its
-- stories first (see Store.PostedDigests).

ALTER TABLE digest_runs ADD COLUMN articles TEXT NOT NULL DEFAULT '';
