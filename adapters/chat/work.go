package chat

import (
	"context"
	"sync"
	"time"
)

// Work counts an adapter's work in flight (replies being written) and,
// once closed at shutdown, refuses more and says when the last piece is
// done. The zero value is ready to use.
type Work struct {
	mu     sync.Mutex
	n      int
	closed bool
	idle   chan struct{}
}

// Add counts one more piece of work, unless the Work is closed.
func (w *Work) Add() bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return false
	}
	w.n++
	return true
}

// Done counts one piece of work finished.
func (w *Work) Done() {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.n--
	if w.n == 0 && w.idle != nil {
		close(w.idle)
		w.idle = nil
	}
}

// Count returns the pieces of work in flight.
func (w *Work) Count() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.n
}

// Drain refuses new work and waits, at most d, for the work in flight to
// finish. It returns how many pieces were still in flight when it gave
// up: 0 when all finished.
func (w *Work) Drain(d time.Duration) int {
	w.mu.Lock()
	w.closed = true
	idle := make(chan struct{})
	if w.n == 0 {
		close(idle)
	} else {
		w.idle = idle
	}
	w.mu.Unlock()
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-idle:
		return 0
	case <-t.C:
		return w.Count()
	}
}

// Recent is an in-memory stand-in for a persistent Once: it remembers the
// last max keys, so an event delivered twice within them is handled once.
type Recent struct {
	mu    sync.Mutex
	keys  map[string]struct{}
	order []string
	next  int
}

// NewRecent returns a Recent remembering max keys.
func NewRecent(max int) *Recent {
	return &Recent{keys: make(map[string]struct{}, max), order: make([]string, max)}
}

// Once reports whether key is new; it has the signature ServiceOptions.Once
// takes.
func (r *Recent) Once(_ context.Context, key string) (bool, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, ok := r.keys[key]; ok {
		return false, nil
	}
	if old := r.order[r.next]; old != "" {
		delete(r.keys, old)
	}
	r.order[r.next] = key
	r.next = (r.next + 1) % len(r.order)
	r.keys[key] = struct{}{}
	return true, nil
}
