package text

import (
	"unicode"
	"unicode/utf8"
)

// MaxTokenBytes is the longest token, in bytes once folded, that Tokens
// and ScanTokens return: longer "words" (base64, hashes) are in no
// question, and skipping them bounds the work a hostile text can cause.
const MaxTokenBytes = 48

// Tokens cuts s into the words the SQLite index holds, in order, folded
// (see Fold), and returns at most max of them. A word is a run of letters,
// digits and private-use characters, as for FTS5's unicode61 tokenizer;
// a Latin diacritic inside a word is dropped, and everything else,
// apostrophes included, separates: "Zola's" is "zola" and "s". Words
// longer than MaxTokenBytes are skipped.
func Tokens(s string, max int) []string {
	var toks []string
	if max <= 0 {
		return nil
	}
	ScanTokens(s, func(tok []byte, _ int) bool {
		toks = append(toks, string(tok))
		return len(toks) < max
	})
	return toks
}

// ScanTokens cuts s into tokens exactly as Tokens does and calls fn with
// each token and its position, until fn returns false. The token's bytes
// are valid only during the call. It allocates nothing, for it runs over
// every candidate paragraph of a search.
func ScanTokens(s string, fn func(tok []byte, pos int) bool) {
	ScanTokensCase(s, func(tok []byte, pos int, _ bool) bool { return fn(tok, pos) })
}

// ScanTokensCase is ScanTokens that also tells whether each token began
// with a capital letter in s, as a name does.
func ScanTokensCase(s string, fn func(tok []byte, pos int, upper bool) bool) {
	var (
		buf   [MaxTokenBytes]byte
		n     int  // bytes in buf
		big   bool // the token outgrew buf and is skipped
		pos   int
		upper bool // the token's first letter was a capital
	)
	for i := 0; i <= len(s); {
		var r rune
		if i == len(s) {
			r, i = ' ', i+1
		} else if c := s[i]; c < utf8.RuneSelf {
			r = rune(c)
			i++
			if 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || 'A' <= c && c <= 'Z' {
				if 'A' <= c && c <= 'Z' {
					c += 'a' - 'A'
					upper = upper || n == 0 && !big
				}
				if n < len(buf) {
					buf[n] = c
					n++
				} else {
					big = true
				}
				continue
			}
		} else {
			var size int
			r, size = utf8.DecodeRuneInString(s[i:])
			i += size
			switch {
			case r == utf8.RuneError:
			case isDiacritic(r):
				continue
			case isTokenRune(r):
				upper = upper || n == 0 && !big && unicode.IsUpper(r)
				r = Fold(r)
				if n+utf8.RuneLen(r) <= len(buf) {
					n += utf8.EncodeRune(buf[n:], r)
				} else {
					big = true
				}
				continue
			}
		}
		// r separates tokens.
		if n > 0 && !big {
			if !fn(buf[:n], pos, upper) {
				return
			}
			pos++
		}
		n, big, upper = 0, false, false
	}
}

// isTokenRune reports whether r belongs to a word, as unicode61's default
// categories (L*, N*, Co) say.
func isTokenRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsNumber(r) || unicode.Is(unicode.Co, r)
}
