package main

import (
	"errors"
	"strings"

	"github.com/byline-bot/byline/adapters/chat"
	"github.com/byline-bot/byline/adapters/slack"
)

// slackKind is the Slack platform.
var slackKind = platformKind{
	name:    "slack",
	enabled: func(c Config) bool { return c.Slack.Enabled },
	channels: func(c Config) (ChannelConfig, map[string]ChannelConfig) {
		return c.Slack.Default, c.Slack.Channels
	},
	secret: func(c Config) string { return c.Slack.BotToken },
	check: func(c Config) []error {
		var errs []error
		if strings.TrimSpace(c.Slack.BotToken) == "" {
			errs = append(errs, errors.New("slack.bot_token is empty: set the SLACK_BOT_TOKEN environment variable (xoxb-..., from OAuth & Permissions); see docs/slack.md"))
		}
		if c.Slack.Mode == "socket" && strings.TrimSpace(c.Slack.AppToken) == "" {
			errs = append(errs, errors.New("slack.app_token is empty: Socket Mode needs SLACK_APP_TOKEN (xapp-..., with connections:write, from Basic Information); see docs/slack.md"))
		}
		if c.Slack.Mode == "http" && strings.TrimSpace(c.Slack.SigningSecret) == "" {
			errs = append(errs, errors.New("slack.signing_secret is empty: HTTP mode needs SLACK_SIGNING_SECRET (from Basic Information); see docs/slack.md"))
		}
		return errs
	},
	validate: func(c Config) []error {
		switch c.Slack.Mode {
		case "socket", "http":
			return nil
		}
		return []error{bad("slack.mode", "is %q: use socket or http", c.Slack.Mode)}
	},
	build: func(w *wiring, p *platform) (chat.Platform, error) {
		c := w.e.cfg.Slack
		return slack.New(slack.Options{
			BotToken: c.BotToken, AppToken: c.AppToken, SigningSecret: c.SigningSecret, Mode: c.Mode, Listen: c.Listen,
			APIURL: c.APIURL, Admins: c.Admins, Service: p.service, Library: w.library,
			Digest: w.digestNow(p), OnReady: w.readyHook(p.name), Logger: w.e.log,
		})
	},
}
