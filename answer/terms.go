package answer

import "strings"

// demonymOf reports whether one key is the other's people or adjective
// ("iran" and "iranian", "america" and "american", "iraq" and "iraqi").
// It looks at the spelling only: callers check that both words are
// written with a capital, which keeps "germ" apart from "German".
func demonymOf(a, b string) bool {
	if len(a) > len(b) {
		a, b = b, a
	}
	if len(a) < 4 || !strings.HasPrefix(b, a) {
		return false
	}
	switch b[len(a):] {
	case "n", "an", "ian", "ean", "es", "ese", "i":
		return true
	}
	return false
}
