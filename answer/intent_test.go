package answer

import "testing"

func TestParseIntent(t *testing.T) {
	for _, tc := range []struct {
		q       string
		kind    intent
		subject string
		topic   string
	}{
		{"What is this story about?", intentOverview, "", ""},
		{"summarize the story", intentOverview, "", ""},
		{"Summarise the news about the rail strike", intentOverview, "the rail strike", ""},
		{"What happened?", intentOverview, "", ""},
		{"what happened with the library", intentOverview, "the library", ""},
		{"What's the latest on the council vote?", intentOverview, "the council vote", ""},
		{"Tell me about Lowmere", intentOverview, "Lowmere", ""},
		{"¿De qué trata la historia?", intentOverview, "", ""},
		{"Résumé de l'affaire", intentOverview, "l'affaire", ""},
		{"Worum geht es?", intentOverview, "", ""},
		{"O que aconteceu?", intentOverview, "", ""},
		{"What did Iran say?", intentWhoSaid, "Iran", ""},
		{"What did the UN mission say about the Politico report?", intentWhoSaid, "the UN mission", "the Politico report"},
		{"How did Microsoft react?", intentWhoSaid, "Microsoft", ""},
		{"What was the union's response to the offer", intentWhoSaid, "the union", "the offer"},
		{"According to the union, what was rejected?", intentWhoSaid, "the union", "what was rejected"},
		{"¿Qué dijo Microsoft?", intentWhoSaid, "Microsoft", ""},
		{"Qu'a dit Microsoft ?", intentWhoSaid, "Microsoft", ""},
		{"Was sagte Microsoft?", intentWhoSaid, "Microsoft", ""},
		{"O que a Microsoft disse?", intentWhoSaid, "a Microsoft", ""},
		{"What does each side say?", intentBothSides, "", ""},
		{"Is the hacking claim disputed?", intentBothSides, "", ""},
		{"Did Microsoft name the campaign?", intentYesNo, "", ""},
		{"Is Iran behind it?", intentYesNo, "", ""},
		{"Who is Steven Cheung?", intentFact, "", ""},
		{"When did the strike start?", intentFact, "", ""},
		{"What did it say?", intentFact, "", ""},
		{"", intentFact, "", ""},
	} {
		got := parseIntent(tc.q)
		if got.kind != tc.kind || got.subject != tc.subject || got.topic != tc.topic {
			t.Errorf("parseIntent(%q) = %v %q %q; want %v %q %q", tc.q, got.kind, got.subject, got.topic, tc.kind, tc.subject, tc.topic)
		}
	}
}

func FuzzParseIntent(f *testing.F) {
	for _, s := range []string{"What did Iran say?", "summarize", "¿Qué dijo?", "is it disputed", "NEAR(", "\"*\"", "🙂", "what did  say about"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, q string) {
		p := parseIntent(q)
		if p.kind < intentFact || p.kind > intentYesNo {
			t.Fatalf("kind %d", p.kind)
		}
		_ = p.kind.String()
	})
}
