package main

import (
	"context"
	"log/slog"
	"time"

	"github.com/byline-bot/byline/adapters/chat"
	"github.com/byline-bot/byline/gaps"
	"github.com/byline-bot/byline/knowledge"
	"github.com/byline-bot/byline/metrics"
)

// gapsWindow is how far back the weekly post and the byline_gaps gauge
// look.
const gapsWindow = 7 * 24 * time.Hour

// gapsPostItems is how many groups the weekly post lists.
const gapsPostItems = 10

// nextWeekly returns the first time after now that falls on weekday at
// hh:mm in loc.
func nextWeekly(now time.Time, weekday time.Weekday, hh, mm int, loc *time.Location) time.Time {
	local := now.In(loc)
	for d := 0; d <= 7; d++ {
		day := local.AddDate(0, 0, d)
		t := time.Date(day.Year(), day.Month(), day.Day(), hh, mm, 0, 0, loc)
		if t.Weekday() == weekday && t.After(now) {
			return t
		}
	}
	return local.AddDate(0, 0, 7) // unreachable: some day of the next eight matches
}

// runGaps keeps the byline_gaps gauge counted (hourly) and, when the
// config names a desk channel, posts the week's gaps there at its weekday
// and time. A post due while the bot was down is not made up for: the
// next week's covers the same ground.
func runGaps(ctx context.Context, c GapsConfig, store *knowledge.Store, platforms []*platform, m *metrics.Metrics, log *slog.Logger) {
	var post chat.Platform
	for _, p := range platforms {
		if c.Platform != "" && p.name == c.Platform {
			post = p.bot
		}
	}
	if c.Platform != "" && post == nil {
		log.Warn("gaps: the desk channel's platform is not enabled; no weekly post", "platform", c.Platform)
	}
	count := func() []gaps.Gap {
		qs, err := store.Unanswered(ctx, time.Now().Add(-gapsWindow))
		if err != nil {
			if ctx.Err() == nil {
				log.Warn("gaps: reading the unanswered questions failed", "err", err)
			}
			return nil
		}
		gs := gaps.Group(qs)
		m.SetGaps(len(gs))
		return gs
	}
	count()
	hourly := time.NewTicker(time.Hour)
	defer hourly.Stop()
	var due <-chan time.Time
	next := func() {
		if post == nil {
			return
		}
		at := nextWeekly(time.Now(), time.Weekday(c.Weekday), c.Time.Hour, c.Time.Minute, c.Timezone.Location())
		due = time.After(time.Until(at))
	}
	next()
	for {
		select {
		case <-ctx.Done():
			return
		case <-hourly.C:
			count()
		case <-due:
			gs := count()
			text := gapsReport(gs, time.Now().Add(-gapsWindow), gapsPostItems)
			if _, err := post.Post(ctx, c.Channel, text); err != nil {
				log.Warn("gaps: the weekly post failed", "platform", c.Platform, "channel", c.Channel, "err", err)
			} else {
				log.Info("gaps: weekly post", "platform", c.Platform, "channel", c.Channel, "groups", len(gs))
			}
			next()
		}
	}
}
