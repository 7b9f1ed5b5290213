package ingest

import (
	"bytes"
	"fmt"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/go-shiori/dom"
	readability "github.com/go-shiori/go-readability"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"github.com/byline-bot/byline/knowledge"
)

// ParseHTML parses a web page holding one article. name becomes the
// article's Ref; pageURL, when not empty, is the address the page was
// fetched from and the article's URL unless the page names a canonical one.
//
// go-readability finds the main content and the metadata (title, byline,
// site name as Source, published time, language); the paragraphs are the
// text of the content's block elements (p, li, blockquote, headings, …),
// so navigation, footers and other boilerplate are left out. When
// readability finds no content, the page's blocks outside nav, header,
// footer, aside and forms are used instead.
//
// Pages that are not valid UTF-8 are decoded from the charset they declare
// or that their bytes suggest. Broken markup is parsed as browsers do.
func ParseHTML(name string, data []byte, pageURL string) (a knowledge.Article, err error) {
	if i := bytes.IndexByte(data, 0); i >= 0 {
		return knowledge.Article{}, fmt.Errorf("%w (NUL byte at offset %d)", ErrBinary, i)
	}
	var doc *html.Node
	if utf8.Valid(data) {
		doc, err = html.Parse(bytes.NewReader(data))
	} else {
		doc, err = dom.Parse(bytes.NewReader(data))
	}
	if err != nil {
		return knowledge.Article{}, fmt.Errorf("parsing HTML: %w", err)
	}
	var base *url.URL
	if pageURL != "" {
		if base, err = url.Parse(pageURL); err != nil {
			return knowledge.Article{}, fmt.Errorf("page URL: %w", err)
		}
	}

	ra, err := readArticle(doc, base)
	if err != nil {
		return knowledge.Article{}, err
	}
	a = knowledge.Article{
		Ref:      name,
		Source:   normalizeParagraph(ra.SiteName),
		Title:    normalizeTitle(ra.Title),
		URL:      canonicalURL(doc, base),
		Author:   cleanByline(ra.Byline),
		Language: normalizeParagraph(ra.Language),
	}
	if ra.PublishedTime != nil {
		a.Published = *ra.PublishedTime
	}
	if ra.Content != "" {
		content, err := html.Parse(strings.NewReader(ra.Content))
		if err == nil {
			a.Paragraphs = htmlParagraphs(content, false)
		}
	}
	if len(a.Paragraphs) == 0 {
		a.Paragraphs = htmlParagraphs(doc, true)
	}
	// Readability usually removes a heading that repeats the title; the
	// fallback does not.
	if len(a.Paragraphs) > 0 && a.Paragraphs[0] == a.Title {
		a.Paragraphs = a.Paragraphs[1:]
	}
	if len(a.Paragraphs) == 0 {
		return knowledge.Article{}, ErrNoText
	}
	if a.Title == "" {
		a.Title = deriveTitle(a.Paragraphs)
	}
	return a, nil
}

// readArticle runs readability on doc. Readability is a large port of
// JavaScript heuristics run on untrusted pages; a panic in it is turned
// into an error for this page rather than ending the whole ingest.
func readArticle(doc *html.Node, base *url.URL) (ra readability.Article, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("readability failed on this page: %v", r)
		}
	}()
	parser := readability.NewParser()
	ra, err = parser.ParseDocument(doc, base)
	if err != nil {
		return ra, fmt.Errorf("extracting article: %w", err)
	}
	return ra, nil
}

// canonicalURL returns the page's canonical address: <link rel=canonical>,
// then og:url, then base. Relative links are resolved against base.
func canonicalURL(doc *html.Node, base *url.URL) string {
	var found string
	var walk func(n *html.Node) bool
	walk = func(n *html.Node) bool {
		if n.Type == html.ElementNode {
			switch n.DataAtom {
			case atom.Link:
				if strings.EqualFold(attr(n, "rel"), "canonical") && attr(n, "href") != "" {
					found = attr(n, "href")
					return true
				}
			case atom.Meta:
				if attr(n, "property") == "og:url" && found == "" {
					found = attr(n, "content")
				}
			case atom.Body:
				return found != "" // metadata lives in head
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			if walk(c) {
				return true
			}
		}
		return false
	}
	walk(doc)
	found = strings.TrimSpace(found)
	if found == "" {
		if base == nil {
			return ""
		}
		return base.String()
	}
	u, err := url.Parse(found)
	if err != nil || (base == nil && !u.IsAbs()) {
		if base == nil {
			return ""
		}
		return base.String()
	}
	if base != nil {
		u = base.ResolveReference(u)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		if base == nil {
			return ""
		}
		return base.String()
	}
	return u.String()
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Namespace == "" && a.Key == key {
			return a.Val
		}
	}
	return ""
}

// cleanByline turns "By Jane Doe" into "Jane Doe".
func cleanByline(s string) string {
	s = normalizeParagraph(s)
	if len(s) > 3 && strings.EqualFold(s[:3], "by ") {
		s = strings.TrimSpace(s[3:])
	}
	return s
}

// isSkipped reports whether an element's content is never article text.
func isSkipped(a atom.Atom) bool {
	switch a {
	case atom.Head, atom.Title, atom.Script, atom.Style, atom.Noscript, atom.Template,
		atom.Iframe, atom.Object, atom.Embed, atom.Svg, atom.Math, atom.Canvas,
		atom.Nav, atom.Aside, atom.Footer, atom.Form, atom.Button, atom.Select,
		atom.Textarea, atom.Input, atom.Figcaption, atom.Dialog, atom.Menu, atom.Img:
		return true
	}
	return false
}

// isBlock reports whether an element starts and ends a paragraph.
func isBlock(a atom.Atom) bool {
	switch a {
	case atom.Address, atom.Article, atom.Blockquote, atom.Caption, atom.Center,
		atom.Dd, atom.Details, atom.Dir, atom.Div, atom.Dl, atom.Dt, atom.Fieldset,
		atom.Figure, atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6,
		atom.Header, atom.Hgroup, atom.Hr, atom.Li, atom.Main, atom.Ol, atom.P,
		atom.Pre, atom.Section, atom.Summary, atom.Table, atom.Tbody, atom.Tfoot,
		atom.Thead, atom.Tr, atom.Ul, atom.Body, atom.Html:
		return true
	}
	return false
}

// htmlParagraphs returns the normalized text of n's block elements, one
// paragraph a block, in document order. <br> also ends a paragraph.
// wholePage also skips <header>, page furniture on a page readability could
// not read but often the headline and standfirst inside its content.
func htmlParagraphs(n *html.Node, wholePage bool) []string {
	w := paragraphWriter{}
	w.walk(n, wholePage)
	w.flush()
	return w.paras
}

type paragraphWriter struct {
	buf   strings.Builder
	paras []string
}

func (w *paragraphWriter) flush() {
	if w.buf.Len() == 0 {
		return
	}
	if p := normalizeParagraph(w.buf.String()); p != "" {
		w.paras = append(w.paras, p)
	}
	w.buf.Reset()
}

func (w *paragraphWriter) walk(n *html.Node, wholePage bool) {
	switch n.Type {
	case html.TextNode:
		w.buf.WriteString(n.Data)
		return
	case html.ElementNode:
		if isSkipped(n.DataAtom) || (wholePage && n.DataAtom == atom.Header) || isHidden(n) {
			return
		}
		switch n.DataAtom {
		case atom.Br:
			w.flush()
			return
		case atom.Td, atom.Th:
			w.buf.WriteByte(' ')
		}
	case html.DocumentNode:
	default:
		return // comments, doctypes
	}
	block := n.Type == html.ElementNode && isBlock(n.DataAtom)
	if block {
		w.flush()
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		w.walk(c, wholePage)
	}
	if block {
		w.flush()
	}
}

// isHidden reports whether an element is marked as not displayed.
func isHidden(n *html.Node) bool {
	for _, a := range n.Attr {
		switch a.Key {
		case "hidden":
			return true
		case "aria-hidden":
			if a.Val == "true" {
				return true
			}
		case "style":
			style := strings.ReplaceAll(strings.ToLower(a.Val), " ", "")
			if strings.Contains(style, "display:none") || strings.Contains(style, "visibility:hidden") {
				return true
			}
		}
	}
	return false
}

// htmlFragmentParagraphs converts a fragment of HTML, such as a feed item's
// content, to paragraphs. Text without tags is split like plain text, so
// that its blank lines still separate paragraphs.
func htmlFragmentParagraphs(s string) []string {
	if !strings.Contains(s, "<") {
		return textParagraphs(html.UnescapeString(s))
	}
	doc, err := html.Parse(strings.NewReader(s))
	if err != nil {
		return nil
	}
	return htmlParagraphs(doc, false)
}

// htmlToText converts a short fragment of HTML, such as a feed title, to
// one line of text.
func htmlToText(s string) string {
	if !strings.ContainsAny(s, "<&") {
		return normalizeParagraph(s)
	}
	return strings.Join(htmlFragmentParagraphs(s), " ")
}
