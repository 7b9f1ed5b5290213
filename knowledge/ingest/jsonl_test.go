package ingest

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/byline-bot/byline/knowledge"
)

// lineResult is what ParseJSONLines reported for one line.
type lineResult struct {
	Line    int
	Article knowledge.Article
	Err     string
}

func collectJSONLines(t *testing.T, r io.Reader, maxLine int64) ([]lineResult, error) {
	t.Helper()
	var got []lineResult
	err := parseJSONLines(r, "wire.jsonl", maxLine, func(line int, a knowledge.Article, err error) error {
		if err == nil {
			checkArticle(t, a)
		}
		got = append(got, lineResult{Line: line, Article: a, Err: errText(err)})
		return nil
	})
	return got, err
}

func TestParseJSONLines(t *testing.T) {
	in := strings.Join([]string{
		`{"id": "w-1", "source": "Kestle Wire", "published": "2026-04-02T09:30:00Z", "title": "Ferry to run hourly", "url": "https://wire.example/1", "author": "Ada Brook", "language": "en", "topics": ["transport"], "body": "The ferry will run hourly.\n\nDemand has doubled\nsince January.\n \n\n"}`,
		``,
		`{"source": "Kestle Wire", "body": "No id or title here. Second sentence."}`,
		`{"id": 42, "title": "Numeric id", "body": "Text."}`,
		`{"id": "w-4", "title": "Broken", "body": "unterminated}`,
		`{"id": "w-5", "title": 7, "body": "Text."}`,
		`{"id": "w-6", "published": "yesterday", "body": "Text."}`,
		`{"id": "w-7", "title": "Empty body", "body": "  \n\n "}`,
		`[1, 2]`,
		"{\"id\": \"w-9\", \"body\": \"Caf\xe9\"}",
		`{"id": ["w-10"], "body": "Text."}`,
		"{\"id\": \"w-11\", \"title\": \"CRLF line\", \"published\": null, \"body\": \"Text.\"}\r",
		`{"id": "w-12", "title": "Last line without a newline", "body": "Text."}`,
	}, "\n")
	got, err := collectJSONLines(t, strings.NewReader(in), DefaultMaxFileBytes)
	if err != nil {
		t.Fatalf("parseJSONLines: %v", err)
	}
	want := []lineResult{
		{Line: 1, Article: knowledge.Article{
			ID: "w-1", Ref: "wire.jsonl#w-1", Source: "Kestle Wire", Title: "Ferry to run hourly",
			URL: "https://wire.example/1", Author: "Ada Brook", Language: "en",
			Published:  time.Date(2026, 4, 2, 9, 30, 0, 0, time.UTC),
			Paragraphs: []string{"The ferry will run hourly.", "Demand has doubled since January."},
		}},
		{Line: 3, Article: knowledge.Article{
			Ref: "wire.jsonl:3", Source: "Kestle Wire", Title: "No id or title here",
			Paragraphs: []string{"No id or title here. Second sentence."},
		}},
		{Line: 4, Article: knowledge.Article{ID: "42", Ref: "wire.jsonl#42", Title: "Numeric id", Paragraphs: []string{"Text."}}},
		{Line: 5, Err: "malformed JSON at byte 55: unexpected end of JSON input"},
		{Line: 6, Err: `field "title": want a string, got number`},
		{Line: 7, Err: `published: cannot read "yesterday" as a date (want 2006-01-02 or RFC 3339)`},
		{Line: 8, Err: "no text: the body is empty"},
		{Line: 9, Err: "malformed line: want a JSON object, got array"},
		{Line: 10, Err: "invalid UTF-8 at byte 26 of the line"},
		{Line: 11, Err: `field "id": want a string or a number, got an array`},
		{Line: 12, Article: knowledge.Article{ID: "w-11", Ref: "wire.jsonl#w-11", Title: "CRLF line", Paragraphs: []string{"Text."}}},
		{Line: 13, Article: knowledge.Article{ID: "w-12", Ref: "wire.jsonl#w-12", Title: "Last line without a newline", Paragraphs: []string{"Text."}}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("parseJSONLines mismatch (-want +got):\n%s", diff)
	}
}

// TestParseJSONLinesLongLines checks lines longer than the read buffer,
// within and over the limit; the lines after them must still be read.
func TestParseJSONLinesLongLines(t *testing.T) {
	const limit = 2 << 20
	long := func(n int) string {
		return `{"id": "long", "title": "Long", "body": "` + strings.Repeat("word ", n/5) + `"}`
	}
	in := long(jsonReadBuffer*3/2) + "\n" + long(3<<20) + "\n" + `{"id": "short", "body": "Short."}` + "\n"
	got, err := collectJSONLines(t, strings.NewReader(in), limit)
	if err != nil {
		t.Fatalf("parseJSONLines: %v", err)
	}
	if len(got) != 3 {
		t.Fatalf("got %d results, want 3", len(got))
	}
	wantLen := len(strings.TrimSpace(strings.Repeat("word ", jsonReadBuffer*3/2/5)))
	if got[0].Err != "" || len(got[0].Article.Paragraphs) != 1 || len(got[0].Article.Paragraphs[0]) != wantLen {
		t.Errorf("line 1 (1.5 MiB) not read whole: err %q", got[0].Err)
	}
	wantErr := "line is 3.1 MB, larger than the 2 MiB limit"
	if got[1].Line != 2 || got[1].Err != wantErr {
		t.Errorf("line 2 = line %d, error %q; want line 2, error %q", got[1].Line, got[1].Err, wantErr)
	}
	if got[2].Line != 3 || got[2].Article.ID != "short" {
		t.Errorf("line 3 = %+v, want the short article", got[2])
	}
}

// failingReader returns data, then an error.
type failingReader struct {
	data []byte
	err  error
}

func (r *failingReader) Read(p []byte) (int, error) {
	if len(r.data) == 0 {
		return 0, r.err
	}
	n := copy(p, r.data)
	r.data = r.data[n:]
	return n, nil
}

func TestParseJSONLinesErrors(t *testing.T) {
	t.Run("read error names the line", func(t *testing.T) {
		r := &failingReader{data: []byte(`{"id": "a", "body": "A."}` + "\n" + `{"id": "b", "bo`), err: io.ErrUnexpectedEOF}
		got, err := collectJSONLines(t, r, DefaultMaxFileBytes)
		if len(got) != 1 {
			t.Errorf("got %d lines before the error, want 1", len(got))
		}
		if !errors.Is(err, io.ErrUnexpectedEOF) || err.Error() != "line 2: unexpected EOF" {
			t.Errorf("error = %v, want line 2: unexpected EOF", err)
		}
	})
	t.Run("callback error stops reading", func(t *testing.T) {
		stop := errors.New("stop")
		calls := 0
		err := ParseJSONLines(strings.NewReader("{\"body\": \"A.\"}\n{\"body\": \"B.\"}\n"), "x", func(int, knowledge.Article, error) error {
			calls++
			return stop
		})
		if err != stop || calls != 1 {
			t.Errorf("ParseJSONLines = %v after %d calls, want stop after 1", err, calls)
		}
	})
}

// TestParseJSONLinesReuters reads the first 100 lines of the Reuters-21578
// export and compares them with a plain decoding of the same lines.
func TestParseJSONLinesReuters(t *testing.T) {
	data := readCorpus(t, "reuters21578.jsonl.gz")
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	var first100 bytes.Buffer
	sc := bufio.NewScanner(zr)
	sc.Buffer(nil, 1<<20)
	for i := 0; i < 100 && sc.Scan(); i++ {
		first100.Write(sc.Bytes())
		first100.WriteByte('\n')
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}

	var want []lineResult
	for i, line := range strings.Split(strings.TrimSuffix(first100.String(), "\n"), "\n") {
		var rec struct {
			ID, Source, Published, Title, Body string
		}
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatal(err)
		}
		a := knowledge.Article{
			ID: rec.ID, Ref: "wire.jsonl#" + rec.ID, Source: rec.Source,
			// The corpus's mechanically title-cased headlines write
			// "Moody'S"; ingest mends the possessive.
			Title: strings.ReplaceAll(strings.Join(strings.Fields(rec.Title), " "), "'S ", "'s "),
		}
		if strings.HasSuffix(a.Title, "'S") {
			a.Title = strings.TrimSuffix(a.Title, "S") + "s"
		}
		if rec.Published != "" {
			if a.Published, err = time.Parse(time.RFC3339, rec.Published); err != nil {
				t.Fatal(err)
			}
		}
		for _, p := range strings.Split(rec.Body, "\n\n") {
			if p = strings.Join(strings.Fields(p), " "); p != "" {
				a.Paragraphs = append(a.Paragraphs, p)
			}
		}
		want = append(want, lineResult{Line: i + 1, Article: a})
	}
	if len(want) != 100 {
		t.Fatalf("read %d lines of the corpus, want 100", len(want))
	}

	got, err := collectJSONLines(t, &first100, DefaultMaxFileBytes)
	if err != nil {
		t.Fatalf("parseJSONLines: %v", err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("parseJSONLines mismatch (-want +got):\n%s", diff)
	}
	// One value written out, in case the plain decoding above shares a
	// mistake with the parser.
	if got[0].Article.ID != "reuters-1" || got[0].Article.Title == "" ||
		!got[0].Article.Published.Equal(time.Date(1987, 2, 26, 15, 1, 1, 0, time.UTC)) {
		t.Errorf("line 1 = %q %q %v, want reuters-1, a title, 1987-02-26T15:01:01Z",
			got[0].Article.ID, got[0].Article.Title, got[0].Article.Published)
	}
}

// TestParseJSONLinesReutersWhole streams the whole Reuters file.
func TestParseJSONLinesReutersWhole(t *testing.T) {
	data := readCorpus(t, "reuters21578.jsonl.gz")
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	articles, failures := 0, 0
	err = ParseJSONLines(zr, "reuters.jsonl.gz", func(line int, a knowledge.Article, err error) error {
		if err != nil {
			failures++
			t.Errorf("line %d: %v", line, err)
			return nil
		}
		articles++
		return nil
	})
	if err != nil {
		t.Fatalf("ParseJSONLines: %v", err)
	}
	if articles != 19043 || failures != 0 {
		t.Errorf("got %d articles and %d failures, want 19043 and 0", articles, failures)
	}
}

// BenchmarkParseJSONLinesReuters measures parsing the Reuters-21578
// export, already decompressed in memory.
func BenchmarkParseJSONLinesReuters(b *testing.B) {
	zr, err := gzip.NewReader(bytes.NewReader(readCorpus(b, "reuters21578.jsonl.gz")))
	if err != nil {
		b.Fatal(err)
	}
	data, err := io.ReadAll(zr)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		err := ParseJSONLines(bytes.NewReader(data), "reuters.jsonl", func(int, knowledge.Article, error) error { return nil })
		if err != nil {
			b.Fatal(err)
		}
	}
}
