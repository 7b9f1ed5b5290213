package cite

import (
	"regexp"
	"strings"
)

// Whatever a model writes, and whatever an article says, Byline posts no
// link the cited sources do not have and nothing invisible. What would
// ping people is each platform's own syntax (<@U123>, <@&1>, <!here>,
// @everyone), so each chat adapter's renderer defuses it, and posts with
// mentions disabled besides: the same text goes to a terminal, to JSON
// and to every platform.

var (
	// markdownLink matches [text](url).
	markdownLink = regexp.MustCompile(`\[([^\[\]]*)\]\((\S+?)\)`)
	// invisible matches characters that render as nothing or reorder
	// what is shown: zero-width spaces, bidi controls, and Unicode tags (a
	// known way to hide instructions or text from readers). The joiners
	// U+200C and U+200D stay: scripts and emoji need them.
	invisible = regexp.MustCompile(`[\x{00AD}\x{200B}\x{200E}\x{200F}\x{202A}-\x{202E}\x{2060}-\x{2064}\x{2066}-\x{206F}\x{FEFF}\x{E0000}-\x{E007F}]`)
	// bareURL matches a link in running text.
	bareURL = regexp.MustCompile(`(?i)\b(?:https?://|www\.)[^\s<>()\[\]"'` + "`" + `]+`)
)

// Sanitize removes from s the invisible characters and every link that is
// not one of allowed (the cited sources' URLs), and joins its lines into
// one.
func Sanitize(s string, allowed []string) string {
	s = invisible.ReplaceAllString(s, "")
	s = removeForeignLinks(s, allowed)
	return strings.Join(strings.Fields(s), " ")
}

// removeForeignLinks keeps links to allowed URLs and removes the rest; a
// Markdown link to elsewhere keeps its text.
func removeForeignLinks(s string, allowed []string) string {
	ok := func(u string) bool {
		u = strings.TrimRight(u, ".,;:!?")
		for _, a := range allowed {
			if u == a || strings.TrimSuffix(u, "/") == strings.TrimSuffix(a, "/") {
				return true
			}
		}
		return false
	}
	s = markdownLink.ReplaceAllStringFunc(s, func(m string) string {
		parts := markdownLink.FindStringSubmatch(m)
		if ok(parts[2]) {
			return m
		}
		return parts[1]
	})
	return bareURL.ReplaceAllStringFunc(s, func(u string) string {
		if ok(u) {
			return u
		}
		trail := u[len(strings.TrimRight(u, ".,;:!?")):]
		return trail
	})
}
