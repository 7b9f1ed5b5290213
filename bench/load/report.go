package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net/http/httptest"
	"os"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/byline-bot/byline/metrics"
)

// sampleEvery is how often the sampler reads the process's state.
const sampleEvery = 50 * time.Millisecond

// samples are the peaks the sampler saw.
type samples struct {
	n          int
	goroutines int
	heap       uint64 // HeapInuse
	sys        uint64 // Sys: all memory the Go runtime holds
	inFlight   int    // the service's byline_answers_in_flight gauge
	asked      int    // questions asked, not yet answered
}

// sampler reads goroutines, memory and the gauges every sampleEvery until
// stopped.
type sampler struct {
	done chan struct{}
	out  chan samples
}

func startSampler(m *metrics.Metrics, recs []*recorder) *sampler {
	s := &sampler{done: make(chan struct{}), out: make(chan samples, 1)}
	go func() {
		var p samples
		t := time.NewTicker(sampleEvery)
		defer t.Stop()
		var ms runtime.MemStats
		for {
			p.n++
			p.goroutines = max(p.goroutines, runtime.NumGoroutine())
			runtime.ReadMemStats(&ms)
			p.heap = max(p.heap, ms.HeapInuse)
			p.sys = max(p.sys, ms.Sys)
			p.inFlight = max(p.inFlight, gauge(m, "byline_answers_in_flight"))
			asked := 0
			for _, r := range recs {
				asked += r.current()
			}
			p.asked = max(p.asked, asked)
			select {
			case <-t.C:
			case <-s.done:
				s.out <- p
				return
			}
		}
	}()
	return s
}

func (s *sampler) stop() samples {
	close(s.done)
	return <-s.out
}

// gauge reads a gauge from the metrics endpoint, as Prometheus would.
func gauge(m *metrics.Metrics, name string) int {
	w := httptest.NewRecorder()
	m.Handler().ServeHTTP(w, httptest.NewRequest("GET", "/metrics", nil))
	sc := bufio.NewScanner(w.Body)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), name+" "); ok {
			f, _ := strconv.ParseFloat(v, 64)
			return int(f)
		}
	}
	return -1
}

// vmHWM is the process's peak resident memory, from /proc/self/status.
func vmHWM() string {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return "unknown"
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, err := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")))
			if err != nil {
				return strings.TrimSpace(v)
			}
			return mib(uint64(kb) << 10)
		}
	}
	return "unknown"
}

func mib(b uint64) string { return fmt.Sprintf("%.0f MiB", float64(b)/(1<<20)) }

// cpuModel is the processor's name as /proc/cpuinfo gives it.
func cpuModel() string {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return "unknown processor"
	}
	for _, line := range strings.Split(string(b), "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return "unknown processor"
}

// runResult is what one run measured and found, across its platforms.
type runResult struct {
	args       []string
	cfg        config
	articles   int
	paragraphs int
	platforms  []*result

	wall           time.Duration // first question sent to last answer, on any platform
	answered       int
	took, overhead []time.Duration // every platform's

	peakAsked                    int
	llmCalls, llmFailed, llmPeak int64
	logs                         []string
	samples                      samples
	hwm                          string
}

// result is what became of one platform's questions.
type result struct {
	platform   string
	questions  int
	concurrent int

	sendTime time.Duration // to send its questions
	wall     time.Duration // first question sent (on any platform) to its last answer
	answered int

	took, llm, overhead, overheadServed []time.Duration
	toAdapter, toModel, afterModel      []time.Duration
	once                                []time.Duration

	peakAsked                int
	progress, finals         int
	lost, doubled, misplaced []string
	others, untagged, noLLM  []string
	requests                 map[string]int
}

// failed reports whether any check failed.
func (r *result) failed() bool {
	return len(r.lost)+len(r.doubled)+len(r.misplaced)+len(r.others)+len(r.untagged)+len(r.noLLM) > 0
}

// firstSign says what a platform's first sign of a question is.
var firstSign = map[string]string{
	"discord": "the thread started",
	"slack":   "the app_mention acknowledged",
}

// report writes the result as Markdown for bench/RESULTS.md: the run,
// then each platform.
func (r *runResult) report(w io.Writer) {
	c := r.cfg
	var b bytes.Buffer
	p := func(format string, a ...any) { fmt.Fprintf(&b, format, a...) }
	cmd := "go run ./bench/load"
	if len(r.args) > 0 {
		cmd += " " + strings.Join(r.args, " ")
	}
	names := strings.Join(c.platforms, " and ")
	var shares, queues []string
	for _, pr := range r.platforms {
		shares = append(shares, fmt.Sprintf("%d on %s", pr.questions, pr.platform))
		queues = append(queues, fmt.Sprintf("%d at once on %s", pr.concurrent, pr.platform))
	}
	p("### Load: %d questions at once on %s\n\n", c.questions, names)
	p("- **Command:** `%s` (from the repository root)\n", cmd)
	p("- **Date:** %s\n", time.Now().UTC().Format("2006-01-02 15:04 MST"))
	p("- **Machine:** %s, %d cores (`runtime.NumCPU`), %s/%s, %s\n", cpuModel(), runtime.NumCPU(), runtime.GOOS, runtime.GOARCH, runtime.Version())
	p("- **Setup:** %d questions (%s), each a mention starting its own thread, spread over %d channels per platform; "+
		"every platform's questions sent in one burst, all platforms at the same time. "+
		"A real knowledge.Store of %d synthetic articles (%d paragraphs) and one answer.Engine with llm.Client streaming from a local fake "+
		"OpenAI-compatible server (%s–%s per answer, uniform, seed %d), shared by the platforms; "+
		"per platform, a chat.Service with its own queue (%s) and no limiter, and the adapter against its local fake "+
		"(Discord: gateway and REST; Slack: Socket Mode and Web API, each question delivered as an app_mention and a message event); "+
		"answered message ids remembered in %s. "+
		"Everything, the fakes included, runs in one process on the machine's cores.\n\n",
		c.questions, strings.Join(shares, ", "), c.channels, r.articles, r.paragraphs, c.llmMin, c.llmMax, c.seed, strings.Join(queues, ", "), onceWhere(c.once))

	if len(r.platforms) > 1 {
		p("#### The run, all platforms\n\n")
	}
	p("| measure | value |\n|---|---|\n")
	good := 0
	for _, pr := range r.platforms {
		good += pr.answered - len(pr.doubled) - len(pr.misplaced)
	}
	p("| questions answered, exactly one final reply each, in their own thread | **%d of %d** |\n", good, c.questions)
	p("| peak questions in flight, all platforms (asked, not yet answered) | %d |\n", r.peakAsked)
	p("| peak answers in flight in the chat services (`byline_answers_in_flight`, sampled every %s) | %d |\n", sampleEvery, r.samples.inFlight)
	p("| peak streams open at the fake model at once | %d |\n", r.llmPeak)
	p("| wall time, first question sent to last answer | %s |\n", round(r.wall))
	if r.wall > 0 {
		p("| answers per second, all platforms | **%.1f** |\n", float64(r.answered)/r.wall.Seconds())
	}
	p("| time to answer, question sent to final reply: p50 / p99 / max | %s |\n", pcts(r.took))
	p("| **bot overhead per answer** (time to answer − chosen model time): p50 / p99 / max | **%s** |\n", pcts(r.overhead))
	p("| peak resident memory (VmHWM, whole process with the fakes) | %s |\n", r.hwm)
	p("| peak Go heap in use / memory held by the Go runtime (sampled) | %s / %s |\n", mib(r.samples.heap), mib(r.samples.sys))
	p("| peak goroutines (sampled every %s) | %d |\n", sampleEvery, r.samples.goroutines)
	p("| model requests / failed or cut off | %d / %d |\n", r.llmCalls, r.llmFailed)
	p("\n")
	if len(r.logs) > 0 {
		p("Warnings and errors logged (count, level, message):\n\n")
		for _, l := range r.logs {
			p("- %s\n", l)
		}
		p("\n")
	} else {
		p("Nothing was logged at warning level or above.\n\n")
	}
	for _, pr := range r.platforms {
		pr.report(p)
	}
	w.Write(b.Bytes())
}

// report writes one platform's table, its requests and what went wrong.
func (r *result) report(p func(format string, a ...any)) {
	p("#### %s: %d questions\n\n", r.platform, r.questions)
	p("| measure | value |\n|---|---|\n")
	p("| questions answered, exactly one final reply each, in their own thread | **%d of %d** |\n", r.answered-len(r.doubled)-len(r.misplaced), r.questions)
	p("| lost / doubled / in the wrong place | %d / %d / %d |\n", len(r.lost), len(r.doubled), len(r.misplaced))
	p("| other replies (notices, abstentions) / answers naming no question | %d / %d |\n", len(r.others), len(r.untagged))
	p("| time to send its questions | %s |\n", round(r.sendTime))
	p("| peak questions in flight (asked, not yet answered) | %d |\n", r.peakAsked)
	p("| wall time, first question sent to its last answer | %s |\n", round(r.wall))
	if r.wall > 0 {
		p("| answers per second | **%.1f** |\n", float64(r.answered)/r.wall.Seconds())
	}
	p("| time to answer, question sent to final reply: p50 / p99 / max | %s |\n", pcts(r.took))
	p("| model time per answer (the fake's chosen latency): p50 / p99 / max | %s |\n", pcts(r.llm))
	p("| **bot overhead per answer** (time to answer − chosen model time): p50 / p99 / max | **%s** |\n", pcts(r.overhead))
	p("| bot overhead against the model time as served (request in to last byte out): p50 / p99 / max | %s |\n", pcts(r.overheadServed))
	p("| where the time goes: question sent → the adapter's first sign of it (%s), p50 / p99 / max | %s |\n", firstSign[r.platform], pcts(r.toAdapter))
	p("| … → the model's request in (typing, retrieval, prompt), p50 / p99 / max | %s |\n", pcts(r.toModel))
	p("| … model's last byte out → final reply in (verification, rendering, posting), p50 / p99 / max | %s |\n", pcts(r.afterModel))
	if len(r.once) > 0 {
		var sum time.Duration
		for _, d := range r.once {
			sum += d
		}
		p("| `Store.Once` per check (%d calls, %s in all): p50 / p99 / max | %s |\n", len(r.once), round(sum), pcts(r.once))
	}
	p("| progress posts and edits / final replies seen | %d / %d |\n", r.progress, r.finals)
	p("\n")

	var routes []string
	for k := range r.requests {
		routes = append(routes, k)
	}
	sort.Strings(routes)
	p("Requests the adapter made of the fake %s:\n\n| route | requests |\n|---|---|\n", r.platform)
	for _, k := range routes {
		p("| `%s` | %d |\n", k, r.requests[k])
	}
	p("\n")
	for _, list := range []struct {
		name  string
		items []string
	}{
		{"Lost", r.lost}, {"Doubled", r.doubled}, {"In the wrong place", r.misplaced},
		{"Other replies", r.others}, {"Answers naming no question", r.untagged}, {"Answered without the model", r.noLLM},
	} {
		if len(list.items) == 0 {
			continue
		}
		shown := list.items[:min(len(list.items), 10)]
		p("%s (%d): %s", list.name, len(list.items), strings.Join(shown, "; "))
		if len(list.items) > len(shown) {
			p("; …")
		}
		p("\n\n")
	}
}

func onceWhere(s string) string {
	if s == "store" {
		return "the knowledge base (`Store.Once`, as `bot serve` does)"
	}
	return "memory"
}

// pcts formats the p50, p99 and max of ds.
func pcts(ds []time.Duration) string {
	if len(ds) == 0 {
		return "–"
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	at := func(q float64) time.Duration {
		i := int(q*float64(len(s))+0.5) - 1
		return s[min(max(i, 0), len(s)-1)]
	}
	return fmt.Sprintf("%s / %s / %s", round(at(0.50)), round(at(0.99)), round(s[len(s)-1]))
}

func round(d time.Duration) string {
	switch {
	case d >= 10*time.Second:
		return d.Round(100 * time.Millisecond).String()
	case d >= time.Second:
		return d.Round(10 * time.Millisecond).String()
	case d >= time.Millisecond:
		return d.Round(100 * time.Microsecond).String()
	default:
		return d.Round(time.Microsecond).String()
	}
}
