package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/byline-bot/byline/adapters/chat"
	"github.com/byline-bot/byline/answer"
	"github.com/byline-bot/byline/corrections"
	"github.com/byline-bot/byline/digest"
	"github.com/byline-bot/byline/knowledge"
	"github.com/byline-bot/byline/knowledge/ingest"
	"github.com/byline-bot/byline/metrics"
)

// onceKeep is how long an event id is remembered to answer it once: longer
// than Slack's retries (minutes) and a gateway's replays after a
// reconnect, and across a restart of the bot.
const onceKeep = 24 * time.Hour

// platform is one chat surface `bot serve` runs, with its answering
// pipeline.
type platform struct {
	name    string
	bot     chat.Platform
	service *chat.Service
	queue   *chat.Queue
}

// cmdServe connects to Discord and Slack, answers there, posts the
// digests and polls the feeds until ctx is done (SIGINT, SIGTERM). At
// shutdown it stops taking questions, gives those in flight the platforms'
// drain time to be posted, logs what was left, and closes the database.
func cmdServe(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	var c common
	c.register(fs)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "Usage: bot serve --config FILE\n\nAnswers in Discord and Slack, posts the digests and polls the feeds the config names.")
		fs.PrintDefaults()
	}
	rest, err := parseFlags(fs, args, stderr)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		fs.Usage()
		return usageError("serve: unexpected argument %q", rest[0])
	}
	e, err := c.setup(getenv, stderr)
	if err != nil {
		return err
	}
	if err := checkPlatforms(e.cfg); err != nil {
		return err
	}
	store, err := e.open(ctx)
	if err != nil {
		return err
	}
	defer store.Close()
	engine, writer, err := newEngines(e, store)
	if err != nil {
		return err
	}
	m := metrics.New()
	log := e.log.With("component", "serve")

	// Answers run on a context of their own, which outlives ctx: the
	// platforms drain them after ctx is done, and only then is it ended.
	work, endWork := context.WithCancel(context.WithoutCancel(ctx))
	defer endWork()

	lib, err := newSearched(store)
	if err != nil {
		return err
	}
	w := &wiring{e: e, store: store, library: lib, engine: engine, metrics: m, work: work, log: log}
	// Ready while every platform is connected and taking questions.
	var readyMu sync.Mutex
	up := map[string]bool{}
	kinds := enabledKinds(e.cfg)
	wanted := len(kinds)
	w.onReady = func(platform string) func(bool) {
		return func(ready bool) {
			readyMu.Lock()
			defer readyMu.Unlock()
			was := len(up) == wanted
			if ready {
				up[platform] = true
			} else {
				delete(up, platform)
			}
			now := len(up) == wanted
			m.SetReady(now)
			if now != was {
				log.Info("readiness changed", "ready", now, "platform", platform)
			}
		}
	}
	var platforms []*platform
	for _, k := range kinds {
		p, err := w.build(k)
		if err != nil {
			return err
		}
		platforms = append(platforms, p)
	}
	sched, err := newScheduler(e, store, writer, m, platforms)
	if err != nil {
		return err
	}
	w.sched = sched
	if err := reopenDigestThreads(ctx, store, platforms); err != nil {
		// Replies there will need a mention; nothing else is lost.
		log.Warn("reopening the threads of today's digests failed", "err", err)
	}

	notifier := newNotifier(e, store, platforms, m)

	g, gctx := errgroup.WithContext(ctx)
	if addr := e.cfg.Metrics.Listen; addr != "" {
		g.Go(func() error {
			if err := m.Serve(gctx, addr, log); err != nil {
				return fmt.Errorf("metrics.listen %s: %w", addr, err)
			}
			return nil
		})
	}
	for _, p := range platforms {
		// Each adapter's errors name the adapter already.
		g.Go(func() error { return p.bot.Run(gctx) })
	}
	g.Go(func() error { return sched.Run(gctx) })
	g.Go(func() error { notifier.Run(gctx, e.cfg.Chat.CorrectionsCheck.D()); return nil })
	g.Go(func() error {
		runGaps(gctx, e.cfg.Gaps, store, platforms, m, e.log.With("component", "gaps"))
		return nil
	})
	if urls := e.cfg.Feeds.URLs; len(urls) > 0 {
		poller := ingest.NewPoller(store, ingest.PollOptions{
			URLs: urls, Interval: e.cfg.Feeds.Interval.D(), MaxFileBytes: int64(e.cfg.Ingest.MaxFileMB) << 20, Logger: e.log,
			HTTPClient: e.ingestOptions().HTTPClient,
			OnPoll: func(s ingest.Summary) {
				m.Ingested("new", s.New)
				m.Ingested("updated", s.Updated)
				m.Ingested("failed", s.Failed())
				if s.Updated > 0 {
					notifier.Kick()
				}
			},
		})
		g.Go(func() error { return poller.Run(gctx) })
	}
	log.Info("serving", "platforms", len(platforms), "digests", len(e.cfg.Digest.Channels), "feeds", len(e.cfg.Feeds.URLs), "llm", e.cfg.LLM.Model != "")
	err = g.Wait()
	m.SetReady(false)

	// The platforms have stopped taking questions and waited for those in
	// flight; whatever is still queued now is dropped, and said so.
	for _, p := range platforms {
		p.queue.Close()
		if n := p.queue.Len(); n > 0 {
			log.Warn("shutdown: questions left unanswered", "platform", p.name, "count", n)
		}
	}
	endWork()
	for _, p := range platforms {
		p.queue.Wait()
	}
	if err != nil {
		return err
	}
	log.Info("shut down cleanly")
	return nil
}

// newNotifier returns what posts the correction notices (package
// corrections) on the platforms being served.
func newNotifier(e env, store *knowledge.Store, platforms []*platform, m *metrics.Metrics) *corrections.Notifier {
	ps := make(map[string]chat.Platform, len(platforms))
	for _, p := range platforms {
		ps[p.name] = p.bot
	}
	return corrections.New(corrections.Options{
		Store: store, Platforms: ps, Enabled: correctionsOn(e.cfg), Posted: m.Correction,
		Logger: e.log.With("component", "corrections"),
	})
}

// wiring holds what every platform is built from.
type wiring struct {
	e       env
	store   *knowledge.Store
	library chat.Library
	engine  *answer.Engine
	metrics *metrics.Metrics
	work    context.Context
	sched   *digest.Scheduler
	log     *slog.Logger
	// onReady returns what a platform tells whether it is connected.
	onReady func(platform string) func(bool)
}

// service builds a platform's answering pipeline from the shared chat
// config and the platform's channel settings.
func (w *wiring) service(name string, def ChannelConfig, channels map[string]ChannelConfig) (*chat.Service, *chat.Queue, error) {
	c := w.e.cfg.Chat
	q := chat.NewQueue(w.work, c.Concurrent, c.PerConversation)
	var limiter *chat.Limiter
	if c.UserPerMinute > 0 || c.ChannelPerMinute > 0 {
		limiter = chat.NewLimiter(chat.Limits{
			UserPerMinute: c.UserPerMinute, UserBurst: c.UserBurst,
			ChannelPerMinute: c.ChannelPerMinute, ChannelBurst: c.ChannelBurst,
		}, nil)
	}
	s, err := chat.NewService(chat.ServiceOptions{
		Engine: w.engine, Policy: chat.NewPolicy(chatSettings(c, def, channels), nil), Limiter: limiter, Queue: q,
		Deadline: c.AnswerDeadline.D(), Platform: name, Metrics: w.metrics, Logger: w.e.log.With("component", name),
		Once: w.once, Answers: w.store, Feedback: w.store, Secret: feedbackSecret(w.e.cfg, name),
	})
	return s, q, err
}

// readyHook is a platform's OnReady, or nil outside serve.
func (w *wiring) readyHook(platform string) func(bool) {
	if w.onReady == nil {
		return nil
	}
	return w.onReady(platform)
}

// once remembers platform event ids in the knowledge base, so an event
// delivered twice, even across a restart, is answered once.
// The chat Service namespaces the keys by platform ("discord:…").
func (w *wiring) once(ctx context.Context, key string) (bool, error) {
	return w.store.Once(ctx, key, onceKeep)
}

// digestNow is a platform's /digest: today's digest for the channel,
// posted now, with the channel's configured settings if it has a digest,
// else the defaults.
func (w *wiring) digestNow(p *platform) func(ctx context.Context, channelID string) (string, error) {
	return func(ctx context.Context, channelID string) (string, error) {
		if w.sched == nil {
			return "", errors.New("serve: the digest scheduler is not running yet")
		}
		ch, ok := w.sched.Channel(p.name + ":" + channelID)
		if !ok {
			ch = digest.Channel{Name: p.name + " " + channelID, Key: p.name + ":" + channelID}
			ch.Post = digestPoster(p, channelID, w.metrics, w.log)
		}
		d, err := w.sched.PostNow(ctx, ch)
		if err != nil {
			return "", err
		}
		if d.Empty && d.Text == "" {
			return "Nothing is new since the last digest, so nothing was posted.", nil
		}
		return fmt.Sprintf("Posted a digest of %d %s.", len(d.Items), plural(len(d.Items), "story", "stories")), nil
	}
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// digestPoster posts a digest to a channel of p, whose Service opens its
// thread for replies (see chat.Service.PostDigest).
func digestPoster(p *platform, channelID string, m *metrics.Metrics, log *slog.Logger) func(ctx context.Context, d digest.Digest) (string, error) {
	return func(ctx context.Context, d digest.Digest) (string, error) {
		m.Tokens(d.PromptTokens, d.CompletionTokens)
		var ids []string
		for _, it := range d.Items {
			ids = append(ids, it.ArticleIDs...)
		}
		return p.service.PostDigest(ctx, p.bot, channelID, digest.Render(d), ids)
	}
}

// reopenDigestThreads opens again, after a restart, the threads of the
// digests posted in the last day, so that replies there are still
// answered without a mention and from the digest's stories first.
func reopenDigestThreads(ctx context.Context, store *knowledge.Store, platforms []*platform) error {
	runs, err := store.PostedDigests(ctx, time.Now().Add(-24*time.Hour))
	if err != nil {
		return err
	}
	for _, r := range runs {
		for _, p := range platforms {
			channelID, ok := strings.CutPrefix(r.Channel, p.name+":")
			if !ok || r.Detail == "" {
				continue
			}
			p.service.ReopenDigestThread(channelID, r.Detail, r.Articles, r.Updated)
		}
	}
	return nil
}

// newScheduler builds the digest scheduler over the configured channels,
// each posting through its platform. A digest for a platform that is not
// enabled is a config error.
func newScheduler(e env, store *knowledge.Store, writer *digest.Writer, m *metrics.Metrics, platforms []*platform) (*digest.Scheduler, error) {
	byName := map[string]*platform{}
	for _, p := range platforms {
		byName[p.name] = p
	}
	chans, err := digestChannels(e.cfg, func(name, channelID string) (func(context.Context, digest.Digest) (string, error), error) {
		p, ok := byName[name]
		if !ok {
			return nil, fmt.Errorf("a digest posts to %s, but %s.enabled is false", name, name)
		}
		return digestPoster(p, channelID, m, e.log), nil
	})
	if err != nil {
		return nil, err
	}
	return digest.New(digest.Options{
		Channels: chans, Builder: writer, Runs: store, Grace: e.cfg.Digest.Grace.D(), Logger: e.log,
		Observe: func(r knowledge.DigestRun) { m.Digest(r.State) },
	})
}

// digestChannels turns the config's digest entries into scheduler
// channels; post returns how to post to one channel of a platform.
func digestChannels(c Config, post func(platform, channelID string) (func(context.Context, digest.Digest) (string, error), error)) ([]digest.Channel, error) {
	var out []digest.Channel
	var errs []error
	for i, d := range c.Digest.Channels {
		var days []time.Weekday
		for _, day := range d.Days {
			days = append(days, time.Weekday(day))
		}
		ch := digest.Channel{
			Name: d.Name, Key: d.Platform + ":" + d.Channel, Hour: d.Time.Hour, Minute: d.Time.Minute, Location: d.Timezone.Location(),
			Days: days, MaxItems: d.MaxItems, Sources: d.Sources, QuietDay: d.QuietDay,
		}
		if post != nil {
			p, err := post(d.Platform, d.Channel)
			if err != nil {
				errs = append(errs, fmt.Errorf("digest.channels[%d] (%s): %w", i, d.Name, err))
				continue
			}
			ch.Post = p
		}
		out = append(out, ch)
	}
	return out, errors.Join(errs...)
}
