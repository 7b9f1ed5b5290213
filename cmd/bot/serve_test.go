package main

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/byline-bot/byline/adapters/chat"
	"github.com/byline-bot/byline/answer"
	"github.com/byline-bot/byline/knowledge"
)

// serve refuses to start, with an error that names what to set, when no
// platform is enabled or a token it needs is missing; nothing is opened.
func TestServeConfigErrors(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name, config string
		want         []string
	}{
		{"no platform", "", []string{"no chat platform is enabled", "discord.enabled", "slack.enabled"}},
		{"discord without a token", "discord: {enabled: true, token: '${DISCORD_BOT_TOKEN}'}", []string{"discord.token is empty", "DISCORD_BOT_TOKEN"}},
		{"slack socket mode without tokens", "slack: {enabled: true, bot_token: '${SLACK_BOT_TOKEN}', app_token: '${SLACK_APP_TOKEN}'}", []string{"SLACK_BOT_TOKEN", "SLACK_APP_TOKEN"}},
		{"slack http mode without a secret", "slack: {enabled: true, mode: http, bot_token: xoxb-1, signing_secret: '${SLACK_SIGNING_SECRET}'}", []string{"SLACK_SIGNING_SECRET"}},
		{"digest to a platform not enabled", "discord: {enabled: true, token: abc}\ndigest: {channels: [{name: news, platform: slack, channel: C1, time: '08:00', timezone: UTC}]}", []string{"digest.channels[0] (news)", "slack.enabled is false"}},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := filepath.Join(dir, "c"+string(rune('a'+i))+".yaml")
			writeFile(t, cfg, tt.config+"\n")
			db := filepath.Join(dir, "c"+string(rune('a'+i))+".db")
			_, stderr, code := runBot(t, nil, "", "serve", "--config", cfg, "--db", db)
			if code == 0 {
				t.Fatal("serve started")
			}
			for _, w := range tt.want {
				if !strings.Contains(stderr, w) {
					t.Errorf("error %q does not say %q", stderr, w)
				}
			}
		})
	}
}

// A token Discord rejects ends serve at once with an error that says so,
// rather than a silent hang.
func TestServeRejectedToken(t *testing.T) {
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnauthorized)
		w.Write([]byte(`{"message": "401: Unauthorized", "code": 0}`))
	}))
	defer api.Close()
	dir := t.TempDir()
	cfg := filepath.Join(dir, "c.yaml")
	writeFile(t, cfg, "discord: {enabled: true, token: '${DISCORD_BOT_TOKEN}', api_url: '"+api.URL+"/api/v10/'}\n")
	done := make(chan string, 1)
	go func() {
		_, stderr, code := runBot(t, map[string]string{"DISCORD_BOT_TOKEN": "not-a-token"}, "", "serve", "--config", cfg, "--db", filepath.Join(dir, "k.db"))
		if code == 0 {
			stderr = "exit status 0"
		}
		done <- stderr
	}()
	select {
	case stderr := <-done:
		if !strings.Contains(stderr, "rejected") || !strings.Contains(stderr, "DISCORD_BOT_TOKEN") {
			t.Errorf("error %q does not say the token was rejected and which variable to fix", stderr)
		}
		if strings.Contains(stderr, "not-a-token") {
			t.Errorf("the token leaked into the output: %q", stderr)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("serve hung on a rejected token")
	}
}

const ferryMD = `---
title: Ferry timetable cut for winter
source: Island Post
url: https://post.example/ferry
published: 2026-04-02T10:00:00Z
---

The island ferry will run four times a day from November, the operator said.

Commuters said the cut would make the first morning meeting impossible to reach.
`

// bot digest prints the digest of a window; with --dry-run over a
// configured channel it records nothing, so the channel's first scheduled
// digest still looks back from its own time.
func TestDigestCommand(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "k.db")
	writeFile(t, filepath.Join(dir, "in", "harbour.md"), harbourMD)
	writeFile(t, filepath.Join(dir, "in", "ferry.md"), ferryMD)
	if _, stderr, code := runBot(t, nil, "", "ingest", "--db", db, filepath.Join(dir, "in")); code != 0 {
		t.Fatalf("ingest: %s", stderr)
	}
	cfg := filepath.Join(dir, "c.yaml")
	writeFile(t, cfg, "digest: {channels: [{name: newsroom, platform: slack, channel: C1, time: '08:00', timezone: Europe/Paris, max_items: 1}]}\n")

	out, stderr, code := runBot(t, nil, "", "digest", "--db", db, "--since", "2026-04-01", "--until", "2026-04-03")
	if code != 0 {
		t.Fatalf("digest: %s", stderr)
	}
	for _, want := range []string{"News digest", "Harbour dredging", "Ferry timetable", "[1]", "[2]", "Sources:", "Bayside Courier", "Island Post"} {
		if !strings.Contains(out, want) {
			t.Errorf("digest does not show %q:\n%s", want, out)
		}
	}
	if !strings.Contains(stderr, "2 articles") || !strings.Contains(stderr, "printed only") {
		t.Errorf("summary line %q", stderr)
	}

	out, stderr, code = runBot(t, nil, "", "digest", "--config", cfg, "--db", db, "--channel", "newsroom", "--dry-run", "--since", "2026-04-01", "--until", "2026-04-03")
	if code != 0 {
		t.Fatalf("digest --dry-run: %s", stderr)
	}
	if n := strings.Count(out, "\n**"); n != 1 {
		t.Errorf("the channel's max_items of 1 gave %d items:\n%s", n, out)
	}
	if !strings.Contains(stderr, "T00:00:00+02:00") || !strings.Contains(stderr, "dry run") {
		t.Errorf("dates were not read in the channel's time zone, or the run was not called dry: %q", stderr)
	}
	store, err := knowledge.Open(context.Background(), db, knowledge.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	if _, ok, err := store.LastDigest(context.Background(), "slack:C1"); err != nil || ok {
		t.Errorf("a dry run was recorded (found %v, err %v)", ok, err)
	}

	out, _, code = runBot(t, nil, "", "digest", "--db", db, "--since", "2030-01-01", "--until", "2030-01-02")
	if code != 0 || out != "" {
		t.Errorf("a window with nothing new printed %q (status %d), want nothing", out, code)
	}
	if _, stderr, code := runBot(t, nil, "", "digest", "--config", cfg, "--db", db, "--channel", "sports"); code != 2 || !strings.Contains(stderr, `"sports"`) {
		t.Errorf("an unknown channel: status %d, %q", code, stderr)
	}
	if _, _, code := runBot(t, nil, "", "digest", "--db", db, "--since", "2026-04-03", "--until", "2026-04-01"); code != 2 {
		t.Errorf("--since after --until: status %d, want 2", code)
	}
}

// The same for Slack: auth.test's invalid_auth ends serve at once.
func TestServeRejectedSlackToken(t *testing.T) {
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"ok": false, "error": "invalid_auth"}`))
	}))
	defer api.Close()
	dir := t.TempDir()
	cfg := filepath.Join(dir, "c.yaml")
	writeFile(t, cfg, "slack: {enabled: true, bot_token: '${SLACK_BOT_TOKEN}', app_token: '${SLACK_APP_TOKEN}', api_url: '"+api.URL+"/api/'}\n")
	env := map[string]string{"SLACK_BOT_TOKEN": "xoxb-not-a-token", "SLACK_APP_TOKEN": "xapp-1-not-a-token"}
	done := make(chan string, 1)
	go func() {
		_, stderr, code := runBot(t, env, "", "serve", "--config", cfg, "--db", filepath.Join(dir, "k.db"))
		if code == 0 {
			stderr = "exit status 0"
		}
		done <- stderr
	}()
	select {
	case stderr := <-done:
		if !strings.Contains(stderr, "rejected") || !strings.Contains(stderr, "SLACK_BOT_TOKEN") {
			t.Errorf("error %q does not say the token was rejected and which variable to fix", stderr)
		}
		if strings.Contains(stderr, "not-a-token") {
			t.Errorf("a token leaked into the output: %q", stderr)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("serve hung on a rejected token")
	}
}

type nobody struct{}

func (nobody) Ask(context.Context, answer.Question) (answer.Answer, error) {
	return answer.Answer{}, nil
}

// After a restart, the threads of the digests posted in the last day are
// open again, on the platform each was posted to, with their articles.
func TestReopenDigestThreads(t *testing.T) {
	ctx := context.Background()
	store, err := knowledge.Open(ctx, filepath.Join(t.TempDir(), "k.db"), knowledge.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	for _, r := range []knowledge.DigestRun{
		{Channel: "slack:C1", Period: "2026-11-30", State: knowledge.DigestPosted, Detail: "1700000000.000100", Articles: []string{"harbour", "ferry"}},
		{Channel: "discord:42", Period: "2026-11-30", State: knowledge.DigestPosted, Detail: "777", Articles: []string{"strike"}},
		{Channel: "slack:C2", Period: "2026-11-30", State: knowledge.DigestEmpty, Detail: "nothing new"},
	} {
		if err := store.FinishDigest(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	var platforms []*platform
	for _, name := range []string{"discord", "slack"} {
		q := chat.NewQueue(ctx, 1, 1)
		s, err := chat.NewService(chat.ServiceOptions{Engine: nobody{}, Policy: chat.NewPolicy(chat.Settings{Default: chat.ChannelSettings{Allowed: true}}, nil), Queue: q})
		if err != nil {
			t.Fatal(err)
		}
		platforms = append(platforms, &platform{name: name, service: s, queue: q})
	}
	if err := reopenDigestThreads(ctx, store, platforms); err != nil {
		t.Fatal(err)
	}
	discordP, slackP := platforms[0].service.Policy(), platforms[1].service.Policy()
	if diff := cmp.Diff([]string{"harbour", "ferry"}, slackP.Preferred("C1/1700000000.000100")); diff != "" {
		t.Errorf("slack digest thread (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"strike"}, discordP.Preferred("42/777")); diff != "" {
		t.Errorf("discord digest thread (-want +got):\n%s", diff)
	}
	if discordP.Preferred("C1/1700000000.000100") != nil || slackP.Preferred("42/777") != nil {
		t.Error("a digest thread was opened on the wrong platform")
	}
	if !slackP.Decide(chat.Message{ChannelID: "C1", ThreadID: "1700000000.000100", UserID: "U1", Text: "why?"}).Answer {
		t.Error("a reply in a reopened digest thread needs a mention")
	}
}

// A metrics address already in use ends serve with an error naming the
// key.
func TestServeMetricsAddressInUse(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	// Discord never answers, so the only error is the listener's.
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() }))
	defer api.Close()
	defer api.CloseClientConnections()
	dir := t.TempDir()
	cfg := filepath.Join(dir, "c.yaml")
	writeFile(t, cfg, "discord: {enabled: true, token: abc, api_url: '"+api.URL+"/api/v10/'}\nmetrics: {listen: '"+ln.Addr().String()+"'}\n")
	_, stderr, code := runBot(t, nil, "", "serve", "--config", cfg, "--db", filepath.Join(dir, "k.db"))
	if code == 0 || !strings.Contains(stderr, "metrics.listen") {
		t.Errorf("status %d, %q: want an error naming metrics.listen", code, stderr)
	}
}
