package slack

import (
	"context"
	"errors"
	"fmt"

	"github.com/slack-go/slack"

	"github.com/byline-bot/byline/adapters/chat"
)

var _ chat.Corrector = (*Bot)(nil)

// PostCorrection implements chat.Corrector: the notice goes in the
// answer's thread, which for an answer posted in the channel is the
// answer's own (every Slack message is the root of its thread).
func (b *Bot) PostCorrection(ctx context.Context, channelID, threadID, messageID, text string) (string, error) {
	root := threadID
	if root == "" {
		root = messageID
	}
	var first string
	for _, m := range RenderText(text) {
		ts, err := b.post(ctx, channelID, root, m)
		if err != nil {
			return first, fmt.Errorf("slack: posting a correction in %s: %w", channelID, err)
		}
		if first == "" {
			first = ts
		}
	}
	b.opts.Service.OpenThread(channelID, root)
	return first, nil
}

// replies is the Web API call that reads a message back; *slack.Client
// has it.
type replies interface {
	GetConversationRepliesContext(ctx context.Context, params *slack.GetConversationRepliesParameters) ([]slack.Message, bool, string, error)
}

// MarkSuperseded implements chat.Corrector: a section with the note goes
// above the message's blocks as they read now (read back with
// conversations.replies, so that nothing else of it changes, buttons
// included), and the note above its fallback text.
func (b *Bot) MarkSuperseded(ctx context.Context, channelID, threadID, messageID, note string) error {
	r, ok := b.api.(replies)
	if !ok {
		return errors.New("slack: this client cannot read messages back")
	}
	root := threadID
	if root == "" {
		root = messageID
	}
	var found *slack.Message
	err := retry(ctx, b.log, "conversations.replies", func(ctx context.Context) error {
		ms, _, _, err := r.GetConversationRepliesContext(ctx, &slack.GetConversationRepliesParameters{
			ChannelID: channelID, Timestamp: root, Latest: messageID, Oldest: messageID, Inclusive: true, Limit: 1,
		})
		for i := range ms {
			if ms[i].Timestamp == messageID {
				found = &ms[i]
			}
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("slack: reading %s to mark it superseded: %w", messageID, err)
	}
	if found == nil {
		return fmt.Errorf("slack: marking %s superseded: the message is gone", messageID)
	}
	ms := RenderText(note)
	if len(ms) != 1 {
		return errors.New("slack: a superseded note must fit one message")
	}
	m := Message{Text: ms[0].Text + "\n" + found.Text, Blocks: ms[0].Blocks}
	if len(found.Blocks.BlockSet) > 0 {
		m.Blocks = append(m.Blocks, found.Blocks.BlockSet...)
	} else {
		m.Blocks = nil // a plain-text message stays one
	}
	if err := b.update(ctx, channelID, messageID, m); err != nil {
		return fmt.Errorf("slack: marking %s superseded: %w", messageID, err)
	}
	return nil
}
