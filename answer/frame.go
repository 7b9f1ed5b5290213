package answer

import (
	"context"
	"strings"
	"unicode/utf8"

	"github.com/byline-bot/byline/text"
)

// frameWords are the words that carry a question's form rather than its
// subject: the question words and the verbs and nouns the intents are
// read from. A misspelt one ("waht", "sumarize") hides the intent, and
// the spelling corrector leaves it alone, since it corrects only toward
// words the articles hold and never toward stop words.
var frameWords = []string{
	"what", "who", "whom", "whose", "when", "where", "why", "which", "how",
	"did", "does", "said", "say", "says", "tell", "about", "according",
	"summarize", "summarise", "summary", "overview", "happened", "happening", "latest",
	"story", "stories", "articles", "react", "reacted", "respond", "responded",
	"response", "reaction", "sides", "disputed", "denied", "deny",
}

// unknowner is the part of a knowledge base that tells which words no
// stored paragraph holds.
type unknowner interface {
	Unknown(ctx context.Context, words []string) ([]string, error)
}

// frameWordOf returns the one frame word one edit from w (a letter
// added, dropped, changed, or two swapped), or "" when there is none, more
// than one, or w is one. Words of fewer than three letters are never mended.
func frameWordOf(w string) string {
	low := strings.ToLower(w)
	if utf8.RuneCountInString(low) < 3 {
		return ""
	}
	for _, f := range frameWords {
		if low == f {
			return ""
		}
	}
	found := ""
	for _, f := range frameWords {
		if oneEdit(low, f) {
			if found != "" {
				return "" // "hwo": "who" or "how", a guess either way
			}
			found = f
		}
	}
	return found
}

// oneEdit reports whether a and b differ by exactly one edit: a letter
// inserted, deleted or substituted, or two adjacent letters swapped.
func oneEdit(a, b string) bool {
	x, y := []rune(a), []rune(b)
	if len(x) > len(y) {
		x, y = y, x
	}
	switch len(y) - len(x) {
	case 0:
		var diff []int
		for i := range x {
			if x[i] != y[i] {
				diff = append(diff, i)
				if len(diff) > 2 {
					return false
				}
			}
		}
		switch len(diff) {
		case 1:
			return true
		case 2:
			i, j := diff[0], diff[1]
			return j == i+1 && x[i] == y[j] && x[j] == y[i]
		}
		return false
	case 1:
		i := 0
		for i < len(x) && x[i] == y[i] {
			i++
		}
		return string(x[i:]) == string(y[i+1:])
	}
	return false
}

// frameFixes returns the question's misspelt frame words with the frame
// word each stands for: a word is mended only when no stored paragraph
// holds it and it is no language's function word (French "dit" is one
// edit from "did"), so that a name or a foreign word is never changed.
func (e *Engine) frameFixes(ctx context.Context, s string) map[string]string {
	u, ok := e.store.(unknowner)
	if !ok {
		return nil
	}
	near := make(map[string]string)
	var ws []string
	for _, w := range words(s) {
		if f := frameWordOf(w); f != "" && !anyStopWord(w) {
			if _, dup := near[w]; !dup {
				near[w] = f
				ws = append(ws, w)
			}
		}
	}
	if len(ws) == 0 {
		return nil
	}
	unknown, err := u.Unknown(ctx, ws)
	if err != nil {
		e.log.Debug("frame word check failed", "err", err)
		return nil
	}
	fixes := make(map[string]string, len(unknown))
	for _, w := range unknown {
		fixes[w] = near[w]
	}
	return fixes
}

// mendFrame replaces each misspelt frame word of s by the word it stands
// for.
func mendFrame(s string, fixes map[string]string) string {
	for w, f := range fixes {
		s = replaceWord(s, w, f)
	}
	return s
}

// anyStopWord reports whether w is a function word of any language the
// engine reads.
func anyStopWord(w string) bool {
	low := strings.ToLower(w)
	for _, lang := range text.Languages {
		if text.IsISOStopWord(lang, low) {
			return true
		}
	}
	return false
}
