package search

import (
	"slices"

	"github.com/byline-bot/byline/knowledge"
)

// Plan is what a question asks the candidate sources for.
type Plan struct {
	// Words are the question's content words in the order asked, folded
	// as the index folds them.
	Words []string
	// Cues are words, not among Words, that mark the kind of answer the
	// question asks for (see cueWords).
	Cues []string
	// AsksNumber is true when the question asks for a number, a date or
	// a time (see asksNumber).
	AsksNumber bool
	// AsksName is true when the question asks who.
	AsksName bool
}

// NewPlan plans the search for a question.
func NewPlan(question string) Plan {
	words := knowledge.QueryWords(question)
	toks := knowledge.Tokens(question)
	return Plan{
		Words:      words,
		Cues:       cueWords(words),
		AsksNumber: asksNumber(toks),
		AsksName:   slices.ContainsFunc(toks, func(t string) bool { return t == "who" || t == "whom" || t == "whose" }),
	}
}

// numberWords ask for a number wherever they stand; howNumber ask for one
// after "how".
var (
	numberWords = []string{"when", "year", "years", "percent", "percentage", "date", "century", "decade", "population"}
	howNumber   = []string{"many", "much", "long", "old", "large", "big", "far", "tall", "high", "often", "fast"}
)

// asksNumber reports whether a question's tokens ask for a number: "when",
// "what year", "how many", "how long" and the like. The re-ranker then
// rewards a number close to the question's words.
func asksNumber(toks []string) bool {
	for i, t := range toks {
		if slices.Contains(numberWords, t) || t == "how" && i+1 < len(toks) && slices.Contains(howNumber, toks[i+1]) {
			return true
		}
	}
	return false
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
// It is a short list on purpose: the general case, paraphrase, is the
// LLM's to read, not the index's.
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
