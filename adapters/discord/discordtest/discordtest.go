// Package discordtest is a fake Discord for tests and load runs: a local
// HTTP server with the REST routes Byline's Discord adapter calls and a
// websocket gateway that speaks HELLO, IDENTIFY, READY, RESUME, heartbeats
// and dispatches, the way discordgo expects them.
//
// A Server records what the bot did: every REST request (or, with
// Options.CountOnly, only a count per route), the messages it posted and
// edited, the channels and threads it started, and the gateway's
// handshakes. Tests read those back and wait for them with Wait; a load
// run instead watches each request as it arrives through
// Options.OnRequest, so that nothing it does grows with the number of
// requests already served.
//
// Nothing here depends on package testing, so the same fake serves unit
// tests and the load program in bench/load.
package discordtest

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"
)

// Channel types, as Discord numbers them.
const (
	GuildText    = 0
	DM           = 1
	PublicThread = 11
)

// Options configures a Server. The zero value is a working fake.
type Options struct {
	// Token is the bot token the fake accepts, without "Bot ". Empty means
	// "test-token".
	Token string
	// BotID is the bot's user id, given by GET /users/@me and READY. Empty
	// means "900".
	BotID string
	// AppID is the application id READY gives. Empty means "800".
	AppID string
	// GuildID is the guild of the threads the bot starts. Empty means "g1".
	GuildID string
	// Heartbeat is the interval HELLO asks for. Zero means 41.25 seconds,
	// Discord's own; tests that watch heartbeats ask for less.
	Heartbeat time.Duration
	// RejectIdentify closes the gateway with 4004 on IDENTIFY, though the
	// REST API accepts the token.
	RejectIdentify bool
	// SilentIdentify ignores IDENTIFY: no READY ever comes.
	SilentIdentify bool
	// ReplayOnResume re-sends the last dispatch on RESUME, as Discord may
	// when it is unsure the client got it.
	ReplayOnResume bool
	// CountOnly keeps a count of requests per route instead of every
	// request, for load runs: Requests then returns nothing. Messages and
	// channels are kept either way.
	CountOnly bool
	// OnRequest, when set, is called with each REST request once it is
	// handled, on the request's goroutine, before the response is written.
	// It must be quick and must not call back into the Server's waiting
	// methods.
	OnRequest func(Request)
}

// Request is one REST request the fake served.
type Request struct {
	// Method and Path are the request's, such as "POST" and
	// "/api/v10/channels/c1/messages".
	Method, Path string
	// Route is the route it matched, such as
	// "POST /api/v10/channels/{id}/messages".
	Route string
	// Auth is the Authorization header.
	Auth string
	// Body is the JSON body when it is an object; any other body is the
	// string under the key "_raw".
	Body map[string]any
	// Status is the HTTP status the fake answered with.
	Status int
	// ID is the id of the message or thread the request created or
	// edited, when it did.
	ID string
	// At is when the fake received the request.
	At time.Time
}

// Content returns the request body's "content", or "".
func (r Request) Content() string {
	s, _ := r.Body["content"].(string)
	return s
}

// Message is a message the bot posted, as it reads now.
type Message struct {
	ID        string
	ChannelID string
	// Content is the latest content, after any edits.
	Content string
	// ReplyTo is the id of the message it replies to, if any.
	ReplyTo string
	// Edits is how many times it was edited.
	Edits int
	// Components are its components (buttons, menus) as sent, JSON; ""
	// for none.
	Components string
}

// Channel is a channel or thread the fake knows.
type Channel struct {
	ID       string
	GuildID  string // "" for a DM
	ParentID string // a thread's channel
	Type     int
	Name     string
}

func (c Channel) json() map[string]any {
	m := map[string]any{"id": c.ID, "type": c.Type}
	if c.GuildID != "" {
		m["guild_id"] = c.GuildID
	}
	if c.ParentID != "" {
		m["parent_id"] = c.ParentID
	}
	if c.Name != "" {
		m["name"] = c.Name
	}
	return m
}

// Gateway is what happened on the gateway so far.
type Gateway struct {
	// Connections is how many gateway connections were opened, and Ended
	// how many of them have ended.
	Connections, Ended int
	// Heartbeats counts heartbeats received.
	Heartbeats int
	// Identifies and Resumes are the IDENTIFY and RESUME payloads
	// received, in order.
	Identifies, Resumes []map[string]any
	// Dispatched counts the events sent, READY and RESUMED included.
	Dispatched int
}

// Server is a fake Discord. Its methods are safe for concurrent use.
type Server struct {
	opts Options
	srv  *httptest.Server
	id   atomic.Int64 // the last message id given

	// waiters
	cmu     sync.Mutex
	changed chan struct{} // closed and replaced on every change

	// REST state
	mu        sync.Mutex
	reqs      []Request
	byKey     map[string][]int // "METHOD path" → indexes into reqs
	counts    map[string]int   // route → requests
	channels  map[string]Channel
	messages  map[string]*Message
	inChannel map[string][]*Message
	limited   map[string]int     // "METHOD path" → 429s still to give
	after     map[string]float64 // "METHOD path" → the 429s' retry_after, in seconds

	// gateway state
	gmu       sync.Mutex
	conn      *conn // the connection dispatches go to; nil when dropped
	conns     []*conn
	seq       int
	events    []event // dispatched, by seq-1
	gw        Gateway
	readers   sync.WaitGroup
	closeOnce sync.Once
}

// event is one dispatched event, kept for replays on RESUME.
type event struct {
	t string
	d json.RawMessage
}

// conn is one gateway connection.
type conn struct {
	c   *websocket.Conn
	wmu sync.Mutex
}

func (c *conn) write(v any) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	return c.c.WriteJSON(v)
}

// New starts a fake Discord. Close stops it.
func New(opts Options) *Server {
	if opts.Token == "" {
		opts.Token = "test-token"
	}
	if opts.BotID == "" {
		opts.BotID = "900"
	}
	if opts.AppID == "" {
		opts.AppID = "800"
	}
	if opts.GuildID == "" {
		opts.GuildID = "g1"
	}
	if opts.Heartbeat == 0 {
		opts.Heartbeat = 41250 * time.Millisecond
	}
	s := &Server{
		opts:      opts,
		changed:   make(chan struct{}),
		byKey:     map[string][]int{},
		counts:    map[string]int{},
		channels:  map[string]Channel{},
		messages:  map[string]*Message{},
		inChannel: map[string][]*Message{},
		limited:   map[string]int{},
		after:     map[string]float64{},
	}
	s.id.Store(5000)
	s.srv = httptest.NewServer(s.routes())
	return s
}

// routes returns the fake's handler.
func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	const api = "/api/v10/"
	handle := func(route string, h func(r *http.Request, body map[string]any) (int, any, string)) {
		mux.HandleFunc(route, s.rest(h))
	}
	mux.HandleFunc("GET /gateway/", s.serveGateway)
	gateway := func(r *http.Request, _ map[string]any) (int, any, string) {
		return 200, map[string]any{"url": "ws://" + r.Host + "/gateway", "shards": 1}, ""
	}
	handle("GET "+api+"gateway", gateway)
	handle("GET "+api+"gateway/bot", gateway)
	handle("GET "+api+"users/@me", func(*http.Request, map[string]any) (int, any, string) {
		return 200, s.botUser(), ""
	})
	commands := func(*http.Request, map[string]any) (int, any, string) { return 200, []any{}, "" }
	handle("PUT "+api+"applications/{app}/commands", commands)
	handle("PUT "+api+"applications/{app}/guilds/{guild}/commands", commands)
	handle("GET "+api+"channels/{id}", func(r *http.Request, _ map[string]any) (int, any, string) {
		if c, ok := s.Channel(r.PathValue("id")); ok {
			return 200, c.json(), ""
		}
		return 404, apiError("Unknown Channel", 10003), ""
	})
	handle("POST "+api+"channels/{id}/messages", func(r *http.Request, body map[string]any) (int, any, string) {
		m := s.post(r.PathValue("id"), body)
		return 200, s.messageJSON(m), m.ID
	})
	handle("PATCH "+api+"channels/{id}/messages/{mid}", func(r *http.Request, body map[string]any) (int, any, string) {
		m, ok := s.edit(r.PathValue("id"), r.PathValue("mid"), body)
		if !ok {
			return 404, apiError("Unknown Message", 10008), ""
		}
		return 200, s.messageJSON(m), m.ID
	})
	handle("GET "+api+"channels/{id}/messages/{mid}", func(r *http.Request, _ map[string]any) (int, any, string) {
		m, ok := s.message(r.PathValue("id"), r.PathValue("mid"))
		if !ok {
			return 404, apiError("Unknown Message", 10008), ""
		}
		return 200, s.messageJSON(m), m.ID
	})
	handle("POST "+api+"channels/{id}/messages/{mid}/threads", func(r *http.Request, body map[string]any) (int, any, string) {
		// As on Discord, the thread has its starter message's id.
		name, _ := body["name"].(string)
		c := Channel{ID: r.PathValue("mid"), Type: PublicThread, ParentID: r.PathValue("id"), GuildID: s.opts.GuildID, Name: name}
		s.AddChannel(c)
		return 201, c.json(), c.ID
	})
	handle("POST "+api+"channels/{id}/typing", func(*http.Request, map[string]any) (int, any, string) { return 204, nil, "" })
	handle("POST "+api+"interactions/{id}/{token}/callback", func(*http.Request, map[string]any) (int, any, string) { return 204, nil, "" })
	handle("PATCH "+api+"webhooks/{app}/{token}/messages/{mid}", func(r *http.Request, body map[string]any) (int, any, string) {
		id := "orig-" + r.PathValue("token")
		return 200, map[string]any{"id": id, "channel_id": "c", "content": body["content"]}, id
	})
	handle("POST "+api+"webhooks/{app}/{token}", func(r *http.Request, body map[string]any) (int, any, string) {
		m := s.post("webhook", body)
		return 200, s.messageJSON(m), m.ID
	})
	return mux
}

func apiError(msg string, code int) map[string]any {
	return map[string]any{"message": msg, "code": code}
}

func (s *Server) botUser() map[string]any {
	return map[string]any{"id": s.opts.BotID, "username": "byline", "bot": true}
}

// URL is the server's root, such as "http://127.0.0.1:41234".
func (s *Server) URL() string { return s.srv.URL }

// APIURL is the REST root to give the bot (discord.Options.APIURL).
func (s *Server) APIURL() string { return s.srv.URL + "/api/v10/" }

// Token is the bot token the fake accepts.
func (s *Server) Token() string { return s.opts.Token }

// BotID is the bot's user id.
func (s *Server) BotID() string { return s.opts.BotID }

// AppID is the application id.
func (s *Server) AppID() string { return s.opts.AppID }

// Close stops the server and every gateway connection.
func (s *Server) Close() {
	s.closeOnce.Do(func() {
		s.gmu.Lock()
		conns := s.conns
		s.gmu.Unlock()
		for _, c := range conns {
			c.c.Close()
		}
		s.readers.Wait()
		s.srv.Close()
	})
}

// AddChannel makes a channel known to GET /channels/{id}.
func (s *Server) AddChannel(c Channel) {
	s.mu.Lock()
	s.channels[c.ID] = c
	s.mu.Unlock()
	s.notify()
}

// Channel returns a channel or thread the fake knows.
func (s *Server) Channel(id string) (Channel, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.channels[id]
	return c, ok
}

// RateLimit makes the next n requests with this method and path (such as
// "POST", "/api/v10/channels/c1/messages") get a 429.
func (s *Server) RateLimit(method, path string, n int) {
	s.RateLimitFor(method, path, n, 50*time.Millisecond)
}

// RateLimitFor is RateLimit with the retry_after the 429s ask for. The
// bucket headers still say the bucket resets in 50 ms, so only code that
// honours retry_after waits longer.
func (s *Server) RateLimitFor(method, path string, n int, retryAfter time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.limited[method+" "+path] = n
	s.after[method+" "+path] = retryAfter.Seconds()
}

// post stores a posted message.
func (s *Server) post(channel string, body map[string]any) *Message {
	m := &Message{ID: strconv.FormatInt(s.id.Add(1), 10), ChannelID: channel}
	m.Content, _ = body["content"].(string)
	m.Components = componentsJSON(body)
	if ref, ok := body["message_reference"].(map[string]any); ok {
		m.ReplyTo, _ = ref["message_id"].(string)
	}
	s.mu.Lock()
	s.messages[m.ID] = m
	s.inChannel[channel] = append(s.inChannel[channel], m)
	cp := *m
	s.mu.Unlock()
	return &cp
}

// message returns a stored message; false for an unknown one or one of
// another channel.
func (s *Server) message(channel, id string) (*Message, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m, ok := s.messages[id]
	if !ok || m.ChannelID != channel {
		return nil, false
	}
	cp := *m
	return &cp, true
}

// edit changes a stored message; it reports false for an unknown one.
func (s *Server) edit(channel, id string, body map[string]any) (*Message, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m, ok := s.messages[id]
	if !ok || m.ChannelID != channel {
		return nil, false
	}
	if c, ok := body["content"].(string); ok {
		m.Content = c
	}
	if c := componentsJSON(body); c != "" {
		m.Components = c
	}
	m.Edits++
	cp := *m
	return &cp, true
}

func (s *Server) messageJSON(m *Message) map[string]any {
	return map[string]any{"id": m.ID, "channel_id": m.ChannelID, "content": m.Content, "author": s.botUser()}
}

// Messages returns the messages posted in a channel or thread, oldest
// first, as they read now.
func (s *Server) Messages(channelID string) []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	ms := s.inChannel[channelID]
	out := make([]Message, len(ms))
	for i, m := range ms {
		out[i] = *m
	}
	return out
}

// notify wakes the waiters.
func (s *Server) notify() {
	s.cmu.Lock()
	close(s.changed)
	s.changed = make(chan struct{})
	s.cmu.Unlock()
}

// Changed returns a channel that is closed at the next change: a request,
// a channel added, a gateway connection, handshake or heartbeat.
func (s *Server) Changed() <-chan struct{} {
	s.cmu.Lock()
	defer s.cmu.Unlock()
	return s.changed
}

// Wait blocks until cond is true, checking it after every change, or
// until ctx is done. cond may call the Server's methods.
func (s *Server) Wait(ctx context.Context, cond func() bool) error {
	for {
		ch := s.Changed()
		if cond() {
			return nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// rest wraps a route: it checks the token where Discord would, applies
// any 429 to give, and records the request. h returns the status, the
// JSON response (nil for none) and the id of what it made or changed.
func (s *Server) rest(h func(r *http.Request, body map[string]any) (int, any, string)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		at := time.Now()
		raw, _ := io.ReadAll(r.Body)
		var body map[string]any
		if len(raw) > 0 {
			if err := json.Unmarshal(raw, &body); err != nil {
				body = map[string]any{"_raw": string(raw)}
			}
		}
		req := Request{Method: r.Method, Path: r.URL.Path, Route: r.Pattern, Auth: r.Header.Get("Authorization"), Body: body, At: at}
		key := r.Method + " " + r.URL.Path
		authFree := strings.Contains(r.URL.Path, "/webhooks/") || strings.Contains(r.URL.Path, "/interactions/")
		s.mu.Lock()
		limited := s.limited[key] > 0
		retryAfter := s.after[key]
		if limited {
			s.limited[key]--
		}
		s.mu.Unlock()
		var resp any
		switch {
		case !authFree && req.Auth != "Bot "+s.opts.Token:
			req.Status, resp = 401, apiError("401: Unauthorized", 0)
		case limited:
			w.Header().Set("Retry-After", "1")
			w.Header().Set("X-RateLimit-Remaining", "0")
			w.Header().Set("X-RateLimit-Reset-After", "0.05")
			req.Status, resp = 429, map[string]any{"message": "You are being rate limited.", "retry_after": retryAfter, "global": false}
		default:
			req.Status, resp, req.ID = h(r, body)
		}
		s.mu.Lock()
		s.counts[req.Route]++
		if !s.opts.CountOnly {
			s.byKey[key] = append(s.byKey[key], len(s.reqs))
			s.reqs = append(s.reqs, req)
		}
		s.mu.Unlock()
		if s.opts.OnRequest != nil {
			s.opts.OnRequest(req)
		}
		s.notify()
		if resp == nil {
			w.WriteHeader(req.Status)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(req.Status)
		json.NewEncoder(w).Encode(resp)
	}
}

// Requests returns the requests so far with this method and path, oldest
// first; "" matches any. With both given it costs only the matches.
func (s *Server) Requests(method, path string) []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	if method != "" && path != "" {
		idx := s.byKey[method+" "+path]
		out := make([]Request, len(idx))
		for i, n := range idx {
			out[i] = s.reqs[n]
		}
		return out
	}
	var out []Request
	for _, r := range s.reqs {
		if (method == "" || r.Method == method) && (path == "" || r.Path == path) {
			out = append(out, r)
		}
	}
	return out
}

// Counts returns how many requests each route got, such as
// "POST /api/v10/channels/{id}/messages": 12. It is kept in every mode.
func (s *Server) Counts() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]int, len(s.counts))
	for k, v := range s.counts {
		out[k] = v
	}
	return out
}

// Dump lists the requests, one a line, for failure messages.
func (s *Server) Dump() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var b strings.Builder
	for _, r := range s.reqs {
		fmt.Fprintf(&b, "  %d %s %s %v\n", r.Status, r.Method, r.Path, r.Body)
	}
	return b.String()
}

// Gateway returns what happened on the gateway so far.
func (s *Server) Gateway() Gateway {
	s.gmu.Lock()
	defer s.gmu.Unlock()
	g := s.gw
	g.Identifies = append([]map[string]any(nil), g.Identifies...)
	g.Resumes = append([]map[string]any(nil), g.Resumes...)
	return g
}

// serveGateway speaks the gateway protocol on one connection.
func (s *Server) serveGateway(w http.ResponseWriter, r *http.Request) {
	up := websocket.Upgrader{}
	c, err := up.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	cn := &conn{c: c}
	s.gmu.Lock()
	s.conns = append(s.conns, cn)
	s.gw.Connections++
	s.readers.Add(1)
	s.gmu.Unlock()
	s.notify()
	defer s.readers.Done()
	defer func() {
		c.Close()
		s.gmu.Lock()
		s.gw.Ended++
		if s.conn == cn {
			s.conn = nil
		}
		s.gmu.Unlock()
		s.notify()
	}()
	if cn.write(map[string]any{"op": 10, "d": map[string]any{"heartbeat_interval": s.opts.Heartbeat.Milliseconds()}}) != nil {
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
		case 1: // heartbeat
			s.gmu.Lock()
			s.gw.Heartbeats++
			s.gmu.Unlock()
			s.notify()
			cn.write(map[string]any{"op": 11})
		case 2: // identify
			if !s.identify(cn, r.Host, d) {
				return
			}
		case 6: // resume
			s.resume(cn, d)
		}
	}
}

// identify answers an IDENTIFY; it reports false when the connection is
// to end.
func (s *Server) identify(cn *conn, host string, d map[string]any) bool {
	s.gmu.Lock()
	defer s.notify()
	defer s.gmu.Unlock()
	s.gw.Identifies = append(s.gw.Identifies, d)
	if s.opts.SilentIdentify {
		return true
	}
	if s.opts.RejectIdentify || d["token"] != "Bot "+s.opts.Token {
		cn.wmu.Lock()
		cn.c.WriteMessage(websocket.CloseMessage, websocket.FormatCloseMessage(4004, "Authentication failed."))
		cn.wmu.Unlock()
		return false
	}
	ready := map[string]any{
		"v": 10, "session_id": "session-1", "resume_gateway_url": "ws://" + host + "/gateway",
		"user":        s.botUser(),
		"application": map[string]any{"id": s.opts.AppID, "flags": 0},
		"guilds":      []any{}, "private_channels": []any{},
	}
	raw, _ := json.Marshal(ready)
	s.dispatchLocked(cn, "READY", raw)
	s.conn = cn
	return true
}

// resume answers a RESUME: the events after the client's sequence number,
// then RESUMED.
func (s *Server) resume(cn *conn, d map[string]any) {
	s.gmu.Lock()
	defer s.notify()
	defer s.gmu.Unlock()
	s.gw.Resumes = append(s.gw.Resumes, d)
	from := 0
	if n, ok := d["seq"].(float64); ok {
		from = int(n)
	}
	if s.opts.ReplayOnResume && from > 0 {
		from-- // the last event again
	}
	for i := from; i < len(s.events); i++ {
		cn.write(map[string]any{"op": 0, "s": i + 1, "t": s.events[i].t, "d": s.events[i].d})
	}
	s.dispatchLocked(cn, "RESUMED", json.RawMessage(`{}`))
	s.conn = cn
}

// Dispatch sends an event (such as "MESSAGE_CREATE" with its payload) to
// the bot with the next sequence number. With no connection (after Drop),
// the event waits for a RESUME. The error is for a payload that is not
// JSON or a connection that failed as it was written.
func (s *Server) Dispatch(eventType string, payload any) error {
	raw, err := json.Marshal(payload)
	if err != nil {
		return fmt.Errorf("discordtest: %s payload: %w", eventType, err)
	}
	s.gmu.Lock()
	defer s.gmu.Unlock()
	return s.dispatchLocked(s.conn, eventType, raw)
}

func (s *Server) dispatchLocked(cn *conn, t string, raw json.RawMessage) error {
	s.seq++
	s.gw.Dispatched++
	s.events = append(s.events, event{t: t, d: raw})
	if cn == nil {
		return nil
	}
	if err := cn.write(map[string]any{"op": 0, "s": s.seq, "t": t, "d": raw}); err != nil {
		return fmt.Errorf("discordtest: dispatching %s: %w", t, err)
	}
	return nil
}

// Drop cuts the gateway connection without a close frame, as a network
// failure would; the bot is expected to RESUME.
func (s *Server) Drop() {
	s.gmu.Lock()
	c := s.conn
	s.conn = nil
	s.gmu.Unlock()
	if c != nil {
		c.c.UnderlyingConn().Close()
	}
}

// Ready reports whether a gateway session is ready for dispatches: READY
// or RESUMED was sent and the connection has not ended since.
func (s *Server) Ready() bool {
	s.gmu.Lock()
	defer s.gmu.Unlock()
	return s.conn != nil
}

// UserMessage is a message a user sends, for MessageCreate.
type UserMessage struct {
	// ID is the message id; a thread started on it gets the same id.
	ID string
	// ChannelID is the channel or thread it is sent in.
	ChannelID string
	// GuildID is its server; empty means Options.GuildID, and DM sends it
	// without one.
	GuildID string
	DM      bool
	// UserID and Username are the author's; empty means "u1" and "ann".
	UserID, Username string
	// Bot marks the author as a bot.
	Bot bool
	// Text is the content, after the mention when Mention is set.
	Text string
	// Mention starts the content with the bot's mention and lists the bot
	// in the message's mentions.
	Mention bool
}

// MessagePayload is the MESSAGE_CREATE (or MESSAGE_UPDATE) payload of m,
// for tests that change it before Dispatch.
func (s *Server) MessagePayload(m UserMessage) map[string]any {
	if m.UserID == "" {
		m.UserID = "u1"
	}
	if m.Username == "" {
		m.Username = "ann"
	}
	author := map[string]any{"id": m.UserID, "username": m.Username}
	if m.Bot {
		author["bot"] = true
	}
	p := map[string]any{"id": m.ID, "channel_id": m.ChannelID, "type": 0, "author": author, "content": m.Text}
	if !m.DM {
		p["guild_id"] = m.GuildID
		if m.GuildID == "" {
			p["guild_id"] = s.opts.GuildID
		}
	}
	if m.Mention {
		p["content"] = "<@" + s.opts.BotID + "> " + m.Text
		p["mentions"] = []any{s.botUser()}
	}
	return p
}

// MessageCreate dispatches a MESSAGE_CREATE of m.
func (s *Server) MessageCreate(m UserMessage) error {
	return s.Dispatch("MESSAGE_CREATE", s.MessagePayload(m))
}

// SlashCommand is a slash command a user runs, for InteractionCreate.
type SlashCommand struct {
	// ID is the interaction's id; its token is "tok-" + ID.
	ID        string
	ChannelID string
	// GuildID is its server; empty means Options.GuildID.
	GuildID string
	// UserID and Username are the user's; empty means "u1" and "ann".
	UserID, Username string
	// Name is the command, such as "ask".
	Name string
	// Options are its string options by name, such as "question".
	Options map[string]string
	// Permissions is the member's permission integer; empty means "0".
	Permissions string
}

// InteractionPayload is the INTERACTION_CREATE payload of c.
func (s *Server) InteractionPayload(c SlashCommand) map[string]any {
	if c.UserID == "" {
		c.UserID = "u1"
	}
	if c.Username == "" {
		c.Username = "ann"
	}
	if c.GuildID == "" {
		c.GuildID = s.opts.GuildID
	}
	if c.Permissions == "" {
		c.Permissions = "0"
	}
	data := map[string]any{"id": "cmd-" + c.Name, "name": c.Name, "type": 1}
	var opts []any
	for name, v := range c.Options {
		opts = append(opts, map[string]any{"name": name, "type": 3, "value": v})
	}
	if len(opts) > 0 {
		data["options"] = opts
	}
	return map[string]any{
		"id": c.ID, "application_id": s.opts.AppID, "type": 2, "token": "tok-" + c.ID,
		"channel_id": c.ChannelID, "guild_id": c.GuildID, "version": 1, "data": data,
		"member": map[string]any{"user": map[string]any{"id": c.UserID, "username": c.Username}, "permissions": c.Permissions},
	}
}

// InteractionCreate dispatches an INTERACTION_CREATE of c.
func (s *Server) InteractionCreate(c SlashCommand) error {
	return s.Dispatch("INTERACTION_CREATE", s.InteractionPayload(c))
}

// componentsJSON is a message body's components as JSON, "" for none.
func componentsJSON(body map[string]any) string {
	c, ok := body["components"].([]any)
	if !ok || len(c) == 0 {
		return ""
	}
	b, _ := json.Marshal(c)
	return string(b)
}

// Click is a person's use of a message component: a button or a select
// menu under a message of the bot's.
type Click struct {
	// ID is the interaction's id; its token is "tok-" and the id.
	ID        string
	ChannelID string
	// MessageID is the message the component is under.
	MessageID string
	// UserID is who clicked; empty means "u1".
	UserID string
	// CustomID is the component's custom id.
	CustomID string
	// Values are a select menu's chosen values.
	Values []string
	// GuildID is the server; empty means Options.GuildID.
	GuildID string
}

func (s *Server) clickBase(id, channel, user, guild string, typ int, data map[string]any) map[string]any {
	if user == "" {
		user = "u1"
	}
	if guild == "" {
		guild = s.opts.GuildID
	}
	return map[string]any{
		"id": id, "application_id": s.opts.AppID, "type": typ, "token": "tok-" + id,
		"channel_id": channel, "guild_id": guild, "version": 1, "data": data,
		"member": map[string]any{"user": map[string]any{"id": user, "username": "ann"}, "permissions": "0"},
	}
}

// ClickPayload is the INTERACTION_CREATE payload (type 3) of c.
func (s *Server) ClickPayload(c Click) map[string]any {
	data := map[string]any{"custom_id": c.CustomID, "component_type": 2}
	if c.Values != nil {
		data["component_type"] = 3
		data["values"] = c.Values
	}
	p := s.clickBase(c.ID, c.ChannelID, c.UserID, c.GuildID, 3, data)
	p["message"] = map[string]any{"id": c.MessageID, "channel_id": c.ChannelID}
	return p
}

// ComponentClick dispatches a click on a component.
func (s *Server) ComponentClick(c Click) error {
	return s.Dispatch("INTERACTION_CREATE", s.ClickPayload(c))
}

// ModalSubmit dispatches the submission (type 5) of a form with custom id
// customID whose text fields hold values (field custom id → text).
func (s *Server) ModalSubmit(id, channelID, userID, customID string, values map[string]string) error {
	var rows []any
	for k, v := range values {
		rows = append(rows, map[string]any{"type": 1, "components": []any{map[string]any{"type": 4, "custom_id": k, "value": v}}})
	}
	return s.Dispatch("INTERACTION_CREATE", s.clickBase(id, channelID, userID, "", 5, map[string]any{"custom_id": customID, "components": rows}))
}

// Callback returns the body of the last response the bot gave to
// interaction id (its callback), and whether there was one.
func (s *Server) Callback(id string) (map[string]any, bool) {
	rs := s.Requests("POST", "/api/v10/interactions/"+id+"/tok-"+id+"/callback")
	if len(rs) == 0 {
		return nil, false
	}
	return rs[len(rs)-1].Body, true
}
