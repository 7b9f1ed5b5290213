package ingest

import (
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/byline-bot/byline/knowledge"
)

// TestParseHTMLExample checks that readability keeps the story of the
// sample page and drops its cookie banner, navigation, share links, most
// read list, caption and footer.
func TestParseHTMLExample(t *testing.T) {
	const path = "../../examples/articles/lowmere-rail-strike.html"
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	got, err := ParseHTML(path, data, "")
	if err != nil {
		t.Fatalf("ParseHTML: %v", err)
	}
	checkArticle(t, got)
	paras := got.Paragraphs
	got.Paragraphs = nil
	want := knowledge.Article{
		Ref:       path,
		Source:    "Valley Courier",
		Title:     "Rail strike halts Lowmere Valley trains as union and operator trade blame",
		URL:       "https://courier.example/news/2026/05/18/lowmere-rail-strike",
		Author:    "Tomás Reyes",
		Language:  "en",
		Published: time.Date(2026, 5, 18, 18, 45, 0, 0, time.FixedZone("", 3600)),
	}
	if diff := cmp.Diff(want, got, cmp.Comparer(time.Time.Equal)); diff != "" {
		t.Errorf("ParseHTML metadata mismatch (-want +got):\n%s", diff)
	}
	if len(paras) != 10 {
		t.Errorf("got %d paragraphs, want 10 (nine of text and a subheading):\n%s", len(paras), strings.Join(paras, "\n"))
	}
	if len(paras) > 0 && !strings.HasPrefix(paras[0], "No commuter trains ran") {
		t.Errorf("first paragraph = %q, want the story's first paragraph", paras[0])
	}
	text := strings.Join(paras, "\n")
	for _, boilerplate := range []string{"cookies", "Subscribe", "Most read", "Share on", "All rights reserved", "Photo:", "Privacy", "By Tomás"} {
		if strings.Contains(text, boilerplate) {
			t.Errorf("paragraphs contain boilerplate %q:\n%s", boilerplate, text)
		}
	}
	for _, kept := range []string{"Dispute over second crew members", "4.1 per cent", "Ruth Okafor"} {
		if !strings.Contains(text, kept) {
			t.Errorf("paragraphs lack %q:\n%s", kept, text)
		}
	}
}

func TestParseHTML(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		pageURL string
		want    knowledge.Article
	}{
		{
			name: "short page falls back to its blocks",
			in:   "<html><head><title>Ferry news</title></head><body><nav>Home | News</nav><p>The ferry runs hourly.</p><footer>© Wire</footer></body></html>",
			want: knowledge.Article{Ref: "a.html", Title: "Ferry news", Paragraphs: []string{"The ferry runs hourly."}},
		},
		{
			name: "fragment without html or body",
			in:   "<p>First.<br>Second line.</p><ul><li>One item</li><li>Two <b>bold</b> item</li></ul>",
			want: knowledge.Article{Ref: "a.html", Title: "First", Paragraphs: []string{"First.", "Second line.", "One item", "Two bold item"}},
		},
		{
			name: "scripts, styles and hidden elements are not text",
			in: "<body><script>var x = 1;</script><style>p{}</style><p>Seen.</p><p hidden>Hidden.</p>" +
				"<p style=\"display: none\">Gone.</p><div aria-hidden=\"true\">Aria.</div><noscript>No script.</noscript></body>",
			want: knowledge.Article{Ref: "a.html", Title: "Seen", Paragraphs: []string{"Seen."}},
		},
		{
			name: "broken markup",
			in:   "<html><body><p>Unclosed <b>bold <div>inner text</p></i><p>Next &amp; last &bogus; <a href='x'>link",
			want: knowledge.Article{Ref: "a.html", Title: "Unclosed bold", Paragraphs: []string{"Unclosed bold", "inner text", "Next & last &bogus; link"}},
		},
		{
			name:    "page URL and relative canonical link",
			in:      `<html><head><link rel="canonical" href="/story/1"><title>T</title></head><body><p>Text here.</p></body></html>`,
			pageURL: "https://news.example/story/1?utm_source=feed",
			want:    knowledge.Article{Ref: "a.html", Title: "T", URL: "https://news.example/story/1", Paragraphs: []string{"Text here."}},
		},
		{
			name:    "page URL without canonical link",
			in:      `<p>Text here.</p>`,
			pageURL: "https://news.example/x",
			want:    knowledge.Article{Ref: "a.html", Title: "Text here", URL: "https://news.example/x", Paragraphs: []string{"Text here."}},
		},
		{
			name: "legacy charset",
			in:   "<html><head><meta charset=\"windows-1252\"><title>Caf\xe9</title></head><body><p>The caf\xe9 \x93reopened\x94.</p></body></html>",
			want: knowledge.Article{Ref: "a.html", Title: "Café", Paragraphs: []string{"The café “reopened”."}},
		},
		{
			name: "table rows",
			in:   "<table><tr><th>Line</th><th>Trains</th></tr><tr><td>Kestle</td><td>12</td></tr></table>",
			want: knowledge.Article{Ref: "a.html", Title: "Line Trains", Paragraphs: []string{"Line Trains", "Kestle 12"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseHTML("a.html", []byte(tt.in), tt.pageURL)
			if err != nil {
				t.Fatalf("ParseHTML: %v", err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("ParseHTML mismatch (-want +got):\n%s", diff)
			}
			checkArticle(t, got)
		})
	}
}

func TestParseHTMLErrors(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		wantIs  error
		wantMsg string
	}{
		{"empty", "", ErrNoText, "no text"},
		{"only boilerplate", "<html><body><nav>Menu</nav><footer>Footer</footer><script>x()</script></body></html>", ErrNoText, "no text"},
		{"binary", "\x89PNG\r\n\x1a\n\x00\x00", ErrBinary, "binary file, not text (NUL byte at offset 8)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseHTML("a.html", []byte(tt.in), "")
			if !errors.Is(err, tt.wantIs) {
				t.Errorf("error = %v, want %v", err, tt.wantIs)
			}
			if diff := cmp.Diff(tt.wantMsg, errText(err)); diff != "" {
				t.Errorf("error message mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestHTMLFragmentParagraphs(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []string
	}{
		{"paragraphs", "<p>One.</p><p>Two.</p>", []string{"One.", "Two."}},
		{"br separated", "One.<br/>Two.<br><br>Three.", []string{"One.", "Two.", "Three."}},
		{"plain text keeps its blank lines", "One line\nwrapped here.\n\nTwo line\nwrapped here.", []string{"One line wrapped here.", "Two line wrapped here."}},
		{"entities without tags", "AT&amp;T &lt;rises&gt;", []string{"AT&T <rises>"}},
		{"images and captions dropped", "<figure><img src=x alt=pic><figcaption>Photo: A</figcaption></figure><p>Text.</p>", []string{"Text."}},
		{"empty", "  ", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := htmlFragmentParagraphs(tt.in)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("htmlFragmentParagraphs(%q) mismatch (-want +got):\n%s", tt.in, diff)
			}
		})
	}
}
