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
// extractor must answer well.
const minStoryAnswered = 11

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

	// Every paragraph, as a search that returned them all would: the
	// extractor is also judged on its own, whatever the search finds.
	var all []knowledge.Passage
	for _, a := range list {
		for n := 1; n <= a.Paragraphs; n++ {
			p, err := store.Passage(ctx, a.ID, n)
			if err != nil {
				t.Fatal(err)
			}
			all = append(all, p)
		}
	}

	var answerable, unanswerable, passed, declined, passedAll, declinedAll int
	for _, q := range readStoryQuestions(t) {
		ps, err := store.Search(ctx, knowledge.Query{Text: q.Question, Limit: 8})
		if err != nil {
			t.Fatalf("%s: search: %v", q.ID, err)
		}
		if q.Answerable {
			answerable++
		} else {
			unanswerable++
		}
		x := extract(q.Question, ps)
		if problems := judge(q, ps, x, fileOf); len(problems) > 0 {
			if q.Answerable && !goldRetrieved(ps, q, fileOf) {
				problems = append(problems, fmt.Sprintf("no gold paragraph among the %d passages searched (a retrieval miss)", len(ps)))
			}
			t.Logf("%s FAIL %q: %s%s", q.ID, q.Question, strings.Join(problems, "; "), describe(ps, x))
		} else {
			t.Logf("%s ok %q%s", q.ID, q.Question, describe(ps, x))
			if q.Answerable {
				passed++
			} else {
				declined++
			}
		}

		y := extract(q.Question, all)
		if problems := judge(q, all, y, fileOf); len(problems) > 0 {
			t.Logf("%s FAIL over all paragraphs %q: %s%s", q.ID, q.Question, strings.Join(problems, "; "), describe(all, y))
		} else if q.Answerable {
			passedAll++
		} else {
			declinedAll++
		}
	}
	t.Logf("story extractive: %d/%d answerable pass, %d/%d unanswerable abstain", passed, answerable, declined, unanswerable)
	t.Logf("story extractive over all %d paragraphs: %d/%d answerable pass, %d/%d unanswerable abstain",
		len(all), passedAll, answerable, declinedAll, unanswerable)
	if answerable != 13 || unanswerable != 2 {
		t.Errorf("read %d answerable and %d unanswerable questions; want 13 and 2", answerable, unanswerable)
	}
	if passed < minStoryAnswered {
		t.Errorf("%d/%d answerable questions pass; want at least %d", passed, answerable, minStoryAnswered)
	}
	if declined < unanswerable {
		t.Errorf("%d of %d unanswerable questions were answered", unanswerable-declined, unanswerable)
	}
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
