package llm

import (
	"context"
	"errors"
	"log/slog"
	"strings"
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

// slowModel answers once released, charging 600 tokens a call.
type slowModel struct {
	release chan struct{}
	mu      sync.Mutex
	calls   int
}

func (m *slowModel) Complete(context.Context, Request) (Response, error) {
	m.mu.Lock()
	m.calls++
	m.mu.Unlock()
	<-m.release
	return Response{Text: "ok", PromptTokens: 500, CompletionTokens: 100}, nil
}

func (m *slowModel) Stream(ctx context.Context, req Request, _ func(string)) (Response, error) {
	return m.Complete(ctx, req)
}

func (m *slowModel) Model() string { return "fake" }

// Sixteen calls at once on a budget of 900 tokens: each reserves what it
// may spend, so only the first gets through, not all sixteen.
func TestBudgetUnderConcurrency(t *testing.T) {
	m := &slowModel{release: make(chan struct{})}
	b, err := NewBudget(m, BudgetOptions{TokensPerDay: 900})
	if err != nil {
		t.Fatal(err)
	}
	req := Request{Messages: []Message{{Role: RoleUser, Content: strings.Repeat("word ", 400)}}, MaxTokens: 400}
	var wg sync.WaitGroup
	var refused sync.Map
	started := make(chan struct{}, 16)
	for i := range 16 {
		wg.Go(func() {
			started <- struct{}{}
			if _, err := b.Complete(context.Background(), req); errors.Is(err, ErrBudgetSpent) {
				refused.Store(i, true)
			}
		})
	}
	for range 16 {
		<-started
	}
	// Every call has either reserved or been refused once 15 are refused
	// or the model has been called; wait for the refusals to land.
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		n := 0
		refused.Range(func(any, any) bool { n++; return true })
		m.mu.Lock()
		calls := m.calls
		m.mu.Unlock()
		if n+calls == 16 {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	close(m.release)
	wg.Wait()
	if m.calls != 1 {
		t.Errorf("%d calls reached the model on a budget one call's estimate fills, want 1", m.calls)
	}
}

// A stream that broke after writing text reported no usage; it is
// charged an estimate all the same.
func TestBudgetChargesBrokenStreams(t *testing.T) {
	b, err := NewBudget(brokenStream{}, BudgetOptions{TokensPerDay: 100000})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.Stream(context.Background(), Request{Messages: []Message{{Role: RoleUser, Content: strings.Repeat("x", 4000)}}}, func(string) {}); err == nil {
		t.Fatal("the broken stream's error was lost")
	}
	if b.spent < 1000 {
		t.Errorf("a broken stream was charged %d tokens, want its prompt's estimate at least", b.spent)
	}
}

type brokenStream struct{}

func (brokenStream) Complete(context.Context, Request) (Response, error) { return Response{}, nil }
func (brokenStream) Stream(context.Context, Request, func(string)) (Response, error) {
	return Response{Text: "Partial answer"}, errors.New("stream broke")
}
func (brokenStream) Model() string { return "fake" }

// blockingLedger blocks its first read of a day's total until released,
// as a database busy with a long write would, and fails every write when
// told to.
type blockingLedger struct {
	entered, release chan struct{}
	once             sync.Once
	failWrites       bool
}

func (l *blockingLedger) AddUsage(_ context.Context, _ string, n int64) (int64, error) {
	if n == 0 {
		first := false
		l.once.Do(func() { first = true })
		if first {
			close(l.entered)
			<-l.release
		}
		return 0, nil
	}
	if l.failWrites {
		return 0, errors.New("database is locked")
	}
	return n, nil
}

// The first call of a day reads the day's total from the ledger; while
// that read waits on the database, the budget's lock is free and another
// call goes ahead rather than queueing behind the database.
func TestBudgetReadsTheLedgerWithoutTheLock(t *testing.T) {
	l := &blockingLedger{entered: make(chan struct{}), release: make(chan struct{})}
	b, err := NewBudget(&countingModel{}, BudgetOptions{TokensPerDay: 100000, Ledger: l})
	if err != nil {
		t.Fatal(err)
	}
	first := make(chan error, 1)
	go func() {
		_, err := b.Complete(context.Background(), Request{})
		first <- err
	}()
	<-l.entered
	if !b.mu.TryLock() {
		t.Error("the budget's lock is held while the ledger is read")
	} else {
		b.mu.Unlock()
		if _, err := b.Complete(context.Background(), Request{}); err != nil {
			t.Errorf("a call during the first one's ledger read: %v", err)
		}
	}
	close(l.release)
	if err := <-first; err != nil {
		t.Errorf("the call that read the ledger: %v", err)
	}
}

// A call's tokens that cannot be recorded in the ledger are logged, since
// a restart the same day would not count them.
func TestBudgetLogsLedgerWriteFailures(t *testing.T) {
	l := &blockingLedger{entered: make(chan struct{}), release: make(chan struct{}), failWrites: true}
	close(l.release)
	var logs strings.Builder
	b, err := NewBudget(&countingModel{}, BudgetOptions{TokensPerDay: 100000, Ledger: l,
		Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.Complete(context.Background(), Request{}); err != nil {
		t.Fatal(err)
	}
	if got := logs.String(); !strings.Contains(got, "recording token use failed") || !strings.Contains(got, "database is locked") || !strings.Contains(got, "tokens=400") {
		t.Errorf("the ledger's failure is not in the log:\n%s", got)
	}
}
