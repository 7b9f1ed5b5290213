package discord

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/byline-bot/byline/answer"
	"github.com/byline-bot/byline/knowledge"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// golden compares got with testdata/name.golden, or rewrites it with
// -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("%s (-want +got):\n%s", path, diff)
	}
}

// messages shows rendered messages one after another, with their lengths.
func messages(ms []string) string {
	var b strings.Builder
	for i, m := range ms {
		fmt.Fprintf(&b, "----- message %d of %d, %d characters -----\n%s\n", i+1, len(ms), len([]rune(m)), m)
	}
	return b.String()
}

func citation(n int, id, title, source, url string, para int) answer.Citation {
	return answer.Citation{N: n, ArticleID: id, Title: title, Source: source, URL: url, Paragraph: para,
		Published: time.Date(2026, 3, n, 8, 30, 0, 0, time.UTC)}
}

// longAnswer has six paragraphs, a code block among them, citing five
// sources, too long for one message.
func longAnswer() answer.Answer {
	sentence := func(topic string, n int) string {
		return fmt.Sprintf("The %s was discussed at length by the council, which heard from residents, staff and the transit authority before it voted [%d].", topic, n)
	}
	para := func(topic string, ns ...int) string {
		var ss []string
		for i := 0; i < 5; i++ {
			ss = append(ss, sentence(topic, ns[i%len(ns)]))
		}
		return strings.Join(ss, " ")
	}
	text := strings.Join([]string{
		para("budget", 1),
		para("bus network", 2, 3),
		"The timetable the council published reads:\n```\nRoute 12  every 15 min  06:00-23:00\nRoute 14  every 20 min  06:30-22:00\n```",
		para("library hours", 3),
		para("water rates", 4, 1),
		para("park renovation", 5),
	}, "\n\n")
	return answer.Answer{Text: text, Citations: []answer.Citation{
		citation(1, "council-budget", "Council approves 2026 budget", "Valley Courier", "https://courier.example/2026/03/01/budget", 2),
		citation(2, "bus-network", "New bus routes start in May", "Valley Courier", "https://courier.example/2026/03/02/bus", 4),
		citation(3, "library", "Library to open on Sundays", "Metro Daily", "https://metro.example/library", 1),
		citation(4, "water", "Water rates rise 3%", "Metro Daily", "https://metro.example/water", 7),
		citation(5, "parks", "Riverside park renovation approved", "Valley Courier", "https://courier.example/parks", 3),
	}}
}

func TestRender(t *testing.T) {
	for _, tc := range []struct {
		name string
		a    answer.Answer
	}{
		{"answer", answer.Answer{
			Text: "The council approved the budget 5 to 2 [1]. The new routes start on 4 May [2][1].",
			Citations: []answer.Citation{
				citation(1, "council-budget", "Council approves 2026 budget", "Valley Courier", "https://courier.example/2026/03/01/budget", 2),
				citation(2, "bus-network", "New bus routes start in May", "Valley Courier", "https://courier.example/2026/03/02/bus", 4),
			},
		}},
		{"abstention", answer.Answer{
			Abstained: true,
			Text:      answer.AbstainText + " I searched for: mayor salary.",
			Citations: []answer.Citation{citation(1, "x", "Ignored", "Ignored", "https://x.example", 1)},
		}},
		{"odd_metadata", answer.Answer{
			Text: "It passed [1]. Nobody objected [2]. @everyone was there [3].",
			Citations: []answer.Citation{
				{N: 1, ArticleID: "a", Title: "*Breaking*: vote_count [live] | updates", Source: "The ~Courier~", URL: "https://x.example/a b>c", Paragraph: 1},
				{N: 2, ArticleID: "b", Title: "", Source: "", URL: "javascript:alert(1)", Paragraph: 3},
				{N: 3, ArticleID: "c", Title: "<@123> and `code`", Source: "Metro", URL: "", Paragraph: 0},
			},
		}},
		{"long", longAnswer()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ms := Render(tc.a)
			checkMessages(t, ms, tc.a)
			golden(t, "render_"+tc.name, messages(ms))
		})
	}
}

// marker finds citation markers.
var marker = regexp.MustCompile(`\[(\d+)\]`)

// checkMessages checks what the golden files show: every message fits,
// and every marker in a message's text has its source in that message.
func checkMessages(t *testing.T, ms []string, a answer.Answer) {
	t.Helper()
	if len(ms) == 0 {
		t.Fatal("no messages")
	}
	for i, m := range ms {
		if n := len([]rune(m)); n > MaxMessage {
			t.Errorf("message %d has %d characters", i+1, n)
		}
		if a.Abstained {
			continue
		}
		text, sources, _ := strings.Cut(m, "\n\n[")
		sources = "[" + sources
		if strings.Count(m, "```")%2 != 0 {
			t.Errorf("message %d leaves a code block open", i+1)
		}
		for _, mk := range marker.FindAllStringSubmatch(text, -1) {
			if !strings.Contains(sources, "\n["+mk[1]+"] ") && !strings.HasPrefix(sources, "["+mk[1]+"] ") {
				t.Errorf("message %d cites [%s] without its source:\n%s", i+1, mk[1], m)
			}
		}
	}
}

func TestRenderEmpty(t *testing.T) {
	if got := Render(answer.Answer{}); !cmp.Equal(got, []string{noAnswer}) {
		t.Errorf("Render(empty) = %q", got)
	}
}

// TestRenderManySources: an answer citing so many sources that they do
// not fit beside it still renders within the limit.
func TestRenderManySources(t *testing.T) {
	var a answer.Answer
	var text []string
	for n := 1; n <= 30; n++ {
		text = append(text, fmt.Sprintf("Claim %d [%d].", n, n))
		a.Citations = append(a.Citations, citation(n%28+1, fmt.Sprintf("article-%d", n), strings.Repeat("Long title ", 8), "Valley Courier", "https://courier.example/"+strings.Repeat("x", 40), n))
		a.Citations[n-1].N = n
	}
	a.Text = strings.Join(text, " ")
	ms := Render(a)
	for i, m := range ms {
		if n := len([]rune(m)); n > MaxMessage {
			t.Errorf("message %d has %d characters", i+1, n)
		}
	}
	all := strings.Join(ms, "\n")
	for n := 1; n <= 30; n++ {
		if !strings.Contains(all, fmt.Sprintf("\n[%d] ", n)) {
			t.Errorf("source %d missing", n)
		}
	}
}

func TestRenderProgress(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", "…"},
		{"The council", "The council …"},
	} {
		if got := RenderProgress(tc.in); got != tc.want {
			t.Errorf("RenderProgress(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	if n := len([]rune(RenderProgress(strings.Repeat("x", 5000)))); n != MaxMessage {
		t.Errorf("long progress has %d characters, want %d", n, MaxMessage)
	}
}

func TestRenderSearchAndSource(t *testing.T) {
	ps := []knowledge.Passage{
		{ArticleID: "council-budget", Title: "Council approves 2026 budget", Source: "Valley Courier", URL: "https://courier.example/budget",
			Published: time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC), Paragraph: 2,
			Text: "The council voted 5 to 2 on Tuesday to approve the budget.\nIt adds two bus routes."},
		{ArticleID: "library", Title: "Library to open on Sundays", Source: "Metro Daily", Paragraph: 1,
			Text: strings.Repeat("The library will open on Sundays from May. ", 12)},
	}
	golden(t, "search", messages(RenderSearch("budget vote", ps)))
	golden(t, "search_none", messages(RenderSearch("nothing at all", nil)))
	long := ps[1]
	long.Text = strings.Repeat("The library will open on Sundays from May, the council said on Tuesday. ", 40)
	golden(t, "source", messages(append(RenderSource(ps[0]), RenderSource(long)...)))
}

// An answer quoted because the model failed says so, as in the console.
func TestRenderNote(t *testing.T) {
	a := answer.Answer{Text: "The council voted 5 to 2. [1]", Note: "The language model is unavailable right now, so this answer quotes the articles directly.",
		Citations: []answer.Citation{{N: 1, ArticleID: "council", Paragraph: 2, Title: "Budget"}}}
	got := strings.Join(Render(a), "\n")
	if !strings.Contains(got, "*(The language model is unavailable right now") {
		t.Errorf("the note is missing:\n%s", got)
	}
}

// rawMention is how Discord recognises a mention of a user, a role or a
// channel in a message: unescaped markup.
var rawMention = regexp.MustCompile(`(^|[^\\])<(?:@[!&]?|#)\d+>`)

// TestRenderDefusesMentions: the engine's text carries what the model or
// an article wrote, mentions and pings included; the messages Discord
// gets carry none of them raw, in an answer, an abstention, a streamed
// preview or a digest, and keep the words around them.
func TestRenderDefusesMentions(t *testing.T) {
	planted := "Ask <@123> and <@!42>, <@&77> in <#55>: @everyone @here @Everyone0 now"
	for name, msgs := range map[string][]string{
		"answer":     Render(answer.Answer{Text: planted + " [1].", Citations: []answer.Citation{citation(1, "a", "T", "S", "https://x.example/a", 1)}}),
		"abstention": Render(answer.Answer{Abstained: true, Text: answer.AbstainText + " I searched for: " + planted + "."}),
		"progress":   {RenderProgress(planted)},
		"digest":     RenderText("News digest\n\n**" + planted + "**\n" + planted + " [1]"),
	} {
		for _, m := range msgs {
			if p := rawPing.FindString(m); p != "" {
				t.Errorf("%s carries %s raw: %q", name, p, m)
			}
			if p := rawMention.FindString(m); p != "" {
				t.Errorf("%s carries the mention %s raw: %q", name, p, m)
			}
			if !strings.Contains(m, "Ask and, in: @\u200beveryone @\u200bhere @\u200bEveryone0 now") {
				t.Errorf("%s lost the words around the mentions: %q", name, m)
			}
		}
	}
}
