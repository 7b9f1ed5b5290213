package slack

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/slack-go/slack"

	"github.com/byline-bot/byline/adapters/chat"
	"github.com/byline-bot/byline/answer"
	"github.com/byline-bot/byline/knowledge"
)

const (
	// MaxSection is the most characters Slack accepts in a section
	// block's text (and in a context element's).
	MaxSection = 3000
	// MaxBlocks is the most blocks Slack accepts in one message.
	MaxBlocks = 50
	// MaxMessageText is the most characters of answer text the bot puts
	// in one message. Slack takes more, but recommends at most 4,000 for
	// a message to read well, and longer ones are folded behind "Show
	// more".
	MaxMessageText = 4000
	// MaxBlocksText is the most characters of block text the bot puts in
	// one message. Slack refuses a message whose blocks hold much more
	// than about 12,000 (msg_blocks_too_long), a limit it does not
	// document; an answer with many long sources would reach it.
	MaxBlocksText = 11000
)

// noAnswer stands in for an answer with no text, which Slack would refuse
// to post.
const noAnswer = "I couldn't put an answer together from the articles I have."

// Message is one Slack message: Block Kit blocks, and the plain text Slack
// shows where blocks cannot be (notifications, some clients).
type Message struct {
	Text   string        `json:"text"`
	Blocks []slack.Block `json:"blocks"`
}

// part is one block with its share of the fallback text.
type part struct {
	block slack.Block
	plain string
}

// Render turns an answer into the Slack messages that carry it, in order.
// The answer's Markdown becomes mrkdwn in section blocks of at most
// MaxSection characters; each message holds at most MaxMessageText
// characters of the answer, cut at paragraph or sentence boundaries
// (chat.Split), never between a claim and its [n] marker, and is followed
// by a context block for each source that its own part cites:
//
//	[1] <https://…|Title> — Outlet, 2 Jan 2006, ¶3 · `article-id#3`
//	“the supporting sentence”
//
// An abstention is plain text without sources. Nothing in the answer or
// the sources' metadata can ping anyone or become a link the bot did not
// write: see toMrkdwn.
func Render(a answer.Answer) []Message {
	md := strings.TrimSpace(a.Text)
	if md == "" {
		return RenderText(noAnswer)
	}
	if note := strings.TrimSpace(a.Note); note != "" && !a.Abstained {
		// Why the answer is quoted rather than written (the model is
		// down, today's budget is spent), as the console says too.
		md += "\n\n_(" + note + ")_"
	}
	byN := make(map[int]answer.Citation, len(a.Citations))
	if !a.Abstained {
		for _, c := range a.Citations {
			byN[c.N] = c
		}
	}
	var out []Message
	for _, piece := range chat.Split(md, MaxMessageText) {
		parts := sections(piece, toMrkdwn, toPlain)
		for _, n := range chat.Cited(piece) {
			if c, ok := byN[n]; ok {
				parts = append(parts, sourcePart(c))
			}
		}
		out = append(out, visible(pack(parts))...)
	}
	if len(out) == 0 {
		return RenderText(noAnswer)
	}
	return out
}

// visible drops messages with nothing to read, such as an empty code
// block alone: no fallback text, which Slack would show as a blank.
func visible(ms []Message) []Message {
	out := ms[:0]
	for _, m := range ms {
		if strings.TrimSpace(m.Text) != "" {
			out = append(out, m)
		}
	}
	return out
}

// RenderText turns Markdown without sources (a notice, a digest) into
// messages, like Render.
func RenderText(md string) []Message {
	var out []Message
	for _, piece := range chat.Split(md, MaxMessageText) {
		out = append(out, visible(pack(sections(piece, toMrkdwn, toPlain)))...)
	}
	if len(out) == 0 && md != noAnswer {
		return RenderText(noAnswer)
	}
	return out
}

// RenderProgress is the message shown while a language model writes the
// answer: the text so far, marked as unfinished, in one section.
func RenderProgress(partial string) Message {
	const more = " …"
	md := strings.TrimSpace(partial)
	for n := MaxSection; ; n /= 2 {
		if runeLen(md) > n {
			md = string([]rune(md)[:n])
		}
		s := toMrkdwn(md)
		if size(s)+size(more) <= MaxSection || n < 20 {
			p := toPlain(md) + more
			if s == "" {
				s, p = "…", "…"
			} else {
				s += more
			}
			return Message{Text: p, Blocks: []slack.Block{section(clipSize(s, MaxSection))}}
		}
	}
}

// RenderSearch lists the paragraphs a search found, each with its article,
// a link, an excerpt and the id `/byline source` takes.
func RenderSearch(query string, ps []knowledge.Passage) []Message {
	q := literal(clip(strings.Join(strings.Fields(query), " "), 200))
	if len(ps) == 0 {
		s := "No stored paragraph matches “" + q + "”."
		return pack([]part{{section(s), s}})
	}
	head := "Paragraphs matching “" + q + "”:"
	parts := []part{{section(head), head}}
	for i, p := range ps {
		desc := describe(p.Title, p.Source, p.Published, p.Paragraph)
		excerpt := literal(clip(strings.Join(strings.Fields(p.Text), " "), 300))
		md := fmt.Sprintf("*%d.* %s · `%s`\n> %s", i+1, titled(desc, p.URL), refText(p.Ref()), excerpt)
		txt := fmt.Sprintf("%d. %s%s · %s\n> %s", i+1, desc, plainURL(p.URL), refText(p.Ref()), excerpt)
		parts = append(parts, part{section(clipSize(md, MaxSection)), txt})
	}
	return pack(parts)
}

// RenderSource shows one stored paragraph in full, under its article's
// title, outlet, date and link.
func RenderSource(p knowledge.Passage) []Message {
	desc := describe(p.Title, p.Source, p.Published, p.Paragraph)
	head := "*" + desc + "* · `" + refText(p.Ref()) + "`"
	txt := desc + " · " + refText(p.Ref())
	if u := safeURL(p.URL); u != "" {
		head += "\n" + slackLink(u, "")
		txt += "\n" + escape(u)
	}
	var out []Message
	for i, piece := range chat.Split(p.Text, MaxMessageText) {
		parts := sections(piece, literal, literal)
		if i == 0 {
			parts = append([]part{{section(clipSize(head, MaxSection)), txt}}, parts...)
		}
		out = append(out, pack(parts)...)
	}
	if len(out) == 0 {
		out = pack([]part{{section(clipSize(head, MaxSection)), txt}})
	}
	return out
}

// sections converts a piece of text with conv (and its fallback with
// plainConv) into section blocks of at most MaxSection characters,
// cutting it smaller where conversion makes it longer (escaping & as
// &amp;, say).
func sections(piece string, conv, plainConv func(string) string) []part {
	var out []part
	var add func(s string, max int)
	add = func(s string, max int) {
		for _, p := range chat.Split(s, max) {
			m := conv(p)
			if size(m) > MaxSection && max > 20 {
				add(p, max/2)
				continue
			}
			if strings.TrimSpace(m) == "" {
				continue
			}
			out = append(out, part{section(clipSize(m, MaxSection)), plainConv(p)})
		}
	}
	add(piece, MaxSection)
	return out
}

// pack makes messages of parts: one, unless there are more than
// MaxBlocks or their text passes MaxBlocksText.
func pack(parts []part) []Message {
	var out []Message
	for len(parts) > 0 {
		m := Message{}
		var texts []string
		total, n := 0, 0
		for n < len(parts) && n < MaxBlocks {
			sz := blockChars(parts[n].block)
			if n > 0 && total+sz > MaxBlocksText {
				break
			}
			total += sz
			m.Blocks = append(m.Blocks, parts[n].block)
			texts = append(texts, parts[n].plain)
			n++
		}
		m.Text = strings.Join(texts, "\n\n")
		out = append(out, m)
		parts = parts[n:]
	}
	return out
}

// blockChars is how many characters of text a block holds.
func blockChars(b slack.Block) int {
	switch b := b.(type) {
	case *slack.SectionBlock:
		if b.Text != nil {
			return size(b.Text.Text)
		}
	case *slack.ContextBlock:
		n := 0
		for _, e := range b.ContextElements.Elements {
			if t, ok := e.(*slack.TextBlockObject); ok {
				n += size(t.Text)
			}
		}
		return n
	}
	return 0
}

// section is a section block of mrkdwn. Verbatim keeps Slack from
// linking or parsing anything the bot did not mark up itself.
func section(mrkdwnText string) *slack.SectionBlock {
	return slack.NewSectionBlock(slack.NewTextBlockObject(slack.MarkdownType, mrkdwnText, false, true), nil, nil)
}

// sourcePart is the context block of one source.
func sourcePart(c answer.Citation) part {
	desc := describe(c.Title, c.Source, c.Published, c.Paragraph)
	md := fmt.Sprintf("[%d] %s", c.N, titled(desc, c.URL))
	txt := fmt.Sprintf("[%d] %s%s", c.N, desc, plainURL(c.URL))
	if c.ArticleID != "" && c.Paragraph > 0 {
		md += " · `" + refText(c.Ref()) + "`"
		txt += " · " + refText(c.Ref())
	}
	if q := c.ShownQuote(); q != "" {
		q = "“" + literal(clip(unmention(q), 200)) + "”"
		md += "\n" + q
		txt += "\n" + q
	}
	el := slack.NewTextBlockObject(slack.MarkdownType, clipSize(md, MaxSection), false, true)
	return part{slack.NewContextBlock("", el), txt}
}

// describe is "Title — Outlet, 2 Jan 2006, ¶3", leaving out what is
// unknown, escaped to show as written.
func describe(title, source string, published time.Time, paragraph int) string {
	title = clip(strings.Join(strings.Fields(title), " "), 150)
	if title == "" {
		title = "Untitled"
	}
	var parts []string
	if source = strings.Join(strings.Fields(source), " "); source != "" {
		parts = append(parts, literal(clip(source, 80)))
	}
	if !published.IsZero() {
		parts = append(parts, published.UTC().Format("2 Jan 2006"))
	}
	if paragraph > 0 {
		parts = append(parts, fmt.Sprintf("¶%d", paragraph))
	}
	if len(parts) == 0 {
		return literal(title)
	}
	return literal(title) + " — " + strings.Join(parts, ", ")
}

// titled links the title part of a description (up to " — ") to raw, if
// raw is a URL fit to link.
func titled(desc, raw string) string {
	u := safeURL(raw)
	if u == "" {
		return desc
	}
	title, rest, found := strings.Cut(desc, " — ")
	if !found {
		return slackLink(u, desc)
	}
	return slackLink(u, title) + " — " + rest
}

// plainURL is " url" for the fallback text, or "".
func plainURL(raw string) string {
	if u := safeURL(raw); u != "" {
		return " " + escape(u)
	}
	return ""
}

// clip shortens s to at most n runes, with an ellipsis.
func clip(s string, n int) string {
	s = strings.TrimSpace(s)
	if runeLen(s) <= n {
		return s
	}
	return strings.TrimSpace(string([]rune(s)[:n-1])) + "…"
}

// size is a text's length as Slack counts it for its limits; UTF-16 code
// units, which is never less than the characters.
func size(s string) int {
	n := 0
	for _, r := range s {
		if l := utf16.RuneLen(r); l > 0 {
			n += l
		} else {
			n++
		}
	}
	return n
}

// clipSize cuts mrkdwn to at most max (by size), never inside a <…> link
// or an &…; entity. Only text that conversion blew up many times over
// reaches it.
func clipSize(s string, max int) string {
	if size(s) <= max {
		return s
	}
	rs := []rune(s)
	n := 0
	cut := 0
	for i, r := range rs {
		if n+utf16.RuneLen(r) > max-1 {
			break
		}
		n += utf16.RuneLen(r)
		cut = i + 1
	}
	out := string(rs[:cut])
	if i := strings.LastIndexByte(out, '<'); i >= 0 && !strings.Contains(out[i:], ">") {
		out = out[:i]
	}
	if i := strings.LastIndexByte(out, '&'); i >= 0 && !strings.Contains(out[i:], ";") {
		out = out[:i]
	}
	return out + "…"
}

func runeLen(s string) int { return utf8.RuneCountInString(s) }

// refText writes a paragraph id to be copied into /byline source: escaped
// for Slack, but with its underscores and other marks as they are, since
// it stands in a code span, where Slack formats nothing.
func refText(ref string) string {
	return strings.ReplaceAll(escape(strings.ToValidUTF8(ref, "\uFFFD")), "`", "ˋ")
}
