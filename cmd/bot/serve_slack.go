package main

import (
	"github.com/byline-bot/byline/adapters/slack"
)

// slack builds the Slack platform.
func (w *wiring) slack() (*platform, error) {
	c := w.e.cfg.Slack
	s, q, err := w.service("slack", c.Default, c.Channels)
	if err != nil {
		return nil, err
	}
	p := &platform{name: "slack", service: s, queue: q}
	bot, err := slack.New(slack.Options{
		BotToken: c.BotToken, AppToken: c.AppToken, SigningSecret: c.SigningSecret, Mode: c.Mode, Listen: c.Listen,
		APIURL: c.APIURL, Admins: c.Admins, Service: s, Library: w.library,
		Digest: w.digestNow(p), OnReady: w.readyHook("slack"), Logger: w.e.log,
	})
	if err != nil {
		return nil, err
	}
	p.bot = bot
	return p, nil
}
