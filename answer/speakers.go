package answer

import (
	"strings"

	"github.com/byline-bot/byline/cite"
	"github.com/byline-bot/byline/text"
)

// Finding who said what. A sentence reports what someone said when it has
// a reporting word ("said", "rejected", "according to", "a statement")
// and a speaker before it: the words of a name, a people or a country, and
// the noun that heads them ("the Iranian mission", "Trump spokesman Steven
// Cheung"). A later "the mission" or "it" in the same article stands for
// the last speaker whose head noun it names.

// speakerHeads are nouns that head a speaker's name and stand for it
// later ("the mission", "the spokesman").
var speakerHeads = text.KeySet("mission", "spokesman", "spokeswoman", "spokesperson", "campaign", "government",
	"ministry", "minister", "official", "officials", "office", "embassy", "president", "company",
	"union", "council", "department", "agency", "spokespeople", "statement", "leader", "party",
	"committee", "administration", "police", "army", "military", "board", "court", "group")

// speakerWindow is how many words before a reporting word its speaker may
// stand.
const speakerWindow = 9

// subject is the speaker a question asks about, as the words that name it.
type subject struct {
	keys    map[string]bool // content keys of the subject's words
	role    map[string]bool // head nouns the question gives the subject ("spokesperson" in "Trump's spokesperson")
	aliases map[string]bool // names met after the subject and its role ("Steven Cheung" after "Trump spokesman")
	country string          // the country the subject names, if any
	heads   map[string]bool // head nouns seen with the subject in the article, filled as sentences are read
	text    string
}

func newSubject(s string) subject {
	sb := subject{keys: make(map[string]bool), heads: make(map[string]bool), role: make(map[string]bool),
		aliases: make(map[string]bool), text: s}
	ts := text.Terms(s)
	for i, t := range ts {
		if t.Compound || !t.IsContent() || articleWords[t.Lower] {
			continue
		}
		if c := countryOfTerms(ts[i:]); c != "" && sb.country == "" {
			sb.country = c
		}
		if speakerHeads[t.Key] {
			sb.heads[t.Key] = true
			sb.role[t.Key] = true
			continue
		}
		sb.keys[t.Key] = true
	}
	if len(sb.keys) == 0 && sb.country == "" {
		// "the union": the head noun is the whole name.
		for k := range sb.heads {
			sb.keys[k] = true
		}
		clear(sb.role)
	}
	return sb
}

// articleWords are determiners a subject may carry in some languages ("a
// Microsoft" in Portuguese).
var articleWords = map[string]bool{"a": true, "o": true, "os": true, "as": true, "el": true, "la": true,
	"los": true, "las": true, "le": true, "les": true, "der": true, "die": true, "das": true, "l": true}

// countryOfTerms returns the country the terms at the start of ts name.
func countryOfTerms(ts []text.Term) string {
	words := make([]string, 0, 5)
	for _, t := range ts[:min(len(ts), 5)] {
		if t.Compound {
			continue
		}
		words = append(words, text.PlaceKey(t.Lower))
	}
	if len(words) == 0 {
		return ""
	}
	if c, ok := text.CountryOfAcronym(strings.ToUpper(words[0])); ok && ts[0].Acro {
		return c
	}
	c, _ := text.Country(words)
	return c
}

// empty reports whether the subject names nothing to look for.
func (sb subject) empty() bool { return len(sb.keys) == 0 && sb.country == "" }

// names reports whether the term at ts[i] names the subject: one of its
// words, or a form of its country ("Iranian" for Iran).
func (sb subject) names(ts []text.Term, i int) bool {
	t := ts[i]
	if t.Compound {
		return false
	}
	if sb.aliases[t.Key] && (t.Upper || t.Acro) {
		return true
	}
	if sb.keys[t.Key] {
		// "Trump's spokesperson" is not Trump: with a role asked for,
		// the role must stand beside the name.
		return len(sb.role) == 0 || sb.roleNear(ts, i)
	}
	if sb.country != "" && (t.Upper || t.Acro) && countryOfTerms(ts[i:]) == sb.country {
		return true
	}
	return false
}

// mentions reports whether the sentence names the subject anywhere.
func (sb subject) mentions(s *sentence) bool {
	for i := range s.terms {
		if sb.names(s.terms, i) {
			return true
		}
	}
	return false
}

// attribution is what a sentence says about who speaks in it.
type attribution struct {
	speaker string // the speaker's words as written, "Iranian mission"
	ok      bool
}

// speaks reports whether the sentence reports what the subject said, and
// the speaker as written. It learns the subject's head nouns as it goes,
// so call it on an article's sentences in order.
func (sb subject) speaks(s *sentence) attribution {
	ts := s.terms
	for v, t := range ts {
		if !cite.IsReporting(t.Key) {
			continue
		}
		// "according to X", "a statement from X", "a report by X": the
		// speaker follows.
		if t.Key == "according" || t.Key == "statement" || t.Key == "report" {
			for j := v + 1; j < min(len(ts), v+5); j++ {
				if sb.names(ts, j) {
					return attribution{speaker: phraseAt(ts, j), ok: true}
				}
			}
		}
		for j := v - 1; j >= 0 && j >= v-speakerWindow; j-- {
			if sb.names(ts, j) {
				sb.learnHead(ts, j)
				return attribution{speaker: phraseAt(ts, j), ok: true}
			}
			if sb.heads[ts[j].Key] && j > 0 && (ts[j-1].Lower == "the" || ts[j-1].Lower == "its") {
				return attribution{speaker: "the " + ts[j].Lower, ok: true}
			}
		}
	}
	return attribution{}
}

// roleNear reports whether one of the subject's role nouns stands within
// two words of ts[i].
func (sb subject) roleNear(ts []text.Term, i int) bool {
	for j := max(0, i-2); j < min(len(ts), i+3); j++ {
		if j != i && sb.role[ts[j].Key] {
			return true
		}
	}
	return false
}

// learnHead notes the noun that follows the subject's words at ts[i]
// ("mission" in "Iranian mission"), so that "the mission" later counts,
// and the name that follows the noun ("Steven Cheung" in "Trump spokesman
// Steven Cheung"), so that "Cheung said" later counts too.
func (sb subject) learnHead(ts []text.Term, i int) {
	for j := i + 1; j < min(len(ts), i+3); j++ {
		if speakerHeads[ts[j].Key] {
			sb.heads[ts[j].Key] = true
			for k := j + 1; k < min(len(ts), j+4) && (ts[k].Upper || ts[k].Acro) && !ts[k].Compound; k++ {
				if !text.IsStopWord(ts[k].Lower) {
					sb.aliases[ts[k].Key] = true
				}
			}
			return
		}
		if !ts[j].Upper {
			return
		}
	}
}

// phraseAt returns the speaker's words around ts[i]: the capitalized words
// next to it and the head noun after them.
func phraseAt(ts []text.Term, i int) string {
	start, end := i, i+1
	for start > 0 && (ts[start-1].Upper || ts[start-1].Acro) && !ts[start-1].Compound && start > i-3 {
		start--
	}
	for end < len(ts) && end < i+4 && !ts[end].Compound && (ts[end].Upper || ts[end].Acro) {
		end++
	}
	if end < len(ts) && speakerHeads[ts[end].Key] && !ts[end].Compound {
		end++
	}
	var words []string
	for _, t := range ts[start:end] {
		if t.Compound {
			continue
		}
		words = append(words, t.Word)
	}
	return strings.Join(words, " ")
}
