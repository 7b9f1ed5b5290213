package text

import (
	"strings"
	"sync"

	"github.com/abadojack/whatlanggo"
	"github.com/kljensen/snowball/english"
)

// Languages are the languages DetectLanguage chooses among, English first.
var Languages = []Language{English, Spanish, French, German, Portuguese}

// stopSets is isoStopWords as sets, built once on first use; it is never
// changed after.
var stopSets = sync.OnceValue(func() map[Language]map[string]bool {
	m := make(map[Language]map[string]bool, len(isoStopWords))
	for lang, list := range isoStopWords {
		set := make(map[string]bool)
		for _, w := range strings.Fields(list) {
			set[w] = true
			set[PlaceKey(w)] = true
		}
		m[lang] = set
	}
	return m
})

// IsISOStopWord reports whether word, lower-cased, is one of lang's stop
// words in the stopwords-iso lists (with or without its accents). These
// lists are broad, fit for dropping a foreign question's function words;
// English retrieval and extraction keep their own narrower list.
func IsISOStopWord(lang Language, word string) bool {
	return stopSets()[lang][word]
}

// DetectLanguage tells which of Languages a question is written in. A
// question is short, so the stop words it uses decide first: the language
// with the most of them wins. A tie, or a question of four words or more
// with none, is decided by a trigram model (github.com/abadojack/whatlanggo)
// limited to the tied languages; a short question with none is English.
func DetectLanguage(s string) Language {
	words := strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !(r == '\'' || r == '’' || r == '-' || isLetterOrDigit(r))
	})
	var expanded []string
	for _, w := range words {
		expanded = append(expanded, w)
		// "qu'a", "l'histoire": the elided article counts as a word.
		if i := strings.IndexAny(w, "'’"); i > 0 {
			expanded = append(expanded, w[:i], w[i+len(string([]rune(w[i:])[0])):])
		}
	}
	counts := make(map[Language]int, len(Languages))
	best, bestN := English, 0
	for _, lang := range Languages {
		for _, w := range expanded {
			if detectStop(lang, w) {
				counts[lang]++
			}
		}
		if counts[lang] > bestN {
			best, bestN = lang, counts[lang]
		}
	}
	if bestN == 0 {
		if len(words) < 4 {
			return English
		}
		return trigramLanguage(s, Languages, English)
	}
	var tied []Language
	for _, lang := range Languages {
		if counts[lang] == bestN {
			tied = append(tied, lang)
		}
	}
	if len(tied) == 1 {
		return best
	}
	// Spanish and Portuguese share most short function words: the
	// trigrams of the whole question tell them apart.
	return trigramLanguage(s, tied, tied[0])
}

var whatlang = map[Language]whatlanggo.Lang{
	English: whatlanggo.Eng, Spanish: whatlanggo.Spa, French: whatlanggo.Fra,
	German: whatlanggo.Deu, Portuguese: whatlanggo.Por,
}

// trigramLanguage asks whatlanggo which of langs s is in, or returns
// otherwise when it names none of them.
func trigramLanguage(s string, langs []Language, otherwise Language) Language {
	white := make(map[whatlanggo.Lang]bool, len(langs))
	for _, l := range langs {
		white[whatlang[l]] = true
	}
	info := whatlanggo.DetectWithOptions(s, whatlanggo.Options{Whitelist: white})
	for _, l := range langs {
		if whatlang[l] == info.Lang {
			return l
		}
	}
	return otherwise
}

// detectStop reports whether w is one of lang's stop words for telling
// languages apart. English takes Snowball's list: stopwords-iso's English
// list is a union of many sources and holds words such as "microsoft".
func detectStop(lang Language, w string) bool {
	if lang == English {
		return english.IsStopWord(w)
	}
	return IsISOStopWord(lang, w)
}

func isLetterOrDigit(r rune) bool {
	return r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r > 127 && (r < 0x2000 || r > 0x206f) && r != '¿' && r != '¡' && r != '«' && r != '»'
}
