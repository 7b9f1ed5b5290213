-- Articles, their refs (where each copy came from), their paragraphs, and
-- the full-text index over paragraph text and article title.

CREATE TABLE articles (
    id           TEXT PRIMARY KEY,
    source       TEXT NOT NULL DEFAULT '',
    title        TEXT NOT NULL DEFAULT '',
    url          TEXT NOT NULL DEFAULT '',
    author       TEXT NOT NULL DEFAULT '',
    language     TEXT NOT NULL DEFAULT '',
    published    INTEGER,              -- Unix seconds, UTC; NULL when unknown
    ingested     INTEGER NOT NULL,     -- Unix seconds, first stored
    updated      INTEGER NOT NULL,     -- Unix seconds, last changed
    revision     INTEGER NOT NULL DEFAULT 1,
    content_hash TEXT NOT NULL         -- hash of the normalized paragraphs
) STRICT;

CREATE INDEX articles_content_hash ON articles (content_hash);
CREATE INDEX articles_published ON articles (published);
CREATE INDEX articles_source ON articles (source COLLATE NOCASE);

CREATE TABLE article_refs (
    ref         TEXT PRIMARY KEY,
    article_id  TEXT NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    fingerprint TEXT NOT NULL,         -- hash of text and metadata last seen under this ref
    seen        INTEGER NOT NULL       -- Unix seconds
) STRICT;

CREATE INDEX article_refs_article ON article_refs (article_id);

CREATE TABLE paragraphs (
    id         INTEGER PRIMARY KEY,
    article_id TEXT NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    ordinal    INTEGER NOT NULL,       -- 1-based, reading order
    text       TEXT NOT NULL,
    UNIQUE (article_id, ordinal)
) STRICT;

-- Contentless: the text lives in paragraphs and articles; the index holds
-- only what ranking needs. Rows are deleted explicitly with the paragraphs.
CREATE VIRTUAL TABLE paragraphs_fts USING fts5 (
    title,
    body,
    content = '',
    contentless_delete = 1,
    tokenize = 'porter unicode61 remove_diacritics 2'
);

CREATE TABLE article_updates (
    article_id TEXT NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    at         INTEGER NOT NULL,
    ref        TEXT NOT NULL,
    old_hash   TEXT NOT NULL,
    new_hash   TEXT NOT NULL
) STRICT;

CREATE INDEX article_updates_article ON article_updates (article_id);

-- Small facts about the store as a whole, such as the generation counter
-- that changes whenever the stored text changes.
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value INTEGER NOT NULL
) STRICT;

INSERT INTO meta (key, value) VALUES ('generation', 0);
