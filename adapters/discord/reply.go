package discord

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/byline-bot/byline/adapters/chat"
	"github.com/byline-bot/byline/answer"
)

// typingEvery is how often the typing indicator, which Discord shows for
// about ten seconds, is renewed while an answer is worked on.
const typingEvery = 8 * time.Second

// noMentions lets nothing the bot posts ping anyone: no users, roles,
// @everyone, nor the author of a message it replies to. Parse is an empty
// list, not null, which is what tells Discord to parse nothing.
func noMentions() *discordgo.MessageAllowedMentions {
	return &discordgo.MessageAllowedMentions{Parse: []discordgo.AllowedMentionType{}}
}

// retry calls f until it is not rate limited, as chat.Retry does for
// every platform. discordgo's own bucket limiter, fed by the
// X-RateLimit headers, already spaces requests out; this handles the 429s
// that get through anyway.
//
// what names the request in the log. URLs are not logged, since those of
// interaction responses hold the interaction's token.
func retry(ctx context.Context, log *slog.Logger, what string, f func(opts ...discordgo.RequestOption) error) error {
	err := chat.Retry(ctx, log, "discord", what, rateLimit, func(ctx context.Context) error {
		return f(discordgo.WithContext(ctx))
	})
	return scrub(err)
}

// rateLimit reads a 429 and its retry_after.
func rateLimit(err error) (time.Duration, bool) {
	var rl *discordgo.RateLimitError
	if !errors.As(err, &rl) {
		return 0, false
	}
	if rl.RateLimit != nil && rl.TooManyRequests != nil {
		return rl.RetryAfter, true
	}
	return 0, true
}

// scrub removes request URLs from an error, since those of interaction
// responses hold the interaction's token, which is not for logs; a 429
// names its URL too.
func scrub(err error) error {
	if _, limited := rateLimit(err); limited {
		return fmt.Errorf("discord: %w", chat.ErrRateLimited)
	}
	return chat.Scrub("discord", err)
}

// send posts one message: no mentions, no link previews.
func (b *Bot) send(ctx context.Context, channelID, content string, ref *discordgo.MessageReference) (*discordgo.Message, error) {
	return b.sendWith(ctx, channelID, content, ref, nil)
}

// sendWith is send with components under the message.
func (b *Bot) sendWith(ctx context.Context, channelID, content string, ref *discordgo.MessageReference, comps []discordgo.MessageComponent) (*discordgo.Message, error) {
	var m *discordgo.Message
	err := retry(ctx, b.log, "post message", func(opts ...discordgo.RequestOption) error {
		var err error
		m, err = b.rest.ChannelMessageSendComplex(channelID, &discordgo.MessageSend{
			Content:         content,
			AllowedMentions: noMentions(),
			Reference:       ref,
			Flags:           discordgo.MessageFlagsSuppressEmbeds,
			Components:      comps,
		}, opts...)
		return err
	})
	return m, err
}

// edit replaces a message's content.
func (b *Bot) edit(ctx context.Context, channelID, messageID, content string) error {
	return b.editWith(ctx, channelID, messageID, content, nil)
}

// editWith replaces a message's content and, when comps is not nil, its
// components.
func (b *Bot) editWith(ctx context.Context, channelID, messageID, content string, comps []discordgo.MessageComponent) error {
	return retry(ctx, b.log, "edit message", func(opts ...discordgo.RequestOption) error {
		e := &discordgo.MessageEdit{
			ID:              messageID,
			Channel:         channelID,
			Content:         &content,
			AllowedMentions: noMentions(),
			Flags:           discordgo.MessageFlagsSuppressEmbeds,
		}
		if comps != nil {
			e.Components = &comps
		}
		_, err := b.rest.ChannelMessageEditComplex(e, opts...)
		return err
	})
}

// replyMode is where a message's answer goes.
type replyMode int

const (
	// inPlace posts in the message's own channel: a DM, or the thread the
	// message is in.
	inPlace replyMode = iota
	// newThread starts a thread on the message and answers there.
	newThread
	// asReply answers in the channel, as a reply to the message.
	asReply
)

var (
	_ chat.Typer    = (*messageReply)(nil)
	_ chat.Streamer = (*messageReply)(nil)
	_ chat.Streamer = (*interactionReply)(nil)
)

// messageReply is a chat.Reply that answers a Discord message.
type messageReply struct {
	b        *Bot
	key      string
	inThread bool
	msg      *discordgo.Message
	name     string // the thread's name, for newThread

	mu          sync.Mutex
	mode        replyMode
	channelID   string // where to post; for newThread, set once it exists
	threadTried bool
	placeholder string // the message that progress edits
	typing      bool
	posted      string // the answer's first message, once posted
	// comps are the components (feedback buttons) the answer's last
	// message gets; set by AnswerRated around its post.
	comps []discordgo.MessageComponent

	release  func() // ends the hold on the service's work, if any
	doneOnce sync.Once
	done     chan struct{}
}

// newMessageReply returns a Reply that answers dm where w says.
func (b *Bot) newMessageReply(w chat.Where, m chat.Message, dm *discordgo.Message) *messageReply {
	r := &messageReply{b: b, msg: dm, channelID: dm.ChannelID, key: w.Key, inThread: w.InThread, done: make(chan struct{})}
	switch w.Placement {
	case chat.InPlace:
		r.mode = inPlace
	case chat.NewThread:
		r.mode, r.channelID, r.name = newThread, "", threadName(m.Text)
	default:
		r.mode = asReply
	}
	return r
}

// threadName names a thread after its question.
func threadName(q string) string {
	q = strings.Join(strings.Fields(defuse(q)), " ")
	if q == "" {
		return "Question"
	}
	return clip(q, 90)
}

// Conversation implements chat.Reply.
func (r *messageReply) Conversation() (string, bool) { return r.key, r.inThread }

// target returns where to post, starting the thread if it is time to.
// Called with r.mu held.
func (r *messageReply) target(ctx context.Context) (string, *discordgo.MessageReference) {
	if r.mode == newThread && !r.threadTried {
		r.threadTried = true
		r.startThread(ctx)
	}
	switch r.mode {
	case newThread, inPlace:
		return r.channelID, nil
	default:
		return r.msg.ChannelID, r.reference()
	}
}

func (r *messageReply) reference() *discordgo.MessageReference {
	no := false
	return &discordgo.MessageReference{MessageID: r.msg.ID, ChannelID: r.msg.ChannelID, GuildID: r.msg.GuildID, FailIfNotExists: &no}
}

// startThread starts the answer's thread on the question, or falls back
// to a reply in the channel when Discord will not.
func (r *messageReply) startThread(ctx context.Context) {
	id, err := r.b.StartThread(ctx, r.msg.ChannelID, r.msg.ID, r.name)
	switch _, code := restStatus(err); {
	case err == nil:
		r.channelID = id
		if key := chat.ThreadKey(r.msg.ChannelID, id); key != r.key {
			// Not Discord's rule that a thread shares its message's id;
			// the follow-up window opens in the real thread all the same.
			r.b.log.Warn("discord: thread id differs from its message's", "thread", id, "message", r.msg.ID)
		}
	case code == discordgo.ErrCodeThreadAlreadyCreatedForThisMessage:
		r.channelID = r.msg.ID
	default:
		r.b.log.Warn("discord: could not start a thread; replying in the channel", "channel", r.msg.ChannelID, "message", r.msg.ID, "err", err)
		r.mode = asReply
	}
}

// Typing implements chat.Typer: it shows the typing indicator, and renews
// it until the answer is posted or ctx ends.
func (r *messageReply) Typing(ctx context.Context) {
	r.mu.Lock()
	ch, _ := r.target(ctx)
	start := !r.typing
	r.typing = true
	r.mu.Unlock()
	if !start {
		return
	}
	typing := func() {
		if err := r.b.rest.ChannelTyping(ch, discordgo.WithContext(ctx)); err != nil && ctx.Err() == nil {
			r.b.log.Debug("discord: typing indicator", "channel", ch, "err", err)
		}
	}
	typing()
	go func() {
		t := time.NewTicker(typingEvery)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				typing()
			case <-r.done:
				return
			case <-ctx.Done():
				return
			}
		}
	}()
}

// Progress implements chat.Streamer: the first call posts a placeholder,
// later ones edit it.
func (r *messageReply) Progress(ctx context.Context, partial string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	content := RenderProgress(partial)
	ch, ref := r.target(ctx)
	if r.placeholder != "" {
		return r.b.edit(ctx, ch, r.placeholder, content)
	}
	m, err := r.b.send(ctx, ch, content, ref)
	if err != nil {
		return err
	}
	r.placeholder = m.ID
	return nil
}

// Answer implements chat.Reply: the rendered answer replaces the
// placeholder, if any, and goes on in as many messages as it takes.
func (r *messageReply) Answer(ctx context.Context, a answer.Answer) error {
	defer r.finish()
	return r.post(ctx, Render(a), true)
}

// Notice implements chat.Reply. A notice that comes before anything was
// posted (a bare mention, a quota) is a reply in the channel rather than
// a new thread.
func (r *messageReply) Notice(ctx context.Context, text string) error {
	defer r.finish()
	return r.post(ctx, RenderText(text), false)
}

// post delivers pieces, the first replacing the placeholder. Unless
// mayStartThread, a thread not started yet is not started for them: they
// go as a reply in the channel.
func (r *messageReply) post(ctx context.Context, pieces []string, mayStartThread bool) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !mayStartThread && r.mode == newThread && !r.threadTried && r.placeholder == "" {
		r.mode = asReply
	}
	ch, ref := r.target(ctx)
	for i, p := range pieces {
		var err error
		var comps []discordgo.MessageComponent
		if i == len(pieces)-1 {
			comps = r.comps // the feedback buttons go under the last message
		}
		id := ""
		if i == 0 && r.placeholder != "" {
			id = r.placeholder
			err = r.b.editWith(ctx, ch, r.placeholder, p, comps)
			if status, _ := restStatus(err); status == http.StatusNotFound {
				// Someone deleted the placeholder: post anew.
				id, err = r.b.sendIDWith(ctx, ch, p, ref, comps)
			}
		} else {
			id, err = r.b.sendIDWith(ctx, ch, p, ref, comps)
		}
		if err != nil {
			return err
		}
		if i == 0 {
			r.posted = id
		}
		ref = nil // the first message replies; the rest follow it
	}
	return nil
}

// finish marks the reply delivered (or given up).
func (r *messageReply) finish() {
	r.doneOnce.Do(func() {
		close(r.done)
		if r.release != nil {
			r.release()
		}
	})
}
