package knowledge

import (
	"slices"
	"sort"

	"github.com/byline-bot/byline/text"
)

// The re-ranker scores the candidates the first stage found, in Go, by
// how well and how closely together they hold the question's words. A
// question is usually answered by one sentence that restates much of it,
// while bm25 alone rewards a paragraph for holding the words anywhere. The
// score of a paragraph p, for question words t with inverse document
// frequencies idf(t), is the sum of three parts, all in idf units so that
// none needs a weight:
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
// Words are compared by their English (Porter2) stem, so "invented" finds
// "invention"; only the re-ranker's own consistency matters, not agreement
// with FTS5's Porter stemmer. idf comes from the store's capped document
// frequencies (see Store.plan), and avglen is the candidates' mean length,
// not the store's, which only the whole index knows.
//
// Two choices were tuned, on the odd-numbered questions of SQuAD v1.1 dev:
// adding the parts unweighted (weights 0 to 3 for the last two were no
// better) and windowTokens (10, 15 and 20 are within 0.002 of each other
// in recall@1). The even-numbered questions gain as much; see
// bench/RESULTS.md.

const (
	// bm25K1 and bm25B are FTS5's bm25 constants, reused so that the
	// proximity part saturates the way bm25's term frequencies do.
	bm25K1 = 1.2
	bm25B  = 0.75
	// windowTokens is the width, in tokens, of the densest-window part.
	windowTokens = 20
)

// queryTerm is one content word of a question, as the re-ranker matches it.
type queryTerm struct {
	word string  // folded as the index folds it
	stem string  // English (Porter2) stem, for matching other forms
	idf  float64 // bm25's idf, from the word's capped document frequency
}

// stem returns the form the re-ranker compares words by.
func stem(word string) string {
	return text.Stem(word)
}

// titleWeight is how much a question word in the title counts against one
// in the paragraph, in bm25; the first stage's FTS5 bm25 uses it too.
const titleWeight = 1.5

// rerank orders the candidates best first and sets their Score; ties keep
// the order they came in.
func rerank(terms []queryTerm, cands []Passage) {
	if len(cands) == 0 {
		return
	}
	type para struct {
		hits    []hit
		dl      int   // tokens, title included
		inTitle []int // per term, occurrences in the title
	}
	var (
		m      = newMatcher(terms)
		ps     = make([]para, len(cands))
		sumDL  int
		titles = make(map[string]para) // title -> its hits
	)
	for i := range cands {
		t, ok := titles[cands[i].Title]
		if !ok {
			h, n := m.hits(cands[i].Title)
			t = para{dl: n, inTitle: make([]int, len(terms))}
			for _, x := range h {
				t.inTitle[x.term]++
			}
			titles[cands[i].Title] = t
		}
		h, n := m.hits(cands[i].Text)
		ps[i] = para{hits: h, dl: n + t.dl, inTitle: t.inTitle}
		sumDL += ps[i].dl
	}
	avgdl := max(1, float64(sumDL)/float64(len(cands)))
	var (
		acc   = make([]float64, len(terms))
		count = make([]int, len(terms))
		tf    = make([]float64, len(terms))
	)
	for i, p := range ps {
		K := bm25K1 * (1 - bm25B + bm25B*float64(p.dl)/avgdl)
		for t := range tf {
			tf[t] = titleWeight * float64(p.inTitle[t])
		}
		for _, h := range p.hits {
			tf[h.term]++
		}
		cands[i].Score = bm25(tf, terms, K) + proximity(p.hits, terms, K, acc) +
			densestWindow(p.hits, terms, windowTokens, p.inTitle, count)
	}
	sort.SliceStable(cands, func(i, j int) bool { return cands[i].Score > cands[j].Score })
}

// bm25 returns the Okapi BM25 score of a paragraph with term frequencies tf
// (title occurrences weighted) and length factor K.
func bm25(tf []float64, terms []queryTerm, K float64) float64 {
	var score float64
	for t, f := range tf {
		if f > 0 {
			score += terms[t].idf * f * (bm25K1 + 1) / (f + K)
		}
	}
	return score
}

// hit is one occurrence of a question word in a paragraph: its position in
// tokens and the index of the word in the question's terms.
type hit struct {
	pos, term int
}

// proximity returns Büttcher's term-proximity score of one paragraph's
// hits, in order of position, with bm25's length factor K. acc is scratch
// space, one per term.
func proximity(hits []hit, terms []queryTerm, K float64, acc []float64) float64 {
	clear(acc)
	for i := 1; i < len(hits); i++ {
		a, b := hits[i-1], hits[i]
		if a.term == b.term {
			continue
		}
		d := float64(b.pos - a.pos)
		acc[a.term] += terms[b.term].idf / (d * d)
		acc[b.term] += terms[a.term].idf / (d * d)
	}
	var score float64
	for t, a := range acc {
		if a > 0 {
			score += min(1, terms[t].idf) * a * (bm25K1 + 1) / (a + K)
		}
	}
	return score
}

// densestWindow returns the largest sum of idf over the distinct terms hit
// within any w consecutive tokens or held by the title (inTitle, one per
// term, counts occurrences). count is scratch space, one per term.
func densestWindow(hits []hit, terms []queryTerm, w int, inTitle []int, count []int) float64 {
	clear(count)
	var cur float64
	for t, n := range inTitle {
		if n > 0 {
			// Counted once, for every window: the title never leaves it.
			cur += terms[t].idf
			count[t] = len(hits) + 1
		}
	}
	best := cur
	first := 0
	for _, h := range hits {
		if count[h.term] == 0 {
			cur += terms[h.term].idf
		}
		count[h.term]++
		for hits[first].pos <= h.pos-w {
			t := hits[first].term
			count[t]--
			if count[t] == 0 {
				cur -= terms[t].idf
			}
			first++
		}
		best = max(best, cur)
	}
	return best
}

// matcher finds a question's words in paragraphs. It stems only the tokens
// that could be a form of a question word (those sharing a word's or a
// stem's first three bytes), and remembers its answers for one search.
type matcher struct {
	byStem map[string]int
	prefix []uint32
	cache  map[string]int
}

func newMatcher(terms []queryTerm) *matcher {
	m := &matcher{
		byStem: make(map[string]int, len(terms)),
		cache:  make(map[string]int),
	}
	for i, t := range terms {
		if _, ok := m.byStem[t.stem]; !ok {
			m.byStem[t.stem] = i
		}
		for _, k := range []uint32{prefixOf([]byte(t.word)), prefixOf([]byte(t.stem))} {
			if !slices.Contains(m.prefix, k) {
				m.prefix = append(m.prefix, k)
			}
		}
	}
	return m
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
	if !text.IsStopToken(w) {
		if j, ok := m.byStem[stem(w)]; ok {
			i = j
		}
	}
	if len(m.cache) < maxMatcherCache {
		m.cache[w] = i
	}
	return i
}

// hits returns the occurrences of question words in s, in order, and
// the text's length in tokens.
func (m *matcher) hits(s string) ([]hit, int) {
	var (
		out []hit
		n   int
	)
	text.ScanTokens(s, func(tok []byte, pos int) bool {
		n = pos + 1
		if t := m.term(tok); t >= 0 {
			out = append(out, hit{pos, t})
		}
		return true
	})
	return out, n
}
