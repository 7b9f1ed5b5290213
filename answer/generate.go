package answer

import (
	"context"
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/byline-bot/byline/knowledge"
	"github.com/byline-bot/byline/llm"
	"github.com/byline-bot/byline/prompts"

	"github.com/byline-bot/byline/text"
)

// promptPassage is a passage as the answer prompt shows it.
type promptPassage struct {
	N         int
	Source    string
	Published string
	Title     string
	Text      string
}

// promptData is what the answer templates are rendered with.
type promptData struct {
	Abstain  string
	Today    string
	History  []Turn
	Passages []promptPassage
	Question string
}

// maxHistoryTurns is how many earlier turns the prompt repeats.
const maxHistoryTurns = 3

// buildPrompt renders the prompt for a question and returns it with the
// passages that fit the token budget, best first: those are the passages
// the model's [n] markers refer to.
func (e *Engine) buildPrompt(question string, history []Turn, passages []knowledge.Passage) ([]llm.Message, []knowledge.Passage, error) {
	var (
		included []knowledge.Passage
		used     int
	)
	for _, p := range passages {
		cost := e.counter.Count(p.Text) + e.counter.Count(p.Title+p.Source) + 16
		if len(included) > 0 && used+cost > e.passageTokens {
			break
		}
		included = append(included, p)
		used += cost
	}
	data := promptData{
		Abstain: AbstainText,
		Today:   e.now().UTC().Format("Monday, 2 January 2006"),
		// A 20 kB question would crowd out the passages; its first 1,000
		// characters say what it asks.
		Question: quoted(clip(question, 1000)),
	}
	if len(history) > maxHistoryTurns {
		history = history[len(history)-maxHistoryTurns:]
	}
	for _, t := range history {
		data.History = append(data.History, Turn{Question: quoted(clip(t.Question, 500)), Answer: quoted(clip(strings.TrimSpace(stripMarkers(t.Answer)), 800))})
	}
	for i, p := range included {
		pub := "unknown"
		if !p.Published.IsZero() {
			pub = p.Published.UTC().Format("2006-01-02")
		}
		text := p.Text
		if i == 0 {
			// The best passage always goes in, but a paragraph longer than
			// the whole budget (a text with no blank lines) is cut to it,
			// at a sentence end.
			text = clipToSentence(text, e.passageTokens*4)
		}
		data.Passages = append(data.Passages, promptPassage{
			N: i + 1, Source: attr(p.Source), Published: pub, Title: attr(p.Title), Text: quoted(text),
		})
	}
	sys, err := e.prompts.Render(prompts.AnswerSystem, data)
	if err != nil {
		return nil, nil, err
	}
	user, err := e.prompts.Render(prompts.AnswerUser, data)
	if err != nil {
		return nil, nil, err
	}
	return []llm.Message{{Role: "system", Content: sys}, {Role: "user", Content: user}}, included, nil
}

// clipToSentence cuts s to at most max bytes, at the last sentence end
// before it when there is one, and marks the cut.
func clipToSentence(s string, max int) string {
	if len(s) <= max {
		return s
	}
	cut := s[:max]
	for !utf8.ValidString(cut) {
		cut = cut[:len(cut)-1]
	}
	if spans := text.Sentences(cut); len(spans) > 1 {
		cut = cut[:spans[len(spans)-2].End]
	}
	return strings.TrimSpace(cut) + " …"
}

// quoted makes untrusted text safe to place between the prompt's passage
// tags: it cannot close a passage or open a new one.
func quoted(s string) string {
	return passageTag.ReplaceAllStringFunc(s, func(m string) string {
		return strings.NewReplacer("<", "‹", ">", "›").Replace(m)
	})
}

var passageTag = regexp.MustCompile(`(?i)</?\s*passage[^>]*>?`)

// attr makes untrusted text safe inside a double-quoted tag attribute.
func attr(s string) string {
	return strings.NewReplacer(`"`, "'", "\n", " ", "<", "‹", ">", "›").Replace(s)
}

// generate has the language model write the answer and verifies it.
func (e *Engine) generate(ctx context.Context, question string, q Question, passages []knowledge.Passage) (Answer, error) {
	msgs, included, err := e.buildPrompt(question, q.History, passages)
	if err != nil {
		return Answer{}, err
	}
	req := llm.Request{Messages: msgs, MaxTokens: e.maxAnswer}
	ctx, cancel := context.WithTimeout(ctx, e.llmTimeout)
	defer cancel()
	var resp llm.Response
	if q.OnPartial != nil {
		allowed := urlsOf(included)
		var sofar strings.Builder
		resp, err = e.llm.Stream(ctx, req, func(delta string) {
			sofar.WriteString(delta)
			q.OnPartial(sanitize(stripMarkers(settled(sofar.String())), allowed))
		})
	} else {
		resp, err = e.llm.Complete(ctx, req)
	}
	if err != nil {
		return Answer{}, err
	}
	a := verify(resp.Text, included)
	a.Model = resp.Model
	a.PromptTokens = resp.PromptTokens
	a.CompletionTokens = resp.CompletionTokens
	return a, nil
}

// marker matches a citation marker: [1], [1, 3], [1;3], [^2].
var marker = regexp.MustCompile(`\[\^?\s*(\d+(?:\s*[,;]\s*\^?\d+)*)\s*\]`)

// stripMarkers removes every citation marker from s, until none is left:
// removing "[0]" from "[1[0]0]" would otherwise leave a new "[10]".
func stripMarkers(s string) string {
	for {
		t := marker.ReplaceAllString(s, "")
		if t == s {
			return s
		}
		s = t
	}
}

// verify checks a model's answer against the passages it was given: each
// marker must name one of them and the passage must share a content word
// with the sentence, each sentence must carry at least one such marker
// (sentences without are dropped), and citations are renumbered in
// order of first use with the sentence of the paragraph that supports the
// claim. Links to anywhere but a cited source and anything that would ping
// people are removed. An answer left with no valid citation is an
// abstention.
func verify(reply string, passages []knowledge.Passage) Answer {
	var (
		cites citations
		kept  []string
	)
	// Each line on its own: a bullet without a full stop must not ride
	// on the next line's citation.
	var sentences []string
	for _, line := range strings.Split(reply, "\n") {
		line = strings.Join(strings.Fields(bullet.ReplaceAllString(line, "")), " ")
		for _, sp := range text.Sentences(line) {
			sentences = append(sentences, line[sp.Start:sp.End])
		}
	}
	ev := newEvidence(passages)
	for _, sentence := range sentences {
		var ns []int
		for _, m := range marker.FindAllStringSubmatch(sentence, -1) {
			for _, f := range strings.FieldsFunc(m[1], func(r rune) bool { return r == ',' || r == ';' || r == ' ' || r == '^' }) {
				n, err := strconv.Atoi(f)
				if err == nil && n >= 1 && n <= len(passages) {
					ns = append(ns, n)
				}
			}
		}
		claim := strings.TrimSpace(strings.Join(strings.Fields(stripMarkers(sentence)), " "))
		claim = strings.TrimSpace(strings.ReplaceAll(claim, " .", "."))
		if len(ns) == 0 || claim == "" || claim == "." {
			continue
		}
		// A citation holds only where the passage shares at least one
		// content word with the claim: a sentence an article planted, or
		// a model made up and pinned to a real passage, is dropped with
		// its marker.
		var grounded []int
		quotes := make(map[int]string)
		for _, n := range ns {
			if shares(claim, passages[n-1].Text) {
				grounded = append(grounded, n)
				quotes[n], _ = supportingSentence(claim, passages[n-1].Text)
			}
		}
		if len(grounded) == 0 {
			continue
		}
		// And the claim must say what the passages say: its facts, names,
		// speakers and negations (see faithful.go).
		var cited []int
		for _, n := range grounded {
			cited = append(cited, n-1)
		}
		if ok, _ := ev.holds(factText(claim), cited); !ok {
			continue
		}
		var b strings.Builder
		b.WriteString(claim)
		b.WriteByte(' ')
		done := make(map[int]bool)
		for _, n := range grounded {
			c := cites.number(passages[n-1], quotes[n])
			if done[c] {
				continue
			}
			done[c] = true
			b.WriteString("[" + strconv.Itoa(c) + "]")
		}
		kept = append(kept, b.String())
	}
	if len(kept) == 0 {
		return Answer{Abstained: true}
	}
	var urls []string
	for _, c := range cites.list {
		if c.URL != "" {
			urls = append(urls, c.URL)
		}
	}
	return Answer{Text: sanitize(strings.Join(kept, " "), urls), Citations: cites.list}
}

// factText is a claim without what carries no fact to check: pings, and
// links (a Markdown link keeps its text).
func factText(claim string) string {
	s := removePings(claim)
	s = markdownLink.ReplaceAllString(s, "$1")
	return bareURL.ReplaceAllString(s, "")
}

// settled is streamed text without its unfinished end: a marker or
// mention still being written ("[1,", "<@U") or a word that may become a
// ping ("@every"), which would show raw until the next update.
func settled(s string) string {
	for _, open := range []string{"[", "<"} {
		if i := strings.LastIndex(s, open); i >= 0 && !strings.ContainsAny(s[i:], "]>") {
			s = s[:i]
		}
	}
	if i := strings.LastIndexAny(s, " \n"); strings.ContainsAny(s[i+1:], "@＠") {
		s = s[:i+1]
	}
	return strings.NewReplacer(" .", ".", " ,", ",").Replace(s)
}

// bullet matches a list item's marker at the start of a line.
var bullet = regexp.MustCompile(`^\s*(?:[-*•]|\d{1,2}[.)])\s+`)

// number matches a figure in a claim: 5, 2.4, 1,200, 2026; not the
// digits of a code such as Q3 or G7 (its first submatch).
var number = regexp.MustCompile(`(?:^|[^\pL\d])(\d+(?:[.,]\d+)*)`)

// minClaimCoverage is the least share of a sentence's content words its
// cited passages must hold, and minHeadlineCoverage of a digest headline's
// in its story's openings. Half, not all: a model paraphrases.
const (
	minClaimCoverage    = 0.5
	minHeadlineCoverage = 0.6
)

// factsHold reports whether the passages a claim cites back its facts:
// every number in it, every name (a capitalised word after the first),
// and at least minCov of its content words, found in the passages'
// text, titles, outlets or publication dates (a model says "as of" the
// date of the newest).
func factsHold(claim string, ps []knowledge.Passage, minCov float64) bool {
	var b strings.Builder
	for _, p := range ps {
		b.WriteString(p.Text + " " + p.Title + " " + p.Source + " ")
		if !p.Published.IsZero() {
			b.WriteString(p.Published.Format("2 January 2006 Jan 2006-01-02") + " ")
		}
	}
	support := b.String()
	lower := strings.ToLower(support)
	digits := strings.NewReplacer(",", "").Replace(support)
	for _, m := range number.FindAllStringSubmatch(claim, -1) {
		n := m[1]
		if !strings.Contains(support, n) && !strings.Contains(digits, strings.ReplaceAll(n, ",", "")) {
			return false
		}
	}
	for i, w := range strings.Fields(claim) {
		w = strings.Trim(w, ".,;:!?\"'“”‘’()[]")
		r := []rune(w)
		if i == 0 || len(r) < 2 || !unicode.IsUpper(r[0]) || !unicode.IsLower(r[1]) {
			continue
		}
		w = strings.TrimSuffix(strings.TrimSuffix(w, "'s"), "’s")
		if !strings.Contains(lower, strings.ToLower(w)) {
			return false
		}
	}
	return coverage(claim, support) >= minCov
}

func urlsOf(ps []knowledge.Passage) []string {
	var out []string
	for _, p := range ps {
		if p.URL != "" {
			out = append(out, p.URL)
		}
	}
	return out
}
