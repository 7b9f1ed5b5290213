package prompts

import (
	"regexp"
	"strings"
)

// Quote makes untrusted text (an article, a question) safe to place between
// a prompt's passage tags: it cannot close a passage or open a new one.
func Quote(s string) string {
	return passageTag.ReplaceAllStringFunc(s, func(m string) string {
		return strings.NewReplacer("<", "‹", ">", "›").Replace(m)
	})
}

var passageTag = regexp.MustCompile(`(?i)</?\s*passage[^>]*>?`)

// Attr makes untrusted text safe inside a double-quoted tag attribute.
func Attr(s string) string {
	return strings.NewReplacer(`"`, "'", "\n", " ", "<", "‹", ">", "›").Replace(s)
}
