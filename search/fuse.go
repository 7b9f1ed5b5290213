package search

import "github.com/byline-bot/byline/knowledge"

// rrfK is reciprocal-rank fusion's constant (Cormack, Clarke and Büttcher,
// SIGIR 2009): a candidate at rank r of a list gains 1/(rrfK+r).
const rrfK = 60

// fuse merges candidate lists, each best first, into one list without
// duplicates, in order of first appearance (the first list's order first),
// and returns each candidate's reciprocal-rank fusion score over all
// lists. A candidate keeps the statistics of the first list that holds it.
func fuse(lists [][]knowledge.Candidate) ([]knowledge.Candidate, []float64) {
	var (
		out   []knowledge.Candidate
		score []float64
		at    = make(map[string]int)
	)
	for _, l := range lists {
		for r, c := range l {
			key := c.Ref()
			i, ok := at[key]
			if !ok {
				i = len(out)
				at[key] = i
				out = append(out, c)
				score = append(score, 0)
			}
			score[i] += 1 / float64(rrfK+r+1)
		}
	}
	return out, score
}
