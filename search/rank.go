package search

import (
	"math"

	"github.com/byline-bot/byline/knowledge"
)

// The re-ranker scores each candidate by a weighted sum of features. The
// store's three lexical scores (bm25, Büttcher's proximity and the densest
// window, see knowledge.Candidate) are divided by the question's idf mass,
// the sum of its asked terms' idf, so that one set of weights serves long
// questions and short ones; the other features are shares of that mass or
// plain numbers. The weights are fitted by coordinate ascent on the
// odd-numbered questions of SQuAD v1.1 dev and judged on the even ones
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

	NumFeatures
)

// featureNames name the features in the fitted weights' file.
var featureNames = [NumFeatures]string{
	"FeatBM25", "FeatProximity", "FeatWindow", "FeatFTS", "FeatCoverage", "FeatTitle",
	"FeatBigram", "FeatMissing", "FeatFused", "FeatLength", "FeatCue",
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

// features computes c's features for the question's terms; fused is its
// reciprocal-rank fusion score.
func features(terms []knowledge.Term, c knowledge.Candidate, fused float64) Features {
	var mass float64
	for _, t := range terms {
		if !t.Cue {
			mass += t.IDF
		}
	}
	mass = max(mass, 1e-6)
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
	f[FeatBigram] = bigrams(terms, c.Hits)
	f[FeatBM25] = c.BM25
	f[FeatProximity] = c.Proximity
	f[FeatWindow] = c.Window
	f[FeatFTS] = c.FTS
	for _, i := range []int{FeatBM25, FeatProximity, FeatWindow, FeatFTS, FeatCoverage, FeatTitle, FeatBigram, FeatMissing} {
		f[i] /= mass
	}
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
