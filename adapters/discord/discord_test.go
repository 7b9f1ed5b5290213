package discord

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"os"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/google/go-cmp/cmp"

	"github.com/byline-bot/byline/adapters/chat"
	"github.com/byline-bot/byline/adapters/discord/discordtest"
	"github.com/byline-bot/byline/metrics"
)

// wantNoPings fails unless a request's body lets nothing ping anyone:
// allowed_mentions present, with an empty parse list.
func wantNoPings(t *testing.T, r discordtest.Request) {
	t.Helper()
	am, ok := r.Body["allowed_mentions"].(map[string]any)
	if !ok {
		t.Errorf("%s %s: no allowed_mentions in %v", r.Method, r.Path, r.Body)
		return
	}
	if diff := cmp.Diff(map[string]any{"parse": []any{}, "replied_user": false}, am); diff != "" {
		t.Errorf("%s %s: allowed_mentions (-want +got):\n%s", r.Method, r.Path, diff)
	}
}

// wantNoEmbeds fails unless a message carries the suppress-embeds flag.
func wantNoEmbeds(t *testing.T, r discordtest.Request) {
	t.Helper()
	flags, _ := r.Body["flags"].(float64)
	if int(flags)&int(discordgo.MessageFlagsSuppressEmbeds) == 0 {
		t.Errorf("%s %s: flags = %v, want suppress embeds (4) set", r.Method, r.Path, r.Body["flags"])
	}
}

func content(r discordtest.Request) string { return r.Content() }

// TestGatewayHandshake: the real discordgo session connects to the fake
// (HELLO, IDENTIFY with the intents, READY), heartbeats are ACKed, and the
// slash commands are registered in the configured guild under the
// application id READY gave.
func TestGatewayHandshake(t *testing.T) {
	t.Parallel()
	h := start(t, nil)
	f := h.fake
	f.wait(t, "two heartbeats", func() bool { return f.Gateway().Heartbeats >= 2 })

	g := f.Gateway()
	identify := g.Identifies[0]
	connections := g.Connections
	if got := identify["token"]; got != "Bot good-token" {
		t.Errorf("IDENTIFY token = %v, want the configured one with the Bot prefix", got)
	}
	intents := int(identify["intents"].(float64))
	for _, want := range []discordgo.Intent{discordgo.IntentsGuildMessages, discordgo.IntentsDirectMessages, discordgo.IntentsMessageContent} {
		if intents&int(want) == 0 {
			t.Errorf("IDENTIFY intents %b lack %b", intents, want)
		}
	}
	if connections != 1 {
		t.Errorf("gateway connections = %d, want 1 (heartbeats ACKed, no reconnect)", connections)
	}
	reg := f.Requests("PUT", "/api/v10/applications/800/guilds/g1/commands")
	if len(reg) != 1 {
		t.Fatalf("command registrations = %d, want 1", len(reg))
	}
	if global := f.Requests("PUT", "/api/v10/applications/800/commands"); len(global) != 0 {
		t.Errorf("commands registered globally too: %v", global)
	}
	var cmds []struct {
		Name        string `json:"name"`
		Permissions string `json:"default_member_permissions"`
		Options     []struct {
			Name     string `json:"name"`
			Required bool   `json:"required"`
		} `json:"options"`
	}
	if err := json.Unmarshal([]byte(reg[0].Body["_raw"].(string)), &cmds); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, c := range cmds {
		s := "/" + c.Name
		for _, o := range c.Options {
			s += " " + o.Name
		}
		if c.Permissions != "" {
			s += " (permissions " + c.Permissions + ")"
		}
		got = append(got, s)
	}
	want := []string{"/ask question", "/search keywords", "/source id", "/digest (permissions 16)", "/help"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("commands (-want +got):\n%s", diff)
	}
}

// TestGlobalCommands: with no guilds configured, commands are registered
// globally.
func TestGlobalCommands(t *testing.T) {
	t.Parallel()
	h := startGlobal(t, newFake(t))
	h.fake.waitRequest(t, "PUT", "/api/v10/applications/800/commands")
}

func startGlobal(t *testing.T, f *fakeDiscord) *harness {
	t.Helper()
	h := &harness{fake: f, asker: newAsker(), clock: &fakeClock{}}
	h.bot = newBotFor(t, f, h.asker, h.clock, func(o *Options) { o.Guilds = nil })
	ctx, cancel := context.WithCancel(context.Background())
	h.cancel, h.done = cancel, make(chan error, 1)
	go func() { h.done <- h.bot.Run(ctx) }()
	t.Cleanup(func() { h.stop(t) })
	return h
}

// TestMentionAnswersInNewThread: a mention in a thread-style channel
// starts a thread on the message, shows typing there, and posts the
// answer with its source in the thread, pinging no one, without previews.
func TestMentionAnswersInNewThread(t *testing.T) {
	t.Parallel()
	h := start(t, nil)
	f := h.fake
	f.dispatch("MESSAGE_CREATE", h.mention("m1", "c1", "who won the budget vote?"))

	post := f.waitRequest(t, "POST", "/api/v10/channels/m1/messages")
	thread := f.Requests("POST", "/api/v10/channels/c1/messages/m1/threads")
	if len(thread) != 1 {
		t.Fatalf("threads started = %d, want 1:\n%s", len(thread), f.Dump())
	}
	if got := thread[0].Body["name"]; got != "who won the budget vote?" {
		t.Errorf("thread name = %v", got)
	}
	if len(f.Requests("POST", "/api/v10/channels/m1/typing")) == 0 {
		t.Errorf("no typing indicator in the thread")
	}
	want := "On “who won the budget vote?”: the council voted 5 to 2 [1].\n\n" +
		"[1] Council approves budget — Valley Courier, 2 Mar 2026, ¶2 <https://courier.example/council> · `council-vote#2`"
	if diff := cmp.Diff(want, content(post)); diff != "" {
		t.Errorf("answer (-want +got):\n%s", diff)
	}
	wantNoPings(t, post)
	wantNoEmbeds(t, post)
	if _, ok := post.Body["message_reference"]; ok {
		t.Errorf("a message in the new thread has a reference: %v", post.Body)
	}
	if got := h.asker.questions(); !cmp.Equal(got, []string{"who won the budget vote?"}) {
		t.Errorf("asked %q, want the text without the mention", got)
	}
}

// TestReplyStyle: in a channel set to reply, the answer is a reply to the
// question in the channel, which does not ping its author.
func TestReplyStyle(t *testing.T) {
	t.Parallel()
	h := start(t, nil)
	f := h.fake
	f.dispatch("MESSAGE_CREATE", h.mention("m2", "c2", "what passed?"))
	post := f.waitRequest(t, "POST", "/api/v10/channels/c2/messages")
	ref, _ := post.Body["message_reference"].(map[string]any)
	if ref["message_id"] != "m2" {
		t.Errorf("message_reference = %v, want the question m2", post.Body["message_reference"])
	}
	wantNoPings(t, post)
	if n := len(f.Requests("POST", "/api/v10/channels/c2/messages/m2/threads")); n != 0 {
		t.Errorf("started %d threads in a reply-style channel", n)
	}
}

// TestDirectMessage: a DM is answered in the DM, with no mention needed.
func TestDirectMessage(t *testing.T) {
	t.Parallel()
	h := start(t, nil)
	f := h.fake
	f.dispatch("MESSAGE_CREATE", f.MessagePayload(discordtest.UserMessage{ID: "m3", ChannelID: "d1", DM: true, Text: "what did the council decide?"}))
	post := f.waitRequest(t, "POST", "/api/v10/channels/d1/messages")
	if !strings.HasPrefix(content(post), "On “what did the council decide?”") {
		t.Errorf("DM answer = %q", content(post))
	}
	if _, ok := post.Body["message_reference"]; ok {
		t.Errorf("a DM answer is a reply: %v", post.Body)
	}
	wantNoPings(t, post)
}

// TestIgnored: bots (this one included), edits, disallowed channels and
// messages not addressed to the bot get no answer; a last mention,
// answered, shows that the earlier events were read.
func TestIgnored(t *testing.T) {
	t.Parallel()
	h := start(t, nil)
	f := h.fake

	fromBot := h.mention("i1", "c1", "bot question")
	fromBot["author"] = map[string]any{"id": "777", "username": "otherbot", "bot": true}
	f.dispatch("MESSAGE_CREATE", fromBot)
	fromSelf := h.mention("i2", "c1", "my own question")
	fromSelf["author"] = map[string]any{"id": f.BotID(), "username": "byline", "bot": true}
	f.dispatch("MESSAGE_CREATE", fromSelf)
	f.dispatch("MESSAGE_UPDATE", h.mention("i3", "c1", "edited question"))
	f.dispatch("MESSAGE_CREATE", h.mention("i4", "c3", "disallowed question"))
	f.dispatch("MESSAGE_CREATE", h.plain("i5", "c1", "just chatting"))
	// A channel Discord will not describe (404): it might be a thread of
	// a channel the bot must stay silent in.
	f.dispatch("MESSAGE_CREATE", h.mention("i7", "zz", "question in an unknown channel"))
	f.dispatch("MESSAGE_CREATE", h.mention("i6", "c1", "last question"))

	f.waitRequest(t, "POST", "/api/v10/channels/i6/messages")
	h.stop(t) // every event read is handled before Run returns
	if diff := cmp.Diff([]string{"last question"}, h.asker.questions()); diff != "" {
		t.Errorf("questions asked (-want +got):\n%s", diff)
	}
	for _, id := range []string{"i1", "i2", "i3", "i4", "i5", "i7"} {
		if n := len(f.Requests("POST", "/api/v10/channels/"+id+"/messages")); n != 0 {
			t.Errorf("message %s answered", id)
		}
	}
	if n := len(f.Requests("POST", "/api/v10/channels/c3/messages")); n != 0 {
		t.Errorf("posted in the disallowed channel")
	}
}

// TestAutoAnswerChannel: an auto-answer channel answers a message with no
// mention, with the channel's source filter.
func TestAutoAnswerChannel(t *testing.T) {
	t.Parallel()
	h := start(t, nil)
	f := h.fake
	f.dispatch("MESSAGE_CREATE", h.plain("m4", "c4", "when do the new bus routes start?"))
	f.waitRequest(t, "POST", "/api/v10/channels/m4/messages")
	qs := h.asker.waitAsked(t, 1)
	if diff := cmp.Diff([]string{"Valley Courier"}, qs[0].Sources); diff != "" {
		t.Errorf("sources (-want +got):\n%s", diff)
	}
}

// TestFollowUpInBotThread: inside the thread the bot started, a reply
// without a mention is answered there, with the earlier turn as context.
func TestFollowUpInBotThread(t *testing.T) {
	t.Parallel()
	h := start(t, nil)
	f := h.fake
	f.dispatch("MESSAGE_CREATE", h.mention("m5", "c1", "who won the vote?"))
	f.waitRequest(t, "POST", "/api/v10/channels/m5/messages")

	f.dispatch("MESSAGE_CREATE", h.plain("m6", "m5", "and by how much?"))
	f.wait(t, "the follow-up's answer", func() bool { return f.count("POST", "/api/v10/channels/m5/messages") == 2 })
	qs := h.asker.waitAsked(t, 2)
	if len(qs[1].History) != 1 || qs[1].History[0].Question != "who won the vote?" {
		t.Errorf("follow-up history = %+v, want the first turn", qs[1].History)
	}
	if n := len(f.Requests("POST", "/api/v10/channels/m5/messages/m6/threads")); n != 0 {
		t.Errorf("a follow-up started a thread of its own")
	}
}

// TestSlashAsk: /ask is acknowledged with a deferred response, then the
// answer is edited in; in a private channel the response is ephemeral.
func TestSlashAsk(t *testing.T) {
	t.Parallel()
	h := start(t, nil)
	f := h.fake
	f.dispatch("INTERACTION_CREATE", h.slash("a1", "c1", "ask", "who won the vote?", "0"))
	edit := f.waitRequest(t, "PATCH", "/api/v10/webhooks/800/tok-a1/messages/@original")
	cb := f.Requests("POST", "/api/v10/interactions/a1/tok-a1/callback")
	if len(cb) != 1 {
		t.Fatalf("callbacks = %d, want 1", len(cb))
	}
	if got := cb[0].Body["type"]; got != float64(discordgo.InteractionResponseDeferredChannelMessageWithSource) {
		t.Errorf("callback type = %v, want 5 (deferred)", got)
	}
	order := []string{}
	for _, r := range f.Requests("", "") {
		if strings.Contains(r.Path, "a1") {
			order = append(order, r.Method)
		}
	}
	if diff := cmp.Diff([]string{"POST", "PATCH"}, order); diff != "" {
		t.Errorf("callback, then edit (-want +got):\n%s", diff)
	}
	if !strings.HasPrefix(content(edit), "On “who won the vote?”") || !strings.Contains(content(edit), "<https://courier.example/council>") {
		t.Errorf("edited answer = %q", content(edit))
	}
	wantNoPings(t, edit)

	f.dispatch("INTERACTION_CREATE", h.slash("a2", "c5", "ask", "private question", "0"))
	f.waitRequest(t, "PATCH", "/api/v10/webhooks/800/tok-a2/messages/@original")
	cb = f.Requests("POST", "/api/v10/interactions/a2/tok-a2/callback")
	data, _ := cb[0].Body["data"].(map[string]any)
	if flags, _ := data["flags"].(float64); int(flags)&int(discordgo.MessageFlagsEphemeral) == 0 {
		t.Errorf("private channel: deferred response flags = %v, want ephemeral", data["flags"])
	}
}

// TestSlashCommands: /search, /source, /help and /digest.
func TestSlashCommands(t *testing.T) {
	t.Parallel()
	var digested []string
	done := make(chan struct{}, 1)
	h := start(t, func(o *Options) {
		o.Digest = func(_ context.Context, channel string) (string, error) {
			digested = append(digested, channel)
			done <- struct{}{}
			return "Posted 4 stories.", nil
		}
	})
	f := h.fake

	f.dispatch("INTERACTION_CREATE", h.slash("s1", "c1", "search", "budget vote", "0"))
	got := content(f.waitRequest(t, "PATCH", "/api/v10/webhooks/800/tok-s1/messages/@original"))
	for _, want := range []string{"Council approves budget", "<https://courier.example/council>", "`council-vote#2`", "> The council voted 5 to 2"} {
		if !strings.Contains(got, want) {
			t.Errorf("/search response lacks %q:\n%s", want, got)
		}
	}

	f.dispatch("INTERACTION_CREATE", h.slash("s2", "c1", "source", "council-vote#2", "0"))
	got = content(f.waitRequest(t, "PATCH", "/api/v10/webhooks/800/tok-s2/messages/@original"))
	if !strings.Contains(got, council().Text) || !strings.Contains(got, "Valley Courier, 2 Mar 2026, ¶2") {
		t.Errorf("/source response = %q", got)
	}

	f.dispatch("INTERACTION_CREATE", h.slash("s3", "c1", "source", "nope#9", "0"))
	got = content(f.waitRequest(t, "PATCH", "/api/v10/webhooks/800/tok-s3/messages/@original"))
	if got != "There is no stored paragraph nope#9." {
		t.Errorf("/source of a missing paragraph = %q", got)
	}

	f.dispatch("INTERACTION_CREATE", h.slash("s4", "c1", "help", "", "0"))
	cb := f.waitRequest(t, "POST", "/api/v10/interactions/s4/tok-s4/callback")
	data, _ := cb.Body["data"].(map[string]any)
	if cb.Body["type"] != float64(4) || data["content"] != Help || data["flags"] != float64(discordgo.MessageFlagsEphemeral|discordgo.MessageFlagsSuppressEmbeds) {
		t.Errorf("/help callback = %v, want an ephemeral message with the help", cb.Body)
	}

	f.dispatch("INTERACTION_CREATE", h.slash("s7", "c3", "ask", "anything?", "0"))
	cb = f.waitRequest(t, "POST", "/api/v10/interactions/s7/tok-s7/callback")
	data, _ = cb.Body["data"].(map[string]any)
	if !strings.HasPrefix(fmt.Sprint(data["content"]), "I'm not answering in this channel") || data["flags"] != float64(68) {
		t.Errorf("/ask in a disallowed channel: %v", cb.Body)
	}

	f.dispatch("INTERACTION_CREATE", h.slash("s5", "c1", "digest", "", "0"))
	cb = f.waitRequest(t, "POST", "/api/v10/interactions/s5/tok-s5/callback")
	data, _ = cb.Body["data"].(map[string]any)
	if !strings.HasPrefix(data["content"].(string), "Only members who can manage") {
		t.Errorf("/digest without permission: %v", cb.Body)
	}

	f.dispatch("INTERACTION_CREATE", h.slash("s6", "c1", "digest", "", "16")) // Manage Channels
	got = content(f.waitRequest(t, "PATCH", "/api/v10/webhooks/800/tok-s6/messages/@original"))
	<-done
	if got != "Posted 4 stories." || !cmp.Equal(digested, []string{"c1"}) {
		t.Errorf("/digest: response %q, digests posted to %v", got, digested)
	}
}

// TestDigestNotConfigured: with no Digest, /digest says so.
func TestDigestNotConfigured(t *testing.T) {
	t.Parallel()
	h := start(t, nil)
	f := h.fake
	f.dispatch("INTERACTION_CREATE", h.slash("n1", "c1", "digest", "", "8")) // Administrator
	cb := f.waitRequest(t, "POST", "/api/v10/interactions/n1/tok-n1/callback")
	data, _ := cb.Body["data"].(map[string]any)
	if data["content"] != "Digests are not configured for this bot." {
		t.Errorf("/digest: %v", cb.Body)
	}
}

// TestTwoThreadsAtOnce: two questions in two threads are worked on at the
// same time, and each answer lands in its own thread.
func TestTwoThreadsAtOnce(t *testing.T) {
	t.Parallel()
	h := start(t, nil)
	f := h.fake
	gate := make(chan struct{})
	h.asker.gate = gate
	f.dispatch("MESSAGE_CREATE", h.mention("t1", "c1", "first question"))
	f.dispatch("MESSAGE_CREATE", h.mention("t2", "c1", "second question"))
	h.asker.waitAsked(t, 2) // both in the engine at once
	close(gate)
	for id, q := range map[string]string{"t1": "first question", "t2": "second question"} {
		post := f.waitRequest(t, "POST", "/api/v10/channels/"+id+"/messages")
		if !strings.HasPrefix(content(post), "On “"+q+"”") {
			t.Errorf("thread %s got %q", id, content(post))
		}
	}
}

// TestOrderInOneThread: two follow-ups in one thread are answered in the
// order they were asked, one at a time.
func TestOrderInOneThread(t *testing.T) {
	t.Parallel()
	h := start(t, nil)
	f := h.fake
	f.dispatch("MESSAGE_CREATE", h.mention("o1", "c1", "question one"))
	f.waitRequest(t, "POST", "/api/v10/channels/o1/messages")
	gate := make(chan struct{})
	h.asker.gate = gate
	f.dispatch("MESSAGE_CREATE", h.plain("o2", "o1", "question two"))
	f.dispatch("MESSAGE_CREATE", h.plain("o3", "o1", "question three"))
	h.asker.waitAsked(t, 2)
	close(gate)
	f.wait(t, "three answers in the thread", func() bool { return f.count("POST", "/api/v10/channels/o1/messages") == 3 })
	var got []string
	for _, r := range f.Requests("POST", "/api/v10/channels/o1/messages") {
		got = append(got, strings.SplitN(content(r), ":", 2)[0])
	}
	want := []string{"On “question one”", "On “question two”", "On “question three”"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("answers (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"question one", "question two", "question three"}, h.asker.questions()); diff != "" {
		t.Errorf("questions (-want +got):\n%s", diff)
	}
}

// TestDisconnectMidAnswer: the gateway drops while an answer is being
// worked on; the session resumes (and the fake delivers the question
// again), and the answer is posted once.
func TestDisconnectMidAnswer(t *testing.T) {
	t.Parallel()
	f := newFakeWith(t, discordtest.Options{ReplayOnResume: true})
	f.addChannel("c1", "g1", "", 0)
	// The Service's in-memory Once, watched: the question's second
	// delivery must reach it (and be turned away) before the answer is
	// let through.
	var (
		mu     sync.Mutex
		checks int
		again  = make(chan struct{})
	)
	set := chat.NewRecent(100)
	h := startWith(t, f, nil, func(o *chat.ServiceOptions) {
		o.Once = func(ctx context.Context, key string) (bool, error) {
			first, err := set.Once(ctx, key)
			mu.Lock()
			defer mu.Unlock()
			if key == "discord:message:r1" {
				if checks++; checks == 2 {
					close(again)
				}
			}
			return first, err
		}
	})
	gate := make(chan struct{})
	h.asker.gate = gate
	f.dispatch("MESSAGE_CREATE", h.mention("r1", "c1", "who won?"))
	h.asker.waitAsked(t, 1)

	f.Drop()
	f.wait(t, "a RESUME", func() bool { return len(f.Gateway().Resumes) == 1 })
	resume := f.Gateway().Resumes[0]
	if resume["session_id"] != "session-1" {
		t.Errorf("RESUME = %v, want session-1", resume)
	}
	select {
	case <-again:
	case <-time.After(waitFor):
		t.Fatal("the replayed question never reached the bot")
	}
	close(gate)
	f.waitRequest(t, "POST", "/api/v10/channels/r1/messages")
	h.stop(t)

	if n := len(f.Requests("POST", "/api/v10/channels/r1/messages")); n != 1 {
		t.Errorf("answers posted = %d, want 1:\n%s", n, f.Dump())
	}
	if n := len(f.Requests("POST", "/api/v10/channels/c1/messages/r1/threads")); n != 1 {
		t.Errorf("threads started = %d, want 1", n)
	}
	if qs := h.asker.questions(); len(qs) != 1 {
		t.Errorf("questions asked = %q, want one", qs)
	}
	identifies := len(f.Gateway().Identifies)
	if identifies != 1 {
		t.Errorf("IDENTIFY sent %d times, want 1 (a RESUME, not a new session)", identifies)
	}
}

// TestRateLimited: a 429 on posting the answer is waited out and the
// answer posted once.
func TestRateLimited(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	f.addChannel("c1", "g1", "", 0)
	f.RateLimit("POST", "/api/v10/channels/q1/messages", 2)
	h := startWith(t, f, nil)
	f.dispatch("MESSAGE_CREATE", h.mention("q1", "c1", "who won?"))
	f.waitRequest(t, "POST", "/api/v10/channels/q1/messages")
	h.stop(t)
	var statuses []int
	for _, r := range f.Requests("POST", "/api/v10/channels/q1/messages") {
		statuses = append(statuses, r.Status)
	}
	if diff := cmp.Diff([]int{429, 429, 200}, statuses); diff != "" {
		t.Errorf("statuses (-want +got):\n%s", diff)
	}
}

// TestStreaming: with a streaming engine the bot posts a placeholder,
// edits it as the text grows (at the Service's pace), and the last edit
// is the answer with its sources.
func TestStreaming(t *testing.T) {
	t.Parallel()
	h := start(t, nil)
	f := h.fake
	h.asker.stream = []string{"The council", "The council voted", "The council voted 5 to 2"}
	f.dispatch("MESSAGE_CREATE", h.mention("p1", "c1", "who won?"))
	f.waitRequest(t, "POST", "/api/v10/channels/p1/messages")
	f.wait(t, "the final edit", func() bool {
		for _, r := range f.Requests("PATCH", "") {
			if strings.Contains(content(r), "[1] Council approves budget") {
				return true
			}
		}
		return false
	})
	var got []string
	for _, r := range f.Requests("", "") {
		if strings.HasPrefix(r.Path, "/api/v10/channels/p1/messages") {
			got = append(got, r.Method+" "+strings.SplitN(content(r), "\n", 2)[0])
		}
	}
	want := []string{
		"POST The council …",
		"PATCH The council voted …",
		"PATCH The council voted 5 to 2 …",
		"PATCH On “who won?”: the council voted 5 to 2 [1].",
	}
	// The service sends progress from a goroutine of its own and drops a
	// text that a newer one overtook while an edit was on its way: the
	// middle edit may or may not be made.
	if len(got) == 3 {
		want = append(want[:1], want[2:]...)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("messages in the thread (-want +got):\n%s", diff)
	}
	for _, r := range f.Requests("PATCH", "") {
		wantNoPings(t, r)
	}
	for _, r := range f.Requests("", "/api/v10/channels/p1/messages") {
		wantNoPings(t, r)
	}
}

// TestBadToken: a token Discord rejects ends Run at once with a clear
// error, whether the REST API or the gateway rejects it.
func TestBadToken(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name     string
		token    string
		identify bool
	}{
		{"rest", "wrong-token", false},
		{"gateway", "good-token", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFakeWith(t, discordtest.Options{RejectIdentify: tc.identify})
			b := newBotFor(t, f, newAsker(), &fakeClock{}, func(o *Options) { o.Token = tc.token })
			done := make(chan error, 1)
			go func() { done <- b.Run(context.Background()) }()
			select {
			case err := <-done:
				if !errors.Is(err, ErrTokenRejected) {
					t.Errorf("Run = %v, want ErrTokenRejected", err)
				}
				if err != nil && !strings.Contains(err.Error(), "DISCORD_BOT_TOKEN") {
					t.Errorf("error %q does not say what to check", err)
				}
			case <-time.After(waitFor):
				t.Fatal("Run hung with a rejected token")
			}
		})
	}
}

// TestNoToken: New refuses an empty token.
func TestNoToken(t *testing.T) {
	_, err := New(Options{})
	if err == nil || !strings.Contains(err.Error(), "DISCORD_BOT_TOKEN") {
		t.Errorf("New without a token = %v", err)
	}
}

// TestConnectTimeout: a gateway that never says READY is an error after
// ConnectTimeout, not a hang.
func TestConnectTimeout(t *testing.T) {
	t.Parallel()
	f := newFakeWith(t, discordtest.Options{SilentIdentify: true})
	b := newBotFor(t, f, newAsker(), &fakeClock{}, func(o *Options) { o.ConnectTimeout = 200 * time.Millisecond })
	done := make(chan error, 1)
	go func() { done <- b.Run(context.Background()) }()
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), "did not say READY") {
			t.Errorf("Run = %v, want a connect timeout", err)
		}
	case <-time.After(waitFor):
		t.Fatal("Run hung on a silent gateway")
	}
}

// TestTwoBots: two Bots with different API roots run side by side in one
// process, each talking only to its own server.
func TestTwoBots(t *testing.T) {
	t.Parallel()
	h1 := start(t, nil)
	h2 := start(t, nil)
	h1.fake.dispatch("MESSAGE_CREATE", h1.mention("b1", "c1", "question for one"))
	h2.fake.dispatch("MESSAGE_CREATE", h2.mention("b2", "c1", "question for two"))
	p1 := h1.fake.waitRequest(t, "POST", "/api/v10/channels/b1/messages")
	p2 := h2.fake.waitRequest(t, "POST", "/api/v10/channels/b2/messages")
	if !strings.Contains(content(p1), "question for one") || !strings.Contains(content(p2), "question for two") {
		t.Errorf("answers crossed: %q, %q", content(p1), content(p2))
	}
	if n := len(h1.fake.Requests("POST", "/api/v10/channels/b2/messages")) + len(h2.fake.Requests("POST", "/api/v10/channels/b1/messages")); n != 0 {
		t.Errorf("a bot posted to the other's server")
	}
}

// TestPost: Post splits a long text, pings no one, suppresses previews and
// returns the first message's id.
func TestPost(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	f.addChannel("c1", "g1", "", 0)
	b := newBotFor(t, f, newAsker(), &fakeClock{}, nil)
	text := strings.Repeat("A story about the council and its budget. ", 60) + "\n\n@everyone " + strings.Repeat("More news. ", 30)
	id, err := b.Post(context.Background(), "c1", text)
	if err != nil {
		t.Fatal(err)
	}
	posts := f.Requests("POST", "/api/v10/channels/c1/messages")
	if len(posts) != 2 {
		t.Fatalf("posts = %d, want 2", len(posts))
	}
	if id != "5001" {
		t.Errorf("id = %q, want the first message's, 5001", id)
	}
	for _, p := range posts {
		if n := len([]rune(content(p))); n > MaxMessage {
			t.Errorf("message of %d characters", n)
		}
		wantNoPings(t, p)
		wantNoEmbeds(t, p)
		if raw := rawPing.FindString(content(p)); raw != "" {
			t.Errorf("a posted message carries %s raw", raw)
		}
	}
}

// TestStartThreadOnPost: a thread started on a posted message (a digest)
// is the bot's: a reply there needs no mention.
func TestStartThreadOnPost(t *testing.T) {
	t.Parallel()
	h := start(t, nil)
	f := h.fake
	id, err := h.bot.Post(context.Background(), "c1", "News digest — 30 Nov 2026\n\n**Harbour dredging** starts in May [1].")
	if err != nil {
		t.Fatal(err)
	}
	thread, err := h.bot.StartThread(context.Background(), "c1", id, "News digest — 30 Nov 2026")
	if err != nil {
		t.Fatal(err)
	}
	if thread != id {
		t.Errorf("thread %q, want the message's id %q", thread, id)
	}
	starts := f.Requests("POST", "/api/v10/channels/c1/messages/"+id+"/threads")
	if len(starts) != 1 || starts[0].Body["name"] != "News digest — 30 Nov 2026" {
		t.Fatalf("thread starts = %+v", starts)
	}
	f.dispatch("MESSAGE_CREATE", h.plain("m9", thread, "why is it needed?"))
	f.waitRequest(t, "POST", "/api/v10/channels/"+thread+"/messages")
}

// TestShutdownWaitsForAnswers: when Run's context ends mid-answer, the
// gateway closes at once and Run returns only once the answer is posted.
func TestShutdownWaitsForAnswers(t *testing.T) {
	t.Parallel()
	draining := make(chan struct{})
	h := start(t, func(o *Options) {
		o.Logger = slog.New(&onMessage{Handler: o.Logger.Handler(), msg: "discord: gateway closed; waiting for answers in flight", do: func() { close(draining) }})
	})
	f := h.fake
	gate := make(chan struct{})
	h.asker.gate = gate
	f.dispatch("MESSAGE_CREATE", h.mention("w1", "c1", "slow question"))
	h.asker.waitAsked(t, 1)
	h.cancel()
	select {
	case <-draining:
	case <-time.After(waitFor):
		t.Fatal("Run did not close the gateway")
	}
	ended := f.Gateway().Ended
	if ended != 1 {
		t.Errorf("gateway connections ended = %d, want 1", ended)
	}
	select {
	case err := <-h.done:
		t.Fatalf("Run returned (%v) with an answer in flight", err)
	default:
	}
	close(gate)
	h.stop(t)
	if n := len(f.Requests("POST", "/api/v10/channels/w1/messages")); n != 1 {
		t.Errorf("answers posted before Run returned = %d, want 1", n)
	}
}

// TestUserRateLimit: past the user's quota, the bot replies with when to
// try again instead of answering.
func TestUserRateLimit(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	f.addChannel("c1", "g1", "", 0)
	h := startWith(t, f, nil, func(o *chat.ServiceOptions) {
		o.Limiter = chat.NewLimiter(chat.Limits{UserPerMinute: 1, UserBurst: 1}, o.Now)
	})
	f.dispatch("MESSAGE_CREATE", h.mention("l1", "c1", "first"))
	f.waitRequest(t, "POST", "/api/v10/channels/l1/messages")
	f.dispatch("MESSAGE_CREATE", h.mention("l2", "c1", "second"))
	notice := f.waitRequest(t, "POST", "/api/v10/channels/c1/messages")
	if want := "That's more questions than I can take right now. Please try again in 60 s."; content(notice) != want {
		t.Errorf("notice = %q, want %q", content(notice), want)
	}
	ref, _ := notice.Body["message_reference"].(map[string]any)
	if ref["message_id"] != "l2" {
		t.Errorf("the notice replies to %v, want l2", ref["message_id"])
	}
	wantNoPings(t, notice)
	if n := len(f.Requests("POST", "/api/v10/channels/c1/messages/l2/threads")); n != 0 {
		t.Errorf("a thread was started for a refused question")
	}
}

// onMessage is a slog.Handler that calls do once when msg is logged.
type onMessage struct {
	slog.Handler
	msg  string
	do   func()
	once sync.Once
}

func (h *onMessage) Handle(ctx context.Context, r slog.Record) error {
	if r.Message == h.msg {
		h.once.Do(h.do)
	}
	return h.Handler.Handle(ctx, r)
}

func (h *onMessage) WithAttrs(as []slog.Attr) slog.Handler {
	return &onMessage{Handler: h.Handler.WithAttrs(as), msg: h.msg, do: h.do}
}

// TestInviteURL: the permission integer is the sum of the permissions the
// docs list, and the docs give the same invite URL.
func TestInviteURL(t *testing.T) {
	if Permissions != 311385197568 {
		t.Errorf("Permissions = %d", Permissions)
	}
	want := "https://discord.com/oauth2/authorize?client_id=APPLICATION_ID&scope=bot+applications.commands&permissions=311385197568"
	if got := InviteURL("APPLICATION_ID"); got != want {
		t.Errorf("InviteURL = %s", got)
	}
	doc, err := os.ReadFile("../../docs/discord.md")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(doc), want) {
		t.Errorf("docs/discord.md does not give the invite URL %s", want)
	}
}

// TestUnreachable: an API root nothing listens on is a clear error that
// names it.
func TestUnreachable(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	f.Close()
	b := newBotFor(t, f, newAsker(), &fakeClock{}, nil)
	err := b.Run(context.Background())
	if err == nil || !strings.Contains(err.Error(), "cannot reach the API at "+f.APIURL()) {
		t.Errorf("Run = %v, want an error naming %s", err, f.APIURL())
	}
}

// TestOnReady: the readiness hook is called once the gateway session is
// up.
func TestOnReady(t *testing.T) {
	t.Parallel()
	states := make(chan bool, 16)
	h := start(t, func(o *Options) { o.OnReady = func(up bool) { states <- up } })
	next := func(want bool) {
		t.Helper()
		select {
		case got := <-states:
			if got != want {
				t.Fatalf("OnReady(%v), want OnReady(%v)", got, want)
			}
		case <-time.After(waitFor):
			t.Fatalf("OnReady(%v) was not called", want)
		}
	}
	next(true)
	// A dropped gateway is not ready until the session is resumed.
	h.fake.Drop()
	next(false)
	next(true)
}

// TestRoleMention: mentioning the bot's own role (which Discord's picker
// often offers for "@Byline") is a mention of the bot.
func TestRoleMention(t *testing.T) {
	t.Parallel()
	h := start(t, nil)
	f := h.fake
	f.dispatch("GUILD_CREATE", map[string]any{
		"id": "g1", "name": "Newsroom",
		"roles":   []any{map[string]any{"id": "g1", "name": "@everyone"}, map[string]any{"id": "555", "name": "Byline", "managed": true}},
		"members": []any{map[string]any{"user": map[string]any{"id": "900", "username": "byline", "bot": true}, "roles": []any{"555"}}},
	})
	p := h.plain("r1", "c1", "<@&555> who won the vote?")
	p["mention_roles"] = []any{"555"}
	f.dispatch("MESSAGE_CREATE", p)
	f.waitRequest(t, "POST", "/api/v10/channels/r1/messages")
	if qs := h.asker.waitAsked(t, 1); qs[0].Text != "who won the vote?" {
		t.Errorf("asked %q, want the text without the role mention", qs[0].Text)
	}
}

// TestSlashAskAfterTokenExpired: an /ask answered more than 15 minutes
// after it was asked (a long queue) cannot edit its response any more; the
// answer goes to the channel instead.
func TestSlashAskAfterTokenExpired(t *testing.T) {
	t.Parallel()
	h := start(t, nil)
	f := h.fake
	// A snowflake from 20 minutes ago.
	ms := time.Now().Add(-20*time.Minute).UnixMilli() - 1420070400000
	id := strconv.FormatInt(ms<<22, 10)
	f.dispatch("INTERACTION_CREATE", h.slash(id, "c1", "ask", "who won the vote?", "0"))
	post := f.waitRequest(t, "POST", "/api/v10/channels/c1/messages")
	if !strings.Contains(content(post), "who won the vote?") {
		t.Errorf("posted %q, want the answer", content(post))
	}
	if n := len(f.Requests("PATCH", "/api/v10/webhooks/800/tok-"+id+"/messages/@original")); n != 0 {
		t.Errorf("%d edits through the expired interaction", n)
	}
	wantNoPings(t, post)
}

// waits is a slog.Handler that passes on the retry_after of every
// "rate limited; waiting" line.
type waits struct {
	slog.Handler
	ch chan time.Duration
}

func (h waits) Handle(ctx context.Context, r slog.Record) error {
	if r.Message == "discord: rate limited; waiting" {
		r.Attrs(func(a slog.Attr) bool {
			if a.Key == "retry_after" {
				h.ch <- a.Value.Duration()
			}
			return true
		})
	}
	return h.Handler.Handle(ctx, r)
}

func (h waits) WithAttrs(as []slog.Attr) slog.Handler {
	return waits{Handler: h.Handler.WithAttrs(as), ch: h.ch}
}

// TestRetryAfterCapped: a 429 asking for an hour's wait is waited out for
// at most chat.MaxRetryAfter, as on Slack.
func TestRetryAfterCapped(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	f.addChannel("c1", "g1", "", 0)
	f.RateLimitFor("POST", "/api/v10/channels/q1/messages", 1, time.Hour)
	got := make(chan time.Duration, 10)
	h := startWith(t, f, func(o *Options) {
		o.Logger = slog.New(waits{Handler: newTestLogger(t).Handler(), ch: got})
		o.DrainTimeout = time.Millisecond
	})
	f.dispatch("MESSAGE_CREATE", h.mention("q1", "c1", "who won?"))
	select {
	case d := <-got:
		if d > chat.MaxRetryAfter {
			t.Errorf("waiting %s for a 429, want at most %s", d, chat.MaxRetryAfter)
		}
	case <-time.After(waitFor):
		t.Fatal("no rate-limited wait was logged")
	}
}

// TestAbstentionDefusesPings: an abstention repeats the question, and a
// thread is named after it; neither carries @everyone, @here or mention
// markup (a role, a channel, a user Discord did not resolve) as Discord
// would read them, though allowed_mentions would stop the ping.
func TestAbstentionDefusesPings(t *testing.T) {
	t.Parallel()
	h := start(t, nil)
	f := h.fake
	h.asker.abstain = true
	f.dispatch("MESSAGE_CREATE", h.mention("m1", "c1", "@everyone is the @here ferry <@&77> <#55> <@999> @Everyone late?"))
	post := f.waitRequest(t, "POST", "/api/v10/channels/m1/messages")
	thread := f.Requests("POST", "/api/v10/channels/c1/messages/m1/threads")
	if len(thread) != 1 {
		t.Fatalf("threads started = %d, want 1:\n%s", len(thread), f.Dump())
	}
	name, _ := thread[0].Body["name"].(string)
	for what, s := range map[string]string{"thread name": name, "abstention": content(post)} {
		if raw := rawPing.FindString(s); raw != "" {
			t.Errorf("%s %q carries %s raw", what, s, raw)
		}
		if raw := rawMention.FindString(s); raw != "" {
			t.Errorf("%s %q carries the mention %s raw", what, s, raw)
		}
		if !strings.Contains(s, "everyone") || !strings.Contains(s, "ferry") || !strings.Contains(s, "late?") {
			t.Errorf("%s %q lost the question's words", what, s)
		}
	}
	wantNoPings(t, post)
}

// rawPing is how Discord recognises @everyone and @here in a message.
var rawPing = regexp.MustCompile(`(?i)@(everyone|here)`)

// TestRateLimitedGiveUpSaysSo: after five 429s in a row the answer is
// given up; once the limit has passed the asker hears why in the thread,
// and the metrics count it.
func TestRateLimitedGiveUpSaysSo(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	f.addChannel("c1", "g1", "", 0)
	f.RateLimit("POST", "/api/v10/channels/q1/messages", chat.MaxRateLimited)
	m := metrics.New()
	h := startWith(t, f, nil, func(o *chat.ServiceOptions) { o.Metrics = m })
	f.dispatch("MESSAGE_CREATE", h.mention("q1", "c1", "who won?"))
	f.wait(t, "a message posted in the thread", func() bool {
		for _, r := range f.Requests("POST", "/api/v10/channels/q1/messages") {
			if r.Status == 200 {
				return true
			}
		}
		return false
	})
	h.stop(t)
	var statuses []int
	var said string
	for _, r := range f.Requests("POST", "/api/v10/channels/q1/messages") {
		statuses = append(statuses, r.Status)
		if r.Status == 200 {
			said = content(r)
		}
	}
	if diff := cmp.Diff([]int{429, 429, 429, 429, 429, 200}, statuses); diff != "" {
		t.Errorf("statuses (-want +got):\n%s", diff)
	}
	if want := "Sorry, I had an answer but was rate limited posting it. Please ask again in a minute."; said != want {
		t.Errorf("posted %q, want %q", said, want)
	}
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	if want := `byline_errors_total{kind="post_rate_limited"} 1`; !strings.Contains(rec.Body.String(), want) {
		t.Errorf("/metrics lacks %s", want)
	}
}

// TestDedupeStalled: a dedupe check that never returns (the database's
// one writer busy with a long ingest) holds the answer back only for the
// Service's bound; then the message is answered, and the stall logged.
func TestDedupeStalled(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	f.addChannel("c1", "g1", "", 0)
	h := startWith(t, f, nil, func(o *chat.ServiceOptions) {
		o.Once = func(ctx context.Context, key string) (bool, error) {
			<-ctx.Done()
			return false, ctx.Err()
		}
	})
	f.dispatch("MESSAGE_CREATE", h.mention("s1", "c1", "who won?"))
	post := f.waitRequest(t, "POST", "/api/v10/channels/s1/messages")
	if !strings.Contains(content(post), "who won?") {
		t.Errorf("posted %q, want the answer", content(post))
	}
}

// TestEdit: Edit replaces a posted message's text as Post renders it,
// pinging no one; text too long for one message is refused.
func TestEdit(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	f.addChannel("c1", "g1", "", 0)
	b := newBotFor(t, f, newAsker(), &fakeClock{}, nil)
	id, err := b.Post(context.Background(), "c1", "The ferry is late.")
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Edit(context.Background(), "c1", id, "The ferry is late, @here says."); err != nil {
		t.Fatal(err)
	}
	edits := f.Requests("PATCH", "/api/v10/channels/c1/messages/"+id)
	if len(edits) != 1 {
		t.Fatalf("edits = %d, want 1", len(edits))
	}
	if got, want := content(edits[0]), "The ferry is late, @\u200bhere says."; got != want {
		t.Errorf("edited to %q, want %q", got, want)
	}
	wantNoPings(t, edits[0])
	if err := b.Edit(context.Background(), "c1", id, strings.Repeat("Too long. ", 300)); err == nil {
		t.Error("an edit longer than one message was not refused")
	}
}
