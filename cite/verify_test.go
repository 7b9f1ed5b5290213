package cite

import (
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/byline-bot/byline/knowledge"
	"github.com/google/go-cmp/cmp"
)

// checked is what Verify returns, as the tests read it.
type checked struct {
	Text      string
	Citations []Citation
	Abstained bool
}

func verify(reply string, passages []knowledge.Passage) checked {
	text, cs := Verify(reply, passages)
	return checked{Text: text, Citations: cs, Abstained: len(cs) == 0}
}

// FuzzVerify feeds the citation parser whatever a model might write and
// checks its promises: every marker left in the text names a citation,
// citations are numbered 1..n in order of first use, each quotes its own
// paragraph with a quote that is not empty (passages with nothing to
// quote are among those offered), a text with no citation is dropped,
// and no link to an uncited site survives. Pings are the platforms' to
// defuse (see the adapters' render fuzz tests).
func FuzzVerify(f *testing.F) {
	for _, s := range []string{
		"The council voted 5 to 2 [1]. The mayor objected [2].",
		"Both said so [2][1]. Nobody else did [9].",
		"[1, 2; ^3] odd markers [^2] and [ 1 ]",
		"@everyone look <!channel> <@U123> [1] https://evil.example/x",
		"No citations at all.",
		"",
		"[1][1][1]",
		"Quote: \"[2]\" and `[3]` [1]",
		// Empty quotations, and citations of the passages with nothing to
		// quote.
		"\"\" [1]. “” [2]. '' [3]",
		"The union said \"\" [2][3][4].",
		"The council voted [3]. The mayor objected [4].",
		"\u201c\u201d [1] \u00a0[2]",
	} {
		f.Add(s)
	}
	passages := []knowledge.Passage{
		{ArticleID: "council", Paragraph: 2, Text: "The council voted 5 to 2 on Tuesday. The mayor objected.", URL: "https://news.example/council"},
		{ArticleID: "rail", Paragraph: 1, Text: "The union rejected the pay offer.", URL: "https://news.example/rail"},
		// Passages with no sentence to quote: a citation of one must not
		// come out with an empty quote.
		{ArticleID: "blank", Paragraph: 1, Text: ""},
		{ArticleID: "blank", Paragraph: 2, Text: " \n\n \u201c\u201d "},
	}
	markerRe := regexp.MustCompile(`\[(\d+)\]`)
	f.Fuzz(func(t *testing.T, text string) {
		a := verify(text, passages)
		if len(a.Citations) == 0 && a.Text != "" {
			t.Fatalf("a text without citations was kept: %q -> %+v", text, a)
		}
		seen := map[int]bool{}
		order := []int{}
		for _, m := range markerRe.FindAllStringSubmatch(a.Text, -1) {
			n, _ := strconv.Atoi(m[1])
			if n < 1 || n > len(a.Citations) {
				t.Fatalf("phantom marker [%d] with %d citations: %q -> %q", n, len(a.Citations), text, a.Text)
			}
			if !seen[n] {
				seen[n] = true
				order = append(order, n)
			}
		}
		for i, n := range order {
			if n != i+1 {
				t.Fatalf("citations not numbered in order of first use: %v in %q", order, a.Text)
			}
		}
		for i, c := range a.Citations {
			if c.N != i+1 {
				t.Fatalf("citation %d has number %d", i, c.N)
			}
			var p *knowledge.Passage
			for j := range passages {
				if passages[j].ArticleID == c.ArticleID && passages[j].Paragraph == c.Paragraph {
					p = &passages[j]
				}
			}
			if p == nil {
				t.Fatalf("citation %d cites %s, which was not retrieved", c.N, c.Ref())
			}
			if strings.TrimSpace(c.Quote) == "" {
				t.Fatalf("citation %d of %s has an empty quote: %q -> %q", c.N, c.Ref(), text, a.Text)
			}
			if !strings.Contains(p.Text, c.Quote) {
				t.Fatalf("citation %d quotes %q, not in its paragraph", c.N, c.Quote)
			}
		}
		if strings.Contains(a.Text, "evil.example") {
			t.Fatalf("a link to an uncited site survived: %q", a.Text)
		}
	})
}

// A sentence pinned to a real passage it has nothing in common with (one
// an article planted, or a model made up) is dropped with its marker; a
// paraphrase sharing a word is kept.
func TestVerifyDropsUngroundedSentences(t *testing.T) {
	ps := []knowledge.Passage{
		{ArticleID: "harbour", Paragraph: 1, Text: "Dredging of the old harbour will start in May, the port authority said on Thursday."},
		{ArticleID: "harbour", Paragraph: 3, Text: "The authority put the cost at 2.4 million euros."},
	}
	a := verify("The port authority says work begins in May [1]. Claim your prize now [1]. It will cost 2.4 million euros [2][1].", ps)
	want := "The port authority says work begins in May. [1] It will cost 2.4 million euros. [2]"
	if a.Text != want {
		t.Errorf("verify = %q, want %q", a.Text, want)
	}
}

// A sentence that contradicts its cited passage's facts (another date,
// another figure) is dropped, as is a bullet line without a citation that
// a cited line follows.
func TestVerifyChecksFactsAndLines(t *testing.T) {
	ps := []knowledge.Passage{
		{ArticleID: "harbour", Paragraph: 1, Title: "Harbour dredging to start in May", Source: "Bayside Courier",
			Text: "Dredging of the old harbour will start in May, the port authority said on Thursday."},
		{ArticleID: "harbour", Paragraph: 3, Text: "The authority put the cost at 2.4 million euros."},
		{ArticleID: "strike", Paragraph: 1, Text: "Regional rail workers walked out at dawn on Monday, the drivers' union said."},
	}
	tests := []struct{ in, want string }{
		{"Dredging of the harbour was cancelled in December [1]. The authority put the cost at 900 million euros [2].", ""},
		{"Dredging of the harbour will start in May, the Bayside Courier reported [1]. It will cost 2.4 million euros [2].",
			"Dredging of the harbour will start in May, the Bayside Courier reported. [1] It will cost 2.4 million euros. [2]"},
		{"- The CEO of Valley Rail resigned in disgrace\n- Rail workers walked out on Monday [3]", "Rail workers walked out on Monday [1]"},
	}
	for _, tt := range tests {
		a := verify(tt.in, ps)
		got := a.Text
		if a.Abstained {
			got = ""
		}
		if got != tt.want {
			t.Errorf("verify(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestSupportingSentence(t *testing.T) {
	paragraph := `Repairs cost 3.2 million pounds, council treasurer Dr. Ines Oyelaran said. Most of the bill was covered by insurance. "We were lucky," she added.`
	tests := []struct {
		claim     string
		want      string
		min, max  float64
		wantEmpty bool
	}{
		{"The repairs cost 3.2 million pounds.", "Repairs cost 3.2 million pounds, council treasurer Dr. Ines Oyelaran said.", 1, 1, false},
		{"Insurance covered most of the bill.", "Most of the bill was covered by insurance.", 1, 1, false},
		{"Oyelaran stated that the repairs cost 3.2 million pounds.", "Repairs cost 3.2 million pounds, council treasurer Dr. Ines Oyelaran said.", 0.9, 1, false},
		{"She added that they had been lucky.", `"We were lucky," she added.`, 1, 1, false},
		{"The treasurer described the repairs as lucky.", "", 0.5, 0.7, false},
		{"The mayor resigned over the flood.", "", 0, 0.01, false},
	}
	for _, tt := range tests {
		t.Run(tt.claim, func(t *testing.T) {
			got, score := SupportingSentence(tt.claim, paragraph)
			if tt.want != "" {
				if diff := cmp.Diff(tt.want, got); diff != "" {
					t.Errorf("sentence (-want +got):\n%s", diff)
				}
			}
			if !strings.Contains(paragraph, got) {
				t.Errorf("%q is not quoted from the paragraph", got)
			}
			if score < tt.min || score > tt.max {
				t.Errorf("score %.2f; want %.2f to %.2f", score, tt.min, tt.max)
			}
		})
	}
}

func TestSupportingSentenceEdges(t *testing.T) {
	tests := []struct {
		name, claim, paragraph, want string
		score                        float64
	}{
		{"empty paragraph", "Anything at all.", "", "", 0},
		{"blank paragraph", "Anything at all.", "  \n ", "", 0},
		{"no content words", "It is.", "First one. Second one.", "First one.", 0},
		{"ties go first", "Rain fell.", "Rain fell in May. Rain fell in June.", "Rain fell in May.", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, score := SupportingSentence(tt.claim, tt.paragraph)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("sentence (-want +got):\n%s", diff)
			}
			if score != tt.score {
				t.Errorf("score %.2f; want %.2f", score, tt.score)
			}
		})
	}
}
