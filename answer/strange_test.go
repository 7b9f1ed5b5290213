package answer_test

import (
	"context"
	"strings"
	"testing"

	"github.com/byline-bot/byline/answer"
)

// Strange questions get an answer or a kind abstention in the asker's
// language, never an error or a raw message of the database.
func TestStrangeQuestions(t *testing.T) {
	e := newEngine(t, newStore(t), nil, nil)
	for _, tc := range []struct {
		name, q string
		want    string // the reply begins with this, or "" for any reply
	}{
		{"empty", "", "Ask me a question"},
		{"blank", "   \n\t ", "Ask me a question"},
		{"emoji only", "🙂🔥🙂", ""},
		{"fts syntax", `NEAR("strike" * rosters) OR "`, ""},
		{"quotes", `"""''' "`, ""},
		{"20 kB", strings.Repeat("strike rosters union ", 1000), ""},
		{"mixed script", "Что сказал union о strike? 工会说了什么", ""},
		{"right to left", "ماذا قال الاتحاد عن الإضراب؟", ""},
		{"spanish", "¿Qué dijo el alcalde sobre el ferry de Marrow?", ""},
		{"german abstention", "Wer gewann die Wahl auf dem Mars?", "Die Artikel, die ich habe, sagen das nicht."},
		{"french abstention", "Qui a gagné l'élection sur Mars ?", "Les articles dont je dispose ne le disent pas."},
		// The adapters turn their platform's mention markup into handles.
		{"only mentions", "@alice @Bob @here", "Ask me a question"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a, err := e.Ask(context.Background(), answer.Question{Text: tc.q})
			if err != nil {
				t.Fatalf("Ask(%q): %v", clipQ(tc.q), err)
			}
			if strings.TrimSpace(a.Text) == "" {
				t.Fatalf("Ask(%q): an empty reply", clipQ(tc.q))
			}
			if strings.Contains(strings.ToLower(a.Text), "sql") || strings.Contains(a.Text, "fts5") {
				t.Errorf("Ask(%q): a database error reached the reply: %q", clipQ(tc.q), a.Text)
			}
			if tc.want != "" && !strings.HasPrefix(a.Text, tc.want) {
				t.Errorf("Ask(%q) = %q; want it to begin %q", clipQ(tc.q), a.Text, tc.want)
			}
		})
	}
}

// A question that carries other people's mentions is answered as if they
// were not there. The adapters hand the engine plain text, the markup of
// their platform written as handles ("@alice", "@here") or removed.
func TestMentionsDoNotChangeTheAnswer(t *testing.T) {
	e := newEngine(t, newStore(t), nil, func(o *answer.Options) { o.CacheTTL = -1 })
	plain := "What did the operator say about the strike?"
	want, err := e.Ask(context.Background(), answer.Question{Text: plain})
	if err != nil {
		t.Fatal(err)
	}
	if want.Abstained {
		t.Fatalf("the plain question abstained: %q", want.Text)
	}
	for _, q := range []string{
		plain + " cc @alice",
		plain + " cc @alice @bob",
		"@Bob " + plain,
		"@here " + plain,
		plain + " @channel",
	} {
		got, err := e.Ask(context.Background(), answer.Question{Text: q})
		if err != nil {
			t.Fatal(err)
		}
		if got.Text != want.Text || got.Searched != want.Searched {
			t.Errorf("Ask(%q) = %q (searched %q); want as without mentions: %q (searched %q)", q, got.Text, got.Searched, want.Text, want.Searched)
		}
	}
}

func clipQ(s string) string {
	if len(s) > 60 {
		return s[:60] + "…"
	}
	return s
}
