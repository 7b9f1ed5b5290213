package knowledge

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/byline-bot/byline/text"
)

// indexTokenizer is the tokenizer of the paragraphs' FTS5 table (see
// migrations/0001_init.sql) without its porter stemmer, which only stems
// the tokens unicode61 has cut and folded.
const indexTokenizer = "unicode61 remove_diacritics 2"

// TestFoldMatchesSQLite checks text's tokenizing and folding against
// SQLite's own: every letter, number and combining mark of the Latin,
// IPA, Greek and Cyrillic blocks, set inside a word, and words with
// accents, ligatures and letters of their own, are cut and folded by
// FTS5's unicode61 tokenizer (read back through an fts5vocab table) and
// by text.Tokens, and must come out the same. A query word folded
// otherwise than the index folds it finds nothing.
//
// The blocks leave out the few letters Unicode added after the tables
// SQLite's tokenizer was built from (Unicode 6.1): Greek "Ϳ" (U+037F) and
// Cyrillic U+0528 to U+052F, which SQLite neither case-folds nor knows.
func TestFoldMatchesSQLite(t *testing.T) {
	mig, err := migrationFiles.ReadFile("migrations/0001_init.sql")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(mig), "'porter "+indexTokenizer+"'") {
		t.Fatalf("the index's tokenizer is no longer porter %s; update this test", indexTokenizer)
	}
	words := []string{
		"Łódź", "Škoda", "Ærø", "Straße", "œuvre", "ﬁnance", "İstanbul", "Việt Nam",
		"Ångström", "naïve café", "São Paulo", "Zürich", "Curaçao", "Dvořák", "Erdoğan",
		"Ελλάδα ΟΔΟΣ", "Москва ЁЛКА", "Irán", "Ĉu", "Þór", "Đorđe", "Ħamrun", "cafe\u0301",
		"Ǖǡ", "ẛ", "Å", "µ", "ſ", "Çà-va", "DŽ", "ǅ", "ĳ",
	}
	blocks := [][2]rune{{0x80, 0x36F}, {0x370, 0x37E}, {0x380, 0x527}, {0x1E00, 0x1FFF}}
	for _, b := range blocks {
		for r := b[0]; r <= b[1]; r++ {
			if unicode.In(r, unicode.L, unicode.N, unicode.M, unicode.Co) {
				words = append(words, "a"+string(r)+"z")
			}
		}
	}

	db, err := sql.Open("sqlite", filepath.Join(t.TempDir(), "fold.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, q := range []string{
		fmt.Sprintf(`CREATE VIRTUAL TABLE words USING fts5(w, tokenize = '%s')`, indexTokenizer),
		`CREATE VIRTUAL TABLE vocab USING fts5vocab(words, instance)`,
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	tx, err := db.Begin()
	if err != nil {
		t.Fatal(err)
	}
	for i, w := range words {
		if _, err := tx.Exec(`INSERT INTO words(rowid, w) VALUES (?, ?)`, i, w); err != nil {
			t.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	sqlite := make([][]string, len(words))
	rows, err := db.Query(`SELECT doc, term FROM vocab ORDER BY doc, offset`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var (
			doc  int
			term string
		)
		if err := rows.Scan(&doc, &term); err != nil {
			t.Fatal(err)
		}
		sqlite[doc] = append(sqlite[doc], term)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	bad := 0
	for i, w := range words {
		want, got := strings.Join(sqlite[i], " "), strings.Join(text.Tokens(w, 100), " ")
		if want != got {
			if bad++; bad <= 20 {
				t.Errorf("%q (%U): SQLite has %q, text.Tokens %q", w, []rune(w), want, got)
			}
		}
	}
	if bad > 20 {
		t.Errorf("... and %d more of %d", bad-20, len(words))
	}
}

// TestSearchFindsLettersOfTheirOwn searches for words whose letters
// carry no diacritic in Unicode ("ł", "ø", "đ"), which the index keeps as
// they are: a question written as the article writes them finds it.
func TestSearchFindsLettersOfTheirOwn(t *testing.T) {
	ctx := context.Background()
	s := openTestStore(t, Options{})
	when := time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
	if _, err := s.Put(ctx, []Article{{ID: "lodz", Ref: "test#lodz", Source: "Gazette", Title: "Trams return", Published: when,
		Paragraphs: []string{"Trams returned to Łódź and Ærø after the strike, Đorđe Petrović said."}}}); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{"Łódź", "ærø", "Đorđe"} {
		ps, err := s.Search(ctx, Query{Text: q})
		if err != nil {
			t.Fatalf("Search(%q): %v", q, err)
		}
		if len(ps) != 1 {
			t.Errorf("Search(%q) found %d passages, want the one", q, len(ps))
		}
	}
}
