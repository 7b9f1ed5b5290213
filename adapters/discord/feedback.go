package discord

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/byline-bot/byline/adapters/chat"
	"github.com/byline-bot/byline/answer"
)

// Feedback buttons. Under each answer posted for a mention, a DM or a
// thread: "Helpful", "Not helpful" and, for an answer with sources, "A
// source is wrong", which opens a menu of the answer's sources; the
// source picked opens a form asking what is wrong. Every button's custom
// id is the chat package's signed control id, which names the answer, so
// a click works after a restart and a forged one is refused. Each click
// is acknowledged at once with a reply only the reader sees.

var (
	_ chat.Rater = (*messageReply)(nil)
	_ chat.Rater = (*interactionReply)(nil)
)

// AnswerRated implements chat.Rater for /ask: Answer, with the buttons
// under the response's last message.
func (r *interactionReply) AnswerRated(ctx context.Context, a answer.Answer, c chat.Controls) error {
	defer r.finish()
	r.mu.Lock()
	r.comps = buttons(c)
	r.mu.Unlock()
	return r.deliver(ctx, Render(a))
}

// AnswerRated implements chat.Rater: Answer, with the buttons under the
// answer's last message.
func (r *messageReply) AnswerRated(ctx context.Context, a answer.Answer, c chat.Controls) error {
	defer r.finish()
	r.mu.Lock()
	r.comps = buttons(c)
	r.mu.Unlock()
	return r.post(ctx, Render(a), true)
}

// buttons is the action row of an answer's controls.
func buttons(c chat.Controls) []discordgo.MessageComponent {
	row := discordgo.ActionsRow{Components: []discordgo.MessageComponent{
		discordgo.Button{Label: "Helpful", Style: discordgo.SecondaryButton, CustomID: c.Helpful, Emoji: &discordgo.ComponentEmoji{Name: "👍"}},
		discordgo.Button{Label: "Not helpful", Style: discordgo.SecondaryButton, CustomID: c.NotHelpful, Emoji: &discordgo.ComponentEmoji{Name: "👎"}},
	}}
	if c.WrongSource != "" {
		row.Components = append(row.Components, discordgo.Button{Label: "A source is wrong", Style: discordgo.SecondaryButton, CustomID: c.WrongSource})
	}
	return []discordgo.MessageComponent{row}
}

// reasonInput is the custom id of the report form's text field.
const reasonInput = "reason"

// handleComponent carries out a click on a feedback button, a pick in the
// sources menu, or a report form's submission.
func (b *Bot) handleComponent(ctx context.Context, i *discordgo.Interaction) {
	// Acknowledged within Discord's three seconds: the dedupe check may
	// take one of them.
	octx, cancel := context.WithTimeout(ctx, time.Second)
	first := b.opts.Service.First(octx, "interaction:"+i.ID)
	cancel()
	if !first {
		return
	}
	click := chat.Click{UserID: interactionUser(i)}
	switch i.Type {
	case discordgo.InteractionMessageComponent:
		d := i.MessageComponentData()
		click.ID = d.CustomID
		if len(d.Values) > 0 {
			click.N, _ = strconv.Atoi(d.Values[0])
		}
	case discordgo.InteractionModalSubmit:
		d := i.ModalSubmitData()
		click.ID = d.CustomID
		for _, row := range d.Components {
			if ar, ok := row.(*discordgo.ActionsRow); ok {
				for _, c := range ar.Components {
					if t, ok := c.(*discordgo.TextInput); ok && t.CustomID == reasonInput {
						click.Reason = t.Value
					}
				}
			}
		}
	default:
		return
	}
	out := b.opts.Service.HandleClick(ctx, click)
	var resp *discordgo.InteractionResponse
	switch {
	case len(out.Choices) > 0:
		var opts []discordgo.SelectMenuOption
		for _, c := range out.Choices {
			opts = append(opts, discordgo.SelectMenuOption{Label: c.Label, Value: strconv.Itoa(c.N)})
		}
		resp = &discordgo.InteractionResponse{Type: discordgo.InteractionResponseChannelMessageWithSource, Data: &discordgo.InteractionResponseData{
			Content: "Which source is wrong?", Flags: discordgo.MessageFlagsEphemeral, AllowedMentions: noMentions(),
			Components: []discordgo.MessageComponent{discordgo.ActionsRow{Components: []discordgo.MessageComponent{
				discordgo.SelectMenu{MenuType: discordgo.StringSelectMenu, CustomID: out.Pick, Placeholder: "Choose a source", Options: opts},
			}}},
		}}
	case out.Report != "":
		resp = &discordgo.InteractionResponse{Type: discordgo.InteractionResponseModal, Data: &discordgo.InteractionResponseData{
			CustomID: out.Report, Title: "What is wrong with source [" + strconv.Itoa(out.N) + "]?",
			Components: []discordgo.MessageComponent{discordgo.ActionsRow{Components: []discordgo.MessageComponent{
				discordgo.TextInput{CustomID: reasonInput, Label: "In a few words (optional)", Style: discordgo.TextInputParagraph,
					Required: false, MaxLength: chat.MaxReason},
			}}},
		}}
	default:
		resp = &discordgo.InteractionResponse{Type: discordgo.InteractionResponseChannelMessageWithSource, Data: &discordgo.InteractionResponseData{
			Content: strings.TrimSpace(out.Text), Flags: discordgo.MessageFlagsEphemeral, AllowedMentions: noMentions(),
		}}
	}
	if err := retry(ctx, b.log, "answer a click", func(opts ...discordgo.RequestOption) error {
		return b.rest.InteractionRespond(i, resp, opts...)
	}); err != nil {
		b.log.Warn("discord: answering a feedback click failed", "interaction", i.ID, "err", err)
	}
}

// interactionUser is the id of who made an interaction.
func interactionUser(i *discordgo.Interaction) string {
	switch {
	case i.Member != nil && i.Member.User != nil:
		return i.Member.User.ID
	case i.User != nil:
		return i.User.ID
	}
	return ""
}
