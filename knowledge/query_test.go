package knowledge

import (
	"context"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"

	"github.com/byline-bot/byline/text"
)

func TestQueryWords(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []string
	}{
		{"stop words dropped", "What did the mayor say about the festival?", []string{"mayor", "festival"}},
		{"reporting verbs dropped", "Who said it, and what does she says?", nil},
		{"duplicates once, first order", "Rates rise as rates RISE", []string{"rates", "rise"}},
		{"only stop words", "What is it and who are they?", nil},
		{"operators are words", "oil AND prices OR NOT gold", []string{"oil", "prices", "gold"}},
		{"empty", "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := queryWords(tt.in)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("queryWords(%q) (-want +got):\n%s", tt.in, diff)
			}
		})
	}
}

func TestQueryWordsBounded(t *testing.T) {
	var b strings.Builder
	for i := range 200 {
		b.WriteString("w")
		b.WriteString(strings.Repeat("x", i%40+1))
		b.WriteString(string(rune('a'+i%26)) + " ")
	}
	if got := len(queryWords(b.String())); got != maxQueryTerms {
		t.Errorf("len(queryWords(200 distinct words)) = %d, want %d", got, maxQueryTerms)
	}
}

func TestMatchExpr(t *testing.T) {
	tests := []struct {
		name string
		kept []string
		all  bool
		want string
	}{
		{"none", nil, false, ""},
		{"one", []string{"mayor"}, false, `"mayor"`},
		{"any", []string{"mayor", "festival"}, false, `"mayor" OR "festival"`},
		{"all", []string{"oil", "prices", "gold"}, true, `"oil" AND "prices" AND "gold"`},
		{"quote doubled", []string{`say"hi`}, false, `"say""hi"`},
		{"operator words quoted", []string{"near", "and", "or", "not"}, false, `"near" OR "and" OR "or" OR "not"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := matchExpr(tt.kept, tt.all)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("matchExpr(%q, %v) (-want +got):\n%s", tt.kept, tt.all, diff)
			}
			if err := checkMatchExpr(got); err != "" {
				t.Errorf("matchExpr(%q, %v) = %s: %s", tt.kept, tt.all, got, err)
			}
		})
	}
}

// checkMatchExpr returns why expr is not only quoted strings joined by OR
// or AND, or "" when it is.
func checkMatchExpr(expr string) string {
	if expr == "" {
		return ""
	}
	op := ""
	for i := 0; ; {
		if i >= len(expr) || expr[i] != '"' {
			return "want a quoted string at byte " + itoa(i)
		}
		i++
		for {
			j := strings.IndexByte(expr[i:], '"')
			if j < 0 {
				return "unterminated string"
			}
			i += j + 1
			if i < len(expr) && expr[i] == '"' { // a doubled quote
				i++
				continue
			}
			break
		}
		if i == len(expr) {
			return ""
		}
		rest := expr[i:]
		var next string
		switch {
		case strings.HasPrefix(rest, " OR "):
			next = " OR "
		case strings.HasPrefix(rest, " AND "):
			next = " AND "
		default:
			return "want OR or AND at byte " + itoa(i)
		}
		if op != "" && op != next {
			return "OR and AND mixed"
		}
		op = next
		i += len(next)
	}
}

func itoa(i int) string { return strconv.Itoa(i) }

// FuzzMatchExpr checks that any text becomes a well-formed expression of
// quoted strings joined by OR or AND alone, and that text.Tokens keeps to
// what the index could hold.
func FuzzMatchExpr(f *testing.F) {
	for _, seed := range hostileQueries {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, s string) {
		words := queryWords(s)
		if len(words) > maxQueryTerms {
			t.Errorf("%d words, want at most %d", len(words), maxQueryTerms)
		}
		for _, w := range words {
			if w == "" || len(w) > text.MaxTokenBytes || !utf8.ValidString(w) {
				t.Errorf("bad word %q", w)
			}
		}
		for _, all := range []bool{false, true} {
			expr := matchExpr(words, all)
			if err := checkMatchExpr(expr); err != "" {
				t.Errorf("matchExpr(queryWords(%q), %v) = %s: %s", s, all, expr, err)
			}
			if (expr == "") != (len(words) == 0) {
				t.Errorf("matchExpr(%q) = %q", words, expr)
			}
		}
	})
}

// hostileQueries are texts that would break a MATCH expression built
// carelessly.
var hostileQueries = []string{
	"",
	"   ",
	`"`,
	`""""`,
	`"mayor`,
	`mayor"s festival`,
	"NEAR(mayor festival, 2)",
	"NEAR(",
	"mayor*",
	"*",
	"-mayor",
	"- -",
	"title:mayor",
	"body:",
	"{title body}: mayor",
	"mayor AND OR NOT festival",
	"AND",
	"OR OR OR",
	"NOT mayor",
	"^mayor",
	"mayor + festival",
	"(mayor",
	")",
	"🎉🎉🎉",
	"mayor 🎉 festival",
	"\x00mayor\x00",
	"\xff\xfe mayor",
	"'; DROP TABLE paragraphs; --",
	"the of and a",
	"Ünïcödé MAYOR Fëstïvål",
}

// TestSearchHostileQueries runs every hostile text, and 20 kB of text,
// through Search against a real store: each gives passages or none, never
// an error, and those naming the mayor find him.
func TestSearchHostileQueries(t *testing.T) {
	ctx := context.Background()
	s := openTestStore(t, Options{})
	putTestArticles(t, s)
	long := strings.Repeat("The mayor spoke about the festival budget and the parade route. ", 320)
	queries := append(append([]string(nil), hostileQueries...), long, strings.Repeat("x", 20000), strings.Repeat("🎉", 5000))
	for _, q := range queries {
		for _, query := range []Query{
			{Text: q},
			{Text: q, Limit: 100, Sources: []string{"gazette"}, Since: time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)},
		} {
			ps, err := s.Search(ctx, query)
			if err != nil {
				t.Errorf("Search(%.40q): %v", q, err)
				continue
			}
			if !strings.Contains(strings.ToLower(q), "mayor") {
				continue
			}
			found := false
			for _, p := range ps {
				found = found || strings.Contains(p.Text, "mayor")
			}
			if !found {
				t.Errorf("Search(%.40q) found no paragraph about the mayor", q)
			}
		}
	}
}

func openTestStore(t *testing.T, opts Options) *Store {
	t.Helper()
	s, err := Open(context.Background(), filepath.Join(t.TempDir(), "byline.db"), opts)
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

// putTestArticles stores three small articles.
func putTestArticles(t testing.TB, s *Store) {
	t.Helper()
	when := time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
	arts := []Article{
		{ID: "festival", Ref: "test#festival", Source: "Gazette", Title: "City plans summer festival", Published: when, Paragraphs: []string{
			"The mayor announced the summer festival on Monday.",
			"Tickets go on sale in June, and the parade route was published.",
			"The festival budget grew, a council report on the mayor's office said, after a long debate about the festival.",
		}},
		{ID: "port", Ref: "test#port", Source: "Herald", Title: "Port strike ends", Published: when, Paragraphs: []string{
			"Dock workers returned to work after a two-week strike at the port.",
			"The union said wages would rise by four percent.",
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

func TestPlan(t *testing.T) {
	ctx := context.Background()
	// In the test articles "festival" is in 3 paragraphs (the title
	// counts), "mayor", "oil" and "prices" in 2, "parade" and "gold" in 1.
	tests := []struct {
		name     string
		opts     Options
		question string
		want     searchPlan
	}{
		{
			name:     "unbounded: every word ranked, all three and the rarest two AND-ed",
			question: "Where is the festival parade, mayor?",
			want: searchPlan{
				any: `"parade" OR "mayor" OR "festival"`,
				all: []string{`"parade" AND "mayor" AND "festival"`, `"parade" AND "mayor"`},
			},
		},
		{
			name:     "at most the rarest four AND-ed",
			question: "festival parade mayor gold oil",
			want: searchPlan{
				any: `"parade" OR "gold" OR "mayor" OR "oil" OR "festival"`,
				all: []string{`"parade" AND "gold" AND "mayor" AND "oil"`, `"parade" AND "gold"`},
			},
		},
		{
			name:     "common word left out of the ranked query",
			opts:     Options{CommonTermDocs: 3, QueryPostings: 100},
			question: "Where is the festival parade, mayor?",
			want: searchPlan{
				any: `"parade" OR "mayor"`,
				all: []string{`"parade" AND "mayor" AND "festival"`, `"parade" AND "mayor"`},
			},
		},
		{
			name:     "postings budget keeps the rarest",
			opts:     Options{CommonTermDocs: 100, QueryPostings: 3},
			question: "Where is the festival parade, mayor?",
			want: searchPlan{
				any: `"parade" OR "mayor"`,
				all: []string{`"parade" AND "mayor" AND "festival"`, `"parade" AND "mayor"`},
			},
		},
		{
			name:     "only common words: no ranked query",
			opts:     Options{CommonTermDocs: 2, QueryPostings: 100},
			question: "oil prices",
			want:     searchPlan{all: []string{`"oil" AND "prices"`}},
		},
		{
			name:     "one common word",
			opts:     Options{CommonTermDocs: 2, QueryPostings: 100},
			question: "festival?",
			want:     searchPlan{all: []string{`"festival"`}},
		},
		{
			name:     "unknown words skipped",
			question: "zeppelin gold",
			want:     searchPlan{any: `"gold"`},
		},
		{
			name:     "nothing known",
			question: "zeppelin",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := openTestStore(t, tt.opts)
			putTestArticles(t, s)
			gen, err := s.Generation(ctx)
			if err != nil {
				t.Fatal(err)
			}
			got, err := s.plan(ctx, gen, queryWords(tt.question), nil)
			if err != nil {
				t.Fatal(err)
			}
			got.terms = nil
			if diff := cmp.Diff(tt.want, got, cmp.AllowUnexported(searchPlan{})); diff != "" {
				t.Errorf("plan(%q) (-want +got):\n%s", tt.question, diff)
			}
		})
	}
}

func TestDocFreqsFollowGeneration(t *testing.T) {
	ctx := context.Background()
	s := openTestStore(t, Options{CommonTermDocs: 2})
	putTestArticles(t, s)
	count := func() []int {
		t.Helper()
		gen, err := s.Generation(ctx)
		if err != nil {
			t.Fatal(err)
		}
		got, err := s.docFreqs(ctx, gen, []string{"union", "festival", "zeppelin"})
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	if diff := cmp.Diff([]int{1, 2, 0}, count()); diff != "" {
		t.Errorf("before (-want +got):\n%s", diff)
	}
	_, err := s.Put(ctx, []Article{{Ref: "test#zeppelin", Title: "Zeppelin", Paragraphs: []string{"A zeppelin flew over the union rally."}}})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]int{2, 2, 1}, count()); diff != "" {
		t.Errorf("after a Put (-want +got):\n%s", diff)
	}
}

func TestSearchScoresAndOrder(t *testing.T) {
	ctx := context.Background()
	s := openTestStore(t, Options{})
	putTestArticles(t, s)
	ps, err := s.Search(ctx, Query{Text: "What did the mayor say about the festival?", Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for i, p := range ps {
		got = append(got, p.Ref())
		if p.Score <= 0 {
			t.Errorf("%s: score %v, want positive", p.Ref(), p.Score)
		}
		if i > 0 && p.Score > ps[i-1].Score {
			t.Errorf("%s: score %v above the previous %v", p.Ref(), p.Score, ps[i-1].Score)
		}
	}
	// Paragraph 1 holds both words close together; 3 holds them further
	// apart; 2 only has "festival" in its article's title.
	want := []string{"festival#1", "festival#3", "festival#2"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}
