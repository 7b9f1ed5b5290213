package cite

import (
	"regexp"
	"strconv"
	"strings"
	"unicode"

	"github.com/byline-bot/byline/knowledge"
	"github.com/byline-bot/byline/text"
)

// Verify checks a model's text against the passages it was given: each
// marker must name one of them and the passage must share a content word
// with the sentence, each sentence must carry at least one such marker
// (sentences without are dropped), and the sentence must say what its
// passages say (see faithful.go). The sentences kept are returned with
// their citations renumbered in order of first use, each citation with
// the sentence of the paragraph that supports the claim, and the text
// sanitized (links to anywhere but a cited source removed). No citation
// means nothing held: the text is then "".
func Verify(reply string, passages []knowledge.Passage) (string, []Citation) {
	var (
		cites List
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
		claim := strings.TrimSpace(strings.Join(strings.Fields(StripMarkers(sentence)), " "))
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
			if Shares(claim, passages[n-1].Text) {
				grounded = append(grounded, n)
				quotes[n], _ = SupportingSentence(claim, passages[n-1].Text)
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
		if ok, _ := ev.holds(FactText(claim), cited); !ok {
			continue
		}
		var b strings.Builder
		b.WriteString(claim)
		b.WriteByte(' ')
		done := make(map[int]bool)
		for _, n := range grounded {
			c := cites.Number(passages[n-1], quotes[n])
			if done[c] {
				continue
			}
			done[c] = true
			b.WriteString("[" + strconv.Itoa(c) + "]")
		}
		kept = append(kept, b.String())
	}
	if len(kept) == 0 {
		return "", nil
	}
	var urls []string
	for _, c := range cites.Citations() {
		if c.URL != "" {
			urls = append(urls, c.URL)
		}
	}
	return Sanitize(strings.Join(kept, " "), urls), cites.Citations()
}

// FactText is a claim without what carries no fact to check: markup in
// angle brackets (a mention, whatever its platform) and links (a Markdown
// link keeps its text).
func FactText(claim string) string {
	s := angleMarkup.ReplaceAllString(claim, "")
	s = markdownLink.ReplaceAllString(s, "$1")
	return bareURL.ReplaceAllString(s, "")
}

// angleMarkup matches a tag in angle brackets without spaces, the shape
// chat platforms write mentions in: <@123>, <!here>, <#C1|news>.
var angleMarkup = regexp.MustCompile(`<[^<>\s]*>`)

// bullet matches a list item's marker at the start of a line.
var bullet = regexp.MustCompile(`^\s*(?:[-*•]|\d{1,2}[.)])\s+`)

// number matches a figure in a claim: 5, 2.4, 1,200, 2026; not the
// digits of a code such as Q3 or G7 (its first submatch).
var number = regexp.MustCompile(`(?:^|[^\pL\d])(\d+(?:[.,]\d+)*)`)

// minClaimCoverage is the least share of a sentence's content words its
// cited passages must hold. Half, not all: a model paraphrases.
const minClaimCoverage = 0.5

// FactsHold reports whether the passages a claim cites back its facts:
// every number in it, every name (a capitalised word after the first),
// and at least minCov of its content words, found in the passages'
// text, titles, outlets or publication dates (a model says "as of" the
// date of the newest).
func FactsHold(claim string, ps []knowledge.Passage, minCov float64) bool {
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
	return Coverage(claim, support) >= minCov
}

// Shares reports whether paragraph contains at least one of claim's
// content words (stemmed), the least a cited passage must have in common
// with the sentence citing it.
func Shares(claim, paragraph string) bool {
	terms := TermsOf(text.Terms(claim))
	if len(terms) == 0 {
		return false
	}
	w := WordsOf(paragraph, text.Terms(paragraph))
	for _, t := range terms {
		if w.Has(t) {
			return true
		}
	}
	return false
}

// Coverage is the share of claim's content words (stemmed) found in s.
func Coverage(claim, s string) float64 {
	return share(TermsOf(text.Terms(claim)), WordsOf(s, text.Terms(s)))
}

// share is the share of terms that w has; 0 when there are none.
func share(terms []Term, w Words) float64 {
	if len(terms) == 0 {
		return 0
	}
	found := 0
	for _, t := range terms {
		if w.Has(t) {
			found++
		}
	}
	return float64(found) / float64(len(terms))
}

// The credit a sentence gets for a claim's word: the word itself, or a
// word of its class ("said" for "describe").
const (
	creditSentence = 1.0
	creditClass    = 0.7
)

// SupportingSentence returns the sentence of paragraph that best supports
// claim, verbatim, and how well: the share of the claim's content words
// (IDF-free) found in it, a word answered in kind counting part (see
// Class). Ties go to the earlier sentence. A claim with no content words
// is supported by nothing: the first sentence is returned with 0.
func SupportingSentence(claim, paragraph string) (string, float64) {
	spans := text.Sentences(paragraph)
	if len(spans) == 0 {
		return "", 0
	}
	terms := TermsOf(text.Terms(claim))
	var (
		best      = paragraph[spans[0].Start:spans[0].End]
		bestScore = 0.0
	)
	if len(terms) == 0 {
		return best, 0
	}
	for _, sp := range spans {
		s := paragraph[sp.Start:sp.End]
		w := WordsOf(s, text.Terms(s))
		var got float64
		for _, t := range terms {
			switch {
			case w.Has(t):
				got += creditSentence
			case t.Class != ClassNone && w.AnswersInKind(t.Class):
				got += creditClass
			}
		}
		if share := got / float64(len(terms)); share > bestScore {
			best, bestScore = s, share
		}
	}
	return best, bestScore
}
