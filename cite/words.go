package cite

import (
	"regexp"
	"strings"

	"github.com/byline-bot/byline/text"
)

// How a claim's words are matched against a paragraph's: by key (stemmed,
// folded), a name also by its people's word ("Iranian" for "Iran"), and a
// word that answers rarely repeat ("describe", "title") also by a word of
// its kind. The answer engine's extraction reads questions the same way,
// so that what it quotes and what verification accepts agree.

// Class marks the words of a claim or question that an answer rarely
// repeats, so their absence does not count against a sentence: how
// something was said, what a thing is called, and words about the article
// itself.
type Class int

const (
	ClassNone   Class = iota
	ClassReport       // "say", "describe": any report or quotation answers in kind
	ClassName         // "title", "name": "called", "titled" answer in kind
	ClassMeta         // "article", "agency": a credit line answers in kind
)

// Term is one content word of a claim or a question.
type Term struct {
	Key    string
	Word   string // as written, lowercased
	Proper bool   // written with a capital, so its demonym counts too
	Class  Class
}

// TermsOf returns the content words of ts, each once, in order, with
// their class.
func TermsOf(ts []text.Term) []Term {
	aboutArticle := false
	for _, t := range ts {
		if !t.Compound && articleKeys[t.Key] && !t.Upper {
			aboutArticle = true
		}
	}
	var out []Term
	seen := make(map[string]bool)
	for _, t := range ts {
		if t.Compound || !t.IsContent() || seen[t.Key] {
			continue
		}
		seen[t.Key] = true
		c := ClassNone
		switch {
		case reportKeys[t.Key]:
			c = ClassReport
		case nameKeys[t.Key]:
			c = ClassName
		case metaKeys[t.Key] || (aboutArticle && ordinals[t.Key]):
			c = ClassMeta
		}
		out = append(out, Term{Key: t.Key, Word: t.Lower, Proper: t.Upper, Class: c})
	}
	return out
}

// Words is what a sentence or paragraph offers a claim's terms.
type Words struct {
	Keys    map[string]bool // content keys
	CapKeys map[string]bool // keys of words written with a capital
	Quoted  bool            // holds a quotation mark
	Credit  bool            // is an article's credit line
}

// WordsOf reads body, whose terms are ts.
func WordsOf(body string, ts []text.Term) Words {
	w := Words{Keys: make(map[string]bool), CapKeys: make(map[string]bool)}
	for _, t := range ts {
		if !t.IsContent() {
			continue
		}
		w.Keys[t.Key] = true
		if t.Upper {
			w.CapKeys[t.Key] = true
		}
	}
	w.Quoted = strings.ContainsAny(body, "\"“”«»")
	w.Credit = creditLine.MatchString(body) && len(ts) <= 30
	return w
}

// Has reports whether w holds the term t, in any form, or, for a proper
// name, its demonym ("Iranian" for "Iran").
func (w Words) Has(t Term) bool {
	if w.Keys[t.Key] {
		return true
	}
	if !t.Proper {
		return false
	}
	for k := range w.CapKeys {
		if Demonym(t.Key, k) {
			return true
		}
	}
	return false
}

// AnswersInKind reports whether w answers a term of class c without
// repeating it.
func (w Words) AnswersInKind(c Class) bool {
	switch c {
	case ClassReport:
		if w.Quoted {
			return true
		}
		for k := range w.Keys {
			if reportKeys[k] {
				return true
			}
		}
	case ClassName:
		for k := range w.Keys {
			if nameKeys[k] {
				return true
			}
		}
	case ClassMeta:
		return w.Credit
	}
	return false
}

// Denies reports whether w denies or disputes something.
func (w Words) Denies() bool {
	for k := range w.Keys {
		if denialKeys[k] {
			return true
		}
	}
	return false
}

// Demonym reports whether one key is the other's people or adjective
// ("iran" and "iranian", "america" and "american", "iraq" and "iraqi").
// It looks at the spelling only: callers check that both words are
// written with a capital, which keeps "germ" apart from "German".
func Demonym(a, b string) bool {
	if len(a) > len(b) {
		a, b = b, a
	}
	if len(a) < 4 || !strings.HasPrefix(b, a) {
		return false
	}
	switch b[len(a):] {
	case "n", "an", "ian", "ean", "es", "ese", "i":
		return true
	}
	return false
}

// IsReportWord reports whether key asks for or gives a report: "say",
// "describe", "reaction" (the words of ClassReport).
func IsReportWord(key string) bool { return reportKeys[key] }

// IsNameWord reports whether key asks for or gives what a thing is
// called: "title", "named", "dubbed" (the words of ClassName).
func IsNameWord(key string) bool { return nameKeys[key] }

// IsDenial reports whether key denies or disputes: "deny", "reject".
func IsDenial(key string) bool { return denialKeys[key] }

// IsReporting reports whether key reports speech or a position, the
// word a speaker stands before ("said", "according", "a statement").
func IsReporting(key string) bool { return reportingKeys[key] }

// IsTimeWord reports whether key is a word of time: a month, a weekday,
// a season, "today", "week", "ago". A month or a weekday counts as a date
// only when capitalised (see IsMonthOrDay): "may" is no month.
func IsTimeWord(key string) bool { return timeKeys[key] }

// IsMonthOrDay reports whether w, a lowercased time word, names a month,
// a weekday or a season, which only counts as a date when capitalised.
func IsMonthOrDay(w string) bool {
	switch w {
	case "today", "yesterday", "tomorrow", "tonight", "ago", "week", "month", "year", "years",
		"weeks", "months", "decade", "century", "morning", "afternoon", "evening", "night", "dawn",
		"noon", "midnight", "pm", "am", "recently", "weekend", "earlier", "later":
		return false
	}
	return true
}

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
	// reportingKeys are the words that report speech or a position.
	reportingKeys = text.KeySet("say", "state", "statement", "claim", "deny", "denial", "reject", "respond",
		"response", "clarify", "elaborate", "add", "tell", "warn", "note", "argue", "insist", "write",
		"explain", "allege", "dismiss", "accuse", "announce", "reply", "comment", "confirm", "assert",
		"contend", "according", "declare", "stress", "acknowledge", "admit", "suggest", "describe",
		"call", "point", "criticize", "criticise", "condemn", "urge", "refute", "blame", "report")
	timeKeys = text.KeySet("january", "february", "march", "april", "june", "july", "august",
		"september", "october", "november", "december", "jan", "feb", "mar", "apr", "jun", "jul",
		"aug", "sep", "sept", "oct", "nov", "dec", "monday", "tuesday", "wednesday", "thursday",
		"friday", "saturday", "sunday", "today", "yesterday", "tomorrow", "tonight", "ago",
		"week", "month", "year", "decade", "century", "morning", "afternoon", "evening", "night",
		"dawn", "noon", "midnight", "pm", "am", "recently", "weekend", "spring", "summer", "autumn",
		"winter", "earlier", "later")
)

// creditLine matches the line that says where an article's information
// came from: "(With information from AP and EFE)", "Reporting by ...".
var creditLine = regexp.MustCompile(`(?i)^\W*(with (additional )?(information|reporting|files|input) from|(additional )?reporting by|(writing|editing|compiled|written|story) by|sources?:)|contributed (reporting|to this (report|story|article))`)
