package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/byline-bot/byline/knowledge"
	"github.com/byline-bot/byline/knowledge/ingest"
	"github.com/byline-bot/byline/search"
)

// cmdIngest stores articles from files, folders and feed URLs and prints a
// summary; it fails with status 1 when any input failed.
func cmdIngest(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("ingest", flag.ContinueOnError)
	var c common
	c.register(fs)
	quiet := fs.Bool("quiet", false, "print only the summary, no progress")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "Usage: bot ingest [--db PATH] PATH...\n\nPATH is a file (.txt .md .html .jsonl .jsonl.gz .xml .rss .atom), a folder (read recursively) or a feed URL.")
		fs.PrintDefaults()
	}
	paths, err := parseFlags(fs, args, stderr)
	if err != nil {
		return err
	}
	if len(paths) == 0 {
		fs.Usage()
		return usageError("ingest: name at least one file, folder or feed URL")
	}
	e, store, err := c.openStore(ctx, getenv, stderr)
	if err != nil {
		return err
	}
	defer store.Close()
	opts := e.ingestOptions()
	var progress *progressLine
	if !*quiet && isTerminal(stderr) {
		progress = &progressLine{w: stderr}
		opts.Progress = progress.update
	}
	start := time.Now()
	sum, err := ingest.Run(ctx, store, paths, opts)
	progress.clear()
	if err != nil {
		return fmt.Errorf("ingest: %w", err)
	}
	fmt.Fprintf(stdout, "%s in %s\n", sum.String(), time.Since(start).Round(time.Millisecond))
	if sum.Failed() > 0 {
		return &exitError{code: 1}
	}
	return nil
}

// progressLine rewrites one line of a terminal as an ingest goes on, at
// most ten times a second.
type progressLine struct {
	w    io.Writer
	last time.Time
	used bool
}

func (p *progressLine) update(pr ingest.Progress) {
	if time.Since(p.last) < 100*time.Millisecond {
		return
	}
	p.last = time.Now()
	p.used = true
	fmt.Fprintf(p.w, "\r\033[Kingesting: %d/%d files, %d articles", pr.FilesDone, pr.Files, pr.Articles)
}

func (p *progressLine) clear() {
	if p != nil && p.used {
		fmt.Fprint(p.w, "\r\033[K")
	}
}

// cmdSearch prints the passages that answer a question, as text, as one
// JSON object, or as JSON lines for a batch of questions read from stdin.
func cmdSearch(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("search", flag.ContinueOnError)
	var c common
	c.register(fs)
	var (
		limit   = fs.Int("limit", 0, "how many passages (default the config's search.limit, 5)")
		sources = fs.String("source", "", "only these outlets, comma-separated")
		since   = fs.String("since", "", "only articles published on or after this `date` (2006-01-02 or RFC 3339)")
		until   = fs.String("until", "", "only articles published before this `date`")
		asJSON  = fs.Bool("json", false, "print one JSON object")
		jsonl   = fs.Bool("jsonl", false, "batch mode: read one question a line from the named file or - for stdin; write one JSON object a line")
	)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "Usage: bot search [flags] QUESTION\n       bot search --jsonl -   (questions on stdin)")
		fs.PrintDefaults()
	}
	words, err := parseFlags(fs, args, stderr)
	if err != nil {
		return err
	}
	e, err := c.setup(getenv, stderr)
	if err != nil {
		return err
	}
	q := knowledge.Query{Limit: *limit}
	if q.Limit == 0 {
		q.Limit = e.cfg.Search.Limit
	}
	if q.Limit < 1 || q.Limit > 100 {
		return usageError("search: --limit must be from 1 to 100")
	}
	q.Sources = splitList(*sources)
	if q.Since, err = parseTime(*since); err != nil {
		return usageError("search: --since: %v", err)
	}
	if q.Until, err = parseTime(*until); err != nil {
		return usageError("search: --until: %v", err)
	}
	if !*jsonl && len(words) == 0 {
		fs.Usage()
		return usageError("search: ask a question, e.g. bot search \"who said what\"")
	}
	if *jsonl && (len(words) != 1 || words[0] != "-") {
		return usageError("search: --jsonl reads questions from stdin: bot search --jsonl -")
	}
	store, err := e.open(ctx)
	if err != nil {
		return err
	}
	defer store.Close()
	lib, err := newSearched(store)
	if err != nil {
		return err
	}

	if *jsonl {
		return searchBatch(ctx, lib, q, stdin, stdout)
	}
	q.Text = strings.Join(words, " ")
	passages, err := lib.Search(ctx, q)
	if err != nil {
		return err
	}
	if *asJSON {
		return writeJSON(stdout, searchResult{Query: q.Text, Passages: jsonPassages(passages)})
	}
	if len(passages) == 0 {
		fmt.Fprintf(stdout, "No stored paragraph matches %q.\n", q.Text)
		return nil
	}
	for i, p := range passages {
		fmt.Fprintf(stdout, "%d. %s (%s)\n   %s\n   %s\n\n", i+1, p.Ref(), describe(p), p.Text, linkOrNone(p.URL))
	}
	return nil
}

// searchBatch answers one question per input line with one JSON line each,
// in order. Blank lines get an empty result so the lines stay aligned.
func searchBatch(ctx context.Context, lib searched, q knowledge.Query, stdin io.Reader, stdout io.Writer) error {
	sc := bufio.NewScanner(stdin)
	sc.Buffer(make([]byte, 64*1024), 4<<20)
	out := bufio.NewWriter(stdout)
	defer out.Flush()
	enc := json.NewEncoder(out)
	enc.SetEscapeHTML(false)
	for sc.Scan() {
		q.Text = sc.Text()
		passages, err := lib.Search(ctx, q)
		if err != nil {
			return err
		}
		if err := enc.Encode(searchResult{Query: q.Text, Passages: jsonPassages(passages)}); err != nil {
			return err
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("search: reading questions: %w", err)
	}
	return nil
}

// searchResult is the JSON form of one search, as documented in the README.
type searchResult struct {
	Query    string        `json:"query"`
	Passages []jsonPassage `json:"passages"`
}

type jsonPassage struct {
	ArticleID string  `json:"article_id"`
	Title     string  `json:"title"`
	Source    string  `json:"source"`
	URL       string  `json:"url"`
	Published string  `json:"published"`
	Paragraph int     `json:"paragraph"`
	Text      string  `json:"text"`
	Score     float64 `json:"score"`
}

func jsonPassages(ps []knowledge.Passage) []jsonPassage {
	out := make([]jsonPassage, 0, len(ps))
	for _, p := range ps {
		out = append(out, jsonPassage{
			ArticleID: p.ArticleID, Title: p.Title, Source: p.Source, URL: p.URL,
			Published: formatTime(p.Published), Paragraph: p.Paragraph, Text: p.Text, Score: p.Score,
		})
	}
	return out
}

// formatTime is RFC 3339 in UTC, or "" when unknown.
func formatTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

func describe(p knowledge.Passage) string {
	parts := []string{}
	if p.Title != "" {
		parts = append(parts, p.Title)
	}
	if p.Source != "" {
		parts = append(parts, p.Source)
	}
	if !p.Published.IsZero() {
		parts = append(parts, p.Published.UTC().Format("2006-01-02"))
	}
	parts = append(parts, fmt.Sprintf("paragraph %d", p.Paragraph))
	return strings.Join(parts, ", ")
}

func linkOrNone(u string) string {
	if u == "" {
		return "(no link)"
	}
	return u
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// cmdArticles lists the stored articles, newest first.
func cmdArticles(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("articles", flag.ContinueOnError)
	var c common
	c.register(fs)
	var (
		asJSON  = fs.Bool("json", false, "print JSON")
		limit   = fs.Int("limit", 0, "list at most this many (0: all)")
		sources = fs.String("source", "", "only these outlets, comma-separated")
	)
	rest, err := parseFlags(fs, args, stderr)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return usageError("articles: unexpected argument %q", rest[0])
	}
	e, store, err := c.openStore(ctx, getenv, stderr)
	if err != nil {
		return err
	}
	defer store.Close()
	opts := knowledge.ListOptions{Limit: *limit}
	opts.Sources = splitList(*sources)
	list, err := store.Articles(ctx, opts)
	if err != nil {
		return err
	}
	if *asJSON {
		if list == nil {
			list = []knowledge.ArticleInfo{}
		}
		return writeJSON(stdout, list)
	}
	st, err := store.Stats(ctx)
	if err != nil {
		return err
	}
	for _, a := range list {
		date := "undated   "
		if !a.Published.IsZero() {
			date = a.Published.UTC().Format("2006-01-02")
		}
		src := a.Source
		if src == "" {
			src = "-"
		}
		fmt.Fprintf(stdout, "%s  %-24s  %-14s  %3d ¶  %s\n", date, a.ID, src, a.Paragraphs, a.Title)
	}
	fmt.Fprintf(stdout, "%d articles, %d paragraphs (%s)\n", st.Articles, st.Paragraphs, e.dbPath)
	return nil
}

// ingestOptions are the ingest limits the config sets, for every command
// that ingests.
func (e env) ingestOptions() ingest.Options {
	return ingest.Options{
		HTTPClient:   &http.Client{Timeout: e.cfg.Ingest.FeedTimeout.D()},
		MaxFileBytes: int64(e.cfg.Ingest.MaxFileMB) << 20,
		Logger:       e.log,
	}
}

// searched is the store as the engine, bot search and every chat surface
// use it; see search.Library.
type searched = search.Library

var newSearched = search.NewLibrary
