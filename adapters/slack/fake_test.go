package slack

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/byline-bot/byline/adapters/slack/slacktest"
)

// waitFor is how long a test waits for something that should happen at
// once; it guards against hangs and measures nothing.
const waitFor = 10 * time.Second

// fakeRequest is one Web API call or response_url post the fake served.
type fakeRequest = slacktest.Request

// fakeSlack is a slacktest.Server that fails the test, rather than
// returning errors, and stops when the test ends.
type fakeSlack struct {
	*slacktest.Server
	t *testing.T
}

// newFake starts a fake Slack that accepts "xoxb-good" and "xapp-good",
// where the bot is in every channel but those whose id starts with CX.
func newFake(t *testing.T) *fakeSlack {
	t.Helper()
	f := &fakeSlack{t: t, Server: slacktest.New(slacktest.Options{
		BotToken: "xoxb-good", AppToken: "xapp-good", BotUserID: "UBOT",
		Outside: func(channel string) bool { return strings.HasPrefix(channel, "CX") },
	})}
	t.Cleanup(f.Close)
	return f
}

// send delivers a Socket Mode envelope on the current connection.
func (f *fakeSlack) send(envelope map[string]any) {
	f.t.Helper()
	if err := f.Send(envelope); err != nil {
		f.t.Fatalf("fake: %v", err)
	}
}

// drop cuts the Socket Mode connection without a close frame.
func (f *fakeSlack) drop() { f.Drop() }

// wait blocks until cond is true.
func (f *fakeSlack) wait(t *testing.T, what string, cond func() bool) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	defer cancel()
	if err := f.Wait(ctx, cond); err != nil {
		t.Fatalf("timed out after %s waiting for %s; requests:\n%s", waitFor, what, f.dump())
	}
}

// waitConnected waits for the nth Socket Mode connection.
func (f *fakeSlack) waitConnected(t *testing.T, n int) {
	t.Helper()
	f.wait(t, fmt.Sprintf("Socket Mode connection %d", n), func() bool { return f.Socket().Connections >= n && f.Connected() })
}

// waitAck waits for the acknowledgement of an envelope.
func (f *fakeSlack) waitAck(t *testing.T, envelopeID string) slacktest.Ack {
	t.Helper()
	var got slacktest.Ack
	f.wait(t, "the ack of "+envelopeID, func() bool {
		acks := f.Acks(envelopeID)
		if len(acks) > 0 {
			got = acks[0]
		}
		return len(acks) > 0
	})
	return got
}

// waitCalls waits until n successful calls match method and keep, and
// returns them.
func (f *fakeSlack) waitCalls(t *testing.T, n int, method string, keep func(fakeRequest) bool) []fakeRequest {
	t.Helper()
	var got []fakeRequest
	f.wait(t, fmt.Sprintf("%d %s", n, method), func() bool {
		got = f.calls(method, keep)
		return len(got) >= n
	})
	return got
}

// calls returns the successful calls so far matching method and keep.
func (f *fakeSlack) calls(method string, keep func(fakeRequest) bool) []fakeRequest {
	var out []fakeRequest
	for _, r := range f.Requests(method) {
		if r.OK() && (keep == nil || keep(r)) {
			out = append(out, r)
		}
	}
	return out
}

// dump lists the requests, for failure messages.
func (f *fakeSlack) dump() string { return f.Dump() }

// inChannel keeps calls posting to a channel.
func inChannel(channel string) func(fakeRequest) bool {
	return func(r fakeRequest) bool { return r.Channel == channel }
}

// inThread keeps calls posting to a thread.
func inThread(channel, ts string) func(fakeRequest) bool {
	return func(r fakeRequest) bool { return r.Channel == channel && r.ThreadTS == ts }
}

// envelope wraps an Events API inner event for Socket Mode.
func (f *fakeSlack) envelope(envID, eventID string, inner map[string]any) map[string]any {
	return slacktest.Envelope(envID, "events_api", f.callback(eventID, inner))
}

// callback is an Events API event_callback.
func (f *fakeSlack) callback(eventID string, inner map[string]any) map[string]any {
	return f.EventCallback(eventID, inner)
}

// mention is an app_mention of the bot by user U1.
func (f *fakeSlack) mention(channel, ts, threadTS, text string) map[string]any {
	return f.MentionEvent(slacktest.UserMessage{Channel: channel, TS: ts, ThreadTS: threadTS, Text: text})
}

// message is a message event by user U1.
func (f *fakeSlack) message(channel, channelType, ts, threadTS, text string) map[string]any {
	return f.MessageEvent(slacktest.UserMessage{Channel: channel, ChannelType: channelType, TS: ts, ThreadTS: threadTS, Text: text})
}
