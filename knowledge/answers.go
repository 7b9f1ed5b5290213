package knowledge

import "time"

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
