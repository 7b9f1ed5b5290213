package search

import (
	"math"
	"slices"
	"sort"

	"github.com/byline-bot/byline/knowledge"
)

// The re-ranker scores each candidate by a weighted sum of features. The
// store's three lexical scores (bm25, Büttcher's proximity and the densest
// window, see knowledge.Candidate) are divided by the question's idf mass,
// the sum of its asked terms' idf, so that one set of weights serves long
// questions and short ones; the other features are shares of that mass or
// plain numbers. The weights are fitted (a listwise softmax loss, then
// coordinate ascent on recall@1, recall@5 and MRR@10) on the odd-numbered
// questions of SQuAD v1.1 dev and judged on the even ones
// (go run ./bench -fit-rank; see bench/RESULTS.md).

// Feature indexes into Features and Weights.
const (
	// FeatBM25 is bm25 over the question's terms, title included.
	FeatBM25 = iota
	// FeatProximity is Büttcher's term-proximity score.
	FeatProximity
	// FeatWindow is the idf mass of the densest window.
	FeatWindow
	// FeatFTS is FTS5's own bm25 from the store's ranked query, zero for
	// a candidate it did not rank.
	FeatFTS
	// FeatCoverage is the share of the question's idf mass found in the
	// paragraph or its title.
	FeatCoverage
	// FeatTitle is the share found in the title.
	FeatTitle
	// FeatBigram is the share held by pairs of the question's
	// neighbouring words that stand together, in order, in the
	// paragraph (at most one token apart).
	FeatBigram
	// FeatMissing is the largest idf share of an asked word the paragraph
	// and its title lack.
	FeatMissing
	// FeatFused is the reciprocal-rank fusion score of the candidate
	// lists, times rrfK.
	FeatFused
	// FeatLength is log(1+tokens) of the paragraph.
	FeatLength
	// FeatCue is 1 when the paragraph holds a cue word.
	FeatCue
	// FeatLocalBM25, FeatLocalProximity and FeatLocalWindow are the
	// store's three scores again with each term's idf multiplied by its
	// idf among the candidates (see localTerms), divided by that mass:
	// the paragraphs of the right article mostly share its common words,
	// and the words that tell them apart are the ones that count.
	FeatLocalBM25
	FeatLocalProximity
	FeatLocalWindow
	// FeatLocalCoverage is the share of that mass the paragraph itself
	// holds, the title aside.
	FeatLocalCoverage
	// FeatNumberNear is, for a question that asks for a number, 1/(1+d)
	// for the distance d in tokens from the paragraph's nearest number
	// that is not a question word to a question word; zero otherwise.
	FeatNumberNear
	// FeatNameNear is, for a question that asks who, what FeatNumberNear
	// is for numbers, for the paragraph's capitalized words.
	FeatNameNear
	// FeatCount is the share of the asked words, unweighted, found in the
	// paragraph or its title.
	FeatCount
	// FeatRankBM25 and the other FeatRank features are 1/r for the
	// candidate's place r among the candidates by that feature, ties
	// sharing the better place: how it compares with the others, which a
	// weighted sum of the features themselves cannot say.
	FeatRankBM25
	FeatRankProximity
	FeatRankWindow
	FeatRankCoverage
	FeatRankBigram
	FeatRankLocalWindow
	FeatRankLocalCoverage
	FeatRankFTS
	// FeatArticle is the share of the candidates that come from the
	// candidate's article: an article many candidates come from is more
	// likely the one asked about.
	FeatArticle
	// FeatLead is 1/n for the article's n-th paragraph: news puts what
	// matters first.
	FeatLead
	// FeatLooseBM25, FeatLooseProximity and FeatLooseWindow are the
	// store's three scores with the near words counted as forms of the
	// words they are near.
	FeatLooseBM25
	FeatLooseProximity
	FeatLooseWindow
	// FeatNear is the idf share of the asked words the paragraph holds
	// no form of but a word near it (see knowledge.Candidate.Near).
	FeatNear
	// FeatRelated is the idf share of the asked words the paragraph holds
	// no form of, nor a near word, but a word related in meaning (see
	// knowledge.Candidate.Related).
	FeatRelated

	NumFeatures
)

// featureNames name the features in the fitted weights' file.
var featureNames = [NumFeatures]string{
	"FeatBM25", "FeatProximity", "FeatWindow", "FeatFTS", "FeatCoverage", "FeatTitle",
	"FeatBigram", "FeatMissing", "FeatFused", "FeatLength", "FeatCue",
	"FeatLocalBM25", "FeatLocalProximity", "FeatLocalWindow", "FeatLocalCoverage",
	"FeatNumberNear", "FeatNameNear", "FeatCount",
	"FeatRankBM25", "FeatRankProximity", "FeatRankWindow", "FeatRankCoverage", "FeatRankBigram",
	"FeatRankLocalWindow", "FeatRankLocalCoverage", "FeatRankFTS",
	"FeatArticle", "FeatLead", "FeatLooseBM25", "FeatLooseProximity", "FeatLooseWindow", "FeatNear",
	"FeatRelated",
}

// loosen returns copies of cands whose hits include their near words.
func loosen(cands []knowledge.Candidate) []knowledge.Candidate {
	out := slices.Clone(cands)
	for i, c := range out {
		if len(c.Near)+len(c.Related) == 0 {
			continue
		}
		hits := append(append(slices.Clone(c.Hits), c.Near...), c.Related...)
		sort.SliceStable(hits, func(a, b int) bool { return hits[a].Pos < hits[b].Pos })
		out[i].Hits = hits
	}
	return out
}

// rankedFeatures pairs each FeatRank feature with the feature it ranks by.
var rankedFeatures = [][2]int{
	{FeatRankBM25, FeatBM25}, {FeatRankProximity, FeatProximity}, {FeatRankWindow, FeatWindow},
	{FeatRankCoverage, FeatCoverage}, {FeatRankBigram, FeatBigram}, {FeatRankLocalWindow, FeatLocalWindow},
	{FeatRankLocalCoverage, FeatLocalCoverage}, {FeatRankFTS, FeatFTS},
}

// setRanks sets the FeatRank features of fs, the features of one
// question's candidates.
func setRanks(fs []*Features) {
	order := make([]int, len(fs))
	for _, rf := range rankedFeatures {
		dst, src := rf[0], rf[1]
		for i := range order {
			order[i] = i
		}
		sort.SliceStable(order, func(a, b int) bool { return fs[order[a]][src] > fs[order[b]][src] })
		place := 1
		for k, i := range order {
			if k > 0 && fs[i][src] < fs[order[k-1]][src] {
				place = k + 1
			}
			fs[i][dst] = 1 / float64(place)
		}
	}
}

// FeatureName returns the Go name of feature i.
func FeatureName(i int) string { return featureNames[i] }

// Features are one candidate's features, indexed by the Feat constants.
type Features [NumFeatures]float64

// Weights weigh Features into a score.
type Weights [NumFeatures]float64

func (w Weights) score(f Features) float64 {
	var s float64
	for i, v := range f {
		s += w[i] * v
	}
	return s
}

// Score returns the weighted sum of f.
func (w Weights) Score(f Features) float64 { return w.score(f) }

// askedMass returns the idf mass of the asked terms, cues aside, and at
// least 1e-6.
func askedMass(terms []knowledge.Term) float64 {
	var mass float64
	for _, t := range terms {
		if !t.Cue {
			mass += t.IDF
		}
	}
	return max(mass, 1e-6)
}

// localTerms returns terms with each idf multiplied by the term's idf
// among the candidates, counting the paragraphs that hold it (titles
// aside), in Lucene's always-positive form log(1+(n-df+0.5)/(df+0.5)).
func localTerms(terms []knowledge.Term, cands []knowledge.Candidate) []knowledge.Term {
	df := make([]int, len(terms))
	seen := make([]int, len(terms))
	for i, c := range cands {
		for _, h := range c.Hits {
			if seen[h.Term] != i+1 {
				seen[h.Term] = i + 1
				df[h.Term]++
			}
		}
	}
	out := make([]knowledge.Term, len(terms))
	n := float64(len(cands))
	for t, term := range terms {
		d := float64(df[t])
		term.IDF *= math.Log1p((n - d + 0.5) / (d + 0.5))
		out[t] = term
	}
	return out
}

// features computes c's features for the question's terms; local is c
// rescored with localTerms' idf, and fused its reciprocal-rank fusion
// score.
func features(p Plan, terms, localTerms []knowledge.Term, c, local knowledge.Candidate, fused float64) Features {
	mass := askedMass(terms)
	var (
		f       Features
		present = make([]bool, len(terms))
	)
	for _, h := range c.Hits {
		present[h.Term] = true
	}
	for t, n := range c.TitleTF {
		if n > 0 {
			f[FeatTitle] += terms[t].IDF
			present[t] = true
		}
	}
	for t, ok := range present {
		switch {
		case terms[t].Cue:
			if ok {
				f[FeatCue] = 1
			}
		case ok:
			f[FeatCoverage] += terms[t].IDF
		default:
			f[FeatMissing] = max(f[FeatMissing], terms[t].IDF)
		}
	}
	// An asked word the paragraph lacks counts once: by a near word if it
	// has one, else by a related one.
	for _, soft := range []struct {
		hits []knowledge.Hit
		feat int
	}{{c.Near, FeatNear}, {c.Related, FeatRelated}} {
		for _, h := range soft.hits {
			if !present[h.Term] && !terms[h.Term].Cue {
				present[h.Term] = true
				f[soft.feat] += terms[h.Term].IDF
			}
		}
	}
	f[FeatBigram] = bigrams(terms, c.Hits)
	f[FeatBM25] = c.BM25
	f[FeatProximity] = c.Proximity
	f[FeatWindow] = c.Window
	f[FeatFTS] = c.FTS
	for _, i := range []int{FeatBM25, FeatProximity, FeatWindow, FeatFTS, FeatCoverage, FeatTitle, FeatBigram, FeatMissing, FeatNear, FeatRelated} {
		f[i] /= mass
	}
	var localMass, localHeld float64
	clear(present)
	for _, h := range c.Hits {
		present[h.Term] = true
	}
	for t, term := range localTerms {
		if term.Cue {
			continue
		}
		localMass += term.IDF
		if present[t] {
			localHeld += term.IDF
		}
	}
	localMass = max(localMass, 1e-6)
	f[FeatLocalBM25] = local.BM25 / localMass
	f[FeatLocalProximity] = local.Proximity / localMass
	f[FeatLocalWindow] = local.Window / localMass
	f[FeatLocalCoverage] = localHeld / localMass
	if p.AsksNumber {
		f[FeatNumberNear] = nearest(terms, c.Hits, c.Numbers)
	}
	if p.AsksName {
		f[FeatNameNear] = nearest(terms, c.Hits, c.Names)
	}
	asked, held := 0, 0
	for t, ok := range present {
		if !terms[t].Cue {
			asked++
			if ok {
				held++
			}
		}
	}
	f[FeatCount] = float64(held) / float64(max(asked, 1))
	f[FeatLead] = 1 / float64(max(c.Paragraph, 1))
	f[FeatFused] = fused * rrfK
	f[FeatLength] = math.Log1p(float64(c.Len))
	return f
}

// bigrams returns the idf mass of the pairs of neighbouring question terms
// (term i and i+1, in the question's order) found in order at most one
// token apart in hits, each pair counted once.
func bigrams(terms []knowledge.Term, hits []knowledge.Hit) float64 {
	var (
		sum  float64
		seen map[int]bool
	)
	for i := 1; i < len(hits); i++ {
		for j := i - 1; j >= 0 && hits[i].Pos-hits[j].Pos <= 2; j-- {
			a, b := hits[j].Term, hits[i].Term
			if b != a+1 || terms[a].Cue || terms[b].Cue {
				continue
			}
			if seen == nil {
				seen = make(map[int]bool)
			}
			if !seen[a] {
				seen[a] = true
				sum += terms[a].IDF + terms[b].IDF
			}
		}
	}
	return sum
}

// nearest returns 1/(1+d) for the smallest distance d between one of the
// positions that is not itself a question word and a hit of an asked
// word, or zero when there is none.
func nearest(terms []knowledge.Term, hits []knowledge.Hit, positions []int) float64 {
	best := -1
	h := 0
	for _, n := range positions {
		for h < len(hits) && hits[h].Pos < n {
			h++
		}
		if h < len(hits) && hits[h].Pos == n {
			continue // a question word is no answer
		}
		for _, j := range []int{h - 1, h} {
			if j < 0 || j >= len(hits) || terms[hits[j].Term].Cue {
				continue
			}
			d := hits[j].Pos - n
			if d < 0 {
				d = -d
			}
			if best < 0 || d < best {
				best = d
			}
		}
	}
	if best < 0 {
		return 0
	}
	return 1 / float64(1+best)
}
