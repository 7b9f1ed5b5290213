// Package console is Byline's chat in a terminal: it behaves as the bot
// does in Discord and Slack (a conversation with follow-ups, lookups by
// command, answers with numbered sources) and needs no tokens at all.
//
// It is a chat.Platform like the others: each question is a message of a
// DM that goes through a chat.Service (the one Decide, the queue, the
// follow-up history), and a Reply that prints the answer. It shows how
// small a platform is: no threads to start, no typing, no streaming.
package console

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/byline-bot/byline/adapters/chat"
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
	// In is where questions are read from; Out is where answers go.
	// Required.
	In  io.Reader
	Out io.Writer
	// Logger receives what went wrong (the user sees a short message).
	// Nil means discard.
	Logger *slog.Logger
	// Records keeps the answers and the votes on them (/good, /bad,
	// /wrong); *knowledge.Store is one. Nil keeps none, and those
	// commands say so.
	Records Records
}

// Records is where the console records answers and feedback.
type Records interface {
	chat.AnswerLog
	chat.FeedbackStore
}

// Chat is the console: one person's conversations in a terminal.
type Chat struct {
	opts Options
	log  *slog.Logger

	// conv numbers the conversation; /new starts the next.
	conv int
	// mu keeps what the Service's goroutine prints from interleaving with
	// the prompt, and guards last.
	mu sync.Mutex
	// last holds the feedback controls of the last answer.
	last chat.Controls
}

// The console is a chat platform.
var _ chat.Platform = (*Chat)(nil)

// channel is the console's one DM channel.
const channel = "console"

// New returns a Chat.
func New(opts Options) (*Chat, error) {
	if opts.Engine == nil || opts.Library == nil || opts.In == nil || opts.Out == nil {
		return nil, errors.New("console: an engine, a library, an input and an output are required")
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
	return &Chat{opts: opts, log: log.With("component", "console"), conv: 1}, nil
}

// Help is what /help prints.
const Help = `Ask a question about the stored news, and follow up as in a chat thread.
  /search WORDS    paragraphs that match, with their ids
  /source ID#N     one paragraph in full (ids are shown with every source)
  /good, /bad      say the last answer helped, or did not
  /wrong N [WHY]   say the last answer's source [N] is wrong, and why
  /new             forget this conversation and start a new one
  /help            this text
  /quit            leave (or Ctrl-D)`

// Run reads questions from Options.In until it ends, ctx is done, or
// /quit, and writes answers to Options.Out. Each question goes through a
// chat.Service of its own, as a message of a DM.
func (c *Chat) Run(ctx context.Context) error {
	// One question at a time; room for two in the conversation, since a
	// question answered is still in the queue for a moment after the
	// answer shows, when the next may come.
	queue := chat.NewQueue(ctx, 1, 2)
	defer func() { queue.Close(); queue.Wait() }()
	opts := chat.ServiceOptions{
		Engine: c.opts.Engine,
		Policy: chat.NewPolicy(chat.Settings{
			Default: chat.ChannelSettings{Allowed: true, Sources: c.opts.Sources},
			// A terminal conversation lasts until /new, not half an hour.
			FollowUpWindow: 30 * 24 * time.Hour,
			MaxTurns:       c.opts.MaxTurns,
		}, nil),
		Queue:    queue,
		Platform: "console",
		Logger:   c.log,
	}
	if c.opts.Records != nil {
		// The console's one user has nothing to hide from a known key.
		opts.Answers, opts.Feedback, opts.Secret = c.opts.Records, c.opts.Records, []byte("byline console")
	}
	svc, err := chat.NewService(opts)
	if err != nil {
		return err
	}
	in, out := c.opts.In, c.opts.Out
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
	for n := 1; ; n++ {
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
		quit, err := c.handle(ctx, svc, n, line, out)
		if err != nil {
			return err
		}
		if quit {
			return nil
		}
	}
}

// handle answers line, the nth, and reports whether the user asked to
// leave.
func (c *Chat) handle(ctx context.Context, svc *chat.Service, n int, line string, out io.Writer) (bool, error) {
	cmd, arg, _ := strings.Cut(line, " ")
	arg = strings.TrimSpace(arg)
	switch strings.ToLower(cmd) {
	case "/quit", "/exit":
		return true, nil
	case "/help":
		fmt.Fprintln(out, Help)
		return false, nil
	case "/new":
		c.conv++
		fmt.Fprintln(out, "Started a new conversation.")
		return false, nil
	case "/search":
		return false, c.search(ctx, arg, out)
	case "/source":
		return false, c.source(ctx, arg, out)
	case "/good", "/bad", "/wrong":
		fmt.Fprintln(out, c.feedback(ctx, svc, strings.ToLower(cmd), arg))
		return false, nil
	}
	if strings.HasPrefix(cmd, "/") {
		fmt.Fprintf(out, "Unknown command %s. /help lists commands.\n", cmd)
		return false, nil
	}
	// Each conversation is a thread of the console's DM, so that /new
	// starts one afresh.
	m := chat.Message{ID: strconv.Itoa(n), ChannelID: channel, ThreadID: strconv.Itoa(c.conv), UserID: "you", Text: line, DM: true}
	var r *reply
	if !svc.HandleMessage(ctx, m, func(w chat.Where) chat.Reply {
		r = &reply{c: c, key: w.Key, done: make(chan struct{})}
		return r
	}) {
		return false, nil
	}
	select {
	case <-r.done:
		return false, nil
	case <-ctx.Done():
		return true, nil
	}
}

// feedback carries out /good, /bad or /wrong on the last answer and
// returns what to tell the user.
func (c *Chat) feedback(ctx context.Context, svc *chat.Service, cmd, arg string) string {
	c.mu.Lock()
	last := c.last
	c.mu.Unlock()
	switch {
	case c.opts.Records == nil:
		return "Feedback is not kept in this console (no database)."
	case last.Helpful == "":
		return "There is no answer to rate yet: ask a question first."
	case cmd == "/good":
		return svc.HandleClick(ctx, chat.Click{ID: last.Helpful, UserID: "you"}).Text
	case cmd == "/bad":
		return svc.HandleClick(ctx, chat.Click{ID: last.NotHelpful, UserID: "you"}).Text
	}
	num, reason, _ := strings.Cut(arg, " ")
	n, err := strconv.Atoi(strings.Trim(num, "[]"))
	if err != nil || n < 1 {
		return "Say which source is wrong: /wrong N, with N the source's number, and why if you like."
	}
	if last.WrongSource == "" {
		return "The last answer cites no sources, so there is none to report."
	}
	out := svc.HandleClick(ctx, chat.Click{ID: last.WrongSource, UserID: "you"})
	if out.Report == "" {
		return out.Text
	}
	return svc.HandleClick(ctx, chat.Click{ID: out.Report, UserID: "you", N: n, Reason: strings.TrimSpace(reason)}).Text
}

// reply prints the answer to one question.
type reply struct {
	c    *Chat
	key  string
	once sync.Once
	done chan struct{}
}

// Conversation implements chat.Reply.
func (r *reply) Conversation() (string, bool) { return r.key, true }

// Answer implements chat.Reply.
func (r *reply) Answer(_ context.Context, a answer.Answer) error {
	defer r.finish()
	return r.c.print(Render(a))
}

// AnswerRated implements chat.Rater: the answer as Answer prints it, its
// controls kept for /good, /bad and /wrong.
func (r *reply) AnswerRated(ctx context.Context, a answer.Answer, ctl chat.Controls) error {
	r.c.mu.Lock()
	r.c.last = ctl
	r.c.mu.Unlock()
	return r.Answer(ctx, a)
}

// Notice implements chat.Reply: the details of a failure went to the
// log; the user gets the Service's short, kind message.
func (r *reply) Notice(_ context.Context, text string) error {
	defer r.finish()
	return r.c.print(text)
}

func (r *reply) finish() { r.once.Do(func() { close(r.done) }) }

// print writes text and a newline to the output.
func (c *Chat) print(text string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	_, err := fmt.Fprintln(c.opts.Out, text)
	return err
}

// Post implements chat.Platform: it prints text, as the bot would post
// it to a channel, and returns a message id.
func (c *Chat) Post(_ context.Context, channelID, text string) (string, error) {
	if strings.TrimSpace(text) == "" {
		return "", errors.New("console: nothing to post")
	}
	return "posted", c.print(text)
}

// Edit implements chat.Platform. A terminal cannot change what it has
// printed, so the new text is printed after it.
func (c *Chat) Edit(_ context.Context, channelID, messageID, text string) error {
	return c.print(text)
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
