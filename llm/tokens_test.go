package llm

import (
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestNewCounterEncoding(t *testing.T) {
	tests := map[string]string{
		"gpt-4o":                      "o200k_base",
		"gpt-4o-mini-2024-07-18":      "o200k_base",
		"chatgpt-4o-latest":           "o200k_base",
		"gpt-4.1-nano":                "o200k_base",
		"gpt-5-mini":                  "o200k_base",
		"o1":                          "o200k_base",
		"o3-mini":                     "o200k_base",
		"o4-mini":                     "o200k_base",
		"openai/gpt-4o":               "o200k_base",
		"ft:gpt-4o-mini:acme::abc123": "o200k_base",
		"GPT-4O":                      "o200k_base",
		"gpt-4":                       "cl100k_base",
		"gpt-4-turbo":                 "cl100k_base",
		"gpt-3.5-turbo":               "cl100k_base",
		"gpt-35-turbo":                "cl100k_base",
		"llama3.1:8b":                 "cl100k_base",
		"qwen2.5:7b-instruct":         "cl100k_base",
		"mistralai/Mistral-7B":        "cl100k_base",
		"":                            "cl100k_base",
	}
	got := map[string]string{}
	for model := range tests {
		c, err := NewCounter(model)
		if err != nil {
			t.Fatalf("NewCounter(%q): %v", model, err)
		}
		got[model] = c.Encoding()
	}
	if diff := cmp.Diff(tests, got); diff != "" {
		t.Errorf("encodings by model (-want +got):\n%s", diff)
	}
}

func TestCount(t *testing.T) {
	// Reference counts from OpenAI's tiktoken.
	tests := []struct {
		model, text string
		want        int
	}{
		{"gpt-4", "", 0},
		{"gpt-4", "hello world", 2},
		{"gpt-4", "tiktoken is great!", 6},
		{"gpt-4o", "tiktoken is great!", 6},
		{"llama3", "hello world", 2},
	}
	for _, tt := range tests {
		c, err := NewCounter(tt.model)
		if err != nil {
			t.Fatal(err)
		}
		if got := c.Count(tt.text); got != tt.want {
			t.Errorf("Count(%q) with %s = %d, want %d", tt.text, c.Encoding(), got, tt.want)
		}
	}
}

func TestCountMessages(t *testing.T) {
	c, err := NewCounter("gpt-4o")
	if err != nil {
		t.Fatal(err)
	}
	msgs := []Message{
		{Role: RoleSystem, Content: "tiktoken is great!"},
		{Role: RoleUser, Content: "hello world"},
	}
	// 3 for the reply, then per message 3 + 1 for the role + the content.
	want := 3 + (3 + 1 + 6) + (3 + 1 + 2)
	if got := c.CountMessages(msgs); got != want {
		t.Errorf("CountMessages = %d, want %d", got, want)
	}
	if got := c.CountMessages(nil); got != 3 {
		t.Errorf("CountMessages(nil) = %d, want 3", got)
	}
}

func TestCounterConcurrent(t *testing.T) {
	c, err := NewCounter("gpt-4o")
	if err != nil {
		t.Fatal(err)
	}
	text := thousandWords()
	want := c.Count(text)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			if got := c.Count(text); got != want {
				t.Errorf("concurrent Count = %d, want %d", got, want)
			}
		})
	}
	wg.Wait()
}

// thousandWords returns 1,000 words of news-like English.
func thousandWords() string {
	words := strings.Fields(`The city council voted on Tuesday to expand the river park,
		after months of debate over its cost. Residents who spoke at the meeting said the
		plan, estimated at 4.2 million dollars, would bring families back to the waterfront;
		critics argued that the money should repair roads first. "We have waited twelve
		years for this," said Maria Lopez, who has lived near the river since 1998.`)
	var b strings.Builder
	for i := range 1000 {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(words[i%len(words)])
	}
	return b.String()
}

// BenchmarkCount measures one Count of a 1,000-word text (about 5.8 KB).
//
// Recorded 2026-11-22 on a shared 2-core Intel Xeon VM (linux/amd64, Go
// 1.26.8) with `go test -run '^$' -bench Count -benchtime 2s ./llm/`:
//
//	BenchmarkCount/cl100k_base-2  4377  520310 ns/op  11.14 MB/s  361883 B/op  7352 allocs/op
//	BenchmarkCount/o200k_base-2   3062  808085 ns/op   7.17 MB/s  361871 B/op  7352 allocs/op
func BenchmarkCount(b *testing.B) {
	text := thousandWords()
	for _, model := range []string{"gpt-4", "gpt-4o"} {
		c, err := NewCounter(model)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(c.Encoding(), func(b *testing.B) {
			b.SetBytes(int64(len(text)))
			b.ReportAllocs()
			for b.Loop() {
				c.Count(text)
			}
		})
	}
}
