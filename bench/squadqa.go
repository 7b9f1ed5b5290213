package main

// The SQuAD answer protocol: SQuAD v1.1 dev asked through answer.Engine as
// `bot ask` asks it, with a tenth of the articles withheld from the store.
//
// A question about a stored article is right when the answer does not
// abstain, contains one of its gold answers (normalized as SQuAD's own
// scorer does: lower-cased, punctuation and articles removed) and cites
// its gold paragraph. A question about a withheld article is right when the
// answer abstains. Tuning looks only at the odd-numbered questions (their
// index in the file, from 0); the even-numbered ones are reported.

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"regexp"
	"sort"
	"strings"
	"time"
	"unicode"

	"github.com/byline-bot/byline/answer"
	"github.com/byline-bot/byline/knowledge"
)

// qaCase is one SQuAD question of the answer protocol.
type qaCase struct {
	index     int // position in the file, from 0: odd ones tune, even ones report
	text      string
	title     string
	articleID string // the stored article's id; empty when withheld
	paragraph int    // the gold paragraph's number, from 1
	context   string // the gold paragraph's text
	answers   []string
	withheld  bool
}

// qaCorpus is the store built for the protocol and its questions.
type qaCorpus struct {
	store    *knowledge.Store
	cases    []qaCase
	withheld []string // titles of the withheld articles
	flat     []string // the stored paragraphs, in store order, for the baseline
	flatRef  []string // "articleID#n" of each flat paragraph
}

// qaWithholdSeed chooses the withheld articles. It is fixed so that every
// run, the fitting included, withholds the same ones.
const qaWithholdSeed = 2026

// buildQA stores every SQuAD article but the withheld tenth in a fresh store
// at dbPath and returns the questions of all of them.
func buildQA(ctx context.Context, path, dbPath string, opts knowledge.Options) (*qaCorpus, error) {
	return buildQAWith(ctx, path, dbPath, opts, false)
}

// qaGapSeed chooses the paragraphs buildQAGaps leaves out, and qaGapShare
// how many.
const (
	qaGapSeed  = 2027
	qaGapShare = 0.1
)

// buildQAGaps stores the articles buildQA stores, each without a seeded
// tenth of its paragraphs, and returns only the questions of the
// paragraphs left out, each marked withheld: questions about a story the
// store holds whose answer it lacks, the way a reader asks what the
// articles don't say ("How much did the hack cost?"). The withheld
// articles' questions ask about a subject the store has never heard of,
// which is the easier case to refuse.
func buildQAGaps(ctx context.Context, path, dbPath string, opts knowledge.Options) (*qaCorpus, error) {
	return buildQAWith(ctx, path, dbPath, opts, true)
}

func buildQAWith(ctx context.Context, path, dbPath string, opts knowledge.Options, gaps bool) (*qaCorpus, error) {
	set, err := loadSQuAD(path)
	if err != nil {
		return nil, err
	}
	os.Remove(dbPath)
	store, err := knowledge.Open(ctx, dbPath, opts)
	if err != nil {
		return nil, err
	}
	titles := make([]string, len(set.Data))
	for i, a := range set.Data {
		titles[i] = a.Title
	}
	r := rand.New(rand.NewPCG(qaWithholdSeed, qaWithholdSeed))
	r.Shuffle(len(titles), func(i, j int) { titles[i], titles[j] = titles[j], titles[i] })
	withheld := map[string]bool{}
	for _, t := range titles[:(len(titles)+9)/10] {
		withheld[t] = true
	}
	c := &qaCorpus{store: store}
	for t := range withheld {
		c.withheld = append(c.withheld, t)
	}
	sort.Strings(c.withheld)
	index := 0
	drop := rand.New(rand.NewPCG(qaGapSeed, qaGapSeed))
	for _, art := range set.Data {
		a := knowledge.Article{ID: art.Title, Ref: "squad#" + art.Title, Title: strings.ReplaceAll(art.Title, "_", " ")}
		first := len(c.cases)
		for _, p := range art.Paragraphs {
			text := strings.TrimSpace(p.Context)
			if gaps {
				// Every question keeps its index, so the halves are the
				// protocol's; only the left-out paragraphs' questions are
				// kept, and only the others' text is stored.
				if withheld[art.Title] || drop.Float64() >= qaGapShare {
					a.Paragraphs = append(a.Paragraphs, text)
					index += len(p.QAs)
					continue
				}
				for _, qa := range p.QAs {
					c.cases = append(c.cases, qaCase{index: index, text: qa.Question, title: art.Title, context: text, withheld: true})
					index++
				}
				continue
			}
			a.Paragraphs = append(a.Paragraphs, text)
			for _, qa := range p.QAs {
				qc := qaCase{index: index, text: qa.Question, title: art.Title, paragraph: len(a.Paragraphs),
					context: text, withheld: withheld[art.Title]}
				for _, ans := range qa.Answers {
					qc.answers = append(qc.answers, ans.Text)
				}
				c.cases = append(c.cases, qc)
				index++
			}
		}
		if withheld[art.Title] {
			continue
		}
		res, err := store.Put(ctx, []knowledge.Article{a})
		if err != nil {
			store.Close()
			return nil, err
		}
		if res[0].Err != nil {
			store.Close()
			return nil, res[0].Err
		}
		for i := first; i < len(c.cases); i++ {
			c.cases[i].articleID = res[0].ArticleID
		}
		for n, p := range a.Paragraphs {
			c.flat = append(c.flat, p)
			c.flatRef = append(c.flatRef, fmt.Sprintf("%s#%d", res[0].ArticleID, n+1))
		}
	}
	return c, nil
}

// qaRight reports whether an answer is right for c under the protocol.
func qaRight(c qaCase, abstained bool, text string, cited []string) bool {
	if c.withheld {
		return abstained
	}
	if abstained {
		return false
	}
	gold := fmt.Sprintf("%s#%d", c.articleID, c.paragraph)
	cites := false
	for _, ref := range cited {
		if ref == gold {
			cites = true
			break
		}
	}
	return cites && containsAnswer(text, c.answers)
}

// containsAnswer reports whether text holds one of the gold answers, both
// normalized as SQuAD's evaluation script normalizes them.
func containsAnswer(text string, answers []string) bool {
	t := " " + squadNormalize(text) + " "
	for _, a := range answers {
		if n := squadNormalize(a); n != "" && strings.Contains(t, " "+n+" ") {
			return true
		}
	}
	return false
}

var squadArticles = regexp.MustCompile(`\b(a|an|the)\b`)

// squadNormalize lower-cases s, removes punctuation and the articles a, an
// and the, and collapses white space, as SQuAD v1.1's evaluate script does.
func squadNormalize(s string) string {
	s = strings.ToLower(s)
	s = strings.Map(func(r rune) rune {
		if unicode.IsPunct(r) || unicode.IsSymbol(r) {
			return -1
		}
		return r
	}, s)
	s = squadArticles.ReplaceAllString(s, " ")
	return strings.Join(strings.Fields(s), " ")
}

// qaTally counts a half's results.
type qaTally struct {
	stored, storedRight     int
	withheld, withheldRight int
	answered, answeredRight int // over stored and withheld questions
}

func (t *qaTally) add(c qaCase, abstained, right bool) {
	if c.withheld {
		t.withheld++
		if right {
			t.withheldRight++
		}
	} else {
		t.stored++
		if right {
			t.storedRight++
		}
	}
	if !abstained {
		t.answered++
		if right {
			t.answeredRight++
		}
	}
}

func ratio(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

func (t qaTally) row(name string) string {
	return fmt.Sprintf("| %s | %d | %.3f | %d | %.3f | %.3f |", name, t.stored, ratio(t.storedRight, t.stored),
		t.withheld, ratio(t.withheldRight, t.withheld), ratio(t.answeredRight, t.answered))
}

// qaBaseline is the 20-line baseline the issue names: the top paragraph of
// a plain FTS5 bm25 search, the sentence of it sharing most question words,
// never abstaining.
func qaBaseline(b *baseline, flat, flatRef []string, question string) (text string, cited []string, err error) {
	ids, err := b.search(question, 1)
	if err != nil || len(ids) == 0 {
		return "", nil, err
	}
	p := flat[ids[0]-1]
	words := map[string]bool{}
	for _, w := range strings.FieldsFunc(strings.ToLower(question), notWordRune) {
		if !baselineStop[w] {
			words[w] = true
		}
	}
	best, bestN := p, -1
	for _, s := range baselineSentence.FindAllString(p, -1) {
		n := 0
		for _, w := range strings.FieldsFunc(strings.ToLower(s), notWordRune) {
			if words[w] {
				n++
			}
		}
		if n > bestN {
			best, bestN = s, n
		}
	}
	return best, []string{flatRef[ids[0]-1]}, nil
}

var baselineSentence = regexp.MustCompile(`[^.!?]+[.!?]*`)

func notWordRune(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }

// qaResult is the protocol's outcome for one question, kept for fitting and
// for listing misses.
type qaResult struct {
	c         qaCase
	a         answer.Answer
	right     bool
	baseRight bool
	took      time.Duration
}

// askQA asks every case in cases of engine and of the baseline.
func askQA(ctx context.Context, corpus *qaCorpus, engine *answer.Engine, base *baseline, cases []qaCase) ([]qaResult, error) {
	out := make([]qaResult, 0, len(cases))
	for _, c := range cases {
		start := time.Now()
		a, err := engine.Ask(ctx, answer.Question{Text: c.text})
		took := time.Since(start)
		if err != nil {
			return nil, fmt.Errorf("question %d %q: %w", c.index, c.text, err)
		}
		var cited []string
		for _, ct := range a.Citations {
			cited = append(cited, ct.Ref())
		}
		r := qaResult{c: c, a: a, right: qaRight(c, a.Abstained, a.Text, cited), took: took}
		if base != nil {
			bt, bc, err := qaBaseline(base, corpus.flat, corpus.flatRef, c.text)
			if err != nil {
				return nil, err
			}
			r.baseRight = qaRight(c, false, bt, bc)
		}
		out = append(out, r)
	}
	return out, nil
}

// runSQuADAnswers runs the answer protocol over every SQuAD question and
// reports both halves beside the baseline.
func runSQuADAnswers(ctx context.Context, path, dir string, opts knowledge.Options, sample int) (string, error) {
	corpus, err := buildQA(ctx, path, dir+"/squad-qa.db", opts)
	if err != nil {
		return "", err
	}
	defer corpus.store.Close()
	base, err := openBaseline(dir + "/squad-qa-baseline.db")
	if err != nil {
		return "", err
	}
	defer base.Close()
	if err := base.load(corpus.flat); err != nil {
		return "", err
	}
	engine, err := benchEngine(corpus.store, nil)
	if err != nil {
		return "", err
	}
	cases := corpus.cases
	if sample > 0 {
		cases = sampleCases(cases, sample)
	}
	results, err := askQA(ctx, corpus, engine, base, cases)
	if err != nil {
		return "", err
	}
	var ours, plain [2]qaTally
	var took []time.Duration
	for _, r := range results {
		h := r.c.index % 2
		ours[h].add(r.c, r.a.Abstained, r.right)
		plain[h].add(r.c, false, r.baseRight)
		took = append(took, r.took)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "## SQuAD v1.1 dev: answers through `Engine.Ask`, extractive\n\n")
	fmt.Fprintf(&b, "%d questions; %d of %d articles withheld from the store (seed %d: %s). ",
		len(results), len(corpus.withheld), len(corpus.withheld)+countStored(corpus), qaWithholdSeed, strings.Join(corpus.withheld, ", "))
	b.WriteString("Right on a stored article: not abstained, holds a gold answer (SQuAD-normalized), cites the gold paragraph. Right on a withheld one: abstained.\n\n")
	b.WriteString("| answerer | stored-article questions | right | withheld-article questions | abstained | precision when answering |\n|---|---|---|---|---|---|\n")
	b.WriteString(plain[0].row("baseline (top bm25 paragraph, best-overlap sentence, never abstains), even half") + "\n")
	b.WriteString(ours[0].row("Byline `Engine.Ask`, even half (reported)") + "\n")
	b.WriteString(plain[1].row("baseline, odd half") + "\n")
	b.WriteString(ours[1].row("Byline `Engine.Ask`, odd half (tuning)") + "\n")
	p50, p99 := percentiles(took)
	fmt.Fprintf(&b, "\n`Engine.Ask` time per question (retrieval and extraction): p50 %s, p99 %s\n", ms(p50), ms(p99))

	// The harder refusal: the article is stored, the answering paragraph
	// is not (buildQAGaps).
	gaps, err := buildQAGaps(ctx, path, dir+"/squad-qa-gaps.db", opts)
	if err != nil {
		return "", err
	}
	defer gaps.store.Close()
	gapEngine, err := benchEngine(gaps.store, nil)
	if err != nil {
		return "", err
	}
	gapCases := gaps.cases
	if sample > 0 {
		gapCases = sampleCases(gapCases, max(1, sample*len(gapCases)/len(corpus.cases)))
	}
	var asked, abstained [2]int
	for _, c := range gapCases {
		a, err := gapEngine.Ask(ctx, answer.Question{Text: c.text})
		if err != nil {
			return "", err
		}
		asked[c.index%2]++
		if a.Abstained {
			abstained[c.index%2]++
		}
	}
	fmt.Fprintf(&b, "\nQuestions whose paragraph is left out of a store that keeps their article (seed %d, a tenth of each stored article's paragraphs): abstained on %d of %d (%.3f) in the even half, %d of %d (%.3f) in the odd half; the baseline never abstains.\n",
		qaGapSeed, abstained[0], asked[0], ratio(abstained[0], asked[0]), abstained[1], asked[1], ratio(abstained[1], asked[1]))
	return b.String(), nil
}

func countStored(c *qaCorpus) int {
	seen := map[string]bool{}
	for _, q := range c.cases {
		if !q.withheld {
			seen[q.title] = true
		}
	}
	return len(seen)
}

// sampleCases returns n cases chosen with a fixed seed, in file order.
func sampleCases(cases []qaCase, n int) []qaCase {
	if n >= len(cases) {
		return cases
	}
	r := rand.New(rand.NewPCG(1000, 1000))
	idx := r.Perm(len(cases))[:n]
	sort.Ints(idx)
	out := make([]qaCase, n)
	for i, j := range idx {
		out[i] = cases[j]
	}
	return out
}

// runQA prints the answer protocol's results.
func runQA(ctx context.Context, shared, dir string, opts knowledge.Options, sample int) error {
	out, err := runSQuADAnswers(ctx, shared+"/eval/squad-dev-v1.1.json.gz", dir, opts, sample)
	if err != nil {
		return fmt.Errorf("squad answers: %w", err)
	}
	fmt.Println(out)
	return nil
}
