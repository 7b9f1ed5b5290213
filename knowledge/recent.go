package knowledge

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"
)

// LateBy is how much older than a window an article delivered in it may
// be and still count as new there: a feed that delivers yesterday's news
// today is news today; an archive ingested today is not.
const LateBy = 72 * time.Hour

// RecentOptions narrows Recent.
type RecentOptions struct {
	// Since and Until bound the window [Since, Until). An article is in it
	// when it was published in it (a publication time after its ingest
	// counts as the ingest time), or ingested in it and published at most
	// LateBy before Since: a feed that delivers yesterday's article today
	// still has it in today's digest, and an archive ingested today is
	// found by the dates it was published, not as today's news. Zero means
	// no bound on that side.
	Since, Until time.Time
	// Sources keeps only these outlets (case-insensitive); empty keeps all.
	Sources []string
	// Lead is how many of each article's first paragraphs are returned.
	// Zero means 3; negative means none.
	Lead int
	// Limit caps the articles returned, the newest kept. Zero means 2,000.
	Limit int
}

// RecentArticle is an article of a window with its opening paragraphs.
type RecentArticle struct {
	ArticleInfo
	// Lead holds the article's first paragraphs, in reading order, at most
	// RecentOptions.Lead of them.
	Lead []Passage
}

// Time returns when the article came out: its publication time, else
// when it was ingested.
func (a RecentArticle) Time() time.Time {
	if !a.Published.IsZero() {
		return a.Published
	}
	return a.Ingested
}

// recentChunk is how many article ids one paragraph query names, well
// under SQLite's limit on bound parameters.
const recentChunk = 500

// Recent returns the articles published or ingested in [o.Since, o.Until),
// newest first (by publication time, else ingest time), each with its
// first o.Lead paragraphs: what a digest of the window is made from.
//
// The articles and their paragraphs are read in one read transaction, so
// an ingest running meanwhile is seen entirely or not at all. The ingest
// time has no index: the window is found by a scan of the articles table,
// about a millisecond per ten thousand articles.
func (s *Store) Recent(ctx context.Context, o RecentOptions) ([]RecentArticle, error) {
	if o.Lead == 0 {
		o.Lead = 3
	}
	if o.Limit <= 0 {
		o.Limit = 2000
	}
	var (
		where []string
		args  []any
	)
	if len(o.Sources) > 0 {
		marks := make([]string, len(o.Sources))
		for i, src := range o.Sources {
			marks[i] = "?"
			args = append(args, src)
		}
		where = append(where, "a.source COLLATE NOCASE IN ("+strings.Join(marks, ", ")+")")
	}
	if !o.Since.IsZero() || !o.Until.IsZero() {
		in := func(col string) string {
			var conds []string
			if !o.Since.IsZero() {
				conds = append(conds, col+" >= ?")
				args = append(args, o.Since.Unix())
			}
			if !o.Until.IsZero() {
				conds = append(conds, col+" < ?")
				args = append(args, o.Until.Unix())
			}
			return "(" + strings.Join(conds, " AND ") + ")"
		}
		// An article is new in the window when it came out in it (a
		// publication time after its ingest, a feed's wrong clock, counts
		// as the ingest time, so it is not new twice), or when it arrived
		// in it and is at most LateBy older than the window (a feed that
		// delivers yesterday's news today; not an archive ingested today).
		published := in("min(coalesce(a.published, a.ingested), a.ingested)")
		ingested := in("a.ingested")
		if !o.Since.IsZero() {
			ingested = "(" + ingested + " AND (a.published IS NULL OR a.published >= ?))"
			args = append(args, o.Since.Add(-LateBy).Unix())
		}
		where = append(where, "("+published+" OR "+ingested+")")
	}
	query := `SELECT a.id, a.source, a.title, a.url, a.author, a.language, a.published, a.ingested,
		a.updated, a.revision,
		(SELECT count(*) FROM paragraphs p WHERE p.article_id = a.id),
		(SELECT group_concat(r.ref, char(10)) FROM article_refs r WHERE r.article_id = a.id)
		FROM articles a`
	if len(where) > 0 {
		query += " WHERE " + strings.Join(where, " AND ")
	}
	query += " ORDER BY coalesce(a.published, a.ingested) DESC, a.id LIMIT ?"
	args = append(args, o.Limit)

	tx, err := s.read.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, fmt.Errorf("knowledge: recent articles: %w", err)
	}
	defer tx.Rollback()
	out, err := recentArticles(ctx, tx, query, args)
	if err != nil {
		return nil, fmt.Errorf("knowledge: recent articles: %w", err)
	}
	if o.Lead > 0 {
		if err := recentLeads(ctx, tx, out, o.Lead); err != nil {
			return nil, fmt.Errorf("knowledge: recent articles: %w", err)
		}
	}
	return out, nil
}

// recentArticles runs the listing query of Recent.
func recentArticles(ctx context.Context, tx *sql.Tx, query string, args []any) ([]RecentArticle, error) {
	rows, err := tx.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []RecentArticle
	for rows.Next() {
		var (
			a                 RecentArticle
			pub               sql.NullInt64
			ingested, updated int64
			refs              sql.NullString
		)
		if err := rows.Scan(&a.ID, &a.Source, &a.Title, &a.URL, &a.Author, &a.Language, &pub,
			&ingested, &updated, &a.Revision, &a.Paragraphs, &refs); err != nil {
			return nil, err
		}
		if pub.Valid {
			a.Published = time.Unix(pub.Int64, 0).UTC()
		}
		a.Ingested = time.Unix(ingested, 0).UTC()
		a.Updated = time.Unix(updated, 0).UTC()
		if refs.Valid && refs.String != "" {
			a.Refs = strings.Split(refs.String, "\n")
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// recentLeads fills in the first lead paragraphs of each article, a chunk
// of articles a query.
func recentLeads(ctx context.Context, tx *sql.Tx, arts []RecentArticle, lead int) error {
	index := make(map[string]int, len(arts))
	for i, a := range arts {
		index[a.ID] = i
	}
	for start := 0; start < len(arts); start += recentChunk {
		chunk := arts[start:min(start+recentChunk, len(arts))]
		marks := make([]string, len(chunk))
		args := []any{lead}
		for i, a := range chunk {
			marks[i] = "?"
			args = append(args, a.ID)
		}
		rows, err := tx.QueryContext(ctx, `SELECT article_id, ordinal, text, pid, version FROM paragraphs
			WHERE ordinal <= ? AND article_id IN (`+strings.Join(marks, ", ")+`)
			ORDER BY article_id, ordinal`, args...)
		if err != nil {
			return err
		}
		for rows.Next() {
			var (
				id, text, pid string
				n, version    int
			)
			if err := rows.Scan(&id, &n, &text, &pid, &version); err != nil {
				rows.Close()
				return err
			}
			i, ok := index[id]
			if !ok {
				continue
			}
			a := &arts[i]
			a.Lead = append(a.Lead, Passage{
				ArticleID: a.ID, Title: a.Title, Source: a.Source, URL: a.URL,
				Published: a.Published, Paragraph: n, Text: text, PID: pid, Version: version,
			})
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return err
		}
	}
	return nil
}
