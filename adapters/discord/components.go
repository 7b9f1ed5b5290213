package discord

import (
	"context"

	"github.com/bwmarrin/discordgo"

	"github.com/byline-bot/byline/adapters/chat"
)

var (
	_ chat.Locator = (*messageReply)(nil)
	_ chat.Locator = (*interactionReply)(nil)
)

// sendID is send, returning the posted message's id.
func (b *Bot) sendID(ctx context.Context, channelID, content string, ref *discordgo.MessageReference) (string, error) {
	return b.sendIDWith(ctx, channelID, content, ref, nil)
}

// sendIDWith is sendID with components under the message.
func (b *Bot) sendIDWith(ctx context.Context, channelID, content string, ref *discordgo.MessageReference, comps []discordgo.MessageComponent) (string, error) {
	m, err := b.sendWith(ctx, channelID, content, ref, comps)
	if err != nil || m == nil {
		return "", err
	}
	return m.ID, nil
}

// Posted implements chat.Locator: the thread the answer is in (its
// channel id, when the answer went to a thread) and its first message.
func (r *messageReply) Posted() (thread, message string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.mode != asReply && r.inThread {
		thread = r.channelID
	}
	return thread, r.posted
}

// Posted implements chat.Locator: the thread the command was run in, if
// any, and the response's message.
func (r *interactionReply) Posted() (thread, message string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.thread, r.posted
}
