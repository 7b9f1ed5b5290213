package digest

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/byline-bot/byline/cite"
	"github.com/byline-bot/byline/knowledge"
	"github.com/byline-bot/byline/llm"
	"github.com/byline-bot/byline/prompts"
	"github.com/byline-bot/byline/stories"

	"github.com/byline-bot/byline/text"
)

// A digest is a short post of what is new: the articles of a window are
// grouped into stories (see stories.Group), the best few are written up, each
// as a headline and one to three sentences whose every claim cites a
// paragraph, and the sources are listed. A language model writes it when
// one is configured, checked exactly as answers are (see cite.Verify);
// else the sentences are quoted from the articles.

// recentReader is the part of the knowledge base a digest reads: the
// articles of a window with their opening paragraphs.
type recentReader interface {
	Recent(ctx context.Context, o knowledge.RecentOptions) ([]knowledge.RecentArticle, error)
}

// completer is the part of the language model client a digest uses.
type completer interface {
	Complete(ctx context.Context, req llm.Request) (llm.Response, error)
}

// tokenCounter counts the tokens of a text for the model in use.
type tokenCounter interface {
	Count(text string) int
}

// WriterOptions configures a Writer.
type WriterOptions struct {
	// Store is the knowledge base the digests are written from. Required.
	Store recentReader
	// LLM writes the digests. Nil means they quote the articles.
	LLM completer
	// Counter counts prompt tokens for the passage budget. Nil means an
	// estimate of one token per four bytes.
	Counter tokenCounter
	// Prompts are the templates. Nil means the embedded ones.
	Prompts *prompts.Set
	// PassageTokens is the answer prompt's passage budget; a digest's
	// prompt gets twice as much, shared among its stories. Zero means
	// 3,000.
	PassageTokens int
	// LLMTimeout bounds the model's call, retries included. Zero means 45
	// seconds; past it the digest quotes the articles.
	LLMTimeout time.Duration
	// Logger receives the writer's logs. Nil means discard.
	Logger *slog.Logger
	// Now is the clock. Nil means time.Now.
	Now func() time.Time
}

// Writer writes digests. It is safe for concurrent use.
type Writer struct {
	store         recentReader
	llm           completer
	counter       tokenCounter
	prompts       *prompts.Set
	passageTokens int
	llmTimeout    time.Duration
	log           *slog.Logger
	now           func() time.Time
}

// NewWriter returns a Writer.
func NewWriter(opts WriterOptions) (*Writer, error) {
	if opts.Store == nil {
		return nil, errors.New("digest: no knowledge base")
	}
	if opts.Prompts == nil {
		p, err := prompts.Load("")
		if err != nil {
			return nil, err
		}
		opts.Prompts = p
	}
	if opts.Counter == nil {
		opts.Counter = approxCounter{}
	}
	if opts.PassageTokens == 0 {
		opts.PassageTokens = 3000
	}
	if opts.LLMTimeout == 0 {
		opts.LLMTimeout = 45 * time.Second
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &Writer{
		store: opts.Store, llm: opts.LLM, counter: opts.Counter, prompts: opts.Prompts,
		passageTokens: opts.PassageTokens, llmTimeout: opts.LLMTimeout,
		log: opts.Logger.With("component", "digest"), now: opts.Now,
	}, nil
}

// approxCounter estimates one token per four bytes.
type approxCounter struct{}

func (approxCounter) Count(s string) int { return (len(s) + 3) / 4 }

// Request asks for a digest of what is new in a window.
type Request struct {
	// Since and Until bound the window [Since, Until): articles published
	// or ingested in it are new. Zero Until means now; zero Since means a
	// day before Until, as for a channel's first digest.
	Since, Until time.Time
	// Sources keeps only these outlets (a channel's source filter); empty
	// keeps all.
	Sources []string
	// MaxItems caps the stories. Zero or less means 5.
	MaxItems int
	// QuietDay asks for a line saying that nothing is new, when nothing
	// is, instead of no text at all.
	QuietDay bool
	// Location is the time zone the digest's dates are written in (the
	// title's date, the quiet-day line, the sources' dates). Nil means
	// UTC.
	Location *time.Location
}

// Item is one story of a digest.
type Item struct {
	// Headline names the story: the language model's, or the title of the
	// story's most central article.
	Headline string `json:"headline"`
	// Text is one to three sentences, each ending in [n] markers that are
	// numbered across the whole digest (they index Digest.Citations).
	Text string `json:"text"`
	// Citations are the paragraphs Text cites, in order of first use,
	// with the digest's numbers.
	Citations []cite.Citation `json:"citations"`
	// ArticleIDs are the story's articles: one per account, the most
	// central first, then the near-duplicate copies folded into them.
	ArticleIDs []string `json:"article_ids"`
	// Accounts is how many of ArticleIDs are distinct accounts rather
	// than copies.
	Accounts int `json:"accounts"`
	// Sources are the distinct outlets that told the story, when known.
	Sources []string `json:"sources"`
}

// Digest is what is new in a window, written up.
type Digest struct {
	// Since and Until are the window, in the request's time zone.
	Since time.Time `json:"since"`
	Until time.Time `json:"until"`
	// Items are the stories, best first; at most the request's MaxItems.
	Items []Item `json:"items"`
	// Citations are every item's citations, numbered 1..n in order of
	// first use across the items.
	Citations []cite.Citation `json:"citations"`
	// Articles is how many articles the window held; Stories how many
	// stories they made.
	Articles int `json:"articles"`
	Stories  int `json:"stories"`
	// Empty is true when nothing was new: there is nothing to post, and
	// no language model was asked.
	Empty bool `json:"empty"`
	// Text is the digest as Render writes it; when Empty, it is the
	// quiet-day line if the request asked for one, else "".
	Text string `json:"text"`
	// Model is the model that wrote the items; empty when they were
	// quoted from the articles.
	Model string `json:"model,omitempty"`
	// PromptTokens and CompletionTokens are the model's token usage.
	PromptTokens     int `json:"prompt_tokens,omitempty"`
	CompletionTokens int `json:"completion_tokens,omitempty"`
	// Note explains anything unusual, such as a fallback to quoting.
	Note string `json:"note,omitempty"`
}

// The digest's knobs.
const (
	// defaultDigestItems is MaxItems when a request leaves it zero.
	defaultDigestItems = 5
	// digestLead is how many opening paragraphs of each article the
	// grouping reads and the prompt may quote.
	digestLead = 3
	// digestMaxArticles caps the articles a digest reads, the newest
	// kept: grouping takes about a tenth of a second per thousand.
	digestMaxArticles = 2000
	// maxItemSentences caps an item's sentences; a model's further ones
	// are dropped.
	maxItemSentences = 3
	// quotedSentences is how many sentences an item quoted from the
	// articles has at most: the lead of the story's central account and
	// one from another account.
	quotedSentences = 2
	// promptAccounts caps how many of a story's accounts the prompt
	// quotes.
	promptAccounts = 3
	// digestTokensPerItem is the completion allowed per story, on top of
	// digestTokensBase.
	digestTokensPerItem = 160
	digestTokensBase    = 100
	// maxHeadline caps a headline, in characters.
	maxHeadline = 140
	// minHeadlineCoverage is the least share of a model's headline's
	// content words its story's openings must hold.
	minHeadlineCoverage = 0.6
)

// Digest builds the digest of what is new in r's window.
//
// Articles published or ingested in the window are grouped into stories
// and ranked (see stories.Group); the first r.MaxItems are written up. With a
// language model, one call writes them all from the stories' lead
// paragraphs, and each story's sentences are checked as answers are (see
// cite.Verify): a sentence without a valid citation is dropped, and a story
// left with none is dropped. If the model fails, or none of its stories
// survives, the items are quoted from the articles instead and Note says
// so. With nothing new, the digest is Empty and no model is asked.
//
// The error is for what no digest can be made of: a window that ends
// before it starts, an unreadable knowledge base, or ctx ending. A model
// that fails is not an error.
func (w *Writer) Digest(ctx context.Context, r Request) (Digest, error) {
	loc := r.Location
	if loc == nil {
		loc = time.UTC
	}
	until := r.Until
	if until.IsZero() {
		until = w.now()
	}
	since := r.Since
	if since.IsZero() {
		since = until.Add(-24 * time.Hour)
	}
	if !since.Before(until) {
		return Digest{}, fmt.Errorf("digest: the window from %s to %s is empty", since.Format(time.RFC3339), until.Format(time.RFC3339))
	}
	maxItems := r.MaxItems
	if maxItems <= 0 {
		maxItems = defaultDigestItems
	}
	d := Digest{Since: since.In(loc), Until: until.In(loc)}
	arts, err := w.store.Recent(ctx, knowledge.RecentOptions{
		Since: since, Until: until, Sources: r.Sources, Lead: digestLead, Limit: digestMaxArticles,
	})
	if err != nil {
		return Digest{}, fmt.Errorf("digest: %w", err)
	}
	d.Articles = len(arts)
	if len(arts) == digestMaxArticles {
		w.log.Warn("digest: the window holds more articles than a digest reads; the oldest were left out", "limit", digestMaxArticles, "since", since, "until", until)
		d.Note = fmt.Sprintf("This digest covers the newest %d articles of the period only.", digestMaxArticles)
	}
	if len(arts) == 0 {
		d.Empty = true
		if r.QuietDay {
			d.Text = quietDayLine(d)
		}
		w.log.Debug("digest: nothing new", "since", since, "until", until)
		return d, nil
	}
	stories := stories.Group(arts)
	d.Stories = len(stories)
	top := stories[:min(maxItems, len(stories))]

	if w.llm != nil {
		err := w.writeDigest(ctx, &d, top)
		switch {
		case err == nil:
		case ctx.Err() != nil:
			return Digest{}, fmt.Errorf("digest: %w", ctx.Err())
		case errors.Is(err, errNothingCited):
			w.log.Warn("digest: the language model cited nothing it was given; quoting the articles", "stories", len(top))
			d.Note = addNote(d.Note, "The language model's digest could not be checked against the articles, so this digest quotes them directly.")
		case errors.Is(err, llm.ErrBudgetSpent):
			w.log.Warn("digest: language model budget spent; quoting the articles", "err", err)
			d.Note = addNote(d.Note, "Today's language model budget is used up, so this digest quotes the articles directly.")
		default:
			w.log.Warn("digest: language model failed; quoting the articles", "err", err)
			d.Note = addNote(d.Note, "The language model is unavailable right now, so this digest quotes the articles directly.")
		}
	}
	if len(d.Items) == 0 {
		d.Items, d.Citations = quoteStories(top)
	}
	d.Text = Render(d)
	w.log.Debug("digest built", "articles", d.Articles, "stories", d.Stories, "items", len(d.Items), "model", d.Model)
	return d, nil
}

func addNote(note, more string) string {
	if note == "" {
		return more
	}
	return note + " " + more
}

// quietDayLine is the text of a digest with nothing new.
func quietDayLine(d Digest) string {
	return "Quiet day: nothing new in the news since " + d.Since.Format("15:04 MST, 2 Jan 2006") + "."
}

// storyItem returns an item for s with what every item has whoever writes
// it: the story's articles and outlets, and its central title as headline.
func storyItem(s stories.Story) Item {
	it := Item{Headline: cleanHeadline(s.Accounts[0].Title), Accounts: len(s.Accounts), Sources: s.Sources}
	for _, a := range s.Accounts {
		it.ArticleIDs = append(it.ArticleIDs, a.ID)
	}
	for _, cs := range s.Copies {
		it.ArticleIDs = append(it.ArticleIDs, cs...)
	}
	if it.Headline == "" {
		_, lead, _ := stories.LeadSentence(s.Accounts[0])
		it.Headline = cleanHeadline(lead)
	}
	return it
}

// cleanHeadline makes a title or a model's headline fit to post: one
// line, no markers, pings, links or Markdown emphasis, at most
// maxHeadline characters.
func cleanHeadline(s string) string {
	s = strings.NewReplacer("**", "", "__", "", "`", "").Replace(s)
	// Title-cased wire headlines capitalize the possessive: "Reagan'S".
	s = titleCasePossessive.ReplaceAllString(s, "${1}s")
	s = strings.Trim(cite.Sanitize(cite.StripMarkers(s), nil), " #*_-–—:")
	return clip(s, maxHeadline)
}

// clip shortens s to at most n runes, with an ellipsis.
func clip(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}

var titleCasePossessive = regexp.MustCompile(`(\pL['’])S\b`)

// quoteStories writes each story by quoting it: the lead sentence of its
// central account, then a sentence of another account (see
// storySentences), each cited; the numbers run across the stories.
func quoteStories(stories []stories.Story) ([]Item, []cite.Citation) {
	var (
		cites cite.List
		items []Item
	)
	for _, s := range stories {
		it := storyItem(s)
		var (
			b    strings.Builder
			urls []string
			used []int
		)
		for _, q := range storySentences(s) {
			n := cites.Number(q.passage, q.text)
			if b.Len() > 0 {
				b.WriteByte(' ')
			}
			// Article text is untrusted: markers planted in it go before
			// the sentence is quoted, and pings and links with sanitize.
			b.WriteString(fullStop(strings.TrimSpace(cite.StripMarkers(q.text))))
			fmt.Fprintf(&b, " [%d]", n)
			used = append(used, n)
			if q.passage.URL != "" {
				urls = append(urls, q.passage.URL)
			}
		}
		if len(used) == 0 {
			continue
		}
		it.Text = cite.Sanitize(b.String(), urls)
		it.Citations = cite.Pick(cites.Citations(), used)
		items = append(items, it)
	}
	return items, cites.Citations()
}

// fullStop ends s with a full stop unless it ends a sentence already: a
// paragraph's last sentence may lack one, and the next item's sentence
// would run on.
func fullStop(s string) string {
	if s == "" || text.EndsSentence(s) {
		return s
	}
	return s + "."
}

// quote is a sentence chosen to be quoted and the paragraph it is from.
type quote struct {
	passage knowledge.Passage
	text    string
}

// storySentences chooses the sentences to quote for s: the lead sentence
// of its most central account, then, when there are other accounts, the
// first sentence of prose of one of them that does not repeat the first,
// preferring another outlet's account and then the newest (the latest
// turn of the story).
func storySentences(s stories.Story) []quote {
	p, text, _ := stories.LeadSentence(s.Accounts[0])
	if text == "" {
		return nil
	}
	out := []quote{{p, text}}
	first := keySetOf(text)
	others := append([]knowledge.RecentArticle(nil), s.Accounts[1:]...)
	central := strings.ToLower(strings.TrimSpace(s.Accounts[0].Source))
	otherOutlet := func(a knowledge.RecentArticle) bool {
		src := strings.ToLower(strings.TrimSpace(a.Source))
		return src == "" || src != central
	}
	sort.SliceStable(others, func(i, j int) bool {
		if oi, oj := otherOutlet(others[i]), otherOutlet(others[j]); oi != oj {
			return oi
		}
		return others[i].Time().After(others[j].Time())
	})
	for _, a := range others {
		if len(out) == quotedSentences {
			break
		}
		if q, ok := freshSentence(a, first); ok {
			out = append(out, q)
		}
	}
	return out
}

// freshSentence returns the first sentence of prose in a's lead that
// shares less than half its content words with the words of seen.
func freshSentence(a knowledge.RecentArticle, seen map[string]bool) (quote, bool) {
	for _, p := range a.Lead {
		for _, sp := range text.Sentences(p.Text) {
			text := p.Text[sp.Start:sp.End]
			if !stories.IsProse(text) {
				continue
			}
			keys := keySetOf(text)
			shared := 0
			for k := range keys {
				if seen[k] {
					shared++
				}
			}
			if shared*2 < len(keys) {
				return quote{p, text}, true
			}
		}
	}
	return quote{}, false
}

// keySetOf returns the keys of the content words of s.
func keySetOf(s string) map[string]bool {
	out := make(map[string]bool)
	for _, k := range text.ContentKeys(s) {
		out[k] = true
	}
	return out
}

// errNothingCited means none of the model's stories kept a valid
// citation.
var errNothingCited = errors.New("the model's digest cites none of its passages")

// digestPassage is a passage as the digest prompt shows it.
type digestPassage struct {
	N         int
	Story     int
	Source    string
	Published string
	Title     string
	Text      string
}

// digestStory is a story as the digest prompt shows it.
type digestStory struct {
	N        int
	Passages []digestPassage
}

// digestPromptData is what the digest templates are rendered with.
type digestPromptData struct {
	Today   string
	Period  string
	Stories []digestStory
}

// buildDigestPrompt renders the prompt for stories. The passages are
// numbered across the digest, as an answer's are; it returns them in that
// order with the index of the story each belongs to. Each story gets an
// equal share of twice the answer prompt's passage budget, filled with
// its accounts' lead paragraphs in turn (the first paragraph of each
// account, then the second of each, and so on), and always at least its
// central account's first paragraph.
func (w *Writer) buildDigestPrompt(d Digest, stories []stories.Story) ([]llm.Message, []knowledge.Passage, []int, error) {
	var (
		included []knowledge.Passage
		storyOf  []int
		data     = digestPromptData{Today: w.now().In(d.Until.Location()).Format("Monday, 2 January 2006"), Period: digestPeriod(d)}
		share    = 2 * w.passageTokens / max(1, len(stories))
	)
	for si, s := range stories {
		ds := digestStory{N: si + 1}
		accounts := s.Accounts[:min(len(s.Accounts), promptAccounts)]
		used := 0
	fill:
		for depth := 0; depth < digestLead; depth++ {
			for _, a := range accounts {
				if depth >= len(a.Lead) {
					continue
				}
				p := a.Lead[depth]
				cost := w.counter.Count(p.Text) + w.counter.Count(p.Title+p.Source) + 16
				if len(ds.Passages) > 0 && used+cost > share {
					break fill
				}
				used += cost
				included = append(included, p)
				storyOf = append(storyOf, si)
				pub := "unknown"
				if !p.Published.IsZero() {
					pub = p.Published.In(d.Until.Location()).Format("2006-01-02")
				}
				ds.Passages = append(ds.Passages, digestPassage{
					N: len(included), Story: si + 1, Source: prompts.Attr(p.Source), Published: pub,
					Title: prompts.Attr(p.Title), Text: prompts.Quote(p.Text),
				})
			}
		}
		data.Stories = append(data.Stories, ds)
	}
	sys, err := w.prompts.Render(prompts.DigestSystem, data)
	if err != nil {
		return nil, nil, nil, err
	}
	user, err := w.prompts.Render(prompts.DigestUser, data)
	if err != nil {
		return nil, nil, nil, err
	}
	return []llm.Message{{Role: llm.RoleSystem, Content: sys}, {Role: llm.RoleUser, Content: user}}, included, storyOf, nil
}

// writeDigest has the language model write the items of d for stories,
// checks them, and sets d's items, citations, model and token usage.
func (w *Writer) writeDigest(ctx context.Context, d *Digest, stories []stories.Story) error {
	msgs, included, storyOf, err := w.buildDigestPrompt(*d, stories)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, w.llmTimeout)
	defer cancel()
	resp, err := w.llm.Complete(ctx, llm.Request{Messages: msgs, MaxTokens: digestTokensBase + digestTokensPerItem*len(stories)})
	if err != nil {
		return err
	}
	d.PromptTokens, d.CompletionTokens = resp.PromptTokens, resp.CompletionTokens

	// Check each section's sentences, and give the section to the story
	// whose passages it cites most: a model that skips, merges or
	// reorders stories is read right all the same.
	written := make(map[int]checkedSection)
	for _, sec := range digestSections(resp.Text) {
		var c checkedSection
		c.headline = cleanHeadline(sec.heading)
		votes := make(map[int]int)
		firstVote := -1
		for _, sp := range text.Sentences(sec.body) {
			if len(c.sentences) == maxItemSentences {
				break
			}
			text, cites := cite.Verify(sec.body[sp.Start:sp.End], included)
			if len(cites) == 0 {
				continue
			}
			c.sentences = append(c.sentences, checked{text, cites})
			for _, ct := range cites {
				si := storyOf[passageIndex(included, ct)]
				votes[si]++
				if firstVote < 0 {
					firstVote = si
				}
			}
		}
		if len(c.sentences) == 0 {
			w.log.Debug("digest: a story lost every citation", "headline", c.headline)
			continue
		}
		best := firstVote
		for si, v := range votes {
			if v > votes[best] || (v == votes[best] && si < best) {
				best = si
			}
		}
		if _, dup := written[best]; dup {
			continue
		}
		written[best] = c
	}
	if len(written) == 0 {
		return errNothingCited
	}
	var cites cite.List
	for si, s := range stories {
		c, ok := written[si]
		if !ok {
			continue
		}
		it := storyItem(s)
		// The model's headline is a claim too: it is used only where the
		// story's articles back its facts, else the central title is.
		if c.headline != "" && cite.FactsHold(cite.FactText(c.headline), storyPassages(s), minHeadlineCoverage) {
			it.Headline = c.headline
		} else if c.headline != "" {
			w.log.Debug("digest: a headline the articles do not back; using the title", "headline", c.headline, "title", it.Headline)
		}
		var (
			texts []string
			used  []int
		)
		for _, a := range c.sentences {
			text, ns := cites.Renumber(a.text, a.cites)
			texts = append(texts, text)
			used = append(used, ns...)
		}
		it.Text = strings.Join(texts, " ")
		it.Citations = cite.Pick(cites.Citations(), used)
		d.Items = append(d.Items, it)
	}
	d.Citations = cites.Citations()
	d.Model = resp.Model
	return nil
}

// storyPassages are a story's opening paragraphs, with their articles'
// titles, what a headline is checked against.
func storyPassages(s stories.Story) []knowledge.Passage {
	var out []knowledge.Passage
	for _, a := range s.Accounts {
		out = append(out, a.Lead...)
		if len(a.Lead) == 0 {
			out = append(out, knowledge.Passage{Title: a.Title, Source: a.Source, Published: a.Published})
		}
	}
	return out
}

// checkedSection is one story as the model wrote it, checked: its
// headline and its sentences that kept a citation.
type checkedSection struct {
	headline  string
	sentences []checked
}

// checked is a sentence as cite.Verify returned it: its text, with
// markers numbering its own citations.
type checked struct {
	text  string
	cites []cite.Citation
}

// passageIndex returns the index in ps of the paragraph c cites.
func passageIndex(ps []knowledge.Passage, c cite.Citation) int {
	for i, p := range ps {
		if p.ArticleID == c.ArticleID && p.Paragraph == c.Paragraph {
			return i
		}
	}
	return 0 // cite.Verify cites only passages it was given
}

// section is one story of a model's digest: its heading line and the text
// under it, on one line.
type section struct {
	heading string
	body    string
}

// headingPrefix matches what models put before a headline: "#"s, "Story
// 2:", "2.", bold markers.
var headingPrefix = regexp.MustCompile(`^(?i)\s*(?:#+|\*\*)?\s*(?:story\s*)?(?:\d{1,2}(?:\s*[:.)–—-]\s*|\s*$))?`)

// digestSections splits a model's digest into stories. A story begins at
// a heading: a line starting with "#", or a line that is bold and nothing
// else ("**Headline**"). Text before the first heading, such as an
// introduction, is dropped, unless there is no heading at all: then the
// whole text is one story without a headline.
func digestSections(text string) []section {
	var (
		out    []section
		bodies [][]string
		before []string
	)
	for _, line := range strings.Split(text, "\n") {
		t := strings.TrimSpace(line)
		bold := len(t) > 4 && strings.HasPrefix(t, "**") && strings.HasSuffix(t, "**") && !strings.Contains(t[2:len(t)-2], "**")
		switch {
		case strings.HasPrefix(t, "#") || bold:
			h := headingPrefix.ReplaceAllString(t, "")
			out = append(out, section{heading: strings.TrimSpace(strings.TrimRight(h, "*# "))})
			bodies = append(bodies, nil)
		case len(out) == 0:
			before = append(before, t)
		default:
			bodies[len(out)-1] = append(bodies[len(out)-1], t)
		}
	}
	join := func(lines []string) string { return strings.Join(strings.Fields(strings.Join(lines, " ")), " ") }
	if len(out) == 0 {
		if b := join(before); b != "" {
			return []section{{body: b}}
		}
		return nil
	}
	for i := range out {
		out[i].body = join(bodies[i])
	}
	return out
}

// Render writes d as the CLI prints it, in Markdown that chat
// platforms show well enough: a title line with the window's date, each
// item's headline in bold and its text, then the sources, one a line:
//
//	[1] Title — Outlet, 2 Mar 1987, ¶1 https://…
//
// An Empty digest renders as its Text: the quiet-day line, or nothing.
// Adapters that render items and citations their own way can use the
// fields instead.
func Render(d Digest) string {
	if d.Empty || len(d.Items) == 0 {
		return d.Text
	}
	var b strings.Builder
	b.WriteString("News digest — " + digestPeriod(d))
	for _, it := range d.Items {
		b.WriteString("\n\n**" + it.Headline + "**\n" + it.Text)
	}
	if len(d.Citations) > 0 {
		b.WriteString("\n\nSources:")
		loc := d.Until.Location()
		for _, c := range d.Citations {
			title := strings.TrimSpace(cite.Sanitize(cite.StripMarkers(c.Title), []string{c.URL}))
			if title == "" {
				title = "(untitled)"
			}
			fmt.Fprintf(&b, "\n[%d] %s", c.N, title)
			var parts []string
			if src := strings.TrimSpace(c.Source); src != "" {
				parts = append(parts, src)
			}
			if !c.Published.IsZero() {
				parts = append(parts, c.Published.In(loc).Format("2 Jan 2006"))
			}
			parts = append(parts, "¶"+strconv.Itoa(c.Paragraph))
			b.WriteString(" — " + strings.Join(parts, ", "))
			if c.URL != "" {
				b.WriteString(" " + c.URL)
			}
		}
	}
	if d.Note != "" {
		b.WriteString("\n\n_" + d.Note + "_")
	}
	return b.String()
}

// digestPeriod names a digest's window by date: the date of its last
// moment for a window of a day or less ("2 Mar 1987"), else the first
// and last dates ("28 Feb – 2 Mar 1987").
func digestPeriod(d Digest) string {
	last := d.Until.Add(-time.Nanosecond)
	if d.Until.Sub(d.Since) <= 24*time.Hour {
		return last.Format("2 Jan 2006")
	}
	first := d.Since
	switch {
	case first.Year() != last.Year():
		return first.Format("2 Jan 2006") + " – " + last.Format("2 Jan 2006")
	case first.YearDay() == last.YearDay():
		return last.Format("2 Jan 2006")
	}
	return first.Format("2 Jan") + " – " + last.Format("2 Jan 2006")
}
