package knowledge

import (
	"crypto/sha256"
	"regexp"
	"strconv"
	"strings"

	"github.com/byline-bot/byline/text"
)

// Stable paragraph ids. A paragraph's number (article#3) names another
// paragraph as soon as one is added above it; its pid does not. When an
// article is stored again, its new paragraphs are lined up against the
// old ones: the longest common run of unchanged texts keeps their pids
// and versions, whatever their new numbers; between two kept paragraphs,
// an old and a new paragraph that still share most of their words are the
// same paragraph edited (same pid, next version); what is left of the old
// was removed and what is left of the new is new (a fresh pid, never one
// used before in the article).

// ParagraphChange is a stored paragraph whose text an article's re-ingest
// changed or removed.
type ParagraphChange struct {
	PID string
	// OldVersion is the version before; NewVersion the one after, 0 when
	// the paragraph was removed.
	OldVersion, NewVersion int
	// OldText and NewText are the text before and after ("" when removed).
	OldText, NewText string
	// Paragraph is its number after the change, 0 when removed.
	Paragraph int
}

// oldParagraph is a stored paragraph as a re-ingest finds it.
type oldParagraph struct {
	pid     string
	version int
	text    string
}

// placed is where alignment puts one new paragraph: an old pid and
// version, or none (pid "") for a new paragraph.
type placed struct {
	pid     string
	version int
	// from is the index of the old paragraph it continues, -1 for none.
	from int
}

// sameParagraph is the least share of words (Dice's coefficient over the
// folded word sets) for an old and a new paragraph between the same two
// unchanged ones to count as one paragraph edited rather than one removed
// and one added. A corrected figure or name, a reworded clause, keep well
// above it; a paragraph replaced by another on the same subject falls
// below.
const sameParagraph = 0.5

// maxAlignCells bounds the table of the longest-common-run alignment; an
// article longer than that (thousands of paragraphs both sides) is lined
// up by exact text alone.
const maxAlignCells = 4 << 20

// align lines up an article's new paragraphs against its stored ones; see
// the comment at the top of the file.
func align(old []oldParagraph, news []string) []placed {
	out := make([]placed, len(news))
	for i := range out {
		out[i].from = -1
	}
	if len(old) == 0 {
		return out
	}
	oh := make([][32]byte, len(old))
	for i, p := range old {
		oh[i] = sha256.Sum256([]byte(p.text))
	}
	nh := make([][32]byte, len(news))
	for i, t := range news {
		nh[i] = sha256.Sum256([]byte(t))
	}
	pairs := commonRun(oh, nh)
	keep := func(o, n int) {
		out[n] = placed{pid: old[o].pid, version: old[o].version, from: o}
	}
	prevO, prevN := 0, 0
	for _, pr := range append(pairs, [2]int{len(old), len(news)}) {
		editsBetween(old, news, prevO, pr[0], prevN, pr[1], out)
		if pr[0] < len(old) {
			keep(pr[0], pr[1])
		}
		prevO, prevN = pr[0]+1, pr[1]+1
	}
	return out
}

// commonRun returns the index pairs of a longest common subsequence of a
// and b, in order.
func commonRun(a, b [][32]byte) [][2]int {
	if len(a)*len(b) > maxAlignCells {
		// Exact text alone: each new paragraph takes the first unused old
		// one with its text, in order.
		at := make(map[[32]byte][]int)
		for i, h := range a {
			at[h] = append(at[h], i)
		}
		var out [][2]int
		last := -1
		for j, h := range b {
			for len(at[h]) > 0 && at[h][0] <= last {
				at[h] = at[h][1:]
			}
			if len(at[h]) > 0 {
				last = at[h][0]
				at[h] = at[h][1:]
				out = append(out, [2]int{last, j})
			}
		}
		return out
	}
	// lcs[i][j] is the length of a longest common run of a[i:] and b[j:].
	w := len(b) + 1
	lcs := make([]int32, (len(a)+1)*w)
	for i := len(a) - 1; i >= 0; i-- {
		for j := len(b) - 1; j >= 0; j-- {
			if a[i] == b[j] {
				lcs[i*w+j] = lcs[(i+1)*w+j+1] + 1
			} else {
				lcs[i*w+j] = max(lcs[(i+1)*w+j], lcs[i*w+j+1])
			}
		}
	}
	var out [][2]int
	for i, j := 0, 0; i < len(a) && j < len(b); {
		switch {
		case a[i] == b[j]:
			out = append(out, [2]int{i, j})
			i++
			j++
		case lcs[(i+1)*w+j] >= lcs[i*w+j+1]:
			i++
		default:
			j++
		}
	}
	return out
}

// editsBetween pairs the old paragraphs [o0, o1) with the new ones
// [n0, n1), the run between two kept paragraphs, as edits of one another
// where they share enough words, in order.
func editsBetween(old []oldParagraph, news []string, o0, o1, n0, n1 int, out []placed) {
	next := n0
	for o := o0; o < o1 && next < n1; o++ {
		ow := wordSet(old[o].text)
		for n := next; n < n1; n++ {
			if dice(ow, wordSet(news[n])) >= sameParagraph {
				out[n] = placed{pid: old[o].pid, version: old[o].version + 1, from: o}
				next = n + 1
				break
			}
		}
	}
}

func wordSet(s string) map[string]bool {
	set := make(map[string]bool)
	for _, t := range text.Tokens(s, 4096) {
		set[t] = true
	}
	return set
}

func dice(a, b map[string]bool) float64 {
	if len(a)+len(b) == 0 {
		return 1
	}
	common := 0
	for w := range a {
		if b[w] {
			common++
		}
	}
	return 2 * float64(common) / float64(len(a)+len(b))
}

// newPID names the seq-th paragraph ever given a pid in an article.
func newPID(articleID string, seq int) string {
	return articleID + "~" + strconv.Itoa(seq)
}

// correctionLead matches a paragraph that is an outlet's correction note:
// "Correction: …", "Clarification: …", "Editor's note: …", or one saying
// an earlier version of the story got something wrong.
var correctionLead = regexp.MustCompile(`(?i)^\W*(corrections?|clarification|editor['’]?s note|update)\b\s*[:.\-–—]|` +
	`\b(an earlier|a previous) version of this (story|article|report)\b|\bthis (story|article|report) (has been|was) (corrected|updated)\b`)

// maxNote is the most characters of a correction note kept.
const maxNote = 500

// correctionNote returns the article's correction note, when one of its
// paragraphs is one (the last such, as notes are appended), cut to
// maxNote characters.
func correctionNote(paragraphs []string) string {
	for i := len(paragraphs) - 1; i >= 0; i-- {
		if p := strings.TrimSpace(paragraphs[i]); correctionLead.MatchString(p) {
			if r := []rune(p); len(r) > maxNote {
				return string(r[:maxNote-1]) + "…"
			}
			return p
		}
	}
	return ""
}
