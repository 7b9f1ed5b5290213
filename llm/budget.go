package llm

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
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
	// day. A call starts only while the day's total, with what the calls
	// under way may spend, is under it, so a day goes over by at most one
	// call's worth. Required, positive.
	TokensPerDay int64
	// Ledger keeps the day's total across restarts. Nil keeps it in memory.
	Ledger ledger
	// Now is the clock. Nil means time.Now.
	Now func() time.Time
	// Logger receives what cannot be returned: a failure to record a
	// call's spending in the ledger. Nil means discard.
	Logger *slog.Logger
}

// Budget is a client that stops calling the model once the day's tokens
// are spent, so that a busy day costs at most what the operator set. Each
// call reserves what it may spend (its prompt, roughly, and its answer's
// MaxTokens) while it runs, so that many calls at once cannot all start
// on the last of a day's budget. It is safe for concurrent use.
type Budget struct {
	inner completer
	opts  BudgetOptions

	mu       sync.Mutex
	day      string // the UTC day spent counts
	spent    int64
	reserved int64
	// read is the day whose total has been read from the ledger, or is
	// being read: one call reads it, outside the lock, and the others go
	// on with what is known in memory meanwhile.
	read string
}

// NewBudget wraps c.
func NewBudget(c completer, opts BudgetOptions) (*Budget, error) {
	if opts.TokensPerDay <= 0 {
		return nil, errors.New("llm: a token budget must be positive")
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	return &Budget{inner: c, opts: opts}, nil
}

// Model returns the wrapped client's model.
func (b *Budget) Model() string { return b.inner.Model() }

// Complete calls the model if the day's budget allows.
func (b *Budget) Complete(ctx context.Context, req Request) (Response, error) {
	est, err := b.reserve(ctx, req)
	if err != nil {
		return Response{}, err
	}
	resp, err := b.inner.Complete(ctx, req)
	b.charge(ctx, resp, est)
	return resp, err
}

// Stream calls the model if the day's budget allows.
func (b *Budget) Stream(ctx context.Context, req Request, onDelta func(string)) (Response, error) {
	est, err := b.reserve(ctx, req)
	if err != nil {
		return Response{}, err
	}
	resp, err := b.inner.Stream(ctx, req, onDelta)
	b.charge(ctx, resp, est)
	return resp, err
}

// estimate is what a request may spend: its prompt at about four
// characters a token, and its answer's limit (400 when it sets none).
type estimate struct{ prompt, total int64 }

func estimateOf(req Request) estimate {
	var chars int
	for _, m := range req.Messages {
		chars += len(m.Content)
	}
	prompt := int64(chars/4 + 1)
	answer := int64(req.MaxTokens)
	if answer <= 0 {
		answer = 400
	}
	return estimate{prompt: prompt, total: prompt + answer}
}

// reserve returns ErrBudgetSpent when today's total, with what the calls
// running now may spend, has reached the budget; else it sets aside this
// call's estimate until charge.
//
// The first call of a day reads the day's total from the ledger, which is
// a database query: it is made without the lock, so that a slow database
// at midnight holds up that one call and not every other one (which go on
// with the total known in memory until the read lands).
func (b *Budget) reserve(ctx context.Context, req Request) (estimate, error) {
	est := estimateOf(req)
	day := b.opts.Now().UTC().Format("2006-01-02")
	b.mu.Lock()
	b.rollover(day)
	read := b.opts.Ledger != nil && b.read != day
	if read {
		b.read = day
	}
	b.mu.Unlock()
	if read {
		n, err := b.opts.Ledger.AddUsage(ctx, "llm_tokens:"+day, 0)
		b.mu.Lock()
		switch {
		case err != nil && b.read == day:
			b.read = "" // the next call tries again
		case err == nil && b.day == day && n > b.spent:
			b.spent = n
		}
		b.mu.Unlock()
		if err != nil {
			return estimate{}, fmt.Errorf("llm: reading today's token use: %w", err)
		}
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.rollover(day)
	if b.spent+b.reserved >= b.opts.TokensPerDay {
		return estimate{}, fmt.Errorf("llm: %w: %d of %d tokens used today (UTC), %d more in calls under way", ErrBudgetSpent, b.spent, b.opts.TokensPerDay, b.reserved)
	}
	b.reserved += est.total
	return est, nil
}

// rollover starts the count of a new day. The caller holds b.mu.
func (b *Budget) rollover(day string) {
	if day != b.day {
		b.day, b.spent = day, 0
	}
}

// charge releases a call's reservation and adds what it spent to today's
// total. A call that reported no usage but wrote text (a stream that
// broke, which the provider bills all the same) is charged its estimated
// prompt and the text at about four characters a token. The ledger is
// written outside the lock, so that calls do not queue behind the
// database.
func (b *Budget) charge(ctx context.Context, resp Response, est estimate) {
	n := int64(resp.PromptTokens + resp.CompletionTokens)
	if n == 0 && resp.Text != "" {
		n = est.prompt + int64(len(resp.Text)/4+1)
	}
	day := b.opts.Now().UTC().Format("2006-01-02")
	b.mu.Lock()
	b.reserved -= est.total
	b.rollover(day)
	b.spent += n
	b.mu.Unlock()
	if n == 0 || b.opts.Ledger == nil {
		return
	}
	total, err := b.opts.Ledger.AddUsage(context.WithoutCancel(ctx), "llm_tokens:"+day, n)
	if err != nil {
		// The call is over and its answer stands; the tokens are still
		// counted in memory, but a restart today would forget them.
		b.opts.Logger.Warn("llm: recording token use failed; a restart today would not count these tokens",
			"component", "llm", "day", day, "tokens", n, "err", err)
		return
	}
	b.mu.Lock()
	if b.day == day && total > b.spent {
		b.spent = total
	}
	b.mu.Unlock()
}
