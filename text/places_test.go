package text

import "testing"

func TestCountry(t *testing.T) {
	for _, tc := range []struct {
		words []string
		want  string
		n     int
	}{
		{[]string{"iranian", "mission"}, "Iran", 1},
		{[]string{"iranians"}, "Iran", 1},
		{[]string{"tehran", "said"}, "Iran", 1},
		{[]string{"iran"}, "Iran", 1},
		{[]string{"american"}, "United States", 1},
		{[]string{"washington"}, "United States", 1},
		{[]string{"united", "states", "of", "america"}, "United States", 4},
		{[]string{"united", "states"}, "United States", 2},
		{[]string{"estados", "unidos"}, "United States", 2},
		{[]string{"etats", "unis"}, "United States", 2},
		{[]string{"british"}, "United Kingdom", 1},
		{[]string{"united"}, "", 0},
		{[]string{"said"}, "", 0},
		{nil, "", 0},
	} {
		got, n := Country(tc.words)
		if got != tc.want || n != tc.n {
			t.Errorf("Country(%q) = %q, %d; want %q, %d", tc.words, got, n, tc.want, tc.n)
		}
	}
	if c, ok := CountryOfAcronym("US"); !ok || c != "United States" {
		t.Errorf(`CountryOfAcronym("US") = %q, %v`, c, ok)
	}
	if _, ok := CountryOfAcronym("us"); ok {
		t.Error(`CountryOfAcronym("us") matched the pronoun`)
	}
}
