package knowledge

import (
	"github.com/byline-bot/byline/text"

	"cmp"
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/kljensen/snowball/english"
)

// The spelling corrector finds, for a word of a question that no stored
// paragraph holds, the stored word it was most likely meant to be, so that
// "what did micrsoft report" is searched as "microsoft".
//
// The vocabulary is the full-text index's own, read through an fts5vocab
// table: what the index holds is exactly what a search can find. The index
// is porter-stemmed, so it holds stems ("compani", "report"), not words.
// A typed word is therefore stemmed by the same FTS5 tokenizer (a small
// FTS5 table in the connection's temp schema, so there is no second
// stemmer to drift from the index's), and both the word and its stem are
// compared with the stored stems. The correction shown is a readable word:
// among the words of a few paragraphs holding the chosen stem, the one
// nearest to what was typed that stems to it ("company" for "compnay").
//
// Stems are looked up in a deletion-neighbourhood index (SymSpell): every
// stored stem is filed under each string made by deleting up to two of
// its letters, and a typed word is looked up under its own deletions, so
// a word costs a few dozen lookups instead of a pass over the tens of
// thousands of stored stems. The index is built once per store generation
// (see Store.Generation), when the first question after a change is
// corrected.

// stemTokenizer is the tokenizer of paragraphs_fts (migrations/0001_init.sql):
// words must be stemmed exactly as the index stems them.
const stemTokenizer = "porter unicode61 remove_diacritics 2"

const (
	// smallStore is the paragraph count under which a stem held by one
	// paragraph is a good enough correction. In a larger store a stem seen
	// once is about as likely an article's own typo as a word, so a
	// correction needs two paragraphs.
	smallStore = 1000
	// maxEdits is the most edits any correction makes (for words of eight
	// letters or more); the deletion index is built for it.
	maxEdits = 2
	// minCandidateRunes is the shortest stem a correction can be: a typed
	// word has at least four letters and a correction at most one edit
	// then.
	minCandidateRunes = 3
	// surfaceSample is how many paragraphs holding a stem are read to find
	// a readable word for it.
	surfaceSample = 8
	// maxCachedStems bounds the cache of stemmed words; it starts over
	// when full.
	maxCachedStems = 50000
	// stemBatch is how many words one statement stems.
	stemBatch = 200
	// maxEditRunes is the longest word whose one-edit neighbours are
	// stemmed (see editStems); a longer word is compared by its stem only.
	maxEditRunes = 24
	// maxCachedEdits bounds the cache of editStems results; it starts
	// over when full.
	maxCachedEdits = 10000
	// maxTries is how many candidates, best first, are looked up for a
	// readable word before a misspelling is left as it is.
	maxTries = 5
)

// Correction is a word of a question that no stored paragraph holds, and
// the stored word it was most likely meant to be.
type Correction struct {
	// Index is the position, in the words passed to Correct, of the word
	// the misspelling was found in.
	Index int
	// Word is the misspelled word as the index reads it: lowercased and
	// without diacritics ("micrsoft" for "Micrsoft").
	Word string
	// To is the correction, a readable lowercase word found in the stored
	// text ("microsoft"), to search for and to show.
	To string
	// Distance is the number of edits from Word to To: letters inserted,
	// deleted or changed, and adjacent letters swapped.
	Distance int
	// DocFreq is how many paragraphs hold To's stem.
	DocFreq int
}

// Correct returns a correction for each word of words that the stored
// vocabulary does not hold and that is near a stored word, in the order of
// words; a question without misspellings gets none.
//
// Each word is folded and cut the way the index cuts text (so "Micrsoft's"
// is checked as "micrsoft" and "s"); at most 48 distinct words are checked.
// A word is left alone when the index holds it (its stem), when it is a
// stop word, when it has three letters or fewer, or when it holds a digit.
// Otherwise its correction is the stored stem at the fewest edits from the
// word or its stem (one for words of four to seven letters, up to two for
// longer ones), then held by the most paragraphs, then first in
// alphabetical order, shown as the stored word that stems to it nearest
// to the word typed, which must be as near. A stem must be held by two
// paragraphs to be a correction, or one when the store holds fewer than
// 1,000 paragraphs; stop words are never corrections.
//
// Correct is safe for concurrent use. The first call reads the whole
// vocabulary, and so does the first after the stored text changes, unless
// PrepareCorrect did (see bench/RESULTS.md for the cost); calls made
// meanwhile use the vocabulary as it was, and look up in the index each
// word it lacks. Later calls cost a few lookups per word.
func (s *Store) Correct(ctx context.Context, words []string) ([]Correction, error) {
	type token struct {
		index int
		word  string
	}
	var (
		toks []token
		seen = make(map[string]bool)
	)
	for i, w := range words {
		for _, t := range text.Tokens(w, maxQueryTokens) {
			if seen[t] || !correctable(t) {
				continue
			}
			seen[t] = true
			toks = append(toks, token{i, t})
		}
		if len(seen) >= maxQueryTerms {
			break
		}
	}
	if len(toks) > maxQueryTerms {
		toks = toks[:maxQueryTerms]
	}
	if len(toks) == 0 {
		return nil, nil
	}
	gen, err := s.Generation(ctx)
	if err != nil {
		return nil, fmt.Errorf("knowledge: correct: %w", err)
	}
	v, fresh, err := s.vocabFor(ctx, gen)
	if err != nil {
		return nil, fmt.Errorf("knowledge: correct: %w", err)
	}
	plain := make([]string, len(toks))
	for i, t := range toks {
		plain[i] = t.word
	}
	stems, err := s.stems(ctx, plain, true)
	if err != nil {
		return nil, fmt.Errorf("knowledge: correct: %w", err)
	}
	var out []Correction
	for i, t := range toks {
		stem := stems[i]
		if stem == "" || v.df[stem] > 0 {
			// Known to the index (a search finds it as it is), or not one
			// word to the tokenizer, so not a word a search looks up.
			continue
		}
		if !fresh {
			// The index is being rebuilt after a change: the word may be
			// newly stored.
			known, err := s.holds(ctx, t.word)
			if err != nil {
				return nil, fmt.Errorf("knowledge: correct: %w", err)
			}
			if known {
				continue
			}
		}
		cands := v.candidates(t.word, stem, nil)
		if len(cands) == 0 || cands[0].dist > 1 {
			// No stem one edit from the word or its stem: a word one edit
			// away may still stem to a stored one ("earnigns").
			edits, err := s.editStems(ctx, v, t.word)
			if err != nil {
				return nil, fmt.Errorf("knowledge: correct: %w", err)
			}
			if len(edits) > 0 {
				cands = v.candidates(t.word, stem, edits)
			}
		}
		limit := maxDistance(utf8.RuneCountInString(t.word))
		for _, c := range cands[:min(len(cands), maxTries)] {
			to, df, err := s.surface(ctx, v, c, t.word)
			if err != nil {
				return nil, fmt.Errorf("knowledge: correct: %w", err)
			}
			if to == "" {
				continue // no longer stored; the next candidate may be
			}
			// The stems are near; the word shown must be near what was
			// typed too.
			d := osaDistance([]rune(t.word), []rune(to), limit)
			if d > limit {
				continue
			}
			out = append(out, Correction{Index: t.index, Word: t.word, To: to, Distance: d, DocFreq: df})
			break
		}
	}
	return out, nil
}

// PrepareCorrect reads the stored vocabulary for Correct now, if the
// stored text changed since it was last read, so that the next question
// does not wait for it: call it after storing articles, for example.
func (s *Store) PrepareCorrect(ctx context.Context) error {
	gen, err := s.Generation(ctx)
	if err != nil {
		return fmt.Errorf("knowledge: prepare correct: %w", err)
	}
	if _, _, err := s.vocabFor(ctx, gen); err != nil {
		return fmt.Errorf("knowledge: prepare correct: %w", err)
	}
	return nil
}

// holds reports whether any stored paragraph holds word.
func (s *Store) holds(ctx context.Context, word string) (bool, error) {
	var n int
	err := s.read.QueryRowContext(ctx, `SELECT count(*) FROM (SELECT 1 FROM paragraphs_fts
		WHERE paragraphs_fts MATCH ? LIMIT 1)`, quote(word)).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("look up %q: %w", word, err)
	}
	return n > 0, nil
}

// correctable reports whether tok is a word the corrector may change:
// four letters or more, no digit, not a stop word.
func correctable(tok string) bool {
	if utf8.RuneCountInString(tok) < 4 || text.IsStopToken(tok) {
		return false
	}
	return !strings.ContainsFunc(tok, unicode.IsNumber)
}

// maxDistance returns how many edits a correction of a word of n letters
// may make.
func maxDistance(n int) int {
	switch {
	case n < 4:
		return 0
	case n < 8:
		return 1
	default:
		return maxEdits
	}
}

// vocabCache holds the store's deletion index for one generation, and the
// stems of words already stemmed (which do not depend on the generation).
type vocabCache struct {
	build sync.Mutex // held while an index is built, so one is built at a time

	mu    sync.Mutex // guards idx and stems
	idx   *vocab
	stems map[string]string
}

// vocab is the stored vocabulary of one generation. It is not changed once
// built, but for its cache of readable words.
type vocab struct {
	gen        int64
	minDocFreq int
	// df maps every stored stem to the number of paragraphs holding it.
	df map[string]int
	// terms are the stems that may be corrections, with their runes.
	terms [][]rune
	names []string
	// keys is the deletion index, sorted: each entry is the hash of a
	// string made by deleting up to maxEdits letters from a term, in the
	// high bits, and the term's id, in the low idBits bits.
	keys []uint64

	mu       sync.Mutex // guards surfaces and edits
	surfaces map[string][]surfaceWord
	// edits caches editStems, which costs about a millisecond a word.
	edits map[string]map[string]string
}

// surfaceWord is a readable word found for a stem, with how many of the
// sampled paragraphs held it.
type surfaceWord struct {
	word string
	n    int
}

// vocabFor returns the vocabulary index to correct against, and whether it
// is of generation gen or later. The first call builds it; a call that
// finds it older than gen rebuilds it, unless another call is already
// rebuilding it: then the older index is returned at once, so that only
// one question pays for each rebuild.
func (s *Store) vocabFor(ctx context.Context, gen int64) (*vocab, bool, error) {
	c := &s.vocab
	c.mu.Lock()
	v := c.idx
	c.mu.Unlock()
	if v != nil && v.gen >= gen {
		return v, true, nil
	}
	if v == nil {
		c.build.Lock()
	} else if !c.build.TryLock() {
		return v, false, nil
	}
	defer c.build.Unlock()
	c.mu.Lock()
	v = c.idx
	c.mu.Unlock()
	if v != nil && v.gen >= gen {
		return v, true, nil // built while this call waited
	}
	v, err := s.buildVocab(ctx)
	if err != nil {
		return nil, false, err
	}
	c.mu.Lock()
	if c.idx == nil || c.idx.gen < v.gen {
		c.idx = v
	}
	c.mu.Unlock()
	return v, v.gen >= gen, nil
}

// buildVocab reads the index's vocabulary, and the generation and
// paragraph count it belongs to, in one read transaction, and builds the
// deletion index over it.
func (s *Store) buildVocab(ctx context.Context) (*vocab, error) {
	conn, err := s.read.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("read vocabulary: %w", err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `CREATE VIRTUAL TABLE IF NOT EXISTS temp.byline_vocab
		USING fts5vocab(main, paragraphs_fts, row)`); err != nil {
		return nil, fmt.Errorf("read vocabulary: %w", err)
	}
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("read vocabulary: %w", err)
	}
	defer tx.Rollback()
	v := &vocab{df: make(map[string]int), surfaces: make(map[string][]surfaceWord),
		edits: make(map[string]map[string]string)}
	var paragraphs int
	if err := tx.QueryRowContext(ctx, `SELECT (SELECT value FROM meta WHERE key = 'generation'),
		(SELECT count(*) FROM paragraphs)`).Scan(&v.gen, &paragraphs); err != nil {
		return nil, fmt.Errorf("read vocabulary: %w", err)
	}
	v.minDocFreq = 2
	if paragraphs < smallStore {
		v.minDocFreq = 1
	}
	rows, err := tx.QueryContext(ctx, "SELECT term, doc FROM temp.byline_vocab")
	if err != nil {
		return nil, fmt.Errorf("read vocabulary: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			term string
			doc  int
		)
		if err := rows.Scan(&term, &doc); err != nil {
			return nil, fmt.Errorf("read vocabulary: %w", err)
		}
		if doc <= 0 {
			continue
		}
		v.df[term] = doc
		if doc >= v.minDocFreq && candidateTerm(term) {
			v.names = append(v.names, term)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read vocabulary: %w", err)
	}
	v.index()
	return v, nil
}

// candidateTerm reports whether a stored stem may be a correction: long
// enough, letters only, not a stop word.
func candidateTerm(term string) bool {
	if utf8.RuneCountInString(term) < minCandidateRunes || text.IsStopToken(term) {
		return false
	}
	return !strings.ContainsFunc(term, unicode.IsNumber)
}

// idBits is how many low bits of a deletion index entry hold the term's
// id; the high bits hold the deletion's hash. Packing both in one uint64
// makes the index one sorted slice, which sorts fast and costs 8 bytes an
// entry. Stems beyond 1<<idBits are left out of the index.
const idBits = 22

// index builds the deletion index over v.names. A term is filed under the
// deletions a probe near it may need: two edits are allowed to words of
// eight letters or more, which are two edits from terms of six or more.
func (v *vocab) index() {
	if len(v.names) > 1<<idBits {
		v.names = v.names[:1<<idBits]
	}
	v.terms = make([][]rune, len(v.names))
	var d deleter
	for id, name := range v.names {
		r := []rune(name)
		v.terms[id] = r
		for _, h := range d.hashes(r, maxDistance(len(r)+maxEdits)) {
			v.keys = append(v.keys, h<<idBits|uint64(id))
		}
	}
	slices.Sort(v.keys)
}

// lookup calls fn with the id of each term filed under the deletion hash h.
func (v *vocab) lookup(h uint64, fn func(id int32)) {
	h <<= idBits
	i, _ := slices.BinarySearch(v.keys, h)
	for ; i < len(v.keys) && v.keys[i]&^(1<<idBits-1) == h; i++ {
		fn(int32(v.keys[i] & (1<<idBits - 1)))
	}
}

// deleter makes the deletion neighbourhood of a word, reusing its buffers.
type deleter struct {
	seen map[uint64]bool
	out  []uint64
	buf  []rune
}

// hashes returns the distinct hashes (of 64-idBits bits) of r and of every
// string made by deleting up to n of its runes. The slice is reused by the
// next call.
func (d *deleter) hashes(r []rune, n int) []uint64 {
	if d.seen == nil {
		d.seen = make(map[uint64]bool)
	}
	clear(d.seen)
	d.out = d.out[:0]
	d.buf = append(d.buf[:0], r...)
	d.delete(len(r), 0, n)
	return d.out
}

// delete adds the hash of d.buf[:n] and, with left deletions to make, of
// the strings made by deleting one of its runes from position from on
// (earlier positions were tried by the caller), and so on. It restores
// d.buf before returning.
func (d *deleter) delete(n, from, left int) {
	h := hashRunes(d.buf[:n]) >> idBits
	if !d.seen[h] {
		d.seen[h] = true
		d.out = append(d.out, h)
	}
	if left == 0 {
		return
	}
	for i := from; i < n; i++ {
		c := d.buf[i]
		copy(d.buf[i:n], d.buf[i+1:n])
		d.delete(n-1, i, left-1)
		copy(d.buf[i+1:n], d.buf[i:n-1])
		d.buf[i] = c
	}
}

// hashRunes returns an FNV-1a hash of r, a rune at a time. A clash between
// two strings costs a distance check, never a wrong correction.
func hashRunes(r []rune) uint64 {
	h := uint64(14695981039346656037)
	for _, c := range r {
		h ^= uint64(c)
		h *= 1099511628211
	}
	return h
}

// candidate is a stored stem near a typed word.
type candidate struct {
	term string
	dist int
	df   int
	// probe is a word that stems to term, or "" when term itself may.
	probe string
}

// candidates returns the stored stems near a typed word, best first:
// fewest edits, then most paragraphs, then alphabetical. They are the
// stems within the allowed distance of word or of its stem, found in the
// deletion index, and the stems of words one edit from word (edits, from
// editStems, maps each to such a word): the index holds stems, and a
// misspelt ending ("earnigns") is one edit from its word but more from
// the stem ("earn"). Only stems that start as the word does are kept (see
// sameStart).
func (v *vocab) candidates(word, stem string, edits map[string]string) []candidate {
	limit := maxDistance(utf8.RuneCountInString(word))
	if limit == 0 {
		return nil
	}
	best := make(map[string]candidate)
	consider := func(c candidate) {
		if !sameStart(word, c.term) {
			return
		}
		if old, ok := best[c.term]; !ok || c.dist < old.dist {
			best[c.term] = c
		}
	}
	for term, w := range edits {
		consider(candidate{term: term, dist: 1, df: v.df[term], probe: w})
	}
	probes := []string{word}
	if stem != word {
		probes = append(probes, stem)
	}
	var d deleter
	for _, p := range probes {
		pr := []rune(p)
		// A short stem of a long word gets the short word's allowance:
		// two edits to a stem of five letters is another word.
		limit := min(limit, maxDistance(len(pr)))
		if limit == 0 {
			continue
		}
		tried := make(map[int32]bool)
		for _, h := range d.hashes(pr, limit) {
			v.lookup(h, func(id int32) {
				if tried[id] {
					return
				}
				tried[id] = true
				if dist := osaDistance(pr, v.terms[id], limit); dist <= limit {
					consider(candidate{term: v.names[id], dist: dist, df: v.df[v.names[id]]})
				}
			})
		}
	}
	out := make([]candidate, 0, len(best))
	for _, c := range best {
		out = append(out, c)
	}
	slices.SortFunc(out, func(a, b candidate) int {
		return cmp.Or(cmp.Compare(a.dist, b.dist), cmp.Compare(b.df, a.df), strings.Compare(a.term, b.term))
	})
	return out
}

// sameStart reports whether term starts with word's first letter, or
// with its first two swapped. People seldom mistype a word's first
// letter, and most stored words one edit from a real word not stored
// differ there: on SQuAD's dev questions this kept "hearth", "tore",
// "decent", "amass", "untrained" and "reunified" from becoming "earth",
// "store", "recent", "mass", "trained" and "unified", and lost one right
// correction ("deyond", beyond).
func sameStart(word, term string) bool {
	w, t := []rune(word), []rune(term)
	if len(w) < 2 || len(t) < 2 {
		return false
	}
	return w[0] == t[0] || w[0] == t[1] && w[1] == t[0]
}

// editStems returns the stored stems that words one edit from word (a
// letter of a-z or of word inserted or changed, a letter deleted, two
// adjacent letters swapped) stem to, each with one such word. Only stems
// that may be corrections are kept.
func (s *Store) editStems(ctx context.Context, v *vocab, word string) (map[string]string, error) {
	r := []rune(word)
	if maxDistance(len(r)) == 0 || len(r) > maxEditRunes {
		return nil, nil
	}
	v.mu.Lock()
	out, ok := v.edits[word]
	v.mu.Unlock()
	if ok {
		return out, nil
	}
	out, err := s.findEditStems(ctx, v, r)
	if err != nil {
		return nil, err
	}
	v.mu.Lock()
	if len(v.edits) >= maxCachedEdits {
		clear(v.edits)
	}
	v.edits[word] = out
	v.mu.Unlock()
	return out, nil
}

// findEditStems does the work of editStems for the word r.
func (s *Store) findEditStems(ctx context.Context, v *vocab, r []rune) (map[string]string, error) {
	word := string(r)
	alphabet := []rune("abcdefghijklmnopqrstuvwxyz")
	for _, c := range r {
		if !slices.Contains(alphabet, c) {
			alphabet = append(alphabet, c)
		}
	}
	seen := map[string]bool{word: true}
	var edits []string
	add := func(e []rune) {
		if w := string(e); !seen[w] {
			seen[w] = true
			edits = append(edits, w)
		}
	}
	buf := make([]rune, 0, len(r)+1)
	for i := 0; i <= len(r); i++ {
		// The first letter is kept but for a swap (see sameStart).
		for _, c := range alphabet {
			if i > 0 {
				add(append(append(append(buf[:0], r[:i]...), c), r[i:]...)) // insert
			}
			if i > 0 && i < len(r) && c != r[i] {
				add(append(append(append(buf[:0], r[:i]...), c), r[i+1:]...)) // change
			}
		}
		if i > 0 && i < len(r) {
			add(append(append(buf[:0], r[:i]...), r[i+1:]...)) // delete
		}
		if i+1 < len(r) && r[i] != r[i+1] {
			sw := append(buf[:0], r...)
			sw[i], sw[i+1] = sw[i+1], sw[i]
			add(sw) // swap
		}
	}
	// Stemming hundreds of edits through SQLite costs milliseconds, so the
	// few worth it are picked first with the snowball English stemmer, in
	// Go: it agrees with the index's porter stemmer on most words, and
	// where it does not, a correction is missed, never made wrong, since
	// the index's own stemmer has the last word.
	var likely []string
	for _, e := range edits {
		if v.candidate(e) || v.candidate(english.Stem(e, true)) {
			likely = append(likely, e)
		}
	}
	if len(likely) == 0 {
		return nil, nil
	}
	// The edits' stems are not cached: they are many, and rarely asked
	// again.
	stems, err := s.stems(ctx, likely, false)
	if err != nil {
		return nil, err
	}
	out := make(map[string]string)
	for i, st := range stems {
		if _, ok := out[st]; !ok && v.candidate(st) {
			out[st] = likely[i]
		}
	}
	return out, nil
}

// candidate reports whether the stored stem term may be a correction.
func (v *vocab) candidate(term string) bool {
	return term != "" && v.df[term] >= v.minDocFreq && candidateTerm(term)
}

// osaDistance returns the optimal string alignment distance between a and
// b (Damerau–Levenshtein where each substring is edited once): inserts,
// deletions, substitutions and swaps of adjacent runes. It returns limit+1
// as soon as the distance is known to exceed limit.
func osaDistance(a, b []rune, limit int) int {
	if d := len(a) - len(b); d > limit || -d > limit {
		return limit + 1
	}
	// Three rows: the one before the previous, the previous, the current.
	prev2 := make([]int, len(b)+1)
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		rowMin := cur[0]
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			d := min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				d = min(d, prev2[j-2]+1)
			}
			cur[j] = d
			rowMin = min(rowMin, d)
		}
		if rowMin > limit {
			return limit + 1
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return min(prev[len(b)], limit+1)
}

// surface returns a readable word for the candidate's stem, the one
// nearest to typed among the words that stem to it in a few paragraphs
// holding it, and how many paragraphs hold the stem. It returns "" if no
// paragraph holds the stem any more. The words found are cached with the
// index.
//
// Only stored words are shown: putting typed's ending on the stem instead
// ("seperating" to "separ" + "ating") made non-words on SQuAD's questions,
// such as "severated" and "boycottting".
func (s *Store) surface(ctx context.Context, v *vocab, c candidate, typed string) (string, int, error) {
	v.mu.Lock()
	forms, ok := v.surfaces[c.term]
	v.mu.Unlock()
	if !ok {
		var err error
		forms, err = s.surfaceWords(ctx, c)
		if err != nil {
			return "", 0, err
		}
		v.mu.Lock()
		v.surfaces[c.term] = forms
		v.mu.Unlock()
	}
	if len(forms) == 0 {
		return "", 0, nil
	}
	tr := []rune(typed)
	best, bestDist := forms[0], -1
	for _, f := range forms {
		d := osaDistance(tr, []rune(f.word), len(tr)+len(f.word))
		if bestDist < 0 || d < bestDist || d == bestDist && f.n > best.n {
			best, bestDist = f, d
		}
	}
	return best.word, v.df[c.term], nil
}

// surfaceWords reads a few paragraphs holding the candidate's stem and
// returns their words that the index stems to it, most frequent first.
// The paragraphs are found by searching for a word that stems to it: the
// candidate's probe, or the stem itself, or the stem with a common ending
// put back (stemming "coffe", the stem of "coffee", gives "coff").
func (s *Store) surfaceWords(ctx context.Context, c candidate) ([]surfaceWord, error) {
	var probes []string
	if c.probe != "" {
		probes = append(probes, c.probe)
	}
	probes = append(probes, c.term, c.term+"e", c.term+"s")
	if t, ok := strings.CutSuffix(c.term, "i"); ok {
		probes = append(probes, t+"y")
	}
	stems, err := s.stems(ctx, probes, false)
	if err != nil {
		return nil, err
	}
	pi := slices.Index(stems, c.term)
	if pi < 0 {
		return nil, nil
	}
	rows, err := s.read.QueryContext(ctx, `SELECT a.title, p.text FROM paragraphs_fts
		JOIN paragraphs p ON p.id = paragraphs_fts.rowid JOIN articles a ON a.id = p.article_id
		WHERE paragraphs_fts MATCH ? LIMIT ?`, quote(probes[pi]), surfaceSample)
	if err != nil {
		return nil, fmt.Errorf("read words of %q: %w", c.term, err)
	}
	count := make(map[string]int)
	var order []string
	for rows.Next() {
		var title, body string
		if err := rows.Scan(&title, &body); err != nil {
			rows.Close()
			return nil, fmt.Errorf("read words of %q: %w", c.term, err)
		}
		for _, t := range text.Tokens(title+" "+body, 1<<20) {
			if count[t] == 0 {
				order = append(order, t)
			}
			count[t]++
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read words of %q: %w", c.term, err)
	}
	if len(order) == 0 {
		// The paragraphs holding it are gone: the index being rebuilt
		// was read before they were.
		return nil, nil
	}
	if stems, err = s.stems(ctx, order, false); err != nil {
		return nil, err
	}
	// A stop word is no correction, whatever its stem ("ani", of "any"):
	// a search drops it.
	var out []surfaceWord
	for i, w := range order {
		if stems[i] == c.term && !text.IsStopToken(w) {
			out = append(out, surfaceWord{w, count[w]})
		}
	}
	if len(out) == 0 && !text.IsStopToken(probes[pi]) {
		out = append(out, surfaceWord{probes[pi], 1})
	}
	slices.SortStableFunc(out, func(a, b surfaceWord) int { return cmp.Compare(b.n, a.n) })
	return out, nil
}

// stems returns the index's stem of each word (each one token as tokenize
// cuts it), or "" for a word the tokenizer does not read as one term. With
// cache, the stems are remembered for the next call.
func (s *Store) stems(ctx context.Context, words []string, cache bool) ([]string, error) {
	out := make([]string, len(words))
	var missing []int
	c := &s.vocab
	c.mu.Lock()
	for i, w := range words {
		st, ok := c.stems[w]
		if !ok {
			missing = append(missing, i)
		}
		out[i] = st
	}
	c.mu.Unlock()
	if len(missing) == 0 {
		return out, nil
	}
	conn, err := s.read.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("stem: %w", err)
	}
	defer conn.Close()
	for _, q := range []string{
		`CREATE VIRTUAL TABLE IF NOT EXISTS temp.byline_stem USING fts5 (w, tokenize = '` + stemTokenizer + `')`,
		`CREATE VIRTUAL TABLE IF NOT EXISTS temp.byline_stem_vocab USING fts5vocab(temp, byline_stem, instance)`,
	} {
		if _, err := conn.ExecContext(ctx, q); err != nil {
			return nil, fmt.Errorf("stem: %w", err)
		}
	}
	for start := 0; start < len(missing); start += stemBatch {
		batch := missing[start:min(start+stemBatch, len(missing))]
		if err := stemBatchOn(ctx, conn, words, batch, out); err != nil {
			return nil, fmt.Errorf("stem: %w", err)
		}
	}
	if !cache {
		return out, nil
	}
	c.mu.Lock()
	if c.stems == nil || len(c.stems)+len(missing) > maxCachedStems {
		c.stems = make(map[string]string)
	}
	for _, i := range missing {
		c.stems[words[i]] = out[i]
	}
	c.mu.Unlock()
	return out, nil
}

// stemBatchOn stems words[i] for each i of batch into out[i], on conn's
// temp stemming table. The words go in as one row, a word a token, and
// the table's vocabulary gives the term at each token position: one row
// costs far less than a row a word. If the tokenizer does not read the
// words as one token each, they are stemmed a row a word instead.
func stemBatchOn(ctx context.Context, conn *sql.Conn, words []string, batch []int, out []string) error {
	joined := make([]string, len(batch))
	for k, i := range batch {
		joined[k] = words[i]
	}
	terms, err := stemRows(ctx, conn, []string{strings.Join(joined, " ")})
	if err != nil {
		return err
	}
	if len(terms[0]) == len(batch) {
		for k, i := range batch {
			out[i] = terms[0][k]
		}
		return nil
	}
	if terms, err = stemRows(ctx, conn, joined); err != nil {
		return err
	}
	for k, i := range batch {
		out[i] = ""
		if len(terms[k]) == 1 {
			out[i] = terms[k][0]
		}
	}
	return nil
}

// stemRows puts each text in a row of conn's temp stemming table and
// returns the terms the tokenizer makes of each, in order.
func stemRows(ctx context.Context, conn *sql.Conn, texts []string) ([][]string, error) {
	if _, err := conn.ExecContext(ctx, "DELETE FROM temp.byline_stem"); err != nil {
		return nil, err
	}
	var (
		q    strings.Builder
		args []any
	)
	q.WriteString("INSERT INTO temp.byline_stem (rowid, w) VALUES ")
	for k, t := range texts {
		if k > 0 {
			q.WriteString(", ")
		}
		q.WriteString("(?, ?)")
		args = append(args, k, t)
	}
	if _, err := conn.ExecContext(ctx, q.String(), args...); err != nil {
		return nil, err
	}
	rows, err := conn.QueryContext(ctx, "SELECT doc, offset, term FROM temp.byline_stem_vocab")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	type at struct{ doc, offset int }
	found := make(map[at]string)
	for rows.Next() {
		var (
			a    at
			term string
		)
		if err := rows.Scan(&a.doc, &a.offset, &term); err != nil {
			return nil, err
		}
		found[a] = term
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := make([][]string, len(texts))
	for k := range texts {
		for off := 0; ; off++ {
			term, ok := found[at{k, off}]
			if !ok {
				break
			}
			out[k] = append(out[k], term)
		}
	}
	return out, nil
}

// Unknown returns the words of words that no stored paragraph holds, as
// given, in their order: a word is held when every token the index cuts
// it into is. A word that cuts into no token is not returned.
func (s *Store) Unknown(ctx context.Context, words []string) ([]string, error) {
	var out []string
	for _, w := range words {
		toks := text.Tokens(w, maxQueryTokens)
		if len(toks) == 0 {
			continue
		}
		for _, t := range toks {
			held, err := s.holds(ctx, t)
			if err != nil {
				return nil, fmt.Errorf("knowledge: unknown words: %w", err)
			}
			if !held {
				out = append(out, w)
				break
			}
		}
	}
	return out, nil
}
