package cite

import (
	"regexp"
	"strconv"
	"strings"

	"github.com/byline-bot/byline/knowledge"
	"github.com/byline-bot/byline/text"
)

// Judging whether a model's sentence says what the passages say. A model
// paraphrases: it takes a name from one passage and a fact from the one it
// cites ("Donald Trump" for "the former US president"), says a country
// for its capital or people ("Tehran" for "the Iranian government"), and
// answers "what did X say" with "X said". What it must not do is change a
// fact: a number, a date, who is meant, who said it, whether it happened,
// or which passage says it. The checks below each look for one of those
// changes, in general terms; none is keyed to a sentence.

// tok is one word of a text as the faithfulness checks read it: a text.Term,
// with the clause and sentence it stands in.
type tok struct {
	text.Term
	sentence int    // index of its sentence in the text
	clause   int    // index of its clause (split at punctuation) in the text
	first    bool   // the first word of its sentence, capitalised by grammar
	country  string // the country it is part of a name of, if any
}

// clauseBreak is the punctuation a clause ends at: a negation or a
// speaker does not reach across it.
var clauseBreak = regexp.MustCompile(`[,;:!?()\[\]"“”«»—–]|\s-\s`)

// tokens splits s into sentences, clauses and words, and marks the words
// that name a country ("Tehran", "Iranian", "United States").
func tokens(s string) []tok {
	var out []tok
	clause := 0
	for si, sp := range text.Sentences(s) {
		first := true
		for _, part := range clauseBreak.Split(s[sp.Start:sp.End], -1) {
			ts := text.Terms(part)
			start := len(out)
			for _, t := range ts {
				out = append(out, tok{Term: t, sentence: si, clause: clause, first: first && !t.Compound})
				if !t.Compound {
					first = false
				}
			}
			markCountries(out[start:])
			clause++
		}
	}
	return out
}

// markCountries sets the country of the words that name one.
func markCountries(ts []tok) {
	for i := 0; i < len(ts); i++ {
		t := ts[i]
		if t.Compound || !(t.Upper || t.Acro) {
			continue
		}
		if c, ok := text.CountryOfAcronym(strings.ToUpper(strings.ReplaceAll(t.Word, ".", ""))); ok && t.Acro {
			ts[i].country = c
			continue
		}
		var words []string
		for _, u := range ts[i:min(len(ts), i+5)] {
			if !u.Compound {
				words = append(words, text.PlaceKey(u.Lower))
			}
		}
		c, n := text.Country(words)
		if c == "" {
			// "America" is in the data set only as its people's name,
			// "American": a name that its demonym extends counts.
			for _, suffix := range []string{"n", "an"} {
				if c, _ = text.Country([]string{words[0] + suffix}); c != "" {
					n = 1
					break
				}
			}
		}
		for j := i; c != "" && j < len(ts) && n > 0; j++ {
			if !ts[j].Compound {
				ts[j].country = c
				n--
			}
		}
	}
}

// evidence is what the model was shown: every passage of the prompt, read
// once for all the claims of an answer.
type evidence struct {
	passages []knowledge.Passage
	toks     [][]tok         // tokens of each passage's text
	full     [][]tok         // tokens of each passage's supportText: text, title, outlet, date
	spoken   []*spoken       // each passage's speakers, found when first asked for
	outlets  [][]tok         // tokens of each passage's outlet
	keys     map[string]bool // every key in any passage, its title or outlet
	proper   map[string]bool // keys written with a capital inside a sentence
	places   map[string]bool // countries any passage names
}

func newEvidence(ps []knowledge.Passage) *evidence {
	ev := &evidence{passages: ps, keys: map[string]bool{}, proper: map[string]bool{}, places: map[string]bool{}}
	lower := map[string]bool{} // keys written in lower case somewhere
	opening := map[string]bool{}
	for _, p := range ps {
		ts := tokens(p.Text)
		full := append([]tok(nil), ts...)
		rest := p
		rest.Text = ""
		for _, t := range tokens(supportText([]knowledge.Passage{rest})) {
			t.clause += 1 << 19
			t.sentence += 1 << 19
			full = append(full, t)
		}
		ev.toks = append(ev.toks, ts)
		ev.full = append(ev.full, full)
		ev.spoken = append(ev.spoken, nil)
		ev.outlets = append(ev.outlets, tokens(p.Source))
		for _, t := range full {
			ev.keys[t.Key] = true
			switch {
			case !t.Upper && !t.Acro:
				lower[t.Key] = true
			case t.first:
				opening[t.Key] = true
			default:
				ev.proper[t.Key] = true
			}
			if t.country != "" {
				ev.places[t.country] = true
			}
		}
	}
	// A word seen only at a sentence's start is a name unless the
	// passages also write it in lower case.
	for k := range opening {
		if !lower[k] {
			ev.proper[k] = true
		}
	}
	return ev
}

// isName reports whether ts[i] names someone or something: an acronym, or
// a word written with a capital that the passages write so too, or never
// use. A capital the passages' own use of the word does not share is
// grammar or a label ("Response:"), and dates are not names either: they
// are facts the cited passage must hold.
func (ev *evidence) isName(ts []tok, i int) bool {
	t := ts[i]
	if t.Compound || t.Num || isDateWord(t.Term) {
		return false
	}
	if t.Acro {
		return true // "US" is no pronoun
	}
	if text.IsStopWord(t.Lower) {
		return false
	}
	if !t.Upper || transition(ts, i) {
		return false
	}
	return ev.proper[t.Key] || !ev.keys[t.Key]
}

// transition reports whether ts[i] opens its sentence and is set off by a
// comma, as "Yes," "Additionally," and "Overall," are: grammar, not a
// name or a fact.
func transition(ts []tok, i int) bool {
	return ts[i].first && (i+1 >= len(ts) || ts[i+1].clause != ts[i].clause || ts[i+1].sentence != ts[i].sentence)
}

// isDateWord reports whether t is a month or a weekday, written with a
// capital.
func isDateWord(t text.Term) bool {
	return t.Upper && timeKeys[t.Key] && IsMonthOrDay(t.Lower)
}

// label matches the heading a model may put before a claim in a list
// ("**Microsoft's findings:**"): a few words that frame it, not a fact.
// In bold it may run to 60 characters; plain, to three words, so that
// "The articles say Iran denies it: …" is read whole.
var label = regexp.MustCompile(`^[\s\-*•]*(?:(?:\*\*|__)[^:*_]{1,60}?:\s*(?:\*\*|__)|(?:\*\*|__)[^:*_]{1,60}?(?:\*\*|__)\s*:|[^\s:]+(?:\s+[^\s:]+){0,2}:)\s+`)

// Why a claim does not hold, for logs and tests.
const (
	whyNumber    = "a number the cited passages do not give"
	whyDate      = "a date the cited passages do not give"
	whyName      = "a name no passage gives"
	whyEntity    = "a name the cited passage does not speak of"
	whyCoverage  = "too few of its words in the cited passages"
	whyOutside   = "words no passage has"
	whySpeaker   = "a speaker the cited passage does not quote"
	whyNegation  = "the negation differs from the cited passage"
	bridgeWindow = 3 // content words a name and the word that ties it to the cited passage may stand apart
)

// holds reports whether claim says what the passages it cites say, and
// if not, why not. It checks, in turn, its numbers and dates against
// the cited passages; its names against all the passages, a name the
// cited passage lacks being tied to it by a word both share; the share
// of its words the cited passages hold; the words no passage has; who
// it says spoke; and its negations.
func (ev *evidence) holds(claim string, cited []int) (bool, string) {
	var ps []knowledge.Passage
	for _, i := range cited {
		ps = append(ps, ev.passages[i])
	}
	support := supportText(ps)
	claim = label.ReplaceAllString(claim, "")
	ct := tokens(claim)
	// The cited passages' tokens, read once in newEvidence; a clause or
	// sentence never spans two passages.
	var st []tok
	for k, n := range cited {
		for _, t := range ev.full[n] {
			t.clause += k << 20
			t.sentence += k << 20
			st = append(st, t)
		}
	}
	citedKeys, citedPlaces := map[string]bool{}, map[string]bool{}
	for _, t := range st {
		citedKeys[t.Key] = true
		if t.country != "" {
			citedPlaces[t.country] = true
		}
	}
	if !numbersHold(claim, ct, support, st) {
		return false, whyNumber
	}
	for _, t := range ct {
		if isDateWord(t.Term) && !citedKeys[t.Key] {
			return false, whyDate
		}
	}
	for i, t := range ct {
		if !ev.isName(ct, i) {
			continue
		}
		switch {
		case citedKeys[t.Key] || t.country != "" && citedPlaces[t.country]:
		case !ev.keys[t.Key] && (t.country == "" || !ev.places[t.country]):
			if !ev.givenName(ct, i) {
				return false, whyName
			}
		case !ev.bridged(ct, i, cited, citedKeys) && !ev.anaphoric(ct, i, cited):
			return false, whyEntity
		}
	}
	if coverageOf(claim, st) < minClaimCoverage {
		return false, whyCoverage
	}
	if ev.outside(ct) > outsideAllowance(ct) {
		return false, whyOutside
	}
	if !ev.speakersHold(ct, cited) {
		return false, whySpeaker
	}
	if !polarityHolds(ct, st) {
		return false, whyNegation
	}
	return true, ""
}

// coverageOf is Coverage, with the support already read into tokens.
func coverageOf(claim string, st []tok) float64 {
	ts := make([]text.Term, len(st))
	for i, t := range st {
		ts[i] = t.Term
	}
	return share(TermsOf(text.Terms(claim)), WordsOf("", ts))
}

// supportText is what the cited passages offer a claim: their text,
// titles, outlets and publication dates (a model says "as of" the date of
// the newest).
func supportText(ps []knowledge.Passage) string {
	var b strings.Builder
	for _, p := range ps {
		b.WriteString(p.Text + "\n\n" + p.Title + ".\n\n" + p.Source + ".\n\n")
		if !p.Published.IsZero() {
			b.WriteString(p.Published.Format("2 January 2006. Jan 2006-01-02") + ".\n\n")
		}
	}
	return b.String()
}

// numberWords are the numbers written as words that a claim may change:
// cardinals and ordinals. "one" and "first" are left out: they are as
// often a pronoun or an adverb ("one of them", "first reported").
var numberWords = func() map[string]int {
	m := map[string]int{}
	for i, w := range strings.Fields("zero _ two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen twenty") {
		m[w] = i
	}
	for i, w := range strings.Fields("thirty forty fifty sixty seventy eighty ninety") {
		m[w] = 30 + 10*i
	}
	for i, w := range strings.Fields("second third fourth fifth sixth seventh eighth ninth tenth") {
		m[w] = -(i + 2) // ordinals apart from cardinals
	}
	delete(m, "_")
	return m
}()

// numbersHold reports whether every number of the claim, in digits or in
// words, is in the support, in either form: "three" is "3".
func numbersHold(claim string, ct []tok, support string, st []tok) bool {
	digits := strings.NewReplacer(",", "").Replace(support)
	words := map[int]bool{}
	for _, t := range st {
		if v, ok := numberWords[t.Lower]; ok {
			words[v] = true
		}
	}
	for _, m := range number.FindAllStringSubmatch(claim, -1) {
		n := m[1]
		if strings.Contains(support, n) || strings.Contains(digits, strings.ReplaceAll(n, ",", "")) {
			continue
		}
		if v, err := strconv.Atoi(n); err == nil && words[v] {
			continue
		}
		return false
	}
	for i, t := range ct {
		v, ok := numberWords[t.Lower]
		if !ok || words[v] || countsSources(ct, i) {
			continue
		}
		if v < 0 || !containsNumber(digits, v) {
			return false
		}
	}
	return true
}

// countsSources reports whether the number at ct[i] counts what the
// answer draws on, not a fact of the story: "the two articles", "both
// sides".
func countsSources(ct []tok, i int) bool {
	for j := i + 1; j < len(ct) && j <= i+2 && ct[j].clause == ct[i].clause; j++ {
		if frameKeys[ct[j].Key] || sourceKeys[ct[j].Key] {
			return true
		}
	}
	return false
}

// sourceKeys are the words, besides frameKeys, for what an answer draws on.
var sourceKeys = text.KeySet("side", "passage", "paragraph", "outlet", "account", "version")

// containsNumber reports whether s holds v as a number of its own.
func containsNumber(s string, v int) bool {
	for _, m := range number.FindAllStringSubmatch(s, -1) {
		if m[1] == strconv.Itoa(v) {
			return true
		}
	}
	return false
}

// bridged reports whether the name at ct[i], which the cited passage
// lacks, is what the cited passage speaks of under another name: some
// passage puts it beside a word that stands next to it in the claim and
// that the cited passage holds ("Trump spokesman" elsewhere, "campaign
// spokesman for the former US president" cited, "spokesman for Donald
// Trump" claimed). A name put in another's place ("the credentials of
// JD Vance" for "of a former senior advisor") has no such tie.
func (ev *evidence) bridged(ct []tok, i int, cited []int, citedKeys map[string]bool) bool {
	// The name's run of capitalised words, and the content words either
	// side of it in the claim that the cited passage holds.
	start, end := i, i+1
	for start > 0 && ev.isName(ct, start-1) && ct[start-1].sentence == ct[i].sentence {
		start--
	}
	for end < len(ct) && (ct[end].Compound || ev.isName(ct, end)) && ct[end].sentence == ct[i].sentence {
		end++
	}
	bridges := map[string]bool{}
	for _, j := range phraseAround(ct, start, end, 2) {
		// A reporting word ties nothing: every speaker "said".
		if citedKeys[ct[j].Key] && !ev.isName(ct, j) && !attributionKeys[ct[j].Key] && !frameKeys[ct[j].Key] {
			bridges[ct[j].Key] = true
		}
	}
	if len(bridges) == 0 {
		return false
	}
	// A country put where the cited passage names another beside the same
	// word ("the Iranian government" for "the Russian government") is a
	// different one, however often the claim's appears elsewhere.
	if c := ct[i].country; c != "" {
		for _, n := range cited {
			ts := ev.toks[n]
			for j, t := range ts {
				if t.Compound || !bridges[t.Key] {
					continue
				}
				for _, k := range contentAround(ts, j, j+1, 2) {
					if ts[k].country != "" && ts[k].country != c {
						return false
					}
				}
			}
		}
	}
	for _, ts := range ev.toks {
		for j, t := range ts {
			if t.Compound || t.Key != ct[i].Key && (t.country == "" || t.country != ct[i].country) {
				continue
			}
			for _, k := range contentAround(ts, j, j+1, bridgeWindow) {
				if bridges[ts[k].Key] {
					return true
				}
			}
		}
	}
	return false
}

// givenName reports whether the name at ct[i], which no passage gives, is
// the given name of a person the passages name by surname alone: one
// word, followed by a name the passages give ("Donald" of "Donald Trump"
// where they say "Trump"). The surname is checked as any other name.
func (ev *evidence) givenName(ct []tok, i int) bool {
	t := ct[i]
	if t.Acro || t.country != "" || i+1 >= len(ct) || i > 0 && ev.isName(ct, i-1) && ct[i-1].sentence == t.sentence {
		return false
	}
	next := ct[i+1]
	if next.sentence != t.sentence || next.clause != t.clause || !ev.isName(ct, i+1) || next.Acro || !ev.keys[next.Key] {
		return false
	}
	return i+2 >= len(ct) || ct[i+2].clause != t.clause || !ev.isName(ct, i+2)
}

// anaphoric reports whether the name at ct[i] is a speaker the claim
// names where the cited passages name none and report one only as "it"
// or "the company": the claim's speaker may be that one if it speaks
// elsewhere in the same article.
func (ev *evidence) anaphoric(ct []tok, i int, cited []int) bool {
	claimed, _ := ev.speakers(ct)
	isSpeaker := false
	for _, c := range claimed {
		if c.keys[ct[i].Key] {
			isSpeaker = true
		}
	}
	if !isSpeaker {
		return false
	}
	articles := map[string]bool{}
	for _, n := range cited {
		named, unresolved := ev.speakersOf(n)
		if len(named) > 0 || !unresolved {
			return false
		}
		articles[ev.passages[n].ArticleID] = true
	}
	for n, p := range ev.passages {
		if !articles[p.ArticleID] {
			continue
		}
		named, _ := ev.speakersOf(n)
		for _, sp := range named {
			if sp.keys[ct[i].Key] {
				return true
			}
		}
	}
	return false
}

// phraseAround is contentAround within the name's own phrase: a reporting
// word ends it ("Njeri said the authority …": "authority" is what was
// said, not who Njeri is).
func phraseAround(ts []tok, start, end, n int) []int {
	var out []int
	for _, j := range contentAround(ts, start, end, n) {
		lo, hi := j, start
		if j >= end {
			lo, hi = end, j
		}
		cut := false
		for k := lo; k <= hi && k < len(ts); k++ {
			if k != j && attributionKeys[ts[k].Key] && !ts[k].Compound {
				cut = true
			}
		}
		if !cut && !attributionKeys[ts[j].Key] {
			out = append(out, j)
		}
	}
	return out
}

// contentAround returns the indices of up to n content words before
// ts[start] and after ts[end-1], in the same sentence.
func contentAround(ts []tok, start, end, n int) []int {
	var out []int
	for j, c := start-1, 0; j >= 0 && c < n && ts[j].sentence == ts[start].sentence; j-- {
		if !ts[j].Compound && ts[j].IsContent() {
			out = append(out, j)
			c++
		}
	}
	for j, c := end, 0; j < len(ts) && c < n && ts[j].sentence == ts[end-1].sentence; j++ {
		if !ts[j].Compound && ts[j].IsContent() {
			out = append(out, j)
			c++
		}
	}
	return out
}

// frameKeys are words a model frames an answer with ("the articles
// mention", "reports say"), which no passage needs to hold.
var frameKeys = text.KeySet("article", "articles", "mention", "story", "stories", "report", "source", "say")

// pronounWords are function words the stop-word list lacks: indefinite
// pronouns, which carry no fact ("everyone" is what is left of a ping).
var pronounWords = map[string]bool{"everyone": true, "everybody": true, "someone": true, "somebody": true,
	"anyone": true, "anybody": true, "nobody": true, "nothing": true, "none": true, "everything": true}

// outside counts the claim's content words, other than names (which are
// checked on their own), that no passage holds in any form: a fact from
// outside the passages, unless it is a word a paraphrase needs.
func (ev *evidence) outside(ct []tok) int {
	n := 0
	for i, t := range ct {
		if t.Compound || !t.IsContent() || ev.isName(ct, i) || ev.keys[t.Key] || transition(ct, i) {
			continue
		}
		if reportingKeys[t.Key] || reportKeys[t.Key] || nameKeys[t.Key] || frameKeys[t.Key] || pronounWords[t.Lower] {
			continue
		}
		if i+1 < len(ct) && ct[i+1].Compound && ev.keys[ct[i+1].Key] {
			continue // "cyber-attack" for "cyberattack"
		}
		n++
	}
	return n
}

// outsideAllowance is how many words of its own a claim may bring: a
// model's paraphrase of a long sentence needs a few ("put out" for
// "issued", "meant" for "intended"), a short one next to none. Measured on
// the scripted answers (answer/testdata/scripted): their faithful
// sentences bring at most one word in five.
func outsideAllowance(ct []tok) int {
	n := 0
	for _, t := range ct {
		if !t.Compound && t.IsContent() {
			n++
		}
	}
	return max(1, n/5)
}

// speaker is who a text says said something: the keys of the words of
// their name and the country those words name.
type speaker struct {
	keys      map[string]bool
	countries map[string]bool
}

func (s speaker) matches(o speaker) bool {
	for k := range s.keys {
		if o.keys[k] {
			return true
		}
	}
	for c := range s.countries {
		if o.countries[c] {
			return true
		}
	}
	return false
}

// attributionKeys are the words that report what someone said: the
// reporting words, and a few more a paraphrase uses.
var attributionKeys = func() map[string]bool {
	m := text.KeySet("indicate", "assure", "mention", "insist", "reveal", "quote", "cite")
	for k := range reportingKeys {
		m[k] = true
	}
	for k := range denialKeys {
		m[k] = true
	}
	return m
}()

var accordingKey = text.Key("according")

// speakerWindow is how many words before a reporting word its speaker may
// stand.
const speakerWindow = 9

// sayKeys are the reporting verbs that may come before their speaker
// ("…," said the mayor); others take an object there ("rejected Politico's
// report").
var sayKeys = text.KeySet("say", "add", "state", "tell", "write", "note", "explain", "insist", "continue")

// determiners before a reporting word make it a noun ("a statement", "its
// report"), whose speaker is named by a modifier or after "by" or "from".
var determiners = map[string]bool{"a": true, "an": true, "the": true, "its": true, "his": true, "her": true,
	"their": true, "our": true, "this": true, "that": true, "these": true, "those": true, "in": true}

// possessives before a reporting noun point back to its speaker.
var possessives = map[string]bool{"his": true, "her": true, "its": true, "their": true}

// subjectPronouns stand for a speaker named elsewhere.
var subjectPronouns = map[string]bool{"it": true, "he": true, "she": true, "they": true, "we": true,
	"i": true, "which": true, "who": true, "its": true, "his": true, "her": true, "their": true}

// topicWords before a name make it what a statement is about, not who made
// it ("questions about the Microsoft report").
var topicWords = map[string]bool{"about": true, "regarding": true, "concerning": true, "over": true, "against": true}

// spoken is who a passage says spoke, as speakers returns it.
type spoken struct {
	named      []speaker
	unresolved bool
}

// speakersOf returns the speakers of passage n, finding them once.
func (ev *evidence) speakersOf(n int) ([]speaker, bool) {
	if ev.spoken[n] == nil {
		named, u := ev.speakers(ev.toks[n])
		ev.spoken[n] = &spoken{named: named, unresolved: u}
	}
	return ev.spoken[n].named, ev.spoken[n].unresolved
}

// speakers returns who the text says spoke, by name, and whether it also
// reports words whose speaker it names only by a pronoun or a noun ("it
// said", "the company indicates").
func (ev *evidence) speakers(ts []tok) (named []speaker, unresolved bool) {
	for v, t := range ts {
		if t.Compound || !attributionKeys[t.Key] {
			continue
		}
		// A participle that opens its clause ("…, citing a report")
		// has the speaker of the clause before it.
		if t.Key != accordingKey && strings.HasSuffix(t.Lower, "ing") && v > 0 && ts[v-1].clause != t.clause {
			continue
		}
		// "according to X", "reported by X", "a statement from X": the
		// speaker follows.
		if sp, ok := ev.nameAfter(ts, v, t.Key == accordingKey); ok {
			named = append(named, sp)
			continue
		}
		// A noun after a possessive pronoun has its speaker before that
		// ("Cheung based his accusations"); after an article or a
		// capitalised word that is no name it has none to find.
		from := v - 1
		if v > 0 && possessives[ts[v-1].Lower] {
			from = v - 2
		} else if v > 0 && (determiners[ts[v-1].Lower] || ts[v-1].Upper && !ev.isName(ts, v-1)) {
			continue
		}
		if from == v-1 && v > 0 && ev.isName(ts, v-1) {
			if sp, ok := ev.runAt(ts, v-1); ok {
				named = append(named, sp)
			}
			continue
		}
		// A verb that opens its clause may have its speaker after it
		// ("…," said the mission's spokesman Ali Vaez).
		found := false
		if sayKeys[t.Key] && (v == 0 || ts[v-1].clause != t.clause) {
			for j := v + 1; j < len(ts) && j <= v+5 && ts[j].clause == t.clause; j++ {
				if ev.isName(ts, j) {
					for j+1 < len(ts) && ts[j+1].clause == t.clause && ev.isName(ts, j+1) {
						j++
					}
					if sp, ok := ev.runAt(ts, j); ok {
						named = append(named, sp)
						found = true
					}
					break
				}
			}
		}
		// Otherwise its speaker stands before it, in the same sentence,
		// before any pronoun or earlier reporting word: the nearest name,
		// or, for a verb that opens its clause, any name of the window,
		// since an aside may stand between ("Steven Cheung, spokesman for
		// the former US president, based his accusations").
		opens := false
		switch {
		case from < 0:
		case from == v-1:
			opens = ts[v].clause != ts[from].clause
		case from > 0:
			opens = ts[from].clause != ts[from-1].clause // "…, based his accusations"
		}
		window := speakerWindow
		if opens {
			window += 5
		}
		merged := speaker{keys: map[string]bool{}, countries: map[string]bool{}}
		for j := from; !(found && !opens) && j >= 0 && j >= v-window && ts[j].sentence == t.sentence; j-- {
			if ts[j].Compound {
				continue
			}
			if subjectPronouns[ts[j].Lower] || attributionKeys[ts[j].Key] && !(j > 0 && determiners[ts[j-1].Lower]) {
				break
			}
			if ev.isName(ts, j) {
				if sp, ok := ev.runAt(ts, j); ok {
					for k := range sp.keys {
						merged.keys[k] = true
					}
					for c := range sp.countries {
						merged.countries[c] = true
					}
					found = true
				}
				for j > 0 && ev.isName(ts, j-1) {
					j-- // the rest of the same name
				}
			}
		}
		if found {
			named = append(named, merged)
		}
		if !found {
			unresolved = true
		}
	}
	return named, unresolved
}

// nameAfter finds a speaker named after the reporting word at ts[v]:
// behind "by", "from" or "to" within three words, and, after "according
// to", every name of the phrase that follows ("Trump's spokesperson,
// Steven Cheung").
func (ev *evidence) nameAfter(ts []tok, v int, according bool) (speaker, bool) {
	sp := speaker{keys: map[string]bool{}, countries: map[string]bool{}}
	for j := v + 1; j < len(ts) && j <= v+3 && ts[j].sentence == ts[v].sentence; j++ {
		w := ts[j].Lower
		if w != "by" && w != "from" && !(according && w == "to") {
			continue
		}
		limit := j + 4
		if according {
			limit = j + 7
		}
		for k := j + 1; k < len(ts) && k <= limit && ts[k].sentence == ts[v].sentence; k++ {
			// "a report from June about Iran" names no speaker.
			if isDateWord(ts[k].Term) || topicWords[ts[k].Lower] || !according && ts[k].clause != ts[j].clause {
				break
			}
			if ev.isName(ts, k) {
				sp.keys[ts[k].Key] = true
				if ts[k].country != "" {
					sp.countries[ts[k].country] = true
				}
				if !according {
					for k+1 < len(ts) && ev.isName(ts, k+1) {
						k++
						sp.keys[ts[k].Key] = true
					}
					break
				}
			}
		}
		break
	}
	return sp, len(sp.keys) > 0
}

// runAt returns the speaker whose name's run of capitalised words ends
// at ts[j], unless the name is what is spoken about ("about the Microsoft
// report").
func (ev *evidence) runAt(ts []tok, j int) (speaker, bool) {
	start := j
	for start > 0 && (ts[start-1].Compound || ev.isName(ts, start-1)) && ts[start-1].clause == ts[j].clause {
		start--
	}
	for k := start - 1; k >= 0 && k >= start-3 && ts[k].clause == ts[j].clause; k-- {
		if topicWords[ts[k].Lower] {
			return speaker{}, false
		}
		if !determiners[ts[k].Lower] {
			break
		}
	}
	sp := speaker{keys: map[string]bool{}, countries: map[string]bool{}}
	for _, t := range ts[start : j+1] {
		if t.Compound {
			continue
		}
		sp.keys[t.Key] = true
		if t.country != "" {
			sp.countries[t.country] = true
		}
	}
	return sp, true
}

// speakersHold reports whether each speaker the claim names is one the
// cited passages quote: a speaker there, or their outlet. Where the
// passages quote no one by name, a speaker they report only as "it" or
// "the company" may be anyone they mention; where they quote no one at
// all, the claim's speaker must be mentioned in them.
func (ev *evidence) speakersHold(ct []tok, cited []int) bool {
	claimed, _ := ev.speakers(ct)
	if len(claimed) == 0 {
		return true
	}
	var (
		quoted     []speaker
		unresolved bool
		mentioned  = speaker{keys: map[string]bool{}, countries: map[string]bool{}}
	)
	for _, n := range cited {
		named, u := ev.speakersOf(n)
		quoted = append(quoted, named...)
		unresolved = unresolved || u
		outlet := speaker{keys: map[string]bool{}, countries: map[string]bool{}}
		for _, t := range ev.outlets[n] {
			outlet.keys[t.Key] = true
		}
		quoted = append(quoted, outlet)
		for _, t := range ev.toks[n] {
			if t.Upper || t.Acro {
				mentioned.keys[t.Key] = true
			}
			if t.country != "" {
				mentioned.countries[t.country] = true
			}
		}
	}
	for _, c := range claimed {
		ok := false
		for _, q := range quoted {
			if c.matches(q) {
				ok = true
				break
			}
		}
		switch {
		case ok:
		case len(quoted) == len(cited) && c.matches(mentioned):
			// The passages name no speaker: the claim's is in them.
		case len(quoted) == len(cited) && unresolved:
		default:
			return false
		}
	}
	return true
}

// negators turn what follows them into its opposite; denialKeys do too
// ("Iran denies involvement" is "Iran has no involvement").
var negators = map[string]bool{"not": true, "no": true, "never": true, "none": true, "nothing": true,
	"nobody": true, "neither": true, "nor": true, "without": true, "cannot": true}

// refusals are verbs that negate what they govern, as denials do
// ("declined to comment" is "no comment").
var refusals = func() map[string]bool {
	m := text.KeySet("decline", "refuse", "fail", "lack", "deny", "denial")
	for k := range denialKeys {
		m[k] = true
	}
	return m
}()

func isNegator(t text.Term) bool {
	return negators[t.Lower] || strings.HasSuffix(t.Lower, "n't") || strings.HasSuffix(t.Lower, "n’t")
}

// negation says, for each key of a text, whether it stands negated.
type negation struct {
	negated  map[string]bool // some occurrence is in a negator's or denial's reach
	positive map[string]bool // some occurrence is in no negator's reach (denials aside)
	denied   map[string]bool // some occurrence shares its clause with a denial
}

// negationOf marks what each negator and denial reaches: the next content
// word of its clause, and the words joined to it by "or", "nor" or "and"
// ("no purpose or motivation").
func negationOf(ts []tok) negation {
	n := negation{negated: map[string]bool{}, positive: map[string]bool{}, denied: map[string]bool{}}
	explicit := map[int]bool{}
	reached := map[int]bool{}
	denialClauses := map[int]bool{}
	for i, t := range ts {
		if t.Compound {
			continue
		}
		denial := refusals[t.Key]
		if denial {
			denialClauses[t.clause] = true
		}
		if !isNegator(t.Term) && !denial {
			continue
		}
		for j := i + 1; j < len(ts) && ts[j].clause == t.clause; j++ {
			u := ts[j]
			if u.Compound || !u.IsContent() {
				continue
			}
			reached[j] = true
			if !denial {
				explicit[j] = true
			}
			// A coordinated word shares the reach: skip function words to
			// the next "or", "nor" or "and", if that comes first.
			k := j + 1
			for k < len(ts) && ts[k].clause == t.clause && (ts[k].Compound || !ts[k].IsContent()) && ts[k].Lower != "or" && ts[k].Lower != "nor" && ts[k].Lower != "and" {
				k++
			}
			if k < len(ts) && ts[k].clause == t.clause && (ts[k].Lower == "or" || ts[k].Lower == "nor" || ts[k].Lower == "and") {
				j = k
				continue
			}
			break
		}
	}
	for i, t := range ts {
		if t.Compound || !t.IsContent() || isNegator(t.Term) {
			continue
		}
		if reached[i] {
			n.negated[t.Key] = true
		}
		if !explicit[i] {
			n.positive[t.Key] = true
		}
		if denialClauses[t.clause] {
			n.denied[t.Key] = true
		}
	}
	return n
}

// polarityHolds reports whether the claim negates what its cited passages
// negate: a word the claim puts in a negation's reach must stand negated
// or denied somewhere in them, and a word the claim asserts must not stand
// only in a negator's reach there ("did not identify" is not "did
// identify").
func polarityHolds(ct, st []tok) bool {
	c, s := negationOf(ct), negationOf(st)
	for _, t := range ct {
		if t.Compound || !t.IsContent() || isNegator(t.Term) || refusals[t.Key] {
			continue
		}
		inSupport := s.negated[t.Key] || s.positive[t.Key]
		if !inSupport {
			continue
		}
		switch {
		case c.negated[t.Key] && !s.negated[t.Key] && !s.denied[t.Key]:
			return false
		case !c.negated[t.Key] && !s.positive[t.Key]:
			return false
		}
	}
	return true
}
