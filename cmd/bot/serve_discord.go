package main

import (
	"errors"
	"strings"

	"github.com/byline-bot/byline/adapters/chat"
	"github.com/byline-bot/byline/adapters/discord"
)

// discordKind is the Discord platform.
var discordKind = platformKind{
	name:    "discord",
	enabled: func(c Config) bool { return c.Discord.Enabled },
	channels: func(c Config) (ChannelConfig, map[string]ChannelConfig) {
		return c.Discord.Default, c.Discord.Channels
	},
	secret: func(c Config) string { return c.Discord.Token },
	check: func(c Config) []error {
		if strings.TrimSpace(c.Discord.Token) == "" {
			return []error{errors.New("discord.token is empty: set the DISCORD_BOT_TOKEN environment variable (the config names it as ${DISCORD_BOT_TOKEN}); docs/discord.md says where to find it")}
		}
		return nil
	},
	build: func(w *wiring, p *platform) (chat.Platform, error) {
		c := w.e.cfg.Discord
		return discord.New(discord.Options{
			Token: c.Token, APIURL: c.APIURL, Guilds: c.Guilds, Service: p.service, Library: w.library,
			Digest: w.digestNow(p), OnReady: w.readyHook(p.name), Logger: w.e.log,
		})
	},
}
