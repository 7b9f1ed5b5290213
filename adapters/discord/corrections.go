package discord

import (
	"context"
	"fmt"

	"github.com/bwmarrin/discordgo"

	"github.com/byline-bot/byline/adapters/chat"
)

var _ chat.Corrector = (*Bot)(nil)

// PostCorrection implements chat.Corrector: the notice goes in the thread
// the answer is in, or, for an answer posted in the channel, in a thread
// started on the answer (named "Correction"); one already started on it
// is used.
func (b *Bot) PostCorrection(ctx context.Context, channelID, threadID, messageID, text string) (string, error) {
	if threadID == "" {
		tid, err := b.StartThread(ctx, channelID, messageID, "Correction")
		if err != nil {
			// Discord refuses a second thread on a message; use the first,
			// which has the message's id.
			ci, lerr := b.channels.lookup(ctx, b.rest, messageID)
			if lerr != nil || !ci.thread {
				return "", fmt.Errorf("discord: a thread for a correction: %w", err)
			}
			tid = messageID
		}
		threadID = tid
	}
	return b.Post(ctx, threadID, text)
}

// MarkSuperseded implements chat.Corrector: the note goes on its own line
// above the message's content as it reads now (fetched, so that nothing
// else of it changes), cut at the end to Discord's limit.
func (b *Bot) MarkSuperseded(ctx context.Context, channelID, threadID, messageID, note string) error {
	where := channelID
	if threadID != "" {
		where = threadID
	}
	var m *discordgo.Message
	err := retry(ctx, b.log, "read message", func(opts ...discordgo.RequestOption) error {
		var err error
		m, err = b.rest.ChannelMessage(where, messageID, opts...)
		return err
	})
	if err != nil {
		return fmt.Errorf("discord: reading %s to mark it superseded: %w", messageID, err)
	}
	pieces := RenderText(note)
	if len(pieces) != 1 {
		return fmt.Errorf("discord: a superseded note must fit one message")
	}
	content := pieces[0] + "\n" + m.Content
	if r := []rune(content); len(r) > MaxMessage {
		content = string(r[:MaxMessage-1]) + "…"
	}
	if err := b.edit(ctx, where, messageID, content); err != nil {
		return fmt.Errorf("discord: marking %s superseded: %w", messageID, err)
	}
	return nil
}
