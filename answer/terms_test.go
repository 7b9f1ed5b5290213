package answer

import (
	"testing"
)

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
