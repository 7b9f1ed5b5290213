// Package digest posts each digest channel's summary of the news once a
// day at its chosen local time: it works out when each channel's digest
// is due, has it written (see Writer) over what is new since that
// channel's previous one, posts it through the channel's platform, and
// records every run in the knowledge base so that restarts never post a
// digest twice.
package digest

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/byline-bot/byline/knowledge"
)

// Channel is one channel that gets a digest.
type Channel struct {
	// Name identifies the channel in logs and on the command line.
	Name string
	// Key identifies the channel in the run records: platform and channel
	// id, such as "slack:C0123" or "discord:9876". Required, unique.
	Key string
	// Hour and Minute are the local time of day the digest is posted.
	Hour, Minute int
	// Location is the channel's time zone. Nil means UTC.
	Location *time.Location
	// Days are the weekdays with a digest; empty means every day.
	Days []time.Weekday
	// MaxItems caps the stories in one digest. Zero means 5.
	MaxItems int
	// Sources limits the digest to these outlets; empty means all.
	Sources []string
	// QuietDay posts a short line when nothing is new, instead of nothing.
	QuietDay bool
	// Post posts a digest to the channel and returns the posted message's
	// id. Required. On failure it returns the id of the first message if
	// that was posted (the digest is then not posted again), else "".
	Post func(ctx context.Context, d Digest) (string, error)
}

// occurrence returns when the channel's digest for the local date of day
// is due. A time the clocks skip (a digest at 02:30 on the night they go
// forward) is moved forward as time.Date does, and a time they repeat
// comes once: each local date has exactly one occurrence, so a
// daylight-saving change neither skips nor doubles a digest.
func (c Channel) occurrence(day time.Time) time.Time {
	y, m, d := day.In(c.Location).Date()
	return time.Date(y, m, d, c.Hour, c.Minute, 0, 0, c.Location)
}

// period names the run of the local date of day.
func (c Channel) period(day time.Time) string {
	return day.In(c.Location).Format("2006-01-02")
}

func (c Channel) postsOn(day time.Time) bool {
	return len(c.Days) == 0 || slices.Contains(c.Days, day.In(c.Location).Weekday())
}

// latest returns the channel's most recent occurrence at or before now,
// and its period, looking back at most a week.
func (c Channel) latest(now time.Time) (time.Time, string, bool) {
	local := now.In(c.Location)
	for back := range 8 {
		y, m, d := local.Date()
		day := time.Date(y, m, d-back, 12, 0, 0, 0, c.Location)
		if !c.postsOn(day) {
			continue
		}
		if at := c.occurrence(day); !at.After(now) {
			return at, c.period(day), true
		}
	}
	return time.Time{}, "", false
}

// next returns the channel's first occurrence after now.
func (c Channel) next(now time.Time) time.Time {
	local := now.In(c.Location)
	for ahead := range 9 {
		y, m, d := local.Date()
		day := time.Date(y, m, d+ahead, 12, 0, 0, 0, c.Location)
		if !c.postsOn(day) {
			continue
		}
		if at := c.occurrence(day); at.After(now) {
			return at
		}
	}
	return now.Add(24 * time.Hour)
}

// builder writes digests; *answer.Engine is one.
type builder interface {
	Digest(ctx context.Context, r Request) (Digest, error)
}

// runStore records digest runs; *knowledge.Store is one.
type runStore interface {
	ClaimDigest(ctx context.Context, channel, period string, scheduled time.Time) (bool, error)
	FinishDigest(ctx context.Context, r knowledge.DigestRun) error
	LastDigest(ctx context.Context, channel string) (knowledge.DigestRun, bool, error)
}

// Options configures a Scheduler.
type Options struct {
	// Channels get digests. Each needs a unique Key and a Post.
	Channels []Channel
	// Builder writes the digests. Required.
	Builder builder
	// Runs records the runs. Required.
	Runs runStore
	// Grace is how late a missed digest (the bot was down at its time)
	// may still be posted; later, it is skipped and logged. Zero means 2
	// hours.
	Grace time.Duration
	// Lookback is how far back a channel's first digest reaches. Zero
	// means 24 hours.
	Lookback time.Duration
	// Observe, when set, is told of every run as it is recorded (posted,
	// empty, skipped or failed), for metrics.
	Observe func(knowledge.DigestRun)
	// Logger receives a record for every run. Nil means discard.
	Logger *slog.Logger
	// Now is the clock. Nil means time.Now.
	Now func() time.Time
}

// Scheduler posts the digests when they are due.
type Scheduler struct {
	opts Options
	log  *slog.Logger
	// running holds a mutex per channel key: a digest on demand and a
	// scheduled one (or two on demand) run one after the other, so the
	// second starts where the first ended instead of posting its stories
	// again.
	running sync.Map
}

// New returns a Scheduler.
func New(opts Options) (*Scheduler, error) {
	if opts.Builder == nil || opts.Runs == nil {
		return nil, errors.New("digest: a builder and a run store are required")
	}
	keys := make(map[string]bool)
	for i, c := range opts.Channels {
		switch {
		case c.Key == "":
			return nil, fmt.Errorf("digest: channel %d (%s) has no key", i, c.Name)
		case keys[c.Key]:
			return nil, fmt.Errorf("digest: channel %s is listed twice", c.Key)
		case c.Post == nil:
			return nil, fmt.Errorf("digest: channel %s has nowhere to post", c.Key)
		case c.Hour < 0 || c.Hour > 23 || c.Minute < 0 || c.Minute > 59:
			return nil, fmt.Errorf("digest: channel %s: time %02d:%02d is not a time of day", c.Key, c.Hour, c.Minute)
		}
		keys[c.Key] = true
		if c.Location == nil {
			opts.Channels[i].Location = time.UTC
		}
	}
	if opts.Grace <= 0 {
		opts.Grace = 2 * time.Hour
	}
	if opts.Lookback <= 0 {
		opts.Lookback = 24 * time.Hour
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Scheduler{opts: opts, log: log.With("component", "digest")}, nil
}

// Run posts digests as they fall due until ctx is done. It checks at start
// (posting a digest missed within the grace period) and then at each
// channel's next time, waking at least once a minute so that a clock that
// jumps (a suspended machine) is noticed.
func (s *Scheduler) Run(ctx context.Context) error {
	if len(s.opts.Channels) == 0 {
		<-ctx.Done()
		return nil
	}
	for {
		s.Check(ctx)
		now := s.opts.Now()
		wake := now.Add(time.Minute)
		for _, c := range s.opts.Channels {
			if n := c.next(now); n.Before(wake) {
				wake = n
			}
		}
		t := time.NewTimer(wake.Sub(now))
		select {
		case <-ctx.Done():
			t.Stop()
			return nil
		case <-t.C:
		}
	}
}

// Check runs every channel's latest digest that has no record yet: posts
// it when it is at most Grace late, else records it as skipped.
func (s *Scheduler) Check(ctx context.Context) {
	now := s.opts.Now()
	for _, c := range s.opts.Channels {
		at, period, ok := c.latest(now)
		if !ok || ctx.Err() != nil {
			continue
		}
		if late := now.Sub(at); late > s.opts.Grace {
			s.skipIfNew(ctx, c, period, at, late)
			continue
		}
		if _, err := s.run(ctx, c, period, at, time.Time{}, time.Time{}); err != nil && !errors.Is(err, errClaimed) {
			s.log.Error("digest failed", "channel", c.Name, "period", period, "err", err)
		}
	}
}

// skipIfNew records a digest missed by more than the grace period, once.
func (s *Scheduler) skipIfNew(ctx context.Context, c Channel, period string, at time.Time, late time.Duration) {
	claimed, err := s.opts.Runs.ClaimDigest(ctx, c.Key, period, at)
	if err != nil {
		s.log.Error("digest: recording a missed run failed", "channel", c.Name, "err", err)
		return
	}
	if !claimed {
		return
	}
	reason := fmt.Sprintf("missed by %s, more than the %s grace period", late.Round(time.Minute), s.opts.Grace)
	s.log.Warn("digest skipped", "channel", c.Name, "period", period, "why", reason)
	run := knowledge.DigestRun{Channel: c.Key, Period: period, Scheduled: at, State: knowledge.DigestSkipped, Detail: reason}
	if err := s.opts.Runs.FinishDigest(ctx, run); err != nil {
		s.log.Error("digest: recording a missed run failed", "channel", c.Name, "err", err)
	}
	s.observe(run)
}

// errClaimed means another run of the period exists.
var errClaimed = errors.New("digest: this period already ran")

// PostNow posts c's digest at once (the /digest command), over what is
// new since c's last digest. It is recorded as a run of its own, so the
// scheduled digest still comes, and starts after it. c may be a channel
// the Scheduler was not configured with: a digest on demand anywhere.
func (s *Scheduler) PostNow(ctx context.Context, c Channel) (Digest, error) {
	return s.PostRange(ctx, c, time.Time{}, time.Time{})
}

// PostRange is PostNow over the window [since, until) instead: zero since
// means since c's last digest, zero until means now. The next scheduled
// digest starts where this one ends.
func (s *Scheduler) PostRange(ctx context.Context, c Channel, since, until time.Time) (Digest, error) {
	if c.Key == "" || c.Post == nil {
		return Digest{}, errors.New("digest: a channel needs a key and a post function")
	}
	if c.Location == nil {
		c.Location = time.UTC
	}
	now := s.opts.Now()
	if until.IsZero() || until.After(now) {
		// What is not in yet cannot be in this digest, and a window
		// recorded into the future would starve the next ones.
		until = now
	}
	if !since.IsZero() && !since.Before(until) {
		return Digest{}, fmt.Errorf("digest: the window from %s to %s is empty", since.Format(time.RFC3339), until.Format(time.RFC3339))
	}
	return s.run(ctx, c, "now "+now.UTC().Format(time.RFC3339Nano), now, since, until)
}

// Channel returns the channel named name (or with that key).
func (s *Scheduler) Channel(name string) (Channel, bool) {
	for _, c := range s.opts.Channels {
		if c.Name == name || c.Key == name {
			return c, true
		}
	}
	return Channel{}, false
}

// Build returns the digest c would post now without posting or recording
// it, for `bot digest --dry-run`; zero since and until mean since the last
// digest, and now.
func (s *Scheduler) Build(ctx context.Context, c Channel, since, until time.Time) (Digest, error) {
	var err error
	if since.IsZero() {
		if since, err = s.since(ctx, c, s.opts.Now()); err != nil {
			return Digest{}, err
		}
	}
	if until.IsZero() {
		until = s.opts.Now()
	}
	return s.opts.Builder.Digest(ctx, Request{Since: since, Until: until, Sources: c.Sources, MaxItems: c.MaxItems, QuietDay: c.QuietDay, Location: c.Location})
}

// since is where c's next digest starts: where its last one ended, or
// Lookback before now.
func (s *Scheduler) since(ctx context.Context, c Channel, now time.Time) (time.Time, error) {
	last, ok, err := s.opts.Runs.LastDigest(ctx, c.Key)
	if err != nil {
		return time.Time{}, err
	}
	// A digest looks back at most maxLookback: after a long outage, or
	// after a digest posted by hand over an old window (a backfill), the
	// next one covers the last week, not years.
	if ok {
		switch {
		case !last.Until.Before(now):
			// A window recorded into the future (a clock moved back)
			// cannot start the next one.
			s.log.Warn("digest: the last digest ends in the future; looking back the usual day", "channel", c.Name, "until", last.Until)
		case now.Sub(last.Until) > maxLookback:
			return now.Add(-maxLookback), nil
		default:
			return last.Until, nil
		}
	}
	return now.Add(-s.opts.Lookback), nil
}

// maxLookback is the longest window a digest covers.
const maxLookback = 7 * 24 * time.Hour

// observe passes a recorded run on to Options.Observe.
func (s *Scheduler) observe(r knowledge.DigestRun) {
	if s.opts.Observe != nil {
		s.opts.Observe(r)
	}
}

// run claims, builds, posts and records one digest over [since, until);
// zero since and until mean since the last digest, and now.
func (s *Scheduler) run(ctx context.Context, c Channel, period string, at, since, until time.Time) (Digest, error) {
	mu, _ := s.running.LoadOrStore(c.Key, &sync.Mutex{})
	mu.(*sync.Mutex).Lock()
	defer mu.(*sync.Mutex).Unlock()
	claimed, err := s.opts.Runs.ClaimDigest(ctx, c.Key, period, at)
	if err != nil {
		return Digest{}, err
	}
	if !claimed {
		return Digest{}, errClaimed
	}
	now := s.opts.Now()
	if until.IsZero() {
		until = now
	}
	rec := knowledge.DigestRun{Channel: c.Key, Period: period, Scheduled: at, Until: until}
	finish := func(state, detail string) {
		rec.State, rec.Detail = state, detail
		// Recorded even if ctx ended: the post may have happened.
		if err := s.opts.Runs.FinishDigest(context.WithoutCancel(ctx), rec); err != nil {
			s.log.Error("digest: recording the run failed", "channel", c.Name, "period", period, "err", err)
		}
		s.observe(rec)
	}
	rec.Since = since
	if since.IsZero() {
		rec.Since, err = s.since(ctx, c, now)
	}
	if err != nil {
		finish(knowledge.DigestFailed, err.Error())
		return Digest{}, err
	}
	if !rec.Since.Before(rec.Until) {
		// Another run of this channel just covered the window.
		finish(knowledge.DigestEmpty, "nothing new since the last digest")
		return Digest{Since: rec.Since, Until: rec.Until, Empty: true}, nil
	}
	d, err := s.Build(ctx, c, rec.Since, rec.Until)
	if err != nil {
		finish(knowledge.DigestFailed, err.Error())
		return Digest{}, err
	}
	if d.Empty && !c.QuietDay {
		s.log.Info("digest: nothing new", "channel", c.Name, "period", period, "since", rec.Since)
		finish(knowledge.DigestEmpty, "nothing new")
		return d, nil
	}
	id, err := c.Post(ctx, d)
	for _, it := range d.Items {
		rec.Articles = append(rec.Articles, it.ArticleIDs...)
	}
	switch {
	case err != nil && id == "":
		// Nothing was posted: the run may be tried again, a few times.
		finish(knowledge.DigestFailed, err.Error())
		return d, fmt.Errorf("digest: posting to %s: %w", c.Name, err)
	case err != nil:
		// Its first message is up, a later one failed: trying again
		// would post the first twice, so the run counts as posted.
		s.log.Error("digest posted in part", "channel", c.Name, "period", period, "message", id, "err", err)
		finish(knowledge.DigestPosted, id)
		return d, fmt.Errorf("digest: posting to %s: only in part: %w", c.Name, err)
	}
	s.log.Info("digest posted", "channel", c.Name, "period", period, "items", len(d.Items), "message", id)
	finish(knowledge.DigestPosted, id)
	return d, nil
}
