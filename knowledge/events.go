package knowledge

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Once records that the event key was handled and reports whether this is
// the first time: chat adapters call it with a platform's event id before
// answering, so that an event the platform retries or replays after a
// reconnect, even after a restart of the bot, is answered once. A key is
// remembered for keep (at least a minute), then forgotten. Two concurrent
// calls with one key get one true.
func (s *Store) Once(ctx context.Context, key string, keep time.Duration) (bool, error) {
	if key == "" {
		return false, errors.New("knowledge: once: empty key")
	}
	keep = max(keep, time.Minute)
	now := s.now()
	res, err := s.write.ExecContext(ctx, `INSERT INTO seen_events (key, seen, expires) VALUES (?, ?, ?)
		ON CONFLICT (key) DO UPDATE SET seen = excluded.seen, expires = excluded.expires
		WHERE seen_events.expires < excluded.seen`,
		key, now.Unix(), now.Add(keep).Unix())
	if err != nil {
		return false, fmt.Errorf("knowledge: once %q: %w", key, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("knowledge: once %q: %w", key, err)
	}
	s.pruneEvents(ctx, now)
	return n == 1, nil
}

// pruneEvents deletes expired event keys, at most once a minute.
func (s *Store) pruneEvents(ctx context.Context, now time.Time) {
	s.mu.Lock()
	due := now.Sub(s.eventsPruned) >= time.Minute
	if due {
		s.eventsPruned = now
	}
	s.mu.Unlock()
	if !due {
		return
	}
	if _, err := s.write.ExecContext(ctx, "DELETE FROM seen_events WHERE expires < ?", now.Unix()); err != nil {
		s.log.Warn("knowledge: pruning seen events failed", "err", err)
	}
}

// AddUsage adds n to the running count key and returns the new total; n
// may be 0 to read it. Counts survive restarts: the daily token budget
// keeps one per day.
func (s *Store) AddUsage(ctx context.Context, key string, n int64) (int64, error) {
	var total int64
	err := s.write.QueryRowContext(ctx, `INSERT INTO usage (key, n) VALUES (?, ?)
		ON CONFLICT (key) DO UPDATE SET n = n + excluded.n RETURNING n`, key, n).Scan(&total)
	if err != nil {
		return 0, fmt.Errorf("knowledge: usage %q: %w", key, err)
	}
	return total, nil
}
