// Command load puts Byline under the load of many simulated users at once
// and checks every answer, for issue 7. It prints Markdown for
// bench/RESULTS.md.
//
//	go run ./bench/load                          # 600 questions, half on Discord, half on Slack, at once
//	go run ./bench/load -platforms slack         # all 600 on Slack
//	go run ./bench/load -questions 1000 -channels 100 -llm-min 1s -llm-max 3s
//
// The bot is wired from its real pieces as `bot serve` wires them: a
// knowledge.Store in a temporary folder holding synthetic articles, an
// answer.Engine whose llm.Client talks to a local fake OpenAI-compatible
// server that streams each answer over a seeded 1–3 s, and, for each
// platform, a chat.Service of its own (its own queue, wide enough for
// all its questions at once, no per-user limit) and the platform's
// adapter against a local fake of the platform
// (adapters/discord/discordtest, adapters/slack/slacktest). The store, the
// engine, the model and the metrics are shared, as in `bot serve`. The
// users are the fake platforms' events: question i goes to platform
// i mod len(-platforms), and every platform's questions are sent in one
// burst, at the same time.
//
// It reports, for each platform and for the run, answers per second, the
// bot's own time per answer apart from the model's, the peaks of
// questions in flight, memory and goroutines, and checks that every
// question got exactly one final reply, in its own thread. It exits
// non-zero if any did not.
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
	"strings"
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
	platforms  []string
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
	platforms := fs.String("platforms", "discord,slack", "the chat platforms to load at once, comma-separated: discord, slack; the questions are dealt out among them")
	fs.IntVar(&c.channels, "channels", 50, "channels each platform's questions are spread over")
	fs.IntVar(&c.questions, "questions", 600, "questions in all, each a mention starting its own thread, all sent at once")
	fs.IntVar(&c.articles, "articles", 300, "synthetic articles in the knowledge base")
	fs.IntVar(&c.concurrent, "concurrent", 0, "answers each platform's chat queue runs at once (chat.concurrent); 0 means as many as it has questions")
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
	var ds []driver
	for _, name := range strings.Split(*platforms, ",") {
		name = strings.TrimSpace(name)
		if slices.Contains(c.platforms, name) {
			return fmt.Errorf("-platforms names %s twice", name)
		}
		switch name {
		case "discord":
			ds = append(ds, &discordDriver{})
		case "slack":
			ds = append(ds, &slackDriver{})
		default:
			return fmt.Errorf("-platforms has %q: use discord, slack or both", name)
		}
		c.platforms = append(c.platforms, name)
	}
	perPlatform := (c.questions + len(ds) - 1) / max(len(ds), 1)
	switch {
	case c.channels < 1 || c.questions < len(ds) || c.articles < 1:
		return errors.New("-channels and -articles must be at least 1, and -questions at least one per platform")
	case c.llmMin <= 0 || c.llmMax < c.llmMin:
		return errors.New("-llm-min must be positive and at most -llm-max")
	case c.once != "store" && c.once != "memory":
		return fmt.Errorf("-once is %q: use store or memory", c.once)
	case (perPlatform+c.channels-1)/c.channels > 128:
		// The Discord adapter keeps at most 256 events waiting per
		// channel, and the Slack adapter as many; each Slack question is
		// two events (app_mention and message).
		return errors.New("more than 128 questions per channel on a platform: add -channels")
	}

	res, err := load(ctx, c, ds)
	if res != nil {
		res.args = args
		res.report(stdout)
	}
	return err
}

// platformRun is one platform's part of a run.
type platformRun struct {
	d          driver
	qs         []*question
	rec        *recorder
	queue      *chat.Queue
	once       timings
	concurrent int
	sendTime   time.Duration
	sendErrs   []error
}

// load runs one load test over the drivers at once and returns its
// result; the error says what stopped the run or which checks failed.
func load(ctx context.Context, c config, ds []driver) (*runResult, error) {
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

	// Each platform's service, as serve's wiring.service builds it, with
	// no limiter; the questions dealt out among the platforms.
	work, endWork := context.WithCancel(context.WithoutCancel(ctx))
	defer endWork()
	m := metrics.New()
	all := &flight{}
	ps := make([]*platformRun, len(ds))
	for i, d := range ds {
		ps[i] = &platformRun{d: d}
	}
	for n := range c.questions {
		p := ps[n%len(ps)]
		tag := fmt.Sprintf("Q%04d", n)
		ch := channelID(p.d.name(), (n/len(ps))%c.channels)
		p.qs = append(p.qs, &question{n: n, tag: tag, channel: ch, text: questionText(n, tag)})
	}
	var recs []*recorder
	for _, p := range ps {
		name := p.d.name()
		p.rec = newRecorder(p.qs, all)
		recs = append(recs, p.rec)
		p.concurrent = c.concurrent
		if p.concurrent == 0 {
			p.concurrent = len(p.qs)
		}
		p.queue = chat.NewQueue(work, p.concurrent, c.perConv)
		var once func(context.Context, string) (bool, error)
		if c.once == "store" {
			once = func(ctx context.Context, key string) (bool, error) {
				start := time.Now()
				defer func() { p.once.add(time.Since(start)) }()
				// The Service namespaces key by platform already.
				return store.Once(ctx, key, 24*time.Hour)
			}
		}
		svc, err := chat.NewService(chat.ServiceOptions{
			Engine: engine, Queue: p.queue, Platform: name, Metrics: m, Logger: log.With("component", name),
			Policy: chat.NewPolicy(chat.Settings{Default: chat.ChannelSettings{Allowed: true, ReplyInThread: true}}, nil),
			Once:   once,
		})
		if err != nil {
			return nil, err
		}
		var channels []string
		for i := range c.channels {
			channels = append(channels, channelID(name, i))
		}
		if err := p.d.start(ctx, botEnv{service: svc, library: store, channels: channels, logger: log, rec: p.rec}); err != nil {
			for _, q := range ps {
				if q == p {
					break
				}
				q.d.stop()
			}
			return nil, fmt.Errorf("starting %s: %w", name, err)
		}
	}
	stopped := false
	defer func() {
		if !stopped {
			for _, p := range ps {
				p.d.stop()
			}
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
	smp := startSampler(m, recs)
	res := &runResult{cfg: c, articles: len(arts), paragraphs: paragraphs(arts)}

	// The burst: every platform's users at once.
	start := time.Now()
	var wg sync.WaitGroup
	for _, p := range ps {
		wg.Go(func() {
			for _, q := range p.qs {
				p.rec.asking(q)
				want, err := p.d.ask(q)
				if err != nil {
					p.sendErrs = append(p.sendErrs, fmt.Errorf("%s: asking %s: %w", p.d.name(), q.tag, err))
					continue
				}
				p.rec.sent(q, want)
			}
			p.sendTime = time.Since(start)
		})
	}
	wg.Wait()
	var errs []error
	wctx, cancel := context.WithTimeout(ctx, c.timeout)
	for _, p := range ps {
		errs = append(errs, p.sendErrs...)
		if err := p.rec.wait(wctx); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", p.d.name(), err))
		}
	}
	cancel()
	// Stopping waits for whatever is still being posted, so that a reply
	// sent twice shows.
	stopped = true
	for _, p := range ps {
		if err := p.d.stop(); err != nil {
			errs = append(errs, err)
		}
	}
	endWork()
	for _, p := range ps {
		p.queue.Wait()
	}
	res.samples = smp.stop()
	res.hwm = vmHWM()
	res.peakAsked = all.max()
	res.llmCalls, res.llmFailed, res.llmPeak = fake.calls.Load(), fake.failed.Load(), fake.peak.Load()
	res.logs = logs.snapshot()

	for _, p := range ps {
		r := collect(p, fake, start)
		res.platforms = append(res.platforms, r)
		res.answered += r.answered
		res.took = append(res.took, r.took...)
		res.overhead = append(res.overhead, r.overhead...)
		res.wall = max(res.wall, r.wall)
		if r.failed() {
			errs = append(errs, fmt.Errorf("%s: checks failed: %d lost, %d doubled, %d misplaced, %d other replies, %d unmatched answers, %d answered without the model",
				r.platform, len(r.lost), len(r.doubled), len(r.misplaced), len(r.others), len(r.untagged), len(r.noLLM)))
		}
	}
	return res, errors.Join(errs...)
}

// channelID is the id of a platform's nth channel: Discord's are numbers,
// Slack's start with C.
func channelID(platform string, n int) string {
	if platform == "slack" {
		return fmt.Sprintf("C%d", 100+n)
	}
	return fmt.Sprintf("%d", 100+n)
}

// collect checks and measures what became of a platform's questions, once
// the run is over.
func collect(p *platformRun, fake *fakeLLM, start time.Time) *result {
	rec := p.rec
	rec.mu.Lock()
	defer rec.mu.Unlock()
	res := &result{platform: p.d.name(), questions: len(p.qs), concurrent: p.concurrent, sendTime: p.sendTime}
	res.wall = rec.lastFinal.Sub(start)
	res.peakAsked = rec.peak
	res.progress, res.finals = rec.progress, rec.finals
	res.others, res.untagged = rec.others, rec.untagged
	for _, q := range p.qs {
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
		if err := p.d.verify(q); wrong || err != nil {
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
	res.once = p.once.all()
	res.requests = p.d.requests()
	return res
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
