package knowledge

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// The states of a digest run.
const (
	// DigestClaimed means a run started and has not finished: it may have
	// posted or not. It is never run again, so a crash while posting can
	// lose a digest but never post one twice.
	DigestClaimed = "claimed"
	// DigestPosted means the digest was posted.
	DigestPosted = "posted"
	// DigestEmpty means nothing was new and nothing was posted.
	DigestEmpty = "empty"
	// DigestSkipped means the run was missed by more than the grace period.
	DigestSkipped = "skipped"
	// DigestFailed means the run failed before posting; it may be tried
	// again.
	DigestFailed = "failed"
)

// DigestRun is the record of one channel's digest for one period.
type DigestRun struct {
	Channel   string
	Period    string
	Scheduled time.Time
	State     string
	// Since and Until are the window the digest covered; zero until known.
	Since, Until time.Time
	// Detail is the posted message's id, or why the run did not post.
	Detail string
}

// ClaimDigest records that the digest of channel for period is starting,
// and reports whether the caller may run it: false when a run for that
// period already exists in any state but failed. Two processes claiming
// one period get one true.
func (s *Store) ClaimDigest(ctx context.Context, channel, period string, scheduled time.Time) (bool, error) {
	res, err := s.write.ExecContext(ctx, `INSERT INTO digest_runs (channel, period, scheduled, state, updated)
		VALUES (?, ?, ?, 'claimed', ?)
		ON CONFLICT (channel, period) DO UPDATE SET state = 'claimed', updated = excluded.updated
		WHERE digest_runs.state = 'failed'`,
		channel, period, scheduled.Unix(), s.now().Unix())
	if err != nil {
		return false, fmt.Errorf("knowledge: claim digest %s %s: %w", channel, period, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("knowledge: claim digest %s %s: %w", channel, period, err)
	}
	return n == 1, nil
}

// FinishDigest records how a claimed run ended: state is DigestPosted,
// DigestEmpty, DigestSkipped or DigestFailed. A skipped run need not have
// been claimed.
func (s *Store) FinishDigest(ctx context.Context, r DigestRun) error {
	_, err := s.write.ExecContext(ctx, `INSERT INTO digest_runs (channel, period, scheduled, state, since, until, detail, updated)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (channel, period) DO UPDATE SET state = excluded.state, since = excluded.since,
			until = excluded.until, detail = excluded.detail, updated = excluded.updated`,
		r.Channel, r.Period, r.Scheduled.Unix(), r.State, unixOrNull(r.Since), unixOrNull(r.Until), r.Detail, s.now().Unix())
	if err != nil {
		return fmt.Errorf("knowledge: record digest %s %s: %w", r.Channel, r.Period, err)
	}
	return nil
}

// DigestRunFor returns the run of channel for period, and false if there
// is none.
func (s *Store) DigestRunFor(ctx context.Context, channel, period string) (DigestRun, bool, error) {
	return s.digestRun(ctx, `SELECT channel, period, scheduled, state, since, until, detail FROM digest_runs
		WHERE channel = ? AND period = ?`, channel, period)
}

// LastDigest returns the channel's most recent run that posted or found
// nothing new: the next digest starts where it ended.
func (s *Store) LastDigest(ctx context.Context, channel string) (DigestRun, bool, error) {
	return s.digestRun(ctx, `SELECT channel, period, scheduled, state, since, until, detail FROM digest_runs
		WHERE channel = ? AND state IN ('posted', 'empty') AND until IS NOT NULL
		ORDER BY until DESC LIMIT 1`, channel)
}

func (s *Store) digestRun(ctx context.Context, query string, args ...any) (DigestRun, bool, error) {
	var (
		r            DigestRun
		sched        int64
		since, until sql.NullInt64
	)
	err := s.read.QueryRowContext(ctx, query, args...).Scan(&r.Channel, &r.Period, &sched, &r.State, &since, &until, &r.Detail)
	if errors.Is(err, sql.ErrNoRows) {
		return DigestRun{}, false, nil
	}
	if err != nil {
		return DigestRun{}, false, fmt.Errorf("knowledge: digest run: %w", err)
	}
	r.Scheduled = time.Unix(sched, 0).UTC()
	if since.Valid {
		r.Since = time.Unix(since.Int64, 0).UTC()
	}
	if until.Valid {
		r.Until = time.Unix(until.Int64, 0).UTC()
	}
	return r, true, nil
}

func unixOrNull(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.Unix()
}
