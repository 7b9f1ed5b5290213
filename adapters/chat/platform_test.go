package chat

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// fakePlatform records what was posted; threads, when set, makes it a
// ThreadStarter.
type fakePlatform struct{ calls []string }

func (p *fakePlatform) Run(context.Context) error { return nil }
func (p *fakePlatform) Post(_ context.Context, ch, text string) (string, error) {
	p.calls = append(p.calls, "post "+ch+": "+text)
	return "m1", nil
}
func (p *fakePlatform) Edit(_ context.Context, ch, id, text string) error {
	p.calls = append(p.calls, "edit "+ch+"/"+id+": "+text)
	return nil
}

type threadPlatform struct {
	fakePlatform
	fail bool
}

func (p *threadPlatform) StartThread(_ context.Context, ch, id, name string) (string, error) {
	p.calls = append(p.calls, "thread "+ch+"/"+id+": "+name)
	if p.fail {
		return "", errors.New("no permission")
	}
	return id, nil
}

func TestPostDigest(t *testing.T) {
	now := time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC)
	newService := func() *Service {
		s, err := NewService(ServiceOptions{Engine: &streamingAsker{}, Policy: NewPolicy(Settings{Default: ChannelSettings{Allowed: true}}, func() time.Time { return now }),
			Queue: NewQueue(context.Background(), 1, 1), Now: func() time.Time { return now }})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	const text = "Today's news\n\n- The ferry is late [1]."
	tests := []struct {
		name string
		p    interface {
			Platform
			recorded() []string
		}
		want []string
	}{
		{"replies are threads already", &recorder{&fakePlatform{}}, []string{"post C1: " + text}},
		{"a thread is started", &threadRecorder{&threadPlatform{}}, []string{"post C1: " + text, "thread C1/m1: Today's news"}},
		{"a thread that fails is no failure", &threadRecorder{&threadPlatform{fail: true}}, []string{"post C1: " + text, "thread C1/m1: Today's news"}},
	}
	for _, tt := range tests {
		s := newService()
		id, err := s.PostDigest(context.Background(), tt.p, "C1", text, []string{"ferry"})
		if err != nil || id != "m1" {
			t.Errorf("%s: PostDigest = %q, %v", tt.name, id, err)
		}
		if diff := cmp.Diff(tt.want, tt.p.recorded()); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tt.name, diff)
		}
		if diff := cmp.Diff([]string{"ferry"}, s.Policy().Preferred("C1/m1")); diff != "" {
			t.Errorf("%s: the digest's thread prefers (-want +got):\n%s", tt.name, diff)
		}
		if !s.Policy().Decide(Message{ChannelID: "C1", ThreadID: "m1", UserID: "U1", Text: "why?"}).Answer {
			t.Errorf("%s: a reply in the digest's thread needs a mention", tt.name)
		}
	}
}

type recorder struct{ *fakePlatform }

func (r *recorder) recorded() []string { return r.calls }

type threadRecorder struct{ *threadPlatform }

func (r *threadRecorder) recorded() []string { return r.calls }
