package main

import (
	"context"
	"fmt"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/byline-bot/byline/digest"
	"github.com/byline-bot/byline/knowledge"
	"github.com/byline-bot/byline/knowledge/ingest"
	"github.com/byline-bot/byline/llm"
	"github.com/byline-bot/byline/prompts"
	"github.com/byline-bot/byline/stories"
)

// digestRuns is how many times each digest is built for its timings.
const digestRuns = 10

// digestLLM stands in for the language model in the digest timings. It
// answers at once as a well-behaved model would: for each story of the
// prompt a "## " headline (the story's first passage's title) and the
// first sentence of that passage, cited, so that parsing and checking do
// their real work. It records the time spent in it, to be subtracted, and
// the prompts' tokens.
type digestLLM struct {
	counter *llm.Counter

	mu      sync.Mutex
	spent   time.Duration
	prompts []int
}

var digestPassageRe = regexp.MustCompile(`(?s)<passage n="(\d+)" story="(\d+)"[^>]*title="([^"]*)">\n(.*?)\n</passage>`)

func (f *digestLLM) Complete(_ context.Context, req llm.Request) (llm.Response, error) {
	start := time.Now()
	var user string
	for _, m := range req.Messages {
		if m.Role == llm.RoleUser {
			user = m.Content
		}
	}
	var (
		b    strings.Builder
		done = make(map[string]bool)
	)
	for _, m := range digestPassageRe.FindAllStringSubmatch(user, -1) {
		n, story, title, text := m[1], m[2], m[3], m[4]
		if done[story] {
			continue
		}
		done[story] = true
		if i := strings.Index(text, ". "); i > 0 {
			text = text[:i+1]
		}
		fmt.Fprintf(&b, "## %s\n%s [%s]\n\n", title, text, n)
	}
	n := f.counter.CountMessages(req.Messages)
	f.mu.Lock()
	f.prompts = append(f.prompts, n)
	f.spent += time.Since(start)
	f.mu.Unlock()
	return llm.Response{Text: b.String(), Model: "instant", PromptTokens: n}, nil
}

func (f *digestLLM) Stream(ctx context.Context, req llm.Request, onDelta func(string)) (llm.Response, error) {
	r, err := f.Complete(ctx, req)
	if err == nil {
		onDelta(r.Text)
	}
	return r, err
}

func (f *digestLLM) Model() string { return "instant" }

// take returns the time spent in the fake since the last call.
func (f *digestLLM) take() time.Duration {
	f.mu.Lock()
	defer f.mu.Unlock()
	d := f.spent
	f.spent = 0
	return d
}

// runDigest measures issue 6's digest: the time to build the digest of
// the busiest day of Reuters-21578 (by publication date) from a store
// holding the whole corpus, quoting the articles and with a language
// model (a stand-in that answers at once; its time is subtracted), against
// a plain listing of the same window's articles (`Store.Articles`)
// measured in the same run.
func runDigest(ctx context.Context, shared, dir string, opts knowledge.Options) (string, error) {
	var b strings.Builder
	b.WriteString("## Digest: the busiest day of Reuters-21578\n\n")

	// The store -reuters or -answer built in this run, or a fresh one.
	store, err := knowledge.Open(ctx, filepath.Join(dir, "reuters.db"), opts)
	if err != nil {
		return "", err
	}
	defer store.Close()
	if _, err := ingest.Run(ctx, store, []string{filepath.Join(shared, "corpus", "reuters21578.jsonl.gz")}, ingest.Options{}); err != nil {
		return "", err
	}
	since, count, err := busiestDay(ctx, store)
	if err != nil {
		return "", err
	}
	until := since.Add(24 * time.Hour)
	window := fmt.Sprintf("%s to %s", since.Format("2006-01-02 15:04"), until.Format("2006-01-02 15:04 MST"))

	set, err := prompts.Load("")
	if err != nil {
		return "", err
	}
	counter, err := llm.NewCounter("gpt-4o-mini")
	if err != nil {
		return "", err
	}
	extractive, err := digest.NewWriter(digest.WriterOptions{Store: store, Prompts: set})
	if err != nil {
		return "", err
	}
	model := &digestLLM{counter: counter}
	withLLM, err := digest.NewWriter(digest.WriterOptions{Store: store, Prompts: set, LLM: model, Counter: counter})
	if err != nil {
		return "", err
	}

	req := digest.Request{Since: since, Until: until}
	var (
		list, recent, group, quoted, written []time.Duration
		arts                                 []knowledge.RecentArticle
		grouped                              []stories.Story
		dq, dw                               digest.Digest
	)
	for range digestRuns {
		start := time.Now()
		if _, err := store.Articles(ctx, knowledge.ListOptions{Since: since, Until: until}); err != nil {
			return "", err
		}
		list = append(list, time.Since(start))

		start = time.Now()
		if arts, err = store.Recent(ctx, knowledge.RecentOptions{Since: since, Until: until}); err != nil {
			return "", err
		}
		recent = append(recent, time.Since(start))

		start = time.Now()
		grouped = stories.Group(arts)
		group = append(group, time.Since(start))

		start = time.Now()
		if dq, err = extractive.Digest(ctx, req); err != nil {
			return "", err
		}
		quoted = append(quoted, time.Since(start))

		model.take()
		start = time.Now()
		if dw, err = withLLM.Digest(ctx, req); err != nil {
			return "", err
		}
		written = append(written, time.Since(start)-model.take())
	}
	if dw.Model == "" {
		return "", fmt.Errorf("the digest with the stand-in model fell back to quoting: %s", dw.Note)
	}

	multi, largest := 0, 0
	for _, s := range grouped {
		n := len(s.Accounts)
		for _, cs := range s.Copies {
			n += len(cs)
		}
		largest = max(largest, n)
		if len(s.Accounts) > 1 {
			multi++
		}
	}
	fmt.Fprintf(&b, "The busiest day by publication date is %s (%s), %d articles published; the store holds the whole corpus. "+
		"Each path ran %d times in turn, answer cache off. The LLM is a stand-in that writes at once one cited sentence a story, as a well-behaved model would; the time spent inside it is subtracted.\n\n",
		since.Format("2 Jan 2006"), window, count, digestRuns)
	fmt.Fprintf(&b, "Articles considered %d; stories %d, %d of them of several accounts, the largest %d articles; items %d (extractive) and %d (LLM), %d and %d citations; prompt tokens %d.\n\n",
		dq.Articles, dq.Stories, multi, largest, len(dq.Items), len(dw.Items), len(dq.Citations), len(dw.Citations), model.last())
	b.WriteString("| path | p50 | max |\n|---|---|---|\n")
	row := func(name string, ds []time.Duration) {
		p50, _ := percentiles(ds)
		fmt.Fprintf(&b, "| %s | %s | %s |\n", name, ms(p50), ms(maxDuration(ds)))
	}
	row("baseline: `Store.Articles` listing of the window", list)
	row("`Store.Recent` (the window's articles with three lead paragraphs each)", recent)
	row("`stories.Group` (grouping and ranking alone, on Recent's articles)", group)
	row("`Engine.Digest`, extractive (no LLM configured)", quoted)
	row("`Engine.Digest` with an LLM, the LLM's own time subtracted", written)
	l50, _ := percentiles(list)
	q50, _ := percentiles(quoted)
	w50, _ := percentiles(written)
	fmt.Fprintf(&b, "\nratio to the baseline listing, p50: extractive %.1f, with an LLM %.1f; max: extractive %.1f, with an LLM %.1f\n\n",
		float64(q50)/float64(l50), float64(w50)/float64(l50),
		float64(maxDuration(quoted))/float64(maxDuration(list)), float64(maxDuration(written))/float64(maxDuration(list)))
	b.WriteString("The extractive digest's items:\n\n")
	for i, it := range dq.Items {
		fmt.Fprintf(&b, "%d. %s (%d accounts, %d articles)\n", i+1, it.Headline, it.Accounts, len(it.ArticleIDs))
	}
	return b.String(), nil
}

// last returns the tokens of the latest prompt.
func (f *digestLLM) last() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.prompts) == 0 {
		return 0
	}
	return f.prompts[len(f.prompts)-1]
}

// busiestDay returns the UTC day on which the most stored articles were
// published, and how many.
func busiestDay(ctx context.Context, store *knowledge.Store) (time.Time, int, error) {
	list, err := store.Articles(ctx, knowledge.ListOptions{})
	if err != nil {
		return time.Time{}, 0, err
	}
	perDay := make(map[string]int)
	for _, a := range list {
		if !a.Published.IsZero() {
			perDay[a.Published.UTC().Format("2006-01-02")]++
		}
	}
	if len(perDay) == 0 {
		return time.Time{}, 0, fmt.Errorf("no stored article has a publication date")
	}
	days := make([]string, 0, len(perDay))
	for d := range perDay {
		days = append(days, d)
	}
	sort.Slice(days, func(i, j int) bool {
		if perDay[days[i]] != perDay[days[j]] {
			return perDay[days[i]] > perDay[days[j]]
		}
		return days[i] < days[j]
	})
	day, err := time.Parse("2006-01-02", days[0])
	return day, perDay[days[0]], err
}
