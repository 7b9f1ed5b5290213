package knowledge

import (
	"strings"

	"github.com/byline-bot/byline/text"
)

// The query builder turns any user text into a safe FTS5 expression. User
// text never reaches MATCH as it is: it is cut into words the way FTS5's
// unicode61 tokenizer cuts them (text.Tokens: letters, digits and
// private-use characters; everything else separates), each word is folded
// and quoted, and only
// quoted words joined by OR or AND leave this file. Quotes, NEAR(, *, -, :,
// AND/OR and emoji therefore have no syntax left to break.

const (
	// maxQueryTokens bounds how much of a long question is read.
	maxQueryTokens = 512
	// maxQueryTerms bounds the distinct words a query looks up.
	maxQueryTerms = 48
)

// quote returns tok as an FTS5 string literal.
func quote(tok string) string {
	return `"` + strings.ReplaceAll(tok, `"`, `""`) + `"`
}

// queryWords returns the distinct content words of a question in order of
// first appearance.
func queryWords(question string) []string {
	var (
		words []string
		seen  = make(map[string]bool)
	)
	for _, t := range text.Tokens(question, maxQueryTokens) {
		if text.IsStopToken(t) || seen[t] {
			continue
		}
		seen[t] = true
		words = append(words, t)
		if len(words) == maxQueryTerms {
			break
		}
	}
	return words
}

// matchExpr joins the kept words into an FTS5 expression: OR for the
// ranked query that matches any of them, AND (all) for the unranked ones
// that want paragraphs holding every one.
//
// Adjacent-word phrases are not added: FTS5 would check every matching
// paragraph's positions for them, and the re-ranker rewards words that
// stand together for the few paragraphs it sees at less cost and, on
// SQuAD, to better effect.
func matchExpr(kept []string, all bool) string {
	parts := make([]string, len(kept))
	for i, w := range kept {
		parts[i] = quote(w)
	}
	if all {
		return strings.Join(parts, " AND ")
	}
	return strings.Join(parts, " OR ")
}
