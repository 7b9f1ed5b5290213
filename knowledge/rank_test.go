package knowledge

import (
	"context"
	"github.com/byline-bot/byline/text"
	"math"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// testTerms returns question terms with the given idfs, named a, b, c...
func testTerms(idfs ...float64) []Term {
	terms := make([]Term, len(idfs))
	for i, v := range idfs {
		w := string(rune('a' + i))
		terms[i] = Term{Word: w, Stem: w, IDF: v}
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
		hits []Hit
		want float64
	}{
		{"no hits", nil, 0},
		{"one word", []Hit{{0, 0}, {1, 0}, {5, 0}}, 0},
		{"adjacent pair", []Hit{{0, 0}, {1, 1}}, sat(2, 3) + sat(3, 2)},
		{"pair two apart counts a quarter", []Hit{{0, 0}, {2, 1}}, sat(2, 3.0/4) + sat(3, 2.0/4)},
		{"only neighbours pair up", []Hit{{0, 0}, {1, 0}, {2, 1}}, sat(2, 3) + sat(3, 2)},
		{"a common word adds little", []Hit{{0, 0}, {1, 2}}, sat(2, 0.5) + sat(0.5, 2)},
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
		hits    []Hit
		inTitle []int
		w       int
		want    float64
	}{
		{"no hits", nil, nil, 20, 0},
		{"repeats count once", []Hit{{0, 0}, {1, 0}, {2, 0}}, nil, 20, 1},
		{"all in one window", []Hit{{0, 0}, {5, 1}, {19, 2}}, nil, 20, 7},
		{"just out of reach", []Hit{{0, 0}, {5, 1}, {20, 2}}, nil, 20, 6},
		{"best of two windows", []Hit{{0, 2}, {30, 0}, {31, 1}}, nil, 20, 4},
		{"window slides", []Hit{{0, 0}, {15, 1}, {25, 2}, {40, 1}}, nil, 20, 6},
		{"title words are in every window", []Hit{{0, 0}, {50, 1}}, []int{0, 0, 1}, 20, 6},
		{"a title word found again counts once", []Hit{{0, 2}, {1, 1}}, []int{0, 0, 2}, 20, 6},
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
	terms := []Term{}
	for _, w := range []string{"invented", "cafe", "running", "the", "1995"} {
		terms = append(terms, Term{Word: w, Stem: stem(w), IDF: 1})
	}
	tests := []struct {
		name string
		text string
		want []Hit
		n    int
	}{
		{"other forms of a word", "Who invented it? The invention, inventing.", []Hit{{1, 0}, {4, 0}, {5, 0}}, 6},
		{"case and diacritics", "Le CAFÉ, a café.", []Hit{{1, 1}, {3, 1}}, 4},
		{"stems and irregular forms", "He runs; she ran; they run.", []Hit{{1, 2}, {3, 2}, {5, 2}}, 6},
		{"stop words never match", "the THE The", nil, 3},
		{"numbers", "In 1995, not 19950.", []Hit{{1, 4}}, 4},
		{"nothing", "", nil, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, n := newMatcher(terms).hits(tt.text)
			if diff := cmp.Diff(tt.want, got); diff != "" {
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
func TestScanMatchesTokenize(t *testing.T) {
	for _, s := range append([]string{
		"Hello, World! 1995 Ünïcode café ÉCOLE naïve x" + strings.Repeat("a", 60) + " end",
		"AZaz09@[`{ ZZ",
		"don't stop",
		"日本語 テキスト 😀 ok",
		"a\xffb",
		"cafe\u0301 " + strings.Repeat("é", 30),
	}, hostileQueries...) {
		var got []string
		scan(s, func(tok []byte, pos int) {
			if pos != len(got) {
				t.Errorf("%q: position %d, want %d", s, pos, len(got))
			}
			got = append(got, string(tok))
		})
		if diff := cmp.Diff(text.Tokens(s, 1<<20), got); diff != "" {
			t.Errorf("scan(%q) (-tokenize +scan):\n%s", s, diff)
		}
	}
}

// rerank orders passages as Store.Search does.
func rerank(terms []Term, ps []Passage) {
	cands := Measure(terms, ps)
	rank(cands)
	for i, c := range cands {
		ps[i] = c.Passage
	}
}

func TestRerank(t *testing.T) {
	terms := []Term{}
	for _, w := range []string{"mayor", "festival", "budget"} {
		terms = append(terms, Term{Word: w, Stem: stem(w), IDF: 2})
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
		}
	})
}
