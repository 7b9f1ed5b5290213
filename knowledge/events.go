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
//
// A key this process has recorded already is answered from memory. A new
// one is written to the database, where it waits its turn behind other
// writes (a feed's ingest); it waits at most Options.OnceWait, then
// returns an error wrapping context.DeadlineExceeded, so that a long
// ingest delays an answer by that much and no more.
func (r *records) Once(ctx context.Context, key string, keep time.Duration) (bool, error) {
	if key == "" {
		return false, errors.New("knowledge: once: empty key")
	}
	keep = max(keep, time.Minute)
	now := r.now()
	r.mu.Lock()
	forget, seen := r.seen[key]
	r.mu.Unlock()
	if seen && now.Before(forget) {
		return false, nil
	}
	ctx, cancel := context.WithTimeout(ctx, r.onceWait)
	defer cancel()
	res, err := r.write.ExecContext(ctx, `INSERT INTO seen_events (key, seen, expires) VALUES (?, ?, ?)
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
	// A key found in the database (handled before a restart, or by
	// another process) is remembered here from now on, for keep: at worst
	// a little longer than the database remembers it.
	r.mu.Lock()
	r.seen[key] = now.Add(keep)
	r.mu.Unlock()
	r.pruneEvents(ctx, now)
	return n == 1, nil
}

// pruneEvents forgets expired event keys, in memory and in the database,
// at most once a minute.
func (r *records) pruneEvents(ctx context.Context, now time.Time) {
	r.mu.Lock()
	due := now.Sub(r.eventsPruned) >= time.Minute
	if due {
		r.eventsPruned = now
		for key, forget := range r.seen {
			if !now.Before(forget) {
				delete(r.seen, key)
			}
		}
	}
	r.mu.Unlock()
	if !due {
		return
	}
	if _, err := r.write.ExecContext(ctx, "DELETE FROM seen_events WHERE expires < ?", now.Unix()); err != nil {
		r.log.Warn("knowledge: pruning seen events failed", "err", err)
	}
}
