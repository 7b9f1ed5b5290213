package ingest

import (
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/byline-bot/byline/knowledge"
)

// format is how an input is parsed.
type format int

const (
	formatUnknown format = iota
	formatText
	formatMarkdown
	formatHTML
	formatJSONLines
	formatFeed
	formatURL
)

// input is one file or URL to read.
type input struct {
	ref    string // the path or URL
	format format
	gzip   bool
}

// formatOf returns the format of a file from its extension.
func formatOf(path string) (format, bool) {
	name := strings.ToLower(filepath.Base(path))
	gz := false
	if base, ok := strings.CutSuffix(name, ".gz"); ok {
		name, gz = base, true
	}
	var f format
	switch filepath.Ext(name) {
	case ".txt":
		f = formatText
	case ".md", ".markdown":
		f = formatMarkdown
	case ".html", ".htm":
		f = formatHTML
	case ".jsonl", ".ndjson":
		f = formatJSONLines
	case ".xml", ".rss", ".atom":
		f = formatFeed
	}
	if gz && f != formatJSONLines {
		return formatUnknown, false // only JSON lines are streamed through gzip
	}
	return f, gz
}

func isURL(s string) bool {
	lower := strings.ToLower(s)
	return strings.HasPrefix(lower, "http://") || strings.HasPrefix(lower, "https://")
}

// expand turns the paths given to Run into inputs, walking folders. Paths
// that cannot be read become failures in sum.
func (r *runner) expand(paths []string, sum *Summary) []input {
	var inputs []input
	for _, p := range paths {
		if isURL(p) {
			inputs = append(inputs, input{ref: p, format: formatURL})
			continue
		}
		p = filepath.Clean(p)
		info, err := os.Stat(p)
		if err != nil {
			sum.Failures = append(sum.Failures, Failure{Ref: p, Err: pathError(err)})
			continue
		}
		if !info.IsDir() {
			f, gz := formatOf(p)
			if f == formatUnknown {
				sum.Failures = append(sum.Failures, Failure{Ref: p, Err: fmt.Errorf(
					"%w %q: want .txt, .md, .markdown, .html, .htm, .jsonl, .ndjson, .jsonl.gz, .ndjson.gz, .xml, .rss or .atom",
					ErrUnknownType, extension(p))})
				continue
			}
			inputs = append(inputs, input{ref: p, format: f, gzip: gz})
			continue
		}
		skipped := 0
		err = filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				sum.Failures = append(sum.Failures, Failure{Ref: path, Err: pathError(err)})
				return nil // WalkDir skips the folder it could not read
			}
			if path != p && strings.HasPrefix(d.Name(), ".") {
				if d.IsDir() {
					return filepath.SkipDir
				}
				return nil
			}
			if d.IsDir() {
				return nil
			}
			if !d.Type().IsRegular() {
				// Follow symbolic links to files, not to folders, which
				// could loop.
				info, err := os.Stat(path)
				if err != nil || !info.Mode().IsRegular() {
					return nil
				}
			}
			f, gz := formatOf(path)
			if f == formatUnknown {
				r.log.Debug("skipping file of unknown type", "path", path)
				skipped++
				return nil
			}
			inputs = append(inputs, input{ref: path, format: f, gzip: gz})
			return nil
		})
		if err != nil {
			sum.Failures = append(sum.Failures, Failure{Ref: p, Err: pathError(err)})
		}
		if skipped > 0 {
			r.log.Info("skipped files of unknown type", "folder", p, "count", skipped)
		}
		sum.Skipped += skipped
	}
	return inputs
}

// extension returns a file's extension for a message, "" as "(none)".
func extension(path string) string {
	if ext := filepath.Ext(path); ext != "" {
		return ext
	}
	return "(none)"
}

// pathError drops the path from an *fs.PathError: it is already the
// failure's Ref.
func pathError(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return fmt.Errorf("%s: %w", pe.Op, pe.Err)
	}
	return err
}

// produce reads the inputs in order and sends their articles and failures,
// then an eventInputDone for each. It stops when ctx is done.
func (r *runner) produce(ctx context.Context, inputs []input, events chan<- event) {
	e := emitter{ctx: ctx, events: events}
	for _, in := range inputs {
		n, err := r.read(ctx, in, e)
		if ctx.Err() != nil {
			return
		}
		if err != nil {
			var le *lineError
			line := 0
			if errors.As(err, &le) {
				line, err = le.line, le.err
			}
			if e.fail(in.ref, line, err) != nil {
				return
			}
		}
		r.log.Debug("read input", "ref", in.ref, "articles", n)
		if e.send(event{kind: eventInputDone}) != nil {
			return
		}
	}
}

// lineError is an error reading a JSON lines file at a line.
type lineError struct {
	line int
	err  error
}

func (e *lineError) Error() string { return fmt.Sprintf("line %d: %v", e.line, e.err) }
func (e *lineError) Unwrap() error { return e.err }

// read reads one input and sends its articles and per-line or per-item
// failures. It returns the number of articles sent and why the input as a
// whole failed, if it did.
func (r *runner) read(ctx context.Context, in input, e emitter) (int, error) {
	var arts []knowledge.Article
	switch in.format {
	case formatJSONLines:
		return r.readJSONLines(in, e)
	case formatURL:
		f, err := fetch(ctx, r.opts.HTTPClient, in.ref, r.opts.MaxFileBytes)
		if err != nil {
			return 0, err
		}
		if arts, err = parseFetched(in.ref, f); err != nil {
			return 0, err
		}
	default:
		data, err := readFile(in.ref, r.opts.MaxFileBytes)
		if err != nil {
			return 0, err
		}
		var a knowledge.Article
		switch in.format {
		case formatText:
			a, err = ParseText(in.ref, data)
		case formatMarkdown:
			a, err = ParseMarkdown(in.ref, data)
		case formatHTML:
			a, err = ParseHTML(in.ref, data, "")
		case formatFeed:
			arts, err = ParseFeed(data, in.ref)
		}
		if err != nil {
			return 0, err
		}
		if in.format != formatFeed {
			arts = []knowledge.Article{a}
		}
	}
	n := 0
	for _, a := range arts {
		ref := in.ref
		if in.format == formatFeed || in.format == formatURL {
			ref = a.Ref // point at the item, not the feed
		}
		if err := e.article(a, ref, 0); err != nil {
			return n, err
		}
		if len(a.Paragraphs) > 0 {
			n++
		}
	}
	return n, nil
}

// readJSONLines streams a JSON lines file, gzipped or not.
func (r *runner) readJSONLines(in input, e emitter) (int, error) {
	f, err := os.Open(in.ref)
	if err != nil {
		return 0, pathError(err)
	}
	defer f.Close()
	var src io.Reader = f
	if in.gzip {
		zr, err := gzip.NewReader(f)
		if err != nil {
			return 0, fmt.Errorf("reading gzip: %w", err)
		}
		defer zr.Close()
		src = zr
	}
	n := 0
	err = parseJSONLines(src, in.ref, r.opts.MaxFileBytes, func(line int, a knowledge.Article, err error) error {
		if err != nil {
			return e.fail(in.ref, line, err)
		}
		n++
		return e.article(a, in.ref, line)
	})
	if err != nil {
		var le *lineError
		if errors.As(err, &le) {
			le.err = pathError(le.err)
		}
		return n, err
	}
	return n, nil
}

// readFile reads a whole file after checking its size with Stat, so that
// a file over limit is refused without being read.
func readFile(path string, limit int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, pathError(err)
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, pathError(err)
	}
	if info.Size() > limit {
		return nil, &TooLargeError{What: "file", Size: info.Size(), Limit: limit}
	}
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, pathError(err)
	}
	if int64(len(data)) > limit { // it grew since Stat
		return nil, &TooLargeError{What: "file", Size: -1, Limit: limit}
	}
	return data, nil
}
