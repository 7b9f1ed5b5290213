package cite

import "testing"

func TestDemonym(t *testing.T) {
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
		if got := Demonym(tt.a, tt.b); got != tt.want {
			t.Errorf("Demonym(%q, %q) = %v; want %v", tt.a, tt.b, got, tt.want)
		}
		if got := Demonym(tt.b, tt.a); got != tt.want {
			t.Errorf("Demonym(%q, %q) = %v; want %v", tt.b, tt.a, got, tt.want)
		}
	}
}
