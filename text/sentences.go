package text

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Span is a byte range [Start, End) of a text.
type Span struct{ Start, End int }

// Sentences returns the sentences of text as byte spans [Start,End) into
// text, verbatim, trimmed of surrounding spaces, in order. It is Byline's
// one sentence splitter: extraction, verification, digests, ingest's
// derived titles and the chat splitter all cut sentences with it.
//
// A sentence ends at ".", "?", "!" or an ellipsis, taking with it the
// closing quotes and brackets and a footnote marker ("[3]") that follow,
// when a space and then anything but a lowercase letter or more
// punctuation come next. A blank line ends one too. A dot does not end a
// sentence after a title ("Mr.", "Gov."), a month or a number sign before
// a number ("Jan. 3", "No. 10"), or "e.g." and "vs."; after an initial or
// an acronym ("J. D. Vance", "U.S.", "5 p.m.") it does only when the next
// word is one that usually starts a sentence ("The", "He", "But").
func Sentences(text string) []Span {
	var (
		out   []Span
		start int
	)
	emit := func(end int) {
		if sp, ok := trimSpan(text, start, end); ok {
			out = append(out, sp)
		}
	}
	for i := 0; i < len(text); {
		r, size := utf8.DecodeRuneInString(text[i:])
		switch {
		case r == '\n':
			if k := blankLineEnd(text, i); k > 0 {
				emit(i)
				start, i = k, k
				continue
			}
		case isTerminal(r):
			end := sentenceEnd(text, i)
			if endsSentence(text, i, end) {
				emit(end)
				start = end
			}
			i = end
			continue
		}
		i += size
	}
	emit(len(text))
	return out
}

// trimSpan returns text[start:end] trimmed of spaces, if anything is left.
func trimSpan(text string, start, end int) (Span, bool) {
	for start < end {
		r, size := utf8.DecodeRuneInString(text[start:end])
		if !unicode.IsSpace(r) {
			break
		}
		start += size
	}
	for end > start {
		r, size := utf8.DecodeLastRuneInString(text[start:end])
		if !unicode.IsSpace(r) {
			break
		}
		end -= size
	}
	return Span{start, end}, end > start
}

// blankLineEnd returns where the spaces after the line break at i end, if
// they hold another line break; else 0.
func blankLineEnd(text string, i int) int {
	breaks := 0
	k := i
	for k < len(text) {
		r, size := utf8.DecodeRuneInString(text[k:])
		if !unicode.IsSpace(r) {
			break
		}
		if r == '\n' {
			breaks++
		}
		k += size
	}
	if breaks < 2 {
		return 0
	}
	return k
}

// EndsSentence reports whether s, closing quotes and brackets aside, ends
// with the punctuation that ends a sentence: ".", "?", "!" or "…".
func EndsSentence(s string) bool {
	t := strings.TrimRightFunc(s, isCloser)
	r, _ := utf8.DecodeLastRuneInString(t)
	return t != "" && isTerminal(r)
}

func isTerminal(r rune) bool {
	return r == '.' || r == '?' || r == '!' || r == '…'
}

func isCloser(r rune) bool {
	switch r {
	case '"', '\'', '”', '’', '»', '›', ')', ']', '}':
		return true
	}
	return false
}

func isOpener(r rune) bool {
	switch r {
	case '"', '\'', '“', '‘', '«', '‹', '(', '[', '{', '„':
		return true
	}
	return false
}

// sentenceEnd returns where a sentence would end if the punctuation at i
// ends it: after the run of terminal punctuation, the closing quotes and
// brackets that follow, and a footnote marker.
func sentenceEnd(text string, i int) int {
	j := i
	for j < len(text) {
		r, size := utf8.DecodeRuneInString(text[j:])
		if !isTerminal(r) && !isCloser(r) {
			break
		}
		j += size
	}
	return j + footnoteLen(text[j:])
}

// footnoteLen returns the length of the footnote or citation marker
// ("[3]", " [1, 2]", "[^4]") that s starts with, or 0.
func footnoteLen(s string) int {
	k := 0
	for k < len(s) && s[k] == ' ' {
		k++
	}
	if k >= len(s) || s[k] != '[' {
		return 0
	}
	k++
	digits := 0
	for k < len(s) {
		c := s[k]
		switch {
		case c >= '0' && c <= '9':
			digits++
			if digits > 3 {
				return 0
			}
		case c == ',' || c == ';' || c == ' ' || c == '^':
			digits = 0
		case c == ']':
			if digits == 0 {
				return 0
			}
			return k + 1
		default:
			return 0
		}
		k++
	}
	return 0
}

// endsSentence reports whether the punctuation at i, taken up to end,
// ends a sentence.
func endsSentence(text string, i, end int) bool {
	if end >= len(text) {
		return true
	}
	if r, _ := utf8.DecodeRuneInString(text[end:]); !unicode.IsSpace(r) {
		return false
	}
	next, nextWord := followingWord(text[end:])
	switch {
	case next == 0:
		return true
	case unicode.IsLower(next) || isTerminal(next) || strings.ContainsRune(",;:", next):
		return false
	}
	if text[i] != '.' || (i+1 < len(text) && text[i+1] == '.') || (i > 0 && text[i-1] == '.') {
		return true // "?", "!", an ellipsis
	}
	switch abbreviationKind(wordBefore(text, i)) {
	case abbrNever:
		return false
	case abbrBeforeNumber:
		return !unicode.IsDigit(next)
	case abbrDateOrAmbiguous:
		if unicode.IsDigit(next) {
			return false
		}
		return sentenceStarters[nextWord]
	case abbrAmbiguous:
		return sentenceStarters[nextWord]
	}
	return true
}

// followingWord returns the first letter or other sign after the spaces
// and opening quotes at the start of s, and the word it starts.
func followingWord(s string) (rune, string) {
	k := 0
	for k < len(s) {
		r, size := utf8.DecodeRuneInString(s[k:])
		if !unicode.IsSpace(r) && !isOpener(r) {
			break
		}
		k += size
	}
	if k >= len(s) {
		return 0, ""
	}
	first, _ := utf8.DecodeRuneInString(s[k:])
	e := k
	for e < len(s) {
		r, size := utf8.DecodeRuneInString(s[e:])
		if !unicode.IsLetter(r) {
			break
		}
		e += size
	}
	return first, s[k:e]
}

// wordBefore returns the letters and inner dots just before i: "U.S" for
// "U.S.", "Mr" for "Mr.".
func wordBefore(text string, i int) string {
	k := i
	for k > 0 {
		r, size := utf8.DecodeLastRuneInString(text[:k])
		if !unicode.IsLetter(r) && r != '.' {
			break
		}
		k -= size
	}
	return strings.TrimLeft(text[k:i], ".")
}

type abbrKind int

const (
	abbrNone            abbrKind = iota // an ordinary word: the dot ends the sentence
	abbrNever                           // "Mr.", "e.g.": never ends one
	abbrBeforeNumber                    // "No.": not before a number
	abbrDateOrAmbiguous                 // "Jan.": not before a number, else like abbrAmbiguous
	abbrAmbiguous                       // "U.S.", "J.", "Inc.": only before a sentence starter
)

// abbreviationKind classifies the word before a dot.
func abbreviationKind(w string) abbrKind {
	if w == "" {
		return abbrNone
	}
	lower := strings.ToLower(w)
	if k, ok := abbreviations[lower]; ok {
		return k
	}
	if strings.Contains(w, ".") {
		return abbrAmbiguous // "U.S", "p.m", "Ph.D"
	}
	if r, size := utf8.DecodeRuneInString(w); size == len(w) && unicode.IsUpper(r) {
		return abbrAmbiguous // an initial
	}
	return abbrNone
}

// abbreviations are the words after which a dot needs more thought, by
// lowercased spelling.
var abbreviations = map[string]abbrKind{
	// Titles come before a name.
	"mr": abbrNever, "mrs": abbrNever, "ms": abbrNever, "messrs": abbrNever, "mme": abbrNever,
	"dr": abbrNever, "prof": abbrNever, "gov": abbrNever, "sen": abbrNever, "rep": abbrNever,
	"reps": abbrNever, "sens": abbrNever, "gen": abbrNever, "col": abbrNever, "lt": abbrNever,
	"sgt": abbrNever, "capt": abbrNever, "cmdr": abbrNever, "adm": abbrNever, "maj": abbrNever,
	"cpl": abbrNever, "pvt": abbrNever, "st": abbrNever, "ste": abbrNever, "mt": abbrNever,
	"ft": abbrNever, "rev": abbrNever, "hon": abbrNever, "pres": abbrNever, "supt": abbrNever,
	"insp": abbrNever, "det": abbrNever, "atty": abbrNever, "sr": abbrAmbiguous, "jr": abbrAmbiguous,
	// Latin and other abbreviations that run on.
	"e.g": abbrNever, "i.e": abbrNever, "cf": abbrNever, "viz": abbrNever, "vs": abbrNever,
	"v": abbrNever, "approx": abbrNever, "ca": abbrNever, "a.k.a": abbrNever,
	// Numbering comes before a number.
	"no": abbrBeforeNumber, "nos": abbrBeforeNumber, "vol": abbrBeforeNumber,
	"fig": abbrBeforeNumber, "art": abbrBeforeNumber, "p": abbrBeforeNumber,
	"pp": abbrBeforeNumber, "ch": abbrBeforeNumber, "sec": abbrBeforeNumber,
	"para": abbrBeforeNumber, "op": abbrBeforeNumber, "ed": abbrBeforeNumber,
	// Months come before a day.
	"jan": abbrDateOrAmbiguous, "feb": abbrDateOrAmbiguous, "mar": abbrDateOrAmbiguous,
	"apr": abbrDateOrAmbiguous, "jun": abbrDateOrAmbiguous, "jul": abbrDateOrAmbiguous,
	"aug": abbrDateOrAmbiguous, "sep": abbrDateOrAmbiguous, "sept": abbrDateOrAmbiguous,
	"oct": abbrDateOrAmbiguous, "nov": abbrDateOrAmbiguous, "dec": abbrDateOrAmbiguous,
	// Company and name suffixes can end a sentence or run on.
	"inc": abbrAmbiguous, "corp": abbrAmbiguous, "ltd": abbrAmbiguous, "co": abbrAmbiguous,
	"bros": abbrAmbiguous, "plc": abbrAmbiguous, "llc": abbrAmbiguous, "esq": abbrAmbiguous,
	"al": abbrAmbiguous,
}

// sentenceStarters are words that, capitalized after an abbreviation's
// dot, show that a new sentence has begun.
var sentenceStarters = func() map[string]bool {
	m := make(map[string]bool)
	for _, w := range strings.Fields(`The A An It Its He She They We I You This That These Those
		There Their His Her Our My Your But And Or So Yet In On At For From With By As If When
		While After Before Although Though Because Since However Meanwhile Some Many Most Several
		Other Others Both Each No Not Now Then Still Also What Who Why How Where
		Which Is Are Was Were Do Does Did Will Would Can Could Should`) {
		m[w] = true
	}
	return m
}()
