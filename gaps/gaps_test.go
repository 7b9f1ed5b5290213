package gaps

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/byline-bot/byline/knowledge"
)

// scripted is one line of eval/gap-questions.jsonl.
type scripted struct {
	Question  string `json:"question"`
	Gap       string `json:"gap"` // the planted gap it words, "" for none
	Abstained bool   `json:"abstained"`
	Reported  bool   `json:"reported"`
	Asked     int    `json:"asked"`
}

func readScripted(t *testing.T) []scripted {
	t.Helper()
	f, err := os.Open("../eval/gap-questions.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []scripted
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var s scripted
		if err := json.Unmarshal(sc.Bytes(), &s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// unanswered is what the store would return for the scripted run: each
// asking of an abstained or reported question, with its planted gap.
func unanswered(script []scripted) ([]knowledge.Unanswered, map[int64]string) {
	var (
		out     []knowledge.Unanswered
		planted = make(map[int64]string)
		id      int64
		at      = time.Date(2026, 6, 1, 8, 0, 0, 0, time.UTC)
	)
	for _, s := range script {
		for k := range s.Asked {
			id++
			at = at.Add(7 * time.Minute)
			if !s.Abstained && !s.Reported {
				continue
			}
			u := knowledge.Unanswered{AnswerID: id, At: at, Platform: []string{"discord", "slack"}[k%2],
				Channel: fmt.Sprintf("c%d", id%3), Question: s.Question, Abstained: s.Abstained}
			if s.Reported {
				u.WrongSource = 1
			}
			out = append(out, u)
			planted[id] = s.Gap
		}
	}
	return out, planted
}

// recovery is how well one planted gap came out: the group holding most of
// its askings, the share of that group that is the planted gap (purity)
// and the share of the planted gap in it (recall).
type recovery struct {
	rank             int
	purity, recall   float64
	asked, inPlanted int
}

func recoveries(gs []Gap, planted map[int64]string) map[string]recovery {
	total := make(map[string]int)
	for _, g := range planted {
		if g != "" {
			total[g]++
		}
	}
	out := make(map[string]recovery)
	for rank, g := range gs {
		in := make(map[string]int)
		for _, id := range g.AnswerIDs {
			in[planted[id]]++
		}
		for name, n := range in {
			if name == "" {
				continue
			}
			if r, ok := out[name]; ok && r.inPlanted >= n {
				continue
			}
			out[name] = recovery{rank: rank, purity: float64(n) / float64(len(g.AnswerIDs)),
				recall: float64(n) / float64(total[name]), asked: g.Asked, inPlanted: n}
		}
	}
	return out
}

// TestScriptedGaps groups the unanswered questions of a scripted run of
// 200 questions about the sample articles (eval/gap-questions.jsonl):
// every planted gap must come out as one group, nearly pure, ranked by
// how often it was asked.
func TestScriptedGaps(t *testing.T) {
	script := readScripted(t)
	qs, planted := unanswered(script)
	for _, th := range []float64{0.2, 0.25, 0.3, sameQuestion, 0.4, 0.5} {
		rs := recoveries(group(qs, th), planted)
		var minP, minR = 1.0, 1.0
		for _, r := range rs {
			minP, minR = min(minP, r.purity), min(minR, r.recall)
		}
		t.Logf("threshold %.2f: worst purity %.2f, worst recall %.2f over %d planted gaps", th, minP, minR, len(rs))
	}

	gs := Group(qs)
	rs := recoveries(gs, planted)
	want := []string{"library-hours", "strike-refunds", "harbor-parking", "mediation-outcome", "elm-detour", "embankment-decision", "insurance-share"}
	if len(rs) != len(want) {
		t.Fatalf("recovered %d planted gaps, want %d", len(rs), len(want))
	}
	var meanRecall float64
	for _, name := range want {
		r := rs[name]
		meanRecall += r.recall / float64(len(want))
		t.Logf("%-20s rank %2d asked %2d purity %.2f recall %.2f (%q)", name, r.rank+1, r.asked, r.purity, r.recall, gs[r.rank].Question)
		if r.purity < 0.9 {
			t.Errorf("%s: purity %.2f, want at least 0.9: %+v", name, r.purity, gs[r.rank].Wordings)
		}
		if r.recall < 0.4 {
			t.Errorf("%s: its largest group holds %.2f of it, want at least 0.4", name, r.recall)
		}
	}
	if meanRecall < 0.8 {
		t.Errorf("mean recall %.2f, want at least 0.8", meanRecall)
	}
	// Ranked by count: the most asked groups come first, and the top four
	// are each one planted gap, nearly pure.
	for i := 1; i < len(gs); i++ {
		if gs[i].Asked > gs[i-1].Asked {
			t.Errorf("group %d (asked %d) ranks below group %d (asked %d)", i, gs[i].Asked, i+1, gs[i-1].Asked)
		}
	}
	for i, g := range gs[:4] {
		in := make(map[string]int)
		for _, id := range g.AnswerIDs {
			in[planted[id]]++
		}
		top := 0
		for name, n := range in {
			if name != "" {
				top = max(top, n)
			}
		}
		if float64(top) < 0.9*float64(len(g.AnswerIDs)) {
			t.Errorf("group %d %q (asked %d) is not one planted gap: %v", i+1, g.Question, g.Asked, in)
		}
	}
	// Nothing answered and unreported is a gap.
	if n := len(qs); n != 67+25+5 {
		t.Errorf("%d unanswered askings, want 97", n)
	}
}
