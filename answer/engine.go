package answer

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sort"
	"strings"
	"time"

	"github.com/byline-bot/byline/cite"
	"github.com/byline-bot/byline/knowledge"
	"github.com/byline-bot/byline/llm"
	"github.com/byline-bot/byline/prompts"
)

// retriever is the part of the knowledge base the engine uses: Search and
// Generation to answer, Recent and Passage to read stories' leads for an
// overview.
type retriever interface {
	Search(ctx context.Context, q knowledge.Query) ([]knowledge.Passage, error)
	Generation(ctx context.Context) (int64, error)
	Recent(ctx context.Context, o knowledge.RecentOptions) ([]knowledge.RecentArticle, error)
	Passage(ctx context.Context, articleID string, paragraph int) (knowledge.Passage, error)
}

// completer is the part of the language model client the engine uses.
type completer interface {
	Complete(ctx context.Context, req llm.Request) (llm.Response, error)
	Stream(ctx context.Context, req llm.Request, onDelta func(delta string)) (llm.Response, error)
	Model() string
}

// tokenCounter counts the tokens of a text for the model in use.
type tokenCounter interface {
	Count(text string) int
}

// Options configures an Engine.
type Options struct {
	// Store is the knowledge base to answer from. Required.
	Store retriever
	// LLM writes the answers. Nil means extractive answers only.
	LLM completer
	// Counter counts prompt tokens for the passage budget. Nil means an
	// estimate of one token per four bytes.
	Counter tokenCounter
	// Prompts are the templates. Nil means the embedded ones.
	Prompts *prompts.Set
	// Passages is how many passages are retrieved for a question. Zero
	// means 8.
	Passages int
	// PassageTokens caps the tokens of the passages put in a prompt;
	// passages are added best first while they fit. Zero means 3,000.
	PassageTokens int
	// MaxAnswerTokens caps the model's answer. Zero means 400.
	MaxAnswerTokens int
	// LLMTimeout bounds one answer's model call, retries included. Zero
	// means 45 seconds; past it the answer falls back to extraction.
	LLMTimeout time.Duration
	// CacheTTL is how long an answer is reused for the same question over
	// the same stored articles. Zero means 10 minutes; negative disables
	// the cache.
	CacheTTL time.Duration
	// CacheSize caps the cached answers. Zero means 1,000.
	CacheSize int
	// Logger receives the engine's logs. Nil means discard.
	Logger *slog.Logger
	// Now is the clock. Nil means time.Now.
	Now func() time.Time
	// Model weighs sentences and decides abstention in extractive
	// answers. Nil means DefaultModel, the fitted one.
	Model *Model
	// Trace fills Answer.Trace with what the extractor weighed, for
	// fitting and explaining. It costs a little memory per answer.
	Trace bool
	// NeverAbstain answers extractively whenever some sentence shares a
	// word with the question, without asking the abstention model: for
	// fitting that model, never for users.
	NeverAbstain bool
}

// Engine answers questions from the knowledge base. It is safe for
// concurrent use.
type Engine struct {
	store         retriever
	llm           completer
	counter       tokenCounter
	prompts       *prompts.Set
	passages      int
	passageTokens int
	maxAnswer     int
	llmTimeout    time.Duration
	cache         *cache
	log           *slog.Logger
	now           func() time.Time
	model         Model
	trace, never  bool
}

// New returns an Engine.
func New(opts Options) (*Engine, error) {
	if opts.Store == nil {
		return nil, errors.New("answer: no knowledge base")
	}
	if opts.Prompts == nil {
		p, err := prompts.Load("")
		if err != nil {
			return nil, err
		}
		opts.Prompts = p
	}
	if opts.Counter == nil {
		opts.Counter = approxCounter{}
	}
	if opts.Passages == 0 {
		opts.Passages = 8
	}
	if opts.PassageTokens == 0 {
		opts.PassageTokens = 3000
	}
	if opts.MaxAnswerTokens == 0 {
		opts.MaxAnswerTokens = 400
	}
	if opts.LLMTimeout == 0 {
		opts.LLMTimeout = 45 * time.Second
	}
	if opts.CacheTTL == 0 {
		opts.CacheTTL = 10 * time.Minute
	}
	if opts.CacheSize == 0 {
		opts.CacheSize = 1000
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	e := &Engine{
		store:         opts.Store,
		llm:           opts.LLM,
		counter:       opts.Counter,
		prompts:       opts.Prompts,
		passages:      opts.Passages,
		passageTokens: opts.PassageTokens,
		maxAnswer:     opts.MaxAnswerTokens,
		llmTimeout:    opts.LLMTimeout,
		log:           opts.Logger.With("component", "answer"),
		now:           opts.Now,
		model:         DefaultModel(),
		trace:         opts.Trace,
		never:         opts.NeverAbstain,
	}
	if opts.Model != nil {
		e.model = *opts.Model
	}
	if opts.CacheTTL > 0 {
		e.cache = newCache(opts.CacheSize, opts.CacheTTL, opts.Now)
	}
	return e, nil
}

// approxCounter estimates tokens when no tokenizer is configured.
type approxCounter struct{}

func (approxCounter) Count(s string) int { return (len(s) + 3) / 4 }

// Turn is one earlier question and answer of a conversation.
type Turn struct {
	Question string
	Answer   string
}

// Question is what a user asked, with what the engine needs to answer it.
type Question struct {
	// Text is the question as typed.
	Text string
	// History holds the earlier turns of the same conversation, oldest
	// first, so that follow-ups can be understood.
	History []Turn
	// Sources keeps only these outlets (a channel's source filter).
	Sources []string
	// Prefer are articles to answer from first, such as the stories of the
	// digest whose thread the question is asked in; passages from the rest
	// of the store follow theirs.
	Prefer []string
	// OnPartial, when set, receives the answer's text as it grows while a
	// language model streams it (the whole text so far, not a delta). The
	// final Answer can differ: citations are checked after the stream ends.
	OnPartial func(text string)
}

// Answer is the engine's reply.
type Answer struct {
	// Text is the answer with [n] markers that resolve to Citations.
	Text string `json:"answer"`
	// Abstained is true when the articles do not answer the question; Text
	// then says so and what was searched.
	Abstained bool `json:"abstained"`
	// Citations are the sources, numbered in order of first use.
	Citations []Citation `json:"citations"`
	// Searched is the text that was searched for, after follow-up rewriting.
	Searched string `json:"searched"`
	// Model is the model that wrote the answer; empty when extracted.
	Model string `json:"model,omitempty"`
	// PromptTokens and CompletionTokens are the model's token usage.
	PromptTokens     int `json:"prompt_tokens,omitempty"`
	CompletionTokens int `json:"completion_tokens,omitempty"`
	// Note explains anything unusual, such as a fallback to extraction.
	Note string `json:"note,omitempty"`
	// Fallback says why a configured language model did not write the
	// answer, for metrics: "budget", "rate_limited", "timeout",
	// "unavailable", "config", "bad_request", "empty_response" or
	// "other"; empty when it did, or when none is configured.
	Fallback string `json:"fallback,omitempty"`
	// Cached is true when the answer was reused from the cache.
	Cached bool `json:"cached,omitempty"`
	// Passages are the retrieved passages the answer was built from.
	Passages []knowledge.Passage `json:"-"`
	// Retrieval and Generation are the time spent searching and in the
	// language model (zero without one, and for a cached answer).
	Retrieval, Generation time.Duration `json:"-"`
	// Trace is what the extractor weighed, when Options.Trace is set.
	Trace *Trace `json:"-"`
}

// AbstainText begins every abstention in English; the abstention is in
// the asker's language (see messages.go).
const AbstainText = "The articles I have don't say."

// retrieve searches for the question. Questions about the latest news get
// the relevant passages newest first.
func (e *Engine) retrieve(ctx context.Context, searched, question string, sources, prefer []string, limit int) ([]knowledge.Passage, error) {
	recent := wantsRecent(question)
	want := limit
	if recent {
		limit *= 2
	}
	ps, err := e.store.Search(ctx, knowledge.Query{Text: searched, Limit: limit, Sources: sources})
	if err != nil {
		return nil, err
	}
	if len(prefer) > 0 {
		first, err := e.store.Search(ctx, knowledge.Query{Text: searched, Limit: limit, Sources: sources, ArticleIDs: prefer})
		if err != nil {
			return nil, err
		}
		ps = preferFirst(first, ps, limit)
	}
	if !recent || len(ps) == 0 {
		return ps, nil
	}
	// Keep what is relevant enough, then prefer the newest.
	floor := ps[0].Score / 2
	kept := ps[:0:0]
	for _, p := range ps {
		if p.Score >= floor {
			kept = append(kept, p)
		}
	}
	sort.SliceStable(kept, func(i, j int) bool { return kept[i].Published.After(kept[j].Published) })
	return kept[:min(len(kept), want)], nil
}

// fallbackKind names the kind of a language model failure.
func fallbackKind(err error) string {
	for _, k := range []struct {
		err  error
		name string
	}{
		{llm.ErrBudgetSpent, "budget"}, {llm.ErrRateLimited, "rate_limited"}, {llm.ErrTimeout, "timeout"},
		{llm.ErrUnavailable, "unavailable"}, {llm.ErrConfig, "config"}, {llm.ErrBadRequest, "bad_request"},
		{llm.ErrEmptyResponse, "empty_response"},
	} {
		if errors.Is(err, k.err) {
			return k.name
		}
	}
	return "other"
}

// preferFirst returns the preferred passages, then the others not among
// them, at most limit in all.
func preferFirst(preferred, others []knowledge.Passage, limit int) []knowledge.Passage {
	out := append([]knowledge.Passage(nil), preferred[:min(len(preferred), limit)]...)
	seen := make(map[string]bool, len(out))
	for _, p := range out {
		seen[p.Ref()] = true
	}
	for _, p := range others {
		if len(out) == limit {
			break
		}
		if !seen[p.Ref()] {
			out = append(out, p)
		}
	}
	return out
}

// extractive answers by quoting the sentences that answer the question.
func (e *Engine) extractive(question string, passages []knowledge.Passage) Answer {
	var trace *Trace
	if e.trace {
		trace = new(Trace)
	}
	x := extractWith(e.model, question, passages, e.never, trace)
	if x.abstain || len(x.picks) == 0 {
		e.log.Debug("abstained", "reason", x.reason)
		return Answer{Abstained: true, Trace: trace}
	}
	var (
		b     strings.Builder
		cites cite.List
	)
	for i, p := range x.picks {
		n := cites.Number(passages[p.passage], p.text)
		if i > 0 {
			b.WriteByte(' ')
		}
		// Article text is untrusted too: markers planted in it, pings and
		// links go before the sentence is quoted in the answer.
		b.WriteString(strings.TrimSpace(cite.StripMarkers(p.text)))
		fmt.Fprintf(&b, " [%d]", n)
	}
	var urls []string
	for _, c := range cites.Citations() {
		urls = append(urls, c.URL)
	}
	return Answer{Text: cite.Sanitize(b.String(), urls), Citations: cites.Citations(), Trace: trace}
}

// clip shortens s to at most n runes, with an ellipsis.
func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// wantsRecent reports whether a question asks about the latest news.
func wantsRecent(q string) bool {
	q = " " + strings.ToLower(q) + " "
	for _, w := range []string{" latest ", " recent", " newest ", " today", " this week", " currently ", " now ", " now?", " so far", " still "} {
		if strings.Contains(q, w) {
			return true
		}
	}
	return false
}

// needsAsOf reports whether an answer should say how recent it is.
func needsAsOf(q string) bool { return wantsRecent(q) }

// asOf returns "As of 2 January 2006, " for the newest cited date.
func asOf(cs []Citation) string {
	var newest time.Time
	for _, c := range cs {
		if c.Published.After(newest) {
			newest = c.Published
		}
	}
	if newest.IsZero() {
		return ""
	}
	return "As of " + newest.UTC().Format("2 January 2006") + ": "
}
