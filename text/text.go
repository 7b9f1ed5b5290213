// Package text is Byline's one home for reading words: cutting text into
// the tokens the SQLite index holds, folding case and accents as the
// index does, stop words, stems, the terms extraction and verification
// compare, sentence splitting, and the table of invisible characters.
//
// Retrieval, extraction, verification, digest grouping and ingest all
// read words through this package, so that a question's words, an
// article's words and the index's words are cut and folded one way. It
// imports nothing of the project.
//
// Language-dependent parts (stop words and stems) take a Language;
// English is the default, and the package-level functions use it.
package text

// Language names the language a text is read in, by its ISO 639-1 code.
// It chooses the stop words and the stemmer; tokenizing, folding and
// sentence splitting are the same for every language.
type Language string

// The languages the package knows. English has Byline's own stop words;
// Spanish and French take theirs and their stemmers from the Snowball
// project (github.com/kljensen/snowball). German and Portuguese are named
// so that a caller can say what it detected, but v0.10.0 of that module
// ships no stemmer or stop words for them, so for now their words are
// left as they are: no stop words, no stemming (see Language.Stem).
const (
	English    Language = "en"
	Spanish    Language = "es"
	French     Language = "fr"
	German     Language = "de"
	Portuguese Language = "pt"
)
