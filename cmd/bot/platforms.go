package main

import (
	"errors"
	"strings"

	"github.com/byline-bot/byline/adapters/chat"
)

// platformKind is one chat surface `bot serve` can run: everything the
// commands need to know of it, in one value. Adding a platform (Microsoft
// Teams, Matrix, Mattermost) is its adapter package on the chat.Platform
// contract, its section in Config, a serve_<name>.go holding its
// platformKind, and one line in platformKinds; nothing else in cmd/bot
// names a platform.
type platformKind struct {
	name string
	// enabled says whether the config turns the platform on.
	enabled func(Config) bool
	// channels returns the platform's default channel settings and those
	// of named channels.
	channels func(Config) (ChannelConfig, map[string]ChannelConfig)
	// secret returns the platform's secret token, which the feedback key
	// is derived from when chat.feedback_secret is unset.
	secret func(Config) string
	// check says what stops the platform connecting (a token unset),
	// before anything is opened.
	check func(Config) []error
	// validate checks the platform's own keys, other than its channels;
	// nil when it has none.
	validate func(Config) []error
	// build makes the platform's adapter over p.service.
	build func(w *wiring, p *platform) (chat.Platform, error)
}

// platformKinds are the platforms `bot serve` knows, in the order they
// start.
var platformKinds = []platformKind{discordKind, slackKind}

// kindNamed returns the platform called name.
func kindNamed(name string) (platformKind, bool) {
	for _, k := range platformKinds {
		if k.name == name {
			return k, true
		}
	}
	return platformKind{}, false
}

// kindNames lists the platforms for an error message: "discord or slack".
func kindNames() string {
	var names []string
	for _, k := range platformKinds {
		names = append(names, k.name)
	}
	if len(names) < 2 {
		return strings.Join(names, "")
	}
	return strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
}

// enabledKinds returns the platforms the config turns on.
func enabledKinds(c Config) []platformKind {
	var out []platformKind
	for _, k := range platformKinds {
		if k.enabled(c) {
			out = append(out, k)
		}
	}
	return out
}

// checkPlatforms says, before anything is opened, what stops `bot serve`
// from connecting: no platform enabled, or a token it needs unset.
func checkPlatforms(c Config) error {
	kinds := enabledKinds(c)
	if len(kinds) == 0 {
		var keys []string
		for _, k := range platformKinds {
			keys = append(keys, k.name+".enabled")
		}
		return errors.New("serve: no chat platform is enabled: set " + strings.Join(keys, " or ") + " to true in the config (see docs/discord.md and docs/slack.md); `bot chat` needs no platform")
	}
	var errs []error
	for _, k := range kinds {
		errs = append(errs, k.check(c)...)
	}
	return errors.Join(errs...)
}

// build makes the platform of kind k, with its answering pipeline.
func (w *wiring) build(k platformKind) (*platform, error) {
	def, channels := k.channels(w.e.cfg)
	s, q, err := w.service(k.name, def, channels)
	if err != nil {
		return nil, err
	}
	p := &platform{name: k.name, service: s, queue: q}
	if p.bot, err = k.build(w, p); err != nil {
		return nil, err
	}
	return p, nil
}
