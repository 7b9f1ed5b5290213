package ingest

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/byline-bot/byline/knowledge"
)

// PollOptions configure a Poller.
type PollOptions struct {
	// URLs are the feeds to poll.
	URLs []string
	// Interval is the time between two polls of a feed that works. Zero
	// means 15 minutes.
	Interval time.Duration
	// MaxBackoff caps the wait after failures: a failing feed is polled
	// again after Interval, then twice that, four times, and so on up to
	// MaxBackoff (or later, if the server's Retry-After says so). Zero
	// means 6 hours.
	MaxBackoff time.Duration
	// HTTPClient fetches the feeds. Nil means a client with a
	// DefaultHTTPTimeout timeout.
	HTTPClient *http.Client
	// MaxFileBytes is the largest feed response read. Zero means
	// DefaultMaxFileBytes.
	MaxFileBytes int64
	// OnPoll, when set, is told what each poll of a feed stored, for
	// metrics.
	OnPoll func(Summary)
	// Logger receives a record per poll that stored something or failed.
	// Nil means discard.
	Logger *slog.Logger
	// Now is the clock. Nil means time.Now.
	Now func() time.Time
}

// Poller keeps feeds ingested: it fetches each on an interval with the
// validators of its last response (ETag, Last-Modified), so an unchanged
// feed costs a 304 and no parsing, and backs off from a feed that fails.
// Its state lives in memory: after a restart the first poll of each feed
// is a full fetch, which the store's idempotent Put makes cheap.
type Poller struct {
	store Putter
	opts  PollOptions
	log   *slog.Logger

	mu    sync.Mutex
	feeds map[string]*feedState
}

// feedState is what the Poller remembers of one feed.
type feedState struct {
	etag, lastModified string
	failures           int
	next               time.Time // when the feed is due
}

// NewPoller returns a Poller storing into store.
func NewPoller(store Putter, opts PollOptions) *Poller {
	if opts.Interval <= 0 {
		opts.Interval = 15 * time.Minute
	}
	if opts.MaxBackoff <= 0 {
		opts.MaxBackoff = 6 * time.Hour
	}
	if opts.HTTPClient == nil {
		opts.HTTPClient = &http.Client{Timeout: DefaultHTTPTimeout}
	}
	if opts.MaxFileBytes <= 0 {
		opts.MaxFileBytes = DefaultMaxFileBytes
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	p := &Poller{store: store, opts: opts, log: log.With("component", "feeds"), feeds: make(map[string]*feedState)}
	for _, u := range opts.URLs {
		p.feeds[u] = &feedState{}
	}
	return p
}

// Run polls the feeds as they fall due until ctx is done.
func (p *Poller) Run(ctx context.Context) error {
	if len(p.feeds) == 0 {
		<-ctx.Done()
		return nil
	}
	for {
		p.PollDue(ctx)
		wait := p.nextDue().Sub(p.opts.Now())
		t := time.NewTimer(max(wait, time.Second))
		select {
		case <-ctx.Done():
			t.Stop()
			return nil
		case <-t.C:
		}
	}
}

// nextDue returns when the earliest feed is due.
func (p *Poller) nextDue() time.Time {
	p.mu.Lock()
	defer p.mu.Unlock()
	var next time.Time
	for _, f := range p.feeds {
		if next.IsZero() || f.next.Before(next) {
			next = f.next
		}
	}
	return next
}

// PollDue polls every feed that is due, one after another, and returns
// what was stored.
func (p *Poller) PollDue(ctx context.Context) Summary {
	var sum Summary
	for _, u := range p.opts.URLs {
		p.mu.Lock()
		f := p.feeds[u]
		due := !p.opts.Now().Before(f.next)
		etag, lastModified := f.etag, f.lastModified
		p.mu.Unlock()
		if !due || ctx.Err() != nil {
			continue
		}
		got, err := fetchIfChanged(ctx, p.opts.HTTPClient, u, p.opts.MaxFileBytes, etag, lastModified)
		var stored Summary
		if err == nil && !got.notModified {
			stored, err = p.storeFeed(ctx, u, got)
		}
		p.mu.Lock()
		now := p.opts.Now()
		if err != nil {
			f.failures++
			wait := min(p.opts.Interval<<min(f.failures-1, 16), p.opts.MaxBackoff)
			var status *HTTPStatusError
			if errors.As(err, &status) {
				if secs, perr := strconv.Atoi(status.RetryAfter); perr == nil && time.Duration(secs)*time.Second > wait {
					wait = time.Duration(secs) * time.Second
				}
			}
			f.next = now.Add(wait)
			p.log.Warn("feed poll failed", "url", u, "err", err, "failures", f.failures, "retry_in", wait)
			sum.Failures = append(sum.Failures, Failure{Ref: u, Err: err})
		} else {
			f.failures = 0
			f.etag, f.lastModified = got.etag, got.lastModified
			f.next = now.Add(p.opts.Interval)
			if got.notModified {
				p.log.Debug("feed not modified", "url", u)
			} else {
				p.log.Info("feed polled", "url", u, "new", stored.New, "updated", stored.Updated, "unchanged", stored.Unchanged)
			}
		}
		p.mu.Unlock()
		if p.opts.OnPoll != nil {
			one := stored
			if err != nil {
				one.Failures = append([]Failure{{Ref: u, Err: err}}, one.Failures...)
			}
			p.opts.OnPoll(one)
		}
		sum.New += stored.New
		sum.Updated += stored.Updated
		sum.Unchanged += stored.Unchanged
		sum.Merged += stored.Merged
		sum.Failures = append(sum.Failures, stored.Failures...)
	}
	return sum
}

// storeFeed parses a fetched feed and stores its items.
func (p *Poller) storeFeed(ctx context.Context, u string, f fetched) (Summary, error) {
	var sum Summary
	arts, err := parseFetched(u, f)
	if err != nil {
		return sum, err
	}
	if len(arts) == 0 {
		return sum, nil
	}
	res, err := p.store.Put(ctx, arts)
	if err != nil {
		return sum, err
	}
	for i, r := range res {
		switch {
		case r.Err != nil:
			sum.Failures = append(sum.Failures, Failure{Ref: arts[i].Ref, Err: r.Err})
		case r.Outcome == knowledge.Added:
			sum.New++
		case r.Outcome == knowledge.Updated:
			sum.Updated++
		case r.Outcome == knowledge.Unchanged:
			sum.Unchanged++
		case r.Outcome == knowledge.Merged:
			sum.Merged++
		}
	}
	return sum, nil
}
