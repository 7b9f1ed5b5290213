// Package ingest turns article files, folders and feed URLs into
// knowledge.Article values and hands them to a store in batches.
//
// Run is the entry point for the command line; the parsers (ParseText,
// ParseMarkdown, ParseHTML, ParseJSONLines, ParseFeed) are exported for
// reuse and fuzzing. Every parser returns paragraphs that are valid UTF-8
// in NFC, trimmed, with whitespace collapsed and invisible formatting
// characters removed, and never empty.
package ingest

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/byline-bot/byline/knowledge"
)

// Defaults for the zero values of Options.
const (
	DefaultMaxFileBytes = 32 << 20
	DefaultBatchSize    = 256
	DefaultHTTPTimeout  = 30 * time.Second
)

// Putter stores a batch of articles. *knowledge.Store implements it.
//
// Put returns one result per article, in order; an error means the whole
// call failed and ends the ingest.
type Putter interface {
	Put(ctx context.Context, batch []knowledge.Article) ([]knowledge.PutResult, error)
}

// Options configure Run. The zero value is ready to use.
type Options struct {
	// HTTPClient fetches URLs (feeds and pages). Nil means a client with
	// a DefaultHTTPTimeout (30 s) timeout.
	HTTPClient *http.Client
	// MaxFileBytes is the largest single-article file, feed file or feed
	// response read; larger ones fail with a *TooLargeError. JSON lines
	// files are streamed and have no total limit, but a single line over
	// MaxFileBytes fails (that line only). Zero means DefaultMaxFileBytes
	// (32 MiB).
	MaxFileBytes int64
	// BatchSize is the number of articles per Put call. Zero means
	// DefaultBatchSize (256).
	BatchSize int
	// Logger receives a debug record for each input, failure and skipped
	// file, an info record for each folder with skipped files, and one at
	// the end. Nil means discard.
	Logger *slog.Logger
	// Progress, when not nil, is called after each batch is stored and
	// after each input is read, never concurrently.
	Progress func(Progress)
	// Now returns the current time, for Progress.Elapsed. Nil means
	// time.Now.
	Now func() time.Time
}

// Progress is a snapshot of a running ingest, for a terminal to show.
type Progress struct {
	// Files is the number of files and URLs to read; FilesDone of them
	// have been read.
	Files, FilesDone int
	// Articles is the number of articles stored so far, whatever the
	// outcome.
	Articles int
	// Failed is the number of failures so far.
	Failed int
	// Elapsed is the time since Run started.
	Elapsed time.Duration
}

// Summary says what an ingest did.
type Summary struct {
	// New, Updated, Unchanged and Merged count the stored articles by
	// knowledge.Outcome.
	New, Updated, Unchanged, Merged int
	// Skipped counts files found in folders and skipped because no parser
	// handles their extension.
	Skipped int
	// Failures lists the inputs, lines and articles that were not stored,
	// in the order they failed.
	Failures []Failure
}

// Failure is an input, a line of one, or an article that was not stored.
type Failure struct {
	// Ref is the file path, URL or feed item link.
	Ref string
	// Line is the line of a JSON lines file, or 0.
	Line int
	// Err says what went wrong.
	Err error
}

// Error returns "ref:line: reason", or "ref: reason" without a line.
func (f Failure) Error() string {
	if f.Line > 0 {
		return fmt.Sprintf("%s:%d: %v", f.Ref, f.Line, f.Err)
	}
	return fmt.Sprintf("%s: %v", f.Ref, f.Err)
}

// Unwrap returns f.Err.
func (f Failure) Unwrap() error { return f.Err }

// Stored returns the number of articles stored, whatever the outcome.
func (s Summary) Stored() int { return s.New + s.Updated + s.Unchanged + s.Merged }

// Failed returns the number of failures.
func (s Summary) Failed() int { return len(s.Failures) }

// String returns a line of counts, then a line per failure:
//
//	ingested 19043 articles: 19043 new, 0 updated, 0 unchanged, 0 merged, 1 failed
//	  FAILED path:LINE: reason
//
// ", N skipped" is added to the counts when files were skipped.
func (s Summary) String() string {
	var b strings.Builder
	noun := "articles"
	if s.Stored() == 1 {
		noun = "article"
	}
	fmt.Fprintf(&b, "ingested %d %s: %d new, %d updated, %d unchanged, %d merged, %d failed",
		s.Stored(), noun, s.New, s.Updated, s.Unchanged, s.Merged, s.Failed())
	if s.Skipped > 0 {
		fmt.Fprintf(&b, ", %d skipped", s.Skipped)
	}
	for _, f := range s.Failures {
		b.WriteString("\n  FAILED ")
		b.WriteString(f.Error())
	}
	return b.String()
}

// Run reads every path (a file, a folder walked recursively, or an http or
// https URL of a feed or page), parses the articles and stores them with
// store.Put in batches of opts.BatchSize. Reading runs in a goroutine of
// its own, so parsing overlaps with storing.
//
// Files are read by extension: .txt (ParseText), .md and .markdown
// (ParseMarkdown), .html and .htm (ParseHTML), .jsonl, .ndjson and the
// same with .gz (ParseJSONLines), .xml, .rss and .atom (ParseFeed). In
// folders, hidden files and folders are skipped, and so are files with
// other extensions (counted in Summary.Skipped); a file named in paths
// with another extension fails with ErrUnknownType.
//
// A file, line, URL or article that cannot be read or stored is a Failure
// in the Summary and the rest goes on. Run returns an error only when the
// store fails or ctx is done; the Summary then covers what was stored
// before.
func Run(ctx context.Context, store Putter, paths []string, opts Options) (Summary, error) {
	r := newRunner(opts)
	var sum Summary
	inputs := r.expand(paths, &sum)

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	events := make(chan event, r.opts.BatchSize)
	go func() {
		defer close(events)
		r.produce(ctx, inputs, events)
	}()
	err := r.consume(ctx, store, events, len(inputs), &sum)
	cancel()
	for range events { // wait for the reader to stop
	}

	r.log.Debug("ingest finished", "inputs", len(inputs), "new", sum.New, "updated", sum.Updated,
		"unchanged", sum.Unchanged, "merged", sum.Merged, "failed", sum.Failed(),
		"skipped", sum.Skipped, "elapsed", r.now().Sub(r.start).Round(time.Millisecond))
	return sum, err
}

// runner holds the state of one Run.
type runner struct {
	opts  Options
	log   *slog.Logger
	now   func() time.Time
	start time.Time
}

func newRunner(opts Options) *runner {
	if opts.HTTPClient == nil {
		opts.HTTPClient = &http.Client{Timeout: DefaultHTTPTimeout}
	}
	if opts.MaxFileBytes <= 0 {
		opts.MaxFileBytes = DefaultMaxFileBytes
	}
	if opts.BatchSize <= 0 {
		opts.BatchSize = DefaultBatchSize
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &runner{
		opts:  opts,
		log:   opts.Logger.With("component", "ingest"),
		now:   opts.Now,
		start: opts.Now(),
	}
}

// eventKind says what an event from the reader carries.
type eventKind int

const (
	eventArticle eventKind = iota + 1
	eventFailure
	eventInputDone
)

// event is what the reading goroutine sends to the storing one.
type event struct {
	kind    eventKind
	article knowledge.Article
	failure Failure // for eventFailure; for eventArticle, where a failure to store it points
}

// consume stores the articles arriving on events in batches and counts the
// outcomes into sum. It returns when events is closed or on a fatal error.
func (r *runner) consume(ctx context.Context, store Putter, events <-chan event, inputs int, sum *Summary) error {
	var (
		batch  = make([]knowledge.Article, 0, r.opts.BatchSize)
		where  = make([]Failure, 0, r.opts.BatchSize)
		done   int
		stored int
	)
	progress := func() {
		if r.opts.Progress != nil {
			r.opts.Progress(Progress{
				Files: inputs, FilesDone: done, Articles: stored,
				Failed: sum.Failed(), Elapsed: r.now().Sub(r.start),
			})
		}
	}
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("ingest interrupted: %w", err)
		}
		results, err := store.Put(ctx, batch)
		if err != nil {
			return fmt.Errorf("storing %d articles: %w", len(batch), err)
		}
		if len(results) != len(batch) {
			return fmt.Errorf("storing articles: the store returned %d results for %d articles", len(results), len(batch))
		}
		for i, res := range results {
			var err error
			switch {
			case res.Err != nil:
				err = fmt.Errorf("storing: %w", res.Err)
			case res.Outcome == knowledge.Added:
				sum.New++
			case res.Outcome == knowledge.Updated:
				sum.Updated++
			case res.Outcome == knowledge.Unchanged:
				sum.Unchanged++
			case res.Outcome == knowledge.Merged:
				sum.Merged++
			default:
				err = fmt.Errorf("storing: the store reported outcome %d and no error", res.Outcome)
			}
			if err != nil {
				f := where[i]
				f.Err = err
				sum.Failures = append(sum.Failures, f)
				continue
			}
			stored++
		}
		// The store may keep the slices it was given: start new ones.
		batch = make([]knowledge.Article, 0, r.opts.BatchSize)
		where = make([]Failure, 0, r.opts.BatchSize)
		progress()
		return nil
	}

	for ev := range events {
		switch ev.kind {
		case eventArticle:
			batch = append(batch, ev.article)
			where = append(where, ev.failure)
			if len(batch) >= r.opts.BatchSize {
				if err := flush(); err != nil {
					return err
				}
			}
		case eventFailure:
			r.log.Debug("input failed", "ref", ev.failure.Ref, "line", ev.failure.Line, "err", ev.failure.Err)
			sum.Failures = append(sum.Failures, ev.failure)
		case eventInputDone:
			done++
			progress()
		}
	}
	// The reader stops early when ctx is done: what it sent is not all.
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("ingest interrupted: %w", err)
	}
	return flush()
}

// emitter sends events to the storing goroutine until ctx is done.
type emitter struct {
	ctx    context.Context
	events chan<- event
}

func (e emitter) send(ev event) error {
	select {
	case e.events <- ev:
		return nil
	case <-e.ctx.Done():
		return e.ctx.Err()
	}
}

// article sends a parsed article, or a failure if it has no text. ref and
// line say where to point a failure to store it.
func (e emitter) article(a knowledge.Article, ref string, line int) error {
	if len(a.Paragraphs) == 0 {
		return e.fail(ref, line, ErrNoText)
	}
	return e.send(event{kind: eventArticle, article: a, failure: Failure{Ref: ref, Line: line}})
}

func (e emitter) fail(ref string, line int, err error) error {
	return e.send(event{kind: eventFailure, failure: Failure{Ref: ref, Line: line, Err: err}})
}
