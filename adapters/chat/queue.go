package chat

import (
	"context"
	"errors"
	"sync"
	"time"
)

// ErrQueueFull is returned by Submit when a conversation already has as
// many questions waiting as it may.
var ErrQueueFull = errors.New("chat: too many questions waiting in this conversation")

// ErrClosed is returned by Submit once the queue is closed.
var ErrClosed = errors.New("chat: the queue is closed: shutting down")

// Queue runs jobs so that those of one conversation run in order, one at a
// time, while different conversations run at once, up to a limit. Submit
// never blocks, so a platform's event loop can hand work over and go on.
//
// A Queue is also the one tracker of a platform's work in flight: besides
// its jobs it counts what Hold is given (an interaction being handled, a
// reply being posted), and Close refuses both from then on. At shutdown
// Drain closes it and waits, for a while, for the work in flight; once the
// queue's context is done, the jobs that have not started are dropped
// (Dropped counts them), and Wait returns when the running ones finish.
type Queue struct {
	ctx      context.Context
	slots    chan struct{}
	perKey   int
	mu       sync.Mutex
	pending  map[string][]func(context.Context)
	work     int           // conversations being drained, plus holds
	idle     chan struct{} // closed when work drops to 0; nil unless awaited
	inFlight int
	closed   bool
	dropped  int
}

// NewQueue returns a Queue whose jobs get ctx (cancel it to stop them),
// with at most concurrent jobs running and at most perKey waiting in one
// conversation. Zero values mean 16 and 10.
func NewQueue(ctx context.Context, concurrent, perKey int) *Queue {
	if concurrent <= 0 {
		concurrent = 16
	}
	if perKey <= 0 {
		perKey = 10
	}
	return &Queue{ctx: ctx, slots: make(chan struct{}, concurrent), perKey: perKey, pending: make(map[string][]func(context.Context))}
}

// Submit queues job in the conversation key. It returns the number of jobs
// ahead of it in that conversation, or ErrQueueFull, or ErrClosed once
// the queue is closed.
func (q *Queue) Submit(key string, job func(context.Context)) (int, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.closed {
		return 0, ErrClosed
	}
	jobs, running := q.pending[key]
	if len(jobs) >= q.perKey {
		return 0, ErrQueueFull
	}
	q.pending[key] = append(jobs, job)
	if running {
		return len(jobs), nil
	}
	q.work++
	go q.drain(key)
	return 0, nil
}

// Hold counts one piece of work that is not a job of the queue, such as
// a reply being posted or a button click being handled, so that Drain and
// Wait wait for it too. It returns the function that says it is done
// (calling it more than once is harmless), or ok false once the queue is
// closed: the caller is then to refuse the work.
func (q *Queue) Hold() (release func(), ok bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.closed {
		return nil, false
	}
	q.work++
	var once sync.Once
	return func() { once.Do(q.done) }, true
}

// done counts one conversation drained or one hold released.
func (q *Queue) done() {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.work--
	if q.work == 0 && q.idle != nil {
		close(q.idle)
		q.idle = nil
	}
}

// idled returns a channel closed once no work is in flight.
func (q *Queue) idled() <-chan struct{} {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.work == 0 {
		c := make(chan struct{})
		close(c)
		return c
	}
	if q.idle == nil {
		q.idle = make(chan struct{})
	}
	return q.idle
}

// drain runs a conversation's jobs until none is left.
func (q *Queue) drain(key string) {
	defer q.done()
	for {
		q.mu.Lock()
		jobs := q.pending[key]
		if len(jobs) == 0 {
			delete(q.pending, key)
			q.mu.Unlock()
			return
		}
		job := jobs[0]
		q.mu.Unlock()

		// Every job runs in a slot. Once the context is done the jobs
		// not yet started are dropped rather than all run at once.
		select {
		case q.slots <- struct{}{}:
			if q.ctx.Err() != nil {
				<-q.slots
				q.drop(key)
				return
			}
			q.run(job)
			<-q.slots
		case <-q.ctx.Done():
			q.drop(key)
			return
		}

		q.mu.Lock()
		q.pending[key] = q.pending[key][1:]
		q.mu.Unlock()
	}
}

// drop forgets the jobs of a conversation that have not started.
func (q *Queue) drop(key string) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.dropped += len(q.pending[key])
	delete(q.pending, key)
}

func (q *Queue) run(job func(context.Context)) {
	q.mu.Lock()
	q.inFlight++
	q.mu.Unlock()
	defer func() {
		q.mu.Lock()
		q.inFlight--
		q.mu.Unlock()
	}()
	job(q.ctx)
}

// Capacity is how many jobs run at once.
func (q *Queue) Capacity() int { return cap(q.slots) }

// Close refuses new work: Submit returns ErrClosed and Hold false from
// now on. Jobs already queued go on until the queue's context is done.
// Close may be called more than once.
func (q *Queue) Close() {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.closed = true
}

// Closed reports whether Close (or Drain) has been called.
func (q *Queue) Closed() bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.closed
}

// Wait blocks until every submitted job has finished or been dropped and
// every hold is released. Call it after Close, or once nothing submits
// any more, so that it is not outrun by new work.
func (q *Queue) Wait() { <-q.idled() }

// Drain closes the queue and waits, at most d, for the work in flight
// (jobs running or waiting, holds) to finish. It returns how many pieces
// of work were left when it gave up: 0 when all finished. A platform
// calls it when it stops taking events; the jobs left run on until the
// queue's context ends.
func (q *Queue) Drain(d time.Duration) int {
	q.Close()
	idle := q.idled()
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-idle:
		return 0
	case <-t.C:
		return q.InFlight()
	}
}

// InFlight returns the pieces of work in flight: conversations with jobs
// running or waiting, and holds not yet released.
func (q *Queue) InFlight() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.work
}

// Dropped returns how many jobs were dropped unstarted because the
// queue's context ended.
func (q *Queue) Dropped() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.dropped
}

// Line returns where a job submitted now in the conversation key would
// stand in the line for a slot: 0 when it would start at once (or runs
// after the jobs of its own conversation, which answer in order), else
// its place among the conversations waiting for a slot.
func (q *Queue) Line(key string) int {
	q.mu.Lock()
	defer q.mu.Unlock()
	if _, busy := q.pending[key]; busy {
		return 0
	}
	// Each conversation with jobs holds a slot for its first, or waits
	// for one; the jobs behind it hold none.
	return max(0, len(q.pending)+1-cap(q.slots))
}

// Len returns the jobs running or waiting, across conversations.
func (q *Queue) Len() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	n := 0
	for _, jobs := range q.pending {
		n += len(jobs)
	}
	return n
}
