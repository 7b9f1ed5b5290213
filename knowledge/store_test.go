package knowledge_test

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/byline-bot/byline/knowledge"
)

// openStore opens a fresh store in a temporary folder, with a fixed clock.
func openStore(t *testing.T) (*knowledge.Store, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "byline.db")
	s, err := knowledge.Open(context.Background(), path, knowledge.Options{
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
	return s, path
}

func put(t *testing.T, s *knowledge.Store, arts ...knowledge.Article) []knowledge.PutResult {
	t.Helper()
	res, err := s.Put(context.Background(), arts)
	if err != nil {
		t.Fatalf("Put: %v", err)
	}
	return res
}

func outcomes(res []knowledge.PutResult) []string {
	var out []string
	for _, r := range res {
		if r.Err != nil {
			out = append(out, "error")
			continue
		}
		out = append(out, r.ArticleID+":"+r.Outcome.String())
	}
	return out
}

var (
	council = knowledge.Article{
		Ref:       "examples/council.md",
		Source:    "Riverton Ledger",
		Title:     "Council approves bike lanes",
		URL:       "https://ledger.example/council",
		Published: time.Date(2026, 3, 4, 18, 0, 0, 0, time.UTC),
		Paragraphs: []string{
			"The city council voted 5-2 on Tuesday to build protected bike lanes on Main Street.",
			"Mayor Ana Ruiz said the lanes would open before the summer festival.",
		},
	}
	strike = knowledge.Article{
		ID:        "rail-strike",
		Ref:       "feeds/rail.xml#rail-strike",
		Source:    "Valley Wire",
		Title:     "Rail workers strike",
		Published: time.Date(2026, 4, 1, 7, 0, 0, 0, time.UTC),
		Paragraphs: []string{
			"Regional rail workers walked out at dawn, the union said.",
			"The operator called the strike unlawful and promised replacement buses.",
		},
	}
)

func TestPutOutcomes(t *testing.T) {
	s, _ := openStore(t)

	got := outcomes(put(t, s, council, strike))
	if diff := cmp.Diff([]string{"council:new", "rail-strike:new"}, got); diff != "" {
		t.Fatalf("first put (-want +got):\n%s", diff)
	}

	got = outcomes(put(t, s, council, strike))
	if diff := cmp.Diff([]string{"council:unchanged", "rail-strike:unchanged"}, got); diff != "" {
		t.Fatalf("second put (-want +got):\n%s", diff)
	}

	// The same text under another ref is stored once, with both refs.
	copy := council
	copy.Ref = "mirror/council.txt"
	copy.Source = "Mirror"
	got = outcomes(put(t, s, copy))
	if diff := cmp.Diff([]string{"council:merged"}, got); diff != "" {
		t.Fatalf("copy (-want +got):\n%s", diff)
	}

	// A changed text replaces the paragraphs and records the update.
	changed := strike
	changed.Paragraphs = []string{"Regional rail workers ended their strike after one day."}
	got = outcomes(put(t, s, changed))
	if diff := cmp.Diff([]string{"rail-strike:updated"}, got); diff != "" {
		t.Fatalf("change (-want +got):\n%s", diff)
	}

	list, err := s.Articles(context.Background(), knowledge.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	type row struct {
		ID         string
		Paragraphs int
		Revision   int
		Refs       string
	}
	var rows []row
	for _, a := range list {
		rows = append(rows, row{a.ID, a.Paragraphs, a.Revision, strings.Join(sortedCopy(a.Refs), " ")})
	}
	want := []row{
		{"rail-strike", 1, 2, "feeds/rail.xml#rail-strike"},
		{"council", 2, 1, "examples/council.md mirror/council.txt"},
	}
	if diff := cmp.Diff(want, rows); diff != "" {
		t.Errorf("articles (-want +got):\n%s", diff)
	}
	p, err := s.Passage(context.Background(), "rail-strike", 1)
	if err != nil {
		t.Fatal(err)
	}
	if p.Text != changed.Paragraphs[0] {
		t.Errorf("paragraph 1 after update = %q, want %q", p.Text, changed.Paragraphs[0])
	}
	if _, err := s.Passage(context.Background(), "rail-strike", 2); !errors.Is(err, knowledge.ErrNotFound) {
		t.Errorf("paragraph 2 after update: err = %v, want ErrNotFound", err)
	}
	// The old text is gone from the index too.
	ps, err := s.Search(context.Background(), knowledge.Query{Text: "replacement buses unlawful"})
	if err != nil {
		t.Fatal(err)
	}
	if len(ps) != 0 {
		t.Errorf("search for replaced text found %v", ps)
	}
	if err := s.IntegrityCheck(context.Background()); err != nil {
		t.Error(err)
	}
}

func sortedCopy(ss []string) []string {
	out := append([]string(nil), ss...)
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if out[j] < out[i] {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
}

func TestPutBadArticleDoesNotStopBatch(t *testing.T) {
	s, _ := openStore(t)
	empty := knowledge.Article{Ref: "empty.txt"}
	noRef := knowledge.Article{Paragraphs: []string{"text"}}
	blank := knowledge.Article{Ref: "blank.txt", Paragraphs: []string{"one", "  "}}
	badUTF8 := knowledge.Article{Ref: "bad.txt", Paragraphs: []string{"ok", "bad \xff byte"}}
	res := put(t, s, empty, council, noRef, blank, badUTF8, strike)
	got := outcomes(res)
	want := []string{"error", "council:new", "error", "error", "error", "rail-strike:new"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("(-want +got):\n%s", diff)
	}
	for _, i := range []int{0, 2, 3, 4} {
		if res[i].Err == nil || res[i].Err.Error() == "" {
			t.Errorf("result %d: want a descriptive error, got %v", i, res[i].Err)
		}
	}
	st, err := s.Stats(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(knowledge.Stats{Articles: 2, Paragraphs: 4, Refs: 2}, st); diff != "" {
		t.Errorf("stats (-want +got):\n%s", diff)
	}
}

func TestArticleIDs(t *testing.T) {
	s, _ := openStore(t)
	a := func(id, ref, text string) knowledge.Article {
		return knowledge.Article{ID: id, Ref: ref, Paragraphs: []string{text}}
	}
	res := put(t, s,
		a("", "/news/2026/Bike Lanes!.txt", "one"),
		a("", "/other/bike-lanes.md", "two"),
		a("", "https://news.example/2026/04/rail-strike-ends/", "three"),
		a("reuters-7", "corpus.jsonl#reuters-7", "four"),
		a("", "https://news.example/", "five"),
		a("", "#", "six"),
	)
	got := outcomes(res)
	want := []string{"bike-lanes:new", "bike-lanes-2:new", "rail-strike-ends:new", "reuters-7:new", "news.example:new", "a-"}
	if diff := cmp.Diff(want[:5], got[:5]); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if !strings.HasPrefix(got[5], "a-") {
		t.Errorf("id for an unreadable ref = %q, want a hash id a-…", got[5])
	}
	// An id is stable: the same ref keeps it after a change.
	res = put(t, s, a("", "/other/bike-lanes.md", "two, revised"))
	if diff := cmp.Diff([]string{"bike-lanes-2:updated"}, outcomes(res)); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestGenerationChangesOnlyWithText(t *testing.T) {
	s, _ := openStore(t)
	ctx := context.Background()
	g0, err := s.Generation(ctx)
	if err != nil {
		t.Fatal(err)
	}
	put(t, s, council)
	g1, _ := s.Generation(ctx)
	put(t, s, council)
	g2, _ := s.Generation(ctx)
	if g1 == g0 {
		t.Errorf("generation did not change after a new article: %d", g1)
	}
	if g2 != g1 {
		t.Errorf("generation changed after an unchanged put: %d -> %d", g1, g2)
	}
}

func TestReopenKeepsDataAndSchema(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "k.db")
	s, err := knowledge.Open(ctx, path, knowledge.Options{})
	if err != nil {
		t.Fatal(err)
	}
	put(t, s, council)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s, err = knowledge.Open(ctx, path, knowledge.Options{})
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	defer s.Close()
	if got := outcomes(put(t, s, council)); got[0] != "council:unchanged" {
		t.Errorf("after reopen: %v, want unchanged", got)
	}
}

func TestSearchFiltersAndFields(t *testing.T) {
	s, _ := openStore(t)
	put(t, s, council, strike)
	ctx := context.Background()

	// Filter cases compare sets: their order is bm25's business.
	tests := []struct {
		name  string
		q     knowledge.Query
		want  []string
		order bool
	}{
		{"plain", knowledge.Query{Text: "What did the mayor say about the bike lanes?"}, []string{"council#2", "council#1"}, true},
		{"stemmed", knowledge.Query{Text: "striking railway worker"}, []string{"rail-strike#1", "rail-strike#2"}, false},
		{"source filter", knowledge.Query{Text: "strike lanes", Sources: []string{"riverton ledger"}}, []string{"council#1", "council#2"}, false},
		{"since", knowledge.Query{Text: "strike lanes", Since: time.Date(2026, 3, 10, 0, 0, 0, 0, time.UTC)}, []string{"rail-strike#1", "rail-strike#2"}, false},
		{"until", knowledge.Query{Text: "strike lanes", Until: time.Date(2026, 3, 10, 0, 0, 0, 0, time.UTC)}, []string{"council#1", "council#2"}, false},
		{"limit", knowledge.Query{Text: "strike", Limit: 1}, []string{"rail-strike#2"}, true},
		{"article filter", knowledge.Query{Text: "strike lanes", ArticleIDs: []string{"council"}}, []string{"council#1", "council#2"}, false},
		{"article filter, no such article", knowledge.Query{Text: "strike lanes", ArticleIDs: []string{"nope"}}, nil, true},
		{"no match", knowledge.Query{Text: "volcano"}, nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ps, err := s.Search(ctx, tt.q)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, p := range ps {
				got = append(got, p.Ref())
			}
			if !tt.order {
				got = sortedCopy(got)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}

	ps, err := s.Search(ctx, knowledge.Query{Text: "mayor festival"})
	if err != nil || len(ps) == 0 {
		t.Fatalf("search: %v, %d passages", err, len(ps))
	}
	got := ps[0]
	if got.Score <= 0 {
		t.Errorf("score = %v, want positive (higher is better)", got.Score)
	}
	got.Score = 0
	want := knowledge.Passage{
		ArticleID: "council", Title: council.Title, Source: council.Source, URL: council.URL,
		Published: council.Published, Paragraph: 2, Text: council.Paragraphs[1],
		PID: "council~2", Version: 1,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("passage (-want +got):\n%s", diff)
	}
}

func TestParseRef(t *testing.T) {
	for _, tc := range []struct {
		in   string
		id   string
		n    int
		okay bool
	}{
		{"council-vote#2", "council-vote", 2, true},
		{"`council-vote#2`", "council-vote", 2, true},
		{"council-vote 3", "council-vote", 3, true},
		{"council-vote", "", 0, false},
		{"#2", "", 0, false},
		{"x#0", "", 0, false},
	} {
		id, n, ok := knowledge.ParseRef(tc.in)
		if id != tc.id || n != tc.n || ok != tc.okay {
			t.Errorf("ParseRef(%q) = %q, %d, %v", tc.in, id, n, ok)
		}
	}
}

// TestPutSeesAnotherStoresWrites has two Stores on one file, as `bot
// ingest` and `bot serve` are: what one writes under a ref must not be
// hidden by what the other remembers of it. Before, the second Put of the
// old text was reported unchanged, and the file kept the other's text.
func TestPutSeesAnotherStoresWrites(t *testing.T) {
	ctx := context.Background()
	serve, path := openStore(t)
	ingest, err := knowledge.Open(ctx, path, knowledge.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer ingest.Close()

	changed := strike
	changed.Paragraphs = []string{"Regional rail workers ended their strike after one day."}
	var got []string
	for _, step := range []struct {
		s *knowledge.Store
		a knowledge.Article
	}{{serve, strike}, {ingest, changed}, {serve, strike}, {serve, strike}, {ingest, strike}} {
		got = append(got, outcomes(put(t, step.s, step.a))...)
	}
	want := []string{"rail-strike:new", "rail-strike:updated", "rail-strike:updated", "rail-strike:unchanged", "rail-strike:unchanged"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("outcomes (-want +got):\n%s", diff)
	}
	p, err := ingest.Passage(ctx, "rail-strike", 1)
	if err != nil {
		t.Fatal(err)
	}
	if p.Text != strike.Paragraphs[0] {
		t.Errorf("stored text %q, want %q", p.Text, strike.Paragraphs[0])
	}
}
