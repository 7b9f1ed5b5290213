package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/byline-bot/byline/answer"
	"github.com/byline-bot/byline/knowledge"
	"github.com/byline-bot/byline/knowledge/ingest"
	"github.com/byline-bot/byline/llm"
	"github.com/byline-bot/byline/prompts"
	"github.com/byline-bot/byline/search"
)

// instantLLM stands in for the language model so that what is timed is the
// engine's own work. It answers at once with the first sentence of the
// first passage, cited, as a well-behaved model would, so that the
// citation check does its real work; it records how long it ran (to be
// subtracted) and the prompt's tokens.
type instantLLM struct {
	counter *llm.Counter

	mu      sync.Mutex
	spent   time.Duration
	prompts []int
}

var firstPassage = regexp.MustCompile(`(?s)<passage n="1"[^>]*>\n(.*?)\n</passage>`)

func (f *instantLLM) Complete(_ context.Context, req llm.Request) (llm.Response, error) {
	start := time.Now()
	var user string
	for _, m := range req.Messages {
		if m.Role == "user" {
			user = m.Content
		}
	}
	text := answer.AbstainText
	if m := firstPassage.FindStringSubmatch(user); m != nil {
		s := m[1]
		if i := strings.Index(s, ". "); i > 0 {
			s = s[:i+1]
		}
		text = "The articles report: " + s + " [1]"
	}
	n := f.counter.CountMessages(req.Messages)
	f.mu.Lock()
	f.prompts = append(f.prompts, n)
	f.spent += time.Since(start)
	f.mu.Unlock()
	return llm.Response{Text: text, Model: "instant", PromptTokens: n}, nil
}

func (f *instantLLM) Stream(ctx context.Context, req llm.Request, onDelta func(string)) (llm.Response, error) {
	r, err := f.Complete(ctx, req)
	if err == nil {
		onDelta(r.Text)
	}
	return r, err
}

func (f *instantLLM) Model() string { return "instant" }

// take returns the time spent in the fake since the last call.
func (f *instantLLM) take() time.Duration {
	f.mu.Lock()
	defer f.mu.Unlock()
	d := f.spent
	f.spent = 0
	return d
}

// library is the knowledge base as cmd/bot gives it to the engine; see
// search.Library.
type library = search.Library

// newLibrary wraps store as cmd/bot does.
var newLibrary = search.NewLibrary

// benchEngine builds an engine over store the way cmd/bot does, with the
// cache off so that every question does the whole work.
func benchEngine(store *knowledge.Store, model *instantLLM) (*answer.Engine, error) {
	set, err := prompts.Load("")
	if err != nil {
		return nil, err
	}
	lib, err := newLibrary(store)
	if err != nil {
		return nil, err
	}
	opts := answer.Options{Store: lib, Prompts: set, CacheTTL: -1}
	if model != nil {
		opts.LLM, opts.Counter = model, model.counter
	}
	return answer.New(opts)
}

// runAnswer measures what issue 3 asks of the answer engine: the time it
// adds per question apart from the LLM, over the Reuters store, and the
// prompt tokens of each story question.
func runAnswer(ctx context.Context, shared, dir string, opts knowledge.Options) (string, error) {
	counter, err := llm.NewCounter("gpt-4o-mini")
	if err != nil {
		return "", err
	}
	var b strings.Builder
	b.WriteString("## Answer engine: time apart from the LLM, prompt tokens\n\n")

	// Reuters: the store -reuters built in this run, or a fresh one.
	dbPath := filepath.Join(dir, "reuters.db")
	store, err := knowledge.Open(ctx, dbPath, opts)
	if err != nil {
		return "", err
	}
	defer store.Close()
	if _, err := ingest.Run(ctx, store, []string{shared + "/corpus/reuters21578.jsonl.gz"}, ingest.Options{}); err != nil {
		return "", err
	}
	qs, err := makeQuestions(ctx, store)
	if err != nil {
		return "", err
	}
	model := &instantLLM{counter: counter}
	withLLM, err := benchEngine(store, model)
	if err != nil {
		return "", err
	}
	extractive, err := benchEngine(store, nil)
	if err != nil {
		return "", err
	}
	var search, extract, generate []time.Duration
	abstained := [2]int{}
	for _, q := range qs {
		start := time.Now()
		if _, err := store.Search(ctx, knowledge.Query{Text: q.text, Limit: 8}); err != nil {
			return "", err
		}
		search = append(search, time.Since(start))

		start = time.Now()
		a, err := extractive.Ask(ctx, answer.Question{Text: q.text})
		if err != nil {
			return "", err
		}
		extract = append(extract, time.Since(start))
		if a.Abstained {
			abstained[0]++
		}

		model.take()
		start = time.Now()
		a, err = withLLM.Ask(ctx, answer.Question{Text: q.text})
		if err != nil {
			return "", err
		}
		generate = append(generate, time.Since(start)-model.take())
		if a.Abstained {
			abstained[1]++
		}
	}
	st, err := store.Stats(ctx)
	if err != nil {
		return "", err
	}
	fmt.Fprintf(&b, "The %d Reuters questions of the speed run (seed %d) over %d paragraphs, asked in turn of the three, answer cache off, 8 passages a question (the default `answer.passages`). The LLM is a stand-in that answers at once with the first passage's first sentence, cited; the time spent inside it is subtracted.\n\n",
		len(qs), questionSeed, st.Paragraphs)
	b.WriteString("| path | p50 | p99 | abstained |\n|---|---|---|---|\n")
	s50, s99 := percentiles(search)
	fmt.Fprintf(&b, "| baseline: retrieval alone (`Store.Search`, Limit 8) | %s | %s | |\n", ms(s50), ms(s99))
	e50, e99 := percentiles(extract)
	fmt.Fprintf(&b, "| `Engine.Ask`, extractive (no LLM configured) | %s | %s | %d |\n", ms(e50), ms(e99), abstained[0])
	g50, g99 := percentiles(generate)
	fmt.Fprintf(&b, "| `Engine.Ask` with an LLM, the LLM's own time subtracted (retrieval, prompt, token budget, verification) | %s | %s | %d |\n\n", ms(g50), ms(g99), abstained[1])
	fmt.Fprintf(&b, "ratio to retrieval alone: extractive p50 %.2f, p99 %.2f; with an LLM p50 %.2f, p99 %.2f\n\n",
		float64(e50)/float64(s50), float64(e99)/float64(s99), float64(g50)/float64(s50), float64(g99)/float64(s99))
	// What the engine adds to retrieval, question by question (each ran
	// its own search, after the baseline's had warmed the same pages).
	added := func(ds []time.Duration) (time.Duration, time.Duration) {
		diff := make([]time.Duration, len(ds))
		for i := range ds {
			diff[i] = ds[i] - search[i]
		}
		return percentiles(diff)
	}
	x50, x99 := added(extract)
	y50, y99 := added(generate)
	fmt.Fprintf(&b, "added to retrieval, per question (engine time minus that question's `Store.Search` time): extractive p50 %s, p99 %s; with an LLM p50 %s, p99 %s\n\n",
		ms(x50), ms(x99), ms(y50), ms(y99))

	// The story: prompt tokens per question, as sent.
	storyDB := filepath.Join(dir, "story.db")
	removeDB(storyDB)
	story, err := knowledge.Open(ctx, storyDB, opts)
	if err != nil {
		return "", err
	}
	defer story.Close()
	if _, err := ingest.Run(ctx, story, []string{shared + "/corpus/story"}, ingest.Options{}); err != nil {
		return "", err
	}
	storyModel := &instantLLM{counter: counter}
	eng, err := benchEngine(story, storyModel)
	if err != nil {
		return "", err
	}
	questions, err := readStoryQuestions(shared + "/eval/story-questions.jsonl")
	if err != nil {
		return "", err
	}
	fmt.Fprintf(&b, "Prompt tokens per story question (system and user messages as sent, counted with tiktoken's %s encoding; `answer.passage_tokens` 3000, 8 passages at most):\n\n", counter.Encoding())
	b.WriteString("| question | prompt tokens | passages in the prompt |\n|---|---|---|\n")
	var all []int
	for _, q := range questions {
		before := len(storyModel.prompts)
		a, err := eng.Ask(ctx, answer.Question{Text: q.text})
		if err != nil {
			return "", err
		}
		n := 0
		if len(storyModel.prompts) > before {
			n = storyModel.prompts[len(storyModel.prompts)-1]
			all = append(all, n)
		}
		fmt.Fprintf(&b, "| %s %s | %d | %d |\n", q.id, q.text, n, len(a.Passages))
	}
	slices.Sort(all)
	if len(all) > 0 {
		sum := 0
		for _, n := range all {
			sum += n
		}
		fmt.Fprintf(&b, "\n%d of %d questions reached the LLM (the others found no passage and abstained without a call); prompt tokens min %d, median %d, mean %d, max %d.\n",
			len(all), len(questions), all[0], all[len(all)/2], sum/len(all), all[len(all)-1])
	}
	return b.String(), nil
}

type storyQuestion struct{ id, text string }

func readStoryQuestions(path string) ([]storyQuestion, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []storyQuestion
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var q struct {
			ID       string `json:"id"`
			Question string `json:"question"`
		}
		if err := json.Unmarshal(sc.Bytes(), &q); err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		out = append(out, storyQuestion{q.ID, q.Question})
	}
	return out, sc.Err()
}

// mustLibrary is newLibrary for a store already open; search.New fails only
// on a nil store.
func mustLibrary(store *knowledge.Store) library {
	lib, err := newLibrary(store)
	if err != nil {
		panic(err)
	}
	return lib
}
