package main

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/byline-bot/byline/adapters/chat"
)

// ChatConfig holds the answering rules Discord and Slack share.
type ChatConfig struct {
	// FollowUpWindow is how long after its answer the bot answers replies
	// in its thread without a new mention.
	FollowUpWindow string `yaml:"follow_up_window"`
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
	AnswerDeadline string `yaml:"answer_deadline"`
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
	Grace string `yaml:"grace"`
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
	Time string `yaml:"time"`
	// Timezone is an IANA name such as Europe/London.
	Timezone string `yaml:"timezone"`
	// Days are the weekdays (mon … sun); empty means every day.
	Days []string `yaml:"days"`
	// MaxItems caps the stories in one digest.
	MaxItems int `yaml:"max_items"`
	// Sources limits the digest to these outlets.
	Sources []string `yaml:"sources"`
	// QuietDay posts a short line when nothing is new.
	QuietDay bool `yaml:"quiet_day"`
}

// FeedsConfig lists feeds `bot serve` keeps ingested.
type FeedsConfig struct {
	// URLs are RSS or Atom feeds.
	URLs []string `yaml:"urls"`
	// Interval is the time between two polls of a feed.
	Interval string `yaml:"interval"`
}

// defaultChannel is how the bot behaves in a channel the config does not
// mention: it answers mentions, in a thread, for everyone to see.
func defaultChannel() ChannelConfig {
	yes, no := true, false
	return ChannelConfig{Allowed: &yes, Mode: "mention", Reply: "thread", Private: &no, Sources: []string{}}
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
	return c
}

func (c ChannelConfig) validate(key string) []error {
	var errs []error
	switch c.Mode {
	case "", "mention", "auto":
	default:
		errs = append(errs, fmt.Errorf("%s.mode is %q: use mention or auto", key, c.Mode))
	}
	switch c.Reply {
	case "", "thread", "reply":
	default:
		errs = append(errs, fmt.Errorf("%s.reply is %q: use thread or reply", key, c.Reply))
	}
	return errs
}

// chatSettings returns a platform's answering rules.
func chatSettings(c ChatConfig, def ChannelConfig, channels map[string]ChannelConfig) chat.Settings {
	def = def.over(defaultChannel())
	s := chat.Settings{Default: def.settings(def), Channels: make(map[string]chat.ChannelSettings), MaxTurns: c.MaxTurns}
	s.FollowUpWindow, _ = time.ParseDuration(c.FollowUpWindow)
	for id, cc := range channels {
		s.Channels[id] = cc.settings(def)
	}
	return s
}

var weekdays = map[string]time.Weekday{
	"sun": time.Sunday, "mon": time.Monday, "tue": time.Tuesday, "wed": time.Wednesday,
	"thu": time.Thursday, "fri": time.Friday, "sat": time.Saturday,
}

// parseClock reads HH:MM.
func parseClock(s string) (int, int, error) {
	t, err := time.Parse("15:04", s)
	if err != nil {
		return 0, 0, fmt.Errorf("%q is not a time of day: use HH:MM, such as 08:00", s)
	}
	return t.Hour(), t.Minute(), nil
}

// validateServe checks the chat, platform, digest and feed keys.
func (c Config) validateServe() []error {
	var errs []error
	if d, err := time.ParseDuration(c.Chat.FollowUpWindow); err != nil || d <= 0 {
		errs = append(errs, fmt.Errorf("chat.follow_up_window is %q: use a duration such as 30m", c.Chat.FollowUpWindow))
	}
	if d, err := time.ParseDuration(c.Chat.AnswerDeadline); err != nil || d <= 0 {
		errs = append(errs, fmt.Errorf("chat.answer_deadline is %q: use a duration such as 2m", c.Chat.AnswerDeadline))
	}
	if c.Chat.MaxTurns < 1 || c.Chat.Concurrent < 1 || c.Chat.PerConversation < 1 {
		errs = append(errs, errors.New("chat.max_turns, chat.concurrent and chat.per_conversation must be 1 or more"))
	}
	if c.Chat.UserPerMinute < 0 || c.Chat.ChannelPerMinute < 0 {
		errs = append(errs, errors.New("chat.user_per_minute and chat.channel_per_minute must be 0 (no limit) or more"))
	}
	errs = append(errs, c.Discord.Default.validate("discord.default")...)
	for id, cc := range c.Discord.Channels {
		errs = append(errs, cc.validate("discord.channels."+id)...)
	}
	errs = append(errs, c.Slack.Default.validate("slack.default")...)
	for id, cc := range c.Slack.Channels {
		errs = append(errs, cc.validate("slack.channels."+id)...)
	}
	switch c.Slack.Mode {
	case "socket", "http":
	default:
		errs = append(errs, fmt.Errorf("slack.mode is %q: use socket or http", c.Slack.Mode))
	}
	if d, err := time.ParseDuration(c.Digest.Grace); err != nil || d <= 0 {
		errs = append(errs, fmt.Errorf("digest.grace is %q: use a positive duration such as 2h (a digest missed by more is skipped)", c.Digest.Grace))
	}
	names := map[string]bool{}
	for i, d := range c.Digest.Channels {
		key := fmt.Sprintf("digest.channels[%d]", i)
		if d.Name == "" {
			errs = append(errs, fmt.Errorf("%s.name is empty: name the digest (it is what `bot digest --channel` takes)", key))
		} else if names[d.Name] {
			errs = append(errs, fmt.Errorf("%s.name %q is used twice", key, d.Name))
		}
		names[d.Name] = true
		switch d.Platform {
		case "discord", "slack":
		default:
			errs = append(errs, fmt.Errorf("%s.platform is %q: use discord or slack", key, d.Platform))
		}
		if d.Channel == "" {
			errs = append(errs, fmt.Errorf("%s.channel is empty: give the channel's id", key))
		}
		if _, _, err := parseClock(d.Time); err != nil {
			errs = append(errs, fmt.Errorf("%s.time: %w", key, err))
		}
		if _, err := time.LoadLocation(d.Timezone); err != nil {
			errs = append(errs, fmt.Errorf("%s.timezone is %q: use an IANA name such as Europe/London (%v)", key, d.Timezone, err))
		}
		for _, day := range d.Days {
			if _, ok := weekdays[strings.ToLower(day)[:min(3, len(day))]]; !ok {
				errs = append(errs, fmt.Errorf("%s.days: %q is not a weekday (mon, tue, … sun)", key, day))
			}
		}
		if d.MaxItems < 0 || d.MaxItems > 20 {
			errs = append(errs, fmt.Errorf("%s.max_items is %d: use 1 to 20 (0 means 5)", key, d.MaxItems))
		}
	}
	if d, err := time.ParseDuration(c.Feeds.Interval); err != nil || d < time.Minute {
		errs = append(errs, fmt.Errorf("feeds.interval is %q: use a duration of at least 1m, such as 15m", c.Feeds.Interval))
	}
	return errs
}
