package slack

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/slack-go/slack"

	"github.com/byline-bot/byline/adapters/chat"
	"github.com/byline-bot/byline/adapters/slack/slacktest"
)

// wantQuiet fails unless a post turns previews off and asks Slack to link
// no names.
func wantQuiet(t *testing.T, r fakeRequest) {
	t.Helper()
	if r.JSON != nil {
		if r.JSON["unfurl_links"] != false || r.JSON["unfurl_media"] != false {
			t.Errorf("response_url message: unfurl_links=%v unfurl_media=%v, want false", r.JSON["unfurl_links"], r.JSON["unfurl_media"])
		}
		if _, ok := r.JSON["parse"]; ok {
			t.Errorf("response_url message sets parse")
		}
		return
	}
	if r.Form.Get("unfurl_links") != "false" || r.Form.Get("unfurl_media") != "false" {
		t.Errorf("%s: unfurl_links=%q unfurl_media=%q, want false", r.Method, r.Form.Get("unfurl_links"), r.Form.Get("unfurl_media"))
	}
	for _, k := range []string{"link_names", "parse"} {
		if _, ok := r.Form[k]; ok {
			t.Errorf("%s sets %s=%q", r.Method, k, r.Form.Get(k))
		}
	}
}

// TestMentionAnswersInThread: an app_mention is acknowledged and answered
// once, in a thread on the question, with its source, and the message
// event Slack sends along with it is not answered again.
func TestMentionAnswersInThread(t *testing.T) {
	t.Parallel()
	h := start(t, nil)
	f := h.fake
	f.send(f.envelope("env-1", "Ev1", f.mention("C1", "1700000000.000100", "", "who won the budget vote?")))
	f.send(f.envelope("env-2", "Ev2", f.message("C1", "channel", "1700000000.000100", "", "<@UBOT> who won the budget vote?")))
	f.waitAck(t, "env-1")
	f.waitAck(t, "env-2")
	post := f.waitCalls(t, 1, "chat.postMessage", nil)[0]
	h.stop(t)

	if got := post.Form.Get("thread_ts"); got != "1700000000.000100" || post.Form.Get("channel") != "C1" {
		t.Errorf("posted to %s thread %q, want C1 thread 1700000000.000100", post.Form.Get("channel"), got)
	}
	text, blocks := posted(t, post)
	want := "On “who won the budget vote?”: the council voted *5 to 2* [1].\n" +
		"[1] <https://courier.example/council|Council approves budget> — Valley Courier, 2 Mar 2026, ¶2 · `council-vote#2`\n“The council voted 5 to 2 on Tuesday.”"
	if diff := cmp.Diff(want, blockText(blocks)); diff != "" {
		t.Errorf("blocks (-want +got):\n%s", diff)
	}
	if !strings.HasPrefix(text, "On “who won the budget vote?”: the council voted 5 to 2 [1].") {
		t.Errorf("fallback text = %q", text)
	}
	wantQuiet(t, post)
	if n := len(f.calls("chat.postMessage", nil)); n != 1 {
		t.Errorf("posts = %d, want 1:\n%s", n, f.dump())
	}
	if diff := cmp.Diff([]string{"who won the budget vote?"}, h.asker.questions()); diff != "" {
		t.Errorf("questions (-want +got):\n%s", diff)
	}
}

// TestDeliveredAgain: the same event delivered twice, and again after the
// Socket Mode connection drops and the client reconnects, is answered
// once.
func TestDeliveredAgain(t *testing.T) {
	t.Parallel()
	h := start(t, nil)
	f := h.fake
	ev := f.envelope("env-1", "Ev1", f.mention("C1", "1700000000.000100", "", "who won?"))
	f.send(ev)
	f.send(ev)
	f.waitCalls(t, 1, "chat.postMessage", nil)

	f.drop()
	f.waitConnected(t, 2)
	again := f.envelope("env-1b", "Ev1", f.mention("C1", "1700000000.000100", "", "who won?"))
	again["retry_attempt"], again["retry_reason"] = 1, "timeout"
	f.send(again)
	f.waitAck(t, "env-1b")
	// A last, different question shows the retry was read before it.
	f.send(f.envelope("env-2", "Ev2", f.mention("C1", "1700000000.000300", "", "and then?")))
	f.waitCalls(t, 1, "chat.postMessage", inThread("C1", "1700000000.000300"))
	h.stop(t)

	if n := len(f.calls("chat.postMessage", inThread("C1", "1700000000.000100"))); n != 1 {
		t.Errorf("answers to the question delivered three times = %d, want 1:\n%s", n, f.dump())
	}
	if diff := cmp.Diff([]string{"who won?", "and then?"}, h.asker.questions()); diff != "" {
		t.Errorf("questions (-want +got):\n%s", diff)
	}
	opens := f.Socket().Opens
	if opens != 2 {
		t.Errorf("apps.connections.open called %d times, want 2 (a reconnect)", opens)
	}
}

// TestDirectMessage: a DM is answered directly, not in a thread.
func TestDirectMessage(t *testing.T) {
	t.Parallel()
	h := start(t, nil)
	f := h.fake
	f.send(f.envelope("env-1", "Ev1", f.message("D1", "im", "1700000000.000100", "", "what did the council decide?")))
	post := f.waitCalls(t, 1, "chat.postMessage", inChannel("D1"))[0]
	if post.Form.Get("thread_ts") != "" {
		t.Errorf("a DM answer is in a thread: %q", post.Form.Get("thread_ts"))
	}
	if text, _ := posted(t, post); !strings.HasPrefix(text, "On “what did the council decide?”") {
		t.Errorf("DM answer = %q", text)
	}
}

// TestIgnored: bots (this one included), edits, joins, disallowed
// channels and messages not addressed to the bot get no answer; a last
// mention, answered, shows the earlier events were read.
func TestIgnored(t *testing.T) {
	t.Parallel()
	h := start(t, nil)
	f := h.fake
	fromBot := f.mention("C1", "1700000000.000001", "", "bot question")
	fromBot["bot_id"] = "B999"
	f.send(f.envelope("e1", "Ev1", fromBot))
	botMessage := f.message("D1", "im", "1700000000.000002", "", "a bot's DM")
	botMessage["subtype"], botMessage["bot_id"] = "bot_message", "B999"
	f.send(f.envelope("e2", "Ev2", botMessage))
	own := f.message("D1", "im", "1700000000.000003", "", "my own answer")
	own["user"] = "UBOT"
	f.send(f.envelope("e3", "Ev3", own))
	edit := f.message("D1", "im", "1700000000.000004", "", "")
	edit["subtype"] = "message_changed"
	edit["message"] = map[string]any{"type": "message", "user": "U1", "text": "edited question", "ts": "1700000000.000001"}
	f.send(f.envelope("e4", "Ev4", edit))
	join := f.message("C4", "channel", "1700000000.000005", "", "<@U1> has joined the channel")
	join["subtype"] = "channel_join"
	f.send(f.envelope("e5", "Ev5", join))
	f.send(f.envelope("e6", "Ev6", f.mention("C3", "1700000000.000006", "", "disallowed question")))
	f.send(f.envelope("e7", "Ev7", f.message("C1", "channel", "1700000000.000007", "", "just chatting")))
	f.send(f.envelope("e8", "Ev8", f.mention("C1", "1700000000.000008", "", "last question")))

	f.waitCalls(t, 1, "chat.postMessage", nil)
	h.stop(t) // every event read is handled before Run returns
	if diff := cmp.Diff([]string{"last question"}, h.asker.questions()); diff != "" {
		t.Errorf("questions asked (-want +got):\n%s", diff)
	}
	if n := len(f.calls("chat.postMessage", nil)); n != 1 {
		t.Errorf("posts = %d, want 1:\n%s", n, f.dump())
	}
}

// TestAutoAnswerAndReplyInChannel: an auto-answer channel answers a
// message without a mention (with the channel's source filter); a channel
// set to reply in the channel answers there, not in a thread.
func TestAutoAnswerAndReplyInChannel(t *testing.T) {
	t.Parallel()
	h := start(t, nil)
	f := h.fake
	f.send(f.envelope("e1", "Ev1", f.message("C4", "channel", "1700000000.000100", "", "when do the bus routes start?")))
	f.waitCalls(t, 1, "chat.postMessage", inThread("C4", "1700000000.000100"))
	if qs := h.asker.waitAsked(t, 1); !cmp.Equal(qs[0].Sources, []string{"Valley Courier"}) {
		t.Errorf("sources = %v", qs[0].Sources)
	}
	f.send(f.envelope("e2", "Ev2", f.mention("C2", "1700000000.000200", "", "what passed?")))
	post := f.waitCalls(t, 1, "chat.postMessage", inChannel("C2"))[0]
	if post.Form.Get("thread_ts") != "" {
		t.Errorf("C2 answers in the channel, got thread %q", post.Form.Get("thread_ts"))
	}
}

// TestFollowUpInBotThread: in the thread the bot answered in, a reply
// without a mention is answered there, with the earlier turn as context.
func TestFollowUpInBotThread(t *testing.T) {
	t.Parallel()
	h := start(t, nil)
	f := h.fake
	f.send(f.envelope("e1", "Ev1", f.mention("C1", "1700000000.000100", "", "who won the vote?")))
	f.waitCalls(t, 1, "chat.postMessage", inThread("C1", "1700000000.000100"))
	f.send(f.envelope("e2", "Ev2", f.message("C1", "channel", "1700000000.000200", "1700000000.000100", "and by how much?")))
	f.waitCalls(t, 2, "chat.postMessage", inThread("C1", "1700000000.000100"))
	qs := h.asker.waitAsked(t, 2)
	if qs[1].Text != "and by how much?" || len(qs[1].History) != 1 || qs[1].History[0].Question != "who won the vote?" {
		t.Errorf("follow-up = %q with history %+v", qs[1].Text, qs[1].History)
	}
	// A reply in someone else's thread needs a mention.
	f.send(f.envelope("e3", "Ev3", f.message("C1", "channel", "1700000000.000400", "1700000000.000300", "unrelated thread")))
	f.send(f.envelope("e4", "Ev4", f.mention("C1", "1700000000.000500", "", "last")))
	f.waitCalls(t, 1, "chat.postMessage", inThread("C1", "1700000000.000500"))
	h.stop(t)
	if n := len(f.calls("chat.postMessage", inThread("C1", "1700000000.000300"))); n != 0 {
		t.Errorf("answered in a thread the bot was not in")
	}
}

// TestStreaming: with a streaming engine the bot posts a placeholder,
// edits it as the text grows, and the last edit is the answer.
func TestStreaming(t *testing.T) {
	t.Parallel()
	h := start(t, nil)
	f := h.fake
	h.asker.set(func(a *fakeAsker) {
		a.stream = []string{"The council", "The council voted", "The council voted 5 to 2"}
	})
	f.send(f.envelope("e1", "Ev1", f.mention("C1", "1700000000.000100", "", "who won?")))
	f.wait(t, "the final edit", func() bool {
		for _, r := range f.Requests("chat.update") {
			if strings.Contains(r.Form.Get("text"), "[1] Council approves budget") {
				return true
			}
		}
		return false
	})
	var got []string
	for _, r := range f.calls("", func(r fakeRequest) bool { return strings.HasPrefix(r.Method, "chat.") }) {
		text, _ := posted(t, r)
		got = append(got, r.Method+" "+strings.SplitN(text, "\n", 2)[0])
		wantQuiet(t, r)
	}
	want := []string{
		"chat.postMessage The council …",
		"chat.update The council voted …",
		"chat.update The council voted 5 to 2 …",
		"chat.update On “who won?”: the council voted 5 to 2 [1].",
	}
	// The service sends progress from a goroutine of its own and drops a
	// text that a newer one overtook while an edit was on its way: the
	// middle edit may or may not be made.
	if len(got) == 3 {
		want = append(want[:1], want[2:]...)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("messages (-want +got):\n%s", diff)
	}
	placeholder := f.calls("chat.postMessage", nil)[0]
	for _, r := range f.calls("chat.update", nil) {
		if r.Form.Get("ts") != placeholder.TS {
			t.Errorf("chat.update of %q, want the placeholder %q", r.Form.Get("ts"), placeholder.TS)
		}
	}
}

// TestRateLimited: 429s on posting the answer are waited out, and the
// answer posted once.
func TestRateLimited(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	f.RateLimit("chat.postMessage", 2)
	h := run(t, f, nil)
	f.waitConnected(t, 1)
	f.send(f.envelope("e1", "Ev1", f.mention("C1", "1700000000.000100", "", "who won?")))
	f.waitCalls(t, 1, "chat.postMessage", nil)
	h.stop(t)
	var statuses []int
	for _, r := range f.Requests("chat.postMessage") {
		statuses = append(statuses, r.Status)
	}
	if diff := cmp.Diff([]int{429, 429, 200}, statuses); diff != "" {
		t.Errorf("statuses (-want +got):\n%s", diff)
	}
}

// slash is a slash_commands envelope of /byline.
func slash(f *fakeSlack, envID, channel, user, text string) map[string]any {
	c := slacktest.SlashCommand{EnvelopeID: envID, Text: text, ChannelID: channel, UserID: user}
	return slacktest.Envelope(envID, "slash_commands", f.SlashCommandPayload(&c))
}

// responses returns the messages sent to one response_url.
func responses(f *fakeSlack, id string) []fakeRequest {
	return f.calls("response_url", func(r fakeRequest) bool { return r.ResponseID == id })
}

// TestSlashAsk: /byline ask is acknowledged at once and answered through
// its response_url, in the channel, or only to the asker in a private
// channel; a question without the word ask is asked too.
func TestSlashAsk(t *testing.T) {
	t.Parallel()
	h := start(t, nil)
	f := h.fake
	f.send(slash(f, "s1", "C1", "U1", "ask who won the vote?"))
	if ack := f.waitAck(t, "s1"); ack.Payload != nil {
		t.Errorf("ask acknowledged with %v, want an empty ack", ack.Payload)
	}
	f.wait(t, "the answer", func() bool {
		return len(responses(f, "s1")) == 1
	})
	r := responses(f, "s1")[0]
	if r.JSON["response_type"] != "in_channel" {
		t.Errorf("response_type = %v, want in_channel", r.JSON["response_type"])
	}
	if text, blocks := posted(t, r); !strings.HasPrefix(text, "On “who won the vote?”") || !strings.Contains(blockText(blocks), "<https://courier.example/council|") {
		t.Errorf("answer = %q / %q", text, blockText(blocks))
	}
	wantQuiet(t, r)

	f.send(slash(f, "s2", "C5", "U1", "private question"))
	f.wait(t, "the private answer", func() bool {
		return len(responses(f, "s2")) == 1
	})
	if r := responses(f, "s2")[0]; r.JSON["response_type"] != "ephemeral" {
		t.Errorf("private channel: response_type = %v, want ephemeral", r.JSON["response_type"])
	}
	if qs := h.asker.questions(); !cmp.Equal(qs, []string{"who won the vote?", "private question"}) {
		t.Errorf("questions = %q", qs)
	}
	if n := len(f.calls("chat.postMessage", nil)); n != 0 {
		t.Errorf("slash answers posted %d messages with chat.postMessage", n)
	}
}

// TestSlashCommands: help, search, source, digest (refused for others
// than the admins), and a disallowed channel.
func TestSlashCommands(t *testing.T) {
	t.Parallel()
	digested := make(chan string, 1)
	h := start(t, func(o *Options) {
		o.Digest = func(_ context.Context, channel string) (string, error) {
			if channel == "CNOTIN" {
				return "", fmt.Errorf("digest: posting: %w", slack.SlackErrorResponse{Err: "not_in_channel"})
			}
			digested <- channel
			return "Posted 4 stories.", nil
		}
	})
	f := h.fake
	ackText := func(env string) string {
		a := f.waitAck(t, env)
		s, _ := a.Payload["text"].(string)
		if s != "" && a.Payload["response_type"] != "ephemeral" {
			t.Errorf("%s: ack response_type = %v, want ephemeral", env, a.Payload["response_type"])
		}
		return s
	}
	only := func(env string) (string, string) {
		f.wait(t, "the response to "+env, func() bool {
			return len(responses(f, env)) > 0
		})
		r := responses(f, env)[0]
		text, blocks := posted(t, r)
		return text, blockText(blocks)
	}

	f.send(slash(f, "h1", "C1", "U1", "help"))
	if got := ackText("h1"); got != Help {
		t.Errorf("help ack = %q", got)
	}

	f.send(slash(f, "s1", "C1", "U1", "search budget vote"))
	_, got := only("s1")
	for _, want := range []string{"Paragraphs matching “budget vote”", "<https://courier.example/council|Council approves budget>", "`council-vote#2`", "> The council voted 5 to 2"} {
		if !strings.Contains(got, want) {
			t.Errorf("search response lacks %q:\n%s", want, got)
		}
	}

	f.send(slash(f, "s2", "C1", "U1", "source council-vote#2"))
	if _, got := only("s2"); !strings.Contains(got, council().Text) || !strings.Contains(got, "Valley Courier, 2 Mar 2026, ¶2") {
		t.Errorf("source response = %q", got)
	}
	f.send(slash(f, "s3", "C1", "U1", "source nope#9"))
	if _, got := only("s3"); got != "There is no stored paragraph nope#9." {
		t.Errorf("source of a missing paragraph = %q", got)
	}

	f.send(slash(f, "s4", "C3", "U1", "ask anything?"))
	if got := ackText("s4"); !strings.HasPrefix(got, "I'm not answering in this channel") {
		t.Errorf("ask in a disallowed channel: ack %q", got)
	}

	f.send(slash(f, "d1", "C1", "U1", "digest"))
	if got := ackText("d1"); !strings.HasPrefix(got, "Sorry, only the bot's admins") {
		t.Errorf("digest by a non-admin: ack %q", got)
	}
	f.send(slash(f, "d2", "C1", "UADMIN", "digest"))
	ackText("d2")
	if text, _ := only("d2"); text != "Posted 4 stories." {
		t.Errorf("digest status = %q", text)
	}
	if ch := <-digested; ch != "C1" {
		t.Errorf("digest posted to %s", ch)
	}
	f.send(slash(f, "d3", "CNOTIN", "UADMIN", "digest"))
	ackText("d3")
	if text, _ := only("d3"); !strings.Contains(text, "/invite @Byline") {
		t.Errorf("digest where the bot is not a member: %q", text)
	}
	h.stop(t)
	if n := len(responses(f, "d1")); n != 0 {
		t.Errorf("a refused digest got %d responses", n)
	}
	if qs := h.asker.questions(); len(qs) != 0 {
		t.Errorf("questions asked: %q", qs)
	}
}

// shortcut is an interactive envelope of the message shortcut, used on a
// message in channel.
func shortcut(f *fakeSlack, envID, channel, ts, threadTS, text string) map[string]any {
	sc := slacktest.Shortcut{
		EnvelopeID: envID, CallbackID: ShortcutID, ChannelID: channel, ChannelName: "news",
		UserID: "U1", UserName: "ann", Author: "U2", Text: text, TS: ts, ThreadTS: threadTS,
	}
	return slacktest.Envelope(envID, "interactive", f.ShortcutPayload(&sc))
}

// TestShortcut: "Ask Byline about this" asks about the message, link
// included, and answers in its thread; where the bot is not a member it
// tells the asker alone how to invite it.
func TestShortcut(t *testing.T) {
	t.Parallel()
	h := start(t, nil)
	f := h.fake
	f.send(shortcut(f, "i1", "C1", "1700000000.000100", "", "Did the <https://courier.example/2026/03/01/council-approves-budget|budget> pass?"))
	f.waitAck(t, "i1")
	f.waitCalls(t, 1, "chat.postMessage", inThread("C1", "1700000000.000100"))
	want := "Did the budget (https://courier.example/2026/03/01/council-approves-budget) pass? (council approves budget)"
	if qs := h.asker.questions(); !cmp.Equal(qs, []string{want}) {
		t.Errorf("questions = %q, want %q", qs, want)
	}

	f.send(shortcut(f, "i2", "CX1", "1700000000.000200", "1700000000.000150", "What about the buses?"))
	f.wait(t, "the private notice", func() bool {
		return len(responses(f, "i2")) == 1
	})
	r := responses(f, "i2")[0]
	if text, _ := posted(t, r); r.JSON["response_type"] != "ephemeral" || !strings.Contains(text, "/invite @Byline") {
		t.Errorf("not-in-channel notice = %v %q", r.JSON["response_type"], text)
	}
}

// TestHTTPMode: in HTTP mode, signed requests are served (the URL check,
// an event, a command); unsigned, tampered, mis-signed and stale ones get
// a 401 and do nothing.
func TestHTTPMode(t *testing.T) {
	t.Parallel()
	const secret = "shh-signing-secret"
	f := newFake(t)
	var clock func() time.Time = time.Now
	h := run(t, f, func(o *Options) {
		o.Mode, o.Listen, o.SigningSecret, o.AppToken = "http", "127.0.0.1:0", secret, ""
		o.Now = func() time.Time { return clock() }
	})
	deadline := time.Now().Add(waitFor)
	for h.bot.Addr() == nil {
		if time.Now().After(deadline) {
			t.Fatal("HTTP mode never listened")
		}
		time.Sleep(5 * time.Millisecond)
	}
	base := "http://" + h.bot.Addr().String()
	do := func(path, body, contentType string, headers map[string]string) (int, string) {
		t.Helper()
		req, err := http.NewRequest("POST", base+path, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", contentType)
		for k, v := range headers {
			req.Header.Set(k, v)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	const jsonType = "application/json"

	challenge := `{"token":"legacy","challenge":"3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P","type":"url_verification"}`
	if status, body := do("/slack/events", challenge, jsonType, sign(secret, time.Now(), challenge)); status != 200 || body != "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P" {
		t.Errorf("url_verification: %d %q", status, body)
	}

	bad := mustJSON(t, f.callback("EvBad", f.mention("C1", "1700000000.000900", "", "unsigned question")))
	stale := sign(secret, time.Now().Add(-6*time.Minute), bad)
	wrong := sign("another-secret", time.Now(), bad)
	tampered := sign(secret, time.Now(), strings.Replace(bad, "unsigned", "signed", 1))
	for name, hdr := range map[string]map[string]string{
		"no headers":   nil,
		"no signature": {"X-Slack-Request-Timestamp": sign(secret, time.Now(), bad)["X-Slack-Request-Timestamp"]},
		"stale":        stale,
		"wrong secret": wrong,
		"tampered":     tampered,
		"garbage":      {"X-Slack-Request-Timestamp": stale["X-Slack-Request-Timestamp"], "X-Slack-Signature": "v0=zz"},
	} {
		if status, _ := do("/slack/events", bad, jsonType, hdr); status != http.StatusUnauthorized {
			t.Errorf("%s: status %d, want 401", name, status)
		}
	}
	// A fresh signature, but the bot's clock (Options.Now) says the
	// request is six minutes old.
	clock = func() time.Time { return time.Now().Add(6 * time.Minute) }
	if status, _ := do("/slack/events", bad, jsonType, sign(secret, time.Now(), bad)); status != http.StatusUnauthorized {
		t.Errorf("stale by Options.Now: status %d, want 401", status)
	}
	clock = time.Now

	good := mustJSON(t, f.callback("Ev1", f.mention("C1", "1700000000.000100", "", "who won?")))
	if status, _ := do("/slack/events", good, jsonType, sign(secret, time.Now(), good)); status != 200 {
		t.Errorf("signed event: status %d", status)
	}
	// Slack's retry of the same event.
	if status, _ := do("/slack/events", good, jsonType, sign(secret, time.Now(), good)); status != 200 {
		t.Errorf("signed retry: status %d", status)
	}
	f.waitCalls(t, 1, "chat.postMessage", inThread("C1", "1700000000.000100"))

	form := url.Values{"command": {"/byline"}, "text": {"ask what passed?"}, "channel_id": {"C5"}, "user_id": {"U1"},
		"response_url": {f.ResponseURL("hs1")}, "trigger_id": {"trig-hs1"}}.Encode()
	if status, body := do("/slack/commands", form, "application/x-www-form-urlencoded", sign(secret, time.Now(), form)); status != 200 || body != "" {
		t.Errorf("signed command: %d %q", status, body)
	}
	f.wait(t, "the command's answer", func() bool {
		return len(responses(f, "hs1")) == 1
	})
	help := url.Values{"command": {"/byline"}, "text": {"help"}, "channel_id": {"C1"}, "user_id": {"U1"}, "trigger_id": {"t2"}}.Encode()
	if status, body := do("/slack/commands", help, "application/x-www-form-urlencoded", sign(secret, time.Now(), help)); status != 200 || !strings.Contains(body, "/byline search keywords") {
		t.Errorf("help: %d %q", status, body)
	}
	h.stop(t)

	if diff := cmp.Diff([]string{"who won?", "what passed?"}, h.asker.questions()); diff != "" {
		t.Errorf("questions (-want +got):\n%s", diff)
	}
	if n := len(f.calls("chat.postMessage", nil)); n != 1 {
		t.Errorf("posts = %d, want 1:\n%s", n, f.dump())
	}
}

// TestBadTokens: a bot token Slack rejects ends Run at once with an error
// naming SLACK_BOT_TOKEN; an app-level token it rejects, naming
// SLACK_APP_TOKEN.
func TestBadTokens(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		edit func(*Options)
		want error
		env  string
	}{
		{"bot", func(o *Options) { o.BotToken = "xoxb-wrong" }, ErrTokenRejected, "SLACK_BOT_TOKEN"},
		{"app", func(o *Options) { o.AppToken = "xapp-wrong" }, ErrAppTokenRejected, "SLACK_APP_TOKEN"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFake(t)
			b := newBotFor(t, f, newAsker(), &fakeClock{}, tc.edit)
			done := make(chan error, 1)
			go func() { done <- b.Run(context.Background()) }()
			select {
			case err := <-done:
				if !errors.Is(err, tc.want) || !strings.Contains(err.Error(), tc.env) {
					t.Errorf("Run = %v, want %v naming %s", err, tc.want, tc.env)
				}
			case <-time.After(waitFor):
				t.Fatal("Run hung with a rejected token")
			}
		})
	}
}

// TestAppTokenWithoutScope: an app token without connections:write is a
// clear error at start, not a retry for ever.
func TestAppTokenWithoutScope(t *testing.T) {
	t.Parallel()
	f := &fakeSlack{t: t, Server: slacktest.New(slacktest.Options{BotToken: "xoxb-good", AppToken: "xapp-good", BotUserID: "UBOT", AppTokenError: "missing_scope"})}
	t.Cleanup(f.Close)
	b := newBotFor(t, f, newAsker(), &fakeClock{}, nil)
	done := make(chan error, 1)
	go func() { done <- b.Run(context.Background()) }()
	select {
	case err := <-done:
		if !errors.Is(err, ErrAppTokenRejected) || !strings.Contains(err.Error(), "connections:write") {
			t.Errorf("Run = %v, want ErrAppTokenRejected naming the scope", err)
		}
	case <-time.After(waitFor):
		t.Fatal("Run retried an app token without its scope")
	}
}

// TestNew: New names the environment variable to set for what is missing.
func TestNew(t *testing.T) {
	svc := func() *chat.Service {
		s, err := chat.NewService(chat.ServiceOptions{Engine: newAsker(), Policy: chat.NewPolicy(chat.Settings{}, nil), Queue: chat.NewQueue(context.Background(), 1, 1)})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}()
	for _, tc := range []struct {
		name string
		opts Options
		want string
	}{
		{"no bot token", Options{}, "SLACK_BOT_TOKEN"},
		{"app token as bot token", Options{BotToken: "xapp-1", Service: svc, Library: fakeLibrary{}}, "SLACK_BOT_TOKEN"},
		{"socket without app token", Options{BotToken: "xoxb-1", Service: svc, Library: fakeLibrary{}}, "SLACK_APP_TOKEN"},
		{"http without secret", Options{BotToken: "xoxb-1", Mode: "http", Service: svc, Library: fakeLibrary{}}, "SLACK_SIGNING_SECRET"},
		{"bad mode", Options{BotToken: "xoxb-1", Mode: "carrier-pigeon", Service: svc, Library: fakeLibrary{}}, "socket or http"},
		{"no service", Options{BotToken: "xoxb-1", AppToken: "xapp-1"}, "chat service"},
		{"bad api url", Options{BotToken: "xoxb-1", AppToken: "xapp-1", APIURL: "slack.example", Service: svc, Library: fakeLibrary{}}, "api_url"},
	} {
		if _, err := New(tc.opts); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: New = %v, want an error naming %s", tc.name, err, tc.want)
		}
	}
	if _, err := New(Options{BotToken: "xoxb-1", AppToken: "xapp-1", Service: svc, Library: fakeLibrary{}}); err != nil {
		t.Errorf("New with everything: %v", err)
	}
}

// TestPost: Post splits a long text into Block Kit messages, pings no one,
// turns previews off, returns the first message's ts, and opens its
// thread for replies without a mention.
func TestPost(t *testing.T) {
	t.Parallel()
	h := start(t, nil)
	f := h.fake
	text := strings.Repeat("A story about the council and its budget [1]. ", 120) + "\n\n@everyone <!channel> " + strings.Repeat("More news. ", 30)
	ts, err := h.bot.Post(context.Background(), "C1", text)
	if err != nil {
		t.Fatal(err)
	}
	posts := f.calls("chat.postMessage", inChannel("C1"))
	if len(posts) != 2 {
		t.Fatalf("posts = %d, want 2", len(posts))
	}
	if ts != posts[0].TS {
		t.Errorf("ts = %q, want the first message's, %q", ts, posts[0].TS)
	}
	for _, p := range posts {
		wantQuiet(t, p)
		wantNoPings(t, p)
		if p.Form.Get("thread_ts") != "" {
			t.Errorf("a digest message went into a thread")
		}
	}
	f.send(f.envelope("e1", "Ev1", f.message("C1", "channel", "1700000000.000900", ts, "tell me more about the budget")))
	f.waitCalls(t, 1, "chat.postMessage", inThread("C1", ts))
}

// TestEdit: Edit replaces a posted message as Post renders it.
func TestEdit(t *testing.T) {
	t.Parallel()
	h := start(t, nil)
	ts, err := h.bot.Post(context.Background(), "C1", "The ferry is late.")
	if err != nil {
		t.Fatal(err)
	}
	if err := h.bot.Edit(context.Background(), "C1", ts, "The ferry is late, @here says."); err != nil {
		t.Fatal(err)
	}
	updates := h.fake.calls("chat.update", inChannel("C1"))
	if len(updates) != 1 {
		t.Fatalf("updates = %d, want 1", len(updates))
	}
	wantQuiet(t, updates[0])
	wantNoPings(t, updates[0])
	if text, _ := posted(t, updates[0]); !strings.Contains(text, "ferry is late") {
		t.Errorf("edited to %q", text)
	}
}

// TestShutdownWaitsForAnswers: when Run's context ends mid-answer, Run
// returns only once the answer is posted.
func TestShutdownWaitsForAnswers(t *testing.T) {
	t.Parallel()
	h := start(t, nil)
	f := h.fake
	gate := make(chan struct{})
	h.asker.set(func(a *fakeAsker) { a.gate = gate })
	f.send(f.envelope("e1", "Ev1", f.mention("C1", "1700000000.000100", "", "slow question")))
	h.asker.waitAsked(t, 1)
	h.cancel()
	select {
	case err := <-h.done:
		t.Fatalf("Run returned (%v) with an answer in flight", err)
	case <-time.After(100 * time.Millisecond):
	}
	close(gate)
	h.stop(t)
	if n := len(f.calls("chat.postMessage", nil)); n != 1 {
		t.Errorf("answers posted before Run returned = %d, want 1", n)
	}
}

// TestOnReady: the readiness hook is called once Socket Mode connects,
// and only once.
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
	// Connecting is not ready; connected is.
	next(false)
	next(true)
	// A dropped connection is not ready until Socket Mode reconnects.
	h.fake.drop()
	next(false)
	next(true)
}

// TestProgressRateLimited: a progress edit answered 429 is not retried
// (the edits pause instead); the final answer still replaces the
// placeholder.
func TestProgressRateLimited(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	f.RateLimit("chat.update", 1)
	h := run(t, f, nil)
	h.asker.set(func(a *fakeAsker) {
		a.stream = []string{"The council", "The council voted", "The council voted 5 to 2"}
	})
	f.waitConnected(t, 1)
	f.send(f.envelope("e1", "Ev1", f.mention("C1", "1700000000.000100", "", "who won?")))
	f.wait(t, "the final edit", func() bool {
		for _, r := range f.Requests("chat.update") {
			if r.Status == 200 && strings.Contains(r.Form.Get("text"), "[1] Council approves budget") {
				return true
			}
		}
		return false
	})
	h.stop(t)
	var statuses []int
	for _, r := range f.Requests("chat.update") {
		statuses = append(statuses, r.Status)
	}
	if len(statuses) < 2 || statuses[0] != 429 || statuses[len(statuses)-1] != 200 {
		t.Errorf("chat.update statuses %v, want a 429 first and the answer last", statuses)
	}
	if n := strings.Count(fmt.Sprint(statuses), "429"); n != 1 {
		t.Errorf("%d 429s: the rate-limited progress edit was retried", n)
	}
	// Right after the 429 comes the answer, not the same preview again.
	ups := f.Requests("chat.update")
	for i, r := range ups {
		if r.Status == 429 && i+1 < len(ups) && !strings.Contains(ups[i+1].Form.Get("text"), "[1] Council approves budget") {
			t.Errorf("after the 429 came %q, not the answer", ups[i+1].Form.Get("text"))
		}
	}
}

// TestUnreadableFrameIsAcknowledged: a frame slack-go cannot read is
// acknowledged all the same when it names its envelope, so Slack does not
// send it again.
func TestUnreadableFrameIsAcknowledged(t *testing.T) {
	t.Parallel()
	h := start(t, nil)
	f := h.fake
	f.send(map[string]any{"envelope_id": "bad1", "type": "events_api", "accepts_response_payload": false, "payload": "not an event"})
	f.wait(t, "the acknowledgement", func() bool { return len(f.Acks("bad1")) == 1 })
}

// records is a slog.Handler that keeps every record, for tests that
// check what was logged and at which level.
type records struct {
	slog.Handler
	mu   *sync.Mutex
	list *[]slog.Record
}

func newRecords(t *testing.T) records {
	return records{Handler: newTestLogger(t).Handler(), mu: &sync.Mutex{}, list: &[]slog.Record{}}
}

func (h records) Handle(ctx context.Context, r slog.Record) error {
	h.mu.Lock()
	*h.list = append(*h.list, r.Clone())
	h.mu.Unlock()
	return h.Handler.Handle(ctx, r)
}

func (h records) WithAttrs(as []slog.Attr) slog.Handler {
	return records{Handler: h.Handler.WithAttrs(as), mu: h.mu, list: h.list}
}

func (h records) all() []slog.Record {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]slog.Record(nil), *h.list...)
}

// TestRefreshRequestedIsRoutine: Slack's routine "refresh_requested"
// disconnect is a reconnect logged at debug, not a warning naming a Go
// type.
func TestRefreshRequestedIsRoutine(t *testing.T) {
	t.Parallel()
	logs := newRecords(t)
	ups := make(chan bool, 10)
	h := start(t, func(o *Options) {
		o.Logger = slog.New(logs)
		o.OnReady = func(up bool) {
			select {
			case ups <- up:
			default:
			}
		}
	})
	if err := h.fake.Disconnect(); err != nil {
		t.Fatal(err)
	}
	h.fake.waitConnected(t, 2)
	// The bot has seen the second connection once it says it is up again.
	for n := 0; n < 2; {
		select {
		case up := <-ups:
			if up {
				n++
			}
		case <-time.After(waitFor):
			t.Fatal("the bot did not report the new connection")
		}
	}
	h.stop(t)
	reconnect := false
	for _, r := range logs.all() {
		var text strings.Builder
		text.WriteString(r.Message)
		r.Attrs(func(a slog.Attr) bool { text.WriteString(" " + a.String()); return true })
		if r.Level >= slog.LevelWarn {
			t.Errorf("a refresh logged at %s: %s", r.Level, text.String())
		}
		if strings.Contains(text.String(), "*slack.") || strings.Contains(text.String(), "*socketmode.") {
			t.Errorf("a log line names a Go type: %s", text.String())
		}
		if r.Level == slog.LevelDebug && strings.Contains(r.Message, "reconnect") {
			reconnect = true
		}
	}
	if !reconnect {
		t.Error("no debug line says the connection is being renewed")
	}
}
