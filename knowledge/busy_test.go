package knowledge_test

import (
	"bufio"
	"context"
	"database/sql"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/byline-bot/byline/knowledge"
)

// TestLockHolderChild is the other process of TestWriteWaitsForAnotherProcess:
// it takes the database's write lock, says so, holds it, and lets go.
func TestLockHolderChild(t *testing.T) {
	path := os.Getenv("BYLINE_LOCK_HOLDER_DB")
	if path == "" {
		t.Skip("run by TestWriteWaitsForAnotherProcess as a child process")
	}
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	conn, err := db.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.ExecContext(context.Background(), "BEGIN IMMEDIATE"); err != nil {
		t.Fatal(err)
	}
	os.Stdout.WriteString("locked\n")
	time.Sleep(1500 * time.Millisecond)
	// The time is taken before the commit: a write that waited for the
	// lock cannot finish before it.
	os.Stdout.WriteString("releasing " + strconv.FormatInt(time.Now().UnixNano(), 10) + "\n")
	if _, err := conn.ExecContext(context.Background(), "COMMIT"); err != nil {
		t.Fatal(err)
	}
}

// TestWriteWaitsForAnotherProcess holds the write lock in another process
// and checks that a Put waits for it (busy_timeout) instead of failing,
// that searches go on meanwhile (WAL), and that a Put whose BusyTimeout is
// shorter than the hold fails with an error rather than hanging.
func TestWriteWaitsForAnotherProcess(t *testing.T) {
	for _, tc := range []struct {
		name    string
		busy    time.Duration
		succeed bool
	}{
		{"waits", 20 * time.Second, true},
		{"gives up", 100 * time.Millisecond, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			path := filepath.Join(t.TempDir(), "byline.db")
			s, err := knowledge.Open(ctx, path, knowledge.Options{BusyTimeout: tc.busy})
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			if _, err := s.Put(ctx, []knowledge.Article{{Ref: "a.txt", Title: "Ferry", Paragraphs: []string{"The ferry timetable changes."}}}); err != nil {
				t.Fatal(err)
			}

			cmd := exec.Command(os.Args[0], "-test.run=^TestLockHolderChild$", "-test.v")
			cmd.Env = append(os.Environ(), "BYLINE_LOCK_HOLDER_DB="+path)
			out, err := cmd.StdoutPipe()
			if err != nil {
				t.Fatal(err)
			}
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			lines := make(chan string, 16)
			go func() {
				sc := bufio.NewScanner(out)
				for sc.Scan() {
					lines <- sc.Text()
				}
				close(lines)
			}()
			for l := range lines {
				if strings.TrimSpace(l) == "locked" {
					break
				}
			}

			if ps, err := s.Search(ctx, knowledge.Query{Text: "ferry timetable"}); err != nil || len(ps) != 1 {
				t.Errorf("search while another process writes: %d passages, %v", len(ps), err)
			}
			_, err = s.Put(ctx, []knowledge.Article{{Ref: "b.txt", Title: "Bridge", Paragraphs: []string{"The bridge reopens on Monday."}}})
			returned := time.Now().UnixNano()
			var releasing int64
			for l := range lines {
				if v, ok := strings.CutPrefix(strings.TrimSpace(l), "releasing "); ok {
					releasing, _ = strconv.ParseInt(v, 10, 64)
				}
			}
			if tc.succeed {
				if err != nil {
					t.Fatalf("Put failed while another process held the lock: %v", err)
				}
				if releasing == 0 || returned < releasing {
					t.Error("Put returned before the other process released its lock")
				}
			} else if err == nil {
				t.Error("Put succeeded although the lock was held longer than its busy timeout")
			}
			if err := cmd.Wait(); err != nil {
				t.Fatalf("lock holder: %v", err)
			}
		})
	}
}
