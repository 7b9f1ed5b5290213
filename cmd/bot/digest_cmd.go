package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/byline-bot/byline/digest"
)

// cmdDigest prints a digest exactly as it would be posted and, for a
// configured channel without --dry-run, posts it there and records the
// run, as /digest does. Without --channel nothing is posted: there is
// nowhere to post to.
func cmdDigest(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("digest", flag.ContinueOnError)
	var c common
	c.register(fs)
	var (
		sinceFlag = fs.String("since", "", "start of the window (2006-01-02 or RFC 3339; default: the channel's last digest, else a day ago)")
		untilFlag = fs.String("until", "", "end of the window, exclusive (default: now)")
		channel   = fs.String("channel", "", "the digest channel `name` from the config: its sources, items, time zone, and where to post")
		dryRun    = fs.Bool("dry-run", false, "print only: post nothing and record nothing")
	)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), `Usage: bot digest [--since T] [--until T] [--channel NAME] [--dry-run]

Prints the digest of the articles new in the window. With --channel and
without --dry-run it is also posted to that channel and recorded, so the
channel's next scheduled digest starts where this one ends. Dates without
a time zone are read in the channel's time zone (UTC without --channel).`)
		fs.PrintDefaults()
	}
	rest, err := parseFlags(fs, args, stderr)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		fs.Usage()
		return usageError("digest: unexpected argument %q", rest[0])
	}
	e, err := c.setup(getenv, stderr)
	if err != nil {
		return err
	}

	ch := digest.Channel{Name: "command line", Key: "cli", Location: time.UTC}
	post := *channel != "" && !*dryRun
	if *channel != "" {
		chans, err := digestChannels(e.cfg, nil)
		if err != nil {
			return err
		}
		found := false
		for _, dc := range chans {
			if dc.Name == *channel {
				ch, found = dc, true
			}
		}
		if !found {
			return usageError("digest: no digest channel named %q in the config (digest.channels[].name)", *channel)
		}
	}
	since, err := parseTimeIn(*sinceFlag, ch.Location)
	if err != nil {
		return usageError("digest: --since: %v", err)
	}
	until, err := parseTimeIn(*untilFlag, ch.Location)
	if err != nil {
		return usageError("digest: --until: %v", err)
	}
	if !since.IsZero() && !until.IsZero() && !since.Before(until) {
		return usageError("digest: --since %s is not before --until %s", *sinceFlag, *untilFlag)
	}

	store, err := e.open(ctx)
	if err != nil {
		return err
	}
	defer store.Close()
	engine, digests, err := newEngines(e, store)
	if err != nil {
		return err
	}

	var endWork context.CancelFunc
	if post {
		// Posting needs the channel's platform, over its REST API only.
		name, channelID, _ := strings.Cut(ch.Key, ":")
		k, ok := kindNamed(name)
		if !ok {
			return fmt.Errorf("digest: the channel's platform %q is not one of %s", name, kindNames())
		}
		if err := errors.Join(k.check(e.cfg)...); err != nil {
			return err
		}
		var work context.Context
		work, endWork = context.WithCancel(ctx)
		defer endWork()
		lib, err := newSearched(store)
		if err != nil {
			return err
		}
		w := &wiring{e: e, store: store, library: lib, engine: engine, work: work, log: e.log}
		p, err := w.build(k)
		if err != nil {
			return err
		}
		ch.Post = digestPoster(p, channelID, nil, e.log)
	}
	sched, err := digest.New(digest.Options{Builder: digests, Runs: store, Logger: e.log})
	if err != nil {
		return err
	}

	start := time.Now()
	var d digest.Digest
	if post {
		d, err = sched.PostRange(ctx, ch, since, until)
	} else {
		d, err = sched.Build(ctx, ch, since, until)
	}
	if err != nil {
		return err
	}
	took := time.Since(start)
	if text := digest.Render(d); text != "" {
		fmt.Fprintln(stdout, text)
	}
	what := "printed only"
	switch {
	case post && d.Empty && d.Text == "":
		what = "nothing posted"
	case post:
		what = "posted to " + ch.Name
	case *dryRun:
		what = "dry run: nothing posted or recorded"
	}
	fmt.Fprintf(stderr, "%d articles from %s to %s made %d stories; %d in the digest; %s; built in %s (%s).\n",
		d.Articles, d.Since.Format(time.RFC3339), d.Until.Format(time.RFC3339), d.Stories, len(d.Items),
		writer(d), took.Round(time.Millisecond), what)
	if d.Note != "" {
		fmt.Fprintln(stderr, "note:", d.Note)
	}
	return nil
}

// writer says who wrote a digest's items.
func writer(d digest.Digest) string {
	if d.Model != "" {
		return "written by " + d.Model
	}
	return "quoted from the articles"
}

// parseTimeIn is parseTime with dates and times that carry no zone read in
// loc.
func parseTimeIn(s string, loc *time.Location) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	for _, layout := range []string{"2006-01-02T15:04:05", "2006-01-02T15:04", "2006-01-02"} {
		if t, err := time.ParseInLocation(layout, s, loc); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is not a date: use 2006-01-02, 2006-01-02T15:04 or 2006-01-02T15:04:05Z", s)
}
