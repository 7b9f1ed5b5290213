// Package answer turns a question into a short answer in which every claim
// cites the stored paragraph it comes from, or into an honest abstention.
//
// It retrieves passages from the knowledge base, then either has a
// language model write the answer from those passages only, or, with no
// model configured, extracts the sentences that answer the question. Either
// way, citations are parsed and checked against the retrieved passages
// before anyone sees them.
package answer

import (
	"strconv"
	"time"
)

// Citation is one numbered source of an answer: a stored paragraph and the
// sentence of it that supports the claim.
type Citation struct {
	// N is the number used in the answer text as [N], in order of first use.
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
// are removed (they would read as the answer's own), pings are defused,
// links other than the source's are dropped, and invisible characters
// are removed, as in the answer's text.
func (c Citation) ShownQuote() string {
	var allowed []string
	if c.URL != "" {
		allowed = []string{c.URL}
	}
	return sanitize(stripMarkers(c.Quote), allowed)
}

// Ref returns the cited paragraph's id, "article#paragraph".
func (c Citation) Ref() string {
	return c.ArticleID + "#" + strconv.Itoa(c.Paragraph)
}
