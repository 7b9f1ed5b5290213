package knowledge_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/byline-bot/byline/knowledge"
)

// TestRecent stores articles at chosen ingest times and checks which of
// them each window finds: published or ingested in [Since, Until), the
// source filter, the newest first, the lead paragraphs and the cap.
func TestRecent(t *testing.T) {
	ctx := context.Background()
	day := time.Date(2026, 11, 21, 0, 0, 0, 0, time.UTC)
	now := day
	s, err := knowledge.Open(ctx, filepath.Join(t.TempDir(), "recent.db"), knowledge.Options{
		Now: func() time.Time { return now },
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })

	// Each article is stored at its own ingest time.
	stored := []struct {
		ingested  time.Time
		published time.Time
		id        string
		source    string
		paras     int
	}{
		{day.Add(-48 * time.Hour), day.Add(-49 * time.Hour), "old", "Wire", 2},
		{day.Add(-30 * time.Hour), day.Add(2 * time.Hour), "early", "Wire", 1},          // dated ahead of its ingest: new when it came in, not again
		{day.Add(10 * time.Hour), day.Add(-72 * time.Hour), "late", "Courier", 1},       // published before, delivered in the window
		{day.Add(11 * time.Hour), time.Time{}, "undated", "", 1},                        // no publication time
		{day.Add(12 * time.Hour), day.Add(12 * time.Hour), "long", "courier", 5},        // five paragraphs
		{day.Add(-5 * time.Hour), day.Add(30 * time.Hour), "future", "Wire", 1},         // published after the window
		{day.Add(24 * time.Hour), day.Add(24 * time.Hour), "boundary", "Wire", 1},       // at Until: outside
		{day.Add(1 * time.Hour), day, "start", "Wire", 1},                               // published at Since: inside
		{day.Add(3 * time.Hour), day.Add(-100 * time.Hour), "archive", "Wire", 1},       // an archive ingested in the window: not news
		{day.Add(26 * time.Hour), day.Add(26 * time.Hour), "tomorrow", "Courier", 1},    // after
		{day.Add(-24 * time.Hour), day.Add(-23 * time.Hour), "yesterday", "Wire", 1},    // before
		{day.Add(23 * time.Hour), day.Add(23*time.Hour + 30*time.Minute), "eve", "", 1}, // in
	}
	for _, a := range stored {
		now = a.ingested
		paras := make([]string, a.paras)
		for i := range paras {
			paras[i] = fmt.Sprintf("Paragraph %d of the %s article.", i+1, a.id)
		}
		res, err := s.Put(ctx, []knowledge.Article{{
			ID: a.id, Ref: "test/" + a.id, Source: a.source, Title: "The " + a.id + " article",
			URL: "https://example.test/" + a.id, Published: a.published, Paragraphs: paras,
		}})
		if err != nil || res[0].Err != nil {
			t.Fatalf("put %s: %v %v", a.id, err, res[0].Err)
		}
	}

	ids := func(arts []knowledge.RecentArticle) []string {
		var out []string
		for _, a := range arts {
			out = append(out, a.ID)
		}
		return out
	}
	window := knowledge.RecentOptions{Since: day, Until: day.Add(24 * time.Hour)}
	tests := []struct {
		name string
		opts func(o *knowledge.RecentOptions)
		want []string
	}{
		// Newest first by publication time, else ingest time: eve
		// (23:30), long (12:00), undated (ingested 11:00), start (00:00),
		// late (published three days before, delivered in the window).
		// Not early, new the day it came in; not archive, too old to be
		// news when it came in.
		{"published or ingested in the window", nil, []string{"eve", "long", "undated", "start", "late"}},
		{"sources", func(o *knowledge.RecentOptions) { o.Sources = []string{"COURIER"} }, []string{"long", "late"}},
		{"limit keeps the newest", func(o *knowledge.RecentOptions) { o.Limit = 2 }, []string{"eve", "long"}},
		{"no lower bound", func(o *knowledge.RecentOptions) { o.Since = time.Time{} },
			[]string{"future", "eve", "long", "undated", "early", "start", "yesterday", "old", "late", "archive"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := window
			if tt.opts != nil {
				tt.opts(&o)
			}
			got, err := s.Recent(ctx, o)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, ids(got)); diff != "" {
				t.Errorf("articles (-want +got):\n%s", diff)
			}
		})
	}

	leads := func(t *testing.T, lead int) map[string][]string {
		t.Helper()
		got, err := s.Recent(ctx, knowledge.RecentOptions{Since: day, Until: day.Add(24 * time.Hour), Lead: lead})
		if err != nil {
			t.Fatal(err)
		}
		out := make(map[string][]string)
		for _, a := range got {
			for _, p := range a.Lead {
				if p.ArticleID != a.ID || p.Title != a.Title || p.URL != a.URL || !p.Published.Equal(a.Published) {
					t.Errorf("passage %s carries the wrong article's metadata: %+v", p.Ref(), p)
				}
				out[a.ID] = append(out[a.ID], p.Ref())
			}
		}
		return out
	}
	t.Run("lead paragraphs", func(t *testing.T) {
		want := map[string][]string{
			"eve": {"eve#1"}, "long": {"long#1", "long#2", "long#3"}, "undated": {"undated#1"},
			"start": {"start#1"}, "late": {"late#1"},
		}
		if diff := cmp.Diff(want, leads(t, 0)); diff != "" {
			t.Errorf("default lead (-want +got):\n%s", diff)
		}
		if got := leads(t, 4)["long"]; len(got) != 4 {
			t.Errorf("Lead 4 gave %v", got)
		}
		if got := leads(t, -1); len(got) != 0 {
			t.Errorf("Lead -1 gave paragraphs: %v", got)
		}
	})

	t.Run("metadata", func(t *testing.T) {
		got, err := s.Recent(ctx, knowledge.RecentOptions{Since: day, Until: day.Add(24 * time.Hour), Sources: []string{"courier"}})
		if err != nil {
			t.Fatal(err)
		}
		long := got[0]
		if long.Paragraphs != 5 || long.Source != "courier" || len(long.Refs) != 1 || !long.Ingested.Equal(day.Add(12*time.Hour)) {
			t.Errorf("long article listed as %+v", long.ArticleInfo)
		}
		if late := got[1]; !late.Time().Equal(day.Add(-72 * time.Hour)) {
			t.Errorf("Time() of a published article = %v, want its publication time", late.Time())
		}
		all, err := s.Recent(ctx, window)
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range all {
			if a.ID == "undated" && !a.Time().Equal(day.Add(11*time.Hour)) {
				t.Errorf("Time() of an undated article = %v, want its ingest time", a.Time())
			}
		}
	})
}

// TestRecentManyArticles reads leads for more articles than one paragraph
// query names, so that the chunking is exercised.
func TestRecentManyArticles(t *testing.T) {
	ctx := context.Background()
	s, _ := openStore(t)
	var batch []knowledge.Article
	for i := range 1203 {
		batch = append(batch, knowledge.Article{
			Ref: fmt.Sprintf("test/%d", i), Source: "Wire", Title: fmt.Sprintf("Item %d", i),
			Published:  time.Date(2026, 11, 21, 0, 0, i, 0, time.UTC),
			Paragraphs: []string{fmt.Sprintf("First of %d.", i), fmt.Sprintf("Second of %d.", i)},
		})
	}
	if _, err := s.Put(ctx, batch); err != nil {
		t.Fatal(err)
	}
	got, err := s.Recent(ctx, knowledge.RecentOptions{Since: time.Date(2026, 11, 21, 0, 0, 0, 0, time.UTC), Lead: 1})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1203 {
		t.Fatalf("%d articles, want 1203", len(got))
	}
	for _, a := range got {
		if len(a.Lead) != 1 || a.Lead[0].Paragraph != 1 || a.Lead[0].Text != "First of "+a.Title[len("Item "):]+"." {
			t.Fatalf("article %s (%s) has lead %+v", a.ID, a.Title, a.Lead)
		}
	}
}
