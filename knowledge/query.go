package knowledge

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// The query builder turns any user text into a safe FTS5 expression. User
// text never reaches MATCH as it is: it is cut into words the way FTS5's
// unicode61 tokenizer cuts them (letters, digits and private-use characters;
// everything else separates), each word is folded and quoted, and only
// quoted words joined by OR or AND leave this file. Quotes, NEAR(, *, -, :,
// AND/OR and emoji therefore have no syntax left to break.

const (
	// maxQueryTokens bounds how much of a long question is read.
	maxQueryTokens = 512
	// maxQueryTerms bounds the distinct words a query looks up.
	maxQueryTerms = 48
	// maxTokenBytes skips "words" no article contains, such as base64.
	maxTokenBytes = 48
)

// tokenize cuts s into lowercased words without diacritics, in order, as
// FTS5's unicode61 tokenizer with remove_diacritics would, and returns at
// most max of them.
func tokenize(s string, max int) []string {
	var (
		toks []string
		b    strings.Builder
	)
	flush := func() {
		if b.Len() > 0 && b.Len() <= maxTokenBytes {
			toks = append(toks, b.String())
		}
		b.Reset()
	}
	for _, r := range s {
		if len(toks) >= max {
			break
		}
		switch {
		case r == utf8.RuneError:
			flush()
		case unicode.Is(unicode.Mn, r):
			// A combining mark folds away with remove_diacritics.
		case unicode.IsLetter(r) || unicode.IsNumber(r) || unicode.Is(unicode.Co, r):
			b.WriteRune(fold(r))
		default:
			flush()
		}
	}
	if len(toks) < max {
		flush()
	}
	return toks
}

// fold lowercases r and strips a Latin diacritic from it, so that "É" and
// "e" compare equal, as they do in the index.
func fold(r rune) rune {
	r = unicode.ToLower(r)
	if r < 0xC0 || r > 0x24F {
		return r
	}
	if f, ok := latinFold[r]; ok {
		return f
	}
	return r
}

// latinFold maps the common precomposed Latin letters to their base letter.
var latinFold = func() map[rune]rune {
	m := make(map[rune]rune)
	groups := map[rune]string{
		'a': "àáâãäåāăą", 'c': "çćĉċč", 'd': "ďđ", 'e': "èéêëēĕėęě",
		'g': "ĝğġģ", 'h': "ĥħ", 'i': "ìíîïĩīĭįı", 'j': "ĵ", 'k': "ķ",
		'l': "ĺļľŀł", 'n': "ñńņňŉ", 'o': "òóôõöøōŏő", 'r': "ŕŗř",
		's': "śŝşš", 't': "ţťŧ", 'u': "ùúûüũūŭůűų", 'w': "ŵ", 'y': "ýÿŷ",
		'z': "źżž",
	}
	for base, letters := range groups {
		for _, r := range letters {
			m[r] = base
		}
	}
	return m
}()

// quote returns tok as an FTS5 string literal.
func quote(tok string) string {
	return `"` + strings.ReplaceAll(tok, `"`, `""`) + `"`
}

// isStopWord reports whether tok is a common English word that says nothing
// about which paragraph answers a question.
func isStopWord(tok string) bool {
	_, ok := stopWords[tok]
	return ok
}

// stopWords are common English stop words and a few question words. The
// reporting verbs say, says and said are among them too: half the
// paragraphs of a news store have one, and "What did X say about Y?" is
// how a news bot is asked.
var stopWords = func() map[string]struct{} {
	m := make(map[string]struct{})
	for _, w := range strings.Fields(`
a about above after again against all also am an and any are aren as at
be because been before being below between both but by can cannot could
couldn did didn do does doesn doing don down during each few for from
further had hadn has hasn have haven having he her here hers herself him
himself his how i if in into is isn it its itself just let ll me more most
mustn my myself no nor not now of off on once only or other ought our ours
ourselves out over own re s same shan she should shouldn so some such t
than that the their theirs them themselves then there these they this
those through to too under until up ve very was wasn we were weren what
when where which while who whom whose why will with won would wouldn you
your yours yourself yourselves d m o y ain ma many much did does tell
according say says said`) {
		m[w] = struct{}{}
	}
	return m
}()

// queryWords returns the distinct content words of a question in order of
// first appearance.
func queryWords(question string) []string {
	var (
		words []string
		seen  = make(map[string]bool)
	)
	for _, t := range tokenize(question, maxQueryTokens) {
		if isStopWord(t) || seen[t] {
			continue
		}
		seen[t] = true
		words = append(words, t)
		if len(words) == maxQueryTerms {
			break
		}
	}
	return words
}

// matchExpr joins the kept words into an FTS5 expression: OR for the
// ranked query that matches any of them, AND (all) for the unranked ones
// that want paragraphs holding every one.
//
// Adjacent-word phrases are not added: FTS5 would check every matching
// paragraph's positions for them, and the re-ranker rewards words that
// stand together for the few paragraphs it sees at less cost and, on
// SQuAD, to better effect.
func matchExpr(kept []string, all bool) string {
	parts := make([]string, len(kept))
	for i, w := range kept {
		parts[i] = quote(w)
	}
	if all {
		return strings.Join(parts, " AND ")
	}
	return strings.Join(parts, " OR ")
}
