package cite

import (
	"regexp"
	"strings"
)

// Whatever a model writes, and whatever an article says, nothing Byline
// posts may ping people or carry a link the cited sources do not. The chat
// adapters also post with mentions disabled; this is the layer that does
// not depend on a platform setting.

var (
	// slackSpecial matches Slack's mention markup: <!channel>, <!here>,
	// <!everyone>, <!subteam^ID|name>, <@U123>, <@W123|name>.
	slackSpecial = regexp.MustCompile(`<[!@][^<>\s]*>`)
	// discordMention matches Discord's user, nickname, role and channel
	// mentions: <@123>, <@!123>, <@&123>, <#123>.
	discordMention = regexp.MustCompile(`<[@#][!&]?\d+>`)
	// massMention matches @everyone and @here, also with look-alike
	// characters between the @ and the word, and also glued to what
	// follows ("@everyone00" pings on Discord too); @channel and @all
	// (Slack's words) only as whole words.
	massMention = regexp.MustCompile(`(?i)[@＠]\s*[\x{200B}-\x{200D}\x{2060}\x{FEFF}]*(everyone|here|(?:channel|all)\b)`)
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

// Sanitize removes from s everything that would ping people and every link
// that is not one of allowed (the cited sources' URLs).
func Sanitize(s string, allowed []string) string {
	s = invisible.ReplaceAllString(s, "")
	s = RemovePings(s)
	s = removeForeignLinks(s, allowed)
	return strings.Join(strings.Fields(s), " ")
}

// RemovePings deletes platform mention markup and defuses @everyone,
// @here, @channel and @all by dropping the @.
func RemovePings(s string) string {
	s = slackSpecial.ReplaceAllString(s, "")
	s = discordMention.ReplaceAllString(s, "")
	return massMention.ReplaceAllString(s, "$1")
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
