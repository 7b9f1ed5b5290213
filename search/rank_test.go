package search

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/byline-bot/byline/knowledge"
)

func TestFuse(t *testing.T) {
	c := func(id string, n int) knowledge.Candidate {
		return knowledge.Candidate{Passage: knowledge.Passage{ArticleID: id, Paragraph: n}}
	}
	got, scores := fuse([][]knowledge.Candidate{
		{c("a", 1), c("b", 1)},
		{c("b", 1), c("c", 2)},
	})
	var ids []string
	for _, g := range got {
		ids = append(ids, g.Ref())
	}
	if diff := cmp.Diff([]string{"a#1", "b#1", "c#2"}, ids); diff != "" {
		t.Errorf("order (-want +got):\n%s", diff)
	}
	want := []float64{1.0 / 61, 1.0/62 + 1.0/61, 1.0 / 62}
	if diff := cmp.Diff(want, scores, cmpopts.EquateApprox(0, 1e-12)); diff != "" {
		t.Errorf("scores (-want +got):\n%s", diff)
	}
}

func TestFeatures(t *testing.T) {
	terms := []knowledge.Term{
		{Word: "super", IDF: 2}, {Word: "bowl", IDF: 2}, {Word: "halftime", IDF: 4}, {Word: "called", IDF: 1, Cue: true},
	}
	tests := []struct {
		name string
		c    knowledge.Candidate
		want map[int]float64
	}{
		{
			name: "neighbours in order make a bigram; a missing word is the gap",
			c:    knowledge.Candidate{Hits: []knowledge.Hit{{Pos: 3, Term: 0}, {Pos: 4, Term: 1}}, TitleTF: make([]int, 4), Len: 9},
			want: map[int]float64{FeatCoverage: 0.5, FeatBigram: 0.5, FeatMissing: 0.5},
		},
		{
			name: "reversed words make no bigram; the title covers",
			c:    knowledge.Candidate{Hits: []knowledge.Hit{{Pos: 3, Term: 1}, {Pos: 4, Term: 0}}, TitleTF: []int{0, 0, 1, 0}, Len: 9},
			want: map[int]float64{FeatCoverage: 1, FeatTitle: 0.5},
		},
		{
			name: "a word near an asked one counts apart from it",
			c:    knowledge.Candidate{Hits: []knowledge.Hit{{Pos: 0, Term: 0}}, Near: []knowledge.Hit{{Pos: 5, Term: 2}, {Pos: 6, Term: 0}}, TitleTF: make([]int, 4), Len: 9},
			want: map[int]float64{FeatCoverage: 0.25, FeatNear: 0.5, FeatMissing: 0.5},
		},
		{
			name: "a related word counts apart from near words, once per asked word",
			c:    knowledge.Candidate{Hits: []knowledge.Hit{{Pos: 0, Term: 0}}, Near: []knowledge.Hit{{Pos: 5, Term: 1}}, Related: []knowledge.Hit{{Pos: 6, Term: 1}, {Pos: 7, Term: 2}, {Pos: 8, Term: 0}}, TitleTF: make([]int, 4), Len: 9},
			want: map[int]float64{FeatCoverage: 0.25, FeatNear: 0.25, FeatRelated: 0.5, FeatMissing: 0.5},
		},
		{
			name: "a cue counts apart from the asked words",
			c:    knowledge.Candidate{Hits: []knowledge.Hit{{Pos: 0, Term: 2}, {Pos: 1, Term: 3}}, TitleTF: make([]int, 4), Len: 9},
			want: map[int]float64{FeatCoverage: 0.5, FeatMissing: 0.25, FeatCue: 1},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := features(Plan{}, terms, terms, tt.c, tt.c, 0)
			got := map[int]float64{}
			for _, i := range []int{FeatCoverage, FeatTitle, FeatBigram, FeatMissing, FeatCue, FeatNear, FeatRelated} {
				if f[i] != 0 {
					got[i] = f[i]
				}
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestNumberNear(t *testing.T) {
	terms := []knowledge.Term{{Word: "strike", IDF: 1}, {Word: "1995", IDF: 3}, {Word: "called", IDF: 1, Cue: true}}
	tests := []struct {
		name string
		c    knowledge.Candidate
		want float64
	}{
		{"no numbers", knowledge.Candidate{Hits: []knowledge.Hit{{Pos: 0, Term: 0}}}, 0},
		{"two tokens after", knowledge.Candidate{Hits: []knowledge.Hit{{Pos: 0, Term: 0}}, Numbers: []int{2}}, 1.0 / 3},
		{"the nearest counts", knowledge.Candidate{Hits: []knowledge.Hit{{Pos: 4, Term: 0}}, Numbers: []int{0, 5}}, 1.0 / 2},
		{"a number asked for is no answer", knowledge.Candidate{Hits: []knowledge.Hit{{Pos: 3, Term: 1}}, Numbers: []int{3}}, 0},
		{"cues do not anchor", knowledge.Candidate{Hits: []knowledge.Hit{{Pos: 0, Term: 2}}, Numbers: []int{1}}, 0},
	}
	for _, tt := range tests {
		if got := nearest(terms, tt.c.Hits, tt.c.Numbers); got != tt.want {
			t.Errorf("%s: nearest = %v, want %v", tt.name, got, tt.want)
		}
	}
}
