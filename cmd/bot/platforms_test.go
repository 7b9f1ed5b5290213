package main

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/byline-bot/byline/adapters/chat"
	"github.com/byline-bot/byline/answer"
)

// memoPlatform is a third chat surface written for this test on the
// chat.Platform contract: one question goes in when it runs, and what
// the bot answers is kept.
type memoPlatform struct {
	service  *chat.Service
	question string
	answers  chan answer.Answer
}

func (m *memoPlatform) Run(ctx context.Context) error {
	m.service.HandleMessage(ctx, chat.Message{ID: "m1", ChannelID: "c1", UserID: "u1", DM: true, Text: m.question},
		func(w chat.Where) chat.Reply {
			release, ok := m.service.Hold()
			if !ok {
				return nil
			}
			return &memoReply{p: m, key: w.Key, release: release}
		})
	<-ctx.Done()
	m.service.Drain(10 * time.Second)
	return nil
}
func (m *memoPlatform) Post(context.Context, string, string) (string, error) { return "p1", nil }
func (m *memoPlatform) Edit(context.Context, string, string, string) error   { return nil }

type memoReply struct {
	p       *memoPlatform
	key     string
	release func()
}

func (r *memoReply) Conversation() (string, bool) { return r.key, false }
func (r *memoReply) Answer(_ context.Context, a answer.Answer) error {
	defer r.release()
	r.p.answers <- a
	return nil
}
func (r *memoReply) Notice(_ context.Context, text string) error {
	defer r.release()
	r.p.answers <- answer.Answer{Text: "notice: " + text}
	return nil
}

// A platform joins `bot serve` through one entry in platformKinds: with
// only it enabled, serve builds its pipeline, runs it, answers its
// question with citations and shuts it down cleanly; config validation
// and error messages name it too.
func TestServeRunsAPlatformAddedInOneLine(t *testing.T) {
	memo := &memoPlatform{question: "When will the harbour dredging start?", answers: make(chan answer.Answer, 1)}
	var once sync.Once
	kind := platformKind{
		name:     "memo",
		enabled:  func(Config) bool { return true },
		channels: func(Config) (ChannelConfig, map[string]ChannelConfig) { return ChannelConfig{}, nil },
		secret:   func(Config) string { return "memo token" },
		check:    func(Config) []error { return nil },
		build: func(w *wiring, p *platform) (chat.Platform, error) {
			once.Do(func() { memo.service = p.service })
			return memo, nil
		},
	}
	saved := platformKinds
	platformKinds = append(slices.Clone(platformKinds), kind) // the one line
	t.Cleanup(func() { platformKinds = saved })

	if got := kindNames(); got != "discord, slack or memo" {
		t.Errorf("kindNames() = %q", got)
	}
	dir, db := ingestArticles(t, map[string]string{"harbour.md": harbourMD})
	cfg := filepath.Join(dir, "c.yaml")
	writeFile(t, cfg, "gaps: {platform: memo, channel: desk, weekday: monday, time: \"09:00\"}\n")
	srv := startServe(t, cfg, db, nil)
	select {
	case a := <-memo.answers:
		if !strings.Contains(a.Text, "[1]") || len(a.Citations) == 0 {
			t.Errorf("the memo platform's answer has no citation: %+v", a)
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("the memo platform got no answer\n%s", srv.stderr.String())
	}
	srv.end(t)
	if log := srv.stderr.String(); !strings.Contains(log, "shut down cleanly") {
		t.Errorf("serve did not shut down cleanly:\n%s", log)
	}
	if memo.service.InFlight() != 0 {
		t.Errorf("%d pieces of work still in flight after serve returned", memo.service.InFlight())
	}

	// The config's platform names follow the list.
	var c Config
	c.Gaps.Platform = "teams"
	errs := fmt.Sprint(c.validateServe())
	if !strings.Contains(errs, `gaps.platform: is "teams": use discord, slack or memo`) {
		t.Errorf("validateServe: %s", errs)
	}
}
