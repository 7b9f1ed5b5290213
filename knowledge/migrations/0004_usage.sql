-- Running counts that must survive a restart, such as the language
-- model tokens spent each day (see Store.AddUsage).

CREATE TABLE usage (
    key TEXT PRIMARY KEY,   -- what is counted and for when, e.g. "llm_tokens:2026-11-22"
    n   INTEGER NOT NULL
) STRICT;
