package console

import (
	"fmt"
	"strings"
	"time"

	"github.com/byline-bot/byline/answer"
)

// Render formats an answer for a terminal: the text, then its sources as
// numbered footnotes with the quoted sentence and the paragraph id that
// /source takes.
func Render(a answer.Answer) string {
	var b strings.Builder
	b.WriteString(a.Text)
	if a.Note != "" && !a.Abstained {
		b.WriteString("\n(" + a.Note + ")")
	}
	if len(a.Citations) > 0 {
		b.WriteString("\n\nSources:")
		for _, c := range a.Citations {
			fmt.Fprintf(&b, "\n[%d] %s (%s, paragraph %d)", c.N, describe(c.Title, c.Source, c.Published), c.Ref(), c.Paragraph)
			if c.URL != "" {
				b.WriteString("\n    " + c.URL)
			}
			if q := c.ShownQuote(); q != "" {
				b.WriteString("\n    “" + clip(q, 300) + "”")
			}
		}
	}
	return b.String()
}

// describe is "Title — Source, 2 Jan 2006", leaving out what is unknown.
func describe(title, source string, published time.Time) string {
	if title == "" {
		title = "Untitled"
	}
	var parts []string
	if source != "" {
		parts = append(parts, source)
	}
	if !published.IsZero() {
		parts = append(parts, published.UTC().Format("2 Jan 2006"))
	}
	if len(parts) == 0 {
		return title
	}
	return title + " — " + strings.Join(parts, ", ")
}

// clip shortens s to at most n runes, with an ellipsis.
func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
