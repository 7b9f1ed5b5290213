// Package console is Byline's chat in a terminal: it behaves as the bot
// does in Discord and Slack (a conversation with follow-ups, lookups by
// command, answers with numbered sources) and needs no tokens at all.
package console

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"

	"github.com/byline-bot/byline/answer"
	"github.com/byline-bot/byline/knowledge"
)

// asker answers questions.
type asker interface {
	Ask(ctx context.Context, q answer.Question) (answer.Answer, error)
}

// library looks up stored paragraphs.
type library interface {
	Search(ctx context.Context, q knowledge.Query) ([]knowledge.Passage, error)
	Passage(ctx context.Context, articleID string, paragraph int) (knowledge.Passage, error)
}

// Options configures a Chat.
type Options struct {
	// Engine answers questions. Required.
	Engine asker
	// Library serves /search and /source. Required.
	Library library
	// Sources limits answers to these outlets, like a channel's filter.
	Sources []string
	// MaxTurns is how many earlier turns a follow-up sees. Zero means 6.
	MaxTurns int
	// Prompt is shown before each question; empty means "> ".
	Prompt string
	// Logger receives what went wrong (the user sees a short message).
	// Nil means discard.
	Logger *slog.Logger
}

// Chat is one console conversation.
type Chat struct {
	opts    Options
	log     *slog.Logger
	history []answer.Turn
}

// New returns a Chat.
func New(opts Options) (*Chat, error) {
	if opts.Engine == nil || opts.Library == nil {
		return nil, errors.New("console: an engine and a library are required")
	}
	if opts.MaxTurns == 0 {
		opts.MaxTurns = 6
	}
	if opts.Prompt == "" {
		opts.Prompt = "> "
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Chat{opts: opts, log: log.With("component", "console")}, nil
}

// Help is what /help prints.
const Help = `Ask a question about the stored news, and follow up as in a chat thread.
  /search WORDS    paragraphs that match, with their ids
  /source ID#N     one paragraph in full (ids are shown with every source)
  /new             forget this conversation and start a new one
  /help            this text
  /quit            leave (or Ctrl-D)`

// Run reads questions from in until it ends, ctx is done, or /quit, and
// writes answers to out.
func (c *Chat) Run(ctx context.Context, in io.Reader, out io.Writer) error {
	fmt.Fprintln(out, "Byline console. Ask about the news; /help lists commands.")
	lines := make(chan string)
	readErr := make(chan error, 1)
	go func() {
		sc := bufio.NewScanner(in)
		sc.Buffer(make([]byte, 64*1024), 1<<20)
		for sc.Scan() {
			lines <- sc.Text()
		}
		readErr <- sc.Err()
		close(lines)
	}()
	for {
		fmt.Fprint(out, c.opts.Prompt)
		var line string
		select {
		case <-ctx.Done():
			fmt.Fprintln(out)
			return nil
		case l, ok := <-lines:
			if !ok {
				fmt.Fprintln(out)
				return <-readErr
			}
			line = strings.TrimSpace(l)
		}
		if line == "" {
			continue
		}
		quit, err := c.handle(ctx, line, out)
		if err != nil {
			return err
		}
		if quit {
			return nil
		}
	}
}

// handle answers one line and reports whether the user asked to leave.
func (c *Chat) handle(ctx context.Context, line string, out io.Writer) (bool, error) {
	cmd, arg, _ := strings.Cut(line, " ")
	arg = strings.TrimSpace(arg)
	switch strings.ToLower(cmd) {
	case "/quit", "/exit":
		return true, nil
	case "/help":
		fmt.Fprintln(out, Help)
		return false, nil
	case "/new":
		c.history = nil
		fmt.Fprintln(out, "Started a new conversation.")
		return false, nil
	case "/search":
		return false, c.search(ctx, arg, out)
	case "/source":
		return false, c.source(ctx, arg, out)
	}
	if strings.HasPrefix(cmd, "/") {
		fmt.Fprintf(out, "Unknown command %s. /help lists commands.\n", cmd)
		return false, nil
	}
	a, err := c.opts.Engine.Ask(ctx, answer.Question{Text: line, History: c.history, Sources: c.opts.Sources})
	if err != nil {
		if ctx.Err() != nil {
			return true, nil
		}
		// The details go to the log; the user gets a short, kind message.
		c.log.Error("console: answering failed", "err", err)
		fmt.Fprintln(out, "Sorry, I couldn't look that up just now. Please try again in a moment.")
		return false, nil
	}
	fmt.Fprintln(out, Render(a))
	c.history = append(c.history, answer.Turn{Question: line, Answer: a.Text})
	if len(c.history) > c.opts.MaxTurns {
		c.history = c.history[len(c.history)-c.opts.MaxTurns:]
	}
	return false, nil
}

func (c *Chat) search(ctx context.Context, words string, out io.Writer) error {
	if words == "" {
		fmt.Fprintln(out, "Usage: /search WORDS")
		return nil
	}
	ps, err := c.opts.Library.Search(ctx, knowledge.Query{Text: words, Limit: 5, Sources: c.opts.Sources})
	if err != nil {
		c.log.Error("console: search failed", "err", err)
		fmt.Fprintln(out, "Sorry, the search failed. Please try again.")
		return nil
	}
	if len(ps) == 0 {
		fmt.Fprintf(out, "No stored paragraph matches %q.\n", words)
		return nil
	}
	for _, p := range ps {
		fmt.Fprintf(out, "%s  %s\n  %s\n", p.Ref(), describe(p.Title, p.Source, p.Published), clip(p.Text, 300))
	}
	return nil
}

func (c *Chat) source(ctx context.Context, ref string, out io.Writer) error {
	id, n, ok := knowledge.ParseRef(ref)
	if !ok {
		fmt.Fprintln(out, "Usage: /source ARTICLE#PARAGRAPH, for example /source council-vote#2")
		return nil
	}
	p, err := c.opts.Library.Passage(ctx, id, n)
	if errors.Is(err, knowledge.ErrNotFound) {
		fmt.Fprintf(out, "There is no paragraph %s.\n", ref)
		return nil
	}
	if err != nil {
		c.log.Error("console: looking up a paragraph failed", "ref", ref, "err", err)
		fmt.Fprintln(out, "Sorry, the lookup failed. Please try again.")
		return nil
	}
	fmt.Fprintf(out, "%s  %s\n%s\n", p.Ref(), describe(p.Title, p.Source, p.Published), p.Text)
	if p.URL != "" {
		fmt.Fprintln(out, p.URL)
	}
	return nil
}
