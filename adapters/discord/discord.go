// Package discord connects Byline to Discord: it answers mentions, direct
// messages, follow-ups in its threads and every message of auto-answer
// channels, serves the /ask, /search, /source, /digest and /help slash
// commands, and renders answers with their numbered sources within
// Discord's limits.
//
// What is not particular to Discord (which messages to answer, the order
// of questions in a thread, quotas, per-channel settings, splitting long
// answers) is the shared chat package's; this package translates Discord's
// events into chat.Message values and carries out what chat decides.
//
// The Discord SDK is github.com/bwmarrin/discordgo. Its REST calls sit
// behind the small rest interface below, so the adapter's logic can be
// tested against a hand-written fake; its gateway is exercised in the
// tests against a local fake Discord that speaks the wire protocol.
package discord

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/gorilla/websocket"

	"github.com/byline-bot/byline/adapters/chat"
)

// ErrTokenRejected is returned by Run when Discord refuses the bot token.
var ErrTokenRejected = errors.New("discord: the bot token was rejected (401): check DISCORD_BOT_TOKEN")

// Permissions are the channel permissions the bot needs, as the integer
// the invite URL carries: View Channels, Send Messages, Read Message
// History, Use Application Commands, Create Public Threads and Send
// Messages in Threads (311385197568).
const Permissions = discordgo.PermissionViewChannel | discordgo.PermissionSendMessages |
	discordgo.PermissionReadMessageHistory | discordgo.PermissionUseApplicationCommands |
	discordgo.PermissionCreatePublicThreads | discordgo.PermissionSendMessagesInThreads

// InviteURL is the link that adds the application to a server as a bot
// with its slash commands and Permissions.
func InviteURL(appID string) string {
	return "https://discord.com/oauth2/authorize?client_id=" + url.QueryEscape(appID) +
		"&scope=bot+applications.commands&permissions=" + strconv.FormatInt(Permissions, 10)
}

// Options configures a Bot.
type Options struct {
	// Token is the bot token from the developer portal, without the "Bot "
	// prefix (one given with it is accepted). Required.
	Token string
	// APIURL replaces Discord's REST root, such as
	// "http://127.0.0.1:8080/api/v10/", for Discord-compatible servers and
	// end-to-end tests; the gateway is whatever that server's GET /gateway
	// names. "" means the real Discord.
	//
	// discordgo builds its URLs from package-level variables
	// (discordgo.EndpointAPI and the rest), which this package never
	// writes: the Bot's HTTP client instead rewrites each request's URL
	// from discordgo's root to this one, so Bots with different roots can
	// run side by side in one process.
	APIURL string
	// Guilds are the server ids to register the slash commands in, which
	// takes effect at once; empty registers them globally, which Discord
	// can take up to an hour to show.
	Guilds []string
	// Service is the shared answering pipeline (policy, limits, queue,
	// engine). Its Policy holds the per-channel settings, keyed by Discord
	// channel id; a thread takes its parent channel's settings. Its queue
	// is also the one tracker of the bot's work in flight: Run drains it
	// (closing it) at shutdown, so a Service serves one Run. Required.
	Service *chat.Service
	// Library serves /search and /source. Required.
	Library chat.Library
	// Digest posts today's digest to a channel now and returns a short
	// status for the moderator who asked. Nil means /digest says digests
	// are not configured.
	Digest func(ctx context.Context, channelID string) (string, error)
	// OnReady, when set, is told whether the bot takes questions, for a
	// readiness check: true once the gateway session is up (and again
	// after a resume or reconnect), false when the gateway drops. It is
	// called from the gateway's goroutine and must be quick.
	OnReady func(ready bool)
	// ConnectTimeout bounds connecting to the gateway at start. Zero means
	// 30 seconds.
	ConnectTimeout time.Duration
	// DrainTimeout bounds how long Run, once its context is done, waits for
	// answers in flight to be posted. Zero means 30 seconds.
	DrainTimeout time.Duration
	// Logger receives the adapter's logs. Nil means discard.
	Logger *slog.Logger
	// Now is the clock; nil means time.Now. Nothing in the adapter reads
	// the time of day yet: answers are paced and timed by the Service's
	// own clock, and the adapter's waits (429s, typing) are real timers.
	Now func() time.Time
}

// rest is the part of *discordgo.Session's REST API the bot uses.
type rest interface {
	User(userID string, options ...discordgo.RequestOption) (*discordgo.User, error)
	Channel(channelID string, options ...discordgo.RequestOption) (*discordgo.Channel, error)
	ChannelMessageSendComplex(channelID string, data *discordgo.MessageSend, options ...discordgo.RequestOption) (*discordgo.Message, error)
	ChannelMessageEditComplex(m *discordgo.MessageEdit, options ...discordgo.RequestOption) (*discordgo.Message, error)
	ChannelMessage(channelID, messageID string, options ...discordgo.RequestOption) (*discordgo.Message, error)
	ChannelTyping(channelID string, options ...discordgo.RequestOption) error
	MessageThreadStartComplex(channelID, messageID string, data *discordgo.ThreadStart, options ...discordgo.RequestOption) (*discordgo.Channel, error)
	InteractionRespond(interaction *discordgo.Interaction, resp *discordgo.InteractionResponse, options ...discordgo.RequestOption) error
	InteractionResponseEdit(interaction *discordgo.Interaction, newresp *discordgo.WebhookEdit, options ...discordgo.RequestOption) (*discordgo.Message, error)
	FollowupMessageCreate(interaction *discordgo.Interaction, wait bool, data *discordgo.WebhookParams, options ...discordgo.RequestOption) (*discordgo.Message, error)
	ApplicationCommandBulkOverwrite(appID string, guildID string, commands []*discordgo.ApplicationCommand, options ...discordgo.RequestOption) ([]*discordgo.ApplicationCommand, error)
}

// gateway is the part of *discordgo.Session that holds the websocket.
type gateway interface {
	Open() error
	Close() error
	AddHandler(handler interface{}) func()
}

// A Bot is a chat platform on which threads are started on messages.
var (
	_ chat.Platform      = (*Bot)(nil)
	_ chat.ThreadStarter = (*Bot)(nil)
)

// Bot is Byline on Discord.
type Bot struct {
	opts Options
	log  *slog.Logger
	rest rest
	gw   gateway
	dial *dialer

	channels channelCache

	mu      sync.Mutex
	botID   string
	appID   string
	running bool
	opened  bool // the first gateway session was up
	// roles holds, per guild, the bot's own role (the one Discord makes
	// for a bot invited with permissions): people often mention it
	// instead of the bot.
	roles map[string]string
}

// New returns a Bot; Run connects it.
func New(opts Options) (*Bot, error) {
	token := strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(opts.Token), "Bot "))
	if token == "" {
		return nil, errors.New("discord: no bot token: set discord.token, normally to ${DISCORD_BOT_TOKEN}")
	}
	if opts.Service == nil || opts.Library == nil {
		return nil, errors.New("discord: a chat service and a library are required")
	}
	client := &http.Client{Timeout: 20 * time.Second}
	if opts.APIURL != "" {
		root, err := apiRoot(opts.APIURL)
		if err != nil {
			return nil, err
		}
		client.Transport = &rewriter{from: discordgo.EndpointAPI, to: root, next: http.DefaultTransport}
	}
	s, err := discordgo.New("Bot " + token)
	if err != nil {
		return nil, fmt.Errorf("discord: %w", err)
	}
	s.Client = client
	d := &dialer{}
	s.Dialer = &websocket.Dialer{Proxy: http.ProxyFromEnvironment, HandshakeTimeout: 45 * time.Second, NetDialContext: d.dial}
	s.Identify.Intents = discordgo.IntentsGuilds | discordgo.IntentsGuildMessages | discordgo.IntentsDirectMessages | discordgo.IntentsMessageContent
	// Events are handed to the handlers in the gateway's order; they only
	// queue work, so the gateway loop never waits on an answer.
	s.SyncEvents = true
	// The bot keeps its own small channel cache instead of discordgo's
	// whole-server state.
	s.StateEnabled = false
	// discordgo logs through a package-level logger; the session's
	// connects, disconnects and resumes are logged here instead (see
	// handlers).
	s.LogLevel = -1
	// 429s are waited out by send (honouring ctx, a bounded number of
	// times) rather than by discordgo's unbounded sleep-and-retry.
	s.ShouldRetryOnRateLimit = false
	b := newBot(opts, s, s)
	b.dial = d
	return b, nil
}

// newBot returns a Bot over the given REST client and gateway.
func newBot(opts Options, r rest, gw gateway) *Bot {
	if opts.ConnectTimeout == 0 {
		opts.ConnectTimeout = 30 * time.Second
	}
	if opts.DrainTimeout == 0 {
		opts.DrainTimeout = 30 * time.Second
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	b := &Bot{opts: opts, log: log.With("component", "discord"), rest: r, gw: gw}
	b.channels.init()
	return b
}

// apiRoot checks an API root and gives it a trailing slash.
func apiRoot(s string) (string, error) {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", fmt.Errorf("discord: api_url %q is not an http(s) URL such as https://discord.example/api/v10/", s)
	}
	if !strings.HasSuffix(s, "/") {
		s += "/"
	}
	return s, nil
}

// rewriter sends requests for one URL root to another.
type rewriter struct {
	from, to string
	next     http.RoundTripper
}

// RoundTrip implements http.RoundTripper.
func (t *rewriter) RoundTrip(req *http.Request) (*http.Response, error) {
	s := req.URL.String()
	if !strings.HasPrefix(s, t.from) {
		return t.next.RoundTrip(req)
	}
	u, err := url.Parse(t.to + strings.TrimPrefix(s, t.from))
	if err != nil {
		return nil, fmt.Errorf("discord: rewriting a request URL to api_url: %w", err)
	}
	r := req.Clone(req.Context())
	r.URL, r.Host = u, u.Host
	return t.next.RoundTrip(r)
}

// dialer dials the gateway and remembers the last connection, so a
// start that hangs (a server that never says READY) can be cut short.
type dialer struct {
	mu   sync.Mutex
	last net.Conn
}

func (d *dialer) dial(ctx context.Context, network, addr string) (net.Conn, error) {
	c, err := (&net.Dialer{Timeout: 30 * time.Second}).DialContext(ctx, network, addr)
	if err == nil {
		d.mu.Lock()
		d.last = c
		d.mu.Unlock()
	}
	return c, err
}

// abort closes the last connection dialled.
func (d *dialer) abort() {
	if d == nil {
		return
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.last != nil {
		d.last.Close()
	}
}

// Run connects to Discord and answers until ctx is done. It checks the
// token first (a rejected one is ErrTokenRejected, at once), opens the
// gateway, registers the slash commands, and handles events. When ctx is
// done it closes the gateway and waits, at most Options.DrainTimeout, for
// the answers in flight to be posted (Service.Drain); those run in the
// Service's queue, so cancel the queue's context only after Run returns.
func (b *Bot) Run(ctx context.Context) error {
	b.mu.Lock()
	if b.running {
		b.mu.Unlock()
		return errors.New("discord: Run called twice")
	}
	b.running = true
	b.mu.Unlock()

	me, err := b.rest.User("@me", discordgo.WithContext(ctx))
	if err != nil {
		return b.startError(err)
	}
	b.setIDs(me.ID, "")
	b.log.Info("discord: token accepted", "bot", me.Username, "id", me.ID)

	// Work outlives ctx so that answers in flight at shutdown are posted.
	work := context.WithoutCancel(ctx)
	pre := chat.NewQueue(work, 4, 256)
	var removers []func()
	for _, h := range b.handlers(work, pre) {
		removers = append(removers, b.gw.AddHandler(h))
	}
	stop := func() {
		for _, rm := range removers {
			rm()
		}
	}

	if err := b.open(ctx); err != nil {
		stop()
		return err
	}
	_, appID := b.ids()
	b.log.Info("discord: connected to the gateway", "invite", InviteURL(appID))
	b.mu.Lock()
	b.opened = true
	b.mu.Unlock()
	b.ready(true)
	b.registerCommands(ctx)

	<-ctx.Done()
	b.log.Info("discord: shutting down")
	stop()
	if err := b.gw.Close(); err != nil {
		b.log.Warn("discord: closing the gateway", "err", err)
	}
	b.log.Info("discord: gateway closed; waiting for answers in flight", "in_flight", b.opts.Service.InFlight())
	if left := b.opts.Service.Drain(b.opts.DrainTimeout); left > 0 {
		b.log.Warn("discord: gave up waiting for answers in flight", "waited", b.opts.DrainTimeout, "left", left)
	}
	return nil
}

// open opens the gateway within Options.ConnectTimeout.
func (b *Bot) open(ctx context.Context) error {
	done := make(chan error, 1)
	go func() { done <- b.gw.Open() }()
	t := time.NewTimer(b.opts.ConnectTimeout)
	defer t.Stop()
	var timedOut bool
	select {
	case err := <-done:
		return gatewayError(err)
	case <-ctx.Done():
	case <-t.C:
		timedOut = true
	}
	// Cut the connection that hangs, so Open returns.
	b.dial.abort()
	err := <-done
	if err == nil {
		// It connected just as we gave up.
		if cerr := b.gw.Close(); cerr != nil {
			b.log.Warn("discord: closing the gateway", "err", cerr)
		}
	}
	if timedOut {
		return fmt.Errorf("discord: the gateway did not say READY within %s", b.opts.ConnectTimeout)
	}
	return ctx.Err()
}

// startError explains a failed check of the token at start.
func (b *Bot) startError(err error) error {
	if status, _ := restStatus(err); status == http.StatusUnauthorized {
		return ErrTokenRejected
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		// The URL in ue is discordgo's own, before api_url rewrote it.
		where := "https://discord.com/api/"
		if b.opts.APIURL != "" {
			where = b.opts.APIURL
		}
		return fmt.Errorf("discord: cannot reach the API at %s: %w", where, ue.Err)
	}
	return fmt.Errorf("discord: checking the bot token: %w", err)
}

// gatewayError explains a failed gateway connection, naming the fix where
// there is one.
func gatewayError(err error) error {
	if err == nil {
		return nil
	}
	var ce *websocket.CloseError
	if errors.As(err, &ce) {
		switch ce.Code {
		case 4004:
			return ErrTokenRejected
		case 4014:
			return errors.New("discord: the gateway refused the Message Content intent (4014): enable it in the developer portal under Bot, Privileged Gateway Intents")
		case 4013:
			return errors.New("discord: the gateway refused the intents asked for (4013)")
		}
	}
	if status, _ := restStatus(err); status == http.StatusUnauthorized {
		return ErrTokenRejected
	}
	return fmt.Errorf("discord: connecting to the gateway: %w", err)
}

// restStatus returns the HTTP status and Discord's error code of a failed
// REST call, or zeros.
func restStatus(err error) (status, code int) {
	var re *discordgo.RESTError
	if !errors.As(err, &re) || re.Response == nil {
		return 0, 0
	}
	if re.Message != nil {
		code = re.Message.Code
	}
	return re.Response.StatusCode, code
}

func (b *Bot) setIDs(botID, appID string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if botID != "" {
		b.botID = botID
	}
	if appID != "" {
		b.appID = appID
	}
}

// connected reports whether Run has had its first session up, after
// which a READY means a reconnect.
func (b *Bot) connected() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.opened
}

// ready passes the gateway's state on to Options.OnReady.
func (b *Bot) ready(up bool) {
	if b.opts.OnReady != nil {
		b.opts.OnReady(up)
	}
}

// setRole remembers the bot's own role in a guild.
func (b *Bot) setRole(guildID, roleID string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.roles == nil {
		b.roles = make(map[string]string)
	}
	b.roles[guildID] = roleID
}

// role returns the bot's own role in a guild, if known.
func (b *Bot) role(guildID string) string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.roles[guildID]
}

func (b *Bot) ids() (botID, appID string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	appID = b.appID
	if appID == "" {
		// A bot's user id is its application's id for every application
		// made since 2016; READY says for sure.
		appID = b.botID
	}
	return b.botID, appID
}

// Post posts text to a channel (or thread) as the bot, split into as many
// messages as it takes, with no mention able to ping anyone and no link
// previews. It returns the first message's id. A thread posted to becomes
// the bot's, so replies there need no mention within the follow-up window.
func (b *Bot) Post(ctx context.Context, channelID, text string) (string, error) {
	pieces := RenderText(text)
	if len(pieces) == 0 {
		return "", errors.New("discord: nothing to post")
	}
	var first string
	for _, p := range pieces {
		m, err := b.send(ctx, channelID, p, nil)
		if err != nil {
			return first, fmt.Errorf("discord: posting to %s: %w", channelID, err)
		}
		if first == "" {
			first = m.ID
		}
	}
	if ci, err := b.channels.lookup(ctx, b.rest, channelID); err == nil && ci.thread {
		b.opts.Service.OpenThread(ci.parent, channelID)
	}
	return first, nil
}

// StartThread starts a public thread named name on a message, such as a
// digest the bot posted, so that people discuss it there; the bot answers
// in the thread as in its own. It returns the thread's id, which Discord
// gives the message's. The name is cut to Discord's 100 characters.
func (b *Bot) StartThread(ctx context.Context, channelID, messageID, name string) (string, error) {
	name = threadName(name)
	var ch *discordgo.Channel
	err := retry(ctx, b.log, "start thread", func(opts ...discordgo.RequestOption) error {
		var err error
		ch, err = b.rest.MessageThreadStartComplex(channelID, messageID, &discordgo.ThreadStart{Name: name, AutoArchiveDuration: 1440}, opts...)
		return err
	})
	if err != nil {
		return "", fmt.Errorf("discord: starting a thread on %s: %w", messageID, scrub(err))
	}
	b.channels.put(ch.ID, channelInfo{thread: true, parent: channelID})
	b.opts.Service.OpenThread(channelID, ch.ID)
	return ch.ID, nil
}

// Edit replaces the text of a message the bot posted, rendered as Post
// renders it; the text must fit one message.
func (b *Bot) Edit(ctx context.Context, channelID, messageID, text string) error {
	pieces := RenderText(text)
	if len(pieces) != 1 {
		return fmt.Errorf("discord: an edit must be one message of at most %d characters, not %d messages", MaxMessage, len(pieces))
	}
	if err := b.edit(ctx, channelID, messageID, pieces[0]); err != nil {
		return fmt.Errorf("discord: editing %s: %w", messageID, err)
	}
	return nil
}
