package knowledge

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestDigestRuns(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 11, 22, 8, 1, 0, 0, time.UTC)
	s, err := Open(ctx, t.TempDir()+"/byline.db", Options{Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	at := time.Date(2026, 11, 22, 8, 0, 0, 0, time.UTC)

	claim := func(period string) bool {
		t.Helper()
		ok, err := s.ClaimDigest(ctx, "slack:C1", period, at)
		if err != nil {
			t.Fatal(err)
		}
		return ok
	}
	if !claim("2026-11-22") {
		t.Fatal("the first claim was refused")
	}
	if claim("2026-11-22") {
		t.Error("a claimed period was claimed again")
	}
	if _, ok, _ := s.LastDigest(ctx, "slack:C1"); ok {
		t.Error("a claimed run counts as the last digest")
	}
	posted := DigestRun{Channel: "slack:C1", Period: "2026-11-22", Scheduled: at, State: DigestPosted,
		Since: at.Add(-24 * time.Hour), Until: at.Add(time.Minute), Detail: "1732262400.000100",
		Articles: []string{"harbour", "ferry"}, Updated: now}
	if err := s.FinishDigest(ctx, posted); err != nil {
		t.Fatal(err)
	}
	if claim("2026-11-22") {
		t.Error("a posted period was claimed again")
	}
	got, ok, err := s.LastDigest(ctx, "slack:C1")
	if err != nil || !ok {
		t.Fatalf("LastDigest = %v, %v", ok, err)
	}
	if diff := cmp.Diff(posted, got); diff != "" {
		t.Errorf("LastDigest (-want +got):\n%s", diff)
	}

	for since, want := range map[time.Time]int{now.Add(-time.Hour): 1, now.Add(time.Hour): 0} {
		runs, err := s.PostedDigests(ctx, since)
		if err != nil {
			t.Fatal(err)
		}
		if len(runs) != want {
			t.Errorf("PostedDigests(%s) = %d runs, want %d", since, len(runs), want)
		} else if want == 1 {
			if diff := cmp.Diff(posted, runs[0]); diff != "" {
				t.Errorf("PostedDigests (-want +got):\n%s", diff)
			}
		}
	}

	// A failed run may be tried again after a pause that doubles, three
	// times in all; a skipped one may not.
	fail := func() {
		t.Helper()
		if err := s.FinishDigest(ctx, DigestRun{Channel: "slack:C1", Period: "2026-11-23", Scheduled: at, State: DigestFailed, Detail: "channel_not_found"}); err != nil {
			t.Fatal(err)
		}
	}
	if !claim("2026-11-23") {
		t.Fatal("claim refused")
	}
	fail()
	if claim("2026-11-23") {
		t.Error("a failed run was tried again at once")
	}
	now = now.Add(DigestRetryPause)
	if !claim("2026-11-23") {
		t.Error("a failed run was not tried again after the pause")
	}
	fail()
	now = now.Add(DigestRetryPause)
	if claim("2026-11-23") {
		t.Error("the second retry did not wait twice the pause")
	}
	now = now.Add(DigestRetryPause)
	if !claim("2026-11-23") {
		t.Error("a failed run was not tried a third time")
	}
	fail()
	now = now.Add(24 * time.Hour)
	if claim("2026-11-23") {
		t.Error("a run that failed three times was tried a fourth")
	}
	if err := s.FinishDigest(ctx, DigestRun{Channel: "slack:C1", Period: "2026-11-24", Scheduled: at, State: DigestSkipped, Detail: "missed"}); err != nil {
		t.Fatal(err)
	}
	if claim("2026-11-24") {
		t.Error("a skipped run was claimed")
	}
	if r, ok, _ := s.DigestRunFor(ctx, "slack:C1", "2026-11-24"); !ok || r.State != DigestSkipped {
		t.Errorf("DigestRunFor = %+v, %v", r, ok)
	}
	// Another channel is independent.
	if ok, _ := s.ClaimDigest(ctx, "discord:9", "2026-11-22", at); !ok {
		t.Error("another channel's period was refused")
	}
}
