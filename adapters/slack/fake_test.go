package slack

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// waitFor is how long a test waits for something that should happen at
// once; it guards against hangs and measures nothing.
const waitFor = 10 * time.Second

// fakeSlack is a local Slack: the Web API methods the bot calls, response
// URLs, and a Socket Mode websocket that says hello, delivers envelopes
// and records their acknowledgements. It records every request.
type fakeSlack struct {
	t        *testing.T
	srv      *httptest.Server
	botToken string
	appToken string
	botUser  string

	mu        sync.Mutex
	changed   chan struct{} // closed and replaced on every change
	reqs      []fakeRequest
	nextTS    int
	limited   map[string]int // method → 429s still to give
	conn      *fakeConn
	conns     []*fakeConn
	opens     int
	acks      []fakeAck
	readers   sync.WaitGroup
	closeOnce sync.Once
}

// fakeRequest is one Web API call or response_url post the fake served.
type fakeRequest struct {
	Method string     // "chat.postMessage", …, or "response_url"
	Form   url.Values // Web API calls
	JSON   map[string]any
	Status int
	TS     string // the ts a posted message got
}

// fakeAck is a Socket Mode acknowledgement.
type fakeAck struct {
	EnvelopeID string         `json:"envelope_id"`
	Payload    map[string]any `json:"payload"`
}

type fakeConn struct {
	c   *websocket.Conn
	wmu sync.Mutex
}

func (c *fakeConn) write(v any) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	return c.c.WriteJSON(v)
}

// newFake starts a fake Slack; it stops when the test ends.
func newFake(t *testing.T) *fakeSlack {
	t.Helper()
	f := &fakeSlack{
		t: t, botToken: "xoxb-good", appToken: "xapp-good", botUser: "UBOT",
		changed: make(chan struct{}), nextTS: 100, limited: map[string]int{},
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /api/auth.test", f.api(func(r *http.Request, form url.Values) map[string]any {
		if form.Get("token") != f.botToken {
			return map[string]any{"ok": false, "error": "invalid_auth"}
		}
		return map[string]any{"ok": true, "user_id": f.botUser, "user": "byline", "team": "Newsroom", "team_id": "T1", "bot_id": "BBOT"}
	}))
	mux.HandleFunc("POST /api/apps.connections.open", f.api(func(r *http.Request, _ url.Values) map[string]any {
		if r.Header.Get("Authorization") != "Bearer "+f.appToken {
			return map[string]any{"ok": false, "error": "invalid_auth"}
		}
		f.mu.Lock()
		f.opens++
		f.mu.Unlock()
		return map[string]any{"ok": true, "url": "ws://" + r.Host + "/socket"}
	}))
	post := f.api(func(r *http.Request, form url.Values) map[string]any {
		if form.Get("token") != f.botToken {
			return map[string]any{"ok": false, "error": "invalid_auth"}
		}
		if strings.HasPrefix(form.Get("channel"), "CX") {
			return map[string]any{"ok": false, "error": "not_in_channel"}
		}
		ts := form.Get("ts")
		if ts == "" {
			f.mu.Lock()
			f.nextTS++
			ts = fmt.Sprintf("1700000%03d.000200", f.nextTS)
			f.mu.Unlock()
		}
		return map[string]any{"ok": true, "channel": form.Get("channel"), "ts": ts, "text": form.Get("text")}
	})
	mux.HandleFunc("POST /api/chat.postMessage", post)
	mux.HandleFunc("POST /api/chat.update", post)
	mux.HandleFunc("POST /response/{id}", f.serveResponse)
	mux.HandleFunc("GET /socket", f.serveSocket)
	f.srv = httptest.NewServer(mux)
	t.Cleanup(f.close)
	return f
}

// apiURL is the Web API root to give the bot.
func (f *fakeSlack) apiURL() string { return f.srv.URL + "/api/" }

// responseURL is a response_url the fake accepts.
func (f *fakeSlack) responseURL(id string) string { return f.srv.URL + "/response/" + id }

func (f *fakeSlack) close() {
	f.closeOnce.Do(func() {
		f.mu.Lock()
		conns := f.conns
		f.mu.Unlock()
		for _, c := range conns {
			c.c.Close()
		}
		f.readers.Wait()
		f.srv.Close()
	})
}

// rateLimit makes the next n calls of a method get a 429.
func (f *fakeSlack) rateLimit(method string, n int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.limited[method] = n
}

// notify wakes waiters; called with f.mu held.
func (f *fakeSlack) notify() {
	close(f.changed)
	f.changed = make(chan struct{})
}

// api wraps a Web API method: it parses the form, applies any 429 to
// give, and records the call.
func (f *fakeSlack) api(h func(r *http.Request, form url.Values) map[string]any) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if err := r.ParseForm(); err != nil {
			http.Error(w, err.Error(), 400)
			return
		}
		method := strings.TrimPrefix(r.URL.Path, "/api/")
		req := fakeRequest{Method: method, Form: r.PostForm, Status: 200}
		f.mu.Lock()
		limited := f.limited[method] > 0
		if limited {
			f.limited[method]--
		}
		f.mu.Unlock()
		var resp map[string]any
		if limited {
			req.Status = 429
			w.Header().Set("Retry-After", "0")
		} else {
			resp = h(r, r.PostForm)
			req.TS, _ = resp["ts"].(string)
		}
		f.mu.Lock()
		f.reqs = append(f.reqs, req)
		f.notify()
		f.mu.Unlock()
		if limited {
			w.WriteHeader(429)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(resp)
	}
}

// serveResponse records a message sent to a response_url.
func (f *fakeSlack) serveResponse(w http.ResponseWriter, r *http.Request) {
	raw, _ := io.ReadAll(r.Body)
	var body map[string]any
	if err := json.Unmarshal(raw, &body); err != nil {
		http.Error(w, "bad json", 400)
		return
	}
	body["_id"] = r.PathValue("id")
	f.mu.Lock()
	f.reqs = append(f.reqs, fakeRequest{Method: "response_url", JSON: body, Status: 200})
	f.notify()
	f.mu.Unlock()
	w.Header().Set("Content-Type", "text/plain")
	io.WriteString(w, "ok")
}

// serveSocket speaks Socket Mode on one connection: hello, then whatever
// the test sends; it records the acknowledgements.
func (f *fakeSlack) serveSocket(w http.ResponseWriter, r *http.Request) {
	// Like Slack, accept the Origin the client sends (https://api.slack.com).
	up := websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }}
	c, err := up.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	conn := &fakeConn{c: c}
	f.mu.Lock()
	f.readers.Add(1)
	f.mu.Unlock()
	defer f.readers.Done()
	defer c.Close()
	if conn.write(map[string]any{"type": "hello", "num_connections": 1, "connection_info": map[string]any{"app_id": "A1"}}) != nil {
		return
	}
	f.mu.Lock()
	f.conns = append(f.conns, conn)
	f.conn = conn
	f.notify()
	f.mu.Unlock()
	for {
		var a fakeAck
		if err := c.ReadJSON(&a); err != nil {
			f.mu.Lock()
			if f.conn == conn {
				f.conn = nil
			}
			f.notify()
			f.mu.Unlock()
			return
		}
		f.mu.Lock()
		f.acks = append(f.acks, a)
		f.notify()
		f.mu.Unlock()
	}
}

// send delivers a Socket Mode envelope on the current connection.
func (f *fakeSlack) send(envelope map[string]any) {
	f.t.Helper()
	f.mu.Lock()
	c := f.conn
	f.mu.Unlock()
	if c == nil {
		f.t.Fatal("fake: no Socket Mode connection to send on")
	}
	if err := c.write(envelope); err != nil {
		f.t.Fatalf("fake: sending an envelope: %v", err)
	}
}

// drop cuts the Socket Mode connection without a close frame, as a
// network failure would.
func (f *fakeSlack) drop() {
	f.mu.Lock()
	c := f.conn
	f.conn = nil
	f.mu.Unlock()
	if c != nil {
		c.c.UnderlyingConn().Close()
	}
}

// wait blocks until cond, called with f.mu held, is true.
func (f *fakeSlack) wait(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.NewTimer(waitFor)
	defer deadline.Stop()
	for {
		f.mu.Lock()
		ok := cond()
		ch := f.changed
		f.mu.Unlock()
		if ok {
			return
		}
		select {
		case <-ch:
		case <-deadline.C:
			t.Fatalf("timed out after %s waiting for %s; requests:\n%s", waitFor, what, f.dump())
		}
	}
}

// waitConnected waits for the nth Socket Mode connection.
func (f *fakeSlack) waitConnected(t *testing.T, n int) {
	t.Helper()
	f.wait(t, fmt.Sprintf("Socket Mode connection %d", n), func() bool { return len(f.conns) >= n && f.conn != nil })
}

// waitAck waits for the acknowledgement of an envelope.
func (f *fakeSlack) waitAck(t *testing.T, envelopeID string) fakeAck {
	t.Helper()
	var got fakeAck
	f.wait(t, "the ack of "+envelopeID, func() bool {
		for _, a := range f.acks {
			if a.EnvelopeID == envelopeID {
				got = a
				return true
			}
		}
		return false
	})
	return got
}

// waitCalls waits until n successful calls match method and keep, and
// returns them.
func (f *fakeSlack) waitCalls(t *testing.T, n int, method string, keep func(fakeRequest) bool) []fakeRequest {
	t.Helper()
	var got []fakeRequest
	f.wait(t, fmt.Sprintf("%d %s", n, method), func() bool {
		got = f.matching(method, keep)
		return len(got) >= n
	})
	return got
}

// calls returns the successful calls so far matching method and keep.
func (f *fakeSlack) calls(method string, keep func(fakeRequest) bool) []fakeRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.matching(method, keep)
}

func (f *fakeSlack) matching(method string, keep func(fakeRequest) bool) []fakeRequest {
	var out []fakeRequest
	for _, r := range f.reqs {
		if r.Status == 200 && (method == "" || r.Method == method) && (keep == nil || keep(r)) {
			out = append(out, r)
		}
	}
	return out
}

// inChannel keeps calls posting to a channel.
func inChannel(channel string) func(fakeRequest) bool {
	return func(r fakeRequest) bool { return r.Form.Get("channel") == channel }
}

// inThread keeps calls posting to a thread.
func inThread(channel, ts string) func(fakeRequest) bool {
	return func(r fakeRequest) bool { return r.Form.Get("channel") == channel && r.Form.Get("thread_ts") == ts }
}

// dump lists the requests, for failure messages.
func (f *fakeSlack) dump() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var b strings.Builder
	for _, r := range f.reqs {
		if r.JSON != nil {
			fmt.Fprintf(&b, "  %d %s %v\n", r.Status, r.Method, r.JSON["text"])
			continue
		}
		fmt.Fprintf(&b, "  %d %s channel=%s thread_ts=%s text=%q\n", r.Status, r.Method, r.Form.Get("channel"), r.Form.Get("thread_ts"), r.Form.Get("text"))
	}
	return b.String()
}

// envelope wraps an Events API inner event for Socket Mode.
func envelope(envID, eventID string, inner map[string]any) map[string]any {
	return map[string]any{
		"envelope_id": envID, "type": "events_api", "accepts_response_payload": false,
		"payload": callback(eventID, inner),
	}
}

// callback is an Events API event_callback.
func callback(eventID string, inner map[string]any) map[string]any {
	return map[string]any{
		"type": "event_callback", "token": "legacy", "team_id": "T1", "api_app_id": "A1",
		"event_id": eventID, "event_time": 1700000000, "event": inner,
	}
}

// mention is an app_mention of the bot by user U1.
func mention(channel, ts, threadTS, text string) map[string]any {
	e := map[string]any{"type": "app_mention", "user": "U1", "text": "<@UBOT> " + text, "ts": ts, "channel": channel, "event_ts": ts}
	if threadTS != "" {
		e["thread_ts"] = threadTS
	}
	return e
}

// message is a message event by user U1.
func message(channel, channelType, ts, threadTS, text string) map[string]any {
	e := map[string]any{"type": "message", "user": "U1", "text": text, "ts": ts, "channel": channel, "channel_type": channelType, "event_ts": ts}
	if threadTS != "" {
		e["thread_ts"] = threadTS
	}
	return e
}
