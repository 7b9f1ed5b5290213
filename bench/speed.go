package main

import (
	"compress/gzip"
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"time"
	"unicode"

	"github.com/byline-bot/byline/knowledge"
	"github.com/byline-bot/byline/knowledge/ingest"
	"github.com/byline-bot/byline/search"
)

// questionsPerRun is how many questions the speed runs ask: half article
// titles, half "What did X say about Y?" about one paragraph.
const questionsPerRun = 2000

// questionSeed fixes the questions, so that runs compare.
const questionSeed = 1987

// runReuters ingests Reuters-21578 into a fresh store with the real ingest
// (timed), ingests it again unchanged (timed), and then times questions
// against Byline's search and against a raw FTS5 query on the same file.
func runReuters(ctx context.Context, path, dir string, opts knowledge.Options) (string, error) {
	dbPath := filepath.Join(dir, "reuters.db")
	removeDB(dbPath)
	store, err := knowledge.Open(ctx, dbPath, opts)
	if err != nil {
		return "", err
	}
	defer store.Close()

	var b strings.Builder
	b.WriteString("## Reuters-21578: ingest and query speed\n\n")
	b.WriteString("| step | articles | paragraphs | time | paragraphs/s |\n|---|---|---|---|---|\n")
	for _, step := range []string{"ingest into a fresh store", "ingest again, unchanged"} {
		start := time.Now()
		sum, err := ingest.Run(ctx, store, []string{path}, ingest.Options{})
		d := time.Since(start)
		if err != nil {
			return "", fmt.Errorf("%s: %w", step, err)
		}
		if sum.Failed() > 0 {
			return "", fmt.Errorf("%s: %s", step, sum)
		}
		st, err := store.Stats(ctx)
		if err != nil {
			return "", err
		}
		fmt.Fprintf(&b, "| %s (`ingest.Run`: %d new, %d merged, %d unchanged) | %d | %d | %.2f s | %.0f |\n", step,
			sum.New, sum.Merged, sum.Unchanged, st.Articles, st.Paragraphs, d.Seconds(), float64(st.Paragraphs)/d.Seconds())
	}
	b.WriteString("\n")
	out, err := querySpeed(ctx, store, dbPath, opts)
	if err != nil {
		return "", err
	}
	b.WriteString(out)
	return b.String(), nil
}

// millionCopies is how many altered copies of Reuters make the large
// corpus: 10 × (105,570 paragraphs + one borrowed per article) ≈ 1.25 M.
const millionCopies = 10

// runMillion builds a corpus of over a million paragraphs from copies of
// Reuters-21578 and times the same questions against it. Copy k of article
// i has its paragraphs rotated by k and one paragraph of another article
// added, so that copies differ in text and are not merged (only the copies
// of articles Reuters itself holds twice can be); each copy has its own
// ref and id.
func runMillion(ctx context.Context, path, dir string, opts knowledge.Options) (string, error) {
	arts, err := readJSONLines(path)
	if err != nil {
		return "", err
	}
	dbPath := filepath.Join(dir, "million.db")
	removeDB(dbPath)
	store, err := knowledge.Open(ctx, dbPath, opts)
	if err != nil {
		return "", err
	}
	defer store.Close()

	start := time.Now()
	batch := make([]knowledge.Article, 0, 256)
	outcomes := make(map[knowledge.Outcome]int)
	flush := func() error {
		res, err := store.Put(ctx, batch)
		if err != nil {
			return err
		}
		for _, r := range res {
			if r.Err != nil {
				return r.Err
			}
			outcomes[r.Outcome]++
		}
		batch = batch[:0]
		return nil
	}
	for k := range millionCopies {
		for i, a := range arts {
			c := a
			c.ID = fmt.Sprintf("%s-c%d", a.ID, k)
			c.Ref = "million#" + c.ID
			n := len(a.Paragraphs)
			c.Paragraphs = make([]string, 0, n+1)
			for j := range n {
				c.Paragraphs = append(c.Paragraphs, a.Paragraphs[(j+k)%n])
			}
			other := arts[(i+7919*(k+1))%len(arts)]
			c.Paragraphs = append(c.Paragraphs, other.Paragraphs[k%len(other.Paragraphs)])
			batch = append(batch, c)
			if len(batch) == cap(batch) {
				if err := flush(); err != nil {
					return "", err
				}
			}
		}
	}
	if len(batch) > 0 {
		if err := flush(); err != nil {
			return "", err
		}
	}
	d := time.Since(start)
	st, err := store.Stats(ctx)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	b.WriteString("## About a million paragraphs: query speed\n\n")
	fmt.Fprintf(&b, "%d altered copies of Reuters-21578 (each article's paragraphs rotated by the copy's number, plus one paragraph of another article), stored with `Store.Put` in batches of 256.\n\n", millionCopies)
	b.WriteString("| step | articles | paragraphs | time | paragraphs/s |\n|---|---|---|---|---|\n")
	fmt.Fprintf(&b, "| build with `Put` (%d new, %d merged: copies of Reuters' own duplicates) | %d | %d | %.1f s | %.0f |\n\n",
		outcomes[knowledge.Added], outcomes[knowledge.Merged], st.Articles, st.Paragraphs, d.Seconds(), float64(st.Paragraphs)/d.Seconds())
	out, err := querySpeed(ctx, store, dbPath, opts)
	if err != nil {
		return "", err
	}
	b.WriteString(out)
	return b.String(), nil
}

// readJSONLines reads every article of a JSON lines file with the ingest
// package's parser.
func readJSONLines(path string) ([]knowledge.Article, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open the corpus (read from ../shared/corpus beside the repository): %w", err)
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		return nil, err
	}
	var arts []knowledge.Article
	err = ingest.ParseJSONLines(gz, path, func(line int, a knowledge.Article, err error) error {
		if err != nil {
			return fmt.Errorf("line %d: %w", line, err)
		}
		arts = append(arts, a)
		return nil
	})
	return arts, err
}

func removeDB(path string) {
	for _, suffix := range []string{"", "-wal", "-shm"} {
		os.Remove(path + suffix)
	}
}

// speedQuestion is a question the speed runs ask, and where its words came
// from: a whole article (ordinal 0) or one paragraph.
type speedQuestion struct {
	kind      string
	text      string
	articleID string
	ordinal   int
}

// makeQuestions picks questionsPerRun questions from the store's own
// articles with a fixed seed: the titles of half of them, and for the
// other half a "What did X say about Y?" question about one paragraph,
// with X a capitalized name and Y two longer words of that paragraph.
func makeQuestions(ctx context.Context, store *knowledge.Store) ([]speedQuestion, error) {
	list, err := store.Articles(ctx, knowledge.ListOptions{})
	if err != nil {
		return nil, err
	}
	if len(list) == 0 {
		return nil, fmt.Errorf("no articles to ask about")
	}
	rng := rand.New(rand.NewPCG(questionSeed, 0))
	var qs []speedQuestion
	for len(qs) < questionsPerRun/2 {
		a := list[rng.IntN(len(list))]
		if strings.TrimSpace(a.Title) != "" {
			qs = append(qs, speedQuestion{kind: "title", text: a.Title, articleID: a.ID})
		}
	}
	for len(qs) < questionsPerRun {
		a := list[rng.IntN(len(list))]
		n := 1 + rng.IntN(a.Paragraphs)
		p, err := store.Passage(ctx, a.ID, n)
		if err != nil {
			return nil, err
		}
		if q, ok := sayAbout(p.Text, rng); ok {
			qs = append(qs, speedQuestion{kind: "say", text: q, articleID: a.ID, ordinal: n})
		}
	}
	return qs, nil
}

// sayAbout makes "What did X say about Y?" from a paragraph.
func sayAbout(text string, rng *rand.Rand) (string, bool) {
	words := strings.FieldsFunc(text, func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '-' && r != '\''
	})
	var names, long []string
	for i, w := range words {
		upper := unicode.IsUpper([]rune(w)[0])
		switch {
		case upper && i > 0 && len(w) > 2 && strings.ToUpper(w) != w:
			names = append(names, w)
		case !upper && len(w) >= 6:
			long = append(long, w)
		}
	}
	if len(names) == 0 || len(long) < 2 {
		return "", false
	}
	i, j := rng.IntN(len(long)), rng.IntN(len(long))
	if long[i] == long[j] {
		return "", false
	}
	return fmt.Sprintf("What did %s say about %s %s?", names[rng.IntN(len(names))], long[i], long[j]), true
}

// querySpeed asks the questions of Byline's search and of a raw FTS5
// query, and reports the latencies and how often the article the question
// came from is in the top 5.
func querySpeed(ctx context.Context, store *knowledge.Store, dbPath string, opts knowledge.Options) (string, error) {
	qs, err := makeQuestions(ctx, store)
	if err != nil {
		return "", err
	}
	raw, err := sql.Open("sqlite", "file:"+dbPath+"?mode=ro&_pragma=busy_timeout(10000)&_pragma=cache_size(-65536)")
	if err != nil {
		return "", err
	}
	defer raw.Close()
	stmt, err := raw.PrepareContext(ctx, `SELECT p.article_id FROM (SELECT rowid FROM paragraphs_fts
		WHERE paragraphs_fts MATCH ? ORDER BY bm25(paragraphs_fts) LIMIT 5) f
		JOIN paragraphs p ON p.id = f.rowid`)
	if err != nil {
		return "", err
	}
	defer stmt.Close()

	type tally struct {
		lat   []time.Duration
		found map[string]int // by question kind
	}
	ours := [2]tally{{found: map[string]int{}}, {found: map[string]int{}}}
	plain := tally{found: map[string]int{}}
	searched := tally{found: map[string]int{}}
	searcher, err := search.New(search.Options{Store: store})
	if err != nil {
		return "", err
	}
	// Byline asks the questions twice, first with its word counts not yet
	// cached; the raw query, which caches nothing, is asked once, in turn
	// with Byline's first pass, so that both see the same machine.
	for pass := range 2 {
		for _, q := range qs {
			start := time.Now()
			ps, err := store.Search(ctx, knowledge.Query{Text: q.text, Limit: 5})
			ours[pass].lat = append(ours[pass].lat, time.Since(start))
			if err != nil {
				return "", fmt.Errorf("search %q: %w", q.text, err)
			}
			for _, p := range ps {
				if sameArticle(p.ArticleID, q.articleID) {
					ours[pass].found[q.kind]++
					break
				}
			}
			if pass > 0 {
				// The search package's planning and re-ranking over the
				// same store, word counts cached.
				start = time.Now()
				ps, err := searcher.Search(ctx, knowledge.Query{Text: q.text, Limit: 5})
				searched.lat = append(searched.lat, time.Since(start))
				if err != nil {
					return "", fmt.Errorf("search.Searcher %q: %w", q.text, err)
				}
				for _, p := range ps {
					if sameArticle(p.ArticleID, q.articleID) {
						searched.found[q.kind]++
						break
					}
				}
				continue
			}

			start = time.Now()
			ids, err := rawSearch(ctx, stmt, q.text)
			plain.lat = append(plain.lat, time.Since(start))
			if err != nil {
				return "", fmt.Errorf("raw %q: %w", q.text, err)
			}
			for _, id := range ids {
				if sameArticle(id, q.articleID) {
					plain.found[q.kind]++
					break
				}
			}
		}
	}
	st, err := store.Stats(ctx)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%d questions (seed %d) over %d paragraphs: %d article titles and %d \"What did X say about Y?\" about one paragraph. Byline: `Store.Search`, Limit 5, CommonTermDocs %d, QueryPostings %d. Raw: `SELECT rowid FROM paragraphs_fts WHERE paragraphs_fts MATCH ? ORDER BY bm25(paragraphs_fts) LIMIT 5` (joined to paragraphs for the article id) on the same file opened read-only, every non-stop word quoted and OR-ed as in the SQuAD baseline.\n\n",
		len(qs), questionSeed, st.Paragraphs, countKind(qs, "title"), countKind(qs, "say"), opts.CommonTermDocs, opts.QueryPostings)
	b.WriteString("| query | p50 | p99 | max | source article (or a copy) in top 5: titles | \"say\" questions |\n|---|---|---|---|---|---|\n")
	for _, row := range []struct {
		name string
		t    tally
	}{
		{"Byline `Search`, first pass (word counts not yet cached)", ours[0]},
		{"Byline `Search`, second pass", ours[1]},
		{"Byline `search.Searcher` (asked in turn with the second pass)", searched},
		{"raw FTS5 bm25 (asked in turn with the first pass)", plain},
	} {
		p50, p99 := percentiles(row.t.lat)
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %.3f | %.3f |\n", row.name, ms(p50), ms(p99), ms(maxDuration(row.t.lat)),
			float64(row.t.found["title"])/float64(countKind(qs, "title")), float64(row.t.found["say"])/float64(countKind(qs, "say")))
	}
	b.WriteString("\n")
	r50, r99 := percentiles(plain.lat)
	for pass := range 2 {
		o50, o99 := percentiles(ours[pass].lat)
		fmt.Fprintf(&b, "ratio Byline/raw, Byline's %s pass: p50 %.2f, p99 %.2f\n", [2]string{"first", "second"}[pass],
			float64(o50)/float64(r50), float64(o99)/float64(r99))
	}
	return b.String(), nil
}

func rawSearch(ctx context.Context, stmt *sql.Stmt, question string) ([]string, error) {
	expr := baselineExpr(question)
	if expr == "" {
		return nil, nil
	}
	rows, err := stmt.QueryContext(ctx, expr)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// sameArticle reports whether two article ids name the same article or
// copies of it (runMillion's ids end in "-c" and the copy's number).
func sameArticle(a, b string) bool {
	return copyOf(a) == copyOf(b)
}

func copyOf(id string) string {
	if i := strings.LastIndex(id, "-c"); i > 0 && strings.Trim(id[i+2:], "0123456789") == "" && i+2 < len(id) {
		return id[:i]
	}
	return id
}

func countKind(qs []speedQuestion, kind string) int {
	n := 0
	for _, q := range qs {
		if q.kind == kind {
			n++
		}
	}
	return n
}

func maxDuration(ds []time.Duration) time.Duration {
	var m time.Duration
	for _, d := range ds {
		m = max(m, d)
	}
	return m
}
