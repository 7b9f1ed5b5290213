-- Stable paragraph ids (#14): a paragraph keeps its pid across re-ingests
-- of its article while its text is unchanged, even when paragraphs around
-- it are added or removed and its ordinal moves, and its version counts
-- the changes of its text under that pid. Existing paragraphs are
-- numbered from their ordinals, each at version 1.
--
-- And the corrections still to tell: a re-ingest that changes or removes
-- a paragraph an answer of the last 30 days cited leaves one row per
-- answer and paragraph here, in the same transaction, for the running bot
-- to post in the answer's thread (correction_notices, 0007, records what
-- was posted).

ALTER TABLE paragraphs ADD COLUMN pid TEXT NOT NULL DEFAULT '';
ALTER TABLE paragraphs ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
UPDATE paragraphs SET pid = article_id || '~' || ordinal;
CREATE UNIQUE INDEX paragraphs_pid ON paragraphs (pid);

-- The last pid number given in an article: a new paragraph takes the
-- next, so a removed paragraph's pid is never given to another.
ALTER TABLE articles ADD COLUMN pid_seq INTEGER NOT NULL DEFAULT 0;
UPDATE articles SET pid_seq = coalesce((SELECT max(ordinal) FROM paragraphs p WHERE p.article_id = articles.id), 0);

CREATE TABLE pending_corrections (
    answer_id   INTEGER NOT NULL REFERENCES answers (id) ON DELETE CASCADE,
    n           INTEGER NOT NULL,            -- the [n] of the answer that cites it
    pid         TEXT NOT NULL,
    article_id  TEXT NOT NULL,
    old_version INTEGER NOT NULL,            -- the version the answer cited
    new_version INTEGER NOT NULL,            -- 0 when the paragraph was removed
    old_text    TEXT NOT NULL,               -- as the answer cited it
    new_text    TEXT NOT NULL DEFAULT '',    -- '' when removed
    note        TEXT NOT NULL DEFAULT '',    -- the outlet's correction note, if the article carries one
    at          INTEGER NOT NULL,            -- Unix seconds, when the change was stored
    PRIMARY KEY (answer_id, pid)
) STRICT;
