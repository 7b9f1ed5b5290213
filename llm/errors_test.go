package llm

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/sashabaranov/go-openai"
)

// fakeAPI is a chatAPI that returns canned results, for failures that a
// real server cannot produce, such as go-openai refusing to send a request.
type fakeAPI struct {
	calls int
	// complete returns the result of the n-th call (from 1); it may fill in
	// the exchange in ctx as the HTTP layer would.
	complete func(ctx context.Context, n int) (openai.ChatCompletionResponse, error)
}

func (f *fakeAPI) CreateChatCompletion(ctx context.Context, _ openai.ChatCompletionRequest) (openai.ChatCompletionResponse, error) {
	f.calls++
	return f.complete(ctx, f.calls)
}

func (f *fakeAPI) CreateChatCompletionStream(context.Context, openai.ChatCompletionRequest) (chatStream, error) {
	return nil, errors.New("fakeAPI does not stream")
}

func fakeClient(t *testing.T, api chatAPI) *Client {
	t.Helper()
	opts := Options{BaseURL: "http://localhost:8000/v1", Model: "m", Sleep: func(context.Context, time.Duration) error { return nil }}
	if err := opts.normalize(); err != nil {
		t.Fatal(err)
	}
	return newClient(opts, api)
}

func TestClassifyWithoutServer(t *testing.T) {
	tests := []struct {
		name     string
		complete func(ctx context.Context, n int) (openai.ChatCompletionResponse, error)
		wantKind error
		wantN    int
	}{
		{
			name: "go-openai refuses to send",
			complete: func(context.Context, int) (openai.ChatCompletionResponse, error) {
				return openai.ChatCompletionResponse{}, openai.ErrReasoningModelMaxTokensDeprecated
			},
			wantKind: ErrConfig,
			wantN:    1,
		},
		{
			name: "status without a JSON body",
			complete: func(ctx context.Context, n int) (openai.ChatCompletionResponse, error) {
				ex := exchangeFrom(ctx)
				ex.sent, ex.status, ex.header = true, 504, http.Header{}
				return openai.ChatCompletionResponse{}, &openai.RequestError{HTTPStatus: "504 Gateway Timeout", HTTPStatusCode: 504, Body: []byte("upstream timed out")}
			},
			wantKind: ErrUnavailable,
			wantN:    4,
		},
		{
			name: "501 is not retried",
			complete: func(ctx context.Context, n int) (openai.ChatCompletionResponse, error) {
				ex := exchangeFrom(ctx)
				ex.sent, ex.status = true, 501
				return openai.ChatCompletionResponse{}, &openai.APIError{HTTPStatusCode: 501, Message: "not implemented"}
			},
			wantKind: ErrUnavailable,
			wantN:    1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			api := &fakeAPI{complete: tt.complete}
			c := fakeClient(t, api)
			_, err := c.Complete(t.Context(), Request{Messages: testMessages})
			if !errors.Is(err, tt.wantKind) {
				t.Errorf("Complete error = %v, want %v", err, tt.wantKind)
			}
			if api.calls != tt.wantN {
				t.Errorf("made %d calls, want %d", api.calls, tt.wantN)
			}
		})
	}
}

func TestRetryAfter(t *testing.T) {
	now := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	type result struct {
		D  time.Duration
		OK bool
	}
	tests := []struct {
		header http.Header
		want   result
	}{
		{http.Header{}, result{0, false}},
		{http.Header{"Retry-After": {"2"}}, result{2 * time.Second, true}},
		{http.Header{"Retry-After": {" 0 "}}, result{0, true}},
		{http.Header{"Retry-After": {"1.5"}}, result{1500 * time.Millisecond, true}},
		{http.Header{"Retry-After": {"-3"}}, result{0, true}},
		{http.Header{"Retry-After": {"99999999999999"}}, result{24 * time.Hour, true}},
		{http.Header{"Retry-After": {"Sat, 01 Mar 2025 12:00:07 GMT"}}, result{7 * time.Second, true}},
		{http.Header{"Retry-After": {"Sat, 01 Mar 2025 11:59:00 GMT"}}, result{0, true}},
		{http.Header{"Retry-After": {"soon"}}, result{0, false}},
		{http.Header{"Retry-After-Ms": {"250"}, "Retry-After": {"1"}}, result{250 * time.Millisecond, true}},
	}
	for _, tt := range tests {
		d, ok := retryAfter(tt.header, now)
		if diff := cmp.Diff(tt.want, result{d, ok}); diff != "" {
			t.Errorf("retryAfter(%v) mismatch (-want +got):\n%s", tt.header, diff)
		}
	}
}

func TestBackoff(t *testing.T) {
	c := &Client{maxBackoff: 5 * time.Second}
	tests := []struct {
		n      int
		lo, hi time.Duration
	}{
		{1, 500 * time.Millisecond, time.Second},
		{2, time.Second, 2 * time.Second},
		{3, 2 * time.Second, 4 * time.Second},
		{4, 2500 * time.Millisecond, 5 * time.Second},
		{100, 2500 * time.Millisecond, 5 * time.Second},
	}
	for _, tt := range tests {
		for range 50 {
			if d := c.backoff(tt.n); d < tt.lo || d > tt.hi {
				t.Fatalf("backoff(%d) = %v, want between %v and %v", tt.n, d, tt.lo, tt.hi)
			}
		}
	}
}
