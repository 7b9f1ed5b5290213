package chat

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"time"
)

// MaxRateLimited is how many rate-limited replies in a row make a request
// give up: the first MaxRateLimited-1 are waited out.
const MaxRateLimited = 5

// MaxRetryAfter caps one wait for a rate limit, so that a strange
// Retry-After cannot hold an answer (or a shutdown) for long.
const MaxRetryAfter = 30 * time.Second

// minRetryAfter keeps retries out of a tight loop when a platform says to
// wait no time at all.
const minRetryAfter = 250 * time.Millisecond

// ErrRateLimited is what a *RateLimitedError is (errors.Is): a request
// still rate limited after MaxRateLimited attempts.
var ErrRateLimited = errors.New("still rate limited after waiting")

// RateLimitedError is returned by Retry when it gave up on a request that
// stayed rate limited. After is how long the platform last asked to wait
// (capped at MaxRetryAfter), after which one more message may get
// through.
type RateLimitedError struct {
	Platform, Request string
	After             time.Duration
}

func (e *RateLimitedError) Error() string {
	return fmt.Sprintf("%s: %s: %v", e.Platform, e.Request, ErrRateLimited)
}

// Is makes errors.Is(err, ErrRateLimited) true.
func (e *RateLimitedError) Is(target error) bool { return target == ErrRateLimited }

// RateLimit says whether err is a platform's rate limit and, if so, how
// long the platform asks to wait (zero when it does not say).
type RateLimit func(err error) (retryAfter time.Duration, limited bool)

// Retry calls f until it is not rate limited, waiting out each limit's
// Retry-After (at least a quarter second, at most MaxRetryAfter), up to
// the MaxRateLimited-th limit in a row, and no longer than ctx allows.
// platform and what name the request in logs and errors; errors are
// returned scrubbed (see Scrub).
func Retry(ctx context.Context, log *slog.Logger, platform, what string, limit RateLimit, f func(context.Context) error) error {
	return retry(ctx, log, platform, what, limit, f, sleep)
}

// retry is Retry with the wait given, for tests.
func retry(ctx context.Context, log *slog.Logger, platform, what string, limit RateLimit, f func(context.Context) error, wait func(context.Context, time.Duration) error) error {
	for attempt := 1; ; attempt++ {
		err := f(ctx)
		after, limited := limit(err)
		if !limited {
			return Scrub(platform, err)
		}
		d := min(max(after, minRetryAfter), MaxRetryAfter)
		if attempt >= MaxRateLimited {
			return &RateLimitedError{Platform: platform, Request: what, After: d}
		}
		log.Warn(platform+": rate limited; waiting", "request", what, "retry_after", d, "asked", after, "attempt", attempt)
		if err := wait(ctx, d); err != nil {
			return fmt.Errorf("%w (while rate limited)", err)
		}
	}
}

// sleep waits d or until ctx is done.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Scrub removes request URLs from an error, since some platforms' URLs
// hold a credential (Discord's interaction tokens, Slack's response_url),
// which is not for logs.
func Scrub(platform string, err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return fmt.Errorf("%s: %s request failed: %w", platform, ue.Op, ue.Err)
	}
	return err
}
