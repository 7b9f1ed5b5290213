package knowledge

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/url"
	"path"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	_ "modernc.org/sqlite" // the pure-Go SQLite driver; only this package imports it
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// ErrNotFound is returned when an article or paragraph is not stored.
var ErrNotFound = errors.New("not found")

// Options configures a Store.
type Options struct {
	// Logger receives the store's logs. Nil means discard.
	Logger *slog.Logger
	// Now returns the current time, for ingested and updated times. Nil
	// means time.Now.
	Now func() time.Time
	// BusyTimeout is how long a write waits for another process holding the
	// database lock before failing. Zero means 10 seconds.
	BusyTimeout time.Duration
	// CommonTermDocs bounds the work of one query: a query term found in at
	// least this many paragraphs is dropped when the question has rarer
	// terms, and counting stops there. Zero means 5,000. What the committed
	// benchmark measures of it: `go run ./bench -million` times queries over
	// about a million paragraphs with this default against the raw FTS5
	// query, and -common-term-docs times other values (bench/RESULTS.md).
	// It does not measure what the bound costs in quality: SQuAD's 2,067
	// paragraphs never reach it.
	CommonTermDocs int
	// QueryPostings bounds the work of one query further: terms are kept,
	// rarest first, while the paragraphs they match add up to at most this
	// many (the rarest term is always kept). Zero means 2,500.
	QueryPostings int
	// OnceWait is how long Once waits for the database's writer, busy
	// with an ingest perhaps, before it gives up with an error. Zero means
	// 2 seconds, within the few seconds a chat platform allows before it
	// delivers an event again.
	OnceWait time.Duration
	// CorrectionWindow is how far back a re-ingest looks for answers that
	// cited a paragraph it changed or removed, to leave a pending
	// correction for each (see PendingCorrections). Zero means 30 days;
	// negative means none is looked for.
	CorrectionWindow time.Duration
}

// Store is a knowledge base in one SQLite file. It is safe for concurrent
// use; writes are serialized on one connection.
//
// Besides the knowledge (articles, their paragraphs and refs, and the
// search over them) the file holds the bot's own records: chat events
// handled, tokens spent, digest runs. Those are the embedded records,
// kept in their own files and tables and never read by the knowledge code.
type Store struct {
	*records

	read  *sql.DB
	write *sql.DB
	log   *slog.Logger
	now   func() time.Time

	commonTermDocs int
	queryPostings  int
	correctionWin  time.Duration

	mu   sync.Mutex // guards refs, refsVersion and df
	refs map[string]refState
	// refsVersion is the refs version (see loadRefs) refs were read at.
	refsVersion int64
	df          dfCache

	vocab vocabCache // the spelling corrector's vocabulary (see vocab.go)
}

// refState is what the store remembers of a ref so that an unchanged
// re-ingest costs no write and one query per batch (see loadRefs).
type refState struct {
	articleID   string
	fingerprint string
}

// Open opens (creating if needed) the knowledge base at path and applies any
// pending migrations, each in its own transaction.
func Open(ctx context.Context, dbPath string, opts Options) (*Store, error) {
	if dbPath == "" {
		return nil, errors.New("knowledge: open: empty database path")
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.BusyTimeout == 0 {
		opts.BusyTimeout = 10 * time.Second
	}
	if opts.CommonTermDocs == 0 {
		opts.CommonTermDocs = 5000
	}
	if opts.QueryPostings == 0 {
		opts.QueryPostings = 2500
	}
	if opts.OnceWait == 0 {
		opts.OnceWait = 2 * time.Second
	}
	if opts.CorrectionWindow == 0 {
		opts.CorrectionWindow = 30 * 24 * time.Hour
	}
	write, err := sql.Open("sqlite", dsn(dbPath, opts.BusyTimeout, true))
	if err != nil {
		return nil, fmt.Errorf("knowledge: open %s: %w", dbPath, err)
	}
	// One writer: SQLite serializes writes anyway, and one connection keeps
	// BEGIN IMMEDIATE from queueing on busy_timeout inside this process.
	write.SetMaxOpenConns(1)
	read, err := sql.Open("sqlite", dsn(dbPath, opts.BusyTimeout, false))
	if err != nil {
		write.Close()
		return nil, fmt.Errorf("knowledge: open %s: %w", dbPath, err)
	}
	read.SetMaxOpenConns(8)
	read.SetMaxIdleConns(8)
	log := opts.Logger.With("component", "knowledge")
	s := &Store{
		records: &records{
			read: read, write: write, log: log, now: opts.Now,
			onceWait: opts.OnceWait, seen: make(map[string]time.Time),
		},
		read:           read,
		write:          write,
		log:            log,
		now:            opts.Now,
		commonTermDocs: opts.CommonTermDocs,
		queryPostings:  opts.QueryPostings,
		correctionWin:  opts.CorrectionWindow,
	}
	if err := s.migrate(ctx); err != nil {
		s.Close()
		return nil, fmt.Errorf("knowledge: open %s: %w", dbPath, err)
	}
	return s, nil
}

// dsn builds the connection string; pragmas go in the DSN so that every
// pooled connection gets them.
func dsn(dbPath string, busy time.Duration, immediate bool) string {
	q := url.Values{}
	for _, p := range []string{
		"journal_mode(WAL)",
		"synchronous(NORMAL)",
		"foreign_keys(ON)",
		"busy_timeout(" + strconv.FormatInt(busy.Milliseconds(), 10) + ")",
		"temp_store(MEMORY)",
		"cache_size(-65536)",
	} {
		q.Add("_pragma", p)
	}
	if immediate {
		q.Set("_txlock", "immediate")
	}
	return "file:" + (&url.URL{Path: dbPath}).EscapedPath() + "?" + q.Encode()
}

// Close closes the database. It checkpoints the write-ahead log so the file
// is complete on its own.
func (s *Store) Close() error {
	var errs []error
	if s.write != nil {
		if _, err := s.write.Exec("PRAGMA wal_checkpoint(TRUNCATE)"); err != nil {
			s.log.Debug("checkpoint at close failed", "err", err)
		}
		errs = append(errs, s.write.Close())
	}
	if s.read != nil {
		errs = append(errs, s.read.Close())
	}
	return errors.Join(errs...)
}

// migrate applies the embedded migrations newer than the database's
// user_version, each in a transaction together with its version bump.
func (s *Store) migrate(ctx context.Context) error {
	names, err := fs.Glob(migrationFiles, "migrations/*.sql")
	if err != nil {
		return err
	}
	sort.Strings(names)
	var current int
	if err := s.write.QueryRowContext(ctx, "PRAGMA user_version").Scan(&current); err != nil {
		return fmt.Errorf("read schema version: %w", err)
	}
	for _, name := range names {
		base := path.Base(name)
		n, err := strconv.Atoi(strings.SplitN(base, "_", 2)[0])
		if err != nil {
			return fmt.Errorf("migration %s: name must start with its number", base)
		}
		if n <= current {
			continue
		}
		body, err := migrationFiles.ReadFile(name)
		if err != nil {
			return err
		}
		tx, err := s.write.BeginTx(ctx, nil)
		if err != nil {
			return fmt.Errorf("migration %s: %w", base, err)
		}
		if _, err := tx.ExecContext(ctx, string(body)); err != nil {
			tx.Rollback()
			return fmt.Errorf("migration %s: %w", base, err)
		}
		if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", n)); err != nil {
			tx.Rollback()
			return fmt.Errorf("migration %s: %w", base, err)
		}
		if err := tx.Commit(); err != nil {
			return fmt.Errorf("migration %s: %w", base, err)
		}
		s.log.Debug("applied migration", "name", base)
		current = n
	}
	return nil
}

// Generation returns a number that changes whenever stored text changes, so
// that callers can invalidate caches built on the store's contents.
func (s *Store) Generation(ctx context.Context) (int64, error) {
	var g int64
	err := s.read.QueryRowContext(ctx, "SELECT value FROM meta WHERE key = 'generation'").Scan(&g)
	if err != nil {
		return 0, fmt.Errorf("knowledge: generation: %w", err)
	}
	return g, nil
}

// IntegrityCheck runs SQLite's integrity check (which includes the
// full-text index's own check) and looks for articles without paragraphs or
// refs, and returns an error describing any problem found.
//
// It runs on the write connection: FTS5's check on a pooled reader can
// compare against an index structure that reader cached before the last
// write and report a checksum mismatch that is not there.
func (s *Store) IntegrityCheck(ctx context.Context) error {
	rows, err := s.write.QueryContext(ctx, "PRAGMA integrity_check")
	if err != nil {
		return fmt.Errorf("knowledge: integrity check: %w", err)
	}
	var problems []string
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			rows.Close()
			return fmt.Errorf("knowledge: integrity check: %w", err)
		}
		if line != "ok" {
			problems = append(problems, line)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("knowledge: integrity check: %w", err)
	}
	if len(problems) > 0 {
		return fmt.Errorf("knowledge: integrity check: %s", strings.Join(problems, "; "))
	}
	var orphans int
	err = s.write.QueryRowContext(ctx, `SELECT count(*) FROM articles a
		WHERE NOT EXISTS (SELECT 1 FROM paragraphs p WHERE p.article_id = a.id)
		   OR NOT EXISTS (SELECT 1 FROM article_refs r WHERE r.article_id = a.id)`).Scan(&orphans)
	if err != nil {
		return fmt.Errorf("knowledge: integrity check: %w", err)
	}
	if orphans > 0 {
		return fmt.Errorf("knowledge: integrity check: %d articles without paragraphs or refs", orphans)
	}
	return nil
}
