package answer

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/byline-bot/byline/knowledge"
	"github.com/byline-bot/byline/knowledge/ingest"

	"github.com/byline-bot/byline/text"
)

// sharedDir is the shared data folder beside the repository.
const sharedDir = "../../shared"

// minStoryAnswered is how many of the 13 answerable story questions the
// engine must answer well, extractively. It was 11 when the extractor's
// thresholds were set on these very questions; with the extractor fitted
// on SQuAD and the paraphrase set it answers 10: s11 ("Which news agencies
// supplied information for the second article?") leaned on words
// special-cased for it, and s04 and s05 fall under the fitted abstention
// threshold (see bench/RESULTS.md for the larger sets). With the
// re-ranker's match among the abstention features it answers 11 (s11 and
// s04 still wrong).
const minStoryAnswered = 10

// minStoryDeclined is how many of the 2 unanswerable story questions must
// abstain. Both did until the abstention threshold fell to 0.43 with the
// re-ranker's match as evidence (SQuAD even half 0.727 → 0.744 right,
// withheld abstention 0.871 → 0.874): "Who won the 2024 presidential
// election?" now gets a sentence about the 2024 campaign's dates. That is
// a known miss, kept visible here rather than fixed for this one question.
const minStoryDeclined = 1

// storyQuestion is one line of eval/story-questions.jsonl.
type storyQuestion struct {
	ID         string `json:"id"`
	Question   string `json:"question"`
	Answerable bool   `json:"answerable"`
	Gold       []struct {
		SourceFile string `json:"source_file"`
		Contains   string `json:"contains"`
	} `json:"gold"`
	AnswerMentions []string `json:"answer_mentions"`
}

func readStoryQuestions(t *testing.T) []storyQuestion {
	t.Helper()
	path := filepath.Join(sharedDir, "eval", "story-questions.jsonl")
	f, err := os.Open(path)
	if err != nil {
		t.Fatalf("the story questions are read from ../shared beside the repository: %v", err)
	}
	defer f.Close()
	var qs []storyQuestion
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if strings.TrimSpace(sc.Text()) == "" {
			continue
		}
		var q storyQuestion
		if err := json.Unmarshal(sc.Bytes(), &q); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		qs = append(qs, q)
	}
	if err := sc.Err(); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if len(qs) == 0 {
		t.Fatalf("%s holds no questions", path)
	}
	return qs
}

// TestStoryExtractive ingests the story's two articles into a real store
// and answers every story question by extraction alone: an answerable
// question must be answered from a gold paragraph, mentioning what a good
// answer mentions, and an unanswerable one must be declined.
func TestStoryExtractive(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join(sharedDir, "corpus", "story")
	if _, err := os.Stat(dir); err != nil {
		t.Fatalf("the story is read from ../shared/corpus/story beside the repository: %v", err)
	}
	store, err := knowledge.Open(ctx, filepath.Join(t.TempDir(), "story.db"), knowledge.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	sum, err := ingest.Run(ctx, store, []string{dir}, ingest.Options{})
	if err != nil {
		t.Fatalf("ingest %s: %v", dir, err)
	}
	if sum.New != 2 || sum.Failed() != 0 {
		t.Fatalf("ingest %s: %s; want two new articles", dir, sum)
	}
	list, err := store.Articles(ctx, knowledge.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	fileOf := make(map[string]string) // article id -> file name
	for _, a := range list {
		for _, ref := range a.Refs {
			fileOf[a.ID] = filepath.Base(ref)
		}
	}

	engine, err := New(Options{Store: searchLib(t, store), CacheTTL: -1})
	if err != nil {
		t.Fatal(err)
	}
	var answerable, unanswerable, passed, declined int
	for _, q := range readStoryQuestions(t) {
		if q.Answerable {
			answerable++
		} else {
			unanswerable++
		}
		a, err := engine.Ask(ctx, Question{Text: q.Question})
		if err != nil {
			t.Fatalf("%s: %v", q.ID, err)
		}
		if problems := judgeAnswer(q, a, fileOf); len(problems) > 0 {
			if q.Answerable && !goldRetrieved(a.Passages, q, fileOf) {
				problems = append(problems, fmt.Sprintf("no gold paragraph among the %d passages searched (a retrieval miss)", len(a.Passages)))
			}
			t.Logf("%s FAIL %q: %s\n  %s", q.ID, q.Question, strings.Join(problems, "; "), clipText(a.Text, 300))
		} else {
			t.Logf("%s ok %q", q.ID, q.Question)
			if q.Answerable {
				passed++
			} else {
				declined++
			}
		}
	}
	t.Logf("story extractive: %d/%d answerable pass, %d/%d unanswerable abstain", passed, answerable, declined, unanswerable)
	if answerable != 13 || unanswerable != 2 {
		t.Errorf("read %d answerable and %d unanswerable questions; want 13 and 2", answerable, unanswerable)
	}
	if passed < minStoryAnswered {
		t.Errorf("%d/%d answerable questions pass; want at least %d", passed, answerable, minStoryAnswered)
	}
	if declined < minStoryDeclined {
		t.Errorf("%d of %d unanswerable questions abstained; want at least %d", declined, unanswerable, minStoryDeclined)
	}
}

// judgeAnswer returns what is wrong with a as the answer to q, if
// anything: an unanswerable question must be declined; an answerable one
// must cite a gold paragraph and mention what a good answer mentions.
func judgeAnswer(q storyQuestion, a Answer, fileOf map[string]string) []string {
	if !q.Answerable {
		if !a.Abstained {
			return []string{"answered a question the articles do not answer"}
		}
		return nil
	}
	if a.Abstained {
		return []string{"abstained"}
	}
	var problems []string
	gold := false
	for _, c := range a.Citations {
		p := knowledge.Passage{ArticleID: c.ArticleID, Paragraph: c.Paragraph}
		for _, have := range a.Passages {
			if have.ArticleID == c.ArticleID && have.Paragraph == c.Paragraph {
				p = have
			}
		}
		if isGold(p, q, fileOf) {
			gold = true
		}
	}
	if !gold {
		problems = append(problems, "cites no gold paragraph")
	}
	for _, m := range q.AnswerMentions {
		if !mentions(a.Text, m) {
			problems = append(problems, fmt.Sprintf("does not mention %q", m))
		}
	}
	return problems
}

// judge returns what is wrong with x as the answer to q, if anything: an
// unanswerable question must be declined; an answerable one must be
// answered from a gold paragraph, mentioning what a good answer mentions.
func judge(q storyQuestion, ps []knowledge.Passage, x extraction, fileOf map[string]string) []string {
	if !q.Answerable {
		if !x.abstain {
			return []string{"answered a question the articles do not answer"}
		}
		return nil
	}
	if x.abstain {
		return []string{"abstained"}
	}
	var problems []string
	if !picksGold(ps, x, q, fileOf) {
		problems = append(problems, "no pick from a gold paragraph")
	}
	var texts []string
	for _, p := range x.picks {
		texts = append(texts, p.text)
	}
	for _, m := range q.AnswerMentions {
		if !mentions(strings.Join(texts, " "), m) {
			problems = append(problems, fmt.Sprintf("does not mention %q", m))
		}
	}
	return problems
}

// picksGold reports whether a pick comes from a gold paragraph of q.
func picksGold(ps []knowledge.Passage, x extraction, q storyQuestion, fileOf map[string]string) bool {
	for _, p := range x.picks {
		if isGold(ps[p.passage], q, fileOf) {
			return true
		}
	}
	return false
}

// goldRetrieved reports whether the search found a gold paragraph of q.
func goldRetrieved(ps []knowledge.Passage, q storyQuestion, fileOf map[string]string) bool {
	for _, p := range ps {
		if isGold(p, q, fileOf) {
			return true
		}
	}
	return false
}

func isGold(p knowledge.Passage, q storyQuestion, fileOf map[string]string) bool {
	for _, g := range q.Gold {
		if fileOf[p.ArticleID] == g.SourceFile && strings.Contains(p.Text, g.Contains) {
			return true
		}
	}
	return false
}

// mentions reports whether s mentions want: as written, ignoring case,
// or with every content word of want present in some form ("rejected" for
// "reject").
func mentions(s, want string) bool {
	if strings.Contains(strings.ToLower(s), strings.ToLower(want)) {
		return true
	}
	have := make(map[string]bool)
	for _, k := range text.ContentKeys(s) {
		have[k] = true
	}
	keys := text.ContentKeys(want)
	for _, k := range keys {
		if !have[k] {
			return false
		}
	}
	return len(keys) > 0
}

// describe shows the picks, or why extract abstained, for the log.
func describe(ps []knowledge.Passage, x extraction) string {
	if x.abstain {
		return " (abstained: " + x.reason + ")"
	}
	return "\n" + describePicks(ps, x)
}

func describePicks(ps []knowledge.Passage, x extraction) string {
	var b strings.Builder
	for _, p := range x.picks {
		fmt.Fprintf(&b, "  [%.2f %s] %s\n", p.score, ps[p.passage].Ref(), clipText(p.text, 160))
	}
	return strings.TrimRight(b.String(), "\n")
}

func clipText(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

func utf8RuneStart(b byte) bool { return b&0xC0 != 0x80 }
