package answer

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestScanTerms(t *testing.T) {
	type row struct {
		Lower    string
		Key      string
		Acro     bool
		Num      bool
		Compound bool
	}
	tests := []struct {
		text string
		want []row
	}{
		{"Iran's mission", []row{{"iran", "iran", false, false, false}, {"mission", "mission", false, false, false}}},
		{"U.S. officials", []row{{"us", "us", true, false, false}, {"officials", "offici", false, false, false}}},
		{"the US and UN", []row{{"the", "the", false, false, false}, {"us", "us", true, false, false}, {"and", "and", false, false, false}, {"un", "un", true, false, false}}},
		{"5.93 mln, 1,000 and $1.5", []row{{"5.93", "5.93", false, true, false}, {"mln", "mln", false, false, false}, {"1,000", "1000", false, true, false}, {"and", "and", false, false, false}, {"1.5", "1.5", false, true, false}}},
		{"cyber-attacks", []row{{"cyber", "cyber", false, false, false}, {"attacks", "attack", false, false, false}, {"cyberattacks", "cyberattack", false, false, true}}},
		{"don't go", []row{{"don't", "don't", false, false, false}, {"go", "go", false, false, false}}},
		{"workers' union", []row{{"workers", "worker", false, false, false}, {"union", "union", false, false, false}}},
		{"“Quoted” — and (bracketed).", []row{{"quoted", "quot", false, false, false}, {"and", "and", false, false, false}, {"bracketed", "bracket", false, false, false}}},
		{"", nil},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			var got []row
			for _, tm := range scanTerms(tt.text) {
				got = append(got, row{tm.lower, tm.key, tm.acro, tm.num, tm.compound})
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("scanTerms(%q) (-want +got):\n%s", tt.text, diff)
			}
		})
	}
}

func TestShoutedQuestionKeepsStopWords(t *testing.T) {
	got := contentKeys("WHO WON THE ELECTION IN THE US?")
	if diff := cmp.Diff([]string{"win", "elect"}, got); diff != "" {
		t.Errorf("contentKeys (-want +got):\n%s", diff)
	}
}

func TestTermKeysMatchForms(t *testing.T) {
	same := [][]string{
		{"said", "says", "saying", "say"},
		{"won", "wins", "winning", "win"},
		{"began", "begun", "begins", "begin", "start", "started", "starting"},
		{"rejected", "rejects", "reject"},
		{"elections", "election"},
		{"hacked", "hacking", "hack"},
		{"spokesperson", "spokeswoman", "spokesman"},
		{"children", "child"},
		{"bought", "buy", "purchased"},
		{"murdered", "assassinated", "assassination", "killed", "kill"},
	}
	for _, forms := range same {
		want := termKey(forms[len(forms)-1])
		for _, f := range forms {
			if got := termKey(f); got != want {
				t.Errorf("termKey(%q) = %q; want %q, as for %q", f, got, want, forms[len(forms)-1])
			}
		}
	}
	different := [][2]string{{"win", "wind"}, {"news", "new"}, {"left", "leave"}, {"may", "make"}}
	for _, d := range different {
		if termKey(d[0]) == termKey(d[1]) {
			t.Errorf("termKey(%q) = termKey(%q) = %q; want them apart", d[0], d[1], termKey(d[0]))
		}
	}
}

func TestContentKeys(t *testing.T) {
	tests := []struct {
		text string
		want []string
	}{
		{"Who won the 2024 presidential election?", []string{"win", "2024", "presidenti", "elect"}},
		{"What did Iran's UN mission say about the Politico report?", []string{"iran", "un", "mission", "say", "politico", "report"}},
		{"What is the latest on the strike?", []string{"strike"}},
		{"What is it?", nil},
		{"🙂", nil},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, contentKeys(tt.text)); diff != "" {
			t.Errorf("contentKeys(%q) (-want +got):\n%s", tt.text, diff)
		}
	}
}

func TestDemonymOf(t *testing.T) {
	tests := []struct {
		a, b string
		want bool
	}{
		{"iran", "iranian", true},
		{"america", "american", true},
		{"russia", "russian", true},
		{"japan", "japanes", true},
		{"iraq", "iraqi", true},
		{"iran", "iran", false},
		{"iran", "irate", false},
		{"man", "mani", false}, // too short to tell
		{"union", "unionist", false},
	}
	for _, tt := range tests {
		if got := demonymOf(tt.a, tt.b); got != tt.want {
			t.Errorf("demonymOf(%q, %q) = %v; want %v", tt.a, tt.b, got, tt.want)
		}
		if got := demonymOf(tt.b, tt.a); got != tt.want {
			t.Errorf("demonymOf(%q, %q) = %v; want %v", tt.b, tt.a, got, tt.want)
		}
	}
}

func TestQuestionKind(t *testing.T) {
	tests := []struct {
		question string
		want     answerKind
	}{
		{"Who is Steven Doe?", kindDefinition},
		{"Who won the race?", kindPerson},
		{"Who is the new coach?", kindPerson},
		{"When did the strike start?", kindTime},
		{"What year was it built?", kindTime},
		{"How many people were hurt?", kindNumber},
		{"How much did it cost?", kindNumber},
		{"Where did the ship sink?", kindPlace},
		{"Why did the talks fail?", kindReason},
		{"What is the title of the report?", kindName},
		{"Which agencies took part?", kindEntity},
		{"What did the union say?", kindAny},
		{"Did the council vote?", kindAny},
	}
	for _, tt := range tests {
		if got := parseQuestion(tt.question).kind; got != tt.want {
			t.Errorf("parseQuestion(%q).kind = %d; want %d", tt.question, got, tt.want)
		}
	}
}
