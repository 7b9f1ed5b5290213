// Command bot is Byline: it ingests news articles into a SQLite knowledge
// base and answers questions about them, citing the paragraphs it used.
//
//	bot chat [--ingest PATH]...           chat in the terminal
//	bot ask [--json] QUESTION             answer one question, citing its sources
//	bot ingest [--db PATH] PATH...        store articles from files, folders and feed URLs
//	bot search [flags] QUESTION           show the paragraphs that answer a question
//	bot articles                          list what is stored
//	bot serve --config FILE               answer in Discord and Slack, post digests, poll feeds
//	bot digest [--channel NAME] [--dry-run]  print (and post) a digest of what is new
//	bot version                           print the version
//
// Run "bot help" for every command and flag.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	// The time zone database, embedded, so that digest.channels[].timezone
	// works on hosts without one (minimal containers).
	_ "time/tzdata"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr)
	stop()
	if err == nil {
		return
	}
	var exit *exitError
	if errors.As(err, &exit) {
		if exit.msg != "" {
			fmt.Fprintln(os.Stderr, "bot:", exit.msg)
		}
		os.Exit(exit.code)
	}
	fmt.Fprintln(os.Stderr, "bot:", err)
	os.Exit(1)
}
