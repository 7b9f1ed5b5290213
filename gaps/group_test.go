package gaps

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/byline-bot/byline/knowledge"
)

func TestGroupSummarizesEachGap(t *testing.T) {
	day := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	qs := []knowledge.Unanswered{
		{AnswerID: 1, At: day, Platform: "slack", Channel: "C1", Question: "Who owns the Brackenford ferry?", Searched: "owns brackenford ferry", Abstained: true},
		{AnswerID: 2, At: day.Add(time.Hour), Platform: "discord", Channel: "d9", Question: "When does the farmers' market open on Saturdays?", Abstained: true},
		{AnswerID: 3, At: day.Add(2 * time.Hour), Platform: "slack", Channel: "C1", Question: "who owns the Brackenford ferry", Abstained: true},
		{AnswerID: 4, At: day.Add(3 * time.Hour), Platform: "slack", Channel: "C2", Question: "Which company owns the ferry at Brackenford?", WrongSource: 2,
			Reasons: []string{"that paragraph is about the bridge"}},
	}
	got := Group(qs)
	want := []Gap{
		{
			Question: "Who owns the Brackenford ferry?", Asked: 3, Abstained: 2, WrongSource: 2,
			Wordings:  []Count{{"Who owns the Brackenford ferry?", 2}, {"Which company owns the ferry at Brackenford?", 1}},
			Where:     []Count{{"slack:C1", 2}, {"slack:C2", 1}},
			Searched:  []Count{{"owns brackenford ferry", 1}},
			Reasons:   []string{"that paragraph is about the bridge"},
			FirstSeen: day, LastSeen: day.Add(3 * time.Hour), AnswerIDs: []int64{1, 3, 4},
		},
		{
			Question: "When does the farmers' market open on Saturdays?", Asked: 1, Abstained: 1,
			Wordings:  []Count{{"When does the farmers' market open on Saturdays?", 1}},
			Where:     []Count{{"discord:d9", 1}},
			FirstSeen: day.Add(time.Hour), LastSeen: day.Add(time.Hour), AnswerIDs: []int64{2},
		},
	}
	if diff := cmp.Diff(want, got, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("Group (-want +got):\n%s", diff)
	}
	if got := Group(nil); got != nil {
		t.Errorf("Group(nil) = %v", got)
	}
}
