package main

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/byline-bot/byline/adapters/discord/discordtest"
	"github.com/byline-bot/byline/adapters/slack/slacktest"
	"github.com/byline-bot/byline/knowledge"
)

// A made-up story, written for these tests, with the paragraph a reader
// is answered from and a neighbour that changes on its own.
const (
	bridgeCost      = "The new footbridge over the Mill River will cost 3.2 million euros, city engineer Mara Lind said."
	bridgeFixedCost = "The new footbridge over the Mill River will cost 3.8 million euros, city engineer Mara Lind said."
	bridgeOpening   = "Work on the bridge is due to finish in October."
)

func bridgeMD(paras ...string) string {
	return "---\ntitle: Mill River footbridge\nsource: Valley Courier\npublished: 2026-11-30\n---\n\n" + strings.Join(paras, "\n\n") + "\n"
}

// reingest writes the bridge story anew and runs `bot ingest` on it, as
// an editor would while serve runs.
func reingest(t *testing.T, dir, db, md string) {
	t.Helper()
	writeFile(t, filepath.Join(dir, "in", "bridge.md"), md)
	if _, stderr, code := runBot(t, nil, "", "ingest", "--db", db, filepath.Join(dir, "in")); code != 0 {
		t.Fatalf("ingest: %s", stderr)
	}
}

// citedParagraph returns the paragraph number the first recorded answer
// cites as its [1].
func citedParagraph(t *testing.T, db string) knowledge.CitedParagraph {
	t.Helper()
	store, err := knowledge.Open(context.Background(), db, knowledge.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	rec, err := store.Answer(context.Background(), 1)
	if err != nil || len(rec.Citations) == 0 {
		t.Fatalf("the answer was not recorded with its citations: %+v, %v", rec, err)
	}
	return rec.Citations[0]
}

// waitRecorded waits until answers 1 to n are on record with the message
// they were posted as.
func waitRecorded(t *testing.T, db string, n int) {
	t.Helper()
	store, err := knowledge.Open(context.Background(), db, knowledge.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		done := true
		for id := int64(1); id <= int64(n); id++ {
			rec, err := store.Answer(context.Background(), id)
			done = done && err == nil && rec.Message != ""
		}
		if done {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("answers 1 to %d were not recorded where they were posted", n)
		}
	}
}

// TestServeCorrectionEndToEnd: an answer cites a paragraph; the article
// is re-ingested with a neighbour changed (nothing is said), then with
// the cited paragraph changed (one notice in the answer's thread, before
// and after, and the answer marked superseded), then unchanged (nothing
// more).
func TestServeCorrectionEndToEnd(t *testing.T) {
	dir, db := ingestArticles(t, map[string]string{"bridge.md": bridgeMD(bridgeCost, bridgeOpening)})
	fake := discordtest.New(discordtest.Options{Heartbeat: 250 * time.Millisecond})
	t.Cleanup(fake.Close)
	fake.AddChannel(discordtest.Channel{ID: "c1", GuildID: "g1", Type: discordtest.GuildText})
	cfg := filepath.Join(dir, "c.yaml")
	writeFile(t, cfg, fmt.Sprintf(`
chat: {corrections_check: 100ms}
discord: {enabled: true, token: '${DISCORD_BOT_TOKEN}', api_url: %q, guilds: [g1]}
`, fake.APIURL()))
	srv := startServe(t, cfg, db, map[string]string{"DISCORD_BOT_TOKEN": fake.Token()})
	srv.waitOn(t, fake.Wait, "the bot did not connect", fake.Ready)

	if err := fake.MessageCreate(discordtest.UserMessage{ID: "5001", ChannelID: "c1", Mention: true, Text: "How much will the Mill River footbridge cost?"}); err != nil {
		t.Fatal(err)
	}
	var answerID string
	srv.waitOn(t, fake.Wait, "no answer in the thread", func() bool {
		for _, m := range fake.Messages("5001") {
			if strings.Contains(m.Content, "3.2 million") {
				answerID = m.ID
				return true
			}
		}
		return false
	})
	// The answer is recorded where it was posted before corrections can
	// find it.
	waitRecorded(t, db, 1)
	cited := citedParagraph(t, db)
	if cited.Text != bridgeCost {
		t.Fatalf("the answer cites %q, want the cost paragraph", cited.Text)
	}
	notices := func() []discordtest.Message {
		var out []discordtest.Message
		for _, m := range fake.Messages("5001") {
			if strings.Contains(m.Content, "Correction") {
				out = append(out, m)
			}
		}
		return out
	}
	settle := func() { t.Helper(); time.Sleep(500 * time.Millisecond) } // five checks' time

	// A neighbour's change and a new paragraph above: the cited paragraph
	// keeps its id, and nothing is said.
	reingest(t, dir, db, bridgeMD("The council approved the plan on Monday.", bridgeCost, "Work on the bridge is due to finish in November."))
	settle()
	if n := notices(); len(n) != 0 {
		t.Fatalf("a notice for an unchanged paragraph: %q", n[0].Content)
	}

	reingest(t, dir, db, bridgeMD("The council approved the plan on Monday.", bridgeFixedCost, "Work on the bridge is due to finish in November.",
		"Correction: An earlier version of this story gave the wrong cost for the bridge."))
	srv.waitOn(t, fake.Wait, "no correction notice in the answer's thread", func() bool { return len(notices()) > 0 })
	settle()
	reingest(t, dir, db, bridgeMD("The council approved the plan on Monday.", bridgeFixedCost, "Work on the bridge is due to finish in November.",
		"Correction: An earlier version of this story gave the wrong cost for the bridge."))
	settle()
	got := notices()
	if len(got) != 1 {
		t.Fatalf("%d correction notices, want exactly 1", len(got))
	}
	for _, want := range []string{"3.2 million", "3.8 million", "An earlier version of this story"} {
		if !strings.Contains(got[0].Content, want) {
			t.Errorf("the notice lacks %q:\n%s", want, got[0].Content)
		}
	}
	var marked bool
	for _, m := range fake.Messages("5001") {
		if m.ID == answerID {
			marked = strings.HasPrefix(m.Content, "_Superseded") && strings.Contains(m.Content, "3.2 million")
		}
	}
	if !marked {
		t.Errorf("the answer was not marked superseded with its text kept: %+v", fake.Messages("5001"))
	}
	srv.end(t)
}

// TestServeSlackCorrection: on Slack the notice goes in the answer's
// thread and the answer's blocks get the note on top, kept otherwise.
func TestServeSlackCorrection(t *testing.T) {
	dir, db := ingestArticles(t, map[string]string{"bridge.md": bridgeMD(bridgeCost, bridgeOpening)})
	fake := slacktest.New(slacktest.Options{})
	t.Cleanup(fake.Close)
	cfg := filepath.Join(dir, "c.yaml")
	writeFile(t, cfg, fmt.Sprintf(`
chat: {corrections_check: 100ms}
slack: {enabled: true, bot_token: '${SLACK_BOT_TOKEN}', app_token: '${SLACK_APP_TOKEN}', api_url: %q, channels: {C2: {corrections: "off"}}}
`, fake.APIURL()))
	srv := startServe(t, cfg, db, map[string]string{"SLACK_BOT_TOKEN": fake.BotToken(), "SLACK_APP_TOKEN": fake.AppToken()})
	wait := func(what string, cond func() bool) { t.Helper(); srv.waitOn(t, fake.Wait, what, cond) }
	wait("the bot did not connect", fake.Connected)

	q := slacktest.UserMessage{EventID: "Ev1", Channel: "C1", TS: "1764489600.000100", Text: "How much will the Mill River footbridge cost?"}
	off := slacktest.UserMessage{EventID: "Ev2", Channel: "C2", TS: "1764489600.000200", Text: "How much will the Mill River footbridge cost?"}
	for _, m := range []slacktest.UserMessage{q, off} {
		if err := fake.AppMention(m); err != nil {
			t.Fatal(err)
		}
	}
	answered := func(ch, ts string) bool {
		for _, m := range fake.Messages(ch, ts) {
			if strings.Contains(m.Text+m.Blocks, "3.2 million") {
				return true
			}
		}
		return false
	}
	wait("no answers", func() bool { return answered("C1", q.TS) && answered("C2", off.TS) })
	waitRecorded(t, db, 2)
	reingest(t, dir, db, bridgeMD(bridgeFixedCost, bridgeOpening))
	notice := func(ch, ts string) string {
		for _, m := range fake.Messages(ch, ts) {
			if strings.Contains(m.Text, "Correction") {
				return m.Text + m.Blocks
			}
		}
		return ""
	}
	wait("no notice in the answer's thread", func() bool { return notice("C1", q.TS) != "" })
	time.Sleep(500 * time.Millisecond)
	if n := notice("C2", off.TS); n != "" {
		t.Errorf("a notice in a channel with corrections off:\n%s", n)
	}
	if n := notice("C1", q.TS); !strings.Contains(n, "3.8 million") || !strings.Contains(n, "3.2 million") {
		t.Errorf("the notice lacks before and after:\n%s", n)
	}
	var marked bool
	for _, m := range fake.Messages("C1", q.TS) {
		if strings.Contains(m.Blocks, "3.2 million") && strings.Contains(m.Blocks, "Superseded") && m.Updates > 0 {
			marked = true
		}
	}
	if !marked {
		t.Errorf("the answer was not marked superseded with its blocks kept: %+v", fake.Messages("C1", q.TS))
	}
	srv.end(t)
}
