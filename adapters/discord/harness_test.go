package discord

import (
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/byline-bot/byline/adapters/chat"
	"github.com/byline-bot/byline/adapters/discord/discordtest"
	"github.com/byline-bot/byline/answer"
	"github.com/byline-bot/byline/knowledge"
)

// fakeAsker is the answer engine of the tests. It answers every question
// with one cited sentence naming the question; with a gate, it waits for
// the gate to close first; with stream, it sends those partial texts,
// moving the clock two seconds after each.
type fakeAsker struct {
	gate chan struct{}
	// abstain makes every answer an abstention that repeats the
	// question, as the engine's does.
	abstain bool
	stream  []string
	clock   *fakeClock

	mu      sync.Mutex
	asked   []answer.Question
	changed chan struct{}
}

func newAsker() *fakeAsker { return &fakeAsker{changed: make(chan struct{})} }

func (a *fakeAsker) Ask(ctx context.Context, q answer.Question) (answer.Answer, error) {
	a.mu.Lock()
	a.asked = append(a.asked, q)
	close(a.changed)
	a.changed = make(chan struct{})
	a.mu.Unlock()
	if a.gate != nil {
		select {
		case <-a.gate:
		case <-ctx.Done():
			return answer.Answer{}, ctx.Err()
		}
	}
	for _, s := range a.stream {
		q.OnPartial(s)
		a.clock.advance(2 * time.Second)
	}
	if a.abstain {
		return answer.Answer{Abstained: true, Text: "I couldn't find anything about “" + q.Text + "” in the articles I have."}, nil
	}
	return answerTo(q.Text), nil
}

// answerTo is the answer the fake engine gives.
func answerTo(q string) answer.Answer {
	return answer.Answer{
		Text: "On “" + q + "”: the council voted 5 to 2 [1].",
		Citations: []answer.Citation{{
			N: 1, ArticleID: "council-vote", Title: "Council approves budget", Source: "Valley Courier",
			URL: "https://courier.example/council", Published: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC), Paragraph: 2,
		}},
	}
}

// waitAsked waits until n questions have been asked and returns them.
func (a *fakeAsker) waitAsked(t *testing.T, n int) []answer.Question {
	t.Helper()
	deadline := time.NewTimer(waitFor)
	defer deadline.Stop()
	for {
		a.mu.Lock()
		got := append([]answer.Question(nil), a.asked...)
		ch := a.changed
		a.mu.Unlock()
		if len(got) >= n {
			return got
		}
		select {
		case <-ch:
		case <-deadline.C:
			t.Fatalf("timed out waiting for %d questions; got %d", n, len(got))
		}
	}
}

func (a *fakeAsker) questions() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	var out []string
	for _, q := range a.asked {
		out = append(out, q.Text)
	}
	return out
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

// fakeLibrary holds one article's paragraph.
type fakeLibrary struct{}

// council is the one stored paragraph.
func council() knowledge.Passage {
	return knowledge.Passage{
		ArticleID: "council-vote", Title: "Council approves budget", Source: "Valley Courier",
		URL: "https://courier.example/council", Published: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC), Paragraph: 2,
		Text: "The council voted 5 to 2 on Tuesday to approve the budget, which adds two bus routes.",
	}
}

func (fakeLibrary) Search(_ context.Context, q knowledge.Query) ([]knowledge.Passage, error) {
	if strings.Contains(q.Text, "nothing") {
		return nil, nil
	}
	return []knowledge.Passage{council()}, nil
}

func (fakeLibrary) Passage(_ context.Context, id string, n int) (knowledge.Passage, error) {
	if p := council(); id == p.ArticleID && n == p.Paragraph {
		return p, nil
	}
	return knowledge.Passage{}, knowledge.ErrNotFound
}

// testLogger logs to the test while it runs.
type testLogger struct {
	mu sync.Mutex
	t  *testing.T
}

func (l *testLogger) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.t != nil {
		l.t.Log(strings.TrimSpace(string(p)))
	}
	return len(p), nil
}

func newTestLogger(t *testing.T) *slog.Logger {
	w := &testLogger{t: t}
	t.Cleanup(func() { w.mu.Lock(); w.t = nil; w.mu.Unlock() })
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// harness is a Bot running against a fake Discord.
type harness struct {
	fake  *fakeDiscord
	asker *fakeAsker
	bot   *Bot
	clock *fakeClock

	cancel context.CancelFunc
	done   chan error
}

// settings is the channel setup of the tests: c1 answers mentions in a
// thread, c2 as replies, c3 is not allowed, c4 answers everything, c5 is
// private (ephemeral slash commands).
func settings() chat.Settings {
	return chat.Settings{
		Default: chat.ChannelSettings{Allowed: true, ReplyInThread: true},
		Channels: map[string]chat.ChannelSettings{
			"c2": {Allowed: true},
			"c3": {Allowed: false},
			"c4": {Allowed: true, AutoAnswer: true, ReplyInThread: true, Sources: []string{"Valley Courier"}},
			"c5": {Allowed: true, ReplyInThread: true, Private: true},
		},
	}
}

// newBotFor returns a Bot (not running) for the fake, and its engine.
// serviceEdit, when given, changes the Service's options.
func newBotFor(t *testing.T, f *fakeDiscord, asker *fakeAsker, clock *fakeClock, edit func(*Options), serviceEdit ...func(*chat.ServiceOptions)) *Bot {
	t.Helper()
	qctx, qcancel := context.WithCancel(context.Background())
	queue := chat.NewQueue(qctx, 4, 10)
	so := chat.ServiceOptions{
		Engine:   asker,
		Policy:   chat.NewPolicy(settings(), nil),
		Queue:    queue,
		Platform: "discord",
		Now:      clock.Now,
		Logger:   newTestLogger(t),
	}
	for _, e := range serviceEdit {
		e(&so)
	}
	svc, err := chat.NewService(so)
	if err != nil {
		t.Fatal(err)
	}
	opts := Options{
		Token:   f.Token(),
		APIURL:  f.APIURL(),
		Guilds:  []string{"g1"},
		Service: svc,
		Library: fakeLibrary{},
		Logger:  newTestLogger(t),
	}
	if edit != nil {
		edit(&opts)
	}
	b, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	// Registered first, so it runs after the bot has stopped.
	t.Cleanup(func() { qcancel(); queue.Wait() })
	return b
}

// start runs a Bot against a new fake Discord and waits until it is
// connected and has registered its commands.
func start(t *testing.T, edit func(*Options)) *harness {
	t.Helper()
	f := newFake(t)
	f.addChannel("c1", "g1", "", 0)
	f.addChannel("c2", "g1", "", 0)
	f.addChannel("c3", "g1", "", 0)
	f.addChannel("c4", "g1", "", 0)
	f.addChannel("c5", "g1", "", 0)
	return startWith(t, f, edit)
}

func startWith(t *testing.T, f *fakeDiscord, edit func(*Options), serviceEdit ...func(*chat.ServiceOptions)) *harness {
	t.Helper()
	h := &harness{fake: f, asker: newAsker(), clock: &fakeClock{now: time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC)}}
	h.asker.clock = h.clock
	h.bot = newBotFor(t, f, h.asker, h.clock, edit, serviceEdit...)
	ctx, cancel := context.WithCancel(context.Background())
	h.cancel, h.done = cancel, make(chan error, 1)
	go func() { h.done <- h.bot.Run(ctx) }()
	t.Cleanup(func() { h.stop(t) })
	f.waitRequest(t, "PUT", "/api/v10/applications/"+f.AppID()+"/guilds/g1/commands")
	return h
}

// stop stops the bot and waits for Run to return, answers in flight
// posted.
func (h *harness) stop(t *testing.T) {
	t.Helper()
	h.cancel()
	select {
	case err := <-h.done:
		if err != nil {
			t.Errorf("Run: %v", err)
		}
		h.done <- nil // stop may be called again
	case <-time.After(waitFor + waitFor):
		t.Fatal("Run did not return after its context was cancelled")
	}
}

// mention is a MESSAGE_CREATE of user u1 mentioning the bot.
func (h *harness) mention(id, channel, text string) map[string]any {
	return h.fake.MessagePayload(discordtest.UserMessage{ID: id, ChannelID: channel, Text: text, Mention: true})
}

// plain is a MESSAGE_CREATE of user u1 that mentions no one.
func (h *harness) plain(id, channel, text string) map[string]any {
	return h.fake.MessagePayload(discordtest.UserMessage{ID: id, ChannelID: channel, Text: text})
}

// slash is an INTERACTION_CREATE for a slash command.
func (h *harness) slash(id, channel, name, value string, perms string) map[string]any {
	c := discordtest.SlashCommand{ID: id, ChannelID: channel, Name: name, Permissions: perms}
	if value != "" {
		opt := map[string]string{"ask": "question", "search": "keywords", "source": "id"}[name]
		c.Options = map[string]string{opt: value}
	}
	return h.fake.InteractionPayload(c)
}
