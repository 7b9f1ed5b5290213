package text

import (
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
)

var splitTests = []struct {
	name string
	text string
	want []string
}{
	{"empty", "", nil},
	{"only spaces", " \t\n ", nil},
	{"no final punctuation", "Talks went on into the night", []string{"Talks went on into the night"}},
	{"two sentences", "Talks ended. Both sides left.", []string{"Talks ended.", "Both sides left."}},
	{"question and exclamation", "Is it over? Yes! It is.", []string{"Is it over?", "Yes!", "It is."}},
	{"time and month", "He arrived at 5 p.m. on Jan. 3. He left at dawn.",
		[]string{"He arrived at 5 p.m. on Jan. 3.", "He left at dawn."}},
	{"acronym then lowercase", "U.S. officials said. Talks resumed.", []string{"U.S. officials said.", "Talks resumed."}},
	{"acronym ends a sentence", "He lives in the U.S. The company does not.",
		[]string{"He lives in the U.S.", "The company does not."}},
	{"acronym before a name", "The U.S. Army said so.", []string{"The U.S. Army said so."}},
	{"titles", "Mr. Hale met Mrs. Ode and Dr. Lim. They spoke.",
		[]string{"Mr. Hale met Mrs. Ode and Dr. Lim.", "They spoke."}},
	{"gov and sen", "Gov. Ames and Sen. Bryce agreed. No. 10 said nothing.",
		[]string{"Gov. Ames and Sen. Bryce agreed.", "No. 10 said nothing."}},
	{"initials", "J. D. Vance spoke in Ohio. Crowds cheered.", []string{"J. D. Vance spoke in Ohio.", "Crowds cheered."}},
	{"months", "The report came out in Sept. The next is due Feb. 2 next year.",
		[]string{"The report came out in Sept.", "The next is due Feb. 2 next year."}},
	{"vs and e.g.", "Apples vs. Pears, e.g. Conference, sold well. Trade rose.",
		[]string{"Apples vs. Pears, e.g. Conference, sold well.", "Trade rose."}},
	{"decimals and money", "Profit rose to 5.93 mln dlrs from $1.5 mln. Sales fell 2.5 pct.",
		[]string{"Profit rose to 5.93 mln dlrs from $1.5 mln.", "Sales fell 2.5 pct."}},
	{"number starts a sentence", "Output rose in 1986. 1987 will be better.", []string{"Output rose in 1986.", "1987 will be better."}},
	{"ellipsis runs on", "Wait... then he left. Next.", []string{"Wait... then he left.", "Next."}},
	{"ellipsis ends", "He paused... The crowd waited.", []string{"He paused...", "The crowd waited."}},
	{"leading ellipsis", "...he said. Then he left.", []string{"...he said.", "Then he left."}},
	{"unicode ellipsis", "It faded… Then it was gone.", []string{"It faded…", "Then it was gone."}},
	{"quote after the stop", `"We will not stop," he said. "We must win."`, []string{`"We will not stop," he said.`, `"We must win."`}},
	{"closing quote ends it", `The minister said: "It is over." Talks resumed.`,
		[]string{`The minister said: "It is over."`, "Talks resumed."}},
	{"unicode quotes", "“It is done.” She left. “Is it?” he asked.", []string{"“It is done.”", "She left.", "“Is it?” he asked."}},
	{"single quotes", "'It is done.' She left.", []string{"'It is done.'", "She left."}},
	{"brackets", "(He declined to comment.) Others did.", []string{"(He declined to comment.)", "Others did."}},
	{"quote then comma", "“He will end it.”, he said, and left.", []string{"“He will end it.”, he said, and left."}},
	{"quote then stop", "It is “defensive”. It faces threats.", []string{"It is “defensive”.", "It faces threats."}},
	{"multiple spaces", "Multiple   spaces.   Here  too.  ", []string{"Multiple   spaces.", "Here  too."}},
	{"footnote marker", "It was founded in 1990.[3] It grew. It shrank. [4] Then it closed.",
		[]string{"It was founded in 1990.[3]", "It grew.", "It shrank. [4]", "Then it closed."}},
	{"blank line", "A heading\n\nThe body begins here.", []string{"A heading", "The body begins here."}},
	{"single line break", "A line\nruns on.", []string{"A line\nruns on."}},
	{"company", "He joined Acme Inc. in 2001. Acme Inc. The company grew.",
		[]string{"He joined Acme Inc. in 2001.", "Acme Inc.", "The company grew."}},
	{"spaced dots", "Wait . . . then go.", []string{"Wait . . . then go."}},
	{"non-breaking space", "One.\u00a0Two.", []string{"One.", "Two."}},
	{"only punctuation", "...", []string{"..."}},
}

func TestSentences(t *testing.T) {
	for _, tt := range splitTests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, sp := range Sentences(tt.text) {
				got = append(got, tt.text[sp.Start:sp.End])
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Sentences(%q) (-want +got):\n%s", tt.text, diff)
			}
			checkSpans(t, tt.text, Sentences(tt.text))
		})
	}
}

func FuzzSentences(f *testing.F) {
	for _, tt := range splitTests {
		f.Add(tt.text)
	}
	f.Add("\xff\xfe. A\x80. b")
	f.Add("Dr.\u2028Who?\u00a0“Yes.”")
	f.Fuzz(func(t *testing.T, text string) {
		checkSpans(t, text, Sentences(text))
	})
}

// checkSpans checks what every split must hold: spans in order, not
// overlapping, within the text, on rune boundaries, not empty and trimmed.
func checkSpans(t *testing.T, text string, spans []Span) {
	t.Helper()
	boundary := make(map[int]bool, len(text)+1)
	for i := 0; i < len(text); {
		boundary[i] = true
		_, size := utf8.DecodeRuneInString(text[i:])
		i += size
	}
	boundary[len(text)] = true
	prev := 0
	for i, sp := range spans {
		if sp.Start < prev || sp.End <= sp.Start || sp.End > len(text) {
			t.Fatalf("span %d %v: out of order, empty or out of bounds (previous end %d, length %d)", i, sp, prev, len(text))
		}
		if !boundary[sp.Start] || !boundary[sp.End] {
			t.Fatalf("span %d %v: not on rune boundaries in %q", i, sp, text)
		}
		s := text[sp.Start:sp.End]
		first, _ := utf8.DecodeRuneInString(s)
		last, _ := utf8.DecodeLastRuneInString(s)
		if unicode.IsSpace(first) || unicode.IsSpace(last) {
			t.Fatalf("span %d %q is not trimmed", i, s)
		}
		prev = sp.End
	}
}
