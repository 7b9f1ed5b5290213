package llm

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"
)

type countingModel struct{ calls int }

func (m *countingModel) Complete(context.Context, Request) (Response, error) {
	m.calls++
	return Response{Text: "ok", PromptTokens: 300, CompletionTokens: 100}, nil
}

func (m *countingModel) Stream(ctx context.Context, req Request, onDelta func(string)) (Response, error) {
	onDelta("ok")
	return m.Complete(ctx, req)
}

func (m *countingModel) Model() string { return "fake" }

type memLedger struct {
	mu sync.Mutex
	n  map[string]int64
}

func (l *memLedger) AddUsage(_ context.Context, key string, n int64) (int64, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.n[key] += n
	return l.n[key], nil
}

func TestBudget(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 11, 22, 23, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	ledger := &memLedger{n: map[string]int64{}}
	model := &countingModel{}
	b, err := NewBudget(model, BudgetOptions{TokensPerDay: 1000, Ledger: ledger, Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	// 400 tokens a call: the third starts at 800 < 1000 and goes over; the
	// fourth is refused without a request.
	for i := range 3 {
		if _, err := b.Complete(ctx, Request{}); err != nil {
			t.Fatalf("call %d: %v", i, err)
		}
	}
	if _, err := b.Stream(ctx, Request{}, func(string) {}); !errors.Is(err, ErrBudgetSpent) {
		t.Fatalf("fourth call: %v, want ErrBudgetSpent", err)
	}
	if model.calls != 3 {
		t.Errorf("%d requests sent, want 3", model.calls)
	}

	// A restart remembers the day's spending.
	b2, _ := NewBudget(model, BudgetOptions{TokensPerDay: 1000, Ledger: ledger, Now: clock})
	if _, err := b2.Complete(ctx, Request{}); !errors.Is(err, ErrBudgetSpent) {
		t.Errorf("after a restart: %v, want ErrBudgetSpent", err)
	}

	// A new UTC day starts afresh.
	now = now.Add(2 * time.Hour)
	if _, err := b2.Complete(ctx, Request{}); err != nil {
		t.Errorf("the next day: %v", err)
	}
	if got := ledger.n["llm_tokens:2026-11-23"]; got != 400 {
		t.Errorf("ledger for the new day = %d, want 400", got)
	}
}
