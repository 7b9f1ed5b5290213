package chat

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/byline-bot/byline/answer"
	"github.com/byline-bot/byline/knowledge"
)

// fixedAsker answers every question with a copy of one answer.
type fixedAsker struct{ a answer.Answer }

func (f fixedAsker) Ask(_ context.Context, q answer.Question) (answer.Answer, error) {
	a := f.a
	if a.Searched == "" {
		a.Searched = q.Text
	}
	return a, nil
}

// fakeAnswerLog keeps answer records in memory.
type fakeAnswerLog struct {
	mu      sync.Mutex
	records []knowledge.AnswerRecord
	located chan struct{} // receives once per SetAnswerMessage
}

func newAnswerLog() *fakeAnswerLog { return &fakeAnswerLog{located: make(chan struct{}, 10)} }

func (l *fakeAnswerLog) RecordAnswer(_ context.Context, a knowledge.AnswerRecord) (int64, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	a.ID = int64(len(l.records) + 1)
	l.records = append(l.records, a)
	return a.ID, nil
}

func (l *fakeAnswerLog) SetAnswerMessage(_ context.Context, id int64, thread, message string) error {
	l.mu.Lock()
	l.records[id-1].Thread, l.records[id-1].Message = thread, message
	l.mu.Unlock()
	l.located <- struct{}{}
	return nil
}

func (l *fakeAnswerLog) all() []knowledge.AnswerRecord {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]knowledge.AnswerRecord(nil), l.records...)
}

// locatingReply is a Reply that says where it posted.
type locatingReply struct {
	*recordingReply
	thread, message string
}

func (r locatingReply) Posted() (string, string) { return r.thread, r.message }

func newLoggingService(t *testing.T, a Asker, log AnswerLog, secret string, now time.Time) *Service {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	q := NewQueue(ctx, 2, 4)
	t.Cleanup(func() { cancel(); q.Wait() })
	s, err := NewService(ServiceOptions{
		Engine: a, Policy: NewPolicy(Settings{Default: ChannelSettings{Allowed: true}}, nil), Queue: q,
		Platform: "discord", Answers: log, Secret: []byte(secret), Now: func() time.Time { return now },
	})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestServiceRecordsAnswers: every answer posted is recorded with what it
// cited (the whole paragraph, its stable id and version), the channel,
// the asker's id hashed, and where it was posted; an abstention is
// recorded as one, with what was searched.
func TestServiceRecordsAnswers(t *testing.T) {
	now := time.Date(2026, 12, 5, 9, 0, 0, 0, time.UTC)
	cited := answer.Answer{
		Text: "The council voted 5 to 2 [1].",
		Citations: []answer.Citation{{N: 1, ArticleID: "council-vote", Paragraph: 2, PID: "p-7", Version: 3,
			Quote: "The council voted 5 to 2."}},
		Passages: []knowledge.Passage{
			{ArticleID: "other", Paragraph: 1, Text: "Not cited."},
			{ArticleID: "council-vote", Paragraph: 2, Text: "The council voted 5 to 2 on Tuesday, after a long debate."},
		},
	}
	abstained := answer.Answer{Text: answer.AbstainText, Abstained: true, Searched: "tram fares 2027"}
	for _, c := range []struct {
		name string
		a    answer.Answer
		want knowledge.AnswerRecord
	}{
		{"answer", cited, knowledge.AnswerRecord{
			ID: 1, At: now, Platform: "discord", Channel: "C1", Thread: "T9", Message: "M10",
			Question: "How did the council vote?", Text: cited.Text,
			Citations: []knowledge.CitedParagraph{{N: 1, PID: "p-7", Version: 3, ArticleID: "council-vote", Paragraph: 2,
				Text: "The council voted 5 to 2 on Tuesday, after a long debate."}},
		}},
		{"abstention", abstained, knowledge.AnswerRecord{
			ID: 1, At: now, Platform: "discord", Channel: "C1", Thread: "T9", Message: "M10",
			Question: "How did the council vote?", Searched: "tram fares 2027", Text: answer.AbstainText, Abstained: true,
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			log := newAnswerLog()
			s := newLoggingService(t, fixedAsker{c.a}, log, "s3cret", now)
			r := locatingReply{recordingReply: newReply("C1/T9", true), thread: "T9", message: "M10"}
			s.Ask(Request{UserID: "U1", ChannelID: "C1", Text: "How did the council vote?"}, r)
			r.wait(t)
			select {
			case <-log.located:
			case <-time.After(10 * time.Second):
				t.Fatal("where the answer was posted was never recorded")
			}
			got := log.all()
			if len(got) != 1 {
				t.Fatalf("%d records, want 1", len(got))
			}
			hash := got[0].UserHash
			if hash == "" || strings.Contains(hash, "U1") {
				t.Errorf("user hash %q: want a keyed hash, not the raw id", hash)
			}
			got[0].UserHash = ""
			if diff := cmp.Diff(c.want, got[0]); diff != "" {
				t.Errorf("record (-want +got):\n%s", diff)
			}
		})
	}
}

// TestUserHash: the same user hashes the same way with the same secret
// and platform, and differently with another of either, or another user.
func TestUserHash(t *testing.T) {
	now := time.Now()
	a := newLoggingService(t, fixedAsker{}, newAnswerLog(), "one", now)
	b := newLoggingService(t, fixedAsker{}, newAnswerLog(), "two", now)
	if a.UserHash("U1") != a.UserHash("U1") {
		t.Error("a user's hash changes")
	}
	if a.UserHash("U1") == b.UserHash("U1") {
		t.Error("two secrets give the same hash")
	}
	if a.UserHash("U1") == a.UserHash("U2") {
		t.Error("two users give the same hash")
	}
	if a.UserHash("") != "" {
		t.Error("no user has a hash")
	}
	if _, err := NewService(ServiceOptions{Engine: fixedAsker{}, Policy: NewPolicy(Settings{}, nil), Queue: NewQueue(context.Background(), 1, 1), Answers: newAnswerLog()}); err == nil {
		t.Error("a service recording answers without a secret was made")
	}
}
