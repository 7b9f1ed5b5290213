package ingest

import (
	"errors"
	"fmt"
)

// Errors that describe why an input or a line was not ingested. They are
// wrapped with details such as a byte offset; check them with errors.Is.
var (
	// ErrNoText means the input held no text to store.
	ErrNoText = errors.New("no text")
	// ErrBinary means the input is not text: it contains NUL bytes.
	ErrBinary = errors.New("binary file, not text")
	// ErrInvalidUTF8 means a text input is not valid UTF-8. The wrapping
	// error gives the offset of the first bad byte, counted from 0.
	ErrInvalidUTF8 = errors.New("invalid UTF-8")
	// ErrNotFeed means an input that should be an RSS or Atom feed is not.
	ErrNotFeed = errors.New("not an RSS or Atom feed")
	// ErrUnknownType means a file named on the command line has an
	// extension no parser handles. Files with such extensions found while
	// walking a folder are skipped without an error.
	ErrUnknownType = errors.New("unknown file type")
)

// TooLargeError reports an input over the size limit.
type TooLargeError struct {
	// What is "file", "feed" or "line".
	What string
	// Size is the input's size in bytes, or -1 when it is not known (a
	// response without a Content-Length).
	Size int64
	// Limit is the limit it broke, in bytes.
	Limit int64
}

func (e *TooLargeError) Error() string {
	if e.Size < 0 {
		return fmt.Sprintf("%s is larger than the %s limit", e.What, formatLimit(e.Limit))
	}
	return fmt.Sprintf("%s is %s, larger than the %s limit", e.What, formatSize(e.Size), formatLimit(e.Limit))
}

// HTTPStatusError reports a feed or page URL that answered with a status
// other than 2xx.
type HTTPStatusError struct {
	// StatusCode is the response's status code, e.g. 404.
	StatusCode int
	// Status is the response's status line, e.g. "404 Not Found".
	Status string
	// RetryAfter is the response's Retry-After header, if any.
	RetryAfter string
}

func (e *HTTPStatusError) Error() string {
	return "HTTP " + e.Status
}

// formatSize formats n bytes in decimal units, the way file managers show
// sizes: "100.0 MB".
func formatSize(n int64) string {
	switch {
	case n < 1000:
		return fmt.Sprintf("%d bytes", n)
	case n < 1000*1000:
		return fmt.Sprintf("%.1f kB", float64(n)/1e3)
	case n < 1000*1000*1000:
		return fmt.Sprintf("%.1f MB", float64(n)/1e6)
	}
	return fmt.Sprintf("%.1f GB", float64(n)/1e9)
}

// formatLimit formats a limit the way it is usually configured: in whole
// MiB or KiB when it is a multiple of one.
func formatLimit(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d-byte", n)
}
