package answer_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/byline-bot/byline/answer"
	"github.com/byline-bot/byline/knowledge"
	"github.com/byline-bot/byline/knowledge/ingest"
)

// storyDir holds the story's two articles, in the shared data folder
// beside the repository.
const storyDir = "../../shared/corpus/story"

// knownMisses are the scripted answers the verifier gets wrong today: a
// faithful sentence it drops, or an unfaithful one it lets through. The
// test insists that each is still wrong, so that a fix to the verifier
// must take its id off this list, and that every other answer is right.
var knownMisses = map[string]bool{
	// An unfaithful sentence the verifier lets through: one verb of its
	// own ("won") in an otherwise cited sentence, as many words as a
	// faithful paraphrase brings ("put out" for "issued"); telling them
	// apart needs word senses the verifier does not have.
	"u13": true,
}

// scriptedAnswer is one line of testdata/scripted/story.jsonl: a question
// and the answer a model returns to it, sentence by sentence.
type scriptedAnswer struct {
	ID       string `json:"id"`
	Question string `json:"question"`
	// Label is "faithful" (every sentence must reach the user with its
	// citations) or "unfaithful" (each bad sentence must not).
	Label string `json:"label"`
	// Kind says how the answer is faithful or unfaithful.
	Kind      string `json:"kind"`
	Sentences []struct {
		// Text cites passages by key, [[FILE#N]]: the paragraph N of the
		// story file FILE, numbered as Byline stores it (1-based).
		Text string `json:"text"`
		// Bad marks a sentence that misstates what it cites.
		Bad bool `json:"bad"`
	} `json:"sentences"`
}

// scriptKey is a citation by passage in a script: [[000_55d4c79716eb7a30.txt#7]].
var scriptKey = regexp.MustCompile(`\[\[([^\]#]+)#(\d+)\]\]`)

// unfaithfulKinds are the ways a scripted answer may misstate the story.
var unfaithfulKinds = map[string]bool{
	"wrong_number": true, "wrong_entity": true, "wrong_speaker": true,
	"outside_fact": true, "flipped_negation": true, "wrong_citation": true,
}

func readScripted(t *testing.T) []scriptedAnswer {
	t.Helper()
	path := filepath.Join("testdata", "scripted", "story.jsonl")
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []scriptedAnswer
	sc := bufio.NewScanner(f)
	for line := 1; sc.Scan(); line++ {
		if strings.TrimSpace(sc.Text()) == "" {
			continue
		}
		var s scriptedAnswer
		if err := json.Unmarshal(sc.Bytes(), &s); err != nil {
			t.Fatalf("%s:%d: %v", path, line, err)
		}
		out = append(out, s)
	}
	if err := sc.Err(); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return out
}

// scriptedLLM is the fake model's state: the script it answers the next
// request with, and what it found missing from that request's prompt.
type scriptedLLM struct {
	text map[string]string // "FILE#N" -> the paragraph's stored text

	mu      sync.Mutex
	script  scriptedAnswer
	calls   int
	missing []string // keys whose paragraph was not among the prompt's passages
}

// promptPassage matches one passage of the answer prompt, as
// prompts/templates/answer_user.tmpl writes it.
var promptPassage = regexp.MustCompile(`(?s)<passage n="(\d+)"[^>]*>\n(.*?)\n</passage>`)

// reply writes the script's answer, each [[FILE#N]] turned into the [n] of
// the passage that carries paragraph N of FILE in the prompt received, as
// a model would number it.
func (f *scriptedLLM) reply(w http.ResponseWriter, r *http.Request, req chatRequest) {
	f.mu.Lock()
	f.calls++
	number := make(map[string]string) // paragraph text -> n
	user := req.Messages[len(req.Messages)-1].Content
	for _, m := range promptPassage.FindAllStringSubmatch(user, -1) {
		number[m[2]] = m[1]
	}
	var sentences []string
	for _, s := range f.script.Sentences {
		sentences = append(sentences, scriptKey.ReplaceAllStringFunc(s.Text, func(k string) string {
			m := scriptKey.FindStringSubmatch(k)
			key := m[1] + "#" + m[2]
			if n, ok := number[f.text[key]]; ok {
				return "[" + n + "]"
			}
			f.missing = append(f.missing, key)
			return ""
		}))
	}
	f.mu.Unlock()
	complete(strings.Join(sentences, " "))(w, r, req)
}

// TestScriptedAnswers has a local OpenAI-compatible server answer story
// questions with scripted model answers, through the real client and the
// whole engine over a real store of the story, and checks what reaches
// the user: each sentence of a faithful answer, with its citations; none
// of the bad sentences of an unfaithful one.
func TestScriptedAnswers(t *testing.T) {
	ctx := context.Background()
	if _, err := os.Stat(storyDir); err != nil {
		t.Fatalf("the story is read from ../shared/corpus/story beside the repository: %v", err)
	}
	store, err := knowledge.Open(ctx, filepath.Join(t.TempDir(), "story.db"), knowledge.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	sum, err := ingest.Run(ctx, store, []string{storyDir}, ingest.Options{})
	if err != nil || sum.New != 2 || sum.Failed() != 0 {
		t.Fatalf("ingest %s: %v %v; want two new articles", storyDir, sum, err)
	}
	list, err := store.Articles(ctx, knowledge.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	fake := &scriptedLLM{text: make(map[string]string)}
	articleOf := make(map[string]string) // file name -> article id
	for _, a := range list {
		for _, ref := range a.Refs {
			articleOf[filepath.Base(ref)] = a.ID
		}
		for n := 1; n <= a.Paragraphs; n++ {
			p, err := store.Passage(ctx, a.ID, n)
			if err != nil {
				t.Fatal(err)
			}
			for _, ref := range a.Refs {
				fake.text[filepath.Base(ref)+"#"+strconv.Itoa(n)] = p.Text
			}
		}
	}
	server := newFakeLLM(t, fake.reply)
	// The cache is off: several scripts answer the same question.
	e := newEngine(t, store, server, func(o *answer.Options) { o.CacheTTL = -1 })

	scripts := readScripted(t)
	labels := map[string]int{}
	seen := map[string]bool{}
	for _, s := range scripts {
		if problem := checkScript(s, fake.text); problem != "" {
			t.Fatalf("%s: %s", s.ID, problem)
		}
		if seen[s.ID] {
			t.Fatalf("%s: id used twice", s.ID)
		}
		seen[s.ID] = true
		labels[s.Label]++
	}
	for id := range knownMisses {
		if !seen[id] {
			t.Errorf("knownMisses names %s, which is not a scripted answer", id)
		}
	}
	if labels["faithful"] < 15 || labels["unfaithful"] < 15 {
		t.Errorf("%d faithful and %d unfaithful scripted answers; want at least 15 of each", labels["faithful"], labels["unfaithful"])
	}

	var kept, caught, unasked int
	var mismatches []string
	for _, s := range scripts {
		fake.mu.Lock()
		fake.script, fake.calls, fake.missing = s, 0, nil
		fake.mu.Unlock()
		a, err := e.Ask(ctx, answer.Question{Text: s.Question})
		if err != nil {
			t.Fatalf("%s: %v", s.ID, err)
		}
		fake.mu.Lock()
		calls, missing := fake.calls, fake.missing
		fake.mu.Unlock()
		problem, asked := judgeScripted(s, a, calls, missing, articleOf)
		if !asked {
			unasked++
		}
		switch {
		case problem == "" && s.Label == "faithful":
			kept++
		case problem == "":
			caught++
		default:
			mismatches = append(mismatches, fmt.Sprintf("%s (%s, %s) %q: %s\n    shown: %s", s.ID, s.Label, s.Kind, s.Question, problem, a.Text))
		}
		switch {
		case problem != "" && !knownMisses[s.ID]:
			t.Errorf("%s (%s, %s): %s", s.ID, s.Label, s.Kind, problem)
		case problem == "" && knownMisses[s.ID]:
			t.Errorf("%s (%s, %s) is right now: take it off knownMisses", s.ID, s.Label, s.Kind)
		}
	}
	t.Logf("scripted: faithful kept %d/%d, unfaithful caught %d/%d", kept, labels["faithful"], caught, labels["unfaithful"])
	t.Logf("scripted: %d of the %d mismatches are retrieval's: the model was not offered a cited paragraph", unasked, len(mismatches))
	for _, m := range mismatches {
		t.Logf("mismatch %s", m)
	}
}

// checkScript reports what is wrong with a script as test data, if
// anything.
func checkScript(s scriptedAnswer, text map[string]string) string {
	if s.ID == "" || strings.TrimSpace(s.Question) == "" || len(s.Sentences) == 0 {
		return "needs an id, a question and sentences"
	}
	bad := 0
	for _, sen := range s.Sentences {
		keys := scriptKey.FindAllStringSubmatch(sen.Text, -1)
		if len(keys) == 0 {
			return fmt.Sprintf("sentence %q cites nothing", sen.Text)
		}
		for _, k := range keys {
			if _, ok := text[k[1]+"#"+k[2]]; !ok {
				return fmt.Sprintf("%s#%s is not a stored paragraph", k[1], k[2])
			}
		}
		if sen.Bad {
			bad++
		}
	}
	switch {
	case s.Label == "faithful" && bad > 0:
		return "a faithful answer has a bad sentence"
	case s.Label == "unfaithful" && bad == 0:
		return "an unfaithful answer has no bad sentence"
	case s.Label == "unfaithful" && !unfaithfulKinds[s.Kind]:
		return fmt.Sprintf("unfaithful kind %q is none of %v", s.Kind, unfaithfulKinds)
	case s.Label != "faithful" && s.Label != "unfaithful":
		return fmt.Sprintf("label %q is neither faithful nor unfaithful", s.Label)
	}
	return ""
}

// shownMarkers matches the citation markers the engine puts after a kept
// sentence: "[1]", "[1][2]".
var shownMarkers = regexp.MustCompile(`^\s*((?:\[\d+\])+)`)

// judgeScripted says what the engine got wrong with a script's answer, or
// "" when it got it right, and whether the verifier was put to the test:
// whether the model was asked with every paragraph the script cites among
// the prompt's passages. A faithful sentence must be shown as written
// (bar its markers) and followed by a citation of every paragraph it
// cites; a bad sentence must not be shown. A script whose cited paragraph
// the prompt did not carry, or that the model was never asked for, tests
// nothing of the verifier and is wrong either way: for a faithful one the
// user never sees the claim, and an unfaithful one caught that way is not
// caught by the verifier.
func judgeScripted(s scriptedAnswer, a answer.Answer, calls int, missing []string, articleOf map[string]string) (string, bool) {
	if calls == 0 {
		return "the model was never asked (retrieval found nothing)", false
	}
	if len(missing) > 0 {
		return fmt.Sprintf("cited paragraphs not among the prompt's passages: %v", missing), false
	}
	var problems []string
	for _, sen := range s.Sentences {
		claim := shownClaim(sen.Text)
		i := strings.Index(a.Text, claim)
		if sen.Bad {
			if i >= 0 && !a.Abstained {
				problems = append(problems, fmt.Sprintf("shown: %q", claim))
			}
			continue
		}
		if s.Label != "faithful" {
			continue
		}
		if a.Abstained || i < 0 {
			problems = append(problems, fmt.Sprintf("dropped: %q", claim))
			continue
		}
		cited := map[string]bool{}
		if m := shownMarkers.FindStringSubmatch(a.Text[i+len(claim):]); m != nil {
			for _, n := range regexp.MustCompile(`\d+`).FindAllString(m[1], -1) {
				k, _ := strconv.Atoi(n)
				if k >= 1 && k <= len(a.Citations) {
					cited[a.Citations[k-1].Ref()] = true
				}
			}
		}
		for _, k := range scriptKey.FindAllStringSubmatch(sen.Text, -1) {
			if ref := articleOf[k[1]] + "#" + k[2]; !cited[ref] {
				problems = append(problems, fmt.Sprintf("%q shown without its citation of %s", claim, ref))
			}
		}
	}
	return strings.Join(problems, "; "), true
}

// shownClaim is a scripted sentence as the engine shows it when it keeps
// it: without its markers, spaces collapsed, no space before a stop.
func shownClaim(text string) string {
	s := strings.Join(strings.Fields(scriptKey.ReplaceAllString(text, "")), " ")
	return strings.ReplaceAll(s, " .", ".")
}
