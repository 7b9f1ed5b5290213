package slack

import (
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	east "github.com/yuin/goldmark/extension/ast"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// markdown parses the Markdown answers are written in: CommonMark, with
// strikethrough and bare URLs made links.
var markdown = goldmark.New(goldmark.WithExtensions(extension.Strikethrough, extension.Linkify)).Parser()

// style is what the converter writes.
type style int

const (
	// mrkdwn is Slack's own markup, for section and context blocks.
	mrkdwn style = iota
	// plain is the fallback text of a message (notifications, screen
	// readers): the same words without emphasis, links written out.
	plain
)

// toMrkdwn converts Markdown into Slack mrkdwn. Only the markup it writes
// itself means anything to Slack: every &, < and > of the text is escaped,
// so nothing in it can become a mention, a link or a special command such
// as <!channel>, and the characters mrkdwn formats with (* _ ~ `) are
// replaced by look-alikes where they are literal text.
func toMrkdwn(md string) string { return convert(md, mrkdwn) }

// toPlain converts Markdown into the plain fallback text of a message,
// escaped the same way.
func toPlain(md string) string { return convert(md, plain) }

func convert(md string, st style) string {
	md = unmention(md)
	src := []byte(strings.ToValidUTF8(md, "\uFFFD"))
	doc := markdown.Parse(text.NewReader(src))
	c := &converter{src: src, style: st}
	var b strings.Builder
	c.blocks(&b, doc, "")
	return strings.TrimSpace(settleCloseMarks(strings.ReplaceAll(b.String(), closeMark+closeMark, closeMark)))
}

// converter walks a parsed document.
type converter struct {
	src   []byte
	style style
}

// blocks writes the block children of n, separated by blank lines, each
// line after the first prefixed with indent.
func (c *converter) blocks(b *strings.Builder, n ast.Node, indent string) {
	first := true
	for ch := n.FirstChild(); ch != nil; ch = ch.NextSibling() {
		var part strings.Builder
		c.block(&part, ch, indent)
		s := strings.TrimRight(part.String(), "\n ")
		if strings.TrimSpace(s) == "" {
			continue
		}
		if !first {
			sep := "\n\n"
			if tightList(n) {
				sep = "\n"
			}
			b.WriteString(sep + indent)
		}
		first = false
		b.WriteString(s)
	}
}

// tightList reports whether n is a list item of a tight list, whose
// paragraphs are not separated by blank lines.
func tightList(n ast.Node) bool {
	if _, ok := n.(*ast.ListItem); !ok {
		return false
	}
	l, ok := n.Parent().(*ast.List)
	return ok && l.IsTight
}

// block writes one block node.
func (c *converter) block(b *strings.Builder, n ast.Node, indent string) {
	switch n := n.(type) {
	case *ast.Paragraph, *ast.TextBlock:
		b.WriteString(indentLines(c.inlines(n), indent))
	case *ast.Heading:
		s := c.inlines(n)
		if c.style == mrkdwn && strings.TrimSpace(s) != "" {
			s = "*" + strings.TrimSpace(s) + "*"
		}
		b.WriteString(indentLines(s, indent))
	case *ast.ThematicBreak:
		b.WriteString("───")
	case *ast.CodeBlock, *ast.FencedCodeBlock:
		code := strings.TrimRight(c.lines(n), "\n")
		code = strings.ReplaceAll(escape(code), "`", "ˋ")
		if c.style == mrkdwn {
			code = "```\n" + code + "\n```"
		}
		b.WriteString(indentLines(code, indent))
	case *ast.HTMLBlock:
		s := c.lines(n)
		if n.HasClosure() {
			s += string(n.ClosureLine.Value(c.src))
		}
		b.WriteString(indentLines(literal(strings.TrimRight(s, "\n")), indent))
	case *ast.Blockquote:
		var inner strings.Builder
		c.blocks(&inner, n, "")
		lines := strings.Split(inner.String(), "\n")
		for i, l := range lines {
			lines[i] = "> " + l
		}
		b.WriteString(indentLines(strings.Join(lines, "\n"), indent))
	case *ast.List:
		i := n.Start
		first := true
		for item := n.FirstChild(); item != nil; item = item.NextSibling() {
			marker := "• "
			if n.IsOrdered() {
				marker = strconv.Itoa(i) + ". "
				i++
			}
			var inner strings.Builder
			c.blocks(&inner, item, indent+"    ")
			if !first {
				sep := "\n"
				if !n.IsTight {
					sep = "\n\n"
				}
				b.WriteString(sep + indent)
			}
			first = false
			b.WriteString(marker + inner.String())
		}
	default:
		// Link reference definitions and the like show nothing; any
		// other container shows its children.
		if n.Type() == ast.TypeBlock && n.HasChildren() {
			c.blocks(b, n, indent)
		}
	}
}

// indentLines prefixes every line of s after the first with indent.
func indentLines(s, indent string) string {
	if indent == "" {
		return s
	}
	return strings.ReplaceAll(s, "\n", "\n"+indent)
}

// lines returns a block's raw lines.
func (c *converter) lines(n ast.Node) string {
	var b strings.Builder
	ls := n.Lines()
	for i := 0; i < ls.Len(); i++ {
		seg := ls.At(i)
		b.Write(seg.Value(c.src))
	}
	return b.String()
}

// inlines renders the inline children of n.
func (c *converter) inlines(n ast.Node) string {
	var b strings.Builder
	for ch := n.FirstChild(); ch != nil; ch = ch.NextSibling() {
		c.inline(&b, ch)
	}
	return b.String()
}

// inline writes one inline node.
func (c *converter) inline(b *strings.Builder, n ast.Node) {
	switch n := n.(type) {
	case *ast.Text:
		b.WriteString(literal(resolve(n.Segment.Value(c.src))))
		switch {
		case n.HardLineBreak(), n.SoftLineBreak():
			b.WriteString("\n")
		}
	case *ast.String:
		b.WriteString(literal(string(n.Value)))
	case *ast.CodeSpan:
		var code strings.Builder
		for ch := n.FirstChild(); ch != nil; ch = ch.NextSibling() {
			switch t := ch.(type) {
			case *ast.Text:
				code.Write(t.Segment.Value(c.src))
			case *ast.String:
				code.Write(t.Value)
			}
		}
		s := strings.ReplaceAll(escape(strings.ReplaceAll(code.String(), "\n", " ")), "`", "ˋ")
		if strings.TrimSpace(s) == "" {
			b.WriteString(s)
			return
		}
		if c.style == mrkdwn {
			s = "`" + s + "`"
		}
		b.WriteString(s)
	case *ast.Emphasis:
		c.wrap(b, c.inlines(n), map[int]string{1: "_", 2: "*"}[min(n.Level, 2)])
	case *east.Strikethrough:
		c.wrap(b, c.inlines(n), "~")
	case *ast.Link:
		c.link(b, resolve(n.Destination), c.label(n))
	case *ast.Image:
		c.link(b, resolve(n.Destination), c.label(n))
	case *ast.AutoLink:
		u := string(n.URL(c.src))
		if n.AutoLinkType == ast.AutoLinkEmail && !strings.HasPrefix(strings.ToLower(u), "mailto:") {
			u = "mailto:" + u
		}
		if strings.HasPrefix(strings.ToLower(u), "www.") {
			u = "https://" + u
		}
		c.link(b, u, literal(string(n.Label(c.src))))
	case *ast.RawHTML:
		var raw strings.Builder
		for i := 0; i < n.Segments.Len(); i++ {
			seg := n.Segments.At(i)
			raw.Write(seg.Value(c.src))
		}
		b.WriteString(literal(raw.String()))
	default:
		b.WriteString(c.inlines(n))
	}
}

// wrap writes s between mrkdwn markers, which Slack honours only next to
// non-space characters: the spaces go outside.
func (c *converter) wrap(b *strings.Builder, s, marker string) {
	core := strings.TrimSpace(s)
	if c.style == plain || core == "" || strings.Contains(core, "\n") {
		b.WriteString(s)
		return
	}
	lead := s[:len(s)-len(strings.TrimLeft(s, " \t"))]
	trail := s[len(strings.TrimRight(s, " \t")):]
	// Slack formats *x* only at word boundaries: inside a word
	// ("foo**bar**baz") a zero-width space makes one. What follows is not
	// written yet, so the closing side is marked and settled in convert.
	if lead == "" {
		if r, _ := utf8.DecodeLastRuneInString(b.String()); unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteString(zeroWidthSpace)
		}
	}
	b.WriteString(lead + marker + core + marker)
	if trail == "" {
		b.WriteString(closeMark)
	}
	b.WriteString(trail)
}

const (
	zeroWidthSpace = "\u200B"
	// closeMark follows a closing emphasis marker until convert knows
	// whether a word goes on right after it.
	closeMark = "\uE000"
)

// settleCloseMarks turns each closeMark into a zero-width space where a
// letter or digit follows, and drops the rest.
func settleCloseMarks(s string) string {
	if !strings.Contains(s, closeMark) {
		return s
	}
	var b strings.Builder
	for {
		i := strings.Index(s, closeMark)
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		b.WriteString(s[:i])
		s = s[i+len(closeMark):]
		if r, _ := utf8.DecodeRuneInString(s); unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteString(zeroWidthSpace)
		}
	}
}

// label is a link's text, without markup: Slack shows a link's label as
// it is.
func (c *converter) label(n ast.Node) string {
	p := &converter{src: c.src, style: plain}
	return strings.Join(strings.Fields(p.inlines(n)), " ")
}

// link writes a link to raw with the (escaped) label, or only the label
// when raw is not a URL people can safely follow.
func (c *converter) link(b *strings.Builder, raw, label string) {
	u := safeURL(raw)
	if u == "" {
		b.WriteString(label)
		return
	}
	if c.style == plain {
		shown := escape(u)
		if label == "" || label == shown || label == literal(u) {
			b.WriteString(shown)
		} else {
			b.WriteString(label + " (" + shown + ")")
		}
		return
	}
	if label == literal(u) || label == escape(u) {
		label = ""
	}
	b.WriteString(slackLink(u, label))
}

// slackLink is mrkdwn's <url|label> for a URL checked by safeURL and an
// escaped label.
func slackLink(u, label string) string {
	label = strings.ReplaceAll(label, "|", "¦")
	if label == "" {
		return "<" + escape(u) + ">"
	}
	return "<" + escape(u) + "|" + label + ">"
}

// safeURL returns raw as an http, https or mailto URL fit to sit inside
// Slack's <…> link syntax, or "" if it is none of those.
func safeURL(raw string) string {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		return ""
	}
	switch strings.ToLower(u.Scheme) {
	case "http", "https":
		if u.Host == "" {
			return ""
		}
	case "mailto":
		if u.Opaque == "" {
			return ""
		}
	default:
		return ""
	}
	s := u.String()
	if !utf8.ValidString(s) {
		return "" // mangled in storage or at the source: no link is better
	}
	// Characters that would end or split Slack's link syntax.
	s = strings.NewReplacer("|", "%7C", "<", "%3C", ">", "%3E", " ", "%20", "\n", "", "\r", "", "\t", "").Replace(s)
	if len(escape(s)) > 1000 {
		return "" // not worth a link; nor room for it in a block
	}
	return s
}

// resolve turns Markdown's backslash escapes and character references into
// the characters they stand for (which literal then escapes for Slack).
func resolve(b []byte) string {
	b = util.UnescapePunctuations(b)
	b = util.ResolveNumericReferences(b)
	b = util.ResolveEntityNames(b)
	return string(b)
}

// spacedMarkup matches Slack's mention markup, with the spaces before
// it: <!channel>, <!here>, <!subteam^S1|team>, <@U123>, <@W1|bob> (and
// Discord's <@123>, <@&1>). A model or an article may write it; it is
// removed before the text is converted, so "ask <@U1> now" reads "ask
// now", as the text without it would.
var spacedMarkup = regexp.MustCompile(`[ \t]*<[!@][^<>\s]*>`)

// unmention removes the mention markup of s (see spacedMarkup).
func unmention(s string) string { return spacedMarkup.ReplaceAllString(s, "") }

// escaper escapes Slack's three control characters.
var escaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

// escape escapes Slack's control characters, which is what keeps text
// from becoming <!channel>, <@U123> or a link.
func escape(s string) string { return escaper.Replace(s) }

// lookalikes replace the characters mrkdwn formats with, in text meant
// literally (Slack has no backslash escape).
var lookalikes = strings.NewReplacer("*", "∗", "_", "ˍ", "~", "∼", "`", "ˋ")

// broadcasts are the words Slack turns into @channel, @here and
// @everyone pings when a message is sent with link_names, which this bot
// never does; defang defuses them all the same.
var broadcasts = []string{"channel", "here", "everyone"}

// defang puts a word joiner after the @ of a broadcast word, in any case,
// so it stays a plain word whatever Slack's parsing.
func defang(s string) string {
	if !strings.Contains(s, "@") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		b.WriteByte(s[i])
		if s[i] != '@' {
			continue
		}
		rest := strings.ToLower(s[i+1:])
		for _, w := range broadcasts {
			if strings.HasPrefix(rest, w) {
				b.WriteString("\u2060")
				break
			}
		}
	}
	return b.String()
}

// literal makes text show as written: escaped, formatting characters
// replaced, broadcast words defanged.
func literal(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	return defang(lookalikes.Replace(escape(s)))
}
