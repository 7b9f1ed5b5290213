-- Digest runs, one per channel and period, so that a digest is posted
-- once whatever restarts happen around its time (see Store.ClaimDigest).

CREATE TABLE digest_runs (
    channel   TEXT NOT NULL,            -- platform and channel id, e.g. "slack:C123"
    period    TEXT NOT NULL,            -- the scheduled local date, e.g. "2026-11-22"
    scheduled INTEGER NOT NULL,         -- Unix seconds of the scheduled time
    state     TEXT NOT NULL,            -- claimed, posted, empty, skipped or failed
    since     INTEGER,                  -- Unix seconds: the digest covered [since, until)
    until     INTEGER,
    detail    TEXT NOT NULL DEFAULT '', -- the posted message id, or why not
    updated   INTEGER NOT NULL,         -- Unix seconds, last state change
    PRIMARY KEY (channel, period)
) STRICT;
