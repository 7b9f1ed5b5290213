package slack

import (
	"context"
	"errors"
	"strconv"
	"strings"

	"github.com/slack-go/slack"

	"github.com/byline-bot/byline/adapters/chat"
	"github.com/byline-bot/byline/answer"
)

// Feedback buttons. Under each answer posted for a mention, a DM or a
// thread, an actions block: "Helpful", "Not helpful" and, for an answer
// with sources, "A source is wrong", which opens a form (a modal) asking
// which source and why. Each button's action_id is the chat package's
// signed control id, which names the answer, so a click works after a
// restart and a forged one is refused. Replies go to the reader alone.

var (
	_ chat.Rater = (*messageReply)(nil)
	_ chat.Rater = (*commandReply)(nil)
)

// AnswerRated implements chat.Rater for /byline ask: Answer, with the
// buttons under the last message the response_url takes.
func (r *commandReply) AnswerRated(ctx context.Context, a answer.Answer, c chat.Controls) error {
	defer r.finish()
	ms := Render(a)
	if n := min(len(ms), maxResponses); n > 0 {
		ms[n-1].Blocks = append(ms[n-1].Blocks, feedbackBlock(c))
	}
	return r.deliver(ctx, ms)
}

// FeedbackBlockID is the block_id of an answer's feedback buttons.
const FeedbackBlockID = "byline_feedback"

// AnswerRated implements chat.Rater: Answer, with the buttons under the
// answer's last message.
func (r *messageReply) AnswerRated(ctx context.Context, a answer.Answer, c chat.Controls) error {
	defer r.finish()
	ms := Render(a)
	if len(ms) > 0 {
		last := &ms[len(ms)-1]
		last.Blocks = append(last.Blocks, feedbackBlock(c))
	}
	return r.deliver(ctx, ms)
}

// feedbackBlock is the actions block of an answer's controls.
func feedbackBlock(c chat.Controls) slack.Block {
	button := func(id, label string) slack.BlockElement {
		return slack.NewButtonBlockElement(id, "", slack.NewTextBlockObject(slack.PlainTextType, label, true, false))
	}
	els := []slack.BlockElement{button(c.Helpful, ":thumbsup: Helpful"), button(c.NotHelpful, ":thumbsdown: Not helpful")}
	if c.WrongSource != "" {
		els = append(els, button(c.WrongSource, "A source is wrong"))
	}
	return slack.NewActionBlock(FeedbackBlockID, els...)
}

// The report form's blocks and fields.
const (
	sourceBlock, sourceField = "source", "n"
	reasonBlock, reasonField = "reason", "text"
)

// feedbackAPI is what answering a click needs beyond webAPI; *slack.Client
// has it.
type feedbackAPI interface {
	OpenViewContext(ctx context.Context, triggerID string, view slack.ModalViewRequest) (*slack.ViewResponse, error)
	PostEphemeralContext(ctx context.Context, channelID, userID string, options ...slack.MsgOption) (string, error)
}

// feedback returns the work of a feedback interaction (a button, or the
// report form's submission), or nil when cb is none.
func (b *Bot) feedback(cb slack.InteractionCallback) func(context.Context) {
	switch cb.Type {
	case slack.InteractionTypeBlockActions:
		var act *slack.BlockAction
		for _, a := range cb.ActionCallback.BlockActions {
			if a.BlockID == FeedbackBlockID {
				act = a
			}
		}
		if act == nil {
			return nil
		}
		return func(ctx context.Context) {
			if !b.first(ctx, "action:"+cb.TriggerID) {
				return
			}
			out := b.opts.Service.HandleClick(ctx, chat.Click{ID: act.ActionID, UserID: cb.User.ID})
			if len(out.Choices) > 0 {
				if err := b.openReport(ctx, cb, out); err != nil {
					b.log.Warn("slack: opening the report form failed", "err", err)
					b.tell(ctx, cb.ResponseURL, "Sorry, I couldn't open the form just now. Please try again in a moment.")
				}
				return
			}
			b.tell(ctx, cb.ResponseURL, out.Text)
		}
	case slack.InteractionTypeViewSubmission:
		if !strings.HasPrefix(cb.View.PrivateMetadata, "byline-report ") {
			return nil
		}
		return func(ctx context.Context) {
			if !b.first(ctx, "view:"+cb.View.ID+":"+cb.View.Hash) {
				return
			}
			vals := cb.View.State.Values
			n, _ := strconv.Atoi(vals[sourceBlock][sourceField].SelectedOption.Value)
			out := b.opts.Service.HandleClick(ctx, chat.Click{ID: cb.View.CallbackID, UserID: cb.User.ID, N: n,
				Reason: vals[reasonBlock][reasonField].Value})
			channel, thread, _ := strings.Cut(strings.TrimPrefix(cb.View.PrivateMetadata, "byline-report "), " ")
			api, ok := b.api.(feedbackAPI)
			if !ok {
				return
			}
			opts := messageOptions(RenderText(out.Text)[0])
			if thread != "" {
				opts = append(opts, slack.MsgOptionTS(thread))
			}
			if err := retry(ctx, b.log, "chat.postEphemeral", func(ctx context.Context) error {
				_, err := api.PostEphemeralContext(ctx, channel, cb.User.ID, opts...)
				return err
			}); err != nil {
				b.log.Warn("slack: confirming a report failed", "err", err)
			}
		}
	}
	return nil
}

// openReport opens the form that asks which source is wrong and why.
func (b *Bot) openReport(ctx context.Context, cb slack.InteractionCallback, out chat.Outcome) error {
	api, ok := b.api.(feedbackAPI)
	if !ok {
		return errors.New("slack: this client cannot open forms")
	}
	var opts []*slack.OptionBlockObject
	for _, c := range out.Choices {
		opts = append(opts, slack.NewOptionBlockObject(strconv.Itoa(c.N), slack.NewTextBlockObject(slack.PlainTextType, c.Label, false, false), nil))
	}
	pick := slack.NewOptionsSelectBlockElement(slack.OptTypeStatic, slack.NewTextBlockObject(slack.PlainTextType, "Choose a source", false, false), sourceField, opts...)
	reason := slack.NewPlainTextInputBlockElement(slack.NewTextBlockObject(slack.PlainTextType, "In a few words", false, false), reasonField)
	reason.Multiline = true
	reason.MaxLength = chat.MaxReason
	reasonIn := slack.NewInputBlock(reasonBlock, slack.NewTextBlockObject(slack.PlainTextType, "What is wrong?", false, false), nil, reason)
	reasonIn.Optional = true
	view := slack.ModalViewRequest{
		Type:       slack.VTModal,
		CallbackID: out.Report,
		// Where to confirm the report: a form's submission names no channel.
		PrivateMetadata: "byline-report " + cb.Channel.ID + " " + cb.Message.ThreadTimestamp,
		Title:           slack.NewTextBlockObject(slack.PlainTextType, "A source is wrong", false, false),
		Submit:          slack.NewTextBlockObject(slack.PlainTextType, "Report", false, false),
		Close:           slack.NewTextBlockObject(slack.PlainTextType, "Cancel", false, false),
		Blocks: slack.Blocks{BlockSet: []slack.Block{
			slack.NewInputBlock(sourceBlock, slack.NewTextBlockObject(slack.PlainTextType, "Which source?", false, false), nil, pick),
			reasonIn,
		}},
	}
	return retry(ctx, b.log, "views.open", func(ctx context.Context) error {
		_, err := api.OpenViewContext(ctx, cb.TriggerID, view)
		return err
	})
}

// tell answers a click to the reader alone, through its response_url.
func (b *Bot) tell(ctx context.Context, responseURL, text string) {
	if responseURL == "" || text == "" {
		return
	}
	if err := b.respond(ctx, responseURL, true, RenderText(text)[0]); err != nil {
		b.log.Warn("slack: answering a click failed", "err", err)
	}
}
