package knowledge_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/byline-bot/byline/knowledge"
)

func TestFeedbackQueries(t *testing.T) {
	s, _ := openStore(t)
	ctx := context.Background()
	now := time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC) // openStore's clock
	record := func(a knowledge.AnswerRecord) int64 {
		t.Helper()
		id, err := s.RecordAnswer(ctx, a)
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	cite := []knowledge.CitedParagraph{
		{N: 1, PID: "p1", Version: 1, ArticleID: "flood", Paragraph: 1, Text: "The library will reopen on June 6."},
		{N: 2, PID: "p2", Version: 3, ArticleID: "flood", Paragraph: 4, Text: "Repairs will cost about $780,000."},
	}
	old := record(knowledge.AnswerRecord{At: now.Add(-30 * 24 * time.Hour), Platform: "slack", Channel: "C1",
		Question: "Who owns the ferry?", Text: "The articles don't say.", Abstained: true})
	abst := record(knowledge.AnswerRecord{At: now.Add(-2 * time.Hour), Platform: "discord", Channel: "d1",
		Question: "Who owns the ferry now?", Searched: "owns ferry", Text: "The articles don't say.", Abstained: true})
	good := record(knowledge.AnswerRecord{At: now.Add(-time.Hour), Platform: "slack", Channel: "C1",
		Question: "When does the library reopen?", Text: "On June 6 [1].", Citations: cite[:1]})
	bad := record(knowledge.AnswerRecord{At: now.Add(-time.Hour), Platform: "slack", Channel: "C2",
		Question: "How much will the repairs cost?", Text: "June 6 [1], $780,000 [2].", Citations: cite})
	for _, v := range []struct {
		id   int64
		user string
		vote knowledge.Vote
	}{
		{good, "u1", knowledge.VoteHelpful}, {good, "u2", knowledge.VoteHelpful},
		{bad, "u1", knowledge.VoteNotHelpful}, {bad, "u2", knowledge.VoteHelpful}, {bad, "u2", knowledge.VoteNotHelpful},
		{bad, "u3", knowledge.VoteHelpful},
	} {
		if _, err := s.Vote(ctx, v.id, v.user, v.vote); err != nil {
			t.Fatal(err)
		}
	}
	for _, rep := range []knowledge.SourceReport{
		{AnswerID: bad, UserHash: "u1", N: 1, Reason: "that is the reopening, not the cost"},
		{AnswerID: bad, UserHash: "u2", N: 1, At: now.Add(time.Minute)},
		{AnswerID: old, UserHash: "u1", N: 9},
	} {
		if err := s.ReportSource(ctx, rep); err == nil && rep.N == 9 {
			t.Fatal("a report on a source the answer does not cite was stored")
		} else if err != nil && rep.N != 9 {
			t.Fatal(err)
		}
	}

	since := now.Add(-24 * time.Hour)
	un, err := s.Unanswered(ctx, since)
	if err != nil {
		t.Fatal(err)
	}
	want := []knowledge.Unanswered{
		{AnswerID: abst, At: now.Add(-2 * time.Hour), Platform: "discord", Channel: "d1", Question: "Who owns the ferry now?",
			Searched: "owns ferry", Abstained: true},
		{AnswerID: bad, At: now.Add(-time.Hour), Platform: "slack", Channel: "C2", Question: "How much will the repairs cost?",
			WrongSource: 2, Reasons: []string{"that is the reopening, not the cost"}},
	}
	if diff := cmp.Diff(want, un); diff != "" {
		t.Errorf("Unanswered (-want +got):\n%s", diff)
	}
	if un, err := s.Unanswered(ctx, time.Time{}); err != nil || len(un) != 3 || un[0].AnswerID != old {
		t.Errorf("Unanswered since ever = %+v, %v; want the old abstention first of 3", un, err)
	}

	flagged, err := s.FlaggedAnswers(ctx, since)
	if err != nil {
		t.Fatal(err)
	}
	if len(flagged) != 1 {
		t.Fatalf("FlaggedAnswers = %+v, want the one answer voted not helpful", flagged)
	}
	f := flagged[0]
	if f.ID != bad || f.Helpful != 1 || f.NotHelpful != 2 || len(f.Citations) != 2 || f.Citations[1].PID != "p2" ||
		len(f.Reports) != 2 || f.Reports[0].Reason == "" || f.Question != "How much will the repairs cost?" {
		t.Errorf("flagged answer = %+v", f)
	}
	if flagged, err := s.FlaggedAnswers(ctx, now.Add(time.Hour)); err != nil || len(flagged) != 0 {
		t.Errorf("FlaggedAnswers after the votes = %+v, %v; want none", flagged, err)
	}

	counts, err := s.FeedbackCounts(ctx, since)
	if err != nil {
		t.Fatal(err)
	}
	wantCounts := knowledge.FeedbackCounts{Answers: 3, Abstained: 1, Helpful: 3, NotHelpful: 2, WrongSource: 2}
	if diff := cmp.Diff(wantCounts, counts); diff != "" {
		t.Errorf("FeedbackCounts (-want +got):\n%s", diff)
	}
}
