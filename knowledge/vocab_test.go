package knowledge_test

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/byline-bot/byline/knowledge"
	"github.com/byline-bot/byline/knowledge/ingest"
)

// storyStore returns a store holding the story's two articles.
// sharedDir is ../shared beside the repository, seen from this package.
const sharedDir = "../../shared"

func storyStore(t testing.TB) *knowledge.Store {
	t.Helper()
	ctx := context.Background()
	s, err := knowledge.Open(ctx, filepath.Join(t.TempDir(), "byline.db"), knowledge.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	dir := filepath.Join(sharedDir, "corpus", "story")
	sum, err := ingest.Run(ctx, s, []string{dir}, ingest.Options{})
	if err != nil || sum.New != 2 {
		t.Fatalf("ingest %s (the story is read from ../shared beside the repository): %v (%s)", dir, err, sum)
	}
	return s
}

// correct returns the corrections of question's words.
func correct(t *testing.T, s *knowledge.Store, question string) []knowledge.Correction {
	t.Helper()
	cs, err := s.Correct(context.Background(), strings.Fields(question))
	if err != nil {
		t.Fatalf("Correct(%q): %v", question, err)
	}
	return cs
}

func TestCorrectStory(t *testing.T) {
	s := storyStore(t)
	for _, tc := range []struct {
		question string
		want     []knowledge.Correction
	}{
		{"what did micrsoft report", []knowledge.Correction{
			{Index: 2, Word: "micrsoft", To: "microsoft", Distance: 1},
		}},
		{"What did Micorsoft say about the Iranain mission?", []knowledge.Correction{
			{Index: 2, Word: "micorsoft", To: "microsoft", Distance: 1},
			{Index: 6, Word: "iranain", To: "iranian", Distance: 1},
		}},
		// Eight letters or more: two edits are allowed, not at seven.
		{"what did micrsofft report", []knowledge.Correction{
			{Index: 2, Word: "micrsofft", To: "microsoft", Distance: 2},
		}},
		{"what did mcrosft report", nil},
		// A misspelt ending is one edit from the word, though more from
		// its stem ("campaign").
		{"the trump campaing", []knowledge.Correction{
			{Index: 2, Word: "campaing", To: "campaign", Distance: 1},
		}},
		// Stored words, whatever their case and endings, are left alone.
		{"What did Microsoft's report say about the Iranians?", nil},
		{"Did the hackers sneak into the campaigns", nil},
		// Not stored, but near no stored word either.
		{"Who is Kanaani?", nil},
		{"xylophonist", nil},
		// Three letters or fewer: never corrected ("irn" is one edit from
		// "iran", as "irann" is).
		{"irn", nil},
		{"irann", []knowledge.Correction{{Index: 0, Word: "irann", To: "iran", Distance: 1}}},
		// Words with digits are never corrected, though "micr0soft" is one
		// edit from "microsoft".
		{"micr0soft 2O24", nil},
		{"", nil},
	} {
		t.Run(tc.question, func(t *testing.T) {
			got := correct(t, s, tc.question)
			for _, c := range got {
				if c.DocFreq < 1 {
					t.Errorf("Correct(%q): %+v has no paragraphs", tc.question, c)
				}
			}
			// The store's counts are checked on stores built for that.
			if diff := cmp.Diff(tc.want, got, cmpopts.IgnoreFields(knowledge.Correction{}, "DocFreq")); diff != "" {
				t.Errorf("Correct(%q) (-want +got):\n%s", tc.question, diff)
			}
		})
	}
}

// TestCorrectKnowsEveryStoredWord checks the corrector stems words as the
// index does: no word of the stored text is taken for a misspelling.
func TestCorrectKnowsEveryStoredWord(t *testing.T) {
	s := storyStore(t)
	ctx := context.Background()
	list, err := s.Articles(ctx, knowledge.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var words []string
	for _, a := range list {
		words = append(words, strings.Fields(a.Title)...)
		for n := 1; n <= a.Paragraphs; n++ {
			p, err := s.Passage(ctx, a.ID, n)
			if err != nil {
				t.Fatal(err)
			}
			words = append(words, strings.Fields(p.Text)...)
		}
	}
	if len(words) < 500 {
		t.Fatalf("read %d words of the story, want more", len(words))
	}
	// In chunks: Correct reads the first 48 distinct words it is given.
	for i := 0; i < len(words); i += 40 {
		chunk := words[i:min(i+40, len(words))]
		cs, err := s.Correct(ctx, chunk)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range cs {
			t.Errorf("stored word %q corrected to %q", chunk[c.Index], c.To)
		}
	}
}

// TestCorrectReadableWords checks that a correction is a word of the
// stored text, not the index's stem of it.
func TestCorrectReadableWords(t *testing.T) {
	s, _ := openStore(t)
	put(t, s, knowledge.Article{Ref: "a", Title: "Coffee exports",
		Paragraphs: []string{
			"The company reported higher earnings from coffee.",
			"Kanaani said the ministry would publish generalizations.",
		}})
	for _, tc := range []struct {
		question string
		want     []knowledge.Correction
	}{
		// "compani" is the stem.
		{"compnay", []knowledge.Correction{{Word: "compnay", To: "company", Distance: 1, DocFreq: 1}}},
		// The stem "coffe" is typed; searched as it is, it stems to "coff".
		{"coffe", []knowledge.Correction{{Word: "coffe", To: "coffee", Distance: 1, DocFreq: 2}}},
		// The stem is "earn", three edits from the typed word's stem.
		{"earnigns", []knowledge.Correction{{Word: "earnigns", To: "earnings", Distance: 1, DocFreq: 1}}},
		{"minstry", []knowledge.Correction{{Word: "minstry", To: "ministry", Distance: 1, DocFreq: 1}}},
		{"reportd", []knowledge.Correction{{Word: "reportd", To: "reported", Distance: 1, DocFreq: 1}}},
		// A stored name is not changed.
		{"Kanaani", nil},
		{"kanaani's", nil},
	} {
		t.Run(tc.question, func(t *testing.T) {
			got := correct(t, s, tc.question)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("Correct(%q) (-want +got):\n%s", tc.question, diff)
			}
		})
	}
}

// TestCorrectStopWords checks that stop words are neither corrected nor
// corrections, and that a correction starts as the word does.
func TestCorrectStopWords(t *testing.T) {
	s, _ := openStore(t)
	put(t, s, knowledge.Article{Ref: "a", Title: "Jungle",
		Paragraphs: []string{"Shere Khan talked about Mowgli; Shere Khan talked about the jungle to a thane."}})
	for _, tc := range []struct {
		question string
		want     []knowledge.Correction
	}{
		// "than" is not stored, and one edit from "thane".
		{"than", nil},
		{"thanne", []knowledge.Correction{{Word: "thanne", To: "thane", Distance: 1, DocFreq: 1}}},
		// "abuot" is one edit from "about", which is stored but a stop word.
		{"abuot", nil},
		// The control: a word one edit from "shere" is corrected.
		{"sherre", []knowledge.Correction{{Word: "sherre", To: "shere", Distance: 1, DocFreq: 1}}},
		// The first letter is kept, but for a swap of the first two.
		{"jhere", nil},
		{"hsere", []knowledge.Correction{{Word: "hsere", To: "shere", Distance: 1, DocFreq: 1}}},
		{"hungle", nil},
		{"ujngle", []knowledge.Correction{{Word: "ujngle", To: "jungle", Distance: 1, DocFreq: 1}}},
	} {
		got := correct(t, s, tc.question)
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("Correct(%q) (-want +got):\n%s", tc.question, diff)
		}
	}
}

// TestCorrectNeedsTwoParagraphsInALargeStore checks the document frequency a
// correction needs: in a store of 1,000 paragraphs or more, a word held by
// one paragraph is as likely a typo itself.
func TestCorrectNeedsTwoParagraphsInALargeStore(t *testing.T) {
	s, _ := openStore(t)
	filler := knowledge.Article{Ref: "filler", Title: "Filler"}
	for i := range 1000 {
		filler.Paragraphs = append(filler.Paragraphs, fmt.Sprintf("Paragraph %d of the filler.", i))
	}
	put(t, s, filler, knowledge.Article{Ref: "a", Title: "Islands", Paragraphs: []string{"Zanzibar is an island."}})
	if got := correct(t, s, "zanzibra"); got != nil {
		t.Errorf("Correct(zanzibra) with zanzibar in one of 1,001 paragraphs = %+v, want none", got)
	}
	put(t, s, knowledge.Article{Ref: "b", Title: "Spices", Paragraphs: []string{"Cloves grow on Zanzibar."}})
	want := []knowledge.Correction{{Word: "zanzibra", To: "zanzibar", Distance: 1, DocFreq: 2}}
	if diff := cmp.Diff(want, correct(t, s, "zanzibra")); diff != "" {
		t.Errorf("Correct(zanzibra) with zanzibar in two paragraphs (-want +got):\n%s", diff)
	}
}

// TestCorrectFollowsStoredText checks that the vocabulary is read again
// after the stored text changes.
func TestCorrectFollowsStoredText(t *testing.T) {
	s, _ := openStore(t)
	put(t, s, knowledge.Article{Ref: "a", Title: "Spices", Paragraphs: []string{"Cloves grow on Zanzibar."}})
	want := []knowledge.Correction{{Word: "zanzibra", To: "zanzibar", Distance: 1, DocFreq: 1}}
	if diff := cmp.Diff(want, correct(t, s, "zanzibra")); diff != "" {
		t.Errorf("Correct(zanzibra) (-want +got):\n%s", diff)
	}
	// Now stored, the word is no misspelling.
	put(t, s, knowledge.Article{Ref: "b", Title: "Spelling", Paragraphs: []string{"Some write Zanzibra."}})
	if got := correct(t, s, "zanzibra"); got != nil {
		t.Errorf("Correct(zanzibra) once stored = %+v, want none", got)
	}
	// Gone again: the article's text was replaced.
	put(t, s, knowledge.Article{Ref: "b", Title: "Spelling", Paragraphs: []string{"Nobody writes it so."}})
	if diff := cmp.Diff(want, correct(t, s, "zanzibra")); diff != "" {
		t.Errorf("Correct(zanzibra) after it was replaced (-want +got):\n%s", diff)
	}
}

// TestCorrectHostileInput checks that input with FTS5 or SQL syntax, emoji,
// other scripts or huge words is read as words, never as syntax.
func TestCorrectHostileInput(t *testing.T) {
	s := storyStore(t)
	ctx := context.Background()
	for _, words := range [][]string{
		{`"`, `micrsoft"`, `"micrsoft`, `""`},
		{"NEAR(micrsoft", "report)", "NEAR(", "*", "micrsoft*", "^micrsoft", "micrsoft:report"},
		{"AND", "OR", "NOT", "micrsoft", "-micrsoft", "+", "{title}:", "title:micrsoft"},
		{"'; DROP TABLE paragraphs; --", "micrsoft';--"},
		{"😀", "micrsoft😀", "🇺🇸", "\u200d", "\x00", "\xff\xfe", "micr\x00soft"},
		{"مایکروسافت", "微软", "Ма́йкрософт", "ıran", "İRAN"},
		{strings.Repeat("a", 20000)},
		{strings.Repeat("micrsoft ", 2500)},
		{strings.Repeat("é", 10000) + "micrsoft"},
		make([]string, 5000),
	} {
		cs, err := s.Correct(ctx, words)
		if err != nil {
			t.Errorf("Correct(%.60q): %v", words, err)
			continue
		}
		for _, c := range cs {
			if c.Index < 0 || c.Index >= len(words) || c.To == "" || c.To == c.Word || c.DocFreq < 1 {
				t.Errorf("Correct(%.60q) gave %+v", words, c)
			}
		}
	}
	// The corrector still works, and the store was not changed.
	want := []knowledge.Correction{{Index: 2, Word: "micrsoft", To: "microsoft", Distance: 1}}
	got := correct(t, s, "what did micrsoft report")
	if diff := cmp.Diff(want, got, cmpopts.IgnoreFields(knowledge.Correction{}, "DocFreq")); diff != "" {
		t.Errorf("after hostile input (-want +got):\n%s", diff)
	}
	if err := s.IntegrityCheck(ctx); err != nil {
		t.Error(err)
	}
}

// TestCorrectConcurrent corrects from many goroutines while articles are
// stored, for the race detector.
func TestCorrectConcurrent(t *testing.T) {
	s := storyStore(t)
	ctx := context.Background()
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 20 {
				cs, err := s.Correct(ctx, []string{"what", "did", "micrsoft", "report", fmt.Sprintf("zanzibra%c", 'a'+i%3)})
				if err != nil {
					errs <- err
					return
				}
				if len(cs) == 0 || cs[0].To != "microsoft" {
					errs <- fmt.Errorf("goroutine %d: got %+v, want micrsoft corrected", g, cs)
					return
				}
			}
		}()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := range 10 {
			_, err := s.Put(ctx, []knowledge.Article{{Ref: fmt.Sprintf("z%d", i), Title: "Spices",
				Paragraphs: []string{fmt.Sprintf("Cloves grow on Zanzibar, year %d.", i)}}})
			if err != nil {
				errs <- err
				return
			}
		}
	}()
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func TestUnknownListsOnlyWordsNoParagraphHolds(t *testing.T) {
	s := storyStore(t)
	got, err := s.Unknown(context.Background(), []string{"waht", "Microsoft", "sumarize", "Microsoft's", "", "!!", "did"})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"waht", "sumarize"}, got); diff != "" {
		t.Errorf("Unknown (-want +got):\n%s", diff)
	}
}
