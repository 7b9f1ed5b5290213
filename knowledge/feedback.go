package knowledge

import (
	"context"
	"fmt"
	"time"
)

// The read side of the answer records (answers.go): what the coverage
// could not answer, the answers readers flagged, and the counts an
// operator watches. Nothing here writes.

// Unanswered is one posted answer that did not answer: the articles did
// not say (an abstention), or a reader said one of its sources was wrong.
type Unanswered struct {
	AnswerID int64
	// At is when the question was answered.
	At                time.Time
	Platform, Channel string
	Question          string
	// Searched is what was searched, when it was not the question as asked.
	Searched  string
	Abstained bool
	// WrongSource is how many "a source is wrong" reports the answer has
	// (one per person and source), and Reasons their reasons, those left
	// empty omitted, oldest first.
	WrongSource int
	Reasons     []string
}

// Unanswered returns, oldest first, the abstentions posted at or after
// since and the answers with a wrong-source report made at or after
// since. An answer that is both is listed once.
func (r *records) Unanswered(ctx context.Context, since time.Time) ([]Unanswered, error) {
	rows, err := r.read.QueryContext(ctx, `
		SELECT a.id, a.at, a.platform, a.channel, a.question, a.searched, a.abstained,
			(SELECT count(*) FROM source_reports s WHERE s.answer_id = a.id)
		FROM answers a
		WHERE (a.abstained = 1 AND a.at >= ?1)
			OR EXISTS (SELECT 1 FROM source_reports s WHERE s.answer_id = a.id AND s.at >= ?1)
		ORDER BY a.at, a.id`, since.Unix())
	if err != nil {
		return nil, fmt.Errorf("knowledge: unanswered questions: %w", err)
	}
	defer rows.Close()
	var out []Unanswered
	for rows.Next() {
		var (
			u  Unanswered
			at int64
		)
		if err := rows.Scan(&u.AnswerID, &at, &u.Platform, &u.Channel, &u.Question, &u.Searched,
			&u.Abstained, &u.WrongSource); err != nil {
			rows.Close()
			return nil, fmt.Errorf("knowledge: unanswered questions: %w", err)
		}
		u.At = time.Unix(at, 0).UTC()
		out = append(out, u)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("knowledge: unanswered questions: %w", err)
	}
	for i, u := range out {
		if u.WrongSource == 0 {
			continue
		}
		reps, err := r.sourceReports(ctx, u.AnswerID)
		if err != nil {
			return nil, err
		}
		for _, rep := range reps {
			if rep.Reason != "" {
				out[i].Reasons = append(out[i].Reasons, rep.Reason)
			}
		}
	}
	return out, nil
}

// FlaggedAnswer is an answer readers flagged, with its citations and what
// they said of it.
type FlaggedAnswer struct {
	AnswerRecord
	// Helpful and NotHelpful count the votes on the answer, current ones
	// only (a changed vote counts as its new value).
	Helpful, NotHelpful int
	// Reports are the wrong-source reports on it, oldest first.
	Reports []SourceReport
}

// FlaggedAnswers returns the answers voted not helpful, or reported as
// citing a wrong source, at or after since: the most not-helpful votes
// first, then the most reports, then the newest.
func (r *records) FlaggedAnswers(ctx context.Context, since time.Time) ([]FlaggedAnswer, error) {
	rows, err := r.read.QueryContext(ctx, `
		SELECT a.id,
			(SELECT count(*) FROM answer_votes v WHERE v.answer_id = a.id AND v.vote = 'helpful'),
			(SELECT count(*) FROM answer_votes v WHERE v.answer_id = a.id AND v.vote = 'not_helpful') AS bad,
			(SELECT count(*) FROM source_reports s WHERE s.answer_id = a.id) AS reports
		FROM answers a
		WHERE EXISTS (SELECT 1 FROM answer_votes v WHERE v.answer_id = a.id AND v.vote = 'not_helpful' AND v.at >= ?1)
			OR EXISTS (SELECT 1 FROM source_reports s WHERE s.answer_id = a.id AND s.at >= ?1)
		ORDER BY bad DESC, reports DESC, a.at DESC, a.id DESC`, since.Unix())
	if err != nil {
		return nil, fmt.Errorf("knowledge: flagged answers: %w", err)
	}
	var out []FlaggedAnswer
	for rows.Next() {
		var f FlaggedAnswer
		var reports int
		if err := rows.Scan(&f.ID, &f.Helpful, &f.NotHelpful, &reports); err != nil {
			rows.Close()
			return nil, fmt.Errorf("knowledge: flagged answers: %w", err)
		}
		out = append(out, f)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("knowledge: flagged answers: %w", err)
	}
	for i := range out {
		a, err := r.Answer(ctx, out[i].ID)
		if err != nil {
			return nil, err
		}
		out[i].AnswerRecord = a
		if out[i].Reports, err = r.sourceReports(ctx, a.ID); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func (r *records) sourceReports(ctx context.Context, answerID int64) ([]SourceReport, error) {
	rows, err := r.read.QueryContext(ctx, `SELECT user_hash, n, reason, at FROM source_reports
		WHERE answer_id = ? ORDER BY at, n, user_hash`, answerID)
	if err != nil {
		return nil, fmt.Errorf("knowledge: reports on answer %d: %w", answerID, err)
	}
	defer rows.Close()
	var out []SourceReport
	for rows.Next() {
		rep := SourceReport{AnswerID: answerID}
		var at int64
		if err := rows.Scan(&rep.UserHash, &rep.N, &rep.Reason, &at); err != nil {
			return nil, fmt.Errorf("knowledge: reports on answer %d: %w", answerID, err)
		}
		rep.At = time.Unix(at, 0).UTC()
		out = append(out, rep)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("knowledge: reports on answer %d: %w", answerID, err)
	}
	return out, nil
}

// FeedbackCounts are the totals of the answer records since a time.
type FeedbackCounts struct {
	// Answers and Abstained count the answers posted, and of them the
	// abstentions.
	Answers, Abstained int
	// Helpful and NotHelpful count votes cast (or last changed) in the
	// window.
	Helpful, NotHelpful int
	// WrongSource counts wrong-source reports made in the window.
	WrongSource int
	// Corrections counts correction notices posted in the window.
	Corrections int
}

// FeedbackCounts returns the totals of answers, votes, wrong-source
// reports and correction notices at or after since.
func (r *records) FeedbackCounts(ctx context.Context, since time.Time) (FeedbackCounts, error) {
	var c FeedbackCounts
	err := r.read.QueryRowContext(ctx, `SELECT
		(SELECT count(*) FROM answers WHERE at >= ?1),
		(SELECT count(*) FROM answers WHERE at >= ?1 AND abstained = 1),
		(SELECT count(*) FROM answer_votes WHERE at >= ?1 AND vote = 'helpful'),
		(SELECT count(*) FROM answer_votes WHERE at >= ?1 AND vote = 'not_helpful'),
		(SELECT count(*) FROM source_reports WHERE at >= ?1),
		(SELECT count(*) FROM correction_notices WHERE at >= ?1)`, since.Unix()).Scan(
		&c.Answers, &c.Abstained, &c.Helpful, &c.NotHelpful, &c.WrongSource, &c.Corrections)
	if err != nil {
		return FeedbackCounts{}, fmt.Errorf("knowledge: feedback counts: %w", err)
	}
	return c, nil
}
