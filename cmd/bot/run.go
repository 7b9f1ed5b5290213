package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"runtime/debug"
	"strings"
	"time"

	"github.com/byline-bot/byline/knowledge"
)

// version is the release version, set at build time with
// -ldflags "-X main.version=v1.2.3"; builds without it report the module
// version or "devel".
var version = ""

// exitError ends the program with a status code; msg, if any, is printed.
type exitError struct {
	code int
	msg  string
}

func (e *exitError) Error() string {
	if e.msg != "" {
		return e.msg
	}
	return fmt.Sprintf("exit status %d", e.code)
}

// usageError reports a mistake in the command line, with status 2.
func usageError(format string, args ...any) error {
	return &exitError{code: 2, msg: fmt.Sprintf(format, args...)}
}

const usage = `Byline answers questions about news articles and cites the paragraph each claim comes from.

Usage:
  bot chat     [--ingest PATH]...       chat in the terminal, follow-ups included
  bot ask      [--json] QUESTION        answer one question, with its sources
  bot ingest   [--db PATH] PATH...      store articles from files, folders and feed URLs
  bot search   [flags] QUESTION         show the paragraphs that answer a question
  bot search   --jsonl -                one question per line on stdin, one JSON object per line out
  bot articles [--db PATH] [--json]     list the stored articles, newest first
  bot serve    --config FILE            answer in Discord and Slack, post digests, poll feeds
  bot digest   [--since T] [--until T] [--channel NAME] [--dry-run]
                                        print (and post) a digest of what is new
  bot feedback [--since 168h] [--json]  the answers readers flagged, with their citations
  bot gaps     [--since 168h] [--json]  the questions the articles could not answer, grouped
  bot version                           print the version

Every command takes --config FILE (a YAML file like config.example.yaml) and
--db PATH. The database is --db, else $BYLINE_DB, else the config's "db",
else ./byline.db.

Run "bot COMMAND -h" for a command's flags.
`

// run is the whole program: main only calls it, and tests call it end to
// end with their own arguments, environment and streams.
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return usageError("no command given")
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "ingest":
		return cmdIngest(ctx, rest, getenv, stdout, stderr)
	case "search":
		return cmdSearch(ctx, rest, getenv, stdin, stdout, stderr)
	case "articles":
		return cmdArticles(ctx, rest, getenv, stdout, stderr)
	case "ask":
		return cmdAsk(ctx, rest, getenv, stdout, stderr)
	case "chat":
		return cmdChat(ctx, rest, getenv, stdin, stdout, stderr)
	case "serve":
		return cmdServe(ctx, rest, getenv, stdout, stderr)
	case "digest":
		return cmdDigest(ctx, rest, getenv, stdout, stderr)
	case "feedback":
		return cmdFeedback(ctx, rest, getenv, stdout, stderr)
	case "gaps":
		return cmdGaps(ctx, rest, getenv, stdout, stderr)
	case "version", "--version", "-version":
		fmt.Fprintln(stdout, "byline", buildVersion())
		return nil
	case "help", "-h", "--help", "-help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprint(stderr, usage)
	return usageError("unknown command %q", cmd)
}

// buildVersion reports the version set at link time, else the module's.
func buildVersion() string {
	if version != "" {
		return version
	}
	v := "devel"
	if info, ok := debug.ReadBuildInfo(); ok {
		if info.Main.Version != "" && info.Main.Version != "(devel)" {
			v = info.Main.Version
		}
		for _, s := range info.Settings {
			if s.Key == "vcs.revision" && len(s.Value) >= 12 {
				v += " " + s.Value[:12]
			}
		}
		v += " " + info.GoVersion
	}
	return v
}

// common holds the flags every command takes.
type common struct {
	config string
	db     string
}

func (c *common) register(fs *flag.FlagSet) {
	fs.StringVar(&c.config, "config", "", "YAML config `file` (see config.example.yaml)")
	fs.StringVar(&c.db, "db", "", "knowledge base `path` (default $BYLINE_DB, else the config's db, else ./byline.db)")
}

// env is what a command needs from its common flags: the config, a logger
// and the resolved database path.
type env struct {
	cfg    Config
	log    *slog.Logger
	dbPath string
}

// setup loads the config and resolves the database path: --db, else
// $BYLINE_DB, else the config's db, else the default.
func (c *common) setup(getenv func(string) string, stderr io.Writer) (env, error) {
	cfg, err := loadConfig(c.config, getenv)
	if err != nil {
		return env{}, err
	}
	path := c.db
	if path == "" {
		path = getenv("BYLINE_DB")
	}
	if path == "" {
		path = cfg.DB
	}
	if path == "" {
		path = defaultDB
	}
	log := newLogger(cfg.Log, cfg.secrets(), stderr)
	warnReadableSecrets(log, c.config, cfg.literal)
	return env{cfg: cfg, log: log, dbPath: path}, nil
}

// warnReadableSecrets warns when the config file holds secrets written
// out (not as ${ENV}) and anyone on the machine may read it.
func warnReadableSecrets(log *slog.Logger, path string, literal []string) {
	if path == "" || len(literal) == 0 {
		return
	}
	fi, err := os.Stat(path)
	if err != nil || fi.Mode().Perm()&0o004 == 0 {
		return
	}
	log.Warn("the config file holds secrets and every user of this machine can read it: name them as ${ENV} references, or chmod 600 it",
		"file", path, "keys", strings.Join(literal, ", "), "mode", fi.Mode().Perm().String())
}

func (e env) open(ctx context.Context) (*knowledge.Store, error) {
	return knowledge.Open(ctx, e.dbPath, knowledge.Options{Logger: e.log})
}

// openStore is setup followed by opening the knowledge base, what every
// command that reads or writes articles starts with. The caller closes the
// store.
func (c *common) openStore(ctx context.Context, getenv func(string) string, stderr io.Writer) (env, *knowledge.Store, error) {
	e, err := c.setup(getenv, stderr)
	if err != nil {
		return env{}, nil, err
	}
	store, err := e.open(ctx)
	if err != nil {
		return env{}, nil, err
	}
	return e, store, nil
}

// newLogger returns the logger the config asks for. Every secret is
// replaced by [redacted] wherever it would appear in a record (the
// message, any attribute, any error's text), so that an SDK error that
// quotes a token cannot leak it.
func newLogger(c LogConfig, secrets []string, w io.Writer) *slog.Logger {
	var level slog.Level
	switch strings.ToLower(c.Level) {
	case "debug":
		level = slog.LevelDebug
	case "warn":
		level = slog.LevelWarn
	case "error":
		level = slog.LevelError
	default:
		level = slog.LevelInfo
	}
	opts := &slog.HandlerOptions{Level: level}
	if len(secrets) > 0 {
		pairs := make([]string, 0, 2*len(secrets))
		for _, s := range secrets {
			pairs = append(pairs, s, "[redacted]")
		}
		redact := strings.NewReplacer(pairs...)
		opts.ReplaceAttr = func(_ []string, a slog.Attr) slog.Attr {
			v := a.Value.Resolve()
			switch v.Kind() {
			case slog.KindString:
				a.Value = slog.StringValue(redact.Replace(v.String()))
			case slog.KindAny:
				if err, ok := v.Any().(error); ok {
					a.Value = slog.StringValue(redact.Replace(err.Error()))
				} else if s, ok := v.Any().(fmt.Stringer); ok {
					a.Value = slog.StringValue(redact.Replace(s.String()))
				}
			}
			return a
		}
	}
	if strings.ToLower(c.Format) == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// parseFlags parses a command's flags, allowing flags after the positional
// arguments too ("bot search cocoa --limit 3"), and turns flag errors into
// usage errors.
func parseFlags(fs *flag.FlagSet, args []string, stderr io.Writer) ([]string, error) {
	fs.SetOutput(stderr)
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, &exitError{code: 0}
			}
			return nil, usageError("%v", err)
		}
		args = fs.Args()
		if len(args) == 0 {
			return positional, nil
		}
		if args[0] == "--" {
			return append(positional, args[1:]...), nil
		}
		positional = append(positional, args[0])
		args = args[1:]
	}
}

// parseTime reads a date (2006-01-02) or an RFC 3339 time.
func parseTime(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	for _, layout := range []string{time.RFC3339, "2006-01-02T15:04", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is not a date: use 2006-01-02 or 2006-01-02T15:04:05Z", s)
}

// isTerminal reports whether w is a terminal, for progress lines.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
