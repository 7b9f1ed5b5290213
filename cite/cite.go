// Package cite is what answers and digests share about citing: the
// numbered citations of a text, the check that each cited claim says what
// its paragraphs say, and the cleaning of model and article text that no
// platform's syntax enters into.
//
// A text cites with markers, [1] or [1, 3], numbered in order of first use
// across the text. Verify keeps a model's sentence only where its markers
// name paragraphs it was given that back its facts, names, speakers and
// negations; Sanitize keeps only the links of the cited sources and drops
// invisible characters. Mentions and pings are each chat platform's own
// syntax, and its renderer's to defuse.
package cite

import (
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/byline-bot/byline/knowledge"
)

// Citation is one numbered source of an answer or a digest: a stored
// paragraph and the sentence of it that supports the claim.
type Citation struct {
	// N is the number used in the text as [N], in order of first use.
	N         int       `json:"n"`
	ArticleID string    `json:"article_id"`
	Title     string    `json:"title"`
	Source    string    `json:"source"`
	URL       string    `json:"url"`
	Published time.Time `json:"published"`
	Paragraph int       `json:"paragraph"`
	// PID and Version name the cited paragraph's text as it was when
	// cited (see knowledge.Passage), so that a later change to it can be
	// found and told to the people who read the answer.
	PID     string `json:"pid,omitempty"`
	Version int    `json:"version,omitempty"`
	// Quote is the supporting sentence, verbatim from the paragraph. Chat
	// surfaces show ShownQuote instead.
	Quote string `json:"quote"`
}

// ShownQuote is the quote as a chat message may show it: verbatim but for
// what an article could plant in a channel through it. Citation markers
// are removed (they would read as the text's own), links other than the
// source's are dropped, and invisible characters are removed, as in the
// text itself; mentions are the platform renderer's to defuse.
func (c Citation) ShownQuote() string {
	var allowed []string
	if c.URL != "" {
		allowed = []string{c.URL}
	}
	return Sanitize(StripMarkers(c.Quote), allowed)
}

// Ref returns the cited paragraph's id, "article#paragraph".
func (c Citation) Ref() string {
	return c.ArticleID + "#" + strconv.Itoa(c.Paragraph)
}

// List numbers cited paragraphs in order of first use. The zero List is
// empty and ready to use.
type List struct {
	cited []Citation
}

// Citations returns the citations numbered so far, 1..n.
func (l *List) Citations() []Citation { return l.cited }

// Number returns the citation number of passage p, adding it with quote
// as its supporting sentence if it is new.
func (l *List) Number(p knowledge.Passage, quote string) int {
	return l.Add(Citation{
		ArticleID: p.ArticleID, Title: p.Title, Source: p.Source, URL: p.URL,
		Published: p.Published, Paragraph: p.Paragraph, PID: p.PID, Version: p.Version,
		Quote: strings.TrimSpace(quote),
	})
}

// Add returns the number of the paragraph x cites, adding x with the next
// number if it is new; a paragraph cited before keeps its number and its
// first quote.
func (l *List) Add(x Citation) int {
	for _, have := range l.cited {
		if have.ArticleID == x.ArticleID && have.Paragraph == x.Paragraph {
			return have.N
		}
	}
	x.N = len(l.cited) + 1
	l.cited = append(l.cited, x)
	return x.N
}

// Renumber rewrites the markers of a text whose markers number local in
// order (as Verify returns them) with the numbers l gives the same
// paragraphs, adding those it lacks: so texts checked one by one are
// numbered across all of them. It returns the text and the numbers it
// uses; a marker naming none of local is removed.
func (l *List) Renumber(text string, local []Citation) (string, []int) {
	var used []int
	out := marker.ReplaceAllStringFunc(text, func(m string) string {
		k, err := strconv.Atoi(strings.Trim(m, "[]^ "))
		if err != nil || k < 1 || k > len(local) {
			return ""
		}
		n := l.Add(local[k-1])
		used = append(used, n)
		return "[" + strconv.Itoa(n) + "]"
	})
	return out, used
}

// Pick returns the citations of all numbered ns, once each, in the order
// of ns.
func Pick(all []Citation, ns []int) []Citation {
	var out []Citation
	seen := make(map[int]bool)
	for _, n := range ns {
		if !seen[n] && n >= 1 && n <= len(all) {
			seen[n] = true
			out = append(out, all[n-1])
		}
	}
	return out
}

// marker matches a citation marker: [1], [1, 3], [1;3], [^2].
var marker = regexp.MustCompile(`\[\^?\s*(\d+(?:\s*[,;]\s*\^?\d+)*)\s*\]`)

// StripMarkers removes every citation marker from s, until none is left:
// removing "[0]" from "[1[0]0]" would otherwise leave a new "[10]".
func StripMarkers(s string) string {
	for {
		t := marker.ReplaceAllString(s, "")
		if t == s {
			return s
		}
		s = t
	}
}
