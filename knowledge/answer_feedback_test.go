package knowledge_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/byline-bot/byline/knowledge"
)

// TestAnswerFeedback: each reader's latest vote, and the reports with
// their reasons, read back; an answer no one rated has none.
func TestAnswerFeedback(t *testing.T) {
	s, _ := openStore(t)
	ctx := context.Background()
	id, err := s.RecordAnswer(ctx, knowledge.AnswerRecord{
		Platform: "slack", Question: "q", Text: "A [1] and B [2].",
		Citations: []knowledge.CitedParagraph{{N: 1, PID: "p1", Version: 1, ArticleID: "a", Paragraph: 1, Text: "A."},
			{N: 2, PID: "p2", Version: 1, ArticleID: "a", Paragraph: 2, Text: "B."}},
	})
	if err != nil {
		t.Fatal(err)
	}
	empty, err := s.AnswerFeedback(ctx, id)
	if err != nil || len(empty.Votes) != 0 || len(empty.Reports) != 0 {
		t.Fatalf("feedback before any = %+v, %v", empty, err)
	}
	for _, v := range []struct {
		user string
		vote knowledge.Vote
	}{{"ann", knowledge.VoteHelpful}, {"bob", knowledge.VoteHelpful}, {"ann", knowledge.VoteNotHelpful}} {
		if _, err := s.Vote(ctx, id, v.user, v.vote); err != nil {
			t.Fatal(err)
		}
	}
	at := time.Date(2026, 12, 5, 10, 0, 0, 0, time.UTC)
	if err := s.ReportSource(ctx, knowledge.SourceReport{AnswerID: id, UserHash: "ann", N: 2, Reason: "old figure", At: at}); err != nil {
		t.Fatal(err)
	}
	got, err := s.AnswerFeedback(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	want := knowledge.AnswerFeedback{
		Votes:   map[string]knowledge.Vote{"ann": knowledge.VoteNotHelpful, "bob": knowledge.VoteHelpful},
		Reports: []knowledge.SourceReport{{AnswerID: id, UserHash: "ann", N: 2, Reason: "old figure", At: at}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("feedback (-want +got):\n%s", diff)
	}
}
