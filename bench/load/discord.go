package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"time"

	"github.com/byline-bot/byline/adapters/discord"
	"github.com/byline-bot/byline/adapters/discord/discordtest"
)

// discordDriver runs discord.Bot against a discordtest fake: each
// question is a MESSAGE_CREATE mentioning the bot in a text channel, and
// its answer must land in the thread the bot starts on that message.
type discordDriver struct {
	fake   *discordtest.Server
	rec    *recorder
	nextID atomic.Int64

	cancel context.CancelFunc
	done   chan error
	failed atomic.Int64 // REST answers of 400 and above (429s included)
}

func (d *discordDriver) name() string { return "discord" }

func (d *discordDriver) start(ctx context.Context, env botEnv) error {
	d.rec = env.rec
	d.nextID.Store(1_000_000_000)
	d.fake = discordtest.New(discordtest.Options{CountOnly: true, OnRequest: d.observe})
	for _, c := range env.channels {
		d.fake.AddChannel(discordtest.Channel{ID: c, GuildID: "g1", Type: discordtest.GuildText})
	}
	bot, err := discord.New(discord.Options{
		Token: d.fake.Token(), APIURL: d.fake.APIURL(), Guilds: []string{"g1"},
		Service: env.service, Library: env.library, Logger: env.logger,
	})
	if err != nil {
		return err
	}
	runCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	d.cancel, d.done = cancel, make(chan error, 1)
	go func() { d.done <- bot.Run(runCtx) }()

	// Ready once the gateway session is up and the commands registered,
	// which Run does after READY.
	wctx, wcancel := context.WithTimeout(ctx, 30*time.Second)
	defer wcancel()
	registered := "PUT /api/v10/applications/{app}/guilds/{guild}/commands"
	if err := d.fake.Wait(wctx, func() bool { return d.fake.Ready() && d.fake.Counts()[registered] > 0 }); err != nil {
		select {
		case err := <-d.done:
			return fmt.Errorf("discord: the bot stopped before it was ready: %w", err)
		default:
			return errors.New("discord: the bot did not connect to the fake within 30 s")
		}
	}
	return nil
}

// observe is the fake's OnRequest: it passes each message the bot posts
// or edits to the recorder.
func (d *discordDriver) observe(r discordtest.Request) {
	if r.Status >= 400 {
		d.failed.Add(1)
		return
	}
	// /api/v10/channels/{id}/...
	parts := strings.SplitN(r.Path, "/", 6)
	switch r.Route {
	case "POST /api/v10/channels/{id}/messages", "PATCH /api/v10/channels/{id}/messages/{mid}":
		d.rec.wrote(parts[4], r.Content(), r.At)
	case "POST /api/v10/channels/{id}/messages/{mid}/threads":
		d.rec.touch(r.ID, r.At)
	case "POST /api/v10/channels/{id}/typing":
		d.rec.touch(parts[4], r.At)
	}
}

func (d *discordDriver) ask(q *question) (string, error) {
	id := fmt.Sprint(d.nextID.Add(1))
	err := d.fake.MessageCreate(discordtest.UserMessage{
		ID: id, ChannelID: q.channel, Text: q.text, Mention: true,
		UserID: fmt.Sprintf("u%d", q.n), Username: fmt.Sprintf("reader%d", q.n),
	})
	// A thread started on a message has the message's id.
	return id, err
}

func (d *discordDriver) verify(q *question) error {
	c, ok := d.fake.Channel(q.want)
	switch {
	case !ok:
		return fmt.Errorf("%s: no thread was started on its message %s", q.tag, q.want)
	case c.Type != discordtest.PublicThread || c.ParentID != q.channel:
		return fmt.Errorf("%s: %s is a channel of type %d in %q, want a thread in %s", q.tag, q.want, c.Type, c.ParentID, q.channel)
	}
	return nil
}

func (d *discordDriver) stop() error {
	defer d.fake.Close()
	d.cancel()
	select {
	case err := <-d.done:
		if n := d.failed.Load(); n > 0 && err == nil {
			err = fmt.Errorf("discord: the fake answered %d requests with an error status", n)
		}
		return err
	case <-time.After(time.Minute):
		return errors.New("discord: Run did not return a minute after it was stopped")
	}
}

func (d *discordDriver) requests() map[string]int {
	c := d.fake.Counts()
	c["(answered with a status of 400 or more)"] = int(d.failed.Load())
	return c
}
