package text

import (
	"slices"
	"strings"
	"testing"
)

func TestRelated(t *testing.T) {
	tests := []struct{ word, related string }{
		{"pick", "select"},
		{"picked", "select"}, // every form of a word shares its relatives
		{"denial", "deny"},   // derived forms
		{"identify", "name"},
		{"broadcast", "transmit"},
	}
	for _, tt := range tests {
		if got := Related(Key(tt.word)); !slices.Contains(got, Key(tt.related)) {
			t.Errorf("Related(Key(%q)) = %v, want it to hold Key(%q) = %q", tt.word, got, tt.related, Key(tt.related))
		}
	}
	if got := Related(Key("zzyzx")); got != nil {
		t.Errorf("Related of a word WordNet lacks = %v, want nil", got)
	}
}

// TestRelatedTable checks the generated table's shape: no word is its own
// relative, none has more than the generator's cap, and no stop word is
// anyone's relative.
func TestRelatedTable(t *testing.T) {
	Related("")
	if len(relatedByKey) < 10000 {
		t.Fatalf("%d words in the table, want the generated thousands", len(relatedByKey))
	}
	for k, rs := range relatedByKey {
		if len(rs) == 0 || len(rs) > 12 {
			t.Errorf("%q has %d relatives", k, len(rs))
		}
		for _, r := range rs {
			if r == k || r == "" || strings.ContainsAny(r, ":, ") {
				t.Errorf("%q has relative %q", k, r)
			}
		}
	}
}

// BenchmarkParseRelated is what the table costs the first question of a
// process.
func BenchmarkParseRelated(b *testing.B) {
	for b.Loop() {
		parseRelated()
	}
}
