package knowledge

import (
	"context"
	"slices"
	"testing"
)

// TestCorrectWhileRebuilding checks the calls made while another rebuilds
// the vocabulary after a change: they use the older vocabulary, and must
// not take a word stored since for a misspelling.
func TestCorrectWhileRebuilding(t *testing.T) {
	ctx := context.Background()
	s := openTestStore(t, Options{})
	put := func(ref, text string) {
		t.Helper()
		res, err := s.Put(ctx, []Article{{Ref: ref, Title: "Spices", Paragraphs: []string{text}}})
		if err != nil || res[0].Err != nil {
			t.Fatalf("Put: %v %v", err, res)
		}
	}
	put("a", "Cloves grow on Zanzibar.")
	cs, err := s.Correct(ctx, []string{"zanzibra"})
	if err != nil || len(cs) != 1 || cs[0].To != "zanzibar" {
		t.Fatalf("Correct(zanzibra) = %+v, %v; want zanzibar", cs, err)
	}
	built := s.vocab.idx.gen
	put("b", "Some write Zanzibra.")

	s.vocab.build.Lock() // as another call rebuilding it would
	cs, err = s.Correct(ctx, []string{"zanzibra"})
	s.vocab.build.Unlock()
	if err != nil || len(cs) != 0 {
		t.Errorf("Correct(zanzibra) while rebuilding, once stored = %+v, %v; want none", cs, err)
	}
	if s.vocab.idx.gen != built {
		t.Fatalf("the vocabulary was rebuilt while another call held the build: the test proves nothing")
	}

	cs, err = s.Correct(ctx, []string{"zanzibra"})
	if err != nil || len(cs) != 0 {
		t.Errorf("Correct(zanzibra) after the rebuild = %+v, %v; want none", cs, err)
	}
	if s.vocab.idx.gen == built {
		t.Errorf("the vocabulary was not rebuilt after the text changed")
	}
}

// TestPrepareCorrect checks that PrepareCorrect reads the vocabulary of
// the current generation, once.
func TestPrepareCorrect(t *testing.T) {
	ctx := context.Background()
	s := openTestStore(t, Options{})
	if err := s.PrepareCorrect(ctx); err != nil {
		t.Fatalf("PrepareCorrect on an empty store: %v", err)
	}
	empty := s.vocab.idx
	if empty == nil || len(empty.df) != 0 {
		t.Fatalf("PrepareCorrect on an empty store built %+v", empty)
	}
	if _, err := s.Put(ctx, []Article{{Ref: "a", Title: "Spices", Paragraphs: []string{"Cloves grow on Zanzibar."}}}); err != nil {
		t.Fatal(err)
	}
	if err := s.PrepareCorrect(ctx); err != nil {
		t.Fatal(err)
	}
	built := s.vocab.idx
	if built == empty || built.df["zanzibar"] != 1 {
		t.Fatalf("PrepareCorrect after a put did not read the new vocabulary: %v", built.df)
	}
	if err := s.PrepareCorrect(ctx); err != nil {
		t.Fatal(err)
	}
	if s.vocab.idx != built {
		t.Errorf("PrepareCorrect read the vocabulary again though the text did not change")
	}
}

// TestOSADistance checks the edit distance the corrector ranks by.
func TestOSADistance(t *testing.T) {
	for _, tc := range []struct {
		a, b  string
		limit int
		want  int
	}{
		{"microsoft", "microsoft", 2, 0},
		{"micrsoft", "microsoft", 2, 1},   // deletion
		{"microsofft", "microsoft", 2, 1}, // insertion
		{"microsaft", "microsoft", 2, 1},  // change
		{"micorsoft", "microsoft", 2, 1},  // swap
		{"mcirosfot", "microsoft", 2, 2},  // two swaps
		{"ca", "abc", 5, 3},               // optimal string alignment, not full Damerau: 3, not 2
		{"mcrsft", "microsoft", 2, 3},     // beyond the limit: limit+1
		{"", "abc", 5, 3},
		{"é", "e", 1, 1},
	} {
		if got := osaDistance([]rune(tc.a), []rune(tc.b), tc.limit); got != tc.want {
			t.Errorf("osaDistance(%q, %q, %d) = %d, want %d", tc.a, tc.b, tc.limit, got, tc.want)
		}
	}
}

// TestDeletionIndex checks that the deletion index finds every stem within
// two edits, and only those after the distance check.
func TestDeletionIndex(t *testing.T) {
	v := &vocab{
		names: []string{"ministri", "microsoft", "coffe", "cff", "iran", "iranian", "band", "bank"},
		df: map[string]int{"ministri": 5, "microsoft": 9, "coffe": 3, "cff": 9, "iran": 20, "iranian": 4,
			"band": 3, "bank": 10},
	}
	v.index()
	for _, tc := range []struct {
		word, stem string
		want       []string
	}{
		{"minstry", "minstri", []string{"ministri"}},
		{"mcirosfot", "mcirosfot", []string{"microsoft"}},
		{"coffe", "coff", []string{"coffe", "cff"}}, // the stem typed wins at no edits
		{"irann", "irann", []string{"iran"}},
		{"iranin", "iranin", []string{"iranian"}},  // "iran" is two edits away, one allowed at six letters
		{"banx", "banx", []string{"bank", "band"}}, // one edit each: the more frequent first
		{"zebra", "zebra", nil},
	} {
		var got []string
		for _, c := range v.candidates(tc.word, tc.stem, nil) {
			got = append(got, c.term)
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("candidates(%q, %q) = %q, want %q", tc.word, tc.stem, got, tc.want)
		}
	}
}
