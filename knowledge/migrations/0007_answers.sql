-- The answers the bot posted in chat, what each cited, and what readers
-- said of them: the records behind feedback buttons, correction notices
-- and the coverage-gap report. Part of the bot's running records, not of
-- the knowledge: nothing here is searched or cited.

CREATE TABLE answers (
    id         INTEGER PRIMARY KEY,
    at         INTEGER NOT NULL,             -- Unix seconds, when answered
    platform   TEXT NOT NULL,                -- "discord", "slack", "console"
    channel    TEXT NOT NULL DEFAULT '',
    thread     TEXT NOT NULL DEFAULT '',     -- thread the answer is in, '' when none
    message    TEXT NOT NULL DEFAULT '',     -- the answer's message id, once posted
    user_hash  TEXT NOT NULL DEFAULT '',     -- the asker, hashed (never the raw id)
    question   TEXT NOT NULL,
    searched   TEXT NOT NULL DEFAULT '',     -- what was searched, when not the question
    text       TEXT NOT NULL,                -- the answer as posted
    abstained  INTEGER NOT NULL DEFAULT 0,   -- 1 when the articles did not say
    superseded INTEGER                       -- Unix seconds, when marked superseded
) STRICT;

CREATE INDEX answers_at ON answers (at);

CREATE TABLE answer_citations (
    answer_id  INTEGER NOT NULL REFERENCES answers (id) ON DELETE CASCADE,
    n          INTEGER NOT NULL,             -- the [n] in the answer
    pid        TEXT NOT NULL,                -- paragraphs' stable id
    version    INTEGER NOT NULL,             -- the paragraph's version when cited
    article_id TEXT NOT NULL,
    paragraph  INTEGER NOT NULL,             -- its number when cited
    text       TEXT NOT NULL,                -- the paragraph as it read when cited
    PRIMARY KEY (answer_id, n)
) STRICT;

CREATE INDEX answer_citations_pid ON answer_citations (pid);

-- One vote per person per answer; a new vote replaces the old one.
CREATE TABLE answer_votes (
    answer_id INTEGER NOT NULL REFERENCES answers (id) ON DELETE CASCADE,
    user_hash TEXT NOT NULL,
    vote      TEXT NOT NULL CHECK (vote IN ('helpful', 'not_helpful')),
    at        INTEGER NOT NULL,
    PRIMARY KEY (answer_id, user_hash)
) STRICT;

-- "A source is wrong": one report per person per cited source; a new one
-- replaces the reason.
CREATE TABLE source_reports (
    answer_id INTEGER NOT NULL REFERENCES answers (id) ON DELETE CASCADE,
    user_hash TEXT NOT NULL,
    n         INTEGER NOT NULL,
    reason    TEXT NOT NULL DEFAULT '',
    at        INTEGER NOT NULL,
    PRIMARY KEY (answer_id, user_hash, n)
) STRICT;

-- Correction notices posted: one per answer and changed paragraph
-- version, and the day's last, so that no answer gets more than one a day.
CREATE TABLE correction_notices (
    answer_id   INTEGER NOT NULL REFERENCES answers (id) ON DELETE CASCADE,
    pid         TEXT NOT NULL,
    old_version INTEGER NOT NULL,
    new_version INTEGER NOT NULL,            -- 0 when the paragraph was removed
    at          INTEGER NOT NULL,
    PRIMARY KEY (answer_id, pid, new_version)
) STRICT;
