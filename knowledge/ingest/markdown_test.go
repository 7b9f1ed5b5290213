package ingest

import (
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/byline-bot/byline/knowledge"
)

func TestParseMarkdown(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want knowledge.Article
	}{
		{
			name: "front matter",
			in: "---\ntitle: Ferry to run hourly\nsource: Kestle Wire\nurl: https://wire.example/ferry\n" +
				"author: Ada Brook\npublished: 2026-04-02\nlanguage: en\nid: wire-77\nextra: ignored\n---\n\n" +
				"The ferry will run hourly.\n\nDemand has doubled.\n",
			want: knowledge.Article{
				ID: "wire-77", Ref: "a.md", Source: "Kestle Wire", Title: "Ferry to run hourly",
				URL: "https://wire.example/ferry", Author: "Ada Brook", Language: "en",
				Published:  time.Date(2026, 4, 2, 0, 0, 0, 0, time.UTC),
				Paragraphs: []string{"The ferry will run hourly.", "Demand has doubled."},
			},
		},
		{
			name: "RFC 3339 date, list of authors, quoted values",
			in: "---\ntitle: \"Ferry: hourly\"\nauthor: [Ada Brook, Ben Ode]\npublished: 2026-04-02T09:30:00+02:00\n---\n" +
				"Body text.\n",
			want: knowledge.Article{
				Ref: "a.md", Title: "Ferry: hourly", Author: "Ada Brook, Ben Ode",
				Published:  time.Date(2026, 4, 2, 9, 30, 0, 0, time.FixedZone("", 2*3600)),
				Paragraphs: []string{"Body text."},
			},
		},
		{
			name: "date key and a space-separated time",
			in:   "---\ndate: 2026-04-02 09:30\n---\nBody text.\n",
			want: knowledge.Article{
				Ref: "a.md", Title: "Body text",
				Published:  time.Date(2026, 4, 2, 9, 30, 0, 0, time.UTC),
				Paragraphs: []string{"Body text."},
			},
		},
		{
			name: "leading heading is the title",
			in:   "# Ferry to run hourly\n\nThe ferry will run hourly.\n",
			want: knowledge.Article{
				Ref: "a.md", Title: "Ferry to run hourly",
				Paragraphs: []string{"The ferry will run hourly."},
			},
		},
		{
			name: "setext heading is the title",
			in:   "Ferry to run *hourly*\n=====\nThe ferry will run hourly.\n",
			want: knowledge.Article{
				Ref: "a.md", Title: "Ferry to run hourly",
				Paragraphs: []string{"The ferry will run hourly."},
			},
		},
		{
			name: "heading repeating the front matter title is dropped",
			in:   "---\ntitle: Ferry to run hourly\n---\n# Ferry to run hourly\nThe ferry will run hourly.\n",
			want: knowledge.Article{
				Ref: "a.md", Title: "Ferry to run hourly",
				Paragraphs: []string{"The ferry will run hourly."},
			},
		},
		{
			name: "heading differing from the front matter title is kept",
			in:   "---\ntitle: Ferry to run hourly\n---\n# Kestle ferry\nThe ferry will run hourly.\n",
			want: knowledge.Article{
				Ref: "a.md", Title: "Ferry to run hourly",
				Paragraphs: []string{"Kestle ferry", "The ferry will run hourly."},
			},
		},
		{
			name: "subheadings are paragraphs, title derived without a heading",
			in:   "The ferry will run hourly. More later.\n\n## What changes\n\nTimes change. ##\n\nSub\n---\n",
			want: knowledge.Article{
				Ref: "a.md", Title: "The ferry will run hourly",
				Paragraphs: []string{"The ferry will run hourly. More later.", "What changes", "Times change. ##", "Sub"},
			},
		},
		{
			name: "inline markup",
			in: "A [city study](https://city.example/s.pdf \"Study\") and ![chart](c.png) **bold**, __strong__, *em*, _em_, " +
				"~~old~~ and `code *x*` stay as text. See <https://city.example>. Keep snake_case_name and 2 * 3 * 4. " +
				"Escaped \\*stars\\* and <span class=\"x\">tags</span> &amp; entities. A [ref link][1].\n\n[1]: https://city.example/ref\n",
			want: knowledge.Article{
				Ref:   "a.md",
				Title: "A city study and bold, strong, em, em, old and code *x* stay as text",
				Paragraphs: []string{
					"A city study and bold, strong, em, em, old and code *x* stay as text. See https://city.example. " +
						"Keep snake_case_name and 2 * 3 * 4. Escaped *stars* and tags & entities. A ref link.",
				},
			},
		},
		{
			name: "lists, quotes, rules and code",
			in: "Intro line.\n\n- first item\n- second item\n  continues here\n1. numbered\n\n" +
				"> Quoted line one\n> still quoted\n>\n> > nested quote\n\n***\n\n```go\nx := *p\n```\n\n" +
				"The plan opens in\n2026. The council agreed.\n",
			want: knowledge.Article{
				Ref: "a.md", Title: "Intro line",
				Paragraphs: []string{
					"Intro line.", "first item", "second item continues here", "numbered",
					"Quoted line one still quoted", "nested quote", "x := *p",
					"The plan opens in 2026. The council agreed.",
				},
			},
		},
		{
			name: "table rows, HTML blocks, literal code and an email autolink",
			in: "| Line | Trains |\n|:--|--:|\n| North | 12 |\n| *South* | 9 |\n\n" +
				"<div class=\"note\">\n<p>Fares rise in <b>June</b>.</p>\n<p>Passes do not.</p>\n</div>\n\n" +
				"<!-- an editor's note -->\n\n" +
				"Run `git log <ref>` or write to <desk@wire.example>.\n\n    indented *code*\n",
			want: knowledge.Article{
				Ref: "a.md", Title: "Line | Trains",
				Paragraphs: []string{
					"Line | Trains", "North | 12", "South | 9", "Fares rise in June.", "Passes do not.",
					"Run git log <ref> or write to desk@wire.example.", "indented *code*",
				},
			},
		},
		{
			name: "carriage returns end lines, a longer fence opens front matter",
			in:   "----\rtitle: Old Mac file\r----\r# Heading\r\rFirst line\rsecond line.\r",
			want: knowledge.Article{
				Ref: "a.md", Title: "Old Mac file",
				Paragraphs: []string{"Heading", "First line second line."},
			},
		},
		{
			name: "unclosed front matter is body text",
			in:   "---\ntitle: never closed\n",
			want: knowledge.Article{
				Ref: "a.md", Title: "title: never closed",
				Paragraphs: []string{"title: never closed"},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseMarkdown("a.md", []byte(tt.in))
			if err != nil {
				t.Fatalf("ParseMarkdown: %v", err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("ParseMarkdown mismatch (-want +got):\n%s", diff)
			}
			checkArticle(t, got)
		})
	}
}

func TestParseMarkdownErrors(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		wantIs  error
		wantMsg string
	}{
		{"empty", "", ErrNoText, "no text"},
		{"only front matter", "---\ntitle: Nothing\n---\n\n", ErrNoText, "no text"},
		{"only markup", "# \n\n***\n\n![img](x.png)\n", ErrNoText, "no text"},
		{"bad YAML", "---\ntitle: [unclosed\n---\nBody.\n", nil, "front matter: yaml: line 1: did not find expected ',' or ']'"},
		{"wrong type", "---\ntitle: [a, b]\n---\nBody.\n", nil, "front matter: line 1: cannot unmarshal !!seq into string"},
		{"bad date", "---\npublished: last Tuesday\n---\nBody.\n", nil, `front matter: published: cannot read "last Tuesday" as a date (want 2006-01-02 or RFC 3339)`},
		{"binary", "---\x00", ErrBinary, "binary file, not text (NUL byte at offset 3)"},
		{"invalid UTF-8", "# T\xc3\x28", ErrInvalidUTF8, "invalid UTF-8 at byte 3"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseMarkdown("a.md", []byte(tt.in))
			if err == nil {
				t.Fatal("ParseMarkdown succeeded, want an error")
			}
			if tt.wantIs != nil && !errors.Is(err, tt.wantIs) {
				t.Errorf("error = %v, want %v", err, tt.wantIs)
			}
			if diff := cmp.Diff(tt.wantMsg, errText(err)); diff != "" {
				t.Errorf("error message mismatch (-want +got):\n%s", diff)
			}
		})
	}
}
