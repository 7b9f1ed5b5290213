package knowledge_test

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/byline-bot/byline/knowledge"
)

// crashArticles is the corpus the crash test ingests: article i has i%7+1
// paragraphs, so a half-written article is easy to spot.
func crashArticles(n int) []knowledge.Article {
	arts := make([]knowledge.Article, n)
	for i := range arts {
		a := knowledge.Article{
			ID:    fmt.Sprintf("crash-%05d", i),
			Ref:   fmt.Sprintf("crash/%05d.txt", i),
			Title: fmt.Sprintf("Article %d with %d paragraphs", i, i%7+1),
		}
		for p := 0; p <= i%7; p++ {
			a.Paragraphs = append(a.Paragraphs, fmt.Sprintf(
				"Paragraph %d of article %d reports on harbour dredging, council budgets and weather %d.", p+1, i, i*31+p))
		}
		arts[i] = a
	}
	return arts
}

const crashCorpusSize = 6000

// TestCrashChild is the process the crash test kills; it does nothing
// unless started by TestKillDuringIngest.
func TestCrashChild(t *testing.T) {
	path := os.Getenv("BYLINE_CRASH_CHILD_DB")
	if path == "" {
		return
	}
	ctx := context.Background()
	s, err := knowledge.Open(ctx, path, knowledge.Options{})
	if err != nil {
		fmt.Println("open:", err)
		os.Exit(3)
	}
	arts := crashArticles(crashCorpusSize)
	for i := 0; i < len(arts); i += 50 {
		if _, err := s.Put(ctx, arts[i:min(i+50, len(arts))]); err != nil {
			fmt.Println("put:", err)
			os.Exit(3)
		}
		fmt.Println("batch", i)
	}
	fmt.Println("done")
	os.Exit(0)
}

// TestKillDuringIngest kills a process with SIGKILL in the middle of an
// ingest and checks that the database is sound, that no article is half
// written, and that running the same ingest again completes it.
func TestKillDuringIngest(t *testing.T) {
	if os.Getenv("BYLINE_CRASH_CHILD_DB") != "" {
		return
	}
	path := filepath.Join(t.TempDir(), "crash.db")
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), "BYLINE_CRASH_CHILD_DB="+path)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Wait until a few batches have committed, then kill it mid-write.
	sc := bufio.NewScanner(out)
	batches := 0
	for batches < 5 && sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "batch") {
			batches++
		} else {
			t.Fatalf("child: %s", line)
		}
	}
	if batches < 5 {
		t.Fatalf("child stopped after %d batches: %v", batches, sc.Err())
	}
	time.Sleep(3 * time.Millisecond)
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	err = cmd.Wait()
	if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() {
		t.Fatalf("child was not killed (it finished first?): %v", err)
	}

	ctx := context.Background()
	s, err := knowledge.Open(ctx, path, knowledge.Options{})
	if err != nil {
		t.Fatalf("reopen after kill: %v", err)
	}
	defer s.Close()
	if err := s.IntegrityCheck(ctx); err != nil {
		t.Fatalf("after kill: %v", err)
	}
	list, err := s.Articles(ctx, knowledge.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(list) == 0 || len(list) >= crashCorpusSize {
		t.Fatalf("after kill: %d articles stored; the kill should land mid-ingest", len(list))
	}
	for _, a := range list {
		n, err := strconv.Atoi(strings.TrimPrefix(a.ID, "crash-"))
		if err != nil {
			t.Fatalf("unexpected article %q", a.ID)
		}
		if a.Paragraphs != n%7+1 {
			t.Errorf("article %s is half written: %d of %d paragraphs", a.ID, a.Paragraphs, n%7+1)
		}
	}
	t.Logf("killed after %d articles were committed", len(list))

	// The same ingest again completes the corpus.
	arts := crashArticles(crashCorpusSize)
	for i := 0; i < len(arts); i += 500 {
		res, err := s.Put(ctx, arts[i:min(i+500, len(arts))])
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range res {
			if r.Err != nil {
				t.Fatal(r.Err)
			}
		}
	}
	st, err := s.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st.Articles != crashCorpusSize {
		t.Errorf("after re-ingest: %d articles, want %d", st.Articles, crashCorpusSize)
	}
	if err := s.IntegrityCheck(ctx); err != nil {
		t.Errorf("after re-ingest: %v", err)
	}
}
