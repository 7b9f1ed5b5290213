package answer

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/byline-bot/byline/knowledge"
	"github.com/byline-bot/byline/knowledge/ingest"
)

func TestFrameWordOf(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"waht", "what"},
		{"Waht", "what"},
		{"sumarize", "summarize"},
		{"summarise", ""}, // a frame word itself
		{"hwo", ""},       // "who" or "how"
		{"hpw", "how"},
		{"wehn", "when"},
		{"whta", "what"},
		{"wo", ""}, // too short to mend: German "where"
		{"Iran", ""},
		{"microsoft", ""},
		{"sadi", "said"},
	} {
		if got := frameWordOf(tc.in); got != tc.want {
			t.Errorf("frameWordOf(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestOneEdit(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want bool
	}{
		{"what", "what", false},
		{"waht", "what", true},
		{"wht", "what", true},
		{"whatt", "what", true},
		{"whet", "what", true},
		{"hwta", "what", false},
		{"wtah", "what", false},
		{"", "a", true},
		{"sumarize", "summarize", true},
		{"smarize", "summarize", false},
	} {
		if got := oneEdit(tc.a, tc.b); got != tc.want {
			t.Errorf("oneEdit(%q, %q) = %v, want %v", tc.a, tc.b, got, tc.want)
		}
	}
}

// TestMisspeltFrameWordsKeepTheIntent checks that a question with a
// misspelt question word is answered as the question spelt right is, and
// that a foreign function word one edit from a frame word ("dit") is left
// as it is.
func TestMisspeltFrameWordsKeepTheIntent(t *testing.T) {
	ctx := context.Background()
	store, err := knowledge.Open(ctx, filepath.Join(t.TempDir(), "story.db"), knowledge.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	dir := filepath.Join(sharedDir, "corpus", "story")
	if sum, err := ingest.Run(ctx, store, []string{dir}, ingest.Options{}); err != nil || sum.New != 2 {
		t.Fatalf("ingest %s (read from ../shared beside the repository): %v", dir, err)
	}
	engine, err := New(Options{Store: store, CacheTTL: -1})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ typo, right string }{
		{"waht did the Iranian mission say?", "what did the Iranian mission say?"},
		{"sumarize the story", "summarize the story"},
		{"Hpw did Microsoft react?", "How did Microsoft react?"},
	} {
		typo, err := engine.Ask(ctx, Question{Text: tc.typo})
		if err != nil {
			t.Fatal(err)
		}
		right, err := engine.Ask(ctx, Question{Text: tc.right})
		if err != nil {
			t.Fatal(err)
		}
		if right.Abstained {
			t.Fatalf("%q abstained: the test needs a question the story answers", tc.right)
		}
		if typo.Abstained || typo.Text != right.Text {
			t.Errorf("%q answered\n%s\nwant the answer to %q:\n%s", tc.typo, typo.Text, tc.right, right.Text)
		}
	}
	if got := engine.frameFixes(ctx, "Qu'a dit Microsoft ?"); len(got) != 0 {
		t.Errorf("frameFixes of a French question = %v, want none", got)
	}
}
