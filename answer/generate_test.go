package answer

import "testing"

func TestSettled(t *testing.T) {
	for in, want := range map[string]string{
		"Workers walked out on Monday [1,":      "Workers walked out on Monday ",
		"Workers walked out [1]. Ask <@U":       "Workers walked out [1]. Ask ",
		"Workers walked out. Tell @every":       "Workers walked out. Tell ",
		"Workers walked out on Monday [1] .":    "Workers walked out on Monday [1].",
		"Complete sentence [2]. Another [3][4]": "Complete sentence [2]. Another [3][4]",
	} {
		if got := settled(in); got != want {
			t.Errorf("settled(%q) = %q, want %q", in, got, want)
		}
	}
}
