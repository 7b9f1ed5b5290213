package digest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/byline-bot/byline/knowledge"
)

// memRuns is an in-memory run store with the knowledge store's rules, for
// the synctest bubbles (the SQLite store is tested with the real thing
// below).
type memRuns struct {
	mu   sync.Mutex
	runs map[string]knowledge.DigestRun
}

func newMemRuns() *memRuns { return &memRuns{runs: map[string]knowledge.DigestRun{}} }

func (m *memRuns) ClaimDigest(_ context.Context, channel, period string, at time.Time) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	k := channel + "|" + period
	if r, ok := m.runs[k]; ok && r.State != knowledge.DigestFailed {
		return false, nil
	}
	m.runs[k] = knowledge.DigestRun{Channel: channel, Period: period, Scheduled: at, State: knowledge.DigestClaimed}
	return true, nil
}

func (m *memRuns) FinishDigest(_ context.Context, r knowledge.DigestRun) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.runs[r.Channel+"|"+r.Period] = r
	return nil
}

func (m *memRuns) LastDigest(_ context.Context, channel string) (knowledge.DigestRun, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var last knowledge.DigestRun
	found := false
	for _, r := range m.runs {
		if r.Channel == channel && (r.State == knowledge.DigestPosted || r.State == knowledge.DigestEmpty) && r.Until.After(last.Until) {
			last, found = r, true
		}
	}
	return last, found, nil
}

// fakeBuilder returns a one-item digest, or an empty one when empty is
// set, and records the windows it was asked for.
type fakeBuilder struct {
	mu      sync.Mutex
	empty   bool
	windows [][2]time.Time
}

func (b *fakeBuilder) Digest(_ context.Context, r Request) (Digest, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.windows = append(b.windows, [2]time.Time{r.Since, r.Until})
	if b.empty {
		return Digest{Since: r.Since, Until: r.Until, Empty: true}, nil
	}
	return Digest{Since: r.Since, Until: r.Until, Items: []Item{{Headline: "Ferry timetable changes", ArticleIDs: []string{"ferry", "ferry-2"}}}}, nil
}

// posts records the local times digests were posted at.
type posts struct {
	mu  sync.Mutex
	loc *time.Location
	at  []string
}

func (p *posts) post(_ context.Context, _ Digest) (string, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.at = append(p.at, time.Now().In(p.loc).Format("Mon 2 Jan 15:04 MST"))
	return fmt.Sprint("msg", len(p.at)), nil
}

func (p *posts) got() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.at...)
}

func london(t *testing.T) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Fatalf("the time zone database is needed: %v", err)
	}
	return loc
}

// runFor runs a scheduler inside the synctest bubble for d of fake time.
func runFor(t *testing.T, s *Scheduler, d time.Duration) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- s.Run(ctx) }()
	time.Sleep(d)
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

func TestSchedulerAcrossDaylightSaving(t *testing.T) {
	loc := london(t)
	tests := []struct {
		name  string
		start time.Time // in the bubble
		hour  int
		min   int
		want  []string
	}{
		{
			// The clocks go forward at 01:00 UTC on Sunday 29 March 2026.
			name: "spring forward, 08:00", start: time.Date(2026, 3, 28, 6, 0, 0, 0, time.UTC), hour: 8,
			want: []string{"Sat 28 Mar 08:00 GMT", "Sun 29 Mar 08:00 BST", "Mon 30 Mar 08:00 BST"},
		},
		{
			// 01:30 does not exist on 29 March (01:00 GMT is 02:00 BST):
			// that day's digest comes once, at 02:30 BST, as time.Date
			// normalizes the missing time.
			name: "spring forward, a time the clocks skip", start: time.Date(2026, 3, 28, 6, 0, 0, 0, time.UTC), hour: 1, min: 30,
			want: []string{"Sun 29 Mar 02:30 BST", "Mon 30 Mar 01:30 BST", "Tue 31 Mar 01:30 BST"},
		},
		{
			// The clocks go back at 01:00 UTC on Sunday 25 October 2026:
			// 01:30 happens twice that night, and the digest comes once,
			// at the 01:30 time.Date picks (the second, GMT).
			name: "fall back, a time the clocks repeat", start: time.Date(2026, 10, 24, 6, 0, 0, 0, time.UTC), hour: 1, min: 30,
			want: []string{"Sun 25 Oct 01:30 GMT", "Mon 26 Oct 01:30 GMT", "Tue 27 Oct 01:30 GMT"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				time.Sleep(time.Until(tt.start))
				p := &posts{loc: loc}
				s, err := New(Options{
					Channels: []Channel{{Name: "newsroom", Key: "slack:C1", Hour: tt.hour, Minute: tt.min, Location: loc, Post: p.post}},
					Builder:  &fakeBuilder{}, Runs: newMemRuns(),
				})
				if err != nil {
					t.Fatal(err)
				}
				runFor(t, s, 72*time.Hour)
				if diff := cmp.Diff(tt.want, p.got()); diff != "" {
					t.Errorf("posted at (-want +got):\n%s", diff)
				}
			})
		})
	}
}

func TestSchedulerRestartsAndMissedRuns(t *testing.T) {
	loc := london(t)
	synctest.Test(t, func(t *testing.T) {
		// Monday 2 November 2026, 07:00 GMT; digests at 08:00 on weekdays.
		time.Sleep(time.Until(time.Date(2026, 11, 2, 7, 0, 0, 0, time.UTC)))
		runs := newMemRuns()
		b := &fakeBuilder{}
		p := &posts{loc: loc}
		newScheduler := func() *Scheduler {
			s, err := New(Options{
				Channels: []Channel{{Name: "newsroom", Key: "slack:C1", Hour: 8, Location: loc,
					Days: []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday}, Post: p.post}},
				Builder: b, Runs: runs, Grace: 2 * time.Hour,
			})
			if err != nil {
				t.Fatal(err)
			}
			return s
		}

		runFor(t, newScheduler(), 90*time.Minute) // posts Monday 08:00, stops 08:30
		runFor(t, newScheduler(), time.Hour)      // restarted after the post: nothing
		// Down from 09:30 Monday to 09:00 Tuesday: Tuesday's 08:00 digest
		// is an hour late, within the grace, and posts at once.
		time.Sleep(23*time.Hour + 30*time.Minute)
		runFor(t, newScheduler(), time.Hour)
		// Down from 10:00 Tuesday to 11:00 Wednesday: three hours late,
		// skipped. Thursday's comes on time.
		time.Sleep(25 * time.Hour)
		runFor(t, newScheduler(), 22*time.Hour)

		want := []string{"Mon 2 Nov 08:00 GMT", "Tue 3 Nov 09:00 GMT", "Thu 5 Nov 08:00 GMT"}
		if diff := cmp.Diff(want, p.got()); diff != "" {
			t.Errorf("posted at (-want +got):\n%s", diff)
		}
		if r := runs.runs["slack:C1|2026-11-04"]; r.State != knowledge.DigestSkipped {
			t.Errorf("Wednesday's missed digest: %+v, want skipped", r)
		}
		// Each digest starts where the previous posted one ended.
		b.mu.Lock()
		defer b.mu.Unlock()
		for i := 1; i < len(b.windows); i++ {
			if !b.windows[i][0].Equal(b.windows[i-1][1]) {
				t.Errorf("digest %d starts at %v, not where digest %d ended (%v)", i, b.windows[i][0], i-1, b.windows[i-1][1])
			}
		}
		if first := b.windows[0]; first[1].Sub(first[0]) != 24*time.Hour {
			t.Errorf("the first digest looks back %v, want 24h", first[1].Sub(first[0]))
		}
	})
}

func TestSchedulerNothingNew(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		time.Sleep(time.Until(time.Date(2026, 11, 2, 7, 0, 0, 0, time.UTC)))
		runs := newMemRuns()
		quiet := &posts{loc: time.UTC}
		silent := &posts{loc: time.UTC}
		s, err := New(Options{
			Channels: []Channel{
				{Name: "silent", Key: "slack:C1", Hour: 8, Post: silent.post},
				{Name: "quiet", Key: "slack:C2", Hour: 8, QuietDay: true, Post: quiet.post},
			},
			Builder: &fakeBuilder{empty: true}, Runs: runs,
		})
		if err != nil {
			t.Fatal(err)
		}
		runFor(t, s, 2*time.Hour)
		if got := silent.got(); len(got) != 0 {
			t.Errorf("posted on a day with nothing new: %v", got)
		}
		if got := quiet.got(); len(got) != 1 {
			t.Errorf("quiet-day channel posted %d times, want 1", len(got))
		}
		if r := runs.runs["slack:C1|2026-11-02"]; r.State != knowledge.DigestEmpty {
			t.Errorf("run recorded as %q, want empty", r.State)
		}
	})
}

// TestSchedulerWithSQLite runs the restart case against the real store: a
// second process (scheduler) started after the post does not post again.
func TestSchedulerWithSQLite(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 11, 2, 8, 5, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	path := t.TempDir() + "/byline.db"
	var posted []string
	post := func(context.Context, Digest) (string, error) {
		posted = append(posted, now.Format(time.Kitchen))
		return "m", nil
	}
	for range 3 {
		store, err := knowledge.Open(ctx, path, knowledge.Options{Now: clock})
		if err != nil {
			t.Fatal(err)
		}
		s, err := New(Options{Channels: []Channel{{Name: "n", Key: "discord:1", Hour: 8, Post: post}}, Builder: &fakeBuilder{}, Runs: store, Now: clock})
		if err != nil {
			t.Fatal(err)
		}
		s.Check(ctx)
		s.Check(ctx)
		if err := store.Close(); err != nil {
			t.Fatal(err)
		}
		now = now.Add(10 * time.Minute)
	}
	if diff := cmp.Diff([]string{"8:05AM"}, posted); diff != "" {
		t.Errorf("posts across three restarts (-want +got):\n%s", diff)
	}
}

// A digest posted on demand over a given window covers that window, is
// recorded, and the next scheduled digest starts where it ended.
func TestPostRangeAndObserve(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		time.Sleep(time.Until(time.Date(2026, 11, 2, 7, 0, 0, 0, time.UTC)))
		runs := newMemRuns()
		b := &fakeBuilder{}
		p := &posts{loc: time.UTC}
		var mu sync.Mutex
		var states []string
		ch := Channel{Name: "news", Key: "slack:C1", Hour: 8, Post: p.post}
		s, err := New(Options{
			Channels: []Channel{ch}, Builder: b, Runs: runs,
			Observe: func(r knowledge.DigestRun) { mu.Lock(); states = append(states, r.State); mu.Unlock() },
		})
		if err != nil {
			t.Fatal(err)
		}
		since := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
		until := time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)
		if _, err := s.PostRange(context.Background(), ch, since, until); err != nil {
			t.Fatal(err)
		}
		runFor(t, s, 2*time.Hour)

		b.mu.Lock()
		windows := append([][2]time.Time(nil), b.windows...)
		b.mu.Unlock()
		want := [][2]time.Time{{since, until}, {until, time.Date(2026, 11, 2, 8, 0, 0, 0, time.UTC)}}
		if diff := cmp.Diff(want, windows); diff != "" {
			t.Errorf("windows built (-want +got):\n%s", diff)
		}
		mu.Lock()
		defer mu.Unlock()
		for _, r := range runs.runs {
			if r.State == knowledge.DigestPosted && !slices.Equal(r.Articles, []string{"ferry", "ferry-2"}) {
				t.Errorf("run %s recorded articles %v, want the digest's", r.Period, r.Articles)
			}
		}
		// Yesterday's 08:00 digest, 23 hours late at start, is skipped.
		if diff := cmp.Diff([]string{knowledge.DigestPosted, knowledge.DigestSkipped, knowledge.DigestPosted}, states); diff != "" {
			t.Errorf("observed runs (-want +got):\n%s", diff)
		}
	})
}

// A digest that cannot be posted (a channel the bot may not post in) is
// built and tried a few times with growing pauses, not every minute of
// its grace period; one posted in part is not posted again.
func TestFailingPostsAreNotRepeated(t *testing.T) {
	for _, tc := range []struct {
		name      string
		firstID   string // what Post returns with its error
		wantPosts int
	}{
		{"nothing posted", "", knowledge.DigestAttempts},
		{"posted in part", "m1", 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			now := time.Date(2026, 11, 2, 8, 0, 0, 0, time.UTC)
			clock := func() time.Time { return now }
			store, err := knowledge.Open(ctx, t.TempDir()+"/byline.db", knowledge.Options{Now: clock})
			if err != nil {
				t.Fatal(err)
			}
			defer store.Close()
			posts := 0
			post := func(context.Context, Digest) (string, error) {
				posts++
				return tc.firstID, errors.New("403 Missing Access")
			}
			b := &fakeBuilder{}
			s, err := New(Options{Channels: []Channel{{Name: "n", Key: "discord:1", Hour: 8, Post: post}}, Builder: b, Runs: store, Now: clock})
			if err != nil {
				t.Fatal(err)
			}
			// Every minute of the two-hour grace period, as Run does.
			for range 120 {
				s.Check(ctx)
				now = now.Add(time.Minute)
			}
			if posts != tc.wantPosts || len(b.windows) != tc.wantPosts {
				t.Errorf("%d posts and %d builds, want %d of each", posts, len(b.windows), tc.wantPosts)
			}
		})
	}
}

// A digest posted by hand over a window reaching into the future is
// recorded up to now only; one over an old window (a backfill) does not
// make the next digest reach back years, nor does a window that somehow
// ends in the future starve the next one.
func TestWindowsStayInReach(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 3, 3, 10, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	p := &posts{loc: time.UTC}
	ch := Channel{Name: "n", Key: "slack:C1", Hour: 8, Post: p.post}

	runs := newMemRuns()
	b := &fakeBuilder{}
	s, err := New(Options{Channels: []Channel{ch}, Builder: b, Runs: runs, Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.PostRange(ctx, ch, now.Add(-2*time.Hour), now.Add(14*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if last, _, _ := runs.LastDigest(ctx, ch.Key); !last.Until.Equal(now) {
		t.Errorf("a window to tomorrow was recorded until %s, want now (%s)", last.Until, now)
	}

	for _, tc := range []struct {
		name      string
		lastUntil time.Time
		wantSince time.Time
	}{
		{"backfill of 1987", time.Date(1987, 3, 3, 0, 0, 0, 0, time.UTC), now.Add(-maxLookback)},
		{"ends in the future", now.Add(48 * time.Hour), now.Add(-24 * time.Hour)},
		{"yesterday's", now.Add(-26 * time.Hour), now.Add(-26 * time.Hour)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			runs := newMemRuns()
			runs.FinishDigest(ctx, knowledge.DigestRun{Channel: ch.Key, Period: "p", State: knowledge.DigestPosted, Until: tc.lastUntil})
			s, err := New(Options{Channels: []Channel{ch}, Builder: &fakeBuilder{}, Runs: runs, Now: clock})
			if err != nil {
				t.Fatal(err)
			}
			got, err := s.since(ctx, ch, now)
			if err != nil || !got.Equal(tc.wantSince) {
				t.Errorf("since = %s, %v; want %s", got, err, tc.wantSince)
			}
		})
	}
}

// newsBefore has one story in any window that starts before at, and
// nothing after it.
type newsBefore struct{ at time.Time }

func (b newsBefore) Digest(_ context.Context, r Request) (Digest, error) {
	if !r.Since.Before(b.at) {
		return Digest{Since: r.Since, Until: r.Until, Empty: true}, nil
	}
	return Digest{Since: r.Since, Until: r.Until, Items: []Item{{Headline: "Ferry timetable changes"}}}, nil
}

// Two digests on demand at once (two admins, or one and the schedule)
// post once: the second starts where the first ended and finds nothing.
func TestConcurrentDigestsPostOnce(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 3, 3, 10, 0, 0, 0, time.UTC)
	var mu sync.Mutex
	posted := 0
	post := func(context.Context, Digest) (string, error) {
		mu.Lock()
		defer mu.Unlock()
		posted++
		return "m", nil
	}
	ch := Channel{Name: "n", Key: "slack:C1", Hour: 8, Post: post}
	var tick atomic.Int64
	clock := func() time.Time { return now.Add(time.Duration(tick.Add(1)) * time.Millisecond) }
	s, err := New(Options{Builder: newsBefore{now}, Runs: newMemRuns(), Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for range 2 {
		wg.Go(func() {
			if _, err := s.PostNow(ctx, ch); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if posted != 1 {
		t.Errorf("posted %d times, want once", posted)
	}
}
