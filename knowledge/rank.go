package knowledge

import (
	txt "github.com/byline-bot/byline/text"
	"slices"
	"sort"
)

// Measure gives each candidate the first stage found, in Go, statistics of
// how well and how closely together it holds the question's words: where
// each word is, and three lexical scores. A question is usually answered
// by one sentence that restates much of it, while bm25 alone rewards a
// paragraph for holding the words anywhere. Store.Search orders by the sum
// of the three scores; package search weighs them with features of its
// own. For a paragraph p and question words t with inverse document
// frequencies idf(t), the three scores, all in idf units, are:
//
//   - bm25(p) over all the question's words, common ones included, with
//     FTS5's k1 and b; a word in the article's title counts titleWeight
//     times, and len(p) includes the title;
//   - the term-proximity score of Büttcher, Clarke and Lushman (SIGIR
//     2006): walking p's occurrences of question words in order, each
//     pair of neighbouring occurrences of different words a and b, d
//     tokens apart, adds idf(b)/d² to acc(a) and idf(a)/d² to acc(b); p
//     gains Σ min(1, idf(t))·acc(t)·(k1+1)/(acc(t)+K), where K =
//     k1·(1−b+b·len(p)/avglen) as in bm25;
//   - the idf mass of the densest window: the largest sum of idf(t) over
//     the distinct question words found within windowTokens consecutive
//     tokens (about a sentence) or in the article's title, which is the
//     context of every sentence of the article: "How long was the Super
//     Bowl 50 halftime show?" is answered by a paragraph of "Super Bowl
//     50" that speaks of "the halftime show".
//
// Words are compared by their key (text.Key: the English Porter2 stem of
// the word's lemma, with the text package's few synonym groups folded to
// their head), so "invented" finds "invention", "won" finds "win" and
// "started" finds "began"; only the re-ranker's own consistency matters, not agreement
// with FTS5's Porter stemmer. idf comes from the store's capped document
// frequencies (see Store.plan), and avglen is the candidates' mean length,
// not the store's, which only the whole index knows.
//
// Two choices were tuned by hand, on the odd-numbered questions of SQuAD
// v1.1 dev, with a harness that was not kept: adding the parts unweighted
// and windowTokens. Package search now weighs these scores with fitted
// weights (go run ./bench -fit-rank), which is what bench/RESULTS.md
// measures.

const (
	// bm25K1 and bm25B are FTS5's bm25 constants, reused so that the
	// proximity part saturates the way bm25's term frequencies do.
	bm25K1 = 1.2
	bm25B  = 0.75
	// windowTokens is the width, in tokens, of the densest-window part.
	windowTokens = 20
)

// Term is one content word of a question, as the statistics match it.
type Term struct {
	// Word is folded as the index folds it.
	Word string
	// Stem is its key (see stem), for matching other forms.
	Stem string
	// IDF is bm25's idf, from the word's capped document frequency.
	IDF float64
	// Cue marks a word that may mark the answer without being asked for
	// (see CandidateQuery.Cues).
	Cue bool
}

// stem returns the form the re-ranker compares words by: the text
// package's key, one home for how Byline folds a word's forms. Against the
// plain stem it found the answering paragraph first for a few more of
// SQuAD's odd-numbered dev questions (see bench/RESULTS.md).
func stem(word string) string {
	return txt.Key(word)
}

// titleWeight is how much a question word in the title counts against one
// in the paragraph, in bm25; the first stage's FTS5 bm25 uses it too.
const titleWeight = 1.5

// Candidate is a paragraph found for a question, with the statistics a
// re-ranker reads. The three scores are in idf units (see the top of this
// file); Store.Search orders by their sum.
type Candidate struct {
	Passage
	// Hits are the occurrences of the question's terms in the paragraph,
	// in order.
	Hits []Hit
	// TitleTF counts, per term, its occurrences in the article's title.
	TitleTF []int
	// Numbers are the positions of the paragraph's tokens that start
	// with a digit, in order.
	Numbers []int
	// Names are the positions of the paragraph's capitalized tokens that
	// are neither stop words nor forms of a term: the names a "who"
	// question may be answered with.
	Names []int
	// Near are the paragraph's tokens that are no form of a term by stem
	// but share its first nearPrefix bytes ("German" for "Germany",
	// "invasion" for "invade"), in order.
	Near []Hit
	// Related are the paragraph's tokens that are neither a form of a
	// term nor near one but related to one in meaning (text.Related:
	// "selected" for "pick"), in order.
	Related []Hit
	// Len and TitleLen are the paragraph's and the title's lengths in
	// tokens.
	Len, TitleLen int
	// Rank is the candidate's 1-based place in the order its source found
	// it; zero when it was not found by the store.
	Rank int
	// FTS is FTS5's bm25 (negated, higher is better) for the candidates
	// the store's ranked query found, zero for the others.
	FTS float64
	// BM25 is bm25 over all the question's terms with the title's
	// occurrences weighted, Proximity Büttcher's term-proximity score, and
	// Window the idf mass of the densest window.
	BM25, Proximity, Window float64
}

// Measure returns the statistics of passages for terms, in the passages'
// order. Any passages will do, from the store or from another source;
// bm25's average length is theirs.
func Measure(terms []Term, passages []Passage) []Candidate {
	if len(passages) == 0 {
		return nil
	}
	type title struct {
		n  int
		tf []int
	}
	var (
		m      = newMatcher(terms)
		cands  = make([]Candidate, len(passages))
		titles = make(map[string]title)
	)
	for i, p := range passages {
		t, ok := titles[p.Title]
		if !ok {
			h, n := m.hits(p.Title)
			t = title{n: n, tf: make([]int, len(terms))}
			for _, x := range h {
				t.tf[x.Term]++
			}
			titles[p.Title] = t
		}
		h, n := m.hits(p.Text)
		nums, names, near, related := m.extras(p.Text)
		cands[i] = Candidate{Passage: p, Hits: h, TitleTF: t.tf, Numbers: nums, Names: names, Near: near, Related: related, Len: n, TitleLen: t.n}
	}
	Rescore(terms, cands)
	return cands
}

// Rescore sets the candidates' three lexical scores from their statistics
// for terms, whose IDF may differ from those they were measured with: a
// re-ranker weighs the words by how rare they are among the candidates
// with it. bm25's average length is the candidates'.
func Rescore(terms []Term, cands []Candidate) {
	if len(cands) == 0 {
		return
	}
	var sumDL int
	for _, c := range cands {
		sumDL += c.Len + c.TitleLen
	}
	avgdl := max(1, float64(sumDL)/float64(len(cands)))
	var (
		acc   = make([]float64, len(terms))
		count = make([]int, len(terms))
		tf    = make([]float64, len(terms))
	)
	for i := range cands {
		c := &cands[i]
		K := bm25K1 * (1 - bm25B + bm25B*float64(c.Len+c.TitleLen)/avgdl)
		for t := range tf {
			tf[t] = titleWeight * float64(c.TitleTF[t])
		}
		for _, h := range c.Hits {
			tf[h.Term]++
		}
		c.BM25 = bm25(tf, terms, K)
		c.Proximity = proximity(c.Hits, terms, K, acc)
		c.Window = densestWindow(c.Hits, terms, windowTokens, c.TitleTF, count)
	}
}

// rank sets each candidate's Score to the sum of its three lexical scores
// and orders the candidates best first; ties keep the order they came in.
func rank(cands []Candidate) {
	for i := range cands {
		c := &cands[i]
		c.Score = c.BM25 + c.Proximity + c.Window
	}
	sort.SliceStable(cands, func(i, j int) bool { return cands[i].Score > cands[j].Score })
}

// bm25 returns the Okapi BM25 score of a paragraph with term frequencies tf
// (title occurrences weighted) and length factor K.
func bm25(tf []float64, terms []Term, K float64) float64 {
	var score float64
	for t, f := range tf {
		if f > 0 {
			score += terms[t].IDF * f * (bm25K1 + 1) / (f + K)
		}
	}
	return score
}

// Hit is one occurrence of a question word in a paragraph: its position in
// tokens and the index of the word in the question's terms.
type Hit struct {
	Pos, Term int
}

// proximity returns Büttcher's term-proximity score of one paragraph's
// hits, in order of position, with bm25's length factor K. acc is scratch
// space, one per term.
func proximity(hits []Hit, terms []Term, K float64, acc []float64) float64 {
	clear(acc)
	for i := 1; i < len(hits); i++ {
		a, b := hits[i-1], hits[i]
		if a.Term == b.Term {
			continue
		}
		d := float64(b.Pos - a.Pos)
		acc[a.Term] += terms[b.Term].IDF / (d * d)
		acc[b.Term] += terms[a.Term].IDF / (d * d)
	}
	var score float64
	for t, a := range acc {
		if a > 0 {
			score += min(1, terms[t].IDF) * a * (bm25K1 + 1) / (a + K)
		}
	}
	return score
}

// densestWindow returns the largest sum of idf over the distinct terms hit
// within any w consecutive tokens or held by the title (inTitle, one per
// term, counts occurrences). count is scratch space, one per term.
func densestWindow(hits []Hit, terms []Term, w int, inTitle []int, count []int) float64 {
	clear(count)
	var cur float64
	for t, n := range inTitle {
		if n > 0 {
			// Counted once, for every window: the title never leaves it.
			cur += terms[t].IDF
			count[t] = len(hits) + 1
		}
	}
	best := cur
	first := 0
	for _, h := range hits {
		if count[h.Term] == 0 {
			cur += terms[h.Term].IDF
		}
		count[h.Term]++
		for hits[first].Pos <= h.Pos-w {
			t := hits[first].Term
			count[t]--
			if count[t] == 0 {
				cur -= terms[t].IDF
			}
			first++
		}
		best = max(best, cur)
	}
	return best
}

// matcher finds a question's words in paragraphs. It stems only the tokens
// that could be a form of a question word (those sharing the first three
// bytes of a word, its key or a form text.FormsOf folds to that key), and remembers its answers for one search.
type matcher struct {
	byStem map[string]int
	near   map[string]int // a word's first nearPrefix bytes -> its term
	prefix []uint32
	cache  map[string]int
	// related maps the key of a word related in meaning to a term's (see
	// text.Related) to the term; relPrefix are the prefixes of those
	// words, as prefix is of the terms'.
	related   map[string]int
	relPrefix map[uint32]bool
	relCache  map[string]int
}

func newMatcher(terms []Term) *matcher {
	m := &matcher{
		byStem: make(map[string]int, len(terms)),
		near:   make(map[string]int),
		cache:  make(map[string]int),
	}
	for i, t := range terms {
		if len(t.Word) > nearPrefix {
			if _, ok := m.near[t.Word[:nearPrefix]]; !ok {
				m.near[t.Word[:nearPrefix]] = i
			}
		}
		if _, ok := m.byStem[t.Stem]; !ok {
			m.byStem[t.Stem] = i
		}
		keys := []uint32{prefixOf([]byte(t.Word)), prefixOf([]byte(t.Stem))}
		for _, f := range txt.FormsOf(t.Stem) {
			keys = append(keys, prefixOf([]byte(f)))
		}
		for _, k := range keys {
			if !slices.Contains(m.prefix, k) {
				m.prefix = append(m.prefix, k)
			}
		}
		for _, r := range txt.Related(t.Stem) {
			if _, ok := m.related[r]; ok {
				continue
			}
			if m.related == nil {
				m.related, m.relCache, m.relPrefix = make(map[string]int), make(map[string]int), make(map[uint32]bool)
			}
			m.related[r] = i
			m.relPrefix[prefixOf([]byte(r))] = true
			for _, f := range txt.FormsOf(r) {
				m.relPrefix[prefixOf([]byte(f))] = true
			}
		}
	}
	return m
}

// relatedTerm returns the index of the term tok is related to in meaning
// but no form of, or -1.
func (m *matcher) relatedTerm(tok []byte) int {
	if m.related == nil || !m.relPrefix[prefixOf(tok)] {
		return -1
	}
	if i, ok := m.relCache[string(tok)]; ok {
		return i
	}
	i, w := -1, string(tok)
	if !txt.IsStopToken(w) {
		if j, ok := m.related[stem(w)]; ok && m.term(tok) < 0 {
			i = j
		}
	}
	if len(m.relCache) < maxMatcherCache {
		m.relCache[w] = i
	}
	return i
}

// prefixOf packs a token's first three bytes and its length, if shorter,
// into a number that a word and its stem almost always share.
func prefixOf(tok []byte) uint32 {
	n := min(len(tok), 3)
	k := uint32(n) << 24
	for i := range n {
		k |= uint32(tok[i]) << (8 * i)
	}
	return k
}

// maxMatcherCache bounds what one search remembers of the tokens it stemmed.
const maxMatcherCache = 1 << 14

// term returns the index of the question term tok is a form of, or -1.
func (m *matcher) term(tok []byte) int {
	if !slices.Contains(m.prefix, prefixOf(tok)) {
		return -1
	}
	if i, ok := m.cache[string(tok)]; ok {
		return i
	}
	i, w := -1, string(tok)
	if !txt.IsStopToken(w) {
		if j, ok := m.byStem[stem(w)]; ok {
			i = j
		}
	}
	if len(m.cache) < maxMatcherCache {
		m.cache[w] = i
	}
	return i
}

// hits returns the occurrences of question words in text, in order, and
// the text's length in tokens.
func (m *matcher) hits(text string) ([]Hit, int) {
	var (
		out []Hit
		n   int
	)
	scan(text, func(tok []byte, pos int) {
		n = pos + 1
		if t := m.term(tok); t >= 0 {
			out = append(out, Hit{pos, t})
		}
	})
	return out, n
}

// nearPrefix is how many leading bytes a token shares with a term's word
// to be near it; both must be longer.
const nearPrefix = 4

// extras returns the positions of the tokens of text that start with a
// digit, of the capitalized tokens that are neither stop words nor forms
// of a term, the tokens near a term but no form of it (see
// Candidate.Near), and the tokens related to a term in meaning but neither
// a form of it nor near one (see Candidate.Related).
func (m *matcher) extras(text string) (nums, names []int, near, related []Hit) {
	scanCase(text, func(tok []byte, pos int, upper bool) {
		if '0' <= tok[0] && tok[0] <= '9' {
			nums = append(nums, pos)
			return
		}
		if upper && m.term(tok) < 0 && !txt.IsStopToken(string(tok)) {
			names = append(names, pos)
		}
		if len(tok) > nearPrefix && len(m.near) > 0 {
			if t, ok := m.near[string(tok[:nearPrefix])]; ok && m.term(tok) < 0 {
				near = append(near, Hit{pos, t})
				return
			}
		}
		if t := m.relatedTerm(tok); t >= 0 {
			related = append(related, Hit{pos, t})
		}
	})
	return nums, names, near, related
}

// scan cuts text into tokens as the index does (see text.ScanTokens).
func scan(s string, fn func(tok []byte, pos int)) {
	txt.ScanTokens(s, func(tok []byte, pos int) bool { fn(tok, pos); return true })
}

// scanCase is scan that also tells whether the token began with a capital
// letter in s.
func scanCase(s string, fn func(tok []byte, pos int, upper bool)) {
	txt.ScanTokensCase(s, func(tok []byte, pos int, upper bool) bool { fn(tok, pos, upper); return true })
}
