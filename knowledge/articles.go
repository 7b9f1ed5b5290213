package knowledge

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"
)

// ArticleInfo describes one stored article without its text.
type ArticleInfo struct {
	ID         string    `json:"id"`
	Source     string    `json:"source"`
	Title      string    `json:"title"`
	URL        string    `json:"url"`
	Author     string    `json:"author"`
	Language   string    `json:"language"`
	Published  time.Time `json:"published"`
	Ingested   time.Time `json:"ingested"`
	Updated    time.Time `json:"updated"`
	Revision   int       `json:"revision"`
	Paragraphs int       `json:"paragraphs"`
	Refs       []string  `json:"refs"`
}

// ListOptions narrows Articles.
type ListOptions struct {
	// Sources keeps only these outlets (case-insensitive); empty keeps all.
	Sources []string
	// Since and Until keep articles published, or else ingested, in
	// [Since, Until); zero means no bound.
	Since, Until time.Time
	// Limit caps the number listed; zero means no cap.
	Limit int
}

// Articles lists stored articles, newest first (by publication time, else
// ingest time).
func (s *Store) Articles(ctx context.Context, opts ListOptions) ([]ArticleInfo, error) {
	var (
		where []string
		args  []any
	)
	if len(opts.Sources) > 0 {
		marks := make([]string, len(opts.Sources))
		for i, src := range opts.Sources {
			marks[i] = "?"
			args = append(args, src)
		}
		where = append(where, "a.source COLLATE NOCASE IN ("+strings.Join(marks, ", ")+")")
	}
	if !opts.Since.IsZero() {
		where = append(where, "coalesce(a.published, a.ingested) >= ?")
		args = append(args, opts.Since.Unix())
	}
	if !opts.Until.IsZero() {
		where = append(where, "coalesce(a.published, a.ingested) < ?")
		args = append(args, opts.Until.Unix())
	}
	query := `SELECT a.id, a.source, a.title, a.url, a.author, a.language, a.published, a.ingested,
		a.updated, a.revision,
		(SELECT count(*) FROM paragraphs p WHERE p.article_id = a.id),
		(SELECT group_concat(r.ref, char(10)) FROM article_refs r WHERE r.article_id = a.id)
		FROM articles a`
	if len(where) > 0 {
		query += " WHERE " + strings.Join(where, " AND ")
	}
	query += " ORDER BY coalesce(a.published, a.ingested) DESC, a.id"
	if opts.Limit > 0 {
		query += " LIMIT ?"
		args = append(args, opts.Limit)
	}
	rows, err := s.read.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("knowledge: list articles: %w", err)
	}
	defer rows.Close()
	var out []ArticleInfo
	for rows.Next() {
		var (
			a                 ArticleInfo
			pub               sql.NullInt64
			ingested, updated int64
			refs              sql.NullString
		)
		if err := rows.Scan(&a.ID, &a.Source, &a.Title, &a.URL, &a.Author, &a.Language, &pub,
			&ingested, &updated, &a.Revision, &a.Paragraphs, &refs); err != nil {
			return nil, fmt.Errorf("knowledge: list articles: %w", err)
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
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("knowledge: list articles: %w", err)
	}
	return out, nil
}

// Stats counts what the store holds.
type Stats struct {
	Articles   int `json:"articles"`
	Paragraphs int `json:"paragraphs"`
	Refs       int `json:"refs"`
}

// Stats returns counts of the stored articles, paragraphs and refs.
func (s *Store) Stats(ctx context.Context) (Stats, error) {
	var st Stats
	err := s.read.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM articles),
		(SELECT count(*) FROM paragraphs), (SELECT count(*) FROM article_refs)`).
		Scan(&st.Articles, &st.Paragraphs, &st.Refs)
	if err != nil {
		return Stats{}, fmt.Errorf("knowledge: stats: %w", err)
	}
	return st, nil
}
