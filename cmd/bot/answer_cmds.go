package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/byline-bot/byline/adapters/console"
	"github.com/byline-bot/byline/answer"
	"github.com/byline-bot/byline/digest"
	"github.com/byline-bot/byline/knowledge"
	"github.com/byline-bot/byline/knowledge/ingest"
	"github.com/byline-bot/byline/llm"
	"github.com/byline-bot/byline/prompts"
)

// newEngine wires the answer engine: the knowledge base, and the language
// model when the config names one.
func newEngine(e env, store *knowledge.Store) (*answer.Engine, error) {
	engine, _, err := newEngines(e, store)
	return engine, err
}

// newEngines wires the answer engine and the digest writer, which share
// the language model, its daily budget and the prompts.
func newEngines(e env, store *knowledge.Store) (*answer.Engine, *digest.Writer, error) {
	set, err := prompts.Load(e.cfg.Answer.PromptsDir)
	if err != nil {
		return nil, nil, err
	}
	ttl := e.cfg.Answer.CacheTTL.D()
	lib, err := newSearched(store)
	if err != nil {
		return nil, nil, err
	}
	if ttl == 0 {
		ttl = -1 // 0s in the config disables the cache
	}
	opts := answer.Options{
		Store:           lib,
		Prompts:         set,
		Passages:        e.cfg.Answer.Passages,
		PassageTokens:   e.cfg.Answer.PassageTokens,
		MaxAnswerTokens: e.cfg.Answer.MaxAnswerTokens,
		LLMTimeout:      e.cfg.Answer.Deadline.D(),
		CacheTTL:        ttl,
		Logger:          e.log,
	}
	if c := e.cfg.LLM; c.Model != "" {
		retries := c.MaxRetries
		if retries == 0 {
			retries = -1 // the config's 0 means none; llm's 0 means its default
		}
		client, err := llm.New(llm.Options{
			BaseURL: c.BaseURL, APIKey: c.APIKey, Model: c.Model, APIType: c.APIType,
			APIVersion: c.APIVersion, Timeout: c.Timeout.D(), MaxRetries: retries,
			Temperature: c.Temperature, Logger: e.log,
		})
		if err != nil {
			return nil, nil, fmt.Errorf("config: %w", err)
		}
		counter, err := llm.NewCounter(c.Model)
		if err != nil {
			return nil, nil, err
		}
		opts.LLM = client
		if c.DailyTokenBudget > 0 {
			// The day's spending is kept in the knowledge base, so a
			// restart does not reset it.
			if opts.LLM, err = llm.NewBudget(client, llm.BudgetOptions{TokensPerDay: c.DailyTokenBudget, Ledger: store, Logger: e.log}); err != nil {
				return nil, nil, err
			}
		}
		opts.Counter = counter
	}
	engine, err := answer.New(opts)
	if err != nil {
		return nil, nil, err
	}
	writer, err := digest.NewWriter(digest.WriterOptions{
		Store: store, LLM: opts.LLM, Counter: opts.Counter, Prompts: set,
		PassageTokens: opts.PassageTokens, LLMTimeout: opts.LLMTimeout, Logger: e.log,
	})
	if err != nil {
		return nil, nil, err
	}
	return engine, writer, nil
}

// cmdAsk answers one question, with footnoted sources or as JSON.
func cmdAsk(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("ask", flag.ContinueOnError)
	var c common
	c.register(fs)
	var (
		asJSON  = fs.Bool("json", false, "print the answer as JSON")
		sources = fs.String("source", "", "answer only from these outlets, comma-separated")
	)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "Usage: bot ask [--json] [--source S] QUESTION")
		fs.PrintDefaults()
	}
	words, err := parseFlags(fs, args, stderr)
	if err != nil {
		return err
	}
	if len(words) == 0 {
		fs.Usage()
		return usageError("ask: ask a question, e.g. bot ask \"who said what?\"")
	}
	e, store, err := c.openStore(ctx, getenv, stderr)
	if err != nil {
		return err
	}
	defer store.Close()
	engine, err := newEngine(e, store)
	if err != nil {
		return err
	}
	a, err := engine.Ask(ctx, answer.Question{Text: strings.Join(words, " "), Sources: splitList(*sources)})
	if err != nil {
		return err
	}
	if *asJSON {
		return writeJSON(stdout, jsonAnswerOf(a))
	}
	fmt.Fprintln(stdout, console.Render(a))
	return nil
}

// jsonAnswer is the documented JSON form of an answer.
type jsonAnswer struct {
	Answer    string         `json:"answer"`
	Abstained bool           `json:"abstained"`
	Citations []jsonCitation `json:"citations"`
	Searched  string         `json:"searched"`
	Model     string         `json:"model,omitempty"`
	Note      string         `json:"note,omitempty"`
	Usage     *jsonUsage     `json:"usage,omitempty"`
}

type jsonCitation struct {
	N         int    `json:"n"`
	ArticleID string `json:"article_id"`
	Title     string `json:"title"`
	Source    string `json:"source"`
	URL       string `json:"url"`
	Published string `json:"published"`
	Paragraph int    `json:"paragraph"`
	Quote     string `json:"quote"`
}

type jsonUsage struct {
	PromptTokens     int `json:"prompt_tokens"`
	CompletionTokens int `json:"completion_tokens"`
}

func jsonAnswerOf(a answer.Answer) jsonAnswer {
	out := jsonAnswer{Answer: a.Text, Abstained: a.Abstained, Searched: a.Searched, Model: a.Model, Note: a.Note,
		Citations: []jsonCitation{}}
	for _, c := range a.Citations {
		out.Citations = append(out.Citations, jsonCitation{
			N: c.N, ArticleID: c.ArticleID, Title: c.Title, Source: c.Source, URL: c.URL,
			Published: formatTime(c.Published), Paragraph: c.Paragraph, Quote: c.Quote,
		})
	}
	if a.Model != "" {
		out.Usage = &jsonUsage{PromptTokens: a.PromptTokens, CompletionTokens: a.CompletionTokens}
	}
	return out
}

// cmdChat runs the console chat, after ingesting any --ingest paths.
func cmdChat(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("chat", flag.ContinueOnError)
	var c common
	c.register(fs)
	var paths multiFlag
	fs.Var(&paths, "ingest", "ingest this file, folder or feed URL first (repeatable; unchanged articles cost nothing)")
	sources := fs.String("source", "", "answer only from these outlets, comma-separated")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "Usage: bot chat [--ingest PATH]... [--source S]")
		fs.PrintDefaults()
	}
	rest, err := parseFlags(fs, args, stderr)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return usageError("chat: unexpected argument %q (to ingest it first, use --ingest %s)", rest[0], rest[0])
	}
	e, store, err := c.openStore(ctx, getenv, stderr)
	if err != nil {
		return err
	}
	defer store.Close()
	if len(paths) > 0 {
		sum, err := ingest.Run(ctx, store, paths, e.ingestOptions())
		if err != nil {
			return fmt.Errorf("chat: ingest: %w", err)
		}
		fmt.Fprintln(stdout, sum.String())
	}
	st, err := store.Stats(ctx)
	if err != nil {
		return err
	}
	if st.Articles == 0 {
		fmt.Fprintf(stdout, "The knowledge base %s is empty: run bot chat --ingest examples/articles, or bot ingest PATH first.\n", e.dbPath)
	}
	engine, err := newEngine(e, store)
	if err != nil {
		return err
	}
	lib, err := newSearched(store)
	if err != nil {
		return err
	}
	chat, err := console.New(console.Options{Engine: engine, Library: lib, Sources: splitList(*sources), Logger: e.log, In: stdin, Out: stdout, Records: store})
	if err != nil {
		return err
	}
	mode := "answers quote the articles (no language model configured)"
	if e.cfg.LLM.Model != "" {
		mode = "answers written by " + e.cfg.LLM.Model
	}
	fmt.Fprintf(stdout, "%d articles, %d paragraphs in %s; %s.\n", st.Articles, st.Paragraphs, e.dbPath, mode)
	return chat.Run(ctx)
}

// multiFlag collects a repeatable string flag.
type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }

// splitList reads a comma-separated list, dropping empty items.
func splitList(s string) []string {
	var out []string
	for _, item := range strings.Split(s, ",") {
		if item = strings.TrimSpace(item); item != "" {
			out = append(out, item)
		}
	}
	return out
}
