package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/byline-bot/byline/adapters/slack"
	"github.com/byline-bot/byline/adapters/slack/slacktest"
)

// slackDriver runs slack.Bot in Socket Mode against a slacktest fake: each
// question is a user's message mentioning the bot in a channel, delivered
// as Slack delivers it, an app_mention event and a message event, and its
// answer must land in the thread on that message (thread_ts = its ts), in
// its channel.
type slackDriver struct {
	fake *slacktest.Server
	rec  *recorder
	// where maps the envelope id of each question's app_mention to where
	// its answer must land.
	where sync.Map

	cancel context.CancelFunc
	done   chan error
	failed atomic.Int64 // answers with a 4xx or 5xx status or a Web API error
}

func (d *slackDriver) name() string { return "slack" }

func (d *slackDriver) start(ctx context.Context, env botEnv) error {
	d.rec = env.rec
	d.fake = slacktest.New(slacktest.Options{BotToken: "xoxb-load-test", AppToken: "xapp-load-test", CountOnly: true, OnRequest: d.observe, OnAck: d.acked})
	bot, err := slack.New(slack.Options{
		BotToken: d.fake.BotToken(), AppToken: d.fake.AppToken(), Mode: "socket", APIURL: d.fake.APIURL(),
		Service: env.service, Library: env.library, Logger: env.logger,
	})
	if err != nil {
		d.fake.Close()
		return err
	}
	runCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	d.cancel, d.done = cancel, make(chan error, 1)
	go func() { d.done <- bot.Run(runCtx) }()

	// Ready once Socket Mode said hello: Run checks the token (auth.test)
	// before it connects, and the client queues what comes after hello.
	wctx, wcancel := context.WithTimeout(ctx, 30*time.Second)
	defer wcancel()
	if err := d.fake.Wait(wctx, d.fake.Connected); err != nil {
		select {
		case err := <-d.done:
			return fmt.Errorf("slack: the bot stopped before it was ready: %w", err)
		default:
			return errors.New("slack: the bot did not connect to the fake within 30 s")
		}
	}
	return nil
}

// observe is the fake's OnRequest: it passes each message the bot posts
// or updates to the recorder, where being "channel/thread_ts".
func (d *slackDriver) observe(r slacktest.Request) {
	if !r.OK() {
		d.failed.Add(1)
		return
	}
	switch r.Method {
	case "chat.postMessage":
		d.rec.wrote(r.Channel+"/"+r.ThreadTS, r.Text(), r.At)
	case "chat.update":
		// The update names the message, not its thread; the fake knows.
		m, _ := d.fake.MessageAt(r.Channel, r.TS)
		d.rec.wrote(r.Channel+"/"+m.ThreadTS, r.Text(), r.At)
	}
}

// acked is the fake's OnAck: a question's app_mention acknowledged is the
// adapter's first sign of it (Slack shows no typing from bots).
func (d *slackDriver) acked(a slacktest.Ack) {
	if w, ok := d.where.Load(a.EnvelopeID); ok {
		d.rec.touch(w.(string), a.At)
	}
}

func (d *slackDriver) ask(q *question) (string, error) {
	// A unique ts per question; the fake's own messages are in the
	// 1800000000s.
	m := slacktest.UserMessage{
		Channel: q.channel, TS: fmt.Sprintf("1700000000.%06d", q.n), User: fmt.Sprintf("U%06d", q.n),
		Text: q.text, Mention: true,
		EnvelopeID: fmt.Sprintf("env-%d-mention", q.n), EventID: fmt.Sprintf("Ev%dM", q.n),
	}
	want := q.channel + "/" + m.TS
	d.where.Store(m.EnvelopeID, want)
	d.rec.sent(q, want) // before the ack can come

	if err := d.fake.AppMention(m); err != nil {
		return "", err
	}
	// Slack sends the message event too (message.channels); the bot is to
	// leave it to the app_mention.
	m.EnvelopeID, m.EventID = fmt.Sprintf("env-%d-message", q.n), fmt.Sprintf("Ev%dm", q.n)
	return want, d.fake.Message(m)
}

func (d *slackDriver) verify(q *question) error {
	channel, ts, _ := strings.Cut(q.want, "/")
	if channel != q.channel {
		return fmt.Errorf("%s: asked in %s, expected in %s", q.tag, q.channel, channel)
	}
	finals := 0
	for _, m := range d.fake.Messages(channel, ts) {
		if finalRE.MatchString(m.Text) && strings.Contains(m.Text, q.tag) {
			finals++
		}
	}
	if finals != 1 {
		return fmt.Errorf("%s: the thread %s in %s holds %d final answers, want 1", q.tag, ts, channel, finals)
	}
	if n := len(d.fake.Messages(channel, "")); n > 0 {
		return fmt.Errorf("%s: %d messages were posted in %s itself, not in a thread", q.tag, n, channel)
	}
	return nil
}

func (d *slackDriver) stop() error {
	defer d.fake.Close()
	d.cancel()
	select {
	case err := <-d.done:
		if n := d.failed.Load(); n > 0 && err == nil {
			err = fmt.Errorf("slack: the fake answered %d requests with an error", n)
		}
		return err
	case <-time.After(time.Minute):
		return errors.New("slack: Run did not return a minute after it was stopped")
	}
}

func (d *slackDriver) requests() map[string]int {
	c := d.fake.Counts()
	s := d.fake.Socket()
	c["(answered with an error: a status of 400 or more, or ok: false)"] = int(d.failed.Load())
	c["(Socket Mode envelopes sent)"] = s.Sent
	c["(Socket Mode acknowledgements)"] = s.Acks
	return c
}
