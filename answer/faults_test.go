package answer_test

import (
	"context"
	"net/http"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/byline-bot/byline/answer"
	"github.com/byline-bot/byline/llm"
)

// TestLLMOutageUnderLoad asks many questions at once while the model is
// down, slow or rate-limiting everything: each gets an extractive answer
// (not an error), retries do not hammer the server, no goroutines are left
// behind, and once the model is back answers come from it again.
func TestLLMOutageUnderLoad(t *testing.T) {
	const questions = 40
	var mode atomic.Value // "down", "slow", "limited", "up"
	store := newStore(t)
	server := newFakeLLM(t, func(w http.ResponseWriter, r *http.Request, req chatRequest) {
		switch mode.Load() {
		case "down":
			http.Error(w, `{"error":{"message":"unavailable","type":"server_error"}}`, http.StatusServiceUnavailable)
		case "slow":
			select {
			case <-r.Context().Done():
			case <-time.After(30 * time.Second):
			}
		case "limited":
			w.Header().Set("Retry-After", "60")
			http.Error(w, `{"error":{"message":"slow down","type":"rate_limit"}}`, http.StatusTooManyRequests)
		default:
			n := passageNumber(t, req, "Mara Quist")
			complete("Mara Quist spoke for the union ["+strconv.Itoa(n)+"].")(w, r, req)
		}
	})
	// The client pools idle connections as production's does (up to 64 a
	// host); they are closed before goroutines are counted, so that what
	// is counted is what a pile-up would leave.
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = 64
	client, err := llm.New(llm.Options{BaseURL: server.URL + "/v1", APIKey: "sk-test", Model: "fake-model", MaxRetries: 3, Timeout: 5 * time.Second,
		HTTPClient: &http.Client{Transport: tr}})
	if err != nil {
		t.Fatal(err)
	}
	e, err := answer.New(answer.Options{Store: searchLib(t, store), LLM: client, LLMTimeout: 300 * time.Millisecond, CacheTTL: -1})
	if err != nil {
		t.Fatal(err)
	}
	// One answer first, so that the idle keep-alive connections the
	// client pools (and the server's side of them) are counted in before.
	mode.Store("up")
	if _, err := e.Ask(context.Background(), answer.Question{Text: "What did union leader Mara Quist say about the rosters?"}); err != nil {
		t.Fatal(err)
	}
	before := runtime.NumGoroutine()

	askAll := func() []answer.Answer {
		out := make([]answer.Answer, questions)
		var wg sync.WaitGroup
		for i := range questions {
			wg.Add(1)
			go func() {
				defer wg.Done()
				a, err := e.Ask(context.Background(), answer.Question{Text: "What did union leader Mara Quist say about the rosters?"})
				if err != nil {
					t.Errorf("question %d: %v", i, err)
				}
				out[i] = a
			}()
		}
		wg.Wait()
		return out
	}
	for _, m := range []string{"down", "slow", "limited"} {
		mode.Store(m)
		server.calls.Store(0)
		for i, a := range askAll() {
			// On a busy machine the 300 ms deadline can pass before the
			// failing answer comes: then the kind is a timeout.
			want := map[string]string{"down": "unavailable", "slow": "timeout", "limited": "rate_limited"}[m]
			if a.Abstained || len(a.Citations) == 0 || a.Note == "" || a.Model != "" || (a.Fallback != want && a.Fallback != "timeout") {
				t.Fatalf("%s: answer %d is not a reported extractive fallback: %+v", m, i, a)
			}
		}
		// 300 ms allow a 503 to be retried a few times with backoff, a
		// 429 asking for a minute not at all.
		calls := int(server.calls.Load())
		if m == "limited" && calls > questions {
			t.Errorf("limited: %d calls for %d questions: a Retry-After longer than the deadline was retried", calls, questions)
		}
		if calls > 4*questions {
			t.Errorf("%s: %d calls for %d questions: retries hammer a failing server", m, calls, questions)
		}
	}

	// Nothing left running: the goroutines return to where they were, give
	// or take the few of the idle connections the client keeps per host
	// (polling, as connections close in the background). A pile-up would
	// leave one or more per question: 40.
	tr.CloseIdleConnections()
	deadline := time.Now().Add(10 * time.Second)
	for runtime.NumGoroutine() > before+8 && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > before+8 {
		t.Errorf("%d goroutines after the outage, %d before: some pile up", n, before)
	}

	// After recovery the model answers again. On a busy machine (the race
	// detector on two shared cores) some of the 40 questions asked at once
	// can still pass the 300 ms deadline: those are timeouts, reported as
	// such; any other kind of fallback, or none from the model, fails.
	mode.Store("up")
	fromModel := 0
	for i, a := range askAll() {
		switch {
		case a.Model != "" && a.Note == "" && a.Fallback == "" && len(a.Citations) == 1:
			fromModel++
		case a.Fallback == "timeout" && a.Note != "" && len(a.Citations) > 0:
		default:
			t.Fatalf("after recovery, answer %d is neither the model's nor a reported timeout: %+v", i, a)
		}
	}
	if fromModel == 0 {
		t.Fatalf("after recovery, none of %d answers came from the model", questions)
	}
}

// TestDailyBudgetFallsBackToExtraction spends the day's tokens on one
// answer (the fake reports 366) and checks that the next is extracted,
// says why, and sends no request.
func TestDailyBudgetFallsBackToExtraction(t *testing.T) {
	store := newStore(t)
	server := newFakeLLM(t, func(w http.ResponseWriter, r *http.Request, req chatRequest) {
		n := passageNumber(t, req, "Mara Quist")
		complete("Mara Quist spoke for the union ["+strconv.Itoa(n)+"].")(w, r, req)
	})
	client, err := llm.New(llm.Options{BaseURL: server.URL + "/v1", APIKey: "sk-test", Model: "fake-model", MaxRetries: -1})
	if err != nil {
		t.Fatal(err)
	}
	budget, err := llm.NewBudget(client, llm.BudgetOptions{TokensPerDay: 300, Ledger: store})
	if err != nil {
		t.Fatal(err)
	}
	e, err := answer.New(answer.Options{Store: searchLib(t, store), LLM: budget, CacheTTL: -1})
	if err != nil {
		t.Fatal(err)
	}
	q := answer.Question{Text: "What did union leader Mara Quist say about the rosters?"}
	first, err := e.Ask(context.Background(), q)
	if err != nil || first.Model == "" {
		t.Fatalf("first answer: %+v, %v; want it from the model", first, err)
	}
	second, err := e.Ask(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	if second.Model != "" || !strings.Contains(second.Note, "budget is used up") || second.Fallback != "budget" || len(second.Citations) == 0 {
		t.Errorf("second answer: %+v; want an extracted answer that names the budget", second)
	}
	if calls := server.calls.Load(); calls != 1 {
		t.Errorf("%d requests sent, want 1", calls)
	}
}
