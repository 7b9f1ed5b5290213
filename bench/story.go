package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"github.com/byline-bot/byline/answer"
	"github.com/byline-bot/byline/knowledge"
	"github.com/byline-bot/byline/knowledge/ingest"
)

// paraQuestion is one question of eval/story-paraphrases.jsonl, or of the
// public story questions with their gold resolved to paragraph numbers.
type paraQuestion struct {
	ID         string `json:"id"`
	Question   string `json:"question"`
	Lang       string `json:"lang"`
	Intent     string `json:"intent"`
	Answerable bool   `json:"answerable"`
	Gold       []struct {
		SourceFile string `json:"source_file"`
		Paragraph  int    `json:"paragraph"`
		// Contains is how the public questions name a gold paragraph: by
		// text it contains. It is resolved to Paragraph when read.
		Contains string `json:"contains"`
	} `json:"gold"`
	AnswerMentions []string `json:"answer_mentions"`
}

// storyReply is what one answerer made of a question, as the scoring reads
// it.
type storyReply struct {
	abstained bool
	text      string
	cites     []string // "file#paragraph" of each citation
}

// replyOf is an engine's answer as the story scoring reads it, its
// citations named by file and paragraph.
func replyOf(a answer.Answer, fileOf map[string]string) storyReply {
	r := storyReply{abstained: a.Abstained, text: a.Text}
	for _, c := range a.Citations {
		r.cites = append(r.cites, fmt.Sprintf("%s#%d", fileOf[c.ArticleID], c.Paragraph))
	}
	return r
}

// runParaphrase asks the paraphrase set and the public story questions of
// the story through the extractive engine and through the 20-line
// baseline, over a fresh store of the story's two articles, and scores
// both the same way.
func runParaphrase(ctx context.Context, shared, evalPath, dir string, opts knowledge.Options) (string, error) {
	store, all, fileOf, err := openStory(ctx, shared, filepath.Join(dir, "story-paraphrase.db"), opts)
	if err != nil {
		return "", err
	}
	defer store.Close()
	list, err := store.Articles(ctx, knowledge.ListOptions{})
	if err != nil {
		return "", err
	}
	eng, err := answer.New(answer.Options{Store: mustLibrary(store), CacheTTL: -1})
	if err != nil {
		return "", err
	}
	ref := func(articleID string, paragraph int) string {
		return fmt.Sprintf("%s#%d", fileOf[articleID], paragraph)
	}
	byline := func(q string) (storyReply, error) {
		a, err := eng.Ask(ctx, answer.Question{Text: q})
		if err != nil {
			return storyReply{}, err
		}
		return replyOf(a, fileOf), nil
	}
	baseline := func(q string) (storyReply, error) {
		ps, err := store.Search(ctx, knowledge.Query{Text: q, Limit: 1})
		if err != nil {
			return storyReply{}, err
		}
		if len(ps) == 0 {
			// It never abstains, but with no paragraph found it has
			// nothing to say, which is scored as an abstention.
			return storyReply{abstained: true}, nil
		}
		return storyReply{text: bestSentence(q, ps[0].Text), cites: []string{ref(ps[0].ArticleID, ps[0].Paragraph)}}, nil
	}

	var b strings.Builder
	b.WriteString("## The story: paraphrased questions, extractive answers\n\n")
	fmt.Fprintf(&b, "The story's %d articles (%d paragraphs) in a fresh store; `Engine.Ask` with no LLM, cache off. ", len(list), len(all))
	b.WriteString("Right: an answerable question answered (not abstained), citing a gold paragraph and containing one of its `answer_mentions` (case-insensitive); an unanswerable one abstained. ")
	b.WriteString("Baseline (the 20 lines of issue 13): the top paragraph of `Store.Search` for the question, the sentence of it sharing most question words, never abstaining (a question for which the search finds no paragraph gets no answer, counted as an abstention), scored the same way.\n\n")

	sets := []struct{ name, path string }{
		{"paraphrase set (`" + evalPath + "`)", evalPath},
		{"public story questions (`" + filepath.Join(shared, "eval", "story-questions.jsonl") + "`)", filepath.Join(shared, "eval", "story-questions.jsonl")},
	}
	for _, set := range sets {
		qs, err := readParaQuestions(set.path, all, fileOf)
		if err != nil {
			return "", err
		}
		var ours, base storyTally
		for _, q := range qs {
			r, err := byline(q.Question)
			if err != nil {
				return "", fmt.Errorf("%s: %w", q.ID, err)
			}
			ours.add(q, r)
			r, err = baseline(q.Question)
			if err != nil {
				return "", fmt.Errorf("%s: %w", q.ID, err)
			}
			base.add(q, r)
		}
		fmt.Fprintf(&b, "### %s: %d questions\n\n", set.name, len(qs))
		b.WriteString("| answerer | right | answerable right | unanswerable abstained |\n|---|---|---|---|\n")
		for _, row := range []struct {
			name string
			t    *storyTally
		}{{"Byline `Engine.Ask`, extractive", &ours}, {"baseline", &base}} {
			fmt.Fprintf(&b, "| %s | %d/%d | %d/%d | %d/%d |\n", row.name, row.t.total.right, row.t.total.n,
				row.t.answerable.right, row.t.answerable.n, row.t.unanswerable.right, row.t.unanswerable.n)
		}
		b.WriteString("\n")
		b.WriteString(tallyTable("intent", ours.byIntent, base.byIntent))
		b.WriteString(tallyTable("language", ours.byLang, base.byLang))
		fmt.Fprintf(&b, "Wrong, Byline (%d):\n\n", len(ours.wrong))
		for _, w := range ours.wrong {
			b.WriteString(w)
		}
		fmt.Fprintf(&b, "\nWrong, baseline (%d):\n\n", len(base.wrong))
		for _, w := range base.wrong {
			b.WriteString(w)
		}
		b.WriteString("\n")
	}
	return b.String(), nil
}

// openStory ingests the story's articles into a fresh store at dbPath as
// `bot ingest` does, and returns it with every stored paragraph and the
// file name of each article id.
func openStory(ctx context.Context, shared, dbPath string, opts knowledge.Options) (*knowledge.Store, []knowledge.Passage, map[string]string, error) {
	removeDB(dbPath)
	store, err := knowledge.Open(ctx, dbPath, opts)
	if err != nil {
		return nil, nil, nil, err
	}
	fail := func(err error) (*knowledge.Store, []knowledge.Passage, map[string]string, error) {
		store.Close()
		return nil, nil, nil, err
	}
	sum, err := ingest.Run(ctx, store, []string{filepath.Join(shared, "corpus", "story")}, ingest.Options{})
	if err != nil {
		return fail(err)
	}
	if sum.Failed() > 0 {
		return fail(fmt.Errorf("ingest the story: %s", sum))
	}
	list, err := store.Articles(ctx, knowledge.ListOptions{})
	if err != nil {
		return fail(err)
	}
	fileOf := make(map[string]string) // article id -> file name
	var all []knowledge.Passage
	for _, a := range list {
		for _, ref := range a.Refs {
			fileOf[a.ID] = filepath.Base(ref)
		}
		for n := 1; n <= a.Paragraphs; n++ {
			p, err := store.Passage(ctx, a.ID, n)
			if err != nil {
				return fail(err)
			}
			all = append(all, p)
		}
	}
	return store, all, fileOf, nil
}

// readParaQuestions reads a story question file. Gold given as text a
// paragraph contains (the public questions' form) is resolved to that
// paragraph's number; gold naming no stored paragraph is an error, so a
// mistyped set cannot score quietly.
func readParaQuestions(path string, all []knowledge.Passage, fileOf map[string]string) ([]paraQuestion, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("the story questions are read from the repository's eval/ and ../shared: %w", err)
	}
	defer f.Close()
	exists := make(map[string]bool)
	for _, p := range all {
		exists[fmt.Sprintf("%s#%d", fileOf[p.ArticleID], p.Paragraph)] = true
	}
	var out []paraQuestion
	sc := bufio.NewScanner(f)
	for line := 1; sc.Scan(); line++ {
		if strings.TrimSpace(sc.Text()) == "" {
			continue
		}
		var q paraQuestion
		if err := json.Unmarshal(sc.Bytes(), &q); err != nil {
			return nil, fmt.Errorf("%s:%d: %w", path, line, err)
		}
		if q.Lang == "" {
			q.Lang = "en"
		}
		if q.Intent == "" {
			q.Intent = "(none)"
		}
		for i, g := range q.Gold {
			if g.Contains != "" {
				for _, p := range all {
					if fileOf[p.ArticleID] == g.SourceFile && strings.Contains(p.Text, g.Contains) {
						q.Gold[i].Paragraph = p.Paragraph
					}
				}
			}
			if !exists[fmt.Sprintf("%s#%d", g.SourceFile, q.Gold[i].Paragraph)] {
				return nil, fmt.Errorf("%s:%d: %s: gold %s paragraph %d %q is not a stored paragraph", path, line, q.ID, g.SourceFile, q.Gold[i].Paragraph, g.Contains)
			}
		}
		if q.Answerable && (len(q.Gold) == 0 || len(q.AnswerMentions) == 0) {
			return nil, fmt.Errorf("%s:%d: %s is answerable but has no gold or no answer_mentions", path, line, q.ID)
		}
		out = append(out, q)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s holds no questions", path)
	}
	return out, nil
}

// storyRight scores one reply: what is wrong with it, or "" when right.
func storyRight(q paraQuestion, r storyReply) string {
	if !q.Answerable {
		if r.abstained {
			return ""
		}
		return "answered a question the articles don't answer"
	}
	if r.abstained || r.text == "" {
		return "abstained"
	}
	var problems []string
	gold := false
	for _, c := range r.cites {
		for _, g := range q.Gold {
			if c == fmt.Sprintf("%s#%d", g.SourceFile, g.Paragraph) {
				gold = true
			}
		}
	}
	if !gold {
		problems = append(problems, "cites no gold paragraph")
	}
	mentioned := false
	lower := strings.ToLower(r.text)
	for _, m := range q.AnswerMentions {
		if strings.Contains(lower, strings.ToLower(m)) {
			mentioned = true
		}
	}
	if !mentioned {
		problems = append(problems, fmt.Sprintf("mentions none of %q", q.AnswerMentions))
	}
	return strings.Join(problems, "; ")
}

type count struct{ right, n int }

func (c *count) add(ok bool) {
	c.n++
	if ok {
		c.right++
	}
}

// storyTally accumulates the scores of one answerer over one set.
type storyTally struct {
	total, answerable, unanswerable count
	byIntent, byLang                map[string]*count
	wrong                           []string
}

func (t *storyTally) add(q paraQuestion, r storyReply) {
	if t.byIntent == nil {
		t.byIntent, t.byLang = make(map[string]*count), make(map[string]*count)
	}
	problem := storyRight(q, r)
	ok := problem == ""
	t.total.add(ok)
	if q.Answerable {
		t.answerable.add(ok)
	} else {
		t.unanswerable.add(ok)
	}
	for _, m := range []struct {
		m   map[string]*count
		key string
	}{{t.byIntent, q.Intent}, {t.byLang, q.Lang}} {
		if m.m[m.key] == nil {
			m.m[m.key] = new(count)
		}
		m.m[m.key].add(ok)
	}
	if ok {
		return
	}
	what := "; answered: " + clipRunes(strings.Join(strings.Fields(r.text), " "), 220)
	if r.abstained {
		what = ""
	}
	var gold []string
	for _, g := range q.Gold {
		gold = append(gold, fmt.Sprintf("%s#%d", g.SourceFile, g.Paragraph))
	}
	t.wrong = append(t.wrong, fmt.Sprintf("- %s %q (%s): %s%s; cites %v; gold %v\n", q.ID, q.Question, q.Intent, problem, what, r.cites, gold))
}

// tallyTable prints right/total per key of by, for Byline and the baseline.
func tallyTable(name string, ours, base map[string]*count) string {
	var keys []string
	for k := range ours {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	fmt.Fprintf(&b, "| %s | Byline | baseline |\n|---|---|---|\n", name)
	for _, k := range keys {
		o, p := ours[k], base[k]
		fmt.Fprintf(&b, "| %s | %d/%d | %d/%d |\n", k, o.right, o.n, p.right, p.n)
	}
	b.WriteString("\n")
	return b.String()
}

// sentenceEnd splits the baseline's paragraph into sentences: a stop,
// question or exclamation mark, perhaps a closing quote, then space.
var sentenceEnd = regexp.MustCompile(`[.!?]["”’']?\s+`)

// bestSentence returns the sentence of text that holds the most distinct
// question words that are not stop words, the first of equals.
func bestSentence(question, text string) string {
	want := make(map[string]bool)
	for _, w := range baselineWords(question) {
		if !baselineStop[w] {
			want[w] = true
		}
	}
	var sentences []string
	last := 0
	for _, loc := range sentenceEnd.FindAllStringIndex(text, -1) {
		sentences = append(sentences, text[last:loc[1]])
		last = loc[1]
	}
	if last < len(text) {
		sentences = append(sentences, text[last:])
	}
	best, bestN := text, -1
	for _, s := range sentences {
		seen := make(map[string]bool)
		for _, w := range baselineWords(s) {
			if want[w] {
				seen[w] = true
			}
		}
		if len(seen) > bestN {
			best, bestN = s, len(seen)
		}
	}
	return strings.TrimSpace(best)
}

// baselineWords lower-cases s and cuts it into words as baselineExpr does.
func baselineWords(s string) []string {
	return strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r > 127)
	})
}

func clipRunes(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// storyScore asks every question of the story question file at evalPath
// through the extractive engine over a fresh store of the story and
// returns the tally.
func storyScore(ctx context.Context, shared, evalPath, dbPath string) (storyTally, error) {
	store, all, fileOf, err := openStory(ctx, shared, dbPath, knowledge.Options{})
	if err != nil {
		return storyTally{}, err
	}
	defer store.Close()
	eng, err := answer.New(answer.Options{Store: mustLibrary(store), CacheTTL: -1})
	if err != nil {
		return storyTally{}, err
	}
	qs, err := readParaQuestions(evalPath, all, fileOf)
	if err != nil {
		return storyTally{}, err
	}
	var t storyTally
	for _, q := range qs {
		a, err := eng.Ask(ctx, answer.Question{Text: q.Question})
		if err != nil {
			return storyTally{}, fmt.Errorf("%s: %w", q.ID, err)
		}
		t.add(q, replyOf(a, fileOf))
	}
	return t, nil
}
