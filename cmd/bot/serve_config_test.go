package main

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/byline-bot/byline/adapters/chat"
)

func TestChatSettingsInheritDefaults(t *testing.T) {
	path := filepath.Join(t.TempDir(), "c.yaml")
	writeFile(t, path, `
discord:
  default: {reply: reply, sources: [Valley Courier]}
  channels:
    "1": {mode: auto}
    "2": {allowed: false, sources: []}
    "3": {private: true, reply: thread}
`)
	cfg, err := loadConfig(path, func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	got := chatSettings(cfg.Chat, cfg.Discord.Default, cfg.Discord.Channels)
	courier := []string{"Valley Courier"}
	want := chat.Settings{
		Default: chat.ChannelSettings{Allowed: true, Sources: courier},
		Channels: map[string]chat.ChannelSettings{
			"1": {Allowed: true, AutoAnswer: true, Sources: courier},
			"2": {Allowed: false},
			"3": {Allowed: true, ReplyInThread: true, Private: true, Sources: courier},
		},
		FollowUpWindow: 30 * time.Minute,
		MaxTurns:       6,
	}
	if diff := cmp.Diff(want, got, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// The config's typed values reach the wiring as read: durations, a digest's
// time of day, zone and weekdays, with ${ENV} in a string value beside
// them.
func TestConfigTypedValues(t *testing.T) {
	path := filepath.Join(t.TempDir(), "c.yaml")
	writeFile(t, path, `
chat:
  follow_up_window: 45m
  answer_deadline: 90s
answer:
  cache_ttl: 0
digest:
  grace: 3h
  channels:
    - name: newsroom
      platform: slack
      channel: ${NEWSROOM}
      time: "7:05"
      timezone: Europe/London
      days: [Mon, tuesday, FRI]
`)
	cfg, err := loadConfig(path, func(k string) string { return map[string]string{"NEWSROOM": "C042"}[k] })
	if err != nil {
		t.Fatal(err)
	}
	chans, err := digestChannels(cfg, nil)
	if err != nil || len(chans) != 1 {
		t.Fatalf("digest channels: %v, %v", chans, err)
	}
	ch := chans[0]
	type values struct {
		FollowUp, Deadline, CacheTTL, Grace time.Duration
		Key                                 string
		Hour, Minute                        int
		Zone                                string
		Days                                []time.Weekday
	}
	got := values{cfg.Chat.FollowUpWindow.D(), cfg.Chat.AnswerDeadline.D(), cfg.Answer.CacheTTL.D(), cfg.Digest.Grace.D(),
		ch.Key, ch.Hour, ch.Minute, ch.Location.String(), ch.Days}
	want := values{45 * time.Minute, 90 * time.Second, 0, 3 * time.Hour,
		"slack:C042", 7, 5, "Europe/London", []time.Weekday{time.Monday, time.Tuesday, time.Friday}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}
