package search_test

import (
	"bufio"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/byline-bot/byline/knowledge"
	"github.com/byline-bot/byline/knowledge/ingest"
	"github.com/byline-bot/byline/search"
)

// sharedDir is the shared data folder beside the repository.
const sharedDir = "../../shared"

// storyQuestion is one line of eval/story-questions.jsonl.
type storyQuestion struct {
	ID         string `json:"id"`
	Question   string `json:"question"`
	Answerable bool   `json:"answerable"`
	Gold       []struct {
		SourceFile string `json:"source_file"`
		Contains   string `json:"contains"`
	} `json:"gold"`
}

func readStoryQuestions(t *testing.T) []storyQuestion {
	t.Helper()
	f, err := os.Open(filepath.Join(sharedDir, "eval", "story-questions.jsonl"))
	if err != nil {
		t.Fatalf("the story questions are read from ../shared (beside the repository): %v", err)
	}
	defer f.Close()
	var qs []storyQuestion
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var q storyQuestion
		if err := json.Unmarshal(sc.Bytes(), &q); err != nil {
			t.Fatal(err)
		}
		qs = append(qs, q)
	}
	if len(qs) == 0 {
		t.Fatal("no story questions")
	}
	return qs
}

// TestStoryRetrieval ingests the story's two articles and checks that every
// answerable question finds a gold paragraph among its top five passages.
func TestStoryRetrieval(t *testing.T) {
	ctx := context.Background()
	s := openStore(t)
	searcher, err := search.New(search.Options{Store: s})
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(sharedDir, "corpus", "story")
	sum, err := ingest.Run(ctx, s, []string{dir}, ingest.Options{})
	if err != nil {
		t.Fatalf("ingest %s (the story is read from ../shared beside the repository): %v", dir, err)
	}
	if sum.New != 2 || sum.Failed() != 0 {
		t.Fatalf("ingest: %s", sum)
	}
	list, err := s.Articles(ctx, knowledge.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	fileOf := map[string]string{} // article id -> file name
	for _, a := range list {
		for _, ref := range a.Refs {
			fileOf[a.ID] = filepath.Base(ref)
		}
	}

	answerable := 0
	for _, q := range readStoryQuestions(t) {
		if !q.Answerable {
			continue
		}
		answerable++
		ps, err := searcher.Search(ctx, knowledge.Query{Text: q.Question, Limit: 5})
		if err != nil {
			t.Fatalf("%s: %v", q.ID, err)
		}
		found := false
		for _, p := range ps {
			for _, g := range q.Gold {
				if fileOf[p.ArticleID] == g.SourceFile && strings.Contains(p.Text, g.Contains) {
					found = true
				}
			}
		}
		if !found {
			var got []string
			for _, p := range ps {
				got = append(got, p.Ref()+" "+p.Text[:min(60, len(p.Text))])
			}
			t.Errorf("%s %q: no gold paragraph in the top 5:\n  %s", q.ID, q.Question, strings.Join(got, "\n  "))
		}
	}
	if answerable < 10 {
		t.Errorf("only %d answerable questions read", answerable)
	}
}
