package knowledge

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// The corrections still to tell (table pending_corrections, migration
// 0008). A re-ingest that changes or removes a paragraph an answer of the
// correction window cited leaves one row per answer and paragraph, in the
// ingest's own transaction, so that the notice survives a crash and a
// `bot ingest` run beside `bot serve` is told by the running bot.

// PendingCorrection is one cited paragraph that changed under a posted
// answer, not yet told in the answer's thread.
type PendingCorrection struct {
	// Answer is the answer that cited the paragraph, as recorded (its
	// citations are not filled in).
	Answer AnswerRecord
	// N is the answer's [n] that cites the paragraph.
	N         int
	PID       string
	ArticleID string
	// OldVersion is the version the answer cited; NewVersion the current
	// one, 0 when the paragraph was removed.
	OldVersion, NewVersion int
	// OldText is the paragraph as the answer cited it; NewText as it reads
	// now ("" when removed).
	OldText, NewText string
	// Note is the outlet's correction note, when the article carries one.
	Note string
	// At is when the change was stored.
	At time.Time
}

// PendingCorrections returns the corrections still to tell, by answer
// (oldest answer first) and then by the answer's [n].
func (r *records) PendingCorrections(ctx context.Context) ([]PendingCorrection, error) {
	rows, err := r.read.QueryContext(ctx, `SELECT p.answer_id, p.n, p.pid, p.article_id, p.old_version,
		p.new_version, p.old_text, p.new_text, p.note, p.at,
		a.at, a.platform, a.channel, a.thread, a.message, a.user_hash, a.question, a.searched, a.text, a.abstained
		FROM pending_corrections p JOIN answers a ON a.id = p.answer_id
		ORDER BY a.at, p.answer_id, p.n`)
	if err != nil {
		return nil, fmt.Errorf("knowledge: pending corrections: %w", err)
	}
	defer rows.Close()
	var out []PendingCorrection
	for rows.Next() {
		var (
			c         PendingCorrection
			at, ansAt int64
		)
		if err := rows.Scan(&c.Answer.ID, &c.N, &c.PID, &c.ArticleID, &c.OldVersion, &c.NewVersion,
			&c.OldText, &c.NewText, &c.Note, &at, &ansAt, &c.Answer.Platform, &c.Answer.Channel,
			&c.Answer.Thread, &c.Answer.Message, &c.Answer.UserHash, &c.Answer.Question,
			&c.Answer.Searched, &c.Answer.Text, &c.Answer.Abstained); err != nil {
			return nil, fmt.Errorf("knowledge: pending corrections: %w", err)
		}
		c.At, c.Answer.At = time.Unix(at, 0).UTC(), time.Unix(ansAt, 0).UTC()
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("knowledge: pending corrections: %w", err)
	}
	return out, nil
}

// LastCorrectionNotice returns when the last correction notice was posted
// under an answer; zero when none was.
func (r *records) LastCorrectionNotice(ctx context.Context, answerID int64) (time.Time, error) {
	var at sql.NullInt64
	if err := r.read.QueryRowContext(ctx, "SELECT max(at) FROM correction_notices WHERE answer_id = ?", answerID).Scan(&at); err != nil {
		return time.Time{}, fmt.Errorf("knowledge: correction notices of answer %d: %w", answerID, err)
	}
	if !at.Valid {
		return time.Time{}, nil
	}
	return time.Unix(at.Int64, 0).UTC(), nil
}

// CorrectionPosted records that the notice telling cs (pending corrections
// of one answer) was posted at at: the pending rows go, a notice is
// recorded for each, and the answer is marked superseded. A row whose
// paragraph changed again since it was read stays pending, so that the
// newer change is told too.
func (r *records) CorrectionPosted(ctx context.Context, at time.Time, cs []PendingCorrection) error {
	return r.resolveCorrections(ctx, at, cs, true)
}

// DropCorrections forgets pending corrections that will not be told (the
// channel has corrections off, the answer can no longer be found), so
// that they are not read again.
func (r *records) DropCorrections(ctx context.Context, cs []PendingCorrection) error {
	return r.resolveCorrections(ctx, time.Time{}, cs, false)
}

func (r *records) resolveCorrections(ctx context.Context, at time.Time, cs []PendingCorrection, posted bool) error {
	if len(cs) == 0 {
		return nil
	}
	tx, err := r.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("knowledge: corrections: %w", err)
	}
	defer tx.Rollback()
	for _, c := range cs {
		res, err := tx.ExecContext(ctx, `DELETE FROM pending_corrections WHERE answer_id = ? AND pid = ?
			AND new_version = ? AND at = ?`, c.Answer.ID, c.PID, c.NewVersion, c.At.Unix())
		if err != nil {
			return fmt.Errorf("knowledge: corrections of answer %d: %w", c.Answer.ID, err)
		}
		if n, _ := res.RowsAffected(); n == 0 || !posted {
			continue
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO correction_notices (answer_id, pid, old_version, new_version, at)
			VALUES (?, ?, ?, ?, ?) ON CONFLICT DO UPDATE SET at = excluded.at`,
			c.Answer.ID, c.PID, c.OldVersion, c.NewVersion, at.Unix()); err != nil {
			return fmt.Errorf("knowledge: corrections of answer %d: %w", c.Answer.ID, err)
		}
		if _, err := tx.ExecContext(ctx, "UPDATE answers SET superseded = coalesce(superseded, ?) WHERE id = ?",
			at.Unix(), c.Answer.ID); err != nil {
			return fmt.Errorf("knowledge: corrections of answer %d: %w", c.Answer.ID, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("knowledge: corrections: %w", err)
	}
	return nil
}
