package main

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/byline-bot/byline/knowledge"
)

// The floors of the CI guard on the SQuAD answer protocol: a little under
// what the engine reaches on this fixed 1,000-question sample (see
// bench/RESULTS.md), so that a later change cannot quietly lose it.
const (
	floorStoredRight      = 0.72
	floorWithheldAbstains = 0.85
)

// TestSQuADAnswersFloor asks a fixed sample of 1,000 SQuAD dev questions
// through Engine.Ask, with a tenth of the articles withheld, and fails when
// either rate falls under its floor.
func TestSQuADAnswersFloor(t *testing.T) {
	path := filepath.Join("..", "..", "shared", "eval", "squad-dev-v1.1.json.gz")
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("the SQuAD dev set is read from ../shared/eval beside the repository: %v", err)
	}
	ctx := context.Background()
	corpus, err := buildQA(ctx, path, filepath.Join(t.TempDir(), "qa.db"), knowledge.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer corpus.store.Close()
	engine, err := benchEngine(corpus.store, nil)
	if err != nil {
		t.Fatal(err)
	}
	results, err := askQA(ctx, corpus, engine, nil, sampleCases(corpus.cases, 1000))
	if err != nil {
		t.Fatal(err)
	}
	var all qaTally
	for _, r := range results {
		all.add(r.c, r.a.Abstained, r.right)
	}
	stored, withheld := ratio(all.storedRight, all.stored), ratio(all.withheldRight, all.withheld)
	t.Logf("%d questions: stored-article right %.3f (%d/%d), withheld-article abstained %.3f (%d/%d)",
		len(results), stored, all.storedRight, all.stored, withheld, all.withheldRight, all.withheld)
	if all.stored < 700 || all.withheld < 50 {
		t.Fatalf("the sample holds %d stored-article and %d withheld-article questions; the withholding changed", all.stored, all.withheld)
	}
	if stored < floorStoredRight {
		t.Errorf("stored-article questions right %.3f; floor %.2f", stored, floorStoredRight)
	}
	if withheld < floorWithheldAbstains {
		t.Errorf("withheld-article questions abstained %.3f; floor %.2f", withheld, floorWithheldAbstains)
	}
}
