package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// runBot runs the program as main would, with its own environment and
// streams, and returns what it printed and its exit status.
func runBot(t *testing.T, env map[string]string, stdin string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errOut bytes.Buffer
	getenv := func(k string) string { return env[k] }
	err := run(context.Background(), args, getenv, strings.NewReader(stdin), &out, &errOut)
	code = 0
	if err != nil {
		var exit *exitError
		if errors.As(err, &exit) {
			code = exit.code
			errOut.WriteString(exit.msg)
		} else {
			code = 1
			errOut.WriteString(err.Error())
		}
	}
	return out.String(), errOut.String(), code
}

func writeFile(t *testing.T, path, body string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}

const harbourMD = `---
title: Harbour dredging to start in May
source: Bayside Courier
url: https://courier.example/harbour
author: Lena Ortiz
published: 2026-04-02
---

Dredging of the old harbour will start in May, the port authority said on Thursday.

"The channel has silted up faster than anyone expected," harbour master Tomas Berg said.

Fishing crews said the work was overdue.
`

const libraryTXT = `The town library reopened on Monday after the spring flood.
Librarian Joan Pike said 4,000 books were lost to water damage.
Volunteers dried the local history archive page by page.
`

func TestIngestSearchArticles(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "in", "harbour.md"), harbourMD)
	writeFile(t, filepath.Join(dir, "in", "sub", "library.txt"), libraryTXT)
	env := map[string]string{"BYLINE_DB": filepath.Join(dir, "env.db")}

	out, errOut, code := runBot(t, env, "", "ingest", filepath.Join(dir, "in"))
	if code != 0 {
		t.Fatalf("ingest: status %d\nstdout: %s\nstderr: %s", code, out, errOut)
	}
	if !strings.Contains(out, "2 new") {
		t.Errorf("ingest summary %q does not say 2 new", out)
	}
	if _, err := os.Stat(env["BYLINE_DB"]); err != nil {
		t.Errorf("BYLINE_DB was not used: %v", err)
	}

	// Again: nothing changes.
	out, _, code = runBot(t, env, "", "ingest", filepath.Join(dir, "in"))
	if code != 0 || !strings.Contains(out, "2 unchanged") {
		t.Errorf("second ingest: status %d, summary %q; want 2 unchanged", code, out)
	}

	out, errOut, code = runBot(t, env, "", "search", "--json", "--limit", "2", "What did the harbour master say?")
	if code != 0 {
		t.Fatalf("search: status %d: %s", code, errOut)
	}
	var res struct {
		Query    string
		Passages []map[string]any
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("search --json output is not JSON: %v\n%s", err, out)
	}
	if len(res.Passages) == 0 {
		t.Fatalf("no passages: %s", out)
	}
	top := res.Passages[0]
	want := map[string]any{
		"article_id": "harbour", "title": "Harbour dredging to start in May", "source": "Bayside Courier",
		"url": "https://courier.example/harbour", "published": "2026-04-02T00:00:00Z", "paragraph": 2.0,
		"text": `"The channel has silted up faster than anyone expected," harbour master Tomas Berg said.`,
	}
	delete(top, "score")
	if diff := cmp.Diff(want, top); diff != "" {
		t.Errorf("top passage (-want +got):\n%s", diff)
	}

	// Batch mode: one JSON line per question, in order, blank lines kept.
	out, errOut, code = runBot(t, env, "flood books lost\n\nNEAR(\"x\" *\nharbour\n", "search", "--jsonl", "-")
	if code != 0 {
		t.Fatalf("search --jsonl: status %d: %s", code, errOut)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 4 {
		t.Fatalf("search --jsonl: %d lines, want 4:\n%s", len(lines), out)
	}
	var queries []string
	for _, l := range lines {
		var r struct {
			Query    string            `json:"query"`
			Passages []json.RawMessage `json:"passages"`
		}
		if err := json.Unmarshal([]byte(l), &r); err != nil {
			t.Fatalf("line %q: %v", l, err)
		}
		if r.Passages == nil {
			t.Errorf("line %q: passages is null, want a list", l)
		}
		queries = append(queries, r.Query)
	}
	if diff := cmp.Diff([]string{"flood books lost", "", `NEAR("x" *`, "harbour"}, queries); diff != "" {
		t.Errorf("queries (-want +got):\n%s", diff)
	}

	// --db beats BYLINE_DB.
	out, _, code = runBot(t, env, "", "articles", "--db", filepath.Join(dir, "other.db"))
	if code != 0 || !strings.Contains(out, "0 articles") {
		t.Errorf("articles --db other.db: status %d, %q", code, out)
	}
	out, _, code = runBot(t, env, "", "articles")
	if code != 0 || !strings.Contains(out, "2 articles, 6 paragraphs") || !strings.Contains(out, "Harbour dredging") {
		t.Errorf("articles: status %d:\n%s", code, out)
	}
}

func TestIngestReportsFailuresAndKeepsTheRest(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "in", "good.md"), harbourMD)
	writeFile(t, filepath.Join(dir, "in", "empty.txt"), "")
	writeFile(t, filepath.Join(dir, "in", "binary.txt"), "\x00\x01\x02garbage\x00")
	writeFile(t, filepath.Join(dir, "in", "lines.jsonl"),
		`{"id":"a1","title":"One","body":"First story text."}`+"\n"+
			`{"id":"a2","title":"Two",`+"\n"+
			`{"id":"a3","title":"Three","body":"Third story text."}`+"\n")
	env := map[string]string{"BYLINE_DB": filepath.Join(dir, "k.db")}
	out, errOut, code := runBot(t, env, "", "ingest", filepath.Join(dir, "in"))
	if code != 1 {
		t.Fatalf("status %d, want 1\nstdout: %s\nstderr: %s", code, out, errOut)
	}
	for _, want := range []string{"3 new", "3 failed", "empty.txt", "binary.txt", "lines.jsonl:2"} {
		if !strings.Contains(out, want) {
			t.Errorf("summary does not mention %q:\n%s", want, out)
		}
	}
	out, _, _ = runBot(t, env, "", "articles")
	if !strings.Contains(out, "3 articles") {
		t.Errorf("the good articles were not all stored:\n%s", out)
	}
}

func TestSearchHostileQuestions(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "harbour.md"), harbourMD)
	env := map[string]string{"BYLINE_DB": filepath.Join(dir, "k.db")}
	if _, errOut, code := runBot(t, env, "", "ingest", filepath.Join(dir, "harbour.md")); code != 0 {
		t.Fatalf("ingest: %s", errOut)
	}
	for _, q := range []string{
		`"harbour`, `NEAR(harbour dredging`, `harbour*`, `-harbour`, `title:harbour`, `harbour AND OR NOT`,
		`🙂⚓`, strings.Repeat("harbour dredging 🙂 \"' ", 1200), `)(`, `^harbour`, `{title body}: x`,
	} {
		out, errOut, code := runBot(t, env, "", "search", "--json", "--", q)
		if code != 0 {
			t.Errorf("search %.40q: status %d: %s", q, code, errOut)
			continue
		}
		if !json.Valid([]byte(out)) {
			t.Errorf("search %.40q: output is not JSON: %s", q, out)
		}
	}
}

func TestUsageErrors(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{nil, "no command"},
		{[]string{"frobnicate"}, "unknown command"},
		{[]string{"ingest"}, "name at least one"},
		{[]string{"search"}, "ask a question"},
		{[]string{"search", "--limit", "-1", "x"}, "--limit"},
		{[]string{"search", "--since", "yesterday", "x"}, "--since"},
		{[]string{"search", "--jsonl", "questions.txt"}, "stdin"},
		{[]string{"search", "--bogus", "x"}, "bogus"},
	}
	for _, tt := range tests {
		_, errOut, code := runBot(t, map[string]string{"BYLINE_DB": filepath.Join(t.TempDir(), "k.db")}, "", tt.args...)
		if code != 2 {
			t.Errorf("%v: status %d, want 2", tt.args, code)
		}
		if !strings.Contains(errOut, tt.want) {
			t.Errorf("%v: stderr %q does not mention %q", tt.args, errOut, tt.want)
		}
	}
}

func TestVersion(t *testing.T) {
	out, _, code := runBot(t, nil, "", "version")
	if code != 0 || !strings.HasPrefix(out, "byline ") {
		t.Errorf("version: status %d, %q", code, out)
	}
}

func TestConfig(t *testing.T) {
	// The example documents the defaults: loading it changes nothing.
	cfg, err := loadConfig("../../config.example.yaml", func(string) string { return "" })
	if err != nil {
		t.Fatalf("config.example.yaml: %v", err)
	}
	want := defaultConfig()
	want.DB = "byline.db"
	if diff := cmp.Diff(want, cfg, cmpopts.EquateEmpty(), cmpopts.IgnoreUnexported(Config{}, ClockTime{}, TimeZone{})); diff != "" {
		t.Errorf("config.example.yaml differs from the defaults (-want +got):\n%s", diff)
	}

	dir := t.TempDir()
	tests := []struct {
		name, body, wantErr string
	}{
		{"env expansion", "db: ${DATA}/k.db\n", ""},
		{"unknown key", "dbb: x\n", "dbb"},
		{"bad level", "log:\n  level: loud\n", "log.level"},
		{"bad limit", "search:\n  limit: 500\n", "search.limit"},
		{"bad timeout", "ingest:\n  feed_timeout: soon\n", "ingest.feed_timeout"},
		{"bad slack mode", "slack:\n  mode: carrier-pigeon\n", "slack.mode"},
		{"bad channel mode", "discord:\n  channels:\n    \"42\": {mode: always}\n", "discord.channels.42.mode"},
		{"bad digest time", "digest:\n  channels:\n    - {name: n, platform: slack, channel: C1, time: \"8am\", timezone: UTC}\n", "digest.channels[0].time"},
		{"bad digest zone", "digest:\n  channels:\n    - {name: n, platform: slack, channel: C1, time: \"08:00\", timezone: Mars/Olympus}\n", "digest.channels[0].timezone"},
		{"bad digest day", "digest:\n  channels:\n    - {name: n, platform: slack, channel: C1, time: \"08:00\", timezone: UTC, days: [someday]}\n", "digest.channels[0].days"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(dir, strings.ReplaceAll(tt.name, " ", "_")+".yaml")
			writeFile(t, path, tt.body)
			cfg, err := loadConfig(path, func(k string) string { return map[string]string{"DATA": "/srv"}[k] })
			if tt.wantErr == "" {
				if err != nil {
					t.Fatal(err)
				}
				if cfg.DB != "/srv/k.db" {
					t.Errorf("db = %q, want /srv/k.db", cfg.DB)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("error %v does not name %q", err, tt.wantErr)
			}
		})
	}
}

// The README's quickstart, as a newcomer runs it: the sample articles, a
// question, and follow-ups, one of which the conversation's words would
// lead astray unless it is searched again as asked. The whole
// conversation is compared with testdata/quickstart.golden (go test
// -update rewrites it); each answer must also cite with [1] and list that
// source, so that a rewritten golden file cannot bless an answer without
// its citation.
func TestQuickstartConversation(t *testing.T) {
	db := filepath.Join(t.TempDir(), "k.db")
	in := "What did the union say about the pay offer?\nWhat did the company say about that?\nWhat did the operator say?\n/quit\n"
	out, stderr, code := runBot(t, nil, in, "chat", "--db", db, "--ingest", filepath.Join("..", "..", "examples", "articles"))
	if code != 0 {
		t.Fatalf("chat: %s", stderr)
	}
	out = strings.ReplaceAll(out, db, "$DB")

	answers := strings.Split(out, "\n> ")
	if len(answers) != 5 || answers[4] != "" {
		t.Fatalf("want three answers and a last prompt:\n%s", out)
	}
	for i, want := range []string{"rejected a pay offer", "Martin Greaves", "the operator said"} {
		text, sources, ok := strings.Cut(answers[i+1], "\n\nSources:\n")
		if !ok {
			t.Errorf("answer %d has no Sources block:\n%s", i+1, answers[i+1])
			continue
		}
		if !strings.Contains(text, want) || strings.HasPrefix(text, "The articles I have don't say") {
			t.Errorf("answer %d does not say %q:\n%s", i+1, want, text)
		}
		if !strings.Contains(text, " [1]") || !strings.HasPrefix(sources, "[1] ") {
			t.Errorf("answer %d does not cite [1] and list it under Sources:\n%s", i+1, answers[i+1])
		}
	}

	golden := filepath.Join("testdata", "quickstart.golden")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(golden, []byte(out), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test ./cmd/bot -run TestQuickstartConversation -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), out); diff != "" {
		t.Errorf("conversation (-want +got):\n%s", diff)
	}
}
