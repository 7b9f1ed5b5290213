package ingest

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	gmext "github.com/yuin/goldmark/extension"
	east "github.com/yuin/goldmark/extension/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
	"go.abhg.dev/goldmark/frontmatter"
	"go.yaml.in/yaml/v3"

	"github.com/byline-bot/byline/knowledge"
)

// ParseMarkdown parses a Markdown article. name becomes the article's Ref.
//
// Optional YAML front matter, opened by a line of three or more dashes on
// the first line and closed by the same line, may set title, source, url,
// author (a name or a list of names), published (or date: 2026-03-14,
// RFC 3339, or "2026-03-14 09:30"), language and id. Unknown keys are
// ignored. An opening line that is never closed is body text.
//
// The body is read as CommonMark with GitHub's tables and strikethrough.
// Its paragraphs are its blocks: paragraphs, list items, block quotes,
// headings, table rows and code blocks. Markup is reduced to plain text:
// links keep their text, images are dropped, emphasis and code markers and
// inline HTML tags are removed, and HTML blocks keep only their text. A
// level-one heading opening the body is the title when the front matter
// has none, and is dropped when it repeats the front matter's title.
// Without either, the title is derived from the first sentence as for
// plain text.
func ParseMarkdown(name string, data []byte) (knowledge.Article, error) {
	text, err := decodeText(data)
	if err != nil {
		return knowledge.Article{}, err
	}
	fm, src, doc, err := parseMarkdown(text)
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

	for i, b := range markdownBlocks(src, doc) {
		p := normalizeParagraph(b.text)
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

// rawFrontMatter receives the front matter's text undecoded: only
// decodeFrontMatter knows it, so the extension's Decode hands it over.
type rawFrontMatter []byte

// decodeFrontMatter decodes YAML front matter for the frontmatter
// extension, with the YAML package whose Unmarshaler namesYAML implements.
func decodeFrontMatter(src []byte, v any) error {
	if raw, ok := v.(*rawFrontMatter); ok {
		*raw = src
		return nil
	}
	return yaml.Unmarshal(src, v)
}

var (
	// mdExtensions are the GitHub additions to CommonMark that articles
	// written on GitHub-flavoured editors use.
	mdExtensions = []goldmark.Extender{gmext.Table, gmext.Strikethrough}
	// mdParser reads front matter and body.
	mdParser = goldmark.New(goldmark.WithExtensions(append(mdExtensions, &frontmatter.Extender{
		Formats: []frontmatter.Format{{Name: "YAML", Delim: '-', Unmarshal: decodeFrontMatter}},
	})...)).Parser()
	// mdBodyParser reads a document whose opening fence is never closed,
	// which is all body.
	mdBodyParser = goldmark.New(goldmark.WithExtensions(mdExtensions...)).Parser()
)

// parseMarkdown parses doc into its front matter and the body's syntax
// tree, which refers to src.
func parseMarkdown(doc string) (frontMatter, []byte, ast.Node, error) {
	var fm frontMatter
	// CommonMark ends lines at "\r" too, which goldmark does not.
	if strings.IndexByte(doc, '\r') >= 0 {
		doc = strings.Join(splitLines(doc), "\n")
	}
	src := []byte(doc)
	ctx := parser.NewContext()
	root := mdParser.Parse(text.NewReader(src), parser.WithContext(ctx))
	data := frontmatter.Get(ctx)
	if data == nil {
		return fm, src, root, nil
	}
	var raw rawFrontMatter
	if err := data.Decode(&raw); err != nil {
		return fm, nil, nil, fmt.Errorf("front matter: %w", err)
	}
	// The extension takes an unclosed fence to run to the end: then the
	// raw text is everything after the opening line.
	opening := len(src)
	if i := strings.IndexByte(doc, '\n'); i >= 0 {
		opening = i + 1
	}
	if opening+len(raw) == len(src) {
		return fm, src, mdBodyParser.Parse(text.NewReader(src)), nil
	}
	if err := data.Decode(&fm); err != nil {
		var te *yaml.TypeError
		if errors.As(err, &te) {
			return fm, nil, nil, fmt.Errorf("front matter: %s", strings.Join(te.Errors, "; "))
		}
		return fm, nil, nil, fmt.Errorf("front matter: %w", err)
	}
	return fm, src, root, nil
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

// mdBlock is one block of a Markdown body as plain text.
type mdBlock struct {
	text    string
	heading int // 1–6 for a heading, else 0
}

// markdownBlocks returns the blocks of a parsed Markdown body in order.
// Containers (lists, items, block quotes) give their blocks, not one of
// their own.
func markdownBlocks(src []byte, doc ast.Node) []mdBlock {
	var blocks []mdBlock
	var walk func(n ast.Node)
	walk = func(n ast.Node) {
		for c := n.FirstChild(); c != nil; c = c.NextSibling() {
			switch c := c.(type) {
			case *ast.Heading:
				blocks = append(blocks, mdBlock{text: inlineText(src, c), heading: c.Level})
			case *ast.Paragraph, *ast.TextBlock:
				blocks = append(blocks, mdBlock{text: inlineText(src, c)})
			case *ast.CodeBlock, *ast.FencedCodeBlock:
				// Code is kept as text, literally.
				blocks = append(blocks, mdBlock{text: string(blockLines(src, c))})
			case *ast.HTMLBlock:
				raw := blockLines(src, c)
				if c.HasClosure() {
					raw = append(raw, c.ClosureLine.Value(src)...)
				}
				for _, p := range htmlFragmentParagraphs(string(raw)) {
					blocks = append(blocks, mdBlock{text: p})
				}
			case *east.TableHeader, *east.TableRow:
				var cells []string
				for cell := c.FirstChild(); cell != nil; cell = cell.NextSibling() {
					cells = append(cells, strings.TrimSpace(inlineText(src, cell)))
				}
				blocks = append(blocks, mdBlock{text: strings.Join(cells, " | ")})
			default:
				// Documents, lists, items, quotes and tables hold blocks;
				// thematic breaks hold nothing.
				walk(c)
			}
		}
	}
	walk(doc)
	return blocks
}

// blockLines returns the raw lines of a code or HTML block.
func blockLines(src []byte, n ast.Node) []byte {
	var b []byte
	lines := n.Lines()
	for i := 0; i < lines.Len(); i++ {
		seg := lines.At(i)
		b = append(b, seg.Value(src)...)
	}
	return b
}

// inlineText returns the plain text of n's inline children: line breaks
// become spaces, links their text, inline HTML a space, and images
// nothing.
func inlineText(src []byte, n ast.Node) string {
	var b strings.Builder
	var walk func(n ast.Node)
	walk = func(n ast.Node) {
		for c := n.FirstChild(); c != nil; c = c.NextSibling() {
			switch c := c.(type) {
			case *ast.Text:
				v := c.Segment.Value(src)
				if !c.IsRaw() {
					v = util.ResolveEntityNames(util.ResolveNumericReferences(util.UnescapePunctuations(v)))
				}
				b.Write(v)
				if c.SoftLineBreak() || c.HardLineBreak() {
					b.WriteByte(' ')
				}
			case *ast.String:
				b.Write(c.Value)
			case *ast.CodeSpan:
				// A code span's text is literal: its children are raw.
				walk(c)
			case *ast.AutoLink:
				b.Write(c.Label(src))
			case *ast.RawHTML:
				b.WriteByte(' ')
			case *ast.Image:
			default:
				walk(c)
			}
		}
	}
	walk(n)
	return b.String()
}
