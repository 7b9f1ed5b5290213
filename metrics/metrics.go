// Package metrics is what an operator sees of a running bot: Prometheus
// metrics of questions, answers, stages, tokens, errors, digests and
// ingests, and the health endpoints, served on a local listener.
package metrics

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics holds the bot's collectors in a registry of its own, so that
// two in one process (tests) do not collide. It is safe for concurrent
// use; a nil *Metrics records nothing, so callers need no checks.
type Metrics struct {
	reg *prometheus.Registry

	questions *prometheus.CounterVec   // platform
	answers   *prometheus.CounterVec   // platform, outcome: answered, abstained, failed
	cacheHits prometheus.Counter       //
	stage     *prometheus.HistogramVec // stage: retrieval, llm, post, answer
	tokens    *prometheus.CounterVec   // direction: prompt, completion
	errs      *prometheus.CounterVec   // kind
	limited   *prometheus.CounterVec   // scope: user, channel, queue, tokens
	digests   *prometheus.CounterVec   // state
	ingested  *prometheus.CounterVec   // outcome
	inFlight  prometheus.Gauge
	votes     *prometheus.CounterVec // platform, vote: helpful, not_helpful
	reports   *prometheus.CounterVec // platform
	corrected *prometheus.CounterVec // platform
	gaps      prometheus.Gauge
	ready     atomic.Bool
}

// New returns Metrics with every collector registered, the Go runtime's
// and the process's included.
func New() *Metrics {
	m := &Metrics{reg: prometheus.NewRegistry()}
	f := func(c prometheus.Collector) { m.reg.MustRegister(c) }
	m.questions = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "byline_questions_total", Help: "Questions taken, by platform."}, []string{"platform"})
	m.answers = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "byline_answers_total", Help: "Questions ended, by platform and outcome (answered, abstained, failed)."}, []string{"platform", "outcome"})
	m.cacheHits = prometheus.NewCounter(prometheus.CounterOpts{Name: "byline_answer_cache_hits_total", Help: "Answers served from the answer cache."})
	m.stage = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "byline_stage_seconds", Help: "Time spent per stage: retrieval, llm, post (to the platform), answer (the whole question).",
		Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60},
	}, []string{"stage"})
	m.tokens = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "byline_llm_tokens_total", Help: "Language model tokens, by direction (prompt, completion)."}, []string{"direction"})
	m.errs = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "byline_errors_total", Help: "Errors, by kind."}, []string{"kind"})
	m.limited = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "byline_limited_total", Help: "Questions refused by a quota, by scope."}, []string{"scope"})
	m.digests = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "byline_digest_runs_total", Help: "Digest runs, by state (posted, empty, skipped, failed)."}, []string{"state"})
	m.ingested = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "byline_ingested_articles_total", Help: "Articles ingested by feed polling, by outcome."}, []string{"outcome"})
	m.inFlight = prometheus.NewGauge(prometheus.GaugeOpts{Name: "byline_answers_in_flight", Help: "Answers being worked on."})
	m.votes = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "byline_feedback_votes_total", Help: "Readers' votes on answers recorded (a changed vote counts again), by platform and vote (helpful, not_helpful)."}, []string{"platform", "vote"})
	m.reports = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "byline_feedback_source_reports_total", Help: `"A source is wrong" reports recorded, by platform.`}, []string{"platform"})
	m.corrected = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "byline_corrections_posted_total", Help: "Correction notices posted in answers' threads, by platform."}, []string{"platform"})
	m.gaps = prometheus.NewGauge(prometheus.GaugeOpts{Name: "byline_gaps", Help: "Groups of questions the coverage could not answer (abstentions and wrong-source reports) in the last 7 days, as last counted."})
	for _, c := range []prometheus.Collector{m.questions, m.answers, m.cacheHits, m.stage, m.tokens, m.errs, m.limited, m.digests, m.ingested, m.inFlight,
		m.votes, m.reports, m.corrected, m.gaps,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{})} {
		f(c)
	}
	return m
}

// Question counts a question taken on platform.
func (m *Metrics) Question(platform string) {
	if m != nil {
		m.questions.WithLabelValues(platform).Inc()
	}
}

// Answer counts a question's end: outcome is answered, abstained or failed.
func (m *Metrics) Answer(platform, outcome string, cached bool, took time.Duration) {
	if m == nil {
		return
	}
	m.answers.WithLabelValues(platform, outcome).Inc()
	if cached {
		m.cacheHits.Inc()
	}
	m.stage.WithLabelValues("answer").Observe(took.Seconds())
}

// Stage records the time one stage took.
func (m *Metrics) Stage(stage string, took time.Duration) {
	if m != nil {
		m.stage.WithLabelValues(stage).Observe(took.Seconds())
	}
}

// Tokens counts language model tokens.
func (m *Metrics) Tokens(prompt, completion int) {
	if m != nil {
		m.tokens.WithLabelValues("prompt").Add(float64(prompt))
		m.tokens.WithLabelValues("completion").Add(float64(completion))
	}
}

// Error counts an error of a kind (llm, post, search, digest, feed...).
func (m *Metrics) Error(kind string) {
	if m != nil {
		m.errs.WithLabelValues(kind).Inc()
	}
}

// Limited counts a question refused by a quota of scope.
func (m *Metrics) Limited(scope string) {
	if m != nil {
		m.limited.WithLabelValues(scope).Inc()
	}
}

// Digest counts a digest run that ended in state.
func (m *Metrics) Digest(state string) {
	if m != nil {
		m.digests.WithLabelValues(state).Inc()
	}
}

// Ingested counts articles stored by feed polling.
func (m *Metrics) Ingested(outcome string, n int) {
	if m != nil && n > 0 {
		m.ingested.WithLabelValues(outcome).Add(float64(n))
	}
}

// Vote counts a reader's vote recorded on platform: "helpful" or
// "not_helpful".
func (m *Metrics) Vote(platform, vote string) {
	if m != nil {
		m.votes.WithLabelValues(platform, vote).Inc()
	}
}

// SourceReport counts a "a source is wrong" report recorded on platform.
func (m *Metrics) SourceReport(platform string) {
	if m != nil {
		m.reports.WithLabelValues(platform).Inc()
	}
}

// Correction counts a correction notice posted on platform.
func (m *Metrics) Correction(platform string) {
	if m != nil {
		m.corrected.WithLabelValues(platform).Inc()
	}
}

// SetGaps sets how many gap groups the last 7 days hold.
func (m *Metrics) SetGaps(n int) {
	if m != nil {
		m.gaps.Set(float64(n))
	}
}

// InFlight moves the answers-in-flight gauge by delta.
func (m *Metrics) InFlight(delta int) {
	if m != nil {
		m.inFlight.Add(float64(delta))
	}
}

// SetReady says whether the bot is ready: connected and taking questions.
func (m *Metrics) SetReady(ready bool) {
	if m != nil {
		m.ready.Store(ready)
	}
}

// Handler serves /metrics (Prometheus text format), /healthz (the process
// is alive) and /readyz (200 once SetReady(true), else 503).
func (m *Metrics) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{}))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { w.Write([]byte("ok\n")) })
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, _ *http.Request) {
		if !m.ready.Load() {
			http.Error(w, "not ready", http.StatusServiceUnavailable)
			return
		}
		w.Write([]byte("ready\n"))
	})
	return mux
}

// Serve listens on addr and serves Handler until ctx is done.
func (m *Metrics) Serve(ctx context.Context, addr string, log *slog.Logger) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: m.Handler(), ReadHeaderTimeout: 5 * time.Second}
	go func() {
		<-ctx.Done()
		shut, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		srv.Shutdown(shut)
	}()
	if log != nil {
		log.Info("metrics listening", "addr", ln.Addr().String())
	}
	if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
