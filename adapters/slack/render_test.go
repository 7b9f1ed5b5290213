package slack

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
	"github.com/slack-go/slack"

	"github.com/byline-bot/byline/answer"
	"github.com/byline-bot/byline/knowledge"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// golden compares got, as indented JSON, with testdata/name.golden, or
// rewrites it with -update.
func golden(t *testing.T, name string, got []Message) {
	t.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(got); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), buf.String()); diff != "" {
		t.Errorf("%s (-want +got):\n%s", path, diff)
	}
}

func citation(n int, id, title, source, url string, para int) answer.Citation {
	return answer.Citation{N: n, ArticleID: id, Title: title, Source: source, URL: url, Paragraph: para,
		Published: time.Date(2026, 3, n, 8, 30, 0, 0, time.UTC), Quote: fmt.Sprintf("Quoted sentence %d.", n)}
}

// longAnswer has six paragraphs, a code block and a list among them,
// citing five sources, too long for one message.
func longAnswer() answer.Answer {
	sentence := func(topic string, n int) string {
		return fmt.Sprintf("The **%s** was discussed at length by the council, which heard from residents, staff and the transit authority before it voted [%d].", topic, n)
	}
	para := func(topic string, ns ...int) string {
		var ss []string
		for i := 0; i < 8; i++ {
			ss = append(ss, sentence(topic, ns[i%len(ns)]))
		}
		return strings.Join(ss, " ")
	}
	text := strings.Join([]string{
		para("budget", 1),
		para("bus network", 2, 3),
		"The timetable the council published reads:\n```\nRoute 12  every 15 min  06:00-23:00\nRoute 14  every 20 min  06:30-22:00\n```",
		"What changes:\n\n- two new routes [2]\n- Sunday hours at the library [3]",
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
			Text: "The council approved the budget **5 to 2** [1]. The new routes start on _4 May_ [2][1]; see [the timetable](https://courier.example/bus?x=1&y=2).",
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
			Text: "It passed [1]. Nobody objected [2]. Someone was there [3].",
			Citations: []answer.Citation{
				{N: 1, ArticleID: "a", Title: "*Breaking*: vote_count [live] | updates", Source: "The ~Courier~", URL: "https://x.example/a b>c|d", Paragraph: 1, Quote: "It `passed` <b>easily</b> & quickly."},
				{N: 2, ArticleID: "b", Title: "", Source: "", URL: "javascript:alert(1)", Paragraph: 3},
				{N: 3, ArticleID: "c", Title: "<@U123> and `code`", Source: "Metro", URL: "", Paragraph: 0},
			},
		}},
		{"long", longAnswer()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ms := Render(tc.a)
			checkMessages(t, ms)
			checkSources(t, ms, tc.a)
			golden(t, "render_"+tc.name, ms)
		})
	}
	if n := len(Render(longAnswer())); n < 2 {
		t.Errorf("the long answer fits in %d message, want it split", n)
	}
}

func TestRenderSearchAndSource(t *testing.T) {
	ps := []knowledge.Passage{
		{ArticleID: "council-budget", Title: "Council approves 2026 budget", Source: "Valley Courier", URL: "https://courier.example/budget",
			Published: time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC), Paragraph: 2,
			Text: "The council voted 5 to 2 on Tuesday to approve the budget.\nIt adds two bus routes."},
		{ArticleID: "library", Title: "Library to open on *Sundays*", Source: "Metro Daily", Paragraph: 1,
			Text: strings.Repeat("The library will open on Sundays from May. ", 12)},
	}
	golden(t, "search", RenderSearch("budget vote", ps))
	golden(t, "search_none", RenderSearch("nothing at all <!here>", nil))
	long := ps[1]
	long.Text = strings.Repeat("The library will open on Sundays from May, the council said on Tuesday. ", 80)
	src := append(RenderSource(ps[0]), RenderSource(long)...)
	golden(t, "source", src)
	checkMessages(t, src)
}

func TestRenderProgressAndEmpty(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", "…"},
		{"The **council**", "The *council* …"},
	} {
		m := RenderProgress(tc.in)
		checkMessages(t, []Message{m})
		if got := m.Blocks[0].(*slack.SectionBlock).Text.Text; got != tc.want {
			t.Errorf("RenderProgress(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	checkMessages(t, []Message{RenderProgress(strings.Repeat("a & b ", 2000))})
	if got := Render(answer.Answer{}); len(got) != 1 || got[0].Text != noAnswer {
		t.Errorf("Render(empty) = %+v", got)
	}
	checkMessages(t, Render(answer.Answer{Text: "[x]: https://only.example/a-definition"}))
}

// TestRenderManySources: an answer citing more sources than fit beside it
// in 50 blocks still renders within the limits, every source shown.
func TestRenderManySources(t *testing.T) {
	var a answer.Answer
	var text []string
	for n := 1; n <= 80; n++ {
		text = append(text, fmt.Sprintf("Claim %d [%d].", n, n))
		c := citation(1, fmt.Sprintf("article-%d", n), "Title", "Valley Courier", "https://courier.example/x", n)
		c.N = n
		a.Citations = append(a.Citations, c)
	}
	a.Text = strings.Join(text, " ")
	ms := Render(a)
	checkMessages(t, ms)
	var all strings.Builder
	for _, m := range ms {
		all.WriteString(m.Text + "\n")
	}
	for n := 1; n <= 80; n++ {
		if !strings.Contains(all.String(), fmt.Sprintf("[%d] Title", n)) {
			t.Errorf("source %d missing", n)
		}
	}
}

// ourLink is the only <…> the bot writes: a link to an http(s) or mailto
// URL, with an optional label.
var ourLink = regexp.MustCompile(`<(?:https?://|mailto:)[^<>|\s]+(?:\|[^<>]*)?>`)

// entity is what an & may start.
var entity = regexp.MustCompile(`&(amp|lt|gt);`)

// unsafe says what in a text Slack could turn into a ping or a link the
// bot did not write, or "".
func unsafe(s string) string {
	for _, p := range []string{"<!", "<@", "<#"} {
		if strings.Contains(s, p) {
			return "contains " + p
		}
	}
	rest := ourLink.ReplaceAllString(s, "")
	if i := strings.IndexByte(rest, '<'); i >= 0 {
		return fmt.Sprintf("an unescaped < at %q", rest[i:min(len(rest), i+20)])
	}
	if strings.Count(s, "&") != len(entity.FindAllString(s, -1)) {
		return "an unescaped &"
	}
	lower := strings.ToLower(s)
	for _, w := range []string{"@channel", "@here", "@everyone"} {
		if strings.Contains(lower, w) {
			return "the word " + w
		}
	}
	if !utf8.ValidString(s) {
		return "invalid UTF-8"
	}
	return ""
}

// texts returns every text of a message Slack renders: the fallback, each
// section's and each context element's.
func texts(m Message) []string {
	out := []string{m.Text}
	for _, b := range m.Blocks {
		switch b := b.(type) {
		case *slack.SectionBlock:
			out = append(out, b.Text.Text)
		case *slack.ContextBlock:
			for _, e := range b.ContextElements.Elements {
				if tb, ok := e.(*slack.TextBlockObject); ok {
					out = append(out, tb.Text)
				}
			}
		}
	}
	return out
}

// messageProblem says what is wrong with a rendered message, or "".
func messageProblem(m Message) string {
	if len(m.Blocks) == 0 || len(m.Blocks) > MaxBlocks {
		return fmt.Sprintf("%d blocks", len(m.Blocks))
	}
	if strings.TrimSpace(m.Text) == "" {
		return "no fallback text"
	}
	total := 0
	for _, b := range m.Blocks {
		total += blockChars(b)
	}
	if total > MaxBlocksText {
		return fmt.Sprintf("%d characters of block text", total)
	}
	for _, b := range m.Blocks {
		switch b := b.(type) {
		case *slack.SectionBlock:
			if b.Text == nil || b.Text.Type != slack.MarkdownType || !b.Text.Verbatim {
				return "a section that is not verbatim mrkdwn"
			}
			if s := b.Text.Text; strings.TrimSpace(s) == "" || size(s) > MaxSection {
				return fmt.Sprintf("a section of %d characters", size(s))
			}
		case *slack.ContextBlock:
			els := b.ContextElements.Elements
			if len(els) == 0 || len(els) > 10 {
				return fmt.Sprintf("a context block of %d elements", len(els))
			}
			for _, e := range els {
				tb, ok := e.(*slack.TextBlockObject)
				if !ok || !tb.Verbatim || size(tb.Text) > MaxSection || strings.TrimSpace(tb.Text) == "" {
					return "a bad context element"
				}
			}
		default:
			return fmt.Sprintf("a %T block", b)
		}
	}
	for _, s := range texts(m) {
		if p := unsafe(s); p != "" {
			return p + " in " + fmt.Sprintf("%q", s)
		}
	}
	return ""
}

// checkMessages checks the limits and that nothing can ping.
func checkMessages(t *testing.T, ms []Message) {
	t.Helper()
	if len(ms) == 0 {
		t.Fatal("no messages")
	}
	for i, m := range ms {
		if p := messageProblem(m); p != "" {
			t.Errorf("message %d: %s", i+1, p)
		}
	}
}

var marker = regexp.MustCompile(`\[(\d+)\]`)

// checkSources checks that every [n] a message's sections use has its
// source in the same message.
func checkSources(t *testing.T, ms []Message, a answer.Answer) {
	t.Helper()
	if a.Abstained {
		for i, m := range ms {
			for _, b := range m.Blocks {
				if _, ok := b.(*slack.ContextBlock); ok {
					t.Errorf("abstention message %d has sources", i+1)
				}
			}
		}
		return
	}
	for i, m := range ms {
		var text, sources strings.Builder
		for _, b := range m.Blocks {
			switch b := b.(type) {
			case *slack.SectionBlock:
				text.WriteString(b.Text.Text + "\n")
			case *slack.ContextBlock:
				sources.WriteString(b.ContextElements.Elements[0].(*slack.TextBlockObject).Text + "\n")
			}
		}
		for _, mk := range marker.FindAllStringSubmatch(text.String(), -1) {
			if !strings.Contains("\n"+sources.String(), "\n["+mk[1]+"] ") {
				t.Errorf("message %d cites [%s] without its source", i+1, mk[1])
			}
		}
	}
}

// planted are the pings an article or a model might carry.
var planted = []string{"<!channel>", "<!here>", "<!everyone>", "<@U123>", "<!subteam^S1>", "@everyone", "@here", "@Channel", "<#C123>", "&lt;!channel&gt;", "&#60;@U1&#62;", "[x](<!here>)", "<https://ok.example|<!channel>>"}

// TestNoPings: pings planted in an answer's text, its sources' titles,
// outlets and quotes, a search and a digest never reach what the bot
// posts as pings: not in rendering, and not in the requests the real
// client sends.
func TestNoPings(t *testing.T) {
	t.Parallel()
	all := strings.Join(planted, " ")
	a := answer.Answer{
		Text: "Planted: " + all + " [1].\n\n**" + all + "** [2]",
		Citations: []answer.Citation{
			{N: 1, ArticleID: "p", Title: all, Source: all, URL: "https://x.example/<!channel>", Paragraph: 1, Quote: all},
			{N: 2, ArticleID: "<!here>", Title: "[t](https://x.example|<!here>)", Source: "<@U123>", URL: "https://x.example/a|<@U1>", Paragraph: 2, Quote: "<!subteam^S1|@team>"},
		},
	}
	checkMessages(t, Render(a))
	checkMessages(t, RenderText(all))
	checkMessages(t, RenderSearch(all, []knowledge.Passage{{ArticleID: "<!here>", Title: all, Source: all, Text: all, URL: "https://x.example/?q=<!here>"}}))
	checkMessages(t, RenderSource(knowledge.Passage{ArticleID: "<!here>", Title: all, Source: all, Text: all, Paragraph: 1}))
	checkMessages(t, []Message{RenderProgress(all)})

	h := start(t, nil)
	f := h.fake
	h.asker.set(func(x *fakeAsker) { x.answer = func(string) answer.Answer { return a } })
	f.send(f.envelope("e1", "Ev1", f.mention("C1", "1700000000.000100", "", "anything <!channel>?")))
	f.send(slash(f, "s1", "C1", "U1", "ask "+all))
	f.waitCalls(t, 1, "chat.postMessage", nil)
	f.wait(t, "the slash answer", func() bool { return len(f.calls("response_url", nil)) > 0 })
	if _, err := h.bot.Post(context.Background(), "C2", all); err != nil {
		t.Fatal(err)
	}
	h.stop(t)
	for _, r := range f.calls("", nil) {
		if r.Method == "auth.test" || r.Method == "apps.connections.open" {
			continue
		}
		wantNoPings(t, r)
	}
}

// wantNoPings fails if what a request posts could ping anyone.
func wantNoPings(t *testing.T, r fakeRequest) {
	t.Helper()
	text, blocks := posted(t, r)
	for _, s := range []string{text, blockText(blocks)} {
		if p := unsafe(s); p != "" {
			t.Errorf("%s posts %s:\n%s", r.Method, p, s)
		}
	}
}

// FuzzRender: whatever the answer text and its source's metadata,
// rendering keeps within Slack's limits, and nothing in the output can
// ping or link anywhere but where the bot links.
func FuzzRender(f *testing.F) {
	f.Add("The council voted **5 to 2** [1].", "Council approves budget", "https://courier.example/a?b=1&c=2", "It passed.", false)
	f.Add("<!channel> <@U123> <!subteam^S1|@team> @everyone [x](javascript:1) <https://a.example|<!here>>", "*t* <@U1>", "https://x.example/a b>c|d", "<!here>", false)
	f.Add("```\n<!channel>\n```\n\n> quote & <b>html</b>\n\n- a [1]\n- b [2]\n\n# head [1]", "`x`", "mailto:a@b.example", "&amp;&lt;", false)
	f.Add(strings.Repeat("&<>*_~` ", 700)+"[1]", strings.Repeat("&", 300), "http://x.example/"+strings.Repeat("&", 100), strings.Repeat("<", 400), false)
	f.Add(answer.AbstainText+" I searched for <!here>.", "", "", "", true)
	f.Add("[a](<https://x.example/<!here>>) ![i](https://x.example/i.png) www.example.com/a_b x@y.example", "t", "https://t.example", "q", false)
	f.Fuzz(func(t *testing.T, text, title, url, quote string, abstained bool) {
		if len(text) > 20000 {
			t.Skip()
		}
		a := answer.Answer{Text: text, Abstained: abstained, Citations: []answer.Citation{
			{N: 1, ArticleID: "a", Title: title, Source: title, URL: url, Paragraph: 1, Quote: quote},
			{N: 2, ArticleID: quote, Title: quote, URL: url, Quote: title},
		}}
		ms := Render(a)
		if len(ms) == 0 {
			t.Fatal("no messages")
		}
		for i, m := range ms {
			if p := messageProblem(m); p != "" {
				t.Fatalf("message %d of %d: %s", i+1, len(ms), p)
			}
		}
		if p := messageProblem(RenderProgress(text)); p != "" {
			t.Fatalf("progress: %s", p)
		}
		for _, m := range RenderSearch(text, []knowledge.Passage{{ArticleID: title, Title: title, Source: quote, URL: url, Text: text, Paragraph: 2}}) {
			if p := messageProblem(m); p != "" {
				t.Fatalf("search: %s", p)
			}
		}
	})
}

// A paragraph id shown with a source is the one /byline source takes,
// underscores included.
func TestRefRoundTrip(t *testing.T) {
	c := answer.Citation{N: 1, ArticleID: "city_council_2026", Paragraph: 3, Title: "Budget"}
	ms := Render(answer.Answer{Text: "It passed [1].", Citations: []answer.Citation{c}})
	b, err := json.Marshal(ms)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), "`city_council_2026#3`") || !strings.Contains(ms[0].Text, "city_council_2026#3") {
		t.Fatalf("the id is not shown as typed: %s", b)
	}
	for _, typed := range []string{"city_council_2026#3", "`city_council_2026#3`", "cityˍcouncilˍ2026#3"} {
		if id, n, ok := parseRef(typed); !ok || id != "city_council_2026" || n != 3 {
			t.Errorf("parseRef(%q) = %q, %d, %v", typed, id, n, ok)
		}
	}
}

// Slack formats *x* only at word boundaries; inside a word a zero-width
// space makes one.
func TestIntraWordEmphasis(t *testing.T) {
	for in, want := range map[string]string{
		"foo**bar**baz":   "foo\u200b*bar*\u200bbaz",
		"a **b** c":       "a *b* c",
		"**x**.":          "*x*.",
		"un*believ*able":  "un\u200b_believ_\u200bable",
		"***both*** ways": "_*both*_ ways",
	} {
		if got := toMrkdwn(in); got != want {
			t.Errorf("toMrkdwn(%q) = %q, want %q", in, got, want)
		}
	}
}

// A message an app posted with attachments only (a feed reader's) still
// has something to ask about.
func TestMessageText(t *testing.T) {
	m := slack.Message{}
	m.Attachments = []slack.Attachment{{Title: "Harbour dredging to start in May", TitleLink: "https://courier.example/harbour", Text: "The port authority said on Thursday."}}
	got := messageText(m)
	for _, want := range []string{"Harbour dredging", "https://courier.example/harbour", "port authority"} {
		if !strings.Contains(got, want) {
			t.Errorf("messageText = %q, lacks %q", got, want)
		}
	}
	m.Text = "plain text wins"
	if got := messageText(m); got != "plain text wins" {
		t.Errorf("messageText = %q", got)
	}
}

// An answer quoted because the model failed says so, as in the console.
func TestRenderNote(t *testing.T) {
	a := answer.Answer{Text: "The council voted 5 to 2. [1]", Note: "Today's language model budget is used up, so this answer quotes the articles directly.",
		Citations: []answer.Citation{{N: 1, ArticleID: "council", Paragraph: 2, Title: "Budget"}}}
	ms := Render(a)
	b, _ := json.Marshal(ms)
	if !strings.Contains(string(b), "budget is used up") || !strings.Contains(ms[0].Text, "budget is used up") {
		t.Errorf("the note is missing: %s", b)
	}
}

// TestAbstentionDefusesMentions: an abstention repeats the question as
// the engine read it, and the engine reads plain text, so what reaches
// it of Slack's markup (mentions written out as handles, and markup the
// asker typed literally, which Slack sends escaped) must not ping when
// the abstention is posted through the real client; the question's
// words stay.
func TestAbstentionDefusesMentions(t *testing.T) {
	t.Parallel()
	h := start(t, nil)
	f := h.fake
	h.asker.set(func(x *fakeAsker) {
		x.answer = func(q string) answer.Answer {
			return answer.Answer{Abstained: true, Text: answer.AbstainText + " I searched for: " + q + "."}
		}
	})
	f.send(f.envelope("e1", "Ev1", f.mention("C1", "1700000000.000100", "",
		"<!here> @everyone is the ferry <@U2|ann> <!subteam^S1|@team> late? &lt;!channel&gt; &lt;@U3&gt; <#C9|news>")))
	post := f.waitCalls(t, 1, "chat.postMessage", nil)[0]
	h.stop(t)
	wantNoPings(t, post)
	text, blocks := posted(t, post)
	for _, s := range []string{text, blockText(blocks)} {
		for _, w := range []string{"everyone", "ferry", "ann", "team", "late?", "#news"} {
			if !strings.Contains(s, w) {
				t.Errorf("the abstention lost %q of the question: %q", w, s)
			}
		}
	}
}

// TestRenderRemovesMentionMarkup: Slack's mention markup in the engine's
// text, which a model or an article may write, is removed, with the space
// before it, and not shown escaped; the words around it stay as they were.
func TestRenderRemovesMentionMarkup(t *testing.T) {
	a := answer.Answer{Text: "Ask <@U1> and <@W2|bob>, <!subteam^S1|team> or <!here> now [1].", Citations: []answer.Citation{
		{N: 1, ArticleID: "a", Title: "T", Source: "S", Paragraph: 1, Quote: "Quoted <!channel> words."},
	}}
	got := strings.Join(texts(Render(a)[0]), "\n")
	for _, want := range []string{"Ask and, or now [1].", "“Quoted words.”"} {
		if !strings.Contains(got, want) {
			t.Errorf("rendered %q; want it to hold %q", got, want)
		}
	}
	if strings.Contains(got, "&lt;") {
		t.Errorf("markup shown escaped rather than removed: %q", got)
	}
}
