package stories_test

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/byline-bot/byline/knowledge"
	"github.com/byline-bot/byline/stories"
)

// article makes a window's article with its lead paragraphs.
func article(id, source, title string, at time.Time, paras ...string) knowledge.RecentArticle {
	a := knowledge.RecentArticle{ArticleInfo: knowledge.ArticleInfo{ID: id, Source: source, Title: title, Published: at}}
	for i, p := range paras {
		a.Lead = append(a.Lead, knowledge.Passage{ArticleID: id, Source: source, Title: title, Published: at, Paragraph: i + 1, Text: p})
	}
	return a
}

// window is a small day of invented news: two outlets' accounts of one
// event, a re-sent copy of one of them, and two unrelated reports.
func window() []knowledge.RecentArticle {
	day := time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)
	dam := "The Varnholm dam on the Selde river gave way on Sunday night, and the town of Varnholm was evacuated before the water reached it, mayor Elsa Brandt said."
	return []knowledge.RecentArticle{
		article("gazette-dam", "Gazette", "Varnholm dam gives way, town evacuated", day.Add(6*time.Hour), dam,
			"Brandt said the Selde had risen for a week and engineers had warned the dam was weak."),
		article("herald-dam", "Herald", "Selde floods Varnholm after dam failure", day.Add(9*time.Hour),
			"Floodwater from the Selde covered the lower streets of Varnholm on Monday after the dam failed, and Elsa Brandt asked residents to stay away from the river.",
			"Engineers inspecting the Varnholm dam said the failure began at the spillway of the old dam."),
		article("gazette-dam-copy", "Gazette", "Varnholm dam gives way, town evacuated", day.Add(7*time.Hour), dam,
			"Brandt said the Selde had risen for a week and engineers had warned the dam was weak."),
		article("port", "Herald", "Dock strike ends at Kestrel port", day.Add(8*time.Hour),
			"Dock workers at Kestrel returned to work after a two-week strike, and the union said wages would rise by four percent."),
		article("oil", "Gazette", "Oil prices climb as supplies tighten", day.Add(10*time.Hour),
			"Oil prices rose on Monday as traders in Rotterdam worried that supplies were tightening before the winter."),
	}
}

// ids lists each story's accounts and then its copies.
func ids(ss []stories.Story) [][]string {
	var out [][]string
	for _, s := range ss {
		var row []string
		for _, a := range s.Accounts {
			row = append(row, a.ID)
		}
		for _, cs := range s.Copies {
			row = append(row, cs...)
		}
		out = append(out, row)
	}
	return out
}

func TestGroup(t *testing.T) {
	got := stories.Group(window())
	if len(got) == 0 {
		t.Fatal("no stories")
	}
	first := got[0]
	want := []string{"gazette-dam", "herald-dam", "gazette-dam-copy"}
	if diff := cmp.Diff(want, ids(got)[0]); diff != "" {
		t.Errorf("the first story, told by two outlets, with the re-sent copy folded in (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"Gazette", "Herald"}, first.Sources); diff != "" {
		t.Errorf("sources (-want +got):\n%s", diff)
	}
	if want := window()[1].Published; !first.Newest.Equal(want) {
		t.Errorf("Newest = %v, want %v", first.Newest, want)
	}
	if diff := cmp.Diff([][]string{want, {"oil"}, {"port"}}, ids(got)); diff != "" {
		t.Errorf("the unrelated reports are stories of their own, newest first (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(ids(got), ids(stories.Group(window()))); diff != "" {
		t.Errorf("the same articles grouped twice differ (-first +second):\n%s", diff)
	}
	if got := stories.Group(nil); got != nil {
		t.Errorf("Group(nil) = %v, want nil", got)
	}
}

func TestIsProse(t *testing.T) {
	tests := []struct {
		s    string
		want bool
	}{
		{"Dock workers returned to work after a two-week strike at the port.", true},
		{"Shr 29 cts vs 28 cts Net 1,234,000 vs 1,100,000 Revs 50.2 mln vs 48.9 mln", false},
		{"KESTREL, March 2 (Herald) -", false},
		{"", false},
	}
	for _, tt := range tests {
		if got := stories.IsProse(tt.s); got != tt.want {
			t.Errorf("IsProse(%q) = %v, want %v", tt.s, got, tt.want)
		}
	}
}

func TestLeadSentence(t *testing.T) {
	day := time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)
	a := article("earn", "Wire", "Acme Corp 4th qtr net", day,
		"Shr 29 cts vs 28 cts. Net 1,234,000 vs 1,100,000.",
		"Acme said its fourth quarter profit rose because the company sold more of its machines in Europe.")
	p, s, ok := stories.LeadSentence(a)
	if !ok || p.Paragraph != 2 || s != a.Lead[1].Text {
		t.Errorf("LeadSentence = ¶%d %q, %v; want the second paragraph's sentence of prose", p.Paragraph, s, ok)
	}
	table := article("table", "Wire", "Acme Corp 4th qtr net", day, "Shr 29 cts vs 28 cts.")
	if p, s, ok := stories.LeadSentence(table); ok || p.Paragraph != 1 || s != "Shr 29 cts vs 28 cts." {
		t.Errorf("LeadSentence of a table = ¶%d %q, %v; want its first sentence and false", p.Paragraph, s, ok)
	}
}
