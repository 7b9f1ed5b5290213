// Package stories groups articles into stories: the articles of a window
// that tell of one event, near-duplicate copies folded together, ranked by
// how widely the story was told. Digests write up the top stories; the
// answer engine can use them to say what a story is about.
//
// It reads words through package text and articles from package
// knowledge, and imports nothing else of the project.
package stories

import (
	"container/heap"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/byline-bot/byline/knowledge"
	"github.com/byline-bot/byline/text"
)

// Story is the articles of a window that tell of one event.
type Story struct {
	// Accounts are the story's articles, one for each set of
	// near-duplicates, the most central first.
	Accounts []knowledge.RecentArticle
	// Copies holds, for each account, the ids of the near-duplicates of it
	// that were folded into it (the same wire copy run by several outlets,
	// or a re-sent copy): they count once.
	Copies [][]string
	// Sources are the distinct outlets of the accounts, in the accounts'
	// order; articles with no known outlet add none.
	Sources []string
	// Newest is when the newest account came out.
	Newest time.Time
	// angles is how many accounts open with a sentence of their own, not
	// one filled in from another's template (see templated).
	angles int
}

// outlets is how many outlets told the story: each known outlet once, and
// each account with no known outlet as one more, since nothing says two
// of them came from the same place.
func (s Story) outlets() int {
	n := len(s.Sources)
	for _, a := range s.Accounts {
		if strings.TrimSpace(a.Source) == "" {
			n++
		}
	}
	return n
}

// The grouping's knobs; see Group.
const (
	// minContentWords is how many content words a sentence of prose has
	// at least (see IsProse).
	minContentWords = 3
	// titleWeight is how many times a title's words count: a headline
	// names the event in few words.
	titleWeight = 2
	// idfPrior is how many documents holding none of the words are
	// imagined beside the window's, so that a window of a few articles,
	// which cannot tell a rare word from a common one, weighs them all
	// about the same instead of zeroing the words its articles share.
	idfPrior = 20
	// A word is distinctive in a window when at most distinctShare of its
	// articles, or distinctMinDocs of them in a smaller window, hold it.
	// Two articles are compared only when they share at least minDistinct
	// distinctive words and at least minNames of them are names (see
	// Group): the boilerplate that every earnings report or market wrap
	// repeats is held by too many articles of a busy day, and a genre's
	// vocabulary names nobody.
	distinctShare   = 0.02
	distinctMinDocs = 10
	minDistinct     = 2
	minNames        = 1
	// sameStory is the average cosine similarity, over every pair of
	// their articles, above which two groups are one story. Average
	// linkage keeps a chain of pairwise resemblances from gluing unrelated
	// articles into one blob, as single linkage would.
	sameStory = 0.25
	// nearDuplicate is the share of the shorter article's word triples
	// (numbers included, so two earnings reports of one company with
	// different figures are not copies) that the longer one must hold for
	// the two to be copies of one text.
	nearDuplicate = 0.6
	// templated is the share of an account's opening sentence's word
	// triples that another account's must hold for the two to be filled
	// in from one template ("The CFTC reported the following stocks of
	// corn in Toledo ..."): a series of routine reports, which counts as
	// one account when stories are ranked.
	templated = 0.5
)

// isNewsCopy reports whether t is a word of news copy that says nothing
// about which event an article tells of: a reporting verb, or one of
// newsCopyWords.
func isNewsCopy(t text.Term) bool {
	return newsCopyWords[t.Key] || text.IsReportingVerb(t.Lower)
}

// newsCopyWords are, besides the reporting verbs, the words of news copy
// that name no event: reports, company suffixes, units of time and days.
var newsCopyWords = text.KeySet(strings.Fields(`report reported reports
	statement news reuter reuters inc corp co ltd plc llc company companies
	year years month months week weeks day days today yesterday tomorrow
	monday tuesday wednesday thursday friday saturday sunday
	mr mrs ms new also would could one two three`)...)

// Group groups articles into stories and ranks them, best first.
//
// Each article is read as a vector of the content words of its title
// (counted titleWeight times) and of those of its lead paragraphs that
// hold prose: stemmed, without stop words, numbers, or the words of news
// copy that name no event (isNewsCopy), weighted by sublinear term
// frequency times inverse document frequency over the articles given
// (see idfPrior). Paragraphs without prose, such as an earnings report's
// "Shr 29 cts vs 28 cts", are left out, so that reports of different
// companies do not resemble each other by their common layout.
//
// Two articles resemble each other by the cosine of their vectors, but
// only when they share minDistinct distinctive words (see distinctShare),
// minNames of them written as a name by one of the two (see
// writtenNames); otherwise not at all. Reports of different events share
// the words of their genre ("seasonally adjusted", "certificates of
// deposit", "lead manager"), and much less often a name. Groups are then
// merged by average linkage while their mean resemblance is at least
// sameStory. Within a group, near-duplicates (see nearDuplicate) become
// one account: the first to come out, or the longer. Nothing depends on
// the outlets: untitled plain text with no outlet is grouped by its words
// alone.
//
// A story told by more articles than max(distinctMinDocs, distinctShare
// of the window) may split in parts: the words all its accounts share
// are common in the window then, and only its rarer words hold it
// together. A larger share would keep it whole but, on Reuters' busy
// days, merges genre copy (dividend notices, price indexes) instead.
//
// Stories are ranked by how many outlets told them; then by whether their
// central account has a sentence of prose to quote (a table makes a poor
// item); then by how many of their accounts open with a sentence of their
// own (a series of routine reports filled in from one template counts
// once, see templated); then by how many accounts they have; then by how
// recent they are; then by article id. The same articles in the same
// order make the same stories in every run.
func Group(arts []knowledge.RecentArticle) []Story {
	if len(arts) == 0 {
		return nil
	}
	reads := make([]reading, len(arts))
	quotable := make(map[string]bool, len(arts))
	for i, a := range arts {
		reads[i] = read(a)
		quotable[a.ID] = reads[i].prose
	}
	vecs := articleVectors(reads)
	sims := similarities(vecs)
	groups := averageLink(len(arts), sims, sameStory)
	stories := make([]Story, 0, len(groups))
	for _, g := range groups {
		stories = append(stories, makeStory(arts, reads, sims, g))
	}
	rankStories(stories, quotable)
	return stories
}

// reading is an article as the grouping reads it: the terms of its title
// and of each sentence of its lead paragraphs, scanned once.
type reading struct {
	title []text.Term
	// sentences holds each lead paragraph's sentences' terms; proseParas
	// marks the paragraphs with a sentence of prose in them.
	sentences  [][][]text.Term
	proseParas []bool
	// prose is true when some paragraph is.
	prose bool
}

func read(a knowledge.RecentArticle) reading {
	r := reading{title: text.Terms(a.Title)}
	for _, p := range a.Lead {
		var (
			ss    [][]text.Term
			prose bool
		)
		for _, sp := range text.Sentences(p.Text) {
			ts := text.Terms(p.Text[sp.Start:sp.End])
			ss = append(ss, ts)
			prose = prose || isProseTerms(ts)
		}
		r.sentences = append(r.sentences, ss)
		r.proseParas = append(r.proseParas, prose)
		r.prose = r.prose || prose
	}
	return r
}

// termVector is one article's words, weighted, with its norm.
type termVector struct {
	// keys are the article's words, sorted, and w their weights: sorted,
	// so that sums come out the same, to the last bit, on every run.
	keys []string
	w    []float64
	norm float64
	// distinct lists the article's distinctive words, names those of
	// them it writes as names.
	distinct, names []string
}

// writtenNames returns the keys of the words an article's lead paragraphs
// of prose write as names: capitalized though not first in their
// sentence, or acronyms. A title counts too unless it capitalizes most of
// its words, as headlines in title case do.
func writtenNames(r reading) map[string]bool {
	out := make(map[string]bool)
	add := func(ts []text.Term) {
		for i, t := range ts {
			if i > 0 && !t.Compound && !t.Num && (t.Upper || t.Acro) && t.IsContent() && !text.IsCalendarWord(t.Lower) {
				out[t.Key] = true
			}
		}
	}
	if !titleCase(r.title) {
		add(r.title)
	}
	for i, ss := range r.sentences {
		if r.proseParas[i] {
			for _, ts := range ss {
				add(ts)
			}
		}
	}
	return out
}

// titleCase reports whether most of the words of a title are
// capitalized.
func titleCase(ts []text.Term) bool {
	var up, all int
	for _, t := range ts {
		if t.Compound || t.Num {
			continue
		}
		all++
		if t.Upper {
			up++
		}
	}
	return all > 0 && up*2 > all
}

// articleVectors weighs each article's words; see Group.
func articleVectors(reads []reading) []termVector {
	counts := make([]map[string]float64, len(reads))
	names := make([]map[string]bool, len(reads))
	df := make(map[string]int)
	for i, r := range reads {
		c := make(map[string]float64)
		add := func(ts []text.Term, weight float64) {
			for _, t := range ts {
				if t.Compound || t.Num || !t.IsContent() || isNewsCopy(t) {
					continue
				}
				c[t.Key] += weight
			}
		}
		add(r.title, titleWeight)
		for j, ss := range r.sentences {
			if !r.proseParas[j] {
				continue
			}
			for _, ts := range ss {
				add(ts, 1)
			}
		}
		for k := range c {
			df[k]++
		}
		counts[i] = c
		names[i] = writtenNames(r)
	}
	n := float64(len(reads))
	limit := max(float64(distinctMinDocs), distinctShare*n)
	vecs := make([]termVector, len(reads))
	for i, c := range counts {
		var v termVector
		for k := range c {
			v.keys = append(v.keys, k)
		}
		sort.Strings(v.keys)
		var sum float64
		for _, k := range v.keys {
			x := (1 + math.Log(c[k])) * math.Log((n+idfPrior)/float64(df[k]+1))
			v.w = append(v.w, x)
			sum += x * x
			if float64(df[k]) <= limit {
				v.distinct = append(v.distinct, k)
				if names[i][k] {
					v.names = append(v.names, k)
				}
			}
		}
		v.norm = math.Sqrt(sum)
		vecs[i] = v
	}
	return vecs
}

// pair is two article indexes, the smaller first.
type pair struct{ a, b int }

// similarities returns the cosine similarity of every pair of articles
// that share at least minDistinct distinctive words; other pairs are 0.
func similarities(vecs []termVector) map[pair]float64 {
	postings := make(map[string][]int)
	for i, v := range vecs {
		for _, k := range v.distinct {
			postings[k] = append(postings[k], i)
		}
	}
	named := make(map[string]map[int]bool)
	for i, v := range vecs {
		for _, k := range v.names {
			if named[k] == nil {
				named[k] = make(map[int]bool)
			}
			named[k][i] = true
		}
	}
	type evidence struct{ words, names int }
	shared := make(map[pair]evidence)
	for k, ids := range postings {
		for x := 0; x < len(ids); x++ {
			for y := x + 1; y < len(ids); y++ {
				p := pair{ids[x], ids[y]}
				e := shared[p]
				e.words++
				if named[k][ids[x]] || named[k][ids[y]] {
					e.names++
				}
				shared[p] = e
			}
		}
	}
	sims := make(map[pair]float64)
	for p, e := range shared {
		if e.words < minDistinct || e.names < minNames {
			continue
		}
		if s := cosine(vecs[p.a], vecs[p.b]); s > 0 {
			sims[p] = s
		}
	}
	return sims
}

func cosine(a, b termVector) float64 {
	if a.norm == 0 || b.norm == 0 {
		return 0
	}
	var dot float64
	for i, j := 0, 0; i < len(a.keys) && j < len(b.keys); {
		switch {
		case a.keys[i] < b.keys[j]:
			i++
		case a.keys[i] > b.keys[j]:
			j++
		default:
			dot += a.w[i] * b.w[j]
			i++
			j++
		}
	}
	return dot / (a.norm * b.norm)
}

// sortedPairs returns the pairs of sims in order.
func sortedPairs(sims map[pair]float64) []pair {
	ps := make([]pair, 0, len(sims))
	for p := range sims {
		ps = append(ps, p)
	}
	sort.Slice(ps, func(i, j int) bool {
		if ps[i].a != ps[j].a {
			return ps[i].a < ps[j].a
		}
		return ps[i].b < ps[j].b
	})
	return ps
}

func sim(sims map[pair]float64, a, b int) float64 {
	if a > b {
		a, b = b, a
	}
	return sims[pair{a, b}]
}

// linkItem is a candidate merge of two clusters at the versions they had
// when it was computed.
type linkItem struct {
	score  float64
	a, b   int
	va, vb int
}

type linkHeap []linkItem

func (h linkHeap) Len() int { return len(h) }
func (h linkHeap) Less(i, j int) bool {
	if h[i].score != h[j].score {
		return h[i].score > h[j].score
	}
	if h[i].a != h[j].a {
		return h[i].a < h[j].a
	}
	return h[i].b < h[j].b
}
func (h linkHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *linkHeap) Push(x any)   { *h = append(*h, x.(linkItem)) }
func (h *linkHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// AverageLink clusters n items of any kind as Group clusters articles:
// by average linkage, merging the two clusters with the highest mean
// similarity over all their pairs while it is at least threshold. sims
// holds the similarity of each pair of item indexes (either order; a pair
// missing counts 0). It returns the clusters, each sorted, in order of
// their first item; the same input gives the same clusters in every run.
// Package gaps groups readers' questions with it.
func AverageLink(n int, sims map[[2]int]float64, threshold float64) [][]int {
	ps := make(map[pair]float64, len(sims))
	for k, s := range sims {
		a, b := k[0], k[1]
		if a > b {
			a, b = b, a
		}
		if a != b && a >= 0 && b < n {
			ps[pair{a, b}] = s
		}
	}
	return averageLink(n, ps, threshold)
}

// averageLink clusters n items by average linkage: it merges the two
// clusters with the highest mean similarity over all their pairs (pairs
// missing from sims count 0) while that mean is at least threshold. It
// returns the clusters, each sorted, in order of their first item.
func averageLink(n int, sims map[pair]float64, threshold float64) [][]int {
	members := make([][]int, n)
	version := make([]int, n)
	// links[c][d] is the sum of the similarities between clusters c and d.
	links := make([]map[int]float64, n)
	for i := range n {
		members[i] = []int{i}
		links[i] = make(map[int]float64)
	}
	var h linkHeap
	for _, p := range sortedPairs(sims) {
		s := sims[p]
		links[p.a][p.b] += s
		links[p.b][p.a] += s
		if s >= threshold {
			h = append(h, linkItem{score: s, a: p.a, b: p.b})
		}
	}
	heap.Init(&h)
	for h.Len() > 0 {
		it := heap.Pop(&h).(linkItem)
		if members[it.a] == nil || members[it.b] == nil || version[it.a] != it.va || version[it.b] != it.vb {
			continue // stale: a cluster changed since
		}
		a, b := it.a, it.b
		members[a] = append(members[a], members[b]...)
		members[b] = nil
		version[a]++
		for c, s := range links[b] {
			delete(links[c], b)
			if c == a {
				continue
			}
			links[a][c] += s
			links[c][a] = links[a][c]
		}
		links[b] = nil
		for c, s := range links[a] {
			mean := s / float64(len(members[a])*len(members[c]))
			if mean < threshold {
				continue
			}
			x, y := a, c
			if x > y {
				x, y = y, x
			}
			heap.Push(&h, linkItem{score: mean, a: x, b: y, va: version[x], vb: version[y]})
		}
	}
	var out [][]int
	for _, m := range members {
		if m == nil {
			continue
		}
		sort.Ints(m)
		out = append(out, m)
	}
	sort.Slice(out, func(i, j int) bool { return out[i][0] < out[j][0] })
	return out
}

// makeStory makes a story of the articles g (indexes into arts): it folds
// near-duplicates into one account and puts the most central account
// first.
func makeStory(arts []knowledge.RecentArticle, reads []reading, sims map[pair]float64, g []int) Story {
	// Union the copies.
	parent := make(map[int]int, len(g))
	var find func(int) int
	find = func(i int) int {
		if parent[i] == i {
			return i
		}
		parent[i] = find(parent[i])
		return parent[i]
	}
	for _, i := range g {
		parent[i] = i
	}
	if len(g) > 1 {
		shingles := make(map[int]map[string]bool, len(g))
		for _, i := range g {
			shingles[i] = wordTriples(reads[i])
		}
		for x, i := range g {
			for _, j := range g[x+1:] {
				if sim(sims, i, j) > 0 && containment(shingles[i], shingles[j]) >= nearDuplicate {
					parent[find(j)] = find(i)
				}
			}
		}
	}
	sets := make(map[int][]int)
	for _, i := range g {
		r := find(i)
		sets[r] = append(sets[r], i)
	}
	type account struct {
		rep        int
		copies     []int
		centrality float64
	}
	var accounts []account
	for _, set := range sets {
		rep := set[0]
		for _, i := range set[1:] {
			if earlierOrLonger(arts[i], arts[rep]) {
				rep = i
			}
		}
		ac := account{rep: rep}
		for _, i := range set {
			if i != rep {
				ac.copies = append(ac.copies, i)
			}
		}
		// Centrality: the mean similarity of the account's articles to
		// the rest of the story.
		var sum float64
		n := 0
		for _, i := range set {
			for _, j := range g {
				if find(j) != find(i) {
					sum += sim(sims, i, j)
					n++
				}
			}
		}
		if n > 0 {
			ac.centrality = sum / float64(n)
		}
		accounts = append(accounts, ac)
	}
	sort.Slice(accounts, func(x, y int) bool {
		a, b := accounts[x], accounts[y]
		if a.centrality != b.centrality {
			return a.centrality > b.centrality
		}
		ta, tb := arts[a.rep].Time(), arts[b.rep].Time()
		if !ta.Equal(tb) {
			return ta.Before(tb)
		}
		return arts[a.rep].ID < arts[b.rep].ID
	})
	var (
		s     Story
		seen  = make(map[string]bool)
		leads []map[string]bool
	)
	for _, ac := range accounts {
		a := arts[ac.rep]
		s.Accounts = append(s.Accounts, a)
		lead := leadTriples(reads[ac.rep])
		fresh := true
		for _, l := range leads {
			if containment(lead, l) >= templated {
				fresh = false
				break
			}
		}
		if fresh {
			leads = append(leads, lead)
		}
		var copies []string
		for _, i := range ac.copies {
			copies = append(copies, arts[i].ID)
			if t := arts[i].Time(); t.After(s.Newest) {
				s.Newest = t
			}
		}
		sort.Strings(copies)
		s.Copies = append(s.Copies, copies)
		if t := a.Time(); t.After(s.Newest) {
			s.Newest = t
		}
		if src := strings.TrimSpace(a.Source); src != "" && !seen[strings.ToLower(src)] {
			seen[strings.ToLower(src)] = true
			s.Sources = append(s.Sources, src)
		}
	}
	s.angles = len(leads)
	return s
}

// leadTriples returns the word triples of the first sentence of prose of
// an article's lead, or of its first sentence if none is prose.
func leadTriples(r reading) map[string]bool {
	var first []text.Term
	for i, ss := range r.sentences {
		for _, ts := range ss {
			if first == nil {
				first = ts
			}
			if r.proseParas[i] && isProseTerms(ts) {
				return triples(ts)
			}
		}
	}
	return triples(first)
}

// earlierOrLonger reports whether a should stand for its copies rather
// than b: it came out first, or at the same time with a longer lead.
func earlierOrLonger(a, b knowledge.RecentArticle) bool {
	if ta, tb := a.Time(), b.Time(); !ta.Equal(tb) {
		return ta.Before(tb)
	}
	if la, lb := leadLength(a), leadLength(b); la != lb {
		return la > lb
	}
	return a.ID < b.ID
}

func leadLength(a knowledge.RecentArticle) int {
	n := 0
	for _, p := range a.Lead {
		n += len(p.Text)
	}
	return n
}

// wordTriples returns the runs of three consecutive words of an
// article's lead paragraphs, lowercased, numbers included.
func wordTriples(r reading) map[string]bool {
	out := make(map[string]bool)
	for _, ss := range r.sentences {
		var ts []text.Term
		for _, s := range ss {
			ts = append(ts, s...)
		}
		for k := range triples(ts) {
			out[k] = true
		}
	}
	return out
}

// triples returns the runs of three consecutive words of ts, lowercased.
func triples(ts []text.Term) map[string]bool {
	var words []string
	for _, t := range ts {
		if !t.Compound {
			words = append(words, t.Lower)
		}
	}
	out := make(map[string]bool)
	for i := 0; i+2 < len(words); i++ {
		out[words[i]+" "+words[i+1]+" "+words[i+2]] = true
	}
	return out
}

// containment returns the share of the smaller set's members that the
// other holds.
func containment(a, b map[string]bool) float64 {
	if len(a) > len(b) {
		a, b = b, a
	}
	if len(a) == 0 {
		return 0
	}
	n := 0
	for k := range a {
		if b[k] {
			n++
		}
	}
	return float64(n) / float64(len(a))
}

// rankStories sorts stories best first; see Group. prose tells which
// articles have a sentence of prose in their lead.
func rankStories(stories []Story, prose map[string]bool) {
	sort.SliceStable(stories, func(i, j int) bool {
		a, b := stories[i], stories[j]
		if oa, ob := a.outlets(), b.outlets(); oa != ob {
			return oa > ob
		}
		if pa, pb := prose[a.Accounts[0].ID], prose[b.Accounts[0].ID]; pa != pb {
			return pa
		}
		if a.angles != b.angles {
			return a.angles > b.angles
		}
		if len(a.Accounts) != len(b.Accounts) {
			return len(a.Accounts) > len(b.Accounts)
		}
		if !a.Newest.Equal(b.Newest) {
			return a.Newest.After(b.Newest)
		}
		return a.Accounts[0].ID < b.Accounts[0].ID
	})
}

// LeadSentence returns the first sentence of prose in a's lead paragraphs
// and the paragraph it is in. With none, it returns the first sentence
// and false.
func LeadSentence(a knowledge.RecentArticle) (knowledge.Passage, string, bool) {
	var (
		first   string
		firstOf knowledge.Passage
	)
	for _, p := range a.Lead {
		for _, sp := range text.Sentences(p.Text) {
			s := p.Text[sp.Start:sp.End]
			if first == "" {
				first, firstOf = s, p
			}
			if IsProse(s) {
				return p, s, true
			}
		}
	}
	return firstOf, first, false
}

// IsProse reports whether s reads as a sentence: it has content words and
// the function words that join them, which a line of figures ("Shr 29 cts
// vs 28 cts"), a table, a dateline or a credit line lacks. A sentence of
// prose has at least minContentWords content words and three different
// function words, which make at least an eighth of it (about a third do
// in news copy; a table's rows repeat one or two, "up", "under"), and
// numbers make at most half of it; its words repeat little.
func IsProse(s string) bool {
	return isProseTerms(text.Terms(s))
}

func isProseTerms(ts []text.Term) bool {
	var (
		all, function, content, numbers int
		kinds                           = make(map[string]bool)
		words                           = make(map[string]bool)
	)
	for i, t := range ts {
		if t.Compound {
			continue
		}
		all++
		if !t.Num {
			words[t.Lower] = true
		}
		switch {
		case t.Num:
			numbers++
		case text.IsFiller(t.Lower) && (i == 0 || !t.Upper):
			// Capitalized inside a sentence, "May" is a month.
			function++
			kinds[t.Lower] = true
		case t.IsContent():
			content++
		}
	}
	// A table's rows repeat their words ("Jul/Aug no quote 0.52 under
	// Jul/Dec no quote ..."); a sentence of prose seldom does.
	if w := all - numbers; w >= 15 && len(words)*5 < w*3 {
		return false
	}
	return content >= minContentWords && len(kinds) >= 3 && function*8 >= all && numbers*2 <= all
}
