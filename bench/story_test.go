package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
)

// The floors of the story guard: a little under what the extractive engine
// answers today (see bench/RESULTS.md, issue 13). Issue 13 asks that every
// unanswerable question abstain; since the abstention threshold is chosen
// on SQuAD's odd half rather than on these sets, one of each set is
// answered today (u06 and s15), and the floors say so instead of hiding
// it: a change that answers more of them fails here.
const (
	floorParaphraseAnswerable   = 48 // of the paraphrase set's 61 answerable questions (51 today)
	floorParaphraseUnanswerable = 10 // of its 11 unanswerable ones (10 today)
	floorPublicAnswerable       = 10 // of the 13 answerable public story questions (11 today)
	floorPublicUnanswerable     = 1  // of its 2 unanswerable ones (1 today)
)

// TestStoryFloors asks the paraphrase set and the public story questions of
// the story's two articles through Engine.Ask, extractively.
func TestStoryFloors(t *testing.T) {
	shared := filepath.Join("..", "..", "shared")
	for _, set := range []struct {
		name, path       string
		floor, abstained int
	}{
		{"paraphrase set", filepath.Join("..", "eval", "story-paraphrases.jsonl"), floorParaphraseAnswerable, floorParaphraseUnanswerable},
		{"public questions", filepath.Join(shared, "eval", "story-questions.jsonl"), floorPublicAnswerable, floorPublicUnanswerable},
	} {
		tally, err := storyScore(context.Background(), shared, set.path, filepath.Join(t.TempDir(), "story.db"))
		if err != nil {
			t.Fatalf("%s: %v", set.name, err)
		}
		t.Logf("%s: answerable right %d/%d, unanswerable abstained %d/%d", set.name,
			tally.answerable.right, tally.answerable.n, tally.unanswerable.right, tally.unanswerable.n)
		if tally.answerable.right < set.floor {
			t.Errorf("%s: %d answerable questions right; floor %d\n%s", set.name, tally.answerable.right, set.floor, strings.Join(tally.wrong, ""))
		}
		if tally.unanswerable.right < set.abstained {
			t.Errorf("%s: %d of %d unanswerable questions abstained; floor %d\n%s", set.name,
				tally.unanswerable.right, tally.unanswerable.n, set.abstained, strings.Join(tally.wrong, ""))
		}
	}
}
