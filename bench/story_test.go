package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
)

// The floors of the story guard: a little under what the extractive engine
// answers today (see bench/RESULTS.md). Every unanswerable question must
// abstain.
const (
	floorParaphraseAnswerable = 40 // of the paraphrase set's 61 answerable questions
	floorPublicAnswerable     = 10 // of the 13 answerable public story questions
)

// TestStoryFloors asks the paraphrase set and the public story questions of
// the story's two articles through Engine.Ask, extractively.
func TestStoryFloors(t *testing.T) {
	shared := filepath.Join("..", "..", "shared")
	for _, set := range []struct {
		name, path string
		floor      int
	}{
		{"paraphrase set", filepath.Join("..", "eval", "story-paraphrases.jsonl"), floorParaphraseAnswerable},
		{"public questions", filepath.Join(shared, "eval", "story-questions.jsonl"), floorPublicAnswerable},
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
		if tally.unanswerable.right < tally.unanswerable.n {
			t.Errorf("%s: %d of %d unanswerable questions answered\n%s", set.name,
				tally.unanswerable.n-tally.unanswerable.right, tally.unanswerable.n, strings.Join(tally.wrong, ""))
		}
	}
}
