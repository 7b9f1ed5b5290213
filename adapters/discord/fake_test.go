package discord

import (
	"context"
	"testing"
	"time"

	"github.com/byline-bot/byline/adapters/discord/discordtest"
)

// waitFor is how long a test waits for something that should happen at
// once; it guards against hangs and measures nothing.
const waitFor = 10 * time.Second

// fakeDiscord is a discordtest.Server that fails the test, rather than
// returning errors, and stops when the test ends.
type fakeDiscord struct {
	*discordtest.Server
	t *testing.T
}

// newFake starts a fake Discord that accepts "good-token" and asks for
// quick heartbeats.
func newFake(t *testing.T) *fakeDiscord {
	return newFakeWith(t, discordtest.Options{})
}

// newFakeWith starts a fake Discord with opts, "good-token" and quick
// heartbeats unless opts say otherwise.
func newFakeWith(t *testing.T, opts discordtest.Options) *fakeDiscord {
	t.Helper()
	if opts.Token == "" {
		opts.Token = "good-token"
	}
	if opts.Heartbeat == 0 {
		opts.Heartbeat = 250 * time.Millisecond
	}
	f := &fakeDiscord{Server: discordtest.New(opts), t: t}
	t.Cleanup(f.Close)
	return f
}

// addChannel makes a channel known to GET /channels/{id}.
func (f *fakeDiscord) addChannel(id, guild, parent string, typ int) {
	f.AddChannel(discordtest.Channel{ID: id, GuildID: guild, ParentID: parent, Type: typ})
}

// dispatch sends an event to the bot.
func (f *fakeDiscord) dispatch(event string, payload map[string]any) {
	f.t.Helper()
	if err := f.Dispatch(event, payload); err != nil {
		f.t.Errorf("fake: %v", err)
	}
}

// wait blocks until cond is true.
func (f *fakeDiscord) wait(t *testing.T, what string, cond func() bool) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	defer cancel()
	if err := f.Wait(ctx, cond); err != nil {
		t.Fatalf("timed out after %s waiting for %s; requests:\n%s", waitFor, what, f.Dump())
	}
}

// waitRequest waits for a successful request with method and path and
// returns the first one.
func (f *fakeDiscord) waitRequest(t *testing.T, method, path string) discordtest.Request {
	t.Helper()
	var got discordtest.Request
	f.wait(t, method+" "+path, func() bool {
		for _, r := range f.Requests(method, path) {
			if r.Status < 300 {
				got = r
				return true
			}
		}
		return false
	})
	return got
}

// count returns how many requests with method and path there were.
func (f *fakeDiscord) count(method, path string) int { return len(f.Requests(method, path)) }
