-- How many times a digest run was claimed, so that a run that keeps
-- failing (a channel the bot may not post in) is tried a few times with
-- a growing pause, not every minute of its grace period (see
-- Store.ClaimDigest).

ALTER TABLE digest_runs ADD COLUMN attempts INTEGER NOT NULL DEFAULT 1;
