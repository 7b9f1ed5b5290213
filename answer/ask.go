package answer

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/byline-bot/byline/knowledge"
	"github.com/byline-bot/byline/llm"
	"github.com/byline-bot/byline/text"
)

// maxQuestionRunes is how much of a question is read: a pasted page is
// answered from its first part, not refused.
const maxQuestionRunes = 1000

// corrector is the part of a knowledge base that can correct a question's
// typos against its vocabulary. A store without it answers as typed.
type corrector interface {
	Correct(ctx context.Context, words []string) ([]knowledge.Correction, error)
}

// plan is how one question is answered: decided once, before retrieval.
type plan struct {
	asked  string // the question as read: others' mentions out, clipped, the asker's language's function words out
	lang   text.Language
	intent parsedIntent
	search string // what retrieval searches for
	shown  string // the words searched, for a person to read
	fixed  string // the corrected words, shown to the user, or ""
	limit  int
}

// Ask answers a question. The error is for failures a user cannot fix (the
// knowledge base is unreadable, ctx ended); a question that cannot be
// answered gets an abstaining Answer, not an error.
//
// Each question is answered in one pass: its plan (language, intent, the
// words to search, follow-up or standalone) is decided first, the passages
// are retrieved once, and the answer is written once, by the model when one
// is configured and by extraction otherwise or when the model fails.
func (e *Engine) Ask(ctx context.Context, q Question) (Answer, error) {
	p := e.plan(ctx, q)
	msg := messagesFor(p.lang)
	if p.search == "" && p.intent.kind != intentOverview {
		return Answer{Abstained: true, Text: msg.noContent}, nil
	}
	gen, err := e.store.Generation(ctx)
	if err != nil {
		return Answer{}, fmt.Errorf("answer: %w", err)
	}
	key := cacheKey(p.search, p.asked+"\\x00"+string(p.lang), q.Sources, q.Prefer, e.llm != nil)
	if a, ok := e.cache.get(key, gen); ok {
		a.Cached = true
		return a, nil
	}

	start := time.Now()
	var passages []knowledge.Passage
	if p.intent.kind == intentOverview {
		passages, err = e.overviewPassages(ctx, p, q)
	} else {
		passages, err = e.retrieve(ctx, p.search, p.asked, q.Sources, q.Prefer, p.limit)
	}
	if err != nil {
		return Answer{}, fmt.Errorf("answer: %w", err)
	}
	retrieval := time.Since(start)

	var (
		a          Answer
		generation time.Duration
	)
	switch {
	case len(passages) == 0:
		a = Answer{Abstained: true, Note: "no stored paragraph matches"}
	case e.llm != nil:
		start = time.Now()
		a, err = e.generate(ctx, e.promptQuestion(p, q.Text), q, passages)
		generation = time.Since(start)
		if err != nil {
			if ctx.Err() != nil {
				return Answer{}, fmt.Errorf("answer: %w", ctx.Err())
			}
			// The explicit fallback: the model failed, so the same
			// passages are quoted.
			e.log.Warn("language model failed; answering by extraction", "err", err)
			a = e.byIntent(p, passages)
			a.Fallback = fallbackKind(err)
			if !a.Abstained {
				a.Note = "The language model is unavailable right now, so this answer quotes the articles directly."
				if errors.Is(err, llm.ErrBudgetSpent) {
					a.Note = "Today's language model budget is used up, so this answer quotes the articles directly."
				}
			}
		}
	default:
		a = e.byIntent(p, passages)
	}
	a.Searched = p.shown
	a.Passages = passages
	if a.Abstained && a.Text == "" {
		a.Text = abstainIn(p.lang, p.shown)
	}
	if !a.Abstained && p.fixed != "" {
		a.Text = fmt.Sprintf(msg.correction, p.fixed) + " " + a.Text
	}
	if !a.Abstained && needsAsOf(p.asked) && !strings.HasPrefix(strings.ToLower(a.Text), "as of") {
		// The model is asked to say "as of" itself; quoted answers get it
		// here.
		a.Text = asOf(a.Citations) + a.Text
	}
	if a.Fallback == "" {
		// An answer quoted because the model failed is not kept: once the
		// model is back, the question deserves its written answer.
		e.cache.put(key, gen, a)
	}
	a.Retrieval, a.Generation = retrieval, generation
	return a, nil
}

// byIntent answers extractively in the way the question's intent asks,
// falling back to the sentences that hold its words when the intent's own
// answer finds nothing (no statement of the speaker, no denial).
func (e *Engine) byIntent(p plan, passages []knowledge.Passage) Answer {
	switch p.intent.kind {
	case intentOverview:
		return e.overview(p, passages)
	case intentWhoSaid:
		// A speaker the articles report nothing from has said nothing
		// that can be quoted: what others said of them is no answer.
		if a, ok := e.whoSaid(p, passages); ok {
			return a
		}
		// This is the who-said intent as issue 13 defines it
		// (statements attributed to X), not a threshold: measured on
		// SQuAD (bench -squad-answers), with it and without, stored
		// right 0.723 / 0.724 against 0.724 / 0.725 and withheld
		// abstained 0.867 / 0.868 against 0.867 / 0.866 (even / odd):
		// no measurable effect there, where few questions ask what
		// someone said.
		if namesSomeone(p.intent.subject) {
			return Answer{Abstained: true, Note: "no statement of " + p.intent.subject}
		}
		// "the company" may be named otherwise in the articles
		// ("Lowmere Valley Rail"): the sentences that hold the
		// question's words answer it.
	case intentBothSides:
		if a, ok := e.bothSides(p, passages); ok {
			return a
		}
	case intentYesNo:
		return e.yesNo(p, passages)
	}
	return e.extractive(p.asked, passages)
}

// namesSomeone reports whether a who-said subject holds a name, a word
// written with a capital, rather than only a role ("the company").
func namesSomeone(subject string) bool {
	for _, t := range text.Terms(subject) {
		if (t.Upper || t.Acro) && !t.Compound && t.IsContent() {
			return true
		}
	}
	return false
}

// promptQuestion is the question the model is given: as typed, with what
// the intent asks for and the language to answer in said plainly.
func (e *Engine) promptQuestion(p plan, typed string) string {
	var b strings.Builder
	b.WriteString(strings.TrimSpace(cleanMentions(typed)))
	switch p.intent.kind {
	case intentOverview:
		b.WriteString("\n(Give an overview of the story from the passages, newest first, naming each outlet and date.)")
	case intentWhoSaid:
		fmt.Fprintf(&b, "\n(Say what %s said, and who said each thing.)", p.intent.subject)
	case intentBothSides:
		b.WriteString("\n(Give each party's claims side by side, attributed, including any denial or dispute.)")
	case intentYesNo:
		b.WriteString("\n(Do not answer with a bare yes or no: lead with what the articles say, attributed.)")
	}
	if p.lang != text.English {
		fmt.Fprintf(&b, "\n(Answer in the language of the question (%s); keep quotations in the articles' language.)", p.lang)
	}
	return b.String()
}

var (
	// mentionSyntax matches a written handle (@alice, @here): the chat
	// adapters turn their platform's mention markup into these.
	mentionSyntax = regexp.MustCompile(`(?:^|\s)@[\pL\pN_.\-]{1,40}`)
	// ccLine matches a "cc" that only carried mentions.
	ccLine = regexp.MustCompile(`(?i)(?:^|[\s,;(])(?:cc|fyi|/cc)[:\s]*(?:[,;&\s]|and)*$`)
)

// cleanMentions removes other people's mentions from a question, and the
// "cc" that carried them, so a question is answered as if they were not
// there.
func cleanMentions(s string) string {
	s = mentionSyntax.ReplaceAllString(s, " ")
	s = strings.TrimSpace(s)
	s = ccLine.ReplaceAllString(s, "")
	return strings.Join(strings.Fields(s), " ")
}

// plan decides how a question is answered.
func (e *Engine) plan(ctx context.Context, q Question) plan {
	asked := cleanMentions(q.Text)
	if utf8.RuneCountInString(asked) > maxQuestionRunes {
		asked = string([]rune(asked)[:maxQuestionRunes])
	}
	p := plan{lang: text.DetectLanguage(asked), limit: e.passages}
	// A misspelt question word hides the intent ("waht did Iran say"):
	// it is mended first, and not shown, since it is not searched.
	if fixes := e.frameFixes(ctx, asked); len(fixes) > 0 {
		asked = mendFrame(asked, fixes)
		p.lang = text.DetectLanguage(asked)
	}
	// The intent is read as typed, then, if none was found, as corrected:
	// a correction must not turn "both sides" into "both sites".
	p.intent = parseIntent(asked)
	if fixes := e.corrections(ctx, asked); len(fixes) > 0 {
		corrected := applyCorrections(asked, fixes)
		if p.intent.kind == intentFact {
			p.intent = parseIntent(corrected)
		} else {
			p.intent.subject = applyCorrections(p.intent.subject, fixes)
		}
		var shown []string
		for _, f := range fixes {
			shown = append(shown, f.To)
		}
		asked, p.fixed = corrected, strings.Join(shown, ", ")
	}
	if p.lang != text.English {
		// The question word goes with the function words but tells the
		// extractor what kind of answer is wanted: it comes back in
		// English, which the search and the shown words leave out.
		wh := englishInterrogative(asked, p.lang)
		asked = dropForeignStopWords(asked, p.lang)
		if wh != "" {
			asked = wh + " " + asked
		}
	}
	p.asked = asked
	search := asked
	switch p.intent.kind {
	case intentWhoSaid:
		topic := p.intent.topic
		if topic != "" && isFollowUp(topic) && len(q.History) > 0 {
			topic = q.History[len(q.History)-1].Question
		}
		search = strings.TrimSpace(p.intent.subject + " " + topic)
		p.limit = max(p.limit, 2*e.passages)
	case intentBothSides, intentYesNo:
		// Both a dispute and a yes/no question are answered with what
		// each side says, and the denial is often further down.
		p.limit = max(p.limit, 2*e.passages)
	}
	if p.intent.kind != intentWhoSaid {
		search = standalone(search, q.History)
	}
	p.shown = readable(search)
	p.search = withCountryForms(search)
	if p.intent.kind == intentOverview && p.intent.subject == "" {
		p.search, p.shown = "", ""
	}
	return p
}

// interrogatives are the question words of the other languages, with the
// English words the extractor reads the kind of answer from.
var interrogatives = map[text.Language]map[string]string{
	text.Spanish: {
		"quién": "who", "quiénes": "who", "cuándo": "when", "dónde": "where", "adónde": "where",
		"cuántos": "how many", "cuántas": "how many", "cuánto": "how much", "cuánta": "how much",
		"por qué": "why",
	},
	text.French: {
		"qui": "who", "quand": "when", "où": "where", "combien": "how many", "pourquoi": "why",
	},
	text.German: {
		"wer": "who", "wem": "who", "wen": "who", "wann": "when", "wo": "where", "woher": "where",
		"wohin": "where", "wie viele": "how many", "wie viel": "how much", "warum": "why",
		"weshalb": "why", "wieso": "why",
	},
	text.Portuguese: {
		"quem": "who", "quando": "when", "onde": "where", "aonde": "where", "quantos": "how many",
		"quantas": "how many", "quanto": "how much", "quanta": "how much", "por que": "why",
		"por quê": "why",
	},
}

// englishInterrogative returns the English for the question word s opens
// with in lang ("quand" is "when", "wie viele" is "how many"), or "".
func englishInterrogative(s string, lang text.Language) string {
	ws := strings.Fields(strings.ToLower(s))
	for i := range ws {
		ws[i] = strings.Trim(ws[i], questionPunct)
	}
	for n := min(2, len(ws)); n >= 1; n-- {
		if en, ok := interrogatives[lang][strings.Join(ws[:n], " ")]; ok {
			return en
		}
	}
	return ""
}

// questionPunct is the punctuation around a question's words in the five
// languages, trimmed before a word is looked up.
const questionPunct = "¿?¡!.,;:\"«»()"

// dropForeignStopWords removes lang's function words from a question, so
// that its names and the words it shares with English find the paragraph.
func dropForeignStopWords(s string, lang text.Language) string {
	var keep []string
	for _, w := range strings.Fields(s) {
		core := strings.ToLower(strings.Trim(w, questionPunct+"'"))
		if i := strings.IndexAny(core, "'’"); i > 0 && i < len(core)-1 {
			// "l'Iran": the elided article goes, the word stays.
			if text.IsISOStopWord(lang, core[:i]) {
				w = strings.Trim(w, questionPunct)
				w = w[strings.IndexAny(w, "'’")+len("'"):]
				w = strings.TrimLeft(w, "'’\x80\x99")
				keep = append(keep, w)
				continue
			}
		}
		if core == "" || text.IsISOStopWord(lang, core) {
			continue
		}
		keep = append(keep, w)
	}
	if len(keep) == 0 {
		return s
	}
	return strings.Join(keep, " ")
}

// corrections returns, when the store can tell, the words of s that its
// vocabulary does not hold with their nearest stored word.
func (e *Engine) corrections(ctx context.Context, s string) []knowledge.Correction {
	c, ok := e.store.(corrector)
	if !ok {
		return nil
	}
	// A capitalized word in a question that uses capitals is a name:
	// a name the store has never seen is news it does not have, not a
	// typo of a stored word ("Luther" is not "Luthor"). A question typed
	// all in lower case gets its names corrected too ("micrsoft").
	cased := strings.ToLower(s) != s
	var ws []string
	for _, w := range words(s) {
		if r, _ := utf8.DecodeRuneInString(w); cased && unicode.IsUpper(r) {
			continue
		}
		ws = append(ws, w)
	}
	if len(ws) == 0 {
		return nil
	}
	fixes, err := c.Correct(ctx, ws)
	if err != nil {
		e.log.Debug("spelling correction failed", "err", err)
		return nil
	}
	var out []knowledge.Correction
	for _, f := range fixes {
		if f.To != "" && !strings.EqualFold(f.Word, f.To) {
			out = append(out, f)
		}
	}
	return out
}

// applyCorrections replaces each corrected word of s, as a whole word.
func applyCorrections(s string, fixes []knowledge.Correction) string {
	for _, f := range fixes {
		s = replaceWord(s, f.Word, f.To)
	}
	return s
}

// replaceWord replaces the whole word w in s by to.
func replaceWord(s, w, to string) string {
	re, err := regexp.Compile(`(?i)(^|[^\pL\pN])` + regexp.QuoteMeta(w) + `($|[^\pL\pN])`)
	if err != nil {
		return s
	}
	return re.ReplaceAllString(s, "${1}"+strings.ReplaceAll(to, "$", "$$")+"${2}")
}

// readable returns the words a search looks for, as a person reads them:
// the content words as typed, once each.
func readable(s string) string {
	var out []string
	seen := make(map[string]bool)
	for _, t := range text.Terms(s) {
		if t.Compound || !t.IsContent() || seen[t.Key] || isFollowUpStop(t.Lower) {
			continue
		}
		seen[t.Key] = true
		out = append(out, t.Word)
	}
	if len(out) == 0 {
		return strings.TrimSpace(s)
	}
	return strings.Join(out, " ")
}

// withCountryForms adds to a search the name of each country it names by
// another form: "Iranian" and "Tehran" also search for "Iran". Only the
// name is added: adding every form (capitals, other languages) lost 0.9
// points of recall@1 on a SQuAD sample, "French" searching for Paris.
func withCountryForms(s string) string {
	ts := text.Terms(s)
	seen := make(map[string]bool)
	var add []string
	low := " " + strings.ToLower(s) + " "
	for i, t := range ts {
		if t.Compound || !(t.Upper || t.Acro) {
			continue
		}
		c := countryOfTerms(ts[i:])
		if c == "" || seen[c] {
			continue
		}
		seen[c] = true
		if !strings.Contains(low, strings.ToLower(c)) {
			add = append(add, c)
		}
	}
	if len(add) == 0 {
		return s
	}
	return s + " " + strings.Join(add, " ")
}
