package main

import (
	"bytes"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestLogsNeverShowSecrets(t *testing.T) {
	const token = "xoxb-1234567890-SECRET"
	for _, format := range []string{"text", "json"} {
		var out bytes.Buffer
		log := newLogger(LogConfig{Level: "debug", Format: format}, []string{token, "sk-live-abc"}, &out)
		log.Info("connecting with "+token, "token", token, "err", errors.New(`auth failed for "`+token+`"`),
			slog.Group("llm", "key", "sk-live-abc"), "url", stringer("https://x/?key=sk-live-abc"))
		if strings.Contains(out.String(), "SECRET") || strings.Contains(out.String(), "sk-live") {
			t.Errorf("%s log shows a secret:\n%s", format, out.String())
		}
		if n := strings.Count(out.String(), "[redacted]"); n != 5 {
			t.Errorf("%s log has %d redactions, want 5:\n%s", format, n, out.String())
		}
	}
}

type stringer string

func (s stringer) String() string { return string(s) }

func TestWarnsOfReadableSecrets(t *testing.T) {
	dir := t.TempDir()
	cases := []struct {
		name, body string
		mode       os.FileMode
		warn       bool
	}{
		{"literal secret, world-readable", "slack:\n  bot_token: xoxb-literal-secret\n", 0o644, true},
		{"literal secret, owner only", "slack:\n  bot_token: xoxb-literal-secret\n", 0o600, false},
		{"secret from the environment", "slack:\n  bot_token: ${SLACK_BOT_TOKEN}\n", 0o644, false},
	}
	for _, c := range cases {
		path := filepath.Join(dir, strings.ReplaceAll(c.name, " ", "_")+".yaml")
		if err := os.WriteFile(path, []byte(c.body), c.mode); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(path, c.mode); err != nil {
			t.Fatal(err)
		}
		var stderr bytes.Buffer
		cm := common{config: path}
		if _, err := cm.setup(func(k string) string {
			return map[string]string{"SLACK_BOT_TOKEN": "xoxb-from-env"}[k]
		}, &stderr); err != nil {
			t.Fatal(err)
		}
		warned := strings.Contains(stderr.String(), "every user of this machine can read it")
		if warned != c.warn {
			t.Errorf("%s: warned = %v, want %v\n%s", c.name, warned, c.warn, stderr.String())
		}
		if strings.Contains(stderr.String(), "xoxb-") {
			t.Errorf("%s: the warning shows the secret: %s", c.name, stderr.String())
		}
	}
}
