package chat

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/byline-bot/byline/answer"
	"github.com/byline-bot/byline/knowledge"
	"github.com/byline-bot/byline/metrics"
)

// Asker answers questions; *answer.Engine is one.
type Asker interface {
	Ask(ctx context.Context, q answer.Question) (answer.Answer, error)
}

// Library looks up stored paragraphs for the search and source commands;
// *knowledge.Store is one.
type Library interface {
	Search(ctx context.Context, q knowledge.Query) ([]knowledge.Passage, error)
	Passage(ctx context.Context, articleID string, paragraph int) (knowledge.Passage, error)
}

// Reply is where the answer to one question goes. A platform adapter
// implements it for each question it hands to the Service: it knows the
// channel, the thread and whether the asker alone may see the answer,
// and it renders for its platform (mention syntax, escaping, limits).
// Its methods are called one at a time, never concurrently, in order:
// Typing, any number of Progress (where the Reply has them), then Answer
// or Notice (and a Notice after an Answer that could not be posted).
type Reply interface {
	// Conversation is the key of the conversation the answer lands in
	// (see ThreadKey) and whether that is a thread; a mention answered in
	// a new thread lands in that thread's key.
	Conversation() (key string, inThread bool)
	// Answer delivers the final answer (replacing any progress message).
	Answer(ctx context.Context, a answer.Answer) error
	// Notice delivers a short plain message: a quota reached, a queue full,
	// a failure.
	Notice(ctx context.Context, text string) error
}

// Typer is a Reply that can show that the bot is working. Without it,
// nothing shows until the first progress or the answer.
type Typer interface {
	// Typing shows that the bot is working. Errors are the adapter's to
	// log; the answer goes on.
	Typing(ctx context.Context)
}

// Streamer is a Reply that can show an answer while it is written, by
// posting a placeholder and editing it. Without it, the answer shows once
// whole, and a question waiting for a slot is not told its place in line.
type Streamer interface {
	// Progress shows the answer as the LLM writes it so far, at most about
	// once every Options.ProgressEvery. Adapters post a placeholder on the
	// first call and edit it after.
	Progress(ctx context.Context, partial string) error
}

// ServiceOptions configures a Service.
type ServiceOptions struct {
	// Engine answers. Required.
	Engine Asker
	// Policy decides which messages to answer. Required.
	Policy *Policy
	// Limiter caps questions per user and channel; nil means no limit.
	Limiter *Limiter
	// Queue orders questions per conversation. Required.
	Queue *Queue
	// ProgressEvery is the least time between two Progress calls. Zero
	// means one second, the pace both platforms' edit limits allow.
	ProgressEvery time.Duration
	// Deadline bounds one answer, from the moment its turn comes. Zero
	// means two minutes.
	Deadline time.Duration
	// Platform names the platform in metrics ("discord", "slack") and
	// namespaces the dedupe keys ("discord:message:…").
	Platform string
	// Once reports whether key is seen for the first time, so that an
	// event a platform delivers twice (a retry, a replay after a
	// reconnect) is handled once; *knowledge.Store's Once, with how long
	// to remember, is one. Nil means an in-memory set of the last 10,000
	// keys.
	Once func(ctx context.Context, key string) (bool, error)
	// Metrics records questions, outcomes and timings; nil records nothing.
	Metrics *metrics.Metrics
	// Answers records every answer posted (see AnswerLog); nil records
	// none.
	Answers AnswerLog
	// Feedback keeps readers' votes and reports on the recorded answers;
	// with it (and Answers), answers carry feedback controls where the
	// platform can show them (see Rater, HandleClick). Nil shows none.
	Feedback FeedbackStore
	// Secret keys the hashes of user ids in the answer records (see
	// UserHash) and the MACs of the feedback controls' ids. Required with
	// Answers or Feedback.
	Secret []byte
	// Logger receives the service's logs. Nil means discard.
	Logger *slog.Logger
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// Service carries a question from a platform to an answer and back: it
// asks the Policy, applies the limits, queues the question in its
// conversation, streams progress, and records the turn for follow-ups. It
// is what the Discord and Slack adapters share.
type Service struct {
	opts ServiceOptions
	log  *slog.Logger
}

// NewService returns a Service.
func NewService(opts ServiceOptions) (*Service, error) {
	if opts.Engine == nil || opts.Policy == nil || opts.Queue == nil {
		return nil, errors.New("chat: a service needs an engine, a policy and a queue")
	}
	if (opts.Answers != nil || opts.Feedback != nil) && len(opts.Secret) == 0 {
		return nil, errors.New("chat: recording answers and feedback needs a secret to hash user ids with")
	}
	if opts.ProgressEvery == 0 {
		opts.ProgressEvery = time.Second
	}
	if opts.Deadline == 0 {
		opts.Deadline = 2 * time.Minute
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Once == nil {
		opts.Once = NewRecent(10000).Once
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Service{opts: opts, log: log}, nil
}

// onceWithin bounds one dedupe check. The check writes to the knowledge
// base, whose one writer may be busy with a feed's ingest; an answer
// must not wait on that without limit.
const onceWithin = 2 * time.Second

// First reports whether the platform's event key (such as
// "message:123") is new, in the platform's namespace. When the check
// fails or takes longer than onceWithin, the event is taken as new and
// the failure logged: a rare duplicate is better than silence.
func (s *Service) First(ctx context.Context, key string) bool {
	ctx, cancel := context.WithTimeout(ctx, onceWithin)
	defer cancel()
	key = s.opts.Platform + ":" + key
	first, err := s.opts.Once(ctx, key)
	if err != nil {
		s.log.Warn("chat: checking whether an event was handled failed; handling it", "key", key, "err", err)
		return true
	}
	return first
}

// Policy returns the service's policy.
func (s *Service) Policy() *Policy { return s.opts.Policy }

// Hold counts one piece of a platform's work in flight that is not a
// queued question (a reply being posted, a click or command being
// handled) in the service's queue, which is the one tracker of a
// platform's work. It returns the function that ends it, or ok false once
// the platform is draining: the work is then to be refused.
func (s *Service) Hold() (release func(), ok bool) { return s.opts.Queue.Hold() }

// Drain refuses new work and waits, at most d, for the work in flight to
// finish; it returns how many pieces were left. See Queue.Drain.
func (s *Service) Drain(d time.Duration) int { return s.opts.Queue.Drain(d) }

// InFlight returns the pieces of work in flight. See Queue.InFlight.
func (s *Service) InFlight() int { return s.opts.Queue.InFlight() }

// Settings returns a channel's settings (a thread takes its parent
// channel's).
func (s *Service) Settings(channelID string) ChannelSettings {
	return s.opts.Policy.Settings().For(channelID)
}

// OpenThread marks a thread the bot posted in or started as the bot's,
// so replies there need no mention within the follow-up window.
func (s *Service) OpenThread(channelID, threadID string) {
	s.opts.Policy.OpenThread(ThreadKey(channelID, threadID))
}

// HandleMessage decides whether to answer m and, if so, queues the answer
// to the Reply that newReply makes for where the answer goes. It is the
// one place a message is decided on: the Policy, then the dedupe keys,
// then where the answer lands. It never blocks on the answer itself, so
// a platform's event loop may call it directly. It reports whether a
// Reply was made (and will hear back: an answer, or a notice saying why
// not); newReply may return nil, as when the adapter is shutting down,
// and then nothing is answered.
func (s *Service) HandleMessage(ctx context.Context, m Message, newReply func(Where) Reply) bool {
	d := s.opts.Policy.Decide(m)
	if !d.Answer {
		s.log.Debug("chat: not answering", "channel", m.ChannelID, "message", m.ID, "why", d.Why)
		return false
	}
	for _, k := range m.Dedupe {
		if !s.First(ctx, k) {
			s.log.Info("chat: delivered again; already handled", "key", s.opts.Platform+":"+k)
			return false
		}
	}
	r := newReply(WhereFor(m, d.Settings))
	if r == nil {
		return false
	}
	text := strings.TrimSpace(m.Text)
	if text == "" {
		// A bare mention: say how to ask rather than search for nothing.
		go s.notice(r, "Ask me a question about the news after the mention, and I'll answer with sources.")
		return true
	}
	s.Ask(Request{UserID: m.UserID, ChannelID: m.ChannelID, Text: text, Sources: d.Settings.Sources}, r)
	return true
}

// Request is one question to answer, from a message or a slash command.
type Request struct {
	UserID    string
	ChannelID string
	Text      string
	// Sources limits the answer to these outlets (the channel's filter).
	Sources []string
}

// Ask queues the answer to one question, after the quotas, without
// consulting the Policy: slash commands call it directly. It reports
// whether the question was queued; when it was not, r has been (or is
// being) told why.
func (s *Service) Ask(req Request, r Reply) bool {
	m := s.opts.Metrics
	m.Question(s.opts.Platform)
	if s.opts.Limiter != nil {
		if ok, wait := s.opts.Limiter.Allow(req.UserID, req.ChannelID); !ok {
			m.Limited("user_or_channel")
			s.log.Info("chat: rate limited", "user", req.UserID, "channel", req.ChannelID, "retry_after", wait)
			go s.notice(r, RetryMessage(wait))
			return false
		}
	}
	key, inThread := r.Conversation()
	// When every slot is taken, the asker hears their place in line at
	// once, as the message the answer will later replace; the answer waits
	// for that message to be posted.
	line := s.opts.Queue.Line(key)
	stream, canStream := r.(Streamer)
	var told chan struct{}
	if line > 0 && canStream {
		told = make(chan struct{})
	}
	_, err := s.opts.Queue.Submit(key, func(ctx context.Context) {
		if told != nil {
			<-told
		}
		s.answer(ctx, key, inThread, req, r)
	})
	if err == nil && told != nil {
		go func() {
			defer close(told)
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			if err := stream.Progress(ctx, fmt.Sprintf("You're number %d in line. I'll answer here as soon as I can.", line)); err != nil {
				s.log.Warn("chat: posting the place in line failed", "err", err)
			}
		}()
	}
	if errors.Is(err, ErrClosed) {
		s.log.Info("chat: shutting down; not taking a question", "conversation", key)
		go s.notice(r, "I'm restarting. Please ask again in a minute.")
		return false
	}
	if err != nil {
		m.Limited("queue")
		s.log.Warn("chat: queue full", "conversation", key, "err", err)
		go s.notice(r, "I already have several questions waiting in this conversation; please ask again once I've answered them.")
		return false
	}
	return true
}

// postBudget bounds posting an answer or a notice. It is a budget of its
// own, not what is left of the answer's deadline: an answer that took its
// whole deadline to write (the model timed out and the articles were
// quoted instead) must still reach the asker.
const postBudget = 30 * time.Second

// answer runs one question in its turn. work is the queue's context,
// which ends at shutdown; the answer's deadline is applied below it.
func (s *Service) answer(work context.Context, key string, inThread bool, req Request, r Reply) {
	m := s.opts.Metrics
	m.InFlight(1)
	defer m.InFlight(-1)
	start := time.Now()
	ctx, cancel := context.WithTimeout(work, s.opts.Deadline)
	defer cancel()
	if t, ok := r.(Typer); ok {
		t.Typing(ctx)
	}
	// The engine streams either way; only a Streamer is shown the text.
	stream, _ := r.(Streamer)
	p := &progress{every: s.opts.ProgressEvery, now: s.opts.Now, reply: stream, ctx: ctx, log: s.log}
	a, err := s.opts.Engine.Ask(ctx, answer.Question{
		Text:      req.Text,
		History:   s.opts.Policy.History(key),
		Sources:   req.Sources,
		Prefer:    s.opts.Policy.Preferred(key),
		OnPartial: p.update,
	})
	p.wait()
	if err != nil {
		m.Error("answer")
		m.Answer(s.opts.Platform, "failed", false, time.Since(start))
		s.log.Error("chat: answer failed", "conversation", key, "err", err)
		s.notice(r, "Sorry, I couldn't answer that just now. Please try again in a moment.")
		return
	}
	m.Tokens(a.PromptTokens, a.CompletionTokens)
	switch a.Fallback {
	case "":
	case "budget":
		m.Limited("tokens")
	default:
		m.Error("llm_" + a.Fallback)
	}
	if !a.Cached {
		m.Stage("retrieval", a.Retrieval)
		if a.Generation > 0 {
			m.Stage("llm", a.Generation)
		}
	}
	// Recorded before posting: a reply typed the moment the answer shows
	// must find the follow-up window open.
	s.opts.Policy.Record(key, answer.Turn{Question: req.Text, Answer: a.Text}, inThread)
	posting := time.Now()
	pctx, pcancel := context.WithTimeout(work, postBudget)
	defer pcancel()
	id := s.recordAnswer(pctx, req, a)
	if err := s.deliver(pctx, r, a, id); err != nil {
		m.Answer(s.opts.Platform, "failed", a.Cached, time.Since(start))
		s.log.Error("chat: posting the answer failed", "conversation", key, "err", err)
		// The asker would otherwise hear nothing; a short notice may get
		// through where the answer did not (a message refused, a
		// placeholder gone), and costs one more failed post if not.
		text := "Sorry, I had an answer but couldn't post it. Please ask again."
		var rl *RateLimitedError
		if errors.As(err, &rl) {
			// Given up after the platform's rate limits: the notice
			// waits until the last limit has passed.
			m.Error("post_rate_limited")
			text = "Sorry, I had an answer but was rate limited posting it. Please ask again in a minute."
			if sleep(work, rl.After) != nil {
				return
			}
		} else {
			m.Error("post")
		}
		if work.Err() == nil {
			s.noticeWithin(work, r, text)
		}
		return
	}
	m.Stage("post", time.Since(posting))
	outcome := "answered"
	if a.Abstained {
		outcome = "abstained"
	}
	m.Answer(s.opts.Platform, outcome, a.Cached, time.Since(start))
}

// notice posts a short message to r within postBudget.
func (s *Service) notice(r Reply, text string) { s.noticeWithin(context.Background(), r, text) }

// noticeWithin is notice bounded by ctx as well.
func (s *Service) noticeWithin(ctx context.Context, r Reply, text string) {
	ctx, cancel := context.WithTimeout(ctx, postBudget)
	defer cancel()
	if err := r.Notice(ctx, text); err != nil {
		s.log.Error("chat: posting a notice failed", "err", err)
	}
}

// progress passes streamed text on to a Reply no more often than every,
// from a goroutine of its own: a slow or rate-limited edit never holds up
// the model's stream (and with it the answer's deadline). While an edit
// is on its way, the newest text due waits and is sent after it; older
// ones are dropped. wait returns once nothing is on its way, so that the
// Reply's methods never run at the same time.
type progress struct {
	every time.Duration
	now   func() time.Time
	reply Streamer // nil shows nothing
	ctx   context.Context
	log   *slog.Logger

	mu      sync.Mutex
	last    time.Time
	sent    bool
	busy    bool
	pending *string
	done    sync.WaitGroup
}

// update is the engine's OnPartial: it is called with the text so far.
func (p *progress) update(text string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := p.now()
	if p.sent && now.Sub(p.last) < p.every {
		return
	}
	if strings.TrimSpace(text) == "" || p.reply == nil {
		return
	}
	p.sent, p.last = true, now
	if p.busy {
		p.pending = &text
		return
	}
	p.busy = true
	p.done.Add(1)
	go p.send(text)
}

// send delivers text, then whatever became due meanwhile.
func (p *progress) send(text string) {
	defer p.done.Done()
	for {
		if err := p.reply.Progress(p.ctx, text); err != nil {
			p.log.Warn("chat: progress update failed", "err", err)
		}
		p.mu.Lock()
		if p.pending == nil {
			p.busy = false
			p.mu.Unlock()
			return
		}
		text, p.pending = *p.pending, nil
		p.mu.Unlock()
	}
}

// wait returns once no update is on its way.
func (p *progress) wait() { p.done.Wait() }
