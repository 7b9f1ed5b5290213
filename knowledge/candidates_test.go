package knowledge

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func TestCandidates(t *testing.T) {
	ctx := context.Background()
	s := openTestStore(t, Options{})
	putTestArticles(t, s)
	set, err := s.Candidates(ctx, CandidateQuery{Words: []string{"union", "wages", "four"}, Cues: []string{"percent"}})
	if err != nil {
		t.Fatal(err)
	}
	var words []string
	for _, term := range set.Terms {
		words = append(words, term.Word)
		if term.IDF <= 0 || term.Cue != (term.Word == "percent") {
			t.Errorf("term %+v: want a positive idf and Cue only for the cue", term)
		}
	}
	if diff := cmp.Diff([]string{"union", "wages", "four", "percent"}, words); diff != "" {
		t.Errorf("terms (-want +got):\n%s", diff)
	}
	if len(set.Candidates) == 0 || set.Candidates[0].Ref() != "port#2" {
		t.Fatalf("candidates %v, want port#2 first", set.Candidates)
	}
	c := set.Candidates[0]
	// "The union said wages would rise by four percent."
	want := Candidate{
		Passage: c.Passage,
		Hits:    []Hit{{1, 0}, {3, 1}, {7, 2}, {8, 3}},
		TitleTF: []int{0, 0, 0, 0},
		Len:     9, TitleLen: 3,
		Rank: 1, FTS: c.FTS, BM25: c.BM25, Proximity: c.Proximity, Window: c.Window,
	}
	if diff := cmp.Diff(want, c, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("first candidate (-want +got):\n%s", diff)
	}
	if c.FTS <= 0 || c.BM25 <= 0 || c.Proximity <= 0 || c.Window <= 0 {
		t.Errorf("scores FTS %v, BM25 %v, Proximity %v, Window %v: want all positive", c.FTS, c.BM25, c.Proximity, c.Window)
	}
}

func TestMeasureNumbersNamesNear(t *testing.T) {
	terms := []Term{{Word: "germany", Stem: stem("germany"), IDF: 1}, {Word: "invade", Stem: stem("invade"), IDF: 1}}
	got := Measure(terms, []Passage{{Title: "War", Text: "After the German invasion of Poland in 1939, Warsaw fell."}})
	if diff := cmp.Diff([]int{7}, got[0].Numbers); diff != "" {
		t.Errorf("numbers (-want +got):\n%s", diff)
	}
	// "After" opens the sentence but is a stop word.
	if diff := cmp.Diff([]int{2, 5, 8}, got[0].Names); diff != "" {
		t.Errorf("names (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]Hit{{2, 0}, {3, 1}}, got[0].Near); diff != "" {
		t.Errorf("near (-want +got):\n%s", diff)
	}
	if len(got[0].Hits) != 0 {
		t.Errorf("hits %v, want none: no token is a form of a term", got[0].Hits)
	}
}

// TestMeasureRelated checks that a paragraph's word related in meaning to a
// question's, in any form ("selected" for "pick"), is found apart from the
// hits, and that a hit or a near word ("denied" for "denial" shares its
// first bytes) is never also related.
func TestMeasureRelated(t *testing.T) {
	terms := []Term{{Word: "pick", Stem: stem("pick"), IDF: 1}, {Word: "denial", Stem: stem("denial"), IDF: 1}}
	got := Measure(terms, []Passage{{Title: "Vote", Text: "The party selected him; they picked a date, and denied the report."}})
	if diff := cmp.Diff([]Hit{{2, 0}}, got[0].Related); diff != "" {
		t.Errorf("related (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]Hit{{5, 0}}, got[0].Hits); diff != "" {
		t.Errorf("hits (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]Hit{{9, 1}}, got[0].Near); diff != "" {
		t.Errorf("near (-want +got):\n%s", diff)
	}
}

// TestCandidatesTakeAnyWords checks that words from outside the package
// reach FTS5 only as the index's tokens: syntax in them is cut away.
func TestCandidatesTakeAnyWords(t *testing.T) {
	ctx := context.Background()
	s := openTestStore(t, Options{})
	putTestArticles(t, s)
	for _, words := range [][]string{
		{`"union" OR *`, ""},
		{`NEAR(union wages)`, `-`, `wages:`},
		{"", " ", "😀"},
	} {
		set, err := s.Candidates(ctx, CandidateQuery{Words: words, Cues: words})
		if err != nil {
			t.Errorf("Candidates(%q): %v", words, err)
			continue
		}
		for _, c := range set.Candidates {
			if c.Ref() != "port#2" {
				t.Errorf("Candidates(%q) found %s, want only port#2", words, c.Ref())
			}
		}
	}
}

func TestMeasureLemmasAndSynonyms(t *testing.T) {
	terms := []Term{{Word: "start", Stem: stem("start"), IDF: 1}, {Word: "give", Stem: stem("give"), IDF: 1}}
	got := Measure(terms, []Passage{{Title: "Strike", Text: "The strike began on Monday and the union gave way, giving more."}})
	// "began" is a form of "start" by the text package's synonym groups,
	// "gave" and "giving" of "give" by its lemmas.
	if diff := cmp.Diff([]Hit{{2, 0}, {8, 1}, {10, 1}}, got[0].Hits); diff != "" {
		t.Errorf("hits (-want +got):\n%s", diff)
	}
}
