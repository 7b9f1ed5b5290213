package text

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Term is one word of a text as extraction, verification and digest
// grouping compare words: folded to a key that the word's inflections,
// irregular forms and few synonyms share. Unlike Tokens, which reads as
// the index does, Terms reads as a person does: "don't" and "U.S." are
// one word each, and capitals are kept track of.
type Term struct {
	Word  string // as written, possessive removed
	Lower string // lowercased, possessive removed
	Key   string // lemma, then English (Porter2) stem
	Upper bool   // the first letter is a capital
	Acro  bool   // an acronym: "UN", "U.S.", "EFE"
	Num   bool   // starts with a digit: "2024", "5.93", "1,000"
	// Compound marks the joined form of a hyphenated word ("cyberattack"
	// for "cyber-attack"), added after its parts so that either spelling
	// in a question finds it.
	Compound bool
}

// Terms splits s into terms, in order. Letters, digits and marks make
// words; an apostrophe inside a word keeps it whole ("don't") and a final
// possessive is dropped ("Iran's" is "Iran"); dots join initials into an
// acronym ("U.S.") and digits into a number ("5.93"), as commas do in
// "1,000". A hyphenated word yields its parts and then the joined word.
//
// In a text written mostly in capitals nothing counts as an acronym, so a
// shouted question keeps its stop words.
func Terms(s string) []Term {
	var (
		out     []Term
		group   []string // the parts of the current hyphenated word
		shout   = mostlyCapitals(s)
		prevEnd = -1
	)
	flush := func() {
		if len(group) > 1 {
			w := strings.Join(group, "")
			out = append(out, Term{Lower: w, Key: Key(w), Compound: true})
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
		if t := newTerm(s[i:j], shout); t.Key != "" {
			out = append(out, t)
			group = append(group, t.Lower)
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
func newTerm(w string, shout bool) Term {
	for _, suffix := range []string{"'s", "’s", "'S", "’S"} {
		if len(w) > len(suffix)+1 && strings.HasSuffix(w, suffix) {
			w = w[:len(w)-len(suffix)]
			break
		}
	}
	t := Term{Word: w, Lower: strings.ToLower(w)}
	first, _ := utf8.DecodeRuneInString(w)
	t.Upper = unicode.IsUpper(first)
	t.Num = unicode.IsDigit(first)
	switch {
	case t.Num:
		t.Key = strings.ReplaceAll(t.Lower, ",", "")
		return t
	case strings.Contains(w, "."):
		t.Lower = strings.ReplaceAll(t.Lower, ".", "")
		t.Acro = !shout && t.Upper
		t.Key = t.Lower
		return t
	case !shout && utf8.RuneCountInString(w) >= 2 && w == strings.ToUpper(w):
		t.Acro = true
	}
	// Accents are folded before stemming, as the index folds them, so
	// that "Irán" is "Iran".
	t.Key = Key(FoldString(t.Lower))
	return t
}

// Key folds a lowercased English word to the key its other forms share:
// the stem of its lemma, or of its synonym group's head. "said" and
// "says" share "say"; "began" and "started" share "begin".
func Key(lower string) string {
	if l, ok := lemmas[lower]; ok {
		lower = l
	}
	k := Stem(lower)
	if head, ok := synonymKeys[k]; ok {
		return head
	}
	return k
}

// IsContent reports whether t carries meaning of its own: neither a stop
// word nor a framing word (see IsFiller), and longer than a letter.
// Acronyms and numbers always do.
func (t Term) IsContent() bool {
	if t.Acro || t.Num {
		return true
	}
	return !IsFiller(t.Lower) && utf8.RuneCountInString(t.Lower) > 1
}

// ContentKeys returns the keys of the content words of s, once each, in
// order; hyphenated words count by their parts.
func ContentKeys(s string) []string {
	var (
		out  []string
		seen = make(map[string]bool)
	)
	for _, t := range Terms(s) {
		if t.Compound || !t.IsContent() || seen[t.Key] {
			continue
		}
		seen[t.Key] = true
		out = append(out, t.Key)
	}
	return out
}

// KeySet returns the keys of words, for looking a Term's Key up.
func KeySet(words ...string) map[string]bool {
	m := make(map[string]bool, len(words))
	for _, w := range words {
		m[Key(w)] = true
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
		head := Stem(g[0])
		for _, w := range g[1:] {
			m[Stem(w)] = head
		}
	}
	return m
}()

// FormsOf returns the words the lemma table and the synonym groups fold to
// key, a Key, that need not share its first letters ("gave" and "given"
// for give's key, "start" for begin's): a matcher that skips tokens by
// their first bytes must not skip these.
func FormsOf(key string) []string {
	return formsByKey[key]
}

// formsByKey maps a Key to the listed words folded to it.
var formsByKey = func() map[string][]string {
	m := make(map[string][]string)
	add := func(w string) {
		k := Key(w)
		if w != k && !slices.Contains(m[k], w) {
			m[k] = append(m[k], w)
		}
	}
	for w := range lemmas {
		add(w)
	}
	for _, g := range synonymGroups {
		for _, w := range g {
			add(w)
		}
	}
	for _, ws := range m {
		slices.Sort(ws)
	}
	return m
}()
