package chat

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// limitedErr is a platform's 429 asking to wait after.
type limitedErr struct{ after time.Duration }

func (e limitedErr) Error() string { return "429 on https://chat.example/hooks/SECRET" }

func readLimit(err error) (time.Duration, bool) {
	var l limitedErr
	if errors.As(err, &l) {
		return l.after, true
	}
	return 0, false
}

func TestRetry(t *testing.T) {
	log := slog.New(slog.DiscardHandler)
	boom := errors.New("boom")
	tests := []struct {
		name      string
		replies   []error
		wantWaits []time.Duration
		wantCalls int
		wantErr   error
	}{
		{"success at once", []error{nil}, nil, 1, nil},
		{"other errors are not retried", []error{boom}, nil, 1, boom},
		{"waits are capped and floored",
			[]error{limitedErr{time.Hour}, limitedErr{0}, limitedErr{2 * time.Second}, nil},
			[]time.Duration{MaxRetryAfter, minRetryAfter, 2 * time.Second}, 4, nil},
		{"gives up on the fifth 429",
			[]error{limitedErr{time.Second}, limitedErr{time.Second}, limitedErr{time.Second}, limitedErr{time.Second}, limitedErr{time.Second}, nil},
			[]time.Duration{time.Second, time.Second, time.Second, time.Second}, MaxRateLimited, ErrRateLimited},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			calls := 0
			var waits []time.Duration
			err := retry(context.Background(), log, "test", "post", readLimit, func(context.Context) error {
				calls++
				return tt.replies[calls-1]
			}, func(_ context.Context, d time.Duration) error {
				waits = append(waits, d)
				return nil
			})
			if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil && err != nil) {
				t.Errorf("err = %v, want %v", err, tt.wantErr)
			}
			if calls != tt.wantCalls {
				t.Errorf("calls = %d, want %d", calls, tt.wantCalls)
			}
			if diff := cmp.Diff(tt.wantWaits, waits); diff != "" {
				t.Errorf("waits (-want +got):\n%s", diff)
			}
			if err != nil && strings.Contains(err.Error(), "SECRET") {
				t.Errorf("the error %v holds the URL", err)
			}
		})
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := Retry(ctx, log, "test", "post", readLimit, func(context.Context) error { return limitedErr{time.Hour} })
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Retry with a cancelled context = %v, want context.Canceled", err)
	}
}

func TestScrub(t *testing.T) {
	err := fmt.Errorf("posting: %w", &url.Error{Op: "Post", URL: "https://chat.example/hooks/SECRET", Err: errors.New("connection refused")})
	got := Scrub("test", err).Error()
	if strings.Contains(got, "SECRET") || !strings.Contains(got, "connection refused") {
		t.Errorf("Scrub = %q, want the cause without the URL", got)
	}
}
