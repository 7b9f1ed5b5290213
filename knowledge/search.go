package knowledge

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
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
	// Score is the relevance, higher is better; only comparable within one
	// search.
	Score float64 `json:"score"`
}

// Ref returns the passage's citable id, "article#paragraph".
func (p Passage) Ref() string {
	return fmt.Sprintf("%s#%d", p.ArticleID, p.Paragraph)
}

// titleWeight is how much a word in the title counts against one in the
// paragraph, in bm25.
const titleWeight = "1.5"

// Search returns the passages that best answer q.Text, best first. Any text
// is safe: one that leaves no searchable word returns no passages and no
// error.
func (s *Store) Search(ctx context.Context, q Query) ([]Passage, error) {
	limit := q.Limit
	if limit <= 0 {
		limit = 5
	}
	if limit > 100 {
		limit = 100
	}
	expr, err := s.plan(ctx, q.Text)
	if err != nil {
		return nil, fmt.Errorf("knowledge: search: %w", err)
	}
	if expr == "" {
		return nil, nil
	}
	var (
		where []string
		args  = []any{expr}
	)
	if len(q.Sources) > 0 {
		marks := make([]string, len(q.Sources))
		for i, src := range q.Sources {
			marks[i] = "?"
			args = append(args, src)
		}
		where = append(where, "a.source COLLATE NOCASE IN ("+strings.Join(marks, ", ")+")")
	}
	if !q.Since.IsZero() {
		where = append(where, "a.published >= ?")
		args = append(args, q.Since.Unix())
	}
	if !q.Until.IsZero() {
		where = append(where, "a.published < ?")
		args = append(args, q.Until.Unix())
	}
	var query string
	if len(where) == 0 {
		// Ranking inside the FTS table alone lets FTS5 keep only the top
		// rows while it scores; the joins then touch just those.
		query = `WITH hits AS (
			SELECT rowid, bm25(paragraphs_fts, ` + titleWeight + `, 1.0) AS score FROM paragraphs_fts
			WHERE paragraphs_fts MATCH ? ORDER BY score LIMIT ?)
		SELECT p.article_id, a.title, a.source, a.url, a.published, p.ordinal, p.text, hits.score
		FROM hits JOIN paragraphs p ON p.id = hits.rowid JOIN articles a ON a.id = p.article_id
		ORDER BY hits.score, p.id`
		args = append(args, limit)
	} else {
		query = `SELECT p.article_id, a.title, a.source, a.url, a.published, p.ordinal, p.text,
			bm25(paragraphs_fts, ` + titleWeight + `, 1.0) AS score
		FROM paragraphs_fts JOIN paragraphs p ON p.id = paragraphs_fts.rowid
		JOIN articles a ON a.id = p.article_id
		WHERE paragraphs_fts MATCH ? AND ` + strings.Join(where, " AND ") + `
		ORDER BY score, p.id LIMIT ?`
		args = append(args, limit)
	}
	rows, err := s.read.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("knowledge: search: %w", err)
	}
	defer rows.Close()
	var out []Passage
	for rows.Next() {
		p, err := scanPassage(rows, true)
		if err != nil {
			return nil, fmt.Errorf("knowledge: search: %w", err)
		}
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("knowledge: search: %w", err)
	}
	return out, nil
}

// plan chooses the words of a question worth searching and returns the
// MATCH expression, or "" when nothing is left to search.
//
// The work of an FTS5 query grows with the paragraphs its words match, so
// a word found in CommonTermDocs paragraphs or more is dropped when rarer
// words remain, and words are kept rarest first only while their matches
// add up to QueryPostings. A question made only of common words searches
// for paragraphs that have its rarest few all together.
func (s *Store) plan(ctx context.Context, question string) (string, error) {
	words, seq := queryWords(question)
	if len(words) == 0 {
		return "", nil
	}
	type wordDF struct {
		w  string
		df int
	}
	dfs := make([]wordDF, 0, len(words))
	for _, w := range words {
		n, err := s.docFreq(ctx, w)
		if err != nil {
			return "", err
		}
		if n > 0 {
			dfs = append(dfs, wordDF{w, n})
		}
	}
	if len(dfs) == 0 {
		return "", nil
	}
	sort.SliceStable(dfs, func(i, j int) bool { return dfs[i].df < dfs[j].df })
	if dfs[0].df >= s.commonTermDocs {
		n := min(len(dfs), 3)
		kept := make([]string, n)
		for i := range n {
			kept[i] = dfs[i].w
		}
		return matchExpr(kept, seq, true), nil
	}
	var (
		kept  []string
		total int
	)
	for i, d := range dfs {
		if i > 0 && (d.df >= s.commonTermDocs || total+d.df > s.queryPostings) {
			continue
		}
		kept = append(kept, d.w)
		total += d.df
	}
	return matchExpr(kept, seq, false), nil
}

// dfCache remembers how many paragraphs contain a word, capped, for the
// store's current generation.
type dfCache struct {
	gen int64
	m   map[string]int
}

// docFreq returns how many paragraphs contain word, counting no further
// than CommonTermDocs.
func (s *Store) docFreq(ctx context.Context, word string) (int, error) {
	gen, err := s.Generation(ctx)
	if err != nil {
		return 0, err
	}
	s.mu.Lock()
	if s.df.m == nil || s.df.gen != gen {
		s.df = dfCache{gen: gen, m: make(map[string]int)}
	}
	n, ok := s.df.m[word]
	s.mu.Unlock()
	if ok {
		return n, nil
	}
	err = s.read.QueryRowContext(ctx, `SELECT count(*) FROM (SELECT 1 FROM paragraphs_fts
		WHERE paragraphs_fts MATCH ? LIMIT ?)`, quote(word), s.commonTermDocs).Scan(&n)
	if err != nil {
		return 0, err
	}
	s.mu.Lock()
	if s.df.gen == gen && s.df.m != nil {
		if len(s.df.m) > 100000 {
			s.df.m = make(map[string]int)
		}
		s.df.m[word] = n
	}
	s.mu.Unlock()
	return n, nil
}

type scanner interface {
	Scan(dest ...any) error
}

func scanPassage(row scanner, withScore bool) (Passage, error) {
	var (
		p     Passage
		pub   sql.NullInt64
		score float64
	)
	dest := []any{&p.ArticleID, &p.Title, &p.Source, &p.URL, &pub, &p.Paragraph, &p.Text}
	if withScore {
		dest = append(dest, &score)
	}
	if err := row.Scan(dest...); err != nil {
		return Passage{}, err
	}
	if pub.Valid {
		p.Published = time.Unix(pub.Int64, 0).UTC()
	}
	// bm25 is lower-is-better and negative; flip it so higher is better.
	p.Score = -score
	return p, nil
}

// Passage returns one stored paragraph by article id and 1-based ordinal.
// It returns an error wrapping ErrNotFound when there is none.
func (s *Store) Passage(ctx context.Context, articleID string, paragraph int) (Passage, error) {
	row := s.read.QueryRowContext(ctx, `SELECT p.article_id, a.title, a.source, a.url, a.published, p.ordinal, p.text
		FROM paragraphs p JOIN articles a ON a.id = p.article_id WHERE p.article_id = ? AND p.ordinal = ?`,
		articleID, paragraph)
	p, err := scanPassage(row, false)
	if errors.Is(err, sql.ErrNoRows) {
		return Passage{}, fmt.Errorf("knowledge: passage %s#%d: %w", articleID, paragraph, ErrNotFound)
	}
	if err != nil {
		return Passage{}, fmt.Errorf("knowledge: passage %s#%d: %w", articleID, paragraph, err)
	}
	return p, nil
}
