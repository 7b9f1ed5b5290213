-- Platform events already handled, so that a retried or replayed event is
-- answered once, across reconnects and restarts (see Store.Once).

CREATE TABLE seen_events (
    key     TEXT PRIMARY KEY,         -- platform and event id, e.g. "slack:Ev123"
    seen    INTEGER NOT NULL,         -- Unix seconds, first seen
    expires INTEGER NOT NULL          -- Unix seconds, forgotten after
) STRICT;

CREATE INDEX seen_events_expires ON seen_events (expires);
