package slack

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/byline-bot/byline/adapters/chat"
	"github.com/byline-bot/byline/answer"
	"github.com/byline-bot/byline/knowledge"
)

// fakeAsker is the answer engine of the tests. It answers every question
// with one cited sentence naming the question; with a gate, it waits for
// the gate to close first; with stream, it sends those partial texts,
// moving the clock two seconds after each.
type fakeAsker struct {
	gate   chan struct{}
	stream []string
	clock  *fakeClock
	answer func(q string) answer.Answer

	mu      sync.Mutex
	asked   []answer.Question
	changed chan struct{}
}

func newAsker() *fakeAsker { return &fakeAsker{changed: make(chan struct{}), answer: answerTo} }

func (a *fakeAsker) Ask(ctx context.Context, q answer.Question) (answer.Answer, error) {
	a.mu.Lock()
	a.asked = append(a.asked, q)
	close(a.changed)
	a.changed = make(chan struct{})
	gate, stream := a.gate, a.stream
	a.mu.Unlock()
	if gate != nil {
		select {
		case <-gate:
		case <-ctx.Done():
			return answer.Answer{}, ctx.Err()
		}
	}
	for _, s := range stream {
		q.OnPartial(s)
		a.clock.advance(2 * time.Second)
	}
	return a.answer(q.Text), nil
}

// answerTo is the answer the fake engine gives.
func answerTo(q string) answer.Answer {
	return answer.Answer{
		Text: "On “" + q + "”: the council voted **5 to 2** [1].",
		Citations: []answer.Citation{{
			N: 1, ArticleID: "council-vote", Title: "Council approves budget", Source: "Valley Courier",
			URL: "https://courier.example/council", Published: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC), Paragraph: 2,
			Quote: "The council voted 5 to 2 on Tuesday.",
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

// set changes the engine's behaviour while the bot runs.
func (a *fakeAsker) set(f func(a *fakeAsker)) {
	a.mu.Lock()
	defer a.mu.Unlock()
	f(a)
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

// settings is the channel setup of the tests: C1 answers mentions in a
// thread, C2 in the channel, C3 is not allowed, C4 answers everything, C5
// is private (ephemeral slash commands).
func settings() chat.Settings {
	return chat.Settings{
		Default: chat.ChannelSettings{Allowed: true, ReplyInThread: true},
		Channels: map[string]chat.ChannelSettings{
			"C2": {Allowed: true},
			"C3": {Allowed: false},
			"C4": {Allowed: true, AutoAnswer: true, ReplyInThread: true, Sources: []string{"Valley Courier"}},
			"C5": {Allowed: true, ReplyInThread: true, Private: true},
		},
	}
}

// harness is a Bot running against a fake Slack.
type harness struct {
	fake  *fakeSlack
	asker *fakeAsker
	bot   *Bot
	clock *fakeClock

	cancel context.CancelFunc
	done   chan error
}

// newBotFor returns a Bot (not running) for the fake.
func newBotFor(t *testing.T, f *fakeSlack, asker *fakeAsker, clock *fakeClock, edit func(*Options)) *Bot {
	t.Helper()
	qctx, qcancel := context.WithCancel(context.Background())
	queue := chat.NewQueue(qctx, 4, 8)
	svc, err := chat.NewService(chat.ServiceOptions{
		Engine:   asker,
		Policy:   chat.NewPolicy(settings(), nil),
		Queue:    queue,
		Platform: "slack",
		Now:      clock.Now,
		Logger:   newTestLogger(t),
	})
	if err != nil {
		t.Fatal(err)
	}
	opts := Options{
		BotToken: f.BotToken(),
		AppToken: f.AppToken(),
		APIURL:   f.APIURL(),
		Admins:   []string{"UADMIN"},
		Service:  svc,
		Library:  fakeLibrary{},
		Logger:   newTestLogger(t),
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

// start runs a Bot in socket mode against a new fake Slack and waits
// until it is connected.
func start(t *testing.T, edit func(*Options)) *harness {
	t.Helper()
	h := run(t, newFake(t), edit)
	h.fake.waitConnected(t, 1)
	return h
}

// run runs a Bot against f.
func run(t *testing.T, f *fakeSlack, edit func(*Options)) *harness {
	t.Helper()
	h := &harness{fake: f, asker: newAsker(), clock: &fakeClock{now: time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC)}}
	h.asker.clock = h.clock
	h.bot = newBotFor(t, f, h.asker, h.clock, edit)
	ctx, cancel := context.WithCancel(context.Background())
	h.cancel, h.done = cancel, make(chan error, 1)
	go func() { h.done <- h.bot.Run(ctx) }()
	t.Cleanup(func() { h.stop(t) })
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

// sign returns the headers Slack signs a request with.
func sign(secret string, ts time.Time, body string) map[string]string {
	stamp := strconv.FormatInt(ts.Unix(), 10)
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte("v0:" + stamp + ":" + body))
	return map[string]string{
		"X-Slack-Request-Timestamp": stamp,
		"X-Slack-Signature":         "v0=" + hex.EncodeToString(mac.Sum(nil)),
	}
}

// mustJSON marshals v.
func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// posted is what a Web API call posted: its fallback text and blocks.
func posted(t *testing.T, r fakeRequest) (string, []map[string]any) {
	t.Helper()
	if r.JSON != nil {
		text, _ := r.JSON["text"].(string)
		var blocks []map[string]any
		raw, _ := json.Marshal(r.JSON["blocks"])
		json.Unmarshal(raw, &blocks)
		return text, blocks
	}
	var blocks []map[string]any
	if err := json.Unmarshal([]byte(r.Form.Get("blocks")), &blocks); err != nil {
		t.Fatalf("%s: blocks are not JSON: %v", r.Method, err)
	}
	return r.Form.Get("text"), blocks
}

// blockText is the mrkdwn of a message's blocks, one a line.
func blockText(blocks []map[string]any) string {
	var lines []string
	for _, b := range blocks {
		if t, ok := b["text"].(map[string]any); ok {
			lines = append(lines, t["text"].(string))
		}
		if els, ok := b["elements"].([]any); ok {
			for _, e := range els {
				if m, ok := e.(map[string]any); ok {
					s, _ := m["text"].(string)
					lines = append(lines, s)
				}
			}
		}
	}
	return strings.Join(lines, "\n")
}
