package text

import (
	"strings"

	"github.com/kljensen/snowball/french"
	"github.com/kljensen/snowball/spanish"
)

// Byline keeps one English word list, in which each word has one or more
// roles, because retrieval and extraction read words differently:
//
//   - function words ("the", "which", "don't") carry no meaning for either;
//   - reporting verbs ("said", "according") are in half the paragraphs of
//     a news store, so they find nothing, yet they are what "What did X
//     say?" asks for, so extraction keeps them;
//   - framing words ("tell me", "what happened", "the latest") put a
//     question but are not what an answer repeats; retrieval keeps them,
//     since a paragraph that has them is no worse a candidate;
//   - case-ambiguous words ("us", "may") are function words in lower case
//     and names in capitals ("US", "May"); extraction sees the capitals,
//     retrieval's folded tokens do not, so retrieval keeps them;
//   - weak words ("among", "without", "still") mean a little: extraction,
//     which counts every word of a claim alike, drops them, and retrieval,
//     which weighs words by their rarity, keeps them. Dropping them from
//     retrieval cost 0.002 of recall@1 on the odd-numbered questions of
//     SQuAD v1.1 dev (go run ./bench -squad, December 2026).
//
// IsStopWord, IsReportingVerb and IsFramingWord read the roles for words
// as a reader cuts them (apostrophes kept: "don't"); IsStopToken is the
// one reading for the index's tokens (see Tokens).

type role uint8

const (
	roleFunction role = 1 << iota
	roleReporting
	roleFraming
	roleCaseAmbiguous
	roleWeak
	// roleFragment marks what Tokens leaves of a contraction: "aren" and
	// "t" of "aren't".
	roleFragment
)

// englishWords maps each listed word to its roles.
var englishWords = func() map[string]role {
	m := make(map[string]role)
	add := func(r role, words string) {
		for _, w := range strings.Fields(words) {
			m[w] |= r
		}
	}
	add(roleFunction, `
		a about above after again against all also am an and any are as at
		be because been before being below between both but by can cannot could
		did do does doing down during each few for from further had has have
		having he her here hers herself him himself his how i if in into is it
		its itself just me more most my myself no nor not now of off on once
		only or other ought our ours ourselves out over own same she should so
		some such than that the their theirs them
		themselves then there these they this those through to too under until up
		very was we were what when where which while who whom whose why will
		with would you your yours yourself yourselves much many`)
	add(roleWeak, `
		whether within without yet either else ever neither like per upon
		already among amongst anybody anyone anything around away etc might must
		shall still via somebody someone something everything exactly really
		actually lot lots`)
	add(roleFunction, contractions)
	add(roleCaseAmbiguous, `us may`)
	add(roleReporting, `say says said tell according`)
	add(roleFraming, `
		happen happened happens happening tell please thanks know think kind sort
		thing things way ways one's
		latest newest recent update updates current currently`)
	// "o" is what "o'clock" leaves; "clock" is a word of its own.
	add(roleFragment, `o`)
	for _, c := range strings.Fields(contractions) {
		for _, part := range strings.FieldsFunc(c, func(r rune) bool { return r == '\'' }) {
			m[part] |= roleFragment
		}
	}
	return m
}()

// contractions are the function words written with an apostrophe.
const contractions = `
	aren't can't couldn't didn't doesn't don't hadn't hasn't haven't he'd he'll
	he's here's how's i'd i'll i'm i've isn't it's let's mustn't shan't she'd
	she'll she's shouldn't that's there's they'd they'll they're they've wasn't
	we'd we'll we're we've weren't what's when's where's who's why's won't
	wouldn't you'd you'll you're you've ain't ma'am y'all`

// IsStopWord reports whether w, a lowercased English word, is a function
// word or a weak one: one that says little about what a text is about.
// Reporting verbs and framing words are not stop words; ask
// IsReportingVerb and IsFramingWord for them.
func IsStopWord(w string) bool { return English.IsStopWord(w) }

// IsStopWord reports whether w, a lowercased word of language l, is a
// function word. For Spanish and French it is the Snowball project's list;
// a language without a list has no stop words.
func (l Language) IsStopWord(w string) bool {
	switch l {
	case English:
		r := englishWords[w]
		return r&(roleFunction|roleCaseAmbiguous|roleWeak) != 0
	case Spanish:
		return spanish.IsStopWord(w)
	case French:
		return french.IsStopWord(w)
	}
	return false
}

// IsReportingVerb reports whether w, a lowercased English word, is a form
// of a verb that attributes words to a speaker ("said", "told", "telling")
// or "according". Any form counts whose Key is a listed word's.
func IsReportingVerb(w string) bool {
	return englishWords[w]&roleReporting != 0 || reportingKeys[Key(w)]
}

// reportingKeys are the keys of the reporting verbs.
var reportingKeys = func() map[string]bool {
	var words []string
	for w, r := range englishWords {
		if r&roleReporting != 0 {
			words = append(words, w)
		}
	}
	return KeySet(words...)
}()

// IsCalendarWord reports whether w, a lowercased English word, names a
// month or a day of the week, in full or abbreviated ("sept", "mon"):
// words that name no event, for any two articles dated in one month share
// them. Any form counts whose Key is a listed word's.
func IsCalendarWord(w string) bool {
	return calendarKeys[Key(w)]
}

var calendarKeys = KeySet(strings.Fields(`january february march april may june july
	august september october november december jan feb mar apr jun jul aug sep sept
	oct nov dec monday tuesday wednesday thursday friday saturday sunday`)...)

// IsFramingWord reports whether w, a lowercased English word, frames a
// question rather than naming what it asks about ("tell", "happened",
// "latest").
func IsFramingWord(w string) bool {
	return englishWords[w]&roleFraming != 0
}

// IsFiller reports whether w, a lowercased English word, is a stop word or
// a framing word: what extraction and verification skip when they compare
// a question's words with a sentence's.
func IsFiller(w string) bool {
	return englishWords[w]&(roleFunction|roleCaseAmbiguous|roleWeak|roleFraming) != 0
}

// IsStopToken reports whether tok, an English token as Tokens cuts and
// folds it, says nothing about which paragraph answers a question: a
// function word, a reporting verb or what a contraction leaves ("don",
// "t"). A case-ambiguous word is not one ("us" may be "US"), nor a weak
// one.
func IsStopToken(tok string) bool {
	r := englishWords[tok]
	if r&roleCaseAmbiguous != 0 {
		return false
	}
	return r&(roleFunction|roleReporting|roleFragment) != 0
}
