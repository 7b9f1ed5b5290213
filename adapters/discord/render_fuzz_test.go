package discord

import (
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/byline-bot/byline/adapters/chat"
	"github.com/byline-bot/byline/answer"
)

// FuzzRender checks, for any answer text and source metadata, that every
// message fits Discord's limit, is valid UTF-8 and not empty, that each
// [n] the text cites is listed among the sources of a message no earlier
// than the one citing it (the same one, unless the sources are so many they
// need messages of their own), and that no source line's link can unfurl.
func FuzzRender(f *testing.F) {
	f.Add("The council voted 5 to 2 [1]. The mayor objected [2].", "Council vote", "Valley Courier", "https://courier.example/a", 3, 0)
	f.Add(strings.Repeat("A long sentence that goes on [1]. ", 200), "T*i_t`l~e|", "<@123> @everyone", "javascript:alert(1)", 1, 40)
	f.Add("```\ncode [1]\n```\n\nAfter the fence [2].", "[x](https://evil.example)", "", "https://a.example/<b>", 0, 2)
	f.Add("", "", "", "", 0, 0)
	f.Fuzz(func(t *testing.T, text, title, source, srcURL string, paragraph, extra int) {
		extra = min(max(extra, 0), 60)
		a := answer.Answer{Text: text}
		for n := 1; n <= 2+extra; n++ {
			a.Citations = append(a.Citations, answer.Citation{
				N: n, ArticleID: "art-" + strconv.Itoa(n), Title: title, Source: source, URL: srcURL,
				Published: time.Date(2026, 5, 18, 7, 0, 0, 0, time.UTC), Paragraph: paragraph,
			})
		}
		msgs := Render(a)
		if len(msgs) == 0 {
			t.Fatal("no messages")
		}
		listed := map[int]bool{}
		for i, m := range msgs {
			if strings.TrimSpace(m) == "" {
				t.Fatalf("message %d is empty", i)
			}
			if p := rawPing.FindString(m); p != "" {
				t.Fatalf("message %d carries %s raw", i, p)
			}
			if n := utf8.RuneCountInString(m); n > MaxMessage {
				t.Fatalf("message %d has %d characters, over %d", i, n, MaxMessage)
			}
			// Stored text is valid UTF-8 (ingest sees to it); only then
			// must the messages be.
			if !utf8.ValidString(m) && utf8.ValidString(text) && utf8.ValidString(title) && utf8.ValidString(source) && utf8.ValidString(srcURL) {
				t.Fatalf("message %d is not valid UTF-8", i)
			}
			for _, line := range strings.Split(m, "\n") {
				if n, ok := sourceNumber(line); ok {
					listed[n] = true
					// The source's own link is in angle brackets, which
					// keep Discord from unfurling it (the messages also
					// carry the suppress-embeds flag).
					if l := link(srcURL); l != "" && !strings.Contains(line, l) {
						t.Fatalf("source line %q lacks the link %s", line, l)
					}
				}
			}
		}
		// Every marker of a known citation in the text is listed somewhere.
		for _, n := range chat.Cited(strings.TrimSpace(text)) {
			if n >= 1 && n <= len(a.Citations) && !a.Abstained && strings.TrimSpace(text) != "" && !listed[n] {
				t.Fatalf("[%d] is cited but its source is never listed:\n%s", n, strings.Join(msgs, "\n---\n"))
			}
		}
	})
}

// sourceNumber reads the n of a source line "[n] Title — …".
func sourceNumber(line string) (int, bool) {
	if !strings.HasPrefix(line, "[") {
		return 0, false
	}
	end := strings.Index(line, "] ")
	if end < 2 {
		return 0, false
	}
	n, err := strconv.Atoi(line[1:end])
	return n, err == nil && strings.Contains(line, " — ")
}
