package answer

import (
	"context"
	"strings"
	"unicode/utf8"

	"github.com/byline-bot/byline/cite"
	"github.com/byline-bot/byline/knowledge"
	"github.com/byline-bot/byline/llm"
	"github.com/byline-bot/byline/prompts"

	"github.com/byline-bot/byline/text"
)

// promptPassage is a passage as the answer prompt shows it.
type promptPassage struct {
	N         int
	Source    string
	Published string
	Title     string
	Text      string
}

// promptData is what the answer templates are rendered with.
type promptData struct {
	Abstain  string
	Today    string
	History  []Turn
	Passages []promptPassage
	Question string
}

// maxHistoryTurns is how many earlier turns the prompt repeats.
const maxHistoryTurns = 3

// buildPrompt renders the prompt for a question and returns it with the
// passages that fit the token budget, best first: those are the passages
// the model's [n] markers refer to.
func (e *Engine) buildPrompt(question string, history []Turn, passages []knowledge.Passage) ([]llm.Message, []knowledge.Passage, error) {
	var (
		included []knowledge.Passage
		used     int
	)
	for _, p := range passages {
		cost := e.counter.Count(p.Text) + e.counter.Count(p.Title+p.Source) + 16
		if len(included) > 0 && used+cost > e.passageTokens {
			break
		}
		included = append(included, p)
		used += cost
	}
	data := promptData{
		Abstain: AbstainText,
		Today:   e.now().UTC().Format("Monday, 2 January 2006"),
		// A 20 kB question would crowd out the passages; its first 1,000
		// characters say what it asks.
		Question: prompts.Quote(clip(question, 1000)),
	}
	if len(history) > maxHistoryTurns {
		history = history[len(history)-maxHistoryTurns:]
	}
	for _, t := range history {
		data.History = append(data.History, Turn{Question: prompts.Quote(clip(t.Question, 500)), Answer: prompts.Quote(clip(strings.TrimSpace(cite.StripMarkers(t.Answer)), 800))})
	}
	for i, p := range included {
		pub := "unknown"
		if !p.Published.IsZero() {
			pub = p.Published.UTC().Format("2006-01-02")
		}
		text := p.Text
		if i == 0 {
			// The best passage always goes in, but a paragraph longer than
			// the whole budget (a text with no blank lines) is cut to it,
			// at a sentence end.
			text = clipToSentence(text, e.passageTokens*4)
		}
		data.Passages = append(data.Passages, promptPassage{
			N: i + 1, Source: prompts.Attr(p.Source), Published: pub, Title: prompts.Attr(p.Title), Text: prompts.Quote(text),
		})
	}
	sys, err := e.prompts.Render(prompts.AnswerSystem, data)
	if err != nil {
		return nil, nil, err
	}
	user, err := e.prompts.Render(prompts.AnswerUser, data)
	if err != nil {
		return nil, nil, err
	}
	return []llm.Message{{Role: "system", Content: sys}, {Role: "user", Content: user}}, included, nil
}

// clipToSentence cuts s to at most max bytes, at the last sentence end
// before it when there is one, and marks the cut.
func clipToSentence(s string, max int) string {
	if len(s) <= max {
		return s
	}
	cut := s[:max]
	for !utf8.ValidString(cut) {
		cut = cut[:len(cut)-1]
	}
	if spans := text.Sentences(cut); len(spans) > 1 {
		cut = cut[:spans[len(spans)-2].End]
	}
	return strings.TrimSpace(cut) + " …"
}

// generate has the language model write the answer and verifies it.
func (e *Engine) generate(ctx context.Context, question string, q Question, passages []knowledge.Passage) (Answer, error) {
	msgs, included, err := e.buildPrompt(question, q.History, passages)
	if err != nil {
		return Answer{}, err
	}
	req := llm.Request{Messages: msgs, MaxTokens: e.maxAnswer}
	ctx, cancel := context.WithTimeout(ctx, e.llmTimeout)
	defer cancel()
	var resp llm.Response
	if q.OnPartial != nil {
		allowed := urlsOf(included)
		var sofar strings.Builder
		resp, err = e.llm.Stream(ctx, req, func(delta string) {
			sofar.WriteString(delta)
			q.OnPartial(cite.Sanitize(cite.StripMarkers(settled(sofar.String())), allowed))
		})
	} else {
		resp, err = e.llm.Complete(ctx, req)
	}
	if err != nil {
		return Answer{}, err
	}
	a := verify(resp.Text, included)
	a.Model = resp.Model
	a.PromptTokens = resp.PromptTokens
	a.CompletionTokens = resp.CompletionTokens
	return a, nil
}

// verify checks a model's answer against the passages it was given (see
// cite.Verify); an answer left with no valid citation is an abstention.
func verify(reply string, passages []knowledge.Passage) Answer {
	text, cites := cite.Verify(reply, passages)
	if len(cites) == 0 {
		return Answer{Abstained: true}
	}
	return Answer{Text: text, Citations: cites}
}

// settled is streamed text without its unfinished end: a marker or
// mention still being written ("[1,", "<@U") or a word that may become a
// ping ("@every"), which would show raw until the next update.
func settled(s string) string {
	for _, open := range []string{"[", "<"} {
		if i := strings.LastIndex(s, open); i >= 0 && !strings.ContainsAny(s[i:], "]>") {
			s = s[:i]
		}
	}
	if i := strings.LastIndexAny(s, " \n"); strings.ContainsAny(s[i+1:], "@＠") {
		s = s[:i+1]
	}
	return strings.NewReplacer(" .", ".", " ,", ",").Replace(s)
}

func urlsOf(ps []knowledge.Passage) []string {
	var out []string
	for _, p := range ps {
		if p.URL != "" {
			out = append(out, p.URL)
		}
	}
	return out
}
