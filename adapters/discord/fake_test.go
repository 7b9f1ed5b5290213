package discord

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// waitFor is how long a test waits for something that should happen at
// once; it guards against hangs and measures nothing.
const waitFor = 10 * time.Second

// fakeDiscord is a local Discord: the REST routes the bot uses and a
// websocket gateway that speaks HELLO, IDENTIFY, READY, RESUME, heartbeats
// and dispatches. It records every REST request and gateway packet.
type fakeDiscord struct {
	t      *testing.T
	srv    *httptest.Server
	token  string // the accepted bot token, without "Bot "
	botID  string
	appID  string
	beatMS int
	// rejectIdentify closes the gateway with 4004 on IDENTIFY though the
	// REST API accepts the token.
	rejectIdentify bool
	// silentIdentify ignores IDENTIFY: no READY ever comes.
	silentIdentify bool
	// replayOnResume re-sends the last dispatch on RESUME, as Discord may
	// when it is unsure the client got it.
	replayOnResume bool

	mu        sync.Mutex
	changed   chan struct{} // closed and replaced on every change
	reqs      []fakeRequest
	nextID    int
	channels  map[string]map[string]any
	limited   map[string]int // "METHOD path" → 429s still to give
	conn      *fakeConn
	conns     []*fakeConn
	seq       int
	events    []json.RawMessage // dispatched payloads, by seq-1
	identify  []map[string]any
	resumes   []map[string]any
	beats     int
	ended     int // gateway connections that have ended
	readers   sync.WaitGroup
	closeOnce sync.Once
}

// fakeRequest is one REST request the fake served.
type fakeRequest struct {
	Method, Path string
	Auth         string
	Body         map[string]any
	Status       int
}

// fakeConn is one gateway connection.
type fakeConn struct {
	c   *websocket.Conn
	wmu sync.Mutex
}

func (c *fakeConn) write(v any) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	return c.c.WriteJSON(v)
}

// newFake starts a fake Discord; it stops when the test ends.
func newFake(t *testing.T) *fakeDiscord {
	t.Helper()
	f := &fakeDiscord{
		t: t, token: "good-token", botID: "900", appID: "800", beatMS: 250,
		changed:  make(chan struct{}),
		nextID:   5000,
		channels: map[string]map[string]any{},
		limited:  map[string]int{},
	}
	mux := http.NewServeMux()
	api := "/api/v10/"
	mux.HandleFunc("GET /gateway/", f.serveGateway)
	mux.HandleFunc("GET "+api+"gateway", f.rest(func(r *http.Request, _ map[string]any) (int, any) {
		return 200, map[string]any{"url": "ws://" + r.Host + "/gateway"}
	}))
	mux.HandleFunc("GET "+api+"gateway/bot", f.rest(func(r *http.Request, _ map[string]any) (int, any) {
		return 200, map[string]any{"url": "ws://" + r.Host + "/gateway", "shards": 1}
	}))
	mux.HandleFunc("GET "+api+"users/@me", f.rest(func(*http.Request, map[string]any) (int, any) {
		return 200, map[string]any{"id": f.botID, "username": "byline", "bot": true}
	}))
	commands := f.rest(func(_ *http.Request, _ map[string]any) (int, any) { return 200, []any{} })
	mux.HandleFunc("PUT "+api+"applications/{app}/commands", commands)
	mux.HandleFunc("PUT "+api+"applications/{app}/guilds/{guild}/commands", commands)
	mux.HandleFunc("GET "+api+"channels/{id}", f.rest(func(r *http.Request, _ map[string]any) (int, any) {
		f.mu.Lock()
		defer f.mu.Unlock()
		if c, ok := f.channels[r.PathValue("id")]; ok {
			return 200, c
		}
		return 404, map[string]any{"message": "Unknown Channel", "code": 10003}
	}))
	mux.HandleFunc("POST "+api+"channels/{id}/messages", f.rest(func(r *http.Request, body map[string]any) (int, any) {
		return 200, f.message(r.PathValue("id"), body)
	}))
	mux.HandleFunc("PATCH "+api+"channels/{id}/messages/{mid}", f.rest(func(r *http.Request, body map[string]any) (int, any) {
		m := map[string]any{"id": r.PathValue("mid"), "channel_id": r.PathValue("id"), "content": body["content"], "author": map[string]any{"id": f.botID, "bot": true}}
		return 200, m
	}))
	mux.HandleFunc("POST "+api+"channels/{id}/messages/{mid}/threads", f.rest(func(r *http.Request, body map[string]any) (int, any) {
		// As on Discord, the thread has its starter message's id.
		c := map[string]any{"id": r.PathValue("mid"), "type": 11, "parent_id": r.PathValue("id"), "guild_id": "g1", "name": body["name"]}
		f.mu.Lock()
		f.channels[r.PathValue("mid")] = c
		f.mu.Unlock()
		return 201, c
	}))
	mux.HandleFunc("POST "+api+"channels/{id}/typing", f.rest(func(*http.Request, map[string]any) (int, any) { return 204, nil }))
	mux.HandleFunc("POST "+api+"interactions/{id}/{token}/callback", f.rest(func(*http.Request, map[string]any) (int, any) { return 204, nil }))
	mux.HandleFunc("PATCH "+api+"webhooks/{app}/{token}/messages/{mid}", f.rest(func(r *http.Request, body map[string]any) (int, any) {
		return 200, map[string]any{"id": "orig-" + r.PathValue("token"), "channel_id": "c", "content": body["content"]}
	}))
	mux.HandleFunc("POST "+api+"webhooks/{app}/{token}", f.rest(func(r *http.Request, body map[string]any) (int, any) {
		return 200, f.message("webhook", body)
	}))
	f.srv = httptest.NewServer(mux)
	t.Cleanup(f.close)
	return f
}

// apiURL is the REST root to give the bot.
func (f *fakeDiscord) apiURL() string { return f.srv.URL + "/api/v10/" }

// close stops the server and every gateway connection.
func (f *fakeDiscord) close() {
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

// addChannel makes a channel known to GET /channels/{id}.
func (f *fakeDiscord) addChannel(id, guild, parent string, typ int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	c := map[string]any{"id": id, "type": typ, "guild_id": guild}
	if parent != "" {
		c["parent_id"] = parent
	}
	f.channels[id] = c
}

// rateLimit makes the next n requests to "METHOD path" get a 429.
func (f *fakeDiscord) rateLimit(key string, n int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.limited[key] = n
}

// message stores a posted message and returns it.
func (f *fakeDiscord) message(channel string, body map[string]any) map[string]any {
	f.mu.Lock()
	f.nextID++
	id := strconv.Itoa(f.nextID)
	f.mu.Unlock()
	return map[string]any{"id": id, "channel_id": channel, "content": body["content"], "author": map[string]any{"id": f.botID, "bot": true}}
}

// notify wakes waiters; called with f.mu held.
func (f *fakeDiscord) notify() {
	close(f.changed)
	f.changed = make(chan struct{})
}

// rest wraps a route: it checks the token where Discord would, applies
// any 429 to give, and records the request.
func (f *fakeDiscord) rest(h func(r *http.Request, body map[string]any) (int, any)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		raw, _ := io.ReadAll(r.Body)
		var body map[string]any
		if len(raw) > 0 {
			if err := json.Unmarshal(raw, &body); err != nil {
				body = map[string]any{"_raw": string(raw)}
			}
		}
		req := fakeRequest{Method: r.Method, Path: r.URL.Path, Auth: r.Header.Get("Authorization"), Body: body}
		status, resp := 0, any(nil)
		key := r.Method + " " + r.URL.Path
		authFree := strings.Contains(r.URL.Path, "/webhooks/") || strings.Contains(r.URL.Path, "/interactions/")
		f.mu.Lock()
		limited := f.limited[key] > 0
		if limited {
			f.limited[key]--
		}
		f.mu.Unlock()
		switch {
		case !authFree && req.Auth != "Bot "+f.token:
			status, resp = 401, map[string]any{"message": "401: Unauthorized", "code": 0}
		case limited:
			w.Header().Set("Retry-After", "1")
			w.Header().Set("X-RateLimit-Remaining", "0")
			w.Header().Set("X-RateLimit-Reset-After", "0.05")
			status, resp = 429, map[string]any{"message": "You are being rate limited.", "retry_after": 0.05, "global": false}
		default:
			status, resp = h(r, body)
		}
		req.Status = status
		f.mu.Lock()
		f.reqs = append(f.reqs, req)
		f.notify()
		f.mu.Unlock()
		if resp == nil {
			w.WriteHeader(status)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		json.NewEncoder(w).Encode(resp)
	}
}

// serveGateway speaks the gateway protocol on one connection.
func (f *fakeDiscord) serveGateway(w http.ResponseWriter, r *http.Request) {
	up := websocket.Upgrader{}
	c, err := up.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	conn := &fakeConn{c: c}
	f.mu.Lock()
	f.conns = append(f.conns, conn)
	f.readers.Add(1)
	f.mu.Unlock()
	defer f.readers.Done()
	defer func() {
		c.Close()
		f.mu.Lock()
		f.ended++
		f.notify()
		f.mu.Unlock()
	}()
	if conn.write(map[string]any{"op": 10, "d": map[string]any{"heartbeat_interval": f.beatMS}}) != nil {
		return
	}
	for {
		var p struct {
			Op int             `json:"op"`
			D  json.RawMessage `json:"d"`
		}
		if err := c.ReadJSON(&p); err != nil {
			return
		}
		var d map[string]any
		json.Unmarshal(p.D, &d)
		switch p.Op {
		case 1:
			f.mu.Lock()
			f.beats++
			f.notify()
			f.mu.Unlock()
			conn.write(map[string]any{"op": 11})
		case 2:
			f.mu.Lock()
			f.identify = append(f.identify, d)
			f.notify()
			if f.silentIdentify {
				f.mu.Unlock()
				continue
			}
			if f.rejectIdentify || d["token"] != "Bot "+f.token {
				f.mu.Unlock()
				conn.wmu.Lock()
				c.WriteMessage(websocket.CloseMessage, websocket.FormatCloseMessage(4004, "Authentication failed."))
				conn.wmu.Unlock()
				return
			}
			ready := map[string]any{
				"v": 10, "session_id": "session-1", "resume_gateway_url": "ws://" + r.Host + "/gateway",
				"user":        map[string]any{"id": f.botID, "username": "byline", "bot": true},
				"application": map[string]any{"id": f.appID, "flags": 0},
				"guilds":      []any{}, "private_channels": []any{},
			}
			f.dispatchLocked(conn, "READY", ready)
			f.conn = conn
			f.mu.Unlock()
		case 6:
			f.mu.Lock()
			f.resumes = append(f.resumes, d)
			f.notify()
			from := 0
			if s, ok := d["seq"].(float64); ok {
				from = int(s)
			}
			if f.replayOnResume && from > 0 {
				from-- // the last event again
			}
			for i := from; i < len(f.events); i++ {
				conn.write(map[string]any{"op": 0, "s": i + 1, "t": eventType(f.events[i]), "d": f.events[i]})
			}
			f.seq++
			conn.write(map[string]any{"op": 0, "s": f.seq, "t": "RESUMED", "d": map[string]any{}})
			f.events = append(f.events, json.RawMessage(`{"_t":"RESUMED"}`))
			f.conn = conn
			f.mu.Unlock()
		}
	}
}

// eventType reads back the type stored with a dispatched payload.
func eventType(raw json.RawMessage) string {
	var v struct {
		T string `json:"_t"`
	}
	json.Unmarshal(raw, &v)
	return v.T
}

// dispatch sends an event to the bot, with the next sequence number. With
// no connection (dropped), the event waits for a RESUME.
func (f *fakeDiscord) dispatch(t string, d map[string]any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.dispatchLocked(f.conn, t, d)
}

func (f *fakeDiscord) dispatchLocked(conn *fakeConn, t string, d map[string]any) {
	d["_t"] = t // kept for replays; discordgo ignores unknown fields
	raw, err := json.Marshal(d)
	if err != nil {
		f.t.Errorf("fake: marshal %s: %v", t, err)
		return
	}
	f.seq++
	f.events = append(f.events, raw)
	if conn != nil {
		conn.write(map[string]any{"op": 0, "s": f.seq, "t": t, "d": json.RawMessage(raw)})
	}
}

// drop cuts the gateway connection without a close frame, as a network
// failure would.
func (f *fakeDiscord) drop() {
	f.mu.Lock()
	c := f.conn
	f.conn = nil
	f.mu.Unlock()
	if c != nil {
		c.c.UnderlyingConn().Close()
	}
}

// wait blocks until cond, called with f.mu held, is true.
func (f *fakeDiscord) wait(t *testing.T, what string, cond func() bool) {
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

// waitRequest waits for a request matching method and path and returns
// the first one.
func (f *fakeDiscord) waitRequest(t *testing.T, method, path string) fakeRequest {
	t.Helper()
	var got fakeRequest
	f.wait(t, method+" "+path, func() bool {
		for _, r := range f.reqs {
			if r.Method == method && r.Path == path && r.Status < 300 {
				got = r
				return true
			}
		}
		return false
	})
	return got
}

// requests returns the requests so far matching method and path ("" for
// any).
func (f *fakeDiscord) requests(method, path string) []fakeRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []fakeRequest
	for _, r := range f.reqs {
		if (method == "" || r.Method == method) && (path == "" || r.Path == path) {
			out = append(out, r)
		}
	}
	return out
}

// dump lists the requests, for failure messages.
func (f *fakeDiscord) dump() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var b strings.Builder
	for _, r := range f.reqs {
		fmt.Fprintf(&b, "  %d %s %s %v\n", r.Status, r.Method, r.Path, r.Body)
	}
	return b.String()
}
