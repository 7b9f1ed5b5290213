package ingest

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// normalizeParagraph returns s as stored: valid UTF-8 in NFC, without
// invisible format or control characters, trimmed, with every run of
// whitespace (line breaks included) collapsed to one space.
//
// It is idempotent, and it returns s itself when s is already normal, which
// is the common case for plain ASCII prose and keeps large ingests cheap.
func normalizeParagraph(s string) string {
	if isNormalASCII(s) {
		return s
	}
	s = strings.ToValidUTF8(s, "\uFFFD")
	// Drop invisible characters before composing, so that a base letter
	// and a combining mark separated only by, say, a zero-width space
	// compose as they would read.
	s = strings.Map(func(r rune) rune {
		switch {
		case isInvisible(r):
			return -1
		case unicode.IsSpace(r):
			return ' '
		case unicode.IsControl(r):
			return -1
		}
		return r
	}, s)
	s = norm.NFC.String(s)
	return strings.Join(strings.Fields(s), " ")
}

// isNormalASCII reports whether s is printable ASCII with single spaces
// between words and none at either end.
func isNormalASCII(s string) bool {
	prev := byte(' ') // so that a leading space fails
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c-'!' > '~'-'!' { // not a printable ASCII letter, digit or sign
			if c != ' ' || prev == ' ' {
				return false
			}
		}
		prev = c
	}
	return prev != ' ' || s == ""
}

// isInvisible reports whether r is a zero-width or bidirectional formatting
// character: these arrive from copy and paste and web pages, render as
// nothing, and would make equal sentences compare unequal.
func isInvisible(r rune) bool {
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

// normalizeAll normalizes each paragraph and drops the ones left empty.
// It reuses ps's backing array.
func normalizeAll(ps []string) []string {
	out := ps[:0]
	for _, p := range ps {
		if p = normalizeParagraph(p); p != "" {
			out = append(out, p)
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// normalizeTitle is normalizeParagraph for a title, which also undoes a
// flaw of mechanically title-cased wire headlines: a capital possessive
// s, as in "Reagan'S Cia Man Withdraws".
func normalizeTitle(s string) string {
	return titleCasePossessive.ReplaceAllString(normalizeParagraph(s), "${1}s")
}

// titleCasePossessive matches a capital S after an apostrophe that follows
// a lower-case letter; "IT'S" and "O'Sullivan" are left alone.
var titleCasePossessive = regexp.MustCompile(`(\p{Ll}['’])S\b`)

// maxTitleRunes is the length a derived title is cut to, ellipsis included.
const maxTitleRunes = 80

// deriveTitle returns a readable title for an article that has none: the
// first sentence of its first paragraph, without its final full stop, cut
// on a word boundary to at most maxTitleRunes runes with "…" when longer.
func deriveTitle(paragraphs []string) string {
	if len(paragraphs) == 0 {
		return ""
	}
	s := firstSentence(paragraphs[0])
	if utf8.RuneCountInString(s) <= maxTitleRunes {
		if t := strings.TrimSuffix(s, "."); t != s && !strings.HasSuffix(t, ".") && strings.TrimSpace(t) != "" {
			s = t
		}
		return s
	}
	// Cut at the last space that leaves room for the ellipsis.
	cut, n := len(s), 0
	for i := range s {
		if n == maxTitleRunes-1 {
			cut = i
			break
		}
		n++
	}
	head := s[:cut]
	if sp := strings.LastIndexByte(head, ' '); sp > 0 {
		head = head[:sp]
	}
	head = strings.TrimRight(head, " ,;:-–—([{\"'“‘")
	if head == "" {
		head = s[:cut]
	}
	return head + "…"
}

// firstSentence returns p up to and including the first full stop,
// question mark or exclamation mark that ends a sentence: one followed by
// a space and a capital letter, digit or opening quote, and not closing a
// common abbreviation or an initial.
func firstSentence(p string) string {
	for i := 0; i < len(p); i++ {
		c := p[i]
		if c != '.' && c != '!' && c != '?' {
			continue
		}
		end := i + 1
		// Closing quotes and brackets belong to the sentence.
		for end < len(p) {
			r, size := utf8.DecodeRuneInString(p[end:])
			if !strings.ContainsRune(`"')]”’»`, r) {
				break
			}
			end += size
		}
		if end >= len(p) || p[end] != ' ' {
			continue
		}
		next, _ := utf8.DecodeRuneInString(p[end+1:])
		if !unicode.IsUpper(next) && !unicode.IsDigit(next) && !strings.ContainsRune(`"'“‘«(`, next) {
			continue
		}
		if c == '.' && isAbbreviation(p[:i]) {
			continue
		}
		return p[:end]
	}
	return p
}

// isAbbreviation reports whether the word that ends text is a common
// abbreviation or an initial, so that a full stop after it does not end the
// sentence.
func isAbbreviation(text string) bool {
	word := text[strings.LastIndexByte(text, ' ')+1:]
	word = strings.TrimLeft(word, `"'(“‘«`)
	if utf8.RuneCountInString(word) == 1 || strings.Contains(word, ".") {
		return true // "J. Smith", "U.S."
	}
	switch strings.ToLower(word) {
	case "mr", "mrs", "ms", "dr", "prof", "st", "mt", "gen", "gov", "sen", "rep",
		"lt", "col", "sgt", "capt", "cmdr", "adm", "jr", "sr", "rev", "hon",
		"inc", "co", "corp", "ltd", "bros", "no", "nos", "vs", "etc", "approx",
		"jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec":
		return true
	}
	return false
}
