package text

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
			for _, tm := range Terms(tt.text) {
				got = append(got, row{tm.Lower, tm.Key, tm.Acro, tm.Num, tm.Compound})
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Terms(%q) (-want +got):\n%s", tt.text, diff)
			}
		})
	}
}

func TestShoutedQuestionKeepsStopWords(t *testing.T) {
	got := ContentKeys("WHO WON THE ELECTION IN THE US?")
	if diff := cmp.Diff([]string{"win", "elect"}, got); diff != "" {
		t.Errorf("ContentKeys (-want +got):\n%s", diff)
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
		want := Key(forms[len(forms)-1])
		for _, f := range forms {
			if got := Key(f); got != want {
				t.Errorf("Key(%q) = %q; want %q, as for %q", f, got, want, forms[len(forms)-1])
			}
		}
	}
	different := [][2]string{{"win", "wind"}, {"news", "new"}, {"left", "leave"}, {"may", "make"}}
	for _, d := range different {
		if Key(d[0]) == Key(d[1]) {
			t.Errorf("Key(%q) = Key(%q) = %q; want them apart", d[0], d[1], Key(d[0]))
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
		if diff := cmp.Diff(tt.want, ContentKeys(tt.text)); diff != "" {
			t.Errorf("ContentKeys(%q) (-want +got):\n%s", tt.text, diff)
		}
	}
}

// TestStopWordRoles checks the roles of the one word list: "said" is no
// stop word but a reporting verb, which retrieval drops and extraction
// keeps; "us" is a stop word to a reader, who sees "US" apart, and no
// stop token to retrieval, which cannot.
func TestStopWordRoles(t *testing.T) {
	tests := []struct {
		w                                   string
		stop, reporting, framing, stopToken bool
	}{
		{"the", true, false, false, true},
		{"don't", true, false, false, true},
		{"don", false, false, false, true},
		{"t", false, false, false, true},
		{"said", false, true, false, true},
		{"according", false, true, false, true},
		{"tell", false, true, true, true},
		{"happened", false, false, true, false},
		{"latest", false, false, true, false},
		{"us", true, false, false, false},
		{"without", true, false, false, false},
		{"told", false, true, false, false},
		{"may", true, false, false, false},
		{"won", false, false, false, true}, // what "won't" leaves; a reader sees the verb
		{"iran", false, false, false, false},
		{"report", false, false, false, false},
	}
	for _, tt := range tests {
		got := [4]bool{IsStopWord(tt.w), IsReportingVerb(tt.w), IsFramingWord(tt.w), IsStopToken(tt.w)}
		want := [4]bool{tt.stop, tt.reporting, tt.framing, tt.stopToken}
		if got != want {
			t.Errorf("%q: stop, reporting, framing, stop token = %v, want %v", tt.w, got, want)
		}
		if filler := tt.stop || tt.framing; IsFiller(tt.w) != filler {
			t.Errorf("IsFiller(%q) = %v, want %v", tt.w, !filler, filler)
		}
	}
}

func TestLanguages(t *testing.T) {
	tests := []struct {
		lang       Language
		word, stem string
		stop       string
	}{
		{English, "invented", "invent", "the"},
		{Spanish, "acusaciones", "acus", "que"},
		{French, "accusations", "accus", "le"},
	}
	for _, tt := range tests {
		if got := tt.lang.Stem(tt.word); got != tt.stem {
			t.Errorf("%s.Stem(%q) = %q, want %q", tt.lang, tt.word, got, tt.stem)
		}
		if !tt.lang.IsStopWord(tt.stop) {
			t.Errorf("%s.IsStopWord(%q) = false, want true", tt.lang, tt.stop)
		}
		if tt.lang.IsStopWord(tt.word) {
			t.Errorf("%s.IsStopWord(%q) = true, want false", tt.lang, tt.word)
		}
	}
	// A language without a stemmer or a list leaves words alone.
	if got := German.Stem("Wahlen"); got != "Wahlen" {
		t.Errorf("German.Stem = %q, want it unchanged", got)
	}
	if German.IsStopWord("der") {
		t.Error(`German.IsStopWord("der") = true; German has no list yet`)
	}
}
