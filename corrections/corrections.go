// Package corrections tells readers when news they were answered from has
// changed. Every answer posted in chat is recorded with the stable ids
// and versions of the paragraphs it cited (package knowledge); when a
// re-ingest or a feed poll changes or removes one of those paragraphs
// within 30 days of the answer, the store leaves a pending correction,
// and a Notifier posts it once in the answer's thread: what the
// paragraph said then, what it says now (or that it was removed), and the
// outlet's correction note when the article carries one. It then marks
// the old answer superseded with a short note at its top; the answer is
// never rewritten. The answer cache needs nothing from here: a stored
// change moves the knowledge base's generation, which the cache is keyed
// on, so the question is answered afresh next time.
//
// A channel can turn notices off (`corrections: off`); an answer gets at
// most one notice a day (changes arriving meanwhile wait and go in the
// next one), and all notices together are rate-limited, so that a
// re-ingest that rewrites a whole corpus cannot flood a workspace.
package corrections

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"golang.org/x/time/rate"

	"github.com/byline-bot/byline/adapters/chat"
	"github.com/byline-bot/byline/knowledge"
)

// Store holds the pending corrections and the notices posted;
// *knowledge.Store is one.
type Store interface {
	PendingCorrections(ctx context.Context) ([]knowledge.PendingCorrection, error)
	LastCorrectionNotice(ctx context.Context, answerID int64) (time.Time, error)
	CorrectionPosted(ctx context.Context, at time.Time, cs []knowledge.PendingCorrection) error
	DropCorrections(ctx context.Context, cs []knowledge.PendingCorrection) error
}

// Options configure a Notifier.
type Options struct {
	// Store is where the pending corrections are. Required.
	Store Store
	// Platforms are the platforms notices can be posted on, by the name
	// answers are recorded under ("discord", "slack"). A correction for a
	// platform not here stays pending, for a bot that runs it.
	Platforms map[string]chat.Platform
	// Enabled says whether a channel of a platform takes correction
	// notices; nil means every channel does. A correction in a channel
	// that does not is dropped.
	Enabled func(platform, channel string) bool
	// Limit paces the notices of all channels together; nil means one
	// every 2 seconds, in bursts of up to 10. Notices over the limit wait
	// for the next check.
	Limit *rate.Limiter
	// Posted is called after each notice posted, with its platform (for
	// metrics); nil calls nothing.
	Posted func(platform string)
	// Logger receives the notifier's logs; nil discards them.
	Logger *slog.Logger
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// Notifier posts pending corrections.
type Notifier struct {
	opts Options
	log  *slog.Logger
	kick chan struct{}
}

// OncePerAnswer is the least time between two notices under one answer.
const OncePerAnswer = 24 * time.Hour

// New returns a Notifier.
func New(opts Options) *Notifier {
	if opts.Limit == nil {
		opts.Limit = rate.NewLimiter(rate.Every(2*time.Second), 10)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	return &Notifier{opts: opts, log: log, kick: make(chan struct{}, 1)}
}

// Kick asks a running Run to check now, as after a feed poll stored
// changes; it never blocks.
func (n *Notifier) Kick() {
	select {
	case n.kick <- struct{}{}:
	default:
	}
}

// Run checks for pending corrections every interval, and when kicked,
// until ctx is done. Corrections left by another process (`bot ingest`
// beside `bot serve`) are found at the next interval.
func (n *Notifier) Run(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if _, err := n.Check(ctx); err != nil && ctx.Err() == nil {
			n.log.Warn("corrections: check failed", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-n.kick:
		}
	}
}

// Check posts the pending corrections that may be posted now, one notice
// per answer, and returns how many notices it posted. A notice that fails
// to post stays pending and is tried at the next check.
func (n *Notifier) Check(ctx context.Context) (int, error) {
	pending, err := n.opts.Store.PendingCorrections(ctx)
	if err != nil {
		return 0, err
	}
	posted := 0
	for _, cs := range byAnswer(pending) {
		a := cs[0].Answer
		p, ok := n.opts.Platforms[a.Platform]
		if !ok {
			continue
		}
		corrector, ok := p.(chat.Corrector)
		if !ok || (n.opts.Enabled != nil && !n.opts.Enabled(a.Platform, a.Channel)) {
			n.log.Info("corrections: not told in this channel", "platform", a.Platform, "channel", a.Channel, "answer", a.ID)
			if err := n.opts.Store.DropCorrections(ctx, cs); err != nil {
				return posted, err
			}
			continue
		}
		last, err := n.opts.Store.LastCorrectionNotice(ctx, a.ID)
		if err != nil {
			return posted, err
		}
		now := n.opts.Now()
		if !last.IsZero() && now.Sub(last) < OncePerAnswer {
			continue
		}
		if !n.opts.Limit.AllowN(now, 1) {
			n.log.Info("corrections: over the notice rate; the rest wait for the next check")
			break
		}
		if _, err := corrector.PostCorrection(ctx, a.Channel, a.Thread, a.Message, Notice(cs)); err != nil {
			n.log.Warn("corrections: posting a notice failed; it stays pending", "platform", a.Platform,
				"channel", a.Channel, "answer", a.ID, "err", err)
			continue
		}
		if err := corrector.MarkSuperseded(ctx, a.Channel, a.Thread, a.Message, SupersededNote); err != nil {
			// The notice is out; the mark is the lesser half.
			n.log.Warn("corrections: marking an answer superseded failed", "platform", a.Platform,
				"channel", a.Channel, "answer", a.ID, "err", err)
		}
		if err := n.opts.Store.CorrectionPosted(ctx, now, cs); err != nil {
			return posted, err
		}
		posted++
		if n.opts.Posted != nil {
			n.opts.Posted(a.Platform)
		}
		n.log.Info("corrections: notice posted", "platform", a.Platform, "channel", a.Channel, "answer", a.ID, "paragraphs", len(cs))
	}
	return posted, nil
}

// byAnswer groups pending corrections (as PendingCorrections orders them)
// by answer.
func byAnswer(pending []knowledge.PendingCorrection) [][]knowledge.PendingCorrection {
	var out [][]knowledge.PendingCorrection
	for i, c := range pending {
		if i == 0 || c.Answer.ID != pending[i-1].Answer.ID {
			out = append(out, nil)
		}
		out[len(out)-1] = append(out[len(out)-1], c)
	}
	return out
}

// SupersededNote is what a corrected answer is marked with.
const SupersededNote = "_Superseded: a source of this answer has changed since it was posted; the correction is in this thread._"

// maxQuote is the most characters of a paragraph a notice quotes.
const maxQuote = 600

// Notice is the text of the notice telling cs, the pending corrections of
// one answer: each changed source, what it said then and says now, and
// the outlet's note.
func Notice(cs []knowledge.PendingCorrection) string {
	var b strings.Builder
	q := clip(strings.Join(strings.Fields(cs[0].Answer.Question), " "), 120)
	if len(cs) == 1 {
		fmt.Fprintf(&b, "**Correction:** a source of the answer to \"%s\" has changed since.\n", q)
	} else {
		fmt.Fprintf(&b, "**Correction:** %d sources of the answer to \"%s\" have changed since.\n", len(cs), q)
	}
	notes := map[string]bool{}
	for _, c := range cs {
		fmt.Fprintf(&b, "\nSource [%d] (%s):\n", c.N, c.ArticleID)
		fmt.Fprintf(&b, "> Then: %s\n", clip(oneLine(c.OldText), maxQuote))
		if c.NewVersion == 0 {
			b.WriteString("> Now: the paragraph has been removed from the article.\n")
		} else {
			fmt.Fprintf(&b, "> Now: %s\n", clip(oneLine(c.NewText), maxQuote))
		}
		if c.Note != "" && !notes[c.Note] {
			notes[c.Note] = true
			fmt.Fprintf(&b, "The outlet's note: %s\n", clip(oneLine(c.Note), maxQuote))
		}
	}
	b.WriteString("\nAsk again for an answer from the articles as they read now.")
	return b.String()
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
