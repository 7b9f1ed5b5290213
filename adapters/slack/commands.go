package slack

import (
	"context"
	"errors"
	"net/url"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/byline-bot/byline/adapters/chat"
	"github.com/byline-bot/byline/knowledge"
)

// ShortcutID is the callback id of the "Ask Byline about this" message
// shortcut (see manifest.yaml).
const ShortcutID = "ask_byline"

// Help is what `/byline help` shows, in mrkdwn.
const Help = `I answer questions about the news from the stored articles, and cite the paragraph each claim comes from: [1] marks a claim, and the numbered sources below the answer say where it is from.

*Asking*
• Mention me with a question in a channel; I answer in a thread on your message, and answer follow-ups in that thread without a new mention for a while.
• Send me a direct message.
• In an "ask the news" channel, just ask.
• On any message, choose *Ask Byline about this* from its ⋮ menu; I answer in its thread.

*Commands*
• ` + "`/byline ask question`" + ` — ask here.
• ` + "`/byline search keywords`" + ` — paragraphs that match, with their articles and links.
• ` + "`/byline source id`" + ` — one paragraph in full; the id is the ` + "`article#3`" + ` shown with each source.
• ` + "`/byline digest`" + ` — post today's digest in this channel now (for the bot's admins).
• ` + "`/byline help`" + ` — this text.`

// ackMessage is a message sent with the acknowledgement of a command: in
// the HTTP response, or the Socket Mode ack's payload.
type ackMessage struct {
	ResponseType string        `json:"response_type"`
	Text         string        `json:"text"`
	Blocks       []slack.Block `json:"blocks,omitempty"`
}

// private is an acknowledgement only the asker sees, from mrkdwn we wrote.
func private(mrkdwnText string) *ackMessage {
	return &ackMessage{ResponseType: slack.ResponseTypeEphemeral, Text: mrkdwnText, Blocks: []slack.Block{section(mrkdwnText)}}
}

// command serves `/byline …`. It returns at once, with what to
// acknowledge the command with (nil for an empty acknowledgement) and the
// work that follows it, if any, which answers through the response_url.
// A first word that is no subcommand makes the whole text a question.
func (b *Bot) command(cmd slack.SlashCommand) (*ackMessage, func(context.Context)) {
	sub, arg, _ := strings.Cut(strings.TrimSpace(cmd.Text), " ")
	sub, arg = strings.ToLower(sub), strings.TrimSpace(arg)
	switch sub {
	case "", "help":
		return private(Help), nil
	case "ask", "search", "source", "digest":
	default:
		sub, arg = "ask", strings.TrimSpace(cmd.Text)
	}
	name := cmd.Command
	if name == "" {
		name = "/byline"
	}
	if sub == "digest" {
		return b.digest(cmd)
	}
	cs := b.settings(cmd.ChannelID)
	if !cs.Allowed {
		return private("I'm not answering in this channel. Ask me in another channel, or in a direct message."), nil
	}
	// A command is never in a thread on Slack.
	key, _ := chat.CommandConversation(cmd.ChannelID, "", cmd.UserID, false, cs.Private)
	r := &commandReply{b: b, url: cmd.ResponseURL, ephemeral: cs.Private, key: key}
	switch sub {
	case "ask":
		if arg == "" {
			return private("Ask a question after " + name + " ask, for example: " + name + " ask what did the council decide?"), nil
		}
		return nil, func(ctx context.Context) {
			if !b.first(ctx, "trigger:"+cmd.TriggerID) {
				return
			}
			release, ok := b.opts.Service.Hold()
			if !ok {
				return
			}
			r.release = release
			b.opts.Service.Ask(chat.Request{UserID: cmd.UserID, ChannelID: cmd.ChannelID, Text: questionText(arg, b.botUser()), Sources: cs.Sources}, r)
		}
	case "search":
		if arg == "" {
			return private("Give some keywords after " + name + " search."), nil
		}
		return nil, func(ctx context.Context) {
			if b.first(ctx, "trigger:"+cmd.TriggerID) {
				b.search(ctx, r, questionText(arg, ""), cs.Sources)
			}
		}
	default: // source
		id, n, ok := parseRef(arg)
		if !ok {
			return private("Give a paragraph id after " + name + " source, as shown with each source: for example " + name + " source council-vote#2"), nil
		}
		return nil, func(ctx context.Context) {
			if b.first(ctx, "trigger:"+cmd.TriggerID) {
				b.source(ctx, r, id, n, arg)
			}
		}
	}
}

// settings returns a channel's settings; a direct message is always
// answered, and private already.
func (b *Bot) settings(channelID string) chat.ChannelSettings {
	cs := b.opts.Service.Settings(channelID)
	if strings.HasPrefix(channelID, "D") {
		cs.Allowed, cs.Private = true, false
	}
	return cs
}

// search serves `/byline search`.
func (b *Bot) search(ctx context.Context, r *commandReply, words string, sources []string) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	ps, err := b.opts.Library.Search(ctx, knowledge.Query{Text: words, Limit: 5, Sources: sources})
	if err != nil {
		b.log.Error("slack: search failed", "err", err)
		r.say(ctx, RenderText("Sorry, the search failed. Please try again."))
		return
	}
	r.say(ctx, RenderSearch(words, ps))
}

// source serves `/byline source`.
func (b *Bot) source(ctx context.Context, r *commandReply, id string, n int, ref string) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	p, err := b.opts.Library.Passage(ctx, id, n)
	switch {
	case errors.Is(err, knowledge.ErrNotFound):
		r.say(ctx, pack([]part{textPart("There is no stored paragraph " + literal(strings.Trim(ref, "`")) + ".")}))
	case err != nil:
		b.log.Error("slack: source lookup failed", "ref", ref, "err", err)
		r.say(ctx, RenderText("Sorry, the lookup failed. Please try again."))
	default:
		r.say(ctx, RenderSource(p))
	}
}

// textPart is a section of escaped text we wrote.
func textPart(mrkdwnText string) part { return part{section(mrkdwnText), mrkdwnText} }

// digest serves `/byline digest`, for the admins.
func (b *Bot) digest(cmd slack.SlashCommand) (*ackMessage, func(context.Context)) {
	if !slices.Contains(b.opts.Admins, cmd.UserID) {
		return private("Sorry, only the bot's admins can post the digest on demand. The scheduled digest will still arrive as usual."), nil
	}
	if b.opts.Digest == nil {
		return private("Digests are not configured for this bot."), nil
	}
	r := &commandReply{b: b, url: cmd.ResponseURL, ephemeral: true}
	return private("Posting today's digest…"), func(ctx context.Context) {
		if !b.first(ctx, "trigger:"+cmd.TriggerID) {
			return
		}
		ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
		defer cancel()
		status, err := b.opts.Digest(ctx, cmd.ChannelID)
		if err != nil {
			b.log.Error("slack: digest failed", "channel", cmd.ChannelID, "err", err)
			if apiError(err, "not_in_channel", "channel_not_found") || strings.Contains(err.Error(), "not_in_channel") {
				r.say(ctx, RenderText("I can't post in this channel yet: invite me with /invite @Byline, then ask for the digest again."))
				return
			}
			r.say(ctx, RenderText("Sorry, the digest could not be posted. The details are in the bot's log."))
			return
		}
		if strings.TrimSpace(status) == "" {
			status = "Posted today's digest."
		}
		r.say(ctx, RenderText(status))
	}
}

// parseRef is knowledge.ParseRef for an id copied from a Slack message,
// which may carry the look-alikes that once stood in for Markdown marks.
func parseRef(s string) (string, int, bool) {
	return knowledge.ParseRef(strings.NewReplacer("ˍ", "_", "∗", "*", "∼", "~", "ˋ", "`").Replace(s))
}

// messageText is what a message says: its text, or for a message an app
// posted with attachments only (as RSS and news apps do), their titles,
// links and texts.
func messageText(m slack.Message) string {
	if strings.TrimSpace(m.Text) != "" {
		return m.Text
	}
	var parts []string
	for _, a := range m.Attachments {
		for _, s := range []string{a.Pretext, a.Title, a.TitleLink, a.Text} {
			if s = strings.TrimSpace(s); s != "" {
				parts = append(parts, s)
			}
		}
		if len(parts) == 0 && strings.TrimSpace(a.Fallback) != "" {
			parts = append(parts, a.Fallback)
		}
	}
	return strings.Join(parts, "\n")
}

// interaction serves the "Ask Byline about this" message shortcut: it
// asks about the message it was used on, and answers in that message's
// thread. It returns the work to do after the acknowledgement, or nil.
func (b *Bot) interaction(cb slack.InteractionCallback) func(context.Context) {
	if f := b.feedback(cb); f != nil {
		return f
	}
	if cb.Type != slack.InteractionTypeMessageAction || cb.CallbackID != ShortcutID {
		b.log.Debug("slack: ignoring an interaction", "type", cb.Type, "callback", cb.CallbackID)
		return nil
	}
	return func(ctx context.Context) {
		if !b.first(ctx, "trigger:"+cb.TriggerID) {
			return
		}
		channel := cb.Channel.ID
		tell := func(text string) {
			if err := b.respond(ctx, cb.ResponseURL, true, RenderText(text)[0]); err != nil {
				b.log.Warn("slack: answering a shortcut failed", "err", err)
			}
		}
		cs := b.settings(channel)
		if !cs.Allowed {
			tell("I'm not answering in this channel. Ask me in another channel, or in a direct message.")
			return
		}
		q := shortcutQuestion(messageText(cb.Message), b.botUser())
		if q == "" {
			tell("That message has no text I can ask about.")
			return
		}
		thread := cb.Message.ThreadTimestamp
		if thread == "" {
			thread = cb.Message.Timestamp
		}
		if thread == "" {
			thread = cb.MessageTs
		}
		r := &messageReply{
			b: b, channel: channel, threadTS: thread, inThread: true, fallbackURL: cb.ResponseURL,
			key: chat.ThreadKey(channel, thread),
		}
		release, ok := b.opts.Service.Hold()
		if !ok {
			return
		}
		r.release = release
		b.opts.Service.Ask(chat.Request{UserID: cb.User.ID, ChannelID: channel, Text: q, Sources: cs.Sources}, r)
	}
}

// linkTarget finds the URLs in Slack's <url> and <url|label> markup.
var linkTarget = regexp.MustCompile(`<(https?://[^|<>]+)(?:\|[^<>]*)?>`)

// shortcutQuestion is what the shortcut asks: the message's text, plus the
// words of any article link's slug (".../council-approves-budget"), which
// is what a search can match when a message is only a link.
func shortcutQuestion(text, botUserID string) string {
	q := questionText(text, botUserID)
	var words []string
	for _, m := range linkTarget.FindAllStringSubmatch(text, 5) {
		if w := slugWords(m[1]); w != "" && !strings.Contains(q, w) {
			words = append(words, w)
		}
	}
	if len(words) > 0 {
		q = strings.TrimSpace(q + " (" + strings.Join(words, "; ") + ")")
	}
	return q
}

// slugWords returns the words of a URL's last path segment.
func slugWords(raw string) string {
	u, err := url.Parse(strings.ReplaceAll(raw, "&amp;", "&"))
	if err != nil {
		return ""
	}
	last := strings.TrimSuffix(path.Base(u.Path), path.Ext(u.Path))
	var words []string
	for _, w := range strings.FieldsFunc(last, func(r rune) bool { return r == '-' || r == '_' || r == '+' || r == '.' }) {
		if _, err := strconv.Atoi(w); err != nil && len(w) > 1 {
			words = append(words, w)
		}
	}
	if len(words) < 2 {
		return ""
	}
	return strings.Join(words, " ")
}
