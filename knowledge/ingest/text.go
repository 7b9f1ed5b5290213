package ingest

import (
	"bytes"
	"fmt"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/byline-bot/byline/knowledge"
	"github.com/byline-bot/byline/text"
	xunicode "golang.org/x/text/encoding/unicode"
)

// ParseText parses a plain text article: UTF-8 (or UTF-16 with a byte order
// mark) without markup. name becomes the article's Ref.
//
// Each line is a paragraph, unless the text is hard-wrapped: then the
// paragraphs are the blocks between blank lines, their lines joined with
// spaces. The text is taken to be hard-wrapped when blank lines separate
// blocks, most lines sit in blocks of several lines, and most of those
// lines stop mid-sentence.
//
// A plain text file has no title, so ParseText derives one from the first
// sentence. Two quirks of copied articles are handled:
//
//   - A wire dateline opening the first paragraph, "Outlet/Place: " or
//     "PLACE (Outlet) - ", is removed and the outlet becomes the Source.
//     The place is dropped: an Article has nowhere to keep it.
//   - A page number glued to the last sentence ("... this week.204") is
//     removed.
func ParseText(name string, data []byte) (knowledge.Article, error) {
	text, err := decodeText(data)
	if err != nil {
		return knowledge.Article{}, err
	}
	paras := textParagraphs(text)
	if len(paras) == 0 {
		return knowledge.Article{}, ErrNoText
	}
	var source string
	if outlet, rest, ok := cutDateline(paras[0]); ok {
		source = outlet
		if rest == "" {
			paras = paras[1:]
		} else {
			paras[0] = rest
		}
	}
	if len(paras) > 0 {
		last := len(paras) - 1
		paras[last] = stripPageNumber(paras[last])
	}
	if len(paras) == 0 {
		return knowledge.Article{}, ErrNoText
	}
	return knowledge.Article{
		Ref:        name,
		Source:     source,
		Title:      deriveTitle(paras),
		Paragraphs: paras,
	}, nil
}

// decodeText checks that data is text and returns it as a string without a
// byte order mark. UTF-16 with a byte order mark is converted; anything
// else must be UTF-8.
func decodeText(data []byte) (string, error) {
	if bytes.HasPrefix(data, []byte{0xFF, 0xFE}) || bytes.HasPrefix(data, []byte{0xFE, 0xFF}) {
		dec := xunicode.UTF16(xunicode.LittleEndian, xunicode.ExpectBOM).NewDecoder()
		utf8Data, err := dec.Bytes(data)
		if err != nil {
			return "", fmt.Errorf("decoding UTF-16: %w", err)
		}
		data = utf8Data
	}
	if i := bytes.IndexByte(data, 0); i >= 0 {
		return "", fmt.Errorf("%w (NUL byte at offset %d)", ErrBinary, i)
	}
	if i := invalidUTF8(data); i >= 0 {
		return "", fmt.Errorf("%w at byte %d", ErrInvalidUTF8, i)
	}
	data = bytes.TrimPrefix(data, []byte("\uFEFF"))
	return string(data), nil
}

// invalidUTF8 returns the offset of the first byte of data that is not part
// of a valid UTF-8 sequence, or -1 if there is none.
func invalidUTF8(data []byte) int {
	if utf8.Valid(data) {
		return -1
	}
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && size <= 1 {
			return i
		}
		i += size
	}
	return -1
}

// splitLines splits text into lines, accepting "\n", "\r\n" and "\r" line
// ends.
func splitLines(text string) []string {
	if strings.IndexByte(text, '\r') >= 0 {
		text = strings.ReplaceAll(text, "\r\n", "\n")
		text = strings.ReplaceAll(text, "\r", "\n")
	}
	return strings.Split(text, "\n")
}

// textParagraphs splits plain text into normalized paragraphs, as described
// on ParseText.
func textParagraphs(text string) []string {
	var blocks [][]string
	var cur []string
	for _, line := range splitLines(text) {
		if isBlank(line) {
			if len(cur) > 0 {
				blocks = append(blocks, cur)
				cur = nil
			}
			continue
		}
		cur = append(cur, line)
	}
	if len(cur) > 0 {
		blocks = append(blocks, cur)
	}

	var paras []string
	if isHardWrapped(blocks) {
		for _, b := range blocks {
			paras = append(paras, strings.Join(b, " "))
		}
	} else {
		for _, b := range blocks {
			paras = append(paras, b...)
		}
	}
	return normalizeAll(paras)
}

// isHardWrapped reports whether blocks of lines look like hard-wrapped
// paragraphs rather than one paragraph a line.
func isHardWrapped(blocks [][]string) bool {
	if len(blocks) < 2 {
		return false
	}
	var lines, inMulti, inner, midSentence int
	for _, b := range blocks {
		lines += len(b)
		if len(b) < 2 {
			continue
		}
		inMulti += len(b)
		for _, line := range b[:len(b)-1] {
			inner++
			if !endsSentence(line) {
				midSentence++
			}
		}
	}
	return inMulti*2 > lines && midSentence*2 > inner
}

// endsSentence reports whether line ends with sentence-ending punctuation,
// possibly followed by closing quotes or brackets.
func endsSentence(line string) bool {
	line = strings.TrimRightFunc(line, func(r rune) bool {
		return unicode.IsSpace(r) || strings.ContainsRune(`"')]”’»`, r)
	})
	return strings.HasSuffix(line, ".") || strings.HasSuffix(line, "!") ||
		strings.HasSuffix(line, "?") || strings.HasSuffix(line, ":") ||
		strings.HasSuffix(line, "…")
}

func isBlank(line string) bool {
	return strings.TrimFunc(line, func(r rune) bool {
		return unicode.IsSpace(r) || text.IsInvisible(r)
	}) == ""
}

var (
	// slashDateline matches "Outlet/Place: " as news agencies such as
	// Iran Press prefix their copy, e.g. "Xinhua/Beijing: ".
	slashDateline = regexp.MustCompile(`^(\p{Lu}[\p{L}\p{N}&'.-]*(?: [\p{Lu}&][\p{L}\p{N}&'.-]*){0,3})/\p{Lu}[\p{L}'.-]*(?: [\p{Lu}][\p{L}'.-]*){0,3}: +`)
	// parenDateline matches "PLACE (Outlet) - " and "PLACE, Date (Outlet) — ".
	parenDateline = regexp.MustCompile(`^\p{Lu}[\p{L}'.-]*(?:,? [\p{L}\p{N}'.-]+){0,5} \((\p{Lu}[^()]{0,38})\) *(?:--?|–|—) *`)
)

// cutDateline removes a wire dateline from the start of a paragraph and
// returns the outlet it names.
func cutDateline(p string) (outlet, rest string, ok bool) {
	for _, re := range []*regexp.Regexp{slashDateline, parenDateline} {
		m := re.FindStringSubmatchIndex(p)
		if m == nil {
			continue
		}
		rest := p[m[1]:]
		// The text after a dateline starts a sentence.
		if r, _ := utf8.DecodeRuneInString(rest); rest != "" && !unicode.IsUpper(r) &&
			!unicode.IsDigit(r) && !strings.ContainsRune(`"'“‘«`, r) {
			continue
		}
		return strings.TrimSpace(p[m[2]:m[3]]), rest, true
	}
	return "", p, false
}

// gluedPageNumber matches a page number that text extraction glued to the
// end of the last sentence: "this week.204", "he said.”12". The character
// before the punctuation must be a letter so decimals such as "2.5" stay.
var gluedPageNumber = regexp.MustCompile(`(\p{L}[.!?]+["'”’»)]*|\p{L}["”»])\d{1,4}$`)

// stripPageNumber removes a page number glued to the end of p.
func stripPageNumber(p string) string {
	m := gluedPageNumber.FindStringSubmatchIndex(p)
	if m == nil {
		return p
	}
	return p[:m[3]]
}
