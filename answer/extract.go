package answer

import (
	"strings"
	"unicode"

	"github.com/byline-bot/byline/cite"
	"github.com/byline-bot/byline/text"
)

// extraction is what extract found: the sentences that answer a question,
// or why there are none.
type extraction struct {
	picks   []pick // at most extractMaxPicks, best first, from distinct paragraphs where possible
	abstain bool   // the passages do not cover what was asked
	reason  string // why it abstained, for logs
}

// pick is one sentence chosen to answer a question.
type pick struct {
	passage int     // index into the passages
	text    string  // the sentence, verbatim from passages[passage].Text
	score   float64 // how well it answers, about 0..1.2
}

// A fragment ("Bloomberg.", a sign-off or a dateline), a sentence with
// fewer than minContentWords content words, says too little to be an
// answer by itself; the sentence model weighs that.
const minContentWords = 3

// answerKind is what a question asks for, as far as its first words tell.
type answerKind int

const (
	kindAny        answerKind = iota
	kindPerson                // "Who did ...?": a name the question lacks
	kindDefinition            // "Who is Jane Doe?": a role, "spokesman"
	kindTime                  // "When ...?": a date or time
	kindNumber                // "How long ...?": a number
	kindQuantity              // "How many ...?": a number that is no year
	kindPlace                 // "Where ...?": "in" or "at" a named place
	kindReason                // "Why ...?": "because", "due to"
	kindName                  // "What is the title ...?": a quotation or "called"
	kindEntity                // "Which agencies ...?": a name the question lacks
)

// qterm is one content word of a question, read as verification reads
// a claim's (see cite.Term).
type qterm = cite.Term

// question is what extract needs to know about a question.
type question struct {
	terms []qterm
	keys  map[string]bool
	kind  answerKind
}

// parseQuestion finds the content words of q and what kind of answer it
// wants.
func parseQuestion(q string) question {
	ts := text.Terms(q)
	pq := question{terms: cite.TermsOf(ts), keys: make(map[string]bool), kind: questionKind(ts)}
	for _, t := range pq.terms {
		pq.keys[t.Key] = true
	}
	return pq
}

// questionKind reads the kind of answer wanted from the question words.
func questionKind(ts []text.Term) answerKind {
	for i, t := range ts {
		next := ""
		if i+1 < len(ts) {
			next = ts[i+1].Lower
		}
		switch t.Lower {
		case "who", "whom", "whose":
			if t.Lower == "who" && (next == "is" || next == "was" || next == "are" || next == "were") && isNameOnly(ts[i+2:]) {
				return kindDefinition
			}
			return kindPerson
		case "when":
			return kindTime
		case "where":
			return kindPlace
		case "why":
			return kindReason
		case "how":
			switch next {
			case "many", "much":
				return kindQuantity
			case "long", "old", "often", "far":
				return kindNumber
			}
			return kindAny
		case "what", "which":
			switch next {
			case "time", "date", "day", "year", "month", "week":
				return kindTime
			}
			for _, u := range ts[i+1:] {
				if cite.IsNameWord(u.Key) {
					return kindName
				}
			}
			if t.Lower == "which" {
				return kindEntity
			}
			return kindAny
		}
	}
	return kindAny
}

// isNameOnly reports whether ts is a name and nothing else: capitalized
// content words.
func isNameOnly(ts []text.Term) bool {
	n := 0
	for _, t := range ts {
		if t.Compound {
			continue
		}
		if !t.Upper && !text.IsFiller(t.Lower) {
			return false
		}
		if t.Upper {
			n++
		}
	}
	return n > 0
}

// sentence is one sentence of a retrieved passage, as extract scores it:
// its words as verification reads them, and where it stands.
type sentence struct {
	cite.Words
	passage int
	text    string
	terms   []text.Term
	order   int // position among all sentences
}

func newSentence(passage int, body string, order int) *sentence {
	s := &sentence{passage: passage, text: body, order: order, terms: text.Terms(body)}
	s.Words = cite.WordsOf(body, s.terms)
	return s
}

func anyHas(ss []*sentence, t qterm) bool {
	for _, s := range ss {
		if s.Has(t) {
			return true
		}
	}
	return false
}

func countSoft(ts []qterm) int {
	n := 0
	for _, t := range ts {
		if t.Class != cite.ClassNone {
			n++
		}
	}
	return n
}

var (
	roleKeys = text.KeySet("spokesman", "president", "minister", "leader", "chief", "director", "head",
		"official", "senator", "governor", "chairman", "secretary", "candidate", "adviser", "advisor",
		"founder", "executive", "manager", "member", "mayor", "judge", "reporter", "analyst",
		"professor", "ambassador", "general", "commander", "officer", "owner", "chancellor",
		"premier", "representative", "lawyer", "attorney", "economist", "editor", "correspondent",
		"coach", "captain", "master", "expert", "researcher", "scientist", "activist", "author")
	numberKeys = text.KeySet("one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
		"ten", "eleven", "twelve", "twenty", "thirty", "forty", "fifty", "hundred", "thousand",
		"million", "billion", "trillion", "dozen", "half", "percent", "mln", "bln", "pct")
	reasonKeys = text.KeySet("because", "due", "cause", "reason", "result", "amid", "blame", "owing",
		"after", "since", "over", "so")
	placePreps = map[string]bool{"in": true, "at": true, "near": true, "from": true, "to": true, "outside": true, "inside": true}
)

// hasCue reports whether s holds the kind of thing q asks for.
func hasCue(s *sentence, q question) bool {
	switch q.kind {
	case kindPerson, kindEntity:
		return hasNewName(s, q, "")
	case kindDefinition:
		for k := range s.Keys {
			if roleKeys[k] {
				return true
			}
		}
	case kindTime:
		for _, t := range s.terms {
			if q.keys[t.Key] {
				continue
			}
			if cite.IsTimeWord(t.Key) && (t.Upper || !cite.IsMonthOrDay(t.Lower)) {
				return true
			}
			if t.Num && isYear(t.Lower) {
				return true
			}
		}
	case kindNumber, kindQuantity:
		for _, t := range s.terms {
			if q.kind == kindQuantity && t.Num && isYear(t.Lower) {
				// "In 2016, ..." says when, not how much.
				continue
			}
			if !q.keys[t.Key] && (t.Num || numberKeys[t.Key]) {
				return true
			}
		}
		return strings.ContainsAny(s.text, "$€£%")
	case kindPlace:
		return hasNewName(s, q, "place")
	case kindReason:
		for _, t := range s.terms {
			if reasonKeys[t.Key] {
				return true
			}
		}
	case kindName:
		if !strings.ContainsAny(s.text, "\"“«'‘") {
			return false
		}
		for k := range s.Keys {
			if cite.IsNameWord(k) {
				return true
			}
		}
	}
	return false
}

// hasNewName reports whether s names someone or something the question
// does not: a capitalized word past the sentence's first, or an acronym.
// For a place, the name must follow "in", "at", "from" or the like.
func hasNewName(s *sentence, q question, want string) bool {
	for i, t := range s.terms {
		if i == 0 || t.Compound || t.Num || !(t.Upper || t.Acro) || q.keys[t.Key] || text.IsFiller(t.Lower) {
			continue
		}
		if cite.IsTimeWord(t.Key) {
			continue
		}
		if want == "place" && !placePreps[s.terms[i-1].Lower] {
			continue
		}
		return true
	}
	return false
}

// isYear reports whether w is a year from 1900 to 2099.
func isYear(w string) bool {
	return len(w) == 4 && (strings.HasPrefix(w, "19") || strings.HasPrefix(w, "20")) &&
		strings.IndexFunc(w, func(r rune) bool { return !unicode.IsDigit(r) }) < 0
}
