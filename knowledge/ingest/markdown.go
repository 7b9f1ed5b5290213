package ingest

import (
	"errors"
	"fmt"
	"html"
	"regexp"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/byline-bot/byline/knowledge"
)

// ParseMarkdown parses a Markdown article. name becomes the article's Ref.
//
// Optional YAML front matter between "---" lines may set title, source,
// url, author (a name or a list of names), published (or date: 2026-03-14,
// RFC 3339, or "2026-03-14 09:30"), language and id. Unknown keys are
// ignored.
//
// The body's paragraphs are its blocks: text between blank lines, list
// items, block quotes, headings and fenced code. Markup is reduced to plain
// text: links keep their text, images are dropped, emphasis and code
// markers and inline HTML tags are removed. A level-one heading opening the
// body is the title when the front matter has none, and is dropped when it
// repeats the front matter's title. Without either, the title is derived
// from the first sentence as for plain text.
func ParseMarkdown(name string, data []byte) (knowledge.Article, error) {
	text, err := decodeText(data)
	if err != nil {
		return knowledge.Article{}, err
	}
	fm, body, err := cutFrontMatter(text)
	if err != nil {
		return knowledge.Article{}, err
	}
	a := knowledge.Article{
		ID:       normalizeParagraph(fm.ID),
		Ref:      name,
		Source:   normalizeParagraph(fm.Source),
		Title:    normalizeTitle(fm.Title),
		URL:      strings.TrimSpace(fm.URL),
		Author:   normalizeParagraph(strings.Join(fm.Author, ", ")),
		Language: normalizeParagraph(fm.Language),
	}
	published := fm.Published
	if published == "" {
		published = fm.Date
	}
	if published != "" {
		t, err := parseDate(published)
		if err != nil {
			return knowledge.Article{}, fmt.Errorf("front matter: published: %w", err)
		}
		a.Published = t
	}

	blocks := markdownBlocks(body)
	for i, b := range blocks {
		p := normalizeParagraph(markdownInline(b.text))
		if p == "" {
			continue
		}
		if i == 0 && b.heading == 1 {
			if a.Title == "" {
				a.Title = p
				continue
			}
			if p == a.Title {
				continue
			}
		}
		a.Paragraphs = append(a.Paragraphs, p)
	}
	if len(a.Paragraphs) == 0 {
		return knowledge.Article{}, ErrNoText
	}
	if a.Title == "" {
		a.Title = deriveTitle(a.Paragraphs)
	}
	return a, nil
}

// frontMatter holds the YAML front matter keys ParseMarkdown reads.
type frontMatter struct {
	ID        string    `yaml:"id"`
	Title     string    `yaml:"title"`
	Source    string    `yaml:"source"`
	URL       string    `yaml:"url"`
	Author    namesYAML `yaml:"author"`
	Published string    `yaml:"published"`
	Date      string    `yaml:"date"`
	Language  string    `yaml:"language"`
}

// namesYAML accepts a single name or a list of names.
type namesYAML []string

// UnmarshalYAML implements yaml.Unmarshaler.
func (n *namesYAML) UnmarshalYAML(v *yaml.Node) error {
	switch v.Kind {
	case yaml.ScalarNode:
		*n = namesYAML{v.Value}
		return nil
	case yaml.SequenceNode:
		var names []string
		if err := v.Decode(&names); err != nil {
			return err
		}
		*n = names
		return nil
	}
	return fmt.Errorf("line %d: want a name or a list of names", v.Line)
}

// cutFrontMatter splits YAML front matter fenced by "---" lines from the
// body. Text without an opening fence, or without a closing one, is all
// body.
func cutFrontMatter(text string) (frontMatter, string, error) {
	var fm frontMatter
	lines := splitLines(text)
	if len(lines) == 0 || strings.TrimRight(lines[0], " \t") != "---" {
		return fm, text, nil
	}
	for i := 1; i < len(lines); i++ {
		fence := strings.TrimRight(lines[i], " \t")
		if fence != "---" && fence != "..." {
			continue
		}
		src := strings.Join(lines[1:i], "\n")
		if err := yaml.Unmarshal([]byte(src), &fm); err != nil {
			var te *yaml.TypeError
			if errors.As(err, &te) {
				return fm, "", fmt.Errorf("front matter: %s", strings.Join(te.Errors, "; "))
			}
			return fm, "", fmt.Errorf("front matter: %w", err)
		}
		return fm, strings.Join(lines[i+1:], "\n"), nil
	}
	return fm, text, nil
}

// dateLayouts are the date forms accepted in front matter and JSON lines.
var dateLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05",
	"2006-01-02 15:04:05Z07:00",
	"2006-01-02 15:04:05 Z07:00",
	"2006-01-02 15:04:05 -0700",
	"2006-01-02 15:04:05",
	"2006-01-02T15:04",
	"2006-01-02 15:04",
	"2006-01-02",
}

// parseDate parses s in one of dateLayouts; a time without a zone is UTC.
func parseDate(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	for _, layout := range dateLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("cannot read %q as a date (want 2006-01-02 or RFC 3339)", s)
}

// mdBlock is one block of a Markdown body with its lines joined.
type mdBlock struct {
	text    string
	heading int // 1–6 for a heading, else 0
}

var (
	mdATXHeading  = regexp.MustCompile(`^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$`)
	mdThematic    = regexp.MustCompile(`^ {0,3}(?:(?:\*[ \t]*){3,}|(?:-[ \t]*){3,}|(?:_[ \t]*){3,})$`)
	mdSetextH1    = regexp.MustCompile(`^ {0,3}=+[ \t]*$`)
	mdSetextH2    = regexp.MustCompile(`^ {0,3}-+[ \t]*$`)
	mdListItem    = regexp.MustCompile(`^[ \t]*(?:[-*+]|(\d{1,9})[.)])(?:[ \t]+|$)`)
	mdQuote       = regexp.MustCompile(`^ {0,3}>[ \t]?`)
	mdFence       = regexp.MustCompile("^ {0,3}(```+|~~~+)")
	mdLinkDef     = regexp.MustCompile(`^ {0,3}\[[^\]]+\]:[ \t]*\S+`)
	mdTableDivide = regexp.MustCompile(`^[ \t]*\|?[ \t]*:?-+:?[ \t]*(?:\|[ \t]*:?-+:?[ \t]*)+\|?[ \t]*$`)
)

// markdownBlocks splits a Markdown body into blocks.
func markdownBlocks(body string) []mdBlock {
	var (
		blocks  []mdBlock
		cur     []string
		inQuote bool
		inList  bool
		fence   string
	)
	flush := func() {
		if len(cur) > 0 {
			blocks = append(blocks, mdBlock{text: strings.Join(cur, " ")})
			cur = cur[:0]
		}
		inQuote, inList = false, false
	}
	for _, line := range splitLines(body) {
		if fence != "" {
			if strings.HasPrefix(strings.TrimLeft(line, " "), fence) {
				flush()
				fence = ""
				continue
			}
			// Code is kept as text but not as Markdown.
			cur = append(cur, escapeMarkdown(line))
			continue
		}
		if m := mdFence.FindStringSubmatch(line); m != nil {
			flush()
			fence = m[1]
			continue
		}
		if m := mdQuote.FindStringIndex(line); m != nil {
			if !inQuote {
				flush()
			}
			for m != nil { // nested quotes
				line = line[m[1]:]
				m = mdQuote.FindStringIndex(line)
			}
			if isBlank(line) {
				flush()
			}
			inQuote = true
		} else if inQuote && isBlank(line) {
			flush()
		}
		switch {
		case isBlank(line):
			flush()
		case len(cur) > 0 && !inQuote && mdSetextH1.MatchString(line):
			blocks = append(blocks, mdBlock{text: strings.Join(cur, " "), heading: 1})
			cur = cur[:0]
		case len(cur) > 0 && !inQuote && mdSetextH2.MatchString(line):
			blocks = append(blocks, mdBlock{text: strings.Join(cur, " "), heading: 2})
			cur = cur[:0]
		case mdThematic.MatchString(line), mdLinkDef.MatchString(line), mdTableDivide.MatchString(line):
			if !inQuote {
				flush()
			}
		default:
			if m := mdATXHeading.FindStringSubmatch(line); m != nil {
				flush()
				blocks = append(blocks, mdBlock{text: m[2], heading: len(m[1])})
				continue
			}
			// A list item starts a block, except that a number other
			// than 1 does not interrupt a paragraph: "in\n2026. The" is
			// a wrapped sentence, not a list.
			if m := mdListItem.FindStringSubmatchIndex(line); m != nil &&
				(len(cur) == 0 || inList || m[2] < 0 || line[m[2]:m[3]] == "1") {
				quote := inQuote
				flush()
				inQuote, inList = quote, true
				line = line[m[1]:]
			}
			cur = append(cur, strings.TrimSuffix(strings.TrimRight(line, " \t"), "\\"))
		}
	}
	flush()
	return blocks
}

var (
	mdImage     = regexp.MustCompile(`!\[[^\]]*\]\([^)]*\)`)
	mdLink      = regexp.MustCompile(`\[([^\]]*)\]\([^)]*\)`)
	mdRefLink   = regexp.MustCompile(`\[([^\]]+)\]\[[^\]]*\]`)
	mdAutolink  = regexp.MustCompile(`<((?:https?|mailto|ftp):[^<>\s]+)>`)
	mdCode      = regexp.MustCompile("`+([^`]+?)`+")
	mdStrong    = regexp.MustCompile(`\*\*(\S(?:.*?\S)?)\*\*`)
	mdStrongU   = regexp.MustCompile(`(^|[^\p{L}\p{N}_])__(\S(?:.*?\S)?)__($|[^\p{L}\p{N}_])`)
	mdEm        = regexp.MustCompile(`\*(\S(?:.*?\S)?)\*`)
	mdEmU       = regexp.MustCompile(`(^|[^\p{L}\p{N}_])_(\S(?:.*?\S)?)_($|[^\p{L}\p{N}_])`)
	mdStrike    = regexp.MustCompile(`~~(\S(?:.*?\S)?)~~`)
	mdHTMLTag   = regexp.MustCompile(`</?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?/?>|<!--.*?-->`)
	mdEscape    = regexp.MustCompile("\\\\([!-/:-@\\[-`{-~])")
	mdUnescaped = regexp.MustCompile("[\U000F0000-\U000F007F]")
)

// escapeMarkdown hides ASCII punctuation from the inline rules by moving it
// to a private use plane; markdownInline moves it back.
func escapeMarkdown(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x80 && strings.ContainsRune("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~", r) {
			return 0xF0000 + r
		}
		return r
	}, s)
}

// markdownInline reduces Markdown inline markup to plain text.
func markdownInline(s string) string {
	s = mdEscape.ReplaceAllStringFunc(s, func(m string) string {
		return string(rune(0xF0000 + rune(m[1])))
	})
	// Code spans are literal: protect their content first.
	s = mdCode.ReplaceAllStringFunc(s, func(m string) string {
		return escapeMarkdown(strings.Trim(m, "`"))
	})
	s = mdImage.ReplaceAllString(s, "")
	s = mdLink.ReplaceAllString(s, "$1")
	s = mdRefLink.ReplaceAllString(s, "$1")
	s = mdAutolink.ReplaceAllString(s, "$1")
	s = mdHTMLTag.ReplaceAllString(s, " ")
	s = mdStrong.ReplaceAllString(s, "$1")
	s = mdStrongU.ReplaceAllString(s, "$1$2$3")
	s = mdStrike.ReplaceAllString(s, "$1")
	s = mdEm.ReplaceAllString(s, "$1")
	s = mdEmU.ReplaceAllString(s, "$1$2$3")
	s = mdUnescaped.ReplaceAllStringFunc(s, func(m string) string {
		r := []rune(m)[0]
		return string(r - 0xF0000)
	})
	return html.UnescapeString(s)
}
