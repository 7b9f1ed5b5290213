package main

import (
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/byline-bot/byline/adapters/chat"
)

// ChatConfig holds the answering rules Discord and Slack share.
type ChatConfig struct {
	// FollowUpWindow is how long after its answer the bot answers replies
	// in its thread without a new mention.
	FollowUpWindow Duration `yaml:"follow_up_window"`
	// MaxTurns is how many earlier turns a follow-up sees.
	MaxTurns int `yaml:"max_turns"`
	// UserPerMinute and UserBurst limit questions per user; 0 per minute
	// means no limit.
	UserPerMinute float64 `yaml:"user_per_minute"`
	UserBurst     int     `yaml:"user_burst"`
	// ChannelPerMinute and ChannelBurst limit questions per channel.
	ChannelPerMinute float64 `yaml:"channel_per_minute"`
	ChannelBurst     int     `yaml:"channel_burst"`
	// Concurrent is how many answers are worked on at once.
	Concurrent int `yaml:"concurrent"`
	// PerConversation is how many questions one thread may have at once,
	// the one being answered included.
	PerConversation int `yaml:"per_conversation"`
	// AnswerDeadline bounds one answer from the moment its turn comes.
	AnswerDeadline Duration `yaml:"answer_deadline"`
	// CorrectionsCheck is how often `bot serve` looks for correction
	// notices to post (those a `bot ingest` beside it left; a feed poll
	// that updates an article has them looked for at once).
	CorrectionsCheck Duration `yaml:"corrections_check"`
	// FeedbackSecret keys the hashes of user ids in the answer records and
	// the MACs of the feedback buttons' ids, as ${BYLINE_FEEDBACK_SECRET};
	// empty derives a key from each platform's token.
	FeedbackSecret string `yaml:"feedback_secret"`
}

// ChannelConfig is how the bot behaves in a channel. In a channels entry,
// keys left out take the platform's default.
type ChannelConfig struct {
	// Allowed false keeps the bot silent in the channel.
	Allowed *bool `yaml:"allowed"`
	// Mode is mention (answer when mentioned) or auto (answer every
	// human message: an "ask the news" channel).
	Mode string `yaml:"mode"`
	// Reply is thread (answer in a thread started on the question) or
	// reply (answer in the channel, as a reply).
	Reply string `yaml:"reply"`
	// Private shows slash-command answers to the asker only.
	Private *bool `yaml:"private"`
	// Sources limits answers to these outlets; empty means all.
	Sources []string `yaml:"sources"`
	// Corrections is thread (when a paragraph an answer cited changes,
	// say so once in the answer's thread and mark the answer superseded)
	// or off.
	Corrections string `yaml:"corrections"`
}

// DiscordConfig connects the bot to Discord.
type DiscordConfig struct {
	// Enabled connects `bot serve` to Discord.
	Enabled bool `yaml:"enabled"`
	// Token is the bot token, as ${DISCORD_BOT_TOKEN}.
	Token string `yaml:"token"`
	// APIURL replaces Discord's API root, for compatible servers and tests.
	APIURL string `yaml:"api_url"`
	// Guilds register the slash commands in these servers (instant);
	// empty registers them globally (may take up to an hour).
	Guilds []string `yaml:"guilds"`
	// Default applies to channels not listed in Channels.
	Default ChannelConfig `yaml:"default"`
	// Channels override Default per channel id.
	Channels map[string]ChannelConfig `yaml:"channels"`
}

// SlackConfig connects the bot to Slack.
type SlackConfig struct {
	// Enabled connects `bot serve` to Slack.
	Enabled bool `yaml:"enabled"`
	// BotToken is the xoxb- token, as ${SLACK_BOT_TOKEN}.
	BotToken string `yaml:"bot_token"`
	// AppToken is the xapp- token Socket Mode needs, as ${SLACK_APP_TOKEN}.
	AppToken string `yaml:"app_token"`
	// SigningSecret checks HTTP mode's requests, as ${SLACK_SIGNING_SECRET}.
	SigningSecret string `yaml:"signing_secret"`
	// Mode is socket (no public URL needed) or http.
	Mode string `yaml:"mode"`
	// Listen is HTTP mode's address.
	Listen string `yaml:"listen"`
	// APIURL replaces Slack's API root (GovSlack, tests).
	APIURL string `yaml:"api_url"`
	// Admins are the user ids allowed to post a digest on demand.
	Admins []string `yaml:"admins"`
	// Default applies to channels not listed in Channels.
	Default ChannelConfig `yaml:"default"`
	// Channels override Default per channel id.
	Channels map[string]ChannelConfig `yaml:"channels"`
}

// DigestConfig schedules the daily digests.
type DigestConfig struct {
	// Grace is how late a digest missed while the bot was down may still
	// be posted.
	Grace Duration `yaml:"grace"`
	// Channels get a digest each.
	Channels []DigestChannelConfig `yaml:"channels"`
}

// DigestChannelConfig is one channel's digest.
type DigestChannelConfig struct {
	// Name names the digest for `bot digest --channel` and the logs.
	Name string `yaml:"name"`
	// Platform is discord or slack.
	Platform string `yaml:"platform"`
	// Channel is the channel id.
	Channel string `yaml:"channel"`
	// Time is the local time of day, HH:MM.
	Time ClockTime `yaml:"time"`
	// Timezone is an IANA name such as Europe/London; empty means UTC.
	Timezone TimeZone `yaml:"timezone"`
	// Days are the weekdays (mon … sun); empty means every day.
	Days []Weekday `yaml:"days"`
	// MaxItems caps the stories in one digest.
	MaxItems int `yaml:"max_items"`
	// Sources limits the digest to these outlets.
	Sources []string `yaml:"sources"`
	// QuietDay posts a short line when nothing is new.
	QuietDay bool `yaml:"quiet_day"`
}

// GapsConfig posts, once a week, the questions of the last seven days
// the articles could not answer (what `bot gaps` lists) to a channel,
// for the editors. Empty Platform posts nothing.
type GapsConfig struct {
	// Platform is discord or slack.
	Platform string `yaml:"platform"`
	// Channel is the channel id.
	Channel string `yaml:"channel"`
	// Weekday and Time are when, in Timezone (empty: UTC).
	Weekday  Weekday   `yaml:"weekday"`
	Time     ClockTime `yaml:"time"`
	Timezone TimeZone  `yaml:"timezone"`
}

// FeedsConfig lists feeds `bot serve` keeps ingested.
type FeedsConfig struct {
	// URLs are RSS or Atom feeds.
	URLs []string `yaml:"urls"`
	// Interval is the time between two polls of a feed.
	Interval Duration `yaml:"interval"`
}

// defaultChannel is how the bot behaves in a channel the config does not
// mention: it answers mentions, in a thread, for everyone to see.
func defaultChannel() ChannelConfig {
	yes, no := true, false
	return ChannelConfig{Allowed: &yes, Mode: "mention", Reply: "thread", Private: &no, Sources: []string{}, Corrections: "thread"}
}

// settings resolves a channel's config over a complete default into chat
// settings.
func (c ChannelConfig) settings(def ChannelConfig) chat.ChannelSettings {
	c = c.over(def)
	return chat.ChannelSettings{
		Allowed:       *c.Allowed,
		AutoAnswer:    c.Mode == "auto",
		ReplyInThread: c.Reply != "reply",
		Private:       *c.Private,
		Sources:       c.Sources,
	}
}

// over fills the keys c leaves out from def.
func (c ChannelConfig) over(def ChannelConfig) ChannelConfig {
	if c.Allowed == nil {
		c.Allowed = def.Allowed
	}
	if c.Mode == "" {
		c.Mode = def.Mode
	}
	if c.Reply == "" {
		c.Reply = def.Reply
	}
	if c.Private == nil {
		c.Private = def.Private
	}
	if c.Sources == nil {
		c.Sources = def.Sources
	}
	if c.Corrections == "" {
		c.Corrections = def.Corrections
	}
	return c
}

func (c ChannelConfig) validate(key string) []error {
	var errs []error
	switch c.Mode {
	case "", "mention", "auto":
	default:
		errs = append(errs, bad(key+".mode", "is %q: use mention or auto", c.Mode))
	}
	switch c.Reply {
	case "", "thread", "reply":
	default:
		errs = append(errs, bad(key+".reply", "is %q: use thread or reply", c.Reply))
	}
	switch c.Corrections {
	case "", "thread", "off":
	default:
		errs = append(errs, bad(key+".corrections", "is %q: use thread or off", c.Corrections))
	}
	return errs
}

// correctionsOn says whether a channel of a platform takes correction
// notices, by its channel config over the platform's default.
func correctionsOn(c Config) func(platform, channel string) bool {
	return func(platform, channel string) bool {
		k, ok := kindNamed(platform)
		if !ok {
			return false
		}
		def, channels := k.channels(c)
		def = def.over(defaultChannel())
		return channels[channel].over(def).Corrections != "off"
	}
}

// chatSettings returns a platform's answering rules.
func chatSettings(c ChatConfig, def ChannelConfig, channels map[string]ChannelConfig) chat.Settings {
	def = def.over(defaultChannel())
	s := chat.Settings{Default: def.settings(def), Channels: make(map[string]chat.ChannelSettings), MaxTurns: c.MaxTurns}
	s.FollowUpWindow = c.FollowUpWindow.D()
	for id, cc := range channels {
		s.Channels[id] = cc.settings(def)
	}
	return s
}

// validateServe checks the chat, platform, digest and feed keys.
func (c Config) validateServe() []error {
	var errs []error
	errs = append(errs, positive("chat.follow_up_window", c.Chat.FollowUpWindow, "30m"))
	errs = append(errs, positive("chat.answer_deadline", c.Chat.AnswerDeadline, "2m"))
	errs = append(errs, positive("chat.corrections_check", c.Chat.CorrectionsCheck, "1m"))
	for key, n := range map[string]int{"chat.max_turns": c.Chat.MaxTurns, "chat.concurrent": c.Chat.Concurrent, "chat.per_conversation": c.Chat.PerConversation} {
		if n < 1 {
			errs = append(errs, bad(key, "is %d: use 1 or more", n))
		}
	}
	for key, n := range map[string]float64{"chat.user_per_minute": c.Chat.UserPerMinute, "chat.channel_per_minute": c.Chat.ChannelPerMinute} {
		if n < 0 {
			errs = append(errs, bad(key, "is %v: use 0 (no limit) or more", n))
		}
	}
	for _, k := range platformKinds {
		def, channels := k.channels(c)
		errs = append(errs, def.validate(k.name+".default")...)
		for _, id := range slices.Sorted(maps.Keys(channels)) {
			errs = append(errs, channels[id].validate(k.name+".channels."+id)...)
		}
		if k.validate != nil {
			errs = append(errs, k.validate(c)...)
		}
	}
	if c.Digest.Grace <= 0 {
		errs = append(errs, bad("digest.grace", "is %v: use a positive duration such as 2h (a digest missed by more is skipped)", c.Digest.Grace.D()))
	}
	names := map[string]bool{}
	for i, d := range c.Digest.Channels {
		key := fmt.Sprintf("digest.channels[%d]", i)
		if d.Name == "" {
			errs = append(errs, bad(key+".name", "is empty: name the digest (it is what `bot digest --channel` takes)"))
		} else if names[d.Name] {
			errs = append(errs, bad(key+".name", "%q is used twice", d.Name))
		}
		names[d.Name] = true
		if _, ok := kindNamed(d.Platform); !ok {
			errs = append(errs, bad(key+".platform", "is %q: use %s", d.Platform, kindNames()))
		}
		if d.Channel == "" {
			errs = append(errs, bad(key+".channel", "is empty: give the channel's id"))
		}
		if !d.Time.set {
			errs = append(errs, bad(key+".time", "is empty: give the local time of day as HH:MM, such as \"08:00\""))
		}
		if d.MaxItems < 0 || d.MaxItems > 20 {
			errs = append(errs, bad(key+".max_items", "is %d: use 1 to 20 (0 means 5)", d.MaxItems))
		}
	}
	if g := c.Gaps; g.Platform != "" {
		if _, ok := kindNamed(g.Platform); !ok {
			errs = append(errs, bad("gaps.platform", "is %q: use %s, or leave it empty", g.Platform, kindNames()))
		}
		if g.Channel == "" {
			errs = append(errs, bad("gaps.channel", "is empty: give the desk channel's id"))
		}
		if !g.Time.set {
			errs = append(errs, bad("gaps.time", "is empty: give the local time of day as HH:MM, such as \"09:00\""))
		}
	}
	if c.Feeds.Interval < Duration(time.Minute) {
		errs = append(errs, bad("feeds.interval", "is %v: use a duration of at least 1m, such as 15m", c.Feeds.Interval.D()))
	}
	return errs
}
