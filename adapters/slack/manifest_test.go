package slack

import (
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"go.yaml.in/yaml/v3"
)

// TestManifest: the app manifest asks for the scopes and events the bot
// relies on, declares the command and the shortcut the code serves, and
// the docs point at it and name the environment variables.
func TestManifest(t *testing.T) {
	raw, err := os.ReadFile("manifest.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var m struct {
		Features struct {
			SlashCommands []struct {
				Command   string `yaml:"command"`
				UsageHint string `yaml:"usage_hint"`
			} `yaml:"slash_commands"`
			Shortcuts []struct {
				Name       string `yaml:"name"`
				Type       string `yaml:"type"`
				CallbackID string `yaml:"callback_id"`
			} `yaml:"shortcuts"`
		} `yaml:"features"`
		OAuth struct {
			Scopes struct {
				Bot []string `yaml:"bot"`
			} `yaml:"scopes"`
		} `yaml:"oauth_config"`
		Settings struct {
			Events struct {
				BotEvents []string `yaml:"bot_events"`
			} `yaml:"event_subscriptions"`
			Interactivity struct {
				Enabled bool `yaml:"is_enabled"`
			} `yaml:"interactivity"`
			SocketMode bool `yaml:"socket_mode_enabled"`
		} `yaml:"settings"`
	}
	if err := yaml.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	scopes := []string{"app_mentions:read", "chat:write", "channels:history", "groups:history", "im:history", "im:read", "im:write", "mpim:history", "commands"}
	if diff := cmp.Diff(scopes, m.OAuth.Scopes.Bot); diff != "" {
		t.Errorf("bot scopes (-want +got):\n%s", diff)
	}
	events := []string{"app_mention", "message.channels", "message.groups", "message.im", "message.mpim"}
	if diff := cmp.Diff(events, m.Settings.Events.BotEvents); diff != "" {
		t.Errorf("events (-want +got):\n%s", diff)
	}
	if len(m.Features.SlashCommands) != 1 || m.Features.SlashCommands[0].Command != "/byline" || m.Features.SlashCommands[0].UsageHint == "" {
		t.Errorf("slash commands = %+v", m.Features.SlashCommands)
	}
	if len(m.Features.Shortcuts) != 1 || m.Features.Shortcuts[0].CallbackID != ShortcutID || m.Features.Shortcuts[0].Type != "message" || m.Features.Shortcuts[0].Name != "Ask Byline about this" {
		t.Errorf("shortcuts = %+v", m.Features.Shortcuts)
	}
	if !m.Settings.Interactivity.Enabled || !m.Settings.SocketMode {
		t.Errorf("interactivity %v, socket mode %v; want both on", m.Settings.Interactivity.Enabled, m.Settings.SocketMode)
	}
	doc, err := os.ReadFile("../../docs/slack.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"adapters/slack/manifest.yaml", "SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "SLACK_SIGNING_SECRET", "connections:write", "/slack/events", "/slack/commands", "/slack/interactive", "/invite @Byline"} {
		if !strings.Contains(string(doc), want) {
			t.Errorf("docs/slack.md does not mention %s", want)
		}
	}
	for _, s := range scopes {
		if !strings.Contains(string(doc), "`"+s+"`") {
			t.Errorf("docs/slack.md does not explain the scope %s", s)
		}
	}
}

func TestQuestionText(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"<@UBOT> who won?", "who won?"},
		{"<@UBOT|byline> ask <@U2|ann> about <#C1|budget>", "ask @ann about #budget"},
		{"see <https://x.example/a?b=1&amp;c=2|the story> &lt;now&gt;", "see the story (https://x.example/a?b=1&c=2) <now>"},
		{"<!here> <!subteam^S1|@editors> <https://x.example>", "@here @editors https://x.example"},
	} {
		if got := questionText(tc.in, "UBOT"); got != tc.want {
			t.Errorf("questionText(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	if got := shortcutQuestion("<https://courier.example/2026/03/01/council-approves-budget.html>", "UBOT"); got != "https://courier.example/2026/03/01/council-approves-budget.html (council approves budget)" {
		t.Errorf("shortcutQuestion = %q", got)
	}
}
