package knowledge

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"github.com/byline-bot/byline/text"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Query is a search for the paragraphs that answer a question.
type Query struct {
	// Text is the question or keywords, in any form a user typed them.
	Text string
	// Limit is how many passages to return. Zero means 5; at most 100.
	Limit int
	// Sources keeps only articles from these outlets (case-insensitive).
	Sources []string
	// ArticleIDs keeps only these articles (at most 500); empty keeps all.
	ArticleIDs []string
	// Since and Until keep only articles published in [Since, Until).
	// Articles with no publication time are kept only when both are zero.
	Since, Until time.Time
}

// Passage is one stored paragraph with its article's metadata.
type Passage struct {
	ArticleID string    `json:"article_id"`
	Title     string    `json:"title"`
	Source    string    `json:"source"`
	URL       string    `json:"url"`
	Published time.Time `json:"published"`
	Paragraph int       `json:"paragraph"`
	Text      string    `json:"text"`
	// PID is the paragraph's stable id: it survives a re-ingest of the
	// article while the paragraph's text is unchanged, even when other
	// paragraphs around it are added or removed and its number changes.
	// Version counts the paragraph's text changes under that id, from 1.
	PID     string `json:"pid,omitempty"`
	Version int    `json:"version,omitempty"`
	// Score is the relevance, higher is better; only comparable within one
	// search.
	Score float64 `json:"score"`
	// Match is how well the passage matched the question by the whole
	// store's word weights, as the re-ranker measured it; nil when the
	// passage did not come through it. It is not part of the JSON (bot
	// search --jsonl keeps its shape).
	Match *Match `json:"-"`
}

// Match holds the re-ranker's view of one passage against the question,
// for deciding whether to answer at all: a paragraph of the article asked
// about holds the question's rare words; the best paragraph of a store
// that lacks that article holds only its common ones.
type Match struct {
	// Coverage is the share of the question's idf mass (over the whole
	// store) found in the paragraph or its title.
	Coverage float64
	// Missing is the largest idf share of one asked word the paragraph
	// and its title lack.
	Missing float64
	// Fit is the re-ranker's score before it is made relative to the
	// best candidate: higher means a closer match, comparable across
	// questions.
	Fit float64
}

// Ref returns the passage's citable id, "article#paragraph".
func (p Passage) Ref() string {
	return fmt.Sprintf("%s#%d", p.ArticleID, p.Paragraph)
}

// ParseRef reads a paragraph id as people type it back: "article#3",
// also "article 3" and "article:3", with spaces or backticks around it.
// It is the inverse of Passage.Ref.
func ParseRef(s string) (articleID string, paragraph int, ok bool) {
	s = strings.Trim(strings.TrimSpace(s), "`")
	i := strings.LastIndexAny(s, "#: ")
	if i <= 0 {
		return "", 0, false
	}
	n, err := strconv.Atoi(strings.TrimSpace(s[i+1:]))
	if err != nil || n < 1 {
		return "", 0, false
	}
	return strings.TrimSpace(s[:i]), n, true
}

// candidateDepth is how many paragraphs the first stage's ranked query
// returns for the re-ranker (more when the caller asks for more). On SQuAD
// the answering paragraph is among bm25's first 30 for 98% of the
// questions, and re-ranking 20, 30 or 50 scores the same; 30 leaves a
// margin for larger stores.
const candidateDepth = 30

// andDepth is how many paragraphs each unranked AND query of the first
// stage returns, the newest. Where its words are common, FTS5 takes about
// 0.2 ms for each on a million paragraphs; on SQuAD and Reuters 10 find as
// much as 30.
const andDepth = 10

// Search returns the passages that best answer q.Text, best first, by the
// store's own lexical ranking. Any text is safe: one that leaves no
// searchable word returns no passages and no error.
//
// Search is the thin path for callers that hold only a Store: it asks
// Candidates for the question's words and orders the candidates by the
// sum of their three lexical scores (see Candidate); Passage.Score is that
// sum. Package search plans, fuses and re-ranks above Candidates and is
// what the answer engine uses.
func (s *Store) Search(ctx context.Context, q Query) ([]Passage, error) {
	limit := q.Limit
	if limit <= 0 {
		limit = 5
	}
	if limit > 100 {
		limit = 100
	}
	set, err := s.Candidates(ctx, CandidateQuery{Words: QueryWords(q.Text), Filter: q, Depth: limit})
	if err != nil {
		return nil, err
	}
	cands := set.Candidates
	rank(cands)
	out := make([]Passage, min(limit, len(cands)))
	for i := range out {
		out[i] = cands[i].Passage
	}
	return out, nil
}

// CandidateQuery asks the store for the paragraphs that may answer a
// question, found by FTS5 within the store's cost bounds.
type CandidateQuery struct {
	// Words are the question's content words in the order asked, as
	// QueryWords returns them; the store chooses which of them its FTS5
	// queries use.
	Words []string
	// Cues are words that may mark an answer without being asked for:
	// they join the ranked query and the terms, never the AND queries.
	Cues []string
	// Filter keeps only the paragraphs its Sources, ArticleIDs, Since
	// and Until allow; its Text and Limit are not read.
	Filter Query
	// Depth is how many paragraphs the bm25-ranked query returns; at
	// least candidateDepth and at most 500.
	Depth int
}

// CandidateSet is what the store found for a CandidateQuery.
type CandidateSet struct {
	// Terms are the query's words found in the store, one per stem, with
	// their idf; Candidate.Hits index them.
	Terms []Term
	// Candidates are the paragraphs found, in the order found: the
	// bm25-ranked query's best first, then the AND queries' newest.
	Candidates []Candidate
}

// Candidates returns the paragraphs the store's FTS5 queries find for
// cq's words, with the statistics a re-ranker reads. Words of no stored
// paragraph are dropped; none left means an empty set and no error.
//
// The store finds candidates with up to three queries of bounded cost
// (see plan): the best by bm25 among the paragraphs holding the question's
// rarer words, and the newest holding its four rarest words together, or
// its two rarest.
func (s *Store) Candidates(ctx context.Context, cq CandidateQuery) (CandidateSet, error) {
	gen, err := s.Generation(ctx)
	if err != nil {
		return CandidateSet{}, fmt.Errorf("knowledge: candidates: %w", err)
	}
	p, err := s.plan(ctx, gen, cq.Words, cq.Cues)
	if err != nil {
		return CandidateSet{}, fmt.Errorf("knowledge: candidates: %w", err)
	}
	if p.any == "" && len(p.all) == 0 {
		return CandidateSet{}, nil
	}
	ps, ranked, err := s.candidates(ctx, p, cq.Filter, min(500, max(cq.Depth, candidateDepth)))
	if err != nil {
		return CandidateSet{}, fmt.Errorf("knowledge: candidates: %w", err)
	}
	cands := Measure(p.terms, ps)
	for i := range cands {
		cands[i].Rank = i + 1
		if i < ranked {
			cands[i].FTS = ps[i].Score
		}
	}
	return CandidateSet{Terms: p.terms, Candidates: cands}, nil
}

// candidates returns the paragraphs the plan's queries find with q's
// filters, without duplicates: up to n from the ranked query and andDepth
// from each AND query. The first ranked of them are the ranked query's,
// with FTS5's bm25 (negated: higher is better) as their Score.
func (s *Store) candidates(ctx context.Context, p searchPlan, q Query, n int) (ps []Passage, ranked int, err error) {
	var (
		join   string
		where  []string
		filter []any
	)
	if len(q.Sources) > 0 {
		marks := make([]string, len(q.Sources))
		for i, src := range q.Sources {
			marks[i] = "?"
			filter = append(filter, src)
		}
		where = append(where, "a.source COLLATE NOCASE IN ("+strings.Join(marks, ", ")+")")
	}
	if len(q.ArticleIDs) > 0 {
		ids := q.ArticleIDs[:min(len(q.ArticleIDs), 500)]
		marks := make([]string, len(ids))
		for i, id := range ids {
			marks[i] = "?"
			filter = append(filter, id)
		}
		where = append(where, "a.id IN ("+strings.Join(marks, ", ")+")")
	}
	if !q.Since.IsZero() {
		where = append(where, "a.published >= ?")
		filter = append(filter, q.Since.Unix())
	}
	if !q.Until.IsZero() {
		where = append(where, "a.published < ?")
		filter = append(filter, q.Until.Unix())
	}
	cond := "paragraphs_fts MATCH ?"
	if len(where) > 0 {
		join = ` JOIN paragraphs p ON p.id = paragraphs_fts.rowid JOIN articles a ON a.id = p.article_id`
		cond += " AND " + strings.Join(where, " AND ")
	}

	var (
		ids    []int64
		scores []float64
		seen   = make(map[int64]bool)
	)
	collect := func(query string, args ...any) error {
		rows, err := s.read.QueryContext(ctx, query, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var (
				id    int64
				score float64
			)
			if err := rows.Scan(&id, &score); err != nil {
				return err
			}
			if !seen[id] {
				seen[id] = true
				ids = append(ids, id)
				scores = append(scores, -score)
			}
		}
		return rows.Err()
	}
	if p.any != "" {
		// FTS5 computes bm25 for every matching row before it can sort.
		// plan keeps those rows to about QueryPostings; the LIMIT makes
		// sure of it, keeping the newest.
		query := `SELECT rowid, score FROM (SELECT paragraphs_fts.rowid AS rowid,
			bm25(paragraphs_fts, ` + strconv.FormatFloat(titleWeight, 'f', -1, 64) + `, 1.0) AS score
			FROM paragraphs_fts` + join + ` WHERE ` + cond + ` ORDER BY paragraphs_fts.rowid DESC LIMIT ?)
			ORDER BY score, rowid LIMIT ?`
		if err := collect(query, append(append([]any{p.any}, filter...), s.queryPostings, n)...); err != nil {
			return nil, 0, err
		}
	}
	ranked = len(ids)
	for _, expr := range p.all {
		// No bm25 here: FTS5 would first count every paragraph holding
		// each common word. Newest first; the re-ranker sorts them out.
		query := `SELECT paragraphs_fts.rowid, 0 FROM paragraphs_fts` + join + ` WHERE ` + cond +
			` ORDER BY paragraphs_fts.rowid DESC LIMIT ?`
		if err := collect(query, append(append([]any{expr}, filter...), andDepth)...); err != nil {
			return nil, 0, err
		}
	}
	return s.fetch(ctx, ids, scores, ranked)
}

// fetch returns the paragraphs with the given ids, in that order, with
// the given scores; any deleted since the ids were found is left out. It
// also returns how many of the first ranked ids are kept.
func (s *Store) fetch(ctx context.Context, ids []int64, scores []float64, ranked int) ([]Passage, int, error) {
	if len(ids) == 0 {
		return nil, 0, nil
	}
	args := make([]any, len(ids))
	at := make(map[int64]int, len(ids))
	for i, id := range ids {
		args[i] = id
		at[id] = i
	}
	rows, err := s.read.QueryContext(ctx, `SELECT p.article_id, a.title, a.source, a.url, a.published, p.ordinal, p.text, p.pid, p.version, p.id
		FROM paragraphs p JOIN articles a ON a.id = p.article_id
		WHERE p.id IN (?`+strings.Repeat(", ?", len(ids)-1)+`)`, args...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	var (
		out   = make([]Passage, len(ids))
		found = make([]bool, len(ids))
	)
	for rows.Next() {
		var id int64
		p, err := scanPassage(rows, &id)
		if err != nil {
			return nil, 0, err
		}
		p.Score = scores[at[id]]
		out[at[id]], found[at[id]] = p, true
	}
	if err := rows.Err(); err != nil {
		return nil, 0, err
	}
	kept, keptRanked := out[:0], 0
	for i, p := range out {
		if found[i] {
			kept = append(kept, p)
			if i < ranked {
				keptRanked++
			}
		}
	}
	return kept, keptRanked, nil
}

// maxAllWords is how many of a question's rarest words the first stage's
// AND query requires together.
const maxAllWords = 4

// searchPlan is what plan decided for one question.
type searchPlan struct {
	// any is a MATCH expression of rarer words OR-ed, ranked by bm25; ""
	// when every word is common.
	any string
	// all are MATCH expressions of words AND-ed, taken newest first.
	all []string
	// terms are all the question's content words found in the store, the
	// common ones too, for the re-ranker; one per stem.
	terms []Term
}

// plan chooses the first stage's queries for a question and the words the
// re-ranker looks for.
//
// The work of a bm25-ranked FTS5 query grows with the paragraphs each of
// its words is in (FTS5 counts them all for the idf, then scores every
// match, about a microsecond each), so the ranked query keeps the words in
// fewer than CommonTermDocs paragraphs, rarest first, while their counts
// add up to at most QueryPostings (the rarest is always kept); a question
// made only of common words gets no ranked query. The paragraphs that hold
// all of the question's rarest maxAllWords words, common ones included,
// and those that hold its rarest two, are found by unranked AND queries,
// newest first, which FTS5 answers by skipping through the words' lists.
// More words in an AND would cost more than they find: on a million
// paragraphs, nine common words take FTS5 over 10 ms, four about 1 ms.
func (s *Store) plan(ctx context.Context, gen int64, words, cues []string) (searchPlan, error) {
	words, cues = safeWords(words, maxQueryTerms), safeWords(cues, maxQueryTerms)
	if len(words) == 0 {
		return searchPlan{}, nil
	}
	dfs, err := s.docFreqs(ctx, gen, append(words, cues...))
	if err != nil {
		return searchPlan{}, err
	}
	total, err := s.paragraphCount(ctx, gen)
	if err != nil {
		return searchPlan{}, err
	}
	var (
		p     searchPlan
		found []wordDF
		stems = make(map[string]bool, len(words))
	)
	for i, w := range words {
		if dfs[i] == 0 {
			continue
		}
		found = append(found, wordDF{w, dfs[i]})
		st := stem(w)
		if !stems[st] {
			stems[st] = true
			p.terms = append(p.terms, Term{Word: w, Stem: st, IDF: idf(total, dfs[i])})
		}
	}
	// Cue words join the ranked query and the re-ranker's terms, never the
	// AND queries: a paragraph need not hold them.
	var cueFound []string
	for i, w := range cues {
		df := dfs[len(words)+i]
		if df == 0 || df >= s.commonTermDocs {
			continue
		}
		if st := stem(w); !stems[st] {
			stems[st] = true
			cueFound = append(cueFound, w)
			p.terms = append(p.terms, Term{Word: w, Stem: st, IDF: idf(total, df), Cue: true})
		}
	}
	if len(found) == 0 {
		return searchPlan{}, nil
	}
	sort.SliceStable(found, func(i, j int) bool { return found[i].df < found[j].df })
	if found[0].df < s.commonTermDocs {
		var (
			kept []string
			sum  int
		)
		for i, d := range found {
			if i > 0 && (d.df >= s.commonTermDocs || sum+d.df > s.queryPostings) {
				continue
			}
			kept = append(kept, d.w)
			sum += d.df
		}
		p.any = matchExpr(append(kept, cueFound...), false)
	}
	rarest := make([]string, min(len(found), maxAllWords))
	for i := range rarest {
		rarest[i] = found[i].w
	}
	if len(rarest) > 1 || p.any == "" {
		p.all = append(p.all, matchExpr(rarest, true))
	}
	if len(rarest) > 2 {
		p.all = append(p.all, matchExpr(rarest[:2], true))
	}
	return p, nil
}

// wordDF is a word and the number of paragraphs holding it, capped.
type wordDF struct {
	w  string
	df int
}

// idf is bm25's inverse document frequency, as FTS5 computes it, of a word
// found in df of n paragraphs. A capped df makes common words weigh a
// little more than they should, never more than the rare ones.
func idf(n, df int) float64 {
	v := math.Log((float64(n) - float64(df) + 0.5) / (float64(df) + 0.5))
	return max(v, 1e-6)
}

// dfCache remembers, for the store's current generation, how many
// paragraphs contain a word (capped) and how many paragraphs there are.
type dfCache struct {
	gen        int64
	m          map[string]int
	paragraphs int // -1 until counted
}

// maxCachedWords bounds the docFreq cache; it starts over when full.
const maxCachedWords = 100000

// cacheFor returns the cache for gen, emptying it first if it was built
// for another generation. The caller holds s.mu.
func (s *Store) cacheFor(gen int64) *dfCache {
	if s.df.m == nil || s.df.gen != gen {
		s.df = dfCache{gen: gen, m: make(map[string]int), paragraphs: -1}
	}
	return &s.df
}

// docFreqs returns how many paragraphs contain each word, counting no
// further than CommonTermDocs, for the store as of generation gen.
func (s *Store) docFreqs(ctx context.Context, gen int64, words []string) ([]int, error) {
	out := make([]int, len(words))
	var missing []int
	s.mu.Lock()
	c := s.cacheFor(gen)
	for i, w := range words {
		n, ok := c.m[w]
		if !ok {
			missing = append(missing, i)
		}
		out[i] = n
	}
	s.mu.Unlock()
	for _, i := range missing {
		err := s.read.QueryRowContext(ctx, `SELECT count(*) FROM (SELECT 1 FROM paragraphs_fts
			WHERE paragraphs_fts MATCH ? LIMIT ?)`, quote(words[i]), s.commonTermDocs).Scan(&out[i])
		if err != nil {
			return nil, fmt.Errorf("count %q: %w", words[i], err)
		}
	}
	if len(missing) > 0 {
		s.mu.Lock()
		c := s.cacheFor(gen)
		if len(c.m)+len(missing) > maxCachedWords {
			c.m = make(map[string]int)
		}
		for _, i := range missing {
			c.m[words[i]] = out[i]
		}
		s.mu.Unlock()
	}
	return out, nil
}

// paragraphCount returns how many paragraphs the store holds, counted once
// per generation.
func (s *Store) paragraphCount(ctx context.Context, gen int64) (int, error) {
	s.mu.Lock()
	n := s.cacheFor(gen).paragraphs
	s.mu.Unlock()
	if n >= 0 {
		return n, nil
	}
	if err := s.read.QueryRowContext(ctx, "SELECT count(*) FROM paragraphs").Scan(&n); err != nil {
		return 0, fmt.Errorf("count paragraphs: %w", err)
	}
	s.mu.Lock()
	s.cacheFor(gen).paragraphs = n
	s.mu.Unlock()
	return n, nil
}

type scanner interface {
	Scan(dest ...any) error
}

// scanPassage reads the columns article_id, title, source, url,
// published, ordinal, text, pid and version, then any more into extra.
func scanPassage(row scanner, extra ...any) (Passage, error) {
	var (
		p   Passage
		pub sql.NullInt64
	)
	dest := append([]any{&p.ArticleID, &p.Title, &p.Source, &p.URL, &pub, &p.Paragraph, &p.Text, &p.PID, &p.Version}, extra...)
	if err := row.Scan(dest...); err != nil {
		return Passage{}, err
	}
	if pub.Valid {
		p.Published = time.Unix(pub.Int64, 0).UTC()
	}
	return p, nil
}

// Passage returns one stored paragraph by article id and 1-based ordinal.
// It returns an error wrapping ErrNotFound when there is none.
func (s *Store) Passage(ctx context.Context, articleID string, paragraph int) (Passage, error) {
	row := s.read.QueryRowContext(ctx, `SELECT p.article_id, a.title, a.source, a.url, a.published, p.ordinal, p.text, p.pid, p.version
		FROM paragraphs p JOIN articles a ON a.id = p.article_id WHERE p.article_id = ? AND p.ordinal = ?`,
		articleID, paragraph)
	p, err := scanPassage(row)
	if errors.Is(err, sql.ErrNoRows) {
		return Passage{}, fmt.Errorf("knowledge: passage %s#%d: %w", articleID, paragraph, ErrNotFound)
	}
	if err != nil {
		return Passage{}, fmt.Errorf("knowledge: passage %s#%d: %w", articleID, paragraph, err)
	}
	return p, nil
}

// safeWords returns the words of a candidate query that FTS5 can look up
// as one token each: folded as the index folds them, distinct, not empty
// and at most max. A caller's word with spaces or punctuation in it is cut
// into its tokens.
func safeWords(words []string, max int) []string {
	var (
		out  []string
		seen = make(map[string]bool, len(words))
	)
	for _, w := range words {
		for _, t := range text.Tokens(w, max) {
			if !seen[t] && len(out) < max {
				seen[t] = true
				out = append(out, t)
			}
		}
	}
	return out
}

// QueryWords returns the distinct content words of a question in order of
// first appearance, tokenized and folded as the index does and without
// stop words: what a CandidateQuery's Words expect.
func QueryWords(question string) []string {
	return queryWords(question)
}

// Tokens returns the words of s, stop words too, tokenized and folded as
// the index does; at most maxQueryTokens.
func Tokens(s string) []string {
	return text.Tokens(s, maxQueryTokens)
}
