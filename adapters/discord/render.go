package discord

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/byline-bot/byline/adapters/chat"
	"github.com/byline-bot/byline/answer"
	"github.com/byline-bot/byline/knowledge"
)

// MaxMessage is the most characters Discord accepts in one message's
// content.
const MaxMessage = 2000

// noAnswer stands in for an answer with no text, which Discord would refuse
// to post.
const noAnswer = "I couldn't put an answer together from the articles I have."

// Render turns an answer into the contents of the Discord messages that
// carry it, in order, each at most MaxMessage characters. The text keeps its
// [n] markers; each message ends with the numbered sources that its own
// part of the text cites, one a line:
//
//	[1] Title — Outlet, 2 Jan 2006, ¶3 <https://…> · `article-id#3`
//
// Links are in angle brackets so Discord does not unfurl them, and the
// paragraph id at the end is what /source takes. A long answer is cut at
// paragraph or sentence boundaries (chat.Split), never inside a citation
// marker or a code block. An abstention is plain text without sources.
func Render(a answer.Answer) []string {
	text := defuse(strings.TrimSpace(a.Text))
	if text == "" {
		return []string{noAnswer}
	}
	if note := strings.TrimSpace(a.Note); note != "" && !a.Abstained {
		// Why the answer is quoted rather than written (the model is
		// down, today's budget is spent), as the console says too.
		text += "\n\n*(" + escape(note) + ")*"
	}
	if a.Abstained || len(a.Citations) == 0 {
		return chat.Split(text, MaxMessage)
	}
	byN := make(map[int]answer.Citation, len(a.Citations))
	for _, c := range a.Citations {
		byN[c.N] = c
	}
	var out []string
	for _, piece := range chat.Split(text, MaxMessage) {
		out = append(out, withSources(piece, byN)...)
	}
	return out
}

// withSources appends to piece the sources it cites, cutting piece further
// when the two together are too long for one message.
func withSources(piece string, byN map[int]answer.Citation) []string {
	src := sources(chat.Cited(piece), byN)
	if src == "" {
		return []string{piece}
	}
	if msg := piece + "\n\n" + src; runeLen(msg) <= MaxMessage {
		return []string{msg}
	}
	// Each smaller piece cites a subset of these sources, so it fits
	// beside them.
	if room := MaxMessage - runeLen(src) - 2; room >= 200 {
		var out []string
		for _, p := range chat.Split(piece, room) {
			out = append(out, withSources(p, byN)...)
		}
		return out
	}
	// So many sources that they need messages of their own.
	return append([]string{piece}, chat.Split(strings.ReplaceAll(src, "\n", "\n\n"), MaxMessage)...)
}

// sources is the block of source lines for the citation numbers ns; numbers
// with no citation are skipped.
func sources(ns []int, byN map[int]answer.Citation) string {
	var lines []string
	for _, n := range ns {
		c, ok := byN[n]
		if !ok {
			continue
		}
		lines = append(lines, sourceLine(c))
	}
	return strings.Join(lines, "\n")
}

// sourceLine is one numbered source.
func sourceLine(c answer.Citation) string {
	line := fmt.Sprintf("[%d] %s", c.N, describe(c.Title, c.Source, c.Published, c.Paragraph))
	if u := link(c.URL); u != "" {
		line += " " + u
	}
	if c.ArticleID != "" && c.Paragraph > 0 {
		line += " · `" + c.Ref() + "`"
	}
	return line
}

// describe is "Title — Outlet, 2 Jan 2006, ¶3", leaving out what is
// unknown; the title and outlet are escaped so they show as written.
func describe(title, source string, published time.Time, paragraph int) string {
	// Escaped, mention markup shows as written and mentions no one.
	title = clip(strings.Join(strings.Fields(defusePings(title)), " "), 150)
	if title == "" {
		title = "Untitled"
	}
	parts := []string{}
	if source = strings.TrimSpace(source); source != "" {
		parts = append(parts, escape(clip(defusePings(source), 80)))
	}
	if !published.IsZero() {
		parts = append(parts, published.UTC().Format("2 Jan 2006"))
	}
	if paragraph > 0 {
		parts = append(parts, fmt.Sprintf("¶%d", paragraph))
	}
	if len(parts) == 0 {
		return escape(title)
	}
	return escape(title) + " — " + strings.Join(parts, ", ")
}

// link returns an http(s) URL in angle brackets, which Discord shows as a
// link without a preview; anything else gives "".
func link(raw string) string {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return ""
	}
	s := u.String() // escapes spaces; '>' is escaped below
	s = strings.NewReplacer(">", "%3E", "<", "%3C").Replace(s)
	if runeLen(s) > 500 {
		return ""
	}
	return "<" + s + ">"
}

// RenderText splits plain text (a notice, a status, a digest) into
// messages, with nothing in it that Discord would read as a ping.
func RenderText(text string) []string { return chat.Split(defuse(text), MaxMessage) }

// pings matches what Discord reads as @everyone and @here (it reads
// them glued to what follows too).
var pings = regexp.MustCompile(`(?i)@(everyone|here)`)

// mentionMarkup matches Discord's mentions of a user, nickname, role or
// channel: <@123>, <@!123>, <@&123>, <#123>.
var mentionMarkup = regexp.MustCompile(`<(?:@[!&]?|#)\d+>`)

// defuse removes Discord's mention markup and puts a zero-width space
// after the @ of @everyone and @here, so they show as written and ping no
// one even where allowed_mentions is lost: a model or an article may
// write them, and an abstention or a thread name repeats the asker's
// words.
func defuse(s string) string {
	return defusePings(spacedMarkup.ReplaceAllString(s, ""))
}

// defusePings defuses @everyone and @here, for text that is escaped
// besides.
func defusePings(s string) string { return pings.ReplaceAllString(s, "@\u200b$1") }

// spacedMarkup is mentionMarkup with the spaces before it, which go with
// it: "ask <@1> now" becomes "ask now".
var spacedMarkup = regexp.MustCompile(`[ \t]*` + mentionMarkup.String())

// markdown is the characters that would otherwise format a title.
var markdown = strings.NewReplacer(`\`, `\\`, "*", `\*`, "_", `\_`, "~", `\~`, "`", "\\`", "|", `\|`, "[", `\[`, "]", `\]`, "<", `\<`)

// escape keeps Discord's markdown from formatting text meant literally.
func escape(s string) string { return markdown.Replace(s) }

// RenderProgress is the message shown while a language model writes the
// answer: the text so far, marked as unfinished, within MaxMessage.
func RenderProgress(partial string) string {
	const more = " …"
	text := defuse(strings.TrimSpace(partial))
	if text == "" {
		return "…"
	}
	if runeLen(text)+len([]rune(more)) > MaxMessage {
		text = string([]rune(text)[:MaxMessage-len([]rune(more))])
	}
	return text + more
}

// RenderSearch lists the paragraphs /search found, each with its article, a
// link, an excerpt and the id /source takes.
func RenderSearch(query string, ps []knowledge.Passage) []string {
	if len(ps) == 0 {
		return RenderText(fmt.Sprintf("No stored paragraph matches “%s”.", clip(query, 200)))
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Paragraphs matching “%s”:", clip(query, 200)) // defused below
	for i, p := range ps {
		fmt.Fprintf(&b, "\n\n**%d.** %s", i+1, describe(p.Title, p.Source, p.Published, p.Paragraph))
		if u := link(p.URL); u != "" {
			b.WriteString(" " + u)
		}
		b.WriteString(" · `" + p.Ref() + "`")
		b.WriteString("\n> " + clip(strings.Join(strings.Fields(p.Text), " "), 300))
	}
	return RenderText(b.String())
}

// RenderSource shows one stored paragraph in full, under its article's
// title, outlet, date and link.
func RenderSource(p knowledge.Passage) []string {
	head := "**" + describe(p.Title, p.Source, p.Published, p.Paragraph) + "** · `" + p.Ref() + "`"
	if u := link(p.URL); u != "" {
		head += "\n" + u
	}
	// The head stays with the start of the paragraph, however long.
	pieces := chat.Split(defuse(p.Text), MaxMessage-runeLen(head)-2)
	if len(pieces) == 0 {
		return []string{head}
	}
	pieces[0] = head + "\n\n" + pieces[0]
	return pieces
}

// clip shortens s to at most n runes, with an ellipsis.
func clip(s string, n int) string {
	s = strings.TrimSpace(s)
	if runeLen(s) <= n {
		return s
	}
	return strings.TrimSpace(string([]rune(s)[:n-1])) + "…"
}

func runeLen(s string) int { return utf8.RuneCountInString(s) }
