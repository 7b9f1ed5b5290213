package main

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/byline-bot/byline/gaps"
	"github.com/byline-bot/byline/knowledge"
)

// seedRecords records, as chat would, three wordings of one question the
// articles could not answer, one other unanswered question, and an
// answer a reader voted down and reported.
func seedRecords(t *testing.T) string {
	t.Helper()
	db := filepath.Join(t.TempDir(), "k.db")
	ctx := context.Background()
	st, err := knowledge.Open(ctx, db, knowledge.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	now := time.Now().Add(-time.Hour)
	for i, q := range []string{
		"When does the new ferry timetable start?",
		"when will the new ferry timetable begin",
		"What date does the ferry timetable start?",
		"Who is the new school principal?",
	} {
		if _, err := st.RecordAnswer(ctx, knowledge.AnswerRecord{At: now.Add(time.Duration(i) * time.Minute), Platform: "slack",
			Channel: "C1", Question: q, Text: "The articles don't say.", Abstained: true}); err != nil {
			t.Fatal(err)
		}
	}
	id, err := st.RecordAnswer(ctx, knowledge.AnswerRecord{At: now, Platform: "discord", Channel: "c9", Question: "How much will the bridge cost?",
		Text: "3.2 million euros [1].", Citations: []knowledge.CitedParagraph{{N: 1, PID: "bridge~1", Version: 1, ArticleID: "bridge", Paragraph: 1, Text: "The bridge will cost 3.2 million euros."}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.Vote(ctx, id, "reader", knowledge.VoteNotHelpful); err != nil {
		t.Fatal(err)
	}
	if err := st.ReportSource(ctx, knowledge.SourceReport{AnswerID: id, UserHash: "reader", N: 1, Reason: "the council said 3.8"}); err != nil {
		t.Fatal(err)
	}
	return db
}

func TestGapsCommand(t *testing.T) {
	db := seedRecords(t)
	out, stderr, code := runBot(t, nil, "", "gaps", "--db", db, "--json")
	if code != 0 {
		t.Fatalf("gaps: %d %s", code, stderr)
	}
	var gs []gapJSON
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		var g gapJSON
		if err := json.Unmarshal([]byte(line), &g); err != nil {
			t.Fatalf("%v: %s", err, line)
		}
		gs = append(gs, g)
	}
	if len(gs) < 2 || gs[0].Asked != 3 || !strings.Contains(strings.ToLower(gs[0].Question), "ferry") || len(gs[0].Wordings) != 3 {
		t.Fatalf("gaps = %+v, want the three ferry wordings grouped and first", gs)
	}
	if gs[0].Where[0].Value != "slack:C1" {
		t.Errorf("where = %+v", gs[0].Where)
	}
	text, _, code := runBot(t, nil, "", "gaps", "--db", db)
	if code != 0 || !strings.Contains(text, "(asked 3×)") || !strings.Contains(text, "the council said 3.8") {
		t.Errorf("gaps as text:\n%s", text)
	}
	if _, _, code := runBot(t, nil, "", "gaps", "--db", db, "--since", "-1h"); code != 2 {
		t.Errorf("a negative --since: exit %d, want 2", code)
	}
}

func TestFeedbackCommand(t *testing.T) {
	db := seedRecords(t)
	out, stderr, code := runBot(t, nil, "", "feedback", "--db", db)
	if code != 0 {
		t.Fatalf("feedback: %d %s", code, stderr)
	}
	for _, want := range []string{"1 not helpful, 0 helpful, 1 wrong-source reports", "Q: How much will the bridge cost?",
		"[1] bridge#1 (bridge~1 v1): The bridge will cost 3.2 million euros.", "reported [1] wrong: the council said 3.8",
		"5 answers (4 abstentions)"} {
		if !strings.Contains(out, want) {
			t.Errorf("feedback lacks %q:\n%s", want, out)
		}
	}
	js, _, code := runBot(t, nil, "", "feedback", "--db", db, "--json")
	var f flaggedJSON
	if code != 0 || json.Unmarshal([]byte(strings.TrimSpace(js)), &f) != nil || f.NotHelpful != 1 || len(f.Reports) != 1 || f.Citations[0].PID != "bridge~1" {
		t.Errorf("feedback --json = %s (%+v)", js, f)
	}
}

func TestNextWeekly(t *testing.T) {
	loc := time.FixedZone("UTC+1", 3600)
	// Friday 4 December 2026, 10:00 there.
	now := time.Date(2026, 12, 4, 10, 0, 0, 0, loc)
	for _, c := range []struct {
		day    time.Weekday
		hh, mm int
		want   time.Time
	}{
		{time.Monday, 9, 0, time.Date(2026, 12, 7, 9, 0, 0, 0, loc)},
		{time.Friday, 11, 0, time.Date(2026, 12, 4, 11, 0, 0, 0, loc)},
		{time.Friday, 10, 0, time.Date(2026, 12, 11, 10, 0, 0, 0, loc)}, // now is not after now
	} {
		if got := nextWeekly(now, c.day, c.hh, c.mm, loc); !got.Equal(c.want) {
			t.Errorf("next %s %02d:%02d = %v, want %v", c.day, c.hh, c.mm, got, c.want)
		}
	}
}

func TestGapsReportLimit(t *testing.T) {
	db := seedRecords(t)
	st, err := knowledge.Open(context.Background(), db, knowledge.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	qs, err := st.Unanswered(context.Background(), time.Now().Add(-gapsWindow))
	if err != nil {
		t.Fatal(err)
	}
	text := gapsReport(gaps.Group(qs), time.Now().Add(-gapsWindow), 1)
	if !strings.Contains(text, "1. ") || strings.Contains(text, "2. ") || !strings.Contains(text, "more.") {
		t.Errorf("a report of one group:\n%s", text)
	}
}
