package knowledge

import (
	"context"
	"math"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// testTerms returns question terms with the given idfs, named a, b, c...
func testTerms(idfs ...float64) []queryTerm {
	terms := make([]queryTerm, len(idfs))
	for i, v := range idfs {
		w := string(rune('a' + i))
		terms[i] = queryTerm{word: w, stem: w, idf: v}
	}
	return terms
}

var approx = cmpopts.EquateApprox(0, 1e-9)

func TestBM25(t *testing.T) {
	terms := testTerms(2, 0.5)
	tests := []struct {
		name string
		tf   []float64
		K    float64
		want float64
	}{
		{"no hits", []float64{0, 0}, 1.2, 0},
		{"one hit at average length scores the idf", []float64{1, 0}, bm25K1, 2},
		{"both words", []float64{1, 1}, bm25K1, 2.5},
		{"frequency saturates", []float64{3, 0}, bm25K1, 2 * 3 * 2.2 / (3 + 1.2)},
		{"longer paragraph scores less", []float64{1, 0}, 2.4, 2 * 2.2 / 3.4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, bm25(tt.tf, terms, tt.K), approx); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestProximity(t *testing.T) {
	terms := testTerms(2, 3, 0.5)
	const K = bm25K1
	sat := func(idf, acc float64) float64 { return math.Min(1, idf) * acc * (bm25K1 + 1) / (acc + K) }
	tests := []struct {
		name string
		hits []hit
		want float64
	}{
		{"no hits", nil, 0},
		{"one word", []hit{{0, 0}, {1, 0}, {5, 0}}, 0},
		{"adjacent pair", []hit{{0, 0}, {1, 1}}, sat(2, 3) + sat(3, 2)},
		{"pair two apart counts a quarter", []hit{{0, 0}, {2, 1}}, sat(2, 3.0/4) + sat(3, 2.0/4)},
		{"only neighbours pair up", []hit{{0, 0}, {1, 0}, {2, 1}}, sat(2, 3) + sat(3, 2)},
		{"a common word adds little", []hit{{0, 0}, {1, 2}}, sat(2, 0.5) + sat(0.5, 2)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := proximity(tt.hits, terms, K, make([]float64, len(terms)))
			if diff := cmp.Diff(tt.want, got, approx); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestDensestWindow(t *testing.T) {
	terms := testTerms(1, 2, 4)
	tests := []struct {
		name    string
		hits    []hit
		inTitle []int
		w       int
		want    float64
	}{
		{"no hits", nil, nil, 20, 0},
		{"repeats count once", []hit{{0, 0}, {1, 0}, {2, 0}}, nil, 20, 1},
		{"all in one window", []hit{{0, 0}, {5, 1}, {19, 2}}, nil, 20, 7},
		{"just out of reach", []hit{{0, 0}, {5, 1}, {20, 2}}, nil, 20, 6},
		{"best of two windows", []hit{{0, 2}, {30, 0}, {31, 1}}, nil, 20, 4},
		{"window slides", []hit{{0, 0}, {15, 1}, {25, 2}, {40, 1}}, nil, 20, 6},
		{"title words are in every window", []hit{{0, 0}, {50, 1}}, []int{0, 0, 1}, 20, 6},
		{"a title word found again counts once", []hit{{0, 2}, {1, 1}}, []int{0, 0, 2}, 20, 6},
		{"title alone", nil, []int{1, 1, 0}, 20, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inTitle := tt.inTitle
			if inTitle == nil {
				inTitle = make([]int, len(terms))
			}
			got := densestWindow(tt.hits, terms, tt.w, inTitle, make([]int, len(terms)))
			if diff := cmp.Diff(tt.want, got, approx); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestMatcherHits(t *testing.T) {
	terms := []queryTerm{}
	for _, w := range []string{"invented", "cafe", "running", "the", "1995"} {
		terms = append(terms, queryTerm{word: w, stem: stem(w), idf: 1})
	}
	tests := []struct {
		name string
		text string
		want []hit
		n    int
	}{
		{"other forms of a word", "Who invented it? The invention, inventing.", []hit{{1, 0}, {4, 0}, {5, 0}}, 6},
		{"case and diacritics", "Le CAFÉ, a café.", []hit{{1, 1}, {3, 1}}, 4},
		{"stems", "He runs; she ran; they run.", []hit{{1, 2}, {5, 2}}, 6},
		{"stop words never match", "the THE The", nil, 3},
		{"numbers", "In 1995, not 19950.", []hit{{1, 4}}, 4},
		{"nothing", "", nil, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, n := newMatcher(terms).hits(tt.text)
			if diff := cmp.Diff(tt.want, got, cmp.AllowUnexported(hit{})); diff != "" {
				t.Errorf("hits(%q) (-want +got):\n%s", tt.text, diff)
			}
			if n != tt.n {
				t.Errorf("hits(%q) length = %d, want %d", tt.text, n, tt.n)
			}
		})
	}
}

// TestScanMatchesTokenize checks that the re-ranker cuts text into the
// same words as the query builder (and so as the index).
func TestRerank(t *testing.T) {
	terms := []queryTerm{}
	for _, w := range []string{"mayor", "festival", "budget"} {
		terms = append(terms, queryTerm{word: w, stem: stem(w), idf: 2})
	}
	para := func(title, text string) Passage {
		return Passage{Title: title, Text: text}
	}
	tests := []struct {
		name  string
		cands []Passage
		want  []string
	}{
		{
			name: "words together beat the same words apart",
			cands: []Passage{
				para("News", "The mayor spoke at length on many other matters, and much later, near the end of a long day of hearings, the festival came up, as did the budget."),
				para("News", "The mayor cut the festival budget on a long day of hearings, and later spoke at length on many other matters near the end of it."),
			},
			want: []string{"The mayor cut", "The mayor spoke"},
		},
		{
			name: "more of the question's words win",
			cands: []Passage{
				para("News", "The festival opens on Friday."),
				para("News", "The festival budget, the mayor said, doubled."),
			},
			want: []string{"The festival budget", "The festival opens"},
		},
		{
			name: "ties keep their order",
			cands: []Passage{
				para("A", "Nothing here."),
				para("B", "Nothing there."),
			},
			want: []string{"Nothing here", "Nothing there"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rerank(terms, tt.cands)
			var got []string
			for i, c := range tt.cands {
				got = append(got, c.Text[:len(tt.want[i])])
				if i > 0 && c.Score > tt.cands[i-1].Score {
					t.Errorf("score %v after %v", c.Score, tt.cands[i-1].Score)
				}
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
	t.Run("the title completes the paragraph", func(t *testing.T) {
		cands := []Passage{
			para("Weather", "The mayor said the budget would wait."),
			para("Festival news", "The mayor said the budget would wait."),
		}
		rerank(terms, cands)
		if cands[0].Title != "Festival news" || cands[0].Score <= cands[1].Score {
			t.Errorf("got %q (%v) before %q (%v), want the festival title first",
				cands[0].Title, cands[0].Score, cands[1].Title, cands[1].Score)
		}
	})
}

// FuzzSearch runs any text through Search against a small real store:
// it never fails, and every passage it returns is stored.
func FuzzSearch(f *testing.F) {
	for _, seed := range hostileQueries {
		f.Add(seed)
	}
	s, err := Open(context.Background(), f.TempDir()+"/byline.db", Options{CommonTermDocs: 2, QueryPostings: 3})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { s.Close() })
	putTestArticles(f, s)
	f.Fuzz(func(t *testing.T, q string) {
		ps, err := s.Search(context.Background(), Query{Text: q, Limit: 3})
		if err != nil {
			t.Fatalf("Search(%q): %v", q, err)
		}
		if len(ps) > 3 {
			t.Errorf("Search(%q): %d passages, want at most 3", q, len(ps))
		}
		for _, p := range ps {
			if p.ArticleID == "" || p.Text == "" {
				t.Errorf("Search(%q): empty passage %+v", q, p)
			}
			// What a citation shows must be what is stored under its ref.
			id, n, ok := ParseRef(p.Ref())
			if !ok {
				t.Errorf("Search(%q): ref %q does not parse", q, p.Ref())
				continue
			}
			stored, err := s.Passage(context.Background(), id, n)
			if err != nil {
				t.Errorf("Search(%q): returned %s, which is not stored: %v", q, p.Ref(), err)
				continue
			}
			got := p
			got.Score = 0
			if diff := cmp.Diff(stored, got); diff != "" {
				t.Errorf("Search(%q): %s differs from the stored passage (-stored +returned):\n%s", q, p.Ref(), diff)
			}
		}
	})
}
