package chat

import (
	"context"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

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

// ratingReply is a Reply that shows feedback controls and says where it
// posted.
type ratingReply struct {
	*recordingReply
	controls chan Controls
}

func (r ratingReply) AnswerRated(ctx context.Context, a answer.Answer, c Controls) error {
	r.controls <- c
	return r.Answer(ctx, a)
}

func (r ratingReply) Posted() (string, string) { return "T1", "M1" }

// openStore opens a knowledge base in dir.
func openStore(t *testing.T, dir string) *knowledge.Store {
	t.Helper()
	st, err := knowledge.Open(context.Background(), filepath.Join(dir, "byline.db"), knowledge.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// newFeedbackService is a service of platform recording to st.
func newFeedbackService(t *testing.T, st *knowledge.Store, platform, secret string) *Service {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	q := NewQueue(ctx, 2, 4)
	t.Cleanup(func() { cancel(); q.Wait() })
	cited := answer.Answer{
		Text: "The council voted 5 to 2 [1], and the mayor abstained [2].",
		Citations: []answer.Citation{
			{N: 1, ArticleID: "council-vote", Paragraph: 2, Quote: "The council voted 5 to 2."},
			{N: 2, ArticleID: "council-vote", Paragraph: 3, Quote: "The mayor abstained."},
		},
	}
	s, err := NewService(ServiceOptions{
		Engine: fixedAsker{cited}, Policy: NewPolicy(Settings{Default: ChannelSettings{Allowed: true}}, nil), Queue: q,
		Platform: platform, Answers: st, Feedback: st, Secret: []byte(secret),
	})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// askRated asks s a question and returns the controls under its answer.
func askRated(t *testing.T, s *Service) Controls {
	t.Helper()
	r := ratingReply{recordingReply: newReply("C1/T1", true), controls: make(chan Controls, 1)}
	s.Ask(Request{UserID: "U1", ChannelID: "C1", Text: "How did the council vote?"}, r)
	r.wait(t)
	select {
	case c := <-r.controls:
		return c
	default:
		t.Fatal("the answer was posted without feedback controls")
		return Controls{}
	}
}

// TestHandleClick: each control recorded once, a vote changed, a
// wrong-source report with its paragraph, all from ids alone, so that a
// new service on the same records (a restart) takes the old answer's
// clicks.
func TestHandleClick(t *testing.T) {
	dir := t.TempDir()
	st := openStore(t, dir)
	s := newFeedbackService(t, st, "discord", "s3cret")
	c := askRated(t, s)
	if c.Helpful == "" || c.NotHelpful == "" || c.WrongSource == "" {
		t.Fatalf("controls %+v: want all three", c)
	}
	ctx := context.Background()
	ann, bob := s.UserHash("U1"), s.UserHash("U2")

	steps := []struct {
		click    Click
		recorded bool
		text     string
		votes    map[string]knowledge.Vote
	}{
		{Click{ID: c.Helpful, UserID: "U1"}, true, "Thanks, I've noted that this answer helped.", map[string]knowledge.Vote{ann: knowledge.VoteHelpful}},
		{Click{ID: c.Helpful, UserID: "U1"}, false, "You've already said this answer helped; nothing changed.", map[string]knowledge.Vote{ann: knowledge.VoteHelpful}},
		{Click{ID: c.NotHelpful, UserID: "U1"}, true, "Thanks, I've noted that this answer didn't help. If one of its sources is wrong, the other button says which.", map[string]knowledge.Vote{ann: knowledge.VoteNotHelpful}},
	}
	for i, step := range steps {
		out := s.HandleClick(ctx, step.click)
		if out.Recorded != step.recorded || out.Text != step.text {
			t.Errorf("click %d: %+v, want recorded %v, %q", i, out, step.recorded, step.text)
		}
		fb, err := st.AnswerFeedback(ctx, 1)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(step.votes, fb.Votes); diff != "" {
			t.Errorf("click %d: votes (-want +got):\n%s", i, diff)
		}
	}

	// "A source is wrong": the choices, then a pick, then the report.
	out := s.HandleClick(ctx, Click{ID: c.WrongSource, UserID: "U1"})
	wantChoices := []Choice{{N: 1, Label: "[1] The council voted 5 to 2."}, {N: 2, Label: "[2] The mayor abstained."}}
	if diff := cmp.Diff(wantChoices, out.Choices); diff != "" || out.Pick == "" || out.Report == "" || out.Recorded {
		t.Fatalf("wrong source: %+v; choices (-want +got):\n%s", out, diff)
	}
	picked := s.HandleClick(ctx, Click{ID: out.Pick, UserID: "U1", N: 2})
	if picked.Report == "" || picked.N != 2 || picked.Recorded {
		t.Fatalf("pick [2]: %+v", picked)
	}

	// A restart: a new service, the same records and secret.
	s2 := newFeedbackService(t, openStore(t, dir), "discord", "s3cret")
	done := s2.HandleClick(ctx, Click{ID: picked.Report, UserID: "U1", Reason: "  The mayor   voted, the minutes say. "})
	if !done.Recorded || !strings.Contains(done.Text, "[2]") {
		t.Fatalf("report after a restart: %+v", done)
	}
	// Slack's form: the report id without [n], the [n] from the menu.
	if out := s2.HandleClick(ctx, Click{ID: out.Report, UserID: "U2", N: 1}); !out.Recorded {
		t.Fatalf("report of [1] by a form: %+v", out)
	}
	if out := s2.HandleClick(ctx, Click{ID: c.Helpful, UserID: "U2"}); !out.Recorded {
		t.Fatalf("a vote after a restart: %+v", out)
	}
	fb, err := st.AnswerFeedback(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	for i := range fb.Reports {
		fb.Reports[i].At = time.Time{}
	}
	want := knowledge.AnswerFeedback{
		Votes: map[string]knowledge.Vote{ann: knowledge.VoteNotHelpful, bob: knowledge.VoteHelpful},
		Reports: []knowledge.SourceReport{
			{AnswerID: 1, UserHash: bob, N: 1},
			{AnswerID: 1, UserHash: ann, N: 2, Reason: "The mayor voted, the minutes say."},
		},
	}
	if diff := cmp.Diff(want, fb, cmpopts.SortSlices(func(a, b knowledge.SourceReport) bool { return a.N < b.N })); diff != "" {
		t.Errorf("feedback (-want +got):\n%s", diff)
	}
	rec, err := st.Answer(ctx, 1)
	if err != nil || rec.Citations[1].N != 2 || rec.Citations[1].Paragraph != 3 {
		t.Errorf("the reported source's paragraph: %+v, %v", rec.Citations, err)
	}
}

// TestHandleClickRefuses: ids the service did not sign (unknown, forged,
// another secret's or platform's), of an older form, of an answer not
// stored, or naming a source the answer lacks, get a polite notice and
// change nothing.
func TestHandleClickRefuses(t *testing.T) {
	dir := t.TempDir()
	st := openStore(t, dir)
	s := newFeedbackService(t, st, "discord", "s3cret")
	c := askRated(t, s)
	other := newFeedbackService(t, st, "discord", "another")
	slack := newFeedbackService(t, st, "slack", "s3cret")
	ctx := context.Background()
	forged := c.Helpful[:len(c.Helpful)-1] + "x"
	if forged == c.Helpful {
		forged = c.Helpful[:len(c.Helpful)-1] + "y"
	}
	tampered := strings.Replace(c.Helpful, "byl1:1:h:", "byl1:2:h:", 1)
	for _, cl := range []struct {
		name  string
		s     *Service
		click Click
		want  string
	}{
		{"unknown", s, Click{ID: "thumbs-up"}, unknownControl},
		{"empty", s, Click{ID: ""}, unknownControl},
		{"forged MAC", s, Click{ID: forged}, unknownControl},
		{"another answer's id with this one's MAC", s, Click{ID: tampered}, unknownControl},
		{"another secret", other, Click{ID: c.Helpful}, unknownControl},
		{"another platform", slack, Click{ID: c.Helpful}, unknownControl},
		{"an older form", s, Click{ID: "byl0:1:h:AAAAAAAAAAAA"}, staleControl},
		{"an answer not stored", s, Click{ID: s.sign(CustomID{Answer: 99, Action: ActHelpful})}, staleControl},
		{"the sources of an answer not stored", s, Click{ID: s.sign(CustomID{Answer: 99, Action: ActWrongSource})}, staleControl},
		{"a report on an answer not stored", s, Click{ID: s.sign(CustomID{Answer: 99, Action: ActReport, N: 1})}, staleControl},
		{"a source the answer lacks", s, Click{ID: s.sign(CustomID{Answer: 1, Action: ActReport, N: 5})}, "That answer has no source [5], so nothing was recorded."},
		{"a form with no source chosen", s, Click{ID: s.sign(CustomID{Answer: 1, Action: ActReport})}, chooseFirst},
		{"a pick of no source", s, Click{ID: s.sign(CustomID{Answer: 1, Action: ActPickSource})}, chooseFirst},
	} {
		t.Run(cl.name, func(t *testing.T) {
			cl.click.UserID = "U1"
			out := cl.s.HandleClick(ctx, cl.click)
			if out.Recorded || out.Text != cl.want || out.Report != "" || len(out.Choices) > 0 {
				t.Errorf("HandleClick: %+v, want only %q", out, cl.want)
			}
			fb, err := st.AnswerFeedback(ctx, 1)
			if err != nil || len(fb.Votes) != 0 || len(fb.Reports) != 0 {
				t.Errorf("the records changed: %+v, %v", fb, err)
			}
		})
	}
}
