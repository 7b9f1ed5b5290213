package text

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestTokens(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []string
	}{
		{"empty", "", nil},
		{"punctuation only", `"'()*-:^+{}`, nil},
		{"words and numbers", "Hello, World! In 1995.", []string{"hello", "world", "in", "1995"}},
		{"diacritics fold", "Émile Zola's CAFÉ naïve", []string{"emile", "zola", "s", "cafe", "naive"}},
		{"combining mark", "cafe\u0301", []string{"cafe"}},
		{"letters of their own", "Łódź Ærø Straße", []string{"łodz", "ærø", "straße"}},
		{"final sigma", "ΟΔΟΣ οδος", []string{"οδοσ", "οδοσ"}},
		{"FTS5 syntax is only separators", `NEAR(a b, 2) x* -y title:z "q"`, []string{"near", "a", "b", "2", "x", "y", "title", "z", "q"}},
		{"emoji separate", "fire🔥works 🎉", []string{"fire", "works"}},
		{"other scripts", "日本語 Москва", []string{"日本語", "москва"}},
		{"invalid UTF-8 separates", "a\xffb", []string{"a", "b"}},
		{"overlong word skipped", "x " + strings.Repeat("a", MaxTokenBytes+1) + " y", []string{"x", "y"}},
		{"longest word kept", strings.Repeat("b", MaxTokenBytes), []string{strings.Repeat("b", MaxTokenBytes)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Tokens(tt.in, 100)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Tokens(%q) (-want +got):\n%s", tt.in, diff)
			}
		})
	}
}

func TestTokensStopsAtMax(t *testing.T) {
	got := Tokens(strings.Repeat("word ", 10), 3)
	if diff := cmp.Diff([]string{"word", "word", "word"}, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if got := Tokens("a b", 0); got != nil {
		t.Errorf("Tokens(_, 0) = %q, want none", got)
	}
}

// TestScanTokensPositions checks that ScanTokens numbers the tokens it
// gives from 0 and stops when asked to.
func TestScanTokensPositions(t *testing.T) {
	var got []int
	ScanTokens("one, two three four", func(tok []byte, pos int) bool {
		got = append(got, pos)
		return pos < 2
	})
	if diff := cmp.Diff([]int{0, 1, 2}, got); diff != "" {
		t.Errorf("positions (-want +got):\n%s", diff)
	}
}

func TestFoldString(t *testing.T) {
	if got, want := FoldString("Ça, Ǖ-ẛ!"), "ca, u-s!"; got != want {
		t.Errorf("FoldString = %q, want %q", got, want)
	}
}

func TestRemoveInvisible(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain", "plain"},
		{"zero\u200bwidth", "zerowidth"},
		{"\ufeffbom", "bom"},
		{"bidi \u202eevil\u202c", "bidi evil"},
		{"tag\U000E0041s", "tags"},
		{"soft\u00adhyphen", "softhyphen"},
	}
	for _, tt := range tests {
		if got := RemoveInvisible(tt.in); got != tt.want {
			t.Errorf("RemoveInvisible(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestIsJoiner(t *testing.T) {
	for _, r := range "\u200c\u200d" {
		if !IsJoiner(r) || !IsInvisible(r) {
			t.Errorf("%U: IsJoiner %v, IsInvisible %v; want both", r, IsJoiner(r), IsInvisible(r))
		}
	}
	for _, r := range "a\u200b\ufeff" {
		if IsJoiner(r) {
			t.Errorf("IsJoiner(%U) = true", r)
		}
	}
}

// TestDiacriticsInTheirBlock checks the range isDiacritic looks in first.
func TestDiacriticsInTheirBlock(t *testing.T) {
	if len(diacritics) == 0 {
		t.Fatal("no diacritics")
	}
	for r := range diacritics {
		if r < 0x300 || r > 0x36F {
			t.Errorf("diacritic %U is outside U+0300..U+036F", r)
		}
	}
}
