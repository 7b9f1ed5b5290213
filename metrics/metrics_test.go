package metrics

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func get(t *testing.T, srv *httptest.Server, path string) (int, string) {
	t.Helper()
	resp, err := http.Get(srv.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

func TestEndpoints(t *testing.T) {
	m := New()
	srv := httptest.NewServer(m.Handler())
	defer srv.Close()

	if code, _ := get(t, srv, "/healthz"); code != 200 {
		t.Errorf("/healthz = %d", code)
	}
	if code, _ := get(t, srv, "/readyz"); code != http.StatusServiceUnavailable {
		t.Errorf("/readyz before ready = %d, want 503", code)
	}
	m.SetReady(true)
	if code, _ := get(t, srv, "/readyz"); code != 200 {
		t.Errorf("/readyz when ready = %d", code)
	}

	m.Question("slack")
	m.Answer("slack", "answered", true, 1500*time.Millisecond)
	m.Stage("retrieval", 3*time.Millisecond)
	m.Tokens(900, 120)
	m.Error("llm")
	m.Limited("user")
	m.Digest("posted")
	m.Ingested("new", 4)
	m.Vote("discord", "not_helpful")
	m.SourceReport("slack")
	m.Correction("discord")
	m.SetGaps(3)
	_, body := get(t, srv, "/metrics")
	for _, want := range []string{
		`byline_questions_total{platform="slack"} 1`,
		`byline_answers_total{outcome="answered",platform="slack"} 1`,
		`byline_answer_cache_hits_total 1`,
		`byline_stage_seconds_bucket{stage="retrieval",le="0.005"} 1`,
		`byline_stage_seconds_count{stage="answer"} 1`,
		`byline_llm_tokens_total{direction="prompt"} 900`,
		`byline_llm_tokens_total{direction="completion"} 120`,
		`byline_errors_total{kind="llm"} 1`,
		`byline_limited_total{scope="user"} 1`,
		`byline_digest_runs_total{state="posted"} 1`,
		`byline_ingested_articles_total{outcome="new"} 4`,
		`byline_feedback_votes_total{platform="discord",vote="not_helpful"} 1`,
		`byline_feedback_source_reports_total{platform="slack"} 1`,
		`byline_corrections_posted_total{platform="discord"} 1`,
		`byline_gaps 3`,
		`go_goroutines`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}

	// A nil *Metrics records nothing and does not panic.
	var none *Metrics
	none.Question("x")
	none.Answer("x", "failed", false, time.Second)
	none.SetReady(true)
}
