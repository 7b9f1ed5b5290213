package answer

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/byline-bot/byline/text"
	"github.com/kljensen/snowball/english"
)

// term is one word of a text as the extractor compares words: folded to a
// key that the word's inflections, irregular forms and few synonyms share.
type term struct {
	word  string // as written, possessive removed
	lower string // lowercased, possessive removed
	key   string // lemma, then English (Porter2) stem
	upper bool   // the first letter is a capital
	acro  bool   // an acronym: "UN", "U.S.", "EFE"
	num   bool   // starts with a digit: "2024", "5.93", "1,000"
	// compound marks the joined form of a hyphenated word ("cyberattack"
	// for "cyber-attack"), added after its parts so that either spelling
	// in a question finds it.
	compound bool
}

// scanTerms splits s into terms, in order. Letters, digits and marks make
// words; an apostrophe inside a word keeps it whole ("don't") and a final
// possessive is dropped ("Iran's" is "Iran"); dots join initials into an
// acronym ("U.S.") and digits into a number ("5.93"), as commas do in
// "1,000". A hyphenated word yields its parts and then the joined word.
//
// In a text written mostly in capitals nothing counts as an acronym, so a
// shouted question keeps its stop words.
func scanTerms(s string) []term {
	var (
		out     []term
		group   []string // the parts of the current hyphenated word
		shout   = mostlyCapitals(s)
		prevEnd = -1
	)
	flush := func() {
		if len(group) > 1 {
			w := strings.Join(group, "")
			out = append(out, term{lower: w, key: termKey(w), compound: true})
		}
		group = group[:0]
	}
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if !isWordRune(r) {
			i += size
			continue
		}
		j := wordEnd(s, i)
		if prevEnd < 0 || !isHyphen(s[prevEnd:i]) {
			flush()
		}
		if t := newTerm(s[i:j], shout); t.key != "" {
			out = append(out, t)
			group = append(group, t.lower)
		}
		prevEnd, i = j, j
	}
	flush()
	return out
}

// isHyphen reports whether sep, the text between two words, is one hyphen.
func isHyphen(sep string) bool {
	return sep == "-" || sep == "\u2010" || sep == "\u2011"
}

// wordEnd returns the end of the word that starts at i.
func wordEnd(s string, i int) int {
	j := i
	for j < len(s) {
		r, size := utf8.DecodeRuneInString(s[j:])
		if isWordRune(r) {
			j += size
			continue
		}
		if j == i || j+size >= len(s) {
			break
		}
		prev, _ := utf8.DecodeLastRuneInString(s[:j])
		next, nsize := utf8.DecodeRuneInString(s[j+size:])
		if (r == '\'' || r == '’') && unicode.IsLetter(prev) && unicode.IsLetter(next) {
			j += size
			continue
		}
		if (r == '.' || r == ',') && unicode.IsDigit(prev) && unicode.IsDigit(next) {
			j += size
			continue
		}
		// "U.S": a single letter, a dot, and a single letter.
		if r == '.' && isInitial(s[i:j]) && unicode.IsLetter(next) {
			after, _ := utf8.DecodeRuneInString(s[j+size+nsize:])
			if j+size+nsize >= len(s) || !isWordRune(after) {
				j += size
				continue
			}
		}
		break
	}
	// The final dot of an acronym belongs to it: "U.S." is one word.
	if j < len(s) && s[j] == '.' && strings.Contains(s[i:j], ".") && isInitial(s[i:j]) {
		j++
	}
	return j
}

// isInitial reports whether the last dot-separated part of w is a single
// letter.
func isInitial(w string) bool {
	if k := strings.LastIndexByte(w, '.'); k >= 0 {
		w = w[k+1:]
	}
	r, size := utf8.DecodeRuneInString(w)
	return size == len(w) && unicode.IsLetter(r)
}

func isWordRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r)
}

// mostlyCapitals reports whether most of the letters of s are capitals.
func mostlyCapitals(s string) bool {
	var up, all int
	for _, r := range s {
		if unicode.IsLetter(r) {
			all++
			if unicode.IsUpper(r) {
				up++
			}
		}
	}
	return all >= 8 && up*3 > all*2
}

// newTerm makes the term for one scanned word.
func newTerm(w string, shout bool) term {
	for _, suffix := range []string{"'s", "’s", "'S", "’S"} {
		if len(w) > len(suffix)+1 && strings.HasSuffix(w, suffix) {
			w = w[:len(w)-len(suffix)]
			break
		}
	}
	t := term{word: w, lower: strings.ToLower(w)}
	first, _ := utf8.DecodeRuneInString(w)
	t.upper = unicode.IsUpper(first)
	t.num = unicode.IsDigit(first)
	switch {
	case t.num:
		t.key = strings.ReplaceAll(t.lower, ",", "")
		return t
	case strings.Contains(w, "."):
		t.lower = strings.ReplaceAll(t.lower, ".", "")
		t.acro = !shout && t.upper
		t.key = t.lower
		return t
	case !shout && utf8.RuneCountInString(w) >= 2 && w == strings.ToUpper(w):
		t.acro = true
	}
	// Accents are folded before stemming, as the index folds them, so
	// that "Irán" is "Iran".
	t.key = termKey(text.PlaceKey(t.lower))
	return t
}

// termKey folds a lowercased word to the key its other forms share: the
// stem of its lemma, or of its synonym group's head.
func termKey(lower string) string {
	if l, ok := lemmas[lower]; ok {
		lower = l
	}
	k := english.Stem(lower, true)
	if head, ok := synonymKeys[k]; ok {
		return head
	}
	return k
}

// isContent reports whether t carries meaning of its own: not a stop word
// (acronyms and numbers always do).
func (t term) isContent() bool {
	if t.acro || t.num {
		return true
	}
	return !stopWords[t.lower] && utf8.RuneCountInString(t.lower) > 1
}

// contentKeys returns the keys of the content words of s, once each, in
// order; hyphenated words count by their parts.
func contentKeys(s string) []string {
	var (
		out  []string
		seen = make(map[string]bool)
	)
	for _, t := range scanTerms(s) {
		if t.compound || !t.isContent() || seen[t.key] {
			continue
		}
		seen[t.key] = true
		out = append(out, t.key)
	}
	return out
}

// demonymOf reports whether one key is the other's people or adjective
// ("iran" and "iranian", "america" and "american", "iraq" and "iraqi").
// It looks at the spelling only: callers check that both words are
// written with a capital, which keeps "germ" apart from "German".
func demonymOf(a, b string) bool {
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

// keySet returns the keys of words.
func keySet(words ...string) map[string]bool {
	m := make(map[string]bool, len(words))
	for _, w := range words {
		m[termKey(w)] = true
	}
	return m
}

// lemmas maps irregular forms to their base form; regular inflections are
// left to the stemmer. Verbs are the main need: news is told in the past
// tense and questions ask in the present ("Who won?", "When did it
// begin?"). Forms whose other reading is common in news are left out
// ("left", "lead", "saw", "found", "rose", "fell").
var lemmas = map[string]string{
	"said": "say", "says": "say", "saying": "say",
	"won": "win", "winning": "win",
	"began": "begin", "begun": "begin", "beginning": "begin",
	"told": "tell", "gave": "give", "given": "give", "took": "take", "taken": "take",
	"made": "make", "went": "go", "gone": "go", "came": "come", "seen": "see",
	"knew": "know", "known": "know", "got": "get", "gotten": "get",
	"thought": "think", "met": "meet", "paid": "pay", "sent": "send", "spent": "spend",
	"held": "hold", "kept": "keep", "brought": "bring", "bought": "buy", "built": "build",
	"lost": "lose", "risen": "rise", "fallen": "fall", "sold": "sell", "shot": "shoot",
	"struck": "strike", "ran": "run", "wrote": "write", "written": "write",
	"spoke": "speak", "spoken": "speak", "chose": "choose", "chosen": "choose",
	"broke": "break", "broken": "break", "stole": "steal", "stolen": "steal",
	"led": "lead", "fought": "fight", "fled": "flee", "sought": "seek", "taught": "teach",
	"caught": "catch", "grew": "grow", "grown": "grow", "drove": "drive", "driven": "drive",
	"flew": "fly", "flown": "fly", "threw": "throw", "thrown": "throw", "drew": "draw",
	"drawn": "draw", "hid": "hide", "hidden": "hide", "froze": "freeze", "frozen": "freeze",
	"beaten": "beat", "dealt": "deal", "felt": "feel", "heard": "hear", "meant": "mean",
	"stood": "stand", "understood": "understand", "sat": "sit", "slept": "sleep",
	"swore": "swear", "sworn": "swear", "tore": "tear", "torn": "tear", "woke": "wake",
	"withdrew": "withdraw", "withdrawn": "withdraw", "forgot": "forget", "forgotten": "forget",
	"arose": "arise", "arisen": "arise", "shook": "shake", "shaken": "shake",
	"sank": "sink", "sunk": "sink", "fed": "feed", "lent": "lend", "bent": "bend",
	"stuck": "stick", "hung": "hang", "dug": "dig", "forbade": "forbid", "forbidden": "forbid",
	"overtook": "overtake", "overtaken": "overtake", "undertook": "undertake",
	"undertaken": "undertake", "became": "become", "ate": "eat", "eaten": "eat",
	"blew": "blow", "blown": "blow", "bred": "breed", "forgave": "forgive",
	"forgiven": "forgive", "rode": "ride", "ridden": "ride", "rang": "ring", "rung": "ring",
	"sang": "sing", "sung": "sing", "slid": "slide", "spun": "spin", "sprang": "spring",
	"sprung": "spring", "swam": "swim", "swum": "swim", "swung": "swing", "wore": "wear",
	"worn": "wear", "wove": "weave", "woven": "weave", "wept": "weep",
	"men": "man", "women": "woman", "children": "child", "people": "person",
	"mice": "mouse", "teeth": "tooth", "feet": "foot", "geese": "goose",
	"crises": "crisis", "analyses": "analysis", "theses": "thesis",
	"criteria": "criterion", "phenomena": "phenomenon",
}

// synonymGroups are a few words that stand for the first of their group:
// the pairs a news question and its answer most often split ("When did it
// start?" / "it began", "killed" / "assassinated"), and gender-neutral
// titles. Their stems are matched, so every form of each word is covered.
var synonymGroups = [][]string{
	{"begin", "start", "commence"},
	{"end", "finish"},
	{"buy", "purchase"},
	{"kill", "murder", "assassinate", "slay"},
	{"spokesman", "spokesperson", "spokeswoman", "spokesmen", "spokeswomen", "spokespeople"},
	{"chairman", "chairperson", "chairwoman", "chairmen", "chairwomen"},
}

// synonymKeys maps the stem of each word of a synonym group to the stem of
// its head.
var synonymKeys = func() map[string]string {
	m := make(map[string]string)
	for _, g := range synonymGroups {
		head := english.Stem(g[0], true)
		for _, w := range g[1:] {
			m[english.Stem(w, true)] = head
		}
	}
	return m
}()

// stopWords are words that carry no meaning for matching: function words,
// question words and the framing of a question ("tell me", "happened"),
// including asking for the news to be recent ("latest", "now"), which is
// the engine's to honour by date, not a word an answer repeats.
var stopWords = func() map[string]bool {
	m := make(map[string]bool)
	for _, w := range strings.Fields(`
		a about above after again against all also am an and any are aren't as at
		be because been before being below between both but by can can't cannot could
		couldn't did didn't do does doesn't doing don't down during each either else
		ever few for from further had hadn't has hasn't have haven't having he he'd
		he'll he's her here here's hers herself him himself his how how's i i'd i'll
		i'm i've if in into is isn't it it's its itself just let's like me more most
		mustn't my myself neither no nor not of off on once only or other ought our
		ours ourselves out over own per same us shan't she she'd she'll she's should
		shouldn't so some such than that that's the their theirs them themselves then
		there there's these they they'd they'll they're they've this those through to
		too under until up upon very was wasn't we we'd we'll we're we've were weren't
		what what's when when's where where's whether which while who who's whom whose
		why why's will with within without won't would wouldn't yet you you'd you'll
		you're you've your yours yourself yourselves
		also already among amongst anybody anyone anything around away else etc
		may might must shall still via whose
		happen happened happens happening tell please thanks know think kind sort
		thing things way ways something someone somebody everything one's exactly
		really actually much many lot lots
		latest newest recent update updates current currently now`) {
		m[w] = true
	}
	return m
}()
