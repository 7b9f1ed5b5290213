package ingest

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/byline-bot/byline/knowledge"
)

// feedServer serves one RSS feed with an ETag and Last-Modified, answers
// conditional requests with 304 while the feed is unchanged, and can be
// told to fail.
type feedServer struct {
	mu       sync.Mutex
	items    int
	status   int // non-zero: answer with it
	requests []string
}

func (f *feedServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	etag := fmt.Sprintf(`"v%d"`, f.items)
	f.requests = append(f.requests, "If-None-Match="+r.Header.Get("If-None-Match"))
	if f.status != 0 {
		w.Header().Set("Retry-After", "7200")
		w.WriteHeader(f.status)
		return
	}
	if r.Header.Get("If-None-Match") == etag {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	w.Header().Set("ETag", etag)
	w.Header().Set("Last-Modified", "Sun, 22 Nov 2026 08:00:00 GMT")
	w.Header().Set("Content-Type", "application/rss+xml")
	fmt.Fprint(w, `<?xml version="1.0"?><rss version="2.0"><channel><title>Harbor Gazette</title><link>https://gazette.example/</link>`)
	for i := 1; i <= f.items; i++ {
		fmt.Fprintf(w, `<item><title>Story %d</title><link>https://gazette.example/%d</link><description>The ferry timetable changes on day %d of the month, the harbour office said.</description></item>`, i, i, i)
	}
	fmt.Fprint(w, `</channel></rss>`)
}

func (f *feedServer) set(items, status int) {
	f.mu.Lock()
	f.items, f.status = items, status
	f.mu.Unlock()
}

func (f *feedServer) took() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := f.requests
	f.requests = nil
	return out
}

func TestPollerConditionalGetAndBackoff(t *testing.T) {
	ctx := context.Background()
	feed := &feedServer{items: 2}
	srv := httptest.NewServer(feed)
	defer srv.Close()
	store, err := knowledge.Open(ctx, t.TempDir()+"/byline.db", knowledge.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()

	now := time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC)
	var observed [3]int
	p := NewPoller(store, PollOptions{
		URLs: []string{srv.URL + "/feed.xml"}, Interval: 15 * time.Minute, Now: func() time.Time { return now },
		OnPoll: func(s Summary) { observed[0] += s.New; observed[1] += s.Unchanged; observed[2] += s.Failed() },
	})
	counts := func(s Summary) [3]int { return [3]int{s.New, s.Unchanged, s.Failed()} }

	steps := []struct {
		name     string
		advance  time.Duration
		items    int
		status   int
		want     [3]int // new, unchanged, failed
		requests []string
	}{
		{"first poll stores the items", 0, 2, 0, [3]int{2, 0, 0}, []string{"If-None-Match="}},
		{"not due yet: no request", 10 * time.Minute, 2, 0, [3]int{}, nil},
		{"unchanged feed: a 304, nothing parsed", 5 * time.Minute, 2, 0, [3]int{}, []string{`If-None-Match="v2"`}},
		{"a new item", 15 * time.Minute, 3, 0, [3]int{1, 2, 0}, []string{`If-None-Match="v2"`}},
		{"the feed fails", 15 * time.Minute, 3, http.StatusServiceUnavailable, [3]int{0, 0, 1}, []string{`If-None-Match="v3"`}},
		{"backing off: Retry-After asked for two hours", time.Hour, 3, 0, [3]int{}, nil},
		{"due again after the Retry-After", time.Hour, 3, 0, [3]int{}, []string{`If-None-Match="v3"`}},
	}
	for _, st := range steps {
		now = now.Add(st.advance)
		feed.set(st.items, st.status)
		sum := p.PollDue(ctx)
		if got := counts(sum); got != st.want {
			t.Errorf("%s: new/unchanged/failed = %v, want %v (%s)", st.name, got, st.want, sum)
		}
		if diff := cmp.Diff(st.requests, feed.took()); diff != "" {
			t.Errorf("%s: requests (-want +got):\n%s", st.name, diff)
		}
	}
	if want := [3]int{3, 2, 1}; observed != want {
		t.Errorf("OnPoll saw new/unchanged/failed = %v in all, want %v", observed, want)
	}
	list, err := store.Articles(ctx, knowledge.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 3 {
		t.Errorf("%d articles stored, want 3", len(list))
	}
}

func TestPollerBackoffDoubles(t *testing.T) {
	feed := &feedServer{status: http.StatusInternalServerError}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		feed.mu.Lock()
		feed.requests = append(feed.requests, r.URL.Path)
		feed.mu.Unlock()
		w.WriteHeader(http.StatusInternalServerError)
	}))
	defer srv.Close()
	now := time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC)
	p := NewPoller(&fakeStore{}, PollOptions{URLs: []string{srv.URL}, Interval: time.Minute, MaxBackoff: 5 * time.Minute, Now: func() time.Time { return now }})
	var polledAt []time.Duration
	start := now
	for range 20 {
		if p.PollDue(context.Background()).Failed() > 0 {
			polledAt = append(polledAt, now.Sub(start))
		}
		now = now.Add(time.Minute)
	}
	// Waits of 1, 2, 4, then 5 (the cap) minutes.
	want := []time.Duration{0, time.Minute, 3 * time.Minute, 7 * time.Minute, 12 * time.Minute, 17 * time.Minute}
	if diff := cmp.Diff(want, polledAt); diff != "" {
		t.Errorf("failing polls at (-want +got):\n%s", diff)
	}
}
