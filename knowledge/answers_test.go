package knowledge_test

import (
	"context"
	"errors"
	"testing"

	"github.com/byline-bot/byline/knowledge"
)

func TestAnswerRecordsVotesAndReports(t *testing.T) {
	s, _ := openStore(t)
	ctx := context.Background()
	id, err := s.RecordAnswer(ctx, knowledge.AnswerRecord{
		Platform: "discord", Channel: "c1", UserHash: "u", Question: "who said it?", Text: "A said it [1].",
		Citations: []knowledge.CitedParagraph{{N: 1, PID: "p1", Version: 1, ArticleID: "a", Paragraph: 2, Text: "A said it."}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.SetAnswerMessage(ctx, id, "t1", "m1"); err != nil {
		t.Fatal(err)
	}
	got, err := s.Answer(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if got.Thread != "t1" || got.Message != "m1" || len(got.Citations) != 1 || got.Citations[0].PID != "p1" || got.Question != "who said it?" {
		t.Fatalf("stored answer = %+v", got)
	}
	if _, err := s.Answer(ctx, id+1); !errors.Is(err, knowledge.ErrNotFound) {
		t.Fatalf("unknown answer: err = %v, want ErrNotFound", err)
	}

	for i, c := range []struct {
		v    knowledge.Vote
		want bool
	}{{knowledge.VoteHelpful, true}, {knowledge.VoteHelpful, false}, {knowledge.VoteNotHelpful, true}} {
		changed, err := s.Vote(ctx, id, "reader", c.v)
		if err != nil || changed != c.want {
			t.Fatalf("vote %d (%s): changed = %v, %v; want %v", i, c.v, changed, err, c.want)
		}
	}
	if _, err := s.Vote(ctx, id+1, "reader", knowledge.VoteHelpful); !errors.Is(err, knowledge.ErrNotFound) {
		t.Fatalf("vote on an unknown answer: err = %v", err)
	}
	if _, err := s.Vote(ctx, id, "reader", "maybe"); err == nil {
		t.Fatal("a vote that is not one was stored")
	}
	if err := s.ReportSource(ctx, knowledge.SourceReport{AnswerID: id, UserHash: "reader", N: 1, Reason: "misquoted"}); err != nil {
		t.Fatal(err)
	}
	if err := s.ReportSource(ctx, knowledge.SourceReport{AnswerID: id, UserHash: "reader", N: 2}); !errors.Is(err, knowledge.ErrNotFound) {
		t.Fatalf("report on a source the answer does not cite: err = %v", err)
	}
}
