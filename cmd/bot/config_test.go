package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// A secret is expanded into its value after the file is read, so whatever
// it holds (a quote, a colon, a newline, what looks like more keys) stays
// the value of its key: it can neither break the file nor set other keys.
func TestConfigSecretsStayInTheirValue(t *testing.T) {
	const secret = "xoxb-1\"2'3: four\nllm:\n  model: injected\nlog: {level: debug} # five"
	getenv := func(k string) string { return map[string]string{"SLACK_BOT_TOKEN": secret}[k] }
	dir := t.TempDir()
	for name, body := range map[string]string{
		"plain":         "slack:\n  bot_token: ${SLACK_BOT_TOKEN}\n",
		"double-quoted": "slack:\n  bot_token: \"${SLACK_BOT_TOKEN}\"\n",
		"single-quoted": "slack:\n  bot_token: '${SLACK_BOT_TOKEN}'\n",
		"flow":          "slack: {bot_token: \"${SLACK_BOT_TOKEN}\", mode: socket}\n",
		"in a list":     "slack:\n  admins: [\"${SLACK_BOT_TOKEN}\", U2]\n",
	} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(dir, name+".yaml")
			writeFile(t, path, body)
			cfg, err := loadConfig(path, getenv)
			if err != nil {
				t.Fatalf("a secret with a quote, a colon and a newline broke the file: %v", err)
			}
			got := cfg.Slack.BotToken
			if name == "in a list" {
				got = strings.Join(cfg.Slack.Admins, ",")
				if want := secret + ",U2"; got != want {
					t.Errorf("admins = %q, want %q", got, want)
				}
			} else if got != secret {
				t.Errorf("slack.bot_token = %q, want the secret exactly, %q", got, secret)
			}
			if cfg.LLM.Model != "" || cfg.Log.Level != "info" {
				t.Errorf("the secret set other keys: llm.model = %q, log.level = %q", cfg.LLM.Model, cfg.Log.Level)
			}
			if len(cfg.literal) != 0 {
				t.Errorf("a secret from the environment is reported written out: %v", cfg.literal)
			}
		})
	}
}

// Every error of a config file names the key to fix and its line, whether
// YAML could not read the value or Validate did not accept it.
func TestConfigErrorsNameTheKeyAndLine(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name, body, want string
	}{
		{"duration", "llm:\n  model: m\n  timeout: soon\n",
			`line 3: llm.timeout: "soon" is not a duration: use a value such as 30s or 2m`},
		{"number", "llm:\n  max_retries: many\n",
			`line 2: llm.max_retries: "many" is not a whole number`},
		{"env in a number", "llm:\n  max_retries: ${RETRIES}\n",
			`line 2: llm.max_retries: "${RETRIES}" is not a whole number`},
		{"unknown key", "llm:\n  model: m\n  tmeout: 3s\n",
			`line 3: llm.tmeout: is not a key (config.example.yaml lists every key)`},
		{"twice", "log:\n  level: info\n  level: debug\n",
			`line 3: log.level: is given twice, here and on line 2`},
		{"not a section", "chat: fast\n",
			`line 1: chat: is "fast": want a mapping of keys (config.example.yaml lists them)`},
		{"not a list", "feeds:\n  urls: https://x.example/feed\n",
			`line 2: feeds.urls: is "https://x.example/feed": want a list`},
		{"out of range", "search:\n  limit: 500\n",
			`line 2: search.limit: is 500: use a number from 1 to 100`},
		{"negative duration", "\nanswer:\n  cache_ttl: -1m\n",
			`line 3: answer.cache_ttl: is -1m0s: use a duration such as 10m, or 0s to disable the cache`},
		{"channel", "discord:\n  channels:\n    \"42\": {mode: always}\n",
			`line 3: discord.channels.42.mode: is "always": use mention or auto`},
		{"digest time", "digest:\n  channels:\n    - name: n\n      platform: slack\n      channel: C1\n      time: 8am\n",
			`line 6: digest.channels[0].time: "8am" is not a time of day: use HH:MM, such as "08:00"`},
		{"digest zone", "digest:\n  channels:\n    - {name: n, platform: slack, channel: C1, time: \"08:00\", timezone: Mars/Olympus}\n",
			`line 3: digest.channels[0].timezone: "Mars/Olympus" is not a time zone: use an IANA name such as Europe/London`},
		{"digest day", "digest:\n  channels:\n    - name: n\n      platform: slack\n      channel: C1\n      time: \"08:00\"\n      days: [mon,\n        someday]\n",
			`line 8: digest.channels[0].days[1]: "someday" is not a weekday: use mon, tue, wed, thu, fri, sat or sun`},
		{"no digest time", "digest:\n  channels:\n    - {name: n, platform: slack, channel: C1}\n",
			`digest.channels[0].time: is empty: give the local time of day as HH:MM, such as "08:00"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(dir, strings.ReplaceAll(tt.name, " ", "_")+".yaml")
			writeFile(t, path, tt.body)
			_, err := loadConfig(path, func(string) string { return "3" })
			if err == nil {
				t.Fatal("no error")
			}
			if diff := cmp.Diff("config "+path+": "+tt.want, err.Error()); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}
