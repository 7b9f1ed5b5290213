package main

import (
	"encoding/json"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// fakeLLM is an OpenAI-compatible chat completions server that streams an
// answer over a latency chosen per question between min and max: a
// seeded, uniform pick, the same for the same question tag and seed
// whatever order the questions arrive in. The answer repeats the question's
// tag and cites passage [1] of the prompt.
type fakeLLM struct {
	srv      *httptest.Server
	seed     uint64
	min, max time.Duration
	chunks   int

	calls    atomic.Int64
	failed   atomic.Int64
	inFlight atomic.Int64
	peak     atomic.Int64

	mu     sync.Mutex
	chosen map[string]time.Duration // tag → the latency picked
	began  map[string]time.Time     // tag → when its request came in
	served map[string]time.Duration // tag → request received to last byte flushed
}

func newFakeLLM(seed uint64, min, max time.Duration) *fakeLLM {
	f := &fakeLLM{seed: seed, min: min, max: max, chunks: 16, chosen: map[string]time.Duration{}, began: map[string]time.Time{}, served: map[string]time.Duration{}}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/chat/completions", f.complete)
	f.srv = httptest.NewServer(mux)
	return f
}

func (f *fakeLLM) close() { f.srv.Close() }

// baseURL is the llm.Options.BaseURL for the fake.
func (f *fakeLLM) baseURL() string { return f.srv.URL + "/v1" }

// latency picks the latency of the question with tag.
func (f *fakeLLM) latency(tag string) time.Duration {
	h := fnv.New64a()
	h.Write([]byte(tag))
	rng := rand.New(rand.NewPCG(f.seed, h.Sum64()))
	return f.min + time.Duration(rng.Int64N(int64(f.max-f.min)+1))
}

// timing returns the latency chosen for tag, when its request came in and
// the time the fake took to serve it, and whether the fake saw the
// question.
func (f *fakeLLM) timing(tag string) (chosen time.Duration, began time.Time, served time.Duration, ok bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	chosen, ok = f.chosen[tag]
	return chosen, f.began[tag], f.served[tag], ok
}

var (
	tagRE      = regexp.MustCompile(`\bQ\d{4,}\b`)
	passage1RE = regexp.MustCompile(`(?s)<passage n="1"[^>]*>\s*(.*?)\s*</passage>`)
)

type chatRequest struct {
	Model    string `json:"model"`
	Stream   bool   `json:"stream"`
	Messages []struct {
		Role    string `json:"role"`
		Content string `json:"content"`
	} `json:"messages"`
}

func (f *fakeLLM) complete(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	f.calls.Add(1)
	n := f.inFlight.Add(1)
	defer f.inFlight.Add(-1)
	for p := f.peak.Load(); n > p && !f.peak.CompareAndSwap(p, n); p = f.peak.Load() {
	}
	var req chatRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil || len(req.Messages) == 0 {
		f.failed.Add(1)
		http.Error(w, `{"error":{"message":"bad request"}}`, http.StatusBadRequest)
		return
	}
	user := req.Messages[len(req.Messages)-1].Content
	tags := tagRE.FindAllString(user, -1)
	tag := "untagged"
	if len(tags) > 0 {
		tag = tags[len(tags)-1] // the question comes after the passages
	}
	lat := f.latency(tag)
	f.mu.Lock()
	f.chosen[tag] = lat
	f.began[tag] = start
	f.mu.Unlock()

	text := "On " + tag + ": the articles do not say more [1]."
	if m := passage1RE.FindStringSubmatch(user); m != nil {
		sentences := strings.SplitAfter(m[1], ". ")
		text = "On " + tag + ": " + strings.TrimSpace(sentences[0]) + " [1]"
		if len(sentences) > 1 {
			text += " " + strings.TrimSpace(sentences[1]) + " [1]"
		}
	}
	if !req.Stream {
		f.failed.Add(1)
		http.Error(w, `{"error":{"message":"the load run expects streaming"}}`, http.StatusBadRequest)
		return
	}
	w.Header().Set("Content-Type", "text/event-stream")
	fl := w.(http.Flusher)
	words := strings.SplitAfter(text, " ")
	per := max(1, (len(words)+f.chunks-1)/f.chunks)
	pieces := (len(words) + per - 1) / per
	// A first token after a fifth of the time, the rest evenly after.
	first := lat / 5
	gap := (lat - first) / time.Duration(pieces)
	wait := first
	for i := 0; i < len(words); i += per {
		t := time.NewTimer(wait)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			f.failed.Add(1)
			return
		}
		wait = gap
		chunk := strings.Join(words[i:min(i+per, len(words))], "")
		writeChunk(w, map[string]any{"content": chunk}, "")
		fl.Flush()
	}
	time.Sleep(max(0, lat-time.Since(start)))
	writeChunk(w, map[string]any{}, "stop")
	fmt.Fprint(w, "data: [DONE]\n\n")
	fl.Flush()
	f.mu.Lock()
	f.served[tag] = time.Since(start)
	f.mu.Unlock()
}

func writeChunk(w http.ResponseWriter, delta map[string]any, finish string) {
	choice := map[string]any{"index": 0, "delta": delta}
	if finish != "" {
		choice["finish_reason"] = finish
	}
	b, _ := json.Marshal(map[string]any{"id": "chatcmpl-load", "object": "chat.completion.chunk", "created": 1, "model": "gpt-4o-mini", "choices": []any{choice}})
	fmt.Fprintf(w, "data: %s\n\n", b)
}
