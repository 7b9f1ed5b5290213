package chat

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"time"

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

// deliver posts a, recorded under id (0 for none), to r, and records
// where it landed.
func (s *Service) deliver(ctx context.Context, r Reply, a answer.Answer, id int64) error {
	if err := r.Answer(ctx, a); err != nil {
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
