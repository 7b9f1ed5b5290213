package discordtest_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/gorilla/websocket"

	"github.com/byline-bot/byline/adapters/discord/discordtest"
)

// call sends a REST request as the bot and decodes the JSON answer.
func call(t *testing.T, s *discordtest.Server, method, path, body string) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(method, s.APIURL()+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bot "+s.Token())
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out
}

// TestMessagesAndRequests: posts, edits and threads are kept as messages
// and channels, each request is recorded and counted by route, and an
// edit of an unknown message is a 404 as on Discord.
func TestMessagesAndRequests(t *testing.T) {
	var seen []string
	var mu sync.Mutex
	s := discordtest.New(discordtest.Options{OnRequest: func(r discordtest.Request) {
		mu.Lock()
		seen = append(seen, r.Method+" "+r.ID)
		mu.Unlock()
	}})
	defer s.Close()
	s.AddChannel(discordtest.Channel{ID: "c1", GuildID: "g1", Type: discordtest.GuildText})

	if status, _ := call(t, s, "POST", "channels/c1/messages/m1/threads", `{"name":"q"}`); status != 201 {
		t.Fatalf("thread start: %d", status)
	}
	_, m := call(t, s, "POST", "channels/m1/messages", `{"content":"draft …","message_reference":{"message_id":"m1"}}`)
	id, _ := m["id"].(string)
	call(t, s, "PATCH", "channels/m1/messages/"+id, `{"content":"final"}`)
	if status, _ := call(t, s, "PATCH", "channels/m1/messages/nope", `{"content":"x"}`); status != 404 {
		t.Errorf("edit of an unknown message: %d, want 404", status)
	}

	want := []discordtest.Message{{ID: id, ChannelID: "m1", Content: "final", ReplyTo: "m1", Edits: 1}}
	if diff := cmp.Diff(want, s.Messages("m1")); diff != "" {
		t.Errorf("messages (-want +got):\n%s", diff)
	}
	if c, ok := s.Channel("m1"); !ok || c.ParentID != "c1" || c.Type != discordtest.PublicThread {
		t.Errorf("thread = %+v, %v", c, ok)
	}
	if n := len(s.Requests("PATCH", "/api/v10/channels/m1/messages/"+id)); n != 1 {
		t.Errorf("edits recorded = %d", n)
	}
	counts := s.Counts()
	if counts["PATCH /api/v10/channels/{id}/messages/{mid}"] != 2 || counts["POST /api/v10/channels/{id}/messages"] != 1 {
		t.Errorf("counts = %v", counts)
	}
	mu.Lock()
	defer mu.Unlock()
	if diff := cmp.Diff([]string{"POST m1", "POST " + id, "PATCH " + id, "PATCH "}, seen); diff != "" {
		t.Errorf("OnRequest saw (-want +got):\n%s", diff)
	}
}

// TestCountOnly: in counting mode no request is kept, but counts and
// messages are.
func TestCountOnly(t *testing.T) {
	s := discordtest.New(discordtest.Options{CountOnly: true})
	defer s.Close()
	for range 3 {
		call(t, s, "POST", "channels/c1/messages", `{"content":"hi"}`)
	}
	if n := len(s.Requests("", "")); n != 0 {
		t.Errorf("requests kept = %d, want 0", n)
	}
	if n := s.Counts()["POST /api/v10/channels/{id}/messages"]; n != 3 {
		t.Errorf("count = %d, want 3", n)
	}
	if n := len(s.Messages("c1")); n != 3 {
		t.Errorf("messages = %d, want 3", n)
	}
}

// TestGatewayDispatch: a client that identifies gets READY, then the
// dispatched events in sequence; Wait sees the handshake.
func TestGatewayDispatch(t *testing.T) {
	s := discordtest.New(discordtest.Options{})
	defer s.Close()
	c, _, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(s.URL(), "http")+"/gateway/?v=10", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	type packet struct {
		Op int             `json:"op"`
		S  int             `json:"s"`
		T  string          `json:"t"`
		D  json.RawMessage `json:"d"`
	}
	read := func() packet {
		t.Helper()
		var p packet
		c.SetReadDeadline(time.Now().Add(5 * time.Second))
		if err := c.ReadJSON(&p); err != nil {
			t.Fatal(err)
		}
		return p
	}
	if p := read(); p.Op != 10 {
		t.Fatalf("first packet op %d, want HELLO (10)", p.Op)
	}
	c.WriteJSON(map[string]any{"op": 2, "d": map[string]any{"token": "Bot " + s.Token()}})
	if p := read(); p.T != "READY" || p.S != 1 {
		t.Fatalf("got %s #%d, want READY #1", p.T, p.S)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := s.Wait(ctx, s.Ready); err != nil {
		t.Fatal(err)
	}
	if err := s.MessageCreate(discordtest.UserMessage{ID: "m1", ChannelID: "c1", Text: "who won?", Mention: true}); err != nil {
		t.Fatal(err)
	}
	p := read()
	var m struct {
		Content  string `json:"content"`
		GuildID  string `json:"guild_id"`
		Mentions []struct {
			ID string `json:"id"`
		} `json:"mentions"`
	}
	json.Unmarshal(p.D, &m)
	if p.T != "MESSAGE_CREATE" || p.S != 2 || m.Content != "<@900> who won?" || m.GuildID != "g1" || len(m.Mentions) != 1 {
		t.Errorf("got %s #%d %s", p.T, p.S, p.D)
	}
	if g := s.Gateway(); g.Connections != 1 || len(g.Identifies) != 1 || g.Dispatched != 2 {
		t.Errorf("gateway = %+v", g)
	}
}
