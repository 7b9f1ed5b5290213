package chat

import (
	"context"
	"strings"
	"time"
)

// Platform is what every chat surface implements: an adapter that
// connects and answers through a Service, and posts as the bot. Adding a
// platform is a package with a type that implements it (its Reply types
// carry its rendering: mention syntax, escaping, limits) and one line in
// cmd/bot that builds it.
//
// What only some platforms can do is an optional interface, checked by
// type assertion with a documented fallback: ThreadStarter here, and
// Typer and Streamer on a Reply.
type Platform interface {
	// Run connects and answers until ctx is done; then it stops taking
	// questions and waits, within its drain time, for the answers in
	// flight.
	Run(ctx context.Context) error
	// Post posts Markdown text (with [n] markers, such as a digest) to a
	// channel or thread as the bot, split into as many messages as it
	// takes, with nothing able to ping anyone. It returns the first
	// message's id.
	Post(ctx context.Context, channelID, text string) (string, error)
	// Edit replaces the text of a message the bot posted; text must fit
	// one message.
	Edit(ctx context.Context, channelID, messageID, text string) error
}

// ThreadStarter is a Platform on which a thread has to be started on a
// message before anyone can reply in it (Discord). Without it, every
// message is the root of its own thread already (Slack) and a thread's id
// is its first message's.
type ThreadStarter interface {
	// StartThread starts a thread named name on a message and returns the
	// thread's id.
	StartThread(ctx context.Context, channelID, messageID, name string) (string, error)
}

// PostDigest posts a digest's text to a channel of p and opens its thread
// for replies for a day, answered from articleIDs first. On a
// ThreadStarter the thread is started on the digest's first message,
// named after its first line; a thread that cannot be started is logged,
// and the digest is posted all the same.
func (s *Service) PostDigest(ctx context.Context, p Platform, channelID, text string, articleIDs []string) (string, error) {
	id, err := p.Post(ctx, channelID, text)
	if err != nil {
		return id, err
	}
	// A thread on a message has the message's id: its ts on Slack, and on
	// Discord the thread channel started from it. It is opened before the
	// thread exists, so that the first reply finds it open.
	s.opts.Policy.OpenDigestThread(ThreadKey(channelID, id), articleIDs, s.opts.Now())
	if ts, ok := p.(ThreadStarter); ok {
		name, _, _ := strings.Cut(text, "\n")
		if _, err := ts.StartThread(ctx, channelID, id, name); err != nil {
			// Replies just need a thread of their own, or a mention.
			s.log.Warn("chat: starting a digest's thread failed", "platform", s.opts.Platform, "channel", channelID, "err", err)
		}
	}
	return id, nil
}

// ReopenDigestThread opens again, after a restart, the thread of a digest
// posted at posted (its first message's id is threadID), as PostDigest
// opened it: a digest more than a day old opens nothing.
func (s *Service) ReopenDigestThread(channelID, threadID string, articleIDs []string, posted time.Time) {
	s.opts.Policy.OpenDigestThread(ThreadKey(channelID, threadID), articleIDs, posted)
}
