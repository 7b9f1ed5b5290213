package knowledge

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Digest runs are one of the store's records (see records): the
// scheduler's memory of what it posted where, kept apart from the knowledge.

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
	// Articles are the ids of the articles a posted digest's stories
	// cite.
	Articles []string
	// Updated is when the run last changed state (set by the store).
	Updated time.Time
}

// DigestAttempts is how many times a digest run that keeps failing is
// tried in all. The n-th retry waits DigestRetryPause << (n-1) after the
// failure before it may be claimed.
const (
	DigestAttempts   = 3
	DigestRetryPause = 5 * time.Minute
)

// ClaimDigest records that the digest of channel for period is starting,
// and reports whether the caller may run it: false when a run for that
// period already exists in any state but failed, and for a failed one
// until its pause is over or once it has been tried DigestAttempts
// times. Two processes claiming one period get one true.
func (rec *records) ClaimDigest(ctx context.Context, channel, period string, scheduled time.Time) (bool, error) {
	now := rec.now().Unix()
	res, err := rec.write.ExecContext(ctx, `INSERT INTO digest_runs (channel, period, scheduled, state, updated, attempts)
		VALUES (?, ?, ?, 'claimed', ?, 1)
		ON CONFLICT (channel, period) DO UPDATE SET state = 'claimed', updated = excluded.updated,
			attempts = digest_runs.attempts + 1
		WHERE digest_runs.state = 'failed' AND digest_runs.attempts < ?
			AND digest_runs.updated <= ? - (? << (digest_runs.attempts - 1))`,
		channel, period, scheduled.Unix(), now, DigestAttempts, now, int64(DigestRetryPause/time.Second))
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
func (rec *records) FinishDigest(ctx context.Context, r DigestRun) error {
	_, err := rec.write.ExecContext(ctx, `INSERT INTO digest_runs (channel, period, scheduled, state, since, until, detail, articles, updated)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (channel, period) DO UPDATE SET state = excluded.state, since = excluded.since,
			until = excluded.until, detail = excluded.detail, articles = excluded.articles, updated = excluded.updated`,
		r.Channel, r.Period, r.Scheduled.Unix(), r.State, unixOrNull(r.Since), unixOrNull(r.Until), r.Detail,
		strings.Join(r.Articles, "\n"), rec.now().Unix())
	if err != nil {
		return fmt.Errorf("knowledge: record digest %s %s: %w", r.Channel, r.Period, err)
	}
	return nil
}

// runColumns are the columns scanDigestRun reads, in its order.
const runColumns = `channel, period, scheduled, state, since, until, detail, articles, updated`

// DigestRunFor returns the run of channel for period, and false if there
// is none.
func (rec *records) DigestRunFor(ctx context.Context, channel, period string) (DigestRun, bool, error) {
	return rec.digestRun(ctx, `SELECT `+runColumns+` FROM digest_runs
		WHERE channel = ? AND period = ?`, channel, period)
}

// LastDigest returns the channel's most recent run that posted or found
// nothing new: the next digest starts where it ended.
func (rec *records) LastDigest(ctx context.Context, channel string) (DigestRun, bool, error) {
	return rec.digestRun(ctx, `SELECT `+runColumns+` FROM digest_runs
		WHERE channel = ? AND state IN ('posted', 'empty') AND until IS NOT NULL
		ORDER BY until DESC LIMIT 1`, channel)
}

// PostedDigests returns the digests posted since a time, in every channel,
// oldest first: the threads people may still be replying in.
func (rec *records) PostedDigests(ctx context.Context, since time.Time) ([]DigestRun, error) {
	rows, err := rec.read.QueryContext(ctx, `SELECT `+runColumns+` FROM digest_runs
		WHERE state = 'posted' AND updated >= ? ORDER BY updated, channel`, since.Unix())
	if err != nil {
		return nil, fmt.Errorf("knowledge: posted digests: %w", err)
	}
	defer rows.Close()
	var out []DigestRun
	for rows.Next() {
		r, err := scanDigestRun(rows)
		if err != nil {
			return nil, fmt.Errorf("knowledge: posted digests: %w", err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("knowledge: posted digests: %w", err)
	}
	return out, nil
}

func (rec *records) digestRun(ctx context.Context, query string, args ...any) (DigestRun, bool, error) {
	r, err := scanDigestRun(rec.read.QueryRowContext(ctx, query, args...))
	if errors.Is(err, sql.ErrNoRows) {
		return DigestRun{}, false, nil
	}
	if err != nil {
		return DigestRun{}, false, fmt.Errorf("knowledge: digest run: %w", err)
	}
	return r, true, nil
}

// scanDigestRun reads the runColumns of one row.
func scanDigestRun(row interface{ Scan(...any) error }) (DigestRun, error) {
	var (
		r              DigestRun
		sched, updated int64
		since, until   sql.NullInt64
		articles       string
	)
	if err := row.Scan(&r.Channel, &r.Period, &sched, &r.State, &since, &until, &r.Detail, &articles, &updated); err != nil {
		return DigestRun{}, err
	}
	r.Scheduled = time.Unix(sched, 0).UTC()
	r.Updated = time.Unix(updated, 0).UTC()
	if since.Valid {
		r.Since = time.Unix(since.Int64, 0).UTC()
	}
	if until.Valid {
		r.Until = time.Unix(until.Int64, 0).UTC()
	}
	if articles != "" {
		r.Articles = strings.Split(articles, "\n")
	}
	return r, nil
}

func unixOrNull(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.Unix()
}
