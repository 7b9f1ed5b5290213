package knowledge

import (
	"context"
	"fmt"
	"time"
)

// AnswerFeedback is what readers said of one answer: each reader's vote,
// by their hashed id, and the wrong-source reports, oldest first.
type AnswerFeedback struct {
	Votes   map[string]Vote
	Reports []SourceReport
}

// AnswerFeedback returns the votes and reports on one answer; an answer
// no one rated, or one not stored, has none.
func (r *records) AnswerFeedback(ctx context.Context, answerID int64) (AnswerFeedback, error) {
	fb := AnswerFeedback{Votes: map[string]Vote{}}
	rows, err := r.read.QueryContext(ctx, "SELECT user_hash, vote FROM answer_votes WHERE answer_id = ?", answerID)
	if err != nil {
		return AnswerFeedback{}, fmt.Errorf("knowledge: votes on answer %d: %w", answerID, err)
	}
	defer rows.Close()
	for rows.Next() {
		var user, vote string
		if err := rows.Scan(&user, &vote); err != nil {
			return AnswerFeedback{}, fmt.Errorf("knowledge: votes on answer %d: %w", answerID, err)
		}
		fb.Votes[user] = Vote(vote)
	}
	if err := rows.Err(); err != nil {
		return AnswerFeedback{}, fmt.Errorf("knowledge: votes on answer %d: %w", answerID, err)
	}
	reps, err := r.read.QueryContext(ctx, `SELECT user_hash, n, reason, at FROM source_reports
		WHERE answer_id = ? ORDER BY at, n, user_hash`, answerID)
	if err != nil {
		return AnswerFeedback{}, fmt.Errorf("knowledge: reports on answer %d: %w", answerID, err)
	}
	defer reps.Close()
	for reps.Next() {
		rep := SourceReport{AnswerID: answerID}
		var at int64
		if err := reps.Scan(&rep.UserHash, &rep.N, &rep.Reason, &at); err != nil {
			return AnswerFeedback{}, fmt.Errorf("knowledge: reports on answer %d: %w", answerID, err)
		}
		rep.At = time.Unix(at, 0).UTC()
		fb.Reports = append(fb.Reports, rep)
	}
	if err := reps.Err(); err != nil {
		return AnswerFeedback{}, fmt.Errorf("knowledge: reports on answer %d: %w", answerID, err)
	}
	return fb, nil
}
