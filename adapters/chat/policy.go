// Package chat holds what the chat surfaces share, whatever the platform:
// which messages to answer, conversations and their follow-up window,
// per-channel settings, per-thread ordering, quotas, and splitting long
// answers into messages. The platform adapters translate their platform's
// events into a Message and carry out what this package decides.
package chat

import (
	"strings"
	"sync"
	"time"

	"github.com/byline-bot/byline/answer"
)

// Message is an incoming chat message in platform-neutral form.
type Message struct {
	// ID is the platform's message id.
	ID string
	// ChannelID is where the message was posted (for a thread, its parent
	// channel).
	ChannelID string
	// ThreadID is the thread the message is in, "" if none. On Slack it is
	// the parent message's ts; on Discord the thread channel's id.
	ThreadID string
	// UserID is the author.
	UserID string
	// Text is the message text with the bot's own mention removed.
	Text string
	// FromBot is true for messages by any bot, this one included.
	FromBot bool
	// Edited is true for an edit of an earlier message.
	Edited bool
	// DM is true for a direct message to the bot.
	DM bool
	// MentionsBot is true when the message mentions the bot.
	MentionsBot bool
	// Dedupe are the keys that identify this delivery in the platform's
	// namespace, such as "message:123" (the Service adds the platform's
	// name); when any was seen before, the message was handled already.
	Dedupe []string
}

// ConversationKey identifies the conversation a message belongs to: its
// thread, or for a DM outside threads the DM channel itself.
func (m Message) ConversationKey() string { return ThreadKey(m.ChannelID, m.ThreadID) }

// ChannelSettings say how the bot behaves in one channel.
type ChannelSettings struct {
	// Allowed is false for channels the bot must stay silent in.
	Allowed bool
	// AutoAnswer answers every human message, mention or not.
	AutoAnswer bool
	// ReplyInThread answers a channel mention in a thread started on it;
	// false replies in the channel.
	ReplyInThread bool
	// Private shows answers only to the asker where the platform allows it
	// (slash commands); messages are always answered in public.
	Private bool
	// Sources limits answers to these outlets; empty means all.
	Sources []string
}

// Settings are the answering rules for a whole workspace or server.
type Settings struct {
	// Default applies to channels not listed in Channels.
	Default ChannelSettings
	// Channels overrides Default per channel id (or name, as the adapter
	// resolves it).
	Channels map[string]ChannelSettings
	// FollowUpWindow is how long after the bot's last answer in a thread a
	// reply there needs no new mention. Zero means 30 minutes.
	FollowUpWindow time.Duration
	// MaxTurns is how many earlier turns a conversation keeps. Zero means 6.
	MaxTurns int
}

// For returns the settings of a channel.
func (s Settings) For(channelID string) ChannelSettings {
	if c, ok := s.Channels[channelID]; ok {
		return c
	}
	return s.Default
}

// Decision is what to do with a message.
type Decision struct {
	// Answer is true when the bot should answer.
	Answer bool
	// Why says why, for logs and tests.
	Why string
	// Settings are the channel's settings.
	Settings ChannelSettings
}

// Policy decides which messages to answer and remembers conversations. It
// is safe for concurrent use.
type Policy struct {
	settings Settings
	now      func() time.Time

	mu    sync.Mutex
	convs map[string]*conversation
}

// conversation is what the bot remembers of one thread or DM.
type conversation struct {
	turns      []answer.Turn
	lastAnswer time.Time
	botThread  bool     // the bot answered in this thread
	prefer     []string // articles to answer from first (a digest's stories)
}

// NewPolicy returns a Policy. now is the clock; nil means time.Now.
func NewPolicy(s Settings, now func() time.Time) *Policy {
	if s.FollowUpWindow == 0 {
		s.FollowUpWindow = 30 * time.Minute
	}
	if s.MaxTurns == 0 {
		s.MaxTurns = 6
	}
	if now == nil {
		now = time.Now
	}
	return &Policy{settings: s, now: now, convs: make(map[string]*conversation)}
}

// Settings returns the policy's settings.
func (p *Policy) Settings() Settings { return p.settings }

// Decide says whether to answer m: never bots (this one included), edits,
// empty text or channels not allowed; always DMs and mentions; in a thread
// the bot answered, any reply within the follow-up window; in an
// auto-answer channel, every human message.
func (p *Policy) Decide(m Message) Decision {
	cs := p.settings.For(m.ChannelID)
	d := Decision{Settings: cs}
	switch {
	case m.FromBot:
		d.Why = "from a bot"
	case m.Edited:
		d.Why = "an edit"
	case strings.TrimSpace(m.Text) == "" && !m.MentionsBot:
		d.Why = "no text"
	case m.DM:
		d.Answer, d.Why = true, "direct message"
	case !cs.Allowed:
		d.Why = "channel not allowed"
	case m.MentionsBot:
		d.Answer, d.Why = true, "mention"
	case m.ThreadID != "" && p.inFollowUpWindow(m.ConversationKey()):
		d.Answer, d.Why = true, "follow-up in the bot's thread"
	case cs.AutoAnswer:
		d.Answer, d.Why = true, "auto-answer channel"
	default:
		d.Why = "not addressed to the bot"
	}
	return d
}

func (p *Policy) inFollowUpWindow(key string) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	c, ok := p.convs[key]
	return ok && c.botThread && p.now().Sub(c.lastAnswer) <= p.settings.FollowUpWindow
}

// History returns the earlier turns of a conversation, oldest first; an
// expired conversation starts afresh.
func (p *Policy) History(key string) []answer.Turn {
	p.mu.Lock()
	defer p.mu.Unlock()
	c, ok := p.convs[key]
	if !ok || p.now().Sub(c.lastAnswer) > p.settings.FollowUpWindow {
		return nil
	}
	return append([]answer.Turn(nil), c.turns...)
}

// Record remembers an answered turn of a conversation; inThread says the
// bot answered inside a thread, which opens the follow-up window there.
func (p *Policy) Record(key string, t answer.Turn, inThread bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := p.now()
	c, ok := p.convs[key]
	if !ok || now.Sub(c.lastAnswer) > p.settings.FollowUpWindow {
		c = &conversation{}
		p.convs[key] = c
	}
	c.turns = append(c.turns, t)
	if len(c.turns) > p.settings.MaxTurns {
		c.turns = c.turns[len(c.turns)-p.settings.MaxTurns:]
	}
	// A digest's thread is open further ahead than an answer would keep
	// it; never shorten it.
	if now.After(c.lastAnswer) {
		c.lastAnswer = now
	}
	c.botThread = c.botThread || inThread
	p.expireLocked(now)
}

// OpenThread marks a thread as the bot's, as when it posts a digest there
// or starts a thread on a mention, so replies need no mention.
func (p *Policy) OpenThread(key string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	c, ok := p.convs[key]
	if !ok {
		c = &conversation{}
		p.convs[key] = c
	}
	c.botThread = true
	// A digest's thread may be open further ahead; never shorten it.
	if now := p.now(); c.lastAnswer.Before(now) {
		c.lastAnswer = now
	}
}

// OpenDigestThread marks the thread of a digest posted at posted as the
// bot's, like OpenThread, and remembers the digest's articles: questions
// asked there are answered from them first. The thread stays open for
// replies for a day from the post, not the follow-up window: people reply
// to a digest all day. A digest posted more than a day ago opens nothing.
func (p *Policy) OpenDigestThread(key string, articleIDs []string, posted time.Time) {
	until := posted.Add(24 * time.Hour)
	if !p.now().Before(until) {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	// lastAnswer in the future keeps the window open until a day after
	// the post.
	c := &conversation{botThread: true, prefer: articleIDs, lastAnswer: until.Add(-p.settings.FollowUpWindow)}
	p.convs[key] = c
}

// Preferred returns the articles a conversation answers from first, if
// any.
func (p *Policy) Preferred(key string) []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	if c, ok := p.convs[key]; ok && p.now().Sub(c.lastAnswer) <= p.settings.FollowUpWindow {
		return c.prefer
	}
	return nil
}

// expireLocked drops conversations idle for more than twice the window, so
// memory does not grow with every thread ever answered.
func (p *Policy) expireLocked(now time.Time) {
	if len(p.convs) < 1024 {
		return
	}
	for k, c := range p.convs {
		if now.Sub(c.lastAnswer) > 2*p.settings.FollowUpWindow {
			delete(p.convs, k)
		}
	}
}
