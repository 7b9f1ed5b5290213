package knowledge_test

import (
	"compress/gzip"
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/byline-bot/byline/knowledge"
	"github.com/byline-bot/byline/knowledge/ingest"
)

// benchArticles is how many Reuters articles BenchmarkSearch stores (about
// 16,000 paragraphs): enough for realistic word counts, quick to build.
const benchArticles = 3000

// BenchmarkSearch times Search over the first Reuters-21578 articles,
// asking their titles in turn. go run ./bench -reuters measures the whole
// corpus.
func BenchmarkSearch(b *testing.B) {
	ctx := context.Background()
	path := filepath.Join("..", "..", "shared", "corpus", "reuters21578.jsonl.gz")
	f, err := os.Open(path)
	if err != nil {
		b.Fatalf("the Reuters corpus is read from ../shared beside the repository: %v", err)
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		b.Fatal(err)
	}
	var arts []knowledge.Article
	errEnough := errors.New("enough")
	err = ingest.ParseJSONLines(gz, path, func(line int, a knowledge.Article, err error) error {
		if err != nil {
			return err
		}
		arts = append(arts, a)
		if len(arts) == benchArticles {
			return errEnough
		}
		return nil
	})
	if err != nil && !errors.Is(err, errEnough) {
		b.Fatal(err)
	}
	s, err := knowledge.Open(ctx, filepath.Join(b.TempDir(), "byline.db"), knowledge.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	for i := 0; i < len(arts); i += 256 {
		if _, err := s.Put(ctx, arts[i:min(i+256, len(arts))]); err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		if _, err := s.Search(ctx, knowledge.Query{Text: arts[i%len(arts)].Title}); err != nil {
			b.Fatal(err)
		}
	}
}
