package llm

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// testKey is long enough to be redacted from server text (minRedactLen).
const testKey = "sk-test-Secret-0123456789abcdef"

// wireRequest is the JSON body of a chat completion request, as the server
// sees it.
type wireRequest struct {
	Model    string `json:"model"`
	Messages []struct {
		Role    string `json:"role"`
		Content string `json:"content"`
	} `json:"messages"`
	Stream        bool `json:"stream"`
	StreamOptions *struct {
		IncludeUsage bool `json:"include_usage"`
	} `json:"stream_options"`
	Temperature         *float64 `json:"temperature"`
	MaxTokens           int      `json:"max_tokens"`
	MaxCompletionTokens int      `json:"max_completion_tokens"`
	Stop                []string `json:"stop"`
}

// handlerFunc answers the n-th request (from 1) once fakeServer has checked it.
type handlerFunc func(w http.ResponseWriter, r *http.Request, req wireRequest, n int)

// fakeServer speaks the OpenAI chat completions protocol on
// POST /v1/chat/completions and records what it received.
type fakeServer struct {
	*httptest.Server
	mu       sync.Mutex
	requests []wireRequest
}

func newFakeServer(t *testing.T, handle handlerFunc) *fakeServer {
	t.Helper()
	s := &fakeServer{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.URL.Path != "/v1/chat/completions" {
			t.Errorf("server got %s %s, want POST /v1/chat/completions", r.Method, r.URL.Path)
			http.NotFound(w, r)
			return
		}
		if got, want := r.Header.Get("Authorization"), "Bearer "+testKey; got != want {
			writeJSON(w, http.StatusUnauthorized, errorBody("missing or wrong key", "invalid_request_error", "invalid_api_key"))
			return
		}
		var req wireRequest
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
			t.Errorf("server could not decode the request body: %v", err)
			http.Error(w, "bad body", http.StatusBadRequest)
			return
		}
		s.mu.Lock()
		s.requests = append(s.requests, req)
		n := len(s.requests)
		s.mu.Unlock()
		handle(w, r, req, n)
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *fakeServer) received() []wireRequest {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]wireRequest(nil), s.requests...)
}

// sleepRecorder replaces Options.Sleep: it records each wait and returns at
// once, so tests never sleep for real.
type sleepRecorder struct {
	mu     sync.Mutex
	sleeps []time.Duration
}

func (r *sleepRecorder) sleep(ctx context.Context, d time.Duration) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.sleeps = append(r.sleeps, d)
	return ctx.Err()
}

func (r *sleepRecorder) recorded() []time.Duration {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]time.Duration(nil), r.sleeps...)
}

func testOptions(s *fakeServer, sleeps *sleepRecorder) Options {
	return Options{
		BaseURL: s.URL + "/v1",
		APIKey:  testKey,
		Model:   "gpt-4o-mini",
		Timeout: 10 * time.Second,
		Sleep:   sleeps.sleep,
	}
}

func mustNew(t *testing.T, opts Options) *Client {
	t.Helper()
	c, err := New(opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return c
}

var testMessages = []Message{
	{Role: RoleSystem, Content: "Answer from the passages and cite them."},
	{Role: RoleUser, Content: "What is the capital of France?"},
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func errorBody(message, typ, code string) map[string]any {
	return map[string]any{"error": map[string]any{"message": message, "type": typ, "code": code, "param": nil}}
}

func completionBody(text string, promptTokens, completionTokens int) map[string]any {
	body := map[string]any{
		"id":      "chatcmpl-1",
		"object":  "chat.completion",
		"created": 1700000000,
		"model":   "gpt-4o-mini-2024-07-18",
		"choices": []any{map[string]any{
			"index":         0,
			"message":       map[string]any{"role": "assistant", "content": text},
			"finish_reason": "stop",
		}},
	}
	if promptTokens > 0 || completionTokens > 0 {
		body["usage"] = map[string]any{
			"prompt_tokens":     promptTokens,
			"completion_tokens": completionTokens,
			"total_tokens":      promptTokens + completionTokens,
		}
	}
	return body
}

func ok(text string) handlerFunc {
	return func(w http.ResponseWriter, _ *http.Request, _ wireRequest, _ int) {
		writeJSON(w, http.StatusOK, completionBody(text, 20, 5))
	}
}

// failFirst answers the first n requests with fail and the rest with then.
func failFirst(n int, fail, then handlerFunc) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request, req wireRequest, i int) {
		if i <= n {
			fail(w, r, req, i)
			return
		}
		then(w, r, req, i)
	}
}

func status(code int, header ...string) handlerFunc {
	return func(w http.ResponseWriter, _ *http.Request, _ wireRequest, _ int) {
		for i := 0; i+1 < len(header); i += 2 {
			w.Header().Set(header[i], header[i+1])
		}
		writeJSON(w, code, errorBody(http.StatusText(code), "server_error", ""))
	}
}

func raw(code int, contentType, body string) handlerFunc {
	return func(w http.ResponseWriter, _ *http.Request, _ wireRequest, _ int) {
		w.Header().Set("Content-Type", contentType)
		w.WriteHeader(code)
		fmt.Fprint(w, body)
	}
}

// chunk returns one streamed event with a content delta.
func chunk(content string) string {
	b, _ := json.Marshal(map[string]any{
		"id": "chatcmpl-1", "object": "chat.completion.chunk", "created": 1700000000,
		"model":   "gpt-4o-mini-2024-07-18",
		"choices": []any{map[string]any{"index": 0, "delta": map[string]any{"content": content}, "finish_reason": nil}},
		"usage":   nil,
	})
	return string(b)
}

const (
	roleChunk   = `{"id":"chatcmpl-1","object":"chat.completion.chunk","created":1700000000,"model":"gpt-4o-mini-2024-07-18","choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}],"usage":null}`
	finishChunk = `{"id":"chatcmpl-1","object":"chat.completion.chunk","created":1700000000,"model":"gpt-4o-mini-2024-07-18","choices":[{"index":0,"delta":{},"finish_reason":"stop"}],"usage":null}`
	usageChunk  = `{"id":"chatcmpl-1","object":"chat.completion.chunk","created":1700000000,"model":"gpt-4o-mini-2024-07-18","choices":[],"usage":{"prompt_tokens":31,"completion_tokens":4,"total_tokens":35}}`
)

// writeEvents writes server-sent events, flushing after each so the client
// sees them one by one.
func writeEvents(w http.ResponseWriter, events ...string) {
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-cache")
	for _, e := range events {
		fmt.Fprintf(w, "data: %s\n\n", e)
		w.(http.Flusher).Flush()
	}
}

func sse(events ...string) handlerFunc {
	return func(w http.ResponseWriter, _ *http.Request, _ wireRequest, _ int) {
		writeEvents(w, events...)
	}
}

// sseThenBreak writes events and then drops the connection mid-stream, as a
// crashing server or a broken proxy would.
func sseThenBreak(events ...string) handlerFunc {
	return func(w http.ResponseWriter, _ *http.Request, _ wireRequest, _ int) {
		writeEvents(w, events...)
		panic(http.ErrAbortHandler)
	}
}

// kindOf names the kind of err, for comparing outcomes in tables.
func kindOf(err error) string {
	for _, k := range []error{ErrRateLimited, ErrUnavailable, ErrTimeout, ErrConfig, ErrBadRequest, ErrEmptyResponse} {
		if errors.Is(err, k) {
			return k.Error()
		}
	}
	if err != nil {
		return "other: " + err.Error()
	}
	return ""
}

// outcome summarises a call for cmp.Diff.
type outcome struct {
	Resp     Response
	Kind     string
	Status   int
	Attempts int
	Requests int
}

func outcomeOf(resp Response, err error, s *fakeServer) outcome {
	o := outcome{Resp: resp, Kind: kindOf(err), Requests: len(s.received())}
	var e *Error
	if errors.As(err, &e) {
		o.Status, o.Attempts = e.StatusCode, e.Attempts
	}
	return o
}

func TestComplete(t *testing.T) {
	counter, err := NewCounter("gpt-4o-mini")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		handle  handlerFunc
		want    outcome
		wantMsg []string // substrings of the error message
	}{
		{
			name:   "text and usage",
			handle: ok("Paris [1]."),
			want: outcome{
				Resp:     Response{Text: "Paris [1].", Model: "gpt-4o-mini-2024-07-18", PromptTokens: 20, CompletionTokens: 5, FinishReason: "stop"},
				Requests: 1,
			},
		},
		{
			name: "missing usage is estimated",
			handle: func(w http.ResponseWriter, _ *http.Request, _ wireRequest, _ int) {
				writeJSON(w, http.StatusOK, completionBody("Paris [1].", 0, 0))
			},
			want: outcome{
				Resp: Response{
					Text: "Paris [1].", Model: "gpt-4o-mini-2024-07-18", FinishReason: "stop",
					PromptTokens: counter.CountMessages(testMessages), CompletionTokens: counter.Count("Paris [1]."),
					TokensEstimated: true,
				},
				Requests: 1,
			},
		},
		{
			name:    "zero choices",
			handle:  raw(200, "application/json", `{"id":"x","object":"chat.completion","model":"m","choices":[]}`),
			want:    outcome{Kind: ErrEmptyResponse.Error(), Status: 200, Attempts: 1, Requests: 1},
			wantMsg: []string{"no choices"},
		},
		{
			name:    "malformed JSON",
			handle:  raw(200, "application/json", `{"choices": [}`),
			want:    outcome{Kind: ErrEmptyResponse.Error(), Status: 200, Attempts: 1, Requests: 1},
			wantMsg: []string{"not valid JSON", "llm.base_url"},
		},
		{
			name:    "HTML instead of JSON",
			handle:  raw(200, "text/html", `<html><body>Welcome to nginx!</body></html>`),
			want:    outcome{Kind: ErrEmptyResponse.Error(), Status: 200, Attempts: 1, Requests: 1},
			wantMsg: []string{"not valid JSON"},
		},
		{
			name: "empty content",
			handle: func(w http.ResponseWriter, _ *http.Request, _ wireRequest, _ int) {
				writeJSON(w, http.StatusOK, completionBody("", 20, 0))
			},
			want:    outcome{Kind: ErrEmptyResponse.Error(), Status: 200, Attempts: 1, Requests: 1},
			wantMsg: []string{"no text"},
		},
		{
			name: "cut off before any text",
			handle: raw(200, "application/json",
				`{"model":"m","choices":[{"index":0,"message":{"role":"assistant","content":""},"finish_reason":"length"}]}`),
			want:    outcome{Kind: ErrEmptyResponse.Error(), Status: 200, Attempts: 1, Requests: 1},
			wantMsg: []string{"llm.max_tokens"},
		},
		{
			name: "bad key",
			handle: func(w http.ResponseWriter, _ *http.Request, _ wireRequest, _ int) {
				// Some servers quote the key back.
				writeJSON(w, http.StatusUnauthorized, errorBody("Incorrect API key provided: "+testKey, "invalid_request_error", "invalid_api_key"))
			},
			want:    outcome{Kind: ErrConfig.Error(), Status: 401, Attempts: 1, Requests: 1},
			wantMsg: []string{"rejected the API key", "HTTP 401", "check llm.api_key"},
		},
		{
			name:    "forbidden",
			handle:  status(403),
			want:    outcome{Kind: ErrConfig.Error(), Status: 403, Attempts: 1, Requests: 1},
			wantMsg: []string{"HTTP 403", "llm.api_key"},
		},
		{
			name: "model not found",
			handle: func(w http.ResponseWriter, _ *http.Request, _ wireRequest, _ int) {
				writeJSON(w, http.StatusNotFound, errorBody("The model `gpt-4o-mini` does not exist", "invalid_request_error", "model_not_found"))
			},
			want:    outcome{Kind: ErrConfig.Error(), Status: 404, Attempts: 1, Requests: 1},
			wantMsg: []string{"HTTP 404", "check llm.model", "does not exist"},
		},
		{
			name:    "Ollama-style error body",
			handle:  raw(404, "application/json", `{"error":"model \"llama9\" not found, try pulling it first"}`),
			want:    outcome{Kind: ErrConfig.Error(), Status: 404, Attempts: 1, Requests: 1},
			wantMsg: []string{`model "llama9" not found, try pulling it first`},
		},
		{
			name: "prompt too long",
			handle: func(w http.ResponseWriter, _ *http.Request, _ wireRequest, _ int) {
				writeJSON(w, http.StatusBadRequest, errorBody("This model's maximum context length is 128000 tokens.", "invalid_request_error", "context_length_exceeded"))
			},
			want:    outcome{Kind: ErrBadRequest.Error(), Status: 400, Attempts: 1, Requests: 1},
			wantMsg: []string{"HTTP 400", "maximum context length"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newFakeServer(t, tt.handle)
			c := mustNew(t, testOptions(s, &sleepRecorder{}))

			resp, err := c.Complete(t.Context(), Request{Messages: testMessages})

			if diff := cmp.Diff(tt.want, outcomeOf(resp, err, s)); diff != "" {
				t.Errorf("Complete outcome mismatch (-want +got):\n%s\nerr: %v", diff, err)
			}
			for _, sub := range tt.wantMsg {
				if err == nil || !strings.Contains(err.Error(), sub) {
					t.Errorf("error %q does not mention %q", err, sub)
				}
			}
			if err != nil && strings.Contains(err.Error(), testKey) {
				t.Errorf("error %q contains the API key", err)
			}
		})
	}
}

func TestCompleteSendsRequest(t *testing.T) {
	tests := []struct {
		name string
		opts func(*Options)
		req  Request
		want wireRequest
	}{
		{
			name: "defaults: temperature 0 is sent",
			req:  Request{Messages: testMessages},
			want: wireRequest{Model: "gpt-4o-mini", Temperature: ptr(0.0)},
		},
		{
			name: "temperature, max tokens and stop",
			opts: func(o *Options) { o.Temperature, o.MaxTokens = 0.5, 300 },
			req:  Request{Messages: testMessages, Stop: []string{"\n\n"}},
			want: wireRequest{Model: "gpt-4o-mini", Temperature: ptr(0.5), MaxTokens: 300, Stop: []string{"\n\n"}},
		},
		{
			name: "request overrides max tokens",
			opts: func(o *Options) { o.MaxTokens = 300 },
			req:  Request{Messages: testMessages, MaxTokens: 50},
			want: wireRequest{Model: "gpt-4o-mini", Temperature: ptr(0.0), MaxTokens: 50},
		},
		{
			name: "reasoning model: max_completion_tokens, no temperature",
			opts: func(o *Options) { o.Model, o.MaxTokens = "o3-mini", 2000 },
			req:  Request{Messages: testMessages},
			want: wireRequest{Model: "o3-mini", MaxCompletionTokens: 2000},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newFakeServer(t, ok("Paris."))
			opts := testOptions(s, &sleepRecorder{})
			if tt.opts != nil {
				tt.opts(&opts)
			}
			c := mustNew(t, opts)
			if _, err := c.Complete(t.Context(), tt.req); err != nil {
				t.Fatalf("Complete: %v", err)
			}
			got := s.received()
			if len(got) != 1 {
				t.Fatalf("server got %d requests, want 1", len(got))
			}
			want := tt.want
			for _, m := range tt.req.Messages {
				want.Messages = append(want.Messages, struct {
					Role    string `json:"role"`
					Content string `json:"content"`
				}{m.Role, m.Content})
			}
			if diff := cmp.Diff(want, got[0]); diff != "" {
				t.Errorf("request body mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func ptr[T any](v T) *T { return &v }

// between is an inclusive range of acceptable waits.
type between struct{ lo, hi time.Duration }

func TestCompleteRetries(t *testing.T) {
	tests := []struct {
		name       string
		handle     handlerFunc
		opts       func(*Options)
		deadline   time.Duration // for the caller's context; 0 means none
		want       outcome
		wantSleeps []between
		wantMsg    string
	}{
		{
			name:       "429 with Retry-After seconds",
			handle:     failFirst(1, status(429, "Retry-After", "2"), ok("Paris.")),
			want:       outcome{Resp: Response{Text: "Paris.", Model: "gpt-4o-mini-2024-07-18", PromptTokens: 20, CompletionTokens: 5, FinishReason: "stop"}, Requests: 2},
			wantSleeps: []between{{2 * time.Second, 2 * time.Second}},
		},
		{
			name: "503 with Retry-After date",
			handle: failFirst(1, func(w http.ResponseWriter, r *http.Request, req wireRequest, n int) {
				status(503, "Retry-After", time.Now().Add(3*time.Second).UTC().Format(http.TimeFormat))(w, r, req, n)
			}, ok("Paris.")),
			want:       outcome{Resp: Response{Text: "Paris.", Model: "gpt-4o-mini-2024-07-18", PromptTokens: 20, CompletionTokens: 5, FinishReason: "stop"}, Requests: 2},
			wantSleeps: []between{{1 * time.Second, 3 * time.Second}},
		},
		{
			name:       "429 with retry-after-ms",
			handle:     failFirst(1, status(429, "Retry-After-Ms", "1500"), ok("Paris.")),
			want:       outcome{Resp: Response{Text: "Paris.", Model: "gpt-4o-mini-2024-07-18", PromptTokens: 20, CompletionTokens: 5, FinishReason: "stop"}, Requests: 2},
			wantSleeps: []between{{1500 * time.Millisecond, 1500 * time.Millisecond}},
		},
		{
			name:       "500 twice, then success, with exponential backoff",
			handle:     failFirst(2, status(500), ok("Paris.")),
			want:       outcome{Resp: Response{Text: "Paris.", Model: "gpt-4o-mini-2024-07-18", PromptTokens: 20, CompletionTokens: 5, FinishReason: "stop"}, Requests: 3},
			wantSleeps: []between{{500 * time.Millisecond, time.Second}, {time.Second, 2 * time.Second}},
		},
		{
			name:       "Retry-After on 500 is not honoured",
			handle:     failFirst(1, status(500, "Retry-After", "20"), ok("Paris.")),
			want:       outcome{Resp: Response{Text: "Paris.", Model: "gpt-4o-mini-2024-07-18", PromptTokens: 20, CompletionTokens: 5, FinishReason: "stop"}, Requests: 2},
			wantSleeps: []between{{500 * time.Millisecond, time.Second}},
		},
		{
			name:       "502 from a proxy, then success",
			handle:     failFirst(1, raw(502, "text/html", "<html>Bad Gateway</html>"), ok("Paris.")),
			want:       outcome{Resp: Response{Text: "Paris.", Model: "gpt-4o-mini-2024-07-18", PromptTokens: 20, CompletionTokens: 5, FinishReason: "stop"}, Requests: 2},
			wantSleeps: []between{{500 * time.Millisecond, time.Second}},
		},
		{
			name: "connection dropped before the response, then success",
			handle: failFirst(1, func(w http.ResponseWriter, _ *http.Request, _ wireRequest, _ int) {
				panic(http.ErrAbortHandler)
			}, ok("Paris.")),
			want:       outcome{Resp: Response{Text: "Paris.", Model: "gpt-4o-mini-2024-07-18", PromptTokens: 20, CompletionTokens: 5, FinishReason: "stop"}, Requests: 2},
			wantSleeps: []between{{500 * time.Millisecond, time.Second}},
		},
		{
			name:       "500 forever",
			handle:     status(500),
			opts:       func(o *Options) { o.MaxRetries = 2 },
			want:       outcome{Kind: ErrUnavailable.Error(), Status: 500, Attempts: 3, Requests: 3},
			wantSleeps: []between{{500 * time.Millisecond, time.Second}, {time.Second, 2 * time.Second}},
			wantMsg:    "after 3 attempts",
		},
		{
			name:       "default MaxRetries is 3",
			handle:     status(503),
			want:       outcome{Kind: ErrUnavailable.Error(), Status: 503, Attempts: 4, Requests: 4},
			wantSleeps: []between{{500 * time.Millisecond, time.Second}, {time.Second, 2 * time.Second}, {2 * time.Second, 4 * time.Second}},
		},
		{
			name:    "negative MaxRetries means one attempt",
			handle:  status(429, "Retry-After", "1"),
			opts:    func(o *Options) { o.MaxRetries = -1 },
			want:    outcome{Kind: ErrRateLimited.Error(), Status: 429, Attempts: 1, Requests: 1},
			wantMsg: "HTTP 429",
		},
		{
			// Retrying sooner than the server asks would earn another 429.
			name:    "Retry-After longer than MaxBackoff gives up at once",
			handle:  failFirst(1, status(429, "Retry-After", "120"), ok("Paris.")),
			opts:    func(o *Options) { o.MaxBackoff = 10 * time.Second },
			want:    outcome{Kind: ErrRateLimited.Error(), Status: 429, Attempts: 1, Requests: 1},
			wantMsg: "longer than llm retries wait",
		},
		{
			name:     "Retry-After beyond the caller's deadline gives up at once",
			handle:   status(429, "Retry-After", "30"),
			deadline: 5 * time.Second,
			want:     outcome{Kind: ErrRateLimited.Error(), Status: 429, Attempts: 1, Requests: 1},
			wantMsg:  "beyond the caller's deadline",
		},
		{
			name: "no quota is not retried",
			handle: func(w http.ResponseWriter, _ *http.Request, _ wireRequest, _ int) {
				writeJSON(w, 429, errorBody("You exceeded your current quota.", "insufficient_quota", "insufficient_quota"))
			},
			want:    outcome{Kind: ErrRateLimited.Error(), Status: 429, Attempts: 1, Requests: 1},
			wantMsg: "no quota",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newFakeServer(t, tt.handle)
			sleeps := &sleepRecorder{}
			opts := testOptions(s, sleeps)
			if tt.opts != nil {
				tt.opts(&opts)
			}
			c := mustNew(t, opts)
			ctx := t.Context()
			if tt.deadline > 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, tt.deadline)
				defer cancel()
			}

			resp, err := c.Complete(ctx, Request{Messages: testMessages})

			if diff := cmp.Diff(tt.want, outcomeOf(resp, err, s)); diff != "" {
				t.Errorf("Complete outcome mismatch (-want +got):\n%s\nerr: %v", diff, err)
			}
			if tt.wantMsg != "" && (err == nil || !strings.Contains(err.Error(), tt.wantMsg)) {
				t.Errorf("error %q does not mention %q", err, tt.wantMsg)
			}
			checkSleeps(t, sleeps.recorded(), tt.wantSleeps)
		})
	}
}

func checkSleeps(t *testing.T, got []time.Duration, want []between) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("slept %v, want %d waits in %v", got, len(want), want)
		return
	}
	for i := range got {
		if got[i] < want[i].lo || got[i] > want[i].hi {
			t.Errorf("wait %d = %v, want between %v and %v", i+1, got[i], want[i].lo, want[i].hi)
		}
	}
}

func TestCompleteConnectionRefused(t *testing.T) {
	s := httptest.NewServer(http.NotFoundHandler())
	url := s.URL
	s.Close() // nothing listens there any more
	sleeps := &sleepRecorder{}
	c := mustNew(t, Options{BaseURL: url + "/v1", Model: "llama3.1", MaxRetries: 1, Sleep: sleeps.sleep})

	_, err := c.Complete(t.Context(), Request{Messages: testMessages})

	if !errors.Is(err, ErrUnavailable) {
		t.Fatalf("Complete error = %v, want ErrUnavailable", err)
	}
	var e *Error
	if !errors.As(err, &e) || e.Attempts != 2 {
		t.Errorf("Complete error = %#v, want an *Error after 2 attempts", err)
	}
	if !strings.Contains(err.Error(), "llm.base_url") {
		t.Errorf("error %q does not mention llm.base_url", err)
	}
	if got := len(sleeps.recorded()); got != 1 {
		t.Errorf("slept %d times, want 1", got)
	}
}

// hang blocks until the client gives up on the request.
func hang(_ http.ResponseWriter, r *http.Request, _ wireRequest, _ int) {
	<-r.Context().Done()
}

func TestHungServer(t *testing.T) {
	tests := []struct {
		name   string
		stream bool
		handle handlerFunc
		want   outcome
	}{
		{
			name:   "complete",
			handle: hang,
			want:   outcome{Kind: ErrTimeout.Error(), Attempts: 2, Requests: 2},
		},
		{
			name:   "stream without a response",
			stream: true,
			handle: hang,
			want:   outcome{Kind: ErrTimeout.Error(), Attempts: 2, Requests: 2},
		},
		{
			name:   "stream that stalls after the first words",
			stream: true,
			handle: func(w http.ResponseWriter, r *http.Request, req wireRequest, n int) {
				writeEvents(w, roleChunk, chunk("The "))
				hang(w, r, req, n)
			},
			// Text was shown, so no retry; the partial text comes back.
			want: outcome{Resp: Response{Text: "The ", Model: "gpt-4o-mini-2024-07-18"}, Kind: ErrTimeout.Error(), Status: 200, Attempts: 1, Requests: 1},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newFakeServer(t, tt.handle)
			opts := testOptions(s, &sleepRecorder{})
			opts.Timeout, opts.MaxRetries = 200*time.Millisecond, 1
			c := mustNew(t, opts)

			start := time.Now()
			var resp Response
			var err error
			if tt.stream {
				resp, err = c.Stream(t.Context(), Request{Messages: testMessages}, nil)
			} else {
				resp, err = c.Complete(t.Context(), Request{Messages: testMessages})
			}
			if elapsed := time.Since(start); elapsed > 5*time.Second {
				t.Errorf("call took %v; it should give up after about 2 × 200ms", elapsed)
			}

			if diff := cmp.Diff(tt.want, outcomeOf(resp, err, s)); diff != "" {
				t.Errorf("outcome mismatch (-want +got):\n%s\nerr: %v", diff, err)
			}
			if !errors.Is(err, context.DeadlineExceeded) {
				t.Errorf("error %v does not wrap context.DeadlineExceeded", err)
			}
			if !strings.Contains(err.Error(), "llm.timeout") {
				t.Errorf("error %q does not mention llm.timeout", err)
			}
		})
	}
}

func TestCallerContext(t *testing.T) {
	s := newFakeServer(t, hang)
	c := mustNew(t, testOptions(s, &sleepRecorder{}))

	t.Run("canceled", func(t *testing.T) {
		ctx, cancel := context.WithCancel(t.Context())
		time.AfterFunc(50*time.Millisecond, cancel)
		_, err := c.Complete(ctx, Request{Messages: testMessages})
		if !errors.Is(err, context.Canceled) {
			t.Errorf("Complete error = %v, want context.Canceled", err)
		}
		if k := kindOf(err); !strings.HasPrefix(k, "other") {
			t.Errorf("a canceled call has kind %q, want none", k)
		}
	})
	t.Run("deadline", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
		defer cancel()
		_, err := c.Complete(ctx, Request{Messages: testMessages})
		if !errors.Is(err, ErrTimeout) || !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("Complete error = %v, want ErrTimeout wrapping context.DeadlineExceeded", err)
		}
	})
}

func TestStream(t *testing.T) {
	counter, err := NewCounter("gpt-4o-mini")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name       string
		handle     handlerFunc
		want       outcome
		wantDeltas []string
		partial    bool
	}{
		{
			name:       "deltas in order, then usage",
			handle:     sse(roleChunk, chunk("Paris "), chunk("is the capital "), chunk("[1]."), finishChunk, usageChunk, "[DONE]"),
			want:       outcome{Resp: Response{Text: "Paris is the capital [1].", Model: "gpt-4o-mini-2024-07-18", PromptTokens: 31, CompletionTokens: 4, FinishReason: "stop"}, Requests: 1},
			wantDeltas: []string{"Paris ", "is the capital ", "[1]."},
		},
		{
			name:   "no usage chunk: tokens are estimated",
			handle: sse(roleChunk, chunk("Paris "), chunk("[1]."), finishChunk, "[DONE]"),
			want: outcome{Resp: Response{
				Text: "Paris [1].", Model: "gpt-4o-mini-2024-07-18", FinishReason: "stop",
				PromptTokens: counter.CountMessages(testMessages), CompletionTokens: counter.Count("Paris [1]."), TokensEstimated: true,
			}, Requests: 1},
			wantDeltas: []string{"Paris ", "[1]."},
		},
		{
			// A server that sends the whole answer, its finish and usage,
			// then keeps the connection open: the answer is whole.
			name: "finished but held open",
			handle: func(w http.ResponseWriter, r *http.Request, _ wireRequest, _ int) {
				writeEvents(w, roleChunk, chunk("Paris "), chunk("[1]."), finishChunk, usageChunk)
				<-r.Context().Done()
			},
			want:       outcome{Resp: Response{Text: "Paris [1].", Model: "gpt-4o-mini-2024-07-18", PromptTokens: 31, CompletionTokens: 4, FinishReason: "stop"}, Requests: 1},
			wantDeltas: []string{"Paris ", "[1]."},
		},
		{
			// The same without a usage chunk: read a moment more, then
			// closed, and the tokens estimated.
			name: "finished, no usage, held open",
			handle: func(w http.ResponseWriter, r *http.Request, _ wireRequest, _ int) {
				writeEvents(w, roleChunk, chunk("Paris "), chunk("[1]."), finishChunk)
				<-r.Context().Done()
			},
			want: outcome{Resp: Response{
				Text: "Paris [1].", Model: "gpt-4o-mini-2024-07-18", FinishReason: "stop",
				PromptTokens: counter.CountMessages(testMessages), CompletionTokens: counter.Count("Paris [1]."), TokensEstimated: true,
			}, Requests: 1},
			wantDeltas: []string{"Paris ", "[1]."},
		},
		{
			name:       "breaks after deltas: no retry, partial text",
			handle:     sseThenBreak(roleChunk, chunk("Paris "), chunk("is ")),
			want:       outcome{Resp: Response{Text: "Paris is ", Model: "gpt-4o-mini-2024-07-18"}, Kind: ErrUnavailable.Error(), Status: 200, Attempts: 1, Requests: 1},
			wantDeltas: []string{"Paris ", "is "},
			partial:    true,
		},
		{
			name:       "breaks before any text: retried",
			handle:     failFirst(1, sseThenBreak(roleChunk), sse(roleChunk, chunk("Paris."), finishChunk, usageChunk, "[DONE]")),
			want:       outcome{Resp: Response{Text: "Paris.", Model: "gpt-4o-mini-2024-07-18", PromptTokens: 31, CompletionTokens: 4, FinishReason: "stop"}, Requests: 2},
			wantDeltas: []string{"Paris."},
		},
		{
			name:       "500 before the stream: retried",
			handle:     failFirst(1, status(500), sse(chunk("Paris."), finishChunk, usageChunk, "[DONE]")),
			want:       outcome{Resp: Response{Text: "Paris.", Model: "gpt-4o-mini-2024-07-18", PromptTokens: 31, CompletionTokens: 4, FinishReason: "stop"}, Requests: 2},
			wantDeltas: []string{"Paris."},
		},
		{
			name:       "error event before any text: retried",
			handle:     failFirst(1, sse(`{"error":{"message":"the engine is overloaded","type":"server_error"}}`), sse(chunk("Paris."), finishChunk, "[DONE]")),
			want:       outcome{Resp: Response{Text: "Paris.", Model: "gpt-4o-mini-2024-07-18", PromptTokens: counter.CountMessages(testMessages), CompletionTokens: counter.Count("Paris."), TokensEstimated: true, FinishReason: "stop"}, Requests: 2},
			wantDeltas: []string{"Paris."},
		},
		{
			name:   "no text at all",
			handle: sse(roleChunk, finishChunk, usageChunk, "[DONE]"),
			want:   outcome{Kind: ErrEmptyResponse.Error(), Status: 200, Attempts: 1, Requests: 1},
		},
		{
			name:   "malformed chunk",
			handle: sse(`{"choices": [`),
			want:   outcome{Kind: ErrEmptyResponse.Error(), Status: 200, Attempts: 1, Requests: 1},
		},
		{
			name:   "plain JSON instead of a stream",
			handle: ok("Paris."),
			want:   outcome{Kind: ErrEmptyResponse.Error(), Status: 200, Attempts: 1, Requests: 1},
		},
		{
			name:   "bad key",
			handle: status(401),
			want:   outcome{Kind: ErrConfig.Error(), Status: 401, Attempts: 1, Requests: 1},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newFakeServer(t, tt.handle)
			c := mustNew(t, testOptions(s, &sleepRecorder{}))

			var deltas []string
			resp, err := c.Stream(t.Context(), Request{Messages: testMessages}, func(d string) {
				deltas = append(deltas, d)
			})

			if diff := cmp.Diff(tt.want, outcomeOf(resp, err, s)); diff != "" {
				t.Errorf("Stream outcome mismatch (-want +got):\n%s\nerr: %v", diff, err)
			}
			if diff := cmp.Diff(tt.wantDeltas, deltas); diff != "" {
				t.Errorf("deltas mismatch (-want +got):\n%s", diff)
			}
			var e *Error
			if errors.As(err, &e) && e.Partial != tt.partial {
				t.Errorf("Error.Partial = %v, want %v", e.Partial, tt.partial)
			}
			for i, req := range s.received() {
				if !req.Stream || req.StreamOptions == nil || !req.StreamOptions.IncludeUsage {
					t.Errorf("request %d: stream %v, stream_options %+v; want a stream with include_usage", i+1, req.Stream, req.StreamOptions)
				}
			}
		})
	}
}

func TestStreamWithoutStreamOptions(t *testing.T) {
	// Older Azure API versions reject stream_options with a 400.
	s := newFakeServer(t, func(w http.ResponseWriter, r *http.Request, req wireRequest, n int) {
		if req.StreamOptions != nil {
			writeJSON(w, 400, errorBody("Unrecognized request argument supplied: stream_options", "invalid_request_error", ""))
			return
		}
		sse(chunk("Paris."), finishChunk, "[DONE]")(w, r, req, n)
	})
	c := mustNew(t, testOptions(s, &sleepRecorder{}))

	for range 2 {
		resp, err := c.Stream(t.Context(), Request{Messages: testMessages}, nil)
		if err != nil {
			t.Fatalf("Stream: %v", err)
		}
		if resp.Text != "Paris." || !resp.TokensEstimated {
			t.Errorf("Stream = %+v, want text %q with estimated tokens", resp, "Paris.")
		}
	}
	var withOptions []bool
	for _, req := range s.received() {
		withOptions = append(withOptions, req.StreamOptions != nil)
	}
	// The first call tries stream_options once; the second leaves it out.
	if diff := cmp.Diff([]bool{true, false, false}, withOptions); diff != "" {
		t.Errorf("stream_options sent (-want +got):\n%s", diff)
	}
}

func TestAzure(t *testing.T) {
	const apiVersion = "2024-10-21"
	var mu sync.Mutex
	var seen []string
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen = append(seen, r.Method+" "+r.URL.Path+"?"+r.URL.RawQuery)
		mu.Unlock()
		if r.Header.Get("api-key") != testKey || r.Header.Get("Authorization") != "" {
			writeJSON(w, 401, errorBody("Access denied due to invalid subscription key.", "", "401"))
			return
		}
		if r.URL.Path != "/openai/deployments/news-gpt4o/chat/completions" {
			writeJSON(w, 404, errorBody("The API deployment for this resource does not exist.", "", "DeploymentNotFound"))
			return
		}
		var req wireRequest
		json.NewDecoder(r.Body).Decode(&req)
		if req.Stream {
			writeEvents(w, chunk("Paris."), finishChunk, usageChunk, "[DONE]")
			return
		}
		writeJSON(w, 200, completionBody("Paris.", 20, 5))
	}))
	defer s.Close()

	c := mustNew(t, Options{BaseURL: s.URL, APIKey: testKey, Model: "news-gpt4o", APIType: "azure", APIVersion: apiVersion})
	if _, err := c.Complete(t.Context(), Request{Messages: testMessages}); err != nil {
		t.Errorf("Complete: %v", err)
	}
	if _, err := c.Stream(t.Context(), Request{Messages: testMessages}, nil); err != nil {
		t.Errorf("Stream: %v", err)
	}
	want := []string{
		"POST /openai/deployments/news-gpt4o/chat/completions?api-version=" + apiVersion,
		"POST /openai/deployments/news-gpt4o/chat/completions?api-version=" + apiVersion,
	}
	if diff := cmp.Diff(want, seen); diff != "" {
		t.Errorf("requests (-want +got):\n%s", diff)
	}

	wrong := mustNew(t, Options{BaseURL: s.URL, APIKey: testKey, Model: "no-such-deployment", APIType: "azure"})
	_, err := wrong.Complete(t.Context(), Request{Messages: testMessages})
	if !errors.Is(err, ErrConfig) || !strings.Contains(err.Error(), "deployment name") {
		t.Errorf("Complete with an unknown deployment: error %v, want ErrConfig naming the deployment", err)
	}
}

// TestConcurrentRetryAfter checks that each call honours the Retry-After of
// its own response, even when many calls share a Client.
func TestConcurrentRetryAfter(t *testing.T) {
	const calls = 20
	var mu sync.Mutex
	seen := map[string]int{}
	s := newFakeServer(t, func(w http.ResponseWriter, _ *http.Request, req wireRequest, _ int) {
		q := req.Messages[len(req.Messages)-1].Content
		var i int
		fmt.Sscanf(q, "q-%d", &i)
		mu.Lock()
		seen[q]++
		first := seen[q] == 1
		mu.Unlock()
		if first {
			w.Header().Set("Retry-After", fmt.Sprint(i%5+1))
			writeJSON(w, 429, errorBody("Rate limit reached", "requests", "rate_limit_exceeded"))
			return
		}
		writeJSON(w, 200, completionBody(fmt.Sprintf("a-%d", i), 10, 2))
	})

	type callKey struct{}
	var sleepMu sync.Mutex
	slept := map[int][]time.Duration{}
	opts := testOptions(s, nil)
	opts.Sleep = func(ctx context.Context, d time.Duration) error {
		sleepMu.Lock()
		defer sleepMu.Unlock()
		i := ctx.Value(callKey{}).(int)
		slept[i] = append(slept[i], d)
		return nil
	}
	c := mustNew(t, opts)

	var wg sync.WaitGroup
	got := make([]string, calls)
	errs := make([]error, calls)
	for i := range calls {
		wg.Go(func() {
			ctx := context.WithValue(t.Context(), callKey{}, i)
			resp, err := c.Complete(ctx, Request{Messages: []Message{{Role: RoleUser, Content: fmt.Sprintf("q-%d", i)}}})
			got[i], errs[i] = resp.Text, err
		})
	}
	wg.Wait()

	wantSlept := map[int][]time.Duration{}
	for i := range calls {
		if errs[i] != nil {
			t.Errorf("call %d: %v", i, errs[i])
		}
		if want := fmt.Sprintf("a-%d", i); got[i] != want {
			t.Errorf("call %d got %q, want %q", i, got[i], want)
		}
		wantSlept[i] = []time.Duration{time.Duration(i%5+1) * time.Second}
	}
	if diff := cmp.Diff(wantSlept, slept); diff != "" {
		t.Errorf("waits per call (-want +got):\n%s", diff)
	}
	if n := len(s.received()); n != 2*calls {
		t.Errorf("server got %d requests, want %d", n, 2*calls)
	}
}

// TestAPIKeyNeverShown runs successes, retries and failures with a logger at
// Debug level and checks that neither the log nor any error holds the key.
func TestAPIKeyNeverShown(t *testing.T) {
	var logs bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	echoKey := func(code int) handlerFunc {
		return func(w http.ResponseWriter, r *http.Request, _ wireRequest, _ int) {
			msg := "request with " + r.Header.Get("Authorization") + " failed"
			writeJSON(w, code, errorBody(msg, "error", ""))
		}
	}
	handlers := map[string]handlerFunc{
		"ok":            ok("Paris."),
		"retry then ok": failFirst(1, echoKey(503), ok("Paris.")),
		"401":           echoKey(401),
		"400":           echoKey(400),
		"500 forever":   echoKey(500),
		"plain text":    raw(502, "text/plain", "upstream said: "+testKey),
		"stream":        failFirst(1, echoKey(500), sse(chunk("Paris."), finishChunk, "[DONE]")),
	}
	for name, handle := range handlers {
		s := newFakeServer(t, handle)
		opts := testOptions(s, &sleepRecorder{})
		opts.Logger = logger
		c := mustNew(t, opts)
		var err error
		if name == "stream" {
			_, err = c.Stream(t.Context(), Request{Messages: testMessages}, nil)
		} else {
			_, err = c.Complete(t.Context(), Request{Messages: testMessages})
		}
		for e := err; e != nil; e = errors.Unwrap(e) {
			if strings.Contains(e.Error(), testKey) {
				t.Errorf("%s: error chain holds the key: %q", name, e)
			}
		}
		if s := fmt.Sprintf("%+v %#v", c, c); strings.Contains(s, testKey) {
			t.Errorf("printing the Client shows the key")
		}
	}
	if logs.Len() == 0 {
		t.Fatal("nothing was logged; the test proves nothing")
	}
	if strings.Contains(logs.String(), testKey) {
		t.Errorf("log holds the API key:\n%s", logs.String())
	}
	if !strings.Contains(logs.String(), `"component":"llm"`) {
		t.Errorf("log lines lack the component attribute:\n%s", logs.String())
	}
}

func TestNew(t *testing.T) {
	tests := []struct {
		name    string
		opts    Options
		wantErr []string // substrings; nil means success
	}{
		{name: "local server without key", opts: Options{BaseURL: "http://localhost:11434/v1", Model: "llama3.1"}},
		{name: "OpenAI by default", opts: Options{APIKey: testKey, Model: "gpt-4o-mini"}},
		{name: "azure", opts: Options{BaseURL: "https://news.openai.azure.com", APIKey: testKey, Model: "gpt4o", APIType: "azure"}},
		{name: "no model", opts: Options{BaseURL: "http://localhost:11434/v1"}, wantErr: []string{"llm.model is required"}},
		{name: "no key for OpenAI", opts: Options{Model: "gpt-4o"}, wantErr: []string{"llm.api_key"}},
		{name: "unparseable URL", opts: Options{BaseURL: "http://user:pw@[::1:80/v1", Model: "m"}, wantErr: []string{"llm.base_url is not a valid URL"}},
		{name: "no scheme", opts: Options{BaseURL: "localhost:11434/v1", Model: "m"}, wantErr: []string{"llm.base_url", "http://"}},
		{name: "endpoint in base URL", opts: Options{BaseURL: "http://localhost:8000/v1/chat/completions", Model: "m"}, wantErr: []string{"llm.base_url", "/chat/completions"}},
		{name: "azure without URL or key", opts: Options{Model: "gpt4o", APIType: "azure"}, wantErr: []string{"llm.base_url is required", "llm.api_key is required"}},
		{name: "azure with /openai", opts: Options{BaseURL: "https://x.openai.azure.com/openai", APIKey: testKey, Model: "m", APIType: "azure"}, wantErr: []string{"without /openai"}},
		{name: "unknown API type", opts: Options{BaseURL: "http://localhost/v1", Model: "m", APIType: "anthropic"}, wantErr: []string{"llm.api_type"}},
		{name: "negative timeout", opts: Options{BaseURL: "http://localhost/v1", Model: "m", Timeout: -1}, wantErr: []string{"llm.timeout"}},
		{name: "temperature out of range", opts: Options{BaseURL: "http://localhost/v1", Model: "m", Temperature: 3}, wantErr: []string{"llm.temperature"}},
		{name: "temperature for a reasoning model", opts: Options{APIKey: testKey, Model: "o3-mini", Temperature: 0.2}, wantErr: []string{"llm.temperature", "reasoning"}},
		{name: "negative max tokens", opts: Options{BaseURL: "http://localhost/v1", Model: "m", MaxTokens: -5}, wantErr: []string{"llm.max_tokens"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := New(tt.opts)
			if tt.wantErr == nil {
				if err != nil {
					t.Fatalf("New: %v", err)
				}
				if c.Model() != tt.opts.Model {
					t.Errorf("Model() = %q, want %q", c.Model(), tt.opts.Model)
				}
				return
			}
			if err == nil {
				t.Fatalf("New succeeded, want an error mentioning %q", tt.wantErr)
			}
			for _, sub := range tt.wantErr {
				if !strings.Contains(err.Error(), sub) {
					t.Errorf("New error %q does not mention %q", err, sub)
				}
			}
			if strings.Contains(err.Error(), "pw") {
				t.Errorf("New error %q quotes a password from the URL", err)
			}
		})
	}
}

func TestRequestValidation(t *testing.T) {
	s := newFakeServer(t, ok("unused"))
	c := mustNew(t, testOptions(s, &sleepRecorder{}))
	tests := []struct {
		name string
		req  Request
	}{
		{"no messages", Request{}},
		{"unknown role", Request{Messages: []Message{{Role: "tool", Content: "x"}}}},
		{"empty content", Request{Messages: []Message{{Role: RoleUser, Content: "  "}}}},
		{"negative max tokens", Request{Messages: testMessages, MaxTokens: -1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := c.Complete(t.Context(), tt.req); !errors.Is(err, ErrBadRequest) {
				t.Errorf("Complete error = %v, want ErrBadRequest", err)
			}
			if _, err := c.Stream(t.Context(), tt.req, nil); !errors.Is(err, ErrBadRequest) {
				t.Errorf("Stream error = %v, want ErrBadRequest", err)
			}
		})
	}
	if n := len(s.received()); n != 0 {
		t.Errorf("server got %d requests, want none", n)
	}
}
