package ingest

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/byline-bot/byline/knowledge"
)

// The SQLite store is what Run is written for.
var _ Putter = (*knowledge.Store)(nil)

// fakeStore is a Putter that keeps articles in memory and reports the
// outcomes a real store would.
type fakeStore struct {
	texts   map[string]string // by Ref: the paragraphs, joined
	batches [][]knowledge.Article
	// reject makes Put fail these refs with the error.
	reject map[string]error
	// failCall makes the failCall'th Put call (from 1) fail with failErr.
	failCall int
	failErr  error
	// onPut runs at the start of every call.
	onPut func()
}

func (s *fakeStore) Put(ctx context.Context, batch []knowledge.Article) ([]knowledge.PutResult, error) {
	if s.onPut != nil {
		s.onPut()
	}
	s.batches = append(s.batches, slices.Clone(batch))
	if len(s.batches) == s.failCall {
		return nil, s.failErr
	}
	if s.texts == nil {
		s.texts = map[string]string{}
	}
	results := make([]knowledge.PutResult, len(batch))
	for i, a := range batch {
		if err := s.reject[a.Ref]; err != nil {
			results[i].Err = err
			continue
		}
		text := strings.Join(a.Paragraphs, "\n")
		prev, known := s.texts[a.Ref]
		switch {
		case known && prev == text:
			results[i].Outcome = knowledge.Unchanged
		case known:
			results[i].Outcome = knowledge.Updated
		case slices.Contains(mapValues(s.texts), text):
			results[i].Outcome = knowledge.Merged
		default:
			results[i].Outcome = knowledge.Added
		}
		s.texts[a.Ref] = text
		results[i].ArticleID = a.Ref
	}
	return results, nil
}

func mapValues(m map[string]string) []string {
	var vs []string
	for _, v := range m {
		vs = append(vs, v)
	}
	return vs
}

// refs returns the refs of every article stored, sorted.
func (s *fakeStore) refs() []string {
	var refs []string
	for ref := range s.texts {
		refs = append(refs, ref)
	}
	slices.Sort(refs)
	return refs
}

func (s *fakeStore) batchSizes() []int {
	var sizes []int
	for _, b := range s.batches {
		sizes = append(sizes, len(b))
	}
	return sizes
}

// failureText is a Failure with its error as text, for comparisons.
type failureText struct {
	Ref  string
	Line int
	Err  string
}

func failureTexts(fs []Failure) []failureText {
	var out []failureText
	for _, f := range fs {
		out = append(out, failureText{Ref: f.Ref, Line: f.Line, Err: errText(f.Err)})
	}
	return out
}

func TestRunExamples(t *testing.T) {
	const dir = "../../examples/articles"
	store := &fakeStore{}
	sum, err := Run(context.Background(), store, []string{dir}, Options{BatchSize: 4})
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	if diff := cmp.Diff(Summary{New: 6}, sum); diff != "" {
		t.Errorf("Summary mismatch (-want +got):\n%s", diff)
	}
	wantRefs := []string{
		filepath.Join(dir, "harbor-street-bike-lanes.md"),
		filepath.Join(dir, "lowmere-rail-strike.html"),
		filepath.Join(dir, "millbrook-library-flood.txt"),
		filepath.Join(dir, "wire.jsonl") + "#courier-2026-05-21-rail-talks",
		filepath.Join(dir, "wire.jsonl") + "#ledger-2026-04-08-market",
		"https://ledger.example/news/2026/06/02/elm-street-water-main",
	}
	if diff := cmp.Diff(wantRefs, store.refs()); diff != "" {
		t.Errorf("stored refs mismatch (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]int{4, 2}, store.batchSizes()); diff != "" {
		t.Errorf("batch sizes mismatch (-want +got):\n%s", diff)
	}
	for _, b := range store.batches {
		for _, a := range b {
			checkArticle(t, a)
			if n := len(a.Paragraphs); n < 5 || n > 10 {
				t.Errorf("%s has %d paragraphs, want 5 to 10", a.Ref, n)
			}
			if a.Title == "" {
				t.Errorf("%s has no title", a.Ref)
			}
		}
	}

	sum, err = Run(context.Background(), store, []string{dir}, Options{})
	if err != nil {
		t.Fatalf("second Run: %v", err)
	}
	if diff := cmp.Diff(Summary{Unchanged: 6}, sum); diff != "" {
		t.Errorf("second Summary mismatch (-want +got):\n%s", diff)
	}
}

func TestRunBadInputs(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "good.txt", []byte("The ferry will run hourly.\n"))
	writeFile(t, dir, "sub/deeper/good.md", []byte("# Bridge\n\nThe bridge reopened.\n"))
	writeFile(t, dir, "binary.txt", []byte("PK\x03\x04\x00\x00"))
	writeFile(t, dir, "latin1.md", []byte("Caf\xe9 reopens.\n"))
	writeFile(t, dir, "bad-front.md", []byte("---\ntitle: [unclosed\n---\nThe bridge reopened.\n"))
	writeFile(t, dir, "empty.txt", nil)
	writeFile(t, dir, "broken.html", []byte("<html><body><p>Unclosed <b>tags <div>still text"))
	writeFile(t, dir, "nav-only.html", []byte("<html><body><nav>Home</nav></body></html>"))
	writeFile(t, dir, "lines.jsonl", []byte(`{"id": "a", "body": "First."}`+"\n"+`{"id": "b", "body": `+"\n"+`{"id": "c", "body": "Third."}`+"\n"))
	writeFile(t, dir, "sitemap.xml", []byte(`<?xml version="1.0"?><urlset><url><loc>https://x.example/</loc></url></urlset>`))
	writeFile(t, dir, "links.rss", []byte(`<rss version="2.0"><channel><title>Links</title>`+
		`<item><title>Only a link</title><link>https://x.example/1</link></item>`+
		`<item><title>Text</title><link>https://x.example/2</link><description>Some text.</description></item>`+
		`</channel></rss>`))
	writeFile(t, dir, "notes.pdf", []byte("%PDF-1.7"))
	writeFile(t, dir, "README", []byte("not an article"))
	writeFile(t, dir, ".hidden.txt", []byte("Hidden text.\n"))
	writeFile(t, dir, ".git/info.txt", []byte("Hidden folder.\n"))
	explicitPDF := writeFile(t, t.TempDir(), "explicit.pdf", []byte("%PDF-1.7"))

	// A 100 MB file, sparse so that the test writes nothing: Run must
	// refuse it from its size without reading it.
	huge, err := os.Create(filepath.Join(dir, "huge.html"))
	if err != nil {
		t.Fatal(err)
	}
	if err := huge.Truncate(100_000_000); err != nil {
		t.Fatal(err)
	}
	huge.Close()

	store := &fakeStore{}
	missing := filepath.Join(dir, "missing.txt")
	sum, err := Run(context.Background(), store, []string{dir, missing, explicitPDF}, Options{})
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	p := func(name string) string { return filepath.Join(dir, name) }
	want := []failureText{
		{Ref: missing, Err: "stat: no such file or directory"},
		{Ref: explicitPDF, Err: `unknown file type ".pdf": want .txt, .md, .markdown, .html, .htm, .jsonl, .ndjson, .jsonl.gz, .ndjson.gz, .xml, .rss or .atom`},
		{Ref: p("bad-front.md"), Err: "front matter: yaml: line 1: did not find expected ',' or ']'"},
		{Ref: p("binary.txt"), Err: "binary file, not text (NUL byte at offset 4)"},
		{Ref: p("empty.txt"), Err: "no text"},
		{Ref: p("huge.html"), Err: "file is 100.0 MB, larger than the 32 MiB limit"},
		{Ref: p("latin1.md"), Err: "invalid UTF-8 at byte 3"},
		{Ref: p("lines.jsonl"), Line: 2, Err: "malformed JSON at byte 20: unexpected end of JSON input"},
		{Ref: "https://x.example/1", Err: "no text"},
		{Ref: p("nav-only.html"), Err: "no text"},
		{Ref: p("sitemap.xml"), Err: "not an RSS or Atom feed"},
	}
	if diff := cmp.Diff(want, failureTexts(sum.Failures)); diff != "" {
		t.Errorf("failures mismatch (-want +got):\n%s", diff)
	}
	wantRefs := []string{
		p("broken.html"), p("good.txt"), p("lines.jsonl") + "#a", p("lines.jsonl") + "#c",
		p("sub/deeper/good.md"), "https://x.example/2",
	}
	if diff := cmp.Diff(wantRefs, store.refs()); diff != "" {
		t.Errorf("stored refs mismatch (-want +got):\n%s", diff)
	}
	if sum.New != len(wantRefs) || sum.Skipped != 2 {
		t.Errorf("New = %d, Skipped = %d; want %d and 2 (notes.pdf, README)", sum.New, sum.Skipped, len(wantRefs))
	}
	var tooLarge *TooLargeError
	if !errors.As(sum.Failures[5].Err, &tooLarge) || tooLarge.Size != 100_000_000 {
		t.Errorf("huge.html failure = %#v, want a *TooLargeError of 100000000 bytes", sum.Failures[5].Err)
	}
}

func TestRunBatchesAndProgress(t *testing.T) {
	dir := t.TempDir()
	var jsonl strings.Builder
	for i := range 10 {
		fmt.Fprintf(&jsonl, `{"id": "n%d", "title": "Item %d", "body": "Text of item %d."}`+"\n", i, i, i)
	}
	writeFile(t, dir, "a.jsonl", []byte(jsonl.String()))
	writeFile(t, dir, "b.txt", []byte("One more article.\n"))

	var clock time.Time
	now := func() time.Time {
		clock = clock.Add(time.Second)
		return clock
	}
	var progress []Progress
	store := &fakeStore{}
	sum, err := Run(context.Background(), store, []string{dir}, Options{
		BatchSize: 3,
		Now:       now,
		Progress:  func(p Progress) { progress = append(progress, p) },
	})
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	if sum.New != 11 {
		t.Errorf("New = %d, want 11", sum.New)
	}
	if diff := cmp.Diff([]int{3, 3, 3, 2}, store.batchSizes()); diff != "" {
		t.Errorf("batch sizes mismatch (-want +got):\n%s", diff)
	}
	if len(progress) < 2 {
		t.Fatalf("Progress called %d times, want at least once a batch and once a file", len(progress))
	}
	last := progress[len(progress)-1]
	if diff := cmp.Diff(Progress{Files: 2, FilesDone: 2, Articles: 11}, last, cmpopts.IgnoreFields(Progress{}, "Elapsed")); diff != "" {
		t.Errorf("last Progress mismatch (-want +got):\n%s", diff)
	}
	if last.Elapsed <= 0 {
		t.Errorf("last Progress.Elapsed = %v, want it measured with Options.Now", last.Elapsed)
	}
	for i := 1; i < len(progress); i++ {
		if progress[i].Articles < progress[i-1].Articles || progress[i].FilesDone < progress[i-1].FilesDone {
			t.Errorf("Progress went backwards: %+v then %+v", progress[i-1], progress[i])
		}
	}
}

func TestRunGzip(t *testing.T) {
	dir := t.TempDir()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	fmt.Fprintln(zw, `{"id": "z1", "body": "Zipped one."}`)
	fmt.Fprintln(zw, `{"id": "z2", "body": "Zipped two."}`)
	zw.Close()
	writeFile(t, dir, "ok.jsonl.gz", buf.Bytes())
	// The first line, then a cut: the gzip stream ends early.
	writeFile(t, dir, "cut.ndjson.gz", buf.Bytes()[:buf.Len()-12])
	writeFile(t, dir, "plain.jsonl.gz", []byte(`{"id": "not gzip"}`))
	writeFile(t, dir, "notes.txt.gz", []byte("skipped: only JSON lines are read through gzip"))

	store := &fakeStore{}
	sum, err := Run(context.Background(), store, []string{dir}, Options{})
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	want := []failureText{
		{Ref: filepath.Join(dir, "cut.ndjson.gz"), Line: 3, Err: "unexpected EOF"},
		{Ref: filepath.Join(dir, "plain.jsonl.gz"), Err: "reading gzip: gzip: invalid header"},
	}
	if diff := cmp.Diff(want, failureTexts(sum.Failures)); diff != "" {
		t.Errorf("failures mismatch (-want +got):\n%s", diff)
	}
	if sum.New != 2 || sum.Merged != 2 || sum.Skipped != 1 {
		t.Errorf("Summary = %+v, want 2 new (ok.jsonl.gz), 2 merged (the same text in cut.ndjson.gz), 1 skipped", sum)
	}
}

func TestRunFeedURLs(t *testing.T) {
	mux := http.NewServeMux()
	serve := func(contentType, body string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", contentType)
			fmt.Fprint(w, body)
		}
	}
	mux.Handle("/rss", serve("application/rss+xml; charset=utf-8", testRSS))
	mux.Handle("/atom", serve("application/atom+xml", testAtom))
	mux.Handle("/rss-as-html", serve("text/html", strings.ReplaceAll(testRSS, "wire.example", "html.example")))
	mux.Handle("/page", serve("text/html; charset=utf-8", "<html><head><title>Page story</title></head><body><p>A page article.</p></body></html>"))
	mux.Handle("/text", serve("text/plain", "just text"))
	mux.HandleFunc("/big", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "100000")
		fmt.Fprint(w, strings.Repeat(" ", 100_000))
	})
	mux.Handle("/big-chunked", serve("application/rss+xml", strings.Repeat(" ", 100_000)))
	mux.HandleFunc("/broken", func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "oops", http.StatusInternalServerError)
	})
	hung := make(chan struct{})
	mux.HandleFunc("/hang", func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-hung:
		}
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	defer close(hung)

	urls := []string{"/rss", "/atom", "/rss-as-html", "/page", "/missing", "/broken", "/hang", "/big", "/big-chunked", "/text"}
	for i, u := range urls {
		urls[i] = srv.URL + u
	}
	store := &fakeStore{}
	sum, err := Run(context.Background(), store, urls, Options{
		HTTPClient:   &http.Client{Timeout: 300 * time.Millisecond},
		MaxFileBytes: 64 << 10,
	})
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	want := []failureText{
		{Ref: "https://wire.example/link-only", Err: "no text"},
		{Ref: "https://html.example/link-only", Err: "no text"},
		{Ref: srv.URL + "/missing", Err: "HTTP 404 Not Found"},
		{Ref: srv.URL + "/broken", Err: "HTTP 500 Internal Server Error"},
		{Ref: srv.URL + "/hang", Err: "timed out after 300ms"},
		{Ref: srv.URL + "/big", Err: "response is 100.0 kB, larger than the 64 KiB limit"},
		{Ref: srv.URL + "/big-chunked", Err: "response is larger than the 64 KiB limit"},
		{Ref: srv.URL + "/text", Err: "not an RSS or Atom feed (content type text/plain)"},
	}
	if diff := cmp.Diff(want, failureTexts(sum.Failures)); diff != "" {
		t.Errorf("failures mismatch (-want +got):\n%s", diff)
	}
	var status *HTTPStatusError
	if !errors.As(sum.Failures[2].Err, &status) || status.StatusCode != http.StatusNotFound {
		t.Errorf("404 failure = %#v, want an *HTTPStatusError", sum.Failures[2].Err)
	}
	// 4 RSS items with text, 2 Atom entries, the same 4 RSS items under
	// other links (merged), and the page.
	if sum.New != 7 || sum.Merged != 4 {
		t.Errorf("Summary = %+v, want 7 new and 4 merged", sum)
	}
	if !slices.Contains(store.refs(), srv.URL+"/page") {
		t.Errorf("stored refs %q lack the HTML page %s/page", store.refs(), srv.URL)
	}
}

func TestRunStoreFails(t *testing.T) {
	dir := t.TempDir()
	for i := range 5 {
		writeFile(t, dir, fmt.Sprintf("%d.txt", i), fmt.Appendf(nil, "Article number %d.\n", i))
	}
	errClosed := errors.New("database is closed")
	store := &fakeStore{failCall: 2, failErr: errClosed}
	sum, err := Run(context.Background(), store, []string{dir}, Options{BatchSize: 2})
	if !errors.Is(err, errClosed) || err.Error() != "storing 2 articles: database is closed" {
		t.Errorf("Run error = %v, want storing 2 articles: database is closed", err)
	}
	if sum.New != 2 {
		t.Errorf("New = %d, want the 2 of the first batch", sum.New)
	}
}

func TestRunStoreRejectsArticle(t *testing.T) {
	dir := t.TempDir()
	path := writeFile(t, dir, "a.jsonl", []byte(`{"id": "ok", "body": "Fine."}`+"\n"+`{"id": "bad", "body": "Rejected."}`+"\n"))
	store := &fakeStore{reject: map[string]error{path + "#bad": errors.New("ref too long")}}
	sum, err := Run(context.Background(), store, []string{path}, Options{})
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	want := []failureText{{Ref: path, Line: 2, Err: "storing: ref too long"}}
	if diff := cmp.Diff(want, failureTexts(sum.Failures)); diff != "" {
		t.Errorf("failures mismatch (-want +got):\n%s", diff)
	}
	if sum.New != 1 {
		t.Errorf("New = %d, want 1", sum.New)
	}
}

func TestRunCancelled(t *testing.T) {
	dir := t.TempDir()
	var jsonl strings.Builder
	for i := range 1000 {
		fmt.Fprintf(&jsonl, `{"id": "n%d", "body": "Text %d."}`+"\n", i, i)
	}
	path := writeFile(t, dir, "a.jsonl", []byte(jsonl.String()))

	t.Run("during a batch", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		store := &fakeStore{onPut: cancel}
		sum, err := Run(ctx, store, []string{path}, Options{BatchSize: 10})
		if !errors.Is(err, context.Canceled) {
			t.Errorf("Run error = %v, want context.Canceled", err)
		}
		if len(store.batches) != 1 || sum.New != 10 {
			t.Errorf("%d Put calls and %d new, want 1 call of 10 articles before stopping", len(store.batches), sum.New)
		}
	})
	t.Run("during a fetch", func(t *testing.T) {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			<-r.Context().Done()
		}))
		defer srv.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		defer cancel()
		sum, err := Run(ctx, &fakeStore{}, []string{srv.URL + "/feed"}, Options{})
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("Run error = %v, want context.DeadlineExceeded", err)
		}
		if sum.Failed() != 0 {
			t.Errorf("failures %v, want none: an interrupted fetch is not the feed's fault", sum.Failures)
		}
	})
	t.Run("before starting", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		store := &fakeStore{}
		_, err := Run(ctx, store, []string{path, "http://127.0.0.1:1/feed"}, Options{})
		if !errors.Is(err, context.Canceled) {
			t.Errorf("Run error = %v, want context.Canceled", err)
		}
		if len(store.batches) != 0 {
			t.Errorf("%d Put calls, want none", len(store.batches))
		}
	})
}

func TestSummaryString(t *testing.T) {
	tests := []struct {
		name string
		sum  Summary
		want string
	}{
		{"empty", Summary{}, "ingested 0 articles: 0 new, 0 updated, 0 unchanged, 0 merged, 0 failed"},
		{"one", Summary{New: 1}, "ingested 1 article: 1 new, 0 updated, 0 unchanged, 0 merged, 0 failed"},
		{
			"failures and skipped",
			Summary{New: 19040, Updated: 1, Unchanged: 1, Merged: 1, Skipped: 3, Failures: []Failure{
				{Ref: "reuters.jsonl.gz", Line: 7, Err: errors.New("malformed JSON")},
				{Ref: "https://x.example/feed", Err: &HTTPStatusError{StatusCode: 404, Status: "404 Not Found"}},
			}},
			"ingested 19043 articles: 19040 new, 1 updated, 1 unchanged, 1 merged, 2 failed, 3 skipped\n" +
				"  FAILED reuters.jsonl.gz:7: malformed JSON\n" +
				"  FAILED https://x.example/feed: HTTP 404 Not Found",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, tt.sum.String()); diff != "" {
				t.Errorf("String mismatch (-want +got):\n%s", diff)
			}
		})
	}
}
