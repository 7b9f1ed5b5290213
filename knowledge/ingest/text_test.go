package ingest

import (
	"errors"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"

	"github.com/byline-bot/byline/knowledge"
)

func TestParseText(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want knowledge.Article
	}{
		{
			name: "one paragraph a line",
			in:   "The ferry will run hourly from May. Tickets cost $4.\nThe operator said demand had doubled.\n",
			want: knowledge.Article{
				Ref:   "a.txt",
				Title: "The ferry will run hourly from May",
				Paragraphs: []string{
					"The ferry will run hourly from May. Tickets cost $4.",
					"The operator said demand had doubled.",
				},
			},
		},
		{
			name: "one paragraph a line with blank lines between",
			in:   "The ferry will run hourly.\n\nThe operator said demand had doubled.\n\n",
			want: knowledge.Article{
				Ref:        "a.txt",
				Title:      "The ferry will run hourly",
				Paragraphs: []string{"The ferry will run hourly.", "The operator said demand had doubled."},
			},
		},
		{
			name: "hard-wrapped paragraphs are joined",
			in: "The ferry between Kestle and Brackenford\nwill run every hour from May, the\noperator said on Friday.\n\n" +
				"Demand has doubled since the bridge\nclosed for repairs in January.\n",
			want: knowledge.Article{
				Ref:   "a.txt",
				Title: "The ferry between Kestle and Brackenford will run every hour from May, the…",
				Paragraphs: []string{
					"The ferry between Kestle and Brackenford will run every hour from May, the operator said on Friday.",
					"Demand has doubled since the bridge closed for repairs in January.",
				},
			},
		},
		{
			name: "sections of one-line paragraphs are not joined",
			in:   "First point made here.\nSecond point made here.\n\nThird point made here.\nFourth point made here.\n",
			want: knowledge.Article{
				Ref:   "a.txt",
				Title: "First point made here",
				Paragraphs: []string{
					"First point made here.", "Second point made here.",
					"Third point made here.", "Fourth point made here.",
				},
			},
		},
		{
			name: "CRLF and lone CR line ends",
			in:   "First line here.\r\nSecond line here.\rThird line here.",
			want: knowledge.Article{
				Ref:        "a.txt",
				Title:      "First line here",
				Paragraphs: []string{"First line here.", "Second line here.", "Third line here."},
			},
		},
		{
			name: "slash dateline gives the source",
			in:   "Kestle Wire/Brackenford: The mayor resigned on Monday.\nA vote follows.\n",
			want: knowledge.Article{
				Ref:        "a.txt",
				Source:     "Kestle Wire",
				Title:      "The mayor resigned on Monday",
				Paragraphs: []string{"The mayor resigned on Monday.", "A vote follows."},
			},
		},
		{
			name: "parenthesised dateline gives the source",
			in:   "BRACKENFORD, May 18 (Valley Courier) - Trains stopped on Monday.\n",
			want: knowledge.Article{
				Ref:        "a.txt",
				Source:     "Valley Courier",
				Title:      "Trains stopped on Monday",
				Paragraphs: []string{"Trains stopped on Monday."},
			},
		},
		{
			name: "dateline with an em dash",
			in:   "KESTLE (Ledger) — Trains stopped.\n",
			want: knowledge.Article{
				Ref:        "a.txt",
				Source:     "Ledger",
				Title:      "Trains stopped",
				Paragraphs: []string{"Trains stopped."},
			},
		},
		{
			name: "a colon after a slash is not a dateline when lower case follows",
			in:   "Either/Or: maybe not a dateline.\n",
			want: knowledge.Article{
				Ref:        "a.txt",
				Title:      "Either/Or: maybe not a dateline",
				Paragraphs: []string{"Either/Or: maybe not a dateline."},
			},
		},
		{
			name: "brackets in a sentence are not a dateline",
			in:   "He said (quietly) - no.\n",
			want: knowledge.Article{
				Ref:        "a.txt",
				Title:      "He said (quietly) - no",
				Paragraphs: []string{"He said (quietly) - no."},
			},
		},
		{
			name: "page number glued to the last sentence",
			in:   "First paragraph.\nThe mayor resigned this week.204\n",
			want: knowledge.Article{
				Ref:        "a.txt",
				Title:      "First paragraph",
				Paragraphs: []string{"First paragraph.", "The mayor resigned this week."},
			},
		},
		{
			name: "page number after a closing quote",
			in:   "First paragraph.\n“It is over,” she said.”12\n",
			want: knowledge.Article{
				Ref:        "a.txt",
				Title:      "First paragraph",
				Paragraphs: []string{"First paragraph.", "“It is over,” she said.”"},
			},
		},
		{
			name: "numbers that are not page numbers stay",
			in:   "Prices rose 2.5\nThe score was 3-2\nIt ended in 1987\n",
			want: knowledge.Article{
				Ref:        "a.txt",
				Title:      "Prices rose 2.5",
				Paragraphs: []string{"Prices rose 2.5", "The score was 3-2", "It ended in 1987"},
			},
		},
		{
			name: "normalized text",
			in:   "\ufeffCafe\u0301  owners\u200b met.\n \u00a0\n\tThey\u202e agreed.\n",
			want: knowledge.Article{
				Ref:        "a.txt",
				Title:      "Café owners met",
				Paragraphs: []string{"Café owners met.", "They agreed."},
			},
		},
		{
			name: "UTF-16 with a byte order mark",
			in:   "\xff\xfeC\x00a\x00f\x00\xe9\x00 \x00o\x00p\x00e\x00n\x00s\x00.\x00",
			want: knowledge.Article{
				Ref:        "a.txt",
				Title:      "Café opens",
				Paragraphs: []string{"Café opens."},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseText("a.txt", []byte(tt.in))
			if err != nil {
				t.Fatalf("ParseText: %v", err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("ParseText mismatch (-want +got):\n%s", diff)
			}
			checkArticle(t, got)
		})
	}
}

func TestParseTextErrors(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		wantIs  error
		wantMsg string
	}{
		{"empty", "", ErrNoText, "no text"},
		{"only white space", " \n\t\r\n\u200b\n", ErrNoText, "no text"},
		{"NUL bytes", "GIF89a\x00\x01\x02", ErrBinary, "binary file, not text (NUL byte at offset 6)"},
		{"invalid UTF-8", "Caf\xe9 opens.", ErrInvalidUTF8, "invalid UTF-8 at byte 3"},
		{"truncated UTF-8 at the end", "Trains stopped \xe2\x80", ErrInvalidUTF8, "invalid UTF-8 at byte 15"},
		{"only a dateline", "BRACKENFORD (Valley Courier) - ", ErrNoText, "no text"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseText("a.txt", []byte(tt.in))
			if !errors.Is(err, tt.wantIs) {
				t.Errorf("ParseText error = %v, want %v", err, tt.wantIs)
			}
			if diff := cmp.Diff(tt.wantMsg, errText(err)); diff != "" {
				t.Errorf("error message mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// TestParseTextCorpus reads real copies of news articles. The expected
// values are computed from the files rather than written here, so that
// none of their text is copied into the repository.
func TestParseTextCorpus(t *testing.T) {
	paths, err := filepath.Glob(filepath.Join(corpusDir, "story", "*.txt"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no files in %s/story (err %v): the tests expect /work/shared/corpus next to the repository", corpusDir, err)
	}
	gluedNumber := regexp.MustCompile(`[.!?"”’]\d{1,4}$`)
	dateline := regexp.MustCompile(`^([^/:]+)/[^/:]+: `)
	sawGlued, sawDateline := false, false
	for _, path := range paths {
		t.Run(filepath.Base(path), func(t *testing.T) {
			data := readCorpus(t, filepath.Join("story", filepath.Base(path)))
			lines := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
			a, err := ParseText(path, data)
			if err != nil {
				t.Fatalf("ParseText: %v", err)
			}
			checkArticle(t, a)

			if len(a.Paragraphs) != len(lines) {
				t.Errorf("got %d paragraphs, want one a line: %d", len(a.Paragraphs), len(lines))
			}
			wantLast := normalizeParagraph(lines[len(lines)-1])
			if m := gluedNumber.FindString(wantLast); m != "" {
				sawGlued = true
				wantLast = strings.TrimRight(wantLast, "0123456789")
			}
			if diff := cmp.Diff(wantLast, a.Paragraphs[len(a.Paragraphs)-1]); diff != "" {
				t.Errorf("last paragraph mismatch (-want +got):\n%s", diff)
			}
			wantFirst, wantSource := normalizeParagraph(lines[0]), ""
			if m := dateline.FindStringSubmatch(wantFirst); m != nil {
				sawDateline = true
				wantFirst, wantSource = wantFirst[len(m[0]):], m[1]
			}
			if diff := cmp.Diff(wantFirst, a.Paragraphs[0]); diff != "" {
				t.Errorf("first paragraph mismatch (-want +got):\n%s", diff)
			}
			if a.Source != wantSource {
				t.Errorf("Source = %q, want %q", a.Source, wantSource)
			}

			// A readable title: the start of the first paragraph, cut on
			// a word boundary.
			if n := utf8.RuneCountInString(a.Title); n < 20 || n > maxTitleRunes {
				t.Errorf("title %q has %d runes, want 20 to %d", a.Title, n, maxTitleRunes)
			}
			head := strings.TrimSuffix(a.Title, "…")
			if !strings.HasPrefix(a.Paragraphs[0], head) {
				t.Errorf("title %q does not start the first paragraph %q", a.Title, a.Paragraphs[0])
			}
			if rest := strings.TrimPrefix(a.Paragraphs[0], head); rest != "" && !strings.HasPrefix(rest, " ") && !strings.HasPrefix(rest, ".") {
				t.Errorf("title %q is cut inside a word", a.Title)
			}
			if strings.ContainsAny(head[len(head)-1:], " ,;:") {
				t.Errorf("title %q ends with a separator", a.Title)
			}
		})
	}
	if !sawGlued {
		t.Error("no corpus file ends with a glued page number: the page number check did not run")
	}
	if !sawDateline {
		t.Error("no corpus file starts with an Outlet/Place dateline: the dateline check did not run")
	}
}
