package text

import "strings"

// IsInvisible reports whether r is a zero-width or bidirectional
// formatting character: these arrive from copy and paste and web pages,
// render as nothing, and would make equal sentences compare unequal, or
// hide words from a reader that a model still reads.
func IsInvisible(r rune) bool {
	switch {
	case r == '\u00AD', // soft hyphen
		r == '\u061C',                  // Arabic letter mark
		r == '\u180E',                  // Mongolian vowel separator
		r >= '\u200B' && r <= '\u200F', // zero-width space, non-joiner, joiner; LRM, RLM
		r >= '\u202A' && r <= '\u202E', // bidi embeddings and overrides
		r >= '\u2060' && r <= '\u2064', // word joiner, invisible operators
		r >= '\u2066' && r <= '\u206F', // bidi isolates, deprecated format characters
		r == '\uFEFF',                  // byte order mark, zero-width no-break space
		r >= '\uFFF9' && r <= '\uFFFB', // interlinear annotation controls
		r >= 0xE0000 && r <= 0xE007F:   // tags: invisible ASCII look-alikes, a way to smuggle instructions
		return true
	}
	return false
}

// IsJoiner reports whether r is the zero-width non-joiner or joiner
// (U+200C, U+200D). They are invisible, and ingest drops them so that
// equal sentences compare equal, but text shown to people keeps them:
// emoji sequences and some scripts (Persian, the Indic ones) need them. A
// sanitizer for shown text removes IsInvisible(r) && !IsJoiner(r).
func IsJoiner(r rune) bool {
	return r == '\u200C' || r == '\u200D'
}

// RemoveInvisible returns s without its invisible characters (see
// IsInvisible). It returns s itself when there are none.
func RemoveInvisible(s string) string {
	if strings.IndexFunc(s, IsInvisible) < 0 {
		return s
	}
	return strings.Map(func(r rune) rune {
		if IsInvisible(r) {
			return -1
		}
		return r
	}, s)
}
