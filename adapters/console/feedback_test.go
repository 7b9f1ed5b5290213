package console

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/byline-bot/byline/knowledge"
)

// TestChatFeedback: /good, /bad and /wrong N act on the last answer and
// land in the records, a vote changed and a report with its reason.
func TestChatFeedback(t *testing.T) {
	ctx := context.Background()
	st, err := knowledge.Open(ctx, filepath.Join(t.TempDir(), "byline.db"), knowledge.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	in := strings.Join([]string{
		"/good", // nothing to rate yet
		"How did the council vote?",
		"/good",
		"/good",
		"/bad",
		"/wrong",
		"/wrong 3",
		"/wrong 1 the vote was 4 to 3",
	}, "\n") + "\n"
	var out strings.Builder
	c := newChat(t, &fakeEngine{}, strings.NewReader(in), &out)
	c.opts.Records = st
	if err := c.Run(ctx); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"There is no answer to rate yet",
		"Thanks, I've noted that this answer helped.",
		"You've already said this answer helped; nothing changed.",
		"Thanks, I've noted that this answer didn't help.",
		"Say which source is wrong: /wrong N",
		"That answer has no source [3], so nothing was recorded.",
		"Thanks, I've noted that source [1] is wrong.",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
	fb, err := st.AnswerFeedback(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	if len(fb.Votes) != 1 || len(fb.Reports) != 1 || fb.Reports[0].N != 1 || fb.Reports[0].Reason != "the vote was 4 to 3" {
		t.Fatalf("feedback on record = %+v, want one not-helpful vote and one report of [1]", fb)
	}
	for _, v := range fb.Votes {
		if v != knowledge.VoteNotHelpful {
			t.Errorf("vote = %s, want not_helpful", v)
		}
	}
}
