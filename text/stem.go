package text

import (
	"github.com/kljensen/snowball/english"
	"github.com/kljensen/snowball/french"
	"github.com/kljensen/snowball/spanish"
)

// Stem returns the English (Porter2) stem of w, a lowercased word:
// "invented" and "invention" share "invent".
func Stem(w string) string { return English.Stem(w) }

// Stem returns the Snowball stem of w, a lowercased word of language l.
// Stop words are stemmed too, so that every form of a word compares
// alike. A language without a stemmer (German and Portuguese, for now)
// leaves w as it is.
func (l Language) Stem(w string) string {
	switch l {
	case English:
		return english.Stem(w, true)
	case Spanish:
		return spanish.Stem(w, true)
	case French:
		return french.Stem(w, true)
	}
	return w
}
