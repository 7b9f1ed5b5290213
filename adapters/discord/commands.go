package discord

import (
	"context"
	"errors"
	"strings"
	"sync"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/byline-bot/byline/adapters/chat"
	"github.com/byline-bot/byline/answer"
	"github.com/byline-bot/byline/knowledge"
)

// ackWithin bounds the acknowledgement of an interaction: Discord drops
// one not acknowledged within three seconds of being sent.
const ackWithin = 3 * time.Second

// Help is what /help shows.
const Help = `I answer questions about the news from the stored articles, and cite the paragraph each claim comes from: [1] marks a claim, and the numbered sources below the answer say where it is from.

**Asking**
• Mention me with a question in a channel; I answer in a thread (or as a reply, as the channel is set up), and answer follow-ups in my thread without a new mention for a while.
• Send me a direct message.
• In an "ask the news" channel, just ask.

**Commands**
• ` + "`/ask question`" + ` — ask here.
• ` + "`/search keywords`" + ` — paragraphs that match, with their articles and links.
• ` + "`/source id`" + ` — one paragraph in full; the id is the ` + "`article#3`" + ` shown with each source.
• ` + "`/digest`" + ` — post today's digest in this channel now (for those who can manage the channel).
• ` + "`/help`" + ` — this text.`

// commands are the slash commands the bot registers.
func commands() []*discordgo.ApplicationCommand {
	manage := int64(discordgo.PermissionManageChannels)
	guildOnly := []discordgo.InteractionContextType{discordgo.InteractionContextGuild}
	text := func(name, desc string, maxLen int) []*discordgo.ApplicationCommandOption {
		return []*discordgo.ApplicationCommandOption{{
			Type: discordgo.ApplicationCommandOptionString, Name: name, Description: desc, Required: true, MaxLength: maxLen,
		}}
	}
	return []*discordgo.ApplicationCommand{
		{Name: "ask", Description: "Ask a question about the news; the answer cites its sources.", Options: text("question", "Your question", 500)},
		{Name: "search", Description: "Find stored paragraphs that match some keywords.", Options: text("keywords", "Words to look for", 200)},
		{Name: "source", Description: "Show one cited paragraph in full.", Options: text("id", "The paragraph id shown with a source, such as council-vote#3", 200)},
		{Name: "digest", Description: "Post today's news digest in this channel now.", DefaultMemberPermissions: &manage, Contexts: &guildOnly},
		{Name: "help", Description: "What this bot does and how to ask it."},
	}
}

// registerCommands registers the slash commands in each configured guild,
// or globally. A failure is logged, not fatal: mentions and DMs work
// without commands.
func (b *Bot) registerCommands(ctx context.Context) {
	_, appID := b.ids()
	guilds := b.opts.Guilds
	if len(guilds) == 0 {
		guilds = []string{""}
	}
	for _, g := range guilds {
		err := retry(ctx, b.log, "register commands", func(opts ...discordgo.RequestOption) error {
			_, err := b.rest.ApplicationCommandBulkOverwrite(appID, g, commands(), opts...)
			return err
		})
		switch {
		case err != nil && g == "":
			b.log.Error("discord: registering the slash commands globally failed", "err", err)
		case err != nil:
			b.log.Error("discord: registering the slash commands failed; was the bot invited with the applications.commands scope?", "guild", g, "err", err)
		case g == "":
			b.log.Info("discord: slash commands registered globally (Discord may take up to an hour to show them)")
		default:
			b.log.Info("discord: slash commands registered", "guild", g)
		}
	}
}

// handleInteraction serves one slash command.
func (b *Bot) handleInteraction(ctx context.Context, i *discordgo.Interaction) {
	if i.Type == discordgo.InteractionMessageComponent || i.Type == discordgo.InteractionModalSubmit {
		b.handleComponent(ctx, i)
		return
	}
	if i.Type != discordgo.InteractionApplicationCommand {
		return
	}
	// The acknowledgement is due within three seconds of the interaction,
	// so a slow database gets one of them; past it, the interaction is
	// taken as new (a rare duplicate is better than no answer).
	octx, cancel := context.WithTimeout(ctx, time.Second)
	first := b.opts.Service.First(octx, "interaction:"+i.ID)
	cancel()
	if !first {
		return
	}
	data := i.ApplicationCommandData()
	ir := &interactionReply{b: b, i: i}
	userID := ""
	switch {
	case i.Member != nil && i.Member.User != nil:
		userID = i.Member.User.ID
	case i.User != nil:
		userID = i.User.ID
	}

	// The channel's settings: a thread takes its parent's. The lookup (a
	// REST call only for a channel not seen yet) must leave time for the
	// acknowledgement; if it cannot, the channel's own settings apply.
	channelID, threadID := i.ChannelID, ""
	if i.GuildID != "" {
		lctx, cancel := context.WithTimeout(ctx, ackWithin/2)
		ci, err := b.channels.lookup(lctx, b.rest, i.ChannelID)
		cancel()
		if err != nil {
			b.log.Warn("discord: looking up a channel", "channel", i.ChannelID, "err", scrub(err))
		} else if ci.thread {
			channelID, threadID = ci.parent, i.ChannelID
		}
	}
	cs := b.opts.Service.Settings(channelID)
	if i.GuildID == "" {
		cs.Allowed, cs.Private = true, false // a DM is private already
	}

	switch data.Name {
	case "help":
		ir.ephemeral = true
		ir.respond(ctx, Help)
		return
	case "digest":
		b.digest(ctx, ir, channelID)
		return
	}
	if !cs.Allowed {
		ir.ephemeral = true
		ir.respond(ctx, "I'm not answering in this channel. Ask me in another channel, or in a direct message.")
		return
	}
	arg := ""
	if len(data.Options) > 0 {
		arg = strings.TrimSpace(data.Options[0].StringValue())
	}
	ir.ephemeral = cs.Private
	if !ir.deferReply(ctx) {
		return
	}
	switch data.Name {
	case "ask":
		if arg == "" {
			ir.say(ctx, "Ask a question after /ask, for example: /ask what did the council decide?")
			return
		}
		ir.key, ir.inThread = chat.CommandConversation(channelID, threadID, userID, i.GuildID == "", cs.Private)
		ir.thread = threadID
		release, ok := b.opts.Service.Hold()
		if !ok {
			ir.say(ctx, "I'm restarting; please ask again in a minute.")
			return
		}
		ir.release = release
		b.opts.Service.Ask(chat.Request{UserID: userID, ChannelID: channelID, Text: arg, Sources: cs.Sources}, ir)
	case "search":
		b.search(ctx, ir, arg, cs.Sources)
	case "source":
		b.source(ctx, ir, arg)
	default:
		ir.say(ctx, "I don't know that command. /help lists mine.")
	}
}

// search serves /search.
func (b *Bot) search(ctx context.Context, ir *interactionReply, words string, sources []string) {
	if words == "" {
		ir.say(ctx, "Give some keywords after /search.")
		return
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	ps, err := b.opts.Library.Search(ctx, knowledge.Query{Text: words, Limit: 5, Sources: sources})
	if err != nil {
		b.log.Error("discord: search failed", "err", err)
		ir.say(ctx, "Sorry, the search failed. Please try again.")
		return
	}
	ir.say(ctx, RenderSearch(words, ps)...)
}

// source serves /source.
func (b *Bot) source(ctx context.Context, ir *interactionReply, ref string) {
	id, n, ok := knowledge.ParseRef(ref)
	if !ok {
		ir.say(ctx, "Give a paragraph id after /source, as shown with each source: for example /source council-vote#2")
		return
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	p, err := b.opts.Library.Passage(ctx, id, n)
	switch {
	case errors.Is(err, knowledge.ErrNotFound):
		ir.say(ctx, "There is no stored paragraph "+strings.ReplaceAll(ref, "`", "")+".")
	case err != nil:
		b.log.Error("discord: source lookup failed", "ref", ref, "err", err)
		ir.say(ctx, "Sorry, the lookup failed. Please try again.")
	default:
		ir.say(ctx, RenderSource(p)...)
	}
}

// digest serves /digest, for members who may manage the channel.
// Used in a thread, the digest goes to the thread's channel (channelID is
// the parent's then), where a digest belongs and can have a thread of its
// own.
func (b *Bot) digest(ctx context.Context, ir *interactionReply, channelID string) {
	i := ir.i
	ir.ephemeral = true
	if i.GuildID == "" || i.Member == nil {
		ir.respond(ctx, "/digest works in a server channel.")
		return
	}
	if i.Member.Permissions&(discordgo.PermissionManageChannels|discordgo.PermissionAdministrator) == 0 {
		ir.respond(ctx, "Only members who can manage this channel can post the digest.")
		return
	}
	if b.opts.Digest == nil {
		ir.respond(ctx, "Digests are not configured for this bot.")
		return
	}
	if !ir.deferReply(ctx) {
		return
	}
	target := channelID
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	status, err := b.opts.Digest(ctx, target)
	if err != nil {
		b.log.Error("discord: digest failed", "channel", target, "err", err)
		ir.say(ctx, "Sorry, the digest could not be posted. The details are in the bot's log.")
		return
	}
	if strings.TrimSpace(status) == "" {
		status = "Posted today's digest."
	}
	ir.say(ctx, status)
}

// interactionReply answers a slash command: a deferred response, then
// edits of it, then follow-up messages for what does not fit. It is a
// chat.Reply for /ask.
type interactionReply struct {
	b         *Bot
	i         *discordgo.Interaction
	ephemeral bool
	key       string
	inThread  bool
	thread    string // the thread the command was run in, if any

	mu       sync.Mutex
	release  func() // ends the hold on the service's work, if any
	doneOnce sync.Once
	posted   string // the response's message id, once edited in
	// comps are the feedback buttons the answer's last message gets;
	// set by AnswerRated.
	comps []discordgo.MessageComponent
}

func (r *interactionReply) flags() discordgo.MessageFlags {
	f := discordgo.MessageFlagsSuppressEmbeds
	if r.ephemeral {
		f |= discordgo.MessageFlagsEphemeral
	}
	return f
}

// respond answers at once with one message.
func (r *interactionReply) respond(ctx context.Context, text string) {
	ctx, cancel := context.WithTimeout(ctx, ackWithin)
	defer cancel()
	err := r.b.rest.InteractionRespond(r.i, &discordgo.InteractionResponse{
		Type: discordgo.InteractionResponseChannelMessageWithSource,
		Data: &discordgo.InteractionResponseData{Content: defuse(text), AllowedMentions: noMentions(), Flags: r.flags()},
	}, discordgo.WithContext(ctx))
	if err != nil {
		r.b.log.Error("discord: answering a slash command failed", "command", r.i.ApplicationCommandData().Name, "err", scrub(err))
	}
}

// deferReply acknowledges the command; the answer follows by edits.
func (r *interactionReply) deferReply(ctx context.Context) bool {
	ctx, cancel := context.WithTimeout(ctx, ackWithin)
	defer cancel()
	err := r.b.rest.InteractionRespond(r.i, &discordgo.InteractionResponse{
		Type: discordgo.InteractionResponseDeferredChannelMessageWithSource,
		Data: &discordgo.InteractionResponseData{AllowedMentions: noMentions(), Flags: r.flags()},
	}, discordgo.WithContext(ctx))
	if err != nil {
		r.b.log.Error("discord: acknowledging a slash command failed", "command", r.i.ApplicationCommandData().Name, "err", scrub(err))
		return false
	}
	return true
}

// editOriginal replaces the deferred response's content.
func (r *interactionReply) editOriginal(ctx context.Context, text string) error {
	return r.editOriginalWith(ctx, text, nil)
}

// editOriginalWith is editOriginal with components under the response,
// when comps is not nil.
func (r *interactionReply) editOriginalWith(ctx context.Context, text string, comps []discordgo.MessageComponent) error {
	return retry(ctx, r.b.log, "edit interaction response", func(opts ...discordgo.RequestOption) error {
		e := &discordgo.WebhookEdit{Content: &text, AllowedMentions: noMentions()}
		if comps != nil {
			e.Components = &comps
		}
		m, err := r.b.rest.InteractionResponseEdit(r.i, e, opts...)
		if err == nil && m != nil {
			r.posted = m.ID
		}
		return err
	})
}

// tokenLife is how long Discord lets a bot edit an interaction's
// response and send follow-ups (15 minutes), less a margin.
const tokenLife = 14*time.Minute + 30*time.Second

// expired reports whether the interaction is too old to answer through,
// as a question that waited long in a busy queue can be.
func (r *interactionReply) expired() bool {
	t, err := discordgo.SnowflakeTimestamp(r.i.ID)
	return err == nil && time.Since(t) > tokenLife
}

// deliver shows pieces: the first in the response, the rest as follow-ups.
// Past the interaction's 15 minutes, a public answer goes to the channel
// as plain messages; a private one cannot, and is reported lost.
func (r *interactionReply) deliver(ctx context.Context, pieces []string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.expired() {
		if r.ephemeral {
			return errors.New("discord: the answer came after the slash command's 15 minutes, and an answer for the asker alone cannot be posted any other way")
		}
		for n, p := range pieces {
			var comps []discordgo.MessageComponent
			if n == len(pieces)-1 {
				comps = r.comps
			}
			id, err := r.b.sendIDWith(ctx, r.i.ChannelID, p, nil, comps)
			if err != nil {
				return err
			}
			if n == 0 {
				r.posted = id
			}
		}
		return nil
	}
	for n, p := range pieces {
		var comps []discordgo.MessageComponent
		if n == len(pieces)-1 {
			comps = r.comps // the feedback buttons go under the last message
		}
		if n == 0 {
			if err := r.editOriginalWith(ctx, p, comps); err != nil {
				return err
			}
			continue
		}
		err := retry(ctx, r.b.log, "interaction follow-up", func(opts ...discordgo.RequestOption) error {
			_, err := r.b.rest.FollowupMessageCreate(r.i, true, &discordgo.WebhookParams{Content: p, AllowedMentions: noMentions(), Flags: r.flags(), Components: comps}, opts...)
			return err
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// say shows text, logging a failure; for commands answered outside the
// Service, which logs its own.
func (r *interactionReply) say(ctx context.Context, pieces ...string) {
	for i, p := range pieces {
		pieces[i] = defuse(p) // some repeat what the user typed
	}
	if err := r.deliver(ctx, pieces); err != nil {
		r.b.log.Error("discord: answering a slash command failed", "command", r.i.ApplicationCommandData().Name, "err", err)
	}
}

// Conversation implements chat.Reply.
func (r *interactionReply) Conversation() (string, bool) { return r.key, r.inThread }

// Progress implements chat.Streamer by editing the response. (It is no
// chat.Typer: the deferred response already shows that the bot is
// thinking.)
func (r *interactionReply) Progress(ctx context.Context, partial string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.expired() {
		return nil
	}
	return r.editOriginal(ctx, RenderProgress(partial))
}

// Answer implements chat.Reply.
func (r *interactionReply) Answer(ctx context.Context, a answer.Answer) error {
	defer r.finish()
	return r.deliver(ctx, Render(a))
}

// Notice implements chat.Reply.
func (r *interactionReply) Notice(ctx context.Context, text string) error {
	defer r.finish()
	return r.deliver(ctx, RenderText(text))
}

func (r *interactionReply) finish() {
	r.doneOnce.Do(func() {
		if r.release != nil {
			r.release()
		}
	})
}
