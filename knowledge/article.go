// Package knowledge stores news articles as paragraphs in SQLite and finds
// the paragraphs that may answer a question: Candidates, with the
// statistics a re-ranker reads (package search plans, fuses and re-ranks
// above it), and Search, the store's own lexical order.
//
// It knows nothing about chat platforms or language models: callers put
// parsed articles in and get ranked passages out.
package knowledge

import (
	"time"
)

// Article is one news article as a parser produced it, ready to be stored.
type Article struct {
	// ID is the article's stable identifier. When empty, the store derives
	// one from Ref the first time the article is stored and keeps it.
	ID string
	// Ref says where this copy came from: a file path, a feed item link or
	// guid, "path#id" for a line of a JSON lines file. The same text
	// arriving under two refs is stored once with both refs kept.
	Ref string
	// Source is the outlet that published the article, e.g. "Reuters".
	Source string
	// Title is the headline, or a readable title derived from the text.
	Title string
	// URL is the canonical link to the article, when known.
	URL string
	// Author is the byline, when known.
	Author string
	// Language is a BCP 47 tag such as "en", when known.
	Language string
	// Published is when the outlet published the article; zero if unknown.
	Published time.Time
	// Paragraphs is the article's text in reading order, one paragraph an
	// element, without empty paragraphs.
	Paragraphs []string
}

// Outcome says what storing an article did.
type Outcome int

// The outcomes of storing an article.
const (
	// Added means the article was new and was stored.
	Added Outcome = iota + 1
	// Updated means the ref was known and its text changed: the paragraphs
	// were replaced and the update recorded.
	Updated
	// Unchanged means the ref was known with the same text: nothing was written.
	Unchanged
	// Merged means the same text was already stored under another ref: the
	// new ref was added to the existing article.
	Merged
)

// String returns the outcome's name as the ingest summary prints it.
func (o Outcome) String() string {
	switch o {
	case Added:
		return "new"
	case Updated:
		return "updated"
	case Unchanged:
		return "unchanged"
	case Merged:
		return "merged"
	}
	return "unknown"
}

// PutResult is the result of storing one article of a batch.
type PutResult struct {
	// ArticleID is the stored article's id (the existing one for Merged).
	ArticleID string
	// Outcome is what happened; zero when Err is set.
	Outcome Outcome
	// Err is why this article was not stored; the rest of the batch is
	// unaffected.
	Err error
	// Changes are the stored paragraphs an Updated article's new text
	// changed or removed; nil for any other outcome.
	Changes []ParagraphChange
}
