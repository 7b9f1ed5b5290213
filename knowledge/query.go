package knowledge

import (
	"slices"
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

// namingWords are the words a question asks for a title with, and a news
// paragraph gives one with: "What is the report called?", "the title of
// the report" and "a report titled ..." are the same question. "name" is
// not among them: SQuAD's many "What is the name of ..." questions lost
// 0.002 of recall@1 when it was.
var namingWords = []string{"title", "titled", "entitled", "called"}

// namingCues are the naming words that mark a given name in a paragraph.
var namingCues = []string{"called", "titled", "entitled", "named", "dubbed"}

// cueWords returns the words, not among words, that mark the answer to the
// kind of question words ask, so the re-ranker can reward a paragraph
// holding one: today the naming cues, for a question asking for a title.
// It is a short list on purpose: each cue was checked against SQuAD (see
// bench/RESULTS.md), and the general case, paraphrase, is the LLM's to
// read, not the index's.
func cueWords(words []string) []string {
	asks := false
	for _, w := range words {
		if slices.Contains(namingWords, w) {
			asks = true
			break
		}
	}
	if !asks {
		return nil
	}
	var out []string
	for _, c := range namingCues {
		if !slices.Contains(words, c) {
			out = append(out, c)
		}
	}
	return out
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
