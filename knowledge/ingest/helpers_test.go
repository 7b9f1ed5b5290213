package ingest

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/byline-bot/byline/knowledge"
)

// corpusDir holds real article copies shared with this repository. Tests
// read them in place; their text must not be copied into the repository.
const corpusDir = "../../../shared/corpus"

// readCorpus returns a file from corpusDir, failing the test when it is
// missing.
func readCorpus(t testing.TB, name string) []byte {
	t.Helper()
	path := filepath.Join(corpusDir, name)
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("reading the shared corpus: %v (the tests expect /work/shared/corpus next to the repository, at %s relative to this package)", err, corpusDir)
	}
	return data
}

// checkArticle fails the test when a parsed article breaks the invariants
// every parser promises.
func checkArticle(t testing.TB, a knowledge.Article) {
	t.Helper()
	for name, s := range map[string]string{
		"ID": a.ID, "Ref": a.Ref, "Source": a.Source, "Title": a.Title,
		"URL": a.URL, "Author": a.Author, "Language": a.Language,
	} {
		if !utf8.ValidString(s) {
			t.Errorf("%s %q is not valid UTF-8", name, s)
		}
	}
	for i, p := range a.Paragraphs {
		switch {
		case p == "":
			t.Errorf("paragraph %d is empty", i)
		case !utf8.ValidString(p):
			t.Errorf("paragraph %d %q is not valid UTF-8", i, p)
		case strings.TrimFunc(p, unicode.IsSpace) != p:
			t.Errorf("paragraph %d %q has leading or trailing space", i, p)
		case normalizeParagraph(p) != p:
			t.Errorf("paragraph %d %q is not normalized: %q", i, p, normalizeParagraph(p))
		}
	}
}

// writeFile writes a file under dir, creating folders, and returns its path.
func writeFile(t testing.TB, dir, name string, data []byte) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// errText returns err's message, or "" for nil.
func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
