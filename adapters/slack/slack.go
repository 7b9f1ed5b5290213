// Package slack connects Byline to Slack: it answers mentions (in a thread
// on the question), direct messages, follow-ups in its threads and every
// message of auto-answer channels, serves the /byline slash command and
// the "Ask Byline about this" message shortcut, and renders answers as
// Block Kit messages with their numbered sources within Slack's limits.
//
// It connects over Socket Mode (no public URL needed) or, in HTTP mode,
// serves the Events API, slash commands and interactivity on a listen
// address, verifying every request's signature.
//
// What is not particular to Slack (which messages to answer, the order of
// questions in a thread, quotas, per-channel settings, splitting long
// answers) is the shared chat package's; this package translates Slack's
// events into chat.Message values and carries out what chat decides.
//
// The SDK is github.com/slack-go/slack. The Web API calls sit behind the
// small webAPI interface below; the tests run the real client and Socket
// Mode connection against a local fake Slack that speaks the wire format.
package slack

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/slack-go/slack"

	"github.com/byline-bot/byline/adapters/chat"
)

// ErrTokenRejected is returned by Run when Slack refuses the bot token.
var ErrTokenRejected = errors.New("slack: the bot token was rejected: check SLACK_BOT_TOKEN (the xoxb- Bot User OAuth Token of the installed app)")

// ErrAppTokenRejected is returned by Run when Slack refuses the app-level
// token Socket Mode connects with.
var ErrAppTokenRejected = errors.New("slack: the app-level token was rejected: check SLACK_APP_TOKEN (an xapp- token with the connections:write scope)")

// drainTimeout bounds how long Run, once its context is done, waits for
// answers in flight to be posted.
const drainTimeout = 30 * time.Second

// Options configures a Bot.
type Options struct {
	// BotToken is the Bot User OAuth Token, xoxb-…. Required.
	BotToken string
	// AppToken is the app-level token, xapp-…, with connections:write.
	// Required in socket mode.
	AppToken string
	// SigningSecret checks that HTTP-mode requests come from Slack.
	// Required in http mode.
	SigningSecret string
	// Mode is "socket" (the default: Socket Mode, no public URL needed) or
	// "http" (Slack sends requests to Listen).
	Mode string
	// Listen is HTTP mode's listen address. Default ":3000". It serves
	// /slack/events, /slack/commands and /slack/interactive.
	Listen string
	// APIURL replaces https://slack.com/api/, for GovSlack
	// (https://slack-gov.com/api/) and tests. "" means the real Slack.
	APIURL string
	// Admins are the user ids allowed to run `/byline digest`.
	Admins []string
	// OnReady, when set, is told whether the bot takes questions, for a
	// readiness check: true once Socket Mode is connected (again after a
	// reconnect) or HTTP mode listens, false while Socket Mode is
	// reconnecting. It must be quick.
	OnReady func(ready bool)
	// Service is the shared answering pipeline (policy, limits, queue,
	// engine). Its Policy holds the per-channel settings, keyed by Slack
	// channel id. Its queue is also the one tracker of the bot's work in
	// flight: Run drains it (closing it) at shutdown, so a Service serves
	// one Run. Required.
	Service *chat.Service
	// Library serves `/byline search` and `/byline source`. Required.
	Library chat.Library
	// Digest posts today's digest to a channel now and returns a short
	// status for the admin who asked. Nil means `/byline digest` says
	// digests are not configured.
	Digest func(ctx context.Context, channelID string) (string, error)
	// Logger receives the adapter's logs. Nil means discard. Tokens and
	// the signing secret are never logged.
	Logger *slog.Logger
	// Now is the clock the HTTP-mode signature timestamps are checked
	// against. Nil means time.Now.
	Now func() time.Time
}

// webAPI is the part of *slack.Client the bot uses.
type webAPI interface {
	AuthTestContext(ctx context.Context) (*slack.AuthTestResponse, error)
	PostMessageContext(ctx context.Context, channelID string, options ...slack.MsgOption) (string, string, error)
	UpdateMessageContext(ctx context.Context, channelID, timestamp string, options ...slack.MsgOption) (string, string, string, error)
}

// A Bot is a chat platform; every Slack message is the root of its own
// thread, so it needs no ThreadStarter.
var _ chat.Platform = (*Bot)(nil)

// Bot is Byline on Slack.
type Bot struct {
	opts   Options
	log    *slog.Logger
	client *slack.Client
	api    webAPI
	http   *http.Client

	mu      sync.Mutex
	userID  string // the bot's user id, from auth.test
	running bool
	addr    net.Addr // HTTP mode's listener, once listening
}

// New checks the options and returns a Bot; Run connects it.
func New(opts Options) (*Bot, error) {
	opts.BotToken = strings.TrimSpace(opts.BotToken)
	opts.AppToken = strings.TrimSpace(opts.AppToken)
	opts.SigningSecret = strings.TrimSpace(opts.SigningSecret)
	if opts.Mode == "" {
		opts.Mode = "socket"
	}
	if opts.Listen == "" {
		opts.Listen = ":3000"
	}
	switch {
	case opts.BotToken == "":
		return nil, errors.New("slack: no bot token: set slack.bot_token, normally to ${SLACK_BOT_TOKEN} (the xoxb- Bot User OAuth Token)")
	case strings.HasPrefix(opts.BotToken, "xapp-"):
		return nil, errors.New("slack: slack.bot_token holds an app-level (xapp-) token: set SLACK_BOT_TOKEN to the xoxb- Bot User OAuth Token, and SLACK_APP_TOKEN to the xapp- one")
	case opts.Service == nil || opts.Library == nil:
		return nil, errors.New("slack: a chat service and a library are required")
	}
	switch opts.Mode {
	case "socket":
		if opts.AppToken == "" {
			return nil, errors.New("slack: socket mode needs an app-level token: set slack.app_token, normally to ${SLACK_APP_TOKEN} (an xapp- token with connections:write), or use slack.mode: http")
		}
		if !strings.HasPrefix(opts.AppToken, "xapp-") {
			return nil, errors.New("slack: slack.app_token is not an app-level (xapp-) token: set SLACK_APP_TOKEN to the token made under Basic Information, App-Level Tokens")
		}
	case "http":
		if opts.SigningSecret == "" {
			return nil, errors.New("slack: http mode needs the signing secret: set slack.signing_secret, normally to ${SLACK_SIGNING_SECRET} (Basic Information, App Credentials)")
		}
	default:
		return nil, fmt.Errorf("slack: mode %q: use socket or http", opts.Mode)
	}
	hc := &http.Client{Timeout: 30 * time.Second}
	sopts := []slack.Option{slack.OptionHTTPClient(hc)}
	if opts.AppToken != "" {
		sopts = append(sopts, slack.OptionAppLevelToken(opts.AppToken))
	}
	if opts.APIURL != "" {
		root, err := apiRoot(opts.APIURL)
		if err != nil {
			return nil, err
		}
		opts.APIURL = root
		sopts = append(sopts, slack.OptionAPIURL(root))
	}
	client := slack.New(opts.BotToken, sopts...)
	b := newBot(opts, client)
	b.client, b.http = client, hc
	return b, nil
}

// newBot returns a Bot over the given Web API client.
func newBot(opts Options, api webAPI) *Bot {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	b := &Bot{opts: opts, log: log.With("component", "slack"), api: api}
	if b.http == nil {
		b.http = &http.Client{Timeout: 30 * time.Second}
	}
	return b
}

// apiRoot checks an API root and gives it a trailing slash.
func apiRoot(s string) (string, error) {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", fmt.Errorf("slack: api_url %q is not an http(s) URL such as https://slack-gov.com/api/", s)
	}
	if !strings.HasSuffix(s, "/") {
		s += "/"
	}
	return s, nil
}

// Run connects to Slack and answers until ctx is done. It checks the bot
// token first (a rejected one is ErrTokenRejected, at once), then runs
// Socket Mode or the HTTP server. When ctx is done it disconnects (or
// stops listening) and waits, at most 30 seconds, for the answers in
// flight to be posted; those run in the Service's queue, so cancel the
// queue's context only after Run returns.
func (b *Bot) Run(ctx context.Context) error {
	b.mu.Lock()
	if b.running {
		b.mu.Unlock()
		return errors.New("slack: Run called twice")
	}
	b.running = true
	b.mu.Unlock()

	actx, cancel := context.WithTimeout(ctx, 30*time.Second)
	me, err := b.api.AuthTestContext(actx)
	cancel()
	if err != nil {
		return b.startError(err)
	}
	b.mu.Lock()
	b.userID = me.UserID
	b.mu.Unlock()
	b.log.Info("slack: token accepted", "bot", me.User, "user_id", me.UserID, "team", me.Team, "mode", b.opts.Mode)

	// Work outlives ctx so that answers in flight at shutdown are posted.
	work := context.WithoutCancel(ctx)
	pre := chat.NewQueue(work, 4, 256)
	if b.opts.Mode == "http" {
		err = b.serveHTTP(ctx, work, pre)
	} else {
		err = b.runSocket(ctx, work, pre)
	}

	if err != nil {
		b.opts.Service.Drain(0) // refuse new work; a failed start has none worth waiting for
		return err
	}
	b.log.Info("slack: disconnected; waiting for answers in flight", "in_flight", b.opts.Service.InFlight())
	if left := b.opts.Service.Drain(drainTimeout); left > 0 {
		b.log.Warn("slack: gave up waiting for answers in flight", "waited", drainTimeout, "left", left)
	}
	return nil
}

// startError explains a failed check of the token at start.
func (b *Bot) startError(err error) error {
	if rejected(err) {
		return fmt.Errorf("%w (%s)", ErrTokenRejected, err)
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		where := slack.APIURL
		if b.opts.APIURL != "" {
			where = b.opts.APIURL
		}
		return fmt.Errorf("slack: cannot reach the API at %s: %w", where, ue.Err)
	}
	return fmt.Errorf("slack: checking the bot token (auth.test): %w", err)
}

// rejected reports whether err is Slack refusing a token.
func rejected(err error) bool {
	return apiError(err, "invalid_auth", "not_authed", "account_inactive", "token_revoked", "token_expired", "not_allowed_token_type")
}

// apiError reports whether err is a Slack API error with one of codes.
func apiError(err error, codes ...string) bool {
	var se slack.SlackErrorResponse
	if errors.As(err, &se) {
		return slices.Contains(codes, se.Err)
	}
	// Some calls return the code as a plain error.
	return err != nil && slices.Contains(codes, err.Error())
}

// markReady passes the connection's state on to Options.OnReady.
func (b *Bot) markReady(up bool) {
	if b.opts.OnReady != nil {
		b.opts.OnReady(up)
	}
}

// botUser returns the bot's user id.
func (b *Bot) botUser() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.userID
}

// Addr returns the address HTTP mode listens on, once it does (nil
// before, and in socket mode).
func (b *Bot) Addr() net.Addr {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.addr
}

// Post posts Markdown text (with [n] markers, such as a digest) to a
// channel as the bot, as Block Kit messages split as needed, with nothing
// able to ping anyone and no link previews. It returns the first
// message's ts. Each message's thread becomes the bot's, so replies there
// need no mention within the follow-up window; the caller may open it
// wider with Service.PostDigest.
func (b *Bot) Post(ctx context.Context, channelID, text string) (string, error) {
	if strings.TrimSpace(text) == "" {
		return "", errors.New("slack: nothing to post")
	}
	var first string
	for _, m := range RenderText(text) {
		ts, err := b.post(ctx, channelID, "", m)
		if err != nil {
			return first, fmt.Errorf("slack: posting to %s: %w", channelID, err)
		}
		if first == "" {
			first = ts
		}
		b.opts.Service.OpenThread(channelID, ts)
	}
	return first, nil
}

// Edit replaces the text of a message the bot posted, rendered as Post
// renders it; the text must fit one message.
func (b *Bot) Edit(ctx context.Context, channelID, ts, text string) error {
	ms := RenderText(text)
	if len(ms) != 1 {
		return fmt.Errorf("slack: an edit must be one message, not %d", len(ms))
	}
	if err := b.update(ctx, channelID, ts, ms[0]); err != nil {
		return fmt.Errorf("slack: editing %s: %w", ts, err)
	}
	return nil
}
