package knowledge_test

import (
	"context"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/byline-bot/byline/knowledge"
)

// FuzzCorrect corrects arbitrary questions against the story's two
// articles: Correct must never fail or panic, and every correction must
// be a different, stored word that a search finds, for a word that was
// typed. Run it with go test ./knowledge -run '^$' -fuzz FuzzCorrect.
func FuzzCorrect(f *testing.F) {
	for _, q := range []string{
		"what did micrsoft report", "Who is Kanaani?", "What did Micorsoft say about the Iranain mission?",
		`"micrsoft" NEAR(iran, hack) * AND OR NOT -x title:y ^z`, "'; DROP TABLE paragraphs; --",
		"😀 micrsoft😀 🇺🇸", "مایکروسافت 微软 Ма́йкрософт İRAN ıran", "Wer ist Steven Cheung?",
		"¿Qué dijo Microsoft?", "micr0soft 2O24", "a\x00b \xff\xfe", "", strings.Repeat("é", 300),
	} {
		f.Add(q)
	}
	s := storyStore(f)
	ctx := context.Background()
	f.Fuzz(func(t *testing.T, question string) {
		for _, words := range [][]string{strings.Fields(question), {question}} {
			cs, err := s.Correct(ctx, words)
			if err != nil {
				t.Fatalf("Correct(%q): %v", words, err)
			}
			for _, c := range cs {
				if c.Index < 0 || c.Index >= len(words) {
					t.Fatalf("Correct(%q) gave %+v: index out of range", words, c)
				}
				if c.To == "" || c.To == c.Word || c.DocFreq < 1 || c.Distance < 0 || c.Distance > 2+len(c.To) {
					t.Fatalf("Correct(%q) gave %+v", words, c)
				}
				if utf8.RuneCountInString(c.Word) < 4 || strings.ContainsAny(c.Word, "0123456789") {
					t.Fatalf("Correct(%q) gave %+v: the word may not be corrected", words, c)
				}
				ps, err := s.Search(ctx, knowledge.Query{Text: c.To, Limit: 1})
				if err != nil || len(ps) == 0 {
					t.Fatalf("Correct(%q) gave %+v, which a search does not find (%v)", words, c, err)
				}
			}
		}
	})
}
