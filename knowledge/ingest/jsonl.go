package ingest

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/byline-bot/byline/knowledge"
)

// ParseJSONLines reads one article a line from r, as written by news
// dataset exporters:
//
//	{"id": "...", "source": "...", "published": "RFC 3339", "title": "...",
//	 "url": "...", "author": "...", "body": "...", "language": "en"}
//
// Other fields are ignored. The body's paragraphs are separated by blank
// lines. An article's ID is its id field, and its Ref is "ref#id", or
// "ref:line" when the line has no id.
//
// ParseJSONLines calls each for every line that is not blank, in order,
// with the 1-based line number and either the article or why the line was
// not read (malformed JSON, a field of the wrong type, an unreadable date,
// no text, a line over 32 MiB). A bad line does not stop the reading; an
// error returned by each does, and ParseJSONLines returns it. Errors
// reading r are returned with the line number they happened on.
//
// r is streamed through a buffer, so the file may be of any size.
func ParseJSONLines(r io.Reader, ref string, each func(line int, a knowledge.Article, err error) error) error {
	return parseJSONLines(r, ref, DefaultMaxFileBytes, each)
}

// jsonReadBuffer is the read buffer for JSON lines: most lines fit, so they
// are parsed where they lie in the buffer without copying.
const jsonReadBuffer = 1 << 20

// parseJSONLines is ParseJSONLines with a limit on the length of a line.
func parseJSONLines(r io.Reader, ref string, maxLine int64, each func(line int, a knowledge.Article, err error) error) error {
	br := bufio.NewReaderSize(r, jsonReadBuffer)
	var long []byte // a line longer than the buffer, assembled
	for n := 1; ; n++ {
		line, err := br.ReadSlice('\n')
		last, size := line, int64(len(line))
		if errors.Is(err, bufio.ErrBufferFull) {
			long = append(long[:0], line...)
			for errors.Is(err, bufio.ErrBufferFull) {
				last, err = br.ReadSlice('\n')
				size += int64(len(last))
				if size <= maxLine+2 { // beyond that, only count
					long = append(long, last...)
				}
			}
			line = long
		}
		if err != nil && !errors.Is(err, io.EOF) {
			return &lineError{line: n, err: err}
		}
		size -= int64(len(last) - len(bytes.TrimRight(last, "\r\n")))
		if size > maxLine {
			if cbErr := each(n, knowledge.Article{}, &TooLargeError{What: "line", Size: size, Limit: maxLine}); cbErr != nil {
				return cbErr
			}
		} else if line = bytes.TrimRight(line, "\r\n"); len(bytes.TrimSpace(line)) > 0 {
			a, lineErr := parseJSONLine(line, ref, n)
			if cbErr := each(n, a, lineErr); cbErr != nil {
				return cbErr
			}
		}
		if err != nil { // io.EOF
			return nil
		}
	}
}

// jsonArticle is one line of a JSON lines file.
type jsonArticle struct {
	ID        jsonID `json:"id"`
	Source    string `json:"source"`
	Published string `json:"published"`
	Title     string `json:"title"`
	URL       string `json:"url"`
	Author    string `json:"author"`
	Body      string `json:"body"`
	Language  string `json:"language"`
}

// jsonID accepts an id written as a string or as a number.
type jsonID string

// UnmarshalJSON implements json.Unmarshaler.
func (id *jsonID) UnmarshalJSON(b []byte) error {
	switch {
	case len(b) > 0 && b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*id = jsonID(s)
	case bytes.Equal(b, []byte("null")):
	default:
		if _, err := strconv.ParseFloat(string(b), 64); err != nil {
			kind := "an array"
			switch b[0] {
			case '{':
				kind = "an object"
			case 't', 'f':
				kind = "a boolean"
			}
			return &fieldError{field: "id", err: fmt.Errorf("want a string or a number, got %s", kind)}
		}
		*id = jsonID(b)
	}
	return nil
}

// fieldError is an error decoding one field of a JSON line.
type fieldError struct {
	field string
	err   error
}

func (e *fieldError) Error() string { return fmt.Sprintf("field %q: %v", e.field, e.err) }
func (e *fieldError) Unwrap() error { return e.err }

// parseJSONLine parses line n of a JSON lines file.
func parseJSONLine(line []byte, ref string, n int) (knowledge.Article, error) {
	if i := invalidUTF8(line); i >= 0 {
		return knowledge.Article{}, fmt.Errorf("%w at byte %d of the line", ErrInvalidUTF8, i)
	}
	var rec jsonArticle
	if err := json.Unmarshal(line, &rec); err != nil {
		return knowledge.Article{}, jsonError(err)
	}
	a := knowledge.Article{
		ID:         normalizeParagraph(string(rec.ID)),
		Source:     normalizeParagraph(rec.Source),
		Title:      normalizeTitle(rec.Title),
		URL:        strings.TrimSpace(rec.URL),
		Author:     normalizeParagraph(rec.Author),
		Language:   normalizeParagraph(rec.Language),
		Paragraphs: bodyParagraphs(rec.Body),
	}
	if a.ID != "" {
		a.Ref = ref + "#" + a.ID
	} else {
		a.Ref = ref + ":" + strconv.Itoa(n)
	}
	if rec.Published != "" {
		t, err := parseDate(rec.Published)
		if err != nil {
			return knowledge.Article{}, fmt.Errorf("published: %w", err)
		}
		a.Published = t
	}
	if len(a.Paragraphs) == 0 {
		return knowledge.Article{}, fmt.Errorf("%w: the body is empty", ErrNoText)
	}
	if a.Title == "" {
		a.Title = deriveTitle(a.Paragraphs)
	}
	return a, nil
}

// jsonError rewrites encoding/json's errors to name the field or the
// column, without Go type names.
func jsonError(err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	var field *fieldError
	switch {
	case errors.As(err, &field):
		return field
	case errors.As(err, &syn):
		return fmt.Errorf("malformed JSON at byte %d: %w", syn.Offset, err)
	case errors.As(err, &typ):
		if typ.Field == "" {
			return fmt.Errorf("malformed line: want a JSON object, got %s", typ.Value)
		}
		return fmt.Errorf("field %q: want a string, got %s", typ.Field, typ.Value)
	}
	return fmt.Errorf("malformed JSON: %w", err)
}

// bodyParagraphs splits a body into normalized paragraphs at blank lines.
// Lines within a paragraph are joined with spaces.
func bodyParagraphs(body string) []string {
	var paras []string
	start, last := -1, 0 // the current paragraph's start and end of its last line
	for pos := 0; pos <= len(body); {
		end := strings.IndexByte(body[pos:], '\n')
		if end < 0 {
			end = len(body)
		} else {
			end += pos
		}
		if isBlank(body[pos:end]) {
			if start >= 0 {
				paras = append(paras, body[start:last])
				start = -1
			}
		} else {
			if start < 0 {
				start = pos
			}
			last = end
		}
		pos = end + 1
	}
	if start >= 0 {
		paras = append(paras, body[start:last])
	}
	return normalizeAll(paras)
}
