package answer

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/byline-bot/byline/cite"
	"github.com/byline-bot/byline/knowledge"
	"github.com/byline-bot/byline/stories"
	"github.com/byline-bot/byline/text"
)

// quoteLine is one sentence an intent's answer quotes, with the words that
// frame it ("The Iranian mission:").
type quoteLine struct {
	passage int
	text    string
	lead    string // said before the quote; may be empty
}

// quoteAnswer writes an extractive answer: the frame line, then each quote
// on its own line with its citation.
func quoteAnswer(frame string, passages []knowledge.Passage, qs []quoteLine) Answer {
	var (
		b     strings.Builder
		cites cite.List
	)
	b.WriteString(frame)
	for _, q := range qs {
		n := cites.Number(passages[q.passage], q.text)
		b.WriteString("\n")
		if q.lead != "" {
			b.WriteString(q.lead + " ")
		}
		// Article text is untrusted too: markers planted in it, pings and
		// links go before the sentence is quoted in the answer.
		fmt.Fprintf(&b, "%s [%d]", strings.TrimSpace(cite.StripMarkers(q.text)), n)
	}
	var urls []string
	for _, c := range cites.Citations() {
		urls = append(urls, c.URL)
	}
	return Answer{Text: cite.Sanitize(b.String(), urls), Citations: cites.Citations()}
}

// articleSentences returns the sentences of the passages grouped by
// article, each article's in paragraph order, articles in the order of
// their best passage: the order in which a reader meets who says what.
func articleSentences(passages []knowledge.Passage) [][]*sentence {
	order := make([]int, len(passages))
	for i := range order {
		order[i] = i
	}
	first := make(map[string]int)
	for i, p := range passages {
		if _, ok := first[p.ArticleID]; !ok {
			first[p.ArticleID] = i
		}
	}
	sort.SliceStable(order, func(i, j int) bool {
		a, b := passages[order[i]], passages[order[j]]
		if a.ArticleID != b.ArticleID {
			return first[a.ArticleID] < first[b.ArticleID]
		}
		return a.Paragraph < b.Paragraph
	})
	var (
		out  [][]*sentence
		last string
	)
	n := 0
	for _, i := range order {
		p := passages[i]
		if p.ArticleID != last || len(out) == 0 {
			out = append(out, nil)
			last = p.ArticleID
		}
		for _, sp := range text.Sentences(p.Text) {
			out[len(out)-1] = append(out[len(out)-1], newSentence(i, p.Text[sp.Start:sp.End], n))
			n++
		}
	}
	return out
}

// whoSaid answers "what did X say": the sentences that report X's words,
// each with who said it, the ones about the question's topic first. It
// reports false when no passage reports the subject's words.
func (e *Engine) whoSaid(p plan, passages []knowledge.Passage) (Answer, bool) {
	sb := newSubject(p.intent.subject)
	if sb.empty() {
		return Answer{}, false
	}
	topic := parseQuestion(p.intent.topic)
	type said struct {
		s       *sentence
		speaker string
		score   float64
	}
	var found []said
	for _, art := range articleSentences(passages) {
		// "the mission" means this article's mission, "Cheung" this
		// article's spokesman.
		sb.heads = make(map[string]bool)
		clear(sb.aliases)
		for k := range sb.role {
			sb.heads[k] = true
		}
		for _, s := range art {
			at := sb.speaks(s)
			if !at.ok {
				continue
			}
			score := 1 / float64(1+s.passage)
			for _, t := range topic.terms {
				if s.Has(t) {
					score += 1
				}
			}
			found = append(found, said{s: s, speaker: at.speaker, score: score})
		}
	}
	if len(found) == 0 {
		return Answer{}, false
	}
	sort.SliceStable(found, func(i, j int) bool { return found[i].score > found[j].score })
	var (
		qs   []quoteLine
		used = make(map[int]int)
	)
	for _, f := range found {
		if len(qs) == extractMaxPicks {
			break
		}
		if used[f.s.passage] == 2 {
			continue
		}
		dup := false
		for _, q := range qs {
			if q.text == f.s.text {
				dup = true
			}
		}
		if dup {
			continue
		}
		used[f.s.passage]++
		// Who said it is written before the quote only when the quote
		// does not say it itself.
		lead := ""
		if !holdsWords(f.s, f.speaker) {
			lead = upperFirst(f.speaker) + ":"
		}
		qs = append(qs, quoteLine{passage: f.s.passage, text: f.s.text, lead: lead})
	}
	m := messagesFor(p.lang)
	return quoteAnswer(fmt.Sprintf(m.whatSaid, p.intent.subject), passages, qs), true
}

// holdsWords reports whether every content word of phrase is in s.
func holdsWords(s *sentence, phrase string) bool {
	for _, k := range text.ContentKeys(phrase) {
		if !s.Keys[k] {
			return false
		}
	}
	return true
}

// bothSides answers "what does each side say": the claim and the denial
// or dispute of it, from two speakers, side by side. It reports false when
// the passages carry no denial.
func (e *Engine) bothSides(p plan, passages []knowledge.Passage) (Answer, bool) {
	q := parseQuestion(p.asked)
	relevance := func(s *sentence) float64 {
		score := 1 / float64(1+s.passage)
		for _, t := range q.terms {
			if s.Has(t) {
				score += 1
			}
		}
		return score
	}
	var denial, claim *sentence
	for _, art := range articleSentences(passages) {
		for _, s := range art {
			switch {
			case s.Denies():
				if denial == nil || relevance(s) > relevance(denial) {
					denial = s
				}
			case s.reports():
				if claim == nil || relevance(s) > relevance(claim) {
					claim = s
				}
			}
		}
	}
	m := messagesFor(p.lang)
	if denial == nil {
		return Answer{}, false
	}
	qs := []quoteLine{}
	if claim != nil {
		qs = append(qs, quoteLine{passage: claim.passage, text: claim.text, lead: "•"})
	}
	qs = append(qs, quoteLine{passage: denial.passage, text: denial.text, lead: "•"})
	return quoteAnswer(m.bothSides, passages, qs), true
}

// reports reports whether the sentence reports a claim or statement.
func (s *sentence) reports() bool {
	for k := range s.Keys {
		if cite.IsReporting(k) {
			return true
		}
	}
	return s.Quoted
}

// yesNo answers a yes/no question by what the articles say, never by a bare
// yes or no: the sentences that answer it, led by "The articles say", and
// by who denies it when a quoted sentence is a denial. When the question's
// words are not there but a passage denies something of the names it
// asks about ("Does Iran accept the blame?"), the denial is the answer.
func (e *Engine) yesNo(p plan, passages []knowledge.Passage) Answer {
	m := messagesFor(p.lang)
	q := parseQuestion(p.asked)
	var names []qterm
	for _, t := range q.terms {
		if t.Proper {
			names = append(names, t)
		}
	}
	hasNames := func(s *sentence) bool {
		for _, t := range names {
			if !s.Has(t) {
				return false
			}
		}
		return true
	}
	frame := func(qs []quoteLine) Answer {
		f := m.articlesSay
		for _, x := range qs {
			if newSentence(0, x.text, 0).Denies() {
				if who := denier(x.text); who != "" {
					f = fmt.Sprintf(m.deniesIt, who)
					break
				}
			}
		}
		return quoteAnswer(f, passages, qs)
	}
	// The sentences that answer the question, among those that name
	// everyone it names: a yes/no question is about them.
	x := extractWith(e.model, p.asked, passages, len(names) > 0, nil)
	var qs []quoteLine
	if !x.abstain {
		for _, pk := range x.picks {
			if len(names) == 0 || hasNames(newSentence(pk.passage, pk.text, 0)) {
				qs = append(qs, quoteLine{passage: pk.passage, text: pk.text})
			}
		}
	}
	if len(qs) > 0 {
		return frame(qs)
	}
	if len(names) == 0 {
		return Answer{Abstained: true}
	}
	// None holds the question's words, but a passage may deny something
	// of the names it asks about ("Does Iran accept the blame?").
	for _, art := range articleSentences(passages) {
		for _, s := range art {
			if s.Denies() && hasNames(s) {
				return frame([]quoteLine{{passage: s.passage, text: s.text}})
			}
		}
	}
	return Answer{Abstained: true}
}

// denier returns who denies something in a sentence: the speaker before
// its first denial word, or "".
func denier(sentenceText string) string {
	ts := text.Terms(sentenceText)
	for v, t := range ts {
		if !cite.IsDenial(t.Key) {
			continue
		}
		for j := v - 1; j >= 0 && j >= v-speakerWindow; j-- {
			if ts[j].Key == "statement" || ts[j].Key == "report" {
				continue // "in a statement, rejected": the speaker is before it
			}
			if (ts[j].Upper || ts[j].Acro) && !ts[j].Compound && j > 0 || speakerHeads[ts[j].Key] {
				who := phraseAt(ts, j)
				if rest, ok := strings.CutPrefix(who, "The "); ok {
					who = "the " + rest
				}
				return who
			}
		}
		return ""
	}
	return ""
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// overviewLead is how many leading paragraphs of each article an overview
// reads, and overviewStories how many stories a vague question over a big
// store is offered to choose from.
const (
	overviewLead    = 2
	overviewStories = 3
	// overviewRecent is how many of the newest articles an overview with
	// no subject groups into stories.
	overviewRecent = 500
)

// overviewPassages returns the lead paragraphs of the articles an overview
// is about: those the subject's search finds, or, with no subject, the
// newest articles in the store.
func (e *Engine) overviewPassages(ctx context.Context, p plan, q Question) ([]knowledge.Passage, error) {
	var ids []string
	if p.search != "" {
		hits, err := e.retrieve(ctx, p.search, p.asked, q.Sources, q.Prefer, p.limit)
		if err != nil {
			return nil, err
		}
		seen := make(map[string]bool)
		for _, h := range hits {
			if !seen[h.ArticleID] {
				seen[h.ArticleID] = true
				ids = append(ids, h.ArticleID)
			}
		}
	}
	if p.search != "" {
		// The leads of the articles found, read by their ids: a story
		// is found however many newer articles the store holds.
		var out []knowledge.Passage
		for _, id := range ids {
			for n := 1; n <= overviewLead; n++ {
				lead, err := e.store.Passage(ctx, id, n)
				if errors.Is(err, knowledge.ErrNotFound) {
					break
				}
				if err != nil {
					return nil, err
				}
				out = append(out, lead)
			}
		}
		return out, nil
	}
	arts, err := e.store.Recent(ctx, knowledge.RecentOptions{Sources: q.Sources, Lead: overviewLead, Limit: overviewRecent})
	if err != nil {
		return nil, err
	}
	var out []knowledge.Passage
	for _, a := range arts {
		out = append(out, a.Lead...)
	}
	return out, nil
}

// overview answers "what is this story about": the stories the passages'
// articles make, each told by the lead sentence of each of its accounts,
// newest first, with outlet and date. A question with no subject over a
// store of many stories is asked which one, naming the newest few.
func (e *Engine) overview(p plan, passages []knowledge.Passage) Answer {
	m := messagesFor(p.lang)
	arts := recentOf(passages)
	if len(arts) == 0 {
		return Answer{Abstained: true}
	}
	ss := stories.Group(arts)
	if p.intent.subject == "" && len(ss) > overviewStories {
		sort.SliceStable(ss, func(i, j int) bool { return ss[i].Newest.After(ss[j].Newest) })
		var qs []quoteLine
		for _, s := range ss[:overviewStories] {
			a := s.Accounts[0]
			if len(a.Lead) == 0 {
				continue
			}
			lead := "•"
			if c := credit(a); c != "" {
				lead = "• " + c + ":"
			}
			qs = append(qs, quoteLine{passage: indexOf(passages, a.Lead[0]), text: firstSentence(a.Lead[0].Text), lead: lead})
		}
		ans := quoteAnswer(m.whichStory, passages, qs)
		ans.Note = "asked which story"
		return ans
	}
	var qs []quoteLine
	for _, s := range ss[:min(len(ss), 2)] {
		accounts := append([]knowledge.RecentArticle(nil), s.Accounts...)
		sort.SliceStable(accounts, func(i, j int) bool { return accounts[i].Time().After(accounts[j].Time()) })
		for _, a := range accounts {
			if len(qs) == 4 {
				break
			}
			if len(a.Lead) == 0 {
				continue
			}
			text := leadSentences(a.Lead)
			lead := "•"
			if c := credit(a); c != "" {
				lead = "• " + c + ":"
			}
			qs = append(qs, quoteLine{passage: indexOf(passages, a.Lead[0]), text: text, lead: lead})
		}
	}
	frame := m.overview
	if p.intent.subject != "" {
		frame = fmt.Sprintf(m.overviewOf, p.intent.subject)
	}
	return quoteAnswer(frame, passages, qs)
}

// leadSentences returns the first sentences of an article's lead, about
// one short paragraph's worth.
func leadSentences(lead []knowledge.Passage) string {
	t := lead[0].Text
	spans := text.Sentences(t)
	if len(spans) == 0 {
		return t
	}
	end := spans[0].End
	for _, sp := range spans[1:] {
		if sp.End-spans[0].Start > 400 {
			break
		}
		end = sp.End
	}
	return strings.TrimSpace(t[spans[0].Start:end])
}

// credit names an account's outlet and date: "Iran Press, 9 August 2024".
func credit(a knowledge.RecentArticle) string {
	// An article with no outlet goes without one: its title, when made
	// from its first sentence, would only repeat the quote.
	var parts []string
	if a.Source != "" {
		parts = append(parts, a.Source)
	}
	if t := a.Time(); !t.IsZero() {
		parts = append(parts, t.UTC().Format("2 January 2006"))
	}
	return strings.Join(parts, ", ")
}

// recentOf regroups lead passages into the articles they open.
func recentOf(passages []knowledge.Passage) []knowledge.RecentArticle {
	var (
		out   []knowledge.RecentArticle
		index = make(map[string]int)
	)
	for _, p := range passages {
		i, ok := index[p.ArticleID]
		if !ok {
			i = len(out)
			index[p.ArticleID] = i
			out = append(out, knowledge.RecentArticle{ArticleInfo: knowledge.ArticleInfo{
				ID: p.ArticleID, Title: p.Title, Source: p.Source, URL: p.URL, Published: p.Published,
			}})
		}
		out[i].Lead = append(out[i].Lead, p)
	}
	return out
}

func indexOf(ps []knowledge.Passage, p knowledge.Passage) int {
	for i, q := range ps {
		if q.ArticleID == p.ArticleID && q.Paragraph == p.Paragraph {
			return i
		}
	}
	return 0
}
