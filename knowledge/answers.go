package knowledge

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// The records of answers posted in chat (tables answers and
// answer_citations, migration 0007): what each answer cited, by stable
// paragraph id and version, so that readers' feedback can be tied to its
// sources and a later change to a cited paragraph can be told in the
// answer's thread. Like the events and usage, they are part of the bot's
// running records, not of the knowledge.

// AnswerRecord is one answer the bot posted.
type AnswerRecord struct {
	ID int64
	At time.Time
	// Platform, Channel and Thread say where the answer was posted
	// (Thread is "" when not in a thread); Message is its message id, once
	// posted.
	Platform, Channel, Thread, Message string
	// UserHash is the asker's id, hashed: raw platform ids are not kept.
	UserHash string
	Question string
	// Searched is what was searched, when it was not the question as
	// asked (a corrected spelling, a follow-up made standalone).
	Searched  string
	Text      string
	Abstained bool
	Citations []CitedParagraph
	// Superseded is when the answer was marked superseded by a
	// correction; zero when it was not.
	Superseded time.Time
}

// CitedParagraph is one [N] of an answer: the paragraph cited, by stable
// id and version, and its text as it read when cited.
type CitedParagraph struct {
	N         int
	PID       string
	Version   int
	ArticleID string
	Paragraph int
	Text      string
}

// Vote is a reader's verdict on an answer.
type Vote string

// The votes a reader can give; one per person per answer, changeable.
const (
	VoteHelpful    Vote = "helpful"
	VoteNotHelpful Vote = "not_helpful"
)

// SourceReport is a reader's "a source is wrong" on one [N] of an answer.
type SourceReport struct {
	AnswerID int64
	UserHash string
	N        int
	Reason   string
	At       time.Time
}

// RecordAnswer stores an answer about to be posted, with its citations,
// and returns its id (the id feedback buttons carry). r.ID is ignored; r.At
// zero means now.
func (r *records) RecordAnswer(ctx context.Context, a AnswerRecord) (int64, error) {
	if a.At.IsZero() {
		a.At = r.now()
	}
	tx, err := r.write.BeginTx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("knowledge: record answer: %w", err)
	}
	defer tx.Rollback()
	var id int64
	err = tx.QueryRowContext(ctx, `INSERT INTO answers (at, platform, channel, thread, message,
		user_hash, question, searched, text, abstained) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		a.At.Unix(), a.Platform, a.Channel, a.Thread, a.Message, a.UserHash, a.Question, a.Searched,
		a.Text, a.Abstained).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("knowledge: record answer: %w", err)
	}
	for _, c := range a.Citations {
		if _, err := tx.ExecContext(ctx, `INSERT INTO answer_citations (answer_id, n, pid, version,
			article_id, paragraph, text) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			id, c.N, c.PID, c.Version, c.ArticleID, c.Paragraph, c.Text); err != nil {
			return 0, fmt.Errorf("knowledge: record answer citation [%d]: %w", c.N, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("knowledge: record answer: %w", err)
	}
	return id, nil
}

// SetAnswerMessage records where an answer was posted: the thread it
// landed in ("" for none) and its message's id.
func (r *records) SetAnswerMessage(ctx context.Context, id int64, thread, message string) error {
	res, err := r.write.ExecContext(ctx, "UPDATE answers SET thread = ?, message = ? WHERE id = ?", thread, message, id)
	if err != nil {
		return fmt.Errorf("knowledge: answer %d: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("knowledge: answer %d: %w", id, ErrNotFound)
	}
	return nil
}

// Answer returns the answer stored under id with its citations, or an
// error wrapping ErrNotFound.
func (r *records) Answer(ctx context.Context, id int64) (AnswerRecord, error) {
	a := AnswerRecord{ID: id}
	var at int64
	var superseded sql.NullInt64
	err := r.read.QueryRowContext(ctx, `SELECT at, platform, channel, thread, message, user_hash,
		question, searched, text, abstained, superseded FROM answers WHERE id = ?`, id).Scan(
		&at, &a.Platform, &a.Channel, &a.Thread, &a.Message, &a.UserHash, &a.Question, &a.Searched,
		&a.Text, &a.Abstained, &superseded)
	if errors.Is(err, sql.ErrNoRows) {
		return AnswerRecord{}, fmt.Errorf("knowledge: answer %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return AnswerRecord{}, fmt.Errorf("knowledge: answer %d: %w", id, err)
	}
	a.At = time.Unix(at, 0).UTC()
	if superseded.Valid {
		a.Superseded = time.Unix(superseded.Int64, 0).UTC()
	}
	rows, err := r.read.QueryContext(ctx, `SELECT n, pid, version, article_id, paragraph, text
		FROM answer_citations WHERE answer_id = ? ORDER BY n`, id)
	if err != nil {
		return AnswerRecord{}, fmt.Errorf("knowledge: answer %d citations: %w", id, err)
	}
	defer rows.Close()
	for rows.Next() {
		var c CitedParagraph
		if err := rows.Scan(&c.N, &c.PID, &c.Version, &c.ArticleID, &c.Paragraph, &c.Text); err != nil {
			return AnswerRecord{}, fmt.Errorf("knowledge: answer %d citations: %w", id, err)
		}
		a.Citations = append(a.Citations, c)
	}
	if err := rows.Err(); err != nil {
		return AnswerRecord{}, fmt.Errorf("knowledge: answer %d citations: %w", id, err)
	}
	return a, nil
}

// Vote records userHash's vote on an answer, replacing their earlier one.
// It reports whether anything changed: false when the same vote arrives
// again (a click delivered twice). The answer must be stored.
func (r *records) Vote(ctx context.Context, answerID int64, userHash string, v Vote) (bool, error) {
	if v != VoteHelpful && v != VoteNotHelpful {
		return false, fmt.Errorf("knowledge: vote %q: not a vote", v)
	}
	if err := r.answerExists(ctx, answerID); err != nil {
		return false, err
	}
	res, err := r.write.ExecContext(ctx, `INSERT INTO answer_votes (answer_id, user_hash, vote, at)
		VALUES (?, ?, ?, ?) ON CONFLICT (answer_id, user_hash) DO UPDATE SET vote = excluded.vote,
		at = excluded.at WHERE vote != excluded.vote`, answerID, userHash, string(v), r.now().Unix())
	if err != nil {
		return false, fmt.Errorf("knowledge: vote on answer %d: %w", answerID, err)
	}
	n, _ := res.RowsAffected()
	return n > 0, nil
}

// ReportSource records a reader's "a source is wrong" on [N] of an
// answer, replacing their earlier reason for the same source. The answer
// must be stored and cite N.
func (r *records) ReportSource(ctx context.Context, rep SourceReport) error {
	var exists bool
	err := r.read.QueryRowContext(ctx, "SELECT EXISTS (SELECT 1 FROM answer_citations WHERE answer_id = ? AND n = ?)",
		rep.AnswerID, rep.N).Scan(&exists)
	if err != nil {
		return fmt.Errorf("knowledge: report on answer %d: %w", rep.AnswerID, err)
	}
	if !exists {
		return fmt.Errorf("knowledge: answer %d source [%d]: %w", rep.AnswerID, rep.N, ErrNotFound)
	}
	if rep.At.IsZero() {
		rep.At = r.now()
	}
	_, err = r.write.ExecContext(ctx, `INSERT INTO source_reports (answer_id, user_hash, n, reason, at)
		VALUES (?, ?, ?, ?, ?) ON CONFLICT (answer_id, user_hash, n) DO UPDATE SET reason = excluded.reason,
		at = excluded.at`, rep.AnswerID, rep.UserHash, rep.N, rep.Reason, rep.At.Unix())
	if err != nil {
		return fmt.Errorf("knowledge: report on answer %d: %w", rep.AnswerID, err)
	}
	return nil
}

func (r *records) answerExists(ctx context.Context, id int64) error {
	var exists bool
	if err := r.read.QueryRowContext(ctx, "SELECT EXISTS (SELECT 1 FROM answers WHERE id = ?)", id).Scan(&exists); err != nil {
		return fmt.Errorf("knowledge: answer %d: %w", id, err)
	}
	if !exists {
		return fmt.Errorf("knowledge: answer %d: %w", id, ErrNotFound)
	}
	return nil
}
