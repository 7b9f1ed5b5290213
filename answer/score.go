package answer

import (
	"fmt"
	"math"
	"sort"

	"github.com/byline-bot/byline/cite"
	"github.com/byline-bot/byline/knowledge"
	"github.com/byline-bot/byline/text"
)

// Trace is what the extractor saw and weighed for one question, for fitting
// its model (`go run ./bench -fit`) and for explaining an answer. It is
// filled only when Options.Trace is set.
type Trace struct {
	// Candidates are the sentences weighed, in passage order.
	Candidates []TraceCandidate
	// Abstain holds the abstention model's features (AbstainFeatures) for
	// the best answer found, and Probability its probability that the
	// answer is worth giving.
	Abstain     []float64
	Probability float64
}

// TraceCandidate is one sentence the extractor weighed.
type TraceCandidate struct {
	Ref      string // the paragraph's id, "article#n"
	Text     string
	Features []float64 // SentenceFeatures
	Score    float64   // the sentence model's probability
}

// candidate is one sentence of a retrieved passage with its features.
type candidate struct {
	*sentence
	f     []float64
	prob  float64
	cue   bool
	cover float64
}

// extractMaxPicks is the most sentences an extractive answer quotes.
const extractMaxPicks = 3

// The further sentences of an answer must be nearly as likely as the first:
// at least extraRatio of its probability and extraFloor in all. These are a
// choice of how much to say, not fitted: more sentences can only find more
// gold answers, but a reader wants the answer, not the article.
const (
	extraRatio = 0.3
	extraFloor = 0.1
)

// extract picks the sentences of the passages that answer question, best
// first, or abstains, with the default model.
func extract(question string, passages []knowledge.Passage) extraction {
	return extractWith(DefaultModel(), question, passages, false, nil)
}

// extractWith scores every sentence of the passages with the model's
// sentence weights, takes the most likely one and up to two more nearly as
// likely from other paragraphs, and then asks the abstention model whether
// the answer is worth giving. With never set it does not abstain by the
// model (only when nothing can be said at all), for fitting. trace, when
// not nil, receives the features.
func extractWith(m Model, question string, passages []knowledge.Passage, never bool, trace *Trace) extraction {
	q := parseQuestion(question)
	if len(passages) == 0 {
		return extraction{abstain: true, reason: "no passages"}
	}
	if len(q.terms) == 0 {
		return extraction{abstain: true, reason: "the question has no content words"}
	}
	var (
		sents  []*sentence
		paras  = make([][]*sentence, len(passages))
		titles = make([]*sentence, len(passages))
	)
	for i, p := range passages {
		for _, sp := range text.Sentences(p.Text) {
			s := newSentence(i, p.Text[sp.Start:sp.End], len(sents))
			sents = append(sents, s)
			paras[i] = append(paras[i], s)
		}
		titles[i] = newSentence(i, p.Title, -1)
	}
	if len(sents) == 0 {
		return extraction{abstain: true, reason: "the passages are empty"}
	}

	// Weigh each question word by its IDF among the sentences.
	weights := make([]float64, len(q.terms))
	var total, missing float64
	n := float64(len(sents))
	proper, properFound := 0, 0
	for i, t := range q.terms {
		df := 0
		for _, s := range sents {
			if s.Has(t) {
				df++
			}
		}
		weights[i] = 1 + math.Log(1+(n-float64(df)+0.5)/(float64(df)+0.5))
		total += weights[i]
		if df == 0 && t.Class == cite.ClassNone && !anyHas(titles, t) {
			missing += weights[i]
		}
		if t.Proper {
			proper++
			if df > 0 || anyHas(titles, t) {
				properFound++
			}
		}
	}
	pairs := questionPairs(q)

	top := passages[0].Score
	cands := make([]candidate, 0, len(sents))
	bestInPara := make(map[int]int) // passage -> index into cands of its best-covering sentence
	for _, s := range sents {
		var covS, covSoft, covP, covT, names float64
		for i, t := range q.terms {
			w := weights[i]
			inS := s.Has(t)
			if inS {
				covS += w
				covSoft += w
				if t.Proper {
					names++
				}
			} else if t.Class != cite.ClassNone && (s.AnswersInKind(t.Class) || (t.Class == cite.ClassMeta && s.Credit)) {
				covSoft += 0.7 * w
			}
			if inS || anyHas(paras[s.passage], t) {
				covP += w
			}
			if titles[s.passage].Has(t) {
				covT += w
			}
		}
		novel := 0
		for k := range s.Keys {
			if !q.keys[k] {
				novel++
			}
		}
		// Passages whose search gave no scores count as equally
		// relevant.
		rel := 1.0
		if top > 0 {
			rel = max(0, min(1, passages[s.passage].Score/top))
		}
		c := candidate{sentence: s, cue: hasCue(s, q), cover: covS / total}
		c.f = []float64{
			1,
			covS / total,
			covP / total,
			covT / total,
			1 / float64(1+s.passage),
			rel,
			b2f(c.cue),
			ratioOf(novel, len(s.Keys)),
			pairShare(pairs, s),
			b2f(len(paras[s.passage]) > 0 && paras[s.passage][0] == s),
			math.Log1p(float64(len(s.Keys))),
			b2f(len(s.Keys) < minContentWords && !s.Credit),
			namesShare(names, proper, covS/total),
			0, // best_of_paragraph, below
			covSoft / total,
		}
		if j, ok := bestInPara[s.passage]; !ok || c.cover > cands[j].cover {
			bestInPara[s.passage] = len(cands)
		}
		cands = append(cands, c)
	}
	for _, j := range bestInPara {
		cands[j].f[13] = 1
	}
	for i := range cands {
		cands[i].prob = sigmoid(dot(m.Sentence, cands[i].f))
	}
	if trace != nil {
		for _, c := range cands {
			trace.Candidates = append(trace.Candidates, TraceCandidate{
				Ref: passages[c.passage].Ref(), Text: c.text, Features: c.f, Score: c.prob,
			})
		}
	}
	// Only a sentence that holds a word of the question can answer it.
	var order []int
	for i, c := range cands {
		if c.cover > 0 {
			order = append(order, i)
		}
	}
	if len(order) == 0 {
		return extraction{abstain: true, reason: "no sentence holds a word of the question"}
	}
	sort.SliceStable(order, func(i, j int) bool {
		a, b := cands[order[i]], cands[order[j]]
		if a.prob != b.prob {
			return a.prob > b.prob
		}
		return a.order < b.order
	})
	best := cands[order[0]]
	second := 0.0
	if len(order) > 1 {
		second = cands[order[1]].prob
	}
	gap := 0.0
	if len(passages) > 1 && top > 0 {
		gap = max(0, min(1, (top-passages[1].Score)/top))
	}
	// How far the best passage stands above the rest of the retrieval:
	// a scale-free stand-in for the score itself, which grows with the
	// size of the store.
	spread := 0.0
	if top > 0 && len(passages) > 1 {
		var sum float64
		for _, p := range passages {
			sum += p.Score
		}
		spread = top / (sum / float64(len(passages)))
	}
	af := []float64{
		1,
		best.prob,
		second,
		best.cover,
		best.f[2],
		missing / total,
		gap,
		math.Log1p(float64(len(q.terms))),
		namesShare(float64(properFound), proper, 1),
		b2f(best.cue),
		b2f(q.kind == kindAny || q.kind == kindName || q.kind == kindReason),
		spread,
		0, 0, 0, 0, // the re-ranker's match, below
	}
	if mt := passages[0].Match; mt != nil {
		af[12], af[13], af[14] = mt.Coverage, mt.Missing, mt.Fit
	}
	if mt := passages[best.passage].Match; mt != nil {
		af[15] = mt.Coverage
	}
	p := m.AnswerProbability(af)
	if trace != nil {
		trace.Abstain, trace.Probability = af, p
	}
	if !never && p < m.Threshold {
		return extraction{abstain: true, reason: fmt.Sprintf("the best answer is worth giving with probability %.2f (needs %.2f)", p, m.Threshold)}
	}
	picks := chooseModel(cands, order)
	if (q.kind == kindNumber || q.kind == kindQuantity) && !never {
		// "How many emails?" is not answered by a sentence without a
		// number in it. Measured on SQuAD (bench -squad-answers), with
		// it and without: odd half 0.724 / 0.868 against 0.725 / 0.864,
		// even half 0.723 / 0.867 against 0.725 / 0.866 (stored right /
		// withheld abstained): on the tuning half it is worth 0.3 points
		// of the two rates together, and it keeps the paraphrase set's
		// "How many emails did Politico receive?" from being answered.
		has := false
		for _, pk := range picks {
			for _, c := range cands {
				if c.text == pk.text && c.passage == pk.passage && c.cue {
					has = true
				}
			}
		}
		if !has {
			return extraction{abstain: true, reason: "no sentence gives the number asked for"}
		}
	}
	return extraction{picks: picks}
}

// chooseModel takes the most likely sentence and up to two more nearly as
// likely, from paragraphs not yet quoted first, skipping near repeats (the
// same wire copy in two articles). A sentence that denies or disputes
// something needs only to reach the floor: when sources disagree, the
// answer quotes both sides.
func chooseModel(cands []candidate, order []int) []pick {
	best := cands[order[0]]
	chosen := []candidate{best}
	usedPara := map[int]bool{best.passage: true}
	for _, sameParagraph := range []bool{false, true} {
		for _, i := range order[1:] {
			if len(chosen) == extractMaxPicks {
				break
			}
			c := cands[i]
			floor := max(extraFloor, extraRatio*best.prob)
			if c.Denies() {
				floor = extraFloor
			}
			if c.prob < floor || c.cover == 0 || usedPara[c.passage] != sameParagraph {
				continue
			}
			if chosenHas(chosen, c) || repeatsAny(chosen, c) {
				continue
			}
			chosen = append(chosen, c)
			usedPara[c.passage] = true
		}
	}
	picks := make([]pick, len(chosen))
	for i, c := range chosen {
		picks[i] = pick{passage: c.passage, text: c.text, score: c.prob}
	}
	return picks
}

func chosenHas(chosen []candidate, c candidate) bool {
	for _, h := range chosen {
		if h.sentence == c.sentence {
			return true
		}
	}
	return false
}

// repeatsAny reports whether c says nearly what a chosen sentence says:
// most of their content words are shared.
func repeatsAny(chosen []candidate, c candidate) bool {
	for _, h := range chosen {
		shared := 0
		for k := range c.Keys {
			if h.Keys[k] {
				shared++
			}
		}
		union := len(c.Keys) + len(h.Keys) - shared
		if union > 0 && float64(shared)/float64(union) >= 0.8 {
			return true
		}
	}
	return false
}

// questionPairs returns the question's neighbouring content words, as key
// pairs.
func questionPairs(q question) [][2]string {
	var out [][2]string
	for i := 1; i < len(q.terms); i++ {
		out = append(out, [2]string{q.terms[i-1].Key, q.terms[i].Key})
	}
	return out
}

// pairShare is the share of pairs whose two words stand within three words
// of each other in s, in either order.
func pairShare(pairs [][2]string, s *sentence) float64 {
	if len(pairs) == 0 {
		return 0
	}
	pos := make(map[string][]int)
	for i, t := range s.terms {
		pos[t.Key] = append(pos[t.Key], i)
	}
	found := 0
	for _, p := range pairs {
		if near(pos[p[0]], pos[p[1]], 3) {
			found++
		}
	}
	return float64(found) / float64(len(pairs))
}

func near(a, b []int, d int) bool {
	for _, x := range a {
		for _, y := range b {
			if x != y && x-y <= d && y-x <= d {
				return true
			}
		}
	}
	return false
}

func namesShare(found float64, of int, otherwise float64) float64 {
	if of == 0 {
		return otherwise
	}
	return found / float64(of)
}

func ratioOf(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
