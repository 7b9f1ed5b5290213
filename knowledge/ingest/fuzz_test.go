package ingest

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"unicode/utf8"

	"github.com/byline-bot/byline/knowledge"
)

// addExampleSeeds adds the sample articles with the given extension to
// the fuzz corpus.
func addExampleSeeds(f *testing.F, ext string) {
	paths, err := filepath.Glob(filepath.Join("../../examples/articles", "*"+ext))
	if err != nil {
		f.Fatal(err)
	}
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
}

// checkParsed checks the invariants of a successful parse that produced
// a single article.
func checkParsed(t *testing.T, a knowledge.Article, err error) {
	t.Helper()
	if err != nil {
		if len(a.Paragraphs) != 0 {
			t.Errorf("error %v returned with %d paragraphs", err, len(a.Paragraphs))
		}
		return
	}
	checkArticle(t, a)
	if len(a.Paragraphs) == 0 {
		t.Error("no error and no paragraphs")
	}
	if a.Title == "" {
		t.Error("no title")
	}
}

func FuzzParseText(f *testing.F) {
	addExampleSeeds(f, ".txt")
	for _, s := range []string{
		"", "\n\n", "One line.\nTwo line.", "Wrapped line\nhere and\n\nthere too\nnow.",
		"Kestle Wire/Brackenford: Text here.this week.204", "KESTLE (Wire) - ", "\xff\xfeA\x00",
		"\ufeff\u200b\u202eText\u0301", "Caf\xe9", "a\x00b", "Dr. A. B. went. Then.",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		a, err := ParseText("fuzz.txt", data)
		checkParsed(t, a, err)
		if err == nil && utf8.RuneCountInString(a.Title) > maxTitleRunes {
			t.Errorf("title %q is longer than %d runes", a.Title, maxTitleRunes)
		}
	})
}

func FuzzParseMarkdown(f *testing.F) {
	addExampleSeeds(f, ".md")
	for _, s := range []string{
		"", "---\n---\n", "---\ntitle: T\nauthor: [a, b]\npublished: 2026-01-02\n---\n# H\n\nText.",
		"Title\n===\n- item\n1. one\n> quote\n```\ncode\n```\n[x]: y", "**a *b* c** _d_ `e` [f](g) ![h](i) <j>k</j> \\*",
		"---\npublished: [\n---\nx", "#\n\n***\n", "a\\\nb",
		"| a | b |\n|---|:-:|\n| `c` | [d][e] |\n\n[e]: f", "<div>\n<p>x</p>\n</div>\n\n<!-- y -->", "----\rt: x\r----\rbody\r",
		"---\nnever closed\n# H", "> - > 1. ~~x~~ <a@b.example>\n>\n>     code", "    indented\n\n```\nfenced",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		a, err := ParseMarkdown("fuzz.md", data)
		checkParsed(t, a, err)
	})
}

func FuzzParseHTML(f *testing.F) {
	paths, _ := filepath.Glob("../../examples/articles/*.html")
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data, "https://courier.example/story")
	}
	for _, s := range []string{
		"", "<p>Text.</p>", "<html><head><link rel=canonical href=/x></head><body><p>Unclosed <b>x<div>y",
		"<table><tr><td>a<td>b</table>", "<meta charset=windows-1252><p>Caf\xe9</p>", "<svg><p>x</svg><p>y",
		"<!DOCTYPE html><html lang=en><body><article><h1>T</h1><p>" + string(bytes.Repeat([]byte("word "), 200)) + "</p></article>",
	} {
		f.Add([]byte(s), "")
	}
	f.Fuzz(func(t *testing.T, data []byte, pageURL string) {
		a, err := ParseHTML("fuzz.html", data, pageURL)
		checkParsed(t, a, err)
	})
}

func FuzzParseJSONLines(f *testing.F) {
	addExampleSeeds(f, ".jsonl")
	for _, s := range []string{
		"", "\n\n", `{"id": 1, "body": "a\n\nb"}`, `{"id": "x", "published": "2026-01-02", "body": "t"}` + "\r\n[1]\n{",
		`{"id": null, "title": 3}`, "{\"body\": \"\\u0000\\u200b x\"}", `{"body": "a"}{"body": "b"}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		lines := bytes.Count(data, []byte("\n")) + 1
		prev := 0
		err := parseJSONLines(bytes.NewReader(data), "fuzz.jsonl", 256, func(line int, a knowledge.Article, err error) error {
			if line <= prev || line > lines {
				t.Errorf("line %d after line %d, in %d lines", line, prev, lines)
			}
			prev = line
			if err != nil {
				return nil
			}
			checkArticle(t, a)
			if len(a.Paragraphs) == 0 || a.Ref == "" || a.Title == "" {
				t.Errorf("line %d: article without paragraphs, ref or title: %+v", line, a)
			}
			return nil
		})
		if err != nil {
			t.Errorf("reading from memory failed: %v", err)
		}
	})
}

func FuzzParseFeed(f *testing.F) {
	addExampleSeeds(f, ".rss")
	for _, s := range []string{testRSS, testAtom, "", "<rss><channel><item><description>x</description></item></channel></rss>",
		`<feed xmlns="http://www.w3.org/2005/Atom"><entry><content type="xhtml"><div><p>x</p></div></content></entry></feed>`,
		`{"version": "https://jsonfeed.org/version/1.1", "items": [{"id": "1", "content_text": "x"}]}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		arts, err := ParseFeed(data, "fuzz.xml")
		if err != nil {
			if len(arts) != 0 {
				t.Errorf("error %v returned with %d articles", err, len(arts))
			}
			return
		}
		for _, a := range arts {
			checkArticle(t, a)
			if a.Ref == "" {
				t.Error("article without a Ref")
			}
		}
	})
}
