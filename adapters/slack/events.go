package slack

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/gorilla/websocket"
	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
	"github.com/slack-go/slack/socketmode"

	"github.com/byline-bot/byline/adapters/chat"
)

// ackWithin bounds an acknowledgement: Slack retries (events) or shows an
// error (commands, shortcuts) when one takes more than three seconds.
const ackWithin = 3 * time.Second

// runSocket connects over Socket Mode and handles its events until ctx is
// done. Every request is acknowledged first and its work handed on, so
// the loop never waits on an answer.
func (b *Bot) runSocket(ctx, work context.Context, pre *chat.Queue) error {
	smc := socketmode.New(b.client, socketmode.OptionDialer(&websocket.Dialer{
		Proxy:            http.ProxyFromEnvironment,
		HandshakeTimeout: 30 * time.Second,
		WriteBufferSize:  32 * 1024, // above Slack's 20 KB response limit: one frame each
	}))
	done := make(chan error, 1)
	go func() { done <- smc.RunContext(ctx) }()
	for {
		select {
		case err := <-done:
			if ctx.Err() != nil {
				return nil
			}
			if rejected(err) {
				return fmt.Errorf("%w (%s)", ErrAppTokenRejected, err)
			}
			return fmt.Errorf("slack: socket mode: %w", scrub(err))
		case evt := <-smc.Events:
			if err := tokenRefused(evt); err != nil {
				return err
			}
			b.socketEvent(ctx, work, pre, smc, evt)
		}
	}
}

// tokenRefused turns a Socket Mode connection error that no retry can
// mend into ErrAppTokenRejected: slack-go stops by itself only on a
// rejected token, and would retry an app token without the
// connections:write scope, or a bot token given as the app token, for
// ever.
func tokenRefused(evt socketmode.Event) error {
	if evt.Type != socketmode.EventTypeConnectionError {
		return nil
	}
	e, ok := evt.Data.(*slack.ConnectionErrorEvent)
	if !ok || !apiError(e.ErrorObj, "missing_scope", "not_allowed_token_type", "invalid_auth", "not_authed", "account_inactive", "token_revoked") {
		return nil
	}
	return fmt.Errorf("%w (%s: it needs the connections:write scope; create it under Basic Information → App-Level Tokens)", ErrAppTokenRejected, e.ErrorObj)
}

// socketEvent handles one Socket Mode event.
func (b *Bot) socketEvent(ctx, work context.Context, pre *chat.Queue, smc *socketmode.Client, evt socketmode.Event) {
	ack := func(payload any) {
		if evt.Request == nil {
			return
		}
		actx, cancel := context.WithTimeout(ctx, ackWithin)
		defer cancel()
		if err := smc.AckCtx(actx, evt.Request.EnvelopeID, payload); err != nil {
			b.log.Warn("slack: acknowledging a request failed", "type", evt.Type, "err", err)
		}
	}
	switch evt.Type {
	case socketmode.EventTypeConnecting:
		// Also after a dropped connection, which slack-go redials
		// without any other event, and after Slack's routine
		// refresh_requested disconnect, which slack-go handles without
		// passing it on.
		b.markReady(false)
		if c, ok := evt.Data.(*slack.ConnectingEvent); ok && c.ConnectionCount > 0 {
			b.log.Debug("slack: Socket Mode connection ended (Slack renews them from time to time); reconnecting", "connection", c.ConnectionCount+1)
		} else {
			b.log.Debug("slack: connecting to Socket Mode")
		}
	case socketmode.EventTypeConnected:
		if c, ok := evt.Data.(*socketmode.ConnectedEvent); ok && c.ConnectionCount > 0 {
			b.log.Info("slack: reconnected to Socket Mode", "connection", c.ConnectionCount+1)
		} else {
			b.log.Info("slack: connected to Socket Mode")
		}
		b.markReady(true)
	case socketmode.EventTypeConnectionError:
		b.markReady(false)
		// At shutdown the connection ends with ctx; that is no failure.
		if e, ok := evt.Data.(*slack.ConnectionErrorEvent); ok && ctx.Err() == nil {
			b.log.Warn("slack: Socket Mode connection failed; retrying", "attempt", e.Attempt, "backoff", e.Backoff, "err", scrub(e.ErrorObj))
		}
	case socketmode.EventTypeInvalidAuth:
		b.log.Error("slack: Socket Mode refused the app-level token; check SLACK_APP_TOKEN")
	case socketmode.EventTypeDisconnect:
		b.markReady(false)
		b.log.Info("slack: Slack asked to reconnect; reconnecting")
	case socketmode.EventTypeIncomingError, socketmode.EventTypeErrorBadMessage, socketmode.EventTypeErrorWriteFailed:
		if ctx.Err() != nil {
			return
		}
		// A frame slack-go could not read is still acknowledged if it
		// names its envelope, or Slack sends it again and again.
		if bad, ok := evt.Data.(*socketmode.ErrorBadMessage); ok {
			var env struct {
				EnvelopeID string `json:"envelope_id"`
			}
			if json.Unmarshal(bad.Message, &env) == nil && env.EnvelopeID != "" {
				actx, cancel := context.WithTimeout(ctx, ackWithin)
				if err := smc.AckCtx(actx, env.EnvelopeID, nil); err != nil {
					b.log.Warn("slack: acknowledging an unreadable request failed", "err", err)
				}
				cancel()
			}
		}
		detail := socketError(evt.Data)
		if closedConn(detail) {
			// The old connection's reader, as slack-go closes it to
			// reconnect: routine.
			b.log.Debug("slack: Socket Mode connection closed for a reconnect", "type", evt.Type, "err", scrub(detail))
			return
		}
		b.log.Warn("slack: Socket Mode error", "type", evt.Type, "err", scrub(detail))
	case socketmode.EventTypeEventsAPI:
		ack(nil)
		if ev, ok := evt.Data.(slackevents.EventsAPIEvent); ok {
			b.event(work, pre, ev)
		}
	case socketmode.EventTypeSlashCommand:
		cmd, ok := evt.Data.(slack.SlashCommand)
		if !ok {
			ack(nil)
			return
		}
		reply, later := b.command(cmd)
		if reply != nil {
			ack(reply)
		} else {
			ack(nil)
		}
		b.goTracked(work, later)
	case socketmode.EventTypeInteractive:
		ack(nil)
		if cb, ok := evt.Data.(slack.InteractionCallback); ok {
			b.goTracked(work, b.interaction(cb))
		}
	}
}

// socketError is the error a Socket Mode error event carries.
func socketError(data any) error {
	switch e := data.(type) {
	case *slack.IncomingEventError:
		return e.ErrorObj
	case *socketmode.ErrorBadMessage:
		return fmt.Errorf("unreadable message: %w", e.Cause)
	case *socketmode.ErrorWriteFailed:
		return fmt.Errorf("writing a response: %w", e.Cause)
	case error:
		return e
	}
	return fmt.Errorf("%v", data)
}

// closedConn reports whether err is a read from a connection closed on
// this side, as when slack-go reconnects.
func closedConn(err error) bool {
	var ce *websocket.CloseError
	return errors.Is(err, net.ErrClosed) || (errors.As(err, &ce) && ce.Code == websocket.CloseNormalClosure)
}

// goTracked runs f, if any, in a goroutine counted as work in flight.
func (b *Bot) goTracked(ctx context.Context, f func(context.Context)) {
	if f == nil {
		return
	}
	release, ok := b.opts.Service.Hold()
	if !ok {
		return
	}
	go func() {
		defer release()
		f(ctx)
	}()
}

// incoming is a message event, from app_mention or message, in the form
// the bot judges it.
type incoming struct {
	eventID     string
	mention     bool // an app_mention event
	channel     string
	channelType string
	user        string
	botID       string
	subtype     string
	text        string
	ts          string
	threadTS    string
	edited      bool
}

// event translates an Events API event and hands it to pre, a queue per
// channel that keeps a channel's messages in order while they are checked
// against Once.
func (b *Bot) event(ctx context.Context, pre *chat.Queue, ev slackevents.EventsAPIEvent) {
	switch ev.Type {
	case slackevents.AppRateLimited:
		b.log.Warn("slack: Slack is dropping this app's events: it is rate limited (app_rate_limited)")
		return
	case slackevents.CallbackEvent:
	default:
		return
	}
	var in incoming
	if cb, ok := ev.Data.(*slackevents.EventsAPICallbackEvent); ok {
		in.eventID = cb.EventID
	}
	switch e := ev.InnerEvent.Data.(type) {
	case *slackevents.AppMentionEvent:
		in.mention = true
		in.channel, in.user, in.botID, in.text, in.ts, in.threadTS = e.Channel, e.User, e.BotID, e.Text, e.TimeStamp, e.ThreadTimeStamp
		in.edited = e.Edited != nil
	case *slackevents.MessageEvent:
		in.channel, in.channelType, in.user, in.botID, in.subtype = e.Channel, e.ChannelType, e.User, e.BotID, e.SubType
		in.text, in.ts, in.threadTS = e.Text, e.TimeStamp, e.ThreadTimeStamp
		in.edited = e.SubType == "message_changed"
	default:
		return
	}
	if in.channel == "" {
		return
	}
	release, ok := b.opts.Service.Hold()
	if !ok {
		return
	}
	if _, err := pre.Submit(in.channel, func(context.Context) {
		defer release()
		b.message(ctx, in)
	}); err != nil {
		release()
		b.log.Warn("slack: too many messages waiting in a channel; dropping one", "channel", in.channel, "ts", in.ts)
	}
}

// message decides about one message and, if it is to be answered, hands
// it to the Service with a Reply that posts in the right thread.
func (b *Bot) message(ctx context.Context, in incoming) {
	botUser := b.botUser()
	dm := in.channelType == "im"
	if !in.mention {
		switch in.subtype {
		case "", "thread_broadcast", "file_share", "bot_message", "message_changed":
		default:
			return // joins, topic changes, deletions and the like
		}
		if !dm && mentioned(in.text, botUser) {
			// The app_mention event that comes with it answers it.
			return
		}
	}
	m := chat.Message{
		ID:        in.ts,
		ChannelID: in.channel,
		ThreadID:  in.threadTS,
		UserID:    in.user,
		FromBot:   in.botID != "" || in.subtype == "bot_message" || (botUser != "" && in.user == botUser),
		Edited:    in.edited,
		DM:        dm,
	}
	if m.ThreadID == m.ID {
		m.ThreadID = "" // a thread's parent is not in its own thread
	}
	m.MentionsBot = in.mention || mentioned(in.text, botUser)
	m.Text = questionText(in.text, botUser)
	if in.eventID != "" {
		m.Dedupe = append(m.Dedupe, "event:"+in.eventID)
	}
	m.Dedupe = append(m.Dedupe, "message:"+in.channel+"/"+in.ts)
	b.opts.Service.HandleMessage(ctx, m, func(w chat.Where) chat.Reply {
		release, ok := b.opts.Service.Hold()
		if !ok {
			return nil
		}
		r := b.newMessageReply(w, m)
		r.release = release
		return r
	})
}

// first reports whether an event key is new (see chat.Service.First).
func (b *Bot) first(ctx context.Context, key string) bool {
	return b.opts.Service.First(ctx, key)
}

// mentioned reports whether Slack text mentions the user.
func mentioned(text, userID string) bool {
	return userID != "" && (strings.Contains(text, "<@"+userID+">") || strings.Contains(text, "<@"+userID+"|"))
}

// slackMarkup finds Slack's <…> markup in message text.
var slackMarkup = regexp.MustCompile(`<([^<>]*)>`)

// questionText turns a message's Slack text into the question as people
// read it: the bot's mention removed, other mentions, channels and links
// written out, entities decoded.
func questionText(text, botUserID string) string {
	text = slackMarkup.ReplaceAllStringFunc(text, func(tag string) string {
		inner := tag[1 : len(tag)-1]
		target, label, _ := strings.Cut(inner, "|")
		switch {
		case strings.HasPrefix(target, "@"):
			if botUserID != "" && target == "@"+botUserID {
				return " "
			}
			if label != "" {
				return "@" + strings.TrimPrefix(label, "@")
			}
			return target
		case strings.HasPrefix(target, "#"):
			if label != "" {
				return "#" + label
			}
			return target
		case strings.HasPrefix(target, "!"):
			if label != "" {
				return label
			}
			name, _, _ := strings.Cut(target[1:], "^")
			return "@" + name
		default:
			if label != "" && label != target {
				return label + " (" + target + ")"
			}
			return target
		}
	})
	text = strings.NewReplacer("&lt;", "<", "&gt;", ">", "&amp;", "&").Replace(text)
	return strings.Join(strings.Fields(text), " ")
}

// serveHTTP serves the Events API, slash commands and interactivity on
// Options.Listen until ctx is done.
func (b *Bot) serveHTTP(ctx, work context.Context, pre *chat.Queue) error {
	ln, err := net.Listen("tcp", b.opts.Listen)
	if err != nil {
		return fmt.Errorf("slack: listening on %s (slack.listen): %w", b.opts.Listen, err)
	}
	b.mu.Lock()
	b.addr = ln.Addr()
	b.mu.Unlock()
	b.markReady(true)
	srv := &http.Server{
		Handler:           b.handler(work, pre),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
	}
	b.log.Info("slack: listening for Slack's requests", "addr", ln.Addr().String(), "paths", "/slack/events /slack/commands /slack/interactive")
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	select {
	case err := <-done:
		return fmt.Errorf("slack: serving HTTP: %w", err)
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		b.log.Warn("slack: stopping the HTTP server", "err", err)
	}
	<-done
	return nil
}

// handler routes HTTP mode's three request URLs, each behind the
// signature check.
func (b *Bot) handler(work context.Context, pre *chat.Queue) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("POST /slack/events", b.verified(func(w http.ResponseWriter, r *http.Request, body []byte) {
		ev, err := slackevents.ParseEvent(json.RawMessage(body), slackevents.OptionNoVerifyToken())
		if err != nil {
			b.log.Warn("slack: unreadable event", "err", err)
			http.Error(w, "unreadable event", http.StatusBadRequest)
			return
		}
		if ev.Type == slackevents.URLVerification {
			v, _ := ev.Data.(*slackevents.EventsAPIURLVerificationEvent)
			if v == nil {
				http.Error(w, "no challenge", http.StatusBadRequest)
				return
			}
			b.log.Info("slack: answered the Events API URL check")
			w.Header().Set("Content-Type", "text/plain")
			io.WriteString(w, v.Challenge)
			return
		}
		b.event(work, pre, ev)
		w.WriteHeader(http.StatusOK)
	}))
	mux.Handle("POST /slack/commands", b.verified(func(w http.ResponseWriter, r *http.Request, _ []byte) {
		cmd, err := slack.SlashCommandParse(r)
		if err != nil {
			http.Error(w, "unreadable command", http.StatusBadRequest)
			return
		}
		reply, later := b.command(cmd)
		if reply != nil {
			w.Header().Set("Content-Type", "application/json")
			json.NewEncoder(w).Encode(reply)
		} else {
			w.WriteHeader(http.StatusOK)
		}
		b.goTracked(work, later)
	}))
	mux.Handle("POST /slack/interactive", b.verified(func(w http.ResponseWriter, r *http.Request, _ []byte) {
		var cb slack.InteractionCallback
		if err := r.ParseForm(); err != nil || json.Unmarshal([]byte(r.PostForm.Get("payload")), &cb) != nil {
			http.Error(w, "unreadable payload", http.StatusBadRequest)
			return
		}
		w.WriteHeader(http.StatusOK)
		b.goTracked(work, b.interaction(cb))
	}))
	return mux
}

// maxBody bounds a request body; Slack's are a few kilobytes.
const maxBody = 1 << 20

// verified checks that a request comes from Slack, by its signature over
// the timestamp and body with the signing secret, and that it is at most
// five minutes old by Options.Now; anything else gets a 401 and a log
// line, and goes no further.
func (b *Bot) verified(h func(w http.ResponseWriter, r *http.Request, body []byte)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		refuse := func(why string, err error) {
			b.log.Warn("slack: refused a request that is not verifiably Slack's", "path", r.URL.Path, "remote", r.RemoteAddr, "why", why, "err", err)
			http.Error(w, "request not verified", http.StatusUnauthorized)
		}
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
		if err != nil {
			refuse("body unreadable or too large", err)
			return
		}
		// slack-go checks the age against the machine's clock; Options.Now
		// is checked too, so an injected clock decides as well.
		ts, err := strconv.ParseInt(r.Header.Get("X-Slack-Request-Timestamp"), 10, 64)
		if err != nil {
			refuse("no timestamp", err)
			return
		}
		if age := b.opts.Now().Sub(time.Unix(ts, 0)); age > 5*time.Minute || age < -5*time.Minute {
			refuse("timestamp more than five minutes off", fmt.Errorf("age %s", age.Round(time.Second)))
			return
		}
		sv, err := slack.NewSecretsVerifier(r.Header, b.opts.SigningSecret)
		if err != nil {
			refuse("signature headers", err)
			return
		}
		if _, err := sv.Write(body); err != nil {
			refuse("signature", err)
			return
		}
		if err := sv.Ensure(); err != nil {
			refuse("signature", err)
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		h(w, r, body)
	})
}
