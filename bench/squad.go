package main

import (
	"compress/gzip"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/byline-bot/byline/knowledge"
	"github.com/byline-bot/byline/search"
)

// squadSet is the part of SQuAD v1.1 the evaluations read: the retrieval
// run reads the questions, the answer protocol their gold answers too.
type squadSet struct {
	Data []struct {
		Title      string `json:"title"`
		Paragraphs []struct {
			Context string `json:"context"`
			QAs     []struct {
				ID       string `json:"id"`
				Question string `json:"question"`
				Answers  []struct {
					Text string `json:"text"`
				} `json:"answers"`
			} `json:"qas"`
		} `json:"paragraphs"`
	} `json:"data"`
}

// squadQuestion is one question and the paragraph that answers it.
type squadQuestion struct {
	text      string
	articleID string
	ordinal   int
	flat      int // index of the paragraph in the flat baseline table
}

// rank returns the 1-based place of the question's paragraph among ps, or
// zero when it is not there.
func (q squadQuestion) rank(ps []knowledge.Passage) int {
	for i, p := range ps {
		if p.ArticleID == q.articleID && p.Paragraph == q.ordinal {
			return i + 1
		}
	}
	return 0
}

func loadSQuAD(path string) (*squadSet, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open SQuAD (the evaluation reads ../shared/eval from the repository root): %w", err)
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		return nil, err
	}
	var set squadSet
	if err := json.NewDecoder(gz).Decode(&set); err != nil {
		return nil, fmt.Errorf("decode %s: %w", path, err)
	}
	return &set, nil
}

// retrievalScores accumulates recall@1, recall@5 and MRR@10.
type retrievalScores struct {
	n, at1, at5 int
	rr          float64
	latencies   []time.Duration
	// halves are the same scores over the even- and odd-numbered
	// questions; the re-ranker was tuned on the odd ones.
	halves *[2]retrievalScores
}

func (s *retrievalScores) addQuestion(i, rank int, d time.Duration) {
	s.add(rank, d)
	if s.halves == nil {
		s.halves = new([2]retrievalScores)
	}
	s.halves[i%2].add(rank, d)
}

func (s *retrievalScores) add(rank int, d time.Duration) {
	s.n++
	if rank == 1 {
		s.at1++
	}
	if rank >= 1 && rank <= 5 {
		s.at5++
	}
	if rank >= 1 && rank <= 10 {
		s.rr += 1 / float64(rank)
	}
	s.latencies = append(s.latencies, d)
}

func (s *retrievalScores) row(name string) string {
	p50, p99 := percentiles(s.latencies)
	return fmt.Sprintf("| %s | %d | %.3f | %.3f | %.3f | %s | %s |", name, s.n,
		float64(s.at1)/float64(s.n), float64(s.at5)/float64(s.n), s.rr/float64(s.n), ms(p50), ms(p99))
}

func percentiles(ds []time.Duration) (p50, p99 time.Duration) {
	if len(ds) == 0 {
		return 0, 0
	}
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[len(s)*50/100], s[min(len(s)-1, len(s)*99/100)]
}

func ms(d time.Duration) string {
	return fmt.Sprintf("%.3f ms", float64(d.Microseconds())/1000)
}

// runSQuAD ingests SQuAD's paragraphs into a Byline store and into a plain
// FTS5 table, asks every question of both, and reports where the answering
// paragraph ranks.
func runSQuAD(ctx context.Context, path, dir string, opts knowledge.Options) (string, error) {
	set, err := loadSQuAD(path)
	if err != nil {
		return "", err
	}
	store, err := knowledge.Open(ctx, dir+"/squad.db", opts)
	if err != nil {
		return "", err
	}
	defer store.Close()
	base, err := openBaseline(dir + "/squad-baseline.db")
	if err != nil {
		return "", err
	}
	defer base.Close()

	questions, flat, err := putSQuAD(ctx, store, set)
	if err != nil {
		return "", err
	}
	if err := base.load(flat); err != nil {
		return "", err
	}

	searcher, err := search.New(search.Options{Store: store})
	if err != nil {
		return "", err
	}
	var ours, thin, plain retrievalScores
	for qi, q := range questions {
		for _, r := range []struct {
			scores *retrievalScores
			search func(context.Context, knowledge.Query) ([]knowledge.Passage, error)
		}{{&ours, searcher.Search}, {&thin, store.Search}} {
			start := time.Now()
			ps, err := r.search(ctx, knowledge.Query{Text: q.text, Limit: 10})
			d := time.Since(start)
			if err != nil {
				return "", err
			}
			r.scores.addQuestion(qi, q.rank(ps), d)
		}

		start := time.Now()
		ids, err := base.search(q.text, 10)
		d := time.Since(start)
		if err != nil {
			return "", err
		}
		rank := 0
		for i, id := range ids {
			if id == q.flat {
				rank = i + 1
				break
			}
		}
		plain.addQuestion(qi, rank, d)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "## SQuAD v1.1 dev: retrieval quality\n\n%d paragraphs, %d questions; Byline's store with CommonTermDocs %d, QueryPostings %d.\n\n",
		len(flat), len(questions), opts.CommonTermDocs, opts.QueryPostings)
	b.WriteString("| retriever | questions | recall@1 | recall@5 | MRR@10 | p50 | p99 |\n|---|---|---|---|---|---|---|\n")
	b.WriteString(plain.row("baseline: plain FTS5, words OR-ed, bm25") + "\n")
	b.WriteString(thin.row("Byline knowledge.Store.Search (the store's lexical order)") + "\n")
	b.WriteString(ours.row("Byline search.Searcher") + "\n")
	b.WriteString(plain.halves[0].row("baseline, even-numbered questions") + "\n")
	b.WriteString(thin.halves[0].row("Byline Store.Search, even-numbered questions") + "\n")
	b.WriteString(ours.halves[0].row("Byline search.Searcher, even-numbered questions") + "\n")
	b.WriteString(plain.halves[1].row("baseline, odd-numbered questions (tuning half)") + "\n")
	b.WriteString(thin.halves[1].row("Byline Store.Search, odd-numbered questions (tuning half)") + "\n")
	b.WriteString(ours.halves[1].row("Byline search.Searcher, odd-numbered questions (tuning half)") + "\n")
	fmt.Fprintf(&b, "\nratio Byline search.Searcher/baseline: recall@1 %.3f, recall@5 %.3f, MRR@10 %.3f\n",
		float64(ours.at1)/float64(plain.at1), float64(ours.at5)/float64(plain.at5), ours.rr/plain.rr)
	return b.String(), nil
}

// putSQuAD stores SQuAD's articles and returns its questions and all its
// paragraphs in order.
func putSQuAD(ctx context.Context, store *knowledge.Store, set *squadSet) ([]squadQuestion, []string, error) {
	var questions []squadQuestion
	var flat []string
	for _, art := range set.Data {
		a := knowledge.Article{
			ID:    art.Title,
			Ref:   "squad#" + art.Title,
			Title: strings.ReplaceAll(art.Title, "_", " "),
		}
		for _, p := range art.Paragraphs {
			a.Paragraphs = append(a.Paragraphs, strings.TrimSpace(p.Context))
			flat = append(flat, strings.TrimSpace(p.Context))
			for _, qa := range p.QAs {
				questions = append(questions, squadQuestion{text: qa.Question, ordinal: len(a.Paragraphs), flat: len(flat)})
			}
		}
		res, err := store.Put(ctx, []knowledge.Article{a})
		if err != nil {
			return nil, nil, err
		}
		if res[0].Err != nil {
			return nil, nil, res[0].Err
		}
		for i := range questions {
			if questions[i].articleID == "" {
				questions[i].articleID = res[0].ArticleID
			}
		}
	}
	return questions, flat, nil
}

// baseline is the plain FTS5 retriever named in ../shared/README.md: a
// porter unicode61 table, every question word quoted and OR-ed, common
// English stop words dropped, ORDER BY bm25().
type baseline struct {
	db *sql.DB
}

func openBaseline(path string) (*baseline, error) {
	os.Remove(path)
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)")
	if err != nil {
		return nil, err
	}
	if _, err := db.Exec(`CREATE VIRTUAL TABLE para USING fts5(body, tokenize='porter unicode61')`); err != nil {
		db.Close()
		return nil, err
	}
	return &baseline{db: db}, nil
}

func (b *baseline) Close() error { return b.db.Close() }

func (b *baseline) load(paragraphs []string) error {
	tx, err := b.db.Begin()
	if err != nil {
		return err
	}
	defer tx.Rollback()
	for i, p := range paragraphs {
		if _, err := tx.Exec("INSERT INTO para (rowid, body) VALUES (?, ?)", i+1, p); err != nil {
			return err
		}
	}
	return tx.Commit()
}

// baselineExpr quotes every word of the question that is not a stop word
// and ORs them together.
func baselineExpr(question string) string {
	var parts []string
	for _, w := range strings.FieldsFunc(strings.ToLower(question), func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r > 127)
	}) {
		if baselineStop[w] {
			continue
		}
		parts = append(parts, `"`+strings.ReplaceAll(w, `"`, `""`)+`"`)
	}
	return strings.Join(parts, " OR ")
}

func (b *baseline) search(question string, limit int) ([]int, error) {
	expr := baselineExpr(question)
	if expr == "" {
		return nil, nil
	}
	rows, err := b.db.Query("SELECT rowid FROM para WHERE para MATCH ? ORDER BY bm25(para) LIMIT ?", expr, limit)
	if err != nil {
		return nil, fmt.Errorf("baseline %q: %w", expr, err)
	}
	defer rows.Close()
	var ids []int
	for rows.Next() {
		var id int
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// baselineStop is a common English stop-word list (NLTK's), kept apart from
// Byline's own so that tuning Byline cannot move the baseline.
var baselineStop = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(`i me my myself we our ours ourselves you your yours yourself
	yourselves he him his himself she her hers herself it its itself they them their theirs
	themselves what which who whom this that these those am is are was were be been being have has
	had having do does did doing a an the and but if or because as until while of at by for with
	about against between into through during before after above below to from up down in out on
	off over under again further then once here there when where why how all any both each few
	more most other some such no nor not only own same so than too very s t can will just don
	should now`) {
		m[w] = true
	}
	return m
}()
