package knowledge_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/byline-bot/byline/knowledge"
)

// Paragraphs of a made-up council story, written for these tests.
var pidStory = []string{
	"The city council voted on Tuesday to close Harbour Street to cars on weekends.",
	"Mayor Ana Ruiz said the change would start in June and cost 40,000 euros.",
	"Shop owners on the street were divided, with some fearing fewer customers.",
	"The council will review the trial after three months.",
}

func putStory(t *testing.T, s *knowledge.Store, paras ...string) knowledge.PutResult {
	t.Helper()
	res, err := s.Put(context.Background(), []knowledge.Article{{Ref: "council.md", ID: "council", Title: "Harbour Street", Paragraphs: paras}})
	if err != nil || res[0].Err != nil {
		t.Fatalf("put: %v, %v", err, res[0].Err)
	}
	return res[0]
}

// pidsOf returns the article's paragraphs as "pid@version" in order.
func pidsOf(t *testing.T, s *knowledge.Store, n int) []string {
	t.Helper()
	var out []string
	for i := 1; i <= n; i++ {
		p, err := s.Passage(context.Background(), "council", i)
		if err != nil {
			t.Fatalf("paragraph %d: %v", i, err)
		}
		out = append(out, p.PID+"@"+strconv.Itoa(p.Version))
	}
	return out
}

func TestParagraphIDsSurviveReingest(t *testing.T) {
	s, _ := openStore(t)
	putStory(t, s, pidStory...)
	if got, want := strings.Join(pidsOf(t, s, 4), " "), "council~1@1 council~2@1 council~3@1 council~4@1"; got != want {
		t.Fatalf("first ingest: pids %s, want %s", got, want)
	}

	// A paragraph added at the top and the third removed: the others keep
	// their pids under new numbers, and nothing they say changed.
	added := "Cyclists welcomed the decision."
	res := putStory(t, s, added, pidStory[0], pidStory[1], pidStory[3])
	if got, want := strings.Join(pidsOf(t, s, 4), " "), "council~5@1 council~1@1 council~2@1 council~4@1"; got != want {
		t.Fatalf("after an insert and a removal: pids %s, want %s", got, want)
	}
	if len(res.Changes) != 1 || res.Changes[0].PID != "council~3" || res.Changes[0].NewVersion != 0 || res.Changes[0].OldText != pidStory[2] {
		t.Fatalf("changes = %+v, want council~3 removed", res.Changes)
	}

	// A corrected figure: the same paragraph at its next version.
	fixed := strings.Replace(pidStory[1], "40,000", "45,000", 1)
	res = putStory(t, s, added, pidStory[0], fixed, pidStory[3])
	if got, want := strings.Join(pidsOf(t, s, 4), " "), "council~5@1 council~1@1 council~2@2 council~4@1"; got != want {
		t.Fatalf("after an edit: pids %s, want %s", got, want)
	}
	if len(res.Changes) != 1 || res.Changes[0].PID != "council~2" || res.Changes[0].OldVersion != 1 ||
		res.Changes[0].NewVersion != 2 || res.Changes[0].NewText != fixed || res.Changes[0].Paragraph != 3 {
		t.Fatalf("changes = %+v, want council~2 1→2 at paragraph 3", res.Changes)
	}

	// A paragraph replaced by another on a different subject is a removal
	// and a new paragraph, not an edit; the removed pid is never reused.
	other := "Parking fees in the old town will rise next year, officials added."
	res = putStory(t, s, added, pidStory[0], fixed, other)
	if got, want := strings.Join(pidsOf(t, s, 4), " "), "council~5@1 council~1@1 council~2@2 council~6@1"; got != want {
		t.Fatalf("after a replacement: pids %s, want %s", got, want)
	}
	if len(res.Changes) != 1 || res.Changes[0].PID != "council~4" || res.Changes[0].NewVersion != 0 {
		t.Fatalf("changes = %+v, want council~4 removed", res.Changes)
	}
}

func TestPendingCorrectionsFollowCitedParagraphs(t *testing.T) {
	ctx := context.Background()
	s, _ := openStore(t)
	putStory(t, s, pidStory...)
	cite := func(n int, at time.Time, message string) int64 {
		t.Helper()
		p, err := s.Passage(ctx, "council", n)
		if err != nil {
			t.Fatal(err)
		}
		id, err := s.RecordAnswer(ctx, knowledge.AnswerRecord{At: at, Platform: "discord", Channel: "c1",
			Question: "q", Text: "a [1]", Citations: []knowledge.CitedParagraph{{N: 1, PID: p.PID, Version: p.Version,
				ArticleID: "council", Paragraph: n, Text: p.Text}}})
		if err != nil {
			t.Fatal(err)
		}
		if message != "" {
			if err := s.SetAnswerMessage(ctx, id, "", message); err != nil {
				t.Fatal(err)
			}
		}
		return id
	}
	now := time.Date(2026, 11, 22, 8, 0, 0, 0, time.UTC) // an hour before openStore's clock
	onFigure := cite(2, now, "m1")
	onNeighbour := cite(3, now, "m2")
	cite(2, now.Add(-40*24*time.Hour), "m3") // outside the 30 days
	cite(2, now, "")                         // never posted: nowhere to tell it

	// A neighbour's insertion moves paragraph 2 but leaves its text: nothing.
	putStory(t, s, "Cyclists welcomed the decision.", pidStory[0], pidStory[1], pidStory[2], pidStory[3])
	if got, err := s.PendingCorrections(ctx); err != nil || len(got) != 0 {
		t.Fatalf("pending after an unrelated insert = %+v, %v; want none", got, err)
	}

	fixed := strings.Replace(pidStory[1], "40,000", "45,000", 1)
	note := "Correction: An earlier version of this story gave the wrong cost."
	putStory(t, s, "Cyclists welcomed the decision.", pidStory[0], fixed, pidStory[2], pidStory[3], note)
	got, err := s.PendingCorrections(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 {
		t.Fatalf("pending = %+v, want one, for answer %d", got, onFigure)
	}
	c := got[0]
	if c.Answer.ID != onFigure || c.Answer.Message != "m1" || c.N != 1 || c.OldText != pidStory[1] || c.NewText != fixed ||
		c.OldVersion != 1 || c.NewVersion != 2 || c.Note != note {
		t.Fatalf("pending correction = %+v", c)
	}
	_ = onNeighbour

	// The same text stored again leaves nothing new; once told, the
	// change is not pending again.
	putStory(t, s, "Cyclists welcomed the decision.", pidStory[0], fixed, pidStory[2], pidStory[3], note)
	if err := s.CorrectionPosted(ctx, now, got); err != nil {
		t.Fatal(err)
	}
	if left, err := s.PendingCorrections(ctx); err != nil || len(left) != 0 {
		t.Fatalf("pending after the notice = %+v, %v", left, err)
	}
	a, err := s.Answer(ctx, onFigure)
	if err != nil || a.Superseded.IsZero() {
		t.Fatalf("answer after the notice: superseded %v, %v", a.Superseded, err)
	}
	if last, err := s.LastCorrectionNotice(ctx, onFigure); err != nil || last.Unix() != now.Unix() {
		t.Fatalf("last notice = %v, %v", last, err)
	}

	// A later removal of the paragraph is told again.
	putStory(t, s, "Cyclists welcomed the decision.", pidStory[0], pidStory[2], pidStory[3], note)
	got, err = s.PendingCorrections(ctx)
	if err != nil || len(got) != 1 || got[0].NewVersion != 0 || got[0].OldText != pidStory[1] {
		t.Fatalf("pending after removal = %+v, %v", got, err)
	}
}

func TestCorrectionWindowOff(t *testing.T) {
	ctx := context.Background()
	s, err := knowledge.Open(ctx, t.TempDir()+"/kb.db", knowledge.Options{CorrectionWindow: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	putStory(t, s, pidStory...)
	p, _ := s.Passage(ctx, "council", 2)
	id, _ := s.RecordAnswer(ctx, knowledge.AnswerRecord{Platform: "slack", Channel: "c", Question: "q", Text: "t",
		Citations: []knowledge.CitedParagraph{{N: 1, PID: p.PID, Version: 1, ArticleID: "council", Paragraph: 2, Text: p.Text}}})
	if err := s.SetAnswerMessage(ctx, id, "", "1.2"); err != nil {
		t.Fatal(err)
	}
	putStory(t, s, pidStory[0], pidStory[2], pidStory[3])
	if got, err := s.PendingCorrections(ctx); err != nil || len(got) != 0 {
		t.Fatalf("pending with the window off = %+v, %v", got, err)
	}
}
