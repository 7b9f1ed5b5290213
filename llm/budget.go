package llm

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"
)

// ErrBudgetSpent means the day's token budget is used up: no request was
// sent. It is not an *Error kind of the server's but of ours; check it with
// errors.Is like the others.
var ErrBudgetSpent = errors.New("daily token budget spent")

// ledger keeps a running count per key across restarts;
// *knowledge.Store is one.
type ledger interface {
	AddUsage(ctx context.Context, key string, n int64) (int64, error)
}

// completer is the part of *Client a Budget wraps.
type completer interface {
	Complete(ctx context.Context, req Request) (Response, error)
	Stream(ctx context.Context, req Request, onDelta func(delta string)) (Response, error)
	Model() string
}

// BudgetOptions configure a Budget.
type BudgetOptions struct {
	// TokensPerDay is the most prompt and completion tokens spent per UTC
	// day. A call starts only while the day's total is under it, so the
	// last call of a day may go over by one answer. Required, positive.
	TokensPerDay int64
	// Ledger keeps the day's total across restarts. Nil keeps it in memory.
	Ledger ledger
	// Now is the clock. Nil means time.Now.
	Now func() time.Time
}

// Budget is a client that stops calling the model once the day's tokens
// are spent, so that a busy day costs at most what the operator set. It
// is safe for concurrent use.
type Budget struct {
	inner completer
	opts  BudgetOptions

	mu    sync.Mutex
	day   string
	spent int64
}

// NewBudget wraps c.
func NewBudget(c completer, opts BudgetOptions) (*Budget, error) {
	if opts.TokensPerDay <= 0 {
		return nil, errors.New("llm: a token budget must be positive")
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &Budget{inner: c, opts: opts}, nil
}

// Model returns the wrapped client's model.
func (b *Budget) Model() string { return b.inner.Model() }

// Complete calls the model if the day's budget allows.
func (b *Budget) Complete(ctx context.Context, req Request) (Response, error) {
	if err := b.check(ctx); err != nil {
		return Response{}, err
	}
	resp, err := b.inner.Complete(ctx, req)
	b.charge(ctx, resp)
	return resp, err
}

// Stream calls the model if the day's budget allows.
func (b *Budget) Stream(ctx context.Context, req Request, onDelta func(string)) (Response, error) {
	if err := b.check(ctx); err != nil {
		return Response{}, err
	}
	resp, err := b.inner.Stream(ctx, req, onDelta)
	b.charge(ctx, resp)
	return resp, err
}

// check returns ErrBudgetSpent when today's total has reached the budget.
func (b *Budget) check(ctx context.Context) error {
	day := b.opts.Now().UTC().Format("2006-01-02")
	b.mu.Lock()
	defer b.mu.Unlock()
	if day != b.day {
		b.day, b.spent = day, 0
		if b.opts.Ledger != nil {
			n, err := b.opts.Ledger.AddUsage(ctx, "llm_tokens:"+day, 0)
			if err != nil {
				return fmt.Errorf("llm: reading today's token use: %w", err)
			}
			b.spent = n
		}
	}
	if b.spent >= b.opts.TokensPerDay {
		return fmt.Errorf("llm: %w: %d of %d tokens used today (UTC)", ErrBudgetSpent, b.spent, b.opts.TokensPerDay)
	}
	return nil
}

// charge adds a response's tokens to today's total.
func (b *Budget) charge(ctx context.Context, resp Response) {
	n := int64(resp.PromptTokens + resp.CompletionTokens)
	if n == 0 {
		return
	}
	day := b.opts.Now().UTC().Format("2006-01-02")
	b.mu.Lock()
	defer b.mu.Unlock()
	if day != b.day {
		b.day, b.spent = day, 0
	}
	b.spent += n
	if b.opts.Ledger != nil {
		if total, err := b.opts.Ledger.AddUsage(context.WithoutCancel(ctx), "llm_tokens:"+day, n); err == nil {
			b.spent = total
		}
	}
}
