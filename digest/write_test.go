package digest_test

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/byline-bot/byline/digest"
	"github.com/byline-bot/byline/knowledge"
	"github.com/byline-bot/byline/knowledge/ingest"
	"github.com/byline-bot/byline/stories"
)

// digestShared is the shared data folder beside the repository.
const digestShared = "../../shared"

// digestNow is when the digest tests' articles are ingested, and the
// engine's clock an hour later.
var digestNow = time.Date(2026, 11, 22, 8, 0, 0, 0, time.UTC)

// openDigestStore opens an empty store whose ingest clock is digestNow.
func openDigestStore(t *testing.T) *knowledge.Store {
	t.Helper()
	s, err := knowledge.Open(context.Background(), filepath.Join(t.TempDir(), "digest.db"), knowledge.Options{
		Now: func() time.Time { return digestNow },
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// storyStore returns a store holding the story's two articles: plain
// text with no title, date or outlet of their own (the first has a
// dateline naming one).
func storyStore(t *testing.T) *knowledge.Store {
	t.Helper()
	dir := filepath.Join(digestShared, "corpus", "story")
	if _, err := os.Stat(dir); err != nil {
		t.Fatalf("the story is read from ../shared/corpus/story beside the repository: %v", err)
	}
	s := openDigestStore(t)
	sum, err := ingest.Run(context.Background(), s, []string{dir}, ingest.Options{})
	if err != nil {
		t.Fatalf("ingest %s: %v", dir, err)
	}
	if sum.New != 2 || sum.Failed() != 0 {
		t.Fatalf("ingest %s: %s; want two new articles", dir, sum)
	}
	return s
}

// reutersDay stores the Reuters articles published on day (UTC) and
// returns the day's window. Only the day's lines are parsed, which keeps
// the test to a second or so.
func reutersDay(t *testing.T, s *knowledge.Store, day string) (time.Time, time.Time) {
	t.Helper()
	since, err := time.Parse("2006-01-02", day)
	if err != nil {
		t.Fatal(err)
	}
	until := since.Add(24 * time.Hour)
	path := filepath.Join(digestShared, "corpus", "reuters21578.jsonl.gz")
	f, err := os.Open(path)
	if err != nil {
		t.Fatalf("Reuters-21578 is read from ../shared/corpus beside the repository: %v", err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	var lines bytes.Buffer
	sc := bufio.NewScanner(zr)
	sc.Buffer(make([]byte, 1<<20), 32<<20)
	for sc.Scan() {
		if bytes.Contains(sc.Bytes(), []byte(day)) {
			lines.Write(sc.Bytes())
			lines.WriteByte('\n')
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	var arts []knowledge.Article
	err = ingest.ParseJSONLines(&lines, "reuters21578.jsonl", func(_ int, a knowledge.Article, err error) error {
		if err == nil && !a.Published.Before(since) && a.Published.Before(until) {
			arts = append(arts, a)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(arts) < 100 {
		t.Fatalf("%s holds %d articles of %s; want a busy day", path, len(arts), day)
	}
	res, err := s.Put(context.Background(), arts)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range res {
		if r.Err != nil {
			t.Fatal(r.Err)
		}
	}
	return since, until
}

// newDigestEngine returns a writer over store whose clock is an hour
// after digestNow, with a language model at server when it is not nil.
func newDigestEngine(t *testing.T, store *knowledge.Store, server *fakeLLM) *digest.Writer {
	t.Helper()
	return newWriter(t, store, server, digestNow.Add(time.Hour))
}

var markerRe = regexp.MustCompile(`\[(\d+)\]`)

// checkCitations checks what every digest promises of its citations:
// each marker names one, they are numbered 1..n in order of first use
// across the items, each item lists exactly the ones it uses, and each
// quote is verbatim from the paragraph it cites.
func checkCitations(t *testing.T, store *knowledge.Store, d digest.Digest) {
	t.Helper()
	next := 1
	for i, c := range d.Citations {
		if c.N != i+1 {
			t.Errorf("citation %d is numbered %d", i+1, c.N)
		}
	}
	for _, it := range d.Items {
		var inItem []int
		for _, m := range markerRe.FindAllStringSubmatch(it.Text, -1) {
			n, _ := strconv.Atoi(m[1])
			switch {
			case n < 1 || n > len(d.Citations):
				t.Errorf("item %q cites [%d] of %d citations: %q", it.Headline, n, len(d.Citations), it.Text)
				continue
			case n == next:
				next++
			case n > next:
				t.Errorf("[%d] is used before [%d]: citations are not in order of first use", n, next)
			}
			if !containsInt(inItem, n) {
				inItem = append(inItem, n)
			}
		}
		var listed []int
		for _, c := range it.Citations {
			listed = append(listed, c.N)
		}
		if diff := cmp.Diff(inItem, listed); diff != "" {
			t.Errorf("item %q lists other citations than it uses (-used +listed):\n%s", it.Headline, diff)
		}
	}
	if next != len(d.Citations)+1 {
		t.Errorf("%d citations, but the items use %d", len(d.Citations), next-1)
	}
	for _, c := range d.Citations {
		p, err := store.Passage(context.Background(), c.ArticleID, c.Paragraph)
		if err != nil {
			t.Errorf("citation %d: %v", c.N, err)
			continue
		}
		if c.Quote == "" || !strings.Contains(p.Text, c.Quote) {
			t.Errorf("citation %d quote %q is not verbatim from %s: %q", c.N, c.Quote, c.Ref(), p.Text)
		}
	}
}

func containsInt(ns []int, n int) bool {
	for _, m := range ns {
		if m == n {
			return true
		}
	}
	return false
}

// checkGolden compares got with testdata/name (go test -update rewrites
// it).
func checkGolden(t *testing.T, name, got string) {
	t.Helper()
	golden := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test ./digest -run Digest -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("%s (-want +got):\n%s", name, diff)
	}
}

// TestDigestStoryIsOneItem builds the extractive digest of the story: two
// outlets' accounts of one event, with no title, date or outlet in common,
// must make one item that cites both. The window is the default one, the
// day before the engine's clock.
func TestDigestStoryIsOneItem(t *testing.T) {
	store := storyStore(t)
	d, err := newDigestEngine(t, store, nil).Digest(context.Background(), digest.Request{})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("\n%s", d.Text)
	if d.Empty || d.Articles != 2 || d.Stories != 1 || len(d.Items) != 1 {
		t.Fatalf("empty %v, %d articles, %d stories, %d items; want 2 articles making one story", d.Empty, d.Articles, d.Stories, len(d.Items))
	}
	it := d.Items[0]
	if it.Accounts != 2 || len(it.ArticleIDs) != 2 {
		t.Errorf("the item has %d accounts and articles %v; want both articles", it.Accounts, it.ArticleIDs)
	}
	cited := make(map[string]bool)
	for _, c := range it.Citations {
		cited[c.ArticleID] = true
	}
	if len(cited) != 2 {
		t.Errorf("the item cites %d of the two articles: %q", len(cited), it.Text)
	}
	if !d.Since.Equal(digestNow.Add(-23*time.Hour)) || !d.Until.Equal(digestNow.Add(time.Hour)) {
		t.Errorf("window %v to %v; want the day before the clock", d.Since, d.Until)
	}
	if d.Model != "" || d.Note != "" {
		t.Errorf("model %q, note %q; want a quiet extractive digest", d.Model, d.Note)
	}
	checkCitations(t, store, d)
	if got := digest.Render(d); got != d.Text {
		t.Errorf("Text is not RenderDigest's:\n%s\n---\n%s", d.Text, got)
	}
	checkGolden(t, "digest_story.golden", digest.Render(d))
}

// earningsTitle matches the headline of an earnings table, such as
// "Kevex Corp <Kevx> 2Nd Qtr Jan 31 Net".
var earningsTitle = regexp.MustCompile(`(?i)\b(qtr|year|mths|months|calendar)\b.*\b(net|loss|profit|\d{4})\s*$`)

// TestDigestReutersDay groups a busy day of the wire (1987-03-02, about
// 560 articles from one outlet) and checks the groups are sensible: no
// blob, many real stories of several articles whose titles share a
// topic, earnings tables of different companies kept apart although they
// share every word of their boilerplate, re-sent copies counted once,
// and the day's big story (the coffee quota talks' collapse) first.
func TestDigestReutersDay(t *testing.T) {
	ctx := context.Background()
	store := openDigestStore(t)
	since, until := reutersDay(t, store, "1987-03-02")
	arts, err := store.Recent(ctx, knowledge.RecentOptions{Since: since, Until: until})
	if err != nil {
		t.Fatal(err)
	}
	grouped := stories.Group(arts)

	var multi, topical, withCopies, largest, members int
	for i, s := range grouped {
		titles := []string{}
		for _, a := range s.Accounts {
			titles = append(titles, a.Title)
		}
		n := len(s.Accounts)
		for _, cs := range s.Copies {
			n += len(cs)
			if len(cs) > 0 {
				withCopies++
			}
		}
		members += n
		largest = max(largest, n)
		if i < 12 {
			t.Logf("story %d: %d accounts, %d articles: %s", i+1, len(s.Accounts), n, strings.Join(titles, " | "))
		}
		if len(s.Accounts) < 2 {
			continue
		}
		multi++
		if shareAWord(titles) {
			topical++
		}
		// Earnings tables of different companies are not one story.
		var companies []string
		for _, title := range titles {
			if earningsTitle.MatchString(title) {
				companies = append(companies, strings.ToLower(strings.Fields(title)[0]))
			}
		}
		for _, c := range companies[min(1, len(companies)):] {
			if c != companies[0] {
				t.Errorf("earnings of different companies grouped: %s", strings.Join(titles, " | "))
				break
			}
		}
	}
	t.Logf("%d articles, %d grouped, %d of several accounts (%d with titles sharing a word), %d with copies, the largest %d articles",
		len(arts), len(grouped), multi, topical, withCopies, largest)
	if members != len(arts) {
		t.Errorf("the grouped hold %d articles of %d", members, len(arts))
	}
	if largest > 12 {
		t.Errorf("a story of %d articles: the grouping made a blob", largest)
	}
	if multi < 20 || multi > len(arts)/4 {
		t.Errorf("%d grouped of several accounts among %d articles; want a real grouping, neither none nor everything", multi, len(arts))
	}
	if topical*10 < multi*9 {
		t.Errorf("only %d of %d grouped of several accounts have titles sharing a word", topical, multi)
	}
	if withCopies == 0 {
		t.Error("no re-sent copy was folded into its original")
	}

	if diff := cmp.Diff(storyIDs(grouped), storyIDs(stories.Group(arts))); diff != "" {
		t.Errorf("the same articles grouped twice differ (-first +second):\n%s", diff)
	}

	// The story's two articles, among a day of unrelated wire copy, are
	// still one story, and it comes first: two outlets told it.
	dir := filepath.Join(digestShared, "corpus", "story")
	if _, err := ingest.Run(ctx, store, []string{dir}, ingest.Options{}); err != nil {
		t.Fatalf("ingest %s: %v", dir, err)
	}
	// Everything was ingested at digestNow; only the story is undated.
	ingested, err := store.Recent(ctx, knowledge.RecentOptions{Since: digestNow, Until: digestNow.Add(time.Second)})
	if err != nil {
		t.Fatal(err)
	}
	var story []knowledge.RecentArticle
	for _, a := range ingested {
		if a.Published.IsZero() {
			story = append(story, a)
		}
	}
	if len(story) != 2 {
		t.Fatalf("%d undated articles; want the story's two", len(story))
	}
	mixed := stories.Group(append(append([]knowledge.RecentArticle(nil), arts...), story...))
	want := []string{story[0].ID, story[1].ID}
	got := storyIDs(mixed[:1])[0]
	sort.Strings(want)
	sort.Strings(got)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("the first story among the day's (-the story +got):\n%s", diff)
	}

	d, err := newDigestEngine(t, store, nil).Digest(ctx, digest.Request{Since: since, Until: until, MaxItems: 5})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("\n%s", d.Text)
	if len(d.Items) != 5 || d.Articles != len(arts) || d.Stories != len(grouped) {
		t.Errorf("%d items of %d articles and %d grouped; want 5 of %d and %d", len(d.Items), d.Articles, d.Stories, len(arts), len(grouped))
	}
	if !strings.HasPrefix(d.Text, "News digest — 2 Mar 1987\n") {
		t.Errorf("title line %q", strings.SplitN(d.Text, "\n", 2)[0])
	}
	if len(d.Items) > 0 && !regexp.MustCompile(`(?i)\b(ico|coffee)\b`).MatchString(d.Items[0].Headline) {
		t.Errorf("the first item is %q; want the coffee quota talks", d.Items[0].Headline)
	}
	for _, it := range d.Items {
		if it.Accounts < 2 || len(it.Citations) < 2 {
			t.Errorf("item %q: %d accounts, %d citations; on this day the top grouped have several accounts, and two are quoted", it.Headline, it.Accounts, len(it.Citations))
		}
	}
	checkCitations(t, store, d)
}

// storyIDs lists the ids of each story's articles, accounts then copies.
func storyIDs(ss []stories.Story) [][]string {
	var out [][]string
	for _, s := range ss {
		var ids []string
		for _, a := range s.Accounts {
			ids = append(ids, a.ID)
		}
		for _, cs := range s.Copies {
			ids = append(ids, cs...)
		}
		out = append(out, ids)
	}
	return out
}

// shareAWord reports whether two of titles share a word that is neither
// short nor a common function word.
func shareAWord(titles []string) bool {
	seen := make(map[string]int)
	for i, title := range titles {
		for _, w := range strings.FieldsFunc(strings.ToLower(title), func(r rune) bool {
			return !('a' <= r && r <= 'z' || '0' <= r && r <= '9')
		}) {
			if len(w) < 3 || strings.Contains(" the and for with from into says said sees ", " "+w+" ") {
				continue
			}
			w = strings.TrimSuffix(w, "s")
			if j, ok := seen[w]; ok && j != i {
				return true
			}
			seen[w] = i
		}
	}
	return false
}

// TestDigestNothingNew asks for windows with nothing in them: no post,
// no model call, and the quiet-day line only when asked for.
func TestDigestNothingNew(t *testing.T) {
	store := storyStore(t)
	server := newFakeLLM(t, complete("## Something\nSomething happened [1]."))
	e := newDigestEngine(t, store, server)
	window := digest.Request{Since: digestNow.Add(time.Minute), Until: digestNow.Add(time.Hour)}
	tests := []struct {
		name     string
		quiet    bool
		sources  []string
		wantText string
	}{
		{name: "after the last ingest", wantText: ""},
		{name: "after the last ingest, quiet day", quiet: true,
			wantText: "Quiet day: nothing new in the news since 08:01 UTC, 22 Nov 2026."},
		{name: "filtered to an outlet with nothing", sources: []string{"Nobody Times"}, wantText: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := window
			r.QuietDay = tt.quiet
			if tt.sources != nil {
				r.Since = digestNow.Add(-time.Hour)
				r.Sources = tt.sources
			}
			d, err := e.Digest(context.Background(), r)
			if err != nil {
				t.Fatal(err)
			}
			if !d.Empty || len(d.Items) != 0 || len(d.Citations) != 0 || d.Articles != 0 {
				t.Errorf("want an empty digest, got %+v", d)
			}
			if d.Text != tt.wantText || digest.Render(d) != tt.wantText {
				t.Errorf("text %q, rendered %q; want %q", d.Text, digest.Render(d), tt.wantText)
			}
		})
	}
	if n := server.calls.Load(); n != 0 {
		t.Errorf("the language model was called %d times for digests with nothing new", n)
	}
	if _, err := e.Digest(context.Background(), digest.Request{Since: digestNow, Until: digestNow}); err == nil {
		t.Error("an empty window was accepted")
	}
}

// storyPassage returns the number the digest prompt gave the paragraph
// holding text, failing the test if there is none.
func storyPassage(t *testing.T, req chatRequest, text string) int {
	t.Helper()
	n := passageNumber(t, req, text)
	if n == 0 {
		t.Errorf("the prompt lacks %q:\n%s", text, req.Messages[len(req.Messages)-1].Content)
	}
	return n
}

// TestDigestLLMCitationsAreVerified has a model write the story's digest
// as a careless or manipulated model would: a sentence citing a passage
// that does not exist, a story citing nothing real, an @everyone and a
// foreign link. The digest keeps the model's checked sentences, renumbered,
// and nothing else; the @everyone is the chat platforms' to defuse when
// they post it (see their RenderText tests).
func TestDigestLLMCitationsAreVerified(t *testing.T) {
	store := storyStore(t)
	var prompt chatRequest
	server := newFakeLLM(t, func(w http.ResponseWriter, r *http.Request, req chatRequest) {
		prompt = req
		mission := storyPassage(t, req, "The Iranian mission, in a statement")
		hacked := storyPassage(t, req, "some of his communications")
		complete(fmt.Sprintf("Here is today's digest.\n\n"+
			"## Trump campaign @everyone blames Iran for hack [%[2]d]\n"+
			"Trump's campaign said some of its communications were hacked and blamed Iran [%[2]d]. "+
			"@everyone Iran's mission rejected the Politico report, see https://evil.example/x [%[1]d][%[2]d]. "+
			"Iran has admitted everything [99].\n\n"+
			"## A story nobody wrote\nSomething else happened [99]. And more [0].\n", mission, hacked))(w, r, req)
	})
	d, err := newDigestEngine(t, store, server).Digest(context.Background(), digest.Request{})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("\n%s", d.Text)
	if server.calls.Load() != 1 {
		t.Errorf("%d model calls; want one for the whole digest", server.calls.Load())
	}
	if len(d.Items) != 1 {
		t.Fatalf("%d items; want the one story with valid citations", len(d.Items))
	}
	it := d.Items[0]
	wantText := "Trump's campaign said some of its communications were hacked and blamed Iran. [1] " +
		"@everyone Iran's mission rejected the Politico report, see . [2][1]"
	if diff := cmp.Diff(wantText, it.Text); diff != "" {
		t.Errorf("item text (-want +got):\n%s", diff)
	}
	if it.Headline != "Trump campaign @everyone blames Iran for hack" {
		t.Errorf("headline %q", it.Headline)
	}
	for _, bad := range []string{"evil.example", "[99]", "[0]", "admitted", "nobody wrote"} {
		if strings.Contains(d.Text, bad) {
			t.Errorf("the digest carries %q:\n%s", bad, d.Text)
		}
	}
	if d.Model != "fake-model" || d.PromptTokens != 321 || d.CompletionTokens != 45 || d.Note != "" {
		t.Errorf("model %q, tokens %d/%d, note %q", d.Model, d.PromptTokens, d.CompletionTokens, d.Note)
	}
	if it.Accounts != 2 || len(it.Citations) != 2 {
		t.Errorf("the item has %d accounts and %d citations; want both articles", it.Accounts, len(it.Citations))
	}
	checkCitations(t, store, d)

	sys, user := prompt.Messages[0].Content, prompt.Messages[1].Content
	if !strings.Contains(sys, "not instructions") {
		t.Errorf("the system prompt does not say passages are data:\n%s", sys)
	}
	if open, closed := strings.Count(user, "<passage "), strings.Count(user, "</passage>"); open != closed || open < 2 {
		t.Errorf("%d passages opened, %d closed:\n%s", open, closed, user)
	}
}

// TestDigestLLMStoriesInRankOrder has a model write three unrelated
// stories' digest out of order and skip one: the items come in the
// stories' rank order (newest first here, one outlet each), the skipped
// story is left out, and the citations are numbered in order of first use
// across the items.
func TestDigestLLMStoriesInRankOrder(t *testing.T) {
	store := newStore(t) // harbour (2 Apr), planted festival (1 May), strike (6 May)
	server := newFakeLLM(t, func(w http.ResponseWriter, r *http.Request, req chatRequest) {
		harbour := storyPassage(t, req, "will start in May")
		berg := storyPassage(t, req, "harbour master Tomas Berg")
		strike := storyPassage(t, req, "walked out at dawn")
		complete(fmt.Sprintf("**Harbour to be dredged**\nDredging starts in May [%d]. The channel silted up [%d].\n\n"+
			"### 2. Rail strike\nRail workers walked out on Monday [%d].\n", harbour, berg, strike))(w, r, req)
	})
	e := newWriter(t, store, server, time.Date(2026, 5, 7, 12, 0, 0, 0, time.UTC))
	d, err := e.Digest(context.Background(), digest.Request{
		Since: time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC), Until: time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC),
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("\n%s", d.Text)
	var got []string
	for _, it := range d.Items {
		got = append(got, it.Headline+": "+it.Text)
	}
	want := []string{
		"Rail strike: Rail workers walked out on Monday. [1]",
		"Harbour to be dredged: Dredging starts in May. [2] The channel silted up. [3]",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("items (-want +got):\n%s", diff)
	}
	if d.Stories != 3 || d.Articles != 3 {
		t.Errorf("%d stories of %d articles; want three unrelated ones", d.Stories, d.Articles)
	}
	checkCitations(t, store, d)
	if !strings.HasPrefix(d.Text, "News digest — 1 Apr – 31 May 2026\n") {
		t.Errorf("title line %q", strings.SplitN(d.Text, "\n", 2)[0])
	}
}

// TestDigestLLMFallsBackToQuoting covers a model that fails and one whose
// every citation is invalid: either way the digest is quoted from the
// articles and says why.
func TestDigestLLMFallsBackToQuoting(t *testing.T) {
	tests := []struct {
		name  string
		reply func(http.ResponseWriter, *http.Request, chatRequest)
	}{
		{"server error", func(w http.ResponseWriter, r *http.Request, req chatRequest) {
			http.Error(w, `{"error":{"message":"boom","type":"server_error"}}`, http.StatusInternalServerError)
		}},
		{"only phantom citations", complete("## Iran hacked the campaign\nIran hacked the campaign [7]. Everyone agrees [12].")},
		{"no citations", complete("## Iran hacked the campaign\nIran hacked the campaign.")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			store := storyStore(t)
			server := newFakeLLM(t, tt.reply)
			d, err := newDigestEngine(t, store, server).Digest(context.Background(), digest.Request{})
			if err != nil {
				t.Fatal(err)
			}
			if len(d.Items) != 1 || d.Model != "" || d.Note == "" {
				t.Fatalf("want the quoted digest with a note; got %d items, model %q, note %q", len(d.Items), d.Model, d.Note)
			}
			if !strings.HasSuffix(d.Text, "_"+d.Note+"_") {
				t.Errorf("the note is not shown:\n%s", d.Text)
			}
			checkCitations(t, store, d)
		})
	}
}

// TestDigestLLMFormats reads the ways models lay out a digest: markdown
// headings with or without numbers, bold lines, an introduction, no
// heading at all.
func TestDigestLLMFormats(t *testing.T) {
	tests := []struct {
		name, format string // format has %d for the cited passage
		want         string // the headline
	}{
		{"heading", "## Iran denies role in hack\nIran's mission rejected the report [%d].", "Iran denies role in hack"},
		{"numbered story", "Sure! Here is the digest.\n\n# Story 1: Iran denies role in hack\n\nIran's mission rejected the report [%d].\n", "Iran denies role in hack"},
		{"number only", "### Story 1\nIran's mission rejected the report [%d].", "The Iranian mission, in a statement, rejected the report published by…"},
		{"bold", "**Iran denies role in hack**\nIran's mission rejected the report [%d].", "Iran denies role in hack"},
		{"no heading", "Iran's mission rejected the report [%d].", "The Iranian mission, in a statement, rejected the report published by…"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			store := storyStore(t)
			server := newFakeLLM(t, func(w http.ResponseWriter, r *http.Request, req chatRequest) {
				complete(fmt.Sprintf(tt.format, storyPassage(t, req, "The Iranian mission, in a statement")))(w, r, req)
			})
			d, err := newDigestEngine(t, store, server).Digest(context.Background(), digest.Request{})
			if err != nil {
				t.Fatal(err)
			}
			if len(d.Items) != 1 || d.Model == "" {
				t.Fatalf("%d items, model %q, note %q; want the model's one item", len(d.Items), d.Model, d.Note)
			}
			if got := d.Items[0].Headline; got != tt.want {
				t.Errorf("headline %q, want %q", got, tt.want)
			}
			if got, want := d.Items[0].Text, "Iran's mission rejected the report. [1]"; got != want {
				t.Errorf("text %q, want %q", got, want)
			}
			checkCitations(t, store, d)
		})
	}
}

// TestDigestPromptGolden renders the story's digest prompt and compares
// it with testdata/digest_prompt.golden (go test -update rewrites it).
func TestDigestPromptGolden(t *testing.T) {
	store := storyStore(t)
	var got strings.Builder
	server := newFakeLLM(t, func(w http.ResponseWriter, r *http.Request, req chatRequest) {
		for _, m := range req.Messages {
			fmt.Fprintf(&got, "=== %s\n%s\n", m.Role, m.Content)
		}
		complete("")(w, r, req)
	})
	if _, err := newDigestEngine(t, store, server).Digest(context.Background(), digest.Request{}); err != nil {
		t.Fatal(err)
	}
	checkGolden(t, "digest_prompt.golden", got.String())
}

// TestDigestLocation writes the dates in the channel's time zone.
func TestDigestLocation(t *testing.T) {
	store := storyStore(t)
	tokyo := time.FixedZone("JST", 9*60*60)
	d, err := newDigestEngine(t, store, nil).Digest(context.Background(), digest.Request{
		Since: digestNow.Add(-time.Hour), Until: digestNow.Add(16 * time.Hour), Location: tokyo,
	})
	if err != nil {
		t.Fatal(err)
	}
	// 16:00 JST on 22 Nov to 09:00 JST on 23 Nov: the last moment is on
	// the 23rd there, the 22nd in UTC.
	if !strings.HasPrefix(d.Text, "News digest — 23 Nov 2026\n") {
		t.Errorf("title line %q; want the date in Tokyo", strings.SplitN(d.Text, "\n", 2)[0])
	}
	if d.Until.Location() != tokyo {
		t.Errorf("Until is in %v", d.Until.Location())
	}
}

// A model's headline the story's articles do not back is replaced by the
// story's own title, though the sentences under it check out.
func TestDigestLLMHeadlineIsChecked(t *testing.T) {
	store := newStore(t)
	server := newFakeLLM(t, func(w http.ResponseWriter, r *http.Request, req chatRequest) {
		strike := storyPassage(t, req, "walked out at dawn")
		complete(fmt.Sprintf("## Valley Rail chief arrested for fraud\nRail workers walked out on Monday [%d].\n", strike))(w, r, req)
	})
	e := newWriter(t, store, server, time.Date(2026, 5, 7, 12, 0, 0, 0, time.UTC))
	d, err := e.Digest(context.Background(), digest.Request{
		Since: time.Date(2026, 5, 5, 0, 0, 0, 0, time.UTC), Until: time.Date(2026, 5, 7, 0, 0, 0, 0, time.UTC),
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Items) != 1 || d.Items[0].Headline != "Rail workers strike over rosters" {
		t.Errorf("items %+v, want the strike under its own title", d.Items)
	}
	if strings.Contains(d.Text, "arrested") {
		t.Errorf("the unbacked headline was posted:\n%s", d.Text)
	}
}
