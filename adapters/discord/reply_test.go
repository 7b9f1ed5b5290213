package discord

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/bwmarrin/discordgo"
	"github.com/google/go-cmp/cmp"

	"github.com/byline-bot/byline/adapters/chat"
	"github.com/byline-bot/byline/answer"
)

// fakeRest is a hand-written rest: it records each call as a line and
// can refuse to start threads.
type fakeRest struct {
	threadErr error
	editErr   error

	mu    sync.Mutex
	calls []string
	next  int
}

func (f *fakeRest) record(format string, args ...any) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, fmt.Sprintf(format, args...))
	f.next++
	return fmt.Sprint(f.next)
}

func (f *fakeRest) lines() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.calls...)
}

// short is the start of s's first line, for readable call records.
func short(s string) string { return clip(strings.SplitN(s, "\n", 2)[0], 40) }

func (f *fakeRest) User(id string, _ ...discordgo.RequestOption) (*discordgo.User, error) {
	f.record("user %s", id)
	return &discordgo.User{ID: "900"}, nil
}

func (f *fakeRest) Channel(id string, _ ...discordgo.RequestOption) (*discordgo.Channel, error) {
	f.record("channel %s", id)
	return &discordgo.Channel{ID: id, Type: discordgo.ChannelTypeGuildText}, nil
}

func (f *fakeRest) ChannelMessageSendComplex(ch string, m *discordgo.MessageSend, _ ...discordgo.RequestOption) (*discordgo.Message, error) {
	ref := ""
	if m.Reference != nil {
		ref = " reply-to " + m.Reference.MessageID
	}
	id := f.record("send %s%s: %s", ch, ref, short(m.Content))
	return &discordgo.Message{ID: "msg" + id, ChannelID: ch}, nil
}

func (f *fakeRest) ChannelMessageEditComplex(m *discordgo.MessageEdit, _ ...discordgo.RequestOption) (*discordgo.Message, error) {
	f.record("edit %s/%s: %s", m.Channel, m.ID, short(*m.Content))
	if f.editErr != nil {
		return nil, f.editErr
	}
	return &discordgo.Message{ID: m.ID}, nil
}

func (f *fakeRest) ChannelMessage(ch, id string, _ ...discordgo.RequestOption) (*discordgo.Message, error) {
	f.record("read %s/%s", ch, id)
	return &discordgo.Message{ID: id, ChannelID: ch}, nil
}

func (f *fakeRest) ChannelTyping(ch string, _ ...discordgo.RequestOption) error {
	f.record("typing %s", ch)
	return nil
}

func (f *fakeRest) MessageThreadStartComplex(ch, msg string, d *discordgo.ThreadStart, _ ...discordgo.RequestOption) (*discordgo.Channel, error) {
	f.record("thread %s/%s %q", ch, msg, d.Name)
	if f.threadErr != nil {
		return nil, f.threadErr
	}
	return &discordgo.Channel{ID: msg, ParentID: ch, Type: discordgo.ChannelTypeGuildPublicThread}, nil
}

func (f *fakeRest) InteractionRespond(i *discordgo.Interaction, r *discordgo.InteractionResponse, _ ...discordgo.RequestOption) error {
	f.record("respond %s type %d flags %d", i.ID, r.Type, r.Data.Flags)
	return nil
}

func (f *fakeRest) InteractionResponseEdit(i *discordgo.Interaction, e *discordgo.WebhookEdit, _ ...discordgo.RequestOption) (*discordgo.Message, error) {
	f.record("edit-original %s: %s", i.ID, short(*e.Content))
	return &discordgo.Message{}, nil
}

func (f *fakeRest) FollowupMessageCreate(i *discordgo.Interaction, _ bool, p *discordgo.WebhookParams, _ ...discordgo.RequestOption) (*discordgo.Message, error) {
	f.record("followup %s flags %d: %s", i.ID, p.Flags, short(p.Content))
	return &discordgo.Message{}, nil
}

func (f *fakeRest) ApplicationCommandBulkOverwrite(app, guild string, cs []*discordgo.ApplicationCommand, _ ...discordgo.RequestOption) ([]*discordgo.ApplicationCommand, error) {
	f.record("commands %s %s %d", app, guild, len(cs))
	return cs, nil
}

// unitBot is a Bot over a fakeRest, with no gateway.
func unitBot(t *testing.T, r *fakeRest) *Bot {
	t.Helper()
	svc, err := chat.NewService(chat.ServiceOptions{
		Engine: newAsker(),
		Policy: chat.NewPolicy(settings(), nil),
		Queue:  chat.NewQueue(context.Background(), 1, 1),
	})
	if err != nil {
		t.Fatal(err)
	}
	return newBot(Options{Service: svc, Library: fakeLibrary{}}, r, nil)
}

// twoMessages is an answer that renders as two messages.
func twoMessages() answer.Answer {
	a := longAnswer()
	paras := strings.Split(a.Text, "\n\n")
	a.Text = strings.Join(paras[:2], "\n\n") + "\n\n" + paras[3]
	return a
}

func TestMessageReply(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name      string
		msg       chat.Message
		cs        chat.ChannelSettings
		threadErr error
		editErr   error
		run       func(r *messageReply)
		want      []string
	}{
		{
			name: "new thread, placeholder then a long answer",
			msg:  chat.Message{ID: "m1", ChannelID: "c1", MentionsBot: true, Text: "bus routes?"},
			cs:   chat.ChannelSettings{Allowed: true, ReplyInThread: true},
			run: func(r *messageReply) {
				r.Typing(ctx)
				r.Progress(ctx, "The bus")
				r.Progress(ctx, "The bus network")
				r.Answer(ctx, twoMessages())
			},
			want: []string{
				`thread c1/m1 "bus routes?"`,
				"typing m1",
				"send m1: The bus …",
				"edit m1/msg3: The bus network …",
				"edit m1/msg3: The budget was discussed at length by t…",
				"send m1: The library hours was discussed at leng…",
			},
		},
		{
			name:      "thread refused: reply in the channel",
			msg:       chat.Message{ID: "m2", ChannelID: "c1", MentionsBot: true, Text: "q"},
			cs:        chat.ChannelSettings{Allowed: true, ReplyInThread: true},
			threadErr: &discordgo.RESTError{Response: &http.Response{StatusCode: 403}, Message: &discordgo.APIErrorMessage{Code: 50013}},
			run: func(r *messageReply) {
				r.Typing(ctx)
				r.Answer(ctx, answerTo("q"))
			},
			want: []string{`thread c1/m2 "q"`, "typing c1", "send c1 reply-to m2: On “q”: the council voted 5 to 2 [1]."},
		},
		{
			name:      "thread exists already: answer in it",
			msg:       chat.Message{ID: "m3", ChannelID: "c1", MentionsBot: true, Text: "q"},
			cs:        chat.ChannelSettings{Allowed: true, ReplyInThread: true},
			threadErr: &discordgo.RESTError{Response: &http.Response{StatusCode: 400}, Message: &discordgo.APIErrorMessage{Code: discordgo.ErrCodeThreadAlreadyCreatedForThisMessage}},
			run:       func(r *messageReply) { r.Answer(ctx, answerTo("q")) },
			want:      []string{`thread c1/m3 "q"`, "send m3: On “q”: the council voted 5 to 2 [1]."},
		},
		{
			name: "a notice before anything is posted replies in the channel",
			msg:  chat.Message{ID: "m4", ChannelID: "c1", MentionsBot: true},
			cs:   chat.ChannelSettings{Allowed: true, ReplyInThread: true},
			run:  func(r *messageReply) { r.Notice(ctx, "Ask me a question.") },
			want: []string{"send c1 reply-to m4: Ask me a question."},
		},
		{
			name:    "placeholder deleted: the answer is posted anew",
			msg:     chat.Message{ID: "m6", ChannelID: "c2", MentionsBot: true, Text: "q"},
			cs:      chat.ChannelSettings{Allowed: true},
			editErr: &discordgo.RESTError{Response: &http.Response{StatusCode: 404}, Message: &discordgo.APIErrorMessage{Code: 10008}},
			run: func(r *messageReply) {
				r.Progress(ctx, "On")
				r.Answer(ctx, answerTo("q"))
			},
			want: []string{"send c2 reply-to m6: On …", "edit c2/msg1: On “q”: the council voted 5 to 2 [1].", "send c2 reply-to m6: On “q”: the council voted 5 to 2 [1]."},
		},
		{
			name: "in a thread: plain messages there",
			msg:  chat.Message{ID: "m5", ChannelID: "c1", ThreadID: "t9", Text: "q"},
			cs:   chat.ChannelSettings{Allowed: true, ReplyInThread: true},
			run:  func(r *messageReply) { r.Answer(ctx, answerTo("q")) },
			want: []string{"send t9: On “q”: the council voted 5 to 2 [1]."},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fr := &fakeRest{threadErr: tc.threadErr, editErr: tc.editErr}
			b := unitBot(t, fr)
			channel := tc.msg.ChannelID
			if tc.msg.ThreadID != "" {
				channel = tc.msg.ThreadID
			}
			r := b.newMessageReply(chat.WhereFor(tc.msg, tc.cs), tc.msg, &discordgo.Message{ID: tc.msg.ID, ChannelID: channel, GuildID: "g1"})
			tc.run(r)
			if diff := cmp.Diff(tc.want, fr.lines()); diff != "" {
				t.Errorf("calls (-want +got):\n%s", diff)
			}
		})
	}
}

// TestInteractionReplyFollowups: a long /ask answer edits the deferred
// response and sends the rest as follow-ups, ephemeral when private.
func TestInteractionReplyFollowups(t *testing.T) {
	fr := &fakeRest{}
	b := unitBot(t, fr)
	ir := &interactionReply{b: b, i: &discordgo.Interaction{ID: "i1", Type: discordgo.InteractionApplicationCommand}, ephemeral: true}
	if err := ir.Answer(context.Background(), twoMessages()); err != nil {
		t.Fatal(err)
	}
	got := fr.lines()
	if len(got) != 2 || !strings.HasPrefix(got[0], "edit-original i1: The budget") || !strings.HasPrefix(got[1], "followup i1 flags 68: The library") {
		t.Errorf("calls = %q, want an edit then an ephemeral (64|4) follow-up", got)
	}
}

// TestRetry: 429s are waited out a bounded number of times; other errors
// are returned at once.
func TestRetry(t *testing.T) {
	ctx := context.Background()
	limited := &discordgo.RateLimitError{RateLimit: &discordgo.RateLimit{TooManyRequests: &discordgo.TooManyRequests{}, URL: "https://discord.com/api/v9/webhooks/1/SECRET"}}
	calls := 0
	err := retry(ctx, unitBot(t, &fakeRest{}).log, "test", func(...discordgo.RequestOption) error {
		calls++
		if calls < 3 {
			return limited
		}
		return nil
	})
	if err != nil || calls != 3 {
		t.Errorf("retry = %v after %d calls, want success on the third", err, calls)
	}

	calls = 0
	boom := errors.New("boom")
	err = retry(ctx, unitBot(t, &fakeRest{}).log, "test", func(...discordgo.RequestOption) error { calls++; return boom })
	if !errors.Is(err, boom) || calls != 1 {
		t.Errorf("retry = %v after %d calls, want boom after 1", err, calls)
	}

	cctx, cancel := context.WithCancel(ctx)
	cancel()
	err = retry(cctx, unitBot(t, &fakeRest{}).log, "test", func(...discordgo.RequestOption) error { return limited })
	if !errors.Is(err, context.Canceled) {
		t.Errorf("retry with a cancelled context = %v", err)
	}
	if strings.Contains(fmt.Sprint(scrub(limited)), "SECRET") {
		t.Errorf("scrub leaves the URL in %v", scrub(limited))
	}
}

func TestMentions(t *testing.T) {
	for _, tc := range []struct {
		content  string
		mentions []*discordgo.User
		want     bool
		text     string
	}{
		{"<@900> who won?", nil, true, "who won?"},
		{"hey <@!900>, who won?", nil, true, "hey , who won?"},
		{"who won?", []*discordgo.User{{ID: "900"}}, true, "who won?"}, // a reply that pings the bot
		{"<@42> said what?", []*discordgo.User{{ID: "42", Username: "bob", GlobalName: "Bob B"}}, false, "@Bob B said what?"},
		{"no mention", nil, false, "no mention"},
		{"<@&555> who won?", nil, true, "who won?"},                       // the bot's own role
		{"<@&556> who won?", nil, false, "who won?"},                      // another role
		{"cc <@77> <#55> <@&556>: who won?", nil, false, "cc : who won?"}, // unresolved user, a channel
	} {
		got, text := mentions(&discordgo.Message{Content: tc.content, Mentions: tc.mentions}, "900", "555")
		if got != tc.want || text != tc.text {
			t.Errorf("mentions(%q) = %v, %q; want %v, %q", tc.content, got, text, tc.want, tc.text)
		}
	}
}

func TestOwnRole(t *testing.T) {
	g := &discordgo.Guild{
		Roles: []*discordgo.Role{{ID: "1", Name: "everyone"}, {ID: "555", Name: "Byline", Managed: true}, {ID: "7", Name: "Other bot", Managed: true}},
		Members: []*discordgo.Member{
			{User: &discordgo.User{ID: "42"}, Roles: []string{"7"}},
			{User: &discordgo.User{ID: "900"}, Roles: []string{"1", "555"}},
		},
	}
	if got := ownRole(g, "900"); got != "555" {
		t.Errorf("ownRole = %q, want 555", got)
	}
	if got := ownRole(&discordgo.Guild{Roles: g.Roles}, "900"); got != "" {
		t.Errorf("without the bot's member entry ownRole = %q, want none", got)
	}
}
