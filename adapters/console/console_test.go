package console

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/byline-bot/byline/answer"
	"github.com/byline-bot/byline/knowledge"
)

// fakeEngine answers every question with one cited sentence and records
// what it was asked.
type fakeEngine struct {
	asked []answer.Question
	fail  bool
}

func (f *fakeEngine) Ask(_ context.Context, q answer.Question) (answer.Answer, error) {
	f.asked = append(f.asked, q)
	if f.fail {
		return answer.Answer{}, errors.New("llm exploded: secret detail")
	}
	return answer.Answer{
		Text: "The council voted 5 to 2 [1].",
		Citations: []answer.Citation{{
			N: 1, ArticleID: "council-vote", Title: "Council approves lanes", Source: "Harbor Gazette",
			URL: "https://example.org/lanes", Published: time.Date(2026, 3, 4, 0, 0, 0, 0, time.UTC),
			Paragraph: 2, Quote: "The council voted 5 to 2.",
		}},
	}, nil
}

// fakeLibrary holds one paragraph.
type fakeLibrary struct{ p knowledge.Passage }

func (l fakeLibrary) Search(_ context.Context, q knowledge.Query) ([]knowledge.Passage, error) {
	if strings.Contains(q.Text, "council") {
		return []knowledge.Passage{l.p}, nil
	}
	return nil, nil
}

func (l fakeLibrary) Passage(_ context.Context, id string, n int) (knowledge.Passage, error) {
	if id == l.p.ArticleID && n == l.p.Paragraph {
		return l.p, nil
	}
	return knowledge.Passage{}, knowledge.ErrNotFound
}

func newChat(t *testing.T, e *fakeEngine, in io.Reader, out io.Writer) *Chat {
	t.Helper()
	c, err := New(Options{Engine: e, Library: fakeLibrary{knowledge.Passage{
		ArticleID: "council-vote", Paragraph: 2, Title: "Council approves lanes", Source: "Harbor Gazette",
		Text: "The council voted 5 to 2 on Tuesday.", URL: "https://example.org/lanes",
	}}, Sources: []string{"Harbor Gazette"}, In: in, Out: out})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestChatConversation(t *testing.T) {
	e := &fakeEngine{}
	var out strings.Builder
	in := strings.NewReader("How did the council vote?\nWhat did he say next?\n/new\nAnd then?\n/quit\nnever read\n")
	c := newChat(t, e, in, &out)
	if err := c.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	var got [][]answer.Turn
	for _, q := range e.asked {
		got = append(got, q.History)
		if diff := cmp.Diff([]string{"Harbor Gazette"}, q.Sources); diff != "" {
			t.Errorf("sources (-want +got):\n%s", diff)
		}
	}
	want := [][]answer.Turn{
		nil,
		{{Question: "How did the council vote?", Answer: "The council voted 5 to 2 [1]."}},
		nil, // after /new
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("history per question (-want +got):\n%s", diff)
	}
	for _, s := range []string{
		"The council voted 5 to 2 [1].",
		"[1] Council approves lanes — Harbor Gazette, 4 Mar 2026 (council-vote#2, paragraph 2)",
		"https://example.org/lanes",
		"“The council voted 5 to 2.”",
		"Started a new conversation.",
	} {
		if !strings.Contains(out.String(), s) {
			t.Errorf("output lacks %q:\n%s", s, out.String())
		}
	}
	if strings.Contains(out.String(), "never read") {
		t.Error("a line after /quit was handled")
	}
}

func TestChatCommands(t *testing.T) {
	tests := []struct {
		line string
		want string
	}{
		{"/search council", "council-vote#2  Council approves lanes — Harbor Gazette"},
		{"/search zebras", `No stored paragraph matches "zebras".`},
		{"/search", "Usage: /search WORDS"},
		{"/source council-vote#2", "The council voted 5 to 2 on Tuesday.\nhttps://example.org/lanes"},
		{"/source council-vote 2", "The council voted 5 to 2 on Tuesday."},
		{"/source council-vote#9", "There is no paragraph council-vote#9."},
		{"/source nonsense", "Usage: /source ARTICLE#PARAGRAPH"},
		{"/help", "/source ID#N"},
		{"/frobnicate", "Unknown command /frobnicate."},
	}
	for _, tt := range tests {
		e := &fakeEngine{}
		var out strings.Builder
		if err := newChat(t, e, strings.NewReader(tt.line+"\n"), &out).Run(context.Background()); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(out.String(), tt.want) {
			t.Errorf("%s: output lacks %q:\n%s", tt.line, tt.want, out.String())
		}
		if len(e.asked) != 0 {
			t.Errorf("%s: a command reached the engine", tt.line)
		}
	}
}

func TestChatEngineFailureIsKind(t *testing.T) {
	var out strings.Builder
	err := newChat(t, &fakeEngine{fail: true}, strings.NewReader("How did the council vote?\n"), &out).Run(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "Sorry, I couldn't answer that just now.") || strings.Contains(out.String(), "secret detail") {
		t.Errorf("want a kind message without the error's details:\n%s", out.String())
	}
}

// The engine's error, kept from the user, goes to the log.
func TestChatEngineFailureIsLogged(t *testing.T) {
	var out, logs strings.Builder
	c, err := New(Options{Engine: &fakeEngine{fail: true}, Library: fakeLibrary{}, Logger: slog.New(slog.NewTextHandler(&logs, nil)),
		In: strings.NewReader("How did the council vote?\n"), Out: &out})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(logs.String(), "llm exploded: secret detail") || !strings.Contains(logs.String(), "component=console") {
		t.Errorf("the log does not hold the engine's error:\n%s", logs.String())
	}
}
