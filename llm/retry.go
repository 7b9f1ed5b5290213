package llm

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// baseBackoff is the wait before the first retry when the server gives no
// Retry-After; each later retry doubles it.
const baseBackoff = time.Second

// retry runs call, one attempt at a time, until it succeeds, fails in a way
// that retrying cannot fix, or runs out of attempts. Each attempt gets its
// own deadline (Options.Timeout) and its own exchange, in which the HTTP
// layer records the response headers. partial, if not nil, reports whether
// the caller has already been shown part of an answer, which forbids a retry.
func (c *Client) retry(ctx context.Context, call func(ctx context.Context) error, partial func() bool) error {
	for attempt := 1; ; attempt++ {
		ex := &exchange{zeroTemperature: c.zeroTemperature}
		actx, cancel := context.WithTimeout(withExchange(ctx, ex), c.timeout)
		err := call(actx)
		if err == nil {
			cancel()
			return nil
		}
		var e *Error
		if !errors.As(err, &e) {
			e = c.classify(ctx, actx, ex, err)
		}
		cancel()
		e.Attempts = attempt
		if partial != nil && partial() {
			if e.retryable {
				e.msg += "; not retried, as part of the answer was already delivered"
			}
			e.Partial, e.retryable = true, false
		}
		if !e.retryable || attempt > c.maxRetries {
			return e
		}

		wait, reason := c.wait(ctx, e, attempt)
		if reason != "" {
			e.msg += "; not retried: " + reason
			return e
		}
		c.log.Warn("retrying chat completion",
			"attempt", attempt, "max_attempts", c.maxRetries+1,
			"status", e.StatusCode, "wait", wait.Round(time.Millisecond), "err", e.Error())
		if err := c.sleep(ctx, wait); err != nil {
			e.msg += "; gave up waiting to retry: " + err.Error()
			e.err = errors.Join(e.err, err)
			return e
		}
	}
}

// wait returns how long to wait before retry number n (1 for the first), or
// a reason not to retry at all: waiting past the caller's deadline would only
// trade the server's error for a context error.
func (c *Client) wait(ctx context.Context, e *Error, n int) (time.Duration, string) {
	d := c.backoff(n)
	if e.hasRetry {
		if e.retryAfter > c.maxBackoff {
			// Retrying sooner than asked would only earn another 429.
			return 0, fmt.Sprintf("the server asked to wait %s, longer than llm retries wait (%s)", e.retryAfter.Round(time.Millisecond), c.maxBackoff)
		}
		d = e.retryAfter
	}
	deadline, ok := ctx.Deadline()
	if !ok {
		return d, ""
	}
	remaining := time.Until(deadline)
	switch {
	case e.hasRetry && e.retryAfter >= remaining:
		return 0, fmt.Sprintf("the server asked to wait %s, beyond the caller's deadline", e.retryAfter.Round(time.Millisecond))
	case d >= remaining:
		return 0, "the next attempt would start after the caller's deadline"
	}
	return d, ""
}

// backoff returns the wait before retry number n when the server did not say:
// exponential, capped at MaxBackoff, with jitter in its upper half so that
// clients that failed together do not retry together.
func (c *Client) backoff(n int) time.Duration {
	d := c.maxBackoff
	if n-1 < 30 { // beyond that the shift overflows; the cap applies anyway
		d = min(baseBackoff<<(n-1), c.maxBackoff)
	}
	half := d / 2
	if half <= 0 {
		return d
	}
	return half + rand.N(half+1)
}

// retryAfter returns the wait the server asked for: Azure OpenAI's
// retry-after-ms, or Retry-After in seconds or as an HTTP date.
func retryAfter(h http.Header, now time.Time) (time.Duration, bool) {
	if v := strings.TrimSpace(h.Get("Retry-After-Ms")); v != "" {
		if ms, err := strconv.ParseFloat(v, 64); err == nil {
			return clampSeconds(ms / 1000), true
		}
	}
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0, false
	}
	// RFC 9110 allows whole seconds only; some servers send fractions.
	if secs, err := strconv.ParseFloat(v, 64); err == nil {
		return clampSeconds(secs), true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now), 0), true
	}
	return 0, false
}

// clampSeconds converts seconds to a Duration, mapping negative or NaN values
// to 0 and huge ones to a day instead of overflowing.
func clampSeconds(secs float64) time.Duration {
	const day = 24 * time.Hour
	switch {
	case math.IsNaN(secs) || secs <= 0:
		return 0
	case secs >= day.Seconds():
		return day
	}
	return time.Duration(secs * float64(time.Second))
}

// sleep waits for d or until ctx is done.
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
