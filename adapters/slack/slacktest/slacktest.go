// Package slacktest is a fake Slack for tests and load runs: a local HTTP
// server with the Web API methods Byline's Slack adapter calls (auth.test,
// apps.connections.open, chat.postMessage, chat.update), response URLs for
// slash commands and shortcuts, and a Socket Mode websocket that says
// hello, delivers envelopes, sends pings and records acknowledgements, the
// way slack-go expects them.
//
// A Server records what the bot did: every Web API call and response_url
// post (or, with Options.CountOnly, only a count per method), the messages
// it posted and updated, indexed by channel and thread, and the Socket
// Mode connections and acknowledgements. Tests read those back and wait
// for them with Wait; a load run instead watches each request as it
// arrives through Options.OnRequest, so that nothing it does grows with
// the number of requests already served.
//
// Nothing here depends on package testing, so the same fake serves unit
// tests and the load program in bench/load.
package slacktest

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"
)

// Options configures a Server. The zero value is a working fake.
type Options struct {
	// BotToken is the xoxb- token the Web API accepts. Empty means
	// "xoxb-test".
	BotToken string
	// AppToken is the xapp- token apps.connections.open accepts. Empty
	// means "xapp-test".
	AppToken string
	// AppTokenError, when set, is the error apps.connections.open gives
	// even for the right app token, such as "missing_scope" for a token
	// made without connections:write.
	AppTokenError string
	// BotUserID is the bot's user id, given by auth.test and used in
	// mentions. Empty means "UBOT".
	BotUserID string
	// TeamID and AppID are the workspace's and the app's ids. Empty means
	// "T1" and "A1".
	TeamID, AppID string
	// Ping is how often the fake sends a WebSocket ping on a Socket Mode
	// connection, as Slack does; slack-go reconnects when none comes for
	// 30 seconds. Zero means 10 seconds; negative, never.
	Ping time.Duration
	// Outside reports the channels the bot is not a member of: posting
	// there fails with not_in_channel. Nil means it is in every channel.
	Outside func(channel string) bool
	// CountOnly keeps a count of requests per method instead of every
	// request, for load runs: Requests and Responses then return nothing.
	// Messages are kept either way; acknowledgements are only counted.
	CountOnly bool
	// OnRequest, when set, is called with each Web API call and
	// response_url post once it is handled, on the request's goroutine,
	// before the response is written. It must be quick and must not call
	// back into the Server's waiting methods.
	OnRequest func(Request)
	// OnAck, when set, is called with each Socket Mode acknowledgement as
	// it is read, under the same rules as OnRequest.
	OnAck func(Ack)
}

// Request is one Web API call or response_url post the fake served.
type Request struct {
	// Method is the Web API method, such as "chat.postMessage", or
	// "response_url".
	Method string
	// Path is the URL path, such as "/api/chat.postMessage".
	Path string
	// Form is a Web API call's form, token included.
	Form url.Values
	// JSON is a response_url post's body.
	JSON map[string]any
	// ResponseID is the id in a response_url (see ResponseURL).
	ResponseID string
	// Status is the HTTP status the fake answered with; a Web API error
	// (ok: false) is a 200 with Error set.
	Status int
	// Error is the Web API error code answered, such as "not_in_channel".
	Error string
	// Channel and ThreadTS are the form's channel and thread_ts.
	Channel, ThreadTS string
	// TS is the ts of the message the call posted or updated.
	TS string
	// At is when the fake received the request.
	At time.Time
}

// OK reports whether the request succeeded: a 200 without a Web API
// error.
func (r Request) OK() bool { return r.Status == http.StatusOK && r.Error == "" }

// Text returns the message's fallback text: the form's "text", or the
// JSON body's.
func (r Request) Text() string {
	if r.JSON != nil {
		s, _ := r.JSON["text"].(string)
		return s
	}
	return r.Form.Get("text")
}

// Message is a message the bot posted, as it reads now.
type Message struct {
	Channel string
	TS      string
	// ThreadTS is the thread it is in; "" for the channel itself.
	ThreadTS string
	// Text and Blocks (JSON) are the latest, after any updates.
	Text, Blocks string
	// Updates is how many times chat.update changed it.
	Updates int
}

// Ack is a Socket Mode acknowledgement the bot sent.
type Ack struct {
	EnvelopeID string         `json:"envelope_id"`
	Payload    map[string]any `json:"payload"`
	// At is when the fake read it.
	At time.Time `json:"-"`
}

// Socket is what happened on Socket Mode so far.
type Socket struct {
	// Opens counts the successful apps.connections.open calls.
	Opens int
	// Connections is how many websockets were opened, and Ended how many
	// of them have ended.
	Connections, Ended int
	// Sent counts the envelopes sent, and Acks the acknowledgements
	// received.
	Sent, Acks int
}

// Server is a fake Slack. Its methods are safe for concurrent use.
type Server struct {
	opts Options
	srv  *httptest.Server
	ts   atomic.Int64 // the last message ts given
	env  atomic.Int64 // the last envelope and event id made up

	// waiters
	cmu     sync.Mutex
	changed chan struct{} // closed and replaced on every change

	// the request log
	rmu         sync.Mutex
	reqs        []Request
	byMethod    map[string][]int // method → indexes into reqs
	byResponse  map[string][]int // response_url id → indexes into reqs
	counts      map[string]int   // method → requests
	limited     map[string]int   // method → 429s still to give
	limitedSome atomic.Bool      // limited may be non-empty

	// messages
	mmu      sync.Mutex
	messages map[string]*Message   // channel + "/" + ts
	views    []map[string]any      // views.open bodies
	inThread map[string][]*Message // channel + "/" + thread_ts, oldest first

	// Socket Mode
	smu       sync.Mutex
	conn      *conn // the connection envelopes go to; nil when dropped
	conns     []*conn
	acks      map[string][]Ack
	sock      Socket
	readers   sync.WaitGroup
	closeOnce sync.Once
}

// conn is one Socket Mode connection.
type conn struct {
	c   *websocket.Conn
	wmu sync.Mutex
}

func (c *conn) write(v any) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	return c.c.WriteJSON(v)
}

// New starts a fake Slack. Close stops it.
func New(opts Options) *Server {
	if opts.BotToken == "" {
		opts.BotToken = "xoxb-test"
	}
	if opts.AppToken == "" {
		opts.AppToken = "xapp-test"
	}
	if opts.BotUserID == "" {
		opts.BotUserID = "UBOT"
	}
	if opts.TeamID == "" {
		opts.TeamID = "T1"
	}
	if opts.AppID == "" {
		opts.AppID = "A1"
	}
	if opts.Ping == 0 {
		opts.Ping = 10 * time.Second
	}
	s := &Server{
		opts:       opts,
		changed:    make(chan struct{}),
		byMethod:   map[string][]int{},
		byResponse: map[string][]int{},
		counts:     map[string]int{},
		limited:    map[string]int{},
		messages:   map[string]*Message{},
		inThread:   map[string][]*Message{},
		acks:       map[string][]Ack{},
	}
	s.srv = httptest.NewServer(s.routes())
	return s
}

// routes returns the fake's handler.
func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /api/auth.test", s.api(func(r *http.Request, form url.Values) (map[string]any, string) {
		if token(r, form) != s.opts.BotToken {
			return nil, "invalid_auth"
		}
		return map[string]any{"user_id": s.opts.BotUserID, "user": "byline", "team": "Newsroom", "team_id": s.opts.TeamID, "bot_id": "BBOT"}, ""
	}))
	mux.HandleFunc("POST /api/apps.connections.open", s.api(func(r *http.Request, _ url.Values) (map[string]any, string) {
		if r.Header.Get("Authorization") != "Bearer "+s.opts.AppToken {
			return nil, "invalid_auth"
		}
		if s.opts.AppTokenError != "" {
			return nil, s.opts.AppTokenError
		}
		s.smu.Lock()
		s.sock.Opens++
		s.smu.Unlock()
		return map[string]any{"url": "ws://" + r.Host + "/socket"}, ""
	}))
	mux.HandleFunc("POST /api/chat.postMessage", s.api(s.postMessage))
	mux.HandleFunc("POST /api/chat.update", s.api(s.update))
	mux.HandleFunc("POST /api/conversations.replies", s.api(s.replies))
	// Forms and replies to one reader: recorded (see Requests), not shown.
	mux.HandleFunc("POST /api/views.open", s.openView)
	mux.HandleFunc("POST /api/chat.postEphemeral", s.api(func(r *http.Request, form url.Values) (map[string]any, string) {
		if e := s.check(r, form); e != "" {
			return nil, e
		}
		if form.Get("user") == "" {
			return nil, "user_not_in_channel"
		}
		return map[string]any{"message_ts": s.nextTS()}, ""
	}))
	mux.HandleFunc("POST /response/{id}", s.serveResponse)
	mux.HandleFunc("GET /socket", s.serveSocket)
	return mux
}

// token is a Web API call's token: the form's, else the bearer token.
func token(r *http.Request, form url.Values) string {
	if t := form.Get("token"); t != "" {
		return t
	}
	return strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
}

// URL is the server's root, such as "http://127.0.0.1:41234".
func (s *Server) URL() string { return s.srv.URL }

// APIURL is the Web API root to give the bot (slack.Options.APIURL).
func (s *Server) APIURL() string { return s.srv.URL + "/api/" }

// ResponseURL is a response_url the fake accepts; what is posted to it is
// recorded under id (see Responses).
func (s *Server) ResponseURL(id string) string { return s.srv.URL + "/response/" + url.PathEscape(id) }

// BotToken is the bot token the fake accepts.
func (s *Server) BotToken() string { return s.opts.BotToken }

// AppToken is the app-level token the fake accepts.
func (s *Server) AppToken() string { return s.opts.AppToken }

// BotUserID is the bot's user id.
func (s *Server) BotUserID() string { return s.opts.BotUserID }

// Close stops the server and every Socket Mode connection.
func (s *Server) Close() {
	s.closeOnce.Do(func() {
		s.smu.Lock()
		conns := s.conns
		s.smu.Unlock()
		for _, c := range conns {
			c.c.Close()
		}
		s.readers.Wait()
		s.srv.Close()
	})
}

// RateLimit makes the next n calls of a Web API method (such as
// "chat.postMessage") get a 429.
func (s *Server) RateLimit(method string, n int) {
	s.rmu.Lock()
	defer s.rmu.Unlock()
	s.limited[method] = n
	s.limitedSome.Store(true)
}

// limit reports whether a call of method is to get a 429.
func (s *Server) limit(method string) bool {
	if !s.limitedSome.Load() {
		return false
	}
	s.rmu.Lock()
	defer s.rmu.Unlock()
	if s.limited[method] > 0 {
		s.limited[method]--
		return true
	}
	return false
}

// nextTS returns a new message ts. Users' messages in tests are in the
// 1700000000s; the bot's are in the 1800000000s, so they never meet.
func (s *Server) nextTS() string {
	n := s.ts.Add(1)
	return fmt.Sprintf("%d.%06d", 1800000000+n/1000000, n%1000000)
}

// postMessage is chat.postMessage.
func (s *Server) postMessage(r *http.Request, form url.Values) (map[string]any, string) {
	if e := s.check(r, form); e != "" {
		return nil, e
	}
	m := &Message{Channel: form.Get("channel"), TS: s.nextTS(), ThreadTS: form.Get("thread_ts"), Text: form.Get("text"), Blocks: form.Get("blocks")}
	s.mmu.Lock()
	s.messages[m.Channel+"/"+m.TS] = m
	k := m.Channel + "/" + m.ThreadTS
	s.inThread[k] = append(s.inThread[k], m)
	s.mmu.Unlock()
	return map[string]any{"channel": m.Channel, "ts": m.TS, "message": map[string]any{"type": "message", "user": s.opts.BotUserID, "text": m.Text, "ts": m.TS}}, ""
}

// update is chat.update; an unknown message is message_not_found, as on
// Slack.
func (s *Server) update(r *http.Request, form url.Values) (map[string]any, string) {
	if e := s.check(r, form); e != "" {
		return nil, e
	}
	ch, ts := form.Get("channel"), form.Get("ts")
	s.mmu.Lock()
	defer s.mmu.Unlock()
	m := s.messages[ch+"/"+ts]
	if m == nil {
		return nil, "message_not_found"
	}
	m.Text = form.Get("text")
	if b, ok := form["blocks"]; ok && len(b) > 0 {
		m.Blocks = b[0]
	}
	m.Updates++
	return map[string]any{"channel": ch, "ts": ts, "text": m.Text}, ""
}

// replies is conversations.replies over the bot's own messages: the
// thread's root (when the bot posted it) and its replies, those outside
// oldest..latest left out but the root always kept, as on Slack.
func (s *Server) replies(r *http.Request, form url.Values) (map[string]any, string) {
	if token(r, form) != s.opts.BotToken {
		return nil, "invalid_auth"
	}
	ch, root := form.Get("channel"), form.Get("ts")
	oldest, latest := form.Get("oldest"), form.Get("latest")
	s.mmu.Lock()
	defer s.mmu.Unlock()
	var msgs []any
	add := func(m *Message) {
		msg := map[string]any{"type": "message", "user": s.opts.BotUserID, "ts": m.TS, "text": m.Text}
		if m.ThreadTS != "" {
			msg["thread_ts"] = m.ThreadTS
		}
		if m.Blocks != "" {
			msg["blocks"] = json.RawMessage(m.Blocks)
		}
		msgs = append(msgs, msg)
	}
	// The root may be the user's, which the fake does not hold.
	rm := s.messages[ch+"/"+root]
	if rm == nil && len(s.inThread[ch+"/"+root]) == 0 {
		return nil, "thread_not_found"
	}
	if rm != nil {
		add(rm)
	}
	for _, m := range s.inThread[ch+"/"+root] {
		if (oldest == "" || m.TS >= oldest) && (latest == "" || m.TS <= latest) {
			add(m)
		}
	}
	return map[string]any{"messages": msgs, "has_more": false}, ""
}

// openView is views.open, which slack-go sends as JSON: the view is
// recorded (see Views) and given an id.
func (s *Server) openView(w http.ResponseWriter, r *http.Request) {
	var body map[string]any
	resp := map[string]any{"ok": true}
	switch {
	case r.Header.Get("Authorization") != "Bearer "+s.opts.BotToken:
		resp = map[string]any{"ok": false, "error": "invalid_auth"}
	case json.NewDecoder(r.Body).Decode(&body) != nil || body["trigger_id"] == nil || body["trigger_id"] == "":
		resp = map[string]any{"ok": false, "error": "invalid_trigger_id"}
	default:
		s.mmu.Lock()
		s.views = append(s.views, body)
		s.mmu.Unlock()
		resp["view"] = map[string]any{"id": s.nextID("V"), "hash": "h1"}
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(resp)
	s.notify()
}

// Views returns the views.open requests so far, oldest first: each with
// its trigger_id and view.
func (s *Server) Views() []map[string]any {
	s.mmu.Lock()
	defer s.mmu.Unlock()
	return append([]map[string]any(nil), s.views...)
}

// check is what posting and updating have in common: the token and the
// channel.
func (s *Server) check(r *http.Request, form url.Values) string {
	switch ch := form.Get("channel"); {
	case token(r, form) != s.opts.BotToken:
		return "invalid_auth"
	case ch == "":
		return "channel_not_found"
	case s.opts.Outside != nil && s.opts.Outside(ch):
		return "not_in_channel"
	}
	return ""
}

// Messages returns the messages the bot posted in a channel with this
// thread_ts ("" for those in the channel itself), oldest first, as they
// read now.
func (s *Server) Messages(channel, threadTS string) []Message {
	s.mmu.Lock()
	defer s.mmu.Unlock()
	ms := s.inThread[channel+"/"+threadTS]
	out := make([]Message, len(ms))
	for i, m := range ms {
		out[i] = *m
	}
	return out
}

// MessageAt returns the message the bot posted with this ts in a channel,
// as it reads now.
func (s *Server) MessageAt(channel, ts string) (Message, bool) {
	s.mmu.Lock()
	defer s.mmu.Unlock()
	m := s.messages[channel+"/"+ts]
	if m == nil {
		return Message{}, false
	}
	return *m, true
}

// notify wakes the waiters.
func (s *Server) notify() {
	s.cmu.Lock()
	close(s.changed)
	s.changed = make(chan struct{})
	s.cmu.Unlock()
}

// Changed returns a channel that is closed at the next change: a request,
// a Socket Mode connection opened or ended, an acknowledgement.
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

// api wraps a Web API method: it parses the form, applies any 429 to
// give, and records the call. h returns the response's fields besides ok,
// or a Web API error code.
func (s *Server) api(h func(r *http.Request, form url.Values) (map[string]any, string)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		at := time.Now()
		if err := r.ParseForm(); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		req := Request{
			Method: strings.TrimPrefix(r.URL.Path, "/api/"), Path: r.URL.Path, Form: r.PostForm, Status: http.StatusOK,
			Channel: r.PostForm.Get("channel"), ThreadTS: r.PostForm.Get("thread_ts"), At: at,
		}
		var resp map[string]any
		if s.limit(req.Method) {
			req.Status = http.StatusTooManyRequests
		} else {
			var fields map[string]any
			fields, req.Error = h(r, r.PostForm)
			resp = map[string]any{"ok": req.Error == ""}
			if req.Error != "" {
				resp["error"] = req.Error
			}
			for k, v := range fields {
				resp[k] = v
			}
			req.TS, _ = fields["ts"].(string)
		}
		s.record(req)
		if req.Status == http.StatusTooManyRequests {
			w.Header().Set("Retry-After", "0")
			w.WriteHeader(req.Status)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(resp)
	}
}

// record logs a request (or counts it), tells OnRequest and wakes the
// waiters.
func (s *Server) record(req Request) {
	s.rmu.Lock()
	s.counts[req.Method]++
	if !s.opts.CountOnly {
		n := len(s.reqs)
		s.reqs = append(s.reqs, req)
		s.byMethod[req.Method] = append(s.byMethod[req.Method], n)
		if req.ResponseID != "" {
			s.byResponse[req.ResponseID] = append(s.byResponse[req.ResponseID], n)
		}
	}
	s.rmu.Unlock()
	if s.opts.OnRequest != nil {
		s.opts.OnRequest(req)
	}
	s.notify()
}

// serveResponse records a message sent to a response_url.
func (s *Server) serveResponse(w http.ResponseWriter, r *http.Request) {
	at := time.Now()
	raw, _ := io.ReadAll(r.Body)
	var body map[string]any
	if err := json.Unmarshal(raw, &body); err != nil {
		http.Error(w, "bad json", http.StatusBadRequest)
		return
	}
	s.record(Request{Method: "response_url", Path: r.URL.Path, JSON: body, ResponseID: r.PathValue("id"), Status: http.StatusOK, At: at})
	w.Header().Set("Content-Type", "text/plain")
	io.WriteString(w, "ok")
}

// Requests returns the requests so far of a method ("chat.postMessage",
// "response_url", …; "" for all), oldest first, failures included. With
// a method given it costs only the matches.
func (s *Server) Requests(method string) []Request {
	s.rmu.Lock()
	defer s.rmu.Unlock()
	if method == "" {
		return append([]Request(nil), s.reqs...)
	}
	return s.pick(s.byMethod[method])
}

// Responses returns what was posted to ResponseURL(id), oldest first.
func (s *Server) Responses(id string) []Request {
	s.rmu.Lock()
	defer s.rmu.Unlock()
	return s.pick(s.byResponse[id])
}

// pick copies requests by index; called with rmu held.
func (s *Server) pick(idx []int) []Request {
	out := make([]Request, len(idx))
	for i, n := range idx {
		out[i] = s.reqs[n]
	}
	return out
}

// Counts returns how many requests each method got, such as
// "chat.postMessage": 12, 429s and errors included. It is kept in every
// mode.
func (s *Server) Counts() map[string]int {
	s.rmu.Lock()
	defer s.rmu.Unlock()
	out := make(map[string]int, len(s.counts))
	for k, v := range s.counts {
		out[k] = v
	}
	return out
}

// Dump lists the requests, one a line, for failure messages.
func (s *Server) Dump() string {
	s.rmu.Lock()
	defer s.rmu.Unlock()
	var b strings.Builder
	for _, r := range s.reqs {
		if r.JSON != nil {
			fmt.Fprintf(&b, "  %d %s %s %q\n", r.Status, r.Method, r.ResponseID, r.Text())
			continue
		}
		fmt.Fprintf(&b, "  %d %s %s channel=%s thread_ts=%s ts=%s text=%q\n", r.Status, r.Method, r.Error, r.Channel, r.ThreadTS, r.TS, r.Text())
	}
	return b.String()
}

// serveSocket speaks Socket Mode on one connection: hello, then the
// envelopes sent and pings; it records the acknowledgements.
func (s *Server) serveSocket(w http.ResponseWriter, r *http.Request) {
	// Like Slack, accept the Origin the client sends (https://api.slack.com).
	up := websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }}
	c, err := up.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	cn := &conn{c: c}
	s.smu.Lock()
	s.conns = append(s.conns, cn)
	s.sock.Connections++
	s.readers.Add(1)
	s.smu.Unlock()
	defer s.readers.Done()
	done := make(chan struct{})
	defer func() {
		close(done)
		c.Close()
		s.smu.Lock()
		s.sock.Ended++
		if s.conn == cn {
			s.conn = nil
		}
		s.smu.Unlock()
		s.notify()
	}()
	hello := map[string]any{
		"type": "hello", "num_connections": 1,
		"connection_info": map[string]any{"app_id": s.opts.AppID},
		"debug_info":      map[string]any{"host": "slacktest", "approximate_connection_time": 3600},
	}
	if cn.write(hello) != nil {
		return
	}
	s.smu.Lock()
	s.conn = cn
	s.smu.Unlock()
	s.notify()
	if s.opts.Ping > 0 {
		go s.ping(cn, done)
	}
	for {
		_, raw, err := c.ReadMessage()
		if err != nil {
			return
		}
		var a Ack
		if json.Unmarshal(raw, &a) != nil || a.EnvelopeID == "" {
			continue
		}
		a.At = time.Now()
		s.smu.Lock()
		s.sock.Acks++
		if !s.opts.CountOnly {
			s.acks[a.EnvelopeID] = append(s.acks[a.EnvelopeID], a)
		}
		s.smu.Unlock()
		if s.opts.OnAck != nil {
			s.opts.OnAck(a)
		}
		s.notify()
	}
}

// ping sends a WebSocket ping every Options.Ping until done.
func (s *Server) ping(cn *conn, done <-chan struct{}) {
	t := time.NewTicker(s.opts.Ping)
	defer t.Stop()
	for {
		select {
		case <-done:
			return
		case <-t.C:
			cn.wmu.Lock()
			err := cn.c.WriteControl(websocket.PingMessage, nil, time.Now().Add(5*time.Second))
			cn.wmu.Unlock()
			if err != nil {
				return
			}
		}
	}
}

// Acks returns the acknowledgements of an envelope, in the order
// received. With Options.CountOnly it returns nothing.
func (s *Server) Acks(envelopeID string) []Ack {
	s.smu.Lock()
	defer s.smu.Unlock()
	return append([]Ack(nil), s.acks[envelopeID]...)
}

// Socket returns what happened on Socket Mode so far.
func (s *Server) Socket() Socket {
	s.smu.Lock()
	defer s.smu.Unlock()
	return s.sock
}

// Connected reports whether a Socket Mode connection is up: hello was
// sent on it and it has not ended or been dropped since.
func (s *Server) Connected() bool {
	s.smu.Lock()
	defer s.smu.Unlock()
	return s.conn != nil
}

// Send writes a Socket Mode message, such as an envelope, on the current
// connection. The error is for a message that is not JSON, no connection
// (after Drop, until the bot reconnects), or a connection that failed as
// it was written.
func (s *Server) Send(msg map[string]any) error {
	raw, err := json.Marshal(msg)
	if err != nil {
		return fmt.Errorf("slacktest: message: %w", err)
	}
	s.smu.Lock()
	c := s.conn
	if c != nil {
		s.sock.Sent++
	}
	s.smu.Unlock()
	if c == nil {
		return fmt.Errorf("slacktest: no Socket Mode connection to send on")
	}
	c.wmu.Lock()
	defer c.wmu.Unlock()
	if err := c.c.WriteMessage(websocket.TextMessage, raw); err != nil {
		return fmt.Errorf("slacktest: sending on Socket Mode: %w", err)
	}
	return nil
}

// Drop cuts the Socket Mode connection without a close frame, as a
// network failure would; the bot is expected to reconnect.
func (s *Server) Drop() {
	s.smu.Lock()
	c := s.conn
	s.conn = nil
	s.smu.Unlock()
	if c != nil {
		c.c.UnderlyingConn().Close()
	}
}

// Disconnect asks the bot to reconnect, as Slack does before it retires
// a connection ("refresh_requested").
func (s *Server) Disconnect() error {
	return s.Send(map[string]any{"type": "disconnect", "reason": "refresh_requested", "debug_info": map[string]any{"host": "slacktest"}})
}

// nextID makes up an envelope or event id with a prefix.
func (s *Server) nextID(prefix string) string {
	return fmt.Sprintf("%s%d", prefix, s.env.Add(1))
}

// Envelope wraps a payload in a Socket Mode envelope of a type
// ("events_api", "slash_commands", "interactive"). Only slash commands
// accept a response payload in the ack, as on Slack.
func Envelope(envelopeID, typ string, payload any) map[string]any {
	return map[string]any{
		"envelope_id": envelopeID, "type": typ, "payload": payload,
		"accepts_response_payload": typ == "slash_commands",
	}
}

// EventCallback is an Events API event_callback around an inner event: the
// payload of an events_api envelope, and the body HTTP mode receives.
func (s *Server) EventCallback(eventID string, inner map[string]any) map[string]any {
	return map[string]any{
		"type": "event_callback", "token": "legacy", "team_id": s.opts.TeamID, "api_app_id": s.opts.AppID,
		"event_id": eventID, "event_time": 1700000000, "event": inner,
	}
}

// Event sends an events_api envelope of an inner event. Empty ids are
// made up.
func (s *Server) Event(envelopeID, eventID string, inner map[string]any) error {
	if envelopeID == "" {
		envelopeID = s.nextID("env-")
	}
	if eventID == "" {
		eventID = s.nextID("Ev")
	}
	return s.Send(Envelope(envelopeID, "events_api", s.EventCallback(eventID, inner)))
}

// UserMessage is a message a user sends, for AppMention and Message.
type UserMessage struct {
	// EnvelopeID and EventID identify the delivery; empty ones are made
	// up.
	EnvelopeID, EventID string
	// Channel is the channel id; ChannelType is "channel" (when empty),
	// "group", "im" or "mpim".
	Channel, ChannelType string
	// TS is the message's ts; ThreadTS the thread it is in, if any.
	TS, ThreadTS string
	// User is the author's id; empty means "U1".
	User string
	// Text is the content, after the mention when Mention is set.
	Text string
	// Mention starts the text with the bot's mention.
	Mention bool
}

// inner is the fields app_mention and message events share.
func (s *Server) inner(typ string, m UserMessage) map[string]any {
	if m.User == "" {
		m.User = "U1"
	}
	if m.Mention {
		m.Text = "<@" + s.opts.BotUserID + "> " + m.Text
	}
	e := map[string]any{"type": typ, "user": m.User, "text": m.Text, "ts": m.TS, "channel": m.Channel, "event_ts": m.TS}
	if m.ThreadTS != "" {
		e["thread_ts"] = m.ThreadTS
	}
	return e
}

// MentionEvent is the app_mention event of m, for tests that change it
// before Event. Mention is implied.
func (s *Server) MentionEvent(m UserMessage) map[string]any {
	m.Mention = true
	return s.inner("app_mention", m)
}

// MessageEvent is the message event of m, for tests that change it before
// Event.
func (s *Server) MessageEvent(m UserMessage) map[string]any {
	if m.ChannelType == "" {
		m.ChannelType = "channel"
	}
	e := s.inner("message", m)
	e["channel_type"] = m.ChannelType
	return e
}

// AppMention sends an events_api envelope of the app_mention of m.
func (s *Server) AppMention(m UserMessage) error {
	return s.Event(m.EnvelopeID, m.EventID, s.MentionEvent(m))
}

// Message sends an events_api envelope of the message event of m. Slack
// sends one with each app_mention, too.
func (s *Server) Message(m UserMessage) error {
	return s.Event(m.EnvelopeID, m.EventID, s.MessageEvent(m))
}

// SlashCommand is a slash command a user runs.
type SlashCommand struct {
	// EnvelopeID identifies the delivery, and the command's response_url
	// is ResponseURL(EnvelopeID); empty means made up.
	EnvelopeID string
	// Command is the command; empty means "/byline".
	Command string
	// Text is what follows the command.
	Text string
	// ChannelID is where it is run.
	ChannelID string
	// UserID is who runs it; empty means "U1".
	UserID string
}

// SlashCommandPayload is the slash_commands payload of c, with its
// envelope id filled in.
func (s *Server) SlashCommandPayload(c *SlashCommand) map[string]any {
	if c.EnvelopeID == "" {
		c.EnvelopeID = s.nextID("env-")
	}
	if c.Command == "" {
		c.Command = "/byline"
	}
	if c.UserID == "" {
		c.UserID = "U1"
	}
	return map[string]any{
		"command": c.Command, "text": c.Text, "channel_id": c.ChannelID, "user_id": c.UserID, "team_id": s.opts.TeamID,
		"response_url": s.ResponseURL(c.EnvelopeID), "trigger_id": "trig-" + c.EnvelopeID,
	}
}

// Slash sends a slash_commands envelope of c.
func (s *Server) Slash(c SlashCommand) error {
	p := s.SlashCommandPayload(&c)
	return s.Send(Envelope(c.EnvelopeID, "slash_commands", p))
}

// Shortcut is a message shortcut a user runs on a message.
type Shortcut struct {
	// EnvelopeID identifies the delivery, and the shortcut's
	// response_url is ResponseURL(EnvelopeID); empty means made up.
	EnvelopeID string
	// CallbackID is the shortcut's callback id.
	CallbackID string
	// ChannelID and ChannelName are where the message is.
	ChannelID, ChannelName string
	// UserID and UserName are who runs it; empty means "U1" and "ann".
	UserID, UserName string
	// Message is the message it is run on: its author, text, ts and
	// thread.
	Author, Text, TS, ThreadTS string
}

// ShortcutPayload is the message_action payload of sc, with its envelope
// id filled in.
func (s *Server) ShortcutPayload(sc *Shortcut) map[string]any {
	if sc.EnvelopeID == "" {
		sc.EnvelopeID = s.nextID("env-")
	}
	if sc.UserID == "" {
		sc.UserID = "U1"
	}
	if sc.UserName == "" {
		sc.UserName = "ann"
	}
	msg := map[string]any{"type": "message", "user": sc.Author, "text": sc.Text, "ts": sc.TS}
	if sc.ThreadTS != "" {
		msg["thread_ts"] = sc.ThreadTS
	}
	return map[string]any{
		"type": "message_action", "callback_id": sc.CallbackID, "trigger_id": "trig-" + sc.EnvelopeID,
		"response_url": s.ResponseURL(sc.EnvelopeID), "message_ts": sc.TS,
		"team":    map[string]any{"id": s.opts.TeamID},
		"channel": map[string]any{"id": sc.ChannelID, "name": sc.ChannelName},
		"user":    map[string]any{"id": sc.UserID, "name": sc.UserName},
		"message": msg,
	}
}

// MessageShortcut sends an interactive envelope of sc.
func (s *Server) MessageShortcut(sc Shortcut) error {
	p := s.ShortcutPayload(&sc)
	return s.Send(Envelope(sc.EnvelopeID, "interactive", p))
}

// Interactive sends an interactive envelope of any payload (a block
// action, a view submission, …). An empty envelope id is made up.
func (s *Server) Interactive(envelopeID string, payload map[string]any) error {
	if envelopeID == "" {
		envelopeID = s.nextID("env-")
	}
	return s.Send(Envelope(envelopeID, "interactive", payload))
}
