package chat

import (
	"context"
	"sync"
)

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
