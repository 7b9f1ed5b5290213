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
	"github.com/byline-bot/byline/adapters/slack/slacktest"
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

	// /ask's answer carries the buttons too.
	if err := fake.InteractionCreate(discordtest.SlashCommand{ID: "s1", ChannelID: "c1", Name: "ask",
		Options: map[string]string{"question": "How much will the Mill River footbridge cost?"}}); err != nil {
		t.Fatal(err)
	}
	var askIDs map[string]string
	srv.waitOn(t, fake.Wait, "no /ask answer with buttons", func() bool {
		for _, r := range fake.Requests("PATCH", "/api/v10/webhooks/800/tok-s1/messages/@original") {
			if c, ok := r.Body["components"].([]any); ok && len(c) > 0 {
				b, _ := json.Marshal(c)
				askIDs = controlsOf(t, discordtest.Message{Components: string(b)})
				return true
			}
		}
		return false
	})
	if got := content(click("i8", "u3", askIDs["Helpful"])); !strings.Contains(got, "helped") {
		t.Errorf("helpful on /ask's answer: %q", got)
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
	if fb2, err := store.AnswerFeedback(context.Background(), 2); err != nil || len(fb2.Votes) != 1 {
		t.Errorf("/ask's answer: votes %+v, %v; want one", fb2.Votes, err)
	}
}

// TestServeSlackFeedback: the answer's blocks end in the three buttons; a
// click is answered to the reader alone and recorded once even when the
// envelope comes twice; "a source is wrong" opens a form whose submission
// records the report with its source and reason; a forged id changes
// nothing.
func TestServeSlackFeedback(t *testing.T) {
	dir, db := ingestArticles(t, map[string]string{"bridge.md": bridgeMD(bridgeCost, bridgeOpening)})
	fake := slacktest.New(slacktest.Options{})
	t.Cleanup(fake.Close)
	cfg := filepath.Join(dir, "c.yaml")
	writeFile(t, cfg, fmt.Sprintf("slack: {enabled: true, bot_token: '${SLACK_BOT_TOKEN}', app_token: '${SLACK_APP_TOKEN}', api_url: %q}\n", fake.APIURL()))
	srv := startServe(t, cfg, db, map[string]string{"SLACK_BOT_TOKEN": fake.BotToken(), "SLACK_APP_TOKEN": fake.AppToken()})
	wait := func(what string, cond func() bool) { t.Helper(); srv.waitOn(t, fake.Wait, what, cond) }
	wait("the bot did not connect", fake.Connected)
	q := slacktest.UserMessage{EventID: "Ev1", Channel: "C1", TS: "1764489600.000100", Text: "How much will the Mill River footbridge cost?"}
	if err := fake.AppMention(q); err != nil {
		t.Fatal(err)
	}
	var ans slacktest.Message
	wait("no answer with buttons", func() bool {
		for _, m := range fake.Messages("C1", q.TS) {
			if strings.Contains(m.Blocks, "3.2 million") && strings.Contains(m.Blocks, "byline_feedback") {
				ans = m
				return true
			}
		}
		return false
	})
	var blocks []struct {
		BlockID  string            `json:"block_id"`
		Elements []json.RawMessage `json:"elements"`
	}
	if err := json.Unmarshal([]byte(ans.Blocks), &blocks); err != nil {
		t.Fatal(err)
	}
	ids := map[string]string{}
	for _, b := range blocks {
		if b.BlockID == "byline_feedback" {
			for _, raw := range b.Elements {
				var e struct {
					ActionID string `json:"action_id"`
					Text     struct {
						Text string `json:"text"`
					} `json:"text"`
				}
				if err := json.Unmarshal(raw, &e); err != nil {
					t.Fatal(err)
				}
				ids[e.Text.Text] = e.ActionID
			}
		}
	}
	helpful, notHelpful, wrong := ids[":thumbsup: Helpful"], ids[":thumbsdown: Not helpful"], ids["A source is wrong"]
	if helpful == "" || notHelpful == "" || wrong == "" {
		t.Fatalf("buttons %v: want all three", ids)
	}
	n := 0
	click := func(user, actionID string) string {
		t.Helper()
		n++
		env := fmt.Sprintf("envc%d", n)
		payload := map[string]any{
			"type": "block_actions", "trigger_id": "trig-" + env, "response_url": fake.ResponseURL(env),
			"user": map[string]any{"id": user}, "channel": map[string]any{"id": "C1"},
			"message": map[string]any{"ts": ans.TS, "thread_ts": q.TS},
			"actions": []any{map[string]any{"type": "button", "block_id": "byline_feedback", "action_id": actionID, "action_ts": "1"}},
		}
		for range 2 { // delivered twice, answered once
			if err := fake.Interactive(env, payload); err != nil {
				t.Fatal(err)
			}
		}
		return env
	}
	said := func(env string) string {
		t.Helper()
		var text string
		wait("no reply to the click", func() bool {
			rs := fake.Responses(env)
			if len(rs) > 0 {
				b, _ := json.Marshal(rs[0].JSON)
				text = string(b)
			}
			return len(rs) > 0
		})
		return text
	}
	if got := said(click("U1", helpful)); !strings.Contains(got, "helped") || !strings.Contains(got, "ephemeral") {
		t.Errorf("helpful: %s", got)
	}
	if got := said(click("U1", notHelpful)); !strings.Contains(got, "didn't help") {
		t.Errorf("not helpful: %s", got)
	}
	if got := said(click("U1", "fb1.1.h.forgedmac")); !strings.Contains(got, "nothing was recorded") {
		t.Errorf("a forged id: %s", got)
	}
	click("U1", wrong)
	wait("the report form was not opened", func() bool { return len(fake.Views()) > 0 })
	view, _ := fake.Views()[0]["view"].(map[string]any)
	callback, _ := view["callback_id"].(string)
	meta, _ := view["private_metadata"].(string)
	if callback == "" || !strings.Contains(meta, "C1") {
		t.Fatalf("the form: %v", view)
	}
	submit := map[string]any{
		"type": "view_submission", "user": map[string]any{"id": "U1"},
		"view": map[string]any{"id": "V9", "hash": "h9", "callback_id": callback, "private_metadata": meta,
			"state": map[string]any{"values": map[string]any{
				"source": map[string]any{"n": map[string]any{"type": "static_select", "selected_option": map[string]any{"value": "1"}}},
				"reason": map[string]any{"text": map[string]any{"type": "plain_text_input", "value": "the council said 3.8 million"}},
			}}},
	}
	if err := fake.Interactive("envs1", submit); err != nil {
		t.Fatal(err)
	}
	wait("the report was not confirmed", func() bool {
		for _, r := range fake.Requests("chat.postEphemeral") {
			if strings.Contains(r.Form.Get("text"), "source [1] is wrong") && r.Form.Get("user") == "U1" {
				return true
			}
		}
		return false
	})
	// /byline ask's answer carries the buttons too.
	if err := fake.Slash(slacktest.SlashCommand{EnvelopeID: "envask", Text: "ask How much will the Mill River footbridge cost?", ChannelID: "C1"}); err != nil {
		t.Fatal(err)
	}
	wait("no /byline ask answer with buttons", func() bool {
		for _, r := range fake.Responses("envask") {
			b, _ := json.Marshal(r.JSON)
			if strings.Contains(string(b), "3.2 million") && strings.Contains(string(b), "byline_feedback") {
				return true
			}
		}
		return false
	})
	srv.end(t)
	for _, env := range []string{"envc1", "envc2", "envc3"} {
		if got := len(fake.Responses(env)); got != 1 {
			t.Errorf("%s, delivered twice, was answered %d times", env, got)
		}
	}

	store, err := knowledge.Open(context.Background(), db, knowledge.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	fb, err := store.AnswerFeedback(context.Background(), 1)
	if err != nil {
		t.Fatal(err)
	}
	if len(fb.Votes) != 1 || len(fb.Reports) != 1 || fb.Reports[0].N != 1 || fb.Reports[0].Reason != "the council said 3.8 million" {
		t.Errorf("feedback %+v: want one (changed) vote and the report of [1]", fb)
	}
	for _, v := range fb.Votes {
		if v != knowledge.VoteNotHelpful {
			t.Errorf("vote %s, want not_helpful", v)
		}
	}
}
