package chat

import (
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Split cuts text into pieces of at most max characters (runes), at
// paragraph boundaries where it can, else at sentence ends, else between
// words, and only as a last resort inside a word. A citation marker stays
// with the sentence before it, and a fenced code block is closed at the
// end of a piece and reopened in the next. Empty text gives no pieces.
func Split(text string, max int) []string {
	text = strings.TrimSpace(text)
	if text == "" {
		return nil
	}
	if max < 20 {
		max = 20
	}
	var (
		out []string
		cur strings.Builder
	)
	flush := func() {
		if s := strings.TrimSpace(cur.String()); s != "" {
			out = append(out, s)
		}
		cur.Reset()
	}
	add := func(block string) {
		sep := ""
		if cur.Len() > 0 {
			sep = "\n\n"
		}
		if runes(cur.String())+runes(sep)+runes(block) <= max {
			cur.WriteString(sep + block)
			return
		}
		flush()
		if runes(block) <= max {
			cur.WriteString(block)
			return
		}
		for _, piece := range splitBlock(block, max) {
			flush()
			cur.WriteString(piece)
		}
	}
	for _, block := range blocks(text) {
		add(block)
	}
	flush()
	return out
}

func runes(s string) int { return utf8.RuneCountInString(s) }

// blocks cuts text into paragraphs, keeping each fenced code block whole.
func blocks(text string) []string {
	var (
		out    []string
		cur    []string
		inCode bool
	)
	emit := func() {
		if b := strings.TrimSpace(strings.Join(cur, "\n")); b != "" {
			out = append(out, b)
		}
		cur = nil
	}
	for _, line := range strings.Split(text, "\n") {
		fence := strings.HasPrefix(strings.TrimSpace(line), "```")
		switch {
		case fence && !inCode:
			emit()
			inCode = true
			cur = append(cur, line)
		case fence && inCode:
			cur = append(cur, line)
			inCode = false
			emit()
		case inCode:
			cur = append(cur, line)
		case strings.TrimSpace(line) == "":
			emit()
		default:
			cur = append(cur, line)
		}
	}
	emit()
	return out
}

// splitBlock cuts one block longer than max. A block of several lines
// (a list, a digest's sources) is cut between lines, each kept whole
// unless it alone is too long; prose, between sentences.
func splitBlock(block string, max int) []string {
	if strings.HasPrefix(block, "```") {
		return splitCode(block, max)
	}
	if !strings.Contains(block, "\n") {
		return splitProse(block, max)
	}
	return pack(strings.Split(block, "\n"), "\n", max, splitProse)
}

// splitProse cuts one line of prose longer than max between sentences,
// and a sentence longer than max between words.
func splitProse(block string, max int) []string {
	return pack(sentences(block), " ", max, splitWords)
}

// pack joins units with sep into pieces of at most max runes, in order; a
// unit longer than max alone is cut by cut, its last part going on with
// the units that follow.
func pack(units []string, sep string, max int, cut func(string, int) []string) []string {
	var out []string
	cur := ""
	for _, u := range units {
		if cur != "" && runes(cur)+runes(sep)+runes(u) <= max {
			cur += sep + u
			continue
		}
		if cur != "" {
			out = append(out, cur)
		}
		cur = ""
		if runes(u) <= max {
			cur = u
			continue
		}
		parts := cut(u, max)
		out = append(out, parts[:len(parts)-1]...)
		cur = parts[len(parts)-1]
	}
	if cur != "" {
		out = append(out, cur)
	}
	return out
}

// sentenceEnd finds the end of a sentence with any citation markers that
// follow it: ". [1][2] " or "?\" [3] ".
var sentenceEnd = regexp.MustCompile(`[.!?]["'”’)\]]*(?:\s*\[\d+\])*\s+`)

// sentences cuts a paragraph after each sentence end and its markers.
func sentences(p string) []string {
	var out []string
	start := 0
	for _, loc := range sentenceEnd.FindAllStringIndex(p, -1) {
		if s := strings.TrimSpace(p[start:loc[1]]); s != "" {
			out = append(out, s)
		}
		start = loc[1]
	}
	if s := strings.TrimSpace(p[start:]); s != "" {
		out = append(out, s)
	}
	return out
}

// splitWords cuts a long sentence between words, never inside a marker,
// and inside a word only when one word is longer than max.
func splitWords(s string, max int) []string {
	var out []string
	cur := ""
	for _, w := range strings.Fields(s) {
		for runes(w) > max {
			if cur != "" {
				out = append(out, cur)
				cur = ""
			}
			r := []rune(w)
			out = append(out, string(r[:max]))
			w = string(r[max:])
		}
		switch {
		case cur == "":
			cur = w
		case runes(cur)+1+runes(w) <= max:
			cur += " " + w
		default:
			out = append(out, cur)
			cur = w
		}
	}
	if cur != "" || len(out) == 0 {
		out = append(out, cur)
	}
	return out
}

// splitCode cuts a fenced code block by lines, closing and reopening the
// fence so every piece renders as code.
func splitCode(block string, max int) []string {
	lines := strings.Split(block, "\n")
	open := lines[0]
	body := lines[1:]
	if len(body) > 0 && strings.HasPrefix(strings.TrimSpace(body[len(body)-1]), "```") {
		body = body[:len(body)-1]
	}
	if len(body) == 0 || runes(open) > max/2 {
		// Not a code block worth keeping as one: cut it as plain words.
		return splitWords(block, max)
	}
	const closeFence = "\n```"
	room := max - runes(open) - runes(closeFence) - 1
	if room < 10 {
		room = 10
	}
	var out []string
	cur := []string{}
	size := 0
	emit := func() {
		if len(cur) > 0 {
			out = append(out, open+"\n"+strings.Join(cur, "\n")+closeFence)
		}
		cur, size = nil, 0
	}
	for _, line := range body {
		// Lines keep their indentation and spacing; only a line longer
		// than the room is cut, at the room.
		parts := []string{line}
		if runes(line) > room {
			parts = nil
			for r := []rune(line); len(r) > 0; r = r[min(room, len(r)):] {
				parts = append(parts, string(r[:min(room, len(r))]))
			}
		}
		for _, part := range parts {
			if size+runes(part)+1 > room {
				emit()
			}
			cur = append(cur, part)
			size += runes(part) + 1
		}
	}
	emit()
	return out
}

var citeMarker = regexp.MustCompile(`\[(\d{1,3})\]`)

// Cited returns the citation numbers a piece of text uses, sorted, each
// once, so each message of a split answer can list its own sources.
func Cited(text string) []int {
	seen := make(map[int]bool)
	var out []int
	for _, m := range citeMarker.FindAllStringSubmatch(text, -1) {
		n, err := strconv.Atoi(m[1])
		if err == nil && !seen[n] {
			seen[n] = true
			out = append(out, n)
		}
	}
	sort.Ints(out)
	return out
}
