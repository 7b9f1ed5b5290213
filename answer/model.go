package answer

import "math"

// Model holds the weights of the extractor's two logistic models, fitted on
// data rather than set by hand: one that scores how likely a sentence is to
// answer the question (its features are listed by SentenceFeatures), and
// one that decides whether the best answer found is worth giving or the
// engine should abstain (AbstainFeatures). The default is fitted by
// `go run ./bench -fit` on the odd-numbered questions of SQuAD v1.1 dev and
// on the story paraphrase set, and written to model_fitted.go.
type Model struct {
	// Sentence weighs SentenceFeatures, the bias first.
	Sentence []float64
	// Abstain weighs AbstainFeatures, the bias first.
	Abstain []float64
	// Threshold is the least probability from Abstain at which the engine
	// answers.
	Threshold float64
}

// DefaultModel returns the fitted model the engine uses unless told
// otherwise.
func DefaultModel() Model {
	return Model{
		Sentence:  append([]float64(nil), fittedSentence[:]...),
		Abstain:   append([]float64(nil), fittedAbstain[:]...),
		Threshold: fittedThreshold,
	}
}

// SentenceFeatures names the features of a candidate sentence, in order.
var SentenceFeatures = []string{
	"bias",
	"coverage_sentence", // IDF-weighted share of the question's words in the sentence
	"coverage_paragraph",
	"coverage_title",
	"reciprocal_rank", // 1/(1+rank) of the sentence's passage in the retrieval
	"relative_score",  // the passage's retrieval score over the best passage's
	"answer_cue",      // holds the kind of thing asked for: a date for "when"
	"novelty",         // share of the sentence's words the question lacks
	"bigrams",         // share of the question's word pairs found together
	"first_sentence",
	"log_length",
	"fragment",
	"names_covered", // share of the question's capitalized words in the sentence
	"best_of_paragraph",
	"coverage_soft", // coverage counting soft words answered in kind
}

// AbstainFeatures names the features of the abstention model, in order.
var AbstainFeatures = []string{
	"bias",
	"best_probability", // the sentence model's probability for the best sentence
	"second_probability",
	"best_coverage",
	"best_paragraph_coverage",
	"missing_share", // IDF-weighted share of the question's words in no passage or title
	"score_gap",
	"log_terms",
	"names_found", // share of the question's capitalized words found in a passage
	"cue_in_best",
	"kind_open",       // the question asks what/how rather than who/when/where/how many
	"top_over_mean",   // the best passage's retrieval score over the mean of all retrieved
	"top_coverage",    // the store-wide idf share of the question the best passage holds (knowledge.Match)
	"top_missing",     // the largest store-wide idf share of one asked word the best passage lacks
	"top_fit",         // the re-ranker's own score of the best passage
	"answer_coverage", // the store-wide idf share the answer's passage holds
}

// AnswerProbability is the abstention model's probability that an answer
// with the features f (AbstainFeatures) is worth giving.
func (m Model) AnswerProbability(f []float64) float64 { return sigmoid(dot(m.Abstain, f)) }

func sigmoid(x float64) float64 { return 1 / (1 + math.Exp(-x)) }

// dot is the linear score of features under weights; missing weights count
// as zero, so a model fitted on fewer features still applies.
func dot(w, f []float64) float64 {
	var s float64
	for i := range min(len(w), len(f)) {
		s += w[i] * f[i]
	}
	return s
}
