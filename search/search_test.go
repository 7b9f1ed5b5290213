package search_test

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/byline-bot/byline/knowledge"
	"github.com/byline-bot/byline/search"
)

// openStore returns a real store in a temporary folder.
func openStore(t *testing.T) *knowledge.Store {
	t.Helper()
	s, err := knowledge.Open(context.Background(), filepath.Join(t.TempDir(), "byline.db"), knowledge.Options{
		Now: func() time.Time { return time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC) },
	})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s
}

// putArticles stores a small council and festival news set.
func putArticles(t *testing.T, s *knowledge.Store) {
	t.Helper()
	when := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	arts := []knowledge.Article{
		{ID: "festival", Ref: "test#festival", Source: "Ledger", Title: "Festival returns", Published: when, Paragraphs: []string{
			"The mayor opened the festival on Saturday.",
			"Crowds filled the square for the parade.",
			"The mayor later said that next year, perhaps with a larger budget, the festival would run a week.",
		}},
		{ID: "report", Ref: "test#report", Source: "Herald", Title: "A report on hacking", Published: when.Add(time.Hour), Paragraphs: []string{
			"Microsoft published a report on foreign hacking on Friday.",
			"The report, titled Iran Targets the Election, named the groups involved.",
		}},
		{ID: "markets", Ref: "test#markets", Source: "Gazette", Title: "Oil prices rise", Published: when, Paragraphs: []string{
			"Oil prices rose on Tuesday as supplies tightened.",
			"Gold was steady while traders waited for the central bank.",
		}},
	}
	res, err := s.Put(context.Background(), arts)
	if err != nil {
		t.Fatalf("Put: %v", err)
	}
	for _, r := range res {
		if r.Err != nil {
			t.Fatalf("Put: %v", r.Err)
		}
	}
}

func refs(ps []knowledge.Passage) []string {
	var out []string
	for _, p := range ps {
		out = append(out, p.Ref())
	}
	return out
}

func TestSearch(t *testing.T) {
	ctx := context.Background()
	s := openStore(t)
	putArticles(t, s)
	searcher, err := search.New(search.Options{Store: s})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		q    knowledge.Query
		want []string
	}{
		{"words together first", knowledge.Query{Text: "What did the mayor say about the festival?", Limit: 2}, []string{"festival#1", "festival#3"}},
		{"a title asked for finds the naming cue", knowledge.Query{Text: "What is the title of the Microsoft report?", Limit: 1}, []string{"report#2"}},
		{"source filter", knowledge.Query{Text: "report prices rose", Sources: []string{"gazette"}, Limit: 1}, []string{"markets#1"}},
		{"nothing searchable", knowledge.Query{Text: "the of 😀"}, nil},
		{"no match", knowledge.Query{Text: "volcano"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ps, err := searcher.Search(ctx, tt.q)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, refs(ps)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
			for i, p := range ps {
				if i == 0 && p.Score != 1 {
					t.Errorf("%s, the best, scores %v, want 1", p.Ref(), p.Score)
				}
				if p.Score <= 0 || i > 0 && p.Score > ps[i-1].Score {
					t.Errorf("%s scores %v after %v: want positive and no more than the one before", p.Ref(), p.Score, ps[max(i-1, 0)].Score)
				}
			}
		})
	}
}

// fakeSource is a second candidate source that returns fixed passages.
type fakeSource struct {
	passages []knowledge.Passage
	err      error
	got      []search.Plan
}

func (f *fakeSource) Candidates(ctx context.Context, p search.Plan, q knowledge.Query, n int) ([]knowledge.Passage, error) {
	f.got = append(f.got, p)
	return f.passages, f.err
}

func TestSecondSourceIsFused(t *testing.T) {
	ctx := context.Background()
	s := openStore(t)
	putArticles(t, s)
	// The paragraph about the square holds none of the question's words:
	// only the second source can find it, and it is measured and ranked
	// with the store's candidates.
	square, err := s.Passage(ctx, "festival", 2)
	if err != nil {
		t.Fatal(err)
	}
	src := &fakeSource{passages: []knowledge.Passage{square}}
	searcher, err := search.New(search.Options{Store: s, Sources: []search.Source{src}})
	if err != nil {
		t.Fatal(err)
	}
	ps, err := searcher.Search(ctx, knowledge.Query{Text: "mayor festival parade", Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]search.Plan{{Words: []string{"mayor", "festival", "parade"}}}, src.got); diff != "" {
		t.Errorf("plan given to the source (-want +got):\n%s", diff)
	}
	seen := map[string]int{}
	for _, r := range refs(ps) {
		seen[r]++
	}
	if seen["festival#2"] != 1 {
		t.Errorf("got %v, want festival#2 once among them", refs(ps))
	}

	src.err = errors.New("index offline")
	if _, err := searcher.Search(ctx, knowledge.Query{Text: "mayor"}); !errors.Is(err, src.err) {
		t.Errorf("err = %v, want the source's error wrapped", err)
	}
}

func TestNewNeedsStore(t *testing.T) {
	if _, err := search.New(search.Options{}); err == nil {
		t.Error("New without a store: no error")
	}
}

func TestNewPlan(t *testing.T) {
	tests := []struct {
		question string
		want     search.Plan
	}{
		{"What is the title of the Microsoft report?", search.Plan{Words: []string{"title", "microsoft", "report"}, Cues: []string{"called", "titled", "entitled", "named", "dubbed"}}},
		{"What was the report called?", search.Plan{Words: []string{"report", "called"}, Cues: []string{"titled", "entitled", "named", "dubbed"}}},
		{"What is the name of the spokesman?", search.Plan{Words: []string{"name", "spokesman"}}},
		{"Who accused Iran?", search.Plan{Words: []string{"accused", "iran"}, AsksName: true}},
		{"When did the strike end?", search.Plan{Words: []string{"strike", "end"}, AsksNumber: true}},
		{"How many workers walked out?", search.Plan{Words: []string{"workers", "walked"}, AsksNumber: true}},
		{"How did the union react?", search.Plan{Words: []string{"union", "react"}}},
		{"", search.Plan{}},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, search.NewPlan(tt.question)); diff != "" {
			t.Errorf("NewPlan(%q) (-want +got):\n%s", tt.question, diff)
		}
	}
}
