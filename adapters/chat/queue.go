package chat

import (
	"context"
	"errors"
	"sync"
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
// At shutdown, Close refuses new jobs while those queued go on; once the
// queue's context is done, the jobs that have not started are dropped
// (Dropped counts them), and Wait returns when the running ones finish.
type Queue struct {
	ctx      context.Context
	slots    chan struct{}
	perKey   int
	mu       sync.Mutex
	pending  map[string][]func(context.Context)
	wg       sync.WaitGroup
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
	q.wg.Add(1)
	go q.drain(key)
	return 0, nil
}

// drain runs a conversation's jobs until none is left.
func (q *Queue) drain(key string) {
	defer q.wg.Done()
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

// Close refuses new jobs: Submit returns ErrClosed from now on. Jobs
// already queued go on until the queue's context is done. Close may be
// called more than once.
func (q *Queue) Close() {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.closed = true
}

// Wait blocks until every submitted job has finished or been dropped.
// Call it after Close, or once nothing submits any more, so that no job
// is added while it waits.
func (q *Queue) Wait() { q.wg.Wait() }

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
