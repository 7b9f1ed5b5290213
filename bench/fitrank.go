package main

import (
	"bytes"
	"context"
	"fmt"
	"go/format"
	"math"
	"os"
	"strings"
	"time"

	"github.com/byline-bot/byline/knowledge"
	"github.com/byline-bot/byline/search"
)

// fitQuestion is one SQuAD question's candidates as the re-ranker sees
// them: their features, in the order the searcher returned them, and the
// index of the answering paragraph among them (-1 when not found).
type fitQuestion struct {
	feats []search.Features
	gold  int
}

// goldRank returns the 1-based place the answering paragraph takes when
// the candidates are scored by w, ties going to the earlier candidate, or
// zero when it was not found.
func (q fitQuestion) goldRank(w search.Weights) int {
	if q.gold < 0 {
		return 0
	}
	g := w.Score(q.feats[q.gold])
	rank := 1
	for i, f := range q.feats {
		if s := w.Score(f); s > g || s == g && i < q.gold {
			rank++
		}
	}
	return rank
}

// fitScores are recall@1, recall@5 and MRR@10 of one half.
type fitScores struct{ at1, at5, mrr float64 }

func (s fitScores) String() string {
	return fmt.Sprintf("recall@1 %.4f, recall@5 %.4f, MRR@10 %.4f", s.at1, s.at5, s.mrr)
}

// objective is what the fitting maximizes: the three measures the issue
// names, equally.
func (s fitScores) objective() float64 { return s.at1 + s.at5 + s.mrr }

func evaluate(qs []fitQuestion, w search.Weights) fitScores {
	var s fitScores
	for _, q := range qs {
		r := q.goldRank(w)
		if r == 1 {
			s.at1++
		}
		if r >= 1 && r <= 5 {
			s.at5++
		}
		if r >= 1 && r <= 10 {
			s.mrr += 1 / float64(r)
		}
	}
	n := float64(max(1, len(qs)))
	return fitScores{s.at1 / n, s.at5 / n, s.mrr / n}
}

// fitSoftmax returns the weights that minimize the listwise softmax loss
// on qs: for each question, minus the log of the probability that a
// softmax over its candidates' scores gives the answering paragraph, plus
// a small L2 penalty. The loss is convex in the weights, so plain
// gradient descent (with the features scaled to unit spread) finds its one
// minimum.
func fitSoftmax(qs []fitQuestion) search.Weights {
	var mean, sd [search.NumFeatures]float64
	n := 0.0
	for _, q := range qs {
		for _, f := range q.feats {
			for i, v := range f {
				mean[i] += v
				sd[i] += v * v
			}
			n++
		}
	}
	for i := range mean {
		mean[i] /= max(n, 1)
		sd[i] = math.Sqrt(max(sd[i]/max(n, 1)-mean[i]*mean[i], 1e-12))
	}
	var (
		w      [search.NumFeatures]float64 // on scaled features
		m, v   [search.NumFeatures]float64 // Adam's moments
		scores []float64
	)
	const (
		steps = 400
		rate  = 0.05
		l2    = 1e-4
	)
	for step := 1; step <= steps; step++ {
		var grad [search.NumFeatures]float64
		for _, q := range qs {
			if q.gold < 0 {
				continue
			}
			scores = scores[:0]
			top := math.Inf(-1)
			for _, f := range q.feats {
				var s float64
				for i, x := range f {
					s += w[i] * (x - mean[i]) / sd[i]
				}
				scores = append(scores, s)
				top = max(top, s)
			}
			var z float64
			for i := range scores {
				scores[i] = math.Exp(scores[i] - top)
				z += scores[i]
			}
			for j, f := range q.feats {
				p := scores[j] / z
				if j == q.gold {
					p--
				}
				for i, x := range f {
					grad[i] += p * (x - mean[i]) / sd[i]
				}
			}
		}
		for i := range grad {
			g := grad[i]/float64(len(qs)) + l2*w[i]
			m[i] = 0.9*m[i] + 0.1*g
			v[i] = 0.999*v[i] + 0.001*g*g
			mh := m[i] / (1 - math.Pow(0.9, float64(step)))
			vh := v[i] / (1 - math.Pow(0.999, float64(step)))
			w[i] -= rate * mh / (math.Sqrt(vh) + 1e-8)
		}
	}
	// Back to the features as they are; a constant shift changes no
	// ranking, so the means drop out.
	var out search.Weights
	for i := range w {
		out[i] = w[i] / sd[i]
	}
	return out
}

// fitSteps are the changes coordinate ascent tries on each weight.
var fitSteps = []float64{-1, -0.3, -0.1, -0.03, -0.01, 0.01, 0.03, 0.1, 0.3, 1}

// fitWeights improves w by coordinate ascent on qs: each round tries every
// step on every weight and keeps each change that raises the objective,
// until a round changes nothing. Ties keep the weight as it was, so the
// result depends only on the data and the start.
func fitWeights(qs []fitQuestion, w search.Weights) search.Weights {
	best := evaluate(qs, w).objective()
	for round := 0; round < 30; round++ {
		changed := false
		for i := range w {
			for _, step := range fitSteps {
				c := w
				c[i] += step
				if v := evaluate(qs, c).objective(); v > best+1e-9 {
					w, best, changed = c, v, true
				}
			}
		}
		if !changed {
			break
		}
	}
	return w
}

// fitRankMain runs runFitRank from the repository root, in dir, and
// prints its report.
func fitRankMain(ctx context.Context, shared, dir string, opts knowledge.Options) error {
	out, err := runFitRank(ctx, shared+"/eval/squad-dev-v1.1.json.gz", dir, "search/weights.go", opts)
	if err != nil {
		return fmt.Errorf("fit-rank: %w", err)
	}
	fmt.Printf("command: go run ./bench %s\n\n%s\n", strings.Join(os.Args[1:], " "), out)
	return nil
}

// runFitRank ingests SQuAD v1.1 dev, collects every question's candidates
// and their features, fits the re-ranker's weights on the odd-numbered
// questions, reports both halves before and after, and writes the weights
// to out (search/weights.go).
func runFitRank(ctx context.Context, path, dir, out string, opts knowledge.Options) (string, error) {
	set, err := loadSQuAD(path)
	if err != nil {
		return "", err
	}
	store, err := knowledge.Open(ctx, dir+"/squad-fit.db", opts)
	if err != nil {
		return "", err
	}
	defer store.Close()
	questions, _, err := putSQuAD(ctx, store, set)
	if err != nil {
		return "", err
	}
	searcher, err := search.New(search.Options{Store: store})
	if err != nil {
		return "", err
	}
	start := time.Now()
	var (
		halves [2][]fitQuestion
		found  [2]int
	)
	for qi, q := range questions {
		rs, err := searcher.Candidates(ctx, knowledge.Query{Text: q.text, Limit: 10})
		if err != nil {
			return "", err
		}
		fq := fitQuestion{gold: -1}
		for i, r := range rs {
			fq.feats = append(fq.feats, r.Features)
			if r.ArticleID == q.articleID && r.Paragraph == q.ordinal {
				fq.gold = i
			}
		}
		if fq.gold >= 0 {
			found[qi%2]++
		}
		halves[qi%2] = append(halves[qi%2], fq)
	}
	collect := time.Since(start)
	even, odd := halves[0], halves[1]
	before := searcher.Weights()
	start = time.Now()
	// Whether coordinate ascent after the softmax fit helps or overfits
	// is decided inside the odd half: fitted on every other odd
	// question, judged on the rest.
	var inner [2][]fitQuestion
	for i, q := range odd {
		inner[i%2] = append(inner[i%2], q)
	}
	soft := fitSoftmax(inner[0])
	refined := fitWeights(inner[0], soft)
	useAscent := evaluate(inner[1], refined).objective() > evaluate(inner[1], soft).objective()
	// Both ways round, the softmax fit judged on every odd question it
	// was not fitted on: what a change of features is judged by.
	cross := crossScores(inner, soft, fitSoftmax(inner[1]))
	after := fitSoftmax(odd)
	if useAscent {
		after = fitWeights(odd, after)
	}
	fit := time.Since(start)
	if err := writeWeights(out, after); err != nil {
		return "", err
	}

	var b strings.Builder
	fmt.Fprintf(&b, "## Fitting the re-ranker's weights on SQuAD v1.1 dev\n\n%d questions; candidates collected in %s, weights fitted on the odd-numbered questions in %s and written to %s.\n\n",
		len(questions), collect.Round(time.Second), fit.Round(time.Millisecond), out)
	fmt.Fprintf(&b, "answering paragraph among the candidates: odd %.4f, even %.4f\n\n",
		float64(found[1])/float64(len(odd)), float64(found[0])/float64(len(even)))
	fmt.Fprintf(&b, "inside the odd half (fitted on its first half, judged on its second): softmax fit %s; with coordinate ascent %s; coordinate ascent kept: %v\n\n",
		evaluate(inner[1], soft), evaluate(inner[1], refined), useAscent)
	fmt.Fprintf(&b, "odd half two-fold (softmax fitted on one half of the odd questions, judged on the other, both ways): %s\n\n", cross)
	b.WriteString("| weights | half | recall@1 | recall@5 | MRR@10 |\n|---|---|---|---|---|\n")
	for _, r := range []struct {
		name string
		w    search.Weights
	}{{"before", before}, {"fitted", after}} {
		for _, h := range []struct {
			name string
			qs   []fitQuestion
		}{{"odd (fitted on)", odd}, {"even (held out)", even}} {
			s := evaluate(h.qs, r.w)
			fmt.Fprintf(&b, "| %s | %s | %.4f | %.4f | %.4f |\n", r.name, h.name, s.at1, s.at5, s.mrr)
		}
	}
	b.WriteString("\n| feature | before | fitted |\n|---|---|---|\n")
	for i := range after {
		fmt.Fprintf(&b, "| %s | %g | %g |\n", search.FeatureName(i), before[i], after[i])
	}
	return b.String(), nil
}

// crossScores returns the scores of w0, fitted on folds[0], on folds[1]
// and of w1, fitted on folds[1], on folds[0], pooled.
func crossScores(folds [2][]fitQuestion, w0, w1 search.Weights) fitScores {
	a, b := evaluate(folds[1], w0), evaluate(folds[0], w1)
	n0, n1 := float64(len(folds[1])), float64(len(folds[0]))
	mix := func(x, y float64) float64 { return (x*n0 + y*n1) / max(n0+n1, 1) }
	return fitScores{mix(a.at1, b.at1), mix(a.at5, b.at5), mix(a.mrr, b.mrr)}
}

// writeWeights writes w as the Go source of search.fitted.
func writeWeights(path string, w search.Weights) error {
	var b bytes.Buffer
	b.WriteString("// Code generated by go run ./bench -fit-rank; DO NOT EDIT.\n\npackage search\n\n")
	b.WriteString("// fitted returns the re-ranker's weights, fitted on the odd-numbered\n// questions of SQuAD v1.1 dev (listwise softmax, then coordinate ascent\n// when it helps); go run ./bench -fit-rank writes this file.\nfunc fitted() Weights {\n\treturn Weights{\n")
	for i, v := range w {
		if v != 0 {
			fmt.Fprintf(&b, "\t\t%s: %.4g,\n", search.FeatureName(i), v)
		}
	}
	b.WriteString("\t}\n}\n")
	src, err := format.Source(b.Bytes())
	if err != nil {
		return fmt.Errorf("format weights: %w", err)
	}
	return os.WriteFile(path, src, 0o644)
}
