package main

import (
	"context"
	"fmt"
	"log/slog"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/byline-bot/byline/adapters/chat"
)

// driver is one chat platform under load: its fake server and the real
// adapter connected to it (discordDriver, slackDriver).
type driver interface {
	// name is the platform's, as chat.ServiceOptions.Platform has it.
	name() string
	// start starts the fake platform with the channels and the adapter
	// over env, and returns once the adapter is connected and ready for
	// questions.
	start(ctx context.Context, env botEnv) error
	// ask sends q as a user would: a mention of the bot in q.channel. It
	// returns where the answer must land, in the terms the driver reports
	// replies in (for Discord, the thread started on the message; for
	// Slack, "channel/ts", the thread on the message).
	ask(q *question) (string, error)
	// verify checks, once the run is over, what only the platform knows
	// of where q's answer landed (for Discord, that the thread is on the
	// question's channel).
	verify(q *question) error
	// stop stops the adapter, which waits for answers in flight, then the
	// fake.
	stop() error
	// requests counts the requests the adapter made of the fake, by
	// route.
	requests() map[string]int
}

// botEnv is what a driver wires its adapter to, built as production
// builds it.
type botEnv struct {
	service  *chat.Service
	library  chat.Library
	channels []string
	logger   *slog.Logger
	rec      *recorder
}

// question is one simulated user's question and what became of it.
type question struct {
	n       int
	tag     string // in the text, repeated by the fake model's answer
	channel string
	text    string
	want    string // where its answer must land
	asked   time.Time

	// Set by the recorder.
	touched  time.Time // the adapter's first request about it
	answered time.Time
	finals   int      // final replies (the answer with its sources)
	landed   []string // where each final reply landed
}

// recorder follows every message the bot writes and matches the final
// ones to their questions.
type recorder struct {
	mu        sync.Mutex
	byTag     map[string]*question
	byWant    map[string]*question
	inFlight  int
	peak      int
	left      int
	allDone   chan struct{}
	progress  int      // progress posts and edits
	finals    int      // final replies
	untagged  []string // final replies naming no known question
	others    []string // replies that are neither progress nor an answer
	lastFinal time.Time
	all       *flight // every platform's questions in flight
}

// flight counts the questions in flight across the platforms of a run.
type flight struct {
	mu      sync.Mutex
	n, peak int
}

func (f *flight) add(d int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.n += d
	f.peak = max(f.peak, f.n)
}

func (f *flight) max() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.peak
}

func newRecorder(qs []*question, all *flight) *recorder {
	r := &recorder{byTag: map[string]*question{}, byWant: map[string]*question{}, left: len(qs), allDone: make(chan struct{}), all: all}
	for _, q := range qs {
		r.byTag[q.tag] = q
	}
	if len(qs) == 0 {
		close(r.allDone)
	}
	return r
}

// asking is called just before q is sent.
func (r *recorder) asking(q *question) {
	r.mu.Lock()
	defer r.mu.Unlock()
	q.asked = time.Now()
	r.inFlight++
	r.all.add(1)
	r.peak = max(r.peak, r.inFlight)
}

// sent is called once q is sent, with where its answer must land.
func (r *recorder) sent(q *question, want string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	q.want = want
	r.byWant[want] = q
}

// touch is called for each request the adapter makes about the
// conversation where (starting a thread, typing, posting).
func (r *recorder) touch(where string, at time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if q := r.byWant[where]; q != nil && q.touched.IsZero() {
		q.touched = at
	}
}

// finalRE finds a rendered answer's list of sources.
var finalRE = regexp.MustCompile(`\n\n\[1\] `)

// wrote is called for each message the bot posts or edits: where is the
// channel (or thread) it is in, at when the fake received it.
func (r *recorder) wrote(where, text string, at time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if q := r.byWant[where]; q != nil && q.touched.IsZero() {
		q.touched = at
	}
	switch {
	case finalRE.MatchString(text):
		r.finals++
		tags := tagRE.FindAllString(text, 1)
		q := r.byTag[strings.Join(tags, "")]
		if q == nil {
			r.untagged = append(r.untagged, where+": "+clip(text, 80))
			return
		}
		q.finals++
		q.landed = append(q.landed, where)
		if q.finals == 1 {
			q.answered = at
			r.inFlight--
			r.all.add(-1)
			r.lastFinal = at
			if r.left--; r.left == 0 {
				close(r.allDone)
			}
		}
	case strings.HasSuffix(text, "…"):
		r.progress++
	default:
		q := r.byWant[where]
		name := "?"
		if q != nil {
			name = q.tag
		}
		r.others = append(r.others, name+" in "+where+": "+clip(text, 80))
	}
}

// current returns the questions asked but not answered yet.
func (r *recorder) current() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.inFlight
}

// wait blocks until every question has its answer or ctx is done.
func (r *recorder) wait(ctx context.Context) error {
	select {
	case <-r.allDone:
		return nil
	case <-ctx.Done():
		r.mu.Lock()
		defer r.mu.Unlock()
		return fmt.Errorf("%d questions still without an answer: %w", r.left, ctx.Err())
	}
}

func clip(s string, n int) string {
	s = strings.ReplaceAll(s, "\n", " ")
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}
