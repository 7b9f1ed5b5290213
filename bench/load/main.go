// Command load puts Byline under the load of many simulated users at once
// and checks every answer, for issue 7. It prints Markdown for
// bench/RESULTS.md.
//
//	go run ./bench/load                          # 600 questions in 50 channels, on Discord
//	go run ./bench/load -questions 1000 -channels 100 -llm-min 1s -llm-max 3s
//
// The bot is wired from its real pieces as `bot serve` wires them: a
// knowledge.Store in a temporary folder holding synthetic articles, an
// answer.Engine whose llm.Client talks to a local fake OpenAI-compatible
// server that streams each answer over a seeded 1–3 s, a chat.Service
// with a queue wide enough for every question at once and no per-user
// limit, and the platform adapter against a local fake of the platform
// (adapters/discord/discordtest). The users are the fake platform's
// events, sent in one burst.
//
// It reports answers per second, the bot's own time per answer apart from
// the model's, the peaks of questions in flight, memory and goroutines,
// and checks that every question got exactly one final reply, in its own
// thread. It exits non-zero if any did not.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"runtime/pprof"
	"slices"
	"sort"
	"sync"
	"time"

	"github.com/byline-bot/byline/adapters/chat"
	"github.com/byline-bot/byline/answer"
	"github.com/byline-bot/byline/knowledge"
	"github.com/byline-bot/byline/llm"
	"github.com/byline-bot/byline/metrics"
	"github.com/byline-bot/byline/prompts"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "load:", err)
		os.Exit(1)
	}
}

// config is the run's flags.
type config struct {
	platform   string
	channels   int
	questions  int
	articles   int
	concurrent int
	perConv    int
	llmMin     time.Duration
	llmMax     time.Duration
	seed       uint64
	once       string
	timeout    time.Duration
	cpuProfile string
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("load", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var c config
	fs.StringVar(&c.platform, "platform", "discord", "the chat platform to load: discord")
	fs.IntVar(&c.channels, "channels", 50, "channels the questions are spread over")
	fs.IntVar(&c.questions, "questions", 600, "questions, each a mention starting its own thread, all sent at once")
	fs.IntVar(&c.articles, "articles", 300, "synthetic articles in the knowledge base")
	fs.IntVar(&c.concurrent, "concurrent", 0, "answers the chat queue runs at once (chat.concurrent); 0 means as many as there are questions")
	fs.IntVar(&c.perConv, "per-conversation", 10, "questions that may wait in one conversation (chat.per_conversation)")
	fs.DurationVar(&c.llmMin, "llm-min", time.Second, "the fake model's shortest answer")
	fs.DurationVar(&c.llmMax, "llm-max", 3*time.Second, "the fake model's longest answer")
	fs.Uint64Var(&c.seed, "seed", 7, "seed of the articles and the model's latencies")
	fs.StringVar(&c.once, "once", "store", "where answered message ids are remembered: store (the knowledge base, as bot serve does) or memory")
	fs.DurationVar(&c.timeout, "timeout", 90*time.Second, "how long to wait for every answer")
	fs.StringVar(&c.cpuProfile, "cpuprofile", "", "write a CPU profile of the burst (questions sent to last answer) to this file")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if c.concurrent == 0 {
		c.concurrent = c.questions
	}
	switch {
	case c.channels < 1 || c.questions < 1 || c.articles < 1:
		return errors.New("-channels, -questions and -articles must be at least 1")
	case c.llmMin <= 0 || c.llmMax < c.llmMin:
		return errors.New("-llm-min must be positive and at most -llm-max")
	case c.once != "store" && c.once != "memory":
		return fmt.Errorf("-once is %q: use store or memory", c.once)
	case (c.questions+c.channels-1)/c.channels > 256:
		// The Discord adapter keeps at most 256 events waiting per channel.
		return errors.New("more than 256 questions per channel: add -channels")
	}
	var d driver
	switch c.platform {
	case "discord":
		d = &discordDriver{}
	default:
		return fmt.Errorf("-platform is %q: only discord is built so far", c.platform)
	}

	res, err := load(ctx, c, d)
	if res != nil {
		res.args = args
		res.report(stdout)
	}
	return err
}

// load runs one load test and returns its result; the error says what
// stopped the run or which checks failed.
func load(ctx context.Context, c config, d driver) (*result, error) {
	dir, err := os.MkdirTemp("", "byline-load-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)

	logs := &logCounter{}
	log := slog.New(logs)

	// The knowledge base, as `bot ingest` would leave it.
	store, err := knowledge.Open(ctx, dir+"/byline.db", knowledge.Options{Logger: log})
	if err != nil {
		return nil, err
	}
	defer store.Close()
	arts := articles(c.articles, c.seed)
	if _, err := store.Put(ctx, arts); err != nil {
		return nil, fmt.Errorf("storing the articles: %w", err)
	}

	// The engine, as cmd/bot's newEngine builds it with the default config.
	fake := newFakeLLM(c.seed, c.llmMin, c.llmMax)
	defer fake.close()
	set, err := prompts.Load("")
	if err != nil {
		return nil, err
	}
	const model = "gpt-4o-mini"
	client, err := llm.New(llm.Options{BaseURL: fake.baseURL(), APIKey: "sk-load-test-key", Model: model, Timeout: 60 * time.Second, MaxRetries: 3, Logger: log})
	if err != nil {
		return nil, err
	}
	counter, err := llm.NewCounter(model)
	if err != nil {
		return nil, err
	}
	engine, err := answer.New(answer.Options{
		Store: store, Prompts: set, LLM: client, Counter: counter,
		Passages: 8, PassageTokens: 3000, MaxAnswerTokens: 400, LLMTimeout: 45 * time.Second, CacheTTL: 10 * time.Minute,
		Logger: log,
	})
	if err != nil {
		return nil, err
	}

	// The platform's service, as serve's wiring.service builds it, with
	// no limiter.
	work, endWork := context.WithCancel(context.WithoutCancel(ctx))
	defer endWork()
	m := metrics.New()
	queue := chat.NewQueue(work, c.concurrent, c.perConv)
	svc, err := chat.NewService(chat.ServiceOptions{
		Engine: engine, Queue: queue, Platform: d.name(), Metrics: m, Logger: log,
		Policy: chat.NewPolicy(chat.Settings{Default: chat.ChannelSettings{Allowed: true, ReplyInThread: true}}, nil),
	})
	if err != nil {
		return nil, err
	}
	var once func(context.Context, string) (bool, error)
	var onceTimes timings
	if c.once == "store" {
		once = func(ctx context.Context, key string) (bool, error) {
			start := time.Now()
			defer func() { onceTimes.add(time.Since(start)) }()
			return store.Once(ctx, d.name()+":"+key, 24*time.Hour)
		}
	}

	var channels []string
	for i := range c.channels {
		channels = append(channels, fmt.Sprintf("%d", 100+i))
	}
	qs := make([]*question, c.questions)
	for i := range qs {
		tag := fmt.Sprintf("Q%04d", i)
		qs[i] = &question{n: i, tag: tag, channel: channels[i%len(channels)], text: questionText(i, tag)}
	}
	rec := newRecorder(qs)

	if err := d.start(ctx, botEnv{service: svc, library: store, once: once, channels: channels, logger: log, rec: rec}); err != nil {
		return nil, err
	}
	stopped := false
	defer func() {
		if !stopped {
			d.stop()
		}
	}()

	if c.cpuProfile != "" {
		f, err := os.Create(c.cpuProfile)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return nil, err
		}
		defer pprof.StopCPUProfile()
	}
	smp := startSampler(m, rec)
	res := &result{cfg: c, platform: d.name(), articles: len(arts), paragraphs: paragraphs(arts)}
	start := time.Now()
	var errs []error
	for _, q := range qs {
		rec.asking(q)
		want, err := d.ask(q)
		if err != nil {
			errs = append(errs, fmt.Errorf("asking %s: %w", q.tag, err))
			continue
		}
		rec.sent(q, want)
	}
	res.sendTime = time.Since(start)
	wctx, cancel := context.WithTimeout(ctx, c.timeout)
	waitErr := rec.wait(wctx)
	cancel()
	if waitErr != nil {
		errs = append(errs, waitErr)
	}
	// Stopping waits for whatever is still being posted, so that a reply
	// sent twice shows.
	stopped = true
	if err := d.stop(); err != nil {
		errs = append(errs, err)
	}
	endWork()
	queue.Wait()
	res.samples = smp.stop()
	res.hwm = vmHWM()

	rec.mu.Lock()
	defer rec.mu.Unlock()
	res.wall = rec.lastFinal.Sub(start)
	res.peakAsked = rec.peak
	res.progress, res.finals = rec.progress, rec.finals
	res.others, res.untagged = rec.others, rec.untagged
	for _, q := range qs {
		switch {
		case q.finals == 0:
			res.lost = append(res.lost, q.tag)
			continue
		case q.finals > 1:
			res.doubled = append(res.doubled, fmt.Sprintf("%s ×%d", q.tag, q.finals))
		}
		wrong := false
		for _, where := range q.landed {
			if where != q.want {
				wrong = true
			}
		}
		if err := d.verify(q); wrong || err != nil {
			if err == nil {
				err = fmt.Errorf("%s: answered in %v, want thread %s", q.tag, q.landed, q.want)
			}
			res.misplaced = append(res.misplaced, err.Error())
		}
		took := q.answered.Sub(q.asked)
		chosen, began, served, ok := fake.timing(q.tag)
		if !ok {
			res.noLLM = append(res.noLLM, q.tag)
			continue
		}
		res.toAdapter = append(res.toAdapter, q.touched.Sub(q.asked))
		res.toModel = append(res.toModel, began.Sub(q.touched))
		res.afterModel = append(res.afterModel, q.answered.Sub(began.Add(served)))
		res.took = append(res.took, took)
		res.llm = append(res.llm, chosen)
		res.overhead = append(res.overhead, took-chosen)
		res.overheadServed = append(res.overheadServed, took-served)
	}
	res.answered = len(res.took)
	res.once = onceTimes.all()
	res.llmCalls, res.llmFailed, res.llmPeak = fake.calls.Load(), fake.failed.Load(), fake.peak.Load()
	res.requests = d.requests()
	res.logs = logs.snapshot()
	if len(res.lost)+len(res.doubled)+len(res.misplaced)+len(res.others)+len(res.untagged)+len(res.noLLM) > 0 {
		errs = append(errs, fmt.Errorf("checks failed: %d lost, %d doubled, %d misplaced, %d other replies, %d unmatched answers, %d answered without the model",
			len(res.lost), len(res.doubled), len(res.misplaced), len(res.others), len(res.untagged), len(res.noLLM)))
	}
	return res, errors.Join(errs...)
}

// timings collects durations from many goroutines.
type timings struct {
	mu sync.Mutex
	ds []time.Duration
}

func (t *timings) add(d time.Duration) {
	t.mu.Lock()
	t.ds = append(t.ds, d)
	t.mu.Unlock()
}

func (t *timings) all() []time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	return slices.Clone(t.ds)
}

func paragraphs(as []knowledge.Article) int {
	n := 0
	for _, a := range as {
		n += len(a.Paragraphs)
	}
	return n
}

// logCounter is a slog.Handler that counts the warnings and errors logged,
// by message, and writes nothing.
type logCounter struct {
	mu     sync.Mutex
	counts map[string]int
}

func (*logCounter) Enabled(_ context.Context, l slog.Level) bool { return l >= slog.LevelWarn }

func (h *logCounter) Handle(_ context.Context, r slog.Record) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.counts == nil {
		h.counts = map[string]int{}
	}
	h.counts[r.Level.String()+" "+r.Message]++
	return nil
}

func (h *logCounter) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h *logCounter) WithGroup(string) slog.Handler      { return h }

func (h *logCounter) snapshot() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []string
	for k, v := range h.counts {
		out = append(out, fmt.Sprintf("%d× %s", v, k))
	}
	sort.Strings(out)
	return out
}
