package slacktest_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/gorilla/websocket"

	"github.com/byline-bot/byline/adapters/slack/slacktest"
)

// call calls a Web API method with a form and decodes the JSON answer.
func call(t *testing.T, s *slacktest.Server, method string, form url.Values) (int, map[string]any) {
	t.Helper()
	resp, err := http.PostForm(s.APIURL()+method, form)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out
}

// TestMessagesAndRequests: posts and updates are kept as messages by
// channel and thread, each call is recorded and counted by method, and
// the errors Slack gives (an unknown message, a channel the bot is not
// in, a bad token, a 429) are given.
func TestMessagesAndRequests(t *testing.T) {
	var mu sync.Mutex
	var seen []string
	s := slacktest.New(slacktest.Options{
		Outside: func(c string) bool { return c == "CX" },
		OnRequest: func(r slacktest.Request) {
			mu.Lock()
			seen = append(seen, r.Method+" "+r.Error)
			mu.Unlock()
		},
	})
	defer s.Close()
	tok := s.BotToken()

	_, out := call(t, s, "chat.postMessage", url.Values{"token": {tok}, "channel": {"C1"}, "thread_ts": {"1700000000.000100"}, "text": {"draft …"}})
	ts, _ := out["ts"].(string)
	if out["ok"] != true || ts == "" {
		t.Fatalf("chat.postMessage = %v", out)
	}
	call(t, s, "chat.update", url.Values{"token": {tok}, "channel": {"C1"}, "ts": {ts}, "text": {"final"}, "blocks": {"[]"}})
	if _, out := call(t, s, "chat.update", url.Values{"token": {tok}, "channel": {"C1"}, "ts": {"1.2"}, "text": {"x"}}); out["error"] != "message_not_found" {
		t.Errorf("update of an unknown message = %v", out)
	}
	if _, out := call(t, s, "chat.postMessage", url.Values{"token": {tok}, "channel": {"CX"}, "text": {"x"}}); out["error"] != "not_in_channel" {
		t.Errorf("post where the bot is not = %v", out)
	}
	if _, out := call(t, s, "auth.test", url.Values{"token": {"xoxb-wrong"}}); out["error"] != "invalid_auth" {
		t.Errorf("auth.test with a wrong token = %v", out)
	}
	s.RateLimit("chat.postMessage", 1)
	if status, _ := call(t, s, "chat.postMessage", url.Values{"token": {tok}, "channel": {"C1"}, "text": {"x"}}); status != 429 {
		t.Errorf("rate limited post: %d, want 429", status)
	}

	want := []slacktest.Message{{Channel: "C1", TS: ts, ThreadTS: "1700000000.000100", Text: "final", Blocks: "[]", Updates: 1}}
	if diff := cmp.Diff(want, s.Messages("C1", "1700000000.000100")); diff != "" {
		t.Errorf("messages (-want +got):\n%s", diff)
	}
	if m, ok := s.MessageAt("C1", ts); !ok || m.Text != "final" {
		t.Errorf("MessageAt = %+v, %v", m, ok)
	}
	if n := len(s.Messages("C1", "")); n != 0 {
		t.Errorf("messages in the channel itself = %d, want 0", n)
	}
	var got []string
	for _, r := range s.Requests("chat.postMessage") {
		got = append(got, r.Channel+" "+r.Error+" "+http.StatusText(r.Status))
	}
	if diff := cmp.Diff([]string{"C1  OK", "CX not_in_channel OK", "C1  Too Many Requests"}, got); diff != "" {
		t.Errorf("posts (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(map[string]int{"chat.postMessage": 3, "chat.update": 2, "auth.test": 1}, s.Counts()); diff != "" {
		t.Errorf("counts (-want +got):\n%s", diff)
	}
	mu.Lock()
	defer mu.Unlock()
	want2 := []string{"chat.postMessage ", "chat.update ", "chat.update message_not_found", "chat.postMessage not_in_channel", "auth.test invalid_auth", "chat.postMessage "}
	if diff := cmp.Diff(want2, seen); diff != "" {
		t.Errorf("OnRequest saw (-want +got):\n%s", diff)
	}
}

// TestCountOnly: in CountOnly mode requests are counted, not kept, and
// messages are kept.
func TestCountOnly(t *testing.T) {
	s := slacktest.New(slacktest.Options{CountOnly: true})
	defer s.Close()
	call(t, s, "chat.postMessage", url.Values{"token": {s.BotToken()}, "channel": {"C1"}, "text": {"hi"}})
	if n := len(s.Requests("")); n != 0 {
		t.Errorf("requests kept = %d", n)
	}
	if s.Counts()["chat.postMessage"] != 1 || len(s.Messages("C1", "")) != 1 {
		t.Errorf("counts %v, messages %v", s.Counts(), s.Messages("C1", ""))
	}
}

// TestSocketMode: a connection opened with the app token gets hello, then
// the envelopes sent; acknowledgements are recorded; Drop ends it.
func TestSocketMode(t *testing.T) {
	s := slacktest.New(slacktest.Options{})
	defer s.Close()
	req, _ := http.NewRequest("POST", s.APIURL()+"apps.connections.open", nil)
	req.Header.Set("Authorization", "Bearer "+s.AppToken())
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var open struct {
		OK  bool   `json:"ok"`
		URL string `json:"url"`
	}
	json.NewDecoder(resp.Body).Decode(&open)
	resp.Body.Close()
	c, _, err := websocket.DefaultDialer.Dial(open.URL, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	var hello map[string]any
	if err := c.ReadJSON(&hello); err != nil || hello["type"] != "hello" {
		t.Fatalf("first message = %v, %v", hello, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := s.Wait(ctx, s.Connected); err != nil {
		t.Fatal(err)
	}

	if err := s.AppMention(slacktest.UserMessage{EnvelopeID: "env-1", Channel: "C1", TS: "1700000000.000100", Text: "who won?"}); err != nil {
		t.Fatal(err)
	}
	var env struct {
		EnvelopeID string `json:"envelope_id"`
		Type       string `json:"type"`
		Payload    struct {
			Event map[string]any `json:"event"`
		} `json:"payload"`
	}
	if err := c.ReadJSON(&env); err != nil {
		t.Fatal(err)
	}
	if env.EnvelopeID != "env-1" || env.Type != "events_api" || env.Payload.Event["type"] != "app_mention" || env.Payload.Event["text"] != "<@UBOT> who won?" {
		t.Errorf("envelope = %+v", env)
	}
	if err := c.WriteJSON(map[string]any{"envelope_id": "env-1"}); err != nil {
		t.Fatal(err)
	}
	if err := s.Wait(ctx, func() bool { return len(s.Acks("env-1")) == 1 }); err != nil {
		t.Fatal(err)
	}

	s.Drop()
	if err := s.Wait(ctx, func() bool { return s.Socket().Ended == 1 }); err != nil {
		t.Fatal(err)
	}
	if err := s.Slash(slacktest.SlashCommand{Text: "help"}); err == nil || !strings.Contains(err.Error(), "no Socket Mode connection") {
		t.Errorf("Slash after Drop = %v", err)
	}
	want := slacktest.Socket{Opens: 1, Connections: 1, Ended: 1, Sent: 1, Acks: 1}
	if diff := cmp.Diff(want, s.Socket()); diff != "" {
		t.Errorf("socket (-want +got):\n%s", diff)
	}
}
