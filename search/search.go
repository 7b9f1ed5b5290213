// Package search answers a question with the stored paragraphs that best
// answer it. It sits between the answer engine and the knowledge base: the
// store answers candidate queries (lexical, by FTS5, with the statistics a
// re-ranker reads), and this package plans the query, fuses the candidate
// lists of one or more sources and re-ranks them with weights fitted on
// SQuAD (see rank.go and bench -fit-rank).
//
// A second candidate source, such as a vector index, joins by implementing
// Source; its passages are measured against the question's terms like the
// store's own and take part in the fusion.
package search

import (
	"context"
	"fmt"
	"math"
	"slices"
	"sort"

	"github.com/byline-bot/byline/knowledge"
)

// lexicon is the part of the knowledge base the searcher uses: lexical
// candidates with their statistics.
type lexicon interface {
	Candidates(ctx context.Context, cq knowledge.CandidateQuery) (knowledge.CandidateSet, error)
}

// Source is another index that finds candidate passages for a question,
// best first. Its passages are fused with the store's.
type Source interface {
	Candidates(ctx context.Context, p Plan, q knowledge.Query, n int) ([]knowledge.Passage, error)
}

// Options configures a Searcher.
type Options struct {
	// Store finds the lexical candidates and knows the words' idf.
	// Required.
	Store lexicon
	// Sources are more candidate sources fused with the store's; none by
	// default.
	Sources []Source
	// Weights weigh the re-ranker's features. Zero means the weights
	// fitted on SQuAD's odd-numbered dev questions (weights.go).
	Weights Weights
}

// Searcher finds the passages that answer questions. It is safe for
// concurrent use.
type Searcher struct {
	store   lexicon
	sources []Source
	weights Weights
}

// New returns a Searcher for opts.
func New(opts Options) (*Searcher, error) {
	if opts.Store == nil {
		return nil, fmt.Errorf("search: Options.Store is required")
	}
	w := opts.Weights
	if w == (Weights{}) {
		w = fitted()
	}
	return &Searcher{store: opts.Store, sources: opts.Sources, weights: w}, nil
}

// candidateDepth is how many paragraphs the store's ranked query and each
// other source are asked for, at least.
const candidateDepth = 30

// Search returns the passages that best answer q.Text, best first, at
// most q.Limit (zero means 5, at most 100). Any text is safe: one that
// leaves no searchable word returns no passages and no error.
// Passage.Score is how likely the re-ranker finds a passage against the
// best one: 1 for the first, less for the others, always positive.
func (s *Searcher) Search(ctx context.Context, q knowledge.Query) ([]knowledge.Passage, error) {
	limit := q.Limit
	if limit <= 0 {
		limit = 5
	}
	limit = min(limit, 100)
	rs, err := s.Candidates(ctx, q)
	if err != nil {
		return nil, err
	}
	out := make([]knowledge.Passage, min(limit, len(rs)))
	for i := range out {
		out[i] = rs[i].Passage
	}
	return out, nil
}

// Result is one candidate with the features it was ranked by.
type Result struct {
	knowledge.Passage
	Features Features
}

// Candidates returns every candidate found for q.Text, best first, with
// its features and its score in Passage.Score (as Search sets it);
// q.Limit only deepens the search. The fitting in bench -fit-rank reads it.
func (s *Searcher) Candidates(ctx context.Context, q knowledge.Query) ([]Result, error) {
	p := NewPlan(q.Text)
	if len(p.Words) == 0 {
		return nil, nil
	}
	depth := max(q.Limit, candidateDepth)
	set, err := s.store.Candidates(ctx, knowledge.CandidateQuery{Words: p.Words, Cues: p.Cues, Filter: q, Depth: depth})
	if err != nil {
		return nil, fmt.Errorf("search: %w", err)
	}
	lists := [][]knowledge.Candidate{set.Candidates}
	for _, src := range s.sources {
		ps, err := src.Candidates(ctx, p, q, depth)
		if err != nil {
			return nil, fmt.Errorf("search: %w", err)
		}
		lists = append(lists, knowledge.Measure(set.Terms, ps))
	}
	cands, fused := fuse(lists)
	lt := localTerms(set.Terms, cands)
	local := slices.Clone(cands)
	knowledge.Rescore(lt, local)
	loose := loosen(cands)
	knowledge.Rescore(set.Terms, loose)
	rs := make([]Result, len(cands))
	fs := make([]*Features, len(cands))
	for i, c := range cands {
		rs[i] = Result{Passage: c.Passage, Features: features(p, set.Terms, lt, c, local[i], fused[i])}
		fs[i] = &rs[i].Features
	}
	setRanks(fs)
	mass := askedMass(set.Terms)
	perArticle := make(map[string]int)
	for _, c := range cands {
		perArticle[c.ArticleID]++
	}
	for i, c := range cands {
		f := &rs[i].Features
		f[FeatArticle] = float64(perArticle[c.ArticleID]) / float64(len(cands))
		f[FeatLooseBM25] = loose[i].BM25 / mass
		f[FeatLooseProximity] = loose[i].Proximity / mass
		f[FeatLooseWindow] = loose[i].Window / mass
	}
	for i := range rs {
		f := &rs[i].Features
		rs[i].Score = s.weights.score(*f)
		rs[i].Match = &knowledge.Match{Coverage: f[FeatCoverage], Missing: f[FeatMissing], Fit: rs[i].Score}
	}
	sort.SliceStable(rs, func(i, j int) bool { return rs[i].Score > rs[j].Score })
	// The weights are fitted as a softmax over the candidates, so
	// exp(score - best) is how likely a candidate is against the best:
	// 1 for the best, positive for all, and "half as good as the best"
	// means what it says.
	for i := len(rs) - 1; i >= 0; i-- {
		rs[i].Score = math.Exp(rs[i].Score - rs[0].Score)
	}
	return rs, nil
}

// Weights returns the weights the searcher ranks by.
func (s *Searcher) Weights() Weights { return s.weights }
