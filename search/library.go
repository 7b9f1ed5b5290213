package search

import (
	"context"

	"github.com/byline-bot/byline/knowledge"
)

// Library is a store whose searches go through a Searcher's planning,
// fusion and re-ranking instead of the store's own lexical order: the
// knowledge base as the engine, bot search and every chat surface use it.
// Everything else (articles, leads, speakers, records) is the store's.
//
// The engine's abstention model reads the re-ranker's view of each passage
// (knowledge.Passage.Match), which only a Searcher fills in: an engine
// given a bare *knowledge.Store answers with that part of its evidence
// missing and abstains far more often.
type Library struct {
	*knowledge.Store
	searcher *Searcher
}

// NewLibrary wraps store with a Searcher of the fitted weights.
func NewLibrary(store *knowledge.Store) (Library, error) {
	s, err := New(Options{Store: store})
	if err != nil {
		return Library{}, err
	}
	return Library{Store: store, searcher: s}, nil
}

// Search returns the passages that best answer q.Text; see Searcher.Search.
func (l Library) Search(ctx context.Context, q knowledge.Query) ([]knowledge.Passage, error) {
	return l.searcher.Search(ctx, q)
}
