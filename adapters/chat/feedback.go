package chat

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/byline-bot/byline/answer"
	"github.com/byline-bot/byline/knowledge"
)

// AnswerLog keeps a record of every answer a Service posts, abstentions
// included, so that readers' feedback can be tied to what the answer
// cited and a later change to a cited paragraph can be told in its
// thread; *knowledge.Store is one.
type AnswerLog interface {
	// RecordAnswer stores an answer about to be posted and returns its id.
	RecordAnswer(ctx context.Context, a knowledge.AnswerRecord) (int64, error)
	// SetAnswerMessage records where the answer was posted.
	SetAnswerMessage(ctx context.Context, id int64, thread, message string) error
}

// Locator is a Reply that can say where it posted its answer. Without it,
// an answer is recorded without its thread and message ids, and no
// correction can find it later.
type Locator interface {
	// Posted returns the thread the answer landed in ("" for none) and the
	// id of its first message, once Answer has returned; "" when nothing
	// was posted or the platform gives no id.
	Posted() (thread, message string)
}

// recordWithin bounds one write of the answer records. Like the dedupe
// check, it may wait on a feed's ingest holding the one writer; the
// answer is posted all the same when it takes longer.
const recordWithin = 2 * time.Second

// recordAnswer stores a, about to be posted for req, and returns its id,
// or 0 when there is no AnswerLog or the write failed (logged: the answer
// is posted without feedback controls rather than not at all).
func (s *Service) recordAnswer(ctx context.Context, req Request, a answer.Answer) int64 {
	if s.opts.Answers == nil {
		return 0
	}
	ctx, cancel := context.WithTimeout(ctx, recordWithin)
	defer cancel()
	rec := knowledge.AnswerRecord{
		At:        s.opts.Now(),
		Platform:  s.opts.Platform,
		Channel:   req.ChannelID,
		UserHash:  s.UserHash(req.UserID),
		Question:  req.Text,
		Text:      a.Text,
		Abstained: a.Abstained,
		Citations: citedParagraphs(a),
	}
	if a.Searched != req.Text {
		rec.Searched = a.Searched
	}
	id, err := s.opts.Answers.RecordAnswer(ctx, rec)
	if err != nil {
		s.log.Warn("chat: recording an answer failed; posting it without feedback", "channel", req.ChannelID, "err", err)
		return 0
	}
	return id
}

// citedParagraphs are the paragraphs a cites, as they read when cited:
// the retrieved passage's whole text where the answer has it, else the
// quoted sentence.
func citedParagraphs(a answer.Answer) []knowledge.CitedParagraph {
	if a.Abstained {
		return nil
	}
	var out []knowledge.CitedParagraph
	for _, c := range a.Citations {
		cp := knowledge.CitedParagraph{N: c.N, PID: c.PID, Version: c.Version, ArticleID: c.ArticleID, Paragraph: c.Paragraph, Text: c.Quote}
		for _, p := range a.Passages {
			if p.ArticleID == c.ArticleID && p.Paragraph == c.Paragraph {
				cp.Text = p.Text
				if cp.PID == "" {
					cp.PID, cp.Version = p.PID, p.Version
				}
				break
			}
		}
		out = append(out, cp)
	}
	return out
}

// deliver posts a, recorded under id (0 for none), to r, with feedback
// controls where r can show them, and records where it landed.
func (s *Service) deliver(ctx context.Context, r Reply, a answer.Answer, id int64) error {
	var err error
	if rt, ok := r.(Rater); ok && id != 0 && s.opts.Feedback != nil {
		err = rt.AnswerRated(ctx, a, s.controls(id, a))
	} else {
		err = r.Answer(ctx, a)
	}
	if err != nil {
		return err
	}
	if id == 0 {
		return nil
	}
	l, ok := r.(Locator)
	if !ok {
		return nil
	}
	thread, message := l.Posted()
	if thread == "" && message == "" {
		return nil
	}
	wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), recordWithin)
	defer cancel()
	if err := s.opts.Answers.SetAnswerMessage(wctx, id, thread, message); err != nil {
		s.log.Warn("chat: recording where an answer was posted failed", "answer", id, "err", err)
	}
	return nil
}

// UserHash returns the id under which a platform user's votes and
// questions are kept: a keyed hash (HMAC-SHA256 with
// ServiceOptions.Secret) of the platform and the user id, so that the
// records hold no raw platform ids and cannot be matched to them without
// the secret. "" for no user.
func (s *Service) UserHash(userID string) string {
	if userID == "" {
		return ""
	}
	return hex.EncodeToString(s.mac("user", userID)[:16])
}

// mac is the HMAC-SHA256, with the service's secret, of a purpose and a
// text, in the service's platform.
func (s *Service) mac(purpose, text string) []byte {
	h := hmac.New(sha256.New, s.opts.Secret)
	h.Write([]byte(purpose + "\x00" + s.opts.Platform + "\x00" + text))
	return h.Sum(nil)
}

// FeedbackStore keeps readers' votes and wrong-source reports on the
// recorded answers; *knowledge.Store is one.
type FeedbackStore interface {
	Answer(ctx context.Context, id int64) (knowledge.AnswerRecord, error)
	Vote(ctx context.Context, answerID int64, userHash string, v knowledge.Vote) (bool, error)
	ReportSource(ctx context.Context, r knowledge.SourceReport) error
}

// Controls are the ids of an answer's feedback controls, for a Rater to
// put under it: helpful, not helpful, and "a source is wrong".
type Controls struct {
	Helpful, NotHelpful string
	// WrongSource is "" for an answer that cites nothing, such as an
	// abstention.
	WrongSource string
}

// Rater is a Reply that can show feedback controls under an answer.
// Without it (or without ServiceOptions.Feedback), answers are recorded
// but cannot be rated where they are posted.
type Rater interface {
	// AnswerRated is Answer with the controls under the answer's last
	// message.
	AnswerRated(ctx context.Context, a answer.Answer, c Controls) error
}

// controls returns the controls of the answer a recorded under id.
func (s *Service) controls(id int64, a answer.Answer) Controls {
	c := Controls{Helpful: s.sign(CustomID{Answer: id, Action: ActHelpful}), NotHelpful: s.sign(CustomID{Answer: id, Action: ActNotHelpful})}
	if !a.Abstained && len(a.Citations) > 0 {
		c.WrongSource = s.sign(CustomID{Answer: id, Action: ActWrongSource})
	}
	return c
}

// sign returns c's text form with the service's MAC.
func (s *Service) sign(c CustomID) string {
	c.mac = base64.RawURLEncoding.EncodeToString(s.mac("control", c.payload())[:9])
	return c.String()
}

// verify reads a control's id and checks its MAC.
func (s *Service) verify(id string) (CustomID, error) {
	c, err := ParseCustomID(id)
	if err != nil {
		return CustomID{}, err
	}
	if !hmac.Equal([]byte(s.sign(c)), []byte(id)) {
		return CustomID{}, errForged
	}
	return c, nil
}

var errForged = errors.New("chat: a feedback control's id with a wrong MAC")

// Click is a reader's use of a feedback control.
type Click struct {
	// ID is the control's id, as Controls or Outcome gave it.
	ID string
	// UserID is the reader's platform id; it is kept only hashed.
	UserID string
	// N is the source chosen in a menu: for ActPickSource, and for an
	// ActReport whose id names none.
	N int
	// Reason is what the reader said is wrong, for ActReport.
	Reason string
}

// Choice is one source a reader can say is wrong.
type Choice struct {
	N int
	// Label is "[n] " and the start of the paragraph as cited, at most
	// choiceLen characters: short enough for Discord's and Slack's menus.
	Label string
}

// choiceLen is the most characters of a Choice's label; Slack's menu
// options take 75.
const choiceLen = 75

// MaxReason is the most characters of a reason kept.
const MaxReason = 300

// Outcome is what a Click comes to: a short message for the reader alone,
// or the next step of saying a source is wrong.
type Outcome struct {
	// Text is the message for the reader alone; "" when Choices or Report
	// asks the next question instead.
	Text string
	// Choices are the answer's sources, after ActWrongSource; Pick is the
	// id of a menu of them (its click carries the [n] chosen) and Report
	// the id of a form that asks the [n] and a reason at once.
	Choices []Choice
	Pick    string
	// Report is the id of the report to ask a reason for: after
	// ActWrongSource, one whose click carries the [n]; after
	// ActPickSource, one for the chosen N.
	Report string
	// N is the source chosen, after ActPickSource.
	N int
	// Recorded is true when the click changed the records.
	Recorded bool
}

// What a reader is told when a click changes nothing. Every refusal is
// polite and says that nothing was recorded.
const (
	unknownControl = "Sorry, I don't recognise that button, so nothing was recorded."
	staleControl   = "Sorry, that answer is too old to rate now (I no longer have it), so nothing was recorded."
	failedControl  = "Sorry, I couldn't record that just now. Please try again in a moment."
	chooseFirst    = "Please choose which source is wrong; nothing was recorded yet."
)

// clickWithin bounds a click's reads and writes: a platform wants its
// acknowledgement within three seconds, and the adapters acknowledge
// first only where they can.
const clickWithin = 2 * time.Second

// HandleClick carries out a reader's click on a feedback control. The
// platform's delivery is checked against First by the adapter, as for
// messages; a click delivered twice that gets here is still stored once,
// since a vote or a report replaces the reader's earlier one. An id the
// service did not make (unknown, forged, of another platform or secret)
// or of an answer no longer stored changes nothing and gets a polite
// notice, as does a failure of the records (logged).
func (s *Service) HandleClick(ctx context.Context, c Click) Outcome {
	if s.opts.Feedback == nil {
		return Outcome{Text: unknownControl}
	}
	id, err := s.verify(c.ID)
	switch {
	case errors.Is(err, ErrStaleID):
		s.log.Info("chat: a feedback control of an older form", "id", c.ID)
		return Outcome{Text: staleControl}
	case err != nil:
		s.log.Warn("chat: refused a feedback control's id", "id", c.ID, "err", err)
		return Outcome{Text: unknownControl}
	}
	ctx, cancel := context.WithTimeout(ctx, clickWithin)
	defer cancel()
	user := s.UserHash(c.UserID)
	switch id.Action {
	case ActHelpful, ActNotHelpful:
		return s.vote(ctx, id, user)
	case ActWrongSource:
		return s.chooseSource(ctx, id)
	case ActPickSource:
		if c.N < 1 || c.N > maxN {
			return Outcome{Text: chooseFirst}
		}
		return Outcome{Report: s.sign(CustomID{Answer: id.Answer, Action: ActReport, N: c.N}), N: c.N}
	default: // ActReport
		n := id.N
		if n == 0 {
			n = c.N
		}
		if n < 1 || n > maxN {
			return Outcome{Text: chooseFirst}
		}
		return s.report(ctx, id.Answer, n, user, c.Reason)
	}
}

// vote records a helpful or not-helpful vote.
func (s *Service) vote(ctx context.Context, id CustomID, user string) Outcome {
	v, said := knowledge.VoteHelpful, "helped"
	if id.Action == ActNotHelpful {
		v, said = knowledge.VoteNotHelpful, "didn't help"
	}
	changed, err := s.opts.Feedback.Vote(ctx, id.Answer, user, v)
	switch {
	case errors.Is(err, knowledge.ErrNotFound):
		return Outcome{Text: staleControl}
	case err != nil:
		s.log.Error("chat: recording a vote failed", "answer", id.Answer, "err", err)
		return Outcome{Text: failedControl}
	case !changed:
		return Outcome{Text: "You've already said this answer " + said + "; nothing changed."}
	}
	s.log.Info("chat: vote recorded", "answer", id.Answer, "vote", v)
	s.opts.Metrics.Vote(s.opts.Platform, string(v))
	text := "Thanks, I've noted that this answer " + said + "."
	if id.Action == ActNotHelpful {
		text += " If one of its sources is wrong, the other button says which."
	}
	return Outcome{Text: text, Recorded: true}
}

// chooseSource lists an answer's sources to say which is wrong.
func (s *Service) chooseSource(ctx context.Context, id CustomID) Outcome {
	rec, err := s.opts.Feedback.Answer(ctx, id.Answer)
	switch {
	case errors.Is(err, knowledge.ErrNotFound):
		return Outcome{Text: staleControl}
	case err != nil:
		s.log.Error("chat: looking up an answer's sources failed", "answer", id.Answer, "err", err)
		return Outcome{Text: failedControl}
	case len(rec.Citations) == 0:
		return Outcome{Text: "That answer cites no sources, so there is none to report."}
	}
	out := Outcome{
		Pick:   s.sign(CustomID{Answer: id.Answer, Action: ActPickSource}),
		Report: s.sign(CustomID{Answer: id.Answer, Action: ActReport}),
	}
	for _, c := range rec.Citations {
		out.Choices = append(out.Choices, Choice{N: c.N, Label: clipLabel(fmt.Sprintf("[%d] %s", c.N, strings.Join(strings.Fields(c.Text), " ")))})
	}
	return out
}

// report records that source n of an answer is wrong.
func (s *Service) report(ctx context.Context, answerID int64, n int, user, reason string) Outcome {
	rec, err := s.opts.Feedback.Answer(ctx, answerID)
	switch {
	case errors.Is(err, knowledge.ErrNotFound):
		return Outcome{Text: staleControl}
	case err != nil:
		s.log.Error("chat: looking up a reported answer failed", "answer", answerID, "err", err)
		return Outcome{Text: failedControl}
	}
	cited := false
	for _, c := range rec.Citations {
		cited = cited || c.N == n
	}
	if !cited {
		return Outcome{Text: fmt.Sprintf("That answer has no source [%d], so nothing was recorded.", n)}
	}
	reason = clipRunes(strings.Join(strings.Fields(reason), " "), MaxReason)
	err = s.opts.Feedback.ReportSource(ctx, knowledge.SourceReport{AnswerID: answerID, UserHash: user, N: n, Reason: reason, At: s.opts.Now()})
	if err != nil {
		s.log.Error("chat: recording a wrong-source report failed", "answer", answerID, "n", n, "err", err)
		return Outcome{Text: failedControl}
	}
	s.log.Info("chat: wrong-source report recorded", "answer", answerID, "n", n)
	s.opts.Metrics.SourceReport(s.opts.Platform)
	return Outcome{Text: fmt.Sprintf("Thanks, I've noted that source [%d] is wrong. The editors will look at it.", n), Recorded: true}
}

// clipLabel cuts a menu label to choiceLen characters.
func clipLabel(s string) string {
	if utf8.RuneCountInString(s) <= choiceLen {
		return s
	}
	return clipRunes(s, choiceLen-1) + "…"
}

// clipRunes cuts s to at most n characters.
func clipRunes(s string, n int) string {
	for i := range s {
		if n == 0 {
			return s[:i]
		}
		n--
	}
	return s
}
