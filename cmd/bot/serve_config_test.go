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
