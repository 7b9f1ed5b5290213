package ingest

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestNormalizeParagraph(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"plain ASCII", "The council voted.", "The council voted."},
		{"empty", "", ""},
		{"only space", " \t\n ", ""},
		{"trim and collapse", "  The  council\tvoted\n\non Tuesday.  ", "The council voted on Tuesday."},
		{"no-break and ideographic spaces", "5\u00a0km\u3000away\u2009now", "5 km away now"},
		{"zero-width characters", "zero\u200bwidth\u200c joiner\u200d word\u2060joiner", "zerowidth joiner wordjoiner"},
		{"byte order mark", "\ufeffStart", "Start"},
		{"bidi controls", "\u202aleft\u202c \u2067isolate\u2069 \u200emark\u200f", "left isolate mark"},
		{"soft hyphen", "re\u00adconstruction", "reconstruction"},
		{"control characters", "bell\a and\x1b escape\x7f", "bell and escape"},
		{"NFC", "Cafe\u0301 de\u0301ja\u0300", "Café déjà"},
		{"compose across removed zero-width space", "e\u200b\u0301", "é"},
		{"invalid UTF-8", "bad \xff byte", "bad \ufffd byte"},
		{"line separators", "one\u2028two\u2029three\u0085four", "one two three four"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := normalizeParagraph(tt.in)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("normalizeParagraph(%q) mismatch (-want +got):\n%s", tt.in, diff)
			}
			if again := normalizeParagraph(got); again != got {
				t.Errorf("normalizeParagraph is not idempotent: %q, then %q", got, again)
			}
		})
	}
}

func TestDeriveTitle(t *testing.T) {
	tests := []struct {
		name string
		in   []string
		want string
	}{
		{"none", nil, ""},
		{"short sentence loses its full stop", []string{"The council voted. It was late."}, "The council voted"},
		{"question kept", []string{"Who pays for the flood? Nobody knows."}, "Who pays for the flood?"},
		{"quote closes the sentence", []string{`"We are ready." The mayor smiled.`}, `"We are ready."`},
		{"abbreviation does not end a sentence", []string{"Dr. Amara Quist said the U.S. plan failed. Then she left."}, "Dr. Amara Quist said the U.S. plan failed"},
		{"initial does not end a sentence", []string{"J. R. Holm won. Others lost."}, "J. R. Holm won"},
		{"decimal does not end a sentence", []string{"Prices rose 2.5 per cent in May. Fuel led."}, "Prices rose 2.5 per cent in May"},
		{"lower case after a full stop", []string{"Version 2. then more words follow here."}, "Version 2. then more words follow here"},
		{
			"long sentence cut on a word boundary",
			[]string{"The regional transport authority said on Thursday that it would review every contract signed with the operator since 2019, after auditors found gaps."},
			"The regional transport authority said on Thursday that it would review every…",
		},
		{
			"cut drops a trailing comma",
			[]string{"Commuters waited, shivering, for buses that never came, and then, finally, walked home in the dark rain"},
			"Commuters waited, shivering, for buses that never came, and then, finally…",
		},
		{
			"one long word",
			[]string{"A" + strings.Repeat("a", 99)},
			"A" + strings.Repeat("a", maxTitleRunes-2) + "…",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := deriveTitle(tt.in)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("deriveTitle mismatch (-want +got):\n%s", diff)
			}
			if n := len([]rune(got)); n > maxTitleRunes {
				t.Errorf("title has %d runes, want at most %d", n, maxTitleRunes)
			}
		})
	}
}

func TestNormalizeTitle(t *testing.T) {
	for in, want := range map[string]string{
		"Reagan'S Cia Man Withdraws":   "Reagan's Cia Man Withdraws",
		"Brazil’S Coffee Exports Fall": "Brazil’s Coffee Exports Fall",
		"IT'S A DEAL":                  "IT'S A DEAL",
		"O'Sullivan Wins  the Seat":    "O'Sullivan Wins the Seat",
	} {
		if got := normalizeTitle(in); got != want {
			t.Errorf("normalizeTitle(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestNormalizeDropsTagCharacters(t *testing.T) {
	// Unicode tags spell ASCII invisibly: "ignore" hidden in a sentence.
	in := "Rates held steady\U000E0069\U000E0067\U000E006E\U000E006F\U000E0072\U000E0065 on Monday."
	if got, want := normalizeParagraph(in), "Rates held steady on Monday."; got != want {
		t.Errorf("normalizeParagraph = %q, want %q", got, want)
	}
}
