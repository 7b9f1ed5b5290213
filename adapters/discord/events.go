package discord

import (
	"context"
	"strings"
	"sync"

	"github.com/bwmarrin/discordgo"

	"github.com/byline-bot/byline/adapters/chat"
)

// handlers returns the gateway event handlers. discordgo calls them on the
// gateway's own goroutine, in order (SyncEvents), so each only records or
// queues: messages go to pre, a queue per Discord channel that keeps them
// in order while lookups run; interactions each get a goroutine, since
// Discord wants them acknowledged within three seconds.
func (b *Bot) handlers(ctx context.Context, pre *chat.Queue) []interface{} {
	return []interface{}{
		func(_ *discordgo.Session, r *discordgo.Ready) {
			appID := ""
			if r.Application != nil {
				appID = r.Application.ID
			}
			userID := ""
			if r.User != nil {
				userID = r.User.ID
			}
			b.setIDs(userID, appID)
			for _, c := range r.PrivateChannels {
				b.channels.learn(c)
			}
			b.log.Info("discord: ready", "session_guilds", len(r.Guilds))
			if b.connected() {
				b.ready(true) // a new session after a reconnect
			}
		},
		func(_ *discordgo.Session, _ *discordgo.Resumed) {
			b.log.Info("discord: gateway session resumed")
			b.ready(true)
		},
		func(_ *discordgo.Session, _ *discordgo.Disconnect) {
			b.log.Warn("discord: gateway disconnected; reconnecting")
			b.ready(false)
		},
		func(_ *discordgo.Session, g *discordgo.GuildCreate) {
			if g.Guild == nil {
				return
			}
			for _, c := range g.Channels {
				b.channels.learn(c)
			}
			for _, c := range g.Threads {
				b.channels.learn(c)
			}
			botID, _ := b.ids()
			if r := ownRole(g.Guild, botID); r != "" {
				b.setRole(g.ID, r)
			}
		},
		func(_ *discordgo.Session, c *discordgo.ThreadCreate) { b.channels.learn(c.Channel) },
		func(_ *discordgo.Session, c *discordgo.ChannelCreate) { b.channels.learn(c.Channel) },
		func(_ *discordgo.Session, m *discordgo.MessageCreate) { b.queueMessage(ctx, pre, m.Message, false) },
		func(_ *discordgo.Session, m *discordgo.MessageUpdate) { b.queueMessage(ctx, pre, m.Message, true) },
		func(_ *discordgo.Session, i *discordgo.InteractionCreate) {
			if i.Interaction == nil {
				return
			}
			release, ok := b.opts.Service.Hold()
			if !ok {
				return
			}
			go func() {
				defer release()
				b.handleInteraction(ctx, i.Interaction)
			}()
		},
	}
}

// queueMessage hands a message to pre, in its channel's order.
func (b *Bot) queueMessage(ctx context.Context, pre *chat.Queue, m *discordgo.Message, edited bool) {
	if m == nil || m.Author == nil {
		return
	}
	release, ok := b.opts.Service.Hold()
	if !ok {
		return
	}
	if _, err := pre.Submit(m.ChannelID, func(context.Context) {
		defer release()
		b.handleMessage(ctx, m, edited)
	}); err != nil {
		release()
		b.log.Warn("discord: too many messages waiting in a channel; dropping one", "channel", m.ChannelID, "message", m.ID)
	}
}

// handleMessage decides about one message and, if it is to be answered,
// hands it to the Service with a Reply that posts where it belongs.
func (b *Bot) handleMessage(ctx context.Context, dm *discordgo.Message, edited bool) {
	if dm.Type != discordgo.MessageTypeDefault && dm.Type != discordgo.MessageTypeReply {
		return // joins, pins, thread notices and the like
	}
	botID, _ := b.ids()
	m := chat.Message{
		ID:        dm.ID,
		ChannelID: dm.ChannelID,
		UserID:    dm.Author.ID,
		FromBot:   dm.Author.Bot || dm.Author.ID == botID || dm.WebhookID != "",
		Edited:    edited,
		DM:        dm.GuildID == "",
	}
	m.MentionsBot, m.Text = mentions(dm, botID, b.role(dm.GuildID))
	if !m.DM {
		var ci channelInfo
		err := retry(ctx, b.log, "get channel", func(opts ...discordgo.RequestOption) error {
			var err error
			ci, err = b.channels.lookupWith(b.rest, dm.ChannelID, opts...)
			return err
		})
		if err != nil {
			// Without knowing whether it is a thread, the bot cannot
			// know which channel's settings apply: it may be a thread
			// of a channel it must stay silent in.
			b.log.Error("discord: looking up a channel failed; not answering", "channel", dm.ChannelID, "message", dm.ID, "err", scrub(err))
			return
		}
		if ci.thread {
			m.ChannelID, m.ThreadID = ci.parent, dm.ChannelID
		}
	}
	m.Dedupe = []string{"message:" + dm.ID}
	b.opts.Service.HandleMessage(ctx, m, func(w chat.Where) chat.Reply {
		release, ok := b.opts.Service.Hold()
		if !ok {
			return nil
		}
		r := b.newMessageReply(w, m, dm)
		r.release = release
		return r
	})
}

// ownRole finds the bot's own role in a guild: the managed role among
// those of the bot's member entry (GUILD_CREATE carries the bot's own
// member even without the members intent).
func ownRole(g *discordgo.Guild, botID string) string {
	if botID == "" {
		return ""
	}
	managed := make(map[string]bool)
	for _, r := range g.Roles {
		if r != nil && r.Managed {
			managed[r.ID] = true
		}
	}
	for _, m := range g.Members {
		if m == nil || m.User == nil || m.User.ID != botID {
			continue
		}
		for _, id := range m.Roles {
			if managed[id] {
				return id
			}
		}
	}
	return ""
}

// mentions reports whether the message mentions the bot, by its user or by
// its own role (roleID, "" if unknown), and returns its text with the
// bot's mention removed, other users' mentions shown as their names, the
// way people read them, and the mention markup left (other roles,
// channels, users not resolved) removed: the engine reads plain text.
func mentions(m *discordgo.Message, botID, roleID string) (bool, string) {
	text := m.Content
	mentioned := false
	if roleID != "" && strings.Contains(text, "<@&"+roleID+">") {
		mentioned = true
		text = strings.ReplaceAll(text, "<@&"+roleID+">", " ")
	}
	if botID != "" {
		for _, tag := range []string{"<@" + botID + ">", "<@!" + botID + ">"} {
			if strings.Contains(text, tag) {
				mentioned = true
				text = strings.ReplaceAll(text, tag, " ")
			}
		}
	}
	for _, u := range m.Mentions {
		if u == nil {
			continue
		}
		if u.ID == botID {
			mentioned = true
			continue
		}
		name := u.GlobalName
		if name == "" {
			name = u.Username
		}
		text = strings.ReplaceAll(text, "<@"+u.ID+">", "@"+name)
		text = strings.ReplaceAll(text, "<@!"+u.ID+">", "@"+name)
	}
	text = mentionMarkup.ReplaceAllString(text, " ")
	return mentioned, strings.Join(strings.Fields(text), " ")
}

// channelInfo is what the bot needs to know of a channel.
type channelInfo struct {
	thread bool
	parent string // a thread's parent channel
}

// channelCache remembers which channels are threads, and their parents.
type channelCache struct {
	mu sync.Mutex
	m  map[string]channelInfo
}

func (c *channelCache) init() { c.m = make(map[string]channelInfo) }

// learn records a channel seen in an event or a REST answer.
func (c *channelCache) learn(ch *discordgo.Channel) {
	if ch == nil || ch.ID == "" {
		return
	}
	c.put(ch.ID, channelInfo{thread: ch.IsThread(), parent: ch.ParentID})
}

func (c *channelCache) put(id string, ci channelInfo) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.m) > 50000 {
		clear(c.m) // a cold cache costs one lookup a channel
	}
	c.m[id] = ci
}

// lookup returns what is known of a channel, asking Discord if nothing is.
func (c *channelCache) lookup(ctx context.Context, r rest, id string) (channelInfo, error) {
	return c.lookupWith(r, id, discordgo.WithContext(ctx))
}

// lookupWith is lookup with the request options given.
func (c *channelCache) lookupWith(r rest, id string, opts ...discordgo.RequestOption) (channelInfo, error) {
	c.mu.Lock()
	ci, ok := c.m[id]
	c.mu.Unlock()
	if ok {
		return ci, nil
	}
	ch, err := r.Channel(id, opts...)
	if err != nil {
		return channelInfo{}, err
	}
	c.learn(ch)
	return channelInfo{thread: ch.IsThread(), parent: ch.ParentID}, nil
}
