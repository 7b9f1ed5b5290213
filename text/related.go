package text

import (
	"strings"
	"sync"
)

//go:generate go run ./internal/genrelated -version 3.1.14 -senses 2 -out related_data.go

// Related returns the Keys of the words related in meaning to the word
// whose Key is key: the other words of its most frequent senses in
// WordNet, and the words derived from it there ("pick" has "select",
// "denial" has "deny"). A question and the paragraph that answers it often
// use different ones. Nil when WordNet has none, or so many that none is
// likelier than another. The caller must not change the slice.
func Related(key string) []string {
	relatedOnce.Do(parseRelated)
	return relatedByKey[key]
}

var (
	relatedOnce  sync.Once
	relatedByKey map[string][]string
)

// parseRelated reads relatedData into relatedByKey, once, on first use:
// the table costs its memory only to a program that asks.
func parseRelated() {
	lines := strings.Split(strings.TrimSuffix(relatedData, "\n"), "\n")
	relatedByKey = make(map[string][]string, len(lines))
	for _, l := range lines {
		k, rs, ok := strings.Cut(l, ":")
		if ok {
			relatedByKey[k] = strings.Split(rs, ",")
		}
	}
}
