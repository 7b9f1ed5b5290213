package knowledge_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/byline-bot/byline/knowledge"
	"github.com/byline-bot/byline/knowledge/ingest"
)

// BenchmarkCorrect times the spelling corrector over the whole Reuters-21578
// corpus (about 19,000 articles), stored once with ingest.Run:
//
//   - build: reading the vocabulary and building the deletion index, as the
//     first question after each change of the stored text pays it, with the
//     index's size and the heap it holds;
//   - typo: a question with one misspelled word, asked again and again (so
//     its stems and readable words are cached, as for a repeated question);
//   - clean: a question whose words are all stored;
//   - titles: the words of each article title in turn, with one letter of
//     its longest word dropped, so that most words are stemmed afresh and
//     most misspellings are new: while fewer iterations run than there
//     are titles (about 19,000), this is the cost of unseen questions.
//
// Run it with go test ./knowledge -run '^$' -bench Correct -benchmem, and
// with -bench Correct/titles -benchtime 5000x -count 2 for unseen questions
// (the first run) beside the same questions asked again (the second, which
// finds their stems and corrections cached).
func BenchmarkCorrect(b *testing.B) {
	ctx := context.Background()
	s, titles := reutersStore(b)

	b.Run("build", func(b *testing.B) {
		b.ReportAllocs()
		var stems, cands, dels int
		for b.Loop() {
			var err error
			if stems, cands, dels, _, err = s.VocabSize(ctx, false); err != nil {
				b.Fatal(err)
			}
		}
		b.StopTimer()
		_, _, _, heap, err := s.VocabSize(ctx, true)
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(heap)/(1<<20), "heap-MB")
		b.ReportMetric(float64(stems), "stems")
		b.ReportMetric(float64(cands), "candidates")
		b.ReportMetric(float64(dels), "deletions")
	})

	for _, bc := range []struct {
		name, question, want string
	}{
		{"typo", "what were the earnigns of coffee exporters", "earnings"},
		{"clean", "what were the earnings of coffee exporters", ""},
	} {
		b.Run(bc.name, func(b *testing.B) {
			words := strings.Fields(bc.question)
			cs, err := s.Correct(ctx, words)
			if err != nil {
				b.Fatal(err)
			}
			if got := corrected(cs); got != bc.want {
				b.Fatalf("Correct(%q) corrected %q, want %q", bc.question, got, bc.want)
			}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := s.Correct(ctx, words); err != nil {
					b.Fatal(err)
				}
			}
		})
	}

	b.Run("titles", func(b *testing.B) {
		if err := s.PrepareCorrect(ctx); err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			if _, err := s.Correct(ctx, withTypo(titles[i%len(titles)])); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// corrected joins the To of each correction.
func corrected(cs []knowledge.Correction) string {
	var to []string
	for _, c := range cs {
		to = append(to, c.To)
	}
	return strings.Join(to, " ")
}

// withTypo returns the words of title with the middle letter of its
// longest word dropped.
func withTypo(title string) []string {
	words := strings.Fields(title)
	long := -1
	for i, w := range words {
		if long < 0 || len(w) > len(words[long]) {
			long = i
		}
	}
	if long >= 0 && len(words[long]) >= 5 {
		w := words[long]
		words[long] = w[:len(w)/2] + w[len(w)/2+1:]
	}
	return words
}

// reutersStore returns a store holding the whole Reuters-21578 corpus, and
// the corpus's titles.
func reutersStore(tb testing.TB) (*knowledge.Store, []string) {
	tb.Helper()
	ctx := context.Background()
	path := filepath.Join(sharedDir, "corpus", "reuters21578.jsonl.gz")
	s, err := knowledge.Open(ctx, filepath.Join(tb.TempDir(), "byline.db"), knowledge.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { s.Close() })
	sum, err := ingest.Run(ctx, s, []string{path}, ingest.Options{})
	if err != nil || sum.New == 0 {
		tb.Fatalf("ingest %s (the Reuters corpus is read from ../shared beside the repository): %v (%s)", path, err, sum)
	}
	list, err := s.Articles(ctx, knowledge.ListOptions{})
	if err != nil {
		tb.Fatal(err)
	}
	var titles []string
	for _, a := range list {
		titles = append(titles, a.Title)
	}
	return s, titles
}
