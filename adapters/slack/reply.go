package slack

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/slack-go/slack"

	"github.com/byline-bot/byline/adapters/chat"
	"github.com/byline-bot/byline/answer"
)

// maxResponses is how many times Slack lets a response_url be used.
const maxResponses = 5

// retry calls f until it is not rate limited, as chat.Retry does for
// every platform.
func retry(ctx context.Context, log *slog.Logger, what string, f func(ctx context.Context) error) error {
	return scrub(chat.Retry(ctx, log, "slack", what, rateLimit, f))
}

// rateLimit reads a 429 and its Retry-After.
func rateLimit(err error) (time.Duration, bool) {
	var rl *slack.RateLimitedError
	if !errors.As(err, &rl) {
		return 0, false
	}
	return rl.RetryAfter, true
}

// scrub removes request URLs from an error, since a response_url is a
// credential of sorts, not for logs.
func scrub(err error) error {
	if _, limited := rateLimit(err); limited {
		return fmt.Errorf("slack: %w", chat.ErrRateLimited)
	}
	return chat.Scrub("slack", err)
}

// messageOptions are the options of every message the bot posts or
// edits: its blocks and fallback text, and no link or media previews.
// Neither link_names nor parse is ever set, so Slack links no names.
func messageOptions(m Message) []slack.MsgOption {
	return []slack.MsgOption{
		slack.MsgOptionText(m.Text, false),
		slack.MsgOptionBlocks(m.Blocks...),
		slack.MsgOptionDisableLinkUnfurl(),
		slack.MsgOptionDisableMediaUnfurl(),
	}
}

// post posts one message, in a thread if threadTS is set, and returns its
// ts.
func (b *Bot) post(ctx context.Context, channel, threadTS string, m Message) (string, error) {
	opts := messageOptions(m)
	if threadTS != "" {
		opts = append(opts, slack.MsgOptionTS(threadTS))
	}
	var ts string
	err := retry(ctx, b.log, "chat.postMessage", func(ctx context.Context) error {
		var err error
		_, ts, err = b.api.PostMessageContext(ctx, channel, opts...)
		return err
	})
	return ts, err
}

// update replaces a message's content.
func (b *Bot) update(ctx context.Context, channel, ts string, m Message) error {
	return retry(ctx, b.log, "chat.update", func(ctx context.Context) error {
		_, _, _, err := b.api.UpdateMessageContext(ctx, channel, ts, messageOptions(m)...)
		return err
	})
}

// respond sends a message to a response_url (slash commands, shortcuts):
// visible to the asker alone if ephemeral, else in the channel.
func (b *Bot) respond(ctx context.Context, responseURL string, ephemeral bool, m Message) error {
	no := false
	msg := &slack.WebhookMessage{
		Text:         m.Text,
		Blocks:       &slack.Blocks{BlockSet: m.Blocks},
		ResponseType: slack.ResponseTypeInChannel,
		UnfurlLinks:  &no,
		UnfurlMedia:  &no,
	}
	if ephemeral {
		msg.ResponseType = slack.ResponseTypeEphemeral
	}
	return retry(ctx, b.log, "response_url", func(ctx context.Context) error {
		return slack.PostWebhookCustomHTTPContext(ctx, responseURL, b.http, msg)
	})
}

// messageReply is a chat.Reply that answers a Slack message: in a DM, in a
// thread, or in the channel. It is a chat.Streamer but no chat.Typer:
// Slack has no typing indicator for bots outside the legacy RTM API, so
// nothing is shown until there is text.
type messageReply struct {
	b        *Bot
	channel  string
	threadTS string // "" posts in the channel itself
	key      string
	inThread bool
	// fallbackURL, when set, is a response_url to tell the asker alone
	// that the bot cannot post in the channel (a shortcut used where the
	// bot is not a member).
	fallbackURL string

	mu          sync.Mutex
	placeholder string    // the message that progress edits
	quietUntil  time.Time // no progress edits before this: Slack said to wait
	posted      string    // the answer's first message, once posted

	release  func() // ends the hold on the service's work, if any
	doneOnce sync.Once
}

// newMessageReply returns a Reply that answers m where w says: in a DM or
// a thread in place, in a new thread on m, or in the channel.
func (b *Bot) newMessageReply(w chat.Where, m chat.Message) *messageReply {
	r := &messageReply{b: b, channel: m.ChannelID, key: w.Key, inThread: w.InThread}
	switch w.Placement {
	case chat.InPlace:
		r.threadTS = m.ThreadID
	case chat.NewThread:
		r.threadTS = m.ID // a thread on a message has the message's ts
	}
	return r
}

// Conversation implements chat.Reply.
func (r *messageReply) Conversation() (string, bool) { return r.key, r.inThread }

// Progress implements chat.Streamer: the first call posts a placeholder,
// later ones edit it (the Service calls it at most about once a second).
// An edit is only a preview, so a rate-limited one is not retried: the
// edits pause for as long as Slack asks (chat.update allows about 50 a
// minute per workspace) and the answer replaces the placeholder anyway.
func (r *messageReply) Progress(ctx context.Context, partial string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	m := RenderProgress(partial)
	if r.placeholder != "" {
		if time.Now().Before(r.quietUntil) {
			return nil
		}
		_, _, _, err := r.b.api.UpdateMessageContext(ctx, r.channel, r.placeholder, messageOptions(m)...)
		var rl *slack.RateLimitedError
		if errors.As(err, &rl) {
			r.quietUntil = time.Now().Add(max(rl.RetryAfter, time.Second))
			return nil
		}
		return scrub(err)
	}
	ts, err := r.b.post(ctx, r.channel, r.threadTS, m)
	if err != nil {
		r.tellAsker(ctx, err)
		return err
	}
	r.placeholder = ts
	return nil
}

// Answer implements chat.Reply: the rendered answer replaces the
// placeholder, if any, and goes on in as many messages as it takes.
func (r *messageReply) Answer(ctx context.Context, a answer.Answer) error {
	defer r.finish()
	return r.deliver(ctx, Render(a))
}

// Notice implements chat.Reply.
func (r *messageReply) Notice(ctx context.Context, text string) error {
	defer r.finish()
	return r.deliver(ctx, RenderText(text))
}

// deliver posts messages, the first replacing the placeholder.
func (r *messageReply) deliver(ctx context.Context, ms []Message) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	for i, m := range ms {
		var err error
		ts := ""
		if i == 0 && r.placeholder != "" {
			ts = r.placeholder
			err = r.b.update(ctx, r.channel, r.placeholder, m)
			if apiError(err, "message_not_found", "cant_update_message", "edit_window_closed") {
				// Someone deleted the placeholder: post anew.
				ts, err = r.b.post(ctx, r.channel, r.threadTS, m)
			}
		} else {
			ts, err = r.b.post(ctx, r.channel, r.threadTS, m)
		}
		if err != nil {
			r.tellAsker(ctx, err)
			return err
		}
		if i == 0 {
			r.posted = ts
		}
	}
	return nil
}

// tellAsker explains to the asker alone, where it can, why nothing was
// posted: the bot is not in the channel.
func (r *messageReply) tellAsker(ctx context.Context, err error) {
	if r.fallbackURL == "" || !apiError(err, "not_in_channel", "channel_not_found") {
		return
	}
	url := r.fallbackURL
	r.fallbackURL = "" // once is enough
	msg := RenderText("I can't post in this channel yet. Invite me with `/invite @Byline`, then try again.")[0]
	if err := r.b.respond(ctx, url, true, msg); err != nil {
		r.b.log.Warn("slack: telling the asker the bot is not in the channel", "err", err)
	}
}

// finish marks the reply delivered (or given up).
func (r *messageReply) finish() {
	r.doneOnce.Do(func() {
		if r.release != nil {
			r.release()
		}
	})
}

var (
	_ chat.Streamer = (*messageReply)(nil)
	_ chat.Reply    = (*commandReply)(nil)
)

// commandReply answers a slash command through its response_url: visible
// to the asker alone in private channels, else in the channel. It is a
// chat.Reply for `/byline ask`, and no chat.Streamer: a response_url takes
// five messages and cannot edit them, so the answer shows once it is
// whole.
type commandReply struct {
	b         *Bot
	url       string
	ephemeral bool
	key       string

	mu       sync.Mutex
	used     int
	release  func() // ends the hold on the service's work, if any
	doneOnce sync.Once
}

// Conversation implements chat.Reply. A slash command is never in a
// thread.
func (r *commandReply) Conversation() (string, bool) { return r.key, false }

// Answer implements chat.Reply.
func (r *commandReply) Answer(ctx context.Context, a answer.Answer) error {
	defer r.finish()
	return r.deliver(ctx, Render(a))
}

// Notice implements chat.Reply. Notices (a quota, a full queue, a
// failure) concern the asker alone, so they are ephemeral even where
// answers are posted to the channel.
func (r *commandReply) Notice(ctx context.Context, text string) error {
	defer r.finish()
	return r.send(ctx, RenderText(text), true)
}

// deliver sends messages through the response_url, as many as it takes.
func (r *commandReply) deliver(ctx context.Context, ms []Message) error {
	return r.send(ctx, ms, r.ephemeral)
}

// send is deliver with the visibility given.
func (r *commandReply) send(ctx context.Context, ms []Message, ephemeral bool) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, m := range ms {
		if r.used >= maxResponses {
			r.b.log.Warn("slack: a command's answer needs more messages than its response_url allows; the rest is dropped", "messages", len(ms))
			return nil
		}
		r.used++
		if err := r.b.respond(ctx, r.url, ephemeral, m); err != nil {
			return err
		}
	}
	return nil
}

// say delivers text, logging a failure; for commands answered outside the
// Service, which logs its own.
func (r *commandReply) say(ctx context.Context, ms []Message) {
	if err := r.deliver(ctx, ms); err != nil {
		r.b.log.Error("slack: answering a slash command failed", "err", err)
	}
}

func (r *commandReply) finish() {
	r.doneOnce.Do(func() {
		if r.release != nil {
			r.release()
		}
	})
}
