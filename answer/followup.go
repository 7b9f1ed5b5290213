package answer

import (
	"strings"
	"unicode"

	"github.com/byline-bot/byline/cite"
	"github.com/byline-bot/byline/text"
)

// standalone turns a follow-up ("what did he say next?") into a search that
// stands on its own, using the conversation so far: when the question leans
// on earlier turns (a pronoun, "what about", "else", or very few words of
// its own), the content words of the previous question and the names in
// the previous answer are added to it. Other questions are searched as
// they are.
//
// This is deliberately a rule, not a model call: it costs nothing, works
// without a language model, and the rewritten search is shown to the user
// (Answer.Searched) so a wrong guess is visible.
func standalone(question string, history []Turn) string {
	if len(history) == 0 || !isFollowUp(question) {
		return question
	}
	last := history[len(history)-1]
	if namesNewSubject(question, last) {
		return question
	}
	seen := make(map[string]bool)
	for _, w := range words(question) {
		seen[strings.ToLower(w)] = true
	}
	var add []string
	addWord := func(w string) {
		lw := strings.ToLower(w)
		if seen[lw] || isFollowUpStop(lw) {
			return
		}
		seen[lw] = true
		add = append(add, w)
	}
	for _, w := range words(last.Question) {
		addWord(w)
	}
	names := 0
	for _, w := range words(firstSentence(last.Answer)) {
		if names == 6 {
			break
		}
		if r := []rune(w); len(r) > 1 && unicode.IsUpper(r[0]) && !isFollowUpStop(strings.ToLower(w)) {
			before := len(add)
			addWord(w)
			if len(add) > before {
				names++
			}
		}
	}
	if len(add) == 0 {
		return question
	}
	return question + " " + strings.Join(add, " ")
}

// namesNewSubject reports whether a question brings a subject of its own,
// a content word the last turn lacks, and no pronoun that points back:
// "Who is Kanaani?" or "And the festival?" after a question on the strike
// is searched as asked, while "what did he say about that?" leans on it.
func namesNewSubject(question string, last Turn) bool {
	before := make(map[string]bool)
	for _, t := range text.Terms(last.Question + " " + last.Answer) {
		before[t.Key] = true
	}
	fresh := false
	for _, w := range words(question) {
		lw := strings.ToLower(w)
		if anaphora[lw] && lw != "also" && lw != "more" && lw != "else" {
			return false
		}
	}
	for _, t := range text.Terms(question) {
		if t.Compound || !t.IsContent() || isFollowUpStop(t.Lower) || cite.IsReportWord(t.Key) {
			continue
		}
		if !before[t.Key] {
			fresh = true
		}
	}
	return fresh
}

// isFollowUp reports whether a question seems to refer to earlier turns.
func isFollowUp(q string) bool {
	ws := words(q)
	content := 0
	for _, w := range ws {
		lw := strings.ToLower(w)
		if anaphora[lw] {
			return true
		}
		if !isFollowUpStop(lw) {
			content++
		}
	}
	lq := strings.ToLower(q)
	if strings.HasPrefix(lq, "what about") || strings.HasPrefix(lq, "and ") || strings.HasPrefix(lq, "how about") {
		return true
	}
	return content <= 1
}

var anaphora = map[string]bool{
	"he": true, "him": true, "his": true, "she": true, "her": true, "hers": true,
	"they": true, "them": true, "their": true, "it": true, "its": true,
	"that": true, "this": true, "those": true, "these": true, "there": true,
	"else": true, "next": true, "then": true, "also": true, "more": true,
	"former": true, "latter": true, "same": true,
}

// isFollowUpStop reports words that carry no topic of their own.
func isFollowUpStop(w string) bool {
	if anaphora[w] {
		return true
	}
	switch w {
	case "a", "an", "the", "and", "or", "but", "of", "to", "in", "on", "at", "for", "by", "with",
		"about", "from", "is", "are", "was", "were", "be", "been", "do", "does", "did", "what",
		"who", "whom", "whose", "when", "where", "why", "how", "which", "say", "said", "says",
		"tell", "me", "us", "we", "you", "i", "can", "could", "would", "should", "will", "has",
		"have", "had", "not", "no", "yes", "any", "some", "so", "as", "than", "after", "before",
		"happened", "happen", "think", "know", "please", "thanks", "ok":
		return true
	}
	return false
}

// words splits s into words, keeping letters, digits, apostrophes and
// hyphens inside words.
func words(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool {
		return !(unicode.IsLetter(r) || unicode.IsDigit(r) || r == '\'' || r == '’' || r == '-')
	})
}

// firstSentence returns s up to its first sentence end.
func firstSentence(s string) string {
	if spans := text.Sentences(s); len(spans) > 0 {
		return s[spans[0].Start:spans[0].End]
	}
	return s
}
