package chat

import (
	"context"
	"errors"
	"fmt"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/byline-bot/byline/answer"
	"github.com/byline-bot/byline/metrics"
)

// streamingAsker streams three partial texts, one per clock step, then
// answers; it records the questions it got.
type streamingAsker struct {
	clock *fakeClock
	fail  bool

	mu    sync.Mutex
	asked []answer.Question
}

func (a *streamingAsker) Ask(_ context.Context, q answer.Question) (answer.Answer, error) {
	a.mu.Lock()
	a.asked = append(a.asked, q)
	a.mu.Unlock()
	if a.fail {
		return answer.Answer{}, errors.New("engine down")
	}
	if q.OnPartial != nil {
		for _, s := range []string{"The", "The council", "The council voted", "The council voted 5 to 2"} {
			q.OnPartial(s)
			a.clock.advance(400 * time.Millisecond)
		}
	}
	return answer.Answer{Text: "The council voted 5 to 2 [1].", Citations: []answer.Citation{{N: 1, ArticleID: "a", Paragraph: 1}}}, nil
}

type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *fakeClock) advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// recordingReply records what the service did with one question.
type recordingReply struct {
	key      string
	inThread bool

	mu       sync.Mutex
	events   []string
	done     chan struct{}
	doneOnce sync.Once
}

func newReply(key string, inThread bool) *recordingReply {
	return &recordingReply{key: key, inThread: inThread, done: make(chan struct{})}
}

func (r *recordingReply) record(e string) {
	r.mu.Lock()
	r.events = append(r.events, e)
	r.mu.Unlock()
}

func (r *recordingReply) finish() { r.doneOnce.Do(func() { close(r.done) }) }

func (r *recordingReply) Conversation() (string, bool) { return r.key, r.inThread }
func (r *recordingReply) Typing(context.Context)       { r.record("typing") }
func (r *recordingReply) Progress(_ context.Context, s string) error {
	r.record("progress: " + s)
	return nil
}
func (r *recordingReply) Answer(_ context.Context, a answer.Answer) error {
	r.record("answer: " + a.Text)
	r.finish()
	return nil
}
func (r *recordingReply) Notice(_ context.Context, s string) error {
	r.record("notice: " + s)
	r.finish()
	return nil
}

func (r *recordingReply) wait(t *testing.T) []string {
	t.Helper()
	select {
	case <-r.done:
	case <-time.After(10 * time.Second):
		t.Fatal("no answer or notice within 10 s")
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.events...)
}

func newTestService(t *testing.T, a *streamingAsker, limits Limits) *Service {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	q := NewQueue(ctx, 4, 2)
	t.Cleanup(func() { cancel(); q.Wait() })
	s, err := NewService(ServiceOptions{
		Engine:  a,
		Policy:  NewPolicy(Settings{Default: ChannelSettings{Allowed: true, Sources: []string{"Gazette"}}}, a.clock.Now),
		Limiter: NewLimiter(limits, a.clock.Now),
		Queue:   q,
		Now:     a.clock.Now,
	})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestServiceAnswersStreamsAndRemembers(t *testing.T) {
	a := &streamingAsker{clock: &fakeClock{now: time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC)}}
	s := newTestService(t, a, Limits{})

	// A mention answered in a new thread started on message m1.
	r := newReply("C1/m1", true)
	if !s.HandleMessage(context.Background(), Message{ID: "m1", ChannelID: "C1", UserID: "U1", Text: "How did the council vote?", MentionsBot: true}, to(r)) {
		t.Fatal("a mention was not answered")
	}
	want := []string{
		"typing",
		"progress: The",
		// "The council" comes 400 ms later and "The council voted" 800
		// ms later: too soon. The next at 1.2 s is passed on.
		"progress: The council voted 5 to 2",
		"answer: The council voted 5 to 2 [1].",
	}
	if diff := cmp.Diff(want, r.wait(t)); diff != "" {
		t.Errorf("events (-want +got):\n%s", diff)
	}

	// A reply in that thread needs no mention and sees the first turn.
	r2 := newReply("C1/m1", true)
	if !s.HandleMessage(context.Background(), Message{ID: "m2", ChannelID: "C1", ThreadID: "m1", UserID: "U2", Text: "And who voted against?"}, to(r2)) {
		t.Fatal("a follow-up in the bot's thread was not answered")
	}
	r2.wait(t)
	a.mu.Lock()
	defer a.mu.Unlock()
	if len(a.asked) != 2 {
		t.Fatalf("engine asked %d times, want 2", len(a.asked))
	}
	wantHistory := []answer.Turn{{Question: "How did the council vote?", Answer: "The council voted 5 to 2 [1]."}}
	if diff := cmp.Diff(wantHistory, a.asked[1].History); diff != "" {
		t.Errorf("follow-up history (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"Gazette"}, a.asked[1].Sources); diff != "" {
		t.Errorf("the channel's source filter was not applied (-want +got):\n%s", diff)
	}
}

func TestServiceRefusesKindly(t *testing.T) {
	clock := &fakeClock{now: time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC)}

	t.Run("not addressed", func(t *testing.T) {
		s := newTestService(t, &streamingAsker{clock: clock}, Limits{})
		if s.HandleMessage(context.Background(), Message{ID: "m", ChannelID: "C1", UserID: "U1", Text: "lunch?"}, to(newReply("C1", false))) {
			t.Error("a message not addressed to the bot was answered")
		}
	})
	t.Run("bare mention", func(t *testing.T) {
		s := newTestService(t, &streamingAsker{clock: clock}, Limits{})
		r := newReply("C1/m", true)
		s.HandleMessage(context.Background(), Message{ID: "m", ChannelID: "C1", UserID: "U1", MentionsBot: true}, to(r))
		if got := r.wait(t); len(got) != 1 || got[0] != "notice: Ask me a question about the news after the mention, and I'll answer with sources." {
			t.Errorf("events %q", got)
		}
	})
	t.Run("rate limited", func(t *testing.T) {
		clock := &fakeClock{now: clock.Now()}
		s := newTestService(t, &streamingAsker{clock: clock}, Limits{UserPerMinute: 1, UserBurst: 1})
		first := newReply("D1", false)
		s.Ask(Request{UserID: "U1", ChannelID: "D1", Text: "one"}, first)
		first.wait(t)
		second := newReply("D1", false)
		if s.Ask(Request{UserID: "U1", ChannelID: "D1", Text: "two"}, second) {
			t.Error("a question over the limit was queued")
		}
		// The first answer streamed for 1.6 s of the fake clock.
		if diff := cmp.Diff([]string{"notice: " + RetryMessage(time.Minute-1600*time.Millisecond)}, second.wait(t)); diff != "" {
			t.Errorf("(-want +got):\n%s", diff)
		}
	})
	t.Run("engine failure", func(t *testing.T) {
		s := newTestService(t, &streamingAsker{clock: clock, fail: true}, Limits{})
		r := newReply("D1", false)
		s.Ask(Request{UserID: "U1", ChannelID: "D1", Text: "one"}, r)
		want := []string{"typing", "notice: Sorry, I couldn't answer that just now. Please try again in a moment."}
		if diff := cmp.Diff(want, r.wait(t)); diff != "" {
			t.Errorf("(-want +got):\n%s", diff)
		}
	})
}

// blockingAsker answers once release is closed.
type blockingAsker struct{ release chan struct{} }

func (a blockingAsker) Ask(ctx context.Context, q answer.Question) (answer.Answer, error) {
	select {
	case <-a.release:
	case <-ctx.Done():
		return answer.Answer{}, ctx.Err()
	}
	return answer.Answer{Text: "answer to " + q.Text}, nil
}

func TestServiceTellsPlaceInLine(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	q := NewQueue(ctx, 1, 5) // one answer at a time
	defer func() { cancel(); q.Wait() }()
	a := blockingAsker{release: make(chan struct{})}
	s, err := NewService(ServiceOptions{Engine: a, Policy: NewPolicy(Settings{Default: ChannelSettings{Allowed: true}}, nil), Queue: q})
	if err != nil {
		t.Fatal(err)
	}
	first, second, third := newReply("C1/1", true), newReply("C2/2", true), newReply("C3/3", true)
	s.Ask(Request{UserID: "U1", ChannelID: "C1", Text: "one"}, first)
	s.Ask(Request{UserID: "U2", ChannelID: "C2", Text: "two"}, second)
	s.Ask(Request{UserID: "U3", ChannelID: "C3", Text: "three"}, third)
	close(a.release)
	if diff := cmp.Diff([]string{"typing", "answer: answer to one"}, first.wait(t)); diff != "" {
		t.Errorf("first (-want +got):\n%s", diff)
	}
	want := []string{"progress: You're number 1 in line. I'll answer here as soon as I can.", "typing", "answer: answer to two"}
	if diff := cmp.Diff(want, second.wait(t)); diff != "" {
		t.Errorf("second (-want +got):\n%s", diff)
	}
	want = []string{"progress: You're number 2 in line. I'll answer here as soon as I can.", "typing", "answer: answer to three"}
	if diff := cmp.Diff(want, third.wait(t)); diff != "" {
		t.Errorf("third (-want +got):\n%s", diff)
	}
}

// A reply in a digest's thread needs no mention, for a day, and is
// answered from the digest's articles first.
func TestDigestThreadPrefersItsArticles(t *testing.T) {
	a := &streamingAsker{clock: &fakeClock{now: time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC)}}
	s := newTestService(t, a, Limits{})
	s.Policy().OpenDigestThread("C1/d1", []string{"harbour", "strike"}, a.clock.Now())
	s.Policy().OpenThread("C1/d1") // as Discord's StartThread does; it must not shorten the day
	s.Policy().OpenDigestThread("C1/old", []string{"harbour"}, a.clock.Now().Add(-25*time.Hour))
	if s.Policy().Preferred("C1/old") != nil {
		t.Error("a digest posted more than a day ago opened its thread")
	}
	a.clock.advance(20 * time.Hour)

	r := newReply("C1/d1", true)
	if !s.HandleMessage(context.Background(), Message{ID: "m1", ChannelID: "C1", ThreadID: "d1", UserID: "U1", Text: "Why the strike?"}, to(r)) {
		t.Fatal("a reply in the digest's thread 20 hours on was not answered")
	}
	r.wait(t)
	a.mu.Lock()
	got := a.asked[0].Prefer
	a.mu.Unlock()
	if diff := cmp.Diff([]string{"harbour", "strike"}, got); diff != "" {
		t.Errorf("preferred articles (-want +got):\n%s", diff)
	}

	// An answer there does not shorten the digest's day: an hour on, a
	// reply is still answered, from the digest's articles first.
	a.clock.advance(time.Hour)
	r2 := newReply("C1/d1", true)
	if !s.HandleMessage(context.Background(), Message{ID: "m1b", ChannelID: "C1", ThreadID: "d1", UserID: "U2", Text: "And the harbour?"}, to(r2)) {
		t.Fatal("a reply an hour after the bot's answer in the digest's thread was not answered")
	}
	r2.wait(t)
	a.mu.Lock()
	got = a.asked[1].Prefer
	a.mu.Unlock()
	if len(got) != 2 {
		t.Errorf("the second reply's preferred articles are %v", got)
	}

	a.clock.advance(4 * time.Hour)
	if s.HandleMessage(context.Background(), Message{ID: "m2", ChannelID: "C1", ThreadID: "d1", UserID: "U1", Text: "And now?"}, to(newReply("C1/d1", true))) {
		t.Error("a reply more than a day after the digest and the last answer was answered without a mention")
	}
	if p := s.Policy().Preferred("C1/d1"); p != nil {
		t.Errorf("the digest's articles are still preferred after its day: %v", p)
	}
}

// fallbackAsker answers by extraction after a model failure of a kind.
type fallbackAsker struct{ kind string }

func (f fallbackAsker) Ask(context.Context, answer.Question) (answer.Answer, error) {
	return answer.Answer{Text: "Quoted [1].", Fallback: f.kind, Citations: []answer.Citation{{N: 1, ArticleID: "a", Paragraph: 1}}}, nil
}

// A model failure the answer survived is counted by kind; a spent budget
// as a quota.
func TestServiceCountsModelFallbacks(t *testing.T) {
	m := metrics.New()
	ctx, cancel := context.WithCancel(context.Background())
	q := NewQueue(ctx, 2, 2)
	t.Cleanup(func() { cancel(); q.Wait() })
	for _, kind := range []string{"timeout", "timeout", "budget"} {
		s, err := NewService(ServiceOptions{Engine: fallbackAsker{kind}, Policy: NewPolicy(Settings{Default: ChannelSettings{Allowed: true}}, nil), Queue: q, Platform: "test", Metrics: m})
		if err != nil {
			t.Fatal(err)
		}
		r := newReply("D1", false)
		s.Ask(Request{UserID: "U1", ChannelID: "D1", Text: "q"}, r)
		r.wait(t)
	}
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	for _, want := range []string{`byline_errors_total{kind="llm_timeout"} 2`, `byline_limited_total{scope="tokens"} 1`} {
		if !strings.Contains(rec.Body.String(), want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
}

// blockingReply's Progress waits until released, as an edit would behind
// a platform's rate limit.
type blockingReply struct {
	*recordingReply
	release chan struct{}
}

func (r *blockingReply) Progress(ctx context.Context, s string) error {
	<-r.release
	return r.recordingReply.Progress(ctx, s)
}

// signalAsker streams while the clock moves on, then says it finished.
type signalAsker struct {
	clock    *fakeClock
	streamed chan struct{}
}

func (a *signalAsker) Ask(_ context.Context, q answer.Question) (answer.Answer, error) {
	for _, s := range []string{"One", "One two", "One two three"} {
		q.OnPartial(s)
		a.clock.advance(2 * time.Second)
	}
	close(a.streamed)
	return answer.Answer{Text: "One two three four [1].", Citations: []answer.Citation{{N: 1, ArticleID: "a", Paragraph: 1}}}, nil
}

// A progress edit that hangs does not hold up the model's stream; the
// newest text due meanwhile follows it, and the answer comes last.
func TestSlowProgressDoesNotStallTheStream(t *testing.T) {
	clock := &fakeClock{now: time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC)}
	a := &signalAsker{clock: clock, streamed: make(chan struct{})}
	ctx, cancel := context.WithCancel(context.Background())
	q := NewQueue(ctx, 1, 1)
	t.Cleanup(func() { cancel(); q.Wait() })
	s, err := NewService(ServiceOptions{Engine: a, Policy: NewPolicy(Settings{Default: ChannelSettings{Allowed: true}}, clock.Now), Queue: q, Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	r := &blockingReply{recordingReply: newReply("D1", false), release: make(chan struct{})}
	s.Ask(Request{UserID: "U1", ChannelID: "D1", Text: "q"}, r)
	select {
	case <-a.streamed:
	case <-time.After(10 * time.Second):
		t.Fatal("the stream waited for a progress edit")
	}
	close(r.release)
	want := []string{"typing", "progress: One", "progress: One two three", "answer: One two three four [1]."}
	if diff := cmp.Diff(want, r.wait(t)); diff != "" {
		t.Errorf("events (-want +got):\n%s", diff)
	}
}

// Questions waiting behind their own thread hold no slot: with slots free,
// a question elsewhere is not told it is in line.
func TestNoLineWhileSlotsAreFree(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	q := NewQueue(ctx, 4, 10)
	defer func() { cancel(); q.Wait() }()
	a := blockingAsker{release: make(chan struct{})}
	s, err := NewService(ServiceOptions{Engine: a, Policy: NewPolicy(Settings{Default: ChannelSettings{Allowed: true}}, nil), Queue: q})
	if err != nil {
		t.Fatal(err)
	}
	var busy []*recordingReply
	for i := range 6 {
		r := newReply("C1/1", true)
		busy = append(busy, r)
		s.Ask(Request{UserID: "U1", ChannelID: "C1", Text: fmt.Sprint("busy ", i)}, r)
	}
	other := newReply("C2/2", true)
	s.Ask(Request{UserID: "U2", ChannelID: "C2", Text: "elsewhere"}, other)
	close(a.release)
	if diff := cmp.Diff([]string{"typing", "answer: answer to elsewhere"}, other.wait(t)); diff != "" {
		t.Errorf("elsewhere (-want +got):\n%s", diff)
	}
	for _, r := range busy {
		r.wait(t)
	}
}

// lateAsker answers only once the answer's deadline has passed, as the
// engine does when the model times out and it quotes the articles
// instead.
type lateAsker struct{}

func (lateAsker) Ask(ctx context.Context, q answer.Question) (answer.Answer, error) {
	<-ctx.Done()
	return answer.Answer{Text: "Quoted: the council voted 5 to 2 [1].", Citations: []answer.Citation{{N: 1, ArticleID: "a", Paragraph: 1}}}, nil
}

// liveReply refuses to post on a context that is already done, as a
// platform's HTTP client does.
type liveReply struct{ *recordingReply }

func (r liveReply) Answer(ctx context.Context, a answer.Answer) error {
	if err := ctx.Err(); err != nil {
		r.record("answer refused: " + err.Error())
		return err
	}
	return r.recordingReply.Answer(ctx, a)
}

// An answer that used up its deadline is still posted: posting has a
// budget of its own.
func TestServicePostsAfterTheDeadline(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	q := NewQueue(ctx, 1, 1)
	t.Cleanup(func() { cancel(); q.Wait() })
	s, err := NewService(ServiceOptions{
		Engine: lateAsker{}, Policy: NewPolicy(Settings{Default: ChannelSettings{Allowed: true}}, nil), Queue: q,
		Deadline: time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	r := liveReply{newReply("c", false)}
	s.Ask(Request{UserID: "u", ChannelID: "c", Text: "how did the council vote?"}, r)
	want := []string{"typing", "answer: Quoted: the council voted 5 to 2 [1]."}
	if diff := cmp.Diff(want, r.wait(t)); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// failingReply cannot post answers, only notices.
type failingReply struct{ *recordingReply }

func (r failingReply) Answer(context.Context, answer.Answer) error {
	r.record("answer failed")
	return errors.New("message refused")
}

// When the answer cannot be posted, the asker is told so.
func TestServiceTellsWhenPostingFails(t *testing.T) {
	a := &streamingAsker{clock: &fakeClock{now: time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC)}}
	s := newTestService(t, a, Limits{})
	r := failingReply{newReply("c", false)}
	s.Ask(Request{UserID: "u", ChannelID: "c", Text: "how did the council vote?"}, r)
	want := []string{"typing", "progress: The", "progress: The council voted 5 to 2", "answer failed", "notice: Sorry, I had an answer but couldn't post it. Please ask again."}
	if diff := cmp.Diff(want, r.wait(t)); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// A question that comes once the queue is closed is told why it is not
// answered, not that the conversation is busy.
func TestServiceQueueClosed(t *testing.T) {
	a := &streamingAsker{clock: &fakeClock{now: time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC)}}
	ctx, cancel := context.WithCancel(context.Background())
	q := NewQueue(ctx, 1, 1)
	t.Cleanup(func() { cancel(); q.Wait() })
	s, err := NewService(ServiceOptions{Engine: a, Policy: NewPolicy(Settings{}, nil), Queue: q})
	if err != nil {
		t.Fatal(err)
	}
	q.Close()
	r := newReply("c", false)
	if s.Ask(Request{UserID: "u", ChannelID: "c", Text: "who?"}, r) {
		t.Error("Ask after Close reported the question queued")
	}
	if diff := cmp.Diff([]string{"notice: I'm restarting. Please ask again in a minute."}, r.wait(t)); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// limitedReply cannot post its answer: the platform's rate limit outlasted
// every retry.
type limitedReply struct{ *recordingReply }

func (r limitedReply) Answer(context.Context, answer.Answer) error {
	r.record("answer rate limited")
	return &RateLimitedError{Platform: "test", Request: "post message", After: time.Millisecond}
}

// An answer given up after rate limits is followed, once the limit has
// passed, by a notice saying so, and counted.
func TestServiceTellsWhenRateLimited(t *testing.T) {
	a := &streamingAsker{clock: &fakeClock{now: time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC)}}
	ctx, cancel := context.WithCancel(context.Background())
	q := NewQueue(ctx, 1, 1)
	t.Cleanup(func() { cancel(); q.Wait() })
	m := metrics.New()
	s, err := NewService(ServiceOptions{Engine: a, Policy: NewPolicy(Settings{}, nil), Queue: q, Metrics: m, Platform: "test", Now: a.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	r := limitedReply{newReply("c", false)}
	s.Ask(Request{UserID: "u", ChannelID: "c", Text: "who?"}, r)
	got := r.wait(t)
	want := []string{"answer rate limited", "notice: Sorry, I had an answer but was rate limited posting it. Please ask again in a minute."}
	if diff := cmp.Diff(want, got[len(got)-2:]); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	if want := `byline_errors_total{kind="post_rate_limited"} 1`; !strings.Contains(rec.Body.String(), want) {
		t.Errorf("/metrics lacks %s", want)
	}
}

// First namespaces keys by platform, and takes an event as new when the
// dedupe check fails or stalls, rather than drop it.
func TestServiceFirst(t *testing.T) {
	var keys []string
	fail := false
	s, err := NewService(ServiceOptions{
		Engine: &streamingAsker{}, Policy: NewPolicy(Settings{}, nil), Queue: NewQueue(context.Background(), 1, 1), Platform: "discord",
		Once: func(ctx context.Context, key string) (bool, error) {
			keys = append(keys, key)
			if fail {
				<-ctx.Done() // a writer busy for ever
				return false, ctx.Err()
			}
			return len(keys) == 1, nil
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	got := []bool{s.First(ctx, "message:1"), s.First(ctx, "message:1")}
	fail = true
	got = append(got, s.First(ctx, "message:2"))
	if diff := cmp.Diff([]bool{true, false, true}, got); diff != "" {
		t.Errorf("First (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"discord:message:1", "discord:message:1", "discord:message:2"}, keys); diff != "" {
		t.Errorf("keys (-want +got):\n%s", diff)
	}
}

// to is a newReply that always gives r.
func to(r Reply) func(Where) Reply { return func(Where) Reply { return r } }

// plainReply can only answer: no typing, no streaming.
type plainReply struct{ r *recordingReply }

func (p plainReply) Conversation() (string, bool) { return p.r.Conversation() }
func (p plainReply) Answer(ctx context.Context, a answer.Answer) error {
	return p.r.Answer(ctx, a)
}
func (p plainReply) Notice(ctx context.Context, s string) error { return p.r.Notice(ctx, s) }

// A Reply that is neither a Typer nor a Streamer gets the answer whole,
// though the engine streamed it.
func TestServicePlainReply(t *testing.T) {
	a := &streamingAsker{clock: &fakeClock{now: time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC)}}
	s := newTestService(t, a, Limits{})
	r := newReply("c", false)
	s.Ask(Request{UserID: "u", ChannelID: "c", Text: "how did the council vote?"}, plainReply{r})
	if diff := cmp.Diff([]string{"answer: The council voted 5 to 2 [1]."}, r.wait(t)); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if a.asked[0].OnPartial == nil {
		t.Error("the engine was not asked to stream")
	}
}
