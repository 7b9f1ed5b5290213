package main

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/byline-bot/byline/knowledge"
)

// The correction check's cost (#14): a re-ingest of all of Reuters-21578
// that changes one paragraph of every article, into a store holding
// correctionAnswers recorded answers citing its paragraphs, timed with the
// check on (the store's default 30-day window) against the same re-ingest
// with the check off (knowledge.Options.CorrectionWindow < 0), each from a
// copy of one prepared database, alternating, correctionRounds times.

const (
	correctionAnswers = 10000
	correctionRounds  = 3
	correctionBatch   = 500 // articles per Put, as ingest.Run batches
)

func runCorrections(ctx context.Context, path, dir string, opts knowledge.Options) (string, error) {
	arts, err := readJSONLines(path)
	if err != nil {
		return "", err
	}
	base := filepath.Join(dir, "corrections-base.db")
	removeDB(base)
	store, err := knowledge.Open(ctx, base, opts)
	if err != nil {
		return "", err
	}
	if err := putAll(ctx, store, arts); err != nil {
		store.Close()
		return "", err
	}
	cited, err := recordAnswers(ctx, store)
	if err != nil {
		store.Close()
		return "", err
	}
	if err := store.Close(); err != nil { // checkpoints: the file stands alone
		return "", err
	}

	// Every article with one paragraph changed: a figure's worth of edit
	// that keeps the paragraph the same paragraph, so each answer citing
	// it has a correction pending.
	changed := make([]knowledge.Article, len(arts))
	for i, a := range arts {
		a.Paragraphs = slices.Clone(a.Paragraphs)
		k := i % len(a.Paragraphs)
		a.Paragraphs[k] += " (Figures revised.)"
		changed[i] = a
	}

	var on, off []time.Duration
	pending := 0
	for round := range correctionRounds {
		for _, check := range []bool{false, true} {
			if round%2 == 1 {
				check = !check // alternate which goes first
			}
			o := opts
			o.CorrectionWindow = -1
			if check {
				o.CorrectionWindow = 0 // the default, 30 days
			}
			db := filepath.Join(dir, "corrections-run.db")
			if err := copyDB(base, db); err != nil {
				return "", err
			}
			s, err := knowledge.Open(ctx, db, o)
			if err != nil {
				return "", err
			}
			start := time.Now()
			err = putAll(ctx, s, changed)
			d := time.Since(start)
			if err == nil && check {
				var ps []knowledge.PendingCorrection
				ps, err = s.PendingCorrections(ctx)
				pending = len(ps)
			}
			s.Close()
			removeDB(db)
			if err != nil {
				return "", err
			}
			if check {
				on = append(on, d)
			} else {
				off = append(off, d)
			}
		}
	}
	mOn, mOff := median(on), median(off)
	var b strings.Builder
	b.WriteString("## Corrections: the check on a re-ingest of all of Reuters (#14)\n\n")
	fmt.Fprintf(&b, "%d articles re-ingested with one paragraph of each changed, into a store with %d recorded answers citing %d paragraphs; "+
		"median of %d alternating runs, each from a copy of the same database.\n\n", len(arts), correctionAnswers, cited, correctionRounds)
	b.WriteString("| re-ingest | median | runs |\n|---|---|---|\n")
	fmt.Fprintf(&b, "| alone (correction check off) | %.2f s | %s |\n", mOff.Seconds(), durations(off))
	fmt.Fprintf(&b, "| with the correction check (%d corrections left pending) | %.2f s | %s |\n\n", pending, mOn.Seconds(), durations(on))
	fmt.Fprintf(&b, "ratio with the check / alone: **%.3f×** (target under 1.2×)\n", mOn.Seconds()/mOff.Seconds())
	return b.String(), nil
}

// putAll stores arts in batches and fails on any article's error.
func putAll(ctx context.Context, s *knowledge.Store, arts []knowledge.Article) error {
	for i := 0; i < len(arts); i += correctionBatch {
		res, err := s.Put(ctx, arts[i:min(i+correctionBatch, len(arts))])
		if err != nil {
			return err
		}
		for _, r := range res {
			if r.Err != nil {
				return r.Err
			}
		}
	}
	return nil
}

// recordAnswers records correctionAnswers answers, each citing one to
// three paragraphs drawn with a fixed seed, as posted in chat; it returns
// how many distinct paragraphs they cite.
func recordAnswers(ctx context.Context, s *knowledge.Store) (int, error) {
	list, err := s.Articles(ctx, knowledge.ListOptions{})
	if err != nil {
		return 0, err
	}
	rng := rand.New(rand.NewPCG(14, 14))
	seen := map[string]bool{}
	for i := range correctionAnswers {
		rec := knowledge.AnswerRecord{Platform: "slack", Channel: "C1", Question: fmt.Sprintf("question %d", i), Text: "answer [1]"}
		for n := 1; n <= 1+rng.IntN(3); n++ {
			a := list[rng.IntN(len(list))]
			p, err := s.Passage(ctx, a.ID, 1+rng.IntN(a.Paragraphs))
			if err != nil {
				return 0, err
			}
			seen[p.PID] = true
			rec.Citations = append(rec.Citations, knowledge.CitedParagraph{N: n, PID: p.PID, Version: p.Version,
				ArticleID: p.ArticleID, Paragraph: p.Paragraph, Text: p.Text})
		}
		id, err := s.RecordAnswer(ctx, rec)
		if err != nil {
			return 0, err
		}
		if err := s.SetAnswerMessage(ctx, id, "", fmt.Sprintf("1800000000.%06d", i)); err != nil {
			return 0, err
		}
	}
	return len(seen), nil
}

func copyDB(from, to string) error {
	removeDB(to)
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.Create(to)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}

func durations(ds []time.Duration) string {
	var parts []string
	for _, d := range ds {
		parts = append(parts, fmt.Sprintf("%.2f s", d.Seconds()))
	}
	return strings.Join(parts, ", ")
}
