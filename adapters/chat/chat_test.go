package chat

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"

	"github.com/byline-bot/byline/answer"
)

type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

func TestPolicyDecide(t *testing.T) {
	clk := &clock{t: time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)}
	p := NewPolicy(Settings{
		Default: ChannelSettings{Allowed: true, ReplyInThread: true},
		Channels: map[string]ChannelSettings{
			"quiet": {Allowed: false},
			"ask":   {Allowed: true, AutoAnswer: true},
		},
	}, clk.now)
	p.Record("general/t1", answer.Turn{Question: "q", Answer: "a"}, true)

	tests := []struct {
		name string
		m    Message
		want bool
		why  string
	}{
		{"mention", Message{ChannelID: "general", Text: "who?", MentionsBot: true}, true, "mention"},
		{"plain message", Message{ChannelID: "general", Text: "hello all"}, false, "not addressed to the bot"},
		{"dm", Message{ChannelID: "D1", Text: "who?", DM: true}, true, "direct message"},
		{"bot", Message{ChannelID: "general", Text: "who?", MentionsBot: true, FromBot: true}, false, "from a bot"},
		{"edit", Message{ChannelID: "general", Text: "who?", MentionsBot: true, Edited: true}, false, "an edit"},
		{"not allowed", Message{ChannelID: "quiet", Text: "who?", MentionsBot: true}, false, "channel not allowed"},
		{"auto-answer", Message{ChannelID: "ask", Text: "who?"}, true, "auto-answer channel"},
		{"auto-answer ignores bots", Message{ChannelID: "ask", Text: "who?", FromBot: true}, false, "from a bot"},
		{"follow-up in bot thread", Message{ChannelID: "general", ThreadID: "t1", Text: "and then?"}, true, "follow-up in the bot's thread"},
		{"other thread", Message{ChannelID: "general", ThreadID: "t2", Text: "and then?"}, false, "not addressed to the bot"},
		{"empty", Message{ChannelID: "ask", Text: "  "}, false, "no text"},
	}
	for _, tt := range tests {
		d := p.Decide(tt.m)
		if d.Answer != tt.want || d.Why != tt.why {
			t.Errorf("%s: Decide = %v (%s), want %v (%s)", tt.name, d.Answer, d.Why, tt.want, tt.why)
		}
	}

	// After the window, a thread reply needs a mention again and the
	// conversation starts afresh.
	clk.t = clk.t.Add(31 * time.Minute)
	if d := p.Decide(Message{ChannelID: "general", ThreadID: "t1", Text: "and then?"}); d.Answer {
		t.Errorf("follow-up after the window answered: %s", d.Why)
	}
	if h := p.History("general/t1"); h != nil {
		t.Errorf("history after the window = %v, want none", h)
	}
}

func TestPolicyHistoryKeepsLastTurns(t *testing.T) {
	clk := &clock{t: time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)}
	p := NewPolicy(Settings{MaxTurns: 2}, clk.now)
	for i := 1; i <= 3; i++ {
		p.Record("c", answer.Turn{Question: fmt.Sprint("q", i), Answer: fmt.Sprint("a", i)}, false)
	}
	want := []answer.Turn{{Question: "q2", Answer: "a2"}, {Question: "q3", Answer: "a3"}}
	if diff := cmp.Diff(want, p.History("c")); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestQueueOrdersEachConversation(t *testing.T) {
	q := NewQueue(context.Background(), 4, 100)
	var (
		mu  sync.Mutex
		got = map[string][]int{}
	)
	release := make(chan struct{})
	started := make(chan string, 10)
	for i := 0; i < 5; i++ {
		for _, key := range []string{"a", "b"} {
			i, key := i, key
			if _, err := q.Submit(key, func(ctx context.Context) {
				if i == 0 {
					started <- key
					<-release
				}
				mu.Lock()
				got[key] = append(got[key], i)
				mu.Unlock()
			}); err != nil {
				t.Fatal(err)
			}
		}
	}
	// Both conversations start at once: one does not wait for the other.
	<-started
	<-started
	close(release)
	q.Wait()
	want := map[string][]int{"a": {0, 1, 2, 3, 4}, "b": {0, 1, 2, 3, 4}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestQueueFull(t *testing.T) {
	q := NewQueue(context.Background(), 1, 2)
	block := make(chan struct{})
	if _, err := q.Submit("k", func(context.Context) { <-block }); err != nil {
		t.Fatal(err)
	}
	ahead, err := q.Submit("k", func(context.Context) {})
	if err != nil || ahead != 1 {
		t.Errorf("second job: ahead %d, err %v; want 1, nil", ahead, err)
	}
	if _, err := q.Submit("k", func(context.Context) {}); err != ErrQueueFull {
		t.Errorf("third job: err %v, want ErrQueueFull", err)
	}
	close(block)
	q.Wait()
}

// Once the queue's context ends, the jobs still waiting for a slot are
// dropped, not all run at once without one.
func TestQueueDropsWaitingJobsAtShutdown(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		q := NewQueue(ctx, 1, 5)
		var mu sync.Mutex
		var started []string
		release := make(chan struct{})
		for _, key := range []string{"a", "b", "c"} {
			if _, err := q.Submit(key, func(ctx context.Context) {
				mu.Lock()
				started = append(started, key)
				mu.Unlock()
				<-release
			}); err != nil {
				t.Fatal(err)
			}
			synctest.Wait() // a takes the slot first
		}
		q.Close()
		cancel()
		synctest.Wait()
		mu.Lock()
		got := append([]string(nil), started...)
		mu.Unlock()
		if diff := cmp.Diff([]string{"a"}, got); diff != "" {
			t.Errorf("jobs started after the context ended (-want +got):\n%s", diff)
		}
		close(release)
		q.Wait()
		if n := q.Dropped(); n != 2 {
			t.Errorf("Dropped = %d, want 2", n)
		}
	})
}

// A closed queue takes no more jobs; those queued before still run.
func TestQueueClosed(t *testing.T) {
	q := NewQueue(context.Background(), 1, 5)
	ran := make(chan struct{})
	if _, err := q.Submit("k", func(context.Context) { close(ran) }); err != nil {
		t.Fatal(err)
	}
	q.Close()
	if _, err := q.Submit("k", func(context.Context) { t.Error("a job submitted after Close ran") }); !errors.Is(err, ErrClosed) {
		t.Errorf("Submit after Close: err %v, want ErrClosed", err)
	}
	q.Wait()
	select {
	case <-ran:
	default:
		t.Error("the job queued before Close did not run")
	}
}

func TestLimiter(t *testing.T) {
	clk := &clock{t: time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)}
	l := NewLimiter(Limits{UserPerMinute: 6, UserBurst: 2, ChannelPerMinute: 60, ChannelBurst: 3}, clk.now)
	for i := 0; i < 2; i++ {
		if ok, _ := l.Allow("u1", "c1"); !ok {
			t.Fatalf("question %d limited", i+1)
		}
	}
	ok, wait := l.Allow("u1", "c1")
	if ok || wait <= 0 || wait > 10*time.Second {
		t.Errorf("third question: ok %v, wait %v; want limited for up to 10 s", ok, wait)
	}
	if !strings.Contains(RetryMessage(wait), "try again in 10 s") {
		t.Errorf("message %q", RetryMessage(wait))
	}
	// Another user in the same channel still has the channel's last token.
	if ok, _ := l.Allow("u2", "c1"); !ok {
		t.Error("another user was limited by the first user's bucket")
	}
	if ok, _ := l.Allow("u3", "c1"); ok {
		t.Error("the channel's burst of 3 was exceeded")
	}
	clk.t = clk.t.Add(10 * time.Second)
	if ok, _ := l.Allow("u1", "c2"); !ok {
		t.Error("still limited after the bucket refilled")
	}
}

func TestSplit(t *testing.T) {
	long := strings.Repeat("word ", 30)
	tests := []struct {
		name string
		text string
		max  int
		want []string
	}{
		{"fits", "Short answer. [1]", 100, []string{"Short answer. [1]"}},
		{"empty", "  ", 100, nil},
		{"paragraphs", "First para. [1]\n\nSecond para. [2]", 20, []string{"First para. [1]", "Second para. [2]"}},
		{"sentences keep markers", "One is here. [1] Two is here. [2][3] Three.", 30,
			[]string{"One is here. [1]", "Two is here. [2][3] Three."}},
		{"words", strings.TrimSpace(long), 40, []string{
			"word word word word word word word word", "word word word word word word word word",
			"word word word word word word word word", "word word word word word word"}},
		{"code", "Intro.\n\n```\nline one\nline two\nline three\n```", 30,
			[]string{"Intro.", "```\nline one\nline two\n```", "```\nline three\n```"}},
		{"code keeps indentation", "```\nif x {\n    y  =  1\n}\n```", 22,
			[]string{"```\nif x {\n```", "```\n    y  =  1\n}\n```"}},
		{"a list is cut between its lines", "Sources:\n[1] Council vote — Courier\n[2] Rail strike — Wire\n[3] Flood — Post", 45,
			[]string{"Sources:\n[1] Council vote — Courier", "[2] Rail strike — Wire\n[3] Flood — Post"}},
	}
	for _, tt := range tests {
		got := Split(tt.text, tt.max)
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tt.name, diff)
		}
	}
}

func TestCited(t *testing.T) {
	if diff := cmp.Diff([]int{1, 2, 10}, Cited("a [2] b [1][10] c [2] [x]")); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func FuzzSplit(f *testing.F) {
	f.Add("One sentence. [1] Another one! [2]\n\nA new paragraph with a [3] marker.", 25)
	f.Add("```\ncode\n```", 20)
	f.Add(strings.Repeat("é", 100), 21)
	f.Fuzz(func(t *testing.T, text string, max int) {
		if max < 20 || max > 5000 || !utf8.ValidString(text) {
			return
		}
		pieces := Split(text, max)
		var words []string
		for _, p := range pieces {
			if n := utf8.RuneCountInString(p); n > max {
				t.Fatalf("piece of %d runes > %d: %q", n, max, p)
			}
			if strings.TrimSpace(p) == "" {
				t.Fatalf("empty piece in %q", pieces)
			}
			words = append(words, strings.Fields(strings.ReplaceAll(p, "```", " "))...)
		}
		want := strings.Fields(strings.ReplaceAll(text, "```", " "))
		if strings.Join(words, "") != strings.Join(want, "") {
			t.Fatalf("text lost or changed:\n%q\n%q", want, words)
		}
	})
}

// The queue is a platform's one tracker of work in flight: Drain waits
// for its jobs and its holds alike, and refuses both from then on.
func TestQueueDrainTracksJobsAndHolds(t *testing.T) {
	q := NewQueue(context.Background(), 1, 4)
	release1, ok1 := q.Hold()
	release2, ok2 := q.Hold()
	if !ok1 || !ok2 {
		t.Fatal("an open queue refused a hold")
	}
	started, finish := make(chan struct{}), make(chan struct{})
	if _, err := q.Submit("c", func(context.Context) { close(started); <-finish }); err != nil {
		t.Fatal(err)
	}
	<-started
	if got := q.InFlight(); got != 3 {
		t.Errorf("InFlight = %d, want 3 (two holds, one conversation)", got)
	}
	release1()
	release1() // a second call is harmless
	if got := q.InFlight(); got != 2 {
		t.Errorf("InFlight after one release (twice) = %d, want 2", got)
	}
	if left := q.Drain(0); left != 2 {
		t.Errorf("Drain(0) of a busy queue left %d, want 2", left)
	}
	if _, ok := q.Hold(); ok {
		t.Error("a draining queue took a hold")
	}
	if _, err := q.Submit("d", func(context.Context) {}); !errors.Is(err, ErrClosed) {
		t.Errorf("Submit to a draining queue: %v, want ErrClosed", err)
	}
	go func() { release2(); close(finish) }()
	if left := q.Drain(10 * time.Second); left != 0 {
		t.Errorf("Drain left %d in flight, want 0", left)
	}
	q.Wait() // returns at once: nothing is in flight
}

func TestRecent(t *testing.T) {
	r := NewRecent(2)
	ctx := context.Background()
	for _, tc := range []struct {
		key  string
		want bool
	}{{"a", true}, {"a", false}, {"b", true}, {"c", true}, {"a", true}, {"c", false}} {
		if got, _ := r.Once(ctx, tc.key); got != tc.want {
			t.Errorf("Once(%q) = %v, want %v", tc.key, got, tc.want)
		}
	}
}

// Every platform keys its conversations the same way: the Service says
// where an answer goes.
func TestWhere(t *testing.T) {
	thread := ChannelSettings{Allowed: true, ReplyInThread: true}
	reply := ChannelSettings{Allowed: true}
	tests := []struct {
		name string
		m    Message
		cs   ChannelSettings
		want Where
	}{
		{"dm", Message{ID: "m1", ChannelID: "D1", UserID: "U1", DM: true}, reply, Where{InPlace, "D1", false}},
		{"dm thread", Message{ID: "m2", ChannelID: "D1", ThreadID: "t1", UserID: "U1", DM: true}, reply, Where{InPlace, "D1/t1", true}},
		{"in a thread", Message{ID: "m3", ChannelID: "C1", ThreadID: "t1", UserID: "U1"}, reply, Where{InPlace, "C1/t1", true}},
		{"new thread", Message{ID: "m4", ChannelID: "C1", UserID: "U1"}, thread, Where{NewThread, "C1/m4", true}},
		{"in the channel", Message{ID: "m5", ChannelID: "C1", UserID: "U1"}, reply, Where{InChannel, "C1/u/U1", false}},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, WhereFor(tt.m, tt.cs)); diff != "" {
			t.Errorf("%s (-want +got):\\n%s", tt.name, diff)
		}
	}
}

func TestCommandConversation(t *testing.T) {
	type conv struct {
		Key      string
		InThread bool
	}
	tests := []struct {
		channel, thread string
		dm, private     bool
		want            conv
	}{
		{"D1", "", true, false, conv{"D1", false}},
		{"C1", "", false, false, conv{"C1/u/U1", false}},
		{"C1", "t1", false, false, conv{"C1/t1", true}},
		{"C1", "", false, true, conv{"C1/u/U1/private/U1", false}},
		{"C1", "t1", false, true, conv{"C1/t1/private/U1", false}},
	}
	for _, tt := range tests {
		var got conv
		got.Key, got.InThread = CommandConversation(tt.channel, tt.thread, "U1", tt.dm, tt.private)
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("%+v (-want +got):\\n%s", tt, diff)
		}
	}
}

// In a channel answered as replies, each asker is a conversation of their
// own: one person's questions neither wait for nor feed another's.
func TestChannelRepliesArePerAsker(t *testing.T) {
	cs := ChannelSettings{Allowed: true}
	key := func(id, user string) string { return WhereFor(Message{ID: id, ChannelID: "c1", UserID: user}, cs).Key }
	if key("1", "u1") == key("2", "u2") {
		t.Error("two askers share a conversation")
	}
	if key("1", "u1") != key("3", "u1") {
		t.Error("one asker's questions are in two conversations")
	}
}
