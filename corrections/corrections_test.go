package corrections_test

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/byline-bot/byline/adapters/chat"
	"github.com/byline-bot/byline/corrections"
	"github.com/byline-bot/byline/knowledge"
)

// A made-up story, written for these tests.
var story = []string{
	"The river authority said on Monday that the dam repairs would take two years.",
	"Engineer Tomas Vidal said the work would cost 12 million euros.",
	"Boats will still be allowed on the lake during the repairs.",
}

// platform is a chat.Platform and chat.Corrector that records what it was
// asked to post.
type platform struct {
	mu       sync.Mutex
	notices  []string // "channel/thread/message: text"
	marked   []string
	failPost bool
}

func (p *platform) Run(context.Context) error { return nil }
func (p *platform) Post(context.Context, string, string) (string, error) {
	return "", errors.New("not used")
}
func (p *platform) Edit(context.Context, string, string, string) error { return errors.New("not used") }

func (p *platform) PostCorrection(_ context.Context, channel, thread, message, text string) (string, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.failPost {
		return "", errors.New("platform down")
	}
	p.notices = append(p.notices, channel+"/"+thread+"/"+message+": "+text)
	return "n1", nil
}

func (p *platform) MarkSuperseded(_ context.Context, channel, thread, message, note string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.marked = append(p.marked, channel+"/"+thread+"/"+message)
	return nil
}

type fixture struct {
	store *knowledge.Store
	now   time.Time
	plat  *platform
	n     *corrections.Notifier
	on    bool
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	f := &fixture{now: time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC), plat: &platform{}, on: true}
	s, err := knowledge.Open(context.Background(), filepath.Join(t.TempDir(), "kb.db"), knowledge.Options{Now: func() time.Time { return f.now }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	f.store = s
	f.n = corrections.New(corrections.Options{
		Store: s, Platforms: map[string]chat.Platform{"discord": f.plat},
		Enabled: func(platform, channel string) bool { return f.on },
		Now:     func() time.Time { return f.now },
	})
	f.put(t, story...)
	return f
}

func (f *fixture) put(t *testing.T, paras ...string) {
	t.Helper()
	res, err := f.store.Put(context.Background(), []knowledge.Article{{Ref: "dam.md", ID: "dam", Title: "Dam", Paragraphs: paras}})
	if err != nil || res[0].Err != nil {
		t.Fatalf("put: %v %v", err, res[0].Err)
	}
}

// answer records an answer citing paragraph n, posted as message m.
func (f *fixture) answer(t *testing.T, n int, m string) int64 {
	t.Helper()
	ctx := context.Background()
	p, err := f.store.Passage(ctx, "dam", n)
	if err != nil {
		t.Fatal(err)
	}
	id, err := f.store.RecordAnswer(ctx, knowledge.AnswerRecord{Platform: "discord", Channel: "c1", Question: "How much will the dam cost?",
		Text: "12 million euros [1].", Citations: []knowledge.CitedParagraph{{N: 1, PID: p.PID, Version: p.Version, ArticleID: "dam", Paragraph: n, Text: p.Text}}})
	if err != nil {
		t.Fatal(err)
	}
	if err := f.store.SetAnswerMessage(ctx, id, "", m); err != nil {
		t.Fatal(err)
	}
	return id
}

func (f *fixture) check(t *testing.T) int {
	t.Helper()
	n, err := f.n.Check(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestOneNoticeWithBeforeAndAfter(t *testing.T) {
	f := newFixture(t)
	f.answer(t, 2, "m1")
	fixed := strings.Replace(story[1], "12 million", "14 million", 1)
	f.put(t, story[0], fixed, story[2], "Correction: An earlier version of this story misstated the cost of the repairs.")
	if got := f.check(t); got != 1 {
		t.Fatalf("posted %d notices, want 1", got)
	}
	if len(f.plat.notices) != 1 || len(f.plat.marked) != 1 || f.plat.marked[0] != "c1//m1" {
		t.Fatalf("notices %q, marked %q", f.plat.notices, f.plat.marked)
	}
	text := f.plat.notices[0]
	for _, want := range []string{"c1//m1: ", "Then: " + story[1], "Now: " + fixed, "The outlet's note: Correction: An earlier version", "[1]"} {
		if !strings.Contains(text, want) {
			t.Errorf("notice lacks %q:\n%s", want, text)
		}
	}
	// Nothing new: nothing posted, now or after the same text again.
	f.put(t, story[0], fixed, story[2], "Correction: An earlier version of this story misstated the cost of the repairs.")
	if got := f.check(t); got != 0 || len(f.plat.notices) != 1 {
		t.Fatalf("second check posted %d (%d in all), want none", got, len(f.plat.notices))
	}
}

func TestOneNoticeADayPerAnswer(t *testing.T) {
	f := newFixture(t)
	f.answer(t, 2, "m1")
	f.put(t, story[0], strings.Replace(story[1], "12", "14", 1), story[2])
	f.check(t)
	// Removed an hour later: told, but not before a day has passed.
	f.now = f.now.Add(time.Hour)
	f.put(t, story[0], story[2])
	if got := f.check(t); got != 0 {
		t.Fatalf("a second notice within the day: posted %d", got)
	}
	f.now = f.now.Add(corrections.OncePerAnswer)
	if got := f.check(t); got != 1 || !strings.Contains(f.plat.notices[1], "removed from the article") || !strings.Contains(f.plat.notices[1], "Then: "+story[1]) {
		t.Fatalf("after a day: posted %d, notices %q", got, f.plat.notices)
	}
}

func TestOffAndFailures(t *testing.T) {
	f := newFixture(t)
	f.answer(t, 2, "m1")
	f.plat.failPost = true
	f.put(t, story[0], strings.Replace(story[1], "12", "14", 1), story[2])
	if got := f.check(t); got != 0 {
		t.Fatalf("posted %d while the platform fails", got)
	}
	f.plat.failPost = false
	if got := f.check(t); got != 1 {
		t.Fatalf("posted %d once the platform is back, want the kept notice", got)
	}

	f.answer(t, 3, "m2")
	f.on = false
	f.put(t, story[0], strings.Replace(story[1], "12", "14", 1))
	if got := f.check(t); got != 0 {
		t.Fatalf("posted %d with corrections off", got)
	}
	f.on = true
	if got := f.check(t); got != 0 {
		t.Fatalf("a correction dropped while off was posted later (%d)", got)
	}
}

func TestNoticeOfSeveralSources(t *testing.T) {
	cs := []knowledge.PendingCorrection{
		{Answer: knowledge.AnswerRecord{ID: 1, Question: "what  happened?"}, N: 1, ArticleID: "a", OldText: "x said 1", NewText: "x said 2", NewVersion: 2},
		{Answer: knowledge.AnswerRecord{ID: 1}, N: 3, ArticleID: "b", OldText: "y", NewVersion: 0},
	}
	text := corrections.Notice(cs)
	for _, want := range []string{"2 sources", `"what happened?"`, "Source [1] (a)", "Source [3] (b)", "Now: x said 2", "removed"} {
		if !strings.Contains(text, want) {
			t.Errorf("notice lacks %q:\n%s", want, text)
		}
	}
}
