package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/byline-bot/byline/gaps"
)

// What editors and operators read back of the answer records: the
// answers readers flagged (bot feedback) and the questions the coverage
// could not answer (bot gaps).

// recordsFlags parses --since and --json for feedback and gaps.
func recordsFlags(name, about string, args []string, stderr io.Writer) (common, time.Duration, bool, error) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	var c common
	c.register(fs)
	since := fs.Duration("since", 7*24*time.Hour, "how far back to look")
	asJSON := fs.Bool("json", false, "print one JSON object a line")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: bot %s [--since 168h] [--json]\n\n%s\n", name, about)
		fs.PrintDefaults()
	}
	rest, err := parseFlags(fs, args, stderr)
	if err != nil {
		return c, 0, false, err
	}
	if len(rest) > 0 {
		return c, 0, false, usageError("%s: unexpected argument %q", name, rest[0])
	}
	if *since <= 0 {
		return c, 0, false, usageError("%s: --since must be positive, such as 168h", name)
	}
	return c, *since, *asJSON, nil
}

// flaggedJSON is one line of bot feedback --json.
type flaggedJSON struct {
	AnswerID   int64          `json:"answer_id"`
	At         time.Time      `json:"at"`
	Platform   string         `json:"platform"`
	Channel    string         `json:"channel"`
	Question   string         `json:"question"`
	Searched   string         `json:"searched,omitempty"`
	Answer     string         `json:"answer"`
	Abstained  bool           `json:"abstained"`
	Superseded bool           `json:"superseded"`
	Helpful    int            `json:"helpful"`
	NotHelpful int            `json:"not_helpful"`
	Citations  []citationJSON `json:"citations"`
	Reports    []reportJSON   `json:"reports"`
}

type citationJSON struct {
	N         int    `json:"n"`
	ArticleID string `json:"article_id"`
	Paragraph int    `json:"paragraph"`
	PID       string `json:"pid"`
	Version   int    `json:"version"`
	Text      string `json:"text"`
}

type reportJSON struct {
	N      int       `json:"n"`
	Reason string    `json:"reason"`
	At     time.Time `json:"at"`
}

// cmdFeedback lists the answers readers voted not helpful or reported as
// citing a wrong source, with their citations, for review.
func cmdFeedback(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	c, since, asJSON, err := recordsFlags("feedback", "Lists the answers readers voted not helpful or said cite a wrong source, most flagged first, with what they cited.", args, stderr)
	if err != nil {
		return err
	}
	_, store, err := c.openStore(ctx, getenv, stderr)
	if err != nil {
		return err
	}
	defer store.Close()
	from := time.Now().Add(-since)
	flagged, err := store.FlaggedAnswers(ctx, from)
	if err != nil {
		return err
	}
	if asJSON {
		enc := json.NewEncoder(stdout)
		for _, f := range flagged {
			line := flaggedJSON{AnswerID: f.ID, At: f.At, Platform: f.Platform, Channel: f.Channel, Question: f.Question,
				Searched: f.Searched, Answer: f.Text, Abstained: f.Abstained, Superseded: !f.Superseded.IsZero(),
				Helpful: f.Helpful, NotHelpful: f.NotHelpful, Citations: []citationJSON{}, Reports: []reportJSON{}}
			for _, ct := range f.Citations {
				line.Citations = append(line.Citations, citationJSON{ct.N, ct.ArticleID, ct.Paragraph, ct.PID, ct.Version, ct.Text})
			}
			for _, r := range f.Reports {
				line.Reports = append(line.Reports, reportJSON{r.N, r.Reason, r.At})
			}
			if err := enc.Encode(line); err != nil {
				return err
			}
		}
		return nil
	}
	for _, f := range flagged {
		fmt.Fprintf(stdout, "#%d  %s  %s:%s  %d not helpful, %d helpful, %d wrong-source reports\n", f.ID,
			f.At.Local().Format("2006-01-02 15:04"), f.Platform, f.Channel, f.NotHelpful, f.Helpful, len(f.Reports))
		fmt.Fprintf(stdout, "  Q: %s\n", clipLine(f.Question, 200))
		fmt.Fprintf(stdout, "  A: %s\n", clipLine(f.Text, 300))
		for _, ct := range f.Citations {
			fmt.Fprintf(stdout, "  [%d] %s#%d (%s v%d): %s\n", ct.N, ct.ArticleID, ct.Paragraph, ct.PID, ct.Version, clipLine(ct.Text, 160))
		}
		for _, r := range f.Reports {
			reason := r.Reason
			if reason == "" {
				reason = "(no reason given)"
			}
			fmt.Fprintf(stdout, "  reported [%d] wrong: %s\n", r.N, clipLine(reason, 200))
		}
		fmt.Fprintln(stdout)
	}
	counts, err := store.FeedbackCounts(ctx, from)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Since %s: %d answers (%d abstentions), %d helpful and %d not helpful votes, %d wrong-source reports, %d correction notices; %d answers to review.\n",
		from.Local().Format("2006-01-02 15:04"), counts.Answers, counts.Abstained, counts.Helpful, counts.NotHelpful,
		counts.WrongSource, counts.Corrections, len(flagged))
	return nil
}

// gapJSON is one line of bot gaps --json.
type gapJSON struct {
	Question    string       `json:"question"`
	Asked       int          `json:"asked"`
	Abstained   int          `json:"abstained"`
	WrongSource int          `json:"wrong_source"`
	Wordings    []gaps.Count `json:"wordings"`
	Where       []gaps.Count `json:"where"`
	Searched    []gaps.Count `json:"searched"`
	Reasons     []string     `json:"reasons"`
	FirstSeen   time.Time    `json:"first_seen"`
	LastSeen    time.Time    `json:"last_seen"`
	AnswerIDs   []int64      `json:"answer_ids"`
}

// cmdGaps lists the questions the coverage could not answer, grouped by
// similar question and ranked by how often they were asked.
func cmdGaps(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	c, since, asJSON, err := recordsFlags("gaps", "Lists the questions the articles could not answer (abstentions, and answers reported as citing a wrong source), similar questions grouped, the most asked first.", args, stderr)
	if err != nil {
		return err
	}
	_, store, err := c.openStore(ctx, getenv, stderr)
	if err != nil {
		return err
	}
	defer store.Close()
	from := time.Now().Add(-since)
	qs, err := store.Unanswered(ctx, from)
	if err != nil {
		return err
	}
	gs := gaps.Group(qs)
	if asJSON {
		enc := json.NewEncoder(stdout)
		for _, g := range gs {
			line := gapJSON{Question: g.Question, Asked: g.Asked, Abstained: g.Abstained, WrongSource: g.WrongSource,
				Wordings: nonNil(g.Wordings), Where: nonNil(g.Where), Searched: nonNil(g.Searched), Reasons: nonNil(g.Reasons),
				FirstSeen: g.FirstSeen, LastSeen: g.LastSeen, AnswerIDs: nonNil(g.AnswerIDs)}
			if err := enc.Encode(line); err != nil {
				return err
			}
		}
		return nil
	}
	fmt.Fprint(stdout, gapsReport(gs, from, 0))
	return nil
}

// gapsReport is the gaps as text: each group's count and question, its
// other wordings, where it was asked, what was searched and readers'
// reasons; at most limit groups (0: all).
func gapsReport(gs []gaps.Gap, from time.Time, limit int) string {
	var b strings.Builder
	if len(gs) == 0 {
		fmt.Fprintf(&b, "No unanswered questions since %s.\n", from.Local().Format("2006-01-02 15:04"))
		return b.String()
	}
	fmt.Fprintf(&b, "Questions the articles could not answer since %s, the most asked first:\n\n", from.Local().Format("2006-01-02 15:04"))
	for i, g := range gs {
		if limit > 0 && i == limit {
			fmt.Fprintf(&b, "… and %d more.\n", len(gs)-limit)
			break
		}
		fmt.Fprintf(&b, "%d. %s (asked %d×", i+1, clipLine(g.Question, 200), g.Asked)
		if g.WrongSource > 0 {
			fmt.Fprintf(&b, ", %d wrong-source reports", g.WrongSource)
		}
		b.WriteString(")\n")
		if len(g.Wordings) > 1 {
			var ws []string
			for _, w := range g.Wordings[1:] {
				ws = append(ws, fmt.Sprintf("%q", clipLine(w.Value, 100)))
			}
			fmt.Fprintf(&b, "   also asked as: %s\n", strings.Join(ws, "; "))
		}
		fmt.Fprintf(&b, "   where: %s\n", counts(g.Where))
		if len(g.Searched) > 0 {
			fmt.Fprintf(&b, "   searched: %s\n", counts(g.Searched))
		}
		for _, r := range g.Reasons {
			fmt.Fprintf(&b, "   a reader said: %s\n", clipLine(r, 200))
		}
	}
	return b.String()
}

func counts(cs []gaps.Count) string {
	var out []string
	for _, c := range cs {
		out = append(out, fmt.Sprintf("%s (%d)", c.Value, c.N))
	}
	return strings.Join(out, ", ")
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// clipLine puts s on one line of at most n characters.
func clipLine(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}
