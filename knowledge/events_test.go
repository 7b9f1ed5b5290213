package knowledge

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"
)

func TestOnce(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC)
	var mu sync.Mutex
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	dir := t.TempDir()
	s, err := Open(ctx, dir+"/byline.db", Options{Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	first, err := s.Once(ctx, "slack:Ev1", time.Hour)
	if err != nil || !first {
		t.Fatalf("first Once = %v, %v; want true", first, err)
	}
	if again, _ := s.Once(ctx, "slack:Ev1", time.Hour); again {
		t.Error("the same event was reported new twice")
	}
	if other, _ := s.Once(ctx, "slack:Ev2", time.Hour); !other {
		t.Error("a different event was reported seen")
	}
	if _, err := s.Once(ctx, "", time.Hour); err == nil {
		t.Error("an empty key was accepted")
	}

	// A restart remembers.
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s, err = Open(ctx, dir+"/byline.db", Options{Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if again, _ := s.Once(ctx, "slack:Ev1", time.Hour); again {
		t.Error("an event was reported new again after a restart")
	}

	// After keep, the key is forgotten and pruned.
	mu.Lock()
	now = now.Add(2 * time.Hour)
	mu.Unlock()
	if again, _ := s.Once(ctx, "slack:Ev1", time.Hour); !again {
		t.Error("an expired event was still reported seen")
	}
	var n int
	if err := s.read.QueryRowContext(ctx, "SELECT count(*) FROM seen_events").Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 1 {
		t.Errorf("%d seen events stored after pruning; want 1 (Ev1 again)", n)
	}

	// Concurrent deliveries of one event: one winner.
	var wins atomic.Int32
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if ok, err := s.Once(ctx, "discord:race", time.Hour); err != nil {
				t.Error(err)
			} else if ok {
				wins.Add(1)
			}
		}()
	}
	wg.Wait()
	if wins.Load() != 1 {
		t.Errorf("%d of 8 concurrent deliveries were reported new; want 1", wins.Load())
	}
}

func TestAddUsage(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s, err := Open(ctx, dir+"/byline.db", Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, step := range []struct {
		add, want int64
	}{{0, 0}, {400, 400}, {250, 650}, {0, 650}} {
		got, err := s.AddUsage(ctx, "llm_tokens:2026-11-22", step.add)
		if err != nil || got != step.want {
			t.Fatalf("AddUsage(%d) = %d, %v; want %d", step.add, got, err, step.want)
		}
	}
	s.Close()
	s, err = Open(ctx, dir+"/byline.db", Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if got, _ := s.AddUsage(ctx, "llm_tokens:2026-11-22", 0); got != 650 {
		t.Errorf("after a restart: %d, want 650", got)
	}
}

// TestOnceDoesNotWaitForeverBehindTheWriter holds the one writer, as a long
// feed ingest does, and checks that Once still answers: from memory for a
// key this process has seen, and with a deadline error for a new one,
// instead of waiting for the writer for ever on a context never
// cancelled. The bubble's clock makes the wait exact: once every
// goroutine is blocked, OnceWait passes at once.
func TestOnceDoesNotWaitForeverBehindTheWriter(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := context.Background()
		s, err := Open(ctx, t.TempDir()+"/byline.db", Options{OnceWait: 3 * time.Second})
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		if first, err := s.Once(ctx, "slack:seen", time.Hour); err != nil || !first {
			t.Fatalf("first Once = %v, %v; want true", first, err)
		}

		// An immediate transaction takes the write lock and the one
		// write connection, as Put does for a batch.
		tx, err := s.write.BeginTx(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := tx.ExecContext(ctx, "UPDATE meta SET value = value WHERE key = 'generation'"); err != nil {
			t.Fatal(err)
		}

		type result struct {
			first bool
			err   error
			took  time.Duration
		}
		once := func(key string) <-chan result {
			c := make(chan result, 1)
			go func() {
				start := time.Now()
				first, err := s.Once(ctx, key, time.Hour)
				c <- result{first, err, time.Since(start)}
			}()
			return c
		}
		seen := <-once("slack:seen")
		if seen.err != nil || seen.first || seen.took != 0 {
			t.Errorf("a key seen before, while the writer is busy: %+v; want false at once, from memory", seen)
		}
		fresh := <-once("slack:new")
		if !errors.Is(fresh.err, context.DeadlineExceeded) {
			t.Errorf("a new key while the writer is busy: %+v; want an error wrapping context.DeadlineExceeded", fresh)
		}
		if fresh.took != 3*time.Second {
			t.Errorf("a new key waited %v for the writer, want OnceWait (3s)", fresh.took)
		}

		if err := tx.Commit(); err != nil {
			t.Fatal(err)
		}
		// The key that timed out was not recorded: it is new once the
		// writer is free.
		if first, err := s.Once(ctx, "slack:new", time.Hour); err != nil || !first {
			t.Errorf("after the writer is free, Once = %v, %v; want true", first, err)
		}
	})
}
