package main

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/byline-bot/byline/adapters/discord/discordtest"
	"github.com/byline-bot/byline/knowledge"
)

// controlsOf returns the custom ids of the buttons under a message, by
// label.
func controlsOf(t *testing.T, m discordtest.Message) map[string]string {
	t.Helper()
	var rows []struct {
		Components []struct {
			Label    string `json:"label"`
			CustomID string `json:"custom_id"`
		} `json:"components"`
	}
	if err := json.Unmarshal([]byte(m.Components), &rows); err != nil {
		t.Fatalf("components %q: %v", m.Components, err)
	}
	out := map[string]string{}
	for _, r := range rows {
		for _, c := range r.Components {
			out[c.Label] = c.CustomID
		}
	}
	return out
}

// TestServeDiscordFeedback: the answer carries the three buttons; a click
// delivered twice is stored once; a vote changes; "a source is wrong"
// leads through the menu and the form to a report with its paragraph and
// reason; a forged id changes nothing; and after a restart the old
// answer's buttons still work.
func TestServeDiscordFeedback(t *testing.T) {
	dir, db := ingestArticles(t, map[string]string{"bridge.md": bridgeMD(bridgeCost, bridgeOpening)})
	fake := discordtest.New(discordtest.Options{Heartbeat: 250 * time.Millisecond})
	t.Cleanup(fake.Close)
	fake.AddChannel(discordtest.Channel{ID: "c1", GuildID: "g1", Type: discordtest.GuildText})
	cfg := filepath.Join(dir, "c.yaml")
	writeFile(t, cfg, fmt.Sprintf("discord: {enabled: true, token: '${DISCORD_BOT_TOKEN}', api_url: %q, guilds: [g1]}\n", fake.APIURL()))
	env := map[string]string{"DISCORD_BOT_TOKEN": fake.Token()}
	srv := startServe(t, cfg, db, env)
	srv.waitOn(t, fake.Wait, "the bot did not connect", fake.Ready)

	if err := fake.MessageCreate(discordtest.UserMessage{ID: "5001", ChannelID: "c1", Mention: true, Text: "How much will the Mill River footbridge cost?"}); err != nil {
		t.Fatal(err)
	}
	var ans discordtest.Message
	srv.waitOn(t, fake.Wait, "no answer with buttons", func() bool {
		for _, m := range fake.Messages("5001") {
			if strings.Contains(m.Content, "3.2 million") && m.Components != "" {
				ans = m
				return true
			}
		}
		return false
	})
	ids := controlsOf(t, ans)
	if ids["Helpful"] == "" || ids["Not helpful"] == "" || ids["A source is wrong"] == "" {
		t.Fatalf("buttons %v: want all three", ids)
	}
	// reply waits for the bot's response to interaction id and returns it.
	reply := func(id string) map[string]any {
		t.Helper()
		var body map[string]any
		srv.waitOn(t, fake.Wait, "no response to interaction "+id, func() bool {
			var ok bool
			body, ok = fake.Callback(id)
			return ok
		})
		return body
	}
	content := func(body map[string]any) string {
		d, _ := body["data"].(map[string]any)
		s, _ := d["content"].(string)
		return s
	}
	click := func(id, user, custom string, values ...string) map[string]any {
		t.Helper()
		if err := fake.ComponentClick(discordtest.Click{ID: id, ChannelID: "5001", MessageID: ans.ID, UserID: user, CustomID: custom, Values: values}); err != nil {
			t.Fatal(err)
		}
		return reply(id)
	}

	if got := content(click("i1", "u1", ids["Helpful"])); !strings.Contains(got, "helped") {
		t.Errorf("helpful: %q", got)
	}
	// The same interaction delivered again (a gateway replay) is not
	// handled again.
	if err := fake.ComponentClick(discordtest.Click{ID: "i1", ChannelID: "5001", MessageID: ans.ID, UserID: "u1", CustomID: ids["Helpful"]}); err != nil {
		t.Fatal(err)
	}
	if got := content(click("i2", "u1", ids["Not helpful"])); !strings.Contains(got, "didn't help") {
		t.Errorf("not helpful: %q", got)
	}
	menu := click("i3", "u1", ids["A source is wrong"])
	b, _ := json.Marshal(menu)
	var pick struct {
		Data struct {
			Components []struct {
				Components []struct {
					CustomID string `json:"custom_id"`
					Options  []struct {
						Value string `json:"value"`
					} `json:"options"`
				} `json:"components"`
			} `json:"components"`
		} `json:"data"`
	}
	if err := json.Unmarshal(b, &pick); err != nil || len(pick.Data.Components) == 0 || len(pick.Data.Components[0].Components) == 0 {
		t.Fatalf("a source is wrong: %s", b)
	}
	sel := pick.Data.Components[0].Components[0]
	if len(sel.Options) == 0 || sel.Options[0].Value != "1" {
		t.Fatalf("the sources menu: %s", b)
	}
	modal := click("i4", "u1", sel.CustomID, "1")
	if modal["type"] != float64(9) {
		t.Fatalf("picking [1] did not open the form: %v", modal)
	}
	form, _ := modal["data"].(map[string]any)["custom_id"].(string)
	if err := fake.ModalSubmit("i5", "5001", "u1", form, map[string]string{"reason": "the council said 3.8 million"}); err != nil {
		t.Fatal(err)
	}
	if got := content(reply("i5")); !strings.Contains(got, "source [1] is wrong") {
		t.Errorf("the report: %q", got)
	}
	if got := content(click("i6", "u1", "fb1.1.h.forgedmac")); !strings.Contains(got, "nothing was recorded") {
		t.Errorf("a forged id: %q", got)
	}
	srv.end(t)

	// A restart: the old answer's button still counts.
	srv = startServe(t, cfg, db, env)
	srv.waitOn(t, fake.Wait, "the bot did not reconnect", fake.Ready)
	if got := content(click("i7", "u2", ids["Helpful"])); !strings.Contains(got, "helped") {
		t.Errorf("helpful after a restart: %q", got)
	}
	srv.end(t)

	store, err := knowledge.Open(context.Background(), db, knowledge.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	fb, err := store.AnswerFeedback(context.Background(), 1)
	if err != nil {
		t.Fatal(err)
	}
	votes := map[knowledge.Vote]int{}
	for _, v := range fb.Votes {
		votes[v]++
	}
	if len(fb.Votes) != 2 || votes[knowledge.VoteNotHelpful] != 1 || votes[knowledge.VoteHelpful] != 1 {
		t.Errorf("votes %v: want u1's changed to not helpful and u2's helpful", fb.Votes)
	}
	if len(fb.Reports) != 1 || fb.Reports[0].N != 1 || fb.Reports[0].Reason != "the council said 3.8 million" {
		t.Errorf("reports %+v: want one of [1] with its reason", fb.Reports)
	}
}
