package ingest

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"github.com/byline-bot/byline/text"
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
		case text.IsInvisible(r):
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

// firstSentence returns p up to the end of its first sentence, as the
// one sentence splitter (text.Sentences) finds it.
func firstSentence(p string) string {
	if spans := text.Sentences(p); len(spans) > 0 {
		return p[:spans[0].End]
	}
	return p
}
