package answer

import (
	"regexp"
	"strings"
	"unicode"

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
// answer by itself; the sentence model weighs that. The credits are what a
// verified claim's words earn in supportingSentence.
const (
	minContentWords = 3
	creditSentence  = 1.0 // the word is in the sentence
	creditClass     = 0.7 // a soft word is answered in kind: "said" for "describe"
)

// termClass marks question words that an answer rarely repeats, so their
// absence does not count against a sentence: how something was said,
// what a thing is called, and words about the article itself.
type termClass int

const (
	classNone   termClass = iota
	classReport           // "say", "describe": any report or quotation answers in kind
	className             // "title", "name": "called", "titled" answer in kind
	classMeta             // "article", "agency": a credit line answers in kind
)

var (
	reportKeys = text.KeySet("say", "tell", "describe", "description", "claim", "state", "statement",
		"comment", "respond", "response", "reply", "react", "reaction", "explain", "add", "note",
		"insist", "argue", "deny", "denial", "reject", "dismiss", "clarify", "announce",
		"characterize", "characterise", "view", "stance", "remark", "according")
	nameKeys = text.KeySet("title", "titled", "entitled", "name", "named", "call", "called", "dub",
		"dubbed", "headline", "headlined", "label", "labelled", "labeled", "termed")
	metaKeys = text.KeySet("article", "story", "piece", "byline", "author", "writer", "write", "agency",
		"news", "wire", "supply", "provide", "contribute", "credit", "source", "outlet")
	articleKeys = text.KeySet("article", "story", "piece")
	denialKeys  = text.KeySet("deny", "denial", "dispute", "reject", "refute", "rebut", "contest",
		"contradict", "dismiss")
	ordinals = text.KeySet("first", "second", "third", "fourth", "last", "previous", "other")
)

// creditLine matches the line that says where an article's information
// came from: "(With information from AP and EFE)", "Reporting by ...".
var creditLine = regexp.MustCompile(`(?i)^\W*(with (additional )?(information|reporting|files|input) from|(additional )?reporting by|(writing|editing|compiled|written|story) by|sources?:)|contributed (reporting|to this (report|story|article))`)

// answerKind is what a question asks for, as far as its first words tell.
type answerKind int

const (
	kindAny        answerKind = iota
	kindPerson                // "Who did ...?": a name the question lacks
	kindDefinition            // "Who is Jane Doe?": a role, "spokesman"
	kindTime                  // "When ...?": a date or time
	kindNumber                // "How many ...?": a number
	kindPlace                 // "Where ...?": "in" or "at" a named place
	kindReason                // "Why ...?": "because", "due to"
	kindName                  // "What is the title ...?": a quotation or "called"
	kindEntity                // "Which agencies ...?": a name the question lacks
)

// qterm is one content word of a question.
type qterm struct {
	key    string
	word   string // as written, lowercased
	proper bool   // written with a capital, so its demonym counts too
	class  termClass
}

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
	pq := question{keys: make(map[string]bool)}
	aboutArticle := false
	for _, t := range ts {
		if !t.Compound && articleKeys[t.Key] && !t.Upper {
			aboutArticle = true
		}
	}
	for _, t := range ts {
		if t.Compound || !t.IsContent() || pq.keys[t.Key] {
			continue
		}
		pq.keys[t.Key] = true
		c := classNone
		switch {
		case reportKeys[t.Key]:
			c = classReport
		case nameKeys[t.Key]:
			c = className
		case metaKeys[t.Key] || (aboutArticle && ordinals[t.Key]):
			c = classMeta
		}
		pq.terms = append(pq.terms, qterm{key: t.Key, word: t.Lower, proper: t.Upper, class: c})
	}
	pq.kind = questionKind(ts)
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
				return kindNumber
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
				if nameKeys[u.Key] {
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

// sentence is one sentence of a retrieved passage, as extract scores it.
type sentence struct {
	passage int
	text    string
	terms   []text.Term
	keys    map[string]bool // content keys
	capKeys map[string]bool // keys of words written with a capital
	quoted  bool            // holds a quotation mark
	credit  bool            // is an article's credit line
	order   int             // position among all sentences
}

func newSentence(passage int, body string, order int) *sentence {
	s := &sentence{
		passage: passage, text: body, order: order,
		terms:   text.Terms(body),
		keys:    make(map[string]bool),
		capKeys: make(map[string]bool),
	}
	for _, t := range s.terms {
		if !t.IsContent() {
			continue
		}
		s.keys[t.Key] = true
		if t.Upper {
			s.capKeys[t.Key] = true
		}
	}
	s.quoted = strings.ContainsAny(body, "\"“”«»")
	s.credit = creditLine.MatchString(body) && len(s.terms) <= 30
	return s
}

// has reports whether the sentence holds the question word t, in any
// form, or, for a proper name, its demonym ("Iranian" for "Iran").
func (s *sentence) has(t qterm) bool {
	if s.keys[t.key] {
		return true
	}
	if !t.proper {
		return false
	}
	for k := range s.capKeys {
		if demonymOf(t.key, k) {
			return true
		}
	}
	return false
}

// answersInKind reports whether the sentence answers a soft question word
// of class c without repeating it.
func (s *sentence) answersInKind(c termClass) bool {
	switch c {
	case classReport:
		if s.quoted {
			return true
		}
		for k := range s.keys {
			if reportKeys[k] {
				return true
			}
		}
	case className:
		for k := range s.keys {
			if nameKeys[k] {
				return true
			}
		}
	case classMeta:
		return s.credit
	}
	return false
}

// denies reports whether the sentence denies or disputes something.
func (s *sentence) denies() bool {
	for k := range s.keys {
		if denialKeys[k] {
			return true
		}
	}
	return false
}

func anyHas(ss []*sentence, t qterm) bool {
	for _, s := range ss {
		if s.has(t) {
			return true
		}
	}
	return false
}

func countSoft(ts []qterm) int {
	n := 0
	for _, t := range ts {
		if t.class != classNone {
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
	timeKeys = text.KeySet("january", "february", "march", "april", "june", "july", "august",
		"september", "october", "november", "december", "jan", "feb", "mar", "apr", "jun", "jul",
		"aug", "sep", "sept", "oct", "nov", "dec", "monday", "tuesday", "wednesday", "thursday",
		"friday", "saturday", "sunday", "today", "yesterday", "tomorrow", "tonight", "ago",
		"week", "month", "year", "decade", "century", "morning", "afternoon", "evening", "night",
		"dawn", "noon", "midnight", "pm", "am", "recently", "weekend", "spring", "summer", "autumn",
		"winter", "earlier", "later")
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
		for k := range s.keys {
			if roleKeys[k] {
				return true
			}
		}
	case kindTime:
		for _, t := range s.terms {
			if q.keys[t.Key] {
				continue
			}
			if timeKeys[t.Key] && (t.Upper || !isMonthOrDay(t.Lower)) {
				return true
			}
			if t.Num && isYear(t.Lower) {
				return true
			}
		}
	case kindNumber:
		for _, t := range s.terms {
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
		for k := range s.keys {
			if nameKeys[k] {
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
		if timeKeys[t.Key] {
			continue
		}
		if want == "place" && !placePreps[s.terms[i-1].Lower] {
			continue
		}
		return true
	}
	return false
}

// isMonthOrDay reports whether w names a month or a day, which only counts
// as a date when capitalized ("may" is no month).
func isMonthOrDay(w string) bool {
	switch w {
	case "today", "yesterday", "tomorrow", "tonight", "ago", "week", "month", "year", "years",
		"weeks", "months", "decade", "century", "morning", "afternoon", "evening", "night", "dawn",
		"noon", "midnight", "pm", "am", "recently", "weekend", "earlier", "later":
		return false
	}
	return true
}

// isYear reports whether w is a year from 1900 to 2099.
func isYear(w string) bool {
	return len(w) == 4 && (strings.HasPrefix(w, "19") || strings.HasPrefix(w, "20")) &&
		strings.IndexFunc(w, func(r rune) bool { return !unicode.IsDigit(r) }) < 0
}

// shares reports whether paragraph contains at least one of claim's
// content words (stemmed), the least a cited passage must have in common
// with the sentence citing it.
func shares(claim, paragraph string) bool {
	q := parseQuestion(claim)
	if len(q.terms) == 0 {
		return false
	}
	s := newSentence(0, paragraph, 0)
	for _, t := range q.terms {
		if s.has(t) {
			return true
		}
	}
	return false
}

// coverage is the share of claim's content words (stemmed) found in text.
func coverage(claim, text string) float64 {
	q := parseQuestion(claim)
	if len(q.terms) == 0 {
		return 0
	}
	s := newSentence(0, text, 0)
	found := 0
	for _, t := range q.terms {
		if s.has(t) {
			found++
		}
	}
	return float64(found) / float64(len(q.terms))
}

// supportingSentence returns the sentence of paragraph that best supports
// claim, verbatim, and how well: the share of the claim's content words
// (IDF-free) found in it, a soft word answered in kind counting part
// (see termClass). Ties go to the earlier sentence. A claim with no
// content words is supported by nothing: the first sentence is returned
// with 0.
func supportingSentence(claim, paragraph string) (string, float64) {
	spans := text.Sentences(paragraph)
	if len(spans) == 0 {
		return "", 0
	}
	q := parseQuestion(claim)
	var (
		best      = paragraph[spans[0].Start:spans[0].End]
		bestScore = 0.0
	)
	if len(q.terms) == 0 {
		return best, 0
	}
	for _, sp := range spans {
		text := paragraph[sp.Start:sp.End]
		s := newSentence(0, text, 0)
		var got float64
		for _, t := range q.terms {
			switch {
			case s.has(t):
				got += creditSentence
			case t.class != classNone && s.answersInKind(t.class):
				got += creditClass
			}
		}
		if share := got / float64(len(q.terms)); share > bestScore {
			best, bestScore = text, share
		}
	}
	return best, bestScore
}
