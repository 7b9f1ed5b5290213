package text

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Fold returns r as the SQLite index stores it: case-folded and, for a
// Latin letter, without its diacritics, as FTS5's
// "unicode61 remove_diacritics 2" tokenizer does it. "É", "é" and "e"
// fold alike; so do "Σ", "σ" and "ς". Letters that carry no diacritic in
// Unicode's decomposition keep their shape, as the index keeps them:
// "ø", "ł", "đ", "ı", "æ" and "ß" are letters of their own.
//
// A test in package knowledge checks this against SQLite's own tokenizer
// for the Latin, Greek and Cyrillic blocks.
func Fold(r rune) rune {
	if r < utf8.RuneSelf {
		if 'A' <= r && r <= 'Z' {
			r += 'a' - 'A'
		}
		return r
	}
	r = caseFold(r)
	if f, ok := foldTable[r]; ok {
		return f
	}
	return r
}

// FoldString returns s with every rune folded as Fold folds it. It keeps
// everything else, spaces and punctuation included.
func FoldString(s string) string {
	return strings.Map(Fold, s)
}

// caseFold returns the simple case folding of r: the lower case of its
// upper case, so that "ς" and "ſ" fold with "σ" and "s". The dotless "ı"
// is kept, as Unicode's case folding (and SQLite) keeps it.
func caseFold(r rune) rune {
	if r == 'ı' {
		return r
	}
	return unicode.ToLower(unicode.ToUpper(r))
}

// foldTable holds the case-folded precomposed Latin letters whose
// canonical decomposition is a base letter and diacritics, mapped to the
// base letter: "ǖ" (u, diaeresis, macron) to "u". The one exception is
// "ǡ" (a, dot above, macron), which SQLite's table keeps whole.
var foldTable = func() map[rune]rune {
	m := make(map[rune]rune)
	for _, block := range latinBlocks {
		for r := block[0]; r <= block[1]; r++ {
			if r != caseFold(r) || r == 'ǡ' {
				continue
			}
			if base, ok := latinBase(r); ok {
				m[r] = base
			}
		}
	}
	return m
}()

// latinBlocks are the Unicode blocks of precomposed Latin letters:
// Latin-1 Supplement to Latin Extended-B, and Latin Extended Additional.
var latinBlocks = [][2]rune{{0xC0, 0x24F}, {0x1E00, 0x1EFF}}

// latinBase returns the base letter of r, case-folded, when r decomposes
// into a basic Latin letter followed only by combining marks.
func latinBase(r rune) (rune, bool) {
	d := norm.NFD.String(string(r))
	base, size := utf8.DecodeRuneInString(d)
	if size == len(d) || !('a' <= base && base <= 'z' || 'A' <= base && base <= 'Z') {
		return 0, false
	}
	for _, m := range d[size:] {
		if !unicode.Is(unicode.Mn, m) {
			return 0, false
		}
	}
	return caseFold(base), true
}

// isDiacritic reports whether r is a combining mark that the index drops
// from inside a word: one of the marks of the precomposed Latin letters.
// Other combining marks separate words there, as they do here.
func isDiacritic(r rune) bool {
	if r < 0x300 || r > 0x36F { // the block all of them are in
		return false
	}
	_, ok := diacritics[r]
	return ok
}

// diacritics are the combining marks that the decompositions of
// precomposed Latin letters use, all of them Combining Diacritical Marks
// (U+0300 to U+036F); TestDiacriticsInTheirBlock checks that.
var diacritics = func() map[rune]struct{} {
	m := make(map[rune]struct{})
	for _, block := range latinBlocks {
		for r := block[0]; r <= block[1]; r++ {
			if _, ok := latinBase(r); !ok {
				continue
			}
			for _, c := range norm.NFD.String(string(r))[1:] {
				m[c] = struct{}{}
			}
		}
	}
	return m
}()
